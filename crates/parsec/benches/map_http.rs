//! The map page over HTTP with 5,000 incidents in the range (issue 6's target: under
//! 100 ms), and an open incident's page (the available assets ranked by travel time, the ways
//! of the first three drawn): a real parsec on a SQLite file with the demo registry, incidents
//! recorded through the application's service, the operations officer logged in, each page
//! asked for again and again. `cargo bench -p parsec --bench map_http` (`INCIDENTS` sets how
//! many).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_bench;

use std::time::Instant;

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("INCIDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bench.db");
    let pool = parsec::db::open(&db_path, true).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = parsec::app::AppState::new(pool, parsec::config::Config::new(db_path, addr))
        .await
        .unwrap();
    parsec::registry::demo::seed(&state).await.unwrap();
    let start = Instant::now();
    parsec::incidents::demo::seed_incidents(&state, n, 60)
        .await
        .unwrap();
    let seeded = start.elapsed();
    let base = http_bench::serve(&state, listener);
    let (http, cookie) = http_bench::login(&base, "operations").await;
    let from = (time::OffsetDateTime::now_utc().date() - time::Duration::days(61)).to_string();
    let url = format!("{base}/map?from={from}");
    let mut times = Vec::new();
    let mut size = 0;
    let mut marks = 0;
    for _ in 0..60 {
        let (took, body) = http_bench::get(&http, &url, &cookie).await;
        times.push(took);
        size = body.len();
        marks = body.matches("class=\"incident ").count();
    }
    // The same page as a browser gets it, gzipped.
    let gz = http
        .get(&url)
        .header("cookie", &cookie)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    let open: String = sqlx::query_scalar(
        "SELECT id FROM incidents WHERE status = 'signale' ORDER BY occurred_at DESC LIMIT 1",
    )
    .fetch_one(&state.db)
    .await
    .unwrap();
    let incident_url = format!("{base}/incidents/{open}");
    let mut incident_times = Vec::new();
    let mut ranked = 0;
    for _ in 0..60 {
        let (took, body) = http_bench::get(&http, &incident_url, &cookie).await;
        incident_times.push(took);
        ranked = body.matches("name=\"asset\"").count();
    }
    println!(
        "{n} incidents seeded through the service in {:.1} s",
        seeded.as_secs_f64()
    );
    println!(
        "map page with {marks} incidents drawn ({:.0} kB, {:.0} kB gzipped); an open incident's page with {ranked} assets it can send:",
        size as f64 / 1024.0,
        gz as f64 / 1024.0
    );
    http_bench::header();
    http_bench::row("GET /map", &mut times);
    http_bench::row("GET /incidents/{id} (ranking + ways)", &mut incident_times);
}
