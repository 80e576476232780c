//! A transactions file, fed in chunks, becomes a [`Dataset`] plus an [`IngestReport`] that accounts
//! for every row: accepted + rejected = total, with the first rejected rows' line, column and reason.

use std::collections::{BTreeMap, VecDeque};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::amounts::{parse_quantity, AmountParser, DecimalSeparator};
use super::dates::{DateOrder, DateParser};
use super::mapping::{auto_map, ColumnRef, Mapping, Role};
use super::reader::{Reader, Record};
use super::rows::{RowCounts, RowLog};
use crate::dataset::{Dataset, DatasetBuilder, LineInput};
use crate::error::{Error, ErrorCode, Result, Warning};
use crate::input::{reject_unknown, Unknown};

/// Rows looked at before the date order and decimal separator are fixed (more while dates stay ambiguous).
const SAMPLE_ROWS: usize = 1_000;
/// Ambiguous d/m vs m/d dates may hold back at most this many rows before the file is refused.
const MAX_HELD_ROWS: usize = 200_000;

/// What to do with returns and cancellations (negative amounts or quantities, cancelled invoices).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReturnPolicy {
    /// Keep them as negative amounts: revenue is net of returns (the default).
    #[default]
    Net,
    /// Leave them out of the dataset (they are still counted in the report).
    Drop,
}

/// A column named by header or by 0-based index; `null` leaves the role unmapped.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ColumnChoice {
    Index(usize),
    Name(String),
}

/// Options of a transactions ingest (JS: `IngestOptions`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestOptions {
    /// `","`, `";"`, `"\t"` (or `"tab"`), `"|"`; sniffed when absent.
    pub delimiter: Option<String>,
    /// Role → column, overriding the automatic mapping; a `null` value unmaps the role.
    pub mapping: Option<BTreeMap<Role, Option<ColumnChoice>>>,
    pub date_format: Option<DateOrder>,
    pub decimal_separator: Option<DecimalSeparator>,
    pub returns: Option<ReturnPolicy>,
    /// Stop at the first bad row instead of skipping it.
    pub strict: Option<bool>,
    /// How many rejected rows to describe in the report (default 20, at most 1000).
    pub max_error_examples: Option<usize>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// Everything the ingest decided and counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestReport {
    #[serde(flatten)]
    pub rows: RowCounts,
    /// Accepted rows that are returns or cancellations, and what was done with them.
    pub return_rows: u64,
    pub returns: ReturnPolicy,
    pub warnings: Vec<Warning>,
    pub bytes: u64,
    pub delimiter: String,
    pub headers: Vec<String>,
    pub mapping: Option<Mapping>,
    pub date_format: Option<DateOrder>,
    pub decimal_separator: Option<DecimalSeparator>,
    /// Customers, orders and order lines in the dataset.
    pub customers: u64,
    pub orders: u64,
    pub lines: u64,
}

/// A data row held back while the date order or decimal separator is still being inferred.
struct HeldRow {
    line: u64,
    fields: Vec<String>,
}

/// Columns resolved once from the mapping.
#[derive(Debug, Clone, Copy, Default)]
struct Columns {
    customer: usize,
    order_id: Option<usize>,
    date: usize,
    amount: Option<usize>,
    quantity: Option<usize>,
    unit_price: Option<usize>,
    product: Option<usize>,
    product_name: Option<usize>,
    category: Option<usize>,
    channel: Option<usize>,
    status: Option<usize>,
}

/// The streaming ingest: `feed` chunks, then `finish`.
pub struct TransactionIngest {
    reader: Reader,
    state: State,
}

struct State {
    options: Settings,
    header: Option<Vec<String>>,
    columns: Columns,
    dates: DateParser,
    amounts: AmountParser,
    held: VecDeque<HeldRow>,
    sampling: bool,
    builder: DatasetBuilder,
    log: RowLog,
    report: IngestReport,
}

#[derive(Debug, Clone)]
struct Settings {
    overrides: Vec<(Role, ColumnRef)>,
    returns: ReturnPolicy,
}

fn parse_delimiter(value: Option<&str>) -> Result<Option<u8>> {
    match value {
        None => Ok(None),
        Some("," | "comma") => Ok(Some(b',')),
        Some(";" | "semicolon") => Ok(Some(b';')),
        Some("\t" | "tab") => Ok(Some(b'\t')),
        Some("|" | "pipe") => Ok(Some(b'|')),
        Some(other) => Err(Error::new(
            ErrorCode::OutOfRange,
            format!("delimiter must be \",\", \";\", \"tab\" or \"|\" (got {other:?})"),
        )
        .with_field("delimiter")),
    }
}

fn delimiter_name(d: Option<u8>) -> String {
    match d {
        Some(b'\t') => "tab".into(),
        Some(b) => char::from(b).to_string(),
        None => String::new(),
    }
}

impl TransactionIngest {
    pub fn new(options: &IngestOptions) -> Result<Self> {
        reject_unknown("", &options.unknown)?;
        let delimiter = parse_delimiter(options.delimiter.as_deref())?;
        let overrides = options
            .mapping
            .iter()
            .flatten()
            .map(|(role, choice)| {
                let column = match choice {
                    None => ColumnRef::None,
                    Some(ColumnChoice::Index(i)) => ColumnRef::Index(*i),
                    Some(ColumnChoice::Name(n)) => ColumnRef::Name(n.clone()),
                };
                (*role, column)
            })
            .collect();
        let returns = options.returns.unwrap_or_default();
        let settings = Settings { overrides, returns };
        Ok(TransactionIngest {
            reader: Reader::new(delimiter),
            state: State {
                options: settings,
                header: None,
                columns: Columns::default(),
                dates: DateParser::new(options.date_format.unwrap_or_default()),
                amounts: AmountParser::new(options.decimal_separator.unwrap_or_default()),
                held: VecDeque::new(),
                sampling: true,
                builder: DatasetBuilder::new(),
                log: RowLog::new(options.strict.unwrap_or(false), options.max_error_examples),
                report: IngestReport { returns, ..IngestReport::default() },
            },
        })
    }

    /// Reads one chunk of the file (any size, split anywhere).
    pub fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        let state = &mut self.state;
        self.reader.feed(chunk, &mut |record| state.take(&record))
    }

    /// Bytes and data rows read so far, for progress reporting.
    pub fn progress(&self) -> (u64, u64) {
        (self.reader.bytes_read(), self.state.log.counts.total_rows)
    }

    /// Ends the file: decides what is still undecided, and returns the dataset and the report.
    pub fn finish(mut self) -> Result<(Dataset, IngestReport)> {
        let state = &mut self.state;
        self.reader.finish(&mut |record| state.take(&record))?;
        let mut state = self.state;
        if state.header.is_none() {
            return Err(Error::new(ErrorCode::EmptyFile, "the file is empty: expected a header line and rows of transactions"));
        }
        state.release_held(true)?;
        if state.log.counts.total_rows == 0 {
            return Err(Error::new(ErrorCode::EmptyFile, "the file has a header but no data rows"));
        }
        let dataset = state.builder.finish()?;
        let mut report = state.report;
        report.rows = state.log.counts;
        report.bytes = self.reader.bytes_read();
        report.delimiter = delimiter_name(self.reader.delimiter());
        report.date_format = state.dates.resolved();
        report.decimal_separator = state.amounts.resolved();
        if state.amounts.assumed_default() {
            report.warnings.push(Warning::new(
                "DECIMAL_SEPARATOR_ASSUMED",
                "decimalSeparator",
                "amounts like 1,234 could use either separator; read \",\" as a thousands separator (set decimalSeparator to \"comma\" if it is a decimal comma)",
            ));
        }
        report.customers = dataset.customers.len() as u64;
        report.orders = dataset.orders.len() as u64;
        report.lines = dataset.lines.len() as u64;
        Ok((dataset, report))
    }
}

impl State {
    /// One record from the reader: the header, or a data row.
    fn take(&mut self, record: &Record<'_>) -> Result<()> {
        if self.header.is_none() {
            return self.take_header(record);
        }
        self.log.seen();
        let fields = match self.row_fields(record) {
            Ok(fields) => fields,
            Err(e) => return self.reject(e),
        };
        if self.sampling {
            self.observe(&fields);
            self.held.push_back(HeldRow { line: record.line(), fields: fields.iter().map(|s| (*s).to_owned()).collect() });
            return self.release_held(false);
        }
        let line = record.line();
        self.accept(line, &fields)
    }

    fn take_header(&mut self, record: &Record<'_>) -> Result<()> {
        if let Some(e) = record.error() {
            return Err(e.clone());
        }
        let mut headers = Vec::with_capacity(record.len());
        for i in 0..record.len() {
            headers.push(record.text(i)?.trim().to_owned());
        }
        let names: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mapping = auto_map(&names, &self.options.overrides)?;
        self.columns = columns_of(&mapping)?;
        self.report.headers = headers.clone();
        self.report.mapping = Some(mapping);
        self.header = Some(headers);
        Ok(())
    }

    /// The row's fields as text, or the reason the whole row is unreadable.
    fn row_fields<'r>(&self, record: &'r Record<'_>) -> Result<Vec<&'r str>> {
        if let Some(e) = record.error() {
            return Err(e.clone());
        }
        let expected = self.header.as_ref().map_or(0, Vec::len);
        if record.len() != expected {
            let message = format!("line {}: {} fields where the header has {expected}", record.line(), record.len());
            return Err(Error::new(ErrorCode::MalformedRow, message).at(record.line(), 0));
        }
        (0..record.len()).map(|i| record.text(i)).collect()
    }

    fn observe(&mut self, fields: &[&str]) {
        if let Some(date) = fields.get(self.columns.date) {
            self.dates.observe(date);
        }
        for column in [self.columns.amount, self.columns.unit_price].into_iter().flatten() {
            if let Some(value) = fields.get(column) {
                self.amounts.observe(value);
            }
        }
    }

    /// Parses held rows once the formats are known (or at the end of the file, `at_end`).
    fn release_held(&mut self, at_end: bool) -> Result<()> {
        let enough = self.held.len() >= SAMPLE_ROWS && !self.dates.needs_order();
        if !(enough || at_end) {
            if self.held.len() >= MAX_HELD_ROWS {
                return Err(ambiguous_dates(MAX_HELD_ROWS));
            }
            return Ok(());
        }
        if self.dates.needs_order() {
            return Err(ambiguous_dates(self.held.len()));
        }
        self.sampling = false;
        while let Some(row) = self.held.pop_front() {
            let fields: Vec<&str> = row.fields.iter().map(String::as_str).collect();
            self.accept(row.line, &fields)?;
        }
        Ok(())
    }

    fn accept(&mut self, line: u64, fields: &[&str]) -> Result<()> {
        match self.parse_row(line, fields) {
            Ok(Some(input)) => match self.builder.add_line(&input) {
                Ok(()) => {
                    self.log.accept();
                    Ok(())
                }
                Err(e) => {
                    let column = match e.field.as_deref() {
                        Some("date") => Some(self.columns.date),
                        _ => Some(self.columns.customer),
                    };
                    self.reject(e.at(line, column.map_or(0, |c| c as u64 + 1)))
                }
            },
            Ok(None) => {
                self.log.accept();
                Ok(())
            }
            Err(e) => self.reject(e),
        }
    }

    /// A row as a dataset line; `None` for a return dropped by the policy.
    fn parse_row<'f>(&mut self, line: u64, fields: &[&'f str]) -> Result<Option<LineInput<'f>>> {
        let c = self.columns;
        let cell = |i: usize| fields.get(i).copied().unwrap_or("").trim();
        let optional = |i: Option<usize>| i.map(cell).filter(|s| !s.is_empty());
        let at = |i: usize, e: Error| e.at(line, i as u64 + 1);

        let customer = cell(c.customer);
        if customer.is_empty() {
            return Err(at(c.customer, Error::new(ErrorCode::MissingField, format!("line {line}: no customer id")).with_field("customerId")));
        }
        let day = self.dates.parse(cell(c.date)).map_err(|e| {
            at(c.date, Error::new(e.code(), format!("line {line}: {}", e.message(cell(c.date)))).with_field("date"))
        })?;
        let quantity = match c.quantity {
            Some(q) if !cell(q).is_empty() => Some(parse_quantity(cell(q)).map_err(|e| {
                at(q, Error::new(e.code(), format!("line {line}: {}", e.message(cell(q)))).with_field("quantity"))
            })?),
            _ => None,
        };
        let amount = match (c.amount, c.unit_price) {
            (Some(a), _) => self.amount(line, a, cell(a), "amount")?,
            (None, Some(p)) => {
                let price = self.amount(line, p, cell(p), "unitPrice")?;
                let qty = quantity.ok_or_else(|| {
                    at(c.quantity.unwrap_or(p), Error::new(ErrorCode::MissingField, format!("line {line}: no quantity to multiply the unit price by")).with_field("quantity"))
                })?;
                price.checked_mul(qty).ok_or_else(|| {
                    at(p, Error::new(ErrorCode::Overflow, format!("line {line}: quantity × unit price is beyond the exact decimal range")).with_field("amount"))
                })?
            }
            (None, None) => return Err(Error::new(ErrorCode::Internal, "no amount column after mapping")),
        };
        let order_id = optional(c.order_id);
        let cancelled = order_id.is_some_and(is_cancellation_id) || optional(c.status).is_some_and(is_cancelled_status);
        let is_return = cancelled || amount.is_sign_negative() && !amount.is_zero() || quantity.is_some_and(|q| q.is_sign_negative() && !q.is_zero());
        if is_return {
            self.report.return_rows += 1;
            if self.options.returns == ReturnPolicy::Drop {
                return Ok(None);
            }
        }
        // A return recorded with a positive amount and a negative quantity is netted as negative.
        let amount = if is_return && !amount.is_sign_negative() && quantity.is_some_and(|q| q.is_sign_negative()) { -amount } else { amount };
        Ok(Some(LineInput {
            customer,
            order_id,
            day,
            amount,
            quantity: quantity.map(|q| q.abs()).map(|q| if is_return { -q } else { q }),
            product: optional(c.product),
            product_name: optional(c.product_name),
            category: optional(c.category),
            channel: optional(c.channel),
            cancelled,
        }))
    }

    fn amount(&self, line: u64, column: usize, raw: &str, field: &str) -> Result<Decimal> {
        self.amounts.parse(raw).map_err(|e| {
            Error::new(e.code(), format!("line {line}: {}", e.message(raw))).with_field(field).at(line, column as u64 + 1)
        })
    }

    /// Counts a rejected row (or, in strict mode, stops the ingest with its error).
    fn reject(&mut self, e: Error) -> Result<()> {
        let headers = self.header.as_deref().unwrap_or(&[]);
        self.log.reject(e, headers)
    }
}

fn ambiguous_dates(rows: usize) -> Error {
    Error::new(
        ErrorCode::AmbiguousDate,
        format!(
            "the dates fit both day/month/year and month/day/year in all {rows} rows read (e.g. 03/04/2011): \
             set the dateFormat option to \"dmy\" or \"mdy\""
        ),
    )
    .with_field("dateFormat")
}

/// UCI-style cancelled invoices: "C" followed by digits (C536379).
fn is_cancellation_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('C' | 'c')) && id.len() > 1 && chars.all(|ch| ch.is_ascii_digit())
}

fn is_cancelled_status(status: &str) -> bool {
    let s = status.to_ascii_lowercase();
    ["cancel", "refund", "void", "return", "reversed", "chargeback"].iter().any(|w| s.contains(w))
}

fn columns_of(mapping: &Mapping) -> Result<Columns> {
    let missing = |what: &str| Error::new(ErrorCode::MissingColumn, format!("no {what} column was mapped")).with_field("mapping");
    let customer = mapping.get(Role::CustomerId).or(mapping.get(Role::Email)).ok_or_else(|| missing("customer"))?;
    let date = mapping.get(Role::Date).ok_or_else(|| missing("date"))?;
    let amount = mapping.get(Role::Amount);
    let unit_price = mapping.get(Role::UnitPrice);
    if amount.is_none() && (unit_price.is_none() || mapping.get(Role::Quantity).is_none()) {
        return Err(missing("amount (or quantity and unit price)"));
    }
    Ok(Columns {
        customer,
        order_id: mapping.get(Role::OrderId),
        date,
        amount,
        quantity: mapping.get(Role::Quantity),
        unit_price,
        product: mapping.get(Role::ProductId),
        product_name: mapping.get(Role::ProductName),
        category: mapping.get(Role::Category),
        channel: mapping.get(Role::Channel),
        status: mapping.get(Role::Status),
    })
}

/// Ingests a whole in-memory file (tests, small files); `chunk` sets the feed size.
pub fn ingest_bytes(bytes: &[u8], options: &IngestOptions, chunk: usize) -> Result<(Dataset, IngestReport)> {
    let mut ingest = TransactionIngest::new(options)?;
    for part in bytes.chunks(chunk.max(1)) {
        ingest.feed(part)?;
    }
    ingest.finish()
}
