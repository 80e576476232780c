//! Probability models of customer behaviour: BG/NBD, MBG/NBD and Pareto/NBD for transactions,
//! Gamma-Gamma for spend, shifted-beta-geometric for contractual retention, and what they predict.
//!
//! # Shape
//!
//! - Inputs are the BTYD columns of [`crate::summary::CustomerTable`] (or a summary file) as
//!   [`Customers`]: frequency x (repeat purchases), recency t_x and age T, all in one explicit
//!   [`TimeUnit`]. Every fit validates them (whole x ≥ 0, 0 ≤ t_x ≤ T, t_x = 0 when x = 0).
//! - Fits compress the customers to unique (x, t_x, T) tuples with counts as weights, sort them by
//!   x so that terms depending on x and the parameters only are computed once per x, and maximise
//!   the log-likelihood over log-parameters with BFGS (analytic gradients: forward-mode dual
//!   numbers for the terms of the parameters and of x, and for BG/NBD the per-tuple chain rule
//!   summed in plain numbers), falling back to Nelder-Mead when BFGS stalls. Standard errors come
//!   from the Hessian (central differences of the analytic gradient) of −log-likelihood in
//!   log-parameters, mapped to parameters by the delta method (SE(p) = p·√(H⁻¹)ᵢᵢ), as lifetimes does.
//! - The optional L2 penalty is the same for every model: the objective minimised is
//!   −LL/N + penalizer·Σ (cᵢpᵢ)² (N the number of customers), with cᵢ = 1 for shape parameters and
//!   cᵢ = 1/max T for the rate scales α and β (lifetimes' definition: it fits in time scaled so that
//!   the longest T is 1), so the penalty does not depend on the time unit. The reported
//!   `logLikelihood` is the unpenalised total.
//! - Predictions are per customer, columnar (`Vec<f64>` in customer order), or for a new customer
//!   (x = t_x = T = 0, just after a first purchase).
//!
//! Degenerate data is an `INSUFFICIENT_DATA` error (no repeat buyers, fewer than two customers,
//! every T = 0); a fit that ends near a boundary (a parameter beyond 1e6 or below 1e-6 in size,
//! or Gamma-Gamma q ≤ 1) carries a warning; nothing returns NaN or infinity.

pub mod analyses;
pub mod bgnbd;
pub mod clv;
pub mod gammagamma;
pub mod holdout;
pub(crate) mod optim;
pub mod pnbd;
pub mod predict;
pub mod request;
pub mod sbg;
pub mod simulate;
pub mod subscriptions;
pub(crate) mod special;

pub use bgnbd::BetaGeoParams;
pub use clv::{churn_risk, clv, dert, ChurnRisk, ClvOptions};
pub use gammagamma::{fit_gamma_gamma, fit_gamma_gamma_observed, GammaGammaParams};
pub use holdout::{auto, auto_observed, holdout_split, validate, AutoResult, HoldoutData, Validation, ValidationOptions};
pub use pnbd::ParetoParams;
pub use predict::{predict, predict_new_customer, CustomerPredictions, NewCustomerPredictions, PredictOptions};
pub use request::{FitRequest, HoldoutOptions, HoldoutRequest, PredictRequest};
pub use sbg::{fit_sbg, SbgParams};
pub use simulate::{simulate_cohort, simulate_spend, simulate_transactions, Rng, Simulated};

use crate::error::{Error, ErrorCode, Result, Warning};
use crate::summary::TimeUnit;
use optim::{entry, hessian, minimize, spd_inverse, stopped, Settings, LOG_BOUND};
use serde::Serialize;
use special::Dual;

/// The transaction models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TransactionModel {
    /// BG/NBD (Fader, Hardie & Lee 2005): a customer may drop out after each repeat purchase.
    BgNbd,
    /// MBG/NBD (Batislam, Denizel & Filiztekin 2007): also right after the first purchase.
    MbgNbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987): exponential lifetimes.
    ParetoNbd,
}

impl TransactionModel {
    pub const ALL: [TransactionModel; 3] = [TransactionModel::BgNbd, TransactionModel::MbgNbd, TransactionModel::ParetoNbd];

    /// The JS name, e.g. `"bgNbd"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionModel::BgNbd => "bgNbd",
            TransactionModel::MbgNbd => "mbgNbd",
            TransactionModel::ParetoNbd => "paretoNbd",
        }
    }
}

/// Per-customer BTYD columns (equal lengths), all times in `unit`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Customers<'a> {
    /// x: repeat purchases (whole numbers ≥ 0).
    pub frequency: &'a [f64],
    /// t_x: time from first to last purchase.
    pub recency: &'a [f64],
    /// T: time from first purchase to the end of observation.
    pub t: &'a [f64],
    pub unit: TimeUnit,
}

impl<'a> Customers<'a> {
    pub fn new(frequency: &'a [f64], recency: &'a [f64], t: &'a [f64], unit: TimeUnit) -> Self {
        Customers { frequency, recency, t, unit }
    }

    /// The BTYD columns of a customer table.
    pub fn from_table(table: &'a crate::summary::CustomerTable) -> Self {
        Customers::new(&table.frequency, &table.recency, &table.t, table.unit)
    }

    pub fn len(&self) -> usize {
        self.frequency.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frequency.is_empty()
    }

    /// (x, t_x, T) per customer, as far as all three columns go ([`Self::check`] makes them one length).
    pub fn rows(&self) -> impl Iterator<Item = (f64, f64, f64)> + 'a {
        self.frequency.iter().zip(self.recency).zip(self.t).map(|((&x, &tx), &t)| (x, tx, t))
    }

    /// Checks lengths and every row: `INVALID_INPUT` for unequal columns, `NOT_FINITE`,
    /// `NEGATIVE`, `NOT_INTEGER` (x) and `OUT_OF_RANGE` (t_x > T, or t_x ≠ 0 with x = 0), naming
    /// the column and row, e.g. `recency[3]`.
    pub fn check(&self) -> Result<()> {
        let n = self.frequency.len();
        if self.recency.len() != n || self.t.len() != n {
            let message = format!(
                "frequency, recency and T must have one value per customer (got {}, {} and {})",
                n,
                self.recency.len(),
                self.t.len()
            );
            return Err(Error::new(ErrorCode::InvalidInput, message).with_field("frequency"));
        }
        for (i, (x, tx, t)) in self.rows().enumerate() {
            for (name, v) in [("frequency", x), ("recency", tx), ("T", t)] {
                check_at(name, i, v)?;
            }
            if x.fract() != 0.0 {
                let e = Error::new(ErrorCode::NotInteger, format!("frequency must be a whole number of repeat purchases (got {x})"));
                return Err(e.with_field(format!("frequency[{i}]")));
            }
            if tx > t {
                let e = Error::new(ErrorCode::OutOfRange, format!("recency ({tx}) cannot exceed T ({t})"));
                return Err(e.with_field(format!("recency[{i}]")));
            }
            if x == 0.0 && tx != 0.0 {
                let e = Error::new(ErrorCode::OutOfRange, format!("recency must be 0 when frequency is 0 (got {tx})"));
                return Err(e.with_field(format!("recency[{i}]")));
            }
        }
        Ok(())
    }
}

/// A finite, non-negative time or count, or the field's error.
/// Times and counts are at most 1e9 (a billion days is 2.7 million years), so no sum of them overflows.
pub(crate) fn check_time(field: &str, v: f64) -> Result<()> {
    if !v.is_finite() {
        return Err(Error::new(ErrorCode::NotFinite, format!("{field} must be a finite number (got {v})")).with_field(field));
    }
    if v < 0.0 {
        return Err(Error::new(ErrorCode::Negative, format!("{field} must not be negative (got {v})")).with_field(field));
    }
    if v > MAX_TIME {
        return Err(Error::new(ErrorCode::OutOfRange, format!("{field} must be at most 1e9 (got {v})")).with_field(field));
    }
    Ok(())
}

/// [`check_time`] for `name[i]`, formatting the field name only on failure.
pub(crate) fn check_at(name: &str, i: usize, v: f64) -> Result<()> {
    if v.is_finite() && (0.0..=MAX_TIME).contains(&v) {
        return Ok(());
    }
    check_time(&format!("{name}[{i}]"), v)
}

/// The largest time or count accepted.
pub const MAX_TIME: f64 = 1e9;

/// `OUT_OF_RANGE` (field `params.NAME`) unless every parameter is a finite number in [1e-12, 1e12].
pub(crate) fn check_params<P: ParamSet>(params: &P) -> Result<()> {
    for (name, v) in P::NAMES.iter().zip(params.to_vec()) {
        if !(v.is_finite() && (1e-12..=1e12).contains(&v)) {
            let field = format!("params.{name}");
            return Err(Error::new(ErrorCode::OutOfRange, format!("{field} must be a number between 1e-12 and 1e12 (got {v})")).with_field(field));
        }
    }
    Ok(())
}

/// `INTERNAL` instead of a non-finite result: no NaN or infinity leaves this module.
pub(crate) fn finite(what: &str, v: f64) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(crate::input::internal(&format!("{what} came out as {v}")))
    }
}

/// A hasher for keys made of 64-bit words: f64 bits (the tuples' and spends' dedup), short names
/// packed into a word (the interner's). FxHash on wasm32 hashes a
/// u64 as two 32-bit words with a 32-bit multiply, which leaves whole-number floats (all their
/// entropy in the high bits) in a few buckets: a million customers' dedup took seconds. This one
/// mixes each u64 with a 64-bit multiply and finishes with a xor-shift multiply, so both the low
/// bits (bucket) and the top bits (hashbrown's tag) vary.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct BitsHasher(u64);

impl std::hash::Hasher for BitsHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(26) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let z = (self.0 ^ (self.0 >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z ^ (z >> 29)
    }
}

/// A hash map keyed by f64 bits, with [`BitsHasher`].
pub(crate) type BitsMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<BitsHasher>>;

/// Unique (x, t_x, T) tuples with their counts, sorted by x, then t_x, then T; and the distinct
/// time values (of t_x and T together), so that ln(α + time) is computed once per time value.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tuples {
    pub x: Vec<f64>,
    pub tx: Vec<f64>,
    pub t: Vec<f64>,
    pub w: Vec<f64>,
    /// Sorted distinct values of `tx` and `t`.
    pub times: Vec<f64>,
    /// Index of each tuple's t_x and T in `times`.
    pub txi: Vec<usize>,
    pub ti: Vec<usize>,
}

/// The tuples of one x ([`Tuples::runs`]): the columns of [`Tuples`] over the run.
pub(crate) struct Run<'a> {
    pub x: f64,
    pub tx: &'a [f64],
    pub t: &'a [f64],
    pub w: &'a [f64],
    pub txi: &'a [usize],
    pub ti: &'a [usize],
}

/// `column[range]`, empty where the range is not in it (the columns of [`Tuples`] have one length).
fn span<'a, T>(column: &'a [T], range: &std::ops::Range<usize>) -> &'a [T] {
    column.get(range.clone()).unwrap_or_default()
}

/// Sorts (x, t_x, T) keys in the order of [`Tuples`].
fn key_order(a: &(f64, f64, f64), b: &(f64, f64, f64)) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.total_cmp(&b.2))
}

impl Tuples {
    /// Tuples from columns already unique and sorted (tests, single customers).
    pub fn new(x: Vec<f64>, tx: Vec<f64>, t: Vec<f64>, w: Vec<f64>) -> Self {
        let mut times: Vec<f64> = tx.iter().chain(&t).copied().collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let at = |v: &f64| times.partition_point(|u| u < v);
        let txi = tx.iter().map(at).collect();
        let ti = t.iter().map(at).collect();
        Tuples { x, tx, t, w, times, txi, ti }
    }

    /// The tuples of customers already checked ([`Customers::check`]).
    pub fn from_customers(c: &Customers<'_>) -> Self {
        Self::from_whole_numbers(c).unwrap_or_else(|| Self::by_hashing(c))
    }

    /// [`Customers::check`], then [`Self::from_customers`], in one pass over the customers when
    /// their values are whole numbers below 2^20 (such values pass every check).
    pub fn checked(c: &Customers<'_>) -> Result<Self> {
        if c.recency.len() == c.len() && c.t.len() == c.len() {
            if let Some(tuples) = Self::from_whole_numbers(c) {
                return Ok(tuples);
            }
        }
        c.check()?;
        Ok(Self::by_hashing(c))
    }

    /// [`Self::from_customers`] for any values.
    fn by_hashing(c: &Customers<'_>) -> Self {
        // Counted in a hash map of the values' bits (one pass over the customers), then only the
        // distinct tuples are sorted.
        let mut counts: BitsMap<(u64, u64, u64), f64> = BitsMap::default();
        counts.reserve(c.len().min(1 << 16));
        for (x, tx, t) in c.rows() {
            *counts.entry((x.to_bits(), tx.to_bits(), t.to_bits())).or_insert(0.0) += 1.0;
        }
        let mut rows: Vec<((f64, f64, f64), f64)> =
            counts.into_iter().map(|((x, tx, t), w)| ((f64::from_bits(x), f64::from_bits(tx), f64::from_bits(t)), w)).collect();
        rows.sort_unstable_by(|a, b| key_order(&a.0, &b.0));
        let (mut x, mut tx, mut t, mut w): (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) = Default::default();
        for ((a, b, c), count) in rows {
            x.push(a);
            tx.push(b);
            t.push(c);
            w.push(count);
        }
        Tuples::new(x, tx, t, w)
    }

    /// [`Self::from_customers`] when every x, t_x and T is a whole number below 2^20, t_x ≤ T and
    /// t_x = 0 when x = 0 (times in whole days or weeks, as most summaries have them; `None` for
    /// other data, which takes the hash map's general path). No hashing: one-time buyers (x = 0,
    /// often most customers) are counted by T in a table; every other customer becomes one integer
    /// key, x, t_x and T each in 20 bits, and the keys are radix-sorted (only the bits in use) and
    /// counted in runs. Distinct times are ranked through a table indexed by the time itself.
    fn from_whole_numbers(c: &Customers<'_>) -> Option<Self> {
        const FIELD: u32 = 20;
        let n = c.len();
        if c.recency.len() < n || c.t.len() < n {
            return None;
        }
        let whole = |v: f64| -> Option<u64> {
            // In range first, so the cast is exact or the comparison fails (NaN fails both).
            (v >= 0.0 && v < (1u32 << FIELD) as f64 && v == f64::from(v as u32)).then_some(u64::from(v as u32))
        };
        let (mut max_x, mut max_t) = (0u64, 0u64);
        let mut once = Vec::<f64>::new();
        let mut keys = Vec::with_capacity(n / 2);
        for (x, tx, t) in c.rows() {
            let (x, tx, t) = (whole(x)?, whole(tx)?, whole(t)?);
            if tx > t || (x == 0 && tx != 0) {
                return None;
            }
            max_t = max_t.max(t);
            if x == 0 {
                // t < 2^20: the table stays small.
                let t = t as usize;
                if t >= once.len() {
                    once.resize(t.saturating_add(1), 0.0);
                }
                if let Some(count) = once.get_mut(t) {
                    *count += 1.0;
                }
            } else {
                max_x = max_x.max(x);
                keys.push((x << (2 * FIELD)) | (tx << FIELD) | t);
            }
        }
        let bits = |v: u64| u64::BITS.saturating_sub(v.leading_zeros());
        let (time_bits, x_bits) = (bits(max_t), bits(max_x));
        let keys = radix_sort(keys, &[(0, time_bits), (FIELD, time_bits), (2 * FIELD, x_bits)]);
        let mask = (1u64 << FIELD) - 1;
        let mut tuples = Tuples::default();
        let mut push = |x: u64, tx: u64, t: u64, w: f64| {
            tuples.x.push(x as f64);
            tuples.tx.push(tx as f64);
            tuples.t.push(t as f64);
            tuples.w.push(w);
        };
        for (t, w) in once.iter().enumerate().filter(|(_, w)| **w > 0.0) {
            push(0, 0, t as u64, *w);
        }
        for run in keys.chunk_by(|a, b| a == b) {
            let Some(&k) = run.first() else { continue };
            push(k >> (2 * FIELD), (k >> FIELD) & mask, k & mask, run.len() as f64);
        }
        // Ranks of the time values present: rank[v] for v ≤ max T.
        let mut rank = vec![u32::MAX; (max_t as usize).saturating_add(1)];
        for v in tuples.tx.iter().chain(&tuples.t) {
            if let Some(r) = rank.get_mut(*v as usize) {
                *r = 0;
            }
        }
        for (v, r) in rank.iter_mut().enumerate() {
            if *r == 0 {
                *r = tuples.times.len() as u32;
                tuples.times.push(v as f64);
            }
        }
        // Every time is at most max T, so has a rank; usize::MAX (outside the times) otherwise.
        let at = |v: &f64| rank.get(*v as usize).map_or(usize::MAX, |r| *r as usize);
        tuples.txi = tuples.tx.iter().map(at).collect();
        tuples.ti = tuples.t.iter().map(at).collect();
        Some(tuples)
    }

    /// The runs of tuples of equal x, in order.
    pub fn runs(&self) -> impl Iterator<Item = Run<'_>> + '_ {
        let mut start = 0usize;
        std::iter::from_fn(move || {
            let rest = self.x.get(start..)?;
            let x = *rest.first()?;
            let len = rest.iter().take_while(|v| **v == x).count();
            let range = start..start.saturating_add(len);
            start = range.end;
            let (tx, t, w) = (span(&self.tx, &range), span(&self.t, &range), span(&self.w, &range));
            Some(Run { x, tx, t, w, txi: span(&self.txi, &range), ti: span(&self.ti, &range) })
        })
    }

    /// The penalty factor of a rate scale (α, β): 1/max T.
    pub fn rate_penalty(&self) -> f64 {
        1.0 / self.t.iter().fold(0.0f64, |m, t| m.max(*t)).max(f64::MIN_POSITIVE)
    }

    /// (customers N, a starting α for a purchase rate near the mean repeat rate x̄/T̄, mean T).
    pub fn scale(&self) -> (f64, f64, f64) {
        let n: f64 = self.w.iter().sum();
        let mean = |v: &[f64]| v.iter().zip(&self.w).map(|(a, w)| a * w).sum::<f64>() / n;
        let (mx, mt) = (mean(&self.x), mean(&self.t));
        (n, (mt / mx.max(1e-3)).clamp(1e-3, 1e6), mt)
    }

    /// `INSUFFICIENT_DATA` unless there are two customers, a repeat buyer and some T > 0.
    pub fn require_identifiable(&self) -> Result<()> {
        let customers: f64 = self.w.iter().sum();
        let fail = |why: &str| Err(Error::new(ErrorCode::InsufficientData, format!("a transaction model cannot be fitted: {why}")));
        if customers < 2.0 {
            return fail("it needs at least two customers");
        }
        if self.x.iter().all(|x| *x == 0.0) {
            return fail("no customer made a repeat purchase, so the purchase rate is not identified");
        }
        if self.t.iter().all(|t| *t == 0.0) {
            return fail("every customer has T = 0 (no time observed after the first purchase)");
        }
        Ok(())
    }
}

/// Sorts keys by the bit fields `(shift, width)` listed from the least significant (the keys are
/// zero outside them): least significant digit first, at most 11 bits a pass.
fn radix_sort(mut keys: Vec<u64>, fields: &[(u32, u32)]) -> Vec<u64> {
    const DIGIT: u32 = 11;
    let mut other = vec![0u64; keys.len()];
    let mut offsets = vec![0usize; 1 << DIGIT];
    for &(shift, width) in fields {
        let end = shift.saturating_add(width);
        for from in (shift..end).step_by(DIGIT as usize) {
            let size = DIGIT.min(end.saturating_sub(from));
            let digit = |k: u64| ((k >> from) & !(u64::MAX << size)) as usize;
            offsets.fill(0);
            // Digits are below 2^DIGIT, the length of `offsets`, and the counts and offsets below
            // keys.len(), the length of `other`: the gets always find their slot and nothing wraps.
            for &k in &keys {
                if let Some(count) = offsets.get_mut(digit(k)) {
                    *count = count.wrapping_add(1);
                }
            }
            let mut sum = 0usize;
            for o in offsets.iter_mut() {
                sum = sum.wrapping_add(std::mem::replace(o, sum));
            }
            for &k in &keys {
                if let Some(offset) = offsets.get_mut(digit(k)) {
                    if let Some(slot) = other.get_mut(*offset) {
                        *slot = k;
                    }
                    *offset = offset.wrapping_add(1);
                }
            }
            std::mem::swap(&mut keys, &mut other);
        }
    }
    keys
}

/// Options of every fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// L2 penalty weight (default 0): minimises −LL/N + penalizer·Σ (cᵢpᵢ)² (module doc).
    pub penalizer: f64,
    /// Most BFGS iterations (default 1000).
    pub max_iterations: u32,
    /// Converged when every |∂(−LL/N)/∂ ln pᵢ| is below this (default 1e-9).
    pub gradient_tolerance: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions { penalizer: 0.0, max_iterations: 1000, gradient_tolerance: 1e-9 }
    }
}

impl FitOptions {
    fn check(&self) -> Result<()> {
        if !(self.penalizer.is_finite() && self.penalizer >= 0.0) {
            let e = Error::new(ErrorCode::OutOfRange, format!("penalizer must be a finite number ≥ 0 (got {})", self.penalizer));
            return Err(e.with_field("penalizer"));
        }
        if !(self.gradient_tolerance.is_finite() && self.gradient_tolerance > 0.0) {
            let e = Error::new(ErrorCode::OutOfRange, "gradientTolerance must be a finite number > 0");
            return Err(e.with_field("gradientTolerance"));
        }
        Ok(())
    }
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fit<P> {
    pub params: P,
    /// Standard errors of the parameters; `None` (with a warning) when the Hessian is not
    /// positive definite, as at a boundary.
    pub std_errors: Option<P>,
    /// The unpenalised total log-likelihood at `params`.
    pub log_likelihood: f64,
    pub iterations: u32,
    /// Largest |∂(objective)/∂ ln pᵢ| at the end.
    pub gradient_norm: f64,
    pub converged: bool,
    /// The time unit of the rates (α, β); `None` for models without time (Gamma-Gamma, sBG).
    pub unit: Option<TimeUnit>,
    /// Customers (or cohort members) the fit used.
    pub customers: u64,
    pub warnings: Vec<Warning>,
}

/// What a fit was doing when it reported progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FitPhase {
    /// After each optimiser iteration.
    Fitting,
    /// Once, before the Hessian for the standard errors (a few likelihood evaluations).
    StandardErrors,
    /// Once, last: the fit is complete.
    Done,
}

/// A progress report of a model fit: at most one per optimiser iteration, then one for the
/// standard errors and one when done, so a fit reports at most `maxIterations` + 2 times.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FitProgress {
    /// "bgNbd", "mbgNbd", "paretoNbd", "gammaGamma" or "sbg".
    pub model: &'static str,
    /// This fit's place (0-based) among the `fits` fits of the call: a transaction model and
    /// Gamma-Gamma are fits 0 and 1 of 2; model validation fits its three models as 0, 1, 2 of 3.
    pub fit: u32,
    pub fits: u32,
    pub phase: FitPhase,
    /// Optimiser iterations so far: increasing within a fit (not every iteration reports).
    pub iteration: u32,
    /// The log-likelihood at the current parameters (minus the penalty when `penalizer` > 0).
    pub log_likelihood: f64,
    /// Largest |∂(−LL/N)/∂ ln pᵢ| at the current parameters (the fit converges below 1e-9).
    pub gradient_norm: f64,
}

/// Hears a fit's progress; returning false stops the fit, which then fails with `CANCELLED`.
pub type FitObserver<'a> = dyn FnMut(&FitProgress) -> bool + 'a;

/// An observer that hears nothing (the fits without progress reports).
pub(crate) fn unobserved(_: &FitProgress) -> bool {
    true
}

/// `observer` with every report renumbered as fit `fit` of `fits`.
pub(crate) fn numbered<'a, 'b: 'a>(observer: &'a mut FitObserver<'b>, fit: u32, fits: u32) -> impl FnMut(&FitProgress) -> bool + use<'a, 'b> {
    move |p: &FitProgress| observer(&FitProgress { fit, fits, ..*p })
}

/// Whether `e` is a fit stopped by its observer (which no fallback may swallow).
pub(crate) fn is_stop(e: &Error) -> bool {
    e.code == ErrorCode::Cancelled
}

/// A model's parameters as a named struct and as a slice, in a fixed order.
pub trait ParamSet: Sized + Clone {
    const NAMES: &'static [&'static str];
    fn from_slice(values: &[f64]) -> Self;
    fn to_vec(&self) -> Vec<f64>;
}

/// Implements [`ParamSet`] for a struct of named `f64` fields, in the order given.
macro_rules! param_set {
    ($ty:ident { $($field:ident),+ }) => {
        impl $crate::models::ParamSet for $ty {
            const NAMES: &'static [&'static str] = &[$(stringify!($field)),+];
            fn from_slice(v: &[f64]) -> Self {
                let mut it = v.iter().copied();
                $ty { $($field: it.next().unwrap_or(f64::NAN)),+ }
            }
            fn to_vec(&self) -> Vec<f64> {
                vec![$(self.$field),+]
            }
        }
        impl $ty {
            /// The parameters as constant duals, for the likelihood code.
            #[allow(dead_code)]
            pub(crate) fn duals(&self) -> Vec<$crate::models::special::Dual> {
                $crate::models::ParamSet::to_vec(self).into_iter().map($crate::models::special::Dual::cst).collect()
            }
        }
    };
}
pub(crate) use param_set;

/// A likelihood's parameters p as an array; `INTERNAL` when there are fewer than `N` (never: each
/// model's problem has its own count).
pub(crate) fn param_array<const N: usize>(p: &[Dual]) -> Result<[Dual; N]> {
    p.get(..N)
        .and_then(|p| <[Dual; N]>::try_from(p).ok())
        .ok_or_else(|| Error::new(ErrorCode::Internal, format!("the likelihood takes {N} parameters, not {}", p.len())))
}

/// The parameters as duals (p = e^θ) with derivatives with respect to θ.
#[cfg(test)]
pub(crate) fn dual_params(theta: &[f64]) -> Vec<Dual> {
    theta.iter().enumerate().map(|(i, &t)| Dual::var(t, i).exp()).collect()
}

/// A minimisation problem: the total log-likelihood of the parameters (as duals), the number of
/// customers N, candidate starting parameters, and the factors cᵢ of the L2 penalty.
///
/// The optimiser works on θ with ln p = A θ: by default A = I (θ = log-parameters); `log_map`
/// gives another invertible A, with its inverse, so that a ridge of the likelihood along which
/// parameters grow together (Pareto/NBD's s and β) becomes one coordinate.
pub(crate) struct Problem<'a> {
    /// The model's JS name, for progress reports.
    pub model: &'static str,
    pub loglik: &'a dyn Fn(&[Dual]) -> Result<Dual>,
    pub customers: f64,
    pub starts: Vec<Vec<f64>>,
    pub penalty_scale: Vec<f64>,
    pub log_map: Option<LogMap>,
}

/// ln p = `to_log` · θ and θ = `from_log` · ln p (square matrices, inverse to each other).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LogMap {
    pub to_log: Vec<Vec<f64>>,
    pub from_log: Vec<Vec<f64>>,
}

impl LogMap {
    fn apply(m: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
        m.iter().map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum()).collect()
    }
}

/// Fits `problem` and assembles the result with the standard warnings; `observer` hears each
/// iteration, the standard errors' start and the end (as fit 0 of 1).
pub(crate) fn run_fit<P: ParamSet>(problem: &Problem<'_>, options: &FitOptions, unit: Option<TimeUnit>, observer: &mut FitObserver<'_>) -> Result<Fit<P>> {
    options.check()?;
    let n = problem.customers;
    // θ → ln p (identity unless the problem maps its coordinates).
    let log_params = |theta: &[f64]| -> Vec<f64> {
        match &problem.log_map {
            Some(m) => LogMap::apply(&m.to_log, theta),
            None => theta.to_vec(),
        }
    };
    let params_of = |theta: &[Dual]| -> Vec<Dual> {
        match &problem.log_map {
            Some(m) => m
                .to_log
                .iter()
                .map(|row| row.iter().zip(theta).fold(Dual::cst(0.0), |acc, (a, t)| acc + *t * *a).exp())
                .collect(),
            None => theta.iter().map(|t| t.exp()).collect(),
        }
    };
    let objective = |theta: &[f64]| -> Result<Dual> {
        let vars: Vec<Dual> = theta.iter().enumerate().map(|(i, &t)| Dual::var(t, i)).collect();
        let p = params_of(&vars);
        let ll = (problem.loglik)(&p)?;
        let penalty = p.iter().zip(&problem.penalty_scale).fold(Dual::cst(0.0), |acc, (v, c)| acc + *v * *v * (c * c));
        Ok(ll * (-1.0 / n) + penalty * options.penalizer)
    };
    let mut best: Option<(f64, Vec<f64>)> = None;
    for start in &problem.starts {
        let logs: Vec<f64> = start.iter().map(|p| p.ln()).collect();
        let theta = match &problem.log_map {
            Some(m) => LogMap::apply(&m.from_log, &logs),
            None => logs,
        };
        let v = objective(&theta)?.v;
        if v.is_finite() && best.as_ref().is_none_or(|(b, _)| v < *b) {
            best = Some((v, theta));
        }
    }
    let Some((_, start)) = best else {
        return Err(Error::new(ErrorCode::InsufficientData, "the likelihood is not finite at any starting point: the data cannot be fitted"));
    };
    let settings = Settings { max_iterations: options.max_iterations, gradient_tolerance: options.gradient_tolerance };
    let mut report = |phase: FitPhase, iteration: u32, value: f64, gradient_norm: f64| -> Result<()> {
        let progress = FitProgress { model: problem.model, fit: 0, fits: 1, phase, iteration, log_likelihood: -value * n, gradient_norm };
        if observer(&progress) {
            Ok(())
        } else {
            Err(stopped())
        }
    };
    let m = minimize(&objective, &start, settings, &mut |i, v, g| report(FitPhase::Fitting, i, v, g).is_ok())?;
    if !m.value.is_finite() {
        return Err(Error::new(ErrorCode::InsufficientData, "the likelihood is not finite at the fitted parameters"));
    }
    let logs = log_params(&m.theta);
    let params: Vec<f64> = logs.iter().map(|t| t.exp()).collect();
    let log_likelihood = (problem.loglik)(&params.iter().map(|p| Dual::cst(*p)).collect::<Vec<_>>())?.v;
    let mut warnings = Vec::new();
    if !m.converged {
        warnings.push(Warning::new(
            "NOT_CONVERGED",
            "params",
            format!(
                "the fit stopped after {} iterations with gradient norm {:.3e}; the parameters may be imprecise",
                m.iterations, m.gradient_norm
            ),
        ));
    }
    for ((name, t), theta) in P::NAMES.iter().zip(&logs).zip(&m.theta) {
        if t.abs() > 6.0 * std::f64::consts::LN_10 || theta.abs() >= LOG_BOUND {
            warnings.push(Warning::new(
                "PARAMETER_AT_BOUNDARY",
                format!("params.{name}"),
                format!(
                    "{name} = {:.4e} is at the edge of what the data can identify; the model may be the wrong one for these data",
                    t.exp()
                ),
            ));
        }
    }
    report(FitPhase::StandardErrors, m.iterations, m.value, m.gradient_norm)?;
    let total = |theta: &[f64]| -> Result<Dual> { Ok(objective(theta)? * n) };
    // Var(ln pᵢ) = (A C Aᵀ)ᵢᵢ with C the covariance of θ; SE(pᵢ) = pᵢ·√Var(ln pᵢ).
    let gradient: Vec<f64> = m.gradient.iter().map(|g| g * n).collect();
    let std_errors = spd_inverse(&hessian(&total, &m.theta, &gradient)?).map(|cov| {
        let var = |i: usize| -> f64 {
            match &problem.log_map {
                // Σ_j Σ_k a_j c_jk a_k over row i of A.
                Some(map) => map.to_log.get(i).map_or(0.0, |a| {
                    a.iter().zip(&cov).map(|(a_j, cov_j)| cov_j.iter().zip(a).map(|(c_jk, a_k)| a_j * c_jk * a_k).sum::<f64>()).sum()
                }),
                None => entry(&cov, i, i),
            }
        };
        P::from_slice(&params.iter().enumerate().map(|(i, p)| p * var(i).max(0.0).sqrt()).collect::<Vec<_>>())
    });
    if std_errors.is_none() {
        warnings.push(Warning::new(
            "NO_STANDARD_ERRORS",
            "stdErrors",
            "the Hessian of the log-likelihood is not positive definite at the fit, so standard errors are not available",
        ));
    }
    report(FitPhase::Done, m.iterations, m.value, m.gradient_norm)?;
    Ok(Fit {
        params: P::from_slice(&params),
        std_errors,
        log_likelihood,
        iterations: m.iterations,
        gradient_norm: m.gradient_norm,
        converged: m.converged,
        unit,
        customers: n as u64,
        warnings,
    })
}

/// The fitted parameters of a transaction model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "camelCase")]
pub enum TransactionParams {
    BgNbd(BetaGeoParams),
    MbgNbd(BetaGeoParams),
    ParetoNbd(ParetoParams),
}

/// Fits a transaction model to the customers.
pub fn fit_transactions(model: TransactionModel, customers: &Customers<'_>, options: &FitOptions) -> Result<Fit<TransactionParams>> {
    fit_transactions_observed(model, customers, options, &mut unobserved)
}

/// [`fit_transactions`], reporting progress to `observer` (see [`FitProgress`]).
pub fn fit_transactions_observed(
    model: TransactionModel,
    customers: &Customers<'_>,
    options: &FitOptions,
    observer: &mut FitObserver<'_>,
) -> Result<Fit<TransactionParams>> {
    let tuples = Tuples::checked(customers)?;
    tuples.require_identifiable()?;
    let unit = customers.unit;
    match model {
        TransactionModel::BgNbd => bgnbd::fit(&tuples, false, options, unit, observer).map(|f| map_fit(f, TransactionParams::BgNbd)),
        TransactionModel::MbgNbd => bgnbd::fit(&tuples, true, options, unit, observer).map(|f| map_fit(f, TransactionParams::MbgNbd)),
        TransactionModel::ParetoNbd => pnbd::fit(&tuples, options, unit, observer).map(|f| map_fit(f, TransactionParams::ParetoNbd)),
    }
}

fn map_fit<P, Q>(fit: Fit<P>, wrap: impl Fn(P) -> Q) -> Fit<Q> {
    Fit {
        params: wrap(fit.params),
        std_errors: fit.std_errors.map(&wrap),
        log_likelihood: fit.log_likelihood,
        iterations: fit.iterations,
        gradient_norm: fit.gradient_norm,
        converged: fit.converged,
        unit: fit.unit,
        customers: fit.customers,
        warnings: fit.warnings,
    }
}

/// Applies `one` to every customer, collecting a column; the first error ends it.
/// `one` must depend on (x, t_x, T) only: it is called once per distinct tuple (a hash map of the
/// tuples' bits, so a million customers cost one pass, not a sort).
/// Customer `i`'s entry of a P(alive) column (which must cover every customer).
pub(crate) fn alive_of(p_alive: &[f64], i: usize) -> Result<f64> {
    p_alive
        .get(i)
        .copied()
        .ok_or_else(|| crate::error::Error::new(crate::error::ErrorCode::Internal, "P(alive) does not cover every customer"))
}

pub(crate) fn per_customer(c: &Customers<'_>, mut one: impl FnMut(f64, f64, f64) -> Result<f64>) -> Result<Vec<f64>> {
    per_customer_at(c, |_, x, tx, t| one(x, tx, t))
}

/// [`per_customer`], where `one` also gets the index of the first customer with that tuple (to
/// read other per-customer columns that depend on the tuple alone, such as P(alive)).
pub(crate) fn per_customer_at(c: &Customers<'_>, mut one: impl FnMut(usize, f64, f64, f64) -> Result<f64>) -> Result<Vec<f64>> {
    c.check()?;
    let mut seen: BitsMap<(u64, u64, u64), f64> = BitsMap::default();
    let mut out = Vec::with_capacity(c.len());
    for (i, (x, tx, t)) in c.rows().enumerate() {
        let v = match seen.entry((x.to_bits(), tx.to_bits(), t.to_bits())) {
            std::collections::hash_map::Entry::Occupied(e) => *e.get(),
            std::collections::hash_map::Entry::Vacant(e) => *e.insert(finite("a prediction", one(i, x, tx, t)?)?),
        };
        out.push(v);
    }
    Ok(out)
}

impl TransactionParams {
    /// `OUT_OF_RANGE` unless every parameter is finite and in [1e-12, 1e12].
    pub fn check(&self) -> Result<()> {
        match self {
            TransactionParams::BgNbd(p) | TransactionParams::MbgNbd(p) => check_params(p),
            TransactionParams::ParetoNbd(p) => check_params(p),
        }
    }

    pub fn model(&self) -> TransactionModel {
        match self {
            TransactionParams::BgNbd(_) => TransactionModel::BgNbd,
            TransactionParams::MbgNbd(_) => TransactionModel::MbgNbd,
            TransactionParams::ParetoNbd(_) => TransactionModel::ParetoNbd,
        }
    }

    /// The log-likelihood of one customer (x, t_x, T) under these parameters.
    pub fn log_likelihood(&self, x: f64, tx: f64, t: f64) -> Result<f64> {
        self.check()?;
        Customers::new(&[x], &[tx], &[t], TimeUnit::Days).check()?;
        let one = Tuples::new(vec![x], vec![tx], vec![t], vec![1.0]);
        match self {
            TransactionParams::BgNbd(p) => bgnbd::loglik(&one, false, &p.duals()).map(|d| d.v),
            TransactionParams::MbgNbd(p) => bgnbd::loglik(&one, true, &p.duals()).map(|d| d.v),
            TransactionParams::ParetoNbd(p) => pnbd::loglik(&one, &p.duals()).map(|d| d.v),
        }
        .and_then(|v| finite("a log-likelihood", v))
    }

    fn p_alive_one(&self, x: f64, tx: f64, t: f64) -> Result<f64> {
        match self {
            TransactionParams::BgNbd(p) => Ok(p.p_alive(false, x, tx, t)),
            TransactionParams::MbgNbd(p) => Ok(p.p_alive(true, x, tx, t)),
            TransactionParams::ParetoNbd(p) => p.p_alive(x, tx, t),
        }
    }

    /// Conditional expected purchases in (T, T+h] for each h of `horizons` (P(alive) computed once).
    pub(crate) fn expected_curve(&self, x: f64, tx: f64, t: f64, horizons: &[f64]) -> Result<Vec<f64>> {
        self.expected_curve_given(self.p_alive_one(x, tx, t)?, x, t, horizons)
    }

    /// [`Self::expected_curve`] for a customer whose P(alive) is already known.
    pub(crate) fn expected_curve_given(&self, alive: f64, x: f64, t: f64, horizons: &[f64]) -> Result<Vec<f64>> {
        horizons
            .iter()
            .map(|&h| {
                let e = match self {
                    TransactionParams::BgNbd(p) => p.expected_if_alive(false, x, t, h)?,
                    TransactionParams::MbgNbd(p) => p.expected_if_alive(true, x, t, h)?,
                    TransactionParams::ParetoNbd(p) => p.expected_if_alive(x, t, h),
                };
                Ok(e * alive)
            })
            .collect()
    }

    fn expected_one(&self, x: f64, tx: f64, t: f64, horizon: f64) -> Result<f64> {
        Ok(self.expected_curve(x, tx, t, &[horizon])?.first().copied().unwrap_or(0.0))
    }

    fn prob_one(&self, x: f64, tx: f64, t: f64, horizon: f64, n: u32) -> Result<f64> {
        self.prob_one_given(self.p_alive_one(x, tx, t)?, x, t, horizon, n)
    }

    fn prob_one_given(&self, alive: f64, x: f64, t: f64, horizon: f64, n: u32) -> Result<f64> {
        match self {
            TransactionParams::BgNbd(p) => Ok(p.prob_n_given(false, alive, x, t, horizon, n)),
            TransactionParams::MbgNbd(p) => Ok(p.prob_n_given(true, alive, x, t, horizon, n)),
            TransactionParams::ParetoNbd(p) => p.prob_n_given(alive, x, t, horizon, n),
        }
    }

    /// P(alive at T | x, t_x, T) per customer.
    pub fn p_alive(&self, c: &Customers<'_>) -> Result<Vec<f64>> {
        self.check()?;
        per_customer(c, |x, tx, t| self.p_alive_one(x, tx, t))
    }

    /// Expected purchases in (T, T + `horizon`] per customer, given their history.
    pub fn expected_purchases(&self, c: &Customers<'_>, horizon: f64) -> Result<Vec<f64>> {
        self.check()?;
        check_time("t", horizon)?;
        per_customer(c, |x, tx, t| self.expected_one(x, tx, t, horizon))
    }

    /// [`Self::expected_purchases`] given each customer's P(alive) (from [`Self::p_alive`] on the
    /// same customers): P(alive) is the costly part for Pareto/NBD, so predictions compute it once.
    pub fn expected_purchases_given(&self, c: &Customers<'_>, horizon: f64, p_alive: &[f64]) -> Result<Vec<f64>> {
        self.check()?;
        check_time("t", horizon)?;
        per_customer_at(c, |i, x, _, t| {
            let alive = alive_of(p_alive, i)?;
            Ok(self.expected_curve_given(alive, x, t, &[horizon])?.first().copied().unwrap_or(0.0))
        })
    }

    /// P(exactly `n` purchases in (T, T + `horizon`]) per customer, given their history.
    pub fn prob_purchases(&self, c: &Customers<'_>, horizon: f64, n: u32) -> Result<Vec<f64>> {
        self.check()?;
        check_time("t", horizon)?;
        per_customer(c, |x, tx, t| self.prob_one(x, tx, t, horizon, n))
    }

    /// [`Self::prob_purchases`] given each customer's P(alive) (see [`Self::expected_purchases_given`]).
    pub fn prob_purchases_given(&self, c: &Customers<'_>, horizon: f64, n: u32, p_alive: &[f64]) -> Result<Vec<f64>> {
        self.check()?;
        check_time("t", horizon)?;
        per_customer_at(c, |i, x, _, t| self.prob_one_given(alive_of(p_alive, i)?, x, t, horizon, n))
    }

    /// Expected purchases of a new customer in the `horizon` after their first purchase.
    pub fn new_customer_expected(&self, horizon: f64) -> Result<f64> {
        self.check()?;
        check_time("t", horizon)?;
        finite("a prediction", self.expected_one(0.0, 0.0, 0.0, horizon)?)
    }

    /// P(exactly `n` repeat purchases in the `horizon` after a new customer's first purchase).
    pub fn new_customer_prob(&self, horizon: f64, n: u32) -> Result<f64> {
        self.check()?;
        check_time("t", horizon)?;
        finite("a prediction", self.prob_one(0.0, 0.0, 0.0, horizon, n)?)
    }
}

/// ln of a negative-binomial weight: Γ(k+j)/(Γ(k) j!) p^k q^j, in logs (ln p, ln q given).
pub(crate) fn ln_nb(k: f64, j: f64, ln_p: f64, ln_q: f64) -> f64 {
    let tail = if j > 0.0 { j * ln_q } else { 0.0 };
    special::lgamma(k + j) - special::lgamma(k) - special::lgamma(j + 1.0) + k * ln_p + tail
}

/// 1/(1 + e^y) without overflow.
pub(crate) fn logistic_neg(y: f64) -> f64 {
    if y > 0.0 {
        let e = (-y).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + y.exp())
    }
}

/// Clamps a probability computed by differences into [0, 1] (rounding can leave it a few ulps out).
pub(crate) fn prob(p: f64) -> f64 {
    p.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_number_tuples_are_the_hashed_ones() {
        let mut rng = Rng::new(7);
        for (n, days) in [(0, 10.0), (1, 1.0), (5_000, 600.0), (3_000, 1.0), (2_000, 90_000.0)] {
            let (mut x, mut tx, mut t) = (vec![], vec![], vec![]);
            for _ in 0..n {
                let age = (rng.uniform() * days).floor();
                let buys = (rng.uniform() * 12.0).floor();
                x.push(buys);
                tx.push(if buys == 0.0 { 0.0 } else { (rng.uniform() * age).floor() });
                t.push(age);
            }
            let c = Customers::new(&x, &tx, &t, TimeUnit::Days);
            let fast = Tuples::from_whole_numbers(&c).unwrap();
            assert_eq!(fast, Tuples::by_hashing(&c), "{n} customers over {days} days");
            assert_eq!(fast.w.iter().sum::<f64>(), n as f64);
        }
        // A fraction, a value from 2^20 on, or a row that fails the checks: the general path.
        for (x, tx, t) in [(1.0, 0.5, 2.0), (1.0, 1.0, 1_048_576.0), (1.0, 3.0, 2.0), (0.0, 1.0, 2.0), (-1.0, 0.0, 2.0), (f64::NAN, 0.0, 1.0)] {
            let (x, tx, t) = ([x], [tx], [t]);
            let c = Customers::new(&x, &tx, &t, TimeUnit::Days);
            assert!(Tuples::from_whole_numbers(&c).is_none());
            assert_eq!(Tuples::checked(&c).err(), c.check().err());
        }
    }
}
