//! Streaming ingest of delimited transaction files: bytes in chunks → validated lines → a
//! [`crate::dataset::Dataset`], with every rejected row counted and explained.

pub mod amounts;
pub mod dates;
pub mod evidence;
pub mod mapping;
pub mod reader;
pub mod rows;
pub mod transactions;
pub mod summary_file;
