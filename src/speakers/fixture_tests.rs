//! End-to-end checks of the speaker stage on recorded fixtures: synthetic consultations
//! (`tests/fixtures/visit_a*`, `tests/fixtures/speakers/`) with word times from our own recognizer and a
//! ground truth of who spoke when. See `tests/fixtures/speakers/README.md`.

use super::*;
use crate::audio;
use std::path::PathBuf;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

fn audio(rel: &str) -> audio::Audio {
    audio::prepare(&std::fs::read(fixture(rel)).expect("fixture audio")).expect("decodes")
}

fn segments(rel: &str) -> Vec<AsrSegment> {
    let file: TranscriptFile = serde_json::from_slice(&std::fs::read(fixture(rel)).expect("fixture transcript")).expect("transcript json");
    segments_from_transcript(&file).expect("segments")
}

fn truth(rel: &str) -> truth::Truth {
    serde_json::from_slice(&std::fs::read(fixture(rel)).expect("truth")).expect("truth json")
}

fn accuracy(turns: &[Turn], roles: &RoleAssignment, truth: &truth::Truth) -> f64 {
    let (total, right) = truth::role_accuracy(turns, &roles.roles, truth);
    assert!(total > 20, "too few words judged: {total}");
    right as f64 / total as f64
}

fn speakers_found(turns: &[Turn]) -> usize {
    let mut s: Vec<usize> = turns.iter().map(|t| t.speaker).collect();
    s.sort();
    s.dedup();
    s.len()
}

const STEREO_FIXED: [(usize, Role); 2] = [(0, Role::Clinician), (1, Role::Patient)];

type PerChannel = Vec<(u32, Vec<AsrSegment>)>;

fn stereo() -> (Vec<Vec<f32>>, PerChannel) {
    let a = audio("visit_a_stereo/audio.flac");
    let per = vec![(0, segments("speakers/visit_a_ch0.transcript.json")), (1, segments("speakers/visit_a_ch1.transcript.json"))];
    (a.channels, per)
}

#[test]
fn channels_interleave_turns_in_time_order() {
    let (channels, per) = stereo();
    let (turns, warnings) = turns_from_channels(&channels, &per).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(turns.windows(2).all(|w| w[0].start <= w[1].start));
    // The recognizer stretched "Sorry to" on channel 0 back across the patient's turn; re-anchored to
    // channel 0's own speech, the clinician's answer follows the patient.
    let order: Vec<usize> = turns.iter().map(|t| t.speaker).fold(Vec::new(), |mut v, s| {
        if v.last() != Some(&s) {
            v.push(s);
        }
        v
    });
    assert_eq!(order, vec![0, 1, 0]);
    let sorry = turns.iter().find(|t| t.text.starts_with("Sorry")).expect("the clinician's answer");
    assert!(sorry.start > 21.5 && sorry.channel == Some(0), "{sorry:?}");
    let roles = assign_roles(&turns, Some(&STEREO_FIXED));
    assert!(accuracy(&turns, &roles, &truth("visit_a_stereo/truth.json")) >= 0.97);
}

#[test]
fn crosstalk_words_do_not_become_turns() {
    let (mut channels, mut per) = stereo();
    // Each side leaks into the other at -20 dB, and channel 0's recognizer also transcribed the patient's
    // leaked words.
    let (c0, c1) = (channels[0].clone(), channels[1].clone());
    channels[0].iter_mut().zip(&c1).for_each(|(a, b)| *a += 0.1 * b);
    channels[1].iter_mut().zip(&c0).for_each(|(a, b)| *a += 0.1 * b);
    let spoken = |segs: &[AsrSegment]| segs.iter().flat_map(|s| &s.words).filter(|w| !w.is_punctuation()).count();
    let reference = spoken(&per[0].1);
    let leaked = per[1].1.clone();
    per[0].1.extend(leaked);
    per[0].1.sort_by(|a, b| a.start.total_cmp(&b.start));
    let (turns, _) = turns_from_channels(&channels, &per).unwrap();
    let roles = assign_roles(&turns, Some(&STEREO_FIXED));
    assert!(accuracy(&turns, &roles, &truth("visit_a_stereo/truth.json")) >= 0.97);
    let clinician_words: usize = turns.iter().filter(|t| t.speaker == 0).map(|t| t.words.iter().filter(|w| !w.is_punctuation()).count()).sum();
    assert!(clinician_words <= reference, "phantom clinician words: {clinician_words} > {reference}");
    // …and the clinician's own words survive the patient's leak.
    assert!(clinician_words as f64 >= 0.95 * reference as f64, "{clinician_words} of {reference}");
}

#[test]
fn duplicated_and_silent_channels_are_recognized() {
    let (channels, per) = stereo();
    assert!(!channels_identical(&channels[0], &channels[1]));
    let mono = audio("visit_a/audio.wav").channels.remove(0);
    assert!(channels_identical(&mono, &mono));
    let quieter: Vec<f32> = mono.iter().map(|x| x * 0.5).collect();
    assert!(channels_identical(&mono, &quieter));
    assert!(!channels_identical(&mono, &mono[1..]));

    let silent = vec![0.0; channels[0].len()];
    let (turns, warnings) = turns_from_channels(&[channels[0].clone(), silent], &[per[0].clone(), (1, Vec::new())]).unwrap();
    assert!(warnings.iter().any(|w| w.contains("channel 1 is silent")), "{warnings:?}");
    assert!(turns.iter().all(|t| t.speaker == 0 && t.channel == Some(0)));
    assert!(turns_from_channels(&channels, &per[..1]).is_err());

    // A participant heard only briefly on an otherwise digitally silent channel is not "silent".
    let mut brief = channels[1].clone();
    brief[11 * 16_000..].iter_mut().for_each(|x| *x = 0.0);
    let first_only = vec![per[0].clone(), (1, per[1].1[..1].to_vec())];
    let (turns, warnings) = turns_from_channels(&[channels[0].clone(), brief], &first_only).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(turns.iter().any(|t| t.speaker == 1 && t.text == "Hello, how are you?"), "{turns:?}");
}

#[test]
fn bad_settings_are_settings_errors() {
    let a = audio("visit_a/audio.wav");
    let segs = segments("speakers/visit_a.transcript.json");
    for max in [0, 1, 11] {
        assert_eq!(diarize(&a.channels[0], &segs, max).unwrap_err().code(), "SETTINGS_INVALID");
    }
    let same_role = [(0, Role::Clinician), (1, Role::Clinician)];
    assert_eq!(validate_channel_definitions(&same_role).unwrap_err().code(), "SETTINGS_INVALID");
    assert_eq!(validate_channel_definitions(&[(0, Role::Clinician)]).unwrap_err().code(), "SETTINGS_INVALID");
    assert_eq!(validate_channel_definitions(&[(1, Role::Clinician), (1, Role::Patient)]).unwrap_err().code(), "SETTINGS_INVALID");
    assert!(validate_channel_definitions(&[(1, Role::Patient), (0, Role::Clinician)]).is_ok());
    // Degenerate input is no speech, not a failure.
    assert!(diarize(&[], &segs, 2).unwrap().iter().all(|t| t.speaker == 0));
    assert!(diarize(&a.channels[0], &[], 2).unwrap().is_empty());
}

/// Options for the mixed-channel runs: white noise (dBFS) added to the audio, and recognizer segments
/// merged into one so that every speaker change must be found from the audio.
#[derive(Default, Clone, Copy)]
struct Stress {
    noise_db: Option<f32>,
    one_segment: bool,
}

fn mixed(audio_rel: &str, transcript_rel: &str, truth_rel: &str, max: usize) -> (Vec<Turn>, RoleAssignment, f64) {
    mixed_with(audio_rel, transcript_rel, truth_rel, max, Stress::default())
}

fn mixed_with(audio_rel: &str, transcript_rel: &str, truth_rel: &str, max: usize, stress: Stress) -> (Vec<Turn>, RoleAssignment, f64) {
    let mut samples = audio(audio_rel).mono().into_owned();
    if let Some(db) = stress.noise_db {
        // Uniform noise from a fixed linear congruential sequence; its RMS is amplitude / sqrt(3).
        let amplitude = 10f32.powf(db / 20.0) * 3f32.sqrt();
        let mut state = 12345u32;
        for x in &mut samples {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *x += amplitude * ((state >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0);
        }
    }
    let mut segs = segments(transcript_rel);
    if stress.one_segment {
        let words: Vec<Word> = segs.iter().flat_map(|s| s.words.clone()).collect();
        let (start, end) = (segs[0].start, segs[segs.len() - 1].end);
        segs = vec![AsrSegment { start, end, text: join_words(&words), words, avg_logprob: 0.0, no_speech_prob: 0.0 }];
    }
    let turns = diarize(&samples, &segs, max).unwrap();
    let roles = assign_roles(&turns, None);
    let acc = accuracy(&turns, &roles, &truth(truth_rel));
    (turns, roles, acc)
}

#[test]
fn mixed_channel_visit_is_split_by_voice() {
    let (turns, roles, acc) = mixed("visit_a/audio.wav", "speakers/visit_a.transcript.json", "visit_a/truth.json", 2);
    assert_eq!(speakers_found(&turns), 2);
    assert!(acc >= 0.95, "{acc}");
    assert_eq!(roles.roles[0], "CLINICIAN_0");
    // A recognizer segment holding the end of one speaker and the start of the other is split.
    assert!(turns.iter().all(|t| !t.text.is_empty()));
}

#[test]
fn three_voices_with_a_relative() {
    let (turns, roles, acc) =
        mixed("speakers/three_speakers.flac", "speakers/three_speakers.transcript.json", "speakers/three_speakers.truth.json", 4);
    assert_eq!(speakers_found(&turns), 3, "{roles:?}");
    assert!(acc >= 0.9, "{acc}");
    assert!(roles.roles.contains(&"PATIENT_1".to_string()), "{roles:?}");
}

#[test]
fn speaker_changes_are_found_inside_one_recognizer_segment() {
    let one = Stress { one_segment: true, ..Stress::default() };
    let (turns, _, acc) = mixed_with("visit_a/audio.wav", "speakers/visit_a.transcript.json", "visit_a/truth.json", 10, one);
    assert!(acc >= 0.9, "{acc}");
    assert!(turns.len() >= 3, "the single segment must be split at the speaker changes: {turns:?}");
    let (_, _, acc) = mixed_with("speakers/three_speakers.flac", "speakers/three_speakers.transcript.json", "speakers/three_speakers.truth.json", 10, one);
    assert!(acc >= 0.9, "{acc}");
}

#[test]
fn noise_does_not_merge_or_split_voices() {
    let noisy = Stress { noise_db: Some(-35.0), ..Stress::default() };
    let (turns, _, acc) = mixed_with("speakers/male_voices.flac", "speakers/male_voices.transcript.json", "speakers/male_voices.truth.json", 10, noisy);
    assert_eq!(speakers_found(&turns), 2);
    assert!(acc >= 0.9, "{acc}");
}

#[test]
fn two_male_voices() {
    // maxSpeakerLabels well above the truth: the stopping rule, not the cap, must find two.
    let (turns, _, acc) = mixed("speakers/male_voices.flac", "speakers/male_voices.transcript.json", "speakers/male_voices.truth.json", 10);
    assert_eq!(speakers_found(&turns), 2);
    assert!(acc >= 0.95, "{acc}");
}

#[test]
fn segments_without_word_times_are_judged_whole() {
    let a = audio("visit_a/audio.wav");
    let mut segs = segments("speakers/visit_a.transcript.json");
    segs.iter_mut().for_each(|s| s.words.clear());
    let turns = diarize(&a.channels[0], &segs, 4).unwrap();
    assert_eq!(turns.len(), segs.len());
    assert!(turns.iter().zip(&segs).all(|(t, s)| t.text == s.text.trim() && t.start == s.start));
    // Segments 3-6 (9.5-22.6 s) are the patient's, the others the clinician's.
    let speakers: Vec<usize> = turns.iter().map(|t| t.speaker).collect();
    assert_eq!(speakers, vec![0, 0, 1, 1, 1, 1, 0, 0]);
}
