//! CTranslate2 Whisper → the Hugging Face tensor layout (`model.encoder.layers.0.self_attn.q_proj.weight`, …)
//! that hub checkpoints and candle's quantized Whisper GGUF files use, so one loader reads them all.
//!
//! CT2 fuses self-attention q/k/v into one matrix (rows q, k, v) and cross-attention k/v into another;
//! Whisper's k projections have no bias (CT2 stores zeros there), so those halves are dropped.

use candle_core::{IndexOp, Tensor};
use serde_json::{json, Value};

use super::ct2::Ct2Model;
use crate::error::{BedsideError, Result};

pub struct Converted {
    pub tensors: Vec<(String, Tensor)>,
    /// A Hugging Face style `config.json`, plus `alignment_heads` for word timestamps.
    pub config: Value,
}

fn split_rows(t: &Tensor, parts: usize) -> Result<Vec<Tensor>> {
    let n = t.dim(0).map_err(err)? / parts;
    (0..parts).map(|i| t.i(i * n..(i + 1) * n).and_then(|x| x.contiguous()).map_err(err)).collect()
}

fn err(e: candle_core::Error) -> BedsideError {
    BedsideError::model("ct2-whisper", e.to_string())
}

pub fn convert(ct2: &Ct2Model, ct2_config: &Value) -> Result<Converted> {
    if ct2.spec != "WhisperSpec" {
        return Err(BedsideError::model("ct2-whisper", format!("spec is {}, not WhisperSpec", ct2.spec)));
    }
    let mut out: Vec<(String, Tensor)> = Vec::new();
    let mut put = |name: String, t: Tensor| out.push((name, t));

    let norm = |put: &mut dyn FnMut(String, Tensor), src: &str, dst: &str| -> Result<()> {
        put(format!("{dst}.weight"), ct2.f32(&format!("{src}/gamma"))?);
        put(format!("{dst}.bias"), ct2.f32(&format!("{src}/beta"))?);
        Ok(())
    };
    let linear = |put: &mut dyn FnMut(String, Tensor), src: &str, dst: &str| -> Result<()> {
        put(format!("{dst}.weight"), ct2.f32(&format!("{src}/weight"))?);
        put(format!("{dst}.bias"), ct2.f32(&format!("{src}/bias"))?);
        Ok(())
    };
    // Fused projections: `names` in row order; a `None` bias slot is a projection without bias.
    let fused = |put: &mut dyn FnMut(String, Tensor), src: &str, dst: &str, names: &[(&str, bool)]| -> Result<()> {
        let w = split_rows(&ct2.f32(&format!("{src}/weight"))?, names.len())?;
        let b = split_rows(&ct2.f32(&format!("{src}/bias"))?, names.len())?;
        for ((name, has_bias), (w, b)) in names.iter().zip(w.into_iter().zip(b)) {
            put(format!("{dst}.{name}.weight"), w);
            if *has_bias {
                put(format!("{dst}.{name}.bias"), b);
            }
        }
        Ok(())
    };

    // Encoder.
    for conv in ["conv1", "conv2"] {
        linear(&mut put, &format!("encoder/{conv}"), &format!("model.encoder.{conv}"))?;
    }
    put("model.encoder.embed_positions.weight".into(), ct2.f32("encoder/position_encodings/encodings")?);
    let n_enc = ct2.count_layers("encoder");
    for i in 0..n_enc {
        let (s, d) = (format!("encoder/layer_{i}"), format!("model.encoder.layers.{i}"));
        fused(&mut put, &format!("{s}/self_attention/linear_0"), &format!("{d}.self_attn"), &[("q_proj", true), ("k_proj", false), ("v_proj", true)])?;
        linear(&mut put, &format!("{s}/self_attention/linear_1"), &format!("{d}.self_attn.out_proj"))?;
        norm(&mut put, &format!("{s}/self_attention/layer_norm"), &format!("{d}.self_attn_layer_norm"))?;
        linear(&mut put, &format!("{s}/ffn/linear_0"), &format!("{d}.fc1"))?;
        linear(&mut put, &format!("{s}/ffn/linear_1"), &format!("{d}.fc2"))?;
        norm(&mut put, &format!("{s}/ffn/layer_norm"), &format!("{d}.final_layer_norm"))?;
    }
    norm(&mut put, "encoder/layer_norm", "model.encoder.layer_norm")?;

    // Decoder.
    put("model.decoder.embed_tokens.weight".into(), ct2.f32("decoder/embeddings/weight")?);
    put("model.decoder.embed_positions.weight".into(), ct2.f32("decoder/position_encodings/encodings")?);
    let n_dec = ct2.count_layers("decoder");
    for i in 0..n_dec {
        let (s, d) = (format!("decoder/layer_{i}"), format!("model.decoder.layers.{i}"));
        fused(&mut put, &format!("{s}/self_attention/linear_0"), &format!("{d}.self_attn"), &[("q_proj", true), ("k_proj", false), ("v_proj", true)])?;
        linear(&mut put, &format!("{s}/self_attention/linear_1"), &format!("{d}.self_attn.out_proj"))?;
        norm(&mut put, &format!("{s}/self_attention/layer_norm"), &format!("{d}.self_attn_layer_norm"))?;
        linear(&mut put, &format!("{s}/attention/linear_0"), &format!("{d}.encoder_attn.q_proj"))?;
        fused(&mut put, &format!("{s}/attention/linear_1"), &format!("{d}.encoder_attn"), &[("k_proj", false), ("v_proj", true)])?;
        linear(&mut put, &format!("{s}/attention/linear_2"), &format!("{d}.encoder_attn.out_proj"))?;
        norm(&mut put, &format!("{s}/attention/layer_norm"), &format!("{d}.encoder_attn_layer_norm"))?;
        linear(&mut put, &format!("{s}/ffn/linear_0"), &format!("{d}.fc1"))?;
        linear(&mut put, &format!("{s}/ffn/linear_1"), &format!("{d}.fc2"))?;
        norm(&mut put, &format!("{s}/ffn/layer_norm"), &format!("{d}.final_layer_norm"))?;
    }
    norm(&mut put, "decoder/layer_norm", "model.decoder.layer_norm")?;

    let conv1 = ct2.get("encoder/conv1/weight")?.dims().to_vec();
    let emb = ct2.get("decoder/embeddings/weight")?.dims().to_vec();
    let enc_pos = ct2.get("encoder/position_encodings/encodings")?.dims()[0];
    let dec_pos = ct2.get("decoder/position_encodings/encodings")?.dims()[0];
    let config = json!({
        "model_type": "whisper",
        "num_mel_bins": conv1[1],
        "d_model": conv1[0],
        "encoder_layers": n_enc,
        "encoder_attention_heads": ct2.scalar("encoder/num_heads")?,
        "decoder_layers": n_dec,
        "decoder_attention_heads": ct2.scalar("decoder/num_heads")?,
        "vocab_size": emb[0],
        "max_source_positions": enc_pos,
        "max_target_positions": dec_pos,
        "suppress_tokens": ct2_config.get("suppress_ids").cloned().unwrap_or(json!([])),
        "begin_suppress_tokens": ct2_config.get("suppress_ids_begin").cloned().unwrap_or(json!([])),
        "alignment_heads": ct2_config.get("alignment_heads").cloned().unwrap_or(json!([])),
    });
    Ok(Converted { tensors: out, config })
}
