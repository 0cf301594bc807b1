//! Screening pages: search a name by hand (agents, commandants, operations), the review queue
//! of the post's commandant (confirm or dismiss with a reason), the lists' versions and the
//! import of a new version (administrators).

use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};

use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::auth::Auth;
use crate::web::page::{
    DetailField, DetailTable, DetailView, Fields, FormField, FormView, ListRow, ListView, PageCtx,
    render,
};

mod review;
pub use review::{alerts_today_section, review_section, why_words};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/screening", get(search_form).post(search))
        .route("/screening/review", get(review::queue))
        .route(
            "/screening/hits/{id}",
            get(review::hit_page).post(review::decide),
        )
        .route("/screening/lists", get(lists))
        .route(
            "/screening/lists/import",
            get(import_form)
                .post(import_upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
}

type FormData = Form<Vec<(String, String)>>;

/// The largest list file accepted from the browser (the full OpenSanctions export is larger:
/// import it with `parsec watchlist import`).
const MAX_UPLOAD: usize = 256 * 1024 * 1024;
/// The longest text field of the upload form, in bytes.
const FIELD_MOST: usize = 4096;

fn search_view(state: &AppState, auth: &Auth, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/screening");
    let fields = vec![
        FormField::new("name", c.t("field-name"), "text", f.get("name").into()).required(),
        FormField::new(
            "birth_date",
            c.t("screening-birth"),
            "text",
            f.get("birth_date").into(),
        )
        .hint(c.t("screening-birth-hint")),
        FormField::new(
            "nationality",
            c.t("screening-nationality"),
            "text",
            f.get("nationality").into(),
        )
        .hint(c.t("screening-nationality-hint")),
    ];
    FormView {
        // Nothing is saved by a name check: it checks.
        submit: Some(c.t("action-check")),
        map: None,
        title: c.t("screening-title"),
        action: "/screening".into(),
        cancel_href: "/".into(),
        fields,
        error: None,
        c,
    }
}

async fn search_form(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::Screen)?;
    render(&search_view(&state, &auth, &Fields::default()))
}

pub(crate) fn decision_key(d: namematch::Decision) -> &'static str {
    match d {
        namematch::Decision::Alerte => "screening-alerte",
        namematch::Decision::AVerifier => "screening-a-verifier",
        namematch::Decision::Aucune => "screening-aucune",
    }
}

pub(crate) fn instruction_key(code: &str) -> &'static str {
    match code {
        "arreter" => "screening-instr-arreter",
        "laisser_passer_signaler" => "screening-instr-laisser",
        _ => "screening-instr-signaler",
    }
}

async fn search(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::Screen)?;
    let f = Fields::from_pairs(pairs);
    let answers = crate::screening::screen(
        &state,
        &auth.user.actor(),
        auth.user.unit_id.as_deref(),
        f.get("name"),
        Some(f.get("birth_date")),
        Some(f.get("nationality")),
    )
    .await;
    let answers = match answers {
        Ok(a) => a,
        Err(e) => return search_view(&state, &auth, &f).refuse(e),
    };
    let c = PageCtx::new(&state, &auth, "/screening");
    let best = answers
        .first()
        .map(|a| a.decision)
        .filter(|d| *d != namematch::Decision::Aucune)
        .unwrap_or(namematch::Decision::Aucune);
    let rows = answers
        .iter()
        .map(|a| ListRow {
            href: a
                .hit_id
                .as_ref()
                .map(|h| format!("/screening/hits/{h}"))
                .unwrap_or_default(),
            cells: vec![
                a.entry.full_name.clone(),
                c.t(decision_key(a.decision)),
                format!("{:.2}", a.score),
                c.t(instruction_key(&a.entry.instruction)),
                a.entry.list_name.clone(),
                why_words(&c, &a.explanation).join(" ; "),
            ],
        })
        .collect();
    let view = DetailView {
        title: c.t("screening-result"),
        back_href: "/screening".into(),
        edit_href: None,
        fields: vec![
            DetailField {
                label: c.t("field-name"),
                value: f.get("name").into(),
                href: None,
            },
            DetailField {
                label: c.t("screening-birth"),
                value: f.get("birth_date").into(),
                href: None,
            },
            DetailField {
                label: c.t("screening-nationality"),
                value: f.get("nationality").into(),
                href: None,
            },
            DetailField {
                label: c.t("screening-answer"),
                value: c.t(decision_key(best)),
                href: None,
            },
        ],
        tables: vec![DetailTable {
            title: c.t("screening-candidates"),
            columns: vec![
                c.t("screening-listed"),
                c.t("screening-answer"),
                c.t("screening-score"),
                c.t("screening-instruction"),
                c.t("screening-list"),
                c.t("screening-why"),
            ],
            rows,
        }],
        c,
    };
    render(&view)
}

async fn lists(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ViewLists)?;
    let rows = crate::screening::lists(&state)
        .await?
        .into_iter()
        .map(|l| ListRow {
            href: String::new(),
            cells: vec![
                l.name,
                l.version,
                l.authority,
                l.status,
                l.source_format,
                l.entry_count.to_string(),
                l.imported_at,
            ],
        })
        .collect();
    let c = PageCtx::new(&state, &auth, "/screening/lists");
    let title = c.t("screening-lists");
    let action = auth
        .user
        .can(Permission::ManageLists)
        .then(|| crate::web::page::Link {
            href: "/screening/lists/import".into(),
            label: c.t("screening-import"),
        });
    let columns = vec![
        c.t("field-name"),
        c.t("screening-version"),
        c.t("screening-authority"),
        c.t("field-status"),
        c.t("screening-format"),
        c.t("screening-entries"),
        c.t("screening-imported"),
    ];
    let mut view = ListView::single_page(c, title, "", columns, rows);
    view.action = action;
    render(&view)
}

fn import_view(state: &AppState, auth: &Auth, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/screening/lists");
    let formats = crate::screening::import::FORMATS
        .iter()
        .map(|code| (code.to_string(), c.t(&format!("screening-format-{code}"))))
        .collect();
    let fields = vec![
        FormField::new("file", c.t("screening-file"), "file", String::new()).required(),
        FormField::new("format", c.t("screening-format"), "select", String::new())
            .required()
            .options(crate::web::page::options(formats, f.get("format"), None)),
        FormField::new("name", c.t("field-name"), "text", f.get("name").into())
            .required()
            .hint(c.t("screening-name-hint")),
        FormField::new(
            "authority",
            c.t("screening-authority"),
            "text",
            f.get("authority").into(),
        )
        .required(),
        FormField::new(
            "version",
            c.t("screening-version"),
            "text",
            f.get("version").into(),
        )
        .required(),
        FormField::new(
            "valid_from",
            c.t("screening-valid-from"),
            "date",
            f.get("valid_from").into(),
        ),
        FormField::new(
            "valid_to",
            c.t("screening-valid-to"),
            "date",
            f.get("valid_to").into(),
        ),
        FormField::new(
            "skip_invalid",
            c.t("screening-skip-invalid"),
            "checkbox",
            f.get("skip_invalid").into(),
        ),
    ];
    FormView {
        submit: None,
        map: None,
        title: c.t("screening-import"),
        action: "/screening/lists/import".into(),
        cancel_href: "/screening/lists".into(),
        fields,
        error: None,
        c,
    }
}

async fn import_form(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ManageLists)?;
    render(&import_view(&state, &auth, &Fields::default()))
}

/// Receives the file into a temporary file (never whole in memory), reads it off the async
/// threads, and loads it whole or not at all; the refused rows are listed on the answer.
async fn import_upload(
    State(state): State<AppState>,
    auth: Auth,
    request: axum::extract::Request,
) -> AppResult<Response> {
    use tokio::io::AsyncWriteExt;
    // The permission first: nobody else's upload is even read; then the form's token, before
    // the file.
    auth.require(Permission::ManageLists)?;
    let mut multipart = crate::web::csrf::multipart_form(request, &state).await?;
    let upload = tempfile::NamedTempFile::new()
        .map_err(|e| AppError::Internal(format!("fichier temporaire : {e}")))?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut long: Vec<String> = Vec::new();
    let mut size = 0usize;
    let broken = |_| AppError::invalid("file", "error-upload");
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let std_file = upload
                .reopen()
                .map_err(|e| AppError::Internal(format!("fichier temporaire : {e}")))?;
            let mut out = tokio::fs::File::from_std(std_file);
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                size += chunk.len();
                out.write_all(&chunk)
                    .await
                    .map_err(|e| AppError::Internal(format!("fichier temporaire : {e}")))?;
            }
            out.flush()
                .await
                .map_err(|e| AppError::Internal(format!("fichier temporaire : {e}")))?;
        } else {
            // A form's text field is short: a huge one is neither kept nor shown back.
            let mut text = Vec::new();
            let mut too_long = false;
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                if text.len() + chunk.len() > FIELD_MOST {
                    too_long = true;
                } else {
                    text.extend_from_slice(&chunk);
                }
            }
            if too_long {
                long.push(name.clone());
                text.clear();
            }
            pairs.push((name, String::from_utf8_lossy(&text).into_owned()));
        }
    }
    let f = Fields::from_pairs(pairs);
    let view = import_view(&state, &auth, &f);
    if let Some(name) = long.first() {
        let field = [
            "name",
            "authority",
            "version",
            "valid_from",
            "valid_to",
            "format",
        ]
        .into_iter()
        .find(|n| n == name)
        .unwrap_or("file");
        return view.refuse(AppError::invalid(field, "error-too-long"));
    }
    if size == 0 {
        return view.refuse(AppError::invalid("file", "error-upload-empty"));
    }
    let format = f.get("format").to_string();
    if !crate::screening::import::FORMATS.contains(&format.as_str()) {
        return view.refuse(AppError::invalid("format", "error-bad-choice"));
    }
    let Some(format) = crate::screening::import::FORMATS
        .iter()
        .copied()
        .find(|f| *f == format)
    else {
        return view.refuse(AppError::invalid("format", "error-bad-choice"));
    };
    let optional = |name: &str| Some(f.get(name).trim().to_string()).filter(|v| !v.is_empty());
    let meta = crate::screening::ListMeta {
        name: f.get("name").trim().to_string(),
        authority: f.get("authority").trim().to_string(),
        version: f.get("version").trim().to_string(),
        valid_from: optional("valid_from"),
        valid_to: optional("valid_to"),
        format,
    };
    let skip = f.get("skip_invalid") == "on";
    let errors = crate::screening::meta_errors(&meta);
    if !errors.is_empty() {
        // Every error at once: whether the file can be read is said too, so that one
        // correction of the form is enough.
        let path = upload.path().to_path_buf();
        let unreadable = tokio::task::spawn_blocking(move || {
            let file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
            crate::screening::import::read_rows(format, std::io::BufReader::new(file), &mut |_| {})
        })
        .await?
        .err();
        let mut view = errors.iter().fold(view, |v, e| v.with_error(e));
        if let Some(message) = unreadable {
            let general = view.c.t("error-import-unreadable");
            view.error = Some(format!("{general} {message}"));
        }
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            axum::response::Html(askama::Template::render(&view)?),
        )
            .into_response());
    }
    // Read as a stream from the temporary file, staged in short transactions.
    let report = match crate::screening::import_file(
        &state,
        &auth.user.actor(),
        &meta,
        format,
        upload.path(),
        skip,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return view.refuse(e),
    };
    drop(upload);
    if let Some(message) = &report.unreadable {
        let mut view = view.with_error(&AppError::invalid("file", "error-import-unreadable"));
        view.error = Some(format!(
            "{} {message}",
            view.error.clone().unwrap_or_default()
        ));
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            axum::response::Html(askama::Template::render(&view)?),
        )
            .into_response());
    }
    let c = PageCtx::new(&state, &auth, "/screening/lists");
    let loaded = report.list_id.is_some();
    let status = if loaded {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let rows = report
        .rejected
        .iter()
        .take(1000)
        .map(|r| ListRow {
            href: String::new(),
            cells: vec![r.line.to_string(), r.reason.clone()],
        })
        .collect();
    let result = DetailView {
        title: c.t(if loaded {
            "screening-import-done"
        } else {
            "screening-import-refused"
        }),
        back_href: "/screening/lists".into(),
        edit_href: None,
        fields: vec![
            DetailField {
                label: c.t("field-name"),
                value: format!("{} — {}", meta.name, meta.version),
                href: None,
            },
            DetailField {
                label: c.t("screening-entries"),
                value: report.loaded.to_string(),
                href: None,
            },
            DetailField {
                label: c.t("screening-rejected"),
                value: report.rejected_count.to_string(),
                href: None,
            },
        ],
        tables: vec![DetailTable {
            title: c.t("screening-rejected"),
            columns: vec![c.t("screening-line"), c.t("screening-why")],
            rows,
        }],
        c,
    };
    Ok((
        status,
        axum::response::Html(askama::Template::render(&result)?),
    )
        .into_response())
}
