//! The registry through its pages and its JSON API: geography search, units, assets, sites,
//! validation answers, and the pages' weight.

use crate::support::{TestApp, location};

/// One search, its expected first result.
async fn check(app: &TestApp, query: &str, expected_first: &str) {
    let mut c = app.login("agent.koro").await;
    let (status, body) = c
        .get_text(&format!("/api/v1/localities?q={}", crate::support_q(query)))
        .await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v["items"][0]["name"], expected_first,
        "query {query}: {body}"
    );
}

#[tokio::test]
async fn locality_search_tolerates_accents_case_and_spelling() {
    let app = TestApp::spawn().await;
    for (q, first) in [
        ("sevare", "Sévaré"),
        ("SÉVARÉ", "Sévaré"),
        ("djenne", "Djenné"),
        ("jenne", "Djenné"),
        ("ouenkoro", "Ouonkoro"),
        ("bandiagra", "Bandiagara"),
    ] {
        check(&app, q, first).await;
    }
    let mut c = app.login("agent.koro").await;
    let (_, body) = c.get_text("/api/v1/localities?q=%20%20").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn geography_pages_go_from_region_to_locality() {
    let app = TestApp::spawn().await;
    let mut c = app.login("operations").await;
    let (status, html) = c.get_text("/geo").await;
    assert_eq!(status, 200);
    for cercle in [
        "Bandiagara",
        "Bankass",
        "Djenné",
        "Douentza",
        "Koro",
        "Mopti",
        "Ténenkou",
        "Youwarou",
    ] {
        assert!(
            html.contains(cercle),
            "{cercle} missing from the region page"
        );
    }
    let (_, html) = c.get_text("/geo/cercles/ML0503").await;
    assert!(html.contains("Ouonkoro"));
    let (_, html) = c.get_text("/geo/communes/ML050308").await;
    assert!(html.contains("/localities/ocha:ML050308017"));
    let (status, html) = c.get_text("/localities/ocha:ML050109007").await;
    assert_eq!(status, 200);
    assert!(html.contains("Sévaré") && html.contains("Mopti Commune") && html.contains("14.52457"));
    assert!(html.contains("Localités voisines") && html.contains(" km"));
    let (_, html) = c.get_text("/localities?q=djenne").await;
    assert!(html.contains("Djenné"));
    assert_eq!(c.get("/localities/nowhere").await.status(), 404);
    assert_eq!(c.get("/geo/cercles/ML9999").await.status(), 404);
}

#[tokio::test]
async fn an_asset_is_created_listed_filtered_and_edited_through_the_pages() {
    let app = TestApp::spawn().await;
    let mut c = app.login("atelier").await;
    let unit = app.unit_id("Brigade de Douentza").await;
    let fields = [
        ("registration", "gn-4600-md"),
        ("kind", "vehicle"),
        ("force", "GN"),
        ("unit", unit.as_str()),
        ("make", "Toyota"),
        ("model", "Land Cruiser 76"),
        ("year", "2025"),
        ("status", "disponible"),
        ("odometer_km", "1200,5"),
    ];
    let res = c.post_form("/assets", &fields).await;
    assert_eq!(res.status(), 303);
    let page = location(&res);
    assert!(page.starts_with("/assets/") && page.ends_with("?saved=1"));
    let (_, html) = c.get_text(&page).await;
    assert!(html.contains("GN-4600-MD") && html.contains("Enregistré.") && html.contains("1200.5"));

    let (_, html) = c.get_text("/assets?q=4600").await;
    assert!(html.contains("GN-4600-MD"));
    let (_, html) = c
        .get_text("/assets?kind=boat&sort=registration&dir=desc")
        .await;
    assert!(html.contains("GN-VF-06") && !html.contains("GN-4600-MD"));
    let six = html.find("GN-VF-06").unwrap();
    let one = html.find("GN-VF-01").unwrap();
    assert!(six < one, "descending sort");
    let (_, html) = c.get_text("/assets?page=2").await;
    assert!(html.contains("2 / 2"), "33 assets make two pages of 25");

    // The same registration twice is refused on the field, and nothing is written.
    let res = c.post_form("/assets", &fields).await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Cette immatriculation existe déjà.") && html.contains("Land Cruiser 76")
    );

    let id = page
        .trim_start_matches("/assets/")
        .trim_end_matches("?saved=1")
        .to_string();
    let mut edited = fields.to_vec();
    edited[7] = ("status", "en_maintenance");
    let res = c.post_form(&format!("/assets/{id}"), &edited).await;
    assert_eq!(res.status(), 303);
    let (_, json) = c.get_text(&format!("/api/v1/assets/{id}")).await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["status"], "en_maintenance");
    assert_eq!(v["odometer_km"], 1200.5);
    // A meter never goes back (44,100 km to 100 was taken without a word): refused at the
    // field, nothing written; emptied is going back too.
    for km in ["100", ""] {
        let mut lowered = edited.clone();
        lowered.retain(|(k, _)| *k != "odometer_km");
        lowered.push(("odometer_km", km));
        let res = c.post_form(&format!("/assets/{id}"), &lowered).await;
        assert_eq!(res.status(), 422, "{km:?}");
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Un compteur ne recule pas")
        );
    }
    let (_, json) = c.get_text(&format!("/api/v1/assets/{id}")).await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["odometer_km"], 1200.5);
}

#[tokio::test]
async fn bad_input_is_answered_with_the_field_and_the_reason() {
    let app = TestApp::spawn().await;
    let mut c = app.login("admin").await;
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    // On a page: the form again, the message at the field, what was typed kept.
    let res = c
        .post_form(
            "/units",
            &[
                ("name", "Brigade de Konna"),
                ("kind", "brigade"),
                ("force", "GN"),
                ("lat", "14,9"),
                ("lon", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Saisissez la latitude et la longitude ensemble.")
            && html.contains("Brigade de Konna")
    );
    let res = c
        .post_form(
            "/units",
            &[
                ("name", "Brigade de Konna"),
                ("kind", "brigade"),
                ("force", "GN"),
                ("locality", "Nulle-part-sur-terre"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Localité introuvable"));

    // On the API: {error, field, message}, in the user's language.
    for (body, field) in [
        (r#"{"name": "", "kind": "brigade", "force": "GN"}"#, "name"),
        (r#"{"name": "B", "kind": "caserne", "force": "GN"}"#, "kind"),
        (
            r#"{"name": "B", "kind": "brigade", "force": "XX"}"#,
            "force",
        ),
        (
            r#"{"name": "B", "kind": "brigade", "force": "GN", "lat": 200, "lon": 1}"#,
            "lat",
        ),
        (
            r#"{"name": "B", "kind": "brigade", "force": "GN", "parent": "nope"}"#,
            "parent",
        ),
        (r#"[1, 2]"#, "body"),
        (r#"{"name": "B", "#, "body"),
    ] {
        let res = c
            .send_json(reqwest::Method::POST, "/api/v1/units", body)
            .await;
        assert_eq!(res.status(), 422, "{body}");
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["error"], "invalid", "{body}");
        assert_eq!(v["field"], field, "{body}");
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(before, after, "no partial write");

    // Good input through the API; the place comes from the gazetteer by name.
    let res = c
        .send_json(reqwest::Method::POST, "/api/v1/units", r#"{"name": "Brigade de Konna", "kind": "brigade", "force": "GN", "locality": "Konna"}"#)
        .await;
    assert_eq!(res.status(), 201);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["locality_id"], "ocha:ML050105013");
    assert_eq!(v["lat"], 14.9436);

    // A unit cannot be put under its own sub-unit.
    let legion = app
        .unit_id("Légion de gendarmerie de Mopti — état-major")
        .await;
    let post = app.unit_id("Poste frontière de Koro").await;
    let body =
        serde_json::json!({"name": "Légion", "kind": "etat_major", "force": "GN", "parent": post})
            .to_string();
    let res = c
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/units/{legion}"),
            &body,
        )
        .await;
    assert_eq!(res.status(), 422);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["field"], "parent");
}

#[tokio::test]
async fn unknown_routes_oversized_bodies_and_errors_get_proper_answers() {
    let app = TestApp::spawn().await;
    let mut c = app.login("admin").await;
    let (status, html) = c.get_text("/nowhere").await;
    assert_eq!(status, 404);
    assert!(html.contains("introuvable") && html.contains("<html"));
    let (status, body) = c.get_text("/api/v1/nowhere").await;
    assert_eq!(status, 404);
    assert!(body.contains("\"not_found\""));
    let big = "x".repeat(2 * 1024 * 1024);
    let res = c
        .send_json(
            reqwest::Method::POST,
            "/api/v1/units",
            &format!("{{\"name\": \"{big}\"}}"),
        )
        .await;
    assert_eq!(res.status(), 413);
    let res = c.post_form("/units", &[("name", big.as_str())]).await;
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn sites_and_units_have_their_pages() {
    let app = TestApp::spawn().await;
    let mut c = app.login("admin").await;
    let unit = app.unit_id("Atelier inter-services de Sévaré").await;
    let res = c
        .post_form(
            "/sites",
            &[
                ("name", "Hangar des vedettes"),
                ("kind", "hangar"),
                ("unit", unit.as_str()),
                ("locality", "Mopti"),
                ("status", "en_travaux"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = c.get_text(&location(&res)).await;
    assert!(
        html.contains("Hangar des vedettes")
            && html.contains("En travaux")
            && html.contains("14.48775")
    );
    let (_, html) = c.get_text("/sites?status=en_travaux").await;
    assert!(html.contains("Hangar des vedettes") && html.contains("Poste frontière de Ouenkoro"));
    let (_, html) = c.get_text("/forces").await;
    assert!(html.contains("Protection civile") && html.contains("href=\"/units?force=PC\""));
    let mut agent = app.login("agent.koro").await;
    let (_, html) = agent.get_text("/forces").await;
    assert!(
        html.contains("<td>1</td><td>4</td>"),
        "the agent counts only the post's unit and assets: {html}"
    );
    let koro = app.unit_id("Brigade de Koro").await;
    let (_, html) = c.get_text(&format!("/units/{koro}")).await;
    assert!(
        html.contains("Poste frontière de Koro") && html.contains("GN-4524-MD"),
        "children and assets on the unit page"
    );
}

#[tokio::test]
async fn home_pages_health_and_metrics() {
    let app = TestApp::spawn().await;
    for (login, expected) in [
        ("admin", "Utilisateurs"),
        ("inspecteur", "Entrées du journal"),
        ("agent.koro", "id=\"today-crossings\""),
    ] {
        let mut c = app.login(login).await;
        let (status, html) = c.get_text("/").await;
        assert_eq!(status, 200);
        assert!(html.contains(expected), "{login}");
        assert!(html.len() < 100 * 1024, "page weight {}", html.len());
        // The menu follows the role.
        assert_eq!(html.contains("href=\"/audit\""), login == "inspecteur");
        assert_eq!(html.contains("href=\"/admin/users\""), login == "admin");
    }
    let mut c = app.client();
    let (status, body) = c.get_text("/healthz").await;
    assert_eq!((status, body.contains("ok")), (200, true));
    let (_, metrics) = c.get_text("/metrics").await;
    assert!(
        metrics.contains("parsec_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("parsec_http_request_duration_seconds_bucket"));
    assert!(metrics.contains("parsec_db_pool_connections"));
    let page = c.get("/login").await;
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    let css = c.get("/static/parsec.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let plain = css.bytes().await.unwrap().len();
    // Gzipped for a browser that asks, and only then.
    let gz = reqwest::Client::new()
        .get(format!("{}/static/parsec.css", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let packed = gz.bytes().await.unwrap();
    assert_eq!(&packed[..2], &[0x1f, 0x8b]);
    assert!(packed.len() * 2 < plain, "{} of {plain}", packed.len());
}
