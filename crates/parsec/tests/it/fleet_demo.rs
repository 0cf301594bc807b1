//! The demo fleet's year, as the workshop and a commander see it: the board has overdue tasks,
//! open work orders waiting for parts, parts to reorder and an availability per force below
//! 100 %; dispatch proposes no asset in the workshop; the suspicious fuel fills stand out.

use parsec::accounts::Scope;
use parsec::fleet::availability::{self, By};

use crate::support::TestApp;

#[tokio::test]
async fn the_demo_fleet_has_a_year_of_history_that_the_workshop_pages_show() {
    let app = TestApp::spawn().await;
    parsec::fleet::demo::seed(&app.state).await.unwrap();
    let count = |sql: &'static str| {
        let db = app.state.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert!(count("SELECT COUNT(DISTINCT read_on) FROM meter_readings").await >= 26);
    assert!(count("SELECT COUNT(*) FROM work_orders WHERE kind = 'preventif'").await > 20);
    assert!(count("SELECT COUNT(*) FROM work_orders WHERE kind = 'correctif'").await > 10);
    // Every work order's history is in order and the demo ones say so.
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM work_orders w WHERE opened_at <> (SELECT MIN(at) FROM
             work_order_events e WHERE e.work_order_id = w.id)"
        )
        .await,
        0
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM work_orders WHERE defect NOT LIKE '%démonstration%'").await,
        0
    );
    // What the registry shows in maintenance has its open blocking work order, and nothing
    // else is in maintenance.
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM assets a WHERE (a.status = 'en_maintenance') <> EXISTS
             (SELECT 1 FROM work_orders w WHERE w.asset_id = a.id AND w.blocking = 1
              AND w.status NOT IN ('termine', 'annule'))"
        )
        .await,
        0
    );
    // A year per force: below 100 %, with time waiting for parts.
    let today = parsec::db::now().date();
    let report = availability::report(
        &app.state,
        &Scope::All,
        today - time::Duration::days(364),
        today,
        By::Force,
        7,
    )
    .await
    .unwrap();
    let gn = report.groups.iter().find(|g| g.key == "GN").unwrap();
    let rate = gn.availability.rate().unwrap();
    assert!(rate > 0.8 && rate < 1.0, "{rate}");
    assert!(gn.availability.by_cause[1] > 0, "waiting for parts");
    assert!(gn.mttr_hours.is_some() && !gn.mtbf.is_empty());
    assert_eq!(gn.series.len(), 53, "365 days in weeks");
    // The board.
    let mut atelier = app.login("atelier").await;
    let (status, html) = atelier.get_text("/workshop").await;
    assert_eq!(status, 200);
    let due = html.split("id=\"due-tasks\"").nth(1).unwrap();
    let due = due.split("</table>").next().unwrap();
    assert!(due.contains("En retard"), "{due}");
    assert!(due.contains("EXEMPLE"));
    assert!(html.contains("Attente pièces : "));
    let forces = html.split("id=\"availability-forces\"").nth(1).unwrap();
    assert!(forces.contains("GN") && forces.contains(" %"));
    // The aircraft's plan waits for its approved programme: nothing invented.
    let (_, plans) = atelier.get_text("/workshop/plans").await;
    assert!(plans.contains("Cessna 208") && plans.contains("chargez le programme approuvé"));
    // The pick-up with the two suspicious fills.
    let pickup = app.asset_id("GN-4522-MD").await;
    let (_, page) = atelier.get_text(&format!("/assets/{pickup}")).await;
    assert_eq!(page.matches("Consommation anormale").count(), 2, "{page}");
    assert!(page.contains("l/100 km"));
    // The availability page, its chart and its exports.
    let (status, page) = atelier.get_text("/workshop/availability?by=unit").await;
    assert_eq!(status, 200);
    assert!(page.contains("<svg") && page.contains("Par unité"));
    let csv = atelier.get("/workshop/availability.csv").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.text().await.unwrap().contains("GN-4522-MD"));
    let xlsx = atelier.get("/workshop/availability.xlsx").await;
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
}
