//! The shared state every handler, CLI command and service function receives explicitly.

use std::sync::Arc;

use gazetteer::Gazetteer;
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Catalog;
use crate::web::metrics::Metrics;

pub const LOCALITIES_CSV: &str = include_str!("../../../data/mopti/localities.csv");
pub const COMMUNES_CSV: &str = include_str!("../../../data/mopti/commune_population.csv");
pub const ROADS_GEOJSON: &str = include_str!("../../../data/mopti/roads_real.geojson");
pub const RIVERS_GEOJSON: &str = include_str!("../../../data/mopti/rivers.geojson");
pub const SITES_CSV: &str = include_str!("../../../data/mopti/security_sites.csv");

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub gazetteer: Arc<Gazetteer>,
    /// Travel times over the region's roads, rivers and air, built at start-up.
    pub routing: Arc<routing::Graph>,
    pub catalog: Arc<Catalog>,
    pub metrics: Arc<Metrics>,
    /// Bounds the number of Argon2id hashes computed at once.
    pub hashing: Arc<Semaphore>,
    /// The screening index of the active watchlists, rebuilt when the active set changes (the
    /// previous one answering meanwhile).
    pub screening: Arc<crate::screening::IndexCache>,
    /// The map's coverage layers already computed (see `incidents::coverage::Cache`).
    pub coverage: Arc<crate::incidents::coverage::Cache>,
    /// Held by the watchlist import in progress: one at a time.
    pub importing: Arc<tokio::sync::Mutex<()>>,
    /// Verified against when a login is unknown, so both cases cost the same time; made on
    /// first use (the command line never needs it).
    pub dummy_hash: Arc<tokio::sync::OnceCell<String>>,
    /// The time the legal deadlines are counted against: the real one, or the one a test set.
    pub clock: Arc<crate::db::Clock>,
    /// The keys that seal and open personal data (see `keyring`).
    pub keys: Arc<crate::keyring::Keyring>,
}

/// The travel-time graphs of the region for a season's settings (built in milliseconds).
pub fn travel_graph(settings: &routing::Settings) -> AppResult<routing::Graph> {
    let airfields = routing::network::airfields(SITES_CSV)
        .into_iter()
        .map(|a| a.1)
        .collect();
    let network = routing::network::network(ROADS_GEOJSON, RIVERS_GEOJSON, airfields)
        .map_err(|e| AppError::Internal(format!("routing: {e}")))?;
    Ok(routing::Graph::build(&network, settings))
}

impl AppState {
    pub async fn new(db: Db, config: Config) -> AppResult<AppState> {
        let gazetteer = Gazetteer::parse(LOCALITIES_CSV, COMMUNES_CSV)
            .map_err(|e| AppError::Internal(format!("gazetteer: {e}")))?;
        let graph = travel_graph(&routing::Settings::default())?;
        let keys = crate::keyring::Keyring::load(&db, &config).await?;
        crate::keyring::seal_clear(&db, &keys).await?;
        Ok(AppState {
            keys: Arc::new(keys),
            db,
            config: Arc::new(config),
            gazetteer: Arc::new(gazetteer),
            routing: Arc::new(graph),
            catalog: Arc::new(Catalog::load()),
            metrics: Arc::new(Metrics::default()),
            hashing: Arc::new(Semaphore::new(2)),
            dummy_hash: Arc::new(tokio::sync::OnceCell::new()),
            screening: Arc::new(crate::screening::IndexCache::default()),
            importing: Arc::new(tokio::sync::Mutex::new(())),
            coverage: Arc::new(crate::incidents::coverage::Cache::default()),
            clock: Arc::new(crate::db::Clock::default()),
        })
    }
}
