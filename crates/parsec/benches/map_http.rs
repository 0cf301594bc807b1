//! The map page over HTTP with 5,000 incidents in the range (issue 6's target: under
//! 100 ms), and an open incident's page (the available assets ranked by travel time, the ways
//! of the first three drawn): a real parsec on a SQLite file with the demo registry, incidents
//! recorded through the application's service, the operations officer logged in, each page
//! asked for again and again. `cargo bench -p parsec --bench map_http` (`INCIDENTS` sets how
//! many).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

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
    let app =
        parsec::web::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = http
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("login=operations&password=demo")
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let from = (time::OffsetDateTime::now_utc().date() - time::Duration::days(61)).to_string();
    let url = format!("{base}/map?from={from}");
    let mut times = Vec::new();
    let mut size = 0;
    let mut marks = 0;
    for _ in 0..60 {
        let t = Instant::now();
        let body = http
            .get(&url)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        times.push(t.elapsed());
        size = body.len();
        marks = body.matches("class=\"incident ").count();
    }
    times.sort();
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
        let t = Instant::now();
        let body = http
            .get(&incident_url)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        incident_times.push(t.elapsed());
        ranked = body.matches("name=\"asset\"").count();
    }
    incident_times.sort();
    println!(
        "{n} incidents seeded through the service in {:.1} s",
        seeded.as_secs_f64()
    );
    println!(
        "map page with {marks} incidents drawn ({:.0} kB, {:.0} kB gzipped); an open incident's page with {ranked} assets it can send:",
        size as f64 / 1024.0,
        gz as f64 / 1024.0
    );
    println!("| request | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|");
    println!(
        "| GET /map | {:.1} | {:.1} | {:.1} | {:.1} |",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
    println!(
        "| GET /incidents/{{id}} (ranking + ways) | {:.1} | {:.1} | {:.1} | {:.1} |",
        percentile(&incident_times, 0.5),
        percentile(&incident_times, 0.95),
        percentile(&incident_times, 0.99),
        percentile(&incident_times, 1.0)
    );
}
