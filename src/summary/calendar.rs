//! Month and week arithmetic for the analyses, on top of the ingest's calendar
//! ([`crate::ingest::dates`]): month indices and "YYYY-MM" labels, pandas' W-SUN weeks.
//!
//! A month index is year × 12 + (month − 1), so consecutive months differ by 1; a week is the
//! Monday-to-Sunday week of pandas' `W` (= `W-SUN`) periods, named by its Monday.

use crate::dataset::Day;
use crate::ingest::dates::{civil_from_days, days_from_civil, format_day};
use rust_decimal::Decimal;

/// The average Gregorian year, 365.2425 days (numpy's `timedelta64(1, "Y")`).
pub(crate) fn days_per_year() -> Decimal {
    Decimal::try_new(3_652_425, 4).unwrap_or(Decimal::from(365))
}

/// The average Gregorian month, 30.436875 days = 365.2425 / 12 (numpy's `timedelta64(1, "M")`).
pub(crate) fn days_per_month() -> Decimal {
    Decimal::try_new(30_436_875, 6).unwrap_or(Decimal::from(30))
}

/// The month index of `day`.
pub(crate) fn month_index(day: Day) -> i64 {
    let (y, m, _) = civil_from_days(day);
    i64::from(y)
        .saturating_mul(12)
        .saturating_add(i64::from(m))
        .saturating_sub(1)
}

/// (year, month 1–12) of a month index.
fn month_parts(index: i64) -> (i64, u32) {
    let month = u32::try_from(index.rem_euclid(12)).unwrap_or(0);
    (index.div_euclid(12), month.saturating_add(1))
}

/// The first day of a month index; `None` beyond the range of [`Day`].
pub(crate) fn month_start(index: i64) -> Option<Day> {
    let (y, m) = month_parts(index);
    days_from_civil(i32::try_from(y).ok()?, m, 1)
}

/// The last day of a month index; `None` beyond the range of [`Day`].
pub(crate) fn month_end(index: i64) -> Option<Day> {
    month_start(index.checked_add(1)?)?.checked_sub(1)
}

/// True when `day` is the last day of its month.
pub(crate) fn is_month_end(day: Day) -> bool {
    month_end(month_index(day)) == Some(day)
}

/// "YYYY-MM" of a month index.
pub(crate) fn month_label(index: i64) -> String {
    let (y, m) = month_parts(index);
    format!("{y:04}-{m:02}")
}

/// The month index of a "YYYY-MM" label (four-digit year, two-digit month 01–12).
pub(crate) fn parse_month(label: &str) -> Option<i64> {
    let (y, m) = label.trim().split_once('-')?;
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(y, 4) || !digits(m, 2) {
        return None;
    }
    let year: i64 = y.parse().ok()?;
    let month: i64 = m.parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    year.checked_mul(12)?.checked_add(month)?.checked_sub(1)
}

/// "YYYY-MM-DD" of `day`.
pub(crate) fn iso_date(day: Day) -> String {
    format_day(day)
}

/// The Monday starting the Monday-to-Sunday week of `day` (pandas' `W-SUN` period start), as
/// days since 1970-01-01 (a Thursday, 3 days after a Monday).
pub(crate) fn week_start(day: Day) -> i64 {
    let d = i64::from(day);
    d.saturating_sub(d.saturating_add(3).rem_euclid(7))
}

/// The number of the week of `day`: consecutive weeks differ by 1 (week 0 starts 1969-12-29).
pub(crate) fn week_index(day: Day) -> i64 {
    week_start(day).saturating_add(3).div_euclid(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Day {
        days_from_civil(y, m, d).unwrap()
    }

    #[test]
    fn months() {
        let jan_31 = day(2024, 1, 31);
        assert_eq!(month_label(month_index(jan_31)), "2024-01");
        assert_eq!(month_index(jan_31 + 1) - month_index(jan_31), 1);
        assert_eq!(
            month_index(day(2025, 1, 1)) - month_index(day(2024, 1, 31)),
            12
        );
        assert_eq!(month_end(month_index(jan_31 + 1)), Some(day(2024, 2, 29)));
        assert!(is_month_end(day(2023, 2, 28)));
        assert!(!is_month_end(day(2024, 2, 28)));
        assert_eq!(parse_month("2024-02"), Some(month_index(jan_31 + 1)));
        assert_eq!(
            parse_month(" 1999-12 "),
            Some(month_index(day(1999, 12, 5)))
        );
        for bad in [
            "2024-13",
            "2024-00",
            "24-01",
            "2024-1",
            "2024/01",
            "abcd-01",
            "2024-01-01",
            "+024-01",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
        assert_eq!(month_label(month_index(day(1969, 12, 31))), "1969-12");
        assert_eq!(month_end(i64::MAX), None);
    }

    #[test]
    fn weeks() {
        // 2024-01-01 was a Monday; 2023-12-31 a Sunday.
        let monday = day(2024, 1, 1);
        assert_eq!(week_start(monday), i64::from(monday));
        assert_eq!(week_start(monday + 6), i64::from(monday));
        assert_eq!(week_start(monday - 1), i64::from(monday) - 7);
        assert_eq!(week_start(0), -3);
        assert_eq!(week_index(monday + 7) - week_index(monday + 6), 1);
        assert_eq!(week_index(-3), 0);
        assert_eq!(week_index(-4), -1);
    }
}
