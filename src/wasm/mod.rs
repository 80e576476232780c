//! The only module that knows wasm-bindgen: it converts JS values to the core's inputs and back,
//! and turns every core error into a JS `Error` carrying `code`, `field`, `line` and `column`.
//! With the feature `objects` the calculators take and return JS objects; [`compact`] is the
//! lean string interface of the embeddable widget.

#[cfg(feature = "objects")]
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;

#[cfg(feature = "objects")]
use crate::calc;

pub mod compact;

#[cfg(feature = "analytics")]
mod dataset;
#[cfg(feature = "analytics")]
mod models;
#[cfg(feature = "analytics")]
mod recommend;
#[cfg(feature = "analytics")]
pub use dataset::{DatasetHandle, Ingestor, SummaryHandle, SummaryIngestor};
#[cfg(feature = "objects")]
use crate::error::{Error, ErrorCode};

/// Deserialises `input`, runs `f` and serialises its result (plain objects, `null` for `None`).
#[cfg(feature = "objects")]
fn run<I, O>(
    input: JsValue,
    f: impl FnOnce(I) -> crate::error::Result<O>,
) -> Result<JsValue, JsValue>
where
    I: DeserializeOwned,
    O: Serialize,
{
    let parsed: I = from_js(input)?;
    let out = f(parsed).map_err(|e| to_js(&e))?;
    to_js_value(&out)
}

/// A JS options object as `I`; anything but a plain object is `INVALID_INPUT`.
#[cfg(feature = "objects")]
pub(crate) fn from_js<I: DeserializeOwned>(input: JsValue) -> Result<I, JsValue> {
    if !input.is_object() || js_sys::Array::is_array(&input) {
        let got = describe(&input);
        return Err(to_js(&shape_error(&format!(
            "expected an object of inputs, got {got}"
        ))));
    }
    serde_wasm_bindgen::from_value(input).map_err(|e| to_js(&shape_error(&e.to_string())))
}

/// A result as a plain JS object (`null` for `None`, objects for maps).
#[cfg(feature = "objects")]
pub(crate) fn to_js_value<O: Serialize + ?Sized>(out: &O) -> Result<JsValue, JsValue> {
    out.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            to_js(&Error::new(
                ErrorCode::Internal,
                format!("could not convert the result: {e}"),
            ))
        })
}

/// A value that is not an object of the calculator's shape (unknown keys are the core's to report).
#[cfg(feature = "objects")]
fn shape_error(message: &str) -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        format!("the input must be an object of the documented shape: {message}"),
    )
}

/// "null", "an array" or the `typeof` of a value, for messages.
#[cfg(feature = "objects")]
fn describe(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if js_sys::Array::is_array(value) {
        "an array".into()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

#[cfg(feature = "objects")]
pub(crate) fn to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("ClvkitError");
    let set = |key: &str, value: JsValue| {
        // Setting a property on a fresh Error object cannot fail; ignore the impossible error.
        let _ = js_sys::Reflect::set(&err, &JsValue::from_str(key), &value);
    };
    set("code", JsValue::from_str(e.code.as_str()));
    set(
        "field",
        e.field.as_deref().map_or(JsValue::NULL, JsValue::from_str),
    );
    set(
        "line",
        e.line
            .map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64)),
    );
    set(
        "column",
        e.column
            .map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64)),
    );
    err.into()
}

/// Shifted-beta-geometric retention fitted to subscription cohorts, with its forecast.
#[cfg(feature = "analytics")]
#[wasm_bindgen(js_name = fitSbg)]
pub fn fit_sbg(input: JsValue) -> Result<JsValue, JsValue> {
    run(input, |i| crate::models::analyses::sbg(&i))
}

#[cfg(feature = "objects")]
#[wasm_bindgen(js_name = simpleClv)]
pub fn simple_clv(input: JsValue) -> Result<JsValue, JsValue> {
    run(input, |i| calc::simple_clv(&i))
}

#[cfg(feature = "objects")]
#[wasm_bindgen(js_name = profitClv)]
pub fn profit_clv(input: JsValue) -> Result<JsValue, JsValue> {
    run(input, |i| calc::profit_clv(&i))
}

#[cfg(feature = "objects")]
#[wasm_bindgen(js_name = retentionClv)]
pub fn retention_clv(input: JsValue) -> Result<JsValue, JsValue> {
    run(input, |i| calc::retention_clv(&i))
}

#[cfg(feature = "objects")]
#[wasm_bindgen(js_name = cac)]
pub fn cac(input: JsValue) -> Result<JsValue, JsValue> {
    run(input, |i| calc::cac(&i))
}

#[cfg(feature = "objects")]
#[wasm_bindgen(js_name = clvCacRatio)]
pub fn clv_cac_ratio(input: JsValue) -> Result<JsValue, JsValue> {
    run(input, |i| calc::clv_cac_ratio(&i))
}

#[cfg(feature = "objects")]
#[wasm_bindgen(js_name = whatIf)]
pub fn what_if(input: JsValue) -> Result<JsValue, JsValue> {
    run(input, |i| calc::what_if(&i))
}

#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
