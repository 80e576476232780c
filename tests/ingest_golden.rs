//! Golden outputs of the transactions ingest: every order and line of the dataset and the whole
//! report, for each file of the hostile corpus (tests/fixtures/hostile) and the BTYD fixture,
//! under the default options and with returns dropped. A change to the ingest that changes any of
//! it shows here as a diff of tests/fixtures/golden/<file>.txt; when the change is intended,
//! `CLVKIT_UPDATE_GOLDEN=1 cargo test --test ingest_golden` rewrites the files (review the diff).
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clvkit::ingest::transactions::{ingest_bytes, IngestOptions, ReturnPolicy};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The dataset and report of `bytes` under `options` as text (fed in `chunk`-byte pieces).
fn dump(bytes: &[u8], options: &IngestOptions, chunk: usize) -> String {
    let mut out = String::new();
    let (data, report) = match ingest_bytes(bytes, options, chunk) {
        Ok(done) => done,
        Err(e) => {
            let _ = writeln!(out, "error {:?} field={:?} line={:?} column={:?}: {}", e.code, e.field, e.line, e.column, e.message);
            return out;
        }
    };
    let _ = writeln!(out, "report {}", serde_json::to_string(&report).unwrap());
    // Customers (id, first channel), each with its orders (day, revenue, items, "R" for a return)
    // and their lines (product number, quantity, amount); then the products.
    for (c, name) in data.customers.iter().enumerate() {
        let channel = data.customer_channel[c].map_or("-", |ch| data.channels.name(ch));
        let _ = writeln!(out, "c {name:?} {channel:?}");
        for order in data.orders_of(c as u32) {
            let mark = if order.is_return { " R" } else { "" };
            let _ = writeln!(out, " o {} {} {}{mark}", order.day, order.revenue, data.items(order).unwrap());
            for line in data.lines_of(order) {
                let product = line.product.map_or("-".to_string(), |p| p.to_string());
                let _ = writeln!(out, "  l {product} {} {}", line.quantity, line.amount);
            }
        }
    }
    for (p, name) in data.products.iter().enumerate() {
        let info = &data.product_info[p];
        let category = info.category.map(|k| data.categories.name(k));
        let _ = writeln!(out, "p {p} {name:?} {:?} {category:?}", info.name);
    }
    out
}

#[test]
fn ingest_outputs_match_the_golden_files() {
    let hostile = fixtures().join("hostile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&hostile)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    files.push(fixtures().join("btyd_transactions.csv"));
    assert!(files.len() > 40, "the hostile corpus is missing");
    let update = std::env::var_os("CLVKIT_UPDATE_GOLDEN").is_some();
    let mut differ = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let options = IngestOptions { today: Some("2026-01-01".into()), ..Default::default() };
        let drop = IngestOptions { returns: Some(ReturnPolicy::Drop), ..options.clone() };
        let text = format!(
            "== default options, 7-byte chunks\n{}== returns dropped, 4 KiB chunks\n{}",
            dump(&bytes, &options, 7),
            dump(&bytes, &drop, 4096)
        );
        let golden = fixtures().join("golden").join(format!("{name}.txt"));
        if update {
            std::fs::write(&golden, &text).unwrap();
        } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(text.as_str()) {
            differ.push(name);
        }
    }
    assert!(differ.is_empty(), "ingest output differs from tests/fixtures/golden for {differ:?} (CLVKIT_UPDATE_GOLDEN=1 rewrites them)");
}
