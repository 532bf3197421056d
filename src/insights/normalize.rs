//! Word tokens and their matching keys, shared by the lexicon builder and the matcher so both sides
//! normalise the same way.
//!
//! Input: a segment's text. Output: tokens with their character offsets (zero-based, end-exclusive, in
//! Unicode scalar values of the input) and a key per token.
//! Key rules (absorbing ASR variation): lower case; hyphens, slashes and other punctuation split words
//! ("x-ray" = "x ray"); apostrophes vanish ("crohn's" = "crohns"); a light plural stem ("allergies" =
//! "allergy", "pains" = "pain"), after British medical spellings take their American form ("diarrhoea" =
//! "diarrhea"). Digits with an inner decimal point stay one token ("7.2").
//! Limits: English only; the stem is deliberately crude (both sides get the same crude form).

/// One word of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Matching key (lower case, stemmed).
    pub key: String,
    /// Lower-case surface form, unstemmed.
    pub lower: String,
    pub start: usize,
    pub end: usize,
}

/// Contractions whose apostrophe-less form is another English word, with the key they get instead.
const CLASHING_CONTRACTIONS: &[(&str, &str)] =
    &[("were", "we're"), ("well", "we'll"), ("ill", "i'll"), ("shell", "she'll"), ("hell", "he'll"), ("wed", "we'd"), ("id", "i'd"), ("shed", "she'd"), ("its", "it's"), ("whore", "who're")];

/// Splits `text` into word tokens.
pub fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut word = String::new();
        while i < chars.len() {
            let c = chars[i];
            let inner = |j: usize| j > start && j + 1 < chars.len();
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else if (c == '\'' || c == '’') && inner(i) && chars[i + 1].is_alphabetic() {
                // "don't", "crohn's": the apostrophe is dropped, the word continues.
            } else if c == '.' && inner(i) && chars[i - 1].is_ascii_digit() && chars[i + 1].is_ascii_digit() {
                word.push('.');
            } else {
                break;
            }
            i += 1;
        }
        // Tokenised transcripts write "do n't" / "ca n't": join the clitic back onto its word.
        if word == "nt" && chars.get(start + 1) == Some(&'\'') && start >= 2 && chars[start - 1] == ' ' {
            if let Some(prev) = out.last_mut() {
                if prev.end + 1 == start {
                    prev.lower.push_str("nt");
                    prev.key = stem(&prev.lower);
                    prev.end = i;
                    continue;
                }
            }
        }
        // A contraction that would read as another word without its apostrophe keeps it in the key
        // ("we're not" is not the ConText trigger "were not"; "i'll" is not "ill").
        let key = match CLASHING_CONTRACTIONS.iter().find(|(joined, _)| *joined == word) {
            Some((_, with)) if chars[start..i].iter().any(|c| *c == '\'' || *c == '’') => (*with).to_string(),
            _ => stem(&word),
        };
        out.push(Token { key, lower: word, start, end: i });
    }
    out
}

/// The matching key of a phrase: its token keys joined by single spaces.
pub fn key(phrase: &str) -> String {
    tokens(phrase).iter().map(|t| t.key.as_str()).collect::<Vec<_>>().join(" ")
}

/// British spellings of medical words and their American forms, which the registry vocabularies use
/// ("diarrhoea", "oedema", "anaemia", "haemoptysis", "paediatric", "tumour"): the first column is
/// replaced wherever it occurs in a word, the second only at its start.
const BRITISH_INSIDE: &[(&str, &str)] = &[
    ("rrhoea", "rrhea"), ("aemi", "emi"), ("pnoea", "pnea"), ("anaesth", "anesth"), ("paed", "ped"), ("tumour", "tumor"),
    ("colour", "color"), ("behaviour", "behavior"), ("coeliac", "celiac"),
];
const BRITISH_START: &[(&str, &str)] = &[("oedem", "edem"), ("oesophag", "esophag"), ("oestr", "estr"), ("haem", "hem"), ("foet", "fet")];

/// A word's American spelling (unchanged when it has no British form above).
fn american(word: &str) -> std::borrow::Cow<'_, str> {
    let mut out = std::borrow::Cow::Borrowed(word);
    for (uk, us) in BRITISH_INSIDE {
        if out.contains(uk) {
            out = std::borrow::Cow::Owned(out.replace(uk, us));
        }
    }
    for (uk, us) in BRITISH_START {
        if let Some(rest) = out.strip_prefix(uk) {
            out = std::borrow::Cow::Owned(format!("{us}{rest}"));
        }
    }
    out
}

/// Crude English plural stem, applied identically to lexicon terms and to transcript words (after the
/// American spelling).
pub fn stem(word: &str) -> String {
    let american = american(word);
    let word = american.as_ref();
    let n = word.chars().count();
    if n > 4 && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3])
    } else if n > 3
        && word.ends_with('s')
        && !["ss", "us", "is", "ys"].iter().any(|e| word.ends_with(e))
        && !word.chars().any(|c| c.is_ascii_digit())
    {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_chars_and_keys_absorb_variants() {
        let t = tokens("Héllo, X-ray of Crohn's; allergies 7.2.");
        let keys: Vec<_> = t.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, ["héllo", "x", "ray", "of", "crohn", "allergy", "7.2"]);
        assert_eq!((t[0].start, t[0].end), (0, 5));
        assert_eq!((t[6].start, t[6].end), (35, 38));
        assert_eq!(key("Chest-Pains"), key("chest pain"));
        assert_eq!(key("DIABETES"), key("diabetes"));
        assert_ne!(key("glass"), key("gas"));
        assert_eq!(key("i do n't have"), key("i don't have"));
        assert_ne!(key("we're not"), key("were not"));
        assert_eq!(key("I'll"), "i'll");
        assert_eq!(key("ill"), "ill");
        for (uk, us) in [("diarrhoea", "diarrhea"), ("Oedema", "edema"), ("anaemia", "anemia"), ("haemoptysis", "hemoptysis"),
            ("paediatric", "pediatric"), ("tumours", "tumor"), ("oesophagus", "esophagus"), ("dyspnoea", "dyspnea")] {
            assert_eq!(key(uk), key(us), "{uk}");
        }
        assert_ne!(key("hour"), key("hor"));
    }
}
