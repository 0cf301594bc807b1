//! Reading a watchlist file into entries, row by row, every refused row with its line and its
//! reason. Nothing is written here: `screening::import_file` stages the rows as they come.
//!
//! Streamed and bounded: a row is handed on as soon as it is read, a field is at most
//! `NAME_MAX` characters (and a run of bytes without a line end, `RUN_MAX`), an entry has at
//! most `ALIASES_MAX` names, so a 200 MB file never sits in memory, nor a 200 MB name.

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

/// One row of a list file, as it is read.
#[derive(Debug)]
pub enum Row {
    Accepted(ListedPerson),
    Rejected(Rejected),
}

/// The longest name or alias, and identifier, taken.
pub const NAME_MAX: usize = 300;
const ID_MAX: usize = 100;
/// The longest reason taken from a list.
pub const REASON_MAX: usize = 2000;
/// The most distinct names one entry may carry.
pub const ALIASES_MAX: usize = 1000;
/// The most bytes read without a line end (CSV, FtM) or a tag (XML): beyond, the file is
/// refused, so that one field never fills the memory.
pub const RUN_MAX: usize = 16 * 1024 * 1024;

/// A reader that fails once more than `RUN_MAX` bytes come without `delimiter`.
struct BoundedRuns<R> {
    inner: R,
    delimiter: u8,
    run: usize,
}

impl<R: Read> Read for BoundedRuns<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in buf.get(..n).unwrap_or(&[]) {
            if b == self.delimiter {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > RUN_MAX {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "plus de {} Mo d'un seul tenant : fichier refusé",
                            RUN_MAX >> 20
                        ),
                    ));
                }
            }
        }
        Ok(n)
    }
}

fn bounded<R: Read>(inner: R, delimiter: u8) -> BoundedRuns<R> {
    BoundedRuns {
        inner,
        delimiter,
        run: 0,
    }
}

/// Reads a list in one of `FORMATS`, handing each row to `sink` as it comes.
pub fn read_rows(
    format: &str,
    input: impl Read,
    sink: &mut dyn FnMut(Row),
) -> Result<&'static str, String> {
    match format {
        "csv" => csv_rows(input, sink).map(|()| "csv"),
        "ftm" => ftm_rows(input, sink).map(|()| "ftm"),
        "un-xml" => un_xml_rows(input, sink).map(|()| "un-xml"),
        other => Err(format!("format « {other} » inconnu : csv, ftm ou un-xml")),
    }
}

/// Collects the rows of a reader (for small lists: the `parsec screen` batch, the demo).
fn collect(
    progress: &mut dyn FnMut(usize),
    read: impl FnOnce(&mut dyn FnMut(Row)) -> Result<(), String>,
) -> Result<Parsed, String> {
    let mut out = Parsed::default();
    let mut n = 0usize;
    read(&mut |row| {
        progress(n);
        n += 1;
        match row {
            Row::Accepted(p) => out.accepted.push(p),
            Row::Rejected(r) => out.rejected.push(r),
        }
    })?;
    Ok(out)
}

/// The formats a list can be imported from, by the name the CLI and the import page use.
pub const FORMATS: [&str; 3] = ["csv", "ftm", "un-xml"];

/// Reads a whole list in one of `FORMATS` into memory.
pub fn read(
    format: &str,
    input: impl Read,
    progress: &mut dyn FnMut(usize),
) -> Result<(Parsed, &'static str), String> {
    let mut name = "";
    let parsed = collect(progress, |sink| {
        name = read_rows(format, input, sink)?;
        Ok(())
    })?;
    Ok((parsed, name))
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
        // Never a whole huge field in a message.
        let shown: String = s.chars().take(40).collect();
        Err(format!(
            "date « {shown} » invalide (AAAA-MM-JJ, AAAA-MM ou AAAA)"
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
    let shown: String = raw.chars().take(40).collect();
    let note = Some(format!("date de naissance donnée : « {shown} »"));
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
    collect(progress, |sink| csv_rows(input, sink))
}

fn csv_rows(input: impl Read, sink: &mut dyn FnMut(Row)) -> Result<(), String> {
    // Streamed: a list of a million rows is never whole in memory as text.
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bounded(input, b'\n'));
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
    let mut seen = std::collections::HashSet::new();
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            // A run beyond RUN_MAX: the file is refused whole, not a row.
            Err(e) if matches!(e.kind(), ::csv::ErrorKind::Io(_)) => {
                return Err(format!("lecture impossible : {e}"));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                sink(Row::Rejected(Rejected {
                    line,
                    reason: format!("ligne CSV illisible : {e}"),
                }));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let reject = |reason: String| Row::Rejected(Rejected { line, reason });
        if rec.len() != headers.len() {
            sink(reject(format!(
                "{} colonnes au lieu de {}",
                rec.len(),
                headers.len()
            )));
            continue;
        }
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").trim().to_string();
        let external_id = get(Some(id));
        let full_name = get(Some(name));
        // Every rule checked, every broken one said.
        let mut reasons: Vec<String> = Vec::new();
        if external_id.is_empty() || full_name.is_empty() {
            reasons.push("id et full_name sont obligatoires".into());
        }
        if external_id.chars().count() > ID_MAX {
            reasons.push(format!("id trop long ({ID_MAX} caractères au plus)"));
        }
        let names: Vec<String> = get(aliases)
            .split(';')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect();
        if let Err(e) = check_names(&full_name, &names) {
            reasons.push(e);
        }
        let birth_date = date(&get(birth)).unwrap_or_else(|e| {
            reasons.push(e);
            None
        });
        let expires_at = expiry(&get(expires)).unwrap_or_else(|e| {
            reasons.push(format!("expiration : {e}"));
            None
        });
        let nationality = Some(get(nat).to_uppercase()).filter(|n| !n.is_empty());
        if nationality.as_ref().is_some_and(|n| {
            !(2..=3).contains(&n.len()) || !n.bytes().all(|c| c.is_ascii_uppercase())
        }) {
            let given: String = get(nat).chars().take(20).collect();
            reasons.push(format!("nationalité « {given} » : code ISO attendu"));
        }
        let instr = Instruction::parse(&get(instruction));
        if instr.is_none() {
            let given: String = get(instruction).chars().take(40).collect();
            reasons.push(format!("instruction « {given} » inconnue"));
        }
        let reason_text = get(reason);
        if reason_text.chars().count() > REASON_MAX {
            reasons.push(format!("motif trop long ({REASON_MAX} caractères au plus)"));
        }
        let Some(instr) = instr.filter(|_| reasons.is_empty()) else {
            sink(reject(reasons.join(" ; ")));
            continue;
        };
        // Counted only once the row is valid: a refused row does not block its correction.
        if !seen.insert(external_id.clone()) {
            sink(reject(format!("identifiant « {external_id} » en double")));
            continue;
        }
        sink(Row::Accepted(ListedPerson {
            external_id,
            full_name,
            aliases: dedup_aliases(&names, ""),
            birth_date,
            nationality,
            reason: reason_text,
            instruction: instr,
            expires_at,
        }));
    }
    Ok(())
}

/// The names of an entry within bounds: each at most `NAME_MAX` characters, at most
/// `ALIASES_MAX` of them.
fn check_names(full_name: &str, aliases: &[String]) -> Result<(), String> {
    if full_name.chars().count() > NAME_MAX || aliases.iter().any(|a| a.chars().count() > NAME_MAX)
    {
        return Err(format!("nom trop long ({NAME_MAX} caractères au plus)"));
    }
    if aliases.len() > ALIASES_MAX {
        // Counted after de-duplication: a list may repeat a name many times.
        let distinct: std::collections::HashSet<&str> =
            aliases.iter().map(String::as_str).collect();
        if distinct.len() > ALIASES_MAX {
            return Err(format!(
                "plus de {ALIASES_MAX} noms pour une seule personne"
            ));
        }
    }
    Ok(())
}

/// The aliases once each, in their order, without the main name: linear in their number (a
/// list entry with 100,000 aliases took 12 s with a search in the kept ones).
fn dedup_aliases(names: &[String], full_name: &str) -> Vec<String> {
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    seen.insert(full_name);
    names
        .iter()
        .filter(|n| seen.insert(n.as_str()))
        .cloned()
        .collect()
}

fn person(
    external_id: String,
    names: Vec<String>,
    birth: Option<String>,
    nationality: Option<String>,
    reason: String,
) -> Result<ListedPerson, String> {
    if external_id.chars().count() > ID_MAX {
        return Err(format!(
            "identifiant trop long ({ID_MAX} caractères au plus)"
        ));
    }
    let names: Vec<String> = names
        .into_iter()
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty())
        .collect();
    let (full_name, aliases) = names.split_first().ok_or("aucun nom")?;
    check_names(full_name, aliases)?;
    let aliases = dedup_aliases(aliases, full_name);
    let (birth_date, note) = lenient_birth(birth.as_deref().unwrap_or(""));
    let reason = match note {
        Some(n) if reason.is_empty() => n,
        Some(n) => format!("{reason} ({n})"),
        None => reason,
    };
    // A list's own comments may run long: what is beyond is cut, said in the reason.
    let reason = if reason.chars().count() > REASON_MAX {
        let cut: String = reason.chars().take(REASON_MAX - 1).collect();
        format!("{cut}…")
    } else {
        reason
    };
    Ok(ListedPerson {
        external_id,
        full_name: full_name.clone(),
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
    collect(progress, |sink| ftm_rows(input, sink))
}

fn ftm_rows(input: impl Read, sink: &mut dyn FnMut(Row)) -> Result<(), String> {
    use std::io::BufRead;
    let mut seen = std::collections::HashSet::new();
    for (n, line) in std::io::BufReader::new(bounded(input, b'\n'))
        .lines()
        .enumerate()
    {
        let line_no = n as u64 + 1;
        let line = line.map_err(|e| format!("lecture impossible : {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                sink(Row::Rejected(Rejected {
                    line: line_no,
                    reason: format!("JSON invalide : {e}"),
                }));
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
            sink(Row::Rejected(Rejected {
                line: line_no,
                reason: "entité sans id".into(),
            }));
            continue;
        };
        if seen.contains(&id) {
            let shown: String = id.chars().take(ID_MAX).collect();
            sink(Row::Rejected(Rejected {
                line: line_no,
                reason: format!("identifiant « {shown} » en double"),
            }));
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
                sink(Row::Accepted(p));
            }
            Err(e) => sink(Row::Rejected(Rejected {
                line: line_no,
                reason: e,
            })),
        }
    }
    Ok(())
}

/// The UN Security Council consolidated list (schema `sc-sanctions.xsd`), read as a stream:
/// each `INDIVIDUAL` becomes an entry (names, aliases, first birth date, nationality and
/// comments kept in the reason, as the list names countries in words); entities are skipped.
pub fn un_xml(input: impl Read, progress: &mut dyn FnMut(usize)) -> Result<Parsed, String> {
    collect(progress, |sink| un_xml_rows(input, sink))
}

fn un_xml_rows(input: impl Read, sink: &mut dyn FnMut(Row)) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(bounded(input, b'<')));
    let mut buf = Vec::new();
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
            textual @ (Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)) => {
                crate::xlsx::push_text(&textual, &mut text)
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
                        Ok(p) => sink(Row::Accepted(p)),
                        Err(e) => sink(Row::Rejected(Rejected {
                            line: count as u64,
                            reason: format!("individu n° {count} : {e}"),
                        })),
                    }
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

#[derive(Default)]
struct HashMapFields {
    single: std::collections::HashMap<String, String>,
    name_parts: Vec<String>,
    aliases: Vec<String>,
    birth: Option<String>,
    nationalities: Vec<String>,
}
