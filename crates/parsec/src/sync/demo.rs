//! `parsec demo --nodes 3`: the region on one machine — the regional node (operations centre)
//! with the demo registry, incidents and patrols, and two border posts (Koro, Ouenkoro), each
//! its own database and port, enrolled with the regional node and recording its own crossings;
//! the posts exchange with the regional node every minute.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::app::AppState;
use crate::audit::Actor;
use crate::error::AppResult;

/// The posts of the demo region: the unit each serves, and its database's suffix.
pub const POSTS: [(&str, &str); 2] = [
    ("Poste frontière de Koro", "koro"),
    ("Poste frontière de Ouenkoro", "ouenkoro"),
];

/// A post's database beside the regional node's: `parsec-demo-koro.db`.
pub fn post_db(regional: &Path, suffix: &str) -> PathBuf {
    let stem = regional
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "parsec-demo".into());
    regional.with_file_name(format!("{stem}-{suffix}.db"))
}

/// The address of the n-th node: the regional node's port, then the next ones.
pub fn node_addr(regional: SocketAddr, n: u16) -> SocketAddr {
    SocketAddr::new(regional.ip(), regional.port().saturating_add(n))
}

/// On the regional node's new database: its identity.
pub async fn init_regional(state: &AppState) -> AppResult<()> {
    super::init(
        state,
        &Actor::system("demo"),
        super::Role::Regional,
        "Centre régional de Mopti (démo)",
        "Légion de gendarmerie de Mopti — état-major",
    )
    .await?;
    Ok(())
}

/// A post's one-time code, from the regional node.
pub async fn register(regional: &AppState, unit: &str) -> AppResult<String> {
    let (_, code) = super::register_post(regional, &Actor::system("demo"), unit, unit).await?;
    Ok(code)
}

/// A new post: enrolled with the regional node at `url`, the region brought down, four weeks
/// of its own crossings recorded, and sent up.
pub async fn fill_post(post: &AppState, url: &str, code: &str, unit: &str) -> AppResult<()> {
    super::enrol_with(post, url, code, false).await?;
    super::transport::sync_once(post).await?;
    crate::border::demo::seed_crossings_at(post, Some(unit), 28).await?;
    super::transport::sync_once(post).await?;
    Ok(())
}
