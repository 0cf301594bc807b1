//! Tidy checks: every message exists in French and in English, and every key the code and the
//! templates use exists.

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

/// Every literal that looks like a message key in the sources and templates must exist.
#[test]
fn every_key_used_exists() {
    let c = Catalog::load();
    let fr = c.keys(Lang::Fr);
    let sources = [
        include_str!("../../src/web/page.rs"),
        include_str!("../../src/web/home.rs"),
        include_str!("../../src/web/errors.rs"),
        include_str!("../../src/error.rs"),
        include_str!("../../src/accounts/mod.rs"),
        include_str!("../../src/accounts/roles.rs"),
        include_str!("../../src/accounts/web.rs"),
        include_str!("../../src/registry/mod.rs"),
        include_str!("../../src/registry/web.rs"),
        include_str!("../../src/registry/geo.rs"),
        include_str!("../../src/audit/web.rs"),
        include_str!("../../src/border/mrz.rs"),
        include_str!("../../src/screening/web.rs"),
        include_str!("../../templates/base.html"),
        include_str!("../../templates/list.html"),
        include_str!("../../templates/detail.html"),
        include_str!("../../templates/form.html"),
        include_str!("../../templates/login.html"),
        include_str!("../../templates/home.html"),
        include_str!("../../templates/account.html"),
        include_str!("../../templates/error.html"),
    ];
    let prefixes = [
        "nav-", "action-", "filter-", "list-", "flash-", "login-", "home-", "account-", "users-",
        "units-", "assets-", "sites-", "field-", "hint-", "geo-", "audit-", "role-", "error-",
        "mrz-",
    ];
    let mut missing = Vec::new();
    for src in sources {
        // Every `.t("…")` call, whatever its key looks like.
        for part in src.split(".t(\"").skip(1) {
            let key = part.split('"').next().unwrap_or("");
            if !key.is_empty() && !fr.contains(&key) {
                missing.push(key.to_string());
            }
        }
        for piece in src.split('"').skip(1).step_by(2) {
            let is_key = prefixes.iter().any(|p| piece.starts_with(p))
                && piece.chars().all(|ch| {
                    ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_'
                });
            if is_key && !fr.contains(&piece) && !piece.ends_with('-') {
                missing.push(piece.to_string());
            }
        }
    }
    for key in parsec::registry::model::label_keys() {
        if !fr.contains(&key) {
            missing.push(key.to_string());
        }
    }
    for role in parsec::accounts::roles::ALL_ROLES {
        let intro = format!("home-intro-{}", role.code());
        if !fr.contains(&intro.as_str()) {
            missing.push(intro);
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "keys used but not in the catalogue: {missing:?}"
    );
}
