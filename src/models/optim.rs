//! The optimiser of every model fit: BFGS on log-parameters with a backtracking (Armijo) line
//! search, a Nelder-Mead fallback, and the Hessian (forward differences of the analytic gradient).
//!
//! Parameters are optimised as θ = ln(parameter), clamped to ±[`LOG_BOUND`] so that no trial point
//! overflows; a fit that ends on the clamp is reported by the caller as a boundary warning.

use super::special::Dual;
use crate::error::{Error, ErrorCode, Result};

/// |θ| stays within this bound (parameters within e^±25 ≈ 7e10 and 1.4e-11).
pub(crate) const LOG_BOUND: f64 = 25.0;

/// The objective in θ: its value and gradient (minimised).
pub(crate) type Objective<'a> = dyn Fn(&[f64]) -> Result<Dual> + 'a;

/// Hears (iteration, value, largest |gradient|) after each BFGS iteration; false stops the
/// minimisation with `CANCELLED`.
pub(crate) type Watch<'a> = dyn FnMut(u32, f64, f64) -> bool + 'a;

/// `CANCELLED`: a progress observer asked the fit to stop.
pub(crate) fn stopped() -> Error {
    Error::new(ErrorCode::Cancelled, "the fit was stopped by its progress callback")
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Minimum {
    pub theta: Vec<f64>,
    pub value: f64,
    /// The gradient at `theta`.
    pub gradient: Vec<f64>,
    pub gradient_norm: f64,
    pub iterations: u32,
    pub converged: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub max_iterations: u32,
    /// Converged when the largest |∂f/∂θ| is below this.
    pub gradient_tolerance: f64,
}

fn clamp(theta: &mut [f64]) {
    for t in theta {
        *t = t.clamp(-LOG_BOUND, LOG_BOUND);
    }
}

/// Value and gradient, with a non-finite value (or gradient) turned into +∞ so searches back off.
fn eval(f: &Objective<'_>, theta: &[f64]) -> Result<(f64, Vec<f64>)> {
    let d = f(theta)?;
    let grad: Vec<f64> = d.d.iter().take(theta.len()).copied().collect();
    if d.v.is_finite() && grad.iter().all(|g| g.is_finite()) {
        Ok((d.v, grad))
    } else {
        Ok((f64::INFINITY, vec![0.0; theta.len()]))
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// BFGS from `start`; when it stalls short of the tolerance, Nelder-Mead from its best point and
/// BFGS again. Errors only when the objective itself errs (a series cap), or `watch` says stop.
pub(crate) fn minimize(f: &Objective<'_>, start: &[f64], settings: Settings, watch: &mut Watch<'_>) -> Result<Minimum> {
    let mut best = bfgs(f, start, settings, 0, watch)?;
    if !best.converged {
        let polished = nelder_mead(f, &best.theta, settings.max_iterations)?;
        let again = bfgs(f, &polished, settings, best.iterations, watch)?;
        if again.value <= best.value || again.converged {
            best = again;
        }
    }
    Ok(best)
}

fn bfgs(f: &Objective<'_>, start: &[f64], settings: Settings, done: u32, watch: &mut Watch<'_>) -> Result<Minimum> {
    let n = start.len();
    let mut x = start.to_vec();
    clamp(&mut x);
    let (mut fx, mut g) = eval(f, &x)?;
    let identity = |n: usize| -> Vec<Vec<f64>> {
        (0..n).map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect()).collect()
    };
    let mut h = identity(n);
    let mut fresh = true;
    let mut iterations = done;
    let mut flat = 0u32;
    while iterations < settings.max_iterations {
        if !fx.is_finite() || max_abs(&g) < settings.gradient_tolerance {
            break;
        }
        iterations = iterations.saturating_add(1);
        let mut p: Vec<f64> = h.iter().map(|row| -dot(row, &g)).collect();
        if dot(&p, &g) >= 0.0 {
            h = identity(n);
            fresh = true;
            p = g.iter().map(|x| -x).collect();
        }
        // A step of at most 3 in any log-parameter per iteration.
        let longest = max_abs(&p);
        if longest > 3.0 {
            p.iter_mut().for_each(|v| *v *= 3.0 / longest);
        }
        let slope = dot(&p, &g);
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let mut trial: Vec<f64> = x.iter().zip(&p).map(|(a, b)| a + step * b).collect();
            clamp(&mut trial);
            let (ft, gt) = eval(f, &trial)?;
            if ft.is_finite() && ft <= fx + 1e-4 * step * slope {
                accepted = Some((trial, ft, gt));
                break;
            }
            step *= 0.5;
        }
        let Some((xn, fnew, gn)) = accepted else {
            if fresh {
                break;
            }
            h = identity(n);
            fresh = true;
            continue;
        };
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() {
            if fresh {
                let scale = sy / dot(&y, &y);
                h.iter_mut().flatten().for_each(|v| *v *= scale);
                fresh = false;
            }
            bfgs_update(&mut h, &s, &y, sy);
        }
        flat = if (fx - fnew).abs() <= 1e-15 * fx.abs().max(1.0) { flat.saturating_add(1) } else { 0 };
        x = xn;
        fx = fnew;
        g = gn;
        if !watch(iterations, fx, max_abs(&g)) {
            return Err(stopped());
        }
        if flat >= 3 {
            break;
        }
    }
    let gradient_norm = max_abs(&g);
    Ok(Minimum {
        theta: x,
        value: fx,
        gradient: g,
        gradient_norm,
        iterations,
        // Converged at the tolerance, or stalled at the floating-point floor with a small gradient.
        converged: fx.is_finite() && (gradient_norm < settings.gradient_tolerance || flat >= 3 && gradient_norm < 1e-6),
    })
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1/(yᵀs).
fn bfgs_update(h: &mut [Vec<f64>], s: &[f64], y: &[f64], sy: f64) {
    let rho = 1.0 / sy;
    let hy: Vec<f64> = h.iter().map(|row| dot(row, y)).collect();
    let yhy = dot(y, &hy);
    for ((row, &hy_i), &s_i) in h.iter_mut().zip(&hy).zip(s) {
        for ((h_ij, &s_j), &hy_j) in row.iter_mut().zip(s).zip(&hy) {
            *h_ij += -rho * (hy_i * s_j + s_i * hy_j) + (rho * rho * yhy + rho) * s_i * s_j;
        }
    }
}

/// Entry (i, j) of a square matrix stored by rows; 0 outside it (never read there).
pub(crate) fn entry(m: &[Vec<f64>], i: usize, j: usize) -> f64 {
    m.get(i).and_then(|row| row.get(j)).copied().unwrap_or(0.0)
}

/// Sets entry (i, j) of a square matrix stored by rows; nothing outside it (never written there).
fn set_entry(m: &mut [Vec<f64>], i: usize, j: usize, v: f64) {
    if let Some(e) = m.get_mut(i).and_then(|row| row.get_mut(j)) {
        *e = v;
    }
}

/// `v` with `delta` added to coordinate `i`.
fn moved(v: &[f64], i: usize, delta: f64) -> Vec<f64> {
    let mut v = v.to_vec();
    if let Some(x) = v.get_mut(i) {
        *x += delta;
    }
    v
}

/// Nelder-Mead on the value alone (standard coefficients 1, 2, ½, ½), from a simplex of steps 0.5.
fn nelder_mead(f: &Objective<'_>, start: &[f64], max_iterations: u32) -> Result<Vec<f64>> {
    let n = start.len();
    let value = |x: &[f64]| -> Result<f64> {
        let mut x = x.to_vec();
        clamp(&mut x);
        Ok(eval(f, &x)?.0)
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n.saturating_add(1));
    simplex.push((start.to_vec(), value(start)?));
    for i in 0..n {
        let v = moved(start, i, 0.5);
        let fv = value(&v)?;
        simplex.push((v, fv));
    }
    for _ in 0..max_iterations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        // The worst point, and the n others (best first, second worst last).
        let Some(((worst, hi), others)) = simplex.split_last() else { break };
        let (Some(&(_, lo)), Some(&(_, second_worst))) = (others.first(), others.last()) else { break };
        let hi = *hi;
        if hi.is_finite() && (hi - lo).abs() <= 1e-14 * lo.abs().max(1.0) {
            break;
        }
        let centroid: Vec<f64> =
            (0..n).map(|j| others.iter().map(|p| p.0.get(j).copied().unwrap_or(0.0)).sum::<f64>() / n as f64).collect();
        let worst = worst.clone();
        let along = |t: f64| -> Vec<f64> { centroid.iter().zip(&worst).map(|(c, w)| c + t * (c - w)).collect() };
        let reflected = along(1.0);
        let fr = value(&reflected)?;
        let replacement = if fr < lo {
            let expanded = along(2.0);
            let fe = value(&expanded)?;
            Some(if fe < fr { (expanded, fe) } else { (reflected, fr) })
        } else if fr < second_worst {
            Some((reflected, fr))
        } else {
            let contracted = along(-0.5);
            let fc = value(&contracted)?;
            if fc < hi {
                Some((contracted, fc))
            } else {
                // Shrink every point towards the best.
                if let Some(((best, _), rest)) = simplex.split_first_mut() {
                    for p in rest {
                        p.0 = best.iter().zip(&p.0).map(|(b, x)| b + 0.5 * (x - b)).collect();
                        p.1 = value(&p.0)?;
                    }
                }
                None
            }
        };
        if let (Some(point), Some(last)) = (replacement, simplex.last_mut()) {
            *last = point;
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut best = simplex.into_iter().next().map_or_else(|| start.to_vec(), |p| p.0);
    clamp(&mut best);
    Ok(best)
}

/// The Hessian of `f` at θ by forward differences of its analytic gradient (`gradient`, its value
/// at θ, is known from the minimisation), step 1e-6 in each log-parameter, symmetrised: one
/// gradient per parameter. Truncation error about 1e-6 relative, rounding error far below:
/// central differences, at twice the evaluations, would only add digits standard errors do not need.
pub(crate) fn hessian(f: &Objective<'_>, theta: &[f64], gradient: &[f64]) -> Result<Vec<Vec<f64>>> {
    let n = theta.len();
    let h = 1e-6;
    let mut m = vec![vec![0.0; n]; n];
    for j in 0..n {
        let gu = f(&moved(theta, j, h))?.d;
        for ((row, gu_i), g_i) in m.iter_mut().zip(&gu).zip(gradient) {
            if let Some(m_ij) = row.get_mut(j) {
                *m_ij = (gu_i - g_i) / h;
            }
        }
    }
    for i in 0..n {
        for j in 0..i {
            let avg = 0.5 * (entry(&m, i, j) + entry(&m, j, i));
            set_entry(&mut m, i, j, avg);
            set_entry(&mut m, j, i, avg);
        }
    }
    Ok(m)
}

/// The inverse of a symmetric positive definite matrix by Cholesky; `None` when it is not
/// positive definite (or not finite).
pub(crate) fn spd_inverse(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            // Σ_{k<j} l_ik l_jk.
            let above: f64 = l.get(i).zip(l.get(j)).map_or(0.0, |(l_i, l_j)| l_i.iter().zip(l_j).take(j).map(|(x, y)| x * y).sum());
            let s = entry(a, i, j) - above;
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                set_entry(&mut l, i, i, s.sqrt());
            } else {
                let l_ij = s / entry(&l, j, j);
                set_entry(&mut l, i, j, l_ij);
            }
        }
    }
    // Solve L Lᵀ X = I column by column.
    let mut inv = vec![vec![0.0; n]; n];
    for c in 0..n {
        // L y = e_c, top down: y_i = (e_i − Σ_{k<i} l_ik y_k) / l_ii.
        let mut y: Vec<f64> = Vec::with_capacity(n);
        for (i, l_i) in l.iter().enumerate() {
            let e = if i == c { 1.0 } else { 0.0 };
            let y_i = (e - l_i.iter().zip(&y).map(|(a, b)| a * b).sum::<f64>()) / entry(&l, i, i);
            y.push(y_i);
        }
        // Lᵀ x = y, bottom up: x_i = (y_i − Σ_{k>i} l_ki x_k) / l_ii.
        let mut x = vec![0.0; n];
        for (i, &y_i) in y.iter().enumerate().rev() {
            let below: f64 = l.iter().zip(&x).skip(i.saturating_add(1)).map(|(l_k, x_k)| l_k.get(i).copied().unwrap_or(0.0) * x_k).sum();
            if let Some(x_i) = x.get_mut(i) {
                *x_i = (y_i - below) / entry(&l, i, i);
            }
        }
        for (inv_i, x_i) in inv.iter_mut().zip(&x) {
            if let Some(v) = inv_i.get_mut(c) {
                *v = *x_i;
            }
        }
    }
    inv.iter().flatten().all(|v| v.is_finite()).then_some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::needless_range_loop)] // H · H⁻¹ = I by index loops, as the formula reads.
    fn minimises_rosenbrock_in_four_dimensions() {
        // Σ 100 (θ_{i+1} − θ_i²)² + (1 − θ_i)², minimum 0 at θ = 1.
        let f = |t: &[f64]| -> Result<Dual> {
            let x: Vec<Dual> = t.iter().enumerate().map(|(i, &v)| Dual::var(v, i)).collect();
            let mut s = Dual::cst(0.0);
            for i in 0..3 {
                let a = x[i + 1] - x[i] * x[i];
                let b = Dual::cst(1.0) - x[i];
                s = s + a * a * 100.0 + b * b;
            }
            Ok(s)
        };
        let mut heard = Vec::new();
        let mut watch = |i: u32, v: f64, g: f64| {
            heard.push((i, v, g));
            true
        };
        let m = minimize(&f, &[-1.2, 1.0, -0.5, 0.3], Settings { max_iterations: 2000, gradient_tolerance: 1e-9 }, &mut watch).unwrap();
        assert!(m.converged, "{m:?}");
        // At most once per iteration, numbered upwards, the value going down to the minimum's.
        assert!(heard.len() as u32 <= m.iterations && heard.windows(2).all(|p| p[0].0 < p[1].0 && p[0].1 >= p[1].1), "{heard:?}");
        assert_eq!(heard.last().map(|h| h.1), Some(m.value));
        let mut stop = |i: u32, _: f64, _: f64| i < 3;
        let e = minimize(&f, &[-1.2, 1.0, -0.5, 0.3], Settings { max_iterations: 2000, gradient_tolerance: 1e-9 }, &mut stop).unwrap_err();
        assert_eq!(e.code, ErrorCode::Cancelled);
        assert!(m.theta.iter().all(|t| (t - 1.0).abs() < 1e-6), "{m:?}");
        let h = hessian(&f, &m.theta, &m.gradient).unwrap();
        let inv = spd_inverse(&h).unwrap();
        // H · H⁻¹ = I.
        for i in 0..4 {
            for j in 0..4 {
                let v: f64 = (0..4).map(|k| h[i][k] * inv[k][j]).sum();
                assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-6);
            }
        }
        assert!(spd_inverse(&[vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
    }

    #[test]
    fn nelder_mead_finds_a_quadratic_minimum() {
        let f = |t: &[f64]| -> Result<Dual> {
            let a = Dual::var(t[0], 0) - 2.0;
            let b = Dual::var(t[1], 1) + 1.0;
            Ok(a * a + b * b * 3.0)
        };
        let x = nelder_mead(&f, &[0.0, 0.0], 500).unwrap();
        assert!((x[0] - 2.0).abs() < 1e-5 && (x[1] + 1.0).abs() < 1e-5, "{x:?}");
    }
}
