//! The workshop's figures at the size of a large fleet (issue 13): 1,000 assets with a year of
//! history made by the demo's generator (fortnightly readings, preventive and corrective work
//! orders with their statuses in time, weekly fuel), then the due and overdue tasks of every
//! asset (`fleet::plans::due_tasks`, the board's query and arithmetic) and a year of
//! availability per force (`fleet::availability::report`, the availability page's), each
//! asked for again and again (median and slowest). The pure arithmetic alone is measured by
//! `cargo bench -p maintenance`.
//!
//! `cargo bench -p parsec --bench workshop` (release). `WORKSHOP_ASSETS` (default 1,000),
//! `WORKSHOP_REPEAT` (default 20); `WORKSHOP_DB` keeps the database at that path (to look into
//! its queries afterwards).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use parsec::accounts::Scope;
use parsec::fleet::availability::By;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Median and slowest of `runs` timings, in milliseconds.
fn summary(mut runs: Vec<f64>) -> (f64, f64) {
    runs.sort_by(f64::total_cmp);
    (runs[runs.len() / 2], runs[runs.len() - 1])
}

#[tokio::main]
async fn main() {
    let assets = env_number("WORKSHOP_ASSETS", 1_000);
    let repeat = env_number("WORKSHOP_REPEAT", 20);
    let dir = tempfile::tempdir().unwrap();
    let db_path = std::env::var("WORKSHOP_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("workshop.db"));
    let _ = std::fs::remove_file(&db_path);
    let pool = parsec::db::open(&db_path, true).await.unwrap();
    let addr = "127.0.0.1:0".parse().unwrap();
    let state = parsec::app::AppState::new(
        pool.clone(),
        parsec::config::Config::new(db_path.clone(), addr),
    )
    .await
    .unwrap();
    parsec::registry::demo::seed(&state).await.unwrap();
    // The demo's assets copied over its units until the fleet has `assets` of them: pick-ups,
    // boats, generators, ambulances, in the demo's proportions.
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assets")
        .fetch_one(&pool)
        .await
        .unwrap();
    let t = Instant::now();
    for i in have as usize..assets {
        sqlx::query(
            "INSERT INTO assets (id, kind, force_id, unit_id, registration, make, model, year,
               status, odometer_km, engine_hours, flight_hours, notes, created_at, updated_at)
             SELECT ?1, kind, force_id, unit_id, registration || '-' || ?2, make, model, year,
               'disponible', odometer_km, engine_hours, flight_hours, '', created_at, updated_at
             FROM assets WHERE kind <> 'radio' AND registration NOT LIKE '%-%-%-%'
             ORDER BY registration LIMIT 1 OFFSET ?3",
        )
        .bind(parsec::db::new_id())
        .bind(i.to_string())
        .bind((i % 30) as i64)
        .execute(&pool)
        .await
        .unwrap();
    }
    parsec::fleet::demo::seed(&state).await.unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    println!(
        "{} assets, {} readings, {} work orders ({} status events), {} fuel issues: seeded in {:.1} s",
        count("SELECT COUNT(*) FROM assets").await,
        count("SELECT COUNT(*) FROM meter_readings").await,
        count("SELECT COUNT(*) FROM work_orders").await,
        count("SELECT COUNT(*) FROM work_order_events").await,
        count("SELECT COUNT(*) FROM fuel_issues").await,
        t.elapsed().as_secs_f64()
    );
    let today = parsec::db::now().date();
    let mut due_runs = Vec::new();
    let mut tasks = 0;
    for _ in 0..repeat {
        let t = Instant::now();
        tasks = parsec::fleet::plans::due_tasks(&state, &Scope::All, None)
            .await
            .unwrap()
            .len();
        due_runs.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut year_runs = Vec::new();
    for _ in 0..repeat {
        let t = Instant::now();
        let r = parsec::fleet::availability::report(
            &state,
            &Scope::All,
            today - time::Duration::days(364),
            today,
            By::Force,
            7,
        )
        .await
        .unwrap();
        std::hint::black_box(r);
        year_runs.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (due_median, due_max) = summary(due_runs);
    let (year_median, year_max) = summary(year_runs);
    println!();
    println!("| what | n | median ms | slowest ms | target |");
    println!("|---|---:|---:|---:|---|");
    println!(
        "| due and overdue tasks, every asset (SQL + arithmetic) | {tasks} tasks | {due_median:.1} | {due_max:.1} | < 50 ms |"
    );
    println!(
        "| a year of availability per force, weekly series (SQL + arithmetic) | {assets} assets | {year_median:.1} | {year_max:.1} | < 200 ms |"
    );
}
