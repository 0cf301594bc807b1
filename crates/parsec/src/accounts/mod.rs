//! User accounts, sessions, API tokens and login throttling.
//!
//! Passwords are Argon2id PHC strings. Sessions and API tokens are random 256-bit values of
//! which only the SHA-256 is stored. Every change to an account, every login, failed login,
//! refused login and logout is an audit entry written in the same transaction.

pub mod roles;
pub mod throttle;
pub mod web;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use sqlx::AssertSqlSafe;
use sqlx::FromRow;

use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
pub use roles::{Permission, Role};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub lang: String,
    pub disabled: bool,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub lang: String,
    pub disabled: bool,
    pub created_at: String,
}

impl TryFrom<UserRow> for User {
    type Error = AppError;
    fn try_from(r: UserRow) -> AppResult<User> {
        let role = Role::parse(&r.role)
            .ok_or_else(|| AppError::Internal(format!("unknown role {}", r.role)))?;
        Ok(User {
            id: r.id,
            login: r.login,
            display_name: r.display_name,
            role,
            unit_id: r.unit_id,
            lang: r.lang,
            disabled: r.disabled,
            created_at: r.created_at,
        })
    }
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor(self.login.clone())
    }

    pub fn can(&self, p: Permission) -> bool {
        roles::allows(self.role, p)
    }
}

/// Which units' records a user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Units(Vec<String>),
}

impl Scope {
    pub fn allows_unit(&self, unit_id: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Units(ids) => ids.iter().any(|i| i == unit_id),
        }
    }

    /// The scope as a JSON array for `… IN (SELECT value FROM json_each(?))`, or `None` for all.
    pub fn as_json(&self) -> Option<String> {
        match self {
            Scope::All => None,
            Scope::Units(ids) => Some(serde_json::Value::from(ids.clone()).to_string()),
        }
    }
}

/// A login name: 2 to 40 lower-case letters, digits, `.`, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login(String);

impl Login {
    pub fn parse(s: &str) -> AppResult<Login> {
        let s = s.trim().to_lowercase();
        let ok = (2..=40).contains(&s.chars().count())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
        if ok {
            Ok(Login(s))
        } else {
            Err(AppError::invalid("login", "error-login-format"))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password that meets the policy (at least 10 characters). Redacted in `Debug`.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(s: &str) -> AppResult<NewPassword> {
        if s.chars().count() < 10 {
            return Err(AppError::invalid("password", "error-password-short"));
        }
        if s.len() > 1024 {
            return Err(AppError::invalid("password", "error-password-long"));
        }
        Ok(NewPassword(s.to_string()))
    }

    /// The demo accounts' password, which is below the policy on purpose and only ever made by
    /// `parsec demo`.
    pub(crate) fn demo() -> NewPassword {
        NewPassword("demo".to_string())
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

/// Hashes off the async threads; at most two at a time so a burst of logins cannot exhaust
/// memory (each Argon2id hash takes 19 MiB).
pub async fn hash_password(state: &AppState, pw: &NewPassword) -> AppResult<String> {
    let _permit = state
        .hashing
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let pw = pw.0.clone();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("argon2: {e}")))
    })
    .await?
}

async fn verify_password(state: &AppState, hash: String, pw: String) -> AppResult<bool> {
    let _permit = state
        .hashing
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || match PasswordHash::new(&hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(pw.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .map_err(AppError::from)
}

/// A random 256-bit token, hex.
pub fn random_token() -> AppResult<String> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(audit::hex(&buf))
}

pub fn token_hash(token: &str) -> String {
    audit::hex(&Sha256::digest(token.as_bytes()))
}

const USER_COLUMNS: &str = "id, login, display_name, role, unit_id, lang, disabled, created_at";

pub async fn find_by_login(db: &Db, login: &str) -> AppResult<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE login = ?"
    )))
    .bind(login)
    .fetch_optional(db)
    .await?;
    row.map(User::try_from).transpose()
}

pub async fn get_user(db: &Db, id: &str) -> AppResult<User> {
    let row: Option<UserRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.map(User::try_from)
        .transpose()?
        .ok_or(AppError::NotFound)
}

pub async fn list_users(db: &Db) -> AppResult<Vec<User>> {
    let rows: Vec<UserRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY login"
    )))
    .fetch_all(db)
    .await?;
    rows.into_iter().map(User::try_from).collect()
}

/// How many accounts there are (a count, not personal data).
pub async fn count_users(db: &Db) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await?)
}

/// True once an administrator account exists (made by `init` or `demo`).
pub async fn is_initialised(db: &Db) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'")
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

#[derive(Debug)]
pub struct NewUser {
    pub login: Login,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<String>,
}

pub fn parse_display_name(s: &str) -> AppResult<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 100 {
        return Err(AppError::invalid("display_name", "error-required-100"));
    }
    Ok(s.to_string())
}

async fn check_unit(db: &Db, role: Role, unit_id: &Option<String>) -> AppResult<()> {
    match unit_id {
        Some(id) => {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE id = ?")
                .bind(id)
                .fetch_one(db)
                .await?;
            if n == 0 {
                return Err(AppError::invalid("unit_id", "error-unknown-unit"));
            }
        }
        None if role.is_unit_scoped() => {
            return Err(AppError::invalid("unit_id", "error-unit-required"));
        }
        None => {}
    }
    Ok(())
}

pub async fn create_user(
    state: &AppState,
    actor: &Actor,
    new: NewUser,
    password: &NewPassword,
) -> AppResult<String> {
    check_unit(&state.db, new.role, &new.unit_id).await?;
    let hash = hash_password(state, password).await?;
    let id = db::new_id();
    let now = db::now_text();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO users (id, login, display_name, role, unit_id, password_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(new.login.as_str())
    .bind(&new.display_name)
    .bind(new.role.code())
    .bind(&new.unit_id)
    .bind(&hash)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await
    .map_err(db::taken("login", "error-login-taken"))?;
    let detail = format!("login={} role={}", new.login.as_str(), new.role.code());
    audit::append(&mut tx, actor, "create", "user", &id, &detail).await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug)]
pub struct UserEdit {
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub disabled: bool,
}

/// Ends a user's sessions, and with `revoke_tokens` their API tokens too.
async fn end_access(tx: &mut db::Tx, id: &str, revoke_tokens: bool) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = ?")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if revoke_tokens {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        )
        .bind(db::now_text())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Changes an account (and its password when one is given) in one transaction. A change of
/// role, unit, status or password ends the user's sessions: they log in again with the new
/// rights; disabling or a new password also revokes their API tokens (a token made by whoever
/// knew the old password must not outlive it). A new display name alone ends nothing.
pub async fn update_user(
    state: &AppState,
    actor: &Actor,
    id: &str,
    edit: UserEdit,
    password: Option<&NewPassword>,
) -> AppResult<()> {
    check_unit(&state.db, edit.role, &edit.unit_id).await?;
    let hash = match password {
        Some(pw) => Some(hash_password(state, pw).await?),
        None => None,
    };
    let mut tx = db::begin_write(&state.db).await?;
    let before: Option<(String, Option<String>, bool)> =
        sqlx::query_as("SELECT role, unit_id, disabled FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let (role, unit_id, disabled) = before.ok_or(AppError::NotFound)?;
    sqlx::query(
        "UPDATE users SET display_name = ?, role = ?, unit_id = ?, disabled = ?,
         password_hash = COALESCE(?, password_hash), updated_at = ? WHERE id = ?",
    )
    .bind(&edit.display_name)
    .bind(edit.role.code())
    .bind(&edit.unit_id)
    .bind(edit.disabled)
    .bind(&hash)
    .bind(db::now_text())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let rights_changed =
        role != edit.role.code() || unit_id != edit.unit_id || disabled != edit.disabled;
    if rights_changed || hash.is_some() {
        end_access(&mut tx, id, edit.disabled || hash.is_some()).await?;
    }
    let detail = format!(
        "role={} unit={} disabled={}{}",
        edit.role.code(),
        edit.unit_id.as_deref().unwrap_or("-"),
        edit.disabled,
        if hash.is_some() {
            " password=changed"
        } else {
            ""
        }
    );
    audit::append(&mut tx, actor, "update", "user", id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a user's password, ends all their sessions and revokes their API tokens.
pub async fn set_password(
    state: &AppState,
    actor: &Actor,
    id: &str,
    pw: &NewPassword,
) -> AppResult<()> {
    let hash = hash_password(state, pw).await?;
    let mut tx = db::begin_write(&state.db).await?;
    let n = sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
        .bind(&hash)
        .bind(db::now_text())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    end_access(&mut tx, id, true).await?;
    audit::append(&mut tx, actor, "password", "user", id, "").await?;
    tx.commit().await?;
    Ok(())
}

/// Disables (or enables again) an account; disabling ends its sessions and revokes its tokens.
pub async fn set_disabled(
    state: &AppState,
    actor: &Actor,
    id: &str,
    disabled: bool,
) -> AppResult<()> {
    let mut tx = db::begin_write(&state.db).await?;
    let n = sqlx::query("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?")
        .bind(disabled)
        .bind(db::now_text())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    end_access(&mut tx, id, disabled).await?;
    let action = if disabled { "disable" } else { "enable" };
    audit::append(&mut tx, actor, action, "user", id, "").await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_lang(state: &AppState, user: &User, lang: &str) -> AppResult<()> {
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query("UPDATE users SET lang = ?, updated_at = ? WHERE id = ?")
        .bind(lang)
        .bind(db::now_text())
        .bind(&user.id)
        .execute(&mut *tx)
        .await?;
    audit::append(&mut tx, &user.actor(), "set_lang", "user", &user.id, lang).await?;
    tx.commit().await?;
    Ok(())
}

/// The units a user sees: all for region-wide roles; the own unit and every unit below it for
/// unit-scoped roles (none at all when such a user has no unit).
pub async fn scope_of(db: &Db, user: &User) -> AppResult<Scope> {
    if !user.role.is_unit_scoped() {
        return Ok(Scope::All);
    }
    let Some(unit) = &user.unit_id else {
        return Ok(Scope::Units(Vec::new()));
    };
    Ok(Scope::Units(scope_of_unit(db, unit).await?))
}

/// A unit and every unit below it.
pub async fn scope_of_unit(db: &Db, unit: &str) -> AppResult<Vec<String>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)
         SELECT id FROM sub",
    )
    .bind(unit)
    .fetch_all(db)
    .await?;
    Ok(ids)
}

/// A session opened by `login`: the cookie value (shown once) and the CSRF token.
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub user: User,
}

/// The sessions' row as the web layer needs it.
#[derive(Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub token_hash: String,
}

// Tokens never reach a log: their Debug shows only whose session it is.
impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("user", &self.user.login)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user.login)
            .finish_non_exhaustive()
    }
}

/// The name under which a failed attempt is counted and audited: the account's login, or `-`
/// for a login that is no account (an attacker's inventions must not make rows without end).
async fn counted_as(db: &Db, login: &str) -> AppResult<String> {
    let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM users WHERE login = ?")
        .bind(login)
        .fetch_optional(db)
        .await?;
    Ok(if known.is_some() {
        login.to_string()
    } else {
        "-".to_string()
    })
}

/// Checks a login and opens a session, after `throttle::admit` has let the attempt through
/// (per account and address pair: a slowing delay, never a lock caused by someone else).
///
/// The attempt is counted as a failure, in the same write transaction as the check of the
/// limits, before the password is verified, and taken back only if it succeeds: so a burst of
/// parallel guesses cannot slip more than the limit through.
pub async fn login(
    state: &AppState,
    login: &str,
    password: &str,
    address: &str,
) -> AppResult<NewSession> {
    let login = login.trim().to_lowercase();
    let key = counted_as(&state.db, &login).await?;
    throttle::admit(&state.db, &state.config.login_limits, &login, &key, address).await?;

    let stored: Option<(String, String, bool)> =
        sqlx::query_as("SELECT id, password_hash, disabled FROM users WHERE login = ?")
            .bind(&login)
            .fetch_optional(&state.db)
            .await?;
    // An unknown login still costs a hash, so timing does not tell which logins exist.
    let (user_id, hash, disabled) = match stored {
        Some(found) => found,
        None => (String::new(), dummy_hash(state).await?, true),
    };
    let ok = verify_password(state, hash, password.to_string()).await? && !disabled;
    let mut tx = db::begin_write(&state.db).await?;
    if !ok {
        throttle::record(&mut tx, &key, address, "login_failed", db::now()).await?;
        tx.commit().await?;
        return Err(AppError::BadCredentials);
    }
    // The right password takes its attempt back at once, in its own small transaction: if
    // opening the session then fails (a full disk), the server's failure is not the user's.
    throttle::succeeded(&mut tx, &login, address, db::now()).await?;
    tx.commit().await?;
    let mut tx = db::begin_write(&state.db).await?;
    let token = random_token()?;
    let csrf = random_token()?;
    let now = db::now_text();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen) VALUES (?, ?, ?, ?, ?)")
        .bind(token_hash(&token))
        .bind(&user_id)
        .bind(&csrf)
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        &Actor(login.clone()),
        "login",
        "session",
        &user_id,
        address,
    )
    .await?;
    tx.commit().await?;
    let user = get_user(&state.db, &user_id).await?;
    Ok(NewSession { token, csrf, user })
}

/// A hash of a random password, made once, that unknown logins are checked against.
async fn dummy_hash(state: &AppState) -> AppResult<String> {
    state
        .dummy_hash
        .get_or_try_init(|| async {
            let pw = NewPassword(random_token()?);
            hash_password(state, &pw).await
        })
        .await
        .cloned()
}

/// The session behind a cookie value, if it is still valid (not idle too long, not too old,
/// user enabled). Touches `last_seen` at most once a minute.
pub async fn session(state: &AppState, token: &str) -> AppResult<Option<Session>> {
    let hash = token_hash(token);
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT s.user_id, s.csrf_token, s.created_at, s.last_seen FROM sessions s
         JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled = 0",
    )
    .bind(&hash)
    .fetch_optional(&state.db)
    .await?;
    let Some((user_id, csrf, created, last_seen)) = row else {
        return Ok(None);
    };
    let now = db::now();
    let (Some(created), Some(seen)) = (
        db::parse_timestamp(&created),
        db::parse_timestamp(&last_seen),
    ) else {
        return Ok(None);
    };
    let idle =
        time::Duration::try_from(state.config.session_idle).unwrap_or(time::Duration::hours(2));
    let absolute = time::Duration::try_from(state.config.session_absolute)
        .unwrap_or(time::Duration::hours(12));
    if now - seen > idle || now - created > absolute {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(&hash)
            .execute(&state.db)
            .await?;
        return Ok(None);
    }
    if now - seen > time::Duration::minutes(1) {
        sqlx::query("UPDATE sessions SET last_seen = ? WHERE token_hash = ?")
            .bind(db::timestamp(now))
            .bind(&hash)
            .execute(&state.db)
            .await?;
    }
    let user = get_user(&state.db, &user_id).await?;
    Ok(Some(Session {
        user,
        csrf,
        token_hash: hash,
    }))
}

pub async fn logout(state: &AppState, session: &Session) -> AppResult<()> {
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(&session.token_hash)
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        &session.user.actor(),
        "logout",
        "session",
        &session.user.id,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the own password after checking the current one, which is throttled like a login
/// (someone at an open session must not guess it freely); other sessions end, this one stays,
/// and the API tokens are revoked.
pub async fn change_own_password(
    state: &AppState,
    session: &Session,
    current: &str,
    new: &NewPassword,
    address: &str,
) -> AppResult<()> {
    let login = &session.user.login;
    throttle::admit(&state.db, &state.config.login_limits, login, login, address).await?;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?")
        .bind(&session.user.id)
        .fetch_one(&state.db)
        .await?;
    if !verify_password(state, hash, current.to_string()).await? {
        let mut tx = db::begin_write(&state.db).await?;
        throttle::record(&mut tx, login, address, "login_failed", db::now()).await?;
        tx.commit().await?;
        return Err(AppError::invalid("current", "error-current-password"));
    }
    let new_hash = hash_password(state, new).await?;
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
        .bind(&new_hash)
        .bind(db::now_text())
        .bind(&session.user.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?")
        .bind(&session.user.id)
        .bind(&session.token_hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
        .bind(db::now_text())
        .bind(&session.user.id)
        .execute(&mut *tx)
        .await?;
    throttle::succeeded(&mut tx, login, address, db::now()).await?;
    audit::append(
        &mut tx,
        &session.user.actor(),
        "password",
        "user",
        &session.user.id,
        "own",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used: Option<String>,
    pub revoked_at: Option<String>,
}

/// Creates an API token for a machine client acting as `user`; the token is returned once and
/// only its hash is kept.
pub async fn create_token(state: &AppState, user: &User, name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AppError::invalid("name", "error-required-60"));
    }
    let token = format!("parsec_{}", random_token()?);
    let id = db::new_id();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&user.id)
    .bind(name)
    .bind(token_hash(&token))
    .bind(db::now_text())
    .execute(&mut *tx)
    .await?;
    audit::append(&mut tx, &user.actor(), "create", "api_token", &id, name).await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn list_tokens(db: &Db, user: &User) -> AppResult<Vec<ApiToken>> {
    Ok(sqlx::query_as(
        "SELECT id, name, created_at, last_used, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC",
    )
    .bind(&user.id)
    .fetch_all(db)
    .await?)
}

pub async fn revoke_token(state: &AppState, user: &User, id: &str) -> AppResult<()> {
    let mut tx = db::begin_write(&state.db).await?;
    let n = sqlx::query(
        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
    )
    .bind(db::now_text())
    .bind(id)
    .bind(&user.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(&mut tx, &user.actor(), "revoke", "api_token", id, "").await?;
    tx.commit().await?;
    Ok(())
}

/// The user behind a bearer token, if the token is known, not revoked and its user enabled.
pub async fn token_user(state: &AppState, token: &str) -> AppResult<Option<User>> {
    let hash = token_hash(token);
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT t.id, t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0",
    )
    .bind(&hash)
    .fetch_optional(&state.db)
    .await?;
    let Some((token_id, user_id)) = row else {
        return Ok(None);
    };
    sqlx::query("UPDATE api_tokens SET last_used = ? WHERE id = ?")
        .bind(db::now_text())
        .bind(&token_id)
        .execute(&state.db)
        .await?;
    Ok(Some(get_user(&state.db, &user_id).await?))
}
