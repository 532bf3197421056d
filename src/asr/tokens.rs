//! Whisper's special tokens, looked up by name in the tokenizer so English-only and multilingual
//! vocabularies both work.

use tokenizers::Tokenizer;

use crate::error::{BedsideError, Result};

pub struct SpecialTokens {
    pub eot: u32,
    pub sot: u32,
    pub sot_prev: u32,
    pub no_timestamps: u32,
    pub timestamp_begin: u32,
    pub no_speech: u32,
    /// `[sot]` for English-only models, `[sot, <|en|>, <|transcribe|>]` for multilingual ones.
    pub sot_sequence: Vec<u32>,
}

impl SpecialTokens {
    /// `multilingual` comes from the vocabulary size (51865 and up), as in Whisper itself: English-only
    /// tokenizers still list the language tokens.
    pub fn from_tokenizer(tok: &Tokenizer, multilingual: bool, model: &str) -> Result<Self> {
        let id = |name: &str| {
            tok.token_to_id(name).ok_or_else(|| BedsideError::model(model, format!("tokenizer lacks `{name}`: not a Whisper tokenizer")))
        };
        let eot = id("<|endoftext|>")?;
        let sot = id("<|startoftranscript|>")?;
        let no_timestamps = id("<|notimestamps|>")?;
        let no_speech = id("<|nospeech|>").or_else(|_| id("<|nocaptions|>"))?;
        let mut sot_sequence = vec![sot];
        if multilingual {
            sot_sequence.extend([id("<|en|>")?, id("<|transcribe|>")?]);
        }
        Ok(Self {
            eot,
            sot,
            sot_prev: id("<|startofprev|>")?,
            no_timestamps,
            timestamp_begin: no_timestamps + 1,
            no_speech,
            sot_sequence,
        })
    }

    pub fn is_timestamp(&self, t: u32) -> bool {
        t >= self.timestamp_begin
    }
}
