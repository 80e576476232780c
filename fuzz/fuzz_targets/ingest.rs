//! The whole transactions ingest (sniffing, mapping, dates, money, orders) on any bytes, chunked
//! anywhere: never a panic, accepted + rejected = total rows, and the same outcome for any chunking.
#![no_main]
use clvkit::ingest::transactions::{ingest_bytes, IngestOptions};
use clvkit::summary::{customer_table, SummaryOptions};
use libfuzzer_sys::fuzz_target;

fn outcome(data: &[u8], chunk: usize) -> String {
    match ingest_bytes(data, &IngestOptions::default(), chunk) {
        Err(e) => format!("error {:?} {}", e.code, e.message),
        Ok((dataset, report)) => {
            let rows = &report.rows;
            assert_eq!(rows.total_rows, rows.accepted_rows + rows.rejected_rows, "row accounting");
            let table = customer_table(&dataset, &SummaryOptions::default());
            format!("{} {:?}", serde_json::to_string(&report).unwrap_or_default(), table.map(|t| t.customer_id.len()))
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&size, data)) = input.split_first() else { return };
    assert_eq!(outcome(data, usize::MAX), outcome(data, usize::from(size % 64) + 1), "chunking changed the outcome");
});
