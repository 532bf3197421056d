//! Reader for CTranslate2 model files (`model.bin`, the faster-whisper format).
//!
//! Input: the bytes of a CT2 binary (version 6 seen here). Output: named tensors with their dims and dtype.
//! Layout (little-endian): u32 binary version; string spec name; u32 spec revision; u32 variable count;
//! per variable: string name, u8 rank, u32 per dim, u8 dtype, u32 byte count, raw bytes; then aliases.
//! A string is a u16 length that includes a trailing NUL, then the bytes.

use std::collections::BTreeMap;

use candle_core::{DType, Device, Tensor};

use crate::error::{BedsideError, Result};

pub struct Ct2Model {
    pub spec: String,
    pub variables: BTreeMap<String, Tensor>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| {
            BedsideError::model("ct2", format!("file ends at byte {} inside a record", self.bytes.len()))
        })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().unwrap()))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn string(&mut self) -> Result<String> {
        let n = self.u16()? as usize;
        let raw = self.take(n)?;
        let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
        String::from_utf8(raw.to_vec()).map_err(|_| BedsideError::model("ct2", "a name is not UTF-8"))
    }
}

impl Ct2Model {
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let mut c = Cursor { bytes, pos: 0 };
        let version = c.u32()?;
        if !(5..=6).contains(&version) {
            return Err(BedsideError::model("ct2", format!("binary version {version} is not a CTranslate2 model we read (5 or 6)")));
        }
        let spec = c.string()?;
        let _revision = c.u32()?;
        let count = c.u32()?;
        let mut variables = BTreeMap::new();
        for _ in 0..count {
            let name = c.string()?;
            let rank = c.u8()? as usize;
            let dims = (0..rank).map(|_| c.u32().map(|d| d as usize)).collect::<Result<Vec<_>>>()?;
            let dtype = match c.u8()? {
                0 => DType::F32,
                1 => DType::U8, // int8: read as raw bytes; only scalars use it in Whisper specs
                2 | 3 => DType::I64, // small integer scalars, widened below
                4 => DType::F16,
                5 => DType::BF16,
                other => return Err(BedsideError::model("ct2", format!("{name}: unknown dtype code {other}"))),
            };
            let n_bytes = c.u32()? as usize;
            let raw = c.take(n_bytes)?;
            let tensor = match dtype {
                DType::I64 => {
                    let width = n_bytes / dims.iter().product::<usize>().max(1);
                    let values: Vec<i64> = raw
                        .chunks_exact(width.max(1))
                        .map(|b| match width {
                            2 => i16::from_le_bytes([b[0], b[1]]) as i64,
                            4 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
                            _ => b[0] as i64,
                        })
                        .collect();
                    Tensor::from_vec(values, dims.as_slice(), &Device::Cpu)
                }
                _ => Tensor::from_raw_buffer(raw, dtype, &dims, &Device::Cpu),
            }
            .map_err(|e| BedsideError::model("ct2", format!("{name}: {e}")))?;
            variables.insert(name, tensor);
        }
        Ok(Self { spec, variables })
    }

    pub fn get(&self, name: &str) -> Result<&Tensor> {
        self.variables.get(name).ok_or_else(|| BedsideError::model("ct2", format!("missing variable `{name}`")))
    }

    /// A float weight widened to f32.
    pub fn f32(&self, name: &str) -> Result<Tensor> {
        self.get(name)?.to_dtype(DType::F32).map_err(|e| BedsideError::model("ct2", format!("{name}: {e}")))
    }

    pub fn scalar(&self, name: &str) -> Result<i64> {
        self.get(name)?
            .to_dtype(DType::I64)
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1::<i64>())
            .ok()
            .and_then(|v| v.first().copied())
            .ok_or_else(|| BedsideError::model("ct2", format!("`{name}` is not a scalar")))
    }

    pub fn count_layers(&self, stack: &str) -> usize {
        (0..).take_while(|i| self.variables.keys().any(|k| k.starts_with(&format!("{stack}/layer_{i}/")))).count()
    }
}
