//! Word error rate with an English text normalizer.
//!
//! [`normalize_english`] puts a transcript into a canonical form so that differences in writing style
//! (case, punctuation, contractions, British or American spelling, "twenty five" or "25", fillers
//! such as "um") are not counted as recognition errors. It follows the spirit of the normalizer that
//! is customary for Whisper evaluations, written independently for this project.
//!
//! [`word_error_rate`] normalizes both texts and aligns their words with a Levenshtein alignment,
//! counting substitutions, deletions and insertions.

use std::fmt;
use std::ops::{Add, AddAssign};

/// Result of aligning a hypothesis against a reference, word by word.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WerResult {
    /// Reference words replaced by a different hypothesis word.
    pub substitutions: usize,
    /// Reference words missing from the hypothesis.
    pub deletions: usize,
    /// Hypothesis words with no counterpart in the reference.
    pub insertions: usize,
    /// Reference words that the hypothesis got right.
    pub hits: usize,
    /// Number of words in the (normalized) reference.
    pub reference_words: usize,
    /// Number of words in the (normalized) hypothesis.
    pub hypothesis_words: usize,
}

impl WerResult {
    /// Total edit count: substitutions + deletions + insertions.
    pub fn errors(&self) -> usize {
        self.substitutions + self.deletions + self.insertions
    }

    /// Word error rate, `errors / reference_words`. It can exceed 1.0 when the hypothesis has many
    /// insertions. With an empty reference it is 0.0 for an empty hypothesis and 1.0 otherwise.
    pub fn wer(&self) -> f64 {
        if self.reference_words == 0 {
            return if self.hypothesis_words == 0 { 0.0 } else { 1.0 };
        }
        self.errors() as f64 / self.reference_words as f64
    }
}

impl Add for WerResult {
    type Output = WerResult;
    /// Pools counts, so that the sum's `wer()` is the corpus-level WER.
    fn add(self, o: WerResult) -> WerResult {
        WerResult {
            substitutions: self.substitutions + o.substitutions,
            deletions: self.deletions + o.deletions,
            insertions: self.insertions + o.insertions,
            hits: self.hits + o.hits,
            reference_words: self.reference_words + o.reference_words,
            hypothesis_words: self.hypothesis_words + o.hypothesis_words,
        }
    }
}

impl AddAssign for WerResult {
    fn add_assign(&mut self, o: WerResult) {
        *self = *self + o;
    }
}

impl fmt::Display for WerResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "WER {:.2}% ({} errors / {} reference words: {} sub, {} del, {} ins; {} hypothesis words)",
            self.wer() * 100.0,
            self.errors(),
            self.reference_words,
            self.substitutions,
            self.deletions,
            self.insertions,
            self.hypothesis_words
        )
    }
}

/// Normalize both texts with [`normalize_english`] and compute the word error rate.
pub fn word_error_rate(reference: &str, hypothesis: &str) -> WerResult {
    let r = normalize_english(reference);
    let h = normalize_english(hypothesis);
    let rw: Vec<&str> = r.split_whitespace().collect();
    let hw: Vec<&str> = h.split_whitespace().collect();
    align_words(&rw, &hw)
}

/// Word-level Levenshtein alignment of already-tokenized texts (no normalization).
///
/// Ties between alignments of equal cost are broken in favour of substitutions, then deletions.
pub fn align_words<S: AsRef<str>>(reference: &[S], hypothesis: &[S]) -> WerResult {
    let n = reference.len();
    let m = hypothesis.len();
    // Full cost matrix (texts here are at most a few thousand words), kept for the backtrace.
    let w = m + 1;
    let mut d = vec![0u32; (n + 1) * w];
    for j in 0..=m {
        d[j] = j as u32;
    }
    for i in 1..=n {
        d[i * w] = i as u32;
        for j in 1..=m {
            let same = reference[i - 1].as_ref() == hypothesis[j - 1].as_ref();
            let diag = d[(i - 1) * w + j - 1] + u32::from(!same);
            let del = d[(i - 1) * w + j] + 1;
            let ins = d[i * w + j - 1] + 1;
            d[i * w + j] = diag.min(del).min(ins);
        }
    }
    let mut res = WerResult {
        reference_words: n,
        hypothesis_words: m,
        ..Default::default()
    };
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let cur = d[i * w + j];
        if i > 0 && j > 0 {
            let same = reference[i - 1].as_ref() == hypothesis[j - 1].as_ref();
            if cur == d[(i - 1) * w + j - 1] + u32::from(!same) {
                if same {
                    res.hits += 1;
                } else {
                    res.substitutions += 1;
                }
                i -= 1;
                j -= 1;
                continue;
            }
        }
        if i > 0 && cur == d[(i - 1) * w + j] + 1 {
            res.deletions += 1;
            i -= 1;
        } else {
            res.insertions += 1;
            j -= 1;
        }
    }
    res
}

// ---------------------------------------------------------------------------------------------
// Normalizer
// ---------------------------------------------------------------------------------------------

/// Marks a clause boundary (from , ; : . ! ?) so that spoken numbers on either side of it are not
/// merged. Never appears in the output.
const BREAK: &str = "\u{1}";

/// Put English text into a canonical form for WER scoring:
///
/// - lowercase; common accented letters folded to ASCII; curly quotes made straight;
/// - spans in `[...]`, `(...)`, `<...>`, `{...}` removed;
/// - `%` → "percent" ("per cent" too), `&` → "and", `£5` → "5 pounds", `$5` → "5 dollars";
/// - contractions expanded ("won't" → "will not", "can't"/"cannot" → "can not", "n't" → "not",
///   "'re" "'ve" "'ll" "'m" → "are" "have" "will" "am", "'d" → "had"/"would"/"did" from context,
///   "it's" → "it is", "let's" → "let us", "gonna" → "going to", ...), other apostrophes dropped;
/// - fillers dropped (um, uh, hmm, mm, mhm, er, erm, ...);
/// - titles spelled out ("dr" → "doctor", "mr" → "mister"), "ok" → "okay", "alright" → "all right";
/// - British spellings made American (colour, centre, organise, haemoglobin, oesophagus, ...);
/// - spoken numbers written as digits ("twenty five" → "25", "two hundred and fifty" → "250",
///   "two point five" → "2.5", "third" → "3rd"), "1,000" → "1000", unit abbreviations after a
///   number spelled out ("5mg" → "5 milligrams");
/// - punctuation removed except a decimal point inside a number; hyphens and slashes become spaces;
///   whitespace collapsed to single spaces.
pub fn normalize_english(text: &str) -> String {
    let s = fold_chars(text);
    let s = remove_bracketed(&s);
    let s = expand_symbols(&s);
    let s = clean_punctuation(&s);

    let raw: Vec<&str> = s.split_whitespace().collect();
    // Contractions and word-level rewrites (may need the next word).
    let mut words: Vec<String> = Vec::with_capacity(raw.len());
    for (k, w) in raw.iter().enumerate() {
        let next = raw.get(k + 1).copied().unwrap_or("");
        expand_word(w, next, &mut words);
    }
    // "per cent" → "percent"
    let mut merged: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        if w == "cent" && merged.last().map(|p| p == "per").unwrap_or(false) {
            merged.pop();
            merged.push("percent".to_string());
        } else {
            merged.push(w);
        }
    }
    let words = convert_numbers(&merged);
    let words = expand_units(&words);
    let out: Vec<&str> = words
        .iter()
        .map(|s| s.as_str())
        .filter(|w| *w != BREAK && !w.is_empty())
        .collect();
    out.join(" ")
}

/// Lowercase, fold common accented letters and typographic quotes/dashes.
fn fold_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let r = match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
            '\u{00A0}' => ' ',
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
                'a'
            }
            'ç' | 'Ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
            'ñ' | 'Ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
            'ý' | 'ÿ' | 'Ý' => 'y',
            'µ' | 'μ' => 'u',
            _ => {
                for l in c.to_lowercase() {
                    out.push(l);
                }
                continue;
            }
        };
        out.push(r);
    }
    out
}

/// Drop `[...]`, `(...)`, `<...>` and `{...}` spans (non-nested, shortest match). An opening
/// bracket without its closing one is left alone.
fn remove_bracketed(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let close = match chars[i] {
            '[' => Some(']'),
            '(' => Some(')'),
            '<' => Some('>'),
            '{' => Some('}'),
            _ => None,
        };
        if let Some(close) = close {
            if let Some(off) = chars[i + 1..].iter().position(|&c| c == close) {
                out.push(' ');
                i += off + 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// `%`, `&`, `+`, `@` and currency symbols to words.
fn expand_symbols(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '%' => out.push_str(" percent "),
            '&' => out.push_str(" and "),
            '+' => out.push_str(" plus "),
            '@' => out.push_str(" at "),
            '£' | '$' | '€' => {
                let unit = match c {
                    '£' => "pounds",
                    '$' => "dollars",
                    _ => "euros",
                };
                // Move the currency word after the amount: "£5.50" → "5.50 pounds".
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_ascii_digit() || chars[j] == '.' || chars[j] == ',')
                {
                    j += 1;
                }
                // Don't swallow a sentence-final period or comma.
                while j > i + 1 && (chars[j - 1] == '.' || chars[j - 1] == ',') {
                    j -= 1;
                }
                if j > i + 1 {
                    out.push(' ');
                    out.extend(&chars[i + 1..j]);
                    // "£5 million" → "5 million pounds"
                    let rest: String = chars[j..].iter().collect();
                    let rest_trim = rest.trim_start();
                    let scale = ["thousand", "million", "billion"].iter().find(|w| {
                        rest_trim.starts_with(*w)
                            && !rest_trim[w.len()..].starts_with(|c: char| c.is_alphanumeric())
                    });
                    if let Some(w) = scale {
                        let skip = rest.len() - rest_trim.len() + w.len();
                        out.push(' ');
                        out.push_str(w);
                        j += rest[..skip].chars().count();
                    }
                    out.push(' ');
                    out.push_str(unit);
                    out.push(' ');
                    i = j;
                    continue;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Keep letters, digits and apostrophes; keep '.' between digits; drop ',' used as a thousands
/// separator; turn clause punctuation into a break marker and everything else into spaces.
fn clean_punctuation(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let digit_at = |k: isize| -> bool {
        k >= 0 && (k as usize) < chars.len() && chars[k as usize].is_ascii_digit()
    };
    for (i, &c) in chars.iter().enumerate() {
        let ii = i as isize;
        if c.is_alphanumeric() {
            // Split digits from letters ("5mg" → "5 mg") but keep ordinal suffixes ("21st").
            if let Some(prev) = out.chars().next_back() {
                let digit_then_letter =
                    prev.is_ascii_digit() && c.is_alphabetic() && !is_ordinal_suffix_at(&chars, i);
                let letter_then_digit = prev.is_alphabetic() && c.is_ascii_digit();
                if digit_then_letter || letter_then_digit {
                    out.push(' ');
                }
            }
            out.push(c);
        } else if c == '\'' {
            out.push(c);
        } else if c == '.' && digit_at(ii - 1) && digit_at(ii + 1) {
            out.push('.');
        } else if c == ',' && digit_at(ii - 1) && digit_at(ii + 1) && thousands_group(&chars, i) {
            // 1,000 → 1000
        } else if matches!(c, ',' | ';' | ':' | '.' | '!' | '?') {
            out.push(' ');
            out.push_str(BREAK);
            out.push(' ');
        } else {
            out.push(' ');
        }
    }
    out
}

/// True when the letters starting at `i` (after a digit) are an ordinal suffix ending the word.
fn is_ordinal_suffix_at(chars: &[char], i: usize) -> bool {
    let end = chars[i..]
        .iter()
        .position(|c| !c.is_alphabetic())
        .map(|p| i + p)
        .unwrap_or(chars.len());
    let suf: String = chars[i..end].iter().collect();
    matches!(suf.as_str(), "st" | "nd" | "rd" | "th" | "s")
}

/// A ',' at `i` followed by exactly three digits and then a non-digit.
fn thousands_group(chars: &[char], i: usize) -> bool {
    let after = &chars[i + 1..];
    after.len() >= 3
        && after[..3].iter().all(|c| c.is_ascii_digit())
        && after.get(3).map(|c| !c.is_ascii_digit()).unwrap_or(true)
}

const FILLERS: &[&str] = &[
    "um", "umm", "ummm", "uh", "uhh", "uhm", "uhmm", "hm", "hmm", "hmmm", "mm", "mmm", "mmmm",
    "mhm", "mmhm", "mmhmm", "er", "erm", "ehm", "ugh",
];

/// Words whose "'s" means "is" (or "has" before a participle).
const S_IS: &[&str] = &[
    "it",
    "that",
    "there",
    "here",
    "what",
    "where",
    "who",
    "how",
    "he",
    "she",
    "when",
    "why",
    "everything",
    "nothing",
    "something",
    "someone",
    "everyone",
    "everybody",
    "somebody",
    "nobody",
    "this",
];

/// Participles after which "'d" means "had" and "'s" means "has".
const PARTICIPLES: &[&str] = &[
    "been", "had", "gone", "done", "got", "gotten", "seen", "taken", "told", "given", "known",
    "heard", "eaten", "started", "tried", "noticed", "felt", "lost", "put",
];

/// Expand contractions and informal forms of one word (which may still contain apostrophes), then
/// apply spelling and word rewrites, pushing the result word(s) onto `out`.
fn expand_word(w: &str, next: &str, out: &mut Vec<String>) {
    if w == BREAK {
        out.push(BREAK.to_string());
        return;
    }
    let next = next.trim_matches('\'');
    if w == "'cause" || w == "'cos" {
        push_word("because", out);
        return;
    }
    let w = w.trim_matches('\'');
    // Whole-word forms first.
    let fixed: Option<&[&str]> = match w {
        "won't" => Some(&["will", "not"]),
        "can't" | "cannot" => Some(&["can", "not"]),
        "shan't" => Some(&["shall", "not"]),
        "let's" => Some(&["let", "us"]),
        "y'all" => Some(&["you", "all"]),
        "ma'am" => Some(&["madam"]),
        "cos" | "cuz" | "coz" => Some(&["because"]),
        "gonna" => Some(&["going", "to"]),
        "wanna" => Some(&["want", "to"]),
        "gotta" => Some(&["got", "to"]),
        "kinda" => Some(&["kind", "of"]),
        "sorta" => Some(&["sort", "of"]),
        "dunno" => Some(&["do", "not", "know"]),
        "lemme" => Some(&["let", "me"]),
        "gimme" => Some(&["give", "me"]),
        _ => None,
    };
    if let Some(ws) = fixed {
        for x in ws {
            push_word(x, out);
        }
        return;
    }
    if let Some(stem) = w.strip_suffix("n't") {
        push_word(stem, out);
        push_word("not", out);
        return;
    }
    for (suf, full) in [
        ("'re", "are"),
        ("'ve", "have"),
        ("'ll", "will"),
        ("'m", "am"),
    ] {
        if let Some(stem) = w.strip_suffix(suf) {
            if !stem.is_empty() {
                push_word(stem, out);
                push_word(full, out);
                return;
            }
        }
    }
    if let Some(stem) = w.strip_suffix("'d") {
        if !stem.is_empty() {
            let full = if matches!(stem, "what" | "how" | "where" | "why") {
                "did"
            } else if PARTICIPLES.contains(&next) {
                "had"
            } else {
                "would"
            };
            push_word(stem, out);
            push_word(full, out);
            return;
        }
    }
    if let Some(stem) = w.strip_suffix("'s") {
        if S_IS.contains(&stem) {
            push_word(stem, out);
            push_word(
                if PARTICIPLES.contains(&next) {
                    "has"
                } else {
                    "is"
                },
                out,
            );
            return;
        }
    }
    // Possessives and anything else: drop apostrophes ("patient's" → "patients", "o'clock" → "oclock").
    let plain: String = w.chars().filter(|&c| c != '\'').collect();
    push_word(&plain, out);
}

/// Final per-word rewrites (fillers, titles, spelling) and push.
fn push_word(w: &str, out: &mut Vec<String>) {
    let w: String = w.chars().filter(|&c| c != '\'').collect();
    if w.is_empty() {
        return;
    }
    // "mm" after a number is millimetres, not a filler.
    let after_digit = out
        .last()
        .and_then(|p| p.chars().next())
        .map(|c| c.is_ascii_digit())
        .unwrap_or(false);
    if FILLERS.contains(&w.as_str()) && !(after_digit && w == "mm") {
        return;
    }
    let rewritten: &[&str] = match w.as_str() {
        "dr" => &["doctor"],
        "mr" => &["mister"],
        "mrs" => &["missus"],
        "ms" => &["miss"],
        "prof" => &["professor"],
        "ok" | "okey" => &["okay"],
        "alright" => &["all", "right"],
        _ => &[],
    };
    if !rewritten.is_empty() {
        out.extend(rewritten.iter().map(|s| s.to_string()));
        return;
    }
    out.push(americanize(&w));
}

// --- British → American spelling ---------------------------------------------------------------

/// Whole-word replacements that the rules below don't cover.
const SPELLING_WORDS: &[(&str, &str)] = &[
    ("grey", "gray"),
    ("greys", "grays"),
    ("mould", "mold"),
    ("mouldy", "moldy"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("aluminium", "aluminum"),
    ("sulphur", "sulfur"),
    ("sulphate", "sulfate"),
    ("ageing", "aging"),
    ("judgement", "judgment"),
    ("acknowledgement", "acknowledgment"),
    ("practise", "practice"),
    ("practised", "practiced"),
    ("practising", "practicing"),
    ("licence", "license"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("pretence", "pretense"),
    ("catalogue", "catalog"),
    ("analogue", "analog"),
    ("sceptical", "skeptical"),
    ("sceptic", "skeptic"),
    ("manoeuvre", "maneuver"),
    ("manoeuvres", "maneuvers"),
    ("pyjamas", "pajamas"),
    ("jewellery", "jewelry"),
    ("tyre", "tire"),
    ("tyres", "tires"),
    ("cheque", "check"),
    ("cheques", "checks"),
    ("plough", "plow"),
    ("fulfil", "fulfill"),
    ("enrol", "enroll"),
    ("skilful", "skillful"),
    ("caesarean", "cesarean"),
    ("caesarian", "cesarean"),
    ("cesarian", "cesarean"),
    ("storey", "story"),
    ("draught", "draft"),
    ("towards", "toward"),
    ("afterwards", "afterward"),
    ("whilst", "while"),
    ("amongst", "among"),
];

/// Stems that take "our" in British spelling: colour, favour(ite), behaviour(al), ...
const OUR_STEMS: &[&str] = &[
    "col", "fav", "behavi", "lab", "neighb", "hon", "hum", "flav", "rum", "od", "tum", "vap",
    "harb", "sav", "savi", "arm", "vig", "rig", "endeav", "parl", "clam", "splend", "ferv", "ard",
];

/// Stems of -ise/-isation verbs and nouns that American spelling writes with z.
const ISE_STEMS: &[&str] = &[
    "organ",
    "recogn",
    "real",
    "apolog",
    "special",
    "minim",
    "maxim",
    "priorit",
    "hospital",
    "immun",
    "stabil",
    "normal",
    "categor",
    "emphas",
    "summar",
    "visual",
    "util",
    "final",
    "author",
    "critic",
    "memor",
    "standard",
    "optim",
    "personal",
    "general",
    "character",
    "steril",
    "neutral",
    "central",
    "familiar",
    "ideal",
    "mobil",
    "catheter",
    "sympath",
    "hypnot",
    "local",
    "computer",
    "custom",
    "modern",
    "synthes",
    "harmon",
    "symbol",
    "vapor",
    "vapour",
    "terror",
    "agon",
    "jeopard",
    "fertil",
    "metabol",
    "colon",
    "legal",
    "capital",
    "civil",
    "econom",
    "energ",
    "euthan",
    "famil",
    "trivial",
    "vocal",
    "desensit",
    "sensit",
    "rational",
    "psycholog",
    "scrutin",
    "vandal",
    "chron",
    "subsid",
    "global",
    "industrial",
    "demoral",
    "tranquil",
    "moistur",
    "sanit",
    "mesmer",
    "ostrac",
    "penal",
    "revital",
    "human",
];
const ISE_SUFFIXES: &[&str] = &[
    "ise", "ised", "ises", "ising", "isation", "isations", "iser", "isers", "isable",
];

/// Stems that double a final l before -ed/-ing/-er in British spelling (travelled, cancelled).
const LL_STEMS: &[&str] = &[
    "travel", "cancel", "label", "model", "signal", "counsel", "fuel", "dial", "total", "level",
    "channel", "tunnel", "marvel", "jewel", "quarrel", "shovel", "snorkel", "swivel", "tranquil",
    "equal",
];

/// Substring rewrites for the Greek/Latin "ae"/"oe" spellings common in medicine, and -re endings.
const SPELLING_SUBSTRINGS: &[(&str, &str)] = &[
    ("haem", "hem"),     // haemoglobin, haematoma, haemorrhage, haemorrhoids
    ("aemi", "emi"),     // anaemia, leukaemia, septicaemia, hypoglycaemia, ischaemic
    ("anaes", "anes"),   // anaesthetic, anaesthesia
    ("oesoph", "esoph"), // oesophagus, oesophageal, oesophagitis
    ("paed", "ped"),     // paediatric, orthopaedic, encyclopaedia
    ("oedem", "edem"),   // oedema
    ("oestr", "estr"),   // oestrogen, oestradiol
    ("foet", "fet"),     // foetus, foetal
    ("faec", "fec"),     // faeces, faecal
    ("coeli", "celi"),   // coeliac
    ("gynaec", "gynec"), // gynaecology
    ("rrhoe", "rrhe"),   // diarrhoea, gonorrhoea, amenorrhoea, rhinorrhoea
    ("pnoe", "pne"),     // dyspnoea, apnoea, tachypnoea
    ("amoeb", "ameb"),   // amoeba
    ("litre", "liter"),  // litre, millilitre
    ("metre", "meter"),  // metre, centimetre, millimetre
];

/// -re words that become -er (centre, fibre, theatre), with their plurals/past forms.
const RE_STEMS: &[&str] = &[
    "cent", "fib", "theat", "calib", "somb", "spect", "lust", "meag", "sab", "goit",
];

fn americanize(w: &str) -> String {
    if let Some((_, us)) = SPELLING_WORDS.iter().find(|(uk, _)| *uk == w) {
        return us.to_string();
    }
    let mut s = w.to_string();
    for (uk, us) in SPELLING_SUBSTRINGS {
        if s.contains(uk) {
            s = s.replace(uk, us);
        }
    }
    // colour → color, favourite → favorite, behavioural → behavioral
    for stem in OUR_STEMS {
        if let Some(rest) = s.strip_prefix(stem) {
            if let Some(tail) = rest.strip_prefix("our") {
                if our_tail_ok(tail) {
                    s = format!("{stem}or{tail}");
                    break;
                }
            }
        }
    }
    // organise → organize, hospitalisation → hospitalization
    for stem in ISE_STEMS {
        if let Some(rest) = s.strip_prefix(stem) {
            if ISE_SUFFIXES.contains(&rest) {
                s = format!("{stem}iz{}", &rest[2..]);
                break;
            }
        }
    }
    // analyse → analyze, paralysed → paralyzed, dialysing → dialyzing
    for stem in ["analy", "paraly", "cataly", "dialy", "hydroly", "electroly"] {
        if let Some(rest) = s.strip_prefix(stem) {
            if matches!(rest, "se" | "sed" | "ses" | "sing" | "ser" | "sers") {
                s = format!("{stem}z{}", &rest[1..]);
                break;
            }
        }
    }
    // travelled → traveled, cancelling → canceling
    for stem in LL_STEMS {
        if let Some(rest) = s.strip_prefix(stem) {
            if matches!(rest, "led" | "ling" | "ler" | "lers") {
                s = format!("{stem}{}", &rest[1..]);
                break;
            }
        }
    }
    // centre → center, fibres → fibers, theatre → theater
    for stem in RE_STEMS {
        if let Some(rest) = s.strip_prefix(stem) {
            if matches!(rest, "re" | "res" | "red") {
                s = format!("{stem}er{}", &rest[2..]);
                break;
            }
        }
    }
    s
}

fn our_tail_ok(tail: &str) -> bool {
    matches!(
        tail,
        "" | "s"
            | "ed"
            | "ing"
            | "ite"
            | "ites"
            | "able"
            | "ably"
            | "al"
            | "ally"
            | "ful"
            | "fully"
            | "less"
            | "er"
            | "ers"
            | "ous"
            | "y"
            | "ism"
            | "ist"
            | "ists"
            | "ize"
            | "ized"
            | "ise"
            | "ised"
            | "ation"
    )
}

// --- Numbers ------------------------------------------------------------------------------------

fn small_number(w: &str) -> Option<u64> {
    Some(match w {
        "zero" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" | "fourty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

fn small_ordinal(w: &str) -> Option<u64> {
    Some(match w {
        "zeroth" => 0,
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "thirteenth" => 13,
        "fourteenth" => 14,
        "fifteenth" => 15,
        "sixteenth" => 16,
        "seventeenth" => 17,
        "eighteenth" => 18,
        "nineteenth" => 19,
        "twentieth" => 20,
        "thirtieth" => 30,
        "fortieth" => 40,
        "fiftieth" => 50,
        "sixtieth" => 60,
        "seventieth" => 70,
        "eightieth" => 80,
        "ninetieth" => 90,
        _ => return None,
    })
}

fn scale(w: &str) -> Option<u64> {
    Some(match w {
        "hundred" => 100,
        "thousand" => 1_000,
        "million" => 1_000_000,
        "billion" => 1_000_000_000,
        _ => return None,
    })
}

fn scale_ordinal(w: &str) -> Option<u64> {
    Some(match w {
        "hundredth" => 100,
        "thousandth" => 1_000,
        "millionth" => 1_000_000,
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Last {
    None,
    Ones, // 0-9
    Teen, // 10-19
    Tens, // 20, 30, ... 90
    Hundred,
    Scale, // thousand, million, billion
}

fn kind_of(v: u64) -> Last {
    match v {
        0..=9 => Last::Ones,
        10..=19 => Last::Teen,
        _ => Last::Tens,
    }
}

/// Can a number word of kind `k` follow what we have?
fn can_follow(last: Last, k: Last) -> bool {
    match k {
        Last::Ones => matches!(last, Last::None | Last::Tens | Last::Hundred | Last::Scale),
        Last::Teen | Last::Tens => matches!(last, Last::None | Last::Hundred | Last::Scale),
        _ => false,
    }
}

fn ordinal_suffix(v: u64) -> &'static str {
    if (11..=13).contains(&(v % 100)) {
        return "th";
    }
    match v % 10 {
        1 => "st",
        2 => "nd",
        3 => "rd",
        _ => "th",
    }
}

/// Replace runs of spoken number words with digits.
fn convert_numbers(words: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        if let Some((text, used)) = parse_number(words, i) {
            out.push(text);
            i += used;
        } else {
            out.push(words[i].clone());
            i += 1;
        }
    }
    out
}

/// Try to read a spoken number starting at `words[start]`; returns its digits and the words used.
fn parse_number(words: &[String], start: usize) -> Option<(String, usize)> {
    let first = words[start].as_str();
    let starts = small_number(first).is_some()
        || small_ordinal(first).is_some()
        || (first == "a" && words.get(start + 1).and_then(|w| scale(w)).is_some())
        || (first == "hundred" || first == "thousand");
    if !starts {
        return None;
    }
    let mut total: u64 = 0; // completed groups (thousands, millions...)
    let mut group: u64 = 0; // current group below the last scale word
    let mut last = Last::None;
    let mut last_scale = u64::MAX;
    let mut i = start;
    let mut ordinal = false;
    let mut decimals = String::new();

    if first == "a" {
        group = 1;
        last = Last::Ones;
        i += 1;
    }
    while i < words.len() {
        let w = words[i].as_str();
        if let Some(v) = small_number(w) {
            let k = kind_of(v);
            if !can_follow(last, k) {
                break;
            }
            group += v;
            last = k;
            i += 1;
            continue;
        }
        if let Some(v) = small_ordinal(w) {
            let k = kind_of(v);
            if !can_follow(last, k) {
                break;
            }
            group += v;
            ordinal = true;
            i += 1;
            break;
        }
        let scale_word = scale(w)
            .map(|s| (s, false))
            .or_else(|| scale_ordinal(w).map(|s| (s, true)));
        if let Some((s, is_ord)) = scale_word {
            if s == 100 {
                // "hundred" after a units/teen value with no hundred yet in this group, or alone.
                let ok = matches!(last, Last::None | Last::Ones | Last::Teen) && group < 100;
                if !ok {
                    break;
                }
                group = group.max(1) * 100;
                last = Last::Hundred;
            } else {
                if last == Last::None && i != start {
                    break;
                }
                if s >= last_scale {
                    break;
                }
                total += group.max(1) * s;
                group = 0;
                last = Last::Scale;
                last_scale = s;
            }
            i += 1;
            if is_ord {
                ordinal = true;
                break;
            }
            continue;
        }
        if w == "and" && matches!(last, Last::Hundred | Last::Scale) {
            // "two hundred and fifty": only when a number word follows that can continue.
            if let Some(n) = words.get(i + 1) {
                let nk = small_number(n).or_else(|| small_ordinal(n)).map(kind_of);
                if nk.map(|k| can_follow(last, k)).unwrap_or(false) {
                    i += 1;
                    continue;
                }
            }
            break;
        }
        if w == "point" && last != Last::None {
            let mut j = i + 1;
            while j < words.len() {
                match small_number(&words[j]) {
                    Some(d) if d <= 9 => decimals.push(char::from(b'0' + d as u8)),
                    _ => match words[j].as_str() {
                        "oh" | "o" => decimals.push('0'),
                        _ => break,
                    },
                }
                j += 1;
            }
            if !decimals.is_empty() {
                i = j;
            }
            break;
        }
        break;
    }
    let used = i - start;
    if used == 0 || (first == "a" && used < 2) {
        return None;
    }
    let value = total + group;
    let mut text = value.to_string();
    if !decimals.is_empty() {
        text.push('.');
        text.push_str(&decimals);
    } else if ordinal {
        text.push_str(ordinal_suffix(value));
    }
    Some((text, used))
}

/// Spell out unit abbreviations that follow a number ("5 mg" → "5 milligrams").
fn expand_units(words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        let after_number = out
            .last()
            .map(|p: &String| {
                p.chars()
                    .next()
                    .map(|c| c.is_ascii_digit())
                    .unwrap_or(false)
            })
            .unwrap_or(false);
        let unit = if after_number {
            match w.as_str() {
                "mg" | "mgs" => Some("milligrams"),
                "mcg" | "ug" | "mcgs" => Some("micrograms"),
                "kg" | "kgs" | "kilo" | "kilos" => Some("kilograms"),
                "ml" | "mls" => Some("milliliters"),
                "cm" | "cms" => Some("centimeters"),
                "mm" => Some("millimeters"),
                "km" | "kms" => Some("kilometers"),
                "lb" | "lbs" => Some("pounds"),
                "mmol" => Some("millimoles"),
                "bpm" => Some("beats per minute"),
                "mph" => Some("miles per hour"),
                "yrs" => Some("years"),
                "hrs" => Some("hours"),
                "mins" => Some("minutes"),
                _ => None,
            }
        } else {
            None
        };
        match unit {
            Some(u) => out.extend(u.split(' ').map(|s| s.to_string())),
            None => out.push(w.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        normalize_english(s)
    }

    #[test]
    fn lowercases_and_strips_punctuation() {
        assert_eq!(n("Hello, World! How are you?"), "hello world how are you");
        assert_eq!(n("  lots   of\tspace \n here "), "lots of space here");
        assert_eq!(n("day-to-day activities"), "day to day activities");
        assert_eq!(
            n("\"Quoted\" text; and/or more..."),
            "quoted text and or more"
        );
    }

    #[test]
    fn keeps_decimal_points_and_thousands() {
        assert_eq!(n("Take 2.5 tablets."), "take 2.5 tablets");
        assert_eq!(
            n("It cost 1,000 pounds, or so."),
            "it cost 1000 pounds or so"
        );
        assert_eq!(n("one, two"), "1 2");
    }

    #[test]
    fn removes_bracketed_spans() {
        assert_eq!(
            n("I have [inaudible] a cough (coughs) <unk> today"),
            "i have a cough today"
        );
        assert_eq!(n("an open ( bracket"), "an open bracket");
    }

    #[test]
    fn drops_fillers() {
        assert_eq!(
            n("Um, I, uh, hmm, have mm-hmm a headache, erm"),
            "i have a headache"
        );
    }

    #[test]
    fn expands_contractions() {
        assert_eq!(n("I won't"), "i will not");
        assert_eq!(n("I can't, I cannot"), "i can not i can not");
        assert_eq!(n("It doesn't hurt"), "it does not hurt");
        assert_eq!(
            n("You're, we've, they'll, I'm"),
            "you are we have they will i am"
        );
        assert_eq!(n("I'd like"), "i would like");
        assert_eq!(n("I'd been unwell"), "i had been unwell");
        assert_eq!(n("What'd you mean"), "what did you mean");
        assert_eq!(n("It's sore, that's fine"), "it is sore that is fine");
        assert_eq!(n("He's been coughing"), "he has been coughing");
        assert_eq!(n("Let's start"), "let us start");
        assert_eq!(n("the patient's chest"), "the patients chest");
        assert_eq!(n("I’m gonna"), "i am going to");
    }

    #[test]
    fn contraction_styles_compare_equal() {
        assert_eq!(word_error_rate("I don't know", "I do not know").errors(), 0);
        assert_eq!(
            word_error_rate("what'd you mean", "what did you mean").errors(),
            0
        );
        assert_eq!(word_error_rate("Dr. Smith", "Doctor Smith").errors(), 0);
        assert_eq!(word_error_rate("OK, alright", "okay all right").errors(), 0);
    }

    #[test]
    fn british_spellings() {
        assert_eq!(n("colour favourite centre"), "color favorite center");
        assert_eq!(
            n("Haemoglobin anaemia oesophagus paediatric"),
            "hemoglobin anemia esophagus pediatric"
        );
        assert_eq!(
            n("diarrhoea oedema leukaemia anaesthetic"),
            "diarrhea edema leukemia anesthetic"
        );
        assert_eq!(
            n("organised hospitalisation recognise"),
            "organized hospitalization recognize"
        );
        assert_eq!(n("tumour behaviour labour"), "tumor behavior labor");
        assert_eq!(n("five millilitres travelled"), "5 milliliters traveled");
        // words that look similar but must not change
        assert_eq!(
            n("four hours your exercise advise otherwise"),
            "4 hours your exercise advise otherwise"
        );
        assert_eq!(n("tour pour sour bruise"), "tour pour sour bruise");
    }

    #[test]
    fn spoken_numbers() {
        assert_eq!(n("twenty five"), "25");
        assert_eq!(n("twenty-five milligrams"), "25 milligrams");
        assert_eq!(n("two hundred"), "200");
        assert_eq!(n("two hundred and fifty"), "250");
        assert_eq!(n("one thousand two hundred and thirty four"), "1234");
        assert_eq!(n("three million"), "3000000");
        assert_eq!(n("a hundred"), "100");
        assert_eq!(n("five milligrams"), "5 milligrams");
        assert_eq!(n("two point five"), "2.5");
        assert_eq!(n("for the last three days"), "for the last 3 days");
        assert_eq!(n("I'm forty years old"), "i am 40 years old");
        assert_eq!(n("nineteen"), "19");
        assert_eq!(n("fifteen hundred"), "1500");
        assert_eq!(n("one two three"), "1 2 3");
        assert_eq!(n("the third time, twenty first"), "the 3rd time 21st");
        assert_eq!(n("bread and butter"), "bread and butter");
        assert_eq!(n("a lot"), "a lot");
    }

    #[test]
    fn symbols_and_units() {
        assert_eq!(n("50%"), "50 percent");
        assert_eq!(n("fifty per cent"), "50 percent");
        assert_eq!(n("£5 a week"), "5 pounds a week");
        assert_eq!(n("$20."), "20 dollars");
        assert_eq!(n("5mg"), "5 milligrams");
        assert_eq!(n("10 ml"), "10 milliliters");
        assert_eq!(n("a 5mm lump, mm"), "a 5 millimeters lump");
        assert_eq!(n("21st"), "21st");
        assert_eq!(n("salt & pepper"), "salt and pepper");
    }

    #[test]
    fn numbers_compare_equal() {
        let r = word_error_rate(
            "I take five milligrams twice a day",
            "I take 5mg twice a day.",
        );
        assert_eq!(r.errors(), 0);
        let r = word_error_rate(
            "blood pressure of one hundred and forty over ninety",
            "blood pressure of 140 over 90",
        );
        assert_eq!(r.errors(), 0);
    }

    #[test]
    fn identical_text_is_zero() {
        let t = "Sorry to hear that. And when you say diarrhoea, what'd you mean by diarrhoea?";
        let r = word_error_rate(t, t);
        assert_eq!(r.wer(), 0.0);
        assert_eq!(r.errors(), 0);
        assert_eq!(r.hits, r.reference_words);
    }

    #[test]
    fn empty_hypothesis_is_one() {
        let r = word_error_rate("the patient has a cough", "");
        assert_eq!(r.deletions, 5);
        assert_eq!(r.wer(), 1.0);
        assert_eq!(word_error_rate("", "").wer(), 0.0);
        assert_eq!(word_error_rate("", "hello").wer(), 1.0);
        assert_eq!(word_error_rate("um uh", "hmm").wer(), 0.0);
    }

    #[test]
    fn counts_edits() {
        // one substitution (cat→bat), one deletion (on), one insertion (today)
        let r = word_error_rate(
            "the cat sat on the mat in the sun",
            "the bat sat the mat in the sun today",
        );
        assert_eq!((r.substitutions, r.deletions, r.insertions), (1, 1, 1));
        assert_eq!(r.reference_words, 9);
        assert_eq!(r.hits, 7);
        assert!((r.wer() - 3.0 / 9.0).abs() < 1e-12);
        let r = word_error_rate("a b", "a b c d");
        assert_eq!((r.substitutions, r.deletions, r.insertions), (0, 0, 2));
        assert!((r.wer() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn results_add_up() {
        let a = word_error_rate("one two three four", "1 2 3");
        let b = word_error_rate("hello there", "hello where");
        let mut s = a;
        s += b;
        assert_eq!(s.reference_words, 6);
        assert_eq!(s.errors(), 2);
        assert!(format!("{s}").starts_with("WER 33.33%"));
    }
}
