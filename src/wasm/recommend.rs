//! Cross-sell bindings: rules, similarity, upsell, offers and their evaluation on a dataset
//! handle, and a baskets file ingested into its own handle (`BasketIngestor` → `BasketsHandle`).

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::dataset::{core, options, used_up, with_table, Callback, DatasetHandle};
use super::to_js_value;
use crate::recommend::{
    analyses, evaluate_with_progress, Progress, Stage, BasketIngest, BasketIngestOptions, BasketReport, Baskets,
    EvaluationRequest, NextBestOfferRequest, RulesRequest, SimilarityRequest, UpsellRequest,
};
use crate::table::to_csv;

/// Runs `run` with a [`Progress`] that calls `on_progress({ stage, done, total })` (see
/// [`Callback`]): the calls are synchronous, from inside this wasm call, so the callback can count,
/// log or post to another thread, not repaint a page; an exception it throws stops the call and is
/// rethrown as is.
fn with_progress<T>(on_progress: Option<Function>, run: impl FnOnce(&mut Progress<'_>) -> crate::error::Result<T>) -> Result<T, JsValue> {
    let mut callback = Callback::new(on_progress);
    let result = run(&mut |stage: Stage, done: u64, total: u64| {
        callback.report(|| {
            let event = Object::new();
            let fields = [("stage", JsValue::from_str(stage.key())), ("done", JsValue::from_f64(done as f64)), ("total", JsValue::from_f64(total as f64))];
            for (key, value) in fields {
                Reflect::set(&event, &JsValue::from_str(key), &value)?;
            }
            Ok(event.into())
        })
    });
    callback.finish(result)
}

#[wasm_bindgen]
impl DatasetHandle {
    /// Frequent itemsets of the orders (one basket per order, returns left out).
    pub fn itemsets(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: RulesRequest = self::options(options)?;
        let result = core(analyses::itemsets(&Baskets::from_dataset(&self.data), &request))?;
        with_table(&result, "itemsets", &result.itemsets)
    }

    /// Association rules of the orders, with mlxtend's metrics.
    pub fn rules(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let result = self.mined_rules(options)?.result();
        with_table(&result, "rules", &result.rules)
    }

    #[wasm_bindgen(js_name = rulesCsv)]
    pub fn rules_csv(&self, options: JsValue) -> Result<String, JsValue> {
        Ok(to_csv(&self.mined_rules(options)?.rules.rules))
    }

    /// Item-to-item similarity ("customers who bought X also bought Y"), top-k per item.
    pub fn similarity(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: SimilarityRequest = self::options(options)?;
        let result = core(self.mined.similarity(&self.data, &core(request.parse())?))?;
        with_table(&*result, "pairs", &result.table)
    }

    /// Upsell paths: pricier items of the same category that customers moved up to.
    pub fn upsell(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: UpsellRequest = self::options(options)?;
        let result = core(self.mined.upsell(&self.data, &core(request.parse())?))?;
        with_table(&*result, "paths", &result.table)
    }

    /// Next-best offers per customer, with reasons and per-segment summaries; `on_progress`
    /// hears each stage (see [`with_progress`]).
    pub fn offers(&self, options: JsValue, on_progress: Option<Function>) -> Result<JsValue, JsValue> {
        let result = self.next_best_offers(options, on_progress)?;
        with_table(&result, "offers", &result.offers)
    }

    #[wasm_bindgen(js_name = offersCsv)]
    pub fn offers_csv(&self, options: JsValue, on_progress: Option<Function>) -> Result<String, JsValue> {
        Ok(to_csv(&self.next_best_offers(options, on_progress)?.offers))
    }

    /// Offers trained before `cutDate` and scored on the purchases after it, against baselines.
    #[wasm_bindgen(js_name = evaluateOffers)]
    pub fn evaluate_offers(&self, options: JsValue, on_progress: Option<Function>) -> Result<JsValue, JsValue> {
        let request: EvaluationRequest = self::options(options)?;
        let (cut, options) = core(request.parse())?;
        to_js_value(&with_progress(on_progress, |progress| evaluate_with_progress(&self.data, cut, &options, progress))?)
    }
}

impl DatasetHandle {
    fn mined_rules(&self, options: JsValue) -> Result<std::rc::Rc<analyses::MinedRules>, JsValue> {
        let request: RulesRequest = self::options(options)?;
        let (itemsets, rules) = core(request.parse())?;
        core(self.mined.rules(&self.data, &itemsets, &rules))
    }

    fn next_best_offers(&self, options: JsValue, on_progress: Option<Function>) -> Result<crate::recommend::NextBestOffers, JsValue> {
        let request: NextBestOfferRequest = self::options(options)?;
        let plan = core(request.parse())?;
        with_progress(on_progress, |progress| analyses::offers(&self.data, &plan, &self.mined, progress))
    }
}

/// A baskets file being read (one basket per line, comma-separated item ids): `push`, then `finish`.
#[wasm_bindgen]
pub struct BasketIngestor {
    inner: Option<BasketIngest>,
}

#[wasm_bindgen]
impl BasketIngestor {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<BasketIngestor, JsValue> {
        let options: BasketIngestOptions = self::options(options)?;
        Ok(BasketIngestor { inner: Some(core(BasketIngest::new(&options))?) })
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        let inner = self.inner.as_mut().ok_or_else(used_up)?;
        inner.feed(chunk).map_err(|e| {
            self.inner = None;
            super::to_js(&e)
        })
    }

    pub fn rows(&self) -> f64 {
        self.inner.as_ref().map_or(0.0, |i| i.rows() as f64)
    }

    pub fn finish(&mut self) -> Result<BasketsHandle, JsValue> {
        let inner = self.inner.take().ok_or_else(used_up)?;
        let (baskets, report) = core(inner.finish())?;
        Ok(BasketsHandle { baskets, report })
    }
}

/// Baskets held in wasm memory until `free()`.
#[wasm_bindgen]
pub struct BasketsHandle {
    baskets: Baskets,
    report: BasketReport,
}

#[wasm_bindgen]
impl BasketsHandle {
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js_value(&self.report)
    }

    pub fn itemsets(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: RulesRequest = self::options(options)?;
        let result = core(analyses::itemsets(&self.baskets, &request))?;
        with_table(&result, "itemsets", &result.itemsets)
    }

    pub fn rules(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: RulesRequest = self::options(options)?;
        let result = core(analyses::rules(&self.baskets, &request))?;
        with_table(&result, "rules", &result.rules)
    }

    #[wasm_bindgen(js_name = rulesCsv)]
    pub fn rules_csv(&self, options: JsValue) -> Result<String, JsValue> {
        let request: RulesRequest = self::options(options)?;
        Ok(to_csv(&core(analyses::rules(&self.baskets, &request))?.rules))
    }
}
