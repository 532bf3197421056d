//! ROUGE-1, ROUGE-2 and ROUGE-L F1 between a generated note and a reference note, as ACI-Bench reports
//! them (percent). Tokens: lower case, runs of letters and digits (no stemming, no stop-word removal).
//! ROUGE-L is computed on the whole text as one sequence (longest common subsequence).

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rouge {
    pub rouge1: f64,
    pub rouge2: f64,
    pub rouge_l: f64,
}

pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase()).collect()
}

fn f1(overlap: usize, cand: usize, refn: usize) -> f64 {
    if overlap == 0 || cand == 0 || refn == 0 {
        return 0.0;
    }
    let p = overlap as f64 / cand as f64;
    let r = overlap as f64 / refn as f64;
    100.0 * 2.0 * p * r / (p + r)
}

fn ngram_overlap(c: &[String], r: &[String], n: usize) -> (usize, usize, usize) {
    use std::collections::HashMap;
    fn count(t: &[String], n: usize) -> HashMap<&[String], usize> {
        let mut m: HashMap<&[String], usize> = HashMap::new();
        if t.len() >= n {
            for w in t.windows(n) {
                *m.entry(w).or_default() += 1;
            }
        }
        m
    }
    let (cm, rm) = (count(c, n), count(r, n));
    let overlap = cm.iter().map(|(k, v)| (*v).min(*rm.get(k).unwrap_or(&0))).sum();
    (overlap, c.len().saturating_sub(n - 1), r.len().saturating_sub(n - 1))
}

/// Longest common subsequence length, in O(len(b)) memory.
fn lcs(a: &[String], b: &[String]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y { prev[j] + 1 } else { cur[j].max(prev[j + 1]) };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

pub fn rouge(candidate: &str, reference: &str) -> Rouge {
    let (c, r) = (tokens(candidate), tokens(reference));
    let (o1, c1, r1) = ngram_overlap(&c, &r, 1);
    let (o2, c2, r2) = ngram_overlap(&c, &r, 2);
    Rouge { rouge1: f1(o1, c1, r1), rouge2: f1(o2, c2, r2), rouge_l: f1(lcs(&c, &r), c.len(), r.len()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_and_disjoint_texts() {
        let r = rouge("The cat sat.", "the cat sat");
        assert!((r.rouge1 - 100.0).abs() < 1e-9 && (r.rouge2 - 100.0).abs() < 1e-9 && (r.rouge_l - 100.0).abs() < 1e-9);
        assert_eq!(rouge("dog", "cat").rouge1, 0.0);
        assert_eq!(rouge("", "cat").rouge_l, 0.0);
    }

    #[test]
    fn partial_overlap_by_hand() {
        // candidate: a b c d; reference: a c b e → unigrams 3/4 each: F1 75; bigrams none; LCS "a b" or "a c" = 2 → 50.
        let r = rouge("a b c d", "a c b e");
        assert!((r.rouge1 - 75.0).abs() < 1e-9);
        assert_eq!(r.rouge2, 0.0);
        assert!((r.rouge_l - 50.0).abs() < 1e-9);
    }
}
