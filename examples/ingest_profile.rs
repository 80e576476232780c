//! Native timing of what the benchmark's clvkit case does in wasm (`bench/cases/clvkit.mjs`), in
//! phases, to find where the time goes (no wasm, no JS):
//!
//!   cargo run --release --example ingest_profile -- bench/.data/transactions-1000000-s42-v1.csv
//!
//! 1. the CSV reader alone (csv-core + line counting + UTF-8 checks of every field);
//! 2. the whole ingest, 1 MiB chunks as `ingestFile` feeds them: `feed` (parsing, validation,
//!    building orders) then `finish` (sorting orders into the dataset);
//! 3. the per-customer table (`customer_table`, days, asOf = the last order date).
//!
//! `node bench/generate.mjs --rows N` makes the file. The release profile is the wasm's
//! (`opt-level = "z"`); `CARGO_PROFILE_RELEASE_OPT_LEVEL=3` compares, and
//! `CARGO_PROFILE_RELEASE_DEBUG=true` keeps symbols for `perf record` or
//! `valgrind --tool=callgrind` (use a 100k-row file under callgrind). Use a separate
//! `CARGO_TARGET_DIR` for such builds so they do not replace the normal ones.
use std::time::Instant;

use clvkit::ingest::reader::Reader;
use clvkit::ingest::transactions::{IngestOptions, TransactionIngest};
use clvkit::summary::{customer_table, CustomerColumns, SummaryOptions};

const CHUNK: usize = 1 << 20;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: ingest_profile FILE.csv [repeat]");
    let repeat: usize = args
        .next()
        .map_or(1, |s| s.parse().expect("repeat: a number"));
    let bytes = std::fs::read(&path).expect("cannot read the file");
    let mb = bytes.len() as f64 / 1e6;
    for _ in 0..repeat {
        let t = Instant::now();
        let mut reader = Reader::new(None);
        let mut fields = 0usize;
        let mut sink = |record: clvkit::ingest::reader::Record<'_>| {
            for i in 0..record.len() {
                fields += record.text(i)?.len().min(1);
            }
            Ok(())
        };
        for chunk in bytes.chunks(CHUNK) {
            reader.feed(chunk, &mut sink).expect("reader");
        }
        reader.finish(&mut sink).expect("reader");
        let read = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let mut ingest = TransactionIngest::new(&IngestOptions::default()).expect("options");
        for chunk in bytes.chunks(CHUNK) {
            ingest.feed(chunk).expect("ingest");
        }
        let fed = t.elapsed().as_secs_f64();
        let (data, report) = ingest.finish().expect("ingest");
        let ingest = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let table = customer_table(&data, &SummaryOptions::default(), CustomerColumns::ALL).expect("customer table");
        let summary = t.elapsed().as_secs_f64();

        println!(
            "{mb:.1} MB, {} rows ({} rejected), {} customers, {fields} non-empty fields\n  \
             reader only     {read:7.3} s  {:7.1} MB/s\n  \
             ingest          {ingest:7.3} s  {:7.1} MB/s  ({:.0} rows/s)\n  \
             - feed          {fed:7.3} s\n  \
             - finish        {:7.3} s\n  \
             customer_table  {summary:7.3} s\n  \
             ingest + table  {:7.3} s  {:7.1} MB/s",
            report.rows.total_rows,
            report.rows.rejected_rows,
            table.customer_id.len(),
            mb / read,
            mb / ingest,
            report.rows.total_rows as f64 / ingest,
            ingest - fed,
            ingest + summary,
            mb / (ingest + summary),
        );
    }
}
