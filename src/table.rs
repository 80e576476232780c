//! Per-customer tables as named columns: one description that the wasm layer turns into typed
//! arrays and that CSV export writes (with spreadsheet formula injection neutralised).

use crate::segments::{LifecycleStage, LifecycleTable, RfmTable, Segment};
use crate::summary::{CustomerColumn, CustomerTable};

/// A column of text cells kept end to end in one string: one allocation for the column instead of
/// one per cell (a per-customer table of a million customers has millions of cells), and it
/// crosses to JS as it is.
#[derive(Clone, Default, PartialEq)]
pub struct TextColumn {
    text: String,
    /// Cell `i` ends at byte `ends[i]` of `text` (and starts where cell `i - 1` ends).
    ends: Vec<usize>,
}

impl TextColumn {
    pub fn with_capacity(cells: usize) -> Self {
        TextColumn { text: String::new(), ends: Vec::with_capacity(cells) }
    }

    /// The cells of `text`, cell `i` ending at byte `ends[i]`; `None` when the ends are not
    /// ascending within `text` at character boundaries.
    pub(crate) fn from_parts(text: &str, ends: &[u32]) -> Option<Self> {
        let ends: Vec<usize> = ends.iter().map(|&end| end as usize).collect();
        let ascending = ends.iter().try_fold(0, |start, &end| (start <= end && text.is_char_boundary(end)).then_some(end));
        (ascending? == text.len()).then(|| TextColumn { text: text.to_owned(), ends })
    }

    /// Appends a cell.
    pub fn push(&mut self, cell: &str) {
        self.push_with(|text| text.push_str(cell));
    }

    /// Appends the cell that `write` appends to the column's text.
    pub fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        write(&mut self.text);
        self.ends.push(self.text.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cell `i`, `None` past the last.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = i.checked_sub(1).map_or(Some(0), |p| self.ends.get(p).copied())?;
        self.text.get(start..end)
    }

    /// The last cell, `None` when empty.
    pub fn last(&self) -> Option<&str> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or(""))
    }

    /// Every cell joined, and where each ends (in bytes).
    pub fn parts(&self) -> (&str, &[usize]) {
        (&self.text, &self.ends)
    }
}

impl std::ops::Index<usize> for TextColumn {
    type Output = str;

    /// Cell `i`; panics past the last, as slices do (for tests and callers that index; the library
    /// itself reads cells with `get`).
    #[allow(clippy::panic)]
    fn index(&self, i: usize) -> &str {
        match self.get(i) {
            Some(cell) => cell,
            None => panic!("cell {i} of a text column of {}", self.len()),
        }
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for TextColumn {
    fn eq(&self, other: &Vec<S>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl PartialEq<TextColumn> for Vec<String> {
    fn eq(&self, other: &TextColumn) -> bool {
        other == self
    }
}

impl std::fmt::Debug for TextColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl serde::Serialize for TextColumn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'a> FromIterator<&'a str> for TextColumn {
    fn from_iter<I: IntoIterator<Item = &'a str>>(cells: I) -> Self {
        let mut column = TextColumn::default();
        for cell in cells {
            column.push(cell);
        }
        column
    }
}

/// One column, borrowed from its table.
#[derive(Debug, Clone, PartialEq)]
pub enum Column<'a> {
    F64(&'a [f64]),
    /// `None` crosses to JS as NaN and is written empty in CSV.
    OptF64(&'a [Option<f64>]),
    U32(&'a [u32]),
    U8(&'a [u8]),
    Text(&'a [String]),
    /// Text with few distinct values, each stored once.
    Coded(&'a CodedText),
    /// Text kept end to end.
    Texts(&'a TextColumn),
    /// Labels (enum values) as their JS names.
    Label(Vec<&'static str>),
}

/// A text column stored as its distinct values and a code per row (row i is `values[codes[i]]`):
/// a table of a million offers names a few thousand items, values and reasons, so it holds (and
/// sends to JS) each text once instead of a string per row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodedText {
    pub values: TextColumn,
    pub codes: Vec<u32>,
}

impl CodedText {
    /// A column whose codes index `values` (codes added with [`CodedText::push`]).
    pub fn with_values<'a>(values: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let mut column = TextColumn::with_capacity(values.len());
        values.for_each(|v| column.push(v));
        CodedText { values: column, codes: Vec::new() }
    }

    pub fn push(&mut self, code: u32) {
        self.codes.push(code);
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Row `i`'s text.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.values.get(*self.codes.get(i)? as usize)
    }

    /// Every row's text.
    pub fn to_vec(&self) -> Vec<&str> {
        self.iter().collect()
    }

    /// Every row's text, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> {
        self.codes.iter().map(|&c| self.values.get(c as usize).unwrap_or_default())
    }
}

impl serde::Serialize for CodedText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl Column<'_> {
    pub fn len(&self) -> usize {
        match self {
            Column::F64(v) => v.len(),
            Column::OptF64(v) => v.len(),
            Column::U32(v) => v.len(),
            Column::U8(v) => v.len(),
            Column::Text(v) => v.len(),
            Column::Coded(v) => v.len(),
            Column::Texts(v) => v.len(),
            Column::Label(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i` as CSV cell text (unquoted, not yet neutralised).
    fn cell(&self, i: usize) -> String {
        match self {
            Column::F64(v) => v.get(i).map(|x| number(*x)).unwrap_or_default(),
            Column::OptF64(v) => v.get(i).copied().flatten().map(number).unwrap_or_default(),
            Column::U32(v) => v.get(i).map(u32::to_string).unwrap_or_default(),
            Column::U8(v) => v.get(i).map(u8::to_string).unwrap_or_default(),
            Column::Text(v) => v.get(i).cloned().unwrap_or_default(),
            Column::Coded(v) => v.get(i).unwrap_or_default().to_owned(),
            Column::Texts(v) => v.get(i).unwrap_or_default().to_owned(),
            Column::Label(v) => v.get(i).map(|s| (*s).to_owned()).unwrap_or_default(),
        }
    }

    fn is_text(&self) -> bool {
        matches!(self, Column::Text(_) | Column::Coded(_) | Column::Texts(_))
    }
}

/// Shortest round-trip decimal form; integers without ".0".
fn number(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// A table of equally long named columns.
pub trait Columnar {
    /// `(csv header, JS key, column)`, in display order.
    fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)>;
}

/// Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice).
fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '|') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// The table as RFC 4180 CSV with a header line; text cells neutralised against formula injection.
pub fn to_csv(table: &dyn Columnar) -> String {
    let columns = table.columns();
    let rows = columns.iter().map(|(_, _, c)| c.len()).max().unwrap_or(0);
    let mut out = String::new();
    let header: Vec<&str> = columns.iter().map(|(h, _, _)| *h).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for i in 0..rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, _, c)| {
                let cell = c.cell(i);
                quote(&if c.is_text() { neutralise(&cell) } else { cell })
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

impl Columnar for CustomerTable {
    fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)> {
        let chosen = CustomerColumn::ALL.into_iter().filter(|&c| self.columns.has(c)).map(|c| {
            let column = match c {
                CustomerColumn::Frequency => Column::F64(&self.frequency),
                CustomerColumn::Recency => Column::F64(&self.recency),
                CustomerColumn::T => Column::F64(&self.t),
                CustomerColumn::MonetaryValue => Column::F64(&self.monetary_value),
                CustomerColumn::FirstPurchase => Column::Texts(&self.first_purchase),
                CustomerColumn::LastPurchase => Column::Texts(&self.last_purchase),
                CustomerColumn::Orders => Column::U32(&self.orders),
                CustomerColumn::Items => Column::F64(&self.items),
                CustomerColumn::Revenue => Column::Texts(&self.revenue),
                CustomerColumn::AverageOrderValue => Column::Texts(&self.average_order_value),
            };
            let (csv, js) = c.names();
            (csv, js, column)
        });
        std::iter::once(("customer_id", "customerId", Column::Texts(&self.customer_id))).chain(chosen).collect()
    }
}

impl Columnar for RfmTable {
    fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)> {
        vec![
            ("customer_id", "customerId", Column::Text(&self.customer_id)),
            ("recency_days", "recencyDays", Column::U32(&self.recency_days)),
            ("frequency", "frequency", Column::U32(&self.frequency)),
            ("monetary", "monetary", Column::Text(&self.monetary)),
            ("r", "r", Column::U8(&self.r)),
            ("f", "f", Column::U8(&self.f)),
            ("m", "m", Column::U8(&self.m)),
            ("fm", "fm", Column::U8(&self.fm)),
            ("segment", "segment", Column::Label(self.segment.iter().map(|s| s.key()).collect())),
        ]
    }
}

impl Columnar for LifecycleTable {
    fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)> {
        vec![
            ("customer_id", "customerId", Column::Text(&self.customer_id)),
            ("stage", "stage", Column::Label(self.stage.iter().map(|s| s.key()).collect())),
            ("purchase_days", "purchaseDays", Column::U32(&self.purchase_days)),
            ("days_since_last", "daysSinceLast", Column::U32(&self.days_since_last)),
            ("median_gap_days", "medianGapDays", Column::OptF64(&self.median_gap_days)),
            ("window_days", "windowDays", Column::F64(&self.window_days)),
        ]
    }
}

impl Segment {
    /// The JS name of the segment (as serialized).
    pub fn key(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::PotentialLoyalist => "potentialLoyalist",
            Segment::New => "new",
            Segment::Promising => "promising",
            Segment::NeedAttention => "needAttention",
            Segment::AboutToSleep => "aboutToSleep",
            Segment::AtRisk => "atRisk",
            Segment::CannotLose => "cannotLose",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }
}

impl LifecycleStage {
    /// The JS name of the stage (as serialized).
    pub fn key(self) -> &'static str {
        match self {
            LifecycleStage::New => "new",
            LifecycleStage::OneTime => "oneTime",
            LifecycleStage::ActiveRepeat => "activeRepeat",
            LifecycleStage::Reactivated => "reactivated",
            LifecycleStage::AtRisk => "atRisk",
            LifecycleStage::Lapsed => "lapsed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_from_parts_takes_ascending_ends_at_character_boundaries_only() {
        let column = TextColumn::from_parts("aébc", &[1, 3, 5]).unwrap();
        assert_eq!(column.iter().collect::<Vec<_>>(), vec!["a", "é", "bc"]);
        assert!(TextColumn::from_parts("aébc", &[2]).is_none(), "inside é");
        assert!(TextColumn::from_parts("abc", &[2, 1, 3]).is_none(), "descending");
        assert!(TextColumn::from_parts("abc", &[1, 2]).is_none(), "short of the text");
        assert!(TextColumn::from_parts("", &[]).unwrap().is_empty());
        assert!(TextColumn::from_parts("abc", &[]).is_none(), "text beyond the cells");
    }

    struct T(Vec<String>, Vec<f64>, Vec<Option<f64>>);

    impl Columnar for T {
        fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)> {
            vec![
                ("id", "id", Column::Text(&self.0)),
                ("x", "x", Column::F64(&self.1)),
                ("gap", "gap", Column::OptF64(&self.2)),
            ]
        }
    }

    #[test]
    fn text_columns_keep_cells_end_to_end() {
        let mut c = TextColumn::with_capacity(3);
        c.push("a");
        c.push("");
        c.push_with(|s| s.push_str("café"));
        assert_eq!((c.len(), c.is_empty()), (3, false));
        assert_eq!((c.get(0), c.get(1), c.get(2), c.get(3)), (Some("a"), Some(""), Some("café"), None));
        assert_eq!((&c[2], c.last()), ("café", Some("café")));
        assert_eq!(c.iter().collect::<Vec<_>>(), ["a", "", "café"]);
        assert_eq!(c.parts(), ("acafé", &[1, 1, 6][..]));
        assert_eq!(c, vec!["a".to_owned(), String::new(), "café".to_owned()]);
        assert_eq!(c, ["a", "", "café"].into_iter().collect::<TextColumn>());
        assert_eq!(format!("{c:?}"), r#"["a", "", "café"]"#);
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"["a","","café"]"#);
        assert_eq!(TextColumn::default().last(), None);
    }

    #[test]
    fn csv_quotes_and_neutralises_formulas() {
        let t = T(
            vec!["=cmd|' /C calc'!A0".into(), "a,\"b\"".into(), "-12".into()],
            vec![1.0, 2.5, -3.0],
            vec![None, Some(4.0), Some(0.5)],
        );
        assert_eq!(
            to_csv(&t),
            "id,x,gap\n'=cmd|' /C calc'!A0,1,\n\"a,\"\"b\"\"\",2.5,4\n'-12,-3,0.5\n"
        );
    }

    #[test]
    fn keys_match_serde_names() {
        for s in Segment::ALL {
            let json = serde_json::to_string(&s).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", s.key()));
        }
        for s in LifecycleStage::ALL {
            let json = serde_json::to_string(&s).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", s.key()));
        }
    }
}
