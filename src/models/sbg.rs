//! Shifted-beta-geometric (sBG) contractual retention (Fader & Hardie 2007, "How to project customer
//! retention"): the fit from cohort survival counts, survival and retention curves, and DEL/DERL.
//!
//! Each customer churns at the end of any period with probability θ ~ Beta(α, β):
//! P(T = t) = B(α+1, β+t−1)/B(α, β), S(t) = B(α, β+t)/B(α, β), retention r_t = (β+t−1)/(α+β+t−1).

use super::special::{lbeta, lbeta_d, series_limit, Dual, MAX_TERMS};
use super::{param_array, run_fit, Fit, FitOptions, Problem};
use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;

/// sBG parameters α, β of the churn probability θ ~ Beta(α, β).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SbgParams {
    pub alpha: f64,
    pub beta: f64,
}

super::param_set!(SbgParams { alpha, beta });

fn bad(field: String, message: String) -> Error {
    Error::new(ErrorCode::OutOfRange, message).with_field(field)
}

/// Checks cohorts: each `[n₀, n₁, …, n_k]` (customers at the start, then still active after each
/// period), n₀ > 0, never increasing, k ≥ 1.
fn check(cohorts: &[Vec<u64>]) -> Result<()> {
    if cohorts.is_empty() {
        return Err(Error::new(ErrorCode::InsufficientData, "sBG needs at least one cohort").with_field("cohorts"));
    }
    for (i, c) in cohorts.iter().enumerate() {
        if c.len() < 2 || first(c) == 0 {
            return Err(bad(format!("cohorts[{i}]"), "a cohort needs its size (> 0) and at least one later count".into()));
        }
        for (j, pair) in c.windows(2).enumerate() {
            if let &[before, after] = pair {
                if after > before {
                    let field = format!("cohorts[{i}][{}]", j.saturating_add(1));
                    return Err(bad(field, format!("active customers cannot increase ({before} then {after})")));
                }
            }
        }
    }
    Ok(())
}

fn loglik(cohorts: &[Vec<u64>], p: &[Dual]) -> Result<Dual> {
    let [a, b] = param_array(p)?;
    let base = lbeta_d(a, b);
    let mut total = Dual::cst(0.0);
    for c in cohorts {
        for (t, w) in c.windows(2).enumerate() {
            let &[before, after] = w else { continue };
            // Counts never increase ([`check`]).
            let churned = before.saturating_sub(after) as f64;
            if churned > 0.0 {
                total = total + (lbeta_d(a + 1.0, b + t as f64) - base) * churned;
            }
        }
        let (k, last) = (c.len().saturating_sub(1), c.last().copied().unwrap_or(0) as f64);
        if last > 0.0 {
            total = total + (lbeta_d(a, b + k as f64) - base) * last;
        }
    }
    Ok(total)
}

/// A cohort's size n₀ (0 for an empty cohort, which [`check`] rejects).
fn first(cohort: &[u64]) -> u64 {
    cohort.first().copied().unwrap_or(0)
}

/// Fits sBG to cohort survival counts (see [`check`] for the shape). A cohort with no churn at all
/// (or all churned) leaves θ unidentified: `INSUFFICIENT_DATA`.
pub fn fit_sbg(cohorts: &[Vec<u64>], options: &FitOptions) -> Result<Fit<SbgParams>> {
    check(cohorts)?;
    let churned: f64 = cohorts.iter().map(|c| first(c).saturating_sub(c.last().copied().unwrap_or(0)) as f64).sum();
    let stayed: f64 = cohorts.iter().map(|c| c.last().copied().unwrap_or(0) as f64).sum();
    if churned == 0.0 || stayed == 0.0 {
        let why = if churned == 0.0 { "no customer churned" } else { "every customer churned" };
        return Err(Error::new(ErrorCode::InsufficientData, format!("sBG cannot be fitted: {why}, so the churn distribution is not identified")));
    }
    let n: f64 = cohorts.iter().map(|c| first(c) as f64).sum();
    let starts = vec![vec![1.0, 1.0], vec![0.5, 3.0], vec![3.0, 0.5], vec![0.2, 0.2]];
    let loglik = |p: &[Dual]| loglik(cohorts, p);
    let problem = Problem { model: "sbg", loglik: &loglik, customers: n, starts, penalty_scale: vec![1.0; 2], log_map: None };
    run_fit(&problem, options, None, &mut super::unobserved)
}

impl SbgParams {
    /// `OUT_OF_RANGE` for parameters outside [1e-12, 1e12] or more than 100,000 periods.
    fn check_curve(&self, periods: u32) -> Result<()> {
        super::check_params(self)?;
        if periods > 100_000 {
            return Err(bad("periods".into(), format!("periods must be at most 100000 (got {periods})")));
        }
        Ok(())
    }

    /// S(0..=periods): the share still active after t periods (at most 100,000 periods).
    pub fn survival(&self, periods: u32) -> Result<Vec<f64>> {
        self.check_curve(periods)?;
        let base = lbeta(self.alpha, self.beta);
        Ok((0..=periods).map(|t| (lbeta(self.alpha, self.beta + f64::from(t)) - base).exp()).collect())
    }

    /// r_t for t = 1..=periods: the share of those active after t−1 periods who renew in period t.
    pub fn retention(&self, periods: u32) -> Result<Vec<f64>> {
        self.check_curve(periods)?;
        Ok((1..=periods).map(|t| (self.beta + f64::from(t) - 1.0) / (self.alpha + self.beta + f64::from(t) - 1.0)).collect())
    }

    /// Σ_{t>n} S(t)/S(n) · v^{t−n}, v = 1/(1+d): the discounted number of further periods of a
    /// customer who has renewed n times (n = 0: just acquired). With d = 0 it is (β+n)/(α−1)
    /// when α > 1, and `NOT_CONVERGENT` otherwise.
    fn residual(&self, d: f64, n: f64) -> Result<f64> {
        super::check_params(self)?;
        let SbgParams { alpha, beta } = *self;
        if !(d.is_finite() && d >= 0.0) {
            return Err(bad("discountRate".into(), format!("discountRate must be a number ≥ 0 (got {d})")));
        }
        if d == 0.0 {
            if alpha > 1.0 {
                return Ok((beta + n) / (alpha - 1.0));
            }
            return Err(Error::new(ErrorCode::NotConvergent, "with α ≤ 1 and no discounting the expected lifetime is infinite").with_field("discountRate"));
        }
        let v = 1.0 / (1.0 + d);
        let (mut term, mut sum) = (1.0, 0.0);
        for k in 0..MAX_TERMS {
            // S(n+k+1)/S(n+k) = (β+n+k)/(α+β+n+k).
            let t = n + k as f64;
            term *= v * (beta + t) / (alpha + beta + t);
            sum += term;
            if term * v / (1.0 - v) <= 1e-15 * sum {
                return Ok(sum);
            }
        }
        Err(series_limit("the sBG discounted lifetime"))
    }

    /// Discounted expected lifetime of a new customer in periods, counting the first period (paid
    /// now): DEL = Σ_{t≥0} S(t)/(1+d)^t. Times the margin per period, Fader & Hardie's
    /// "first payment now" CLV.
    pub fn discounted_expected_lifetime(&self, discount_rate: f64) -> Result<f64> {
        Ok(1.0 + self.residual(discount_rate, 0.0)?)
    }

    /// Discounted expected residual lifetime of a customer who has renewed `renewals` times,
    /// counting only future renewals: Σ_{t>n} S(t)/S(n)/(1+d)^{t−n}.
    pub fn discounted_expected_residual_lifetime(&self, discount_rate: f64, renewals: u32) -> Result<f64> {
        self.residual(discount_rate, f64::from(renewals))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fader & Hardie (2007), "regular" customers: 1000 at the start, then 631, 468, 382, 326,
    /// 289, 262, 241 after years 1..7; they report α = 0.704, β = 1.182 from the first 8 points.
    #[test]
    fn fits_the_published_regular_cohort() {
        let cohort = vec![vec![1000, 631, 468, 382, 326, 289, 262, 241]];
        let fit = fit_sbg(&cohort, &FitOptions::default()).unwrap();
        assert!(fit.converged);
        assert!((fit.params.alpha - 0.704).abs() < 5e-4 && (fit.params.beta - 1.182).abs() < 5e-4, "{:?}", fit.params);
        let s = fit.params.survival(2).unwrap();
        assert!((s[1] - fit.params.retention(1).unwrap()[0]).abs() < 1e-12);
        // DEL by brute force over 20,000 periods.
        let d = 0.1_f64;
        let surv = SbgParams { alpha: 0.704, beta: 1.182 }.survival(20_000).unwrap();
        let brute: f64 = surv.iter().enumerate().map(|(t, s)| s / (1.0 + d).powi(t as i32)).sum();
        let del = SbgParams { alpha: 0.704, beta: 1.182 }.discounted_expected_lifetime(d).unwrap();
        assert!((brute - del).abs() < 1e-9, "{brute} vs {del}");
        let derl = SbgParams { alpha: 0.704, beta: 1.182 }.discounted_expected_residual_lifetime(d, 3).unwrap();
        let brute3: f64 = (4..20_000).map(|t| surv[t] / surv[3] / (1.0 + d).powi(t as i32 - 3)).sum();
        assert!((brute3 - derl).abs() < 1e-9);
    }

    #[test]
    fn degenerate_cohorts_are_typed() {
        let o = FitOptions::default();
        assert_eq!(fit_sbg(&[vec![10, 10, 10]], &o).unwrap_err().code, ErrorCode::InsufficientData);
        assert_eq!(fit_sbg(&[vec![10, 0]], &o).unwrap_err().code, ErrorCode::InsufficientData);
        let e = fit_sbg(&[vec![10, 5, 6]], &o).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::OutOfRange, Some("cohorts[0][2]")));
        let p = SbgParams { alpha: 0.7, beta: 1.2 };
        assert_eq!(p.discounted_expected_lifetime(0.0).unwrap_err().code, ErrorCode::NotConvergent);
        let p = SbgParams { alpha: 2.0, beta: 1.2 };
        // E[T] = (α+β−1)/(α−1) = 2.2.
        assert!((p.discounted_expected_lifetime(0.0).unwrap() - 2.2).abs() < 1e-12);
    }
}
