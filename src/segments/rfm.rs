//! RFM: recency, frequency and monetary value per customer, scored 1–5 by rank quintiles, and
//! the 11 named segments of the common R × FM map, with counts and revenue share per segment.
//!
//! - **Recency** = days from the last purchase to asOf; **frequency** = purchases (non-return
//!   orders); **monetary** = net revenue up to asOf (returns netted in).
//! - **Scores** ([`quintile_scores`]): customers sorted ascending by the value (recency
//!   descending, so the most recent score highest); with n customers and r the 1-based rank of
//!   the *first* of a run of ties, score = 1 + ⌊5 (r − 1) / n⌋. Ties always share a score, the
//!   order of customers never matters, and scores need not use all of 1–5 (all-equal values
//!   all score 1).
//! - **FM** = (F + M) / 2 rounded half up, i.e. ⌊(F + M + 1) / 2⌋.
//! - **Segment** = [`SEGMENT_MAP`]\[R − 1\]\[FM − 1\], the one table of the mapping.

use crate::dataset::{Dataset, Day};
use crate::error::Result;
use crate::money::{format_money, to_f64};
use crate::summary::calendar::iso_date;
use crate::summary::history::{days_between, histories, ratio, resolve_as_of, share, sum, History};
use rust_decimal::Decimal;
use serde::Serialize;
use std::cmp::Reverse;

/// A named RFM segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Segment {
    Champions,
    Loyal,
    PotentialLoyalist,
    New,
    Promising,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    CannotLose,
    Hibernating,
    Lost,
}

impl Segment {
    /// Every segment, in the order of the per-segment summary.
    pub const ALL: [Segment; 11] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::PotentialLoyalist,
        Segment::New,
        Segment::Promising,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::CannotLose,
        Segment::Hibernating,
        Segment::Lost,
    ];

    /// The name shown to a merchant.
    pub fn label(self) -> &'static str {
        match self {
            Segment::Champions => "Champions",
            Segment::Loyal => "Loyal",
            Segment::PotentialLoyalist => "Potential loyalist",
            Segment::New => "New",
            Segment::Promising => "Promising",
            Segment::NeedAttention => "Need attention",
            Segment::AboutToSleep => "About to sleep",
            Segment::AtRisk => "At risk",
            Segment::CannotLose => "Cannot lose",
            Segment::Hibernating => "Hibernating",
            Segment::Lost => "Lost",
        }
    }
}

use Segment::{
    AboutToSleep as Ats, AtRisk as Ar, CannotLose as Cl, Champions as Ch, Hibernating as Hi,
    Lost as Lo, Loyal as Ly, NeedAttention as Na, New as Nw, PotentialLoyalist as Pl,
    Promising as Pr,
};

/// The segment of each (R, FM) pair: `SEGMENT_MAP[R − 1][FM − 1]`. Rows are R = 1 (long ago)
/// to 5 (recent); columns FM = 1 (few, small orders) to 5 (many, large):
///
/// | R \ FM | 1 | 2 | 3 | 4 | 5 |
/// |---|---|---|---|---|---|
/// | 5 | New | Potential loyalist | Potential loyalist | Champions | Champions |
/// | 4 | Promising | Potential loyalist | Potential loyalist | Loyal | Loyal |
/// | 3 | About to sleep | About to sleep | Need attention | Loyal | Loyal |
/// | 2 | Hibernating | Hibernating | At risk | At risk | Cannot lose |
/// | 1 | Lost | Lost | At risk | At risk | Cannot lose |
///
/// It is the widely used R × F segment map (the "RFM segments" regex table: `[1-2][1-2]`
/// hibernating, `[1-2][3-4]` at risk, `[1-2]5` cannot lose, `3[1-2]` about to sleep, `33` need
/// attention, `[3-4][4-5]` loyal, `41` promising, `51` new, `[4-5][2-3]` potential loyalist,
/// `5[4-5]` champions) read with FM for F, and R = 1 with FM ≤ 2 split off as Lost.
pub const SEGMENT_MAP: [[Segment; 5]; 5] = [
    [Lo, Lo, Ar, Ar, Cl],
    [Hi, Hi, Ar, Ar, Cl],
    [Ats, Ats, Na, Ly, Ly],
    [Pr, Pl, Pl, Ly, Ly],
    [Nw, Pl, Pl, Ch, Ch],
];

/// The segment of scores `r` and `fm` (1–5 each); `None` outside 1–5.
pub fn segment_of(r: u8, fm: u8) -> Option<Segment> {
    let row = SEGMENT_MAP.get(usize::from(r).checked_sub(1)?)?;
    row.get(usize::from(fm).checked_sub(1)?).copied()
}

/// Options of [`rfm`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RfmOptions {
    /// The observation end, inclusive; default: the last order day in the data.
    pub as_of: Option<Day>,
}

/// One row per customer with a purchase on or before asOf, columnar.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RfmTable {
    /// Index of each customer in `Dataset::customers` (Rust only; not serialized).
    #[serde(skip)]
    pub customer: Vec<u32>,
    pub customer_id: Vec<String>,
    /// Days from the last purchase to asOf.
    pub recency_days: Vec<u32>,
    /// Purchases (non-return orders).
    pub frequency: Vec<u32>,
    /// Net revenue (2 decimals).
    pub monetary: Vec<String>,
    pub r: Vec<u8>,
    pub f: Vec<u8>,
    pub m: Vec<u8>,
    pub fm: Vec<u8>,
    pub segment: Vec<Segment>,
}

/// The figures of one segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentSummary {
    pub segment: Segment,
    pub label: &'static str,
    pub customers: u64,
    /// customers / all customers.
    pub customer_share: f64,
    pub revenue: String,
    /// Segment revenue / total revenue; null when the total is not positive.
    pub revenue_share: Option<f64>,
}

/// Result of [`rfm`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rfm {
    pub as_of: String,
    pub customers: RfmTable,
    /// All 11 segments in [`Segment::ALL`] order, empty ones included.
    pub segments: Vec<SegmentSummary>,
}

/// 1–5 scores of `keys` by rank quintile, ties sharing the score of their first rank:
/// score = 1 + ⌊5 (r − 1) / n⌋ with r the 1-based rank (ascending) of the first of the ties.
pub fn quintile_scores<K: Ord>(keys: &[K]) -> Vec<u8> {
    let n = keys.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| keys.get(a).cmp(&keys.get(b)));
    let mut scores = vec![1u8; n];
    let mut first_of_run = 0usize;
    for (position, &i) in order.iter().enumerate() {
        let previous = position.checked_sub(1).and_then(|p| order.get(p));
        if previous.map(|&p| keys.get(p)) != Some(keys.get(i)) {
            first_of_run = position;
        }
        // position < n, so 5 × first_of_run / n < 5 and the score is at most 5.
        let quintile = first_of_run.saturating_mul(5).checked_div(n.max(1)).unwrap_or(0).min(4);
        if let Some(slot) = scores.get_mut(i) {
            *slot = u8::try_from(quintile).map_or(5, |q| q.saturating_add(1));
        }
    }
    scores
}

/// RFM scores and segments of every customer with a purchase on or before asOf.
pub fn rfm(dataset: &Dataset, options: &RfmOptions) -> Result<Rfm> {
    let as_of = resolve_as_of(dataset, options.as_of)?;
    let histories = histories(dataset, as_of)?;
    let recency: Vec<u32> = histories
        .iter()
        .map(|h| u32::try_from(days_between(h.last, as_of)).unwrap_or(u32::MAX))
        .collect();
    let r = quintile_scores(&recency.iter().map(|&d| Reverse(d)).collect::<Vec<_>>());
    let f = quintile_scores(&histories.iter().map(|h| h.purchases).collect::<Vec<_>>());
    let m = quintile_scores(&histories.iter().map(|h| h.revenue).collect::<Vec<_>>());
    let fm: Vec<u8> = f
        .iter()
        .zip(&m)
        .map(|(&f, &m)| f.saturating_add(m).div_ceil(2))
        .collect();
    let segment: Vec<Segment> = r
        .iter()
        .zip(&fm)
        .map(|(&r, &fm)| segment_of(r, fm).unwrap_or(Segment::Lost))
        .collect();
    let segments = summaries(&histories, &segment)?;
    Ok(Rfm {
        as_of: iso_date(as_of),
        customers: RfmTable {
            customer: histories.iter().map(|h| h.customer).collect(),
            customer_id: histories
                .iter()
                .map(|h| dataset.customers.name(h.customer).to_owned())
                .collect(),
            recency_days: recency,
            frequency: histories.iter().map(|h| h.purchases).collect(),
            monetary: histories
                .iter()
                .map(|h| format_money(h.revenue, 2))
                .collect(),
            r,
            f,
            m,
            fm,
            segment,
        },
        segments,
    })
}

fn summaries(histories: &[History<'_>], segment: &[Segment]) -> Result<Vec<SegmentSummary>> {
    let total = sum(histories.iter().map(|h| h.revenue), "total revenue")?;
    let n = histories.len() as u64;
    Segment::ALL
        .iter()
        .map(|&s| {
            let members: Vec<&History<'_>> = histories
                .iter()
                .zip(segment)
                .filter(|(_, &seg)| seg == s)
                .map(|(h, _)| h)
                .collect();
            let revenue = sum(members.iter().map(|h| h.revenue), "a segment's revenue")?;
            let revenue_share = if total > Decimal::ZERO {
                ratio(revenue, total, "revenue share")?.map(to_f64)
            } else {
                None
            };
            Ok(SegmentSummary {
                segment: s,
                label: s.label(),
                customers: members.len() as u64,
                customer_share: share(members.len() as u64, n).unwrap_or(0.0),
                revenue: format_money(revenue, 2),
                revenue_share,
            })
        })
        .collect()
}
