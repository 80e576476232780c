//! The baskets-file reader on any bytes, chunked anywhere: never a panic, rows accounted for.
#![no_main]
use clvkit::recommend::baskets::{ingest_baskets_bytes, BasketIngestOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&size, data)) = input.split_first() else { return };
    if let Ok((_, report)) = ingest_baskets_bytes(data, &BasketIngestOptions::default(), usize::from(size % 64) + 1) {
        assert_eq!(report.rows.total_rows, report.rows.accepted_rows + report.rows.rejected_rows);
    }
});
