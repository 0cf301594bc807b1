//! The custody register (garde à vue): a record per person held — unit, the officer of judicial
//! police (OPJ) who ordered it, the person, the offence, the place, the start — and the entries
//! of what happens during it: rights notified, the prosecutor informed, extensions, medical
//! visits, meals, the end. Nothing is deleted or edited, and nothing is back-dated beyond the
//! short delay of writing it down: a mistake is corrected by a new entry (or record) that names
//! the mistaken one. The deadlines follow the regime's limits as the administrator set them
//! (`deadline`), counted against the state's clock.

pub mod deadline;
pub mod demo;
pub mod web;

use std::collections::HashMap;

use sqlx::FromRow;
use time::{Duration, OffsetDateTime};

use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppError, AppResult, Problems};
use crate::ids::UnitId;
use crate::keyring::Keyring;
use deadline::{Deadline, Limits, State};

/// How long after the fact a time may still be written down (a custody's start, an entry):
/// beyond, it would be back-dating; a mistake is corrected by an entry that says so.
pub const LATE_HOURS: i64 = 6;

pub const REGIMES: &[&str] = &["ordinaire", "terrorisme"];
pub const KINDS: &[&str] = &[
    "droit_motif",
    "droit_avocat",
    "droit_medecin",
    "droit_famille",
    "procureur",
    "prolongation",
    "visite_medicale",
    "repas",
    "fin",
];
pub const OUTCOMES: &[&str] = &["libere", "defere", "transfere"];

#[derive(Debug, Clone, PartialEq)]
pub struct NewCustody {
    pub unit: UnitId,
    pub regime: &'static str,
    pub opj: String,
    pub surname: String,
    pub given_names: String,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub document_number: String,
    pub offence: String,
    pub place: String,
    pub started_at: OffsetDateTime,
    /// The crossing the person was held after.
    pub crossing: Option<String>,
    /// The mistaken record this one replaces, and why.
    pub corrects: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub kind: &'static str,
    pub at: OffsetDateTime,
    /// The prosecutor informed (or who informed them), who authorised, the doctor…
    pub by_whom: String,
    /// The written authorisation's reference.
    pub reference: String,
    pub outcome: Option<&'static str>,
    pub note: String,
    /// The mistaken entry this one corrects (the note says why).
    pub corrects: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct Rule {
    pub id: String,
    pub base_hours: i64,
    pub extension_hours: i64,
    pub max_extensions: i64,
    pub alert_hours: String,
    pub legal_reference: String,
    pub updated_by: String,
    pub updated_at: String,
}

impl Rule {
    pub fn limits(&self) -> Limits {
        Limits {
            base_hours: self.base_hours,
            extension_hours: self.extension_hours,
            max_extensions: self.max_extensions,
            alert_hours: Limits::parse_alerts(&self.alert_hours).unwrap_or_default(),
        }
    }
}

pub async fn rules(state: &AppState) -> AppResult<Vec<Rule>> {
    Ok(sqlx::query_as(
        "SELECT id, base_hours, extension_hours, max_extensions, alert_hours, legal_reference,
         updated_by, updated_at FROM custody_rules ORDER BY id",
    )
    .fetch_all(&state.db)
    .await?)
}

/// A regime's limits as they may be set: every mistake into `p`.
pub fn check_rule(rule: &Rule, p: &mut Problems) {
    if !(1..=720).contains(&rule.base_hours) {
        p.add("base_hours", "error-out-of-range");
    }
    if !(0..=720).contains(&rule.extension_hours) {
        p.add("extension_hours", "error-out-of-range");
    }
    if !(0..=10).contains(&rule.max_extensions) {
        p.add("max_extensions", "error-out-of-range");
    }
    if Limits::parse_alerts(&rule.alert_hours).is_none() {
        p.add("alert_hours", "error-custody-alerts");
    }
    if rule.legal_reference.trim().is_empty() {
        p.add("legal_reference", "error-required");
    }
}

/// The administrator sets a regime's limits and their legal reference.
pub async fn set_rule(state: &AppState, actor: &Actor, rule: &Rule) -> AppResult<()> {
    let mut p = Problems::default();
    check_rule(rule, &mut p);
    p.finish(())?;
    let mut tx = db::begin_write(&state.db).await?;
    let changed = sqlx::query(
        "UPDATE custody_rules SET base_hours = ?, extension_hours = ?, max_extensions = ?,
         alert_hours = ?, legal_reference = ?, updated_by = ?, updated_at = ? WHERE id = ?",
    )
    .bind(rule.base_hours)
    .bind(rule.extension_hours)
    .bind(rule.max_extensions)
    .bind(rule.alert_hours.trim())
    .bind(rule.legal_reference.trim())
    .bind(&actor.0)
    .bind(db::now_text())
    .bind(&rule.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        actor,
        "set",
        "custody_rule",
        &rule.id,
        &format!(
            "base={} extension={} max={} alerts={}",
            rule.base_hours, rule.extension_hours, rule.max_extensions, rule.alert_hours
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A time written now for something that happened then: not in the future, not longer ago than
/// the delay of writing it down.
fn check_time(p: &mut Problems, field: &'static str, at: OffsetDateTime, now: OffsetDateTime) {
    if at > now + Duration::minutes(5) {
        p.add(field, "error-future-date");
    } else if at < now - Duration::hours(LATE_HOURS) {
        p.add(field, "error-custody-backdated");
    }
}

/// A new custody's mistakes that need no database, every one into `p` (the form adds them to
/// its own).
pub fn check(c: &NewCustody, scope: &Scope, now: OffsetDateTime, p: &mut Problems) {
    for (field, value, most) in [
        ("opj", &c.opj, 200),
        ("surname", &c.surname, 200),
        ("offence", &c.offence, 1000),
        ("place", &c.place, 300),
    ] {
        if value.trim().is_empty() {
            p.add(field, "error-required");
        } else if value.chars().count() > most {
            p.add(field, "error-too-long");
        }
    }
    if !REGIMES.contains(&c.regime) {
        p.add("regime", "error-bad-choice");
    }
    if !scope.allows_unit(c.unit.as_str()) {
        p.add("unit", "error-bad-choice");
    }
    // A correction keeps the mistaken record's start; a new record is written when it starts.
    match &c.corrects {
        Some((_, why)) if why.trim().is_empty() => p.add("correction_reason", "error-required"),
        Some(_) => {}
        None => check_time(p, "started_at", c.started_at, now),
    }
}

/// Opens a custody. Every mistake at once; nothing written when one is found.
pub async fn open(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    c: &NewCustody,
) -> AppResult<String> {
    let now = state.clock.now();
    let mut p = Problems::default();
    check(c, scope, now, &mut p);
    p.finish(())?;
    let mut tx = db::begin_write(&state.db).await?;
    if let Some(crossing) = &c.crossing {
        let found: Option<(String,)> = sqlx::query_as("SELECT unit_id FROM crossings WHERE id = ?")
            .bind(crossing)
            .fetch_optional(&mut *tx)
            .await?;
        if !found.is_some_and(|(u,)| scope.allows_unit(&u)) {
            return Err(AppError::invalid("crossing", "error-bad-choice"));
        }
    }
    if let Some((old, _)) = &c.corrects {
        let found: Option<(String,)> = sqlx::query_as("SELECT unit_id FROM custodies WHERE id = ?")
            .bind(old)
            .fetch_optional(&mut *tx)
            .await?;
        if !found.is_some_and(|(u,)| scope.allows_unit(&u)) {
            return Err(AppError::NotFound);
        }
    }
    let id = db::new_id();
    // The person and what they are held for are sealed, bound to this record (`keyring`).
    let seal = |column: &str, value: &str| state.keys.seal("custodies", column, &id, value);
    sqlx::query(
        "INSERT INTO custodies (id, unit_id, regime, opj, surname, given_names, birth_date,
         nationality, document_number, offence, place, started_at, crossing_id, corrects,
         correction_reason, recorded_by, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(c.unit.as_str())
    .bind(c.regime)
    .bind(c.opj.trim())
    .bind(seal("surname", c.surname.trim()))
    .bind(seal("given_names", c.given_names.trim()))
    .bind(c.birth_date.as_deref().map(|b| seal("birth_date", b)))
    .bind(&c.nationality)
    .bind(seal("document_number", c.document_number.trim()))
    .bind(seal("offence", c.offence.trim()))
    .bind(c.place.trim())
    .bind(db::timestamp(c.started_at))
    .bind(&c.crossing)
    .bind(c.corrects.as_ref().map(|(old, _)| old))
    .bind(seal(
        "correction_reason",
        c.corrects.as_ref().map_or("", |(_, why)| why.trim()),
    ))
    .bind(&actor.0)
    .bind(db::timestamp(now))
    .execute(&mut *tx)
    .await
    .map_err(db::taken(
        "correction_reason",
        "error-custody-already-corrected",
    ))?;
    audit::append(
        &mut tx,
        actor,
        "create",
        "custody",
        &id,
        &format!("unit={} regime={}", c.unit, c.regime),
    )
    .await?;
    if let Some((old, _)) = &c.corrects {
        audit::append(
            &mut tx,
            actor,
            "correct",
            "custody",
            old,
            &format!("by={id}"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, FromRow)]
pub struct Custody {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub regime: String,
    pub opj: String,
    pub surname: String,
    pub given_names: String,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub document_number: String,
    pub offence: String,
    pub place: String,
    pub started_at: String,
    pub crossing_id: Option<String>,
    pub corrects: Option<String>,
    pub correction_reason: String,
    /// The record that corrects this one, if any.
    pub corrected_by: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    /// Extensions authorised (not corrected away).
    pub extensions: i64,
    /// The end's time, if it ended.
    pub ended_at: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct Entry {
    pub id: String,
    pub custody_id: String,
    pub kind: String,
    pub at: String,
    pub by_whom: String,
    pub reference: String,
    pub outcome: Option<String>,
    pub note: String,
    pub corrects: Option<String>,
    /// The entry that corrects this one, if any.
    pub corrected_by: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl Custody {
    /// The record with its sealed fields opened (what every page, the PDF and the forms show).
    pub fn opened(mut self, keys: &Keyring) -> Custody {
        let id = self.id.clone();
        let open = |column: &str, v: &mut String| keys.open_in("custodies", column, &id, v);
        open("surname", &mut self.surname);
        open("given_names", &mut self.given_names);
        open("document_number", &mut self.document_number);
        open("offence", &mut self.offence);
        open("correction_reason", &mut self.correction_reason);
        keys.open_opt_in("custodies", "birth_date", &id, &mut self.birth_date);
        self
    }
}

impl Entry {
    /// The entry with its sealed fields opened.
    pub fn opened(mut self, keys: &Keyring) -> Entry {
        keys.open_in("custody_entries", "by_whom", &self.id, &mut self.by_whom);
        keys.open_in("custody_entries", "note", &self.id, &mut self.note);
        self
    }
}

const SELECT: &str = "c.id, c.unit_id, u.name AS unit_name, c.regime, c.opj, c.surname,
    c.given_names, c.birth_date, c.nationality, c.document_number, c.offence, c.place,
    c.started_at, c.crossing_id, c.corrects, c.correction_reason,
    (SELECT n.id FROM custodies n WHERE n.corrects = c.id) AS corrected_by,
    c.recorded_by, c.recorded_at,
    (SELECT COUNT(*) FROM custody_entries e WHERE e.custody_id IN (c.id, c.corrects)
       AND e.kind = 'prolongation' AND NOT EXISTS
       (SELECT 1 FROM custody_entries x WHERE x.corrects = e.id)) AS extensions,
    (SELECT MAX(e.at) FROM custody_entries e WHERE e.custody_id IN (c.id, c.corrects)
       AND e.kind = 'fin' AND NOT EXISTS
       (SELECT 1 FROM custody_entries x WHERE x.corrects = e.id)) AS ended_at";
const IN_SCOPE: &str = "(?1 IS NULL OR c.unit_id IN (SELECT value FROM json_each(?1)))";

/// The custodies of the scope still running (not ended, not replaced by a correction), the
/// nearest deadline first, opened to be shown.
pub async fn current(state: &AppState, scope: &Scope) -> AppResult<Vec<(Custody, Deadline)>> {
    Ok(running(state, scope)
        .await?
        .into_iter()
        .map(|(c, d)| (c.opened(&state.keys), d))
        .collect())
}

/// The same, sealed fields left sealed: counting needs no name.
async fn running(state: &AppState, scope: &Scope) -> AppResult<Vec<(Custody, Deadline)>> {
    let rows: Vec<Custody> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SELECT} FROM custodies c JOIN units u ON u.id = c.unit_id
         WHERE {IN_SCOPE} AND NOT EXISTS (SELECT 1 FROM custodies n WHERE n.corrects = c.id)"
    )))
    .bind(scope.as_json())
    .fetch_all(&state.db)
    .await?;
    let mut out = with_deadlines(state, rows).await?;
    out.retain(|(_, d)| !matches!(d.state, State::Ended { .. }));
    out.sort_by_key(|(_, d)| d.at);
    Ok(out)
}

async fn with_deadlines(
    state: &AppState,
    rows: Vec<Custody>,
) -> AppResult<Vec<(Custody, Deadline)>> {
    let rules: HashMap<String, Limits> = rules(state)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r.limits()))
        .collect();
    let now = state.clock.now();
    Ok(rows
        .into_iter()
        .filter_map(|c| {
            let limits = rules.get(&c.regime)?;
            let started = db::parse_timestamp(&c.started_at)?;
            let ended = c.ended_at.as_deref().and_then(db::parse_timestamp);
            let d = deadline::deadline(limits, started, c.extensions, ended, now);
            Some((c, d))
        })
        .collect())
}

/// The number of running custodies, those within their first alert, and those past their
/// deadline: for the home pages, `/metrics` and the situation report.
pub async fn counts(state: &AppState, scope: &Scope) -> AppResult<(usize, usize, usize)> {
    let all = running(state, scope).await?;
    let alert = all
        .iter()
        .filter(|(_, d)| matches!(d.state, State::Alert(_)))
        .count();
    let overdue = all
        .iter()
        .filter(|(_, d)| d.state == State::Overdue)
        .count();
    Ok((all.len(), alert, overdue))
}

/// One custody (read as personal data: audited), with its entries in time.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    id: &str,
) -> AppResult<(Custody, Deadline, Vec<Entry>)> {
    let found: Option<Custody> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SELECT} FROM custodies c JOIN units u ON u.id = c.unit_id
         WHERE c.id = ?2 AND {IN_SCOPE}"
    )))
    .bind(scope.as_json())
    .bind(id)
    .fetch_optional(&state.db)
    .await?;
    let c = found.ok_or(AppError::NotFound)?.opened(&state.keys);
    let entries = audit::audited_read(&state.db, actor, "custody", id, async {
        let rows = sqlx::query_as::<_, Entry>(
            "SELECT e.id, e.custody_id, e.kind, e.at, e.by_whom, e.reference, e.outcome, e.note,
             e.corrects, (SELECT x.id FROM custody_entries x WHERE x.corrects = e.id)
               AS corrected_by, e.recorded_by, e.recorded_at
             FROM custody_entries e WHERE e.custody_id IN (?1, ?2) ORDER BY e.at, e.recorded_at",
        )
        .bind(id)
        .bind(&c.corrects)
        .fetch_all(&state.db)
        .await?;
        Ok(rows.into_iter().map(|e| e.opened(&state.keys)).collect())
    })
    .await?;
    let (c, d) = with_deadlines(state, vec![c])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok((c, d, entries))
}

/// Writes what happened during a custody. Refused, all at once: a time in the future, before the
/// start, or back-dated (except a correction, which says what it corrects and why); an end
/// without its outcome; an extension without who authorised it and the written authorisation's
/// reference, beyond the regime's number, or after the deadline; anything after the end.
pub async fn add_entry(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    custody: &str,
    e: &NewEntry,
) -> AppResult<String> {
    let now = state.clock.now();
    let found: Option<Custody> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SELECT} FROM custodies c JOIN units u ON u.id = c.unit_id
         WHERE c.id = ?2 AND {IN_SCOPE}"
    )))
    .bind(scope.as_json())
    .bind(custody)
    .fetch_optional(&state.db)
    .await?;
    let c = found.ok_or(AppError::NotFound)?;
    if c.corrected_by.is_some() {
        return Err(AppError::Conflict {
            field: "kind",
            key: "error-custody-corrected",
        });
    }
    let (c, d) = with_deadlines(state, vec![c])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let started = db::parse_timestamp(&c.started_at).unwrap_or(now);
    let mut p = Problems::default();
    if !KINDS.contains(&e.kind) {
        p.add("kind", "error-bad-choice");
    }
    if e.corrects.is_none() && matches!(d.state, State::Ended { .. }) {
        p.add("kind", "error-custody-ended");
    }
    match &e.corrects {
        Some(_) if e.note.trim().is_empty() => p.add("note", "error-custody-correction-reason"),
        Some(_) => {
            if e.at > now + Duration::minutes(5) {
                p.add("at", "error-future-date");
            }
        }
        None => check_time(&mut p, "at", e.at, now),
    }
    if e.at < started {
        p.add("at", "error-custody-before-start");
    }
    match e.kind {
        "fin" if e.outcome.is_none() => p.add("outcome", "error-required"),
        "prolongation" => {
            if e.by_whom.trim().is_empty() {
                p.add("by_whom", "error-required");
            }
            if e.reference.trim().is_empty() {
                p.add("reference", "error-custody-written-authorisation");
            }
            if e.corrects.is_none() && !d.can_extend {
                p.add("kind", "error-custody-no-extension");
            }
        }
        "procureur" if e.by_whom.trim().is_empty() => p.add("by_whom", "error-required"),
        _ => {}
    }
    if e.outcome.is_some_and(|o| !OUTCOMES.contains(&o)) {
        p.add("outcome", "error-bad-choice");
    }
    p.finish(())?;
    let mut tx = db::begin_write(&state.db).await?;
    if let Some(old) = &e.corrects {
        let ok: Option<(String,)> =
            sqlx::query_as("SELECT id FROM custody_entries WHERE id = ? AND custody_id IN (?, ?)")
                .bind(old)
                .bind(&c.id)
                .bind(&c.corrects)
                .fetch_optional(&mut *tx)
                .await?;
        if ok.is_none() {
            return Err(AppError::invalid("corrects", "error-bad-choice"));
        }
    }
    let id = db::new_id();
    // Who (a lawyer, a relative, a doctor) and the note name third parties: sealed to the entry.
    let seal = |column: &str, value: &str| state.keys.seal("custody_entries", column, &id, value);
    sqlx::query(
        "INSERT INTO custody_entries (id, custody_id, kind, at, by_whom, reference, outcome, note,
         corrects, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&c.id)
    .bind(e.kind)
    .bind(db::timestamp(e.at))
    .bind(seal("by_whom", e.by_whom.trim()))
    .bind(e.reference.trim())
    .bind(e.outcome)
    .bind(seal("note", e.note.trim()))
    .bind(&e.corrects)
    .bind(&actor.0)
    .bind(db::timestamp(now))
    .execute(&mut *tx)
    .await
    .map_err(db::taken("note", "error-custody-already-corrected"))?;
    audit::append(
        &mut tx,
        actor,
        if e.corrects.is_some() {
            "correct"
        } else {
            "create"
        },
        "custody_entry",
        &id,
        &format!("custody={} kind={}", c.id, e.kind),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The register of a unit (or every unit of the scope) for the custodies started in a period,
/// as a paper register keeps it; the reading is audited as an export of personal data.
pub async fn register(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    unit: Option<&str>,
    from: time::Date,
    to: time::Date,
) -> AppResult<Vec<(Custody, Deadline, Vec<Entry>)>> {
    let rows: Vec<Custody> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SELECT} FROM custodies c JOIN units u ON u.id = c.unit_id
         WHERE {IN_SCOPE} AND (?2 IS NULL OR c.unit_id = ?2)
           AND c.started_at >= ?3 AND c.started_at < ?4
         ORDER BY c.started_at LIMIT 2000"
    )))
    .bind(scope.as_json())
    .bind(unit)
    .bind(from.to_string())
    .bind((to + Duration::days(1)).to_string())
    .fetch_all(&state.db)
    .await?;
    let ids: Vec<String> = rows.iter().map(|c| c.id.clone()).collect();
    let entries: Vec<Entry> = sqlx::query_as(
        "SELECT e.id, e.custody_id, e.kind, e.at, e.by_whom, e.reference, e.outcome, e.note,
         e.corrects, (SELECT x.id FROM custody_entries x WHERE x.corrects = e.id) AS corrected_by,
         e.recorded_by, e.recorded_at
         FROM custody_entries e WHERE e.custody_id IN (SELECT value FROM json_each(?))
         ORDER BY e.at, e.recorded_at",
    )
    .bind(serde_json::to_string(&ids).unwrap_or_default())
    .fetch_all(&state.db)
    .await?;
    audit::exported(
        &state.db,
        actor,
        "custody",
        rows.len(),
        &format!("unit={} from={from} to={to}", unit.unwrap_or("*")),
    )
    .await?;
    let mut by_custody: HashMap<String, Vec<Entry>> = HashMap::new();
    for e in entries {
        let e = e.opened(&state.keys);
        by_custody.entry(e.custody_id.clone()).or_default().push(e);
    }
    Ok(with_deadlines(state, rows)
        .await?
        .into_iter()
        .map(|(c, d)| {
            let e = by_custody.remove(&c.id).unwrap_or_default();
            (c.opened(&state.keys), d, e)
        })
        .collect())
}
