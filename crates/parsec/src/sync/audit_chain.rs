//! Each node's audit chain, as the regional node holds it. A post's entries come up with its
//! changes (`node_audit`), and each push carries the post's signed checkpoint (how many entries
//! its chain holds, the hash of the last). The regional node keeps every checkpoint: a post
//! that deletes the tail of its chain, or recomputes it from some entry on, no longer agrees
//! with what it signed before, and `parsec audit verify` says so.

use ::sync::{Broken, Checkpoint};

use crate::db::{Db, Tx};
use crate::error::AppResult;

/// Keeps a received checkpoint; what is wrong with the node's chain, if anything.
pub async fn receive(tx: &mut Tx, c: &Checkpoint, signature: &str) -> AppResult<Option<String>> {
    let stated: Option<i64> =
        sqlx::query_scalar("SELECT MAX(count) FROM sync_checkpoints WHERE node = ?")
            .bind(&c.node)
            .fetch_one(&mut **tx)
            .await?;
    let count = i64::try_from(c.count).unwrap_or(i64::MAX);
    sqlx::query(
        "INSERT INTO sync_checkpoints (node, count, head, signature, received_at)
         VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         ON CONFLICT (node, count) DO UPDATE SET received_at = excluded.received_at
         WHERE head = excluded.head",
    )
    .bind(&c.node)
    .bind(count)
    .bind(&c.head)
    .bind(signature)
    .execute(&mut **tx)
    .await?;
    if let Some(stated) = stated.filter(|s| *s > count) {
        return Ok(Some(
            Broken::Truncated {
                count: u64::try_from(stated).unwrap_or(0),
                held: c.count,
            }
            .to_string(),
        ));
    }
    // The same count stated with another head: the chain was recomputed.
    let head: Option<String> =
        sqlx::query_scalar("SELECT head FROM sync_checkpoints WHERE node = ? AND count = ?")
            .bind(&c.node)
            .bind(count)
            .fetch_optional(&mut **tx)
            .await?;
    if head.is_some_and(|h| h != c.head) {
        return Ok(Some(Broken::Rewritten { count: c.count }.to_string()));
    }
    Ok(None)
}

/// Checks every node's chain held here against its checkpoints: per node, the entries held
/// and the first disagreement (a chain verified alone cannot see a deleted tail).
pub async fn verify_nodes(db: &Db) -> AppResult<Vec<(String, u64, Result<(), Broken>)>> {
    let nodes: Vec<String> = sqlx::query_scalar(
        "SELECT node FROM sync_checkpoints UNION SELECT node FROM node_audit ORDER BY 1",
    )
    .fetch_all(db)
    .await?;
    let mut out = Vec::new();
    for node in nodes {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT count, head FROM sync_checkpoints WHERE node = ? ORDER BY count",
        )
        .bind(&node)
        .fetch_all(db)
        .await?;
        let checkpoints: Vec<Checkpoint> = rows
            .into_iter()
            .map(|(count, head)| Checkpoint {
                node: node.clone(),
                count: u64::try_from(count).unwrap_or(0),
                head,
            })
            .collect();
        let held: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM node_audit WHERE node = ?")
                .bind(&node)
                .fetch_one(db)
                .await?;
        let held = u64::try_from(held).unwrap_or(0);
        // The node's latest statement below an earlier one: it lost the tail of its chain.
        let latest: Option<i64> = sqlx::query_scalar(
            "SELECT count FROM sync_checkpoints WHERE node = ? ORDER BY received_at DESC LIMIT 1",
        )
        .bind(&node)
        .fetch_optional(db)
        .await?;
        let stated = checkpoints.iter().map(|c| c.count).max().unwrap_or(0);
        if let Some(latest) = latest.and_then(|l| u64::try_from(l).ok())
            && latest < stated
        {
            out.push((
                node,
                held,
                Err(Broken::Truncated {
                    count: stated,
                    held: latest,
                }),
            ));
            continue;
        }
        let mut hashes = std::collections::HashMap::new();
        for c in &checkpoints {
            let h: Option<String> =
                sqlx::query_scalar("SELECT hash FROM node_audit WHERE node = ? AND seq = ?")
                    .bind(&node)
                    .bind(i64::try_from(c.count).unwrap_or(0))
                    .fetch_optional(db)
                    .await?;
            if let Some(h) = h {
                hashes.insert(c.count, h);
            }
        }
        // A checkpoint beyond what came up yet is checked once its entries are here; the
        // statements themselves never go down (`receive`).
        let due: Vec<Checkpoint> = checkpoints
            .into_iter()
            .filter(|c| c.count <= held)
            .collect();
        let result = ::sync::checkpoint::check(&due, held, |n| hashes.get(&n).cloned());
        let chain = verify_chain(db, &node).await?;
        out.push((node, held, result.and(chain)));
    }
    Ok(out)
}

/// The node's chain as held: each entry's hash follows from the one before.
async fn verify_chain(db: &Db, node: &str) -> AppResult<Result<(), Broken>> {
    let rows: Vec<crate::audit::Entry> = sqlx::query_as(
        "SELECT seq, at, actor, action, entity, entity_id, detail, prev_hash, hash
         FROM node_audit WHERE node = ? ORDER BY seq",
    )
    .bind(node)
    .fetch_all(db)
    .await?;
    let mut prev = crate::audit::GENESIS.to_string();
    for (i, e) in rows.iter().enumerate() {
        let position = i64::try_from(i + 1).unwrap_or(i64::MAX);
        if let Err((seq, _)) = crate::audit::follows(e, &prev, position) {
            return Ok(Err(Broken::Rewritten {
                count: u64::try_from(seq).unwrap_or(0),
            }));
        }
        prev = e.hash.clone();
    }
    Ok(Ok(()))
}
