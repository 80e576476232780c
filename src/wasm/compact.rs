//! The calculators behind a compact string interface, for the embeddable widget: inputs cross as
//! one string of names and values separated by U+001F, and the answer comes back as JSON text,
//! `{"result": …}` or `{"error": {"code", "field", "message"}}`. It needs neither serde-wasm-bindgen
//! nor serde's buffering of flattened structs, nor JS objects made from wasm, which keeps the
//! widget's wasm small; the results are the objects the `objects` API returns (the widget tests
//! compare them).

use serde::ser::{self, Serialize};
use std::fmt::Write;
use wasm_bindgen::prelude::*;

use crate::calc::{
    self, CacInput, ClvCacRatioInput, PatternInput, ProfitClvInput, RetentionClvInput,
    SimpleClvInput,
};
use crate::error::{Error, ErrorCode, Result};
use crate::input::Scalar;

/// The separator of names and values in [`calculate`]'s `fields` (ASCII unit separator).
pub const SEPARATOR: char = '\u{1f}';

/// Runs the calculator `kind` ("simpleClv", "profitClv", "retentionClv", "cac" or "clvCacRatio")
/// on `fields` = "name␟value␟name␟value…" joined by [`SEPARATOR`] (names as in the object API,
/// values as typed) and returns `{"result": …}`, or `{"error": …}` with the object API's error
/// `code`, `field` and `message`.
#[wasm_bindgen]
pub fn calculate(kind: &str, fields: &str) -> String {
    let mut out = Json(String::new());
    match compute(kind, fields) {
        Ok(result) => {
            out.0.push_str("{\"result\":");
            out.0.push_str(&result);
        }
        Err(e) => {
            out.0.push_str("{\"error\":{\"code\":");
            out.string(e.code.as_str());
            out.0.push_str(",\"field\":");
            match &e.field {
                Some(field) => out.string(field),
                None => out.0.push_str("null"),
            }
            out.0.push_str(",\"message\":");
            out.string(&e.message);
            out.0.push('}');
        }
    }
    out.0.push('}');
    out.0
}

/// The result of [`calculate`] as JSON, or the calculator's error.
pub fn compute(kind: &str, fields: &str) -> Result<String> {
    let parts: Vec<&str> = if fields.is_empty() { Vec::new() } else { fields.split(SEPARATOR).collect() };
    let pairs = || parts.chunks(2).map(|p| (p.first().copied().unwrap_or(""), p.get(1).copied().unwrap_or("")));
    match kind {
        "simpleClv" => {
            let mut i = SimpleClvInput::default();
            fill(pairs(), |k, v| {
                pattern(&mut i.pattern, k, v) || slot(k, v, &mut [("decimals", &mut i.decimals)])
            })?;
            to_json(&calc::simple_clv(&i)?)
        }
        "profitClv" => {
            let mut i = ProfitClvInput::default();
            fill(pairs(), |k, v| {
                pattern(&mut i.pattern, k, v)
                    || slot(k, v, &mut [
                        ("grossMarginPercent", &mut i.gross_margin_percent),
                        ("costOfGoodsPerOrder", &mut i.cost_of_goods_per_order),
                        ("yearlyServiceCost", &mut i.yearly_service_cost),
                        ("cac", &mut i.cac),
                        ("decimals", &mut i.decimals),
                    ])
            })?;
            to_json(&calc::profit_clv(&i)?)
        }
        "retentionClv" => {
            let mut i = RetentionClvInput::default();
            fill(pairs(), |k, v| {
                slot(k, v, &mut [
                    ("marginPerPeriod", &mut i.margin_per_period),
                    ("retentionRate", &mut i.retention_rate),
                    ("churnRate", &mut i.churn_rate),
                    ("discountRate", &mut i.discount_rate),
                    ("horizonPeriods", &mut i.horizon_periods),
                    ("decimals", &mut i.decimals),
                ])
            })?;
            to_json(&calc::retention_clv(&i)?)
        }
        "cac" => {
            let mut i = CacInput::default();
            fill(pairs(), |k, v| {
                slot(k, v, &mut [
                    ("spend", &mut i.spend),
                    ("newCustomers", &mut i.new_customers),
                    ("decimals", &mut i.decimals),
                ])
            })?;
            to_json(&calc::cac(&i)?)
        }
        "clvCacRatio" => {
            let mut i = ClvCacRatioInput::default();
            fill(pairs(), |k, v| {
                slot(k, v, &mut [
                    ("clv", &mut i.clv),
                    ("cac", &mut i.cac),
                    ("monthlyRevenuePerCustomer", &mut i.monthly_revenue_per_customer),
                    ("grossMarginPercent", &mut i.gross_margin_percent),
                    ("decimals", &mut i.decimals),
                ])
            })?;
            to_json(&calc::clv_cac_ratio(&i)?)
        }
        _ => Err(Error::new(
            ErrorCode::InvalidInput,
            format!("\"{kind}\" is not a calculator of the compact interface"),
        )),
    }
}

/// Hands every pair to `set`; a name it does not take is `UNKNOWN_FIELD`, as in the object API.
fn fill<'a>(
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
    mut set: impl FnMut(&str, &str) -> bool,
) -> Result<()> {
    for (key, value) in pairs {
        if !set(key, value) {
            let message = format!("{key} is not an input of this calculator (check its spelling against the documented inputs)");
            return Err(Error::new(ErrorCode::UnknownField, message).with_field(key));
        }
    }
    Ok(())
}

/// Stores `value` in the slot named `key`; false when no slot has that name.
fn slot(key: &str, value: &str, slots: &mut [(&str, &mut Option<Scalar>)]) -> bool {
    match slots.iter_mut().find(|(name, _)| *name == key) {
        Some((_, target)) => {
            **target = Some(Scalar::Str(value.to_owned()));
            true
        }
        None => false,
    }
}

fn pattern(p: &mut PatternInput, key: &str, value: &str) -> bool {
    slot(key, value, &mut [
        ("averageOrderValue", &mut p.average_order_value),
        ("purchaseFrequency", &mut p.purchase_frequency),
        ("purchaseIntervalMonths", &mut p.purchase_interval_months),
        ("lifespanYears", &mut p.lifespan_years),
        ("annualChurnRate", &mut p.annual_churn_rate),
        ("multiplier", &mut p.multiplier),
    ])
}

/// A result as JSON: the shape `serde_wasm_bindgen`'s JSON-compatible serializer gives in JS.
fn to_json<T: Serialize>(value: &T) -> Result<String> {
    let mut out = Json(String::new());
    value.serialize(&mut out).map_err(|e| Error::new(ErrorCode::Internal, e.0))?;
    Ok(out.0)
}

/// A minimal JSON writer for the calculators' result structs (strings, numbers, booleans,
/// options, sequences, maps and structs; the result types use nothing else).
struct Json(String);

#[derive(Debug)]
struct JsonError(&'static str);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}
impl std::error::Error for JsonError {}
impl ser::Error for JsonError {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        JsonError("a result could not be serialized")
    }
}

type Done = std::result::Result<(), JsonError>;

const UNSUPPORTED: JsonError = JsonError("a result has a type the compact interface does not serialize");

impl Json {
    fn string(&mut self, s: &str) {
        self.0.push('"');
        for c in s.chars() {
            match c {
                '"' => self.0.push_str("\\\""),
                '\\' => self.0.push_str("\\\\"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(self.0, "\\u{:04x}", c as u32);
                }
                c => self.0.push(c),
            }
        }
        self.0.push('"');
    }

    fn number(&mut self, x: f64) {
        if x.is_finite() {
            let _ = write!(self.0, "{x}");
        } else {
            self.0.push_str("null"); // as JSON.stringify
        }
    }

    /// A comma before every element but the first of a sequence or map (the opener ends in '[' or '{').
    fn separate(&mut self) {
        if !self.0.ends_with(['[', '{']) {
            self.0.push(',');
        }
    }

}

impl ser::Serializer for &mut Json {
    type Ok = ();
    type Error = JsonError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = ser::Impossible<(), JsonError>;
    type SerializeTupleVariant = ser::Impossible<(), JsonError>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = ser::Impossible<(), JsonError>;

    fn serialize_bool(self, v: bool) -> Done {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Done {
        self.number(v as f64);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Done {
        self.number(v as f64);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Done {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Done {
        self.number(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Done {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Done {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Done {
        Err(UNSUPPORTED)
    }
    fn serialize_none(self) -> Done {
        self.serialize_unit()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        self.0.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Done {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Done {
        Err(UNSUPPORTED)
    }
    fn serialize_seq(self, _: Option<usize>) -> std::result::Result<Self, JsonError> {
        self.0.push('[');
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> std::result::Result<Self, JsonError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeTupleStruct, JsonError> {
        Err(UNSUPPORTED)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeTupleVariant, JsonError> {
        Err(UNSUPPORTED)
    }
    fn serialize_map(self, _: Option<usize>) -> std::result::Result<Self, JsonError> {
        self.0.push('{');
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> std::result::Result<Self, JsonError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeStructVariant, JsonError> {
        Err(UNSUPPORTED)
    }
}

impl ser::SerializeSeq for &mut Json {
    type Ok = ();
    type Error = JsonError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
        self.separate();
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        self.0.push(']');
        Ok(())
    }
}

impl ser::SerializeTuple for &mut Json {
    type Ok = ();
    type Error = JsonError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Done {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for &mut Json {
    type Ok = ();
    type Error = JsonError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Done {
        self.separate();
        key.serialize(&mut **self)?;
        self.0.push(':');
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        self.0.push('}');
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Json {
    type Ok = ();
    type Error = JsonError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Done {
        ser::SerializeMap::serialize_entry(self, key, value)
    }
    fn end(self) -> Done {
        ser::SerializeMap::end(self)
    }
}

/// The widget build's allocator (without `objects` nothing outlives a call): a bump allocator
/// that counts live blocks and starts over when the last one is freed. Between two calls of
/// [`calculate`] nothing is live, so the heap stays as large as one call needs; it spares the
/// widget the general-purpose allocator (a few KiB of its budget).
#[cfg(all(target_arch = "wasm32", not(feature = "objects")))]
mod arena {
    use std::alloc::{GlobalAlloc, Layout};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    const PAGE: usize = 65536;

    struct Arena {
        base: AtomicUsize,
        next: AtomicUsize,
        end: AtomicUsize,
        live: AtomicUsize,
    }

    #[global_allocator]
    static ARENA: Arena = Arena {
        base: AtomicUsize::new(0),
        next: AtomicUsize::new(0),
        end: AtomicUsize::new(0),
        live: AtomicUsize::new(0),
    };

    unsafe impl GlobalAlloc for Arena {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if self.base.load(Relaxed) == 0 {
                // Everything below the current end of memory is the program's; the arena grows above it.
                let top = core::arch::wasm32::memory_size(0).saturating_mul(PAGE);
                self.base.store(top, Relaxed);
                self.next.store(top, Relaxed);
                self.end.store(top, Relaxed);
            }
            // Alignments are powers of two (at least 1), so `align - 1` is a mask.
            let mask = layout.align().saturating_sub(1);
            let Some(stop) = self.next.load(Relaxed).checked_add(mask).map(|s| s & !mask).and_then(|start| start.checked_add(layout.size())) else {
                return std::ptr::null_mut();
            };
            let start = stop.saturating_sub(layout.size());
            let end = self.end.load(Relaxed);
            if stop > end {
                let pages = stop.saturating_sub(end).div_ceil(PAGE);
                let Some(new_end) = pages.checked_mul(PAGE).and_then(|bytes| end.checked_add(bytes)) else {
                    return std::ptr::null_mut();
                };
                if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                    return std::ptr::null_mut();
                }
                self.end.store(new_end, Relaxed);
            }
            self.next.store(stop, Relaxed);
            self.live.fetch_add(1, Relaxed);
            start as *mut u8
        }

        unsafe fn dealloc(&self, _: *mut u8, _: Layout) {
            if self.live.fetch_sub(1, Relaxed) == 1 {
                self.next.store(self.base.load(Relaxed), Relaxed);
            }
        }
    }
}
