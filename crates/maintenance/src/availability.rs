//! Fleet availability: how much of a period an asset was in service, how much it was down and
//! why, and the reliability figures that go with it (MTTR, MTBF). An asset's downtime is a list
//! of spells, one per work order or wait, which may overlap (two work orders at once); a second
//! of downtime is counted once. All times are Unix seconds.
//!
//! The counting window of an asset is the period cut to `[in_service_from, now)`: an asset
//! delivered mid-period is not "unavailable" before it existed, and the future is not counted.

/// Why an asset was out of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cause {
    /// In the workshop, being worked on.
    Repair,
    /// Waiting for parts to arrive.
    WaitingParts,
    /// Waiting for the money to pay for the repair or the parts.
    WaitingBudget,
}

impl Cause {
    /// Every cause, in the order of `index` (and of `Availability::by_cause`).
    pub const ALL: [Cause; 3] = [Cause::Repair, Cause::WaitingParts, Cause::WaitingBudget];

    /// The cause's slot in `Availability::by_cause`.
    pub fn index(self) -> usize {
        match self {
            Cause::Repair => 0,
            Cause::WaitingParts => 1,
            Cause::WaitingBudget => 2,
        }
    }

    /// Which cause a second gets when spells of several causes overlap: the higher wins.
    /// Waiting for parts or for money is what the workshop cannot fix by itself, so that is
    /// what the report must show, before the repair work going on at the same time.
    fn priority(self) -> u8 {
        match self {
            Cause::WaitingParts => 2,
            Cause::WaitingBudget => 1,
            Cause::Repair => 0,
        }
    }
}

/// A stretch of time the asset was out of service, with why; `end: None` = still down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spell {
    pub start: i64,
    pub end: Option<i64>,
    pub cause: Cause,
}

/// A half-open stretch of time `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: i64,
    pub end: i64,
}

/// Seconds of service time and of downtime, by cause. Sums over assets with `add`.
///
/// Invariant: `by_cause.iter().sum() == down` and `down <= total`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Availability {
    /// Seconds the asset was in service in the period (up to `now`).
    pub total: i64,
    /// Seconds of that it was down, each counted once however many spells cover it.
    pub down: i64,
    /// `down` split by cause, indexed by `Cause::index`.
    pub by_cause: [i64; 3],
}

impl Availability {
    /// The share of the service time the asset was available; None with no service time
    /// (not yet delivered, or a period in the future), which is not the same as 0 %.
    pub fn rate(&self) -> Option<f64> {
        (self.total > 0).then(|| (self.total - self.down) as f64 / self.total as f64)
    }

    /// Available time in days, the unit the reports use ("asset-days available").
    pub fn days_available(&self) -> f64 {
        (self.total - self.down) as f64 / 86_400.0
    }

    /// Adds another asset's figures, to total a unit, a force or a class of asset. The rate of
    /// the sum is then weighted by service time, as it should be.
    pub fn add(&mut self, other: &Availability) {
        self.total = self.total.saturating_add(other.total);
        self.down = self.down.saturating_add(other.down);
        for (mine, theirs) in self.by_cause.iter_mut().zip(other.by_cause) {
            *mine = mine.saturating_add(theirs);
        }
    }
}

/// The counting window: the period cut to `[in_service_from, now)`. None when empty.
fn window(period: Period, in_service_from: i64, now: i64) -> Option<(i64, i64)> {
    let lo = period.start.max(in_service_from);
    let hi = period.end.min(now);
    (lo < hi).then_some((lo, hi))
}

/// The downtime inside `[lo, hi)` as sorted, disjoint segments `(start, end, cause)`, each
/// second under the highest-priority cause of the spells covering it. Open spells end at
/// `now`; spells ending before they start are bad data and ignored.
///
/// A sweep over the spells' edges: O(n log n) in the number of spells, whatever the length of
/// the window.
fn down_segments(spells: &[Spell], lo: i64, hi: i64, now: i64) -> Vec<(i64, i64, Cause)> {
    // (time, cause, +1 opening / -1 closing); closings sort first at equal times, which
    // does not change the result but keeps the segments minimal.
    let mut edges: Vec<(i64, i8, Cause)> = Vec::with_capacity(spells.len() * 2);
    for spell in spells {
        let end = spell.end.unwrap_or(now);
        if end < spell.start {
            continue;
        }
        let (start, end) = (spell.start.max(lo), end.min(hi));
        if start < end {
            edges.push((start, 1, spell.cause));
            edges.push((end, -1, spell.cause));
        }
    }
    edges.sort_unstable_by_key(|&(at, delta, _)| (at, delta));

    let mut open = [0u32; 3];
    let mut segments: Vec<(i64, i64, Cause)> = Vec::new();
    let mut i = 0;
    while i < edges.len() {
        let at = edges[i].0;
        while i < edges.len() && edges[i].0 == at {
            let (_, delta, cause) = edges[i];
            let slot = &mut open[cause.index()];
            if delta > 0 {
                *slot += 1;
            } else {
                *slot = slot.saturating_sub(1);
            }
            i += 1;
        }
        let Some(&(next, _, _)) = edges.get(i) else {
            break;
        };
        let cause = Cause::ALL
            .into_iter()
            .filter(|c| open[c.index()] > 0)
            .max_by_key(|c| c.priority());
        if let Some(cause) = cause {
            match segments.last_mut() {
                Some(last) if last.1 == at && last.2 == cause => last.1 = next,
                _ => segments.push((at, next, cause)),
            }
        }
    }
    segments
}

/// One asset over a period. `now` closes the open spells, and time after `now` is not counted
/// (the period is cut at `now`). An asset delivered mid-period (`in_service_from`) counts only
/// from then.
pub fn availability(
    spells: &[Spell],
    period: Period,
    in_service_from: i64,
    now: i64,
) -> Availability {
    let Some((lo, hi)) = window(period, in_service_from, now) else {
        return Availability::default();
    };
    let mut result = Availability {
        total: hi.saturating_sub(lo),
        ..Availability::default()
    };
    for (start, end, cause) in down_segments(spells, lo, hi, now) {
        // Saturating only matters for absurd times; it keeps odd input from panicking.
        let seconds = end.saturating_sub(start);
        result.down = result.down.saturating_add(seconds);
        let slot = &mut result.by_cause[cause.index()];
        *slot = slot.saturating_add(seconds);
    }
    result
}

/// The availability rate per consecutive `step` of the period (a day, a week), for a chart:
/// one value per step, the last step cut at the period's end; None for a step with no service
/// time (before delivery, after `now`). A `step` that is not positive gives no values.
///
/// The spells are merged once and the steps swept alongside them, so a year of days costs about
/// as much as the spells themselves, not days × spells.
pub fn series(
    spells: &[Spell],
    period: Period,
    step: i64,
    in_service_from: i64,
    now: i64,
) -> Vec<Option<f64>> {
    if step <= 0 || period.end <= period.start {
        return Vec::new();
    }
    let length = period.end.saturating_sub(period.start);
    let steps = length / step + i64::from(length % step != 0);
    // The hint is capped: a silly step must not turn into one huge allocation up front.
    let mut out = Vec::with_capacity(usize::try_from(steps).unwrap_or(0).min(1 << 16));
    let segments = match window(period, in_service_from, now) {
        Some((lo, hi)) => down_segments(spells, lo, hi, now),
        None => Vec::new(),
    };
    let mut next = 0; // the first segment that may still reach into the current step
    let mut step_start = period.start;
    while step_start < period.end {
        let step_end = step_start.saturating_add(step).min(period.end);
        let here = Period {
            start: step_start,
            end: step_end,
        };
        let value = window(here, in_service_from, now).map(|(lo, hi)| {
            // In i128: a window of absurd times must not overflow.
            let mut down: i128 = 0;
            let mut k = next;
            while let Some(&(start, end, _)) = segments.get(k) {
                if start >= hi {
                    break;
                }
                down += i128::from(end.min(hi)) - i128::from(start.max(lo));
                if end > hi {
                    break; // it goes on into the next step
                }
                k += 1;
            }
            next = k;
            let span = i128::from(hi) - i128::from(lo);
            (span - down) as f64 / span as f64
        });
        out.push(value);
        step_start = step_end;
    }
    out
}

/// Mean time to restore, in hours: the time the finished repairs (corrective work orders,
/// opened → closed) took in all, over their number. None when there is none, or when the time
/// is not a sensible one (negative: bad data must not pull the mean down).
pub fn mttr_hours(repairs: usize, seconds: f64) -> Option<f64> {
    (repairs > 0 && seconds.is_finite() && seconds >= 0.0)
        .then(|| seconds / repairs as f64 / 3600.0)
}

/// Mean operating use between failures, in the meter's unit (km, engine hours, flight hours):
/// the meter run over the period divided by the number of failures (corrective work orders) in
/// it. None with no failure (there is nothing to average, not an infinite figure) or no meter
/// run (the asset was not used, or the readings are wrong).
pub fn mtbf(meter_at_start: f64, meter_at_end: f64, failures: usize) -> Option<f64> {
    let run = meter_at_end - meter_at_start;
    (failures > 0 && run.is_finite() && run > 0.0).then(|| run / failures as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cause::*;

    const DAY: i64 = 86_400;

    fn spell(start: i64, end: Option<i64>, cause: Cause) -> Spell {
        Spell { start, end, cause }
    }

    fn period(start: i64, end: i64) -> Period {
        Period { start, end }
    }

    /// Checks `availability` against the expected (total, down, by_cause).
    fn check(spells: &[Spell], p: Period, from: i64, now: i64, expected: (i64, i64, [i64; 3])) {
        let got = availability(spells, p, from, now);
        assert_eq!(
            (got.total, got.down, got.by_cause),
            expected,
            "spells {spells:?} period {p:?} from {from} now {now}"
        );
    }

    #[test]
    fn a_second_covered_by_two_spells_is_down_once() {
        // Two work orders at once: [10, 30) and [20, 50) are 40 seconds down, not 50.
        check(
            &[spell(10, Some(30), Repair), spell(20, Some(50), Repair)],
            period(0, 100),
            0,
            1000,
            (100, 40, [40, 0, 0]),
        );
    }

    #[test]
    fn an_overlap_goes_to_waiting_parts_then_budget_then_repair() {
        // Repair [0, 60), parts [10, 30), budget [20, 40): 10..30 parts, 30..40 budget,
        // the rest repair.
        check(
            &[
                spell(0, Some(60), Repair),
                spell(10, Some(30), WaitingParts),
                spell(20, Some(40), WaitingBudget),
            ],
            period(0, 100),
            0,
            1000,
            (100, 60, [30, 20, 10]),
        );
        // Budget over repair.
        check(
            &[
                spell(0, Some(10), WaitingBudget),
                spell(0, Some(10), Repair),
            ],
            period(0, 100),
            0,
            1000,
            (100, 10, [0, 0, 10]),
        );
    }

    #[test]
    fn an_open_spell_is_closed_at_now() {
        check(
            &[spell(40, None, WaitingParts)],
            period(0, 100),
            0,
            70,
            (70, 30, [0, 30, 0]),
        );
    }

    #[test]
    fn the_period_is_cut_at_now() {
        // A closed spell running past now counts only up to now, and so does the period.
        check(
            &[spell(50, Some(90), Repair)],
            period(0, 100),
            0,
            60,
            (60, 10, [10, 0, 0]),
        );
        // A period wholly in the future has no service time and no rate.
        let future = availability(&[], period(100, 200), 0, 50);
        assert_eq!(future, Availability::default());
        assert_eq!(future.rate(), None);
    }

    #[test]
    fn an_asset_delivered_mid_period_counts_from_delivery() {
        // Delivered at 40; a spell from before delivery counts only from 40.
        check(
            &[spell(20, Some(50), Repair)],
            period(0, 100),
            40,
            1000,
            (60, 10, [10, 0, 0]),
        );
        let a = availability(&[spell(20, Some(50), Repair)], period(0, 100), 40, 1000);
        assert_eq!(a.rate(), Some(50.0 / 60.0));
    }

    #[test]
    fn a_spell_ending_before_it_starts_is_ignored() {
        check(
            &[
                spell(50, Some(10), Repair),
                spell(60, Some(70), WaitingBudget),
            ],
            period(0, 100),
            0,
            1000,
            (100, 10, [0, 0, 10]),
        );
        // Extreme values do not overflow or panic either.
        let a = availability(
            &[spell(i64::MIN, None, Repair)],
            period(i64::MIN, i64::MAX),
            i64::MIN,
            i64::MAX,
        );
        assert_eq!(a.down, a.total);
    }

    #[test]
    fn rate_days_and_sums_over_assets() {
        let one = availability(
            &[spell(0, Some(DAY), Repair)],
            period(0, 4 * DAY),
            0,
            10 * DAY,
        );
        assert_eq!(one.rate(), Some(0.75));
        assert_eq!(one.days_available(), 3.0);
        let two = availability(
            &[spell(0, Some(2 * DAY), WaitingParts)],
            period(0, 4 * DAY),
            2 * DAY,
            10 * DAY,
        );
        assert_eq!((two.total, two.down), (2 * DAY, 0));
        let mut force = Availability::default();
        force.add(&one);
        force.add(&two);
        assert_eq!(
            force,
            Availability {
                total: 6 * DAY,
                down: DAY,
                by_cause: [DAY, 0, 0],
            }
        );
        assert_eq!(force.days_available(), 5.0);
    }

    #[test]
    fn the_series_gives_one_rate_per_step_for_a_known_case() {
        // Four days; delivered at noon on day 0; down from noon on day 1 to noon on day 2;
        // now is noon on day 3.
        let spells = [spell(DAY + DAY / 2, Some(2 * DAY + DAY / 2), Repair)];
        let got = series(&spells, period(0, 4 * DAY), DAY, DAY / 2, 3 * DAY + DAY / 2);
        assert_eq!(got, vec![Some(1.0), Some(0.5), Some(0.5), Some(1.0)]);
        // Before delivery and after now: no value. A last step shorter than `step`.
        let got = series(&spells, period(-DAY, 4 * DAY + 10), DAY, 0, 3 * DAY);
        assert_eq!(got, vec![None, Some(1.0), Some(0.5), Some(0.5), None, None]);
        // A spell spanning several steps, still open at now.
        let got = series(
            &[spell(DAY, None, WaitingParts)],
            period(0, 4 * DAY),
            DAY,
            0,
            10 * DAY,
        );
        assert_eq!(got, vec![Some(1.0), Some(0.0), Some(0.0), Some(0.0)]);
        assert_eq!(series(&spells, period(0, DAY), 0, 0, DAY), Vec::new());
    }

    #[test]
    fn mttr_is_the_mean_repair_time_in_hours() {
        assert_eq!(mttr_hours(2, 4.0 * 3600.0), Some(2.0));
        assert_eq!(mttr_hours(1, 1800.0), Some(0.5));
        assert_eq!(mttr_hours(0, 0.0), None);
        assert_eq!(mttr_hours(1, -50.0), None, "bad data");
    }

    #[test]
    fn mtbf_is_the_meter_run_per_failure() {
        assert_eq!(mtbf(12_000.0, 15_000.0, 4), Some(750.0));
        assert_eq!(mtbf(12_000.0, 15_000.0, 0), None, "no failure");
        assert_eq!(mtbf(15_000.0, 15_000.0, 2), None, "no run");
        assert_eq!(mtbf(15_000.0, 14_000.0, 2), None, "meter went back");
        assert_eq!(mtbf(f64::NAN, 14_000.0, 2), None);
    }

    /// A small deterministic generator (xorshift64*), enough to vary the cases.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: i64) -> i64 {
            (self.next() % n as u64) as i64
        }
    }

    fn random_spells(rng: &mut Rng) -> Vec<Spell> {
        (0..rng.below(8))
            .map(|_| {
                let start = rng.below(120) - 10;
                let end = match rng.below(6) {
                    0 => None,
                    1 => Some(start - rng.below(10)), // bad data, sometimes
                    _ => Some(start + rng.below(40)),
                };
                spell(start, end, Cause::ALL[rng.below(3) as usize])
            })
            .collect()
    }

    /// The rules second by second: the slow, obvious version to compare against.
    fn by_the_second(spells: &[Spell], p: Period, from: i64, now: i64) -> Availability {
        let mut a = Availability::default();
        for t in p.start.max(from)..p.end.min(now) {
            a.total += 1;
            let cause = spells
                .iter()
                .filter(|s| {
                    let end = s.end.unwrap_or(now);
                    end >= s.start && s.start <= t && t < end
                })
                .map(|s| s.cause)
                .max_by_key(|c| c.priority());
            if let Some(c) = cause {
                a.down += 1;
                a.by_cause[c.index()] += 1;
            }
        }
        a
    }

    #[test]
    fn downtime_by_cause_always_sums_to_downtime_and_matches_the_rules() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for case in 0..2000 {
            let spells = random_spells(&mut rng);
            let start = rng.below(40) - 20;
            let p = period(start, start + rng.below(120));
            let from = rng.below(60) - 10;
            let now = rng.below(150) - 10;
            let got = availability(&spells, p, from, now);
            assert_eq!(got.by_cause.iter().sum::<i64>(), got.down, "case {case}");
            assert!(0 <= got.down && got.down <= got.total, "case {case}");
            assert_eq!(
                got,
                by_the_second(&spells, p, from, now),
                "case {case}: {spells:?} {p:?} from {from} now {now}"
            );
            // Each value of the series is the availability of its step.
            let step = 1 + rng.below(30);
            let values = series(&spells, p, step, from, now);
            let mut at = p.start;
            for (k, value) in values.iter().enumerate() {
                let here = period(at, (at + step).min(p.end));
                let expected = availability(&spells, here, from, now).rate();
                assert_eq!(*value, expected, "case {case} step {k}");
                at = here.end;
            }
            assert_eq!(at, p.end, "case {case}: the steps cover the period");
        }
    }
}
