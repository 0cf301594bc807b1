//! Login, sessions, logout, password change, throttling, CSRF and API tokens.

use crate::support::{Client, TestApp, location};

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

/// A client of a server behind a trusted proxy on loopback, seen as coming from `address`.
fn client_at(app: &TestApp, address: &str) -> Client {
    let mut c = app.client();
    c.forwarded_for = Some(address.to_string());
    c
}

/// A minute's backoff, so that no test depends on how fast a password is checked; the wait is
/// ended by `wait_is_over`, never by sleeping.
fn slow_backoff(c: &mut parsec::config::Config) {
    c.login_limits.backoff_base = std::time::Duration::from_secs(60);
}

async fn behind_proxy() -> TestApp {
    TestApp::spawn_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        slow_backoff(c);
    })
    .await
}

/// Moves every pair's last failure an hour back: as if the wait had passed.
async fn wait_is_over(app: &TestApp) {
    sqlx::query(
        "UPDATE login_throttle SET last_failure = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 hour')
         WHERE last_failure IS NOT NULL",
    )
    .execute(&app.state.db)
    .await
    .unwrap();
}

async fn counted(app: &TestApp, column: &str, login: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(SUM({column}), 0) FROM login_failures WHERE login = ?"
    )))
    .bind(login)
    .fetch_one(&app.state.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_owner_who_mistypes_is_slowed_not_locked() {
    let app = TestApp::spawn_with(slow_backoff).await;
    let mut c = app.client();
    for _ in 0..3 {
        assert_eq!(c.login("operations", "wrong").await.status(), 401);
    }
    // The fourth attempt comes too soon, even with the right password: a delay, not a lock.
    let res = c.login("operations", "demo").await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("échecs de connexion"));
    assert!(c.session_cookie().is_none());
    wait_is_over(&app).await;
    assert_eq!(c.login("operations", "demo").await.status(), 303);
    // Other accounts at the same address were never held.
    assert_eq!(app.client().login("inspecteur", "demo").await.status(), 303);
    // Counted, not written one chain entry each.
    assert_eq!(counted(&app, "failed", "operations").await, 3);
    assert_eq!(counted(&app, "refused", "operations").await, 1);
    assert_eq!(app.audit_count("login_failed").await, 1);
    assert_eq!(app.audit_count("login_refused").await, 1);
}

#[tokio::test]
async fn an_attacker_elsewhere_cannot_lock_the_commandant_out() {
    let app = behind_proxy().await;
    // The commandant's own laptop at the post.
    assert_eq!(
        client_at(&app, "10.20.0.7")
            .login("commandant.koro", "demo")
            .await
            .status(),
        303
    );
    // Fifty guesses from ten other addresses: each pair is slowed after its third failure.
    let mut statuses = Vec::new();
    for n in 0..10 {
        let mut attacker = client_at(&app, &format!("198.51.100.{n}"));
        for _ in 0..5 {
            statuses.push(
                attacker
                    .login("commandant.koro", "guess")
                    .await
                    .status()
                    .as_u16(),
            );
        }
    }
    // Three per pair, until ten failures from unfamiliar addresses hold the account for them.
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        10,
        "{statuses:?}"
    );
    // The real commandant, from the address he uses, is not held at all.
    assert_eq!(
        client_at(&app, "10.20.0.7")
            .login("commandant.koro", "demo")
            .await
            .status(),
        303
    );
    // An address the account never used waits while the crowd of failures lasts.
    assert_eq!(
        client_at(&app, "203.0.113.9")
            .login("commandant.koro", "demo")
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn typos_at_a_post_behind_one_address_do_not_stop_its_colleagues() {
    let app = behind_proxy().await;
    let post = "10.30.0.1";
    for _ in 0..6 {
        let status = client_at(&app, post)
            .login("agent.koro", "typo")
            .await
            .status();
        assert!(status == 401 || status == 429, "{status}");
    }
    // Colleagues behind the same address log in, all at the same moment.
    let logins = [
        "commandant.koro",
        "operations",
        "inspecteur",
        "atelier",
        "admin",
    ];
    let mut attempts = tokio::task::JoinSet::new();
    for login in logins {
        let mut c = client_at(&app, post);
        attempts.spawn(async move { c.login(login, "demo").await.status().as_u16() });
    }
    let statuses = attempts.join_all().await;
    assert_eq!(statuses, [303; 5]);
}

#[tokio::test]
async fn a_client_reaching_the_port_directly_cannot_choose_its_address() {
    // The trusted proxy is another machine: the test's loopback connections are direct.
    let app = TestApp::spawn_with(|c| {
        c.trusted_proxies = vec!["192.0.2.10".parse().unwrap()];
        slow_backoff(c);
    })
    .await;
    let mut statuses = Vec::new();
    for n in 0..5 {
        // A new forged address each time: still the one pair of the real address.
        let mut c = client_at(&app, &format!("203.0.113.{n}"));
        statuses.push(c.login("atelier", "guess").await.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    let addresses: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT address FROM login_throttle WHERE login = 'atelier'")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(addresses, ["127.0.0.1"]);
}

#[tokio::test]
async fn behind_the_proxy_each_forwarded_client_has_its_own_pair() {
    let app = behind_proxy().await;
    for _ in 0..3 {
        let res = client_at(&app, "10.9.9.9, 10.0.0.1")
            .login("atelier", "x")
            .await;
        assert_eq!(res.status(), 401);
    }
    // The last entry is the one the proxy wrote: that client is slowed, another is not.
    assert_eq!(
        client_at(&app, "10.0.0.2, 10.0.0.1")
            .login("atelier", "demo")
            .await
            .status(),
        429
    );
    assert_eq!(
        client_at(&app, "10.0.0.1, 10.0.0.2")
            .login("atelier", "demo")
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn a_login_form_posted_from_elsewhere_is_refused() {
    let app = TestApp::spawn().await;
    let pairs = |csrf: Option<&str>| {
        let mut p = vec![
            ("login".to_string(), "admin".to_string()),
            ("password".to_string(), "demo".to_string()),
        ];
        if let Some(t) = csrf {
            p.push(("csrf".to_string(), t.to_string()));
        }
        p
    };
    // No token, no cookie (a form on another site, Origin null or none): refused, and the
    // answer is the login form again with its message.
    let mut c = app.client();
    let res = c.post_raw_form("/login", &pairs(None)).await;
    assert_eq!(res.status(), 403);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("La page de connexion a expiré")
    );
    assert!(c.session_cookie().is_none());
    // Another browser's token does not fit this browser's cookie.
    let mut other = app.client();
    let foreign = other.login_token().await;
    let mut c = app.client();
    c.login_token().await;
    let res = c.post_raw_form("/login", &pairs(Some(&foreign))).await;
    assert_eq!(res.status(), 403);
    // The browser's own form goes through.
    let token = c.login_token().await;
    let res = c.post_raw_form("/login", &pairs(Some(&token))).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn the_current_password_check_is_throttled_and_a_new_password_revokes_the_tokens() {
    let app = TestApp::spawn_with(slow_backoff).await;
    let mut c = app.login("commandant.koro").await;
    let res = c.post_form("/account/tokens", &[("name", "script")]).await;
    let html = res.text().await.unwrap();
    let at = html.find("id=\"new-token\">").unwrap() + 15;
    let token = html[at..].split('<').next().unwrap().to_string();
    let api = |token: String| {
        let base = app.base.clone();
        async move {
            reqwest::Client::new()
                .get(format!("{base}/api/v1/units"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(api(token.clone()).await, 200);
    let change = |current: &'static str| {
        [
            ("current", current),
            ("new", "un-nouveau-mot-de-passe"),
            ("confirm", "un-nouveau-mot-de-passe"),
        ]
    };
    for _ in 0..3 {
        let res = c.post_form("/account/password", &change("guess")).await;
        assert_eq!(res.status(), 422);
    }
    let res = c.post_form("/account/password", &change("demo")).await;
    assert_eq!(res.status(), 429, "a fourth guess comes too soon");
    assert!(res.text().await.unwrap().contains("échecs de connexion"));
    // The page says what a new password does to the tokens.
    let (_, html) = c.get_text("/account").await;
    assert!(html.contains("révoque tous vos jetons"), "{html}");
    // The token works until the password changes (once the wait is over).
    wait_is_over(&app).await;
    let res = c.post_form("/account/password", &change("demo")).await;
    assert_eq!(res.status(), 303);
    assert_eq!(api(token).await, 401);
    // So does a reset by the administrator.
    let mut agent = app.login("agent.koro").await;
    let res = agent
        .post_form("/account/tokens", &[("name", "script")])
        .await;
    let html = res.text().await.unwrap();
    let at = html.find("id=\"new-token\">").unwrap() + 15;
    let token = html[at..].split('<').next().unwrap().to_string();
    assert_eq!(api(token.clone()).await, 200);
    let agent_id: String = sqlx::query_scalar("SELECT id FROM users WHERE login = 'agent.koro'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let admin = app.state.clone();
    parsec::accounts::set_password(
        &admin,
        &parsec::audit::Actor::system("admin"),
        &agent_id,
        &parsec::accounts::NewPassword::parse("encore-un-autre-mot").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(api(token).await, 401);
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
        let token = c.login_token().await;
        let pairs = vec![
            ("login".to_string(), "admin".to_string()),
            ("password".to_string(), "demo".to_string()),
            ("next".to_string(), next.to_string()),
            ("csrf".to_string(), token),
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
async fn metrics_ask_for_their_token_when_one_is_set() {
    let app = TestApp::spawn_with(|c| {
        c.metrics_token = Some(parsec::config::Secret("s3cret-metrics-token".into()));
    })
    .await;
    let http = reqwest::Client::new();
    let url = format!("{}/metrics", app.base);
    let res = http.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = http.get(&url).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = http
        .get(&url)
        .bearer_auth("s3cret-metrics-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("parsec_db_pool_connections")
    );
    assert!(!format!("{:?}", app.state.config).contains("s3cret"));
}

/// Whether a login exists is not told by the throttle: an unknown login and a real one are
/// slowed alike, each for itself.
#[tokio::test]
async fn the_throttle_does_not_tell_which_logins_exist() {
    let app = TestApp::spawn_with(slow_backoff).await;
    let mut c = app.client();
    for login in ["personne.x", "personne.y", "personne.z", "personne.w"] {
        assert_eq!(c.login(login, "guess").await.status(), 401, "{login}");
    }
    // Three unknown logins failed, then a fourth: each is its own pair, none is slowed, and
    // neither is a real account tried next.
    assert_eq!(c.login("inspecteur", "guess").await.status(), 401);
    for _ in 0..2 {
        assert_eq!(c.login("personne.x", "guess").await.status(), 401);
    }
    assert_eq!(c.login("personne.x", "guess").await.status(), 429);
    // Invented logins are counted under one name, and forgotten a day later.
    let counted: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT login FROM login_failures ORDER BY 1")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(counted, ["-", "inspecteur"]);
    sqlx::query("UPDATE login_throttle SET last_failure = '2020-01-01T00:00:00Z'")
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        parsec::accounts::throttle::forget_stale(&app.state.db)
            .await
            .unwrap(),
        5
    );
}
