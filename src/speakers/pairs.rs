//! The cheapest pair among items that are merged one pair at a time (bottom-up clustering).
//!
//! Each item keeps its cheapest partner, so finding the pair to merge costs O(n) instead of a scan of all
//! O(n²) pairs (O(n³) over the whole clustering), and a merge touches only the merged item's costs and
//! the rows that pointed at it. A four-hour recording has a few thousand stretches to cluster.
//!
//! Ties are broken as a scan in (row, column) order would: the first pair of least cost wins.

/// Merge costs between `n` items (the upper triangle: pair (a, b) with a < b), which of them are still
/// there, and each row's cheapest partner among the items after it.
pub struct PairCosts {
    n: usize,
    cost: Vec<f64>,
    alive: Vec<bool>,
    count: usize,
    /// For row a: the first live b > a of least cost, and that cost; `None` when no cost compares.
    best: Vec<Option<(usize, f64)>>,
}

impl PairCosts {
    /// Costs of every pair from `cost_of(a, b)`, a < b.
    pub fn new(n: usize, cost_of: impl Fn(usize, usize) -> f64) -> Self {
        let mut cost = Vec::with_capacity(n * n.saturating_sub(1) / 2);
        for a in 0..n {
            for b in a + 1..n {
                cost.push(cost_of(a, b));
            }
        }
        let mut pairs = PairCosts { n, cost, alive: vec![true; n], count: n, best: vec![None; n] };
        for a in 0..n {
            pairs.refresh(a);
        }
        pairs
    }

    /// How many items are left.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Whether item `a` is still there (not merged into another).
    pub fn is_alive(&self, a: usize) -> bool {
        self.alive[a]
    }

    fn index(&self, a: usize, b: usize) -> usize {
        debug_assert!(a < b && b < self.n);
        a * self.n - a * (a + 1) / 2 + (b - a - 1)
    }

    fn refresh(&mut self, a: usize) {
        let mut best: Option<(usize, f64)> = None;
        for b in a + 1..self.n {
            if !self.alive[b] {
                continue;
            }
            let c = self.cost[self.index(a, b)];
            if c < best.map_or(f64::INFINITY, |(_, x)| x) {
                best = Some((b, c));
            }
        }
        self.best[a] = best;
    }

    /// The pair (a, b), a < b, of least cost, and that cost; `None` when no cost compares (NaN, infinite)
    /// or fewer than two items are left.
    pub fn cheapest(&self) -> Option<(usize, usize, f64)> {
        let mut found: Option<(usize, usize, f64)> = None;
        for a in (0..self.n).filter(|&a| self.alive[a]) {
            if let Some((b, c)) = self.best[a] {
                if c < found.map_or(f64::INFINITY, |(_, _, x)| x) {
                    found = Some((a, b, c));
                }
            }
        }
        found
    }

    /// Item `b` was merged into `a` (a < b); `cost_of(k)` gives the merged item's cost with each item `k` left.
    pub fn merge(&mut self, a: usize, b: usize, cost_of: impl Fn(usize) -> f64) {
        assert!(a < b && self.alive[a] && self.alive[b], "merge({a}, {b}) of items not both there");
        self.alive[b] = false;
        self.count -= 1;
        for k in 0..self.n {
            if !self.alive[k] || k == a {
                continue;
            }
            let at = self.index(k.min(a), k.max(a));
            self.cost[at] = cost_of(k);
        }
        self.refresh(a);
        for k in 0..self.n {
            if !self.alive[k] || k == a {
                continue;
            }
            match self.best[k] {
                // Its partner is gone, or its cost with the merged item may have risen: look again.
                Some((p, _)) if p == b || (p == a && k < a) => self.refresh(k),
                _ if k < a => {
                    let c = self.cost[self.index(k, a)];
                    let better = match self.best[k] {
                        Some((p, x)) => c < x || (c == x && a < p),
                        None => c < f64::INFINITY,
                    };
                    if better {
                        self.best[k] = Some((a, c));
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pair a scan of every live pair in (row, column) order would pick: the reference.
    fn scan(cost: &[Vec<f64>], alive: &[bool]) -> Option<(usize, usize, f64)> {
        let mut found: Option<(usize, usize, f64)> = None;
        for a in 0..cost.len() {
            for b in a + 1..cost.len() {
                if alive[a] && alive[b] && cost[a][b] < found.map_or(f64::INFINITY, |f| f.2) {
                    found = Some((a, b, cost[a][b]));
                }
            }
        }
        found
    }

    #[test]
    fn merges_in_the_order_a_full_scan_would() {
        // Deterministic pseudo-random costs with many ties (three distinct values), merged to the end, each
        // merge giving the merged item new costs; many seeds, so that every tie case comes up.
        for seed in 0..200u64 {
            let n = 24;
            let mut state = seed;
            let mut next = move || {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((state >> 33) % 3) as f64
            };
            let mut cost: Vec<Vec<f64>> = (0..n).map(|_| (0..n).map(|_| next()).collect()).collect();
            let mut alive = vec![true; n];
            let snapshot = cost.clone();
            let mut pairs = PairCosts::new(n, |a, b| snapshot[a][b]);
            while pairs.len() > 1 {
                let expected = scan(&cost, &alive);
                assert_eq!(pairs.cheapest(), expected, "seed {seed}");
                let (a, b, _) = expected.unwrap();
                alive[b] = false;
                let fresh: Vec<f64> = (0..n).map(|_| next()).collect();
                for k in (0..n).filter(|&k| k != a) {
                    cost[k.min(a)][k.max(a)] = fresh[k];
                }
                pairs.merge(a, b, |k| fresh[k]);
                assert_eq!(pairs.len(), alive.iter().filter(|&&x| x).count());
            }
            assert_eq!(pairs.cheapest(), None);
        }
    }

    #[test]
    fn costs_that_do_not_compare_are_never_picked() {
        let pairs = PairCosts::new(3, |a, b| if (a, b) == (1, 2) { 0.5 } else { f64::NAN });
        assert_eq!(pairs.cheapest(), Some((1, 2, 0.5)));
        let none = PairCosts::new(2, |_, _| f64::NAN);
        assert_eq!(none.cheapest(), None);
    }
}
