//! The pre-aggregated summary-file ingest on any bytes: never a panic, rows accounted for, and
//! every accepted row consistent (finite, recency ≤ T).
#![no_main]
use clvkit::ingest::summary_file::{ingest_summary_bytes, SummaryIngestOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&size, data)) = input.split_first() else { return };
    if let Ok((table, report)) = ingest_summary_bytes(data, &SummaryIngestOptions::default(), usize::from(size % 64) + 1) {
        assert_eq!(report.rows.total_rows, report.rows.accepted_rows + report.rows.rejected_rows);
        for i in 0..table.customer_id.len() {
            let (r, t) = (table.recency[i], table.t[i]);
            assert!(r.is_finite() && t.is_finite() && r <= t && table.frequency[i].is_finite());
        }
    }
});
