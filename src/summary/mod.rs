//! Per-customer statistics and store-wide figures read from a [`crate::dataset::Dataset`]: the
//! BTYD customer table, KPIs, monthly acquisition cohorts, and acquisition cost by channel.
//!
//! Every analysis here and in [`crate::segments`] shares one observation end and one purchase
//! policy, documented on [`SummaryOptions`] and in `history.rs`:
//!
//! - **asOf** (default: the last order day in the data, returns included). Orders dated after it
//!   are ignored; a customer is analysed only with at least one purchase on or before it.
//! - **Purchase**: an order that is not a return (`Order::is_return` false: not marked as a
//!   cancellation and net amount ≥ 0). Returns are never purchases, but their (negative) amounts
//!   are netted into revenue. A customer whose orders up to asOf are all returns is left out.

pub(crate) mod calendar;
pub(crate) mod history;

mod acquisition;
mod cohorts;
pub(crate) mod customers;
mod kpis;

pub use acquisition::{
    acquisition, Acquisition, AcquisitionOptions, ChannelAcquisition, ChannelCohortTable,
    ChannelSpend, Unattributed,
};
pub use cohorts::{cohorts, subscription_cohorts, Cohorts};
pub use customers::{customer_table, CustomerColumn, CustomerColumns, CustomerTable};
pub use kpis::{kpis, Kpis, RetentionSeries};

use crate::dataset::Day;
use serde::{Deserialize, Serialize};

/// The time unit of the BTYD summary (`recency` and `T`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Calendar days (lifetimes `freq="D"`).
    #[default]
    Days,
    /// Monday-to-Sunday weeks (lifetimes `freq="W"`, pandas `W-SUN` periods), counted between
    /// the Mondays that start them.
    Weeks,
    /// Calendar months, counted as whole-month differences (Jan 31 → Feb 1 is 1 month).
    Months,
}

/// Options shared by the summary analyses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SummaryOptions {
    /// Unit of the BTYD `recency` and `T` (default days). Only [`customer_table`] uses it.
    pub unit: TimeUnit,
    /// The end of the observation window, inclusive; default: the last order day in the data.
    pub as_of: Option<Day>,
}
