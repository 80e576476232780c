//! Seeded simulators of every model (transactions, spend, cohort retention) and the random
//! numbers behind them: SplitMix64 and exact exponential, normal, gamma, beta and Poisson draws.
//!
//! SplitMix64 (Steele, Lea & Flood 2014) is a dozen lines with good statistical quality for
//! simulation; a random-number crate would add its own traits and code to the wasm for no gain.
//! Gamma draws use Marsaglia & Tsang (2000), with the U^{1/k} boost for shapes below 1.

use super::sbg::SbgParams;
use super::{check_at, check_params, check_time, GammaGammaParams, TransactionParams};
use crate::error::{Error, ErrorCode, Result};

/// SplitMix64: a 64-bit state advanced by a Weyl sequence and mixed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Exponential with the given rate (> 0).
    pub fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Gamma with shape k > 0 and rate θ > 0 (mean k/θ).
    pub fn gamma(&mut self, shape: f64, rate: f64) -> f64 {
        if shape < 1.0 {
            let boost = self.uniform().powf(1.0 / shape);
            return self.gamma(shape + 1.0, rate) * boost;
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let z = self.normal();
            let v = (1.0 + c * z).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * z * z + d - d * v + d * v.ln() {
                return d * v / rate;
            }
        }
    }

    /// Beta(a, b).
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        let y = self.gamma(b, 1.0);
        x / (x + y)
    }

    /// Poisson with the given mean: the number of unit-rate exponential arrivals before `mean`
    /// (exact; cost proportional to the mean).
    pub fn poisson(&mut self, mean: f64) -> u64 {
        let mut n = 0u64;
        let mut at = self.exponential(1.0);
        while at <= mean {
            n = n.saturating_add(1);
            at += self.exponential(1.0);
        }
        n
    }
}

/// Simulated BTYD histories: the calibration summary and the purchases in a later holdout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Simulated {
    pub frequency: Vec<f64>,
    pub recency: Vec<f64>,
    pub t: Vec<f64>,
    /// Repeat purchases in (T, T + holdout].
    pub holdout: Vec<f64>,
}

/// Most purchases simulated per customer (a guard against absurd parameters).
const MAX_PURCHASES: u32 = 1_000_000;

/// Simulates one customer per entry of `ages` (their T), each making a first purchase at time 0
/// and observed until T, plus `holdout` more time units, under `params`.
pub fn simulate_transactions(params: &TransactionParams, ages: &[f64], holdout: f64, seed: u64) -> Result<Simulated> {
    params.check()?;
    check_time("holdout", holdout)?;
    let mut rng = Rng::new(seed);
    let mut out = Simulated::default();
    for (i, &t) in ages.iter().enumerate() {
        check_at("T", i, t)?;
        let end = t + holdout;
        // (rate λ, time of death (∞ when by coin flips), drop-out p after each purchase, at 0 too).
        let (rate, death, p, at_zero) = match params {
            TransactionParams::BgNbd(b) | TransactionParams::MbgNbd(b) => {
                (rng.gamma(b.r, b.alpha), f64::INFINITY, rng.beta(b.a, b.b), matches!(params, TransactionParams::MbgNbd(_)))
            }
            TransactionParams::ParetoNbd(q) => {
                let rate = rng.gamma(q.r, q.alpha);
                let mu = rng.gamma(q.s, q.beta);
                (rate, rng.exponential(mu), 0.0, false)
            }
        };
        let (mut x, mut tx, mut later) = (0.0, 0.0, 0.0);
        let mut alive = !(at_zero && rng.uniform() < p);
        let mut now = 0.0;
        let mut count = 0;
        while alive && count < MAX_PURCHASES {
            now += rng.exponential(rate);
            if now > end || now > death {
                break;
            }
            if now <= t {
                x += 1.0;
                tx = now;
            } else {
                later += 1.0;
            }
            alive = rng.uniform() >= p;
            count = count.saturating_add(1);
        }
        out.frequency.push(x);
        out.recency.push(tx);
        out.t.push(t);
        out.holdout.push(later);
    }
    Ok(out)
}

/// Mean spend per customer for the given repeat counts (0 when x = 0): ν ~ Gamma(q, γ) per
/// customer, each transaction ~ Gamma(p, ν).
pub fn simulate_spend(params: &GammaGammaParams, frequency: &[f64], seed: u64) -> Result<Vec<f64>> {
    check_params(params)?;
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(frequency.len());
    for (i, &x) in frequency.iter().enumerate() {
        check_at("frequency", i, x)?;
        if x > f64::from(MAX_PURCHASES) {
            let e = Error::new(ErrorCode::OutOfRange, format!("at most {MAX_PURCHASES} purchases per customer (got {x})"));
            return Err(e.with_field(format!("frequency[{i}]")));
        }
        let nu = rng.gamma(params.q, params.gamma);
        let n = x as u32;
        let total: f64 = (0..n).map(|_| rng.gamma(params.p, nu)).sum();
        out.push(if n == 0 { 0.0 } else { total / f64::from(n) });
    }
    Ok(out)
}

/// Most periods of a simulated cohort.
const MAX_PERIODS: u32 = 100_000;

/// A cohort of `size` customers followed for `periods` periods (at most 100,000):
/// [size, active after 1, …].
pub fn simulate_cohort(params: &SbgParams, size: u64, periods: u32, seed: u64) -> Result<Vec<u64>> {
    check_params(params)?;
    if periods > MAX_PERIODS {
        let e = Error::new(ErrorCode::OutOfRange, format!("periods must be at most {MAX_PERIODS} (got {periods})"));
        return Err(e.with_field("periods"));
    }
    let mut rng = Rng::new(seed);
    let mut active = vec![0u64; (periods as usize).saturating_add(1)];
    for _ in 0..size {
        let theta = rng.beta(params.alpha, params.beta);
        let mut survived = 0;
        while survived < periods && rng.uniform() >= theta {
            survived = survived.saturating_add(1);
        }
        for slot in active.iter_mut().take((survived as usize).saturating_add(1)) {
            *slot = slot.saturating_add(1);
        }
    }
    Ok(active)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_have_the_right_moments() {
        let mut rng = Rng::new(7);
        let n = 200_000;
        let mean_var = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            (m, v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64)
        };
        for (k, rate) in [(0.3, 2.0), (2.5, 0.5)] {
            let v: Vec<f64> = (0..n).map(|_| rng.gamma(k, rate)).collect();
            let (m, var) = mean_var(&v);
            // Mean k/θ and variance k/θ², within 4 standard errors.
            let se = (k / (rate * rate) / n as f64).sqrt();
            assert!((m - k / rate).abs() < 4.0 * se, "gamma({k}, {rate}) mean {m}");
            assert!((var / (k / (rate * rate)) - 1.0).abs() < 0.05, "gamma var {var}");
        }
        let v: Vec<f64> = (0..n).map(|_| rng.beta(0.8, 2.4)).collect();
        let (m, _) = mean_var(&v);
        assert!((m - 0.25).abs() < 0.003, "beta mean {m}");
        let v: Vec<f64> = (0..n).map(|_| rng.poisson(3.5) as f64).collect();
        let (m, var) = mean_var(&v);
        assert!((m - 3.5).abs() < 0.02 && (var - 3.5).abs() < 0.06, "poisson {m} {var}");
        // Same seed, same stream.
        assert_eq!(Rng::new(42).next_u64(), Rng::new(42).next_u64());
    }
}
