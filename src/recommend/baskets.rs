//! Market baskets: sets of item numbers, built from a dataset's orders or streamed from a baskets
//! file (one basket per line, comma-separated item ids), with every line accounted for.
//!
//! Rules of the baskets file (as `online-retail-baskets.txt`):
//! - One basket per line; fields are item ids, trimmed of surrounding whitespace. Quotes work as
//!   in CSV (`"a, b",c` is two items). No header: the first line is a basket.
//! - Blank lines (and lines of only commas and whitespace) are not rows: they are skipped and
//!   counted nowhere, as in every clvkit file ingest.
//! - Empty fields (`a,,b`, a trailing comma) are ignored and counted in `emptyFields`.
//! - An item repeated within a basket counts once (a basket is a set, as mlxtend's
//!   `TransactionEncoder` makes it); the repeats are counted in `duplicateItems`.
//! - A row is rejected (and counted, with an example) when it is malformed: an unterminated
//!   quote, more than 10,000 items or 1 MiB, or text that is not UTF-8. `strict` stops at the
//!   first such row instead. Always `acceptedRows + rejectedRows == totalRows`.

use serde::Serialize;

use crate::dataset::{Dataset, Interner};
use crate::error::{Error, ErrorCode, Result};
use crate::ingest::reader::{Reader, Record};
use crate::ingest::rows::{RowCounts, RowLog};
use crate::input::reject_unknown;

/// Baskets as sets of item numbers, stored end to end.
#[derive(Debug, Clone, Default)]
pub struct Baskets {
    /// Item names; a basket's numbers index this.
    pub items: Interner,
    /// Basket `b` is `members[offsets[b] .. offsets[b + 1]]`, sorted ascending, no repeats.
    offsets: Vec<usize>,
    members: Vec<u32>,
}

impl Baskets {
    /// Number of baskets (empty ones included).
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Basket `b`'s items, ascending; empty past the end.
    pub fn basket(&self, b: usize) -> &[u32] {
        match (self.offsets.get(b), self.offsets.get(b.saturating_add(1))) {
            (Some(&start), Some(&end)) => self.members.get(start..end).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Every basket, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.len()).map(move |b| self.basket(b))
    }

    /// Total item occurrences over all baskets.
    pub fn occurrences(&self) -> usize {
        self.members.len()
    }

    /// One basket per purchase order (returns left out) holding the distinct products of its lines
    /// with a positive quantity; item numbers are the dataset's product numbers. Orders without
    /// such a line make no basket.
    pub fn from_dataset(data: &Dataset) -> Baskets {
        let mut baskets = Baskets {
            items: data.products.clone(),
            offsets: vec![0],
            members: Vec::new(),
        };
        for order in data.orders.iter().filter(|o| !o.is_return) {
            let start = baskets.members.len();
            baskets.members.extend(super::purchased(data, order));
            if baskets.members.len() > start {
                baskets.close(start);
            }
        }
        baskets
    }

    /// Sorts and de-duplicates the basket begun at `start`, then ends it; returns the repeats dropped.
    fn close(&mut self, start: usize) -> usize {
        let own = self.members.get_mut(start..).unwrap_or_default();
        own.sort_unstable();
        // In-place dedup of the sorted tail: `kept` distinct values so far, at own[..kept].
        let mut kept = 0usize;
        for read in 0..own.len() {
            if kept == 0 || own.get(read) != own.get(kept.wrapping_sub(1)) {
                own.swap(kept, read);
                kept = kept.saturating_add(1); // at most read + 1
            }
        }
        let dropped = own.len().saturating_sub(kept);
        self.members.truncate(start.saturating_add(kept));
        self.offsets.push(self.members.len());
        dropped
    }
}

/// Builds [`Baskets`] from lists of item names (tests, or baskets made in JS).
#[derive(Debug, Clone)]
pub struct BasketsBuilder {
    baskets: Baskets,
    /// Repeated items dropped so far.
    pub duplicate_items: u64,
}

impl Default for BasketsBuilder {
    fn default() -> Self {
        BasketsBuilder {
            baskets: Baskets { offsets: vec![0], ..Baskets::default() },
            duplicate_items: 0,
        }
    }
}

impl BasketsBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one basket (an empty one counts as a basket); names are trimmed, empty names ignored.
    pub fn push<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) -> Result<()> {
        let start = self.baskets.members.len();
        for name in items.into_iter().map(str::trim).filter(|s| !s.is_empty()) {
            let Some(id) = self.baskets.items.intern(name) else {
                self.baskets.members.truncate(start);
                return Err(Error::new(ErrorCode::Overflow, "more than 4,294,967,295 distinct items"));
            };
            self.baskets.members.push(id);
        }
        let dropped = self.baskets.close(start);
        self.duplicate_items = self.duplicate_items.saturating_add(dropped as u64);
        Ok(())
    }

    pub fn finish(self) -> Baskets {
        self.baskets
    }
}

/// Options of a baskets-file ingest (JS: `BasketIngestOptions`): the summary file's three,
/// `delimiter` (here `","` when absent, never sniffed), `strict` and `maxErrorExamples`.
pub type BasketIngestOptions = crate::ingest::summary_file::SummaryIngestOptions;

/// What the baskets ingest read, accepted and rejected.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BasketReport {
    #[serde(flatten)]
    pub rows: RowCounts,
    /// Baskets kept (= accepted rows).
    pub baskets: u64,
    pub distinct_items: u64,
    /// Item occurrences kept (repeats within a basket counted once).
    pub item_occurrences: u64,
    /// Items repeated within their basket, dropped.
    pub duplicate_items: u64,
    /// Empty fields ignored.
    pub empty_fields: u64,
    pub bytes: u64,
}

/// The streaming baskets-file ingest: `feed` chunks of any size, then `finish`.
pub struct BasketIngest {
    reader: Reader,
    state: IngestState,
}

struct IngestState {
    builder: BasketsBuilder,
    log: RowLog,
    empty_fields: u64,
}

impl BasketIngest {
    pub fn new(options: &BasketIngestOptions) -> Result<Self> {
        reject_unknown("", &options.unknown)?;
        let delimiter = crate::ingest::transactions::parse_delimiter(options.delimiter.as_deref())?.unwrap_or(b',');
        Ok(BasketIngest {
            reader: Reader::new(Some(delimiter)),
            state: IngestState {
                builder: BasketsBuilder::new(),
                log: RowLog::new(options.strict.unwrap_or(false), options.max_error_examples),
                empty_fields: 0,
            },
        })
    }

    pub fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        let state = &mut self.state;
        self.reader.feed(chunk, &mut |record| state.take(&record))
    }

    /// Rows read so far (for progress).
    pub fn rows(&self) -> u64 {
        self.state.log.counts.total_rows
    }

    /// The baskets and the report; `EMPTY_FILE` when no basket was read.
    pub fn finish(mut self) -> Result<(Baskets, BasketReport)> {
        let state = &mut self.state;
        self.reader.finish(&mut |record| state.take(&record))?;
        let IngestState { builder, log, empty_fields } = self.state;
        let duplicate_items = builder.duplicate_items;
        let baskets = builder.finish();
        if baskets.is_empty() {
            let message = if log.counts.total_rows == 0 {
                "the baskets file is empty: expected one basket per line, items separated by commas"
            } else {
                "no line of the baskets file could be read (see the rejected rows)"
            };
            return Err(Error::new(ErrorCode::EmptyFile, message));
        }
        let report = BasketReport {
            rows: log.counts,
            baskets: baskets.len() as u64,
            distinct_items: baskets.items.len() as u64,
            item_occurrences: baskets.occurrences() as u64,
            duplicate_items,
            empty_fields,
            bytes: self.reader.bytes_read(),
        };
        Ok((baskets, report))
    }
}

impl IngestState {
    fn take(&mut self, record: &Record<'_>) -> Result<()> {
        self.log.seen();
        // Every field is checked before any is kept, so a rejected row leaves no item behind.
        let checked = match record.error() {
            Some(e) => Err(e.clone()),
            None => record.texts().try_for_each(|t| t.map(drop)),
        };
        if let Err(e) = checked {
            return self.log.reject(e, &[]);
        }
        let fields = record.texts().filter_map(|t| t.ok());
        let fields = fields.inspect(|f| self.empty_fields = self.empty_fields.saturating_add(u64::from(f.trim().is_empty())));
        self.builder.push(fields)?;
        self.log.accept();
        Ok(())
    }
}

/// Ingests a whole in-memory baskets file in chunks of `chunk` bytes (tests, small files).
pub fn ingest_baskets_bytes(bytes: &[u8], options: &BasketIngestOptions, chunk: usize) -> Result<(Baskets, BasketReport)> {
    let mut ingest = BasketIngest::new(options)?;
    for part in bytes.chunks(chunk.max(1)) {
        ingest.feed(part)?;
    }
    ingest.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(b: &Baskets, i: usize) -> Vec<&str> {
        b.basket(i).iter().map(|&x| b.items.name(x)).collect()
    }

    #[test]
    fn lines_become_sets_and_every_row_is_counted() {
        let text = "a,b,a\n\n c , ,\"d,e\"\n,,\nb\n\"open\n";
        for chunk in [1, 3, 1000] {
            let (b, r) = ingest_baskets_bytes(text.as_bytes(), &BasketIngestOptions::default(), chunk).unwrap();
            assert_eq!(b.len(), 3);
            assert_eq!(names(&b, 0), ["a", "b"]);
            assert_eq!(names(&b, 1), ["c", "d,e"]);
            assert_eq!(names(&b, 2), ["b"]);
            assert_eq!((r.rows.total_rows, r.rows.accepted_rows, r.rows.rejected_rows), (4, 3, 1));
            assert_eq!((r.duplicate_items, r.empty_fields, r.item_occurrences, r.distinct_items), (1, 1, 5, 4));
            assert_eq!(r.rows.rejected_by_code.get("MALFORMED_ROW"), Some(&1));
        }
    }

    #[test]
    fn strict_empty_and_unknown_options() {
        let strict = BasketIngestOptions { strict: Some(true), ..Default::default() };
        assert_eq!(ingest_baskets_bytes(b"a\n\"b\n", &strict, 4).unwrap_err().code, ErrorCode::MalformedRow);
        let e = ingest_baskets_bytes(b"\n\n", &BasketIngestOptions::default(), 4).unwrap_err();
        assert_eq!(e.code, ErrorCode::EmptyFile);
        let o: BasketIngestOptions = serde_json::from_str(r#"{"delimter": ";"}"#).unwrap();
        assert_eq!(BasketIngest::new(&o).err().map(|e| e.code), Some(ErrorCode::UnknownField));
        let o = BasketIngestOptions { delimiter: Some(";".into()), ..Default::default() };
        let (b, _) = ingest_baskets_bytes(b"x;y,z\n", &o, 2).unwrap();
        assert_eq!(names(&b, 0), ["x", "y,z"]);
    }

    #[test]
    fn builder_keeps_empty_baskets() {
        let mut b = BasketsBuilder::new();
        b.push(["x", "y", "x"]).unwrap();
        b.push([]).unwrap();
        b.push([" y "]).unwrap();
        assert_eq!(b.duplicate_items, 1);
        let b = b.finish();
        assert_eq!((b.len(), b.basket(1).len(), b.basket(2), b.basket(9).len()), (3, 0, &[1][..], 0));
    }
}
