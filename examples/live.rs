//! Recognition while recording, measured against the same recording handed over whole, in one run:
//! how long after a word is said it is shown, how far behind the recording recognition is when it stops,
//! and the word error rate of both transcripts.
//!
//!     cargo run --release --example live -- [DIR]   # DIR: a fixture with audio.{flac,wav} and truth.json
//!
//! The audio is pushed in half-second pieces as fast as recognition takes them, so the figures are what
//! a recording played at the speed this machine keeps up with would see; recognition runs at about a
//! tenth of real time natively (a third in wasm), so a real microphone is never waited for longer.

use std::path::PathBuf;
use std::time::Instant;

use bedside::eval::wer::word_error_rate;
use bedside::native::{load_scribe, read};
use bedside::{audio, Settings};
use serde_json::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| root.join("tests/fixtures/long_120s"));
    let audio_path = ["audio.flac", "audio.wav"].iter().map(|f| dir.join(f)).find(|p| p.exists()).ok_or("no audio.flac or audio.wav")?;
    let truth: Value = serde_json::from_slice(&read(&dir.join("truth.json"))?)?;
    let reference = truth["segments"].as_array().ok_or("truth.json has no segments")?.iter().filter_map(|s| s["text"].as_str()).collect::<Vec<_>>().join(" ");
    let scribe = load_scribe(&root.join("models"), None)?;
    let recording = audio::decode(&read(&audio_path)?)?;
    let (rate, frames) = (recording.sample_rate_hz as usize, recording.frames());
    let settings = Settings { note: None, ..Settings::default() };

    // Live: after each piece, recognise whatever windows wait; note when each segment is shown.
    let t0 = Instant::now();
    let mut live = scribe.begin_live(rate as u32, recording.channels.len(), &settings)?;
    let mut delays = Vec::new(); // recording time when shown − end time of the segment's speech
    let mut last_pushed = 0.0;
    for start in (0..frames).step_by(rate / 2) {
        let end = (start + rate / 2).min(frames);
        live.push(&recording.channels.iter().map(|c| &c[start..end]).collect::<Vec<_>>())?;
        last_pushed = end as f64 / rate as f64;
        while live.step(&scribe)?.is_some() {}
        delays.extend(live.take_heard(&scribe)?.iter().map(|h| last_pushed - h.end_audio_time));
    }
    let t_recorded = t0.elapsed().as_secs_f64();
    live.end()?;
    let t_end = Instant::now();
    let visit = live.finish(&scribe, &mut |_| true)?;
    let after_end = t_end.elapsed().as_secs_f64();
    let live_total = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let whole = scribe.process(recording, &settings, &mut |_| true)?;
    let whole_total = t1.elapsed().as_secs_f64();

    let text = |t: &bedside::schema::transcript::TranscriptFile| {
        t.conversation.transcript_segments.iter().map(|s| s.content.as_str()).collect::<Vec<_>>().join(" ")
    };
    delays.sort_by(f64::total_cmp);
    let median = delays.get(delays.len() / 2).copied().unwrap_or(f64::NAN);
    println!("recording: {} ({last_pushed:.1} s), model {}, native, {} thread(s)", audio_path.display(), scribe.asr.name, candle_core::utils::get_num_threads());
    println!("{:<22}{:>10}{:>16}{:>10}", "run", "total s", "after end s", "WER %");
    println!("{:<22}{:>10.2}{:>16.2}{:>10.2}", "live (0.5-s pieces)", live_total, after_end, 100.0 * word_error_rate(&reference, &text(&visit.transcript)).wer());
    println!("{:<22}{:>10.2}{:>16.2}{:>10.2}", "whole recording", whole_total, whole_total, 100.0 * word_error_rate(&reference, &text(&whole.transcript)).wer());
    println!(
        "live: {} segments shown while recording, median {median:.1} s after their speech ended (max {:.1} s); pushing and recognising took {t_recorded:.1} s; after the end {:.2}x of the whole-recording wait",
        delays.len(),
        delays.last().copied().unwrap_or(f64::NAN),
        after_end / whole_total
    );
    Ok(())
}
