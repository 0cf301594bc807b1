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

/// The formats a list can be imported from, by the name the CLI and the import page use.
pub const FORMATS: [&str; 3] = ["csv", "ftm", "un-xml"];

/// Reads a list in one of `FORMATS`.
pub fn read(
    format: &str,
    input: impl Read,
    progress: &mut dyn FnMut(usize),
) -> Result<(Parsed, &'static str), String> {
    match format {
        "csv" => csv(input, progress).map(|p| (p, "csv")),
        "ftm" => ftm(input, progress).map(|p| (p, "ftm")),
        "un-xml" => un_xml(input, progress).map(|p| (p, "un-xml")),
        other => Err(format!("format « {other} » inconnu : csv, ftm ou un-xml")),
    }
}

/// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, a real date.
fn date(s: &str) -> Result<Option<String>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if namematch::BirthDate::parse(s).is_some() {
        Ok(Some(s.to_string()))
    } else {
        Err(format!(
            "date « {s} » invalide (AAAA-MM-JJ, AAAA-MM ou AAAA)"
        ))
    }
}

/// An expiry date as the last day it covers (`2027` → `2027-12-31`, `2027-02` → `2027-02-28`),
/// so that it compares as text with today's date.
fn expiry(s: &str) -> Result<Option<String>, String> {
    let Some(d) = date(s)? else {
        return Ok(None);
    };
    let b = namematch::BirthDate::parse(&d).ok_or_else(|| format!("date « {d} » invalide"))?;
    let month = if b.month == 0 { 12 } else { b.month };
    let day = if b.day != 0 {
        b.day
    } else {
        (28..=31)
            .rev()
            .find(|day| {
                namematch::BirthDate::parse(&format!("{:04}-{month:02}-{day:02}", b.year)).is_some()
            })
            .unwrap_or(28)
    };
    Ok(Some(format!("{:04}-{month:02}-{day:02}", b.year)))
}

/// A birth date from a list that writes them freely (`1965`, `1965-03-00`, `circa 1965`,
/// `1965-03-12T00:00:00`): the date when it reads, else its year, else none. What was dropped
/// is said in the returned note, so that the reason kept with the entry shows it.
fn lenient_birth(raw: &str) -> (Option<String>, Option<String>) {
    let raw = raw.trim();
    if raw.is_empty() {
        return (None, None);
    }
    if let Ok(Some(d)) = date(raw.get(..10).unwrap_or(raw)) {
        return (Some(d), None);
    }
    let note = Some(format!("date de naissance donnée : « {raw} »"));
    let year = raw
        .as_bytes()
        .windows(4)
        .position(|w| w.iter().all(u8::is_ascii_digit))
        .and_then(|i| raw.get(i..i + 4))
        .filter(|y| namematch::BirthDate::parse(y).is_some());
    (year.map(str::to_string), note)
}

/// The CSV format: `id,full_name,birth_date,nationality,aliases` (the `parsec screen`
/// columns), then optionally `reason`, `instruction` (arreter, signaler,
/// laisser_passer_signaler; signaler when empty) and `expires_at`.
pub fn csv(input: impl Read, progress: &mut dyn FnMut(usize)) -> Result<Parsed, String> {
    // Streamed: a list of a million rows is never whole in memory as text.
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(input);
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
        let birth_date = match date(&get(birth)) {
            Ok(d) => d,
            Err(e) => {
                out.rejected.push(Rejected { line, reason: e });
                continue;
            }
        };
        let expires_at = match expiry(&get(expires)) {
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
        // Counted only once the row is valid: a refused row does not block its correction.
        if !seen.insert(external_id.clone()) {
            out.rejected.push(Rejected {
                line,
                reason: format!("identifiant « {external_id} » en double"),
            });
            continue;
        }
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

fn person(
    external_id: String,
    names: Vec<String>,
    birth: Option<String>,
    nationality: Option<String>,
    reason: String,
) -> Result<ListedPerson, String> {
    let mut names = names
        .into_iter()
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty());
    let full_name = names.next().ok_or("aucun nom")?;
    let mut aliases: Vec<String> = Vec::new();
    for n in names {
        if n != full_name && !aliases.contains(&n) {
            aliases.push(n);
        }
    }
    let (birth_date, note) = lenient_birth(birth.as_deref().unwrap_or(""));
    let reason = match note {
        Some(n) if reason.is_empty() => n,
        Some(n) => format!("{reason} ({n})"),
        None => reason,
    };
    Ok(ListedPerson {
        external_id,
        full_name,
        aliases,
        birth_date,
        nationality,
        reason,
        instruction: Instruction::Signaler,
        expires_at: None,
    })
}

/// The FollowTheMoney / OpenSanctions export: one JSON entity per line; `Person` entities are
/// taken (name, alias, weakAlias, birthDate, nationality, topics), the others skipped.
pub fn ftm(input: impl Read, progress: &mut dyn FnMut(usize)) -> Result<Parsed, String> {
    use std::io::BufRead;
    let mut out = Parsed::default();
    let mut seen = std::collections::HashSet::new();
    for (n, line) in std::io::BufReader::new(input).lines().enumerate() {
        progress(n);
        let line_no = n as u64 + 1;
        let line = line.map_err(|e| format!("lecture impossible : {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                out.rejected.push(Rejected {
                    line: line_no,
                    reason: format!("JSON invalide : {e}"),
                });
                continue;
            }
        };
        if v["schema"].as_str() != Some("Person") {
            continue;
        }
        let props = &v["properties"];
        let list = |k: &str| -> Vec<String> {
            props[k]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let Some(id) = v["id"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
        else {
            out.rejected.push(Rejected {
                line: line_no,
                reason: "entité sans id".into(),
            });
            continue;
        };
        if seen.contains(&id) {
            out.rejected.push(Rejected {
                line: line_no,
                reason: format!("identifiant « {id} » en double"),
            });
            continue;
        }
        let mut names = list("name");
        names.extend(list("alias"));
        names.extend(list("weakAlias"));
        let nationality = list("nationality")
            .into_iter()
            .next()
            .map(|n| n.to_uppercase());
        match person(
            id,
            names,
            list("birthDate").into_iter().next(),
            nationality,
            list("topics").join(", "),
        ) {
            Ok(p) => {
                seen.insert(p.external_id.clone());
                out.accepted.push(p);
            }
            Err(e) => out.rejected.push(Rejected {
                line: line_no,
                reason: e,
            }),
        }
    }
    Ok(out)
}

/// The UN Security Council consolidated list (schema `sc-sanctions.xsd`), read as a stream:
/// each `INDIVIDUAL` becomes an entry (names, aliases, first birth date, nationality and
/// comments kept in the reason, as the list names countries in words); entities are skipped.
pub fn un_xml(input: impl Read, progress: &mut dyn FnMut(usize)) -> Result<Parsed, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(input));
    let mut buf = Vec::new();
    let mut out = Parsed::default();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut current: Option<HashMapFields> = None;
    let mut count = 0usize;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            format!(
                "XML invalide vers l'octet {} : {e}",
                reader.buffer_position()
            )
        })?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                if name == "INDIVIDUAL" {
                    current = Some(HashMapFields::default());
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let name: &str = &r;
                match r.resolve_char_ref() {
                    Ok(Some(c)) => text.push(c),
                    _ => text.push_str(match name {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    }),
                }
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str).unwrap_or("");
                if let Some(rec) = current.as_mut() {
                    let value = text.trim().to_string();
                    match (parent, name.as_str()) {
                        (_, "INDIVIDUAL") => {}
                        ("INDIVIDUAL", "DATAID" | "REFERENCE_NUMBER" | "COMMENTS1") => {
                            rec.single.insert(name.clone(), value);
                        }
                        (
                            "INDIVIDUAL",
                            "FIRST_NAME" | "SECOND_NAME" | "THIRD_NAME" | "FOURTH_NAME",
                        ) => {
                            rec.name_parts.push(value);
                        }
                        ("INDIVIDUAL_ALIAS", "ALIAS_NAME") if !value.is_empty() => {
                            rec.aliases.push(value)
                        }
                        ("INDIVIDUAL_DATE_OF_BIRTH", "DATE" | "YEAR")
                            if rec.birth.is_none() && !value.is_empty() =>
                        {
                            rec.birth = Some(value.clone());
                        }
                        ("NATIONALITY", "VALUE") if !value.is_empty() => {
                            rec.nationalities.push(value)
                        }
                        _ => {}
                    }
                }
                if name == "INDIVIDUAL"
                    && let Some(rec) = current.take()
                {
                    count += 1;
                    progress(count);
                    let id = rec
                        .single
                        .get("REFERENCE_NUMBER")
                        .filter(|s| !s.is_empty())
                        .or(rec.single.get("DATAID"))
                        .cloned()
                        .unwrap_or_default();
                    let mut names = vec![rec.name_parts.join(" ")];
                    names.extend(rec.aliases);
                    let mut reason = String::new();
                    if !rec.nationalities.is_empty() {
                        reason
                            .push_str(&format!("Nationalité : {}. ", rec.nationalities.join(", ")));
                    }
                    reason.push_str(
                        rec.single
                            .get("COMMENTS1")
                            .map(String::as_str)
                            .unwrap_or(""),
                    );
                    let reason: String = reason.chars().take(500).collect();
                    let result = if id.is_empty() {
                        Err("individu sans référence".to_string())
                    } else {
                        person(id, names, rec.birth, None, reason.trim().to_string())
                    };
                    match result {
                        Ok(p) => out.accepted.push(p),
                        Err(e) => out.rejected.push(Rejected {
                            line: count as u64,
                            reason: format!("individu n° {count} : {e}"),
                        }),
                    }
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

#[derive(Default)]
struct HashMapFields {
    single: std::collections::HashMap<String, String>,
    name_parts: Vec<String>,
    aliases: Vec<String>,
    birth: Option<String>,
    nationalities: Vec<String>,
}
