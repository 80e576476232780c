//! The dataset handle: a file ingested chunk by chunk into wasm memory (`Ingestor`), then analysed
//! many times without re-parsing (`DatasetHandle`; a summary file: `SummaryHandle`), tables columnar.

use wasm_bindgen::prelude::*;

use js_sys::{Float64Array, Object, Reflect, Uint32Array, Uint8Array};
use serde::de::DeserializeOwned;

use super::{from_js, to_js, to_js_value};
use crate::dataset::Dataset;
use crate::error::{Error, ErrorCode};
use crate::ingest::summary_file::{SummaryIngest, SummaryIngestOptions, SummaryReport, SummaryTable};
use crate::ingest::transactions::{IngestOptions, IngestReport, TransactionIngest};
use crate::options::{AcquisitionRequest, CustomerTableRequest, LifecycleRequest, SummaryRequest};
use crate::table::{to_csv, Column, Columnar, TextColumn};
use crate::{segments, summary};

/// Options object, or the defaults for `undefined` / `null`.
pub(super) fn options<T: DeserializeOwned + Default>(value: JsValue) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        from_js(value)
    }
}

pub(super) fn core<T>(result: crate::error::Result<T>) -> Result<T, JsValue> {
    result.map_err(|e| to_js(&e))
}

/// An optional JS progress callback, called synchronously from inside a wasm call. The first
/// exception it throws is kept and stops the call (the core sees its observer return false); the
/// call then fails with that exception, as thrown.
pub(super) struct Callback {
    function: Option<js_sys::Function>,
    thrown: Option<JsValue>,
}

impl Callback {
    pub(super) fn new(function: Option<js_sys::Function>) -> Self {
        Callback { function, thrown: None }
    }

    /// Calls the function with `event()` (not built without a function); false once it has thrown.
    pub(super) fn report(&mut self, event: impl FnOnce() -> Result<JsValue, JsValue>) -> bool {
        let Some(function) = &self.function else { return true };
        match event().and_then(|event| function.call1(&JsValue::NULL, &event)) {
            Ok(_) => true,
            Err(e) => {
                self.thrown = Some(e);
                false
            }
        }
    }

    /// The call's result: the exception the callback threw, if any, else `result` converted.
    pub(super) fn finish<T>(self, result: crate::error::Result<T>) -> Result<T, JsValue> {
        match self.thrown {
            Some(e) => Err(e),
            None => core(result),
        }
    }
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &JsValue::from_str(key), value).map(|_| ())
}

/// A text column packed for one crossing, `{ text, ends }`: every cell joined into one string and
/// each cell's end offset in UTF-16 code units (JS string positions), so JS rebuilds the `string[]`
/// with `substring` (`unpackStrings` in js/dataset.js), exactly for any content, instead of
/// decoding one JS string per cell. Offsets fit in u32: UTF-16 units never outnumber UTF-8 bytes.
fn packed_strings<'a>(cells: impl ExactSizeIterator<Item = &'a str>) -> Result<JsValue, JsValue> {
    let mut ends = Vec::with_capacity(cells.len());
    let mut text = String::new();
    let mut end = 0u32;
    for cell in cells {
        let units = if cell.is_ascii() { cell.len() } else { cell.encode_utf16().count() };
        end = end.saturating_add(u32::try_from(units).unwrap_or(u32::MAX));
        ends.push(end);
        text.push_str(cell);
    }
    packed(&text, &ends)
}

/// [`packed_strings`] of a column already kept end to end: as it is when it is ASCII (byte offsets
/// are UTF-16 offsets then).
fn packed_column(column: &TextColumn) -> Result<JsValue, JsValue> {
    let (text, ends) = column.parts();
    if !text.is_ascii() {
        return packed_strings(column.iter());
    }
    let ends: Vec<u32> = ends.iter().map(|&end| u32::try_from(end).unwrap_or(u32::MAX)).collect();
    packed(text, &ends)
}

/// `{ text, ends }`.
fn packed(text: &str, ends: &[u32]) -> Result<JsValue, JsValue> {
    let out = Object::new();
    set(&out, "text", &JsValue::from_str(text))?;
    set(&out, "ends", &Uint32Array::from(ends).into())?;
    Ok(out.into())
}

/// A table as an object of typed arrays (numbers) and packed text columns, added to `target`; a
/// coded text column crosses as its packed distinct values plus `codes` (a `Uint32Array`).
fn add_columns(target: &Object, table: &dyn Columnar) -> Result<(), JsValue> {
    for (_, key, column) in table.columns() {
        let value: JsValue = match column {
            Column::F64(v) => Float64Array::from(v).into(),
            Column::OptF64(v) => {
                let filled: Vec<f64> = v.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
                Float64Array::from(filled.as_slice()).into()
            }
            Column::U32(v) => Uint32Array::from(v).into(),
            Column::U8(v) => Uint8Array::from(v).into(),
            Column::Text(v) => packed_strings(v.iter().map(String::as_str))?,
            Column::Coded(v) => {
                let packed = packed_column(&v.values)?;
                set(packed.unchecked_ref::<Object>(), "codes", &Uint32Array::from(v.codes.as_slice()).into())?;
                packed
            }
            Column::Texts(v) => packed_column(v)?,
            Column::Label(v) => packed_strings(v.into_iter())?,
        };
        set(target, key, &value)?;
    }
    Ok(())
}

/// `result` as a plain object whose field `key` is `table` in columnar form.
pub(super) fn with_table(result: &impl serde::Serialize, key: &str, table: &dyn Columnar) -> Result<JsValue, JsValue> {
    let out: Object = to_js_value(result)?.into();
    let columns = Object::new();
    add_columns(&columns, table)?;
    set(&out, key, &columns)?;
    Ok(out.into())
}

pub(super) fn used_up() -> JsValue {
    to_js(&Error::new(ErrorCode::InvalidInput, "this ingest has already finished: start a new one"))
}

/// A transactions file being read: `push` chunks, then `finish`.
#[wasm_bindgen]
pub struct Ingestor {
    inner: Option<TransactionIngest>,
    rows: f64,
}

#[wasm_bindgen]
impl Ingestor {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Ingestor, JsValue> {
        let options: IngestOptions = if options.is_undefined() || options.is_null() {
            IngestOptions::default()
        } else {
            from_js(options)?
        };
        let inner = TransactionIngest::new(&options).map_err(|e| to_js(&e))?;
        Ok(Ingestor { inner: Some(inner), rows: 0.0 })
    }

    /// Reads the next chunk of the file (any size; split anywhere).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        let inner = self.inner.as_mut().ok_or_else(used_up)?;
        let result = inner.feed(chunk);
        self.rows = inner.progress().1 as f64;
        result.map_err(|e| {
            self.inner = None; // a fatal error ends the ingest; later calls say so
            to_js(&e)
        })
    }

    /// Data rows read so far.
    pub fn rows(&self) -> f64 {
        self.rows
    }

    /// True once the formats are settled: another Ingestor can then read a later part.
    #[wasm_bindgen(js_name = isSettled)]
    pub fn is_settled(&self) -> bool {
        self.inner.as_ref().is_some_and(TransactionIngest::is_settled)
    }

    /// Told the input's length in bytes, makes room for the dataset it suggests: at once when the
    /// formats are settled, else as soon as the rows read show how dense they are.
    #[wasm_bindgen(js_name = expectBytes)]
    pub fn expect_bytes(&mut self, bytes: f64) {
        if let Some(inner) = self.inner.as_mut() {
            // Saturating: NaN and negatives give 0.
            inner.expect_bytes(bytes as u64);
        }
    }

    /// Makes this Ingestor (settled) the reader of a later part of the file: the rows read so far
    /// are forgotten, what they settled is kept.
    #[wasm_bindgen(js_name = startPart)]
    pub fn start_part(&mut self) -> Result<(), JsValue> {
        let inner = self.inner.as_mut().ok_or_else(used_up)?;
        inner.start_part().map_err(|e| to_js(&e))?;
        self.rows = 0.0;
        Ok(())
    }

    /// Where in `bytes` (bytes from the middle of the file) the part could start; -1 for none.
    #[wasm_bindgen(js_name = partStart)]
    pub fn part_start(&self, bytes: &[u8]) -> f64 {
        let at = self.inner.as_ref().and_then(|inner| inner.part_start(bytes));
        at.map_or(-1.0, |at| at as f64)
    }

    /// Ends the part and returns what it collected, for `joinParts` on the first part's Ingestor.
    #[wasm_bindgen(js_name = writePart)]
    pub fn write_part(&mut self) -> Result<Vec<u8>, JsValue> {
        let inner = self.inner.take().ok_or_else(used_up)?;
        inner.write_part().map_err(|e| to_js(&e))
    }

    /// Takes in parts written by `writePart` (Uint8Arrays, in file order), the first starting
    /// where the bytes pushed so far end and each next one where the one before it ends: true
    /// when joined (then `finish`), false when the rest must be pushed instead.
    #[wasm_bindgen(js_name = joinParts)]
    pub fn join_parts(&mut self, parts: Vec<js_sys::Uint8Array>) -> Result<bool, JsValue> {
        let inner = self.inner.as_mut().ok_or_else(used_up)?;
        let parts = parts.iter().map(js_sys::Uint8Array::to_vec).collect();
        let joined = inner.join_parts(parts).map_err(|e| to_js(&e))?;
        self.rows = inner.progress().1 as f64;
        Ok(joined)
    }

    /// Ends the file and returns the dataset.
    pub fn finish(&mut self) -> Result<DatasetHandle, JsValue> {
        let inner = self.inner.take().ok_or_else(used_up)?;
        let (data, report) = inner.finish().map_err(|e| to_js(&e))?;
        Ok(DatasetHandle { data, report, mined: Default::default() })
    }
}

/// An ingested dataset held in wasm memory until `free()`.
#[wasm_bindgen]
pub struct DatasetHandle {
    pub(super) data: Dataset,
    report: IngestReport,
    /// The cross-sell tables and P(alive) last computed, with their options: the data never
    /// change, so a later call with the same options (offers after rules, pairs and paths; the
    /// offers CSV after the offers) does not compute them again.
    pub(super) mined: crate::recommend::analyses::Mined,
}

#[wasm_bindgen]
impl DatasetHandle {
    /// What the ingest accepted, rejected and decided.
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js_value(&self.report)
    }

    /// Per-customer table (BTYD summary, orders, revenue), columnar, with `unit` and `asOf`.
    pub fn customers(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: CustomerTableRequest = self::options(options)?;
        let (summary, columns) = core(request.parse())?;
        let table = core(summary::customer_table(&self.data, &summary, columns))?;
        let out = Object::new();
        set(&out, "unit", &to_js_value(&table.unit)?)?;
        set(&out, "asOf", &JsValue::from_str(&table.as_of))?;
        add_columns(&out, &table)?;
        Ok(out.into())
    }

    /// The per-customer table as CSV, first columns `customer_id,frequency,recency,T,monetary_value`.
    #[wasm_bindgen(js_name = customersCsv)]
    pub fn customers_csv(&self, options: JsValue) -> Result<String, JsValue> {
        let request: CustomerTableRequest = self::options(options)?;
        let (summary, columns) = core(request.parse())?;
        let table = core(summary::customer_table(&self.data, &summary, columns))?;
        Ok(to_csv(&table))
    }

    pub fn kpis(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: SummaryRequest = self::options(options)?;
        to_js_value(&core(summary::kpis(&self.data, &core(request.parse())?))?)
    }

    pub fn cohorts(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: SummaryRequest = self::options(options)?;
        to_js_value(&core(summary::cohorts(&self.data, &core(request.parse())?))?)
    }

    pub fn rfm(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: SummaryRequest = self::options(options)?;
        let options = core(request.rfm())?;
        let mut result = core(segments::rfm(&self.data, &options))?;
        let table = std::mem::take(&mut result.customers);
        self.mined.remember_segments(&self.data, &options, &table);
        with_table(&result, "customers", &table)
    }

    pub fn lifecycle(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: LifecycleRequest = self::options(options)?;
        let mut result = core(segments::lifecycle(&self.data, &core(request.parse())?))?;
        let table = std::mem::take(&mut result.customers);
        with_table(&result, "customers", &table)
    }

    /// The RFM table as CSV (`customer_id,recency_days,frequency,monetary,r,f,m,fm,segment`).
    #[wasm_bindgen(js_name = rfmCsv)]
    pub fn rfm_csv(&self, options: JsValue) -> Result<String, JsValue> {
        let request: SummaryRequest = self::options(options)?;
        Ok(to_csv(&core(segments::rfm(&self.data, &core(request.rfm())?))?.customers))
    }

    /// The lifecycle table as CSV (`customer_id,stage,purchase_days,...`).
    #[wasm_bindgen(js_name = lifecycleCsv)]
    pub fn lifecycle_csv(&self, options: JsValue) -> Result<String, JsValue> {
        let request: LifecycleRequest = self::options(options)?;
        Ok(to_csv(&core(segments::lifecycle(&self.data, &core(request.parse())?))?.customers))
    }

    pub fn acquisition(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: AcquisitionRequest = self::options(options)?;
        to_js_value(&core(summary::acquisition(&self.data, &core(request.parse())?))?)
    }
}

/// A pre-aggregated summary file being read: `push` chunks, then `finish`.
#[wasm_bindgen]
pub struct SummaryIngestor {
    inner: Option<SummaryIngest>,
}

#[wasm_bindgen]
impl SummaryIngestor {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<SummaryIngestor, JsValue> {
        let options: SummaryIngestOptions = self::options(options)?;
        Ok(SummaryIngestor { inner: Some(core(SummaryIngest::new(&options))?) })
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        let inner = self.inner.as_mut().ok_or_else(used_up)?;
        inner.feed(chunk).map_err(|e| {
            self.inner = None;
            to_js(&e)
        })
    }

    pub fn rows(&self) -> f64 {
        self.inner.as_ref().map_or(0.0, |i| i.rows() as f64)
    }

    pub fn finish(&mut self) -> Result<SummaryHandle, JsValue> {
        let inner = self.inner.take().ok_or_else(used_up)?;
        let (table, report) = core(inner.finish())?;
        Ok(SummaryHandle { table, report })
    }
}

/// A summary table held in wasm memory until `free()`.
#[wasm_bindgen]
pub struct SummaryHandle {
    table: SummaryTable,
    report: SummaryReport,
}

impl SummaryHandle {
    pub(super) fn table(&self) -> &SummaryTable {
        &self.table
    }
}

#[wasm_bindgen]
impl SummaryHandle {
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js_value(&self.report)
    }

    /// The summary, columnar: customerId, frequency, recency, T and (when given) monetaryValue.
    pub fn customers(&self) -> Result<JsValue, JsValue> {
        let out = Object::new();
        add_columns(&out, &self.table)?;
        Ok(out.into())
    }

    #[wasm_bindgen(js_name = customersCsv)]
    pub fn customers_csv(&self) -> String {
        to_csv(&self.table)
    }
}
