//! The streaming CSV reader on any bytes, split into chunks anywhere: never a panic, and the
//! records (lines, fields, errors) are the same whatever the chunking.
#![no_main]
use clvkit::ingest::reader::{Reader, Record};
use libfuzzer_sys::fuzz_target;

fn read(data: &[u8], chunk: usize) -> Result<Vec<(u64, Vec<Vec<u8>>, bool)>, String> {
    let mut reader = Reader::new(None);
    let mut out = Vec::new();
    let mut sink = |r: Record<'_>| {
        let fields = (0..r.len()).map(|i| r.raw(i).unwrap_or_default().to_vec()).collect();
        out.push((r.line(), fields, r.error().is_some()));
        Ok(())
    };
    for part in data.chunks(chunk.max(1)) {
        reader.feed(part, &mut sink).map_err(|e| e.message)?;
    }
    reader.finish(&mut sink).map_err(|e| e.message)?;
    Ok(out)
}

fuzz_target!(|input: &[u8]| {
    let Some((&size, data)) = input.split_first() else { return };
    let whole = read(data, usize::MAX);
    let chunked = read(data, usize::from(size % 64) + 1);
    assert_eq!(whole, chunked, "chunking changed the records");
});
