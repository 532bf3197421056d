//! Attribute phrases in a segment: medication `STRENGTH`, `DOSAGE`, `FORM`, `ROUTE_OR_MODE`, `FREQUENCY`,
//! `DURATION`; test `TEST_VALUE`, `TEST_UNIT`; condition `ACUITY`, `QUALITY`, `DIRECTION`.
//!
//! Input: a segment's tokens. Output: attribute candidates as token ranges; `super::link` attaches them
//! to the entity they describe. Reference: Amazon Comprehend Medical's attribute types; phrase patterns
//! are our own, written for speech ("five hundred milligrams twice a day for two weeks").
//! Limits: fixed English patterns; a value is only a `TEST_VALUE` when a test name comes shortly before.

use super::normalize::Token;
use super::numbers;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    pub kind: &'static str,
    pub first: usize,
    pub last: usize,
}

const STRENGTH_UNITS: &[&str] = &[
    "mg", "milligram", "milligrams", "mcg", "microgram", "micrograms", "g", "gram", "grams", "ml", "milliliter",
    "milliliters", "cc", "cc's", "ccs", "unit", "units", "iu", "meq", "percent",
];
const FORMS: &[&str] = &[
    "tablet", "tablets", "tab", "tabs", "pill", "pills", "capsule", "capsules", "cap", "caps", "puff", "puffs",
    "drop", "drops", "patch", "patches", "cream", "ointment", "gel", "spray", "sprays", "liquid", "syrup",
    "suppository", "inhaler", "injection", "shot", "lozenge", "teaspoon", "teaspoons", "tablespoon", "packet",
];
const ROUTES: &[&[&str]] = &[
    &["by", "mouth"], &["orally"], &["oral"], &["po"], &["iv"], &["intravenous"], &["intravenously"], &["topical"],
    &["topically"], &["under", "the", "tongue"], &["sublingual"], &["subcutaneous"], &["subcutaneously"], &["im"],
    &["intramuscular"], &["rectally"], &["nasal"], &["inhaled"], &["in", "the", "eye"], &["in", "each", "nostril"],
    &["on", "the", "skin"], &["by", "injection"],
];
const FREQUENCIES: &[&[&str]] = &[
    &["every", "other", "day"], &["every", "day"], &["every", "morning"], &["every", "night"], &["every", "evening"],
    &["at", "night"], &["at", "bedtime"], &["before", "bed"], &["in", "the", "morning"], &["in", "the", "evening"],
    &["as", "needed"], &["when", "needed"], &["daily"], &["nightly"], &["weekly"], &["monthly"], &["bid"], &["tid"],
    &["qid"], &["qd"], &["qhs"], &["prn"], &["once", "a", "day"], &["twice", "a", "day"], &["once", "daily"],
    &["twice", "daily"], &["once", "a", "week"], &["twice", "a", "week"], &["with", "meals"], &["a", "day"],
    &["per", "day"], &["a", "week"], &["once"], &["twice"],
];
const TIME_UNITS: &[&str] = &["day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours"];
const TEST_UNITS: &[&[&str]] = &[
    &["mg", "dl"], &["mmol", "l"], &["milligrams", "per", "deciliter"], &["mm", "hg"], &["mmhg"], &["percent"],
    &["beats", "per", "minute"], &["bpm"], &["breaths", "per", "minute"], &["degrees"], &["kilograms"], &["kg"],
    &["pounds"], &["lbs"], &["units", "per", "liter"], &["u", "l"], &["g", "dl"], &["millimeters", "of", "mercury"],
];
const ACUITY: &[&str] = &["acute", "chronic", "recurrent", "sudden", "intermittent", "constant", "persistent", "new"];
/// How bad or what kind: severity, the character of a pain, how well a disease is controlled, its stage.
/// Comprehend Medical files these as a condition's `QUALITY`, not as conditions of their own.
const QUALITY: &[&str] = &[
    "mild", "moderate", "severe", "sharp", "dull", "stabbing", "burning", "throbbing", "aching", "achy", "shooting",
    "cramping", "crampy", "crushing", "squeezing", "pounding", "excruciating", "uncontrolled", "worsening",
];
const QUALITY_PHRASES: &[&[&str]] = &[
    &["mild", "to", "moderate"], &["moderate", "to", "severe"], &["poorly", "controlled"], &["well", "controlled"],
    &["not", "well", "controlled"], &["under", "control"],
];
const DIRECTION: &[&str] =
    &["left", "right", "bilateral", "both", "upper", "lower", "anterior", "posterior", "lateral", "medial", "front"];

/// The length of the longest of `phrases` that starts at token `i`.
pub(super) fn phrase_at(toks: &[Token], i: usize, phrases: &[&[&str]]) -> Option<usize> {
    phrases
        .iter()
        .filter(|p| p.iter().enumerate().all(|(k, w)| toks.get(i + k).is_some_and(|t| t.lower == *w)))
        .map(|p| p.len())
        .max()
}

/// All attribute candidates, left to right, non-overlapping.
pub fn find(toks: &[Token]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut i = 0;
    let is = |j: usize, set: &[&str]| toks.get(j).is_some_and(|t| set.contains(&t.lower.as_str()));
    while i < toks.len() {
        // "for two weeks", "for a month", "for the next ten days"
        if toks[i].lower == "for" {
            let mut j = i + 1;
            if toks.get(j).is_some_and(|t| t.lower == "the") && toks.get(j + 1).is_some_and(|t| t.lower == "next") {
                j += 2;
            }
            let after = if toks.get(j).is_some_and(|t| t.lower == "a" || t.lower == "another") {
                Some(j + 1)
            } else {
                numbers::parse(toks, j).map(|(_, e)| e)
            };
            if let Some(e) = after.filter(|&e| is(e, TIME_UNITS)) {
                out.push(Found { kind: "DURATION", first: i, last: e });
                i = e + 1;
                continue;
            }
        }
        if let Some(n) = phrase_at(toks, i, ROUTES) {
            out.push(Found { kind: "ROUTE_OR_MODE", first: i, last: i + n - 1 });
            i += n;
            continue;
        }
        // "three times a day", "every six hours", "two a day"
        if let Some((_, e)) = numbers::parse(toks, i) {
            if toks.get(e).is_some_and(|t| t.lower == "times") {
                if let Some(n) = phrase_at(toks, e + 1, &[&["a", "day"], &["a", "week"], &["per", "day"], &["daily"], &["a", "month"]]) {
                    out.push(Found { kind: "FREQUENCY", first: i, last: e + n });
                    i = e + n + 1;
                    continue;
                }
            }
            if let Some(n) = phrase_at(toks, e, TEST_UNITS) {
                out.push(Found { kind: "TEST_VALUE", first: i, last: e - 1 });
                out.push(Found { kind: "TEST_UNIT", first: e, last: e + n - 1 });
                i = e + n;
                continue;
            }
            if is(e, STRENGTH_UNITS) {
                out.push(Found { kind: "STRENGTH", first: i, last: e });
                i = e + 1;
                continue;
            }
            if is(e, FORMS) {
                out.push(Found { kind: "DOSAGE", first: i, last: e });
                i = e + 1;
                continue;
            }
            // "120 over 80": a blood-pressure style value.
            if toks.get(e).is_some_and(|t| t.lower == "over") {
                if let Some((_, e2)) = numbers::parse(toks, e + 1) {
                    out.push(Found { kind: "TEST_VALUE", first: i, last: e2 - 1 });
                    i = e2;
                    continue;
                }
            }
            out.push(Found { kind: "NUMBER", first: i, last: e - 1 });
            i = e;
            continue;
        }
        if toks[i].lower == "every" {
            if let Some((_, e)) = numbers::parse(toks, i + 1) {
                if is(e, TIME_UNITS) {
                    out.push(Found { kind: "FREQUENCY", first: i, last: e });
                    i = e + 1;
                    continue;
                }
            }
        }
        if let Some(n) = phrase_at(toks, i, FREQUENCIES) {
            out.push(Found { kind: "FREQUENCY", first: i, last: i + n - 1 });
            i += n;
            continue;
        }
        // "stage two", "grade 3"
        if matches!(toks[i].lower.as_str(), "stage" | "grade") {
            if let Some((_, e)) = numbers::parse(toks, i + 1) {
                out.push(Found { kind: "QUALITY", first: i, last: e - 1 });
                i = e;
                continue;
            }
        }
        if let Some(n) = phrase_at(toks, i, QUALITY_PHRASES) {
            out.push(Found { kind: "QUALITY", first: i, last: i + n - 1 });
            i += n;
            continue;
        }
        if is(i, FORMS) {
            out.push(Found { kind: "FORM", first: i, last: i });
        } else if is(i, ACUITY) {
            out.push(Found { kind: "ACUITY", first: i, last: i });
        } else if is(i, QUALITY) {
            out.push(Found { kind: "QUALITY", first: i, last: i });
        } else if is(i, DIRECTION) {
            out.push(Found { kind: "DIRECTION", first: i, last: i });
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::normalize::tokens;
    use super::*;

    fn kinds(s: &str) -> Vec<(&'static str, String)> {
        let t = tokens(s);
        find(&t)
            .into_iter()
            .filter(|f| f.kind != "NUMBER")
            .map(|f| (f.kind, t[f.first..=f.last].iter().map(|x| x.lower.as_str()).collect::<Vec<_>>().join(" ")))
            .collect()
    }

    #[test]
    fn medication_phrases() {
        assert_eq!(
            kinds("metformin five hundred milligrams twice a day by mouth for two weeks"),
            [
                ("STRENGTH", "five hundred milligrams".to_string()),
                ("FREQUENCY", "twice a day".into()),
                ("ROUTE_OR_MODE", "by mouth".into()),
                ("DURATION", "for two weeks".into())
            ]
        );
        assert_eq!(kinds("take 2 tablets three times a day as needed")[..2], [("DOSAGE", "2 tablets".to_string()), ("FREQUENCY", "three times a day".into())]);
        assert_eq!(kinds("every 6 hours")[0], ("FREQUENCY", "every 6 hours".to_string()));
    }

    #[test]
    fn test_values_and_condition_words() {
        assert_eq!(kinds("a1c was 7.2 percent"), [("TEST_VALUE", "7.2".to_string()), ("TEST_UNIT", "percent".into())]);
        assert_eq!(kinds("pressure 130 over 85")[0], ("TEST_VALUE", "130 over 85".to_string()));
        assert_eq!(kinds("chronic left knee pain"), [("ACUITY", "chronic".to_string()), ("DIRECTION", "left".into())]);
        assert_eq!(kinds("a sharp, stabbing pain"), [("QUALITY", "sharp".to_string()), ("QUALITY", "stabbing".into())]);
        assert_eq!(kinds("stage two kidney disease, moderate to severe"), [("QUALITY", "stage two".to_string()), ("QUALITY", "moderate to severe".into())]);
        assert_eq!(kinds("poorly controlled diabetes"), [("QUALITY", "poorly controlled".to_string())]);
    }
}
