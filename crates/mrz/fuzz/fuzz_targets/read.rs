//! Any bytes, as text, through `read` (zone finding, strict parse and repair): it must never
//! panic, and a repaired document must verify.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let today = mrz::Date { year: 2026, month: 11, day: 29 };
    let doc = mrz::read(&text, today);
    assert!(doc.repaired.is_empty() || doc.valid);
});
