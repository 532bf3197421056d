//! Whisper's log-mel spectrogram, computed on one thread (so it runs in wasm).
//!
//! Input: 16 kHz mono samples and Whisper's mel filter bank (`n_mels x 201`, row-major `f32`, as in
//! openai-whisper's `mel_filters.npz`). Output: `n_mels x n_frames` row-major, one frame per 160
//! samples (10 ms), normalised the way Whisper's encoder was trained on.
//!
//! Reference followed: openai-whisper `audio.log_mel_spectrogram`: `torch.stft(n_fft=400, hop=160,
//! periodic Hann window, center=True, pad_mode="reflect")`, power `|X|^2` of the 201 bins, the last
//! frame dropped (`stft[..., :-1]`), `filters @ power`, `log10(max(mel, 1e-10))`, floor at
//! `max - 8`, then `(x + 4) / 4`.
//!
//! Intended differences from candle's `whisper::audio::pcm_to_mel`, which follows an older
//! whisper.cpp: candle starts frame `i` at sample `160 i` with no centring or reflection (so its
//! frames sit 200 samples later than Whisper's), doubles the power of bins 1..=199 (folding in the
//! mirrored half of the spectrum), appends at least 30 s of zero frames, and spawns threads. Here
//! the framing and power follow the Python reference exactly, and the output holds exactly
//! [`n_frames`] frames; callers pad or cut to Whisper's 3000-frame window themselves.
//!
//! Limits: the `max - 8` floor is taken over the frames given, so a spectrogram of a whole recording
//! can differ from one of each 30 s window in its quietest parts (as it also does in Whisper, whose
//! `transcribe` computes it over the whole padded recording). Inputs under one hop (160 samples)
//! have no frames and are an error. Reflection at the edges repeats as needed for inputs shorter
//! than 201 samples, where torch would refuse.

use crate::error::{BedsideError, Result};
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlannerScalar};
use std::sync::Arc;

/// FFT window length in samples (25 ms at 16 kHz).
pub const N_FFT: usize = 400;
/// Hop between frames in samples (10 ms at 16 kHz).
pub const HOP_SAMPLES: usize = 160;
/// Frequency bins of a real FFT of [`N_FFT`] samples (DC to Nyquist).
pub const N_FREQ_BINS: usize = N_FFT / 2 + 1;

/// The number of frames [`log_mel_spectrogram`] returns for `n_samples` samples.
pub fn n_frames(n_samples: usize) -> usize {
    n_samples / HOP_SAMPLES
}

/// Computes Whisper's normalised log-mel spectrogram; see the module header for the recipe.
/// Returns `n_mels * n_frames(samples.len())` values, mel band-major (`out[m * n_frames + t]`).
pub fn log_mel_spectrogram(samples: &[f32], filters: &[f32], n_mels: usize) -> Result<Vec<f32>> {
    log_mel_spectrogram_of(&Signal::new(&[samples], 0), filters, n_mels)
}

/// The spectrogram of `pieces` end to end followed by `silence` zero samples, read in place: the
/// recogniser reads the speech stretches of a recording with Whisper's 30 s of silence after them, and
/// joining them into one padded copy would cost 230 MB for an hour.
pub fn log_mel_spectrogram_padded(pieces: &[&[f32]], silence: usize, filters: &[f32], n_mels: usize) -> Result<Vec<f32>> {
    log_mel_spectrogram_of(&Signal::new(pieces, silence), filters, n_mels)
}

/// Pieces of audio end to end, then zeros: `len` samples in all.
struct Signal<'a> {
    pieces: &'a [&'a [f32]],
    /// Where each piece starts.
    starts: Vec<usize>,
    len: usize,
}

impl<'a> Signal<'a> {
    fn new(pieces: &'a [&'a [f32]], silence: usize) -> Self {
        let mut starts = Vec::with_capacity(pieces.len());
        let mut at = 0;
        for piece in pieces {
            starts.push(at);
            at += piece.len();
        }
        Signal { pieces, starts, len: at + silence }
    }

    /// The piece holding sample `i`, and `i`'s place in it; `None` in the silence.
    fn locate(&self, i: usize) -> Option<(&'a [f32], usize)> {
        let k = self.starts.partition_point(|&s| s <= i).checked_sub(1)?;
        let at = i - self.starts[k];
        (at < self.pieces[k].len()).then(|| (self.pieces[k], at))
    }

    fn get(&self, i: usize) -> f32 {
        self.locate(i).map_or(0.0, |(piece, at)| piece[at])
    }

    /// Samples `start..start + n` when they lie in one piece.
    fn slice(&self, start: usize, n: usize) -> Option<&'a [f32]> {
        let (piece, at) = self.locate(start)?;
        piece.get(at..at + n)
    }
}

fn log_mel_spectrogram_of(signal: &Signal, filters: &[f32], n_mels: usize) -> Result<Vec<f32>> {
    if n_mels == 0 || filters.len() != n_mels * N_FREQ_BINS {
        return Err(BedsideError::model(
            "mel filters",
            format!(
                "expected {n_mels} x {N_FREQ_BINS} = {} values, got {}",
                n_mels * N_FREQ_BINS,
                filters.len()
            ),
        ));
    }
    if let Some(at) = filters.iter().position(|f| !f.is_finite()) {
        return Err(BedsideError::model("mel filters", format!("value {at} is not a finite number")));
    }
    let frames = n_frames(signal.len);
    if frames == 0 {
        return Err(BedsideError::EmptyAudio {
            reason: format!(
                "{} samples is shorter than one {HOP_SAMPLES}-sample spectrogram frame",
                signal.len
            ),
        });
    }
    for (piece, start) in signal.pieces.iter().zip(&signal.starts) {
        if let Some(at) = piece.iter().position(|s| !s.is_finite()) {
            return Err(BedsideError::EmptyAudio { reason: format!("sample {} is not a finite number", start + at) });
        }
    }

    let bands = MelBands::new(filters, n_mels);
    let mut spectra = PowerSpectra::new();
    let mut out = vec![0.0f32; n_mels * frames];
    let mut log_max = f32::NEG_INFINITY;
    let mut write_frame = |t: usize, power: &[f32; N_FREQ_BINS]| {
        for (m, (row, range)) in bands.rows().enumerate() {
            let energy: f32 = row[range.clone()].iter().zip(&power[range]).map(|(f, p)| f * p).sum();
            let log = energy.max(1e-10).log10();
            log_max = log_max.max(log);
            out[m * frames + t] = log;
        }
    };

    // Two real frames share one complex FFT (one in the real part, one in the imaginary part),
    // halving the FFT work; this is the dominant cost on long recordings.
    let mut t = 0;
    while t < frames {
        let pair = t + 1 < frames;
        spectra.compute(signal, t, pair);
        write_frame(t, &spectra.first);
        if pair {
            write_frame(t + 1, &spectra.second);
        }
        t += 2;
    }

    let floor = log_max - 8.0;
    for v in &mut out {
        *v = (v.max(floor) + 4.0) / 4.0;
    }
    Ok(out)
}

/// The filter bank with each row's non-zero span, since mel triangles cover only a few bins and
/// skipping the zeros makes the projection several times cheaper.
struct MelBands<'a> {
    filters: &'a [f32],
    spans: Vec<std::ops::Range<usize>>,
}

impl<'a> MelBands<'a> {
    fn new(filters: &'a [f32], n_mels: usize) -> Self {
        let spans = (0..n_mels)
            .map(|m| {
                let row = &filters[m * N_FREQ_BINS..(m + 1) * N_FREQ_BINS];
                let start = row.iter().position(|&f| f != 0.0).unwrap_or(0);
                let end = row.iter().rposition(|&f| f != 0.0).map_or(0, |i| i + 1);
                start..end.max(start)
            })
            .collect();
        MelBands { filters, spans }
    }

    fn rows(&self) -> impl Iterator<Item = (&'a [f32], std::ops::Range<usize>)> + '_ {
        let filters = self.filters;
        self.spans
            .iter()
            .enumerate()
            .map(move |(m, span)| (&filters[m * N_FREQ_BINS..(m + 1) * N_FREQ_BINS], span.clone()))
    }
}

/// Planned FFT, window and buffers, allocated once per spectrogram.
struct PowerSpectra {
    fft: Arc<dyn Fft<f32>>,
    window: [f32; N_FFT],
    buffer: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    first: [f32; N_FREQ_BINS],
    second: [f32; N_FREQ_BINS],
}

impl PowerSpectra {
    fn new() -> Self {
        // The scalar planner on every target: the same arithmetic natively and in wasm keeps the two
        // builds' transcripts identical (the mel is a small share of the time).
        let fft = FftPlannerScalar::new().plan_fft_forward(N_FFT);
        // Periodic Hann (torch.hann_window default): the window's period is N, not N - 1.
        let mut window = [0.0f32; N_FFT];
        for (i, w) in window.iter_mut().enumerate() {
            *w = (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / N_FFT as f64).cos()) as f32;
        }
        let scratch = vec![Complex::default(); fft.get_inplace_scratch_len()];
        PowerSpectra {
            fft,
            window,
            buffer: vec![Complex::default(); N_FFT],
            scratch,
            first: [0.0; N_FREQ_BINS],
            second: [0.0; N_FREQ_BINS],
        }
    }

    /// Power spectra of frame `t` into `first` and, if `pair`, of frame `t + 1` into `second`.
    fn compute(&mut self, signal: &Signal, t: usize, pair: bool) {
        let a = frame_samples(signal, t);
        let b = if pair { frame_samples(signal, t + 1) } else { None };
        for i in 0..N_FFT {
            let re = match &a {
                Some(frame) => frame[i],
                None => reflected(signal, t * HOP_SAMPLES + i),
            };
            let im = match (&b, pair) {
                (Some(frame), _) => frame[i],
                (None, true) => reflected(signal, (t + 1) * HOP_SAMPLES + i),
                (None, false) => 0.0,
            };
            self.buffer[i] = Complex::new(re * self.window[i], im * self.window[i]);
        }
        self.fft.process_with_scratch(&mut self.buffer, &mut self.scratch);

        // With z = a + i b for real a, b: A[k] = (Z[k] + conj Z[N-k]) / 2 and
        // B[k] = (Z[k] - conj Z[N-k]) / 2i, so both powers come from Z[k] and Z[N-k].
        let z = &self.buffer;
        for k in 0..N_FREQ_BINS {
            let zk = z[k];
            let zn = z[(N_FFT - k) % N_FFT];
            let (sum_re, diff_im) = (zk.re + zn.re, zk.im - zn.im);
            let (diff_re, sum_im) = (zk.re - zn.re, zk.im + zn.im);
            self.first[k] = 0.25 * (sum_re * sum_re + diff_im * diff_im);
            self.second[k] = 0.25 * (sum_im * sum_im + diff_re * diff_re);
        }
    }
}

/// The 400 samples of frame `t` when it lies wholly inside the input's samples (no reflection or
/// silence needed). Frame `t` covers input samples `160 t - 200 .. 160 t + 200` (centred, as torch's
/// `center=True`).
fn frame_samples<'a>(signal: &Signal<'a>, t: usize) -> Option<&'a [f32]> {
    let start = (t * HOP_SAMPLES).checked_sub(N_FFT / 2)?;
    signal.slice(start, N_FFT)
}

/// Sample `padded_index` of the input reflect-padded by `N_FFT / 2` on both sides (numpy/torch
/// "reflect": the edge sample is not repeated), folding repeatedly for very short inputs.
fn reflected(signal: &Signal, padded_index: usize) -> f32 {
    let n = signal.len as i64;
    if n == 1 {
        return signal.get(0);
    }
    let period = 2 * (n - 1);
    let mut j = (padded_index as i64 - (N_FFT / 2) as i64).rem_euclid(period);
    if j >= n {
        j = period - j;
    }
    signal.get(j as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_transformers::models::whisper::audio::log_mel_spectrogram_;

    /// A deterministic, positive, dense filter bank: every bin contributes to every band.
    fn synthetic_filters(n_mels: usize) -> Vec<f32> {
        (0..n_mels * N_FREQ_BINS)
            .map(|i| {
                let (m, k) = (i / N_FREQ_BINS, i % N_FREQ_BINS);
                0.01 + ((m * 31 + k * 17) % 97) as f32 / 97.0 * (1.0 + (k as f32 / 40.0).sin().abs())
            })
            .collect()
    }

    /// Speech-like test signal: a gliding tone, harmonics and a little noise, loud in the middle
    /// and fading out at the end (so the loudest frame is not an edge frame).
    fn test_signal(n: usize) -> Vec<f32> {
        let mut state = 12345u32;
        (0..n)
            .map(|i| {
                let t = i as f64 / 16_000.0;
                let f = 200.0 + 300.0 * t;
                let phase = 2.0 * std::f64::consts::PI * f * t;
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (state >> 8) as f64 / (1u64 << 24) as f64 - 0.5;
                let envelope = (1.0 - i as f64 / n as f64).powi(2);
                (envelope * (0.5 * phase.sin() + 0.2 * (3.0 * phase).sin() + 0.05 * noise)) as f32
            })
            .collect()
    }

    fn reflect_pad(samples: &[f32]) -> Vec<f32> {
        (0..samples.len() + N_FFT).map(|i| reflected(&Signal::new(&[samples], 0), i)).collect()
    }

    #[test]
    fn matches_candle_after_aligning_its_framing() {
        let n_mels = 80;
        let samples = test_signal(16_000 * 3 + 77);
        let filters = synthetic_filters(n_mels);
        let ours = log_mel_spectrogram(&samples, &filters, n_mels).unwrap();
        let frames = n_frames(samples.len());
        assert_eq!(frames, 300);
        assert_eq!(ours.len(), n_mels * frames);

        // Give candle the reflect-padded signal so its un-centred frame i equals our frame i, and
        // halve bins 1..=199 of its filters to undo its doubling of those bins. Compute in f64.
        let padded: Vec<f64> = reflect_pad(&samples).iter().map(|&s| f64::from(s)).collect();
        let candle_filters: Vec<f64> = filters
            .iter()
            .enumerate()
            .map(|(i, &f)| {
                let k = i % N_FREQ_BINS;
                f64::from(f) * if (1..N_FREQ_BINS - 1).contains(&k) { 0.5 } else { 1.0 }
            })
            .collect();
        let reference = log_mel_spectrogram_(&padded, &candle_filters, N_FFT, HOP_SAMPLES, n_mels, false);
        let candle_frames = reference.len() / n_mels;
        assert!(candle_frames > frames);

        let mut worst = 0.0f64;
        for m in 0..n_mels {
            for t in 0..frames {
                let diff = (f64::from(ours[m * frames + t]) - reference[m * candle_frames + t]).abs();
                worst = worst.max(diff);
            }
        }
        assert!(worst < 1e-4, "largest difference from candle: {worst}");
        // The comparison is not vacuous: values span more than the clamp floor alone.
        let (lo, hi) = ours.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        assert!(hi - lo > 0.5, "range {lo}..{hi}");
    }

    #[test]
    fn a_tone_lands_in_its_bin() {
        // One band per FFT bin: band m sees only bin m (40 Hz per bin at 16 kHz).
        let n_mels = N_FREQ_BINS;
        let mut filters = vec![0.0f32; n_mels * N_FREQ_BINS];
        for m in 0..n_mels {
            filters[m * N_FREQ_BINS + m] = 1.0;
        }
        // A cosine is even about sample 0, so the start's reflection continues it without a kink.
        let samples: Vec<f32> =
            (0..16_000).map(|i| (2.0 * std::f64::consts::PI * 1_000.0 * i as f64 / 16_000.0).cos() as f32).collect();
        let out = log_mel_spectrogram(&samples, &filters, n_mels).unwrap();
        let frames = n_frames(samples.len());
        assert_eq!(frames, 100);
        for t in [0, 1, 50, 99] {
            let loudest = (0..n_mels).max_by(|&a, &b| out[a * frames + t].total_cmp(&out[b * frames + t])).unwrap();
            assert_eq!(loudest, 25, "frame {t}");
        }
        // Far bins sit on the floor, except near the end, where the reflection (about sample 15999,
        // not a symmetry point of this cosine) puts a kink in the signal that leaks broadband.
        let floor = out.iter().cloned().fold(f32::MAX, f32::min);
        for t in [0, 1, 50, 97] {
            assert_eq!(out[100 * frames + t], floor, "frame {t}");
        }
        // Hann-windowed unit cosine, bin-centred: |X| = N/4 = 100, so power 1e4 and log10 = 4.
        let peak = out[25 * frames + 50];
        assert!((peak - 2.0).abs() < 1e-3, "peak {peak}");
    }

    #[test]
    fn frame_count_and_edges() {
        assert_eq!(n_frames(0), 0);
        assert_eq!(n_frames(159), 0);
        assert_eq!(n_frames(160), 1);
        assert_eq!(n_frames(16_000 * 30), 3000);
        let filters = synthetic_filters(4);
        // Shorter than a frame: typed error, no panic.
        let err = log_mel_spectrogram(&[0.1; 100], &filters, 4).unwrap_err();
        assert_eq!(err.code(), "AUDIO_EMPTY");
        // Shorter than the reflection pad (torch would refuse): still one finite frame.
        let out = log_mel_spectrogram(&[0.1; 170], &filters, 4).unwrap();
        assert_eq!(out.len(), 4);
        assert!(out.iter().all(|v| v.is_finite()));
        // Silence: every value sits at log10(1e-10) normalised, (-10 + 4) / 4.
        let out = log_mel_spectrogram(&[0.0; 1600], &filters, 4).unwrap();
        assert!(out.iter().all(|&v| v == -1.5), "{out:?}");
    }

    #[test]
    fn pieces_and_silence_read_in_place_equal_one_padded_copy() {
        let samples = test_signal(16_000 + 123);
        let filters = synthetic_filters(80);
        let n = samples.len();
        // Cuts inside frames, on frame edges, empty pieces, and a piece shorter than a frame.
        let cuts: [&[usize]; 5] = [&[], &[7_000], &[160, 160, 8_000], &[199, 200, 201, 12_345], &[3_000, 3_100, n]];
        for silence in [0, 1, 199, 4_800] {
            let mut appended = samples.clone();
            appended.resize(n + silence, 0.0);
            let want = log_mel_spectrogram(&appended, &filters, 80).unwrap();
            for cut in cuts {
                let mut pieces = Vec::new();
                let mut from = 0;
                for &to in cut.iter().chain(std::iter::once(&n)) {
                    pieces.push(&samples[from..to]);
                    from = to;
                }
                let got = log_mel_spectrogram_padded(&pieces, silence, &filters, 80).unwrap();
                assert_eq!(got, want, "{silence} samples of silence, cut at {cut:?}");
            }
        }
        // Audio shorter than one frame still gets a spectrogram once the silence makes it long enough.
        assert!(log_mel_spectrogram_padded(&[&[0.3; 10]], 4_800, &filters, 80).is_ok());
        let bad = [0.1, f32::NAN];
        let err = log_mel_spectrogram_padded(&[&samples[..500], &bad], 0, &filters, 80).unwrap_err();
        assert!(err.to_string().contains("sample 501"), "{err}");
    }

    #[test]
    fn reflect_padding_matches_numpy() {
        // np.pad([1,2,3,4,5], 3, mode="reflect") = [4,3,2,1,2,3,4,5,4,3,2]; here the pad is 200.
        let s = [1.0, 2.0, 3.0, 4.0, 5.0];
        let got: Vec<f32> = (197..208).map(|i| reflected(&Signal::new(&[&s[..]], 0), i)).collect();
        assert_eq!(got, vec![4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 3.0, 2.0]);
    }

    #[test]
    fn rejects_bad_filters_and_samples() {
        let samples = vec![0.0f32; 1600];
        let err = log_mel_spectrogram(&samples, &vec![0.0; 80 * 200], 80).unwrap_err();
        assert_eq!(err.code(), "MODEL_INVALID");
        assert!(err.to_string().contains("16080"), "{err}");
        assert!(log_mel_spectrogram(&samples, &[], 0).is_err());
        let mut nan = samples.clone();
        nan[7] = f32::NAN;
        let err = log_mel_spectrogram(&nan, &synthetic_filters(2), 2).unwrap_err();
        assert!(err.to_string().contains("sample 7"), "{err}");
    }
}
