//! Personal data encrypted at rest (issue 14, docs/encryption-design.md): the database file, its
//! -wal and -shm, and a backup show no name, document number or plate of what was recorded
//! through the real pages; what is sealed is still found (by a name spelt otherwise, by its
//! document number) and read back clear; a missing or wrong key refuses the start; a sealed value
//! moved to another row does not open.

use std::path::{Path, PathBuf};

use parsec::accounts::Scope;
use parsec::app::AppState;
use parsec::audit::Actor;
use parsec::config::Config;
use time::{Duration, OffsetDateTime};

use crate::support::{Client, TestApp, location, submission_of, typed};
use crate::support_q;

/// The watchlist entry that the traveller Zerbokanti Oulimbradé matches by spelling
/// (y/i, ou/w, a final e). Watchlists stay clear (the screening engine indexes them), so the
/// entry is spelt otherwise than the traveller: only the traveller's spelling must be absent.
const LIST: &str = "id,full_name,birth_date,nationality,aliases,reason,instruction\n\
    ENC1,Zerbokanty Wulimbrad,1974-03-12,ML,,Trafic d'armes,arreter\n";

/// What was recorded about people, made up and found nowhere else (names of 8 letters or more,
/// a document number of each crossing, the plate as stored and as typed without spaces).
const SECRETS: &[&str] = &[
    // The listed traveller, typed.
    "Zerbokanti",
    "Oulimbradé",
    "XK4471903",
    // The lorry driver, from the passport's zone.
    "QUILLAMORE",
    "THESSALINDE",
    "QZ8845172",
    // The lorry.
    "KX 7719 QZ",
    "KX7719QZ",
    // The relative named in the hit's review, who reported the lorry in the shared alert, and
    // the lawyer of the custody.
    "Brandovilleux",
    "Korvandelin",
    "Vistalombre",
];

/// A clear field (the custody's place: staff and premises are not sealed), to show that the
/// scan does read what the files hold.
const CLEAR_MARKER: &str = "Ostravelline";

/// The record's id in a page's address (`/border/crossings/ID?saved=1`).
fn id_in(page: &str, prefix: &str) -> String {
    page.trim_start_matches(prefix)
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

/// A crossing recorded through the form; its id.
async fn record(c: &mut Client, fields: &[(&str, &str)]) -> String {
    let res = c.post_form("/border/crossings/new", fields).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    id_in(&location(&res), "/border/crossings/")
}

/// The spellings of a secret that a thief would try: as typed, in capitals, in small letters,
/// folded (no accents, as an MRZ or a search writes it).
fn spellings(secret: &str) -> Vec<String> {
    let mut all = vec![
        secret.to_string(),
        secret.to_uppercase(),
        secret.to_lowercase(),
    ];
    if !secret.contains(' ') {
        all.push(namematch::normalize::fold(secret));
    }
    all
}

/// The secrets (in any of their spellings, whatever the case) that some bytes hold.
fn found_in(bytes: &[u8]) -> Vec<String> {
    // Case-insensitive: the bytes and each spelling in small letters (invalid UTF-8 becomes
    // U+FFFD, which never splits a valid name).
    let hay = String::from_utf8_lossy(bytes).to_lowercase();
    let mut found = Vec::new();
    for secret in SECRETS {
        for s in spellings(secret) {
            if hay.contains(&s.to_lowercase()) {
                found.push(s);
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn holds_marker(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes)
        .to_lowercase()
        .contains(&CLEAR_MARKER.to_lowercase())
}

/// A file beside the database (`-wal`, `-shm`).
fn beside(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn read_or_empty(path: &Path) -> Vec<u8> {
    match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Scans a database file and its -wal and -shm as they are now: no secret in any; the clear
/// marker somewhere (else the scan proves nothing).
fn assert_no_secret_in(db: &Path, when: &str) {
    let mut marker = false;
    for suffix in ["", "-wal", "-shm"] {
        let path = beside(db, suffix);
        let bytes = read_or_empty(&path);
        if suffix.is_empty() {
            assert!(
                !bytes.is_empty(),
                "{when}: no database at {}",
                path.display()
            );
        }
        let found = found_in(&bytes);
        assert!(
            found.is_empty(),
            "{when}: {} ({} bytes) holds {found:?} in clear",
            path.display(),
            bytes.len()
        );
        marker |= holds_marker(&bytes);
    }
    assert!(
        marker,
        "{when}: the clear marker {CLEAR_MARKER} is in none of the files: the scan reads nothing"
    );
}

#[tokio::test]
async fn a_stolen_database_file_shows_no_name() {
    let app = TestApp::spawn().await;
    crate::support::load_watchlist(&app, LIST).await;
    let start = OffsetDateTime::now_utc()
        .replace_second(0)
        .unwrap()
        .replace_nanosecond(0)
        .unwrap();
    app.state.clock.set(Some(start));
    let mut agent = app.login("agent.koro").await;

    // A lorry driver, from her passport's zone; then her lorry.
    let zone = crate::border::td3(
        "QUILLAMORE",
        "THESSALINDE",
        "QZ8845172",
        "MLI",
        "880214",
        "F",
        "310101",
    );
    let driver = record(
        &mut agent,
        &[
            ("submission", "enc-mrz"),
            ("mrz", zone.as_str()),
            ("direction", "entree"),
            ("mode", "camion"),
        ],
    )
    .await;
    let (status, html) = agent
        .get_text(&format!("/border/vehicles/new?driver={driver}"))
        .await;
    assert_eq!(status, 200, "{html}");
    let submission = submission_of(&html);
    let res = agent
        .post_form(
            "/border/vehicles/new",
            &[
                ("submission", submission.as_str()),
                ("driver", driver.as_str()),
                ("plate", "kx 7719 qz"),
                ("country", "ml"),
                ("kind", "camion"),
                ("direction", "entree"),
                ("passengers", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let vehicle = id_in(&location(&res), "/border/vehicles/");

    // A typed traveller whom the list names (spelt otherwise): an alert, read.
    let listed = record(
        &mut agent,
        &[
            ("submission", "enc-typed"),
            ("direction", "entree"),
            ("mode", "pied"),
            ("surname", "Zerbokanti"),
            ("given_names", "Oulimbradé"),
            ("birth_date", "12/03/1974"),
            ("nationality", "ML"),
            ("document_number", "XK4471903"),
        ],
    )
    .await;
    let screening: String = sqlx::query_scalar("SELECT screening FROM crossings WHERE id = ?")
        .bind(&listed)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(screening, "alerte", "the list must name the traveller");
    let res = agent
        .post_form(&format!("/border/crossings/{listed}/instruction-read"), &[])
        .await;
    assert_eq!(res.status(), 303);

    // A find by document number (the agent) and a search of the list by name (the commandant):
    // both audited.
    let (status, html) = agent
        .get_text("/border/crossings/find?document=XK4471903")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains(&listed), "the find finds him: {html}");

    // The commandant confirms the hit with a reason that names a relative, shares alerts about
    // the traveller and the lorry, and holds the traveller (a lawyer is called).
    let hit: String = sqlx::query_scalar("SELECT id FROM screening_hits WHERE crossing_id = ?")
        .bind(&listed)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let mut cdt = app.login("commandant.koro").await;
    let (status, html) = cdt
        .get_text(&format!("/border/crossings?q={}", support_q("Zerbokanti")))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains(&listed), "the search finds him: {html}");
    let res = cdt
        .post_form(
            &format!("/screening/hits/{hit}"),
            &[
                ("decision", "confirme"),
                (
                    "reason",
                    "Son frère Brandovilleux confirme l'identité au téléphone",
                ),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let res = cdt
        .post_form(
            &format!("/border/crossings/{listed}/share"),
            &[("reason", "Recherché ; signalé par son cousin Korvandelin")],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let res = cdt
        .post_form(
            &format!("/border/vehicles/{vehicle}/share"),
            &[("reason", "Camion signalé volé par Korvandelin")],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let unit = app.unit_id("Brigade de Koro").await;
    let place = format!("Poste de Koro, cellule {CLEAR_MARKER}");
    let res = cdt
        .post_form(
            "/custody/new",
            &[
                ("crossing", listed.as_str()),
                ("unit", unit.as_str()),
                ("regime", "ordinaire"),
                ("opj", "Adjudant-chef Sangaré"),
                ("surname", "Zerbokanti"),
                ("given_names", "Oulimbradé"),
                ("birth_date", "12/03/1974"),
                ("nationality", "ML"),
                ("document_number", "XK4471903"),
                ("offence", "Inscrit sur la liste nationale"),
                ("place", place.as_str()),
                ("started_at", &typed(start)),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let custody = location(&res).split('?').next().unwrap().to_string();
    app.state.clock.set(Some(start + Duration::minutes(30)));
    let res = cdt
        .post_form(
            &format!("{custody}/entries/new"),
            &[
                ("kind", "droit_avocat"),
                ("at", &typed(start + Duration::minutes(20))),
                ("by_whom", "Maître Vistalombre, avocat à Mopti"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    // The inspector looks the person up (the log keeps the search, by tags).
    let mut insp = app.login("inspecteur").await;
    let (status, _) = insp
        .get_text(&format!("/audit/person?name={}", support_q("Zerbokanti")))
        .await;
    assert_eq!(status, 200);

    // Every sealed column holds '' or a sealed value, and something sealed was written.
    for (table, column) in [
        ("crossings", "surname"),
        ("crossings", "given_names"),
        ("crossings", "birth_date"),
        ("crossings", "document_number"),
        ("crossings", "mrz"),
        ("crossing_vehicles", "plate"),
        ("screening_hits", "query_name"),
        ("screening_hits", "explanation"),
        ("screening_hits", "review_reason"),
        ("exchange_alerts", "name"),
        ("exchange_alerts", "plate"),
        ("exchange_alerts", "reason"),
        ("custodies", "surname"),
        ("custodies", "given_names"),
        ("custodies", "document_number"),
        ("custody_entries", "by_whom"),
    ] {
        let values: Vec<Option<String>> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {column} FROM {table}")))
                .fetch_all(&app.state.db)
                .await
                .unwrap();
        let values: Vec<&String> = values.iter().flatten().collect();
        let clear: Vec<&&String> = values
            .iter()
            .filter(|v| !v.is_empty() && !v.starts_with("enc1:"))
            .collect();
        assert!(clear.is_empty(), "{table}.{column} holds clear: {clear:?}");
        assert!(
            values.iter().any(|v| v.starts_with("enc1:")),
            "{table}.{column}: nothing sealed written ({values:?})"
        );
    }
    // The log names the searches by tags.
    let details: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, detail FROM audit_log WHERE entity = 'crossing'
         AND action IN ('list', 'find')",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert!(
        details
            .iter()
            .any(|(a, d)| a == "list" && d.contains("q=#")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|(a, d)| a == "find" && d.contains("document=#")),
        "{details:?}"
    );

    // The files as a thief would copy them from the running node, without a checkpoint.
    let db = app.db_path.clone();
    assert_no_secret_in(&db, "as they are");
    // After a checkpoint, everything is in the database file.
    let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint ran whole");
    assert!(
        holds_marker(&read_or_empty(&db)),
        "after the checkpoint the database file holds the clear marker"
    );
    assert_no_secret_in(&db, "after a checkpoint");
    // A backup.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copie.db");
    parsec::db::backup(&app.state.db, &copy).await.unwrap();
    assert_no_secret_in(&copy, "backup");
    // The key is not in the copy.
    let key = std::fs::read_to_string(parsec::keyring::default_path(&db)).unwrap();
    let key = key.trim();
    assert_eq!(key.len(), 64, "the key file holds 64 hex");
    for path in [&db, &copy] {
        let bytes = String::from_utf8_lossy(&read_or_empty(path)).to_lowercase();
        assert!(
            !bytes.contains(&key.to_lowercase()),
            "{} holds the master key",
            path.display()
        );
    }
}

#[tokio::test]
async fn what_is_sealed_is_still_found_and_read() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let target = record(
        &mut agent,
        &[
            ("submission", "found-1"),
            ("direction", "entree"),
            ("mode", "pied"),
            ("surname", "DOMBÉLIARÉ"),
            ("given_names", "Fantanelle Assétou"),
            ("birth_date", "07/11/1990"),
            ("nationality", "ML"),
            ("document_number", "ZX7741908"),
        ],
    )
    .await;
    let other = record(
        &mut agent,
        &[
            ("submission", "found-2"),
            ("direction", "sortie"),
            ("mode", "pied"),
            ("surname", "Pellegrontis"),
            ("given_names", "Fantanelle"),
            ("nationality", "ML"),
            ("document_number", "ZX7741909"),
        ],
    )
    .await;
    // The list's search (the commandant's): by spelling, whatever the case and the accents;
    // every word must hold.
    let mut cdt = app.login("commandant.koro").await;
    let mut search = async |q: &str| {
        let (status, html) = cdt
            .get_text(&format!("/border/crossings?q={}", support_q(q)))
            .await;
        assert_eq!(status, 200, "{q}: {html}");
        (html.contains(&target), html.contains(&other))
    };
    assert_eq!(search("dombeliare").await, (true, false), "folded");
    assert_eq!(search("DOMBÉLIARÉ").await, (true, false), "as recorded");
    assert_eq!(
        search("Dombelliaré").await,
        (true, false),
        "spelt otherwise"
    );
    assert_eq!(search("assetou").await, (true, false), "a given name");
    assert_eq!(search("fantanelle").await, (true, true), "a shared name");
    assert_eq!(
        search("Fantanelle pellegrontis").await,
        (false, true),
        "every word"
    );
    assert_eq!(
        search("zx7741908").await,
        (true, false),
        "a document number"
    );
    assert_eq!(search("Quelconquenom").await, (false, false), "nobody");
    assert_eq!(
        search("Dombel").await,
        (false, false),
        "whole words only: no prefix is kept"
    );
    // The find by document number, typed with spaces and in small letters.
    let (status, html) = agent
        .get_text(&format!(
            "/border/crossings/find?document={}",
            support_q("zx 774 1908")
        ))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains(&target) && !html.contains(&other), "{html}");
    assert!(
        html.contains("DOMBÉLIARÉ"),
        "the found crossing is named: {html}"
    );
    let (_, html) = agent
        .get_text("/border/crossings/find?document=ZX7741907")
        .await;
    assert!(!html.contains(&target) && !html.contains(&other), "{html}");
    // The services give the clear values.
    let actor = Actor("agent.koro".into());
    let row = parsec::border::crossing::get(&app.state, &actor, &Scope::All, &target)
        .await
        .unwrap();
    assert_eq!(
        (
            row.surname.as_str(),
            row.given_names.as_str(),
            row.document_number.as_str()
        ),
        ("DOMBÉLIARÉ", "Fantanelle Assétou", "ZX7741908")
    );
    assert!(
        row.birth_date
            .as_deref()
            .is_some_and(|b| b.contains("1990")),
        "{:?}",
        row.birth_date
    );
    let found =
        parsec::border::crossing::find_by_document(&app.state, &actor, &Scope::All, "ZX7741908")
            .await
            .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].surname, "DOMBÉLIARÉ");
    let filter = parsec::border::crossing::CrossingFilter {
        search: "Dombéliaré".into(),
        page: 1,
        ..Default::default()
    };
    let (rows, total) = parsec::border::crossing::list(&app.state, &actor, &Scope::All, &filter)
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(rows[0].given_names, "Fantanelle Assétou");
    // The crossing's page shows them.
    let (status, html) = agent.get_text(&format!("/border/crossings/{target}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("DOMBÉLIARÉ") && html.contains("Fantanelle Assétou"),
        "{html}"
    );
    assert!(html.contains("ZX7741908"), "{html}");
}

/// The state of an existing database with its master key from the file beside it (set here,
/// never from this process's environment: the tests run in parallel).
async fn open_state(db: &Path) -> Result<AppState, String> {
    let pool = parsec::db::open(db, false)
        .await
        .map_err(|e| e.to_string())?;
    let mut config = Config::new(db.to_path_buf(), "127.0.0.1:0".parse().unwrap());
    config.data_key = parsec::keyring::MasterSource::File(parsec::keyring::default_path(db));
    match AppState::new(pool.clone(), config).await {
        Ok(state) => Ok(state),
        Err(e) => {
            pool.close().await;
            Err(e.to_string())
        }
    }
}

/// The command line with only the environment given (no key from this process's).
fn parsec_cli(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_parsec"));
    cmd.args(args)
        .env_remove("PARSEC_DATA_KEY")
        .env_remove("PARSEC_DATA_KEY_FILE")
        .env_remove("PARSEC_DB")
        .env_remove("PARSEC_KEY_FILE")
        .env_remove("PARSEC_RETENTION_DAYS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[tokio::test]
async fn a_missing_or_wrong_key_refuses_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let key_file = parsec::keyring::default_path(&db);
    // A new database: its key file is made, owner-only, and the database names its fingerprint.
    let pool = parsec::db::open(&db, true).await.unwrap();
    let mut config = Config::new(db.clone(), "127.0.0.1:0".parse().unwrap());
    config.data_key = parsec::keyring::MasterSource::File(key_file.clone());
    let state = AppState::new(pool, config).await.unwrap();
    parsec::registry::demo::seed(&state).await.unwrap();
    let key = std::fs::read_to_string(&key_file).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let hex = key.trim().to_string();
    assert!(
        hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        "{key:?}"
    );
    let recorded_id: String =
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'master_key_id'")
            .fetch_one(&state.db)
            .await
            .unwrap();
    assert_eq!(recorded_id, state.keys.master_id());
    assert!(
        !hex.contains(&recorded_id),
        "the fingerprint is not a piece of the key"
    );
    let koro: String = sqlx::query_scalar("SELECT id FROM units WHERE name = ?")
        .bind("Poste frontière de Koro")
        .fetch_one(&state.db)
        .await
        .unwrap();
    let actor = Actor::system("test");
    let f = parsec::web::page::Fields::from_pairs(vec![
        ("submission".into(), "key-1".into()),
        ("surname".into(), "Marvelliande".into()),
        ("given_names".into(), "Sostrakine".into()),
        ("nationality".into(), "ML".into()),
        ("document_number".into(), "MV5512098".into()),
        ("direction".into(), "entree".into()),
        ("mode".into(), "pied".into()),
    ]);
    let today = OffsetDateTime::now_utc().date();
    let input = parsec::border::forms::crossing_input(&state, &f, today).unwrap();
    let id =
        parsec::border::crossing::record(&state, &actor, &koro, &input, &parsec::db::now_text())
            .await
            .unwrap()
            .id;
    state.db.close().await;
    drop(state);

    // The key file gone: refused, and no new key made in its place.
    let kept = dir.path().join("gardée-à-part.datakey");
    std::fs::rename(&key_file, &kept).unwrap();
    let e = open_state(&db)
        .await
        .err()
        .expect("started without its key");
    assert!(
        e.contains("Clé des données personnelles introuvable") && e.contains(&recorded_id),
        "{e}"
    );
    assert!(!key_file.exists(), "a missing key is never replaced");
    let db_s = db.to_str().unwrap();
    let o = parsec_cli(&["retention", "run", "--db", db_s], &[]);
    let said = crate::cli::text(&o);
    assert!(!o.status.success(), "{said}");
    assert!(
        said.contains("Clé des données personnelles introuvable"),
        "{said}"
    );
    assert!(!key_file.exists(), "a missing key is never replaced");
    // The key in the environment wins over the missing file; or the file named elsewhere.
    let o = parsec_cli(
        &["retention", "run", "--db", db_s],
        &[("PARSEC_DATA_KEY", &hex)],
    );
    assert!(o.status.success(), "{}", crate::cli::text(&o));
    assert!(
        !key_file.exists(),
        "the key from the environment is not written"
    );
    let o = parsec_cli(
        &["retention", "run", "--db", db_s],
        &[("PARSEC_DATA_KEY_FILE", kept.to_str().unwrap())],
    );
    assert!(o.status.success(), "{}", crate::cli::text(&o));

    // Another key in the file: refused, for the service and the command line.
    let other = "5a".repeat(32);
    std::fs::write(&key_file, format!("{other}\n")).unwrap();
    let e = open_state(&db)
        .await
        .err()
        .expect("started with a wrong key");
    assert!(e.contains("n'est pas celle de cette base"), "{e}");
    let o = parsec_cli(&["retention", "run", "--db", db_s], &[]);
    let said = crate::cli::text(&o);
    assert!(!o.status.success(), "{said}");
    assert!(said.contains("n'est pas celle de cette base"), "{said}");
    // The environment wins over the file: the right file with a wrong key in it is refused.
    std::fs::copy(&kept, &key_file).unwrap();
    let o = parsec_cli(
        &["retention", "run", "--db", db_s],
        &[("PARSEC_DATA_KEY", &other)],
    );
    let said = crate::cli::text(&o);
    assert!(!o.status.success(), "{said}");
    assert!(said.contains("n'est pas celle de cette base"), "{said}");

    // The right key back: it opens and reads the names again.
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key);
    let state = open_state(&db).await.expect("the right key opens it");
    let row = parsec::border::crossing::get(&state, &actor, &Scope::All, &id)
        .await
        .unwrap();
    assert_eq!(
        (
            row.surname.as_str(),
            row.given_names.as_str(),
            row.document_number.as_str()
        ),
        ("Marvelliande", "Sostrakine", "MV5512098")
    );
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key);
    state.db.close().await;
}

#[tokio::test]
async fn a_value_moved_to_another_row_does_not_open() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let a = record(
        &mut agent,
        &[
            ("submission", "moved-a"),
            ("direction", "entree"),
            ("mode", "pied"),
            ("surname", "Grimvaldoux"),
            ("given_names", "Aurelianne"),
            ("nationality", "ML"),
        ],
    )
    .await;
    let b = record(
        &mut agent,
        &[
            ("submission", "moved-b"),
            ("direction", "entree"),
            ("mode", "pied"),
            ("surname", "Tessilombe"),
            ("given_names", "Marcolind"),
            ("nationality", "ML"),
        ],
    )
    .await;
    // A's sealed surname copied onto B, and onto A's own given names (another column).
    let moved = sqlx::query(
        "UPDATE crossings SET surname = (SELECT surname FROM crossings WHERE id = ?1)
         WHERE id = ?2",
    )
    .bind(&a)
    .bind(&b)
    .execute(&app.state.db)
    .await
    .unwrap();
    assert_eq!(moved.rows_affected(), 1);
    sqlx::query("UPDATE crossings SET given_names = surname WHERE id = ?")
        .bind(&a)
        .execute(&app.state.db)
        .await
        .unwrap();
    let stored: (String, String) =
        sqlx::query_as("SELECT (SELECT surname FROM crossings WHERE id = ?1), surname FROM crossings WHERE id = ?2")
            .bind(&a)
            .bind(&b)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(stored.0, stored.1, "the same sealed text in both rows");
    assert!(stored.0.starts_with("enc1:"), "{}", stored.0);

    let actor = Actor("agent.koro".into());
    let rb = parsec::border::crossing::get(&app.state, &actor, &Scope::All, &b)
        .await
        .unwrap();
    assert_eq!(rb.surname, parsec::keyring::UNREADABLE);
    assert_ne!(rb.surname, "Grimvaldoux");
    assert_eq!(rb.given_names, "Marcolind", "B's own value still opens");
    let ra = parsec::border::crossing::get(&app.state, &actor, &Scope::All, &a)
        .await
        .unwrap();
    assert_eq!(
        ra.surname, "Grimvaldoux",
        "A's value opens in its own place"
    );
    assert_eq!(ra.given_names, parsec::keyring::UNREADABLE);
    // The page says it is unreadable, and never shows A's name for B.
    let (status, html) = agent.get_text(&format!("/border/crossings/{b}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(parsec::keyring::UNREADABLE) && !html.contains("Grimvaldoux"),
        "{html}"
    );
}

/// A database written by an earlier version holds names in clear, in the records and in the
/// change log: its first start with this version seals them, tags the crossings for search,
/// and leaves no clear page in the file.
#[tokio::test]
async fn a_database_from_before_is_sealed_at_its_first_start() {
    let app = TestApp::spawn().await;
    let koro = app.unit_id("Poste frontière de Koro").await;
    // As an earlier version wrote it: clear columns, no tags, a clear copy in the change log.
    sqlx::query(
        "INSERT INTO crossings (id, submission_id, unit_id, crossed_at, recorded_by, direction,
                                mode, surname, given_names, birth_date, document_number,
                                screening)
         VALUES ('old-1', 'old-1', ?, '2026-11-01T08:00:00Z', 'agent.koro', 'entree', 'pied',
                 'Veltramonde', 'Oscarinette', '1970-01-02', 'VT9988776', 'aucune')",
    )
    .bind(&koro)
    .execute(&app.state.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO changes (origin, seq, hlc, tbl, row_id, op, fields)
         VALUES ('old-node', 1, 1, 'crossings', 'old-1', 'insert',
                 json_object('surname', 'Veltramonde', 'given_names', 'Oscarinette',
                             'mode', 'pied'))",
    )
    .execute(&app.state.db)
    .await
    .unwrap();
    sqlx::query("DELETE FROM meta WHERE key = 'personal_data_sealed'")
        .execute(&app.state.db)
        .await
        .unwrap();
    let sealed = parsec::keyring::seal_clear(&app.state.db, &app.state.keys)
        .await
        .unwrap();
    assert_eq!(
        sealed, 6,
        "four columns of the crossing, two in the change log"
    );
    // Once: a second start has nothing to do.
    assert_eq!(
        parsec::keyring::seal_clear(&app.state.db, &app.state.keys)
            .await
            .unwrap(),
        0
    );
    let (surname, document, keys, fields): (String, String, String, String) = sqlx::query_as(
        "SELECT c.surname, c.document_number, c.name_keys, ch.fields
         FROM crossings c JOIN changes ch ON ch.row_id = c.id WHERE c.id = 'old-1'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert!(surname.starts_with("enc1:") && document.starts_with("enc1:"));
    assert!(!keys.is_empty());
    assert!(
        !fields.contains("Veltramonde") && fields.contains("pied"),
        "{fields}"
    );
    // Read and found as any other crossing.
    let actor = Actor("operations".into());
    let row = parsec::border::crossing::get(&app.state, &actor, &Scope::All, "old-1")
        .await
        .unwrap();
    assert_eq!(
        (row.surname.as_str(), row.given_names.as_str()),
        ("Veltramonde", "Oscarinette")
    );
    let mut ops = app.login("operations").await;
    let (_, html) = ops.get_text("/border/crossings?q=veltramonde").await;
    assert!(html.contains("Veltramonde"), "found by its name");
    let found =
        parsec::border::crossing::find_by_document(&app.state, &actor, &Scope::All, "VT9988776")
            .await
            .unwrap();
    assert_eq!(found.len(), 1);
    // The file and its WAL hold neither name any more.
    for suffix in ["", "-wal"] {
        let bytes = read_or_empty(&beside(&app.state.config.db, suffix));
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("Veltramonde") && !text.contains("Oscarinette"),
            "{suffix}: clear pages left"
        );
    }
}

/// Sealed values only ever go up to the regional node (which holds the posts' keys): a table
/// sent down to every post would carry values the posts cannot open. And each registered
/// column exists, so nothing registered is silently left out.
#[tokio::test]
async fn sealed_columns_exist_and_never_go_down_to_the_posts() {
    let app = TestApp::spawn().await;
    for (table, columns) in parsec::keyring::SEALED {
        if let Some(r) = parsec::sync::capture::replicated(table) {
            assert!(
                r.share == parsec::sync::capture::Share::Up,
                "{table} is sent down to the posts"
            );
        }
        let held = parsec::sync::capture::columns(&app.state.db, table)
            .await
            .unwrap();
        for c in *columns {
            assert!(held.iter().any(|h| h == c), "{table}.{c} does not exist");
        }
    }
}

/// A backup and the audit chain's verification read only stored text: they run without the
/// key (an inspector verifies the chain on a copy), and the backup says the key is not in it.
#[tokio::test]
async fn backup_and_audit_verify_need_no_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let state = {
        let pool = parsec::db::open(&db, true).await.unwrap();
        let mut config = Config::new(db.clone(), "127.0.0.1:0".parse().unwrap());
        config.data_key = parsec::keyring::MasterSource::File(parsec::keyring::default_path(&db));
        AppState::new(pool, config).await.unwrap()
    };
    let mut tx = parsec::db::begin_write(&state.db).await.unwrap();
    parsec::audit::append(&mut tx, &Actor::system("test"), "create", "unit", "u", "")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    state.db.close().await;
    std::fs::remove_file(parsec::keyring::default_path(&db)).unwrap();
    let copy = dir.path().join("copy.db");
    let o = parsec_cli(
        &[
            "backup",
            "--db",
            db.to_str().unwrap(),
            "--to",
            copy.to_str().unwrap(),
        ],
        &[],
    );
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        o.status.success(),
        "{out} {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("n'est pas dans la copie"), "{out}");
    let o = parsec_cli(&["audit", "verify", "--db", copy.to_str().unwrap()], &[]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success() && out.contains("intacte"), "{out}");
}

/// `parsec keys rotate` seals every value again under a new key (records, tags, change
/// log); search and find still work; the old key can then be destroyed, the current one never.
/// A new master key rewraps the data keys; a stop before its file is renamed is finished at
/// the next start.
#[tokio::test]
async fn keys_are_renewed_then_the_old_one_destroyed_and_the_master_key_replaced() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let id = record(
        &mut agent,
        &[
            ("submission", "rotate-1"),
            ("direction", "entree"),
            ("mode", "pied"),
            ("surname", "Pernavelline"),
            ("given_names", "Oumarou"),
            ("nationality", "ML"),
            ("document_code", "P"),
            ("document_country", "MLI"),
            ("document_number", "PN4455667"),
        ],
    )
    .await;
    let (db, keys) = (&app.state.db, &app.state.keys);
    let old: Vec<u32> = keys.kids().iter().map(|(k, _)| *k).collect();
    assert_eq!(old.len(), 1);
    let refused = parsec::keyring::destroy(db, keys, old[0]).await;
    assert!(refused.unwrap_err().to_string().contains("en cours"));

    let (new, retired, done) = parsec::keyring::rotate(db, keys).await.unwrap();
    assert_eq!(retired, old);
    // Surname, given names and document number (a node without sync has no change log).
    assert!(done.sealed == 3 && done.unreadable == 0, "{done:?}");
    let uses = parsec::keyring::uses(db).await.unwrap();
    assert_eq!(
        uses.get(&old[0]),
        None,
        "nothing left under the old key: {uses:?}"
    );
    assert_eq!(uses.get(&new).copied(), Some(3));
    let actor = Actor("agent.koro".into());
    let row = parsec::border::crossing::get(&app.state, &actor, &Scope::All, &id)
        .await
        .unwrap();
    assert_eq!(row.surname, "Pernavelline");
    let found =
        parsec::border::crossing::find_by_document(&app.state, &actor, &Scope::All, "PN4455667")
            .await
            .unwrap();
    assert_eq!(found.len(), 1, "found by the tag under the new key");
    let mut ops = app.login("operations").await;
    let (_, html) = ops.get_text("/border/crossings?q=pernavelline").await;
    assert!(html.contains("Pernavelline"));

    parsec::keyring::destroy(db, keys, old[0]).await.unwrap();
    assert!(keys.kids().iter().all(|(k, _)| *k != old[0]));
    assert!(parsec::keyring::destroy(db, keys, old[0]).await.is_err());

    // A new master key: the file changes, the names still open at the next start.
    let file = parsec::keyring::default_path(&app.state.config.db);
    let before = std::fs::read_to_string(&file).unwrap();
    let id_new = parsec::keyring::replace_master(db, keys, &app.state.config.data_key)
        .await
        .unwrap();
    let after = std::fs::read_to_string(&file).unwrap();
    assert_ne!(before, after);
    let reopened = AppState::new(db.clone(), (*app.state.config).clone())
        .await
        .unwrap();
    assert_eq!(reopened.keys.master_id(), id_new);
    let row = parsec::border::crossing::get(&reopened, &actor, &Scope::All, &id)
        .await
        .unwrap();
    assert_eq!(row.surname, "Pernavelline");
    // Stopped between the commit and the rename: the old file still in place, the new one
    // beside it. The next start finishes the rename.
    std::fs::write(parsec::keyring::pending_path(&file), &after).unwrap();
    std::fs::write(&file, &before).unwrap();
    let finished = AppState::new(db.clone(), (*app.state.config).clone())
        .await
        .unwrap();
    assert_eq!(finished.keys.master_id(), id_new);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);
    assert!(!parsec::keyring::pending_path(&file).exists());
}
