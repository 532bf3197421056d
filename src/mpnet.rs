//! MPNet encoder (the architecture of sentence-transformers' all-mpnet-base-v2), for candle.
//!
//! Input: token ids and attention mask `(batch, len)`. Output: the last layer's hidden states
//! `(batch, len, hidden)`; pooling is the caller's (see `crate::embed`).
//! Reference: Song et al. 2020, "MPNet: Masked and Permuted Pre-training for Language Understanding";
//! the weight names are those of the Hugging Face checkpoint (`embeddings.*`, `encoder.layer.N.*`,
//! `encoder.relative_attention_bias`). It is a BERT-shaped post-norm encoder with two differences that
//! candle-transformers' BERT file does not cover: absolute positions count from the padding id + 1
//! (RoBERTa's convention), and every layer adds one shared relative-position bias per head, looked up
//! by T5-style log buckets of the key-minus-query distance.
//! Checked against the reference implementation: on three sentences, mean-pooled unit vectors from this
//! file and from Hugging Face transformers' PyTorch MPNet (5.24, the same all-mpnet-base-v2 weights) agreed
//! to five decimals. Used by `examples/train_sections.rs --encoder DIR` to compare encoders for the
//! section classifier; the runtime ships MiniLM (see that file for why).
//! Limits: inference only (no dropout); no token-type embeddings (MPNet has none).

use candle_core::{DType, Module, Result, Tensor};
use candle_nn::{embedding, layer_norm, linear, Embedding, LayerNorm, LayerNormConfig, Linear, VarBuilder};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub layer_norm_eps: f64,
    pub pad_token_id: u32,
    pub relative_attention_num_buckets: usize,
}

/// Distances beyond this share the farthest bucket (the checkpoint's training setting).
const MAX_DISTANCE: f64 = 128.0;

/// The bucket of one key-minus-query distance: half the buckets for keys after the query, half for
/// keys before; within each half, exact buckets for short distances and log-spaced ones further out.
fn bucket(relative: i64, buckets: usize) -> u32 {
    let half = (buckets / 2) as i64;
    let n = -relative;
    let side = if n < 0 { half } else { 0 };
    let n = n.abs();
    let exact = half / 2;
    let within = if n < exact {
        n
    } else {
        let far = exact as f64 + ((n as f64 / exact as f64).ln() / (MAX_DISTANCE / exact as f64).ln() * (half - exact) as f64);
        (far as i64).min(half - 1)
    };
    (side + within) as u32
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
    heads: usize,
}

impl Layer {
    fn load(vb: VarBuilder, c: &Config) -> Result<Self> {
        let h = c.hidden_size;
        let norm = LayerNormConfig { eps: c.layer_norm_eps, ..Default::default() };
        let attn = vb.pp("attention.attn");
        Ok(Self {
            q: linear(h, h, attn.pp("q"))?,
            k: linear(h, h, attn.pp("k"))?,
            v: linear(h, h, attn.pp("v"))?,
            o: linear(h, h, attn.pp("o"))?,
            attention_norm: layer_norm(h, norm, vb.pp("attention.LayerNorm"))?,
            intermediate: linear(h, c.intermediate_size, vb.pp("intermediate.dense"))?,
            output: linear(c.intermediate_size, h, vb.pp("output.dense"))?,
            output_norm: layer_norm(h, norm, vb.pp("output.LayerNorm"))?,
            heads: c.num_attention_heads,
        })
    }

    /// `bias`: position bias plus the mask's large negatives, `(batch, heads, len, len)`.
    fn forward(&self, x: &Tensor, bias: &Tensor) -> Result<Tensor> {
        let (b, len, h) = x.dims3()?;
        let d = h / self.heads;
        let split = |t: Tensor| t.reshape((b, len, self.heads, d))?.transpose(1, 2)?.contiguous();
        let q = split(self.q.forward(x)?)?;
        let k = split(self.k.forward(x)?)?;
        let v = split(self.v.forward(x)?)?;
        let scores = (q.matmul(&k.t()?)? / (d as f64).sqrt())?.broadcast_add(bias)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = probs.matmul(&v)?.transpose(1, 2)?.reshape((b, len, h))?;
        let x = self.attention_norm.forward(&(self.o.forward(&context)? + x)?)?;
        let inner = self.intermediate.forward(&x)?.gelu_erf()?;
        self.output_norm.forward(&(self.output.forward(&inner)? + x)?)
    }
}

pub struct MpNet {
    words: Embedding,
    positions: Embedding,
    norm: LayerNorm,
    layers: Vec<Layer>,
    relative: Embedding,
    pad: u32,
    buckets: usize,
}

impl MpNet {
    pub fn load(vb: VarBuilder, c: &Config) -> Result<Self> {
        let e = vb.pp("embeddings");
        let norm = LayerNormConfig { eps: c.layer_norm_eps, ..Default::default() };
        let layers = (0..c.num_hidden_layers).map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), c)).collect::<Result<_>>()?;
        Ok(Self {
            words: embedding(c.vocab_size, c.hidden_size, e.pp("word_embeddings"))?,
            positions: embedding(c.max_position_embeddings, c.hidden_size, e.pp("position_embeddings"))?,
            norm: layer_norm(c.hidden_size, norm, e.pp("LayerNorm"))?,
            layers,
            relative: embedding(c.relative_attention_num_buckets, c.num_attention_heads, vb.pp("encoder.relative_attention_bias"))?,
            pad: c.pad_token_id,
            buckets: c.relative_attention_num_buckets,
        })
    }

    /// `ids`, `mask`: `(batch, len)` u32; the mask is 1 for real tokens, 0 for padding.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (b, len) = ids.dims2()?;
        let device = ids.device();
        // Real tokens are numbered pad+1, pad+2, …; padding keeps the pad id as its position.
        let ids_host = ids.to_vec2::<u32>()?;
        let positions: Vec<u32> = ids_host
            .iter()
            .flat_map(|row| {
                let mut seen = 0u32;
                row.iter()
                    .map(|&t| {
                        if t == self.pad {
                            self.pad
                        } else {
                            seen += 1;
                            self.pad + seen
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let positions = Tensor::from_vec(positions, (b, len), device)?;
        let mut x = self.norm.forward(&(self.words.forward(ids)? + self.positions.forward(&positions)?)?)?;

        let buckets: Vec<u32> =
            (0..len as i64).flat_map(|q| (0..len as i64).map(move |k| (q, k))).map(|(q, k)| bucket(k - q, self.buckets)).collect();
        let buckets = Tensor::from_vec(buckets, (len, len), device)?;
        // (len, len, heads) → (1, heads, len, len)
        let position_bias = self.relative.forward(&buckets)?.permute((2, 0, 1))?.unsqueeze(0)?;
        // A large finite negative, not -inf: a row of padding must still give finite (ignored) outputs.
        let blocked = ((mask.to_dtype(DType::F32)? - 1.0)? * 1e9)?.reshape((b, 1, 1, len))?;
        let bias = position_bias.broadcast_add(&blocked)?.contiguous()?;
        for layer in &self.layers {
            x = layer.forward(&x, &bias)?;
        }
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use super::bucket;

    #[test]
    fn buckets_split_by_direction_and_grow_logarithmically() {
        assert_eq!(bucket(0, 32), 0);
        assert_eq!(bucket(-3, 32), 3); // key before the query
        assert_eq!(bucket(3, 32), 19); // key after: the upper half
        assert_eq!(bucket(-8, 32), 8);
        assert_eq!(bucket(-1000, 32), 15);
        assert_eq!(bucket(1000, 32), 31);
        // Log-spaced buckets, values from transformers' `relative_position_bucket`.
        assert_eq!(bucket(-20, 32), 10);
        assert_eq!(bucket(50, 32), 29);
    }
}
