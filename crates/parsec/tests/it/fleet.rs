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
