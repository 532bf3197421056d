//! Acoustic speaker features: mel-frequency cepstral coefficients (MFCC), one vector per 10 ms frame.
//!
//! Input: 16 kHz mono samples. Output: [`Features`], `N_CEPS` cepstra per frame (c0..c12, c0 being the
//! frame's log energy in the mel bands) for frames that start every 160 samples.
//!
//! Reference followed: the classic front end of speaker recognition (Davis & Mermelstein 1980; the
//! HTK book, ch. 5): pre-emphasis 0.97, 25 ms Hamming window, 512-point FFT power spectrum, 24 triangular
//! filters equally spaced on the mel scale `2595 log10(1 + f/700)` from 100 Hz to 7600 Hz, natural log,
//! then an orthonormal DCT-II keeping 13 coefficients. No liftering and no cepstral mean removal: the
//! Gaussians fitted later are shift-invariant, and per-recording normalisation happens in `diarize`.
//!
//! Limits: frames are not centred (frame `t` covers samples `160 t .. 160 t + 400`); input shorter than
//! one window gives no frames. Cost is one real FFT per frame (about 6000 a minute).

use rustfft::num_complex::Complex;
use rustfft::FftPlannerScalar;

pub const SAMPLE_RATE: f64 = 16_000.0;
pub const HOP: usize = 160;
pub const WINDOW: usize = 400;
const N_FFT: usize = 512;
const N_FILTERS: usize = 24;
pub const N_CEPS: usize = 13;
const LOW_HZ: f64 = 100.0;
const HIGH_HZ: f64 = 7600.0;

/// Cepstra of a recording, frame-major (`ceps[t * N_CEPS + k]`).
pub struct Features {
    pub ceps: Vec<f32>,
    pub n_frames: usize,
}

impl Features {
    pub fn frame(&self, t: usize) -> &[f32] {
        &self.ceps[t * N_CEPS..(t + 1) * N_CEPS]
    }

    /// The frame range `[first, last)` covering `start..end` seconds, clipped to the recording.
    pub fn frames_between(&self, start: f64, end: f64) -> (usize, usize) {
        let to_frame = |s: f64| ((s.max(0.0) * SAMPLE_RATE / HOP as f64).round() as usize).min(self.n_frames);
        let a = to_frame(start);
        (a, to_frame(end).max(a))
    }
}

fn mel(hz: f64) -> f64 {
    2595.0 * (1.0 + hz / 700.0).log10()
}

fn mel_to_hz(m: f64) -> f64 {
    700.0 * (10f64.powf(m / 2595.0) - 1.0)
}

/// Triangular filters as (first bin, weights) over the `N_FFT / 2 + 1` power bins.
fn filter_bank() -> Vec<(usize, Vec<f32>)> {
    let (lo, hi) = (mel(LOW_HZ), mel(HIGH_HZ));
    let edges: Vec<f64> =
        (0..N_FILTERS + 2).map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (N_FILTERS + 1) as f64)).collect();
    let bin_hz = SAMPLE_RATE / N_FFT as f64;
    (0..N_FILTERS)
        .map(|m| {
            let (l, c, r) = (edges[m], edges[m + 1], edges[m + 2]);
            let first = (l / bin_hz).ceil() as usize;
            let last = ((r / bin_hz).floor() as usize).min(N_FFT / 2);
            let weights = (first..=last)
                .map(|b| {
                    let f = b as f64 * bin_hz;
                    let w = if f <= c { (f - l) / (c - l) } else { (r - f) / (r - c) };
                    w.max(0.0) as f32
                })
                .collect();
            (first, weights)
        })
        .collect()
}

/// MFCCs of the whole recording; see the module header for the recipe.
pub fn mfcc(samples: &[f32]) -> Features {
    let n_frames = if samples.len() < WINDOW { 0 } else { (samples.len() - WINDOW) / HOP + 1 };
    let fft = FftPlannerScalar::<f32>::new().plan_fft_forward(N_FFT);
    let hamming: Vec<f32> = (0..WINDOW)
        .map(|i| (0.54 - 0.46 * (2.0 * std::f64::consts::PI * i as f64 / (WINDOW - 1) as f64).cos()) as f32)
        .collect();
    let bank = filter_bank();
    // Orthonormal DCT-II basis, N_CEPS x N_FILTERS.
    let dct: Vec<f32> = (0..N_CEPS)
        .flat_map(|k| {
            let scale = if k == 0 { (1.0 / N_FILTERS as f64).sqrt() } else { (2.0 / N_FILTERS as f64).sqrt() };
            (0..N_FILTERS).map(move |m| {
                (scale * (std::f64::consts::PI * k as f64 * (m as f64 + 0.5) / N_FILTERS as f64).cos()) as f32
            })
        })
        .collect();
    let mut buf = vec![Complex::new(0.0f32, 0.0); N_FFT];
    let mut scratch = vec![Complex::new(0.0f32, 0.0); fft.get_inplace_scratch_len()];
    let mut energies = [0f32; N_FILTERS];
    let mut ceps = Vec::with_capacity(n_frames * N_CEPS);
    for t in 0..n_frames {
        let frame = &samples[t * HOP..t * HOP + WINDOW];
        for (i, slot) in buf.iter_mut().enumerate() {
            let x = if i < WINDOW {
                // Pre-emphasis inside the frame; the first sample uses its in-recording predecessor.
                let prev = if i > 0 { frame[i - 1] } else if t * HOP > 0 { samples[t * HOP - 1] } else { frame[0] };
                (frame[i] - 0.97 * prev) * hamming[i]
            } else {
                0.0
            };
            *slot = Complex::new(if x.is_finite() { x } else { 0.0 }, 0.0);
        }
        fft.process_with_scratch(&mut buf, &mut scratch);
        for (m, (first, weights)) in bank.iter().enumerate() {
            let e: f32 = weights.iter().enumerate().map(|(j, w)| w * buf[first + j].norm_sqr()).sum();
            energies[m] = e.max(1e-10).ln();
        }
        for k in 0..N_CEPS {
            ceps.push((0..N_FILTERS).map(|m| dct[k * N_FILTERS + m] * energies[m]).sum());
        }
    }
    Features { ceps, n_frames }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f64, seconds: f64) -> Vec<f32> {
        (0..(seconds * SAMPLE_RATE) as usize).map(|i| (0.3 * (2.0 * std::f64::consts::PI * hz * i as f64 / SAMPLE_RATE).sin()) as f32).collect()
    }

    #[test]
    fn frame_count_and_silence_floor() {
        let f = mfcc(&vec![0.0; 16_000]);
        assert_eq!(f.n_frames, (16_000 - WINDOW) / HOP + 1);
        // Silence sits at the log floor in every band: c0 = sqrt(24) * ln(1e-10), higher cepstra 0.
        let c = f.frame(10);
        assert!((c[0] - (N_FILTERS as f32).sqrt() * 1e-10f32.ln()).abs() < 1e-2, "{}", c[0]);
        assert!(c[1..].iter().all(|x| x.abs() < 1e-3));
        assert_eq!(mfcc(&[0.1; 399]).n_frames, 0);
    }

    #[test]
    fn spectral_shape_separates_low_from_high_tones() {
        // c1 weighs low bands positively and high bands negatively, so it falls as the tone rises.
        let low = mfcc(&tone(300.0, 0.5));
        let high = mfcc(&tone(3000.0, 0.5));
        assert!(low.frame(20)[1] > high.frame(20)[1] + 5.0, "{} vs {}", low.frame(20)[1], high.frame(20)[1]);
        // Louder input raises c0 by ln(gain^2) * sqrt(24) and leaves the shape alone.
        let loud: Vec<f32> = tone(300.0, 0.5).iter().map(|x| x * 2.0).collect();
        let l2 = mfcc(&loud);
        assert!((l2.frame(20)[0] - low.frame(20)[0] - 4f32.ln() * (N_FILTERS as f32).sqrt()).abs() < 0.05);
        assert!((l2.frame(20)[3] - low.frame(20)[3]).abs() < 0.05);
    }
}
