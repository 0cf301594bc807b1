//! The authorisation matrix: every route, every role, the expected answer; and the unit scope:
//! an agent never reads another post's records, through any page or API.

use std::collections::BTreeSet;

use crate::support::{Client, TestApp};

/// Who may use a route: a list of role logins' first letters, `*` for every signed-in user,
/// `public` for everyone.
struct Rule {
    method: &'static str,
    route: &'static str,
    path: &'static str,
    allowed: &'static str,
}

const ROLES: [(&str, char); 7] = [
    ("admin", 'A'),
    ("operations", 'O'),
    ("commandant.koro", 'C'),
    ("agent.koro", 'G'),
    ("atelier", 'W'),
    ("inspecteur", 'I'),
    ("programme", 'P'),
];

macro_rules! rules {
    ($($m:literal $route:literal $path:literal $allowed:literal;)*) => {
        &[$(Rule { method: $m, route: $route, path: $path, allowed: $allowed }),*]
    };
}

/// `{unit}`, `{asset}`, `{site}` are records of the Koro border post (inside the agent's scope);
/// `{user}` is the agent's account.
const MATRIX: &[Rule] = rules! {
    "GET" "/" "/" "*";
    "GET" "/login" "/login" "public";
    "POST" "/login" "/login" "public";
    "POST" "/lang" "/lang" "public";
    "GET" "/healthz" "/healthz" "public";
    "GET" "/metrics" "/metrics" "public";
    "GET" "/static/{name}" "/static/parsec.css" "public";
    "GET" "/api/v1/me" "/api/v1/me" "*";
    "GET" "/account" "/account" "*";
    "POST" "/account/password" "/account/password" "*";
    "POST" "/account/tokens" "/account/tokens" "*";
    "POST" "/account/tokens/{id}/revoke" "/account/tokens/none/revoke" "*";
    "GET" "/geo" "/geo" "*";
    "GET" "/geo/cercles/{pcode}" "/geo/cercles/ML0501" "*";
    "GET" "/geo/communes/{pcode}" "/geo/communes/ML050109" "*";
    "GET" "/localities" "/localities?q=sevare" "*";
    "GET" "/localities/{id}" "/localities/ocha:ML050109007" "*";
    "GET" "/api/v1/localities" "/api/v1/localities?q=sevare" "*";
    "GET" "/api/v1/localities/{id}" "/api/v1/localities/ocha:ML050109007" "*";
    "GET" "/api/v1/forces" "/api/v1/forces" "*";
    "GET" "/forces" "/forces" "*";
    "GET" "/units" "/units" "*";
    "GET" "/units/new" "/units/new" "A";
    "POST" "/units" "/units" "A";
    "GET" "/units/{id}" "/units/{unit}" "*";
    "POST" "/units/{id}" "/units/{unit}" "A";
    "GET" "/units/{id}/edit" "/units/{unit}/edit" "A";
    "GET" "/api/v1/units" "/api/v1/units" "*";
    "POST" "/api/v1/units" "/api/v1/units" "A";
    "GET" "/api/v1/units/{id}" "/api/v1/units/{unit}" "*";
    "PUT" "/api/v1/units/{id}" "/api/v1/units/{unit}" "A";
    "GET" "/assets" "/assets" "*";
    "GET" "/assets/new" "/assets/new" "AW";
    "POST" "/assets" "/assets" "AW";
    "GET" "/assets/{id}" "/assets/{asset}" "*";
    "POST" "/assets/{id}" "/assets/{asset}" "AW";
    "GET" "/assets/{id}/edit" "/assets/{asset}/edit" "AW";
    "GET" "/assets/{id}/readings/new" "/assets/{asset}/readings/new" "AW";
    "POST" "/assets/{id}/readings/new" "/assets/{asset}/readings/new" "AW";
    "GET" "/assets/{id}/work-orders/new" "/assets/{asset}/work-orders/new" "*";
    "POST" "/assets/{id}/work-orders/new" "/assets/{asset}/work-orders/new" "*";
    "GET" "/assets/{id}/fuel/new" "/assets/{asset}/fuel/new" "ACW";
    "POST" "/assets/{id}/fuel/new" "/assets/{asset}/fuel/new" "ACW";
    "GET" "/audit/person" "/audit/person" "I";
    "GET" "/audit/reports" "/audit/reports" "I";
    "GET" "/custody" "/custody" "OCGI";
    "GET" "/custody/new" "/custody/new" "CG";
    "POST" "/custody/new" "/custody/new" "CG";
    "GET" "/custody/register.pdf" "/custody/register.pdf" "OCGI";
    "GET" "/custody/{id}" "/custody/none" "OCGI";
    "GET" "/custody/{id}/entries/new" "/custody/none/entries/new" "CG";
    "POST" "/custody/{id}/entries/new" "/custody/none/entries/new" "CG";
    "GET" "/programme" "/programme" "AOP";
    "GET" "/programme/report.pdf" "/programme/report.pdf" "AOP";
    "GET" "/programme/report.xlsx" "/programme/report.xlsx" "AOP";
    "GET" "/programme/activities" "/programme/activities" "AOP";
    "GET" "/programme/activities/new" "/programme/activities/new" "AP";
    "POST" "/programme/activities/new" "/programme/activities/new" "AP";
    "GET" "/programme/activities/{id}/edit" "/programme/activities/none/edit" "AP";
    "POST" "/programme/activities/{id}/edit" "/programme/activities/none/edit" "AP";
    "GET" "/programme/budget" "/programme/budget" "AOP";
    "GET" "/programme/budget.xlsx" "/programme/budget.xlsx" "AOP";
    "GET" "/programme/budget/lines/new" "/programme/budget/lines/new" "AP";
    "POST" "/programme/budget/lines/new" "/programme/budget/lines/new" "AP";
    "GET" "/programme/budget/lines/{id}" "/programme/budget/lines/none" "AOP";
    "GET" "/programme/budget/lines/{id}/edit" "/programme/budget/lines/none/edit" "AP";
    "POST" "/programme/budget/lines/{id}/edit" "/programme/budget/lines/none/edit" "AP";
    "GET" "/programme/budget/lines/{id}/entries/new" "/programme/budget/lines/none/entries/new" "AP";
    "POST" "/programme/budget/lines/{id}/entries/new" "/programme/budget/lines/none/entries/new" "AP";
    "GET" "/programme/budget/import" "/programme/budget/import" "AP";
    "POST" "/programme/budget/import" "/programme/budget/import" "AP";
    "GET" "/programme/deliveries" "/programme/deliveries" "AOP";
    "GET" "/programme/deliveries/new" "/programme/deliveries/new" "AP";
    "POST" "/programme/deliveries/new" "/programme/deliveries/new" "AP";
    "GET" "/programme/partners" "/programme/partners" "AOP";
    "GET" "/programme/partners/new" "/programme/partners/new" "AP";
    "POST" "/programme/partners/new" "/programme/partners/new" "AP";
    "GET" "/programme/interventions/new" "/programme/interventions/new" "AP";
    "POST" "/programme/interventions/new" "/programme/interventions/new" "AP";
    "GET" "/programme/needs" "/programme/needs" "AOP";
    "GET" "/programme/needs/new" "/programme/needs/new" "AP";
    "POST" "/programme/needs/new" "/programme/needs/new" "AP";
    "GET" "/programme/indicators/{code}" "/programme/indicators/patrols_done" "AP";
    "POST" "/programme/indicators/{code}" "/programme/indicators/patrols_done" "AP";
    "GET" "/admin/custody-rules" "/admin/custody-rules" "A";
    "GET" "/admin/custody-rules/{id}" "/admin/custody-rules/none" "A";
    "POST" "/admin/custody-rules/{id}" "/admin/custody-rules/none" "A";
    "GET" "/workshop" "/workshop" "AOCWP";
    "GET" "/workshop/orders/{id}" "/workshop/orders/none" "AOCWP";
    "GET" "/workshop/orders/{id}/status" "/workshop/orders/none/status" "AW";
    "POST" "/workshop/orders/{id}/status" "/workshop/orders/none/status" "AW";
    "GET" "/workshop/orders/{id}/labour" "/workshop/orders/none/labour" "AW";
    "POST" "/workshop/orders/{id}/labour" "/workshop/orders/none/labour" "AW";
    "GET" "/workshop/orders/{id}/parts" "/workshop/orders/none/parts" "AW";
    "POST" "/workshop/orders/{id}/parts" "/workshop/orders/none/parts" "AW";
    "GET" "/workshop/plans" "/workshop/plans" "AOCWP";
    "GET" "/workshop/plans/new" "/workshop/plans/new" "AW";
    "POST" "/workshop/plans/new" "/workshop/plans/new" "AW";
    "GET" "/workshop/plans/import" "/workshop/plans/import" "AW";
    "POST" "/workshop/plans/import" "/workshop/plans/import" "AW";
    "GET" "/workshop/plans/{id}" "/workshop/plans/none" "AOCWP";
    "GET" "/workshop/plans/{id}/tasks/new" "/workshop/plans/none/tasks/new" "AW";
    "POST" "/workshop/plans/{id}/tasks/new" "/workshop/plans/none/tasks/new" "AW";
    "GET" "/workshop/parts" "/workshop/parts" "AOCWP";
    "GET" "/workshop/parts/new" "/workshop/parts/new" "AW";
    "POST" "/workshop/parts/new" "/workshop/parts/new" "AW";
    "GET" "/workshop/parts/{id}/move" "/workshop/parts/none/move" "AW";
    "POST" "/workshop/parts/{id}/move" "/workshop/parts/none/move" "AW";
    "GET" "/workshop/availability" "/workshop/availability" "AOCWP";
    "GET" "/workshop/availability.csv" "/workshop/availability.csv" "AOCWP";
    "GET" "/workshop/availability.xlsx" "/workshop/availability.xlsx" "AOCWP";
    "GET" "/api/v1/assets" "/api/v1/assets" "*";
    "POST" "/api/v1/assets" "/api/v1/assets" "AW";
    "GET" "/api/v1/assets/{id}" "/api/v1/assets/{asset}" "*";
    "PUT" "/api/v1/assets/{id}" "/api/v1/assets/{asset}" "AW";
    "GET" "/sites" "/sites" "*";
    "GET" "/sites/new" "/sites/new" "A";
    "POST" "/sites" "/sites" "A";
    "GET" "/sites/{id}" "/sites/{site}" "*";
    "POST" "/sites/{id}" "/sites/{site}" "A";
    "GET" "/sites/{id}/edit" "/sites/{site}/edit" "A";
    "GET" "/api/v1/sites" "/api/v1/sites" "*";
    "POST" "/api/v1/sites" "/api/v1/sites" "A";
    "GET" "/api/v1/sites/{id}" "/api/v1/sites/{site}" "*";
    "PUT" "/api/v1/sites/{id}" "/api/v1/sites/{site}" "A";
    "GET" "/admin/users" "/admin/users" "A";
    "GET" "/admin/users/new" "/admin/users/new" "A";
    "POST" "/admin/users" "/admin/users" "A";
    "GET" "/admin/users/{id}" "/admin/users/{user}" "A";
    "POST" "/admin/users/{id}" "/admin/users/{user}" "A";
    "GET" "/admin/users/{id}/edit" "/admin/users/{user}/edit" "A";
    "GET" "/audit" "/audit" "I";
    "GET" "/audit/verify" "/audit/verify" "I";
    "GET" "/api/v1/audit" "/api/v1/audit" "I";
    "GET" "/api/v1/audit/verify" "/api/v1/audit/verify" "I";
    "GET" "/screening" "/screening" "OCG";
    "POST" "/screening" "/screening" "OCG";
    "GET" "/screening/review" "/screening/review" "OC";
    "GET" "/screening/hits/{id}" "/screening/hits/none" "OC";
    "POST" "/screening/hits/{id}" "/screening/hits/none" "OC";
    "GET" "/screening/lists" "/screening/lists" "AI";
    "GET" "/screening/lists/import" "/screening/lists/import" "A";
    "POST" "/screening/lists/import" "/screening/lists/import" "A";
    "GET" "/border/crossings/new" "/border/crossings/new" "CG";
    "POST" "/border/crossings/new" "/border/crossings/new" "CG";
    "GET" "/border/crossings" "/border/crossings" "OCI";
    "GET" "/border/crossings/export.csv" "/border/crossings/export.csv" "OCI";
    "GET" "/border/crossings/find" "/border/crossings/find" "OCGI";
    "GET" "/border/crossings/{id}" "/border/crossings/none" "OCGI";
    "GET" "/border/crossings/{id}/receipt" "/border/crossings/none/receipt" "OCGI";
    "POST" "/border/crossings/{id}/instruction-read" "/border/crossings/none/instruction-read" "CG";
    "POST" "/api/v1/border/mrz" "/api/v1/border/mrz" "CG";
    "GET" "/border/flows" "/border/flows" "OCGIP";
    "GET" "/border/vehicles/new" "/border/vehicles/new" "CG";
    "POST" "/border/vehicles/new" "/border/vehicles/new" "CG";
    "GET" "/border/vehicles/{id}" "/border/vehicles/none" "OCGI";
    "GET" "/border/goods/new" "/border/goods/new" "CG";
    "POST" "/border/crossings/{id}/share" "/border/crossings/none/share" "C";
    "POST" "/border/vehicles/{id}/share" "/border/vehicles/none/share" "C";
    "GET" "/border/partner-alerts" "/border/partner-alerts" "OCGI";
    "GET" "/incidents" "/incidents" "OCGIP";
    "GET" "/map" "/map" "OCGIP";
    "GET" "/sitrep" "/sitrep" "OCGIP";
    "GET" "/sitrep.pdf" "/sitrep.pdf" "OCGIP";
    "GET" "/sitrep.csv" "/sitrep.csv" "OCGIP";
    "GET" "/sitrep.xlsx" "/sitrep.xlsx" "OCGIP";
    "GET" "/incidents/export.csv" "/incidents/export.csv" "OCGIP";
    "GET" "/patrols" "/patrols" "OCGIP";
    "GET" "/patrols/new" "/patrols/new" "OCG";
    "POST" "/patrols/new" "/patrols/new" "OCG";
    "GET" "/patrols/{id}" "/patrols/none" "OCGIP";
    "GET" "/patrols/{id}/report" "/patrols/none/report" "OCG";
    "POST" "/patrols/{id}/report" "/patrols/none/report" "OCG";
    "GET" "/incidents/export.geojson" "/incidents/export.geojson" "OCGIP";
    "GET" "/incidents/new" "/incidents/new" "OCG";
    "POST" "/incidents/new" "/incidents/new" "OCG";
    "GET" "/incidents/{id}" "/incidents/none" "OCGIP";
    "POST" "/incidents/{id}/status" "/incidents/none/status" "OCG";
    "POST" "/incidents/{id}/dispatch" "/incidents/none/dispatch" "OC";
    "POST" "/incidents/responses/{id}/breakdown" "/incidents/responses/none/breakdown" "OC";
    "POST" "/incidents/responses/{id}/{step}" "/incidents/responses/none/done" "OC";
    "POST" "/border/goods/new" "/border/goods/new" "CG";
    "GET" "/api/v1/border/flows" "/api/v1/border/flows" "OCGIP";
    "GET" "/nodes" "/nodes" "AOC";
    "GET" "/nodes/conflicts" "/nodes/conflicts" "AOC";
    "POST" "/nodes/conflicts/{id}" "/nodes/conflicts/none" "OC";
    // No session: the caller is a node, its request signed with the key pinned at enrolment
    // (`sync::transport`); a node that is not the regional one answers 404.
    "POST" "/sync/enrol" "/sync/enrol" "public";
    "POST" "/sync/push" "/sync/push" "public";
    "POST" "/sync/pull" "/sync/pull" "public";
    "POST" "/sync/lists" "/sync/lists" "public";
    "POST" "/sync/lists/page" "/sync/lists/page" "public";
    "POST" "/sync/keys" "/sync/keys" "public";
    // Last: it ends the session that the rows above use.
    "POST" "/logout" "/logout" "*";
};

/// The routes the application declares, read from its sources: a route missing from the matrix
/// fails the test, so no route escapes the review of who may use it.
#[test]
fn every_route_is_in_the_matrix() {
    // Every source file of the application, so that a new capability's routes are seen.
    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut files = Vec::new();
    sources(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 20, "the sources were not found");
    let mut declared = BTreeSet::new();
    for src in files.iter().map(String::as_str) {
        for part in src.split(".route(").skip(1) {
            let Some(part) = part.trim_start().strip_prefix('"') else {
                continue;
            };
            let route = part.split('"').next().unwrap();
            // The route's handlers run to the parenthesis that closes `.route(`.
            let mut depth = 1;
            let end = part
                .char_indices()
                .find(|(_, ch)| {
                    match ch {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap();
            let handlers = &part[..end];
            let methods: Vec<&str> = ["get", "post", "put", "delete"]
                .into_iter()
                .filter(|m| handlers.contains(&format!("{m}(")))
                .collect();
            assert!(!methods.is_empty(), "no method found for {route}");
            for m in methods {
                declared.insert((m.to_uppercase(), route.to_string()));
            }
        }
    }
    let listed: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|r| (r.method.to_string(), r.route.to_string()))
        .collect();
    let missing: Vec<_> = declared.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the authorisation matrix: {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&declared).collect();
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );
}

async fn concrete(app: &TestApp, path: &str) -> String {
    let unit = app.unit_id("Poste frontière de Koro").await;
    let asset = app.asset_id("GN-4525-MD").await;
    let site: String =
        sqlx::query_scalar("SELECT id FROM sites WHERE name = 'Poste frontière de Koro (RN15)'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    let user: String = sqlx::query_scalar("SELECT id FROM users WHERE login = 'agent.koro'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    path.replace("{unit}", &unit)
        .replace("{asset}", &asset)
        .replace("{site}", &site)
        .replace("{user}", &user)
}

async fn call(c: &mut Client, method: &str, path: &str, login: &str) -> u16 {
    match method {
        // Real credentials: failed logins would lock the test's address out.
        "POST" if path == "/login" => c.login(login, "demo").await.status().as_u16(),
        "GET" => c.get(path).await.status().as_u16(),
        "POST" if path.starts_with("/api/") => c
            .send_json(reqwest::Method::POST, path, "{}")
            .await
            .status()
            .as_u16(),
        "PUT" => c
            .send_json(reqwest::Method::PUT, path, "{}")
            .await
            .status()
            .as_u16(),
        // An empty form: allowed writers get a validation answer, nothing is written.
        _ => c.post_form(path, &[]).await.status().as_u16(),
    }
}

/// The routes that show or give a person's data: crossings and vehicles, screening, hits,
/// custody, partner alerts, the inspector's person view, the audit log's details.
const PERSONAL_ROUTES: &[&str] = &[
    "/border/crossings",
    "/border/vehicles",
    "/border/partner-alerts",
    "/border/alerts",
    "/screening",
    "/custody",
    "/audit",
    "/api/v1/audit",
];

/// The programme's team reads aggregates only: no route that shows a person's data lets it in
/// (the matrix below then proves each of these answers it 403).
#[test]
fn the_programme_role_reaches_no_personal_data() {
    let mut personal = 0;
    for rule in MATRIX {
        if PERSONAL_ROUTES.iter().any(|p| rule.route.starts_with(p)) {
            personal += 1;
            assert!(
                !rule.allowed.contains('P') && rule.allowed != "*" && rule.allowed != "public",
                "{} {} is open to the programme role",
                rule.method,
                rule.route
            );
        }
    }
    assert!(
        personal > 20,
        "the personal routes are in the matrix ({personal})"
    );
}

#[tokio::test]
async fn every_role_gets_what_the_matrix_says() {
    let app = TestApp::spawn().await;
    let writes = "SELECT COUNT(*) FROM audit_log WHERE action IN ('create','update')";
    let writes_before: i64 = sqlx::query_scalar(writes)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let mut failures = Vec::new();
    for (login, letter) in ROLES {
        let mut c = app.login(login).await;
        for rule in MATRIX {
            let path = concrete(&app, rule.path).await;
            let status = call(&mut c, rule.method, &path, login).await;
            let allowed =
                rule.allowed == "*" || rule.allowed == "public" || rule.allowed.contains(letter);
            // Allowed: the request is handled (a page, a redirect, the validation answer to an
            // empty write, "not found" for a made-up id). Denied: 403.
            let ok = if allowed {
                !matches!(status, 401 | 403) && status < 500
            } else {
                status == 403
            };
            if !ok {
                failures.push(format!(
                    "{login} {} {path} -> {status} (allowed: {allowed})",
                    rule.method
                ));
            }
        }
    }
    // Without a session: pages send to the login page, the API answers 401, public routes work.
    let mut anon = app.client();
    for rule in MATRIX {
        let path = concrete(&app, rule.path).await;
        let status = call(&mut anon, rule.method, &path, "programme").await;
        // Signing in is public; the next rows are asked without a session again.
        anon.cookies.clear();
        anon.csrf = None;
        let ok = if rule.allowed == "public" {
            !matches!(status, 401 | 403) && status < 500
        } else if path.starts_with("/api/") {
            status == 401
        } else {
            status == 303
        };
        if !ok {
            failures.push(format!("anonymous {} {path} -> {status}", rule.method));
        }
    }
    assert!(
        failures.is_empty(),
        "authorisation matrix violations:\n{}",
        failures.join("\n")
    );
    let writes_after: i64 = sqlx::query_scalar(writes)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        writes_before, writes_after,
        "an empty write must not change anything"
    );
}

#[tokio::test]
async fn an_agent_cannot_read_another_posts_records() {
    let app = TestApp::spawn().await;
    let mut agent = app.login("agent.koro").await;
    let foreign_unit = app.unit_id("Brigade de Djenné").await;
    let foreign_asset = app.asset_id("GN-VF-01").await;
    let parent_asset = app.asset_id("GN-4524-MD").await; // the Koro brigade's, one level above the post
    let foreign_site: String = sqlx::query_scalar(
        "SELECT id FROM sites WHERE name LIKE 'Caserne de la brigade fluviale%'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    for path in [
        format!("/units/{foreign_unit}"),
        format!("/units/{foreign_unit}/edit"),
        format!("/api/v1/units/{foreign_unit}"),
        format!("/assets/{foreign_asset}"),
        format!("/api/v1/assets/{foreign_asset}"),
        format!("/assets/{parent_asset}"),
        format!("/api/v1/assets/{parent_asset}"),
        format!("/sites/{foreign_site}"),
        format!("/api/v1/sites/{foreign_site}"),
    ] {
        let status = agent.get(&path).await.status().as_u16();
        assert!(
            status == 404 || status == 403,
            "agent read {path}: {status}"
        );
    }
    for path in [
        "/assets",
        "/api/v1/assets",
        "/assets?q=GN-VF",
        "/units",
        "/api/v1/units",
        "/sites",
        "/api/v1/sites",
        "/",
    ] {
        let (_, body) = agent.get_text(path).await;
        for foreign in [
            "GN-VF-01",
            "GN-4524-MD",
            "Brigade de Djenné",
            "Caserne de la brigade fluviale",
        ] {
            assert!(
                !body.contains(foreign),
                "{path} shows {foreign} to the agent"
            );
        }
    }
    let (_, body) = agent
        .get_text(&format!("/api/v1/assets?unit={foreign_unit}"))
        .await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["total"], 0);
    // The agent's own post's records are there.
    let (_, body) = agent.get_text("/api/v1/assets").await;
    assert!(body.contains("GN-4525-MD"));

    // The commandant of the Koro brigade sees the brigade and the post below it, not Djenné.
    let mut cdt = app.login("commandant.koro").await;
    assert_eq!(
        cdt.get(&format!("/assets/{parent_asset}")).await.status(),
        200
    );
    assert_eq!(
        cdt.get(&format!("/assets/{}", app.asset_id("GN-4525-MD").await))
            .await
            .status(),
        200
    );
    assert_eq!(
        cdt.get(&format!("/assets/{foreign_asset}")).await.status(),
        404
    );
}
