//! The programme's budget (issue 15): lines per component and activity with their planned
//! amount, and the entries recorded against them — commitments (engagements) and payments
//! (paiements) — with their day, in euros and in francs CFA both: an amount is typed in one
//! currency and converted once, exactly, at the fixed parity (`money`), and both figures are
//! kept, so that a report adds up in each currency.
//!
//! Totals are integer sums in SQL, per line; a component's and the programme's are integer sums
//! of those; the execution rates (committed or paid over planned) are computed last, in Rust,
//! for the whole programme or for a period of entries. The XLSX report's shape is here
//! (`LINE_COLUMNS`, `ENTRY_COLUMNS`) because the import reads the same shape back: all or
//! nothing, every wrong row named by its sheet, line and column.

use std::cmp::Ordering;
use std::collections::HashMap;

use sqlx::FromRow;
use time::Date;

use super::money::{self, AmountError};
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::{self, Tx};
use crate::error::{AppError, AppResult, Problems};
use crate::i18n::Lang;
use crate::xlsx::{self, Cell};

/// What a budget line pays for: the programme's two components, the means behind both
/// (equipment, infrastructure, maintenance) and its own management.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Component {
    Securite,
    Frontieres,
    Moyens,
    Gestion,
}

impl Component {
    /// In the report's order.
    pub const ALL: [Component; 4] = [
        Component::Securite,
        Component::Frontieres,
        Component::Moyens,
        Component::Gestion,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Component::Securite => "securite",
            Component::Frontieres => "frontieres",
            Component::Moyens => "moyens",
            Component::Gestion => "gestion",
        }
    }

    pub fn parse(s: &str) -> Option<Component> {
        Self::ALL.into_iter().find(|c| c.code() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Component::Securite => "programme-component-securite",
            Component::Frontieres => "programme-component-frontieres",
            Component::Moyens => "programme-component-moyens",
            Component::Gestion => "programme-component-gestion",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// An engagement: the money promised (a contract, an order).
    Commitment,
    /// A paiement: the money paid out.
    Payment,
}

impl EntryKind {
    pub const ALL: [EntryKind; 2] = [EntryKind::Commitment, EntryKind::Payment];

    pub fn code(self) -> &'static str {
        match self {
            EntryKind::Commitment => "engagement",
            EntryKind::Payment => "paiement",
        }
    }

    pub fn parse(s: &str) -> Option<EntryKind> {
        Self::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            EntryKind::Commitment => "budget-kind-engagement",
            EntryKind::Payment => "budget-kind-paiement",
        }
    }
}

/// An amount as typed: in euro cents or in whole francs CFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Eur(i64),
    Fcfa(i64),
}

impl Amount {
    /// Euro cents and francs: the one typed, the other converted once at the parity.
    pub fn both(self) -> (i64, i64) {
        match self {
            Amount::Eur(cents) => (cents, money::fcfa_of(cents)),
            Amount::Fcfa(fcfa) => (money::eur_cents_of(fcfa), fcfa),
        }
    }
}

pub const CODE_MOST: usize = 40;
pub const TITLE_MOST: usize = 200;
pub const REFERENCE_MOST: usize = 200;
/// The most a line may plan or an entry may say, in euro cents: ten billion euros, far beyond
/// any programme (a typing slip of a few zeros is caught, the sums never overflow).
pub const EUR_CENTS_MOST: i64 = 1_000_000_000_000;

/// The catalogue key that says why a typed amount was refused.
pub fn amount_error_key(e: AmountError) -> &'static str {
    match e {
        AmountError::Empty => "error-required",
        AmountError::NotANumber => "error-not-a-number",
        AmountError::TooPrecise => "budget-error-too-precise",
        AmountError::TooLarge => "error-out-of-range",
    }
}

/// A budget line to create, or what a line becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLine {
    pub code: String,
    pub component: Component,
    pub activity_id: Option<String>,
    pub title: String,
    pub planned_eur_cents: i64,
    /// Made-up figures of the demonstration.
    pub demo: bool,
}

impl NewLine {
    /// Every refused field into `p` (the form's reader adds its own and calls this too).
    pub fn check(&self, p: &mut Problems) {
        for (field, value, most) in [
            ("code", &self.code, CODE_MOST),
            ("title", &self.title, TITLE_MOST),
        ] {
            if value.trim().is_empty() {
                p.add(field, "error-required");
            } else if value.trim().chars().count() > most {
                p.add(field, "error-too-long");
            }
        }
        if !(0..=EUR_CENTS_MOST).contains(&self.planned_eur_cents) {
            p.add("planned", "error-out-of-range");
        }
    }
}

/// A commitment or a payment to record against a line.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub kind: EntryKind,
    pub on_day: Date,
    pub amount: Amount,
    pub reference: String,
    pub demo: bool,
}

impl NewEntry {
    /// Every refused field into `p`. A negative amount is a correction (a commitment
    /// cancelled, a payment refunded); zero says nothing.
    pub fn check(&self, today: Date, p: &mut Problems) {
        if self.on_day > today {
            p.add("on_day", "error-future-date");
        }
        let (eur, fcfa) = self.amount.both();
        if eur == 0 && fcfa == 0 {
            p.add("amount", "budget-error-zero");
        } else if eur.abs() > EUR_CENTS_MOST {
            p.add("amount", "error-out-of-range");
        }
        if self.reference.trim().chars().count() > REFERENCE_MOST {
            p.add("reference", "error-too-long");
        }
    }
}

async fn activity_known(tx: &mut Tx, id: &str) -> AppResult<bool> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM programme_activities WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some())
}

async fn insert_line(tx: &mut Tx, actor: &Actor, line: &NewLine) -> AppResult<String> {
    let id = db::new_id();
    sqlx::query(
        "INSERT INTO budget_lines (id, code, component, activity_id, title, eur_cents, demo)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(line.code.trim())
    .bind(line.component.code())
    .bind(line.activity_id.as_deref())
    .bind(line.title.trim())
    .bind(line.planned_eur_cents)
    .bind(line.demo)
    .execute(&mut **tx)
    .await
    .map_err(db::taken("code", "budget-error-code-taken"))?;
    audit::append(tx, actor, "create", "budget_line", &id, &line_detail(line)).await?;
    Ok(id)
}

fn line_detail(line: &NewLine) -> String {
    format!(
        "code={} component={} activity={} eur_cents={}",
        line.code.trim(),
        line.component.code(),
        line.activity_id.as_deref().unwrap_or("-"),
        line.planned_eur_cents
    )
}

/// A line's every mistake at once, then its activity in the write transaction it opens.
async fn begin_line_write(state: &AppState, line: &NewLine) -> AppResult<Tx> {
    let mut p = Problems::default();
    line.check(&mut p);
    p.finish(())?;
    let mut tx = db::begin_write(&state.db).await?;
    if let Some(a) = &line.activity_id
        && !activity_known(&mut tx, a).await?
    {
        return Err(AppError::invalid("activity", "error-bad-choice"));
    }
    Ok(tx)
}

/// Creates a budget line; its code is unique.
pub async fn create_line(state: &AppState, actor: &Actor, line: &NewLine) -> AppResult<String> {
    let mut tx = begin_line_write(state, line).await?;
    let id = insert_line(&mut tx, actor, line).await?;
    tx.commit().await?;
    Ok(id)
}

async fn write_line_update(tx: &mut Tx, actor: &Actor, id: &str, line: &NewLine) -> AppResult<()> {
    let done = sqlx::query(
        "UPDATE budget_lines SET code = ?, component = ?, activity_id = ?, title = ?,
         eur_cents = ? WHERE id = ?",
    )
    .bind(line.code.trim())
    .bind(line.component.code())
    .bind(line.activity_id.as_deref())
    .bind(line.title.trim())
    .bind(line.planned_eur_cents)
    .bind(id)
    .execute(&mut **tx)
    .await
    .map_err(db::taken("code", "budget-error-code-taken"))?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(tx, actor, "update", "budget_line", id, &line_detail(line)).await?;
    Ok(())
}

/// Changes a line: its code, component, activity, title or planned amount (its entries stay).
pub async fn update_line(
    state: &AppState,
    actor: &Actor,
    id: &str,
    line: &NewLine,
) -> AppResult<()> {
    let mut tx = begin_line_write(state, line).await?;
    write_line_update(&mut tx, actor, id, line).await?;
    tx.commit().await?;
    Ok(())
}

/// An entry's figures as stored.
struct EntryRow<'a> {
    line_id: &'a str,
    kind: EntryKind,
    on_day: Date,
    eur_cents: i64,
    fcfa: i64,
    reference: &'a str,
    demo: bool,
}

async fn insert_entry(tx: &mut Tx, actor: &Actor, e: &EntryRow<'_>) -> AppResult<String> {
    let id = db::new_id();
    sqlx::query(
        "INSERT INTO budget_entries (id, line_id, kind, on_day, eur_cents, fcfa, reference,
         recorded_by, recorded_at, demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(e.line_id)
    .bind(e.kind.code())
    .bind(e.on_day.to_string())
    .bind(e.eur_cents)
    .bind(e.fcfa)
    .bind(e.reference.trim())
    .bind(&actor.0)
    .bind(db::now_text())
    .bind(e.demo)
    .execute(&mut **tx)
    .await?;
    audit::append(
        tx,
        actor,
        "create",
        "budget_entry",
        &id,
        &format!(
            "line={} kind={} day={} eur_cents={} fcfa={}",
            e.line_id,
            e.kind.code(),
            e.on_day,
            e.eur_cents,
            e.fcfa
        ),
    )
    .await?;
    Ok(id)
}

/// What a line holds of one kind of entry, in euro cents.
async fn sum_of(tx: &mut Tx, line_id: &str, kind: EntryKind) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(SUM(eur_cents), 0) FROM budget_entries WHERE line_id = ? AND kind = ?",
    )
    .bind(line_id)
    .bind(kind.code())
    .fetch_one(&mut **tx)
    .await?)
}

/// Records a commitment or a payment against a line: the amount in the currency typed, the
/// other converted once. A correction (negative) never takes the line's total of its kind
/// below zero.
pub async fn record_entry(
    state: &AppState,
    actor: &Actor,
    line_id: &str,
    entry: &NewEntry,
) -> AppResult<String> {
    let mut p = Problems::default();
    entry.check(state.clock.now().date(), &mut p);
    p.finish(())?;
    let (eur_cents, fcfa) = entry.amount.both();
    let mut tx = db::begin_write(&state.db).await?;
    let known: Option<(String,)> = sqlx::query_as("SELECT id FROM budget_lines WHERE id = ?")
        .bind(line_id)
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(AppError::NotFound);
    }
    if eur_cents < 0 && sum_of(&mut tx, line_id, entry.kind).await? + eur_cents < 0 {
        return Err(AppError::invalid("amount", "budget-error-below-zero"));
    }
    let id = insert_entry(
        &mut tx,
        actor,
        &EntryRow {
            line_id,
            kind: entry.kind,
            on_day: entry.on_day,
            eur_cents,
            fcfa,
            reference: &entry.reference,
            demo: entry.demo,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// Reading: lines with their totals, the execution, the entries.

/// The entries counted: those of the days `from` to `to` (both included), or all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Period {
    fn bounds(&self) -> (Option<String>, Option<String>) {
        (
            self.from.map(|d| d.to_string()),
            self.to.map(|d| d.to_string()),
        )
    }
}

/// Amounts planned, committed and paid, in euro cents and francs CFA.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub planned_eur: i64,
    /// The planned euros at the parity, line by line (a plan is in euros).
    pub planned_fcfa: i64,
    pub committed_eur: i64,
    pub committed_fcfa: i64,
    pub paid_eur: i64,
    pub paid_fcfa: i64,
}

impl Totals {
    /// Committed over planned (None when nothing is planned).
    pub fn committed_rate(&self) -> Option<f64> {
        money::rate(self.committed_eur, self.planned_eur)
    }

    /// Paid over planned: the execution rate.
    pub fn paid_rate(&self) -> Option<f64> {
        money::rate(self.paid_eur, self.planned_eur)
    }

    pub fn add(&mut self, o: &Totals) {
        self.planned_eur += o.planned_eur;
        self.planned_fcfa += o.planned_fcfa;
        self.committed_eur += o.committed_eur;
        self.committed_fcfa += o.committed_fcfa;
        self.paid_eur += o.paid_eur;
        self.paid_fcfa += o.paid_fcfa;
    }
}

/// A budget line with what was committed and paid on it (in the period asked).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub id: String,
    pub code: String,
    pub component: Component,
    pub activity_id: Option<String>,
    pub activity_code: Option<String>,
    pub title: String,
    pub demo: bool,
    pub totals: Totals,
}

#[derive(FromRow)]
struct LineRow {
    id: String,
    code: String,
    component: String,
    activity_id: Option<String>,
    activity_code: Option<String>,
    title: String,
    eur_cents: i64,
    committed_eur: i64,
    committed_fcfa: i64,
    paid_eur: i64,
    paid_fcfa: i64,
    demo: bool,
}

impl LineRow {
    fn into_line(self) -> AppResult<Line> {
        let component = Component::parse(&self.component).ok_or_else(|| {
            AppError::Internal(format!(
                "budget line {}: component {}",
                self.id, self.component
            ))
        })?;
        Ok(Line {
            totals: Totals {
                planned_eur: self.eur_cents,
                planned_fcfa: money::fcfa_of(self.eur_cents),
                committed_eur: self.committed_eur,
                committed_fcfa: self.committed_fcfa,
                paid_eur: self.paid_eur,
                paid_fcfa: self.paid_fcfa,
            },
            id: self.id,
            code: self.code,
            component,
            activity_id: self.activity_id,
            activity_code: self.activity_code,
            title: self.title,
            demo: self.demo,
        })
    }
}

/// Codes in the order people number them: `1.2` before `1.10`.
pub fn code_order(a: &str, b: &str) -> Ordering {
    fn chunks(s: &str) -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for ch in s.chars() {
            let digit = ch.is_ascii_digit();
            match out.last_mut() {
                Some((d, text)) if *d == digit => text.push(ch),
                _ => out.push((digit, ch.to_string())),
            }
        }
        out
    }
    let (x, y) = (chunks(a), chunks(b));
    for (p, q) in x.iter().zip(&y) {
        let o = match (p, q) {
            ((true, m), (true, n)) => {
                let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                m.len().cmp(&n.len()).then_with(|| m.cmp(n))
            }
            ((_, m), (_, n)) => m.to_lowercase().cmp(&n.to_lowercase()),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len()).then_with(|| a.cmp(b))
}

/// The lines with their totals over the period (`?1`, `?2`); `one`: only the line `?3`, whose
/// entries are then read by their index alone.
fn lines_sql(one: bool) -> String {
    let (entries, lines) = if one {
        ("AND line_id = ?3", "WHERE l.id = ?3")
    } else {
        ("", "")
    };
    format!(
        "SELECT l.id, l.code, l.component, l.activity_id, a.code AS activity_code,
       l.title, l.eur_cents, l.demo,
       COALESCE(x.committed_eur, 0) AS committed_eur, COALESCE(x.committed_fcfa, 0) AS committed_fcfa,
       COALESCE(x.paid_eur, 0) AS paid_eur, COALESCE(x.paid_fcfa, 0) AS paid_fcfa
     FROM budget_lines l
     LEFT JOIN programme_activities a ON a.id = l.activity_id
     LEFT JOIN (
       SELECT line_id,
         SUM(CASE WHEN kind = 'engagement' THEN eur_cents ELSE 0 END) AS committed_eur,
         SUM(CASE WHEN kind = 'engagement' THEN fcfa ELSE 0 END) AS committed_fcfa,
         SUM(CASE WHEN kind = 'paiement' THEN eur_cents ELSE 0 END) AS paid_eur,
         SUM(CASE WHEN kind = 'paiement' THEN fcfa ELSE 0 END) AS paid_fcfa
       FROM budget_entries
       WHERE (?1 IS NULL OR on_day >= ?1) AND (?2 IS NULL OR on_day <= ?2) {entries}
       GROUP BY line_id
     ) x ON x.line_id = l.id
     {lines}"
    )
}

/// Every line with its totals, by component then code.
pub async fn lines(state: &AppState, period: Period) -> AppResult<Vec<Line>> {
    let (from, to) = period.bounds();
    let rows: Vec<LineRow> = sqlx::query_as(sqlx::AssertSqlSafe(lines_sql(false)))
        .bind(from)
        .bind(to)
        .fetch_all(&state.db)
        .await?;
    let mut lines = rows
        .into_iter()
        .map(LineRow::into_line)
        .collect::<AppResult<Vec<_>>>()?;
    lines.sort_by(|a, b| {
        a.component
            .cmp(&b.component)
            .then_with(|| code_order(&a.code, &b.code))
    });
    Ok(lines)
}

/// One line with its totals.
pub async fn line(state: &AppState, id: &str, period: Period) -> AppResult<Line> {
    let (from, to) = period.bounds();
    let row: Option<LineRow> = sqlx::query_as(sqlx::AssertSqlSafe(lines_sql(true)))
        .bind(from)
        .bind(to)
        .bind(id)
        .fetch_optional(&state.db)
        .await?;
    row.ok_or(AppError::NotFound)?.into_line()
}

/// The execution per component (each of them, in order, planned or not) and for the whole
/// programme.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    pub by_component: Vec<(Component, Totals)>,
    pub total: Totals,
}

/// The execution of these lines (as `lines` gives them): integer sums, rates on asking.
pub fn execution_of(lines: &[Line]) -> Execution {
    let by_component = Component::ALL
        .into_iter()
        .map(|c| {
            let mut t = Totals::default();
            for l in lines.iter().filter(|l| l.component == c) {
                t.add(&l.totals);
            }
            (c, t)
        })
        .collect::<Vec<_>>();
    let mut total = Totals::default();
    for (_, t) in &by_component {
        total.add(t);
    }
    Execution {
        by_component,
        total,
    }
}

/// The execution rate by component and in all, for the entries of a period.
pub async fn execution(state: &AppState, period: Period) -> AppResult<Execution> {
    Ok(execution_of(&lines(state, period).await?))
}

#[derive(Debug, Clone, FromRow)]
pub struct Entry {
    pub id: String,
    pub line_id: String,
    pub line_code: String,
    pub line_title: String,
    pub kind: String,
    pub on_day: String,
    pub eur_cents: i64,
    pub fcfa: i64,
    pub reference: String,
    pub recorded_by: String,
    pub recorded_at: String,
    pub demo: bool,
}

impl Entry {
    pub fn kind(&self) -> Option<EntryKind> {
        EntryKind::parse(&self.kind)
    }
}

/// The entries of a line (or of every line), in the period, by line code and day.
pub async fn entries(
    state: &AppState,
    line_id: Option<&str>,
    period: Period,
) -> AppResult<Vec<Entry>> {
    let (from, to) = period.bounds();
    let mut rows: Vec<Entry> = sqlx::query_as(
        "SELECT e.id, e.line_id, l.code AS line_code, l.title AS line_title, e.kind, e.on_day,
           e.eur_cents, e.fcfa, e.reference, e.recorded_by, e.recorded_at, e.demo
         FROM budget_entries e JOIN budget_lines l ON l.id = e.line_id
         WHERE (?1 IS NULL OR e.line_id = ?1) AND (?2 IS NULL OR e.on_day >= ?2)
           AND (?3 IS NULL OR e.on_day <= ?3)
         ORDER BY e.on_day, e.recorded_at",
    )
    .bind(line_id)
    .bind(from)
    .bind(to)
    .fetch_all(&state.db)
    .await?;
    rows.sort_by(|a, b| code_order(&a.line_code, &b.line_code));
    Ok(rows)
}

/// The programme's activities a line may belong to: id, code, title.
pub async fn activities(state: &AppState) -> AppResult<Vec<(String, String, String)>> {
    Ok(
        sqlx::query_as("SELECT id, code, title FROM programme_activities ORDER BY code")
            .fetch_all(&state.db)
            .await?,
    )
}

// ---------------------------------------------------------------------------------------------
// The report's shape, and its import.

/// The first sheet's columns (catalogue keys of their headings): a row per line, by component,
/// each component closed by its subtotal, the programme's total last.
pub const LINE_COLUMNS: &[&str] = &[
    "budget-col-component",
    "budget-col-code",
    "budget-col-title",
    "budget-col-activity",
    "budget-col-planned-eur",
    "budget-col-committed-eur",
    "budget-col-paid-eur",
    "budget-col-committed-rate",
    "budget-col-paid-rate",
    "budget-col-planned-fcfa",
    "budget-col-committed-fcfa",
    "budget-col-paid-fcfa",
];
/// The columns the import reads from the first sheet (the others are computed).
const L_COMPONENT: usize = 0;
const L_CODE: usize = 1;
const L_TITLE: usize = 2;
const L_ACTIVITY: usize = 3;
const L_PLANNED: usize = 4;

/// The second sheet's columns: a row per entry.
pub const ENTRY_COLUMNS: &[&str] = &[
    "budget-col-code",
    "budget-col-title",
    "budget-col-kind",
    "budget-col-day",
    "budget-col-eur",
    "budget-col-fcfa",
    "budget-col-reference",
    "budget-col-recorded-by",
];
const E_CODE: usize = 0;
const E_KIND: usize = 2;
const E_DAY: usize = 3;
const E_EUR: usize = 4;
const E_FCFA: usize = 5;
const E_REFERENCE: usize = 6;

/// The report's columns that stay text in the workbook even when they read as numbers (a
/// code `1.10` is not the number 1.1): per sheet, the column indexes.
pub fn text_column(sheet: usize, col: usize) -> bool {
    match sheet {
        0 => col <= L_ACTIVITY,
        _ => matches!(col, E_CODE | 1 | E_KIND | E_DAY | E_REFERENCE | 7),
    }
}

/// Euro cents as a spreadsheet's number: `1234567.89`.
pub fn cents_cell(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// A rate as a percent with one decimal (`45.3`), empty when there is nothing planned.
pub fn percent_cell(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1}", r * 100.0))
        .unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSheet {
    Lines,
    Entries,
}

impl ImportSheet {
    /// The sheet's title, as the export names it.
    pub fn label_key(self) -> &'static str {
        match self {
            ImportSheet::Lines => "budget-sheet-lines",
            ImportSheet::Entries => "budget-sheet-entries",
        }
    }
}

/// A refused cell or row: its sheet, its line in the sheet (as the spreadsheet numbers it),
/// the heading of its column (a catalogue key; None for the whole row) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub sheet: ImportSheet,
    pub line: u32,
    pub column: Option<&'static str>,
    pub key: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Rows refused, every one of them; nothing was written.
    #[error("rows refused: {0:?}")]
    Rows(Vec<RowProblem>),
    /// The file is not a workbook of this shape (the catalogue key says why).
    #[error("file refused: {0}")]
    File(&'static str),
    #[error(transparent)]
    App(#[from] AppError),
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub lines_created: usize,
    pub lines_updated: usize,
    pub entries_added: usize,
    /// Entries already recorded (the same line, kind, day, amounts and reference): an export
    /// imported twice adds nothing the second time.
    pub entries_known: usize,
}

/// A line as the file says it, before its activity is looked up.
struct LineIn {
    row: u32,
    code: String,
    component: Component,
    activity_code: Option<String>,
    title: String,
    planned: i64,
}

struct EntryIn {
    row: u32,
    code: String,
    kind: EntryKind,
    on_day: Date,
    eur_cents: i64,
    fcfa: i64,
    reference: String,
}

/// The words a cell may say for a closed list: each code, and its label in both languages.
fn words<T: Copy>(
    state: &AppState,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> HashMap<String, T> {
    let mut out = HashMap::new();
    for &v in all {
        out.insert(code(v).to_string(), v);
        for lang in [Lang::Fr, Lang::En] {
            out.insert(state.catalog.get(lang, label(v)).to_lowercase(), v);
        }
    }
    out
}

/// Whether the first row holds the headings of these columns (in French or in English).
fn headings_ok(
    state: &AppState,
    row: Option<&xlsx::Row>,
    columns: &[&str],
    read: &[usize],
) -> bool {
    let Some(row) = row else {
        return false;
    };
    read.iter().all(|&i| {
        let given = row.cell(i).text().to_lowercase();
        columns.get(i).is_some_and(|key| {
            [Lang::Fr, Lang::En]
                .iter()
                .any(|&l| state.catalog.get(l, key).to_lowercase() == given)
        })
    })
}

/// An amount cell in units of 10^-places: a number as the file stores it, or text as people
/// type it; None when empty.
fn amount_cell(cell: &Cell, places: u32) -> Result<Option<i64>, &'static str> {
    let read = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(raw) => money::cell_units(raw, places),
        Cell::Text(t) if t.trim().is_empty() => return Ok(None),
        Cell::Text(t) if places == 2 => money::parse_eur(t),
        Cell::Text(t) => money::parse_fcfa(t),
        Cell::Bool(_) | Cell::Error(_) => Err(AmountError::NotANumber),
    };
    read.map(Some).map_err(amount_error_key)
}

/// A day cell: a day as people write it, or a spreadsheet's date (a serial number).
fn day_cell(cell: &Cell) -> Option<Date> {
    match cell {
        Cell::Number(raw) => xlsx::excel_day(raw),
        other => db::day(&other.text()),
    }
}

/// Reads budget lines and entries from an XLSX workbook in the report's shape (first sheet:
/// the lines; second, if any: the entries), and writes them all or none. A line whose code is
/// known is updated; an entry already recorded is not recorded twice. Every wrong cell is
/// named before anything is written.
pub async fn import_xlsx(
    state: &AppState,
    actor: &Actor,
    bytes: Vec<u8>,
) -> Result<Imported, ImportError> {
    let read = tokio::task::spawn_blocking(move || xlsx::read(&bytes))
        .await
        .map_err(AppError::from)?;
    let sheets = match read {
        Ok(s) if !s.is_empty() => s,
        Ok(_) => return Err(ImportError::File("budget-import-unreadable")),
        Err(e) => {
            tracing::info!("budget import: {e}");
            return Err(ImportError::File("budget-import-unreadable"));
        }
    };
    let today = state.clock.now().date();
    let components = words(
        state,
        &Component::ALL,
        Component::code,
        Component::label_key,
    );
    let kinds = words(
        state,
        &EntryKind::ALL,
        EntryKind::code,
        EntryKind::label_key,
    );
    let mut problems: Vec<RowProblem> = Vec::new();

    // The lines.
    let sheet = &sheets[0];
    let mut lines_in: Vec<LineIn> = Vec::new();
    if !headings_ok(
        state,
        sheet.rows.first(),
        LINE_COLUMNS,
        &[L_COMPONENT, L_CODE, L_TITLE, L_ACTIVITY, L_PLANNED],
    ) {
        return Err(ImportError::Rows(vec![RowProblem {
            sheet: ImportSheet::Lines,
            line: sheet.rows.first().map_or(1, |r| r.number),
            column: None,
            key: "budget-import-bad-headings",
        }]));
    }
    for row in sheet.rows.iter().skip(1) {
        let code = row.cell(L_CODE).text().to_string();
        let title = row.cell(L_TITLE).text().to_string();
        // Subtotals, the total and blank rows have neither code nor title.
        if code.is_empty() && title.is_empty() {
            continue;
        }
        let mut refuse = |col: usize, key: &'static str| {
            problems.push(RowProblem {
                sheet: ImportSheet::Lines,
                line: row.number,
                column: Some(LINE_COLUMNS[col]),
                key,
            })
        };
        let component = components
            .get(&row.cell(L_COMPONENT).text().to_lowercase())
            .copied();
        if component.is_none() {
            refuse(L_COMPONENT, "budget-import-bad-component");
        }
        let planned = match amount_cell(row.cell(L_PLANNED), 2) {
            Ok(Some(v)) if (0..=EUR_CENTS_MOST).contains(&v) => v,
            Ok(Some(_)) => {
                refuse(L_PLANNED, "error-out-of-range");
                0
            }
            Ok(None) => {
                refuse(L_PLANNED, "error-required");
                0
            }
            Err(key) => {
                refuse(L_PLANNED, key);
                0
            }
        };
        let mut p = Problems::default();
        let line = NewLine {
            code: code.clone(),
            component: component.unwrap_or(Component::Gestion),
            activity_id: None,
            title: title.clone(),
            planned_eur_cents: planned,
            demo: false,
        };
        line.check(&mut p);
        for (field, key) in p.finish(()).err().map(|e| e.problems()).unwrap_or_default() {
            let col = match field {
                "code" => L_CODE,
                "title" => L_TITLE,
                _ => L_PLANNED,
            };
            refuse(col, key);
        }
        if lines_in.iter().any(|l| l.code == code) {
            refuse(L_CODE, "budget-import-duplicate-code");
        }
        let activity = row.cell(L_ACTIVITY).text().to_string();
        lines_in.push(LineIn {
            row: row.number,
            code,
            component: line.component,
            activity_code: (!activity.is_empty()).then_some(activity),
            title,
            planned,
        });
    }

    // The entries.
    let mut entries_in: Vec<EntryIn> = Vec::new();
    if let Some(sheet) = sheets.get(1) {
        if !headings_ok(
            state,
            sheet.rows.first(),
            ENTRY_COLUMNS,
            &[E_CODE, E_KIND, E_DAY, E_EUR, E_FCFA, E_REFERENCE],
        ) {
            problems.push(RowProblem {
                sheet: ImportSheet::Entries,
                line: sheet.rows.first().map_or(1, |r| r.number),
                column: None,
                key: "budget-import-bad-headings",
            });
        } else {
            for row in sheet.rows.iter().skip(1).filter(|r| !r.is_blank()) {
                let mut refuse = |col: usize, key: &'static str| {
                    problems.push(RowProblem {
                        sheet: ImportSheet::Entries,
                        line: row.number,
                        column: Some(ENTRY_COLUMNS[col]),
                        key,
                    })
                };
                let code = row.cell(E_CODE).text().to_string();
                if code.is_empty() {
                    refuse(E_CODE, "error-required");
                }
                let kind = kinds.get(&row.cell(E_KIND).text().to_lowercase()).copied();
                if kind.is_none() {
                    refuse(E_KIND, "budget-import-bad-kind");
                }
                let on_day = match day_cell(row.cell(E_DAY)) {
                    Some(d) if d > today => {
                        refuse(E_DAY, "error-future-date");
                        d
                    }
                    Some(d) => d,
                    None => {
                        refuse(E_DAY, "error-bad-date");
                        today
                    }
                };
                // Each amount: its value, none, or refused (and then no more said of it).
                let mut amount = |col: usize, places: u32| {
                    amount_cell(row.cell(col), places).map_err(|key| refuse(col, key))
                };
                let (eur, fcfa) = (amount(E_EUR, 2), amount(E_FCFA, 0));
                let (eur_cents, fcfa) = match (eur, fcfa) {
                    (Ok(Some(e)), Ok(Some(f))) => {
                        // Both given: as converted once at the parity, one way or the other.
                        if f != money::fcfa_of(e) && e != money::eur_cents_of(f) {
                            refuse(E_FCFA, "budget-import-parity");
                        }
                        (e, f)
                    }
                    (Ok(Some(e)), Ok(None)) => Amount::Eur(e).both(),
                    (Ok(None), Ok(Some(f))) => Amount::Fcfa(f).both(),
                    (Ok(None), Ok(None)) => {
                        refuse(E_EUR, "budget-import-no-amount");
                        (1, 1)
                    }
                    _ => (1, 1),
                };
                if eur_cents == 0 && fcfa == 0 {
                    refuse(E_EUR, "budget-error-zero");
                } else if eur_cents.abs() > EUR_CENTS_MOST {
                    refuse(E_EUR, "error-out-of-range");
                }
                let reference = row.cell(E_REFERENCE).text().to_string();
                if reference.chars().count() > REFERENCE_MOST {
                    refuse(E_REFERENCE, "error-too-long");
                }
                if let Some(kind) = kind {
                    entries_in.push(EntryIn {
                        row: row.number,
                        code,
                        kind,
                        on_day,
                        eur_cents,
                        fcfa,
                        reference,
                    });
                }
            }
        }
    }

    // What the database holds, read in the write transaction that will change it.
    let mut tx = db::begin_write(&state.db).await?;
    let activities: HashMap<String, String> =
        sqlx::query_as::<_, (String, String)>("SELECT code, id FROM programme_activities")
            .fetch_all(&mut *tx)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .collect();
    let existing: Vec<(String, String, String, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT id, code, component, activity_id, title, eur_cents FROM budget_lines",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(AppError::from)?;
    let existing: HashMap<String, (String, NewLine)> = existing
        .into_iter()
        .filter_map(|(id, code, component, activity_id, title, eur_cents)| {
            let line = NewLine {
                code: code.clone(),
                component: Component::parse(&component)?,
                activity_id,
                title,
                planned_eur_cents: eur_cents,
                demo: false,
            };
            Some((code, (id, line)))
        })
        .collect();
    // The lines as they will be, by code.
    let mut planned: Vec<NewLine> = Vec::new();
    for l in lines_in {
        let activity_id = match &l.activity_code {
            None => None,
            Some(code) => match activities.get(code) {
                Some(id) => Some(id.clone()),
                None => {
                    problems.push(RowProblem {
                        sheet: ImportSheet::Lines,
                        line: l.row,
                        column: Some(LINE_COLUMNS[L_ACTIVITY]),
                        key: "budget-import-unknown-activity",
                    });
                    None
                }
            },
        };
        planned.push(NewLine {
            code: l.code,
            component: l.component,
            activity_id,
            title: l.title,
            planned_eur_cents: l.planned,
            demo: false,
        });
    }
    // The entries recorded already, counted by what they say; and each line's sums by kind,
    // which a correction may not take below zero.
    let recorded: Vec<(String, String, String, i64, i64, String)> = sqlx::query_as(
        "SELECT l.code, e.kind, e.on_day, e.eur_cents, e.fcfa, e.reference
         FROM budget_entries e JOIN budget_lines l ON l.id = e.line_id",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(AppError::from)?;
    let mut known: HashMap<(String, String, String, i64, i64, String), usize> = HashMap::new();
    let mut sums: HashMap<(String, &'static str), i64> = HashMap::new();
    for (code, kind, day, eur, fcfa, reference) in recorded {
        if let Some(k) = EntryKind::parse(&kind) {
            *sums.entry((code.clone(), k.code())).or_default() += eur;
        }
        *known
            .entry((code, kind, day, eur, fcfa, reference))
            .or_default() += 1;
    }
    let mut to_add: Vec<&EntryIn> = Vec::new();
    let mut already = 0usize;
    for e in &entries_in {
        let line_known = planned.iter().any(|l| l.code == e.code) || existing.contains_key(&e.code);
        if !line_known {
            if !e.code.is_empty() {
                problems.push(RowProblem {
                    sheet: ImportSheet::Entries,
                    line: e.row,
                    column: Some(ENTRY_COLUMNS[E_CODE]),
                    key: "budget-import-unknown-line",
                });
            }
            continue;
        }
        let key = (
            e.code.clone(),
            e.kind.code().to_string(),
            e.on_day.to_string(),
            e.eur_cents,
            e.fcfa,
            e.reference.clone(),
        );
        if let Some(n) = known.get_mut(&key).filter(|n| **n > 0) {
            *n -= 1;
            already += 1;
            continue;
        }
        let sum = sums.entry((e.code.clone(), e.kind.code())).or_default();
        *sum += e.eur_cents;
        if *sum < 0 {
            problems.push(RowProblem {
                sheet: ImportSheet::Entries,
                line: e.row,
                column: Some(ENTRY_COLUMNS[E_EUR]),
                key: "budget-error-below-zero",
            });
        }
        to_add.push(e);
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.sheet == ImportSheet::Entries, p.line));
        // Nothing is written: the transaction is dropped, rolled back.
        return Err(ImportError::Rows(problems));
    }

    let mut done = Imported {
        entries_known: already,
        ..Imported::default()
    };
    let mut ids: HashMap<String, String> = existing
        .iter()
        .map(|(code, (id, _))| (code.clone(), id.clone()))
        .collect();
    for line in &planned {
        match existing.get(&line.code) {
            Some((_, before)) if before == line => {}
            Some((id, _)) => {
                write_line_update(&mut tx, actor, id, line).await?;
                done.lines_updated += 1;
            }
            None => {
                let id = insert_line(&mut tx, actor, line).await?;
                ids.insert(line.code.clone(), id);
                done.lines_created += 1;
            }
        }
    }
    for e in to_add {
        let Some(line_id) = ids.get(&e.code) else {
            continue;
        };
        insert_entry(
            &mut tx,
            actor,
            &EntryRow {
                line_id,
                kind: e.kind,
                on_day: e.on_day,
                eur_cents: e.eur_cents,
                fcfa: e.fcfa,
                reference: &e.reference,
                demo: false,
            },
        )
        .await?;
        done.entries_added += 1;
    }
    tx.commit().await.map_err(AppError::from)?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_sort_as_numbered() {
        let mut codes = vec!["1.10", "1.2", "A.1", "1.1", "2", "1.02b", "10"];
        codes.sort_by(|a, b| code_order(a, b));
        assert_eq!(codes, ["1.1", "1.2", "1.02b", "1.10", "2", "10", "A.1"]);
    }

    #[test]
    fn amounts_typed_in_either_currency_keep_both_figures() {
        assert_eq!(Amount::Eur(100_000).both(), (100_000, 655_957));
        assert_eq!(Amount::Fcfa(655_957).both(), (100_000, 655_957));
        assert_eq!(Amount::Fcfa(1_000).both(), (152, 1_000));
    }

    #[test]
    fn cells_write_amounts_and_rates_as_numbers() {
        assert_eq!(cents_cell(123_456_789), "1234567.89");
        assert_eq!(cents_cell(-5), "-0.05");
        assert_eq!(percent_cell(Some(0.4567)), "45.7");
        assert_eq!(percent_cell(None), "");
    }
}
