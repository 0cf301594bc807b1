//! The screening engine: normalisation tables, match and non-match pairs with their reason,
//! explanations, and properties.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use namematch::normalize::{fold, skeleton, spell_key};
use namematch::{BirthDate, Decision, Entry, Index, Query, Rule, Thresholds};
use proptest::prelude::*;

#[test]
fn normalisation() {
    for (raw, folded) in [
        ("N'Diaye", "ndiaye"),
        ("Aïssata  KONATÉ", "aissata konate"),
        ("Jean-Baptiste", "jean baptiste"),
        ("محمد", "mhmd"),
        ("ولد", "wld"),
    ] {
        assert_eq!(fold(raw), folded, "{raw}");
    }
    for (a, b, same) in [
        ("djeneba", "jeneba", true),
        ("moussa", "musa", true),
        ("coulibaly", "kulibali", true),
        ("tchad", "chad", true),
        ("sekou", "sekuu", true),
        ("cheick", "chiek", false),
        ("traore", "toure", false),
    ] {
        assert_eq!(spell_key(a) == spell_key(b), same, "{a} / {b}");
    }
    assert_eq!(
        skeleton(&spell_key("mohamed")),
        skeleton(&spell_key(&fold("محمد")))
    );
}

#[test]
fn birth_dates_are_real_calendar_dates_full_or_partial() {
    let d = |y, m, d| {
        Some(BirthDate {
            year: y,
            month: m,
            day: d,
        })
    };
    for (text, expected) in [
        ("1974-08-12", d(1974, 8, 12)),
        (" 1974-08-12 ", d(1974, 8, 12)),
        ("1974-08", d(1974, 8, 0)),
        ("1974", d(1974, 0, 0)),
        ("2000-02-29", d(2000, 2, 29)),
        ("1900-02-29", None),
        ("1974-02-31", None),
        ("1974-04-31", None),
        ("1974-13", None),
        ("1974-00-10", None),
        ("1974-08-00", None),
        ("1974-8-12", None),
        ("74-08-12", None),
        ("1974-08-12-01", None),
        ("+974", None),
        ("1800", None),
        ("", None),
    ] {
        assert_eq!(BirthDate::parse(text), expected, "{text:?}");
    }
}

fn entry(name: &str, birth: &str, nat: &str) -> Entry {
    Entry {
        names: vec![name.to_string()],
        birth: BirthDate::parse(birth),
        nationality: Some(nat.to_string()),
    }
}

fn list() -> Vec<Entry> {
    let mut v = vec![
        entry("Mohamed Ould Ahmed", "1975-03-02", "MR"),
        entry("Amadou Traoré", "1980-01-01", "ML"),
        entry("Aboubacar Sidiki Coulibaly", "1969-11-20", "ML"),
        entry("Fatoumata Diallo", "1990", "GN"),
        entry("Abdoulaye Maïga", "1985-07-14", "ML"),
        entry("Alassane Ag Mohamed", "1972-06-30", "ML"),
        entry("Ousmane Sawadogo", "1978-02-11", "BF"),
        entry("Moussa Traoré", "1950-09-25", "ML"),
    ];
    // Namesakes and noise, so that rarity means something.
    for i in 0..200 {
        let given = ["Moussa", "Amadou", "Fatoumata", "Mohamed", "Ibrahim"][i % 5];
        let family = [
            "Traoré", "Diallo", "Keïta", "Cissé", "Konaté", "Touré", "Sangaré",
        ][i % 7];
        v.push(entry(
            &format!("{given} {family}"),
            &format!("19{:02}-0{}-1{}", 40 + i % 50, 1 + i % 9, i % 10),
            "ML",
        ));
    }
    v
}

fn query(name: &str, birth: &str, nat: &str) -> Query {
    Query {
        name: name.to_string(),
        birth: BirthDate::parse(birth),
        nationality: Some(nat.to_string()),
    }
}

/// One query, the entry expected first (or none above the review threshold), and why.
fn check(ix: &Index, q: Query, expected: Option<usize>, why: &str) {
    let hits = ix.search(&q, 5);
    let t = Thresholds::default();
    match expected {
        Some(e) => {
            let first = hits
                .first()
                .unwrap_or_else(|| panic!("{why}: no hit for {}", q.name));
            assert_eq!(
                first.entry, e,
                "{why}: {} gave {:?}",
                q.name, first.explanation
            );
            assert_ne!(
                t.decide(first.score),
                Decision::Aucune,
                "{why}: score {}",
                first.score
            );
        }
        None => assert!(
            hits.first()
                .is_none_or(|h| t.decide(h.score) == Decision::Aucune),
            "{why}: {} should not alert, got {:?}",
            q.name,
            hits.first().map(|h| (h.entry, h.score))
        ),
    }
}

#[test]
fn match_and_non_match_pairs() {
    let ix = Index::build(&list());
    check(
        &ix,
        query("Mohamed Ould Ahmed", "1975-03-02", "MR"),
        Some(0),
        "the same",
    );
    check(
        &ix,
        query("Muhammad Walad Ahmed", "1975-03-02", "MR"),
        Some(0),
        "given-name variant and particle",
    );
    check(
        &ix,
        query("Mohamed Ahmed", "1975-03-02", "MR"),
        Some(0),
        "particle dropped",
    );
    check(
        &ix,
        query("TRAORE AMADU", "1980-01-01", "ML"),
        Some(1),
        "order, case, ou/u",
    );
    check(
        &ix,
        query("Abubakar Sidiki Kulibali", "1969-11-20", "ML"),
        Some(2),
        "English transcription",
    );
    check(
        &ix,
        query("Aboubacar Coulibaly", "1969-11-20", "ML"),
        Some(2),
        "a given name missing",
    );
    check(
        &ix,
        query("Abdou Laye Maiga", "1985-07-14", "ML"),
        Some(4),
        "a split token",
    );
    check(
        &ix,
        query("Abdoulaye Maïgaa", "1985-07-14", "ML"),
        Some(4),
        "a typo",
    );
    check(
        &ix,
        query("Ousmane Sawadogo", "1978-11-02", "BF"),
        Some(6),
        "day and month swapped",
    );
    check(
        &ix,
        query("Jean Dupont", "1960-05-05", "FR"),
        None,
        "nobody of that name",
    );
    check(
        &ix,
        query("Moussa Traoré", "2001-04-04", "ML"),
        None,
        "a namesake born another year",
    );
}

#[test]
fn arabic_script_queries_meet_latin_entries() {
    let ix = Index::build(&list());
    check(
        &ix,
        query("عبد الله مايغا", "1985-07-14", "ML"),
        Some(4),
        "Arabic script",
    );
}

#[test]
fn explanations_say_what_matched_and_why() {
    let ix = Index::build(&list());
    let hits = ix.search(&query("Muhammad Ould Ahmed", "1975-03-02", "MR"), 1);
    let ex = &hits[0].explanation;
    let rules: Vec<(String, Rule)> = ex
        .matches
        .iter()
        .map(|m| (m.query.clone(), m.rule))
        .collect();
    assert!(
        rules.contains(&("muhammad".to_string(), Rule::Variant)),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("ahmed".to_string(), Rule::Exact)),
        "{rules:?}"
    );
    assert_eq!(ex.birth_reason, "same date");
    assert!(ex.birth_effect > 0.0 && ex.nationality_effect > 0.0);
    let other = ix.search(&query("Muhammad Ould Ahmed", "1999-12-12", "MR"), 1);
    assert!(
        other[0].explanation.birth_effect < 0.0,
        "a different birth date counts against"
    );
    assert!(other[0].score < hits[0].score);
}

/// Lists where the commonest names have thousands of entries take the fast paths: a query of
/// common names only (found by the pairs of common names written together), and a rare name
/// with a common one (the common one looked up in the entries of the rare one).
#[test]
fn common_names_are_found_among_thousands_of_namesakes() {
    let mut l: Vec<Entry> = Vec::new();
    for i in 0..3000 {
        l.push(entry(&format!("Mohamed Kx{i}"), "1960-01-01", "ML"));
        l.push(entry(&format!("Zy{i} Traoré"), "1961-01-01", "ML"));
        l.push(entry(&format!("Mahamadou Wq{i} Traoré"), "", "ML"));
    }
    for i in 0..20 {
        l.push(entry(
            "Mohamed Traoré",
            &format!("19{}-03-04", 40 + i),
            "ML",
        ));
    }
    let target = l.len();
    l.push(entry("Mohamed Traoré", "1977-05-06", "ML"));
    let rare = l.len();
    l.push(entry("Mohamed Tandjigora", "", "ML"));
    let ix = Index::build(&l);
    let hits = ix.search(&query("Mohammed Traore", "1977-05-06", "ML"), 10);
    assert_eq!(hits[0].entry, target, "{hits:?}");
    assert!(hits.iter().skip(1).all(|h| h.score < hits[0].score));
    let hits = ix.search(&query("Mouhamed Tandjigora", "", "ML"), 3);
    assert_eq!(hits[0].entry, rare);
    // A namesake with only the common given name is no match for the rare family name.
    let hits = ix.search(&query("Amadou Tandjigora", "", "ML"), 3);
    assert!(
        hits.iter().all(|h| h.entry == rare || h.score < 0.62),
        "{hits:?}"
    );
}

/// The whole explanation of a few hits, as the agent reads it, compared with the text kept
/// here: a change in the scoring shows in review as a change of this text.
#[test]
fn explanation_snapshots() {
    let ix = Index::build(&list());
    let render = |q: Query| -> String {
        let hit = &ix.search(&q, 1)[0];
        let ex = &hit.explanation;
        let mut out = format!("{} = {:.3}:", ex.name, hit.score);
        for m in &ex.matches {
            out.push_str(&format!(
                " [{} ~ {} {} {:.2}]",
                m.query,
                m.listed,
                m.rule.code(),
                m.similarity
            ));
        }
        out.push_str(&format!(
            " unmatched {:?}/{:?} birth {} {:+.3} nationality {:+.3}",
            ex.unmatched_query,
            ex.unmatched_listed,
            ex.birth_reason,
            ex.birth_effect,
            ex.nationality_effect
        ));
        out
    };
    let got = [
        render(query("Muhammad Ould Ahmed", "1975-03-02", "MR")),
        render(query("COULIBALY ABOUBAKAR", "1969-11-20", "ML")),
        render(query("Abdou Laye Maiga", "1985-07-14", "")),
        render(query("Amadou Traore", "1980", "BF")),
    ];
    let expected = [
        "mohamed uld ahmed = 0.993: [ould ~ uld spelling 1.00] [ahmed ~ ahmed exact 1.00] \
         [muhammad ~ mohamed variant 0.93] unmatched []/[] birth same date +0.296 \
         nationality +0.019",
        "abubakar sidiki kulibali = 0.926: [coulibaly ~ kulibali spelling 1.00] \
         [aboubakar ~ abubakar spelling 1.00] unmatched []/[\"sidiki\"] birth same date +0.296 \
         nationality +0.019",
        "abdulai maiga = 0.981: [abdou laye ~ abdulai merged 1.00] [maiga ~ maiga exact 1.00] \
         unmatched []/[] birth same date +0.296 nationality +0.000",
        "amadu traor = 0.756: [amadou ~ amadu spelling 1.00] [traore ~ traor spelling 1.00] \
         unmatched []/[] birth same year +0.089 nationality -0.019",
    ];
    assert_eq!(got, expected);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_name_matches_itself_and_its_mrz_form(i in 0usize..8) {
        let l = list();
        let ix = Index::build(&l);
        let e = &l[i];
        let birth = e.birth.map(|b| if b.month == 0 { format!("{}", b.year) } else { format!("{}-{:02}-{:02}", b.year, b.month, b.day) }).unwrap_or_default();
        let nat = e.nationality.clone().unwrap_or_default();
        let exact = ix.search(&query(&e.names[0], &birth, &nat), 3);
        prop_assert_eq!(exact[0].entry, i);
        // The MRZ form: upper case ASCII, family name first, cut to a short field.
        let mut words: Vec<String> = fold(&e.names[0]).split(' ').map(|w| w.to_uppercase()).collect();
        words.rotate_right(1);
        let mrz: String = words.join(" ").chars().take(24).collect();
        let cut = ix.search(&query(&mrz, &birth, &nat), 5);
        prop_assert!(cut.iter().any(|h| h.entry == i), "{} not found from {}", e.names[0], mrz);
        // An unrelated token never lifts a score above the exact match.
        let noisy = ix.search(&query(&format!("{} Zyxwvut", e.names[0]), &birth, &nat), 3);
        prop_assert!(noisy[0].score <= exact[0].score + 1e-6);
    }

    #[test]
    fn odd_input_never_panics(s in "\\PC{0,40}") {
        let ix = Index::build(&list());
        let _ = ix.search(&query(&s, "", ""), 10);
    }
}

#[test]
fn huge_queries_are_cheap_and_safe() {
    let ix = Index::build(&list());
    let long_word = "abcdefghij".repeat(2_000);
    assert!(
        ix.search(&query(&long_word, "", ""), 5)
            .iter()
            .all(|h| h.score < 0.5)
    );
    let many = "Moussa ".repeat(5_000);
    let _ = ix.search(&query(&many, "1950-09-25", "ML"), 5);
}
