//! Utterances: one speaker's run of transcript segments up to the end of a sentence.
//!
//! Why: segments follow the speech recogniser's windows and pauses, so a sentence is often cut across
//! two or three segments ("…under the weather for the past" | "four days, and it started…"). The section
//! classifier and the note's evidence groups read whole sentences, the way the dialogues they were built
//! on are written; every segment then takes its utterance's result. A dialogue (one line per segment,
//! each line ending a sentence) gives one utterance per segment.

use std::ops::Range;

use crate::schema::transcript::TranscriptSegment;

/// A run of segments by one participant, joined.
#[derive(Debug, Clone, PartialEq)]
pub struct Utterance {
    /// Indices into the transcript's segments.
    pub segments: Range<usize>,
    /// The segments' contents joined by spaces.
    pub text: String,
}

/// A run stops growing at this many words even without a sentence end (a recogniser that leaves
/// punctuation out would otherwise make a whole turn one utterance).
const MAX_WORDS: usize = 80;

fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end().trim_end_matches(['"', '\'', ')', '”', '’']);
    t.is_empty() || t.ends_with(['.', '?', '!', '…'])
}

/// Groups segments into utterances, in order; every segment belongs to exactly one.
pub fn utterances(segments: &[TranscriptSegment]) -> Vec<Utterance> {
    let mut out: Vec<Utterance> = Vec::new();
    let mut open = false;
    for (i, s) in segments.iter().enumerate() {
        let role = &s.participant_details.participant_role;
        let joins = open
            && out.last().is_some_and(|u| {
                segments[u.segments.start].participant_details.participant_role == *role && u.text.split_whitespace().count() < MAX_WORDS
            });
        let content = s.content.trim();
        match out.last_mut() {
            Some(u) if joins => {
                u.segments.end = i + 1;
                if !content.is_empty() {
                    u.text.push(' ');
                    u.text.push_str(content);
                }
            }
            _ => out.push(Utterance { segments: i..i + 1, text: content.to_string() }),
        }
        open = !ends_sentence(content);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::transcript::{ParticipantDetails, SectionDetails};

    fn seg(role: &str, text: &str) -> TranscriptSegment {
        TranscriptSegment {
            segment_id: String::new(),
            begin_audio_time: 0.0,
            end_audio_time: 0.0,
            content: text.into(),
            participant_details: ParticipantDetails { participant_role: role.into() },
            section_details: SectionDetails { section_name: "OTHER".into() },
            channel_id: None,
        }
    }

    #[test]
    fn a_sentence_cut_across_segments_is_one_utterance() {
        let segs = [
            seg("PATIENT_0", "I've been feeling under the weather for the past"),
            seg("PATIENT_0", "four days, and it started with a sore throat."),
            seg("PATIENT_0", "Now I cough."),
            seg("CLINICIAN_0", "Any fever"),
            seg("PATIENT_0", "No."),
        ];
        let u = utterances(&segs);
        assert_eq!(u.iter().map(|u| u.segments.clone()).collect::<Vec<_>>(), vec![0..2, 2..3, 3..4, 4..5]);
        assert_eq!(u[0].text, "I've been feeling under the weather for the past four days, and it started with a sore throat.");
    }

    #[test]
    fn runs_without_punctuation_are_capped() {
        let long = vec!["word"; 30].join(" ");
        let segs: Vec<_> = (0..6).map(|_| seg("CLINICIAN_0", &long)).collect();
        let u = utterances(&segs);
        assert_eq!(u.iter().map(|u| u.segments.len()).collect::<Vec<_>>(), vec![3, 3]);
    }
}
