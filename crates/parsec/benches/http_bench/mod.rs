//! What the HTTP benchmarks share: a real parsec served on a free port, a logged-in client,
//! timed requests and the latency table.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::time::{Duration, Instant};

/// Serves the application of `state` on `listener`; the base URL.
pub fn serve(state: &parsec::app::AppState, listener: tokio::net::TcpListener) -> String {
    let addr = listener.local_addr().unwrap();
    let serving = parsec::web::serve::serve_until(state.clone(), listener, std::future::pending());
    tokio::spawn(async move { serving.await.unwrap() });
    format!("http://{addr}")
}

/// A client that does not follow redirects (the benchmarks time the answer itself), and the
/// session cookie of `login` (password `demo`).
pub async fn login(base: &str, login: &str) -> (reqwest::Client, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = http
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("login={login}&password=demo"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "login of {login}");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    (http, cookie)
}

/// A page asked for with the session: how long it took, and its text.
pub async fn get(http: &reqwest::Client, url: &str, cookie: &str) -> (Duration, String) {
    let t = Instant::now();
    let body = http
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (t.elapsed(), body)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The latency table's header.
pub fn header() {
    println!("| request | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|");
}

/// A row of the latency table.
pub fn row(label: &str, times: &mut [Duration]) {
    times.sort();
    println!(
        "| {label} | {:.1} | {:.1} | {:.1} | {:.1} |",
        percentile(times, 0.5),
        percentile(times, 0.95),
        percentile(times, 0.99),
        percentile(times, 1.0)
    );
}
