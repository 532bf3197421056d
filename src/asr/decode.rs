//! Decoding one 30-second window: the prompt, Whisper's timestamp rules on the logits, temperature
//! sampling, and the quality figures (average log-probability, no-speech probability, compression ratio)
//! that decide whether to retry at a higher temperature or to treat the window as silence.
//!
//! Follows openai/whisper `decoding.py` (`ApplyTimestampRules`, `SuppressTokens`) and `transcribe.py`.

use std::io::Write;

use candle_core::Tensor;

use super::model::Whisper;
use super::tokens::SpecialTokens;
use crate::error::{BedsideError, Result};

/// Longest initial timestamp Whisper may start a window with (seconds), as in openai/whisper.
const MAX_INITIAL_TIMESTAMP_S: f32 = 1.0;
const SECONDS_PER_TIMESTAMP: f32 = 0.02;

pub struct WindowResult {
    /// Generated tokens (text and timestamps), without the final end-of-text.
    pub tokens: Vec<u32>,
    /// Probability of each generated token when it was chosen.
    pub probs: Vec<f32>,
    pub avg_logprob: f32,
    pub no_speech_prob: f32,
    pub compression_ratio: f32,
    pub temperature: f32,
}

/// A tiny deterministic generator for temperature sampling: the core has no clock or OS randomness, and
/// the same input must give the same transcript natively and in wasm.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    fn next_f32(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32
    }
}

fn log_softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = logits.iter().map(|&l| (l - max).exp()).sum();
    let lse = max + sum.ln();
    logits.iter().map(|&l| l - lse).collect()
}

/// zlib compression ratio of the text: repetitive hallucinations compress far better than speech.
pub fn compression_ratio(text: &str) -> f32 {
    if text.is_empty() {
        return 0.0;
    }
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = enc.write_all(text.as_bytes());
    let compressed = enc.finish().map(|v| v.len()).unwrap_or(1).max(1);
    text.len() as f32 / compressed as f32
}

pub struct Decoder<'a> {
    pub model: &'a Whisper,
    pub special: &'a SpecialTokens,
    /// Tokens never generated: the config's list plus every special token but end-of-text and timestamps.
    suppress: Vec<u32>,
    begin_suppress: Vec<u32>,
}

impl<'a> Decoder<'a> {
    pub fn new(model: &'a Whisper, special: &'a SpecialTokens) -> Self {
        let mut suppress = model.config.suppress_tokens.clone();
        suppress.extend(special.eot + 1..special.timestamp_begin);
        let mut begin_suppress = model.config.begin_suppress_tokens.clone();
        if begin_suppress.is_empty() {
            begin_suppress = vec![220, special.eot];
        }
        Self { model, special, suppress, begin_suppress }
    }

    /// Whisper's rules on the next-token logits, given the tokens generated so far in this window.
    fn apply_rules(&self, logits: &mut [f32], generated: &[u32]) {
        let s = self.special;
        let tb = s.timestamp_begin as usize;
        let vocab = logits.len();
        for &t in &self.suppress {
            if (t as usize) < vocab {
                logits[t as usize] = f32::NEG_INFINITY;
            }
        }
        if generated.is_empty() {
            for &t in &self.begin_suppress {
                if (t as usize) < vocab {
                    logits[t as usize] = f32::NEG_INFINITY;
                }
            }
        }
        // Timestamps come in pairs (start, end) around text, never decreasing.
        let last_ts = generated.last().is_some_and(|&t| s.is_timestamp(t));
        let penultimate_ts = generated.len() < 2 || s.is_timestamp(generated[generated.len() - 2]);
        if last_ts {
            if penultimate_ts {
                logits[tb..].iter_mut().for_each(|l| *l = f32::NEG_INFINITY);
            } else {
                logits[..s.eot as usize].iter_mut().for_each(|l| *l = f32::NEG_INFINITY);
            }
        }
        if let Some(&last) = generated.iter().rev().find(|&&t| s.is_timestamp(t)) {
            let floor = if last_ts && !penultimate_ts { last } else { last + 1 } as usize;
            logits[tb..floor.min(vocab)].iter_mut().for_each(|l| *l = f32::NEG_INFINITY);
        }
        if generated.is_empty() {
            logits[..tb].iter_mut().for_each(|l| *l = f32::NEG_INFINITY);
            let max_initial = tb + (MAX_INITIAL_TIMESTAMP_S / SECONDS_PER_TIMESTAMP).round() as usize;
            logits[(max_initial + 1).min(vocab)..].iter_mut().for_each(|l| *l = f32::NEG_INFINITY);
        }
        // If all timestamps together are likelier than any single text token, emit a timestamp.
        let lp = log_softmax(logits);
        let ts_max = lp[tb..].iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        let ts_lse = if ts_max.is_finite() { ts_max + lp[tb..].iter().map(|&l| (l - ts_max).exp()).sum::<f32>().ln() } else { ts_max };
        let text_max = lp[..tb].iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        if ts_lse > text_max {
            logits[..tb].iter_mut().for_each(|l| *l = f32::NEG_INFINITY);
        }
    }

    fn pick(logits: &[f32], temperature: f32, rng: &mut SplitMix64) -> usize {
        if temperature <= 0.0 {
            return logits
                .iter()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |best, (i, &l)| if l > best.1 { (i, l) } else { best })
                .0;
        }
        let scaled: Vec<f32> = logits.iter().map(|&l| l / temperature).collect();
        let probs: Vec<f32> = log_softmax(&scaled).iter().map(|l| l.exp()).collect();
        let mut r = rng.next_f32();
        for (i, p) in probs.iter().enumerate() {
            r -= p;
            if r <= 0.0 {
                return i;
            }
        }
        probs.iter().rposition(|&p| p > 0.0).unwrap_or(0)
    }

    /// Decodes one window. `audio` is the encoder output; `prompt` the previous text tokens (may be empty).
    pub fn decode(&self, audio: &Tensor, prompt: &[u32], temperature: f32, rng: &mut SplitMix64, max_tokens: usize) -> Result<WindowResult> {
        let rt = BedsideError::runtime("asr");
        let s = self.special;
        let dec = &self.model.decoder;
        let mut input: Vec<u32> = Vec::new();
        if !prompt.is_empty() {
            let room = dec.max_positions() / 2 - 1;
            input.push(s.sot_prev);
            input.extend_from_slice(&prompt[prompt.len().saturating_sub(room)..]);
        }
        let sot_index = input.len();
        input.extend_from_slice(&s.sot_sequence);
        let mut state = dec.start(audio).map_err(rt)?;
        let (hidden, _) = dec.forward(&input, &mut state, false).map_err(BedsideError::runtime("asr"))?;
        // Only two positions matter: the start-of-transcript (no-speech probability) and the last one.
        let sot_hidden = hidden.narrow(1, sot_index, 1).map_err(BedsideError::runtime("asr"))?;
        let sot_logits: Vec<f32> = dec.logits(&sot_hidden).and_then(|l| l.squeeze(0)?.to_vec1()).map_err(BedsideError::runtime("asr"))?;
        let no_speech_prob = log_softmax(&sot_logits)[s.no_speech as usize].exp();
        let mut last = hidden.narrow(1, input.len() - 1, 1).map_err(BedsideError::runtime("asr"))?;

        let mut tokens = Vec::new();
        let mut probs = Vec::new();
        let mut sum_logprob = 0.0f32;
        let limit = max_tokens.min(dec.max_positions() - input.len());
        loop {
            let mut logits: Vec<f32> = dec.logits(&last).and_then(|l| l.squeeze(0)?.to_vec1()).map_err(BedsideError::runtime("asr"))?;
            self.apply_rules(&mut logits, &tokens);
            let next = Self::pick(&logits, temperature, rng) as u32;
            let logprob = log_softmax(&logits)[next as usize];
            sum_logprob += logprob;
            if next == s.eot || tokens.len() >= limit {
                break;
            }
            tokens.push(next);
            probs.push(logprob.exp());
            let (h, _) = dec.forward(&[next], &mut state, false).map_err(BedsideError::runtime("asr"))?;
            last = h;
        }
        let avg_logprob = sum_logprob / (tokens.len() + 1) as f32;
        Ok(WindowResult { tokens, probs, avg_logprob, no_speech_prob, compression_ratio: 0.0, temperature })
    }
}
