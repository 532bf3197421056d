//! Sentence embeddings: text → 384-dim unit vectors from all-MiniLM-L6-v2.
//!
//! Input: the model's `model.safetensors` (f32 or an f16 copy; both are computed in f32), its `config.json`
//! and `tokenizer.json`, all as bytes. Output: one L2-normalised vector per text, so a dot product is the
//! cosine similarity.
//! Reference: sentence-transformers' all-MiniLM-L6-v2 recipe (BERT encoder, mean pooling over the
//! attention mask, then L2 normalisation), run through candle-transformers' `models::bert`.
//! An MPNet folder (config `model_type: "mpnet"`, e.g. all-mpnet-base-v2) loads too, through
//! `crate::mpnet`, for comparing encoders offline; the section classifier is trained on MiniLM's vectors.
//! Limits: texts are cut at 256 word pieces (the model's training length); CPU only; texts are
//! batched by similar length so padding stays small.
//!
//! Vectors already computed are kept, keyed by a 64-bit hash of their text (the text itself is not kept):
//! after a reviewer corrects one line, sections are worked out again over the whole visit, and only the
//! corrected line needs the encoder.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::error::{BedsideError, Result};
use crate::mpnet::{self, MpNet};

/// Width of the embedding vectors.
pub const DIM: usize = 384;
/// all-MiniLM-L6-v2 was trained on sequences of at most 256 word pieces.
const MAX_TOKENS: usize = 256;
/// Texts per forward pass: large enough to amortise the matmuls, small enough to bound memory.
const BATCH: usize = 32;
/// Vectors kept (1.5 KB each): several long visits' lines. When full, the store starts again empty.
const KEPT: usize = 4096;

/// The encoders a sentence-transformers folder may hold, told apart by its config's `model_type`.
enum Encoder {
    Bert(BertModel),
    MpNet(MpNet),
}

pub struct Embedder {
    model: Encoder,
    tokenizer: Tokenizer,
    device: Device,
    kept: Mutex<HashMap<u64, Vec<f32>>>,
}

fn text_key(text: &str) -> u64 {
    let mut h = DefaultHasher::new(); // fixed keys: the same text gives the same key in every run
    text.hash(&mut h);
    h.finish()
}

impl Embedder {
    /// Loads the encoder from bytes; f16 weights are widened to f32 at load time.
    pub fn load(weights: &[u8], config: &[u8], tokenizer: &[u8]) -> Result<Self> {
        let bad = |what: &str, e: String| BedsideError::model("minilm", format!("{what}: {e}"));
        let kind: serde_json::Value = serde_json::from_slice(config).map_err(|e| bad("config.json", e.to_string()))?;
        let is_mpnet = kind.get("model_type").and_then(|t| t.as_str()) == Some("mpnet");
        let mut tokenizer = Tokenizer::from_bytes(tokenizer).map_err(|e| bad("tokenizer.json", e.to_string()))?;
        // The shipped tokenizer pads every text to 128; pad to the longest in the batch instead.
        tokenizer.with_padding(Some(PaddingParams { strategy: PaddingStrategy::BatchLongest, ..Default::default() }));
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: MAX_TOKENS, ..Default::default() }))
            .map_err(|e| bad("tokenizer.json", e.to_string()))?;
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(weights.to_vec(), DType::F32, &device)
            .map_err(|e| bad("model.safetensors", e.to_string()))?;
        let weights_err = |e: candle_core::Error| bad("model.safetensors", e.to_string());
        let model = if is_mpnet {
            let config: mpnet::Config = serde_json::from_value(kind).map_err(|e| bad("config.json", e.to_string()))?;
            Encoder::MpNet(MpNet::load(vb, &config).map_err(weights_err)?)
        } else {
            let config: Config = serde_json::from_value(kind).map_err(|e| bad("config.json", e.to_string()))?;
            Encoder::Bert(BertModel::load(vb, &config).map_err(weights_err)?)
        };
        Ok(Self { model, tokenizer, device, kept: Mutex::new(HashMap::new()) })
    }

    /// One unit vector per text, in the order given. Empty texts get the embedding of an empty sentence.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let keys: Vec<u64> = texts.iter().map(|t| text_key(t)).collect();
        let mut out = vec![Vec::new(); texts.len()];
        let mut order: Vec<usize> = Vec::new();
        {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            for (i, k) in keys.iter().enumerate() {
                match kept.get(k) {
                    Some(v) => out[i] = v.clone(),
                    None => order.push(i),
                }
            }
        }
        // Sort by length so each batch pads little; write results back in the caller's order.
        order.sort_by_key(|&i| texts[i].len());
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            for (slot, v) in chunk.iter().zip(self.embed_batch(&batch)?) {
                out[*slot] = v;
            }
        }
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() + order.len() > KEPT {
            kept.clear();
        }
        for &i in order.iter().take(KEPT) {
            kept.insert(keys[i], out[i].clone());
        }
        Ok(out)
    }

    /// How many computed vectors are stored for reuse.
    pub fn kept(&self) -> usize {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let enc = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| BedsideError::model("minilm", format!("tokenizer: {e}")))?;
        let rows = enc.len();
        let len = enc.first().map(|e| e.get_ids().len()).unwrap_or(0);
        let mut ids = Vec::with_capacity(rows * len);
        let mut mask = Vec::with_capacity(rows * len);
        for e in &enc {
            ids.extend(e.get_ids().iter().copied());
            mask.extend(e.get_attention_mask().iter().copied());
        }
        let run = |x: candle_core::Result<Vec<Vec<f32>>>| x.map_err(BedsideError::runtime("embed"));
        run((|| {
            let ids = Tensor::from_vec(ids, (rows, len), &self.device)?;
            let mask = Tensor::from_vec(mask, (rows, len), &self.device)?;
            let hidden = match &self.model {
                Encoder::Bert(m) => m.forward(&ids, &ids.zeros_like()?, Some(&mask))?,
                Encoder::MpNet(m) => m.forward(&ids, &mask)?,
            }; // (rows, len, dim)
            // Mean over real tokens only: padded positions are masked out of both sum and count.
            let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&m)?.sum(1)?;
            let count = m.sum(1)?.clamp(1e-9, f64::MAX)?;
            let mean = summed.broadcast_div(&count)?;
            let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
            mean.broadcast_div(&norm)?.to_vec2::<f32>()
        })())
    }
}

/// Cosine similarity of two unit vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
