//! The snippet vote the section figures are measured by: each segment votes for its best group, and
//! the snippet gets the clinical group with most votes (`OTHER`, index 3, when no segment is
//! clinical). The rule leaves ties open, so every tie is decided three ways.

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
        let best = (0..4).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap_or(3);
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

#[cfg(test)]
mod tests {
    use super::*;

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
