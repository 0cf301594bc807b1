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
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("# version:") {
            version = v.trim().to_string();
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(code) = line.split_whitespace().next() {
            codes.push(code);
        }
    }
    codes.sort_unstable();
    codes.dedup();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// The version of the code table.\npub const COUNTRY_TABLE_VERSION: &str = {version:?};"
    );
    let _ = writeln!(out, "const COUNTRY_CODES: &[&str] = &{codes:?};");
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(format!("{dir}/countries.rs"), out) {
        panic!("writing countries.rs: {e}");
    }
}
