//! Entity recognition and negation against a hand-annotated visit (`tests/fixtures/insights/*.json`).
//!
//! Scoring, as issue 4 defines it: a found entity matches a gold one when both lie in the same segment,
//! their character spans overlap and their categories are equal (MEDICATION, MEDICAL_CONDITION,
//! TEST_TREATMENT_PROCEDURE, ANATOMY); matching is one-to-one. Negation accuracy is over matched pairs.

use crate::dialogue::transcript_from_dialogue;
use crate::insights::{extract, Lexicon};
use crate::schema::transcript::TranscriptFile;

/// The categories scored, in report order.
pub const CATEGORIES: [&str; 4] = ["MEDICATION", "MEDICAL_CONDITION", "TEST_TREATMENT_PROCEDURE", "ANATOMY"];

/// Counts over one or more visits (add them up with [`Score::add`]).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Score {
    pub tp: [usize; 4],
    pub fp: [usize; 4],
    pub fn_: [usize; 4],
    /// Matched pairs whose negation agrees, and all matched pairs.
    pub negation_right: usize,
    pub matched: usize,
    /// One line per miss, false alarm or wrong negation (development data only, never user text).
    pub notes: Vec<String>,
}

impl Score {
    pub fn add(&mut self, other: Score) {
        for c in 0..4 {
            self.tp[c] += other.tp[c];
            self.fp[c] += other.fp[c];
            self.fn_[c] += other.fn_[c];
        }
        self.negation_right += other.negation_right;
        self.matched += other.matched;
        self.notes.extend(other.notes);
    }

    /// Precision, recall and F1 of one category, or of all four with `None`.
    pub fn prf(&self, category: Option<usize>) -> (f64, f64, f64) {
        let pick = |a: &[usize; 4]| category.map_or(a.iter().sum(), |c| a[c]);
        let (tp, fp, fn_) = (pick(&self.tp), pick(&self.fp), pick(&self.fn_));
        let p = tp as f64 / (tp + fp).max(1) as f64;
        let r = tp as f64 / (tp + fn_).max(1) as f64;
        (p, r, if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 })
    }

    pub fn negation_accuracy(&self) -> f64 {
        self.negation_right as f64 / self.matched.max(1) as f64
    }
}

/// An annotated visit: its dialogue and gold entities `[segment index, text, category, negated, occurrence]`.
pub struct Fixture {
    pub dialogue: String,
    gold: Vec<(usize, String, String, bool, usize)>,
}

impl Fixture {
    pub fn parse(json: &str) -> Result<Self, String> {
        let v: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let dialogue = v["dialogue"].as_str().ok_or("no dialogue")?.to_string();
        let mut gold = Vec::new();
        for e in v["entities"].as_array().ok_or("no entities")? {
            gold.push((
                e[0].as_u64().ok_or("segment index")? as usize,
                e[1].as_str().ok_or("text")?.to_string(),
                e[2].as_str().ok_or("category")?.to_string(),
                e[3].as_bool().unwrap_or(false),
                e.get(4).and_then(|o| o.as_u64()).unwrap_or(0) as usize,
            ));
        }
        Ok(Self { dialogue, gold })
    }

    /// The visit as a transcript with the extractor's insights.
    pub fn extract(&self, lex: &Lexicon) -> Result<TranscriptFile, String> {
        let mut file = transcript_from_dialogue(&self.dialogue).map_err(|e| e.to_string())?;
        extract(&mut file, lex).map_err(|e| e.to_string())?;
        Ok(file)
    }

    /// Scores the insights of [`Fixture::extract`]'s transcript.
    pub fn score(&self, file: &TranscriptFile) -> Result<Score, String> {
        let segs = &file.conversation.transcript_segments;
        // Gold spans: (segment id, begin, end, category, negated, text).
        let mut gold = Vec::new();
        for (seg, text, category, negated, occ) in &self.gold {
            let s = segs.get(*seg).ok_or_else(|| format!("no segment {seg}"))?;
            let (b, e) = locate(&s.content, text, *occ).ok_or_else(|| format!("`{text}` not in segment {seg}"))?;
            gold.push((s.segment_id.as_str(), b, e, category.as_str(), *negated, text.as_str()));
        }
        let mut score = Score::default();
        let mut used = vec![false; gold.len()];
        for ins in &file.conversation.clinical_insights {
            let Some(c) = CATEGORIES.iter().position(|c| *c == ins.category) else { continue };
            let sp = &ins.spans[0];
            let hit = gold.iter().enumerate().position(|(g, x)| {
                !used[g] && x.0 == sp.segment_id && x.3 == ins.category && sp.begin_character_offset < x.2 && x.1 < sp.end_character_offset
            });
            match hit {
                Some(g) => {
                    used[g] = true;
                    score.tp[c] += 1;
                    score.matched += 1;
                    if ins.traits.iter().any(|t| t.name == "NEGATION") == gold[g].4 {
                        score.negation_right += 1;
                    } else {
                        score.notes.push(format!("negation wrong: {} `{}` (gold {})", sp.segment_id, sp.content, gold[g].4));
                    }
                }
                None => {
                    score.fp[c] += 1;
                    score.notes.push(format!("false alarm: {} {} `{}`", sp.segment_id, ins.category, sp.content));
                }
            }
        }
        for x in gold.iter().zip(&used).filter(|(_, u)| !**u).map(|(x, _)| x) {
            let c = CATEGORIES.iter().position(|c| *c == x.3).ok_or_else(|| format!("unknown category {}", x.3))?;
            score.fn_[c] += 1;
            score.notes.push(format!("missed: {} {} `{}`", x.0, x.3, x.5));
        }
        Ok(score)
    }
}

/// Char offsets of the `occ`-th whole-word occurrence of `needle` in `hay` (case-insensitive).
fn locate(hay: &str, needle: &str, occ: usize) -> Option<(usize, usize)> {
    let h: Vec<char> = hay.to_lowercase().chars().collect();
    let n: Vec<char> = needle.to_lowercase().chars().collect();
    if n.is_empty() || n.len() > h.len() {
        return None;
    }
    let edge = |j: usize| j >= h.len() || !h[j].is_alphanumeric();
    (0..=h.len() - n.len())
        .filter(|&i| h[i..i + n.len()] == n[..] && (i == 0 || !h[i - 1].is_alphanumeric()) && edge(i + n.len()))
        .nth(occ)
        .map(|i| (i, i + n.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_whole_words_only() {
        assert_eq!(locate("the pain and the painful knee", "pain", 0), Some((4, 8)));
        assert_eq!(locate("the pain and the painful knee", "pain", 1), None);
        assert_eq!(locate("Chest x-ray, chest X-RAY", "chest x-ray", 1), Some((13, 24)));
    }

    #[test]
    fn scores_matches_misses_false_alarms_and_negation() {
        let fixture = Fixture::parse(
            r#"{"dialogue": "[doctor] any chest pain ?\n[patient] no . i take tylenol for my knee",
                "entities": [[0, "chest pain", "MEDICAL_CONDITION", true], [1, "tylenol", "MEDICATION", false],
                             [1, "aspirin", "MEDICATION", false, 0]]}"#,
        );
        // "aspirin" is not in segment 1: a malformed fixture is an error, not a silent miss.
        let lex = Lexicon::curated().unwrap();
        let f = fixture.as_ref().unwrap();
        assert!(f.score(&f.extract(&lex).unwrap()).is_err());
        let f = Fixture::parse(
            r#"{"dialogue": "[doctor] any chest pain ?\n[patient] no . i take tylenol for my knee",
                "entities": [[0, "chest pain", "MEDICAL_CONDITION", true], [1, "tylenol", "MEDICATION", false]]}"#,
        )
        .unwrap();
        let s = f.score(&f.extract(&lex).unwrap()).unwrap();
        assert_eq!((s.tp.iter().sum::<usize>(), s.fn_.iter().sum::<usize>()), (2, 0), "{:?}", s.notes);
        assert_eq!(s.fp[3], 1, "the knee was not annotated: one anatomy false alarm");
        assert_eq!((s.negation_right, s.matched), (2, 2));
        assert!((s.prf(None).2 - 0.8).abs() < 1e-9);
    }
}
