//! The node's configuration: one struct, parsed once at start-up from the command line and the
//! environment, and passed in `AppState`. No global configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Five years.
pub const DEFAULT_RETENTION_DAYS: u32 = 5 * 365 + 1;

#[derive(Debug, Clone)]
pub struct Config {
    pub db: PathBuf,
    pub addr: SocketAddr,
    /// Set when parsec is served behind TLS (a reverse proxy): cookies get `Secure`.
    pub tls: bool,
    /// Set when our own reverse proxy is the only way in: the client address for login
    /// throttling is then read from the last `X-Forwarded-For` entry.
    pub behind_proxy: bool,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Failed logins (per account, per client address) allowed within `login_window`.
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// Screening scores from which a candidate is `alerte` and `à vérifier`.
    pub screening_thresholds: namematch::Thresholds,
    /// Person crossings older than this are purged (except those a confirmed hit keeps).
    pub crossing_retention_days: u32,
}

impl Config {
    pub fn new(db: PathBuf, addr: SocketAddr) -> Self {
        Config {
            db,
            addr,
            tls: false,
            behind_proxy: false,
            session_idle: Duration::from_secs(2 * 3600),
            session_absolute: Duration::from_secs(12 * 3600),
            login_max_failures: 5,
            login_window: Duration::from_secs(15 * 60),
            max_body: 1024 * 1024,
            screening_thresholds: namematch::Thresholds::default(),
            crossing_retention_days: DEFAULT_RETENTION_DAYS,
        }
    }
}
