//! Incidents over HTTP: reported, the available assets ranked by travel time, one sent (the
//! nearest, or another with a reason), its response followed to the end, the incident closed.

use crate::support::{TestApp, location, submission_of};

#[tokio::test]
async fn an_incident_is_reported_dispatched_followed_and_closed() {
    let app = TestApp::spawn().await;
    let mut ops = app.login("operations").await;
    let (status, html) = ops.get_text("/incidents/new").await;
    assert_eq!(status, 200);
    let submission = submission_of(&html);
    let unit = app.unit_id("Brigade de Koro").await;
    let base = [
        ("submission", submission.as_str()),
        ("unit", unit.as_str()),
        ("place", "Bankass"),
        ("event", "civil_protection:road_accident"),
        ("injured", "4"),
        ("source", "Appel du chef de village"),
    ];
    // Bad input: a time in the future, an unknown place, a type that does not exist.
    for (field, value, message) in [
        ("occurred_at", "2099-01-01T10:00", "dans le futur"),
        ("place", "Zzyzx-sur-Bani", "Localité introuvable"),
        ("event", "civil_protection:alien_landing", "Choix invalide"),
    ] {
        let mut fields: Vec<(&str, &str)> = base.to_vec();
        fields.retain(|(k, _)| *k != field);
        fields.push((field, value));
        if field != "occurred_at" {
            fields.push(("occurred_at", "2026-11-28T14:30"));
        }
        let res = ops.post_form("/incidents/new", &fields).await;
        assert_eq!(res.status(), 422, "{field}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{message}: {html}");
    }
    let mut fields = base.to_vec();
    fields.push(("occurred_at", "2026-11-28T14:30"));
    let res = ops.post_form("/incidents/new", &fields).await;
    assert_eq!(res.status(), 303);
    let page = location(&res).split('?').next().unwrap().to_string();
    // The same form twice: one incident.
    let again = ops.post_form("/incidents/new", &fields).await;
    assert_eq!(location(&again), format!("{page}?done=created"));
    let id = page.trim_start_matches("/incidents/").to_string();
    let (_, html) = ops.get_text(&page).await;
    assert!(
        html.contains("Accident de la route") && html.contains("Bankass"),
        "{html}"
    );
    // Times as people read them; the map, the patrols and the report in the menu.
    assert!(
        html.contains("28/11/2026 14:30") && html.contains("· localité"),
        "{html}"
    );
    for link in ["href=\"/map\"", "href=\"/patrols\"", "href=\"/sitrep\""] {
        assert!(html.contains(link), "{link}");
    }
    // The assets ranked: the first is reachable by road and comes with its time; ten in
    // view, the others one click away.
    assert!(html.contains("id=\"dispatch-1\""), "{html}");
    let main = html
        .split("id=\"candidates\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert_eq!(main.matches("<tr>").count(), 11, "a head and ten rows");
    assert!(html.contains("id=\"more-candidates\"") && html.contains("Les autres moyens"));
    // The map draws the ways of the first three, numbered, from their unit to the incident.
    let map = html.split("id=\"incident-map\"").nth(1).unwrap();
    // (assets of one unit moving the same way share a line: "2, 3").
    let lines = map.matches("<polyline class=\"route ").count();
    assert!((1..=3).contains(&lines), "{map}");
    let labels: Vec<&str> = map
        .split("class=\"rank\"")
        .skip(1)
        .map(|t| t.split('>').nth(1).unwrap().split('<').next().unwrap())
        .collect();
    assert_eq!(labels.len(), lines);
    assert_eq!(labels.join(", "), "1, 2, 3", "{labels:?}");
    // The first leaves from Bankass itself; the others come along the roads.
    let ways: Vec<&str> = map
        .split("points=\"")
        .skip(1)
        .map(|w| w.split('"').next().unwrap())
        .collect();
    assert!(ways.iter().any(|w| w.split(' ').count() > 5), "{ways:?}");
    assert_eq!(map.matches("class=\"incident ").count(), 1);
    let first = {
        let at = html.find("name=\"asset\" value=\"").unwrap() + 20;
        html[at..].split('"').next().unwrap().to_string()
    };
    let second = {
        let rest = &html[html.find("id=\"dispatch-2\"").unwrap() - 400..];
        let at = rest.find("name=\"asset\" value=\"").unwrap() + 20;
        rest[at..].split('"').next().unwrap().to_string()
    };
    // Not the nearest without a reason: refused and said.
    let res = ops
        .post_form(
            &format!("/incidents/{id}/dispatch"),
            &[("asset", second.as_str())],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("pourquoi"));
    let res = ops
        .post_form(
            &format!("/incidents/{id}/dispatch"),
            &[("asset", first.as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let asset_status: String = sqlx::query_scalar("SELECT status FROM assets WHERE id = ?")
        .bind(&first)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(asset_status, "en_mission");
    // Sent twice: the second is refused, the asset is on its mission.
    let res = ops
        .post_form(
            &format!("/incidents/{id}/dispatch"),
            &[("asset", first.as_str())],
        )
        .await;
    assert!(res.status() == 409 || res.status() == 422);
    let response: String = sqlx::query_scalar("SELECT id FROM responses WHERE incident_id = ?")
        .bind(&id)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    for step in ["engaged", "on_site", "done"] {
        let res = ops
            .post_form(&format!("/incidents/responses/{response}/{step}"), &[])
            .await;
        assert_eq!(res.status(), 303, "{step}");
    }
    let (engaged, on_site, done): (Option<String>, Option<String>, Option<String>) =
        sqlx::query_as("SELECT engaged_at, on_site_at, done_at FROM responses WHERE id = ?")
            .bind(&response)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert!(engaged.is_some() && on_site.is_some() && done.is_some());
    let asset_status: String = sqlx::query_scalar("SELECT status FROM assets WHERE id = ?")
        .bind(&first)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(asset_status, "disponible", "back from its mission");
    let res = ops
        .post_form(
            &format!("/incidents/{id}/status"),
            &[("status", "clos"), ("note", "Blessés évacués sur Bankass")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = ops.get_text(&page).await;
    assert!(
        html.contains("Clos")
            && html.contains("Blessés évacués")
            && !html.contains("id=\"candidates\"")
            && !html.contains("<polyline class=\"route")
            && html.contains("incident sur la carte (en rouge")
    );
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM incident_events WHERE incident_id = ? ORDER BY at, id",
    )
    .bind(&id)
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        kinds,
        ["signale", "dispatch", "engaged", "on_site", "done", "clos"]
    );
    // The timeline says them in words, with the asset's registration.
    let timeline = html.split("id=\"timeline\"").nth(1).unwrap();
    assert!(
        timeline.contains("Moyen envoyé")
            && timeline.contains("Sur place")
            && !timeline.contains("<td>on_site</td>")
            && !timeline.contains(&response),
        "{timeline}"
    );
    // Another brigade's commandant would not see it: Koro's does.
    let stored: String = sqlx::query_scalar("SELECT unit_id FROM incidents WHERE id = ?")
        .bind(&id)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored, unit);
    let mut cdt = app.login("commandant.koro").await;
    let (status, _) = cdt.get_text(&page).await;
    assert_eq!(status, 200);
    let mut programme = app.login("programme").await;
    let (_, html) = programme.get_text(&page).await;
    assert!(
        !html.contains("id=\"candidates\""),
        "the programme team does not dispatch"
    );
}

#[tokio::test]
async fn the_demo_has_months_of_incidents_some_of_them_answered() {
    let app = TestApp::spawn().await;
    let on_mission: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM assets WHERE status = 'en_mission'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    let n = parsec::incidents::demo::seed_incidents(&app.state, 60, 90)
        .await
        .unwrap();
    assert_eq!(n, 60);
    let count = |sql: &'static str| {
        let db = app.state.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM incidents").await, 60);
    assert!(count("SELECT COUNT(DISTINCT cercle) FROM incidents").await >= 4);
    let cercles: Vec<String> = sqlx::query_scalar("SELECT DISTINCT cercle FROM incidents")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    for c in &cercles {
        assert!(
            app.state.gazetteer.cercles().iter().any(|x| &x.name == c),
            "{c} is not one of the region's cercles"
        );
    }
    assert!(count("SELECT COUNT(*) FROM incidents WHERE status = 'clos'").await > 30);
    assert!(count("SELECT COUNT(*) FROM responses WHERE done_at IS NOT NULL").await > 0);
    assert_eq!(
        count("SELECT COUNT(*) FROM incidents WHERE source NOT LIKE '%démonstration%'").await,
        0,
        "clearly marked as demo data"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM assets WHERE status = 'en_mission'").await,
        on_mission,
        "every demo response completed"
    );
    // The same demo again adds nothing.
    parsec::incidents::demo::seed_incidents(&app.state, 60, 90)
        .await
        .unwrap();
    assert_eq!(count("SELECT COUNT(*) FROM incidents").await, 60);
    // The timelines were written when things happened: after the incident, never ahead.
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM incident_events e JOIN incidents i ON i.id = e.incident_id
             WHERE e.at < i.occurred_at OR e.at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
        )
        .await,
        0
    );
    // The demo's responses took some time, as the ranking foresaw give or take.
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM responses WHERE on_site_at <= dispatched_at
             OR dispatched_at <= (SELECT occurred_at FROM incidents i WHERE i.id = incident_id)"
        )
        .await,
        0
    );
    // A patrol a week per brigade: most done, some not (with the reason), the next planned.
    let planned = parsec::incidents::demo::seed_patrols(&app.state, 12)
        .await
        .unwrap();
    assert!(planned > 50, "{planned}");
    assert_eq!(
        count("SELECT COUNT(*) FROM patrols").await as usize,
        planned
    );
    let done = count("SELECT COUNT(*) FROM patrols WHERE status = 'effectuee'").await;
    let not_done = count("SELECT COUNT(*) FROM patrols WHERE status = 'non_effectuee'").await;
    assert!(done > 3 * not_done && not_done > 0, "{done} {not_done}");
    assert!(count("SELECT COUNT(*) FROM patrols WHERE status = 'prevue'").await > 0);
    // Out and back through two different places around the post.
    let routes: Vec<String> = sqlx::query_scalar("SELECT route FROM patrols")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    for r in &routes {
        let stops: Vec<&str> = r.split(" → ").collect();
        assert!(
            stops.len() == 4 && stops[1] != stops[2] && stops[0] == stops[3],
            "{r}"
        );
    }
    assert_eq!(
        count("SELECT COUNT(*) FROM patrols WHERE status = 'non_effectuee' AND report = ''").await,
        0
    );
    parsec::incidents::demo::seed_patrols(&app.state, 12)
        .await
        .unwrap();
    assert_eq!(
        count("SELECT COUNT(*) FROM patrols").await as usize,
        planned
    );
    // The situation report counts them per cercle.
    let today = time::OffsetDateTime::now_utc().date();
    let report = parsec::incidents::sitrep::build(
        &app.state,
        &parsec::accounts::Scope::All,
        &(today - time::Duration::days(90)).to_string(),
        &today.to_string(),
    )
    .await
    .unwrap();
    assert!(report.patrols.len() >= 4, "{:?}", report.patrols);
    assert_eq!(
        report.patrols.iter().map(|p| p.1 + p.2).sum::<i64>(),
        done + not_done
    );
}

#[tokio::test]
async fn the_situation_report_is_a_page_a_pdf_and_a_csv() {
    let app = TestApp::spawn().await;
    parsec::incidents::demo::seed_incidents(&app.state, 80, 10)
        .await
        .unwrap();
    let mut ops = app.login("operations").await;
    let today = time::OffsetDateTime::now_utc().date();
    // Eleven days: the demo's ten go back from now (and 90 minutes more), which shortly after
    // midnight reaches into the eleventh day.
    let from = (today - time::Duration::days(11)).to_string();
    let (status, html) = ops
        .get_text(&format!("/sitrep?from={from}&to={today}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Incidents par cercle et par type") && !html.contains("Accident de la route"),
        "types are named by their family on the report"
    );
    assert!(
        html.contains("Protection civile") && html.contains("Disponibilité des moyens"),
        "{html}"
    );
    // Responses per cercle, which add up to the region's, with the time the ranking foresaw.
    assert!(html.contains("Prévu (médiane)"), "{html}");
    let total = html
        .split("Total</td><td></td><td>")
        .nth(1)
        .and_then(|t| t.split('<').next());
    assert_eq!(total, Some("80"), "the region's total of incidents");
    let report = parsec::incidents::sitrep::build(
        &app.state,
        &parsec::accounts::Scope::All,
        &from,
        &today.to_string(),
    )
    .await
    .unwrap();
    let sent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses WHERE dispatched_at >= ?")
        .bind(&from)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(sent > 0);
    assert_eq!(report.responses.sent, sent);
    assert_eq!(
        report
            .responses_by_cercle
            .iter()
            .map(|(_, r)| r.sent)
            .sum::<i64>(),
        sent
    );
    assert!(report.responses.foreseen_median.is_some());
    let (median, longest) = (report.responses.median, report.responses.longest);
    assert!(median.is_some() && median <= longest);
    let res = ops
        .get(&format!("/sitrep.pdf?from={from}&to={today}"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    if let Ok(path) = std::env::var("SITREP_PDF_OUT") {
        std::fs::write(path, &pdf).unwrap();
    }
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("/Type /Page")
            && text.contains("+NotoSans-Regular")
            && text.contains("/ToUnicode")
            && text.trim_end().ends_with("%%EOF")
    );
    assert!(text.contains("xref") && text.contains("trailer"));
    let (status, csv) = ops
        .get_text(&format!("/sitrep.csv?from={from}&to={today}"))
        .await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("cercle,event_type,incidents"), "{csv}");
    let total: i64 = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(2))
        .filter_map(|n| n.parse::<i64>().ok())
        .sum();
    assert_eq!(total, 80);
    let res = ops
        .get(&format!("/sitrep.xlsx?from={from}&to={today}"))
        .await;
    assert_eq!(res.status(), 200);
    let xlsx = res.bytes().await.unwrap();
    assert!(xlsx.starts_with(b"PK"), "an OOXML workbook is a zip");
    assert!(xlsx.len() > 2000);
    // A period that ends before it starts is said, not answered with nothing.
    let res = ops.get("/sitrep.pdf?from=2026-02-01&to=2026-01-01").await;
    assert_eq!(res.status(), 422);
    // In English on request: the page and the PDF.
    assert_eq!(
        ops.post_form("/lang", &[("lang", "en")]).await.status(),
        303
    );
    let (_, html) = ops
        .get_text(&format!("/sitrep?from={from}&to={today}"))
        .await;
    assert!(
        html.contains("Incidents by cercle and type") && html.contains("Patrols by cercle"),
        "{html}"
    );
    let pdf = ops
        .get(&format!("/sitrep.pdf?from={from}&to={today}"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // The text is in compressed streams; the document's title (UTF-16 in the info) says the
    // language.
    let utf16: String = "Situation report"
        .encode_utf16()
        .map(|u| format!("{u:04X}"))
        .collect();
    assert!(String::from_utf8_lossy(&pdf).contains(&utf16));
}

#[tokio::test]
async fn incidents_leave_as_acled_csv_and_geojson() {
    let app = TestApp::spawn().await;
    parsec::incidents::demo::seed_incidents(&app.state, 30, 20)
        .await
        .unwrap();
    let mut ops = app.login("operations").await;
    let (status, csv) = ops.get_text("/incidents/export.csv").await;
    assert_eq!(status, 200);
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(head.len(), 31, "ACLED's 31 columns");
    assert_eq!(
        (head[0], head[5], head[30]),
        ("event_id_cnty", "event_type", "timestamp")
    );
    assert_eq!(lines.count(), 30);
    assert!(csv.contains("\"Mali\"") && csv.contains("\"466\""));
    // Read back as a GIS or ACLED's tools would: numbers as numbers, ids unique.
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut ids = std::collections::HashSet::new();
    for row in reader.records() {
        let row = row.unwrap();
        assert_eq!(row.len(), 31);
        let (lat, lon): (f64, f64) = (row[22].parse().unwrap(), row[23].parse().unwrap());
        assert!(
            (13.0..17.0).contains(&lat) && (-6.0..-1.0).contains(&lon),
            "{row:?}"
        );
        assert!(ids.insert(row[0].to_string()), "{} twice", &row[0]);
        let interaction = &row[13];
        assert!(
            interaction.is_empty() || (interaction.len() == 2 && interaction.parse::<u8>().is_ok()),
            "{interaction}"
        );
        assert!(
            !row[19].is_empty() && !row[20].is_empty(),
            "cercle and commune: {row:?}"
        );
    }
    let (status, geo) = ops.get_text("/incidents/export.geojson?status=clos").await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&geo).unwrap();
    let closed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incidents WHERE status = 'clos'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(v["features"].as_array().unwrap().len() as i64, closed);
    assert_eq!(v["features"][0]["geometry"]["type"], "Point");
    // In English, the list says the statuses in English.
    assert_eq!(
        ops.post_form("/lang", &[("lang", "en")]).await.status(),
        303
    );
    let (_, html) = ops.get_text("/incidents?status=clos").await;
    assert!(
        html.contains("Closed") && !html.contains(">Clos<"),
        "{html}"
    );
    // What left the system is in the audit: two exports, with their filter and size.
    assert_eq!(app.audit_count("export").await, 2);
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'export' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(detail, format!("rows={closed} status=clos"));
}

#[tokio::test]
async fn the_map_shows_incidents_and_the_places_beyond_reach() {
    let app = TestApp::spawn().await;
    parsec::incidents::demo::seed_incidents(&app.state, 40, 20)
        .await
        .unwrap();
    let mut ops = app.login("operations").await;
    let (status, html) = ops.get_text("/map").await;
    assert_eq!(status, 200);
    assert_eq!(
        html.matches("class=\"incident ").count(),
        40,
        "every incident of the month"
    );
    assert!(!html.contains("id=\"coverage\""));
    // Within one hour of a unit by road: much of the region is beyond, and it is said.
    let (_, html) = ops.get_text("/map?coverage=1").await;
    let uncovered = html.matches("class=\"uncovered\"").count();
    assert!(uncovered > 100, "{uncovered}");
    // The dots are in the legend, with their meaning.
    assert!(html.contains("id=\"uncovered-key\"") && html.contains("à plus de 1 h de toute unité"));
    let line = html
        .split("id=\"coverage\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert!(
        line.contains("population concernée") && line.contains("estimée"),
        "{line}"
    );
    assert!(
        line.contains('\u{202f}'),
        "thousands grouped as in French: {line}"
    );
    // Six hours covers more than one.
    let (_, html6) = ops.get_text("/map?coverage=6").await;
    assert!(html6.matches("class=\"uncovered\"").count() < uncovered);
    // A filter by cercle keeps its incidents only.
    let cercle: String = sqlx::query_scalar("SELECT cercle FROM incidents LIMIT 1")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let expected: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incidents WHERE cercle = ?")
        .bind(&cercle)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let (_, html) = ops
        .get_text(&format!("/map?cercle={}", crate::support_q(&cercle)))
        .await;
    assert_eq!(html.matches("class=\"incident ").count() as i64, expected);
}

#[tokio::test]
async fn a_patrol_is_planned_reported_and_raises_an_incident() {
    let app = TestApp::spawn().await;
    let mut cdt = app.login("commandant.koro").await;
    let (status, html) = cdt.get_text("/patrols/new").await;
    assert_eq!(status, 200);
    let submission = submission_of(&html);
    let asset: String = sqlx::query_scalar(
        "SELECT a.registration FROM assets a JOIN users u ON u.unit_id = a.unit_id
         WHERE u.login = 'commandant.koro' LIMIT 1",
    )
    .fetch_optional(&app.state.db)
    .await
    .unwrap()
    .unwrap_or_default();
    let base = vec![
        ("submission", submission.as_str()),
        ("starts_on", "2026-11-20"),
        ("ends_on", "2026-11-21"),
        ("route", "Koro, Dinangourou, Koro"),
        ("assets", asset.as_str()),
    ];
    // Bad input: an unknown place, dates in the wrong order, another unit's asset.
    for (field, value, message) in [
        ("route", "Koro, Atlantis", "Localité introuvable"),
        ("ends_on", "2026-11-01", "après la date de fin"),
        ("assets", "GN-0000-XX", "pas un moyen de l"),
    ] {
        let mut fields = base.clone();
        fields.retain(|(k, _)| *k != field);
        fields.push((field, value));
        let res = cdt.post_form("/patrols/new", &fields).await;
        assert_eq!(res.status(), 422, "{field}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{message}: {html}");
    }
    let res = cdt.post_form("/patrols/new", &base).await;
    assert_eq!(res.status(), 303);
    let page = location(&res).split('?').next().unwrap().to_string();
    let id = page.trim_start_matches("/patrols/").to_string();
    let (_, html) = cdt.get_text(&page).await;
    assert!(
        html.contains("Koro → Dinangourou → Koro") && html.contains("Prévue"),
        "{html}"
    );
    // An incident raised during the patrol points to it.
    let (_, html) = cdt.get_text(&format!("/incidents/new?patrol={id}")).await;
    assert!(
        html.contains(&format!("name=\"patrol\" value=\"{id}\"")),
        "the form carries the patrol: {html}"
    );
    let incident_submission = submission_of(&html);
    let raise = |patrol: &str| {
        vec![
            ("submission", incident_submission.clone()),
            ("occurred_at", "2026-11-20T11:00".to_string()),
            ("place", "Dinangourou".to_string()),
            ("event", "strategic:looting".to_string()),
            ("patrol", patrol.to_string()),
        ]
    };
    // A patrol that is another unit's, or none at all, is refused, and said.
    let mut ops = app.login("operations").await;
    let (_, html) = ops.get_text("/patrols/new").await;
    let bankass = app.unit_id("Brigade de Bankass").await;
    let res = ops
        .post_form(
            "/patrols/new",
            &[
                ("submission", submission_of(&html).as_str()),
                ("unit", bankass.as_str()),
                ("starts_on", "2026-11-19"),
                ("ends_on", "2026-11-20"),
                ("route", "Bankass, Baye"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let theirs = location(&res).trim_start_matches("/patrols/").to_string();
    for patrol in [theirs.as_str(), "01234567-89ab-7def-8123-456789abcdef"] {
        let forged = raise(patrol);
        let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, html) = cdt.post_form_text("/incidents/new", &forged).await;
        assert_eq!(status, 422);
        assert!(
            html.contains("Cette patrouille n&#39;existe pas") && html.contains("id=\"f-place\""),
            "the form again, with the reason: {html}"
        );
    }
    let fields = raise(&id);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = cdt.post_form("/incidents/new", &fields).await;
    assert_eq!(res.status(), 303);
    let linked: Option<String> = sqlx::query_scalar("SELECT patrol_id FROM incidents")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(linked.as_deref(), Some(id.as_str()));
    // Not done without saying why; done with observations.
    let report = format!("/patrols/{id}/report");
    let res = cdt
        .post_form(&report, &[("outcome", "non_effectuee"), ("report", " ")])
        .await;
    assert_eq!(res.status(), 422);
    let res = cdt
        .post_form(
            &report,
            &[
                ("outcome", "effectuee"),
                ("report", "Marché de Dinangourou calme, un pillage signalé"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = cdt.get_text(&page).await;
    assert!(
        html.contains("Effectuée") && html.contains("Pillage / destruction de biens"),
        "{html}"
    );
    let res = cdt
        .post_form(&report, &[("outcome", "effectuee"), ("report", "encore")])
        .await;
    assert_eq!(res.status(), 404, "reported once");
    let (_, html) = cdt.get_text("/sitrep?from=2026-11-19&to=2026-11-22").await;
    assert!(html.contains("Patrouilles : 1 effectuée"), "{html}");
    // The list: the commandant's own patrols, filtered by state and by text.
    let rows = |html: &str| html.matches("href=\"/patrols/0").count();
    let (_, all) = cdt.get_text("/patrols").await;
    let (_, done) = cdt.get_text("/patrols?status=effectuee").await;
    let (_, planned) = cdt.get_text("/patrols?status=prevue").await;
    let (_, named) = cdt.get_text("/patrols?q=Dinangourou").await;
    assert_eq!(
        (rows(&all), rows(&done), rows(&planned), rows(&named)),
        (1, 1, 0, 1)
    );
    assert!(!all.contains("Bankass, Baye") && !all.contains("Bankass → Baye"));
}

/// Events from files the user supplies: ACLED-shaped, then UCDP GED; rows outside the region
/// or of an unknown type refused (nothing loaded unless asked), the same event twice skipped.
#[tokio::test]
async fn events_are_imported_from_acled_and_ucdp_files_without_duplicates() {
    use crate::cli::{parsec, text};
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let db = app.db_path.to_str().unwrap().to_string();
    let acled = dir.path().join("acled.csv");
    // Rows 9 and 10 break the form's rules: an event of 2099; a count that is no number, an
    // interaction code beyond 8, notes beyond 4,000 characters (every reason said at once).
    let long_notes = "n".repeat(4001);
    std::fs::write(
        &acled,
        format!("event_id_cnty,event_date,event_type,sub_event_type,actor1,inter1,actor2,inter2,location,latitude,longitude,fatalities,source,notes\n\
         MLI1008,2099-01-01,Battles,Armed clash,Armed group,2,,0,Koro,14.07,-3.08,2,Press,From the future\n\
         MLI1009,2026-10-09,Battles,Armed clash,Armed group,12,,0,Koro,14.07,-3.08,abc,Press,{long_notes}\n\
         MLI1001,2026-10-02,Battles,Armed clash,Armed group,2,Military Forces of Mali,1,Dinangourou,14.446,-2.229,4,Local source,Clash near the market\n\
         MLI1002,2026-10-05,Violence against civilians,Abduction/forced disappearance,Armed group,2,Civilians,7,Bankass,14.079,-3.518,0,Press,Two abducted\n\
         MLI1003,2026-10-06,Battles,Armed clash,Armed group,2,Military Forces of Mali,1,Bamako,12.64,-8.0,1,Press,Far away\n\
         MLI1004,2026-10-07,Weather,Storm,,0,,0,Mopti,14.49,-4.19,0,Press,Not an ACLED type\n\
         MLI1005,2026-10-08,Battles,Armed clash,Armed group,2,,0,Djibo,14.102,-1.627,2,Press,Burkina Faso\n\
         MLI1006,2026-10-08,Battles,Armed clash,Armed group,2,,0,Somewhere,14.5,-2.5+1,2,Press,Bad number\n\
         MLI1007,2026-1+-08,Battles,Armed clash,Armed group,2,,0,Koro,14.07,-3.08,2,Press,Bad date\n"),
    )
    .unwrap();
    let args = [
        "incidents",
        "import",
        "--db",
        &db,
        "--file",
        acled.to_str().unwrap(),
        "--format",
        "acled",
        "--unit",
        "Brigade de Koro",
    ];
    let o = parsec(&args, &[]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("ligne 2 : date 2099-01-01 dans le futur")
            && t.contains("ligne 3 : inter1 « 12 » hors de 0 à 8 ; fatalities « abc »")
            && t.contains("notes trop long (4001 caractères, 4000 au plus)")
            && t.contains("ligne 6 : hors de la région")
            && t.contains("ligne 7 : type")
            && t.contains("ligne 8 : hors de la région")
            && t.contains("ligne 9 : coordonnées")
            && t.contains("ligne 10 : date"),
        "{t}"
    );
    let count = || {
        let db = app.state.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM incidents")
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(count().await, 0, "nothing loaded");
    let mut skip = args.to_vec();
    skip.push("--skip-invalid");
    let o = parsec(&skip, &[]);
    assert!(
        text(&o).contains("Incidents importés : 2, doublons ignorés : 0"),
        "{}",
        text(&o)
    );
    let cercles: Vec<String> =
        sqlx::query_scalar("SELECT cercle FROM incidents ORDER BY occurred_at")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(cercles, ["Koro", "Bankass"]);
    // Each begins its timeline with where it came from.
    let first: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, detail FROM incident_events ORDER BY detail")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        first,
        [
            ("import".to_string(), "acled:MLI1001".to_string()),
            ("import".to_string(), "acled:MLI1002".to_string())
        ]
    );
    let o = parsec(&skip, &[]);
    assert!(
        text(&o).contains("Incidents importés : 0, doublons ignorés : 2"),
        "{}",
        text(&o)
    );
    // The same clash in UCDP's file (another id, same day, a kilometre away): a duplicate.
    let ucdp = dir.path().join("ged.csv");
    std::fs::write(
        &ucdp,
        "id,date_start,type_of_violence,side_a,side_b,where_coordinates,latitude,longitude,best,source_article\n\
         555001,2026-10-02 00:00:00.000,1,Government of Mali,JNIM,Dinangourou village,14.45,-2.23,5,Agency\n\
         555002,2026-10-09 00:00:00.000,3,JNIM,Civilians,Koro town,14.07,-3.08,2,Agency\n",
    )
    .unwrap();
    let o = parsec(
        &[
            "incidents",
            "import",
            "--db",
            &db,
            "--file",
            ucdp.to_str().unwrap(),
            "--format",
            "ucdp",
            "--unit",
            "Brigade de Koro",
        ],
        &[],
    );
    assert!(
        text(&o).contains("Incidents importés : 1, doublons ignorés : 1"),
        "{}",
        text(&o)
    );
    assert_eq!(count().await, 3);
    let kind: String = sqlx::query_scalar(
        "SELECT sub_event_type FROM incidents WHERE external_ref = 'ucdp:555002'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        kind, "attack",
        "one-sided violence is violence against civilians"
    );
    let o = parsec(
        &[
            "incidents",
            "import",
            "--db",
            &db,
            "--file",
            acled.to_str().unwrap(),
            "--format",
            "gdelt",
            "--unit",
            "Brigade de Koro",
        ],
        &[],
    );
    assert!(!o.status.success());
}

#[tokio::test]
async fn an_incident_placed_by_a_point_is_named_after_the_nearest_locality() {
    let app = TestApp::spawn().await;
    let mut ops = app.login("operations").await;
    let (_, html) = ops.get_text("/incidents/new").await;
    // The form carries a map to click on, and the projection to read the click with.
    assert!(
        html.contains("data-pick") && html.contains("data-projection=\"-5.9 16.4 "),
        "{html}"
    );
    let unit = app.unit_id("Brigade de Koro").await;
    let place = |submission: String, lat: &'static str, lon: &'static str| {
        vec![
            ("submission", submission),
            ("unit", unit.clone()),
            ("lat", lat.to_string()),
            ("lon", lon.to_string()),
            ("event", "civil_protection:fire".to_string()),
            ("occurred_at", "2026-11-28T09:00".to_string()),
        ]
    };
    // A point a hundred metres from Bankass: named after it and counted in its cercle.
    let fields = place(submission_of(&html), "14.0770", "-3.5190");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = ops.post_form("/incidents/new", &fields).await;
    assert_eq!(res.status(), 303);
    let id = location(&res)
        .trim_start_matches("/incidents/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let (name, cercle, precision): (String, String, String) =
        sqlx::query_as("SELECT place, cercle, geo_precision FROM incidents WHERE id = ?")
            .bind(&id)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), cercle.as_str(), precision.as_str()),
        ("Bankass", "Bankass", "exact")
    );
    // A point far from the region: kept as coordinates, in no cercle.
    let (_, html) = ops.get_text("/incidents/new").await;
    let fields = place(submission_of(&html), "19.5", "-6.5");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = ops.post_form("/incidents/new", &fields).await;
    assert_eq!(res.status(), 303);
    let id = location(&res)
        .trim_start_matches("/incidents/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let (name, cercle): (String, String) =
        sqlx::query_as("SELECT place, cercle FROM incidents WHERE id = ?")
            .bind(&id)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((name.as_str(), cercle.as_str()), ("19.5000, -6.5000", ""));
    // A place and a point 100 km apart: one of them is wrong, and the form says so.
    let (_, html) = ops.get_text("/incidents/new").await;
    let mut fields = place(submission_of(&html), "14.49", "-4.19");
    fields.push(("place", "Bankass".to_string()));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = ops.post_form_text("/incidents/new", &fields).await;
    assert_eq!(status, 422);
    assert!(html.contains("plus de 30 km"), "{html}");
    // Only one half of a point is refused.
    let (_, html) = ops.get_text("/incidents/new").await;
    let mut fields = place(submission_of(&html), "14.0770", "");
    fields.retain(|(k, _)| *k != "lon");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = ops.post_form("/incidents/new", &fields).await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn a_commandant_sends_only_the_assets_of_their_units() {
    let app = TestApp::spawn().await;
    let mut cdt = app.login("commandant.koro").await;
    let (_, html) = cdt.get_text("/incidents/new").await;
    let fields = [
        ("submission", submission_of(&html)),
        ("occurred_at", "2026-11-28T08:15".to_string()),
        ("place", "Koro".to_string()),
        ("event", "civil_protection:road_accident".to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = cdt.post_form("/incidents/new", &fields).await;
    assert_eq!(res.status(), 303);
    let page = location(&res).split('?').next().unwrap().to_string();
    let (_, html) = cdt.get_text(&page).await;
    let offered: Vec<String> = html
        .split("name=\"asset\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect();
    assert!(!offered.is_empty(), "{html}");
    let scope: Vec<String> = sqlx::query_scalar(
        "WITH RECURSIVE s(id) AS (SELECT id FROM units WHERE name = 'Brigade de Koro'
         UNION SELECT u.id FROM units u JOIN s ON u.parent_id = s.id)
         SELECT a.id FROM assets a WHERE a.unit_id IN (SELECT id FROM s)",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    let units_in_scope: Vec<String> = sqlx::query_scalar(
        "WITH RECURSIVE s(id) AS (SELECT id FROM units WHERE name = 'Brigade de Koro'
         UNION SELECT u.id FROM units u JOIN s ON u.parent_id = s.id)
         SELECT id FROM s",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    for a in &offered {
        match a.strip_prefix("unit:") {
            Some(unit) => assert!(units_in_scope.iter().any(|u| u == unit), "{a}"),
            None => assert!(scope.contains(a), "{a} is not of the commandant's units"),
        }
    }
    // The aircraft at Sévaré is not theirs to send, even by a hand-made request.
    let aircraft = app.asset_id("TZ-PSC").await;
    assert!(!offered.contains(&aircraft));
    let res = cdt
        .post_form(
            &format!("{page}/dispatch"),
            &[("asset", aircraft.as_str()), ("reason", "plus rapide")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let status: String =
        sqlx::query_scalar("SELECT status FROM assets WHERE registration = 'TZ-PSC'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(status, "disponible");
}

#[tokio::test]
async fn the_assets_suited_to_the_incident_come_first() {
    let app = TestApp::spawn().await;
    let mut ops = app.login("operations").await;
    let unit = app.unit_id("Brigade de Koro").await;
    let app = &app;
    let report = |sub: &'static str, place: &'static str| {
        let unit = unit.clone();
        async move {
            let mut ops = app.login("operations").await;
            let (_, html) = ops.get_text("/incidents/new").await;
            let fields = [
                ("submission", submission_of(&html)),
                ("unit", unit),
                ("occurred_at", "2026-11-28T06:40".to_string()),
                ("place", place.to_string()),
                ("event", format!("civil_protection:{sub}")),
            ];
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = ops.post_form("/incidents/new", &fields).await;
            assert_eq!(res.status(), 303);
            location(&res)
        }
    };
    let kinds_in_order = |html: &str| -> Vec<String> {
        html.split("id=\"candidates\"")
            .nth(1)
            .unwrap()
            .split("<tr>")
            .skip(2)
            .filter_map(|row| row.split("</td><td>").nth(1))
            .map(|cell| cell.split(" <small").next().unwrap().to_string())
            .collect()
    };
    // A medical evacuation: the ambulances first, however far; the rest said less suited.
    let (_, html) = ops
        .get_text(&report("medical_evacuation", "Bandiagara").await)
        .await;
    let kinds = kinds_in_order(&html);
    assert!(kinds[0].contains("(Ambulance)"), "{kinds:?}");
    let first_other = kinds
        .iter()
        .position(|k| !k.contains("(Ambulance)"))
        .unwrap();
    assert!(
        kinds[first_other..]
            .iter()
            .all(|k| !k.contains("(Ambulance)"))
    );
    assert!(html.contains("moins adapté"));
    // A drowning on the river: a boat first. Far from the water, the boats cannot get there
    // and come last, whatever suits.
    let (_, html) = ops.get_text(&report("drowning", "Konna").await).await;
    assert!(kinds_in_order(&html)[0].contains("(Embarcation)"), "{html}");
    let (_, html) = ops.get_text(&report("drowning", "Bandiagara").await).await;
    assert!(
        !kinds_in_order(&html)[0].contains("(Embarcation)"),
        "{html}"
    );
}

#[tokio::test]
async fn a_unit_with_no_asset_available_answers_on_foot() {
    let app = TestApp::spawn().await;
    let koro = app.unit_id("Brigade de Koro").await;
    // Its vehicles are all in the workshop.
    sqlx::query("UPDATE assets SET status = 'en_maintenance' WHERE unit_id = ?")
        .bind(&koro)
        .execute(&app.state.db)
        .await
        .unwrap();
    let mut cdt = app.login("commandant.koro").await;
    let (_, html) = cdt.get_text("/incidents/new").await;
    let fields = [
        ("submission", submission_of(&html)),
        ("occurred_at", "2026-11-28T07:10".to_string()),
        ("place", "Koro".to_string()),
        ("event", "protests:peaceful_protest".to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = cdt.post_form("/incidents/new", &fields).await;
    assert_eq!(res.status(), 303, "{:?}", res.text().await);
    let page = location(&res).split('?').next().unwrap().to_string();
    let (_, html) = cdt.get_text(&page).await;
    let on_foot = format!("value=\"unit:{koro}\"");
    assert!(
        html.contains(&on_foot) && html.contains("Personnel à pied (aucun véhicule disponible)"),
        "{html}"
    );
    // Sent on foot (with the reason, if it is not first): no asset changes, the response runs.
    let rank_one = html
        .split("id=\"dispatch-1\"")
        .next()
        .unwrap()
        .contains(&on_foot);
    let target = format!("unit:{koro}");
    let mut fields = vec![("asset", target.as_str())];
    if !rank_one {
        fields.push(("reason", "la brigade est sur place"));
    }
    let res = cdt.post_form(&format!("{page}/dispatch"), &fields).await;
    assert_eq!(res.status(), 303);
    let (asset, unit): (Option<String>, String) =
        sqlx::query_as("SELECT asset_id, unit_id FROM responses")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((asset, unit), (None, koro.clone()));
    // Out on foot, it is out: no longer offered, and a second send is refused.
    let (_, html) = cdt.get_text(&page).await;
    assert!(!html.contains(&on_foot), "{html}");
    let res = cdt
        .post_form(
            &format!("{page}/dispatch"),
            &[("asset", target.as_str()), ("reason", "encore")],
        )
        .await;
    assert_eq!(res.status(), 422);
    // Nor can a commandant send on foot a unit that is not theirs.
    let bankass = app.unit_id("Brigade de Bankass").await;
    let theirs = format!("unit:{bankass}");
    let res = cdt
        .post_form(
            &format!("{page}/dispatch"),
            &[("asset", theirs.as_str()), ("reason", "renfort")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
    // Two officers at the same instant: the database itself keeps one walk at a time.
    let twice = sqlx::query(
        "INSERT INTO responses (id, incident_id, asset_id, unit_id, mode, rank, dispatched_at,
         dispatched_by) SELECT 'x', incident_id, NULL, unit_id, 'foot', 1, dispatched_at, 'test'
         FROM responses",
    )
    .execute(&app.state.db)
    .await;
    assert!(twice.is_err());
    let response: String = sqlx::query_scalar("SELECT id FROM responses")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    for step in ["on_site", "done"] {
        let res = cdt
            .post_form(&format!("/incidents/responses/{response}/{step}"), &[])
            .await;
        assert_eq!(res.status(), 303, "{step}");
    }
    let (_, html) = cdt.get_text(&page).await;
    let responses = html.split("id=\"responses\"").nth(1).unwrap();
    assert!(
        responses.contains("À pied") && responses.contains("Brigade de Koro"),
        "{responses}"
    );
    let in_workshop: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM assets WHERE unit_id = ? AND status = 'en_maintenance'",
    )
    .bind(&koro)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert!(in_workshop > 0, "the workshop keeps its vehicles");
}

/// An asset that breaks down on the way: the response ends, the asset goes to the workshop with
/// a corrective work order that names the response, and dispatch no longer proposes it until
/// the workshop closes the order.
#[tokio::test]
async fn an_asset_that_breaks_down_on_the_way_goes_to_the_workshop_and_out_of_dispatch() {
    let app = TestApp::spawn().await;
    let mut ops = app.login("operations").await;
    let (_, html) = ops.get_text("/incidents/new").await;
    let submission = submission_of(&html);
    let unit = app.unit_id("Brigade de Koro").await;
    let res = ops
        .post_form(
            "/incidents/new",
            &[
                ("submission", submission.as_str()),
                ("unit", unit.as_str()),
                ("place", "Bankass"),
                ("event", "civil_protection:road_accident"),
                ("occurred_at", "2026-11-28T14:30"),
                ("source", "Appel du chef de village"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = location(&res).split('?').next().unwrap().to_string();
    let id = page.trim_start_matches("/incidents/").to_string();
    let (_, html) = ops.get_text(&page).await;
    let at = html.find("name=\"asset\" value=\"").unwrap() + 20;
    let asset = html[at..].split('"').next().unwrap().to_string();
    let res = ops
        .post_form(
            &format!("/incidents/{id}/dispatch"),
            &[("asset", asset.as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let response: String = sqlx::query_scalar("SELECT id FROM responses WHERE incident_id = ?")
        .bind(&id)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let (_, html) = ops.get_text(&page).await;
    assert!(
        html.contains(&format!("id=\"breakdown-{response}\"")),
        "{html}"
    );
    let res = ops
        .post_form(
            &format!("/incidents/responses/{response}/breakdown"),
            &[("defect", "Cardan cassé à 12 km de Bankass")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{page}?done=breakdown"));
    let status = |app: &TestApp| {
        let asset = asset.clone();
        let db = app.state.db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM assets WHERE id = ?")
                .bind(asset)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(status(&app).await, "en_maintenance");
    let (order, kind, blocking, from): (String, String, bool, Option<String>) = sqlx::query_as(
        "SELECT id, kind, blocking, response_id FROM work_orders WHERE asset_id = ?",
    )
    .bind(&asset)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!((kind.as_str(), blocking), ("correctif", true));
    assert_eq!(from.as_deref(), Some(response.as_str()));
    let done: Option<String> = sqlx::query_scalar("SELECT done_at FROM responses WHERE id = ?")
        .bind(&response)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(done.is_some(), "the response is over");
    // The page says it, and the asset is no longer among the candidates.
    let (_, html) = ops.get_text(&format!("{page}?done=breakdown")).await;
    assert!(html.contains("Panne signalée"), "{html}");
    assert!(html.contains("Panne en route : moyen confié"));
    let candidates = html.split("id=\"candidates\"").nth(1).unwrap();
    assert!(!candidates.contains(&format!("value=\"{asset}\"")));
    // Twice: the response is over, nothing more to report.
    let res = ops
        .post_form(
            &format!("/incidents/responses/{response}/breakdown"),
            &[("defect", "encore")],
        )
        .await;
    assert_eq!(res.status(), 404);
    // The workshop closes the order: the asset is proposed again.
    let mut atelier = app.login("atelier").await;
    let res = atelier
        .post_form(
            &format!("/workshop/orders/{order}/status"),
            &[("status", "termine"), ("note", "Cardan remplacé")],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(status(&app).await, "disponible");
    let (_, html) = ops.get_text(&page).await;
    let candidates = html.split("id=\"candidates\"").nth(1).unwrap();
    assert!(candidates.contains(&format!("value=\"{asset}\"")));
}
