//! Text transcripts → `TranscriptFile`, for `bedside note` (no audio involved).
//!
//! Input: either an ACI-Bench style dialogue, one turn per line tagged `[doctor]` / `[patient]` (also
//! accepted: MTS-Dialog's `Doctor:` / `Patient:` / `Guest_family:` / `Guest_clinician:` prefixes, also
//! misspelt or numbered, as in "Guest_clinican:", "Doctor_2:", "Guest_family_1:", and bracketed guests
//! such as ACI-Bench's `[patient_guest]`), or a
//! HealthScribe transcript JSON. Output: a transcript file with one segment per turn, in order.
//! Roles: doctor → `CLINICIAN_0`, a second clinician → `CLINICIAN_1`, patient → `PATIENT_0`, a family
//! member or other guest → `PATIENT_1` (a second one `PATIENT_2`; HealthScribe has only the two role kinds).
//! Pseudo-times: there is no audio, so segment *i* (zero-based) gets `BeginAudioTime = i` and
//! `EndAudioTime = i + 1` seconds: order is kept and every segment has a distinct, non-empty interval.
//! A second speaker's tag inside a line, after a sentence end ("Patient: No. Doctor: Any fever?"), starts
//! a new turn: hand-typed dialogues sometimes run two turns together.
//! Limits: no `TranscriptItems` are made for dialogue text (there are no word times to report); a line
//! without a tag continues the previous turn.

use crate::error::{BedsideError, Result};
use crate::schema::transcript::*;

/// An ACI-Bench (or MTS-Dialog) dialogue → one segment per turn.
pub fn transcript_from_dialogue(text: &str) -> Result<TranscriptFile> {
    let mut turns: Vec<(&'static str, String)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        match split_tag(line) {
            Some((mut role, rest)) => {
                let mut rest = rest.trim();
                // A second speaker typed on the same line: "Patient: No. Doctor: Any hallucinations?"
                while let Some((at, next_role, after)) = inline_tag(rest) {
                    turns.push((role, rest[..at].trim().to_string()));
                    (role, rest) = (next_role, after.trim());
                }
                turns.push((role, rest.to_string()))
            }
            None => match turns.last_mut() {
                Some((_, t)) => {
                    t.push(' ');
                    t.push_str(line);
                }
                None => {
                    return Err(BedsideError::Input {
                        reason: format!(
                            "dialogue line {} has no speaker tag: expected `[doctor] …` or `[patient] …`",
                            n + 1
                        ),
                    })
                }
            },
        }
    }
    if turns.is_empty() {
        return Err(BedsideError::Input { reason: "dialogue has no `[doctor]` / `[patient]` lines".into() });
    }
    Ok(transcript_from_turns(turns))
}

/// Turns (role, words) in order → a transcript of one segment each, one second apart (a text has no times).
pub fn transcript_from_turns(turns: Vec<(&'static str, String)>) -> TranscriptFile {
    let segments = turns
        .into_iter()
        .enumerate()
        .map(|(i, (role, content))| TranscriptSegment {
            segment_id: format!("seg-{:05}", i + 1),
            begin_audio_time: i as f64,
            end_audio_time: (i + 1) as f64,
            content,
            participant_details: ParticipantDetails { participant_role: role.into() },
            section_details: SectionDetails { section_name: "OTHER".into() },
            channel_id: None,
        })
        .collect();
    TranscriptFile {
        conversation: Conversation {
            conversation_id: "bedside-dialogue".into(),
            job_name: "bedside-dialogue".into(),
            job_type: "ASYNC".into(),
            language_code: "en-US".into(),
            clinical_insights: Vec::new(),
            transcript_items: Vec::new(),
            transcript_segments: segments,
            bedside: None,
        },
    }
}

/// A HealthScribe transcript JSON (ours or AWS's) → the same typed file.
pub fn transcript_from_json(text: &str) -> Result<TranscriptFile> {
    let file: TranscriptFile = serde_json::from_str(text).map_err(|e| BedsideError::Input {
        reason: format!("not a HealthScribe transcript JSON (line {}, column {}): {e}", e.line(), e.column()),
    })?;
    let mut seen = std::collections::HashSet::new();
    for s in &file.conversation.transcript_segments {
        if !seen.insert(s.segment_id.as_str()) {
            return Err(BedsideError::Input { reason: format!("duplicate SegmentId `{}`", s.segment_id) });
        }
    }
    Ok(file)
}

/// Either format: JSON when the text starts with `{`, else a dialogue.
pub fn transcript_from_text(text: &str) -> Result<TranscriptFile> {
    if text.trim_start().starts_with('{') {
        transcript_from_json(text)
    } else {
        transcript_from_dialogue(text)
    }
}

/// The role a line's tag names, and the rest of the line.
fn split_tag(line: &str) -> Option<(&'static str, &str)> {
    const TAGS: [(&str, &str); 8] = [
        ("[doctor]", "CLINICIAN_0"),
        ("[patient]", "PATIENT_0"),
        ("doctor:", "CLINICIAN_0"),
        ("patient:", "PATIENT_0"),
        ("guest_clinician:", "CLINICIAN_1"),
        ("guest_family:", "PATIENT_1"),
        ("[family]", "PATIENT_1"),
        ("[nurse]", "CLINICIAN_1"),
    ];
    // By characters, not bytes: a byte cut could fall inside "é" and lose the tag.
    let lower = line.chars().take(20).collect::<String>().to_ascii_lowercase();
    for (tag, role) in TAGS {
        if lower.starts_with(tag) {
            return Some((role, &line[tag.len()..]));
        }
    }
    misspelt_tag(line)
}

/// The first speaker tag inside a turn's text that starts a new turn: a tag [`split_tag`] reads, right
/// after the end of a sentence, with text after it. "Yes, I am, Doctor:" (addressing the doctor, nothing
/// after) stays text. Returns where the tag starts, its role, and the text after it.
fn inline_tag(text: &str) -> Option<(usize, &'static str, &str)> {
    text.match_indices(':').find_map(|(colon, _)| {
        // After the last space's own bytes: a Unicode space (U+00A0, U+2000…) is wider than one byte.
        let label_at = text[..colon].char_indices().rev().find(|(_, c)| c.is_whitespace()).map(|(i, c)| i + c.len_utf8())?;
        let sentence_end = text[..label_at].trim_end().ends_with(['.', '?', '!']);
        let (role, after) = split_tag(&text[label_at..])?;
        (sentence_end && !after.trim().is_empty()).then_some((label_at, role, after))
    })
}

/// Hand-typed dialogues misspell their tags ("Guest_clinican:", "Gest_family:"); a leading one-word
/// label is still read as a speaker when it names a known kind, rather than being glued to the
/// previous turn. Other labels ("Note:", "BP:") stay text.
fn misspelt_tag(line: &str) -> Option<(&'static str, &str)> {
    // "[patient_guest] …" or "Guest_family: …"
    let (label, rest) = match line.strip_prefix('[') {
        Some(inner) => inner.find(']').map(|close| (&inner[..close], &inner[close + 1..]))?,
        None => line.find(':').map(|colon| (&line[..colon], &line[colon + 1..]))?,
    };
    let label = label.to_ascii_lowercase();
    if label.len() < 3
        || label.len() > 20
        || !label.starts_with(|c: char| c.is_ascii_alphabetic())
        || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    // Numbered speakers ("Doctor_2:", "Guest_family_1:", "Guest_family2:"): a second doctor is the second
    // clinician; family members keep their number.
    let base = label.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
    let number: u32 = label[base.len()..].trim_start_matches('_').parse().unwrap_or(0);
    let role = if base.contains("clini") || base.contains("nurse") || (base.starts_with("doc") && base.contains("guest")) {
        "CLINICIAN_1"
    } else if base.contains("fam") || base.contains("guest") {
        match number {
            0 | 1 => "PATIENT_1",
            2 => "PATIENT_2",
            _ => "PATIENT_3",
        }
    } else if base.starts_with("doc") {
        if number >= 2 {
            "CLINICIAN_1"
        } else {
            "CLINICIAN_0"
        }
    } else if base.starts_with("pati") {
        "PATIENT_0"
    } else {
        return None;
    };
    Some((role, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_tags_still_start_a_turn() {
        let f = transcript_from_dialogue("Doctor: Who is with you?\nGest_family: I'm her son.\nGuest_clinican: No problem.\nNote: this stays text").unwrap();
        let s = &f.conversation.transcript_segments;
        let roles: Vec<&str> = s.iter().map(|x| x.participant_details.participant_role.as_str()).collect();
        assert_eq!(roles, ["CLINICIAN_0", "PATIENT_1", "CLINICIAN_1"]);
        assert_eq!(s[1].content, "I'm her son.");
        assert_eq!(s[2].content, "No problem. Note: this stays text");
        let f = transcript_from_dialogue("Doctor: Hello.\nGuest_family_1: He fell.\nGuest_family2: Yes.\nDoctor_2: I agree.\nBP2: 120/80").unwrap();
        let roles: Vec<&str> = f.conversation.transcript_segments.iter().map(|x| x.participant_details.participant_role.as_str()).collect();
        assert_eq!(roles, ["CLINICIAN_0", "PATIENT_1", "PATIENT_2", "CLINICIAN_1"]);
        assert_eq!(f.conversation.transcript_segments[3].content, "I agree. BP2: 120/80");
    }

    #[test]
    fn bracketed_guests_start_their_own_turns() {
        let f = transcript_from_dialogue("[doctor] hello .\n[patient_guest] hi .\n[doctor_guest] we met .\n[inaudible] stays text").unwrap();
        let s = &f.conversation.transcript_segments;
        let roles: Vec<&str> = s.iter().map(|x| x.participant_details.participant_role.as_str()).collect();
        assert_eq!(roles, ["CLINICIAN_0", "PATIENT_1", "CLINICIAN_1"]);
        assert_eq!(s[1].content, "hi .");
        assert_eq!(s[2].content, "we met . [inaudible] stays text");
    }

    #[test]
    fn a_second_speaker_on_the_same_line_starts_a_turn() {
        let f = transcript_from_dialogue("Doctor: Any fever?\nPatient: No. Doctor: Any hallucinations? Patient: None.\nPatient: Yes, I am, Doctor:\nGuest_family_1: He fell. Doctor_2: Any numbness? Note: none").unwrap();
        let s = &f.conversation.transcript_segments;
        let turns: Vec<(&str, &str)> = s.iter().map(|x| (x.participant_details.participant_role.as_str(), x.content.as_str())).collect();
        assert_eq!(
            turns,
            [
                ("CLINICIAN_0", "Any fever?"),
                ("PATIENT_0", "No."),
                ("CLINICIAN_0", "Any hallucinations?"),
                ("PATIENT_0", "None."),
                ("PATIENT_0", "Yes, I am, Doctor:"),
                ("PATIENT_1", "He fell."),
                ("CLINICIAN_1", "Any numbness? Note: none")
            ]
        );
    }

    #[test]
    fn aci_lines_become_segments_in_order() {
        let f = transcript_from_dialogue("[doctor] hi , martha .\n[patient] i'm okay .\ncontinued here\n\n[doctor] good").unwrap();
        let s = &f.conversation.transcript_segments;
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].participant_details.participant_role, "CLINICIAN_0");
        assert_eq!(s[1].participant_details.participant_role, "PATIENT_0");
        assert_eq!(s[1].content, "i'm okay . continued here");
        assert_eq!((s[2].begin_audio_time, s[2].end_audio_time), (2.0, 3.0));
        assert_eq!(s[2].segment_id, "seg-00003");
    }

    #[test]
    fn a_tag_before_accented_text_is_read() {
        // "é" takes bytes 19 and 20 of the first line.
        let f = transcript_from_dialogue("Doctor: How was Renée?\nPatient: Fine.").unwrap();
        assert_eq!(f.conversation.transcript_segments.len(), 2);
        assert_eq!(f.conversation.transcript_segments[0].content, "How was Renée?");
    }

    #[test]
    fn a_wide_space_before_an_inline_tag_is_read() {
        // A no-break space (2 bytes) and an en quad (3 bytes), as pasted text has them, before a tag.
        let f = transcript_from_dialogue("Patient: No.\u{a0}Doctor: Any fever?\nPatient: Yes.\u{2000}Doctor: Since when?").unwrap();
        let turns: Vec<_> = f.conversation.transcript_segments.iter().map(|s| s.content.as_str()).collect();
        assert_eq!(turns, ["No.", "Any fever?", "Yes.", "Since when?"]);
        assert!(transcript_from_dialogue("[patient] !\u{2000}:").is_ok());
    }

    #[test]
    fn mts_prefixes_and_guests() {
        let f = transcript_from_dialogue("Doctor: Any allergies?\nGuest_family: Not that I know.\nPatient: No.").unwrap();
        let roles: Vec<_> = f.conversation.transcript_segments.iter().map(|s| s.participant_details.participant_role.as_str()).collect();
        assert_eq!(roles, ["CLINICIAN_0", "PATIENT_1", "PATIENT_0"]);
    }

    #[test]
    fn untagged_or_empty_input_is_an_error() {
        assert!(matches!(transcript_from_dialogue("hello there"), Err(BedsideError::Input { .. })));
        assert!(matches!(transcript_from_dialogue("  \n"), Err(BedsideError::Input { .. })));
        assert!(matches!(transcript_from_json("{\"Conversation\": 3}"), Err(BedsideError::Input { .. })));
    }

    #[test]
    fn json_round_trip() {
        let f = transcript_from_dialogue("[doctor] hi\n[patient] hello").unwrap();
        let back = transcript_from_text(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
    }
}
