//! Q4_0 and Q8_0 matrix-times-activations kernels for the language model's linear layers in the browser.
//!
//! Why not candle's `QMatMul` for these: on the CPU it walks the whole weight matrix once per activation
//! row (a prompt of 80 tokens reads every weight 80 times) and, in wasm, converts two f16 block scales to
//! f32 in software for every 32 weights. Here the block scales are widened once at load, each weight row
//! is dotted with every activation row while it sits in L1, and block sums stay in SIMD lanes until the
//! row ends (simd128; elsewhere plain integer loops the compiler vectorizes). Same arithmetic as ggml's
//! Q4_0/Q8_0 × Q8_0 dot products, except that activation scales are kept in f32 rather than rounded to f16.

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Result, Tensor};

const BLOCK: usize = 32;

/// Block values without their scales.
#[derive(Debug)]
enum Values {
    /// Q4_0: 16 bytes per block; low nibbles are a block's first 16 values, high nibbles its last 16
    /// (stored value − 8).
    Q4(Vec<u8>),
    /// Q8_0: 32 signed bytes per block.
    Q8(Vec<i8>),
}

/// A Q4_0 or Q8_0 weight matrix (`rows × cols`, GGUF's layout: each row is `cols / 32` blocks).
#[derive(Debug)]
pub struct BlockMatrix {
    rows: usize,
    cols: usize,
    values: Values,
    /// One scale per block, widened from f16 once.
    scales: Vec<f32>,
}

impl BlockMatrix {
    /// Repacks a Q4_0 or Q8_0 tensor; `None` for any other format.
    pub fn from_qtensor(t: &QTensor) -> Result<Option<Self>> {
        // GGUF block sizes: an f16 scale, then 16 bytes of nibbles (Q4_0) or 32 signed bytes (Q8_0).
        let block_bytes = match t.dtype() {
            GgmlDType::Q4_0 => 18,
            GgmlDType::Q8_0 => 34,
            _ => return Ok(None),
        };
        let (rows, cols) = t.shape().dims2()?;
        if cols % BLOCK != 0 {
            return Ok(None);
        }
        let data = t.data()?;
        let blocks = rows * cols / BLOCK;
        if data.len() != blocks * block_bytes {
            candle_core::bail!("{:?} tensor of {rows}×{cols} has {} bytes, expected {}", t.dtype(), data.len(), blocks * block_bytes);
        }
        let mut packed = Vec::with_capacity(blocks * (block_bytes - 2));
        let mut scales = Vec::with_capacity(blocks);
        for b in data.chunks_exact(block_bytes) {
            scales.push(half::f16::from_le_bytes([b[0], b[1]]).to_f32());
            packed.extend_from_slice(&b[2..]);
        }
        let values = if block_bytes == 18 { Values::Q4(packed) } else { Values::Q8(packed.into_iter().map(|v| v as i8).collect()) };
        Ok(Some(Self { rows, cols, values, scales }))
    }

    /// `x`: `[..., cols]` f32 → `[..., rows]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let dims = x.dims().to_vec();
        let Some((&k, lead)) = dims.split_last() else { candle_core::bail!("block matmul of a scalar") };
        if k != self.cols {
            candle_core::bail!("block matmul: input width {k}, weights are {}×{}", self.rows, self.cols);
        }
        let m: usize = lead.iter().product();
        let xs = x.flatten_all()?.to_vec1::<f32>()?;
        let (xq, xd) = quantize_rows(&xs, m, k);
        let out = self.matmul(&xq, &xd, m);
        let mut shape = lead.to_vec();
        shape.push(self.rows);
        Tensor::from_vec(out, shape, x.device())
    }

    fn matmul(&self, xq: &[i8], xd: &[f32], m: usize) -> Vec<f32> {
        let nb = self.cols / BLOCK;
        match &self.values {
            Values::Q4(qs) => self.each_row(m, xq, xd, |j, wd, xq_row, xd_row| q4_row_dot(&qs[j * nb * 16..(j + 1) * nb * 16], wd, xq_row, xd_row)),
            Values::Q8(qs) => self.each_row(m, xq, xd, |j, wd, xq_row, xd_row| q8_row_dot(&qs[j * self.cols..(j + 1) * self.cols], wd, xq_row, xd_row)),
        }
    }

    /// Weight rows outer, activation rows inner: a weight row is read from memory once per call.
    fn each_row(&self, m: usize, xq: &[i8], xd: &[f32], dot: impl Fn(usize, &[f32], &[i8], &[f32]) -> f32) -> Vec<f32> {
        let nb = self.cols / BLOCK;
        let mut out = vec![0f32; m * self.rows];
        for j in 0..self.rows {
            let wd = &self.scales[j * nb..(j + 1) * nb];
            for i in 0..m {
                out[i * self.rows + j] = dot(j, wd, &xq[i * self.cols..(i + 1) * self.cols], &xd[i * nb..(i + 1) * nb]);
            }
        }
        out
    }
}

/// 16 signed bytes · 16 signed bytes, as four i32 partial sums. Each i8 × i8 product fits i16
/// (|weight| ≤ 127, |activation| ≤ 127), and pairs of products are added into i32 lanes.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn dot16(a: core::arch::wasm32::v128, b: core::arch::wasm32::v128) -> core::arch::wasm32::v128 {
    use core::arch::wasm32::*;
    i32x4_add(i32x4_extadd_pairwise_i16x8(i16x8_extmul_low_i8x16(a, b)), i32x4_extadd_pairwise_i16x8(i16x8_extmul_high_i8x16(a, b)))
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn lane_sum(v: core::arch::wasm32::v128) -> f32 {
    use core::arch::wasm32::*;
    f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v) + f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v)
}

/// One Q4_0 weight row · one activation row (browser build: simd128, one f32x4 sum per row, no per-block
/// horizontal adds).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn q4_row_dot(wq: &[u8], wd: &[f32], xq: &[i8], xd: &[f32]) -> f32 {
    use core::arch::wasm32::*;
    let nb = wd.len();
    assert!(wq.len() == nb * 16 && xq.len() == nb * BLOCK && xd.len() == nb, "q4_row_dot: slice lengths");
    let mut acc = f32x4_splat(0.0);
    for b in 0..nb {
        // SAFETY: the assert above keeps every 16-byte load inside its slice (block b spans wq[16b..16b+16]
        // and xq[32b..32b+32]); v128_load has no alignment requirement.
        let (w, x0, x1) = unsafe {
            (
                v128_load(wq.as_ptr().add(b * 16) as *const v128),
                v128_load(xq.as_ptr().add(b * BLOCK) as *const v128),
                v128_load(xq.as_ptr().add(b * BLOCK + 16) as *const v128),
            )
        };
        let lo = i8x16_sub(v128_and(w, u8x16_splat(0x0F)), i8x16_splat(8));
        let hi = i8x16_sub(u8x16_shr(w, 4), i8x16_splat(8));
        let s = i32x4_add(dot16(lo, x0), dot16(hi, x1));
        acc = f32x4_add(acc, f32x4_mul(f32x4_convert_i32x4(s), f32x4_splat(wd[b] * xd[b])));
    }
    lane_sum(acc)
}

/// One Q4_0 weight row · one activation row (portable; the compiler vectorizes `block_dot`).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn q4_row_dot(wq: &[u8], wd: &[f32], xq: &[i8], xd: &[f32]) -> f32 {
    let mut acc = 0f32;
    for (((w, &dw), x), &dx) in wq.chunks_exact(16).zip(wd).zip(xq.chunks_exact(BLOCK)).zip(xd) {
        acc += block_dot(w.try_into().expect("16 bytes"), x.try_into().expect("32 values")) as f32 * (dw * dx);
    }
    acc
}

/// One Q8_0 weight row · one activation row (simd128).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn q8_row_dot(wq: &[i8], wd: &[f32], xq: &[i8], xd: &[f32]) -> f32 {
    use core::arch::wasm32::*;
    let nb = wd.len();
    assert!(wq.len() == nb * BLOCK && xq.len() == nb * BLOCK && xd.len() == nb, "q8_row_dot: slice lengths");
    let mut acc = f32x4_splat(0.0);
    for b in 0..nb {
        // SAFETY: the assert above keeps both 32-byte blocks inside their slices.
        let (w0, w1, x0, x1) = unsafe {
            (
                v128_load(wq.as_ptr().add(b * BLOCK) as *const v128),
                v128_load(wq.as_ptr().add(b * BLOCK + 16) as *const v128),
                v128_load(xq.as_ptr().add(b * BLOCK) as *const v128),
                v128_load(xq.as_ptr().add(b * BLOCK + 16) as *const v128),
            )
        };
        let s = i32x4_add(dot16(w0, x0), dot16(w1, x1));
        acc = f32x4_add(acc, f32x4_mul(f32x4_convert_i32x4(s), f32x4_splat(wd[b] * xd[b])));
    }
    lane_sum(acc)
}

/// One Q8_0 weight row · one activation row (portable).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn q8_row_dot(wq: &[i8], wd: &[f32], xq: &[i8], xd: &[f32]) -> f32 {
    let mut acc = 0f32;
    for (((w, &dw), x), &dx) in wq.chunks_exact(BLOCK).zip(wd).zip(xq.chunks_exact(BLOCK)).zip(xd) {
        let s: i32 = w.iter().zip(x).map(|(&a, &b)| a as i32 * b as i32).sum();
        acc += s as f32 * (dw * dx);
    }
    acc
}

/// Integer dot product of one Q4_0 block with 32 activations (fixed sizes so the loop vectorizes).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn block_dot(w: &[u8; 16], x: &[i8; 32]) -> i32 {
    let mut lo = 0i32;
    let mut hi = 0i32;
    for t in 0..16 {
        lo += ((w[t] & 0x0F) as i32 - 8) * x[t] as i32;
        hi += ((w[t] >> 4) as i32 - 8) * x[t + 16] as i32;
    }
    lo + hi
}

/// Activations to 8-bit blocks of 32 with one f32 scale each (as ggml's Q8_0, scale kept in f32).
fn quantize_rows(xs: &[f32], m: usize, k: usize) -> (Vec<i8>, Vec<f32>) {
    let mut q = vec![0i8; m * k];
    let mut d = Vec::with_capacity(m * k / BLOCK);
    for (src, dst) in xs.chunks_exact(BLOCK).zip(q.chunks_exact_mut(BLOCK)) {
        let amax = src.iter().fold(0f32, |a, v| a.max(v.abs()));
        let scale = amax / 127.0;
        let inv = if scale > 0.0 { 1.0 / scale } else { 0.0 };
        for (o, v) in dst.iter_mut().zip(src) {
            *o = (v * inv).round() as i8;
        }
        d.push(scale);
    }
    (q, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::QMatMul;
    use candle_core::{Device, Module};

    fn data(n: usize, seed: u32) -> Vec<f32> {
        (0..n).map(|i| (((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) >> 16) % 2001) as f32 / 1000.0 - 1.0).collect()
    }

    #[test]
    fn agrees_with_candles_q4_0_matmul() {
        agrees_with_candle(GgmlDType::Q4_0);
    }

    #[test]
    fn agrees_with_candles_q8_0_matmul() {
        agrees_with_candle(GgmlDType::Q8_0);
    }

    fn agrees_with_candle(dtype: GgmlDType) {
        let (rows, cols) = (48, 96);
        let w = Tensor::from_vec(data(rows * cols, 7), (rows, cols), &Device::Cpu).unwrap();
        let q = QTensor::quantize(&w, dtype).unwrap();
        let mine = BlockMatrix::from_qtensor(&q).unwrap().expect("a supported format");
        let x = Tensor::from_vec(data(3 * 5 * cols, 11), (3, 5, cols), &Device::Cpu).unwrap();
        let ours = mine.forward(&x).unwrap();
        let theirs = QMatMul::from_qtensor(q).unwrap().forward(&x).unwrap();
        assert_eq!(ours.dims(), &[3, 5, rows]);
        let a = ours.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let b = theirs.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let scale = b.iter().fold(0f32, |m, v| m.max(v.abs()));
        let worst = a.iter().zip(&b).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        // Only the activation scale's rounding (f32 here, f16 in ggml) differs.
        assert!(worst < 2e-3 * scale, "largest difference {worst} (outputs up to {scale})");
    }

    #[test]
    fn other_formats_and_bad_widths_are_declined_or_refused() {
        let w = Tensor::from_vec(data(8 * 64, 3), (8, 64), &Device::Cpu).unwrap();
        assert!(BlockMatrix::from_qtensor(&QTensor::quantize(&w, GgmlDType::Q4_1).unwrap()).unwrap().is_none());
        let m = BlockMatrix::from_qtensor(&QTensor::quantize(&w, GgmlDType::Q4_0).unwrap()).unwrap().unwrap();
        assert!(m.forward(&Tensor::zeros((1, 32), candle_core::DType::F32, &Device::Cpu).unwrap()).is_err());
    }
}
