//! parsec: the information system of the internal security forces of the Mopti region.
//!
//! One crate holds the application; each capability is a module that owns its tables, its
//! service functions and its pages (`registry`, `accounts`, `audit` …). `web` assembles the
//! router and is the only module that knows HTTP; `cli` is the command line. See
//! ARCHITECTURE.md at the root of the repository for the map and the invariants.

pub mod accounts;
pub mod app;
pub mod audit;
pub mod border;
pub mod cli;
pub mod config;
pub mod custody;
pub mod db;
pub mod error;
pub mod fleet;
pub mod i18n;
pub mod ids;
pub mod incidents;
pub mod keyring;
pub mod node_key;
pub mod pdf;
pub mod programme;
pub mod registry;
pub mod screening;
pub mod sync;
pub mod web;
pub mod xlsx;
