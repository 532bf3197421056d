//! Recipe `safetensors-f16`: a safetensors file with every float tensor stored as f16.
//! Input: safetensors bytes (f32). Output: safetensors bytes, same names and shapes, f16 data, about half
//! the size; loaders widen back to f32, so only storage precision changes (checked for MiniLM in
//! `examples/eval_sections.rs`). Integer tensors are kept as they are.

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};

pub fn safetensors_f16(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let tensors = candle_core::safetensors::load_buffer(bytes, &Device::Cpu).map_err(|e| e.to_string())?;
    let mut out: HashMap<String, Tensor> = HashMap::new();
    for (name, t) in tensors {
        let t = if t.dtype().is_float() { t.to_dtype(DType::F16).map_err(|e| e.to_string())? } else { t };
        out.insert(name, t);
    }
    // Sorted names: the same input always gives the same bytes (the manifest pins a sha256).
    let mut named: Vec<(String, Tensor)> = out.into_iter().collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    safetensors::tensor::serialize(named.iter().map(|(n, t)| (n.as_str(), t)), None).map_err(|e| e.to_string())
}
