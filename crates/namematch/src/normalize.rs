//! From a written name to comparable tokens: Arabic script romanised, accents and case folded,
//! apostrophes dropped, and the spelling variants of the region made equal (French or English
//! transcription, doubled letters, silent final e). A consonant skeleton compares names whose
//! vowels are unwritten (Arabic script) or unstable.

/// Romanisation of the Arabic letters (consonants only: short vowels are not written). Long
/// vowels alif, waw and ya become a, w and y; the skeleton drops them again.
fn arabic(c: char) -> Option<&'static str> {
    Some(match c {
        'ا' | 'أ' | 'إ' | 'آ' | 'ى' | 'ٱ' => "a",
        'ب' => "b",
        'ت' | 'ط' => "t",
        'ث' => "th",
        'ج' => "j",
        'ح' | 'ه' | 'ة' => "h",
        'خ' => "kh",
        'د' | 'ض' => "d",
        'ذ' | 'ظ' => "dh",
        'ر' => "r",
        'ز' => "z",
        'س' | 'ص' => "s",
        'ش' => "sh",
        'ع' | 'ء' | 'ئ' | 'ؤ' => "",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "q",
        'ك' | 'گ' => "k",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'و' => "w",
        'ي' | 'ی' => "y",
        'پ' => "p",
        'چ' => "ch",
        _ => return None,
    })
}

/// True when the text holds Arabic letters.
pub fn is_arabic(s: &str) -> bool {
    s.chars().any(|c| arabic(c).is_some())
}

/// Lower-case ASCII words: Arabic romanised, accents dropped, apostrophes removed (N'Diaye →
/// ndiaye), every other mark a separator.
pub fn fold(s: &str) -> String {
    let mut latin = String::with_capacity(s.len());
    for c in s.chars() {
        // Short vowels, shadda, sukun and the stretching tatweel are written or not at will:
        // a name with them is the same name without them.
        if matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}') {
            continue;
        }
        match arabic(c) {
            Some(r) => latin.push_str(r),
            None if matches!(c, '\'' | '’' | '`' | 'ʼ' | 'ʻ') => {}
            None => latin.push(c),
        }
    }
    let ascii = deunicode::deunicode(&latin).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The spelling key of a folded word: the rules that make French and English transcriptions
/// of one name equal, applied until nothing changes.
pub fn spell_key(word: &str) -> String {
    let mut w = word.to_string();
    for _ in 0..6 {
        let next = spell_once(&w);
        if next == w {
            break;
        }
        w = next;
    }
    w
}

fn spell_once(word: &str) -> String {
    let mut w = word.to_string();
    for (from, to) in [
        ("tch", "ch"),
        ("sh", "ch"),
        ("dj", "j"),
        ("ou", "u"),
        ("w", "u"),
        ("y", "i"),
        ("kh", "k"),
        ("gh", "g"),
        ("ph", "f"),
        ("th", "t"),
        ("qu", "k"),
        ("q", "k"),
        ("x", "ks"),
    ] {
        if w.contains(from) {
            w = w.replace(from, to);
        }
    }
    let chars: Vec<char> = w.chars().collect();
    let mut out = String::with_capacity(w.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let after = chars.get(i + 2).copied();
        if c == 'g' && next == Some('u') && matches!(after, Some('e' | 'i')) {
            out.push('g');
            i += 2;
            continue;
        }
        // A hard c sounds k, a soft one (before e, i, y) s: Cissé and سيسي meet.
        out.push(match (c, next) {
            ('c', Some('a' | 'o' | 'u' | 'k') | None) => 'k',
            ('c', Some('e' | 'i' | 'y')) => 's',
            _ => c,
        });
        i += 1;
    }
    let mut dedup = String::with_capacity(out.len());
    for c in out.chars() {
        if !dedup.ends_with(c) {
            dedup.push(c);
        }
    }
    if dedup.len() > 3 && dedup.ends_with('e') {
        dedup.pop();
    }
    dedup
}

/// The consonant skeleton of a spelling key: vowels and the weak letters h, w, y removed,
/// doubled consonants once (`muhamad` → `mmd`… → `md`). Names written without their vowels
/// (Arabic script) meet their Latin spellings here.
pub fn skeleton(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        if matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'h' | 'w' | 'y') {
            continue;
        }
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// The first word of a kunya (`Abu`, `Abou`, `Bou`, `Umm`: "father of", "mother of"), as a
/// spelling key. Not a particle: `Abou` is also a given name of the region.
pub fn is_kunya(key: &str) -> bool {
    matches!(key, "abu" | "abi" | "bu" | "um")
}

/// The kunya word and the article written as one (`Aboul Abbas` for `Abu al-Abbas`), split
/// back into the two words the lists write.
pub fn split_kunya(key: &str) -> Option<(&'static str, &'static str)> {
    match key {
        "abul" => Some(("abu", "al")),
        "abil" => Some(("abi", "al")),
        "bul" => Some(("bu", "al")),
        _ => None,
    }
}

/// The Arabic article as a word of its own (spelling keys).
pub fn is_article(key: &str) -> bool {
    matches!(key, "al" | "el" | "ul")
}

/// The spelling key of a folded word written with the Arabic article joined to it, without
/// the article: `elazawadi` → `azauadi`, `almahmoud` → `mahmud`; assimilated to a doubled sun
/// letter, `essoudani` → `sudani`, `ettilemsi` → `tilemsi`, `attaher` → `taher`; inside an
/// `Abd` compound the article goes and `abd` stays, `abdelghani`, `abdoulghani` →
/// `abdgani`, `abderrahmane` → `abdrahman`. `None` when the word has no article, or when what
/// is left would not be a name of its own (`Alassane`, `Alamine`, `Assane` stay whole).
pub fn without_article(word: &str) -> Option<String> {
    let sun_doubled = |r: &str| {
        let b = r.as_bytes();
        b.len() >= 2 && b[0] == b[1] && b"tdsznrl".contains(&b[0])
    };
    let consonant =
        |r: &str| r.starts_with(|c: char| c.is_ascii_alphabetic() && !"aeiouy".contains(c));
    if let Some(rest) = word.strip_prefix("abd") {
        let core = ["oul", "al", "el", "ul", "il"]
            .iter()
            .find_map(|a| rest.strip_prefix(a))
            .filter(|r| consonant(r))
            .or_else(|| {
                rest.strip_prefix(['a', 'e', 'o', 'u', 'i'])
                    .filter(|r| sun_doubled(r))
            })?;
        let core = spell_key(core);
        return (core.len() >= 3).then(|| format!("abd{core}"));
    }
    // After the article, a consonant; or a vowel when what is left is long enough to be a
    // name of its own (`Elazawadi`, not `Alamine`).
    let joined = word
        .strip_prefix("al")
        .or_else(|| word.strip_prefix("el"))
        .map(|r| (consonant(r), spell_key(r)))
        .filter(|(c, k)| k.len() >= if *c { 4 } else { 6 })
        .map(|(_, k)| k);
    let assimilated = || {
        word.strip_prefix(['a', 'e'])
            .filter(|r| sun_doubled(r) || r.starts_with("ch"))
            .map(spell_key)
            .filter(|k| k.len() >= 5)
    };
    joined.or_else(assimilated)
}

/// A nisba, the name of origin (`al-Tilemsi`, `Ettinbukti`): a word ending in `i`, written
/// after the article or with it joined (`bare`: the key without it, as `without_article`).
pub fn is_nisba(key: &str, after_article: bool, bare: Option<&str>) -> bool {
    key.len() >= 5
        && key.ends_with('i')
        && (after_article || bare.is_some_and(|b| !b.starts_with("abd")))
}

/// The words that link a person to a parent (`Ould`, `Ag`, `Ben`, `Mint` …): what follows is
/// a link of a patronymic chain (spelling keys).
pub fn is_chain_link(key: &str) -> bool {
    matches!(
        key,
        "uld"
            | "ud"
            | "ualad"
            | "uald"
            | "uled"
            | "ulad"
            | "ald"
            | "mint"
            | "mnt"
            | "bint"
            | "bnt"
            | "ag"
            | "agh"
            | "ben"
            | "bin"
            | "bn"
            | "ibn"
    )
}

/// The words that introduce a nickname (`Amadou Barry dit Kouffa`).
pub fn is_laqab_mark(key: &str) -> bool {
    matches!(key, "dit" | "alias")
}

/// Particles and honorifics (spelling keys): they connect or decorate a name and must be
/// neither required nor ignored, so they weigh little.
pub fn is_particle(key: &str) -> bool {
    is_chain_link(key)
        || is_laqab_mark(key)
        || matches!(
            key,
            "el" | "al"
                | "ul"
                | "epus"
                | "ep"
                | "veuv"
                | "ve"
                | "elhaj"
                | "elhadj"
                | "haj"
                | "hadj"
                | "hadji"
                | "alhaji"
                | "alhaj"
        )
}

/// The equivalence groups of `data/equivalents.txt`: each member's spelling key and its group.
pub fn equivalents() -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut group = 0u32;
    for line in include_str!("../data/equivalents.txt").lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        group += 1;
        for member in line.split_whitespace() {
            out.push((spell_key(member), group));
        }
    }
    out
}

/// Edit distance with transpositions (optimal string alignment) between two folded keys,
/// `None` above `max`. Works on bytes with rows on the stack: keys are short ASCII words.
pub fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    const W: usize = 48;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    if a.len() >= W || b.len() >= W {
        return (a == b).then_some(0);
    }
    let mut two_back = [0usize; W];
    let mut prev = [0usize; W];
    let mut cur = [0usize; W];
    for (j, cell) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(two_back[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        two_back = prev;
        prev = cur;
    }
    Some(prev[b.len()]).filter(|d| *d <= max)
}
