//! The tokenizer of a GGUF chat model, built from the file's own metadata (`tokenizer.ggml.*`), so a
//! model is one file and no `tokenizer.json` travels with it.
//!
//! Input: the GGUF metadata. Output: a `tokenizers::Tokenizer` (byte-level BPE) plus the special ids.
//! Follows llama.cpp's reading of the same keys: `tokens` (id → piece, already in byte-level form),
//! `merges` ("a b" pairs, rank = position), `token_type` (3 = control, 4 = user-defined: both are matched
//! whole, never split), and `pre` (which regex splits text into words before BPE).
//! Limits: only `tokenizer.ggml.model = "gpt2"` (byte-level BPE: SmolLM2, Qwen2, Llama 3) is built;
//! SentencePiece (`llama`) vocabularies get a clear error.

use candle_core::quantized::gguf_file::{Content, Value};
use tokenizers::models::bpe::BPE;
use tokenizers::normalizers::unicode::NFC;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::{AddedToken, SplitDelimiterBehavior, Tokenizer};

use crate::error::{BedsideError, Result};

/// Qwen2's word split (its `tokenizer.json` pre-tokenizer): letters with one leading non-letter, single
/// digits, punctuation runs, newlines, spaces.
const QWEN2_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Llama 3's split: like Qwen2's but digits in runs of up to three.
const LLAMA3_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// A tokenizer and the ids generation needs.
pub struct GgufTokenizer {
    pub tokenizer: Tokenizer,
    pub eos_id: Option<u32>,
    pub bos_id: Option<u32>,
    /// Control tokens (`<|im_end|>`, `<|endoftext|>`, …): never part of written text.
    pub control_ids: Vec<u32>,
}

fn meta<'a>(ct: &'a Content, key: &str) -> Result<&'a Value> {
    ct.metadata.get(key).ok_or_else(|| BedsideError::model("llm", format!("GGUF metadata has no `{key}`")))
}

fn str_array(ct: &Content, key: &str) -> Result<Vec<String>> {
    let arr = meta(ct, key)?.to_vec().map_err(|e| BedsideError::model("llm", format!("`{key}`: {e}")))?;
    arr.iter().map(|v| v.to_string().cloned().map_err(|e| BedsideError::model("llm", format!("`{key}`: {e}")))).collect()
}

fn opt_u32(ct: &Content, key: &str) -> Option<u32> {
    ct.metadata.get(key).and_then(|v| v.to_u32().ok())
}

/// Reads a string from the metadata, if present.
pub fn meta_str(ct: &Content, key: &str) -> Option<String> {
    ct.metadata.get(key).and_then(|v| v.to_string().ok()).cloned()
}

/// Builds the tokenizer from `ct`'s metadata.
pub fn from_gguf(ct: &Content) -> Result<GgufTokenizer> {
    let kind = meta_str(ct, "tokenizer.ggml.model").unwrap_or_default();
    if kind != "gpt2" {
        return Err(BedsideError::model(
            "llm",
            format!("tokenizer type `{kind}` is not supported (only byte-level BPE, `gpt2`, as in SmolLM2, Qwen2, Llama 3)"),
        ));
    }
    let tokens = str_array(ct, "tokenizer.ggml.tokens")?;
    let merges_raw = str_array(ct, "tokenizer.ggml.merges")?;
    let types: Vec<i64> = match ct.metadata.get("tokenizer.ggml.token_type").map(|v| v.to_vec()) {
        Some(Ok(vs)) => vs.iter().map(|v| v.to_i32().map(i64::from).unwrap_or(1)).collect(),
        _ => vec![1; tokens.len()],
    };

    let vocab: ahash::AHashMap<String, u32> = tokens.iter().enumerate().map(|(i, t)| (t.clone(), i as u32)).collect();
    let merges: Vec<(String, String)> = merges_raw
        .iter()
        .filter_map(|m| m.split_once(' ').map(|(a, b)| (a.to_string(), b.to_string())))
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| BedsideError::model("llm", format!("BPE vocabulary: {e}")))?;

    let mut tokenizer = Tokenizer::new(bpe);
    let pre = meta_str(ct, "tokenizer.ggml.pre").unwrap_or_default();
    let byte_level = ByteLevel::new(false, true, true);
    let pre_tok: PreTokenizerWrapper = match pre.as_str() {
        "qwen2" | "llama-bpe" | "llama3" => {
            let pattern = if pre == "qwen2" { QWEN2_SPLIT } else { LLAMA3_SPLIT };
            let split = Split::new(SplitPattern::Regex(pattern.into()), SplitDelimiterBehavior::Isolated, false)
                .map_err(|e| BedsideError::model("llm", format!("pre-tokenizer regex: {e}")))?;
            Sequence::new(vec![split.into(), byte_level.use_regex(false).into()]).into()
        }
        // SmolLM / StarCoder style: each digit alone, then GPT-2's word split.
        "smollm" | "starcoder" | "refact" => Sequence::new(vec![Digits::new(true).into(), byte_level.into()]).into(),
        _ => byte_level.into(),
    };
    tokenizer.with_pre_tokenizer(Some(pre_tok));
    if pre == "qwen2" {
        tokenizer.with_normalizer(Some(NFC)).map_err(|e| BedsideError::model("llm", e.to_string()))?;
    }
    tokenizer.with_decoder(Some(ByteLevel::default()));

    // Control and user-defined tokens are matched whole in the input (so `<|im_start|>` is one id).
    let mut control_ids = Vec::new();
    let specials: Vec<AddedToken> = tokens
        .iter()
        .zip(&types)
        .enumerate()
        .filter(|(_, (_, ty))| **ty == 3 || **ty == 4)
        .map(|(i, (t, ty))| {
            if *ty == 3 {
                control_ids.push(i as u32);
            }
            AddedToken::from(t.clone(), *ty == 3)
        })
        .collect();
    tokenizer.add_special_tokens(specials).map_err(|e| BedsideError::model("llm", format!("special tokens: {e}")))?;

    Ok(GgufTokenizer {
        tokenizer,
        eos_id: opt_u32(ct, "tokenizer.ggml.eos_token_id"),
        bos_id: opt_u32(ct, "tokenizer.ggml.bos_token_id"),
        control_ids,
    })
}
