//! Errors and warnings: the stable error codes of `js/index.d.ts`, and the one error type every
//! fallible function returns, with the offending field and a message written for a merchant.

use serde::Serialize;
use std::fmt;

/// Stable error codes, the same list as `ErrorCode` in `js/index.d.ts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The input is not an object of the documented shape.
    InvalidInput,
    /// A field has the wrong type (e.g. boolean where a number is expected).
    InvalidType,
    /// A field name that the calculator does not know (typo guard).
    UnknownField,
    /// A required field is absent, null or undefined.
    MissingField,
    /// Two alternatives given at once (e.g. lifespanYears and annualChurnRate).
    ConflictingFields,
    /// A string that is not a plain decimal number, or has more digits than can be held exactly.
    InvalidNumber,
    /// NaN or ±Infinity.
    NotFinite,
    /// A negative amount where only ≥ 0 makes sense.
    Negative,
    /// Outside the documented range.
    OutOfRange,
    /// A count or horizon that is not a whole number.
    NotInteger,
    /// A value or result beyond the exact decimal range (about ±7.9e28).
    Overflow,
    /// CAC with no new customers.
    ZeroNewCustomers,
    /// CLV:CAC with CAC = 0.
    ZeroCac,
    /// Retention ≥ 1 + discount rate: the discounted sum has no finite value.
    NotConvergent,
    /// The wasm module was used before `init()` (raised by the JS side only).
    NotInitialized,
    /// A file that is not UTF-8 text (UTF-16, binary); fatal for the file.
    UnsupportedEncoding,
    /// A file with no header or no data rows.
    EmptyFile,
    /// A file whose columns cannot be mapped: a required column is missing or a mapping names an absent one.
    MissingColumn,
    /// A row whose shape is wrong: field count, unterminated quote, field too long, bad UTF-8.
    MalformedRow,
    /// A date that is not a date in any supported format, or not a real day (2011-02-30).
    InvalidDate,
    /// Slash dates that fit both day/month and month/day: set the `dateFormat` option.
    AmbiguousDate,
    /// A money amount or quantity that cannot be read.
    InvalidAmount,
    /// The operation was cancelled by the caller.
    Cancelled,
    /// A dataset used after `free()` (raised by the JS side only).
    DatasetFreed,
    /// A bug in clvkit.
    Internal,
    /// The data cannot identify a model: no repeat buyers, fewer than two customers, every T = 0,
    /// or too few repeat customers with a positive spend for Gamma-Gamma.
    InsufficientData,
    /// A model quantity with no finite value for the fitted parameters (Gamma-Gamma q ≤ 1: the
    /// spend distribution has no finite mean).
    NoFiniteMean,
    /// A series or continued fraction of the models did not converge within its term cap.
    SeriesLimit,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [ErrorCode; 28] = [
        ErrorCode::InvalidInput,
        ErrorCode::InvalidType,
        ErrorCode::UnknownField,
        ErrorCode::MissingField,
        ErrorCode::ConflictingFields,
        ErrorCode::InvalidNumber,
        ErrorCode::NotFinite,
        ErrorCode::Negative,
        ErrorCode::OutOfRange,
        ErrorCode::NotInteger,
        ErrorCode::Overflow,
        ErrorCode::ZeroNewCustomers,
        ErrorCode::ZeroCac,
        ErrorCode::NotConvergent,
        ErrorCode::NotInitialized,
        ErrorCode::UnsupportedEncoding,
        ErrorCode::EmptyFile,
        ErrorCode::MissingColumn,
        ErrorCode::MalformedRow,
        ErrorCode::InvalidDate,
        ErrorCode::AmbiguousDate,
        ErrorCode::InvalidAmount,
        ErrorCode::Cancelled,
        ErrorCode::DatasetFreed,
        ErrorCode::Internal,
        ErrorCode::InsufficientData,
        ErrorCode::NoFiniteMean,
        ErrorCode::SeriesLimit,
    ];

    /// The code written as [`ErrorCode::as_str`] writes it.
    pub fn from_code(code: &str) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// The code as it appears in JS, e.g. `"MISSING_FIELD"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::InvalidType => "INVALID_TYPE",
            ErrorCode::UnknownField => "UNKNOWN_FIELD",
            ErrorCode::MissingField => "MISSING_FIELD",
            ErrorCode::ConflictingFields => "CONFLICTING_FIELDS",
            ErrorCode::InvalidNumber => "INVALID_NUMBER",
            ErrorCode::NotFinite => "NOT_FINITE",
            ErrorCode::Negative => "NEGATIVE",
            ErrorCode::OutOfRange => "OUT_OF_RANGE",
            ErrorCode::NotInteger => "NOT_INTEGER",
            ErrorCode::Overflow => "OVERFLOW",
            ErrorCode::ZeroNewCustomers => "ZERO_NEW_CUSTOMERS",
            ErrorCode::ZeroCac => "ZERO_CAC",
            ErrorCode::NotConvergent => "NOT_CONVERGENT",
            ErrorCode::NotInitialized => "NOT_INITIALIZED",
            ErrorCode::UnsupportedEncoding => "UNSUPPORTED_ENCODING",
            ErrorCode::EmptyFile => "EMPTY_FILE",
            ErrorCode::MissingColumn => "MISSING_COLUMN",
            ErrorCode::MalformedRow => "MALFORMED_ROW",
            ErrorCode::InvalidDate => "INVALID_DATE",
            ErrorCode::AmbiguousDate => "AMBIGUOUS_DATE",
            ErrorCode::InvalidAmount => "INVALID_AMOUNT",
            ErrorCode::Cancelled => "CANCELLED",
            ErrorCode::DatasetFreed => "DATASET_FREED",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::InsufficientData => "INSUFFICIENT_DATA",
            ErrorCode::NoFiniteMean => "NO_FINITE_MEAN",
            ErrorCode::SeriesLimit => "SERIES_LIMIT",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every clvkit operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    /// The offending input as a path, e.g. `"channels[1].spend"`; `None` when no single input is at fault.
    pub field: Option<String>,
    /// A sentence for the merchant: what is wrong, what is accepted, what was given.
    pub message: String,
    /// 1-based line of a file input.
    pub line: Option<u64>,
    /// 1-based column of a file input.
    pub column: Option<u64>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            field: None,
            message: message.into(),
            line: None,
            column: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Attaches a 1-based position in a file input.
    pub fn at(mut self, line: u64, column: u64) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// A non-fatal remark attached to a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    /// A stable code, e.g. `"CHANNEL_NO_CUSTOMERS"`.
    pub code: String,
    pub field: Option<String>,
    pub message: String,
}

impl Warning {
    pub fn new(code: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            code: code.to_owned(),
            field: Some(field.into()),
            message: message.into(),
        }
    }
}
