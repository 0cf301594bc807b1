//! A change: what one node wrote to one record, as every node stores and sends it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::hlc::Hlc;

/// Who wrote a field's value, and when: versions are ordered by clock, then by node, so every
/// node orders any two writes the same way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Version {
    pub hlc: Hlc,
    pub origin: String,
}

/// What a change does to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// A new record (events are only ever inserted: a crossing, a hit, an audit entry).
    Insert,
    /// Fields of an existing record written.
    Update,
    /// The record removed (retention): a tombstone that stays.
    Delete,
}

/// One change, numbered in its origin's gapless sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The node that wrote it.
    pub origin: String,
    /// Its place in the origin's sequence: 1, 2, 3 … without a gap.
    pub seq: u64,
    pub hlc: Hlc,
    pub table: String,
    /// The record's id (UUIDv7, made on the node that created the record).
    pub row: String,
    pub op: Op,
    /// The fields written, by name.
    pub fields: BTreeMap<String, serde_json::Value>,
    /// For each field written, the version the author saw (none for a field that was empty).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub base: BTreeMap<String, Version>,
    /// Who wrote it (the account, or `system`).
    pub actor: String,
}

impl Change {
    /// The version its fields get.
    pub fn version(&self) -> Version {
        Version {
            hlc: self.hlc,
            origin: self.origin.clone(),
        }
    }
}
