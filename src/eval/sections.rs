//! The snippet vote the section figures are measured by: each segment votes for its best group, and
//! the snippet gets the clinical group with most votes (`OTHER`, index 3, when no segment is
//! clinical). The rule leaves ties open, so every tie is decided three ways. Also: reading the
//! turn-by-turn labels of whole visits and scoring turns against them, and [`as_spoken`], text as a
//! recogniser that writes no punctuation gives it.

/// A snippet's group under each reading of a tie, and whether its votes tied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vote {
    /// Ties decided by summed probability.
    pub by_probability: usize,
    /// Ties go to the tied group that appears first in the snippet (Python's `Counter.most_common`).
    pub by_order: usize,
    /// Ties count as wrong (`OTHER`).
    pub strict: usize,
    pub tied: bool,
}

/// The vote over per-segment probabilities (SUBJECTIVE, OBJECTIVE, ASSESSMENT_AND_PLAN, OTHER).
pub fn snippet_vote(probs: &[[f32; 4]]) -> Vote {
    let mut votes = [0usize; 4];
    let mut mass = [0f32; 4];
    let mut order = Vec::new();
    for p in probs {
        let best = crate::sections::best_group(p);
        votes[best] += 1;
        mass[best] += p[best];
        if best < 3 && !order.contains(&best) {
            order.push(best);
        }
    }
    let top = votes[..3].iter().copied().max().unwrap_or(0);
    let tied: Vec<usize> = (0..3).filter(|&g| votes[g] == top).collect();
    if top == 0 {
        return Vote { by_probability: 3, by_order: 3, strict: 3, tied: false };
    }
    if tied.len() == 1 {
        return Vote { by_probability: tied[0], by_order: tied[0], strict: tied[0], tied: false };
    }
    Vote {
        by_probability: tied.iter().copied().max_by(|&a, &b| mass[a].total_cmp(&mass[b])).unwrap_or(3),
        by_order: order.iter().copied().find(|g| tied.contains(g)).unwrap_or(3),
        strict: 3,
        tied: true,
    }
}

/// A whole visit labelled turn by turn (`tests/fixtures/sections/*.tsv`): the dialogue's path (relative
/// to the repository root) and each turn's group index in [`crate::sections::GROUPS`].
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledVisit {
    pub dialogue: String,
    pub labels: Vec<usize>,
}

/// Reads a label file: a `# dialogue: PATH` line, then one `turn<TAB>SECTION<TAB>opening words` row
/// per turn in order (other `#` lines are comments).
pub fn read_labels(text: &str) -> Result<LabelledVisit, String> {
    let mut dialogue = None;
    let mut labels = Vec::new();
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("# dialogue:") {
            dialogue = Some(p.trim().to_string());
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            let name = line.split('\t').nth(1).ok_or_else(|| format!("a row without a section: {line}"))?.trim();
            labels.push(crate::sections::GROUPS.iter().position(|g| *g == name).ok_or_else(|| format!("unknown section {name}"))?);
        }
    }
    Ok(LabelledVisit { dialogue: dialogue.ok_or("no '# dialogue: PATH' line")?, labels })
}

/// Adds each turn's (label, best group) to a 4 × 4 confusion (label × prediction); returns how many
/// turns were right.
pub fn score_turns(probs: &[[f32; 4]], labels: &[usize], confusion: &mut [[usize; 4]; 4]) -> usize {
    let mut right = 0;
    for (p, &truth) in probs.iter().zip(labels) {
        let pick = crate::sections::best_group(p);
        confusion[truth][pick] += 1;
        right += (pick == truth) as usize;
    }
    right
}

/// `text` as a recogniser that writes no punctuation would give it (Whisper tiny.en often does): lower
/// case, no sentence or clause marks, apostrophes and hyphens inside words kept.
pub fn as_spoken(text: &str) -> String {
    let kept: String =
        text.to_lowercase().chars().map(|c| if c.is_alphanumeric() || matches!(c, '\'' | '’' | '-') { c } else { ' ' }).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_files_are_read_and_turns_scored() {
        let v = read_labels("# dialogue: a/b.txt\n# turn\tsection\n1\tOTHER\thi\n2\tSUBJECTIVE\tcough\n").unwrap();
        assert_eq!(v, LabelledVisit { dialogue: "a/b.txt".into(), labels: vec![3, 0] });
        assert!(read_labels("1\tOTHER\thi").is_err(), "no dialogue line");
        assert!(read_labels("# dialogue: x\n1\tHISTORY\thi").is_err(), "unknown section");
        let mut c = [[0; 4]; 4];
        assert_eq!(score_turns(&[[0.1, 0.1, 0.1, 0.7], [0.2, 0.6, 0.1, 0.1]], &v.labels, &mut c), 1);
        assert_eq!((c[3][3], c[0][1]), (1, 1));
    }

    #[test]
    fn ties_are_decided_three_ways() {
        // Plan first, then history more confidently: one vote each.
        let v = snippet_vote(&[[0.1, 0.0, 0.6, 0.3], [0.9, 0.0, 0.1, 0.0], [0.1, 0.0, 0.1, 0.8]]);
        assert_eq!(v, Vote { by_probability: 0, by_order: 2, strict: 3, tied: true });
        let v = snippet_vote(&[[0.6, 0.1, 0.2, 0.1], [0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1]]);
        assert_eq!(v, Vote { by_probability: 0, by_order: 0, strict: 0, tied: false });
        assert_eq!(snippet_vote(&[[0.0, 0.0, 0.1, 0.9]]).strict, 3, "no clinical segment");
    }
}
