//! What keeps the pages and the purge fast when years of a region are in the database: an
//! index behind every foreign key and filter, work in short batches.

use crate::support::TestApp;

/// Each foreign key is the first column of an index: deleting a parent (the retention purge)
/// otherwise scans the child table once per row.
#[tokio::test]
async fn every_foreign_key_has_its_index() {
    let app = TestApp::spawn().await;
    let missing: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.name, fk.\"from\"
         FROM sqlite_master t, pragma_foreign_key_list(t.name) fk
         WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%'
           AND NOT EXISTS (
             SELECT 1 FROM pragma_index_list(t.name) il, pragma_index_info(il.name) ii
             WHERE ii.seqno = 0 AND ii.name = fk.\"from\")
           AND NOT EXISTS (
             SELECT 1 FROM pragma_table_info(t.name) ti WHERE ti.pk = 1 AND ti.name = fk.\"from\")
         ORDER BY 1, 2",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    // Forces and units are never deleted (the counts per unit are read by day first).
    let tolerated = [
        ("assets", "force_id"),
        ("units", "force_id"),
        ("flow_goods", "unit_id"),
        ("flow_people", "unit_id"),
        ("flow_vehicles", "unit_id"),
    ];
    let missing: Vec<_> = missing
        .into_iter()
        .filter(|(t, c)| !tolerated.contains(&(t.as_str(), c.as_str())))
        .collect();
    assert!(
        missing.is_empty(),
        "foreign keys without an index: {missing:?}"
    );
}

/// Years of crossings go in short transactions, each with its audit entry.
#[tokio::test]
async fn the_purge_goes_in_batches_each_audited() {
    let app = TestApp::spawn().await;
    let unit = app.unit_id("Poste frontière de Koro").await;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4500)
         INSERT INTO crossings (id, submission_id, unit_id, crossed_at, recorded_by, direction,
                                mode, surname, screening)
         SELECT 'old-' || i, 'old-' || i, ?1,
                strftime('%Y-%m-%dT%H:%M:%SZ', '2015-01-01', '+' || i || ' minutes'),
                'agent.koro', 'entree', 'pied', 'TRAORE', 'aucune' FROM n",
    )
    .bind(&unit)
    .execute(&app.state.db)
    .await
    .unwrap();
    let actor = parsec::audit::Actor::system("retention");
    let purged =
        parsec::border::retention::run(&app.state, &actor, parsec::config::DEFAULT_RETENTION_DAYS)
            .await
            .unwrap();
    assert_eq!(purged.crossings, 4500);
    let batches: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'purge' ORDER BY seq")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(batches.len(), 3, "{batches:?}");
    assert!(batches[0].contains("crossings=2000"), "{batches:?}");
    assert!(batches[2].contains("crossings=500"), "{batches:?}");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crossings")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
}
