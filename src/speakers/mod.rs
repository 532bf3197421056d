//! Who said what: speaker turns, and which speaker is the clinician and which the patient.
//!
//! Input: recognizer segments with word times (`asr::AsrSegment`) and the 16 kHz audio they came from,
//! either one recognition per channel (channel identification: each side of a telehealth call on its own
//! channel) or one recognition of a mixed channel (speaker diarization). Output: [`Turn`]s, one per
//! stretch of one speaker's speech inside one recognizer segment (a recognizer segment is split wherever
//! the speaker changes), in time order, and a [`RoleAssignment`] naming each speaker `CLINICIAN_0`,
//! `PATIENT_0`, `PATIENT_1`, … as HealthScribe's `ParticipantRole` does.
//!
//! Modules: `features` (MFCC front end), `gauss` (Gaussian statistics and the BIC test), `diarize` (one
//! mixed channel: change detection and clustering), `channels` (one channel per side: timing repair,
//! crosstalk, interleaving), `roles` (clinician or patient, from what each speaker says), `truth` (scoring
//! against a ground truth, for tests and measurements).
//!
//! Limits: speakers are told apart by voice alone (no speaker-embedding model is available to us), so two
//! similar voices on one channel may be merged; roles come from wording, so a visit with little history
//! taking gets low confidence and a warning rather than a guess presented as fact.

pub mod channels;
pub mod diarize;
pub mod features;
pub mod gauss;
pub mod pairs;
pub mod roles;
#[cfg(test)]
mod fixture_tests;
pub mod truth;

use crate::asr::{AsrSegment, Word};
use crate::error::{BedsideError, Result};
use crate::schema::transcript::{ItemType, TranscriptFile};

pub use channels::{channels_identical, turns_from_channels, validate_channel_definitions, IDENTICAL_CHANNELS_WARNING};
pub use diarize::{diarize, validate_max_speakers};
pub use roles::{assign_roles, Role, RoleAssignment};

/// `maxSpeakerLabels` bounds, as HealthScribe's `MaxSpeakerLabels`.
pub const MIN_SPEAKERS: usize = 2;
pub const MAX_SPEAKERS: usize = 10;

/// How speakers are told apart, mirroring HealthScribe's `ChannelIdentification` + `ChannelDefinitions`
/// or `ShowSpeakerLabels` + `MaxSpeakerLabels` (exactly one of the two applies).
#[derive(Debug, Clone, PartialEq)]
pub struct SpeakerSettings {
    /// Channel identification: exactly two `(channel index, role)` pairs. `None`: one mixed channel.
    pub channel_definitions: Option<Vec<(u32, Role)>>,
    /// The most speakers to find on a mixed channel, 2..=10. Default 4 (clinician, patient and up to two
    /// companions); the stopping rule, not this cap, decides how many are actually found.
    pub max_speakers: usize,
}

impl Default for SpeakerSettings {
    fn default() -> Self {
        Self { channel_definitions: None, max_speakers: 4 }
    }
}

impl SpeakerSettings {
    /// Settings errors (before any work is done): bad channel definitions, a definition naming a channel
    /// the audio lacks, or `max_speakers` out of range.
    pub fn validate(&self, audio_channels: usize) -> Result<()> {
        validate_max_speakers(self.max_speakers)?;
        if let Some(defs) = &self.channel_definitions {
            validate_channel_definitions(defs)?;
            if let Some((c, _)) = defs.iter().find(|(c, _)| *c as usize >= audio_channels) {
                return Err(BedsideError::Settings {
                    reason: format!("channelDefinitions name channel {c}, but the audio has {audio_channels} channel(s)"),
                });
            }
        }
        Ok(())
    }
}

/// One speaker's uninterrupted speech inside one recognizer segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub start: f64,
    pub end: f64,
    /// The recognizer's words (punctuation included), with their times.
    pub words: Vec<Word>,
    pub text: String,
    /// Speaker id: the channel's index with channel identification, the cluster (numbered by first
    /// appearance) with diarization.
    pub speaker: usize,
    pub channel: Option<u32>,
}

/// Words joined with spaces, without a space before punctuation ("Hello, how are you?") or inside a
/// hyphenated word ("day-to-day").
pub fn join_words(words: &[Word]) -> String {
    let mut text = String::new();
    for w in words {
        let t = w.text.trim();
        if t.is_empty() {
            continue;
        }
        // Hyphenated words come from the recognizer as "day", "-to", "-day": no space inside them.
        if !text.is_empty() && !w.is_punctuation() && !t.starts_with('-') {
            text.push(' ');
        }
        text.push_str(t);
    }
    text
}

/// Splits each segment into turns wherever the word label changes. `labels[s][w]` is the speaker of
/// word `w` of segment `s`, or `None` to leave the word out (crosstalk). A segment without words
/// becomes one turn labelled `segment_label[s]`.
pub(crate) fn build_turns(
    segments: &[AsrSegment],
    labels: &[Vec<Option<usize>>],
    segment_label: &[Option<usize>],
    channel: Option<u32>,
) -> Vec<Turn> {
    let mut turns = Vec::new();
    for (s, seg) in segments.iter().enumerate() {
        if seg.words.is_empty() {
            if let (Some(speaker), false) = (segment_label[s], seg.text.trim().is_empty()) {
                turns.push(Turn { start: seg.start, end: seg.end, words: Vec::new(), text: seg.text.trim().to_string(), speaker, channel });
            }
            continue;
        }
        let mut current: Option<(usize, Vec<Word>)> = None;
        for (w, word) in seg.words.iter().enumerate() {
            let Some(label) = labels[s][w] else { continue };
            match &mut current {
                Some((speaker, words)) if *speaker == label => words.push(word.clone()),
                _ => {
                    if let Some((speaker, words)) = current.take() {
                        push_turn(&mut turns, speaker, words, channel);
                    }
                    current = Some((label, vec![word.clone()]));
                }
            }
        }
        if let Some((speaker, words)) = current {
            push_turn(&mut turns, speaker, words, channel);
        }
    }
    turns
}

fn push_turn(turns: &mut Vec<Turn>, speaker: usize, words: Vec<Word>, channel: Option<u32>) {
    // A turn made only of punctuation carries nothing a reader needs; its mark stays out.
    let spoken: Vec<&Word> = words.iter().filter(|w| !w.is_punctuation()).collect();
    let (Some(first), Some(last)) = (spoken.first(), spoken.last()) else { return };
    let (start, end) = (first.start, last.end.max(words.last().map_or(last.end, |w| w.end)));
    turns.push(Turn { start, end, text: join_words(&words), words, speaker, channel });
}

/// The speaker of each punctuation word is that of the spoken word before it (or after it, at the start
/// of a segment), so a turn never begins with the previous speaker's full stop.
pub(crate) fn label_punctuation(words: &[Word], labels: &mut [Option<usize>]) {
    let mut last = None;
    for (w, word) in words.iter().enumerate() {
        if word.is_punctuation() {
            labels[w] = last;
        } else if labels[w].is_some() {
            last = labels[w];
        }
    }
    let mut next = None;
    for w in (0..words.len()).rev() {
        if !words[w].is_punctuation() {
            next = labels[w].or(next);
        } else if labels[w].is_none() {
            // Still unlabelled after the first pass: no labelled word precedes it.
            labels[w] = next;
        }
    }
}

/// Rebuilds recognizer segments (with word times) from a transcript file written by `bedside process`:
/// items grouped by their `SegmentId`, in order. Lets the speaker stage be run, tested and measured on
/// saved recognizer output.
pub fn segments_from_transcript(file: &TranscriptFile) -> Result<Vec<AsrSegment>> {
    let conv = &file.conversation;
    let mut out = Vec::with_capacity(conv.transcript_segments.len());
    for seg in &conv.transcript_segments {
        let words: Vec<Word> = conv
            .transcript_items
            .iter()
            .filter(|i| i.segment_id.as_deref() == Some(seg.segment_id.as_str()))
            .map(|i| {
                let alt = i.alternatives.first();
                let text = alt.map(|a| a.content.clone()).unwrap_or_default();
                let start = if i.kind == ItemType::Punctuation { i.end_audio_time } else { i.begin_audio_time };
                Word { text, start, end: i.end_audio_time, probability: alt.map_or(0.0, |a| a.confidence as f32), filtered: i.vocabulary_filter_match }
            })
            .collect();
        if words.iter().any(|w| !w.start.is_finite() || !w.end.is_finite()) {
            return Err(BedsideError::Input { reason: format!("segment {}: item times are not numbers", seg.segment_id) });
        }
        out.push(AsrSegment {
            start: seg.begin_audio_time,
            end: seg.end_audio_time,
            text: seg.content.clone(),
            words,
            avg_logprob: 0.0,
            no_speech_prob: 0.0,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn word(text: &str, start: f64, end: f64) -> Word {
        Word { text: text.into(), start, end, probability: 0.9, filtered: false }
    }

    #[test]
    fn settings_are_checked_against_the_audio() {
        assert_eq!(SpeakerSettings::default().max_speakers, 4);
        assert!(SpeakerSettings::default().validate(1).is_ok());
        let stereo = SpeakerSettings { channel_definitions: Some(vec![(0, Role::Clinician), (1, Role::Patient)]), ..Default::default() };
        assert!(stereo.validate(2).is_ok());
        assert_eq!(stereo.validate(1).unwrap_err().code(), "SETTINGS_INVALID");
        assert_eq!(SpeakerSettings { max_speakers: 11, ..Default::default() }.validate(1).unwrap_err().code(), "SETTINGS_INVALID");
    }

    #[test]
    fn joins_without_space_before_punctuation() {
        let w = [word("Hello", 0.0, 0.4), word(",", 0.4, 0.4), word("how", 0.5, 0.7), word("are", 0.7, 0.8), word("you", 0.8, 1.0), word("?", 1.0, 1.0)];
        assert_eq!(join_words(&w), "Hello, how are you?");
        let h = [word("my", 0.0, 0.2), word("day", 0.2, 0.4), word("-to", 0.4, 0.5), word("-day", 0.5, 0.6), word("life", 0.6, 0.9)];
        assert_eq!(join_words(&h), "my day-to-day life");
    }

    #[test]
    fn a_segment_splits_where_the_speaker_changes() {
        let words = vec![word("Hi", 0.0, 0.3), word(".", 0.3, 0.3), word("Hello", 0.5, 0.9), word("there", 0.9, 1.2), word(".", 1.2, 1.2)];
        let seg = AsrSegment { start: 0.0, end: 1.2, text: "Hi. Hello there.".into(), words: words.clone(), avg_logprob: 0.0, no_speech_prob: 0.0 };
        let mut labels = vec![Some(0), None, Some(1), Some(1), None];
        label_punctuation(&words, &mut labels);
        assert_eq!(labels, vec![Some(0), Some(0), Some(1), Some(1), Some(1)]);
        let turns = build_turns(&[seg], &[labels], &[None], None);
        assert_eq!(turns.len(), 2);
        assert_eq!((turns[0].text.as_str(), turns[0].speaker), ("Hi.", 0));
        assert_eq!((turns[1].text.as_str(), turns[1].speaker, turns[1].start, turns[1].end), ("Hello there.", 1, 0.5, 1.2));
    }
}
