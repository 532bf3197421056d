//! Speaker turns → HealthScribe transcript file: one `TranscriptSegment` per turn with its participant
//! role, and one `TranscriptItem` per word or punctuation mark.
//!
//! Sections come from a later stage; until it runs every segment is `OTHER`, a valid value of the
//! contract. Punctuation is its own `PUNCTUATION` item with confidence 0, placed at the end time of the
//! word it follows.

use crate::schema::transcript::*;
use crate::speakers::{RoleAssignment, Turn};

pub fn build(segments: &[Turn], roles: &RoleAssignment, info: RunInfo, job_name: &str) -> TranscriptFile {
    let mut out_segments = Vec::with_capacity(segments.len());
    let mut items = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        let id = format!("seg-{:05}", i + 1);
        for w in &s.words {
            let (kind, confidence, begin) =
                if w.is_punctuation() { (ItemType::Punctuation, 0.0, w.end) } else { (ItemType::Pronunciation, round3(w.probability as f64), w.start) };
            items.push(TranscriptItem {
                alternatives: vec![Alternative { confidence, content: w.text.clone() }],
                begin_audio_time: round3(begin),
                end_audio_time: round3(w.end),
                kind,
                segment_id: Some(id.clone()),
                vocabulary_filter_match: w.filtered,
            });
        }
        out_segments.push(TranscriptSegment {
            segment_id: id,
            begin_audio_time: round3(s.start),
            end_audio_time: round3(s.end),
            content: s.text.clone(),
            participant_details: ParticipantDetails {
                participant_role: roles.roles.get(s.speaker).cloned().unwrap_or_else(|| "CLINICIAN_0".into()),
            },
            section_details: SectionDetails { section_name: "OTHER".into() },
            channel_id: s.channel,
        });
    }
    TranscriptFile {
        conversation: Conversation {
            conversation_id: job_name.to_string(),
            job_name: job_name.to_string(),
            job_type: "ASYNC".into(),
            language_code: "en-US".into(),
            clinical_insights: Vec::new(),
            transcript_items: items,
            transcript_segments: out_segments,
            bedside: Some(info),
        },
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
