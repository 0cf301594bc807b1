//! Reading machine-readable zones for people and scripts: `parsec mrz` reads documents from
//! standard input (separated by blank lines) and prints, per document, either one JSON object
//! per line (`--json`, a contract that scripts depend on: keep its fields stable) or a readable
//! summary in French or English.

use std::fmt::Write;

use mrz::{Date, Document};
use serde_json::{Map, Value, json};

use crate::i18n::{Catalog, Lang};

/// A day of the application's calendar as the MRZ engine takes it.
pub fn day(d: time::Date) -> mrz::Date {
    mrz::Date {
        year: d.year(),
        month: u8::from(d.month()),
        day: d.day(),
    }
}

/// The documents of a text: runs of non-blank lines.
pub fn documents(input: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in input.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                docs.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        docs.push(current.join("\n"));
    }
    docs
}

pub fn read(text: &str, today: Date) -> Document {
    mrz::read(text, today)
}

/// The JSON line of one document (CLI contract of `parsec mrz --json`).
pub fn to_json(doc: &Document) -> Value {
    let issues = |list: &[mrz::Issue]| -> Vec<Value> {
        list.iter()
            .map(|i| json!({"code": i.code, "message": i.message}))
            .collect()
    };
    let checks: Map<String, Value> = doc
        .checks
        .iter()
        .map(|c| (c.name.to_string(), Value::Bool(c.ok)))
        .collect();
    json!({
        "format": doc.format().name(),
        "valid": doc.valid,
        "document_code": doc.document_code,
        "issuing_country": doc.issuing_country,
        "surname": doc.surname,
        "given_names": doc.given_names,
        "document_number": doc.document_number,
        "nationality": doc.nationality,
        "birth_date": doc.birth_date,
        "birth_date_iso": doc.birth_date_iso,
        "sex": doc.sex,
        "expiry_date": doc.expiry_date,
        "expiry_date_iso": doc.expiry_date_iso,
        "optional_data": doc.optional_data,
        "optional_data_2": doc.optional_data_2,
        "checks": checks,
        "warnings": issues(&doc.warnings),
        "errors": issues(&doc.errors),
        "repaired": doc.repaired.iter().map(|c| json!({
            "line": c.line, "column": c.column, "from": c.from.to_string(), "to": c.to.to_string(),
        })).collect::<Vec<_>>(),
        "zone": doc.lines,
    })
}

/// The readable summary of one document, in the catalogue's language.
pub fn summary(doc: &Document, n: usize, catalog: &Catalog, lang: Lang) -> String {
    let t = |key: &str| catalog.get(lang, key).to_string();
    let verdict = if doc.valid {
        t("mrz-valid")
    } else {
        t("mrz-invalid")
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {n} : {} — {verdict}",
        t("mrz-document"),
        doc.format().name()
    );
    let show = |v: &str| {
        if v.is_empty() {
            "—".to_string()
        } else {
            v.to_string()
        }
    };
    let _ = writeln!(s, "  {} : {}", t("mrz-surname"), show(&doc.surname));
    let _ = writeln!(s, "  {} : {}", t("mrz-given-names"), show(&doc.given_names));
    let _ = writeln!(
        s,
        "  {} : {} ({}) · {} {} · {} {}",
        t("mrz-document-number"),
        show(&doc.document_number),
        show(&doc.document_code),
        t("mrz-issuer"),
        show(&doc.issuing_country),
        t("mrz-nationality"),
        show(&doc.nationality)
    );
    let date = |iso: &Option<String>, raw: &str| match iso {
        Some(d) => format!("{d} ({raw})"),
        None => show(raw),
    };
    let _ = writeln!(
        s,
        "  {} : {} · {} : {} · {} : {}",
        t("mrz-birth"),
        date(&doc.birth_date_iso, &doc.birth_date),
        t("mrz-sex"),
        show(&doc.sex),
        t("mrz-expiry"),
        date(&doc.expiry_date_iso, &doc.expiry_date)
    );
    if !doc.optional_data.is_empty() || !doc.optional_data_2.is_empty() {
        let both = [doc.optional_data.as_str(), doc.optional_data_2.as_str()]
            .iter()
            .filter(|v| !v.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" / ");
        let _ = writeln!(s, "  {} : {both}", t("mrz-optional"));
    }
    if !doc.checks.is_empty() {
        let checks = doc
            .checks
            .iter()
            .map(|c| {
                format!(
                    "{} {}",
                    t(&format!("mrz-check-{}", c.name)),
                    if c.ok { "✓" } else { "✗" }
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(s, "  {} : {checks}", t("mrz-checks"));
    }
    for (label, list) in [("mrz-warnings", &doc.warnings), ("mrz-errors", &doc.errors)] {
        for issue in list.iter() {
            let key = format!("mrz-code-{}", issue.code);
            let text = catalog.get(lang, &key);
            let _ = writeln!(s, "  {} : {text} ({})", t(label), issue.code);
        }
    }
    if !doc.repaired.is_empty() {
        let changes = doc
            .repaired
            .iter()
            .map(|c| {
                format!(
                    "{} {} {} {} {}→{}",
                    t("mrz-line"),
                    c.line,
                    t("mrz-column"),
                    c.column,
                    c.from,
                    c.to
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(s, "  {} : {changes}", t("mrz-repaired"));
    }
    s
}
