//! How parsec's nodes converge: the regional node and the posts, each writing alone while its
//! link is down, exchange their changes whenever it is up.
//!
//! - `hlc`: hybrid logical clocks, so every node orders any two writes alike; a post whose
//!   clock is far off is said to be, its times kept.
//! - `change`: what a node wrote to a record, numbered in the node's gapless sequence.
//! - `batch`: changes on the wire with their length and hash, refused whole when cut or
//!   altered; `place` recognises a batch sent again and holds back one that comes too early.
//! - `merge`: field-by-field merge where a concurrent edit of the same field is kept as a
//!   conflict, never lost.
//! - `checkpoint`: what a node states of its audit chain, which finds a deleted tail or a
//!   recomputed chain later.
//!
//! Pure: no I/O, no clock read (the caller gives the time), no panic on any input. The
//! application stores the changes, the cursors and the conflicts in the same transaction as
//! the records they concern.

pub mod batch;
pub mod change;
pub mod checkpoint;
pub mod hlc;
pub mod merge;

pub use batch::{Batch, BatchError, Placement, decode, encode, place};
pub use change::{Change, Op, Version};
pub use checkpoint::{Broken, Checkpoint};
pub use hlc::{Clock, Hlc, Skewed};
pub use merge::{Conflict, Field, Merge, merge_field};
