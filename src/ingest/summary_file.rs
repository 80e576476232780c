//! A pre-aggregated BTYD summary file (`customer_id,frequency,recency,T[,monetary_value]`, e.g. made
//! in SQL from data too big for a browser), read in chunks and checked row by row into a table.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::mapping::normalize_header;
use super::reader::{field_count_error, Reader, Record};
use super::rows::{RowCounts, RowLog};
use crate::error::{Error, ErrorCode, Result};
use crate::input::{reject_unknown, Unknown};
use crate::table::{Column, Columnar, TextColumn};

/// Accepted header names per column, compared after [`normalize_header`].
const CUSTOMER: &[&str] = &["customerid", "customer", "id", "clientid", "userid"];
const FREQUENCY: &[&str] = &["frequency", "x", "repeatpurchases"];
const RECENCY: &[&str] = &["recency", "tx"];
const AGE: &[&str] = &["t", "age"];
const MONETARY: &[&str] = &["monetaryvalue", "monetary", "m", "averagespend", "avgspend"];

/// Options of a summary-file ingest (JS: `SummaryIngestOptions`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryIngestOptions {
    pub delimiter: Option<String>,
    pub strict: Option<bool>,
    pub max_error_examples: Option<usize>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// The BTYD summary as read, one row per accepted customer, in file order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryTable {
    pub customer_id: TextColumn,
    pub frequency: Vec<f64>,
    pub recency: Vec<f64>,
    #[serde(rename = "T")]
    pub t: Vec<f64>,
    /// Empty when the file has no monetary column.
    pub monetary_value: Vec<f64>,
}

impl Columnar for SummaryTable {
    fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)> {
        let mut columns = vec![
            ("customer_id", "customerId", Column::Texts(&self.customer_id)),
            ("frequency", "frequency", Column::F64(&self.frequency)),
            ("recency", "recency", Column::F64(&self.recency)),
            ("T", "T", Column::F64(&self.t)),
        ];
        if !self.monetary_value.is_empty() || self.customer_id.is_empty() {
            columns.push(("monetary_value", "monetaryValue", Column::F64(&self.monetary_value)));
        }
        columns
    }
}

/// What the summary ingest accepted and rejected.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryReport {
    #[serde(flatten)]
    pub rows: RowCounts,
    pub delimiter: String,
    pub headers: Vec<String>,
    pub has_monetary_value: bool,
}

#[derive(Debug, Clone, Copy)]
struct SummaryColumns {
    customer: usize,
    frequency: usize,
    recency: usize,
    age: usize,
    monetary: Option<usize>,
}

/// The streaming summary ingest: `feed` chunks, then `finish`.
pub struct SummaryIngest {
    reader: Reader,
    state: State,
}

struct State {
    headers: Option<Vec<String>>,
    columns: Option<SummaryColumns>,
    seen: HashSet<String>,
    table: SummaryTable,
    log: RowLog,
}

fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|name| headers.iter().position(|h| normalize_header(h) == *name))
}

fn columns_of(headers: &[String]) -> Result<SummaryColumns> {
    let need = |names: &[&str], what: &str| {
        find(headers, names).ok_or_else(|| {
            Error::new(
                ErrorCode::MissingColumn,
                format!(
                    "a summary file needs the columns customer_id, frequency, recency and T (monetary_value optional); \
                     no {what} column among: {}",
                    headers.join(", ")
                ),
            )
            .with_field(what)
        })
    };
    Ok(SummaryColumns {
        customer: need(CUSTOMER, "customer_id")?,
        frequency: need(FREQUENCY, "frequency")?,
        recency: need(RECENCY, "recency")?,
        age: need(AGE, "T")?,
        monetary: find(headers, MONETARY),
    })
}

/// Largest recency and T: 300 years in days, the span of the dates a transactions file may hold.
const MAX_TIME: f64 = 110_000.0;
/// Largest frequency (repeat purchases of one customer).
const MAX_FREQUENCY: f64 = 1e9;
/// Largest monetary value (average order value): far above any real order, far below overflow.
const MAX_MONETARY: f64 = 1e15;

/// A number in 0..=`max` from a cell, or the row's error.
fn bounded(line: u64, column: usize, raw: &str, name: &str, max: f64) -> Result<f64> {
    let value = number(line, column, raw, name)?;
    if value > max {
        let message = format!("line {line}: {name} must be at most {max} (got {raw:?})");
        return Err(Error::new(ErrorCode::OutOfRange, message).with_field(name).at(line, (column as u64).saturating_add(1)));
    }
    Ok(value)
}

/// A finite number ≥ 0 from a cell, or the row's error.
fn number(line: u64, column: usize, raw: &str, name: &str) -> Result<f64> {
    let bad = |why: &str| {
        Error::new(ErrorCode::InvalidNumber, format!("line {line}: {name} {why} (got {raw:?})"))
            .with_field(name)
            .at(line, (column as u64).saturating_add(1))
    };
    let trimmed = raw.trim();
    let value: f64 = trimmed.parse().map_err(|_| bad("must be a number"))?;
    if !value.is_finite() || trimmed.len() > 40 {
        return Err(bad("must be a finite number"));
    }
    if value < 0.0 {
        return Err(bad("must not be negative"));
    }
    Ok(value)
}

impl SummaryIngest {
    pub fn new(options: &SummaryIngestOptions) -> Result<Self> {
        reject_unknown("", &options.unknown)?;
        let delimiter = super::transactions::parse_delimiter(options.delimiter.as_deref())?;
        Ok(SummaryIngest {
            reader: Reader::new(delimiter),
            state: State {
                headers: None,
                columns: None,
                seen: HashSet::new(),
                table: SummaryTable::default(),
                log: RowLog::new(options.strict.unwrap_or(false), options.max_error_examples),
            },
        })
    }

    pub fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        let state = &mut self.state;
        self.reader.feed(chunk, &mut |record| state.take(&record))
    }

    pub fn rows(&self) -> u64 {
        self.state.log.counts.total_rows
    }

    pub fn finish(mut self) -> Result<(SummaryTable, SummaryReport)> {
        let state = &mut self.state;
        self.reader.finish(&mut |record| state.take(&record))?;
        let state = self.state;
        let (Some(headers), Some(columns)) = (state.headers, state.columns) else {
            return Err(Error::new(ErrorCode::EmptyFile, "the summary file is empty: expected a header line"));
        };
        if state.log.counts.total_rows == 0 {
            return Err(Error::new(ErrorCode::EmptyFile, "the summary file has a header but no rows"));
        }
        let report = SummaryReport {
            rows: state.log.counts,
            delimiter: super::transactions::delimiter_name(self.reader.delimiter()),
            headers,
            has_monetary_value: columns.monetary.is_some(),
        };
        Ok((state.table, report))
    }
}

impl State {
    fn take(&mut self, record: &Record<'_>) -> Result<()> {
        let Some(columns) = self.columns else {
            if let Some(e) = record.error() {
                return Err(e.clone());
            }
            let headers = record.texts().map(|t| t.map(|s| s.trim().to_owned())).collect::<Result<Vec<_>>>()?;
            self.columns = Some(columns_of(&headers)?);
            self.headers = Some(headers);
            return Ok(());
        };
        self.log.seen();
        match self.row(record, columns) {
            Ok(()) => {
                self.log.accept();
                Ok(())
            }
            Err(e) => self.log.reject(e, self.headers.as_deref().unwrap_or(&[])),
        }
    }

    fn row(&mut self, record: &Record<'_>, c: SummaryColumns) -> Result<()> {
        if let Some(e) = record.error() {
            return Err(e.clone());
        }
        let line = record.line();
        let expected = self.headers.as_ref().map_or(0, Vec::len);
        if record.len() != expected {
            return Err(field_count_error(line, record.len(), expected));
        }
        let customer = record.text(c.customer)?.trim();
        if customer.is_empty() {
            let e = Error::new(ErrorCode::MissingField, format!("line {line}: no customer id"));
            return Err(e.with_field("customer_id").at(line, (c.customer as u64).saturating_add(1)));
        }
        let frequency = bounded(line, c.frequency, record.text(c.frequency)?, "frequency", MAX_FREQUENCY)?;
        let recency = bounded(line, c.recency, record.text(c.recency)?, "recency", MAX_TIME)?;
        let age = bounded(line, c.age, record.text(c.age)?, "T", MAX_TIME)?;
        let monetary = match c.monetary {
            Some(m) => Some(bounded(line, m, record.text(m)?, "monetary_value", MAX_MONETARY)?),
            None => None,
        };
        let inconsistent = |column: usize, why: String| {
            Err(Error::new(ErrorCode::OutOfRange, format!("line {line}: {why}")).at(line, (column as u64).saturating_add(1)))
        };
        if frequency.fract() != 0.0 {
            return inconsistent(c.frequency, format!("frequency must be a whole number of repeat purchases (got {frequency})"));
        }
        if recency > age {
            return inconsistent(c.recency, format!("recency ({recency}) cannot exceed T ({age})"));
        }
        if frequency == 0.0 && recency != 0.0 {
            return inconsistent(c.recency, format!("recency must be 0 when frequency is 0 (got {recency})"));
        }
        if frequency > 0.0 && recency == 0.0 {
            return inconsistent(c.recency, "repeat purchases need a recency above 0".to_string());
        }
        if !self.seen.insert(customer.to_owned()) {
            let e = Error::new(ErrorCode::ConflictingFields, format!("line {line}: customer {customer} appears twice"));
            return Err(e.with_field("customer_id").at(line, (c.customer as u64).saturating_add(1)));
        }
        self.table.customer_id.push(customer);
        self.table.frequency.push(frequency);
        self.table.recency.push(recency);
        self.table.t.push(age);
        if let Some(m) = monetary {
            self.table.monetary_value.push(m);
        }
        Ok(())
    }
}

/// Ingests a whole in-memory summary file (tests, small files).
pub fn ingest_summary_bytes(bytes: &[u8], options: &SummaryIngestOptions, chunk: usize) -> Result<(SummaryTable, SummaryReport)> {
    let mut ingest = SummaryIngest::new(options)?;
    for part in bytes.chunks(chunk.max(1)) {
        ingest.feed(part)?;
    }
    ingest.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<(SummaryTable, SummaryReport)> {
        ingest_summary_bytes(text.as_bytes(), &SummaryIngestOptions::default(), 3)
    }

    #[test]
    fn reads_lifetimes_style_summaries() {
        let (t, r) = read("customer_id,frequency,recency,T,monetary_value\nA,2,30.5,40,12.5\nB,0,0,10,0\n").unwrap();
        assert_eq!(t.customer_id, vec!["A", "B"]);
        assert_eq!((t.frequency[0], t.recency[0], t.t[0], t.monetary_value[0]), (2.0, 30.5, 40.0, 12.5));
        assert!(r.has_monetary_value);
        let (t, r) = read("id;x;t_x;T\n1;3;5;9\n").unwrap();
        assert_eq!((t.frequency[0], t.recency[0], t.t[0]), (3.0, 5.0, 9.0));
        assert!(t.monetary_value.is_empty() && !r.has_monetary_value);
    }

    #[test]
    fn inconsistent_rows_are_rejected_and_counted() {
        let text = "customer_id,frequency,recency,T\nA,1,50,40\nB,0,3,10\nC,1.5,2,3\nD,-1,0,1\nE,x,0,1\nA2,1,0,5\nF,1,2,3\nF,1,2,3\nG,0,0,1\n";
        let (t, r) = read(text).unwrap();
        assert_eq!(t.customer_id, vec!["F", "G"]);
        assert_eq!((r.rows.total_rows, r.rows.accepted_rows, r.rows.rejected_rows), (9, 2, 7));
        assert_eq!(r.rows.error_examples[0].line, 2);
        assert_eq!(r.rows.error_examples[0].column, Some(3));
    }

    #[test]
    fn values_beyond_any_real_summary_are_rejected() {
        let text = "customer_id,frequency,recency,T,monetary_value\nA,3,5,1e308,5\nB,1e10,5,6,5\nC,1,5,6,2e15\nD,1,5,110000,1e15\n";
        let (t, r) = read(text).unwrap();
        assert_eq!(t.customer_id, vec!["D"]);
        let codes: Vec<_> = r.rows.error_examples.iter().map(|e| (e.line, e.column, e.code)).collect();
        assert_eq!(codes, vec![(2, Some(4), "OUT_OF_RANGE"), (3, Some(2), "OUT_OF_RANGE"), (4, Some(5), "OUT_OF_RANGE")]);
    }

    #[test]
    fn missing_columns_and_empty_files() {
        assert_eq!(read("customer_id,frequency,T\nA,1,2\n").unwrap_err().code, ErrorCode::MissingColumn);
        assert_eq!(read("").unwrap_err().code, ErrorCode::EmptyFile);
        assert_eq!(read("customer_id,frequency,recency,T\n").unwrap_err().code, ErrorCode::EmptyFile);
    }
}
