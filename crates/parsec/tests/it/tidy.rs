//! Tidy checks: every message exists in French and in English, every key the code and the
//! templates use exists — read from every source file and template, not a chosen few — and a
//! key built at run time is refused unless it is listed here with all the values it can take.
//! (A key missing at run time stops a debug build: see `Catalog::get`.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use parsec::i18n::{Catalog, Lang};

#[test]
fn french_and_english_have_the_same_keys() {
    let c = Catalog::load();
    let fr = c.keys(Lang::Fr);
    let en = c.keys(Lang::En);
    let only_fr: Vec<_> = fr.iter().filter(|k| !en.contains(k)).collect();
    let only_en: Vec<_> = en.iter().filter(|k| !fr.contains(k)).collect();
    assert!(only_fr.is_empty(), "missing in en.ftl: {only_fr:?}");
    assert!(only_en.is_empty(), "missing in fr.ftl: {only_en:?}");
}

/// Every `.rs` file under `src/` and every template, with its path.
fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let path = e.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs" || x == "html") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    walk(&root.join("src"), &mut out);
    walk(&root.join("templates"), &mut out);
    assert!(out.len() > 40, "the sources were not found");
    out
}

fn is_key_shaped(s: &str) -> bool {
    s.contains('-')
        && s.chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_')
        && s.chars().next().is_some_and(|ch| ch.is_ascii_lowercase())
}

/// The keys built at run time (`format!("prefix-{…}")`), and every value each may take.
fn built_at_run_time() -> Vec<(&'static str, Vec<String>)> {
    let own = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let labels = parsec::registry::model::label_keys();
    let from_labels = |prefix: &str| {
        labels
            .iter()
            .filter_map(|k| k.strip_prefix(prefix).map(str::to_string))
            .collect::<Vec<_>>()
    };
    vec![
        ("mrz-code-", own(mrz::CODES)),
        ("mrz-check-", own(mrz::CHECKS)),
        (
            "screening-format-",
            own(&parsec::screening::import::FORMATS),
        ),
        ("incident-status-", own(parsec::incidents::model::STATUSES)),
        ("audit-action-", own(parsec::audit::web::ACTIONS)),
        (
            "work-order-status-",
            own(parsec::fleet::work_orders::STATUSES),
        ),
        ("work-order-kind-", own(parsec::fleet::work_orders::KINDS)),
        ("stock-kind-", own(parsec::fleet::parts::MOVEMENT_KINDS)),
        ("fuel-source-", own(parsec::fleet::fuel::SOURCES)),
        ("custody-regime-", own(parsec::custody::REGIMES)),
        ("custody-entry-", own(parsec::custody::KINDS)),
        ("custody-outcome-", own(parsec::custody::OUTCOMES)),
        (
            "indicator-",
            parsec::programme::indicators::CODES
                .iter()
                .flat_map(|c| [c.to_string(), format!("{c}-definition")])
                .collect(),
        ),
        ("need-priority-", own(&["1", "2", "3"])),
        (
            "programme-phase-",
            own(parsec::programme::activities::PHASES),
        ),
        (
            "programme-component-",
            own(parsec::programme::activities::COMPONENTS),
        ),
        (
            "programme-status-",
            own(parsec::programme::activities::STATUSES),
        ),
        (
            "partner-kind-",
            own(parsec::programme::activities::PARTNER_KINDS),
        ),
        ("delivery-kind-", own(parsec::programme::deliveries::KINDS)),
        (
            "availability-by-",
            parsec::fleet::availability::By::ALL
                .iter()
                .map(|b| b.code().to_string())
                .collect(),
        ),
        (
            "meter-",
            parsec::fleet::Meter::ALL
                .iter()
                .map(|m| m.code().to_string())
                .collect(),
        ),
        (
            "audit-entity-",
            parsec::audit::web::ENTITIES
                .iter()
                .map(|(e, _)| e.to_string())
                .collect(),
        ),
        (
            "why-rule-",
            namematch::Rule::ALL
                .iter()
                .map(|r| r.code().to_string())
                .collect(),
        ),
        (
            "why-birth-",
            namematch::BIRTH_REASONS
                .iter()
                .map(|r| parsec::screening::birth_reason_key(r))
                .collect(),
        ),
        ("reliability-", own(parsec::incidents::model::RELIABILITY)),
        (
            "incident-mode-",
            routing::Mode::ALL
                .iter()
                .map(|m| m.code().to_string())
                .collect(),
        ),
        ("asset-kind-", from_labels("asset-kind-")),
        ("asset-status-", from_labels("asset-status-")),
        (
            "home-intro-",
            parsec::accounts::roles::ALL_ROLES
                .iter()
                .map(|r| r.code().to_string())
                .collect(),
        ),
        // Small closed lists written where they are used.
        (
            "crossing-warning-",
            own(&["document_expired", "seen_today", "minor"]),
        ),
        ("flows-period-", own(&["day", "week", "month"])),
        (
            "precision-",
            own(&["exact", "locality", "commune", "cercle"]),
        ),
        (
            "patrol-status-",
            own(&["prevue", "effectuee", "non_effectuee"]),
        ),
    ]
}

#[test]
fn every_key_used_exists_and_none_is_built_unlisted() {
    let c = Catalog::load();
    let fr: BTreeSet<&str> = c.keys(Lang::Fr).into_iter().collect();
    // A literal is taken for a key when it starts as the catalogue's keys start.
    let prefixes: BTreeSet<String> = fr
        .iter()
        .filter_map(|k| k.split_once('-').map(|(p, _)| format!("{p}-")))
        .collect();
    let dynamic = built_at_run_time();
    let mut missing = BTreeSet::new();
    let mut unlisted = BTreeSet::new();
    for (path, src) in sources() {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        // Every `.t("…")` call, whatever its key looks like.
        for part in src.split(".t(\"").skip(1) {
            let key = part.split('"').next().unwrap_or("");
            if !key.is_empty() && !fr.contains(key) {
                missing.insert(format!("{file}: {key}"));
            }
        }
        // Templates: only what they ask the catalogue for (their other strings are HTML).
        if file.ends_with(".html") {
            continue;
        }
        for piece in src.split('"').skip(1).step_by(2) {
            let known_prefix = prefixes.iter().any(|p| piece.starts_with(p.as_str()));
            // A family's name (`asset-kind`, whose labels the registry's model composes and
            // `label_keys` lists) is not a key itself.
            let family = fr.iter().any(|k| {
                k.strip_prefix(piece)
                    .is_some_and(|rest| rest.starts_with('-'))
            });
            if known_prefix
                && is_key_shaped(piece)
                && !piece.ends_with('-')
                && !fr.contains(piece)
                && !family
            {
                missing.insert(format!("{file}: {piece}"));
            }
        }
        // Keys put together at run time: only the listed ones.
        for part in src.split("format!(\"").skip(1) {
            let literal = part.split('"').next().unwrap_or("");
            let Some((prefix, _)) = literal.split_once('{') else {
                continue;
            };
            // The literal without its placeholders: a file name or a sentence is no key.
            let fixed: String = literal
                .split('{')
                .map(|seg| seg.split_once('}').map_or(seg, |(_, rest)| rest))
                .collect();
            let is_key_prefix = prefix.ends_with('-')
                && is_key_shaped(prefix)
                && is_key_shaped(&fixed)
                && prefixes.iter().any(|p| prefix.starts_with(p.as_str()));
            if is_key_prefix && !dynamic.iter().any(|(p, _)| *p == prefix) {
                unlisted.insert(format!("{file}: {prefix}…"));
            }
        }
    }
    for (prefix, values) in &dynamic {
        assert!(!values.is_empty(), "no values listed for {prefix}");
        for v in values {
            let key = format!("{prefix}{v}");
            if !fr.contains(key.as_str()) {
                missing.insert(key);
            }
        }
    }
    for key in parsec::registry::model::label_keys() {
        if !fr.contains(key) {
            missing.insert(key.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "keys used but not in the catalogue: {missing:?}"
    );
    assert!(
        unlisted.is_empty(),
        "keys built at run time and not listed in tidy.rs: {unlisted:?}"
    );
}

/// Demo submission keys and file names look like keys but are not built from the catalogue's
/// prefixes: the check above must not take them for keys.
#[test]
fn the_key_check_tells_keys_from_other_strings() {
    assert!(is_key_shaped("crossing-next"));
    assert!(!is_key_shaped("sitrep-2026.pdf"));
    assert!(!is_key_shaped("Passage suivant"));
}
