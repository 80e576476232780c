//! Chunked reading of delimited text over csv-core: bytes in pieces of any size → records, each
//! field checked for UTF-8 when read; owns encoding refusal, delimiter sniffing, lines, limits.

use csv_core::{ReadFieldResult, ReadRecordResult, ReaderBuilder};

use crate::error::{Error, ErrorCode};

/// A record whose unescaped content is longer than this is not kept: it is skipped to its end and
/// handed over as an error record. (A field longer than this is reported as such.)
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// A record with more fields than this is skipped and handed over as an error record.
pub const MAX_FIELDS: usize = 10_000;
/// How much of the start of the file is checked for UTF-16 and binary content.
pub const ENCODING_SAMPLE_BYTES: usize = 8 * 1024;
/// The most that is buffered to sniff the delimiter.
pub const SNIFF_SAMPLE_BYTES: usize = 64 * 1024;
/// Sniffing stops buffering once this many lines (the header and 20 more) are in the sample,
/// provided the encoding sample is complete.
const SNIFF_LINES: u64 = 21;
/// The delimiters sniffing chooses among, in order of preference on a tie.
pub const DELIMITER_CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
const INITIAL_OUTPUT: usize = 4 * 1024;
const INITIAL_ENDS: usize = 64;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_MESSAGE: &str = "this file is UTF-16; save it as UTF-8 (CSV UTF-8 in Excel)";

/// One record (a row of fields) as the [`Reader`] hands it to the sink. Borrows the reader's
/// buffers: copy out what must outlive the sink call.
///
/// A record with [`Record::error`] set (a field or row over the size limits, too many fields, a
/// quoted field never closed) has no fields: the ingest should count it as a rejected row.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    line: u64,
    data: &'a [u8],
    /// `data` as text when it is valid UTF-8 as a whole (checked once, not field by field).
    text: Option<&'a str>,
    ends: &'a [usize],
    error: Option<Error>,
}

impl<'a> Record<'a> {
    /// The 1-based physical line the record starts on (blank lines and line breaks inside quoted
    /// fields count; `\r\n`, `\n` and a lone `\r` each end one line).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i` (0-based) as unescaped bytes, not checked for UTF-8; `None` past the last field.
    pub fn raw(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            None => 0,
            Some(previous) => *self.ends.get(previous)?,
        };
        self.data.get(start..end)
    }

    /// Field `i` (0-based) as text; `Ok(None)` past the last field (a short row), and
    /// `ErrorCode::MalformedRow` (with line and 1-based column) when it is not valid UTF-8.
    pub fn get(&self, i: usize) -> Result<Option<&'a str>, Error> {
        let Some(bytes) = self.raw(i) else {
            return Ok(None);
        };
        // The field's range of the whole record's text, unless it splits a character there.
        if let Some(text) = self.text {
            let end = self.ends.get(i).copied().unwrap_or(0);
            if let Some(field) = end.checked_sub(bytes.len()).and_then(|start| text.get(start..end)) {
                return Ok(Some(field));
            }
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Some(text)),
            Err(e) => {
                let column = column_number(i);
                let at = e.valid_up_to();
                let byte = bytes.get(at).copied().unwrap_or(0);
                let message = format!(
                    "line {}, column {column}: the text is not valid UTF-8 (byte 0x{byte:02X} after {at} \
                     readable bytes); the file may be in another encoding: save it as UTF-8 (CSV UTF-8 in Excel)",
                    self.line
                );
                Err(Error::new(ErrorCode::MalformedRow, message).at(self.line, column))
            }
        }
    }

    /// Field `i` (0-based) as text; a missing field is an error too (`ErrorCode::MalformedRow`).
    pub fn text(&self, i: usize) -> Result<&'a str, Error> {
        match self.get(i)? {
            Some(text) => Ok(text),
            None => {
                let column = column_number(i);
                let message = format!(
                    "line {}, column {column}: the row has only {} fields",
                    self.line,
                    self.len()
                );
                Err(Error::new(ErrorCode::MalformedRow, message).at(self.line, column))
            }
        }
    }

    /// Field `i` as text when the record is valid UTF-8 as a whole (what [`Record::text`] gives
    /// then, without a check of its own); `None` past the last field or for a record that is not.
    #[inline(always)]
    pub fn whole_text_field(&self, i: usize) -> Option<&'a str> {
        let text = self.text?;
        let start = match i.checked_sub(1) {
            None => 0,
            Some(previous) => *self.ends.get(previous)?,
        };
        text.get(start..*self.ends.get(i)?)
    }

    /// Fields `columns` (indices below [`Record::len`]) as text, each into its slot of `out`: what
    /// [`Record::text`] gives, in one pass when the record is valid UTF-8 as a whole.
    pub fn texts_into(&self, columns: &[usize], out: &mut [&'a str]) -> Result<(), Error> {
        if self.text.is_some() {
            let all = columns.iter().all(|&i| match (self.whole_text_field(i), out.get_mut(i)) {
                (Some(field), Some(slot)) => {
                    *slot = field;
                    true
                }
                _ => false,
            });
            if all {
                return Ok(());
            }
        }
        for &i in columns {
            let field = self.text(i)?;
            if let Some(slot) = out.get_mut(i) {
                *slot = field;
            }
        }
        Ok(())
    }

    /// Every field as text, in order.
    pub fn texts(&self) -> impl Iterator<Item = Result<&'a str, Error>> + '_ {
        (0..self.len()).map(move |i| self.text(i))
    }

    /// A problem with the record as a whole (`ErrorCode::MalformedRow`); such a record has no fields.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }
}

fn column_number(i: usize) -> u64 {
    u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Buffering the start of the file for the encoding check and delimiter sniffing.
    Head,
    Body,
    Done,
}

/// A record over a limit, being skipped to its end without keeping its bytes.
#[derive(Debug, Clone, Copy)]
struct Skip {
    too_many_fields: bool,
    /// Fields completed so far.
    fields: usize,
    /// Where the last completed field ended, counted as csv-core counts (as if the whole record
    /// had been kept): field lengths are differences of these.
    last_end: usize,
    /// 1-based column of the first field over the limit.
    long_column: Option<usize>,
}

/// A chunked reader of delimited text over [`csv_core::Reader`].
///
/// Feed it the file's bytes in chunks of any size ([`Reader::feed`]), then call
/// [`Reader::finish`]; each complete record goes to the sink as soon as it is read. The records
/// are the same however the bytes are split into chunks. Memory stays bounded: the first 8 KiB
/// (and, when sniffing, up to 64 KiB) is buffered once, then only the current record is kept,
/// and never more than [`MAX_RECORD_BYTES`] + 1 bytes of it.
///
/// Choices:
/// - Encoding: a UTF-8 BOM is stripped; a UTF-16 BOM, UTF-16-looking text (NULs in alternate
///   bytes), a known binary signature (ZIP/xlsx, xls, PDF, gzip, images), any NUL byte or mostly
///   control characters in the first 8 KiB → `ErrorCode::UnsupportedEncoding`, fatal. Other text
///   is not rejected as a whole: each field is checked for UTF-8 when read ([`Record::get`]).
/// - Delimiter: with `None`, sniffed among `,` `;` tab `|` on the first 21 lines (at least 8 KiB,
///   at most 64 KiB). Each candidate is run through csv-core (so quotes count); the header must
///   split into more than one field, and the candidate whose rows most often have the header's
///   field count wins; then the one with more header fields; then the earlier candidate (comma
///   first, also when nothing splits).
/// - Quotes `"` with doubled `""` inside; `\r\n`, `\n` and `\r` each end a record (mixed is fine).
/// - Blank lines, and rows whose fields are all empty or whitespace (as spreadsheets export
///   `,,,`), are not records; they still count for line numbers.
/// - The header is not special: it is the first record.
/// - An explicit delimiter of `"`, `\r` or `\n` → `ErrorCode::OutOfRange` (field `delimiter`).
/// - Errors the sink returns, and fatal encoding errors, stop the reader: later calls return the
///   same error.
///
/// Not `Clone`: csv-core 0.1.13's `Reader::clone` loses most of its DFA tables.
#[derive(Debug)]
pub struct Reader {
    explicit: Option<u8>,
    delimiter: Option<u8>,
    phase: Phase,
    stopped: Option<Error>,
    head: Vec<u8>,
    head_lines: u64,
    head_prev_cr: bool,
    csv: csv_core::Reader,
    /// The current record's unescaped fields, back to back; `out_len` bytes are in use.
    out: Vec<u8>,
    out_len: usize,
    /// End offsets in `out` of the current record's completed fields; `nends` are in use.
    ends: Vec<usize>,
    nends: usize,
    skip: Option<Skip>,
    at_record_start: bool,
    record_line: u64,
    line: u64,
    prev_cr: bool,
    /// True while the input being consumed has no `\r` (and did not follow one): then every line
    /// break is a `\n`, which csv-core counts itself, so records need no counting of their own.
    no_cr: bool,
    bytes_read: u64,
    records: u64,
}

/// Where records go; returning an error stops the reader (strict mode, cancellation).
pub type Sink<'s> = dyn FnMut(Record<'_>) -> Result<(), Error> + 's;

impl Reader {
    /// A reader with the given delimiter byte, or `None` to sniff it.
    pub fn new(delimiter: Option<u8>) -> Self {
        Reader {
            explicit: delimiter,
            delimiter,
            phase: Phase::Head,
            stopped: None,
            head: Vec::new(),
            head_lines: 0,
            head_prev_cr: false,
            csv: csv_core::Reader::new(),
            out: Vec::new(),
            out_len: 0,
            ends: Vec::new(),
            nends: 0,
            skip: None,
            at_record_start: true,
            record_line: 1,
            line: 1,
            prev_cr: false,
            no_cr: false,
            bytes_read: 0,
            records: 0,
        }
    }

    /// Reads `chunk`, handing each record completed by it to `sink`.
    pub fn feed(&mut self, chunk: &[u8], sink: &mut Sink<'_>) -> Result<(), Error> {
        if let Some(e) = &self.stopped {
            return Err(e.clone());
        }
        if self.phase == Phase::Done {
            return Err(Error::new(
                ErrorCode::Internal,
                "the file reader was given more data after it was finished",
            ));
        }
        self.bytes_read = self
            .bytes_read
            .saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        let result = self.feed_inner(chunk, sink);
        if let Err(e) = &result {
            self.stopped = Some(e.clone());
        }
        result
    }

    /// Ends the input: hands over the last record (it needs no line break at the end). Calling
    /// it again does nothing.
    pub fn finish(&mut self, sink: &mut Sink<'_>) -> Result<(), Error> {
        if let Some(e) = &self.stopped {
            return Err(e.clone());
        }
        if self.phase == Phase::Done {
            return Ok(());
        }
        let result = self.finish_inner(sink);
        self.phase = Phase::Done;
        if let Err(e) = &result {
            self.stopped = Some(e.clone());
        }
        result
    }

    /// The delimiter in use: the explicit one, or the sniffed one once enough has been read.
    pub fn delimiter(&self) -> Option<u8> {
        self.delimiter
    }

    /// Bytes fed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Records handed to the sink so far (the header and error records included).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// A reader for a later part of a file whose start another reader read: `delimiter` is the
    /// one that reader settled on, the input begins at a record boundary and its lines count from 1
    /// (the encoding and delimiter of the head are not checked again).
    pub fn for_part(delimiter: u8) -> Self {
        Reader { delimiter: Some(delimiter), phase: Phase::Body, csv: csv_reader(delimiter), ..Reader::new(Some(delimiter)) }
    }

    /// True when the input so far ends exactly at the end of a record (and its line break):
    /// a reader for the rest ([`Reader::for_part`]) would then read it as this one would.
    pub fn at_record_boundary(&self) -> bool {
        self.phase == Phase::Body && self.stopped.is_none() && self.at_record_start && self.skip.is_none() && !self.prev_cr
    }

    /// The line the next record would start on (past any blank lines read so far).
    pub fn next_line(&self) -> u64 {
        self.line
    }

    /// Counts `n` more bytes as read (those of a part another reader read).
    pub fn add_bytes(&mut self, n: u64) {
        self.bytes_read = self.bytes_read.saturating_add(n);
    }

    /// Ends the input without a last record (another reader read the rest): feeding more is
    /// then an error.
    pub fn close(&mut self) {
        self.phase = Phase::Done;
    }

    /// Bytes currently held in the reader's buffers (for tests of bounded memory).
    pub fn buffer_capacity(&self) -> usize {
        self.head
            .capacity()
            .saturating_add(self.out.capacity())
            .saturating_add(
                self.ends
                    .capacity()
                    .saturating_mul(std::mem::size_of::<usize>()),
            )
    }

    fn feed_inner(&mut self, chunk: &[u8], sink: &mut Sink<'_>) -> Result<(), Error> {
        let mut rest = chunk;
        if self.phase == Phase::Head {
            let taken = self.fill_head(rest);
            rest = rest.get(taken..).unwrap_or_default();
            if !self.head_ready() {
                return Ok(());
            }
            self.start_body(false, sink)?;
        }
        self.consume(rest, sink)
    }

    fn finish_inner(&mut self, sink: &mut Sink<'_>) -> Result<(), Error> {
        if self.phase == Phase::Head {
            self.start_body(true, sink)?;
        }
        self.phase = Phase::Done;
        if self.at_record_start {
            return Ok(());
        }
        // The end of the input acts as one more line break, fed to csv-core (and not counted as a
        // line): it ends the record exactly as the end of input would, unless the record is inside
        // a quoted field, which takes the line break in as content: then the quote is never closed.
        self.make_room();
        let (result, nout, nend) = if self.skip.is_some() {
            let (result, _, nout, nend) =
                self.csv
                    .read_record(b"\n", self.out.as_mut_slice(), self.ends.as_mut_slice());
            (result, nout, nend)
        } else {
            let output = self.out.get_mut(self.out_len..).unwrap_or_default();
            let ends = self.ends.get_mut(self.nends..).unwrap_or_default();
            let (result, _, nout, nend) = self.csv.read_record(b"\n", output, ends);
            (result, nout, nend)
        };
        if nout > 0 {
            let column = match &self.skip {
                Some(skip) => skip.fields,
                None => self.nends,
            }
            .saturating_add(1);
            let message = format!(
                "line {}: a quoted field is never closed (column {column}): every opening \" needs a closing \"",
                self.record_line
            );
            return self.emit_error(message, Some(column), sink);
        }
        if result != ReadRecordResult::Record {
            // Not expected (a pending record has content); nothing to hand over.
            self.reset_record();
            return Ok(());
        }
        if self.skip.is_some() {
            self.skip_ends(nend);
            return self.emit_skipped(sink);
        }
        self.nends = self.nends.saturating_add(nend);
        self.end_record(sink)
    }

    /// Takes bytes into the head buffer until it is ready; returns how many were taken. Byte by
    /// byte, so that the sample is the same however the file is chunked.
    fn fill_head(&mut self, chunk: &[u8]) -> usize {
        let limit = match self.explicit {
            Some(_) => ENCODING_SAMPLE_BYTES,
            None => SNIFF_SAMPLE_BYTES,
        };
        if self.head.capacity() == 0 {
            // Once, exactly: amortised growth would overshoot the bound.
            self.head.reserve_exact(limit);
        }
        for (i, &b) in chunk.iter().enumerate() {
            if self.head_ready() {
                return i;
            }
            if is_line_break(b, self.head_prev_cr) {
                self.head_lines = self.head_lines.saturating_add(1);
            }
            self.head_prev_cr = b == b'\r';
            self.head.push(b);
        }
        chunk.len()
    }

    fn head_ready(&self) -> bool {
        let len = self.head.len();
        match self.explicit {
            Some(_) => len >= ENCODING_SAMPLE_BYTES,
            None => {
                len >= SNIFF_SAMPLE_BYTES
                    || (len >= ENCODING_SAMPLE_BYTES && self.head_lines >= SNIFF_LINES)
            }
        }
    }

    fn start_body(&mut self, eof: bool, sink: &mut Sink<'_>) -> Result<(), Error> {
        let head = std::mem::take(&mut self.head);
        check_encoding(&head)?;
        let body = head.strip_prefix(UTF8_BOM).unwrap_or(&head);
        let sep_line = excel_separator_line(body);
        let delimiter = match self.explicit {
            Some(d) if matches!(d, b'"' | b'\r' | b'\n') => {
                let message = format!(
                    "the delimiter {:?} cannot separate fields: use ',', ';', '\\t' or '|'",
                    char::from(d)
                );
                return Err(Error::new(ErrorCode::OutOfRange, message).with_field("delimiter"));
            }
            Some(d) => d,
            None => match sep_line {
                Some((d, _)) => d,
                None => sniff(body, eof),
            },
        };
        // Excel's `sep=;` line names the delimiter and is not a record (nor the header).
        let body = match sep_line {
            Some((_, len)) => {
                let line = body.get(..len).unwrap_or_default();
                self.count_lines(line);
                body.get(len..).unwrap_or_default()
            }
            None => body,
        };
        self.delimiter = Some(delimiter);
        self.csv = csv_reader(delimiter);
        self.phase = Phase::Body;
        self.consume(body, sink)
    }

    fn consume(&mut self, mut input: &[u8], sink: &mut Sink<'_>) -> Result<(), Error> {
        // One fast scan of the chunk instead of counting line breaks record by record.
        self.no_cr = !self.prev_cr && !input.contains(&b'\r');
        while !input.is_empty() {
            if self.at_record_start {
                // Line breaks between records are blank lines: csv-core skips them too, but the
                // record's line number must be taken at its first byte.
                let n = input
                    .iter()
                    .position(|&b| b != b'\r' && b != b'\n')
                    .unwrap_or(input.len());
                self.count_lines(input.get(..n).unwrap_or_default());
                input = input.get(n..).unwrap_or_default();
                if input.is_empty() {
                    break;
                }
                self.at_record_start = false;
                self.record_line = self.line;
            }
            let n = self.step(input, sink)?;
            if n == 0 {
                return Err(Error::new(
                    ErrorCode::Internal,
                    "the CSV parser made no progress",
                ));
            }
            input = input.get(n..).unwrap_or_default();
        }
        Ok(())
    }

    /// Parses at most one record's worth of `input`; returns the bytes consumed.
    fn step(&mut self, input: &[u8], sink: &mut Sink<'_>) -> Result<usize, Error> {
        self.make_room();
        if self.skip.is_some() {
            return self.step_skipping(input, sink);
        }
        let output = self.out.get_mut(self.out_len..).unwrap_or_default();
        let ends = self.ends.get_mut(self.nends..).unwrap_or_default();
        let lines = self.csv.line();
        let (result, nin, nout, nend) = self.csv.read_record(input, output, ends);
        self.count_record_lines(lines, input.get(..nin).unwrap_or_default());
        self.out_len = self.out_len.saturating_add(nout);
        self.nends = self.nends.saturating_add(nend);
        if result == ReadRecordResult::Record {
            self.end_record(sink)?;
        } else if self.out_len > MAX_RECORD_BYTES || self.nends > MAX_FIELDS {
            self.start_skipping();
        }
        Ok(nin)
    }

    /// Reads on through a record over a limit, into the buffers as scratch space.
    fn step_skipping(&mut self, input: &[u8], sink: &mut Sink<'_>) -> Result<usize, Error> {
        let lines = self.csv.line();
        let (result, nin, _, nend) =
            self.csv
                .read_record(input, self.out.as_mut_slice(), self.ends.as_mut_slice());
        self.count_record_lines(lines, input.get(..nin).unwrap_or_default());
        self.skip_ends(nend);
        if result == ReadRecordResult::Record {
            self.emit_skipped(sink)?;
        }
        Ok(nin)
    }

    /// Accounts for the `n` field ends csv-core wrote into the scratch `ends` while skipping.
    fn skip_ends(&mut self, n: usize) {
        let Some(skip) = self.skip.as_mut() else {
            return;
        };
        for &end in self.ends.iter().take(n) {
            skip.fields = skip.fields.saturating_add(1);
            // Wrapping: csv-core's position wraps past usize::MAX (4 GiB in wasm32) in one record.
            if end.wrapping_sub(skip.last_end) > MAX_RECORD_BYTES && skip.long_column.is_none() {
                skip.long_column = Some(skip.fields);
            }
            skip.last_end = end;
        }
    }

    /// Makes sure csv-core has room for at least one more output byte and one more field end.
    fn make_room(&mut self) {
        if self.out.is_empty() || (self.skip.is_none() && self.out_len >= self.out.len()) {
            self.grow_output();
        }
        if self.ends.is_empty() || (self.skip.is_none() && self.nends >= self.ends.len()) {
            let len = self.ends.len();
            let new_len = len
                .saturating_mul(2)
                .clamp(INITIAL_ENDS, MAX_FIELDS.saturating_add(1));
            if new_len > len {
                self.ends.reserve_exact(new_len.saturating_sub(len));
                self.ends.resize(new_len, 0);
            }
        }
    }

    fn grow_output(&mut self) {
        let len = self.out.len();
        let new_len = len
            .saturating_mul(2)
            .clamp(INITIAL_OUTPUT, MAX_RECORD_BYTES.saturating_add(1));
        if new_len > len {
            self.out.reserve_exact(new_len.saturating_sub(len));
            self.out.resize(new_len, 0);
        }
    }

    /// Drops what is kept of the current record and goes on reading it without keeping it.
    fn start_skipping(&mut self) {
        let mut start = 0;
        let mut long_column = None;
        for (i, &end) in self.ends.iter().take(self.nends).enumerate() {
            if long_column.is_none() && end.saturating_sub(start) > MAX_RECORD_BYTES {
                long_column = Some(i.saturating_add(1));
            }
            start = end;
        }
        self.skip = Some(Skip {
            too_many_fields: self.nends > MAX_FIELDS,
            fields: self.nends,
            last_end: start,
            long_column,
        });
        self.out_len = 0;
        self.nends = 0;
    }

    #[inline(always)]
    fn end_record(&mut self, sink: &mut Sink<'_>) -> Result<(), Error> {
        if self.out_len > MAX_RECORD_BYTES || self.nends > MAX_FIELDS {
            self.start_skipping();
            return self.emit_skipped(sink);
        }
        let data = self.out.get(..self.out_len).unwrap_or_default();
        let ends = self.ends.get(..self.nends).unwrap_or_default();
        // Blank: only whitespace, or a DOS end-of-file mark (Ctrl-Z).
        let result = if data.iter().all(|&b| b.is_ascii_whitespace() || b == 0x1A) {
            Ok(())
        } else {
            self.records = self.records.saturating_add(1);
            sink(Record {
                line: self.record_line,
                data,
                text: std::str::from_utf8(data).ok(),
                ends,
                error: None,
            })
        };
        self.reset_record();
        result
    }

    fn emit_skipped(&mut self, sink: &mut Sink<'_>) -> Result<(), Error> {
        let line = self.record_line;
        let (message, column) = match self.skip {
            Some(Skip {
                long_column: Some(column),
                ..
            }) => (
                format!("line {line}: a field longer than 1 MiB (column {column}); it was skipped"),
                Some(column),
            ),
            Some(Skip {
                too_many_fields: true,
                ..
            }) => (
                format!("line {line}: more than 10,000 fields in one row; it was skipped"),
                None,
            ),
            _ => (
                format!("line {line}: a row longer than 1 MiB; it was skipped"),
                None,
            ),
        };
        self.emit_error(message, column, sink)
    }

    fn emit_error(
        &mut self,
        message: String,
        column: Option<usize>,
        sink: &mut Sink<'_>,
    ) -> Result<(), Error> {
        let mut error = Error::new(ErrorCode::MalformedRow, message);
        error.line = Some(self.record_line);
        error.column = column.map(|c| u64::try_from(c).unwrap_or(u64::MAX));
        self.records = self.records.saturating_add(1);
        let result = sink(Record {
            line: self.record_line,
            data: &[],
            text: None,
            ends: &[],
            error: Some(error),
        });
        self.reset_record();
        result
    }

    fn reset_record(&mut self) {
        self.out_len = 0;
        self.nends = 0;
        self.skip = None;
        self.at_record_start = true;
    }

    /// Counts the line breaks in `consumed`, which csv-core just read (its line count was
    /// `csv_lines` before): csv-core's own count of `\n` when the input has no `\r`.
    fn count_record_lines(&mut self, csv_lines: u64, consumed: &[u8]) {
        if self.no_cr {
            let breaks = self.csv.line().wrapping_sub(csv_lines);
            self.line = self.line.saturating_add(breaks);
        } else {
            self.count_lines(consumed);
        }
    }

    /// Counts the line breaks in `bytes`: each `\r`, and each `\n` not completing a `\r\n`
    /// (the `\r` may be the last byte of the previous call). One pass over byte pairs, which
    /// vectorises.
    fn count_lines(&mut self, bytes: &[u8]) {
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
            return;
        };
        let rest = bytes.get(1..).unwrap_or_default();
        let (cr, lf) = count_breaks(rest);
        let pairs = match cr {
            // No `\r` (the usual `\n` file): every `\n` ends a line.
            0 => lf,
            _ => bytes
                .iter()
                .zip(rest)
                .map(|(&a, &b)| usize::from(b == b'\r' || (b == b'\n' && a != b'\r')))
                .sum::<usize>(),
        };
        let breaks = pairs.saturating_add(usize::from(is_line_break(first, self.prev_cr)));
        self.line = self
            .line
            .saturating_add(u64::try_from(breaks).unwrap_or(u64::MAX));
        self.prev_cr = last == b'\r';
    }
}

/// The number of `\r` and of `\n` bytes in `bytes`, eight bytes at a time (records are short, so
/// this beats both a byte loop and vector code that needs long inputs to pay off).
fn count_breaks(bytes: &[u8]) -> (usize, usize) {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const LOW7: u64 = u64::from_ne_bytes([0x7F; 8]);
    // Bytes of `word` equal to `b`, as the number of high bits set where `word ^ b…b` has a zero byte.
    let equal = |word: u64, b: u8| {
        let x = word ^ ONES.wrapping_mul(u64::from(b));
        let zero_high = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
        zero_high.count_ones() as usize
    };
    let mut words = bytes.chunks_exact(8);
    let (mut cr, mut lf) = (0usize, 0usize);
    for chunk in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_ne_bytes(word);
        // Counts of bytes in memory: they cannot overflow a usize.
        cr = cr.saturating_add(equal(word, b'\r'));
        lf = lf.saturating_add(equal(word, b'\n'));
    }
    for &b in words.remainder() {
        cr = cr.saturating_add(usize::from(b == b'\r'));
        lf = lf.saturating_add(usize::from(b == b'\n'));
    }
    (cr, lf)
}

/// `\r` ends a line; `\n` does unless it completes a `\r\n`.
fn is_line_break(b: u8, prev_cr: bool) -> bool {
    b == b'\r' || (b == b'\n' && !prev_cr)
}

/// A csv-core reader for `delimiter`, primed with an empty read so that it never strips a BOM
/// itself (ours is stripped once, before; csv-core's own stripping would depend on chunk sizes).
fn csv_reader(delimiter: u8) -> csv_core::Reader {
    let mut reader = ReaderBuilder::new().delimiter(delimiter).build();
    let _ = reader.read_field(&[], &mut []);
    reader
}

fn unsupported(message: &str) -> Error {
    Error::new(ErrorCode::UnsupportedEncoding, message)
}

/// Known binary signatures, with what the file then is and what to do.
const SIGNATURES: [(&[u8], &str); 8] = [
    (
        b"PK\x03\x04",
        "this is an Excel .xlsx file (or another ZIP archive), not CSV text: export it as CSV (CSV UTF-8 in Excel)",
    ),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "this is an old Excel .xls file, not CSV text: export it as CSV (CSV UTF-8 in Excel)",
    ),
    (
        b"%PDF",
        "this is a PDF document, not CSV text: export the data as CSV from the system it came from",
    ),
    (
        b"\x1F\x8B",
        "this is a gzip-compressed file, not CSV text: decompress it and use the CSV inside",
    ),
    (
        b"\x89PNG",
        "this is a PNG image, not CSV text: export the data as CSV",
    ),
    (
        b"\xFF\xD8\xFF",
        "this is a JPEG image, not CSV text: export the data as CSV",
    ),
    (
        b"SQLite format 3\0",
        "this is an SQLite database, not CSV text: export the table as CSV",
    ),
    (
        b"\x00\x00\xFE\xFF",
        "this file is UTF-32; save it as UTF-8 (CSV UTF-8 in Excel)",
    ),
];

/// Refuses text that is not UTF-8-compatible or not text at all, from the first 8 KiB.
fn check_encoding(head: &[u8]) -> Result<(), Error> {
    let sample = head.get(..ENCODING_SAMPLE_BYTES).unwrap_or(head);
    for (signature, message) in SIGNATURES {
        if sample.starts_with(signature) {
            return Err(unsupported(message));
        }
    }
    if sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF") {
        return Err(unsupported(UTF16_MESSAGE));
    }
    let (mut even, mut odd) = (0usize, 0usize);
    let mut control = 0usize;
    for (i, &b) in sample.iter().enumerate() {
        if b == 0 {
            if i & 1 == 0 {
                even = even.saturating_add(1);
            } else {
                odd = odd.saturating_add(1);
            }
        } else if matches!(b, 0x01..=0x08 | 0x0E..=0x19 | 0x1C..=0x1F) {
            control = control.saturating_add(1);
        }
    }
    if even > 0 || odd > 0 {
        // UTF-16 text of mostly ASCII: a NUL in (nearly) every other byte, on one side only.
        let pairs = sample.len() / 2;
        let one_sided = |many: usize, few: usize| {
            many.saturating_mul(10) >= pairs.saturating_mul(3) && few.saturating_mul(10) <= many
        };
        if one_sided(odd, even) || one_sided(even, odd) {
            return Err(unsupported(UTF16_MESSAGE));
        }
        return Err(unsupported(
            "this file contains NUL bytes, so it is a binary file, not CSV text: export the data as CSV (CSV UTF-8 in Excel)",
        ));
    }
    if sample.len() >= 64 && control.saturating_mul(10) > sample.len() {
        return Err(unsupported(
            "this file is mostly control characters, so it is a binary file, not CSV text: export the data as CSV (CSV UTF-8 in Excel)",
        ));
    }
    Ok(())
}

/// Chooses the delimiter of `sample` (see [`Reader`]); `eof` when the sample is the whole file,
/// so that its last line counts even without a line break.
/// A row whose field count differs from the header's (`ErrorCode::MalformedRow`, at its line).
pub fn field_count_error(line: u64, fields: usize, expected: usize) -> Error {
    let counted = if fields == 1 { "1 field".to_owned() } else { format!("{fields} fields") };
    let hint = if fields == 1 && expected > 1 {
        " (is the row separated by another delimiter than the header?)"
    } else {
        ""
    };
    let message = format!("line {line}: {counted} where the header has {expected}{hint}");
    let mut e = Error::new(ErrorCode::MalformedRow, message);
    e.line = Some(line);
    e
}

/// Excel's first line `sep=X` (X one of `,` `;` tab `|`, any letter case of `sep`): the delimiter it
/// names and the line's length with its line break.
fn excel_separator_line(body: &[u8]) -> Option<(u8, usize)> {
    let (name, rest) = body.split_at_checked(4)?;
    if !name.eq_ignore_ascii_case(b"sep=") {
        return None;
    }
    let (&d, after) = rest.split_first()?;
    if !matches!(d, b',' | b';' | b'\t' | b'|') {
        return None;
    }
    let line_break: usize = match after {
        [b'\r', b'\n', ..] => 2,
        [b'\r' | b'\n', ..] => 1,
        [] => 0,
        _ => return None,
    };
    Some((d, line_break.saturating_add(5)))
}

fn sniff(sample: &[u8], eof: bool) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for candidate in DELIMITER_CANDIDATES {
        let counts = field_counts(sample, candidate, eof);
        let Some(&header) = counts.first() else {
            continue;
        };
        if header < 2 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == header).count();
        if (consistent, header) > (best.1, best.2) {
            best = (candidate, consistent, header);
        }
    }
    best.0
}

/// Field counts of the complete records of `sample` split by `delimiter`.
fn field_counts(sample: &[u8], delimiter: u8, eof: bool) -> Vec<usize> {
    let mut reader = csv_reader(delimiter);
    let mut scratch = [0u8; 256];
    let mut counts = Vec::new();
    let mut fields = 0usize;
    let mut input = sample;
    loop {
        if input.is_empty() && !eof {
            break;
        }
        let (result, nin, _) = reader.read_field(input, &mut scratch);
        input = input.get(nin..).unwrap_or_default();
        match result {
            ReadFieldResult::Field { record_end } => {
                fields = fields.saturating_add(1);
                if record_end {
                    counts.push(fields);
                    fields = 0;
                }
            }
            ReadFieldResult::End => break,
            ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Rec {
        line: u64,
        fields: Vec<Vec<u8>>,
        error: Option<Error>,
    }

    #[derive(Debug, Clone, PartialEq)]
    struct Outcome {
        records: Vec<Rec>,
        delimiter: Option<u8>,
        bytes_read: u64,
        count: u64,
    }

    fn to_rec(r: &Record<'_>) -> Rec {
        Rec {
            line: r.line(),
            fields: (0..r.len()).map(|i| r.raw(i).unwrap().to_vec()).collect(),
            error: r.error().cloned(),
        }
    }

    fn read_chunks(delimiter: Option<u8>, chunks: &[&[u8]]) -> Result<Outcome, Error> {
        let mut reader = Reader::new(delimiter);
        let mut records = Vec::new();
        let mut sink = |r: Record<'_>| {
            records.push(to_rec(&r));
            Ok(())
        };
        for chunk in chunks {
            reader.feed(chunk, &mut sink)?;
        }
        reader.finish(&mut sink)?;
        Ok(Outcome {
            records,
            delimiter: reader.delimiter(),
            bytes_read: reader.bytes_read(),
            count: reader.records(),
        })
    }

    fn read(delimiter: Option<u8>, bytes: &[u8]) -> Outcome {
        read_chunks(delimiter, &[bytes]).unwrap()
    }

    fn read_sized(delimiter: Option<u8>, bytes: &[u8], size: usize) -> Result<Outcome, Error> {
        let chunks: Vec<&[u8]> = bytes.chunks(size).collect();
        read_chunks(delimiter, &chunks)
    }

    fn fields(o: &Outcome) -> Vec<Vec<String>> {
        o.records
            .iter()
            .map(|r| {
                r.fields
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect()
            })
            .collect()
    }

    fn lines(o: &Outcome) -> Vec<u64> {
        o.records.iter().map(|r| r.line).collect()
    }

    /// One chunk, two chunks split at every position in `positions`, 1-byte chunks and a few
    /// pseudo-random chunkings all give the same result (records or error).
    fn assert_chunking_invariant(delimiter: Option<u8>, bytes: &[u8], step: usize) {
        let whole = read_chunks(delimiter, &[bytes]);
        let mut at = 0;
        while at <= bytes.len() {
            let (a, b) = bytes.split_at(at);
            assert_eq!(read_chunks(delimiter, &[a, b]), whole, "split at byte {at}");
            at += step;
        }
        assert_eq!(read_sized(delimiter, bytes, 1), whole, "1-byte chunks");
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..20 {
            let mut chunks = Vec::new();
            let mut rest = bytes;
            while !rest.is_empty() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let size = ((seed % 37) as usize).min(rest.len());
                let (a, b) = rest.split_at(size);
                chunks.push(a);
                rest = b;
            }
            assert_eq!(
                read_chunks(delimiter, &chunks),
                whole,
                "random chunking {round}"
            );
        }
    }

    const MIXED: &[u8] = b"\xEF\xBB\xBFCustomerID;Date;Amount;Note\r\n\
42;2011-12-09;\"1,50\";\"caf\xC3\xA9 \"\"best\"\"\r\nline two\"\r\n\
\r\n\
\n\
43;2011-12-10;2,00;\xE2\x82\xAC uro\r\
44;2011-12-11;3;\"a;b\"\n\
;;;\n\
45;2011-12-12;4;\xF0\x9F\x98\x80";

    #[test]
    fn reads_quotes_line_ends_blank_lines_and_utf8() {
        let o = read(None, MIXED);
        assert_eq!(o.delimiter, Some(b';'));
        assert_eq!(
            fields(&o),
            vec![
                vec!["CustomerID", "Date", "Amount", "Note"],
                vec!["42", "2011-12-09", "1,50", "café \"best\"\r\nline two"],
                vec!["43", "2011-12-10", "2,00", "€ uro"],
                vec!["44", "2011-12-11", "3", "a;b"],
                vec!["45", "2011-12-12", "4", "😀"],
            ]
        );
        assert_eq!(lines(&o), vec![1, 2, 6, 7, 9]);
        assert_eq!(o.count, 5);
        assert_eq!(o.bytes_read, MIXED.len() as u64);
        assert!(o.records.iter().all(|r| r.error.is_none()));
    }

    #[test]
    fn chunk_boundaries_anywhere_give_the_same_records() {
        assert_chunking_invariant(None, MIXED, 1);
        assert_chunking_invariant(Some(b';'), MIXED, 1);
        assert_chunking_invariant(None, b"a,b\r\n1,2\r\n", 1);
        assert_chunking_invariant(None, b"a,b\r\r\n\r1,\"x\r\ny\"\r", 1);
    }

    #[test]
    fn chunk_boundaries_around_the_sniff_sample_give_the_same_records() {
        // 40 lines of ~400 bytes: the sample ends after 21 lines, past 8 KiB, mid-file.
        let mut text = String::from("customer,date,amount,note\n");
        for i in 0..40 {
            text.push_str(&format!(
                "c{i},2020-01-{:02},{i}.50,\"{}, é\n{}\"\r\n",
                i % 28 + 1,
                "x".repeat(200),
                "y".repeat(180)
            ));
        }
        let bytes = text.as_bytes();
        assert!(bytes.len() > 2 * ENCODING_SAMPLE_BYTES);
        let o = read(None, bytes);
        assert_eq!(o.records.len(), 41);
        assert_eq!(o.records[2].line, 4);
        assert!(o.records.iter().all(|r| r.fields.len() == 4));
        assert_chunking_invariant(None, bytes, 97);
        for at in 8150..8250 {
            let (a, b) = bytes.split_at(at);
            assert_eq!(read_chunks(None, &[a, b]).unwrap(), o, "split at {at}");
        }
    }

    #[test]
    fn strips_a_bom_even_split_across_chunks() {
        let bytes = b"\xEF\xBB\xBFid,amount\n1,2\n";
        for at in 0..=4 {
            let (a, b) = bytes.split_at(at);
            let o = read_chunks(None, &[a, b]).unwrap();
            assert_eq!(fields(&o)[0], vec!["id", "amount"]);
        }
        // Only one BOM is stripped; a second one is content (the mapping ignores it in headers).
        let o = read(None, b"\xEF\xBB\xBF\xEF\xBB\xBFid,amount\n1,2\n");
        assert_eq!(fields(&o)[0], vec!["\u{feff}id", "amount"]);
    }

    #[test]
    fn counts_line_break_bytes_in_every_position() {
        for len in 0..40 {
            for at in 0..len {
                for (other, byte) in [(b'x', b'\r'), (0x8D, b'\n'), (b'\n', b'\r'), (0xFF, b'\n')] {
                    let mut bytes = vec![other; len];
                    bytes[at] = byte;
                    if at + 3 < len {
                        bytes[at + 3] = byte;
                    }
                    let expect = |b: u8| bytes.iter().filter(|&&x| x == b).count();
                    assert_eq!(count_breaks(&bytes), (expect(b'\r'), expect(b'\n')), "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn trailing_newline_is_optional_and_line_endings_mix() {
        let a = read(None, b"a,b\n1,2\n");
        let b = read(None, b"a,b\n1,2");
        let c = read(None, b"a,b\r\n1,2\r\n");
        let d = read(None, b"a,b\r1,2\r");
        assert_eq!(fields(&a), fields(&b));
        assert_eq!(fields(&a), fields(&c));
        assert_eq!(fields(&a), fields(&d));
        assert_eq!(lines(&d), vec![1, 2]);
        let mixed = read(None, b"a,b\r\n1,2\n3,4\r5,6\r\n\r\n7,8");
        assert_eq!(lines(&mixed), vec![1, 2, 3, 4, 6]);
    }

    #[test]
    fn multi_line_quoted_fields_move_the_next_line_number() {
        let o = read(None, b"a,b\n1,\"x\ny\nz\"\n2,\"\"\"q\"\"\"\n\n3,4\n");
        assert_eq!(lines(&o), vec![1, 2, 5, 7]);
        assert_eq!(fields(&o)[1], vec!["1", "x\ny\nz"]);
        assert_eq!(fields(&o)[2], vec!["2", "\"q\""]);
    }

    #[test]
    fn line_numbers_hold_when_only_some_chunks_have_carriage_returns() {
        // Lines are counted by csv-core in chunks without `\r` and by the reader in the others;
        // a `\r` ending one chunk pairs with a `\n` starting the next.
        let bytes = b"a,b\n1,\"x\ny\"\n\n2,3\r\n4,\"p\r\nq\"\r5,6\n\n7,\"\n\"\r\n8,9";
        let o = read(Some(b','), bytes);
        assert_eq!(lines(&o), vec![1, 2, 5, 6, 8, 10, 12]);
        assert_chunking_invariant(Some(b','), bytes, 1);
        let padded: Vec<u8> = [&[b'\n'; ENCODING_SAMPLE_BYTES][..], bytes].concat();
        let o = read(Some(b','), &padded);
        let shifted: Vec<u64> = [1, 2, 5, 6, 8, 10, 12].iter().map(|l| l + ENCODING_SAMPLE_BYTES as u64).collect();
        assert_eq!(lines(&o), shifted);
        assert_chunking_invariant(Some(b','), &padded, 97);
    }

    #[test]
    fn blank_and_empty_rows_are_skipped() {
        let o = read(Some(b','), b"a,b\n\n  \n,,\n\"\",\n1,2\n \t\n");
        assert_eq!(fields(&o), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(lines(&o), vec![1, 6]);
        assert_eq!(o.count, 2);
        let empty = read(None, b"");
        assert!(empty.records.is_empty());
        assert_eq!(empty.delimiter, Some(b','));
        assert!(read(None, b"\r\n\n\r").records.is_empty());
    }

    #[test]
    fn excel_sep_line_names_the_delimiter_and_is_skipped() {
        let lines_and_fields = |o: &Outcome| (o.records.iter().map(|r| r.line).collect::<Vec<_>>(), fields(o));
        for text in ["sep=;\na;b\n1;2\n", "SEP=;\r\na;b\r\n1;2\r\n", "sep=;\ra;b\r1;2\r"] {
            for size in [1, 3, 1 << 20] {
                let o = read_sized(None, text.as_bytes(), size).unwrap();
                assert_eq!(o.delimiter, Some(b';'), "{text:?}");
                assert_eq!(lines_and_fields(&o), (vec![2, 3], vec![vec!["a".to_string(), "b".into()], vec!["1".into(), "2".into()]]), "{text:?} in chunks of {size}");
            }
        }
        // An explicit delimiter wins, and the line is still skipped.
        let o = read(Some(b','), b"sep=;\na,b\n");
        assert_eq!(lines_and_fields(&o), (vec![2], vec![vec!["a".to_string(), "b".into()]]));
        assert_eq!(excel_separator_line(b"sep=x\n"), None);
        assert_eq!(excel_separator_line(b"sep=;;\n"), None);
    }

    #[test]
    fn sniffs_the_delimiter() {
        let cases: [(&[u8], u8); 8] = [
            (b"a,b,c\n1,2,3\n", b','),
            (
                b"Kunde;Datum;Betrag\n1;01.02.2020;12,50\n2;03.02.2020;1.234,00\n",
                b';',
            ),
            (b"id\tdesc\tamount\n1\tred, large\t3\n", b'\t'),
            (b"id|amount\n1|2\n3|4", b'|'),
            // Quote-aware: the commas inside quotes do not count.
            (b"id;note;amount\n1;\"a,b,c,d\";2\n2;\"e,f,g,h\";3\n", b';'),
            (b"\"a,b\";c\n\"1,2\";3\n", b';'),
            // Nothing splits the header: comma.
            (b"amount\n1\n2\n", b','),
            // Tie on every count: comma.
            (b"a,b;c\n1,2;3\n", b','),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                read(None, bytes).delimiter,
                Some(expected),
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
        // The candidate matching the header's count on most lines wins.
        let o = read(None, b"a;b;c\n1,5;2;3\n1;2;3\n4;5,5;6\n");
        assert_eq!(o.delimiter, Some(b';'));
    }

    #[test]
    fn explicit_delimiter_skips_sniffing() {
        let o = read(Some(b';'), b"a,b\n1,2\n");
        assert_eq!(o.delimiter, Some(b';'));
        assert_eq!(fields(&o), vec![vec!["a,b"], vec!["1,2"]]);
        let mut reader = Reader::new(Some(b'\t'));
        assert_eq!(reader.delimiter(), Some(b'\t'));
        let mut seen = 0;
        reader
            .feed(b"a\tb\n1\t2\n", &mut |_| {
                seen += 1;
                Ok(())
            })
            .unwrap();
        // Buffered for the encoding check until 8 KiB or the end.
        assert_eq!(seen, 0);
        reader
            .finish(&mut |_| {
                seen += 1;
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, 2);
        let bad = read_chunks(Some(b'"'), &[b"a\"b\n"]).unwrap_err();
        assert_eq!(bad.field.as_deref(), Some("delimiter"));
    }

    #[test]
    fn records_arrive_as_soon_as_complete_after_the_head() {
        let mut text = String::from("id,amount\n");
        for i in 0..2000 {
            text.push_str(&format!("{i},{i}\n"));
        }
        let bytes = text.as_bytes();
        let mut reader = Reader::new(None);
        let mut seen = 0u64;
        let mut sink = |_: Record<'_>| {
            seen += 1;
            Ok(())
        };
        let (head, rest) = bytes.split_at(ENCODING_SAMPLE_BYTES + 100);
        reader.feed(head, &mut sink).unwrap();
        let after_head = reader.records();
        assert!(after_head > 1000);
        reader.feed(&rest[..20], &mut sink).unwrap();
        reader.feed(&rest[20..], &mut sink).unwrap();
        reader.finish(&mut sink).unwrap();
        assert_eq!(seen, 2001);
        assert_eq!(reader.records(), 2001);
    }

    #[test]
    fn utf8_is_checked_per_field() {
        let o = read(None, b"name,amount\nJos\xE9,12\n");
        assert_eq!(o.records.len(), 2);
        let mut reader = Reader::new(None);
        let mut results = Vec::new();
        let mut sink = |r: Record<'_>| {
            let owned = |x: Result<Option<&str>, Error>| x.map(|o| o.map(str::to_owned));
            results.push((
                owned(r.get(0)),
                r.text(1).map(str::to_owned),
                owned(r.get(2)),
                r.text(5).map(str::to_owned),
            ));
            Ok(())
        };
        reader
            .feed(b"name,amount\nJos\xE9,12\n", &mut sink)
            .unwrap();
        reader.finish(&mut sink).unwrap();
        let (first, second, third, missing) = &results[1];
        let e = first.clone().unwrap_err();
        assert_eq!(e.code, ErrorCode::MalformedRow);
        assert_eq!((e.line, e.column), (Some(2), Some(1)));
        assert!(e.message.starts_with("line 2, column 1:"), "{}", e.message);
        assert!(e.message.contains("UTF-8"));
        assert_eq!(second.as_deref(), Ok("12"));
        assert_eq!(third, &Ok(None));
        let e = missing.clone().unwrap_err();
        assert_eq!((e.code, e.column), (ErrorCode::MalformedRow, Some(6)));
        // A character split across chunks is whole in the field.
        let o = read_sized(None, "id,name\n1,Zoë €\n".as_bytes(), 1).unwrap();
        assert_eq!(fields(&o)[1][1], "Zoë €");
    }

    #[test]
    fn texts_iterates_fields() {
        let mut reader = Reader::new(None);
        let mut all = Vec::new();
        let mut sink = |r: Record<'_>| {
            all.push(r.texts().collect::<Result<Vec<_>, _>>().unwrap().join("|"));
            Ok(())
        };
        reader.feed(b"a,b,c\n1,,3\n", &mut sink).unwrap();
        reader.finish(&mut sink).unwrap();
        assert_eq!(all, vec!["a|b|c", "1||3"]);
    }

    #[test]
    fn an_unclosed_quote_at_the_end_is_a_record_error() {
        let bytes = b"a,b\n1,\"x\n2,3\n";
        let o = read(None, bytes);
        assert_eq!(o.records.len(), 2);
        let last = &o.records[1];
        assert_eq!(last.line, 2);
        assert!(last.fields.is_empty());
        let e = last.error.as_ref().unwrap();
        assert_eq!(e.code, ErrorCode::MalformedRow);
        assert!(
            e.message
                .starts_with("line 2: a quoted field is never closed"),
            "{}",
            e.message
        );
        assert_eq!((e.line, e.column), (Some(2), Some(2)));
        assert_chunking_invariant(None, bytes, 1);
        // Closed quotes, and a quote inside an unquoted field, are fine.
        let o = read(None, b"a,b\n1,\"x\"\n2,ab\"c\n");
        assert!(o.records.iter().all(|r| r.error.is_none()));
        assert_eq!(fields(&o)[2], vec!["2", "ab\"c"]);
        let o = read(None, b"a,b\n1,\"x\"");
        assert!(o.records.iter().all(|r| r.error.is_none()));
    }

    #[test]
    fn refuses_utf16() {
        let text = "customer,amount\n1,2\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut le_bom = vec![0xFF, 0xFE];
        le_bom.extend_from_slice(&le);
        let mut be_bom = vec![0xFE, 0xFF];
        be_bom.extend_from_slice(&be);
        for bytes in [&le, &be, &le_bom, &be_bom] {
            for size in [1, 3, 1 << 16] {
                let e = read_sized(None, bytes, size).unwrap_err();
                assert_eq!(e.code, ErrorCode::UnsupportedEncoding);
                assert_eq!(
                    e.message,
                    "this file is UTF-16; save it as UTF-8 (CSV UTF-8 in Excel)"
                );
            }
        }
        // Fatal: the reader stays stopped.
        let mut reader = Reader::new(Some(b','));
        let mut sink = |_: Record<'_>| Ok(());
        reader.feed(&le_bom, &mut sink).unwrap();
        assert!(reader.finish(&mut sink).is_err());
        assert_eq!(
            reader.finish(&mut sink).unwrap_err().code,
            ErrorCode::UnsupportedEncoding
        );
    }

    #[test]
    fn refuses_binary_files_naming_what_they_look_like() {
        let mut xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec();
        xlsx.extend_from_slice(b"[Content_Types].xml");
        let cases: [(&[u8], &str); 5] = [
            (&xlsx, "Excel .xlsx"),
            (
                b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00",
                "old Excel .xls",
            ),
            (b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n", "PDF"),
            (b"\x1F\x8B\x08\x00\x00\x00\x00\x00", "gzip"),
            (b"id,amount\n1,2\x00\x00\x013\n", "NUL bytes"),
        ];
        for (bytes, what) in cases {
            for size in [1, 1000] {
                let e = read_sized(None, bytes, size).unwrap_err();
                assert_eq!(e.code, ErrorCode::UnsupportedEncoding);
                assert!(e.message.contains(what), "{what}: {}", e.message);
            }
        }
        assert!(read_sized(None, &xlsx, 2)
            .unwrap_err()
            .message
            .contains("export it as CSV"));
        // A NUL after the first 8 KiB is not looked for: it ends up inside a field.
        let mut late = b"id,amount\n".to_vec();
        while late.len() < ENCODING_SAMPLE_BYTES + 10 {
            late.extend_from_slice(b"1,2\n");
        }
        late.extend_from_slice(b"3,\x004\n");
        assert!(read_chunks(None, &[&late]).is_ok());
        // Mostly control characters.
        let controls = vec![0x01u8; 100];
        assert_eq!(
            read(Some(b','), b"a,b\n\x1A").records.len(),
            1,
            "a DOS end-of-file mark is tolerated"
        );
        assert!(read_chunks(None, &[&controls]).is_err());
    }

    #[test]
    fn a_field_over_one_mebibyte_is_skipped_and_reported() {
        let mut bytes = b"id,note,amount\n1,short,2\n2,\"".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES / 2));
        bytes.extend_from_slice(b"\n");
        bytes.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES / 2 + 1));
        bytes.extend_from_slice(b"\",3\n3,fine,4\n");
        let whole = read(None, &bytes);
        assert_eq!(lines(&whole), vec![1, 2, 3, 5]);
        let bad = &whole.records[2];
        assert!(bad.fields.is_empty());
        let e = bad.error.as_ref().unwrap();
        assert_eq!(e.code, ErrorCode::MalformedRow);
        assert!(
            e.message.starts_with("line 3: a field longer than 1 MiB"),
            "{}",
            e.message
        );
        assert_eq!((e.line, e.column), (Some(3), Some(2)));
        assert_eq!(fields(&whole)[3], vec!["3", "fine", "4"]);
        assert_eq!(whole.count, 4);
        for size in [1000, 65536, 1 << 20] {
            assert_eq!(read_sized(None, &bytes, size).unwrap(), whole, "{size}");
        }
        // Split on every position around the limit.
        let limit_at = bytes.len() - 22 - MAX_RECORD_BYTES / 2;
        for at in limit_at - 3..limit_at + 3 {
            let (a, b) = bytes.split_at(at);
            assert_eq!(read_chunks(None, &[a, b]).unwrap(), whole);
        }
    }

    #[test]
    fn a_field_of_exactly_one_mebibyte_is_kept() {
        let mut bytes = b"note\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'y', MAX_RECORD_BYTES));
        bytes.extend_from_slice(b"\n");
        for size in [4096, 1 << 20, 1 << 21] {
            let o = read_sized(Some(b','), &bytes, size).unwrap();
            assert_eq!(o.records.len(), 2);
            assert_eq!(o.records[1].fields[0].len(), MAX_RECORD_BYTES);
            assert!(o.records[1].error.is_none());
        }
        // Without the final newline, at the end of the file.
        let o = read(Some(b','), &bytes[..bytes.len() - 1]);
        assert_eq!(o.records[1].fields[0].len(), MAX_RECORD_BYTES);
        // One more byte is too long, also at the end of the file.
        bytes.insert(10, b'y');
        let o = read(Some(b','), &bytes[..bytes.len() - 1]);
        let e = o.records[1].error.as_ref().unwrap();
        assert!(e.message.contains("a field longer than 1 MiB"));
    }

    #[test]
    fn a_row_over_one_mebibyte_of_short_fields_is_reported_as_a_row() {
        let mut bytes = b"a,b,c\n".to_vec();
        for _ in 0..3 {
            bytes.extend(std::iter::repeat_n(b'z', 400_000));
            bytes.push(b',');
        }
        bytes.extend_from_slice(b"\n1,2,3\n");
        let o = read(None, &bytes);
        assert_eq!(lines(&o), vec![1, 2, 3]);
        let e = o.records[1].error.as_ref().unwrap();
        assert!(
            e.message.starts_with("line 2: a row longer than 1 MiB"),
            "{}",
            e.message
        );
        assert_eq!(e.column, None);
    }

    #[test]
    fn more_than_ten_thousand_fields_is_a_record_error() {
        let row = |n: usize| vec!["1"; n].join(",");
        let text = format!(
            "a,b\n{}\n{}\n{}",
            row(MAX_FIELDS),
            row(MAX_FIELDS + 1),
            row(2)
        );
        let o = read(Some(b','), text.as_bytes());
        assert_eq!(o.records.len(), 4);
        assert_eq!(o.records[1].fields.len(), MAX_FIELDS);
        assert!(o.records[1].error.is_none());
        let e = o.records[2].error.as_ref().unwrap();
        assert!(
            e.message
                .starts_with("line 3: more than 10,000 fields in one row"),
            "{}",
            e.message
        );
        assert_eq!(o.records[3].fields.len(), 2);
        assert_eq!(lines(&o), vec![1, 2, 3, 4]);
        // Also when the file ends inside the record, and when it is much longer.
        let text = format!("a,b\n{}", row(3 * MAX_FIELDS));
        for size in [7, 4096, 1 << 20] {
            let o = read_sized(Some(b','), text.as_bytes(), size).unwrap();
            assert!(o.records[1].error.is_some());
        }
    }

    #[test]
    fn the_sink_can_stop_the_reader() {
        let mut reader = Reader::new(None);
        let mut seen = Vec::new();
        let mut sink = |r: Record<'_>| {
            if r.line() == 3 {
                return Err(Error::new(ErrorCode::Cancelled, "cancelled"));
            }
            seen.push(r.line());
            Ok(())
        };
        let e = reader
            .feed(b"a,b\n1,2\n3,4\n5,6\n", &mut sink)
            .and_then(|()| reader.finish(&mut sink))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Cancelled);
        assert_eq!(reader.records(), 3);
        assert_eq!(
            reader.feed(b"7,8\n", &mut sink).unwrap_err().code,
            ErrorCode::Cancelled
        );
        assert_eq!(
            reader.finish(&mut sink).unwrap_err().code,
            ErrorCode::Cancelled
        );
        assert_eq!(seen, vec![1, 2]);
        // Stopping in the middle of a chunk, after the head.
        let mut text = String::from("id,amount\n");
        for i in 0..5000 {
            text.push_str(&format!("{i},1\n"));
        }
        let mut reader = Reader::new(Some(b','));
        let mut n = 0;
        let e = reader
            .feed(text.as_bytes(), &mut |_| {
                n += 1;
                if n == 4000 {
                    Err(Error::new(ErrorCode::MalformedRow, "strict"))
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        assert_eq!(e.message, "strict");
        assert_eq!(n, 4000);
    }

    #[test]
    fn feeding_after_finish_is_an_error_and_finish_is_idempotent() {
        let mut reader = Reader::new(None);
        let mut sink = |_: Record<'_>| Ok(());
        reader.feed(b"a,b\n1,2", &mut sink).unwrap();
        reader.finish(&mut sink).unwrap();
        reader.finish(&mut sink).unwrap();
        assert_eq!(reader.records(), 2);
        assert_eq!(
            reader.feed(b"x", &mut sink).unwrap_err().code,
            ErrorCode::Internal
        );
    }

    #[test]
    fn five_megabytes_in_64_kib_chunks_keep_the_buffers_small() {
        let mut text = String::from(
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\r\n",
        );
        let mut rows = 0u64;
        while text.len() < 5_000_000 {
            text.push_str(&format!(
                "{},85123A,\"WHITE HANGING HEART T-LIGHT HOLDER, {}\",6,12/1/2010 8:26,2.55,{},United Kingdom\r\n",
                536365 + rows,
                rows % 97,
                17850 + rows % 4000
            ));
            rows += 1;
        }
        let bytes = text.as_bytes();
        let mut reader = Reader::new(None);
        let mut count = 0u64;
        let mut last_line = 0;
        let mut peak = 0;
        let mut sink = |r: Record<'_>| {
            assert_eq!(r.len(), 8);
            assert!(r.line() > last_line);
            last_line = r.line();
            count += 1;
            Ok(())
        };
        for chunk in bytes.chunks(64 * 1024) {
            reader.feed(chunk, &mut sink).unwrap();
            peak = peak.max(reader.buffer_capacity());
        }
        reader.finish(&mut sink).unwrap();
        assert_eq!(count, rows + 1);
        assert_eq!(last_line, rows + 1);
        assert_eq!(reader.records(), rows + 1);
        assert_eq!(reader.bytes_read(), bytes.len() as u64);
        assert_eq!(reader.delimiter(), Some(b','));
        assert!(peak <= 8 * 1024, "peak buffer {peak} bytes");
    }

    #[test]
    fn the_head_buffer_is_bounded_by_the_sniff_sample() {
        // Long lines: 21 lines never fit, so sniffing stops at 64 KiB.
        let mut text = String::from("a;b\n");
        for _ in 0..100 {
            text.push_str(&format!("{};1\n", "w".repeat(5000)));
        }
        let mut reader = Reader::new(None);
        let mut peak = 0;
        let mut sink = |_: Record<'_>| Ok(());
        for chunk in text.as_bytes().chunks(1000) {
            reader.feed(chunk, &mut sink).unwrap();
            peak = peak.max(reader.buffer_capacity());
        }
        reader.finish(&mut sink).unwrap();
        assert_eq!(reader.delimiter(), Some(b';'));
        assert_eq!(reader.records(), 101);
        assert!(peak <= SNIFF_SAMPLE_BYTES + 16 * 1024, "peak {peak}");
        // A huge field is skipped, not kept: at most 1 MiB + 1 byte of output.
        let mut reader = Reader::new(Some(b','));
        let mut peak = 0;
        let mut errors = 0;
        let mut sink = |r: Record<'_>| {
            errors += usize::from(r.error().is_some());
            Ok(())
        };
        reader.feed(b"a,b\n1,\"", &mut sink).unwrap();
        let block = vec![b'q'; 64 * 1024];
        for _ in 0..64 {
            reader.feed(&block, &mut sink).unwrap();
            peak = peak.max(reader.buffer_capacity());
        }
        reader.feed(b"\"\n2,3\n", &mut sink).unwrap();
        reader.finish(&mut sink).unwrap();
        assert_eq!((errors, reader.records()), (1, 3));
        assert!(peak <= MAX_RECORD_BYTES + 64 * 1024, "peak {peak}");
    }
}
