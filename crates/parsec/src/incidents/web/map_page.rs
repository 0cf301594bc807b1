//! The map page: the incidents of a period (paler with age), the units with their assets
//! ready and busy, and on demand the places beyond N hours of every unit. The SVG itself is
//! drawn by `incidents::map`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use super::{Params, capitals, type_labels};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::incidents::{self, model};
use crate::web::auth::Auth;
use crate::web::page::{ListParams, PageCtx, SelectOption, options, render};

/// At most this many incidents on the map (the latest of the period).
const MAP_MOST: usize = 20_000;

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    c: PageCtx,
    title: String,
    error: Option<String>,
    from: String,
    to: String,
    types: Vec<SelectOption>,
    cercles: Vec<SelectOption>,
    count: String,
    coverage: String,
    coverage_line: Option<String>,
    svg: String,
}

pub(super) async fn map_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    use incidents::map::{Mark, UnitMark, draw};
    auth.require(Permission::ViewIncidents)?;
    let p = ListParams(q);
    let c = PageCtx::new(&state, &auth, "/map");
    let today = crate::db::now().date();
    let day = |name: &str, default: time::Date| {
        crate::db::day(p.get(name)).unwrap_or(default).to_string()
    };
    let (from, to) = (
        day("from", today - time::Duration::days(30)),
        day("to", today),
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        occurred_at: String,
        place: String,
        lat: f64,
        lon: f64,
        event_type: String,
        sub_event_type: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, occurred_at, place, lat, lon, event_type, sub_event_type FROM incidents i
         WHERE occurred_at >= ?1 AND occurred_at < date(?2, '+1 day')
           AND (?3 = '' OR event_type = ?3) AND (?4 = '' OR cercle = ?4)
           AND (?5 IS NULL OR unit_id IN (SELECT value FROM json_each(?5)))
         ORDER BY occurred_at DESC LIMIT ?6",
    )
    .bind(&from)
    .bind(&to)
    .bind(p.get("event_type"))
    .bind(p.get("cercle"))
    .bind(auth.scope.as_json())
    .bind(i64::try_from(MAP_MOST + 1).unwrap_or(i64::MAX))
    .fetch_all(&state.db)
    .await?;
    // A long period draws its latest incidents only, and says so.
    let cut = rows.len() > MAP_MOST;
    // Drawn oldest first, so that the recent marks are on top.
    let rows: Vec<_> = rows.iter().take(MAP_MOST).rev().collect();
    let (first, last) = (crate::db::day(&from), crate::db::day(&to));
    let span = first
        .zip(last)
        .map_or(30.0, |(a, b)| ((b - a).whole_days().max(1)) as f64);
    let marks: Vec<Mark> = rows
        .iter()
        .map(|r| {
            // Paler with age, counted back from the period's last day.
            let age = crate::db::day(&r.occurred_at)
                .zip(last)
                .map_or(0.0, |(d, end)| (end - d).whole_days() as f64 / span);
            Mark {
                id: r.id.clone(),
                lat: r.lat,
                lon: r.lon,
                security: r.event_type != "civil_protection",
                age,
                title: format!(
                    "{} — {} ({})",
                    type_labels(c.lang, &r.event_type, &r.sub_event_type).1,
                    r.place,
                    r.occurred_at.get(..10).unwrap_or("")
                ),
            }
        })
        .collect();
    #[derive(sqlx::FromRow)]
    struct UnitRow {
        name: String,
        lat: Option<f64>,
        lon: Option<f64>,
        ready: i64,
        busy: i64,
    }
    let units: Vec<UnitRow> = sqlx::query_as(
        "SELECT u.name, u.lat, u.lon,
                (SELECT COUNT(*) FROM assets a WHERE a.unit_id = u.id AND a.status = 'disponible') AS ready,
                (SELECT COUNT(*) FROM assets a WHERE a.unit_id = u.id AND a.status != 'disponible') AS busy
         FROM units u WHERE u.lat IS NOT NULL AND u.lon IS NOT NULL
           AND (?1 IS NULL OR u.id IN (SELECT value FROM json_each(?1)))",
    )
    .bind(auth.scope.as_json())
    .fetch_all(&state.db)
    .await?;
    let units: Vec<UnitMark> = units
        .into_iter()
        .filter_map(|u| {
            Some(UnitMark {
                lat: u.lat?,
                lon: u.lon?,
                name: u.name,
                available: usize::try_from(u.ready).unwrap_or(0),
                busy: usize::try_from(u.busy).unwrap_or(0),
            })
        })
        .collect();
    let capitals = capitals(&state);
    let types = model::EVENT_TYPES
        .iter()
        .map(|(t, acled, fr, _)| {
            (
                t.to_string(),
                match c.lang {
                    Lang::Fr => fr.to_string(),
                    Lang::En => acled.to_string(),
                },
            )
        })
        .collect();
    let cercles = state
        .gazetteer
        .cercles()
        .iter()
        .map(|ce| (ce.name.clone(), ce.name.clone()))
        .collect();
    let title = c.t("nav-map");
    // The coverage layer, when asked: localities beyond N hours of every unit.
    let hours = p
        .get("coverage")
        .parse::<f64>()
        .ok()
        .filter(|h| (0.5..=12.0).contains(h));
    let coverage = match hours {
        Some(h) => {
            let points: Vec<(f64, f64)> = units.iter().map(|u| (u.lat, u.lon)).collect();
            Some(incidents::coverage::layer(&state, &points, h).await?)
        }
        None => None,
    };
    let coverage_line = coverage.as_ref().map(|cov| {
        let n = |x: f64| c.lang.number(x.round() as i64);
        format!(
            "{} {} / {} · {} {} ({} {})",
            c.t("map-uncovered"),
            c.lang
                .number(i64::try_from(cov.uncovered.len()).unwrap_or(i64::MAX)),
            c.lang
                .number(i64::try_from(cov.localities).unwrap_or(i64::MAX)),
            c.t("map-population"),
            n(cov.population_known + cov.population_estimated),
            c.t("map-estimated"),
            n(cov.population_estimated)
        )
    });
    let uncovered = coverage.map(|c| c.uncovered.clone()).unwrap_or_default();
    let page = MapPage {
        coverage: p.get("coverage").to_string(),
        coverage_line,
        svg: draw(&capitals, &marks, &units, &uncovered, "", &title),
        count: if cut {
            format!(
                "{} {} ({})",
                marks.len(),
                c.t("map-incidents"),
                c.t("map-latest-only")
            )
        } else {
            format!("{} {}", marks.len(), c.t("map-incidents"))
        },
        types: options(types, p.get("event_type"), Some(c.t("filter-all"))),
        cercles: options(cercles, p.get("cercle"), Some(c.t("filter-all"))),
        from,
        to,
        error: None,
        title,
        c,
    };
    render(&page)
}
