//! Strict reading of the machine-readable zone (MRZ) of ICAO Doc 9303 travel documents: TD1 (ID
//! cards, 3×30), TD2 (2×36), TD3 (passports, 2×44), MRV-A (2×44) and MRV-B (2×36) visas, and the
//! French identity card of 1994–2021 (2×36, not ICAO), recognised so that it is never taken for a
//! TD2.
//!
//! `parse` checks every rule and gives a strict verdict: `valid` is true only when every rule
//! holds, and a false verdict always names at least one error. What is tolerated (a sex `X` in
//! the zone, a long number whose check counts the filler …) is an error marked `tolerated`: the
//! document is still read as printed, but the verdict is false. What is only worth knowing (an
//! expired document, a name that may be truncated, a country code absent from the table while
//! every digit verifies) is a warning that leaves the verdict alone. `read` takes raw text as a scanner
//! or a person typed it, finds the zone, and repairs the usual OCR and typing confusions only
//! where the check digits prove the repair, and only when exactly one repair does.
//!
//! Pure: no I/O, no clock (the caller gives today's date), no panics on any input.

mod date;
mod repair;

pub use date::Date;

include!(concat!(env!("OUT_DIR"), "/countries.rs"));

/// The layout of a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Td1,
    Td2,
    Td3,
    MrvA,
    MrvB,
    /// The French national identity card of 1994–2021: 2×36 like a TD2, but not ICAO.
    FraId1994,
    Unknown,
}

impl Format {
    /// The name used in the CLI's JSON (`TD1`, `TD2`, `TD3`, `MRVA`, `MRVB`, `FRA_ID_1994`,
    /// `UNKNOWN`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Td1 => "TD1",
            Format::Td2 => "TD2",
            Format::Td3 => "TD3",
            Format::MrvA => "MRVA",
            Format::MrvB => "MRVB",
            Format::FraId1994 => "FRA_ID_1994",
            Format::Unknown => "UNKNOWN",
        }
    }
}

/// Every code an `Issue` may carry (the application has a label for each: `mrz-code-…`).
pub const CODES: &[&str] = &[
    "ambiguous_repair",
    "birth_date",
    "birth_date_partial",
    "birth_date_unknown",
    "check_digit",
    "country_code",
    "document_code",
    "document_expired",
    "document_number",
    "expiry_date",
    "invalid_character",
    "line1_nonconformant",
    "long_number_filler_included",
    "name",
    "name_possibly_truncated",
    "non_icao_format",
    "primary_identifier_empty",
    "repair_unproven",
    "repaired",
    "sex",
    "sex_x_in_mrz",
    "unknown_country",
    "unknown_format",
];

/// Every check digit's name (`Check::name`).
pub const CHECKS: &[&str] = &[
    "document_number",
    "birth_date",
    "expiry_date",
    "optional_data",
    "composite",
];

/// A rule that did not hold, or a fact worth knowing, with a stable code and an English message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub code: &'static str,
    pub message: String,
    /// On an error: true when the document is still read as printed despite it (a tolerated
    /// deviation, which a repair need not fix); always false on a warning.
    pub tolerated: bool,
}

/// One check digit and whether it verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
}

/// One character changed by a repair (line and column from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub line: usize,
    pub column: usize,
    pub from: char,
    pub to: char,
}

/// Everything read from one zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub format: Option<Format>,
    pub valid: bool,
    /// The zone as read (after repair, when there was one).
    pub lines: Vec<String>,
    pub document_code: String,
    pub issuing_country: String,
    pub surname: String,
    pub given_names: String,
    pub document_number: String,
    pub nationality: String,
    /// `YYMMDD` as printed.
    pub birth_date: String,
    /// `YYYY-MM-DD`, or `YYYY` / `YYYY-MM` when the zone leaves parts unknown.
    pub birth_date_iso: Option<String>,
    /// `M`, `F` or `X` (unspecified).
    pub sex: String,
    pub expiry_date: String,
    pub expiry_date_iso: Option<String>,
    pub optional_data: String,
    /// TD1 line 2 only.
    pub optional_data_2: String,
    pub checks: Vec<Check>,
    pub warnings: Vec<Issue>,
    pub errors: Vec<Issue>,
    pub repaired: Vec<Change>,
}

impl Document {
    pub fn format(&self) -> Format {
        self.format.unwrap_or(Format::Unknown)
    }

    fn error(&mut self, code: &'static str, message: String) {
        self.errors.push(Issue {
            code,
            message,
            tolerated: false,
        });
    }

    fn tolerate(&mut self, code: &'static str, message: String) {
        self.errors.push(Issue {
            code,
            message,
            tolerated: true,
        });
    }

    fn note(&mut self, code: &'static str, message: String) {
        self.warnings.push(Issue {
            code,
            message,
            tolerated: false,
        });
    }

    /// True when every error is a tolerated deviation: the zone reads as printed.
    pub fn reads_as_printed(&self) -> bool {
        self.errors.iter().all(|e| e.tolerated) && self.checks.iter().all(|c| c.ok)
    }

    fn finish(mut self) -> Document {
        // Every failed check has pushed its `check_digit` error: no error, no false verdict.
        self.valid = self.errors.is_empty() && self.checks.iter().all(|c| c.ok);
        self
    }
}

/// The value of a character for the check digit: digits as themselves, `A`–`Z` as 10–35, `<`
/// as 0; `None` for anything else.
pub fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The ICAO 9303 check digit (weights 7, 3, 1) of the characters given, in order.
pub fn check_digit<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Option<u8> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    let mut i = 0usize;
    for part in parts {
        for &c in part {
            sum = (sum + char_value(c)? * WEIGHTS[i % 3]) % 10;
            i = (i + 1) % 3;
        }
    }
    Some(b'0' + (sum % 10) as u8)
}

/// True when `code` (fillers removed) is in the versioned country table.
pub fn known_country(code: &str) -> bool {
    COUNTRY_CODES.binary_search(&code).is_ok()
}

/// The ISO 3166-1 alpha-2 code of an MRZ country code (`MLI` → `ML`, `D` → `DE`), or `None`
/// for the codes that have none (`XXA`, organisations) and unknown ones. Watchlists give
/// nationalities in alpha-2, documents in alpha-3: both are compared in alpha-2.
pub fn alpha2(code: &str) -> Option<&'static str> {
    ALPHA2
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .and_then(|i| ALPHA2.get(i))
        .map(|(_, a2)| *a2)
}

fn is_mrz_char(c: u8) -> bool {
    c.is_ascii_digit() || c.is_ascii_uppercase() || c == b'<'
}

/// Which format the lengths and first characters of the lines say.
pub fn detect(lines: &[&str]) -> Format {
    let len = |i: usize| lines.get(i).map_or(0, |l| l.len());
    let first = lines.first().and_then(|l| l.as_bytes().first()).copied();
    match (lines.len(), len(0), len(1), len(2)) {
        (3, 30, 30, 30) => Format::Td1,
        (2, 44, 44, _) if first == Some(b'V') => Format::MrvA,
        (2, 44, 44, _) => Format::Td3,
        (2, 36, 36, _) if first == Some(b'V') => Format::MrvB,
        (2, 36, 36, _) if looks_like_fra_1994(lines) => Format::FraId1994,
        (2, 36, 36, _) => Format::Td2,
        _ => Format::Unknown,
    }
}

/// The French card of 1994–2021 starts `IDFRA` and carries, on line 2, a 12-character number,
/// its check digit, 14 characters of given names and then the birth date — where a TD2 has its
/// nationality and birth date elsewhere.
fn looks_like_fra_1994(lines: &[&str]) -> bool {
    let (Some(l1), Some(l2)) = (lines.first(), lines.get(1)) else {
        return false;
    };
    let l2 = l2.as_bytes();
    l1.starts_with("IDFRA")
        && l2
            .get(13..27)
            .is_some_and(|n| n.iter().all(|c| c.is_ascii_uppercase() || *c == b'<'))
        && l2
            .get(27..34)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}

/// Parses a zone given as its lines, strictly. Never panics; odd input gives errors.
pub fn parse(lines: &[&str], today: Date) -> Document {
    let format = detect(lines);
    let mut doc = Document {
        format: Some(format),
        lines: lines.iter().map(|l| l.to_string()).collect(),
        checks: Vec::with_capacity(5),
        ..Document::default()
    };
    for (i, line) in lines.iter().enumerate() {
        if let Some(pos) = line.bytes().position(|c| !is_mrz_char(c)) {
            doc.error(
                "invalid_character",
                format!(
                    "line {}, column {}: only 0-9, A-Z and < are allowed",
                    i + 1,
                    pos + 1
                ),
            );
        }
    }
    match (format, lines) {
        (Format::Td1, [l1, l2, l3]) => {
            parse_td1(&mut doc, l1.as_bytes(), l2.as_bytes(), l3.as_bytes(), today)
        }
        (Format::Td2 | Format::Td3 | Format::MrvA | Format::MrvB, [l1, l2]) => {
            parse_two_line(&mut doc, format, l1.as_bytes(), l2.as_bytes(), today)
        }
        (Format::FraId1994, [l1, l2]) => {
            parse_fra_1994(&mut doc, l1.as_bytes(), l2.as_bytes(), today)
        }
        _ => {
            let shape: Vec<String> = lines.iter().map(|l| l.len().to_string()).collect();
            doc.error(
                "unknown_format",
                format!(
                    "{} line(s) of {} characters: not an ICAO zone",
                    lines.len(),
                    shape.join("/")
                ),
            );
        }
    }
    doc.finish()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A field with its fillers removed at both ends.
fn trimmed(bytes: &[u8]) -> String {
    let start = bytes.iter().position(|c| *c != b'<').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|c| *c != b'<')
        .map_or(start, |e| e + 1);
    text(bytes.get(start..end).unwrap_or(&[]))
}

/// The words of a name part (`ANNA<MARIA` → `ANNA MARIA`).
fn words(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for w in part.split('<').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

fn slice(line: &[u8], from: usize, to: usize) -> &[u8] {
    line.get(from..to).unwrap_or(&[])
}

/// Verifies one check digit and records it.
fn check(doc: &mut Document, name: &'static str, data: &[&[u8]], digit: Option<u8>) -> bool {
    let ok = matches!((check_digit(data.iter().copied()), digit), (Some(a), Some(b)) if a == b);
    doc.checks.push(Check { name, ok });
    if !ok {
        doc.error(
            "check_digit",
            format!("the {name} check digit does not verify"),
        );
    }
    ok
}

fn document_code(doc: &mut Document, code: &[u8], allowed_first: &[u8], format: Format) {
    doc.document_code = trimmed(code);
    let first = code.first().copied().unwrap_or(b'<');
    let second = code.get(1).copied().unwrap_or(b'<');
    if !allowed_first.contains(&first) || !(second == b'<' || second.is_ascii_uppercase()) {
        doc.error(
            "document_code",
            format!(
                "document code {:?} is not allowed in a {}",
                text(code),
                format.name()
            ),
        );
    }
    if matches!(format, Format::Td1 | Format::Td2) && second == b'V' {
        doc.error(
            "document_code",
            "a TD1 or TD2 code cannot have V as its second letter".into(),
        );
    }
}

fn country(doc: &mut Document, field: &'static str, code: &[u8]) -> String {
    let value = trimmed(code);
    let well_formed = code.first().is_some_and(u8::is_ascii_uppercase)
        && value.bytes().all(|c| c.is_ascii_uppercase());
    if !well_formed {
        doc.error(
            "country_code",
            format!("{field} {:?} is not a country code", text(code)),
        );
    } else if !known_country(&value) {
        // Real documents carry codes the table lacks; the digits decide, the agent judges.
        doc.note(
            "unknown_country",
            format!(
                "{field} {value} is not in the country table (version {COUNTRY_TABLE_VERSION})"
            ),
        );
    }
    value
}

fn sex(doc: &mut Document, c: u8) {
    doc.sex = match c {
        b'M' => "M".into(),
        b'F' => "F".into(),
        b'<' => "X".into(),
        b'X' => {
            doc.tolerate(
                "sex_x_in_mrz",
                "sex X is printed in the zone, where ICAO requires <".into(),
            );
            "X".into()
        }
        other => {
            doc.error(
                "sex",
                format!("sex {:?} is not M, F or <", char::from(other)),
            );
            String::new()
        }
    };
}

fn birth_date(doc: &mut Document, raw: &[u8], today: Date) {
    doc.birth_date = text(raw);
    // Doc 9303 Part 3 4.8: an unknown birth date is filled with < (all of it, or part).
    if raw.len() == 6 && raw.iter().all(|c| *c == b'<') {
        doc.note(
            "birth_date_unknown",
            "the birth date is unknown (filled with <)".into(),
        );
        return;
    }
    match date::birth(raw, today) {
        Ok(date::Reading::Full(d)) => doc.birth_date_iso = Some(d.iso()),
        Ok(date::Reading::Partial(iso)) => {
            doc.note(
                "birth_date_partial",
                format!("birth date known only as {iso}"),
            );
            doc.birth_date_iso = Some(iso);
        }
        Err(why) => doc.error("birth_date", format!("birth date {:?}: {why}", text(raw))),
    }
}

fn expiry_date(doc: &mut Document, raw: &[u8], today: Date) {
    doc.expiry_date = text(raw);
    match date::expiry(raw, today) {
        Ok(d) => {
            if d < today {
                doc.note(
                    "document_expired",
                    format!("the document expired on {}", d.iso()),
                );
            }
            doc.expiry_date_iso = Some(d.iso());
        }
        Err(why) => doc.error("expiry_date", format!("expiry date {:?}: {why}", text(raw))),
    }
}

/// Splits a name field into primary and secondary identifiers.
fn names(doc: &mut Document, field: &[u8], line: usize) {
    if field.iter().any(u8::is_ascii_digit) {
        if line == 1 {
            doc.tolerate(
                "line1_nonconformant",
                "the name field of line 1 contains digits".into(),
            );
        } else {
            doc.error("name", "the name field contains digits".into());
        }
    }
    let raw = text(field);
    let (primary, secondary) = match raw.find("<<") {
        Some(i) => (raw.get(..i).unwrap_or(""), raw.get(i + 2..).unwrap_or("")),
        None => (raw.as_str(), ""),
    };
    doc.surname = words(primary);
    doc.given_names = words(secondary);
    if doc.surname.is_empty() && doc.given_names.is_empty() {
        doc.error("name", "the name field is empty".into());
    } else if doc.surname.is_empty() {
        doc.note(
            "primary_identifier_empty",
            "the name has no primary identifier".into(),
        );
    }
    if field.last().is_some_and(|c| *c != b'<') {
        doc.note(
            "name_possibly_truncated",
            "the name fills its field: it may be truncated".into(),
        );
    }
}

/// A document number of at most 9 characters, or a longer one continued in `overflow` (ICAO
/// Doc 9303 Part 5 note j): then the check digit position holds `<`, the continuation runs in
/// the optional data up to a `<`, and its last character is the check digit.
fn document_number(doc: &mut Document, number: &[u8], digit: u8, overflow: &[u8]) -> usize {
    if digit != b'<' || overflow.first().is_none_or(|c| *c == b'<') {
        if number.first() == Some(&b'<') {
            doc.error(
                "document_number",
                "the document number starts with a filler".into(),
            );
        }
        doc.document_number = trimmed(number);
        check(doc, "document_number", &[number], Some(digit));
        return 0;
    }
    let len = overflow
        .iter()
        .position(|c| *c == b'<')
        .unwrap_or(overflow.len());
    if len < 2 {
        doc.error(
            "document_number",
            "a long document number needs a continuation and its check digit".into(),
        );
    }
    let (continuation, cd) = match len.checked_sub(1) {
        Some(last) => (slice(overflow, 0, last), overflow.get(last).copied()),
        None => (&[][..], None),
    };
    doc.document_number = format!("{}{}", text(number), text(continuation)).replace('<', "");
    let proper = check_digit([number, continuation]);
    if proper.is_some() && proper == cd {
        doc.checks.push(Check {
            name: "document_number",
            ok: true,
        });
    } else if check_digit([number, &[b'<'][..], continuation]).is_some_and(|d| Some(d) == cd) {
        // Older Belgian cards (BO-03003) count the filler at the check digit position.
        doc.checks.push(Check {
            name: "document_number",
            ok: true,
        });
        doc.tolerate(
            "long_number_filler_included",
            "the long document number's check digit counts the < at the check position".into(),
        );
    } else {
        check(doc, "document_number", &[number, continuation], cd);
    }
    len
}

fn parse_td1(doc: &mut Document, l1: &[u8], l2: &[u8], l3: &[u8], today: Date) {
    document_code(doc, slice(l1, 0, 2), b"ACI", Format::Td1);
    doc.issuing_country = country(doc, "issuing country", slice(l1, 2, 5));
    let digit = l1.get(14).copied().unwrap_or(b'<');
    let used = document_number(doc, slice(l1, 5, 14), digit, slice(l1, 15, 30));
    doc.optional_data = trimmed(slice(l1, 15 + used, 30));
    birth_date(doc, slice(l2, 0, 6), today);
    check(doc, "birth_date", &[slice(l2, 0, 6)], l2.get(6).copied());
    sex(doc, l2.get(7).copied().unwrap_or(b'?'));
    expiry_date(doc, slice(l2, 8, 14), today);
    check(doc, "expiry_date", &[slice(l2, 8, 14)], l2.get(14).copied());
    doc.nationality = country(doc, "nationality", slice(l2, 15, 18));
    doc.optional_data_2 = trimmed(slice(l2, 18, 29));
    check(
        doc,
        "composite",
        &[
            slice(l1, 5, 30),
            slice(l2, 0, 7),
            slice(l2, 8, 15),
            slice(l2, 18, 29),
        ],
        l2.get(29).copied(),
    );
    names(doc, l3, 3);
}

fn parse_two_line(doc: &mut Document, format: Format, l1: &[u8], l2: &[u8], today: Date) {
    let width = l1.len();
    let allowed: &[u8] = match format {
        Format::Td3 => b"P",
        Format::MrvA | Format::MrvB => b"V",
        _ => b"ACI",
    };
    document_code(doc, slice(l1, 0, 2), allowed, format);
    doc.issuing_country = country(doc, "issuing country", slice(l1, 2, 5));
    names(doc, slice(l1, 5, width), 1);
    let (optional_end, composite) = match format {
        Format::Td3 => (42, true),
        Format::Td2 => (35, true),
        Format::MrvA => (44, false),
        _ => (36, false),
    };
    let digit = l2.get(9).copied().unwrap_or(b'<');
    let used = if format == Format::Td2 {
        document_number(doc, slice(l2, 0, 9), digit, slice(l2, 28, 35))
    } else {
        document_number(doc, slice(l2, 0, 9), digit, &[])
    };
    doc.nationality = country(doc, "nationality", slice(l2, 10, 13));
    birth_date(doc, slice(l2, 13, 19), today);
    check(doc, "birth_date", &[slice(l2, 13, 19)], l2.get(19).copied());
    sex(doc, l2.get(20).copied().unwrap_or(b'?'));
    expiry_date(doc, slice(l2, 21, 27), today);
    check(
        doc,
        "expiry_date",
        &[slice(l2, 21, 27)],
        l2.get(27).copied(),
    );
    let optional = slice(l2, 28 + used, optional_end);
    doc.optional_data = trimmed(optional);
    if format == Format::Td3 {
        // The optional data's digit may be < (or 0) when the field is empty.
        let digit = l2.get(42).copied();
        let empty = optional.iter().all(|c| *c == b'<');
        if empty && matches!(digit, Some(b'<' | b'0')) {
            doc.checks.push(Check {
                name: "optional_data",
                ok: true,
            });
        } else {
            check(doc, "optional_data", &[optional], digit);
        }
    }
    if composite {
        let end = if format == Format::Td3 { 43 } else { 35 };
        check(
            doc,
            "composite",
            &[slice(l2, 0, 10), slice(l2, 13, 20), slice(l2, 21, end)],
            l2.get(end).copied(),
        );
    }
}

fn parse_fra_1994(doc: &mut Document, l1: &[u8], l2: &[u8], today: Date) {
    doc.note(
        "non_icao_format",
        "French identity card of 1994–2021: not an ICAO document".into(),
    );
    doc.document_code = "ID".into();
    doc.issuing_country = "FRA".into();
    doc.nationality = "FRA".into();
    doc.surname = words(&text(slice(l1, 5, 30)));
    doc.optional_data = trimmed(slice(l1, 30, 36));
    doc.document_number = trimmed(slice(l2, 0, 12));
    check(
        doc,
        "document_number",
        &[slice(l2, 0, 12)],
        l2.get(12).copied(),
    );
    doc.given_names = text(slice(l2, 13, 27))
        .split("<<")
        .map(words)
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    birth_date(doc, slice(l2, 27, 33), today);
    check(doc, "birth_date", &[slice(l2, 27, 33)], l2.get(33).copied());
    sex(doc, l2.get(34).copied().unwrap_or(b'?'));
    check(
        doc,
        "composite",
        &[l1, slice(l2, 0, 35)],
        l2.get(35).copied(),
    );
}

/// Reads a document from raw text (as a scanner or a person typed it): finds the zone among the
/// lines, takes spaces out and capitals in, parses it strictly, and when check digits fail tries
/// the usual confusions (O/0, I/1, B/8, S/5, Z/2, G/6, D/0) in the fields whose type is known.
/// A repair is kept only when exactly one candidate makes every check digit verify.
pub fn read(raw: &str, today: Date) -> Document {
    let lines = zone(raw);
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let doc = parse(&refs, today);
    if doc.reads_as_printed() || doc.format() == Format::Unknown {
        return doc;
    }
    repair::repair(doc, &refs, today)
}

/// The zone's lines found in raw text: the last run of lines whose lengths make a format, or,
/// failing that, the lines that look like a zone.
pub fn zone(raw: &str) -> Vec<String> {
    let cleaned: Vec<String> = raw
        .lines()
        .map(|l| {
            l.chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| match c {
                    '«' | '‹' => '<',
                    c => c.to_ascii_uppercase(),
                })
                .collect::<String>()
        })
        .filter(|l| !l.is_empty())
        .collect();
    for (count, width) in [(3usize, 30usize), (2, 44), (2, 36)] {
        let found = cleaned
            .windows(count)
            .rposition(|w| w.iter().all(|l| l.chars().count() == width));
        if let Some(start) = found
            && let Some(run) = cleaned.get(start..start + count)
        {
            return run.to_vec();
        }
    }
    cleaned.into_iter().filter(|l| l.contains('<')).collect()
}
