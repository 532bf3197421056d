//! A browser-friendly copy of a GGUF language model: tensors stored in block formats that have no
//! WebAssembly SIMD kernel in candle are re-quantized to one that has.
//!
//! Why: llama.cpp's "Q4_K_M" files for models whose width is not a multiple of 256 (Qwen2.5-0.5B: 896)
//! store most matrices as Q5_0, which candle runs with scalar code in wasm; Q8_0, Q4_0, Q4_K and Q6_K have
//! simd128 dot products. Re-quantizing Q5_0 → Q8_0 loses almost nothing (every Q5_0 value is a multiple
//! of the block scale in 32 steps, which Q8_0's 255 steps hold closely). The token embedding is left as it
//! is: the runtime reads it as a lookup table, never through a dot product.

use std::io::Cursor;

use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use candle_core::Device;

/// Formats that candle's wasm build runs without SIMD.
fn lacks_wasm_simd(t: GgmlDType) -> bool {
    matches!(t, GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1 | GgmlDType::Q5K | GgmlDType::Q3K | GgmlDType::Q8_1)
}

/// Re-quantizes every slow tensor of `gguf` to `target`, keeping metadata and the other tensors' bytes.
pub fn requantize(gguf: &[u8], target: GgmlDType) -> candle_core::Result<Vec<u8>> {
    let mut reader = Cursor::new(gguf);
    let content = gguf_file::Content::read(&mut reader)?;
    let mut names: Vec<&String> = content.tensor_infos.keys().collect();
    // Stable output: tensors in file order (by offset), as the source wrote them.
    names.sort_by_key(|n| content.tensor_infos[*n].offset);
    let mut tensors = Vec::with_capacity(names.len());
    for name in names {
        let qt = content.tensor(&mut reader, name, &Device::Cpu)?;
        let dims = qt.shape().dims().to_vec();
        let fits = dims.last().is_some_and(|d| d % target.block_size() == 0);
        let qt = if lacks_wasm_simd(qt.dtype()) && name != "token_embd.weight" && fits {
            QTensor::quantize(&qt.dequantize(&Device::Cpu)?, target)?
        } else {
            qt
        };
        tensors.push((name.as_str(), qt));
    }
    let mut metadata: Vec<(&str, &gguf_file::Value)> = content.metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
    metadata.sort_by(|a, b| a.0.cmp(b.0));
    let refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (*n, t)).collect();
    let mut out = Cursor::new(Vec::new());
    gguf_file::write(&mut out, &metadata, &refs)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Tensor;

    #[test]
    fn slow_blocks_become_simd_blocks_and_values_survive() {
        let values: Vec<f32> = (0..64 * 32).map(|i| ((i * 37 % 101) as f32 - 50.0) / 17.0).collect();
        let t = Tensor::from_vec(values, (64, 32), &Device::Cpu).unwrap();
        let q5 = QTensor::quantize(&t, GgmlDType::Q5_0).unwrap();
        let norm = QTensor::quantize(&Tensor::ones(32, candle_core::DType::F32, &Device::Cpu).unwrap(), GgmlDType::F32).unwrap();
        let mut src = Cursor::new(Vec::new());
        let arch = gguf_file::Value::String("qwen2".into());
        gguf_file::write(&mut src, &[("general.architecture", &arch)], &[("blk.0.ffn_up.weight", &q5), ("output_norm.weight", &norm)]).unwrap();

        let out = requantize(src.get_ref(), GgmlDType::Q8_0).unwrap();
        let mut r = Cursor::new(&out);
        let c = gguf_file::Content::read(&mut r).unwrap();
        assert_eq!(c.metadata["general.architecture"].to_string().unwrap(), "qwen2");
        let up = c.tensor(&mut r, "blk.0.ffn_up.weight", &Device::Cpu).unwrap();
        assert_eq!(up.dtype(), GgmlDType::Q8_0);
        assert_eq!(c.tensor(&mut r, "output_norm.weight", &Device::Cpu).unwrap().dtype(), GgmlDType::F32);
        // Q5_0 → Q8_0 moves a value by at most half a Q8_0 step (amax / 127 / 2), a small fraction of
        // the Q5_0 step (amax / 16) the source already had.
        let before = q5.dequantize(&Device::Cpu).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let after = up.dequantize(&Device::Cpu).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let amax = before.iter().fold(0f32, |m, v| m.max(v.abs()));
        let worst = before.iter().zip(&after).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(worst <= amax / 127.0 * 0.5 + 1e-3, "largest change {worst} (amax {amax})");
    }
}
