//! The audit chain: every write leaves an entry, reads of personal data too, and
//! `parsec audit verify` names the first entry that was altered, deleted or moved.

use std::process::Command;

use crate::support::TestApp;

fn verify(db: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_parsec"))
        .args(["audit", "verify", "--db"])
        .arg(db)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

async fn sql(app: &TestApp, statement: &str) {
    sqlx::query(sqlx::AssertSqlSafe(statement))
        .execute(&app.state.db)
        .await
        .unwrap();
}

/// Someone with the file can drop the guard triggers; the chain still tells.
async fn drop_guards(app: &TestApp) {
    sql(app, "DROP TRIGGER audit_log_no_update").await;
    sql(app, "DROP TRIGGER audit_log_no_delete").await;
}

#[tokio::test]
async fn an_intact_chain_verifies() {
    let app = TestApp::spawn().await;
    let (code, text) = verify(&app.db_path);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("intacte"), "{text}");
}

#[tokio::test]
async fn the_log_refuses_updates_and_deletes() {
    let app = TestApp::spawn().await;
    let e = sqlx::query("UPDATE audit_log SET detail = 'x' WHERE seq = 1")
        .execute(&app.state.db)
        .await;
    assert!(e.is_err());
    let e = sqlx::query("DELETE FROM audit_log WHERE seq = 1")
        .execute(&app.state.db)
        .await;
    assert!(e.is_err());
}

#[tokio::test]
async fn an_altered_entry_is_named() {
    let app = TestApp::spawn().await;
    drop_guards(&app).await;
    sql(
        &app,
        "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 7",
    )
    .await;
    let (code, text) = verify(&app.db_path);
    assert_ne!(code, 0);
    assert!(text.contains("l'entrée 7 "), "{text}");
}

#[tokio::test]
async fn a_deleted_entry_is_named() {
    let app = TestApp::spawn().await;
    drop_guards(&app).await;
    sql(&app, "DELETE FROM audit_log WHERE seq = 12").await;
    let (code, text) = verify(&app.db_path);
    assert_ne!(code, 0);
    assert!(text.contains("l'entrée 12 "), "{text}");
}

#[tokio::test]
async fn reordered_entries_are_named() {
    let app = TestApp::spawn().await;
    drop_guards(&app).await;
    // Swap entries 20 and 21 (their contents change places, the sequence numbers stay).
    sql(&app, "UPDATE audit_log SET seq = -1 WHERE seq = 20").await;
    sql(&app, "UPDATE audit_log SET seq = 20 WHERE seq = 21").await;
    sql(&app, "UPDATE audit_log SET seq = 21 WHERE seq = -1").await;
    let (code, text) = verify(&app.db_path);
    assert_ne!(code, 0);
    assert!(text.contains("l'entrée 20 "), "{text}");
}

#[tokio::test]
async fn an_entry_forged_in_the_middle_is_named() {
    let app = TestApp::spawn().await;
    drop_guards(&app).await;
    // Make room after 30 and insert a plausible entry there, with a self-consistent hash.
    sql(
        &app,
        "UPDATE audit_log SET seq = seq + 100000 WHERE seq > 30",
    )
    .await;
    sql(
        &app,
        "UPDATE audit_log SET seq = seq - 100000 + 1 WHERE seq > 100000",
    )
    .await;
    let prev: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 30")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let canon = serde_json::json!([31, "2026-01-01T00:00:00Z", "admin", "read", "user", "x", ""])
        .to_string();
    let hash = parsec::audit::entry_hash(&prev, &canon);
    sqlx::query("INSERT INTO audit_log VALUES (31, '2026-01-01T00:00:00Z', 'admin', 'read', 'user', 'x', '', ?, ?)")
        .bind(&prev)
        .bind(&hash)
        .execute(&app.state.db)
        .await
        .unwrap();
    let (code, text) = verify(&app.db_path);
    assert_ne!(code, 0);
    assert!(text.contains("l'entrée 32 "), "{text}");
}

#[tokio::test]
async fn writes_and_personal_data_reads_are_audited_and_inspectors_browse_them() {
    let app = TestApp::spawn().await;
    let mut admin = app.login("admin").await;
    let user: String = sqlx::query_scalar("SELECT id FROM users WHERE login = 'agent.koro'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        admin.get(&format!("/admin/users/{user}")).await.status(),
        200
    );
    let reads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND entity = 'user' AND entity_id = ? AND actor = 'admin'")
        .bind(&user)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(reads, 1);

    let mut insp = app.login("inspecteur").await;
    let (status, html) = insp.get_text("/audit?actor=admin&action=read").await;
    assert_eq!(status, 200);
    assert!(html.contains(&user));
    // In words, with a link to what the entry names.
    let row = html
        .split(&format!("href=\"/admin/users/{user}\""))
        .nth(1)
        .unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.starts_with(&format!(">Compte {user}</a>")), "{row}");
    assert!(row.contains("<td>lecture</td>"), "{row}");
    let (_, html) = insp.get_text("/audit/verify").await;
    assert!(html.contains("Chaîne intacte"), "{html}");
    assert!(!html.contains("<table"), "no empty table: {html}");
    let (_, json) = insp
        .get_text("/api/v1/audit?entity=asset&action=create")
        .await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total"], 32, "one entry per demo asset");
}

#[tokio::test]
async fn an_entry_slipped_in_before_the_first_is_named() {
    let app = TestApp::spawn().await;
    sql(&app, "INSERT INTO audit_log VALUES (0, '2026-01-01T00:00:00Z', 'x', 'read', 'user', 'x', '', '', '')").await;
    let (code, text) = verify(&app.db_path);
    assert_ne!(code, 0);
    assert!(text.contains("l'entrée 0 "), "{text}");
}

#[tokio::test]
async fn reading_the_user_list_is_audited() {
    let app = TestApp::spawn().await;
    let mut admin = app.login("admin").await;
    assert_eq!(admin.get("/admin/users").await.status(), 200);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND entity = 'user' AND entity_id = '*'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
}
