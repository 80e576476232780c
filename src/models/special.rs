//! Special functions for the models: log-gamma, digamma, log-beta, log-sum-exp (on duals), the Gauss
//! hypergeometric series, the upper incomplete gamma, and a forward-mode dual number for gradients.
//!
//! Every series here has a term cap: hitting it is a `SERIES_LIMIT` error, never a silently
//! truncated sum.

use crate::error::{Error, ErrorCode, Result};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// Most terms any series here may sum before giving up with `SERIES_LIMIT`.
pub(crate) const MAX_TERMS: usize = 1_000_000;

/// ln Γ(x) for x > 0.
pub(crate) fn lgamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// ln B(a, b) for a, b > 0.
pub(crate) fn lbeta(a: f64, b: f64) -> f64 {
    lgamma(a) + lgamma(b) - lgamma(a + b)
}

/// ψ(x), the derivative of ln Γ, for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10,
/// then the asymptotic series to the x⁻¹² term (truncation error below 1e-16 there).
pub(crate) fn digamma(mut x: f64) -> f64 {
    let mut shift = 0.0;
    while x < 10.0 {
        shift -= 1.0 / x;
        x += 1.0;
    }
    let inv2 = 1.0 / (x * x);
    let tail = inv2
        * (1.0 / 12.0 - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 * (1.0 / 132.0 - inv2 * 691.0 / 32760.0)))));
    shift + x.ln() - 0.5 / x - tail
}

/// (e^y − 1) / y, 1 at y = 0: the factor that turns (1 − e^{εL})/ε into a stable expression as ε → 0.
pub(crate) fn exprel(y: f64) -> f64 {
    if y.abs() < 1e-8 {
        1.0 + y / 2.0
    } else {
        y.exp_m1() / y
    }
}

pub(crate) fn series_limit(what: &str) -> Error {
    Error::new(
        ErrorCode::SeriesLimit,
        format!("the series for {what} did not converge within {MAX_TERMS} terms; the parameters or inputs are too extreme"),
    )
}

/// The bracket of the beta-geometric expected-purchases formulas divided by ε = a − 1:
///
/// `[1 − (1−z)^ε · ₂F₁(A, ε; c; z)] / ε`, with L = ln(1 − z),
///
/// written as `−L·exprel(εL) − (1−z)^ε · K` where ₂F₁(A, ε; c; z) = 1 + ε·K and
/// `K = Σ_{n≥1} (A)_n (ε+1)_{n−1} / ((c)_n n!) zⁿ`, so a = 1 (ε = 0) is its limit, not a 0/0.
/// Needs 0 ≤ z < 1 and c > 0; terms may alternate in sign (A or ε negative), the sum stops when a
/// term is below 1e-16·(1 − z) of the running sum (which bounds the tail once the terms shrink).
pub(crate) fn beta_geo_bracket(big_a: f64, eps: f64, c: f64, z: f64) -> Result<f64> {
    let l = (-z).ln_1p();
    let mut term = big_a * z / c;
    let mut k = 0.0;
    let mut n = 1.0;
    for _ in 0..MAX_TERMS {
        k += term;
        let ratio = (big_a + n) * (eps + n) * z / ((c + n) * (n + 1.0));
        if term == 0.0 || term.abs() <= 1e-16 * (1.0 - z) * k.abs() && ratio.abs() < 1.0 {
            return Ok(-l * exprel(eps * l) - (eps * l).exp() * k);
        }
        term *= ratio;
        n += 1.0;
    }
    Err(series_limit("expected purchases (2F1)"))
}

/// ln Γ(a, z), the upper incomplete gamma, for z > 0 and any real a, by the Legendre continued
/// fraction (modified Lentz): Γ(a, z) = e^{−z} z^a / (z + 1 − a − 1(1−a)/(z + 3 − a − ...)).
pub(crate) fn ln_upper_gamma_cf(a: f64, z: f64) -> Result<f64> {
    const TINY: f64 = 1e-300;
    let mut b = z + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..MAX_TERMS {
        let i = i as f64;
        let an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            return Ok(-z + a * z.ln() + h.ln());
        }
    }
    Err(series_limit("the incomplete gamma function (DERT)"))
}

/// 8-point Gauss-Legendre nodes and weights on [−1, 1] (the positive half).
const GL_NODES: [f64; 4] = [0.183_434_642_495_649_8, 0.525_532_409_916_329, 0.796_666_477_413_626_7, 0.960_289_856_497_536_3];
const GL_WEIGHTS: [f64; 4] = [0.362_683_783_378_362, 0.313_706_645_877_887_3, 0.222_381_034_453_374_5, 0.101_228_536_290_376_3];

/// Calls `f(node, weight)` for 8-point Gauss-Legendre on `panels` equal panels of [lo, hi].
pub(crate) fn for_each_gauss_legendre_node(lo: f64, hi: f64, panels: usize, mut f: impl FnMut(f64, f64)) {
    let width = (hi - lo) / panels as f64;
    for panel in 0..panels {
        let mid = lo + (panel as f64 + 0.5) * width;
        for (node, weight) in GL_NODES.iter().zip(GL_WEIGHTS) {
            f(mid - node * width / 2.0, weight * width / 2.0);
            f(mid + node * width / 2.0, weight * width / 2.0);
        }
    }
}

/// ∫ₗₒ^ₕᵢ f by 8-point Gauss-Legendre on 48 equal panels (smooth integrands: error far below 1e-12).
pub(crate) fn gauss_legendre(lo: f64, hi: f64, f: impl Fn(f64) -> f64) -> f64 {
    let mut total = 0.0;
    for_each_gauss_legendre_node(lo, hi, 48, |u, w| total += w * f(u));
    total
}

/// ∫₀^ₕᵢ f by 8-point Gauss-Legendre on panels that halve towards 0 ([hi/2, hi], [hi/4, hi/2], …,
/// 60 of them): for integrands smooth except for a fractional power at 0.
pub(crate) fn gauss_legendre_graded(hi: f64, f: impl Fn(f64) -> f64) -> f64 {
    let mut total = 0.0;
    let mut top = hi;
    for _ in 0..60 {
        let bottom = top / 2.0;
        let (mid, half) = ((top + bottom) / 2.0, (top - bottom) / 2.0);
        for (node, weight) in GL_NODES.iter().zip(GL_WEIGHTS) {
            total += weight * half * (f(mid - node * half) + f(mid + node * half));
        }
        top = bottom;
    }
    total
}

/// ∫₀^h f(τ) dτ in u = ln(1 + τ/k) (dense near 0, where the death-time densities peak).
pub(crate) fn integrate_log_spaced(h: f64, k: f64, f: impl Fn(f64) -> f64) -> f64 {
    gauss_legendre(0.0, (h / k).ln_1p(), |u| f(k * u.exp_m1()) * k * u.exp())
}

/// Number of partial derivatives a [`Dual`] carries: the most parameters of any model.
pub(crate) const NPAR: usize = 4;

/// A forward-mode dual number: a value and its partial derivatives with respect to up to
/// [`NPAR`] parameters. The likelihoods are written once over it, so their gradients are exact
/// (analytic) rather than finite differences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Dual {
    pub v: f64,
    pub d: [f64; NPAR],
}

impl Dual {
    pub fn cst(v: f64) -> Self {
        Dual { v, d: [0.0; NPAR] }
    }

    /// The variable number `i`, with value `v`.
    pub fn var(v: f64, i: usize) -> Self {
        let mut d = [0.0; NPAR];
        if let Some(slot) = d.get_mut(i) {
            *slot = 1.0;
        }
        Dual { v, d }
    }

    fn chain(self, v: f64, dv: f64) -> Self {
        Dual { v, d: self.d.map(|x| x * dv) }
    }

    pub fn ln(self) -> Self {
        self.chain(self.v.ln(), 1.0 / self.v)
    }

    pub fn exp(self) -> Self {
        let e = self.v.exp();
        self.chain(e, e)
    }

    pub fn exp_m1(self) -> Self {
        self.chain(self.v.exp_m1(), self.v.exp())
    }

    /// ln(1 + self).
    pub fn ln_1p(self) -> Self {
        self.chain(self.v.ln_1p(), 1.0 / (1.0 + self.v))
    }

    pub fn lgamma(self) -> Self {
        self.chain(lgamma(self.v), digamma(self.v))
    }

    /// ln(e^self + e^other).
    pub fn log_add_exp(self, other: Dual) -> Self {
        let (hi, lo) = if self.v >= other.v { (self, other) } else { (other, self) };
        hi + (lo - hi).exp().ln_1p()
    }
}

/// ln B(a, b) of duals.
pub(crate) fn lbeta_d(a: Dual, b: Dual) -> Dual {
    a.lgamma() + b.lgamma() - (a + b).lgamma()
}

impl Add for Dual {
    type Output = Dual;
    fn add(self, o: Dual) -> Dual {
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d) {
            *x += y;
        }
        Dual { v: self.v + o.v, d }
    }
}

impl Sub for Dual {
    type Output = Dual;
    fn sub(self, o: Dual) -> Dual {
        self + (-o)
    }
}

impl Neg for Dual {
    type Output = Dual;
    fn neg(self) -> Dual {
        Dual { v: -self.v, d: self.d.map(|x| -x) }
    }
}

impl Mul for Dual {
    type Output = Dual;
    fn mul(self, o: Dual) -> Dual {
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d) {
            *x = *x * o.v + self.v * y;
        }
        Dual { v: self.v * o.v, d }
    }
}

impl Div for Dual {
    type Output = Dual;
    fn div(self, o: Dual) -> Dual {
        let inv = 1.0 / o.v;
        let v = self.v * inv;
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d) {
            *x = (*x - v * y) * inv;
        }
        Dual { v, d }
    }
}

impl Add<f64> for Dual {
    type Output = Dual;
    fn add(self, o: f64) -> Dual {
        Dual { v: self.v + o, d: self.d }
    }
}

impl Sub<f64> for Dual {
    type Output = Dual;
    fn sub(self, o: f64) -> Dual {
        Dual { v: self.v - o, d: self.d }
    }
}

impl Mul<f64> for Dual {
    type Output = Dual;
    fn mul(self, o: f64) -> Dual {
        Dual { v: self.v * o, d: self.d.map(|x| x * o) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digamma_matches_known_values() {
        // ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ(10) = H_9 − γ.
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-14);
        assert!((digamma(0.5) + euler + 2.0 * 2f64.ln()).abs() < 1e-14);
        let h9: f64 = (1..10).map(|k| 1.0 / f64::from(k)).sum();
        assert!((digamma(10.0) - (h9 - euler)).abs() < 1e-14);
        // Derivative of lgamma by central differences.
        for x in [0.03, 0.7, 3.3, 45.0, 1e4] {
            let h = 1e-5 * x;
            let fd = (lgamma(x + h) - lgamma(x - h)) / (2.0 * h);
            assert!((digamma(x) - fd).abs() < 1e-6 * (1.0 + fd.abs()), "x={x}");
        }
    }

    #[test]
    fn bracket_matches_direct_series_and_limit() {
        // Direct: [1 − (1−z)^ε ₂F₁(A, ε; c; z)]/ε with a plain series, away from ε = 0.
        let direct = |a: f64, e: f64, c: f64, z: f64| {
            let (mut s, mut t) = (1.0, 1.0);
            for n in 0..2000 {
                let n = f64::from(n);
                t *= (a + n) * (e + n) * z / ((c + n) * (n + 1.0));
                s += t;
            }
            (1.0 - (1.0 - z).powf(e) * s) / e
        };
        for (a, e, c, z) in [(1.3, -0.2, 3.1, 0.4), (-0.5, 0.7, 12.0, 0.9), (2.0, 1.5, 2.5, 0.05)] {
            let got = beta_geo_bracket(a, e, c, z).unwrap();
            let want = direct(a, e, c, z);
            assert!((got - want).abs() < 1e-12 * want.abs(), "{got} vs {want}");
        }
        // ε → 0 is continuous.
        let at0 = beta_geo_bracket(1.3, 0.0, 3.1, 0.4).unwrap();
        let near = beta_geo_bracket(1.3, 1e-7, 3.1, 0.4).unwrap();
        assert!((at0 - near).abs() < 1e-6 * at0.abs());
    }

    #[test]
    fn upper_gamma_matches_exponential_integral_and_gamma() {
        // Γ(1, z) = e^{−z}; Γ(0, 1) = E1(1) = 0.21938393439552029.
        assert!((ln_upper_gamma_cf(1.0, 2.5).unwrap() + 2.5).abs() < 1e-13);
        assert!((ln_upper_gamma_cf(0.0, 1.0).unwrap().exp() - 0.219_383_934_395_520_3).abs() < 1e-14);
        // Γ(0.5, z) = √π erfc(√z); erfc(1) = 0.15729920705028513.
        let want = std::f64::consts::PI.sqrt() * 0.157_299_207_050_285_13;
        assert!((ln_upper_gamma_cf(0.5, 1.0).unwrap().exp() - want).abs() < 1e-14);
    }

    #[test]
    fn dual_derivatives_match_finite_differences() {
        let f = |x: Dual, y: Dual| lbeta_d(x, y * x) + (x / y).ln() - (x * y).exp().log_add_exp(y.ln_1p());
        let (x0, y0) = (0.8, 1.7);
        let g = f(Dual::var(x0, 0), Dual::var(y0, 1));
        let v = |x: f64, y: f64| f(Dual::cst(x), Dual::cst(y)).v;
        let h = 1e-6;
        let dx = (v(x0 + h, y0) - v(x0 - h, y0)) / (2.0 * h);
        let dy = (v(x0, y0 + h) - v(x0, y0 - h)) / (2.0 * h);
        assert!((g.d[0] - dx).abs() < 1e-7 && (g.d[1] - dy).abs() < 1e-7, "{:?} {dx} {dy}", g.d);
        let big = Dual::cst(1000.0).log_add_exp(Dual::cst(999.0)).v;
        assert!((big - (1000.0 + (-1f64).exp().ln_1p())).abs() < 1e-12);
        assert_eq!(Dual::cst(f64::NEG_INFINITY).log_add_exp(Dual::cst(3.0)).v, 3.0);
    }
}
