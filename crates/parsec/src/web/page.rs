//! What every page shares: the context (language, user, menu, CSRF token), the generic list,
//! detail and form views that the capabilities fill in, and the parsing of submitted fields.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::{Catalog, Lang};
use crate::web::auth::Auth;

pub struct MenuItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

pub struct PageCtx {
    pub lang: Lang,
    catalog: Arc<Catalog>,
    pub user_name: Option<String>,
    pub role_label: String,
    pub csrf: String,
    pub menu: Vec<MenuItem>,
    pub flash: Option<String>,
    /// On a post that has not heard from the regional node for a while: since when, and how
    /// many of its records wait to go up (see `sync::web::offline`).
    pub offline: Option<String>,
    pub version: &'static str,
}

/// The menu: (path, label key, permission needed; None = every signed-in user).
const MENU: &[(&str, &str, Option<Permission>)] = &[
    ("/", "nav-home", None),
    ("/geo", "nav-geo", Some(Permission::ViewRegistry)),
    ("/forces", "nav-forces", Some(Permission::ViewRegistry)),
    ("/units", "nav-units", Some(Permission::ViewRegistry)),
    ("/assets", "nav-assets", Some(Permission::ViewRegistry)),
    ("/sites", "nav-sites", Some(Permission::ViewRegistry)),
    (
        "/incidents",
        "nav-incidents",
        Some(Permission::ViewIncidents),
    ),
    ("/map", "nav-map", Some(Permission::ViewIncidents)),
    ("/patrols", "nav-patrols", Some(Permission::ViewIncidents)),
    ("/sitrep", "nav-sitrep", Some(Permission::ViewIncidents)),
    (
        "/border/crossings/new",
        "nav-crossing-new",
        Some(Permission::RecordCrossings),
    ),
    (
        "/border/crossings",
        "nav-crossings",
        Some(Permission::ListCrossings),
    ),
    ("/border/flows", "nav-flows", Some(Permission::ViewFlows)),
    (
        "/border/partner-alerts",
        "nav-partner-alerts",
        Some(Permission::ViewCrossings),
    ),
    ("/screening", "nav-screening", Some(Permission::Screen)),
    (
        "/screening/review",
        "nav-review",
        Some(Permission::ReviewHits),
    ),
    ("/screening/lists", "nav-lists", Some(Permission::ViewLists)),
    ("/custody", "nav-custody", Some(Permission::ViewCustody)),
    ("/workshop", "nav-workshop", Some(Permission::ViewWorkshop)),
    (
        "/programme",
        "nav-programme",
        Some(Permission::ViewProgramme),
    ),
    ("/admin/users", "nav-users", Some(Permission::ManageUsers)),
    (
        "/admin/custody-rules",
        "nav-custody-rules",
        Some(Permission::SetCustodyRules),
    ),
    ("/audit", "nav-audit", Some(Permission::ViewAudit)),
    ("/nodes", "nav-nodes", Some(Permission::ViewNodes)),
    ("/account", "nav-account", None),
];

/// An agent's menu: the post's work only (the other pages stay open to them by address).
const AGENT_MENU: &[&str] = &[
    "/",
    "/border/crossings/new",
    "/border/crossings",
    "/screening",
    "/border/partner-alerts",
    "/incidents",
    "/account",
];

impl PageCtx {
    pub fn new(state: &AppState, auth: &Auth, active: &str) -> PageCtx {
        let menu = MENU
            .iter()
            .filter(|(_, _, p)| p.is_none_or(|p| auth.user.can(p)))
            .filter(|(href, _, _)| {
                auth.user.role != crate::accounts::Role::Agent || AGENT_MENU.contains(href)
            })
            .map(|(href, key, _)| {
                let mut label = state.catalog.get(auth.lang, key).to_string();
                // What waits for the reviewer is counted in the menu itself.
                if *href == "/screening/review"
                    && let Some(n) = auth.to_review.filter(|n| *n > 0)
                {
                    label = format!("{label} ({n})");
                }
                MenuItem {
                    href,
                    label,
                    active: *href == active,
                }
            })
            .collect();
        PageCtx {
            lang: auth.lang,
            catalog: state.catalog.clone(),
            user_name: Some(auth.user.display_name.clone()),
            role_label: state
                .catalog
                .get(auth.lang, auth.user.role.label_key())
                .to_string(),
            csrf: crate::web::csrf::mask(auth.csrf()),
            menu,
            flash: None,
            offline: auth
                .offline
                .as_ref()
                .map(|o| crate::sync::web::offline_text(&state.catalog, auth.lang, o)),
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    pub fn anonymous(state: &AppState, lang: Lang) -> PageCtx {
        PageCtx {
            lang,
            catalog: state.catalog.clone(),
            user_name: None,
            role_label: String::new(),
            csrf: String::new(),
            menu: Vec::new(),
            flash: None,
            offline: None,
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// The message for `key` in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.catalog.get(self.lang, key).to_string()
    }

    /// The messages for `keys`, in order (a table's column heads).
    pub fn ts(&self, keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| self.t(k)).collect()
    }

    /// The message for `key` with its `{ $name }` placeholders filled.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.catalog.format(self.lang, key, args)
    }

    pub fn with_flash(mut self, key: Option<&str>) -> Self {
        self.flash = key.map(|k| self.t(k));
        self
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }
}

pub fn render(t: &impl Template) -> AppResult<Response> {
    Ok(Html(t.render()?).into_response())
}

pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Options under a heading (`<optgroup>`).
pub struct OptionGroup {
    pub label: String,
    pub options: Vec<SelectOption>,
}

pub fn options(
    choices: Vec<(String, String)>,
    current: &str,
    blank: Option<String>,
) -> Vec<SelectOption> {
    let mut out = Vec::new();
    if let Some(label) = blank {
        out.push(SelectOption {
            value: String::new(),
            label,
            selected: current.is_empty(),
        });
    }
    out.extend(choices.into_iter().map(|(value, label)| SelectOption {
        selected: value == current,
        value,
        label,
    }));
    out
}

pub struct Link {
    pub href: String,
    pub label: String,
}

impl Link {
    pub fn new(href: &str, label: String) -> Link {
        Link {
            href: href.to_string(),
            label,
        }
    }
}

pub struct FilterField {
    pub name: &'static str,
    pub label: String,
    /// The input's type when there are no options: `search`, `text` or `date`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<SelectOption>,
}

impl FilterField {
    /// The free-text search box (`q`).
    pub fn search(c: &PageCtx, p: &ListParams) -> FilterField {
        FilterField {
            name: "q",
            label: c.t("filter-search"),
            kind: "search",
            value: p.get("q").into(),
            options: Vec::new(),
        }
    }

    pub fn select(
        name: &'static str,
        label: String,
        p: &ListParams,
        options: Vec<SelectOption>,
    ) -> FilterField {
        FilterField {
            name,
            label,
            kind: "search",
            value: p.get(name).into(),
            options,
        }
    }
}

pub struct ColumnHead {
    pub label: String,
    pub sort_href: Option<String>,
    pub arrow: &'static str,
}

impl ColumnHead {
    /// A column the list is not sorted by.
    pub fn plain(label: String) -> ColumnHead {
        ColumnHead {
            label,
            sort_href: None,
            arrow: "",
        }
    }
}

pub struct ListRow {
    pub href: String,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListView {
    pub c: PageCtx,
    pub title: String,
    /// The page's main action (new record, check the chain …).
    pub action: Option<Link>,
    /// Where the filter form goes; empty for this same list.
    pub filter_action: &'static str,
    pub api_href: String,
    pub filters: Vec<FilterField>,
    pub columns: Vec<ColumnHead>,
    pub rows: Vec<ListRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

impl ListView {
    /// The count line: how many rows, or "more than 10,000" when the count stopped there
    /// (see `db::list::COUNT_MOST`).
    pub fn count_text(&self) -> String {
        if self.capped() {
            self.c.tf(
                "list-more-than",
                &[("count", &self.c.lang.number(crate::db::list::COUNT_MOST))],
            )
        } else {
            self.total.to_string()
        }
    }

    /// Whether the count stopped at `COUNT_MOST` (there are more rows than it says).
    pub fn capped(&self) -> bool {
        self.total > crate::db::list::COUNT_MOST
    }

    /// A list that fits on one page: no sorting, no pagination, no filters (set `filters` for a
    /// search box).
    pub fn single_page(
        c: PageCtx,
        title: String,
        api_href: &str,
        columns: Vec<String>,
        rows: Vec<ListRow>,
    ) -> ListView {
        ListView {
            c,
            title,
            action: None,
            filter_action: "",
            api_href: api_href.to_string(),
            filters: Vec::new(),
            columns: columns.into_iter().map(ColumnHead::plain).collect(),
            total: rows.len() as i64,
            rows,
            page: 1,
            pages: 1,
            prev_href: None,
            next_href: None,
        }
    }
}

/// A short table of a home page: what waits for this person, with a link to the whole list.
pub struct Section {
    /// The section's element id (for links and tests).
    pub id: &'static str,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<ListRow>,
    /// How many there are in all (the rows may be the first few).
    pub total: i64,
    pub more: Option<Link>,
    /// What the section says when nothing waits.
    pub empty: String,
    /// A mark per row (`late`, `soon`), or none.
    pub marks: Vec<&'static str>,
}

/// How many rows a home page's section shows.
pub const SECTION_ROWS: i64 = 8;

pub struct DetailField {
    pub label: String,
    pub value: String,
    pub href: Option<String>,
}

pub struct DetailTable {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<ListRow>,
}

#[derive(Template)]
#[template(path = "detail.html")]
pub struct DetailView {
    pub c: PageCtx,
    pub title: String,
    pub back_href: String,
    pub edit_href: Option<String>,
    pub fields: Vec<DetailField>,
    pub tables: Vec<DetailTable>,
}

impl DetailView {
    /// The label of the page's action: a report for the pages whose action is to report.
    pub fn edit_key(&self) -> &'static str {
        match &self.edit_href {
            Some(h) if h.ends_with("/report") => "patrol-report",
            _ => "action-edit",
        }
    }
}

pub struct FormField {
    pub name: &'static str,
    pub label: String,
    /// `text`, `number`, `select`, `textarea`, `password`, `checkbox` or `file`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<SelectOption>,
    pub required: bool,
    pub hint: String,
    pub error: Option<String>,
    /// A select's options under headings, after `options`.
    pub groups: Vec<OptionGroup>,
    /// A locality field's chosen place: its id goes in a hidden input under the field's name
    /// while the visible field shows the place's name (never an internal code).
    pub picked: String,
}

/// The longest value a form shows back: far above any field's own limit (notes: 4,000), so
/// that what was typed too long can be cut by its author; a flood is not sent back.
pub const ECHO_MOST: usize = 10_000;

/// A typed value as a form may show it back: whole, or nothing when beyond `ECHO_MOST`.
pub fn echo(value: String) -> String {
    if value.len() > ECHO_MOST {
        String::new()
    } else {
        value
    }
}

impl FormField {
    pub fn new(name: &'static str, label: String, kind: &'static str, value: String) -> FormField {
        FormField {
            name,
            label,
            kind,
            value: echo(value),
            options: Vec::new(),
            required: false,
            hint: String::new(),
            error: None,
            groups: Vec::new(),
            picked: String::new(),
        }
    }

    /// A place field with suggestions from the gazetteer: a value that is a locality's id is
    /// shown by its name (and kept, hidden, as the id).
    pub fn locality(mut self, gazetteer: &gazetteer::Gazetteer) -> Self {
        if let Some(l) = gazetteer.locality(self.value.trim()) {
            self.picked = l.id.clone();
            self.value = [l.name.as_str(), l.commune.as_str(), l.cercle.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
        }
        self.kind = "locality";
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn required_if(mut self, required: bool) -> Self {
        self.required = required;
        self
    }
    pub fn options(mut self, options: Vec<SelectOption>) -> Self {
        self.options = options;
        self
    }
    pub fn hint(mut self, hint: String) -> Self {
        self.hint = hint;
        self
    }
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormView {
    pub c: PageCtx,
    pub title: String,
    pub action: String,
    pub cancel_href: String,
    pub fields: Vec<FormField>,
    pub error: Option<String>,
    /// A map drawn under the form where a click fills the `lat` and `lon` fields.
    pub map: Option<String>,
    /// The button's words when the form does not save (the name check: « Contrôler »).
    pub submit: Option<String>,
}

impl FormView {
    /// Whether the form says what its star means.
    pub fn has_required(&self) -> bool {
        self.fields.iter().any(|f| f.required)
    }

    /// A form with a file goes as `multipart/form-data`.
    pub fn multipart(&self) -> bool {
        self.fields.iter().any(|f| f.kind == "file")
    }

    /// Puts the errors of a failed save next to their fields (or above the form), so the user
    /// sees everything to fix at once, with everything typed still in place.
    pub fn with_error(mut self, e: &AppError) -> Self {
        for (name, key) in e.problems() {
            let message = self.c.t(key);
            // A hidden field shows no message: its error goes above the form.
            match self
                .fields
                .iter_mut()
                .find(|x| x.name == name && x.kind != "hidden")
            {
                Some(field) => field.error = Some(message),
                None => self.error = Some(message),
            }
        }
        self
    }

    /// The answer to a refused save: this form again (422/409) for a user error, the error
    /// itself otherwise.
    pub fn refuse(self, e: AppError) -> AppResult<Response> {
        if !e.is_user() {
            return Err(e);
        }
        let status = e.status();
        let form = self.with_error(&e);
        Ok((status, Html(form.render()?)).into_response())
    }
}

/// Submitted fields, from a form or a JSON object, read the same way by both.
#[derive(Debug, Default, Clone)]
pub struct Fields(pub HashMap<String, String>);

impl Fields {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Fields {
        Fields(pairs.into_iter().collect())
    }

    pub fn from_json(bytes: &[u8]) -> AppResult<Fields> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|_| AppError::invalid("body", "error-bad-json"))?;
        let obj = value
            .as_object()
            .ok_or(AppError::invalid("body", "error-bad-json"))?;
        let mut map = HashMap::new();
        for (k, v) in obj {
            let s = match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => return Err(AppError::invalid("body", "error-bad-json")),
            };
            map.insert(k.clone(), s);
        }
        Ok(Fields(map))
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(|s| s.trim()).unwrap_or("")
    }

    pub fn required(&self, name: &'static str, max: usize) -> AppResult<String> {
        let v = self.get(name);
        if v.is_empty() {
            return Err(AppError::invalid(name, "error-required"));
        }
        if v.chars().count() > max {
            return Err(AppError::invalid(name, "error-too-long"));
        }
        Ok(v.to_string())
    }

    pub fn optional(&self, name: &'static str, max: usize) -> AppResult<Option<String>> {
        let v = self.get(name);
        if v.chars().count() > max {
            return Err(AppError::invalid(name, "error-too-long"));
        }
        Ok((!v.is_empty()).then(|| v.to_string()))
    }

    pub fn optional_f64(&self, name: &'static str, min: f64, max: f64) -> AppResult<Option<f64>> {
        let v = self.get(name).replace(',', ".");
        if v.is_empty() {
            return Ok(None);
        }
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= min && x <= max => Ok(Some(x)),
            Ok(_) => Err(AppError::invalid(name, "error-out-of-range")),
            Err(_) => Err(AppError::invalid(name, "error-not-a-number")),
        }
    }

    /// A number that must be there.
    pub fn required_f64(&self, name: &'static str, min: f64, max: f64) -> AppResult<f64> {
        self.optional_f64(name, min, max)?
            .ok_or(AppError::invalid(name, "error-required"))
    }

    /// A day as people write it (`05/12/2026`), that must be there and real.
    pub fn day(&self, name: &'static str) -> AppResult<time::Date> {
        crate::db::day(self.get(name)).ok_or(AppError::invalid(name, "error-bad-date"))
    }

    pub fn optional_i64(&self, name: &'static str, min: i64, max: i64) -> AppResult<Option<i64>> {
        let v = self.get(name);
        if v.is_empty() {
            return Ok(None);
        }
        match v.parse::<i64>() {
            Ok(x) if x >= min && x <= max => Ok(Some(x)),
            Ok(_) => Err(AppError::invalid(name, "error-out-of-range")),
            Err(_) => Err(AppError::invalid(name, "error-not-a-number")),
        }
    }

    pub fn choice<T>(&self, name: &'static str, parse: impl Fn(&str) -> Option<T>) -> AppResult<T> {
        let v = self.get(name);
        if v.is_empty() {
            return Err(AppError::invalid(name, "error-required"));
        }
        parse(v).ok_or(AppError::invalid(name, "error-bad-choice"))
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1" | "yes")
    }
}

/// List parameters from the query string: free text, filters, sort and page.
#[derive(Debug, Default, Clone)]
pub struct ListParams(pub HashMap<String, String>);

pub const PAGE_SIZE: i64 = 25;

impl ListParams {
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(|s| s.trim()).unwrap_or("")
    }

    /// The filter as `key=value` pairs in a stable order, for the audit of a list or export.
    pub fn described(&self) -> String {
        let mut keys: Vec<(&String, &String)> =
            self.0.iter().filter(|(_, v)| !v.is_empty()).collect();
        keys.sort();
        keys.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn page(&self) -> i64 {
        self.get("page")
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 1 && *p <= 100_000)
            .unwrap_or(1)
    }

    pub fn desc(&self) -> bool {
        self.get("dir") == "desc"
    }

    /// The link to this list with one parameter changed (and the page reset unless it is the
    /// page that changes).
    pub fn href_with(&self, base: &str, key: &str, value: &str) -> String {
        let mut pairs: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|(k, v)| {
                k.as_str() != key && !v.is_empty() && (key == "page" || k.as_str() != "page")
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        pairs.push((key.to_string(), value.to_string()));
        pairs.sort();
        match serde_urlencoded::to_string(&pairs) {
            Ok(q) if !q.is_empty() => format!("{base}?{q}"),
            _ => base.to_string(),
        }
    }

    pub fn sort_head(&self, base: &str, label: String, key: &str) -> ColumnHead {
        let current = self.get("sort") == key;
        let mut p = self.clone();
        p.0.insert(
            "dir".into(),
            if current && !self.desc() {
                "desc".into()
            } else {
                "asc".into()
            },
        );
        ColumnHead {
            label,
            sort_href: Some(p.href_with(base, "sort", key)),
            arrow: match (current, self.desc()) {
                (true, false) => "▲",
                (true, true) => "▼",
                _ => "",
            },
        }
    }

    pub fn pager(&self, base: &str, total: i64) -> (i64, i64, Option<String>, Option<String>) {
        // A count that stopped at COUNT_MOST pages over that many rows.
        let total = total.min(crate::db::list::COUNT_MOST);
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let page = self.page().min(pages);
        let prev = (page > 1).then(|| self.href_with(base, "page", &(page - 1).to_string()));
        let next = (page < pages).then(|| self.href_with(base, "page", &(page + 1).to_string()));
        (page, pages, prev, next)
    }
}

/// A stored time as people here read it: `28/11/2026 16:45`, day first. Times are UTC, which
/// is Mali's time all year; every page says so once, under it (`footer-utc`).
/// A day as stored (`1961-01-01`, `1961-01`, `1961`) the way people here write it
/// (`01/01/1961`, `01/1961`, `1961`).
pub fn day_text(d: &str) -> String {
    match d.get(..10).unwrap_or(d).split('-').collect::<Vec<_>>()[..] {
        [y, m, dd] => format!("{dd}/{m}/{y}"),
        [y, m] => format!("{m}/{y}"),
        _ => d.to_string(),
    }
}

/// A time as people type it — `JJ/MM/AAAA HH:MM` (or the ISO `AAAA-MM-JJTHH:MM`) — read as UTC
/// like every time the records keep.
pub fn typed_time(s: &str) -> Option<time::OffsetDateTime> {
    let s = s.trim().replace('T', " ");
    let (day, clock) = s.split_once(' ')?;
    let day = crate::db::day(day)?;
    let (h, m) = clock.trim().split_once(':')?;
    let t = time::Time::from_hms(h.parse().ok()?, m.get(..2)?.parse().ok()?, 0).ok()?;
    Some(day.with_time(t).assume_utc())
}

pub fn when_text(at: &str) -> String {
    match (at.get(..4), at.get(5..7), at.get(8..10), at.get(11..16)) {
        (Some(y), Some(m), Some(d), Some(hm)) if at.get(4..5) == Some("-") => {
            format!("{d}/{m}/{y} {hm}")
        }
        (Some(y), Some(m), Some(d), None) if at.len() == 10 && at.get(4..5) == Some("-") => {
            format!("{d}/{m}/{y}")
        }
        _ => at.to_string(),
    }
}

/// A share (0 to 1) as a whole percent for a page cell (`87 %`); empty when there is none.
pub fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.0} %", r * 100.0))
        .unwrap_or_default()
}

/// Formats an optional number for a page cell.
pub fn num(v: Option<f64>) -> String {
    v.map(|x| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x:.1}")
        }
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::when_text;

    #[test]
    fn times_read_day_first() {
        assert_eq!(when_text("2026-12-04T18:59:20Z"), "04/12/2026 18:59");
        assert_eq!(when_text("2026-12-04"), "04/12/2026");
        assert_eq!(when_text("hier"), "hier");
    }
}
