//! Who said what, end to end: recognition, speaker turns and roles on two-voice recordings made from
//! PriMock57 (tests/fixtures/ATTRIBUTION.md), in both of HealthScribe's modes. Needs `make models`.

use std::path::PathBuf;

use bedside::native::{load_scribe, read};
use bedside::schema::transcript::{ItemType, TranscriptFile};
use bedside::speakers::Role;
use bedside::{audio, Scribe, Settings, SpeakerMode};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scribe() -> Scribe {
    load_scribe(&root().join("models"), None).expect("models load (run `make models` first)")
}

/// Share of recognized words whose segment's role (CLINICIAN / PATIENT) is the truth's speaker at that time.
fn role_accuracy(t: &TranscriptFile, truth_dir: &str) -> f64 {
    let truth: Value = serde_json::from_slice(&read(&root().join("tests/fixtures").join(truth_dir).join("truth.json")).unwrap()).unwrap();
    let spans: Vec<(f64, f64, String)> = truth["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["start"].as_f64().unwrap(), s["end"].as_f64().unwrap(), s["speaker"].as_str().unwrap().to_string()))
        .collect();
    let c = &t.conversation;
    let (mut right, mut total) = (0, 0);
    for item in c.transcript_items.iter().filter(|i| i.kind == ItemType::Pronunciation) {
        let mid = (item.begin_audio_time + item.end_audio_time) / 2.0;
        let Some((_, _, speaker)) = spans.iter().min_by(|a, b| {
            let d = |s: &(f64, f64, String)| if mid < s.0 { s.0 - mid } else if mid > s.1 { mid - s.1 } else { 0.0 };
            d(a).total_cmp(&d(b))
        }) else {
            continue;
        };
        let seg = c.transcript_segments.iter().find(|s| Some(s.segment_id.as_str()) == item.segment_id.as_deref()).unwrap();
        total += 1;
        if seg.participant_details.participant_role.starts_with(speaker.as_str()) {
            right += 1;
        }
    }
    right as f64 / total.max(1) as f64
}

fn settings(mode: SpeakerMode) -> Settings {
    Settings { speakers: mode, ..Settings::default() }
}

#[test]
fn telehealth_channels_give_each_side_its_role() {
    let scribe = scribe();
    let bytes = read(&root().join("tests/fixtures/visit_a_stereo/audio.flac")).unwrap();
    let mode = SpeakerMode::Channels(vec![(0, Role::Clinician), (1, Role::Patient)]);
    let t = scribe.process_bytes(&bytes, &settings(mode), &mut |_| true).unwrap().transcript;
    let acc = role_accuracy(&t, "visit_a_stereo");
    assert!(acc >= 0.98, "role accuracy {acc:.3}");
    let segs = &t.conversation.transcript_segments;
    assert!(segs.windows(2).all(|p| p[0].begin_audio_time <= p[1].begin_audio_time), "turns interleaved by time");
    assert!(segs.iter().all(|s| s.channel_id.is_some()));
    // The clinician opens the visit, on channel 0.
    assert_eq!(segs[0].participant_details.participant_role, "CLINICIAN_0");
    assert_eq!(segs[0].channel_id, Some(0));
}

#[test]
fn one_mixed_channel_is_split_into_speakers_with_roles() {
    let scribe = scribe();
    let bytes = read(&root().join("tests/fixtures/visit_a/audio.wav")).unwrap();
    let t = scribe.process_bytes(&bytes, &Settings::default(), &mut |_| true).unwrap().transcript;
    let acc = role_accuracy(&t, "visit_a");
    assert!(acc >= 0.90, "role accuracy {acc:.3}");
    let roles: std::collections::BTreeSet<_> =
        t.conversation.transcript_segments.iter().map(|s| s.participant_details.participant_role.clone()).collect();
    assert!(roles.contains("CLINICIAN_0") && roles.contains("PATIENT_0"), "{roles:?}");
}

#[test]
fn a_duplicated_mono_track_falls_back_to_speaker_separation_and_says_so() {
    let scribe = scribe();
    let mono = audio::decode(&read(&root().join("tests/fixtures/visit_a/audio.wav")).unwrap()).unwrap();
    let stereo = audio::from_channels(vec![mono.channels[0].clone(), mono.channels[0].clone()], mono.sample_rate_hz).unwrap();
    let mode = SpeakerMode::Channels(vec![(0, Role::Clinician), (1, Role::Patient)]);
    let t = scribe.process(stereo, &settings(mode), &mut |_| true).unwrap().transcript;
    let warnings = &t.conversation.bedside.as_ref().unwrap().warnings;
    assert!(warnings.iter().any(|w| w.contains("same signal")), "{warnings:?}");
    assert!(role_accuracy(&t, "visit_a") >= 0.90);
}

#[test]
fn impossible_speaker_settings_are_refused() {
    let scribe = scribe();
    let bytes = read(&root().join("tests/fixtures/visit_a/audio.wav")).unwrap();
    let code = |mode| scribe.process_bytes(&bytes, &settings(mode), &mut |_| true).err().map(|e| e.code());
    assert_eq!(code(SpeakerMode::Mixed { max_speakers: 11 }), Some("SETTINGS_INVALID"));
    assert_eq!(code(SpeakerMode::Mixed { max_speakers: 1 }), Some("SETTINGS_INVALID"));
    assert_eq!(code(SpeakerMode::Channels(vec![(0, Role::Clinician), (1, Role::Clinician)])), Some("SETTINGS_INVALID"));
    // Channel identification needs two channels; this recording has one.
    assert_eq!(code(SpeakerMode::Channels(vec![(0, Role::Clinician), (1, Role::Patient)])), Some("SETTINGS_INVALID"));
    assert_eq!(bedside::speaker_mode(Some(vec![(0, "CLINICIAN".into()), (1, "PATIENT".into())]), Some(3)).err().map(|e| e.code()), Some("SETTINGS_INVALID"));
    assert_eq!(bedside::speaker_mode(Some(vec![(0, "DOCTOR".into()), (1, "PATIENT".into())]), None).err().map(|e| e.code()), Some("SETTINGS_INVALID"));
}
