//! Changes on the wire. A node sends a stream of changes: a post, its own changes in their
//! sequence; the regional node, every change in the order it applied them (so that a post
//! receives a write after the writes its author had seen). A batch is a segment of a stream:
//! a header line (format, stream, first position, count, length and SHA-256 of the body) and
//! the changes as JSON lines. A batch cut short or altered on the way is refused whole by
//! `decode`, never applied in part; `place` recognises a batch sent again and holds back one
//! that comes too early.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::change::Change;

/// The format name and version in every header.
pub const FORMAT: &str = "parsec.sync";
pub const VERSION: u32 = 1;

/// Consecutive changes of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The stream: a node's own changes (its id), or what the regional node passes on.
    pub stream: String,
    /// The position of the first change in the stream (from 1); the others follow without a
    /// gap.
    pub first: u64,
    pub changes: Vec<Change>,
    /// For a share of a stream (what of the regional stream concerns one post), the last
    /// position it covers: the positions between hold changes for others. None: the changes
    /// follow without a gap.
    pub upto: Option<u64>,
}

impl Batch {
    /// The last position the batch covers.
    pub fn end(&self) -> u64 {
        self.upto.unwrap_or_else(|| self.last())
    }

    /// The position of the last change (`first - 1` when empty).
    pub fn last(&self) -> u64 {
        (self.first + self.changes.len() as u64).saturating_sub(1)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Header {
    format: String,
    version: u32,
    stream: String,
    first: u64,
    count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    upto: Option<u64>,
    length: u64,
    sha256: String,
}

/// Why a received batch is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("no header line")]
    NoHeader,
    #[error("unreadable header: {0}")]
    Header(String),
    #[error("format {0} version {1}: not a batch this node reads")]
    Format(String, u32),
    #[error("batch of {0} bytes: more than the {1} allowed")]
    TooLarge(u64, usize),
    #[error("body of {got} bytes where the header says {said}: cut on the way")]
    Length { said: u64, got: u64 },
    #[error("the body's hash differs from the header's: altered on the way")]
    Hash,
    #[error("change {line} unreadable: {message}")]
    Change { line: usize, message: String },
    #[error("{got} changes where the header says {said}")]
    Count { said: u64, got: u64 },
    #[error("the batch starts at position 0: positions start at 1")]
    Position,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The batch as bytes.
pub fn encode(batch: &Batch) -> Vec<u8> {
    let mut body = Vec::new();
    for c in &batch.changes {
        // A change always serialises (strings, numbers, JSON values): no error to carry.
        if let Ok(line) = serde_json::to_vec(c) {
            body.extend_from_slice(&line);
            body.push(b'\n');
        }
    }
    let header = Header {
        format: FORMAT.into(),
        version: VERSION,
        stream: batch.stream.clone(),
        first: batch.first,
        count: batch.changes.len() as u64,
        upto: batch.upto,
        length: body.len() as u64,
        sha256: hex(&Sha256::digest(&body)),
    };
    let mut out = serde_json::to_vec(&header).unwrap_or_default();
    out.push(b'\n');
    out.extend_from_slice(&body);
    out
}

/// Reads a batch, refusing it whole unless it is exactly what was sent: the length and hash of
/// its body, its count.
pub fn decode(bytes: &[u8], max_bytes: usize) -> Result<Batch, BatchError> {
    if bytes.len() > max_bytes {
        return Err(BatchError::TooLarge(bytes.len() as u64, max_bytes));
    }
    let split = bytes
        .iter()
        .position(|b| *b == b'\n')
        .ok_or(BatchError::NoHeader)?;
    let (head, rest) = bytes.split_at(split);
    let body = rest.get(1..).unwrap_or(&[]);
    let header: Header =
        serde_json::from_slice(head).map_err(|e| BatchError::Header(e.to_string()))?;
    if header.format != FORMAT || header.version != VERSION {
        return Err(BatchError::Format(header.format, header.version));
    }
    if header.first == 0 {
        return Err(BatchError::Position);
    }
    if header.length != body.len() as u64 {
        return Err(BatchError::Length {
            said: header.length,
            got: body.len() as u64,
        });
    }
    if hex(&Sha256::digest(body)) != header.sha256 {
        return Err(BatchError::Hash);
    }
    let mut changes = Vec::new();
    for (i, line) in body
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let change: Change = serde_json::from_slice(line).map_err(|e| BatchError::Change {
            line: i + 1,
            message: e.to_string(),
        })?;
        changes.push(change);
    }
    if changes.len() as u64 != header.count {
        return Err(BatchError::Count {
            said: header.count,
            got: changes.len() as u64,
        });
    }
    Ok(Batch {
        stream: header.stream,
        first: header.first,
        changes,
        upto: header.upto,
    })
}

/// Where a received batch goes, given the last position of its stream already applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// These changes follow what was applied: apply them now, in this order.
    Apply(Vec<Change>),
    /// The batch starts after a gap: hold it back until what comes before has arrived.
    Hold,
    /// Everything in it was applied already (a batch sent again): nothing to do.
    Seen,
}

/// Places a batch against its stream's cursor: a replay is recognised, a batch that overlaps
/// what was applied gives only its new changes, one that comes too early is held back.
pub fn place(applied: u64, batch: Batch) -> Placement {
    if batch.end() <= applied || (batch.changes.is_empty() && batch.upto.is_none()) {
        return Placement::Seen;
    }
    if batch.first > applied + 1 {
        return Placement::Hold;
    }
    // A share's changes carry no position of their own: all of them go to the applier, which
    // knows a change it has by its origin and sequence.
    if batch.upto.is_some() {
        return Placement::Apply(batch.changes);
    }
    let skip = usize::try_from(applied + 1 - batch.first).unwrap_or(usize::MAX);
    Placement::Apply(batch.changes.into_iter().skip(skip).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(first: u64, upto: u64, n: usize) -> Batch {
        let change = Change {
            origin: "regional".into(),
            seq: 1,
            hlc: crate::Hlc::default(),
            table: "units".into(),
            row: "u1".into(),
            op: crate::Op::Insert,
            fields: Default::default(),
            base: Default::default(),
            actor: "admin".into(),
        };
        Batch {
            stream: "regional".into(),
            first,
            changes: vec![change; n],
            upto: Some(upto),
        }
    }

    #[test]
    fn a_share_of_a_stream_is_placed_by_the_positions_it_covers() {
        // Positions 11..=40 hold two changes for this post: both are applied.
        assert!(matches!(place(10, share(11, 40, 2)), Placement::Apply(c) if c.len() == 2));
        // Nothing for this post in 11..=40: an empty share still moves the cursor.
        assert!(matches!(place(10, share(11, 40, 0)), Placement::Apply(c) if c.is_empty()));
        assert_eq!(place(40, share(11, 40, 2)), Placement::Seen);
        assert_eq!(place(5, share(11, 40, 2)), Placement::Hold);
        let bytes = encode(&share(11, 40, 2));
        assert_eq!(decode(&bytes, 1 << 20).map(|b| b.end()), Ok(40));
    }
}
