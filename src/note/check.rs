//! The fact check: is every clinical claim of a note sentence found in the segments it cites?
//!
//! Input: a sentence and its evidence text (and, optionally, the clinical lexicon). Output: the claims not
//! found, empty when the sentence is supported. Checked: numbers (digits or number words, "5" = "five"),
//! laterality (left/right/bilateral), negation (a negated sentence needs a negation or a "no" answer in its
//! evidence; a term negated in the evidence may not be stated without negation), lexicon entities (found
//! in the evidence by words or by a shared code, so "hypertension" is supported by "high blood pressure"),
//! and every other content word (by stem, abbreviation or a short clinical synonym table). Note register
//! words ("reports", "denies", "plan") need no evidence.
//! Limits: word-level; it cannot see a wrong relation between two supported words ("left knee" when the
//! evidence says left hip and right knee).

use std::collections::HashSet;

use super::clean::Pronouns;
use super::evidence::{content_words, yes_no};
use crate::insights::Lexicon;

/// Words a note uses about any visit (clinical register), never evidence-bearing.
const REGISTER: &[&str] = &[
    "patient", "patients", "reports", "reported", "report", "reporting", "denies", "denied", "deny", "denying", "presents",
    "presented", "presenting", "states", "stated", "notes", "noted", "endorses", "endorsed", "complains", "complained",
    "describes", "described", "history", "advised", "advise", "recommended", "recommend", "discussed", "plan", "planned",
    "follow", "follow-up", "continue", "continued", "continues", "currently", "current", "symptoms", "symptom", "evaluation",
    "examination", "assessment", "treatment", "visit", "clinic", "further", "additionally", "however", "since", "year-old",
    "provider", "physician", "clinician", "doctor", "instructed", "counseled", "education", "agreed", "agrees", "understands",
    "the", "his", "her", "their", "they", "she", "he", "him", "was", "were", "has", "had", "will", "which", "who", "with", "without",
    "for", "and", "not", "any", "also", "reason", "regarding", "related", "due", "given", "including", "includes", "include",
    "significant", "notable", "present", "noted", "per", "status", "that", "this", "into", "onto", "upon", "after", "before",
    "during", "while", "well", "then", "there", "other", "about", "approximately", "occasional", "occasionally", "recent",
    "recently", "ongoing", "experiences", "experienced", "experiencing", "reveals", "revealed", "shows", "showed", "found",
    "findings", "finding", "within", "normal", "limits", "there", "because", "being", "feels", "felt", "says", "said",
    // General verbs and words that carry no clinical claim of their own.
    "told", "tell", "seen", "done", "having", "mainly", "mostly", "able", "unable", "helped", "help", "taking", "taken", "made",
    "started", "stopped", "given", "went", "came", "getting", "some", "they've", "they're", "patient's", "it's", "mentioned",
    "explained", "asked", "wanted", "wants", "would", "should", "could", "may", "might", "due", "both", "each", "since",
    "took", "put", "used", "use", "themselves", "himself", "herself", "hers", "theirs", "them", "anywhere", "else", "suggesting", "suggests",
    "things",
];

const NEGATION: &[&str] = &["no", "not", "denies", "denied", "deny", "without", "negative", "never", "none", "nor", "absent", "free", "neither"];

/// Abbreviations and clinical words → phrases of the spoken form any one of which supports them.
const EQUIVALENTS: &[(&str, &[&str])] = &[
    ("bp", &["blood pressure"]),
    ("htn", &["hypertension", "blood pressure"]),
    ("hypertension", &["blood pressure", "htn"]),
    ("hyperlipidemia", &["cholesterol"]),
    ("dm", &["diabetes", "sugar"]),
    ("t2dm", &["diabetes", "sugar"]),
    ("sob", &["short of breath", "shortness of breath", "breath"]),
    ("dyspnea", &["short of breath", "shortness of breath", "breath", "breathing"]),
    ("cp", &["chest pain"]),
    ("hx", &["history"]),
    ("pmh", &["history"]),
    ("pt", &["patient", "physical therapy"]),
    ("prn", &["as needed", "when needed", "if needed"]),
    ("bid", &["twice", "two times", "2 times"]),
    ("tid", &["three times", "3 times"]),
    ("qd", &["once a day", "every day", "daily", "a day"]),
    ("daily", &["every day", "a day", "each day", "per day", "every morning", "every night", "once a day"]),
    ("weekly", &["week"]),
    ("mg", &["milligram", "mg"]),
    ("chf", &["heart failure"]),
    ("copd", &["copd", "emphysema"]),
    ("ekg", &["ekg", "ecg", "electrocardiogram"]),
    ("ecg", &["ekg", "ecg", "electrocardiogram"]),
    ("gerd", &["reflux", "heartburn"]),
    ("nsaids", &["ibuprofen", "advil", "motrin", "aleve", "naproxen", "nsaid"]),
    ("nsaid", &["ibuprofen", "advil", "motrin", "aleve", "naproxen", "nsaid"]),
    ("otc", &["over the counter"]),
    ("pcp", &["primary care"]),
    ("uri", &["cold", "upper respiratory"]),
    ("uti", &["urinary tract", "bladder infection"]),
    ("fatigue", &["tired", "exhausted", "energy", "fatigue", "worn out"]),
    ("edema", &["swelling", "swollen", "edema", "fluid"]),
    ("swelling", &["swollen", "swelling", "edema", "puffy"]),
    ("swollen", &["swollen", "swelling", "edema", "puffy"]),
    ("febrile", &["fever"]),
    ("afebrile", &["fever"]),
    ("emesis", &["vomit", "throw up", "threw up", "throwing up"]),
    ("nausea", &["nauseous", "nausea", "sick to"]),
    ("lightheadedness", &["lightheaded", "dizzy", "light-headed"]),
    ("dizziness", &["dizzy", "lightheaded", "dizziness"]),
    ("myalgia", &["muscle"]),
    ("arthralgia", &["joint"]),
    ("pain", &["hurt", "ache", "sore", "pain", "painful", "aching", "tender"]),
    ("bilateral", &["both", "bilateral"]),
    ("fall", &["fell", "fall", "fallen", "falling"]),
    ("fell", &["fell", "fall", "fallen", "falling"]),
    ("erythema", &["red"]),
    ("tachycardia", &["racing", "fast"]),
    ("syncope", &["passed out", "faint"]),
    ("insomnia", &["sleep"]),
    ("headaches", &["headache", "head hurts"]),
    ("cough", &["cough", "coughing"]),
    ("weight", &["weight", "pounds", "lbs"]),
    ("abdominal", &["abdomen", "belly", "stomach", "tummy"]),
    ("urinary", &["urin", "pee", "bladder"]),
    ("po", &["by mouth", "mouth", "pill", "tablet"]),
    ("medication", &["medicine", "meds", "pill"]),
    ("medications", &["medicine", "meds", "pills"]),
    ("counseling", &["talk", "discuss"]),
];

const NUMBER_WORDS: &[(&str, f64)] = &[
    ("zero", 0.0), ("one", 1.0), ("once", 1.0), ("two", 2.0), ("twice", 2.0), ("three", 3.0), ("four", 4.0), ("five", 5.0), ("six", 6.0),
    ("seven", 7.0), ("eight", 8.0), ("nine", 9.0), ("ten", 10.0), ("eleven", 11.0), ("twelve", 12.0), ("thirteen", 13.0),
    ("fourteen", 14.0), ("fifteen", 15.0), ("sixteen", 16.0), ("seventeen", 17.0), ("eighteen", 18.0), ("nineteen", 19.0),
    ("twenty", 20.0), ("thirty", 30.0), ("forty", 40.0), ("fifty", 50.0), ("sixty", 60.0), ("seventy", 70.0), ("eighty", 80.0),
    ("ninety", 90.0), ("hundred", 100.0), ("half", 0.5), ("single", 1.0), ("couple", 2.0), ("dozen", 12.0),
];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '.' || c == '-'))
        .flat_map(|w| w.split('-'))
        .map(|w| w.trim_matches(|c: char| c == '.' || c == '\'').to_ascii_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The numeric values in a text: digit runs (including decimals, "130/85" as two) and number words
/// ("twenty five" = 25 and also 20 and 5, so either spelling is found).
pub fn numbers(text: &str) -> Vec<f64> {
    let ws = words(&text.replace('/', " "));
    let mut out = Vec::new();
    let mut prev_tens: Option<f64> = None;
    let mut prev_small: Option<f64> = None;
    for w in &ws {
        let digits: String = w.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
        if !digits.is_empty() && w.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            if let Ok(v) = digits.trim_end_matches('.').parse::<f64>() {
                out.push(v);
            }
            prev_tens = None;
            continue;
        }
        let value = NUMBER_WORDS.iter().find(|(n, _)| n == w).map(|(_, v)| *v).or_else(|| {
            let stem = w.strip_suffix("th").or_else(|| w.strip_suffix("s"))?;
            NUMBER_WORDS.iter().find(|(n, _)| *n == stem).map(|(_, v)| *v)
        });
        if let (true, Some(small)) = (w == "hundred" || w == "thousand", prev_small) {
            // "eight hundred" is 800, not 8 and 100.
            out.pop();
            out.push(small * if w == "hundred" { 100.0 } else { 1000.0 });
            prev_small = None;
            prev_tens = None;
            continue;
        }
        match value {
            Some(v) => {
                match prev_tens.filter(|_| v < 10.0) {
                    // "twenty five" is 25.
                    Some(t) => {
                        out.pop();
                        out.push(t + v);
                    }
                    None => out.push(v),
                }
                prev_tens = (20.0..100.0).contains(&v).then_some(v);
                prev_small = (v < 100.0).then_some(v);
            }
            None => {
                prev_tens = None;
                prev_small = None;
            }
        }
    }
    out
}

/// A word's Snowball (Porter 2) stem: inflections meet ("gain" / "gaining", "looked" / "looks") while
/// different terms stay apart. (A five-letter prefix, used before, let "hyperlipidemia" pass on
/// evidence that said "hypertension".)
fn stem(w: &str) -> String {
    static ENGLISH: std::sync::OnceLock<rust_stemmers::Stemmer> = std::sync::OnceLock::new();
    let w = w.trim_end_matches("'s");
    ENGLISH.get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English)).stem(w).into_owned()
}

fn is_number_word(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_ascii_digit()) || NUMBER_WORDS.iter().any(|(n, _)| *n == w || format!("{n}s") == w || format!("{n}th") == w)
}

/// Stems of words that the evidence states under negation (within a few words after "no", "not", "denies",
/// or in a question answered "no").
fn negated_stems(evidence: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    for line in evidence.lines() {
        let body = line.split_once(": ").map(|x| x.1).unwrap_or(line);
        let ws = words(body);
        for (i, w) in ws.iter().enumerate() {
            if NEGATION.contains(&w.as_str()) || w.ends_with("n't") {
                for x in ws.iter().skip(i + 1).take(3) {
                    if matches!(x.as_str(), "but" | "and" | "although" | "though") {
                        break;
                    }
                    out.insert(stem(x));
                }
            }
        }
    }
    // Question answered "no": the question's words are negated.
    let lines: Vec<&str> = evidence.lines().collect();
    for pair in lines.windows(2) {
        let answer = pair[1].split_once(": ").map(|x| x.1).unwrap_or(pair[1]);
        if pair[0].trim_end().ends_with('?') && yes_no(answer) == Some(false) {
            for w in content_words(pair[0]) {
                out.insert(stem(&w));
            }
        }
    }
    out
}

fn has_negation(text: &str) -> bool {
    words(text).iter().any(|w| NEGATION.contains(&w.as_str()) || w.ends_with("n't"))
}

/// The claims of `sentence` not found in `evidence` (empty = supported).
pub fn unsupported(sentence: &str, evidence: &str, lexicon: Option<&Lexicon>) -> Vec<String> {
    let ev_lower = evidence.to_ascii_lowercase();
    let ev_words = words(&ev_lower);
    let ev_stems: HashSet<String> = ev_words.iter().map(|w| stem(w)).collect();
    let mut missing: Vec<String> = Vec::new();

    // Numbers.
    let ev_numbers = numbers(&ev_lower);
    for n in numbers(sentence) {
        if !ev_numbers.iter().any(|e| (e - n).abs() < 1e-9) {
            missing.push(fmt_number(n));
        }
    }
    // Laterality.
    let s_words = words(sentence);
    for side in ["left", "right", "bilateral", "bilaterally"] {
        if s_words.iter().any(|w| w == side) {
            let ok = match side {
                "bilateral" | "bilaterally" => ev_words.iter().any(|w| w == "both" || w.starts_with("bilateral")),
                s => ev_words.iter().any(|w| w == s),
            };
            if !ok {
                missing.push(side.to_string());
            }
        }
    }
    // Negation, both ways.
    let s_neg = has_negation(sentence);
    let ev_neg = has_negation(&ev_lower) || ev_lower.lines().any(|l| yes_no(l.split_once(": ").map(|x| x.1).unwrap_or(l)) == Some(false));
    if s_neg && !ev_neg {
        missing.push("negation".into());
    }
    if !s_neg {
        let negated = negated_stems(&ev_lower);
        let asserted_negated: Vec<String> = content_words(sentence)
            .into_iter()
            .filter(|w| !REGISTER.contains(&w.as_str()) && negated.contains(&stem(w)) && !ev_asserts(&ev_lower, w))
            .collect();
        if let Some(w) = asserted_negated.first() {
            missing.push(format!("negated {w}"));
        }
    }
    // Lexicon entities: by words, or by a shared code with an entity of the evidence.
    if let Some(lex) = lexicon {
        let ev_codes: HashSet<String> = lex.find_in(evidence).iter().flat_map(|(_, c)| c.codes.iter().map(|k| k.code.clone())).collect();
        for (surface, concept) in lex.find_in(sentence) {
            let by_words = words(&surface).iter().all(|w| REGISTER.contains(&w.as_str()) || supported_word(w, &ev_lower, &ev_stems));
            let by_code = concept.codes.iter().any(|k| ev_codes.contains(&k.code));
            if !by_words && !by_code {
                missing.push(surface);
            }
        }
    }
    // Every other content word.
    for w in content_words(sentence) {
        if REGISTER.contains(&w.as_str()) || is_number_word(&w) || NEGATION.contains(&w.as_str()) || w.ends_with("n't") {
            continue;
        }
        if !supported_word(&w, &ev_lower, &ev_stems) && !missing.contains(&w) {
            missing.push(w);
        }
    }
    missing
}

/// A gendered pronoun in `sentence` that does not fit the patient's pronouns (given, or guessed) and that
/// `evidence` does not use either (there it may be someone else: "his wife", a parent's "she"). The model is
/// told to say "the patient"; one that writes "he" of a patient whose pronouns are she/her has misgendered
/// them (seen: Qwen2.5-Coder-0.5B's "trying to catch his fall" of Ms. Thompson).
pub fn wrong_pronoun(sentence: &str, evidence: &str, pronouns: Pronouns) -> Option<String> {
    let ev_words = words(evidence);
    words(sentence).into_iter().find(|w| pronouns.others().contains(&w.as_str()) && !ev_words.contains(w))
}

/// Whether a term (entity or phrase) is found in `text` by its words (stems, abbreviations, synonyms) or,
/// with a lexicon, by a code shared with an entity of `text`. No negation logic: for whole-transcript checks.
pub fn found(term: &str, text: &str, lexicon: Option<&Lexicon>) -> bool {
    let lower = text.to_ascii_lowercase();
    let stems: HashSet<String> = words(&lower).iter().map(|w| stem(w)).collect();
    let ev_numbers = numbers(&lower);
    let by_words = words(term).iter().all(|w| {
        if is_number_word(w) || w.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            numbers(w).iter().all(|n| ev_numbers.iter().any(|e| (e - n).abs() < 1e-9))
        } else {
            REGISTER.contains(&w.as_str()) || supported_word(w, &lower, &stems)
        }
    });
    by_words
        || lexicon.is_some_and(|lex| {
            let codes: HashSet<String> = lex.find_in(text).iter().flat_map(|(_, c)| c.codes.iter().map(|k| k.code.clone())).collect();
            lex.find_in(term).iter().any(|(_, c)| c.codes.iter().any(|k| codes.contains(&k.code)))
        })
}

/// The evidence also says `w` outside any negation ("no pain in the knee, but the hip has pain"); a
/// question answered "no" does not count as saying it.
fn ev_asserts(ev_lower: &str, w: &str) -> bool {
    let lines: Vec<&str> = ev_lower.lines().collect();
    let st = stem(w);
    lines.iter().enumerate().any(|(k, line)| {
        let denied_question = line.trim_end().ends_with('?')
            && lines.get(k + 1).is_some_and(|a| yes_no(a.split_once(": ").map(|x| x.1).unwrap_or(a)) == Some(false));
        let said = line.split_once(": ").map(|x| x.1).unwrap_or(line).trim_start();
        // "No, I live with my wife": the "no" answers the question; it does not negate what follows.
        let said = ["no, ", "no. ", "nope, ", "nah, "].iter().find_map(|a| said.strip_prefix(a)).unwrap_or(said);
        let ws = words(said);
        !denied_question
            && ws.iter().enumerate().any(|(i, x)| stem(x) == st && !ws[i.saturating_sub(3)..i].iter().any(|p| NEGATION.contains(&p.as_str()) || p.ends_with("n't")))
    })
}

fn supported_word(w: &str, ev_lower: &str, ev_stems: &HashSet<String>) -> bool {
    if ev_stems.contains(&stem(w)) || ev_lower.contains(w) && w.contains('-') {
        return true;
    }
    if w.contains('-') {
        return w.split('-').filter(|p| !p.is_empty()).all(|p| REGISTER.contains(&p) || supported_word(p, ev_lower, ev_stems));
    }
    let base = w.trim_end_matches("'s");
    if let Some((_, phrases)) = EQUIVALENTS.iter().find(|(k, _)| *k == base || format!("{k}s") == base) {
        return phrases.iter().any(|p| ev_lower.contains(p));
    }
    // Plural or verb forms shorter than the stem length ("leg" / "legs").
    let singular = base.trim_end_matches('s');
    singular.len() >= 3 && ev_stems.iter().any(|s| s == singular)
}

fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pronoun_the_patient_does_not_use_is_caught_unless_the_evidence_has_it() {
        let ev = "Doctor: how is the knee?\nPatient: it still hurts when I climb stairs.";
        assert_eq!(wrong_pronoun("He reports knee pain on stairs.", ev, Pronouns::She).as_deref(), Some("he"));
        assert_eq!(wrong_pronoun("She reports knee pain on stairs.", ev, Pronouns::They).as_deref(), Some("she"));
        assert_eq!(wrong_pronoun("The patient reports pain in her knee.", ev, Pronouns::She), None);
        assert_eq!(wrong_pronoun("Their knee hurts on stairs.", ev, Pronouns::They), None);
        let family = "Patient: my father had a stroke when he was sixty.";
        assert_eq!(wrong_pronoun("Her father had a stroke when he was 60.", family, Pronouns::She), None, "the evidence's 'he' is the father");
        assert_eq!(Pronouns::parse("SHE_HER").unwrap(), Pronouns::She);
        assert_eq!(Pronouns::parse("she/her").unwrap_err().code(), "SETTINGS_INVALID");
    }

    #[test]
    fn numbers_in_digits_and_words_match() {
        assert!(numbers("about five weeks").contains(&5.0));
        assert!(numbers("twenty five years").contains(&25.0));
        assert!(numbers("motrin eight hundred milligrams").contains(&800.0));
        assert_eq!(numbers("BP 130/85, A1c 6.5"), vec![130.0, 85.0, 6.5], "A1c is a name, not a number");
        assert!(unsupported("Symptoms for 5 weeks.", "Patient: about five weeks now", None).is_empty());
        assert_eq!(unsupported("Symptoms for 6 weeks.", "Patient: about five weeks now", None), vec!["6"]);
    }

    #[test]
    fn laterality_and_negation_are_checked() {
        let ev = "Clinician: any pain in your right knee?\nPatient: no.";
        assert!(unsupported("The patient denies right knee pain.", ev, None).is_empty());
        let bad = unsupported("The patient reports left knee pain.", ev, None);
        assert!(bad.contains(&"left".to_string()), "{bad:?}");
        assert!(bad.iter().any(|m| m.starts_with("negated")), "{bad:?}");
        assert_eq!(unsupported("No swelling.", "Patient: my ankle is swollen.", None), vec!["negation"]);
        // A "no" answering the question does not negate the rest of the answer.
        let ev = "Clinician: are you living alone?\nPatient: No, I live with my wife.";
        assert!(unsupported("He lives with his wife.", ev, None).is_empty());
        assert!(unsupported("He lives alone.", ev, None).iter().any(|m| m.starts_with("negated")));
    }

    #[test]
    fn inflections_support_each_other_but_other_terms_do_not() {
        let ev = "Patient: i've been gaining weight and my knee looks swollen. i have hypertension.";
        assert_eq!(unsupported("He gained weight; the knee looked swollen.", ev, None), Vec::<String>::new());
        assert_eq!(unsupported("He has hyperlipidemia.", ev, None), vec!["hyperlipidemia"]);
    }

    #[test]
    fn content_words_need_evidence_but_register_and_synonyms_pass() {
        let ev = "Patient: i've been so tired and my legs are swollen, and my blood pressure is high.";
        assert_eq!(unsupported("He reports fatigue, leg edema and HTN.", ev, None), Vec::<String>::new());
        assert_eq!(unsupported("He reports fatigue and diabetes.", ev, None), vec!["diabetes"]);
    }
}
