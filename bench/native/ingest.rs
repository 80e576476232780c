//! The ingest benchmark's native clvkit case (bench/cases/clvkit-native.mjs builds and runs it):
//! the same job as the wasm case, compiled for this machine instead of wasm.
//!
//!   cargo build --release --example bench-ingest
//!   target/release/examples/bench-ingest --file data.csv [--warmup small.csv] [--out summary.tsv]
//!
//! The file is read in 1 MiB chunks (as `ingestFile` feeds the wasm) into the crate's streaming
//! ingest (`TransactionIngest::feed`, then `finish`), and `customer_table` computes the
//! per-customer BTYD summary (days, as of the last order date), as `dataset.customers({ unit:
//! "days", columns: [...the four BTYD columns] })` does. Like every case (bench/cases/common.mjs) it runs the job once on --warmup
//! (discarded), then once on --file, timed from opening the file to having the summary columns,
//! and prints one JSON line: { case, setupMs, ms, customers, maxRssBytes } (setupMs is 0: there is
//! no engine to start; maxRssBytes is this process's peak RSS, VmHWM). --out writes the summary as
//! TSV (id, frequency, recency, T, monetary value) after the timing.
use std::fs::File;
use std::io::{Read, Write};
use std::time::Instant;

use clvkit::ingest::transactions::{IngestOptions, TransactionIngest};
use clvkit::summary::{customer_table, CustomerColumns, CustomerTable, SummaryOptions};

const CHUNK: usize = 1 << 20;

fn fail(message: String) -> ! {
    eprintln!("bench-ingest: {message}");
    std::process::exit(1);
}

/// Ingest + per-customer table of the file at `path`, read in chunks.
fn job(path: &str) -> CustomerTable {
    let mut file = File::open(path).unwrap_or_else(|e| fail(format!("{path}: {e}")));
    let mut ingest = TransactionIngest::new(&IngestOptions::default()).unwrap_or_else(|e| fail(format!("options: {e:?}")));
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buffer).unwrap_or_else(|e| fail(format!("{path}: {e}")));
        if n == 0 {
            break;
        }
        ingest.feed(&buffer[..n]).unwrap_or_else(|e| fail(format!("{path}: {e:?}")));
    }
    let (data, report) = ingest.finish().unwrap_or_else(|e| fail(format!("{path}: {e:?}")));
    if report.rows.rejected_rows != 0 {
        fail(format!("{path}: clvkit rejected {} rows", report.rows.rejected_rows));
    }
    customer_table(&data, &SummaryOptions::default(), CustomerColumns::BTYD).unwrap_or_else(|e| fail(format!("customer table: {e:?}")))
}

/// This process's peak resident set size in bytes (VmHWM of /proc/self/status), 0 if unknown.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn write_tsv(path: &str, t: &CustomerTable) {
    let mut out = std::io::BufWriter::new(File::create(path).unwrap_or_else(|e| fail(format!("{path}: {e}"))));
    for i in 0..t.customer_id.len() {
        writeln!(out, "{}\t{}\t{}\t{}\t{}", &t.customer_id[i], t.frequency[i], t.recency[i], t.t[i], t.monetary_value[i]).unwrap_or_else(|e| fail(format!("{path}: {e}")));
    }
    out.flush().unwrap_or_else(|e| fail(format!("{path}: {e}")));
}

fn main() {
    let (mut file, mut warmup, mut out) = (None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| fail(format!("{flag} needs a value")));
        match flag.as_str() {
            "--file" => file = Some(value),
            "--warmup" => warmup = Some(value),
            "--out" => out = Some(value),
            other => fail(format!("unexpected argument {other}")),
        }
    }
    let file = file.unwrap_or_else(|| fail("--file is required".into()));
    if let Some(w) = &warmup {
        std::hint::black_box(job(w));
    }
    let start = Instant::now();
    let table = job(&file);
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let customers = table.customer_id.len();
    let max_rss = peak_rss();
    if let Some(path) = &out {
        write_tsv(path, &table);
    }
    println!(r#"{{"case":"clvkit-native","setupMs":0,"ms":{ms},"customers":{customers},"maxRssBytes":{max_rss}}}"#);
}
