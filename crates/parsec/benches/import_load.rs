//! A large watchlist imported while a post saves crossings (issue 10): the import's peak memory
//! and the crossings' latency during it. A real parsec serves a SQLite file; the agent of Koro
//! saves crossings over HTTP one after another, first alone, then while `parsec watchlist
//! import` (the release binary, another process, as an administrator runs it) loads a CSV of
//! about `IMPORT_MB` megabytes (default 200) into the same database. The import's peak
//! resident memory is read by `/usr/bin/time -v`.
//!
//! `cargo bench -p parsec --bench import_load`

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_bench;

use std::io::Write;
use std::time::Instant;

fn field<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker).expect(name) + marker.len();
    html[at..].split('"').next().unwrap()
}

/// Writes a list of about `mb` megabytes: Sahelian names with aliases, about 200 bytes a row.
fn write_list(path: &std::path::Path, mb: usize) -> usize {
    const GIVEN: [&str; 8] = [
        "Amadou",
        "Fatoumata",
        "Boubacar",
        "Aïssata",
        "Hamadoun",
        "Mariam",
        "Oumar",
        "Kadidia",
    ];
    const FAMILY: [&str; 8] = [
        "Diallo",
        "Traoré",
        "Cissé",
        "Maïga",
        "Touré",
        "Guindo",
        "Sangaré",
        "Ag Intalla",
    ];
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "id,full_name,birth_date,nationality,aliases,reason,instruction"
    )
    .unwrap();
    let mut written = 0usize;
    let mut rows = 0usize;
    while written < mb * 1024 * 1024 {
        let i = rows;
        let line = format!(
            "B{i},{} {} {},19{:02}-{:02}-{:02},ML,{} {};{} {} dit {};{} wuld {},Liste de charge n° {i} : personne fictive pour la mesure,signaler\n",
            GIVEN[i % 8],
            GIVEN[(i / 8) % 8],
            FAMILY[(i / 64) % 8],
            40 + i % 60,
            1 + i % 12,
            1 + i % 28,
            GIVEN[(i / 3) % 8],
            FAMILY[(i / 5) % 8],
            GIVEN[(i / 7) % 8],
            FAMILY[(i / 11) % 8],
            i,
            FAMILY[(i / 13) % 8],
            i % 1000,
        );
        out.write_all(line.as_bytes()).unwrap();
        written += line.len();
        rows += 1;
    }
    out.flush().unwrap();
    rows
}

#[tokio::main]
async fn main() {
    let mb: usize = std::env::var("IMPORT_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("liste.csv");
    let rows = write_list(&list, mb);
    let size = std::fs::metadata(&list).unwrap().len();
    let db_path = dir.path().join("bench.db");
    let pool = parsec::db::open(&db_path, true).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state =
        parsec::app::AppState::new(pool, parsec::config::Config::new(db_path.clone(), addr))
            .await
            .unwrap();
    parsec::registry::demo::seed(&state).await.unwrap();
    let base = http_bench::serve(&state, listener);
    let (http, cookie) = http_bench::login(&base, "agent.koro").await;

    let save = |i: usize| {
        let (http, base, cookie, db) = (&http, &base, &cookie, &state.db);
        async move {
            let (_, html) =
                http_bench::get(http, &format!("{base}/border/crossings/new"), cookie).await;
            let given = format!("Voyageur{i}");
            let form = [
                ("csrf", field(&html, "csrf")),
                ("submission", field(&html, "submission")),
                ("surname", "Kanouté"),
                ("given_names", given.as_str()),
                ("direction", "entree"),
                ("mode", "pied"),
            ];
            let body = serde_urlencoded::to_string(form).unwrap();
            let t = Instant::now();
            let res = http
                .post(format!("{base}/border/crossings/new"))
                .header("cookie", cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            let took = t.elapsed();
            let ok = res.status() == 303;
            http_bench::acknowledge_alerts(http, base, cookie, db).await;
            (took, ok)
        }
    };

    // Alone first.
    let mut alone = Vec::new();
    for i in 0..300 {
        let (took, ok) = save(i).await;
        assert!(ok);
        alone.push(took);
    }

    // Then during the import, run by the command line in another process.
    let db_arg = db_path.to_str().unwrap().to_string();
    let list_arg = list.to_str().unwrap().to_string();
    let started = Instant::now();
    let mut child = std::process::Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_parsec"))
        .args([
            "watchlist",
            "import",
            "--db",
            &db_arg,
            "--file",
            &list_arg,
            "--name",
            "Liste de charge",
            "--authority",
            "Banc d'essai",
            "--version",
            "1",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut during = Vec::new();
    let mut failed = 0usize;
    let mut i = 1000;
    while child.try_wait().unwrap().is_none() {
        let (took, ok) = save(i).await;
        during.push(took);
        failed += usize::from(!ok);
        i += 1;
    }
    let import_time = started.elapsed();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{}{stderr}",
        String::from_utf8_lossy(&output.stdout)
    );
    let peak_kb: u64 = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    // And after: the server rebuilds its index over the new list in the background.
    let mut after = Vec::new();
    for j in 0..300 {
        let (took, ok) = save(100_000 + j).await;
        failed += usize::from(!ok);
        after.push(took);
    }
    let entries: i64 = sqlx::query_scalar(
        "SELECT entry_count FROM watchlists WHERE name = 'Liste de charge' AND status = 'active'",
    )
    .fetch_one(&state.db)
    .await
    .unwrap();
    println!(
        "list: {} MB, {rows} rows; imported by `parsec watchlist import` in {:.1} s ({entries} entries), peak resident memory {} MB",
        size / (1024 * 1024),
        import_time.as_secs_f64(),
        peak_kb / 1024
    );
    println!(
        "crossings saved over HTTP: {} alone, {} during the import, {} after it; {failed} failed",
        alone.len(),
        during.len(),
        after.len()
    );
    println!();
    http_bench::header();
    http_bench::row("save a crossing, alone", &mut alone);
    http_bench::row("save a crossing, during the import", &mut during);
    http_bench::row("save a crossing, after it (index rebuilt)", &mut after);
}
