//! Geography of the region from the shipped gazetteer: region → cercles → communes →
//! localities, the place search (accents, case and common spelling variants ignored), and the
//! locality page with its neighbours. Read-only reference data: no audit needed.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use gazetteer::{Locality, MatchKind};
use serde_json::{Value, json};

use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::auth::Auth;
use crate::web::page::{
    DetailField, DetailTable, DetailView, FilterField, ListParams, ListRow, ListView, PageCtx,
    render,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/geo", get(region))
        .route("/geo/cercles/{pcode}", get(cercle))
        .route("/geo/communes/{pcode}", get(commune))
        .route("/localities", get(search_page))
        .route("/localities/{id}", get(locality_page))
        .route("/api/v1/localities", get(search_api))
        .route("/api/v1/localities/{id}", get(locality_api))
}

type Params = Query<HashMap<String, String>>;

fn search_filter(c: &PageCtx, q: &str) -> Vec<FilterField> {
    vec![FilterField {
        name: "q",
        label: c.t("geo-search"),
        kind: "search",
        value: q.to_string(),
        options: vec![],
    }]
}

async fn region(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let c = PageCtx::new(&state, &auth, "/geo");
    let g = &state.gazetteer;
    let rows = g
        .cercles()
        .iter()
        .map(|ce| {
            let communes = g.communes_of(&ce.pcode);
            let known: u32 = communes.iter().filter_map(|co| co.population_2009).sum();
            ListRow {
                href: format!("/geo/cercles/{}", ce.pcode),
                cells: vec![
                    ce.name.clone(),
                    ce.pcode.clone(),
                    communes.len().to_string(),
                    known.to_string(),
                ],
            }
        })
        .collect();
    let title = format!("{} — {}", c.t("geo-region"), g.region_name());
    let columns = vec![
        c.t("geo-cercle"),
        c.t("geo-pcode"),
        c.t("geo-communes"),
        c.t("geo-population-known"),
    ];
    let filters = search_filter(&c, "");
    let mut view = ListView::single_page(c, title, "/api/v1/localities", columns, rows);
    view.filters = filters;
    // The region page's search box searches the localities.
    view.filter_action = "/localities";
    render(&view)
}

async fn cercle(
    State(state): State<AppState>,
    auth: Auth,
    Path(pcode): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let g = &state.gazetteer;
    let ce = g.cercle(&pcode).ok_or(AppError::NotFound)?;
    let c = PageCtx::new(&state, &auth, "/geo");
    let rows = g
        .communes_of(&pcode)
        .iter()
        .map(|co| ListRow {
            href: format!("/geo/communes/{}", co.pcode),
            cells: vec![
                co.name.clone(),
                co.pcode.clone(),
                g.localities_of(&co.pcode).len().to_string(),
                co.population_2009
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| c.t("geo-no-figure")),
            ],
        })
        .collect();
    let title = format!("{} — {}", c.t("geo-cercle"), ce.name);
    let columns = vec![
        c.t("geo-commune"),
        c.t("geo-pcode"),
        c.t("geo-localities"),
        c.t("geo-population-2009"),
    ];
    render(&ListView::single_page(
        c,
        title,
        "/api/v1/localities",
        columns,
        rows,
    ))
}

fn locality_row(l: &Locality) -> ListRow {
    ListRow {
        href: format!("/localities/{}", l.id),
        cells: vec![
            l.name.clone(),
            l.commune.clone(),
            l.cercle.clone(),
            format!("{:.4}, {:.4}", l.lat, l.lon),
            l.alt_names.join(", "),
        ],
    }
}

fn locality_columns(c: &PageCtx) -> Vec<String> {
    vec![
        c.t("field-name"),
        c.t("geo-commune"),
        c.t("geo-cercle"),
        c.t("field-coordinates"),
        c.t("geo-alt-names"),
    ]
}

async fn commune(
    State(state): State<AppState>,
    auth: Auth,
    Path(pcode): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let g = &state.gazetteer;
    let co = g.commune(&pcode).ok_or(AppError::NotFound)?;
    let c = PageCtx::new(&state, &auth, "/geo");
    let rows = g
        .localities_of(&pcode)
        .into_iter()
        .map(locality_row)
        .collect();
    let title = format!("{} — {}", c.t("geo-commune"), co.name);
    let columns = locality_columns(&c);
    render(&ListView::single_page(
        c,
        title,
        "/api/v1/localities",
        columns,
        rows,
    ))
}

async fn search_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let p = ListParams(q);
    let c = PageCtx::new(&state, &auth, "/geo");
    let rows = state
        .gazetteer
        .search(p.get("q"), 50)
        .iter()
        .map(|h| locality_row(h.locality))
        .collect();
    let columns = locality_columns(&c);
    let filters = search_filter(&c, p.get("q"));
    let mut view = ListView::single_page(c, String::new(), "/api/v1/localities", columns, rows);
    view.filters = filters;
    view.title = view.c.t("geo-search-title");
    view.api_href = format!(
        "/api/v1/localities?q={}",
        crate::web::errors::urlencode(p.get("q"))
    );
    render(&view)
}

async fn locality_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let g = &state.gazetteer;
    let l = g.locality(&id).ok_or(AppError::NotFound)?;
    let c = PageCtx::new(&state, &auth, "/geo");
    let f = |label: &str, value: String, href: Option<String>| DetailField {
        label: c.t(label),
        value,
        href,
    };
    let fields = vec![
        f(
            "geo-commune",
            l.commune.clone(),
            (!l.commune_pcode.is_empty()).then(|| format!("/geo/communes/{}", l.commune_pcode)),
        ),
        f(
            "geo-cercle",
            l.cercle.clone(),
            (!l.cercle_pcode.is_empty()).then(|| format!("/geo/cercles/{}", l.cercle_pcode)),
        ),
        f("geo-region", l.region.clone(), None),
        f("geo-country", l.country.clone(), None),
        f(
            "field-coordinates",
            format!("{:.5}, {:.5}", l.lat, l.lon),
            None,
        ),
        f("geo-alt-names", l.alt_names.join(", "), None),
        f(
            "geo-population",
            l.population.map(|p| p.to_string()).unwrap_or_default(),
            None,
        ),
        f("geo-id", l.id.clone(), None),
    ];
    let neighbours = g
        .neighbours(&id, 10)
        .into_iter()
        .map(|(n, km)| ListRow {
            href: format!("/localities/{}", n.id),
            cells: vec![n.name.clone(), n.commune.clone(), format!("{km:.1} km")],
        })
        .collect();
    let view = DetailView {
        title: l.name.clone(),
        back_href: "/localities".into(),
        edit_href: None,
        fields,
        tables: vec![DetailTable {
            title: c.t("geo-neighbours"),
            columns: vec![c.t("field-name"), c.t("geo-commune"), c.t("geo-distance")],
            rows: neighbours,
        }],
        c,
    };
    render(&view)
}

fn locality_json(l: &Locality) -> Value {
    json!({
        "id": l.id, "name": l.name, "alt_names": l.alt_names, "lat": l.lat, "lon": l.lon,
        "country": l.country, "in_region": l.in_region, "region": l.region, "cercle": l.cercle,
        "cercle_pcode": l.cercle_pcode, "commune": l.commune, "commune_pcode": l.commune_pcode,
        "population": l.population,
    })
}

async fn search_api(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    let p = ListParams(q);
    let limit = p
        .get("limit")
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=100).contains(n))
        .unwrap_or(20);
    let items: Vec<Value> = state
        .gazetteer
        .search(p.get("q"), limit)
        .iter()
        .map(|h| {
            let mut v = locality_json(h.locality);
            v["matched_name"] = json!(h.matched_name);
            v["match"] = json!(match h.kind {
                MatchKind::Exact => "exact",
                MatchKind::Prefix => "prefix",
                MatchKind::Contains => "contains",
                MatchKind::Fuzzy => "fuzzy",
            });
            v
        })
        .collect();
    Ok(Json(json!({"query": p.get("q"), "items": items})))
}

async fn locality_api(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    let g = &state.gazetteer;
    let l = g.locality(&id).ok_or(AppError::NotFound)?;
    let mut v = locality_json(l);
    v["neighbours"] = g
        .neighbours(&id, 10)
        .into_iter()
        .map(|(n, km)| json!({"id": n.id, "name": n.name, "distance_km": (km * 10.0).round() / 10.0}))
        .collect();
    Ok(Json(v))
}
