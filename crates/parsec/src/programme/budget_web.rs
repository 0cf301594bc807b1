//! The budget's pages: the lines with the execution by component for a period, a line with its
//! entries, the forms for a line and an entry (read here into `budget`'s commands, every
//! mistake at once), the financial report as XLSX and its import.

use std::collections::HashMap;

use axum::Form;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use time::Date;

use super::budget::{
    self, Amount, Component, EntryKind, ImportError, Line, NewEntry, NewLine, Period, Totals,
};
use super::money;
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult, Problems};
use crate::i18n::Lang;
use crate::web::auth::Auth;
use crate::web::download::{attachment, xlsx_sheets};
use crate::web::page::{
    DetailField, DetailTable, DetailView, Fields, FormField, FormView, ListRow, PageCtx, day_text,
    options, render, when_text,
};

type Params = Query<HashMap<String, String>>;

/// The largest workbook the import takes (a programme's budget is a few hundred rows).
const MAX_UPLOAD: usize = 8 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programme/budget", get(list))
        .route("/programme/budget.xlsx", get(export))
        .route(
            "/programme/budget/lines/new",
            get(line_new).post(line_create),
        )
        .route("/programme/budget/lines/{id}", get(line_page))
        .route(
            "/programme/budget/lines/{id}/edit",
            get(line_edit).post(line_update),
        )
        .route(
            "/programme/budget/lines/{id}/entries/new",
            get(entry_new).post(entry_create),
        )
        .route(
            "/programme/budget/import",
            get(import_form)
                .post(import_upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
}

fn french(c: &PageCtx) -> bool {
    c.lang == Lang::Fr
}

fn eur(c: &PageCtx, cents: i64) -> String {
    money::eur_text(cents, french(c))
}

fn fcfa(c: &PageCtx, francs: i64) -> String {
    money::fcfa_text(francs, french(c))
}

/// A rate as a percent with one decimal, in the page's language (`45,3 %`).
fn rate(c: &PageCtx, r: Option<f64>) -> String {
    match r {
        None => "—".into(),
        Some(r) if french(c) => format!("{:.1}\u{a0}%", r * 100.0).replace('.', ","),
        Some(r) => format!("{:.1}%", r * 100.0),
    }
}

/// The period asked (`from`, `to`: days as people write them), and its query string for the
/// export's link.
fn period(q: &HashMap<String, String>) -> (Period, String) {
    let day = |k: &str| q.get(k).and_then(|v| crate::db::day(v));
    let p = Period {
        from: day("from"),
        to: day("to"),
    };
    let mut pairs = Vec::new();
    if let Some(d) = p.from {
        pairs.push(("from", d.to_string()));
    }
    if let Some(d) = p.to {
        pairs.push(("to", d.to_string()));
    }
    let query = match serde_urlencoded::to_string(&pairs) {
        Ok(s) if !s.is_empty() => format!("?{s}"),
        _ => String::new(),
    };
    (p, query)
}

fn component_label(c: &PageCtx, component: Component) -> String {
    c.t(component.label_key())
}

/// The execution by component, with the programme's total last.
fn execution_table(c: &PageCtx, e: &budget::Execution) -> DetailTable {
    let row = |label: String, t: &Totals| ListRow {
        href: String::new(),
        cells: vec![
            label,
            eur(c, t.planned_eur),
            eur(c, t.committed_eur),
            eur(c, t.paid_eur),
            rate(c, t.committed_rate()),
            rate(c, t.paid_rate()),
            fcfa(c, t.committed_fcfa),
            fcfa(c, t.paid_fcfa),
        ],
    };
    let mut rows: Vec<ListRow> = e
        .by_component
        .iter()
        .map(|(comp, t)| row(component_label(c, *comp), t))
        .collect();
    rows.push(row(c.t("budget-total"), &e.total));
    DetailTable {
        title: c.t("budget-execution"),
        columns: c.ts(&[
            "budget-col-component",
            "budget-col-planned-eur",
            "budget-col-committed-eur",
            "budget-col-paid-eur",
            "budget-col-committed-rate",
            "budget-col-paid-rate",
            "budget-col-committed-fcfa",
            "budget-col-paid-fcfa",
        ]),
        rows,
    }
}

/// The components that have lines, in the execution's order: each with its totals and its
/// lines (the pages and the report list them so, each closed by its subtotal).
fn by_component<'a>(
    lines: &'a [Line],
    e: &'a budget::Execution,
) -> Vec<(Component, &'a Totals, Vec<&'a Line>)> {
    e.by_component
        .iter()
        .filter_map(|(comp, t)| {
            let mine: Vec<&Line> = lines.iter().filter(|l| l.component == *comp).collect();
            (!mine.is_empty()).then_some((*comp, t, mine))
        })
        .collect()
}

/// The lines by component, each component closed by its subtotal.
fn lines_table(c: &PageCtx, lines: &[Line], e: &budget::Execution) -> DetailTable {
    let mut rows = Vec::new();
    for (comp, t, mine) in by_component(lines, e) {
        for l in mine {
            let title = super::web::demo_marked(c, &l.title, l.demo);
            rows.push(ListRow {
                href: format!("/programme/budget/lines/{}", l.id),
                cells: vec![
                    l.code.clone(),
                    title,
                    component_label(c, l.component),
                    l.activity_code.clone().unwrap_or_default(),
                    eur(c, l.totals.planned_eur),
                    eur(c, l.totals.committed_eur),
                    eur(c, l.totals.paid_eur),
                    rate(c, l.totals.committed_rate()),
                    rate(c, l.totals.paid_rate()),
                ],
            });
        }
        rows.push(ListRow {
            href: String::new(),
            cells: vec![
                String::new(),
                c.tf(
                    "budget-subtotal",
                    &[("component", &component_label(c, comp))],
                ),
                String::new(),
                String::new(),
                eur(c, t.planned_eur),
                eur(c, t.committed_eur),
                eur(c, t.paid_eur),
                rate(c, t.committed_rate()),
                rate(c, t.paid_rate()),
            ],
        });
    }
    DetailTable {
        title: c.t("budget-lines"),
        columns: c.ts(&[
            "budget-col-code",
            "budget-col-title",
            "budget-col-component",
            "budget-col-activity",
            "budget-col-planned-eur",
            "budget-col-committed-eur",
            "budget-col-paid-eur",
            "budget-col-committed-rate",
            "budget-col-paid-rate",
        ]),
        rows,
    }
}

#[derive(askama::Template)]
#[template(path = "budget.html")]
struct ListPage {
    c: PageCtx,
    from: String,
    to: String,
    query: String,
    edit: bool,
    tables: Vec<DetailTable>,
}

async fn list(State(state): State<AppState>, auth: Auth, Query(q): Params) -> AppResult<Response> {
    auth.require(Permission::ViewProgramme)?;
    let (p, query) = period(&q);
    let lines = budget::lines(&state, p).await?;
    let c = PageCtx::new(&state, &auth, "/programme")
        .with_flash(q.contains_key("saved").then_some("flash-saved"));
    let e = budget::execution_of(&lines);
    let tables = vec![execution_table(&c, &e), lines_table(&c, &lines, &e)];
    let shown = |d: Option<Date>| d.map(|d| day_text(&d.to_string())).unwrap_or_default();
    render(&ListPage {
        from: shown(p.from),
        to: shown(p.to),
        query,
        edit: auth.user.can(Permission::EditProgramme),
        tables,
        c,
    })
}

/// The financial report: the lines by component with subtotals and the total, in euros and in
/// francs CFA; the entries on a second sheet. The import reads the same shape.
fn report_tables(c: &PageCtx, lines: &[Line], entries: &[budget::Entry]) -> Vec<DetailTable> {
    let e = budget::execution_of(lines);
    let figures = |t: &Totals| {
        vec![
            budget::cents_cell(t.planned_eur),
            budget::cents_cell(t.committed_eur),
            budget::cents_cell(t.paid_eur),
            budget::percent_cell(t.committed_rate()),
            budget::percent_cell(t.paid_rate()),
            t.planned_fcfa.to_string(),
            t.committed_fcfa.to_string(),
            t.paid_fcfa.to_string(),
        ]
    };
    let mut rows = Vec::new();
    for (comp, t, mine) in by_component(lines, &e) {
        for l in mine {
            let mut cells = vec![
                component_label(c, l.component),
                l.code.clone(),
                l.title.clone(),
                l.activity_code.clone().unwrap_or_default(),
            ];
            cells.extend(figures(&l.totals));
            rows.push(ListRow {
                href: String::new(),
                cells,
            });
        }
        let mut cells = vec![
            c.tf(
                "budget-subtotal",
                &[("component", &component_label(c, comp))],
            ),
            String::new(),
            String::new(),
            String::new(),
        ];
        cells.extend(figures(t));
        rows.push(ListRow {
            href: String::new(),
            cells,
        });
    }
    let mut cells = vec![
        c.t("budget-total"),
        String::new(),
        String::new(),
        String::new(),
    ];
    cells.extend(figures(&e.total));
    rows.push(ListRow {
        href: String::new(),
        cells,
    });
    let entry_rows = entries
        .iter()
        .map(|x| ListRow {
            href: String::new(),
            cells: vec![
                x.line_code.clone(),
                x.line_title.clone(),
                x.kind()
                    .map(|k| c.t(k.label_key()))
                    .unwrap_or_else(|| x.kind.clone()),
                day_text(&x.on_day),
                budget::cents_cell(x.eur_cents),
                x.fcfa.to_string(),
                x.reference.clone(),
                x.recorded_by.clone(),
            ],
        })
        .collect();
    vec![
        DetailTable {
            title: c.t("budget-sheet-lines"),
            columns: c.ts(budget::LINE_COLUMNS),
            rows,
        },
        DetailTable {
            title: c.t("budget-sheet-entries"),
            columns: c.ts(budget::ENTRY_COLUMNS),
            rows: entry_rows,
        },
    ]
}

async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewProgramme)?;
    let (p, _) = period(&q);
    let (lines, entries) =
        tokio::try_join!(budget::lines(&state, p), budget::entries(&state, None, p))?;
    let c = PageCtx::new(&state, &auth, "/programme");
    let book = xlsx_sheets(&report_tables(&c, &lines, &entries), budget::text_column)?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "budget-programme.xlsx",
        book,
    ))
}

async fn line_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewProgramme)?;
    let (line, entries) = tokio::try_join!(
        budget::line(&state, &id, Period::default()),
        budget::entries(&state, Some(&id), Period::default())
    )?;
    let c = PageCtx::new(&state, &auth, "/programme")
        .with_flash(q.contains_key("saved").then_some("flash-saved"));
    let edit = auth.user.can(Permission::EditProgramme);
    let t = &line.totals;
    let field = |label: &str, value: String| DetailField {
        label: c.t(label),
        value,
        href: None,
    };
    let mut fields = vec![
        field("budget-col-component", component_label(&c, line.component)),
        field(
            "budget-col-activity",
            line.activity_code.clone().unwrap_or_else(|| "—".into()),
        ),
        field(
            "budget-planned",
            format!("{} · {}", eur(&c, t.planned_eur), fcfa(&c, t.planned_fcfa)),
        ),
        field(
            "budget-committed",
            format!(
                "{} · {} ({})",
                eur(&c, t.committed_eur),
                fcfa(&c, t.committed_fcfa),
                rate(&c, t.committed_rate())
            ),
        ),
        field(
            "budget-paid",
            format!(
                "{} · {} ({})",
                eur(&c, t.paid_eur),
                fcfa(&c, t.paid_fcfa),
                rate(&c, t.paid_rate())
            ),
        ),
    ];
    if line.demo {
        fields.push(field("budget-demo", c.t("budget-demo-note")));
    }
    if edit {
        fields.push(DetailField {
            label: c.t("work-order-actions"),
            value: c.t("budget-entry-new"),
            href: Some(format!("/programme/budget/lines/{id}/entries/new")),
        });
    }
    let rows = entries
        .iter()
        .map(|x| ListRow {
            href: String::new(),
            cells: vec![
                day_text(&x.on_day),
                x.kind()
                    .map(|k| c.t(k.label_key()))
                    .unwrap_or_else(|| x.kind.clone()),
                eur(&c, x.eur_cents),
                fcfa(&c, x.fcfa),
                x.reference.clone(),
                x.recorded_by.clone(),
                when_text(&x.recorded_at),
            ],
        })
        .collect();
    let tables = vec![DetailTable {
        title: c.t("budget-entries"),
        columns: c.ts(&[
            "budget-col-day",
            "budget-col-kind",
            "budget-col-eur",
            "budget-col-fcfa",
            "budget-col-reference",
            "budget-col-recorded-by",
            "budget-recorded-at",
        ]),
        rows,
    }];
    render(&DetailView {
        title: format!("{} — {}", line.code, line.title),
        back_href: "/programme/budget".into(),
        edit_href: edit.then(|| format!("/programme/budget/lines/{id}/edit")),
        fields,
        tables,
        c,
    })
}

/// The line form: new (`id` None) or a line's change.
async fn line_view(
    state: &AppState,
    auth: &Auth,
    id: Option<&str>,
    f: &Fields,
) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/programme");
    let components = Component::ALL
        .iter()
        .map(|k| (k.code().to_string(), component_label(&c, *k)))
        .collect();
    let activities = budget::activities(state)
        .await?
        .into_iter()
        .map(|(id, code, title)| (id, format!("{code} — {title}")))
        .collect();
    let (title, action, cancel) = match id {
        None => (
            c.t("budget-line-new"),
            "/programme/budget/lines/new".to_string(),
            "/programme/budget".to_string(),
        ),
        Some(id) => (
            c.t("budget-line-edit"),
            format!("/programme/budget/lines/{id}/edit"),
            format!("/programme/budget/lines/{id}"),
        ),
    };
    Ok(FormView {
        fields: vec![
            FormField::new("code", c.t("budget-col-code"), "text", f.get("code").into())
                .required()
                .hint(c.t("budget-code-hint")),
            FormField::new(
                "component",
                c.t("budget-col-component"),
                "select",
                String::new(),
            )
            .required()
            .options(options(components, f.get("component"), Some(c.t("choose")))),
            FormField::new(
                "activity",
                c.t("budget-col-activity"),
                "select",
                String::new(),
            )
            .options(options(activities, f.get("activity"), Some("—".into()))),
            FormField::new(
                "title",
                c.t("budget-col-title"),
                "text",
                f.get("title").into(),
            )
            .required(),
            FormField::new(
                "planned",
                c.t("budget-col-planned-eur"),
                "text",
                f.get("planned").into(),
            )
            .required()
            .hint(c.t("budget-amount-hint")),
        ],
        title,
        action,
        cancel_href: cancel,
        error: None,
        map: None,
        submit: None,
        c,
    })
}

/// The line form read into its command, every mistake at once.
fn new_line(f: &Fields) -> AppResult<NewLine> {
    let mut p = Problems::default();
    let code = f.get("code").to_string();
    let component = p.or(f.choice("component", Component::parse), Component::Gestion)?;
    let activity_id = p.or_default(f.optional("activity", 64))?;
    let title = f.get("title").to_string();
    let planned_eur_cents = match money::parse_eur(f.get("planned")) {
        Ok(v) => v,
        Err(e) => {
            p.add("planned", budget::amount_error_key(e));
            0
        }
    };
    let line = NewLine {
        code,
        component,
        activity_id,
        title,
        planned_eur_cents,
        demo: false,
    };
    line.check(&mut p);
    p.finish(line)
}

async fn line_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    render(&line_view(&state, &auth, None, &Fields::default()).await?)
}

async fn line_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let f = Fields::from_pairs(pairs);
    let saved = async {
        let line = new_line(&f)?;
        budget::create_line(&state, &auth.user.actor(), &line).await
    }
    .await;
    match saved {
        Ok(id) => {
            Ok(Redirect::to(&format!("/programme/budget/lines/{id}?saved=1")).into_response())
        }
        Err(e) => line_view(&state, &auth, None, &f).await?.refuse(e),
    }
}

async fn line_edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let line = budget::line(&state, &id, Period::default()).await?;
    let f = Fields(HashMap::from([
        ("code".to_string(), line.code.clone()),
        ("component".to_string(), line.component.code().to_string()),
        (
            "activity".to_string(),
            line.activity_id.clone().unwrap_or_default(),
        ),
        ("title".to_string(), line.title.clone()),
        (
            "planned".to_string(),
            budget::cents_cell(line.totals.planned_eur),
        ),
    ]));
    render(&line_view(&state, &auth, Some(&id), &f).await?)
}

async fn line_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    budget::line(&state, &id, Period::default()).await?;
    let f = Fields::from_pairs(pairs);
    let saved = async {
        let line = new_line(&f)?;
        budget::update_line(&state, &auth.user.actor(), &id, &line).await
    }
    .await;
    match saved {
        Ok(()) => {
            Ok(Redirect::to(&format!("/programme/budget/lines/{id}?saved=1")).into_response())
        }
        Err(e) => line_view(&state, &auth, Some(&id), &f).await?.refuse(e),
    }
}

fn entry_view(state: &AppState, auth: &Auth, line: &Line, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/programme");
    let kinds = EntryKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), c.t(k.label_key())))
        .collect();
    let currencies = ["EUR", "FCFA"]
        .iter()
        .map(|k| (k.to_string(), k.to_string()))
        .collect();
    let day = match f.get("on_day") {
        "" => day_text(&state.clock.now().date().to_string()),
        d => d.to_string(),
    };
    let currency = match f.get("currency") {
        "" => "EUR",
        v => v,
    };
    FormView {
        title: format!("{} — {} {}", c.t("budget-entry-new"), line.code, line.title),
        action: format!("/programme/budget/lines/{}/entries/new", line.id),
        cancel_href: format!("/programme/budget/lines/{}", line.id),
        fields: vec![
            FormField::new("kind", c.t("budget-col-kind"), "select", String::new())
                .required()
                .options(options(kinds, f.get("kind"), Some(c.t("choose")))),
            FormField::new("on_day", c.t("budget-col-day"), "text", day).required(),
            FormField::new("currency", c.t("budget-currency"), "select", String::new())
                .required()
                .options(options(currencies, currency, None))
                .hint(c.t("budget-currency-hint")),
            FormField::new(
                "amount",
                c.t("budget-amount"),
                "text",
                f.get("amount").into(),
            )
            .required()
            .hint(c.t("budget-entry-amount-hint")),
            FormField::new(
                "reference",
                c.t("budget-col-reference"),
                "text",
                f.get("reference").into(),
            )
            .hint(c.t("budget-reference-hint")),
        ],
        error: None,
        map: None,
        submit: None,
        c,
    }
}

/// The entry form read into its command, every mistake at once.
fn new_entry(f: &Fields, today: Date) -> AppResult<NewEntry> {
    let mut p = Problems::default();
    let kind = p.or(f.choice("kind", EntryKind::parse), EntryKind::Commitment)?;
    let on_day = p.or(f.day("on_day"), today)?;
    let typed = f.get("amount");
    let amount = match f.get("currency") {
        "" | "EUR" => money::parse_eur(typed).map(Amount::Eur),
        "FCFA" => money::parse_fcfa(typed).map(Amount::Fcfa),
        _ => {
            p.add("currency", "error-bad-choice");
            Ok(Amount::Eur(1))
        }
    };
    let amount = amount.unwrap_or_else(|e| {
        p.add("amount", budget::amount_error_key(e));
        // A stand-in that says nothing more of the amount.
        Amount::Eur(1)
    });
    let entry = NewEntry {
        kind,
        on_day,
        amount,
        reference: f.get("reference").to_string(),
        demo: false,
    };
    entry.check(today, &mut p);
    p.finish(entry)
}

async fn entry_new(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let line = budget::line(&state, &id, Period::default()).await?;
    render(&entry_view(&state, &auth, &line, &Fields::default()))
}

async fn entry_create(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let line = budget::line(&state, &id, Period::default()).await?;
    let f = Fields::from_pairs(pairs);
    let saved = async {
        let e = new_entry(&f, state.clock.now().date())?;
        budget::record_entry(&state, &auth.user.actor(), &id, &e).await
    }
    .await;
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/programme/budget/lines/{id}?saved=1")).into_response()),
        Err(e) => entry_view(&state, &auth, &line, &f).refuse(e),
    }
}

#[derive(askama::Template)]
#[template(path = "budget_import.html")]
struct ImportPage {
    c: PageCtx,
    /// Why the file was refused: each wrong cell or row, or what is wrong with the file.
    problems: Vec<String>,
}

async fn import_form(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    render(&ImportPage {
        c: PageCtx::new(&state, &auth, "/programme"),
        problems: Vec::new(),
    })
}

/// The refused import again, with every problem listed (422).
fn refused(state: &AppState, auth: &Auth, problems: Vec<String>) -> AppResult<Response> {
    let page = ImportPage {
        c: PageCtx::new(state, auth, "/programme"),
        problems,
    };
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        Html(askama::Template::render(&page)?),
    )
        .into_response())
}

async fn import_upload(
    State(state): State<AppState>,
    auth: Auth,
    request: axum::extract::Request,
) -> AppResult<Response> {
    // The permission first: nobody else's upload is even read; then the form's token.
    auth.require(Permission::EditProgramme)?;
    let mut multipart = crate::web::csrf::multipart_form(request, &state).await?;
    let broken = |_| AppError::invalid("file", "error-upload");
    let mut bytes: Vec<u8> = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        if field.name() != Some("file") {
            continue;
        }
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            if bytes.len() + chunk.len() > MAX_UPLOAD {
                return Err(AppError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
    }
    let c = PageCtx::new(&state, &auth, "/programme");
    if bytes.is_empty() {
        return refused(&state, &auth, vec![c.t("error-upload-empty")]);
    }
    match budget::import_xlsx(&state, &auth.user.actor(), bytes).await {
        Ok(_) => Ok(Redirect::to("/programme/budget?saved=1").into_response()),
        Err(ImportError::File(key)) => refused(&state, &auth, vec![c.t(key)]),
        Err(ImportError::Rows(rows)) => {
            let messages = rows
                .iter()
                .map(|r| {
                    let sheet = c.t(r.sheet.label_key());
                    let line = r.line.to_string();
                    let why = c.t(r.key);
                    match r.column {
                        Some(col) => c.tf(
                            "budget-import-cell",
                            &[
                                ("sheet", &sheet),
                                ("line", &line),
                                ("column", &c.t(col)),
                                ("why", &why),
                            ],
                        ),
                        None => c.tf(
                            "budget-import-row",
                            &[("sheet", &sheet), ("line", &line), ("why", &why)],
                        ),
                    }
                })
                .collect();
            refused(&state, &auth, messages)
        }
        Err(ImportError::App(e)) if e.is_user() => {
            refused(&state, &auth, vec![c.t(e.message_key())])
        }
        Err(ImportError::App(e)) => Err(e),
    }
}
