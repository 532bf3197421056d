//! Speaker turns and roles for a recording whose words are already recognized, with timing and (given a
//! truth file) the share of words attributed to the right role.
//!
//!     cargo run --release --example diarize -- AUDIO TRANSCRIPT.json [--max N] [--one-segment] [--repeat N] [--truth truth.json]
//!     cargo run --release --example diarize -- STEREO_AUDIO --channels CH0.json CH1.json [--truth truth.json]
//!
//! `--one-segment` first merges all recognizer segments into one, so that every speaker change has to be
//! found from the audio (a stress test of change detection).
//!
//! TRANSCRIPT.json is what `bedside process` writes (its items carry the word times). With `--channels`
//! the audio's channels are read as channel 0 = clinician, 1 = patient (channel identification), and
//! each JSON is the recognition of one channel. Prints one line per turn, then the figures.

use bedside::schema::transcript::TranscriptFile;
use bedside::speakers::{self, truth, Role};
use std::process::ExitCode;
use std::time::Instant;

fn read_transcript(path: &str) -> Result<Vec<bedside::asr::AsrSegment>, String> {
    let raw = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let file: TranscriptFile = serde_json::from_slice(&raw).map_err(|e| format!("{path}: {e}"))?;
    speakers::segments_from_transcript(&file).map_err(|e| e.to_string())
}

fn run(args: &[String]) -> Result<(), String> {
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let audio_path = args.first().ok_or("usage: diarize AUDIO (TRANSCRIPT.json | --channels CH0.json CH1.json) [--max N] [--truth FILE]")?;
    let bytes = std::fs::read(audio_path).map_err(|e| format!("{audio_path}: {e}"))?;
    let audio = bedside::audio::prepare(&bytes).map_err(|e| e.to_string())?;
    let mut seconds = audio.duration_seconds();
    let mut started = Instant::now();
    let (turns, mut warnings, fixed) = if let Some(i) = args.iter().position(|a| a == "--channels") {
        let paths = args.get(i + 1..i + 3).ok_or("--channels needs two transcripts")?;
        let per_channel: Vec<(u32, Vec<_>)> =
            paths.iter().enumerate().map(|(c, p)| Ok((c as u32, read_transcript(p)?))).collect::<Result<_, String>>()?;
        if audio.channels.len() != 2 {
            return Err(format!("{audio_path} has {} channels, --channels needs 2", audio.channels.len()));
        }
        let (turns, warnings) = speakers::turns_from_channels(&audio.channels, &per_channel).map_err(|e| e.to_string())?;
        (turns, warnings, Some(vec![(0, Role::Clinician), (1, Role::Patient)]))
    } else {
        let path = args.get(1).ok_or("missing TRANSCRIPT.json")?;
        let mut segments = read_transcript(path)?;
        if args.iter().any(|a| a == "--one-segment") {
            // Stress test for change detection: as if the recognizer had never cut at a speaker change.
            let words: Vec<_> = segments.iter().flat_map(|s| s.words.clone()).collect();
            let text = speakers::join_words(&words);
            let (start, end) = (segments.first().map_or(0.0, |s| s.start), segments.last().map_or(0.0, |s| s.end));
            segments = vec![bedside::asr::AsrSegment { start, end, text, words, avg_logprob: 0.0, no_speech_prob: 0.0 }];
        }
        // `--repeat N`: the recording and its words N times over, to measure how the cost grows.
        let repeat: usize = value("--repeat").map_or(Ok(1), |v| v.parse()).map_err(|e| format!("--repeat: {e}"))?;
        if repeat > 1 {
            let one = segments.clone();
            for k in 1..repeat {
                let shift = k as f64 * seconds;
                segments.extend(one.iter().map(|s| {
                    let mut s = s.clone();
                    (s.start, s.end) = (s.start + shift, s.end + shift);
                    s.words.iter_mut().for_each(|w| (w.start, w.end) = (w.start + shift, w.end + shift));
                    s
                }));
            }
        }
        let max: usize = value("--max").map_or(Ok(2), |v| v.parse()).map_err(|e| format!("--max: {e}"))?;
        let mono: Vec<f32> = audio.mono().repeat(repeat);
        seconds *= repeat as f64;
        started = Instant::now();
        (speakers::diarize(&mono, &segments, max).map_err(|e| e.to_string())?, Vec::new(), None)
    };
    let diarize_s = started.elapsed().as_secs_f64();
    let roles = speakers::assign_roles(&turns, fixed.as_deref());
    warnings.extend(roles.warnings.iter().cloned());
    for t in &turns {
        let role = roles.roles.get(t.speaker).map_or("?", String::as_str);
        println!("{:7.2} {:7.2}  {:<12} {}", t.start, t.end, role, t.text);
    }
    println!();
    for (s, (r, c)) in roles.roles.iter().zip(&roles.confidence).enumerate() {
        println!("speaker {s}: {r} (confidence {c:.2})");
    }
    for w in &warnings {
        println!("warning: {w}");
    }
    println!(
        "{} turns; speaker stage took {:.3} s for {:.1} s of audio ({:.3} s per minute of audio)",
        turns.len(),
        diarize_s,
        seconds,
        diarize_s / seconds * 60.0
    );
    if let Some(path) = value("--truth") {
        let raw = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
        let truth: truth::Truth = serde_json::from_slice(&raw).map_err(|e| format!("{path}: {e}"))?;
        let (total, right) = truth::role_accuracy(&turns, &roles.roles, &truth);
        println!("words attributed to the right role: {right}/{total} = {:.1} %", 100.0 * right as f64 / total.max(1) as f64);
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
