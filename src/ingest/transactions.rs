//! A transactions file, fed in chunks, becomes a [`Dataset`] plus an [`IngestReport`] that accounts
//! for every row: accepted + rejected = total, with the first rejected rows' line, column and reason.
//!
//! Policies (each row is one order line):
//!
//! - **Formats.** The first 1,000 data rows are held back while the date order (d/m vs m/d) and the
//!   decimal separator are inferred from them; they are then processed in file order, so error
//!   examples stay in file order and strict mode stops at the first bad row. Ambiguous slash dates
//!   keep rows held until a value proves the order (a day above 12), also after the first 1,000
//!   rows; a file that never proves it (and has no `dateFormat`) is refused with `AMBIGUOUS_DATE`,
//!   and so is a file whose first rows prove *both* orders (`13/01/2011` and `01/13/2011`): set
//!   `dateFormat`, and the rows written the other way become `INVALID_DATE` row errors. Amounts
//!   that prove both separators are read each by its own form, with a `DECIMAL_SEPARATOR_MIXED`
//!   warning; ambiguous ones (`1,234`) with no separator proved are read with a decimal point and a
//!   `DECIMAL_SEPARATOR_ASSUMED` warning. Only the mapped columns are kept while rows are held.
//! - **Amounts.** A line's amount is quantity × unit price when both cells are filled; otherwise
//!   the amount column. So when a file has an amount column *and* quantity and unit price (a
//!   Shopify export: "Total" on the order's first row only, with shipping, taxes and discounts),
//!   the line items count, and the report warns `LINE_ITEM_AMOUNTS`; map `unitPrice: null` to use
//!   the amount column instead.
//! - **Order continuation rows.** A row whose customer, date or status cell is empty takes them
//!   from the previous row when both have the same order id (Shopify writes them on the order's
//!   first line only). Lines of one order must be consecutive for this; elsewhere an empty cell is
//!   an error as usual.
//! - **Customer.** The customer id column; where its cell is empty (or only zeros: WooCommerce
//!   guests are customer 0), the email column when both are mapped (Stripe and WooCommerce guest
//!   payments). A row with neither is rejected (`MISSING_FIELD`).
//! - **Returns and cancellations** (`returnRows`, policy `returns`): a *reversal* row has a negative
//!   amount or quantity, or a cancelled-invoice order id (`C` and digits, as in the UCI file);
//!   under `net` (the default) it is kept with a negative amount and quantity (a positive amount
//!   is negated), so revenue is net of returns. A *reversed sale* is a row whose status says the
//!   sale was cancelled or refunded in full (`refunded`, `cancelled`, `returned`, `reversed`,
//!   `chargeback`; not `partially_refunded`) with no negative amount: the export shows the sale
//!   and not its refund, so under `net` it is kept with amount and quantity 0 and marks its order
//!   as a return. Under `drop` both are left out of the dataset. Either way they are accepted rows.
//! - **Failed payments** (`failedRows`): a row whose status says no money moved (`failed`,
//!   `declined`, `voided`, `expired`, `abandoned`, `uncaptured`, `incomplete`, `draft`) is not revenue under
//!   either policy: it is an accepted row, left out of the dataset, and not checked further.
//! - **Duplicates.** A line that repeats an earlier line of the same (consecutive) order exactly is
//!   kept — a product can be bought twice in one order — and counted in a `DUPLICATE_LINES`
//!   warning, as a file exported twice would show the same.
//! - **Conflicts.** A line whose order id already belongs to another customer or another day is
//!   rejected (`CONFLICTING_FIELDS`, at the customer or date column).
//!
//! Memory: the reader keeps one record; this ingest keeps the held rows (the sample, bounded by
//! [`MAX_HELD_ROWS`]), the current order's context, and what the [`DatasetBuilder`] keeps.

use std::collections::{BTreeMap, VecDeque};
use std::hash::{Hash, Hasher};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::amounts::{parse_quantity, AmountParser, DecimalSeparator};
use super::dates::{format_day, parse_iso_day, DateOrder, DateParser};
use super::mapping::{auto_map, ColumnRef, Mapping, Role};
use super::reader::{field_count_error, Reader, Record};
use super::rows::{RowCounts, RowLog};
use crate::dataset::{same_text, trim, Dataset, DatasetBuilder, Day, LineInput, TextKey};
use crate::error::{Error, ErrorCode, Result, Warning};
use crate::input::{reject_unknown, Unknown};

mod parts;

/// Rows looked at before the date order and decimal separator are fixed (more while dates stay ambiguous).
const SAMPLE_ROWS: usize = 1_000;
/// Ambiguous d/m vs m/d dates may hold back at most this many rows before the file is refused.
pub const MAX_HELD_ROWS: usize = 200_000;
/// Lines of the current order remembered to notice exact repeats.
const MAX_TRACKED_LINES: usize = 1_000;

/// Status words of a payment that never completed: not revenue.
const FAILED_WORDS: [&str; 8] = ["fail", "declin", "void", "expired", "abandon", "uncaptured", "incomplete", "draft"];
/// Status words of a sale that was reversed in full.
const REVERSED_WORDS: [&str; 5] = ["cancel", "refund", "return", "reversed", "chargeback"];

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
    /// Today's date, "YYYY-MM-DD": orders dated after it get a `FUTURE_DATES` warning (the JS API
    /// passes the computer's date unless given; without it there is no such check).
    pub today: Option<String>,
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
    /// Accepted rows left out because their status says the payment failed (see the module docs).
    pub failed_rows: u64,
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
    /// How many parts the file was read in: 1, or 2 and more when a worker read the last part
    /// (and pieces before it), joined to this ingest's.
    pub parts: u32,
}

/// A row's mapped fields packed into one string (the other columns are not kept).
struct Packed {
    text: String,
    ends: Vec<usize>,
}

impl Packed {
    fn new(fields: &[&str], used: &[usize]) -> Packed {
        let mut text = String::new();
        let mut ends = Vec::with_capacity(used.len());
        for &i in used {
            text.push_str(fields.get(i).copied().unwrap_or(""));
            ends.push(text.len());
        }
        Packed { text, ends }
    }

    /// The row again, `width` fields wide, with "" in the columns not kept.
    fn fields(&self, width: usize, used: &[usize]) -> Vec<&str> {
        let mut fields = vec![""; width];
        let mut start = 0;
        for (&i, &end) in used.iter().zip(&self.ends) {
            if let Some(slot) = fields.get_mut(i) {
                *slot = self.text.get(start..end).unwrap_or("");
            }
            start = end;
        }
        fields
    }
}

/// A data row held back while the date order or decimal separator is still being inferred.
struct HeldRow {
    line: u64,
    row: Result<Packed>,
}

/// Columns resolved once from the mapping.
#[derive(Debug, Clone, Copy, Default)]
struct Columns {
    customer: usize,
    /// The email column when the customer column is a customer id (a fallback for empty ids).
    email: Option<usize>,
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

impl Columns {
    /// The columns read, ascending.
    fn used(&self) -> Vec<usize> {
        let optional = [
            self.email,
            self.order_id,
            self.amount,
            self.quantity,
            self.unit_price,
            self.product,
            self.product_name,
            self.category,
            self.channel,
            self.status,
        ];
        let mut used: Vec<usize> = [self.customer, self.date].into_iter().chain(optional.into_iter().flatten()).collect();
        used.sort_unstable();
        used.dedup();
        used
    }
}

/// Where the lean path ([`State::take_plain`]) finds a row's fields: files with an order id and an
/// amount column, and no email, unit price, product name or status column (the usual export).
#[derive(Debug, Clone, Copy)]
struct Lane {
    width: usize,
    customer: usize,
    order_id: usize,
    date: usize,
    amount: usize,
    quantity: Option<usize>,
    product: Option<usize>,
    category: Option<usize>,
    channel: Option<usize>,
}

impl Lane {
    fn of(c: &Columns, width: usize) -> Option<Lane> {
        if c.email.is_some() || c.unit_price.is_some() || c.product_name.is_some() || c.status.is_some() {
            return None;
        }
        Some(Lane {
            width,
            customer: c.customer,
            order_id: c.order_id?,
            date: c.date,
            amount: c.amount?,
            quantity: c.quantity,
            product: c.product,
            category: c.category,
            channel: c.channel,
        })
    }
}

/// The trimmed field `i` of a record valid as UTF-8 as a whole.
#[inline(always)]
fn plain_field<'r>(record: &Record<'r>, i: usize) -> Option<&'r str> {
    record.whole_text_field(i).map(trim)
}

/// The trimmed field of an optional column: `Some(None)` when unmapped or empty.
#[inline(always)]
fn plain_optional<'r>(record: &Record<'r>, i: Option<usize>) -> Option<Option<&'r str>> {
    match i {
        None => Some(None),
        Some(i) => plain_field(record, i).map(|s| (!s.is_empty()).then_some(s)),
    }
}

/// What a status cell says about the row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Status {
    #[default]
    Sale,
    /// Cancelled or refunded in full.
    Reversed,
    /// The payment never completed.
    Failed,
}

/// The previous row's order: what its continuation rows inherit, and its lines (to spot repeats).
/// Its buffers are reused from order to order, so a row allocates nothing here.
#[derive(Default)]
struct OrderContext {
    id: TextKey,
    status: Status,
    customer: Option<String>,
    day: Option<Day>,
    /// Its kept lines as compared for repeats (the first [`MAX_TRACKED_LINES`]).
    lines: Vec<LineKey>,
}

/// A parsed row.
enum Parsed<'a> {
    /// A failed payment: accepted, not in the dataset.
    Failed,
    Line { input: LineInput<'a>, is_return: bool, status: Status },
}

impl OrderContext {
    /// Starts order `id` in this context's buffers.
    fn restart(&mut self, id: &str) {
        self.id.set(id);
        self.lines.clear();
    }

    /// Notes a kept line of the order; true when it repeats an earlier one.
    fn note_line(&mut self, key: LineKey) -> bool {
        let repeat = self.lines.contains(&key);
        if !repeat && self.lines.len() < MAX_TRACKED_LINES {
            self.lines.push(key);
        }
        repeat
    }
}

/// What an accepted row leaves for the next row of its order.
struct Seen {
    status: Status,
    day: Option<Day>,
    /// The line, as compared for repeats, when it went into the dataset.
    line: Option<LineKey>,
}

/// How the order context's customer changes with a row.
enum CustomerUpdate {
    Keep,
    Set(String),
    Clear,
}

impl Seen {
    /// What `parsed` leaves; `kept` is the product number of its line when it went into the dataset.
    fn of(parsed: &Parsed<'_>, kept: Option<Option<u32>>) -> Self {
        match parsed {
            Parsed::Failed => Seen { status: Status::Failed, day: None, line: None },
            Parsed::Line { input, status, .. } => Seen {
                status: *status,
                day: Some(input.day),
                line: kept.map(|product| LineKey::of(input, product)),
            },
        }
    }
}

/// A kept line as compared for exact repeats within its order: its product (by number, so by
/// text), product name (hashed), quantity (given or not) and amount. Decimals compare by value:
/// `1.50` repeats `1.5`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LineKey {
    product: Option<u32>,
    /// FxHash of the product name cell; 0 without one.
    name: u64,
    quantity: Option<Decimal>,
    amount: Decimal,
}

impl LineKey {
    /// The key of `input`, whose product the dataset numbered `product`.
    fn of(input: &LineInput<'_>, product: Option<u32>) -> Self {
        let name = input.product_name.map_or(0, |name| {
            let mut hasher = rustc_hash::FxHasher::default();
            name.hash(&mut hasher);
            hasher.finish()
        });
        LineKey { product, name, quantity: input.quantity, amount: input.amount }
    }
}

/// The streaming ingest: `feed` chunks, then `finish`.
pub struct TransactionIngest {
    reader: Reader,
    state: State,
    /// The input's length told before the rows could say how dense they are ([`Self::expect_bytes`]):
    /// room is made for it as soon as they can, while the vectors are still small to copy.
    expected: Option<u64>,
}

/// While room waits to be made ([`TransactionIngest::expected`]), chunks are read in steps this long.
const EXPECT_STEP: usize = 64 << 10;

struct State {
    options: Settings,
    header: Option<Vec<String>>,
    columns: Columns,
    /// `columns.used()`, kept for packing held rows.
    used: Vec<usize>,
    dates: DateParser,
    amounts: AmountParser,
    held: VecDeque<HeldRow>,
    /// True once the first sample of rows has been released.
    sampled: bool,
    /// An empty field list whose allocation the next row reuses.
    scratch: Vec<&'static str>,
    /// A buffer for the next customer name the order context keeps (so rows allocate none).
    spare_customer: String,
    context: Option<OrderContext>,
    /// Set from the header when the file's columns allow the lean path (and it is allowed: tests
    /// compare it with the general path).
    lane: Option<Lane>,
    lane_allowed: bool,
    duplicate_lines: u64,
    builder: DatasetBuilder,
    log: RowLog,
    report: IngestReport,
    /// For the ingest of a later part of a file: what its formats were when it started.
    part_key: Option<String>,
    /// Lines per byte and orders per line of the rows a part's ingest forgot (`expect_bytes`).
    density: Option<(f64, f64)>,
}

#[derive(Debug, Clone)]
struct Settings {
    overrides: Vec<(Role, ColumnRef)>,
    returns: ReturnPolicy,
    auto_separator: bool,
    today: Option<Day>,
}

pub(crate) fn parse_delimiter(value: Option<&str>) -> Result<Option<u8>> {
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

pub(crate) fn delimiter_name(d: Option<u8>) -> String {
    match d {
        Some(b'\t') => "tab".into(),
        Some(b) => char::from(b).to_string(),
        None => String::new(),
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// 1-based column number of the 0-based index `i`.
fn column_number(i: usize) -> u64 {
    u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1)
}

fn overrides_of(options: &IngestOptions) -> Vec<(Role, ColumnRef)> {
    options
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
        .collect()
}

impl TransactionIngest {
    pub fn new(options: &IngestOptions) -> Result<Self> {
        reject_unknown("", &options.unknown)?;
        let delimiter = parse_delimiter(options.delimiter.as_deref())?;
        let returns = options.returns.unwrap_or_default();
        let separator = options.decimal_separator.unwrap_or_default();
        let today = match options.today.as_deref() {
            None => None,
            Some(text) => Some(parse_iso_day(text.trim()).ok_or_else(|| {
                Error::new(ErrorCode::InvalidDate, format!("today must be a date like 2024-12-31 (got {text:?})")).with_field("today")
            })?),
        };
        let settings = Settings {
            overrides: overrides_of(options),
            returns,
            auto_separator: separator == DecimalSeparator::Auto,
            today,
        };
        Ok(TransactionIngest {
            reader: Reader::new(delimiter),
            state: State {
                options: settings,
                header: None,
                columns: Columns::default(),
                used: Vec::new(),
                dates: DateParser::new(options.date_format.unwrap_or_default()),
                amounts: AmountParser::new(separator),
                held: VecDeque::new(),
                sampled: false,
                scratch: Vec::new(),
                spare_customer: String::new(),
                context: None,
                lane: None,
                lane_allowed: true,
                duplicate_lines: 0,
                builder: DatasetBuilder::new(),
                log: RowLog::new(options.strict.unwrap_or(false), options.max_error_examples),
                report: IngestReport { returns, ..IngestReport::default() },
                part_key: None,
                density: None,
            },
            expected: None,
        })
    }

    /// Reads one chunk of the file (any size, split anywhere).
    pub fn feed(&mut self, mut chunk: &[u8]) -> Result<()> {
        // Room for an expected length is made between steps, as soon as the rows allow.
        while let Some(bytes) = self.expected.filter(|_| chunk.len() > EXPECT_STEP) {
            let (step, rest) = chunk.split_at(EXPECT_STEP);
            self.feed_all(step)?;
            chunk = rest;
            self.expect_bytes(bytes);
        }
        self.feed_all(chunk)
    }

    fn feed_all(&mut self, chunk: &[u8]) -> Result<()> {
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
        let warnings = state.final_warnings();
        let dataset = state.builder.finish()?;
        let mut report = state.report;
        report.warnings.extend(warnings);
        report.warnings.extend(state.options.today.and_then(|today| future_dates(&dataset, today)));
        report.rows = state.log.counts;
        report.bytes = self.reader.bytes_read();
        report.delimiter = delimiter_name(self.reader.delimiter());
        report.date_format = state.dates.resolved();
        report.decimal_separator = state.amounts.resolved();
        report.customers = count(dataset.customers.len());
        report.orders = count(dataset.orders.len());
        report.lines = count(dataset.line_count());
        report.parts = report.parts.max(1);
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
        if let Some(lane) = self.lane.filter(|_| self.sampled && self.held.is_empty()) {
            if let Some(result) = self.take_plain(&lane, record) {
                return result;
            }
        }
        let line = record.line();
        let fields = self.row_fields(record);
        if let Ok(fields) = &fields {
            self.observe(fields);
        }
        let result = if self.sampled && self.held.is_empty() && !self.dates.needs_order() {
            match &fields {
                Ok(f) => self.accept(line, f),
                Err(e) => self.reject(e.clone()),
            }
        } else {
            let row = fields.as_ref().map(|f| Packed::new(f, &self.used)).map_err(Clone::clone);
            self.held.push_back(HeldRow { line, row });
            self.release_held(false)
        };
        if let Ok(fields) = fields {
            self.recycle(fields);
        }
        result
    }

    /// The lean path for the usual row, a sale line of an order with every field readable: what
    /// [`Self::accept`] does with it, without its generality. `None` when the row is anything
    /// else (nothing done then: the general path takes it).
    #[inline(always)]
    fn take_plain(&mut self, lane: &Lane, record: &Record<'_>) -> Option<Result<()>> {
        if record.len() != lane.width {
            return None;
        }
        let raw_date = record.whole_text_field(lane.date)?;
        // The general path would look at the date for evidence of the day/month order.
        if (self.dates.resolved().is_none() && !DateParser::proves_nothing(raw_date)) || self.dates.needs_order() {
            return None;
        }
        let id = plain_field(record, lane.order_id)?;
        let customer = plain_field(record, lane.customer)?;
        let date = trim(raw_date);
        if id.is_empty() || customer.is_empty() || date.is_empty() || is_cancellation_id(id) {
            return None;
        }
        let day = self.dates.parse(date).ok()?;
        let quantity = match plain_optional(record, lane.quantity)? {
            None => None,
            Some(raw) => Some(parse_quantity(raw).ok().filter(|q| !is_negative(*q))?),
        };
        let amount = self.amounts.parse(plain_field(record, lane.amount)?).ok().filter(|a| !is_negative(*a))?;
        let input = LineInput {
            customer,
            order_id: Some(id),
            day,
            amount,
            quantity,
            product: plain_optional(record, lane.product)?,
            product_name: None,
            category: plain_optional(record, lane.category)?,
            channel: plain_optional(record, lane.channel)?,
            cancelled: false,
        };
        if let Err(e) = self.builder.add_line(&input) {
            let e = self.dataset_error(record.line(), e);
            return Some(self.reject(e));
        }
        self.log.accept();
        let key = LineKey::of(&input, self.builder.last_product());
        let context = match self.context.as_mut() {
            Some(context) if context.id.is(id) => context,
            _ => {
                let context = self.context.get_or_insert_with(OrderContext::default);
                context.restart(id);
                context
            }
        };
        if context.note_line(key) {
            self.duplicate_lines = self.duplicate_lines.saturating_add(1);
        }
        context.status = Status::Sale;
        context.day = Some(day);
        match &mut context.customer {
            Some(kept) if same_text(kept, customer) => {}
            Some(kept) => {
                kept.clear();
                kept.push_str(customer);
            }
            None => context.customer = Some(customer.to_owned()),
        }
        Some(Ok(()))
    }

    /// Keeps a row's field list for the next row, so rows allocate none (`row_fields`).
    fn recycle(&mut self, mut fields: Vec<&str>) {
        fields.clear();
        // Collecting an emptied vector into one of another lifetime reuses its allocation.
        self.scratch = fields.into_iter().map(|_| "").collect();
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
        self.used = self.columns.used();
        self.lane = Lane::of(&self.columns, headers.len()).filter(|_| self.lane_allowed);
        if let Some(warning) = line_item_warning(&mapping) {
            self.report.warnings.push(warning);
        }
        self.report.headers = headers.clone();
        self.report.mapping = Some(mapping);
        self.header = Some(headers);
        Ok(())
    }

    /// The row's fields as text ("" in the columns the ingest does not read, which are not
    /// checked), or the reason the whole row is unreadable.
    fn row_fields<'r>(&mut self, record: &Record<'r>) -> Result<Vec<&'r str>> {
        if let Some(e) = record.error() {
            return Err(e.clone());
        }
        let expected = self.header.as_ref().map_or(0, Vec::len);
        if record.len() != expected {
            return Err(field_count_error(record.line(), record.len(), expected));
        }
        let mut fields: Vec<&'r str> = std::mem::take(&mut self.scratch).into_iter().collect();
        fields.resize(expected, "");
        record.texts_into(&self.used, &mut fields)?;
        Ok(fields)
    }

    /// Evidence for the formats: dates from every row of the first sample (to catch files that
    /// prove both orders), then while the order is unknown; amounts from the first sample.
    fn observe(&mut self, fields: &[&str]) {
        if !self.sampled || self.dates.resolved().is_none() {
            if let Some(date) = fields.get(self.columns.date) {
                self.dates.observe(date);
            }
        }
        if self.sampled {
            return;
        }
        for column in [self.columns.amount, self.columns.unit_price].into_iter().flatten() {
            if let Some(value) = fields.get(column) {
                self.amounts.observe(value);
            }
        }
    }

    /// Processes the held rows once the formats are known (or at the end of the file, `at_end`).
    fn release_held(&mut self, at_end: bool) -> Result<()> {
        if self.dates.resolved().is_none() && self.dates.conflict() {
            return Err(conflicting_dates(&self.dates));
        }
        if self.dates.needs_order() {
            if at_end || self.held.len() >= MAX_HELD_ROWS {
                return Err(ambiguous_dates(self.held.len()));
            }
            return Ok(());
        }
        if !(self.sampled || at_end || self.held.len() >= SAMPLE_ROWS) {
            return Ok(());
        }
        self.sampled = true;
        let width = self.header.as_ref().map_or(0, Vec::len);
        while let Some(held) = self.held.pop_front() {
            match held.row {
                Ok(packed) => self.accept(held.line, &packed.fields(width, &self.used))?,
                Err(e) => self.reject(e)?,
            }
        }
        Ok(())
    }

    /// The context of the previous row, taken out when this row continues the same order.
    fn take_context(&mut self, order_id: Option<&str>) -> Option<OrderContext> {
        match (&self.context, order_id) {
            (Some(context), Some(id)) if context.id.is(id) => self.context.take(),
            _ => None,
        }
    }

    fn accept(&mut self, line: u64, fields: &[&str]) -> Result<()> {
        let order_id = optional(fields, self.columns.order_id);
        let context = self.take_context(order_id);
        let parsed = match self.parse_row(line, fields, order_id, context.as_ref()) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.context = context.or(self.context.take());
                return self.reject(e);
            }
        };
        let stored = match &parsed {
            Parsed::Failed => self.store_failed(),
            Parsed::Line { input, is_return, .. } => self.store_line(line, input, *is_return)?,
        };
        let Some(kept) = stored else {
            // Rejected by the dataset: the previous row's context still stands.
            self.context = context.or(self.context.take());
            return Ok(());
        };
        if let Some(id) = order_id {
            let seen = Seen::of(&parsed, kept.then(|| self.builder.last_product()));
            // The customer is copied only when it changes (so not on every row).
            let kept_customer = context.as_ref().or(self.context.as_ref()).and_then(|c| c.customer.as_deref());
            let customer = match &parsed {
                Parsed::Line { input, .. } if kept_customer.is_some_and(|kept| same_text(input.customer, kept)) => CustomerUpdate::Keep,
                Parsed::Line { input, .. } => {
                    // Copied into the spare buffer (the context hands its old one back).
                    let mut name = std::mem::take(&mut self.spare_customer);
                    name.clear();
                    name.push_str(input.customer);
                    CustomerUpdate::Set(name)
                }
                Parsed::Failed => CustomerUpdate::Clear,
            };
            self.context = Some(self.next_context(id, seen, customer, context));
        }
        Ok(())
    }

    /// Counts a failed payment; `Some(false)`: accepted, not in the dataset.
    fn store_failed(&mut self) -> Option<bool> {
        self.report.failed_rows = self.report.failed_rows.saturating_add(1);
        self.log.accept();
        Some(false)
    }

    /// Adds a line per the return policy: `Some(true)` when it went into the dataset, `Some(false)`
    /// when it was dropped, `None` when the dataset rejected it (counted as rejected).
    fn store_line(&mut self, line: u64, input: &LineInput<'_>, is_return: bool) -> Result<Option<bool>> {
        let dropped = is_return && self.options.returns == ReturnPolicy::Drop;
        if !dropped {
            if let Err(e) = self.builder.add_line(input) {
                let e = self.dataset_error(line, e);
                self.reject(e)?;
                return Ok(None);
            }
        }
        if is_return {
            self.report.return_rows = self.report.return_rows.saturating_add(1);
        }
        self.log.accept();
        Ok(Some(!dropped))
    }

    /// The context after an accepted row of order `id`; `previous` is the same order's context.
    /// A new order recycles the buffers of the last one's context.
    fn next_context(&mut self, id: &str, seen: Seen, customer: CustomerUpdate, previous: Option<OrderContext>) -> OrderContext {
        let mut context = previous.unwrap_or_else(|| {
            let mut recycled = self.context.take().unwrap_or_default();
            recycled.restart(id);
            recycled
        });
        if seen.line.is_some_and(|key| context.note_line(key)) {
            self.duplicate_lines = self.duplicate_lines.saturating_add(1);
        }
        context.status = seen.status;
        context.day = seen.day;
        match customer {
            CustomerUpdate::Keep => {}
            CustomerUpdate::Set(name) => {
                if let Some(old) = context.customer.replace(name) {
                    self.spare_customer = old;
                }
            }
            CustomerUpdate::Clear => context.customer = None,
        }
        context
    }

    /// A row as a dataset line, or a failed payment.
    fn parse_row<'a>(&self, line: u64, fields: &[&'a str], order_id: Option<&'a str>, context: Option<&'a OrderContext>) -> Result<Parsed<'a>> {
        let c = self.columns;
        let status = match optional(fields, c.status) {
            Some(raw) => status_of(raw),
            None => context.map_or(Status::Sale, |x| x.status),
        };
        if status == Status::Failed {
            return Ok(Parsed::Failed);
        }
        let customer = self.customer(line, fields, context)?;
        let day = self.day(line, fields, context)?;
        let quantity = self.quantity(line, fields)?;
        let amount = self.line_amount(line, fields, quantity)?;
        let cancelled_invoice = order_id.is_some_and(is_cancellation_id);
        let reversal = cancelled_invoice || is_negative(amount) || quantity.is_some_and(is_negative);
        let reversed_sale = !reversal && status == Status::Reversed;
        let (amount, quantity) = if reversal {
            (negative_of(amount), Some(negative_of(quantity.unwrap_or(Decimal::ONE))))
        } else if reversed_sale {
            (Decimal::ZERO, Some(Decimal::ZERO))
        } else {
            (amount, quantity)
        };
        let input = LineInput {
            customer,
            order_id,
            day,
            amount,
            quantity,
            product: optional(fields, c.product),
            product_name: optional(fields, c.product_name),
            category: optional(fields, c.category),
            channel: optional(fields, c.channel),
            cancelled: cancelled_invoice || status == Status::Reversed,
        };
        Ok(Parsed::Line { input, is_return: reversal || reversed_sale, status })
    }

    /// The customer id; else the order's customer from its previous row; else the email. With an
    /// email column, an id of zeros is a guest placeholder (WooCommerce writes 0) and counts as empty.
    fn customer<'a>(&self, line: u64, fields: &[&'a str], context: Option<&'a OrderContext>) -> Result<&'a str> {
        let c = self.columns;
        let found = optional(fields, Some(c.customer))
            .filter(|id| c.email.is_none() || !is_zero_id(id))
            .or_else(|| context.and_then(|x| x.customer.as_deref()))
            .or_else(|| optional(fields, c.email));
        found.ok_or_else(|| {
            let what = if c.email.is_some() { "no customer id or email" } else { "no customer id" };
            Error::new(ErrorCode::MissingField, format!("line {line}: {what}"))
                .with_field("customerId")
                .at(line, column_number(c.customer))
        })
    }

    /// The row's day; an empty date continues the order of the previous row.
    fn day(&self, line: u64, fields: &[&str], context: Option<&OrderContext>) -> Result<Day> {
        let column = self.columns.date;
        let raw = cell(fields, column);
        if let Some(day) = context.and_then(|x| x.day).filter(|_| raw.is_empty()) {
            return Ok(day);
        }
        self.dates.parse(raw).map_err(|e| cell_error(line, column, "date", e.code(), || e.message(raw)))
    }

    fn quantity(&self, line: u64, fields: &[&str]) -> Result<Option<Decimal>> {
        let Some(column) = self.columns.quantity else {
            return Ok(None);
        };
        let raw = cell(fields, column);
        if raw.is_empty() {
            return Ok(None);
        }
        parse_quantity(raw).map(Some).map_err(|e| cell_error(line, column, "quantity", e.code(), || e.message(raw)))
    }

    /// Quantity × unit price when both are there (or there is no amount column); else the amount.
    fn line_amount(&self, line: u64, fields: &[&str], quantity: Option<Decimal>) -> Result<Decimal> {
        let c = self.columns;
        if let (Some(p), Some(q)) = (c.unit_price, quantity) {
            let raw = cell(fields, p);
            if !raw.is_empty() || c.amount.is_none() {
                let price = self.amount(line, p, raw, "unitPrice")?;
                return price.checked_mul(q).ok_or_else(|| {
                    Error::new(ErrorCode::Overflow, format!("line {line}: quantity × unit price is beyond the exact decimal range"))
                        .with_field("amount")
                        .at(line, column_number(p))
                });
            }
        }
        if let Some(a) = c.amount {
            return self.amount(line, a, cell(fields, a), "amount");
        }
        let Some(p) = c.unit_price else {
            return Err(Error::new(ErrorCode::Internal, "no amount column after mapping"));
        };
        self.amount(line, p, cell(fields, p), "unitPrice")?;
        let column = c.quantity.unwrap_or(p);
        Err(Error::new(ErrorCode::MissingField, format!("line {line}: no quantity to multiply the unit price by"))
            .with_field("quantity")
            .at(line, column_number(column)))
    }

    #[inline]
    fn amount(&self, line: u64, column: usize, raw: &str, field: &str) -> Result<Decimal> {
        self.amounts.parse(raw).map_err(|e| cell_error(line, column, field, e.code(), || e.message(raw)))
    }

    /// A line the dataset refused (its order belongs to another customer or day), placed at the
    /// customer or date column.
    fn dataset_error(&self, line: u64, e: Error) -> Error {
        let column = match e.field.as_deref() {
            Some("date") => self.columns.date,
            _ => self.columns.customer,
        };
        let message = format!("line {line}: {}", e.message);
        Error { message, ..e }.at(line, column_number(column))
    }

    /// Counts a rejected row (or, in strict mode, stops the ingest with its error).
    fn reject(&mut self, e: Error) -> Result<()> {
        let headers = self.header.as_deref().unwrap_or(&[]);
        self.log.reject(e, headers)
    }

    /// Warnings known only at the end: decimal separators, repeated lines.
    fn final_warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let mixed = self.options.auto_separator.then(|| self.amounts.conflict_examples()).flatten();
        if let Some((dot, comma)) = mixed {
            warnings.push(Warning::new(
                "DECIMAL_SEPARATOR_MIXED",
                "decimalSeparator",
                format!(
                    "amounts are written both with a decimal point (\"{dot}\") and with a decimal comma (\"{comma}\"): each was read by its own form, \
                     and amounts that fit both (like 1,234) with a decimal point; set decimalSeparator to \"dot\" or \"comma\" to read them all one way \
                     (the others are then rejected)"
                ),
            ));
        } else if self.amounts.assumed_default() {
            warnings.push(Warning::new(
                "DECIMAL_SEPARATOR_ASSUMED",
                "decimalSeparator",
                "amounts like 1,234 or 1.234 fit both a decimal point and a decimal comma, and no amount in the file told which: they were \
                 read with a decimal point (1,234 as 1234, 1.234 as 1.234); set decimalSeparator to \"comma\" if the file uses decimal commas (1.234,50)",
            ));
        }
        if self.duplicate_lines > 0 {
            let n = self.duplicate_lines;
            let what = if n == 1 { "1 line repeats".to_owned() } else { format!("{n} lines repeat") };
            warnings.push(Warning::new(
                "DUPLICATE_LINES",
                "orderId",
                format!(
                    "{what} an earlier line of the same order exactly (same product, quantity and amount); they were kept, as one order \
                     can hold the same product twice. If the file holds some rows twice, remove the copies and ingest it again"
                ),
            ));
        }
        warnings
    }
}

/// A `FUTURE_DATES` warning when orders are dated after `today` (a misread date format or a typo
/// in a year moves asOf, and with it every customer's T, into the future).
fn future_dates(dataset: &Dataset, today: Day) -> Option<Warning> {
    if dataset.day_range().is_none_or(|(_, last)| last <= today) {
        return None;
    }
    let (n, latest) = dataset
        .orders
        .iter()
        .filter(|o| o.day > today)
        .fold((0u64, today), |(n, latest), o| (n.saturating_add(1), latest.max(o.day)));
    let what = match n {
        0 => return None,
        1 => "1 order is".to_owned(),
        _ => format!("{n} orders are"),
    };
    Some(Warning::new(
        "FUTURE_DATES",
        "date",
        format!(
            "{what} dated after today ({}), the latest {}: check the date column (a year typo, or day and month read the wrong way); \
             asOf defaults to the last order date, so these orders move it",
            format_day(today),
            format_day(latest)
        ),
    ))
}

/// The error of a cell that did not parse (out of line: the row's hot path only branches to it).
#[cold]
#[inline(never)]
fn cell_error(line: u64, column: usize, field: &str, code: ErrorCode, detail: impl FnOnce() -> String) -> Error {
    Error::new(code, format!("line {line}: {}", detail()))
        .with_field(field)
        .at(line, column_number(column))
}

/// The trimmed cell of column `i` ("" past the end).
fn cell<'a>(fields: &[&'a str], i: usize) -> &'a str {
    trim(fields.get(i).copied().unwrap_or(""))
}

/// The trimmed cell of an optional column, `None` when unmapped or empty.
fn optional<'a>(fields: &[&'a str], i: Option<usize>) -> Option<&'a str> {
    i.map(|i| cell(fields, i)).filter(|s| !s.is_empty())
}

fn is_negative(x: Decimal) -> bool {
    x.is_sign_negative() && !x.is_zero()
}

/// −|x|, and an unsigned zero for zero.
fn negative_of(x: Decimal) -> Decimal {
    let mut magnitude = x.abs();
    magnitude.set_sign_negative(!x.is_zero());
    magnitude
}

fn ambiguous_dates(rows: usize) -> Error {
    Error::new(
        ErrorCode::AmbiguousDate,
        format!(
            "dates like 03/04/2011 fit both day/month/year and month/day/year, and none of the {rows} rows held back to find \
             out tells which (a day above 12 would): set the dateFormat option to \"dmy\" or \"mdy\""
        ),
    )
    .with_field("dateFormat")
}

fn conflicting_dates(dates: &DateParser) -> Error {
    let (dmy, mdy) = dates.conflict_examples().unwrap_or(("", ""));
    Error::new(
        ErrorCode::AmbiguousDate,
        format!(
            "the dates are written both day first (\"{dmy}\") and month first (\"{mdy}\"): set the dateFormat option to \"dmy\" \
             or \"mdy\"; the rows written the other way are then rejected"
        ),
    )
    .with_field("dateFormat")
}

/// The `LINE_ITEM_AMOUNTS` warning, when the amount column and quantity × unit price are both mapped.
fn line_item_warning(mapping: &Mapping) -> Option<Warning> {
    let amount = mapping.column(Role::Amount)?;
    let quantity = mapping.column(Role::Quantity)?;
    let price = mapping.column(Role::UnitPrice)?;
    Some(Warning::new(
        "LINE_ITEM_AMOUNTS",
        "mapping.amount",
        format!(
            "the file has both an amount column ({:?}) and quantity × unit price ({:?} × {:?}): each line's amount is its quantity × \
             unit price, and {:?} is used only where those are empty (an order total on an order's first line, as Shopify writes it, \
             would count shipping and taxes and miss the other lines); to use {:?} instead, set mapping: {{ unitPrice: null }}",
            amount.header, quantity.header, price.header, amount.header, amount.header
        ),
    ))
}

/// "0", "00"…: a placeholder customer id.
fn is_zero_id(id: &str) -> bool {
    id.bytes().all(|b| b == b'0')
}

/// UCI-style cancelled invoices: "C" followed by digits (C536379).
fn is_cancellation_id(id: &str) -> bool {
    id.strip_prefix('C').is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// What a status cell says: a failed payment, a sale reversed in full, or a sale.
fn status_of(raw: &str) -> Status {
    let s = raw.to_ascii_lowercase();
    if s.contains("partial") {
        Status::Sale
    } else if FAILED_WORDS.iter().any(|w| s.contains(w)) {
        Status::Failed
    } else if REVERSED_WORDS.iter().any(|w| s.contains(w)) {
        Status::Reversed
    } else {
        Status::Sale
    }
}

fn columns_of(mapping: &Mapping) -> Result<Columns> {
    let missing = |what: &str| Error::new(ErrorCode::MissingColumn, format!("no {what} column was mapped")).with_field("mapping");
    let customer_id = mapping.get(Role::CustomerId);
    let customer = customer_id.or(mapping.get(Role::Email)).ok_or_else(|| missing("customer"))?;
    let date = mapping.get(Role::Date).ok_or_else(|| missing("date"))?;
    let amount = mapping.get(Role::Amount);
    let unit_price = mapping.get(Role::UnitPrice);
    if amount.is_none() && (unit_price.is_none() || mapping.get(Role::Quantity).is_none()) {
        return Err(missing("amount (or quantity and unit price)"));
    }
    Ok(Columns {
        customer,
        email: customer_id.and(mapping.get(Role::Email)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_amounts_give_equal_line_keys_whatever_their_scale() {
        let key = |quantity: Option<&str>, amount: &str| {
            let input = LineInput {
                customer: "c",
                product: Some("p"),
                quantity: quantity.map(|q| q.parse().unwrap()),
                amount: amount.parse().unwrap(),
                ..Default::default()
            };
            LineKey::of(&input, Some(0))
        };
        let wide = "79228162514264337593543950335";
        assert_eq!(key(Some("2"), "1.50"), key(Some("2.000"), "1.5"));
        assert_eq!(key(None, "-0.00"), key(None, "0"));
        assert_eq!(key(None, "100"), key(None, "100.0000000000000000000000"));
        assert_eq!(key(None, "1"), key(None, "1.0000000000000000000000000000"));
        assert_eq!(key(None, wide), key(None, wide));
        assert_ne!(key(None, "1.5"), key(None, "15"));
        assert_ne!(key(None, "-1.5"), key(None, "1.5"));
        assert_ne!(key(Some("1"), "1.5"), key(None, "1.5"));
        assert_ne!(key(None, wide), key(None, "7.9228162514264337593543950335"));
        let named = |name: Option<&str>| LineKey::of(&LineInput { product_name: name, ..Default::default() }, None);
        assert_eq!(named(Some("Mug")), named(Some("Mug")));
        assert_ne!(named(Some("Mug")), named(Some("Cup")));
        assert_ne!(named(Some("Mug")), named(None));
    }

    /// A file whose first 1,200 rows are plain and whose rest mixes every kind of row the lean
    /// path hands to the general one, or must treat as the general path does.
    fn mixed_file(seed: u64) -> Vec<u8> {
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let mut out = b"order_id,customer_id,date,amount,quantity,product_id,category,channel\n".to_vec();
        let mut order = 1000u64;
        for row in 0..4000u64 {
            if next(3) != 0 {
                order += 1;
            }
            let customer = format!("c{}", order % 97);
            let day = 1 + order % 28;
            let mut id = order.to_string();
            let mut cells = [
                String::new(),
                customer.clone(),
                format!("2023-02-{day:02}"),
                format!("{}.{}", next(50), next(100)),
                (1 + next(3)).to_string(),
                format!("P{}", next(40)),
                format!("k{}", next(5)),
                ["web", "shop", ""][next(3) as usize].to_string(),
            ];
            if row > 1200 {
                match next(40) {
                    0 => id = format!("C{order}"),
                    1 => cells[3] = format!("-{}", cells[3]),
                    2 => cells[4] = "-1".into(),
                    3 => cells[1] = String::new(),
                    4 => cells[2] = String::new(),
                    5 => cells[2] = "2023-02-30".into(),
                    6 => cells[3] = "12.5x".into(),
                    7 => cells[4] = String::new(),
                    8 => cells[5] = " P1 ".into(),
                    9 => cells[1] = format!(" {customer}"),
                    10 => cells[1] = "someone else".into(),
                    11 => cells[2] = "2023-03-01".into(),
                    12 => id = (order - 3).to_string(),
                    13 => cells[6] = String::new(),
                    14 => cells[3] = "\"1,234.50\"".into(),
                    15 => cells[2] = "13/02/2023".into(),
                    16 => {
                        out.extend_from_slice(b"1,2,3\n");
                        continue;
                    }
                    17 => {
                        out.extend_from_slice(b"\xff\xfe,c1,2023-02-01,1,1,P1,k1,web\n");
                        continue;
                    }
                    18 => id = String::new(),
                    _ => {}
                }
                // Repeat the previous line now and then (a repeated line of its order).
                if next(15) == 0 {
                    cells[3] = "7.50".into();
                    cells[4] = "2".into();
                    cells[5] = "P7".into();
                    let repeat = format!("{id},{},2023-02-{day:02},7.5,2.0,P7,k1,web\n", cells[1]);
                    out.extend_from_slice(repeat.as_bytes());
                }
            }
            cells[0] = id;
            out.extend_from_slice(cells.join(",").as_bytes());
            out.push(b'\n');
        }
        out
    }

    fn ingest_mixed(bytes: &[u8], options: &IngestOptions, lane: bool) -> String {
        let run = || -> Result<(Dataset, IngestReport)> {
            let mut ingest = TransactionIngest::new(options)?;
            ingest.state.lane_allowed = lane;
            for chunk in bytes.chunks(4096) {
                ingest.feed(chunk)?;
            }
            ingest.finish()
        };
        match run() {
            Ok((data, report)) => format!("{data:?}\n{report:?}"),
            Err(e) => format!("{e:?}"),
        }
    }

    /// The option sets the differential tests read files under.
    fn option_sets() -> [IngestOptions; 4] {
        [
            IngestOptions::default(),
            IngestOptions { returns: Some(ReturnPolicy::Drop), ..Default::default() },
            IngestOptions { strict: Some(true), ..Default::default() },
            IngestOptions { max_error_examples: Some(1000), ..Default::default() },
        ]
    }

    #[test]
    fn the_lean_path_gives_what_the_general_path_gives() {
        let options = option_sets();
        for seed in 1..6 {
            let bytes = mixed_file(seed);
            for options in &options {
                let lean = ingest_mixed(&bytes, options, true);
                let general = ingest_mixed(&bytes, options, false);
                assert!(lean == general, "seed {seed}, {options:?}:\n{}", first_difference(&lean, &general));
            }
        }
        let bytes = mixed_file(1);
        let report = ingest_mixed(&bytes, &IngestOptions { max_error_examples: Some(1000), ..Default::default() }, true);
        for code in ["INVALID_DATE", "INVALID_AMOUNT", "CONFLICTING_FIELDS", "MALFORMED_ROW", "MISSING_FIELD"] {
            assert!(report.contains(code), "the file has {code} rows");
        }
        assert!(report.contains("DUPLICATE_LINES"), "the file repeats lines");
    }

    /// `bytes` read in two parts as the JS does with a worker (the second part from the first
    /// suitable line after `from`); also whether the parts were joined.
    fn ingest_in_parts(bytes: &[u8], options: &IngestOptions, from: usize) -> (String, bool) {
        ingest_in_pieces(bytes, options, &[from], 0)
    }

    /// `bytes` read as the JS reads a file with a part worker that also takes pieces: a start is
    /// found after each of `froms` (ascending); the part from the last start to the end and the
    /// pieces between the others are read each by an ingest of its own, except the first `taken`
    /// pieces, which the first ingest reads on into before it joins the rest (in file order).
    /// Also whether they were joined.
    fn ingest_in_pieces(bytes: &[u8], options: &IngestOptions, froms: &[usize], taken: usize) -> (String, bool) {
        // An ingest settled by the head of the file, ready to read a part.
        let primed = || -> Result<Option<TransactionIngest>> {
            let mut ingest = TransactionIngest::new(options)?;
            for chunk in bytes.chunks(4096) {
                if ingest.is_settled() {
                    break;
                }
                ingest.feed(chunk)?;
            }
            if !ingest.is_settled() {
                return Ok(None);
            }
            ingest.start_part()?;
            Ok(Some(ingest))
        };
        let mut starts: Vec<usize> = Vec::new();
        if let Ok(Some(ingest)) = primed() {
            for &from in froms {
                if let Some(start) = ingest.part_start(&bytes[from..]).map(|at| from + at) {
                    if starts.last().is_none_or(|&last| start > last) {
                        starts.push(start);
                    }
                }
            }
        }
        let first = taken.min(starts.len().saturating_sub(1));
        // The worker's parts, in file order; none when one failed (strict mode stopping at a bad
        // row): then nothing is joined.
        let written = || -> Result<Option<Vec<Vec<u8>>>> {
            let mut parts = Vec::new();
            for (i, &start) in starts.iter().enumerate().skip(first) {
                let Some(mut ingest) = primed()? else {
                    return Ok(None);
                };
                let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
                for chunk in bytes[start..end].chunks(4096) {
                    ingest.feed(chunk)?;
                }
                // The room made for the part is enough (a part grown by doubling is copied each time).
                let room = ingest.part_bytes();
                let part = ingest.write_part()?;
                assert!(part.len() <= room, "{} bytes written, {room} reserved", part.len());
                parts.push(part);
            }
            Ok((!parts.is_empty()).then_some(parts))
        };
        let parts = written().ok().flatten();
        let mut joined = false;
        let mut read = || -> Result<(Dataset, IngestReport)> {
            let mut ingest = TransactionIngest::new(options)?;
            let split = if parts.is_some() { starts[first] } else { bytes.len() };
            for chunk in bytes[..split].chunks(4096) {
                ingest.feed(chunk)?;
            }
            if let Some(parts) = &parts {
                joined = ingest.join_parts(parts.clone())?;
            }
            if !joined {
                for chunk in bytes[split..].chunks(4096) {
                    ingest.feed(chunk)?;
                }
            }
            ingest.finish()
        };
        let text = match read() {
            Ok((data, mut report)) => {
                let count = parts.as_ref().map_or(0, Vec::len);
                assert_eq!(report.parts as usize, if joined { 1 + count } else { 1 });
                report.parts = 1;
                format!("{data:?}\n{report:?}")
            }
            Err(e) => format!("{e:?}"),
        };
        (text, joined)
    }

    /// `mixed` (a [`mixed_file`]) with its d/m/Y dates (which settle the date order late, so no
    /// part joins) written as ISO dates, and its rows of non-UTF-8 text each with an id of its own
    /// (the same id in two parts would keep them apart).
    fn joinable_variant(mixed: &[u8]) -> Vec<u8> {
        let mut iso = Vec::new();
        for (i, line) in mixed.split_inclusive(|&b| b == b'\n').enumerate() {
            let text = line.strip_prefix(b"\xff\xfe").map_or(line.to_vec(), |rest| [format!("\u{FFFD}{i}\u{FFFD}").as_bytes(), b"\xff", rest].concat());
            match text.windows(10).position(|w| w == b"13/02/2023") {
                Some(at) => iso.extend_from_slice(&[&text[..at], b"2023-02-13", &text[at + 10..]].concat()),
                None => iso.extend_from_slice(&text),
            }
        }
        iso
    }

    #[test]
    fn a_file_read_in_two_parts_gives_what_one_reading_gives() {
        let options = option_sets();
        let (mut joins, mut refusals) = (0, 0);
        for seed in 1..4 {
            let mixed = mixed_file(seed);
            let iso = joinable_variant(&mixed);
            for bytes in [&mixed, &iso] {
                for options in &options {
                    let whole = ingest_mixed(bytes, options, true);
                    for k in [1, 3, 5, 7] {
                        let (parts, joined) = ingest_in_parts(bytes, options, bytes.len() * k / 8);
                        assert!(parts == whole, "seed {seed}, split {k}/8, {options:?}:\n{}", first_difference(&parts, &whole));
                        if joined { joins += 1 } else { refusals += 1 }
                    }
                }
            }
        }
        // Both ways were taken, joins mostly (parts refused: late date evidence, an order
        // revisited across the split, a split within the first rows, strict mode's errors).
        assert!(joins > 15 && refusals > 15, "{joins} joins, {refusals} refusals");
    }

    #[test]
    fn a_file_read_in_pieces_and_a_part_gives_what_one_reading_gives() {
        let options = option_sets();
        let (mut joins, mut refusals) = (0, 0);
        for seed in 1..4 {
            let bytes = joinable_variant(&mixed_file(seed));
            for options in &options {
                let whole = ingest_mixed(&bytes, options, true);
                let n = bytes.len();
                for (froms, taken) in [
                    (vec![n / 4, n / 2, n * 3 / 4], 0),
                    (vec![n / 4, n / 2, n * 3 / 4], 1),
                    (vec![n / 4, n / 2, n * 3 / 4], 2),
                    (vec![n * 2 / 5, n / 2, n * 3 / 5, n * 7 / 10], 1),
                    (vec![n / 8, n * 7 / 8], 0),
                ] {
                    let (pieces, joined) = ingest_in_pieces(&bytes, options, &froms, taken);
                    assert!(pieces == whole, "seed {seed}, {froms:?} taking {taken}, {options:?}:\n{}", first_difference(&pieces, &whole));
                    if joined { joins += 1 } else { refusals += 1 }
                }
            }
        }
        assert!(joins > 10 && refusals > 5, "{joins} joins, {refusals} refusals");
    }

    #[test]
    fn pieces_that_name_the_same_order_are_not_joined() {
        // Order 7001 comes back in the last part after a piece named it: joining both would
        // make two orders of it, so the rest is read in one.
        let mut text = String::from("order_id,customer_id,date,amount\n");
        for i in 0..4000u32 {
            text.push_str(&format!("{},c{},2023-01-{:02},{}.50\n", 5000 + i, i % 97, 1 + i % 28, i % 50));
        }
        text.push_str("7001,c61,2023-01-14,1.00\n");
        let bytes = text.into_bytes();
        let n = bytes.len();
        let options = IngestOptions::default();
        let whole = ingest_mixed(&bytes, &options, true);
        let (pieces, joined) = ingest_in_pieces(&bytes, &options, &[n / 4, n / 2, n * 3 / 4], 0);
        assert!(!joined, "pieces sharing an order were joined");
        assert!(pieces == whole, "{}", first_difference(&pieces, &whole));
        // Without the revisit, the same pieces join.
        let end = bytes.len() - "7001,c61,2023-01-14,1.00\n".len();
        let (pieces, joined) = ingest_in_pieces(&bytes[..end], &options, &[n / 4, n / 2, n * 3 / 4], 0);
        assert!(joined, "the pieces were not joined");
        assert!(pieces == ingest_mixed(&bytes[..end], &options, true));
    }

    #[test]
    fn parts_with_lines_without_an_order_id_join_by_customer_and_day() {
        // A line with an empty order id joins its customer's other such lines of that day: the
        // part's (customer, day) keys must be carried over, and a key in both parts refuses the
        // join. (A file with no order id column at all is read in one part.)
        let mut text = String::from("order,customer,date,amount,product\n");
        for i in 0..3000u32 {
            let day = 1 + i / 120; // days go forward through the file
            let id = if i % 5 == 0 { String::new() } else { (1000 + i / 2).to_string() };
            text.push_str(&format!("{id},c{},2023-01-{day:02},{}.{:02},p{}\n", (i * 7) % 53, i % 40, i % 100, i % 9));
        }
        let bytes = text.into_bytes();
        let (mut joins, mut refusals) = (0, 0);
        for options in option_sets() {
            let whole = ingest_mixed(&bytes, &options, true);
            for k in 1..12 {
                let (parts, joined) = ingest_in_parts(&bytes, &options, bytes.len() * k / 12);
                assert!(parts == whole, "split {k}/12, {options:?}:\n{}", first_difference(&parts, &whole));
                if joined { joins += 1 } else { refusals += 1 }
            }
        }
        assert!(joins > 10 && refusals > 4, "{joins} joins, {refusals} refusals");
    }

    #[test]
    fn quantities_big_enough_to_overflow_are_checked_in_either_part() {
        // Orders keep no items total; a quantity of 2^63 or more makes `finish` sum every order's
        // quantities to find one beyond the decimal range. The part says whether it saw one.
        let file = |big_row: u32, quantity: &str| {
            let mut text = String::from("order_id,customer_id,date,amount,quantity,product_id\n");
            for i in 0..2000u32 {
                let q = if i == big_row || i == big_row + 1 { quantity } else { "1" };
                // The row after the big one is a second line of its order.
                let j = if i == big_row + 1 { big_row } else { i };
                text.push_str(&format!("{},c{},2023-01-{:02},1.50,{q},p{}\n", 1000 + j, j % 37, 1 + j / 80, i % 11));
            }
            text.into_bytes()
        };
        let options = IngestOptions::default();
        let (mut joins, mut errors) = (0, 0);
        for big_row in [10, 1990] {
            for quantity in ["79228162514264337593543950335", "100000000000000000000"] {
                let bytes = file(big_row, quantity);
                let whole = ingest_mixed(&bytes, &options, true);
                let overflow = quantity.len() == 29;
                assert_eq!(whole.contains("total quantity is beyond the exact decimal range"), overflow, "{}", &whole[..whole.len().min(300)]);
                for k in [4, 5, 7] {
                    let (parts, joined) = ingest_in_parts(&bytes, &options, bytes.len() * k / 8);
                    assert!(parts == whole, "row {big_row}, {quantity}, split {k}/8:\n{}", first_difference(&parts, &whole));
                    // Row 10 lies in the first part, row 1990 in the second (which then says so).
                    joins += usize::from(joined);
                    errors += usize::from(overflow);
                }
            }
        }
        assert!(joins == 12 && errors == 6, "{joins} joins, {errors} errors");
    }

    #[test]
    fn room_made_ahead_changes_nothing_read() {
        let bytes = mixed_file(3);
        let whole = ingest_mixed(&bytes, &IngestOptions::default(), true);
        for expected in [0, 1, bytes.len() as u64, u64::MAX] {
            let mut ingest = TransactionIngest::new(&IngestOptions::default()).unwrap();
            ingest.expect_bytes(expected); // before anything is read: nothing to go by, nothing done
            for chunk in bytes.chunks(4096) {
                ingest.feed(chunk).unwrap();
                ingest.expect_bytes(expected);
            }
            let (data, report) = ingest.finish().unwrap();
            assert_eq!(format!("{data:?}\n{report:?}"), whole, "expecting {expected} bytes");
        }
        let mut ingest = TransactionIngest::new(&IngestOptions::default()).unwrap();
        ingest.feed(&bytes).unwrap();
        ingest.expect_bytes(u64::MAX);
        let room = ingest.state.builder.line_capacity();
        assert!((1_000_000..=parts::MAX_RESERVED_LINES).contains(&room), "{room}");
    }

    #[test]
    fn room_expected_before_reading_is_made_once_the_rows_show_their_density() {
        let mut file = String::from("order_id,customer_id,date,amount\n");
        for i in 0..20_000 {
            file.push_str(&format!("{},c{},2024-01-{:02},{}.50\n", 10_000 + i / 2, i / 2 % 97, 1 + i / 2 % 28, i % 50));
        }
        let mut ingest = TransactionIngest::new(&IngestOptions::default()).unwrap();
        ingest.expect_bytes(file.len() as u64 * 4);
        assert_eq!(ingest.state.builder.line_capacity(), 0, "nothing to go by yet");
        // One chunk: room is made between its first steps, not after it (when it would copy).
        ingest.feed(file.as_bytes()).unwrap();
        assert!(ingest.expected.is_none());
        let room = ingest.state.builder.line_capacity();
        assert!((70_000..=100_000).contains(&room), "room for {room} lines (80,000 expected, a tenth more)");
        let (data, _) = ingest.finish().unwrap();
        let mut whole = TransactionIngest::new(&IngestOptions::default()).unwrap();
        whole.feed(file.as_bytes()).unwrap();
        assert_eq!(format!("{data:?}"), format!("{:?}", whole.finish().unwrap().0));
    }

    #[test]
    fn parts_split_anywhere_in_quoted_crlf_text_give_what_one_reading_gives() {
        // Quoted fields holding line breaks and delimiters, CRLF, blank lines: a line start is
        // not always a record start, and the join must notice.
        let mut text = String::from("order_id;customer;date;amount;product_name\r\n");
        for i in 0..1500 {
            let name = match i % 7 {
                0 => "\"Mug\r\n1001;c9;2023-01-01;5;x\"".to_string(),
                1 => "\"a;b\"\"c\"".to_string(),
                _ => format!("p{}", i % 13),
            };
            text.push_str(&format!("{};c{};2023-01-{:02};{},{:02};{name}\r\n", 1000 + i / 2, (i / 2) % 31, 1 + (i / 2) % 28, i % 90, i % 100));
            if i % 50 == 0 {
                text.push_str("\r\n");
            }
        }
        let bytes = text.into_bytes();
        let options = IngestOptions::default();
        let whole = ingest_mixed(&bytes, &options, true);
        assert!(whole.contains("accepted_rows: 1500"), "{}", &whole[whole.len() - 600..]);
        let (mut joins, mut refusals) = (0, 0);
        for from in (bytes.len() / 2..bytes.len() - 200).step_by(bytes.len() / 61) {
            let (parts, joined) = ingest_in_parts(&bytes, &options, from);
            assert!(parts == whole, "from {from}:\n{}", first_difference(&parts, &whole));
            if joined { joins += 1 } else { refusals += 1 }
        }
        assert!(joins > 10 && refusals > 0, "{joins} joins, {refusals} refusals");
    }

    fn first_difference(a: &str, b: &str) -> String {
        let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
        let from = at.saturating_sub(200);
        format!("lean:    …{}\ngeneral: …{}", &a[from..(at + 200).min(a.len())], &b[from..(at + 200).min(b.len())])
    }

    #[test]
    fn statuses() {
        for (raw, status) in [
            ("paid", Status::Sale),
            ("Partially Refunded", Status::Sale),
            ("partially_refunded", Status::Sale),
            ("pending", Status::Sale),
            ("Refunded", Status::Reversed),
            ("CANCELLED", Status::Reversed),
            ("canceled", Status::Reversed),
            ("returned", Status::Reversed),
            ("Failed", Status::Failed),
            ("card_declined", Status::Failed),
            ("voided", Status::Failed),
            ("checkout-draft", Status::Failed),
        ] {
            assert_eq!(status_of(raw), status, "{raw}");
        }
    }

    #[test]
    fn cancelled_invoices() {
        assert!(is_cancellation_id("C536379"));
        for id in ["C", "c536379", "CX1", "536379", "C53 6"] {
            assert!(!is_cancellation_id(id), "{id}");
        }
    }

    #[test]
    fn zero_ids() {
        assert!(is_zero_id("0") && is_zero_id("000"));
        assert!(!is_zero_id("10") && !is_zero_id("0a"));
    }

    #[test]
    fn packed_rows_keep_only_the_used_columns() {
        let used = [0, 2, 3];
        let packed = Packed::new(&["a", "skip", "", "dé"], &used);
        assert_eq!(packed.text, "adé");
        assert_eq!(packed.fields(5, &used), vec!["a", "", "", "dé", ""]);
    }

    #[test]
    fn held_rows_are_released_after_the_sample_and_kept_narrow() {
        let mut ingest = TransactionIngest::new(&IngestOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let mut text = String::from("customer,note,date,amount\n");
        for i in 0..1_500 {
            text.push_str(&format!("c{},{},2011-01-01,1\n", i % 7, "n".repeat(200)));
        }
        for chunk in text.as_bytes().chunks(4096) {
            ingest.feed(chunk).unwrap_or_else(|e| panic!("{e}"));
        }
        // The sample was processed once 1000 rows were in; later rows are not held.
        assert!(ingest.state.sampled);
        assert!(ingest.state.held.is_empty());
        assert_eq!(ingest.state.used, vec![0, 2, 3]);
        // Ambiguous dates hold rows again, without the unused "note" column.
        ingest.feed(b"x,long note,03/04/2011,1\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ingest.state.held.len(), 1);
        let packed = ingest.state.held.front().and_then(|h| h.row.as_ref().ok()).map(|p| p.text.clone());
        assert_eq!(packed.as_deref(), Some("x03/04/20111"));
        assert_eq!(ingest.finish().err().map(|e| e.code), Some(ErrorCode::AmbiguousDate));
    }

    #[test]
    fn negatives_and_zero() {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        assert_eq!(negative_of(d("4.00")).to_string(), "-4.00");
        assert_eq!(negative_of(d("-4.00")).to_string(), "-4.00");
        assert_eq!(negative_of(-d("0.00")).to_string(), "0.00");
        assert!(!is_negative(-d("0")));
    }
}
