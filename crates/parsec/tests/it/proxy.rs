//! A TCP proxy of ours between the posts and the regional node, for the fault tests and the
//! sync benchmark: it drops, cuts or corrupts a connection, counts the bytes, and can be a
//! slow link (a bandwidth and a round-trip time). Shared by `tests/it/sync.rs` and
//! `benches/sync_catchup.rs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to the next connection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    None,
    /// Forward this many bytes of the answer, then cut both ways.
    CutAnswer(usize),
    /// Flip one byte of the request's body.
    CorruptRequest,
    /// Refuse the connection (the link is down).
    Down,
}

/// A TCP proxy between the posts and the regional node; a fault applies to one connection.
pub struct Proxy {
    pub port: u16,
    fault: Arc<Mutex<Fault>>,
    /// Bytes carried, both ways (the benchmark reads them).
    #[allow(dead_code)]
    pub bytes: Arc<AtomicU64>,
}

/// A slow link: bytes per second each way, and the delay added to each direction (half the
/// round trip).
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub bytes_per_second: u64,
    pub one_way: Duration,
}

impl Proxy {
    pub async fn start(target: u16) -> Proxy {
        Self::start_with(target, None).await
    }

    pub async fn start_with(target: u16, link: Option<Link>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let fault = Arc::new(Mutex::new(Fault::None));
        let shared = fault.clone();
        let bytes = Arc::new(AtomicU64::new(0));
        let counted = bytes.clone();
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let f = {
                    let mut f = shared.lock().unwrap();
                    let now = *f;
                    if now != Fault::Down {
                        *f = Fault::None;
                    }
                    now
                };
                tokio::spawn(relay(client, target, f, link, counted.clone()));
            }
        });
        Proxy { port, fault, bytes }
    }

    pub fn set(&self, f: Fault) {
        *self.fault.lock().unwrap() = f;
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

async fn relay(
    client: TcpStream,
    target: u16,
    fault: Fault,
    link: Option<Link>,
    bytes: Arc<AtomicU64>,
) {
    if fault == Fault::Down {
        return; // dropped: the connection closes at once
    }
    let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await else {
        return;
    };
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let corrupt = fault == Fault::CorruptRequest;
    let cut = match fault {
        Fault::CutAnswer(n) => Some(n),
        _ => None,
    };
    let up = direction(cr, sw, corrupt, None, link, bytes.clone());
    let down = direction(sr, cw, false, cut, link, bytes);
    tokio::select! {
        _ = async { tokio::join!(up, down) } => {}
        _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
    }
}

/// One direction of a connection: read, alter if told, and write on at the link's pace (each
/// chunk leaves one way's delay after it came, and the bandwidth spaces them).
async fn direction(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    corrupt: bool,
    cut: Option<usize>,
    link: Option<Link>,
    bytes: Arc<AtomicU64>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        let mut seen = Vec::new();
        let mut corrupted = !corrupt;
        let mut sent = 0usize;
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut chunk = buf[..n].to_vec();
            if !corrupted {
                let start = seen.len();
                seen.extend_from_slice(&chunk);
                if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                    // A byte well inside the body, once it has come.
                    let at = end + 4 + 40;
                    if at >= start && at < start + n {
                        chunk[at - start] ^= 0x20;
                        corrupted = true;
                    }
                }
            }
            if let Some(limit) = cut {
                chunk.truncate(limit.saturating_sub(sent));
            }
            sent += chunk.len();
            let done = cut.is_some_and(|limit| sent >= limit);
            if tx.send((Instant::now(), chunk)).is_err() || done {
                break; // a cut: the rest never arrives
            }
        }
    };
    let writer = async move {
        let mut free = Instant::now();
        while let Some((came, chunk)) = rx.recv().await {
            bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            if let Some(link) = link {
                let wire =
                    Duration::from_secs_f64(chunk.len() as f64 / link.bytes_per_second as f64);
                let leave = (came + link.one_way).max(free) + wire;
                tokio::time::sleep_until(leave.into()).await;
                free = leave;
            }
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}
