//! Calculator inputs as they arrive from JSON or JS: [`Scalar`] accepts any value, and the
//! validation helpers turn it into exact numbers, naming the field and what is accepted on error.

use crate::error::{Error, ErrorCode, Result};
use crate::money::{self, format_exact};
use rust_decimal::prelude::{Decimal, ToPrimitive};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Bound, RangeBounds};

/// Largest whole number a JS number holds exactly: 2^53 − 1.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// One input value of any JS/JSON type; the validation helpers decide what is acceptable.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Num(f64),
    /// Any other type, by its JS name: "boolean", "array", "object", "null", "bytes".
    Other(&'static str),
}

impl Scalar {
    fn type_name(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "string",
            Scalar::Num(_) => "number",
            Scalar::Other(name) => name,
        }
    }

    /// The value as shown in a message: strings quoted and cut to 24 characters.
    fn shown(&self) -> String {
        match self {
            Scalar::Str(s) if s.chars().count() > 24 => {
                format!("\"{}…\"", s.chars().take(24).collect::<String>())
            }
            Scalar::Str(s) => format!("\"{s}\""),
            Scalar::Num(x) if x.is_nan() => "NaN".to_owned(),
            Scalar::Num(x) if x.is_infinite() => {
                if *x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
            }
            Scalar::Num(x) if x.to_string().len() > 24 => format!("{x:e}"),
            Scalar::Num(x) => x.to_string(),
            Scalar::Other(name) => (*name).to_owned(),
        }
    }
}

impl From<&str> for Scalar {
    fn from(s: &str) -> Self {
        Scalar::Str(s.to_owned())
    }
}

impl From<f64> for Scalar {
    fn from(x: f64) -> Self {
        Scalar::Num(x)
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }

    fn visit_char<E>(self, v: char) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Str(v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Num(v as f64))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Num(v as f64))
    }

    fn visit_i128<E>(self, v: i128) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Num(v as f64))
    }

    fn visit_u128<E>(self, v: u128) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Num(v as f64))
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Num(v))
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Other("boolean"))
    }

    fn visit_unit<E>(self) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Other("null"))
    }

    fn visit_none<E>(self) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Other("null"))
    }

    fn visit_some<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Scalar, D::Error> {
        Scalar::deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Scalar, D::Error> {
        Scalar::deserialize(deserializer)
    }

    fn visit_bytes<E>(self, _: &[u8]) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Other("bytes"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("object"))
    }
}

/// The keys of an input object that its calculator does not know. Input structs collect them with
/// `#[serde(flatten)]` (which makes serde read every key of the object, JS or JSON, instead of
/// only the declared ones) and reject them with [`reject_unknown`]: a typo never goes unnoticed.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct Unknown(BTreeMap<String, IgnoredAny>);

/// `UNKNOWN_FIELD` for the first unknown key (`prefix` is "" or a path such as "channels[2].").
pub fn reject_unknown(prefix: &str, unknown: &Unknown) -> Result<()> {
    match unknown.0.keys().next() {
        None => Ok(()),
        Some(key) => {
            let field = format!("{prefix}{key}");
            let message = format!("{field} is not an input of this calculator (check its spelling against the documented inputs)");
            Err(Error::new(ErrorCode::UnknownField, message).with_field(field))
        }
    }
}

/// The value of a required field; `MISSING_FIELD` when absent (or null / undefined).
pub fn required<'a>(field: &str, value: Option<&'a Scalar>) -> Result<&'a Scalar> {
    value.ok_or_else(|| {
        Error::new(ErrorCode::MissingField, format!("{field} is required")).with_field(field)
    })
}

/// Parses `value` with `parse` when present; `None` when absent.
pub fn optional<'a, T>(
    value: Option<&'a Scalar>,
    parse: impl FnOnce(Option<&'a Scalar>) -> Result<T>,
) -> Result<Option<T>> {
    value.map(|v| parse(Some(v))).transpose()
}

/// A list option as JS sends it: an array of scalars, or (a mistake, reported by [`list`])
/// a single value.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub enum Listed {
    Items(Vec<Scalar>),
    Single(Scalar),
}

/// The items of an optional list option; `INVALID_TYPE` on `field` when it is not an array.
pub fn list<'a>(field: &str, value: Option<&'a Listed>) -> Result<Option<&'a [Scalar]>> {
    match value {
        None => Ok(None),
        Some(Listed::Items(items)) => Ok(Some(items)),
        Some(Listed::Single(v)) => Err(invalid_type(field, "an array", v)),
    }
}

fn invalid_type(field: &str, accepted: &str, value: &Scalar) -> Error {
    let message = format!("{field} must be {accepted} (got {})", value.type_name());
    Error::new(ErrorCode::InvalidType, message).with_field(field)
}

/// A required exact decimal of any sign, from a decimal string or a finite number.
pub fn decimal(field: &str, value: Option<&Scalar>) -> Result<Decimal> {
    let value = required(field, value)?;
    let parsed = match value {
        Scalar::Str(s) => money::parse_decimal(s),
        Scalar::Num(x) => money::decimal_from_f64_repr(*x),
        Scalar::Other(_) => return Err(invalid_type(field, "a number or a decimal string", value)),
    };
    parsed.map_err(|e| {
        let message = format!("{field} {} (got {})", e.reason(), value.shown());
        Error::new(e.code(), message).with_field(field)
    })
}

/// A required amount ≥ 0 (`NEGATIVE` below 0).
pub fn money(field: &str, value: Option<&Scalar>) -> Result<Decimal> {
    decimal_in_range(
        field,
        value,
        Bound::Included(Decimal::ZERO),
        Bound::Unbounded,
    )
}

/// A required decimal within `min`..`max`.
pub fn decimal_in_range(
    field: &str,
    value: Option<&Scalar>,
    min: Bound<Decimal>,
    max: Bound<Decimal>,
) -> Result<Decimal> {
    check_range(field, decimal(field, value)?, min, max)
}

/// `value` if within `min`..`max`; below an inclusive 0 it is `NEGATIVE`, otherwise `OUT_OF_RANGE`.
pub fn check_range(
    field: &str,
    value: Decimal,
    min: Bound<Decimal>,
    max: Bound<Decimal>,
) -> Result<Decimal> {
    if (min, max).contains(&value) {
        return Ok(value);
    }
    let code = if value.is_sign_negative() && min == Bound::Included(Decimal::ZERO) {
        ErrorCode::Negative
    } else {
        ErrorCode::OutOfRange
    };
    let message = format!(
        "{field} must be {} (got {})",
        describe_range(min, max),
        format_exact(value)
    );
    Err(Error::new(code, message).with_field(field))
}

fn describe_range(min: Bound<Decimal>, max: Bound<Decimal>) -> String {
    let lower = match min {
        Bound::Included(a) => Some(format!("at least {}", format_exact(a))),
        Bound::Excluded(a) => Some(format!("greater than {}", format_exact(a))),
        Bound::Unbounded => None,
    };
    let upper = match max {
        Bound::Included(b) => Some(format!("at most {}", format_exact(b))),
        Bound::Excluded(b) => Some(format!("less than {}", format_exact(b))),
        Bound::Unbounded => None,
    };
    [lower, upper]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A required whole number in `min..=max`, from a number or a numeric string ("12", "1,000").
pub fn count_in_range(field: &str, value: Option<&Scalar>, min: u64, max: u64) -> Result<u64> {
    let d = decimal(field, value)?;
    if d != d.trunc() {
        let message = format!("{field} must be a whole number (got {})", format_exact(d));
        return Err(Error::new(ErrorCode::NotInteger, message).with_field(field));
    }
    let d = check_range(
        field,
        d,
        Bound::Included(Decimal::from(min)),
        Bound::Included(Decimal::from(max)),
    )?;
    d.to_u64()
        .ok_or_else(|| internal(&format!("{field} passed its range check but is not a u64")))
}

/// A required whole number ≥ 0 (at most 2^53 − 1).
pub fn count(field: &str, value: Option<&Scalar>) -> Result<u64> {
    count_in_range(field, value, 0, MAX_SAFE_INTEGER)
}

/// The `decimals` output option: a whole number 0–10, default 2.
pub fn decimals(value: Option<&Scalar>) -> Result<u32> {
    let n = optional(value, |v| count_in_range("decimals", v, 0, 10))?.unwrap_or(2);
    u32::try_from(n).map_err(|_| internal("decimals passed its range check but is not a u32"))
}

/// A required string.
pub fn text<'a>(field: &str, value: Option<&'a Scalar>) -> Result<&'a str> {
    match required(field, value)? {
        Scalar::Str(s) => Ok(s),
        other => Err(invalid_type(field, "a string", other)),
    }
}

/// Which of two alternative fields was given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OneOf<'a> {
    First(&'a Scalar),
    Second(&'a Scalar),
}

/// Exactly one of two alternatives: both → `CONFLICTING_FIELDS`, neither → `MISSING_FIELD`
/// (both errors carry `field_a` as the field and name both in the message).
pub fn exactly_one_of<'a>(
    field_a: &str,
    a: Option<&'a Scalar>,
    field_b: &str,
    b: Option<&'a Scalar>,
) -> Result<OneOf<'a>> {
    match (a, b) {
        (Some(a), None) => Ok(OneOf::First(a)),
        (None, Some(b)) => Ok(OneOf::Second(b)),
        (Some(_), Some(_)) => {
            let message = format!("give either {field_a} or {field_b}, not both");
            Err(Error::new(ErrorCode::ConflictingFields, message).with_field(field_a))
        }
        (None, None) => {
            let message = format!("{field_a} or {field_b} is required (give exactly one of them)");
            Err(Error::new(ErrorCode::MissingField, message).with_field(field_a))
        }
    }
}

/// `OVERFLOW` for a result (named `what`) beyond the exact decimal range.
pub fn overflow(what: &str) -> Error {
    let message = format!(
        "{what} is beyond the exact decimal range (about ±7.9e28); check the inputs for extra zeros or a misplaced exponent"
    );
    Error::new(ErrorCode::Overflow, message)
}

/// A bug: a state the validation should have ruled out.
pub fn internal(what: &str) -> Error {
    Error::new(
        ErrorCode::Internal,
        format!("internal error, please report it: {what}"),
    )
}

/// Maps a failed `checked_*` operation of `rust_decimal` to `OVERFLOW`.
pub trait OrOverflow {
    fn or_overflow(self, what: &str) -> Result<Decimal>;
}

impl OrOverflow for Option<Decimal> {
    fn or_overflow(self, what: &str) -> Result<Decimal> {
        self.ok_or_else(|| overflow(what))
    }
}
