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
