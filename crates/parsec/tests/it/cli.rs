//! The command line, run as a real process: init, serve's refusal, user management, backup.

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub fn parsec(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_parsec"));
    cmd.args(args)
        .env_remove("PARSEC_ADMIN_PASSWORD")
        .env_remove("PARSEC_PASSWORD")
        .env_remove("PARSEC_DB");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// A new database with its administrator, in `dir`; its path.
fn init_db(dir: &tempfile::TempDir) -> String {
    let db = dir.path().join("p.db").to_str().unwrap().to_string();
    let o = parsec(
        &["init", "--db", &db, "--admin", "chef"],
        &[("PARSEC_ADMIN_PASSWORD", "un mot de passe sûr")],
    );
    assert!(o.status.success(), "{}", text(&o));
    db
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn version_and_help() {
    let o = parsec(&["--version"], &[]);
    assert!(o.status.success());
    assert!(text(&o).contains(env!("CARGO_PKG_VERSION")));
    for sub in [
        &["serve", "--help"][..],
        &["demo", "--help"],
        &["init", "--help"],
        &["user", "add", "--help"],
        &["backup", "--help"],
        &["audit", "verify", "--help"],
    ] {
        assert!(parsec(sub, &[]).status.success(), "{sub:?}");
    }
}

#[test]
fn serve_refuses_a_database_that_was_never_initialised() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let db = db.to_str().unwrap();
    let o = parsec(&["serve", "--db", db, "--addr", "127.0.0.1:0"], &[]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(t.contains("parsec init") && t.lines().count() == 1, "{t}");
}

#[test]
fn init_user_management_and_backup() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let db = db.to_str().unwrap();
    let o = parsec(
        &["init", "--db", db, "--admin", "chef"],
        &[("PARSEC_ADMIN_PASSWORD", "court")],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("10 caractères"), "{}", text(&o));
    assert!(
        !std::path::Path::new(db).exists(),
        "a refused init leaves no database behind"
    );

    let o = parsec(
        &["init", "--db", db, "--admin", "chef"],
        &[("PARSEC_ADMIN_PASSWORD", "un mot de passe sûr")],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = parsec(
        &["init", "--db", db, "--admin", "autre"],
        &[("PARSEC_ADMIN_PASSWORD", "un mot de passe sûr")],
    );
    assert!(!o.status.success(), "init never overwrites");
    let o = parsec(&["demo", "--db", db, "--addr", "127.0.0.1:0"], &[]);
    assert!(
        !o.status.success(),
        "demo never announces demo passwords for a real database"
    );
    assert!(
        text(&o).contains("pas une base de démonstration"),
        "{}",
        text(&o)
    );

    let o = parsec(
        &[
            "user",
            "add",
            "--db",
            db,
            "--login",
            "inspectrice",
            "--role",
            "inspecteur",
        ],
        &[("PARSEC_PASSWORD", "encore un mot de passe")],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = parsec(
        &[
            "user", "add", "--db", db, "--login", "agent.x", "--role", "agent",
        ],
        &[("PARSEC_PASSWORD", "encore un mot de passe")],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("unité est obligatoire"), "{}", text(&o));
    let o = parsec(
        &["user", "add", "--db", db, "--login", "x", "--role", "chef"],
        &[("PARSEC_PASSWORD", "encore un mot de passe")],
    );
    assert!(!o.status.success());
    let o = parsec(
        &["user", "passwd", "--db", db, "--login", "inspectrice"],
        &[("PARSEC_PASSWORD", "toute nouvelle phrase")],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = parsec(
        &["user", "disable", "--db", db, "--login", "inspectrice"],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = parsec(&["user", "disable", "--db", db, "--login", "personne"], &[]);
    assert!(!o.status.success());

    let copy = dir.path().join("copy.db");
    let copy = copy.to_str().unwrap();
    let o = parsec(&["backup", "--db", db, "--to", copy], &[]);
    assert!(o.status.success(), "{}", text(&o));
    let o = parsec(&["backup", "--db", db, "--to", copy], &[]);
    assert!(!o.status.success(), "a backup never overwrites a file");
    // The copy is a whole database: its audit chain verifies and holds every entry.
    let o = parsec(&["audit", "verify", "--db", copy], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(" 5 entrées"), "{}", text(&o));
}

#[tokio::test]
async fn backup_is_consistent_while_a_write_is_in_flight() {
    let app = crate::support::TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    // A write transaction is open (uncommitted change and audit entry) while the backup runs.
    let mut tx = parsec::db::begin_write(&app.state.db).await.unwrap();
    sqlx::query("UPDATE assets SET status = 'hors_service' WHERE registration = 'TZ-PSC'")
        .execute(&mut *tx)
        .await
        .unwrap();
    parsec::audit::append(
        &mut tx,
        &parsec::audit::Actor::system("test"),
        "update",
        "asset",
        "x",
        "",
    )
    .await
    .unwrap();
    let (db, to) = (
        app.db_path.to_str().unwrap().to_string(),
        copy.to_str().unwrap().to_string(),
    );
    let o = tokio::task::spawn_blocking(move || parsec(&["backup", "--db", &db, "--to", &to], &[]))
        .await
        .unwrap();
    assert!(
        o.status.success(),
        "the backup does not wait for the writer: {}",
        text(&o)
    );
    tx.commit().await.unwrap();
    // The copy holds the state before the write, whole: its chain verifies, without the entry.
    let o = parsec(&["audit", "verify", "--db", copy.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", text(&o));
    let pool = parsec::db::open(&copy, false).await.unwrap();
    let status: String =
        sqlx::query_scalar("SELECT status FROM assets WHERE registration = 'TZ-PSC'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "disponible");
    let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let copied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(copied + 1, live);
}

fn parsec_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_parsec"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// The `parsec mrz --json` contract: one JSON object per document per line, in input order,
/// with the named fields; exit 0 even for invalid documents.
#[test]
fn mrz_json_contract() {
    let input = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n\n\n\
                 I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<\n\n\
                 P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO74O8122F1204159ZE184226B<<<<<19\n\n\
                 IDFRADOUEL<<<<<<<<<<<<<<<<<<<<932013\n0506932020438CHRISTIANE<<NI2906209F3\n\n\
                 not a zone at all\n";
    let o = parsec_stdin(
        &["mrz", "--json", "--today", "2026-11-29"],
        input.as_bytes(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    let keys = [
        "format",
        "valid",
        "document_code",
        "issuing_country",
        "surname",
        "given_names",
        "document_number",
        "nationality",
        "birth_date",
        "birth_date_iso",
        "sex",
        "expiry_date",
        "expiry_date_iso",
        "optional_data",
        "optional_data_2",
        "checks",
        "warnings",
        "errors",
        "repaired",
    ];
    for l in &lines {
        for k in keys {
            assert!(l.get(k).is_some(), "{k} missing in {l}");
        }
    }
    assert_eq!(lines[0]["format"], "TD3");
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["surname"], "ERIKSSON");
    assert_eq!(lines[0]["given_names"], "ANNA MARIA");
    assert_eq!(lines[0]["birth_date"], "740812");
    assert_eq!(lines[0]["birth_date_iso"], "1974-08-12");
    assert_eq!(lines[0]["checks"]["composite"], true);
    assert_eq!(lines[0]["warnings"][0]["code"], "document_expired");
    assert_eq!(lines[1]["format"], "TD1");
    assert_eq!(lines[1]["document_number"], "D23145890734");
    assert_eq!(lines[1]["sex"], "M");
    // An O read for a 0 in the birth date is repaired (the digits prove it); the wrong
    // composite digit is not, so the document stays invalid and unrepaired.
    assert_eq!(lines[2]["valid"], false);
    assert_eq!(lines[2]["checks"]["composite"], false);
    assert_eq!(lines[3]["format"], "FRA_ID_1994");
    assert_ne!(lines[3]["format"], "TD2");
    assert_eq!(lines[4]["format"], "UNKNOWN");
    assert_eq!(lines[4]["valid"], false);
    assert_eq!(lines[4]["errors"][0]["code"], "unknown_format");
}

#[test]
fn mrz_summary_and_unreadable_input() {
    let input = b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO74O8122F12O4159ZE184226B<<<<<1O\n";
    let o = parsec_stdin(&["mrz", "--today", "2026-11-29"], input);
    assert!(o.status.success());
    let fr = String::from_utf8(o.stdout).unwrap();
    assert!(
        fr.contains("VALIDE") && fr.contains("Réparé : ligne 2 colonne 16 O→0"),
        "{fr}"
    );
    let o = parsec_stdin(&["mrz", "--lang", "en", "--today", "2026-11-29"], input);
    let en = String::from_utf8(o.stdout).unwrap();
    assert!(
        en.contains("VALID") && en.contains("Repaired: line 2 column 16 O→0")
            || en.contains("Repaired : line 2 column 16 O→0"),
        "{en}"
    );
    // A stray byte is one bad character in its document, not a failed batch.
    let o = parsec_stdin(&["mrz", "--json"], b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<\xff\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], false);
    // Input that cannot be read at all (a directory) is the one failure.
    let o = Command::new(env!("CARGO_BIN_EXE_parsec"))
        .args(["mrz", "--json"])
        .stdin(std::fs::File::open("/").unwrap())
        .output()
        .unwrap();
    assert!(
        !o.status.success(),
        "input that cannot be read is the one failure"
    );
    assert_eq!(text(&o).lines().count(), 1);
}

/// The queries are answered on every core, and the lines still come in the queries' order.
#[test]
fn screen_answers_in_the_queries_order_whatever_the_cores() {
    let dir = tempfile::tempdir().unwrap();
    let wl = dir.path().join("watchlist.csv");
    let qs = dir.path().join("queries.csv");
    std::fs::write(
        &wl,
        "id,full_name,birth_date,nationality,aliases\nW1,Amadou Traoré,1980-01-01,ML,\n",
    )
    .unwrap();
    let mut queries = String::from("query_id,full_name,birth_date,nationality\n");
    for i in 0..101 {
        queries.push_str(&format!("Q{i:03},Amadou Traore {i},,ML\n"));
    }
    std::fs::write(&qs, queries).unwrap();
    let o = parsec(
        &[
            "screen",
            "--watchlist",
            wl.to_str().unwrap(),
            "--queries",
            qs.to_str().unwrap(),
            "--json",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let ids: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["query_id"].to_string())
        .collect();
    let expected: Vec<String> = (0..101).map(|i| format!("\"Q{i:03}\"")).collect();
    assert_eq!(ids, expected);
}

/// The `parsec screen --json` contract: one line per query, in order, candidates best first
/// with id, score and decision; the figures on standard error.
#[test]
fn screen_json_contract() {
    let dir = tempfile::tempdir().unwrap();
    let wl = dir.path().join("watchlist.csv");
    let qs = dir.path().join("queries.csv");
    std::fs::write(
        &wl,
        "id,full_name,birth_date,nationality,aliases\n\
         W1,Mohamed Ould Ahmed,1975-03-02,MR,\n\
         W2,Amadou Traoré,1980-01-01,ML,TRAORE Amadou\n\
         W3,Aïssata Diallo,1990,ML,عائشة ديالو\n\
         W4,Boubacar Koné,,BF,\n",
    )
    .unwrap();
    std::fs::write(
        &qs,
        "query_id,full_name,birth_date,nationality,extra\n\
         Q1,Mohamed Ould Ahmed,1975-03-02,MR,x\n\
         Q2,TRAORE AMADU,1980-01-01,ML,x\n\
         Q3,Jean Dupont,1960-05-05,FR,x\n",
    )
    .unwrap();
    let o = parsec(
        &[
            "screen",
            "--watchlist",
            wl.to_str().unwrap(),
            "--queries",
            qs.to_str().unwrap(),
            "--top",
            "2",
            "--json",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines[0].starts_with("{\"query_id\":\"Q1\",\"candidates\":[{\"id\":\"W1\",\"score\":"),
        "{}",
        lines[0]
    );
    let v: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v[0]["candidates"][0]["decision"], "alerte");
    assert_eq!(v[1]["candidates"][0]["id"], "W2");
    assert!(
        v[2]["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["decision"] == "aucune")
    );
    assert!(v[0]["candidates"].as_array().unwrap().len() <= 2);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("requêtes/s") && err.contains("Mio"), "{err}");
    // A watchlist without its columns is refused with the file and the column named.
    std::fs::write(&wl, "id,name\nW1,x\n").unwrap();
    let o = parsec(
        &[
            "screen",
            "--watchlist",
            wl.to_str().unwrap(),
            "--queries",
            qs.to_str().unwrap(),
            "--json",
        ],
        &[],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("full_name"), "{}", text(&o));
}

/// Watchlist import: refused rows named with their line and reason and nothing loaded; a clean
/// file loaded whole; a new version replaces the old one, which stays; all audited.
#[test]
fn watchlist_import_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = init_db(&dir);
    let db = db.as_str();
    let file = dir.path().join("list.csv");
    let f = file.to_str().unwrap();
    std::fs::write(
        &file,
        "id,full_name,birth_date,nationality,aliases,reason,instruction\n\
         A1,Amadou Traoré,1980-01-01,ML,TRAORE Amadou,motif,arreter\n\
         A2,,1980-01-01,ML,,,\n\
         A3,Fatoumata Diallo,1990-13-40,ML,,,\n\
         A4,Moussa Keita,1975,MALI,,,\n\
         A1,Ali Touré,,ML,,,\n\
         A6,Ibrahim Cissé,,ML,,,à voir\n\
         A7,Seydou Koné,,BF\n",
    )
    .unwrap();
    let import = |version: &str, extra: &[&str]| {
        let mut args = vec![
            "watchlist",
            "import",
            "--db",
            db,
            "--file",
            f,
            "--name",
            "Liste nationale",
            "--authority",
            "DGSE",
            "--version",
            version,
        ];
        args.extend_from_slice(extra);
        parsec(&args, &[])
    };
    let o = import("2026-11", &[]);
    assert!(!o.status.success());
    let t = text(&o);
    for expected in [
        "ligne 3 : id et full_name",
        "ligne 4 : date",
        "ligne 5 : nationalité",
        "ligne 6 : identifiant « A1 » en double",
        "ligne 7 : instruction",
        "ligne 8 : 4 colonnes",
        "rien n'a été chargé",
    ] {
        assert!(t.contains(expected), "{expected} missing in: {t}");
    }
    let count = |sql: &str| -> i64 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let pool = parsec::db::open(std::path::Path::new(db), false)
                .await
                .unwrap();
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
                .fetch_one(&pool)
                .await
                .unwrap()
        })
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM watchlist_entries"),
        0,
        "nothing half-loaded"
    );
    let o = import("2026-11", &["--skip-invalid"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("Liste chargée : 1 entrées, 6 lignes refusées"),
        "{}",
        text(&o)
    );
    std::fs::write(&file, "id,full_name,birth_date,nationality,aliases\nB1,Amadou Traoré,1980-01-01,ML,\nB2,Aïssata Maïga,,ML,\n").unwrap();
    let o = import("2026-11", &[]);
    assert!(!o.status.success(), "the same version twice is refused");
    let o = import("2026-12", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("remplace la version"));
    // The progress is shown on standard error (a line per 10 % when it is not a terminal).
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("[####################] 100 % · "),
        "{}",
        text(&o)
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM watchlists WHERE status = 'active'"),
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM watchlists WHERE status = 'replaced'"),
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM watchlist_entries"),
        3,
        "the replaced version stays for audit"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND entity = 'watchlist'"),
        2
    );
    assert!(
        parsec(&["audit", "verify", "--db", db], &[])
            .status
            .success()
    );
}

/// The UN Security Council consolidated list (the shared 2018 sample) and the FollowTheMoney
/// JSON lines import: persons taken, entities skipped, bad lines named.
#[test]
fn watchlist_import_un_xml_and_ftm() {
    let dir = tempfile::tempdir().unwrap();
    let db = init_db(&dir);
    let db = db.as_str();
    let un = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/un-sc-consolidated-sample.xml"
    );
    let o = parsec(
        &[
            "watchlist",
            "import",
            "--db",
            db,
            "--file",
            un,
            "--format",
            "un-xml",
            "--name",
            "ONU CSNU",
            "--authority",
            "ONU",
            "--version",
            "2018-10-29",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("Liste chargée : 25 entrées, 0 lignes refusées"),
        "{}",
        text(&o)
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (name, birth, aliases): (String, Option<String>, String) = rt.block_on(async {
        let pool = parsec::db::open(std::path::Path::new(db), false).await.unwrap();
        sqlx::query_as("SELECT full_name, birth_date, aliases FROM watchlist_entries WHERE external_id = 'KPi.037'").fetch_one(&pool).await.unwrap()
    });
    assert_eq!(
        (name.as_str(), birth.as_deref(), aliases.as_str()),
        ("CHANG CHANG HA", Some("1964-01-10"), "Jang Chang Ha")
    );
    let ftm = dir.path().join("ftm.json");
    std::fs::write(
        &ftm,
        concat!(
            r#"{"id":"os-1","schema":"Person","properties":{"name":["Amadou Kouffa"],"alias":["Hamadoun Kouffa"],"birthDate":["1961"],"nationality":["ml"],"topics":["sanction"]}}"#, "\n",
            r#"{"id":"os-2","schema":"Organization","properties":{"name":["Katiba Macina"]}}"#, "\n",
            "not json\n",
            r#"{"id":"os-3","schema":"Person","properties":{"name":["Iyad Ag Ghaly"],"birthDate":["1954-13-01"]}}"#, "\n",
        ),
    )
    .unwrap();
    let args = [
        "watchlist",
        "import",
        "--db",
        db,
        "--file",
        ftm.to_str().unwrap(),
        "--format",
        "ftm",
        "--name",
        "OpenSanctions",
        "--authority",
        "OpenSanctions",
        "--version",
        "1",
    ];
    let o = parsec(&args, &[]);
    assert!(!o.status.success());
    let t = text(&o);
    // A birth date that does not read keeps the person (a listed person must not vanish for
    // a typo in the list): the year is kept and the date as given goes into the reason.
    assert!(
        t.contains("ligne 3 : JSON invalide") && !t.contains("ligne 4"),
        "{t}"
    );
    let mut skip = args.to_vec();
    skip.push("--skip-invalid");
    let o = parsec(&skip, &[]);
    assert!(
        text(&o).contains("Liste chargée : 2 entrées, 1 lignes refusées"),
        "{}",
        text(&o)
    );
    let (birth, reason): (Option<String>, String) = rt.block_on(async {
        let pool = parsec::db::open(std::path::Path::new(db), false)
            .await
            .unwrap();
        sqlx::query_as(
            "SELECT birth_date, reason FROM watchlist_entries WHERE external_id = 'os-3'",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    });
    assert_eq!(birth.as_deref(), Some("1954"));
    assert!(reason.contains("« 1954-13-01 »"), "{reason}");
}

#[test]
fn retention_runs_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = init_db(&dir);
    let o = parsec(&["retention", "run", "--db", &db, "--days", "30"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Purge : 0 passages"), "{}", text(&o));
    let o = parsec(&["retention", "run", "--db", &db, "--days", "-3"], &[]);
    assert!(!o.status.success());
}

#[test]
fn goods_categories_are_kept_by_the_administrators() {
    let dir = tempfile::tempdir().unwrap();
    let db = init_db(&dir);
    let o = parsec(&["goods-category", "list", "--db", &db], &[]);
    assert!(
        text(&o).contains("cereales\tCéréales\tCereals"),
        "{}",
        text(&o)
    );
    let o = parsec(
        &[
            "goods-category",
            "set",
            "--db",
            &db,
            "--code",
            "engrais",
            "--fr",
            "Engrais",
            "--en",
            "Fertiliser",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = parsec(
        &["goods-category", "retire", "--db", &db, "--code", "motos"],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = parsec(&["goods-category", "list", "--db", &db], &[]);
    let t = text(&o);
    assert!(
        t.contains("engrais\tEngrais\tFertiliser")
            && t.contains("motos\tMotos\tMotorbikes (retirée)"),
        "{t}"
    );
    let o = parsec(
        &[
            "goods-category",
            "set",
            "--db",
            &db,
            "--code",
            "Bad Code!",
            "--fr",
            "x",
            "--en",
            "x",
        ],
        &[],
    );
    assert!(!o.status.success());
    let o = parsec(
        &[
            "goods-category",
            "retire",
            "--db",
            &db,
            "--code",
            "inconnue",
        ],
        &[],
    );
    assert!(!o.status.success());
}

/// How many signing seeds the database holds (none: the key is a file of its own).
async fn seeds_in(pool: &parsec::db::Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM meta WHERE key LIKE '%signing%'")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn mode(path: &str) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The node's signing key lives in a key file beside the database, owner-only, never in the
/// database; the database and its backups are owner-only too.
#[tokio::test]
async fn the_signing_key_is_a_private_file_and_no_copy_of_the_database_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = init_db(&dir);
    assert_eq!(mode(&db), 0o600);
    let o = parsec(&["exchange", "key", "--db", &db], &[]);
    assert!(o.status.success(), "{}", text(&o));
    let public = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert_eq!(public.len(), 64, "{public}");
    let key_file = format!("{db}.key");
    assert_eq!(mode(&key_file), 0o600);
    assert_eq!(std::fs::read_to_string(&key_file).unwrap().trim().len(), 64);
    // The same key next time; nothing of it in the database.
    let o = parsec(&["exchange", "key", "--db", &db], &[]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), public);
    let pool = parsec::db::open(std::path::Path::new(&db), false)
        .await
        .unwrap();
    assert_eq!(seeds_in(&pool).await, 0);
    // A backup is owner-only.
    let copy = dir.path().join("copy.db").to_str().unwrap().to_string();
    let o = parsec(&["backup", "--db", &db, "--to", &copy], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(mode(&copy), 0o600);
    // The key file may live elsewhere.
    let elsewhere = dir.path().join("keys").join("node.key");
    std::fs::create_dir(elsewhere.parent().unwrap()).unwrap();
    let elsewhere = elsewhere.to_str().unwrap();
    let o = parsec(
        &["exchange", "key", "--db", &db, "--key-file", elsewhere],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_ne!(String::from_utf8_lossy(&o.stdout).trim(), public);
    assert_eq!(mode(elsewhere), 0o600);
    // A node of an earlier version had its seed in the database: it moves out, same key.
    let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    sqlx::query("INSERT INTO meta (key, value) VALUES ('exchange_signing_key', ?)")
        .bind(seed)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    std::fs::remove_file(&key_file).unwrap();
    let o = parsec(&["exchange", "key", "--db", &db], &[]);
    assert!(o.status.success(), "{}", text(&o));
    // RFC 8032's first test vector: this seed's public key.
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    assert_eq!(std::fs::read_to_string(&key_file).unwrap().trim(), seed);
    let pool = parsec::db::open(std::path::Path::new(&db), false)
        .await
        .unwrap();
    assert_eq!(seeds_in(&pool).await, 0);
}
