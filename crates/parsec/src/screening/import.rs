//! Reading a watchlist file into entries, row by row, every refused row with its line and its
//! reason. Nothing is written here: `screening::import` loads the result in one transaction.

use std::io::Read;

/// What each entry must tell the agent to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instruction {
    Arreter,
    Signaler,
    LaisserPasserSignaler,
}

impl Instruction {
    pub fn parse(s: &str) -> Option<Instruction> {
        match s
            .trim()
            .to_lowercase()
            .replace(['é', 'ê'], "e")
            .replace([' ', '-'], "_")
            .as_str()
        {
            "arreter" => Some(Instruction::Arreter),
            "signaler" | "" => Some(Instruction::Signaler),
            "laisser_passer_signaler" | "laisser_passer_et_signaler" => {
                Some(Instruction::LaisserPasserSignaler)
            }
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Instruction::Arreter => "arreter",
            Instruction::Signaler => "signaler",
            Instruction::LaisserPasserSignaler => "laisser_passer_signaler",
        }
    }
}

/// One accepted entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedPerson {
    pub external_id: String,
    pub full_name: String,
    pub aliases: Vec<String>,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub reason: String,
    pub instruction: Instruction,
    pub expires_at: Option<String>,
}

/// A refused row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub accepted: Vec<ListedPerson>,
    pub rejected: Vec<Rejected>,
}

/// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, a real date.
fn date(s: &str) -> Result<Option<String>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if namematch::BirthDate::parse(s).is_some()
        || (s.len() == 7 && namematch::BirthDate::parse(&format!("{s}-01")).is_some())
    {
        Ok(Some(s.to_string()))
    } else {
        Err(format!(
            "date « {s} » invalide (AAAA-MM-JJ, AAAA-MM ou AAAA)"
        ))
    }
}

/// The CSV format: `id,full_name,birth_date,nationality,aliases` (the `parsec screen`
/// columns), then optionally `reason`, `instruction` (arreter, signaler,
/// laisser_passer_signaler; signaler when empty) and `expires_at`.
pub fn csv(mut input: impl Read, progress: &mut dyn FnMut(usize)) -> Result<Parsed, String> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| format!("lecture impossible : {e}"))?;
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| format!("en-tête illisible : {e}"))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(id), Some(name)) = (col("id"), col("full_name")) else {
        return Err("colonnes « id » et « full_name » obligatoires".into());
    };
    let (birth, nat, aliases) = (col("birth_date"), col("nationality"), col("aliases"));
    let (reason, instruction, expires) = (col("reason"), col("instruction"), col("expires_at"));
    let mut out = Parsed::default();
    let mut seen = std::collections::HashSet::new();
    for (n, rec) in reader.records().enumerate() {
        progress(n);
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.rejected.push(Rejected {
                    line,
                    reason: format!("ligne CSV illisible : {e}"),
                });
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() != headers.len() {
            out.rejected.push(Rejected {
                line,
                reason: format!("{} colonnes au lieu de {}", rec.len(), headers.len()),
            });
            continue;
        }
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").trim().to_string();
        let external_id = get(Some(id));
        let full_name = get(Some(name));
        if external_id.is_empty() || full_name.is_empty() {
            out.rejected.push(Rejected {
                line,
                reason: "id et full_name sont obligatoires".into(),
            });
            continue;
        }
        if !seen.insert(external_id.clone()) {
            out.rejected.push(Rejected {
                line,
                reason: format!("identifiant « {external_id} » en double"),
            });
            continue;
        }
        let birth_date = match date(&get(birth)) {
            Ok(d) => d,
            Err(e) => {
                out.rejected.push(Rejected { line, reason: e });
                continue;
            }
        };
        let expires_at = match date(&get(expires)) {
            Ok(d) => d,
            Err(e) => {
                out.rejected.push(Rejected {
                    line,
                    reason: format!("expiration : {e}"),
                });
                continue;
            }
        };
        let nationality = Some(get(nat).to_uppercase()).filter(|n| !n.is_empty());
        if nationality.as_ref().is_some_and(|n| {
            !(2..=3).contains(&n.len()) || !n.bytes().all(|c| c.is_ascii_uppercase())
        }) {
            out.rejected.push(Rejected {
                line,
                reason: format!("nationalité « {} » : code ISO attendu", get(nat)),
            });
            continue;
        }
        let Some(instr) = Instruction::parse(&get(instruction)) else {
            out.rejected.push(Rejected {
                line,
                reason: format!("instruction « {} » inconnue", get(instruction)),
            });
            continue;
        };
        out.accepted.push(ListedPerson {
            external_id,
            full_name,
            aliases: get(aliases)
                .split(';')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
            birth_date,
            nationality,
            reason: get(reason),
            instruction: instr,
            expires_at,
        });
    }
    Ok(out)
}
