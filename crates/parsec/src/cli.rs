//! The command line: every subcommand calls the same service functions as the web pages.
//! Errors are one line on standard error and a non-zero exit status.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::accounts::{self, Login, NewPassword, NewUser, Role};
use crate::app::AppState;
use crate::audit::{self, Actor, Verdict};
use crate::config::Config;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::i18n::{Catalog, Lang};

#[derive(Debug, Parser)]
#[command(
    name = "parsec",
    version,
    about = "parsec — système d'information des forces de sécurité intérieure de la région de Mopti"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct DbArg {
    /// The SQLite database file.
    #[arg(long, env = "PARSEC_DB")]
    db: PathBuf,
    /// The node's signing key file (default: the database's name followed by `.key`). Kept
    /// out of the database so that a copy of it cannot sign as the node; mode 0600.
    #[arg(long, env = "PARSEC_KEY_FILE")]
    key_file: Option<PathBuf>,
}

/// The screening decisions' thresholds (scores in [0, 1]).
#[derive(Debug, Args)]
struct ThresholdArgs {
    /// Score from which a candidate is an `alerte`.
    #[arg(long, env = "PARSEC_ALERT_THRESHOLD", default_value_t = namematch::Thresholds::default().alert)]
    alert_threshold: f32,
    /// Score from which a candidate is `à vérifier`.
    #[arg(long, env = "PARSEC_REVIEW_THRESHOLD", default_value_t = namematch::Thresholds::default().review)]
    review_threshold: f32,
}

impl ThresholdArgs {
    fn thresholds(&self) -> AppResult<namematch::Thresholds> {
        let (alert, review) = (self.alert_threshold, self.review_threshold);
        if !(0.0..=1.0).contains(&alert) || !(0.0..=1.0).contains(&review) || review > alert {
            return Err(AppError::Internal(format!(
                "seuils de criblage invalides (alerte {alert}, à vérifier {review}) : \
                 0 ≤ à vérifier ≤ alerte ≤ 1"
            )));
        }
        Ok(namematch::Thresholds { alert, review })
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve parsec on an initialised database.
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on.
        #[arg(long, env = "PARSEC_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Set when a TLS reverse proxy serves parsec: cookies are then marked Secure.
        #[arg(long, env = "PARSEC_TLS")]
        tls: bool,
        /// Set when a reverse proxy on this machine (127.0.0.1 or ::1) serves parsec: login
        /// throttling then counts per client address from its X-Forwarded-For.
        #[arg(long, env = "PARSEC_BEHIND_PROXY")]
        behind_proxy: bool,
        /// The address of a reverse proxy on another machine whose X-Forwarded-For is
        /// believed (repeat for several). Connections from any other address are counted by
        /// their own address, whatever header they send.
        #[arg(long, env = "PARSEC_TRUSTED_PROXY", value_delimiter = ',')]
        trusted_proxy: Vec<std::net::IpAddr>,
        /// The largest the database may grow, in megabytes: beyond it writes are refused as on
        /// a full disk, while the laptop's own disk keeps room for the system.
        #[arg(long, env = "PARSEC_DB_MAX_MB", value_parser = clap::value_parser!(u64).range(1..))]
        db_max_mb: Option<u64>,
        /// A token that /metrics then requires (Authorization: Bearer); public without it.
        #[arg(long, env = "PARSEC_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        #[command(flatten)]
        thresholds: ThresholdArgs,
        /// The season for travel times: dry, rainy (tracks at half speed, the roads named in
        /// PARSEC_RAINY_CUT_ROADS cut) or high-water (boats land farther from the channels).
        #[arg(long, env = "PARSEC_SEASON", default_value = "dry")]
        season: String,
        /// Roads cut in the rainy season, by name, separated by `;`.
        #[arg(long, env = "PARSEC_RAINY_CUT_ROADS", default_value = "")]
        rainy_cut_roads: String,
        /// On a post: exchange with the regional node every N minutes (0: only by hand).
        #[arg(long, env = "PARSEC_SYNC_EVERY", default_value_t = 5)]
        sync_every: u64,
        /// Days after which person crossings are purged (also run daily by the server).
        #[arg(long, env = "PARSEC_RETENTION_DAYS", default_value_t = crate::config::DEFAULT_RETENTION_DAYS, value_parser = clap::value_parser!(u32).range(30..=36_500))]
        retention_days: u32,
    },
    /// Serve parsec with a demo database (created and seeded on first run, reused afterwards).
    Demo {
        #[arg(long, default_value = "parsec-demo.db")]
        db: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// 3: the region on this machine — the regional node on ADDR and two border posts on
        /// the next ports, each with its own database, exchanging every minute.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=3))]
        nodes: u8,
    },
    /// Create a new database with its first administrator.
    /// The password comes from PARSEC_ADMIN_PASSWORD or is asked on the terminal.
    Init {
        #[command(flatten)]
        db: DbArg,
        /// Login of the first administrator.
        #[arg(long)]
        admin: String,
        /// Display name of the first administrator.
        #[arg(long, default_value = "Administrateur")]
        name: String,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a consistent copy of the database, also while the server runs.
    Backup {
        #[command(flatten)]
        db: DbArg,
        /// The copy to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Read travel documents' machine-readable zones from standard input, documents separated
    /// by blank lines; one JSON line per document with --json, else a readable summary. The
    /// exit status is 0 even for invalid documents (the verdict is in the output).
    Mrz {
        /// One JSON object per document per line (a stable contract for scripts).
        #[arg(long)]
        json: bool,
        /// Language of the readable summary: fr or en.
        #[arg(long, default_value = "fr")]
        lang: String,
        /// The date that birth and expiry dates are judged against (YYYY-MM-DD); today if absent.
        #[arg(long)]
        today: Option<String>,
    },
    /// Screen a batch of queries against a watchlist, both CSV files: one JSON line per query
    /// with --json ({"query_id", "candidates": [{"id", "score", "decision"}]}, best first); the
    /// index build time, memory and queries per second on standard error.
    Screen {
        /// The watchlist: id,full_name,birth_date,nationality,aliases (aliases separated by ;).
        #[arg(long)]
        watchlist: PathBuf,
        /// The queries: query_id,full_name,birth_date,nationality (other columns ignored).
        #[arg(long)]
        queries: PathBuf,
        /// Candidates per query.
        #[arg(long, default_value_t = 10)]
        top: usize,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        thresholds: ThresholdArgs,
    },
    /// Cross-border exchange packages: statistics and shared alerts, signed with the node's
    /// Ed25519 key (format in docs/exchange.md).
    Exchange {
        #[command(subcommand)]
        command: ExchangeCommand,
    },
    /// This node in the region: its identity, the posts the regional node registers.
    Node {
        #[command(subcommand)]
        command: NodeCommand,
    },
    /// On a post: exchange with the regional node now (what was recorded here goes up, the
    /// region's changes come down), once or every N minutes.
    Sync {
        #[command(flatten)]
        db: DbArg,
        /// Repeat every N minutes (stop with Ctrl-C).
        #[arg(long)]
        every: Option<u64>,
    },
    /// Incidents: import events from an ACLED-shaped or UCDP GED CSV file.
    Incidents {
        #[command(subcommand)]
        command: IncidentsCommand,
    },
    /// The categories of goods declared at the posts (a short list the administrators keep).
    GoodsCategory {
        #[command(subcommand)]
        command: GoodsCategoryCommand,
    },
    /// Purge the person crossings older than the retention period (the statistics stay).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Watchlists.
    Watchlist {
        #[command(subcommand)]
        command: WatchlistCommand,
    },
    /// The audit chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The keys that seal personal data (docs/encryption.md). Run with the server stopped.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// The master key's fingerprint, and each data key with the values it seals.
    Status {
        #[command(flatten)]
        db: DbArg,
    },
    /// A new data key for this node; every value sealed again under it.
    Rotate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Forget a retired data key that seals nothing any more.
    Destroy {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        kid: u32,
    },
    /// A new master key (in its file): the data keys wrapped again under it.
    Master {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add an account. The password comes from PARSEC_PASSWORD or is asked on the terminal.
    Add {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        login: String,
        /// admin, operations, commandant, agent, atelier, inspecteur or programme.
        #[arg(long)]
        role: String,
        /// The unit's id (required for agent and commandant).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    /// Set an account's password (from PARSEC_PASSWORD or asked on the terminal).
    Passwd {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        login: String,
    },
    /// Disable an account: its sessions end and its API tokens are revoked.
    Disable {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        login: String,
    },
}

#[derive(Debug, Subcommand)]
enum NodeCommand {
    /// Give this node its identity, once: its role, its name and its unit; prints its id and
    /// public key.
    Init {
        #[command(flatten)]
        db: DbArg,
        /// `regional` (the operations centre) or `post`.
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: String,
        /// The unit it serves (its id or its name).
        #[arg(long)]
        unit: String,
    },
    /// On the regional node: register a post and print its one-time enrolment code.
    Register {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        name: String,
        #[arg(long)]
        unit: String,
    },
    /// On a new post: enrol with the regional node (its address and the one-time code it
    /// gave), then bring the region's data and accounts down. Makes the database if needed.
    Enrol {
        #[command(flatten)]
        db: DbArg,
        /// The regional node's address, e.g. https://cor-mopti.example:8443.
        #[arg(long)]
        regional: String,
        #[arg(long)]
        code: String,
        /// A post whose database was restored from a backup: enrol again under a new id
        /// (with a new code), so that nothing it recorded since is taken for a replay.
        #[arg(long)]
        again: bool,
    },
    /// This node's identity and the nodes it knows.
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
enum ExchangeCommand {
    /// Print this node's public key (made on first use), to give to the partner services.
    Key {
        #[command(flatten)]
        db: DbArg,
    },
    /// Write the package of a post for a period: its flow statistics and the alerts its
    /// commandant chose to share; what left is recorded and audited.
    Export {
        #[command(flatten)]
        db: DbArg,
        /// The post (its id or its name).
        #[arg(long)]
        post: String,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// The file to write (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a package's signature against a partner's public key (no database needed).
    Verify {
        file: PathBuf,
        /// The signer's public key, 64 hexadecimal characters.
        #[arg(long)]
        key: String,
    },
    /// Trust a partner's public key for the post that faces it.
    Trust {
        #[command(flatten)]
        db: DbArg,
        /// The partner service, as the agents will read it.
        #[arg(long)]
        name: String,
        #[arg(long)]
        key: String,
        /// Our post facing the partner (its id or its name).
        #[arg(long)]
        post: String,
    },
    /// Import a trusted partner's package: its alerts go to the agents of the facing post.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
enum IncidentsCommand {
    /// Import the events of a file you supply (no data is shipped): each row of the region
    /// becomes an incident of the unit; events already known are duplicates and skipped;
    /// refused rows are listed, and with any of them nothing is loaded unless --skip-invalid.
    Import {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        file: PathBuf,
        /// acled (ACLED's export columns) or ucdp (UCDP GED).
        #[arg(long)]
        format: String,
        /// The unit the events are recorded for (its name or id).
        #[arg(long)]
        unit: String,
        #[arg(long)]
        skip_invalid: bool,
    },
}

#[derive(Debug, Subcommand)]
enum GoodsCategoryCommand {
    /// The categories, the retired ones marked.
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Add a category, or rename one (and bring it back if it was retired).
    Set {
        #[command(flatten)]
        db: DbArg,
        /// Its code: lower-case letters, digits and _ (kept in the declarations).
        #[arg(long)]
        code: String,
        /// Its French label.
        #[arg(long)]
        fr: String,
        /// Its English label.
        #[arg(long)]
        en: String,
    },
    /// Stop offering a category (kept for the declarations already made).
    Retire {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        code: String,
    },
}

#[derive(Debug, Subcommand)]
enum RetentionCommand {
    /// Delete the crossings (and their vehicles, goods and unconfirmed hits) older than the
    /// period, except those a confirmed hit keeps; audited with the counts.
    Run {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, env = "PARSEC_RETENTION_DAYS", default_value_t = crate::config::DEFAULT_RETENTION_DAYS, value_parser = clap::value_parser!(u32).range(30..=36_500))]
        days: u32,
    },
}

#[derive(Debug, Subcommand)]
enum WatchlistCommand {
    /// Import a new version of a list, whole or not at all. CSV columns: id,full_name,
    /// birth_date,nationality,aliases (aliases separated by ;), then optionally reason,
    /// instruction (arreter, signaler, laisser_passer_signaler) and expires_at. Refused rows
    /// are listed with their line and reason; with any of them nothing is loaded, unless
    /// --skip-invalid. The previous version of the same name is kept, marked replaced.
    Import {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        file: PathBuf,
        /// The list's name (a new version replaces the active one of the same name).
        #[arg(long)]
        name: String,
        /// Who issues the list.
        #[arg(long)]
        authority: String,
        #[arg(long)]
        version: String,
        #[arg(long)]
        valid_from: Option<String>,
        #[arg(long)]
        valid_to: Option<String>,
        /// Load the valid rows even when some are refused.
        #[arg(long)]
        skip_invalid: bool,
        /// csv, ftm (FollowTheMoney / OpenSanctions JSON lines, Person entities) or un-xml (UN
        /// Security Council consolidated list).
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the whole chain; exits non-zero and names the first bad entry if any.
    Verify {
        #[command(flatten)]
        db: DbArg,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let serving = matches!(cli.command, Command::Serve { .. } | Command::Demo { .. });
    init_logs(serving);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("parsec : erreur : {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("parsec : erreur : {}", message(&e));
            ExitCode::FAILURE
        }
    }
}

/// Logs go to standard error, as text for people or, with `PARSEC_LOG_FORMAT=json`, one JSON
/// object per line for a log collector. `RUST_LOG` sets the level.
fn init_logs(serving: bool) {
    let default = if serving { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("PARSEC_LOG_FORMAT").is_ok_and(|v| v == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The one line shown for an error: the catalogue's French message for user errors.
fn message(e: &AppError) -> String {
    match e {
        AppError::Internal(detail) => detail.clone(),
        other => {
            let text = Catalog::load()
                .get(Lang::Fr, other.message_key())
                .to_string();
            match other.field() {
                Some(f) => format!("{f} : {text}"),
                None => text,
            }
        }
    }
}

fn password_from(env: &str, prompt: &str) -> AppResult<String> {
    if let Ok(p) = std::env::var(env) {
        return Ok(p);
    }
    let first = rpassword::prompt_password(prompt).map_err(|e| {
        AppError::Internal(format!(
            "lecture du mot de passe impossible ({e}) : définissez {env}"
        ))
    })?;
    let again = rpassword::prompt_password("Confirmez : ")
        .map_err(|e| AppError::Internal(format!("lecture du mot de passe impossible : {e}")))?;
    if first != again {
        return Err(AppError::Internal(
            "les deux mots de passe diffèrent".into(),
        ));
    }
    Ok(first)
}

async fn state_for(path: &Path, create: bool) -> AppResult<AppState> {
    state_limited(path, create, None).await
}

async fn state_limited(path: &Path, create: bool, max_bytes: Option<u64>) -> AppResult<AppState> {
    let pool = db::open_limited(path, create, max_bytes).await?;
    AppState::new(
        pool,
        Config::new(
            path.to_path_buf(),
            "127.0.0.1:0"
                .parse()
                .map_err(|_| AppError::Internal("addr".into()))?,
        ),
    )
    .await
}

async fn initialised_state(db: &DbArg) -> AppResult<AppState> {
    initialised_limited(db, None).await
}

/// The state of an existing database, with the key file that `--key-file` names.
async fn state_for_arg(db: &DbArg) -> AppResult<AppState> {
    state_of(db, None).await
}

async fn state_of(db: &DbArg, max_bytes: Option<u64>) -> AppResult<AppState> {
    let mut state = state_limited(&db.db, false, max_bytes).await?;
    if let Some(key) = &db.key_file {
        std::sync::Arc::make_mut(&mut state.config).node_key = key.clone();
    }
    Ok(state)
}

async fn initialised_limited(db: &DbArg, max_bytes: Option<u64>) -> AppResult<AppState> {
    let path = db.db.as_path();
    let state = state_of(db, max_bytes).await?;
    if !accounts::is_initialised(&state.db).await? {
        return Err(AppError::Internal(format!(
            "la base {} n'est pas initialisée : lancez `parsec init --db {} --admin IDENTIFIANT`",
            path.display(),
            path.display()
        )));
    }
    Ok(state)
}

async fn run(cli: Cli) -> AppResult<ExitCode> {
    match cli.command {
        Command::Serve {
            db,
            addr,
            tls,
            behind_proxy,
            trusted_proxy,
            db_max_mb,
            metrics_token,
            thresholds,
            retention_days,
            season,
            rainy_cut_roads,
            sync_every,
        } => {
            let screening_thresholds = thresholds.thresholds()?;
            let season = match season.as_str() {
                "dry" | "seche" => routing::Season::Dry,
                "rainy" | "hivernage" => routing::Season::Rainy,
                "high-water" | "crue" => routing::Season::HighWater,
                other => {
                    return Err(AppError::Internal(format!(
                        "saison « {other} » inconnue : dry, rainy ou high-water"
                    )));
                }
            };
            let max_bytes = db_max_mb.map(|mb| mb.saturating_mul(1024 * 1024));
            let mut state = initialised_limited(&db, max_bytes).await?;
            let settings = routing::Settings {
                season,
                rainy_cut_roads: rainy_cut_roads
                    .split(';')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string)
                    .collect(),
                ..routing::Settings::default()
            };
            state.routing = std::sync::Arc::new(crate::app::travel_graph(&settings)?);
            let mut config = Config::new(db.db.clone(), addr);
            config.node_key = state.config.node_key.clone();
            config.metrics_token = metrics_token
                .filter(|t| !t.is_empty())
                .map(crate::config::Secret);
            config.tls = tls;
            config.trusted_proxies = trusted_proxy;
            if behind_proxy {
                config.trusted_proxies.extend([
                    std::net::IpAddr::from([127, 0, 0, 1]),
                    std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
                ]);
            }
            config.screening_thresholds = screening_thresholds;
            config.crossing_retention_days = retention_days;
            state.config = std::sync::Arc::new(config);
            tokio::spawn(crate::border::retention::every_day(state.clone()));
            tokio::spawn(crate::accounts::throttle::every_day(state.db.clone()));
            if sync_every > 0 {
                tokio::spawn(crate::sync::transport::every(state.clone(), sync_every));
            }
            serve(state, addr).await?;
        }
        Command::Demo { db, addr, nodes } => {
            let region = nodes > 1;
            if !db.exists() {
                eprintln!("Création de la base de démonstration {} …", db.display());
                create_database(&db, async |state: &AppState| {
                    crate::registry::demo::seed(state).await?;
                    // In a region, the posts record their own crossings.
                    if !region {
                        crate::border::demo::seed_crossings(state, 28).await?;
                    }
                    crate::incidents::demo::seed_incidents(state, 300, 90).await?;
                    crate::incidents::demo::seed_patrols(state, 12).await?;
                    crate::fleet::demo::seed(state).await?;
                    crate::custody::demo::seed(state).await?;
                    crate::programme::demo::seed(state).await?;
                    if region {
                        crate::sync::demo::init_regional(state).await?;
                    }
                    Ok(())
                })
                .await?;
            }
            let mut state = state_for(&db, false).await?;
            if db::meta(&state.db, "demo").await?.is_none() {
                // Never announce demo passwords for a real database.
                return Err(AppError::Internal(format!(
                    "{} n'est pas une base de démonstration : utilisez `parsec serve`",
                    db.display()
                )));
            }
            state.config = std::sync::Arc::new(Config::new(db.clone(), addr));
            println!(
                "parsec {} — démonstration / demo",
                env!("CARGO_PKG_VERSION")
            );
            println!("  http://{addr}/");
            println!("  Base / database : {}", db.display());
            println!(
                "  Comptes de démonstration (mot de passe « demo ») — DEMO CREDENTIALS, NOT FOR REAL USE:"
            );
            for (login, name, _, _) in crate::registry::demo::ACCOUNTS {
                println!("    {login:<16} {name}");
            }
            if region {
                demo_region(state, &db, addr).await?;
            } else {
                serve(state, addr).await?;
            }
        }
        Command::Init { db, admin, name } => {
            if db.db.exists() {
                return Err(AppError::Internal(format!(
                    "{} existe déjà : init ne crée qu'une base neuve",
                    db.db.display()
                )));
            }
            let login = Login::parse(&admin)?;
            let display_name = accounts::parse_display_name(&name)?;
            let pw = NewPassword::parse(&password_from(
                "PARSEC_ADMIN_PASSWORD",
                "Mot de passe de l'administrateur : ",
            )?)?;
            create_database(&db.db, async |state: &AppState| {
                let new = NewUser {
                    login: login.clone(),
                    display_name: display_name.clone(),
                    role: Role::Admin,
                    unit_id: None,
                };
                accounts::create_user(state, &Actor::system("cli"), new, &pw).await?;
                let mut tx = db::begin_write(&state.db).await?;
                db::set_meta(&mut tx, "initialised_at", &db::now_text()).await?;
                audit::append(
                    &mut tx,
                    &Actor::system("cli"),
                    "init",
                    "node",
                    "-",
                    login.as_str(),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            })
            .await?;
            println!(
                "Base {} initialisée ; administrateur « {} ».",
                db.db.display(),
                login.as_str()
            );
        }
        Command::User { command } => user(command).await?,
        Command::Exchange { command } => exchange(command).await?,
        Command::Node { command } => node(command).await?,
        Command::Sync { db, every } => {
            let state = state_for_arg(&db).await?;
            loop {
                let r = crate::sync::transport::sync_once(&state).await?;
                println!(
                    "Échange fait : {} changements de ce poste tenus par le nœud régional, {} reçus, {} conflits, {} versions de listes vérifiées.",
                    r.sent_upto, r.received, r.conflicts, r.lists
                );
                if let Some(ms) = r.skew_ms {
                    println!(
                        "Attention : l'horloge de ce poste a {} s d'avance.",
                        ms / 1000
                    );
                }
                if let Some(b) = r.audit_broken {
                    println!("Attention : chaîne d'audit : {b}");
                }
                match every {
                    Some(m) if m > 0 => {
                        tokio::time::sleep(std::time::Duration::from_secs(m * 60)).await
                    }
                    _ => break,
                }
            }
        }
        Command::GoodsCategory { command } => goods_category(command).await?,
        Command::Incidents {
            command:
                IncidentsCommand::Import {
                    db,
                    file,
                    format,
                    unit,
                    skip_invalid,
                },
        } => {
            let state = initialised_state(&db).await?;
            let format = crate::incidents::import::Format::parse(&format).ok_or_else(|| {
                AppError::Internal(format!("format « {format} » inconnu : acled ou ucdp"))
            })?;
            let unit_id: String =
                sqlx::query_scalar("SELECT id FROM units WHERE id = ?1 OR name = ?1")
                    .bind(&unit)
                    .fetch_optional(&state.db)
                    .await?
                    .ok_or_else(|| AppError::Internal(format!("unité « {unit} » inconnue")))?;
            let f = std::fs::File::open(&file)
                .map_err(|e| AppError::Internal(format!("{} : {e}", file.display())))?;
            let report = crate::incidents::import::import(
                &state,
                &Actor::system("cli"),
                &unit_id,
                format,
                std::io::BufReader::new(f),
                skip_invalid,
            )
            .await?;
            for (line, reason) in &report.rejected {
                eprintln!("{}, ligne {line} : {reason}", file.display());
            }
            for (line, id) in &report.duplicates {
                eprintln!("{}, ligne {line} : doublon de {id}, ignoré", file.display());
            }
            if !report.rejected.is_empty() && !skip_invalid {
                return Err(AppError::Internal(format!(
                    "{} lignes refusées : rien n'a été chargé (corrigez le fichier, ou --skip-invalid)",
                    report.rejected.len()
                )));
            }
            println!(
                "Incidents importés : {}, doublons ignorés : {}, lignes refusées : {}.",
                report.imported,
                report.duplicates.len(),
                report.rejected.len()
            );
        }
        Command::Retention {
            command: RetentionCommand::Run { db, days },
        } => {
            let state = initialised_state(&db).await?;
            let p = crate::border::retention::run(&state, &Actor::system("cli"), days).await?;
            println!(
                "Purge : {} passages, {} véhicules, {} déclarations, {} alertes supprimés ; {} passages gardés (alerte confirmée).",
                p.crossings, p.vehicles, p.goods, p.hits, p.kept
            );
        }
        Command::Watchlist {
            command:
                WatchlistCommand::Import {
                    db,
                    file,
                    name,
                    authority,
                    version,
                    valid_from,
                    valid_to,
                    skip_invalid,
                    format,
                },
        } => {
            let state = initialised_state(&db).await?;
            let format = crate::screening::import::FORMATS
                .iter()
                .copied()
                .find(|f| *f == format)
                .ok_or_else(|| {
                    AppError::Internal(format!("format « {format} » inconnu : csv, ftm ou un-xml"))
                })?;
            let f = std::fs::File::open(&file)
                .map_err(|e| AppError::Internal(format!("{} : {e}", file.display())))?;
            let mut bar = ProgressBar::new(f.metadata().map_or(0, |m| m.len()));
            let read = bar.counter();
            let input = CountingReader {
                inner: std::io::BufReader::new(f),
                read,
            };
            let meta = crate::screening::ListMeta {
                name,
                authority,
                version,
                valid_from,
                valid_to,
                format,
            };
            // Read as a stream and staged in short transactions: a server on the same
            // database goes on saving crossings meanwhile.
            let report = crate::screening::import_rows(
                &state,
                &Actor::system("cli"),
                &meta,
                skip_invalid,
                move |sink| {
                    let mut rows = 0usize;
                    let read = crate::screening::import::read_rows(format, input, &mut |row| {
                        rows += 1;
                        bar.show(rows);
                        sink(row);
                    });
                    bar.finish();
                    read.map(|_| ())
                },
            )
            .await?;
            if let Some(message) = &report.unreadable {
                return Err(AppError::Internal(format!(
                    "{} : {message}",
                    file.display()
                )));
            }
            for r in report.rejected.iter().take(100) {
                eprintln!("{}, ligne {} : {}", file.display(), r.line, r.reason);
            }
            if report.rejected_count > 100 {
                eprintln!(
                    "… et {} autres lignes refusées",
                    report.rejected_count - 100
                );
            }
            match report.list_id {
                Some(id) => println!(
                    "Liste chargée : {} entrées, {} lignes refusées{} (id {id}).",
                    report.loaded,
                    report.rejected_count,
                    report
                        .replaced
                        .map(|r| format!(", remplace la version {r}"))
                        .unwrap_or_default()
                ),
                None => {
                    return Err(AppError::Internal(format!(
                        "{} lignes refusées : rien n'a été chargé (corrigez le fichier, ou --skip-invalid)",
                        report.rejected_count
                    )));
                }
            }
        }
        Command::Mrz { json, lang, today } => mrz(json, &lang, today.as_deref())?,
        Command::Screen {
            watchlist,
            queries,
            top,
            json,
            thresholds,
        } => {
            crate::screening::batch::run(&watchlist, &queries, top, json, thresholds.thresholds()?)?
        }
        Command::Backup { db, to } => {
            // The copy is of the stored text, sealed values included: no key needed, and the
            // key is not in the copy.
            let pool = db::open(&db.db, false).await?;
            db::backup(&pool, &to).await?;
            println!("Copie écrite : {}", to.display());
            println!(
                "La clé des données personnelles n'est pas dans la copie : sans elle, les noms \
                 qu'elle contient sont illisibles. Gardez une copie de la clé à part."
            );
        }
        Command::Keys { command } => keys(command).await?,
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => {
            // The chain hashes the stored text: an inspector verifies it without the key.
            let pool = db::open(&db.db, false).await?;
            match audit::verify(&pool).await? {
                Verdict::Intact { entries } => {
                    println!("Chaîne d'audit intacte : {entries} entrées vérifiées.")
                }
                Verdict::Broken { seq, reason } => {
                    eprintln!("Chaîne d'audit rompue à l'entrée {seq} ({reason}).");
                    return Ok(ExitCode::from(2));
                }
            }
            // The posts' chains held here, against the checkpoints they signed.
            let mut broken = false;
            for (node, held, result) in crate::sync::audit_chain::verify_nodes(&pool).await? {
                match result {
                    Ok(()) => println!(
                        "Chaîne du nœud {node} : {held} entrées, conforme aux points de contrôle signés."
                    ),
                    Err(e) => {
                        eprintln!("Chaîne du nœud {node} rompue : {e}.");
                        broken = true;
                    }
                }
            }
            if broken {
                return Ok(ExitCode::from(2));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The rest of `parsec demo --nodes 3`: the regional node serves, each post is made (once)
/// by enrolling with it, then serves on the next port and exchanges every minute.
async fn demo_region(regional: AppState, db: &Path, addr: SocketAddr) -> AppResult<()> {
    use crate::sync::demo::{self as region, POSTS};
    if crate::sync::identity(&regional.db).await?.is_none() {
        return Err(AppError::Internal(format!(
            "{} a été faite pour un seul nœud : supprimez-la pour la refaire en région",
            db.display()
        )));
    }
    let url = format!("http://{addr}");
    let mut servers = tokio::task::JoinSet::new();
    servers.spawn(serve(regional.clone(), addr));
    for (n, (unit, suffix)) in (1u16..).zip(POSTS) {
        let path = region::post_db(db, suffix);
        let post_addr = region::node_addr(addr, n);
        if !path.exists() {
            eprintln!("Création du poste {unit} ({}) …", path.display());
            let code = region::register(&regional, unit).await?;
            create_database(&path, async |_: &AppState| Ok(())).await?;
            let post = state_for(&path, false).await?;
            region::fill_post(&post, &url, &code, unit).await?;
        }
        let mut post = state_for(&path, false).await?;
        post.config = std::sync::Arc::new(Config::new(path.clone(), post_addr));
        println!("  {unit} : http://{post_addr}/  ({})", path.display());
        let exchanging = post.clone();
        servers.spawn(async move {
            crate::sync::transport::every(exchanging, 1).await;
            Ok(())
        });
        servers.spawn(serve(post, post_addr));
    }
    while let Some(done) = servers.join_next().await {
        done.map_err(|e| AppError::Internal(e.to_string()))??;
    }
    Ok(())
}

/// Makes a new database at `path` all at once: it is built beside, under another name, and
/// renamed into place only when `fill` succeeded. An interrupted run leaves no half-made
/// database behind (the next run starts over).
async fn create_database(
    path: &Path,
    fill: impl AsyncFnOnce(&AppState) -> AppResult<()>,
) -> AppResult<()> {
    let mut building = path.as_os_str().to_owned();
    building.push(".creating");
    let building = PathBuf::from(building);
    let remove = |base: &Path| {
        for suffix in ["", "-wal", "-shm"] {
            let mut f = base.as_os_str().to_owned();
            f.push(suffix);
            let _ = std::fs::remove_file(f);
        }
    };
    remove(&building);
    let result = async {
        let pool = db::open(&building, true).await?;
        let mut config = Config::new(
            building.clone(),
            "127.0.0.1:0"
                .parse()
                .map_err(|_| AppError::Internal("addr".into()))?,
        );
        // The master key is made where the database will be, not beside its building name.
        config.data_key = crate::keyring::MasterSource::from_env(path);
        let state = AppState::new(pool, config).await?;
        fill(&state).await?;
        // Fold the WAL into the file before it moves.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&state.db)
            .await?;
        state.db.close().await;
        std::fs::rename(&building, path)
            .map_err(|e| AppError::Internal(format!("{} : {e}", path.display())))
    }
    .await;
    // After a success only the moved file's leftovers remain; after a failure, all of it.
    remove(&building);
    result
}

/// `parsec keys …`.
async fn keys(command: KeysCommand) -> AppResult<()> {
    match command {
        KeysCommand::Status { db } => {
            let state = state_for_arg(&db).await?;
            println!("Clé maîtresse : empreinte {}", state.keys.master_id());
            for k in crate::keyring::status(&state.db).await? {
                println!(
                    "Clé {:>10} : {}, {}, créée le {}{} — {} valeurs",
                    k.kid,
                    if k.owner.is_empty() {
                        "de ce nœud".to_string()
                    } else {
                        format!("du poste {}", k.owner)
                    },
                    if k.state == "current" {
                        "en cours"
                    } else {
                        "retirée"
                    },
                    k.created_at,
                    k.uploaded_at
                        .map(|u| format!(", remise au nœud régional le {u}"))
                        .unwrap_or_default(),
                    k.values
                );
            }
        }
        KeysCommand::Rotate { db } => {
            let state = state_for_arg(&db).await?;
            let (kid, retired, done) = crate::keyring::rotate(&state.db, &state.keys).await?;
            println!(
                "Nouvelle clé {kid} ; {} valeurs chiffrées de nouveau sous elle (clés retirées : {}).",
                done.sealed,
                retired
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if done.unreadable > 0 {
                eprintln!(
                    "{} valeurs ne s'ouvrent pas (altérées) : laissées telles quelles.",
                    done.unreadable
                );
            }
        }
        KeysCommand::Destroy { db, kid } => {
            let state = state_for_arg(&db).await?;
            crate::keyring::destroy(&state.db, &state.keys, kid).await?;
            println!("Clé {kid} détruite. Les copies de la base faites avant ne se lisent plus.");
        }
        KeysCommand::Master { db } => {
            let state = state_for_arg(&db).await?;
            let id = crate::keyring::replace_master(&state.db, &state.keys, &state.config.data_key)
                .await?;
            println!(
                "Nouvelle clé maîtresse (empreinte {id}). Remplacez la copie gardée à part de \
                 l'ancienne clé par celle-ci."
            );
        }
    }
    Ok(())
}

/// `parsec mrz`: reads standard input whole, then answers one document at a time.
fn mrz(json: bool, lang: &str, today: Option<&str>) -> AppResult<()> {
    use std::io::{Read, Write};
    let lang = Lang::parse(lang).ok_or(AppError::invalid("lang", "error-bad-choice"))?;
    let today = match today {
        Some(t) => parse_day(t).ok_or(AppError::invalid("today", "error-bad-date"))?,
        None => crate::border::mrz::day(db::now().date()),
    };
    // A stray byte from a scanner must not lose the whole batch: it becomes a character the
    // zone's rules refuse, in its own document.
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
        AppError::Internal(format!("lecture de l'entrée standard impossible : {e}"))
    })?;
    let input = String::from_utf8_lossy(&bytes);
    let catalog = Catalog::load();
    let mut out = std::io::stdout().lock();
    for (i, text) in crate::border::mrz::documents(&input).iter().enumerate() {
        let doc = crate::border::mrz::read(text, today);
        let line = if json {
            format!("{}\n", crate::border::mrz::to_json(&doc))
        } else {
            format!(
                "{}\n",
                crate::border::mrz::summary(&doc, i + 1, &catalog, lang)
            )
        };
        out.write_all(line.as_bytes())
            .map_err(|e| AppError::Internal(format!("écriture impossible : {e}")))?;
    }
    Ok(())
}

fn parse_day(s: &str) -> Option<mrz::Date> {
    let mut parts = s.trim().split('-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    mrz::Date::new(year, month, day)
}

async fn serve(state: AppState, addr: SocketAddr) -> AppResult<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| AppError::Internal(format!("impossible d'écouter sur {addr} : {e}")))?;
    tracing::info!(%addr, "parsec listening");
    crate::web::serve(state, listener).await
}

fn read_text(path: &Path) -> AppResult<String> {
    std::fs::read_to_string(path)
        .map_err(|e| AppError::Internal(format!("{} : {e}", path.display())))
}

async fn goods_category(command: GoodsCategoryCommand) -> AppResult<()> {
    use crate::border::vehicle;
    let actor = Actor::system("cli");
    match command {
        GoodsCategoryCommand::List { db } => {
            let state = initialised_state(&db).await?;
            for c in vehicle::categories(&state.db, true).await? {
                let retired = if c.active { "" } else { " (retirée)" };
                println!("{}\t{}\t{}{retired}", c.code, c.label_fr, c.label_en);
            }
        }
        GoodsCategoryCommand::Set { db, code, fr, en } => {
            let state = initialised_state(&db).await?;
            vehicle::set_category(&state, &actor, &code, &fr, &en).await?;
            println!("Catégorie {code} : {fr} / {en}");
        }
        GoodsCategoryCommand::Retire { db, code } => {
            let state = initialised_state(&db).await?;
            vehicle::retire_category(&state, &actor, &code).await?;
            println!("Catégorie {code} retirée (gardée pour les déclarations déjà faites).");
        }
    }
    Ok(())
}

async fn node(command: NodeCommand) -> AppResult<()> {
    use crate::sync::{self as nodes, Role};
    let actor = Actor::system("cli");
    match command {
        NodeCommand::Init {
            db,
            role,
            name,
            unit,
        } => {
            let state = initialised_state(&db).await?;
            let role = Role::parse(&role).ok_or(AppError::invalid("role", "error-bad-choice"))?;
            let me = nodes::init(&state, &actor, role, &name, &unit).await?;
            println!(
                "Nœud « {} » ({}) : id {}\nclé publique {}",
                me.name,
                me.role.code(),
                me.id,
                nodes::public_key(&state).await?
            );
        }
        NodeCommand::Register { db, name, unit } => {
            let state = initialised_state(&db).await?;
            let (_, code) = nodes::register_post(&state, &actor, &name, &unit).await?;
            println!(
                "Poste « {name} » enregistré. Code d'enrôlement (valable 7 jours, une fois) : {code}"
            );
        }
        NodeCommand::Enrol {
            db,
            regional,
            code,
            again,
        } => {
            if !db.db.exists() {
                create_database(&db.db, async |_: &AppState| Ok(())).await?;
            }
            let state = state_for_arg(&db).await?;
            let me = nodes::enrol_with(&state, &regional, &code, again).await?;
            println!("Poste « {} » enrôlé : id {}", me.name, me.id);
            let r = crate::sync::transport::sync_once(&state).await?;
            println!("Premier échange : {} changements reçus.", r.received);
        }
        NodeCommand::List { db } => {
            let state = initialised_state(&db).await?;
            match nodes::identity(&state.db).await? {
                Some(me) => println!(
                    "Ce nœud : « {} » ({}), id {}",
                    me.name,
                    me.role.code(),
                    me.id
                ),
                None => println!("Ce nœud n'a pas encore d'identité (parsec node init)."),
            }
            for n in nodes::nodes(&state.db).await? {
                let state = match &n.enrolled_at {
                    Some(at) => format!("enrôlé le {at}"),
                    None => "en attente d'enrôlement".to_string(),
                };
                println!("{}\t{}\t{}", n.role, n.name, state);
            }
        }
    }
    Ok(())
}

async fn exchange(command: ExchangeCommand) -> AppResult<()> {
    use crate::border::exchange;
    let actor = Actor::system("cli");
    match command {
        ExchangeCommand::Key { db } => {
            let state = initialised_state(&db).await?;
            println!("{}", exchange::public_key(&state).await?);
        }
        ExchangeCommand::Export {
            db,
            post,
            from,
            to,
            out,
        } => {
            let state = initialised_state(&db).await?;
            if out.exists() {
                return Err(AppError::Internal(format!(
                    "{} existe déjà : choisissez un autre nom",
                    out.display()
                )));
            }
            let (text, package) = exchange::export(&state, &actor, &post, &from, &to).await?;
            std::fs::write(&out, text)
                .map_err(|e| AppError::Internal(format!("{} : {e}", out.display())))?;
            println!(
                "Paquet {} écrit : {} ({} → {}), {} lignes de flux, {} alertes ; clé publique {}",
                package.package_id,
                out.display(),
                package.period.from,
                package.period.to,
                package.flows.people.len()
                    + package.flows.vehicles.len()
                    + package.flows.goods.len(),
                package.alerts.len(),
                package.public_key
            );
        }
        ExchangeCommand::Verify { file, key } => {
            let key = exchange::parse_public_key(&key).map_err(|_| {
                AppError::Internal("clé publique invalide (64 caractères hexadécimaux)".into())
            })?;
            let package = exchange::verify(&read_text(&file)?, &key).map_err(|e| {
                AppError::Internal(format!("{} : paquet refusé : {e}", file.display()))
            })?;
            println!(
                "Signature valide : paquet {} du poste {} ({} → {}), {} alertes.",
                package.package_id,
                package.post.name,
                package.period.from,
                package.period.to,
                package.alerts.len()
            );
        }
        ExchangeCommand::Trust {
            db,
            name,
            key,
            post,
        } => {
            let state = initialised_state(&db).await?;
            exchange::trust(&state, &actor, &name, &key, &post).await?;
            println!("Partenaire « {name} » reconnu pour le poste {post}.");
        }
        ExchangeCommand::Import { file, db } => {
            let state = initialised_state(&db).await?;
            // An untrusted file: its size is known before it is read.
            let size = std::fs::metadata(&file)
                .map_err(|e| AppError::Internal(format!("{} : {e}", file.display())))?
                .len();
            if size > exchange::MAX_PACKAGE_BYTES as u64 {
                return Err(AppError::invalid("file", "error-exchange-too-large"));
            }
            let done = exchange::import(&state, &actor, &read_text(&file)?).await?;
            if done.new {
                println!(
                    "Paquet de « {} » importé : {} alertes pour le poste {}.",
                    done.partner, done.alerts, done.post
                );
            } else {
                println!("Paquet déjà importé : rien de nouveau.");
            }
        }
    }
    Ok(())
}

async fn user(command: UserCommand) -> AppResult<()> {
    let actor = Actor::system("cli");
    match command {
        UserCommand::Add {
            db,
            login,
            role,
            unit,
            name,
        } => {
            let state = initialised_state(&db).await?;
            let role = Role::parse(&role).ok_or(AppError::invalid("role", "error-bad-choice"))?;
            let login = Login::parse(&login)?;
            let display_name =
                accounts::parse_display_name(name.as_deref().unwrap_or(login.as_str()))?;
            let pw = NewPassword::parse(&password_from("PARSEC_PASSWORD", "Mot de passe : ")?)?;
            let shown = login.as_str().to_string();
            accounts::create_user(
                &state,
                &actor,
                NewUser {
                    login,
                    display_name,
                    role,
                    unit_id: unit,
                },
                &pw,
            )
            .await?;
            println!("Compte « {shown} » créé.");
        }
        UserCommand::Passwd { db, login } => {
            let state = initialised_state(&db).await?;
            let login = Login::parse(&login)?.as_str().to_string();
            let user = accounts::find_by_login(&state.db, &login)
                .await?
                .ok_or(AppError::NotFound)?;
            let pw = NewPassword::parse(&password_from(
                "PARSEC_PASSWORD",
                "Nouveau mot de passe : ",
            )?)?;
            accounts::set_password(&state, &actor, &user.id, &pw).await?;
            println!("Mot de passe de « {login} » changé ; ses sessions sont fermées.");
        }
        UserCommand::Disable { db, login } => {
            let state = initialised_state(&db).await?;
            let login = Login::parse(&login)?.as_str().to_string();
            let user = accounts::find_by_login(&state.db, &login)
                .await?
                .ok_or(AppError::NotFound)?;
            accounts::set_disabled(&state, &actor, &user.id, true).await?;
            println!("Compte « {login} » désactivé.");
        }
    }
    Ok(())
}

/// Counts the bytes read, for the progress bar.
struct CountingReader<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// A progress bar on standard error, by the share of the file read: redrawn in place on a
/// terminal, a line every 10 % otherwise (logs of scheduled imports stay short).
struct ProgressBar {
    total: u64,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
    shown: Option<u64>,
    terminal: bool,
}

impl ProgressBar {
    fn new(total: u64) -> Self {
        use std::io::IsTerminal;
        ProgressBar {
            total,
            read: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)),
            shown: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn counter(&self) -> std::sync::Arc<std::sync::atomic::AtomicU64> {
        self.read.clone()
    }

    fn show(&mut self, rows: usize) {
        let read = self.read.load(std::sync::atomic::Ordering::Relaxed);
        let percent = (read.saturating_mul(100) / self.total.max(1)).min(100);
        let step = if self.terminal {
            percent
        } else {
            percent / 10 * 10
        };
        if self.shown == Some(step) {
            return;
        }
        self.shown = Some(step);
        let done = usize::try_from(percent / 5).unwrap_or(20);
        let bar = format!("{}{}", "#".repeat(done), "-".repeat(20 - done.min(20)));
        if self.terminal {
            eprint!("\r[{bar}] {percent:>3} % · {rows} lignes");
        } else {
            eprintln!("[{bar}] {percent:>3} % · {rows} lignes");
        }
    }

    fn finish(&self) {
        if self.terminal && self.shown.is_some() {
            eprintln!();
        }
    }
}
