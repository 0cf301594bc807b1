//! The keys that seal personal data at rest (docs/encryption.md; the reasoning in
//! docs/encryption-design.md).
//!
//! Two levels. The *master key* (32 random bytes) lives outside the database: in the
//! environment (`PARSEC_DATA_KEY`, 64 hex), or in a key file (`PARSEC_DATA_KEY_FILE`, else the
//! database's name followed by `.datakey`, mode 0600, made with a new database). It only wraps
//! the node's *data keys*, kept sealed in the `data_keys` table; a data key seals the personal
//! fields (`fieldcrypt`). So a stolen database file, or a backup, shows no name without the key
//! file, and rotating the master key rewraps a few rows instead of every record.
//!
//! Each node seals with its own current data key; the value names the key's version (`kid`).
//! A post uploads its keys to the regional node through the signed exchange (`sync`), which
//! then reads what the post sealed; no key ever goes down to a post.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use fieldcrypt::{DataKey, Place};

mod rotation;
mod sealing;
mod transport;

pub use rotation::{KeyStatus, destroy, pending_path, replace_master, rotate, status};
pub use sealing::{Resealed, SEALED, is_sealed, reseal, scrub, seal_clear, uses};
pub use transport::{open_from_transport, seal_for_transport, to_upload, transport_key, uploaded};

use crate::config::Config;
use crate::db::{self, Db, Tx};
use crate::error::{AppError, AppResult};
use crate::node_key::{hex, unhex32};

/// Where the master key of the database at `db_path` is kept by default.
pub fn default_path(db_path: &Path) -> PathBuf {
    let mut p = db_path.as_os_str().to_owned();
    p.push(".datakey");
    PathBuf::from(p)
}

/// The SQL condition that keeps this node's own data keys (not those posts uploaded): owned by
/// its id, or by '' when made before it had one.
const OWN: &str = "(owner = '' OR owner = (SELECT COALESCE((SELECT value FROM meta
                   WHERE key = 'node_id'), '')))";

/// The `meta` entry naming the master key a database was sealed under (its fingerprint).
const MASTER_META: &str = "master_key_id";

/// Shown in place of a value sealed under a key this node does not hold (normal on the
/// regional node until the post's key has come up) or that does not open (altered).
pub const UNREADABLE: &str = "[illisible]";

/// Where the master key comes from.
#[derive(Debug, Clone)]
pub enum MasterSource {
    /// `PARSEC_DATA_KEY`: the key itself, 64 hex.
    Value(crate::config::Secret),
    File(PathBuf),
}

impl MasterSource {
    /// The environment's choice, else the file beside the database.
    pub fn from_env(db_path: &Path) -> MasterSource {
        if let Ok(v) = std::env::var("PARSEC_DATA_KEY")
            && !v.trim().is_empty()
        {
            return MasterSource::Value(crate::config::Secret(v));
        }
        match std::env::var("PARSEC_DATA_KEY_FILE") {
            Ok(p) if !p.trim().is_empty() => MasterSource::File(PathBuf::from(p)),
            _ => MasterSource::File(default_path(db_path)),
        }
    }
}

struct Held {
    current: DataKey,
    all: Vec<DataKey>,
}

/// The data keys of one database, unwrapped in memory.
pub struct Keyring {
    master: DataKey,
    master_id: String,
    held: RwLock<Held>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keyring({}, …)", self.master_id)
    }
}

pub(crate) fn random<const N: usize>() -> AppResult<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(b)
}

/// The master key as a `fieldcrypt` key (version 0: it only wraps data keys).
fn master_key(secret: [u8; 32]) -> DataKey {
    DataKey::new(0, secret)
}

/// The fingerprint of a master key: names it in messages and in `meta`, reveals nothing of it.
fn fingerprint(master: &DataKey) -> String {
    master.tag("master-id", "parsec")[..8].to_string()
}

fn wrap_place(kid: u32) -> String {
    kid.to_string()
}

fn missing(path: &Path, id: &str) -> AppError {
    AppError::Internal(format!(
        "Clé des données personnelles introuvable : ni le fichier {} ni la variable \
         PARSEC_DATA_KEY. Cette base a été chiffrée avec la clé d'empreinte {id} ; sans elle, les \
         noms et documents qu'elle contient sont illisibles. Remettez le fichier de clé (la copie \
         gardée à part de la base) ou indiquez-le avec PARSEC_DATA_KEY_FILE, puis relancez.",
        path.display()
    ))
}

/// Reads the master key; a new database (no fingerprint in `meta` yet) gets a new key file.
fn read_master(source: &MasterSource, known: Option<&str>) -> AppResult<[u8; 32]> {
    match source {
        MasterSource::Value(secret) => unhex32(&secret.0).ok_or_else(|| {
            AppError::Internal(
                "PARSEC_DATA_KEY doit tenir 64 caractères hexadécimaux (32 octets)".into(),
            )
        }),
        MasterSource::File(path) => match std::fs::read_to_string(path) {
            Ok(text) => unhex32(&text).ok_or_else(|| {
                AppError::Internal(format!(
                    "fichier de clé {} : il doit tenir 64 caractères hexadécimaux",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match known {
                Some(id) => Err(missing(path, id)),
                None => {
                    let secret = random::<32>()?;
                    let mut f = db::create_private(path).map_err(|e| {
                        AppError::Internal(format!("fichier de clé {} : {e}", path.display()))
                    })?;
                    use std::io::Write;
                    writeln!(f, "{}", hex(&secret))
                        .and_then(|()| f.sync_all())
                        .map_err(|e| {
                            AppError::Internal(format!("fichier de clé {} : {e}", path.display()))
                        })?;
                    Ok(secret)
                }
            },
            Err(e) => Err(AppError::Internal(format!(
                "fichier de clé {} : {e}",
                path.display()
            ))),
        },
    }
}

impl Keyring {
    /// The keyring of a database: its master key checked against the one it was sealed
    /// under, its data keys unwrapped, and a first data key made for a new database. A missing
    /// or wrong master key refuses the start: nothing could be read or written correctly.
    pub async fn load(db: &Db, config: &Config) -> AppResult<Keyring> {
        let known = db::meta(db, MASTER_META).await?;
        let mut secret = read_master(&config.data_key, known.as_deref())?;
        // A master key replaced up to its commit but not yet renamed into place: finish.
        if let (MasterSource::File(file), Some(k)) = (&config.data_key, &known) {
            let pending = pending_path(file);
            let new = std::fs::read_to_string(&pending)
                .ok()
                .and_then(|t| unhex32(&t));
            if let Some(new) = new
                && fingerprint(&master_key(new)) == *k
                && fingerprint(&master_key(secret)) != *k
            {
                std::fs::rename(&pending, file)
                    .map_err(|e| AppError::Internal(format!("{} : {e}", file.display())))?;
                secret = new;
            }
        }
        let master = master_key(secret);
        let id = fingerprint(&master);
        match &known {
            Some(k) if *k != id => {
                return Err(AppError::Internal(format!(
                    "La clé des données personnelles fournie (empreinte {id}) n'est pas celle de \
                     cette base (empreinte {k})."
                )));
            }
            Some(_) => {}
            None => {
                let mut tx = db::begin_write(db).await?;
                db::set_meta(&mut tx, MASTER_META, &id).await?;
                tx.commit().await?;
            }
        }
        // Read first, without a lock: a command run beside a busy server (a backup) must not
        // wait for the write lock; only a database without its key yet takes it.
        const KEYS: &str = "SELECT kid, state, wrapped FROM data_keys ORDER BY created_at";
        let mut rows: Vec<(i64, String, String)> = sqlx::query_as(KEYS).fetch_all(db).await?;
        if !rows.iter().any(|(_, s, _)| s == "current") {
            let mut tx = db::begin_write(db).await?;
            rows = sqlx::query_as(KEYS).fetch_all(&mut *tx).await?;
            if !rows.iter().any(|(_, s, _)| s == "current") {
                let (kid, wrapped) = new_wrapped(&master)?;
                insert_current(&mut tx, kid, &wrapped).await?;
                rows.push((i64::from(kid), "current".into(), wrapped));
            }
            tx.commit().await?;
        }
        let mut all = Vec::new();
        let mut current = None;
        for (kid, state, wrapped) in rows {
            let key = unwrap(&master, kid, &wrapped)?;
            if state == "current" && current.is_none() {
                current = Some(key.clone());
            }
            all.push(key);
        }
        let current = current.ok_or_else(|| AppError::Internal("no current data key".into()))?;
        Ok(Keyring {
            master,
            master_id: id,
            held: RwLock::new(Held { current, all }),
        })
    }

    /// The master key's fingerprint.
    pub fn master_id(&self) -> &str {
        &self.master_id
    }

    fn with<T>(&self, f: impl FnOnce(&Held) -> T) -> T {
        let held = self.held.read().unwrap_or_else(|e| e.into_inner());
        f(&held)
    }

    /// Seals a value for its place under the current key; `''` stays `''` (nothing to hide,
    /// and the forms' "empty" checks keep working).
    pub fn seal(&self, table: &str, column: &str, row: &str, value: &str) -> String {
        if value.is_empty() {
            return String::new();
        }
        let nonce = random::<{ fieldcrypt::NONCE_LEN }>().unwrap_or_else(|_| {
            // getrandom only fails where the OS has no random source: parsec cannot run there.
            panic!("no random source for a nonce")
        });
        self.with(|h| h.current.seal(Place { table, column, row }, value, nonce))
    }

    pub fn seal_opt(
        &self,
        table: &str,
        column: &str,
        row: &str,
        value: Option<&str>,
    ) -> Option<String> {
        value.map(|v| self.seal(table, column, row, v))
    }

    /// The clear value of a stored one. A value stored before sealing (no `enc1:` prefix)
    /// is given as it is; one under an absent key, or altered, reads `[illisible]` (and is
    /// logged) rather than failing the page.
    pub fn open(&self, table: &str, column: &str, row: &str, stored: &str) -> String {
        if !stored.starts_with(fieldcrypt::PREFIX) {
            return stored.to_string();
        }
        match self.with(|h| fieldcrypt::open(&h.all, Place { table, column, row }, stored)) {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(table, column, row, "sealed value unreadable: {e}");
                UNREADABLE.to_string()
            }
        }
    }

    /// Opens a sealed value, or says why it does not open.
    pub fn try_open(
        &self,
        table: &str,
        column: &str,
        row: &str,
        stored: &str,
    ) -> Result<String, fieldcrypt::Error> {
        self.with(|h| fieldcrypt::open(&h.all, Place { table, column, row }, stored))
    }

    pub fn open_opt(
        &self,
        table: &str,
        column: &str,
        row: &str,
        stored: Option<&str>,
    ) -> Option<String> {
        stored.map(|v| self.open(table, column, row, v))
    }

    /// Opens in place.
    pub fn open_in(&self, table: &str, column: &str, row: &str, value: &mut String) {
        if value.starts_with(fieldcrypt::PREFIX) {
            *value = self.open(table, column, row, value);
        }
    }

    pub fn open_opt_in(&self, table: &str, column: &str, row: &str, value: &mut Option<String>) {
        if let Some(v) = value {
            self.open_in(table, column, row, v);
        }
    }

    /// The tags of a name's words under the current key, space-separated (what is stored).
    /// A word with an apostrophe is also tagged by its parts: N'Diaye is found by `Diaye`.
    pub fn name_keys(&self, names: &[&str]) -> String {
        let text = names.join(" ");
        let mut words = name_words(&text);
        if text.contains(['\'', '’']) {
            words.extend(name_words(&text.replace(['\'', '’'], " ")));
        }

        self.with(|h| {
            // Sorted by tag: the order says nothing of the words'.
            let mut tags: Vec<String> = words.iter().map(|w| h.current.tag("name", w)).collect();
            tags.sort();
            tags.dedup();
            tags.join(" ")
        })
    }

    /// A document number's tag under the current key (`''` for no number).
    pub fn document_tag(&self, number: &str) -> String {
        let n = document_term(number);
        if n.is_empty() {
            return String::new();
        }
        self.with(|h| h.current.tag("document", &n))
    }

    /// A document number's tags under every key held: a search finds what any node sealed.
    pub fn document_tags(&self, number: &str) -> Vec<String> {
        let n = document_term(number);
        self.with(|h| h.all.iter().map(|k| k.tag("document", &n)).collect())
    }

    /// A keyed fingerprint of some text (a form's content), so that equal forms are known
    /// equal without the text being readable from it.
    pub fn digest(&self, text: &str) -> String {
        self.with(|h| h.current.tag("fingerprint", text))
    }

    /// A tag for an audit entry's detail (a searched name, a number): the inspector finds the
    /// entries that named a person by computing the same tags; the log never holds the text.
    pub fn audit_tag(&self, kind: &str, text: &str) -> String {
        self.with(|h| h.current.tag(&format!("audit tag {kind}"), text))
    }

    /// The same, under every key held.
    pub fn audit_tags(&self, kind: &str, text: &str) -> Vec<String> {
        self.with(|h| {
            h.all
                .iter()
                .map(|k| k.tag(&format!("audit tag {kind}"), text))
                .collect()
        })
    }

    /// The full-text query that finds the crossings whose names or document number hold every
    /// typed word (by spelling, whole words), under every key held; None for nothing typed.
    pub fn search_query(&self, typed: &str) -> Option<String> {
        self.tag_query(typed, " AND ")
    }

    /// The same, for the crossings that hold any of the words (the inspector's candidates,
    /// which the screening engine then judges whole).
    pub fn any_word_query(&self, typed: &str) -> Option<String> {
        self.tag_query(typed, " OR ")
    }

    fn tag_query(&self, typed: &str, joiner: &str) -> Option<String> {
        let words: Vec<(String, String)> = typed
            .split_whitespace()
            .take(8)
            .map(|w| {
                let name = name_words(w).into_iter().next().unwrap_or_default();
                (name, document_term(w))
            })
            .filter(|(n, d)| !n.is_empty() || !d.is_empty())
            .collect();
        if words.is_empty() {
            return None;
        }
        let clauses: Vec<String> = self.with(|h| {
            words
                .iter()
                .map(|(name, doc)| {
                    let mut alts = Vec::new();
                    for k in &h.all {
                        if !name.is_empty() {
                            alts.push(format!("\"{}\"", k.tag("name", name)));
                        }
                        if !doc.is_empty() {
                            alts.push(format!("\"{}\"", k.tag("document", doc)));
                        }
                    }
                    format!("({})", alts.join(" OR "))
                })
                .collect()
        });
        Some(clauses.join(joiner))
    }

    /// The kids this node holds, and whether each is the current one.
    pub fn kids(&self) -> Vec<(u32, bool)> {
        self.with(|h| {
            h.all
                .iter()
                .map(|k| (k.kid, k.kid == h.current.kid))
                .collect()
        })
    }

    /// The secrets (hex) of the held keys among `kids`, to carry them to the regional node.
    fn secrets(&self, kids: &[i64]) -> Vec<(u32, String)> {
        self.with(|h| {
            h.all
                .iter()
                .filter(|k| kids.contains(&i64::from(k.kid)))
                .map(|k| (k.kid, hex(&k.secret())))
                .collect()
        })
    }

    /// Makes a new key of this node the current one (after `rotate` stored it).
    fn make_current(&self, key: DataKey) {
        let mut held = self.held.write().unwrap_or_else(|e| e.into_inner());
        held.all.push(key.clone());
        held.current = key;
    }

    /// Forgets a destroyed key.
    fn forget(&self, kid: u32) {
        let mut held = self.held.write().unwrap_or_else(|e| e.into_inner());
        held.all.retain(|k| k.kid != kid);
    }

    /// Adds a data key that another node (a post) uploaded, already stored in `data_keys`.
    pub fn hold(&self, key: DataKey) {
        let mut held = self.held.write().unwrap_or_else(|e| e.into_inner());
        if !held.all.iter().any(|k| k.kid == key.kid) {
            held.all.push(key);
        }
    }
}

/// A new data key, and it wrapped under the master key.
fn new_wrapped(master: &DataKey) -> AppResult<(u32, String)> {
    let secret = random::<32>()?;
    // A random version: nodes make keys on their own, and a clash is checked where keys meet.
    let kid = u32::from_le_bytes(random::<4>()?).max(1);
    Ok((kid, wrap(master, kid, &secret)?))
}

/// Stores a new data key of this node as its current one.
async fn insert_current(tx: &mut Tx, kid: u32, wrapped: &str) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO data_keys (kid, owner, state, created_at, wrapped)
         VALUES (?, (SELECT COALESCE((SELECT value FROM meta WHERE key = 'node_id'), '')),
         'current', ?, ?)",
    )
    .bind(i64::from(kid))
    .bind(db::now_text())
    .bind(wrapped)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A data key sealed under a master key, bound to its version.
fn wrap(master: &DataKey, kid: u32, secret: &[u8; 32]) -> AppResult<String> {
    Ok(master.seal(
        Place {
            table: "data_keys",
            column: "wrapped",
            row: &wrap_place(kid),
        },
        &hex(secret),
        random()?,
    ))
}

fn unwrap(master: &DataKey, kid: i64, wrapped: &str) -> AppResult<DataKey> {
    let kid = u32::try_from(kid).map_err(|_| AppError::Internal("bad data key id".into()))?;
    let hexed = fieldcrypt::open(
        std::slice::from_ref(master),
        Place {
            table: "data_keys",
            column: "wrapped",
            row: &wrap_place(kid),
        },
        wrapped,
    )
    .map_err(|e| AppError::Internal(format!("clé de données {kid} : {e}")))?;
    let secret = unhex32(&hexed).ok_or_else(|| AppError::Internal("bad data key".into()))?;
    Ok(DataKey::new(kid, secret))
}

/// The words of a name as the tags take them: folded, then by spelling key (Traoré, TRAORE
/// and Traore are one word; Coulibaly and Kulibali too).
pub fn name_words(text: &str) -> Vec<String> {
    namematch::normalize::fold(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(namematch::normalize::spell_key)
        .filter(|w| !w.is_empty())
        .collect()
}

/// A document number as its tag takes it: capitals, letters and digits only.
pub fn document_term(number: &str) -> String {
    number
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A data key made by another node, as its secret in hex, stored wrapped under this node's
/// master key (the regional node keeps the posts' keys). Refused if the kid is already held
/// with another secret.
pub async fn store_uploaded(
    tx: &mut Tx,
    keyring: &Keyring,
    owner: &str,
    kid: u32,
    secret_hex: &str,
) -> AppResult<bool> {
    let secret = unhex32(secret_hex).ok_or_else(|| AppError::Internal("bad data key".into()))?;
    let master = &keyring.master;
    let wrapped: Option<String> = sqlx::query_scalar("SELECT wrapped FROM data_keys WHERE kid = ?")
        .bind(i64::from(kid))
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(w) = wrapped {
        if unwrap(master, i64::from(kid), &w)?.secret() != secret {
            return Err(AppError::Internal(format!(
                "clé de données {kid} déjà tenue, avec un autre secret"
            )));
        }
        return Ok(false);
    }
    let wrapped = wrap(master, kid, &secret)?;
    sqlx::query(
        "INSERT INTO data_keys (kid, owner, state, created_at, wrapped) VALUES (?, ?, 'retired', ?, ?)",
    )
    .bind(i64::from(kid))
    .bind(owner)
    .bind(db::now_text())
    .bind(wrapped)
    .execute(&mut **tx)
    .await?;
    keyring.hold(DataKey::new(kid, secret));
    Ok(true)
}
