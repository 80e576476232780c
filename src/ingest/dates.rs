//! Dates in transaction files: the formats merchants' exports use, read into [`Day`]s (days since
//! 1970-01-01), with day/month order inferred from the data or set by the `dateFormat` option.
//!
//! Accepted (surrounding whitespace trimmed):
//! - ISO `2011-03-04` and `2011/03/04` (any of `-` `/` `.` with the 4-digit year first; 1–2 digit
//!   month and day), and `20110304` (8 digits);
//! - year last: `04/03/2011` or `03/04/2011` (slash: order from the data or `dateFormat`),
//!   `04.03.2011` (dot: always day first, German style), `04-03-2011` (dash: day first unless the
//!   order is month first, given or proved); 1–2 digit day and month;
//! - two-digit years in the year-last forms: `YY < 70` is 20YY, otherwise 19YY (`3/4/11` is 2011,
//!   `3/4/85` is 1985). With `dateFormat: "ymd"` an all-short date like `11/03/04` reads year first;
//! - English month names: `4 Mar 2011`, `04-Mar-11`, `Mar 4, 2011`, `March 4 2011`, `2011-Mar-04`,
//!   optionally after a weekday (`Fri, 04 Mar 2011`);
//! - spreadsheet serial numbers (`40513`, `40513.354`; 1 to 2958465, at most 7 digits), counted as
//!   Excel does: serials 1–59 are 1900-01-01 to 1900-02-28, serial 60 is Excel's fictitious
//!   1900-02-29 (a Lotus 1-2-3 bug) and is rejected as [`DateError::Invalid`], serials from 61 on
//!   count from 1899-12-30 (61 = 1900-03-01). The fraction (time of day) is ignored;
//! - an optional time after `T` or whitespace, validated then ignored: `8:26`, `08:26:00`,
//!   fractional seconds (`.123`, `,5`), `AM`/`PM`/`a.m.`/`p.m.` (hours 1–12), and a zone: `Z`,
//!   `+01:00`, `+0100`, `+01`, `UTC`/`GMT` (optionally with an offset) or a 2–5 letter abbreviation
//!   like `EST`.
//!
//! Time zones are not converted: a date-time keeps the calendar date as written, so an order at
//! `2011-01-01T23:30:00-05:00` is on 2011-01-01 (the merchant's local day, which is what the file
//! means by "the day of the order"), never shifted to UTC.
//!
//! Years outside 1900..=2200 are [`DateError::OutOfRange`]. A month or day that cannot exist in any
//! year (`0000-00-00`, month 13, day 32) is [`DateError::Invalid`] before the year is looked at;
//! a day that does not exist in that year (2011-02-30) is `Invalid` too.
//!
//! Order inference ([`DateParser::observe`]): in a year-last slash or dash date whose two readings
//! (day first, month first) are both real days and differ, nothing is proved (`01/02/2011`); a
//! value with exactly one real reading proves that order (`13/01/2011` day first, `01/13/2011` month
//! first); equal day and month (`05/05/2011`) are the same day either way. Dot dates prove nothing
//! (they are always day first). While no order is known, a value with one real reading still parses
//! by that reading; an ambiguous slash value is [`DateError::Ambiguous`]; an ambiguous dash value is
//! read day first unless the data proved both orders. Observe every value (or a sample) before
//! parsing: [`DateParser::parse`] only uses what was observed so far.

use super::evidence::{echo, Evidence};
use serde::{Deserialize, Serialize};

use crate::dataset::Day;
use crate::error::ErrorCode;

/// First supported year.
pub const MIN_YEAR: i32 = 1900;
/// Last supported year.
pub const MAX_YEAR: i32 = 2200;
/// Longest date value accepted, in bytes after trimming (a guard against hostile input).
pub const MAX_DATE_LEN: usize = 64;
/// Longest raw value looked at, in bytes before trimming: longer values are refused unread.
const MAX_RAW_LEN: usize = 1024;
/// Largest spreadsheet serial (9999-12-31 in Excel).
const MAX_SERIAL: u32 = 2_958_465;
/// The day Excel's serial 0 would be for serials from 61 on: 1899-12-30.
const SERIAL_EPOCH: Day = -25_569;
/// Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
const EPOCH_SHIFT: i64 = 719_468;
/// Days in 400 Gregorian years.
const DAYS_PER_ERA: i64 = 146_097;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The accepted formats, for error messages.
const ACCEPTED: &str = "accepted: 2011-03-04 (optionally with a time like 2011-03-04T10:15:00Z or \
     2011-03-04 10:15), 2011/03/04, 20110304, 04/03/2011 or 03/04/2011 (see the dateFormat option), \
     04.03.2011, 04-03-2011, 4 Mar 2011, Mar 4, 2011, or a spreadsheet serial number like 40513";

/// The `dateFormat` option: the order of day, month and year in dates that do not say it
/// themselves (slash, dash and two-digit-year dates). ISO dates are read the same under every order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Inferred from the data (values with a day above 12 prove the order).
    #[default]
    Auto,
    /// Year first: only year-first dates; a two-digit first part is the year (`11/03/04`).
    Ymd,
    /// Day first: `04/03/2011` is 4 March.
    Dmy,
    /// Month first: `03/04/2011` is 4 March.
    Mdy,
}

/// Why a value is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateError {
    /// Empty or only whitespace.
    Empty,
    /// Not in any supported format.
    Unrecognised,
    /// In a supported format, but not a real calendar day or time of day (2011-02-30, 25:00).
    Invalid,
    /// A year outside 1900..=2200, or a spreadsheet serial outside 1..=2958465.
    OutOfRange,
    /// Could be day/month or month/day, and the order is not known.
    Ambiguous,
    /// A year-last date while `dateFormat` is `"ymd"`.
    Mismatch,
}

impl DateError {
    /// The stable error code: `AmbiguousDate` for [`DateError::Ambiguous`], else `InvalidDate`.
    pub fn code(&self) -> ErrorCode {
        match self {
            DateError::Ambiguous => ErrorCode::AmbiguousDate,
            _ => ErrorCode::InvalidDate,
        }
    }

    /// A sentence for the merchant about the value `raw`.
    pub fn message(&self, raw: &str) -> String {
        let shown = echo(raw);
        match self {
            DateError::Empty => "the date is empty".to_owned(),
            DateError::Unrecognised => {
                format!("\"{shown}\" is not a date in a supported format ({ACCEPTED})")
            }
            DateError::Invalid if is_zero_placeholder(raw) => format!(
                "\"{shown}\" is a placeholder, not a date (a real day is needed, like 2011-03-04)"
            ),
            DateError::Invalid => format!(
                "\"{shown}\" is not a real calendar day or time of day (like 2011-02-30, month 13 \
                 or 25:00); check the day and month, and the dateFormat option if they are swapped"
            ),
            DateError::OutOfRange => format!(
                "\"{shown}\" is outside the supported dates (years {MIN_YEAR} to {MAX_YEAR}; \
                 spreadsheet serial numbers 1 to {MAX_SERIAL})"
            ),
            DateError::Ambiguous => format!(
                "\"{shown}\" is ambiguous: dates like 03/04/2011 could be day/month or \
                 month/day; set dateFormat to \"dmy\" or \"mdy\""
            ),
            DateError::Mismatch => format!(
                "\"{shown}\" has the year last, but dateFormat is \"ymd\" (year first, like \
                 2011-03-04); set dateFormat to \"dmy\", \"mdy\" or \"auto\""
            ),
        }
    }
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DateError::Empty => "empty date",
            DateError::Unrecognised => "unrecognised date format",
            DateError::Invalid => "not a real calendar day",
            DateError::OutOfRange => "date out of range",
            DateError::Ambiguous => "ambiguous day/month order",
            DateError::Mismatch => "date does not fit dateFormat \"ymd\"",
        })
    }
}

impl std::error::Error for DateError {}

/// True for `0000-00-00`, `00/00/0000` and the like (a database's "no date").
fn is_zero_placeholder(raw: &str) -> bool {
    let mut digits = raw.trim().bytes().filter(u8::is_ascii_digit).peekable();
    digits.peek().is_some() && digits.all(|b| b == b'0')
}

/// True for leap years of the proleptic Gregorian calendar.
pub fn is_leap_year(y: i32) -> bool {
    y.rem_euclid(4) == 0 && (y.rem_euclid(100) != 0 || y.rem_euclid(400) == 0)
}

/// Days in month `m` (1–12) of year `y`; `None` for another month.
pub fn days_in_month(y: i32, m: u32) -> Option<u32> {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if is_leap_year(y) => Some(29),
        2 => Some(28),
        _ => None,
    }
}

/// The day of `y-m-d` (proleptic Gregorian); `None` for a day that does not exist (2011-02-30,
/// month 0 or 13) or one beyond the range of [`Day`]. Any year is accepted here; the 1900..=2200
/// limit belongs to file parsing.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> Option<Day> {
    if d == 0 || d > days_in_month(y, m)? {
        return None;
    }
    // Howard Hinnant's algorithm: years start on 1 March, so the leap day is last.
    let y = i64::from(y).checked_sub(i64::from(m <= 2))?;
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let shifted_month = i64::from(m).checked_add(9)?.rem_euclid(12);
    let day_of_year = shifted_month
        .checked_mul(153)?
        .checked_add(2)?
        .checked_div(5)?
        .checked_add(i64::from(d))?
        .checked_sub(1)?;
    let day_of_era = year_of_era
        .checked_mul(365)?
        .checked_add(year_of_era.checked_div(4)?)?
        .checked_sub(year_of_era.checked_div(100)?)?
        .checked_add(day_of_year)?;
    let days = era
        .checked_mul(DAYS_PER_ERA)?
        .checked_add(day_of_era)?
        .checked_sub(EPOCH_SHIFT)?;
    Day::try_from(days).ok()
}

/// The (year, month, day) of `day`; the inverse of [`days_from_civil`] for every `Day`.
pub fn civil_from_days(day: Day) -> (i32, u32, u32) {
    // Every i32 day is within range of the checked steps; the fallback is never taken.
    civil(i64::from(day)).unwrap_or((1970, 1, 1))
}

fn civil(day: i64) -> Option<(i32, u32, u32)> {
    let z = day.checked_add(EPOCH_SHIFT)?;
    let era = z.div_euclid(DAYS_PER_ERA);
    let day_of_era = z.rem_euclid(DAYS_PER_ERA);
    let year_of_era = day_of_era
        .checked_sub(day_of_era.checked_div(1460)?)?
        .checked_add(day_of_era.checked_div(36_524)?)?
        .checked_sub(day_of_era.checked_div(146_096)?)?
        .checked_div(365)?;
    let day_of_year = day_of_era.checked_sub(
        year_of_era
            .checked_mul(365)?
            .checked_add(year_of_era.checked_div(4)?)?
            .checked_sub(year_of_era.checked_div(100)?)?,
    )?;
    let shifted_month = day_of_year
        .checked_mul(5)?
        .checked_add(2)?
        .checked_div(153)?;
    let d = day_of_year
        .checked_sub(
            shifted_month
                .checked_mul(153)?
                .checked_add(2)?
                .checked_div(5)?,
        )?
        .checked_add(1)?;
    let m = if shifted_month < 10 {
        shifted_month.checked_add(3)?
    } else {
        shifted_month.checked_sub(9)?
    };
    let y = era
        .checked_mul(400)?
        .checked_add(year_of_era)?
        .checked_add(i64::from(m <= 2))?;
    Some((
        i32::try_from(y).ok()?,
        u32::try_from(m).ok()?,
        u32::try_from(d).ok()?,
    ))
}

/// `day` as `YYYY-MM-DD`.
pub fn format_day(day: Day) -> String {
    let mut s = String::with_capacity(10);
    push_day(&mut s, day);
    s
}

/// Appends [`format_day`]'s text of `day` to `s`.
pub fn push_day(s: &mut String, day: Day) {
    let (y, m, d) = civil_from_days(day);
    let year = match u32::try_from(y) {
        Ok(year) if year <= 9999 => year,
        // Years beyond 4 digits or before year 0: the general (slower) formatting.
        _ => return s.push_str(&format!("{y:04}-{m:02}-{d:02}")),
    };
    let digits = [
        year / 1000,
        year / 100 % 10,
        year / 10 % 10,
        year % 10,
        m / 10 % 10,
        m % 10,
        d / 10 % 10,
        d % 10,
    ];
    for (i, digit) in digits.into_iter().enumerate() {
        if i == 4 || i == 6 {
            s.push('-');
        }
        s.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// Strict `YYYY-MM-DD` (for options such as `asOf`): surrounding whitespace is trimmed, nothing
/// else is accepted (no time, no one-digit month); the year must be within 1900..=2200.
pub fn parse_iso_day(s: &str) -> Option<Day> {
    let s = s.trim();
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let y = number(s.get(0..4)?)?;
    let m = number(s.get(5..7)?)?;
    let d = number(s.get(8..10)?)?;
    ymd(i32::try_from(y).ok()?, m, d).ok()
}

/// The value of 1–9 ASCII digits.
fn number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.bytes().try_fold(0u32, |acc, b| {
        acc.checked_mul(10)?
            .checked_add(u32::from(b.checked_sub(b'0')?))
    })
}

/// A checked calendar day within the supported years: impossible month/day → `Invalid`, year out of
/// range → `OutOfRange`, day missing from that year → `Invalid`.
fn ymd(y: i32, m: u32, d: u32) -> Result<Day, DateError> {
    if m == 0 || m > 12 || d == 0 || d > 31 {
        return Err(DateError::Invalid);
    }
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(DateError::OutOfRange);
    }
    days_from_civil(y, m, d).ok_or(DateError::Invalid)
}

/// A two-digit year: below 70 is 20YY, else 19YY.
fn expand_year(yy: u32) -> Option<i32> {
    let yy = i32::try_from(yy).ok()?;
    if yy < 70 {
        yy.checked_add(2000)
    } else {
        yy.checked_add(1900)
    }
}

/// The separator of a numeric year-last date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Slash,
    Dash,
    Dot,
}

/// A numeric `a?b?c` date whose order the value does not say itself: `a` and `b` have 1–2 digits,
/// `c` (the year when year last) has 1, 2 or 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Triple {
    sep: Sep,
    a: u32,
    a_len: usize,
    b: u32,
    c: u32,
    c_len: usize,
}

impl Triple {
    fn year_last(&self) -> Result<i32, DateError> {
        match self.c_len {
            4 => i32::try_from(self.c).map_err(|_| DateError::OutOfRange),
            2 => expand_year(self.c).ok_or(DateError::OutOfRange),
            _ => Err(DateError::Unrecognised),
        }
    }

    fn day_first(&self) -> Result<Day, DateError> {
        ymd(self.year_last()?, self.b, self.a)
    }

    fn month_first(&self) -> Result<Day, DateError> {
        ymd(self.year_last()?, self.a, self.b)
    }

    fn year_first(&self) -> Result<Day, DateError> {
        if self.c_len == 4 {
            return Err(DateError::Mismatch);
        }
        if self.a_len != 2 || self.c_len > 2 {
            return Err(DateError::Unrecognised);
        }
        ymd(
            expand_year(self.a).ok_or(DateError::OutOfRange)?,
            self.b,
            self.c,
        )
    }
}

/// What a value says by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A format that fixes the day alone (ISO, YYYYMMDD, serial, month name).
    Exact(Day),
    /// A year-last (or short) numeric date that needs an order.
    Triple(Triple),
}

/// Recognises `raw` and validates its time part.
fn classify(raw: &str) -> Result<Shape, DateError> {
    if raw.len() > MAX_RAW_LEN {
        return Err(DateError::Unrecognised);
    }
    let s = raw.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    if s.len() > MAX_DATE_LEN {
        return Err(DateError::Unrecognised);
    }
    let date = split_time(s)?;
    if date.bytes().any(|b| b.is_ascii_alphabetic()) {
        return month_name_date(date).map(Shape::Exact);
    }
    numeric_date(date)
}

/// The fast path for the common `YYYY-MM-DD`, optionally followed by `T`, `t` or a space, then
/// `HH:MM[:SS[.fff]]` and an optional `Z` or `z`: what [`classify`] says (the time checked first,
/// as there), or `None` to take the general path.
fn fast_iso(raw: &str) -> Option<Result<Day, DateError>> {
    if raw.len() > MAX_RAW_LEN {
        return None;
    }
    // ASCII whitespace only: the shape checked next starts and ends with no other, so this
    // trims as `str::trim` does.
    let s = raw.as_bytes().trim_ascii();
    let (date, time) = (s.get(..10)?, s.get(10..)?);
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = date else {
        return None;
    };
    let year = two(y0, y1)?.checked_mul(100)?.checked_add(two(y2, y3)?)?;
    let (month, day) = (two(m0, m1)?, two(d0, d1)?);
    if let [b'T' | b't' | b' ', h0, h1, b':', n0, n1, rest @ ..] = time {
        let (hour, minute) = (two(*h0, *h1)?, two(*n0, *n1)?);
        let (second, rest) = match rest {
            [b':', s0, s1, rest @ ..] => (two(*s0, *s1)?, fraction(rest)?),
            _ => (0, rest),
        };
        if !matches!(rest, [] | [b'Z' | b'z']) {
            return None;
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Some(Err(DateError::Invalid));
        }
    } else if !time.is_empty() {
        return None;
    }
    Some(ymd(i32::try_from(year).ok()?, month, day))
}

/// True when `raw` starts `dddd-` (a year first, as ISO dates are written): no evidence of the
/// day/month order, so [`DateParser::observe`] can skip it at once.
fn starts_with_year(raw: &str) -> bool {
    matches!(raw.as_bytes(), [a, b, c, d, b'-', ..] if [a, b, c, d].iter().all(|x| x.is_ascii_digit()))
}

/// The value of two ASCII digits (inlined: a call costs as much as the work).
#[inline(always)]
fn two(hi: u8, lo: u8) -> Option<u32> {
    let (hi, lo) = (hi.wrapping_sub(b'0'), lo.wrapping_sub(b'0'));
    if hi > 9 || lo > 9 {
        return None;
    }
    u32::from(hi).checked_mul(10)?.checked_add(u32::from(lo))
}

/// Skips a fraction of a second (`.` or `,` and 1–9 digits) at the start of `s`; `None` if
/// malformed.
fn fraction(s: &[u8]) -> Option<&[u8]> {
    let [b'.' | b',', digits @ ..] = s else {
        return Some(s);
    };
    let len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if (1..=9).contains(&len) {
        digits.get(len..)
    } else {
        None
    }
}

/// The date part of `s`, after checking the time part if there is one (from the first `:`).
fn split_time(s: &str) -> Result<&str, DateError> {
    let Some(colon) = s.find(':') else {
        return Ok(s);
    };
    let head = s.get(..colon).ok_or(DateError::Unrecognised)?;
    let tail = s.get(colon..).ok_or(DateError::Unrecognised)?;
    let before_hour = head.trim_end_matches(|c: char| c.is_ascii_digit());
    let hour = head
        .get(before_hour.len()..)
        .ok_or(DateError::Unrecognised)?;
    let date = if let Some(date) = before_hour.strip_suffix(['T', 't']) {
        date
    } else if before_hour.ends_with(char::is_whitespace) {
        before_hour.trim_end()
    } else {
        return Err(DateError::Unrecognised);
    };
    if date.is_empty() {
        return Err(DateError::Unrecognised);
    }
    check_time(hour, tail)?;
    Ok(date)
}

/// Splits off `min..=max` leading ASCII digits: (their value, the rest).
fn leading_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len < min || len > max {
        return None;
    }
    Some((number(s.get(..len)?)?, s.get(len..)?))
}

/// Validates `H:MM[:SS[.fff]] [AM|PM] [zone]`; `hour` holds the hour digits, `rest` starts at `:`.
fn check_time(hour: &str, rest: &str) -> Result<(), DateError> {
    let bad = DateError::Unrecognised;
    let h = match hour.len() {
        1 | 2 => number(hour).ok_or(bad)?,
        _ => return Err(bad),
    };
    let rest = rest.strip_prefix(':').ok_or(bad)?;
    let (minute, mut rest) = leading_digits(rest, 2, 2).ok_or(bad)?;
    let mut second = 0;
    if let Some(after) = rest.strip_prefix(':') {
        let (s, after) = leading_digits(after, 2, 2).ok_or(bad)?;
        second = s;
        rest = after;
        if let Some(fraction) = rest.strip_prefix(['.', ',']) {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if !(1..=9).contains(&digits) {
                return Err(bad);
            }
            rest = fraction.get(digits..).ok_or(bad)?;
        }
    }
    let (meridiem, rest) = strip_meridiem(rest.trim_start());
    check_zone(rest.trim_start())?;
    let hour_ok = if meridiem {
        (1..=12).contains(&h)
    } else {
        h <= 23
    };
    if hour_ok && minute <= 59 && second <= 60 {
        Ok(())
    } else {
        Err(DateError::Invalid)
    }
}

/// Splits off `AM`/`PM`/`a.m.`/`p.m.` (any case): (found, the rest).
fn strip_meridiem(s: &str) -> (bool, &str) {
    for marker in ["a.m.", "p.m.", "am", "pm"] {
        if let Some(head) = s.get(..marker.len()) {
            if head.eq_ignore_ascii_case(marker) {
                let rest = s.get(marker.len()..).unwrap_or("");
                if !rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                    return (true, rest);
                }
            }
        }
    }
    (false, s)
}

/// Accepts "", `Z`, `±HH[[:]MM]`, `UTC`/`GMT` with an optional offset, or a 2–5 letter zone name.
fn check_zone(s: &str) -> Result<(), DateError> {
    if s.is_empty() || s.eq_ignore_ascii_case("z") {
        return Ok(());
    }
    for name in ["utc", "gmt"] {
        if let Some(head) = s.get(..3) {
            if head.eq_ignore_ascii_case(name) {
                let offset = s.get(3..).unwrap_or("").trim_start();
                return if offset.is_empty() {
                    Ok(())
                } else {
                    check_offset(offset)
                };
            }
        }
    }
    if (2..=5).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase()) {
        return Ok(());
    }
    check_offset(s)
}

/// `±H`, `±HH`, `±HHMM` or `±HH:MM`.
fn check_offset(s: &str) -> Result<(), DateError> {
    let bad = DateError::Unrecognised;
    let body = s.strip_prefix(['+', '-', '\u{2212}']).ok_or(bad)?;
    let (h, m) = match body.len() {
        1 | 2 => (number(body).ok_or(bad)?, 0),
        4 if body.bytes().all(|b| b.is_ascii_digit()) => (
            number(body.get(..2).ok_or(bad)?).ok_or(bad)?,
            number(body.get(2..).ok_or(bad)?).ok_or(bad)?,
        ),
        5 => {
            let (h, rest) = leading_digits(body, 2, 2).ok_or(bad)?;
            let minutes = rest.strip_prefix(':').ok_or(bad)?;
            (h, leading_digits(minutes, 2, 2).map(|(m, _)| m).ok_or(bad)?)
        }
        _ => return Err(bad),
    };
    if h <= 23 && m <= 59 {
        Ok(())
    } else {
        Err(DateError::Invalid)
    }
}

/// Numeric dates: YYYYMMDD, serials, year-first and year-last separated dates.
fn numeric_date(date: &str) -> Result<Shape, DateError> {
    let bad = DateError::Unrecognised;
    if date.bytes().all(|b| b.is_ascii_digit()) {
        return match date.len() {
            8 => {
                let y = number(date.get(..4).ok_or(bad)?).ok_or(bad)?;
                let m = number(date.get(4..6).ok_or(bad)?).ok_or(bad)?;
                let d = number(date.get(6..).ok_or(bad)?).ok_or(bad)?;
                ymd(i32::try_from(y).map_err(|_| bad)?, m, d).map(Shape::Exact)
            }
            1..=7 => from_serial(number(date).ok_or(bad)?).map(Shape::Exact),
            _ => Err(bad),
        };
    }
    let sep = match date.bytes().find(|b| !b.is_ascii_digit()) {
        Some(b'/') => Sep::Slash,
        Some(b'-') => Sep::Dash,
        Some(b'.') => Sep::Dot,
        _ => return Err(bad),
    };
    let sep_char = match sep {
        Sep::Slash => '/',
        Sep::Dash => '-',
        Sep::Dot => '.',
    };
    let mut parts = date.split(sep_char);
    let (Some(p1), Some(p2)) = (parts.next(), parts.next()) else {
        return Err(bad);
    };
    let p3 = parts.next();
    if parts.next().is_some() {
        return Err(bad);
    }
    let Some(p3) = p3 else {
        // A serial with a time fraction: `40513.354`.
        return if sep == Sep::Dot && (1..=7).contains(&p1.len()) && (1..=15).contains(&p2.len()) {
            number(p2).ok_or(bad)?;
            from_serial(number(p1).ok_or(bad)?).map(Shape::Exact)
        } else {
            Err(bad)
        };
    };
    let (n1, n2, n3) = (
        number(p1).ok_or(bad)?,
        number(p2).ok_or(bad)?,
        number(p3).ok_or(bad)?,
    );
    let short = |len: usize| (1..=2).contains(&len);
    if p1.len() == 4 && short(p2.len()) && short(p3.len()) {
        let y = i32::try_from(n1).map_err(|_| bad)?;
        return ymd(y, n2, n3).map(Shape::Exact);
    }
    if short(p1.len()) && short(p2.len()) && matches!(p3.len(), 1 | 2 | 4) {
        return Ok(Shape::Triple(Triple {
            sep,
            a: n1,
            a_len: p1.len(),
            b: n2,
            c: n3,
            c_len: p3.len(),
        }));
    }
    Err(bad)
}

/// A spreadsheet serial, counted as Excel does (see the module docs).
fn from_serial(n: u32) -> Result<Day, DateError> {
    if n == 0 || n > MAX_SERIAL {
        return Err(DateError::OutOfRange);
    }
    if n == 60 {
        return Err(DateError::Invalid);
    }
    let epoch = if n < 60 {
        SERIAL_EPOCH.checked_add(1)
    } else {
        Some(SERIAL_EPOCH)
    };
    let day = epoch
        .zip(i32::try_from(n).ok())
        .and_then(|(e, n)| e.checked_add(n))
        .ok_or(DateError::OutOfRange)?;
    let (y, _, _) = civil_from_days(day);
    if (MIN_YEAR..=MAX_YEAR).contains(&y) {
        Ok(day)
    } else {
        Err(DateError::OutOfRange)
    }
}

/// The month (1–12) of an English month name or its abbreviation (3 letters, or `Sept`).
fn month_number(token: &str) -> Option<u32> {
    let lower = token.to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|name| {
        name.starts_with(lower.as_str())
            && (lower.len() == 3 || lower.len() == name.len() || lower == "sept")
    })?;
    u32::try_from(index).ok()?.checked_add(1)
}

fn is_weekday(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    lower.len() >= 3
        && WEEKDAYS.iter().any(|name| {
            name.starts_with(lower.as_str()) && (lower.len() == 3 || lower.len() == name.len())
        })
}

/// `4 Mar 2011`, `04-Mar-11`, `Mar 4, 2011`, `2011-Mar-04`, optionally after a weekday.
fn month_name_date(date: &str) -> Result<Day, DateError> {
    let bad = DateError::Unrecognised;
    let mut tokens: Vec<&str> = date
        .split([' ', ',', '-', '/', '.'])
        .filter(|t| !t.is_empty())
        .take(5)
        .collect();
    if tokens.len() == 4 && tokens.first().is_some_and(|t| is_weekday(t)) {
        tokens.remove(0);
    }
    let [t1, t2, t3] = tokens.as_slice() else {
        return Err(bad);
    };
    let digits = |t: &str, lens: &[usize]| -> Option<u32> {
        if lens.contains(&t.len()) {
            number(t)
        } else {
            None
        }
    };
    let year = |t: &str| -> Option<i32> {
        match t.len() {
            4 => i32::try_from(number(t)?).ok(),
            2 => expand_year(number(t)?),
            _ => None,
        }
    };
    let (y, m, d) = if let Some(m) = month_number(t2) {
        if t1.len() == 4 {
            // 2011-Mar-04
            (year(t1).ok_or(bad)?, m, digits(t3, &[1, 2]).ok_or(bad)?)
        } else {
            // 4 Mar 2011
            (year(t3).ok_or(bad)?, m, digits(t1, &[1, 2]).ok_or(bad)?)
        }
    } else if let Some(m) = month_number(t1) {
        // Mar 4, 2011
        (year(t3).ok_or(bad)?, m, digits(t2, &[1, 2]).ok_or(bad)?)
    } else {
        return Err(bad);
    };
    ymd(y, m, d)
}

/// Reads the dates of one column: knows the `dateFormat` option and what the data proved.
#[derive(Debug, Clone, Default)]
pub struct DateParser {
    order: DateOrder,
    /// Values with only a day-first (first) or only a month-first (second) reading.
    evidence: Evidence,
    ambiguous_slash_seen: bool,
    ambiguous_dash_seen: bool,
    /// The last plain `YYYY-MM-DD` read and its day: files sorted by date repeat it row after row.
    last_iso: std::cell::Cell<Option<([u8; 10], Day)>>,
}

impl DateParser {
    pub fn new(order: DateOrder) -> Self {
        DateParser {
            order,
            ..Self::default()
        }
    }

    /// Looks at a value for evidence of the day/month order; values that prove nothing (including
    /// unreadable ones) change nothing.
    pub fn observe(&mut self, raw: &str) {
        if Self::proves_nothing(raw) {
            return;
        }
        let Ok(Shape::Triple(t)) = classify(raw) else {
            return;
        };
        if t.sep == Sep::Dot {
            return;
        }
        match (t.day_first(), t.month_first()) {
            (Ok(_), Err(_)) => {
                self.evidence.saw_first(raw);
            }
            (Err(_), Ok(_)) => {
                self.evidence.saw_second(raw);
            }
            (Ok(x), Ok(y)) if x != y => match t.sep {
                Sep::Slash => self.ambiguous_slash_seen = true,
                _ => self.ambiguous_dash_seen = true,
            },
            _ => {}
        }
    }

    /// True for values [`Self::observe`] skips at once: ISO dates (valid or not) prove nothing
    /// about the day/month order.
    pub fn proves_nothing(raw: &str) -> bool {
        starts_with_year(raw) || fast_iso(raw).is_some()
    }

    /// The order in use: the option when given, else the order the data proved (`None` while
    /// nothing is proved, or when the data proved both).
    pub fn resolved(&self) -> Option<DateOrder> {
        match self.order {
            DateOrder::Auto => self.evidence.proved(DateOrder::Dmy, DateOrder::Mdy),
            given => Some(given),
        }
    }

    /// True when observed values proved both day-first and month-first.
    pub fn conflict(&self) -> bool {
        self.evidence.conflict()
    }

    /// Everything observed values decided, as text: two parsers with equal keys read every
    /// value alike from here on (the cache of the last ISO date aside, which changes no result).
    pub fn evidence_key(&self) -> String {
        format!("{:?}|{:?}|{}|{}", self.order, self.evidence, self.ambiguous_slash_seen, self.ambiguous_dash_seen)
    }

    /// One day-first-only and one month-first-only value seen, when [`Self::conflict`] holds.
    pub fn conflict_examples(&self) -> Option<(&str, &str)> {
        self.evidence.examples()
    }

    /// True when an observed value would fail as [`DateError::Ambiguous`]: an ambiguous slash date
    /// (or dash date, after a conflict) was seen and no order is known. Files whose dates are all
    /// ISO, YYYYMMDD, serials, month names or self-evident never need an order.
    pub fn needs_order(&self) -> bool {
        self.resolved().is_none()
            && (self.ambiguous_slash_seen || (self.ambiguous_dash_seen && self.conflict()))
    }

    /// Reads one value.
    pub fn parse(&self, raw: &str) -> Result<Day, DateError> {
        let plain = <[u8; 10]>::try_from(raw.as_bytes()).ok();
        if let (Some(text), Some((last, day))) = (plain, self.last_iso.get()) {
            if text == last {
                return Ok(day);
            }
        }
        match fast_iso(raw) {
            Some(result) => {
                // `fast_iso` reads a date the same whatever the parser has seen, so it can be kept.
                if let (Some(text), Ok(day)) = (plain, &result) {
                    self.last_iso.set(Some((text, *day)));
                }
                result
            }
            None => self.parse_general(raw),
        }
    }

    /// [`Self::parse`] without the fast path.
    fn parse_general(&self, raw: &str) -> Result<Day, DateError> {
        match classify(raw)? {
            Shape::Exact(day) => Ok(day),
            Shape::Triple(t) => self.read_triple(&t),
        }
    }

    fn read_triple(&self, t: &Triple) -> Result<Day, DateError> {
        let resolved = self.resolved();
        if resolved == Some(DateOrder::Ymd) {
            return t.year_first();
        }
        if t.sep == Sep::Dot {
            return t.day_first();
        }
        match resolved {
            Some(DateOrder::Mdy) => t.month_first(),
            Some(_) => t.day_first(),
            None => match (t.day_first(), t.month_first()) {
                (Ok(x), Ok(y)) if x == y => Ok(x),
                (Ok(x), Ok(_)) if t.sep == Sep::Dash && !self.conflict() => Ok(x),
                (Ok(_), Ok(_)) => Err(DateError::Ambiguous),
                (Ok(x), Err(_)) => Ok(x),
                (Err(_), Ok(y)) => Ok(y),
                (Err(e), Err(_)) => Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Day {
        days_from_civil(y, m, d).unwrap()
    }

    fn auto(raw: &str) -> Result<Day, DateError> {
        DateParser::new(DateOrder::Auto).parse(raw)
    }

    fn with(order: DateOrder, raw: &str) -> Result<Day, DateError> {
        DateParser::new(order).parse(raw)
    }

    #[test]
    fn civil_conversions_known_values() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(1969, 12, 31), Some(-1));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
        assert_eq!(days_from_civil(1899, 12, 30), Some(SERIAL_EPOCH));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(format_day(day(2011, 3, 4)), "2011-03-04");
        assert_eq!(format_day(day(1900, 1, 1)), "1900-01-01");
        assert_eq!(format_day(day(9999, 12, 31)), "9999-12-31");
        assert_eq!(format_day(day(10_000, 1, 1)), "10000-01-01");
        assert_eq!(format_day(day(0, 2, 29)), "0000-02-29");
        assert_eq!(format_day(day(-1, 12, 31)), "-001-12-31");
        assert_eq!(format_day(day(-12_345, 6, 7)), "-12345-06-07");
    }

    #[test]
    fn civil_rejects_impossible_days() {
        assert_eq!(days_from_civil(2011, 2, 30), None);
        assert_eq!(days_from_civil(2011, 0, 1), None);
        assert_eq!(days_from_civil(2011, 13, 1), None);
        assert_eq!(days_from_civil(2011, 4, 31), None);
        assert_eq!(days_from_civil(2011, 1, 0), None);
        assert_eq!(days_from_civil(i32::MAX, 12, 31), None);
        assert_eq!(days_from_civil(i32::MIN, 1, 1), None);
    }

    #[test]
    fn leap_years() {
        assert!(days_from_civil(2000, 2, 29).is_some());
        assert!(days_from_civil(2012, 2, 29).is_some());
        assert!(days_from_civil(1900, 2, 29).is_none());
        assert!(days_from_civil(2100, 2, 29).is_none());
        assert!(days_from_civil(2011, 2, 29).is_none());
        assert_eq!(auto("2000-02-29"), Ok(day(2000, 2, 29)));
        assert_eq!(auto("1900-02-29"), Err(DateError::Invalid));
        assert_eq!(auto("2100-02-29"), Err(DateError::Invalid));
        assert_eq!(auto("29/02/2000"), Ok(day(2000, 2, 29)));
        assert_eq!(auto("29.02.2100"), Err(DateError::Invalid));
    }

    #[test]
    fn round_trip_every_day_1900_to_2200() {
        let first = day(1900, 1, 1);
        let last = day(2200, 12, 31);
        let mut expected = (1900, 1, 1);
        for z in first..=last {
            let (y, m, d) = civil_from_days(z);
            assert_eq!((y, m, d), expected, "day {z}");
            assert_eq!(days_from_civil(y, m, d), Some(z));
            assert_eq!(parse_iso_day(&format_day(z)), Some(z));
            expected = if d < days_in_month(y, m).unwrap() {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
        assert_eq!(last - first + 1, 301 * 365 + 73);
    }

    #[test]
    fn civil_from_days_is_total() {
        for z in [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX - 1, i32::MAX] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), Some(z), "{z}");
        }
    }

    #[test]
    fn the_last_iso_date_is_remembered_exactly() {
        let p = DateParser::new(DateOrder::Auto);
        for (raw, expected) in [
            ("2023-01-05", Ok(day(2023, 1, 5))),
            ("2023-01-05", Ok(day(2023, 1, 5))),
            ("2023-02-30", Err(DateError::Invalid)),
            ("2023-01-05", Ok(day(2023, 1, 5))),
            ("2023-01-06", Ok(day(2023, 1, 6))),
            ("05/01/2023", p.parse_general("05/01/2023")),
            ("2023-01-06", Ok(day(2023, 1, 6))),
        ] {
            assert_eq!(p.parse(raw), expected, "{raw}");
        }
    }

    #[test]
    fn strict_iso_days() {
        assert_eq!(parse_iso_day("2011-03-04"), Some(day(2011, 3, 4)));
        assert_eq!(parse_iso_day(" 2011-03-04 "), Some(day(2011, 3, 4)));
        for bad in [
            "2011-3-4",
            "2011/03/04",
            "20110304",
            "2011-03-04T00:00",
            "2011-02-30",
            "0000-00-00",
            "9999-12-31",
            "1899-12-31",
            "+011-03-04",
            "２０１１-03-04",
            "",
        ] {
            assert_eq!(parse_iso_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn iso_and_compact_forms() {
        let want = Ok(day(2011, 3, 4));
        for raw in [
            "2011-03-04",
            " 2011-03-04 ",
            "2011/03/04",
            "2011-3-4",
            "2011.03.04",
            "20110304",
        ] {
            assert_eq!(auto(raw), want, "{raw}");
            for order in [DateOrder::Ymd, DateOrder::Dmy, DateOrder::Mdy] {
                assert_eq!(with(order, raw), want, "{raw} {order:?}");
            }
        }
        assert_eq!(auto("20110230"), Err(DateError::Invalid));
        assert_eq!(auto("20111301"), Err(DateError::Invalid));
        assert_eq!(auto("18991231"), Err(DateError::OutOfRange));
    }

    #[test]
    fn year_last_forms() {
        assert_eq!(with(DateOrder::Dmy, "04/03/2011"), Ok(day(2011, 3, 4)));
        assert_eq!(with(DateOrder::Mdy, "03/04/2011"), Ok(day(2011, 3, 4)));
        assert_eq!(with(DateOrder::Dmy, "4/3/2011"), Ok(day(2011, 3, 4)));
        assert_eq!(with(DateOrder::Mdy, "3/4/2011"), Ok(day(2011, 3, 4)));
        // Dot: day first whatever the order.
        assert_eq!(auto("04.03.2011"), Ok(day(2011, 3, 4)));
        assert_eq!(with(DateOrder::Mdy, "04.03.2011"), Ok(day(2011, 3, 4)));
        assert_eq!(auto("4.3.2011"), Ok(day(2011, 3, 4)));
        // Dash: day first unless month first is given or proved.
        assert_eq!(auto("04-03-2011"), Ok(day(2011, 3, 4)));
        assert_eq!(with(DateOrder::Dmy, "04-03-2011"), Ok(day(2011, 3, 4)));
        assert_eq!(with(DateOrder::Mdy, "03-04-2011"), Ok(day(2011, 3, 4)));
        // Explicit order against the value.
        assert_eq!(with(DateOrder::Dmy, "03/13/2011"), Err(DateError::Invalid));
        assert_eq!(with(DateOrder::Mdy, "13/03/2011"), Err(DateError::Invalid));
        assert_eq!(with(DateOrder::Ymd, "04/03/2011"), Err(DateError::Mismatch));
        assert_eq!(with(DateOrder::Ymd, "04.03.2011"), Err(DateError::Mismatch));
    }

    #[test]
    fn two_digit_years() {
        assert_eq!(with(DateOrder::Dmy, "04/03/11"), Ok(day(2011, 3, 4)));
        assert_eq!(with(DateOrder::Mdy, "3/4/69"), Ok(day(2069, 3, 4)));
        assert_eq!(with(DateOrder::Mdy, "3/4/70"), Ok(day(1970, 3, 4)));
        assert_eq!(auto("04.03.99"), Ok(day(1999, 3, 4)));
        assert_eq!(auto("13/03/00"), Ok(day(2000, 3, 13)));
        assert_eq!(with(DateOrder::Ymd, "11/03/04"), Ok(day(2011, 3, 4)));
        assert_eq!(with(DateOrder::Ymd, "11-3-4"), Ok(day(2011, 3, 4)));
        // A one-digit or three-digit year is not a year.
        assert_eq!(with(DateOrder::Dmy, "4/3/1"), Err(DateError::Unrecognised));
        assert_eq!(auto("4/3/201"), Err(DateError::Unrecognised));
        assert_eq!(auto("4/3/20111"), Err(DateError::Unrecognised));
    }

    #[test]
    fn month_names() {
        let want = Ok(day(2011, 3, 4));
        for raw in [
            "4 Mar 2011",
            "04-Mar-2011",
            "04-MAR-11",
            "4 March 2011",
            "Mar 4, 2011",
            "March 4 2011",
            "2011-Mar-04",
            "Fri, 04 Mar 2011",
            "Fri, 04 Mar 2011 10:11:12 +0000",
            "Friday 4 March 2011",
            "mar 4, 2011 10:15 PM",
        ] {
            assert_eq!(auto(raw), want, "{raw}");
        }
        assert_eq!(auto("4 Sept 2011"), Ok(day(2011, 9, 4)));
        assert_eq!(auto("30 Feb 2011"), Err(DateError::Invalid));
        for bad in [
            "4 Marc 2011",
            "4 Mar",
            "Mar 2011",
            "4 Mär 2011",
            "4 Ma 2011",
        ] {
            assert_eq!(auto(bad), Err(DateError::Unrecognised), "{bad}");
        }
    }

    #[test]
    fn spreadsheet_serials() {
        assert_eq!(auto("40513"), Ok(day(2010, 12, 1)));
        assert_eq!(auto("40513.354"), Ok(day(2010, 12, 1)));
        assert_eq!(auto(" 40513.99999 "), Ok(day(2010, 12, 1)));
        assert_eq!(auto("1"), Ok(day(1900, 1, 1)));
        assert_eq!(auto("59"), Ok(day(1900, 2, 28)));
        assert_eq!(auto("60"), Err(DateError::Invalid));
        assert_eq!(auto("61"), Ok(day(1900, 3, 1)));
        assert_eq!(auto("36526"), Ok(day(2000, 1, 1)));
        assert_eq!(auto("0"), Err(DateError::OutOfRange));
        assert_eq!(auto("2958465"), Err(DateError::OutOfRange));
        assert_eq!(auto("2958466"), Err(DateError::OutOfRange));
        assert_eq!(auto("40513."), Err(DateError::Unrecognised));
        assert_eq!(auto(".5"), Err(DateError::Unrecognised));
        assert_eq!(auto("123456789"), Err(DateError::Unrecognised));
        // The last supported day, 2200-12-31, and the one after.
        let last = day(2200, 12, 31) - SERIAL_EPOCH;
        assert_eq!(auto(&last.to_string()), Ok(day(2200, 12, 31)));
        assert_eq!(auto(&(last + 1).to_string()), Err(DateError::OutOfRange));
    }

    #[test]
    fn times_are_validated_and_ignored() {
        let want = Ok(day(2011, 1, 1));
        for raw in [
            "2011-01-01T23:30",
            "2011-01-01T23:30:00",
            "2011-01-01t23:30:00",
            "2011-01-01 23:30:00",
            "2011-01-01  23:30:00",
            "2011-01-01T23:30:00.123",
            "2011-01-01T23:30:00,5",
            "2011-01-01T23:30:00.123456789Z",
            "2011-01-01T23:30:00Z",
            "2011-01-01T23:30:00-05:00",
            "2011-01-01T23:30:00+01:00",
            "2011-01-01T23:30:00+0100",
            "2011-01-01T23:30:00+01",
            "2011-01-01 23:30:00 -0500",
            "2011-01-01 23:30:00 UTC",
            "2011-01-01 23:30:00 utc",
            "2011-01-01 23:30:00 GMT+01:00",
            "2011-01-01 23:30:00 EST",
            "2011-01-01 00:00:00.000000 UTC",
            "2011-01-01 9:05",
            "2011-01-01 11:30 PM",
            "2011-01-01 11:30PM",
            "2011-01-01 11:30 p.m.",
            "2011-01-01 12:00 am",
            "2011-01-01 11:30:15 AM +05:30",
            "20110101 08:00",
            "01/01/2011 23:30",
            "01.01.2011 23:30",
        ] {
            assert_eq!(auto(raw), want, "{raw}");
        }
        for invalid in [
            "2011-01-01 24:00",
            "2011-01-01 23:60",
            "2011-01-01 23:59:61",
            "2011-01-01 13:00 PM",
            "2011-01-01 0:30 AM",
            "2011-01-01T10:00+25:00",
            "2011-01-01T10:00+05:60",
        ] {
            assert_eq!(auto(invalid), Err(DateError::Invalid), "{invalid}");
        }
        for bad in [
            "2011-01-01T",
            "2011-01-01T23",
            "2011-01-0123:30",
            "2011-01-01 23:3",
            "2011-01-01 123:30",
            "2011-01-01 23:30:",
            "2011-01-01 23:30:00.",
            "2011-01-01 23:30:00.1234567890",
            "2011-01-01 23:30 xm",
            "2011-01-01 23:30 +1:00",
            "2011-01-01 23:30 Europe/Paris",
            "2011-01-01 23:30 ZZZZZZ",
            "2011-01-01 23:30 amz",
            "23:30",
            "2011-01-01 23:30:00 UTC garbage",
        ] {
            assert_eq!(auto(bad), Err(DateError::Unrecognised), "{bad}");
        }
    }

    #[test]
    fn zones_keep_the_local_date() {
        assert_eq!(auto("2011-01-01T23:30:00-05:00"), Ok(day(2011, 1, 1)));
        assert_eq!(auto("2011-01-01T00:30:00+09:00"), Ok(day(2011, 1, 1)));
        assert_eq!(auto("2010-12-31T23:59:59-12:00"), Ok(day(2010, 12, 31)));
    }

    #[test]
    fn uci_online_retail_dates() {
        let mut p = DateParser::new(DateOrder::Auto);
        for raw in ["12/1/2010 8:26", "12/1/2010 8:34", "12/2/2010 10:03"] {
            p.observe(raw);
        }
        assert!(p.needs_order());
        assert_eq!(p.parse("12/1/2010 8:26"), Err(DateError::Ambiguous));
        // A day past the 12th settles it.
        p.observe("12/13/2010 9:00");
        assert_eq!(p.resolved(), Some(DateOrder::Mdy));
        assert!(!p.needs_order());
        assert_eq!(p.parse("12/1/2010 8:26"), Ok(day(2010, 12, 1)));
        assert_eq!(p.parse("1/4/2011 10:00"), Ok(day(2011, 1, 4)));
        assert_eq!(
            with(DateOrder::Mdy, "12/9/2011 12:50"),
            Ok(day(2011, 12, 9))
        );
    }

    #[test]
    fn order_inference() {
        let mut p = DateParser::new(DateOrder::Auto);
        assert_eq!(p.resolved(), None);
        assert!(!p.needs_order());
        p.observe("01/02/2011");
        assert_eq!(p.resolved(), None);
        assert!(p.needs_order());
        assert!(!p.conflict());
        assert_eq!(p.parse("01/02/2011"), Err(DateError::Ambiguous));
        assert_eq!(
            p.parse("01/02/2011").unwrap_err().code(),
            ErrorCode::AmbiguousDate
        );
        // Unambiguous values parse while unresolved.
        assert_eq!(p.parse("13/01/2011"), Ok(day(2011, 1, 13)));
        assert_eq!(p.parse("01/13/2011"), Ok(day(2011, 1, 13)));
        assert_eq!(p.parse("05/05/2011"), Ok(day(2011, 5, 5)));
        p.observe("13/01/2011");
        assert_eq!(p.resolved(), Some(DateOrder::Dmy));
        assert_eq!(p.parse("01/02/2011"), Ok(day(2011, 2, 1)));
        // Once resolved, the order is applied strictly.
        assert_eq!(p.parse("01/13/2011"), Err(DateError::Invalid));

        let mut q = DateParser::new(DateOrder::Auto);
        q.observe("01/13/2011");
        assert_eq!(q.resolved(), Some(DateOrder::Mdy));
        assert_eq!(q.parse("01/02/2011"), Ok(day(2011, 1, 2)));
        assert_eq!(q.parse("01-02-2011"), Ok(day(2011, 1, 2)));
    }

    #[test]
    fn values_that_prove_nothing() {
        let mut p = DateParser::new(DateOrder::Auto);
        for raw in [
            "2011-01-13",
            "13.01.2011",
            "01.13.2011",
            "05/05/2011",
            "40513",
            "32/01/2011",
            "13/13/2011",
            "nonsense",
            "",
        ] {
            p.observe(raw);
        }
        assert_eq!(p.resolved(), None);
        assert!(!p.conflict());
        assert!(!p.needs_order());
    }

    #[test]
    fn files_without_ambiguous_forms_never_need_an_order() {
        let mut p = DateParser::new(DateOrder::Auto);
        for raw in [
            "2011-01-02",
            "20110103",
            "40513",
            "04.03.2011",
            "4 Mar 2011",
            "02-01-2011",
        ] {
            p.observe(raw);
        }
        assert!(!p.needs_order());
        assert_eq!(p.resolved(), None);
        assert_eq!(p.parse("02-01-2011"), Ok(day(2011, 1, 2)));
    }

    #[test]
    fn conflicting_evidence() {
        let mut p = DateParser::new(DateOrder::Auto);
        p.observe("13/01/2011");
        p.observe("01/13/2011");
        p.observe("01/02/2011");
        assert!(p.conflict());
        assert_eq!(p.resolved(), None);
        assert!(p.needs_order());
        assert_eq!(p.conflict_examples(), Some(("13/01/2011", "01/13/2011")));
        assert_eq!(p.parse("01/02/2011"), Err(DateError::Ambiguous));
        assert_eq!(p.parse("01-02-2011"), Err(DateError::Ambiguous));
        assert_eq!(p.parse("13/01/2011"), Ok(day(2011, 1, 13)));

        // An explicit order still parses, and the conflict is still reported.
        let mut q = DateParser::new(DateOrder::Dmy);
        q.observe("13/01/2011");
        q.observe("01/13/2011");
        assert!(q.conflict());
        assert_eq!(q.resolved(), Some(DateOrder::Dmy));
        assert!(!q.needs_order());
        assert_eq!(q.parse("01/02/2011"), Ok(day(2011, 2, 1)));
        assert_eq!(q.parse("01/13/2011"), Err(DateError::Invalid));
    }

    #[test]
    fn dash_dates_in_auto() {
        let mut p = DateParser::new(DateOrder::Auto);
        p.observe("01-02-2011");
        assert!(!p.needs_order());
        assert_eq!(p.parse("01-02-2011"), Ok(day(2011, 2, 1)));
        p.observe("13-02-2011");
        p.observe("02-13-2011");
        assert!(p.conflict());
        assert!(p.needs_order());
        assert_eq!(p.parse("01-02-2011"), Err(DateError::Ambiguous));
    }

    #[test]
    fn ranges_and_placeholders() {
        assert_eq!(auto("0000-00-00"), Err(DateError::Invalid));
        assert_eq!(auto("0000-00-00 00:00:00"), Err(DateError::Invalid));
        assert_eq!(auto("00/00/0000"), Err(DateError::Invalid));
        assert_eq!(auto("0000-01-01"), Err(DateError::OutOfRange));
        assert_eq!(auto("9999-12-31"), Err(DateError::OutOfRange));
        assert_eq!(auto("1899-12-31"), Err(DateError::OutOfRange));
        assert_eq!(auto("1900-01-01"), Ok(day(1900, 1, 1)));
        assert_eq!(auto("2200-12-31"), Ok(day(2200, 12, 31)));
        assert_eq!(auto("2201-01-01"), Err(DateError::OutOfRange));
        assert_eq!(auto("2011-02-30"), Err(DateError::Invalid));
        assert_eq!(auto("2011-13-01"), Err(DateError::Invalid));
        assert_eq!(auto("2011-04-31"), Err(DateError::Invalid));
        assert!(DateError::Invalid
            .message("0000-00-00")
            .contains("placeholder"));
    }

    #[test]
    fn empty_and_hostile_strings() {
        assert_eq!(auto(""), Err(DateError::Empty));
        assert_eq!(auto(" \t\r\n"), Err(DateError::Empty));
        let huge = "1".repeat(1 << 20);
        let start = std::time::Instant::now();
        assert_eq!(auto(&huge), Err(DateError::Unrecognised));
        let mut p = DateParser::new(DateOrder::Auto);
        p.observe(&huge);
        let padded = format!("{}2011-01-01", " ".repeat(1 << 20));
        assert_eq!(auto(&padded), Err(DateError::Unrecognised));
        let colons = ":".repeat(1 << 20);
        assert_eq!(auto(&colons), Err(DateError::Unrecognised));
        assert!(start.elapsed().as_secs() < 2);
        for bad in [
            "NaN",
            "nan",
            "Infinity",
            "-1",
            "+40513",
            "1e5",
            "40513e0",
            "0x9E41",
            "２０１１-01-01",
            "٢٠١١-٠١-٠١",
            "2011-01-01\u{0}",
            "2011\u{2212}01\u{2212}01",
            "2011--01-01",
            "2011-01-01-01",
            "2011-01/01",
            "/",
            "-",
            ".",
            "::",
            "T10:00",
            "true",
            "null",
            "1/2",
            "1.5.2011.3",
            "2011-01-01 10:00 \u{1F600}",
        ] {
            let err = auto(bad).unwrap_err();
            assert_ne!(err, DateError::Ambiguous, "{bad}");
            assert_eq!(err.code(), ErrorCode::InvalidDate, "{bad}");
        }
    }

    #[test]
    fn messages_name_formats_and_options() {
        let ambiguous = DateError::Ambiguous.message("03/04/2011");
        assert!(ambiguous.contains("dateFormat"));
        assert!(ambiguous.contains("\"dmy\" or \"mdy\""));
        assert!(ambiguous.contains("03/04/2011"));
        let unrecognised = DateError::Unrecognised.message("soon");
        assert!(unrecognised.contains("\"soon\""));
        assert!(unrecognised.contains("2011-03-04"));
        assert!(DateError::Mismatch.message("04/03/2011").contains("ymd"));
        assert!(DateError::OutOfRange.message("9999-12-31").contains("1900"));
        assert_eq!(DateError::Empty.message(""), "the date is empty");
        let long = DateError::Unrecognised.message(&"x".repeat(10_000));
        assert!(long.len() < 1000);
        assert!(DateError::Unrecognised.message("a\u{0}b").contains("\\0"));
        assert_eq!(DateError::Invalid.code(), ErrorCode::InvalidDate);
        assert_eq!(DateError::OutOfRange.code(), ErrorCode::InvalidDate);
    }

    #[test]
    fn date_order_option_from_json() {
        let order: DateOrder = serde_json::from_str("\"mdy\"").unwrap();
        assert_eq!(order, DateOrder::Mdy);
        assert_eq!(serde_json::to_string(&DateOrder::Dmy).unwrap(), "\"dmy\"");
        assert!(serde_json::from_str::<DateOrder>("\"MDY\"").is_err());
        assert_eq!(DateOrder::default(), DateOrder::Auto);
    }

    #[test]
    fn fast_path_examples() {
        for raw in [
            "2022-01-09",
            " 2022-01-09 ",
            "2022-01-09 13:45:00",
            "2022-01-09T13:45:00Z",
            "2022-01-09T13:45",
            "2022-01-09t13:45:00.123z",
        ] {
            assert_eq!(fast_iso(raw), Some(Ok(day(2022, 1, 9))), "{raw}");
        }
        assert_eq!(fast_iso("2022-02-30"), Some(Err(DateError::Invalid)));
        assert_eq!(fast_iso("1899-12-31"), Some(Err(DateError::OutOfRange)));
        assert_eq!(fast_iso("1899-12-31 24:00"), Some(Err(DateError::Invalid)));
        for raw in [
            "2022-1-09",
            "2022/01/09",
            "2022-01-09  13:45",
            "2022-01-09 9:45",
            "2022-01-09T13:45:00+01:00",
            "2022-01-09 01:45 PM",
            "2022-01-09T",
            "20220109",
        ] {
            assert_eq!(fast_iso(raw), None, "{raw}");
        }
    }

    #[test]
    fn fast_path_agrees_with_general_path() {
        const TIMES: [&str; 40] = [
            "",
            "T00:00",
            "T23:59:59",
            " 13:45:00",
            "T13:45:00Z",
            "t13:45:00z",
            "T13:45Z",
            "T13:45:00.123",
            "T13:45:00,5",
            "T13:45:00.123456789Z",
            "T13:45:00.1234567890",
            "T13:45:00.",
            "T13:45:00.Z",
            "T24:00",
            "T23:60",
            "T23:59:60",
            "T23:59:61",
            "T99:99:99",
            " 13:45 Z",
            "  13:45",
            "\t13:45",
            "T1:45",
            "T13:4",
            "T13:45:0",
            "T13:45:",
            "T13:45.5",
            "T13:45:00+01:00",
            "T13:45:00ZZ",
            " 11:30 PM",
            " 13:30 PM",
            "T",
            "T13",
            "X13:45",
            "T13:45:00Z ",
            "T13:45:00 UTC",
            "T1a:45",
            "T13:4a",
            "T13:45:0a",
            ":",
            "Z",
        ];
        let parsers = [
            DateParser::new(DateOrder::Auto),
            DateParser::new(DateOrder::Mdy),
        ];
        let mut fast = 0;
        let mut check = |raw: &str| {
            for p in &parsers {
                assert_eq!(p.parse(raw), p.parse_general(raw), "{raw:?} {p:?}");
            }
            if let Some(result) = fast_iso(raw) {
                let general = classify(raw).map(|shape| match shape {
                    Shape::Exact(day) => day,
                    Shape::Triple(t) => panic!("{raw:?} is {t:?}"),
                });
                fast += 1;
                assert_eq!(result, general, "{raw:?}");
                // What `observe` skips proves nothing.
                assert!(!matches!(classify(raw), Ok(Shape::Triple(_))), "{raw:?}");
            }
        };
        let mut n = 0usize;
        for y in 1899..=2201 {
            for m in 0..=13 {
                for d in 0..=33 {
                    n += 1;
                    let time = TIMES[n % TIMES.len()];
                    check(&format!("{y:04}-{m:02}-{d:02}{time}"));
                    check(&format!("{y:04}-{m:02}-{d:02}"));
                }
            }
        }
        for y in ["0000", "0001", "1900", "2011", "2200", "9999"] {
            for (m, d) in [
                ("00", "00"),
                ("02", "29"),
                ("12", "31"),
                ("1", "01"),
                ("01", "1"),
            ] {
                for time in TIMES {
                    for pad in ["", " ", "\u{a0}"] {
                        check(&format!("{pad}{y}-{m}-{d}{time}{pad}"));
                    }
                }
            }
        }
        for raw in [
            "2011-01-0a",
            "2011-0a-01",
            "2a11-01-01",
            "2011+01-01",
            "2011-01+01",
        ] {
            check(raw);
        }
        assert!(fast > 200_000, "{fast}");
    }
}
