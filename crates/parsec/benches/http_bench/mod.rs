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
    // The login form first, as a browser: its cookie and the token that goes with it.
    let page = http.get(format!("{base}/login")).send().await.unwrap();
    let login_cookie = cookies(&page);
    let html = page.text().await.unwrap();
    let marker = "id=\"form-token\" name=\"csrf\" value=\"";
    let at = html.find(marker).expect("the login form's token") + marker.len();
    let token = html[at..].split('"').next().unwrap();
    let res = http
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", login_cookie)
        .body(format!("login={login}&password=demo&csrf={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "login of {login}");
    (http, cookies(&res))
}

/// The cookies an answer sets, as a `Cookie` header sends them back.
fn cookies(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
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

/// Acknowledges the alerts the agent left unread (the next crossing is refused until then), as
/// the agent does at the post; not timed.
pub async fn acknowledge_alerts(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    db: &parsec::db::Db,
) {
    let unread: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM crossings WHERE screening = 'alerte' AND instruction_read_at IS NULL",
    )
    .fetch_all(db)
    .await
    .unwrap();
    for id in unread {
        let (_, html) = get(http, &format!("{base}/border/crossings/{id}"), cookie).await;
        let marker = "name=\"csrf\" value=\"";
        let at = html.find(marker).expect("a form with its token") + marker.len();
        let token = html[at..].split('"').next().unwrap();
        let res = http
            .post(format!("{base}/border/crossings/{id}/instruction-read"))
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "acknowledging {id}");
    }
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
