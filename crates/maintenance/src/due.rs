//! When a preventive task is next due. A task has an interval by meter and/or by
//! time, **whichever comes first**, and a "due soon" margin for each; it is counted from the
//! last time it was done (or the plan's start). The meter's due day is forecast from the
//! asset's average daily use, as fleet-maintenance practice does: projected meter = last
//! reading + days since × use per day.

use time::Date;

/// A task's intervals and margins. At least one interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    /// Every so many km / hours of the task's meter.
    pub meter: Option<f64>,
    /// Every so many days.
    pub days: Option<i64>,
    /// "Due soon" this much before, by meter and by days.
    pub soon_meter: f64,
    pub soon_days: i64,
}

/// Where the count starts: the last time the task was done (or the plan's start).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Since {
    pub day: Date,
    /// The meter then (0 for a new asset).
    pub meter: f64,
}

/// What is known of the asset's use: its latest reading and its average use per day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    pub day: Date,
    pub meter: f64,
    /// Average per day over the recent readings; 0 when unknown.
    pub per_day: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ok,
    DueSoon,
    Overdue,
}

/// The task's next due point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Due {
    pub state: State,
    /// The day it falls due: by time, or forecast from the meter's use, whichever is first
    /// (None when only a meter interval is set and the use is unknown).
    pub day: Option<Date>,
    /// The meter value at which it falls due, with a meter interval.
    pub meter: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("a task needs an interval by meter or by time")]
    NoInterval,
    #[error("an interval must be positive")]
    NotPositive,
}

/// The task's next due point on `today`.
pub fn next_due(
    interval: &Interval,
    since: Since,
    usage: Usage,
    today: Date,
) -> Result<Due, PlanError> {
    if interval.meter.is_none() && interval.days.is_none() {
        return Err(PlanError::NoInterval);
    }
    let meter_every = interval.meter;
    if meter_every.is_some_and(|e| e.is_nan() || e <= 0.0) || interval.days.is_some_and(|d| d <= 0)
    {
        return Err(PlanError::NotPositive);
    }
    let by_time = interval.days.map(|d| since.day + time::Duration::days(d));
    let due_meter = meter_every.map(|e| since.meter + e);
    // The meter today, projected from the latest reading and the use per day.
    let elapsed = (today - usage.day).whole_days().max(0) as f64;
    let meter_now = usage.meter + usage.per_day.max(0.0) * elapsed;
    let by_meter = due_meter.and_then(|m| {
        (usage.per_day > 0.0).then(|| {
            let days = ((m - meter_now) / usage.per_day).ceil() as i64;
            today + time::Duration::days(days)
        })
    });
    let day = match (by_time, by_meter) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let overdue = by_time.is_some_and(|d| today >= d) || due_meter.is_some_and(|m| meter_now >= m);
    let soon = by_time.is_some_and(|d| today + time::Duration::days(interval.soon_days) >= d)
        || due_meter.is_some_and(|m| meter_now + interval.soon_meter >= m);
    Ok(Due {
        state: if overdue {
            State::Overdue
        } else if soon {
            State::DueSoon
        } else {
            State::Ok
        },
        day,
        meter: due_meter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn every(meter: Option<f64>, days: Option<i64>) -> Interval {
        Interval {
            meter,
            days,
            soon_meter: 500.0,
            soon_days: 30,
        }
    }

    #[test]
    fn the_meter_forecast_gives_the_day_as_fleet_practice_does() {
        // Every 5,000 (km), 500 due soon, 115 a day: at 0 now, due in about 43 days.
        let due = next_due(
            &every(Some(5000.0), None),
            Since {
                day: date!(2026 - 12 - 01),
                meter: 0.0,
            },
            Usage {
                day: date!(2026 - 12 - 01),
                meter: 0.0,
                per_day: 115.0,
            },
            date!(2026 - 12 - 01),
        )
        .unwrap();
        assert_eq!(
            due.day,
            Some(date!(2027 - 01 - 14)),
            "44 days (43.5 rounded up)"
        );
        assert_eq!(due.meter, Some(5000.0));
        assert_eq!(due.state, State::Ok);
    }

    #[test]
    fn whichever_comes_first_by_meter_or_by_time() {
        // An outboard: every 100 h or 12 months. Little used: the year comes first.
        let outboard = every(Some(100.0), Some(365));
        let since = Since {
            day: date!(2026 - 01 - 10),
            meter: 20.0,
        };
        let little = Usage {
            day: date!(2026 - 11 - 01),
            meter: 60.0,
            per_day: 0.1,
        };
        let due = next_due(&outboard, since, little, date!(2026 - 12 - 20)).unwrap();
        assert_eq!(due.day, Some(date!(2027 - 01 - 10)));
        assert_eq!(due.state, State::DueSoon, "within 30 days");
        // Much used: the hours come first, and here they are past.
        let much = Usage {
            day: date!(2026 - 11 - 01),
            meter: 119.0,
            per_day: 2.0,
        };
        let due = next_due(&outboard, since, much, date!(2026 - 11 - 10)).unwrap();
        assert_eq!(due.state, State::Overdue);
        assert!(due.day.unwrap() <= date!(2026 - 11 - 10));
        // Past the time alone is overdue as well.
        let due = next_due(&outboard, since, little, date!(2027 - 02 - 01)).unwrap();
        assert_eq!(due.state, State::Overdue);
    }

    #[test]
    fn a_task_without_an_interval_is_refused() {
        let since = Since {
            day: date!(2026 - 01 - 01),
            meter: 0.0,
        };
        let usage = Usage {
            day: date!(2026 - 01 - 01),
            meter: 0.0,
            per_day: 0.0,
        };
        let today = date!(2026 - 06 - 01);
        assert_eq!(
            next_due(&every(None, None), since, usage, today),
            Err(PlanError::NoInterval)
        );
        assert_eq!(
            next_due(&every(Some(0.0), None), since, usage, today),
            Err(PlanError::NotPositive)
        );
        assert_eq!(
            next_due(&every(None, Some(-3)), since, usage, today),
            Err(PlanError::NotPositive)
        );
        // A meter interval with no known use has no forecast day, and is not overdue.
        let due = next_due(&every(Some(5000.0), None), since, usage, today).unwrap();
        assert_eq!((due.day, due.state), (None, State::Ok));
    }
}
