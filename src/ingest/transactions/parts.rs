//! A large file read in two parts at once (two wasm instances, two threads): where the second part
//! starts, what its reader hands back, and how the first part's ingest takes it in.
//!
//! The protocol, exact by construction:
//!
//! 1. The second ingest reads the head of the file until its formats are settled
//!    ([`TransactionIngest::is_settled`]: header, mapping, delimiter, sample released), then
//!    forgets the rows it read ([`TransactionIngest::start_part`]).
//! 2. From the bytes after some point, [`TransactionIngest::part_start`] picks the start of a line
//!    whose order id differs from the line before it (a likely record boundary where no order
//!    continues); that ingest reads from there to the end and writes what it collected
//!    ([`TransactionIngest::write_part`]).
//! 3. The first ingest reads up to exactly that byte and calls [`TransactionIngest::join_parts`]
//!    with the parts that follow, in file order (the worker may also have read pieces before
//!    its part, each from its own start to the next): it joins them only when that gives what
//!    reading on itself would give (the byte is a record boundary for it, its date and amount
//!    formats are where every part's started and no part changed anything in them, no order is
//!    named by two parts, every part error can be moved to its line); otherwise nothing changes
//!    and it reads the rest itself.

use std::collections::BTreeMap;

use super::{Reader, TransactionIngest};
use crate::dataset::DatasetBuilder;
use crate::error::{Error, ErrorCode, Result};
use crate::ingest::rows::{RowCounts, RowError};
use crate::wire::{damaged, In, Out};

/// At most this many lines (and their orders) are reserved ahead: 2M lines, with their orders
/// at most about 220 MB.
pub(super) const MAX_RESERVED_LINES: usize = 2 << 20;

/// The first thing a part says, so that bytes of anything else are refused.
const MAGIC: &str = "clvkit part 6";

/// What the part's formats were when it started, and are at its end.
fn evidence_key(ingest: &TransactionIngest) -> String {
    format!("{}#{}", ingest.state.dates.evidence_key(), ingest.state.amounts.evidence_key())
}

fn not_ready(what: &str) -> Error {
    Error::new(ErrorCode::Internal, format!("a part of the file was {what} before the file's formats were settled"))
}

/// The fields of one line (its line break excluded), when it is a whole record by itself.
fn line_fields(delimiter: u8, line: &[u8], out: &mut Vec<u8>, ends: &mut Vec<usize>) -> Option<usize> {
    // A line with an odd number of quotes continues on another line.
    if line.iter().filter(|&&b| b == b'"').count() % 2 != 0 {
        return None;
    }
    let mut csv = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    out.resize(line.len().saturating_add(1), 0);
    ends.resize(line.len().saturating_add(2), 0);
    let (_, nin, nout, nend) = csv.read_record(line, out, ends);
    (nin == line.len()).then_some(())?;
    let (result, _, _, more) = csv.read_record(&[], out.get_mut(nout..)?, ends.get_mut(nend..)?);
    (result == csv_core::ReadRecordResult::Record).then_some(nend.saturating_add(more))
}

/// Moves a part's row error down by `offset` lines: its line, and the line its message begins
/// with ("line 12: …", "line 12, column 3: …"). `None` when the message does not begin so.
fn moved_error(mut e: RowError, offset: u64) -> Option<RowError> {
    let old = format!("line {}", e.line);
    let rest = e.message.strip_prefix(&old).filter(|rest| rest.starts_with([':', ',']))?;
    e.line = e.line.checked_add(offset)?;
    e.message = format!("line {}{rest}", e.line);
    Some(e)
}

fn write_counts(out: &mut Out, c: &RowCounts) {
    out.u64(c.total_rows);
    out.u64(c.accepted_rows);
    out.u64(c.rejected_rows);
    out.len(c.rejected_by_code.len());
    for (code, &n) in &c.rejected_by_code {
        out.str(code);
        out.u64(n);
    }
    out.len(c.error_examples.len());
    for e in &c.error_examples {
        out.u64(e.line);
        out.opt_u64(e.column);
        out.opt_str(e.header.as_deref());
        out.str(e.code);
        out.str(&e.message);
    }
}

fn code(text: &str) -> Option<&'static str> {
    ErrorCode::from_code(text).map(ErrorCode::as_str)
}

fn read_counts(r: &mut In<'_>) -> Option<RowCounts> {
    let (total_rows, accepted_rows, rejected_rows) = (r.u64()?, r.u64()?, r.u64()?);
    let n = r.len(16)?;
    let mut rejected_by_code = BTreeMap::new();
    for _ in 0..n {
        rejected_by_code.insert(code(r.str()?)?, r.u64()?);
    }
    let n = r.len(34)?;
    let mut error_examples = Vec::with_capacity(n);
    for _ in 0..n {
        let line = r.u64()?;
        let column = r.opt_u64()?;
        let header = r.opt_str()?.map(str::to_owned);
        let code = code(r.str()?)?;
        let message = r.str()?.to_owned();
        error_examples.push(RowError { line, column, header, code, message });
    }
    Some(RowCounts { total_rows, accepted_rows, rejected_rows, rejected_by_code, error_examples })
}

impl TransactionIngest {
    /// True once the header, mapping and delimiter are known and the rows held back to infer the
    /// formats were released: a second ingest can then start a later part of the file.
    pub fn is_settled(&self) -> bool {
        let s = &self.state;
        s.header.is_some() && s.sampled && s.held.is_empty() && !s.dates.needs_order() && self.reader.delimiter().is_some()
    }

    /// Lines per byte of input and orders per line, as read so far (once the sample is read).
    fn density(&self) -> Option<(f64, f64)> {
        let lines = self.state.builder.line_count();
        let bytes = self.reader.bytes_read();
        (self.is_settled() && lines >= 1_000 && bytes > 0).then(|| {
            let orders = self.state.builder.order_count();
            (lines as f64 / bytes as f64, orders as f64 / lines as f64)
        })
    }

    /// Told that the input is `bytes` long (this part's input, for a part), makes room for the
    /// lines and orders the rows read so far suggest (a tenth more), so the dataset's vectors
    /// are not copied as they grow. Told before the formats are settled and a thousand lines
    /// read, it does so once they are (`feed` reads in steps until then): room made later would
    /// copy what is there.
    pub fn expect_bytes(&mut self, bytes: u64) {
        let Some((lines_per_byte, orders_per_line)) = self.state.density.or_else(|| self.density()) else {
            self.expected = Some(bytes);
            return;
        };
        self.expected = None;
        // Float to integer conversions saturate; the builder reserves only what memory allows,
        // and at most MAX_RESERVED_LINES (a file whose first rows are short would otherwise
        // reserve memory the rest needs).
        let expected = (bytes as f64 * lines_per_byte * 1.1) as usize;
        let lines = expected.min(MAX_RESERVED_LINES);
        let orders = (lines as f64 * orders_per_line * 1.1) as usize;
        self.state.builder.reserve(lines, orders);
        // Past the cap the vectors grow by doubling anyway, into blocks larger than the room:
        // made ahead, it would only add to the memory's high-water mark.
        if expected <= MAX_RESERVED_LINES {
            make_room(orders.saturating_mul(ROOM_PER_ORDER));
        }
    }

    /// Forgets the rows read so far, keeping what they settled, to read a later part of the file
    /// from a record boundary (its lines numbered from 1; the join moves them).
    pub fn start_part(&mut self) -> Result<()> {
        if !self.is_settled() || self.state.part_key.is_some() {
            return Err(not_ready("started"));
        }
        let delimiter = self.reader.delimiter().ok_or_else(|| not_ready("started"))?;
        // Measured on the rows read so far, before the reader that counted their bytes goes.
        let density = self.density();
        self.reader = Reader::for_part(delimiter);
        let key = evidence_key(self);
        let s = &mut self.state;
        s.density = density;
        s.part_key = Some(key);
        s.context = None;
        s.duplicate_lines = 0;
        s.builder = DatasetBuilder::new();
        s.log = s.log.emptied();
        s.report.return_rows = 0;
        s.report.failed_rows = 0;
        Ok(())
    }

    /// Where in `bytes` (some bytes of the file, from anywhere) a second part could start: the
    /// first line, after the first line break, that is a record by itself with an order id
    /// different from the line before it. `None` when `bytes` holds no such line, or the file
    /// has no order id column.
    pub fn part_start(&self, bytes: &[u8]) -> Option<usize> {
        let delimiter = self.reader.delimiter()?;
        let id_column = self.state.columns.order_id?;
        let width = self.state.header.as_ref()?.len();
        let mut at = bytes.iter().position(|&b| b == b'\n')?.checked_add(1)?;
        let (mut out, mut ends) = (Vec::new(), Vec::new());
        let mut previous: Option<Vec<u8>> = None;
        loop {
            let rest = bytes.get(at..)?;
            let len = rest.iter().position(|&b| b == b'\n')?;
            let line = rest.get(..len)?;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let id = match line_fields(delimiter, line, &mut out, &mut ends) {
                Some(n) if n == width => {
                    let start = id_column.checked_sub(1).and_then(|i| ends.get(i)).copied().unwrap_or(0);
                    let end = ends.get(id_column).copied().unwrap_or(0);
                    out.get(start..end).map(|id| id.trim_ascii().to_vec()).filter(|id| !id.is_empty())
                }
                _ => None,
            };
            if let (Some(id), Some(before)) = (&id, &previous) {
                if id != before {
                    return Some(at);
                }
            }
            if !line.iter().all(u8::is_ascii_whitespace) {
                previous = id;
            }
            at = at.checked_add(len)?.checked_add(1)?;
        }
    }

    /// Ends the part ([`Self::start_part`]) and writes what it collected, for
    /// [`Self::join_parts`] in the ingest that read the file before it.
    /// About as many bytes as [`TransactionIngest::write_part`] writes, or a few more.
    pub(crate) fn part_bytes(&self) -> usize {
        let examples = self.state.log.counts.error_examples.iter().fold(0usize, |sum, e| {
            let header = e.header.as_ref().map_or(0, |h| h.len());
            sum.saturating_add(e.message.len()).saturating_add(header).saturating_add(48)
        });
        self.state.builder.part_bytes().saturating_add(examples).saturating_add(1024)
    }

    pub fn write_part(mut self) -> Result<Vec<u8>> {
        let start_key = self.state.part_key.clone().ok_or_else(|| not_ready("written"))?;
        let state = &mut self.state;
        self.reader.finish(&mut |record| state.take(&record))?;
        let s = &self.state;
        let mut out = Out::with_room(self.part_bytes());
        out.str(MAGIC);
        // Rows still held (formats unsettled by the part's own rows) cannot be joined.
        out.bool(s.held.is_empty());
        out.str(&start_key);
        out.str(&evidence_key(&self));
        out.u64(self.reader.bytes_read());
        // The lines it covered (its last line breaks), which move the next part's lines.
        out.u64(self.reader.next_line().saturating_sub(1));
        write_counts(&mut out, &s.log.counts);
        out.u64(s.report.return_rows);
        out.u64(s.report.failed_rows);
        out.u64(s.duplicate_lines);
        s.builder.write_part(&mut out);
        Ok(out.into_bytes())
    }

    /// Takes in parts of the file, in file order, the first starting exactly where this
    /// ingest's input so far ends and each next one where the one before it ends, as
    /// [`Self::write_part`] wrote them. `Ok(true)`: the file is read (call `finish`); `Ok(false)`:
    /// they cannot all be joined exactly, nothing changed, and the rest of the file must be fed.
    pub fn join_parts(&mut self, parts: Vec<Vec<u8>>) -> Result<bool> {
        let mine = evidence_key(self);
        let mut heads = Vec::with_capacity(parts.len());
        let mut joinable = self.is_settled() && self.reader.at_record_boundary();
        // A part's lines are numbered from its own first line: moved by the lines before it.
        let mut offset = self.reader.next_line().saturating_sub(1);
        for bytes in &parts {
            let mut head = PartHead::read(bytes).ok_or_else(damaged)?;
            joinable &= head.whole && head.start_key == mine && head.end_key == mine;
            let examples = std::mem::take(&mut head.counts.error_examples);
            let moved: Option<Vec<RowError>> = examples.into_iter().map(|e| moved_error(e, offset)).collect();
            let Some(error_examples) = moved.filter(|_| joinable) else {
                return Ok(false);
            };
            offset = offset.saturating_add(head.lines);
            heads.push((head, error_examples));
        }
        let starts: Vec<usize> = heads.iter().map(|(head, _)| head.body).collect();
        if !self.state.builder.join_parts(parts.into_iter().zip(starts).collect())? {
            return Ok(false);
        }
        let s = &mut self.state;
        for (head, error_examples) in heads {
            s.log.absorb(RowCounts { error_examples, ..head.counts });
            s.report.return_rows = s.report.return_rows.saturating_add(head.return_rows);
            s.report.failed_rows = s.report.failed_rows.saturating_add(head.failed_rows);
            s.duplicate_lines = s.duplicate_lines.saturating_add(head.duplicate_lines);
            s.report.parts = s.report.parts.max(1).saturating_add(1);
            self.reader.add_bytes(head.bytes);
        }
        self.reader.close();
        Ok(true)
    }
}

/// What a part says of itself before what its builder collected.
struct PartHead {
    /// False when rows were still held at its end (its formats unsettled by its own rows).
    whole: bool,
    /// Its formats when it started, and at its end.
    start_key: String,
    end_key: String,
    /// The bytes and lines it covered.
    bytes: u64,
    lines: u64,
    counts: RowCounts,
    return_rows: u64,
    failed_rows: u64,
    duplicate_lines: u64,
    /// Where its builder's part begins.
    body: usize,
}

impl PartHead {
    fn read(bytes: &[u8]) -> Option<PartHead> {
        let mut r = In::new(bytes);
        (r.str()? == MAGIC).then_some(())?;
        let whole = r.bool()?;
        let start_key = r.str()?.to_owned();
        let end_key = r.str()?.to_owned();
        let (bytes, lines) = (r.u64()?, r.u64()?);
        let counts = read_counts(&mut r)?;
        let (return_rows, failed_rows, duplicate_lines) = (r.u64()?, r.u64()?, r.u64()?);
        Some(PartHead { whole, start_key, end_key, bytes, lines, counts, return_rows, failed_rows, duplicate_lines, body: r.offset() })
    }
}

/// Bytes of memory a dataset needs per order besides its reserved lines and orders: the sorted
/// orders `finish` writes, the order ids, the names (measured on the benchmark's files).
const ROOM_PER_ORDER: usize = 100;

/// Grows the heap by `bytes` at once (allocated and freed; the allocator keeps the room): in a
/// browser or Node every growth of wasm memory makes the JS engine collect garbage, so growing
/// once instead of a few times on the way saves those collections.
fn make_room(bytes: usize) {
    let room: Vec<u8> = Vec::new();
    let mut room = std::hint::black_box(room);
    let _ = room.try_reserve_exact(bytes);
    drop(std::hint::black_box(room));
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::transactions::IngestOptions;

    #[test]
    fn a_part_makes_room_as_the_rows_before_it_suggest() {
        let mut file = String::from("order_id,customer_id,date,amount\n");
        for i in 0..4_000 {
            file.push_str(&format!("{},c{},2024-01-{:02},{}.50\n", 1000 + i / 2, i % 97, 1 + i % 28, i % 50));
        }
        let mut ingest = TransactionIngest::new(&IngestOptions::default()).unwrap();
        for chunk in file.as_bytes().chunks(4096) {
            ingest.feed(chunk).unwrap();
            if ingest.is_settled() && ingest.state.builder.line_count() >= 1_000 {
                break;
            }
        }
        let read = ingest.reader.bytes_read() as f64;
        let lines = ingest.state.builder.line_count() as f64;
        ingest.start_part().unwrap();
        ingest.expect_bytes(1_000_000);
        // As many lines as a million bytes of such rows hold, a tenth more; two lines an order.
        let (lines_room, orders_room) = ingest.state.builder.room();
        let expected = 1_000_000.0 * lines / read * 1.1;
        assert!((lines_room as f64 - expected).abs() <= 1.0, "room for {lines_room} lines, expected {expected}");
        assert!(orders_room >= lines_room / 2, "room for {orders_room} orders");
    }
}
