//! A regional node and two posts, each editing the same few records while links come and go:
//! batches sent again, sent in the wrong order, cut on the way, a post's clock three days
//! ahead. After the links are back, every node holds the same values, no change is applied
//! twice, and every write is either in place, written over by someone who saw it, or kept as a
//! conflict at the regional node — none lost without a word.
//!
//! The nodes here are a model: in memory, applying changes with the crate's merge, cursors and
//! clocks, as the application does with its tables.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::json;
use sync::{Batch, Change, Clock, Conflict, Field, Merge, Op, Placement, Version};

const REGIONAL: &str = "regional";
const POSTS: [&str; 2] = ["post-koro", "post-ouenkoro"];
/// How far ahead of the regional node a post's clock may be before it is said to be off.
const TOLERANCE_MS: u64 = 5 * 60 * 1000;
const MAX_BATCH: usize = 1 << 20;

#[derive(Default)]
struct Node {
    id: String,
    clock: Clock,
    /// The clock's error: what this node believes the time is, minus the true time.
    offset_ms: u64,
    seq: u64,
    fields: BTreeMap<(String, String), Field>,
    /// Every change held, in the order this node applied or wrote it (the regional node's
    /// stream to the posts).
    log: Vec<Change>,
    seen: BTreeSet<(String, u64)>,
    conflicts: Vec<Conflict>,
    /// Per stream: the last position applied, and the batches held back.
    cursors: BTreeMap<String, u64>,
    held: BTreeMap<String, Vec<Batch>>,
    skew_reports: usize,
}

impl Node {
    fn new(id: &str, offset_ms: u64) -> Node {
        Node {
            id: id.into(),
            offset_ms,
            ..Node::default()
        }
    }

    fn edit(&mut self, now_ms: u64, row: u8, field: u8, value: u8) -> Change {
        let key = (format!("r{row}"), format!("f{field}"));
        let base_hlc = self.fields.get(&key).map(|f| f.version.hlc);
        let hlc = self.clock.tick_after(now_ms + self.offset_ms, base_hlc);
        self.seq += 1;
        let mut base = BTreeMap::new();
        if let Some(current) = self.fields.get(&key) {
            base.insert(key.1.clone(), current.version.clone());
        }
        let change = Change {
            origin: self.id.clone(),
            seq: self.seq,
            hlc,
            table: "assets".into(),
            row: key.0.clone(),
            op: Op::Update,
            fields: BTreeMap::from([(key.1.clone(), json!(value))]),
            base,
            actor: "test".into(),
        };
        self.fields.insert(
            key,
            Field {
                value: json!(value),
                version: change.version(),
            },
        );
        self.seen.insert((self.id.clone(), self.seq));
        self.log.push(change.clone());
        change
    }

    /// Applies one received change (skipped when it is this node's own or already held).
    fn apply(&mut self, change: &Change, now_ms: u64) {
        if change.origin == self.id || self.seen.contains(&(change.origin.clone(), change.seq)) {
            return;
        }
        if self
            .clock
            .observe(change.hlc, now_ms + self.offset_ms, TOLERANCE_MS)
            .is_err()
        {
            self.skew_reports += 1;
        }
        for (name, value) in &change.fields {
            let key = (change.row.clone(), name.clone());
            let version = change.version();
            let (merge, conflict) = sync::merge_field(
                self.fields.get(&key),
                value,
                &version,
                change.base.get(name),
            );
            if merge == Merge::Take {
                self.fields.insert(
                    key,
                    Field {
                        value: value.clone(),
                        version,
                    },
                );
            }
            self.conflicts.extend(conflict);
        }
        self.seen.insert((change.origin.clone(), change.seq));
        self.log.push(change.clone());
    }

    /// Receives a batch of a stream as bytes: refused whole when damaged, applied when it
    /// follows the cursor (then whatever it unblocks), held back when it comes too early.
    fn receive(&mut self, bytes: &[u8], now_ms: u64) {
        let Ok(batch) = sync::decode(bytes, MAX_BATCH) else {
            return;
        };
        let stream = batch.stream.clone();
        let mut pending = vec![batch];
        while let Some(batch) = pending.pop() {
            let applied = self.cursors.get(&stream).copied().unwrap_or(0);
            match sync::place(applied, batch.clone()) {
                Placement::Apply(changes) => {
                    for c in &changes {
                        self.apply(c, now_ms);
                    }
                    self.cursors.insert(stream.clone(), batch.last());
                    // What was held back may follow now.
                    pending.extend(self.held.remove(&stream).unwrap_or_default());
                }
                Placement::Hold => self.held.entry(stream.clone()).or_default().push(batch),
                Placement::Seen => {}
            }
        }
    }
}

/// A stream's changes from position `from` (1-based), as batches of `size`.
fn batches(stream: &str, changes: &[Change], from: usize, size: usize) -> Vec<Vec<u8>> {
    let from = from.max(1);
    changes
        .get(from - 1..)
        .unwrap_or(&[])
        .chunks(size.max(1))
        .enumerate()
        .map(|(i, chunk)| {
            sync::encode(&Batch {
                stream: stream.into(),
                first: (from + i * size.max(1)) as u64,
                changes: chunk.to_vec(),
                upto: None,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
enum Step {
    Edit {
        node: usize,
        row: u8,
        field: u8,
        value: u8,
    },
    /// A post sends its changes, perhaps some again, in batches perhaps reversed or cut.
    Push { post: usize, link: Link },
    /// The regional node sends a post what it holds, the same way.
    Pull { post: usize, link: Link },
}

fn link() -> impl Strategy<Value = Link> {
    (
        0..4usize,
        1..4usize,
        any::<bool>(),
        proptest::option::of(0..3usize),
    )
        .prop_map(|(back, size, reverse, cut)| Link {
            back,
            size,
            reverse,
            cut,
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..3usize, 0..3u8, 0..2u8, 0..3u8)
            .prop_map(|(node, row, field, value)| Step::Edit { node, row, field, value }),
        1 => (0..2usize, link()).prop_map(|(post, link)| Step::Push { post, link }),
        1 => (0..2usize, link()).prop_map(|(post, link)| Step::Pull { post, link }),
    ]
}

/// Sends batches to a node in the given order, one of them cut in half when asked.
fn deliver(to: &mut Node, mut sent: Vec<Vec<u8>>, reverse: bool, cut: Option<usize>, now: u64) {
    if let Some(i) = cut
        && let Some(b) = sent.get_mut(i)
    {
        let half = b.len() / 2;
        b.truncate(half);
    }
    if reverse {
        sent.reverse();
    }
    for b in &sent {
        to.receive(b, now);
    }
}

/// How a link behaves for one exchange.
#[derive(Debug, Clone, Copy)]
struct Link {
    /// How far before the receiver's cursor the sender starts again (a replay).
    back: usize,
    size: usize,
    reverse: bool,
    cut: Option<usize>,
}

/// A stream sent from its cursor at the receiver, through the link.
fn send(to: &mut Node, stream: &str, changes: &[Change], link: Link, now: u64) {
    let from = to.cursors.get(stream).copied().unwrap_or(0) as usize + 1;
    let sent = batches(stream, changes, from.saturating_sub(link.back), link.size);
    deliver(to, sent, link.reverse, link.cut, now);
}

/// A post sends its own changes up.
fn push(nodes: &mut [Node], post: usize, link: Link, now: u64) {
    let own = nodes[post + 1].log_own();
    send(&mut nodes[0], POSTS[post], &own, link, now);
}

/// The regional node sends a post what it holds, in the order it applied it.
fn pull(nodes: &mut [Node], post: usize, link: Link, now: u64) {
    let stream = nodes[0].log.clone();
    send(&mut nodes[post + 1], REGIONAL, &stream, link, now);
}

impl Node {
    /// This node's own changes, in their sequence.
    fn log_own(&self) -> Vec<Change> {
        self.log
            .iter()
            .filter(|c| c.origin == self.id)
            .cloned()
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_node_converges_and_nothing_is_lost_or_applied_twice(
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        // The second post's clock is three days ahead.
        let three_days = 3 * 24 * 3600 * 1000;
        let mut nodes = vec![
            Node::new(REGIONAL, 0),
            Node::new(POSTS[0], 0),
            Node::new(POSTS[1], three_days),
        ];
        let mut writes: Vec<Change> = Vec::new();
        let mut now = 1_800_000_000_000u64;
        for s in &steps {
            now += 1_000;
            match *s {
                Step::Edit { node, row, field, value } => {
                    writes.push(nodes[node].edit(now, row, field, value));
                }
                Step::Push { post, link } => {
                    push(&mut nodes, post, link, now);
                }
                Step::Pull { post, link } => {
                    pull(&mut nodes, post, link, now);
                }
            }
        }
        // The links come back: everything up, then everything down.
        let clean = Link { back: 0, size: 1000, reverse: false, cut: None };
        for post in 0..2 {
            push(&mut nodes, post, clean, now);
        }
        for post in 0..2 {
            pull(&mut nodes, post, clean, now);
        }
        // 1. The same values everywhere.
        for n in &nodes[1..] {
            prop_assert_eq!(&n.fields, &nodes[0].fields, "{} differs", n.id);
        }
        // 2. Every change held once, by every node.
        for n in &nodes {
            prop_assert_eq!(n.log.len(), writes.len(), "{}", n.id);
            let distinct: BTreeSet<_> = n.log.iter().map(|c| (&c.origin, c.seq)).collect();
            prop_assert_eq!(distinct.len(), n.log.len());
        }
        // 3. No write lost without a word: in place, written over by an author who saw it, or
        //    kept as a conflict at the regional node, which sees every write.
        // (A value equal to one kept as a conflict is not lost either: the conflict shows it.)
        let lost: BTreeSet<Version> =
            nodes[0].conflicts.iter().map(|c| c.lost.version.clone()).collect();
        let lost_values: Vec<&serde_json::Value> =
            nodes[0].conflicts.iter().map(|c| &c.lost.value).collect();
        for w in &writes {
            let version = w.version();
            let (name, value) = w.fields.iter().next().unwrap();
            let key = (w.row.clone(), name.clone());
            let in_place = nodes[0].fields.get(&key).is_some_and(|f| f.version == version);
            // Written over by an author who saw this value (this write, or one of the same
            // value that merged with it).
            let written_over = writes.iter().any(|o| {
                o.row == w.row
                    && o.base.get(name).is_some_and(|b| {
                        writes.iter().any(|x| {
                            x.version() == *b && x.row == w.row && x.fields.get(name) == Some(value)
                        })
                    })
            });
            let same_value_in_place = nodes[0].fields.get(&key).is_some_and(|f| &f.value == value);
            let conflicted_value = nodes[0].conflicts.iter().any(|c| {
                c.lost.value == *value && (c.kept.version.hlc, &c.kept.version.origin) != (version.hlc, &version.origin)
            }) && lost_values.contains(&value);
            prop_assert!(
                in_place || written_over || lost.contains(&version) || same_value_in_place
                    || conflicted_value,
                "write {:?} lost", w
            );
        }
        // 4. The post whose clock is three days ahead was said to be off.
        if writes.iter().any(|w| w.origin == POSTS[1]) && nodes[0].log.iter().any(|c| c.origin == POSTS[1]) {
            prop_assert!(nodes[0].skew_reports > 0);
        }
    }
}

#[test]
fn a_batch_cut_or_altered_on_the_way_is_refused_whole() {
    let mut n = Node::new(POSTS[0], 0);
    let changes: Vec<Change> = (0..3).map(|i| n.edit(1_000 + i, 0, 0, 1)).collect();
    let bytes = sync::encode(&Batch {
        stream: POSTS[0].into(),
        first: 1,
        changes: changes.clone(),
        upto: None,
    });
    assert_eq!(sync::decode(&bytes, MAX_BATCH).unwrap().changes, changes);
    let cut = &bytes[..bytes.len() - 5];
    assert!(matches!(
        sync::decode(cut, MAX_BATCH),
        Err(sync::BatchError::Length { .. })
    ));
    let mut altered = bytes.clone();
    let last = altered.len() - 3;
    altered[last] ^= 1;
    assert_eq!(
        sync::decode(&altered, MAX_BATCH),
        Err(sync::BatchError::Hash)
    );
    assert!(matches!(
        sync::decode(&bytes, 10),
        Err(sync::BatchError::TooLarge(..))
    ));
    assert_eq!(
        sync::decode(b"", MAX_BATCH),
        Err(sync::BatchError::NoHeader)
    );
}

proptest! {
    /// Any bytes at all: an error or a batch, never a panic.
    #[test]
    fn any_bytes_decode_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = sync::decode(&bytes, MAX_BATCH);
    }
}
