//! The integrator's words, as HealthScribe takes them: a custom vocabulary (`VocabularyName`: words the
//! recogniser should favour, such as drug brands and colleagues' names) and a vocabulary filter
//! (`VocabularyFilterName` + `VocabularyFilterMethod`: words to mask, remove or tag in the transcript).
//!
//! Whisper has no word list to bias, but it spells what its prompt has just shown it: the vocabulary is
//! written at the head of every window's prompt, before the previous text (as faster-whisper's `hotwords`
//! are), so it holds for the whole recording rather than only the first window.
//!
//! The filter is applied to each recognised segment as it is made, so every later output (the lines
//! shown while recording, the transcript, its sections and entities, the note) reads the filtered words.

use std::collections::HashSet;

use super::{AsrModel, AsrSegment, Word};
use crate::error::{BedsideError, Result};

/// Text tokens the vocabulary may take of a window's prompt (Whisper's prompt holds 223), leaving the rest to
/// the text before the window, which keeps the transcript reading on across windows.
pub const MAX_VOCABULARY_TOKENS: usize = 120;

/// The timestamp token closing the vocabulary's line (1 s: 0.02 s a step).
const VOCABULARY_LINE_TIMESTAMP: u32 = 50;

/// What Amazon Transcribe puts in place of a masked word.
pub const MASK: &str = "***";

/// The prompt tokens that stand for `words`: one line of them, comma-separated, framed by timestamps as
/// the text of a previous window is. Unframed, tiny.en read a prompt of plain words as a cue to write no
/// timestamps, and then ended windows early: on the nine-minute test visit with a 12-entry list, 148 words
/// fewer and a word error rate of 18% instead of 10%.
pub fn prompt_tokens(model: &AsrModel, words: &[String]) -> Result<Vec<u32>> {
    let words: Vec<&str> = words.iter().map(|w| w.trim()).collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(bad) = words.iter().find(|w| w.is_empty() || w.contains(['\n', '\r'])) {
        return Err(settings(format!("vocabulary: every entry must be a word or phrase on one line, not {bad:?}")));
    }
    let line = format!(" {}.", words.join(", "));
    let text = model.tokenizer.encode(line.as_str(), false).map_err(|e| settings(format!("vocabulary: {e}")))?.get_ids().to_vec();
    if text.len() > MAX_VOCABULARY_TOKENS {
        return Err(settings(format!(
            "vocabulary: {} entries take {} of Whisper's prompt tokens; at most {MAX_VOCABULARY_TOKENS} fit (about 40 drug or person names): keep the words this visit needs",
            words.len(),
            text.len()
        )));
    }
    let start = model.special.timestamp_begin;
    Ok([&[start][..], &text, &[start + VOCABULARY_LINE_TIMESTAMP]].concat())
}

/// A window's prompt: the vocabulary, then as much of the previous text as fits in `room` tokens.
pub fn prompt_with(vocabulary: &[u32], previous: &[u32], room: usize) -> Vec<u32> {
    let left = room.saturating_sub(vocabulary.len());
    let mut prompt = Vec::with_capacity(vocabulary.len() + left.min(previous.len()));
    prompt.extend_from_slice(vocabulary);
    prompt.extend_from_slice(&previous[previous.len().saturating_sub(left)..]);
    prompt
}

/// What the filter does to a word it lists (HealthScribe's `VocabularyFilterMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterMethod {
    /// The word becomes `***`; its time stays.
    Mask,
    /// The word is taken out.
    Remove,
    /// The word stays, its transcript item marked `VocabularyFilterMatch: true`.
    Tag,
}

impl FilterMethod {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "mask" => Ok(Self::Mask),
            "remove" => Ok(Self::Remove),
            "tag" => Ok(Self::Tag),
            other => Err(settings(format!("vocabulary filter method must be mask, remove or tag, not {other:?}"))),
        }
    }
}

/// Words to mask, remove or tag wherever they are recognised, matched whole and regardless of case.
#[derive(Debug, Clone, PartialEq)]
pub struct VocabularyFilter {
    words: HashSet<String>,
    pub method: FilterMethod,
}

impl VocabularyFilter {
    /// Each entry is one word (as Transcribe's filters take them); an empty list or a phrase is refused.
    pub fn new(words: &[String], method: FilterMethod) -> Result<Self> {
        let mut set = HashSet::new();
        for w in words {
            let key = key(w);
            if key.is_empty() || w.trim().contains(char::is_whitespace) {
                return Err(settings(format!("vocabulary filter: every entry must be one word, not {:?}", w.trim())));
            }
            set.insert(key);
        }
        if set.is_empty() {
            return Err(settings("vocabulary filter: no words given".into()));
        }
        Ok(Self { words: set, method })
    }

    fn matches(&self, word: &str) -> bool {
        let k = key(word);
        !k.is_empty() && self.words.contains(&k)
    }

    /// Filters one recognised segment: its word items and its text alike.
    pub fn apply(&self, seg: &mut AsrSegment) {
        match self.method {
            FilterMethod::Tag => seg.words.iter_mut().for_each(|w| w.filtered = self.matches(&w.text)),
            FilterMethod::Mask => seg.words.iter_mut().filter(|w| self.matches(&w.text)).for_each(|w| {
                w.text = MASK.into();
                w.filtered = true;
            }),
            FilterMethod::Remove => seg.words.retain(|w: &Word| !self.matches(&w.text)),
        }
        if self.method != FilterMethod::Tag {
            seg.text = self.filter_text(&seg.text);
        }
    }

    /// The text with each listed word masked or taken out; spacing tidied where a word went.
    fn filter_text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(is_word_char) {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let len = after.find(|c: char| !is_word_char(c)).unwrap_or(after.len());
            let word = &after[..len];
            if !self.matches(word) {
                out.push_str(word);
            } else if self.method == FilterMethod::Mask {
                out.push_str(MASK);
            }
            rest = &after[len..];
        }
        out.push_str(rest);
        if self.method == FilterMethod::Remove {
            return tidy_after_removal(&out);
        }
        out
    }
}

/// Spacing and punctuation mended where words were taken out: "I said , it hurts, ." → "I said, it
/// hurts.", and nothing left dangling at the start.
fn tidy_after_removal(text: &str) -> String {
    const MARKS: [char; 6] = [',', '.', '?', '!', ';', ':'];
    let mut tidy = String::with_capacity(text.len());
    for tok in text.split_whitespace() {
        if tok.chars().all(|c| MARKS.contains(&c)) {
            // A mark left where a word went joins the text before it, replacing a pause mark left there.
            while tidy.ends_with([',', ';', ':']) {
                tidy.pop();
            }
            if !tidy.is_empty() {
                tidy.push_str(tok);
            }
        } else {
            if !tidy.is_empty() {
                tidy.push(' ');
            }
            tidy.push_str(tok);
        }
    }
    tidy
}

/// A word's letters, digits and inner apostrophes or hyphens ("don't", "x-ray").
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'
}

/// The form a word is matched in: lower case, without the punctuation around it.
fn key(word: &str) -> String {
    word.trim().trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()
}

fn settings(reason: String) -> BedsideError {
    BedsideError::Settings { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(text: &str) -> AsrSegment {
        let words = text
            .split_whitespace()
            .flat_map(|w| {
                let (body, punct) = w.split_at(w.trim_end_matches([',', '.']).len());
                let mut v = vec![Word { text: body.into(), start: 0.0, end: 0.1, probability: 0.9, filtered: false }];
                if !punct.is_empty() {
                    v.push(Word { text: punct.into(), start: 0.1, end: 0.1, probability: 0.0, filtered: false });
                }
                v
            })
            .collect();
        AsrSegment { start: 0.0, end: 1.0, text: text.into(), words, avg_logprob: 0.0, no_speech_prob: 0.0 }
    }

    fn filter(words: &[&str], method: FilterMethod) -> VocabularyFilter {
        VocabularyFilter::new(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>(), method).unwrap()
    }

    #[test]
    fn mask_replaces_whole_words_in_text_and_items_regardless_of_case() {
        let mut s = seg("Damn, it hurts. Damned thing, damn.");
        filter(&["damn"], FilterMethod::Mask).apply(&mut s);
        assert_eq!(s.text, "***, it hurts. Damned thing, ***.");
        let texts: Vec<&str> = s.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["***", ",", "it", "hurts", ".", "Damned", "thing", ",", "***", "."]);
        assert_eq!(s.words.iter().filter(|w| w.filtered).count(), 2);
    }

    #[test]
    fn remove_takes_words_out_and_tidies_the_spacing() {
        let mut s = seg("Damn, it hurts, damn.");
        filter(&["DAMN"], FilterMethod::Remove).apply(&mut s);
        assert_eq!(s.text, "it hurts.");
        let mut s = seg("I said damn, it hurts.");
        filter(&["damn"], FilterMethod::Remove).apply(&mut s);
        assert_eq!(s.text, "I said, it hurts.");
        assert!(s.words.iter().all(|w| w.text != "Damn" && w.text != "damn"));
    }

    #[test]
    fn tag_keeps_the_words_and_marks_their_items() {
        let mut s = seg("Damn, it hurts.");
        filter(&["damn"], FilterMethod::Tag).apply(&mut s);
        assert_eq!(s.text, "Damn, it hurts.");
        let tagged: Vec<&str> = s.words.iter().filter(|w| w.filtered).map(|w| w.text.as_str()).collect();
        assert_eq!(tagged, ["Damn"]);
    }

    #[test]
    fn phrases_empty_lists_and_unknown_methods_are_refused() {
        assert!(VocabularyFilter::new(&["two words".into()], FilterMethod::Mask).is_err());
        assert!(VocabularyFilter::new(&[], FilterMethod::Mask).is_err());
        assert!(VocabularyFilter::new(&["  ".into()], FilterMethod::Mask).is_err());
        assert!(FilterMethod::parse("hide").is_err());
    }

    #[test]
    fn the_prompt_keeps_the_vocabulary_whole_and_the_newest_previous_text() {
        let p = prompt_with(&[1, 2], &[10, 11, 12, 13], 4);
        assert_eq!(p, [1, 2, 12, 13]);
        assert_eq!(prompt_with(&[], &[10, 11], 4), [10, 11]);
    }
}
