//! Qwen2 decoder over GGUF quantized weights, with a KV cache that can be copied and cut back.
//!
//! Why not candle's `quantized_qwen2`: its model is not `Clone` and its cache cannot be shortened, so every
//! request would re-run the shared system prompt. Here the model is `Clone` (weights are shared `Arc`s;
//! only the cache is per copy), which gives prefix reuse the same way as for candle's llama.
//! Architecture (Qwen2 / Qwen2.5, as llama.cpp names the tensors): token embedding; per block RMSNorm →
//! attention with biased q/k/v projections, grouped-query heads and NeoX-style rotary positions → residual
//! → RMSNorm → SwiGLU MLP → residual; final RMSNorm; output projection (tied to the embedding when the file
//! has no `output.weight`). Follows the structure of candle's quantized model files.

use std::io::{Read, Seek};

use std::sync::Arc;

use candle_core::quantized::{ggml_file, gguf_file, QMatMul, QTensor};
use candle_core::{DType, Device, IndexOp, Module, Result, Tensor};

use super::blockmat::BlockMatrix;
use candle_transformers::quantized_nn::RmsNorm;

/// Positions the rotary tables cover.
pub const MAX_POSITIONS: usize = 8192;

/// A linear layer: our Q4_0/Q8_0 kernels in wasm (see `blockmat`), candle's quantized matmul otherwise
/// (natively its hand-written AVX/NEON kernels are as fast).
#[derive(Debug, Clone)]
enum Linear {
    Candle(QMatMul),
    Blocks(Arc<BlockMatrix>),
}

impl Linear {
    fn new(t: QTensor) -> Result<Self> {
        if cfg!(target_arch = "wasm32") {
            if let Some(m) = BlockMatrix::from_qtensor(&t)? {
                return Ok(Self::Blocks(Arc::new(m)));
            }
        }
        QMatMul::from_qtensor(t).map(Self::Candle)
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            Self::Candle(m) => m.forward(x),
            Self::Blocks(m) => m.forward(x),
        }
    }
}

#[derive(Debug, Clone)]
struct Attention {
    q: Linear,
    k: Linear,
    v: Linear,
    q_bias: Tensor,
    k_bias: Tensor,
    v_bias: Tensor,
    o: Linear,
    n_head: usize,
    n_kv_head: usize,
    head_dim: usize,
    cache: Option<(Tensor, Tensor)>,
}

#[derive(Debug, Clone)]
struct Block {
    attn_norm: RmsNorm,
    attn: Attention,
    ffn_norm: RmsNorm,
    gate: Linear,
    up: Linear,
    down: Linear,
}

/// The token embedding kept in its quantized form; rows are widened to f32 only when looked up. Qwen's
/// table (152k tokens) would take over 500 MB as f32, more than the rest of the model, in a browser tab.
#[derive(Debug, Clone)]
struct QEmbedding {
    table: Arc<QTensor>,
    width: usize,
}

impl QEmbedding {
    fn new(table: Arc<QTensor>) -> Result<Self> {
        let (_, width) = table.shape().dims2()?;
        if width % table.dtype().block_size() != 0 {
            candle_core::bail!("embedding width {width} is not a whole number of quantization blocks");
        }
        Ok(Self { table, width })
    }

    /// `[1, n]` token ids → `[1, n, width]` f32.
    fn forward(&self, tokens: &Tensor) -> Result<Tensor> {
        let ids = tokens.flatten_all()?.to_vec1::<u32>()?;
        let dtype = self.table.dtype();
        let row_bytes = self.width / dtype.block_size() * dtype.type_size();
        let data = self.table.data()?;
        let device = tokens.device();
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            let at = id as usize * row_bytes;
            let Some(raw) = data.get(at..at + row_bytes) else { candle_core::bail!("token id {id} outside the embedding table") };
            rows.push(ggml_file::qtensor_from_ggml(dtype, raw, vec![1, self.width], device)?.dequantize(device)?);
        }
        Tensor::cat(&rows, 0)?.unsqueeze(0)
    }
}

#[derive(Debug, Clone)]
pub struct Qwen2 {
    embed: QEmbedding,
    blocks: Vec<Block>,
    norm: RmsNorm,
    output: Linear,
    cos: Tensor,
    sin: Tensor,
}

impl Attention {
    fn forward(&mut self, x: &Tensor, mask: Option<&Tensor>, pos: usize, cos: &Tensor, sin: &Tensor) -> Result<Tensor> {
        let (b, seq, _) = x.dims3()?;
        let heads = |t: Tensor, n: usize| t.reshape((b, seq, n, self.head_dim))?.transpose(1, 2)?.contiguous();
        let q = heads(self.q.forward(x)?.broadcast_add(&self.q_bias)?, self.n_head)?;
        let k = heads(self.k.forward(x)?.broadcast_add(&self.k_bias)?, self.n_kv_head)?;
        let v = heads(self.v.forward(x)?.broadcast_add(&self.v_bias)?, self.n_kv_head)?;
        let (cos, sin) = (cos.narrow(0, pos, seq)?, sin.narrow(0, pos, seq)?);
        let q = candle_nn::rotary_emb::rope(&q, &cos, &sin)?;
        let k = candle_nn::rotary_emb::rope(&k, &cos, &sin)?;
        // The cache holds exactly the positions before `pos` (callers cut it back with `truncate`).
        let (k, v) = match &self.cache {
            Some((kc, vc)) if pos > 0 => (Tensor::cat(&[kc, &k], 2)?, Tensor::cat(&[vc, &v], 2)?),
            _ => (k, v),
        };
        self.cache = Some((k.clone(), v.clone()));
        let groups = self.n_head / self.n_kv_head;
        let k = candle_transformers::utils::repeat_kv(k, groups)?.contiguous()?;
        let v = candle_transformers::utils::repeat_kv(v, groups)?.contiguous()?;
        let mut att = (q.matmul(&k.t()?)? / (self.head_dim as f64).sqrt())?;
        if let Some(m) = mask {
            att = att.broadcast_add(m)?;
        }
        let att = candle_nn::ops::softmax_last_dim(&att)?;
        let y = att.matmul(&v)?.transpose(1, 2)?.reshape((b, seq, self.n_head * self.head_dim))?;
        self.o.forward(&y)
    }
}

impl Qwen2 {
    pub fn from_gguf<R: Read + Seek>(ct: &gguf_file::Content, r: &mut R, device: &Device) -> Result<Self> {
        let md = |k: &str| match ct.metadata.get(k) {
            Some(v) => Ok(v),
            None => candle_core::bail!("GGUF metadata has no `{k}`"),
        };
        let n_head = md("qwen2.attention.head_count")?.to_u32()? as usize;
        let n_kv_head = md("qwen2.attention.head_count_kv")?.to_u32()? as usize;
        let hidden = md("qwen2.embedding_length")?.to_u32()? as usize;
        let n_layer = md("qwen2.block_count")?.to_u32()? as usize;
        // Rotary tables are built for at most MAX_POSITIONS (Qwen2.5 declares 32k; notes need far less).
        let ctx = (md("qwen2.context_length")?.to_u32()? as usize).min(MAX_POSITIONS);
        let eps = md("qwen2.attention.layer_norm_rms_epsilon")?.to_f32()? as f64;
        let theta = md("qwen2.rope.freq_base").and_then(|v| v.to_f32()).unwrap_or(10_000.0);
        if n_head == 0 || n_kv_head == 0 || !hidden.is_multiple_of(n_head) || !n_head.is_multiple_of(n_kv_head) {
            candle_core::bail!("inconsistent head counts ({n_head} heads, {n_kv_head} kv heads, width {hidden})");
        }
        let head_dim = hidden / n_head;
        let mut get = |name: &str| ct.tensor(r, name, device);

        let embed_q = Arc::new(get("token_embd.weight")?);
        let output = match get("output.weight") {
            Ok(t) => Linear::new(t)?,
            // Tied weights: the output projection reads the embedding table itself.
            Err(_) => Linear::Candle(QMatMul::from_arc(embed_q.clone())?),
        };
        if embed_q.shape().dims2()?.1 != hidden {
            candle_core::bail!("token embedding width {:?} is not the model width {hidden}", embed_q.shape());
        }
        let embed = QEmbedding::new(embed_q)?;
        let norm = RmsNorm::from_qtensor(get("output_norm.weight")?, eps)?;
        let mut blocks = Vec::with_capacity(n_layer);
        for i in 0..n_layer {
            let p = format!("blk.{i}");
            let mut w = |n: &str| get(&format!("{p}.{n}"));
            let attn = Attention {
                q: Linear::new(w("attn_q.weight")?)?,
                k: Linear::new(w("attn_k.weight")?)?,
                v: Linear::new(w("attn_v.weight")?)?,
                q_bias: w("attn_q.bias")?.dequantize(device)?,
                k_bias: w("attn_k.bias")?.dequantize(device)?,
                v_bias: w("attn_v.bias")?.dequantize(device)?,
                o: Linear::new(w("attn_output.weight")?)?,
                n_head,
                n_kv_head,
                head_dim,
                cache: None,
            };
            blocks.push(Block {
                attn_norm: RmsNorm::from_qtensor(w("attn_norm.weight")?, eps)?,
                attn,
                ffn_norm: RmsNorm::from_qtensor(w("ffn_norm.weight")?, eps)?,
                gate: Linear::new(w("ffn_gate.weight")?)?,
                up: Linear::new(w("ffn_up.weight")?)?,
                down: Linear::new(w("ffn_down.weight")?)?,
            });
        }
        // Rotary tables for every position the model may see (NeoX layout: halves, not pairs).
        let inv: Vec<f32> = (0..head_dim).step_by(2).map(|i| 1.0 / theta.powf(i as f32 / head_dim as f32)).collect();
        let inv = Tensor::new(inv.as_slice(), device)?;
        let positions = Tensor::arange(0u32, ctx as u32, device)?.to_dtype(DType::F32)?.unsqueeze(1)?;
        let freqs = positions.broadcast_mul(&inv.unsqueeze(0)?)?;
        Ok(Self { embed, blocks, norm, output, cos: freqs.cos()?, sin: freqs.sin()? })
    }

    /// Positions the rotary tables cover.
    pub fn max_positions(&self) -> usize {
        self.cos.dim(0).unwrap_or(0)
    }

    /// Logits for the last of `tokens` (shape `[1, n]`), whose first token sits at position `pos`; the
    /// cache must hold exactly positions `0..pos`.
    pub fn forward(&mut self, tokens: &Tensor, pos: usize) -> Result<Tensor> {
        let (_, seq) = tokens.dims2()?;
        let mask = if seq > 1 {
            // Query i (at pos + i) sees keys 0..=pos + i.
            let kv = pos + seq;
            let m: Vec<f32> = (0..seq).flat_map(|i| (0..kv).map(move |j| if j > pos + i { f32::NEG_INFINITY } else { 0.0 })).collect();
            Some(Tensor::from_vec(m, (seq, kv), tokens.device())?)
        } else {
            None
        };
        let mut x = self.embed.forward(tokens)?;
        for b in self.blocks.iter_mut() {
            let h = b.attn.forward(&b.attn_norm.forward(&x)?, mask.as_ref(), pos, &self.cos, &self.sin)?;
            x = (x + h)?;
            let n = b.ffn_norm.forward(&x)?;
            let h = b.down.forward(&(candle_nn::ops::silu(&b.gate.forward(&n)?)? * b.up.forward(&n)?)?)?;
            x = (x + h)?;
        }
        let last = self.norm.forward(&x)?.i((.., seq - 1, ..))?;
        self.output.forward(&last.contiguous()?)
    }
}
