//! Five years of a region (issue 10): 5,000,000 crossings (with their vehicles, goods, hits and
//! daily counts), 5,000,000 audit entries chained as `audit::append` chains them, 20,000
//! incidents; then every list, search and statistics page over real HTTP through the real
//! router, each asked for again and again (p50/p99), the retention purge of one year of the
//! data and `audit verify`.
//!
//! The rows go straight into the real schema (a recursive CTE per batch of 100,000, on one
//! connection with `synchronous = OFF`): seeding through the service would take days. The
//! incidents go through the service.
//!
//! `cargo bench -p parsec --bench scale` (release). `SCALE_CROSSINGS` (default 5,000,000) and
//! `SCALE_AUDIT` (default: as many as crossings) size it, `SCALE_REPEAT` (default 100) is
//! how many times each page is asked for; `SCALE_DB` keeps the database at that path and
//! reuses it when it exists (seeding 5 million takes minutes); `SCALE_PURGE=0` skips the
//! purge (which changes the data).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_bench;

use std::path::PathBuf;
use std::time::Instant;

use sqlx::Connection;

/// Crossings per INSERT statement and transaction while seeding.
const BATCH: i64 = 100_000;
/// Audit entries per INSERT while seeding.
const AUDIT_BATCH: usize = 20_000;
const YEARS: i64 = 5;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn rfc3339(unix: i64) -> String {
    parsec::db::timestamp(time::OffsetDateTime::from_unix_timestamp(unix).unwrap())
}

#[tokio::main]
async fn main() {
    let crossings = env_number("SCALE_CROSSINGS", 5_000_000) as i64;
    let audit_entries = env_number("SCALE_AUDIT", crossings as usize);
    let repeat = env_number("SCALE_REPEAT", 100);
    let purge = std::env::var("SCALE_PURGE").map_or(true, |v| v != "0");
    let dir = tempfile::tempdir().unwrap();
    let db_path = std::env::var("SCALE_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("scale.db"));
    let fresh = !db_path.exists();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let start = now - YEARS * 365 * 86_400;

    let pool = parsec::db::open(&db_path, true).await.unwrap();
    if fresh {
        let t = Instant::now();
        seed_audit(&pool, audit_entries, start, now - 60).await;
        println!(
            "{audit_entries} audit entries chained in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = parsec::app::AppState::new(
        pool.clone(),
        parsec::config::Config::new(db_path.clone(), addr),
    )
    .await
    .unwrap();
    if fresh {
        parsec::registry::demo::seed(&state).await.unwrap();
        let t = Instant::now();
        seed_crossings(&pool, crossings, start, now).await;
        println!(
            "{crossings} crossings (with vehicles, goods, hits, daily counts) in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        // Written in clear by SQL, as an earlier version would have: sealed (with the search
        // tags) by the same walk that seals a database from before at its first start.
        let t = Instant::now();
        let done = parsec::keyring::reseal(&pool, &state.keys, &[])
            .await
            .unwrap();
        println!(
            "{} personal values sealed, with the crossings' search tags, in {:.1} s",
            done.sealed,
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let incidents = (crossings / 250).max(100) as usize;
        parsec::incidents::demo::seed_incidents(&state, incidents, YEARS * 365)
            .await
            .unwrap();
        println!(
            "{incidents} incidents through the service in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&pool)
            .await
            .unwrap();
    }
    for table in [
        "crossings",
        "crossing_vehicles",
        "goods_declarations",
        "screening_hits",
        "audit_log",
        "incidents",
        "flow_people",
    ] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&pool)
                .await
                .unwrap();
        println!("{table}: {n} rows");
    }
    let size = std::fs::metadata(&db_path).map_or(0, |m| m.len());
    println!("database: {:.2} GB", size as f64 / 1e9);

    let base = http_bench::serve(&state, listener);
    let (ops_http, ops) = http_bench::login(&base, "operations").await;
    let (cdt_http, cdt) = http_bench::login(&base, "commandant.koro").await;
    let (insp_http, insp) = http_bench::login(&base, "inspecteur").await;

    let koro: String =
        sqlx::query_scalar("SELECT id FROM units WHERE name = 'Poste frontière de Koro'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let (document, record): (String, String) = sqlx::query_as(
        "SELECT document_number, id FROM crossings ORDER BY crossed_at DESC LIMIT 1 OFFSET 777",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let document = state
        .keys
        .open("crossings", "document_number", &record, &document);
    let audited_id: String = sqlx::query_scalar(
        "SELECT entity_id FROM audit_log WHERE entity = 'crossing' AND action = 'create'
         ORDER BY seq DESC LIMIT 1 OFFSET 1000",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let day = |back: i64| rfc3339(now - back * 86_400).get(..10).unwrap().to_string();
    let (month_from, month_to) = (day(400), day(370));
    let year = day(365);
    let today = day(0);
    let q = |s: &str| http_bench_q(s);

    // (label, which user, path)
    let pages: Vec<(String, u8, String)> = vec![
        ("crossings, no filter".into(), 0, "/border/crossings".into()),
        (
            "crossings, page 200".into(),
            0,
            "/border/crossings?page=200".into(),
        ),
        (
            "crossings, post".into(),
            0,
            format!("/border/crossings?post={koro}"),
        ),
        (
            "crossings, a month a year ago".into(),
            0,
            format!("/border/crossings?from={month_from}&to={month_to}"),
        ),
        (
            "crossings, direction".into(),
            0,
            "/border/crossings?direction=sortie".into(),
        ),
        (
            "crossings, nationality (2 %)".into(),
            0,
            "/border/crossings?nationality=GH".into(),
        ),
        (
            "crossings, mode".into(),
            0,
            "/border/crossings?mode=pied".into(),
        ),
        (
            "crossings, screening alerte (0.1 %)".into(),
            0,
            "/border/crossings?screening=alerte".into(),
        ),
        (
            "crossings, sorted by post".into(),
            0,
            "/border/crossings?sort=post&dir=desc".into(),
        ),
        (
            "crossings, sorted by screening".into(),
            0,
            "/border/crossings?sort=screening".into(),
        ),
        (
            "crossings, name search (5 %: Traoré)".into(),
            0,
            format!("/border/crossings?q={}", q("Traoré")),
        ),
        (
            "crossings, name search (0.2 %: Amadou Traoré)".into(),
            0,
            format!("/border/crossings?q={}", q("amadou traore")),
        ),
        (
            "crossings, name search and a month".into(),
            0,
            format!(
                "/border/crossings?q={}&from={month_from}&to={month_to}",
                q("Kassogué Hawa")
            ),
        ),
        (
            "crossings, document number".into(),
            0,
            format!("/border/crossings?q={}", q(&document)),
        ),
        (
            "crossings, commandant's scope".into(),
            1,
            "/border/crossings".into(),
        ),
        (
            "crossings, commandant's scope, name search".into(),
            1,
            format!("/border/crossings?q={}", q("Maïga Awa")),
        ),
        (
            "crossings, commandant's scope, alerte".into(),
            1,
            "/border/crossings?screening=alerte".into(),
        ),
        (
            "crossing page".into(),
            0,
            format!("/border/crossings/{record}"),
        ),
        ("home page (inspector)".into(), 2, "/".into()),
        ("audit log, no filter".into(), 2, "/audit".into()),
        (
            "audit log, actor".into(),
            2,
            "/audit?actor=commandant.koro".into(),
        ),
        ("audit log, action".into(), 2, "/audit?action=export".into()),
        (
            "audit log, entity".into(),
            2,
            "/audit?entity=incident".into(),
        ),
        (
            "audit log, one record".into(),
            2,
            format!("/audit?entity=crossing&entity_id={audited_id}"),
        ),
        (
            "audit log, a month a year ago".into(),
            2,
            format!("/audit?from={month_from}&to={month_to}"),
        ),
        (
            "audit log, action and a month".into(),
            2,
            format!("/audit?action=read&from={month_from}&to={month_to}"),
        ),
        (
            "flows, the year by month".into(),
            0,
            format!("/border/flows?from={year}&to={today}&period=month"),
        ),
        (
            "flows, the year by week".into(),
            0,
            format!("/border/flows?from={year}&to={today}&period=week"),
        ),
        (
            "flows, the year by day".into(),
            0,
            format!("/border/flows?from={year}&to={today}&period=day"),
        ),
        ("incidents, no filter".into(), 0, "/incidents".into()),
        (
            "incidents, status".into(),
            0,
            "/incidents?status=clos".into(),
        ),
        (
            "incidents, text search".into(),
            0,
            format!("/incidents?q={}", q("Bandiagara")),
        ),
        (
            "hits to review (commandant)".into(),
            1,
            "/screening/review".into(),
        ),
    ];
    let clients = [(&ops_http, &ops), (&cdt_http, &cdt), (&insp_http, &insp)];

    // The map's coverage layer: the first request computes it, the others find it cached.
    let map = format!("{base}/map?coverage=4");
    let (first_map, body) = http_bench::get(&ops_http, &map, &ops).await;
    assert!(
        body.contains("class=\"uncovered\""),
        "the coverage layer is drawn"
    );

    let mut results = Vec::new();
    for (label, who, path) in &pages {
        let (http, cookie) = clients[usize::from(*who)];
        let url = format!("{base}{path}");
        let mut times = Vec::new();
        let mut shown = String::new();
        for k in 0..repeat + 2 {
            let (took, body) = http_bench::get(http, &url, cookie).await;
            if k >= 2 {
                times.push(took);
            }
            shown = summary(&body);
        }
        results.push((format!("{label} — {shown}"), times));
    }
    let mut map_times = Vec::new();
    for _ in 0..repeat {
        map_times.push(http_bench::get(&ops_http, &map, &ops).await.0);
    }

    println!();
    http_bench::header();
    for (label, times) in &mut results {
        http_bench::row(label, times);
    }
    http_bench::row("map with coverage 4 h (cached)", &mut map_times);
    http_bench::row("map with coverage 4 h (first, computed)", &mut [first_map]);

    if purge {
        let t = Instant::now();
        // Four years kept: the oldest year goes.
        let purged = parsec::border::retention::run(
            &state,
            &parsec::audit::Actor::system("retention"),
            4 * 365,
        )
        .await
        .unwrap();
        println!(
            "\nretention purge of one year: {:.1} s ({purged:?})",
            t.elapsed().as_secs_f64()
        );
        let left: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM crossings_fts WHERE crossings_fts MATCH ?")
                .bind(state.keys.search_query("traore").unwrap())
                .fetch_one(&pool)
                .await
                .unwrap();
        let expected: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM crossings WHERE instr(name_keys, ?) > 0")
                .bind(state.keys.name_keys(&["Traoré"]))
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(left, expected, "the name index follows the purge");
    }
    let t = Instant::now();
    let verdict = parsec::audit::verify(&pool).await.unwrap();
    println!(
        "audit verify: {:.1} s ({verdict:?})",
        t.elapsed().as_secs_f64()
    );
    assert!(matches!(verdict, parsec::audit::Verdict::Intact { .. }));
}

/// A query-string value, encoded.
fn http_bench_q(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap()
        .trim_start_matches('=')
        .to_string()
}

/// What a list page says it holds (its count line), to show in the table.
fn summary(html: &str) -> String {
    let Some(at) = html.find("<p class=\"count\">") else {
        return format!("{} kB", html.len() / 1024);
    };
    let rest = &html[at + "<p class=\"count\">".len()..];
    match rest.split(['<', '·']).next().unwrap_or("").trim() {
        "" => format!("{} kB", html.len() / 1024),
        text => format!("{text} rows"),
    }
}

/// `n` audit entries from `from` to `to` (Unix seconds), chained exactly as `audit::append`
/// chains them, inserted in batches.
async fn seed_audit(pool: &parsec::db::Db, n: usize, from: i64, to: i64) {
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("PRAGMA synchronous = OFF")
        .execute(&mut *conn)
        .await
        .unwrap();
    let mut prev = parsec::audit::GENESIS.to_string();
    let span = (to - from).max(1) as f64;
    let mut seq = 0i64;
    while (seq as usize) < n {
        let mut rows = Vec::with_capacity(AUDIT_BATCH);
        for _ in 0..AUDIT_BATCH.min(n - seq as usize) {
            seq += 1;
            let at = rfc3339(from + (span * seq as f64 / n as f64) as i64);
            let id = format!(
                "{:08x}-{:04x}-7000-8000-{:012x}",
                seq.wrapping_mul(2_654_435_761) % 4_294_967_296,
                seq % 65_536,
                seq
            );
            let (actor, action, entity, entity_id, detail) = match seq % 20 {
                0..=11 => (
                    "agent.koro",
                    "create",
                    "crossing",
                    id,
                    "screening=aucune".to_string(),
                ),
                12..=15 => ("commandant.koro", "read", "crossing", id, String::new()),
                16 | 17 => (
                    "operations",
                    "list",
                    "crossing",
                    "-".to_string(),
                    format!("q=name{}", seq % 97),
                ),
                18 => (
                    "agent.koro",
                    "login",
                    "user",
                    "agent".to_string(),
                    String::new(),
                ),
                _ => match seq % 3 {
                    0 => ("operations", "create", "incident", id, String::new()),
                    1 => (
                        "commandant.koro",
                        "review",
                        "screening_hit",
                        id,
                        "ecarte".to_string(),
                    ),
                    _ => (
                        "operations",
                        "export",
                        "crossing",
                        "-".to_string(),
                        "rows=120".to_string(),
                    ),
                },
            };
            let hash = parsec::audit::entry_hash(
                &prev,
                &parsec::audit::canonical(seq, &at, actor, action, entity, &entity_id, &detail),
            );
            rows.push(serde_json::json!([
                seq, at, actor, action, entity, entity_id, detail, prev, hash
            ]));
            prev = hash;
        }
        let mut tx = conn.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, detail, prev_hash, hash)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
                    value ->> 6, value ->> 7, value ->> 8
             FROM json_each(?)",
        )
        .bind(serde_json::Value::Array(rows).to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

/// `n` crossings at the demo's posts from `from` to `to` (Unix seconds), in time order as they
/// are recorded; with the vehicles of the drivers, the goods of the lorries, the hits of the
/// screening (reviewed, but for the last month's) and the daily counts.
async fn seed_crossings(pool: &parsec::db::Db, n: i64, from: i64, to: i64) {
    let mut conn = pool.acquire().await.unwrap();
    for pragma in [
        "PRAGMA synchronous = OFF",
        "PRAGMA cache_size = -2000000",
        "PRAGMA temp_store = MEMORY",
    ] {
        sqlx::query(pragma).execute(&mut *conn).await.unwrap();
    }
    sqlx::query(
        "CREATE TEMP TABLE seed_pick (kind TEXT, k INTEGER, v TEXT, PRIMARY KEY (kind, k))",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    let post = |name: &str| format!("(SELECT id FROM units WHERE name = '{name}')");
    // Weighted choices, as slots: (kind, [(value SQL, slots)]).
    let weighted: Vec<(&str, Vec<(String, usize)>)> = vec![
        (
            "unit",
            vec![
                (post("Poste frontière de Koro"), 11),
                (post("Poste frontière de Ouenkoro"), 7),
                (post("Poste de douane de Ouenkoro"), 2),
            ],
        ),
        (
            "mode",
            [
                ("pied", 22),
                ("moto", 34),
                ("car", 24),
                ("voiture", 8),
                ("camion", 10),
                ("autre", 2),
            ]
            .iter()
            .map(|(m, w)| (format!("'{m}'"), *w))
            .collect(),
        ),
        (
            "nat",
            [("ML", 52), ("BF", 40), ("NE", 4), ("CI", 2), ("GH", 2)]
                .iter()
                .map(|(m, w)| (format!("'{m}'"), *w))
                .collect(),
        ),
        (
            "category",
            [
                "cereales",
                "betail",
                "carburant",
                "marchandises",
                "motos",
                "materiaux",
                "autre",
            ]
            .iter()
            .map(|m| (format!("'{m}'"), 1))
            .collect(),
        ),
        (
            "family",
            parsec::border::demo::FAMILY
                .iter()
                .map(|f| (format!("'{f}'"), 1))
                .collect(),
        ),
        (
            "given",
            parsec::border::demo::GIVEN
                .iter()
                .map(|f| (format!("'{f}'"), 1))
                .collect(),
        ),
    ];
    for (kind, values) in &weighted {
        let mut k = 0;
        for (value, slots) in values {
            for _ in 0..*slots {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO seed_pick VALUES ('{kind}', {k}, {value})"
                )))
                .execute(&mut *conn)
                .await
                .unwrap();
                k += 1;
            }
        }
    }
    let slots = |kind: &str| {
        weighted
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(1, |(_, v)| v.iter().map(|(_, s)| s).sum::<usize>())
    };
    let families = slots("family");
    let given = slots("given");
    // a, b, d: three independent draws per crossing (multiplicative hashes, low bits dropped).
    let insert = format!(
        "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2),
         r AS (SELECT i, CAST(?3 + i * ?4 AS INTEGER) AS t,
                      ((i * 2654435761) % 4294967296) / 256 AS a,
                      ((i * 2246822519) % 4294967296) / 256 AS b,
                      ((i * 3266489917) % 4294967296) / 256 AS d FROM n),
         s AS (SELECT r.*, CASE WHEN (a / 7) % 1000 = 0 THEN 'alerte'
                                WHEN (a / 7) % 1000 < 30 THEN 'a_verifier' ELSE 'aucune' END AS screening,
                      strftime('%Y-%m-%dT%H:%M:%SZ', t, 'unixepoch') AS at FROM r)
         INSERT INTO crossings (id, submission_id, unit_id, crossed_at, recorded_by, direction, mode,
             surname, given_names, sex, birth_date, nationality, document_code, document_number,
             document_country, screening, instruction, instruction_read_at)
         SELECT printf('%08x-%04x-7000-8000-%012x', t / 65536, t % 65536, i), 'seed-' || i,
             (SELECT v FROM seed_pick WHERE kind = 'unit' AND k = a % 20), at, 'agent.koro',
             CASE WHEN b % 2 = 0 THEN 'entree' ELSE 'sortie' END,
             (SELECT v FROM seed_pick WHERE kind = 'mode' AND k = (a / 20) % 100),
             (SELECT v FROM seed_pick WHERE kind = 'family' AND k = (b / 2) % {families}),
             (SELECT v FROM seed_pick WHERE kind = 'given' AND k = d % {given}),
             CASE WHEN (d / 24) % 2 = 0 THEN 'M' ELSE 'F' END,
             printf('%04d-%02d-%02d', 1950 + (d / 48) % 55, 1 + (d / 2640) % 12, 1 + (d / 31680) % 28),
             (SELECT v FROM seed_pick WHERE kind = 'nat' AND k = (b / 40) % 100), 'P',
             printf('%s%07d', substr('ABCDEFGHJK', 1 + (d / 5) % 10, 1), (i * 7919 + d) % 10000000),
             '', screening,
             CASE WHEN screening = 'alerte' THEN 'signaler' END,
             CASE WHEN screening = 'alerte' THEN at END
         FROM s"
    );
    let step = (to - from - 3600) as f64 / n as f64;
    let mut lo = 1;
    while lo <= n {
        let hi = (lo + BATCH - 1).min(n);
        let mut tx = conn.begin().await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(insert.as_str()))
            .bind(lo)
            .bind(hi)
            .bind(from as f64)
            .bind(step)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        lo = hi + 1;
    }
    // The rest is derived from the crossings, a statement each.
    let recent = rfc3339(to - 30 * 86_400);
    let derived = [
        "INSERT INTO crossing_vehicles (id, submission_id, unit_id, crossed_at, recorded_by,
             direction, plate, country, kind, driver_crossing_id, passengers)
         SELECT substr(id, 1, 14) || '7001' || substr(id, 19), 'seedv-' || rowid, unit_id,
             crossed_at, recorded_by, direction,
             printf('%s-%04d-%s', nationality, rowid % 10000, char(65 + rowid % 26, 65 + rowid % 23)),
             nationality, mode, id, rowid % 5
         FROM crossings WHERE mode IN ('voiture', 'camion')"
            .to_string(),
        "INSERT INTO goods_declarations (id, submission_id, unit_id, crossed_at, recorded_by,
             direction, vehicle_id, crossing_id, category, quantity, quantity_unit, value_fcfa)
         SELECT substr(c.id, 1, 14) || '7002' || substr(c.id, 19), 'seedg-' || c.rowid, c.unit_id,
             c.crossed_at, c.recorded_by, c.direction, v.id, c.id,
             (SELECT v FROM seed_pick WHERE kind = 'category' AND k = c.rowid % 7),
             1 + c.rowid % 40, 'sac', 25000 * (1 + c.rowid % 40)
         FROM crossings c JOIN crossing_vehicles v ON v.driver_crossing_id = c.id
         WHERE c.mode = 'camion'"
            .to_string(),
        "INSERT INTO watchlists (id, name, authority, version, status, source_format, entry_count,
             imported_at, imported_by)
         VALUES ('seed-list', 'Liste de référence', 'bench', '1', 'active', 'csv', 100,
             '2020-01-01T00:00:00Z', 'admin')"
            .to_string(),
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
         INSERT INTO watchlist_entries (id, watchlist_id, external_id, full_name, instruction)
         SELECT 'seed-entry-' || i, 'seed-list', 'E' || i, 'Personne listée ' || i, 'signaler'
         FROM n"
            .to_string(),
        format!(
            "INSERT INTO screening_hits (id, created_at, created_by, unit_id, query_name, entry_id,
                 score, decision, explanation, status, reviewed_by, reviewed_at, review_reason,
                 crossing_id)
             SELECT substr(id, 1, 14) || '7003' || substr(id, 19), crossed_at, recorded_by,
                 unit_id, given_names || ' ' || surname, 'seed-entry-' || (rowid % 100),
                 CASE screening WHEN 'alerte' THEN 0.93 ELSE 0.78 END, screening, '',
                 CASE WHEN crossed_at >= '{recent}' THEN 'a_revoir'
                      WHEN screening = 'alerte' AND rowid % 20 = 0 THEN 'confirme'
                      ELSE 'ecarte' END,
                 CASE WHEN crossed_at < '{recent}' THEN 'commandant.koro' END,
                 CASE WHEN crossed_at < '{recent}' THEN crossed_at END,
                 CASE WHEN crossed_at < '{recent}' THEN 'homonyme' END, id
             FROM crossings WHERE screening != 'aucune'"
        ),
        "INSERT INTO flow_people (day, unit_id, direction, nationality, mode, people)
         SELECT substr(crossed_at, 1, 10), unit_id, direction, coalesce(nationality, ''), mode,
             COUNT(*)
         FROM crossings GROUP BY 1, 2, 3, 4, 5"
            .to_string(),
        "INSERT INTO flow_vehicles (day, unit_id, direction, kind, vehicles)
         SELECT substr(crossed_at, 1, 10), unit_id, direction, kind, COUNT(*)
         FROM crossing_vehicles GROUP BY 1, 2, 3, 4"
            .to_string(),
        "INSERT INTO flow_goods (day, unit_id, direction, category, quantity_unit, quantity,
             value_fcfa, declarations)
         SELECT substr(crossed_at, 1, 10), unit_id, direction, category, quantity_unit,
             SUM(quantity), SUM(value_fcfa), COUNT(*)
         FROM goods_declarations GROUP BY 1, 2, 3, 4, 5"
            .to_string(),
    ];
    for sql in derived {
        let t = Instant::now();
        let mut tx = conn.begin().await.unwrap();
        let done = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        println!(
            "  {} rows: {} ({:.1} s)",
            done.rows_affected(),
            sql.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
            t.elapsed().as_secs_f64()
        );
    }
}
