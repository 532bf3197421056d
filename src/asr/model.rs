//! Whisper (encoder-decoder transformer) with a self-attention KV cache and optional capture of the
//! cross-attention weights that word timestamps are aligned with.
//!
//! Follows openai/whisper `model.py`; tensor names follow the Hugging Face layout, so the same code reads
//! our converted GGUF files, candle's quantized Whisper GGUF files and hub safetensors checkpoints.
//! Why not candle-transformers' Whisper: it recomputes the whole decoder prefix every token (no self-attention
//! cache) and does not expose attention weights.

use std::collections::HashMap;
use std::sync::Arc;

use candle_core::quantized::{gguf_file, QMatMul, QTensor};
use candle_core::{DType, Device, Module, Tensor, D};
use candle_nn::{Conv1d, Conv1dConfig, LayerNorm};
use serde::Deserialize;

use crate::error::{BedsideError, Result};

/// Hugging Face `config.json` fields we use (extra fields are ignored, so a hub config loads as is).
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub num_mel_bins: usize,
    pub d_model: usize,
    pub encoder_layers: usize,
    pub encoder_attention_heads: usize,
    pub decoder_layers: usize,
    pub decoder_attention_heads: usize,
    pub vocab_size: usize,
    pub max_source_positions: usize,
    pub max_target_positions: usize,
    #[serde(default)]
    pub suppress_tokens: Vec<u32>,
    #[serde(default)]
    pub begin_suppress_tokens: Vec<u32>,
    /// (decoder layer, head) pairs whose cross-attention follows the audio closely.
    #[serde(default)]
    pub alignment_heads: Vec<[usize; 2]>,
}

/// Tensors from either a GGUF (quantized) or a safetensors (float) file, read from bytes.
enum Store {
    Gguf(HashMap<String, Arc<QTensor>>),
    Float(HashMap<String, Tensor>),
}

struct Weights {
    store: Store,
    model: String,
}

impl Weights {
    fn from_bytes(bytes: &[u8], model: &str) -> Result<Self> {
        let bad = |why: String| BedsideError::model(model, why);
        let store = if bytes.starts_with(b"GGUF") {
            let mut reader = std::io::Cursor::new(bytes);
            let content = gguf_file::Content::read(&mut reader).map_err(|e| bad(format!("GGUF: {e}")))?;
            let mut map = HashMap::new();
            for name in content.tensor_infos.keys() {
                let t = content.tensor(&mut reader, name, &Device::Cpu).map_err(|e| bad(format!("{name}: {e}")))?;
                map.insert(name.clone(), Arc::new(t));
            }
            Store::Gguf(map)
        } else {
            let map = candle_core::safetensors::load_buffer(bytes, &Device::Cpu)
                .map_err(|e| bad(format!("neither GGUF nor safetensors ({e})")))?;
            Store::Float(map)
        };
        Ok(Self { store, model: model.to_string() })
    }

    fn missing(&self, name: &str) -> BedsideError {
        BedsideError::model(&self.model, format!("tensor `{name}` is missing: this is not a Whisper checkpoint in the expected layout"))
    }

    fn tensor(&self, name: &str) -> Result<Tensor> {
        let t = match &self.store {
            Store::Gguf(m) => m.get(name).ok_or_else(|| self.missing(name))?.dequantize(&Device::Cpu),
            Store::Float(m) => m.get(name).ok_or_else(|| self.missing(name))?.to_dtype(DType::F32),
        };
        t.map_err(|e| BedsideError::model(&self.model, format!("{name}: {e}")))
    }

    fn matmul(&self, name: &str) -> Result<QMatMul> {
        match &self.store {
            Store::Gguf(m) => {
                let q = m.get(name).ok_or_else(|| self.missing(name))?.clone();
                QMatMul::from_arc(q).map_err(|e| BedsideError::model(&self.model, format!("{name}: {e}")))
            }
            Store::Float(_) => Ok(QMatMul::Tensor(self.tensor(name)?)),
        }
    }

    fn check_shape(&self, name: &str, t: &Tensor, dims: &[usize]) -> Result<()> {
        if t.dims() != dims {
            return Err(BedsideError::model(&self.model, format!("{name} has shape {:?}, the config implies {dims:?}", t.dims())));
        }
        Ok(())
    }

    fn linear(&self, prefix: &str, bias: bool) -> Result<Linear> {
        let weight = self.matmul(&format!("{prefix}.weight"))?;
        let bias = if bias { Some(self.tensor(&format!("{prefix}.bias"))?) } else { None };
        Ok(Linear { weight, bias })
    }

    fn layer_norm(&self, prefix: &str) -> Result<LayerNorm> {
        Ok(LayerNorm::new(self.tensor(&format!("{prefix}.weight"))?, self.tensor(&format!("{prefix}.bias"))?, 1e-5))
    }
}

struct Linear {
    weight: QMatMul,
    bias: Option<Tensor>,
}

impl Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let y = self.weight.forward(x)?;
        match &self.bias {
            Some(b) => y.broadcast_add(b),
            None => Ok(y),
        }
    }
}

struct Attention {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    n_head: usize,
}

/// Splits (batch, time, state) into (batch, heads, time, head_dim).
fn heads(x: &Tensor, n_head: usize) -> candle_core::Result<Tensor> {
    let (b, t, c) = x.dims3()?;
    x.reshape((b, t, n_head, c / n_head))?.transpose(1, 2)?.contiguous()
}

fn merge_heads(x: &Tensor) -> candle_core::Result<Tensor> {
    let (b, h, t, d) = x.dims4()?;
    x.transpose(1, 2)?.reshape((b, t, h * d))
}

impl Attention {
    fn load(w: &Weights, prefix: &str, n_head: usize) -> Result<Self> {
        Ok(Self {
            q: w.linear(&format!("{prefix}.q_proj"), true)?,
            k: w.linear(&format!("{prefix}.k_proj"), false)?,
            v: w.linear(&format!("{prefix}.v_proj"), true)?,
            out: w.linear(&format!("{prefix}.out_proj"), true)?,
            n_head,
        })
    }

    /// Queries (batch, heads, time, head_dim), already scaled by 1/sqrt(head_dim).
    fn queries(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let q = heads(&self.q.forward(x)?, self.n_head)?;
        let scale = 1.0 / ((q.dim(D::Minus1)? as f64).sqrt());
        q * scale
    }

    fn keys_values(&self, x: &Tensor) -> candle_core::Result<(Tensor, Tensor)> {
        Ok((heads(&self.k.forward(x)?, self.n_head)?, heads(&self.v.forward(x)?, self.n_head)?))
    }
}

/// Scores of queries (b, h, t, d) against keys stored transposed, (kb, h, d, n) → (b, h, t, n).
/// Keys shared by all beams (kb = 1) are never copied per beam: the beams are folded into query rows.
fn scores(q: &Tensor, kt: &Tensor) -> candle_core::Result<Tensor> {
    let (b, h, t, d) = q.dims4()?;
    if kt.dim(0)? == b {
        return q.matmul(kt);
    }
    let folded = q.transpose(0, 1)?.contiguous()?.reshape((1, h, b * t, d))?;
    let s = folded.matmul(kt)?;
    let n = s.dim(3)?;
    s.reshape((h, b, t, n))?.transpose(0, 1)?.contiguous()
}

/// Attention weights (b, h, t, n) applied to values (vb, h, n, d) → (b, h, t, d), folding beams as above.
fn mix(w: &Tensor, v: &Tensor) -> candle_core::Result<Tensor> {
    let (b, h, t, n) = w.dims4()?;
    let w = w.contiguous()?;
    if v.dim(0)? == b {
        return w.matmul(v);
    }
    let folded = w.transpose(0, 1)?.contiguous()?.reshape((1, h, b * t, n))?;
    let out = folded.matmul(v)?;
    let d = out.dim(3)?;
    out.reshape((h, b, t, d))?.transpose(0, 1)?.contiguous()
}

struct Mlp {
    fc1: Linear,
    fc2: Linear,
}

impl Mlp {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.fc2.forward(&self.fc1.forward(x)?.gelu_erf()?)
    }
}

struct EncoderBlock {
    attn_ln: LayerNorm,
    attn: Attention,
    mlp_ln: LayerNorm,
    mlp: Mlp,
}

struct DecoderBlock {
    attn_ln: LayerNorm,
    attn: Attention,
    cross_ln: LayerNorm,
    cross: Attention,
    mlp_ln: LayerNorm,
    mlp: Mlp,
}

pub struct Encoder {
    conv1: Conv1d,
    conv2: Conv1d,
    positions: Tensor,
    blocks: Vec<EncoderBlock>,
    ln_post: LayerNorm,
}

pub struct Decoder {
    embed: Tensor,
    logits: QMatMul,
    positions: Tensor,
    blocks: Vec<DecoderBlock>,
    ln: LayerNorm,
}

pub struct Whisper {
    pub config: Config,
    pub encoder: Encoder,
    pub decoder: Decoder,
}

/// Per-window decoder state: cross-attention keys/values of the audio, and the self-attention cache.
pub struct DecoderState {
    /// Per layer: the audio's keys (transposed, batch 1) and values.
    cross: Vec<(Tensor, Tensor)>,
    /// Per layer: keys (transposed) and values of the prompt, shared by every beam (batch 1).
    prefix: Vec<Option<(Tensor, Tensor)>>,
    /// Per layer: keys and values of the tokens generated since, one row per beam.
    own: Vec<Option<(Tensor, Tensor)>>,
    pub len: usize,
}

impl DecoderState {
    /// Keeps the cache rows of the given sequences, in that order (beam search reshuffles beams).
    pub fn reorder(&mut self, rows: &[u32]) -> candle_core::Result<()> {
        let idx = Tensor::new(rows, &Device::Cpu)?;
        for entry in self.own.iter_mut().flatten() {
            *entry = (entry.0.index_select(&idx, 0)?, entry.1.index_select(&idx, 0)?);
        }
        Ok(())
    }
}

impl Whisper {
    pub fn load(weights: &[u8], config: Config, model: &str) -> Result<Self> {
        let w = Weights::from_bytes(weights, model)?;
        let c = &config;
        let conv = |name: &str, stride| -> Result<Conv1d> {
            let weight = w.tensor(&format!("model.encoder.{name}.weight"))?;
            let bias = w.tensor(&format!("model.encoder.{name}.bias"))?;
            Ok(Conv1d::new(weight, Some(bias), Conv1dConfig { padding: 1, stride, dilation: 1, groups: 1, cudnn_fwd_algo: None }))
        };
        let conv1 = conv("conv1", 1)?;
        w.check_shape("model.encoder.conv1.weight", conv1.weight(), &[c.d_model, c.num_mel_bins, 3])?;
        let mlp = |p: &str| -> Result<Mlp> { Ok(Mlp { fc1: w.linear(&format!("{p}.fc1"), true)?, fc2: w.linear(&format!("{p}.fc2"), true)? }) };
        let encoder = Encoder {
            conv1,
            conv2: conv("conv2", 2)?,
            positions: w.tensor("model.encoder.embed_positions.weight")?,
            blocks: (0..c.encoder_layers)
                .map(|i| {
                    let p = format!("model.encoder.layers.{i}");
                    Ok(EncoderBlock {
                        attn_ln: w.layer_norm(&format!("{p}.self_attn_layer_norm"))?,
                        attn: Attention::load(&w, &format!("{p}.self_attn"), c.encoder_attention_heads)?,
                        mlp_ln: w.layer_norm(&format!("{p}.final_layer_norm"))?,
                        mlp: mlp(&p)?,
                    })
                })
                .collect::<Result<_>>()?,
            ln_post: w.layer_norm("model.encoder.layer_norm")?,
        };
        let embed = w.tensor("model.decoder.embed_tokens.weight")?;
        w.check_shape("model.decoder.embed_tokens.weight", &embed, &[c.vocab_size, c.d_model])?;
        let decoder = Decoder {
            embed,
            logits: w.matmul("model.decoder.embed_tokens.weight")?,
            positions: w.tensor("model.decoder.embed_positions.weight")?,
            blocks: (0..c.decoder_layers)
                .map(|i| {
                    let p = format!("model.decoder.layers.{i}");
                    Ok(DecoderBlock {
                        attn_ln: w.layer_norm(&format!("{p}.self_attn_layer_norm"))?,
                        attn: Attention::load(&w, &format!("{p}.self_attn"), c.decoder_attention_heads)?,
                        cross_ln: w.layer_norm(&format!("{p}.encoder_attn_layer_norm"))?,
                        cross: Attention::load(&w, &format!("{p}.encoder_attn"), c.decoder_attention_heads)?,
                        mlp_ln: w.layer_norm(&format!("{p}.final_layer_norm"))?,
                        mlp: mlp(&p)?,
                    })
                })
                .collect::<Result<_>>()?,
            ln: w.layer_norm("model.decoder.layer_norm")?,
        };
        Ok(Self { config, encoder, decoder })
    }
}

impl Encoder {
    /// (1, n_mels, 3000) log-mel → (1, 1500, d_model) audio features.
    pub fn forward(&self, mel: &Tensor) -> candle_core::Result<Tensor> {
        let x = self.conv1.forward(mel)?.gelu_erf()?;
        let x = self.conv2.forward(&x)?.gelu_erf()?.transpose(1, 2)?;
        let t = x.dim(1)?;
        let mut x = x.broadcast_add(&self.positions.narrow(0, 0, t)?)?;
        for b in &self.blocks {
            let h = b.attn_ln.forward(&x)?;
            let (k, v) = b.attn.keys_values(&h)?;
            let w = candle_nn::ops::softmax_last_dim(&b.attn.queries(&h)?.matmul(&k.t()?)?)?;
            x = (x + b.attn.out.forward(&merge_heads(&w.matmul(&v)?)?)?)?;
            x = (&x + b.mlp.forward(&b.mlp_ln.forward(&x)?)?)?;
        }
        self.ln_post.forward(&x)
    }
}

fn causal_mask(new: usize, past: usize) -> candle_core::Result<Tensor> {
    let total = past + new;
    let mask: Vec<f32> = (0..new)
        .flat_map(|i| (0..total).map(move |j| if j > past + i { f32::NEG_INFINITY } else { 0.0 }))
        .collect();
    Tensor::from_vec(mask, (new, total), &Device::Cpu)
}

impl Decoder {
    /// Projects the audio features once per window; every decoding step reuses them.
    pub fn start(&self, audio: &Tensor) -> candle_core::Result<DecoderState> {
        let cross = self
            .blocks
            .iter()
            .map(|b| {
                let (k, v) = b.cross.keys_values(audio)?;
                Ok((k.t()?.contiguous()?, v))
            })
            .collect::<candle_core::Result<_>>()?;
        let n = self.blocks.len();
        Ok(DecoderState { cross, prefix: vec![None; n], own: vec![None; n], len: 0 })
    }

    /// Runs new tokens (1, t) through the decoder, extending the cache. Returns the final hidden states
    /// (1, t, d) and, if `capture` is set, each layer's cross-attention weights (1, heads, t, audio).
    pub fn forward(&self, tokens: &[u32], state: &mut DecoderState, capture: bool) -> candle_core::Result<(Tensor, Vec<Tensor>)> {
        let ids = Tensor::new(tokens, &Device::Cpu)?.unsqueeze(0)?;
        self.forward_batch(&ids, state, capture)
    }

    /// Like `forward` for a batch of sequences (beams): `tokens` is (batch, t) u32.
    pub fn forward_batch(&self, tokens: &Tensor, state: &mut DecoderState, capture: bool) -> candle_core::Result<(Tensor, Vec<Tensor>)> {
        let (b, t) = tokens.dims2()?;
        let x = self.embed.index_select(&tokens.flatten_all()?, 0)?.reshape((b, t, ()))?;
        let mut x = x.broadcast_add(&self.positions.narrow(0, state.len, t)?)?;
        let mask = if t > 1 { Some(causal_mask(t, state.len)?) } else { None };
        let mut captured = Vec::new();
        for (i, blk) in self.blocks.iter().enumerate() {
            let h = blk.attn_ln.forward(&x)?;
            let q = blk.attn.queries(&h)?;
            let (k, v) = blk.attn.keys_values(&h)?;
            // The first call (the prompt) fills the shared prefix; later tokens go to each beam's own cache.
            if state.len == 0 {
                state.prefix[i] = Some((k.t()?.contiguous()?, v));
            } else {
                state.own[i] = Some(match state.own[i].take() {
                    Some((pk, pv)) => (Tensor::cat(&[&pk, &k], 2)?, Tensor::cat(&[&pv, &v], 2)?),
                    None => (k, v),
                });
            }
            let (pkt, pv) = state.prefix[i].as_ref().expect("prefix is filled by the first call");
            let mut parts = vec![scores(&q, pkt)?];
            if let Some((ok, _)) = &state.own[i] {
                parts.push(q.matmul(&ok.t()?)?);
            }
            let mut all = Tensor::cat(&parts, D::Minus1)?;
            if let Some(m) = &mask {
                all = all.broadcast_add(m)?;
            }
            let w = candle_nn::ops::softmax_last_dim(&all)?;
            let p = pv.dim(2)?;
            let mut mixed = mix(&w.narrow(D::Minus1, 0, p)?, pv)?;
            if let Some((_, ov)) = &state.own[i] {
                mixed = (mixed + w.narrow(D::Minus1, p, ov.dim(2)?)?.contiguous()?.matmul(ov)?)?;
            }
            x = (x + blk.attn.out.forward(&merge_heads(&mixed)?)?)?;

            let hc = blk.cross_ln.forward(&x)?;
            let (ckt, cv) = &state.cross[i];
            let cw = candle_nn::ops::softmax_last_dim(&scores(&blk.cross.queries(&hc)?, ckt)?)?;
            x = (x + blk.cross.out.forward(&merge_heads(&mix(&cw, cv)?)?)?)?;
            if capture {
                captured.push(cw);
            }
            x = (&x + blk.mlp.forward(&blk.mlp_ln.forward(&x)?)?)?;
        }
        state.len += t;
        Ok((self.ln.forward(&x)?, captured))
    }

    /// Vocabulary logits for hidden states (1, t, d) → (t, vocab).
    pub fn logits(&self, hidden: &Tensor) -> candle_core::Result<Tensor> {
        self.logits.forward(&hidden.squeeze(0)?)
    }

    /// Logits of the last position of each sequence: (batch, t, d) → (batch, vocab).
    pub fn last_logits(&self, hidden: &Tensor) -> candle_core::Result<Tensor> {
        let t = hidden.dim(1)?;
        self.logits.forward(&hidden.narrow(1, t - 1, 1)?.squeeze(1)?.contiguous()?)
    }

    pub fn max_positions(&self) -> usize {
        self.positions.dim(0).unwrap_or(448)
    }
}
