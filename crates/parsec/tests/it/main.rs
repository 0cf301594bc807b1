//! The one integration-test binary: every test runs a real parsec (fresh SQLite file, real
//! port) and drives it over HTTP, the command line or a real Chromium.

// A failed unwrap is a failed test, with its line: that is what tests want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod auth;
mod authz;
mod border;
mod browser;
mod cli;
mod custody;
mod encryption;
mod faults;
mod fleet;
mod fleet_demo;
mod forms;
mod home;
mod incidents;
mod inspection;
mod nodes;
mod programme;
mod programme_budget;
mod programme_indicators;
mod proxy;
mod registry;
mod scale;
mod screening;
mod support;
mod sync;
mod sync_pages;
mod tidy;

/// A query-string value, encoded.
pub fn support_q(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap()
        .trim_start_matches('=')
        .to_string()
}
