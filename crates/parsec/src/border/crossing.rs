//! Registering a traveller crossing at a post: the document read from its machine-readable
//! zone or typed, the screening against the active watchlists, the warnings that help the
//! agent, all saved in one transaction with the hits and the daily counts; and reading
//! crossings back, which is a read of personal data.

use sqlx::FromRow;
use time::Date;

use super::model::{Coded, Direction, Mode, Screening};
use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::list::{ListQuery, Where, fetch_list};
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::keyring::{self, Keyring};
use crate::screening::{self, Answer, Traveller};

/// Age under which a traveller is a minor (shown, not blocking).
const MAJORITY: i32 = 18;

/// A place of origin or destination: a locality of the region when the name is known to the
/// gazetteer, else the text as typed (a town abroad).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    pub locality_id: Option<String>,
    pub text: String,
}

/// A place as typed in the form's `field`: a locality of the region when the gazetteer knows
/// the name, else the text (a town abroad).
pub fn place(state: &AppState, typed: &str, field: &'static str) -> AppResult<Place> {
    let given = typed.trim();
    if given.chars().count() > 120 {
        return Err(AppError::invalid(field, "error-too-long"));
    }
    if given.is_empty() {
        return Ok(Place::default());
    }
    if let Some(l) = state.gazetteer.locality(given) {
        return Ok(Place {
            locality_id: Some(l.id.clone()),
            text: l.name.clone(),
        });
    }
    let exact = state
        .gazetteer
        .search(given, 1)
        .into_iter()
        .find(|h| h.kind == gazetteer::MatchKind::Exact);
    Ok(match exact {
        Some(h) => Place {
            locality_id: Some(h.locality.id.clone()),
            text: h.locality.name.clone(),
        },
        None => Place {
            locality_id: None,
            text: given.to_string(),
        },
    })
}

/// A crossing as the agent submits it, checked.
#[derive(Debug, Clone)]
pub struct CrossingInput {
    pub submission_id: String,
    pub direction: Direction,
    pub mode: Mode,
    pub purpose: String,
    pub origin: Place,
    pub destination: Place,
    pub surname: String,
    pub given_names: String,
    pub sex: String,
    pub birth_date: Option<String>,
    pub birth_approximate: bool,
    pub nationality: Option<String>,
    pub document_code: String,
    pub document_number: String,
    pub document_country: String,
    pub document_expiry: Option<String>,
    /// The zone's lines, when the document was scanned.
    pub mrz: Vec<String>,
    /// What the MRZ reading tolerated (warning codes), shown with the answer.
    pub mrz_warnings: Vec<String>,
    /// Set when this crossing corrects a mistaken one of the same post.
    pub correction: Option<Correction>,
}

/// What a correction names: the mistaken crossing, and why it is corrected.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub of: crate::ids::CrossingId,
    pub reason: String,
}

/// Reads the machine-readable zone typed by the scanner (or by hand). A zone that does not
/// verify is refused at its field: the agent rescans it, or clears it and types the fields.
pub fn read_zone(text: &str, today: Date) -> AppResult<Option<mrz::Document>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let doc = super::mrz::read(text, super::mrz::day(today));
    // A tolerated deviation (sex X …) is read as printed and shown; a failed rule is refused.
    if doc.format() == mrz::Format::Unknown || !doc.reads_as_printed() {
        return Err(AppError::invalid("mrz", "error-mrz-invalid"));
    }
    Ok(Some(doc))
}

impl CrossingInput {
    /// What the form said, who said it and where, in one keyed hash (a plain hash of a name
    /// would let a guess be confirmed from the database alone).
    fn fingerprint(&self, keys: &Keyring, unit_id: &str, actor: &Actor) -> String {
        let text = [
            unit_id,
            &actor.0,
            self.direction.code(),
            self.mode.code(),
            &self.surname,
            &self.given_names,
            self.birth_date.as_deref().unwrap_or(""),
            self.nationality.as_deref().unwrap_or(""),
            &self.document_number,
            &self.mrz.join("\n"),
        ]
        .join("\u{1f}");
        keys.digest(&text)
    }

    fn traveller(&self) -> Traveller {
        Traveller {
            name: format!("{} {}", self.given_names, self.surname)
                .trim()
                .to_string(),
            birth: self.birth_date.clone(),
            nationality: self.nationality.clone(),
        }
    }
}

/// What the save answers: the crossing, its screening and the warnings.
#[derive(Debug)]
pub struct Recorded {
    pub id: String,
    /// False when the same form had already been saved (a second Enter).
    pub created: bool,
}

/// The warnings that help the agent (shown, never blocking).
async fn warnings(
    db: &Db,
    keys: &Keyring,
    input: &CrossingInput,
    today: Date,
) -> AppResult<Vec<&'static str>> {
    let mut out = Vec::new();
    let today_text = today.to_string();
    if input
        .document_expiry
        .as_deref()
        .is_some_and(|e| e < today_text.as_str())
    {
        out.push("document_expired");
    }
    if !input.document_number.is_empty() {
        let seen: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM crossings
             WHERE document_tag IN (SELECT value FROM json_each(?)) AND document_country = ?
             AND direction = ? AND substr(crossed_at, 1, 10) = ?",
        )
        .bind(serde_json::json!(keys.document_tags(&input.document_number)).to_string())
        .bind(&input.document_country)
        .bind(input.direction.code())
        .bind(&today_text)
        .fetch_one(db)
        .await?;
        if seen > 0 {
            out.push("seen_today");
        }
    }
    if let Some(b) = input
        .birth_date
        .as_deref()
        .and_then(namematch::BirthDate::parse)
    {
        let mut age = today.year() - i32::from(b.year);
        if b.month != 0 && (u8::from(today.month()), today.day()) < (b.month, b.day.max(1)) {
            age -= 1;
        }
        if age < MAJORITY {
            out.push("minor");
        }
    }
    Ok(out)
}

/// Registers a crossing at the agent's post at `at` (RFC 3339; now, but for the demo's past
/// weeks): screened before anything is written, then the crossing, its hits (for the review
/// of the post's commandant), the daily count and the audit entry in one transaction. A form
/// saved twice gives back the first crossing.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    unit_id: &str,
    input: &CrossingInput,
    at: &str,
) -> AppResult<Recorded> {
    let keys = &state.keys;
    let fingerprint = input.fingerprint(keys, unit_id, actor);
    if let Some(id) = by_submission(&state.db, &input.submission_id, &fingerprint).await? {
        return Ok(Recorded { id, created: false });
    }
    // A correction stands for the crossing it corrects: same post, same time.
    let at = match &input.correction {
        Some(c) => corrected_time(&state.db, unit_id, c).await?,
        None => at.to_string(),
    };
    let at = at.as_str();
    let today = db::day(at).ok_or(AppError::invalid("crossed_at", "error-bad-date"))?;
    let traveller = input.traveller();
    let mut answers: Vec<Answer> = screening::answers(state, &traveller).await?;
    let decision = match answers.first().map(|a| a.decision) {
        Some(namematch::Decision::Alerte) => Screening::Alerte,
        Some(namematch::Decision::AVerifier) => Screening::AVerifier,
        _ => Screening::Aucune,
    };
    let warnings = warnings(&state.db, keys, input, today).await?;
    let id = db::new_id();
    let seal = |column: &str, value: &str| keys.seal("crossings", column, &id, value);
    let now = at.to_string();
    let mut tx = db::begin_write(&state.db).await?;
    let inserted = sqlx::query(
        "INSERT INTO crossings (id, submission_id, unit_id, crossed_at, recorded_by, direction, mode,
         purpose, origin_id, origin, destination_id, destination, surname, given_names, sex,
         birth_date, birth_approximate, nationality, document_code, document_number,
         document_country, document_expiry, mrz, screening, instruction, warnings, fingerprint,
         corrects, correction_reason, name_keys, document_tag)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                 ?, ?)
         ON CONFLICT (submission_id) DO NOTHING",
    )
    .bind(&id)
    .bind(&input.submission_id)
    .bind(unit_id)
    .bind(&now)
    .bind(&actor.0)
    .bind(input.direction.code())
    .bind(input.mode.code())
    .bind(&input.purpose)
    .bind(&input.origin.locality_id)
    .bind(&input.origin.text)
    .bind(&input.destination.locality_id)
    .bind(&input.destination.text)
    .bind(seal("surname", &input.surname))
    .bind(seal("given_names", &input.given_names))
    .bind(&input.sex)
    .bind(input.birth_date.as_deref().map(|b| seal("birth_date", b)))
    .bind(input.birth_approximate)
    .bind(&input.nationality)
    .bind(&input.document_code)
    .bind(seal("document_number", &input.document_number))
    .bind(&input.document_country)
    .bind(input.document_expiry.as_deref().map(|e| seal("document_expiry", e)))
    .bind(seal("mrz", &input.mrz.join("\n")))
    .bind(decision.code())
    .bind(answers.first().map(|a| a.entry.instruction.clone()))
    .bind(warnings.join(","))
    .bind(&fingerprint)
    .bind(input.correction.as_ref().map(|c| c.of.as_str().to_string()))
    .bind(seal(
        "correction_reason",
        input.correction.as_ref().map_or("", |c| c.reason.as_str()),
    ))
    .bind(keys.name_keys(&[&input.surname, &input.given_names]))
    .bind(keys.document_tag(&input.document_number))
    .execute(&mut *tx)
    .await
    .map_err(|e| match e {
        // Two corrections of one crossing (a second tab, another agent): the first stands.
        sqlx::Error::Database(d) if d.message().contains("crossings.corrects") => {
            AppError::Conflict {
                field: "corrects",
                key: "error-already-corrected",
            }
        }
        e => e.into(),
    })?;
    if inserted.rows_affected() == 0 {
        // Saved meanwhile by the same form's first submission.
        drop(tx);
        let id = by_submission(&state.db, &input.submission_id, &fingerprint)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok(Recorded { id, created: false });
    }
    screening::record_hits(
        &mut tx,
        keys,
        actor,
        Some(unit_id),
        Some(&id),
        &traveller,
        &mut answers,
    )
    .await?;
    super::flows::count(&mut tx, "crossings", &id).await?;
    audit::append(
        &mut tx,
        actor,
        "create",
        "crossing",
        &id,
        &format!(
            "screening={} {}",
            decision.code(),
            screening::audit_detail(&answers)
        ),
    )
    .await?;
    if let Some(c) = &input.correction {
        // The mistaken crossing's own history says it was corrected, and by which: the reason
        // is in the correcting record, sealed (the log is never re-encrypted, so it holds no
        // free text about a person).
        audit::append(
            &mut tx,
            actor,
            "correct",
            "crossing",
            c.of.as_str(),
            &format!("by={id}"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Recorded { id, created: true })
}

/// The time of the crossing a correction names: it must be of the same post and not corrected
/// yet.
async fn corrected_time(db: &Db, unit_id: &str, c: &Correction) -> AppResult<String> {
    let found: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT o.unit_id, o.crossed_at,
                EXISTS (SELECT 1 FROM crossings n WHERE n.corrects = o.id)
         FROM crossings o WHERE o.id = ?",
    )
    .bind(c.of.as_str())
    .fetch_optional(db)
    .await?;
    match found {
        Some((unit, at, 0)) if unit == unit_id => Ok(at),
        Some((unit, _, _)) if unit == unit_id => Err(AppError::Conflict {
            field: "corrects",
            key: "error-already-corrected",
        }),
        _ => Err(AppError::invalid("corrects", "error-correct-unknown")),
    }
}

/// The crossing that corrects this one, if any: its id and why.
pub async fn correction_of(
    db: &Db,
    keys: &Keyring,
    id: &str,
) -> AppResult<Option<(String, String)>> {
    let found: Option<(String, String)> =
        sqlx::query_as("SELECT id, correction_reason FROM crossings WHERE corrects = ?")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(found.map(|(by, reason)| {
        let reason = keys.open("crossings", "correction_reason", &by, &reason);
        (by, reason)
    }))
}

/// The crossing a form key was saved as. The same key with other content (a form brought
/// back and used for another traveller) is refused: the second traveller must be registered
/// and screened, not answered with the first one's page.
async fn by_submission(db: &Db, submission: &str, fingerprint: &str) -> AppResult<Option<String>> {
    let found: Option<(String, String)> =
        sqlx::query_as("SELECT id, fingerprint FROM crossings WHERE submission_id = ?")
            .bind(submission)
            .fetch_optional(db)
            .await?;
    match found {
        Some((id, f)) if f == fingerprint || f.is_empty() => Ok(Some(id)),
        Some(_) => Err(AppError::Conflict {
            field: "submission",
            key: "error-form-reused",
        }),
        None => Ok(None),
    }
}

/// The agent confirms having read the instruction of an `alerte` (audited).
pub async fn confirm_instruction_read(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    id: &str,
) -> AppResult<()> {
    let mut tx = db::begin_write(&state.db).await?;
    let done = sqlx::query(
        "UPDATE crossings SET instruction_read_at = ? WHERE id = ? AND screening = 'alerte'
         AND instruction_read_at IS NULL
         AND (?3 IS NULL OR unit_id IN (SELECT value FROM json_each(?3)))",
    )
    .bind(db::now_text())
    .bind(id)
    .bind(scope.as_json())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(&mut tx, actor, "instruction_read", "crossing", id, "").await?;
    tx.commit().await?;
    Ok(())
}

/// The oldest alert this agent saved and has not acknowledged: no next crossing before it
/// (an agent's habitual Enter must not leave an `alerte` unread).
/// Gives its id and the one-time key of the form that saved it.
pub async fn unacknowledged_alert(db: &Db, actor: &Actor) -> AppResult<Option<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, submission_id FROM crossings INDEXED BY crossings_unread_alerts
         WHERE recorded_by = ? AND screening = 'alerte' AND instruction_read_at IS NULL
         ORDER BY crossed_at LIMIT 1",
    )
    .bind(&actor.0)
    .fetch_optional(db)
    .await?)
}

/// A crossing as lists and pages show it.
#[derive(Debug, Clone, FromRow)]
pub struct CrossingRow {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub crossed_at: String,
    pub recorded_by: String,
    pub direction: String,
    pub mode: String,
    pub purpose: String,
    pub origin: String,
    pub destination: String,
    pub surname: String,
    pub given_names: String,
    pub sex: String,
    pub birth_date: Option<String>,
    pub birth_approximate: bool,
    pub nationality: Option<String>,
    pub document_code: String,
    pub document_number: String,
    pub document_country: String,
    pub document_expiry: Option<String>,
    pub mrz: String,
    pub screening: String,
    pub instruction: Option<String>,
    pub instruction_read_at: Option<String>,
    pub warnings: String,
    /// The mistaken crossing this one corrects, and why.
    pub corrects: Option<String>,
    pub correction_reason: String,
}

impl CrossingRow {
    /// The row with its sealed fields opened (what every reader of a crossing shows).
    pub fn opened(mut self, keys: &Keyring) -> CrossingRow {
        let id = self.id.clone();
        let open = |column: &str, v: &mut String| keys.open_in("crossings", column, &id, v);
        open("surname", &mut self.surname);
        open("given_names", &mut self.given_names);
        open("document_number", &mut self.document_number);
        open("mrz", &mut self.mrz);
        open("correction_reason", &mut self.correction_reason);
        keys.open_opt_in("crossings", "birth_date", &id, &mut self.birth_date);
        keys.open_opt_in(
            "crossings",
            "document_expiry",
            &id,
            &mut self.document_expiry,
        );
        self
    }
}

/// Opens the sealed fields of a page of crossings.
pub fn opened(rows: Vec<CrossingRow>, keys: &Keyring) -> Vec<CrossingRow> {
    rows.into_iter().map(|r| r.opened(keys)).collect()
}

const CROSSING_SELECT: &str = "c.id, c.unit_id, u.name AS unit_name, c.crossed_at, c.recorded_by,
    c.direction, c.mode, c.purpose, c.origin, c.destination, c.surname, c.given_names, c.sex,
    c.birth_date, c.birth_approximate, c.nationality, c.document_code, c.document_number,
    c.document_country, c.document_expiry, c.mrz, c.screening, c.instruction,
    c.instruction_read_at, c.warnings, c.corrects, c.correction_reason";
const CROSSING_FROM: &str = "crossings c JOIN units u ON u.id = c.unit_id";

/// One crossing, within the reader's scope, read as personal data (audited): out of scope it
/// is not found, and no read is recorded.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    id: &str,
) -> AppResult<CrossingRow> {
    let sql = format!(
        "SELECT {CROSSING_SELECT} FROM {CROSSING_FROM} WHERE c.id = ?1
         AND (?2 IS NULL OR c.unit_id IN (SELECT value FROM json_each(?2)))"
    );
    let row: Option<CrossingRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(scope.as_json())
        .fetch_optional(&state.db)
        .await?;
    let row = row.ok_or(AppError::NotFound)?.opened(&state.keys);
    audit::audited_read(&state.db, actor, "crossing", id, async { Ok(row) }).await
}

/// The most crossings a search by document number shows (the newest).
pub const FOUND_MOST: i64 = 50;

/// The crossings of one document in a scope, newest first: what a post's agent may look up
/// ("has this passport crossed here before?") without listing the crossings. Exact number
/// only (typed with or without spaces); audited with the number and how many were shown.
pub async fn find_by_document(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    number: &str,
) -> AppResult<Vec<CrossingRow>> {
    let number: String = number
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    if number.is_empty() || number.chars().count() > 30 {
        return Err(AppError::invalid("document", "error-document-number"));
    }
    // By the number's tag under every key held, then the number itself compared once opened.
    let rows: Vec<CrossingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CROSSING_SELECT} FROM {CROSSING_FROM}
         WHERE c.document_tag IN (SELECT value FROM json_each(?1))
         AND (?2 IS NULL OR c.unit_id IN (SELECT value FROM json_each(?2)))
         ORDER BY c.crossed_at DESC LIMIT ?3"
    )))
    .bind(serde_json::json!(state.keys.document_tags(&number)).to_string())
    .bind(scope.as_json())
    .bind(FOUND_MOST)
    .fetch_all(&state.db)
    .await?;
    let rows: Vec<CrossingRow> = opened(rows, &state.keys)
        .into_iter()
        .filter(|r| keyring::document_term(&r.document_number) == keyring::document_term(&number))
        .collect();
    let mut tx = db::begin_write(&state.db).await?;
    // The number as a keyed tag: the log never holds it (the inspector computes the tag).
    let detail = format!(
        "document=#{} shown={}",
        state
            .keys
            .audit_tag("document", &keyring::document_term(&number)),
        rows.len()
    );
    audit::append(&mut tx, actor, "find", "crossing", "-", &detail).await?;
    tx.commit().await?;
    Ok(rows)
}

/// How a crossing list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CrossingSort {
    /// Newest first unless told otherwise.
    #[default]
    Time,
    Post,
    Screening,
}

impl CrossingSort {
    pub fn parse(s: &str) -> Option<CrossingSort> {
        match s {
            "time" => Some(CrossingSort::Time),
            "post" => Some(CrossingSort::Post),
            "screening" => Some(CrossingSort::Screening),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            CrossingSort::Time => "time",
            CrossingSort::Post => "post",
            CrossingSort::Screening => "screening",
        }
    }
}

/// What a list or an export of crossings keeps, in which order, which page: as the page, the
/// API and the tests give it (the page parses its query string into it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrossingFilter {
    pub post: Option<crate::ids::UnitId>,
    pub from: Option<Date>,
    /// The last day, whole.
    pub to: Option<Date>,
    pub direction: Option<Direction>,
    pub nationality: Option<crate::ids::CountryCode>,
    pub mode: Option<Mode>,
    pub screening: Option<Screening>,
    /// Names and document numbers (full-text).
    pub search: String,
    /// None: newest first.
    pub sort: Option<CrossingSort>,
    pub descending: bool,
    /// From 1.
    pub page: i64,
}

impl CrossingFilter {
    /// The filter for the audit of a list or export: the searched words as keyed tags
    /// (`q=#…+#…`), which the inspector finds by computing a person's tags; never the names.
    pub fn audited(&self, keys: &Keyring) -> String {
        let words: Vec<String> = self
            .search
            .split_whitespace()
            .take(8)
            .flat_map(|w| {
                let mut t = keyring::name_words(w);
                t.truncate(1);
                t
            })
            .map(|w| format!("#{}", keys.audit_tag("name", &w)))
            .collect();
        CrossingFilter {
            search: words.join("+"),
            ..self.clone()
        }
        .described()
    }

    /// The filter as `key=value` pairs in a stable order.
    pub fn described(&self) -> String {
        let day = |d: &Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        crate::db::list::described(&[
            (
                "dir",
                if self.descending {
                    "desc".to_string()
                } else {
                    String::new()
                },
            ),
            (
                "direction",
                self.direction
                    .map(|d| d.code().to_string())
                    .unwrap_or_default(),
            ),
            ("from", day(&self.from)),
            (
                "mode",
                self.mode.map(|m| m.code().to_string()).unwrap_or_default(),
            ),
            (
                "nationality",
                self.nationality
                    .as_ref()
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ),
            (
                "page",
                if self.page > 1 {
                    self.page.to_string()
                } else {
                    String::new()
                },
            ),
            (
                "post",
                self.post
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
            ),
            ("q", self.search.clone()),
            (
                "screening",
                self.screening
                    .map(|s| s.code().to_string())
                    .unwrap_or_default(),
            ),
            (
                "sort",
                self.sort.map(|s| s.code().to_string()).unwrap_or_default(),
            ),
            ("to", day(&self.to)),
        ])
    }
}

/// The filters of the crossing lists and exports, as `Where` clauses within a scope.
fn filters(scope: &Scope, f: &CrossingFilter, keys: &Keyring) -> Where {
    let mut w = Where::default();
    w.eq("c.unit_id = ?", f.post.as_ref().map_or("", |p| p.as_str()));
    let day = |d: &Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    w.eq("c.crossed_at >= ?", &day(&f.from));
    // The whole last day.
    w.eq("c.crossed_at < date(?, '+1 day')", &day(&f.to));
    w.eq(
        "c.direction = ?",
        f.direction.map(|d| d.code()).unwrap_or(""),
    );
    w.eq(
        "c.nationality = ?",
        f.nationality.as_ref().map_or("", |n| n.as_str()),
    );
    w.eq("c.mode = ?", f.mode.map(|m| m.code()).unwrap_or(""));
    w.eq(
        "c.screening = ?",
        f.screening.map(|s| s.code()).unwrap_or(""),
    );
    // Names and document numbers through the full-text index of their keyed tags
    // (`crossings_fts`, joined in `list_query`'s FROM when there is a search): whole words,
    // by spelling (Traoré, TRAORE), under every key held.
    w.matches(
        "crossings_fts MATCH ?",
        "c.rowid IN (SELECT rowid FROM crossings_fts WHERE crossings_fts MATCH ?)",
        keys.search_query(&f.search),
    );
    w.scope("c.unit_id IN (SELECT value FROM json_each(?))", scope);
    w
}

/// The crossings and their posts; with the full-text index first when there is a search.
const CROSSING_SEARCH_FROM: &str = "crossings_fts JOIN crossings c ON c.rowid = crossings_fts.rowid
    JOIN units u ON u.id = c.unit_id";
/// The crossings a filter keeps, without their posts (no filter needs them): the keys and
/// times of a page are then read from the filters' indexes alone.
const FILTER_FROM: &str = "crossings c";
const FILTER_SEARCH_FROM: &str = "crossings_fts JOIN crossings c ON c.rowid = crossings_fts.rowid";
/// The posts in name order, then their crossings: the walk of the list sorted by post.
const CROSSING_BY_POST_FROM: &str = "units u CROSS JOIN crossings c ON c.unit_id = u.id";

/// The query of a page of crossings in a scope (also what tests/it/scale.rs runs through
/// `EXPLAIN QUERY PLAN`). Each order has its index, which the walk follows: the time
/// (`crossings_time`), the screening (`crossings_screening_time`),
/// the post (`units_name`, then `crossings_unit_time`); every term of an order goes the same
/// way and the rowid breaks the ties, so one index gives the order whole. Newest first by
/// default.
/// There is no order by name: names are sealed (docs/encryption-design.md §12).
pub fn list_query(scope: &Scope, f: &CrossingFilter, keys: &Keyring) -> ListQuery {
    let dir = if f.sort.is_none() || f.descending {
        "DESC"
    } else {
        "ASC"
    };
    let (terms, walk_from, by_time): (&[&str], _, _) = match f.sort.unwrap_or_default() {
        CrossingSort::Post => (
            &["u.name", "u.rowid", "c.crossed_at", "c.rowid"],
            CROSSING_BY_POST_FROM,
            false,
        ),
        CrossingSort::Screening => (
            &["c.screening", "c.crossed_at", "c.rowid"],
            CROSSING_FROM,
            false,
        ),
        CrossingSort::Time => (&["c.crossed_at", "c.rowid"], CROSSING_FROM, true),
    };
    let order = terms.iter().map(|t| (t.to_string(), dir)).collect();
    // The order by post needs the posts' names; the others need nothing but the crossings.
    let search = keys.search_query(&f.search).is_some();
    let filter_from = match (search, f.sort == Some(CrossingSort::Post)) {
        (false, false) => FILTER_FROM,
        (true, false) => FILTER_SEARCH_FROM,
        (false, true) => CROSSING_FROM,
        (true, true) => CROSSING_SEARCH_FROM,
    };
    ListQuery::new(
        CROSSING_SELECT,
        CROSSING_FROM,
        "c.rowid",
        filters(scope, f, keys),
        order,
    )
    .filter_from(filter_from)
    .walk(walk_from, by_time)
}

/// The FROM of an export's filter: the full-text index joined when there is a search.
fn from(f: &CrossingFilter, keys: &Keyring) -> &'static str {
    if keys.search_query(&f.search).is_some() {
        CROSSING_SEARCH_FROM
    } else {
        CROSSING_FROM
    }
}

/// A page of crossings in a scope. Searching a list of travellers is itself a read of
/// personal data: the search and its filters are audited.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    f: &CrossingFilter,
) -> AppResult<(Vec<CrossingRow>, i64)> {
    let keys = &state.keys;
    let (rows, count) = fetch_list(&state.db, &list_query(scope, f, keys), f.page.max(1)).await?;
    let mut tx = db::begin_write(&state.db).await?;
    audit::append(&mut tx, actor, "list", "crossing", "-", &f.audited(keys)).await?;
    tx.commit().await?;
    Ok((opened(rows, keys), count))
}

/// Every crossing of a filter, for the CSV export: audited with the filter, and what left the
/// system (how many rows).
pub async fn export(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    f: &CrossingFilter,
) -> AppResult<Vec<CrossingRow>> {
    let rows: Vec<CrossingRow> = crate::db::list::fetch_all(
        &state.db,
        CROSSING_SELECT,
        from(f, &state.keys),
        &filters(scope, f, &state.keys),
        "c.crossed_at, c.id",
        crate::db::list::EXPORT_MOST,
    )
    .await?;
    audit::exported(
        &state.db,
        actor,
        "crossing",
        rows.len(),
        &f.audited(&state.keys),
    )
    .await?;
    Ok(opened(rows, &state.keys))
}

/// The hits a crossing raised (for its page).
pub async fn hits_of(
    db: &Db,
    keys: &Keyring,
    crossing_id: &str,
) -> AppResult<Vec<(String, String, f64, String, String)>> {
    let rows: Vec<(String, String, f64, String, String)> = sqlx::query_as(
        "SELECT h.id, e.full_name, h.score, h.decision, h.explanation
         FROM screening_hits h JOIN watchlist_entries e ON e.id = h.entry_id
         WHERE h.crossing_id = ? ORDER BY h.score DESC",
    )
    .bind(crossing_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, listed, score, decision, why)| {
            let why = keys.open("screening_hits", "explanation", &id, &why);
            (id, listed, score, decision, why)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_is_described_for_the_audit_in_a_stable_order() {
        let f = CrossingFilter {
            search: "SAWADOGO".into(),
            from: db::day("2026-12-01"),
            direction: Some(Direction::Entree),
            nationality: crate::ids::CountryCode::parse("BFA"),
            sort: Some(CrossingSort::Screening),
            descending: true,
            page: 2,
            ..CrossingFilter::default()
        };
        assert_eq!(
            f.described(),
            "dir=desc direction=entree from=2026-12-01 nationality=BF page=2 q=SAWADOGO sort=screening"
        );
        assert_eq!(CrossingFilter::default().described(), "");
    }
}
