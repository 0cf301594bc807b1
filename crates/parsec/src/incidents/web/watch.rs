//! What the home pages show of the first mission: the incidents no one answers yet, the
//! responses under way, the patrols whose report is due.

use super::type_labels;
use crate::app::AppState;
use crate::error::AppResult;
use crate::incidents::{self, IncidentRow};
use crate::web::auth::Auth;
use crate::web::page::{Link, ListRow, PageCtx, SECTION_ROWS, Section, day_text, when_text};

/// An incident as a row of the register and of the watch.
pub(super) fn incident_row(c: &PageCtx, r: &IncidentRow) -> ListRow {
    ListRow {
        href: format!("/incidents/{}", r.id),
        cells: vec![
            when_text(&r.occurred_at),
            r.place.clone(),
            type_labels(c.lang, &r.event_type, &r.sub_event_type).1,
            format!("{} / {} / {}", r.fatalities, r.injured, r.missing),
            c.t(&format!("incident-status-{}", r.status)),
        ],
    }
}

pub(super) fn incident_columns(c: &PageCtx) -> Vec<String> {
    [
        "incident-when",
        "incident-place",
        "incident-type",
        "incident-toll",
        "incident-status",
    ]
    .iter()
    .map(|k| c.t(k))
    .collect()
}

fn incidents_section(
    c: &PageCtx,
    id: &'static str,
    title: &str,
    empty: &str,
    more: &str,
    (rows, total): (Vec<IncidentRow>, i64),
) -> Section {
    Section {
        marks: Vec::new(),
        id,
        title: c.t(title),
        columns: incident_columns(c),
        rows: rows
            .iter()
            .take(SECTION_ROWS as usize)
            .map(|r| incident_row(c, r))
            .collect(),
        total,
        more: Some(Link::new(more, c.t("home-see-all"))),
        empty: c.t(empty),
    }
}

/// Reported or confirmed, nobody sent yet: the longest waiting first.
pub async fn waiting_section(state: &AppState, auth: &Auth, c: &PageCtx) -> AppResult<Section> {
    Ok(incidents_section(
        c,
        "no-response",
        "home-no-response",
        "home-all-answered",
        "/incidents",
        incidents::waiting(state, &auth.scope).await?,
    ))
}

/// The responses under way.
pub async fn under_way_section(state: &AppState, auth: &Auth, c: &PageCtx) -> AppResult<Section> {
    let filter = incidents::IncidentFilter {
        status: Some("intervention".into()),
        page: 1,
        ..Default::default()
    };
    Ok(incidents_section(
        c,
        "under-way",
        "home-under-way",
        "home-none-under-way",
        "/incidents?status=intervention",
        incidents::list(state, &auth.scope, &filter).await?,
    ))
}

/// The patrols of the units whose last day is past and whose report is not written.
pub async fn patrols_due_section(state: &AppState, auth: &Auth, c: &PageCtx) -> AppResult<Section> {
    let today = crate::db::now().date();
    let (rows, total) = incidents::patrols::due_to_report(state, &auth.scope, today).await?;
    Ok(Section {
        marks: Vec::new(),
        id: "patrols-due",
        title: c.t("home-patrols-due"),
        columns: vec![c.t("patrol-dates"), c.t("field-unit"), c.t("patrol-route")],
        rows: rows
            .iter()
            .take(SECTION_ROWS as usize)
            .map(|p| ListRow {
                href: format!("/patrols/{}/report", p.id),
                cells: vec![
                    format!("{} – {}", day_text(&p.starts_on), day_text(&p.ends_on)),
                    p.unit_name.clone(),
                    p.route.clone(),
                ],
            })
            .collect(),
        total,
        more: Some(Link::new("/patrols?status=prevue", c.t("home-see-all"))),
        empty: c.t("home-no-patrol-due"),
    })
}
