//! Faults a post lives with: a full disk, a power cut. The server must come back by itself and
//! lose nothing it acknowledged.

use crate::support::TestApp;

/// Fills the database up to its size limit with a ballast table the test owns.
async fn fill_up(app: &TestApp) {
    sqlx::query("CREATE TABLE ballast (b BLOB NOT NULL)")
        .execute(&app.state.db)
        .await
        .unwrap();
    for size in [1_000_000, 100_000, 10_000, 1_000, 100] {
        while sqlx::query("INSERT INTO ballast (b) VALUES (zeroblob(?))")
            .bind(size)
            .execute(&app.state.db)
            .await
            .is_ok()
        {}
    }
}

async fn health(app: &TestApp) -> (u16, String) {
    let res = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn after_a_full_disk_the_server_recovers_by_itself() {
    let app = TestApp::spawn_limited(|_| {}, Some(12 * 1024 * 1024)).await;
    let mut admin = app.login("admin").await;
    assert_eq!(health(&app).await.0, 200);
    fill_up(&app).await;
    // The last free bytes in existing pages go first; then every login, which needs a new
    // page for its audit entry, fails cleanly: more attempts than the pool has connections, so
    // that each connection meets the full disk, some of them inside a transaction.
    let mut first = None;
    for i in 0..200 {
        if app.client().login("inspecteur", "demo").await.status() == 500 {
            first = Some(i);
            break;
        }
    }
    assert!(first.is_some(), "the database never filled up");
    for _ in 0..20 {
        let res = app.client().login("inspecteur", "demo").await;
        assert_eq!(res.status(), 500);
        let body = res.text().await.unwrap();
        assert!(!body.contains("transaction depth"), "{body}");
    }
    // Reads still work; the health check says what is wrong.
    assert_eq!(admin.get("/units").await.status(), 200);
    let (status, body) = health(&app).await;
    assert_eq!(status, 503);
    assert!(body.contains("database cannot write"), "{body}");
    // Space comes back: no restart, every write and login works again, on every connection.
    sqlx::query("DROP TABLE ballast")
        .execute(&app.state.db)
        .await
        .unwrap();
    for _ in 0..20 {
        let res = app.client().login("inspecteur", "demo").await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let res = admin.post_form("/lang", &[("lang", "en")]).await;
        assert_eq!(res.status(), 303);
    }
    assert_eq!(health(&app).await.0, 200);
    // The audit chain is whole: nothing half-written by the failed writes.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_parsec"))
        .args(["audit", "verify", "--db"])
        .arg(&app.db_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
