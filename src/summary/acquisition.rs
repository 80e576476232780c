//! Acquisition by channel: new customers per channel and per channel × cohort month, CAC from
//! the merchant's spend, historical CLV, CLV:CAC and payback months, with gaps reported.
//!
//! A customer's acquisition channel is `Dataset::customer_channel` (the channel of their first
//! order); their cohort month is the month of their first purchase. Only customers with a
//! purchase on or before asOf count. Definitions (per channel, and per channel × cohort month):
//!
//! - `newCustomers`: customers acquired by the channel.
//! - `cac` = spend / newCustomers, by [`crate::calc::cac`] per channel (null without customers;
//!   the channel is then listed in `channelsWithoutCustomers` with a warning). Cohort CAC uses
//!   the spend given for that month.
//! - `historicalClv` = net revenue of the channel's customers up to asOf / newCustomers.
//! - `customerMonths` = Σ over the channel's customers of (asOf − first purchase + 1) days /
//!   30.436875 (the average Gregorian month): how long the channel's customers were observed.
//! - `monthlyRevenuePerCustomer` = revenue / customerMonths.
//! - `clvCacRatio`, `band` and `paybackMonths` by [`crate::calc::clv_cac_ratio`] with
//!   clv = historicalClv, cac, and monthlyRevenuePerCustomer: payback = cac /
//!   (monthlyRevenuePerCustomer × grossMarginPercent / 100), grossMarginPercent defaulting to 100
//!   (a revenue payback); null when CAC is 0 or unknown, or the monthly revenue is not positive.
//! - The blended CAC is [`crate::calc::cac`]'s: total spend / new customers of the channels with
//!   spend. Customers without a channel are reported in `unattributed`.
//!
//! Channel names match the data's exactly (after trimming; case-sensitive).

use super::calendar::{days_per_month, iso_date, month_index, month_label, parse_month};
use super::history::{days_between, exact, histories, ratio, resolve_as_of, History, OrInternal};
use crate::calc::{
    cac, clv_cac_ratio, BlendedCac, CacInput, ChannelSpendInput, ClvCacRatioInput, RatioBand,
};
use crate::dataset::{Dataset, Day};
use crate::error::{Error, ErrorCode, Result, Warning};
use crate::input::{OrOverflow, Scalar};
use crate::money::{format_money, to_f64};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Most distinct channels in the spend list (as `calc::cac` accepts).
const MAX_CHANNELS: usize = 1000;
/// Longest channel name, in characters.
const MAX_CHANNEL_NAME: usize = 200;

/// Marketing spend of one channel, for one month ("YYYY-MM") or as one total (`month: None`).
/// A channel is given either as one total or by month, not both.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelSpend {
    pub channel: String,
    pub month: Option<String>,
    pub spend: Decimal,
}

/// Options of [`acquisition`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcquisitionOptions {
    /// The observation end, inclusive; default: the last order day in the data.
    pub as_of: Option<Day>,
    /// Spend per channel (and optionally per month); may be empty.
    pub spend: Vec<ChannelSpend>,
    /// Gross margin in percent (0–100) applied to revenue for the payback period; default 100.
    pub gross_margin_percent: Option<Decimal>,
}

/// One channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelAcquisition {
    pub channel: String,
    pub new_customers: u64,
    /// newCustomers / all customers (unattributed included).
    pub customer_share: f64,
    /// Total spend given for the channel; null when none was given.
    pub spend: Option<String>,
    /// This channel's spend / total spend; null without spend.
    pub spend_share: Option<f64>,
    pub cac: Option<String>,
    pub revenue: String,
    pub historical_clv: Option<String>,
    pub customer_months: f64,
    pub monthly_revenue_per_customer: Option<String>,
    pub clv_cac_ratio: Option<f64>,
    pub band: Option<RatioBand>,
    pub payback_months: Option<f64>,
    pub payback_within_twelve_months: Option<bool>,
}

/// Channel × cohort month rows, columnar, sorted by channel name then month: every pair with
/// new customers or with spend given for that month.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelCohortTable {
    pub channel: Vec<String>,
    /// Cohort month, "YYYY-MM".
    pub month: Vec<String>,
    pub new_customers: Vec<u64>,
    /// Spend given for the channel and month; null when none was given by month.
    pub spend: Vec<Option<String>>,
    pub cac: Vec<Option<String>>,
    /// Net revenue of the cohort's customers up to asOf.
    pub revenue: Vec<String>,
    pub historical_clv: Vec<Option<String>>,
}

/// Customers whose first order carried no channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unattributed {
    pub new_customers: u64,
    pub revenue: String,
    pub historical_clv: Option<String>,
}

/// Result of [`acquisition`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Acquisition {
    pub as_of: String,
    /// Channels with customers or spend: those named in the data in order of first appearance
    /// in the file, then those only named in the spend list, in its order.
    pub channels: Vec<ChannelAcquisition>,
    pub cohorts: ChannelCohortTable,
    /// Total spend / new customers of the channels with spend; null without spend or customers.
    pub blended: Option<BlendedCac>,
    pub unattributed: Unattributed,
    /// Channels with spend but no new customers.
    pub channels_without_customers: Vec<String>,
    /// Channels with new customers but no spend given.
    pub channels_without_spend: Vec<String>,
    pub warnings: Vec<Warning>,
    pub formula: String,
}

/// Validated spend of one channel.
#[derive(Debug, Clone)]
struct Spend {
    /// Index of the channel's first entry in the spend list.
    entry: usize,
    total: Decimal,
    by_month: BTreeMap<i64, Decimal>,
}

/// Exact figures of a group of customers (a channel, a cohort, the unattributed).
#[derive(Debug, Clone, Default)]
struct Group {
    customers: u64,
    revenue: Decimal,
    observed_days: i64,
}

impl Group {
    fn add(&mut self, h: &History<'_>, as_of: Day) -> Result<()> {
        self.customers = self.customers.saturating_add(1);
        self.revenue = self
            .revenue
            .checked_add(h.revenue)
            .or_overflow("a channel's revenue")?;
        let days = days_between(h.first, as_of).saturating_add(1);
        self.observed_days = self.observed_days.saturating_add(days);
        Ok(())
    }

    fn clv(&self) -> Result<Option<Decimal>> {
        ratio(
            self.revenue,
            Decimal::from(self.customers),
            "historical CLV",
        )
    }
}

/// Acquisition figures per channel and per channel × cohort month.
pub fn acquisition(dataset: &Dataset, options: &AcquisitionOptions) -> Result<Acquisition> {
    let spend = parse_spend(&options.spend)?;
    let margin = options
        .gross_margin_percent
        .map(|m| {
            crate::input::check_range(
                "grossMarginPercent",
                m,
                std::ops::Bound::Included(Decimal::ZERO),
                std::ops::Bound::Included(Decimal::ONE_HUNDRED),
            )
        })
        .transpose()?;
    let as_of = resolve_as_of(dataset, options.as_of)?;
    let histories = histories(dataset, as_of)?;
    let all_customers = u64::try_from(histories.len()).or_internal("customer count")?;
    let groups = group_customers(dataset, &histories, as_of)?;
    let channel_groups = channel_groups(groups.by_channel, dataset, &spend);
    let cac_result = channel_cacs(&channel_groups, &spend)?;
    let mut warnings = Vec::new();
    let mut channels = Vec::with_capacity(channel_groups.len());
    let mut without_customers = Vec::new();
    let mut without_spend = Vec::new();
    for (name, group) in &channel_groups {
        let paid = spend.get(name);
        if let (Some(s), 0) = (paid, group.customers) {
            without_customers.push(name.clone());
            let message = format!(
                "channel \"{name}\" has spend but acquired no customer on or before asOf: its CAC is undefined"
            );
            warnings.push(Warning::new(
                "CHANNEL_NO_CUSTOMERS",
                format!("spend[{}].channel", s.entry),
                message,
            ));
        }
        if paid.is_none() {
            without_spend.push(name.clone());
        }
        let calc = cac_result
            .as_ref()
            .and_then(|(_, list)| list.iter().find(|c| &c.channel == name));
        channels.push(channel_row(name, group, paid, calc, all_customers, margin)?);
    }
    Ok(Acquisition {
        as_of: iso_date(as_of),
        channels,
        cohorts: cohort_table(&groups.by_cohort, &spend)?,
        blended: cac_result.map(|(blended, _)| blended),
        unattributed: Unattributed {
            new_customers: groups.unattributed.customers,
            revenue: format_money(groups.unattributed.revenue, 2),
            historical_clv: groups.unattributed.clv()?.map(|d| format_money(d, 2)),
        },
        channels_without_customers: without_customers,
        channels_without_spend: without_spend,
        warnings,
        formula: "cac = spend / newCustomers; historicalClv = revenue / newCustomers; \
                  customerMonths = Σ (asOf − firstPurchase + 1) days / 30.436875; \
                  monthlyRevenuePerCustomer = revenue / customerMonths; clvCacRatio = historicalClv / cac; \
                  paybackMonths = cac / (monthlyRevenuePerCustomer × grossMarginPercent / 100)"
            .to_owned(),
    })
}

/// The customers grouped by acquisition channel, by channel × cohort month, and without channel.
#[derive(Debug, Default)]
struct Groups {
    by_channel: BTreeMap<u32, Group>,
    by_cohort: BTreeMap<(String, i64), Group>,
    unattributed: Group,
}

fn group_customers(dataset: &Dataset, histories: &[History<'_>], as_of: Day) -> Result<Groups> {
    let mut groups = Groups::default();
    for h in histories {
        let channel = dataset
            .customer_channel
            .get(h.customer as usize)
            .copied()
            .flatten();
        let Some(channel) = channel else {
            groups.unattributed.add(h, as_of)?;
            continue;
        };
        groups
            .by_channel
            .entry(channel)
            .or_default()
            .add(h, as_of)?;
        let name = dataset.channels.name(channel).to_owned();
        groups
            .by_cohort
            .entry((name, month_index(h.first)))
            .or_default()
            .add(h, as_of)?;
    }
    Ok(groups)
}

/// Every channel with customers or spend, named: channels of the data in order of first
/// appearance, then spend-only channels in spend order.
fn channel_groups(
    by_channel: BTreeMap<u32, Group>,
    dataset: &Dataset,
    spend: &HashMap<String, Spend>,
) -> Vec<(String, Group)> {
    let mut groups: Vec<(String, Group)> = by_channel
        .into_iter()
        .map(|(c, g)| (dataset.channels.name(c).to_owned(), g))
        .collect();
    for name in spend.keys() {
        if !groups.iter().any(|(n, _)| n == name) {
            groups.push((name.clone(), Group::default()));
        }
    }
    groups.sort_by_key(|(name, _)| match dataset.channels.lookup(name) {
        Some(i) => (0, i as usize),
        None => (1, spend.get(name).map_or(usize::MAX, |s| s.entry)),
    });
    groups
}

/// Validates the spend list into one entry per channel.
fn parse_spend(list: &[ChannelSpend]) -> Result<HashMap<String, Spend>> {
    let mut out: HashMap<String, Spend> = HashMap::new();
    let mut has_total: HashMap<String, bool> = HashMap::new();
    for (i, entry) in list.iter().enumerate() {
        let field = |name: &str| format!("spend[{i}].{name}");
        let name = entry.channel.trim();
        let length = name.chars().count();
        if length == 0 || length > MAX_CHANNEL_NAME {
            let message = format!(
                "{} must be a name of 1 to {MAX_CHANNEL_NAME} characters (got {length})",
                field("channel")
            );
            return Err(Error::new(ErrorCode::OutOfRange, message).with_field(field("channel")));
        }
        if entry.spend.is_sign_negative() && !entry.spend.is_zero() {
            let message = format!(
                "{} must be at least 0 (got {})",
                field("spend"),
                entry.spend
            );
            return Err(Error::new(ErrorCode::Negative, message).with_field(field("spend")));
        }
        let month = match &entry.month {
            None => None,
            Some(label) => Some(parse_month(label).ok_or_else(|| {
                let message = format!(
                    "{} must be a month written YYYY-MM, e.g. 2024-03 (got \"{label}\")",
                    field("month")
                );
                Error::new(ErrorCode::InvalidDate, message).with_field(field("month"))
            })?),
        };
        let total_row = month.is_none();
        if let Some(previous) = has_total.insert(name.to_owned(), total_row) {
            if previous || total_row {
                let message = format!(
                    "channel \"{name}\" is given twice: give a channel's spend either as one total \
                     (no month) or once per month"
                );
                return Err(
                    Error::new(ErrorCode::ConflictingFields, message).with_field(field("channel"))
                );
            }
        }
        if !out.contains_key(name) && out.len() >= MAX_CHANNELS {
            let message = format!("spend may name at most {MAX_CHANNELS} channels");
            return Err(Error::new(ErrorCode::OutOfRange, message).with_field(field("channel")));
        }
        let spend = out.entry(name.to_owned()).or_insert(Spend {
            entry: i,
            total: Decimal::ZERO,
            by_month: BTreeMap::new(),
        });
        spend.total = spend
            .total
            .checked_add(entry.spend)
            .or_overflow("a channel's total spend")?;
        if let Some(m) = month {
            if spend.by_month.insert(m, entry.spend).is_some() {
                let message = format!(
                    "channel \"{name}\" has two entries for {}: give each month once",
                    month_label(m)
                );
                return Err(
                    Error::new(ErrorCode::ConflictingFields, message).with_field(field("month"))
                );
            }
        }
    }
    Ok(out)
}

/// `calc::cac` over the channels with spend; `None` without spend or without any of their customers.
fn channel_cacs(
    groups: &[(String, Group)],
    spend: &HashMap<String, Spend>,
) -> Result<Option<(BlendedCac, Vec<crate::calc::ChannelCac>)>> {
    let paid: Vec<(&String, &Group, &Spend)> = groups
        .iter()
        .filter_map(|(name, g)| spend.get(name).map(|s| (name, g, s)))
        .collect();
    if paid.iter().all(|(_, g, _)| g.customers == 0) {
        return Ok(None);
    }
    let input = CacInput {
        channels: Some(
            paid.iter()
                .map(|(name, g, s)| ChannelSpendInput {
                    channel: Some(Scalar::Str((*name).clone())),
                    spend: Some(exact(s.total)),
                    new_customers: Some(Scalar::Str(g.customers.to_string())),
                    ..ChannelSpendInput::default()
                })
                .collect(),
        ),
        ..CacInput::default()
    };
    let result = cac(&input)?;
    Ok(Some((result.blended, result.channels)))
}

fn channel_row(
    name: &str,
    group: &Group,
    spend: Option<&Spend>,
    calc: Option<&crate::calc::ChannelCac>,
    all_customers: u64,
    margin: Option<Decimal>,
) -> Result<ChannelAcquisition> {
    let clv = group.clv()?;
    let customer_months = ratio(
        Decimal::from(group.observed_days),
        days_per_month(),
        "customer months",
    )?
    .unwrap_or(Decimal::ZERO);
    let monthly = ratio(
        group.revenue,
        customer_months,
        "monthly revenue per customer",
    )?;
    let cac_exact = match spend {
        Some(s) => ratio(s.total, Decimal::from(group.customers), "cac")?,
        None => None,
    };
    let mut row = ChannelAcquisition {
        channel: name.to_owned(),
        new_customers: group.customers,
        customer_share: share_of(group.customers, all_customers),
        spend: spend.map(|s| format_money(s.total, 2)),
        spend_share: calc.map(|c| c.spend_share),
        cac: calc.and_then(|c| c.cac.clone()),
        revenue: format_money(group.revenue, 2),
        historical_clv: clv.map(|d| format_money(d, 2)),
        customer_months: to_f64(customer_months),
        monthly_revenue_per_customer: monthly.map(|d| format_money(d, 2)),
        clv_cac_ratio: None,
        band: None,
        payback_months: None,
        payback_within_twelve_months: None,
    };
    if let (Some(clv), Some(cac)) = (clv, cac_exact.filter(|c| !c.is_zero())) {
        let input = ClvCacRatioInput {
            clv: Some(exact(clv)),
            cac: Some(exact(cac)),
            monthly_revenue_per_customer: monthly.filter(|m| *m > Decimal::ZERO).map(exact),
            gross_margin_percent: margin.map(exact),
            ..ClvCacRatioInput::default()
        };
        match clv_cac_ratio(&input) {
            Ok(r) => {
                row.clv_cac_ratio = Some(r.ratio);
                row.band = Some(r.band);
                row.payback_months = r.payback.as_ref().map(|p| p.months);
                row.payback_within_twelve_months = r.payback.map(|p| p.within_twelve_months);
            }
            // A zero margin makes the payback infinite: keep the ratio, leave the payback out.
            Err(e) if e.code == ErrorCode::OutOfRange => {
                let input = ClvCacRatioInput {
                    monthly_revenue_per_customer: None,
                    ..input
                };
                let r = clv_cac_ratio(&input)?;
                row.clv_cac_ratio = Some(r.ratio);
                row.band = Some(r.band);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(row)
}

fn share_of(part: u64, whole: u64) -> f64 {
    super::history::share(part, whole).unwrap_or(0.0)
}

fn cohort_table(
    by_cohort: &BTreeMap<(String, i64), Group>,
    spend: &HashMap<String, Spend>,
) -> Result<ChannelCohortTable> {
    let mut keys: Vec<(String, i64)> = by_cohort.keys().cloned().collect();
    for (name, s) in spend {
        for &m in s.by_month.keys() {
            keys.push((name.clone(), m));
        }
    }
    keys.sort();
    keys.dedup();
    let empty = Group::default();
    let mut table = ChannelCohortTable::default();
    for key in keys {
        let group = by_cohort.get(&key).unwrap_or(&empty);
        let month_spend = spend
            .get(&key.0)
            .and_then(|s| s.by_month.get(&key.1))
            .copied();
        let cac = match month_spend {
            Some(s) => ratio(s, Decimal::from(group.customers), "cohort cac")?,
            None => None,
        };
        table.channel.push(key.0);
        table.month.push(month_label(key.1));
        table.new_customers.push(group.customers);
        table.spend.push(month_spend.map(|s| format_money(s, 2)));
        table.cac.push(cac.map(|d| format_money(d, 2)));
        table.revenue.push(format_money(group.revenue, 2));
        table
            .historical_clv
            .push(group.clv()?.map(|d| format_money(d, 2)));
    }
    Ok(table)
}
