//! Gamma-Gamma spend model (Fader, Hardie & Lee 2005; Fader & Hardie's note 025): its fit on the
//! repeat customers' mean spend, and the conditional expected average order value.
//!
//! Each repeat transaction's value is Gamma(p, ν) with ν ~ Gamma(q, γ) across customers; the
//! mean m̄ of x transactions has density Γ(px+q)/(Γ(px)Γ(q)) · γ^q m̄^{px−1} x^{px} / (γ+m̄x)^{px+q},
//! and E[M | x, m̄] = p(γ + x·m̄)/(px + q − 1). With q ≤ 1 the spend has no finite mean: the fit
//! warns (`NO_FINITE_MEAN`) and predictions are a `NO_FINITE_MEAN` error, never a negative value.

use super::special::Dual;
use super::{check_at, param_array, run_fit, unobserved, Fit, FitObserver, FitOptions, Problem};
use crate::error::{Error, ErrorCode, Result, Warning};
use serde::Serialize;

/// Gamma-Gamma parameters p, q, γ (lifetimes calls γ `v`), γ in money.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GammaGammaParams {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

super::param_set!(GammaGammaParams { p, q, gamma });

/// Unique (x, m̄) pairs with counts, sorted by x.
struct Spends {
    x: Vec<f64>,
    m: Vec<f64>,
    w: Vec<f64>,
    /// ln m̄ per pair.
    ln_m: Vec<f64>,
}

fn check_columns(frequency: &[f64], monetary: &[f64]) -> Result<()> {
    if frequency.len() != monetary.len() {
        let message = format!("frequency and monetaryValue must have one value per customer (got {} and {})", frequency.len(), monetary.len());
        return Err(Error::new(ErrorCode::InvalidInput, message).with_field("monetaryValue"));
    }
    for (i, (&x, &m)) in frequency.iter().zip(monetary).enumerate() {
        check_at("frequency", i, x)?;
        if !m.is_finite() {
            let field = format!("monetaryValue[{i}]");
            return Err(Error::new(ErrorCode::NotFinite, format!("{field} must be a finite number (got {m})")).with_field(field));
        }
    }
    Ok(())
}

/// The log-likelihood of the spends at p = [p, q, γ] (duals).
fn loglik(data: &Spends, par: &[Dual]) -> Result<Dual> {
    let [p, q, gamma] = param_array(par)?;
    let ln_gamma = gamma.ln();
    let base = q * ln_gamma - q.lgamma();
    let mut total = Dual::cst(0.0);
    let mut weight = 0.0;
    let mut rows = data.x.iter().zip(&data.m).zip(&data.w).zip(&data.ln_m).peekable();
    while let Some(&(((&x, _), _), _)) = rows.peek() {
        let px = p * x;
        let pxq = px + q;
        let per_x = pxq.lgamma() - px.lgamma() + px * x.ln();
        // The pairs' terms (px−1)·ln m̄ − (px+q)·ln(γ + m̄x), summed in plain numbers:
        // Σw ln m̄, Σw ln(γ + m̄x) and its γ-derivative Σw/(γ + m̄x); the duals are applied once per x.
        let (mut run_weight, mut sum_ln_m, mut sum_ln, mut sum_inv) = (0.0, 0.0, 0.0, 0.0);
        while let Some((((_, &m), &w), &ln_m)) = rows.next_if(|(((&next, _), _), _)| next == x) {
            let at = gamma.v + m * x;
            sum_ln_m += w * ln_m;
            sum_ln += w * at.ln();
            sum_inv += w / at;
            run_weight += w;
        }
        let mut d = [0.0; super::special::NPAR];
        for (slot, gamma_d) in d.iter_mut().zip(&gamma.d) {
            *slot = gamma_d * sum_inv;
        }
        let ln_at = Dual { v: sum_ln, d };
        total = total + (px - 1.0) * sum_ln_m - pxq * ln_at + per_x * run_weight;
        weight += run_weight;
    }
    Ok(total + base * weight)
}

/// Fits Gamma-Gamma on the customers with frequency > 0 and a positive mean spend (`monetary`
/// = mean repeat-purchase value, as in the BTYD summary). Customers with x > 0 and m̄ ≤ 0 (returns
/// netted in) are left out with a warning; fewer than two usable customers is `INSUFFICIENT_DATA`.
pub fn fit_gamma_gamma(frequency: &[f64], monetary: &[f64], options: &FitOptions) -> Result<Fit<GammaGammaParams>> {
    fit_gamma_gamma_observed(frequency, monetary, options, &mut unobserved)
}

/// [`fit_gamma_gamma`], reporting progress to `observer` (see [`super::FitProgress`]).
pub fn fit_gamma_gamma_observed(frequency: &[f64], monetary: &[f64], options: &FitOptions, observer: &mut FitObserver<'_>) -> Result<Fit<GammaGammaParams>> {
    check_columns(frequency, monetary)?;
    let pairs: Vec<(f64, f64)> = frequency.iter().zip(monetary).filter(|(x, m)| **x > 0.0 && **m > 0.0).map(|(x, m)| (*x, *m)).collect();
    let skipped = frequency.iter().zip(monetary).filter(|(x, m)| **x > 0.0 && **m <= 0.0).count();
    if pairs.len() < 2 {
        return Err(Error::new(
            ErrorCode::InsufficientData,
            format!("Gamma-Gamma needs at least two repeat customers with a positive mean spend (got {})", pairs.len()),
        ));
    }
    // Counted by the values' bits, then the distinct pairs sorted by x (then m̄).
    let mut counts: super::BitsMap<(u64, u64), f64> = super::BitsMap::default();
    for (x, m) in pairs {
        *counts.entry((x.to_bits(), m.to_bits())).or_insert(0.0) += 1.0;
    }
    let mut unique: Vec<(f64, f64, f64)> = counts.into_iter().map(|((x, m), w)| (f64::from_bits(x), f64::from_bits(m), w)).collect();
    unique.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut data = Spends { x: Vec::new(), m: Vec::new(), w: Vec::new(), ln_m: Vec::new() };
    for (x, m, w) in unique {
        data.x.push(x);
        data.m.push(m);
        data.w.push(w);
        data.ln_m.push(m.ln());
    }
    let n: f64 = data.w.iter().sum();
    let mean_m = data.m.iter().zip(&data.w).map(|(m, w)| m * w).sum::<f64>() / n;
    let starts = [(1.0, 2.0), (5.0, 4.0), (0.5, 1.5), (10.0, 10.0)]
        .iter()
        .map(|&(p, q)| vec![p, q, mean_m * (q - 1.0) / p])
        .collect();
    let loglik = |par: &[Dual]| loglik(&data, par);
    let problem = Problem { model: "gammaGamma", loglik: &loglik, customers: n, starts, penalty_scale: vec![1.0; 3], log_map: None };
    let mut fit: Fit<GammaGammaParams> = run_fit(&problem, options, None, observer)?;
    if skipped > 0 {
        fit.warnings.push(Warning::new(
            "NONPOSITIVE_SPEND_SKIPPED",
            "monetaryValue",
            format!("{skipped} repeat customers with a mean spend ≤ 0 were left out of the fit"),
        ));
    }
    if fit.params.q <= 1.0 {
        fit.warnings.push(Warning::new(
            "NO_FINITE_MEAN",
            "params.q",
            format!("q = {:.4} ≤ 1: the fitted spend distribution has no finite mean, so expected spend and CLV are not available", fit.params.q),
        ));
    }
    Ok(fit)
}

impl GammaGammaParams {
    /// `NO_FINITE_MEAN` when q ≤ 1.
    pub(crate) fn require_mean(&self) -> Result<()> {
        if self.q > 1.0 {
            return Ok(());
        }
        Err(Error::new(
            ErrorCode::NoFiniteMean,
            format!("Gamma-Gamma q = {} ≤ 1: spend has no finite mean, so expected spend is not defined", self.q),
        )
        .with_field("params.q"))
    }

    /// E[M | x, m̄] for one customer; customers with x = 0 or m̄ ≤ 0 get the population mean pγ/(q−1).
    pub(crate) fn expected_one(&self, x: f64, m: f64) -> f64 {
        let GammaGammaParams { p, q, gamma } = *self;
        if x > 0.0 && m > 0.0 {
            p * (gamma + x * m) / (p * x + q - 1.0)
        } else {
            p * gamma / (q - 1.0)
        }
    }

    /// The conditional expected average order value per customer (same money unit as m̄).
    pub fn expected_spend(&self, frequency: &[f64], monetary: &[f64]) -> Result<Vec<f64>> {
        check_columns(frequency, monetary)?;
        super::check_params(self)?;
        self.require_mean()?;
        frequency.iter().zip(monetary).map(|(x, m)| super::finite("expected spend", self.expected_one(*x, *m))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let m = vec![10.0, 25.5, 17.0];
        let data = Spends { x: vec![1.0, 1.0, 4.0], ln_m: m.iter().map(|v: &f64| v.ln()).collect(), m, w: vec![2.0, 1.0, 3.0] };
        let theta = [1.8, 1.3, 2.7];
        let g = loglik(&data, &super::super::dual_params(&theta)).unwrap();
        for i in 0..3 {
            let at = |d: f64| {
                let mut t = theta;
                t[i] += d;
                loglik(&data, &super::super::dual_params(&t)).unwrap().v
            };
            let fd = (at(1e-6) - at(-1e-6)) / 2e-6;
            assert!((g.d[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()));
        }
    }

    #[test]
    fn degenerate_spend_is_typed() {
        let e = fit_gamma_gamma(&[0.0, 1.0, 0.0], &[0.0, 5.0, 0.0], &FitOptions::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InsufficientData);
        let q_low = GammaGammaParams { p: 2.0, q: 0.9, gamma: 3.0 };
        assert_eq!(q_low.expected_spend(&[1.0], &[4.0]).unwrap_err().code, ErrorCode::NoFiniteMean);
        let e = GammaGammaParams { p: 2.0, q: 3.0, gamma: 3.0 }.expected_spend(&[1.0], &[f64::NAN]).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::NotFinite, Some("monetaryValue[0]")));
    }
}
