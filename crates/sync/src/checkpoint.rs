//! Checkpoints of a node's audit chain. With each batch a node states how many entries its
//! chain holds and the hash of the last one, signed with its key; the regional node keeps what
//! it received. A chain cannot then lose its tail, nor be recomputed from some entry on, after
//! the regional node has seen it: `check` finds either against the checkpoints held, where a
//! chain checked alone sees neither.

use serde::{Deserialize, Serialize};

/// What a node stated of its audit chain at one point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub node: String,
    /// How many entries the chain held.
    pub count: u64,
    /// The hash of the entry at position `count` (hex).
    pub head: String,
}

impl Checkpoint {
    /// The exact bytes the node signs.
    pub fn signed_bytes(&self) -> Vec<u8> {
        format!(
            "parsec.audit-checkpoint\nnode={}\ncount={}\nhead={}\n",
            self.node, self.count, self.head
        )
        .into_bytes()
    }
}

/// What a chain no longer agrees with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    #[error("the chain holds {held} entries, but {count} were stated: its tail was deleted")]
    Truncated { count: u64, held: u64 },
    #[error("entry {count} is not the one stated: the chain was rewritten")]
    Rewritten { count: u64 },
}

/// Checks a chain of `held` entries (`hash_at(n)` gives the hash of entry `n`, from 1) against
/// the checkpoints its node stated; the first disagreement found.
pub fn check(
    checkpoints: &[Checkpoint],
    held: u64,
    hash_at: impl Fn(u64) -> Option<String>,
) -> Result<(), Broken> {
    for c in checkpoints {
        if c.count > held {
            return Err(Broken::Truncated {
                count: c.count,
                held,
            });
        }
        if c.count > 0 && hash_at(c.count).as_deref() != Some(c.head.as_str()) {
            return Err(Broken::Rewritten { count: c.count });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64, salt: &str) -> Vec<String> {
        (1..=n).map(|i| format!("{salt}{i:04}")).collect()
    }

    #[test]
    fn a_deleted_tail_or_a_rewritten_chain_is_found() {
        let original = chain(10, "a");
        let cp = |count: u64, c: &[String]| Checkpoint {
            node: "post-koro".into(),
            count,
            head: c[count as usize - 1].clone(),
        };
        let held = vec![cp(4, &original), cp(9, &original)];
        let at = |c: &[String]| {
            let c = c.to_vec();
            move |n: u64| c.get(n as usize - 1).cloned()
        };
        assert_eq!(check(&held, 10, at(&original)), Ok(()));
        // Its last three entries deleted.
        assert_eq!(
            check(&held, 7, at(&original[..7])),
            Err(Broken::Truncated { count: 9, held: 7 })
        );
        // Recomputed from entry 6 on: whole by itself, not what was stated.
        let mut rewritten = original[..5].to_vec();
        rewritten.extend(chain(5, "b"));
        assert_eq!(
            check(&held, 10, at(&rewritten)),
            Err(Broken::Rewritten { count: 9 })
        );
        assert!(
            cp(4, &original)
                .signed_bytes()
                .starts_with(b"parsec.audit-checkpoint\n")
        );
    }
}
