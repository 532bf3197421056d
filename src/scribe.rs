//! The whole pipeline behind one object: load models from bytes once, then process visits.
//! Shells (CLI, wasm) only move bytes and events; every decision lives here.

use serde::Serialize;

use crate::asr::{AsrModel, AsrOptions, StepReport, Transcription};
use crate::audio::{self, Audio};
use crate::error::{BedsideError, Result};
use crate::schema::transcript::{RunInfo, TranscriptFile};
use crate::vad::{Vad, VadOptions};

/// Model files as bytes (the CLI reads them from disk, the browser fetches them).
pub struct ModelBytes {
    pub asr_name: String,
    pub weights: Vec<u8>,
    pub config: Vec<u8>,
    pub tokenizer: Vec<u8>,
    pub mel_filters: Vec<u8>,
    /// Silero VAD weights; without them every window is decoded (slower, more prone to invented text).
    pub vad: Option<Vec<u8>>,
}

/// Settings for one visit, with documented defaults (`Settings::default()`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub asr: AsrOptions,
    /// Skip stretches without voice activity (default on when a VAD model is loaded).
    pub use_vad: bool,
    pub job_name: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self { asr: AsrOptions::default(), use_vad: true, job_name: "bedside-visit".into() }
    }
}

/// What a long call reports; the callback answers `false` to stop.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum Progress {
    #[serde(rename_all = "camelCase")]
    Stage { stage: &'static str, done: f64, total: f64 },
}

pub struct Visit {
    pub transcript: TranscriptFile,
}

impl Visit {
    pub fn transcript_json(&self) -> String {
        serde_json::to_string_pretty(&self.transcript).expect("transcript serializes")
    }
}

pub struct Scribe {
    pub asr: AsrModel,
    vad: Option<Vad>,
}

/// One visit in progress; `step` advances it by one unit of work (a 30-s window).
pub struct Job {
    transcription: Transcription,
    info: RunInfo,
    job_name: String,
}

impl Scribe {
    pub fn load(m: ModelBytes) -> Result<Self> {
        let asr = AsrModel::load(&m.asr_name, &m.weights, &m.config, &m.tokenizer, &m.mel_filters)?;
        let vad = m.vad.as_deref().map(Vad::load).transpose()?;
        Ok(Self { asr, vad })
    }

    /// Starts a visit from already-decoded audio (any rate, any channel count).
    pub fn begin(&self, audio: &Audio, settings: &Settings) -> Result<Job> {
        let audio = audio::resample(audio, audio::SAMPLE_RATE_HZ)?;
        let mono = audio.mono();
        let mut warnings = Vec::new();
        let speech = match (&self.vad, settings.use_vad) {
            (Some(vad), true) => {
                let regions = vad.speech_regions(&mono, &VadOptions::default())?;
                if regions.is_empty() {
                    warnings.push("no speech detected".to_string());
                }
                Some(regions.into_iter().map(|r| (r.start_sample, r.end_sample)).collect())
            }
            _ => None,
        };
        let transcription = Transcription::new(&self.asr, &mono, speech, settings.asr.clone())?;
        let info = RunInfo {
            asr_model: self.asr.name.clone(),
            audio_seconds: audio.duration_seconds(),
            channels: audio.channels.len() as u32,
            warnings,
        };
        Ok(Job { transcription, info, job_name: settings.job_name.clone() })
    }

    /// Starts a visit from file bytes (WAV or FLAC).
    pub fn begin_bytes(&self, bytes: &[u8], settings: &Settings) -> Result<Job> {
        self.begin(&audio::decode(bytes)?, settings)
    }

    /// Runs a whole visit, reporting progress between windows.
    pub fn process(&self, audio: &Audio, settings: &Settings, progress: &mut dyn FnMut(Progress) -> bool) -> Result<Visit> {
        let mut job = self.begin(audio, settings)?;
        while let Some(report) = job.step(self)? {
            if !progress(report) {
                return Err(BedsideError::Cancelled);
            }
        }
        Ok(job.finish())
    }

    pub fn process_bytes(&self, bytes: &[u8], settings: &Settings, progress: &mut dyn FnMut(Progress) -> bool) -> Result<Visit> {
        self.process(&audio::decode(bytes)?, settings, progress)
    }
}

impl Job {
    pub fn step(&mut self, scribe: &Scribe) -> Result<Option<Progress>> {
        Ok(self.transcription.step(&scribe.asr)?.map(|StepReport { processed_seconds, total_seconds, .. }| {
            Progress::Stage { stage: "transcribe", done: processed_seconds, total: total_seconds }
        }))
    }

    pub fn finish(self) -> Visit {
        Visit { transcript: crate::transcript::build(&self.transcription.segments, self.info, &self.job_name) }
    }
}
