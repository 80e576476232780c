//! clvkit: customer lifetime value (CLV), customer acquisition cost (CAC), CLV:CAC and what-if
//! calculators, computed exactly in decimal arithmetic and compiled to WebAssembly for the browser.
//!
//! Money crosses the API as decimal strings (never binary floats); every calculator takes one input
//! struct (deserialized from JSON or a JS object) and returns one result struct (serialized back).
//! See `js/index.d.ts` for the shapes and [`error::ErrorCode`] for the stable error codes.
//!
//! The default feature `analytics` adds everything beyond the calculators (transaction files,
//! summaries, segments, models); the embeddable widget is built without it.

// No reachable panics in library code: no unwrap/expect/panic!, no unchecked indexing or slicing,
// no integer arithmetic that can overflow. Tests are exempt (they may index and unwrap).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::arithmetic_side_effects))]

pub mod calc;
#[cfg(feature = "analytics")]
pub mod dataset;
pub mod error;
#[cfg(feature = "analytics")]
pub mod ingest;
pub mod input;
#[cfg(feature = "analytics")]
pub mod models;
pub mod money;
#[cfg(feature = "analytics")]
pub mod options;
#[cfg(feature = "analytics")]
pub mod recommend;
#[cfg(feature = "analytics")]
pub mod segments;
#[cfg(feature = "analytics")]
pub mod summary;
#[cfg(feature = "analytics")]
pub mod table;
#[cfg(feature = "analytics")]
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
