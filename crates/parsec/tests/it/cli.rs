//! The command line, run as a real process: init, serve's refusal, user management, backup.

use std::process::{Command, Output};

fn parsec(args: &[&str], env: &[(&str, &str)]) -> Output {
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

fn text(o: &Output) -> String {
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
