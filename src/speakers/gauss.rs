//! Full-covariance Gaussian statistics of feature frames, and the Bayesian information criterion (BIC)
//! test of whether two sets of frames come from one speaker.
//!
//! Input: feature vectors (any dimension `d`). Output: [`Stats`] (count, sum, sum of outer products, so
//! two sets merge exactly by addition) and [`delta_bic`].
//!
//! Reference followed: Chen & Gopalakrishnan, "Speaker, environment and channel change detection and
//! clustering via the Bayesian information criterion" (1998): with `N = N1 + N2` frames,
//! `ΔBIC = N/2 log|Σ| − N1/2 log|Σ1| − N2/2 log|Σ2| − λ · ½ (d + d(d+1)/2) log N`, positive when two
//! Gaussians explain the frames better than one, i.e. when they are likely different speakers.
//!
//! Limits: covariances get a small ridge (`RIDGE` times the identity, features being standardised) so
//! that sets with fewer frames than dimensions still have a finite log-determinant; such sets are
//! nonetheless too small to judge, and callers keep them out of BIC decisions.

const RIDGE: f64 = 1e-3;

#[derive(Clone, Debug)]
pub struct Stats {
    pub n: f64,
    sum: Vec<f64>,
    /// Upper triangle including the diagonal, row-major.
    outer: Vec<f64>,
    d: usize,
}

impl Stats {
    pub fn new(d: usize) -> Self {
        Self { n: 0.0, sum: vec![0.0; d], outer: vec![0.0; d * (d + 1) / 2], d }
    }

    pub fn add(&mut self, x: &[f32]) {
        self.n += 1.0;
        let mut k = 0;
        for i in 0..self.d {
            let xi = x[i] as f64;
            self.sum[i] += xi;
            for j in i..self.d {
                self.outer[k] += xi * x[j] as f64;
                k += 1;
            }
        }
    }

    pub fn merged(&self, other: &Stats) -> Stats {
        let mut s = self.clone();
        s.n += other.n;
        s.sum.iter_mut().zip(&other.sum).for_each(|(a, b)| *a += b);
        s.outer.iter_mut().zip(&other.outer).for_each(|(a, b)| *a += b);
        s
    }

    pub fn mean(&self) -> Vec<f64> {
        self.sum.iter().map(|s| s / self.n.max(1.0)).collect()
    }

    /// The maximum-likelihood covariance plus the ridge, as a full `d x d` matrix.
    fn covariance(&self) -> Vec<f64> {
        let (d, n) = (self.d, self.n.max(1.0));
        let mean = self.mean();
        let mut c = vec![0.0; d * d];
        let mut k = 0;
        for i in 0..d {
            for j in i..d {
                let v = self.outer[k] / n - mean[i] * mean[j];
                c[i * d + j] = v;
                c[j * d + i] = v;
                k += 1;
            }
            c[i * d + i] += RIDGE;
        }
        c
    }

    /// A Gaussian fitted to these frames, ready to score new ones.
    pub fn gaussian(&self) -> Gaussian {
        let d = self.d;
        let chol = cholesky(self.covariance(), d);
        let log_det = log_det_of(&chol, d);
        let precision = inverse_from_cholesky(&chol, d);
        Gaussian { mean: self.mean(), chol, precision, log_det, d }
    }

    /// Σ x_i x_j over the frames.
    fn outer_at(&self, i: usize, j: usize) -> f64 {
        let (i, j) = (i.min(j), i.max(j));
        // Row i of the upper triangle starts after rows 0..i, which hold d, d-1, … entries.
        self.outer[i * self.d - i * i.saturating_sub(1) / 2 + (j - i)]
    }

    /// log |Σ| of the covariance with its ridge: the Cholesky factor alone, no inverse (clustering asks
    /// for it millions of times on a long recording).
    pub fn log_det(&self) -> f64 {
        log_det_of(&cholesky(self.covariance(), self.d), self.d)
    }
}

fn log_det_of(chol: &[f64], d: usize) -> f64 {
    2.0 * (0..d).map(|i| chol[i * d + i].ln()).sum::<f64>()
}

/// Lower-triangular Cholesky factor; a non-positive pivot (impossible with the ridge unless the input is
/// not finite) is clamped so the result stays usable.
fn cholesky(mut a: Vec<f64>, d: usize) -> Vec<f64> {
    for j in 0..d {
        let mut s = a[j * d + j];
        for k in 0..j {
            s -= a[j * d + k] * a[j * d + k];
        }
        let pivot = if s.is_finite() && s > 1e-12 { s.sqrt() } else { 1e-6 };
        a[j * d + j] = pivot;
        for i in j + 1..d {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= a[i * d + k] * a[j * d + k];
            }
            a[i * d + j] = s / pivot;
        }
        for k in j + 1..d {
            a[j * d + k] = 0.0;
        }
    }
    a
}

/// `Σ⁻¹` from its Cholesky factor `L` (`Σ⁻¹ = L⁻ᵀ L⁻¹`).
fn inverse_from_cholesky(chol: &[f64], d: usize) -> Vec<f64> {
    // Columns of L⁻¹ by forward substitution.
    let mut inv_l = vec![0.0; d * d];
    for c in 0..d {
        for i in c..d {
            let mut s = if i == c { 1.0 } else { 0.0 };
            for k in c..i {
                s -= chol[i * d + k] * inv_l[k * d + c];
            }
            inv_l[i * d + c] = s / chol[i * d + i];
        }
    }
    let mut p = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            p[i * d + j] = (i.max(j)..d).map(|k| inv_l[k * d + i] * inv_l[k * d + j]).sum();
        }
    }
    p
}

pub struct Gaussian {
    mean: Vec<f64>,
    chol: Vec<f64>,
    precision: Vec<f64>,
    log_det: f64,
    d: usize,
}

impl Gaussian {
    /// Log-likelihood of one frame, without the constant `-d/2 log 2π` (equal for every model).
    pub fn log_likelihood(&self, x: &[f32]) -> f64 {
        let d = self.d;
        // Solve L y = (x − μ) by forward substitution; the Mahalanobis distance is |y|².
        let mut y = vec![0.0; d];
        let mut m = 0.0;
        for i in 0..d {
            let mut s = x[i] as f64 - self.mean[i];
            for k in 0..i {
                s -= self.chol[i * d + k] * y[k];
            }
            y[i] = s / self.chol[i * d + i];
            m += y[i] * y[i];
        }
        -0.5 * (m + self.log_det)
    }
}

impl Gaussian {
    /// Total log-likelihood (without the `2π` constant) of the frames summarised by `s`:
    /// `-½ (n log|Σ| + tr(Σ⁻¹ Σ_x (x−μ)(x−μ)ᵀ))`, computed from the statistics alone.
    pub fn expected_log_likelihood(&self, s: &Stats) -> f64 {
        let d = self.d;
        let mut quad = 0.0;
        for i in 0..d {
            for j in 0..d {
                let scatter = s.outer_at(i, j) - self.mean[i] * s.sum[j] - s.sum[i] * self.mean[j] + s.n * self.mean[i] * self.mean[j];
                quad += self.precision[i * d + j] * scatter;
            }
        }
        -0.5 * (s.n * self.log_det + quad)
    }
}

/// ΔBIC between two frame sets with penalty weight `lambda`; positive means "two speakers".
pub fn delta_bic(a: &Stats, b: &Stats, lambda: f64) -> f64 {
    delta_bic_given(a, a.log_det(), b, b.log_det(), lambda)
}

/// [`delta_bic`] with both sets' log-determinants already known (clustering keeps one per cluster, so a
/// pair costs one factorisation instead of three).
pub fn delta_bic_given(a: &Stats, a_log_det: f64, b: &Stats, b_log_det: f64, lambda: f64) -> f64 {
    let both = a.merged(b);
    let d = a.d as f64;
    let penalty = 0.5 * (d + d * (d + 1.0) / 2.0) * both.n.max(2.0).ln();
    0.5 * (both.n * both.log_det() - a.n * a_log_det - b.n * b_log_det) - lambda * penalty
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random stream (splitmix64) mapped to roughly normal values.
    fn noise(seed: u64, n: usize) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                let mut sum = 0.0;
                for _ in 0..12 {
                    s = s.wrapping_add(0x9E3779B97F4A7C15);
                    let mut z = s;
                    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
                    sum += ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64;
                }
                (sum - 6.0) as f32
            })
            .collect()
    }

    fn stats(values: &[f32], d: usize, shift: f32) -> Stats {
        let mut s = Stats::new(d);
        for x in values.chunks_exact(d) {
            let v: Vec<f32> = x.iter().map(|v| v + shift).collect();
            s.add(&v);
        }
        s
    }

    #[test]
    fn bic_tells_one_source_from_two() {
        let d = 4;
        let a = stats(&noise(1, 400 * d), d, 0.0);
        let same = stats(&noise(2, 400 * d), d, 0.0);
        let other = stats(&noise(3, 400 * d), d, 1.5);
        assert!(delta_bic(&a, &same, 1.0) < 0.0, "{}", delta_bic(&a, &same, 1.0));
        assert!(delta_bic(&a, &other, 1.0) > 0.0, "{}", delta_bic(&a, &other, 1.0));
    }

    #[test]
    fn likelihood_prefers_the_matching_model() {
        let d = 3;
        let near = stats(&noise(4, 300 * d), d, 0.0).gaussian();
        let far = stats(&noise(5, 300 * d), d, 3.0).gaussian();
        let x = [0.1f32, -0.2, 0.0];
        assert!(near.log_likelihood(&x) > far.log_likelihood(&x));
        // Merging statistics equals adding the frames to one set.
        let all = noise(6, 200 * d);
        let whole = stats(&all, d, 0.0);
        let parts = stats(&all[..100 * d], d, 0.0).merged(&stats(&all[100 * d..], d, 0.0));
        assert!((whole.log_det() - parts.log_det()).abs() < 1e-9);
        // The likelihood of a set from its statistics equals the sum over its frames.
        let frames: Vec<f32> = noise(7, 50 * d).iter().map(|v| v * 0.5 + 0.3).collect();
        let direct: f64 = frames.chunks_exact(d).map(|x| near.log_likelihood(x)).sum();
        let from_stats = near.expected_log_likelihood(&stats(&frames, d, 0.0));
        assert!((direct - from_stats).abs() < 1e-6 * direct.abs(), "{direct} vs {from_stats}");
    }
}
