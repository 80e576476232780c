//! Money amounts and quantities in transaction files: signs, parentheses, currency symbols and
//! thousands separators taken off to a canonical `-1234.50`, then read exactly as a `Decimal`.
//!
//! Amounts ([`AmountParser`]) accept, around surrounding whitespace:
//! - one sign before or after the number (`-12.50`, `+12.50`, `12.50-`, U+2212 `−12.50`), or
//!   parentheses for a negative (`(12.50)`, `($12.50)`); two of them (`--5`, `(-5)`) are an error;
//! - one currency symbol or code before or after, with or without a space: `$ € £ ¥ ₹ ₩ ₽ ₺ ₴ ₪ ฿ ₫
//!   ₱ ₦`, `R$ US$ CA$ C$ A$ AU$ NZ$ HK$ S$ MX$ CHF Fr. kr kr. zł Kč Ft Rs Rs.`, and any three
//!   uppercase ASCII letters (an ISO 4217 code such as `USD 12.50` or `12,50 EUR`). The currency is
//!   not checked against anything: converting currencies is not the reader's job;
//! - digits with one decimal separator (dot style `1,234.50`, comma style `1.234,50`) and thousands
//!   separators: the other one of `,`/`.`, a space, NBSP (U+00A0), narrow NBSP (U+202F), thin space
//!   (U+2009) or an apostrophe (`'` or U+2019, Swiss `1'234.50`); one kind per value. Groups must be
//!   well formed: 1–3 digits then groups of exactly 3 (`1,234,567`), or in dot style the Indian
//!   lakh/crore grouping `1,23,45,678.00` (1–2 digits, groups of 2, a last group of 3). A decimal
//!   separator needs digits after it (`12.` is an error); `.50` is 0.50.
//!
//! Not accepted: scientific notation (`1e5`, [`AmountError::Scientific`]): in a merchant's export it
//! means a spreadsheet cell lost its number format and its digits, so reading it would invent
//! precision; `NaN`, `inf`, letters, control characters and non-ASCII digits.
//!
//! Decimal separator inference ([`AmountParser::observe`]): a value is read in both styles; if only
//! one reading is well formed, it is evidence for that style (`12,50` comma; `1,234.50` and
//! `1,234,567` dot; `1.234,50` comma; `1,2345` comma). Values that read the same in both styles
//! (`1234`, `1 234`) prove nothing; `1,234` and `1.234` read differently and validly in both, so
//! they are ambiguous and prove nothing either. Until the file's style is known (or when it proved
//! both styles), each value is read by its own evidence and an ambiguous one in dot style
//! (`1,234` = 1234, `1.234` = 1.234), which [`AmountParser::assumed_default`] reports so the
//! ingest can warn. Once the style is given or proved, it is applied strictly.
//!
//! The canonical string is read by [`crate::money::parse_decimal`], the crate's one exact parser;
//! `-0` reads as 0; values beyond the `Decimal` range are [`AmountError::Overflow`].

use super::evidence::{echo, Evidence};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::money::{parse_decimal, ParseDecimalError};

/// Longest raw amount looked at, in bytes: longer values are refused unread.
pub const MAX_AMOUNT_LEN: usize = 1024;
/// Most integer digits a `Decimal` holds (2^96 − 1 has 29).
const MAX_INT_DIGITS: usize = 29;
/// Most decimal places a `Decimal` holds.
const MAX_FRAC_DIGITS: usize = 28;

/// Currency symbols taken off either end, longest first where one ends another (`US$` before `$`).
const SYMBOLS: [&str; 33] = [
    "US$", "CA$", "AU$", "NZ$", "HK$", "MX$", "R$", "C$", "A$", "S$", "kr.", "Rs.", "Fr.", "CHF",
    "zł", "kr", "Kč", "Rs", "Ft", "$", "€", "£", "¥", "₹", "₩", "₽", "₺", "₴", "₪", "฿", "₫", "₱",
    "₦",
];

/// The accepted forms, for error messages.
const ACCEPTED: &str = "accepted: 1234.50, 1,234.50, 1.234,50, 1 234,50 or 1'234.50, with an \
     optional sign (-12.50 or 12.50-), parentheses for a negative ((12.50)) and a currency symbol \
     or code ($12.50, 12,50 €, USD 12.50)";

/// The `decimalSeparator` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DecimalSeparator {
    /// Inferred from the data.
    #[default]
    Auto,
    /// `1,234.50`.
    Dot,
    /// `1.234,50`.
    Comma,
}

/// Why a value is not an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AmountError {
    /// Empty or only whitespace.
    Empty,
    /// Longer than [`MAX_AMOUNT_LEN`] bytes.
    TooLong,
    /// Characters that are not part of an amount, or no digits at all.
    Unrecognised,
    /// Scientific notation (`1e5`).
    Scientific,
    /// More than one sign, or unbalanced parentheses.
    Sign,
    /// Badly grouped thousands, two decimal separators, or a separator with no digits after it.
    Malformed,
    /// Well formed only in the other style than the one in use (given, or proved by the file).
    Separator(DecimalSeparator),
    /// More decimal places or significant digits than a `Decimal` holds exactly.
    TooPrecise,
    /// Beyond the `Decimal` range (about ±7.9e28).
    Overflow,
}

impl AmountError {
    /// The stable error code: `Overflow` for [`AmountError::Overflow`], else `InvalidAmount`.
    pub fn code(&self) -> ErrorCode {
        match self {
            AmountError::Overflow => ErrorCode::Overflow,
            _ => ErrorCode::InvalidAmount,
        }
    }

    /// A sentence for the merchant about the value `raw`.
    pub fn message(&self, raw: &str) -> String {
        let shown = echo(raw);
        match self {
            AmountError::Empty => "the amount is empty".to_owned(),
            AmountError::TooLong => {
                format!("the amount is longer than {MAX_AMOUNT_LEN} characters")
            }
            AmountError::Unrecognised => format!("\"{shown}\" is not an amount ({ACCEPTED})"),
            AmountError::Scientific => format!(
                "\"{shown}\" is in scientific notation, which spreadsheets write when a cell lost \
                 its number format (and digits); format the column as a number and export again"
            ),
            AmountError::Sign => format!(
                "\"{shown}\" has more than one sign or unbalanced parentheses; write one minus \
                 (-12.50 or 12.50-) or parentheses ((12.50)), not both"
            ),
            AmountError::Malformed => format!(
                "\"{shown}\" is not a well-formed amount: thousands separators group exactly three \
                 digits (1,234,567, or Indian 1,23,456.00) and one decimal separator has digits \
                 after it ({ACCEPTED})"
            ),
            AmountError::Separator(DecimalSeparator::Comma) => format!(
                "\"{shown}\" does not fit the decimal comma this file's amounts use (like \
                 1.234,50, set by decimalSeparator or seen in other rows); if amounts are written \
                 like 1,234.50, set decimalSeparator to \"dot\""
            ),
            AmountError::Separator(_) => format!(
                "\"{shown}\" does not fit the decimal point this file's amounts use (like \
                 1,234.50, set by decimalSeparator or seen in other rows); if amounts are written \
                 like 1.234,50, set decimalSeparator to \"comma\""
            ),
            AmountError::TooPrecise => format!(
                "\"{shown}\" has more digits than an exact amount holds (at most 28 decimal places \
                 and 28 significant digits)"
            ),
            AmountError::Overflow => {
                format!("\"{shown}\" is beyond the exact decimal range (about ±7.9e28)")
            }
        }
    }
}

impl std::fmt::Display for AmountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AmountError::Empty => "empty amount",
            AmountError::TooLong => "amount too long",
            AmountError::Unrecognised => "not an amount",
            AmountError::Scientific => "amount in scientific notation",
            AmountError::Sign => "more than one sign",
            AmountError::Malformed => "malformed amount",
            AmountError::Separator(_) => "amount in the other decimal separator style",
            AmountError::TooPrecise => "amount too precise",
            AmountError::Overflow => "amount beyond the exact decimal range",
        })
    }
}

impl std::error::Error for AmountError {}

/// The decimal separator of one reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Dot,
    Comma,
}

impl Style {
    fn other(self) -> Style {
        match self {
            Style::Dot => Style::Comma,
            Style::Comma => Style::Dot,
        }
    }

    fn option(self) -> DecimalSeparator {
        match self {
            Style::Dot => DecimalSeparator::Dot,
            Style::Comma => DecimalSeparator::Comma,
        }
    }
}

/// An amount with its sign, parentheses and currency taken off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stripped<'a> {
    negative: bool,
    body: &'a str,
}

/// The sign, parentheses and currency seen around an amount.
#[derive(Debug, Default)]
struct Marks {
    negative: bool,
    signed: bool,
    open: bool,
    close: bool,
    currency: bool,
}

impl Marks {
    fn sign(&mut self, minus: bool) -> Result<(), AmountError> {
        if self.signed {
            return Err(AmountError::Sign);
        }
        self.signed = true;
        self.negative = minus;
        Ok(())
    }

    fn open(&mut self) -> Result<(), AmountError> {
        if self.open {
            return Err(AmountError::Sign);
        }
        self.open = true;
        self.sign(true)
    }

    fn close(&mut self) -> Result<(), AmountError> {
        if self.close {
            return Err(AmountError::Sign);
        }
        self.close = true;
        Ok(())
    }
}

/// Splits a leading `-`, `+` or U+2212 off: (is minus, the rest).
fn strip_sign_prefix(s: &str) -> Option<(bool, &str)> {
    s.strip_prefix(['-', '\u{2212}'])
        .map(|rest| (true, rest))
        .or_else(|| s.strip_prefix('+').map(|rest| (false, rest)))
}

fn strip_sign_suffix(s: &str) -> Option<(bool, &str)> {
    s.strip_suffix(['-', '\u{2212}'])
        .map(|rest| (true, rest))
        .or_else(|| s.strip_suffix('+').map(|rest| (false, rest)))
}

fn is_iso_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn strip_currency_prefix(s: &str) -> Option<&str> {
    if let Some(rest) = SYMBOLS.iter().find_map(|sym| s.strip_prefix(sym)) {
        return Some(rest);
    }
    let rest = s.get(3..)?;
    (is_iso_code(s.get(..3)?) && !rest.starts_with(|c: char| c.is_ascii_alphabetic()))
        .then_some(rest)
}

fn strip_currency_suffix(s: &str) -> Option<&str> {
    if let Some(rest) = SYMBOLS.iter().find_map(|sym| s.strip_suffix(sym)) {
        return Some(rest);
    }
    let cut = s.len().checked_sub(3)?;
    let rest = s.get(..cut)?;
    (is_iso_code(s.get(cut..)?) && !rest.ends_with(|c: char| c.is_ascii_alphabetic()))
        .then_some(rest)
}

/// Takes the sign, parentheses and currency off `raw`.
fn strip(raw: &str) -> Result<Stripped<'_>, AmountError> {
    if raw.len() > MAX_AMOUNT_LEN {
        return Err(AmountError::TooLong);
    }
    let mut s = raw.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    let mut marks = Marks::default();
    // At most three marks on a side: a fourth is left in the body and rejected there.
    for _ in 0..3 {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix('(') {
            marks.open()?;
            s = rest;
        } else if let Some((minus, rest)) = strip_sign_prefix(s) {
            marks.sign(minus)?;
            s = rest;
        } else if let Some(rest) = strip_currency_prefix(s).filter(|_| !marks.currency) {
            marks.currency = true;
            s = rest;
        } else {
            break;
        }
    }
    for _ in 0..3 {
        s = s.trim_end();
        if let Some(rest) = s.strip_suffix(')') {
            marks.close()?;
            s = rest;
        } else if let Some((minus, rest)) = strip_sign_suffix(s) {
            marks.sign(minus)?;
            s = rest;
        } else if let Some(rest) = strip_currency_suffix(s).filter(|_| !marks.currency) {
            marks.currency = true;
            s = rest;
        } else {
            break;
        }
    }
    if marks.open != marks.close {
        return Err(AmountError::Sign);
    }
    Ok(Stripped {
        negative: marks.negative,
        body: s.trim(),
    })
}

/// The kind of a thousands separator in `style` (`' '` for every space, `'\''` for apostrophes).
fn grouping_kind(c: char, style: Style) -> Option<char> {
    match c {
        ',' if style == Style::Dot => Some(','),
        '.' if style == Style::Comma => Some('.'),
        ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' => Some(' '),
        '\'' | '\u{2019}' => Some('\''),
        _ => None,
    }
}

/// Thousands groups: 1–3 digits then threes, or (comma grouping only) Indian 1–2, twos, a last three.
fn groups_ok(groups: &[usize], kind: Option<char>) -> bool {
    let Some((first, rest)) = groups.split_first() else {
        return true;
    };
    if rest.is_empty() {
        return true;
    }
    let western = (1..=3).contains(first) && rest.iter().all(|&g| g == 3);
    let indian = kind == Some(',')
        && (1..=2).contains(first)
        && rest
            .split_last()
            .is_some_and(|(&last, middle)| last == 3 && middle.iter().all(|&g| g == 2));
    western || indian
}

/// Reads a stripped body in one style.
fn read_body(negative: bool, body: &str, style: Style) -> Result<Decimal, AmountError> {
    let decimal = match style {
        Style::Dot => '.',
        Style::Comma => ',',
    };
    let mut int = String::new();
    let mut frac = String::new();
    let mut groups: Vec<usize> = Vec::new();
    let mut current = 0usize;
    let mut kind: Option<char> = None;
    let mut in_frac = false;
    for c in body.chars() {
        if c.is_ascii_digit() {
            if in_frac {
                frac.push(c);
            } else {
                int.push(c);
                current = current.saturating_add(1);
            }
        } else if c == decimal {
            if in_frac {
                return Err(AmountError::Malformed);
            }
            in_frac = true;
        } else if let Some(k) = grouping_kind(c, style) {
            if in_frac || current == 0 || kind.is_some_and(|seen| seen != k) {
                return Err(AmountError::Malformed);
            }
            kind = Some(k);
            groups.push(current);
            current = 0;
        } else if c == 'e' || c == 'E' {
            return Err(AmountError::Scientific);
        } else if matches!(c, '-' | '+' | '\u{2212}' | '(' | ')') {
            return Err(AmountError::Sign);
        } else {
            return Err(AmountError::Unrecognised);
        }
    }
    if int.is_empty() && frac.is_empty() {
        return Err(AmountError::Unrecognised);
    }
    groups.push(current);
    let trailing_separator = in_frac && frac.is_empty();
    let dangling_group = kind.is_some() && current == 0;
    if trailing_separator || dangling_group || !groups_ok(&groups, kind) {
        return Err(AmountError::Malformed);
    }
    canonical_decimal(negative, &int, &frac)
}

/// Reads `±int.frac` (plain ASCII digits) exactly through [`parse_decimal`]; zero has no sign.
fn canonical_decimal(negative: bool, int: &str, frac: &str) -> Result<Decimal, AmountError> {
    let int = int.trim_start_matches('0');
    if int.len() > MAX_INT_DIGITS {
        return Err(AmountError::Overflow);
    }
    let frac = if frac.len() > MAX_FRAC_DIGITS {
        frac.trim_end_matches('0')
    } else {
        frac
    };
    if frac.len() > MAX_FRAC_DIGITS {
        return Err(AmountError::TooPrecise);
    }
    let mut canonical = String::with_capacity(64);
    if negative {
        canonical.push('-');
    }
    canonical.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        canonical.push('.');
        canonical.push_str(frac);
    }
    let value = parse_decimal(&canonical).map_err(|e| match e {
        ParseDecimalError::Overflow => AmountError::Overflow,
        ParseDecimalError::TooPrecise | ParseDecimalError::TooLong => AmountError::TooPrecise,
        ParseDecimalError::Empty | ParseDecimalError::Malformed | ParseDecimalError::NotFinite => {
            AmountError::Unrecognised
        }
    })?;
    Ok(if value.is_zero() {
        Decimal::ZERO
    } else {
        value
    })
}

/// The fast path for the common plain amount, `-?[0-9]{1,18}(\.[0-9]{1,10})?` after trimming:
/// the value the general path reads (trailing fraction zeros dropped, `-0` is 0), or `None` to
/// take the general path (as the rare value with more than 18 significant digits does). `style`
/// is the style in use (`None`: each value by its own evidence). A dot is a thousands separator
/// in comma style, so only integers are read there; unresolved, three fraction digits (`1.234`)
/// are left to the general path, which knows them as ambiguous.
fn fast_plain(raw: &str, style: Option<Style>) -> Option<Decimal> {
    if raw.len() > MAX_AMOUNT_LEN {
        return None;
    }
    // ASCII whitespace only: the shape checked next starts and ends with no other, so this
    // trims as `str::trim` does.
    let s = raw.as_bytes().trim_ascii();
    let (negative, s) = match s {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    let (int, frac) = match s.iter().position(|&b| b == b'.') {
        Some(point) => (s.get(..point)?, Some(s.get(point.checked_add(1)?..)?)),
        None => (s, None),
    };
    let mut frac: &[u8] = match (frac, style) {
        (None, _) => &[],
        (Some(_), Some(Style::Comma)) => return None,
        (Some(f), None) if f.len() == 3 => return None,
        (Some(f), _) if !f.is_empty() && f.len() <= 10 => f,
        (Some(_), _) => return None,
    };
    while let [rest @ .., b'0'] = frac {
        frac = rest;
    }
    // Up to 18 digits always fit an i64, so the arithmetic needs no overflow checks (which cost a
    // 128-bit multiplication in wasm32); longer values are left to the general path.
    if int.is_empty() || int.len().saturating_add(frac.len()) > 18 {
        return None;
    }
    let mantissa = int.iter().chain(frac).try_fold(0i64, |acc, &b| {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        Some(acc.wrapping_mul(10).wrapping_add(i64::from(digit)))
    })?;
    let signed = if negative {
        mantissa.checked_neg()?
    } else {
        mantissa
    };
    // A zero is built without a sign, as the general path's `-0` is 0.
    Decimal::try_new(signed, u32::try_from(frac.len()).ok()?).ok()
}

/// Both readings of a stripped amount: (dot style, comma style).
fn readings(s: Stripped<'_>) -> (Result<Decimal, AmountError>, Result<Decimal, AmountError>) {
    (
        read_body(s.negative, s.body, Style::Dot),
        read_body(s.negative, s.body, Style::Comma),
    )
}

/// Reads in `style`; a value well formed only in the other style is [`AmountError::Separator`].
fn read_strict(s: Stripped<'_>, style: Style) -> Result<Decimal, AmountError> {
    read_body(s.negative, s.body, style).map_err(|e| {
        if e == AmountError::Malformed && read_body(s.negative, s.body, style.other()).is_ok() {
            AmountError::Separator(style.option())
        } else {
            e
        }
    })
}

/// Reads by the value's own evidence: the dot reading if well formed, else the comma reading.
fn read_by_evidence(s: Stripped<'_>) -> Result<Decimal, AmountError> {
    match readings(s) {
        (Ok(value), _) | (Err(_), Ok(value)) => Ok(value),
        (Err(AmountError::Malformed), Err(e)) => Err(e),
        (Err(e), Err(_)) => Err(e),
    }
}

/// Reads the amounts of one column: knows the `decimalSeparator` option and what the data proved.
#[derive(Debug, Clone, Default)]
pub struct AmountParser {
    option: DecimalSeparator,
    /// Values well formed only in dot style (first) or only in comma style (second).
    evidence: Evidence,
    ambiguous_seen: bool,
}

impl AmountParser {
    pub fn new(option: DecimalSeparator) -> Self {
        AmountParser {
            option,
            ..Self::default()
        }
    }

    /// Looks at a value for evidence of the decimal separator; values that prove nothing
    /// (including unreadable ones) change nothing except noting an ambiguous one (`1,234`).
    pub fn observe(&mut self, raw: &str) {
        let Ok(stripped) = strip(raw) else {
            return;
        };
        match readings(stripped) {
            (Ok(dot), Ok(comma)) => {
                if dot != comma {
                    self.ambiguous_seen = true;
                }
            }
            (Ok(_), Err(_)) => {
                self.evidence.saw_first(raw);
            }
            (Err(_), Ok(_)) => {
                self.evidence.saw_second(raw);
            }
            (Err(_), Err(_)) => {}
        }
    }

    /// The style in use: the option when given, else the style the data proved (`None` while
    /// nothing is proved, or when the data proved both).
    pub fn resolved(&self) -> Option<DecimalSeparator> {
        match self.option {
            DecimalSeparator::Auto => self.evidence.proved(DecimalSeparator::Dot, DecimalSeparator::Comma),
            given => Some(given),
        }
    }

    /// True when observed values proved both styles.
    pub fn conflict(&self) -> bool {
        self.evidence.conflict()
    }

    /// Everything observed values decided, as text: two parsers with equal keys read every
    /// value alike from here on.
    pub fn evidence_key(&self) -> String {
        format!("{:?}|{:?}|{}", self.option, self.evidence, self.ambiguous_seen)
    }

    /// One dot-only and one comma-only value seen, when [`Self::conflict`] holds.
    pub fn conflict_examples(&self) -> Option<(&str, &str)> {
        self.evidence.examples()
    }

    /// True when ambiguous values (`1,234`) were observed and, no style being known, they are
    /// read in the default dot style (`1,234` = 1234): the ingest should warn.
    pub fn assumed_default(&self) -> bool {
        self.ambiguous_seen && self.resolved().is_none()
    }

    /// Reads one amount.
    pub fn parse(&self, raw: &str) -> Result<Decimal, AmountError> {
        let style = match self.resolved() {
            Some(DecimalSeparator::Dot) => Some(Style::Dot),
            Some(DecimalSeparator::Comma) => Some(Style::Comma),
            Some(DecimalSeparator::Auto) | None => None,
        };
        match fast_plain(raw, style) {
            Some(value) => Ok(value),
            None => self.parse_general(raw),
        }
    }

    /// [`Self::parse`] without the fast path.
    fn parse_general(&self, raw: &str) -> Result<Decimal, AmountError> {
        let stripped = strip(raw)?;
        match self.resolved() {
            Some(DecimalSeparator::Dot) => read_strict(stripped, Style::Dot),
            Some(DecimalSeparator::Comma) => read_strict(stripped, Style::Comma),
            Some(DecimalSeparator::Auto) | None => read_by_evidence(stripped),
        }
    }
}

/// Reads a quantity: a plain number with an optional leading sign, no currency, no parentheses,
/// no spaces. The decimal separator is a dot, or a comma (`1,5`). A comma followed by exactly
/// three digits (after 1–3 digits), or several commas, are thousands separators instead:
/// `1,000` is 1000 and `1,234,567` is 1234567 (line quantities are mostly whole numbers, so a
/// thousand is the likelier meaning). With a dot present, commas are thousands separators
/// (`1,234.5`); a dot is always decimal, so `1.000` is 1 and `1.234,5` is an error.
pub fn parse_quantity(raw: &str) -> Result<Decimal, AmountError> {
    // Most lines have one to nine of something.
    if let [digit @ b'1'..=b'9'] = raw.as_bytes() {
        return Ok(Decimal::from(digit.wrapping_sub(b'0')));
    }
    // A plain quantity has no comma, so it is read in dot style (see `quantity_style`).
    match fast_plain(raw, Some(Style::Dot)) {
        Some(value) => Ok(value),
        None => parse_quantity_general(raw),
    }
}

/// [`parse_quantity`] without the fast path.
fn parse_quantity_general(raw: &str) -> Result<Decimal, AmountError> {
    if raw.len() > MAX_AMOUNT_LEN {
        return Err(AmountError::TooLong);
    }
    let s = raw.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, body) = strip_sign_prefix(s).unwrap_or((false, s));
    if let Some(c) = body
        .chars()
        .find(|c| !(c.is_ascii_digit() || *c == '.' || *c == ','))
    {
        return Err(match c {
            'e' | 'E' => AmountError::Scientific,
            '-' | '+' | '\u{2212}' | '(' | ')' => AmountError::Sign,
            _ => AmountError::Unrecognised,
        });
    }
    read_body(negative, body, quantity_style(body))
}

/// Dot style unless a single comma is a decimal comma (not followed by exactly three digits
/// after 1–3 digits).
fn quantity_style(body: &str) -> Style {
    if body.contains('.') {
        return Style::Dot;
    }
    let mut parts = body.split(',');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(before), Some(after), None)
            if after.len() != 3 || !(1..=3).contains(&before.len()) =>
        {
            Style::Comma
        }
        _ => Style::Dot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn auto(raw: &str) -> Result<Decimal, AmountError> {
        AmountParser::new(DecimalSeparator::Auto).parse(raw)
    }

    fn dot(raw: &str) -> Result<Decimal, AmountError> {
        AmountParser::new(DecimalSeparator::Dot).parse(raw)
    }

    fn comma(raw: &str) -> Result<Decimal, AmountError> {
        AmountParser::new(DecimalSeparator::Comma).parse(raw)
    }

    #[test]
    fn plain_and_signed() {
        for (raw, want) in [
            ("12.50", "12.50"),
            ("  12.50  ", "12.50"),
            ("-12.50", "-12.50"),
            ("+12.50", "12.50"),
            ("12.50-", "-12.50"),
            ("12.50 -", "-12.50"),
            ("- 12.50", "-12.50"),
            ("\u{2212}12.50", "-12.50"),
            ("(12.50)", "-12.50"),
            ("( 12.50 )", "-12.50"),
            ("0", "0"),
            ("007", "7"),
            (".50", "0.50"),
            ("1234", "1234"),
        ] {
            assert_eq!(auto(raw), Ok(d(want)), "{raw}");
        }
    }

    #[test]
    fn negative_zero_is_zero() {
        for raw in ["-0", "-0.00", "(0)", "0-", "-0,00 €", "-$0.00"] {
            let value = auto(raw).unwrap();
            assert!(value.is_zero() && !value.is_sign_negative(), "{raw}");
        }
        assert!(!parse_quantity("-0").unwrap().is_sign_negative());
    }

    #[test]
    fn currency_symbols_and_codes() {
        for (raw, want) in [
            ("$12.50", "12.50"),
            ("$ 12.50", "12.50"),
            ("12.50$", "12.50"),
            ("12.50 $", "12.50"),
            ("-$12.50", "-12.50"),
            ("$-12.50", "-12.50"),
            ("($12.50)", "-12.50"),
            ("$(12.50)", "-12.50"),
            ("(12,50 €)", "-12.50"),
            ("€12,50", "12.50"),
            ("12,50 €", "12.50"),
            ("12,50\u{a0}€", "12.50"),
            ("-12,50 €", "-12.50"),
            ("12,50 € -", "-12.50"),
            ("£1,234.50", "1234.50"),
            ("¥1,234", "1234"),
            ("₹1,23,456.00", "123456.00"),
            ("₩ 15,000", "15000"),
            ("₽ 1 234,50", "1234.50"),
            ("R$ 1.234,56", "1234.56"),
            ("-R$ 1.234,56", "-1234.56"),
            ("US$ 12.50", "12.50"),
            ("12.50 US$", "12.50"),
            ("CHF 1'234.50", "1234.50"),
            ("1'234.50 CHF", "1234.50"),
            ("12,50 kr", "12.50"),
            ("kr 12,50", "12.50"),
            ("12,50 kr.", "12.50"),
            ("12,50 zł", "12.50"),
            ("1 234,50 Kč", "1234.50"),
            ("Rs. 1,23,456", "123456"),
            ("USD 12.50", "12.50"),
            ("USD12.50", "12.50"),
            ("12,50 EUR", "12.50"),
            ("12.50EUR", "12.50"),
            ("-12.50 GBP", "-12.50"),
            ("(JPY 1,234)", "-1234"),
        ] {
            assert_eq!(auto(raw), Ok(d(want)), "{raw}");
        }
    }

    #[test]
    fn currency_misuse() {
        assert_eq!(auto("$"), Err(AmountError::Unrecognised));
        assert_eq!(auto("USD"), Err(AmountError::Unrecognised));
        assert_eq!(auto("$$5"), Err(AmountError::Unrecognised));
        assert_eq!(auto("$5 €"), Err(AmountError::Unrecognised));
        assert_eq!(auto("usd 5"), Err(AmountError::Unrecognised));
        assert_eq!(auto("USDX 5"), Err(AmountError::Unrecognised));
        assert_eq!(auto("5 dollars"), Err(AmountError::Unrecognised));
        assert!(auto("$-$5").is_err());
    }

    #[test]
    fn thousands_separators() {
        for (raw, want) in [
            ("1,234.50", "1234.50"),
            ("1,234,567.89", "1234567.89"),
            ("1 234.50", "1234.50"),
            ("1\u{a0}234,50", "1234.50"),
            ("1\u{202f}234,50", "1234.50"),
            ("1\u{2009}234,50", "1234.50"),
            ("1'234.50", "1234.50"),
            ("1\u{2019}234.50", "1234.50"),
            ("1'234'567", "1234567"),
            ("1.234.567,89", "1234567.89"),
            ("1.234,50", "1234.50"),
            ("12,34,567", "1234567"),
            ("1,23,45,678.00", "12345678.00"),
        ] {
            assert_eq!(auto(raw), Ok(d(want)), "{raw}");
        }
        assert_eq!(comma("1 234 567,8"), Ok(d("1234567.8")));
        assert_eq!(dot("1 234 567.8"), Ok(d("1234567.8")));
    }

    #[test]
    fn malformed_grouping() {
        for raw in [
            "1,2.3",
            "12,34,5",
            "1,,000",
            "1,234,56",
            "1234,567,890",
            "1,2345,678",
            "1.2.3",
            "1 23",
            "1 234,567.8",
            "1'234,567.8",
            "1 234'567",
            "12.",
            "12,",
            "1,000,",
            ",",
            ".",
            "1..5",
            "1,,5",
        ] {
            assert!(auto(raw).is_err(), "{raw} → {:?}", auto(raw));
            assert_eq!(
                auto(raw).unwrap_err().code(),
                ErrorCode::InvalidAmount,
                "{raw}"
            );
        }
        assert_eq!(dot("1,2.3"), Err(AmountError::Malformed));
        assert_eq!(dot("12,34,5"), Err(AmountError::Malformed));
        assert_eq!(dot("1,,000"), Err(AmountError::Malformed));
        assert_eq!(
            dot(",123"),
            Err(AmountError::Separator(DecimalSeparator::Dot))
        );
        assert_eq!(dot("1,"), Err(AmountError::Malformed));
        // Indian grouping is for comma grouping only.
        assert_eq!(comma("12.34.567"), Err(AmountError::Malformed));
    }

    #[test]
    fn explicit_styles() {
        assert_eq!(dot("1,234"), Ok(d("1234")));
        assert_eq!(comma("1,234"), Ok(d("1.234")));
        assert_eq!(dot("1.234"), Ok(d("1.234")));
        assert_eq!(comma("1.234"), Ok(d("1234")));
        assert_eq!(comma("12,50"), Ok(d("12.50")));
        assert_eq!(comma(",5"), Ok(d("0.5")));
        assert_eq!(
            dot("12,50"),
            Err(AmountError::Separator(DecimalSeparator::Dot))
        );
        assert_eq!(
            comma("1,234.50"),
            Err(AmountError::Separator(DecimalSeparator::Comma))
        );
        assert_eq!(
            dot("1.234,50"),
            Err(AmountError::Separator(DecimalSeparator::Dot))
        );
        assert_eq!(dot("1,2.3"), Err(AmountError::Malformed));
        let message = AmountError::Separator(DecimalSeparator::Dot).message("12,50");
        assert!(message.contains("decimalSeparator") && message.contains("\"comma\""));
        let message = AmountError::Separator(DecimalSeparator::Comma).message("1,234.50");
        assert!(message.contains("decimalSeparator") && message.contains("\"dot\""));
    }

    #[test]
    fn inference_by_evidence() {
        let cases = [
            ("12,50", Some(DecimalSeparator::Comma)),
            ("1,5", Some(DecimalSeparator::Comma)),
            ("1,2345", Some(DecimalSeparator::Comma)),
            ("1234,567", Some(DecimalSeparator::Comma)),
            ("1.234,50", Some(DecimalSeparator::Comma)),
            ("1.234.567", Some(DecimalSeparator::Comma)),
            ("1 234,567", Some(DecimalSeparator::Comma)),
            ("12.50", Some(DecimalSeparator::Dot)),
            ("1.2345", Some(DecimalSeparator::Dot)),
            ("1,234.50", Some(DecimalSeparator::Dot)),
            ("1,234,567", Some(DecimalSeparator::Dot)),
            ("1,23,456", Some(DecimalSeparator::Dot)),
            ("1,234", None),
            ("1.234", None),
            ("$1,234", None),
            ("1234", None),
            ("1 234", None),
            ("-5", None),
            ("nonsense", None),
            ("1e5", None),
            ("", None),
        ];
        for (raw, want) in cases {
            let mut p = AmountParser::new(DecimalSeparator::Auto);
            p.observe(raw);
            assert_eq!(p.resolved(), want, "{raw}");
            assert!(!p.conflict(), "{raw}");
        }
    }

    #[test]
    fn ambiguous_values_default_to_dot_and_say_so() {
        let mut p = AmountParser::new(DecimalSeparator::Auto);
        assert!(!p.assumed_default());
        p.observe("1,234");
        p.observe("1234");
        assert_eq!(p.resolved(), None);
        assert!(p.assumed_default());
        assert_eq!(p.parse("1,234"), Ok(d("1234")));
        assert_eq!(p.parse("1.234"), Ok(d("1.234")));
        // Unambiguous values are read by their own evidence while unresolved.
        assert_eq!(p.parse("12,50"), Ok(d("12.50")));
        assert_eq!(p.parse("1.234,50"), Ok(d("1234.50")));
        // Evidence settles it, and then the style is applied strictly.
        p.observe("9,99 €");
        assert_eq!(p.resolved(), Some(DecimalSeparator::Comma));
        assert!(!p.assumed_default());
        assert_eq!(p.parse("1,234"), Ok(d("1.234")));
        assert_eq!(p.parse("1.234"), Ok(d("1234")));
        assert_eq!(
            p.parse("1,234.50"),
            Err(AmountError::Separator(DecimalSeparator::Comma))
        );
        // An explicit option never assumes.
        let mut q = AmountParser::new(DecimalSeparator::Dot);
        q.observe("1,234");
        assert!(!q.assumed_default());
        assert_eq!(q.resolved(), Some(DecimalSeparator::Dot));
    }

    #[test]
    fn conflicting_evidence() {
        let mut p = AmountParser::new(DecimalSeparator::Auto);
        p.observe("1,234.50");
        p.observe("12,50");
        p.observe("1,234");
        assert!(p.conflict());
        assert_eq!(p.resolved(), None);
        assert!(p.assumed_default());
        assert_eq!(p.conflict_examples(), Some(("1,234.50", "12,50")));
        // Each value by its own evidence, ambiguous ones in dot style.
        assert_eq!(p.parse("1,234.50"), Ok(d("1234.50")));
        assert_eq!(p.parse("12,50"), Ok(d("12.50")));
        assert_eq!(p.parse("1,234"), Ok(d("1234")));
        // A given option wins over conflicting data.
        let mut q = AmountParser::new(DecimalSeparator::Comma);
        q.observe("1,234.50");
        q.observe("12,50");
        assert!(q.conflict());
        assert_eq!(q.resolved(), Some(DecimalSeparator::Comma));
        assert_eq!(q.parse("1,234"), Ok(d("1.234")));
    }

    #[test]
    fn signs_and_parentheses() {
        for raw in [
            "--5", "(-5)", "(+5)", "-(5)", "-5-", "+5-", "((5))", "(5", "5)", "5--", "1-2",
        ] {
            assert_eq!(auto(raw), Err(AmountError::Sign), "{raw}");
        }
        assert!(auto("$-$5").is_err());
        assert!(auto("-$-5").is_err());
        assert!(auto("5-$-").is_err());
    }

    #[test]
    fn scientific_notation_is_refused() {
        for raw in ["1e5", "1E5", "1.5e3", "1,5E+3", "-2e-3", "$1e5"] {
            assert_eq!(auto(raw), Err(AmountError::Scientific), "{raw}");
        }
        assert!(AmountError::Scientific
            .message("1e5")
            .contains("scientific notation"));
        assert_eq!(parse_quantity("1e5"), Err(AmountError::Scientific));
    }

    #[test]
    fn range_and_precision() {
        let huge = format!("1{}", "0".repeat(308));
        assert_eq!(auto(&huge), Err(AmountError::Overflow));
        assert_eq!(auto(&huge).unwrap_err().code(), ErrorCode::Overflow);
        let grouped = format!("1{}", ",000".repeat(102));
        assert_eq!(auto(&grouped), Err(AmountError::Overflow));
        assert_eq!(parse_quantity(&huge), Err(AmountError::Overflow));
        assert_eq!(
            auto("79228162514264337593543950336"),
            Err(AmountError::Overflow)
        );
        assert_eq!(auto("79228162514264337593543950335"), Ok(Decimal::MAX));
        assert_eq!(
            auto("-79,228,162,514,264,337,593,543,950,335"),
            Ok(Decimal::MIN)
        );
        assert_eq!(
            auto(&format!("0.{}1", "0".repeat(28))),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(auto(&format!("1.5{}", "0".repeat(100))), Ok(d("1.5")));
        assert_eq!(auto(&format!("{}1.5", "0".repeat(200))), Ok(d("1.5")));
        assert_eq!(
            auto("12345678901234567890.0123456789"),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(AmountError::TooPrecise.code(), ErrorCode::InvalidAmount);
    }

    #[test]
    fn hostile_inputs() {
        assert_eq!(auto(""), Err(AmountError::Empty));
        assert_eq!(auto(" \t "), Err(AmountError::Empty));
        assert_eq!(auto("()"), Err(AmountError::Unrecognised));
        assert_eq!(auto("-"), Err(AmountError::Unrecognised));
        let start = std::time::Instant::now();
        let huge = "9".repeat(1 << 20);
        assert_eq!(auto(&huge), Err(AmountError::TooLong));
        assert_eq!(parse_quantity(&huge), Err(AmountError::TooLong));
        let mut p = AmountParser::new(DecimalSeparator::Auto);
        p.observe(&huge);
        p.observe(&",".repeat(1000));
        assert_eq!(p.resolved(), None);
        assert!(AmountError::TooLong.message(&huge).len() < 200);
        assert!(start.elapsed().as_secs() < 2);
        for raw in [
            "NaN",
            "nan",
            "inf",
            "-inf",
            "INF",
            "Infinity",
            "1.2.3",
            "--5",
            "1,,000",
            "12\u{0}5",
            "12.5\u{7}",
            "\u{1b}[31m12",
            "１２",
            "١٢",
            "0x1F",
            "12 34 5",
            "true",
            "null",
            "1_000",
            "½",
        ] {
            let err = auto(raw).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidAmount, "{raw}");
            assert!(parse_quantity(raw).is_err(), "{raw}");
        }
        assert!(AmountError::Unrecognised.message("a\u{0}b").contains("\\0"));
    }

    #[test]
    fn messages_name_the_accepted_forms() {
        let message = AmountError::Unrecognised.message("twelve");
        assert!(message.contains("\"twelve\""));
        assert!(message.contains("1.234,50") && message.contains("(12.50)"));
        assert!(AmountError::Malformed.message("1,2.3").contains("three"));
        assert!(AmountError::Overflow.message("1").contains("7.9e28"));
        assert_eq!(AmountError::Empty.message(""), "the amount is empty");
        assert!(AmountError::Sign.message("--5").contains("--5"));
    }

    #[test]
    fn quantities() {
        for (raw, want) in [
            ("3", "3"),
            (" 3 ", "3"),
            ("-2", "-2"),
            ("+2", "2"),
            ("\u{2212}2", "-2"),
            ("0.5", "0.5"),
            ("1,5", "1.5"),
            ("2,25", "2.25"),
            (",5", "0.5"),
            ("1234,567", "1234.567"),
            ("1,000", "1000"),
            ("1,234,567", "1234567"),
            ("1,234.5", "1234.5"),
            ("1.000", "1.000"),
            ("-12", "-12"),
        ] {
            assert_eq!(parse_quantity(raw), Ok(d(want)), "{raw}");
        }
        // The one-digit shortcut builds exactly what the fast path builds (same scale too).
        for q in ["1", "5", "9"] {
            let short = parse_quantity(q).unwrap();
            assert_eq!(short.serialize(), fast_plain(q, Some(Style::Dot)).unwrap().serialize(), "{q}");
        }
        assert_eq!(parse_quantity("0").unwrap().serialize(), Decimal::ZERO.serialize());
        assert_eq!(parse_quantity(""), Err(AmountError::Empty));
        assert_eq!(parse_quantity("--1"), Err(AmountError::Sign));
        assert_eq!(parse_quantity("5-"), Err(AmountError::Sign));
        assert_eq!(parse_quantity("(5)"), Err(AmountError::Sign));
        assert_eq!(parse_quantity("$5"), Err(AmountError::Unrecognised));
        assert_eq!(parse_quantity("5 EUR"), Err(AmountError::Unrecognised));
        assert_eq!(parse_quantity("1 000"), Err(AmountError::Unrecognised));
        assert_eq!(parse_quantity("1.234,5"), Err(AmountError::Malformed));
        assert_eq!(parse_quantity("1,,000"), Err(AmountError::Malformed));
        assert_eq!(parse_quantity("12,34,5"), Err(AmountError::Malformed));
        assert_eq!(parse_quantity("1."), Err(AmountError::Malformed));
        assert_eq!(parse_quantity("."), Err(AmountError::Unrecognised));
    }

    #[test]
    fn option_from_json() {
        let option: DecimalSeparator = serde_json::from_str("\"comma\"").unwrap();
        assert_eq!(option, DecimalSeparator::Comma);
        assert_eq!(
            serde_json::to_string(&DecimalSeparator::Dot).unwrap(),
            "\"dot\""
        );
        assert!(serde_json::from_str::<DecimalSeparator>("\"Comma\"").is_err());
        assert_eq!(DecimalSeparator::default(), DecimalSeparator::Auto);
    }

    /// Same value and same representation (scale, sign), or the same error.
    fn same(a: Result<Decimal, AmountError>, b: Result<Decimal, AmountError>) -> bool {
        match (a, b) {
            (Ok(x), Ok(y)) => x.serialize() == y.serialize(),
            (x, y) => x == y,
        }
    }

    #[test]
    fn fast_path_values() {
        let p = AmountParser::new(DecimalSeparator::Auto);
        for (raw, mantissa, scale) in [
            ("23.17", 2317, 2),
            ("-5.00", -5, 0),
            ("1200", 1200, 0),
            ("12.50", 125, 1),
            (" 007.10 ", 71, 1),
            ("-0", 0, 0),
            ("-0.000", 0, 0),
            ("-999999999999999999", -999_999_999_999_999_999, 0),
            ("99999999.9999999999", 999_999_999_999_999_999, 10),
        ] {
            let fast = fast_plain(raw, Some(Style::Dot));
            assert_eq!(
                fast.map(|v| (v.mantissa(), v.scale())),
                Some((mantissa, scale)),
                "{raw}"
            );
            assert!(same(p.parse(raw), p.parse_general(raw)), "{raw}");
        }
        assert!(!fast_plain("-0", None).unwrap().is_sign_negative());
        // Left to the general path.
        for raw in [
            "1.234", "+5", "5-", "$5", "1,234", ".5", "5.", "1e5", "1.2.3", "--5",
        ] {
            assert_eq!(fast_plain(raw, None), None, "{raw}");
        }
        assert_eq!(fast_plain("1.234", Some(Style::Dot)), Some(d("1.234")));
        assert_eq!(fast_plain("1.5", Some(Style::Comma)), None);
        assert_eq!(fast_plain("15", Some(Style::Comma)), Some(d("15")));
        assert_eq!(fast_plain(&"1".repeat(19), Some(Style::Dot)), None);
        assert_eq!(fast_plain("99999999999.99999999", Some(Style::Dot)), None);
        assert_eq!(
            fast_plain(&format!("1.{}", "1".repeat(11)), Some(Style::Dot)),
            None
        );
    }

    /// A deterministic xorshift generator for the comparison tests.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn digits(&mut self, out: &mut String, n: usize) {
            for _ in 0..n {
                out.push(char::from(b'0' + self.below(10) as u8));
            }
        }
    }

    /// A plain-looking amount: mostly the fast shape, sometimes just outside it.
    fn generated(rng: &mut Rng) -> String {
        let mut s = String::new();
        for _ in 0..rng.below(8).saturating_sub(5) {
            s.push(' ');
        }
        match rng.below(12) {
            0..=3 => s.push('-'),
            4 => s.push('+'),
            5 => s.push('\u{2212}'),
            _ => {}
        }
        let int_len = match rng.below(10) {
            0 => rng.below(22),
            1 => 0,
            _ => 1 + rng.below(6),
        };
        if rng.below(6) == 0 {
            s.push_str("00");
        }
        rng.digits(&mut s, int_len);
        match rng.below(8) {
            0..=3 => {
                s.push('.');
                let frac_len = match rng.below(6) {
                    0 => rng.below(14),
                    1 => 3,
                    _ => 1 + rng.below(2),
                };
                rng.digits(&mut s, frac_len);
                for _ in 0..rng.below(5).saturating_sub(2) {
                    s.push('0');
                }
            }
            4 => {
                s.push(',');
                let len = rng.below(5);
                rng.digits(&mut s, len);
            }
            _ => {}
        }
        if rng.below(10) == 0 {
            let marks = ['-', '.', ',', ' ', 'e', '$', '\'', '(', ')', '0', '5'];
            let c = marks[rng.below(marks.len())];
            let at = rng.below(s.len() + 1);
            if s.is_char_boundary(at) {
                s.insert(at, c);
            }
        }
        for _ in 0..rng.below(8).saturating_sub(5) {
            s.push(' ');
        }
        s
    }

    #[test]
    fn fast_path_agrees_with_general_path() {
        let mut resolved_comma = AmountParser::new(DecimalSeparator::Auto);
        resolved_comma.observe("12,50");
        let mut conflicting = AmountParser::new(DecimalSeparator::Auto);
        conflicting.observe("12.50");
        conflicting.observe("12,50");
        let parsers = [
            AmountParser::new(DecimalSeparator::Auto),
            AmountParser::new(DecimalSeparator::Dot),
            resolved_comma,
            conflicting,
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut fast, mut oks) = (0, 0);
        for _ in 0..100_000 {
            let raw = generated(&mut rng);
            for p in &parsers {
                let general = p.parse_general(&raw);
                assert!(same(p.parse(&raw), general), "{raw:?} {p:?}");
                oks += usize::from(general.is_ok());
            }
            assert!(
                same(parse_quantity(&raw), parse_quantity_general(&raw)),
                "{raw:?}"
            );
            fast += usize::from(fast_plain(&raw, None).is_some());
        }
        // The generator reaches the fast path, the general path's values and its errors.
        assert!(fast > 40_000, "{fast}");
        assert!(oks > 200_000 && oks < 390_000, "{oks}");
    }
}
