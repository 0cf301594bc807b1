//! The fault harness of the offline posts (issue 11): a regional node and two posts, each a
//! real `parsec` process on 127.0.0.1 with its own SQLite file, linked through a small proxy
//! of ours that cuts, corrupts or drops the traffic. After each scenario: nothing lost,
//! nothing twice, every node holding the same data for its scope (a digest per table), every
//! concurrent edit of one field visible as a conflict.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use parsec::app::AppState;
use parsec::audit::Actor;
use parsec::border::crossing::{self, CrossingInput, Place};
use parsec::border::model::{Direction, Mode};
use parsec::config::Config;
use sha2::{Digest, Sha256};

use crate::cli::text;
use crate::proxy::{Fault, Proxy};

const KORO: &str = "Poste frontière de Koro";
const OUENKORO: &str = "Poste frontière de Ouenkoro";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parsec"))
        .args(args)
        .env_remove("PARSEC_DB")
        .output()
        .unwrap()
}

/// The regional node, served by a real process.
struct Regional {
    db: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Regional {
    fn start(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_parsec"))
            .args([
                "serve",
                "--db",
                self.db.to_str().unwrap(),
                "--addr",
                &format!("127.0.0.1:{}", self.port),
                "--sync-every",
                "0",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "regional node not up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// kill -9: no clean shutdown.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Regional {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A region: the regional node (its data: the demo registry and accounts), two posts enrolled
/// through the proxy.
struct Region {
    _dir: tempfile::TempDir,
    regional: Regional,
    proxy: Proxy,
    posts: Vec<PathBuf>,
}

async fn state_of(db: &Path) -> AppState {
    let pool = parsec::db::open(db, false).await.unwrap();
    AppState::new(
        pool,
        Config::new(db.to_path_buf(), "127.0.0.1:0".parse().unwrap()),
    )
    .await
    .unwrap()
}

impl Region {
    async fn start() -> Region {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("regional.db");
        let mut codes = Vec::new();
        {
            let pool = parsec::db::open(&db, true).await.unwrap();
            let state = AppState::new(
                pool,
                Config::new(db.clone(), "127.0.0.1:0".parse().unwrap()),
            )
            .await
            .unwrap();
            parsec::registry::demo::seed(&state).await.unwrap();
            let actor = Actor::system("test");
            parsec::sync::init(
                &state,
                &actor,
                parsec::sync::Role::Regional,
                "Centre régional",
                "Légion de gendarmerie de Mopti — état-major",
            )
            .await
            .unwrap();
            for unit in [KORO, OUENKORO] {
                let (_, code) = parsec::sync::register_post(&state, &actor, unit, unit)
                    .await
                    .unwrap();
                codes.push(code);
            }
            state.db.close().await;
        }
        let mut regional = Regional {
            db,
            port: free_port(),
            child: None,
        };
        regional.start();
        let proxy = Proxy::start(regional.port).await;
        let mut posts = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let post = dir.path().join(format!("post{i}.db"));
            let o = run(&[
                "node",
                "enrol",
                "--db",
                post.to_str().unwrap(),
                "--regional",
                &proxy.url(),
                "--code",
                code,
            ]);
            assert!(o.status.success(), "{}", text(&o));
            posts.push(post);
        }
        Region {
            _dir: dir,
            regional,
            proxy,
            posts,
        }
    }

    fn sync(&self, post: usize) -> Output {
        run(&["sync", "--db", self.posts[post].to_str().unwrap()])
    }

    fn sync_ok(&self, post: usize) -> String {
        let o = self.sync(post);
        assert!(o.status.success(), "{}", text(&o));
        text(&o)
    }
}

fn traveller(i: usize, tag: &str) -> CrossingInput {
    CrossingInput {
        submission_id: format!("{tag}-{i}"),
        direction: if i.is_multiple_of(2) {
            Direction::Entree
        } else {
            Direction::Sortie
        },
        mode: Mode::Pied,
        purpose: String::new(),
        origin: Place::default(),
        destination: Place::default(),
        surname: format!("SAWADOGO{}", i % 7),
        given_names: "Issa".into(),
        sex: "M".into(),
        birth_date: Some("1984-03-02".into()),
        birth_approximate: false,
        nationality: Some(if i.is_multiple_of(3) { "BF" } else { "ML" }.into()),
        document_code: String::new(),
        document_number: String::new(),
        document_country: String::new(),
        document_expiry: None,
        mrz: Vec::new(),
        mrz_warnings: Vec::new(),
        correction: None,
    }
}

/// `n` crossings recorded at the post's own unit, as its agent would (the post offline).
async fn record_crossings(post: &Path, unit: &str, n: usize, tag: &str) {
    let state = state_of(post).await;
    let unit_id: String = sqlx::query_scalar("SELECT id FROM units WHERE name = ?")
        .bind(unit)
        .fetch_one(&state.db)
        .await
        .unwrap();
    let actor = Actor("agent.koro".into());
    let at = parsec::db::now_text();
    for i in 0..n {
        crossing::record(&state, &actor, &unit_id, &traveller(i, tag), &at)
            .await
            .unwrap();
    }
    state.db.close().await;
}

/// A digest of a table's rows (all columns), in key order, with a filter.
async fn digest(db: &Path, table: &str, filter: &str) -> (i64, String) {
    let state = state_of(db).await;
    let cols: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
            .bind(table)
            .fetch_all(&state.db)
            .await
            .unwrap();
    let row = cols
        .iter()
        .map(|c| format!("quote(\"{c}\")"))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    let key = if table == "goods_categories" {
        "code"
    } else {
        "id"
    };
    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT {row} FROM {table} WHERE {filter} ORDER BY {key}"
    )))
    .fetch_all(&state.db)
    .await
    .unwrap();
    state.db.close().await;
    let mut h = Sha256::new();
    for r in &rows {
        h.update(r.as_bytes());
        h.update(b"\n");
    }
    (
        rows.len() as i64,
        h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
    )
}

async fn scalar(db: &Path, sql: &str) -> i64 {
    let state = state_of(db).await;
    let v: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&state.db)
        .await
        .unwrap();
    state.db.close().await;
    v
}

async fn execute(db: &Path, sql: &str) {
    let state = state_of(db).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&state.db)
        .await
        .unwrap();
    state.db.close().await;
}

/// The post's crossings and their daily counts are on the regional node exactly (same rows,
/// same counts), and the region's shared tables are the same everywhere.
async fn converged(region: &Region) {
    let r = &region.regional.db;
    for (i, unit) in [KORO, OUENKORO].iter().enumerate() {
        let p = &region.posts[i];
        let filter = format!("unit_id = (SELECT id FROM units WHERE name = '{unit}')");
        for table in ["crossings", "screening_hits"] {
            assert_eq!(
                digest(p, table, &filter).await,
                digest(r, table, &filter).await,
                "{table} of {unit}"
            );
        }
        let counts = format!("SELECT COALESCE(SUM(people), 0) FROM flow_people WHERE {filter}");
        assert_eq!(
            scalar(p, &counts).await,
            scalar(r, &counts).await,
            "flows of {unit}"
        );
        // The post holds the accounts of its people and the administrators', no other.
        let around = {
            let state = state_of(r).await;
            let unit: String = sqlx::query_scalar("SELECT id FROM units WHERE name = ?")
                .bind(unit)
                .fetch_one(&state.db)
                .await
                .unwrap();
            let ids = parsec::registry::units_around(&state.db, &unit)
                .await
                .unwrap();
            state.db.close().await;
            ids.iter()
                .map(|i| format!("'{i}'"))
                .collect::<Vec<_>>()
                .join(",")
        };
        let people = format!("role = 'admin' OR unit_id IN ({around})");
        assert_eq!(
            digest(p, "users", "1").await,
            digest(r, "users", &people).await
        );
        assert!(
            scalar(r, "SELECT COUNT(*) FROM users").await
                > scalar(p, "SELECT COUNT(*) FROM users").await
        );
        for table in [
            "forces",
            "units",
            "assets",
            "sites",
            "incidents",
            "goods_categories",
        ] {
            assert_eq!(
                digest(p, table, "1").await,
                digest(r, table, "1").await,
                "{table}"
            );
        }
        // Every change of the post is on the regional node once, without a gap.
        let me: String = {
            let state = state_of(p).await;
            let v = parsec::sync::identity(&state.db).await.unwrap().unwrap().id;
            state.db.close().await;
            v
        };
        let mine = format!("SELECT COUNT(*) FROM changes WHERE origin = '{me}'");
        let last = format!("SELECT COALESCE(MAX(seq), 0) FROM changes WHERE origin = '{me}'");
        assert_eq!(scalar(p, &mine).await, scalar(p, &last).await);
        assert_eq!(
            scalar(r, &mine).await,
            scalar(p, &mine).await,
            "changes of {unit}"
        );
        // The other post's personal data never comes down.
        let other = [KORO, OUENKORO][1 - i];
        let theirs = format!(
            "SELECT COUNT(*) FROM crossings WHERE unit_id = (SELECT id FROM units WHERE name = '{other}')"
        );
        assert_eq!(scalar(p, &theirs).await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_recording_offline_converge_through_cuts_corruption_replays_and_kills() {
    let mut region = Region::start().await;
    let koro_crossings = "SELECT COUNT(*) FROM crossings WHERE unit_id = (SELECT id FROM units WHERE name = 'Poste frontière de Koro')";
    // The link is down: the post records all the same; the exchange says why it failed.
    region.proxy.set(Fault::Down);
    record_crossings(&region.posts[0], KORO, 30, "koro-a").await;
    let o = region.sync(0);
    assert!(!o.status.success());
    assert!(text(&o).contains("ne répond pas"), "{}", text(&o));
    assert_eq!(scalar(&region.regional.db, koro_crossings).await, 0);
    region.proxy.set(Fault::None);
    // A batch altered on the way is refused whole: nothing of it is applied.
    region.proxy.set(Fault::CorruptRequest);
    let o = region.sync(0);
    assert!(!o.status.success(), "{}", text(&o));
    assert_eq!(scalar(&region.regional.db, koro_crossings).await, 0);
    // The answer cut midway: the regional node applied the batch, the post does not know it;
    // the next exchange sends it again and nothing is applied twice.
    region.proxy.set(Fault::CutAnswer(120));
    let o = region.sync(0);
    assert!(!o.status.success(), "{}", text(&o));
    assert_eq!(scalar(&region.regional.db, koro_crossings).await, 30);
    region.sync_ok(0);
    assert_eq!(scalar(&region.regional.db, koro_crossings).await, 30);
    // Everything sent again from the start (a replay): nothing changes.
    execute(
        &region.posts[0],
        "UPDATE sync_cursors SET applied = 0 WHERE stream = 'sent'",
    )
    .await;
    region.sync_ok(0);
    assert_eq!(scalar(&region.regional.db, koro_crossings).await, 30);
    // The other post works alone too.
    record_crossings(&region.posts[1], OUENKORO, 12, "ouenkoro-a").await;
    region.sync_ok(1);
    region.sync_ok(0);
    converged(&region).await;
    // kill -9 of the regional node while a large batch goes up, at several moments; then of
    // the post's exchange itself.
    record_crossings(&region.posts[0], KORO, 400, "koro-b").await;
    for delay_ms in [30u64, 150, 400] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_parsec"))
            .args(["sync", "--db", region.posts[0].to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        region.regional.kill();
        let _ = child.wait();
        region.regional.start();
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_parsec"))
        .args(["sync", "--db", region.posts[0].to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = child.kill();
    let _ = child.wait();
    region.sync_ok(0);
    region.sync_ok(1);
    assert_eq!(scalar(&region.regional.db, koro_crossings).await, 430);
    converged(&region).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_posts_editing_one_record_leave_a_visible_conflict_and_the_same_value_everywhere() {
    let region = Region::start().await;
    let asset = "(SELECT id FROM assets WHERE registration = 'GN-VF-01')";
    // Both posts edit the same field, each offline.
    execute(
        &region.posts[0],
        &format!("UPDATE assets SET notes = 'moteur bâbord à réviser' WHERE id = {asset}"),
    )
    .await;
    execute(
        &region.posts[1],
        &format!("UPDATE assets SET notes = 'coque fissurée' WHERE id = {asset}"),
    )
    .await;
    region.sync_ok(0);
    region.sync_ok(1);
    region.sync_ok(0);
    converged(&region).await;
    // The value set aside is kept for a commandant, never dropped.
    let conflicts = "SELECT COUNT(*) FROM sync_conflicts WHERE tbl = 'assets' AND field = 'notes'
                     AND resolved_at IS NULL";
    assert_eq!(scalar(&region.regional.db, conflicts).await, 1);
    let both = format!(
        "SELECT COUNT(*) FROM sync_conflicts c JOIN assets a ON a.id = c.row_id
         WHERE a.id = {asset} AND json_extract(c.lost_value, '$') <> a.notes"
    );
    assert_eq!(scalar(&region.regional.db, &both).await, 1);
    // A later edit made on top of the value in place is no conflict.
    execute(
        &region.posts[1],
        &format!("UPDATE assets SET notes = 'réparé le 4' WHERE id = {asset}"),
    )
    .await;
    region.sync_ok(1);
    region.sync_ok(0);
    converged(&region).await;
    assert_eq!(scalar(&region.regional.db, conflicts).await, 1);
    let fixed = format!("SELECT COUNT(*) FROM assets WHERE id = {asset} AND notes = 'réparé le 4'");
    for db in [&region.regional.db, &region.posts[0], &region.posts[1]] {
        assert_eq!(scalar(db, &fixed).await, 1);
    }
    // An incident known everywhere; each post, offline, sends the same boat to it.
    execute(
        &region.regional.db,
        "INSERT INTO incidents (id, created_at, created_by, unit_id, occurred_at, lat, lon,
         geo_precision, event_type, sub_event_type, status, submission_id)
         VALUES ('incident-1', '2026-12-05T06:00:00Z', 'operations',
                 (SELECT id FROM units WHERE name = 'Poste frontière de Koro'),
                 '2026-12-05T06:00:00Z', 14.51, -4.2, 'exact', 'Riots', 'Mob violence',
                 'signale', 'incident-1')",
    )
    .await;
    region.sync_ok(0);
    region.sync_ok(1);
    for (i, post) in region.posts.iter().enumerate() {
        execute(
            post,
            &format!(
                "INSERT INTO responses (id, incident_id, asset_id, unit_id, mode, rank,
                 dispatched_at, dispatched_by)
                 SELECT 'response-{i}', 'incident-1', id, unit_id, 'river', 1,
                        '2026-12-05T06:10:00Z', 'commandant' FROM assets WHERE id = {asset};
                 UPDATE assets SET status = 'en_mission' WHERE id = {asset};"
            ),
        )
        .await;
    }
    region.sync_ok(0);
    region.sync_ok(1);
    region.sync_ok(0);
    converged(&region).await;
    let twice = "SELECT COUNT(*) FROM sync_conflicts WHERE field = 'dispatch'
                 AND json_extract(lost_value, '$.responses[0]') = 'response-0'
                 AND json_extract(lost_value, '$.responses[1]') = 'response-1'";
    assert_eq!(scalar(&region.regional.db, twice).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_clock_days_ahead_is_told_and_its_records_kept() {
    let region = Region::start().await;
    // The laptop's clock is three days ahead (a dead CMOS battery).
    let ahead = (time::OffsetDateTime::now_utc() + time::Duration::days(3)).unix_timestamp() * 1000;
    execute(
        &region.posts[0],
        &format!("UPDATE sync_clock SET hlc = {} ", ahead << 16),
    )
    .await;
    record_crossings(&region.posts[0], KORO, 5, "koro-skew").await;
    let out = region.sync_ok(0);
    assert!(out.contains("d'avance"), "{out}");
    let flagged = "SELECT COUNT(*) FROM nodes WHERE last_error LIKE 'clock-ahead%'";
    assert_eq!(scalar(&region.regional.db, flagged).await, 1);
    converged(&region).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regional_node_restored_from_yesterdays_backup_gets_again_what_it_lost() {
    let mut region = Region::start().await;
    record_crossings(&region.posts[0], KORO, 10, "koro-1").await;
    region.sync_ok(0);
    let backup = region.regional.db.with_extension("yesterday");
    let o = run(&[
        "backup",
        "--db",
        region.regional.db.to_str().unwrap(),
        "--to",
        backup.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    record_crossings(&region.posts[0], KORO, 15, "koro-2").await;
    region.sync_ok(0);
    // The regional node's disk dies; it is restored from the backup.
    region.regional.kill();
    for suffix in ["-wal", "-shm"] {
        let mut f = region.regional.db.as_os_str().to_owned();
        f.push(suffix);
        let _ = std::fs::remove_file(f);
    }
    std::fs::copy(&backup, &region.regional.db).unwrap();
    region.regional.start();
    let koro = "SELECT COUNT(*) FROM crossings WHERE unit_id = (SELECT id FROM units WHERE name = 'Poste frontière de Koro')";
    assert_eq!(scalar(&region.regional.db, koro).await, 10);
    region.sync_ok(0);
    region.sync_ok(1);
    assert_eq!(scalar(&region.regional.db, koro).await, 25);
    converged(&region).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_that_deletes_the_tail_of_its_audit_chain_is_found_out() {
    let region = Region::start().await;
    record_crossings(&region.posts[0], KORO, 5, "koro-audit").await;
    region.sync_ok(0);
    let o = run(&[
        "audit",
        "verify",
        "--db",
        region.regional.db.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    // Someone with the laptop removes the last entries (the guard trigger dropped first).
    execute(
        &region.posts[0],
        "DROP TRIGGER audit_log_no_delete;
         DELETE FROM audit_log WHERE seq > (SELECT MAX(seq) - 3 FROM audit_log);",
    )
    .await;
    let out = region.sync_ok(0);
    assert!(out.contains("chaîne d'audit"), "{out}");
    let o = run(&[
        "audit",
        "verify",
        "--db",
        region.regional.db.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("rompue"), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_restored_from_a_backup_stops_then_enrols_again_and_loses_nothing() {
    let region = Region::start().await;
    let post = &region.posts[0];
    let backup = post.with_extension("yesterday");
    let o = run(&[
        "backup",
        "--db",
        post.to_str().unwrap(),
        "--to",
        backup.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    record_crossings(post, KORO, 8, "koro-before").await;
    region.sync_ok(0);
    // The laptop's disk dies; yesterday's copy is put back, and the agents go on recording.
    for suffix in ["", "-wal", "-shm"] {
        let mut f = post.as_os_str().to_owned();
        f.push(suffix);
        let _ = std::fs::remove_file(f);
    }
    std::fs::copy(&backup, post).unwrap();
    record_crossings(post, KORO, 3, "koro-after").await;
    // Its new changes reuse numbers the regional node holds: the exchange stops and says why,
    // rather than have them taken for replays.
    let o = region.sync(0);
    assert!(!o.status.success());
    assert!(text(&o).contains("enrol --again"), "{}", text(&o));
    // Enrolled again with a new code, it sends everything under its new id.
    let code = {
        let state = state_of(&region.regional.db).await;
        let (_, code) =
            parsec::sync::register_post(&state, &Actor::system("test"), "Koro bis", KORO)
                .await
                .unwrap();
        state.db.close().await;
        code
    };
    let o = run(&[
        "node",
        "enrol",
        "--again",
        "--db",
        post.to_str().unwrap(),
        "--regional",
        &region.proxy.url(),
        "--code",
        &code,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let koro = "SELECT COUNT(*) FROM crossings WHERE unit_id = (SELECT id FROM units WHERE name = 'Poste frontière de Koro')";
    // The eight recorded before the restore are on the regional node (the post lost its copy
    // with its disk), the three since have come up: none twice.
    assert_eq!(scalar(&region.regional.db, koro).await, 11);
    let me: String = {
        let state = state_of(post).await;
        let v = parsec::sync::identity(&state.db).await.unwrap().unwrap().id;
        state.db.close().await;
        v
    };
    let mine = format!("SELECT COUNT(*) FROM changes WHERE origin = '{me}'");
    assert_eq!(
        scalar(&region.regional.db, &mine).await,
        scalar(post, &mine).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_offline_thirty_days_with_fifty_thousand_records_catches_up() {
    let region = Region::start().await;
    // A month of a busy post, written at once (the change log records each row as the agents'
    // saves would).
    execute(
        &region.posts[0],
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
         INSERT INTO crossings (id, submission_id, unit_id, crossed_at, recorded_by, direction,
                                mode, surname, given_names, nationality, screening, fingerprint)
         SELECT printf('019b0000-0000-7000-8000-%012d', i), 'month-' || i,
                (SELECT id FROM units WHERE name = 'Poste frontière de Koro'),
                strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || (i % 30) || ' days',
                         '-' || (i % 600) || ' minutes'),
                'agent.koro', CASE i % 2 WHEN 0 THEN 'entree' ELSE 'sortie' END, 'pied',
                'TRAORE' || (i % 997), 'Moussa', 'ML', 'aucune', 'f' || i
         FROM n;
         INSERT INTO flow_people (day, unit_id, direction, nationality, mode, people)
         SELECT substr(crossed_at, 1, 10), unit_id, direction, nationality, mode, COUNT(*)
         FROM crossings GROUP BY 1, 2, 3, 4, 5",
    )
    .await;
    region.sync_ok(0);
    let koro = "SELECT COUNT(*) FROM crossings WHERE unit_id = (SELECT id FROM units WHERE name = 'Poste frontière de Koro')";
    assert_eq!(scalar(&region.regional.db, koro).await, 50_000);
    converged(&region).await;
}

/// Batches sent again and in the wrong order, straight to the regional node's endpoint: one
/// that comes after a gap is held back (nothing applied), the one before it is applied, the
/// later one then goes in; the same batch again changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_replayed_and_out_of_order_are_held_back_then_applied_once() {
    use ed25519_dalek::Signer;
    let region = Region::start().await;
    record_crossings(&region.posts[0], KORO, 6, "koro-order").await;
    let state = state_of(&region.posts[0]).await;
    let me = parsec::sync::identity(&state.db).await.unwrap().unwrap().id;
    let key = parsec::node_key::signing_key(&state.db, &state.config.node_key)
        .await
        .unwrap();
    // What the regional node holds already (the enrolment's own entries).
    let base = {
        let r = state_of(&region.regional.db).await;
        let v = parsec::sync::apply::cursor(&r.db, &me).await.unwrap();
        r.db.close().await;
        v
    };
    let first = parsec::sync::apply::own_batch(&state.db, &me, base, 5)
        .await
        .unwrap();
    let second = parsec::sync::apply::own_batch(&state.db, &me, base + 5, 5)
        .await
        .unwrap();
    let last = parsec::sync::apply::own_batch(&state.db, &me, 0, 100_000)
        .await
        .unwrap()
        .last();
    state.db.close().await;
    let http = reqwest::Client::new();
    let push = |batch: &::sync::Batch| {
        let body = parsec::sync::transport::gzip(&::sync::encode(batch));
        let signature: String = key
            .sign(&parsec::sync::transport::signed("/sync/push", "", &body))
            .to_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        http.post(format!(
            "http://127.0.0.1:{}/sync/push",
            region.regional.port
        ))
        .header("x-parsec-node", &me)
        .header("x-parsec-signature", signature)
        .body(body)
        .send()
    };
    let applied = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 200);
        res.json::<serde_json::Value>().await.unwrap()["applied"]
            .as_u64()
            .unwrap()
    };
    // The second batch first: held back.
    assert_eq!(applied(push(&second).await.unwrap()).await, base);
    assert_eq!(applied(push(&first).await.unwrap()).await, base + 5);
    assert_eq!(applied(push(&second).await.unwrap()).await, base + 10);
    // Both again: nothing moves.
    assert_eq!(applied(push(&first).await.unwrap()).await, base + 10);
    assert_eq!(applied(push(&second).await.unwrap()).await, base + 10);
    // The post's own exchange brings the rest, once.
    region.sync_ok(0);
    let mine = format!("SELECT COUNT(*) FROM changes WHERE origin = '{me}'");
    assert_eq!(scalar(&region.regional.db, &mine).await, last as i64);
    converged(&region).await;
}

/// The watchlists go down as versions: the whole list at enrolment, then only what changed;
/// the post checks each version against its signed digest before it screens with it, and its
/// hits name the entries the regional node knows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchlists_go_down_as_verified_versions_and_updates_as_differences() {
    use parsec::screening::import::{Instruction, ListedPerson, Row};
    let region = Region::start().await;
    let active = "SELECT COUNT(*) FROM watchlists WHERE status = 'active'";
    let entries = "watchlist_id IN (SELECT id FROM watchlists WHERE status = 'active')";
    // At enrolment: the demo list, the same version, the same entries under the same ids.
    assert_eq!(scalar(&region.posts[0], active).await, 1);
    assert_eq!(
        digest(&region.posts[0], "watchlist_entries", entries).await,
        digest(&region.regional.db, "watchlist_entries", entries).await
    );
    // Version 2 on the regional node: one person's instruction changed, one added.
    {
        let state = state_of(&region.regional.db).await;
        let rows: Vec<parsec::sync::lists::Wire> = sqlx::query_as(
            "SELECT id, external_id, full_name, aliases, birth_date, nationality, reason,
                    instruction, expires_at
             FROM watchlist_entries WHERE watchlist_id IN
               (SELECT id FROM watchlists WHERE status = 'active') ORDER BY external_id",
        )
        .fetch_all(&state.db)
        .await
        .unwrap();
        let mut people: Vec<ListedPerson> = rows
            .iter()
            .map(|w| {
                let mut p = w.person();
                if p.external_id == "DEMO-003" {
                    p.instruction = Instruction::Arreter;
                }
                p
            })
            .collect();
        people.push(ListedPerson {
            external_id: "DEMO-009".into(),
            full_name: "Abdoulaye Konaté".into(),
            aliases: Vec::new(),
            birth_date: Some("1980-01-01".into()),
            nationality: Some("ML".into()),
            reason: "Fiche fictive de démonstration".into(),
            instruction: Instruction::Arreter,
            expires_at: None,
        });
        let meta = parsec::screening::ListMeta {
            name: "Liste de démonstration (fictive)".into(),
            authority: "parsec (démonstration)".into(),
            version: "2".into(),
            valid_from: None,
            valid_to: None,
            format: "csv",
        };
        parsec::screening::import_rows(&state, &Actor::system("test"), &meta, false, move |sink| {
            for p in people {
                sink(Row::Accepted(p));
            }
            Ok(())
        })
        .await
        .unwrap();
        // What a post holding version 1 receives: two entries of version 1 left out (the
        // changed one and none other), two new ones — not the list.
        let have: Vec<(String, String)> =
            sqlx::query_as("SELECT name, id FROM watchlists WHERE status = 'replaced'")
                .fetch_all(&state.db)
                .await
                .unwrap();
        let offers = parsec::sync::lists::offers(&state.db, &parsec::sync::lists::Held { have })
            .await
            .unwrap();
        assert_eq!(offers.len(), 1);
        assert_eq!((offers[0].drop.len(), offers[0].added), (1, 2));
        state.db.close().await;
    }
    let out = region.sync_ok(0);
    assert!(out.contains("1 versions de listes vérifiées"), "{out}");
    assert_eq!(scalar(&region.posts[0], active).await, 1);
    assert_eq!(
        digest(&region.posts[0], "watchlist_entries", entries).await,
        digest(&region.regional.db, "watchlist_entries", entries).await
    );
    // The new listed person crosses at the post: the post's hit reaches the regional node and
    // names the entry it knows.
    {
        let state = state_of(&region.posts[0]).await;
        parsec::screening::refresh_index(&state).await.unwrap();
        let unit: String = sqlx::query_scalar("SELECT id FROM units WHERE name = ?")
            .bind(KORO)
            .fetch_one(&state.db)
            .await
            .unwrap();
        let mut input = traveller(1, "listed");
        input.surname = "KONATE".into();
        input.given_names = "Abdoulaye".into();
        input.birth_date = Some("1980-01-01".into());
        let r = crossing::record(
            &state,
            &Actor("agent.koro".into()),
            &unit,
            &input,
            &parsec::db::now_text(),
        )
        .await
        .unwrap();
        let screening: String = sqlx::query_scalar("SELECT screening FROM crossings WHERE id = ?")
            .bind(&r.id)
            .fetch_one(&state.db)
            .await
            .unwrap();
        assert_eq!(screening, "alerte");
        // A version whose content does not match its digest is never put in force.
        let mut forged =
            parsec::sync::lists::offers(&state.db, &parsec::sync::lists::Held::default())
                .await
                .unwrap()
                .remove(0);
        forged.id = "forged-version".into();
        forged.version = "3".into();
        forged.base = None;
        assert!(
            parsec::sync::lists::take(&state, &forged, Vec::new())
                .await
                .is_err()
        );
        state.db.close().await;
    }
    assert_eq!(scalar(&region.posts[0], active).await, 1);
    region.sync_ok(0);
    let hits = "SELECT COUNT(*) FROM screening_hits h JOIN watchlist_entries e ON e.id = h.entry_id
                WHERE e.external_id = 'DEMO-009'";
    assert_eq!(scalar(&region.regional.db, hits).await, 1);
    converged(&region).await;
}

/// The regional node reads and searches what a post sealed with its own key, also after the
/// post renewed its key offline (the new key goes up before the changes sealed with it); the
/// post holds no other node's key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_regional_node_reads_what_a_post_sealed_even_after_the_post_renewed_its_key() {
    let region = Region::start().await;
    record_crossings(&region.posts[0], KORO, 3, "koro-sealed").await;
    region.sync_ok(0);
    let o = run(&["keys", "rotate", "--db", region.posts[0].to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    record_crossings(&region.posts[0], KORO, 3, "koro-renewed").await;
    region.sync_ok(0);
    let regional = state_of(&region.regional.db).await;
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, surname FROM crossings WHERE submission_id LIKE 'koro-%' ORDER BY submission_id",
    )
    .fetch_all(&regional.db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 6);
    let kids: std::collections::BTreeSet<u32> = rows
        .iter()
        .map(|(_, s)| fieldcrypt::key_of(s).expect("sealed"))
        .collect();
    assert_eq!(kids.len(), 2, "sealed under the post's old and new keys");
    for (id, surname) in &rows {
        let clear = regional.keys.open("crossings", "surname", id, surname);
        assert!(clear.starts_with("SAWADOGO"), "{id}: {clear}");
    }
    let f = crossing::CrossingFilter {
        search: "sawadogo1".into(),
        ..Default::default()
    };
    let (found, _) = crossing::list(
        &regional,
        &Actor::system("test"),
        &parsec::accounts::Scope::All,
        &f,
    )
    .await
    .unwrap();
    assert_eq!(found.len(), 2, "one of each batch");
    assert!(found.iter().all(|r| r.surname == "SAWADOGO1"));
    regional.db.close().await;
    // Neither the regional node's files nor the post's hold the travellers' names (SAWADOGO0
    // to SAWADOGO6; not SAWADOGO1, which the demo watchlist's clear entry holds as "Sawadogo"
    // then its birth year 1975).
    for db in [&region.regional.db, &region.posts[0]] {
        for suffix in ["", "-wal"] {
            let mut path = db.as_os_str().to_owned();
            path.push(suffix);
            let bytes = std::fs::read(&path).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).to_lowercase();
            for i in [0, 2, 3, 4, 5, 6] {
                let name = format!("sawadogo{i}");
                assert!(!text.contains(&name), "{path:?} holds {name} in clear");
            }
        }
    }
    // The post holds only its own keys (no key ever goes down).
    let foreign = "SELECT COUNT(*) FROM data_keys WHERE owner <> ''
                   AND owner <> (SELECT value FROM meta WHERE key = 'node_id')";
    assert_eq!(scalar(&region.posts[0], foreign).await, 0);
    assert_eq!(scalar(&region.posts[1], foreign).await, 0);
}
