//! The bindings inside a real browser (wasm-bindgen-test in headless Chromium, run by `npm test`):
//! JS values in, plain objects out, errors as JS `Error`s with `code` and `field`.
#![cfg(target_arch = "wasm32")]

use clvkit::wasm;
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        Reflect::set(&o, &JsValue::from_str(k), v).expect("set on a fresh object");
    }
    o.into()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("get")
}

fn article(aov: JsValue) -> JsValue {
    object(&[
        ("averageOrderValue", aov),
        ("purchaseFrequency", JsValue::from_f64(3.0)),
        ("lifespanYears", JsValue::from_str("4")),
    ])
}

fn error_code(result: Result<JsValue, JsValue>) -> String {
    let err = result.expect_err("expected an error");
    let e: &js_sys::Error = err.dyn_ref().expect("a JS Error");
    assert_eq!(e.name(), "ClvkitError");
    get(&err, "code").as_string().expect("code is a string")
}

#[wasm_bindgen_test]
fn simple_clv_from_js_numbers_and_strings() {
    let r = wasm::simple_clv(article(JsValue::from_f64(75.0))).expect("result");
    assert_eq!(get(&r, "clv").as_string().as_deref(), Some("900.00"));
    assert_eq!(get(&r, "kind").as_string().as_deref(), Some("simple"));
    // Option::None crosses as null, not undefined.
    assert!(get(&get(&r, "inputs"), "annualChurnRate").is_null());
}

#[wasm_bindgen_test]
fn ratio_is_a_number() {
    let r = wasm::clv_cac_ratio(object(&[
        ("clv", JsValue::from_str("2500")),
        ("cac", JsValue::from_f64(800.0)),
    ]))
    .expect("result");
    assert_eq!(get(&r, "ratio").as_f64(), Some(3.125));
    assert_eq!(get(&r, "band").as_string().as_deref(), Some("healthy"));
}

#[wasm_bindgen_test]
fn errors_carry_code_and_field() {
    let err = wasm::simple_clv(article(JsValue::from_str("1,2.3"))).expect_err("error");
    assert_eq!(
        get(&err, "code").as_string().as_deref(),
        Some("INVALID_NUMBER")
    );
    assert_eq!(
        get(&err, "field").as_string().as_deref(),
        Some("averageOrderValue")
    );
    assert!(get(&err, "line").is_null());
}

#[wasm_bindgen_test]
fn hostile_values_are_errors_and_the_instance_survives() {
    let cases: Vec<(JsValue, &str)> = vec![
        (JsValue::from_f64(f64::NAN), "NOT_FINITE"),
        (JsValue::from_f64(f64::INFINITY), "NOT_FINITE"),
        (JsValue::from_f64(1e300), "OVERFLOW"),
        (JsValue::NULL, "MISSING_FIELD"),
        (JsValue::TRUE, "INVALID_TYPE"),
        (JsValue::from_str(&"7".repeat(1 << 20)), "INVALID_NUMBER"),
    ];
    for (value, code) in cases {
        assert_eq!(error_code(wasm::simple_clv(article(value))), code);
    }
    for input in [
        JsValue::NULL,
        JsValue::UNDEFINED,
        JsValue::from_f64(1.0),
        js_sys::Array::new().into(),
    ] {
        assert_eq!(error_code(wasm::cac(input)), "INVALID_INPUT");
    }
    let r = wasm::simple_clv(article(JsValue::from_f64(75.0))).expect("still answers");
    assert_eq!(get(&r, "clv").as_string().as_deref(), Some("900.00"));
}

#[wasm_bindgen_test]
fn ingest_in_chunks_and_get_typed_arrays() {
    let mut ingestor = wasm::Ingestor::new(JsValue::UNDEFINED).expect("ingestor");
    let file = b"customer,date,amount\na,2024-01-01,10\na,2024-02-01,20\nb,2024-01-15,5\n";
    for chunk in file.chunks(5) {
        ingestor.push(chunk).expect("push");
    }
    // The reader holds back the start of the file (to sniff it), so rows() may lag until finish().
    assert!(ingestor.rows() <= 3.0);
    let dataset = ingestor.finish().expect("dataset");
    assert!(ingestor.push(b"x").is_err(), "a finished ingest refuses more input");
    let table = dataset.customers(JsValue::UNDEFINED).expect("table");
    let frequency = get(&table, "frequency");
    assert!(frequency.is_instance_of::<js_sys::Float64Array>());
    assert_eq!(js_sys::Float64Array::from(frequency).to_vec(), vec![1.0, 0.0]);
    // String columns cross packed (one string + UTF-16 end offsets); js/dataset.js unpacks them.
    let ids = get(&table, "customerId");
    assert_eq!(get(&ids, "text").as_string().as_deref(), Some("ab"));
    assert_eq!(js_sys::Uint32Array::from(get(&ids, "ends")).to_vec(), vec![1, 2]);
    let report = dataset.report().expect("report");
    assert_eq!(get(&report, "acceptedRows").as_f64(), Some(3.0));
    let bad = object(&[("unit", JsValue::from_str("years"))]);
    assert_eq!(error_code(dataset.customers(bad)), "OUT_OF_RANGE");
}
