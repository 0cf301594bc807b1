//! What `synchronous=FULL` costs (issue 10): in WAL mode, NORMAL may lose the last acknowledged
//! writes on a power cut, which posts have every day; FULL syncs the log at every commit. Each
//! mode commits `COMMITS` (default 2,000) small write transactions — an audit-sized row, as a
//! crossing's save writes — on one connection to a SQLite file, and the latency of the commit
//! is reported.
//!
//! `cargo bench -p parsec --bench durability`

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_bench;

use std::time::Instant;

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    let pool = parsec::db::open(&dir.path().join("bench.db"), true)
        .await
        .unwrap();
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .execute(&mut *conn)
        .await
        .unwrap();
    let body = "x".repeat(300);
    println!("{n} commits of one 300-byte row each, WAL mode, one connection:");
    println!();
    http_bench::header();
    for mode in ["NORMAL", "FULL"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA synchronous = {mode}")))
            .execute(&mut *conn)
            .await
            .unwrap();
        let mut times = Vec::with_capacity(n);
        let start = Instant::now();
        for _ in 0..n {
            let t = Instant::now();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut *conn)
                .await
                .unwrap();
            sqlx::query("INSERT INTO bench_rows (body) VALUES (?)")
                .bind(&body)
                .execute(&mut *conn)
                .await
                .unwrap();
            sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
            times.push(t.elapsed());
        }
        let per_second = n as f64 / start.elapsed().as_secs_f64();
        http_bench::row(
            &format!("write transaction, synchronous={mode} ({per_second:.0}/s)"),
            &mut times,
        );
    }
}
