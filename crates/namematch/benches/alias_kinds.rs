//! The project's generator of alias queries: the kinds of alias real lists carry that are not
//! spelling variants (issue 16), made from the benchmark's own lists so that every kind is
//! measured against the same namesakes as the rest of the benchmark.
//!
//! For each kind, entries of the list are drawn (seeded, never twice across kinds) among those
//! the rule applies to; where the kind is an alias the list itself carries (kunya, nisba,
//! laqab), the rule writes it into the entry, as published lists do; the query is then the form
//! a post would type, with the entry's birth date (when the list has one) and nationality, as
//! a document gives them. The rules:
//!
//! | kind | the list | the query |
//! |---|---|---|
//! | `kunya` | gains the alias `Abu G` or `Abu al-G` (G a given name of the list) | `Abou G`, `Abu-G`, `Aboul G` / `Abou el G` for the `al-` form, or the first given name then `Abou G` |
//! | `nisba` | gains the alias `F al-N` (F its first given name, N a Sahelian nisba: `Tilemsi`, `Sahraoui` …) | `F Ettilemsi` (article assimilated and joined), `F Tilemsi` (article dropped), `F El Tilemsi`, or the whole main name then `al-Tilemsi` |
//! | `laqab` | the main name becomes `… dit L` (L the family name of another entry), as the Malian lists write a nickname | `F L` (first given name and nickname) or `F dit L` |
//! | `initials` | unchanged | the given names as initials, `A. B. Family` or `A. Family` |
//! | `chain` | unchanged (names with `ould`, `ag`, `ben`, `bin`, `ibn`, `mint`, `bint`) | a link dropped (`X Ould A Ould B` → `X Ould B` or `X Ould A`) or one added (`X Ould Y` → `X Ould Z Ould Y`) |
//! | `arabic-vowels` | loses its Arabic-script alias | that alias with its short vowels written (fatha, kasra, damma, sukun, shadda) |
//! | `arabic-bare` | loses its Arabic-script alias | that alias as it was, without vowels (the control of the line above) |
//! | `article` | unchanged (names with `Abd…`, `El`/`Al` split or joined) | the article joined where the list splits it and split where it joins it (`El Hadji` ↔ `Elhadji`, `Abdel Aziz` → `Abdelaziz`, `Abdessalam` → `Abd al-Salam`, `Almahmoud` → `al-Mahmoud`) |

/// One generated query: its kind, the name typed, the nationality, and the entry it must find.
pub struct AliasQuery {
    pub kind: &'static str,
    pub name: String,
    pub nationality: String,
    pub target: usize,
}

pub const KINDS: [&str; 8] = [
    "kunya",
    "nisba",
    "laqab",
    "initials",
    "chain",
    "arabic-vowels",
    "arabic-bare",
    "article",
];

/// Nisbas of the region (a place or a people, with the article in the lists' Latin form).
const NISBAS: [&str; 12] = [
    "Tilemsi",
    "Tinbukti",
    "Sahraoui",
    "Azawadi",
    "Massini",
    "Kidali",
    "Ansari",
    "Targui",
    "Chinguetti",
    "Djazairi",
    "Soudani",
    "Nigeri",
];

const CHAIN: [&str; 7] = ["ould", "ag", "ben", "bin", "ibn", "mint", "bint"];

/// splitmix64: reproducible draws without a crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

fn words(name: &str) -> Vec<&str> {
    name.split_whitespace().collect()
}

fn is_chain(w: &str) -> bool {
    CHAIN.contains(&w.to_lowercase().as_str())
}

fn arabic_script(s: &str) -> bool {
    s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// An Arabic-script name with its short vowels written, as a careful clerk or a printed list
/// gives it: a vowel after most consonants, a sukun or a shadda now and then.
fn with_vowels(s: &str, rng: &mut Rng) -> String {
    const LONG: [char; 5] = ['ا', 'و', 'ي', 'ى', 'ة'];
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let arabic_letter = ('\u{0621}'..='\u{064A}').contains(&c);
        if !arabic_letter || LONG.contains(&c) {
            continue;
        }
        let next = chars.get(i + 1).copied();
        if next.is_some_and(|n| LONG.contains(&n)) {
            // Before a long vowel, the matching short one.
            out.push(match next {
                Some('و') => '\u{064F}',
                Some('ي' | 'ى') => '\u{0650}',
                _ => '\u{064E}',
            });
            continue;
        }
        let end = next.is_none_or(char::is_whitespace);
        match rng.below(10) {
            0 => out.push('\u{0651}'),
            1 | 2 if end => out.push('\u{0652}'),
            3 | 4 => out.push('\u{0650}'),
            5 => out.push('\u{064F}'),
            _ => out.push('\u{064E}'),
        }
    }
    out
}

/// The list's names changed as the kinds need, and the queries; `per_kind` queries of each
/// kind at most (fewer where the list has fewer entries the rule applies to).
pub fn generate(
    names: &[Vec<String>],
    nationalities: &[String],
    per_kind: usize,
    seed: u64,
) -> (Vec<Vec<String>>, Vec<AliasQuery>) {
    let mut rng = Rng(seed);
    let mut out: Vec<Vec<String>> = names.to_vec();
    let mut used = vec![false; names.len()];
    let mut queries = Vec::new();
    let given: Vec<&str> = names
        .iter()
        .filter_map(|n| n.first())
        .filter_map(|n| words(n).first().copied())
        .filter(|w| w.len() >= 3 && !arabic_script(w))
        .collect();
    let family: Vec<&str> = names
        .iter()
        .filter_map(|n| n.first())
        .filter_map(|n| words(n).last().copied())
        .filter(|w| w.len() >= 4 && !is_chain(w) && !arabic_script(w))
        .collect();
    if given.is_empty() || family.is_empty() {
        return (out, queries);
    }
    for kind in KINDS.into_iter().filter(|k| *k != "arabic-bare") {
        let mut made = 0;
        let mut tries = 0;
        while made < per_kind && tries < names.len() * 2 {
            tries += 1;
            let e = rng.below(names.len());
            if used[e] {
                continue;
            }
            let Some(main) = names[e].first() else {
                continue;
            };
            let w = words(main);
            if w.len() < 2 || arabic_script(main) {
                continue;
            }
            let first = w[0];
            let query = match kind {
                "kunya" => {
                    let g = *rng.pick(&given);
                    let article = rng.below(2) == 0;
                    let listed = if article {
                        format!("Abu al-{g}")
                    } else {
                        format!("Abu {g}")
                    };
                    out[e].push(listed);
                    Some(match (rng.below(3), article) {
                        (0, true) => format!("Aboul {g}"),
                        (0, false) => format!("Abou {g}"),
                        (1, true) => format!("Abou el {g}"),
                        (1, false) => format!("Abu-{g}"),
                        (_, true) => format!("{first} Abou el {g}"),
                        (_, false) => format!("{first} Abou {g}"),
                    })
                }
                "nisba" => {
                    let n = *rng.pick(&NISBAS);
                    out[e].push(format!("{first} al-{n}"));
                    let lower = n.to_lowercase();
                    let sun = lower.starts_with(['t', 'd', 's', 'z', 'n', 'r', 'l'])
                        || lower.starts_with("ch");
                    let joined = if lower.starts_with("ch") {
                        format!("E{lower}")
                    } else if sun {
                        let c = &lower[..1];
                        format!("E{c}{lower}")
                    } else {
                        format!("El{lower}")
                    };
                    Some(match rng.below(4) {
                        0 => format!("{first} {joined}"),
                        1 => format!("{first} {n}"),
                        2 => format!("{first} El {n}"),
                        _ => format!("{main} al-{n}"),
                    })
                }
                "laqab" => {
                    let l = *rng.pick(&family);
                    if words(main).iter().any(|x| x.eq_ignore_ascii_case(l)) {
                        None
                    } else {
                        out[e][0] = format!("{main} dit {l}");
                        Some(if rng.below(2) == 0 {
                            format!("{first} {l}")
                        } else {
                            format!("{first} dit {l}")
                        })
                    }
                }
                "initials" => {
                    let last = w[w.len() - 1];
                    let given_part = &w[..w.len() - 1];
                    if is_chain(last) || given_part.iter().any(|x| is_chain(x)) {
                        None
                    } else if rng.below(2) == 0 || given_part.len() == 1 {
                        let initials: Vec<String> = given_part
                            .iter()
                            .filter_map(|x| x.chars().next())
                            .map(|c| format!("{c}."))
                            .collect();
                        Some(format!("{} {last}", initials.join(" ")))
                    } else {
                        let c = first.chars().next().unwrap_or('A');
                        Some(format!("{c}. {}", w[1..].join(" ")))
                    }
                }
                "chain" => {
                    let links: Vec<usize> = (0..w.len())
                        .filter(|&i| is_chain(w[i]) && i + 1 < w.len())
                        .collect();
                    match links.as_slice() {
                        [] => None,
                        [a, b, ..] => {
                            // Two links: keep either one.
                            let (a, b) = (*a, *b);
                            let kept: Vec<&str> = if rng.below(2) == 0 {
                                w[..a].iter().chain(&w[b..]).copied().collect()
                            } else {
                                w[..b].to_vec()
                            };
                            Some(kept.join(" "))
                        }
                        [a] => {
                            let z = *rng.pick(&given);
                            let mut v: Vec<&str> = w[..=*a].to_vec();
                            v.push(z);
                            v.push(w[*a]);
                            v.extend(&w[a + 1..]);
                            Some(v.join(" "))
                        }
                    }
                }
                "arabic-vowels" => {
                    // The same entry answers both forms: its Arabic alias with vowels, and
                    // as it was (the control), the list without it.
                    let pos = names[e].iter().position(|n| arabic_script(n));
                    pos.map(|p| {
                        let arabic = out[e].remove(p);
                        queries.push(AliasQuery {
                            kind: "arabic-bare",
                            name: arabic.clone(),
                            nationality: nationalities.get(e).cloned().unwrap_or_default(),
                            target: e,
                        });
                        with_vowels(&arabic, &mut rng)
                    })
                }
                "article" => article_form(&w),
                _ => None,
            };
            if let Some(name) = query {
                used[e] = true;
                made += 1;
                queries.push(AliasQuery {
                    kind,
                    name,
                    nationality: nationalities.get(e).cloned().unwrap_or_default(),
                    target: e,
                });
            }
        }
    }
    (out, queries)
}

/// The name with its article joined where it is split, or split where it is joined; `None`
/// when the name has no article.
fn article_form(w: &[&str]) -> Option<String> {
    let lower: Vec<String> = w.iter().map(|x| x.to_lowercase()).collect();
    // Split: `El Hadji` → `Elhadji`, `Abdel Aziz` → `Abdelaziz`.
    for i in 0..w.len().saturating_sub(1) {
        let joinable = matches!(
            lower[i].as_str(),
            "el" | "al" | "abdel" | "abdoul" | "abdul"
        );
        if joinable && w[i + 1].len() >= 3 && !is_chain(w[i + 1]) {
            let mut v: Vec<String> = w.iter().map(|x| x.to_string()).collect();
            let joined = format!("{}{}", w[i], w[i + 1].to_lowercase());
            v.splice(i..i + 2, [joined]);
            return Some(v.join(" "));
        }
    }
    // Joined: `Abdessalam` → `Abd al-Salam`, `Abdelkader` → `Abd el-Kader`, `Almahmoud` →
    // `al-Mahmoud`.
    for (i, l) in lower.iter().enumerate() {
        let split = |prefix: &str, article: &str, rest: &str| {
            let mut v: Vec<String> = w.iter().map(|x| x.to_string()).collect();
            let mut r = rest.to_string();
            if let Some(c) = r.get(..1) {
                r = c.to_uppercase() + r.get(1..).unwrap_or("");
            }
            let piece = if prefix.is_empty() {
                format!("{article}-{r}")
            } else {
                format!("{prefix} {article}-{r}")
            };
            v[i] = piece;
            v.join(" ")
        };
        for (joined, prefix, article) in [
            ("abdel", "Abd", "el"),
            ("abdal", "Abd", "al"),
            ("abdoul", "Abd", "al"),
            ("abdul", "Abd", "al"),
        ] {
            if let Some(rest) = l.strip_prefix(joined)
                && rest.len() >= 4
                && !rest.starts_with(['a', 'e', 'i', 'o', 'u', 'y'])
            {
                return Some(split(prefix, article, rest));
            }
        }
        // Assimilated: `Abdessalam`, `Abderrahmane`, `Abdennour`.
        for s in ["ss", "rr", "nn", "zz", "tt", "dd"] {
            if let Some(rest) = l.strip_prefix(&format!("abde{s}"))
                && rest.len() >= 2
            {
                return Some(split("Abd", "al", &format!("{}{rest}", &s[..1])));
            }
        }
        if i > 0
            && let Some(rest) = l.strip_prefix("al").or_else(|| l.strip_prefix("el"))
            && rest.len() >= 4
            && !rest.starts_with(['a', 'e', 'i', 'o', 'u'])
        {
            return Some(split("", "al", rest));
        }
    }
    None
}
