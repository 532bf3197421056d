//! Recognition while recording, with the real tiny.en weights on a two-voice PriMock57 recording (see
//! tests/fixtures/ATTRIBUTION.md): words must appear before the recording ends, drafts of the speech
//! waiting within seconds, and the finished transcript must be as good as the same recording handed over
//! whole (and not changed at all by the drafts). Needs `make models`.

use std::path::PathBuf;

use bedside::eval::wer::word_error_rate;
use bedside::native::{load_scribe, read};
use bedside::schema::transcript::TranscriptFile;
use bedside::{audio, BedsideError, Scribe, Settings};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn reference(dir: &str) -> String {
    let v: Value = serde_json::from_slice(&read(&root().join("tests/fixtures").join(dir).join("truth.json")).unwrap()).unwrap();
    v["segments"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect::<Vec<_>>().join(" ")
}

fn text_of(t: &TranscriptFile) -> String {
    t.conversation.transcript_segments.iter().map(|s| s.content.as_str()).collect::<Vec<_>>().join(" ")
}

fn settings() -> Settings {
    Settings { note: None, ..Settings::default() }
}

/// What a live recording gave: the finished visit, the lines heard while recording (with how much audio
/// had been pushed when the first came), and each draft made (audio pushed by then, its lines).
struct Recorded {
    visit: bedside::Visit,
    heard: String,
    first_words_at: Option<f64>,
    drafts: Vec<(f64, Vec<bedside::Heard>)>,
}

/// Pushes `recording` half a second at a time, as a microphone hands it over; recognition keeps up
/// between pieces, and with `drafts` the speech waiting is drafted whenever recognition has nothing to do.
fn record(scribe: &Scribe, recording: &audio::Audio, drafts: bool) -> Recorded {
    let rate = recording.sample_rate_hz;
    let mut live = scribe.begin_live(rate, recording.channels.len(), &settings()).unwrap();
    let piece = rate as usize / 2;
    let (mut heard, mut first_words_at, mut drafted) = (String::new(), None, Vec::new());
    for start in (0..recording.frames()).step_by(piece) {
        let end = (start + piece).min(recording.frames());
        let pushed = end as f64 / f64::from(rate);
        let channels: Vec<&[f32]> = recording.channels.iter().map(|c| &c[start..end]).collect();
        live.push(&channels).unwrap();
        while live.step(scribe).unwrap().is_some() {}
        for h in live.take_heard(scribe).unwrap() {
            first_words_at.get_or_insert(pushed);
            assert!(h.end_audio_time <= pushed + 0.5, "words from audio already pushed: {h:?}");
            heard.push_str(&h.text);
            heard.push(' ');
        }
        if drafts && live.draft(scribe).unwrap() {
            drafted.push((pushed, live.drafts(scribe).unwrap()));
        }
    }
    live.end().unwrap();
    assert!(!live.draft(scribe).unwrap(), "no draft once the recording has ended");
    while live.step(scribe).unwrap().is_some() {}
    assert!(live.is_done());
    heard.extend(live.take_heard(scribe).unwrap().into_iter().map(|h| h.text + " "));
    assert!(matches!(live.push(&[&[0.0f32; 10][..]]), Err(BedsideError::Settings { .. })), "no audio after the end");
    let visit = live.finish(scribe, &mut |_| true).unwrap();
    Recorded { visit, heard, first_words_at, drafts: drafted }
}

#[test]
fn words_and_drafts_appear_while_recording_and_the_transcript_matches_a_whole_recording() {
    let scribe: Scribe = load_scribe(&root().join("models"), None).expect("models load (run `make models` first)");
    let bytes = read(&root().join("tests/fixtures/long_120s/audio.flac")).unwrap();
    let recording = audio::decode(&bytes).unwrap();
    let seconds = recording.duration_seconds();

    let Recorded { visit, heard, first_words_at, .. } = record(&scribe, &recording, false);
    let first = first_words_at.expect("words heard before the recording ended");
    assert!(first < 45.0, "first words after {first:.1} s of a {seconds:.0}-s recording");
    let whole = scribe.process(recording.clone(), &settings(), &mut |_| true).unwrap();
    let truth = reference("long_120s");
    let (live_wer, whole_wer) = (word_error_rate(&truth, &text_of(&visit.transcript)), word_error_rate(&truth, &text_of(&whole.transcript)));
    eprintln!("live: {live_wer} (first words at {first:.1} s); whole recording: {whole_wer}");
    assert!(live_wer.wer() <= whole_wer.wer() + 0.03, "live WER {:.3} against {:.3} for the whole recording", live_wer.wer(), whole_wer.wer());
    // What was shown while recording is what the transcript holds (before speaker turns regroup it).
    assert!(word_error_rate(&heard, &text_of(&visit.transcript)).wer() < 0.02, "heard text and transcript differ");
    let segments = &visit.transcript.conversation.transcript_segments;
    assert!(segments.windows(2).all(|w| w[1].begin_audio_time >= w[0].begin_audio_time - 0.5), "segments in time order");
    assert!(segments.last().unwrap().end_audio_time <= seconds + 0.5);

    let drafted = record(&scribe, &recording, true);
    // Drafts never feed the recognition that counts: the same words, times and turns, to the last one.
    assert_eq!(drafted.visit.transcript, visit.transcript, "a draft changed the transcript");
    assert_eq!(drafted.heard, heard);

    let first_draft = drafted.drafts.iter().find(|(_, lines)| !lines.is_empty()).map(|(at, _)| *at).expect("drafts while recording");
    assert!(first_draft <= 8.0, "first draft after {first_draft:.1} s of audio (the first window's words after {first:.1} s)");
    for (at, lines) in &drafted.drafts {
        assert!(lines.windows(2).all(|w| w[0].begin_audio_time <= w[1].begin_audio_time), "drafts in time order");
        assert!(lines.iter().all(|h| h.end_audio_time <= at + 0.5), "a draft of audio not yet pushed: {lines:?}");
    }
    // A draft says what the window later says of the same stretch, give or take a greedy reading's errors
    // and a word cut at either end: each draft of 10 s or more against the transcript over its time.
    let mut errors = Vec::new();
    for (_, lines) in &drafted.drafts {
        let (Some(begin), Some(last)) = (lines.first(), lines.last()) else { continue };
        if last.end_audio_time - begin.begin_audio_time < 10.0 {
            continue;
        }
        let draft: String = lines.iter().map(|h| h.text.as_str()).collect::<Vec<_>>().join(" ");
        let said: String = segments
            .iter()
            .filter(|s| s.end_audio_time > begin.begin_audio_time + 0.5 && s.begin_audio_time < last.end_audio_time - 0.5)
            .map(|s| s.content.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        errors.push(word_error_rate(&said, &draft).wer());
    }
    let mean = errors.iter().sum::<f64>() / errors.len().max(1) as f64;
    assert!(errors.len() >= 5, "only {} drafts of 10 s or more", errors.len());
    assert!(mean < 0.25, "drafts against the transcript over their time: mean WER {mean:.2} ({errors:.2?})");
    eprintln!("drafts: {} made, first after {first_draft:.1} s of audio (first window's words after {first:.1} s); mean WER against the transcript {mean:.3}", drafted.drafts.len());
}

#[test]
fn bad_live_input_is_refused_with_a_typed_error() {
    let scribe: Scribe = load_scribe(&root().join("models"), None).expect("models load (run `make models` first)");
    let mut live = scribe.begin_live(16_000, 2, &settings()).unwrap();
    assert!(matches!(live.push(&[&[0.0f32; 100][..]]), Err(BedsideError::Audio { .. })), "one channel of two");
    assert!(matches!(live.push(&[&[0.0f32; 100][..], &[0.0f32; 99][..]]), Err(BedsideError::Audio { .. })), "uneven channels");
    assert!(matches!(live.push(&[&[f32::NAN; 4][..], &[0.0f32; 4][..]]), Err(BedsideError::Audio { .. })), "not a number");
    let mut empty = scribe.begin_live(16_000, 1, &settings()).unwrap();
    assert!(matches!(empty.end(), Err(BedsideError::EmptyAudio { .. })));
    assert!(matches!(scribe.begin_live(0, 1, &settings()), Err(BedsideError::Audio { .. })), "a zero sample rate");
    let telehealth = Settings { speakers: bedside::speaker_mode(Some(vec![(0, "CLINICIAN".into()), (1, "PATIENT".into())]), None).unwrap(), ..settings() };
    assert!(matches!(scribe.begin_live(16_000, 1, &telehealth), Err(BedsideError::Settings { .. })), "channels need two channels");
    // Silence only: the visit still finishes, with the warning a whole recording gets.
    let mut quiet = scribe.begin_live(16_000, 1, &settings()).unwrap();
    quiet.push(&[&vec![0.0f32; 16_000 * 40][..]]).unwrap();
    let visit = quiet.finish(&scribe, &mut |_| true).unwrap();
    assert!(visit.transcript.conversation.transcript_segments.is_empty());
}

#[test]
fn a_long_silence_is_not_waited_through() {
    // A few words, then a minute of silence with the recording still going: less speech than a window
    // waits, but the words must still come before the recording ends.
    let scribe: Scribe = load_scribe(&root().join("models"), None).expect("models load (run `make models` first)");
    let bytes = read(&root().join("tests/fixtures/visit_a/audio.wav")).unwrap();
    let recording = audio::decode(&bytes).unwrap();
    let rate = recording.sample_rate_hz as usize;
    let mut live = scribe.begin_live(rate as u32, 1, &settings()).unwrap();
    live.push(&[&recording.channels[0][..9 * rate]]).unwrap(); // "...how can I help you this morning?"
    let silence = vec![0.0f32; rate];
    let mut heard = String::new();
    for second in 0..65 {
        live.push(&[&silence[..]]).unwrap();
        while live.step(&scribe).unwrap().is_some() {}
        heard.extend(live.take_heard(&scribe).unwrap().into_iter().map(|h| h.text + " "));
        if !heard.is_empty() {
            assert!(second >= 45, "words came after {second} s of silence, before a minute of audio waited");
            break;
        }
    }
    assert!(heard.to_lowercase().contains("morning"), "heard before the end: {heard:?}");
    assert!(!live.has_ended());
}
