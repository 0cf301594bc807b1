//! Watchlists down to the posts, as versions. A list's entries do not go through the change log
//! (a new version of a million entries would be a million changes): the regional node offers
//! each active version with the digest of its entries, and a post that holds the version it
//! replaces receives only the difference — the entries of its version to leave out, and the
//! new ones. An entry's id is made from its list's id and its content
//! (`screening::entry_id`), so the post computes the ids of the entries it keeps, and checks
//! the whole against the digest before it switches to the new version: a post screens only
//! with a version it verified. The regional node signs every answer (`transport`).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::audit::Actor;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::screening::import::{Instruction, ListedPerson, Row};
use crate::screening::{self, ListMeta};

/// The most entries in one page of a version's new entries.
pub const PAGE: i64 = 20_000;

/// A post's request: the active version it holds of each list.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Held {
    /// (list name, version id).
    pub have: Vec<(String, String)>,
}

/// A version the post does not hold yet.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Offer {
    pub id: String,
    pub name: String,
    pub authority: String,
    pub version: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// The post's version this offer is the difference from (none: the whole list).
    pub base: Option<String>,
    /// The entries of `base` to leave out (changed or gone).
    pub drop: Vec<String>,
    /// How many new entries the pages hold.
    pub added: u64,
    /// SHA-256 of the version's entry ids, sorted, one per line.
    pub digest: String,
    pub entries: u64,
}

/// A page of a version's new entries, after `after` (ids in order).
#[derive(Debug, Serialize, Deserialize)]
pub struct PageRequest {
    pub list: String,
    pub base: Option<String>,
    pub after: String,
}

/// A listed person as it travels.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct Wire {
    pub id: String,
    pub external_id: String,
    pub full_name: String,
    pub aliases: String,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub reason: String,
    pub instruction: String,
    pub expires_at: Option<String>,
}

impl Wire {
    /// The listed person it carries.
    pub fn person(&self) -> ListedPerson {
        ListedPerson {
            external_id: self.external_id.clone(),
            full_name: self.full_name.clone(),
            aliases: self
                .aliases
                .split(';')
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
            birth_date: self.birth_date.clone(),
            nationality: self.nationality.clone(),
            reason: self.reason.clone(),
            instruction: Instruction::parse(&self.instruction).unwrap_or(Instruction::Signaler),
            expires_at: self.expires_at.clone(),
        }
    }
}

const WIRE: &str = "id, external_id, full_name, aliases, birth_date, nationality, reason,
                    instruction, expires_at";

async fn entries(db: &Db, list: &str) -> AppResult<Vec<Wire>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {WIRE} FROM watchlist_entries WHERE watchlist_id = ? ORDER BY id"
    )))
    .bind(list)
    .fetch_all(db)
    .await?)
}

async fn entry_ids(db: &Db, list: &str) -> AppResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM watchlist_entries WHERE watchlist_id = ?")
            .bind(list)
            .fetch_all(db)
            .await?,
    )
}

/// The digest of a set of entry ids.
pub fn digest<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let mut sorted: Vec<&str> = ids.into_iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut h = Sha256::new();
    for id in sorted {
        h.update(id.as_bytes());
        h.update(b"\n");
    }
    crate::audit::hex(&h.finalize())
}

/// What of `base` stays in `list` (by the ids its entries take there), and what is new.
async fn difference(
    db: &Db,
    list: &str,
    base: &str,
) -> AppResult<(Vec<String>, HashSet<String>, HashSet<String>)> {
    let now: HashSet<String> = entry_ids(db, list).await?.into_iter().collect();
    let mut kept = HashSet::new();
    let mut drop = Vec::new();
    for e in entries(db, base).await? {
        let id = screening::entry_id(list, &e.person());
        if now.contains(&id) {
            kept.insert(id);
        } else {
            drop.push(e.id);
        }
    }
    Ok((drop, kept, now))
}

#[derive(sqlx::FromRow)]
struct Version {
    id: String,
    name: String,
    authority: String,
    version: String,
    valid_from: Option<String>,
    valid_to: Option<String>,
    entry_count: i64,
}

/// On the regional node: the active versions the post does not hold, each as the difference
/// from the one it holds when it holds one of the same list.
pub async fn offers(db: &Db, held: &Held) -> AppResult<Vec<Offer>> {
    let active: Vec<Version> = sqlx::query_as(
        "SELECT id, name, authority, version, valid_from, valid_to, entry_count
         FROM watchlists WHERE status = 'active' ORDER BY name",
    )
    .fetch_all(db)
    .await?;
    let mut out = Vec::new();
    for Version {
        id,
        name,
        authority,
        version,
        valid_from,
        valid_to,
        entry_count,
    } in active
    {
        if held.have.iter().any(|(_, h)| *h == id) {
            continue;
        }
        let known: Option<String> = match held.have.iter().find(|(n, _)| *n == name) {
            Some((_, h)) => {
                sqlx::query_scalar("SELECT id FROM watchlists WHERE id = ?")
                    .bind(h)
                    .fetch_optional(db)
                    .await?
            }
            None => None,
        };
        let ids = entry_ids(db, &id).await?;
        let (drop, added) = match &known {
            Some(base) => {
                let (drop, kept, now) = difference(db, &id, base).await?;
                (drop, (now.len() - kept.len()) as u64)
            }
            None => (Vec::new(), ids.len() as u64),
        };
        out.push(Offer {
            digest: digest(ids.iter().map(String::as_str)),
            id,
            name,
            authority,
            version,
            valid_from,
            valid_to,
            base: known,
            drop,
            added,
            entries: u64::try_from(entry_count).unwrap_or(0),
        });
    }
    Ok(out)
}

/// On the regional node: a page of the new entries of a version, after an id.
pub async fn page(db: &Db, req: &PageRequest) -> AppResult<Vec<Wire>> {
    let rows: Vec<Wire> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {WIRE} FROM watchlist_entries WHERE watchlist_id = ? AND id > ?
         ORDER BY id LIMIT ?"
    )))
    .bind(&req.list)
    .bind(&req.after)
    .bind(if req.base.is_some() { i64::MAX } else { PAGE })
    .fetch_all(db)
    .await?;
    let Some(base) = &req.base else {
        return Ok(rows);
    };
    let (_, kept, _) = difference(db, &req.list, base).await?;
    Ok(rows
        .into_iter()
        .filter(|r| !kept.contains(&r.id))
        .take(usize::try_from(PAGE).unwrap_or(usize::MAX))
        .collect())
}

/// On a post: the version offered, built from the one it holds and the new entries, checked
/// against the digest, and only then put in force. The new entries come from `fetch` (page
/// after page); nothing is switched when the digest differs.
pub async fn take(state: &AppState, offer: &Offer, new_entries: Vec<Wire>) -> AppResult<()> {
    let drop: HashSet<&str> = offer.drop.iter().map(String::as_str).collect();
    let mut people: Vec<ListedPerson> = Vec::new();
    if let Some(base) = &offer.base {
        for e in entries(&state.db, base).await? {
            if !drop.contains(e.id.as_str()) {
                people.push(e.person());
            }
        }
    }
    people.extend(new_entries.iter().map(Wire::person));
    let ids: Vec<String> = people
        .iter()
        .map(|p| screening::entry_id(&offer.id, p))
        .collect();
    if digest(ids.iter().map(String::as_str)) != offer.digest {
        return Err(AppError::Internal(format!(
            "liste {} version {} : le contenu reçu ne correspond pas à l'empreinte signée",
            offer.name, offer.version
        )));
    }
    let meta = ListMeta {
        name: offer.name.clone(),
        authority: offer.authority.clone(),
        version: offer.version.clone(),
        valid_from: offer.valid_from.clone(),
        valid_to: offer.valid_to.clone(),
        format: "sync",
    };
    screening::import_rows_as(
        state,
        &Actor::system("sync"),
        &meta,
        Some(offer.id.clone()),
        false,
        move |sink| {
            for p in people {
                sink(Row::Accepted(p));
            }
            Ok(())
        },
    )
    .await?;
    Ok(())
}

/// On a post: the active version it holds of each list.
pub async fn held(db: &Db) -> AppResult<Held> {
    let have: Vec<(String, String)> =
        sqlx::query_as("SELECT name, id FROM watchlists WHERE status = 'active' ORDER BY name")
            .fetch_all(db)
            .await?;
    Ok(Held { have })
}
