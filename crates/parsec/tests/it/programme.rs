//! The programme's own pages (issue 15) over real HTTP: the demo's records as the programme's
//! team reads them, its forms (every error at once), the indicators' targets, the quarterly
//! report, and that the operational roles do not reach it.

use crate::support::TestApp;

async fn seeded() -> TestApp {
    let app = TestApp::spawn().await;
    parsec::programme::demo::seed(&app.state).await.unwrap();
    app
}

#[tokio::test]
async fn the_programme_team_reads_its_dashboard_activities_deliveries_partners_and_needs() {
    let app = seeded().await;
    let mut p = app.login("programme").await;
    let (status, html) = p.get_text("/programme").await;
    assert_eq!(status, 200);
    for code in parsec::programme::indicators::CODES {
        assert!(html.contains(&format!("id=\"indicator-{code}\"")), "{code}");
    }
    assert!(html.contains("intervention (médiane)"));
    // The demo's target of the fleet's availability (80 %), with its baseline period.
    assert!(
        html.contains("80 %") && html.contains("2017 (démo)"),
        "{html}"
    );

    let (_, html) = p.get_text("/programme/activities").await;
    assert!(
        html.contains("class=\"chart timeline\""),
        "the timeline is drawn"
    );
    assert!(html.contains("Vedettes fluviales et ambulances"));
    assert!(html.contains("class=\"today\""));

    let (_, html) = p.get_text("/programme/deliveries").await;
    // The six boats and two ambulances of 12 July 2019, with their title deeds.
    assert_eq!(html.matches("12/07/2019").count(), 8, "{html}");
    assert!(html.contains("Acte de propriété AP-2019-07-01"));
    assert!(html.contains("GN-VF-01") && html.contains("TZ-PSC"));

    let (_, html) = p.get_text("/programme/partners").await;
    assert!(html.contains("EUCAP Sahel Mali") && html.contains("EUTM Mali"));
    assert!(html.contains("class=\"partners\""), "partners on the map");

    let (_, html) = p.get_text("/programme/needs").await;
    // The needs no activity answers come first.
    let radios = html.find("Radios des postes isolés").unwrap();
    let boats = html.find("Moyens de patrouille sur le fleuve").unwrap();
    assert!(radios < boats);
    assert!(html.contains("Aucune activité n&#39;y répond"));
}

#[tokio::test]
async fn an_activity_form_reports_every_error_at_once_then_saves() {
    let app = seeded().await;
    let mut p = app.login("programme").await;
    let (status, html) = p
        .post_form_text(
            "/programme/activities/new",
            &[
                ("code", ""),
                ("title", ""),
                ("phase", "mise_en_oeuvre"),
                ("component", "securite"),
                ("planned_start", "30/06/2020"),
                ("planned_end", "01/01/2020"),
                ("actual_start", "pas une date"),
                ("status", "prevue"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    // Code, title, the end before the start, the actual start that is no date.
    assert_eq!(html.matches("class=\"msg-field\"").count(), 4, "{html}");
    assert!(html.contains("La fin est avant le début."));
    assert!(html.contains("30/06/2020"), "what was typed is kept");
    let res = p
        .post_form(
            "/programme/activities/new",
            &[
                ("code", "S.9"),
                ("title", "Radios numériques des postes isolés"),
                ("phase", "mise_en_oeuvre"),
                ("component", "moyens"),
                ("planned_start", "01/01/2027"),
                ("planned_end", "30/06/2027"),
                ("status", "prevue"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = p.get_text("/programme/activities").await;
    assert!(html.contains("Radios numériques des postes isolés"));
    // The same code again: refused, said at the field.
    let (status, html) = p
        .post_form_text(
            "/programme/activities/new",
            &[
                ("code", "S.9"),
                ("title", "Doublon"),
                ("phase", "mise_en_oeuvre"),
                ("component", "moyens"),
                ("planned_start", "01/01/2027"),
                ("planned_end", "30/06/2027"),
                ("status", "prevue"),
            ],
        )
        .await;
    assert_eq!(status, 409);
    assert!(html.contains("Une activité porte déjà ce code."));
}

#[tokio::test]
async fn a_target_set_shows_on_the_dashboard_and_the_quarterly_report_comes_as_pdf_and_xlsx() {
    let app = seeded().await;
    let mut p = app.login("programme").await;
    let res = p
        .post_form(
            "/programme/indicators/crossings_per_post",
            &[
                ("baseline", "1200"),
                ("baseline_period", "2018"),
                ("target", "4321"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = p.get_text("/programme").await;
    let card = html
        .split("id=\"indicator-crossings_per_post\"")
        .nth(1)
        .unwrap();
    let card = card.split("</section>").next().unwrap();
    assert!(
        card.contains("4321") && card.contains("1200 2018"),
        "{card}"
    );
    // A made-up indicator is not found; a bad number is refused at its field.
    assert_eq!(p.get("/programme/indicators/nothing").await.status(), 404);
    let (status, _) = p
        .post_form_text(
            "/programme/indicators/patrols_done",
            &[("baseline", "beaucoup"), ("target", "-3")],
        )
        .await;
    assert_eq!(status, 422);

    let res = p.get("/programme/report.pdf?quarter=2026-T4").await;
    assert_eq!(res.status(), 200);
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let res = p.get("/programme/report.xlsx?quarter=2026-T4").await;
    assert_eq!(res.status(), 200);
    let xlsx = res.bytes().await.unwrap();
    assert!(xlsx.starts_with(b"PK"), "a zip (XLSX)");
    // A sheet per part: indicators, budget, activities, deliveries, needs. The budget's total
    // planned is the demo's 29 M€, all of it paid or not by the end of the quarter.
    let sheets = parsec::xlsx::read(&xlsx).unwrap();
    assert_eq!(sheets.len(), 5);
    // The indicators: the three quarters before and the quarter itself, each once and whole.
    let heads: Vec<String> = sheets[0].rows[0]
        .cells
        .iter()
        .map(|c| c.text().to_string())
        .collect();
    assert_eq!(
        heads[3..],
        ["2026-T1", "2026-T2", "2026-T3", "2026-T4"],
        "{heads:?}"
    );
    let res = p.get("/programme/report.xlsx?quarter=2026-T2").await;
    let sheets = parsec::xlsx::read(&res.bytes().await.unwrap()).unwrap();
    let heads: Vec<String> = sheets[0].rows[0]
        .cells
        .iter()
        .map(|c| c.text().to_string())
        .collect();
    assert_eq!(
        heads[3..],
        ["2025-T3", "2025-T4", "2026-T1", "2026-T2"],
        "{heads:?}"
    );
    let res = p.get("/programme/report.xlsx?quarter=2026-T4").await;
    let sheets = parsec::xlsx::read(&res.bytes().await.unwrap()).unwrap();
    let budget = &sheets[1];
    let total = budget
        .rows
        .iter()
        .find(|r| r.cell(0).text() == "Total du programme")
        .expect("the programme's total");
    assert_eq!(total.cell(1).text(), "29\u{202f}000\u{202f}000,00\u{202f}€");
    // Paid to date: the demo's eight payments, 13,770,000 € (1,095,000 + 2,555,000 + 3,050,000
    // + 710,000 + 3,050,000 + 900,000 + 1,260,000 + 1,150,000), 47 % of the plan.
    assert_eq!(total.cell(4).text(), "13\u{202f}770\u{202f}000,00\u{202f}€");
    assert_eq!(total.cell(5).text(), "47 %");
    assert!(
        app.audit_count("export").await >= 2,
        "the reports' exports are audited"
    );
}

#[tokio::test]
async fn the_operational_roles_do_not_reach_the_programme_and_it_sees_no_person() {
    let app = seeded().await;
    for login in ["agent.koro", "commandant.koro", "atelier", "inspecteur"] {
        let mut c = app.login(login).await;
        assert_eq!(c.get("/programme").await.status(), 403, "{login}");
    }
    let mut ops = app.login("operations").await;
    assert_eq!(ops.get("/programme").await.status(), 200);
    assert_eq!(
        ops.get("/programme/activities/new").await.status(),
        403,
        "operations read the programme, never edit it"
    );
    let mut p = app.login("programme").await;
    for path in [
        "/border/crossings",
        "/custody",
        "/screening/review",
        "/audit/person",
    ] {
        assert_eq!(p.get(path).await.status(), 403, "{path}");
    }
}
