//! Faults a post lives with: a full disk, a power cut. The server must come back by itself and
//! lose nothing it acknowledged.

use crate::support::TestApp;

/// Fills the database up to its size limit with a ballast table the test owns.
async fn fill_up(app: &TestApp) {
    sqlx::query("CREATE TABLE ballast (b BLOB NOT NULL)")
        .execute(&app.state.db)
        .await
        .unwrap();
    for size in [1_000_000, 100_000, 10_000, 1_000, 100] {
        while sqlx::query("INSERT INTO ballast (b) VALUES (zeroblob(?))")
            .bind(size)
            .execute(&app.state.db)
            .await
            .is_ok()
        {}
    }
}

async fn health(app: &TestApp) -> (u16, String) {
    let res = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn after_a_full_disk_the_server_recovers_by_itself() {
    let app = TestApp::spawn_limited(|_| {}, Some(12 * 1024 * 1024)).await;
    let mut admin = app.login("admin").await;
    assert_eq!(health(&app).await.0, 200);
    fill_up(&app).await;
    // The last free bytes in existing pages go first; then every login, which needs a new
    // page for its audit entry, fails cleanly: more attempts than the pool has connections, so
    // that each connection meets the full disk, some of them inside a transaction.
    let mut first = None;
    for i in 0..200 {
        if app.client().login("inspecteur", "demo").await.status() == 500 {
            first = Some(i);
            break;
        }
    }
    assert!(first.is_some(), "the database never filled up");
    for _ in 0..20 {
        let res = app.client().login("inspecteur", "demo").await;
        assert_eq!(res.status(), 500);
        let body = res.text().await.unwrap();
        assert!(!body.contains("transaction depth"), "{body}");
    }
    // Reads still work; the health check says what is wrong.
    assert_eq!(admin.get("/units").await.status(), 200);
    let (status, body) = health(&app).await;
    assert_eq!(status, 503);
    assert!(body.contains("database cannot write"), "{body}");
    // Space comes back: no restart, every write and login works again, on every connection.
    sqlx::query("DROP TABLE ballast")
        .execute(&app.state.db)
        .await
        .unwrap();
    for _ in 0..20 {
        let res = app.client().login("inspecteur", "demo").await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let res = admin.post_form("/lang", &[("lang", "en")]).await;
        assert_eq!(res.status(), 303);
    }
    assert_eq!(health(&app).await.0, 200);
    // The audit chain is whole: nothing half-written by the failed writes.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_parsec"))
        .args(["audit", "verify", "--db"])
        .arg(&app.db_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Opens `n` connections from `from` that send half a request's headers and then nothing.
async fn slow_sockets(app: &TestApp, from: &str, n: usize) -> Vec<tokio::net::TcpStream> {
    use tokio::io::AsyncWriteExt;
    let target: std::net::SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let mut out = Vec::new();
    for _ in 0..n {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
        let mut s = socket.connect(target).await.unwrap();
        // Refused connections are closed by the server: the write may fail, which is fine.
        let _ = s
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: parsec\r\nX-Slow: ")
            .await;
        out.push(s);
    }
    out
}

/// Whether the server closed the connection (reads end) within `within`.
async fn closed(s: &mut tokio::net::TcpStream, within: std::time::Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(within, s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // A 408 or 400 answer before the close.
            Ok(Ok(_)) => continue,
        }
    }
}

async fn health_from(app: &TestApp, from: &str) -> u16 {
    reqwest::Client::builder()
        .local_address(from.parse::<std::net::IpAddr>().unwrap())
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap()
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_flood_of_slow_sockets_does_not_silence_the_server() {
    let app = TestApp::spawn_with(|c| {
        c.server.max_connections = 400;
        c.server.max_connections_per_address = 50;
        c.server.header_timeout = std::time::Duration::from_secs(2);
    })
    .await;
    // Slow sockets from one address (the attack used 1,100; 300 stay under a test machine's
    // 1,024 open files): fifty are held, the rest closed at once.
    let mut flood = slow_sockets(&app, "127.0.0.1", 300).await;
    let short = std::time::Duration::from_millis(500);
    assert!(
        closed(flood.last_mut().unwrap(), short).await,
        "beyond the cap: closed"
    );
    // The health check from another address answers meanwhile.
    assert_eq!(health_from(&app, "127.0.0.2").await, 200);
    // The held ones are dropped when their headers are late.
    let long = std::time::Duration::from_secs(30);
    assert!(closed(&mut flood[0], long).await, "late headers: closed");
    // And the address may connect again.
    drop(flood);
    assert_eq!(health_from(&app, "127.0.0.1").await, 200);
}

#[tokio::test]
async fn the_connections_in_all_are_capped_and_a_stalled_body_is_dropped() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn_with(|c| {
        c.server.max_connections = 30;
        c.server.idle_timeout = std::time::Duration::from_secs(2);
    })
    .await;
    let mut many = Vec::new();
    for n in 0..40 {
        many.extend(slow_sockets(&app, &format!("127.0.1.{n}"), 1).await);
    }
    let short = std::time::Duration::from_millis(500);
    assert!(
        closed(many.last_mut().unwrap(), short).await,
        "beyond the cap: closed"
    );
    drop(many);
    // A body announced and never finished: the connection is dropped, not kept forever.
    let target: std::net::SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let mut stalled = tokio::net::TcpStream::connect(target).await.unwrap();
    stalled
        .write_all(b"POST /login HTTP/1.1\r\nHost: parsec\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nlogin=adm")
        .await
        .unwrap();
    let long = std::time::Duration::from_secs(30);
    assert!(closed(&mut stalled, long).await, "stalled body: closed");
    assert_eq!(health_from(&app, "127.0.0.1").await, 200);
}

/// A request whose answer takes longer than the idle timeout (a large list imported from the
/// browser) is not cut: the server does not wait on the client while it works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_answer_is_not_cut_by_the_idle_timeout() {
    let app = TestApp::spawn_with(|c| {
        c.server.idle_timeout = std::time::Duration::from_millis(500);
    })
    .await;
    let mut admin = app.login("admin").await;
    let mut csv = String::from("id,full_name,birth_date,nationality,aliases\n");
    for i in 0..20_000 {
        csv.push_str(&format!("L{i},Personne {i} Coulibaly,1970-01-01,ML,\n"));
    }
    let started = std::time::Instant::now();
    let res = admin
        .post_multipart(
            "/screening/lists/import",
            &[
                ("format", "csv"),
                ("name", "Liste longue"),
                ("authority", "Test"),
                ("version", "1"),
            ],
            csv.as_bytes(),
            true,
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // Not a timing assertion: it only says the case was the one meant.
    assert!(started.elapsed() > std::time::Duration::from_millis(500));
}
