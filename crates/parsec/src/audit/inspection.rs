//! The inspector's view of personal data: for a person (found through the screening engine,
//! so that a name spelt otherwise is found too) or a document number, every record that holds
//! them — crossings, screening hits, custodies, watchlist entries, partner alerts — and every
//! access to those records from the audit log; and the reports an inspection asks for: accesses
//! per user and day, unusual access, exports. Read-only; the inspector's own search is audited.

use std::collections::HashMap;

use namematch::{BirthDate, Decision, Entry, Index, Query};
use sqlx::FromRow;

use crate::app::AppState;
use crate::audit::Actor;
use crate::db;
use crate::error::{AppError, AppResult};

/// The kinds of record that hold personal data, as the audit log names them.
pub const PERSONAL: &[&str] = &[
    "crossing",
    "screening_hit",
    "custody",
    "watchlist_entry",
    "partner_alert",
    "traveller",
];

/// Candidates read per kind of record before the engine scores them.
const CANDIDATES: i64 = 5_000;

#[derive(Debug, Clone, PartialEq)]
pub struct PersonQuery {
    pub name: String,
    pub birth: Option<String>,
    pub document: String,
}

/// A record that holds the person.
#[derive(Debug, Clone)]
pub struct Holding {
    pub entity: &'static str,
    pub id: String,
    /// The name as the record writes it.
    pub name: String,
    pub when: String,
    /// The engine's score (1 for the document number itself).
    pub score: f32,
}

#[derive(Debug, Clone, FromRow)]
pub struct Access {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: String,
}

#[derive(FromRow)]
struct Candidate {
    id: String,
    name: String,
    /// Read apart where the name is sealed in two columns, then joined to `name`.
    #[sqlx(default)]
    given: String,
    birth: Option<String>,
    when_at: String,
    document: String,
}

/// Every record holding the person, and every access to them. The search itself is written
/// in the audit log (`inspect`).
pub async fn person(
    state: &AppState,
    actor: &Actor,
    q: &PersonQuery,
) -> AppResult<(Vec<Holding>, Vec<Access>)> {
    let name = q.name.split_whitespace().collect::<Vec<_>>().join(" ");
    let document = q.document.trim().to_uppercase();
    if name.is_empty() && document.is_empty() {
        return Err(AppError::invalid("name", "error-inspect-what"));
    }
    let keys = &state.keys;
    // Any of the name's words by their keyed tags (the engine then judges the whole name): a
    // word spelt otherwise is still found through the others. The names are sealed: the
    // candidates are opened here, never compared in SQL.
    let fts = keys.any_word_query(&name);
    let document_tags = serde_json::json!(if document.is_empty() {
        Vec::new()
    } else {
        keys.document_tags(&document)
    })
    .to_string();
    let mut crossings: Vec<Candidate> = sqlx::query_as(
        "SELECT c.id, c.surname AS name, c.given_names AS given, c.birth_date AS birth,
         c.crossed_at AS when_at, c.document_number AS document FROM crossings c
         WHERE c.rowid IN (SELECT rowid FROM crossings_fts WHERE crossings_fts MATCH ?1
                           LIMIT ?3)
            OR c.document_tag IN (SELECT value FROM json_each(?2))",
    )
    .bind(fts.unwrap_or_else(|| "\"\"".into()))
    .bind(&document_tags)
    .bind(CANDIDATES)
    .fetch_all(&state.db)
    .await?;
    for c in &mut crossings {
        let open = |column: &str, v: &str| keys.open("crossings", column, &c.id, v);
        let (surname, given) = (open("surname", &c.name), open("given_names", &c.given));
        c.name = format!("{surname} {given}").trim().to_string();
        c.document = open("document_number", &c.document);
        c.birth = keys.open_opt("crossings", "birth_date", &c.id, c.birth.as_deref());
    }
    let mut sources: Vec<(&'static str, Vec<Candidate>)> = vec![("crossing", crossings)];
    // The custodies' names are sealed to each record: read as stored, opened, then joined and
    // scored like the rest.
    let mut custodies: Vec<Candidate> = sqlx::query_as(
        "SELECT id, surname AS name, given_names AS given, birth_date AS birth,
         started_at AS when_at, document_number AS document FROM custodies
         ORDER BY started_at DESC LIMIT ?",
    )
    .bind(CANDIDATES)
    .fetch_all(&state.db)
    .await?;
    for c in &mut custodies {
        let open = |column: &str, v: &str| keys.open("custodies", column, &c.id, v);
        let (surname, given) = (open("surname", &c.name), open("given_names", &c.given));
        c.name = format!("{surname} {given}").trim().to_string();
        c.document = open("document_number", &c.document);
        c.birth = keys.open_opt("custodies", "birth_date", &c.id, c.birth.as_deref());
    }
    sources.push(("custody", custodies));
    sources.push((
        "screening_hit",
        sqlx::query_as(
            "SELECT id, query_name AS name, query_birth AS birth, created_at AS when_at,
             '' AS document FROM screening_hits ORDER BY created_at DESC LIMIT ?",
        )
        .bind(CANDIDATES)
        .fetch_all(&state.db)
        .await?
        .into_iter()
        .map(|mut c: Candidate| {
            c.name = keys.open("screening_hits", "query_name", &c.id, &c.name);
            c.birth = keys.open_opt("screening_hits", "query_birth", &c.id, c.birth.as_deref());
            c
        })
        .collect(),
    ));
    let mut alerts: Vec<Candidate> = sqlx::query_as(
        "SELECT id, name, CAST(birth_year AS TEXT) AS birth, valid_until AS when_at,
         '' AS document FROM partner_alerts WHERE name <> '' LIMIT ?",
    )
    .bind(CANDIDATES)
    .fetch_all(&state.db)
    .await?;
    for a in &mut alerts {
        keys.open_in("partner_alerts", "name", &a.id, &mut a.name);
    }
    sources.push(("partner_alert", alerts));
    let query = Query {
        name: name.clone(),
        birth: q.birth.as_deref().and_then(BirthDate::parse),
        nationality: None,
    };
    let thresholds = state.config.screening_thresholds;
    let mut holdings = Vec::new();
    for (entity, rows) in sources {
        let entries: Vec<Entry> = rows
            .iter()
            .map(|r| Entry {
                names: vec![r.name.clone()],
                birth: r.birth.as_deref().and_then(BirthDate::parse),
                nationality: None,
            })
            .collect();
        let mut scores: HashMap<usize, f32> = HashMap::new();
        if !name.is_empty() && !entries.is_empty() {
            let ix = Index::build(&entries);
            for h in ix.search(&query, 200) {
                if thresholds.decide(h.score) != Decision::Aucune {
                    scores.insert(h.entry, h.score);
                }
            }
        }
        for (i, r) in rows.iter().enumerate() {
            let by_document = !document.is_empty()
                && crate::keyring::document_term(&r.document)
                    == crate::keyring::document_term(&document);
            if let Some(score) = scores.get(&i).copied().or(by_document.then_some(1.0)) {
                holdings.push(Holding {
                    entity,
                    id: r.id.clone(),
                    name: r.name.clone(),
                    when: r.when_at.clone(),
                    score,
                });
            }
        }
    }
    // The watchlists, through the screening engine's own index.
    if !name.is_empty() {
        let traveller = crate::screening::Traveller::parse(&name, q.birth.as_deref(), None)?;
        for a in crate::screening::answers(state, &traveller).await? {
            holdings.push(Holding {
                entity: "watchlist_entry",
                id: a.entry.id.clone(),
                name: format!("{} ({})", a.entry.full_name, a.entry.list_name),
                when: String::new(),
                score: a.score,
            });
        }
    }
    holdings.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.when.cmp(&a.when)));
    holdings.truncate(500);
    let ids: Vec<(&str, &str)> = holdings.iter().map(|h| (h.entity, h.id.as_str())).collect();
    // The searches that named the person: the log holds their words and numbers as keyed
    // tags (`q=#…`, `document=#…`), computed here again under every key held. Entries written
    // before the sealing hold the number itself.
    let mut named: Vec<String> = Vec::new();
    if !document.is_empty() {
        named.push(document.clone());
        let term = crate::keyring::document_term(&document);
        named.extend(
            keys.audit_tags("document", &term)
                .into_iter()
                .map(|t| format!("#{t}")),
        );
    }
    for word in crate::keyring::name_words(&name) {
        named.extend(
            keys.audit_tags("name", &word)
                .into_iter()
                .map(|t| format!("#{t}")),
        );
    }
    let accesses: Vec<Access> = sqlx::query_as(
        "SELECT seq, at, actor, action, entity, entity_id, detail FROM audit_log
         WHERE (entity, entity_id) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?1))
            OR EXISTS (SELECT 1 FROM json_each(?2) t WHERE instr(detail, t.value) > 0)
         ORDER BY seq DESC LIMIT 2000",
    )
    .bind(serde_json::to_string(&ids).unwrap_or_default())
    .bind(serde_json::json!(named).to_string())
    .fetch_all(&state.db)
    .await?;
    let mut tx = db::begin_write(&state.db).await?;
    crate::audit::append(
        &mut tx,
        actor,
        "inspect",
        "person",
        "-",
        &format!(
            "records={} accesses={}{}",
            holdings.len(),
            accesses.len(),
            if document.is_empty() { "" } else { " document" }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((holdings, accesses))
}

/// A user's reads of personal records on a day.
#[derive(Debug, Clone, FromRow)]
pub struct DayCount {
    pub actor: String,
    pub day: String,
    pub reads: i64,
}

/// A user whose reads stand out: far more than the peers of the same role, or records of units
/// outside their own.
#[derive(Debug, Clone)]
pub struct Unusual {
    pub actor: String,
    pub role: String,
    pub reads: i64,
    /// The median of the peers with the same role (the user left out).
    pub peers_median: f64,
    /// Reads of records of a unit that is neither theirs nor below it.
    pub outside_unit: i64,
}

#[derive(Debug, Clone)]
pub struct Reports {
    pub per_day: Vec<DayCount>,
    pub unusual: Vec<Unusual>,
    pub exports: Vec<Access>,
}

/// How many times the peers' median makes a user's reads unusual, and the fewest reads that
/// can be (a handful of reads is nobody's excess).
const UNUSUAL_FACTOR: f64 = 3.0;
const UNUSUAL_FLOOR: i64 = 20;

/// The inspector's reports for the days `from` to `to`.
pub async fn reports(state: &AppState, from: time::Date, to: time::Date) -> AppResult<Reports> {
    let (a, b) = (from.to_string(), (to + time::Duration::days(1)).to_string());
    let personal = serde_json::to_string(PERSONAL).unwrap_or_default();
    let per_day: Vec<DayCount> = sqlx::query_as(
        "SELECT actor, substr(at, 1, 10) AS day, COUNT(*) AS reads FROM audit_log
         WHERE at >= ?1 AND at < ?2 AND action IN ('read', 'find', 'list', 'export', 'screen')
           AND entity IN (SELECT value FROM json_each(?3))
         GROUP BY actor, day ORDER BY day DESC, reads DESC LIMIT 5000",
    )
    .bind(&a)
    .bind(&b)
    .bind(&personal)
    .fetch_all(&state.db)
    .await?;
    let totals: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT l.actor, COALESCE(u.role, ''), COUNT(*) FROM audit_log l
         LEFT JOIN users u ON u.login = l.actor
         WHERE l.at >= ?1 AND l.at < ?2 AND l.action IN ('read', 'find', 'list', 'export')
           AND l.entity IN (SELECT value FROM json_each(?3))
         GROUP BY l.actor",
    )
    .bind(&a)
    .bind(&b)
    .bind(&personal)
    .fetch_all(&state.db)
    .await?;
    // Reads of crossings and custodies of a unit that is neither the reader's nor below it
    // (users with a unit only: the region-wide roles read the whole region by right).
    let outside: Vec<(String, i64)> = sqlx::query_as(
        "SELECT l.actor, COUNT(*) FROM audit_log l JOIN users u ON u.login = l.actor
         LEFT JOIN crossings c ON l.entity = 'crossing' AND c.id = l.entity_id
         LEFT JOIN custodies k ON l.entity = 'custody' AND k.id = l.entity_id
         WHERE l.at >= ?1 AND l.at < ?2 AND l.action = 'read' AND u.unit_id IS NOT NULL
           AND COALESCE(c.unit_id, k.unit_id) IS NOT NULL
           AND COALESCE(c.unit_id, k.unit_id) NOT IN (
             WITH RECURSIVE below(id) AS (SELECT u.unit_id
               UNION SELECT x.id FROM units x JOIN below ON x.parent_id = below.id)
             SELECT id FROM below)
         GROUP BY l.actor",
    )
    .bind(&a)
    .bind(&b)
    .fetch_all(&state.db)
    .await?;
    let outside: HashMap<String, i64> = outside.into_iter().collect();
    let mut unusual = Vec::new();
    for (actor, role, reads) in &totals {
        let mut peers: Vec<i64> = totals
            .iter()
            .filter(|(other, r, _)| r == role && other != actor)
            .map(|(_, _, n)| *n)
            .collect();
        peers.sort_unstable();
        let median = match peers.len() {
            0 => 0.0,
            n if n % 2 == 1 => peers[n / 2] as f64,
            n => (peers[n / 2 - 1] + peers[n / 2]) as f64 / 2.0,
        };
        let many = *reads >= UNUSUAL_FLOOR && (*reads as f64) > UNUSUAL_FACTOR * median.max(1.0);
        let out = outside.get(actor).copied().unwrap_or(0);
        if many || out > 0 {
            unusual.push(Unusual {
                actor: actor.clone(),
                role: role.clone(),
                reads: *reads,
                peers_median: median,
                outside_unit: out,
            });
        }
    }
    unusual.sort_by_key(|u| std::cmp::Reverse(u.reads));
    let exports: Vec<Access> = sqlx::query_as(
        "SELECT seq, at, actor, action, entity, entity_id, detail FROM audit_log
         WHERE at >= ?1 AND at < ?2 AND action = 'export' ORDER BY seq DESC LIMIT 2000",
    )
    .bind(&a)
    .bind(&b)
    .fetch_all(&state.db)
    .await?;
    Ok(Reports {
        per_day,
        unusual,
        exports,
    })
}
