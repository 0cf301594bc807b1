//! This node in the region (issue 11): its identity — id, role (`regional` or `post`), name,
//! unit — and the nodes it knows. The regional node registers each post and gives it a one-time
//! enrolment code; with it, the post enrols, and each side pins the other's public key, as
//! Syncthing pins device ids. The convergence itself is the pure engine `crates/sync` (see
//! docs/sync.md).

pub mod apply;
pub mod audit_chain;
pub mod capture;
pub mod conflicts;
pub mod demo;
pub mod lists;
pub mod transport;
pub mod web;

use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};

/// What a node is in the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The operations centre: every post talks to it.
    Regional,
    /// A post: works alone, converges with the regional node when its link is up.
    Post,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "regional" => Some(Role::Regional),
            "post" => Some(Role::Post),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Regional => "regional",
            Role::Post => "post",
        }
    }
}

/// This node's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub id: String,
    pub role: Role,
    pub name: String,
    pub unit_id: String,
}

/// How long an enrolment code may be used.
const CODE_DAYS: i64 = 7;

/// This node's identity, once `init` has given it one.
pub async fn identity(db: &Db) -> AppResult<Option<Identity>> {
    let (id, role, name, unit) = (
        db::meta(db, "node_id").await?,
        db::meta(db, "node_role").await?,
        db::meta(db, "node_name").await?,
        db::meta(db, "node_unit").await?,
    );
    Ok(
        match (id, role.as_deref().and_then(Role::parse), name, unit) {
            (Some(id), Some(role), Some(name), Some(unit_id)) => Some(Identity {
                id,
                role,
                name,
                unit_id,
            }),
            _ => None,
        },
    )
}

/// The node's public key, as the other side pins it (hex).
pub async fn public_key(state: &AppState) -> AppResult<String> {
    let key = crate::node_key::signing_key(&state.db, &state.config.node_key).await?;
    Ok(audit::hex(key.verifying_key().as_bytes()))
}

/// Gives this node its identity, once: a node's id never changes (its changes are numbered
/// under it). The key file is made if it is not there yet.
pub async fn init(
    state: &AppState,
    actor: &Actor,
    role: Role,
    name: &str,
    unit: &str,
) -> AppResult<Identity> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid("name", "error-required"));
    }
    if let Some(existing) = identity(&state.db).await? {
        return Err(if existing.role == role && existing.name == name {
            AppError::Conflict {
                field: "name",
                key: "error-node-already",
            }
        } else {
            AppError::Conflict {
                field: "role",
                key: "error-node-already",
            }
        });
    }
    let unit_id = unit_id(&state.db, unit).await?;
    // The key first: a node with an identity always has its key.
    public_key(state).await?;
    let identity = Identity {
        id: db::new_id(),
        role,
        name: name.to_string(),
        unit_id,
    };
    let mut tx = db::begin_write(&state.db).await?;
    for (key, value) in [
        ("node_id", identity.id.as_str()),
        ("node_role", role.code()),
        ("node_name", identity.name.as_str()),
        ("node_unit", identity.unit_id.as_str()),
    ] {
        db::set_meta(&mut tx, key, value).await?;
    }
    // A regional node's records go down to the posts; a post's database starts empty and its
    // first exchange brings them.
    if role == Role::Regional {
        capture::adopt(&mut tx, &identity.id).await?;
    } else {
        capture::take_origin(&mut tx, &identity.id).await?;
    }
    let detail = format!("role={} name={}", role.code(), identity.name);
    audit::append(&mut tx, actor, "init", "node", &identity.id, &detail).await?;
    tx.commit().await?;
    Ok(identity)
}

/// A unit by id or by name.
async fn unit_id(db: &Db, given: &str) -> AppResult<String> {
    sqlx::query_scalar("SELECT id FROM units WHERE id = ?1 OR name = ?1")
        .bind(given.trim())
        .fetch_optional(db)
        .await?
        .ok_or(AppError::invalid("unit", "error-unknown-unit"))
}

/// A code a person can read over the radio and type: ten letters and digits without the ones
/// that look alike, in groups.
fn new_code() -> AppResult<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    let chars: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    Ok(format!("{}-{}-{}", &chars[..4], &chars[4..8], &chars[8..]))
}

fn code_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    audit::hex(&Sha256::digest(normal.as_bytes()))
}

/// On the regional node: registers a post and gives its one-time enrolment code (shown once,
/// only its hash kept; valid seven days).
pub async fn register_post(
    state: &AppState,
    actor: &Actor,
    name: &str,
    unit: &str,
) -> AppResult<(String, String)> {
    let me = identity(&state.db)
        .await?
        .ok_or(AppError::invalid("node", "error-node-not-initialised"))?;
    if me.role != Role::Regional {
        return Err(AppError::invalid("role", "error-node-not-regional"));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid("name", "error-required"));
    }
    let unit_id = unit_id(&state.db, unit).await?;
    let code = new_code()?;
    let id = db::new_id();
    let now = db::now();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO nodes (id, name, role, unit_id, enrolment_hash, code_expires_at,
         registered_at, registered_by) VALUES (?, ?, 'post', ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(name)
    .bind(&unit_id)
    .bind(code_hash(&code))
    .bind(db::timestamp(now + time::Duration::days(CODE_DAYS)))
    .bind(db::timestamp(now))
    .bind(&actor.0)
    .execute(&mut *tx)
    .await?;
    audit::append(&mut tx, actor, "register", "node", &id, name).await?;
    tx.commit().await?;
    Ok((id, code))
}

/// What a post learns when it enrols: the regional node's id, name and key, to pin.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Enrolled {
    pub regional_id: String,
    pub regional_name: String,
    pub regional_key: String,
    /// The post's name and unit, as the regional node registered it.
    pub name: String,
    pub unit_id: String,
}

/// On the regional node: a post enrols with its code, its node id and its public key, which
/// are pinned; the code is then used up. A wrong, used or expired code is refused alike.
pub async fn enrol(
    state: &AppState,
    code: &str,
    post_id: &str,
    post_key: &str,
) -> AppResult<Enrolled> {
    let me = identity(&state.db)
        .await?
        .ok_or(AppError::invalid("node", "error-node-not-initialised"))?;
    let key = crate::border::exchange::parse_public_key(post_key)?;
    let post_id = post_id.trim();
    if post_id.is_empty() || post_id.len() > 64 {
        return Err(AppError::invalid("node", "error-required"));
    }
    let now = db::now_text();
    let mut tx = db::begin_write(&state.db).await?;
    let found: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, name, unit_id FROM nodes WHERE enrolment_hash = ? AND enrolled_at IS NULL
         AND code_expires_at > ?",
    )
    .bind(code_hash(code))
    .bind(&now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, name, unit_id)) = found else {
        return Err(AppError::invalid("code", "error-enrolment-code"));
    };
    // A post enrolled again (its database restored from a backup) keeps its key: its old
    // registration stays for its history, without the key, so that the old id can no longer
    // send anything.
    sqlx::query("UPDATE nodes SET public_key = NULL WHERE public_key = ? AND id <> ?")
        .bind(audit::hex(key.as_bytes()))
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE nodes SET node_id = ?, public_key = ?, enrolled_at = ?, enrolment_hash = NULL,
         last_contact = ? WHERE id = ?",
    )
    .bind(post_id)
    .bind(audit::hex(key.as_bytes()))
    .bind(&now)
    .bind(&now)
    .bind(&id)
    .execute(&mut *tx)
    .await
    .map_err(db::taken("node", "error-node-known"))?;
    audit::append(
        &mut tx,
        &Actor::system("enrolment"),
        "enrol",
        "node",
        &id,
        &format!("node={post_id} key={}", audit::hex(key.as_bytes())),
    )
    .await?;
    tx.commit().await?;
    Ok(Enrolled {
        regional_id: me.id,
        regional_name: me.name,
        regional_key: public_key(state).await?,
        name,
        unit_id: unit_id.unwrap_or_default(),
    })
}

/// On a post: pins the regional node it enrolled with.
pub async fn pin_regional(state: &AppState, actor: &Actor, e: &Enrolled) -> AppResult<()> {
    let now = db::now_text();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO nodes (id, name, role, node_id, public_key, registered_at, registered_by,
         enrolled_at, last_contact) VALUES (?, ?, 'regional', ?, ?, ?, ?, ?, ?)",
    )
    .bind(db::new_id())
    .bind(&e.regional_name)
    .bind(&e.regional_id)
    .bind(&e.regional_key)
    .bind(&now)
    .bind(&actor.0)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await
    .map_err(db::taken("node", "error-node-known"))?;
    audit::append(
        &mut tx,
        actor,
        "pin",
        "node",
        &e.regional_id,
        &format!("regional key={}", e.regional_key),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A node this one knows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NodeRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub node_id: Option<String>,
    pub public_key: Option<String>,
    pub enrolled_at: Option<String>,
    pub last_contact: Option<String>,
}

pub async fn nodes(db: &Db) -> AppResult<Vec<NodeRow>> {
    Ok(sqlx::query_as(
        "SELECT id, name, role, node_id, public_key, enrolled_at, last_contact FROM nodes
         ORDER BY role, name",
    )
    .fetch_all(db)
    .await?)
}

/// On a new post: enrols with the regional node at `url` with the code it gave, pins its key
/// and takes the identity it registered (name, unit); the first exchange then brings the
/// region's data and accounts down.
///
/// `again`: a post whose database was restored from a backup enrols again under a new id
/// (the regional node holds numbers of its old one that the restored database reuses); what it
/// recorded goes up once more under the new id, and merges with what the regional node holds.
pub async fn enrol_with(
    state: &AppState,
    url: &str,
    code: &str,
    again: bool,
) -> AppResult<Identity> {
    let previous = identity(&state.db).await?;
    match &previous {
        Some(p) if again && p.role == Role::Post => {}
        Some(_) => {
            return Err(AppError::Conflict {
                field: "node",
                key: "error-node-already",
            });
        }
        None => {}
    }
    let id = db::new_id();
    let request = transport::EnrolRequest {
        code: code.to_string(),
        node_id: id.clone(),
        public_key: public_key(state).await?,
    };
    let url = url.trim_end_matches('/').to_string();
    let res = reqwest::Client::new()
        .post(format!("{url}/sync/enrol"))
        .json(&request)
        .timeout(std::time::Duration::from_secs(60))
        .send()
        .await
        .map_err(|e| AppError::Internal(format!("le nœud régional ne répond pas : {e}")))?;
    if !res.status().is_success() {
        return Err(AppError::invalid("code", "error-enrolment-code"));
    }
    let e: Enrolled = res
        .json()
        .await
        .map_err(|e| AppError::Internal(format!("réponse illisible : {e}")))?;
    let me = Identity {
        id,
        role: Role::Post,
        name: e.name.clone(),
        unit_id: e.unit_id.clone(),
    };
    let actor = Actor::system("enrolment");
    let mut tx = db::begin_write(&state.db).await?;
    for (key, value) in [
        ("node_id", me.id.as_str()),
        ("node_role", Role::Post.code()),
        ("node_name", me.name.as_str()),
        ("node_unit", me.unit_id.as_str()),
        ("regional_url", url.as_str()),
    ] {
        db::set_meta(&mut tx, key, value).await?;
    }
    // What this database recorded before (nothing, on a new post) becomes the post's own.
    match &previous {
        Some(p) => {
            capture::rename_origin(&mut tx, &p.id, &me.id).await?;
            // Everything goes up again; the regional node it knew is pinned anew.
            sqlx::query("DELETE FROM sync_cursors WHERE stream = 'sent'")
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM nodes WHERE role = 'regional'")
                .execute(&mut *tx)
                .await?;
        }
        None => capture::take_origin(&mut tx, &me.id).await?,
    }
    audit::append(&mut tx, &actor, "enrol", "node", &me.id, &url).await?;
    tx.commit().await?;
    pin_regional(state, &actor, &e).await?;
    Ok(me)
}
