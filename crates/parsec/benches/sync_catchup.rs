//! Catch-up of a post after days offline (issue 11): a regional node serving over loopback, a
//! post enrolled with it that recorded `RECORDS` crossings (default 50,000) alone; the time of
//! the exchange that brings them all up, and the bytes it put on the wire. Then the same for
//! `SLOW_RECORDS` (default 2,000) through our proxy as a VSAT link: 512 kbit/s each way and
//! 600 ms round trip.
//!
//! Last, a watchlist of `LIST_ENTRIES` entries (default 1,000,000) goes down to a post whole,
//! then a version with 1 % of its entries changed goes down as a difference: the bytes of each.
//!
//! `cargo bench -p parsec --bench sync_catchup`

#![allow(clippy::unwrap_used, clippy::expect_used)]

// The fault tests use all of it; the benchmark only the slow link and the byte count.
#[allow(dead_code)]
#[path = "../tests/it/proxy.rs"]
mod proxy;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use parsec::app::AppState;
use parsec::audit::Actor;
use parsec::border::crossing::{self, CrossingInput, Place};
use parsec::border::model::{Direction, Mode};
use parsec::config::Config;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn state(db: &Path, create: bool) -> AppState {
    let pool = parsec::db::open(db, create).await.unwrap();
    AppState::new(
        pool,
        Config::new(db.to_path_buf(), "127.0.0.1:0".parse().unwrap()),
    )
    .await
    .unwrap()
}

/// A regional node serving on loopback; the enrolment codes of `posts` posts of Koro.
async fn regional(dir: &Path, posts: usize) -> (AppState, u16, Vec<String>) {
    let db = dir.join("regional.db");
    let state = state(&db, true).await;
    parsec::registry::demo::seed(&state).await.unwrap();
    let actor = Actor::system("bench");
    parsec::sync::init(
        &state,
        &actor,
        parsec::sync::Role::Regional,
        "Centre régional",
        "Légion de gendarmerie de Mopti — état-major",
    )
    .await
    .unwrap();
    let mut codes = Vec::new();
    for i in 0..posts {
        let name = format!("Poste de Koro {i}");
        let (_, code) =
            parsec::sync::register_post(&state, &actor, &name, "Poste frontière de Koro")
                .await
                .unwrap();
        codes.push(code);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let serving = state.clone();
    tokio::spawn(async move {
        parsec::web::serve::serve_until(serving, listener, std::future::pending())
            .await
            .unwrap()
    });
    (state, port, codes)
}

/// A generated list of `n` people; `changed` in a hundred of them have another reason.
async fn import_list(state: &AppState, n: usize, version: &str, changed: bool) -> f64 {
    use parsec::screening::import::{Instruction, ListedPerson, Row};
    let meta = parsec::screening::ListMeta {
        name: "Liste du banc".into(),
        authority: "banc".into(),
        version: version.into(),
        valid_from: None,
        valid_to: None,
        format: "csv",
    };
    let t = Instant::now();
    parsec::screening::import_rows(state, &Actor::system("bench"), &meta, false, move |sink| {
        for i in 0..n {
            sink(Row::Accepted(ListedPerson {
                external_id: format!("B-{i}"),
                full_name: format!("Personne{} Famille{}", i % 5003, i % 997),
                aliases: vec![format!("Alias{}", i % 7919)],
                birth_date: Some(format!("19{:02}-0{}-1{}", 40 + i % 60, 1 + i % 9, i % 10)),
                nationality: Some("ML".into()),
                reason: if changed && i % 100 == 0 {
                    "Fiche mise à jour".into()
                } else {
                    "Fiche générée pour le banc".into()
                },
                instruction: Instruction::Signaler,
                expires_at: None,
            }));
        }
        Ok(())
    })
    .await
    .unwrap();
    t.elapsed().as_secs_f64()
}

/// A post enrolled through `url` that records `n` crossings offline.
async fn post(dir: &Path, name: &str, url: &str, code: &str, n: usize) -> AppState {
    let db = dir.join(format!("{name}.db"));
    let state = state(&db, true).await;
    parsec::sync::enrol_with(&state, url, code, false)
        .await
        .unwrap();
    parsec::sync::transport::sync_once(&state).await.unwrap();
    let unit: String =
        sqlx::query_scalar("SELECT id FROM units WHERE name = 'Poste frontière de Koro'")
            .fetch_one(&state.db)
            .await
            .unwrap();
    let actor = Actor("agent.koro".into());
    let at = parsec::db::now_text();
    for i in 0..n {
        let input = CrossingInput {
            submission_id: format!("{name}-{i}"),
            direction: if i % 2 == 0 {
                Direction::Entree
            } else {
                Direction::Sortie
            },
            mode: Mode::Pied,
            purpose: "commerce".into(),
            origin: Place::default(),
            destination: Place::default(),
            surname: format!("SAWADOGO{}", i % 997),
            given_names: "Issa Boureima".into(),
            sex: "M".into(),
            birth_date: Some(format!("19{:02}-03-02", 50 + i % 50)),
            birth_approximate: false,
            nationality: Some("BF".into()),
            document_code: "I".into(),
            document_number: format!("BF{:07}", i),
            document_country: "BFA".into(),
            document_expiry: None,
            mrz: Vec::new(),
            mrz_warnings: Vec::new(),
            correction: None,
        };
        crossing::record(&state, &actor, &unit, &input, &at)
            .await
            .unwrap();
    }
    state
}

async fn pending(state: &AppState) -> i64 {
    sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM changes WHERE origin = (SELECT value FROM meta WHERE key = 'node_id'))
              - COALESCE((SELECT applied FROM sync_cursors WHERE stream = 'sent'), 0)",
    )
    .fetch_one(&state.db)
    .await
    .unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let records = env("RECORDS", 50_000);
    let slow_records = env("SLOW_RECORDS", 2_000);
    let dir = tempfile::tempdir().unwrap();
    let list_entries = env("LIST_ENTRIES", 1_000_000);
    let (regional_state, port, codes) = regional(dir.path(), 3).await;

    println!("Catch-up of a post over loopback ({records} crossings recorded offline):");
    let fast = proxy::Proxy::start(port).await;
    let t = Instant::now();
    let p = post(dir.path(), "loopback", &fast.url(), &codes[0], records).await;
    let recording = t.elapsed();
    let changes = pending(&p).await;
    fast.bytes.store(0, Ordering::Relaxed);
    let t = Instant::now();
    let report = parsec::sync::transport::sync_once(&p).await.unwrap();
    let took = t.elapsed();
    let bytes = fast.bytes.load(Ordering::Relaxed);
    assert_eq!(pending(&p).await, 0);
    println!(
        "  recorded in {:.1} s; {changes} changes waiting (crossing, its audit entry …)",
        recording.as_secs_f64()
    );
    println!(
        "  exchange: {:.1} s, {:.0} records/s, {:.0} changes/s; {:.1} MB on the wire, {:.0} bytes per record; held there: {}",
        took.as_secs_f64(),
        records as f64 / took.as_secs_f64(),
        changes as f64 / took.as_secs_f64(),
        bytes as f64 / 1e6,
        bytes as f64 / records as f64,
        report.sent_upto,
    );

    println!();
    println!(
        "Through a VSAT-like link (512 kbit/s each way, 600 ms round trip), {slow_records} crossings:"
    );
    let slow = proxy::Proxy::start_with(
        port,
        Some(proxy::Link {
            bytes_per_second: 512_000 / 8,
            one_way: Duration::from_millis(300),
        }),
    )
    .await;
    let p = post(dir.path(), "vsat", &slow.url(), &codes[1], slow_records).await;
    slow.bytes.store(0, Ordering::Relaxed);
    let t = Instant::now();
    parsec::sync::transport::sync_once(&p).await.unwrap();
    let took = t.elapsed();
    let bytes = slow.bytes.load(Ordering::Relaxed);
    println!(
        "  exchange: {:.1} s, {:.0} records/s; {:.2} MB on the wire, {:.0} bytes per record",
        took.as_secs_f64(),
        slow_records as f64 / took.as_secs_f64(),
        bytes as f64 / 1e6,
        bytes as f64 / slow_records as f64,
    );

    println!();
    println!("A watchlist of {list_entries} entries to a post, then a version with 1 % changed:");
    let took = import_list(&regional_state, list_entries, "1", false).await;
    println!("  version 1 imported on the regional node in {took:.1} s");
    let lists = proxy::Proxy::start(port).await;
    let t = Instant::now();
    let p = post(dir.path(), "lists", &lists.url(), &codes[2], 0).await;
    let whole = lists.bytes.load(Ordering::Relaxed);
    println!(
        "  the whole list down at enrolment: {:.1} s, {:.1} MB on the wire",
        t.elapsed().as_secs_f64(),
        whole as f64 / 1e6
    );
    let took = import_list(&regional_state, list_entries, "2", true).await;
    println!("  version 2 imported on the regional node in {took:.1} s");
    lists.bytes.store(0, Ordering::Relaxed);
    let t = Instant::now();
    let report = parsec::sync::transport::sync_once(&p).await.unwrap();
    let delta = lists.bytes.load(Ordering::Relaxed);
    assert_eq!(report.lists, 1);
    println!(
        "  version 2 as a difference: {:.1} s, {:.2} MB on the wire, {:.1} % of the whole",
        t.elapsed().as_secs_f64(),
        delta as f64 / 1e6,
        100.0 * delta as f64 / whole as f64
    );
}
