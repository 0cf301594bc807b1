use std::sync::OnceLock;

use super::*;

const LOCALITIES: &str = include_str!("../../../data/mopti/localities.csv");
const COMMUNES: &str = include_str!("../../../data/mopti/commune_population.csv");

/// Parsed once for all tests: the real data shipped with the app.
fn gaz() -> &'static Gazetteer {
    static GAZ: OnceLock<Gazetteer> = OnceLock::new();
    GAZ.get_or_init(|| Gazetteer::parse(LOCALITIES, COMMUNES).unwrap())
}

/// The first hit for `query` has name `expected` (and, when given, id `id`).
fn check(query: &str, expected: &str, id: Option<&str>) -> Hit<'static> {
    let hits = gaz().search(query, 10);
    let first = hits
        .first()
        .unwrap_or_else(|| panic!("no hit for {query:?}"));
    assert_eq!(
        first.locality.name,
        expected,
        "first hit for {query:?}: {:?}",
        hits.iter()
            .map(|h| (&h.locality.name, &h.locality.id, h.kind))
            .collect::<Vec<_>>()
    );
    if let Some(id) = id {
        assert_eq!(first.locality.id, id, "id of the first hit for {query:?}");
    }
    *first
}

#[test]
fn search_sevare() {
    for q in ["sevare", "SEVARE", "Sévaré", "  sévaré  ", "Sevaré"] {
        let hit = check(q, "Sévaré", Some("ocha:ML050109007"));
        assert_eq!(hit.kind, MatchKind::Exact, "{q}");
    }
}

#[test]
fn search_djenne() {
    for q in [
        "djenne", "jenne", "Djénné", "jɛnɛ", "DJENNE", "Djenné", "jene",
    ] {
        let hit = check(q, "Djenné", Some("ocha:ML050503004"));
        assert_eq!(hit.kind, MatchKind::Exact, "{q}");
        assert_eq!(hit.locality.admin_seat.as_deref(), Some("cercle_capital"));
    }
}

#[test]
fn search_ouonkoro() {
    for q in ["ouonkoro", "ouenkoro", "Ouonkoro", "wonkoro", "OUENKORO"] {
        check(q, "Ouonkoro", Some("ocha:ML050308017"));
    }
}

#[test]
fn search_cercle_capitals() {
    let cases = [
        ("mopti", "Mopti", "region_capital"),
        ("bandiagara", "Bandiagara", "cercle_capital"),
        ("douentza", "Douentza", "cercle_capital"),
        ("koro", "Koro", "cercle_capital"),
        ("tenenkou", "Ténenkou", "cercle_capital"),
        ("youwarou", "Youwarou", "cercle_capital"),
        ("bankass", "Bankass", "cercle_capital"),
        ("djenne", "Djenné", "cercle_capital"),
    ];
    for (q, name, seat) in cases {
        let hit = check(q, name, None);
        assert_eq!(hit.locality.admin_seat.as_deref(), Some(seat), "{q}");
        assert!(hit.locality.in_region, "{q}");
        assert_eq!(hit.kind, MatchKind::Exact, "{q}");
    }
}

#[test]
fn search_alternate_spellings() {
    // Alternate names are searched too, and the hit says which spelling matched.
    // "Douenza" and "Duwanza" fold alike; the first of the two in the file is the one kept.
    let hit = check("duwanza", "Douentza", None);
    assert_eq!(hit.matched_name, "Douenza");
    assert_eq!(hit.kind, MatchKind::Exact);
    let hit = check("Mɔputi", "Mopti", None);
    assert_eq!(hit.matched_name, "Mɔputi");
    check("bankasse", "Bankass", None);
    check("youvarou", "Youwarou", None);
    check("tɛnɛnkun", "Ténenkou", None);
}

#[test]
fn search_typos_are_fuzzy() {
    let cases = [
        ("bandiagra", "Bandiagara"),
        ("bandigara", "Bandiagara"),
        ("douetza", "Douentza"),
    ];
    for (q, name) in cases {
        let hit = check(q, name, None);
        assert_eq!(hit.kind, MatchKind::Fuzzy, "{q}");
    }
    check("sevaer", "Sévaré", None);
}

#[test]
fn search_prefix_and_contains() {
    let hit = check("bandia", "Bandiagara", None);
    assert_eq!(hit.kind, MatchKind::Prefix);
    let hit = check("sev", "Sévaré", None);
    assert_eq!(hit.kind, MatchKind::Prefix);
    // "Tiaboli-Sévaré": a later word starts with the query, still a prefix match.
    let hits = gaz().search("sevare", 50);
    let tiaboli = hits
        .iter()
        .find(|h| h.locality.id == "osm:2147769711")
        .unwrap();
    assert_eq!(tiaboli.kind, MatchKind::Prefix);
    // Inside a word only: "diagara" is in "bandiagara".
    let hits = gaz().search("diagara", 50);
    assert!(
        hits.iter()
            .any(|h| h.locality.name == "Bandiagara" && h.kind == MatchKind::Contains),
        "{hits:?}"
    );
}

#[test]
fn search_results_are_ranked_and_unique() {
    let hits = gaz().search("koro", 200);
    assert!(hits.len() > 10);
    for pair in hits.windows(2) {
        assert!(pair[0].kind <= pair[1].kind, "kinds out of order");
    }
    let mut ids: Vec<&str> = hits.iter().map(|h| h.locality.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), hits.len(), "one hit per locality");
    assert!(gaz().search("koro", 3).len() <= 3);
    assert!(gaz().search("koro", 0).is_empty());
}

#[test]
fn search_degenerate_queries() {
    for q in [
        "", " ", "   \t\n", "-", "?!.,;'", "’", "ـ", "\u{301}", "\u{feff}",
    ] {
        assert!(gaz().search(q, 10).is_empty(), "{q:?}");
    }
    let long = "a".repeat(10_000);
    assert!(gaz().search(&long, 10).is_empty());
    let long_mixed = "Sévaré ɛ-ou'dj ".repeat(700);
    assert!(gaz().search(&long_mixed, 10).is_empty());
    // Odd but short input must not panic either.
    for q in [
        "\u{0}",
        "🙂",
        "ouuuuuuu",
        "tchtchtch",
        "ééééé",
        "1",
        "12 34",
        "Ɲ",
    ] {
        let _ = gaz().search(q, 10);
    }
}

#[test]
fn structure() {
    let g = gaz();
    assert_eq!(g.region_name(), "Mopti");
    assert_eq!(g.len(), 6657);
    assert!(!g.is_empty());

    let names: Vec<&str> = g.cercles().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Bandiagara",
            "Bankass",
            "Djenné",
            "Douentza",
            "Koro",
            "Mopti",
            "Ténenkou",
            "Youwarou"
        ]
    );
    assert_eq!(g.cercle("ML0505").map(|c| c.name.as_str()), Some("Djenné"));
    assert!(g.cercle("ML0599").is_none());

    let mut communes = 0;
    for cercle in g.cercles() {
        let list = g.communes_of(&cercle.pcode);
        assert!(!list.is_empty(), "{}", cercle.pcode);
        for c in &list {
            assert!(g.cercle(&c.cercle_pcode).is_some(), "{}", c.pcode);
            assert_eq!(g.commune(&c.pcode).map(|x| &x.pcode), Some(&c.pcode));
        }
        let sorted = list
            .windows(2)
            .all(|w| sort_key(&w[0].name) <= sort_key(&w[1].name));
        assert!(sorted, "communes of {} by name", cercle.pcode);
        communes += list.len();
    }
    assert_eq!(communes, 108);
    assert_eq!(g.communes_of("ML0505").len(), 12);
    assert!(g.communes_of("nope").is_empty());
    let with_population = g
        .cercles()
        .iter()
        .flat_map(|c| g.communes_of(&c.pcode))
        .filter(|c| c.population_2009.is_some())
        .count();
    assert_eq!(with_population, 30);

    let ouonkoro = g.locality("ocha:ML050308017").unwrap();
    let villages = g.localities_of(&ouonkoro.commune_pcode);
    assert!(!villages.is_empty());
    assert!(villages.iter().any(|l| l.id == ouonkoro.id));
    assert!(
        villages
            .windows(2)
            .all(|w| sort_key(&w[0].name) <= sort_key(&w[1].name))
    );
    assert!(g.localities_of("").is_empty());
    assert!(g.locality("ocha:nope").is_none());

    let mopti = g.locality("ocha:ML050000000").unwrap();
    assert_eq!(mopti.alt_names, ["Moptis", "Moti", "Mo\u{301}ti", "Mɔputi"]);
    assert_eq!(mopti.population, Some(114_296));
    assert_eq!(mopti.admin_seat.as_deref(), Some("region_capital"));
    assert!(mopti.in_region);
    // Rows outside the region (Ségou, Burkina Faso) are kept.
    assert!(
        g.localities()
            .iter()
            .any(|l| l.country == "BF" && l.commune.is_empty())
    );
    assert_eq!(g.localities().iter().filter(|l| l.in_region).count(), 4271);
}

#[test]
fn neighbours_of_sevare() {
    let g = gaz();
    let n = 10;
    let list = g.neighbours("ocha:ML050109007", n);
    assert_eq!(list.len(), n);
    assert!(list.iter().all(|(l, _)| l.id != "ocha:ML050109007"));
    assert!(list.windows(2).all(|w| w[0].1 <= w[1].1));
    // Sévaré is in the Mopti commune: its nearest places are Mopti-area places, a few km away.
    let (first, d) = list[0];
    assert_eq!(first.cercle_pcode, "ML0501");
    assert!(d < 5.0, "{d}");
    assert!(
        list.iter()
            .all(|(l, d)| l.cercle_pcode == "ML0501" && *d < 15.0)
    );
    assert!(g.neighbours("ocha:ML050109007", 0).is_empty());
    assert!(g.neighbours("nope", 5).is_empty());
    assert_eq!(g.neighbours("ocha:ML050109007", 100_000).len(), g.len() - 1);
}

#[test]
fn nearest_point() {
    let g = gaz();
    let (l, d) = g.nearest(14.52457, -4.09469).unwrap();
    assert_eq!(l.id, "ocha:ML050109007");
    assert!(d < 0.01);
    assert!(g.nearest(f64::NAN, 0.0).is_none());
    assert!(g.nearest(0.0, f64::INFINITY).is_none());
    assert!(g.nearest(-89.0, 179.0).is_some());
}

#[test]
fn distances() {
    assert_eq!(distance_km(14.0, -4.0, 14.0, -4.0), 0.0);
    // One degree of latitude is about 111.2 km.
    let d = distance_km(14.0, -4.0, 15.0, -4.0);
    assert!((d - 111.195).abs() < 0.05, "{d}");
    // Mopti – Sévaré, about 12 km as the crow flies.
    let d = distance_km(14.48775, -4.19409, 14.52457, -4.09469);
    assert!((10.0..13.0).contains(&d), "{d}");
    let antipodes = distance_km(0.0, 0.0, 0.0, 180.0);
    assert!(antipodes.is_finite() && (antipodes - 20_015.1).abs() < 1.0);
}

#[test]
fn fold_examples() {
    let cases = [
        ("Djenné", "jen"),
        ("Ouonkoro", "unkoro"),
        ("Ouenkoro", "unkoro"),
        ("Sévaré", "sevar"),
        ("SEVARE", "sevar"),
        ("jɛnɛ", "jen"),
        ("Tchiou", "chiu"),
        ("Konio-Peulh", "konio peulh"),
        ("N'Goussa", "ngusa"),
        ("NGoussa", "ngusa"),
        ("Guiré", "gir"),
        ("Ouahigouya", "uhigu"),
        ("Wahiguya", "uhigu"),
        ("Youwarou", "iuru"),
        ("Yuwaru", "iuru"),
        ("Bankass", "bankas"),
        ("Bankassé", "bankas"),
        ("Khalil", "kalil"),
        ("Philippe", "filip"),
        ("Quéré", "ker"),
        ("Camp  Coura", "kamp kura"),
        ("  --Mopti!!  ", "mopti"),
        ("Fassombougou 1", "fasombugu 1"),
        ("le", "le"),
        ("", ""),
        ("'’-", ""),
    ];
    for (input, expected) in cases {
        assert_eq!(fold(input), expected, "fold({input:?})");
    }
}

#[test]
fn fold_is_idempotent_on_every_name() {
    let g = gaz();
    let mut checked = 0;
    for l in g.localities() {
        for name in std::iter::once(&l.name).chain(&l.alt_names) {
            let once = fold(name);
            assert_eq!(fold(&once), once, "fold not idempotent on {name:?}");
            assert!(once.is_ascii());
            checked += 1;
        }
    }
    assert!(checked > 7000);
    for c in g.cercles() {
        let once = fold(&c.name);
        assert_eq!(fold(&once), once);
    }
    for odd in [
        "cwa", "ddj", "tchtch", "uaeio", "gouie", "qqu", "wwwy", "eeee", "oueoue",
    ] {
        let once = fold(odd);
        assert_eq!(fold(&once), once, "fold not idempotent on {odd:?}");
    }
    let long = "Ouonkoro-Djénné ".repeat(700);
    let once = fold(&long);
    assert_eq!(fold(&once), once);
}

#[test]
fn malformed_latitude_is_an_error_with_its_line() {
    let mut lines: Vec<String> = LOCALITIES.lines().take(6).map(str::to_string).collect();
    lines[3] = lines[3].replacen(",13.42140,", ",north,", 1);
    assert!(lines[3].contains(",north,"), "test fixture: {}", lines[3]);
    let text = lines.join("\n");
    let err = Gazetteer::parse(&text, COMMUNES).unwrap_err();
    assert_eq!(err.line(), 4, "{err}");
    assert!(
        matches!(err, GazetteerError::InvalidField { column: "lat", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("line 4"), "{err}");
}

#[test]
fn malformed_csv_is_an_error_not_a_panic() {
    let header = LOCALITIES.lines().next().unwrap();
    // A row with too few fields.
    let text = format!("{header}\nocha:X,Name,Name\n");
    let err = Gazetteer::parse(&text, COMMUNES).unwrap_err();
    assert_eq!(err.line(), 2, "{err}");
    assert!(matches!(err, GazetteerError::Csv { .. }), "{err}");
    // A missing column.
    let err = Gazetteer::parse("id,name\nocha:X,Name\n", COMMUNES).unwrap_err();
    assert!(matches!(err, GazetteerError::Csv { .. }), "{err}");
    // An out-of-range longitude, a bad population, a duplicate id.
    let row = LOCALITIES.lines().nth(1).unwrap();
    let bad_lon = row.replacen(",-4.59932,", ",-400,", 1);
    let err = Gazetteer::parse(&format!("{header}\n{bad_lon}\n"), COMMUNES).unwrap_err();
    assert!(
        matches!(
            err,
            GazetteerError::InvalidField {
                column: "lon",
                line: 2,
                ..
            }
        ),
        "{err}"
    );
    let err = Gazetteer::parse(&format!("{header}\n{row}\n{row}\n"), COMMUNES).unwrap_err();
    assert!(
        matches!(err, GazetteerError::DuplicateId { line: 3, .. }),
        "{err}"
    );
    // A bad commune pcode and a bad commune population.
    let err = Gazetteer::parse(
        LOCALITIES,
        "commune_pcode,commune,cercle,population\nML05,X,Y,\n",
    )
    .unwrap_err();
    assert!(
        matches!(err, GazetteerError::InvalidField { line: 2, .. }),
        "{err}"
    );
    let err = Gazetteer::parse(
        LOCALITIES,
        "commune_pcode,commune,cercle,population\nML050101,X,Y,many\n",
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            GazetteerError::InvalidField {
                column: "population",
                ..
            }
        ),
        "{err}"
    );
    // Empty and nonsense input never panic.
    for (a, b) in [
        ("", ""),
        ("\u{feff}", "x"),
        ("\"", "\""),
        ("a\nb\nc", "\0\0"),
    ] {
        let _ = Gazetteer::parse(a, b);
    }
}

#[test]
fn empty_input_gives_an_empty_gazetteer() {
    let header = LOCALITIES.lines().next().unwrap();
    let g = Gazetteer::parse(header, "commune_pcode,commune,cercle,population\n").unwrap();
    assert!(g.is_empty());
    assert_eq!(g.region_name(), "Mopti");
    assert!(g.cercles().is_empty());
    assert!(g.search("mopti", 10).is_empty());
    assert!(g.nearest(14.0, -4.0).is_none());
}
