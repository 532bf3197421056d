//! Near-miss spellings of one-word drug names, for names a recogniser or a typist got almost right
//! ("lisonopril", "cisplacin").
//!
//! Input: the lexicon's one-word medication terms. Output: [`Spellings::nearest`] gives the concept of
//! the one term a word is within a small edit distance of (Damerau-Levenshtein, `strsim`), or nothing.
//! Lookup: every term is indexed under itself and each string made by deleting one letter; a word's own
//! deletions are looked up the same way, so a candidate is any term one insertion, deletion, substitution
//! or transposition away (two when the edits fall on both sides). Hashes of those strings are kept
//! instead of the strings, sorted, to keep memory small in wasm; each candidate is checked exactly.
//! Limits: two edits on the same side ("etoside" for "etoposide") are not found; the first letter must
//! be right; words shorter than [`MIN_LEN`] are never corrected, since short drug names sit one letter
//! from everyday words.

use std::hash::{DefaultHasher, Hash, Hasher};

/// Shortest word considered.
pub const MIN_LEN: usize = 7;
/// From this length on, two edits are allowed (one below it).
const TWO_EDITS_FROM: usize = 10;

pub struct Spellings {
    terms: Vec<(String, usize)>,
    /// (hash of the term or one of its deletions, index into `terms`), sorted.
    index: Vec<(u64, u32)>,
}

fn hash(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// The word and every string made by deleting one of its letters (ASCII words only).
fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    std::iter::once(word.to_string()).chain((0..word.len()).map(move |i| format!("{}{}", &word[..i], &word[i + 1..])))
}

fn eligible(word: &str) -> bool {
    word.len() >= MIN_LEN && word.bytes().all(|b| b.is_ascii_lowercase())
}

impl Spellings {
    /// `terms`: (term, concept) pairs; terms that are not one plain lower-case word are skipped.
    pub fn new<'a>(terms: impl IntoIterator<Item = (&'a str, usize)>) -> Self {
        let terms: Vec<(String, usize)> = terms.into_iter().filter(|(t, _)| eligible(t)).map(|(t, c)| (t.to_string(), c)).collect();
        let mut index: Vec<(u64, u32)> =
            terms.iter().enumerate().flat_map(|(i, (t, _))| deletions(t).map(move |d| (hash(&d), i as u32)).collect::<Vec<_>>()).collect();
        index.sort_unstable();
        index.dedup();
        Self { terms, index }
    }

    /// The concept of the single closest term, if one is close enough and no other concept is as close.
    pub fn nearest(&self, word: &str) -> Option<usize> {
        if !eligible(word) {
            return None;
        }
        let allowed = if word.len() >= TWO_EDITS_FROM { 2 } else { 1 };
        let mut best: Option<(usize, usize)> = None; // (distance, concept)
        let mut tied = false;
        for d in deletions(word) {
            let h = hash(&d);
            let from = self.index.partition_point(|&(x, _)| x < h);
            for &(_, i) in self.index[from..].iter().take_while(|&&(x, _)| x == h) {
                let (term, concept) = &self.terms[i as usize];
                if term == word || term.as_bytes()[0] != word.as_bytes()[0] {
                    continue;
                }
                let dist = strsim::damerau_levenshtein(word, term);
                if dist > allowed {
                    continue;
                }
                match best {
                    Some((bd, bc)) if dist == bd && bc != *concept => tied = true,
                    Some((bd, _)) if dist >= bd => {}
                    _ => {
                        best = Some((dist, *concept));
                        tied = false;
                    }
                }
            }
        }
        best.filter(|_| !tied).map(|(_, c)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_of_long_names_only() {
        let s = Spellings::new([("lisinopril", 0), ("cisplatin", 1), ("etoposide", 2), ("codeine", 3), ("cocaine", 4)]);
        assert_eq!(s.nearest("lisonopril"), Some(0)); // substitution
        assert_eq!(s.nearest("lisinoprl"), Some(0)); // deletion
        assert_eq!(s.nearest("cisplacin"), Some(1));
        assert_eq!(s.nearest("cispaltin"), Some(1)); // transposition
        assert_eq!(s.nearest("lisinopril"), None, "an exact term is the matcher's, not a near miss");
        assert_eq!(s.nearest("etoside"), None, "two deletions on one side");
        assert_eq!(s.nearest("kisplatin"), None, "first letter differs");
        assert_eq!(s.nearest("cisplaxyn"), None, "two edits on a nine-letter word");
        assert_eq!(s.nearest("coceine"), None, "as close to two drugs");
    }
}
