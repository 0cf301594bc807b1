//! The custody register with a clock the test sets: the deadline of the regime as configured,
//! the alerts at 6 h and 1 h, the custody past its deadline shown in red, an extension only with
//! its written authorisation and before the deadline, nothing back-dated nor deleted, the
//! corrections as new entries, the unit's scope, the printable register.

use time::{Duration, OffsetDateTime};

use crate::support::{TestApp, location, typed};

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_custody_runs_to_its_deadline_with_alerts_and_cannot_be_back_dated_or_deleted() {
    let app = TestApp::spawn().await;
    let start = OffsetDateTime::now_utc()
        .replace_second(0)
        .unwrap()
        .replace_nanosecond(0)
        .unwrap();
    app.state.clock.set(Some(start));
    let unit = app.unit_id("Brigade de Koro").await;
    let mut cdt = app.login("commandant.koro").await;
    let form = |started: &str| {
        vec![
            ("unit", unit.clone()),
            ("regime", "ordinaire".to_string()),
            ("opj", "Adjudant-chef Sangaré".to_string()),
            ("surname", "Kouffa".to_string()),
            ("given_names", "Amadou".to_string()),
            ("birth_date", "01/01/1961".to_string()),
            ("nationality", "ML".to_string()),
            ("offence", "Association de malfaiteurs".to_string()),
            ("place", "Brigade de Koro, local de garde à vue".to_string()),
            ("started_at", started.to_string()),
        ]
    };
    // Back-dated by two days: refused, and nothing written.
    let old = form(&typed(start - Duration::days(2)));
    let pairs: Vec<(&str, &str)> = old.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = cdt.post_form("/custody/new", &pairs).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("antidater"));
    // Every mistake at once: no OPJ, no offence, a bad time.
    let res = cdt
        .post_form(
            "/custody/new",
            &[
                ("unit", unit.as_str()),
                ("surname", "Kouffa"),
                ("started_at", "hier"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.matches("class=\"msg-field\"").count() >= 4, "{html}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM custodies").await, 0);

    let now = form(&typed(start));
    let pairs: Vec<(&str, &str)> = now.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = cdt.post_form("/custody/new", &pairs).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let page = location(&res).split('?').next().unwrap().to_string();
    let id = page.trim_start_matches("/custody/").to_string();
    let (_, html) = cdt.get_text(&page).await;
    assert!(html.contains("reste 48 h 00"), "{html}");
    assert!(
        html.contains("art. 76"),
        "the legal reference next to the deadline"
    );
    // Reading a custody is a read of personal data: audited.
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'custody' AND action = 'read'"
        )
        .await
            >= 1
    );

    // Rights notified and the prosecutor informed, as they happen.
    app.state.clock.set(Some(start + Duration::minutes(30)));
    for (kind, by) in [
        ("droit_motif", ""),
        ("droit_famille", "Frère, par téléphone"),
        ("procureur", "Procureur de Mopti"),
    ] {
        let res = cdt
            .post_form(
                &format!("{page}/entries/new"),
                &[
                    ("kind", kind),
                    ("at", &typed(start + Duration::minutes(20))),
                    ("by_whom", by),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "{kind}");
    }
    // 43 hours later: the first alert (6 h); the list marks it, the home page says it.
    app.state.clock.set(Some(start + Duration::hours(43)));
    let (_, list) = cdt.get_text("/custody").await;
    assert!(
        list.contains("class=\"soon\"") && list.contains("reste 5 h 00"),
        "{list}"
    );
    // An extension needs who authorised it and the written authorisation's reference.
    let res = cdt
        .post_form(
            &format!("{page}/entries/new"),
            &[
                ("kind", "prolongation"),
                ("at", &typed(start + Duration::hours(43))),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("autorisation écrite"), "{html}");
    // An entry written 10 hours after the fact is back-dated: refused.
    let res = cdt
        .post_form(
            &format!("{page}/entries/new"),
            &[
                ("kind", "repas"),
                ("at", &typed(start + Duration::hours(33))),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);

    // 48 hours: past the deadline without an extension, in red, counted.
    app.state.clock.set(Some(start + Duration::hours(49)));
    let (_, list) = cdt.get_text("/custody").await;
    assert!(
        list.contains("class=\"late\"") && list.contains("DÉPASSÉE de 1 h 00"),
        "{list}"
    );
    assert_eq!(
        parsec::custody::counts(&app.state, &parsec::accounts::Scope::All)
            .await
            .unwrap(),
        (1, 0, 1)
    );
    // Too late for an extension: it cannot revive an expired custody.
    let res = cdt
        .post_form(
            &format!("{page}/entries/new"),
            &[
                ("kind", "prolongation"),
                ("at", &typed(start + Duration::hours(49))),
                ("by_whom", "Procureur de Mopti"),
                ("reference", "PG-2026-118"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Prolongation impossible")
    );

    // The end, with its outcome; then nothing more but corrections.
    let res = cdt
        .post_form(
            &format!("{page}/entries/new"),
            &[
                ("kind", "fin"),
                ("at", &typed(start + Duration::hours(49))),
                ("outcome", "defere"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = cdt.get_text(&page).await;
    assert!(
        html.contains("Terminée après l&#x27;échéance")
            || html.contains("Terminée après l'échéance")
            || html.contains("Terminée après l&#39;échéance"),
        "{html}"
    );
    let res = cdt
        .post_form(
            &format!("{page}/entries/new"),
            &[
                ("kind", "repas"),
                ("at", &typed(start + Duration::hours(49))),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    // A correction names the entry it corrects and says why; the corrected entry stays.
    let family: String = sqlx::query_scalar(
        "SELECT id FROM custody_entries WHERE custody_id = ? AND kind = 'droit_famille'",
    )
    .bind(&id)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    let correction = [
        ("kind", "droit_famille"),
        ("at", &typed(start + Duration::minutes(50)) as &str),
        ("by_whom", "Épouse, venue sur place"),
        ("corrects", family.as_str()),
    ];
    let res = cdt
        .post_form(&format!("{page}/entries/new"), &correction)
        .await;
    assert_eq!(res.status(), 422, "a correction says why");
    let mut with_reason = correction.to_vec();
    with_reason.push(("note", "Ce n'était pas le frère mais l'épouse"));
    let res = cdt
        .post_form(&format!("{page}/entries/new"), &with_reason)
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM custody_entries WHERE kind = 'droit_famille'"
        )
        .await,
        2
    );
    // Never deleted, whatever the path.
    let deleted = sqlx::query("DELETE FROM custody_entries")
        .execute(&app.state.db)
        .await;
    assert!(deleted.is_err());
    let deleted = sqlx::query("DELETE FROM custodies")
        .execute(&app.state.db)
        .await;
    assert!(deleted.is_err());
    // The register of the unit, printable.
    let pdf = cdt.get(&format!("/custody/register.pdf?unit={unit}")).await;
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'custody' AND action = 'export'"
        )
        .await
            >= 1
    );
}

#[tokio::test]
async fn the_limits_are_the_administrators_and_an_extension_moves_the_deadline() {
    let app = TestApp::spawn().await;
    let start = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        .replace_second(0)
        .unwrap();
    app.state.clock.set(Some(start));
    let mut admin = app.login("admin").await;
    let (status, html) = admin.get_text("/admin/custody-rules").await;
    assert_eq!(status, 200);
    assert!(html.contains("art. 76"));
    // A wrong alert list and a zero duration, both said.
    let res = admin
        .post_form(
            "/admin/custody-rules/ordinaire",
            &[
                ("base_hours", "0"),
                ("extension_hours", "24"),
                ("max_extensions", "1"),
                ("alert_hours", "six"),
                ("legal_reference", "CPP"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.text()
            .await
            .unwrap()
            .matches("class=\"msg-field\"")
            .count(),
        2
    );
    let res = admin
        .post_form(
            "/admin/custody-rules/ordinaire",
            &[
                ("base_hours", "72"),
                ("extension_hours", "24"),
                ("max_extensions", "1"),
                ("alert_hours", "12,2"),
                (
                    "legal_reference",
                    "Nouveau Code de procédure pénale (2025), art. X",
                ),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let unit = app.unit_id("Brigade de Koro").await;
    let mut cdt = app.login("commandant.koro").await;
    let res = cdt
        .post_form(
            "/custody/new",
            &[
                ("unit", unit.as_str()),
                ("regime", "ordinaire"),
                ("opj", "Adjudant Coulibaly"),
                ("surname", "Traoré"),
                ("offence", "Vol de bétail"),
                ("place", "Brigade de Koro"),
                ("started_at", &typed(start)),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = location(&res).split('?').next().unwrap().to_string();
    let (_, html) = cdt.get_text(&page).await;
    assert!(
        html.contains("reste 72 h 00") && html.contains("Nouveau Code"),
        "{html}"
    );
    app.state.clock.set(Some(start + Duration::hours(70)));
    let res = cdt
        .post_form(
            &format!("{page}/entries/new"),
            &[
                ("kind", "prolongation"),
                ("at", &typed(start + Duration::hours(70))),
                ("by_whom", "Procureur de Mopti"),
                ("reference", "PG-2026-118"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = cdt.get_text(&page).await;
    assert!(html.contains("reste 26 h 00"), "{html}");
    // One extension only.
    let res = cdt
        .post_form(
            &format!("{page}/entries/new"),
            &[
                ("kind", "prolongation"),
                ("at", &typed(start + Duration::hours(70))),
                ("by_whom", "Procureur de Mopti"),
                ("reference", "PG-2026-119"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    // The agent of another post, and the workshop, see nothing of it.
    let mut atelier = app.login("atelier").await;
    assert_eq!(atelier.get(&page).await.status(), 403);
}

/// A traveller on the list with the instruction "arrêter" is held at the post: the custody
/// starts from the crossing with the identity already read; the commandant's and the operations
/// centre's home pages, `/metrics` and the situation report count it, and past its deadline it
/// is in red on the home page.
#[tokio::test]
async fn a_person_held_after_an_alert_starts_the_custody_from_the_crossing() {
    let app = TestApp::spawn().await;
    crate::support::load_watchlist(&app, crate::support::KOUFFA_LIST).await;
    let start = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        .replace_second(0)
        .unwrap();
    app.state.clock.set(Some(start));
    let mut cdt = app.login("commandant.koro").await;
    let res = cdt
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", "held-1"),
                ("direction", "entree"),
                ("mode", "pied"),
                ("surname", "Kouffa"),
                ("given_names", "Amadou"),
                ("birth_date", "01/01/1961"),
                ("nationality", "ML"),
                ("document_number", "AB1234567"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let crossing = location(&res).split('?').next().unwrap().to_string();
    let crossing_id = crossing
        .trim_start_matches("/border/crossings/")
        .to_string();
    let (_, html) = cdt.get_text(&crossing).await;
    let link = format!("/custody/new?crossing={crossing_id}");
    assert!(html.contains(&link), "{html}");
    let (status, form) = cdt.get_text(&link).await;
    assert_eq!(status, 200);
    for read in ["Kouffa", "Amadou", "01/01/1961", "AB1234567", &crossing_id] {
        assert!(form.contains(read), "{read}: {form}");
    }
    let unit = app.unit_id("Brigade de Koro").await;
    let res = cdt
        .post_form(
            "/custody/new",
            &[
                ("crossing", crossing_id.as_str()),
                ("unit", unit.as_str()),
                ("regime", "terrorisme"),
                ("opj", "Adjudant-chef Sangaré"),
                ("surname", "Kouffa"),
                ("given_names", "Amadou"),
                ("birth_date", "01/01/1961"),
                ("nationality", "ML"),
                ("document_number", "AB1234567"),
                ("offence", "Inscrit sur la liste nationale : Katiba Macina"),
                ("place", "Poste de Koro"),
                ("started_at", &typed(start)),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let page = location(&res).split('?').next().unwrap().to_string();
    let (_, html) = cdt.get_text(&page).await;
    assert!(html.contains(&format!("href=\"{crossing}\"")), "{html}");
    // The home pages, the metrics and the report count it.
    let (_, home) = cdt.get_text("/").await;
    let section = home.split("id=\"custodies\"").nth(1).unwrap();
    assert!(section.contains("KOUFFA Amadou"), "{section}");
    let mut ops = app.login("operations").await;
    let (_, home) = ops.get_text("/").await;
    assert!(
        home.split("id=\"custodies\"")
            .nth(1)
            .unwrap()
            .contains("KOUFFA Amadou")
    );
    // Past the deadline: red on the home page, counted in /metrics and the report.
    app.state.clock.set(Some(start + Duration::hours(50)));
    let (_, home) = cdt.get_text("/").await;
    let section = home.split("id=\"custodies\"").nth(1).unwrap();
    assert!(section.contains("<tr class=\"late\">"), "{section}");
    let metrics = app.client().get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("parsec_custody_overdue 1"), "{metrics}");
    let today = start.date();
    let (_, sitrep) = ops
        .get_text(&format!(
            "/sitrep?from={}&to={today}",
            today - Duration::days(7)
        ))
        .await;
    assert!(
        sitrep.contains("Gardes à vue en cours : 1 · dont au-delà du délai légal : 1"),
        "{sitrep}"
    );
    // The workshop and the programme see no custody.
    let mut atelier = app.login("atelier").await;
    assert_eq!(atelier.get("/custody").await.status(), 403);
}

/// The demo's custodies: three running, one of them within its alert, one ended; each says it
/// is demonstration data.
#[tokio::test]
async fn the_demo_register_has_one_custody_near_its_deadline() {
    let app = TestApp::spawn().await;
    parsec::custody::demo::seed(&app.state).await.unwrap();
    let running = parsec::custody::current(&app.state, &parsec::accounts::Scope::All)
        .await
        .unwrap();
    assert_eq!(running.len(), 3);
    let states: Vec<_> = running.iter().map(|(_, d)| d.state).collect();
    assert_eq!(
        states[0],
        parsec::custody::deadline::State::Alert(6),
        "{states:?}"
    );
    assert!(
        running
            .iter()
            .all(|(c, _)| c.offence.contains("démonstration"))
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM custody_entries WHERE kind = 'fin'"
        )
        .await,
        1
    );
}
