// Compiles the country-code table (data/countries.txt, kept as data with its source and
// version) into a sorted array that the parser searches without any I/O or set-up at run time.
use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=data/countries.txt");
    let text = match std::fs::read_to_string("data/countries.txt") {
        Ok(t) => t,
        Err(e) => panic!("data/countries.txt: {e}"),
    };
    let mut version = String::from("unknown");
    let mut codes: Vec<&str> = Vec::new();
    let mut alpha2: Vec<(&str, &str)> = Vec::new();
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("# version:") {
            version = v.trim().to_string();
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        if let Some(code) = words.next() {
            codes.push(code);
            match words.next() {
                Some("-") => {}
                Some(a2) if a2.len() == 2 && a2.bytes().all(|b| b.is_ascii_uppercase()) => {
                    alpha2.push((code, a2));
                }
                other => panic!("data/countries.txt: {code}: alpha-2 code expected, got {other:?}"),
            }
        }
    }
    codes.sort_unstable();
    codes.dedup();
    alpha2.sort_unstable();
    alpha2.dedup();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// The version of the code table.\npub const COUNTRY_TABLE_VERSION: &str = {version:?};"
    );
    let _ = writeln!(out, "const COUNTRY_CODES: &[&str] = &{codes:?};");
    let _ = writeln!(out, "const ALPHA2: &[(&str, &str)] = &{alpha2:?};");
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(format!("{dir}/countries.rs"), out) {
        panic!("writing countries.rs: {e}");
    }
}
