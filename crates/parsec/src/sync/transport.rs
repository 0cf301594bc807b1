//! The exchange between a post and the regional node, over HTTP (HTTPS through the reverse
//! proxy of docs/sync.md). The post always opens the connection: it pushes its own stream,
//! then pulls its share of the regional stream. Every request and answer is signed with the
//! sender's node key and checked against the key pinned at enrolment; a batch cut or altered
//! on the way is refused whole, one sent again changes nothing, and each side moves its cursor
//! in the transaction of the changes it applied — a cut at any moment loses nothing.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::apply::{self, Applied};
use super::{Identity, Role};
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::border::exchange::parse_public_key;
use crate::db;
use crate::error::{AppError, AppResult};

/// The most bytes of one request or answer.
pub const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;

const NODE: &str = "x-parsec-node";
const SIGNATURE: &str = "x-parsec-signature";
const CHECKPOINT: &str = "x-parsec-checkpoint";

/// Batches travel gzipped; what is signed is what travels.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

/// The batch inside, refused beyond `MAX_BATCH_BYTES` once unpacked (a small body that would
/// unpack to gigabytes is no batch of ours).
fn gunzip(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    let limit = u64::try_from(MAX_BATCH_BYTES).unwrap_or(u64::MAX) + 1;
    flate2::read::GzDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .ok()?;
    (out.len() <= MAX_BATCH_BYTES).then_some(out)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/enrol", post(enrol_api))
        .route("/sync/push", post(push_api))
        .route("/sync/pull", post(pull_api))
        .route("/sync/lists", post(lists_api))
        .route("/sync/lists/page", post(list_page_api))
        .route("/sync/keys", post(keys_api))
        .layer(DefaultBodyLimit::max(MAX_BATCH_BYTES))
}

/// What is signed: the route, the checkpoint header (empty when none) and the body, so that a
/// signature made for one cannot be used for another.
pub fn signed(path: &str, checkpoint: &str, body: &[u8]) -> Vec<u8> {
    let mut m = format!("parsec.sync\n{path}\n{checkpoint}\n").into_bytes();
    m.extend_from_slice(body);
    m
}

fn unhex_signature(s: &str) -> Option<Signature> {
    let bytes: Vec<u8> = (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<_>>()?;
    Signature::from_slice(&bytes).ok()
}

fn verify(key: &VerifyingKey, message: &[u8], signature: &str) -> bool {
    unhex_signature(signature).is_some_and(|s| key.verify(message, &s).is_ok())
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The enrolled post that signed this request.
async fn caller(
    state: &AppState,
    h: &HeaderMap,
    path: &str,
    body: &[u8],
) -> AppResult<(String, VerifyingKey)> {
    let node = header(h, NODE);
    let known: Option<(String,)> = sqlx::query_as(
        "SELECT public_key FROM nodes WHERE node_id = ? AND role = 'post' AND enrolled_at IS NOT NULL",
    )
    .bind(node)
    .fetch_optional(&state.db)
    .await?;
    let key = known
        .and_then(|(k,)| parse_public_key(&k).ok())
        .ok_or(AppError::Unauthenticated)?;
    if !verify(
        &key,
        &signed(path, header(h, CHECKPOINT), body),
        header(h, SIGNATURE),
    ) {
        return Err(AppError::Unauthenticated);
    }
    Ok((node.to_string(), key))
}

/// An answer signed by this node.
async fn signed_answer(state: &AppState, path: &str, body: Vec<u8>) -> AppResult<Response> {
    let key = crate::node_key::signing_key(&state.db, &state.config.node_key).await?;
    let signature = audit::hex(&key.sign(&signed(path, "", &body)).to_bytes());
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(
        SIGNATURE,
        HeaderValue::from_str(&signature).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(res)
}

async fn regional(state: &AppState) -> AppResult<Identity> {
    match super::identity(&state.db).await? {
        Some(me) if me.role == Role::Regional => Ok(me),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub code: String,
    pub node_id: String,
    pub public_key: String,
}

async fn enrol_api(
    State(state): State<AppState>,
    Json(req): Json<EnrolRequest>,
) -> AppResult<Json<super::Enrolled>> {
    regional(&state).await?;
    Ok(Json(
        super::enrol(&state, &req.code, &req.node_id, &req.public_key).await?,
    ))
}

/// The regional node's answer to a push.
#[derive(Debug, Serialize, Deserialize)]
pub struct PushAnswer {
    /// The last position of the post's stream applied on the regional node: the post sends
    /// from there on.
    pub applied: u64,
    pub conflicts: u64,
    /// How far ahead of the regional node's clock the post's clock was, beyond tolerance.
    pub skew_ms: Option<u64>,
    /// What is wrong with the post's audit chain against the checkpoints it signed before.
    pub audit_broken: Option<String>,
}

async fn push_api(State(state): State<AppState>, h: HeaderMap, body: Bytes) -> AppResult<Response> {
    let me = regional(&state).await?;
    let (post, key) = caller(&state, &h, "/sync/push", &body).await?;
    let unpacked = gunzip(&body).ok_or(AppError::invalid("batch", "error-sync-batch"))?;
    let batch = ::sync::decode(&unpacked, MAX_BATCH_BYTES).map_err(|e| {
        tracing::warn!(post, error = %e, "batch refused");
        AppError::invalid("batch", "error-sync-batch")
    })?;
    if batch.stream != post {
        return Err(AppError::invalid("batch", "error-sync-batch"));
    }
    let checkpoint = parse_checkpoint(header(&h, CHECKPOINT), &post, &key);
    let end = batch.end();
    let mut tx = db::begin_write(&state.db).await?;
    let applied_before = apply::cursor(&mut *tx, &post).await?;
    let mut result = Applied::default();
    if let ::sync::Placement::Apply(changes) = ::sync::place(applied_before, batch) {
        result = apply::apply(&mut tx, &me.id, changes).await?;
        apply::set_cursor(&mut tx, &post, end).await?;
    }
    let applied = apply::cursor(&mut *tx, &post).await?;
    let audit_broken = match checkpoint {
        Some((c, signature)) => super::audit_chain::receive(&mut tx, &c, &signature).await?,
        None => None,
    };
    let note = match (&audit_broken, result.skew_ms) {
        (Some(b), _) => Some(b.clone()),
        (None, Some(ms)) => Some(format!("clock-ahead {ms}")),
        _ => None,
    };
    // What was said stays until changes come that no longer have it.
    sqlx::query(
        "UPDATE nodes SET last_contact = ?1,
         last_error = CASE WHEN ?2 > 0 THEN ?3 ELSE COALESCE(?3, last_error) END
         WHERE node_id = ?4",
    )
    .bind(db::now_text())
    .bind(i64::try_from(result.applied).unwrap_or(i64::MAX))
    .bind(&note)
    .bind(&post)
    .execute(&mut *tx)
    .await?;
    if result.applied > 0 || result.conflicts > 0 {
        audit::append(
            &mut tx,
            &Actor::system("sync"),
            "receive",
            "node",
            &post,
            &format!(
                "changes={} conflicts={} upto={applied}",
                result.applied, result.conflicts
            ),
        )
        .await?;
    }
    tx.commit().await?;
    let answer = PushAnswer {
        applied,
        conflicts: result.conflicts,
        skew_ms: result.skew_ms,
        audit_broken,
    };
    signed_answer(
        &state,
        "/sync/push",
        serde_json::to_vec(&answer).map_err(|e| AppError::Internal(e.to_string()))?,
    )
    .await
}

fn parse_checkpoint(
    s: &str,
    post: &str,
    key: &VerifyingKey,
) -> Option<(::sync::Checkpoint, String)> {
    #[derive(Deserialize)]
    struct Wire {
        count: u64,
        head: String,
        signature: String,
    }
    let w: Wire = serde_json::from_str(s).ok()?;
    let c = ::sync::Checkpoint {
        node: post.to_string(),
        count: w.count,
        head: w.head,
    };
    verify(key, &c.signed_bytes(), &w.signature).then_some((c, w.signature))
}

/// A post's data keys, each sealed for the regional node alone (`keyring::transport_key`).
#[derive(Debug, Serialize, Deserialize)]
pub struct KeysRequest {
    pub keys: Vec<SealedKey>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SealedKey {
    pub kid: u32,
    pub sealed: String,
}

/// The keys the regional node holds of those sent.
#[derive(Debug, Serialize, Deserialize)]
pub struct KeysAnswer {
    pub held: Vec<u32>,
}

/// A post uploads its data keys, so that the regional node reads what the post sealed. The
/// request is signed by the post; each key opens only with the two nodes' keys; one that does
/// not open, or whose version the regional node holds with another secret, is refused.
async fn keys_api(State(state): State<AppState>, h: HeaderMap, body: Bytes) -> AppResult<Response> {
    let me = regional(&state).await?;
    let (post, post_key) = caller(&state, &h, "/sync/keys", &body).await?;
    let req: KeysRequest =
        serde_json::from_slice(&body).map_err(|_| AppError::invalid("keys", "error-sync-batch"))?;
    let own = crate::node_key::signing_key(&state.db, &state.config.node_key).await?;
    let kwk = crate::keyring::transport_key(&own, &post_key, &post, &me.id);
    let mut held = Vec::new();
    let mut tx = db::begin_write(&state.db).await?;
    for k in req.keys.iter().take(64) {
        let Some(secret) = crate::keyring::open_from_transport(&kwk, &post, k.kid, &k.sealed)
        else {
            tracing::warn!(post, kid = k.kid, "a data key that does not open: refused");
            continue;
        };
        match crate::keyring::store_uploaded(&mut tx, &state.keys, &post, k.kid, &secret).await {
            Ok(true) => {
                audit::append(
                    &mut tx,
                    &Actor::system("sync"),
                    "receive",
                    "node",
                    &post,
                    &format!("data_key={}", k.kid),
                )
                .await?;
                held.push(k.kid);
            }
            Ok(false) => held.push(k.kid),
            Err(e) => tracing::warn!(post, kid = k.kid, "data key refused: {e}"),
        }
    }
    tx.commit().await?;
    let answer =
        serde_json::to_vec(&KeysAnswer { held }).map_err(|e| AppError::Internal(e.to_string()))?;
    signed_answer(&state, "/sync/keys", gzip(&answer)).await
}

/// This post's keys not yet held by the regional node go up first: what the exchange then
/// pushes is readable there on arrival.
async fn upload_keys(state: &AppState, link: &Link) -> AppResult<()> {
    let pending = crate::keyring::to_upload(&state.db, &state.keys).await?;
    if pending.is_empty() {
        return Ok(());
    }
    let kwk =
        crate::keyring::transport_key(&link.key, &link.regional_key, &link.me, &link.regional);
    let keys = pending
        .iter()
        .map(|(kid, secret)| {
            Ok(SealedKey {
                kid: *kid,
                sealed: crate::keyring::seal_for_transport(&kwk, &link.me, *kid, secret)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let answer: KeysAnswer = ask(link, "/sync/keys", &KeysRequest { keys }).await?;
    crate::keyring::uploaded(&state.db, &answer.held).await
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PullRequest {
    pub after: u64,
}

async fn pull_api(State(state): State<AppState>, h: HeaderMap, body: Bytes) -> AppResult<Response> {
    regional(&state).await?;
    let (post, _) = caller(&state, &h, "/sync/pull", &body).await?;
    let req: PullRequest = serde_json::from_slice(&body)
        .map_err(|_| AppError::invalid("after", "error-sync-batch"))?;
    let batch = apply::share_batch(&state.db, &post, req.after, apply::BATCH_CHANGES).await?;
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query("UPDATE nodes SET last_contact = ? WHERE node_id = ?")
        .bind(db::now_text())
        .bind(&post)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    signed_answer(&state, "/sync/pull", gzip(&::sync::encode(&batch))).await
}

/// The watchlist versions a post does not hold (see `lists`).
async fn lists_api(
    State(state): State<AppState>,
    h: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    regional(&state).await?;
    caller(&state, &h, "/sync/lists", &body).await?;
    let held: super::lists::Held =
        serde_json::from_slice(&body).map_err(|_| AppError::invalid("have", "error-sync-batch"))?;
    let offers = super::lists::offers(&state.db, &held).await?;
    let json = serde_json::to_vec(&offers).map_err(|e| AppError::Internal(e.to_string()))?;
    signed_answer(&state, "/sync/lists", gzip(&json)).await
}

/// A page of a version's new entries.
async fn list_page_api(
    State(state): State<AppState>,
    h: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    regional(&state).await?;
    caller(&state, &h, "/sync/lists/page", &body).await?;
    let req: super::lists::PageRequest =
        serde_json::from_slice(&body).map_err(|_| AppError::invalid("list", "error-sync-batch"))?;
    let rows = super::lists::page(&state.db, &req).await?;
    let json = serde_json::to_vec(&rows).map_err(|e| AppError::Internal(e.to_string()))?;
    signed_answer(&state, "/sync/lists/page", gzip(&json)).await
}

/// What one exchange did, seen from the post.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// This post's changes the regional node now holds, in all.
    pub sent_upto: u64,
    pub received: u64,
    pub conflicts: u64,
    pub skew_ms: Option<u64>,
    pub audit_broken: Option<String>,
    /// Watchlist versions verified and put in force.
    pub lists: u64,
}

fn unreachable(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("le nœud régional ne répond pas : {e}"))
}

/// The stream cursor of what the regional node acknowledged of this post's own changes.
const SENT: &str = "sent";

/// The regional node this post enrolled with: its id, its pinned key, its address.
async fn pinned_regional(state: &AppState) -> AppResult<(Identity, String, VerifyingKey, String)> {
    let me = super::identity(&state.db)
        .await?
        .filter(|me| me.role == Role::Post)
        .ok_or(AppError::invalid("node", "error-node-not-post"))?;
    let (id, key): (String, String) = sqlx::query_as(
        "SELECT node_id, public_key FROM nodes WHERE role = 'regional' AND node_id IS NOT NULL",
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::invalid("node", "error-node-not-post"))?;
    let url = db::meta(&state.db, "regional_url")
        .await?
        .ok_or(AppError::invalid("node", "error-node-not-post"))?;
    Ok((me, id, parse_public_key(&key)?, url))
}

/// The post's side of the link: who it is, where and who the regional node is.
struct Link {
    client: reqwest::Client,
    me: String,
    regional: String,
    url: String,
    regional_key: VerifyingKey,
    key: ed25519_dalek::SigningKey,
}

impl Link {
    async fn send(&self, path: &str, checkpoint: &str, body: Vec<u8>) -> AppResult<Vec<u8>> {
        let (client, me, url) = (&self.client, &self.me, &self.url);
        let signature = audit::hex(&self.key.sign(&signed(path, checkpoint, &body)).to_bytes());
        let res = client
            .post(format!("{}{path}", url.trim_end_matches('/')))
            .header(NODE, me)
            .header(SIGNATURE, signature)
            .header(CHECKPOINT, checkpoint)
            .body(body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = res.status();
        let their_signature = res
            .headers()
            .get(SIGNATURE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = res.bytes().await.map_err(unreachable)?;
        if !status.is_success() {
            return Err(AppError::Internal(format!(
                "le nœud régional refuse ({status}) : {}",
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )));
        }
        if !verify(
            &self.regional_key,
            &signed(path, "", &bytes),
            &their_signature,
        ) {
            return Err(AppError::Internal(
                "réponse du nœud régional non signée par la clé épinglée (altérée en route ?)"
                    .into(),
            ));
        }
        Ok(bytes.to_vec())
    }
}

/// This post's audit checkpoint, signed.
async fn checkpoint(state: &AppState, me: &str) -> AppResult<String> {
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&state.db)
            .await?;
    let (count, head) = head.unwrap_or((0, audit::GENESIS.to_string()));
    let c = ::sync::Checkpoint {
        node: me.to_string(),
        count: u64::try_from(count).unwrap_or(0),
        head,
    };
    let key = crate::node_key::signing_key(&state.db, &state.config.node_key).await?;
    let signature = audit::hex(&key.sign(&c.signed_bytes()).to_bytes());
    Ok(serde_json::json!({"count": c.count, "head": c.head, "signature": signature}).to_string())
}

/// One exchange with the regional node: this post's changes go up until the regional node
/// holds them all, then its share of the regional stream comes down.
pub async fn sync_once(state: &AppState) -> AppResult<Report> {
    let (me, regional_id, regional_key, url) = pinned_regional(state).await?;
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(15))
        .timeout(std::time::Duration::from_secs(300))
        .build()
        .map_err(unreachable)?;
    let link = Link {
        client,
        me: me.id.clone(),
        regional: regional_id.clone(),
        url,
        regional_key,
        key: crate::node_key::signing_key(&state.db, &state.config.node_key).await?,
    };
    let result = exchange(state, &link).await;
    let mut tx = db::begin_write(&state.db).await?;
    let (contact, error) = match &result {
        Ok(_) => (Some(db::now_text()), None),
        Err(e) => (None, Some(e.to_string())),
    };
    sqlx::query(
        "UPDATE nodes SET last_contact = COALESCE(?, last_contact), last_error = ? WHERE node_id = ?",
    )
    .bind(contact)
    .bind(error)
    .bind(&regional_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    result
}

async fn exchange(state: &AppState, link: &Link) -> AppResult<Report> {
    let mut report = Report::default();
    upload_keys(state, link).await?;
    push_all(state, link, &mut report).await?;
    pull_all(state, link, &mut report).await?;
    report.lists = lists(state, link).await?;
    if report.lists > 0 {
        // Taking a version wrote this post's audit entries: up they go too.
        push_all(state, link, &mut report).await?;
    }
    if report.received > 0 || report.lists > 0 {
        crate::screening::refresh_index(state).await?;
    }
    Ok(report)
}

/// This post's changes up, until the regional node holds them all.
async fn push_all(state: &AppState, link: &Link, report: &mut Report) -> AppResult<()> {
    let me = &link.me;
    let mut rewinds = 0;
    loop {
        let after = apply::cursor(&state.db, SENT).await?;
        let batch = apply::own_batch(&state.db, me, after, apply::BATCH_CHANGES).await?;
        let checkpoint = checkpoint(state, me).await?;
        let body = gzip(&::sync::encode(&batch));
        let bytes = link.send("/sync/push", &checkpoint, body).await?;
        let answer: PushAnswer = serde_json::from_slice(&bytes)
            .map_err(|e| AppError::Internal(format!("réponse illisible : {e}")))?;
        report.conflicts += answer.conflicts;
        report.skew_ms = report.skew_ms.max(answer.skew_ms);
        report.audit_broken = answer.audit_broken.or(report.audit_broken.take());
        report.sent_upto = answer.applied;
        // The regional node holds more of this post's stream than the post itself: the post's
        // database was restored from a backup, and its new changes would reuse numbers the
        // regional node already holds (and be taken for replays). Stop before anything is
        // lost: the post is enrolled again under a new id (docs/sync.md).
        let own = super::capture::own_last(&state.db, me).await?;
        if answer.applied > own {
            return Err(AppError::Internal(format!(
                "le nœud régional tient {} changements de ce poste, qui n'en a que {own} : base \
                 restaurée d'une sauvegarde ? Enrôlez ce poste à nouveau (parsec node enrol --again).",
                answer.applied
            )));
        }
        // Exactly where the regional node stands, even behind us: a regional node restored
        // from a backup lost what came after it, and gets it again.
        sqlx::query(
            "INSERT INTO sync_cursors (stream, applied) VALUES (?, ?)
             ON CONFLICT (stream) DO UPDATE SET applied = excluded.applied",
        )
        .bind(SENT)
        .bind(i64::try_from(answer.applied).unwrap_or(i64::MAX))
        .execute(&state.db)
        .await?;
        if answer.applied < after {
            rewinds += 1;
            if rewinds > 3 {
                return Err(AppError::Internal(
                    "le nœud régional recule sans cesse : échange arrêté".into(),
                ));
            }
        } else if batch.changes.is_empty() {
            break;
        } else if answer.applied < batch.last() {
            return Err(AppError::Internal(format!(
                "le nœud régional n'a pris que jusqu'à {} sur {}",
                answer.applied,
                batch.last()
            )));
        }
    }
    Ok(())
}

/// This post's share of the regional stream down, to its end.
async fn pull_all(state: &AppState, link: &Link, report: &mut Report) -> AppResult<()> {
    let me = &link.me;
    loop {
        let after = apply::cursor(&state.db, "regional").await?;
        let body = serde_json::to_vec(&PullRequest { after })
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let bytes = link.send("/sync/pull", "", body).await?;
        let unpacked =
            gunzip(&bytes).ok_or_else(|| AppError::Internal("lot illisible (gzip)".into()))?;
        let batch = ::sync::decode(&unpacked, MAX_BATCH_BYTES)
            .map_err(|e| AppError::Internal(format!("lot refusé : {e}")))?;
        let end = batch.end();
        let mut tx = db::begin_write(&state.db).await?;
        if let ::sync::Placement::Apply(changes) = ::sync::place(after, batch) {
            let done = apply::apply(&mut tx, me, changes).await?;
            report.received += done.applied;
            report.conflicts += done.conflicts;
            apply::set_cursor(&mut tx, "regional", end).await?;
        }
        tx.commit().await?;
        if end <= after {
            break;
        }
    }
    Ok(())
}

/// On a post, from `serve`: an exchange every `minutes`; a failure (no link) is recorded and
/// the next attempt comes at the next turn.
pub async fn every(state: AppState, minutes: u64) {
    let is_post = matches!(super::identity(&state.db).await, Ok(Some(me)) if me.role == Role::Post);
    if !is_post {
        return;
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(minutes.max(1) * 60));
    loop {
        tick.tick().await;
        match sync_once(&state).await {
            Ok(r) => tracing::info!(sent_upto = r.sent_upto, received = r.received, "sync done"),
            Err(e) => tracing::warn!(error = %e, "sync failed"),
        }
    }
}

/// A signed, gzipped JSON answer, read.
async fn ask<T: serde::de::DeserializeOwned>(
    link: &Link,
    path: &str,
    request: &impl Serialize,
) -> AppResult<T> {
    let body = serde_json::to_vec(request).map_err(|e| AppError::Internal(e.to_string()))?;
    let bytes = link.send(path, "", body).await?;
    let json =
        gunzip(&bytes).ok_or_else(|| AppError::Internal("réponse illisible (gzip)".into()))?;
    serde_json::from_slice(&json)
        .map_err(|e| AppError::Internal(format!("réponse illisible : {e}")))
}

/// The watchlist versions this post does not hold: fetched, verified, put in force.
async fn lists(state: &AppState, link: &Link) -> AppResult<u64> {
    use super::lists::{Offer, PageRequest, Wire};
    let held = super::lists::held(&state.db).await?;
    let offers: Vec<Offer> = ask(link, "/sync/lists", &held).await?;
    let mut taken = 0;
    for offer in offers {
        let mut new_entries: Vec<Wire> = Vec::new();
        loop {
            let req = PageRequest {
                list: offer.id.clone(),
                base: offer.base.clone(),
                after: new_entries.last().map(|w| w.id.clone()).unwrap_or_default(),
            };
            let page: Vec<Wire> = ask(link, "/sync/lists/page", &req).await?;
            if page.is_empty() {
                break;
            }
            new_entries.extend(page);
        }
        super::lists::take(state, &offer, new_entries).await?;
        taken += 1;
    }
    Ok(taken)
}
