//! Mangled text through the whole `bedside note` path without a language model (dialogue parsing,
//! sections, entities, redaction, the note by rules, JSON out and back in). A real visit is small edits
//! away from the text that has broken such pipelines elsewhere: characters whose case changes their length
//! (İ, ß, ligatures), combining marks, zero-width and bidirectional controls, emoji, full-width digits, tags
//! in the middle of a line. Whatever the edits, a call either succeeds with outputs that hold together
//! (every span's offsets cut its own content out of its segment, evidence names real segments) or returns
//! a typed input error; it never panics, which in wasm would take the whole worker down.
//!
//! The visits are the annotated development dialogues of `tests/fixtures/insights/` (`make models` first,
//! for the section and lexicon files). proptest draws the edits; a failure prints the smallest edit list
//! it could shrink to.

use std::path::PathBuf;
use std::sync::OnceLock;

use bedside::clinical::Clinical;
use bedside::dialogue::{transcript_from_json, transcript_from_text};
use bedside::error::BedsideError;
use bedside::note::NoteOptions;
use bedside::schema::transcript::{Span, TranscriptFile};
use proptest::prelude::*;

const SECTIONS: [&str; 4] = ["SUBJECTIVE", "OBJECTIVE", "ASSESSMENT_AND_PLAN", "OTHER"];

/// Pieces an edit inserts: text that has broken tokenisers, case folding or offset arithmetic, and the
/// dialogue's own syntax (tags, colons, line breaks) in places it does not belong.
const PIECES: &[&str] = &[
    "İ", "ß", "ﬁ", "\u{301}", "\u{200b}", "\u{202e}", "\u{feff}", "👍🏽", "👨‍👩‍👧", "５００", "\u{a0}", "\t", "\r", "\n", ":",
    "[doctor] ", "[patient] ", "Patient: ", "Doctor:", "[", "]", "-", "'", ".", ",", "?", " mg", " no ", "Dr. ", "0", "½",
    "K̶", "Σ", "ǅ", "\u{0}", "  ", "hi , ", "five hundred milligrams", "twice a day", "not", "my mother",
];

/// `cases` draws per property, or `PROPTEST_CASES` for a longer search (`PROPTEST_CASES=2000 cargo test
/// --release --test robustness`). Failures are printed, not saved to a file in the tree.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn clinical() -> &'static Clinical {
    static C: OnceLock<Clinical> = OnceLock::new();
    C.get_or_init(|| {
        let models = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
        bedside::native::load_clinical(&models)
            .unwrap_or_else(|e| panic!("{e} (run `make models` first)"))
            .expect("the manifest names the clinical models")
    })
}

/// The development visits' dialogue lines, one list per visit.
fn visits() -> &'static [Vec<String>] {
    static V: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    V.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/insights");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
        paths.sort();
        paths
            .iter()
            .map(|p| {
                let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
                v["dialogue"].as_str().unwrap().lines().map(String::from).collect()
            })
            .collect()
    })
}

#[derive(Debug, Clone)]
enum Edit {
    /// Insert `PIECES[piece]` at a fraction of the way through the text.
    Insert { at: f64, piece: usize },
    /// Delete up to `len` characters from a fraction of the way through.
    Delete { at: f64, len: usize },
    /// One line in upper case (İ and ß change length when folded back).
    Upper { line: usize },
    /// One line with its punctuation taken out, as a recogniser writes it.
    Unpunctuate { line: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0.0..1.0f64, 0..PIECES.len()).prop_map(|(at, piece)| Edit::Insert { at, piece }),
        2 => (0.0..1.0f64, 1..12usize).prop_map(|(at, len)| Edit::Delete { at, len }),
        1 => (0..64usize).prop_map(|line| Edit::Upper { line }),
        1 => (0..64usize).prop_map(|line| Edit::Unpunctuate { line }),
    ]
}

fn apply(lines: &[String], edits: &[Edit]) -> String {
    let mut lines = lines.to_vec();
    for e in edits {
        match e {
            Edit::Upper { line } => {
                let i = line % lines.len();
                lines[i] = lines[i].to_uppercase();
            }
            Edit::Unpunctuate { line } => {
                let i = line % lines.len();
                lines[i] = lines[i].chars().filter(|c| !matches!(c, '.' | ',' | '?' | '!' | ';')).collect();
            }
            Edit::Insert { .. } | Edit::Delete { .. } => {}
        }
    }
    let mut chars: Vec<char> = lines.join("\n").chars().collect();
    for e in edits {
        match *e {
            Edit::Insert { at, piece } => {
                let i = (at * chars.len() as f64) as usize;
                chars.splice(i..i, PIECES[piece].chars());
            }
            Edit::Delete { at, len } => {
                let i = (at * chars.len() as f64) as usize;
                chars.drain(i..(i + len).min(chars.len()));
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// A span must cut its own content out of a segment of the file.
fn check_span(file: &TranscriptFile, s: &Span, what: &str) -> Result<(), TestCaseError> {
    let seg = file.conversation.transcript_segments.iter().find(|x| x.segment_id == s.segment_id);
    let seg = seg.ok_or_else(|| TestCaseError::fail(format!("{what}: no segment {}", s.segment_id)))?;
    let chars: Vec<char> = seg.content.chars().collect();
    prop_assert!(s.begin_character_offset < s.end_character_offset && s.end_character_offset <= chars.len(), "{what}: {s:?} in {} chars", chars.len());
    let cut: String = chars[s.begin_character_offset..s.end_character_offset].iter().collect();
    prop_assert_eq!(&cut, &s.content, "{}", what);
    Ok(())
}

fn check_transcript(file: &TranscriptFile) -> Result<(), TestCaseError> {
    for seg in &file.conversation.transcript_segments {
        prop_assert!(SECTIONS.contains(&seg.section_details.section_name.as_str()), "{:?}", seg.section_details);
    }
    for ins in &file.conversation.clinical_insights {
        prop_assert!(!ins.spans.is_empty());
        for s in &ins.spans {
            check_span(file, s, &ins.kind)?;
        }
        for a in &ins.attributes {
            for s in &a.spans {
                check_span(file, s, &a.kind)?;
            }
        }
        for t in &ins.traits {
            prop_assert!((0.0..=1.0).contains(&t.score), "{t:?}");
        }
    }
    Ok(())
}

/// The `bedside note` path on one text; `Ok(false)` when the text was refused with a typed input error.
fn run_note_path(text: &str) -> Result<bool, TestCaseError> {
    let mut file = match transcript_from_text(text) {
        Ok(f) => f,
        Err(BedsideError::Input { reason }) => {
            prop_assert!(!reason.is_empty());
            return Ok(false);
        }
        Err(e) => return Err(TestCaseError::fail(format!("not an input error: {e}"))),
    };
    clinical().annotate(&mut file, false).map_err(|e| TestCaseError::fail(e.to_string()))?;
    check_transcript(&file)?;

    // What the CLI writes must read back as the same transcript.
    let json = serde_json::to_string(&file).unwrap();
    let back = transcript_from_json(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(back.conversation.transcript_segments.len(), file.conversation.transcript_segments.len());

    let opts = NoteOptions::for_template("HISTORY_AND_PHYSICAL").unwrap();
    let note = bedside::scribe::write_note_with(&file, &opts, Some(clinical()), None, &mut |_| true).map_err(|e| TestCaseError::fail(e.to_string()))?;
    for section in &note.clinical_documentation.sections {
        for s in &section.summary {
            prop_assert!(!s.summarized_segment.trim().is_empty());
            for link in &s.evidence_links {
                prop_assert!(file.conversation.transcript_segments.iter().any(|x| x.segment_id == link.segment_id), "{link:?}");
            }
        }
    }

    bedside::insights::redact(&mut file);
    check_transcript(&file)?;
    for ins in file.conversation.clinical_insights.iter().filter(|i| i.category == "PROTECTED_HEALTH_INFORMATION") {
        for s in &ins.spans {
            prop_assert_eq!(&s.content, &format!("[{}]", ins.kind));
        }
    }
    Ok(true)
}

proptest! {
    #![proptest_config(config(96))]

    /// Twenty consecutive lines of a real visit with up to a dozen edits.
    #[test]
    fn edited_visits_give_consistent_outputs_or_an_input_error(
        visit in 0..116usize, start in 0..200usize, edits in prop::collection::vec(edit(), 1..12)
    ) {
        let lines = &visits()[visit % visits().len()];
        let from = start % lines.len().saturating_sub(20).max(1);
        let text = apply(&lines[from..(from + 20).min(lines.len())], &edits);
        run_note_path(&text)?;
    }

    /// Arbitrary characters: as they come (read or refused), after a tag (always read, however odd the
    /// turn), and after a `{` (refused: not a HealthScribe transcript).
    #[test]
    fn arbitrary_text_is_read_or_refused(text in "\\PC{0,300}", json in "\\PC{0,80}") {
        run_note_path(&text)?;
        prop_assert!(run_note_path(&format!("[patient] {text}"))?, "a tagged turn was refused");
        prop_assert!(!run_note_path(&format!("{{{json}"))?, "`{{{json}` read as a transcript");
    }
}

/// A HealthScribe transcript JSON as an integrator might hand one over: any roles, times in any order
/// (negative, reversed, huge), empty or odd text, word items that name missing segments.
fn transcript_json() -> impl Strategy<Value = String> {
    let role = prop::sample::select(vec!["CLINICIAN_0", "PATIENT_0", "PATIENT_3", "CLINICIAN", "doctor", "", "SPEAKER_7"]);
    let line = prop_oneof![
        3 => (0..116usize, 0..400usize).prop_map(|(v, l)| { let lines = &visits()[v]; let t = &lines[l % lines.len()]; t.split_once(' ').map_or(t.as_str(), |x| x.1).to_string() }),
        1 => "\\PC{0,60}",
        1 => prop::collection::vec(prop::sample::select(PIECES.to_vec()), 0..8).prop_map(|p| p.concat()),
    ];
    let time = prop_oneof![Just(0.0f64), -5.0..5.0f64, 0.0..1e7f64];
    let segment = (role, line, time.clone(), time.clone());
    let item = (0..6usize, "\\PC{0,12}", time.clone(), 0.0..1.0f64);
    (prop::collection::vec(segment, 0..14), prop::collection::vec(item, 0..20)).prop_map(|(segments, items)| {
        let segments: Vec<_> = segments
            .into_iter()
            .enumerate()
            .map(|(i, (role, content, b, e))| serde_json::json!({
                "SegmentId": format!("s{i}"), "BeginAudioTime": b, "EndAudioTime": e, "Content": content,
                "ParticipantDetails": { "ParticipantRole": role }, "SectionDetails": { "SectionName": "OTHER" },
            }))
            .collect();
        let items: Vec<_> = items
            .into_iter()
            .map(|(seg, word, t, c)| serde_json::json!({
                "Alternatives": [{ "Confidence": c, "Content": word }], "BeginAudioTime": t, "EndAudioTime": t + 0.3,
                "Type": "PRONUNCIATION", "SegmentId": format!("s{seg}"),
            }))
            .collect();
        serde_json::json!({ "Conversation": {
            "ConversationId": "c", "JobName": "j", "JobType": "ASYNC", "LanguageCode": "en-US",
            "TranscriptItems": items, "TranscriptSegments": segments,
        } })
        .to_string()
    })
}

proptest! {
    #![proptest_config(config(64))]

    /// Whatever a well-formed transcript JSON holds, it is read and every stage copes.
    #[test]
    fn transcript_json_from_an_integrator_is_read(json in transcript_json()) {
        prop_assert!(run_note_path(&json)?, "a well-formed transcript JSON was refused");
    }
}

/// Most edited visits must still be read (the property above would pass vacuously if every edit made the
/// dialogue unreadable): an edit list that keeps the first tag keeps the visit.
#[test]
fn edited_visits_are_mostly_still_read() {
    let mut read = 0;
    for (i, lines) in visits().iter().enumerate().take(40) {
        let edits = [Edit::Insert { at: 0.5, piece: i % PIECES.len() }, Edit::Upper { line: i }, Edit::Delete { at: 0.7, len: 5 }];
        read += run_note_path(&apply(&lines[..lines.len().min(20)], &edits)).unwrap() as usize;
    }
    assert!(read >= 38, "{read} of 40 read");
}
