//! The node's configuration: one struct, parsed once at start-up from the command line and the
//! environment, and passed in `AppState`. No global configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Five years.
pub const DEFAULT_RETENTION_DAYS: u32 = 5 * 365 + 1;

/// A secret setting: its `Debug` never shows it (configurations are logged).
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub db: PathBuf,
    /// The node's signing key file (`<db>.key` unless set), mode 0600.
    pub node_key: PathBuf,
    /// The master key that wraps the keys sealing personal data (`keyring`): from
    /// `PARSEC_DATA_KEY`, else the file `PARSEC_DATA_KEY_FILE`, else `<db>.datakey`.
    pub data_key: crate::keyring::MasterSource,
    pub addr: SocketAddr,
    /// Set when parsec is served behind TLS (a reverse proxy): cookies get `Secure`.
    pub tls: bool,
    /// The reverse proxies whose `X-Forwarded-For` is believed: the client address for login
    /// throttling is then its last entry, but only on a connection that comes from one of them
    /// (a client reaching the port directly cannot pick its address). Empty: the TCP peer.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// How password guessing is slowed (per account and address pair, see `accounts::throttle`).
    pub login_limits: crate::accounts::throttle::Limits,
    /// Connections at once, in all and per address, and how long a client may take to send.
    pub server: crate::web::serve::Limits,
    /// When set, `/metrics` answers only to `Authorization: Bearer` with this token.
    pub metrics_token: Option<Secret>,
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
            node_key: crate::node_key::default_path(&db),
            data_key: crate::keyring::MasterSource::from_env(&db),
            db,
            addr,
            tls: false,
            trusted_proxies: Vec::new(),
            session_idle: Duration::from_secs(2 * 3600),
            session_absolute: Duration::from_secs(12 * 3600),
            login_limits: crate::accounts::throttle::Limits::default(),
            server: crate::web::serve::Limits::default(),
            metrics_token: None,
            max_body: 1024 * 1024,
            screening_thresholds: namematch::Thresholds::default(),
            crossing_retention_days: DEFAULT_RETENTION_DAYS,
        }
    }
}
