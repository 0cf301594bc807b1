//! Registering a crossing with its screening, end to end over HTTP (issue 5's target: p99
//! under 50 ms with a 1,000,000-entry watchlist loaded): a real parsec on a SQLite file, the
//! watchlist imported through the application, an agent logged in over HTTP who saves
//! crossings typed from the benchmark's queries (each form opened, then posted, as a browser
//! does), one at a time. Prints the latencies of the save (POST → redirect) and of the
//! opening of the form.
//!
//! `cargo bench -p parsec --bench crossing_http` reads the list from
//! `NAMEBENCH_LIST` (default `/tmp/nb/names1m/watchlist_1000000.csv`; see
//! docs/benchmarks.md for how to generate it) and the travellers from `NAMEBENCH_QUERIES`
//! (default `../shared/bench/names/queries.csv`); `CROSSINGS` sets how many (default 2,000).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_bench;

use std::time::Instant;

fn field<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker).expect(name) + marker.len();
    html[at..].split('"').next().unwrap()
}

#[tokio::main]
async fn main() {
    let list = std::env::var("NAMEBENCH_LIST")
        .unwrap_or_else(|_| "/tmp/nb/names1m/watchlist_1000000.csv".into());
    let queries_path = std::env::var("NAMEBENCH_QUERIES")
        .unwrap_or_else(|_| "../../../shared/bench/names/queries.csv".into());
    let n: usize = std::env::var("CROSSINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let Ok(file) = std::fs::File::open(&list) else {
        eprintln!("no watchlist at {list} (set NAMEBENCH_LIST)");
        return;
    };
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
    let mut progress = |_| {};
    let parsed =
        parsec::screening::import::csv(std::io::BufReader::new(file), &mut progress).unwrap();
    let entries = parsed.accepted.len();
    let meta = parsec::screening::ListMeta {
        name: "Benchmark".into(),
        authority: "bench".into(),
        version: "1".into(),
        valid_from: None,
        valid_to: None,
        format: "csv",
    };
    parsec::screening::import_list(
        &state,
        &parsec::audit::Actor::system("bench"),
        &meta,
        parsed,
        true,
    )
    .await
    .unwrap();
    let import = start.elapsed();
    let start = Instant::now();
    parsec::screening::active_index(&state).await.unwrap();
    let build = start.elapsed();

    let base = http_bench::serve(&state, listener);
    let (http, cookie) = http_bench::login(&base, "agent.koro").await;

    let mut reader = csv::Reader::from_path(&queries_path).unwrap();
    let travellers: Vec<(String, String, String)> = reader
        .records()
        .flatten()
        .map(|r| {
            (
                r.get(1).unwrap_or("").to_string(),
                r.get(2).unwrap_or("").to_string(),
                r.get(3).unwrap_or("").to_string(),
            )
        })
        .collect();
    let (mut open, mut save) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut alerts = 0usize;
    for i in 0..n {
        let (name, birth, nationality) = &travellers[i % travellers.len()];
        let (took, html) =
            http_bench::get(&http, &format!("{base}/border/crossings/new"), &cookie).await;
        open.push(took);
        let form = [
            ("csrf", field(&html, "csrf")),
            ("submission", field(&html, "submission")),
            ("surname", name.as_str()),
            ("birth_date", birth.as_str()),
            ("nationality", nationality.as_str()),
            ("direction", if i % 2 == 0 { "entree" } else { "sortie" }),
            ("mode", "pied"),
        ];
        let body = serde_urlencoded::to_string(form).unwrap();
        let t = Instant::now();
        let res = http
            .post(format!("{base}/border/crossings/new"))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        save.push(t.elapsed());
        assert_eq!(
            res.status(),
            303,
            "crossing {i}: {}",
            res.text().await.unwrap_or_default()
        );
        http_bench::acknowledge_alerts(&http, &base, &cookie, &state.db).await;
        if i % 50 == 0 {
            // Read one answer now and then, as the agent does every time.
            let page = res
                .headers()
                .get("location")
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            let (_, html) = http_bench::get(&http, &format!("{base}{page}"), &cookie).await;
            alerts += usize::from(html.contains("class=\"answer alerte\""));
        }
    }
    let hits: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM screening_hits")
        .fetch_one(&state.db)
        .await
        .unwrap();
    println!(
        "watchlist: {entries} entries, imported in {:.1} s, index built in {:.1} s",
        import.as_secs_f64(),
        build.as_secs_f64()
    );
    println!(
        "{n} crossings saved one after another over HTTP ({hits} hits kept, {alerts} alerts among the answers read):"
    );
    http_bench::header();
    http_bench::row("open the form (GET)", &mut open);
    http_bench::row("save with screening (POST)", &mut save);
}
