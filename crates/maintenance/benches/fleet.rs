//! How long the workshop's arithmetic takes at the size of a national fleet, printed as a
//! markdown table (`cargo bench -p maintenance`). Plain `Instant` and a median of runs: enough to
//! tell whether a page that computes these on request stays fast, with no bench framework to
//! build on 2 cores. The inputs are made up but deterministic, so runs compare.

use std::hint::black_box;
use std::time::{Duration, Instant};

use maintenance::availability::{self, Availability, Cause, Period, Spell};
use maintenance::due::{self, Interval, Since, Usage};
use maintenance::fuel::{self, Issue};
use time::Date;

const RUNS: usize = 20;
const ASSETS: usize = 1_000;
const DAY: i64 = 86_400;
/// 2027-01-01T00:00:00Z.
const YEAR_START: i64 = 1_798_761_600;

/// A small deterministic generator (xorshift64*), so the bench needs no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n.max(1)) as i64
    }
}

/// The median time of `RUNS` runs of `work`, in milliseconds.
fn median_ms(mut work: impl FnMut()) -> f64 {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2].as_secs_f64() * 1000.0
}

fn day(offset: i64) -> Date {
    Date::from_julian_day(2_461_407 + offset as i32).unwrap_or(Date::MIN)
}

fn due_inputs(rng: &mut Rng) -> Vec<(Interval, Since, Usage, Date)> {
    (0..ASSETS * 10)
        .map(|_| {
            let meter = (rng.below(3) > 0).then(|| 100.0 * (1 + rng.below(100)) as f64);
            let days = (meter.is_none() || rng.below(2) == 0).then(|| 30 * (1 + rng.below(24)));
            let interval = Interval {
                meter,
                days,
                soon_meter: 500.0,
                soon_days: 30,
            };
            let since = Since {
                day: day(rng.below(700)),
                meter: rng.below(50_000) as f64,
            };
            let usage = Usage {
                day: day(700 + rng.below(30)),
                meter: since.meter + rng.below(20_000) as f64,
                per_day: rng.below(300) as f64 / 2.0,
            };
            (interval, since, usage, day(730 + rng.below(30)))
        })
        .collect()
}

/// About ten spells per asset over the year, some overlapping, some still open.
fn fleet_spells(rng: &mut Rng) -> Vec<(Vec<Spell>, i64)> {
    (0..ASSETS)
        .map(|_| {
            let spells = (0..5 + rng.below(11))
                .map(|_| {
                    let start = YEAR_START + rng.below(365 * DAY as u64);
                    let end = (rng.below(20) > 0).then(|| start + rng.below(20 * DAY as u64));
                    Spell {
                        start,
                        end,
                        cause: Cause::ALL[rng.below(3) as usize],
                    }
                })
                .collect();
            // One asset in ten delivered during the year.
            let delivered = if rng.below(10) == 0 {
                YEAR_START + rng.below(300 * DAY as u64)
            } else {
                YEAR_START - 1000 * DAY
            };
            (spells, delivered)
        })
        .collect()
}

fn fuel_issues(rng: &mut Rng) -> Vec<Vec<Issue>> {
    (0..ASSETS)
        .map(|_| {
            let mut meter = rng.below(100_000) as f64;
            let mut issues: Vec<Issue> = (0..50)
                .map(|k| {
                    let run = 100.0 + rng.below(400) as f64;
                    meter += run;
                    let theft = if rng.below(25) == 0 { 2.0 } else { 1.0 };
                    Issue {
                        day: day(k * 3),
                        litres: run * 0.25 * theft,
                        meter,
                    }
                })
                .collect();
            // As stored, not in meter order.
            issues.reverse();
            issues
        })
        .collect()
}

fn main() {
    let mut rng = Rng(0x5eed_f1ee_7000_0001);
    let mut rows: Vec<(&str, usize, f64, &str)> = Vec::new();

    let inputs = due_inputs(&mut rng);
    let ms = median_ms(|| {
        for (interval, since, usage, today) in &inputs {
            let _ = black_box(due::next_due(black_box(interval), *since, *usage, *today));
        }
    });
    rows.push(("due: 1,000 assets × 10 tasks", inputs.len(), ms, "< 50 ms"));

    let fleet = fleet_spells(&mut rng);
    let year = Period {
        start: YEAR_START,
        end: YEAR_START + 365 * DAY,
    };
    // "Now" is late in the year, so the open spells and the cut at now are exercised.
    let now = YEAR_START + 350 * DAY;
    let ms = median_ms(|| {
        let mut forces = [Availability::default(); 4];
        let mut daily = vec![[0.0f64; 4]; 365];
        for (k, (spells, delivered)) in fleet.iter().enumerate() {
            let force = k % 4;
            forces[force].add(&availability::availability(
                black_box(spells),
                year,
                *delivered,
                now,
            ));
            let series = availability::series(black_box(spells), year, DAY, *delivered, now);
            for (total, rate) in daily.iter_mut().zip(series) {
                total[force] += rate.unwrap_or(0.0);
            }
        }
        black_box((forces, daily));
    });
    let spells: usize = fleet.iter().map(|(s, _)| s.len()).sum();
    rows.push((
        "availability: a year, 1,000 assets (year + 365 daily steps)",
        spells,
        ms,
        "< 200 ms",
    ));

    let issues = fuel_issues(&mut rng);
    let ms = median_ms(|| {
        for asset in &issues {
            black_box(fuel::consumption(black_box(asset)));
        }
    });
    let count: usize = issues.iter().map(Vec::len).sum();
    rows.push(("fuel: 1,000 assets × 50 issues", count, ms, "—"));

    println!("| name | n | median ms ({RUNS} runs) | target |");
    println!("|---|---:|---:|---|");
    for (name, n, ms, target) in rows {
        println!("| {name} | {n} | {ms:.3} | {target} |");
    }
}
