//! Evaluation helpers: word error rate and reading reference/hypothesis transcripts.

pub mod insights;
pub mod rouge;
pub mod sections;
pub mod wer;

pub use wer::{normalize_english, word_error_rate, WerResult};

/// The plain text of a transcript JSON document, for scoring:
///
/// - a `truth.json` from the fixture tool or a faster-whisper-style result: `segments[].text` joined
///   by spaces (a top-level `"text"` string is used when there are no segments);
/// - a HealthScribe-shaped transcript: `Conversation.TranscriptSegments[].Content` joined by spaces.
///
/// Returns `None` when none of these is present.
pub fn transcript_text(doc: &serde_json::Value) -> Option<String> {
    let join = |arr: &Vec<serde_json::Value>, key: &str| -> String {
        arr.iter()
            .filter_map(|s| s.get(key).and_then(|t| t.as_str()))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    if let Some(segs) = doc.get("segments").and_then(|s| s.as_array()) {
        return Some(join(segs, "text"));
    }
    if let Some(segs) = doc
        .get("Conversation")
        .and_then(|c| c.get("TranscriptSegments"))
        .and_then(|s| s.as_array())
    {
        return Some(join(segs, "Content"));
    }
    doc.get("text")
        .and_then(|t| t.as_str())
        .map(|t| t.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_truth_and_healthscribe_shapes() {
        let truth =
            serde_json::json!({"segments": [{"text": "Hello. "}, {"text": "How are you?"}]});
        assert_eq!(transcript_text(&truth).unwrap(), "Hello. How are you?");
        let hs = serde_json::json!({"Conversation": {"TranscriptSegments": [{"Content": "Hi"}, {"Content": "there"}]}});
        assert_eq!(transcript_text(&hs).unwrap(), "Hi there");
        let plain = serde_json::json!({"text": " just text "});
        assert_eq!(transcript_text(&plain).unwrap(), "just text");
        assert!(transcript_text(&serde_json::json!({})).is_none());
    }

    #[test]
    fn fixture_truth_files_parse() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        for v in ["visit_a", "visit_b", "visit_a_stereo", "long_120s"] {
            let path = format!("{dir}/{v}/truth.json");
            let Ok(s) = std::fs::read_to_string(&path) else {
                continue;
            };
            let doc: serde_json::Value = serde_json::from_str(&s).unwrap();
            let text = transcript_text(&doc).unwrap();
            assert!(word_error_rate(&text, &text).reference_words > 20, "{path}");
        }
    }
}
