//! When a custody must end (pure): the start, plus the regime's ordinary duration, plus one
//! extension per written authorisation up to the regime's number; the alerts before it, and the
//! custody past it. The numbers are the administrator's (`custody_rules`), never the code's.

use time::{Duration, OffsetDateTime};

/// A regime's limits as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub base_hours: i64,
    pub extension_hours: i64,
    pub max_extensions: i64,
    /// Hours before the deadline at which to warn, e.g. `[6, 1]`.
    pub alert_hours: Vec<i64>,
}

impl Limits {
    /// The alert thresholds as typed: hours separated by commas (`6,1`), each from 1 to 168.
    pub fn parse_alerts(text: &str) -> Option<Vec<i64>> {
        let mut hours = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let h: i64 = part.parse().ok()?;
            if !(1..=168).contains(&h) {
                return None;
            }
            hours.push(h);
        }
        hours.sort_unstable_by(|a, b| b.cmp(a));
        hours.dedup();
        Some(hours)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Running, no alert yet.
    Running,
    /// Within this many hours of the deadline (the smallest threshold reached).
    Alert(i64),
    /// Still held past the deadline.
    Overdue,
    /// Ended, and whether it ended after the deadline.
    Ended { late: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub at: OffsetDateTime,
    /// Minutes left until the deadline (negative past it).
    pub minutes_left: i64,
    pub state: State,
    /// Whether another extension may still be authorised.
    pub can_extend: bool,
}

/// The deadline of a custody started at `started` with `extensions` authorised, on `now`.
pub fn deadline(
    limits: &Limits,
    started: OffsetDateTime,
    extensions: i64,
    ended: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Deadline {
    let granted = extensions.clamp(0, limits.max_extensions.max(0));
    let at = started
        + Duration::hours(limits.base_hours)
        + Duration::hours(limits.extension_hours * granted);
    let until = ended.unwrap_or(now);
    let minutes_left = (at - until).whole_minutes();
    let state = match ended {
        Some(end) => State::Ended { late: end > at },
        None if now >= at => State::Overdue,
        None => limits
            .alert_hours
            .iter()
            .copied()
            .filter(|h| at - now <= Duration::hours(*h))
            .min()
            .map_or(State::Running, State::Alert),
    };
    Deadline {
        at,
        minutes_left,
        state,
        can_extend: ended.is_none() && granted < limits.max_extensions && now < at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ordinary() -> Limits {
        Limits {
            base_hours: 48,
            extension_hours: 24,
            max_extensions: 1,
            alert_hours: vec![6, 1],
        }
    }

    #[test]
    fn forty_eight_hours_then_alerts_at_six_and_one_then_overdue() {
        let start = datetime!(2026-12-01 10:00 UTC);
        let d = deadline(&ordinary(), start, 0, None, datetime!(2026-12-02 10:00 UTC));
        assert_eq!(d.at, datetime!(2026-12-03 10:00 UTC));
        assert_eq!((d.state, d.minutes_left), (State::Running, 24 * 60));
        let d = deadline(&ordinary(), start, 0, None, datetime!(2026-12-03 04:00 UTC));
        assert_eq!(d.state, State::Alert(6));
        let d = deadline(&ordinary(), start, 0, None, datetime!(2026-12-03 09:30 UTC));
        assert_eq!((d.state, d.minutes_left), (State::Alert(1), 30));
        let d = deadline(&ordinary(), start, 0, None, datetime!(2026-12-03 10:00 UTC));
        assert_eq!(d.state, State::Overdue);
        assert!(
            !d.can_extend,
            "an extension cannot revive a custody past its deadline"
        );
    }

    #[test]
    fn an_extension_adds_its_hours_up_to_the_regimes_number() {
        let start = datetime!(2026-12-01 10:00 UTC);
        let now = datetime!(2026-12-03 09:00 UTC);
        let once = deadline(&ordinary(), start, 1, None, now);
        assert_eq!(once.at, datetime!(2026-12-04 10:00 UTC));
        assert!(!once.can_extend, "one extension only");
        // More extensions than the regime allows count as the allowed number.
        assert_eq!(deadline(&ordinary(), start, 3, None, now).at, once.at);
        assert!(deadline(&ordinary(), start, 0, None, now).can_extend);
    }

    #[test]
    fn an_ended_custody_says_whether_it_ended_late() {
        let start = datetime!(2026-12-01 10:00 UTC);
        let now = datetime!(2026-12-05 10:00 UTC);
        let on_time = deadline(
            &ordinary(),
            start,
            0,
            Some(datetime!(2026-12-02 18:00 UTC)),
            now,
        );
        assert_eq!(on_time.state, State::Ended { late: false });
        let late = deadline(
            &ordinary(),
            start,
            0,
            Some(datetime!(2026-12-03 12:00 UTC)),
            now,
        );
        assert_eq!(
            (late.state, late.minutes_left),
            (State::Ended { late: true }, -120)
        );
    }

    #[test]
    fn alert_hours_are_read_from_text() {
        assert_eq!(Limits::parse_alerts("6, 1"), Some(vec![6, 1]));
        assert_eq!(Limits::parse_alerts("1,12,6,6"), Some(vec![12, 6, 1]));
        assert_eq!(Limits::parse_alerts(""), Some(vec![]));
        assert_eq!(Limits::parse_alerts("6,x"), None);
        assert_eq!(Limits::parse_alerts("0"), None);
    }
}
