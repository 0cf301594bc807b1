//! The HTTP server loop: connections accepted under limits that a flood of slow sockets cannot
//! get around, so that the people who must log in still can.
//!
//! - At most `max_connections` at once, and `max_connections_per_address` from one address
//!   (trusted proxies excepted): beyond, a connection is closed at once instead of waiting.
//! - A request's headers must arrive within `header_timeout` (hyper's timer), and a connection
//!   that sends nothing for `idle_timeout` — a half-sent body, an idle keep-alive — is closed.
//!
//! `axum::serve` has none of these settings, hence this loop over hyper's HTTP/1 connection.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::Service;

use crate::app::AppState;
use crate::error::AppResult;

/// The server's connection limits.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_connections: usize,
    pub max_connections_per_address: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            max_connections_per_address: 64,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Open connections per client address.
#[derive(Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

/// One connection counted against its address until dropped.
struct AddressSlot {
    table: Arc<PerAddress>,
    ip: Option<IpAddr>,
}

impl PerAddress {
    fn take(table: &Arc<PerAddress>, ip: IpAddr, max: usize) -> Option<AddressSlot> {
        let mut map = table.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(AddressSlot {
            table: table.clone(),
            ip: Some(ip),
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let Some(ip) = self.ip else { return };
        let mut map = self.table.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&ip);
            }
        }
    }
}

/// A TCP stream that fails its read after `idle` without a byte, and holds the connection's
/// places in the limits until it is dropped.
struct Guarded {
    stream: TcpStream,
    idle: Duration,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    _total: OwnedSemaphorePermit,
    _address: AddressSlot,
}

impl AsyncRead for Guarded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(r) => {
                this.timer = None;
                Poll::Ready(r)
            }
            Poll::Pending => {
                let idle = this.idle;
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "nothing received for too long",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Serves until Ctrl-C (or SIGTERM), then finishes the requests in flight.
pub async fn serve(state: AppState, listener: TcpListener) -> AppResult<()> {
    serve_until(state, listener, shutdown_signal()).await
}

/// Serves until `stop` completes, then lets the connections finish their requests (at most
/// 30 seconds).
pub async fn serve_until(
    state: AppState,
    listener: TcpListener,
    stop: impl Future<Output = ()>,
) -> AppResult<()> {
    let limits = state.config.server.clone();
    let trusted = state.config.trusted_proxies.clone();
    let app = super::router(state);
    let total = Arc::new(Semaphore::new(limits.max_connections));
    let per_address = Arc::new(PerAddress::default());
    let (closing_tx, closing_rx) = watch::channel(false);
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, never spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Ok(permit) = total.clone().try_acquire_owned() else {
            tracing::warn!(%remote, "connection refused: the server is at its limit");
            continue;
        };
        let ip = remote.ip().to_canonical();
        let address = if trusted.contains(&ip) {
            AddressSlot {
                table: per_address.clone(),
                ip: None,
            }
        } else {
            match PerAddress::take(&per_address, ip, limits.max_connections_per_address) {
                Some(slot) => slot,
                None => {
                    tracing::warn!(%remote, "connection refused: too many from this address");
                    continue;
                }
            }
        };
        let io = Guarded {
            stream,
            idle: limits.idle_timeout,
            timer: None,
            _total: permit,
            _address: address,
        };
        tokio::spawn(serve_connection(
            app.clone(),
            io,
            remote,
            limits.header_timeout,
            closing_rx.clone(),
        ));
    }
    tracing::info!("shutting down");
    let _ = closing_tx.send(true);
    drop(listener);
    // Every connection holds a permit: all of them back means all connections ended.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(30), total.acquire_many(all)).await;
    Ok(())
}

async fn serve_connection(
    app: Router,
    io: Guarded,
    remote: SocketAddr,
    header_timeout: Duration,
    mut closing: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(remote));
        let mut app = app.clone();
        async move { app.call(req.map(axum::body::Body::new)).await }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        // Do not read the client while an answer is being made (to notice it left): the idle
        // timeout would otherwise cut a long answer, such as a large list's import.
        .half_close(true);
    let conn = builder.serve_connection(TokioIo::new(io), service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, %remote, "connection ended");
            }
            return;
        }
        _ = closing.wait_for(|c| *c) => conn.as_mut().graceful_shutdown(),
    }
    if let Err(e) = conn.await {
        tracing::debug!(error = %e, %remote, "connection ended at shutdown");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
