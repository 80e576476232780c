//! The date parser on any text, in every date order: never a panic; a date it accepts is in the
//! supported years.
#![no_main]
use clvkit::ingest::dates::{DateOrder, DateParser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    for order in [DateOrder::Auto, DateOrder::Ymd, DateOrder::Dmy, DateOrder::Mdy] {
        if let Ok(day) = DateParser::new(order).parse(input) {
            // 1900-01-01 .. 2200-12-31 as days since 1970-01-01.
            assert!((-25_567..=84_370).contains(&day), "{input:?} gave day {day}");
        }
    }
});
