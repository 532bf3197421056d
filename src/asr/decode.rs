//! Decoding one 30-second window: the prompt, Whisper's timestamp rules on the logits, temperature
//! sampling, and the quality figures (average log-probability, no-speech probability, compression ratio)
//! that decide whether to retry at a higher temperature or to treat the window as silence.
//!
//! Follows openai/whisper `decoding.py` (`ApplyTimestampRules`, `SuppressTokens`) and `transcribe.py`.

use std::io::Write;

use candle_core::Tensor;

use super::model::{DecoderState, Whisper};
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
    /// At temperature 0 with `beam_size > 1` this is a beam search; otherwise greedy or sampled.
    pub fn decode(&self, audio: &Tensor, prompt: &[u32], temperature: f32, beam_size: usize, rng: &mut SplitMix64, max_tokens: usize) -> Result<WindowResult> {
        let rt = || BedsideError::runtime("asr");
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
        let mut state = dec.start(audio).map_err(rt())?;
        let (hidden, _) = dec.forward(&input, &mut state, false).map_err(rt())?;
        // Only two positions matter: the start-of-transcript (no-speech probability) and the last one.
        let sot_hidden = hidden.narrow(1, sot_index, 1).map_err(rt())?;
        let sot_logits: Vec<f32> = dec.logits(&sot_hidden).and_then(|l| l.squeeze(0)?.to_vec1()).map_err(rt())?;
        let no_speech_prob = log_softmax(&sot_logits)[s.no_speech as usize].exp();
        let first: Vec<f32> = dec.last_logits(&hidden).and_then(|l| l.squeeze(0)?.to_vec1()).map_err(rt())?;
        let limit = max_tokens.min(dec.max_positions() - input.len());

        let (tokens, probs, sum_logprob) = if temperature <= 0.0 && beam_size > 1 {
            self.beam_search(first, &mut state, beam_size, limit)?
        } else {
            self.sample(first, &mut state, temperature, rng, limit)?
        };
        let avg_logprob = sum_logprob / (tokens.len() + 1) as f32;
        Ok(WindowResult { tokens, probs, avg_logprob, no_speech_prob, compression_ratio: 0.0, temperature })
    }

    /// Greedy (temperature 0) or sampled decoding of one sequence.
    fn sample(&self, first: Vec<f32>, state: &mut DecoderState, temperature: f32, rng: &mut SplitMix64, limit: usize) -> Result<(Vec<u32>, Vec<f32>, f32)> {
        let dec = &self.model.decoder;
        let mut logits = first;
        let (mut tokens, mut probs, mut sum) = (Vec::new(), Vec::new(), 0.0f32);
        loop {
            self.apply_rules(&mut logits, &tokens);
            let next = Self::pick(&logits, temperature, rng) as u32;
            let logprob = log_softmax(&logits)[next as usize];
            sum += logprob;
            if next == self.special.eot || tokens.len() >= limit {
                break;
            }
            tokens.push(next);
            probs.push(logprob.exp());
            let (h, _) = dec.forward(&[next], state, false).map_err(BedsideError::runtime("asr"))?;
            logits = dec.last_logits(&h).and_then(|l| l.squeeze(0)?.to_vec1()).map_err(BedsideError::runtime("asr"))?;
        }
        Ok((tokens, probs, sum))
    }

    /// Beam search with patience 1, ranked by length-normalized log-probability (openai/whisper's
    /// `BeamSearchDecoder` and `MaximumLikelihoodRanker` without a length penalty).
    fn beam_search(&self, first: Vec<f32>, state: &mut DecoderState, beam_size: usize, limit: usize) -> Result<(Vec<u32>, Vec<f32>, f32)> {
        let rt = || BedsideError::runtime("asr");
        let dec = &self.model.decoder;
        let eot = self.special.eot;
        struct Beam {
            tokens: Vec<u32>,
            probs: Vec<f32>,
            sum: f32,
        }
        let mut beams = vec![Beam { tokens: vec![], probs: vec![], sum: 0.0 }];
        let mut rows: Vec<Vec<f32>> = vec![first];
        let mut finished: Vec<Beam> = Vec::new();
        for _ in 0..=limit {
            let mut candidates: Vec<(f32, usize, u32, f32)> = Vec::new();
            for (i, (beam, logits)) in beams.iter().zip(rows.iter_mut()).enumerate() {
                self.apply_rules(logits, &beam.tokens);
                let lp = log_softmax(logits);
                let mut order: Vec<usize> = (0..lp.len()).filter(|&k| lp[k].is_finite()).collect();
                let keep = (beam_size + 1).min(order.len());
                if keep == 0 {
                    continue;
                }
                order.select_nth_unstable_by(keep - 1, |&a, &b| lp[b].total_cmp(&lp[a]));
                for &k in &order[..keep] {
                    candidates.push((beam.sum + lp[k], i, k as u32, lp[k]));
                }
            }
            candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
            let mut next: Vec<Beam> = Vec::new();
            let mut sources: Vec<u32> = Vec::new();
            for (score, src, tok, lp) in candidates {
                let parent = &beams[src];
                let at_limit = parent.tokens.len() >= limit;
                if tok == eot || at_limit {
                    if finished.len() < beam_size {
                        finished.push(Beam { tokens: parent.tokens.clone(), probs: parent.probs.clone(), sum: score });
                    }
                } else {
                    let mut tokens = parent.tokens.clone();
                    tokens.push(tok);
                    let mut probs = parent.probs.clone();
                    probs.push(lp.exp());
                    next.push(Beam { tokens, probs, sum: score });
                    sources.push(src as u32);
                    if next.len() == beam_size {
                        break;
                    }
                }
            }
            if finished.len() >= beam_size || next.is_empty() {
                break;
            }
            state.reorder(&sources).map_err(rt())?;
            let last: Vec<u32> = next.iter().map(|b| *b.tokens.last().expect("live beams have a token")).collect();
            let ids = Tensor::from_vec(last, (next.len(), 1), &candle_core::Device::Cpu).map_err(rt())?;
            let (h, _) = dec.forward_batch(&ids, state, false).map_err(rt())?;
            rows = dec.last_logits(&h).and_then(|l| l.to_vec2()).map_err(rt())?;
            beams = next;
        }
        if finished.is_empty() {
            finished = beams;
        }
        let best = finished
            .into_iter()
            .max_by(|a, b| (a.sum / a.tokens.len().max(1) as f32).total_cmp(&(b.sum / b.tokens.len().max(1) as f32)))
            .expect("at least one beam");
        Ok((best.tokens, best.probs, best.sum))
    }
}
