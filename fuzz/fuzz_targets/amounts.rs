//! The money parser on any text, for every decimal separator: never a panic.
#![no_main]
use clvkit::ingest::amounts::{AmountParser, DecimalSeparator};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    for separator in [DecimalSeparator::Auto, DecimalSeparator::Dot, DecimalSeparator::Comma] {
        let _ = AmountParser::new(separator).parse(input);
    }
});
