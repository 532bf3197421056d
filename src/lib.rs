//! Bedside: an on-device clinical scribe. Audio of a visit goes in; HealthScribe-shaped outputs come out
//! (a transcript with roles, sections and clinical entities, and a clinical note whose every sentence links
//! to its evidence), natively or in WebAssembly.
//!
//! The pipeline, one module per stage, data flowing one way (`scribe` drives it):
//! ```text
//! bytes ─► audio (decode, channels, 16 kHz) ─► vad (speech regions) ─► mel ─► asr (Whisper, words + times)
//!       ─► speakers (turns, roles) ─► transcript (HealthScribe segments and items)
//!       ─► clinical (sections, insights, redaction) ─► note (evidence groups → checked sentences, via llm)
//! ```
//! ```no_run
//! # fn main() -> bedside::Result<()> {
//! # let (weights, config, tokenizer, mel, vad, audio) = (vec![], vec![], vec![], vec![], vec![], vec![]);
//! let scribe = bedside::Scribe::load(bedside::ModelBytes {
//!     asr_name: "tiny.en".into(), weights, config, tokenizer, mel_filters: mel, vad: Some(vad), clinical: None, llm: None,
//! })?;
//! let visit = scribe.process_bytes(&audio, &bedside::Settings::default(), &mut |_| true)?;
//! println!("{}", visit.transcript_json());
//! # Ok(()) }
//! ```
// The numeric kernels (edit distance, Cholesky, clustering scores) index several arrays by the same
// subscripts, as the maths is written; iterator chains would hide that.
#![allow(clippy::needless_range_loop)]

pub mod asr;
pub mod audio;
pub mod clinical;
pub mod dialogue;
pub mod embed;
pub mod error;
pub mod eval;
pub mod insights;
pub mod live;
pub mod llm;
pub mod mpnet;
pub mod manifest;
pub mod mel;
pub mod note;
pub mod schema;
pub mod scribe;
pub mod sections;
pub mod speakers;
pub mod transcript;
pub mod utterance;
pub mod vad;
#[cfg(not(target_arch = "wasm32"))]
pub mod convert;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{BedsideError, Result};
pub use live::LiveJob;
pub use scribe::{speaker_mode, Heard, Job, ModelBytes, Progress, Scribe, Settings, SpeakerMode, Visit};
