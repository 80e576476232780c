//! Exact decimal numbers at the edges: parsing user strings and JS numbers into `Decimal` without
//! ever going through a binary float, and formatting money (fixed places) and exact echoes.

use crate::error::ErrorCode;
use rust_decimal::prelude::{Decimal, RoundingStrategy, ToPrimitive};
use std::fmt;

/// Longest numeric string accepted, in bytes (a guard against huge inputs).
pub const MAX_NUMBER_LEN: usize = 64;

/// Largest magnitude of a `Decimal` mantissa: 2^96 − 1.
const MAX_MANTISSA: u128 = (1 << 96) - 1;
/// Digits of `MAX_MANTISSA`.
const MAX_DIGITS: i64 = 29;

/// Why a string or number is not an exact decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseDecimalError {
    /// Longer than [`MAX_NUMBER_LEN`].
    TooLong,
    /// Empty or only whitespace.
    Empty,
    /// Not of the accepted grammar.
    Malformed,
    /// More decimal places or significant digits than a `Decimal` holds exactly.
    TooPrecise,
    /// Beyond the `Decimal` range (about ±7.9e28).
    Overflow,
    /// NaN or ±Infinity (numbers only).
    NotFinite,
}

impl ParseDecimalError {
    /// The error code this maps to.
    pub fn code(self) -> ErrorCode {
        match self {
            ParseDecimalError::TooLong
            | ParseDecimalError::Empty
            | ParseDecimalError::Malformed
            | ParseDecimalError::TooPrecise => ErrorCode::InvalidNumber,
            ParseDecimalError::Overflow => ErrorCode::Overflow,
            ParseDecimalError::NotFinite => ErrorCode::NotFinite,
        }
    }

    /// Completes a sentence that starts with the field name, e.g. "averageOrderValue is empty".
    pub fn reason(self) -> &'static str {
        match self {
            ParseDecimalError::TooLong => "is longer than 64 characters",
            ParseDecimalError::Empty => "is empty",
            ParseDecimalError::Malformed => {
                "is not a plain decimal number (accepted: digits with an optional sign and one decimal \
                 point, thousands commas in groups of three like 1,234.50, or an exponent like 1.5e3)"
            }
            ParseDecimalError::TooPrecise => {
                "has more digits than can be held exactly: too small or too many decimal places \
                 (at most 28 decimal places and 28 significant digits)"
            }
            ParseDecimalError::Overflow => "is beyond the exact decimal range (about ±7.9e28)",
            ParseDecimalError::NotFinite => "is not a finite number (NaN or Infinity)",
        }
    }
}

impl fmt::Display for ParseDecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the number {}", self.reason())
    }
}

impl std::error::Error for ParseDecimalError {}

/// Parses a decimal string exactly: surrounding whitespace, an optional sign, digits with an
/// optional `.` fraction, thousands commas in well-formed groups ("1,234.50"), and an optional
/// exponent ("1.5e3", "1e-7"). A value that a `Decimal` cannot hold exactly is an error, never rounded.
pub fn parse_decimal(s: &str) -> Result<Decimal, ParseDecimalError> {
    if s.len() > MAX_NUMBER_LEN {
        return Err(ParseDecimalError::TooLong);
    }
    let s = s.trim();
    if s.is_empty() {
        return Err(ParseDecimalError::Empty);
    }
    let (negative, s) = split_sign(s);
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, parse_exponent(exponent)?),
        None => (s, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !is_digits(frac_part) || (int_part.is_empty() && frac_part.is_empty()) {
        return Err(ParseDecimalError::Malformed);
    }
    let int_digits = strip_thousands(int_part)?;
    let digits: String = int_digits.chars().chain(frac_part.chars()).collect();
    let frac_len = i64::try_from(frac_part.len()).map_err(|_| ParseDecimalError::TooLong)?;
    from_digits(negative, &digits, exponent.saturating_sub(frac_len))
}

/// Converts a JS number exactly as JS prints it: the shortest digits that round-trip (so 0.1 is
/// exactly 0.1). Non-finite → `NotFinite`; too large → `Overflow`; too small → `TooPrecise`.
pub fn decimal_from_f64_repr(x: f64) -> Result<Decimal, ParseDecimalError> {
    if !x.is_finite() {
        return Err(ParseDecimalError::NotFinite);
    }
    parse_decimal(&format!("{x:e}"))
}

/// Rounds half away from zero to exactly `decimals` places and prints all of them ("900.00");
/// a value that rounds to zero prints without a sign.
pub fn format_money(d: Decimal, decimals: u32) -> String {
    let mut s = String::with_capacity((decimals as usize).saturating_add(32));
    push_money(&mut s, d, decimals);
    s
}

/// Appends [`format_money`]'s text of `d` to `s`.
pub fn push_money(s: &mut String, d: Decimal, decimals: u32) {
    let rounded = d.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    // `rounded` = ±mantissa / 10^scale, where scale = min(decimals, d's scale) ≤ 28.
    let scale = rounded.scale();
    let mantissa = rounded.mantissa().unsigned_abs();
    // The integer and fractional parts; in u64 when they fit (wasm has no 128-bit division).
    let parts = 10u128.checked_pow(scale).and_then(|unit| {
        match (u64::try_from(mantissa), u64::try_from(unit)) {
            (Ok(m), Ok(u)) => Some((m.checked_div(u)?.into(), m.checked_rem(u)?.into())),
            _ => Some((mantissa.checked_div(unit)?, mantissa.checked_rem(unit)?)),
        }
    });
    let Some((int, frac)) = parts else {
        return s.push_str(&format_money_slowly(rounded, decimals));
    };
    let places = decimals as usize;
    if rounded.is_sign_negative() && !rounded.is_zero() {
        s.push('-');
    }
    push_digits(s, int, 1);
    if decimals > 0 {
        s.push('.');
        let frac_places = scale as usize;
        if frac_places > 0 {
            push_digits(s, frac, frac_places);
        }
        for _ in frac_places..places {
            s.push('0');
        }
    }
}

/// [`format_money`] through `Decimal`'s own formatting (for a scale it could not handle).
fn format_money_slowly(rounded: Decimal, decimals: u32) -> String {
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    let plain = rounded.abs().to_string();
    let (int, frac) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
    if decimals == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac:0<width$}", width = decimals as usize)
    }
}

/// Appends `n` in decimal, with leading zeros to at least `width` digits.
fn push_digits(s: &mut String, n: u128, width: usize) {
    // u128::MAX has 39 digits.
    let mut digits = [b'0'; 39];
    let mut used: usize = 0;
    let mut rest = n;
    for slot in digits.iter_mut().rev() {
        if rest == 0 {
            break;
        }
        *slot = match u64::try_from(rest) {
            Ok(small) => {
                rest = u128::from(small / 10);
                digit(small % 10)
            }
            Err(_) => {
                let d = u64::try_from(rest % 10).unwrap_or(0);
                rest /= 10;
                digit(d)
            }
        };
        used = used.saturating_add(1);
    }
    for _ in digits.len()..width {
        s.push('0');
    }
    let first = digits.len().saturating_sub(used.max(width));
    for &b in digits.get(first..).unwrap_or(&[]) {
        s.push(char::from(b));
    }
}

/// The ASCII digit of `d` (0–9).
fn digit(d: u64) -> u8 {
    b"0123456789".get(d as usize).copied().unwrap_or(b'0')
}

/// The exact value without trailing zeros: "3", "1.3", "0.3333333333333333333333333333".
pub fn format_exact(d: Decimal) -> String {
    d.normalize().to_string()
}

/// The nearest `f64`, for results typed as numbers.
///
/// Exactly what rust_decimal's `to_f64` gives, but when the mantissa and 10^scale fit in u64 its
/// steps are taken in u64 instead of u128 (whose division and conversion are calls in wasm32).
/// (The u64 steps are for the analytics' hot paths; the calculators-only widget keeps its wasm
/// small with rust_decimal's own.)
pub fn to_f64(d: Decimal) -> f64 {
    #[cfg(feature = "analytics")]
    if let Some(x) = to_f64_in_u64(d) {
        return x;
    }
    d.to_f64().unwrap_or(f64::NAN)
}

/// rust_decimal's `as_f64`, step by step, in u64; `None` when the numbers do not fit.
#[cfg(feature = "analytics")]
fn to_f64_in_u64(d: Decimal) -> Option<f64> {
    let scale = d.scale();
    if scale == 0 {
        // The integer as f64 (a zero without its sign).
        return i64::try_from(d.mantissa()).ok().map(|m| m as f64);
    }
    let mantissa = u64::try_from(d.mantissa().unsigned_abs()).ok()?;
    let precision = 10u64.checked_pow(scale)?;
    let frac_f64 = (mantissa.checked_rem(precision)? as f64) / (precision as f64);
    let integral = mantissa.checked_div(precision)? as f64;
    let neg = d.is_sign_negative();
    if frac_f64 == 0.0 {
        return Some(if neg { -integral } else { integral });
    }
    let round_to = 10f64.powi(i32::try_from(scale).ok()?);
    let rounded = ((integral + frac_f64) * round_to).round() / round_to;
    Some(if neg { -rounded } else { rounded })
}

/// `total / n` as the nearest `f64` (a mean of exact amounts, as numbers are reported): when the
/// mantissa and 10^scale × n are below 2^53, both are exact in `f64` and their quotient is correctly
/// rounded, with no decimal division (most of a customer table's time); else the decimal
/// quotient (28 significant digits) converted. `None` when `n` is 0. (The customer table's; the
/// calculators-only widget keeps its wasm without it.)
#[cfg(feature = "analytics")]
pub fn mean_to_f64(total: Decimal, n: u32) -> Option<f64> {
    const EXACT: u64 = 1 << 53;
    if n == 0 {
        return None;
    }
    // In u64 (128-bit multiplications and conversions are calls in wasm32).
    let divisor = 10u64.checked_pow(total.scale()).and_then(|p| p.checked_mul(u64::from(n))).filter(|&d| d < EXACT);
    let mantissa = u64::try_from(total.mantissa().unsigned_abs()).ok().filter(|&m| m < EXACT);
    if let (Some(mantissa), Some(divisor)) = (mantissa, divisor) {
        let mean = mantissa as f64 / divisor as f64;
        return Some(if total.is_sign_negative() && mantissa != 0 { -mean } else { mean });
    }
    total.checked_div(Decimal::from(n)).map(to_f64)
}

/// Splits off a leading `-` (true) or `+`.
fn split_sign(s: &str) -> (bool, &str) {
    match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    }
}

fn is_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// The exponent after `e`: an optional sign and digits; saturates (huge exponents fail later).
fn parse_exponent(s: &str) -> Result<i64, ParseDecimalError> {
    let (negative, digits) = split_sign(s);
    if digits.is_empty() || !is_digits(digits) {
        return Err(ParseDecimalError::Malformed);
    }
    let magnitude = digits.bytes().fold(0i64, |acc, b| {
        acc.saturating_mul(10).saturating_add(i64::from(b.saturating_sub(b'0')))
    });
    Ok(if negative { magnitude.saturating_neg() } else { magnitude })
}

/// The integer part without its thousands commas, checking the groups: "1,234" yes, "1,2" no.
fn strip_thousands(int_part: &str) -> Result<String, ParseDecimalError> {
    let mut groups = int_part.split(',');
    let first = groups.next().unwrap_or("");
    let first_ok = is_digits(first) && (!int_part.contains(',') || (1..=3).contains(&first.len()));
    let mut out = String::from(first);
    for group in groups {
        if group.len() != 3 || !is_digits(group) {
            return Err(ParseDecimalError::Malformed);
        }
        out.push_str(group);
    }
    if first_ok {
        Ok(out)
    } else {
        Err(ParseDecimalError::Malformed)
    }
}

/// Builds `±digits × 10^exponent` exactly, or says why it cannot be held.
fn from_digits(negative: bool, digits: &str, exponent: i64) -> Result<Decimal, ParseDecimalError> {
    let significant = digits.trim_start_matches('0');
    let trimmed = significant.trim_end_matches('0');
    let len = i64::try_from(trimmed.len()).map_err(|_| ParseDecimalError::TooLong)?;
    if len == 0 {
        return Ok(Decimal::ZERO);
    }
    let exponent =
        exponent.saturating_add(i64::try_from(significant.len().saturating_sub(trimmed.len())).unwrap_or(0));
    // Digits before the decimal point.
    let int_len = len.saturating_add(exponent);
    if int_len > MAX_DIGITS {
        return Err(ParseDecimalError::Overflow);
    }
    if exponent >= 0 {
        let value = digits_value(trimmed)
            .and_then(|v| {
                10u128
                    .checked_pow(u32::try_from(exponent).ok()?)
                    .and_then(|p| v.checked_mul(p))
            })
            .filter(|v| *v <= MAX_MANTISSA)
            .ok_or(ParseDecimalError::Overflow)?;
        return build(negative, value, 0);
    }
    let int_value = match usize::try_from(int_len) {
        Ok(n) if n > 0 => trimmed.get(..n).and_then(digits_value),
        _ => Some(0),
    };
    if !matches!(int_value, Some(v) if v <= MAX_MANTISSA) {
        return Err(ParseDecimalError::Overflow);
    }
    let scale =
        u32::try_from(exponent.unsigned_abs()).map_err(|_| ParseDecimalError::TooPrecise)?;
    if scale > Decimal::MAX_SCALE || len > MAX_DIGITS {
        return Err(ParseDecimalError::TooPrecise);
    }
    let mantissa = digits_value(trimmed)
        .filter(|v| *v <= MAX_MANTISSA)
        .ok_or(ParseDecimalError::TooPrecise)?;
    build(negative, mantissa, scale)
}

/// The value of at most 29 ASCII digits (fits in u128); `None` if longer.
fn digits_value(digits: &str) -> Option<u128> {
    if digits.len() > 29 {
        return None;
    }
    Some(
        digits
            .bytes()
            // At most 29 digits: below 10^29 < 2^128, so this never wraps (and needs no overflow
            // check, which is a library call for u128 in wasm32).
            .fold(0u128, |acc, b| acc.wrapping_mul(10).wrapping_add(u128::from(b.wrapping_sub(b'0')))),
    )
}

fn build(negative: bool, mantissa: u128, scale: u32) -> Result<Decimal, ParseDecimalError> {
    let m = i128::try_from(mantissa).map_err(|_| ParseDecimalError::Overflow)?;
    Decimal::try_from_i128_with_scale(if negative { m.saturating_neg() } else { m }, scale)
        .map_err(|_| ParseDecimalError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "analytics")]
    fn a_mean_is_the_nearest_f64_of_the_exact_quotient() {
        let d = |s: &str| parse_decimal(s).unwrap();
        assert_eq!(mean_to_f64(d("100"), 3), Some(100.0 / 3.0));
        assert_eq!(mean_to_f64(d("10.00"), 3), Some(1000.0 / 300.0));
        assert_eq!(mean_to_f64(d("-7.25"), 2), Some(-3.625));
        assert_eq!(mean_to_f64(d("0.00"), 2).map(f64::is_sign_positive), Some(true));
        assert_eq!(mean_to_f64(d("5"), 0), None);
        // Beyond 2^53 the decimal quotient is converted.
        let big = d("12345678901234567890.12");
        assert_eq!(mean_to_f64(big, 7), Some(to_f64(big / Decimal::from(7))));
        // Correctly rounded where converting a 28-digit decimal quotient could be off by one unit.
        for (total, n) in [("0.07", 3u32), ("1234.56", 7), ("99999.99", 11), ("0.01", 9)] {
            let exact = d(total).mantissa() as f64 / (100.0 * f64::from(n));
            assert_eq!(mean_to_f64(d(total), n), Some(exact), "{total} / {n}");
        }
    }
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn ok(s: &str) -> String {
        format_exact(parse_decimal(s).unwrap())
    }

    #[test]
    fn to_f64_is_rust_decimals_to_f64_bit_for_bit() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..200_000u32 {
            let (a, b, c) = (next(), next(), next());
            // Mantissas of every size: small, up to u64, and beyond.
            let bits = (a % 97) as u32;
            let lo = (b & ((1u64 << bits.min(63)) - 1)) as u32;
            let mid = if bits > 32 { ((b >> 32) & ((1u64 << (bits - 32).min(32)) - 1)) as u32 } else { 0 };
            let hi = if bits > 64 { (c & ((1u64 << (bits - 64).min(32)) - 1)) as u32 } else { 0 };
            let d = Decimal::from_parts(lo, mid, hi, c & 1 == 1, round % 29);
            assert_eq!(to_f64(d).to_bits(), d.to_f64().unwrap().to_bits(), "{d:?}");
        }
        for d in [Decimal::ZERO, Decimal::from_parts(0, 0, 0, true, 0), Decimal::from_parts(0, 0, 0, true, 5), Decimal::MAX, Decimal::MIN] {
            assert_eq!(to_f64(d).to_bits(), d.to_f64().unwrap().to_bits(), "{d:?}");
        }
    }

    #[test]
    fn parses_plain_and_signed() {
        assert_eq!(ok("1234.50"), "1234.5");
        assert_eq!(ok("  -7 "), "-7");
        assert_eq!(ok("+0.25"), "0.25");
        assert_eq!(ok(".5"), "0.5");
        assert_eq!(ok("5."), "5");
        assert_eq!(ok("-0"), "0");
        assert_eq!(ok("000123.4500"), "123.45");
    }

    #[test]
    fn parses_thousands_groups() {
        assert_eq!(ok("1,234.50"), "1234.5");
        assert_eq!(ok("12,345,678"), "12345678");
        assert_eq!(ok("-1,000"), "-1000");
        for bad in [
            "1,2.3", "12,34", ",123", "1,,234", "1234,567", "1,234,56", "1,", "1.234,5",
        ] {
            assert_eq!(
                parse_decimal(bad),
                Err(ParseDecimalError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn parses_scientific() {
        assert_eq!(ok("1.5e3"), "1500");
        assert_eq!(ok("1e-7"), "0.0000001");
        assert_eq!(ok("2.5E+2"), "250");
        assert_eq!(ok("0e999999999999999999999"), "0");
        assert_eq!(ok("1e28"), "10000000000000000000000000000");
        assert_eq!(ok("1e-28"), "0.0000000000000000000000000001");
        assert_eq!(ok("1000e-31"), "0.0000000000000000000000000001");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "abc", "NaN", "inf", "Infinity", "1.2.3", "1e", "e5", "1e+", "--1", "+-1", "1 000",
            "$5", "1_000", ".", "-", "0x10", "1e1.5",
        ] {
            assert_eq!(
                parse_decimal(bad),
                Err(ParseDecimalError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(parse_decimal(""), Err(ParseDecimalError::Empty));
        assert_eq!(parse_decimal("   "), Err(ParseDecimalError::Empty));
        assert_eq!(
            parse_decimal(&"1".repeat(65)),
            Err(ParseDecimalError::TooLong)
        );
    }

    #[test]
    fn range_and_precision_limits() {
        assert_eq!(
            ok("79228162514264337593543950335"),
            "79228162514264337593543950335"
        );
        assert_eq!(
            parse_decimal("79228162514264337593543950336"),
            Err(ParseDecimalError::Overflow)
        );
        assert_eq!(
            parse_decimal("99999999999999999999999999999999"),
            Err(ParseDecimalError::Overflow)
        );
        assert_eq!(parse_decimal("1e29"), Err(ParseDecimalError::Overflow));
        assert_eq!(parse_decimal("-8e28"), Err(ParseDecimalError::Overflow));
        assert_eq!(
            parse_decimal("1e99999999999999999999"),
            Err(ParseDecimalError::Overflow)
        );
        for tiny in ["1.5e-9223372036854775807", "1.5e-99999999999999999999999"] {
            assert_eq!(
                parse_decimal(tiny),
                Err(ParseDecimalError::TooPrecise),
                "{tiny}"
            );
        }
        assert_eq!(
            ok("7.9228162514264337593543950335"),
            "7.9228162514264337593543950335"
        );
        assert_eq!(
            parse_decimal("7.9228162514264337593543950336"),
            Err(ParseDecimalError::TooPrecise)
        );
        assert_eq!(parse_decimal("1e-29"), Err(ParseDecimalError::TooPrecise));
        assert_eq!(
            parse_decimal("0.00000000000000000000000000001"),
            Err(ParseDecimalError::TooPrecise)
        );
        assert_eq!(
            parse_decimal("12345678901234567890.0123456789"),
            Err(ParseDecimalError::TooPrecise)
        );
        assert_eq!(
            parse_decimal("79228162514264337593543950336.5"),
            Err(ParseDecimalError::Overflow)
        );
        assert_eq!(
            ok("1234567890123456789.0123456789"),
            "1234567890123456789.0123456789"
        );
    }

    #[test]
    fn numbers_use_shortest_repr() {
        assert_eq!(decimal_from_f64_repr(0.1).unwrap(), d("0.1"));
        assert_eq!(
            decimal_from_f64_repr(0.1 + 0.2).unwrap(),
            d("0.30000000000000004")
        );
        assert_eq!(decimal_from_f64_repr(75.0).unwrap(), d("75"));
        assert_eq!(decimal_from_f64_repr(-0.0).unwrap(), Decimal::ZERO);
        assert_eq!(
            decimal_from_f64_repr(1e21).unwrap(),
            d("1000000000000000000000")
        );
        assert_eq!(
            decimal_from_f64_repr(f64::NAN),
            Err(ParseDecimalError::NotFinite)
        );
        assert_eq!(
            decimal_from_f64_repr(f64::INFINITY),
            Err(ParseDecimalError::NotFinite)
        );
        assert_eq!(
            decimal_from_f64_repr(f64::NEG_INFINITY),
            Err(ParseDecimalError::NotFinite)
        );
        assert_eq!(
            decimal_from_f64_repr(1e300),
            Err(ParseDecimalError::Overflow)
        );
        assert_eq!(
            decimal_from_f64_repr(1e-300),
            Err(ParseDecimalError::TooPrecise)
        );
        assert_eq!(
            decimal_from_f64_repr(f64::MIN_POSITIVE / 2.0),
            Err(ParseDecimalError::TooPrecise)
        );
        assert_eq!(ParseDecimalError::NotFinite.code(), ErrorCode::NotFinite);
        assert_eq!(ParseDecimalError::Overflow.code(), ErrorCode::Overflow);
        assert_eq!(
            ParseDecimalError::TooPrecise.code(),
            ErrorCode::InvalidNumber
        );
    }

    #[test]
    fn formats_money_half_away_from_zero() {
        assert_eq!(format_money(d("900"), 2), "900.00");
        assert_eq!(format_money(d("2.345"), 2), "2.35");
        assert_eq!(format_money(d("-2.345"), 2), "-2.35");
        assert_eq!(format_money(d("2.5"), 0), "3");
        assert_eq!(format_money(d("-2.5"), 0), "-3");
        assert_eq!(format_money(d("0.125"), 2), "0.13");
        assert_eq!(format_money(d("-0.001"), 2), "0.00");
        assert_eq!(format_money(d("-0.00"), 2), "0.00");
        assert_eq!(format_money(d("0.3"), 10), "0.3000000000");
        assert_eq!(format_money(d("1234567.891"), 1), "1234567.9");
        assert_eq!(
            format_money(Decimal::MAX, 2),
            "79228162514264337593543950335.00"
        );
        assert_eq!(
            format_money(d("-18446744073709551616.005"), 2),
            "-18446744073709551616.01"
        );
        assert_eq!(
            format_money(d("0.0000000000000000000000000001"), 30),
            "0.000000000000000000000000000100"
        );
        assert_eq!(format_money(d("0.0000000000000000000000000001"), 3), "0.000");
        assert_eq!(format_money(d("12.5"), 28), "12.5000000000000000000000000000");
    }

    #[test]
    fn formats_exact_and_f64() {
        assert_eq!(format_exact(d("3.000")), "3");
        assert_eq!(format_exact(d("1.30")), "1.3");
        assert_eq!(
            format_exact(Decimal::ONE / d("3")),
            "0.3333333333333333333333333333"
        );
        assert_eq!(format_exact(d("-0.0")), "0");
        assert_eq!(to_f64(d("3.125")), 3.125);
    }
}
