//! Voice activity detection: which parts of a recording hold speech.
//!
//! Input: mono `f32` samples at 16 kHz (any length) and the bytes of Silero VAD's 16 kHz weights
//! (`silero_vad_16k.safetensors` from the `silero-vad` 6.x wheel, MIT).
//! Output: one speech probability per 512-sample window (32 ms), and speech regions in samples.
//!
//! Reference followed: Silero VAD v6, 16 kHz branch, as described by the wheel's small model definition
//! and its streaming wrapper. Each 512-sample window is prefixed with the last 64 samples of the window
//! before it (zeros for the first), reflection-padded by 64 on the right, turned into a 4-frame magnitude
//! spectrum by a learned STFT (a 256-tap, hop-128 convolution whose 258 outputs are 129 real and 129
//! imaginary bins), passed through four 3-tap convolutions with ReLU (the encoder), one LSTM cell step
//! whose state carries over to the next window, and a ReLU + 1x1 convolution + sigmoid (the decoder).
//! Region finding follows the behaviour of silero's `get_speech_timestamps` (enter at `threshold`, leave
//! after `min_silence_ms` below `neg_threshold`, drop regions shorter than `min_speech_ms`, pad by
//! `speech_pad_ms`), written anew here.
//!
//! Design: everything before the LSTM depends on one window only, so it runs batched, as a few large
//! matrix products over up to [`BLOCK_WINDOWS`] windows at once; only the 128-wide recurrent step runs
//! window by window, in plain Rust, where a tensor call per step would cost more than the arithmetic.
//!
//! Checked: fed the weights of the wheel's `silero_vad.onnx` (renamed into this file's tensor names),
//! this port matches onnxruntime to 3e-6 per window. The wheel's safetensors file is a different
//! checkpoint from its ONNX/JIT files, so with it probabilities differ from theirs (regions mostly agree).
//!
//! Limits: 16 kHz only (resample first); no 8 kHz branch; no `max_speech_duration_s` splitting (regions
//! may be arbitrarily long, the caller cuts them for the recogniser); whole-buffer API, no streaming.

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor, D};

use crate::error::{BedsideError, Result};

/// Name used in model errors.
const MODEL: &str = "silero-vad-16k";
/// The model's sample rate.
pub const SAMPLE_RATE_HZ: usize = 16_000;
/// Samples per window; one probability comes out per window (32 ms).
pub const WINDOW_SAMPLES: usize = 512;
/// Samples of the previous window prepended to each window, as the streaming reference does.
const CONTEXT_SAMPLES: usize = 64;
/// Right-hand reflection padding before the STFT.
const REFLECT_SAMPLES: usize = 64;
/// Context + window + reflection: what the STFT sees per window.
const PADDED_SAMPLES: usize = CONTEXT_SAMPLES + WINDOW_SAMPLES + REFLECT_SAMPLES;
const N_FFT: usize = 256;
const HOP: usize = 128;
/// (640 - 256) / 128 + 1 frames per window.
const STFT_FRAMES: usize = (PADDED_SAMPLES - N_FFT) / HOP + 1;
const BINS: usize = N_FFT / 2 + 1;
const HIDDEN: usize = 128;
const GATES: usize = 4 * HIDDEN;
/// Windows per batched front-end pass: about 33 s of audio, a few MB of activations, so memory stays
/// bounded (this also runs in a browser tab) while each matrix product is still large.
const BLOCK_WINDOWS: usize = 1024;

/// Settings for [`Vad::speech_regions`]. Defaults are silero's `get_speech_timestamps` defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct VadOptions {
    /// A window at or above this probability is speech (and starts a region).
    pub threshold: f32,
    /// Inside a region, windows below this count as silence. `None` means `max(threshold - 0.15, 0.01)`.
    pub neg_threshold: Option<f32>,
    /// Regions this short or shorter are dropped.
    pub min_speech_ms: u32,
    /// Silence must last this long before a region ends.
    pub min_silence_ms: u32,
    /// Each region grows by this much on both sides (halving the gap instead if two regions would meet).
    pub speech_pad_ms: u32,
}

impl Default for VadOptions {
    fn default() -> Self {
        VadOptions { threshold: 0.5, neg_threshold: None, min_speech_ms: 250, min_silence_ms: 100, speech_pad_ms: 30 }
    }
}

/// A stretch of speech, in samples of the 16 kHz input (`end_sample` is exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeechRegion {
    pub start_sample: usize,
    pub end_sample: usize,
}

impl SpeechRegion {
    pub fn start_seconds(&self) -> f64 {
        self.start_sample as f64 / SAMPLE_RATE_HZ as f64
    }
    pub fn end_seconds(&self) -> f64 {
        self.end_sample as f64 / SAMPLE_RATE_HZ as f64
    }
}

/// One 3-tap encoder convolution (followed by ReLU).
struct EncoderConv {
    weight: Tensor,
    /// Shaped (1, out_channels, 1) so it broadcasts over batch and time.
    bias: Tensor,
    stride: usize,
}

impl EncoderConv {
    fn load(tensors: &HashMap<String, Tensor>, name: &str, in_ch: usize, out_ch: usize, stride: usize) -> Result<Self> {
        let weight = take(tensors, &format!("{name}.weight"), &[out_ch, in_ch, 3])?;
        let bias = take(tensors, &format!("{name}.bias"), &[out_ch])?;
        let bias = bias.reshape((1, out_ch, 1)).map_err(BedsideError::runtime("vad"))?;
        Ok(EncoderConv { weight, bias, stride })
    }

    /// (batch, in, time) -> (batch, out, time'); "same" padding of 1 as in the reference.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.conv1d(&self.weight, 1, self.stride, 1, 1)?.broadcast_add(&self.bias)?.relu()
    }
}

/// The Silero VAD 16 kHz model, ready to run. Holds no per-recording state, so one `Vad` can serve
/// many recordings.
pub struct Vad {
    /// STFT basis transposed to (256, 258), so framed audio times it gives real|imaginary bins.
    stft_basis: Tensor,
    encoder: [EncoderConv; 4],
    /// LSTM input weights transposed to (128, 512); gate order i, f, g, o as in PyTorch.
    lstm_input_t: Tensor,
    /// `bias_ih + bias_hh`, folded once.
    lstm_bias: Tensor,
    /// LSTM recurrent weights, row-major (512, 128), used by the sequential step.
    lstm_recurrent: Vec<f32>,
    decoder_weight: Vec<f32>,
    decoder_bias: f32,
}

impl Vad {
    /// Reads the 16 kHz weights from safetensors bytes. Fails with a model error naming the first
    /// missing or misshapen tensor.
    pub fn load(safetensors_bytes: &[u8]) -> Result<Vad> {
        let tensors = candle_core::safetensors::load_buffer(safetensors_bytes, &Device::Cpu)
            .map_err(|e| BedsideError::model(MODEL, format!("not a readable safetensors file: {e}")))?;
        let rt = BedsideError::runtime("vad");

        let stft = take(&tensors, "stft_conv.weight", &[2 * BINS, 1, N_FFT])?;
        let stft_basis = stft.reshape((2 * BINS, N_FFT)).and_then(|t| t.t()).and_then(|t| t.contiguous()).map_err(rt)?;

        let encoder = [
            EncoderConv::load(&tensors, "conv1", BINS, 128, 1)?,
            EncoderConv::load(&tensors, "conv2", 128, 64, 2)?,
            EncoderConv::load(&tensors, "conv3", 64, 64, 2)?,
            EncoderConv::load(&tensors, "conv4", 64, HIDDEN, 1)?,
        ];

        let w_ih = take(&tensors, "lstm_cell.weight_ih", &[GATES, HIDDEN])?;
        let w_hh = take(&tensors, "lstm_cell.weight_hh", &[GATES, HIDDEN])?;
        let b_ih = take(&tensors, "lstm_cell.bias_ih", &[GATES])?;
        let b_hh = take(&tensors, "lstm_cell.bias_hh", &[GATES])?;
        let lstm_input_t = w_ih.t().and_then(|t| t.contiguous()).map_err(BedsideError::runtime("vad"))?;
        let lstm_bias = (b_ih + b_hh).map_err(BedsideError::runtime("vad"))?;
        let lstm_recurrent = to_vec(&w_hh)?;

        let decoder_weight = to_vec(&take(&tensors, "final_conv.weight", &[1, HIDDEN, 1])?)?;
        let decoder_bias = to_vec(&take(&tensors, "final_conv.bias", &[1])?)?[0];

        Ok(Vad { stft_basis, encoder, lstm_input_t, lstm_bias, lstm_recurrent, decoder_weight, decoder_bias })
    }

    /// Speech probability for each 512-sample window; the last window is zero-padded, so the result has
    /// `ceil(len / 512)` entries. The LSTM state starts at zero for every call.
    pub fn speech_probabilities(&self, samples_16k: &[f32]) -> Result<Vec<f32>> {
        if let Some(i) = samples_16k.iter().position(|s| !s.is_finite()) {
            return Err(BedsideError::EmptyAudio { reason: format!("sample {i} is not a finite number") });
        }
        let windows = samples_16k.len().div_ceil(WINDOW_SAMPLES);
        let mut probabilities = Vec::with_capacity(windows);
        let mut state = LstmState::default();
        let mut first = 0;
        while first < windows {
            let count = BLOCK_WINDOWS.min(windows - first);
            let gate_inputs = self.front_end(samples_16k, first, count).map_err(BedsideError::runtime("vad"))?;
            for x in gate_inputs.chunks_exact(GATES) {
                state.step(x, &self.lstm_recurrent);
                probabilities.push(self.decode(&state.h));
            }
            first += count;
        }
        Ok(probabilities)
    }

    /// Speech regions of a recording: runs the model, then [`speech_regions_from_probabilities`].
    pub fn speech_regions(&self, samples_16k: &[f32], opts: &VadOptions) -> Result<Vec<SpeechRegion>> {
        let probabilities = self.speech_probabilities(samples_16k)?;
        speech_regions_from_probabilities(&probabilities, samples_16k.len(), opts)
    }

    /// Everything up to the LSTM for windows `first..first + count`: returns, row by row, each window's
    /// input contribution to the four gates (`W_ih x + b_ih + b_hh`), `count * 512` values.
    fn front_end(&self, samples: &[f32], first: usize, count: usize) -> candle_core::Result<Vec<f32>> {
        let frames = frame_windows(samples, first, count);
        let frames = Tensor::from_vec(frames, (count * STFT_FRAMES, N_FFT), &Device::Cpu)?;
        let spectrum = frames.matmul(&self.stft_basis)?;
        let re = spectrum.narrow(1, 0, BINS)?;
        let im = spectrum.narrow(1, BINS, BINS)?;
        let magnitude = (re.sqr()? + im.sqr()?)?.sqrt()?;
        // (windows * frames, bins) -> (windows, bins, frames): channels first for the convolutions.
        let mut x = magnitude.reshape((count, STFT_FRAMES, BINS))?.transpose(1, 2)?.contiguous()?;
        for conv in &self.encoder {
            x = conv.forward(&x)?;
        }
        // Two stride-2 convolutions leave one time step: (windows, 128, 1) -> (windows, 128).
        let features = x.squeeze(D::Minus1)?;
        let gates = features.matmul(&self.lstm_input_t)?.broadcast_add(&self.lstm_bias)?;
        gates.flatten_all()?.to_vec1::<f32>()
    }

    /// ReLU, 1x1 convolution to one channel, sigmoid.
    fn decode(&self, h: &[f32; HIDDEN]) -> f32 {
        let logit = self.decoder_bias + h.iter().zip(&self.decoder_weight).map(|(&v, &w)| v.max(0.0) * w).sum::<f32>();
        sigmoid(logit)
    }
}

/// Builds the STFT input frames of `count` windows starting at window `first`, row-major
/// (count * 4, 256). Samples past the end read as zero, as the reference zero-pads the last window.
fn frame_windows(samples: &[f32], first: usize, count: usize) -> Vec<f32> {
    let sample = |i: usize| samples.get(i).copied().unwrap_or(0.0);
    let mut frames = Vec::with_capacity(count * STFT_FRAMES * N_FFT);
    let mut padded = [0.0f32; PADDED_SAMPLES];
    for w in first..first + count {
        let start = w * WINDOW_SAMPLES;
        // Context: the 64 samples before this window; the first window sees zeros.
        for (k, slot) in padded[..CONTEXT_SAMPLES].iter_mut().enumerate() {
            *slot = if start >= CONTEXT_SAMPLES { sample(start - CONTEXT_SAMPLES + k) } else { 0.0 };
        }
        for k in 0..WINDOW_SAMPLES {
            padded[CONTEXT_SAMPLES + k] = sample(start + k);
        }
        // Reflection without repeating the edge: x[L], x[L+1], ... = x[L-2], x[L-3], ...
        let len = CONTEXT_SAMPLES + WINDOW_SAMPLES;
        for k in 0..REFLECT_SAMPLES {
            padded[len + k] = padded[len - 2 - k];
        }
        for f in 0..STFT_FRAMES {
            frames.extend_from_slice(&padded[f * HOP..f * HOP + N_FFT]);
        }
    }
    frames
}

/// LSTM hidden and cell state carried from window to window.
struct LstmState {
    h: [f32; HIDDEN],
    c: [f32; HIDDEN],
}

impl Default for LstmState {
    fn default() -> Self {
        LstmState { h: [0.0; HIDDEN], c: [0.0; HIDDEN] }
    }
}

impl LstmState {
    /// One LSTM cell step; `input_gates` already holds `W_ih x + b_ih + b_hh` (512 values, i f g o).
    fn step(&mut self, input_gates: &[f32], recurrent: &[f32]) {
        let mut gates = [0.0f32; GATES];
        for ((g, &x), row) in gates.iter_mut().zip(input_gates).zip(recurrent.chunks_exact(HIDDEN)) {
            *g = x + dot(row, &self.h);
        }
        for j in 0..HIDDEN {
            let i = sigmoid(gates[j]);
            let f = sigmoid(gates[HIDDEN + j]);
            let g = gates[2 * HIDDEN + j].tanh();
            let o = sigmoid(gates[3 * HIDDEN + j]);
            self.c[j] = f * self.c[j] + i * g;
            self.h[j] = o * self.c[j].tanh();
        }
    }
}

/// Dot product with eight running sums, so the compiler can vectorise it (also with simd128).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f32 = a.chunks_exact(8).remainder().iter().zip(b.chunks_exact(8).remainder()).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Fetches a weight by name, checks its shape, and makes it f32.
fn take(tensors: &HashMap<String, Tensor>, name: &str, shape: &[usize]) -> Result<Tensor> {
    let t = tensors.get(name).ok_or_else(|| BedsideError::model(MODEL, format!("missing tensor `{name}`")))?;
    if t.dims() != shape {
        return Err(BedsideError::model(MODEL, format!("tensor `{name}` has shape {:?}, expected {shape:?}", t.dims())));
    }
    t.to_dtype(DType::F32).map_err(BedsideError::runtime("vad"))
}

fn to_vec(t: &Tensor) -> Result<Vec<f32>> {
    t.flatten_all().and_then(|t| t.to_vec1::<f32>()).map_err(BedsideError::runtime("vad"))
}

/// Turns per-window probabilities into speech regions (silero's `get_speech_timestamps` behaviour without
/// maximum-length splitting). `total_samples` is the recording's length, which bounds the last region.
pub fn speech_regions_from_probabilities(
    probabilities: &[f32],
    total_samples: usize,
    opts: &VadOptions,
) -> Result<Vec<SpeechRegion>> {
    let settings = |reason: String| BedsideError::Settings { reason };
    if !(opts.threshold > 0.0 && opts.threshold <= 1.0) {
        return Err(settings(format!("vad threshold {} is outside (0, 1]", opts.threshold)));
    }
    let neg_threshold = opts.neg_threshold.unwrap_or((opts.threshold - 0.15).max(0.01));
    if !(neg_threshold > 0.0 && neg_threshold <= opts.threshold) {
        return Err(settings(format!("vad neg_threshold {neg_threshold} must be in (0, threshold {}]", opts.threshold)));
    }
    let samples_per_ms = SAMPLE_RATE_HZ / 1000;
    let min_speech = opts.min_speech_ms as usize * samples_per_ms;
    let min_silence = opts.min_silence_ms as usize * samples_per_ms;
    let pad = opts.speech_pad_ms as usize * samples_per_ms;

    // Hysteresis: enter at `threshold`; once in, only windows under `neg_threshold` count as silence,
    // and the region ends where that silence began, once it has lasted `min_silence`. A window back at
    // `threshold` forgives the silence seen so far; windows between the two thresholds neither end nor
    // forgive it.
    let mut regions = Vec::new();
    let mut open: Option<usize> = None;
    let mut silence_from: Option<usize> = None;
    for (i, &p) in probabilities.iter().enumerate() {
        let at = i * WINDOW_SAMPLES;
        if p >= opts.threshold {
            silence_from = None;
            open.get_or_insert(at);
            continue;
        }
        let Some(start) = open else { continue };
        if p < neg_threshold {
            let since = *silence_from.get_or_insert(at);
            if at - since >= min_silence {
                if since - start > min_speech {
                    regions.push(SpeechRegion { start_sample: start, end_sample: since });
                }
                open = None;
                silence_from = None;
            }
        }
    }
    // Speech still open at the end runs to the end of the recording.
    if let Some(start) = open {
        if total_samples.saturating_sub(start) > min_speech {
            regions.push(SpeechRegion { start_sample: start, end_sample: total_samples.max(start) });
        }
    }

    // Padding: each side grows by `pad`, but two regions closer than 2 * pad split the gap between them
    // instead, so they never overlap.
    let last = regions.len().saturating_sub(1);
    for i in 0..regions.len() {
        if i == 0 {
            regions[0].start_sample = regions[0].start_sample.saturating_sub(pad);
        }
        if i < last {
            let gap = regions[i + 1].start_sample - regions[i].end_sample;
            let grow = if gap < 2 * pad { gap / 2 } else { pad };
            regions[i].end_sample += grow;
            regions[i + 1].start_sample -= grow;
        } else {
            regions[i].end_sample = (regions[i].end_sample + pad).min(total_samples);
        }
    }
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;
    use std::time::Instant;

    fn manifest_path(rel: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
    }

    /// The real weights; a missing file fails the test loudly rather than skipping it.
    fn vad() -> &'static Vad {
        static VAD: OnceLock<Vad> = OnceLock::new();
        VAD.get_or_init(|| {
            let path = manifest_path("models/silero-vad-16k.safetensors");
            let bytes = std::fs::read(&path).unwrap_or_else(|e| {
                panic!("cannot read {}: {e}; run `make models` to extract the Silero VAD weights", path.display())
            });
            Vad::load(&bytes).expect("the Silero VAD weights load")
        })
    }

    /// Minimal RIFF/WAVE reader for the test fixture: 16-bit PCM, mono, 16 kHz only.
    fn read_wav_16k_mono(path: &str) -> Vec<f32> {
        let bytes = std::fs::read(manifest_path(path)).expect("fixture exists");
        assert!(bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WAVE", "not a WAV file");
        let mut pos = 12;
        let mut format_ok = false;
        while pos + 8 <= bytes.len() {
            let id = &bytes[pos..pos + 4];
            let size = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
            let body = &bytes[pos + 8..(pos + 8 + size).min(bytes.len())];
            if id == b"fmt " {
                let u16_at = |o: usize| u16::from_le_bytes([body[o], body[o + 1]]);
                let rate = u32::from_le_bytes(body[4..8].try_into().unwrap());
                assert_eq!((u16_at(0), u16_at(2), rate, u16_at(14)), (1, 1, 16_000, 16), "need PCM mono 16 kHz 16-bit");
                format_ok = true;
            } else if id == b"data" {
                assert!(format_ok, "data chunk before fmt chunk");
                return body.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0).collect();
            }
            pos += 8 + size + (size & 1);
        }
        panic!("no data chunk in {path}");
    }

    /// Deterministic uniform noise in [-amplitude, amplitude].
    fn white_noise(len: usize, amplitude: f32) -> Vec<f32> {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                ((state >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * amplitude
            })
            .collect()
    }

    fn max(values: &[f32]) -> f32 {
        values.iter().copied().fold(f32::MIN, f32::max)
    }

    #[test]
    fn silence_is_not_speech() {
        let zeros = vec![0.0f32; 3 * SAMPLE_RATE_HZ];
        let probs = vad().speech_probabilities(&zeros).unwrap();
        assert_eq!(probs.len(), (3 * SAMPLE_RATE_HZ).div_ceil(WINDOW_SAMPLES));
        assert!(max(&probs) < 0.2, "max probability in silence {}", max(&probs));
        assert!(vad().speech_regions(&zeros, &VadOptions::default()).unwrap().is_empty());
    }

    #[test]
    fn low_white_noise_is_not_speech() {
        let noise = white_noise(3 * SAMPLE_RATE_HZ, 0.01);
        let probs = vad().speech_probabilities(&noise).unwrap();
        assert!(max(&probs) < 0.2, "max probability in noise {}", max(&probs));
        assert!(vad().speech_regions(&noise, &VadOptions::default()).unwrap().is_empty());
    }

    #[test]
    fn speech_regions_cover_speech_and_skip_silence() {
        // 0-2 s: speech, 2-4 s: digital silence, 4-6 s: speech (espeak-ng, resampled with sox).
        let samples = read_wav_16k_mono("tests/fixtures/audio/speech_then_silence.wav");
        assert_eq!(samples.len(), 6 * SAMPLE_RATE_HZ);
        let probs = vad().speech_probabilities(&samples).unwrap();
        let mean = |a: usize, b: usize| probs[a..b].iter().sum::<f32>() / (b - a) as f32;
        let per_second = SAMPLE_RATE_HZ as f32 / WINDOW_SAMPLES as f32;
        let window = |s: f32| (s * per_second) as usize;
        assert!(mean(window(0.3), window(1.7)) > 0.6, "first speech mean {}", mean(window(0.3), window(1.7)));
        assert!(mean(window(2.5), window(3.5)) < 0.1, "silence mean {}", mean(window(2.5), window(3.5)));

        let regions = vad().speech_regions(&samples, &VadOptions::default()).unwrap();
        let secs: Vec<(f64, f64)> = regions.iter().map(|r| (r.start_seconds(), r.end_seconds())).collect();
        assert_eq!(regions.len(), 2, "regions {secs:?}");
        let near = |a: f64, b: f64| (a - b).abs() <= 0.3;
        assert!(near(secs[0].0, 0.0) && near(secs[0].1, 2.0), "first region {:?}", secs[0]);
        assert!(near(secs[1].0, 4.0) && near(secs[1].1, 6.0), "second region {:?}", secs[1]);
        // Nothing inside the middle of the silence.
        assert!(regions.iter().all(|r| r.end_seconds() <= 2.3 || r.start_seconds() >= 3.7));
    }

    /// Context handling: the same audio must give the same probabilities however the blocks fall,
    /// i.e. batching across blocks matches window-by-window processing.
    #[test]
    fn block_boundaries_do_not_change_results() {
        let speech = read_wav_16k_mono("tests/fixtures/audio/speech_then_silence.wav");
        // Long enough to span two front-end blocks.
        let mut long = Vec::new();
        while long.len() < (BLOCK_WINDOWS + 200) * WINDOW_SAMPLES {
            long.extend_from_slice(&speech);
        }
        let all = vad().speech_probabilities(&long).unwrap();
        let head = vad().speech_probabilities(&long[..300 * WINDOW_SAMPLES]).unwrap();
        let worst = all[..300].iter().zip(&head).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-5, "batch size changed probabilities by {worst}");
        // The speech repeats every 6 s; once the LSTM has settled, repeats look alike.
        let period = 6 * SAMPLE_RATE_HZ / WINDOW_SAMPLES; // 187.5 windows, so compare means, not windows
        let mean_over = |from: usize| all[from..from + period].iter().sum::<f32>() / period as f32;
        assert!((mean_over(BLOCK_WINDOWS - 100) - mean_over(200)).abs() < 0.05);
    }

    #[test]
    fn partial_last_window_and_empty_input() {
        assert!(vad().speech_probabilities(&[]).unwrap().is_empty());
        assert!(vad().speech_regions(&[], &VadOptions::default()).unwrap().is_empty());
        assert_eq!(vad().speech_probabilities(&vec![0.0; 513]).unwrap().len(), 2);
        let err = vad().speech_probabilities(&[0.0, f32::NAN]).unwrap_err();
        assert_eq!(err.code(), "AUDIO_EMPTY");
    }

    fn safetensors_bytes(entries: &[(&str, &[usize])]) -> Vec<u8> {
        let mut header = serde_json::Map::new();
        let mut offset = 0;
        for (name, shape) in entries {
            let len = shape.iter().product::<usize>() * 4;
            header.insert(
                name.to_string(),
                serde_json::json!({ "dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len] }),
            );
            offset += len;
        }
        let header = serde_json::to_vec(&header).unwrap();
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(&header);
        bytes.resize(bytes.len() + offset, 0);
        bytes
    }

    #[test]
    fn bad_weights_give_model_errors() {
        let err = Vad::load(b"not safetensors").err().unwrap();
        assert_eq!(err.code(), "MODEL_INVALID");

        let err = Vad::load(&safetensors_bytes(&[("conv1.bias", &[128])])).err().unwrap();
        assert_eq!(err.code(), "MODEL_INVALID");
        assert!(err.to_string().contains("missing tensor `stft_conv.weight`"), "{err}");

        let err = Vad::load(&safetensors_bytes(&[("stft_conv.weight", &[258, 1, 128])])).err().unwrap();
        assert!(err.to_string().contains("`stft_conv.weight` has shape [258, 1, 128]"), "{err}");
    }

    #[test]
    fn hysteresis_and_padding() {
        let opts = VadOptions::default();
        let w = WINDOW_SAMPLES;
        // 20 windows of speech, a 2-window dip below neg_threshold (64 ms < 100 ms: bridged), 20 more,
        // then 20 windows of silence.
        let mut probs = vec![0.9f32; 20];
        probs.extend([0.1, 0.1]);
        probs.extend(vec![0.9f32; 20]);
        probs.extend(vec![0.0f32; 20]);
        let total = probs.len() * w;
        let regions = speech_regions_from_probabilities(&probs, total, &opts).unwrap();
        assert_eq!(regions, vec![SpeechRegion { start_sample: 0, end_sample: 42 * w + 480 }]);

        // Between the thresholds (0.35..0.5) the region neither ends nor restarts the silence count.
        let mut probs = vec![0.0f32; 10];
        probs.extend(vec![0.9f32; 20]);
        probs.extend(vec![0.4f32; 30]);
        probs.extend(vec![0.0f32; 10]);
        let regions = speech_regions_from_probabilities(&probs, probs.len() * w, &opts).unwrap();
        assert_eq!(regions, vec![SpeechRegion { start_sample: 10 * w - 480, end_sample: 60 * w + 480 }]);

        // Too short: 7 windows = 224 ms <= 250 ms.
        let mut probs = vec![0.9f32; 7];
        probs.extend(vec![0.0f32; 10]);
        assert!(speech_regions_from_probabilities(&probs, probs.len() * w, &opts).unwrap().is_empty());

        // Two regions 5 windows (2560 samples) apart: gap >= 2 * pad, each side grows by 480.
        let mut probs = vec![0.9f32; 10];
        probs.extend(vec![0.0f32; 5]);
        probs.extend(vec![0.9f32; 10]);
        let total = probs.len() * w - 100;
        let regions = speech_regions_from_probabilities(&probs, total, &opts).unwrap();
        assert_eq!(
            regions,
            vec![
                SpeechRegion { start_sample: 0, end_sample: 10 * w + 480 },
                SpeechRegion { start_sample: 15 * w - 480, end_sample: total },
            ]
        );

        assert!(speech_regions_from_probabilities(&probs, total, &VadOptions { threshold: 1.5, ..opts.clone() }).is_err());
    }

    /// Reports speed (run with --nocapture); asserts only a loose bound so slow CI machines pass.
    #[test]
    fn one_minute_speed() {
        let speech = read_wav_16k_mono("tests/fixtures/audio/speech_then_silence.wav");
        let minute: Vec<f32> = speech.iter().copied().cycle().take(60 * SAMPLE_RATE_HZ).collect();
        let _ = vad().speech_probabilities(&minute[..SAMPLE_RATE_HZ]).unwrap();
        let t = Instant::now();
        let probs = vad().speech_probabilities(&minute).unwrap();
        let seconds = t.elapsed().as_secs_f64();
        eprintln!("vad: {seconds:.3} s per minute of audio ({} windows)", probs.len());
        assert_eq!(probs.len(), 1875);
        assert!(seconds < 20.0);
    }
}
