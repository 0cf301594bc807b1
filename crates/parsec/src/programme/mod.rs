//! The programme's steering (issue 15): the PARSEC programme's own records — partners,
//! activities and who does what where, deliveries and what became of them, the needs found
//! at identification, the budget — and its indicators, computed from the operational data
//! and never typed. The `programme` role reads aggregates only, never a person's data.

pub mod activities;
pub mod budget;
pub mod budget_web;
pub mod charts;
pub mod deliveries;
pub mod demo;
pub mod indicators;
pub mod money;
pub mod needs;
pub mod targets;
pub mod web;
