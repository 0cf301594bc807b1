//! Cross-border exchange packages (schema in `docs/exchange.md`): the flow statistics of a
//! post over a period and the alerts its commandant chose to share, signed with the node's
//! Ed25519 key, for the partner service across the border; and the partners' packages
//! received, verified against the keys this node trusts, whose alerts the agents of the facing
//! post then see. What leaves the node is recorded; every step is audited.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::keyring::Keyring;

/// The format name and version written in every package.
pub const FORMAT: &str = "parsec.border-exchange";
pub const VERSION: u32 = 1;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.trim();
    if s.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A public key given by a partner (64 hexadecimal characters).
pub fn parse_public_key(s: &str) -> AppResult<VerifyingKey> {
    unhex::<32>(s)
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or(AppError::invalid("key", "error-exchange-key"))
}

/// The node's signing key (in its key file, see `node_key`).
pub async fn signing_key(state: &AppState) -> AppResult<SigningKey> {
    crate::node_key::signing_key(&state.db, &state.config.node_key).await
}

/// The node's public key, to give to the partners.
pub async fn public_key(state: &AppState) -> AppResult<String> {
    Ok(hex(signing_key(state).await?.verifying_key().as_bytes()))
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Post {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Period {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, sqlx::FromRow)]
pub struct PeopleFlow {
    pub day: String,
    pub direction: String,
    pub nationality: String,
    pub mode: String,
    pub people: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, sqlx::FromRow)]
pub struct VehicleFlow {
    pub day: String,
    pub direction: String,
    pub kind: String,
    pub vehicles: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, sqlx::FromRow)]
pub struct GoodsFlow {
    pub day: String,
    pub direction: String,
    pub category: String,
    pub quantity_unit: String,
    pub quantity: f64,
    pub value_fcfa: i64,
    pub declarations: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Flows {
    pub people: Vec<PeopleFlow>,
    pub vehicles: Vec<VehicleFlow>,
    pub goods: Vec<GoodsFlow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, sqlx::FromRow)]
pub struct Alert {
    pub id: String,
    /// `personne` or `vehicule`.
    pub kind: String,
    pub name: String,
    pub birth_year: Option<i64>,
    pub nationality: String,
    pub plate: String,
    pub reason: String,
    pub valid_until: String,
}

/// What a package says (the `signed` text of the file, parsed).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Package {
    pub format: String,
    pub version: u32,
    pub package_id: String,
    pub created_at: String,
    pub post: Post,
    pub public_key: String,
    pub period: Period,
    pub flows: Flows,
    pub alerts: Vec<Alert>,
}

/// The file: the package as text, its Ed25519 signature over exactly those bytes, and the
/// signer's public key (which the receiver compares with the key it trusts).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedFile {
    pub signed: String,
    pub signature: String,
    pub public_key: String,
}

fn day(s: &str, field: &'static str) -> AppResult<String> {
    db::day(s)
        .filter(|_| s.len() == 10)
        .map(|d| d.to_string())
        .ok_or(AppError::invalid(field, "error-bad-date"))
}

/// A post by id or by name.
pub async fn find_post(db: &Db, given: &str) -> AppResult<Post> {
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT id, name FROM units WHERE kind = 'poste_frontiere' AND (id = ?1 OR name = ?1)",
    )
    .bind(given.trim())
    .fetch_optional(db)
    .await?;
    found
        .map(|(id, name)| Post { id, name })
        .ok_or(AppError::invalid("post", "error-unknown-post"))
}

/// Writes the package of a post for a period, signed, and records what left (audited).
pub async fn export(
    state: &AppState,
    actor: &Actor,
    post: &str,
    from: &str,
    to: &str,
) -> AppResult<(String, Package)> {
    let (from, to) = (day(from, "from")?, day(to, "to")?);
    if from > to {
        return Err(AppError::invalid("from", "error-date-order"));
    }
    let post = find_post(&state.db, post).await?;
    let people: Vec<PeopleFlow> = sqlx::query_as(
        "SELECT day, direction, nationality, mode, people FROM flow_people
         WHERE unit_id = ? AND day >= ? AND day <= ? ORDER BY 1, 2, 3, 4",
    )
    .bind(&post.id)
    .bind(&from)
    .bind(&to)
    .fetch_all(&state.db)
    .await?;
    let vehicles: Vec<VehicleFlow> = sqlx::query_as(
        "SELECT day, direction, kind, vehicles FROM flow_vehicles
         WHERE unit_id = ? AND day >= ? AND day <= ? ORDER BY 1, 2, 3",
    )
    .bind(&post.id)
    .bind(&from)
    .bind(&to)
    .fetch_all(&state.db)
    .await?;
    let goods: Vec<GoodsFlow> = sqlx::query_as(
        "SELECT day, direction, category, quantity_unit, quantity, value_fcfa, declarations
         FROM flow_goods WHERE unit_id = ? AND day >= ? AND day <= ? ORDER BY 1, 2, 3, 4",
    )
    .bind(&post.id)
    .bind(&from)
    .bind(&to)
    .fetch_all(&state.db)
    .await?;
    // The alerts chosen for the partner that are still in force.
    let alerts: Vec<Alert> = sqlx::query_as(
        "SELECT id, kind, name, birth_year, nationality, plate, reason, valid_until
         FROM exchange_alerts WHERE unit_id = ? AND valid_until >= ? ORDER BY created_at",
    )
    .bind(&post.id)
    .bind(db::now_text().get(..10).unwrap_or(""))
    .fetch_all(&state.db)
    .await?;
    // Opened: the package carries them to the partner in clear (signed), as the commandant
    // chose to share them.
    let alerts: Vec<Alert> = alerts
        .into_iter()
        .map(|mut a| {
            let keys = &state.keys;
            keys.open_in("exchange_alerts", "name", &a.id, &mut a.name);
            keys.open_in("exchange_alerts", "plate", &a.id, &mut a.plate);
            keys.open_in("exchange_alerts", "reason", &a.id, &mut a.reason);
            a
        })
        .collect();
    let key = signing_key(state).await?;
    let package = Package {
        format: FORMAT.into(),
        version: VERSION,
        package_id: db::new_id(),
        created_at: db::now_text(),
        post: post.clone(),
        public_key: hex(key.verifying_key().as_bytes()),
        period: Period {
            from: from.clone(),
            to: to.clone(),
        },
        flows: Flows {
            people,
            vehicles,
            goods,
        },
        alerts,
    };
    let signed = serde_json::to_string_pretty(&package)
        .map_err(|e| AppError::Internal(format!("package: {e}")))?;
    let signature = key.sign(signed.as_bytes());
    let file = SignedFile {
        signed,
        signature: hex(&signature.to_bytes()),
        public_key: package.public_key.clone(),
    };
    let text = serde_json::to_string_pretty(&file)
        .map_err(|e| AppError::Internal(format!("package: {e}")))?;
    let sha = hex(&Sha256::digest(text.as_bytes()));
    let flow_rows =
        package.flows.people.len() + package.flows.vehicles.len() + package.flows.goods.len();
    let alert_ids: Vec<&str> = package.alerts.iter().map(|a| a.id.as_str()).collect();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO exchange_exports (id, created_at, created_by, unit_id, period_from, period_to,
         flow_rows, alert_ids, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&package.package_id)
    .bind(&package.created_at)
    .bind(&actor.0)
    .bind(&post.id)
    .bind(&from)
    .bind(&to)
    .bind(i64::try_from(flow_rows).unwrap_or(i64::MAX))
    .bind(alert_ids.join(","))
    .bind(&sha)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        actor,
        "export",
        "exchange_package",
        &package.package_id,
        &format!(
            "post={} from={from} to={to} flow_rows={flow_rows} alerts={} sha256={sha}",
            post.name,
            alert_ids.join(",")
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((text, package))
}

/// Why a package is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("not a parsec exchange package: {0}")]
    Malformed(String),
    #[error("the package was signed with another key than the one given")]
    OtherKey,
    #[error("the signature does not match the content: the package was altered")]
    BadSignature,
    #[error("format {0} version {1} is not one this version of parsec reads")]
    UnknownFormat(String, u32),
}

/// Checks a package file against a public key: the signature over the exact signed text, the
/// key, the format. Pure: no database.
pub fn verify(text: &str, key: &VerifyingKey) -> Result<Package, Refused> {
    let file: SignedFile =
        serde_json::from_str(text).map_err(|e| Refused::Malformed(e.to_string()))?;
    if unhex::<32>(&file.public_key) != Some(key.to_bytes()) {
        return Err(Refused::OtherKey);
    }
    let signature = unhex::<64>(&file.signature)
        .map(|b| Signature::from_bytes(&b))
        .ok_or(Refused::BadSignature)?;
    key.verify_strict(file.signed.as_bytes(), &signature)
        .map_err(|_| Refused::BadSignature)?;
    let package: Package =
        serde_json::from_str(&file.signed).map_err(|e| Refused::Malformed(e.to_string()))?;
    if package.format != FORMAT || package.version != VERSION {
        return Err(Refused::UnknownFormat(package.format, package.version));
    }
    if package.public_key != file.public_key {
        return Err(Refused::OtherKey);
    }
    Ok(package)
}

/// Trusts a partner's key for the post that faces it (audited).
pub async fn trust(
    state: &AppState,
    actor: &Actor,
    name: &str,
    key: &str,
    post: &str,
) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid("name", "error-required"));
    }
    let key = hex(parse_public_key(key)?.as_bytes());
    let post = find_post(&state.db, post).await?;
    let id = db::new_id();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO exchange_partners (id, name, public_key, unit_id, added_at, added_by)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(name)
    .bind(&key)
    .bind(&post.id)
    .bind(db::now_text())
    .bind(&actor.0)
    .execute(&mut *tx)
    .await
    .map_err(db::taken("key", "error-exchange-known-key"))?;
    audit::append(
        &mut tx,
        actor,
        "trust",
        "exchange_partner",
        &id,
        &format!("{name} key={key} post={}", post.name),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The largest package file read: a year of a post's flows and its alerts fit many times over.
/// A file beyond is refused before anything in it is parsed.
pub const MAX_PACKAGE_BYTES: usize = 8 * 1024 * 1024;

/// The most alerts one package may carry: each is chosen and justified by a commandant.
pub const MAX_ALERTS: usize = 2000;

/// The longest an alert may be valid, as when it is shared here (`share`: 365 days).
const MAX_VALIDITY_DAYS: i64 = 366;

/// The clock of the partner's node may run a little ahead of ours.
const CLOCK_SKEW: time::Duration = time::Duration::days(1);

/// A package's dates and alerts checked as the forms check them here; the first rule broken.
fn check_package(package: &Package, now: time::OffsetDateTime) -> AppResult<()> {
    let bad = |key: &'static str| Err(AppError::invalid("file", key));
    if package.alerts.len() > MAX_ALERTS {
        return bad("error-exchange-too-many-alerts");
    }
    let Some(created) = db::parse_timestamp(&package.created_at) else {
        return bad("error-exchange-dates");
    };
    if created > now + CLOCK_SKEW || created.year() < 2000 {
        return bad("error-exchange-dates");
    }
    let created_day = created.date();
    let (Some(from), Some(to)) = (db::day(&package.period.from), db::day(&package.period.to))
    else {
        return bad("error-exchange-dates");
    };
    if from > to || to > created_day {
        return bad("error-exchange-dates");
    }
    let this_year = i64::from(now.year());
    for a in &package.alerts {
        let ok = matches!(a.kind.as_str(), "personne" | "vehicule")
            && !a.id.is_empty()
            && a.id.len() <= 64
            && a.name.chars().count() <= 200
            && a.plate.chars().count() <= 20
            && a.nationality.chars().count() <= 3
            && !a.reason.trim().is_empty()
            && a.reason.chars().count() <= 300
            && a.birth_year.is_none_or(|y| (1900..=this_year).contains(&y));
        if !ok {
            return bad("error-exchange-malformed");
        }
        let until = db::day(&a.valid_until).filter(|_| a.valid_until.len() == 10);
        let in_force = until.is_some_and(|u| {
            u >= created_day && u <= created_day + time::Duration::days(MAX_VALIDITY_DAYS)
        });
        if !in_force {
            return bad("error-exchange-validity");
        }
    }
    Ok(())
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub partner: String,
    pub post: String,
    pub alerts: usize,
    /// False when this package had already been imported.
    pub new: bool,
}

/// Imports a partner's package: verified against the trusted key it names, its alerts given
/// to the agents of the post facing that partner; the same package twice adds nothing.
pub async fn import(state: &AppState, actor: &Actor, text: &str) -> AppResult<Imported> {
    // Untrusted until its signature is checked: bounded before anything is parsed, and the
    // package inside is parsed only once its signature verifies (`verify`).
    if text.len() > MAX_PACKAGE_BYTES {
        return Err(AppError::invalid("file", "error-exchange-too-large"));
    }
    let file: SignedFile = serde_json::from_str(text)
        .map_err(|_| AppError::invalid("file", "error-exchange-malformed"))?;
    let partner: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT p.id, p.name, p.unit_id, u.name FROM exchange_partners p
         JOIN units u ON u.id = p.unit_id WHERE p.public_key = ?",
    )
    .bind(file.public_key.trim().to_lowercase())
    .fetch_optional(&state.db)
    .await?;
    let (partner_id, partner_name, unit_id, post_name) =
        partner.ok_or(AppError::invalid("file", "error-exchange-untrusted"))?;
    let key = parse_public_key(&file.public_key)?;
    let package = verify(text, &key).map_err(|e| match e {
        Refused::Malformed(_) | Refused::UnknownFormat(..) => {
            AppError::invalid("file", "error-exchange-malformed")
        }
        Refused::OtherKey | Refused::BadSignature => {
            AppError::invalid("file", "error-exchange-signature")
        }
    })?;
    // What a partner sends is checked like anything typed here.
    check_package(&package, db::now())?;
    let sha = hex(&Sha256::digest(text.as_bytes()));
    // A known package id with other content is not the same package: refused, not skipped.
    let known: Option<String> =
        sqlx::query_scalar("SELECT sha256 FROM exchange_imports WHERE package_id = ?")
            .bind(&package.package_id)
            .fetch_optional(&state.db)
            .await?;
    if known.as_ref().is_some_and(|k| *k != sha) {
        return Err(AppError::invalid("file", "error-exchange-reused-id"));
    }
    let mut tx = db::begin_write(&state.db).await?;
    let fresh = sqlx::query(
        "INSERT INTO exchange_imports (package_id, partner_id, imported_at, imported_by,
         period_from, period_to, alerts, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (package_id) DO NOTHING",
    )
    .bind(&package.package_id)
    .bind(&partner_id)
    .bind(db::now_text())
    .bind(&actor.0)
    .bind(&package.period.from)
    .bind(&package.period.to)
    .bind(i64::try_from(package.alerts.len()).unwrap_or(i64::MAX))
    .bind(&sha)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if fresh {
        for a in &package.alerts {
            // A known alert keeps its row: what is sealed for it is bound to that row's id.
            let known: Option<String> = sqlx::query_scalar(
                "SELECT id FROM partner_alerts WHERE partner_id = ? AND remote_id = ?",
            )
            .bind(&partner_id)
            .bind(&a.id)
            .fetch_optional(&mut *tx)
            .await?;
            let id = known.unwrap_or_else(db::new_id);
            let seal =
                |column: &str, value: &str| state.keys.seal("partner_alerts", column, &id, value);
            sqlx::query(
                // An older package (imported late) never overwrites what a newer one said.
                "INSERT INTO partner_alerts (id, package_id, partner_id, unit_id, remote_id, kind,
                 name, birth_year, nationality, plate, reason, valid_until, package_created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (partner_id, remote_id) DO UPDATE SET reason = excluded.reason,
                 valid_until = excluded.valid_until, package_id = excluded.package_id,
                 package_created_at = excluded.package_created_at
                 WHERE excluded.package_created_at > partner_alerts.package_created_at",
            )
            .bind(&id)
            .bind(&package.package_id)
            .bind(&partner_id)
            .bind(&unit_id)
            .bind(&a.id)
            .bind(&a.kind)
            .bind(seal("name", &a.name))
            .bind(a.birth_year)
            .bind(&a.nationality)
            .bind(seal("plate", &a.plate))
            .bind(seal("reason", &a.reason))
            .bind(&a.valid_until)
            .bind(&package.created_at)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            actor,
            "import",
            "exchange_package",
            &package.package_id,
            &format!(
                "partner={partner_name} alerts={} sha256={sha}",
                package.alerts.len()
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Imported {
        partner: partner_name,
        post: post_name,
        alerts: package.alerts.len(),
        new: fresh,
    })
}

/// What a commandant reports to the partner.
#[derive(Debug, Clone, Copy)]
pub enum Shared<'a> {
    /// A traveller's crossing: only the name, the birth year and the nationality leave.
    Crossing(&'a str),
    /// A vehicle's crossing: only the plate and its country leave.
    Vehicle(&'a str),
}

/// A commandant chooses to share an alert with the partner across the border, with a reason,
/// for `days` days (audited); the next package of the post carries it.
pub async fn share(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    what: Shared<'_>,
    reason: &str,
    days: i64,
) -> AppResult<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 300 {
        return Err(AppError::invalid("reason", "error-review-reason"));
    }
    #[derive(sqlx::FromRow)]
    struct Source {
        unit_id: String,
        surname: String,
        given_names: String,
        birth_date: Option<String>,
        nationality: String,
        plate: String,
    }
    // The source's columns are sealed to their own row: read as stored, opened here.
    let (sql, id, kind, entity) = match what {
        Shared::Crossing(id) => (
            "SELECT unit_id, surname, given_names, birth_date,
                    coalesce(nationality, '') AS nationality, '' AS plate
             FROM crossings WHERE id = ?1",
            id,
            "personne",
            "crossing",
        ),
        Shared::Vehicle(id) => (
            "SELECT unit_id, '' AS surname, '' AS given_names, NULL AS birth_date,
                    country AS nationality, plate
             FROM crossing_vehicles WHERE id = ?1",
            id,
            "vehicule",
            "crossing_vehicle",
        ),
    };
    let source: Option<Source> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM ({sql}) WHERE ?2 IS NULL OR unit_id IN (SELECT value FROM json_each(?2))"
    )))
    .bind(id)
    .bind(scope.as_json())
    .fetch_optional(&state.db)
    .await?;
    let s = source.ok_or(AppError::NotFound)?;
    let keys = &state.keys;
    let (name, birth_date, plate) = match what {
        Shared::Crossing(_) => {
            let given = keys.open("crossings", "given_names", id, &s.given_names);
            let surname = keys.open("crossings", "surname", id, &s.surname);
            (
                format!("{given} {surname}").trim().to_string(),
                keys.open_opt("crossings", "birth_date", id, s.birth_date.as_deref()),
                String::new(),
            )
        }
        Shared::Vehicle(_) => (
            String::new(),
            None,
            keys.open("crossing_vehicles", "plate", id, &s.plate),
        ),
    };
    let alert = db::new_id();
    let seal = |column: &str, value: &str| keys.seal("exchange_alerts", column, &alert, value);
    let until = db::now() + time::Duration::days(days.clamp(1, 365));
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO exchange_alerts (id, unit_id, created_at, created_by, kind, name, birth_year,
         nationality, plate, reason, valid_until, crossing_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&alert)
    .bind(&s.unit_id)
    .bind(db::now_text())
    .bind(&actor.0)
    .bind(kind)
    .bind(seal("name", &name))
    .bind(
        birth_date
            .as_deref()
            .and_then(|b| b.get(..4))
            .and_then(|y| y.parse::<i64>().ok()),
    )
    .bind(&s.nationality)
    .bind(seal("plate", &plate))
    .bind(seal("reason", reason))
    .bind(until.date().to_string())
    .bind(matches!(what, Shared::Crossing(_)).then_some(id))
    .execute(&mut *tx)
    .await?;
    // The reason may name the person, and the log is never re-encrypted: it stays sealed in
    // the alert, which the entry names.
    audit::append(
        &mut tx,
        actor,
        "share",
        entity,
        id,
        &format!("alert={alert}"),
    )
    .await?;
    tx.commit().await?;
    Ok(alert)
}

/// The partners' alerts in force for the posts of a scope.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartnerAlert {
    pub id: String,
    pub partner: String,
    pub post: String,
    pub kind: String,
    pub name: String,
    pub birth_year: Option<i64>,
    pub nationality: String,
    pub plate: String,
    pub reason: String,
    pub valid_until: String,
}

/// Reading them is a read of personal data (names, plates): audited.
pub async fn partner_alerts(
    db: &Db,
    keys: &Keyring,
    actor: &Actor,
    scope: &Scope,
) -> AppResult<Vec<PartnerAlert>> {
    let mut tx = db::begin_write(db).await?;
    audit::append(&mut tx, actor, "list", "partner_alert", "-", "").await?;
    tx.commit().await?;
    let rows: Vec<PartnerAlert> = sqlx::query_as(
        "SELECT a.id, p.name AS partner, u.name AS post, a.kind, a.name, a.birth_year,
                a.nationality, a.plate, a.reason, a.valid_until
         FROM partner_alerts a JOIN exchange_partners p ON p.id = a.partner_id
         JOIN units u ON u.id = a.unit_id
         WHERE a.valid_until >= ?1 AND (?2 IS NULL OR a.unit_id IN (SELECT value FROM json_each(?2)))
         ORDER BY a.valid_until DESC",
    )
    .bind(db::now_text().get(..10).unwrap_or(""))
    .bind(scope.as_json())
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|mut a| {
            keys.open_in("partner_alerts", "name", &a.id, &mut a.name);
            keys.open_in("partner_alerts", "plate", &a.id, &mut a.plate);
            keys.open_in("partner_alerts", "reason", &a.id, &mut a.reason);
            a
        })
        .collect())
}
