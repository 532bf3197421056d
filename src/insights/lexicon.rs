//! The clinical lexicon: terms → concepts (category, type, traits, codes), plus ConText trigger rules,
//! and a multi-pattern matcher over transcript text.
//!
//! Input: the lexicon asset (gzip of the text format below, built by `make models` from registry
//! packages, see `convert::lexicon`) and the curated layer compiled in (`lay_terms.tsv`: how people
//! speak, anatomy, everyday tests; `context_terms.tsv`: spoken negation / family / history cues).
//! Output: [`Lexicon::find`] gives the longest, leftmost, non-overlapping concept mentions of a text.
//! Format, one record per line, tab-separated (lines starting `#` are comments):
//! `term|term…  CATEGORY  TYPE  TRAIT,TRAIT  SYSTEM=CODE=Description;…` for a concept, and
//! `@context  CATEGORY  DIRECTION  trigger  [MAX_SCOPE]` for a ConText rule (medspacy's categories,
//! directions and per-rule `max_scope` in tokens; without it a rule reaches `context::MAX_SCOPE`).
//! Matching: an Aho-Corasick automaton (the `aho-corasick` crate) over the normalised keys of
//! [`super::normalize`], each pattern framed by spaces so matches fall on word boundaries.
//! Limits: exact phrase matching after normalisation (near-miss drug spellings: [`super::spelling`]); a term listed twice keeps its
//! first concept (the curated layer is read first, so it wins).

use std::collections::{HashMap, HashSet};
use std::io::Read;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::normalize::{key, tokens, Token};
use super::spelling::Spellings;
use crate::error::{BedsideError, Result};
use crate::schema::transcript::Code;

const LAY_TERMS: &str = include_str!("lay_terms.tsv");
const CONTEXT_TERMS: &str = include_str!("context_terms.tsv");

#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    pub category: String,
    pub kind: String,
    pub traits: Vec<String>,
    pub codes: Vec<Code>,
}

/// A ConText trigger (medspacy's rule vocabulary).
#[derive(Debug, Clone, PartialEq)]
pub struct ContextRule {
    /// `NEGATED_EXISTENCE`, `POSSIBLE_EXISTENCE`, `HYPOTHETICAL`, `HISTORICAL`, `FAMILY`, `PSEUDO`,
    /// `TERMINATE`.
    pub category: String,
    /// `FORWARD`, `BACKWARD`, `BIDIRECTIONAL` or `TERMINATE`.
    pub direction: String,
    /// Trigger length in tokens.
    pub len: usize,
    /// How many tokens the rule reaches, when it reaches less than usual ("nothing" denies only the
    /// next word).
    pub max_scope: Option<usize>,
}

/// A mention: tokens `first..=last` of the text mean `concept` (an index into [`Lexicon::concept`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mention {
    pub first: usize,
    pub last: usize,
    pub item: usize,
}

pub struct Lexicon {
    concepts: Vec<Concept>,
    terms: Matcher,
    rules: Vec<ContextRule>,
    triggers: Matcher,
    /// A code-less `MEDICAL_CONDITION` concept for phrases composed by [`Lexicon::compose`].
    generic_condition: usize,
    /// A code-less `TEST_TREATMENT_PROCEDURE` / `PROCEDURE_NAME` concept for composed repairs ("rotator cuff repair").
    generic_procedure: usize,
    /// A code-less `TEST_TREATMENT_PROCEDURE` / `TEST_NAME` concept for composed screenings ("colon cancer screening").
    generic_test: usize,
    /// Person names (`@names` records): first name → whether it is also an everyday word.
    first_names: HashMap<String, bool>,
    surnames: HashSet<String>,
    /// One-word medication terms, for near-miss spellings.
    spellings: Spellings,
}

/// What a word is in the name lists.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NameWord {
    First,
    /// A first name that is also an everyday word ("will", "grace"): a name only when capitalized.
    FirstCommon,
    Surname,
}

/// Follow-on words that make a body site or a body function a complaint ("heart issues", "gi problems").
const PROBLEM_WORDS: &[&str] = &["issue", "problem", "complaint", "trouble", "difficulty"];
/// Body functions people report trouble with ("difficulty swallowing", "problems sleeping").
const FUNCTIONS: &[&str] = &[
    "swallowing", "sleeping", "breathing", "urinating", "peeing", "walking", "hearing", "seeing", "concentrating",
    "remembering", "chewing", "speaking", "talking", "speech", "balance", "memory", "vision", "bladder", "bowel",
    "eating", "coordination", "focusing", "concentrating",
];
/// Complaints that join a preceding body site into one condition ("elbow pain", "wrist soreness").
const SITE_COMPLAINTS: &[&str] = &["pain", "ache", "soreness", "stiffness", "tenderness", "discomfort", "swelling", "numbness"];
/// Examinations, imaging and operations that join a preceding body site into one test or procedure
/// ("neck exam", "knee x-ray", "brain mri", "knee surgery"); keys of whole lexicon terms.
const SITE_PROCEDURES: &[&str] = &[
    "exam", "examination", "x ray", "xray", "mri", "ct", "ct scan", "cat scan", "scan", "ultrasound", "surgery", "operation", "replacement",
    "injection",
];
/// Of those, the ones that also join a preceding condition ("cataract surgery", "hernia operation").
const CONDITION_PROCEDURES: &[&str] = &["surgery", "operation"];
/// Words, not terms themselves, that make a preceding body site or condition an operation on it
/// ("rotator cuff repair", "skin cancer removal").
const REPAIR_WORDS: &[&str] = &["repair", "repaired", "reconstruction", "reconstructed", "replacement", "replaced", "fusion", "surgery", "transplant", "removal"];

/// Phrase keys → item ids, searched with one automaton.
struct Matcher {
    automaton: AhoCorasick,
    items: Vec<usize>,
}

impl Matcher {
    fn new(keys: Vec<(String, usize)>) -> Result<Self> {
        let patterns: Vec<String> = keys.iter().map(|(k, _)| format!(" {k} ")).collect();
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            // The non-contiguous NFA builds fastest; search time is negligible for turn-sized texts.
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(&patterns)
            .map_err(|e| BedsideError::model("lexicon", format!("matcher: {e}")))?;
        Ok(Self { automaton, items: keys.into_iter().map(|(_, i)| i).collect() })
    }

    /// Every (possibly overlapping) mention, then the longest leftmost non-overlapping ones.
    fn find(&self, toks: &[Token]) -> Vec<Mention> {
        let mut text = String::from(" ");
        let mut starts = Vec::with_capacity(toks.len());
        for t in toks {
            starts.push(text.len());
            text.push_str(&t.key);
            text.push(' ');
        }
        let mut all: Vec<Mention> = self
            .automaton
            .find_overlapping_iter(&text)
            .filter_map(|m| {
                let first = starts.binary_search(&(m.start() + 1)).ok()?;
                let last = starts.partition_point(|&s| s < m.end() - 1).checked_sub(1)?;
                Some(Mention { first, last, item: self.items[m.pattern().as_usize()] })
            })
            .collect();
        all.sort_by_key(|m| (m.first, std::cmp::Reverse(m.last)));
        let mut out: Vec<Mention> = Vec::new();
        for m in all {
            if out.last().is_none_or(|p| m.first > p.last) {
                out.push(m);
            } else if let Some(p) = out.last() {
                // A longer mention that starts inside the previous one but reaches further replaces it
                // only when strictly longer ("blood pressure medicine" over "blood pressure").
                if m.first > p.first && m.last > p.last && (m.last - m.first) > (p.last - p.first) {
                    out.pop();
                    out.push(m);
                }
            }
        }
        // "allergic to" is listed whole so that it wins over "allergic" as a condition word, but the
        // term a reader checks is "allergic": a span never ends on its linking preposition.
        for m in &mut out {
            if m.last > m.first && toks[m.last].key == "to" {
                m.last -= 1;
            }
        }
        out
    }
}

impl Lexicon {
    /// Loads the gzip'd lexicon asset and adds the curated layer.
    pub fn load(gz: &[u8]) -> Result<Self> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_string(&mut text)
            .map_err(|e| BedsideError::model("lexicon", format!("not a gzip'd lexicon: {e}")))?;
        if !text.starts_with("#bedside-lexicon") {
            return Err(BedsideError::model("lexicon", "missing `#bedside-lexicon` header"));
        }
        // The asset's terms are already normalised keys (the builder wrote them with the same `key`).
        Self::parse(&[(LAY_TERMS, false), (CONTEXT_TERMS, false), (&text, true)])
    }

    /// The curated layer alone (tests, or a page that has not fetched the asset yet).
    pub fn curated() -> Result<Self> {
        Self::from_texts(&[LAY_TERMS, CONTEXT_TERMS])
    }

    /// Parses records from several texts; earlier texts win on duplicate terms.
    pub fn from_texts(texts: &[&str]) -> Result<Self> {
        Self::parse(&texts.iter().map(|t| (*t, false)).collect::<Vec<_>>())
    }

    /// `(text, terms_are_keys)` pairs; earlier texts win on duplicate terms.
    fn parse(texts: &[(&str, bool)]) -> Result<Self> {
        let mut concepts = Vec::new();
        let mut concept_ids: HashMap<(String, String, String, String), usize> = HashMap::new();
        let mut seen: HashMap<String, ()> = HashMap::new();
        let mut term_keys = Vec::new();
        let mut rules = Vec::new();
        let mut rule_keys = Vec::new();
        let mut rule_seen: HashMap<String, ()> = HashMap::new();
        let (mut first_names, mut surnames) = (HashMap::new(), HashSet::new());
        let mut curated = HashSet::new();
        for &(text, prekeyed) in texts {
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() || line.starts_with('#') {
                    continue;
                }
                let f: Vec<&str> = line.split('\t').collect();
                let bad = || BedsideError::model("lexicon", format!("line {}: malformed record `{line}`", n + 1));
                if f[0] == "@names" {
                    let [_, kind, names] = f[..] else { return Err(bad()) };
                    for n in names.split('|').filter(|n| !n.is_empty()) {
                        match kind {
                            "FIRST" => drop(first_names.insert(n.to_string(), false)),
                            "FIRST_COMMON" => drop(first_names.insert(n.to_string(), true)),
                            _ => drop(surnames.insert(n.to_string())),
                        }
                    }
                    continue;
                }
                if f[0] == "@context" {
                    let (category, direction, trigger, max_scope) = match f[..] {
                        [_, category, direction, trigger] => (category, direction, trigger, None),
                        [_, category, direction, trigger, scope] => (category, direction, trigger, Some(scope.parse().map_err(|_| bad())?)),
                        _ => return Err(bad()),
                    };
                    let k = key(trigger);
                    if k.is_empty() || rule_seen.insert(k.clone(), ()).is_some() {
                        continue;
                    }
                    rules.push(ContextRule { category: category.into(), direction: direction.into(), len: k.split(' ').count(), max_scope });
                    rule_keys.push((k, rules.len() - 1));
                    continue;
                }
                if f.len() < 3 {
                    return Err(bad());
                }
                let traits = f.get(3).copied().unwrap_or("");
                let codes = f.get(4).copied().unwrap_or("");
                // Concepts with identical fields are stored once (many variants share one concept).
                let sig = (f[1].to_string(), f[2].to_string(), traits.to_string(), codes.to_string());
                let id = match concept_ids.get(&sig) {
                    Some(&id) => id,
                    None => {
                        concepts.push(Concept {
                            category: f[1].into(),
                            kind: f[2].into(),
                            traits: traits.split(',').filter(|t| !t.is_empty()).map(String::from).collect(),
                            codes: parse_codes(codes),
                        });
                        concept_ids.insert(sig, concepts.len() - 1);
                        concepts.len() - 1
                    }
                };
                for term in f[0].split('|') {
                    let k = if prekeyed { term.to_string() } else { key(term) };
                    if !k.is_empty() && seen.insert(k.clone(), ()).is_none() {
                        if !prekeyed {
                            curated.insert(k.clone());
                        }
                        term_keys.push((k, id));
                    }
                }
            }
        }
        concepts.push(Concept { category: "MEDICAL_CONDITION".into(), kind: "DX_NAME".into(), traits: Vec::new(), codes: Vec::new() });
        let generic_condition = concepts.len() - 1;
        concepts.push(Concept { category: "TEST_TREATMENT_PROCEDURE".into(), kind: "PROCEDURE_NAME".into(), traits: Vec::new(), codes: Vec::new() });
        let generic_procedure = concepts.len() - 1;
        concepts.push(Concept { category: "TEST_TREATMENT_PROCEDURE".into(), kind: "TEST_NAME".into(), traits: Vec::new(), codes: Vec::new() });
        let generic_test = concepts.len() - 1;
        // Only a drug's own name (the one its DrugBank code is described by) and the curated names of coded
        // drugs ("reliever" and "preventer" are everyday words one letter from "relieved", "prevented"): the
        // registry's rarer synonyms ("medinal" for barbital) and MeSH's protein and class names ("recoverin",
        // "pregnanes") sit one letter from everyday words ("medical", "recovering", "pregnant").
        let own_name = |k: &str, c: &Concept| c.codes.first().is_some_and(|code| code.system == "DRUGBANK" && key(&code.description) == k);
        let spellings = Spellings::new(
            term_keys
                .iter()
                .filter(|(k, c)| concepts[*c].category == "MEDICATION" && (curated.contains(k) || own_name(k, &concepts[*c])) && !concepts[*c].codes.is_empty())
                .map(|(k, c)| (k.as_str(), *c)),
        );
        Ok(Self { concepts, terms: Matcher::new(term_keys)?, rules, triggers: Matcher::new(rule_keys)?, generic_condition, generic_procedure, generic_test, first_names, surnames, spellings })
    }

    /// The medication a word not in the lexicon is most likely a misspelling of (see [`Spellings`]).
    pub fn near_miss(&self, key: &str) -> Option<usize> {
        self.spellings.nearest(key)
    }

    pub fn concept(&self, i: usize) -> &Concept {
        &self.concepts[i]
    }

    pub fn rule(&self, i: usize) -> &ContextRule {
        &self.rules[i]
    }

    /// Concept mentions in a token list.
    pub fn find(&self, toks: &[Token]) -> Vec<Mention> {
        self.terms.find(toks)
    }

    /// Concept mentions, then phrases composed from them and the words around them: a body site or
    /// function followed by a problem word ("heart issues", "gi problems", "swallowing problem") or by a
    /// complaint ("elbow pain", taking the complaint's concept), a problem
    /// word followed by a function ("difficulty swallowing", "problems with sleeping"), both as a code-less
    /// MEDICAL_CONDITION; a body site followed by an examination, imaging or operation as that one test or
    /// procedure ("neck exam", "knee x-ray", and for a condition "cataract surgery"), and a body site or
    /// condition followed by a repair word as one code-less procedure ("rotator cuff repair", "skin cancer
    /// removal") or by "screening" as one code-less test, when the pair is not a term itself.
    pub fn find_composed(&self, toks: &[Token]) -> Vec<Mention> {
        let found = self.find(toks);
        let key = |k: usize| toks.get(k).map(|t| t.key.as_str()).unwrap_or("");
        let lower = |k: usize| toks.get(k).map(|t| t.lower.as_str()).unwrap_or("");
        let is_problem = |k: usize| PROBLEM_WORDS.contains(&key(k));
        let is_function = |k: usize| FUNCTIONS.contains(&lower(k));
        let at = |k: usize| found.iter().position(|m| m.first <= k && k <= m.last);
        let mut out: Vec<Mention> = Vec::with_capacity(found.len());
        let mut k = 0;
        while k < toks.len() {
            let here = at(k);
            let mention = here.map(|i| found[i]);
            // A whole mention that is a body site (anatomy) followed by a problem or exam word.
            if let Some(m) = mention.filter(|m| m.first == k && self.concepts[m.item].category == "ANATOMY") {
                if is_problem(m.last + 1) && at(m.last + 1).is_none() {
                    out.push(Mention { first: m.first, last: m.last + 1, item: self.generic_condition });
                    k = m.last + 2;
                    continue;
                }
                // "elbow pain", "calf tenderness": one complaint, as "chest pain" is.
                if let Some(e) = at(m.last + 1).map(|i| found[i]).filter(|e| e.first == e.last && SITE_COMPLAINTS.contains(&key(e.first))) {
                    out.push(Mention { first: m.first, last: e.last, item: e.item });
                    k = e.last + 1;
                    continue;
                }
            }
            let site_or_condition = |m: &Mention| matches!(self.concepts[m.item].category.as_str(), "ANATOMY" | "MEDICAL_CONDITION");
            if let Some(m) = mention.filter(|m| m.first == k && site_or_condition(m)) {
                let anatomy = self.concepts[m.item].category == "ANATOMY";
                // "colon cancer screening", "hep c screen": one test.
                if matches!(lower(m.last + 1), "screening" | "screen") && at(m.last + 1).is_none() {
                    out.push(Mention { first: m.first, last: m.last + 1, item: self.generic_test });
                    k = m.last + 2;
                    continue;
                }
                // "rotator cuff repair", "skin cancer removal": one procedure, not a body part or a
                // condition beside a word.
                if REPAIR_WORDS.contains(&lower(m.last + 1)) && at(m.last + 1).is_none() {
                    out.push(Mention { first: m.first, last: m.last + 1, item: self.generic_procedure });
                    k = m.last + 2;
                    continue;
                }
                // "knee x-ray", "neck exam", "cataract surgery": the test or procedure, taking its concept.
                let heads = if anatomy { SITE_PROCEDURES } else { CONDITION_PROCEDURES };
                let joined = |e: &Mention| (e.first..=e.last).map(key).collect::<Vec<_>>().join(" ");
                if let Some(e) = at(m.last + 1)
                    .map(|i| found[i])
                    .filter(|e| e.first == m.last + 1 && self.concepts[e.item].category == "TEST_TREATMENT_PROCEDURE" && heads.contains(&joined(e).as_str()))
                {
                    out.push(Mention { first: m.first, last: e.last, item: e.item });
                    k = e.last + 1;
                    continue;
                }
            }
            if mention.is_none() {
                // "swallowing problem" / "difficulty swallowing" / "problems with sleeping"
                if is_function(k) && is_problem(k + 1) && at(k + 1).is_none() {
                    out.push(Mention { first: k, last: k + 1, item: self.generic_condition });
                    k += 2;
                    continue;
                }
                if is_problem(k) {
                    let mut f = if lower(k + 1) == "with" { k + 2 } else { k + 1 };
                    // "problems with your speech"
                    if f == k + 2 && matches!(lower(f), "your" | "my" | "his" | "her" | "the") {
                        f += 1;
                    }
                    if is_function(f) && at(f).is_none() {
                        out.push(Mention { first: k, last: f, item: self.generic_condition });
                        k = f + 1;
                        continue;
                    }
                }
            }
            if let Some(m) = mention.filter(|m| m.first == k) {
                out.push(m);
                k = m.last + 1;
            } else {
                k += 1;
            }
        }
        out
    }

    /// ConText trigger mentions in a token list (`item` indexes [`Lexicon::rule`]).
    pub fn find_triggers(&self, toks: &[Token]) -> Vec<Mention> {
        self.triggers.find(toks)
    }

    /// A lower-case word's place in the person-name lists, if any (a first name wins over a surname).
    pub fn name_word(&self, lower: &str) -> Option<NameWord> {
        match self.first_names.get(lower) {
            Some(false) => Some(NameWord::First),
            Some(true) => Some(NameWord::FirstCommon),
            None => self.surnames.contains(lower).then_some(NameWord::Surname),
        }
    }

    /// Number of first names and surnames in the name lists (for reports).
    pub fn name_counts(&self) -> (usize, usize) {
        (self.first_names.len(), self.surnames.len())
    }

    /// Number of concepts and term variants (for reports).
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.concepts.len(), self.terms.items.len(), self.rules.len())
    }

    /// Convenience for callers holding raw text.
    pub fn find_in(&self, text: &str) -> Vec<(String, Concept)> {
        let t = tokens(text);
        self.find(&t).into_iter().map(|m| (t[m.first..=m.last].iter().map(|x| x.lower.clone()).collect::<Vec<_>>().join(" "), self.concepts[m.item].clone())).collect()
    }
}

/// `SYSTEM=CODE=Description;…` → codes, best first (score falls with position).
fn parse_codes(s: &str) -> Vec<Code> {
    s.split(';')
        .filter_map(|c| {
            let mut p = c.splitn(3, '=');
            let (system, code) = (p.next()?.trim(), p.next()?.trim());
            if system.is_empty() || code.is_empty() {
                return None;
            }
            Some(Code { system: system.into(), code: code.into(), description: p.next().unwrap_or("").trim().into(), score: 1.0 })
        })
        .enumerate()
        .map(|(i, mut c)| {
            c.score = (1.0 - 0.1 * i as f64).max(0.5);
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_match_wins_and_boundaries_hold() {
        let lex = Lexicon::from_texts(&["pain\tMEDICAL_CONDITION\tDX_NAME\tSYMPTOM\nchest pain\tMEDICAL_CONDITION\tDX_NAME\tSYMPTOM\tICD-10-CM=R07.9=Chest pain, unspecified\nchest\tANATOMY\tSYSTEM_ORGAN_SITE\n"]).unwrap();
        let found = lex.find_in("Chest-pains and painful chest.");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "chest pains");
        assert_eq!(found[0].1.codes[0].code, "R07.9");
        assert_eq!(found[1].1.category, "ANATOMY");
    }

    #[test]
    fn curated_layer_parses() {
        let lex = Lexicon::curated().unwrap();
        let (c, v, r) = lex.counts();
        assert!(c > 50 && v > 200 && r > 20, "{c} {v} {r}");
        assert!(Lexicon::load(b"not gzip").is_err());
    }
}
