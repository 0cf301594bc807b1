//! Zones per second on one core (`cargo bench -p mrz`): 1,000,000 clean zones of each format
//! family through `parse`, and raw text through `read` (zone finding, and repair when needed).
//! Timings live here, never in tests.

use std::hint::black_box;
use std::time::Instant;

use mrz::{Date, parse, read};

const TD3: [&str; 2] = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
];
const TD1: [&str; 3] = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
];
const TD2: [&str; 2] = [
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "D231458907UTO7408122F1204159<<<<<<<6",
];

fn main() {
    let today = Date {
        year: 2026,
        month: 11,
        day: 29,
    };
    let n = 1_000_000u32;
    println!("{:<34} {:>12} {:>14}", "input", "zones", "zones/s");
    for (name, zone) in [
        ("TD3 clean (parse)", &TD3[..]),
        ("TD1 clean (parse)", &TD1[..]),
        ("TD2 clean (parse)", &TD2[..]),
    ] {
        let start = Instant::now();
        let mut valid = 0u32;
        for _ in 0..n {
            valid += u32::from(parse(black_box(zone), today).valid);
        }
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(valid, n);
        println!("{name:<34} {n:>12} {:>14.0}", f64::from(n) / secs);
    }
    let raw = "  p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n";
    let start = Instant::now();
    let m = n / 10;
    for _ in 0..m {
        black_box(read(black_box(raw), today));
    }
    println!(
        "{:<34} {m:>12} {:>14.0}",
        "TD3 raw text (read)",
        f64::from(m) / start.elapsed().as_secs_f64()
    );
    let worn = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO74O8122F12O4159ZE184226B<<<<<1O\n";
    let start = Instant::now();
    let m = n / 100;
    for _ in 0..m {
        black_box(read(black_box(worn), today));
    }
    println!(
        "{:<34} {m:>12} {:>14.0}",
        "TD3 worn, repaired (read)",
        f64::from(m) / start.elapsed().as_secs_f64()
    );
}
