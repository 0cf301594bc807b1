//! The test harness: a real parsec on a fresh SQLite file and a real port, driven over HTTP.

use std::path::PathBuf;

use parsec::app::AppState;
use parsec::config::Config;

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub db_path: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// A server with the demo data (units, assets, one account per role, password `demo`).
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tune: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_limited(tune, None).await
    }

    /// A server on an empty database (a new post, before its first exchange).
    pub async fn spawn_empty() -> TestApp {
        Self::spawn_seeded(|_| {}, None, false).await
    }

    /// A server whose database may not grow beyond `max_bytes` (as on a small disk).
    pub async fn spawn_limited(tune: impl FnOnce(&mut Config), max_bytes: Option<u64>) -> TestApp {
        Self::spawn_seeded(tune, max_bytes, true).await
    }

    async fn spawn_seeded(
        tune: impl FnOnce(&mut Config),
        max_bytes: Option<u64>,
        seed: bool,
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("parsec.db");
        let pool = parsec::db::open_limited(&db_path, true, max_bytes)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = Config::new(db_path.clone(), addr);
        tune(&mut config);
        let state = AppState::new(pool, config).await.unwrap();
        if seed {
            parsec::registry::demo::seed(&state).await.unwrap();
        }
        // The server loop of `parsec serve`, with its connection limits and timeouts.
        let serving =
            parsec::web::serve::serve_until(state.clone(), listener, std::future::pending());
        tokio::spawn(async move { serving.await.unwrap() });
        TestApp {
            base: format!("http://{addr}"),
            state,
            db_path,
            _dir: dir,
        }
    }

    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: self.base.clone(),
            cookies: Vec::new(),
            csrf: None,
            forwarded_for: None,
        }
    }

    /// A client logged in as one of the demo accounts.
    pub async fn login(&self, login: &str) -> Client {
        let mut c = self.client();
        let res = c.login(login, "demo").await;
        assert_eq!(res.status(), 303, "login of {login} failed");
        c
    }

    pub async fn unit_id(&self, name: &str) -> String {
        sqlx::query_scalar("SELECT id FROM units WHERE name = ?")
            .bind(name)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }

    pub async fn asset_id(&self, registration: &str) -> String {
        sqlx::query_scalar("SELECT id FROM assets WHERE registration = ?")
            .bind(registration)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }

    pub async fn audit_count(&self, action: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = ?")
            .bind(action)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }
}

/// An HTTP client that keeps its cookies and the CSRF token, like a browser, and never follows
/// redirects (tests look at them).
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub cookies: Vec<(String, String)>,
    pub csrf: Option<String>,
    /// Sent as `X-Forwarded-For` (for a server `--behind-proxy`): the client's address.
    pub forwarded_for: Option<String>,
}

impl Client {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, res: &reqwest::Response) {
        for v in res.headers().get_all("set-cookie") {
            let Ok(v) = v.to_str() else { continue };
            let first = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = first.split_once('=') {
                self.cookies.retain(|(name, _)| name != k);
                if !val.is_empty() && !v.contains("Max-Age=0") {
                    self.cookies.push((k.to_string(), val.to_string()));
                }
            }
        }
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k == "parsec_session")
            .map(|(_, v)| v.clone())
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let res = self
            .http
            .get(format!("{}{}", self.base, path))
            .header("cookie", self.cookie_header())
            .header(
                "x-forwarded-for",
                self.forwarded_for.clone().unwrap_or_default(),
            )
            .send()
            .await
            .unwrap();
        self.keep_cookies(&res);
        res
    }

    pub async fn get_text(&mut self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.unwrap())
    }

    /// Posts a form; the CSRF token of the session is added unless `csrf` is set to false.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut pairs: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if let Some(t) = &self.csrf {
            pairs.push(("csrf".into(), t.clone()));
        }
        self.post_raw_form(path, &pairs).await
    }

    pub async fn post_form_text(&mut self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let res = self.post_form(path, fields).await;
        let status = res.status().as_u16();
        (status, res.text().await.unwrap())
    }

    /// Posts a `multipart/form-data` form with one file, as a browser does; the CSRF token is
    /// its first field, as the upload pages put it, unless `csrf` is false.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: &[u8],
        csrf: bool,
    ) -> reqwest::Response {
        let boundary = "----parsec-test-boundary-7d3f";
        let mut body: Vec<u8> = Vec::new();
        let token = self.csrf.clone().filter(|_| csrf);
        for (k, v) in token
            .iter()
            .map(|t| ("csrf", t.as_str()))
            .chain(fields.iter().copied())
        {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"liste.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let res = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("cookie", self.cookie_header())
            .header(
                "x-forwarded-for",
                self.forwarded_for.clone().unwrap_or_default(),
            )
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        self.keep_cookies(&res);
        res
    }

    pub async fn post_raw_form(
        &mut self,
        path: &str,
        pairs: &[(String, String)],
    ) -> reqwest::Response {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        let res = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("cookie", self.cookie_header())
            .header(
                "x-forwarded-for",
                self.forwarded_for.clone().unwrap_or_default(),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.keep_cookies(&res);
        res
    }

    /// Sends JSON with the session cookie and its CSRF header, as the page's scripts would.
    pub async fn send_json(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: &str,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header("cookie", self.cookie_header())
            .header(
                "x-forwarded-for",
                self.forwarded_for.clone().unwrap_or_default(),
            )
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        let res = req.send().await.unwrap();
        self.keep_cookies(&res);
        res
    }

    /// Logs in through the form, as a browser does: the login page first (its cookie and
    /// token), then the post.
    pub async fn login(&mut self, login: &str, password: &str) -> reqwest::Response {
        let token = self.login_token().await;
        let pairs = vec![
            ("login".to_string(), login.to_string()),
            ("password".to_string(), password.to_string()),
            ("csrf".to_string(), token),
        ];
        let res = self.post_raw_form("/login", &pairs).await;
        if res.status() == 303 {
            self.refresh_csrf().await;
        }
        res
    }

    /// The login form's token (and its cookie, kept), as a form opened before signing in has
    /// it (a signed-in browser is sent on by the login page).
    pub async fn login_token(&mut self) -> String {
        let session = self
            .cookies
            .iter()
            .position(|(k, _)| k == "parsec_session")
            .map(|i| self.cookies.remove(i));
        let (_, page) = self.get_text("/login").await;
        self.cookies.extend(session);
        let marker = "id=\"form-token\" name=\"csrf\" value=\"";
        let start = page.find(marker).expect("the login form carries a token") + marker.len();
        page[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// Reads the session's CSRF token from a page, as a browser's form would carry it.
    pub async fn refresh_csrf(&mut self) {
        let (_, html) = self.get_text("/account").await;
        self.csrf = csrf_in(&html);
    }
}

pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string()).filter(|t| !t.is_empty())
}

/// A time as the forms take it: `JJ/MM/AAAA HH:MM`.
pub fn typed(t: time::OffsetDateTime) -> String {
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// The one-time key of a form page.
pub fn submission_of(html: &str) -> String {
    let at = html.find("name=\"submission\" value=\"").unwrap() + 26;
    html[at..].split('"').next().unwrap().to_string()
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The list of one person to arrest that the border, home and browser tests screen against
/// (Amadou Kouffa, born 1961-01-01, Katiba Macina).
pub const KOUFFA_LIST: &str = "id,full_name,birth_date,nationality,aliases,reason,instruction\n\
    UN1,Amadou Kouffa,1961-01-01,ML,Hamadoun Kouffa,Katiba Macina,arreter\n";

/// Loads a watchlist from CSV as an administrator's import does; how many entries it holds.
pub async fn load_watchlist(app: &TestApp, csv: &str) -> usize {
    let parsed = parsec::screening::import::csv(csv.as_bytes(), &mut |_| {}).unwrap();
    let meta = parsec::screening::ListMeta {
        name: "Liste nationale".into(),
        authority: "DGSE".into(),
        version: "1".into(),
        valid_from: None,
        valid_to: None,
        format: "csv",
    };
    parsec::screening::import_list(
        &app.state,
        &parsec::audit::Actor::system("test"),
        &meta,
        parsed,
        false,
    )
    .await
    .unwrap()
    .loaded
}
