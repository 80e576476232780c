//! Customer segments read from a [`crate::dataset::Dataset`]: RFM scores with named segments,
//! and lifecycle stages (new, one-time, active repeat, reactivated, at risk, lapsed).
//!
//! Both use the observation end and purchase policy of [`crate::summary`]: only customers with a
//! purchase (non-return order) on or before asOf, revenue net of returns.

mod lifecycle;
mod rfm;

pub use lifecycle::{
    lifecycle, Lifecycle, LifecycleOptions, LifecycleStage, LifecycleTable, StageCount,
};
pub use rfm::{
    quintile_scores, rfm, segment_of, Rfm, RfmOptions, RfmTable, Segment, SegmentSummary,
    SEGMENT_MAP,
};
