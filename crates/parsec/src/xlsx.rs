//! A small reader of XLSX workbooks (Office Open XML spreadsheets) for the imports: each
//! sheet's rows of cells, as text or as the number the file stores. The writer is
//! `rust_xlsxwriter` (`web::download::xlsx_tables`); reading needs only its zip and the XML
//! reader already in the tree (calamine would bring a second zip and quick-xml, older ones).
//! Formulas are read as their last computed value, styles and dates' formats are ignored (a
//! date typed in a cell is its serial number, `excel_day` reads it). Bounded: an uploaded
//! file's parts are read up to `PART_MOST` bytes each, however well they compress.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;

use quick_xml::events::{BytesStart, Event};

/// The most a part of the workbook (a sheet, the shared strings) may hold once inflated.
pub const PART_MOST: u64 = 32 * 1024 * 1024;

/// The most cells a workbook may hold in all.
const CELLS_MOST: usize = 2_000_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number as the file writes it (`1234567.89`, `1E-3`): read it exactly from its text.
    Number(String),
    Bool(bool),
    /// An error value (`#DIV/0!`).
    Error(String),
}

impl Cell {
    /// The cell as text: a number as the file writes it, an empty cell as "".
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) | Cell::Number(s) | Cell::Error(s) => Cow::Borrowed(s.trim()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "1" } else { "0" }),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text().is_empty()
    }
}

/// A row: its number in the sheet (from 1, as the spreadsheet shows it) and its cells from
/// column A (missing cells are `Empty`).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cell(&self, col: usize) -> &Cell {
        self.cells.get(col).unwrap_or(&Cell::Empty)
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_empty)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
}

/// Why a file could not be read as a workbook (for the log; the user is told it is not one).
#[derive(Debug, thiserror::Error)]
#[error("xlsx: {0}")]
pub struct XlsxError(String);

fn err(what: impl std::fmt::Display) -> XlsxError {
    XlsxError(what.to_string())
}

/// The sheets of a workbook, in the workbook's order.
pub fn read(bytes: &[u8]) -> Result<Vec<Sheet>, XlsxError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(err)?;
    let workbook = part(&mut zip, "xl/workbook.xml")?.ok_or_else(|| err("no workbook"))?;
    let rels = part(&mut zip, "xl/_rels/workbook.xml.rels")?.unwrap_or_default();
    let shared = match part(&mut zip, "xl/sharedStrings.xml")? {
        Some(xml) => shared_strings(&xml)?,
        None => Vec::new(),
    };
    let targets = relationships(&rels)?;
    let mut cells = 0usize;
    let mut sheets = Vec::new();
    for (name, rel) in sheet_list(&workbook)? {
        let Some(target) = targets.get(&rel) else {
            return Err(err(format!("sheet {name}: no target")));
        };
        // Targets are relative to `xl/`, or absolute in the package.
        let path = match target.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("xl/{target}"),
        };
        let xml = part(&mut zip, &path)?.ok_or_else(|| err(format!("missing {path}")))?;
        let rows = sheet_rows(&xml, &shared, &mut cells)?;
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

/// A part of the package as text, or None when it is absent.
fn part(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, XlsxError> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(err(e)),
    };
    let mut text = String::new();
    file.take(PART_MOST + 1)
        .read_to_string(&mut text)
        .map_err(err)?;
    if text.len() as u64 > PART_MOST {
        return Err(err(format!("{name} is too large")));
    }
    Ok(Some(text))
}

fn attr(e: &BytesStart, name: &str) -> Result<Option<String>, XlsxError> {
    match e.try_get_attribute(name).map_err(err)? {
        Some(a) => Ok(Some(
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(err)?
                .into_owned(),
        )),
        None => Ok(None),
    }
}

/// Text, CDATA and entity references appended to `out` (the workbook's cells, and the UN
/// list's XML in `screening::import`).
pub(crate) fn push_text(event: &Event, out: &mut String) {
    match event {
        Event::Text(t) => out.push_str(&t.xml10_content()),
        Event::CData(t) => out.push_str(&t.xml10_content()),
        Event::GeneralRef(r) => match r.resolve_char_ref() {
            Ok(Some(c)) => out.push(c),
            _ => {
                let name: &str = r;
                out.push_str(match name {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                })
            }
        },
        _ => {}
    }
}

/// `<sheet name="…" r:id="rId1"/>` in the workbook's order.
fn sheet_list(xml: &str) -> Result<Vec<(String, String)>, XlsxError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().map_err(err)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                let name = attr(&e, "name")?.unwrap_or_default();
                let rel = attr(&e, "r:id")?.unwrap_or_default();
                out.push((name, rel));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Relationship ids to their targets.
fn relationships(xml: &str) -> Result<HashMap<String, String>, XlsxError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = HashMap::new();
    loop {
        match reader.read_event().map_err(err)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id")?, attr(&e, "Target")?) {
                    out.insert(id, target);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The shared strings, each the text of its runs (`<t>`), phonetic hints (`<rPh>`) left out.
fn shared_strings(xml: &str) -> Result<Vec<String>, XlsxError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut in_t, mut in_phonetic) = (false, false);
    loop {
        let event = reader.read_event().map_err(err)?;
        match &event {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => current.clear(),
                "t" => in_t = true,
                "rPh" => in_phonetic = true,
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == "si" => out.push(String::new()),
            Event::End(e) => match e.local_name().as_ref() {
                "si" => out.push(std::mem::take(&mut current)),
                "t" => in_t = false,
                "rPh" => in_phonetic = false,
                _ => {}
            },
            Event::Eof => break,
            _ if in_t && !in_phonetic => push_text(&event, &mut current),
            _ => {}
        }
    }
    Ok(out)
}

/// The column of a cell reference (`C12` → 2), if it has one.
fn column_of(reference: &str) -> Option<usize> {
    let letters: String = reference
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let n = letters.bytes().fold(0usize, |n, b| {
        n * 26 + usize::from(b.to_ascii_uppercase() - b'A') + 1
    });
    Some(n - 1)
}

/// A sheet's rows with their cells.
fn sheet_rows(xml: &str, shared: &[String], cells: &mut usize) -> Result<Vec<Row>, XlsxError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut rows: Vec<Row> = Vec::new();
    let mut row: Option<Row> = None;
    // The cell being read: its column, type and text (its `<v>` or inline `<t>`).
    let mut cell: Option<(usize, String)> = None;
    let mut value = String::new();
    let mut in_value = false;
    let mut next_row = 1u32;
    let mut next_col = 0usize;
    loop {
        let event = reader.read_event().map_err(err)?;
        match &event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "row" => {
                let number = attr(e, "r")?
                    .and_then(|r| r.parse::<u32>().ok())
                    .unwrap_or(next_row);
                next_row = number + 1;
                next_col = 0;
                let r = Row {
                    number,
                    cells: Vec::new(),
                };
                if matches!(event, Event::Empty(_)) {
                    rows.push(r);
                } else {
                    row = Some(r);
                }
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "c" => {
                let col = attr(e, "r")?
                    .and_then(|r| column_of(&r))
                    .unwrap_or(next_col);
                next_col = col + 1;
                if col > 16_384 {
                    return Err(err("column beyond XFD"));
                }
                let kind = attr(e, "t")?.unwrap_or_default();
                value.clear();
                if matches!(event, Event::Empty(_)) {
                    put(&mut row, col, Cell::Empty, cells)?;
                } else {
                    cell = Some((col, kind));
                }
            }
            Event::Start(e) if matches!(e.local_name().as_ref(), "v" | "t") && cell.is_some() => {
                in_value = true
            }
            Event::End(e) => match e.local_name().as_ref() {
                "v" | "t" => in_value = false,
                "c" => {
                    if let Some((col, kind)) = cell.take() {
                        let v = std::mem::take(&mut value);
                        let c = match kind.as_str() {
                            "s" => {
                                let i: usize = v.trim().parse().map_err(err)?;
                                let s = shared
                                    .get(i)
                                    .ok_or_else(|| err("shared string out of range"))?;
                                Cell::Text(s.clone())
                            }
                            "inlineStr" | "str" => Cell::Text(v),
                            "b" => Cell::Bool(v.trim() == "1"),
                            "e" => Cell::Error(v),
                            _ if v.trim().is_empty() => Cell::Empty,
                            _ => Cell::Number(v.trim().to_string()),
                        };
                        put(&mut row, col, c, cells)?;
                    }
                }
                "row" => rows.extend(row.take()),
                _ => {}
            },
            Event::Eof => break,
            _ if in_value => push_text(&event, &mut value),
            _ => {}
        }
    }
    Ok(rows)
}

fn put(row: &mut Option<Row>, col: usize, c: Cell, cells: &mut usize) -> Result<(), XlsxError> {
    let Some(row) = row.as_mut() else {
        return Ok(());
    };
    *cells += 1;
    if *cells > CELLS_MOST {
        return Err(err("too many cells"));
    }
    if row.cells.len() <= col {
        row.cells.resize(col + 1, Cell::Empty);
    }
    row.cells[col] = c;
    Ok(())
}

/// A day typed in a spreadsheet, stored as its serial number (days since 30 December 1899, the
/// 1900 date system's start once its false 29 February 1900 is counted): 46000 is 9 December
/// 2025. None for a number that is no day of the years we keep.
pub fn excel_day(serial: &str) -> Option<time::Date> {
    let whole = serial.trim().split('.').next()?.parse::<i64>().ok()?;
    // 1 January 1990 to 31 December 2099.
    if !(32_874..=73_050).contains(&whole) {
        return None;
    }
    let start = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    start.checked_add(time::Duration::days(whole))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook written by the writer the exports use, read back.
    #[test]
    fn a_written_workbook_reads_back() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Lignes").unwrap();
        sheet.write_string(0, 0, "Code").unwrap();
        sheet.write_string(0, 2, "Montant & co <€>").unwrap();
        sheet.write_string(1, 0, "1.10").unwrap();
        sheet.write_number(1, 1, 1234567.89).unwrap();
        sheet.write_number(1, 2, 0.1).unwrap();
        sheet.write_boolean(3, 0, true).unwrap();
        let second = book.add_worksheet();
        second.set_name("Écritures").unwrap();
        second.write_string(0, 0, "  espace ").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let sheets = read(&bytes).unwrap();
        assert_eq!(sheets.len(), 2);
        assert_eq!(sheets[0].name, "Lignes");
        assert_eq!(sheets[1].name, "Écritures");
        let rows = &sheets[0].rows;
        assert_eq!(rows[0].number, 1);
        assert_eq!(rows[0].cell(0), &Cell::Text("Code".into()));
        assert_eq!(rows[0].cell(1), &Cell::Empty);
        assert_eq!(rows[0].cell(2), &Cell::Text("Montant & co <€>".into()));
        assert_eq!(rows[1].cell(0), &Cell::Text("1.10".into()));
        assert_eq!(rows[1].cell(1), &Cell::Number("1234567.89".into()));
        assert_eq!(rows[1].cell(2), &Cell::Number("0.1".into()));
        assert_eq!(rows[1].cell(9), &Cell::Empty);
        let last = rows.last().unwrap();
        assert_eq!((last.number, last.cell(0)), (4, &Cell::Bool(true)));
        assert_eq!(sheets[1].rows[0].cell(0), &Cell::Text("  espace ".into()));
        assert_eq!(sheets[1].rows[0].cell(0).text(), "espace");
    }

    #[test]
    fn what_is_no_workbook_is_refused() {
        assert!(read(b"PK\x03\x04 not really").is_err());
        assert!(read(b"code,ligne\n1,2\n").is_err());
        assert!(read(&[]).is_err());
    }

    #[test]
    fn inline_strings_and_references_without_columns_are_read() {
        let xml = r#"<worksheet><sheetData><row><c t="inlineStr"><is><t>a&amp;b</t></is></c><c><v>2</v></c></row><row r="5"><c r="C5" t="str"><f>A1</f><v>x</v></c></row></sheetData></worksheet>"#;
        let mut n = 0;
        let rows = sheet_rows(xml, &[], &mut n).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].number, 1);
        assert_eq!(rows[0].cell(0), &Cell::Text("a&b".into()));
        assert_eq!(rows[0].cell(1), &Cell::Number("2".into()));
        assert_eq!(rows[1].number, 5);
        assert_eq!(rows[1].cell(2), &Cell::Text("x".into()));
    }

    #[test]
    fn serial_days_are_read() {
        assert_eq!(
            excel_day("46000").map(|d| d.to_string()).as_deref(),
            Some("2025-12-09")
        );
        assert_eq!(
            excel_day("42765.0").map(|d| d.to_string()).as_deref(),
            Some("2017-01-30")
        );
        assert_eq!(excel_day("12"), None);
        assert_eq!(excel_day("abc"), None);
    }
}
