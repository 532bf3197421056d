//! File-system helpers for the native shells (CLI, tests, benchmarks): read the model files a manifest
//! lists from a folder, verify each against its sha256, and load a `Scribe`. Not part of the wasm build.

use std::path::Path;

use crate::error::{BedsideError, Result};
use crate::manifest::{verify, Manifest};
use crate::clinical::{Clinical, ClinicalBytes};
use crate::{ModelBytes, Scribe};

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| BedsideError::Io { path: path.display().to_string(), source })
}

pub fn read_manifest(models: &Path) -> Result<Manifest> {
    let bytes = read(&models.join("manifest.json")).map_err(|e| match e {
        // The default folder is relative (`models`), so running from elsewhere lands here.
        BedsideError::Io { path, source } if source.kind() == std::io::ErrorKind::NotFound => {
            BedsideError::model("manifest", format!("{path} not found: pass --models with the folder that holds manifest.json (the repository's models/)"))
        }
        other => other,
    })?;
    Manifest::parse(&String::from_utf8_lossy(&bytes))
}

/// Reads a model file named in the manifest and checks it is exactly the listed one.
pub fn model_file(models: &Path, manifest: &Manifest, id: &str) -> Result<Vec<u8>> {
    let file = manifest.file(id)?;
    let bytes = read(&models.join(&file.path)).map_err(|e| match e {
        BedsideError::Io { path, .. } => BedsideError::model(id, format!("{path} is missing: run `make models`")),
        other => other,
    })?;
    verify(file, &bytes)?;
    Ok(bytes)
}

/// The model files of a speech model (default: the manifest's) plus the VAD.
pub fn model_bytes(models: &Path, asr: Option<&str>) -> Result<ModelBytes> {
    let manifest = read_manifest(models)?;
    let name = asr.unwrap_or(&manifest.defaults.asr).to_string();
    let m = manifest.asr(&name)?.clone();
    Ok(ModelBytes {
        asr_name: name,
        weights: model_file(models, &manifest, &m.weights)?,
        config: model_file(models, &manifest, &m.config)?,
        tokenizer: model_file(models, &manifest, &m.tokenizer)?,
        mel_filters: model_file(models, &manifest, &m.mel_filters)?,
        vad: Some(model_file(models, &manifest, &manifest.defaults.vad)?),
        clinical: clinical_bytes(models, &manifest)?,
        llm: None,
    })
}

/// A note-writing model by manifest name (`None`: the manifest's default; `Some("none")`: no model).
pub fn llm_bytes(models: &Path, name: Option<&str>) -> Result<Option<Vec<u8>>> {
    let manifest = read_manifest(models)?;
    manifest.llm(name)?.map(|id| model_file(models, &manifest, id)).transpose()
}

/// The sections and entity models the manifest names, if it names them.
pub fn clinical_bytes(models: &Path, manifest: &Manifest) -> Result<Option<ClinicalBytes>> {
    let Some(c) = &manifest.defaults.clinical else { return Ok(None) };
    Ok(Some(ClinicalBytes {
        embedder_weights: model_file(models, manifest, &c.embedder_weights)?,
        embedder_config: model_file(models, manifest, &c.embedder_config)?,
        embedder_tokenizer: model_file(models, manifest, &c.embedder_tokenizer)?,
        sections: model_file(models, manifest, &c.sections)?,
        lexicon: model_file(models, manifest, &c.lexicon)?,
    }))
}

pub fn load_clinical(models: &Path) -> Result<Option<Clinical>> {
    let manifest = read_manifest(models)?;
    clinical_bytes(models, &manifest)?.map(Clinical::load).transpose()
}

pub fn load_scribe(models: &Path, asr: Option<&str>) -> Result<Scribe> {
    Scribe::load(model_bytes(models, asr)?)
}
