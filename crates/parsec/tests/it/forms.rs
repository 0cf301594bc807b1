//! A form reports every error at once, each at its field: the user fixes everything in one go
//! instead of one mistake per submit. Pages and the JSON API alike; nothing is saved.

use crate::support::TestApp;

/// The messages shown at fields (`<strong class="msg-field">`), in the page's order.
fn field_messages(html: &str) -> Vec<String> {
    html.split("class=\"msg-field\" role=\"alert\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap_or_default().to_string())
        .collect()
}

async fn count(app: &TestApp, table: &'static str) -> i64 {
    let sql = match table {
        "assets" => "SELECT COUNT(*) FROM assets",
        "crossings" => "SELECT COUNT(*) FROM crossings",
        "incidents" => "SELECT COUNT(*) FROM incidents",
        _ => "SELECT COUNT(*) FROM users",
    };
    sqlx::query_scalar(sql)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_error_of_a_form_is_reported_at_once() {
    let app = TestApp::spawn().await;
    let mut admin = app.login("admin").await;
    let unit = app.unit_id("Poste frontière de Koro").await;

    // An asset with four mistakes: four messages, each at its field.
    let assets = count(&app, "assets").await;
    let res = admin
        .post_form(
            "/assets",
            &[
                ("kind", "vaisseau"),
                ("force", "GN"),
                ("unit", unit.as_str()),
                ("registration", "GN/MOP #1"),
                ("make", ""),
                ("model", "HZJ79"),
                ("year", "1800"),
                ("status", "disponible"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    let messages = field_messages(&html);
    assert_eq!(messages.len(), 4, "{messages:?}");
    for id in ["f-kind", "f-registration", "f-make", "f-year"] {
        let at = html.find(&format!("id=\"{id}\"")).unwrap();
        let next_message = html[at..].find("msg-field").unwrap();
        let next_field = html[at + 1..]
            .find("<div class=\"field")
            .unwrap_or(usize::MAX);
        assert!(next_message < next_field, "no message at {id}");
    }
    // What was typed is kept.
    assert!(html.contains("HZJ79"));
    assert_eq!(count(&app, "assets").await, assets);

    // The same through the API: every field with its message.
    let res = admin
        .send_json(
            reqwest::Method::POST,
            "/api/v1/units",
            r#"{"name": "", "kind": "caserne", "force": "XX", "lat": 200, "lon": 1}"#,
        )
        .await;
    assert_eq!(res.status(), 422);
    let v: serde_json::Value = res.json().await.unwrap();
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "kind", "force", "lat"], "{v}");
    assert_eq!(v["field"], "name");

    // A crossing typed by hand: a bad sex, a birth date in the future, a bad country code and
    // no surname.
    let mut agent = app.login("agent.koro").await;
    let crossings = count(&app, "crossings").await;
    let res = agent
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", "every-error-1"),
                ("direction", "entree"),
                ("mode", "pied"),
                ("surname", ""),
                ("sex", "Q"),
                ("birth_date", "01/01/2090"),
                ("nationality", "M1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    let messages = field_messages(&html);
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert!(
        !html.contains("class=\"error\""),
        "each at its field, none twice above"
    );
    assert_eq!(count(&app, "crossings").await, crossings);

    // The name check: no name and a birth date in the future, both said.
    let res = agent
        .post_form("/screening", &[("name", ""), ("birth_date", "01/01/2090")])
        .await;
    assert_eq!(res.status(), 422);
    let messages = field_messages(&res.text().await.unwrap());
    assert_eq!(messages.len(), 2, "{messages:?}");

    // An incident with no type, a bad time and a negative count.
    let mut ops = app.login("operations").await;
    let incidents = count(&app, "incidents").await;
    let res = ops
        .post_form(
            "/incidents/new",
            &[
                ("submission", "every-error-2"),
                ("unit", unit.as_str()),
                ("place", "Bankass"),
                ("occurred_at", "hier"),
                ("injured", "-4"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    let messages = field_messages(&html);
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(html.contains("Champ obligatoire"), "{messages:?}");
    assert_eq!(count(&app, "incidents").await, incidents);

    // An account: a login too short, no name and a short password.
    let users = count(&app, "users").await;
    let res = admin
        .post_form(
            "/admin/users",
            &[
                ("login", "x"),
                ("display_name", ""),
                ("role", "agent"),
                ("unit_id", unit.as_str()),
                ("password", "court"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let messages = field_messages(&res.text().await.unwrap());
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_eq!(count(&app, "users").await, users);
}

#[tokio::test]
async fn the_incident_form_starts_now_with_no_type_and_shows_places_by_name() {
    let app = TestApp::spawn().await;
    let mut ops = app.login("operations").await;
    let (_, html) = ops.get_text("/incidents/new").await;
    // The time is now (to the minute), the type is to be chosen, the common ones first.
    let today = parsec::db::now_text()[..10].to_string();
    assert!(
        html.contains(&format!("name=\"occurred_at\" value=\"{today}T")),
        "{html}"
    );
    let select = html.split("name=\"event\">").nth(1).unwrap();
    assert!(select.starts_with("<option value=\"\" selected>Choisir…</option>"));
    assert!(select.contains("<optgroup label=\"Les plus fréquents\"><option value=\"civil_protection:road_accident\">Accident de la route (Protection civile)"), "{select}");
    // A place chosen among the suggestions comes as its id; refused for another reason, the
    // form shows the place's name, the id kept hidden — no internal code in sight.
    let res = ops
        .post_form(
            "/incidents/new",
            &[
                ("submission", "by-name-1"),
                ("place", "ocha:ML050109007"),
                ("occurred_at", "2026-11-28T14:30"),
            ],
        )
        .await;
    let status = res.status();
    let html = res.text().await.unwrap();
    assert_eq!(status, 422, "{html}");
    let field = html.split("id=\"f-place\"").nth(1).unwrap();
    let field = &field[..field.find("</div>").unwrap()];
    assert!(
        field.contains("type=\"hidden\" name=\"place\" value=\"ocha:ML050109007\""),
        "{field}"
    );
    let shown = field.split("value=\"").nth(1).unwrap();
    assert!(!shown.starts_with("ocha:"), "{field}");
}

#[tokio::test]
async fn a_create_form_asks_to_choose_and_says_its_rules_first() {
    let app = TestApp::spawn().await;
    let mut admin = app.login("admin").await;
    for page in [
        "/assets/new",
        "/units/new",
        "/sites/new",
        "/admin/users/new",
    ] {
        let (status, html) = admin.get_text(page).await;
        assert_eq!(status, 200, "{page}");
        let form = html.split("class=\"edit\"").nth(1).unwrap();
        let at = form
            .find(">Tous<")
            .map(|i| &form[i.saturating_sub(300)..i + 10]);
        assert!(at.is_none(), "{page}: a form is no filter: {at:?}");
        assert!(
            form.contains("<option value=\"\" selected>Choisir…</option>"),
            "{page}"
        );
        assert!(html.contains("id=\"required-note\""), "{page}");
    }
    // The password's rule is on the page before anything is typed, and the field is marked.
    let (_, html) = admin.get_text("/admin/users/new").await;
    let password = html.split("for=\"f-password\"").nth(1).unwrap();
    assert!(password.starts_with(">Mot de passe *<"), "{password}");
    assert!(password.contains("Au moins 10 caractères."));
}

#[tokio::test]
async fn a_form_brought_back_and_changed_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let first = [
        ("submission", "back-button-1"),
        ("surname", "Guindo"),
        ("direction", "entree"),
        ("mode", "pied"),
    ];
    assert_eq!(
        agent
            .post_form("/border/crossings/new", &first)
            .await
            .status(),
        303
    );
    // Back, another traveller typed over the first: not the first one's page, not a bare
    // error, but the form in its page with what was typed and a new key.
    let second = [
        ("submission", "back-button-1"),
        ("surname", "Tembély"),
        ("direction", "sortie"),
        ("mode", "pied"),
    ];
    let res = agent.post_form("/border/crossings/new", &second).await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<nav class=\"menu\">"),
        "inside the page's layout"
    );
    assert!(html.contains("value=\"Tembély\"") && html.contains("déjà servi"));
    let key = html
        .split("name=\"submission\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(key, "back-button-1");
    let again = [
        ("submission", key.as_str()),
        ("surname", "Tembély"),
        ("direction", "sortie"),
        ("mode", "pied"),
    ];
    let res = agent.post_form("/border/crossings/new", &again).await;
    assert_eq!(res.status(), 303);
    assert_eq!(count(&app, "crossings").await, 2);
}
