//! Crossings at the border posts over HTTP: a scanned passport saved with its screening, the
//! hit in the commandant's queue, the instruction read, a second Enter that saves nothing
//! twice, typed entries and bad input with their messages, scope, audit and export.

use crate::support::{Client, TestApp, location, submission_of};

/// A TD3 (passport) zone with every check digit computed, as a scanner types it.
pub fn td3(
    surname: &str,
    given: &str,
    number: &str,
    nat: &str,
    birth: &str,
    sex: &str,
    expiry: &str,
) -> String {
    let digit = |parts: &[&str]| {
        char::from(mrz::check_digit(parts.iter().map(|p| p.as_bytes())).unwrap()).to_string()
    };
    let pad = |s: &str, n: usize| format!("{s:<<n$}");
    let names = pad(
        &format!("{}<<{}", surname.replace(' ', "<"), given.replace(' ', "<")),
        39,
    );
    let line1 = format!("P<{nat}{names}");
    let number = pad(number, 9);
    let optional = pad("", 14);
    let (dn, db, de, dopt) = (
        digit(&[&number]),
        digit(&[birth]),
        digit(&[expiry]),
        digit(&[&optional]),
    );
    let composite = digit(&[&number, &dn, birth, &db, expiry, &de, &optional, &dopt]);
    let line2 = format!("{number}{dn}{nat}{birth}{db}{sex}{expiry}{de}{optional}{dopt}{composite}");
    assert_eq!((line1.len(), line2.len()), (44, 44));
    format!("{line1}\n{line2}")
}

/// The passport zone of the demo list's fictitious DEMO-002 (an alert: hold him).
pub fn demo_002_zone() -> String {
    td3(
        "AG INTALLA",
        "BOUBACAR",
        "ML1234567",
        "MLI",
        "810930",
        "M",
        "300101",
    )
}

/// The one-time key of a freshly opened crossing form.
async fn open_form(c: &mut Client) -> String {
    let (status, html) = c.get_text("/border/crossings/new").await;
    assert_eq!(status, 200, "{html}");
    let at = html.find("name=\"submission\" value=\"").unwrap() + 26;
    html[at..].split('"').next().unwrap().to_string()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_scanned_listed_traveller_raises_an_alert_that_the_commandant_reviews() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let submission = open_form(&mut agent).await;
    // The demo list's fictitious DEMO-002, as his passport's zone reads.
    let zone = demo_002_zone();
    let fields = [
        ("submission", submission.as_str()),
        ("mrz", zone.as_str()),
        ("direction", "entree"),
        ("mode", "pied"),
        ("origin", "Ouahigouya"),
        ("destination", "Koro"),
        ("purpose", "commerce"),
    ];
    let res = agent.post_form("/border/crossings/new", &fields).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let page = location(&res);
    assert!(page.starts_with("/border/crossings/") && page.ends_with("?saved=1"));
    let id = page
        .trim_start_matches("/border/crossings/")
        .trim_end_matches("?saved=1")
        .to_string();
    let (status, html) = agent.get_text(&page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("ALERTE") && html.contains("Arrêter"),
        "{html}"
    );
    assert!(
        html.contains("BOUBACAR AG INTALLA") || html.contains("BOUBACAR"),
        "{html}"
    );
    assert!(html.contains("J&#39;ai lu la consigne") || html.contains("J'ai lu la consigne"));
    // The origin abroad is kept as typed; the destination is the region's locality.
    let (origin, destination, nationality): (String, Option<String>, String) =
        sqlx::query_as("SELECT origin, destination_id, nationality FROM crossings WHERE id = ?")
            .bind(&id)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(origin, "Ouahigouya");
    assert!(destination.is_some());
    assert_eq!(nationality, "ML", "documents' alpha-3 kept as alpha-2");
    // A second Enter on the same form saves nothing twice.
    let res = agent.post_form("/border/crossings/new", &fields).await;
    assert_eq!(location(&res), page);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM crossings").await, 1);
    assert_eq!(count(&app, "SELECT SUM(people) FROM flow_people").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM screening_hits WHERE crossing_id IS NOT NULL"
        )
        .await,
        1
    );
    // No next crossing before the alert is acknowledged: the form sends back to the alert, and
    // a form opened earlier keeps what was typed and saves nothing.
    let res = agent.get("/border/crossings/new").await;
    assert_eq!(location(&res), format!("{}&pending=1", page));
    let next = [
        ("submission", "opened-before-the-alert"),
        ("surname", "TRAORE"),
        ("direction", "entree"),
        ("mode", "pied"),
    ];
    let res = agent.post_form("/border/crossings/new", &next).await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("acquittez d&#39;abord la consigne")
            || html.contains("acquittez d'abord la consigne"),
        "{html}"
    );
    assert!(html.contains("value=\"TRAORE\""), "{html}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM crossings").await, 1);
    // The agent confirms having read the instruction.
    let res = agent
        .post_form(&format!("/border/crossings/{id}/instruction-read"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = agent.get_text(&page).await;
    assert!(html.contains("Consigne lue le") && !html.contains("id=\"read-instruction\""));
    assert_eq!(app.audit_count("instruction_read").await, 1);
    // The hit waits in the queue of the post's commandant, who confirms it.
    let hit: String = sqlx::query_scalar("SELECT id FROM screening_hits WHERE crossing_id = ?")
        .bind(&id)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let mut cdt = app.login("commandant.koro").await;
    let (_, html) = cdt.get_text("/screening/review").await;
    assert!(html.contains(&hit));
    let res = cdt
        .post_form(
            &format!("/screening/hits/{hit}"),
            &[
                ("decision", "confirme"),
                ("reason", "Passeport et photo concordent"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    // The commandant finds the crossing in the list, and the reading of it is audited.
    let (_, html) = cdt.get_text("/border/crossings?screening=alerte").await;
    assert!(html.contains(&id), "{html}");
    let reads = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND entity = 'crossing'",
    )
    .await;
    assert!(reads >= 2);
    assert!(app.audit_count("list").await >= 1);
}

#[tokio::test]
async fn typed_entries_and_bad_input_get_clear_messages_and_nothing_half_saved() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let submission = open_form(&mut agent).await;
    let good = td3("TRAORE", "AWA", "B7654321", "MLI", "900101", "F", "310101");
    // One check digit wrong: refused at the zone's field, the zone kept for a rescan.
    let mut bad = good.clone();
    bad.pop();
    bad.push(if good.ends_with('1') { '2' } else { '1' });
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[
                ("mrz", bad.as_str()),
                ("direction", "entree"),
                ("mode", "pied"),
            ],
            "La bande ne se lit pas",
        ),
        (
            &[
                ("mrz", "P<MLITRAORE<<AWA"),
                ("direction", "entree"),
                ("mode", "pied"),
            ],
            "La bande ne se lit pas",
        ),
        (
            &[
                ("surname", "Traoré"),
                ("birth_date", "2099-01-01"),
                ("direction", "entree"),
                ("mode", "pied"),
            ],
            "dans le futur",
        ),
        (
            &[
                ("surname", "Traoré"),
                ("birth_date", "1990-02-30"),
                ("direction", "entree"),
                ("mode", "pied"),
            ],
            "Date invalide",
        ),
        (
            &[
                ("surname", "Traoré"),
                ("nationality", "M1"),
                ("direction", "entree"),
                ("mode", "pied"),
            ],
            "Code de pays invalide",
        ),
        (
            &[("surname", ""), ("direction", "entree"), ("mode", "pied")],
            "obligatoire",
        ),
    ];
    for (fields, message) in cases {
        let mut all = vec![("submission", submission.as_str())];
        all.extend_from_slice(fields);
        let res = agent.post_form("/border/crossings/new", &all).await;
        assert_eq!(res.status(), 422, "{fields:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{message} for {fields:?}: {html}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM crossings").await, 0);
    // Without a document: a name, a year of birth, approximate; a child is flagged.
    let res = agent
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", submission.as_str()),
                ("surname", "Guindo"),
                ("given_names", "Ali"),
                ("birth_date", "2016"),
                ("birth_approximate", "on"),
                ("nationality", "ml"),
                ("direction", "sortie"),
                ("mode", "pirogue"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = agent.get_text(&location(&res)).await;
    assert!(
        html.contains("Aucune correspondance") && html.contains("Voyageur mineur"),
        "{html}"
    );
    // A name typed in Arabic script is taken and screened like any other.
    let submission = open_form(&mut agent).await;
    let res = agent
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", submission.as_str()),
                ("surname", "بوبكر اغ انتالا"),
                ("birth_date", "1981-09-30"),
                ("direction", "entree"),
                ("mode", "pied"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = agent.get_text(&location(&res)).await;
    assert!(
        html.contains("ALERTE") || html.contains("À VÉRIFIER"),
        "{html}"
    );
    if html.contains("id=\"read-instruction\"") {
        // An alert is acknowledged before the next crossing.
        let page = location(&res);
        let id = page
            .trim_start_matches("/border/crossings/")
            .trim_end_matches("?saved=1");
        let res = agent
            .post_form(&format!("/border/crossings/{id}/instruction-read"), &[])
            .await;
        assert_eq!(res.status(), 303);
    }
    // Reading the zone only fills the form without saving (the path without JavaScript).
    let submission = open_form(&mut agent).await;
    let res = agent
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", submission.as_str()),
                ("mrz", &good.to_lowercase().replace('\n', "\n\n")),
                ("direction", "entree"),
                ("mode", "pied"),
                ("action", "read"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("value=\"TRAORE\"") && html.contains("TD3 · valide"),
        "{html}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM crossings").await, 2);
    // The same document again in the same direction today, and an expired one: warned.
    for (expiry, warning) in [("310101", "déjà passé"), ("200101", "Document expiré")] {
        let submission = open_form(&mut agent).await;
        let zone = td3("TRAORE", "AWA", "B7654321", "MLI", "900101", "F", expiry);
        for _ in 0..2 {
            let res = agent
                .post_form(
                    "/border/crossings/new",
                    &[
                        ("submission", submission.as_str()),
                        ("mrz", zone.as_str()),
                        ("direction", "entree"),
                        ("mode", "pied"),
                    ],
                )
                .await;
            assert_eq!(res.status(), 303);
            let (_, html) = agent.get_text(&location(&res)).await;
            if expiry == "310101" && html.contains(warning) {
                break;
            }
            if expiry == "200101" {
                assert!(html.contains(warning), "{html}");
            }
        }
    }
    let warned = count(
        &app,
        "SELECT COUNT(*) FROM crossings WHERE warnings LIKE '%seen_today%'",
    )
    .await;
    assert!(warned >= 1);
}

#[tokio::test]
async fn an_agent_never_sees_another_posts_crossings() {
    let app = TestApp::spawn().await;
    let ouenkoro = app.unit_id("Poste frontière de Ouenkoro").await;
    let f = parsec::web::page::Fields::from_pairs(vec![
        ("submission".into(), "s-1".into()),
        ("surname".into(), "Ongoïba".into()),
        ("nationality".into(), "ML".into()),
        ("given_names".into(), "Yacouba".into()),
        ("direction".into(), "entree".into()),
        ("mode".into(), "moto".into()),
    ]);
    let today = time::OffsetDateTime::now_utc().date();
    let input = parsec::border::forms::crossing_input(&app.state, &f, today).unwrap();
    let elsewhere = parsec::border::crossing::record(
        &app.state,
        &parsec::audit::Actor::system("test"),
        &ouenkoro,
        &input,
        &parsec::db::now_text(),
    )
    .await
    .unwrap()
    .id;
    let mut agent = app.login("agent.koro").await;
    let mut cdt = app.login("commandant.koro").await;
    for c in [&mut agent, &mut cdt] {
        assert_eq!(
            c.get(&format!("/border/crossings/{elsewhere}"))
                .await
                .status(),
            404
        );
    }
    let (_, html) = cdt.get_text("/border/crossings").await;
    assert!(!html.contains(&elsewhere) && !html.contains("Ongoïba"));
    // Not even its counts: the statistics of Koro's people are Koro's.
    for c in [&mut agent, &mut cdt] {
        let (_, json) = c.get_text("/api/v1/border/flows").await;
        assert!(
            !json.contains("Ouenkoro") && !json.contains(&ouenkoro),
            "{json}"
        );
        let res = c
            .post_form(
                &format!("/border/crossings/{elsewhere}/instruction-read"),
                &[],
            )
            .await;
        assert_eq!(res.status(), 404);
    }
    let (_, csv) = cdt.get_text("/border/crossings/export.csv").await;
    assert!(!csv.contains("Ongoïba"), "{csv}");
    assert_eq!(agent.get("/border/crossings").await.status(), 403);
    // Nothing was read: no read of it is recorded.
    let reads = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND entity = 'crossing'",
    )
    .await;
    assert_eq!(reads, 0);
    // The operations centre sees the region, and its export is audited with the filter.
    let mut ops = app.login("operations").await;
    let (status, csv) = ops
        .get_text("/border/crossings/export.csv?direction=entree")
        .await;
    assert_eq!(status, 200);
    assert!(
        csv.starts_with("id,crossed_at,post") && csv.contains("Ongoïba"),
        "{csv}"
    );
    // Stable codes for scripts, then the same in words for people, at the end of each line.
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(|v| v.trim_matches('"'))
        .collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(row[at("direction")], "entree");
    assert_eq!(row[at("direction_label")], "Entrée");
    assert!(at("direction_label") > at("recorded_by"));
    // Its list filters by nationality as documents print it, and by post.
    let (_, html) = ops.get_text("/border/crossings?nationality=MLI").await;
    assert!(html.contains("Ongoïba"), "{html}");
    // Its list filters by post.
    let (_, html) = ops
        .get_text(&format!("/border/crossings?post={ouenkoro}"))
        .await;
    assert!(html.contains("Ongoïba"));
    let koro = app.unit_id("Poste frontière de Koro").await;
    let (_, html) = ops
        .get_text(&format!("/border/crossings?post={koro}"))
        .await;
    assert!(!html.contains("Ongoïba"));
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'export' AND entity = 'crossing' ORDER BY seq DESC LIMIT 1")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert!(
        detail.contains("rows=1") && detail.contains("direction=entree"),
        "{detail}"
    );
}

#[tokio::test]
async fn flow_statistics_count_without_naming_anyone() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    for (name, nat, direction, mode) in [
        ("Kassogué", "ML", "entree", "pied"),
        ("Ouédraogo", "BF", "entree", "moto"),
        ("Zerbo", "BF", "sortie", "moto"),
    ] {
        let submission = open_form(&mut agent).await;
        let res = agent
            .post_form(
                "/border/crossings/new",
                &[
                    ("submission", submission.as_str()),
                    ("surname", name),
                    ("nationality", nat),
                    ("direction", direction),
                    ("mode", mode),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let (status, html) = agent.get_text("/border/flows").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<svg") && html.contains("<polyline"),
        "{html}"
    );
    assert!(html.contains("Poste frontière de Koro"));
    assert!(!html.contains("Kassogué") && !html.contains("Zerbo"));
    let (status, json) = agent.get_text("/api/v1/border/flows?period=month").await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let people: i64 = v["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["people"].as_i64().unwrap())
        .sum();
    assert_eq!(people, 3);
    let bf_entries: i64 = v["people"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["nationality"] == "BF" && r["direction"] == "entree")
        .map(|r| r["people"].as_i64().unwrap())
        .sum();
    assert_eq!(bf_entries, 1);
    assert!(!json.contains("Zerbo"));
    // A range that ends before it starts is refused clearly.
    let (status, _) = agent
        .get_text("/api/v1/border/flows?from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(status, 422);
}

/// The submission key of a form page.

#[tokio::test]
async fn a_lorry_and_its_goods_cross_with_their_driver() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let submission = open_form(&mut agent).await;
    let res = agent
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", submission.as_str()),
                ("surname", "Sankara"),
                ("nationality", "BF"),
                ("direction", "entree"),
                ("mode", "camion"),
            ],
        )
        .await;
    let crossing = location(&res)
        .trim_start_matches("/border/crossings/")
        .trim_end_matches("?saved=1")
        .to_string();
    let (status, html) = agent
        .get_text(&format!("/border/vehicles/new?driver={crossing}"))
        .await;
    assert_eq!(status, 200);
    let submission = submission_of(&html);
    let vehicle = |plate: &'static str| {
        vec![
            ("submission", submission.clone()),
            ("driver", crossing.clone()),
            ("plate", plate.to_string()),
            ("country", "bf".to_string()),
            ("kind", "camion".to_string()),
            ("direction", "entree".to_string()),
            ("passengers", "2".to_string()),
        ]
    };
    // A plate with odd characters is refused at its field.
    let bad = vehicle("11#GH<3");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = agent.post_form("/border/vehicles/new", &bad).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Immatriculation invalide")
    );
    let good = vehicle("11 GH 4523");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = agent.post_form("/border/vehicles/new", &good).await;
    assert_eq!(res.status(), 303);
    let page = location(&res);
    // Saved once, whatever the number of Enters.
    let again = agent.post_form("/border/vehicles/new", &good).await;
    assert_eq!(location(&again), page);
    let vehicle_id = page.trim_start_matches("/border/vehicles/").to_string();
    let (_, html) = agent.get_text(&page).await;
    assert!(
        html.contains("11 GH 4523") && html.contains("Sankara"),
        "{html}"
    );
    // Goods on the lorry: a negative quantity is refused, a real one counted.
    let (_, html) = agent
        .get_text(&format!("/border/goods/new?vehicle={vehicle_id}"))
        .await;
    let submission = submission_of(&html);
    let mopti = app.state.gazetteer.search("Mopti", 1)[0]
        .locality
        .id
        .clone();
    for (quantity, status) in [("-3", 422), ("abc", 422), ("12.5", 303)] {
        let res = agent
            .post_form(
                "/border/goods/new",
                &[
                    ("submission", submission.as_str()),
                    ("vehicle", vehicle_id.as_str()),
                    ("category", "cereales"),
                    ("quantity", quantity),
                    // As typed: a unit in capitals, an amount with spaces, a locality
                    // chosen from the suggestions (its id).
                    ("quantity_unit", "T"),
                    ("value_fcfa", "3 500 000"),
                    ("origin", "Ouahigouya"),
                    ("destination", mopti.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status(), status, "{quantity}");
    }
    let (unit, destination): (String, String) =
        sqlx::query_as("SELECT quantity_unit, destination FROM goods_declarations")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((unit.as_str(), destination.as_str()), ("t", "Mopti"));
    let (_, html) = agent.get_text(&page).await;
    assert!(
        html.contains("Céréales") && html.contains("12.5 t"),
        "{html}"
    );
    // The categories are the administrators' list: a retired one is no longer offered.
    let actor = parsec::audit::Actor::system("test");
    parsec::border::vehicle::retire_category(&app.state, &actor, "motos")
        .await
        .unwrap();
    parsec::border::vehicle::set_category(&app.state, &actor, "engrais", "Engrais", "Fertiliser")
        .await
        .unwrap();
    let (_, html) = agent
        .get_text(&format!("/border/goods/new?vehicle={vehicle_id}"))
        .await;
    assert!(
        html.contains("Engrais") && !html.contains(">Motos<"),
        "{html}"
    );
    let submission = submission_of(&html);
    for (category, status) in [("motos", 422), ("engrais", 303)] {
        let res = agent
            .post_form(
                "/border/goods/new",
                &[
                    ("submission", submission.as_str()),
                    ("vehicle", vehicle_id.as_str()),
                    ("category", category),
                    ("quantity", "2"),
                    ("quantity_unit", "t"),
                ],
            )
            .await;
        assert_eq!(res.status(), status, "{category}");
    }
    let (_, json) = agent.get_text("/api/v1/border/flows").await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["vehicles"][0]["kind"], "camion");
    assert_eq!(v["goods"][0]["quantity"], 12.5);
    assert_eq!(v["goods"][0]["value_fcfa"], 3_500_000);
    // The commandant of the post and the operations centre read it too; the commandant may
    // report it to the partner across the border.
    let mut cdt = app.login("commandant.koro").await;
    assert_eq!(cdt.get(&page).await.status(), 200);
    let res = cdt
        .post_form(
            &format!("/border/vehicles/{vehicle_id}/share"),
            &[("reason", "Camion signalé volé à Bankass")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (id, kind, plate): (String, String, String) =
        sqlx::query_as("SELECT id, kind, plate FROM exchange_alerts")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_ne!(plate, "11 GH 4523", "the plate is stored sealed");
    let plate = app.state.keys.open("exchange_alerts", "plate", &id, &plate);
    assert_eq!((kind.as_str(), plate.as_str()), ("vehicule", "11 GH 4523"));
    let mut ops = app.login("operations").await;
    assert_eq!(ops.get(&page).await.status(), 200);
}

#[tokio::test]
async fn the_demo_has_weeks_of_crossings_some_of_them_listed() {
    let app = TestApp::spawn().await;
    let n = parsec::border::demo::seed_crossings(&app.state, 14)
        .await
        .unwrap();
    assert!(n > 14 * 4 * 15, "{n}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM crossings").await,
        n as i64
    );
    assert_eq!(
        count(&app, "SELECT SUM(people) FROM flow_people").await,
        n as i64
    );
    assert!(count(&app, "SELECT COUNT(*) FROM crossing_vehicles").await > 0);
    assert!(count(&app, "SELECT COUNT(*) FROM goods_declarations").await > 0);
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM crossings WHERE screening = 'alerte'"
        )
        .await
            >= 2,
        "the listed visitors raise alerts"
    );
    // The same demo every time: seeding again adds nothing.
    let again = parsec::border::demo::seed_crossings(&app.state, 14)
        .await
        .unwrap();
    assert_eq!(again, n);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM crossings").await,
        n as i64
    );
    let mut cdt = app.login("commandant.koro").await;
    let (_, html) = cdt.get_text("/border/flows?period=week").await;
    assert!(html.contains("<polyline"));
}

#[tokio::test]
async fn old_crossings_are_purged_except_confirmed_hits_and_statistics_stay() {
    let app = TestApp::spawn().await;
    let koro = app.unit_id("Poste frontière de Koro").await;
    let actor = parsec::audit::Actor::system("test");
    let old = parsec::db::timestamp(parsec::db::now() - time::Duration::days(6 * 365));
    let record = |submission: &'static str,
                  surname: &'static str,
                  given: &'static str,
                  birth: &'static str,
                  at: String| {
        let state = app.state.clone();
        let koro = koro.clone();
        let actor = actor.clone();
        async move {
            let f = parsec::web::page::Fields::from_pairs(vec![
                ("submission".into(), submission.into()),
                ("surname".into(), surname.into()),
                ("given_names".into(), given.into()),
                ("birth_date".into(), birth.into()),
                ("nationality".into(), "ML".into()),
                ("direction".into(), "entree".into()),
                ("mode".into(), "camion".into()),
            ]);
            let today = time::OffsetDateTime::now_utc().date();
            let input = parsec::border::forms::crossing_input(&state, &f, today).unwrap();
            parsec::border::crossing::record(&state, &actor, &koro, &input, &at)
                .await
                .unwrap()
                .id
        }
    };
    let listed = record("r-1", "Ag Intalla", "Boubacar", "1981-09-30", old.clone()).await;
    let plain = record("r-2", "Kassogué", "Issa", "", old.clone()).await;
    let recent = record("r-3", "Guindo", "Ali", "", parsec::db::now_text()).await;
    use parsec::border::vehicle::{GoodsOwner, NewGoods, NewVehicle};
    let truck = NewVehicle {
        submission_id: "v-1".into(),
        plate: "11 GH 1".into(),
        country: String::new(),
        kind: parsec::border::model::VehicleKind::Camion,
        passengers: 0,
        driver: parsec::ids::CrossingId::parse(&plain),
        direction: None,
    };
    let vehicle =
        parsec::border::vehicle::record_vehicle_at(&app.state, &actor, &koro, &truck, &old)
            .await
            .unwrap();
    let goods = NewGoods {
        submission_id: "g-1".into(),
        owner: GoodsOwner::Vehicle(parsec::ids::VehicleId::parse(&vehicle).unwrap()),
        category: "cereales".into(),
        quantity: 3.0,
        quantity_unit: "t".into(),
        value_fcfa: None,
        origin: String::new(),
        destination: String::new(),
    };
    parsec::border::vehicle::record_goods_at(&app.state, &actor, &koro, &goods, &old)
        .await
        .unwrap();
    // The listed traveller's hit is confirmed: his crossing is evidence and stays.
    let hit: String = sqlx::query_scalar("SELECT id FROM screening_hits WHERE crossing_id = ?")
        .bind(&listed)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    parsec::screening::review(
        &app.state,
        &actor,
        &parsec::accounts::Scope::All,
        &hit,
        true,
        "confirmé",
    )
    .await
    .unwrap();
    parsec::border::exchange::share(
        &app.state,
        &actor,
        &parsec::accounts::Scope::All,
        parsec::border::exchange::Shared::Crossing(&plain),
        "Recherché",
        30,
    )
    .await
    .unwrap();
    // Zero days would purge everything: refused.
    assert!(
        parsec::border::retention::run(&app.state, &actor, 0)
            .await
            .is_err()
    );
    let people_before = count(&app, "SELECT SUM(people) FROM flow_people").await;
    let purged =
        parsec::border::retention::run(&app.state, &actor, parsec::config::DEFAULT_RETENTION_DAYS)
            .await
            .unwrap();
    assert_eq!(
        (purged.crossings, purged.vehicles, purged.goods, purged.kept),
        (1, 1, 1, 1)
    );
    assert_eq!(
        purged.alerts, 1,
        "the alert shared about the purged traveller goes too"
    );
    let left: Vec<String> = sqlx::query_scalar("SELECT id FROM crossings ORDER BY crossed_at")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(left, vec![listed, recent]);
    assert_eq!(
        count(&app, "SELECT SUM(people) FROM flow_people").await,
        people_before
    );
    assert_eq!(
        count(&app, "SELECT SUM(vehicles) FROM flow_vehicles").await,
        1
    );
    let detail: String = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'purge'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(
        detail.contains("crossings=1") && detail.contains("kept=1"),
        "{detail}"
    );
    // Nothing more to purge the second time.
    let again =
        parsec::border::retention::run(&app.state, &actor, parsec::config::DEFAULT_RETENTION_DAYS)
            .await
            .unwrap();
    assert_eq!(again.crossings, 0);
}

/// The exchange with the partner across the border, through the command line as scripts
/// use it: a commandant shares an alert, the package is exported, verified, refused once
/// altered, and imported by the partner's node, whose agents then see the alert.
#[tokio::test]
async fn an_exchange_package_goes_across_and_an_altered_one_is_refused() {
    use crate::cli::{parsec, text};
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let submission = open_form(&mut agent).await;
    let res = agent
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", submission.as_str()),
                ("surname", "Tamboura"),
                ("given_names", "Hamidou"),
                ("birth_date", "1979-04-02"),
                ("nationality", "ML"),
                ("direction", "sortie"),
                ("mode", "moto"),
            ],
        )
        .await;
    let crossing = location(&res)
        .trim_start_matches("/border/crossings/")
        .trim_end_matches("?saved=1")
        .to_string();
    // The agent cannot share; the commandant can, with a reason.
    let share = format!("/border/crossings/{crossing}/share");
    assert_eq!(
        agent.post_form(&share, &[("reason", "x")]).await.status(),
        403
    );
    let mut cdt = app.login("commandant.koro").await;
    assert_eq!(
        cdt.post_form(&share, &[("reason", " ")]).await.status(),
        422
    );
    let res = cdt
        .post_form(&share, &[("reason", "Recherché pour vol de bétail à Koro")])
        .await;
    assert_eq!(res.status(), 303);

    let dir = tempfile::tempdir().unwrap();
    let db = app.db_path.to_str().unwrap().to_string();
    let out = dir.path().join("paquet.json");
    let out_s = out.to_str().unwrap();
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let o = parsec(
        &[
            "exchange",
            "export",
            "--db",
            &db,
            "--post",
            "Poste frontière de Koro",
            "--from",
            &today,
            "--to",
            &today,
            "--out",
            out_s,
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("1 alertes"), "{}", text(&o));
    // Never overwritten.
    let o = parsec(
        &[
            "exchange",
            "export",
            "--db",
            &db,
            "--post",
            "Poste frontière de Koro",
            "--from",
            &today,
            "--to",
            &today,
            "--out",
            out_s,
        ],
        &[],
    );
    assert!(!o.status.success());
    let package = std::fs::read_to_string(&out).unwrap();
    assert!(
        package.contains("HAMIDOU") || package.contains("Hamidou Tamboura"),
        "{package}"
    );
    assert!(
        !package.contains("1979-04-02"),
        "only the year of birth leaves"
    );
    let o = parsec(&["exchange", "key", "--db", &db], &[]);
    let key = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert_eq!(key.len(), 64);
    let o = parsec(&["exchange", "verify", out_s, "--key", &key], &[]);
    assert!(
        o.status.success() && text(&o).contains("Signature valide"),
        "{}",
        text(&o)
    );
    // One figure changed, one letter of a reason: refused.
    let altered = dir.path().join("altéré.json");
    std::fs::write(&altered, package.replace("vol de bétail", "vol de betail")).unwrap();
    let o = parsec(
        &[
            "exchange",
            "verify",
            altered.to_str().unwrap(),
            "--key",
            &key,
        ],
        &[],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("altered"), "{}", text(&o));
    // What left is recorded and audited.
    let (alerts, sha): (String, String) =
        sqlx::query_as("SELECT alert_ids, sha256 FROM exchange_exports")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert!(!alerts.is_empty() && sha.len() == 64);
    assert_eq!(app.audit_count("share").await, 1);

    // The partner's node trusts our key for its post facing ours, and imports.
    let partner = TestApp::spawn().await;
    let pdb = partner.db_path.to_str().unwrap().to_string();
    let o = parsec(&["exchange", "import", out_s, "--db", &pdb], &[]);
    assert!(!o.status.success(), "an unknown key is refused");
    let o = parsec(
        &[
            "exchange",
            "trust",
            "--db",
            &pdb,
            "--name",
            "Poste de Koro (Mali)",
            "--key",
            &key,
            "--post",
            "Poste frontière de Koro",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = parsec(
        &[
            "exchange",
            "import",
            altered.to_str().unwrap(),
            "--db",
            &pdb,
        ],
        &[],
    );
    assert!(
        !o.status.success(),
        "an altered package is refused at import too"
    );
    let o = parsec(&["exchange", "import", out_s, "--db", &pdb], &[]);
    assert!(
        o.status.success() && text(&o).contains("1 alertes"),
        "{}",
        text(&o)
    );
    let o = parsec(&["exchange", "import", out_s, "--db", &pdb], &[]);
    assert!(text(&o).contains("déjà importé"), "{}", text(&o));
    let mut their_agent = partner.login("agent.koro").await;
    let (_, html) = their_agent.get_text("/border/partner-alerts").await;
    assert_eq!(
        partner.audit_count("list").await,
        1,
        "reading the partners' alerts is audited"
    );
    assert!(
        html.contains("Recherché pour vol de bétail") && html.contains("1979"),
        "{html}"
    );
}

/// A partner's package is checked as the forms check what is typed here, and an oversized one
/// is refused before it is parsed.
#[tokio::test]
async fn a_partner_package_that_breaks_the_rules_is_refused() {
    use ed25519_dalek::{Signer, SigningKey};
    use parsec::border::exchange::{self, Alert, Flows, Package, Period, Post, SignedFile};
    let app = TestApp::spawn().await;
    let actor = parsec::audit::Actor::system("test");
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let public: String = key
        .verifying_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    exchange::trust(
        &app.state,
        &actor,
        "Burkina (Djibo)",
        &public,
        "Poste frontière de Koro",
    )
    .await
    .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let today = now.date().to_string();
    let alert = |n: usize, valid_until: &str| Alert {
        id: format!("bf-{n}"),
        kind: "personne".into(),
        name: "OUEDRAOGO Issa".into(),
        birth_year: Some(1980),
        nationality: "BF".into(),
        plate: String::new(),
        reason: "Recherché".into(),
        valid_until: valid_until.into(),
    };
    let in_a_month = (now.date() + time::Duration::days(30)).to_string();
    let signed = |created_at: &str, alerts: Vec<Alert>| {
        let package = Package {
            format: exchange::FORMAT.into(),
            version: exchange::VERSION,
            package_id: format!("pkg-{created_at}-{}", alerts.len()),
            created_at: created_at.into(),
            post: Post {
                id: "bf-djibo".into(),
                name: "Djibo".into(),
            },
            public_key: public.clone(),
            period: Period {
                from: today.clone(),
                to: today.clone(),
            },
            flows: Flows::default(),
            alerts,
        };
        let signed = serde_json::to_string(&package).unwrap();
        let signature: String = key
            .sign(signed.as_bytes())
            .to_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        serde_json::to_string(&SignedFile {
            signed,
            signature,
            public_key: public.clone(),
        })
        .unwrap()
    };
    let created = parsec::db::timestamp(now);
    let refused = |text: String| {
        let state = app.state.clone();
        let actor = actor.clone();
        async move {
            match exchange::import(&state, &actor, &text).await {
                Err(parsec::error::AppError::Invalid { key, .. }) => key,
                other => panic!("accepted: {other:?}"),
            }
        }
    };
    // Valid until the year 9999, or created in 2099, or 50,000 alerts: refused, nothing kept.
    assert_eq!(
        refused(signed(&created, vec![alert(1, "9999-12-31")])).await,
        "error-exchange-validity"
    );
    assert_eq!(
        refused(signed("2099-01-01T00:00:00Z", vec![alert(1, "2099-02-01")])).await,
        "error-exchange-dates"
    );
    let many = |n| (0..n).map(|i| alert(i, &in_a_month)).collect::<Vec<_>>();
    assert_eq!(
        refused(signed(&created, many(2001))).await,
        "error-exchange-too-many-alerts"
    );
    assert!(
        refused(signed(&created, many(50_000)))
            .await
            .starts_with("error-exchange-too")
    );
    // A file beyond the size limit is not even parsed (this one is not JSON at all).
    let huge = "x".repeat(exchange::MAX_PACKAGE_BYTES + 1);
    assert_eq!(refused(huge).await, "error-exchange-too-large");
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM partner_alerts")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(kept, 0);
    // The same package with its rules kept goes in.
    let done = exchange::import(
        &app.state,
        &actor,
        &signed(&created, vec![alert(1, &in_a_month)]),
    )
    .await
    .unwrap();
    assert_eq!(done.alerts, 1);
}

/// A field typed far too long is refused as too long, and not sent back whole.
#[tokio::test]
async fn a_huge_field_is_refused_and_not_echoed() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let submission = open_form(&mut agent).await;
    let huge = "N".repeat(200_000);
    let res = agent
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", submission.as_str()),
                ("surname", huge.as_str()),
                ("mrz", huge.as_str()),
                ("direction", "entree"),
                ("mode", "pied"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.len() < 60_000, "{} bytes sent back", html.len());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM crossings").await, 0);
}

/// The flows chart: the legend sits below the plot, never over the lines, and a post's line
/// runs from its first counted day to its last, a day between without anyone a true zero, with
/// no zero drawn for the days of the range before, after or today.
#[tokio::test]
async fn the_flows_chart_draws_no_zero_at_its_ends_and_keeps_its_legend_off_the_lines() {
    use quick_xml::events::{BytesStart, Event};
    let app = TestApp::spawn().await;
    let actor = parsec::audit::Actor::system("test");
    let today = time::OffsetDateTime::now_utc().date();
    let koro = app.unit_id("Poste frontière de Koro").await;
    let ouenkoro = app.unit_id("Poste frontière de Ouenkoro").await;
    // (post, days ago, people): nobody at Koro 5 days ago nor at Ouenkoro 3 days ago, nobody
    // anywhere today, and the 30 days the page shows begin weeks before the first count.
    let names = [
        "Kassogué",
        "Guindo",
        "Tembely",
        "Dolo",
        "Sagara",
        "Ongoïba",
        "Kansaye",
        "Togo",
    ];
    let mut next = names.iter().cycle();
    for (post, ago, people) in [
        (&koro, 6, 2),
        (&koro, 4, 1),
        (&ouenkoro, 5, 1),
        (&ouenkoro, 4, 1),
        (&ouenkoro, 2, 3),
    ] {
        let day = today - time::Duration::days(ago);
        for k in 0..people {
            let f = parsec::web::page::Fields::from_pairs(vec![
                ("submission".into(), format!("chart-{ago}-{k}-{post}")),
                ("surname".into(), next.next().unwrap().to_string()),
                ("nationality".into(), "ML".into()),
                ("direction".into(), "entree".into()),
                ("mode".into(), "pied".into()),
            ]);
            let input = parsec::border::forms::crossing_input(&app.state, &f, today).unwrap();
            let at = format!("{day}T10:00:0{k}Z");
            parsec::border::crossing::record(&app.state, &actor, post, &input, &at)
                .await
                .unwrap();
        }
    }
    let mut ops = app.login("operations").await;
    let (status, html) = ops.get_text("/border/flows").await;
    assert_eq!(status, 200);
    let svg = html
        .match_indices("<svg")
        .map(|(at, _)| &html[at..at + html[at..].find("</svg>").unwrap() + 6])
        .find(|svg| svg.contains("<polyline"))
        .unwrap_or_else(|| panic!("no chart: {html}"));
    let num = |e: &BytesStart, name: &str| -> f64 {
        let a = e.try_get_attribute(name).unwrap().unwrap();
        a.value.parse().unwrap()
    };
    let (mut lines, mut polylines, mut boxes, mut text_at) = (vec![], vec![], vec![], None);
    let mut reader = quick_xml::Reader::from_str(svg);
    loop {
        match reader.read_event().unwrap() {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "line" => lines.push([num(&e, "x1"), num(&e, "y1"), num(&e, "x2"), num(&e, "y2")]),
                "polyline" => {
                    let a = e.try_get_attribute("points").unwrap().unwrap();
                    let points: Vec<(f64, f64)> = a
                        .value
                        .split(' ')
                        .map(|p| {
                            let (x, y) = p.split_once(',').unwrap();
                            (x.parse().unwrap(), y.parse().unwrap())
                        })
                        .collect();
                    polylines.push(points);
                }
                // The legend's swatches.
                "rect" => {
                    let (x, y) = (num(&e, "x"), num(&e, "y"));
                    boxes.push((x, y, x + num(&e, "width"), y + num(&e, "height")));
                }
                "text" => text_at = Some((num(&e, "x"), num(&e, "y"))),
                _ => {}
            },
            // A post's name, as 12px text: about 7px a character, 12px above its baseline.
            Event::Text(t) if t.starts_with("Poste") => {
                let (x, y) = text_at.take().unwrap();
                boxes.push((x, y - 12.0, x + 7.0 * t.chars().count() as f64, y + 4.0));
            }
            _ => {}
        }
    }
    // The plot: from the y axis to the x axis' end, from the top of the y axis to the x axis.
    let x_axis = lines.iter().find(|l| l[1] == l[3]).unwrap();
    let y_axis = lines.iter().find(|l| l[0] == l[2]).unwrap();
    let (left, right, top, zero) = (x_axis[0], x_axis[2], y_axis[1], x_axis[1]);
    assert!(boxes.len() >= 2, "{svg}");
    for (x1, y1, x2, y2) in &boxes {
        let apart = *x2 <= left || *x1 >= right || *y2 <= top || *y1 >= zero;
        assert!(
            apart,
            "legend at ({x1}, {y1})–({x2}, {y2}) over the plot: {svg}"
        );
    }
    let at_zero = |p: &(f64, f64)| (p.1 - zero).abs() < 0.05;
    assert_eq!(polylines.len(), 2, "{svg}");
    for line in &polylines {
        let (first, last) = (line.first().unwrap(), line.last().unwrap());
        assert!(
            !at_zero(first) && !at_zero(last),
            "a line falls to zero at an end: {svg}"
        );
    }
    // Koro from 6 to 4 days ago, Ouenkoro from 5 to 2 days ago, their empty days at zero.
    let zeros: Vec<Vec<bool>> = polylines
        .iter()
        .map(|line| line.iter().map(at_zero).collect())
        .collect();
    assert_eq!(
        zeros,
        vec![vec![false, true, false], vec![false, false, true, false]],
        "{svg}"
    );
}

/// A mistaken crossing is never edited: its correction is a new crossing that names it and
/// says why, audited; the counts follow the correction, the mistaken record stays.
#[tokio::test]
async fn a_mistaken_crossing_is_corrected_by_a_new_entry_that_names_it() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let res = agent
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", "mistake-1"),
                ("surname", "Traore"),
                ("direction", "entree"),
                ("mode", "pied"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let first = location(&res).split('?').next().unwrap().to_string();
    let first_id = first.trim_start_matches("/border/crossings/").to_string();
    let (_, html) = agent.get_text(&first).await;
    let link = format!("/border/crossings/new?corrects={first_id}");
    assert!(html.contains(&link), "{html}");
    // The correction's form starts from what was typed, and asks why.
    let (_, html) = agent.get_text(&link).await;
    assert!(html.contains("value=\"Traore\"") && html.contains("f-correction_reason"));
    assert!(html.contains(&format!("name=\"corrects\" value=\"{first_id}\"")));
    let mut fields = vec![
        ("submission", "mistake-2"),
        ("corrects", first_id.as_str()),
        ("surname", "Traoré"),
        ("given_names", "Moussa"),
        ("direction", "sortie"),
        ("mode", "pied"),
    ];
    let res = agent.post_form("/border/crossings/new", &fields).await;
    assert_eq!(res.status(), 422, "a correction says why");
    fields.push(("correction_reason", "Sens inversé, prénom oublié"));
    let res = agent.post_form("/border/crossings/new", &fields).await;
    assert_eq!(res.status(), 303);
    let second = location(&res).split('?').next().unwrap().to_string();
    // The mistaken record is kept as it was, and says it was corrected; the correction stands
    // for the same crossing (same time) and says what it corrects.
    let (surname, at): (String, String) =
        sqlx::query_as("SELECT surname, crossed_at FROM crossings WHERE id = ?")
            .bind(&first_id)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        app.state
            .keys
            .open("crossings", "surname", &first_id, &surname),
        "Traore"
    );
    let (corrects, at2): (Option<String>, String) =
        sqlx::query_as("SELECT corrects, crossed_at FROM crossings WHERE id = ?")
            .bind(second.trim_start_matches("/border/crossings/"))
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(corrects.as_deref(), Some(first_id.as_str()));
    assert_eq!(at2, at);
    let (_, html) = agent.get_text(&first).await;
    assert!(
        html.contains("Ce passage a été corrigé : Sens inversé"),
        "{html}"
    );
    assert!(!html.contains(&link), "corrected once");
    let (_, html) = agent.get_text(&second).await;
    assert!(
        html.contains("Corrige le passage") && html.contains(&first),
        "{html}"
    );
    // The counts follow the correction: one person, going out.
    assert_eq!(
        count(
            &app,
            "SELECT SUM(people) FROM flow_people WHERE direction = 'entree'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT SUM(people) FROM flow_people WHERE direction = 'sortie'"
        )
        .await,
        1
    );
    assert_eq!(app.audit_count("correct").await, 1);
    // Corrected twice: refused, what was typed kept.
    fields[0] = ("submission", "mistake-3");
    let res = agent.post_form("/border/crossings/new", &fields).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("déjà corrigé"));
}

/// A receipt for the traveller: where, when, who, which document; never the screening's answer.
#[tokio::test]
async fn a_receipt_says_the_crossing_and_never_the_screening() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let res = agent
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", "receipt-1"),
                ("surname", "Guindo"),
                ("given_names", "Ali"),
                ("document_code", "I"),
                ("document_number", "X998877"),
                ("direction", "sortie"),
                ("mode", "pied"),
            ],
        )
        .await;
    let page = location(&res).split('?').next().unwrap().to_string();
    let (_, html) = agent.get_text(&page).await;
    assert!(html.contains(&format!("{page}/receipt")));
    let (status, html) = agent.get_text(&format!("{page}/receipt")).await;
    assert_eq!(status, 200);
    let receipt = html.split("id=\"receipt\"").nth(1).unwrap();
    for shown in [
        "Reçu de passage",
        "Guindo Ali",
        "X998877",
        "Sortie",
        "Poste frontière de Koro",
    ] {
        assert!(receipt.contains(shown), "{shown}: {receipt}");
    }
    for hidden in ["Criblage", "Aucune correspondance", "ALERTE"] {
        assert!(!receipt.contains(hidden), "{hidden}");
    }
}
