//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader, Hardie & Lee's 2005
//! note): the likelihood, its fit, and the per-customer predictions including DERT.
//!
//! Purchases at rate λ ~ Gamma(r, α) while alive; lifetimes exponential with rate μ ~ Gamma(s, β).
//! L = Γ(r+x)α^rβ^s/Γ(r) · [(α+T)^{−(r+x)}(β+T)^{−s} + s/(r+s+x) · A₀], with
//! A₀ = F(t_x) − F(T) and F(τ) = ₂F₁(r+s+x, b₂; r+s+x+1; |α−β|/(m+τ)) / (m+τ)^{r+s+x}, where
//! m = max(α, β) and b₂ = s+1 (α ≥ β) or r+x (α < β), so that z ∈ [0, 1). The ₂F₁ is summed in its
//! Euler form (1−z)^{1−b₂} ₂F₁(1, r+s+x+1−b₂; r+s+x+1; z), whose terms are positive and shrink by
//! at least z each; α = β gives z = 0 exactly and t_x = T gives A₀ = 0 (no subtraction). Where
//! z > 0.9 (very different α and β) A₀ comes from Gauss-Legendre quadrature of its integral
//! instead, ∫_{t_x}^{T} (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ · (r+s+x).

use super::special::{self, Dual, MAX_TERMS};
use super::{ln_nb, logistic_neg, param_array, prob, run_fit, Fit, FitObserver, FitOptions, LogMap, Problem, Tuples};
use crate::error::{Error, ErrorCode, Result, Warning};
use crate::summary::TimeUnit;
use serde::Serialize;

/// Pareto/NBD parameters: r, α (purchase rate ~ Gamma(r, α)) and s, β (drop-out rate ~ Gamma(s, β)),
/// α and β in the time unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ParetoParams {
    pub r: f64,
    pub alpha: f64,
    pub s: f64,
    pub beta: f64,
}

super::param_set!(ParetoParams { r, alpha, s, beta });

/// ln F(τ) (see the module doc), with `lo`/`hi` = min/max(α, β).
fn ln_f(rsx: Dual, b2: Dual, lo: Dual, hi: Dual, tau: f64) -> Result<Dual> {
    let ln_hi = (hi + tau).ln();
    let ln_one_minus_z = (lo + tau).ln() - ln_hi;
    let z = (hi - lo) / (hi + tau);
    let q = rsx + 1.0 - b2;
    let c = rsx + 1.0;
    // G = Σ tₙ, tₙ = tₙ₋₁·(q+n−1)/(c+n−1)·z, summed in plain numbers with the derivatives of
    // ln tₙ: ∂/∂q = Σ_{k<n} 1/(q+k), ∂/∂c = −Σ_{k<n} 1/(c+k), ∂/∂z = n/z (kept as n·tₙ/z, which
    // stays finite at z = 0); the chain rule to the parameters is applied once at the end.
    let (qv, cv, zv) = (q.v, c.v, z.v);
    let (mut term, mut sum, mut sum_q, mut sum_c, mut sum_z) = (1.0, 1.0, 0.0, 0.0, 0.0);
    let (mut dq, mut dc) = (0.0, 0.0);
    let mut converged = false;
    for n in 0..MAX_TERMS {
        let m = n as f64;
        let ratio = (qv + m) / (cv + m);
        let over_z = term * ratio;
        term = over_z * zv;
        dq += 1.0 / (qv + m);
        dc -= 1.0 / (cv + m);
        sum += term;
        sum_q += term * dq;
        sum_c += term * dc;
        sum_z += over_z * (m + 1.0);
        if term <= 1e-17 * sum * (1.0 - zv) {
            converged = true;
            break;
        }
    }
    if !converged {
        return Err(special::series_limit("the Pareto/NBD likelihood (2F1)"));
    }
    let mut d = [0.0; special::NPAR];
    for (slot, ((q_d, c_d), z_d)) in d.iter_mut().zip(q.d.iter().zip(&c.d).zip(&z.d)) {
        *slot = (sum_q * q_d + sum_c * c_d + sum_z * z_d) / sum;
    }
    let ln_g = Dual { v: sum.ln(), d };
    Ok((Dual::cst(1.0) - b2) * ln_one_minus_z + ln_g - rsx * ln_hi)
}

/// Above this z the ₂F₁ series (terms shrinking like zⁿ) gives way to quadrature.
const SERIES_MAX_Z: f64 = 0.9;

/// ln[β^s ∫_{t_x}^{T} (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ] = ln[β^s A₀/(r+s+x)], by Gauss-Legendre
/// in u = ln((k+τ)/(k+t_x)), k = min(α, β) (the integrand is smooth and nearly exponential in u);
/// the substitution does not depend on the parameters, so the dual derivatives are those of the
/// integral. β^s is taken inside as (1 + τ/β)^{−(s+1)}/β, which stays exact as s and β grow
/// together (the limit is e^{−μτ}/β with μ = s/β: exponential lifetimes at one rate). Panels are at
/// most 1 wide in u and narrow enough that the integrand falls by at most e⁴ across one (at least
/// 16, at most 1024). Agrees with the series to about 1e-13.
fn ln_death_integral(rx: Dual, s1: Dual, alpha: Dual, beta: Dual, tx: f64, t: f64) -> Dual {
    let k = alpha.v.min(beta.v);
    let base = k + tx;
    let top = ((k + t) / base).ln();
    // The steepest slope of the log-integrand in u (at τ = T, where (k+τ)/(α+τ) and (k+τ)/(β+τ) are largest).
    let slope = rx.v * (k + t) / (alpha.v + t) + s1.v * (k + t) / (beta.v + t) + 1.0;
    let panels = ((top * slope.max(4.0) / 4.0).ceil() as usize).clamp(16, 1024);
    // ln of each node's term in plain numbers; the derivatives of a term's log with respect to
    // (r+x, s+1, α, β) are (−ln(α+τ), −ln(1+τ/β), −(r+x)/(α+τ), (s+1)·τ/(β(β+τ))).
    let mut nodes = Vec::with_capacity(panels.saturating_mul(8));
    special::for_each_gauss_legendre_node(0.0, top, panels, |u, weight| {
        let jacobian = base * u.exp();
        let tau = jacobian - k;
        let (la, lb) = ((alpha.v + tau).ln(), (tau / beta.v).ln_1p());
        let log = -rx.v * la - s1.v * lb + (weight * jacobian).ln();
        nodes.push((log, [-la, -lb, -rx.v / (alpha.v + tau), s1.v * tau / (beta.v * (beta.v + tau))]));
    });
    let max = nodes.iter().fold(f64::NEG_INFINITY, |m, n| m.max(n.0));
    let (mut sum, mut grad) = (0.0, [0.0; 4]);
    for (log, g) in &nodes {
        let e = (log - max).exp();
        sum += e;
        for (acc, gi) in grad.iter_mut().zip(g) {
            *acc += e * gi;
        }
    }
    let mut d = [0.0; special::NPAR];
    let [g_rx, g_s1, g_alpha, g_beta] = grad;
    for (slot, (((rx_d, s1_d), alpha_d), beta_d)) in d.iter_mut().zip(rx.d.iter().zip(&s1.d).zip(&alpha.d).zip(&beta.d)) {
        *slot = (g_rx * rx_d + g_s1 * s1_d + g_alpha * alpha_d + g_beta * beta_d) / sum;
    }
    Dual { v: sum.ln() + max, d } - beta.ln()
}

/// ln(1 + τ/β) as a dual in β (exact for β ≫ τ, where ln(β+τ) − ln β cancels).
fn ln1p_over(tau: f64, beta: Dual) -> Dual {
    let mut d = [0.0; special::NPAR];
    let slope = -tau / (beta.v * (beta.v + tau));
    for (slot, beta_d) in d.iter_mut().zip(&beta.d) {
        *slot = beta_d * slope;
    }
    Dual { v: (tau / beta.v).ln_1p(), d }
}

/// The total log-likelihood of `tuples` at p = [r, α, s, β] (duals).
/// Each customer's term is computed with β^s taken in, as −s·ln(1 + T/β) for the alive part and
/// (1 + τ/β)^{−(s+1)}/β in the death integral, so that the likelihood stays exact when s and β
/// grow together (no s·ln β − s·ln(β+T) cancelling at s = 1e9).
pub(crate) fn loglik(tuples: &Tuples, p: &[Dual]) -> Result<Dual> {
    let [r, alpha, s, beta] = param_array(p)?;
    let base = r * alpha.ln() - r.lgamma();
    let s_ln_beta = s * beta.ln();
    let ln_s = s.ln();
    let (lo, hi, alpha_high) = if alpha.v >= beta.v { (beta, alpha, true) } else { (alpha, beta, false) };
    // Per distinct time: (ln(α + time), ln(1 + time/β)); NaN for an index outside the times (never:
    // [`Tuples`] indexes its own times), which makes the likelihood NaN, that is +∞ to the optimiser.
    let alive_at: Vec<(Dual, Dual)> = tuples.times.iter().map(|t| ((alpha + *t).ln(), ln1p_over(*t, beta))).collect();
    let outside = (Dual::cst(f64::NAN), Dual::cst(f64::NAN));
    let mut total = Dual::cst(0.0);
    let mut weight = 0.0;
    // (run number, F(τ)) per distinct time value.
    let mut memo: Vec<(usize, Dual)> = vec![(usize::MAX, Dual::cst(0.0)); tuples.times.len()];
    for (run_id, run) in tuples.runs().enumerate() {
        let x = run.x;
        let rx = r + x;
        let rsx = rx + s;
        let b2 = if alpha_high { s + 1.0 } else { rx };
        let share = ln_s - rsx.ln() + s_ln_beta;
        let mut sum = Dual::cst(0.0);
        let mut run_weight = 0.0;
        // F(τ) depends on x and τ only: computed once per time value within the run.
        let mut f_at = |idx: usize, tau: f64| -> Result<Dual> {
            match memo.get(idx) {
                Some((stamp, f)) if *stamp == run_id => Ok(*f),
                _ => {
                    let f = ln_f(rsx, b2, lo, hi, tau)?;
                    if let Some(slot) = memo.get_mut(idx) {
                        *slot = (run_id, f);
                    }
                    Ok(f)
                }
            }
        };
        let rows = run.tx.iter().zip(run.t).zip(run.w).zip(run.ti).zip(run.txi);
        for ((((&tx, &t), &w), &ti), &txi) in rows {
            let (ln_alpha, ln1p_beta) = alive_at.get(ti).unwrap_or(&outside);
            let alive = -(rx * *ln_alpha) - s * *ln1p_beta;
            // z is largest at τ = t_x; near 1 the series is slow, so integrate instead.
            let z_max = (hi.v - lo.v) / (hi.v + tx);
            let term = if tx < t && z_max > SERIES_MAX_Z {
                alive.log_add_exp(ln_s + ln_death_integral(rx, s + 1.0, alpha, beta, tx, t))
            } else if tx < t {
                let f_tx = f_at(txi, tx)?;
                let gap = f_at(ti, t)? - f_tx;
                if gap.v < 0.0 {
                    alive.log_add_exp(share + f_tx + (-gap.exp_m1()).ln())
                } else {
                    alive
                }
            } else {
                alive
            };
            sum = sum + term * w;
            run_weight += w;
        }
        total = total + sum + rx.lgamma() * run_weight;
        weight += run_weight;
    }
    Ok(total + base * weight)
}

/// Above this s (with β growing alike) the drop-out rate is the same for every customer to within
/// 0.1 % (the Gamma's coefficient of variation is 1/√s): the fit has reached the exponential-lifetime
/// limit of the model.
const HOMOGENEOUS_S: f64 = 1e6;

/// The largest s reported at that limit (less when β = s/rate would pass 1e11).
const S_REPORTED: f64 = 1e8;

pub(crate) fn fit(tuples: &Tuples, options: &FitOptions, unit: TimeUnit, observer: &mut FitObserver<'_>) -> Result<Fit<ParetoParams>> {
    let loglik = |p: &[Dual]| loglik(tuples, p);
    let (n, alpha, mt) = tuples.scale();
    let starts = [(1.0, 1.0, 1.0), (0.5, 0.6, 1.2), (0.2, 0.3, 0.3), (2.0, 2.0, 4.0)]
        .iter()
        .map(|&(r, s, beta_ratio)| vec![r, alpha * r, s, (mt * beta_ratio).max(1e-3)])
        .collect();
    // θ = (ln r, ln α, ln s, ln(β/s)): when the data show no heterogeneity in drop-out, s and β
    // grow together with s/β (the mean drop-out rate) fixed, a diagonal ridge in (ln s, ln β) that
    // BFGS crawls along; in these coordinates it is one axis, walked in a few steps.
    let identity = |i: usize, j: usize| if i == j { 1.0 } else { 0.0 };
    let to_log: Vec<Vec<f64>> = (0..4).map(|i| (0..4).map(|j| identity(i, j) + if i == 3 && j == 2 { 1.0 } else { 0.0 }).collect()).collect();
    let from_log: Vec<Vec<f64>> = (0..4).map(|i| (0..4).map(|j| identity(i, j) - if i == 3 && j == 2 { 1.0 } else { 0.0 }).collect()).collect();
    let problem = Problem {
        model: "paretoNbd",
        loglik: &loglik,
        customers: n,
        starts,
        penalty_scale: vec![1.0, tuples.rate_penalty(), 1.0, tuples.rate_penalty()],
        log_map: Some(LogMap { to_log, from_log }),
    };
    let mut fit: Fit<ParetoParams> = run_fit(&problem, options, Some(unit), observer)?;
    let at_limit = fit.params.s > HOMOGENEOUS_S;
    if at_limit {
        // At the limit the likelihood no longer depends on s (beyond 1/s): an s beyond 1e8 (or
        // beyond what keeps β = s/rate below 1e11) is reported there, with the fitted rate s/β and
        // the likelihood at that point. The standard errors of s and β are unbounded: none.
        let rate = fit.params.s / fit.params.beta;
        let cap = (1e11 * rate).clamp(HOMOGENEOUS_S, S_REPORTED);
        if fit.params.s > cap {
            fit.params = ParetoParams { s: cap, beta: cap / rate, ..fit.params };
            fit.log_likelihood = super::finite("a log-likelihood", self::loglik(tuples, &fit.params.duals())?.v)?;
        }
        if fit.std_errors.take().is_some() {
            fit.warnings.push(Warning::new(
                "NO_STANDARD_ERRORS",
                "stdErrors",
                "s and beta are at the limit where only s/beta is identified, so standard errors are not available",
            ));
        }
    }
    let ParetoParams { s, beta, .. } = fit.params;
    if at_limit {
        // One clear warning instead of two about s and β.
        fit.warnings.retain(|w| !(w.code == "PARAMETER_AT_BOUNDARY" && (w.field.as_deref() == Some("params.s") || w.field.as_deref() == Some("params.beta"))));
        fit.warnings.push(Warning::new(
            "PARAMETER_AT_BOUNDARY",
            "params.s",
            format!(
                "s = {s:.4e} and beta = {beta:.4e} grew together: the data show no spread in how fast customers drop out, so the fit is \
                 Pareto/NBD's limit, every customer dropping out at the same rate s/beta = {:.4e} per {}; predictions use that limit",
                s / beta,
                match unit {
                    TimeUnit::Days => "day",
                    TimeUnit::Weeks => "week",
                    TimeUnit::Months => "month",
                }
            ),
        ));
    }
    Ok(fit)
}

impl ParetoParams {
    /// P(alive at T) = (α+T)^{−(r+x)}(β+T)^{−s} / [that + s/(r+s+x)·A₀].
    pub(crate) fn p_alive(&self, x: f64, tx: f64, t: f64) -> Result<f64> {
        let one = Tuples::new(vec![x], vec![tx], vec![t], vec![1.0]);
        let ll = loglik(&one, &self.duals())?.v;
        let ParetoParams { r, alpha, s, beta } = *self;
        let alive = special::lgamma(r + x) - special::lgamma(r) + r * alpha.ln() - (r + x) * (alpha + t).ln() - s * (t / beta).ln_1p();
        // P(alive) = e^{alive − ll}; as a logistic of the log-odds of being dead.
        Ok(logistic_neg((ll - alive).exp_m1().max(0.0).ln()))
    }

    /// E[purchases in (T, T+t] | alive at T] = (r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^{s−1}],
    /// continuous at s = 1; times P(alive) it is the conditional expectation.
    pub(crate) fn expected_if_alive(&self, x: f64, t: f64, horizon: f64) -> f64 {
        let ParetoParams { r, alpha, s, beta } = *self;
        let l = ((beta + t) / (beta + t + horizon)).ln();
        let bracket = -l * special::exprel((s - 1.0) * l);
        ((r + x) * (beta + t) / (alpha + t) * bracket).max(0.0)
    }

    #[cfg(test)]
    fn expected(&self, x: f64, tx: f64, t: f64, horizon: f64) -> Result<f64> {
        Ok(self.expected_if_alive(x, t, horizon) * self.p_alive(x, tx, t)?)
    }

    /// P(n) computing P(alive) first (the tests' entry).
    #[cfg(test)]
    pub(crate) fn prob_n(&self, x: f64, tx: f64, t: f64, horizon: f64, n: u32) -> Result<f64> {
        self.prob_n_given(self.p_alive(x, tx, t)?, x, t, horizon, n)
    }

    /// P(exactly n purchases in (T, T+t]): dead at T (n = 0 only), or alive with λ ~ Gamma(r+x, α+T)
    /// and μ ~ Gamma(s, β+T): alive throughout (prob ((β+T)/(β+T+t))^s) with an NB count over t,
    /// or dying at τ ∈ (0, t) (density s(β+T)^s/(β+T+τ)^{s+1}) with an NB count over τ; the last
    /// part by Gauss-Legendre quadrature. For n = 0 the alive part is in closed form instead: from T
    /// on, an alive customer is a fresh Pareto/NBD customer with parameters (r+x, α+T, s, β+T), and
    /// P(no purchase in (T, T+t]) is that customer's likelihood of (x, t_x, T) = (0, 0, t), one
    /// likelihood term rather than hundreds of quadrature nodes.
    /// `alive` is the customer's P(alive).
    pub(crate) fn prob_n_given(&self, alive: f64, x: f64, t: f64, horizon: f64, n: u32) -> Result<f64> {
        let ParetoParams { r, alpha, s, beta } = *self;
        if n == 0 && horizon > 0.0 {
            let from_t = ParetoParams { r: r + x, alpha: alpha + t, s, beta: beta + t };
            let quiet = Tuples::new(vec![0.0], vec![0.0], vec![horizon], vec![1.0]);
            let none_if_alive = loglik(&quiet, &from_t.duals())?.v.exp();
            return Ok(prob(1.0 - alive + alive * none_if_alive));
        }
        let dead = if n == 0 { 1.0 - alive } else { 0.0 };
        let nf = f64::from(n);
        let nb = |tau: f64| -> f64 {
            if tau == 0.0 {
                return if n == 0 { 1.0 } else { 0.0 };
            }
            let total = alpha + t + tau;
            ln_nb(r + x, nf, ((alpha + t) / total).ln(), (tau / total).ln()).exp()
        };
        if horizon == 0.0 {
            return Ok(prob(dead + alive * nb(0.0)));
        }
        let survive = ((beta + t) / (beta + t + horizon)).powf(s);
        let death = |tau: f64| s / (beta + t + tau) * ((beta + t) / (beta + t + tau)).powf(s) * nb(tau);
        let dying = special::integrate_log_spaced(horizon, (alpha + t).min(beta + t).max(1e-9 * horizon), death);
        Ok(prob(dead + alive * (survive * nb(horizon) + dying)))
    }

    /// DERT: discounted expected residual transactions, ∫_T^∞ e^{−δ(τ−T)} E[purchase rate at τ] dτ,
    /// with δ the continuous discount rate per time unit (Fader, Hardie & Lee 2005):
    /// P(alive)·(r+x)/(α+T)·E[1/(δ+μ)], μ ~ Gamma(s, β+T), and
    /// E[1/(δ+μ)] = (β+T)^s δ^{s−1} U(s, s; δ(β+T)) = (β+T)^s δ^{s−1} e^{δ(β+T)} Γ(1−s, δ(β+T)).
    pub(crate) fn dert(&self, x: f64, tx: f64, t: f64, delta: f64) -> Result<f64> {
        self.dert_given(self.p_alive(x, tx, t)?, x, t, delta)
    }

    /// [`Self::dert`] for a customer whose P(alive) is known.
    pub(crate) fn dert_given(&self, alive: f64, x: f64, t: f64, delta: f64) -> Result<f64> {
        let ParetoParams { r, alpha, s, beta } = *self;
        if !(delta.is_finite() && delta > 0.0) {
            let e = Error::new(ErrorCode::OutOfRange, format!("the discount rate for DERT must be > 0 (got {delta})"));
            return Err(e.with_field("discountRate"));
        }
        let z = delta * (beta + t);
        let ln_u = s * (beta + t).ln() + (s - 1.0) * delta.ln() + z + special::ln_upper_gamma_cf(1.0 - s, z)?;
        Ok(alive * (r + x) / (alpha + t) * ln_u.exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CDNOW: ParetoParams = ParetoParams { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 };

    #[test]
    fn likelihood_gradient_matches_finite_differences_on_both_branches() {
        let tuples = Tuples::new(vec![0.0, 0.0, 2.0, 7.0], vec![0.0, 0.0, 30.4, 20.0], vec![38.0, 30.0, 38.9, 20.0], vec![3.0, 1.0, 1.0, 2.0]);
        for theta in [[-0.6, 2.36, -0.5, 2.46], [-0.6, 2.9, -0.5, 1.2], [0.1, 1.0, 0.2, 1.0]] {
            let g = loglik(&tuples, &super::super::dual_params(&theta)).unwrap();
            for i in 0..4 {
                let at = |d: f64| {
                    let mut t = theta;
                    t[i] += d;
                    loglik(&tuples, &super::super::dual_params(&t)).unwrap().v
                };
                let fd = (at(1e-6) - at(-1e-6)) / 2e-6;
                assert!((g.d[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()), "{theta:?} {i}: {} vs {fd}", g.d[i]);
            }
        }
    }

    #[test]
    fn quadrature_matches_the_series_and_handles_z_near_one() {
        let p = dual_like(&[-0.6, 2.36, -0.5, 4.0]);
        let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
        for (x, tx, t) in [(0.0, 0.0, 30.0), (2.0, 5.0, 40.0), (10.0, 20.0, 21.0)] {
            let rx = r + x;
            let rsx = rx + s;
            let (lo, hi) = if alpha.v >= beta.v { (beta, alpha) } else { (alpha, beta) };
            let b2 = if alpha.v >= beta.v { s + 1.0 } else { rx };
            let f1 = ln_f(rsx, b2, lo, hi, tx).unwrap();
            let f2 = ln_f(rsx, b2, lo, hi, t).unwrap();
            let series = f1 + (-(f2 - f1).exp_m1()).ln() - rsx.ln();
            let quad = ln_death_integral(rx, s + 1.0, alpha, beta, tx, t) - s * beta.ln();
            assert!((series.v - quad.v).abs() < 1e-12, "{x}: {} vs {}", series.v, quad.v);
            for i in 0..4 {
                assert!((series.d[i] - quad.d[i]).abs() < 1e-10 * (1.0 + series.d[i].abs()), "{x} d{i}");
            }
        }
        // β ≫ α makes z ≈ 1 at t_x = 0: the fit's likelihood stays quick and finite.
        let one = Tuples::new(vec![0.0, 3.0], vec![0.0, 2.0], vec![300.0, 300.0], vec![1.0, 1.0]);
        let ll = loglik(&one, &ParetoParams { r: 0.5, alpha: 0.01, s: 0.7, beta: 5e4 }.duals()).unwrap();
        assert!(ll.v.is_finite() && ll.d.iter().all(|d| d.is_finite()));
    }

    fn dual_like(theta: &[f64]) -> Vec<Dual> {
        super::super::dual_params(theta)
    }

    #[test]
    fn likelihood_is_continuous_across_alpha_equal_beta() {
        let one = Tuples::new(vec![3.0], vec![12.0], vec![30.0], vec![1.0]);
        let ll = |a: f64, b: f64| loglik(&one, &ParetoParams { alpha: a, beta: b, ..CDNOW }.duals()).unwrap().v;
        let eq = ll(10.0, 10.0);
        assert!((eq - ll(10.0 + 1e-9, 10.0)).abs() < 1e-8 && (eq - ll(10.0, 10.0 + 1e-9)).abs() < 1e-8);
        // At α = β: s·A₀/(r+s+x) = s/(r+s+x) · [(α+t_x)^{−(r+s+x)} − (α+T)^{−(r+s+x)}].
        let (r, s, a) = (CDNOW.r, CDNOW.s, 10.0_f64);
        let rsx = r + s + 3.0;
        let direct = special::lgamma(r + 3.0) - special::lgamma(r) + r * a.ln() + s * a.ln()
            + ((a + 30.0f64).powf(-rsx) + s / rsx * ((a + 12.0f64).powf(-rsx) - (a + 30.0f64).powf(-rsx))).ln();
        assert!((eq - direct).abs() < 1e-12, "{eq} vs {direct}");
    }

    #[test]
    fn no_purchase_in_closed_form_matches_the_quadrature() {
        // The n = 0 quadrature (alive throughout, or dying at τ with no purchase before), against
        // the closed form, across α < β, α = β, α > β, a new customer and a heavy buyer.
        let quadrature = |p: &ParetoParams, x: f64, t: f64, h: f64| {
            let ParetoParams { r, alpha, s, beta } = *p;
            let none = |tau: f64| ((alpha + t) / (alpha + t + tau)).powf(r + x);
            let survive = ((beta + t) / (beta + t + h)).powf(s);
            let death = |tau: f64| s / (beta + t + tau) * ((beta + t) / (beta + t + tau)).powf(s) * none(tau);
            survive * none(h) + special::integrate_log_spaced(h, (alpha + t).min(beta + t).max(1e-9 * h), death)
        };
        let params = [CDNOW, ParetoParams { alpha: 10.0, beta: 10.0, ..CDNOW }, ParetoParams { r: 2.0, alpha: 50.0, s: 3.0, beta: 5.0 }];
        for p in &params {
            for (x, tx, t, h) in [(0.0, 0.0, 0.0, 39.0), (2.0, 30.43, 38.86, 39.0), (40.0, 70.0, 78.0, 4.3), (1.0, 5.0, 200.0, 520.0)] {
                let alive = p.p_alive(x, tx, t).unwrap();
                let closed = p.prob_n_given(alive, x, t, h, 0).unwrap();
                let numeric = 1.0 - alive + alive * quadrature(p, x, t, h);
                assert!((closed - numeric).abs() < 1e-10, "{p:?} {x} {tx} {t} {h}: {closed} vs {numeric}");
            }
        }
    }

    #[test]
    fn expectations_match_the_pmf_and_dert_matches_integration() {
        let (x, tx, t, h) = (2.0, 30.43, 38.86, 39.0);
        let e = CDNOW.expected(x, tx, t, h).unwrap();
        let pmf: Vec<f64> = (0..300).map(|n| CDNOW.prob_n(x, tx, t, h, n).unwrap()).collect();
        let mean: f64 = pmf.iter().enumerate().map(|(n, p)| n as f64 * p).sum();
        assert!((pmf.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!((e - mean).abs() < 1e-8 * e, "{e} vs {mean}");
        // DERT = ∫₀^∞ e^{−δτ} dE[X(T, T+τ)]/dτ dτ, by quadrature of the derivative of `expected`.
        let delta = 0.05;
        let rate = |tau: f64| {
            let ParetoParams { r, alpha, s, beta } = CDNOW;
            (r + x) / (alpha + t) * ((beta + t) / (beta + t + tau)).powf(s) * CDNOW.p_alive(x, tx, t).unwrap()
        };
        let numeric = special::integrate_log_spaced(1e5, 10.0, |tau| (-delta * tau).exp() * rate(tau));
        let closed = CDNOW.dert(x, tx, t, delta).unwrap();
        assert!((numeric - closed).abs() < 1e-8 * closed, "{numeric} vs {closed}");
    }
}
