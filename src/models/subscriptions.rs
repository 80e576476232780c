//! sBG retention fitted to a transaction dataset read as subscriptions: each monthly acquisition
//! cohort's customers still paying k months on (`Cohorts::surviving`) are the survival counts.

use super::analyses::{sbg, SbgRequest, SbgResult};
use crate::dataset::Dataset;
use crate::error::{Error, ErrorCode, Result};
use crate::input::Scalar;
use crate::options::SummaryRequest;
use crate::summary::{cohorts, subscription_cohorts};
use serde::Deserialize;

/// `dataset.fitSbg(...)`: `{ asOf?, periods?, discountRate?, renewals?, penalizer?, maxIterations? }`
/// (as `fitSbg`, with the cohorts taken from the dataset's monthly cohorts up to `asOf`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CohortSbgRequest {
    pub as_of: Option<Scalar>,
    #[serde(flatten)]
    pub sbg: SbgRequest,
}

/// The monthly subscription cohorts of `dataset` and the sBG fitted to them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CohortSbg {
    /// Cohort survival rows used: `[size, still paying 1 month on, 2 months on, ...]`, complete months only.
    pub cohorts: Vec<Vec<u64>>,
    #[serde(flatten)]
    pub result: SbgResult,
}

pub fn cohort_sbg(dataset: &Dataset, request: &CohortSbgRequest) -> Result<CohortSbg> {
    if request.sbg.cohorts.is_some() {
        return Err(Error::new(
            ErrorCode::UnknownField,
            "cohorts come from the dataset here; to fit your own counts call fitSbg({ cohorts })",
        )
        .with_field("cohorts"));
    }
    let summary = SummaryRequest { as_of: request.as_of.clone(), ..Default::default() }.parse()?;
    let rows = subscription_cohorts(&cohorts(dataset, &summary)?);
    if rows.is_empty() {
        return Err(Error::new(
            ErrorCode::InsufficientData,
            "no cohort has a complete month after its first: the data span less than two calendar months",
        ));
    }
    let counts = rows
        .iter()
        .map(|row| row.iter().map(|n| Scalar::from(n.to_string().as_str())).collect())
        .collect();
    let result = sbg(&SbgRequest { cohorts: Some(counts), ..request.sbg.clone() })?;
    Ok(CohortSbg { cohorts: rows, result })
}
