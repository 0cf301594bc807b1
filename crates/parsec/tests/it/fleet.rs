//! The workshop's meters: readings only go up in date order, a replaced meter is recorded with
//! its reason, the asset shows its latest reading; every refusal says why and writes nothing.

use crate::support::{TestApp, location};

async fn readings(app: &TestApp, asset: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM meter_readings WHERE asset_id = ?")
        .bind(asset)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn meter_readings_go_up_in_date_order_except_at_a_recorded_replacement() {
    let app = TestApp::spawn().await;
    let asset = app.asset_id("GN-4525-MD").await;
    let mut atelier = app.login("atelier").await;
    let form = format!("/assets/{asset}/readings/new");
    let read = |day: &'static str, value: &'static str| {
        vec![("meter", "km"), ("read_on", day), ("value", value)]
    };
    let res = atelier.post_form(&form, &read("01/11/2026", "44100")).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(location(&res), format!("/assets/{asset}?saved=1"));
    let res = atelier.post_form(&form, &read("20/11/2026", "45000")).await;
    assert_eq!(res.status(), 303);
    // Lower than the reading before: refused, with the reason.
    let res = atelier.post_form(&form, &read("25/11/2026", "100")).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Un compteur ne recule pas")
    );
    // Between two readings but higher than the later one: out of sequence.
    let res = atelier.post_form(&form, &read("10/11/2026", "46000")).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("relevé postérieur"));
    // In the future, or no value, or a bad day: every mistake at once.
    let res = atelier
        .post_form(
            &form,
            &[("meter", "km"), ("read_on", "01/01/2099"), ("value", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert_eq!(html.matches("class=\"msg-field\"").count(), 2, "{html}");
    assert_eq!(readings(&app, &asset).await, 2);
    // A replaced meter may start lower, but only with its reason.
    let mut replaced = read("28/11/2026", "12");
    replaced.push(("replaced", "on"));
    let res = atelier.post_form(&form, &replaced).await;
    assert_eq!(res.status(), 422);
    replaced.push(("note", "Compteur HS, remplacé"));
    let res = atelier.post_form(&form, &replaced).await;
    assert_eq!(res.status(), 303);
    let res = atelier.post_form(&form, &read("30/11/2026", "150")).await;
    assert_eq!(res.status(), 303);
    // The asset shows the latest reading, its page the history; each reading is audited.
    let (_, json) = atelier.get_text(&format!("/api/v1/assets/{asset}")).await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["odometer_km"], 150.0);
    let (_, html) = atelier.get_text(&format!("/assets/{asset}")).await;
    assert!(
        html.contains("Compteur remplacé : Compteur HS, remplacé"),
        "{html}"
    );
    assert!(html.contains("30/11/2026"));
    assert_eq!(app.audit_count("replace").await, 1);
    assert_eq!(readings(&app, &asset).await, 4);
    // An agent cannot record readings.
    let mut agent = app.login("agent.koro").await;
    assert_eq!(
        agent
            .post_form(&form, &read("30/11/2026", "200"))
            .await
            .status(),
        403
    );
}

async fn status_of(app: &TestApp, asset: &str) -> String {
    sqlx::query_scalar("SELECT status FROM assets WHERE id = ?")
        .bind(asset)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_defect_report_takes_the_asset_out_of_dispatch_until_its_work_order_closes() {
    let app = TestApp::spawn().await;
    let koro = app.unit_id("Poste frontière de Koro").await;
    let (asset, registration): (String, String) = sqlx::query_as(
        "SELECT id, registration FROM assets WHERE unit_id = ? AND status = 'disponible'
         AND kind IN ('vehicle', 'motorbike') LIMIT 1",
    )
    .bind(&koro)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    // The post's agent reports the defect from the asset's page.
    let mut agent = app.login("agent.koro").await;
    let (_, html) = agent.get_text(&format!("/assets/{asset}")).await;
    let form = format!("/assets/{asset}/work-orders/new");
    assert!(html.contains(&form));
    let res = agent
        .post_form(&form, &[("defect", " "), ("blocking", "on")])
        .await;
    assert_eq!(res.status(), 422, "a defect says what is wrong");
    let res = agent
        .post_form(
            &form,
            &[
                ("defect", "Embrayage qui patine"),
                ("kind", "correctif"),
                ("blocking", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(&app, &asset).await, "en_maintenance");
    // Dispatch no longer proposes it.
    let mut ops = app.login("operations").await;
    let res = ops
        .post_form(
            "/incidents/new",
            &[
                ("submission", "wo-1"),
                ("unit", koro.as_str()),
                ("place", "Koro"),
                ("event", "civil_protection:road_accident"),
                ("occurred_at", "2026-11-28T14:30"),
            ],
        )
        .await;
    let page = location(&res).split('?').next().unwrap().to_string();
    let (_, html) = ops.get_text(&page).await;
    assert!(
        !html.contains(&format!("value=\"{asset}\"")),
        "not proposed"
    );
    // The workshop moves it along and closes it: the asset is available again.
    let mut atelier = app.login("atelier").await;
    let (_, html) = atelier.get_text("/workshop").await;
    let board = html.split("id=\"open-orders\"").nth(1).unwrap();
    assert!(board.contains(&registration) && board.contains("Embrayage qui patine"));
    let order: String = sqlx::query_scalar("SELECT id FROM work_orders WHERE asset_id = ?")
        .bind(&asset)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let status = format!("/workshop/orders/{order}/status");
    let res = atelier
        .post_form(&status, &[("status", "attente_pieces")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(&app, &asset).await, "en_maintenance");
    let res = atelier
        .post_form(&status, &[("status", "termine"), ("note", "Disque changé")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(&app, &asset).await, "disponible");
    // Closed is final.
    let res = atelier.post_form(&status, &[("status", "en_cours")]).await;
    assert_eq!(res.status(), 409);
    assert!(app.audit_count("status").await >= 2);
    // Only the workshop moves work orders.
    assert_eq!(
        agent
            .post_form(&status, &[("status", "annule")])
            .await
            .status(),
        403
    );
}
