//! Files the pages hand out (CSV, PDF, XLSX, JSON exports): the headers that name them, and
//! CSV cells a spreadsheet will not run as formulas.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A file the browser saves under `filename`.
pub fn attachment(content_type: &str, filename: &str, body: impl Into<Body>) -> Response {
    file("attachment", content_type, filename, body.into())
}

/// A file the browser shows (a PDF opens in its viewer), saved under `filename` if asked.
pub fn inline(content_type: &str, filename: &str, body: impl Into<Body>) -> Response {
    file("inline", content_type, filename, body.into())
}

fn file(disposition: &str, content_type: &str, filename: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// One quoted CSV cell; text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`
/// first) is defused with a `'`, numbers (negative longitudes) are left as they are.
pub fn csv_cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@']) && v.parse::<f64>().is_err() {
        format!("'{v}")
    } else {
        v.to_string()
    };
    format!("\"{}\"", v.replace('"', "\"\""))
}

/// A CSV line of quoted cells, with its line end.
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// Report tables as a workbook, a sheet each (named after its table), numbers as numbers.
pub fn xlsx_tables(tables: &[crate::web::page::DetailTable]) -> crate::error::AppResult<Vec<u8>> {
    xlsx_sheets(tables, |_, _| false)
}

/// The same, where `text(sheet, column)` names the columns kept as text even where a cell
/// reads as a number: a code `1.10` written as a number would be read back as 1.1.
pub fn xlsx_sheets(
    tables: &[crate::web::page::DetailTable],
    text: impl Fn(usize, usize) -> bool,
) -> crate::error::AppResult<Vec<u8>> {
    let xlsx =
        |e: rust_xlsxwriter::XlsxError| crate::error::AppError::Internal(format!("xlsx: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (i, t) in tables.iter().enumerate() {
        let sheet = book.add_worksheet();
        // Sheet names are at most 31 characters, without some punctuation.
        let name: String = t
            .title
            .chars()
            .filter(|ch| !"[]:*?/\\".contains(*ch))
            .take(28)
            .collect();
        sheet.set_name(format!("{} {name}", i + 1)).map_err(xlsx)?;
        for (col, head) in t.columns.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            sheet
                .write_string_with_format(0, col, head, &bold)
                .map_err(xlsx)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (col, cell) in row.cells.iter().enumerate() {
                let number = if text(i, col) {
                    None
                } else {
                    cell.parse::<f64>().ok()
                };
                let col = u16::try_from(col).unwrap_or(u16::MAX);
                match number {
                    Some(n) => sheet.write_number(r, col, n).map_err(xlsx)?,
                    None => sheet.write_string(r, col, cell).map_err(xlsx)?,
                };
            }
        }
    }
    book.save_to_buffer().map_err(xlsx)
}

#[cfg(test)]
mod tests {
    use super::{csv_cell, csv_line};

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        assert_eq!(csv_cell("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
        assert_eq!(csv_cell("-cmd"), "\"'-cmd\"");
        assert_eq!(csv_cell("-4.1970"), "\"-4.1970\"");
        assert_eq!(csv_cell("Ag \"Hamma\""), "\"Ag \"\"Hamma\"\"\"");
        assert_eq!(csv_line(&["a", "1"]), "\"a\",\"1\"\n");
    }
}
