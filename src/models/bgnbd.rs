//! BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam et al. 2007): the likelihood, its fit,
//! and the per-customer predictions (P(alive), expected purchases, P(n purchases)).
//!
//! Both are beta-geometric/NBD models: purchases at rate λ ~ Gamma(r, α) while alive; after each
//! repeat purchase (MBG/NBD: also right after the first) the customer drops out with probability
//! p ~ Beta(a, b). The `modified` flag selects MBG/NBD; the formulas differ only in how many
//! drop-out chances a customer with x repeat purchases has survived (x, or x + 1).
//!
//! Expected purchases use the Euler transform of ₂F₁ (see [`special::beta_geo_bracket`]): with
//! z = t/(α+T+t), c = a+b+x−1 (MBG: a+b+x) and A = a+b−1−r (MBG: a+b−r),
//! E = c · [1 − ((α+T)/(α+T+t))^{a−1} ₂F₁(A, a−1; c; z)]/(a−1) · P(alive), continuous at a = 1.

use super::special::{self, gauss_legendre_graded, lbeta, lbeta_d, Dual};

/// From this a on (with b + chances ≥ 1), expected purchases are integrated over the Beta (see
/// `expected_by_beta_window`) instead of summed as a ₂F₁ series, whose terms cancel there.
const CONCENTRATED_BETA: f64 = 50.0;
use super::{ln_nb, logistic_neg, param_array, prob, run_fit, Fit, FitObserver, FitOptions, Problem, Tuples};
use crate::error::Result;
use crate::summary::TimeUnit;
use serde::Serialize;

/// BG/NBD and MBG/NBD parameters: r, α (purchase rate ~ Gamma(r, α), α in the time unit) and
/// a, b (drop-out probability ~ Beta(a, b)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BetaGeoParams {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

super::param_set!(BetaGeoParams { r, alpha, a, b });

impl BetaGeoParams {
    /// Repeat purchases after which the customer had a drop-out chance: x, or x + 1 for MBG.
    fn chances(modified: bool, x: f64) -> f64 {
        if modified {
            x + 1.0
        } else {
            x
        }
    }

    /// ln of the odds of having dropped out: ln[a/(b+chances−1) · ((α+T)/(α+t_x))^{r+x}];
    /// −∞ for BG/NBD with x = 0 (no chance to drop out yet).
    fn ln_dead_odds(&self, modified: bool, x: f64, tx: f64, t: f64) -> f64 {
        let k = Self::chances(modified, x);
        if k == 0.0 {
            return f64::NEG_INFINITY;
        }
        let BetaGeoParams { r, alpha, a, b } = *self;
        a.ln() - (b + k - 1.0).ln() + (r + x) * ((alpha + t).ln() - (alpha + tx).ln())
    }

    pub(crate) fn p_alive(&self, modified: bool, x: f64, tx: f64, t: f64) -> f64 {
        logistic_neg(self.ln_dead_odds(modified, x, tx, t))
    }

    /// E[purchases in (T, T+t] | alive at T]; times P(alive) it is the conditional expectation.
    pub(crate) fn expected_if_alive(&self, modified: bool, x: f64, t: f64, horizon: f64) -> Result<f64> {
        if horizon == 0.0 {
            return Ok(0.0);
        }
        let BetaGeoParams { r, alpha, a, b } = *self;
        let shift = if modified { 0.0 } else { 1.0 };
        let c = a + b + x - shift;
        if c < 0.05 {
            // The ₂F₁ form needs c > 0 (it has a pole at c = 0; BG/NBD with x = 0 and a + b ≤ 1).
            return Ok(self.expected_by_quadrature(modified, x, t, horizon).max(0.0));
        }
        if a >= CONCENTRATED_BETA && b + Self::chances(modified, x) >= 1.0 {
            // A large a (drop-out odds nearly the same for everyone, as when a fit runs to the
            // boundary) makes the ₂F₁ form cancel catastrophically: integrate over the Beta instead.
            return Ok(self.expected_by_beta_window(modified, x, t, horizon).max(0.0));
        }
        let z = horizon / (alpha + t + horizon);
        let bracket = special::beta_geo_bracket(a + b - shift - r, a - 1.0, c, z)?;
        // E = c·bracket·P(alive) and a dead customer buys nothing, so c·bracket = E[· | alive].
        Ok((c * bracket).max(0.0))
    }

    #[cfg(test)]
    fn expected(&self, modified: bool, x: f64, tx: f64, t: f64, horizon: f64) -> Result<f64> {
        Ok(self.expected_if_alive(modified, x, t, horizon)? * self.p_alive(modified, x, tx, t))
    }

    /// E[purchases in (T, T+t] | alive] as E_p[(1 − E_λ[e^{−λpt}])/p] with λ ~ Gamma(r+x, α+T),
    /// p ~ Beta(a, b + chances): an alive customer buys until a purchase ends them (rate λp), so
    /// (1 − e^{−λpt})/p purchases on average. The Beta integral is split at ½ and taken in
    /// v = p^a and w = (1−p)^{b'}, which absorb the endpoint singularities.
    fn expected_by_quadrature(&self, modified: bool, x: f64, t: f64, horizon: f64) -> f64 {
        let BetaGeoParams { r, alpha, a, b } = *self;
        let bb = b + Self::chances(modified, x);
        let k = horizon / (alpha + t);
        let h = |p: f64| -(-(r + x) * (k * p).ln_1p()).exp_m1() / p;
        let ln_norm = lbeta(a, bb);
        // ∫₀^½ h(p) p^{a−1}(1−p)^{bb−1} dp with p = v^{1/a}: dp·p^{a−1} = dv/a.
        let low = gauss_legendre_graded( 0.5f64.powf(a), |v| {
            let p = v.powf(1.0 / a);
            h(p) * ((bb - 1.0) * (-p).ln_1p() - ln_norm).exp() / a
        });
        // ∫_½^1 with 1 − p = w^{1/bb}: dp·(1−p)^{bb−1} = −dw/bb.
        let high = gauss_legendre_graded( 0.5f64.powf(bb), |w| {
            let p = 1.0 - w.powf(1.0 / bb);
            h(p) * ((a - 1.0) * p.ln() - ln_norm).exp() / bb
        });
        low + high
    }

    /// [`Self::expected_by_quadrature`]'s integral for a concentrated Beta (a ≥ [`CONCENTRATED_BETA`],
    /// b + chances ≥ 1, so the density is bounded): Gauss-Legendre over its mean ± 16 standard deviations (clipped to
    /// (0, 1)), in 16 panels; the Beta mass outside that window is below 1e-30.
    fn expected_by_beta_window(&self, modified: bool, x: f64, t: f64, horizon: f64) -> f64 {
        let BetaGeoParams { r, alpha, a, b } = *self;
        let bb = b + Self::chances(modified, x);
        let k = horizon / (alpha + t);
        let ln_norm = lbeta(a, bb);
        let mean = a / (a + bb);
        let sd = (a * bb / ((a + bb) * (a + bb) * (a + bb + 1.0))).sqrt();
        let (lo, hi) = ((mean - 16.0 * sd).max(0.0), (mean + 16.0 * sd).min(1.0));
        let panels = 16;
        let width = (hi - lo) / panels as f64;
        (0..panels)
            .map(|i| {
                let from = lo + width * i as f64;
                special::gauss_legendre(from, from + width, |p| {
                    if p <= 0.0 || p >= 1.0 {
                        return 0.0;
                    }
                    let h = -(-(r + x) * (k * p).ln_1p()).exp_m1() / p;
                    h * ((a - 1.0) * p.ln() + (bb - 1.0) * (-p).ln_1p() - ln_norm).exp()
                })
            })
            .sum()
    }

    /// P(n) computing P(alive) first (the tests' entry).
    #[cfg(test)]
    pub(crate) fn prob_n(&self, modified: bool, x: f64, tx: f64, t: f64, horizon: f64, n: u32) -> Result<f64> {
        Ok(self.prob_n_given(modified, self.p_alive(modified, x, tx, t), x, t, horizon, n))
    }

    /// P(exactly n purchases in (T, T+t]): alive at T with P(alive); then λ ~ Gamma(r+x, α+T) and
    /// p ~ Beta(a, b + chances); each purchase ends the customer with probability p, so
    /// P(n | alive) = E[(1−p)ⁿ]·NB(n) + [n>0]·E[p(1−p)ⁿ⁻¹]·P(NB ≥ n), NB the negative binomial
    /// count of purchases at rate λ over t.
    /// `alive` is the customer's P(alive).
    pub(crate) fn prob_n_given(&self, modified: bool, alive: f64, x: f64, t: f64, horizon: f64, n: u32) -> f64 {
        let BetaGeoParams { r, alpha, a, b } = *self;
        let dead = if n == 0 { 1.0 - alive } else { 0.0 };
        if horizon == 0.0 {
            return prob(dead + if n == 0 { alive } else { 0.0 });
        }
        let bb = b + Self::chances(modified, x);
        let k = r + x;
        let ln_p = ((alpha + t) / (alpha + t + horizon)).ln();
        let ln_q = (horizon / (alpha + t + horizon)).ln();
        let nf = f64::from(n);
        let stay = (lbeta(a, bb + nf) - lbeta(a, bb) + ln_nb(k, nf, ln_p, ln_q)).exp();
        let leave = if n > 0 {
            let below: f64 = (0..n).map(|j| ln_nb(k, f64::from(j), ln_p, ln_q).exp()).sum();
            (lbeta(a + 1.0, bb + nf - 1.0) - lbeta(a, bb)).exp() * (1.0 - below).max(0.0)
        } else {
            0.0
        };
        prob(dead + alive * (stay + leave))
    }
}

/// The total log-likelihood of `tuples` at the parameters `p` = [r, α, a, b] (duals). Terms that
/// depend on the parameters only are computed once, terms that depend on x once per x.
pub(crate) fn loglik(tuples: &Tuples, modified: bool, p: &[Dual]) -> Result<Dual> {
    loglik_with(tuples, modified, p, PRODUCT_RUN)
}

/// From this many tuples of one x on, a run is summed without logs (see [`loglik_with`]): it
/// saves an exp and a log per tuple for a multiplication per distinct time (an exp per time for
/// the first such run of an evaluation). Shorter runs would pay too, but their sums round
/// differently, which moves where a fit running off to a boundary stops.
const PRODUCT_RUN: usize = 64;

/// [`loglik`], runs of at least `min_run` tuples summed without logs (tests compare the two sums).
fn loglik_with(tuples: &Tuples, modified: bool, p: &[Dual], min_run: usize) -> Result<Dual> {
    let [r, alpha, a, b] = param_array(p)?;
    let base = (alpha.ln() * r) - r.lgamma() - lbeta_d(a, b);
    // Per distinct time: ln(α + time) and 1/(α + time), plain numbers.
    let ln_at: Vec<f64> = tuples.times.iter().map(|t| (alpha.v + t).ln()).collect();
    let inv_at: Vec<f64> = tuples.times.iter().map(|t| 1.0 / (alpha.v + t)).collect();
    // ln(α + time) spans this much: (r+x) times it bounds how small (α+T)^{−(r+x)} gets against
    // (α + the first time)^{−(r+x)}, which decides whether a run can be summed without logs.
    let first = ln_at.first().copied().unwrap_or(0.0);
    let span = ln_at.last().copied().unwrap_or(0.0) - first;
    // Per time value, (α+time)^{−(r+x)} scaled by (α + the first time)^{r+x} for the x of the last
    // run summed without logs (`power_x`): the next such run multiplies each by
    // ((α + the first time)/(α + time))^{Δx} instead of taking an exp per time.
    // Kept with ln(α + time) and 1/(α + time) in one entry per time, so the loop over the tuples
    // reads one place per time it uses.
    let mut at: Vec<TimeTerms> = ln_at.iter().zip(&inv_at).map(|(&ln, &inv)| TimeTerms { power: 0.0, ln, inv }).collect();
    let mut power_x = f64::NAN;
    let ratio: Vec<f64> = inv_at.iter().map(|inv| (alpha.v + tuples.times.first().copied().unwrap_or(0.0)) * inv).collect();
    let mut total = Dual::cst(0.0);
    let mut weight = 0.0;
    for run in tuples.runs() {
        let x = run.x;
        let k = BetaGeoParams::chances(modified, x);
        let rx = r + x;
        let stay = lbeta_d(a, b + k);
        let leave = (k > 0.0).then(|| lbeta_d(a + 1.0, b + (k - 1.0)));
        // Each tuple's term is ln(e^A + e^B), A = stay − (r+x) ln(α+T), B = leave − (r+x) ln(α+t_x):
        // its gradient is the shares π_A, π_B of the two parts times dA, dB, so the loop sums plain
        // numbers and the parameter derivatives are applied once per x.
        let (mut value, mut w_sum, mut w_a, mut w_b, mut w_ln, mut w_inv) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        let gap = leave.map_or(0.0, |l| (stay.v - l.v).abs());
        if run.w.len() >= min_run && rx.v * span + gap < 600.0 {
            // Without logs: e^A + e^B = e^c (α+t₀)^{−(r+x)} · u with u = e^{stay−c}·P(T) + e^{leave−c}·P(t_x),
            // P the scaled powers, c = max(stay, leave); u ≥ e^{−600}, so nothing underflows, and the
            // terms' logs are summed as the log of their product (exponent kept apart).
            let c = leave.map_or(stay.v, |l| stay.v.max(l.v));
            let ea = (stay.v - c).exp();
            let eb = leave.map_or(0.0, |l| (l.v - c).exp());
            let step = x - power_x;
            if step > 0.0 && step <= 8.0 {
                for (e, q) in at.iter_mut().zip(&ratio) {
                    e.power *= pow_small(*q, step as u32);
                }
            } else {
                for e in at.iter_mut() {
                    e.power = (-rx.v * (e.ln - first)).exp();
                }
            }
            power_x = x;
            let (mut product, mut exponent, mut logs) = (1.0f64, 0i64, 0.0);
            for ((&w, &ti), &txi) in run.w.iter().zip(run.ti).zip(run.txi) {
                let (at_t, at_tx) = (time_terms(&at, ti), time_terms(&at, txi));
                let pa = ea * at_t.power;
                let pb = eb * at_tx.power;
                let u = pa + pb;
                let share_a = pa / u;
                let whole = w as u32;
                if whole == 1 && w == 1.0 {
                    product *= u;
                } else if whole <= 32 && f64::from(whole) == w {
                    // u^w = m^w·2^{e·w} with m ∈ [1, 2): m^w ≤ 2^32, so a whole count needs no log.
                    let (m, e) = split_exponent(u);
                    product *= pow_small(m, whole);
                    // |e| ≤ 1074 and whole ≤ 32 per tuple, so the exponent cannot wrap: release arithmetic.
                    exponent = exponent.wrapping_add(e.wrapping_mul(i64::from(whole)));
                } else {
                    logs += w * u.ln();
                }
                if !(1e-30..=1e30).contains(&product) {
                    let (m, e) = split_exponent(product);
                    product = m;
                    exponent = exponent.wrapping_add(e);
                }
                let share_b = 1.0 - share_a;
                w_sum += w;
                w_a += w * share_a;
                w_b += w * share_b;
                w_ln += w * (share_a * at_t.ln + share_b * at_tx.ln);
                w_inv += w * (share_a * at_t.inv + share_b * at_tx.inv);
            }
            value = w_sum * (c - rx.v * first) + logs + product.ln() + exponent as f64 * std::f64::consts::LN_2;
        } else {
            for ((&w, &ti), &txi) in run.w.iter().zip(run.ti).zip(run.txi) {
                let (at_t, at_tx) = (time_terms(&at, ti), time_terms(&at, txi));
                let alive = stay.v - rx.v * at_t.ln;
                let (term, share_a) = match leave {
                    Some(l) => {
                        let gone = l.v - rx.v * at_tx.ln;
                        let (hi, lo) = if alive >= gone { (alive, gone) } else { (gone, alive) };
                        let e = (lo - hi).exp();
                        let share_hi = 1.0 / (1.0 + e);
                        (hi + e.ln_1p(), if alive >= gone { share_hi } else { 1.0 - share_hi })
                    }
                    None => (alive, 1.0),
                };
                let share_b = 1.0 - share_a;
                value += w * term;
                w_sum += w;
                w_a += w * share_a;
                w_b += w * share_b;
                w_ln += w * (share_a * at_t.ln + share_b * at_tx.ln);
                w_inv += w * (share_a * at_t.inv + share_b * at_tx.inv);
            }
        }
        let mut d = [0.0; super::special::NPAR];
        let leave_d = leave.map_or([0.0; super::special::NPAR], |l| l.d);
        let parts = stay.d.iter().zip(&leave_d).zip(&rx.d).zip(&alpha.d);
        for (slot, (((stay_d, leave_d), rx_d), alpha_d)) in d.iter_mut().zip(parts) {
            *slot = stay_d * w_a + leave_d * w_b - rx_d * w_ln - rx.v * alpha_d * w_inv;
        }
        total = total + Dual { v: value, d } + rx.lgamma() * w_sum;
        weight += w_sum;
    }
    Ok(total + base * weight)
}

/// What the likelihood needs of one time value t: ln(α + t), 1/(α + t) and the scaled power
/// ((α + t₀)/(α + t))^{r+x} of the current run.
struct TimeTerms {
    power: f64,
    ln: f64,
    inv: f64,
}

/// The terms of time value `i` (an index into `times`); NaN terms for an index outside them
/// (never: [`Tuples`] indexes its own times), which make the likelihood NaN, that is +∞ to the
/// optimiser. The fallback is a cold call, so the hot loop keeps a predicted branch where a select
/// would put the comparison in the way of each load (8 % on a BG/NBD fit).
#[inline]
fn time_terms(at: &[TimeTerms], i: usize) -> &TimeTerms {
    match at.get(i) {
        Some(terms) => terms,
        None => outside_times(),
    }
}

#[cold]
#[inline(never)]
fn outside_times() -> &'static TimeTerms {
    const OUTSIDE: TimeTerms = TimeTerms { power: f64::NAN, ln: f64::NAN, inv: f64::NAN };
    &OUTSIDE
}

/// m^n by squaring (n ≤ 32), inline: the loop above calls it once per tuple.
#[inline]
fn pow_small(m: f64, mut n: u32) -> f64 {
    let (mut result, mut base) = (1.0, m);
    while n > 0 {
        if n & 1 == 1 {
            result *= base;
        }
        base *= base;
        n >>= 1;
    }
    result
}

/// A positive normal number as (mantissa in [1, 2), binary exponent).
#[inline]
fn split_exponent(v: f64) -> (f64, i64) {
    let bits = v.to_bits();
    // The biased exponent is in 0..2048: the subtraction cannot wrap.
    let e = (((bits >> 52) & 0x7ff) as i64).wrapping_sub(1023);
    (f64::from_bits((bits & !(0x7ff << 52)) | (1023 << 52)), e)
}

pub(crate) fn fit(tuples: &Tuples, modified: bool, options: &FitOptions, unit: TimeUnit, observer: &mut FitObserver<'_>) -> Result<Fit<BetaGeoParams>> {
    let loglik = |p: &[Dual]| loglik(tuples, modified, p);
    // Purchase rate r/α near the observed repeat rate; several drop-out shapes.
    let (n, alpha, _) = tuples.scale();
    let starts = [(1.0, 1.0, 1.0), (0.3, 0.8, 2.5), (0.1, 0.1, 0.1), (2.0, 0.5, 10.0)]
        .iter()
        .map(|&(r, a, b)| vec![r, alpha * r, a, b])
        .collect();
    let model = if modified { "mbgNbd" } else { "bgNbd" };
    let penalty_scale = vec![1.0, tuples.rate_penalty(), 1.0, 1.0];
    run_fit(&Problem { model, loglik: &loglik, customers: n, starts, penalty_scale, log_map: None }, options, Some(unit), observer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CDNOW: BetaGeoParams = BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

    #[test]
    fn likelihood_gradient_matches_finite_differences() {
        let tuples = Tuples::new(vec![0.0, 2.0, 7.0], vec![0.0, 30.4, 20.0], vec![38.0, 38.9, 20.0], vec![3.0, 1.0, 2.0]);
        for modified in [false, true] {
            let theta = [-1.2, 1.4, -0.2, 0.9];
            let g = loglik(&tuples, modified, &super::super::dual_params(&theta)).unwrap();
            for i in 0..4 {
                let at = |d: f64| {
                    let mut t = theta;
                    t[i] += d;
                    loglik(&tuples, modified, &super::super::dual_params(&t)).unwrap().v
                };
                let fd = (at(1e-6) - at(-1e-6)) / 2e-6;
                assert!((g.d[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()), "{modified} {i}: {} vs {fd}", g.d[i]);
            }
        }
    }

    #[test]
    fn products_and_logs_give_the_same_likelihood() {
        let tuples = Tuples::new(
            vec![0.0, 0.0, 1.0, 2.0, 2.0, 4.0, 4.0],
            vec![0.0, 0.0, 49.0, 10.0, 30.4, 20.0, 50.0],
            vec![38.0, 50.0, 49.0, 38.9, 38.9, 20.0, 50.0],
            vec![3.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0],
        );
        for modified in [false, true] {
            for theta in [[-1.2, 1.4, -0.2, 0.9], [1.29, 3.9, -10.9, 12.1], [1.29, 3.9, -16.0, 17.0], [-3.0, -2.0, 3.0, -2.0]] {
                let p = super::super::dual_params(&theta);
                let a = loglik_with(&tuples, modified, &p, 0).unwrap();
                let b = loglik_with(&tuples, modified, &p, usize::MAX).unwrap();
                assert!((a.v - b.v).abs() < 1e-12 * b.v.abs().max(1.0), "{theta:?}: {} vs {}", a.v, b.v);
                for i in 0..4 {
                    assert!((a.d[i] - b.d[i]).abs() < 1e-10 * b.d[i].abs().max(1.0), "{theta:?} d{i}: {} vs {}", a.d[i], b.d[i]);
                }
            }
        }
    }

    #[test]
    fn expected_purchases_match_the_mean_of_the_pmf() {
        // The closed-form mean must equal Σ n·P(n) of the (independently derived) pmf, which
        // must sum to 1.
        for modified in [false, true] {
            let (x, tx, t, h) = (2.0, 30.43, 38.86, 39.0);
            let e = CDNOW.expected(modified, x, tx, t, h).unwrap();
            let by_pmf: f64 = (0..400).map(|n| f64::from(n) * CDNOW.prob_n(modified, x, tx, t, h, n).unwrap()).sum();
            assert!((e - by_pmf).abs() < 1e-9 * e, "{modified}: {e} vs {by_pmf}");
            let total: f64 = (0..400).map(|n| CDNOW.prob_n(modified, x, tx, t, h, n).unwrap()).sum();
            assert!((total - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn quadrature_agrees_with_the_closed_form_and_covers_a_plus_b_below_one() {
        let cases = [
            (BetaGeoParams { a: 0.6, b: 0.9, ..CDNOW }, 0.0, 0.0, 20.0),
            (CDNOW, 3.0, 10.0, 38.0),
            (BetaGeoParams { a: 3.0, b: 0.2, ..CDNOW }, 1.0, 4.0, 5.0),
        ];
        for (p, x, tx, t) in cases {
            for modified in [false, true] {
                let closed = p.expected(modified, x, tx, t, 30.0).unwrap();
                let quad = p.expected_by_quadrature(modified, x, t, 30.0) * p.p_alive(modified, x, tx, t);
                assert!((closed - quad).abs() < 1e-9 * closed, "{p:?} {modified}: {closed} vs {quad}");
            }
        }
        // x = 0 with a + b < 1 (c ≤ 0): finite, and the mean of the pmf.
        let p = BetaGeoParams { r: 0.4, alpha: 3.0, a: 0.3, b: 0.4 };
        for h in [1.0, 50.0] {
            let e = p.expected(false, 0.0, 0.0, 40.0, h).unwrap();
            let pmf: Vec<f64> = (0..1500).map(|n| p.prob_n(false, 0.0, 0.0, 40.0, h, n).unwrap()).collect();
            let mean: f64 = pmf.iter().enumerate().map(|(n, q)| n as f64 * q).sum();
            assert!((pmf.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            assert!(e.is_finite() && e > 0.0 && (e - mean).abs() < 1e-7 * e, "{h}: {e} vs {mean}");
        }
    }

    #[test]
    fn a_equal_to_one_is_the_limit() {
        let p = |a: f64| BetaGeoParams { a, ..CDNOW };
        let at = p(1.0).expected(false, 3.0, 10.0, 20.0, 15.0).unwrap();
        let near = p(1.0 + 1e-9).expected(false, 3.0, 10.0, 20.0, 15.0).unwrap();
        assert!(at.is_finite() && (at - near).abs() < 1e-7 * at);
    }
}

#[cfg(test)]
mod concentrated_beta {
    use super::*;

    /// Drop-out odds alike for every customer (a, b large, as a fit at the boundary gives): the
    /// expectation tends to the one at the mean drop-out probability, and the integral agrees with
    /// the ₂F₁ series where both are accurate.
    #[test]
    fn expected_purchases_stay_right_when_the_beta_is_concentrated() {
        let (r, alpha, t, horizon) = (0.65, 2.1, 60.0, 52.0);
        let k = horizon / (alpha + t);
        for (a, b) in [(1.0e4, 4.0e4), (2.0e6, 9.0e6), (3.3e6, 4.2e7), (1.0e4, 1.0)] {
            let p = BetaGeoParams { r, alpha, a, b };
            for x in [0.0, 3.0, 20.0] {
                let q = a / (a + b + x);
                let at_mean = -(-(r + x) * (q * k).ln_1p()).exp_m1() / q;
                let e = p.expected_if_alive(false, x, t, horizon).unwrap();
                assert!((e - at_mean).abs() < 2e-4 * at_mean, "a={a} b={b} x={x}: {e} vs {at_mean}");
            }
        }
        for (a, b) in [(50.0, 200.0), (60.0, 55.0), (200.0, 5.0), (60.0, 2.0), (30.0, 1.0e5)] {
            let p = BetaGeoParams { r, alpha, a, b };
            for x in [0.0, 3.0, 20.0] {
                let c = a + b + x - 1.0;
                let z = horizon / (alpha + t + horizon);
                let series = c * special::beta_geo_bracket(a + b - 1.0 - r, a - 1.0, c, z).unwrap();
                let window = p.expected_by_beta_window(false, x, t, horizon);
                assert!((series - window).abs() < 1e-9 * series, "a={a} b={b} x={x}: {series} vs {window}");
            }
        }
    }
}
