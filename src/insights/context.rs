//! Traits of each entity from its context: `NEGATION`, `PERTAINS_TO_FAMILY`, `PAST_HISTORY`,
//! `HYPOTHETICAL`, `LOW_CONFIDENCE`, `FUTURE`, and affirmation or denial across a question and its answer.
//!
//! Input: a segment's tokens, the entity mentions in it, the ConText trigger mentions in it. Output: the
//! traits of each entity.
//! Reference: ConText (Harkema et al. 2009) as medspacy implements it: a trigger of a category modifies
//! entities after it (`FORWARD`), before it (`BACKWARD`) or both, within its sentence, until a
//! `TERMINATE` trigger; `PSEUDO` triggers ("no change") only block shorter triggers inside them. The
//! trigger lists are medspacy's and negspacy's (in the lexicon asset) plus spoken ones (`context_terms.tsv`).
//! Scope: a sentence within one speaker turn, at most [`MAX_SCOPE`] tokens from the trigger.
//! Questions: a clinician's question ("any chest pain?") answered by the patient's next turn with "no" /
//! "nope" / "never" / "I have not" negates the entities asked about; "yes" / "yeah" affirms them (clears
//! HYPOTHETICAL and LOW_CONFIDENCE; a negation said in the question itself stands). An answer that names
//! one of the things asked answers that one only (`super::answer_questions`); one that opens unsure ([`hedged`])
//! answers nothing. Unpunctuated (ASR-style) turns count as questions by their question words, and only
//! in their last [`UNPUNCTUATED_QUESTION`] tokens, or when the whole turn is a few words.
//! Tests: a test is negated only when it was not done (`NOT_DONE`), never by its result.
//! Limits: rules only; double negation and long-range reference ("the other thing I mentioned") are missed.

use super::lexicon::{Lexicon, Mention};
use super::normalize::Token;

/// Farthest a trigger reaches, in tokens (spoken sentences run on; ConText's sentence bound is too loose).
pub const MAX_SCOPE: usize = 8;
/// In unpunctuated text, the question is looked for in this many final tokens of the clinician's turn.
pub const UNPUNCTUATED_QUESTION: usize = 20;

/// Sentence number of each token: a new sentence starts after `.`, `?`, `!` or `;` in the text between tokens.
pub fn sentences(text: &str, toks: &[Token]) -> Vec<usize> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(toks.len());
    let mut n = 0;
    for (k, t) in toks.iter().enumerate() {
        if k > 0 && chars[toks[k - 1].end..t.start].iter().any(|c| matches!(c, '.' | '?' | '!' | ';')) {
            n += 1;
        }
        out.push(n);
    }
    out
}

/// Whether each sentence (numbered as by [`sentences`]) ends with a question mark.
fn question_sentences(text: &str, toks: &[Token], sent: &[usize]) -> Vec<bool> {
    let chars: Vec<char> = text.chars().collect();
    let count = sent.last().map_or(0, |s| s + 1);
    (0..count)
        .map(|s| {
            let last = (0..toks.len()).rfind(|&j| sent[j] == s).unwrap_or(0);
            let stop = toks.get(last + 1).map_or(chars.len(), |t| t.start);
            chars[toks[last].end..stop].contains(&'?')
        })
        .collect()
}

/// The first sentence of the questions a punctuated turn's answer replies to: the last run of question
/// sentences ("any nausea? any vomiting?"). A question that a statement follows ("has your ear been itchy?
/// OK. Now, do you clean your ears with cotton buds?") is left behind. 0 for a turn without "?".
pub fn answered_from(text: &str, toks: &[Token], sent: &[usize]) -> usize {
    let q = question_sentences(text, toks, sent);
    match q.iter().rposition(|&x| x) {
        Some(last) => (0..=last).rev().take_while(|&s| q[s]).last().unwrap_or(last),
        None => 0,
    }
}

/// Sentences a clinician answers aloud for the patient ("any discharge from the ear? No, OK."): each
/// question sentence followed by a short one that opens on "no".
pub fn echoed_no(text: &str, toks: &[Token], sent: &[usize]) -> Vec<usize> {
    let q = question_sentences(text, toks, sent);
    (0..q.len().saturating_sub(1))
        .filter(|&s| {
            let next: Vec<&str> = (0..toks.len()).filter(|&j| sent[j] == s + 1).map(|j| toks[j].lower.as_str()).collect();
            q[s] && next.len() <= 3 && matches!(next.first(), Some(&("no" | "nope")))
        })
        .collect()
}

/// Whether the sentence of token `k` ends with a question mark.
pub fn is_question(text: &str, toks: &[Token], sent: &[usize], k: usize) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let last = (k..toks.len()).take_while(|&j| sent[j] == sent[k]).last().unwrap_or(k);
    let stop = toks.get(last + 1).map_or(chars.len(), |t| t.start);
    if chars[toks[last].end..stop].contains(&'?') {
        return true;
    }
    // Unpunctuated speech-recognizer text: fall back on question words at the end of the turn, when
    // nothing marks a sentence end after them (a spoken decimal point, "ninety eight . two", earlier in
    // the turn does not make it punctuated).
    if !chars.contains(&'?') && sent[k] == sent[toks.len() - 1] && !chars[toks[toks.len() - 1].end..].iter().any(|c| matches!(c, '.' | '!')) {
        // Only the end of the turn can be the question its answer replies to.
        let tail = toks.len().saturating_sub(UNPUNCTUATED_QUESTION);
        if k < tail {
            return false;
        }
        let words: Vec<&str> = toks[tail..].iter().map(|t| t.lower.as_str()).collect();
        // A short turn of nothing but the thing asked ("shortness of breath", "and fevers") is the question.
        if toks.len() <= 5 {
            return true;
        }
        const ASKS: &[[&str; 2]] = &[
            ["do", "you"], ["did", "you"], ["have", "you"], ["are", "you"], ["is", "there"], ["does", "it"], ["any", "other"], ["you", "have"],
            ["does", "this"], ["does", "that"], ["is", "it"], ["is", "this"], ["is", "that"], ["what", "about"], ["how", "about"],
        ];
        // The question starts at its first asking words: what comes before them is what the clinician
        // recalls ("you mentioned a cough before … are you having any shortness of breath"), not asks.
        let opens = words.windows(2).position(|w| ASKS.iter().any(|a| w == a)).into_iter().chain(words.iter().position(|w| *w == "any")).min();
        return opens.is_some_and(|o| k >= tail + o);
    }
    false
}

/// Trait names for each entity of one segment.
pub fn traits(lex: &Lexicon, text: &str, toks: &[Token], entities: &[Mention], triggers: &[Mention]) -> Vec<Vec<&'static str>> {
    let sent = sentences(text, toks);
    let mut out = vec![Vec::new(); entities.len()];
    let terminators: Vec<usize> =
        triggers.iter().filter(|t| lex.rule(t.item).category == "TERMINATE").map(|t| t.first).collect();
    for trig in triggers {
        let rule = lex.rule(trig.item);
        let name = match rule.category.as_str() {
            "NEGATED_EXISTENCE" => "NEGATION",
            "POSSIBLE_EXISTENCE" => "LOW_CONFIDENCE",
            "HYPOTHETICAL" => "HYPOTHETICAL",
            "HISTORICAL" => "PAST_HISTORY",
            "FAMILY" => "PERTAINS_TO_FAMILY",
            "FUTURE" => "FUTURE",
            _ => continue,
        };
        // A bare "no," or "no." answers a question; it does not deny what the speaker says next ("No, no,
        // it's a dry cough"). Unpunctuated, a "no" that a new clause follows is the same answer ("no i have
        // a little bit of a stuffy nose"); a denying "no" comes before what it denies ("no fever").
        let answers = text.chars().skip(toks[trig.first].end).find(|c| !c.is_whitespace()).is_some_and(|c| matches!(c, ',' | '.' | '!' | ';'))
            || toks.get(trig.last + 1).is_some_and(|t| CLAUSE_OPENERS.contains(&t.lower.as_str()));
        let interjection = trig.first == trig.last && matches!(toks[trig.first].lower.as_str(), "no" | "nope" | "nah") && answers;
        let forward = matches!(rule.direction.as_str(), "FORWARD" | "BIDIRECTIONAL") && !interjection;
        let backward = matches!(rule.direction.as_str(), "BACKWARD" | "BIDIRECTIONAL");
        let blocked = |a: usize, b: usize| terminators.iter().any(|&t| t > a && t < b);
        // A list carries a forward trigger past its reach ("not had any weight loss, headaches, bone pain,
        // urinary symptoms, or blood in the stools"): each item joined to the last one in scope by at
        // most a comma and a conjunction is in scope too.
        let mut order: Vec<usize> = (0..entities.len()).collect();
        order.sort_by_key(|&e| entities[e].first);
        let mut reach = trig.last;
        for e in order {
            let ent = &entities[e];
            if sent[ent.first] != sent[trig.first] {
                continue;
            }
            let listed = ent.first > reach
                && ent.first - reach <= 3
                && toks[reach + 1..ent.first].iter().all(|t| LIST_WORDS.contains(&t.lower.as_str()))
                && !blocked(reach, ent.first);
            let reach_limit = rule.max_scope.unwrap_or(MAX_SCOPE);
            let in_reach = ent.first > trig.last && (ent.first - trig.last <= reach_limit || listed) && !blocked(trig.last, ent.first);
            if forward && in_reach {
                reach = reach.max(ent.last);
            }
            // A body part is where a finding is or is not, never itself absent ("no murmur, listening to
            // your heart"); Comprehend Medical gives anatomy no negation either.
            if name == "NEGATION" && lex.concept(ent.item).category == "ANATOMY" {
                continue;
            }
            // "no murmur on your heart exam": a negated finding does not negate the test it was found on.
            let past_finding = name == "NEGATION"
                && lex.concept(ent.item).category == "TEST_TREATMENT_PROCEDURE"
                && entities.iter().any(|o| o.first > trig.last && o.last < ent.first && lex.concept(o.item).category == "MEDICAL_CONDITION");
            // A test is negated only when it was not done ("i didn't take my temperature"): "the covid test
            // … was negative", "no palpable pulse", "not … on vascular exam" speak of its result.
            let concept = lex.concept(ent.item);
            let not_done = toks[trig.first..=trig.last].iter().any(|t| NOT_DONE.contains(&t.lower.as_str()));
            if name == "NEGATION" && concept.category == "TEST_TREATMENT_PROCEDURE" && concept.kind == "TEST_NAME" && !not_done {
                continue;
            }
            // "we didn't appreciate that on physical exam": the exam a finding was looked for on was done.
            let on = |k: usize| ent.first >= k && toks[ent.first - k].lower == "on";
            if name == "NEGATION" && concept.category == "TEST_TREATMENT_PROCEDURE" && (on(1) || (on(2) && matches!(toks[ent.first - 1].lower.as_str(), "your" | "the" | "my" | "his" | "her"))) {
                continue;
            }
            // "no bruits . your lung exam you have some crackles": in run-on speech a new examination
            // named after the trigger opens a new finding, outside the negation.
            let next_exam = name == "NEGATION"
                && concept.category == "MEDICAL_CONDITION"
                && entities.iter().any(|o| o.first > trig.last && o.last < ent.first && lex.concept(o.item).kind == "TEST_NAME");
            let hit = (forward && in_reach && !past_finding && !next_exam)
                || (backward && ent.last < trig.first && trig.first - ent.last <= MAX_SCOPE && !blocked(ent.last, trig.first));
            if hit && !out[e].contains(&name) {
                out[e].push(name);
            }
        }
    }
    out
}

/// Negation words that say a test was not done, rather than that its result was normal.
/// (Token text has its apostrophes dropped: "didn't" is `didnt`.)
const NOT_DONE: &[&str] = &["didnt", "havent", "hasnt", "never", "wasnt", "werent", "dont", "cant"];

/// Words that open a new clause after an answering "no" ("no i have…", "no it's…", "no but…").
const CLAUSE_OPENERS: &[&str] = &["i", "im", "ive", "it", "its", "we", "he", "she", "they", "thats", "that", "but", "just", "only", "okay", "ok", "alright", "right", "actually"];

/// Words that may join two items of a list, beside the commas between tokens.
const LIST_WORDS: &[&str] = &["or", "and", "nor", "any"];

/// Hesitations and exclamations that may open an answer ("really, i did not", "my gosh, no").
const FILLERS: &[&str] = &["uh", "um", "umm", "uhm", "er", "erm", "oh", "well", "ah", "really", "my", "gosh", "goodness", "god", "geez", "jeez", "wow", "ok", "okay", "so"];

/// Whether a token only fills the opening of an answer; "hmm", "hmmm", "mmm" in any length.
fn filler(t: &Token) -> bool {
    let w = t.lower.as_str();
    FILLERS.contains(&w) || (w.contains('m') && w.chars().all(|c| c == 'h' || c == 'm'))
}

/// The tokens of an answer after its opening fillers.
fn after_fillers(toks: &[Token]) -> &[Token] {
    &toks[toks.iter().take_while(|t| filler(t)).count()..]
}

/// Whether a patient's turn opens unsure ("maybe", "i'm not sure"): then it neither affirms nor denies,
/// whatever it names after.
pub fn hedged(toks: &[Token]) -> bool {
    let toks = after_fillers(toks);
    let w = |k: usize| toks.get(k).map(|t| t.lower.as_str()).unwrap_or("");
    matches!(w(0), "maybe" | "possibly" | "perhaps" | "probably") || (matches!(w(0), "im" | "i") && matches!(w(1), "not") && w(2) == "sure")
}

/// Whether an answer opens on a "no" that stands alone ("Uh, no. Yeah, I vomited at the start"), rather
/// than one that denies the word after it ("no fever").
pub fn opens_on_bare_no(text: &str, toks: &[Token]) -> bool {
    let skip = toks.iter().take_while(|t| filler(t)).count();
    toks.get(skip).is_some_and(|t| matches!(t.lower.as_str(), "no" | "nope"))
        && (toks.len() == skip + 1 || text.chars().skip(toks[skip].end).find(|c| !c.is_whitespace()).is_some_and(|c| matches!(c, '.' | ',' | '!' | ';')))
}

/// How a patient's turn answers a yes/no question: `Some(false)` denies, `Some(true)` affirms.
pub fn answer(toks: &[Token]) -> Option<bool> {
    // "uh-huh" / "mm-hmm" affirm; other fillers before the answer ("uh, no", "um, yes") are skipped.
    if matches!(toks.first().map(|t| t.lower.as_str()), Some("uh" | "mm" | "um")) && matches!(toks.get(1).map(|t| t.lower.as_str()), Some("huh" | "hmm" | "hm")) {
        return Some(true);
    }
    let all = toks;
    let toks = after_fillers(toks);
    let w = |k: usize| toks.get(k).map(|t| t.lower.as_str()).unwrap_or("");
    match w(0) {
        "no" | "nope" | "nah" | "never" | "none" | "nothing" | "negative" => Some(false),
        "not" if matches!(w(1), "really" | "at" | "that" | "necessarily" | "those" | "these" | "any" | "specifically" | "particularly") => Some(false),
        "i" if matches!(w(1), "dont" | "havent" | "didnt" | "never") => Some(false),
        "i" if matches!(w(1), "have" | "did" | "do" | "had") && w(2) == "not" => Some(false),
        "ive" | "i" if w(1) == "never" || (w(1) == "have" && w(2) == "never") => Some(false),
        // "yeah, no" opens a denial in everyday speech.
        "yes" | "yeah" | "yep" if matches!(w(1), "no" | "nope") => Some(false),
        "yes" | "yeah" | "yep" | "yup" | "sure" | "definitely" | "sometimes" | "correct" | "mhm" | "uhhuh" | "mmhmm" => Some(true),
        "i" if w(1) == "do" || w(1) == "have" => Some(true),
        "a" if w(1) == "little" || w(1) == "bit" => Some(true),
        _ => answer_in_passing(all),
    }
}

/// An answer that thinks aloud first ("i'm trying to think, no, i don't think so", "so i, no i don't
/// remember") or ends on its answer ("...but apart from that, no."): a bare "no" or "i don't think so" in
/// a short answer or in the first words of a long one, or a long one's last word "no", with no "yes",
/// denies.
fn answer_in_passing(toks: &[Token]) -> Option<bool> {
    let long = toks.len() > 12;
    let words: Vec<&str> = toks.iter().take(if long { 8 } else { toks.len() }).map(|t| t.lower.as_str()).collect();
    let bare_no = words.iter().enumerate().any(|(i, w)| matches!(*w, "no" | "nope") && words.get(i + 1).is_none_or(|n| CLAUSE_OPENERS.contains(n) || matches!(*n, "no" | "not")));
    let dont_think = words.windows(4).any(|x| x == ["i", "dont", "think", "so"]);
    let ends_on_no = long && matches!(toks.last().map(|t| t.lower.as_str()), Some("no" | "nope"));
    let yes = words.iter().any(|w| matches!(*w, "yes" | "yeah" | "yep" | "yup"));
    ((bare_no || dont_think || ends_on_no) && !yes).then_some(false)
}

#[cfg(test)]
mod tests {
    use super::super::normalize::tokens;
    use super::*;

    fn traits_of(text: &str) -> Vec<(String, Vec<&'static str>)> {
        let lex = Lexicon::curated().unwrap();
        let t = tokens(text);
        let ents: Vec<Mention> = lex.find(&t).into_iter().filter(|m| lex.concept(m.item).category == "MEDICAL_CONDITION").collect();
        let trig = lex.find_triggers(&t);
        let tr = traits(&lex, text, &t, &ents, &trig);
        ents.iter().zip(tr).map(|(m, tr)| (t[m.first..=m.last].iter().map(|x| x.lower.clone()).collect::<Vec<_>>().join(" "), tr)).collect()
    }

    #[test]
    fn negation_scope_ends_at_sentence_and_terminator() {
        let r = traits_of("I have no chest pain or shortness of breath. I do have a cough.");
        assert_eq!(r[0], ("chest pain".to_string(), vec!["NEGATION"]));
        assert_eq!(r[1].1, ["NEGATION"]);
        assert!(r[2].1.is_empty(), "{r:?}");
        let r = traits_of("no fever but some nausea");
        assert_eq!(r[0].1, ["NEGATION"]);
        assert!(r[1].1.is_empty());
        let r = traits_of("No, no, it's like a dry cough. No fever.");
        assert!(r[0].1.is_empty(), "an answering no does not deny what follows: {r:?}");
        assert_eq!(r[1].1, ["NEGATION"]);
        let r = traits_of("I denied any headaches");
        assert_eq!(r[0].1, ["NEGATION"]);
    }

    /// The traits of the first entity of a category in `text` (every category, unlike `traits_of`).
    fn traits_of_first(text: &str, category: &str) -> Vec<&'static str> {
        let lex = Lexicon::curated().unwrap();
        let t = tokens(text);
        let ents = lex.find(&t);
        let tr = traits(&lex, text, &t, &ents, &lex.find_triggers(&t));
        let i = ents.iter().position(|m| lex.concept(m.item).category == category).unwrap_or_else(|| panic!("no {category} in {text}"));
        tr[i].clone()
    }

    #[test]
    fn body_parts_are_never_negated() {
        let text = "no murmurs listening to your heart";
        assert_eq!(traits_of_first(text, "MEDICAL_CONDITION"), ["NEGATION"]);
        assert!(traits_of_first(text, "ANATOMY").is_empty());
    }

    #[test]
    fn a_plan_after_a_negated_condition_is_not_negated() {
        let text = "if your symptoms don't improve we can consider a steroid injection";
        assert!(!traits_of_first(text, "TEST_TREATMENT_PROCEDURE").contains(&"NEGATION"));
    }

    #[test]
    fn family_history_and_hypothetical() {
        let r = traits_of("my mother had diabetes");
        assert_eq!(r[0].1, ["PERTAINS_TO_FAMILY"]);
        let r = traits_of("call me if you get a fever");
        assert!(r[0].1.contains(&"HYPOTHETICAL"), "{r:?}");
        let r = traits_of("I have diabetes");
        assert!(r[0].1.is_empty());
    }

    #[test]
    fn unpunctuated_questions() {
        let text = "okay and do you have any history of asthma";
        let t = tokens(text);
        let sent = sentences(text, &t);
        assert!(is_question(text, &t, &sent, 7));
        let text = "and i know you were mentioning a cough before how is it as far as walking are you having any shortness of breath";
        let t = tokens(text);
        let sent = sentences(text, &t);
        let at = |w: &str| t.iter().position(|x| x.lower == w).unwrap();
        assert!(!is_question(text, &t, &sent, at("cough")), "recalled before the question opens");
        assert!(is_question(text, &t, &sent, at("shortness")));
        let text = "your temperature is ninety eight . two so does it hurt when i press on it";
        let t = tokens(text);
        let sent = sentences(text, &t);
        assert!(is_question(text, &t, &sent, t.iter().position(|x| x.lower == "hurt").unwrap()), "a spoken decimal point is no sentence end");
        let text = "okay so your asthma is better";
        let t = tokens(text);
        assert!(!is_question(text, &t, &sentences(text, &t), 3));
    }

    #[test]
    fn answers() {
        assert_eq!(answer(&tokens("No, not at all.")), Some(false));
        assert_eq!(answer(&tokens("Nope")), Some(false));
        assert_eq!(answer(&tokens("yeah , a little")), Some(true));
        assert_eq!(answer(&tokens("it started monday")), None);
        assert_eq!(answer(&tokens("uh , no .")), Some(false));
        assert_eq!(answer(&tokens("Mmm, no, really the arm feels fine")), Some(false));
        assert_eq!(answer(&tokens("Yeah. No, no, it's like a dry cough")), Some(false));
        assert_eq!(answer(&tokens("Yeah, I do")), Some(true));
        assert_eq!(answer(&tokens("uh-huh")), Some(true));
        assert_eq!(answer(&tokens("mm-hmm . i did .")), Some(true));
        assert_eq!(answer(&tokens("uh , maybe .")), None);
    }
}
