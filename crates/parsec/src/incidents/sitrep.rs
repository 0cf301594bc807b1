//! The daily situation report (SITREP): for a day or a period, per cercle, the incidents by
//! type with their toll, the responses and their times, the border flows of the posts, the
//! availability of the assets. No personal data: counts, places and units. Shown as a
//! printable page, and given as PDF and CSV.

use crate::accounts::Scope;
use crate::app::AppState;
use crate::error::{AppError, AppResult};

/// One cercle's incidents of one type.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IncidentLine {
    pub cercle: String,
    pub event_type: String,
    pub incidents: i64,
    pub fatalities: i64,
    pub injured: i64,
    pub missing: i64,
}

/// One response's minutes from dispatch to arrival (none if not arrived) and the minutes the
/// ranking foresaw.
type Times = (Option<f64>, Option<f64>);

/// What the responses of the period took, from dispatch to arrival.
#[derive(Debug, Clone, Default)]
pub struct ResponseTimes {
    pub sent: i64,
    pub arrived: i64,
    /// Minutes, dispatch to on site.
    pub median: Option<f64>,
    pub longest: Option<f64>,
    /// Minutes the ranking foresaw for the same responses (the travel time), to compare.
    pub foreseen_median: Option<f64>,
}

impl ResponseTimes {
    fn of(responses: &[Times]) -> ResponseTimes {
        let taken: Vec<f64> = responses.iter().filter_map(|r| r.0).collect();
        // Foreseen for the same responses as those timed: the arrived ones.
        let foreseen: Vec<f64> = responses
            .iter()
            .filter(|r| r.0.is_some())
            .filter_map(|r| r.1)
            .collect();
        ResponseTimes {
            sent: i64::try_from(responses.len()).unwrap_or(i64::MAX),
            arrived: i64::try_from(taken.len()).unwrap_or(i64::MAX),
            longest: taken.iter().copied().max_by(f64::total_cmp),
            median: median_of(taken),
            foreseen_median: median_of(foreseen),
        }
    }
}

/// The middle value, or the mean of the two middle ones.
pub(crate) fn median_of(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => v.get(n / 2).copied(),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_times_compare_the_same_arrived_responses() {
        assert_eq!(median_of(vec![]), None);
        assert_eq!(median_of(vec![30.0, 10.0, 20.0]), Some(20.0));
        assert_eq!(median_of(vec![20.0, 10.0]), Some(15.0));
        // Two arrived, one still on the way: the foreseen median is of the two arrived.
        let t = ResponseTimes::of(&[
            (Some(40.0), Some(30.0)),
            (Some(60.0), Some(50.0)),
            (None, Some(500.0)),
        ]);
        assert_eq!((t.sent, t.arrived), (3, 2));
        assert_eq!(
            (t.median, t.longest, t.foreseen_median),
            (Some(50.0), Some(60.0), Some(40.0))
        );
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlowLine {
    pub post: String,
    pub entries: i64,
    pub exits: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssetLine {
    pub kind: String,
    pub status: String,
    pub assets: i64,
}

#[derive(Debug, Clone)]
pub struct Sitrep {
    pub from: String,
    pub to: String,
    pub incidents: Vec<IncidentLine>,
    pub responses: ResponseTimes,
    /// The same, per cercle of the incidents.
    pub responses_by_cercle: Vec<(String, ResponseTimes)>,
    pub flows: Vec<FlowLine>,
    pub assets: Vec<AssetLine>,
    /// Per cercle: patrols done, not done.
    pub patrols: Vec<(String, i64, i64)>,
    /// The custodies now: under way, within an alert, past their deadline.
    pub custody: (usize, usize, usize),
}

/// The report of the days from `from` to `to` (both `YYYY-MM-DD`) within a scope.
pub async fn build(state: &AppState, scope: &Scope, from: &str, to: &str) -> AppResult<Sitrep> {
    let (Some(a), Some(b)) = (crate::db::day(from), crate::db::day(to)) else {
        return Err(AppError::invalid("from", "error-bad-date"));
    };
    if a > b {
        return Err(AppError::invalid("from", "error-date-order"));
    }
    let (from, to) = (a.to_string(), b.to_string());
    let scope_json = scope.as_json();
    let incidents: Vec<IncidentLine> = sqlx::query_as(
        "SELECT CASE cercle WHEN '' THEN '—' ELSE cercle END AS cercle, event_type,
                COUNT(*) AS incidents, SUM(fatalities) AS fatalities, SUM(injured) AS injured,
                SUM(missing) AS missing
         FROM incidents
         WHERE occurred_at >= ?1 AND occurred_at < date(?2, '+1 day')
           AND (?3 IS NULL OR unit_id IN (SELECT value FROM json_each(?3)))
         GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind(&from)
    .bind(&to)
    .bind(&scope_json)
    .fetch_all(&state.db)
    .await?;
    let times: Vec<(String, String, Option<String>, Option<f64>)> = sqlx::query_as(
        "SELECT CASE i.cercle WHEN '' THEN '—' ELSE i.cercle END, r.dispatched_at, r.on_site_at,
                r.minutes
         FROM responses r JOIN incidents i ON i.id = r.incident_id
         WHERE r.dispatched_at >= ?1 AND r.dispatched_at < date(?2, '+1 day')
           AND (?3 IS NULL OR i.unit_id IN (SELECT value FROM json_each(?3)))
         ORDER BY 1",
    )
    .bind(&from)
    .bind(&to)
    .bind(&scope_json)
    .fetch_all(&state.db)
    .await?;
    let minutes_between = |a: &str, b: &str| -> Option<f64> {
        let parse = |s: &str| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
        };
        Some((parse(b)? - parse(a)?).as_seconds_f64() / 60.0)
    };
    let mut by_cercle: std::collections::BTreeMap<&str, Vec<Times>> =
        std::collections::BTreeMap::new();
    for (cercle, dispatched, on_site, foreseen) in &times {
        let taken = on_site
            .as_deref()
            .and_then(|o| minutes_between(dispatched, o));
        by_cercle
            .entry(cercle.as_str())
            .or_default()
            .push((taken, *foreseen));
    }
    let all: Vec<_> = by_cercle.values().flatten().copied().collect();
    let responses = ResponseTimes::of(&all);
    let responses_by_cercle = by_cercle
        .iter()
        .map(|(c, r)| (c.to_string(), ResponseTimes::of(r)))
        .collect();
    let flows: Vec<FlowLine> = sqlx::query_as(
        "SELECT u.name AS post,
                SUM(CASE f.direction WHEN 'entree' THEN f.people ELSE 0 END) AS entries,
                SUM(CASE f.direction WHEN 'sortie' THEN f.people ELSE 0 END) AS exits
         FROM flow_people f JOIN units u ON u.id = f.unit_id
         WHERE f.day >= ?1 AND f.day <= ?2
           AND (?3 IS NULL OR f.unit_id IN (SELECT value FROM json_each(?3)))
         GROUP BY u.name ORDER BY u.name",
    )
    .bind(&from)
    .bind(&to)
    .bind(&scope_json)
    .fetch_all(&state.db)
    .await?;
    let assets: Vec<AssetLine> = sqlx::query_as(
        "SELECT kind, status, COUNT(*) AS assets FROM assets
         WHERE (?1 IS NULL OR unit_id IN (SELECT value FROM json_each(?1)))
         GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind(&scope_json)
    .fetch_all(&state.db)
    .await?;
    let patrols = super::patrols::by_cercle(state, scope, &from, &to).await?;
    Ok(Sitrep {
        from,
        to,
        incidents,
        responses,
        responses_by_cercle,
        flows,
        assets,
        patrols,
        custody: crate::custody::counts(state, scope).await?,
    })
}
