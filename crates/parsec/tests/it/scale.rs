//! What keeps the pages and the purge fast when years of a region are in the database: an
//! index behind every foreign key and filter, work in short batches.

use crate::support::TestApp;

/// Each foreign key is the first column of an index: deleting a parent (the retention purge)
/// otherwise scans the child table once per row.
#[tokio::test]
async fn every_foreign_key_has_its_index() {
    let app = TestApp::spawn().await;
    let missing: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.name, fk.\"from\"
         FROM sqlite_master t, pragma_foreign_key_list(t.name) fk
         WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%'
           AND NOT EXISTS (
             SELECT 1 FROM pragma_index_list(t.name) il, pragma_index_info(il.name) ii
             WHERE ii.seqno = 0 AND ii.name = fk.\"from\")
           AND NOT EXISTS (
             SELECT 1 FROM pragma_table_info(t.name) ti WHERE ti.pk = 1 AND ti.name = fk.\"from\")
         ORDER BY 1, 2",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    // Forces and units are never deleted (the counts per unit are read by day first).
    let tolerated = [
        ("assets", "force_id"),
        ("units", "force_id"),
        ("flow_goods", "unit_id"),
        ("flow_people", "unit_id"),
        ("flow_vehicles", "unit_id"),
    ];
    let missing: Vec<_> = missing
        .into_iter()
        .filter(|(t, c)| !tolerated.contains(&(t.as_str(), c.as_str())))
        .collect();
    assert!(
        missing.is_empty(),
        "foreign keys without an index: {missing:?}"
    );
}

/// Years of crossings go in short transactions, each with its audit entry.
#[tokio::test]
async fn the_purge_goes_in_batches_each_audited() {
    let app = TestApp::spawn().await;
    let unit = app.unit_id("Poste frontière de Koro").await;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4500)
         INSERT INTO crossings (id, submission_id, unit_id, crossed_at, recorded_by, direction,
                                mode, surname, screening)
         SELECT 'old-' || i, 'old-' || i, ?1,
                strftime('%Y-%m-%dT%H:%M:%SZ', '2015-01-01', '+' || i || ' minutes'),
                'agent.koro', 'entree', 'pied', 'TRAORE', 'aucune' FROM n",
    )
    .bind(&unit)
    .execute(&app.state.db)
    .await
    .unwrap();
    let actor = parsec::audit::Actor::system("retention");
    let purged =
        parsec::border::retention::run(&app.state, &actor, parsec::config::DEFAULT_RETENTION_DAYS)
            .await
            .unwrap();
    assert_eq!(purged.crossings, 4500);
    let batches: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'purge' ORDER BY seq")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(batches.len(), 3, "{batches:?}");
    assert!(batches[0].contains("crossings=2000"), "{batches:?}");
    assert!(batches[2].contains("crossings=500"), "{batches:?}");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crossings")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

/// The tables that grow with years of traffic, as the lists name them (alias or name).
const BIG: &[&str] = &[
    "c",
    "crossings",
    "audit_log",
    "h",
    "screening_hits",
    "i",
    "incidents",
    "f",
];

/// The plan SQLite makes for `sql` with these values (`EXPLAIN QUERY PLAN`, one line a step).
async fn plan(db: &parsec::db::Db, sql: &str, binds: &[String], page: bool) -> Vec<String> {
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(explain));
    for b in binds {
        q = q.bind(b);
    }
    if page {
        q = q.bind(25).bind(0);
    }
    q.fetch_all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.3)
        .collect()
}

/// What is wrong with a plan: a big table read whole (`SCAN c` with no index), or, unless
/// `may_sort`, every row kept sorted before the page is taken (only ties may be sorted).
fn faults(plan: &[String], may_sort: bool) -> Vec<String> {
    plan.iter()
        .filter(|step| {
            let mut words = step.split_whitespace();
            let full_scan = words.next() == Some("SCAN")
                && words.next().is_some_and(|t| BIG.contains(&t))
                && !step.contains(" USING ");
            full_scan || (!may_sort && step.contains("USE TEMP B-TREE FOR ORDER BY"))
        })
        .cloned()
        .collect()
}

/// The count and the pages of a list (in one pass and walked along its order, or read in
/// order): every step on a big table goes through an index, and no page that may be read
/// from many rows sorts them all. `PLANS=1` prints every plan.
async fn list_faults(
    db: &parsec::db::Db,
    label: &str,
    q: &parsec::db::list::ListQuery,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |what: &str, plan: Vec<String>, may_sort: bool| {
        if std::env::var("PLANS").is_ok() {
            eprintln!("{label} ({what}): {plan:?}");
        }
        let bad = faults(&plan, may_sort);
        if !bad.is_empty() {
            out.push(format!("{label} ({what}): {bad:?} in {plan:?}"));
        }
    };
    check(
        "count",
        plan(db, &q.count_sql(), q.binds(), false).await,
        true,
    );
    if q.walks() {
        // The one pass sorts the keys of at most 10,001 rows; the walk sorts nothing.
        check("page", plan(db, &q.page_sql(), q.binds(), true).await, true);
        check(
            "walked page",
            plan(db, &q.rows_sql(true), q.binds(), true).await,
            false,
        );
    } else {
        check(
            "page",
            plan(db, &q.rows_sql(false), q.binds(), true).await,
            false,
        );
    }
    out
}

/// Every filter with every sort.
fn combinations(
    filters: &[&[(&str, &str)]],
    sorts: &[&[(&str, &str)]],
) -> Vec<parsec::web::page::ListParams> {
    filters
        .iter()
        .flat_map(|f| sorts.iter().map(move |s| params(&[*f, *s].concat())))
        .collect()
}

fn params(pairs: &[(&str, &str)]) -> parsec::web::page::ListParams {
    parsec::web::page::ListParams(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// Every filter of the lists that grow with the years, alone and together, under every sort
/// and scope, is served by an index: `EXPLAIN QUERY PLAN` of the lists' own queries.
#[tokio::test]
async fn every_filter_of_the_big_lists_uses_an_index() {
    use parsec::accounts::Scope;
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let koro = app.unit_id("Poste frontière de Koro").await;
    let brigade = app.unit_id("Brigade de Koro").await;
    let scopes = [
        Scope::All,
        Scope::Units(parsec::accounts::scope_of_unit(db, &brigade).await.unwrap()),
    ];
    let mut wrong = Vec::new();

    let crossing_filters: &[&[(&str, &str)]] = &[
        &[],
        &[("post", &koro)],
        &[("from", "2026-01-01")],
        &[("to", "2026-01-31")],
        &[("from", "2026-01-01"), ("to", "2026-01-31")],
        &[("direction", "sortie")],
        &[("nationality", "MLI")],
        &[("mode", "pied")],
        &[("screening", "alerte")],
        &[("q", "Traoré")],
        &[("q", "A1234567")],
        &[("q", "amadou tra"), ("post", &koro), ("from", "2026-01-01")],
        &[
            ("mode", "pied"),
            ("direction", "entree"),
            ("to", "2026-01-31"),
        ],
    ];
    let sorts: &[&[(&str, &str)]] = &[
        &[],
        &[("sort", "time")],
        &[("sort", "time"), ("dir", "desc")],
        &[("sort", "post")],
        &[("sort", "post"), ("dir", "desc")],
        &[("sort", "screening")],
        &[("sort", "screening"), ("dir", "desc")],
    ];
    for scope in &scopes {
        for p in combinations(crossing_filters, sorts) {
            let q = parsec::border::crossing::list_query(
                scope,
                &parsec::border::forms::crossing_filter(&p),
                &app.state.keys,
            );
            let label = format!("crossings {scope:?} {}", p.described());
            wrong.extend(list_faults(db, &label, &q).await);
        }
    }

    let incident_filters: &[&[(&str, &str)]] = &[
        &[],
        &[("event_type", "violence_against_civilians")],
        &[("status", "clos")],
        &[("cercle", "Koro")],
        &[("from", "2026-01-01")],
        &[("to", "2026-01-31")],
        &[("q", "Dinangourou")],
        &[
            ("status", "signale"),
            ("from", "2026-01-01"),
            ("q", "marché"),
        ],
    ];
    let incident_sorts: &[&[(&str, &str)]] = &[
        &[],
        &[("sort", "time")],
        &[("sort", "place"), ("dir", "desc")],
        &[("sort", "status")],
    ];
    for scope in &scopes {
        for p in combinations(incident_filters, incident_sorts) {
            let q =
                parsec::incidents::list_query(scope, &parsec::incidents::web::incident_filter(&p));
            let label = format!("incidents {scope:?} {}", p.described());
            wrong.extend(list_faults(db, &label, &q).await);
        }
    }

    let audit_filters: &[&[(&str, &str)]] = &[
        &[],
        &[("actor", "agent.koro")],
        &[("action", "read")],
        &[("entity", "crossing")],
        &[("entity_id", "0193a1b2-0000-7000-8000-000000000001")],
        &[("entity", "crossing"), ("entity_id", "0193a1b2")],
        &[("from", "2026-01-01")],
        &[("to", "2026-01-31")],
        &[("from", "2026-01-01"), ("to", "2026-01-31")],
        &[("actor", "operations"), ("action", "list")],
        &[
            ("action", "export"),
            ("from", "2026-01-01"),
            ("to", "2026-01-31"),
        ],
    ];
    for filter in audit_filters {
        let p = params(filter);
        let q = parsec::audit::log_query(&parsec::audit::web::log_filter(&p));
        wrong.extend(list_faults(db, &format!("audit {}", p.described()), &q).await);
    }

    // The statistics read a range of days of the daily counts, never the crossings.
    for period in ["day", "week", "month"] {
        let period = parsec::border::flows::Period::parse(period).unwrap();
        for sql in parsec::border::flows::queries(period) {
            for (post, scope) in [(None, None), (Some(koro.clone()), scopes[1].as_json())] {
                let binds: Vec<String> = ["2026-01-01".to_string(), "2026-12-31".to_string()]
                    .into_iter()
                    .chain(post.clone())
                    .collect();
                let explain = format!("EXPLAIN QUERY PLAN {sql}");
                let plan: Vec<String> =
                    sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(explain))
                        .bind(&binds[0])
                        .bind(&binds[1])
                        .bind(post)
                        .bind(scope)
                        .fetch_all(db)
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|r| r.3)
                        .collect();
                let bad = faults(&plan, true);
                if !bad.is_empty() || !plan.iter().any(|s| s.contains("SEARCH f USING")) {
                    wrong.push(format!("flows {period:?}: {plan:?}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Records a crossing at Koro through the service, as the agents' form does.
async fn record(app: &TestApp, submission: &str, surname: &str, given: &str, document: &str) {
    let koro = app.unit_id("Poste frontière de Koro").await;
    let f = parsec::web::page::Fields::from_pairs(
        [
            ("submission", submission),
            ("surname", surname),
            ("given_names", given),
            ("nationality", "ML"),
            ("document_code", "P"),
            ("document_country", "MLI"),
            ("document_number", document),
            ("direction", "entree"),
            ("mode", "pied"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    );
    let today = time::OffsetDateTime::now_utc().date();
    let input = parsec::border::forms::crossing_input(&app.state, &f, today).unwrap();
    parsec::border::crossing::record(
        &app.state,
        &parsec::audit::Actor::system("test"),
        &koro,
        &input,
        &parsec::db::now_text(),
    )
    .await
    .unwrap();
}

/// The travellers a search of the crossing list shows (the list's name cells), sorted.
async fn found(c: &mut crate::support::Client, q: &str) -> Vec<String> {
    let (status, html) = c
        .get_text(&format!("/border/crossings?q={}", crate::support_q(q)))
        .await;
    assert_eq!(status, 200, "{q}");
    let body = html
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    body.split("<tr>")
        .skip(1)
        .filter_map(|row| row.split("<td>").nth(3))
        .map(|cell| cell.split("</td>").next().unwrap().to_string())
        .collect()
}

/// A name is searched through the full-text index: folded for case and accents, by the start
/// of each word, every word required; a document number by its start too.
#[tokio::test]
async fn names_are_found_by_their_words_folded() {
    let app = TestApp::spawn().await;
    for (k, (surname, given, document)) in [
        ("Traoré", "Amadou", "B7654321"),
        ("TRAORE", "Ousmane", "C1111111"),
        ("N'Diaye", "Fatoumata", "D2222222"),
        ("Ag Intalla", "Boubacar", "E3333333"),
        ("Coulibaly", "Traorine", "F4444444"),
    ]
    .iter()
    .enumerate()
    {
        record(&app, &format!("s-{k}"), surname, given, document).await;
    }
    let mut ops = app.login("operations").await;
    let cases: &[(&str, &[&str])] = &[
        ("traore", &["TRAORE Ousmane", "Traoré Amadou"]),
        ("TRAORÉ amadou", &["Traoré Amadou"]),
        // Whole words only: the names are sealed and searched by keyed tags of their words,
        // with no tags of prefixes (they would spell the names out, docs/encryption-design.md).
        ("Tra", &[]),
        ("raore", &[]),
        ("B765", &[]),
        ("B7654321", &["Traoré Amadou"]),
        // Spelt otherwise, as the screening engine's spelling keys make equal.
        ("Traorre", &["TRAORE Ousmane", "Traoré Amadou"]),
        ("c1111111", &["TRAORE Ousmane"]),
        ("n'diaye", &["N&#39;Diaye Fatoumata"]),
        ("Diaye", &["N&#39;Diaye Fatoumata"]),
        ("boubacar intalla", &["Ag Intalla Boubacar"]),
        ("Intalla Amadou", &[]),
        // Nothing to search for: the whole list.
        (
            "%",
            &[
                "Ag Intalla Boubacar",
                "Coulibaly Traorine",
                "N&#39;Diaye Fatoumata",
                "TRAORE Ousmane",
                "Traoré Amadou",
            ],
        ),
    ];
    for (q, expected) in cases {
        let mut got = found(&mut ops, q).await;
        got.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(got, expected, "search {q:?}");
    }
}

/// The tags of a name for crossings written straight into the table.
fn name_keys(app: &TestApp, surname: &str, given: &str) -> String {
    app.state.keys.name_keys(&[surname, given])
}

/// The name index follows the crossings: the retention purge deletes their words too, and
/// the index agrees with the table afterwards (FTS5's own integrity check against it).
#[tokio::test]
async fn the_name_index_follows_the_purge() {
    let app = TestApp::spawn().await;
    let koro = app.unit_id("Poste frontière de Koro").await;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
         INSERT INTO crossings (id, submission_id, unit_id, crossed_at, recorded_by, direction,
                                mode, surname, given_names, screening, name_keys)
         SELECT 'old-' || i, 'old-' || i, ?1,
                strftime('%Y-%m-%dT%H:%M:%SZ', '2015-01-01', '+' || i || ' minutes'),
                'agent.koro', 'entree', 'pied', 'Kassogué', 'Issa', 'aucune', ?2 FROM n",
    )
    .bind(&koro)
    .bind(name_keys(&app, "Kassogué", "Issa"))
    .execute(&app.state.db)
    .await
    .unwrap();
    record(&app, "s-new", "Kassogué", "Hawa", "").await;
    let mut ops = app.login("operations").await;
    assert_eq!(
        found(&mut ops, "kassogue").await.len(),
        25,
        "a page of them"
    );
    parsec::border::retention::run(
        &app.state,
        &parsec::audit::Actor::system("retention"),
        parsec::config::DEFAULT_RETENTION_DAYS,
    )
    .await
    .unwrap();
    assert_eq!(found(&mut ops, "kassogue").await, ["Kassogué Hawa"]);
    sqlx::query("INSERT INTO crossings_fts (crossings_fts, rank) VALUES ('integrity-check', 1)")
        .execute(&app.state.db)
        .await
        .unwrap();
}

/// Beyond 10,000 rows a list says "more than 10,000" instead of counting them all, pages over
/// the first 10,000, and still shows the newest first, whether the filter has its own index
/// (a post), none that keeps the order (a commandant's units, a name) or is sorted otherwise.
#[tokio::test]
async fn a_long_list_says_more_than_ten_thousand_and_shows_the_newest_first() {
    let app = TestApp::spawn().await;
    let koro = app.unit_id("Poste frontière de Koro").await;
    // 10,050 crossings, one a minute, the newest ten minutes ago; all Traoré but the newest.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050)
         INSERT INTO crossings (id, submission_id, unit_id, crossed_at, recorded_by, direction,
                                mode, surname, given_names, screening, name_keys)
         SELECT printf('c-%05d', i), 'c-' || i, ?1,
                strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || (10 + 10050 - i) || ' minutes'),
                'agent.koro', 'entree', 'pied',
                CASE WHEN i = 10050 THEN 'Guindo' ELSE 'Traoré' END, 'Issa',
                CASE WHEN i % 1000 = 0 THEN 'alerte' ELSE 'aucune' END,
                CASE WHEN i = 10050 THEN ?2 ELSE ?3 END FROM n",
    )
    .bind(&koro)
    .bind(name_keys(&app, "Guindo", "Issa"))
    .bind(name_keys(&app, "Traoré", "Issa"))
    .execute(&app.state.db)
    .await
    .unwrap();
    let mut ops = app.login("operations").await;
    let mut cdt = app.login("commandant.koro").await;
    let first_row = |html: &str| {
        html.split("<tbody>")
            .nth(1)
            .and_then(|b| b.split("href=\"/border/crossings/").nth(1))
            .map(|r| r.split('"').next().unwrap().to_string())
            .unwrap_or_default()
    };
    let by_post = format!("/border/crossings?post={koro}");
    for (commandant, path, newest) in [
        (false, "/border/crossings", "c-10050"),
        (false, by_post.as_str(), "c-10050"),
        (true, "/border/crossings", "c-10050"),
        (false, "/border/crossings?q=traore", "c-10049"),
        (true, "/border/crossings?q=Traor%C3%A9", "c-10049"),
        (false, "/border/crossings?sort=time&dir=asc", "c-00001"),
        (false, "/border/crossings?sort=post", "c-00001"),
    ] {
        let who = if commandant { &mut cdt } else { &mut ops };
        let (status, html) = who.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            html.contains("plus de 10\u{202f}000"),
            "{path}: {}",
            html.split("class=\"count\">")
                .nth(1)
                .unwrap_or("")
                .get(..60)
                .unwrap_or("")
        );
        assert!(html.contains("1 / 400+"), "{path}");
        assert_eq!(first_row(&html), newest, "{path}");
    }
    // The last of the 400 pages has its rows and no next page.
    let (_, html) = ops.get_text("/border/crossings?page=400").await;
    assert!(html.contains("400 / 400+") && !html.contains("rel=\"next\""));
    assert_eq!(first_row(&html), "c-00075");
    let (_, html) = ops.get_text("/border/crossings?q=guindo").await;
    assert_eq!(first_row(&html), "c-10050");
    assert!(html.contains("<p class=\"count\">1<"), "one Guindo");
    // A filter that keeps fewer rows counts them exactly.
    let (_, html) = cdt.get_text("/border/crossings?screening=alerte").await;
    assert!(html.contains("<p class=\"count\">10<"), "{html}");
    assert!(html.contains("1 / 1"));
    // The inspectors' log and its API say the same of its entries.
    let mut insp = app.login("inspecteur").await;
    let (_, json) = insp.get_text("/api/v1/audit?entity=crossing").await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total_capped"], false);
}

/// The map's coverage layer is computed once for the same units and hours and reused; a unit
/// placed elsewhere is a new layer, never the old one served again.
#[tokio::test]
async fn the_coverage_layer_is_reused_until_the_units_change() {
    let app = TestApp::spawn().await;
    let mut ops = app.login("operations").await;
    let uncovered = |html: &str| html.matches("class=\"uncovered\"").count();
    let (_, first) = ops.get_text("/map?coverage=1").await;
    let (_, again) = ops.get_text("/map?coverage=1").await;
    assert_eq!(uncovered(&first), uncovered(&again));
    assert!(uncovered(&first) > 0);
    assert_eq!(app.state.coverage.layers(), 1, "computed once");
    // A new unit where the layer had a place beyond the hour.
    let units: Vec<(f64, f64)> =
        sqlx::query_as("SELECT lat, lon FROM units WHERE lat IS NOT NULL AND lon IS NOT NULL")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    let points: Vec<routing::Point> = units
        .iter()
        .map(|(lat, lon)| routing::Point::new(*lat, *lon))
        .collect();
    let layer = parsec::incidents::coverage::compute(&app.state, &points, 1.0);
    let (_, lat, lon) = layer.uncovered.first().cloned().unwrap();
    let mut admin = app.login("admin").await;
    let res = admin
        .post_form(
            "/units",
            &[
                ("name", "Poste avancé de test"),
                ("kind", "brigade"),
                ("force", "GN"),
                ("lat", &lat.to_string()),
                ("lon", &lon.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, after) = ops.get_text("/map?coverage=1").await;
    assert!(uncovered(&after) < uncovered(&first));
    assert_eq!(app.state.coverage.layers(), 2, "a layer for the new units");
}
