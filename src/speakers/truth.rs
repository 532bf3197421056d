//! Measuring speaker attribution against a ground truth: the share of spoken words whose turn carries
//! the right role label.
//!
//! Input: turns, the role label of each speaker id (from `assign_roles`), and truth utterances as written
//! by the project's synthesizer (`truth.json`: `segments[]` with `speaker`, `start`, `end`). Output: the
//! number of words judged and the number attributed correctly.
//!
//! A word belongs to the truth utterance containing its midpoint, or else to the nearest one (recognizer
//! word times are approximate). Truth speakers map to expected labels: `CLINICIAN` → `CLINICIAN_0`,
//! `PATIENT` → `PATIENT_0`, anything else (a relative: `FAMILY`) → `PATIENT_1`; a truth speaker already
//! written as a full label (`PATIENT_1`) is used as is.
//!
//! Limits: a word the recognizer misplaced in time is judged against the wrong utterance; words the
//! recognizer missed are not counted at all.

use super::Turn;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct TruthSegment {
    pub speaker: String,
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Truth {
    pub segments: Vec<TruthSegment>,
}

fn expected_label(speaker: &str) -> String {
    match speaker {
        "CLINICIAN" => "CLINICIAN_0".into(),
        "PATIENT" => "PATIENT_0".into(),
        s if s.contains('_') => s.into(),
        _ => "PATIENT_1".into(),
    }
}

/// (words judged, words with the right label).
pub fn role_accuracy(turns: &[Turn], labels: &[String], truth: &Truth) -> (usize, usize) {
    let (mut total, mut right) = (0, 0);
    for t in turns {
        for w in t.words.iter().filter(|w| !w.is_punctuation()) {
            let mid = 0.5 * (w.start + w.end);
            let distance = |s: &TruthSegment| if mid < s.start { s.start - mid } else if mid > s.end { mid - s.end } else { 0.0 };
            let Some(seg) = truth.segments.iter().min_by(|a, b| distance(a).total_cmp(&distance(b))) else { continue };
            total += 1;
            if labels.get(t.speaker).is_some_and(|l| *l == expected_label(&seg.speaker)) {
                right += 1;
            }
        }
    }
    (total, right)
}
