//! Every JS-facing options object, as JSON (the first byte picks the kind): deserialising and
//! validating it, and for the calculators and sBG computing the result, never panics.
#![no_main]
use clvkit::calc;
use clvkit::ingest::transactions::{IngestOptions, TransactionIngest};
use clvkit::models::analyses::{ModelRequest, PredictionRequest};
use clvkit::models::HoldoutRequest;
use clvkit::options::{AcquisitionRequest, LifecycleRequest, SummaryRequest};
use clvkit::recommend::requests::{EvaluationRequest, NextBestOfferRequest, RulesRequest, SimilarityRequest, UpsellRequest};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;


/// Deserialises `json` as `T` and runs `f` on it; a JSON value of the wrong shape is simply skipped.
fn with<T: DeserializeOwned, R, E>(json: &str, f: impl FnOnce(&T) -> Result<R, E>) {
    if let Ok(value) = serde_json::from_str::<T>(json) {
        let _ = f(&value);
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&kind, rest)) = input.split_first() else { return };
    let Ok(json) = std::str::from_utf8(rest) else { return };
    match kind % 16 {
        0 => with(json, calc::simple_clv),
        1 => with(json, calc::profit_clv),
        2 => with(json, calc::retention_clv),
        3 => with(json, calc::cac),
        4 => with(json, calc::clv_cac_ratio),
        5 => with(json, calc::what_if),
        6 => with(json, clvkit::models::analyses::sbg),
        7 => with(json, |o: &IngestOptions| TransactionIngest::new(o)),
        8 => with(json, |r: &SummaryRequest| r.parse()),
        9 => with(json, |r: &LifecycleRequest| r.parse()),
        10 => with(json, |r: &AcquisitionRequest| r.parse()),
        11 => with(json, |r: &ModelRequest| r.parse()),
        12 => with(json, |r: &PredictionRequest| r.parse()),
        13 => with(json, |r: &HoldoutRequest| r.parse()),
        14 => with(json, |r: &RulesRequest| r.parse()),
        _ => {
            with(json, |r: &NextBestOfferRequest| r.parse());
            with(json, |r: &EvaluationRequest| r.parse());
            with(json, |r: &SimilarityRequest| r.parse());
            with(json, |r: &UpsellRequest| r.parse());
        }
    }
});
