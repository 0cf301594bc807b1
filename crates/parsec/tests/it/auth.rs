//! Login, sessions, logout, password change, throttling, CSRF and API tokens.

use crate::support::{TestApp, location};

#[tokio::test]
async fn login_opens_a_new_session_and_logout_ends_it() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    // A page needs a session: the browser is sent to the login page, which comes back.
    let res = c.get("/units").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?next=%2Funits");

    let res = c.login("admin", "demo").await;
    assert_eq!(res.status(), 303);
    let first = c.session_cookie().unwrap();
    let set_cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.contains("Secure"),
        "no Secure cookie without TLS"
    );
    let (status, html) = c.get_text("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("Administrateur (démo)"));

    // Logging in again gives another session id (no fixation).
    c.login("admin", "demo").await;
    assert_ne!(c.session_cookie().unwrap(), first);

    let old = c.session_cookie().unwrap();
    let res = c.post_form("/logout", &[]).await;
    assert_eq!(res.status(), 303);
    assert!(c.session_cookie().is_none());
    // The old cookie is dead on the server, not only forgotten by the browser.
    c.cookies.push(("parsec_session".into(), old));
    assert_eq!(c.get("/").await.status(), 303);
    assert_eq!(app.audit_count("logout").await, 1);
}

#[tokio::test]
async fn secure_cookie_when_served_behind_tls() {
    let app = TestApp::spawn_with(|c| c.tls = true).await;
    let mut c = app.client();
    let res = c.login("admin", "demo").await;
    let set_cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
}

#[tokio::test]
async fn wrong_password_and_unknown_login_are_refused_alike() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    let res = c.login("admin", "wrong").await;
    assert_eq!(res.status(), 401);
    let html = res.text().await.unwrap();
    assert!(html.contains("Identifiant ou mot de passe incorrect."));
    let res = c.login("nobody", "demo").await;
    assert_eq!(res.status(), 401);
    assert!(c.session_cookie().is_none());
    assert_eq!(app.audit_count("login_failed").await, 2);
}

#[tokio::test]
async fn five_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    for _ in 0..5 {
        assert_eq!(c.login("operations", "wrong").await.status(), 401);
    }
    let res = c.login("operations", "demo").await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("échecs de connexion"));
    assert!(c.session_cookie().is_none());
    assert_eq!(app.audit_count("login_refused").await, 1);
    // The five failures came from this address too, so it is refused for other accounts as well.
    assert_eq!(c.login("inspecteur", "demo").await.status(), 429);
}

#[tokio::test]
async fn five_failures_from_one_address_lock_that_address() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    for login in ["a1", "a2", "a3", "a4", "a5"] {
        assert_eq!(c.login(login, "guess").await.status(), 401);
    }
    assert_eq!(c.login("admin", "demo").await.status(), 429);
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let mut c = app.login("admin").await;
    let token = c.csrf.take().unwrap();
    let unit = app.unit_id("Brigade de Koro").await;
    let fields = [
        ("name", "Brigade de test"),
        ("kind", "brigade"),
        ("force", "GN"),
        ("parent", unit.as_str()),
    ];
    let res = c.post_form("/units", &fields).await;
    assert_eq!(res.status(), 403);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Formulaire expiré ou invalide")
    );
    c.csrf = Some("0".repeat(64));
    assert_eq!(c.post_form("/units", &fields).await.status(), 403);
    // The same request from another origin is refused even with the token.
    c.csrf = Some(token.clone());
    let body = serde_urlencoded::to_string([
        ("name", "X"),
        ("kind", "brigade"),
        ("force", "GN"),
        ("csrf", token.as_str()),
    ])
    .unwrap();
    let res = c
        .http
        .post(format!("{}/units", c.base))
        .header(
            "cookie",
            format!("parsec_session={}", c.session_cookie().unwrap()),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "http://evil.example")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE name IN ('Brigade de test', 'X')")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(n, 0);
    // With the token it goes through.
    let res = c.post_form("/units", &fields).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    // JSON with the session cookie needs the header too.
    c.csrf = None;
    let res = c
        .send_json(
            reqwest::Method::POST,
            "/api/v1/units",
            r#"{"name":"Y","kind":"brigade","force":"GN"}"#,
        )
        .await;
    assert_eq!(res.status(), 403);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "csrf");
}

#[tokio::test]
async fn api_tokens_work_without_cookie_and_die_when_revoked() {
    let app = TestApp::spawn().await;
    let mut c = app.login("atelier").await;
    let res = c
        .post_form("/account/tokens", &[("name", "inventaire")])
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let start = html.find("parsec_").unwrap();
    let token: String = html[start..]
        .chars()
        .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_')
        .collect();
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(!stored.contains(&token[7..]), "tokens are stored hashed");

    let http = reqwest::Client::new();
    let res = http
        .get(format!("{}/api/v1/assets", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A machine client writes without CSRF token: it has no cookie to abuse.
    let unit = app.unit_id("Atelier inter-services de Sévaré").await;
    let body = serde_json::json!({"kind": "generator", "force": "GN", "unit": unit, "registration": "GN-GE-99",
        "make": "SDMO", "model": "J44", "status": "disponible"});
    let res = http
        .post(format!("{}/api/v1/assets", app.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    let id: String = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let res = c
        .post_form(&format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let res = http
        .get(format!("{}/api/v1/assets", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "unauthenticated");
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let mut a = app.login("programme").await;
    let mut b = app.login("programme").await;
    let res = a
        .post_form(
            "/account/password",
            &[("current", "demo"), ("new", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("10 caractères au moins"));
    let res = a
        .post_form(
            "/account/password",
            &[
                ("current", "wrong"),
                ("new", "une-phrase-longue"),
                ("confirm", "une-phrase-longue"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = a
        .post_form(
            "/account/password",
            &[
                ("current", "demo"),
                ("new", "une-phrase-longue"),
                ("confirm", "une-phrase-longue"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        a.get("/").await.status(),
        200,
        "the session that changed it stays"
    );
    assert_eq!(
        b.get("/").await.status(),
        303,
        "the other session is closed"
    );
    let mut c = app.client();
    assert_eq!(c.login("programme", "demo").await.status(), 401);
    assert_eq!(
        c.login("programme", "une-phrase-longue").await.status(),
        303
    );
}

#[tokio::test]
async fn a_disabled_account_loses_its_sessions() {
    let app = TestApp::spawn().await;
    let mut admin = app.login("admin").await;
    let mut agent = app.login("agent.koro").await;
    let id: String = sqlx::query_scalar("SELECT id FROM users WHERE login = 'agent.koro'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let unit = app.unit_id("Poste frontière de Koro").await;
    let res = admin
        .post_form(
            &format!("/admin/users/{id}"),
            &[
                ("display_name", "Agent"),
                ("role", "agent"),
                ("unit_id", unit.as_str()),
                ("disabled", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(agent.get("/").await.status(), 303);
    assert_eq!(agent.login("agent.koro", "demo").await.status(), 401);
}

#[tokio::test]
async fn the_language_switch_is_remembered() {
    let app = TestApp::spawn().await;
    let mut c = app.login("inspecteur").await;
    let (_, html) = c.get_text("/").await;
    assert!(html.contains("Tableau de bord") && html.contains("lang=\"fr\""));
    let res = c.post_form("/lang", &[("lang", "en")]).await;
    assert_eq!(res.status(), 303);
    let (_, html) = c.get_text("/").await;
    assert!(html.contains("Dashboard") && html.contains("lang=\"en\""));
    // Saved in the account: a new login (no cookie) comes back in English.
    let mut other = app.login("inspecteur").await;
    let (_, html) = other.get_text("/").await;
    assert!(html.contains("Dashboard"));
}

#[tokio::test]
async fn idle_and_old_sessions_expire() {
    let app = TestApp::spawn().await;
    let mut idle = app.login("operations").await;
    let mut old = app.login("programme").await;
    let mut fresh = app.login("inspecteur").await;
    // Age the sessions as the clock would: idle for 3 hours (limit 2), opened 13 hours ago
    // (limit 12) while active a minute ago.
    let user = |login: &str| format!("(SELECT id FROM users WHERE login = '{login}')");
    let stmt = format!(
        "UPDATE sessions SET last_seen = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-3 hours') WHERE user_id = {}",
        user("operations")
    );
    sqlx::query(sqlx::AssertSqlSafe(stmt))
        .execute(&app.state.db)
        .await
        .unwrap();
    let stmt = format!(
        "UPDATE sessions SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-13 hours') WHERE user_id = {}",
        user("programme")
    );
    sqlx::query(sqlx::AssertSqlSafe(stmt))
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(idle.get("/").await.status(), 303);
    assert_eq!(old.get("/").await.status(), 303);
    assert_eq!(fresh.get("/").await.status(), 200);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(left, 1, "expired sessions are deleted");
}

#[tokio::test]
async fn login_only_returns_to_local_pages() {
    let app = TestApp::spawn().await;
    for (next, expected) in [
        ("/units?kind=brigade", "/units?kind=brigade"),
        ("//evil.example/", "/"),
        ("/\t/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/%0d%0aSet-Cookie:x=y", "/%0d%0aSet-Cookie:x=y"),
    ] {
        let mut c = app.client();
        let pairs = vec![
            ("login".to_string(), "admin".to_string()),
            ("password".to_string(), "demo".to_string()),
            ("next".to_string(), next.to_string()),
        ];
        let res = c.post_raw_form("/login", &pairs).await;
        assert_eq!(res.status(), 303, "{next:?}");
        assert_eq!(location(&res), expected, "{next:?}");
        // Signed in, the login page sends the user on.
        let res = c.get("/login?next=/assets").await;
        assert_eq!(
            (res.status().as_u16(), location(&res)),
            (303, "/assets".to_string())
        );
    }
}

#[tokio::test]
async fn error_pages_keep_the_session_forms_working() {
    let app = TestApp::spawn().await;
    let mut c = app.login("inspecteur").await;
    let res = c.get("/nowhere").await;
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.headers()["x-frame-options"],
        "DENY",
        "security headers on error pages too"
    );
    let html = res.text().await.unwrap();
    // The language switch of an error page works with the token the page carries (masked
    // afresh on every page, so never the same text twice).
    let token = crate::support::csrf_in(&html);
    assert!(token.is_some());
    assert_ne!(token, c.csrf);
    c.csrf = token;
    assert_eq!(c.post_form("/lang", &[("lang", "en")]).await.status(), 303);
    c.csrf = Some("0".repeat(256));
    assert_eq!(c.post_form("/lang", &[("lang", "fr")]).await.status(), 403);
}

#[tokio::test]
async fn editing_a_name_keeps_sessions_and_disabling_revokes_tokens() {
    let app = TestApp::spawn().await;
    let mut admin = app.login("admin").await;
    let mut agent = app.login("agent.koro").await;
    let res = agent
        .post_form("/account/tokens", &[("name", "scanner")])
        .await;
    let html = res.text().await.unwrap();
    let start = html.find("parsec_").unwrap();
    let token: String = html[start..]
        .chars()
        .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_')
        .collect();
    let id: String = sqlx::query_scalar("SELECT id FROM users WHERE login = 'agent.koro'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let unit = app.unit_id("Poste frontière de Koro").await;
    let path = format!("/admin/users/{id}");
    let fields = |disabled: bool| {
        let mut v = vec![
            ("display_name", "Agent Diallo"),
            ("role", "agent"),
            ("unit_id", unit.as_str()),
        ];
        if disabled {
            v.push(("disabled", "on"));
        }
        v
    };
    assert_eq!(admin.post_form(&path, &fields(false)).await.status(), 303);
    assert_eq!(
        agent.get("/").await.status(),
        200,
        "a new display name ends no session"
    );
    let http = reqwest::Client::new();
    let api = |t: String| {
        http.get(format!("{}/api/v1/me", app.base))
            .bearer_auth(t)
            .send()
    };
    assert_eq!(api(token.clone()).await.unwrap().status(), 200);
    assert_eq!(admin.post_form(&path, &fields(true)).await.status(), 303);
    assert_eq!(
        api(token.clone()).await.unwrap().status(),
        401,
        "disabling revokes the tokens"
    );
    assert_eq!(agent.get("/").await.status(), 303);
    // Enabling again does not bring the tokens back.
    assert_eq!(admin.post_form(&path, &fields(false)).await.status(), 303);
    assert_eq!(api(token).await.unwrap().status(), 401);
}

#[tokio::test]
async fn behind_the_proxy_each_forwarded_client_has_its_own_limit() {
    let app = TestApp::spawn_with(|c| c.behind_proxy = true).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let attempt = |client: &'static str, password: &'static str| {
        http.post(format!("{}/login", app.base))
            .header("x-forwarded-for", format!("10.9.9.9, {client}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                serde_urlencoded::to_string([("login", "atelier"), ("password", password)])
                    .unwrap(),
            )
            .send()
    };
    let logins = ["a1", "a2", "a3", "a4", "a5"];
    for login in logins {
        let res = http
            .post(format!("{}/login", app.base))
            .header("x-forwarded-for", "10.0.0.1")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string([("login", login), ("password", "x")]).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
    assert_eq!(
        attempt("10.0.0.1", "demo").await.unwrap().status(),
        429,
        "that client is locked"
    );
    assert_eq!(
        attempt("10.0.0.2", "demo").await.unwrap().status(),
        303,
        "another client is not"
    );
}
