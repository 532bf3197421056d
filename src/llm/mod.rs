//! Language-model runtime: a quantized GGUF chat model, loaded from bytes, that writes text one token at a
//! time.
//!
//! Input: the bytes of a GGUF file whose `general.architecture` is `llama` (SmolLM2, Llama) or `qwen2`
//! (Qwen2.5), and prompts. Output: generated text, streamed token by token to a callback that can stop it.
//! The tokenizer is built from the file's metadata ([`tokenizer`]), the prompt format from its chat template
//! ([`chat`]). Llama-family files run on candle's `quantized_llama`, Qwen2 files on [`qwen2`] (ours,
//! because candle's cannot be copied). Both keep their KV cache inside and are told the position of the
//! first new token; both are cheap to clone (weights are shared `Arc`s, only the cache differs), so a prompt
//! prefix shared by many requests (system prompt and worked examples) is run once and each request
//! continues from a copy of that state ([`ChatModel::cache_prefix`]).
//! Limits: CPU only (it runs the same in wasm); one sequence at a time; greedy decoding unless a
//! temperature is given; prompts plus output must fit the model's context window (checked, not truncated).

pub mod chat;
pub mod blockmat;
pub mod qwen2;
pub mod tokenizer;

use std::io::Cursor;

use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_llama;

use crate::error::{BedsideError, Result};
pub use chat::{ChatTemplate, Message, Role};
use tokenizer::GgufTokenizer;

/// candle's quantized llama precomputes rotary tables for this many positions.
const LLAMA_MAX_POSITIONS: usize = 4096;
/// Tokens looked back on for the repetition penalty.
const REPEAT_WINDOW: usize = 64;

enum Weights {
    Llama(quantized_llama::ModelWeights),
    Qwen2(qwen2::Qwen2),
}

impl Weights {
    fn forward(&mut self, x: &Tensor, index_pos: usize) -> candle_core::Result<Tensor> {
        match self {
            Weights::Llama(m) => m.forward(x, index_pos),
            Weights::Qwen2(m) => m.forward(x, index_pos),
        }
    }

    /// A copy sharing the weights, with its own KV cache.
    fn snapshot(&self) -> Weights {
        match self {
            Weights::Llama(m) => Weights::Llama(m.clone()),
            Weights::Qwen2(m) => Weights::Qwen2(m.clone()),
        }
    }
}

/// How to generate. `Default` is greedy, 256 tokens, no stop strings, a mild repetition penalty.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub max_tokens: usize,
    /// Generation ends when the text contains one of these; the stop string itself is not returned.
    pub stop: Vec<String>,
    /// 0 = greedy (deterministic). Above 0, sampling with `seed`.
    pub temperature: f64,
    pub seed: u64,
    /// Divides the logit of tokens seen in the last few outputs (1.0 = off).
    pub repeat_penalty: f32,
    /// Token ids that may never be produced.
    pub banned_tokens: Vec<u32>,
    /// When set, only these ids (plus end of turn) may be produced: structure by construction.
    pub allowed_tokens: Option<Vec<u32>>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self { max_tokens: 256, stop: Vec::new(), temperature: 0.0, seed: 299_792_458, repeat_penalty: 1.1, banned_tokens: Vec::new(), allowed_tokens: None }
    }
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    EndOfTurn,
    StopString,
    MaxTokens,
}

#[derive(Debug, Clone)]
pub struct Generation {
    pub text: String,
    pub prompt_tokens: usize,
    /// Prompt tokens served from the prefix cache (not run again).
    pub cached_tokens: usize,
    pub generated_tokens: usize,
    pub stop: StopReason,
}

struct PrefixCache {
    tokens: Vec<u32>,
    state: Weights,
}

/// A loaded chat model. Not `Sync`: one generation at a time.
pub struct ChatModel {
    name: String,
    architecture: String,
    weights: Weights,
    tok: GgufTokenizer,
    template: ChatTemplate,
    context_len: usize,
    device: Device,
    prefix: Option<PrefixCache>,
}

impl ChatModel {
    /// Loads a GGUF chat model from its bytes.
    pub fn load(bytes: &[u8]) -> Result<Self> {
        let mut cursor = Cursor::new(bytes);
        let ct = gguf_file::Content::read(&mut cursor).map_err(|e| BedsideError::model("llm", format!("not a GGUF file: {e}")))?;
        let architecture = tokenizer::meta_str(&ct, "general.architecture").unwrap_or_else(|| "(none)".into());
        if architecture != "llama" && architecture != "qwen2" {
            return Err(BedsideError::model(
                "llm",
                format!("unsupported architecture `{architecture}` (supported: llama, qwen2)"),
            ));
        }
        let name = tokenizer::meta_str(&ct, "general.name").unwrap_or_else(|| architecture.clone());
        let chat_template = tokenizer::meta_str(&ct, "tokenizer.chat_template");
        let tok = tokenizer::from_gguf(&ct)?;
        let template = ChatTemplate::detect(chat_template.as_deref(), &tok.tokenizer)?;
        let ctx_key = format!("{architecture}.context_length");
        let mut context_len = ct.metadata.get(&ctx_key).and_then(|v| v.to_u32().ok()).unwrap_or(2048) as usize;
        let device = Device::Cpu;
        let load_err = |e: candle_core::Error| BedsideError::model("llm", format!("{architecture} weights: {e}"));
        let weights = if architecture == "llama" {
            context_len = context_len.min(LLAMA_MAX_POSITIONS);
            Weights::Llama(quantized_llama::ModelWeights::from_gguf(ct, &mut cursor, &device).map_err(load_err)?)
        } else {
            context_len = context_len.min(qwen2::MAX_POSITIONS);
            Weights::Qwen2(qwen2::Qwen2::from_gguf(&ct, &mut cursor, &device).map_err(load_err)?)
        };
        Ok(Self { name, architecture, weights, tok, template, context_len, device, prefix: None })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn architecture(&self) -> &str {
        &self.architecture
    }

    /// Prompt plus output tokens the model can attend to.
    pub fn context_len(&self) -> usize {
        self.context_len
    }

    pub fn template(&self) -> ChatTemplate {
        self.template
    }

    /// The prompt text for `messages`, ending where the assistant's answer begins.
    pub fn chat_prompt(&self, messages: &[Message]) -> String {
        self.template.render(messages, true)
    }

    /// Number of tokens `text` encodes to (special tokens recognised).
    pub fn count_tokens(&self, text: &str) -> Result<usize> {
        Ok(self.encode(text)?.len())
    }

    fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let enc = self.tok.tokenizer.encode(text, false).map_err(|e| BedsideError::Input { reason: format!("tokenizer: {e}") })?;
        Ok(enc.get_ids().to_vec())
    }

    /// Runs `prefix` once and keeps the model state after it; any later prompt that starts with the same
    /// tokens continues from there. Replaces an earlier prefix.
    pub fn cache_prefix(&mut self, prefix: &str) -> Result<()> {
        let tokens = self.encode(prefix)?;
        if tokens.is_empty() || tokens.len() >= self.context_len {
            self.prefix = None;
            return Ok(());
        }
        let mut state = self.weights.snapshot();
        let input = Tensor::new(tokens.as_slice(), &self.device).and_then(|t| t.unsqueeze(0)).map_err(BedsideError::runtime("llm"))?;
        state.forward(&input, 0).map_err(BedsideError::runtime("llm"))?;
        self.prefix = Some(PrefixCache { tokens, state });
        Ok(())
    }

    /// Generates a continuation of `prompt` (already in the chat format, see [`Self::chat_prompt`]).
    /// `on_token` gets each new piece of text; returning `false` cancels (`BedsideError::Cancelled`).
    pub fn generate(&mut self, prompt: &str, opts: &GenerateOptions, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Generation> {
        let prompt_ids = self.encode(prompt)?;
        if prompt_ids.is_empty() {
            return Err(BedsideError::Input { reason: "empty prompt".into() });
        }
        let budget = prompt_ids.len() + opts.max_tokens;
        if budget > self.context_len {
            return Err(BedsideError::Input {
                reason: format!(
                    "prompt of {} tokens plus {} to write exceeds the model's context of {}",
                    prompt_ids.len(),
                    opts.max_tokens,
                    self.context_len
                ),
            });
        }
        let rt = BedsideError::runtime("llm");

        // Continue from the cached prefix when the prompt starts with it (and has something after it).
        // (A position-0 forward replaces whatever cache the weights held, so no reset is needed.)
        let Self { weights, tok, device, prefix, .. } = self;
        let tok: &GgufTokenizer = tok;
        let mut from_prefix = match prefix {
            Some(p) if prompt_ids.len() > p.tokens.len() && prompt_ids.starts_with(&p.tokens) => Some((p.state.snapshot(), p.tokens.len())),
            _ => None,
        };
        let (model, start): (&mut Weights, usize) = match from_prefix.as_mut() {
            Some((s, n)) => (s, *n),
            None => (weights, 0),
        };
        let input = Tensor::new(&prompt_ids[start..], &*device).and_then(|t| t.unsqueeze(0)).map_err(BedsideError::runtime("llm"))?;
        let mut logits = model.forward(&input, start).map_err(rt)?;

        let mut out_ids: Vec<u32> = Vec::new();
        let mut emitted = 0usize; // chars of decoded text already handed out
        let mut text = String::new();
        let mut rng = opts.seed.max(1);
        let mut stop = StopReason::MaxTokens;
        for step in 0..opts.max_tokens {
            let mut row: Vec<f32> = logits.squeeze(0).and_then(|l| l.to_dtype(candle_core::DType::F32)).and_then(|l| l.to_vec1()).map_err(BedsideError::runtime("llm"))?;
            shape_logits(tok, &mut row, &out_ids, opts);
            let next = if opts.temperature > 0.0 { sample(&row, opts.temperature, &mut rng) } else { argmax(&row) };
            if Some(next) == tok.eos_id || tok.control_ids.contains(&next) {
                stop = StopReason::EndOfTurn;
                break;
            }
            out_ids.push(next);
            let decoded = tok.tokenizer.decode(&out_ids, true).map_err(|e| BedsideError::Input { reason: format!("tokenizer: {e}") })?;
            // A multi-byte character split over tokens decodes to U+FFFD until its last byte arrives.
            if !decoded.ends_with('\u{FFFD}') {
                text = decoded;
                if let Some(cut) = opts.stop.iter().filter_map(|s| text.find(s.as_str())).min() {
                    text.truncate(cut);
                    let piece: String = text.chars().skip(emitted).collect();
                    if !piece.is_empty() && !on_token(&piece) {
                        return Err(BedsideError::Cancelled);
                    }
                    stop = StopReason::StopString;
                    break;
                }
                let piece: String = text.chars().skip(emitted).collect();
                emitted += piece.chars().count();
                if !piece.is_empty() && !on_token(&piece) {
                    return Err(BedsideError::Cancelled);
                }
            }
            if step + 1 == opts.max_tokens {
                break;
            }
            let input = Tensor::new(&[next], &*device).and_then(|t| t.unsqueeze(0)).map_err(BedsideError::runtime("llm"))?;
            logits = model.forward(&input, prompt_ids.len() + out_ids.len() - 1).map_err(BedsideError::runtime("llm"))?;
        }
        Ok(Generation { text, prompt_tokens: prompt_ids.len(), cached_tokens: start, generated_tokens: out_ids.len(), stop })
    }

    /// Token ids of `text`, for building allowed or banned sets.
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>> {
        self.encode(text)
    }
}

/// Applies bans, the allowed set and the repetition penalty to one row of logits.
fn shape_logits(tok: &GgufTokenizer, row: &mut [f32], out_ids: &[u32], opts: &GenerateOptions) {
    {
        for &id in &opts.banned_tokens {
            if let Some(l) = row.get_mut(id as usize) {
                *l = f32::NEG_INFINITY;
            }
        }
        if let Some(allowed) = &opts.allowed_tokens {
            let mut keep = vec![false; row.len()];
            for &id in allowed.iter().chain(tok.eos_id.iter()) {
                if let Some(k) = keep.get_mut(id as usize) {
                    *k = true;
                }
            }
            for (l, k) in row.iter_mut().zip(keep) {
                if !k {
                    *l = f32::NEG_INFINITY;
                }
            }
        }
        if opts.repeat_penalty != 1.0 && opts.repeat_penalty > 0.0 {
            let from = out_ids.len().saturating_sub(REPEAT_WINDOW);
            let mut seen: Vec<u32> = out_ids[from..].to_vec();
            seen.sort_unstable();
            seen.dedup();
            for id in seen {
                if let Some(l) = row.get_mut(id as usize) {
                    *l = if *l >= 0.0 { *l / opts.repeat_penalty } else { *l * opts.repeat_penalty };
                }
            }
        }
    }
}

fn argmax(row: &[f32]) -> u32 {
    let mut best = 0usize;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] || row[best].is_nan() {
            best = i;
        }
    }
    best as u32
}

/// Softmax sampling with a xorshift generator (no clock, no OS randomness: reproducible in wasm).
fn sample(row: &[f32], temperature: f64, state: &mut u64) -> u32 {
    let max = row.iter().cloned().filter(|v| v.is_finite()).fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return argmax(row);
    }
    let weights: Vec<f64> = row.iter().map(|&v| if v.is_finite() { (((v - max) as f64) / temperature).exp() } else { 0.0 }).collect();
    let total: f64 = weights.iter().sum();
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    let mut target = (*state >> 11) as f64 / (1u64 << 53) as f64 * total;
    for (i, w) in weights.iter().enumerate() {
        target -= w;
        if target <= 0.0 {
            return i as u32;
        }
    }
    argmax(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_picks_the_largest_and_skips_nan() {
        assert_eq!(argmax(&[0.1, 2.0, -1.0]), 1);
        assert_eq!(argmax(&[f32::NAN, 0.5, 0.2]), 1);
    }

    #[test]
    fn sampling_is_reproducible_and_respects_masks() {
        let row = [f32::NEG_INFINITY, 1.0, 1.0, f32::NEG_INFINITY];
        let (mut a, mut b) = (7u64, 7u64);
        for _ in 0..20 {
            let x = sample(&row, 1.0, &mut a);
            assert_eq!(x, sample(&row, 1.0, &mut b));
            assert!(x == 1 || x == 2);
        }
    }

    #[test]
    fn rejects_bytes_that_are_not_gguf() {
        let err = ChatModel::load(b"not a model").err().expect("must fail");
        assert_eq!(err.code(), "MODEL_INVALID");
    }
}
