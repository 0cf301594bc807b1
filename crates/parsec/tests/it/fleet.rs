//! The workshop's meters: readings only go up in date order, a replaced meter is recorded with
//! its reason, the asset shows its latest reading; every refusal says why and writes nothing.
//! Then the rest of the workshop: work orders in time (a finished preventive one resets its
//! task), downtime by cause, stock as the sum of its movements, plans, fuel, and what a
//! commandant may read.

use maintenance::due::State;
use parsec::accounts::Scope;
use parsec::audit::Actor;
use parsec::fleet::plans::{self, DueTask, ImportError};

use crate::support::{Client, TestApp, location};

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

// ---------------------------------------------------------------------------------------------
// The workshop (issue 13): plans, work orders in time, parts, fuel, availability.

/// The French catalogue: a refusal's message is compared with its source, not retyped.
const FR: &str = include_str!("../../i18n/fr.ftl");

/// A message of the French catalogue as a page shows it (HTML-escaped, as askama does).
fn fr(key: &str) -> String {
    let text = FR
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim())
        })
        .unwrap_or_else(|| panic!("{key} is not in fr.ftl"));
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn today() -> time::Date {
    parsec::db::now().date()
}

fn days_ago(n: i64) -> time::Date {
    today() - time::Duration::days(n)
}

/// A day as people type it here: `JJ/MM/AAAA`.
fn typed_day(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// A whole-table count (each test has its own database).
async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

/// The part of a page from the element `id` to the end of its table.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let from = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[from..];
    &rest[..rest.find("</table>").unwrap_or(rest.len())]
}

/// Records a reading through the meters' form.
async fn read_meter(client: &mut Client, asset: &str, day: time::Date, km: f64) {
    let res = client
        .post_form(
            &format!("/assets/{asset}/readings/new"),
            &[
                ("meter", "km"),
                ("read_on", &typed_day(day)),
                ("value", &km.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}

/// Opens a work order through the defect form; its id.
async fn open_order(client: &mut Client, asset: &str, fields: &[(&str, &str)]) -> String {
    let res = client
        .post_form(&format!("/assets/{asset}/work-orders/new"), fields)
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let to = location(&res);
    let id = to
        .strip_prefix("/workshop/orders/")
        .and_then(|r| r.strip_suffix("?saved=1"))
        .unwrap_or_else(|| panic!("not a work order: {to}"));
    id.to_string()
}

/// The example plan of the vehicles (its name, as the shipped file starts it).
const LAND_CRUISER: &str = "4×4 type Land Cruiser";

/// The example plans loaded as the workshop does, the Land Cruiser plan started `days` ago
/// (history, set in the database: an import starts its plans today); how many were loaded.
async fn example_plans_started(app: &TestApp, days: i64) -> usize {
    let loaded = plans::import_csv(&app.state, &Actor("atelier".into()), plans::EXAMPLES, true)
        .await
        .unwrap();
    sqlx::query("UPDATE maintenance_plans SET starts_on = ? WHERE name LIKE ?")
        .bind(days_ago(days).to_string())
        .bind(format!("{LAND_CRUISER}%"))
        .execute(&app.state.db)
        .await
        .unwrap();
    loaded
}

/// The Land Cruiser example task as it stands for one asset.
async fn land_cruiser_task(app: &TestApp, asset: &str) -> DueTask {
    plans::due_tasks(&app.state, &Scope::All, Some(asset))
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.example && t.plan_name.starts_with(LAND_CRUISER))
        .expect("the example plan applies to every vehicle")
}

/// A part's stock: the sum of its movements, in every store.
async fn stock(app: &TestApp, part: &str) -> f64 {
    sqlx::query_scalar("SELECT COALESCE(SUM(quantity), 0.0) FROM stock_movements WHERE part_id = ?")
        .bind(part)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

async fn events_of(app: &TestApp, order: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM work_order_events WHERE work_order_id = ?")
        .bind(order)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

async fn order_status(app: &TestApp, order: &str) -> String {
    sqlx::query_scalar("SELECT status FROM work_orders WHERE id = ?")
        .bind(order)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn closing_a_preventive_work_order_resets_its_task_and_a_corrective_one_does_not() {
    let app = TestApp::spawn().await;
    // The plan started 80 days ago: the task is counted from the meter then, back-projected
    // from the readings.
    assert_eq!(
        example_plans_started(&app, 80).await,
        5,
        "the five example plans"
    );
    let asset = app.asset_id("GN-4521-MD").await;
    assert_eq!(status_of(&app, &asset).await, "disponible");
    let mut atelier = app.login("atelier").await;
    // 6,000 km in 80 days: 75 km a day, so 61,200 at the plan's start; due at 66,200.
    read_meter(&mut atelier, &asset, days_ago(80), 61_200.0).await;
    read_meter(&mut atelier, &asset, today(), 67_200.0).await;
    let task = land_cruiser_task(&app, &asset).await;
    assert_eq!(task.due.state, State::Overdue, "{task:?}");
    assert_eq!(task.due.meter, Some(66_200.0));
    let (_, board) = atelier.get_text("/workshop").await;
    let due = table(&board, "due-tasks");
    assert!(
        due.contains("GN-4521-MD") && due.contains(&fr("due-overdue")),
        "{due}"
    );

    // A corrective work order that did not do the task leaves it overdue.
    let repair = open_order(
        &mut atelier,
        &asset,
        &[
            ("defect", "Phare avant cassé"),
            ("kind", "correctif"),
            ("blocking", "on"),
        ],
    )
    .await;
    assert_eq!(status_of(&app, &asset).await, "en_maintenance");
    let res = atelier
        .post_form(
            &format!("/workshop/orders/{repair}/status"),
            &[("status", "termine"), ("meter_end", "67200")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(&app, &asset).await, "disponible");
    assert_eq!(
        land_cruiser_task(&app, &asset).await.due.state,
        State::Overdue
    );

    // The preventive work order opened from the task carries it.
    let form = format!("/assets/{asset}/work-orders/new?task={}", task.task_id);
    let (status, html) = atelier.get_text(&form).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(
            "type=\"hidden\" name=\"task\" value=\"{}\"",
            task.task_id
        )),
        "{html}"
    );
    assert!(html.contains("<option value=\"preventif\" selected>"));
    assert!(html.contains(&task.task_name), "the defect says the task");
    let service = open_order(
        &mut atelier,
        &asset,
        &[
            ("task", task.task_id.as_str()),
            ("kind", "preventif"),
            ("defect", task.task_name.as_str()),
            ("blocking", "on"),
            ("meter_start", "67200"),
        ],
    )
    .await;
    assert_eq!(status_of(&app, &asset).await, "en_maintenance");
    let (_, page) = atelier
        .get_text(&format!("/workshop/orders/{service}"))
        .await;
    let tasks_table = page.split(&fr("work-order-tasks")).nth(1).unwrap();
    assert!(tasks_table.contains(&task.task_name), "{page}");
    // Still overdue while the work goes on.
    assert_eq!(
        land_cruiser_task(&app, &asset).await.due.state,
        State::Overdue
    );

    // Closed: the task counts again from the end meter, and the asset is back in dispatch.
    let res = atelier
        .post_form(
            &format!("/workshop/orders/{service}/status"),
            &[
                ("status", "termine"),
                ("meter_end", "67250"),
                ("note", "Révision faite"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let after = land_cruiser_task(&app, &asset).await;
    assert_eq!(after.due.state, State::Ok, "{after:?}");
    assert_eq!(after.due.meter, Some(72_250.0));
    assert_eq!(status_of(&app, &asset).await, "disponible");
    let (_, board) = atelier.get_text("/workshop").await;
    assert!(!table(&board, "due-tasks").contains("GN-4521-MD"));
}

#[tokio::test]
async fn a_work_order_is_never_closed_before_it_was_opened_nor_changed_once_closed() {
    let app = TestApp::spawn().await;
    let asset = app.asset_id("GN-4523-MD").await;
    let mut atelier = app.login("atelier").await;
    let order = open_order(
        &mut atelier,
        &asset,
        &[
            ("defect", "Fuite de liquide de frein"),
            ("kind", "correctif"),
            ("blocking", "on"),
            ("meter_start", "58400"),
        ],
    )
    .await;
    let status = format!("/workshop/orders/{order}/status");
    let audited = app.audit_count("status").await;
    let yesterday = crate::support::typed(parsec::db::now() - time::Duration::days(1));
    let tomorrow = crate::support::typed(parsec::db::now() + time::Duration::days(1));

    // Closed a day before it was opened.
    let (code, html) = atelier
        .post_form_text(&status, &[("status", "termine"), ("at", &yesterday)])
        .await;
    assert_eq!(code, 422);
    assert!(html.contains(&fr("error-work-order-before-last")), "{html}");
    // Closed tomorrow.
    let (code, html) = atelier
        .post_form_text(&status, &[("status", "termine"), ("at", &tomorrow)])
        .await;
    assert_eq!(code, 422);
    assert!(html.contains(&fr("error-future-date")), "{html}");
    // An end meter below the start.
    let (code, html) = atelier
        .post_form_text(&status, &[("status", "termine"), ("meter_end", "58000")])
        .await;
    assert_eq!(code, 422);
    assert!(html.contains("Un compteur ne recule pas"), "{html}");
    // Both mistakes at once: both said, each at its field.
    let (code, html) = atelier
        .post_form_text(
            &status,
            &[
                ("status", "termine"),
                ("at", &yesterday),
                ("meter_end", "58000"),
            ],
        )
        .await;
    assert_eq!(code, 422);
    assert_eq!(html.matches("class=\"msg-field\"").count(), 2, "{html}");
    assert!(html.contains(&fr("error-work-order-before-last")));
    assert!(html.contains(&fr("error-meter-backwards")));
    // Nothing written: no event, the same status, the asset still out of dispatch.
    assert_eq!(events_of(&app, &order).await, 1);
    assert_eq!(order_status(&app, &order).await, "ouvert");
    assert_eq!(status_of(&app, &asset).await, "en_maintenance");
    assert_eq!(app.audit_count("status").await, audited);

    // Closed properly, it is final: no status, no labour, no part.
    let res = atelier
        .post_form(&status, &[("status", "termine"), ("meter_end", "58450")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(&app, &asset).await, "disponible");
    let closed_at: Option<String> =
        sqlx::query_scalar("SELECT closed_at FROM work_orders WHERE id = ?")
            .bind(&order)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert!(closed_at.is_some());
    for change in [
        vec![("status", "en_cours")],
        vec![("status", "annule")],
        vec![("status", "termine"), ("meter_end", "60000")],
    ] {
        let (code, html) = atelier.post_form_text(&status, &change).await;
        assert_eq!(code, 409, "{change:?}");
        assert!(html.contains(&fr("error-work-order-closed")), "{html}");
    }
    let res = atelier
        .post_form(
            &format!("/workshop/orders/{order}/labour"),
            &[
                ("mechanic", "Sgt Traoré"),
                ("day", &typed_day(today())),
                ("hours", "2"),
            ],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(events_of(&app, &order).await, 2);
    assert_eq!(order_status(&app, &order).await, "termine");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM work_order_labour").await,
        0
    );
    let (_, page) = atelier.get_text(&format!("/workshop/orders/{order}")).await;
    assert!(
        !page.contains(&format!("/workshop/orders/{order}/status")),
        "a closed work order offers no change"
    );
}

#[tokio::test]
async fn downtime_is_counted_by_cause_from_the_statuses_in_time() {
    use parsec::fleet::availability::{self, By};
    let app = TestApp::spawn().await;
    let asset = app.asset_id("GN-4523-MD").await;
    let mut atelier = app.login("atelier").await;
    // A reading 40 days ago: the asset was in service before the period.
    read_meter(&mut atelier, &asset, days_ago(40), 58_400.0).await;
    // A blocking repair's history (written in the database: the form only writes the present).
    let at = |n: i64| {
        parsec::db::timestamp((days_ago(n).midnight() + time::Duration::hours(8)).assume_utc())
    };
    let order = "0190aaaa-0000-7000-8000-000000000001";
    sqlx::query(
        "INSERT INTO work_orders (id, asset_id, kind, status, blocking, defect, opened_at,
         opened_by, closed_at, closed_by) VALUES (?, ?, 'correctif', 'termine', 1,
         'Boîte de vitesses', ?, 'atelier', ?, 'atelier')",
    )
    .bind(order)
    .bind(&asset)
    .bind(at(10))
    .bind(at(1))
    .execute(&app.state.db)
    .await
    .unwrap();
    for (i, (status, n)) in [
        ("ouvert", 10),
        ("attente_pieces", 8),
        ("en_cours", 3),
        ("termine", 1),
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query(
            "INSERT INTO work_order_events (id, work_order_id, status, at, by_user)
             VALUES (?, ?, ?, ?, 'atelier')",
        )
        .bind(format!("{order}-{i}"))
        .bind(order)
        .bind(status)
        .bind(at(n))
        .execute(&app.state.db)
        .await
        .unwrap();
    }
    // The 30 whole days before today.
    let report = availability::report(
        &app.state,
        &Scope::All,
        days_ago(30),
        days_ago(1),
        By::Force,
        1,
    )
    .await
    .unwrap();
    let day = 86_400;
    let line = report.assets.iter().find(|a| a.asset_id == asset).unwrap();
    // Repair: open 2 days + under way 2 days; 5 days waiting for parts; no budget wait.
    assert_eq!(line.availability.by_cause, [4 * day, 5 * day, 0]);
    assert_eq!(line.availability.down, 9 * day);
    assert_eq!(line.availability.total, 30 * day);
    let rate = line.availability.rate().unwrap();
    assert!((rate - 21.0 / 30.0).abs() < 1e-9, "{rate}");
    assert_eq!(line.failures, 1);
    // One repair, opened 10 days ago and closed 1 day ago: 9 days to restore.
    assert_eq!(line.repairs, (1, 9.0 * day as f64));
    assert_eq!(line.open_orders, 0);
    // The force sums its assets: only this one was down.
    let gn = report.groups.iter().find(|g| g.key == "GN").unwrap();
    assert_eq!(gn.availability.by_cause, [4 * day, 5 * day, 0]);
    // An asset entered in the registry today has no service time in the period: no rate,
    // which is not 0 %.
    let new = app.asset_id("GN-4521-MD").await;
    let untouched = report.assets.iter().find(|a| a.asset_id == new).unwrap();
    assert_eq!(untouched.availability.total, 0);
    assert_eq!(untouched.availability.rate(), None);

    // The page, for the workshop and for a commandant; the exports.
    let (code, html) = atelier.get_text("/workshop/availability").await;
    assert_eq!(code, 200);
    assert!(html.contains("GN-4523-MD"));
    let mut commandant = app.login("commandant.koro").await;
    let (code, html) = commandant.get_text("/workshop/availability").await;
    assert_eq!(code, 200);
    assert!(!html.contains("GN-4523-MD"), "Bankass is not Koro's");
    let (code, csv) = atelier.get_text("/workshop/availability.csv").await;
    assert_eq!(code, 200);
    let row = csv
        .lines()
        .find(|l| l.starts_with("\"GN-4523-MD\","))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(row.contains(r#","4.0","5.0","0.0","#), "{row}");
    let res = atelier.get("/workshop/availability.xlsx").await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "a zip");
    let (_, csv) = commandant.get_text("/workshop/availability.csv").await;
    assert!(!csv.contains("GN-4523-MD"));
}

#[tokio::test]
async fn stock_is_the_sum_of_its_movements_and_an_exit_never_takes_it_below_zero() {
    let app = TestApp::spawn().await;
    let mut atelier = app.login("atelier").await;
    let res = atelier
        .post_form(
            "/workshop/parts/new",
            &[
                ("reference", "04152-YZZA1"),
                ("name", "Filtre à huile HZJ79"),
                ("models", "Land Cruiser 79"),
                ("reorder_at", "5"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    let part = to
        .strip_prefix("/workshop/parts/")
        .and_then(|r| r.strip_suffix("/move"))
        .unwrap()
        .to_string();
    let moves = format!("/workshop/parts/{part}/move");

    let res = atelier
        .post_form(
            &moves,
            &[("kind", "entree"), ("store", "Sévaré"), ("quantity", "10")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(stock(&app, &part).await, 10.0);
    // More than the store holds: refused, with why.
    let (code, html) = atelier
        .post_form_text(
            &moves,
            &[
                ("kind", "sortie"),
                ("store", "Sévaré"),
                ("quantity", "12"),
                ("note", "Perte constatée"),
            ],
        )
        .await;
    assert_eq!(code, 422);
    assert!(html.contains(&fr("error-stock-negative")), "{html}");
    // An exit outside a work order says why.
    let (code, html) = atelier
        .post_form_text(
            &moves,
            &[("kind", "sortie"), ("store", "Sévaré"), ("quantity", "1")],
        )
        .await;
    assert_eq!(code, 422);
    assert!(html.contains(&fr("stock-exit-why")), "{html}");
    // A store that holds nothing gives nothing.
    let (code, _) = atelier
        .post_form_text(
            &moves,
            &[
                ("kind", "transfert"),
                ("store", "Mopti"),
                ("to_store", "Sévaré"),
                ("quantity", "1"),
            ],
        )
        .await;
    assert_eq!(code, 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM stock_movements").await, 1);
    assert_eq!(stock(&app, &part).await, 10.0);

    // 4 to Mopti (a transfer moves stock, it does not change the total).
    let res = atelier
        .post_form(
            &moves,
            &[
                ("kind", "transfert"),
                ("store", "Sévaré"),
                ("to_store", "Mopti"),
                ("quantity", "4"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(stock(&app, &part).await, 10.0);
    // Sévaré holds 6 by the book; 3 are counted: the difference is written.
    let res = atelier
        .post_form(
            &moves,
            &[
                ("kind", "inventaire"),
                ("store", "Sévaré"),
                ("quantity", "3"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let counted: f64 = sqlx::query_scalar(
        "SELECT quantity FROM stock_movements WHERE part_id = ? AND kind = 'inventaire'",
    )
    .bind(&part)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(counted, -3.0);
    assert_eq!(stock(&app, &part).await, 7.0);
    let (_, board) = atelier.get_text("/workshop").await;
    assert!(!table(&board, "parts-to-reorder").contains("04152-YZZA1"));

    // Two go to a work order from Mopti: 5 left, at the threshold, to reorder.
    let asset = app.asset_id("GN-4521-MD").await;
    let order = open_order(
        &mut atelier,
        &asset,
        &[("defect", "Vidange moteur"), ("kind", "correctif")],
    )
    .await;
    let used = format!("/workshop/orders/{order}/parts");
    let (code, html) = atelier
        .post_form_text(
            &used,
            &[
                ("part", part.as_str()),
                ("store", "Mopti"),
                ("quantity", "5"),
            ],
        )
        .await;
    assert_eq!(code, 422, "Mopti holds 4");
    assert!(html.contains(&fr("error-stock-negative")));
    let res = atelier
        .post_form(
            &used,
            &[
                ("part", part.as_str()),
                ("store", "Mopti"),
                ("quantity", "2"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let total = stock(&app, &part).await;
    assert_eq!(total, 5.0);
    let (_, page) = atelier.get_text(&format!("/workshop/orders/{order}")).await;
    assert!(page.contains("<td>04152-YZZA1</td><td>Filtre à huile HZJ79</td><td>2</td>"));
    let (_, board) = atelier.get_text("/workshop").await;
    let reorder = table(&board, "parts-to-reorder");
    assert!(reorder.contains("04152-YZZA1"), "{reorder}");
    // The page shows the sum of the movements: the stock is never a stored number.
    assert!(
        reorder.contains(&format!("<td>{} </td><td>5</td>", total as i64)),
        "{reorder}"
    );
    let (_, list) = atelier.get_text("/workshop/parts").await;
    assert!(
        list.contains(&format!(
            "<td>5 </td><td>5</td><td>{}</td>",
            fr("part-to-reorder")
        )),
        "{list}"
    );

    // A closed work order takes no more parts.
    let res = atelier
        .post_form(
            &format!("/workshop/orders/{order}/status"),
            &[("status", "termine")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let before = count(&app, "SELECT COUNT(*) FROM stock_movements").await;
    let (code, html) = atelier
        .post_form_text(
            &used,
            &[
                ("part", part.as_str()),
                ("store", "Sévaré"),
                ("quantity", "1"),
            ],
        )
        .await;
    assert_eq!(code, 409);
    assert!(html.contains(&fr("error-work-order-closed")));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM stock_movements").await,
        before
    );
    assert_eq!(stock(&app, &part).await, 5.0);
    // Per store, never below zero.
    let negative = count(
        &app,
        "SELECT COUNT(*) FROM (SELECT store, SUM(quantity) AS q FROM stock_movements
         GROUP BY part_id, store) WHERE q < 0",
    )
    .await;
    assert_eq!(negative, 0);
}

#[tokio::test]
async fn a_task_with_no_interval_is_refused_and_a_bad_import_writes_nothing() {
    let app = TestApp::spawn().await;
    let mut atelier = app.login("atelier").await;
    let res = atelier
        .post_form(
            "/workshop/plans/new",
            &[
                ("name", "Hilux : carnet du constructeur"),
                ("asset_kind", "vehicle"),
                ("model", "Hilux"),
                ("source", "Carnet d'entretien Toyota Hilux"),
                ("starts_on", &typed_day(today())),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let to = location(&res);
    let plan = to
        .strip_prefix("/workshop/plans/")
        .and_then(|r| r.strip_suffix("?saved=1"))
        .unwrap()
        .to_string();
    let tasks = count(&app, "SELECT COUNT(*) FROM plan_tasks").await;
    let (code, html) = atelier
        .post_form_text(
            &format!("/workshop/plans/{plan}/tasks/new"),
            &[
                ("task", "Vidange"),
                ("meter", ""),
                ("meter_every", ""),
                ("days_every", ""),
            ],
        )
        .await;
    assert_eq!(code, 422);
    assert!(html.contains(&fr("error-plan-no-interval")), "{html}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM plan_tasks").await, tasks);
    // With an interval it is taken.
    let res = atelier
        .post_form(
            &format!("/workshop/plans/{plan}/tasks/new"),
            &[("task", "Vidange"), ("days_every", "180")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM plan_tasks").await,
        tasks + 1
    );

    // An import with a wrong row in the middle: named by its line, nothing written.
    let header = "plan,asset_kind,model,task,meter,meter_every,days_every,soon_meter,soon_days,first_meter,source";
    let csv = format!(
        "{header}\n\
         Plan A,vehicle,,Vidange,km,5000,182,500,15,,Carnet\n\
         Plan B,boat,,Révision,miles,100,365,10,30,,Manuel\n\
         Plan C,generator,,Huile,engine_hours,250,365,25,30,,Manuel\n"
    );
    let plans_before = count(&app, "SELECT COUNT(*) FROM maintenance_plans").await;
    let tasks_before = count(&app, "SELECT COUNT(*) FROM plan_tasks").await;
    let audit_before = count(&app, "SELECT COUNT(*) FROM audit_log").await;
    let refused = plans::import_csv(&app.state, &Actor("atelier".into()), &csv, false).await;
    assert!(
        matches!(refused, Err(ImportError::Row(3, "plan-import-bad-meter"))),
        "{refused:?}"
    );
    // Through the page: the line and why, in French.
    let (code, html) = atelier
        .post_form_text("/workshop/plans/import", &[("csv", csv.as_str())])
        .await;
    assert_eq!(code, 422);
    assert!(
        html.contains(&format!("Ligne 3 : {}.", fr("plan-import-bad-meter"))),
        "{html}"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM maintenance_plans").await,
        plans_before
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM plan_tasks").await,
        tasks_before
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log").await,
        audit_before
    );
    // Corrected, the three plans are written.
    let fixed = csv.replace("miles", "engine_hours");
    let n = plans::import_csv(&app.state, &Actor("atelier".into()), &fixed, false)
        .await
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM maintenance_plans").await,
        plans_before + 3
    );
}

#[tokio::test]
async fn fuel_issues_show_the_stretch_that_burnt_twice_the_usual() {
    let app = TestApp::spawn().await;
    let asset = app.asset_id("GN-4524-MD").await;
    let mut atelier = app.login("atelier").await;
    let form = format!("/assets/{asset}/fuel/new");
    // Full tanks every 400 km: 40 l a stretch (10 l/100 km), except one at 80 l.
    for (n, litres, meter) in [
        (40, "70", "40000"),
        (30, "40", "40400"),
        (20, "40", "40800"),
        (10, "80", "41200"),
        (5, "40", "41600"),
    ] {
        let res = atelier
            .post_form(
                &form,
                &[
                    ("day", &typed_day(days_ago(n))),
                    ("litres", litres),
                    ("meter", meter),
                    ("source", "station"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    }
    let (_, html) = atelier.get_text(&format!("/assets/{asset}")).await;
    assert_eq!(html.matches("Consommation anormale").count(), 1, "{html}");
    assert!(html.contains("<td>20.0 l/100 km</td><td>Consommation anormale"));
    // The average: 200 l over 1,600 km.
    assert!(html.contains("moyenne 12.5 l/100 km"), "{html}");

    // A meter lower than at the issue before: refused, nothing written.
    let (code, html) = atelier
        .post_form_text(
            &form,
            &[
                ("day", &typed_day(today())),
                ("litres", "40"),
                ("meter", "41000"),
                ("source", "station"),
            ],
        )
        .await;
    assert_eq!(code, 422);
    assert!(html.contains("Un compteur ne recule pas"), "{html}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM fuel_issues").await, 5);

    // A post's agent does not issue fuel.
    let mut agent = app.login("agent.koro").await;
    let koro = app.asset_id("GN-4525-MD").await;
    let (code, _) = agent.get_text(&format!("/assets/{koro}/fuel/new")).await;
    assert_eq!(code, 403);
    let res = agent
        .post_form(
            &format!("/assets/{koro}/fuel/new"),
            &[
                ("day", &typed_day(today())),
                ("litres", "40"),
                ("source", "jerrycan"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM fuel_issues").await, 5);
}

#[tokio::test]
async fn a_commandant_reads_the_workshop_of_their_units_only() {
    let app = TestApp::spawn().await;
    let mut atelier = app.login("atelier").await;
    // Brigade territoriale de Mopti: not under the Brigade de Koro.
    let outside = app.asset_id("GN-4521-MD").await;
    let inside = app.asset_id("GN-4524-MD").await;
    let theirs = open_order(
        &mut atelier,
        &inside,
        &[("defect", "Pneu arrière crevé"), ("kind", "correctif")],
    )
    .await;
    let other = open_order(
        &mut atelier,
        &outside,
        &[("defect", "Radiateur percé"), ("kind", "correctif")],
    )
    .await;
    let (_, html) = atelier.get_text("/workshop").await;
    let board = table(&html, "open-orders");
    assert!(board.contains("Radiateur percé") && board.contains("Pneu arrière crevé"));
    assert!(board.contains(&format!("action=\"/workshop/orders/{other}/status\"")));

    let mut commandant = app.login("commandant.koro").await;
    let (code, html) = commandant.get_text("/workshop").await;
    assert_eq!(code, 200);
    let board = table(&html, "open-orders");
    assert!(board.contains("Pneu arrière crevé"), "{board}");
    assert!(!html.contains("Radiateur percé") && !html.contains(&other));
    assert!(!html.contains("/status\""), "no status form: {html}");
    assert_eq!(
        commandant
            .get_text(&format!("/workshop/orders/{other}"))
            .await
            .0,
        404
    );
    let (code, page) = commandant
        .get_text(&format!("/workshop/orders/{theirs}"))
        .await;
    assert_eq!(code, 200);
    assert!(!page.contains(&format!("/workshop/orders/{theirs}/status")));
    // Reading is not moving.
    let res = commandant
        .post_form(
            &format!("/workshop/orders/{theirs}/status"),
            &[("status", "annule")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(order_status(&app, &theirs).await, "ouvert");
}

// ---------------------------------------------------------------------------------------------
// Meters and plans at their edges (each of these was a bug, found by writing these tests): a
// plan started after the last reading, a replaced meter, a task done without a meter written.

#[tokio::test]
async fn a_plan_that_starts_today_is_not_overdue_on_its_first_day_when_the_last_reading_is_old() {
    let app = TestApp::spawn().await;
    let asset = app.asset_id("GN-4521-MD").await;
    let mut atelier = app.login("atelier").await;
    // 6,000 km in 29 days (about 207 a day); nothing read for the last 60 days.
    read_meter(&mut atelier, &asset, days_ago(89), 61_200.0).await;
    read_meter(&mut atelier, &asset, days_ago(60), 67_200.0).await;
    example_plans_started(&app, 0).await;
    let task = land_cruiser_task(&app, &asset).await;
    // Counted from the plan's start, at the meter then (forecast: about 79,600 km), the task
    // is due at about 84,600 km. Counted from the reading 60 days before the plan existed, it
    // is due at 72,200 and already 7,400 km overdue.
    assert_ne!(task.due.state, State::Overdue, "{task:?}");
    assert!(task.due.meter.unwrap() > 79_000.0, "{task:?}");
}

#[tokio::test]
async fn after_a_meter_replacement_a_finished_preventive_work_order_still_resets_its_task() {
    let app = TestApp::spawn().await;
    example_plans_started(&app, 80).await;
    let asset = app.asset_id("GN-4521-MD").await;
    let mut atelier = app.login("atelier").await;
    read_meter(&mut atelier, &asset, days_ago(80), 61_200.0).await;
    read_meter(&mut atelier, &asset, days_ago(40), 64_200.0).await;
    // The odometer is replaced: the new one starts at 10.
    let res = atelier
        .post_form(
            &format!("/assets/{asset}/readings/new"),
            &[
                ("meter", "km"),
                ("read_on", &typed_day(days_ago(20))),
                ("value", "10"),
                ("replaced", "on"),
                ("note", "Compteur HS, remplacé"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    read_meter(&mut atelier, &asset, today(), 1_500.0).await;
    let task = land_cruiser_task(&app, &asset).await;
    let order = open_order(
        &mut atelier,
        &asset,
        &[
            ("task", task.task_id.as_str()),
            ("kind", "preventif"),
            ("defect", task.task_name.as_str()),
            ("blocking", "on"),
            ("meter_start", "1500"),
        ],
    )
    .await;
    let res = atelier
        .post_form(
            &format!("/workshop/orders/{order}/status"),
            &[("status", "termine"), ("meter_end", "1500")],
        )
        .await;
    assert_eq!(res.status(), 303);
    // Done today at 1,500 on the new meter, which reads 1,500: next due at 6,500.
    let after = land_cruiser_task(&app, &asset).await;
    assert_eq!(after.due.meter, Some(6_500.0));
    assert_eq!(after.due.state, State::Ok, "{after:?}");
}

#[tokio::test]
async fn a_task_done_without_an_end_meter_falls_due_again_by_meter() {
    let app = TestApp::spawn().await;
    example_plans_started(&app, 80).await;
    let asset = app.asset_id("GN-4521-MD").await;
    let mut atelier = app.login("atelier").await;
    let task = land_cruiser_task(&app, &asset).await;
    // The board closes a work order with a status and a note: no meter.
    open_order(
        &mut atelier,
        &asset,
        &[("defect", "Contrôle"), ("kind", "correctif")],
    )
    .await;
    let (_, board) = atelier.get_text("/workshop").await;
    let quick = table(&board, "open-orders");
    assert!(quick.contains("name=\"from\" value=\"board\"") && !quick.contains("meter_end"));
    // The service, done 60 days ago at 61,200 km (its meter at the start) and closed from the
    // board (history, written in the database).
    let done = "0190aaaa-0000-7000-8000-000000000002";
    let sixty = parsec::db::timestamp(days_ago(60).midnight().assume_utc());
    sqlx::query(
        "INSERT INTO work_orders (id, asset_id, kind, status, blocking, defect, opened_at,
         opened_by, closed_at, closed_by, meter_start) VALUES (?, ?, 'preventif', 'termine', 1,
         'Révision', ?, 'atelier', ?, 'atelier', 61200)",
    )
    .bind(done)
    .bind(&asset)
    .bind(&sixty)
    .bind(&sixty)
    .execute(&app.state.db)
    .await
    .unwrap();
    sqlx::query("INSERT INTO work_order_tasks (id, work_order_id, task_id) VALUES (?, ?, ?)")
        .bind(format!("{done}-t"))
        .bind(done)
        .bind(&task.task_id)
        .execute(&app.state.db)
        .await
        .unwrap();
    // 6,000 km since: more than the 5,000 of the interval.
    read_meter(&mut atelier, &asset, days_ago(60), 61_200.0).await;
    read_meter(&mut atelier, &asset, today(), 67_200.0).await;
    let after = land_cruiser_task(&app, &asset).await;
    assert_eq!(after.due.state, State::Overdue, "{after:?}");
}

#[tokio::test]
async fn a_meter_replacement_is_not_counted_as_distance_run() {
    use parsec::fleet::availability::{self, By};
    let app = TestApp::spawn().await;
    let asset = app.asset_id("GN-4521-MD").await;
    let mut atelier = app.login("atelier").await;
    read_meter(&mut atelier, &asset, days_ago(25), 63_000.0).await;
    read_meter(&mut atelier, &asset, days_ago(20), 64_000.0).await;
    let res = atelier
        .post_form(
            &format!("/assets/{asset}/readings/new"),
            &[
                ("meter", "km"),
                ("read_on", &typed_day(days_ago(10))),
                ("value", "10"),
                ("replaced", "on"),
                ("note", "Compteur HS, remplacé"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    read_meter(&mut atelier, &asset, days_ago(2), 1_010.0).await;
    let report = availability::report(
        &app.state,
        &Scope::All,
        days_ago(30),
        days_ago(1),
        By::Force,
        1,
    )
    .await
    .unwrap();
    let line = report.assets.iter().find(|a| a.asset_id == asset).unwrap();
    // 1,000 km on the old meter and 1,000 on the new one are known; not 63,000.
    let (unit, run) = line.meter.clone().unwrap();
    assert_eq!(unit, "km");
    assert!((2_000.0..10_000.0).contains(&run), "{run}");
}
