//! Row accounting shared by every file ingest: how many rows were read, accepted and rejected,
//! rejections by error code, and the first rejected rows with line, column and reason.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Error;

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub line: u64,
    /// 1-based column (field position); `None` when the whole row is at fault.
    pub column: Option<u64>,
    /// The header of that column, when there is one.
    pub header: Option<String>,
    pub code: &'static str,
    pub message: String,
}

/// The counts every file ingest reports; `accepted_rows + rejected_rows == total_rows` always.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowCounts {
    /// Data rows seen (blank lines and the header excluded).
    pub total_rows: u64,
    pub accepted_rows: u64,
    pub rejected_rows: u64,
    /// Rejected rows by error code.
    pub rejected_by_code: BTreeMap<&'static str, u64>,
    /// The first rejected rows, in file order.
    pub error_examples: Vec<RowError>,
}

/// Keeps [`RowCounts`] and decides, per the `strict` option, whether a bad row stops the file.
#[derive(Debug, Clone)]
pub struct RowLog {
    pub counts: RowCounts,
    strict: bool,
    max_examples: usize,
}

/// Examples kept by default, and at most.
pub const DEFAULT_EXAMPLES: usize = 20;
pub const MAX_EXAMPLES: usize = 1000;

impl RowLog {
    pub fn new(strict: bool, max_examples: Option<usize>) -> Self {
        RowLog {
            counts: RowCounts::default(),
            strict,
            max_examples: max_examples.unwrap_or(DEFAULT_EXAMPLES).min(MAX_EXAMPLES),
        }
    }

    /// A log with the same settings and nothing counted.
    pub fn emptied(&self) -> RowLog {
        RowLog { counts: RowCounts::default(), ..*self }
    }

    /// Adds the counts of the rows after this log's (their examples after this log's, up to its
    /// limit).
    pub fn absorb(&mut self, later: RowCounts) {
        let c = &mut self.counts;
        c.total_rows = c.total_rows.saturating_add(later.total_rows);
        c.accepted_rows = c.accepted_rows.saturating_add(later.accepted_rows);
        c.rejected_rows = c.rejected_rows.saturating_add(later.rejected_rows);
        for (code, n) in later.rejected_by_code {
            let by_code = c.rejected_by_code.entry(code).or_insert(0);
            *by_code = by_code.saturating_add(n);
        }
        let room = self.max_examples.saturating_sub(c.error_examples.len());
        c.error_examples.extend(later.error_examples.into_iter().take(room));
    }

    /// A data row was read.
    pub fn seen(&mut self) {
        self.counts.total_rows = self.counts.total_rows.saturating_add(1);
    }

    pub fn accept(&mut self) {
        self.counts.accepted_rows = self.counts.accepted_rows.saturating_add(1);
    }

    /// Counts a rejected row; in strict mode returns its error instead, to stop the ingest.
    pub fn reject(&mut self, e: Error, headers: &[String]) -> Result<(), Error> {
        if self.strict {
            return Err(e);
        }
        let c = &mut self.counts;
        c.rejected_rows = c.rejected_rows.saturating_add(1);
        let by_code = c.rejected_by_code.entry(e.code.as_str()).or_insert(0);
        *by_code = by_code.saturating_add(1);
        if c.error_examples.len() < self.max_examples {
            let column = e.column.filter(|&n| n > 0);
            let header = column.and_then(|n| headers.get(usize::try_from(n.checked_sub(1)?).ok()?).cloned());
            c.error_examples.push(RowError {
                line: e.line.unwrap_or(0),
                column,
                header,
                code: e.code.as_str(),
                message: e.message,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn counts_add_up_and_examples_are_capped() {
        let mut log = RowLog::new(false, Some(2));
        let headers = vec!["a".to_string(), "b".to_string()];
        for i in 0..5u64 {
            log.seen();
            if i % 2 == 0 {
                log.accept();
            } else {
                log.reject(Error::new(ErrorCode::InvalidDate, "bad").at(i + 2, 2), &headers).unwrap();
            }
        }
        log.seen();
        log.reject(Error::new(ErrorCode::MalformedRow, "short").at(9, 0), &headers).unwrap();
        let c = &log.counts;
        assert_eq!((c.total_rows, c.accepted_rows, c.rejected_rows), (6, 3, 3));
        assert_eq!(c.rejected_by_code.get("INVALID_DATE"), Some(&2));
        assert_eq!(c.error_examples.len(), 2);
        assert_eq!(c.error_examples[0].header.as_deref(), Some("b"));
    }

    #[test]
    fn strict_mode_stops_at_the_first_bad_row() {
        let mut log = RowLog::new(true, None);
        let e = log.reject(Error::new(ErrorCode::InvalidAmount, "x").at(3, 1), &[]).unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(1)));
    }
}
