//! `parsec screen --watchlist FILE.csv --queries FILE.csv [--top 10] --json`: a watchlist and
//! a batch of queries from CSV files, one JSON line per query (a contract that scripts depend
//! on: keep it stable), and the index build time, memory and speed on standard error.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use namematch::{BirthDate, Entry, Index, Query, Thresholds};
use serde_json::json;

use crate::error::{AppError, AppResult};

fn open(path: &Path) -> AppResult<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| AppError::Internal(format!("{} : {e}", path.display())))
}

/// The columns of a CSV file, by name; a missing one is an error naming the file.
fn columns(path: &Path, headers: &csv::StringRecord, wanted: &[&str]) -> AppResult<Vec<usize>> {
    wanted
        .iter()
        .map(|w| {
            headers.iter().position(|h| h.trim() == *w).ok_or_else(|| {
                AppError::Internal(format!("{} : colonne « {w} » absente", path.display()))
            })
        })
        .collect()
}

fn birth(path: &Path, line: u64, raw: &str) -> Option<BirthDate> {
    if raw.trim().is_empty() {
        return None;
    }
    let parsed = BirthDate::parse(raw);
    if parsed.is_none() {
        eprintln!(
            "{}, ligne {line} : date de naissance « {raw} » ignorée (AAAA-MM-JJ ou AAAA attendu)",
            path.display()
        );
    }
    parsed
}

/// The watchlist, read by the same reader as the imports (`screening::import::csv`): refused
/// rows are named on standard error and left out.
pub fn read_watchlist(path: &Path) -> AppResult<(Vec<String>, Vec<Entry>)> {
    let file = std::fs::File::open(path)
        .map_err(|e| AppError::Internal(format!("{} : {e}", path.display())))?;
    let mut progress = |_| {};
    let parsed = super::import::csv(file, &mut progress)
        .map_err(|e| AppError::Internal(format!("{} : {e}", path.display())))?;
    for r in &parsed.rejected {
        eprintln!(
            "{}, ligne {} : {} (ligne ignorée)",
            path.display(),
            r.line,
            r.reason
        );
    }
    Ok(parsed
        .accepted
        .into_iter()
        .map(|p| {
            let mut names = vec![p.full_name];
            names.extend(p.aliases);
            let entry = Entry {
                names,
                birth: p.birth_date.as_deref().and_then(BirthDate::parse),
                nationality: p
                    .nationality
                    .as_deref()
                    .and_then(super::canonical_nationality),
            };
            (p.external_id, entry)
        })
        .unzip())
}

/// The queries: at least `query_id,full_name,birth_date,nationality`.
pub fn read_queries(path: &Path) -> AppResult<Vec<(String, Query)>> {
    let mut reader = open(path)?;
    let headers = reader
        .headers()
        .map_err(|e| AppError::Internal(format!("{} : {e}", path.display())))?
        .clone();
    let c = columns(
        path,
        &headers,
        &["query_id", "full_name", "birth_date", "nationality"],
    )?;
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| AppError::Internal(format!("{} : {e}", path.display())))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| c.get(i).and_then(|&k| rec.get(k)).unwrap_or("").trim();
        out.push((
            get(0).to_string(),
            Query {
                name: get(1).to_string(),
                birth: birth(path, line, get(2)),
                nationality: super::canonical_nationality(get(3)),
            },
        ));
    }
    Ok(out)
}

/// The resident memory of this process, in MiB, where the system tells it.
fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

pub fn run(
    watchlist: &Path,
    queries: &Path,
    top: usize,
    json_out: bool,
    thresholds: Thresholds,
) -> AppResult<()> {
    let (ids, entries) = read_watchlist(watchlist)?;
    let queries = read_queries(queries)?;
    let start = Instant::now();
    let index = Index::build(&entries);
    let build = start.elapsed();
    drop(entries);
    let mut out = std::io::stdout().lock();
    let start = Instant::now();
    // The queries are answered on every core the machine has (the index is shared; each
    // search takes its own scratch from the index's pool), in contiguous chunks whose answers
    // are put back in the queries' order: the output is the same as on one core.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = queries.len().div_ceil(threads).max(1);
    let answer = |qid: &String, q: &Query| -> String {
        let hits = index.search(q, top);
        // Written by hand so that the keys keep the contract's order.
        let candidates: Vec<String> = hits
            .iter()
            .map(|h| {
                let id = ids.get(h.entry).map(String::as_str).unwrap_or("");
                let score = (f64::from(h.score) * 10_000.0).round() / 10_000.0;
                format!(
                    "{{\"id\":{},\"score\":{},\"decision\":{}}}",
                    json!(id),
                    json!(score),
                    json!(thresholds.decide(h.score).code())
                )
            })
            .collect();
        if json_out {
            format!(
                "{{\"query_id\":{},\"candidates\":[{}]}}",
                json!(qid),
                candidates.join(",")
            )
        } else {
            let best = hits.first().map_or("—".to_string(), |h| {
                let id = ids.get(h.entry).map(String::as_str).unwrap_or("");
                format!(
                    "{id} {:.3} ({})",
                    h.score,
                    thresholds.decide(h.score).code()
                )
            });
            format!("{qid}\t{}\t{best}", q.name)
        }
    };
    let lines: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = queries
            .chunks(chunk)
            .map(|part| {
                let answer = &answer;
                s.spawn(move || {
                    part.iter()
                        .map(|(qid, q)| answer(qid, q))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    for l in lines {
        writeln!(out, "{l}")
            .map_err(|e| AppError::Internal(format!("écriture impossible : {e}")))?;
    }
    eprintln!(
        "index : {} entrées en {:.2} s, {:.1} Mio (mémoire du processus {}) ; {} requêtes en {:.2} s, {:.0} requêtes/s sur {}",
        index.len(),
        build.as_secs_f64(),
        index.memory_bytes() as f64 / 1_048_576.0,
        rss_mib().map_or("inconnue".to_string(), |m| format!("{m:.0} Mio")),
        queries.len(),
        elapsed,
        queries.len() as f64 / elapsed.max(1e-9),
        if threads == 1 {
            "1 cœur".to_string()
        } else {
            format!("{threads} cœurs")
        }
    );
    Ok(())
}
