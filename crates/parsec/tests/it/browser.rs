//! The pages in a real Chromium (Debian's chromium and chromium-driver, which ./test.sh
//! installs), driven through the W3C WebDriver protocol: log in as admin, create an asset
//! through the form, find it in the list, switch to English, and keep screenshots under
//! target/screenshots/.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::TestApp;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// The Enter key, for WebDriver.
const ENTER: &str = "\u{E007}";

struct Driver {
    http: reqwest::Client,
    url: String,
    process: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

struct Browser {
    driver: Driver,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let binary =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let process = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary} ({e}): install chromium and chromium-driver (./test.sh does)"));
        let driver = Driver {
            http: reqwest::Client::new(),
            url: format!("http://127.0.0.1:{port}"),
            process,
        };
        for _ in 0..100 {
            if driver
                .http
                .get(format!("{}/status", driver.url))
                .send()
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--window-size=1280,900", format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let res: Value = driver
            .http
            .post(format!("{}/session", driver.url))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {res}"))
            .to_string();
        Browser {
            driver,
            session,
            _profile: profile,
        }
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{}", self.driver.url, self.session, path);
        let mut req = self.driver.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(v["value"].get("error").is_none(), "WebDriver {path}: {v}");
        v["value"].clone()
    }

    async fn go(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn select(&self, css: &str, value: &str) {
        let script = "document.querySelector(arguments[0]).value = arguments[1];";
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": [css, value]})),
        )
        .await;
    }

    /// A field's current value (the page source shows only what the server sent).
    async fn value(&self, css: &str) -> String {
        let script = "return document.querySelector(arguments[0]).value;";
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": [css]})),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Logs in through the form and waits for the home page.
    async fn login(&self, app: &TestApp, login: &str) {
        self.go(&format!("{}/login", app.base)).await;
        self.type_into("#login", login).await;
        self.type_into("#password", "demo").await;
        self.click("#submit").await;
        self.wait_for("Tableau de bord").await;
    }

    /// Opens the crossing form and types a zone as a keyboard wedge does: the characters, then
    /// the Enter key, line by line; waits for the form to have read it.
    async fn scan(&self, app: &TestApp, zone: &str) {
        self.go(&format!("{}/border/crossings/new", app.base)).await;
        self.wait_for("f-mrz").await;
        for line in zone.lines() {
            self.type_into("#f-mrz", &format!("{line}{ENTER}")).await;
        }
        self.wait_for("TD3 · valide").await;
    }

    /// The id of the element that has the focus.
    async fn active_id(&self) -> String {
        let script = "return document.activeElement ? document.activeElement.id : '';";
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    async fn source(&self) -> String {
        self.cmd(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Waits for the page that a click started to load and show `text` (WebDriver returns from
    /// a click before the next page has arrived).
    async fn wait_for(&self, text: &str) -> String {
        let mut html = String::new();
        for _ in 0..100 {
            html = self.source().await;
            if html.contains(text) {
                return html;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {text:?}: {html}");
    }

    async fn current_url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn screenshot(&self, name: &str) {
        let b64 = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let png = decode_base64(b64.as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"));
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }

    /// Runs a script in the page and gives back what it returns.
    async fn eval(&self, script: &str, args: Value) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// The window's size, as a laptop's or a phone's.
    async fn resize(&self, width: u32, height: u32) {
        self.cmd(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    async fn quit(self) {
        let _ = self
            .driver
            .http
            .delete(format!("{}/session/{}", self.driver.url, self.session))
            .send()
            .await;
    }
}

fn decode_base64(s: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(value) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_creates_an_asset_in_chromium_and_switches_to_english() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    b.go(&format!("{}/assets", app.base)).await;
    assert!(b.current_url().await.contains("/login?next=%2Fassets"));
    b.type_into("#login", "admin").await;
    b.type_into("#password", "demo").await;
    b.click("#submit").await;
    b.wait_for("id=\"new\"").await;
    assert!(
        b.current_url().await.ends_with("/assets"),
        "back to the page asked for"
    );

    b.click("#new").await;
    b.wait_for("f-registration").await;
    b.type_into("#f-registration", "GN-7777-MD").await;
    b.select("#f-kind", "motorbike").await;
    b.select("#f-force", "GN").await;
    let unit = app.unit_id("Poste frontière de Ouenkoro").await;
    b.select("#f-unit", &unit).await;
    b.type_into("#f-make", "Yamaha").await;
    b.type_into("#f-model", "AG 200").await;
    b.type_into("#f-year", "2025").await;
    b.click("#save").await;
    let html = b.wait_for("Enregistré.").await;
    assert!(html.contains("GN-7777-MD — Yamaha AG 200"), "{html}");

    b.go(&format!("{}/assets?q=7777", app.base)).await;
    let html = b.wait_for("value=\"7777\"").await;
    assert!(
        html.contains("GN-7777-MD") && html.contains("Poste frontière de Ouenkoro"),
        "{html}"
    );

    b.go(&format!("{}/", app.base)).await;
    b.wait_for("Tableau de bord").await;
    b.screenshot("home-fr.png").await;
    b.click("#lang-switch").await;
    let html = b.wait_for("Dashboard").await;
    assert!(html.contains("Assets by status"), "{html}");
    b.screenshot("home-en.png").await;
    b.go(&format!("{}/assets?q=7777", app.base)).await;
    b.wait_for("Motorbike").await;
    b.quit().await;
}

/// The post agent's gesture: the scanner types the passport's two lines, each followed by
/// Enter; the form fills itself; the agent picks the direction and saves with Enter.
#[tokio::test(flavor = "multi_thread")]
async fn an_agent_scans_a_passport_and_saves_with_enter() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    b.login(&app, "agent.koro").await;
    let zone = crate::border::td3(
        "SAWADOGO",
        "OUSMANE",
        "BF0099887",
        "BFA",
        "750101",
        "M",
        "301231",
    );
    b.scan(&app, &zone).await;
    assert_eq!(b.value("#f-surname").await, "SAWADOGO");
    assert_eq!(b.value("#f-birth_date").await, "1975-01-01");
    assert_eq!(b.value("#f-mrz").await.lines().count(), 2);
    b.select("#f-direction", "sortie").await;
    b.type_into("#f-direction", ENTER).await;
    let html = b.wait_for("id=\"answer\"").await;
    // The demo list's DEMO-004 (born 1975, year only): to be checked, with its instruction.
    assert!(
        html.contains("À VÉRIFIER") || html.contains("ALERTE"),
        "{html}"
    );
    assert!(html.contains("Laisser passer et signaler"), "{html}");
    b.screenshot("crossing-fr.png").await;
    let (id, direction, surname): (String, String, String) =
        sqlx::query_as("SELECT id, direction, surname FROM crossings")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    let surname = app.state.keys.open("crossings", "surname", &id, &surname);
    assert_eq!(
        (direction.as_str(), surname.as_str()),
        ("sortie", "SAWADOGO")
    );
    // The flows of the last days, as the agent's post sees them.
    parsec::border::demo::seed_crossings(&app.state, 10)
        .await
        .unwrap();
    b.go(&format!("{}/border/flows", app.base)).await;
    let html = b.wait_for("<polyline").await;
    assert!(html.contains("Poste frontière de Koro"), "{html}");
    b.screenshot("flows-fr.png").await;
    b.quit().await;
}

/// The operations centre in Chromium: an incident reported through the form, the nearest
/// asset sent, its response followed to the end, the incident closed; then the map.
#[tokio::test(flavor = "multi_thread")]
async fn operations_dispatch_an_incident_and_see_the_map() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    b.go(&format!("{}/login", app.base)).await;
    b.type_into("#login", "operations").await;
    b.type_into("#password", "demo").await;
    b.click("#submit").await;
    b.wait_for("Tableau de bord").await;
    b.go(&format!("{}/incidents/new", app.base)).await;
    b.wait_for("f-occurred_at").await;
    // A click in the middle of the map under the form gives its point: 14.7° N, 3.4° W.
    b.click("figure[data-pick] svg").await;
    let (lat, lon) = (b.value("#f-lat").await, b.value("#f-lon").await);
    let (lat, lon): (f64, f64) = (lat.parse().unwrap(), lon.parse().unwrap());
    assert!(
        (lat - 14.7).abs() < 0.05 && (lon + 3.4).abs() < 0.05,
        "{lat} {lon}"
    );
    assert!(b.source().await.contains("class=\"picked\""));
    // This incident is placed by its locality instead.
    b.select("#f-lat", "").await;
    b.select("#f-lon", "").await;
    let unit = app.unit_id("Brigade de Koro").await;
    b.select("#f-unit", &unit).await;
    b.select("#f-occurred_at", "2026-11-28T16:45").await;
    b.type_into("#f-place", "Bankass").await;
    b.select("#f-event", "civil_protection:road_accident").await;
    b.type_into("#f-injured", "3").await;
    b.click("#save").await;
    let html = b.wait_for("id=\"candidates\"").await;
    assert!(
        html.contains("Accident de la route") && html.contains("id=\"dispatch-1\""),
        "{html}"
    );
    b.screenshot("incident-fr.png").await;
    b.click("#dispatch-1").await;
    // The page after the dispatch: the response's first step to click.
    let html = b.wait_for("id=\"engaged-").await;
    let response: String = sqlx::query_scalar("SELECT id FROM responses")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(html.contains(&format!("engaged-{response}")), "{html}");
    for step in ["engaged", "on_site", "done"] {
        b.click(&format!("#{step}-{response}")).await;
        b.wait_for("id=\"timeline\"").await;
        for _ in 0..50 {
            let html = b.source().await;
            if !html.contains(&format!("id=\"{step}-{response}\"")) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    b.select("#status-form select[name=status]", "clos").await;
    b.click("#status-form button").await;
    b.wait_for("id=\"status\">Clos").await;
    let (done, status): (Option<String>, String) = sqlx::query_as(
        "SELECT r.done_at, i.status FROM responses r JOIN incidents i ON i.id = r.incident_id",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert!(done.is_some());
    assert_eq!(status, "clos");
    parsec::incidents::demo::seed_incidents(&app.state, 120, 30)
        .await
        .unwrap();
    b.go(&format!("{}/map", app.base)).await;
    let html = b.wait_for("class=\"incident").await;
    assert!(
        html.contains("class=\"cercle\"") && html.contains("class=\"river\""),
        "{html}"
    );
    b.screenshot("map-fr.png").await;
    b.quit().await;
}

/// An alerted crossing cannot be left with the agent's habitual Enter: the focus is on the
/// acknowledgement, the instruction is shown in full with whom to warn, and the next crossing
/// is refused (even typed in the address bar) until the instruction is acknowledged.
#[tokio::test(flavor = "multi_thread")]
async fn an_alert_cannot_be_skipped_with_enter() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    b.login(&app, "agent.koro").await;
    // The demo list's fictitious DEMO-002: an alert whose instruction is to hold him.
    b.scan(&app, &crate::border::demo_002_zone()).await;
    b.type_into("#f-direction", ENTER).await;
    let html = b.wait_for("id=\"answer\"").await;
    assert!(html.contains("ALERTE"), "{html}");
    // The instruction in full, and whom to warn: the units above the post, then the centre.
    assert!(html.contains("Retenez la personne"), "{html}");
    assert!(html.contains("Brigade de Koro (BT-KORO)"), "{html}");
    assert!(html.contains("(LEGION-MOPTI)"), "{html}");
    assert!(html.contains("centre régional des opérations"), "{html}");
    assert!(
        !html.contains("id=\"next\""),
        "no next crossing yet: {html}"
    );
    assert_eq!(b.active_id().await, "acknowledge");
    b.screenshot("crossing-alert-fr.png").await;
    // The next crossing asked for anyway: back to the alert, which says why.
    b.go(&format!("{}/border/crossings/new", app.base)).await;
    let html = b.wait_for("id=\"pending\"").await;
    assert!(!html.contains("f-mrz"), "{html}");
    assert_eq!(b.active_id().await, "acknowledge");
    // Enter acknowledges; then the next crossing is offered, with the focus.
    b.type_into("#acknowledge", ENTER).await;
    b.wait_for("id=\"next\"").await;
    let read: Option<String> = sqlx::query_scalar("SELECT instruction_read_at FROM crossings")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(read.is_some());
    assert_eq!(b.active_id().await, "next");
    b.type_into("#next", ENTER).await;
    b.wait_for("f-mrz").await;
    b.quit().await;
}

/// Issue 11: a crossing saved at a post while its link is down is at the regional node once
/// the link returns. Two real nodes (the post enrolled with the regional node through our
/// proxy), one Chromium.
#[tokio::test(flavor = "multi_thread")]
async fn a_crossing_saved_offline_at_a_post_appears_at_the_regional_node() {
    use crate::proxy::{Fault, Proxy};
    let regional = TestApp::spawn().await;
    let actor = parsec::audit::Actor::system("test");
    parsec::sync::init(
        &regional.state,
        &actor,
        parsec::sync::Role::Regional,
        "Centre régional",
        "Légion de gendarmerie de Mopti — état-major",
    )
    .await
    .unwrap();
    let (_, code) = parsec::sync::register_post(
        &regional.state,
        &actor,
        "Poste de Koro",
        "Poste frontière de Koro",
    )
    .await
    .unwrap();
    let port: u16 = regional.base.rsplit(':').next().unwrap().parse().unwrap();
    let link = Proxy::start(port).await;
    let post = TestApp::spawn_empty().await;
    parsec::sync::enrol_with(&post.state, &link.url(), &code, false)
        .await
        .unwrap();
    parsec::sync::transport::sync_once(&post.state)
        .await
        .unwrap();
    // The link goes down; the agent of the post registers a traveller all the same.
    link.set(Fault::Down);
    assert!(
        parsec::sync::transport::sync_once(&post.state)
            .await
            .is_err()
    );
    let b = Browser::start().await;
    b.login(&post, "agent.koro").await;
    let zone = crate::border::td3(
        "KONATE",
        "ABDOULAYE",
        "ML1234567",
        "MLI",
        "800101",
        "M",
        "301231",
    );
    b.scan(&post, &zone).await;
    b.select("#f-direction", "entree").await;
    b.type_into("#f-direction", ENTER).await;
    b.wait_for("id=\"answer\"").await;
    b.screenshot("sync-post-offline-fr.png").await;
    // The regional node does not know it yet.
    let konate: String =
        sqlx::query_scalar("SELECT id FROM crossings ORDER BY crossed_at DESC, rowid DESC LIMIT 1")
            .fetch_one(&post.state.db)
            .await
            .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crossings WHERE id = ?")
        .bind(&konate)
        .fetch_one(&regional.state.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // The link returns: the next exchange brings it up.
    link.set(Fault::None);
    parsec::sync::transport::sync_once(&post.state)
        .await
        .unwrap();
    b.login(&regional, "commandant.koro").await;
    b.go(&format!("{}/border/crossings?q=KONATE", regional.base))
        .await;
    let html = b.wait_for("KONATE").await;
    assert!(html.contains("ABDOULAYE"), "{html}");
    b.screenshot("sync-regional-received-fr.png").await;
    b.quit().await;
}

/// Each role's main path, on a laptop and (the agent) on a phone, with a screenshot of each
/// page under target/screenshots/role-*.png.
#[tokio::test(flavor = "multi_thread")]
async fn each_role_walks_its_day() {
    let app = TestApp::spawn().await;
    crate::support::load_watchlist(&app, crate::support::KOUFFA_LIST).await;
    // A traveller on the list crossed at Koro today: the commandant's alert to review.
    let mut agent_http = app.login("agent.koro").await;
    let res = agent_http
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", "walk-1"),
                ("direction", "entree"),
                ("mode", "pied"),
                ("surname", "Kouffa"),
                ("given_names", "Amadou"),
                ("birth_date", "01/01/1961"),
                ("nationality", "ML"),
                ("document_number", "AB1234567"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    // The agent has read the instruction (else every next form waits for it).
    let crossing = crate::support::location(&res);
    let crossing = crossing.split('?').next().unwrap();
    let res = agent_http
        .post_form(&format!("{crossing}/instruction-read"), &[])
        .await;
    assert_eq!(res.status(), 303);

    // The agent: the day's crossings and the search by document.
    let b = Browser::start().await;
    b.login(&app, "agent.koro").await;
    let html = b.source().await;
    assert!(html.contains("id=\"today-crossings\"") && html.contains("AB1234567"));
    b.screenshot("role-agent-home.png").await;
    b.type_into(
        "#document-search input[name=document]",
        &format!("AB1234567{ENTER}"),
    )
    .await;
    b.wait_for("Passages du document").await;
    b.screenshot("role-agent-find.png").await;
    // On a phone the menu folds: the form starts in the first screen.
    b.resize(390, 844).await;
    b.go(&format!("{}/border/crossings/new", app.base)).await;
    b.wait_for("f-mrz").await;
    let menu_shown = b
        .eval(
            "return getComputedStyle(document.querySelector('.menu-fold')).display;",
            json!([]),
        )
        .await;
    assert_eq!(menu_shown, "none");
    let top = b
        .eval(
            "return document.querySelector('#f-mrz').getBoundingClientRect().top;",
            json!([]),
        )
        .await;
    assert!(top.as_f64().unwrap() < 500.0, "the form starts high: {top}");
    b.screenshot("role-agent-phone.png").await;
    b.click("#menu-button").await;
    let menu_shown = b
        .eval(
            "return getComputedStyle(document.querySelector('.menu-fold')).display;",
            json!([]),
        )
        .await;
    assert_eq!(menu_shown, "flex");
    b.screenshot("role-agent-phone-menu.png").await;
    b.quit().await;

    // The commandant: what waits, the hit side by side, the decision confirmed.
    let b = Browser::start().await;
    b.login(&app, "commandant.koro").await;
    let html = b.wait_for("id=\"to-review\"").await;
    assert!(html.contains("Alertes à revoir (1)"));
    b.screenshot("role-commandant-home.png").await;
    b.click("#to-review tbody a").await;
    b.wait_for("id=\"compare\"").await;
    b.screenshot("role-commandant-hit.png").await;
    b.type_into("#f-reason", "Passeport et photo concordent")
        .await;
    b.click("#confirm").await;
    b.wait_for("Alerte confirmée").await;
    b.screenshot("role-commandant-decided.png").await;
    b.quit().await;

    // The operations centre: the watch, then a new incident whose place is chosen by keyboard.
    // An incident with 4,000 characters of notes in one word: the page wraps them.
    let mut ops_http = app.login("operations").await;
    let unit = app.unit_id("Poste frontière de Koro").await;
    let notes = "x".repeat(4000);
    let res = ops_http
        .post_form(
            "/incidents/new",
            &[
                ("submission", "walk-long"),
                ("unit", unit.as_str()),
                ("place", "Bankass"),
                ("event", "civil_protection:fire"),
                ("occurred_at", "2026-11-28T14:30"),
                ("notes", notes.as_str()),
            ],
        )
        .await;
    let long = crate::support::location(&res);
    let b = Browser::start().await;
    b.login(&app, "operations").await;
    b.go(&format!("{}{long}", app.base)).await;
    b.wait_for("incident-map").await;
    let widths = b
        .eval(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            json!([]),
        )
        .await;
    assert!(
        widths[0].as_f64().unwrap() <= widths[1].as_f64().unwrap(),
        "long text wraps: {widths}"
    );
    b.go(&format!("{}/", app.base)).await;
    b.wait_for("id=\"no-response\"").await;
    b.screenshot("role-operations-home.png").await;
    b.go(&format!("{}/incidents/new", app.base)).await;
    b.wait_for("f-place").await;
    b.type_into("#f-place", "Sevar").await;
    b.wait_for("role=\"option\"").await;
    b.type_into("#f-place", "\u{E015}").await;
    b.type_into("#f-place", ENTER).await;
    let shown = b.value("#f-place").await;
    assert!(shown.starts_with("Sévaré"), "{shown}");
    let picked = b.value("input[data-picked]").await;
    assert!(picked.starts_with("ocha:"), "{picked}");
    b.screenshot("role-operations-incident-form.png").await;
    b.quit().await;

    // The inspector: the log in words, the chain checked.
    let b = Browser::start().await;
    b.login(&app, "inspecteur").await;
    b.screenshot("role-inspector-home.png").await;
    b.go(&format!("{}/audit", app.base)).await;
    b.wait_for("lecture").await;
    b.screenshot("role-inspector-audit.png").await;
    b.go(&format!("{}/audit/verify", app.base)).await;
    b.wait_for("Chaîne intacte").await;
    b.screenshot("role-inspector-verify.png").await;
    b.quit().await;

    // The administrator: a new account, every mistake said at once.
    let b = Browser::start().await;
    b.login(&app, "admin").await;
    b.go(&format!("{}/admin/users/new", app.base)).await;
    b.wait_for("required-note").await;
    b.screenshot("role-admin-user-form.png").await;
    b.type_into("#f-login", "x").await;
    b.click("#save").await;
    let html = b.wait_for("msg-field").await;
    assert!(html.matches("class=\"msg-field\"").count() >= 3, "{html}");
    b.screenshot("role-admin-errors.png").await;
    b.quit().await;
}

/// The workshop chief's morning with the demo fleet's year: the board (due tasks, work orders
/// by status, parts to reorder, availability per force), a work order moved on from the board,
/// and the availability page with its chart; screenshots under target/screenshots/workshop-*.
#[tokio::test(flavor = "multi_thread")]
async fn the_workshop_chief_reads_the_board_and_moves_a_work_order() {
    let app = TestApp::spawn().await;
    parsec::fleet::demo::seed(&app.state).await.unwrap();
    let b = Browser::start().await;
    b.login(&app, "atelier").await;
    b.go(&format!("{}/workshop", app.base)).await;
    b.wait_for("due-tasks").await;
    let html = b.source().await;
    assert!(html.contains("En retard") && html.contains("availability-forces"));
    b.screenshot("workshop-board.png").await;
    // The oldest open work order moves on to "waiting for budget" from the board.
    let order = {
        let table = html.split("id=\"open-orders\"").nth(1).unwrap();
        let at = table.find("/workshop/orders/").unwrap() + 17;
        table[at..].split('"').next().unwrap().to_string()
    };
    let form = format!("form[action='/workshop/orders/{order}/status']");
    b.eval(
        &format!("document.querySelector(\"{form} select\").value = 'attente_budget'; document.querySelector(\"{form}\").submit(); return 1;"),
        json!([]),
    )
    .await;
    b.wait_for("Enregistré").await;
    let status: String = sqlx::query_scalar("SELECT status FROM work_orders WHERE id = ?")
        .bind(&order)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(status, "attente_budget");
    b.go(&format!("{}/workshop/orders/{order}", app.base)).await;
    b.wait_for("Historique").await;
    b.screenshot("workshop-order.png").await;
    b.go(&format!("{}/workshop/availability", app.base)).await;
    b.wait_for("availability-chart").await;
    let drawn = b
        .eval(
            "return document.querySelectorAll('#availability-chart svg polyline, #availability-chart svg path').length;",
            json!([]),
        )
        .await;
    assert!(drawn.as_i64().unwrap() >= 1, "a line per force: {drawn}");
    b.screenshot("workshop-availability.png").await;
    b.quit().await;
}

/// The programme's team opens its dashboard: each indicator with its value, baseline, target
/// and trend, then the activities' timeline.
#[tokio::test]
async fn the_programme_team_reads_its_dashboard_and_timeline() {
    let app = TestApp::spawn().await;
    parsec::fleet::demo::seed(&app.state).await.unwrap();
    parsec::incidents::demo::seed_incidents(&app.state, 120, 365)
        .await
        .unwrap();
    parsec::programme::demo::seed(&app.state).await.unwrap();
    let b = Browser::start().await;
    b.login(&app, "programme").await;
    b.go(&format!("{}/programme", app.base)).await;
    b.wait_for("indicator-availability").await;
    let cards = b
        .eval(
            "return document.querySelectorAll('#indicators section.card').length;",
            json!([]),
        )
        .await;
    assert_eq!(cards.as_i64(), Some(7), "a card per indicator");
    b.screenshot("programme-dashboard.png").await;
    b.go(&format!("{}/programme/activities", app.base)).await;
    b.wait_for("chart timeline").await;
    let bars = b
        .eval(
            "return document.querySelectorAll('svg.timeline rect').length;",
            json!([]),
        )
        .await;
    assert!(bars.as_i64().unwrap() >= 8, "a bar per activity: {bars}");
    b.screenshot("programme-timeline.png").await;
    b.quit().await;
}
