//! Fuel consumption of an asset and the stretches that look wrong. The full-tank method, as
//! fleet practice does it: each issue fills the tank, so the litres given at an issue are what
//! was burnt since the previous one, and litres ÷ meter run is the consumption over that
//! stretch. Everything is per unit of the asset's meter (litres per km, or per engine hour);
//! callers multiply by 100 to show litres per 100 km.
//!
//! Why outliers: fuel is the first thing that goes missing, and a stretch that burnt far more
//! (or far less) than the asset usually does is the first thing an inspector asks about.

use time::Date;

/// Fuel given to an asset, with its meter then (km or hours).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Issue {
    pub day: Date,
    pub litres: f64,
    pub meter: f64,
}

/// The consumption over the stretch ending at one issue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Consumption {
    /// The issue ending the stretch, as an index into the slice given.
    pub index: usize,
    /// Litres per km or per hour since the previous issue.
    pub per_unit: f64,
    /// Far above or below the asset's usual consumption (see `consumption`).
    pub outlier: bool,
}

/// Below this many stretches nothing is flagged: there is no "usual" to compare against.
const MIN_STRETCHES: usize = 4;
/// Flagged above the median × HIGH or below the median × LOW.
const HIGH: f64 = 1.5;
const LOW: f64 = 0.5;

/// The issues in meter order (then day), with their index in the slice given. Issues with a
/// meter or litres that is not a number are left out: they cannot be placed or counted.
fn in_meter_order(issues: &[Issue]) -> Vec<(usize, &Issue)> {
    let mut sorted: Vec<(usize, &Issue)> = issues
        .iter()
        .enumerate()
        .filter(|(_, issue)| issue.meter.is_finite() && issue.litres.is_finite())
        .collect();
    sorted.sort_by(|(_, a), (_, b)| a.meter.total_cmp(&b.meter).then(a.day.cmp(&b.day)));
    sorted
}

/// The consumption over each stretch between consecutive issues, in meter order (which is the
/// order the fuel was given, whatever order the issues come in). An issue at the same meter as
/// the previous one (or lower: a bad reading) has no stretch and no entry.
///
/// A stretch is an outlier when its consumption is above 1.5 × or below 0.5 × the median of the
/// asset's stretches, and only with at least 4 stretches. The median, not the mean: it is
/// robust, so one theft cannot raise the "usual" and hide another.
pub fn consumption(issues: &[Issue]) -> Vec<Consumption> {
    let sorted = in_meter_order(issues);
    let mut stretches: Vec<Consumption> = sorted
        .windows(2)
        .filter_map(|pair| {
            let (previous, (index, issue)) = (pair[0].1, pair[1]);
            let run = issue.meter - previous.meter;
            (run > 0.0).then(|| Consumption {
                index,
                per_unit: issue.litres / run,
                outlier: false,
            })
        })
        .collect();
    if stretches.len() >= MIN_STRETCHES {
        let mut values: Vec<f64> = stretches.iter().map(|c| c.per_unit).collect();
        values.sort_by(f64::total_cmp);
        let middle = values.len() / 2;
        let median = if values.len().is_multiple_of(2) {
            (values[middle - 1] + values[middle]) / 2.0
        } else {
            values[middle]
        };
        for stretch in &mut stretches {
            stretch.outlier = stretch.per_unit > median * HIGH || stretch.per_unit < median * LOW;
        }
    }
    stretches
}

/// The asset's average consumption per unit: the litres given after the first issue over the
/// meter run from the first issue to the last (the first fill pays for use before the count
/// starts). None with fewer than two issues or no meter run.
pub fn average(issues: &[Issue]) -> Option<f64> {
    let sorted = in_meter_order(issues);
    let (first, last) = (sorted.first()?.1, sorted.last()?.1);
    let run = last.meter - first.meter;
    let litres: f64 = sorted.iter().skip(1).map(|(_, issue)| issue.litres).sum();
    (run > 0.0).then(|| litres / run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn issue(day: Date, litres: f64, meter: f64) -> Issue {
        Issue { day, litres, meter }
    }

    /// The entries as (index, per_unit, outlier), to compare whole results at once.
    fn entries(issues: &[Issue]) -> Vec<(usize, f64, bool)> {
        consumption(issues)
            .into_iter()
            .map(|c| (c.index, c.per_unit, c.outlier))
            .collect()
    }

    #[test]
    fn a_theft_is_flagged_with_four_stretches_or_more() {
        // A truck at 0.25 l/km, then a stretch at 0.5 l/km (above 1.5 × the median).
        let issues = [
            issue(date!(2027 - 01 - 01), 50.0, 10_000.0),
            issue(date!(2027 - 01 - 05), 50.0, 10_200.0),
            issue(date!(2027 - 01 - 09), 50.0, 10_400.0),
            issue(date!(2027 - 01 - 13), 100.0, 10_600.0),
            issue(date!(2027 - 01 - 17), 50.0, 10_800.0),
        ];
        assert_eq!(
            entries(&issues),
            vec![
                (1, 0.25, false),
                (2, 0.25, false),
                (3, 0.5, true),
                (4, 0.25, false)
            ]
        );
        // Far too little is flagged as well (a meter tampered with, or fuel bought elsewhere).
        let mut low = issues;
        low[3].litres = 20.0;
        assert_eq!(
            entries(&low).iter().map(|e| e.2).collect::<Vec<_>>(),
            vec![false, false, true, false]
        );
    }

    #[test]
    fn two_thefts_do_not_hide_each_other() {
        // The median stays at the usual 0.25 l/km with two bad stretches out of five.
        let issues = [
            issue(date!(2027 - 01 - 01), 50.0, 0.0),
            issue(date!(2027 - 01 - 02), 50.0, 200.0),
            issue(date!(2027 - 01 - 03), 120.0, 400.0),
            issue(date!(2027 - 01 - 04), 50.0, 600.0),
            issue(date!(2027 - 01 - 05), 110.0, 800.0),
            issue(date!(2027 - 01 - 06), 50.0, 1000.0),
        ];
        assert_eq!(
            entries(&issues).iter().map(|e| e.2).collect::<Vec<_>>(),
            vec![false, true, false, true, false]
        );
    }

    #[test]
    fn with_three_stretches_nothing_is_flagged() {
        let issues = [
            issue(date!(2027 - 01 - 01), 50.0, 10_000.0),
            issue(date!(2027 - 01 - 05), 50.0, 10_200.0),
            issue(date!(2027 - 01 - 09), 50.0, 10_400.0),
            issue(date!(2027 - 01 - 13), 100.0, 10_600.0),
        ];
        assert_eq!(
            entries(&issues),
            vec![(1, 0.25, false), (2, 0.25, false), (3, 0.5, false)]
        );
    }

    #[test]
    fn an_issue_with_no_meter_run_has_no_stretch() {
        // The second fill at the same reading, and one at a lower (wrong) reading placed first.
        let issues = [
            issue(date!(2027 - 01 - 01), 40.0, 1000.0),
            issue(date!(2027 - 01 - 01), 10.0, 1000.0),
            issue(date!(2027 - 01 - 03), 30.0, 1100.0),
        ];
        assert_eq!(entries(&issues), vec![(2, 0.3, false)]);
        assert_eq!(average(&issues), Some(0.4), "(10 + 30) litres over 100 km");
        let same = [
            issue(date!(2027 - 01 - 01), 40.0, 1000.0),
            issue(date!(2027 - 01 - 02), 40.0, 1000.0),
        ];
        assert_eq!(entries(&same), vec![]);
        assert_eq!(average(&same), None);
    }

    #[test]
    fn issues_in_any_order_are_taken_in_meter_order_and_keep_their_index() {
        let issues = [
            issue(date!(2027 - 01 - 09), 60.0, 10_400.0),
            issue(date!(2027 - 01 - 01), 50.0, 10_000.0),
            issue(date!(2027 - 01 - 05), 40.0, 10_200.0),
        ];
        assert_eq!(entries(&issues), vec![(2, 0.2, false), (0, 0.3, false)]);
        assert_eq!(average(&issues), Some(0.25));
    }

    #[test]
    fn average_is_litres_after_the_first_over_the_run() {
        let issues = [
            issue(date!(2027 - 01 - 01), 80.0, 0.0),
            issue(date!(2027 - 01 - 02), 30.0, 100.0),
            issue(date!(2027 - 01 - 03), 50.0, 300.0),
        ];
        assert_eq!(average(&issues), Some(80.0 / 300.0));
        assert_eq!(average(&issues[..1]), None);
        assert_eq!(average(&[]), None);
        // A reading that is not a number is left out rather than poisoning the figures.
        let with_nan = [
            issues[0],
            issue(date!(2027 - 01 - 02), 30.0, f64::NAN),
            issues[2],
        ];
        assert_eq!(average(&with_nan), Some(50.0 / 300.0));
        assert_eq!(entries(&with_nan), vec![(2, 50.0 / 300.0, false)]);
    }
}
