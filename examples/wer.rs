//! Word error rate of a hypothesis transcript against a reference, using `bedside::eval::wer`.
//!
//!     cargo run --release --example wer -- tests/fixtures/visit_a/truth.json hyp.txt
//!
//! Each argument may be a plain-text file or a JSON transcript: a fixture `truth.json` or a
//! faster-whisper-style result (`segments[].text` joined by spaces), a HealthScribe transcript
//! (`Conversation.TranscriptSegments[].Content`), or an object with a `"text"` field.
//! Prints the WER and its counts; with `--show` also prints both normalized texts.

use bedside::eval::{normalize_english, transcript_text, word_error_rate};
use std::process::ExitCode;

fn load(path: &str) -> Result<String, String> {
    let raw = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    if path.ends_with(".json") {
        let doc: serde_json::Value =
            serde_json::from_str(&raw).map_err(|e| format!("{path}: {e}"))?;
        return transcript_text(&doc).ok_or_else(|| format!("{path}: no segments or text found"));
    }
    Ok(raw)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show = args.iter().any(|a| a == "--show");
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if files.len() != 2 {
        eprintln!("usage: wer [--show] REFERENCE(.json|.txt) HYPOTHESIS(.json|.txt)");
        return ExitCode::from(2);
    }
    let (reference, hypothesis) = match (load(files[0]), load(files[1])) {
        (Ok(r), Ok(h)) => (r, h),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let r = word_error_rate(&reference, &hypothesis);
    if show {
        println!("REF: {}", normalize_english(&reference));
        println!("HYP: {}", normalize_english(&hypothesis));
    }
    println!("{r}");
    ExitCode::SUCCESS
}
