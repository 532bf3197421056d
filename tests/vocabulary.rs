//! The integrator's words on real speech: a custom vocabulary makes the recogniser spell a drug brand it
//! otherwise mishears, and a vocabulary filter masks, removes or tags a word in every output. The clip is
//! a minute of the nine-minute two-voice visit made from PriMock57 (tests/fixtures/ATTRIBUTION.md) in
//! which the patient names her contraceptive implant, Implanon, four times; without a vocabulary tiny.en
//! writes "implant and". Needs `make models`.

use std::path::PathBuf;

use bedside::asr::vocabulary::{FilterMethod, VocabularyFilter};
use bedside::native::{load_scribe, read};
use bedside::schema::transcript::{ItemType, TranscriptFile};
use bedside::{audio, BedsideError, Scribe, Settings};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/implanon_60s`: 3:32–4:32 of the visit: "I'm on the Implanon. I had the Implanon inserted
/// about a year ago." … "I just have the Implanon" … "if the Implanon hasn't been working" (and speech
/// after it, which a badly framed vocabulary once made the recogniser skip).
fn clip() -> audio::Audio {
    audio::decode(&read(&root().join("tests/fixtures/implanon_60s/audio.flac")).unwrap()).unwrap()
}

fn settings(vocabulary: &[&str], filter: Option<(&[&str], FilterMethod)>) -> Settings {
    let mut s = Settings { note: None, ..Default::default() };
    s.asr.vocabulary = vocabulary.iter().map(|w| w.to_string()).collect();
    s.asr.vocabulary_filter = filter.map(|(words, m)| VocabularyFilter::new(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>(), m).unwrap());
    s
}

fn run(scribe: &Scribe, settings: &Settings) -> TranscriptFile {
    scribe.process(clip(), settings, &mut |_| true).unwrap().transcript
}

fn text(t: &TranscriptFile) -> String {
    t.conversation.transcript_segments.iter().map(|s| s.content.as_str()).collect::<Vec<_>>().join(" ")
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.to_lowercase().matches(&needle.to_lowercase()).count()
}

/// A clinic's list: the brand said in the clip among others that are not, so the test also shows that
/// words not spoken are not written in.
const CLINIC_LIST: [&str; 8] = ["Implanon", "Nexplanon", "Mirena", "trimethoprim", "nitrofurantoin", "urinalysis", "pyelonephritis", "Dr. Okafor"];

#[test]
fn a_custom_vocabulary_makes_a_misheard_brand_come_out_right_and_adds_nothing_unsaid() {
    let scribe = load_scribe(&root().join("models"), None).expect("models load (run `make models` first)");
    let plain = text(&run(&scribe, &settings(&[], None)));
    let with = text(&run(&scribe, &settings(&CLINIC_LIST, None)));
    let (before, after) = (count(&plain, "implanon"), count(&with, "implanon"));
    assert!(after >= 4 && after > before, "Implanon written {before} times without the vocabulary, {after} with it");
    for unsaid in &CLINIC_LIST[1..] {
        assert_eq!(count(&with, unsaid), 0, "{unsaid} is in the vocabulary but not in the clip");
    }
    // The rest of what was said is still there.
    for said in ["inserted", "a year ago", "pregnant", "barrier method", "same partner", "theoretically"] {
        assert!(count(&with, said) > 0, "{said:?} missing with the vocabulary");
    }
}

#[test]
fn the_vocabulary_filter_masks_removes_or_tags_the_word_in_segments_items_and_entities() {
    let scribe = load_scribe(&root().join("models"), None).expect("models load");
    let word: &[&str] = &["Implanon"];
    let masked = run(&scribe, &settings(word, Some((word, FilterMethod::Mask))));
    let c = &masked.conversation;
    assert_eq!(count(&text(&masked), "implanon"), 0);
    assert!(count(&text(&masked), "***") >= 3, "{} masks", count(&text(&masked), "***"));
    let tagged_items: Vec<&str> = c.transcript_items.iter().filter(|i| i.vocabulary_filter_match).map(|i| i.alternatives[0].content.as_str()).collect();
    assert!(tagged_items.len() >= 3 && tagged_items.iter().all(|w| *w == "***"), "{tagged_items:?}");
    // A mask stands for a spoken word: a timed word item, written apart from the word before it.
    assert!(c.transcript_items.iter().filter(|i| i.vocabulary_filter_match).all(|i| i.kind == ItemType::Pronunciation && i.end_audio_time >= i.begin_audio_time));
    assert!(c.transcript_segments.iter().all(|s| s.content.match_indices("***").all(|(at, _)| at == 0 || s.content[..at].ends_with(' '))), "a mask glued to a word");
    assert!(c.clinical_insights.iter().flat_map(|i| &i.spans).all(|s| !s.content.to_lowercase().contains("implanon")));

    let removed = run(&scribe, &settings(word, Some((word, FilterMethod::Remove))));
    assert_eq!(count(&text(&removed), "implanon") + count(&text(&removed), "***"), 0);
    assert!(removed.conversation.transcript_items.iter().all(|i| !i.vocabulary_filter_match && !i.alternatives[0].content.eq_ignore_ascii_case("implanon")));
    assert!(count(&text(&removed), "inserted") > 0);

    let tagged = run(&scribe, &settings(word, Some((word, FilterMethod::Tag))));
    assert!(count(&text(&tagged), "implanon") >= 3);
    let json = serde_json::to_value(&tagged).unwrap();
    let items = json["Conversation"]["TranscriptItems"].as_array().unwrap();
    let marked: Vec<&str> = items.iter().filter(|i| i["VocabularyFilterMatch"] == true).map(|i| i["Alternatives"][0]["Content"].as_str().unwrap()).collect();
    assert!(marked.len() >= 3 && marked.iter().all(|w| w.eq_ignore_ascii_case("implanon")), "{marked:?}");
    assert!(items.iter().filter(|i| i["VocabularyFilterMatch"] != true).all(|i| i.get("VocabularyFilterMatch").is_none()), "written only when true");
}

#[test]
fn a_vocabulary_too_long_for_the_prompt_is_refused_before_any_audio_is_read() {
    let scribe = load_scribe(&root().join("models"), None).expect("models load");
    let long: Vec<String> = (0..200).map(|i| format!("Medication{i}")).collect();
    let mut s = Settings { note: None, ..Default::default() };
    s.asr.vocabulary = long;
    let e = scribe.begin(clip(), &s).err().expect("refused");
    assert!(matches!(e, BedsideError::Settings { .. }), "{e}");
    assert!(e.to_string().contains("at most"), "{e}");
    assert!(scribe.begin_live(16_000, 1, &s).is_err());
}
