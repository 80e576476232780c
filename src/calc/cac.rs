//! Customer acquisition cost: spend / new customers, for one total or per channel with a blended
//! figure, each channel's share of spend and customers, and a warning for channels with no customers.

use super::quotient;
use crate::error::{Error, ErrorCode, Result, Warning};
use crate::input::{self, count, money, text, OrOverflow, Scalar, Unknown, MAX_SAFE_INTEGER};
use crate::money::{format_money, to_f64};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Most channels accepted in one call.
const MAX_CHANNELS: usize = 1000;
/// Longest channel name, in characters.
const MAX_CHANNEL_NAME: usize = 200;

/// One channel of [`CacInput`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelSpendInput {
    pub channel: Option<Scalar>,
    pub spend: Option<Scalar>,
    pub new_customers: Option<Scalar>,
    /// Keys this calculator does not know: reported as `UNKNOWN_FIELD`.
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// Inputs of [`cac`]: either `spend` + `newCustomers` or `channels`; see `CacInput` in `js/index.d.ts`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacInput {
    pub spend: Option<Scalar>,
    pub new_customers: Option<Scalar>,
    pub channels: Option<Vec<ChannelSpendInput>>,
    pub decimals: Option<Scalar>,
    /// Keys this calculator does not know: reported as `UNKNOWN_FIELD`.
    #[serde(flatten)]
    pub unknown: Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlendedCac {
    pub spend: String,
    pub new_customers: u64,
    pub cac: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelCac {
    pub channel: String,
    pub spend: String,
    pub new_customers: u64,
    pub cac: Option<String>,
    pub spend_share: f64,
    pub customer_share: f64,
}

/// Result of [`cac`]; `kind` is `"cac"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CacResult {
    pub kind: &'static str,
    pub blended: BlendedCac,
    pub channels: Vec<ChannelCac>,
    pub warnings: Vec<Warning>,
    pub formula: String,
}

/// A validated channel.
struct Channel {
    name: String,
    spend: Decimal,
    new_customers: u64,
}

/// Acquisition cost per new customer, blended over all channels and per channel.
pub fn cac(input: &CacInput) -> Result<CacResult> {
    input::reject_unknown("", &input.unknown)?;
    let decimals = input::decimals(input.decimals.as_ref())?;
    let single = input.spend.is_some() || input.new_customers.is_some();
    let channels = match &input.channels {
        Some(_) if single => {
            let field = if input.spend.is_some() {
                "spend"
            } else {
                "newCustomers"
            };
            let message =
                "give either spend and newCustomers (one total) or channels (a list), not both";
            return Err(Error::new(ErrorCode::ConflictingFields, message).with_field(field));
        }
        Some(list) => Some(parse_channels(list)?),
        None => None,
    };
    let (spend, new_customers) = match &channels {
        Some(list) => totals(list)?,
        None if !single => {
            let message = "spend and newCustomers (one total) or channels (a list) are required";
            return Err(Error::new(ErrorCode::MissingField, message).with_field("spend"));
        }
        None => (
            money("spend", input.spend.as_ref())?,
            count("newCustomers", input.new_customers.as_ref())?,
        ),
    };
    if new_customers == 0 {
        let (field, message) = if channels.is_some() {
            ("channels", "the channels brought no new customers in total: CAC (spend per new customer) is undefined")
        } else {
            (
                "newCustomers",
                "newCustomers is 0: CAC (spend per new customer) is undefined",
            )
        };
        return Err(Error::new(ErrorCode::ZeroNewCustomers, message).with_field(field));
    }
    let mut warnings = Vec::new();
    let per_channel = channels
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, c)| channel_cac(i, c, spend, new_customers, decimals, &mut warnings))
        .collect::<Result<Vec<_>>>()?;
    Ok(CacResult {
        kind: "cac",
        blended: BlendedCac {
            spend: format_money(spend, decimals),
            new_customers,
            cac: format_money(per_customer(spend, new_customers, "blended.cac")?, decimals),
        },
        channels: per_channel,
        warnings,
        formula: "cac = spend / newCustomers; blended cac = total spend / total newCustomers; \
                  spendShare = channel spend / total spend; customerShare = channel newCustomers / total newCustomers"
            .to_owned(),
    })
}

fn parse_channels(list: &[ChannelSpendInput]) -> Result<Vec<Channel>> {
    if list.is_empty() || list.len() > MAX_CHANNELS {
        let message = format!(
            "channels must list from 1 to {MAX_CHANNELS} channels (got {})",
            list.len()
        );
        return Err(Error::new(ErrorCode::OutOfRange, message).with_field("channels"));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut channels = Vec::with_capacity(list.len());
    for (i, entry) in list.iter().enumerate() {
        let path = |name: &str| format!("channels[{i}].{name}");
        input::reject_unknown(&path(""), &entry.unknown)?;
        let name_field = path("channel");
        let name = text(&name_field, entry.channel.as_ref())?.trim();
        let length = name.chars().count();
        if length == 0 || length > MAX_CHANNEL_NAME {
            let message = format!(
                "{name_field} must be a name of 1 to {MAX_CHANNEL_NAME} characters (got {length})"
            );
            return Err(Error::new(ErrorCode::OutOfRange, message).with_field(name_field));
        }
        if let Some(first) = seen.insert(name, i) {
            let message = format!("{name_field} \"{name}\" is listed twice (also channels[{first}]); give each channel once");
            return Err(Error::new(ErrorCode::ConflictingFields, message).with_field(name_field));
        }
        channels.push(Channel {
            name: name.to_owned(),
            spend: money(&path("spend"), entry.spend.as_ref())?,
            new_customers: count(&path("newCustomers"), entry.new_customers.as_ref())?,
        });
    }
    Ok(channels)
}

/// Total spend and total new customers (at most 2^53 − 1, so the count stays exact in JS).
fn totals(channels: &[Channel]) -> Result<(Decimal, u64)> {
    let mut spend = Decimal::ZERO;
    let mut customers: u64 = 0;
    for c in channels {
        spend = spend.checked_add(c.spend).or_overflow("total spend")?;
        customers = customers
            .checked_add(c.new_customers)
            .filter(|n| *n <= MAX_SAFE_INTEGER)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::Overflow,
                    "total newCustomers is beyond 2^53 − 1 (9007199254740991)",
                )
                .with_field("channels")
            })?;
    }
    Ok((spend, customers))
}

fn per_customer(spend: Decimal, customers: u64, what: &str) -> Result<Decimal> {
    quotient(spend, Decimal::from(customers), what)
}

/// `part / whole` as a number, 0 when the whole is 0.
fn share(part: Decimal, whole: Decimal) -> Result<f64> {
    if whole.is_zero() {
        return Ok(0.0);
    }
    quotient(part, whole, "share").map(to_f64)
}

fn channel_cac(
    index: usize,
    channel: Channel,
    total_spend: Decimal,
    total_customers: u64,
    decimals: u32,
    warnings: &mut Vec<Warning>,
) -> Result<ChannelCac> {
    let cac = if channel.new_customers == 0 {
        let message = format!(
            "channel \"{}\" brought no new customers: its CAC is undefined (its spend counts in the blended CAC)",
            channel.name
        );
        warnings.push(Warning::new(
            "CHANNEL_NO_CUSTOMERS",
            format!("channels[{index}].newCustomers"),
            message,
        ));
        None
    } else {
        Some(format_money(
            per_customer(channel.spend, channel.new_customers, "cac")?,
            decimals,
        ))
    };
    Ok(ChannelCac {
        spend: format_money(channel.spend, decimals),
        new_customers: channel.new_customers,
        cac,
        spend_share: share(channel.spend, total_spend)?,
        customer_share: share(
            Decimal::from(channel.new_customers),
            Decimal::from(total_customers),
        )?,
        channel: channel.name,
    })
}
