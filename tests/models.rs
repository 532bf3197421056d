//! Model files that are not what the manifest says are refused with a clear error, never a panic.

use std::path::PathBuf;

use bedside::manifest::verify;
use bedside::native::{model_bytes, read_manifest};
use bedside::{ModelBytes, Scribe};

fn models() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models")
}

fn good() -> ModelBytes {
    model_bytes(&models(), None).expect("run `make models` first")
}

#[test]
fn manifest_checks_catch_wrong_and_truncated_files() {
    let manifest = read_manifest(&models()).unwrap();
    let file = manifest.file("whisper-tiny.en-q8_0").unwrap();
    let mut bytes = good().weights;
    assert!(verify(file, &bytes).is_ok());
    bytes[1000] ^= 0xff;
    assert_eq!(verify(file, &bytes).err().map(|e| e.code()), Some("MODEL_CHECKSUM"));
    assert_eq!(verify(file, &bytes[..bytes.len() / 2]).err().map(|e| e.code()), Some("MODEL_INVALID"));
}

#[test]
fn the_loader_refuses_files_that_are_not_whisper() {
    let mut m = good();
    // A valid tensor file of another model (the VAD) given as the recognizer's weights.
    m.weights = m.vad.clone().unwrap();
    let err = Scribe::load(m).err().expect("refused");
    assert_eq!(err.code(), "MODEL_INVALID");
    assert!(err.to_string().contains("not a Whisper checkpoint"), "{err}");

    let mut m = good();
    let half = m.weights.len() / 2;
    m.weights.truncate(half);
    assert_eq!(Scribe::load(m).err().map(|e| e.code()), Some("MODEL_INVALID"));

    let mut m = good();
    m.tokenizer = b"{ not json".to_vec();
    assert_eq!(Scribe::load(m).err().map(|e| e.code()), Some("MODEL_INVALID"));

    let mut m = good();
    m.mel_filters.truncate(100);
    assert_eq!(Scribe::load(m).err().map(|e| e.code()), Some("MODEL_INVALID"));
}

#[test]
fn base_model_loads_and_reads_a_clip() {
    let scribe = bedside::native::load_scribe(&models(), Some("base")).unwrap();
    let bytes = std::fs::read(models().parent().unwrap().join("tests/fixtures/visit_b/audio.wav")).unwrap();
    let visit = scribe.process_bytes(&bytes, &bedside::Settings::default(), &mut |_| true).unwrap();
    let text = visit.transcript.conversation.transcript_segments.iter().map(|s| s.content.to_lowercase()).collect::<String>();
    assert!(text.contains("date of birth"), "{text}");
}

#[test]
fn hub_style_safetensors_checkpoint_transcribes_like_the_gguf() {
    // Float16 safetensors in the Hugging Face layout, as an integrator might host from the hub.
    let models = models();
    let scribe = bedside::native::load_scribe(&models, Some("tiny.en-f16")).unwrap();
    let bytes = std::fs::read(models.parent().unwrap().join("tests/fixtures/visit_a/audio.wav")).unwrap();
    let visit = scribe.process_bytes(&bytes, &bedside::Settings::default(), &mut |_| true).unwrap();
    let text: Vec<String> = visit.transcript.conversation.transcript_segments.iter().map(|s| s.content.clone()).collect();
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(models.parent().unwrap().join("tests/fixtures/visit_a/truth.json")).unwrap()).unwrap();
    let reference: Vec<&str> = truth["segments"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
    let w = bedside::eval::wer::word_error_rate(&reference.join(" "), &text.join(" "));
    assert!(w.wer() < 0.15, "{w}");
}
