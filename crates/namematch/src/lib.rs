//! Watchlist name screening built for the names of the Sahel: a traveller's name, birth date
//! and nationality against lists of up to millions of persons, fast enough to answer at the
//! border post without the link to headquarters, and explaining every candidate.
//!
//! Names are folded to comparable tokens (`normalize`: Arabic script romanised, French and
//! English transcriptions made equal, particles weighed lightly, given-name equivalents from
//! data). The index maps each distinct token to the entries that carry it; a query gathers
//! candidates from its own tokens, their equivalents, their consonant skeletons, their one-typo
//! neighbours and the entries born the same day, then scores the best of them precisely: tokens
//! aligned in any order (merged and split tokens too), weighted by how rare they are, and the
//! birth date and nationality as evidence both ways. Pure: no I/O, no panics on input.

pub mod normalize;

use std::collections::HashMap;

use normalize::{
    distance_within, fold, is_arabic, is_article, is_chain_link, is_kunya, is_laqab_mark, is_nisba,
    is_particle, skeleton, spell_key, split_kunya, without_article,
};

/// A date as lists give it: full, or the year only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BirthDate {
    pub year: u16,
    /// 0 when unknown.
    pub month: u8,
    /// 0 when unknown.
    pub day: u8,
}

impl BirthDate {
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, a real calendar date; anything else is `None`.
    pub fn parse(s: &str) -> Option<BirthDate> {
        let number = |p: &str, len: usize| -> Option<u16> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().ok()
            } else {
                None
            }
        };
        let small = |p: &str| number(p, 2).and_then(|n| u8::try_from(n).ok());
        let parts: Vec<&str> = s.trim().split('-').collect();
        let date = match parts.as_slice() {
            [y] => BirthDate {
                year: number(y, 4)?,
                month: 0,
                day: 0,
            },
            [y, m] => BirthDate {
                year: number(y, 4)?,
                month: small(m)?,
                day: 0,
            },
            [y, m, d] => BirthDate {
                year: number(y, 4)?,
                month: small(m)?,
                day: small(d)?,
            },
            _ => return None,
        };
        let month_ok = parts.len() < 2 || (1..=12).contains(&date.month);
        let day_ok =
            parts.len() < 3 || (1..=days_in_month(date.year, date.month)).contains(&date.day);
        ((1850..=2200).contains(&date.year) && month_ok && day_ok).then_some(date)
    }

    /// Day, month and year known.
    fn full(self) -> bool {
        self.month != 0 && self.day != 0
    }
}

/// Days in a month of the proleptic Gregorian calendar (0 for month 0).
fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

/// One person on a list: names (the main one first, then aliases), birth date, nationality.
#[derive(Debug, Clone)]
pub struct Entry {
    pub names: Vec<String>,
    pub birth: Option<BirthDate>,
    /// ISO 3166 alpha-2 or alpha-3, compared as given.
    pub nationality: Option<String>,
}

/// A traveller to screen.
#[derive(Debug, Clone)]
pub struct Query {
    pub name: String,
    pub birth: Option<BirthDate>,
    pub nationality: Option<String>,
}

/// How two tokens were found to be the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Exact,
    Spelling,
    Variant,
    Phonetic,
    Transliteration,
    Typo,
    Truncated,
    Merged,
    /// The Arabic article joined, split, assimilated or dropped (`Elhadji` / `El Hadji`,
    /// `Essoudani` / `al-Soudani`, `Abdelghani` / `Abd al-Ghani`).
    Article,
    /// The "father of" of a kunya (`Abou` / `Aboul` / `Abu al-`).
    Kunya,
    /// A name of origin (`al-Tilemsi`), matched or left out by one side.
    Nisba,
    /// A nickname introduced by `dit` (`Amadou Barry dit Kouffa`).
    Laqab,
    /// An initial for a given name (`A. Koufa`).
    Initial,
    /// A link of a patronymic chain one side has and the other not (`Ould Ahmed Ould Sidi` /
    /// `Ould Sidi`).
    Chain,
}

impl Rule {
    pub const ALL: [Rule; 14] = [
        Rule::Exact,
        Rule::Spelling,
        Rule::Variant,
        Rule::Phonetic,
        Rule::Transliteration,
        Rule::Typo,
        Rule::Truncated,
        Rule::Merged,
        Rule::Article,
        Rule::Kunya,
        Rule::Nisba,
        Rule::Laqab,
        Rule::Initial,
        Rule::Chain,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::Exact => "exact",
            Rule::Spelling => "spelling",
            Rule::Variant => "variant",
            Rule::Phonetic => "phonetic",
            Rule::Transliteration => "transliteration",
            Rule::Typo => "typo",
            Rule::Truncated => "truncated",
            Rule::Merged => "merged",
            Rule::Article => "article",
            Rule::Kunya => "kunya",
            Rule::Nisba => "nisba",
            Rule::Laqab => "laqab",
            Rule::Initial => "initial",
            Rule::Chain => "chain",
        }
    }
}

/// One query token paired with one listed token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenMatch {
    pub query: String,
    pub listed: String,
    pub rule: Rule,
    pub similarity: f32,
    pub weight: f32,
}

/// Why a candidate scored what it scored.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The listed name (main name or alias) that matched best.
    pub name: String,
    pub matches: Vec<TokenMatch>,
    /// Query tokens and listed tokens that found no partner.
    pub unmatched_query: Vec<String>,
    pub unmatched_listed: Vec<String>,
    /// Tokens one side has and the other not that weighed lightly, and why (`Chain`: a link
    /// of a patronymic chain written shorter; `Nisba`: a name of origin left out).
    pub omitted: Vec<(String, Rule)>,
    pub name_score: f32,
    /// How rare the matched words are: the weight (`Index::idf`) of the matched pairs, times
    /// their similarity, each pair counted once.
    pub name_weight: f32,
    /// What a common name, with no birth date to confirm it, took off the score (0 or less).
    pub rarity_effect: f32,
    /// What the birth date did to the score, and why.
    pub birth_effect: f32,
    pub birth_reason: &'static str,
    pub nationality_effect: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The entry's position in the list given to `Index::build`.
    pub entry: usize,
    pub score: f32,
    pub explanation: Explanation,
}

/// The three answers at the border.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Alerte,
    AVerifier,
    Aucune,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Alerte => "alerte",
            Decision::AVerifier => "à vérifier",
            Decision::Aucune => "aucune",
        }
    }
}

/// Score thresholds of the decisions (configuration, not code).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub alert: f32,
    pub review: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        // On the Sahelian benchmark (docs/benchmarks.md): `review` keeps about 95 % of true
        // matches; `alert` is reached by about 1 % of travellers who are not listed. A name
        // alone, with no birth date or nationality to confirm it, is `à vérifier`.
        Thresholds {
            alert: 0.75,
            review: 0.62,
        }
    }
}

impl Thresholds {
    pub fn decide(&self, score: f32) -> Decision {
        if score >= self.alert {
            Decision::Alerte
        } else if score >= self.review {
            Decision::AVerifier
        } else {
            Decision::Aucune
        }
    }
}

/// What a word is, for the rules that look at words by their place (found once per word, so
/// that comparing thousands of names costs no string comparison).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct WordKind(u8);

impl WordKind {
    /// `Ould`, `Ag`, `Ben` …: what follows is a link of a patronymic chain.
    const CHAIN: u8 = 1;
    /// The article as a word (`al`, `el`).
    const ARTICLE: u8 = 2;
    /// `Abu`, `Abi`, `Bou`, `Umm`.
    const KUNYA: u8 = 4;
    /// `Abd` alone.
    const ABD: u8 = 8;
    /// `Abd` with the article (`Abdel`, `Abdal`, `Abdoul`).
    const ABD_ARTICLE: u8 = 16;
    /// `dit`, `alias`.
    const LAQAB_MARK: u8 = 32;

    fn of(key: &str) -> WordKind {
        let mut k = 0;
        for (yes, bit) in [
            (is_chain_link(key), Self::CHAIN),
            (is_article(key), Self::ARTICLE),
            (is_kunya(key), Self::KUNYA),
            (key == "abd", Self::ABD),
            (
                matches!(key, "abdel" | "abdal" | "abdul"),
                Self::ABD_ARTICLE,
            ),
            (is_laqab_mark(key), Self::LAQAB_MARK),
        ] {
            if yes {
                k |= bit;
            }
        }
        WordKind(k)
    }

    fn is(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// A distinct token of the list.
#[derive(Debug)]
struct Token {
    kind: WordKind,
    key: String,
    skeleton: u32,
    skeleton_text: String,
    group: u32,
    particle: bool,
    /// Its spelling key without the Arabic article (`normalize::without_article`).
    bare: Option<Box<str>>,
    /// The entries that carry it, ascending.
    postings: Vec<u32>,
    /// Its weight (`Index::idf`).
    weight: f32,
}

#[derive(Debug)]
struct Listed {
    /// Token ids per name (main name first).
    names: Vec<Vec<u32>>,
    birth: Option<BirthDate>,
    nationality: Option<Box<str>>,
    /// One of its names gives a nickname (`… dit …`).
    laqab: bool,
}

#[derive(Debug)]
pub struct Index {
    tokens: Vec<Token>,
    by_key: HashMap<String, u32>,
    by_skeleton: HashMap<u32, Vec<u32>>,
    skeletons: HashMap<String, u32>,
    by_group: HashMap<u32, Vec<u32>>,
    groups: HashMap<String, u32>,
    /// Tokens by their spelling without the article, for those written with one.
    by_bare: HashMap<String, Vec<u32>>,
    /// One-deletion neighbourhoods of the keys, for typo lookup.
    deletions: HashMap<String, Vec<u32>>,
    by_birth: HashMap<(u16, u8, u8), Vec<u32>>,
    entries: Vec<Listed>,
    /// Every entry's birth date packed in a `u32` (`yyyymmdd`, 0 when absent), side by side so
    /// that ranking thousands of candidates by it stays in cache.
    births: Vec<u32>,
    /// The weight of a token of the list, on average over its occurrences.
    typical_idf: f32,
    /// The weight of matched words below which a name is common.
    common_below: f32,
    /// Every entry's tokens (all its names) end to end, and where each entry's start.
    entry_tokens: Vec<u32>,
    entry_start: Vec<u32>,
    /// Entries by the pairs of common tokens they have in one name (`pair_key`).
    pairs: HashMap<u64, Vec<u32>, std::hash::BuildHasherDefault<PairHasher>>,
    /// Dense accumulators reused across queries (one per concurrent search).
    scratch: std::sync::Mutex<Vec<Scratch>>,
}

/// One entry's place in the accumulator: its gathered score, and in one word its birth date
/// (`pack`, 28 bits) and the query token that last added to it (4 bits): eight bytes, so that
/// a million entries' cells take 8 MB and gathering and ranking an entry cost one access each.
#[derive(Debug, Default, Clone, Copy)]
struct Cell {
    score: f32,
    tag: u32,
}

const MARK_SHIFT: u32 = 28;
const BIRTH_BITS: u32 = (1 << MARK_SHIFT) - 1;
// A query token's mark (1 to MAX_QUERY_TOKENS) fits in the 4 bits above the birth date.
const _: () = assert!(MAX_QUERY_TOKENS < 16);

impl Cell {
    fn new(birth: u32) -> Cell {
        Cell {
            score: 0.0,
            tag: birth & BIRTH_BITS,
        }
    }

    fn mark(self) -> u16 {
        // At most 15 after the shift: fits.
        (self.tag >> MARK_SHIFT) as u16
    }

    fn set_mark(&mut self, mark: u16) {
        self.tag = (self.tag & BIRTH_BITS) | ((u32::from(mark) & 0xF) << MARK_SHIFT);
    }

    fn birth(self) -> u32 {
        self.tag & BIRTH_BITS
    }
}

#[derive(Debug, Default)]
struct Scratch {
    cells: Vec<Cell>,
}

/// A query token's part in gathering: the listed tokens it may stand for with their weights,
/// how many postings they have, and the most it can add to an entry.
struct Slot {
    stamp: u16,
    particle: bool,
    weighted: Vec<(u32, f32)>,
    postings: usize,
    best: f32,
}

/// Token similarities already computed for this query: (query token, listed token).
type Memo = HashMap<(usize, u32), Option<(f32, Rule)>, std::hash::BuildHasherDefault<PairHasher>>;

/// A fast hasher for the memo's small integer keys (the default one is built to resist
/// crafted keys, which these are not: they are our own indices).
#[derive(Default)]
struct PairHasher(u64);

impl std::hash::Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A query token, resolved.
#[derive(Debug, Clone)]
struct QToken {
    kind: WordKind,
    text: String,
    key: String,
    skeleton: String,
    /// The skeleton's id in the list, if the list has it.
    skeleton_id: Option<u32>,
    group: u32,
    particle: bool,
    arabic: bool,
    bare: Option<String>,
    /// A single letter standing for a given name.
    initial: bool,
    /// Follows `Ould`, `Ag`, `Ben` …: a link of a patronymic chain.
    link: bool,
    /// A name of origin (`normalize::is_nisba`).
    nisba: bool,
    /// Follows `dit`: a nickname.
    laqab: bool,
    /// Follows `Abd` and the article, or `Abdel`: the `Abd` compound it ends, as the list
    /// keys it without the article (`abd el ghani` → `abdgani`).
    compound: Option<String>,
}

const PARTICLE_WEIGHT: f32 = 0.25;
/// Two spellings of one name, the article joined or not: nearly the same.
const ARTICLE_SIMILARITY: f32 = 0.92;
/// A word the list does not know, gathered through one of two words it may be written for.
const SPLIT_SIMILARITY: f32 = 0.6;
/// An initial for the given name it starts.
const INITIAL_SIMILARITY: f32 = 0.6;
/// What an initial weighs: it says little (one given name in fifteen starts with `M`).
const INITIAL_WEIGHT: f32 = 0.5;
/// How much of its weight a token one side left out still counts against the match when it
/// is a link of a patronymic chain written shorter, or a name of origin.
const OMITTED_CHAIN: f32 = 0.3;
const OMITTED_NISBA: f32 = 0.5;
/// No name has more tokens than this; the rest of a longer query is ignored.
const MAX_QUERY_TOKENS: usize = 12;
/// No name token is longer than this; longer ones get no typo neighbours.
const MAX_TOKEN: usize = 40;
/// What a birth date that agrees (or disagrees) on day, month and year is worth against the
/// name: nearly as much as the whole name, because a full date is shared by chance with one
/// person in about twenty thousand, while the commonest names here are shared by thousands.
const BIRTH_WEIGHT: f32 = 0.8;
/// What an agreeing (or differing) nationality is worth: little, as dual nationals and
/// neighbours' documents are common at these borders.
const NATIONALITY_WEIGHT: f32 = 0.05;
/// Agreeing dates confirm a name only in proportion to how well it matched, up to this name
/// score: at a hundred thousand entries a dozen share any given birthday, and a date alone
/// must not make a stranger a match. Disagreeing dates count in full.
const BIRTH_CONFIRMS_FROM: f32 = 0.8;
/// A name whose matched words weigh less than this (`Index::idf` summed over the pairs: two
/// words each borne by one entry in 150 weigh 12) is common: with no birth date to compare,
/// its match loses up to `COMMON_NAME_PENALTY` of score, the more the commoner. Set on the
/// Sahelian benchmark (docs/benchmarks.md, "Common names without a date"): at 100k, false
/// alarms at 90 % recall fall from 19 % to 14 %; at 1M, where nearly every name is shared by
/// chance, it changes little either way.
const COMMON_NAME_BELOW: f32 = 12.0;
const COMMON_NAME_PENALTY: f32 = 0.1;
/// In a small list every word is rare and weighs little (ln n + 1): there, a name is common
/// only below this many words found once in the list.
const COMMON_NAME_WORDS: f32 = 1.2;
/// Candidates scored precisely per query.
const SHORTLIST: usize = 80;
/// Postings one query token may read through its variants, closest first.
const SLOT_BUDGET: usize = 25_000;
/// Entries gathered from which a common query token may be looked up in them, not read (an
/// entry that has none of the rarer tokens already read cannot match the query well).
const PROBE_FROM: usize = 100;
/// How many more postings than gathered entries make looking up cheaper than reading.
const PROBE_RATIO: usize = 3;
/// A token with this many postings is common: the pairs of common tokens written together in
/// a name are indexed, so that a query made only of common names (`Mohamed Traoré`) finds the
/// entries that have both without reading the tens of thousands that have either.
const PAIR_FROM: usize = 2_000;
/// Spellings of each query token tried in pairs, closest first.
const PAIR_SPELLINGS: usize = 6;
/// Entries found by pairs below which the query gathers token by token instead (the person
/// may be written with a spelling no pair has).
const PAIR_ENOUGH: usize = 2 * SHORTLIST;

impl Index {
    pub fn build(entries: &[Entry]) -> Index {
        let mut ix = Index {
            tokens: Vec::new(),
            by_key: HashMap::new(),
            by_skeleton: HashMap::new(),
            skeletons: HashMap::new(),
            by_group: HashMap::new(),
            groups: normalize::equivalents().into_iter().collect(),
            by_bare: HashMap::new(),
            deletions: HashMap::new(),
            by_birth: HashMap::new(),
            entries: Vec::with_capacity(entries.len()),
            births: entries.iter().map(|e| pack(e.birth)).collect(),
            typical_idf: 1.0,
            common_below: COMMON_NAME_BELOW,
            entry_tokens: Vec::new(),
            entry_start: vec![0],
            pairs: HashMap::default(),
            scratch: std::sync::Mutex::new(Vec::new()),
        };
        for (i, e) in entries.iter().enumerate() {
            let id = u32::try_from(i).unwrap_or(u32::MAX);
            let mut names = Vec::with_capacity(e.names.len());
            for name in &e.names {
                let ids: Vec<u32> = name_words(&fold(name))
                    .into_iter()
                    .map(|(key, bare)| ix.intern(&key, bare, id))
                    .collect();
                if !ids.is_empty() {
                    names.push(ids);
                }
            }
            if let Some(b) = e.birth.filter(|b| b.full()) {
                ix.by_birth
                    .entry((b.year, b.month, b.day))
                    .or_default()
                    .push(id);
            }
            ix.entry_tokens.extend(names.iter().flatten());
            ix.entry_start
                .push(u32::try_from(ix.entry_tokens.len()).unwrap_or(u32::MAX));
            let laqab = names.iter().flatten().any(|&t| {
                ix.tokens
                    .get(t as usize)
                    .is_some_and(|tok| tok.kind.is(WordKind::LAQAB_MARK))
            });
            ix.entries.push(Listed {
                laqab,
                names,
                birth: e.birth,
                nationality: e
                    .nationality
                    .as_deref()
                    .map(|n| n.trim().to_uppercase().into_boxed_str()),
            });
        }
        let weights: Vec<f32> = ix.tokens.iter().map(|t| ix.compute_idf(t)).collect();
        for (token, w) in ix.tokens.iter_mut().zip(weights) {
            token.weight = w;
        }
        let (mut weight, mut occurrences) = (0.0f64, 0usize);
        for token in &ix.tokens {
            weight += f64::from(ix.idf(token)) * token.postings.len() as f64;
            occurrences += token.postings.len();
        }
        ix.typical_idf = (weight / occurrences.max(1) as f64) as f32;
        let unique = (ix.entries.len().max(1) as f32).ln() + 1.0;
        ix.common_below = COMMON_NAME_BELOW.min(COMMON_NAME_WORDS * unique);
        for (t, token) in ix.tokens.iter_mut().enumerate() {
            token.postings.dedup();
            let t = u32::try_from(t).unwrap_or(u32::MAX);
            // Typo neighbours of real words only: a listed 10,000-letter "name" must not cost
            // its square at build time either.
            if (4..=MAX_TOKEN).contains(&token.key.chars().count()) {
                for d in deletions(&token.key) {
                    ix.deletions.entry(d).or_default().push(t);
                }
            }
        }
        let common = |t: u32| {
            ix.tokens
                .get(t as usize)
                .is_some_and(|tok| !tok.particle && tok.postings.len() >= PAIR_FROM)
        };
        let mut keys: Vec<u64> = Vec::new();
        for (e, listed) in ix.entries.iter().enumerate() {
            keys.clear();
            for name in &listed.names {
                for (i, &a) in name.iter().enumerate() {
                    for &b in name.iter().skip(i + 1) {
                        if a != b && common(a) && common(b) {
                            keys.push(pair_key(a, b));
                        }
                    }
                }
            }
            keys.sort_unstable();
            keys.dedup();
            let e = u32::try_from(e).unwrap_or(u32::MAX);
            for &k in &keys {
                ix.pairs.entry(k).or_default().push(e);
            }
        }
        ix
    }

    /// The entries that have, in one name, a spelling of two of the query's tokens, when every
    /// token of the query is common (else reading the rarest one is cheap); `None` when the
    /// query must gather token by token.
    fn pair_candidates(&self, slots: &[Slot]) -> Option<Vec<u32>> {
        let named: Vec<&Slot> = slots.iter().filter(|s| !s.particle).collect();
        if named.len() < 2 || named.iter().any(|s| s.postings < PAIR_FROM) {
            return None;
        }
        let mut found: Vec<u32> = Vec::new();
        for (i, a) in named.iter().enumerate() {
            for b in named.iter().skip(i + 1) {
                for &(ta, _) in a.weighted.iter().take(PAIR_SPELLINGS) {
                    for &(tb, _) in b.weighted.iter().take(PAIR_SPELLINGS) {
                        if ta != tb
                            && let Some(es) = self.pairs.get(&pair_key(ta, tb))
                        {
                            found.extend_from_slice(es);
                        }
                    }
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        (found.len() >= PAIR_ENOUGH).then_some(found)
    }

    /// What an entry gathers from every query token: for each, the weight of the best of its
    /// spellings the entry has.
    fn probe_all(&self, lookup: &[(u32, usize, f32)], e: u32) -> f32 {
        let mut best = [0.0f32; MAX_QUERY_TOKENS];
        for t in self.entry_tokens(e) {
            let from = lookup.partition_point(|x| x.0 < *t);
            for &(token, slot, w) in lookup.get(from..).unwrap_or(&[]) {
                if token != *t {
                    break;
                }
                if let Some(b) = best.get_mut(slot) {
                    *b = b.max(w);
                }
            }
        }
        best.iter().sum()
    }

    fn intern(&mut self, key: &str, bare: Option<String>, entry: u32) -> u32 {
        if let Some(&t) = self.by_key.get(key) {
            if let Some(tok) = self.tokens.get_mut(t as usize)
                && tok.postings.last() != Some(&entry)
            {
                tok.postings.push(entry);
            }
            return t;
        }
        let t = u32::try_from(self.tokens.len()).unwrap_or(u32::MAX);
        let skel = skeleton(key);
        let next = u32::try_from(self.skeletons.len()).unwrap_or(u32::MAX);
        let s = *self.skeletons.entry(skel.clone()).or_insert(next);
        self.by_skeleton.entry(s).or_default().push(t);
        let group = self.groups.get(key).copied().unwrap_or(0);
        if group != 0 {
            self.by_group.entry(group).or_default().push(t);
        }
        if let Some(b) = &bare {
            self.by_bare.entry(b.clone()).or_default().push(t);
        }
        self.tokens.push(Token {
            kind: WordKind::of(key),
            bare: bare.map(String::into_boxed_str),
            key: key.to_string(),
            skeleton: s,
            skeleton_text: skel,
            group,
            particle: is_particle(key),
            postings: vec![entry],
            weight: 1.0,
        });
        self.by_key.insert(key.to_string(), t);
        t
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    fn take_scratch(&self) -> Scratch {
        let pooled = self.scratch.lock().ok().and_then(|mut pool| pool.pop());
        pooled.unwrap_or_else(|| Scratch {
            cells: self.births.iter().map(|&birth| Cell::new(birth)).collect(),
        })
    }

    fn entry_tokens(&self, e: u32) -> &[u32] {
        let start = self.entry_start.get(e as usize).copied().unwrap_or(0) as usize;
        let end = self.entry_start.get(e as usize + 1).copied().unwrap_or(0) as usize;
        self.entry_tokens.get(start..end).unwrap_or(&[])
    }

    fn return_scratch(&self, s: Scratch) {
        if let Ok(mut pool) = self.scratch.lock() {
            pool.push(s);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// An estimate of the memory the index holds, in bytes.
    pub fn memory_bytes(&self) -> usize {
        let tokens: usize = self
            .tokens
            .iter()
            .map(|t| {
                t.key.capacity()
                    + t.bare.as_ref().map_or(0, |b| b.len())
                    + t.postings.capacity() * 4
                    + 64
            })
            .sum();
        let entries: usize = self
            .entries
            .iter()
            .map(|e| {
                48 + e.names.iter().map(|n| n.capacity() * 4 + 24).sum::<usize>()
                    + e.nationality.as_ref().map_or(0, |n| n.len())
            })
            .sum();
        let maps = self.by_key.len() * 48
            + self
                .deletions
                .iter()
                .map(|(k, v)| k.capacity() + v.capacity() * 4 + 56)
                .sum::<usize>()
            + self
                .by_skeleton
                .values()
                .map(|v| v.capacity() * 4 + 40)
                .sum::<usize>()
            + self
                .by_birth
                .values()
                .map(|v| v.capacity() * 4 + 40)
                .sum::<usize>()
            + self
                .by_bare
                .iter()
                .map(|(k, v)| k.capacity() + v.capacity() * 4 + 56)
                .sum::<usize>();
        let arrays = (self.entry_tokens.capacity() + self.entry_start.capacity()) * 4
            + self.births.capacity() * 4
            + self
                .tokens
                .iter()
                .map(|t| t.skeleton_text.capacity())
                .sum::<usize>()
            + self
                .skeletons
                .keys()
                .map(|k| k.capacity() + 40)
                .sum::<usize>()
            + self
                .by_group
                .values()
                .map(|v| v.capacity() * 4 + 40)
                .sum::<usize>();
        let pairs = self
            .pairs
            .values()
            .map(|v| v.capacity() * 4 + 40)
            .sum::<usize>();
        // One accumulator per concurrent search, made on first use.
        let scratch = self.entries.len() * std::mem::size_of::<Cell>();
        tokens + entries + maps + arrays + pairs + scratch
    }

    /// How telling a token is: the rarer, the more (computed once, at the end of `build`).
    fn idf(&self, t: &Token) -> f32 {
        t.weight
    }

    fn compute_idf(&self, t: &Token) -> f32 {
        if t.particle {
            return PARTICLE_WEIGHT;
        }
        if t.key.len() == 1 {
            return INITIAL_WEIGHT;
        }
        let n = self.entries.len().max(1) as f32;
        (n / t.postings.len().max(1) as f32).ln().max(0.0) + 1.0
    }

    /// A query word's tokens: one, or two for a kunya written with its article (`Aboul`).
    fn resolve(&self, word: &str, arabic: bool) -> Vec<QToken> {
        // The Arabic article is written joined to its word (الشريف): Latin lists drop it.
        let word = match word.strip_prefix("al") {
            Some(rest) if arabic && rest.len() >= 3 => rest,
            _ => word,
        };
        let key = spell_key(word);
        if let Some((kunya, article)) = split_kunya(&key) {
            return vec![
                self.qtoken(word, kunya.to_string(), arabic, None),
                self.qtoken(word, article.to_string(), arabic, None),
            ];
        }
        let bare = if arabic { None } else { without_article(word) };
        vec![self.qtoken(word, key, arabic, bare)]
    }

    fn qtoken(&self, word: &str, key: String, arabic: bool, bare: Option<String>) -> QToken {
        let skeleton = skeleton(&key);
        QToken {
            kind: WordKind::of(&key),
            text: word.to_string(),
            skeleton_id: self.skeletons.get(&skeleton).copied(),
            skeleton,
            group: self.groups.get(&key).copied().unwrap_or(0),
            particle: is_particle(&key),
            arabic,
            initial: key.len() == 1 && !arabic,
            bare,
            link: false,
            nisba: false,
            laqab: false,
            compound: None,
            key,
        }
    }

    /// The listed tokens a query token may stand for, with the similarity and the rule.
    fn expansions(&self, q: &QToken) -> Vec<(u32, f32, Rule)> {
        let mut out: Vec<(u32, f32, Rule)> = Vec::new();
        let mut add = |t: u32, sim: f32, rule: Rule| match out.iter_mut().find(|(x, _, _)| *x == t)
        {
            Some(e) if e.1 < sim => *e = (t, sim, rule),
            Some(_) => {}
            None => out.push((t, sim, rule)),
        };
        if let Some(&t) = self.by_key.get(&q.key) {
            add(t, 1.0, Rule::Spelling);
        }
        if q.group != 0
            && let Some(ts) = self.by_group.get(&q.group)
        {
            for &t in ts {
                add(t, 0.93, Rule::Variant);
            }
        }
        // The article joined on one side and not the other, or on both.
        if let Some(b) = &q.bare
            && let Some(&t) = self.by_key.get(b)
        {
            add(t, ARTICLE_SIMILARITY, Rule::Article);
        }
        for ts in [q.bare.as_ref(), Some(&q.key), q.compound.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|k| self.by_bare.get(k))
        {
            for &t in ts {
                add(t, ARTICLE_SIMILARITY, Rule::Article);
            }
        }
        // A word the list does not know may be two it knows, written together (`abdoulsalam`
        // for `abdoul salam`): the rarer of the two gathers, after the word's own spellings
        // (a misspelt word is far more often a typo than two words).
        if !q.arabic && q.key.len() >= 6 && !self.by_key.contains_key(&q.key) {
            let postings = |k: &str| {
                self.by_key
                    .get(k)
                    .and_then(|&t| self.tokens.get(t as usize))
                    .map(|t| (t.postings.len(), t))
            };
            for cut in 3..=q.key.len() - 3 {
                let (Some(a), Some(b)) = (q.key.get(..cut), q.key.get(cut..)) else {
                    continue;
                };
                if let (Some((na, ta)), Some((nb, tb))) = (postings(a), postings(b))
                    && let Some(&t) = self.by_key.get(if na <= nb && !ta.particle || tb.particle {
                        &ta.key
                    } else {
                        &tb.key
                    })
                {
                    add(t, SPLIT_SIMILARITY, Rule::Merged);
                }
            }
        }
        if q.skeleton.len() >= 2
            && let Some(s) = self.skeletons.get(&q.skeleton)
            && let Some(ts) = self.by_skeleton.get(s)
        {
            for &t in ts {
                let sim = if q.arabic { 0.9 } else { 0.8 };
                let rule = if q.arabic {
                    Rule::Transliteration
                } else {
                    Rule::Phonetic
                };
                if q.arabic
                    || self
                        .tokens
                        .get(t as usize)
                        .is_some_and(|tok| plausible(&q.key, &tok.key))
                {
                    add(t, sim, rule);
                }
            }
        }
        // A three-letter token may have lost a letter: the four-letter tokens it is a
        // deletion of.
        if q.key.chars().count() == 3
            && let Some(ts) = self.deletions.get(&q.key)
        {
            for &t in ts {
                if let Some(tok) = self.tokens.get(t as usize)
                    && plausible(&q.key, &tok.key)
                    && tok.key.chars().count() == 4
                {
                    add(t, 0.7, Rule::Typo);
                }
            }
        }
        // Typo neighbours of real words only: a 10,000-letter "name" must not cost its square.
        if (4..=MAX_TOKEN).contains(&q.key.chars().count()) {
            let mut probes = deletions(&q.key);
            probes.push(q.key.clone());
            for p in probes {
                if let Some(ts) = self.deletions.get(&p) {
                    for &t in ts {
                        if let Some(tok) = self.tokens.get(t as usize)
                            && distance_within(&q.key, &tok.key, 1).is_some()
                        {
                            add(t, 0.85, Rule::Typo);
                        }
                    }
                }
            }
        }
        out
    }

    pub fn search(&self, query: &Query, top: usize) -> Vec<Hit> {
        let arabic = is_arabic(&query.name);
        let folded = fold(&query.name);
        let mut qtokens: Vec<QToken> = folded
            .split(' ')
            .filter(|w| !w.is_empty())
            .flat_map(|w| self.resolve(w, arabic))
            .take(MAX_QUERY_TOKENS)
            .collect();
        mark_positions(&mut qtokens);
        if qtokens.is_empty() || top == 0 {
            return Vec::new();
        }
        // Candidate gathering, one slot per query token: an entry earns, for each slot, the
        // weight of the best listed token that the query token may stand for. Slots are read
        // into a dense accumulator (taken from a pool, so no allocation per query); a slot
        // whose postings are too many for the budget reads its own spelling only.
        let mut scratch = self.take_scratch();
        let mut touched: Vec<u32> = Vec::new();
        let mut qw: Vec<f32> = Vec::with_capacity(qtokens.len());
        let mut slots: Vec<Slot> = Vec::with_capacity(qtokens.len());
        for (slot, q) in qtokens.iter().enumerate() {
            let mut exps = self.expansions(q);
            exps.sort_by(|a, b| b.1.total_cmp(&a.1));
            let own = self.query_weight(q, exps.first().map(|e| e.0));
            qw.push(own);
            // The closest spellings first, as many as the budget of postings allows (the
            // closest always); a rare misspelling of a common name weighs what the name
            // weighs, not more.
            let mut spent = 0usize;
            let mut weighted: Vec<(u32, f32)> = Vec::with_capacity(exps.len());
            for &(t, sim, _) in &exps {
                let Some(tok) = self.tokens.get(t as usize) else {
                    continue;
                };
                let n = tok.postings.len();
                if weighted.is_empty() || spent + n <= SLOT_BUDGET {
                    spent += n;
                    weighted.push((t, self.idf(tok).min(own) * sim));
                }
            }
            let postings = weighted
                .iter()
                .filter_map(|(t, _)| self.tokens.get(*t as usize))
                .map(|t| t.postings.len())
                .sum();
            let best = weighted.iter().map(|x| x.1).fold(0.0, f32::max);
            slots.push(Slot {
                stamp: u16::try_from(slot + 1).unwrap_or(u16::MAX),
                particle: q.particle,
                weighted,
                postings,
                best,
            });
        }
        // The weightiest (rarest) tokens first. A common token whose postings far outnumber
        // the entries already gathered is looked up in those entries instead of read: an entry
        // that has none of the rarer tokens cannot match the query well, and an entry born the
        // same day is brought in by its date below.
        slots.sort_by(|a, b| b.best.total_cmp(&a.best));
        let mut acc: HashMap<u32, f32> = HashMap::with_capacity(SHORTLIST * 4);
        // The best-scored entries go on; the accumulator is cleaned for the next query.
        // The shortlist weighs the birth date already: the same day lifts an entry, another
        // day lowers it, so that namesakes do not crowd out the person.
        let qmax: f32 = qw.iter().sum();
        let query_birth = pack(query.birth);
        let birth_weight = BIRTH_WEIGHT * qmax;
        // Most entries have no date or another one: only those are worth unpacking.
        let birth_of = |packed: u32| -> f32 {
            if query_birth == 0 || packed == 0 {
                0.0
            } else if packed == query_birth {
                1.0
            } else {
                birth_evidence(query.birth, unpack(packed)).0
            }
        };
        let mut ranked: Vec<(u32, f32)> = if let Some(found) = self.pair_candidates(&slots) {
            let mut lookup: Vec<(u32, usize, f32)> = slots
                .iter()
                .flat_map(|s| {
                    let slot = usize::from(s.stamp.saturating_sub(1));
                    s.weighted.iter().map(move |&(t, w)| (t, slot, w))
                })
                .collect();
            lookup.sort_by_key(|x| x.0);
            found
                .into_iter()
                .map(|e| {
                    let birth = self.births.get(e as usize).copied().unwrap_or(0);
                    (
                        e,
                        self.probe_all(&lookup, e) + birth_weight * birth_of(birth),
                    )
                })
                .collect()
        } else {
            for slot in &slots {
                let stamp = slot.stamp;
                if touched.len() >= PROBE_FROM && slot.postings > PROBE_RATIO * touched.len() {
                    let mut by_token = slot.weighted.clone();
                    by_token.sort_by_key(|x| x.0);
                    for &e in &touched {
                        let best = self
                            .entry_tokens(e)
                            .iter()
                            .filter_map(|t| {
                                by_token
                                    .binary_search_by_key(t, |x| x.0)
                                    .ok()
                                    .and_then(|i| by_token.get(i))
                                    .map(|x| x.1)
                            })
                            .fold(0.0f32, f32::max);
                        if let Some(cell) = scratch.cells.get_mut(e as usize) {
                            cell.score += best;
                        }
                    }
                    continue;
                }
                for &(t, w) in &slot.weighted {
                    let Some(tok) = self.tokens.get(t as usize) else {
                        continue;
                    };
                    for &e in &tok.postings {
                        if let Some(cell) = scratch.cells.get_mut(e as usize) {
                            if cell.mark() == stamp {
                                continue;
                            }
                            if cell.score == 0.0 {
                                touched.push(e);
                            }
                            cell.set_mark(stamp);
                            cell.score += w;
                        }
                    }
                }
            }
            touched
                .iter()
                .filter_map(|&e| {
                    let cell = scratch.cells.get_mut(e as usize)?;
                    let acc = cell.score;
                    cell.score = 0.0;
                    cell.set_mark(0);
                    Some((e, acc + birth_weight * birth_of(cell.birth())))
                })
                .collect()
        };
        self.return_scratch(scratch);
        let keep = (SHORTLIST * 2).min(ranked.len());
        if keep > 0 && keep < ranked.len() {
            ranked.select_nth_unstable_by(keep - 1, |a, b| b.1.total_cmp(&a.1));
            ranked.truncate(keep);
        }
        acc.extend(ranked);
        // The same birth date brings its entries in, when they share a token's skeleton (the
        // name may be written too differently for any token to meet): ranked as if half the
        // name matched, with the date's weight.
        if let Some(b) = query.birth.filter(|b| b.full()) {
            let mut keys = vec![(b.year, b.month, b.day)];
            if b.day != b.month && b.day <= 12 {
                keys.push((b.year, b.day, b.month));
            }
            for key in keys {
                if let Some(es) = self.by_birth.get(&key) {
                    for &e in es {
                        if acc.contains_key(&e) {
                            continue;
                        }
                        if let Some(listed) = self.entries.get(e as usize)
                            && listed.names.iter().flatten().any(|&t| {
                                self.tokens.get(t as usize).is_some_and(|tok| {
                                    qtokens.iter().any(|q| {
                                        !tok.particle && q.skeleton_id == Some(tok.skeleton)
                                    })
                                })
                            })
                        {
                            acc.insert(e, (0.5 + BIRTH_WEIGHT * 0.6) * qmax);
                        }
                    }
                }
            }
        }
        let mut shortlist: Vec<(u32, f32)> = acc.into_iter().collect();
        shortlist.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        shortlist.truncate(SHORTLIST.max(top));
        // Scored without words first (the similarity of a query token and a listed token is
        // computed once per query), then the winners again with their explanation.
        let mut memo = Memo::default();
        let qforms = forms(qtokens.len(), |i| {
            qtokens
                .get(i)
                .is_some_and(|q| q.kind.is(WordKind::LAQAB_MARK))
        });
        let parts = QueryParts {
            qtokens: &qtokens,
            qw: &qw,
            qforms: &qforms,
            query,
        };
        let mut hits: Vec<Hit> = shortlist
            .into_iter()
            .filter_map(|(e, _)| self.score_entry(e as usize, &parts, &mut memo, false))
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits.truncate(top);
        hits.into_iter()
            .filter_map(|h| self.score_entry(h.entry, &parts, &mut memo, true))
            .collect()
    }

    fn score_entry(
        &self,
        e: usize,
        parts: &QueryParts,
        memo: &mut Memo,
        explain: bool,
    ) -> Option<Hit> {
        let QueryParts {
            qtokens,
            qw,
            qforms,
            query,
        } = *parts;
        let listed = self.entries.get(e)?;
        let mut best: Option<Explanation> = None;
        let mut consider = |side: &Side, best: &mut Option<Explanation>| {
            let ex = self.align(qtokens, qw, side, memo, explain);
            if best.as_ref().is_none_or(|b| ex.name_score > b.name_score) {
                *best = Some(ex);
            }
        };
        for (n, name) in listed.names.iter().enumerate() {
            let mark = |j: usize| {
                name.get(j)
                    .and_then(|&t| self.tokens.get(t as usize))
                    .is_some_and(|t| t.kind.is(WordKind::LAQAB_MARK))
            };
            // Most names have no nickname: compared whole, with no copy.
            if !listed.laqab {
                for (qsel, _) in qforms {
                    let side = Side {
                        qsel,
                        name,
                        laqab_from: usize::MAX,
                        alias: n > 0,
                    };
                    consider(&side, &mut best);
                }
                continue;
            }
            for (lsel, laqab_from) in forms(name.len(), mark) {
                let ids: Vec<u32> = lsel.iter().filter_map(|&j| name.get(j).copied()).collect();
                for (qsel, _) in qforms {
                    let side = Side {
                        qsel,
                        name: &ids,
                        laqab_from,
                        alias: n > 0,
                    };
                    consider(&side, &mut best);
                }
            }
        }
        let mut ex = best?;
        let (mut birth, birth_reason) = birth_evidence(query.birth, listed.birth);
        if birth > 0.0 {
            birth *= (ex.name_score / BIRTH_CONFIRMS_FROM).min(1.0);
        }
        let nationality = match (query.nationality.as_deref(), listed.nationality.as_deref()) {
            (Some(q), Some(l)) if !q.trim().is_empty() && q.trim().eq_ignore_ascii_case(l) => 1.0,
            (Some(q), Some(_)) if !q.trim().is_empty() => -1.0,
            _ => 0.0,
        };
        // The name and the evidence add up, then are brought into [0, 1]: only the same name,
        // the same birth date and the same nationality make 1; a name alone, with nothing to
        // confirm or contradict it, makes about 0.68.
        let span = 1.0 + 2.0 * (BIRTH_WEIGHT + NATIONALITY_WEIGHT);
        ex.birth_effect = BIRTH_WEIGHT * birth / span;
        ex.birth_reason = birth_reason;
        ex.nationality_effect = NATIONALITY_WEIGHT * nationality / span;
        // With no birth date to compare, a name alone is all there is, and a common one is
        // shared by chance by many who are not the person: the less weight the matched words
        // carry, the lower the score.
        if birth_reason == "absent" {
            let below = self.common_below;
            let short = ((below - ex.name_weight) / below.max(f32::EPSILON)).clamp(0.0, 1.0);
            ex.rarity_effect = -COMMON_NAME_PENALTY * short;
        }
        let score = ((ex.name_score + BIRTH_WEIGHT + NATIONALITY_WEIGHT) / span
            + ex.birth_effect
            + ex.nationality_effect
            + ex.rarity_effect)
            .clamp(0.0, 1.0);
        Some(Hit {
            entry: e,
            score,
            explanation: ex,
        })
    }

    /// Pairs query tokens with listed tokens, best similarity first, each token once (two
    /// adjacent tokens may pair with one merged token, three with an `Abd` compound), and
    /// scores the weighted share matched; a chain link or a nisba one side left out weighs
    /// lightly.
    fn align(
        &self,
        qtokens: &[QToken],
        qw_all: &[f32],
        side: &Side,
        memo: &mut Memo,
        explain: bool,
    ) -> Explanation {
        let qs: Vec<&QToken> = side.qsel.iter().filter_map(|&i| qtokens.get(i)).collect();
        // The weights on the stack: align runs for every name of every shortlisted entry.
        let mut w_buf = [0.0f32; MAX_QUERY_TOKENS];
        for (w, &i) in w_buf.iter_mut().zip(side.qsel) {
            *w = qw_all.get(i).copied().unwrap_or(0.0);
        }
        let qw = &w_buf[..side.qsel.len().min(MAX_QUERY_TOKENS)];
        let name = side.name;
        let listed: Vec<&Token> = name
            .iter()
            .filter_map(|&t| self.tokens.get(t as usize))
            .collect();
        let lw: Vec<f32> = listed.iter().map(|t| self.idf(t)).collect();
        let after = |j: usize, kind: u8| {
            j.checked_sub(1)
                .and_then(|p| listed.get(p))
                .is_some_and(|t| t.kind.is(kind))
        };
        let l_link = |j: usize| after(j, WordKind::CHAIN);
        let l_nisba = |j: usize| {
            listed
                .get(j)
                .is_some_and(|t| is_nisba(&t.key, after(j, WordKind::ARTICLE), t.bare.as_deref()))
        };
        let mut pairs: Vec<(f32, usize, usize, Rule)> = Vec::new();
        for (p, &i) in side.qsel.iter().enumerate() {
            let Some(q) = qtokens.get(i) else { continue };
            for (j, (&id, t)) in name.iter().zip(&listed).enumerate() {
                let found = *memo
                    .entry((i, id))
                    .or_insert_with(|| token_similarity(q, t));
                if let Some((sim, rule)) = found {
                    pairs.push((sim, p, j, rule));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut q_used = vec![false; qs.len()];
        let mut l_used = vec![false; listed.len()];
        let mut matches = Vec::new();
        let mut got = 0.0f32;
        let mut take = |query: String, listed: String, rule: Rule, w: f32, got: &mut f32| {
            *got += w;
            if explain {
                matches.push(TokenMatch {
                    query,
                    listed,
                    rule,
                    similarity: 1.0,
                    weight: w,
                });
            }
        };
        // Merged or split tokens: `abdou laye` against `abdoulaye`, both ways; `el hadji`
        // against `elhadji` and `abd el ghani` against `abdelghani` are the article's.
        for p in 0..qs.len() {
            for (j, t) in listed.iter().enumerate() {
                if l_used[j] || q_used.get(p).is_none_or(|u| *u) {
                    continue;
                }
                let (Some(a), Some(b)) = (qs.get(p), qs.get(p + 1)) else {
                    continue;
                };
                let compound = || {
                    a.kind.is(WordKind::ABD_ARTICLE)
                        && b.compound.is_some()
                        && t.bare.as_deref() == b.compound.as_deref()
                };
                if !q_used[p + 1]
                    && (merges(a, b, t) || abd_article(a.kind, b.kind, t.kind) || compound())
                {
                    q_used[p] = true;
                    q_used[p + 1] = true;
                    l_used[j] = true;
                    let rule = joined_rule(&a.key);
                    let w = qw[p] + qw[p + 1] + lw[j];
                    take(
                        format!("{} {}", a.text, b.text),
                        t.key.clone(),
                        rule,
                        w,
                        &mut got,
                    );
                } else if let Some(c) = qs.get(p + 2)
                    && !q_used[p + 1]
                    && !q_used[p + 2]
                    && a.kind.is(WordKind::ABD)
                    && b.kind.is(WordKind::ARTICLE)
                    && t.bare.as_deref() == Some(format!("abd{}", c.key).as_str())
                {
                    q_used[p] = true;
                    q_used[p + 1] = true;
                    q_used[p + 2] = true;
                    l_used[j] = true;
                    let w = qw[p] + qw[p + 1] + qw[p + 2] + lw[j];
                    let text = format!("{} {} {}", a.text, b.text, c.text);
                    take(text, t.key.clone(), Rule::Article, w, &mut got);
                }
            }
        }
        for j in 0..listed.len() {
            for (p, q) in qs.iter().enumerate() {
                if q_used[p] || l_used.get(j).is_none_or(|u| *u) {
                    continue;
                }
                let (Some(a), Some(b)) = (listed.get(j), listed.get(j + 1)) else {
                    continue;
                };
                if !l_used[j + 1]
                    && (joins(&a.key, &b.key, &q.key)
                        || abd_article(a.kind, b.kind, q.kind)
                        || a.kind.is(WordKind::ABD_ARTICLE)
                            && q.bare.as_deref() == Some(format!("abd{}", b.key).as_str()))
                {
                    q_used[p] = true;
                    l_used[j] = true;
                    l_used[j + 1] = true;
                    let w = qw[p] + lw[j] + lw[j + 1];
                    let text = format!("{} {}", a.key, b.key);
                    take(q.text.clone(), text, joined_rule(&a.key), w, &mut got);
                } else if let Some(c) = listed.get(j + 2)
                    && !l_used[j + 1]
                    && !l_used[j + 2]
                    && a.kind.is(WordKind::ABD)
                    && b.kind.is(WordKind::ARTICLE)
                    && q.bare.as_deref() == Some(format!("abd{}", c.key).as_str())
                {
                    q_used[p] = true;
                    l_used[j] = true;
                    l_used[j + 1] = true;
                    l_used[j + 2] = true;
                    let w = qw[p] + lw[j] + lw[j + 1] + lw[j + 2];
                    let text = format!("{} {} {}", a.key, b.key, c.key);
                    take(q.text.clone(), text, Rule::Article, w, &mut got);
                }
            }
        }
        for (sim, p, j, rule) in pairs {
            if q_used[p] || l_used[j] {
                continue;
            }
            q_used[p] = true;
            l_used[j] = true;
            let w = qw[p] + lw[j];
            got += sim * w;
            if let (Some(q), Some(t)) = (qs.get(p), listed.get(j)) {
                let rule = match rule {
                    Rule::Spelling if q.text == t.key => Rule::Exact,
                    r => r,
                };
                // What kind of alias the pair is, when the words themselves agree.
                let rule = match rule {
                    Rule::Exact | Rule::Spelling | Rule::Article => {
                        if q.laqab || j >= side.laqab_from {
                            Rule::Laqab
                        } else if q.nisba || l_nisba(j) {
                            Rule::Nisba
                        } else if rule == Rule::Article {
                            rule
                        } else if t.kind.is(WordKind::KUNYA)
                            && listed.len() > j + 1
                            && (side.alias
                                || after(j + 1, WordKind::ARTICLE)
                                || split_kunya(&spell_key(&q.text)).is_some())
                        {
                            Rule::Kunya
                        } else {
                            rule
                        }
                    }
                    r => r,
                };
                if explain {
                    matches.push(TokenMatch {
                        query: q.text.clone(),
                        listed: t.key.clone(),
                        rule,
                        similarity: sim,
                        weight: w,
                    });
                }
            }
        }
        // What one side left out: a chain link, when the other side writes a chain too (one of
        // this side's `Ould`, `Ag` … found its partner: the chain is written shorter, not
        // missing), or a nisba.
        let mut omitted = Vec::new();
        let mut discount = 0.0f32;
        let q_chain = qs
            .iter()
            .zip(&q_used)
            .any(|(q, u)| *u && q.kind.is(WordKind::CHAIN));
        for (p, q) in qs.iter().enumerate() {
            if q_used[p] {
                continue;
            }
            if let Some((rule, share)) = omission(q.link && q_chain, q.nisba) {
                discount += qw[p] * (1.0 - share);
                q_used[p] = true;
                if explain {
                    omitted.push((q.text.clone(), rule));
                }
            }
        }
        let l_chain = listed
            .iter()
            .zip(&l_used)
            .any(|(t, u)| *u && t.kind.is(WordKind::CHAIN));
        for (j, t) in listed.iter().enumerate() {
            if l_used[j] {
                continue;
            }
            if let Some((rule, share)) = omission(l_chain && l_link(j), l_nisba(j)) {
                discount += lw[j] * (1.0 - share);
                l_used[j] = true;
                if explain {
                    omitted.push((t.key.clone(), rule));
                }
            }
        }
        let total: f32 = qw.iter().sum::<f32>() + lw.iter().sum::<f32>() - discount;
        let name_score = if total > 0.0 {
            (got / total).min(1.0)
        } else {
            0.0
        };
        Explanation {
            name: if !explain {
                String::new()
            } else {
                listed
                    .iter()
                    .map(|t| t.key.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            },
            unmatched_query: if !explain {
                Vec::new()
            } else {
                qs.iter()
                    .zip(&q_used)
                    .filter(|(_, u)| !**u)
                    .map(|(q, _)| q.text.clone())
                    .collect()
            },
            unmatched_listed: if !explain {
                Vec::new()
            } else {
                listed
                    .iter()
                    .zip(&l_used)
                    .filter(|(_, u)| !**u)
                    .map(|(t, _)| t.key.clone())
                    .collect()
            },
            omitted,
            matches,
            name_score,
            name_weight: got / 2.0,
            rarity_effect: 0.0,
            birth_effect: 0.0,
            birth_reason: "",
            nationality_effect: 0.0,
        }
    }

    /// A query token weighs as its spelling does in the list; one the list does not know, as
    /// the listed token it most likely stands for, or, if none, as a typical token (an
    /// unknown spelling is not a rare name: counting it as one would sink the true match).
    fn query_weight(&self, q: &QToken, likeliest: Option<u32>) -> f32 {
        if q.particle {
            return PARTICLE_WEIGHT;
        }
        if q.initial {
            return INITIAL_WEIGHT;
        }
        let known = self.by_key.get(&q.key).copied().or(likeliest);
        match known.and_then(|t| self.tokens.get(t as usize)) {
            Some(t) => self.idf(t),
            None => self.typical_idf,
        }
    }
}

/// A folded name's tokens as the index keeps them: each word's spelling key and its key
/// without the article; a kunya written with its article (`aboul`) is two tokens, as the
/// lists write it (`abu al`).
fn name_words(folded: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for w in folded.split(' ').filter(|w| !w.is_empty()) {
        let key = spell_key(w);
        match split_kunya(&key) {
            Some((kunya, article)) => {
                out.push((kunya.to_string(), None));
                out.push((article.to_string(), None));
            }
            None => out.push((key, without_article(w))),
        }
    }
    out
}

/// Marks what each query token is by its place: a link of a patronymic chain (after `Ould`
/// …), a nisba, a nickname (after `dit`).
fn mark_positions(qtokens: &mut [QToken]) {
    let mut laqab = false;
    // The kinds of the one and two tokens before.
    let (mut before, mut prev) = (WordKind::default(), WordKind::default());
    for q in qtokens.iter_mut() {
        q.link = prev.is(WordKind::CHAIN);
        q.nisba = !q.arabic && is_nisba(&q.key, prev.is(WordKind::ARTICLE), q.bare.as_deref());
        q.laqab = laqab;
        laqab |= q.kind.is(WordKind::LAQAB_MARK);
        let compound = (before.is(WordKind::ABD) && prev.is(WordKind::ARTICLE))
            || prev.is(WordKind::ABD_ARTICLE);
        if compound {
            q.compound = Some(format!("abd{}", q.key));
        }
        (before, prev) = (prev, q.kind);
    }
}

/// Similarity of a query token and a listed token, with the rule that found it.
fn token_similarity(q: &QToken, t: &Token) -> Option<(f32, Rule)> {
    if q.key == t.key {
        return Some((1.0, Rule::Spelling));
    }
    if q.group != 0 && q.group == t.group {
        return Some((0.93, Rule::Variant));
    }
    let (qb, tb) = (q.bare.as_deref(), t.bare.as_deref());
    if qb == Some(t.key.as_str()) || tb == Some(q.key.as_str()) || (qb.is_some() && qb == tb) {
        return Some((ARTICLE_SIMILARITY, Rule::Article));
    }
    // An initial stands for a given name it starts (`A.` / `Amadou`), either way round.
    if !q.arabic && !q.particle && !t.particle {
        let (short, long) = if q.key.len() == 1 {
            (q.key.as_str(), t.key.as_str())
        } else {
            (t.key.as_str(), q.key.as_str())
        };
        if short.len() == 1 && long.len() > 1 && long.starts_with(short) {
            return Some((INITIAL_SIMILARITY, Rule::Initial));
        }
    }
    let same_skeleton = q.skeleton_id == Some(t.skeleton) && q.skeleton.len() >= 2;
    if q.arabic {
        if same_skeleton {
            return Some((0.9, Rule::Transliteration));
        }
        if q.skeleton.len() >= 3 && distance_within(&q.skeleton, &t.skeleton_text, 1).is_some() {
            return Some((0.72, Rule::Transliteration));
        }
        // A skeleton of one letter says too little (`إياد`, `iyad`: `d`); the long vowels
        // the script writes say the rest.
        if q.key.len() >= 4
            && plausible_vowel(&q.key, &t.key)
            && distance_within(&q.key, &t.key, 1).is_some()
        {
            return Some((0.8, Rule::Transliteration));
        }
        return None;
    }
    let (ql, tl) = (q.key.chars().count(), t.key.chars().count());
    // The less a rule proves, the less it counts: a slip that keeps the first letter is
    // common, one that changes it (`amara` / `kamara`) is often another name; two consonants
    // in common (`dahane` / `dieudon`) say little.
    if ql >= 4 && distance_within(&q.key, &t.key, 1).is_some() {
        let sim = if plausible(&q.key, &t.key) { 0.85 } else { 0.7 };
        return Some((sim, Rule::Typo));
    }
    // A three-letter token one letter short of a four-letter one (`ada` / `adam`, `nua` /
    // `nura`), the first letter kept.
    if ql == 3
        && tl == 4
        && plausible(&q.key, &t.key)
        && distance_within(&q.key, &t.key, 1).is_some()
    {
        return Some((0.7, Rule::Typo));
    }
    if same_skeleton && plausible(&q.key, &t.key) {
        let sim = if q.skeleton.len() >= 3 { 0.8 } else { 0.65 };
        return Some((sim, Rule::Phonetic));
    }
    if ql >= 6 && distance_within(&q.key, &t.key, 2).is_some() {
        return Some((0.62, Rule::Typo));
    }
    // A typo on top of a spelling variant: close consonant skeletons, same first letter.
    if q.skeleton.len() >= 3
        && plausible(&q.key, &t.key)
        && distance_within(&q.skeleton, &t.skeleton_text, 1).is_some()
    {
        return Some((0.6, Rule::Phonetic));
    }
    // MRZ and forms cut long names: a prefix of at least 4 letters.
    if ql.min(tl) >= 4 && (t.key.starts_with(&q.key) || q.key.starts_with(&t.key)) {
        return Some((0.75, Rule::Truncated));
    }
    None
}

/// Two adjacent query tokens written as one listed token (`abdou laye` / `abdoulaye`; in
/// Arabic script `عبد الله` / `abdoulaye`, compared without vowels).
fn merges(a: &QToken, b: &QToken, t: &Token) -> bool {
    if a.arabic {
        let joined = skeleton(&spell_key(&format!("{}{}", a.key, b.key)));
        return joined.len() >= 3 && joined == t.skeleton_text;
    }
    joins(&a.key, &b.key, &t.key)
}

/// Why a word one side left out weighs lightly, and what share of its weight still counts: a
/// link of a chain the other side writes shorter, or a nisba.
fn omission(shorter_chain: bool, nisba: bool) -> Option<(Rule, f32)> {
    if shorter_chain {
        Some((Rule::Chain, OMITTED_CHAIN))
    } else if nisba {
        Some((Rule::Nisba, OMITTED_NISBA))
    } else {
        None
    }
}

/// `Abd` and the article written apart against `Abdel`, `Abdal` or `Abdoul` (`abd el` /
/// `abdul`).
fn abd_article(a: WordKind, b: WordKind, joined: WordKind) -> bool {
    a.is(WordKind::ABD) && b.is(WordKind::ARTICLE) && joined.is(WordKind::ABD_ARTICLE)
}

/// The rule of two written words joined into one: the article's when the first is the article
/// or carries it (`el hadji`, `abdel aziz`), else merged.
fn joined_rule(first: &str) -> Rule {
    if is_article(first) || matches!(first, "abd" | "abdel" | "abdal" | "abdul") {
        Rule::Article
    } else {
        Rule::Merged
    }
}

/// A query as scoring needs it: its tokens, their weights, its forms (`forms`).
#[derive(Clone, Copy)]
struct QueryParts<'a> {
    qtokens: &'a [QToken],
    qw: &'a [f32],
    qforms: &'a [(Vec<usize>, usize)],
    query: &'a Query,
}

/// Which tokens of a query or a listed name are compared, and from which position (in the
/// compared form) the tokens are a nickname.
struct Side<'a> {
    qsel: &'a [usize],
    name: &'a [u32],
    laqab_from: usize,
    /// The listed name is an alias, not the main name.
    alias: bool,
}

/// The forms of a name of `len` tokens to compare: the whole, and when `dit` introduces a
/// nickname (`Amadou Barry dit Kouffa`), the name before it and the first given name with the
/// nickname (`Amadou Kouffa`), and the nickname alone when it has a given name of its own;
/// each with the position from which its tokens are the nickname
/// (`usize::MAX` for none).
fn forms(len: usize, is_mark: impl Fn(usize) -> bool) -> Vec<(Vec<usize>, usize)> {
    let whole: Vec<usize> = (0..len).collect();
    match (1..len.saturating_sub(1)).find(|&k| is_mark(k)) {
        None => vec![(whole, usize::MAX)],
        Some(k) => {
            let without: Vec<usize> = (0..len).filter(|&i| i != k).collect();
            let before: Vec<usize> = (0..k).collect();
            let mut nick: Vec<usize> = vec![0];
            nick.extend(k + 1..len);
            let mut out = vec![(without, k), (before, usize::MAX), (nick, 1)];
            // A nickname of two words or more is a name of its own (`dit Amadoun Kouffa`).
            if len - k > 2 {
                out.push(((k + 1..len).collect(), 0));
            }
            out
        }
    }
}

/// Both words start with a vowel, or with the same letter.
fn plausible_vowel(a: &str, b: &str) -> bool {
    let vowel = |c: Option<char>| c.is_some_and(|c| "aeiou".contains(c));
    plausible(a, b) || (vowel(a.chars().next()) && vowel(b.chars().next()))
}

/// Two spelling keys written together are a third (`abdu` and `laie` are `abdulaie`). Keys
/// change only where they meet when joined, so the whole of each but its letter at the
/// junction must already be in place: checked first, as this runs for every pair of words of
/// every name compared.
fn joins(a: &str, b: &str, joined: &str) -> bool {
    let head = a.get(..a.len().saturating_sub(1)).unwrap_or("");
    // A short last word may lose its final `e` once joined (`mama` and `de`: `mamad`).
    let tail = b.get(1..).unwrap_or("").trim_end_matches('e');
    (a.len() + b.len()).abs_diff(joined.len()) <= 2
        && joined.starts_with(a.get(..1).unwrap_or(""))
        && joined.starts_with(head)
        && joined.ends_with(tail)
        && spell_key(&format!("{a}{b}")) == joined
}

/// Same skeleton is only a phonetic match when the first letters agree too (else `ali` would
/// meet `lai`).
fn plausible(a: &str, b: &str) -> bool {
    a.chars().next() == b.chars().next()
}

/// Every reason `birth_evidence` gives (an explanation names one).
pub const BIRTH_REASONS: &[&str] = &[
    "absent",
    "same date",
    "near date",
    "same year, other date",
    "other date",
    "same year, other month",
    "same year",
    "year off by one",
    "other year",
];

/// What the birth dates say, from -1 (they contradict) through 0 (nothing to compare) to 1
/// (the same day): a slip (day and month swapped, a day or a year off) counts for a match,
/// a year alone a little.
fn birth_evidence(q: Option<BirthDate>, l: Option<BirthDate>) -> (f32, &'static str) {
    let (Some(q), Some(l)) = (q, l) else {
        return (0.0, "absent");
    };
    if q.full() && l.full() {
        if q == l {
            return (1.0, "same date");
        }
        let swapped = q.year == l.year && q.month == l.day && q.day == l.month;
        let year_off = q.month == l.month && q.day == l.day && q.year.abs_diff(l.year) == 1;
        let day_off = q.year == l.year && q.month == l.month && q.day.abs_diff(l.day) == 1;
        if swapped || year_off || day_off {
            return (0.6, "near date");
        }
        if q.year == l.year {
            return (-0.8, "same year, other date");
        }
        return (-1.0, "other date");
    }
    match q.year.abs_diff(l.year) {
        0 if q.month != 0 && l.month != 0 && q.month != l.month => (-0.6, "same year, other month"),
        0 => (0.3, "same year"),
        1 => (0.0, "year off by one"),
        _ => (-1.0, "other year"),
    }
}

/// A birth date as `yyyymmdd` (0 when absent); years past 9999 are not dates anyone is born
/// on and count as unknown, so that a packed date always fits the accumulator's 28 bits.
fn pack(b: Option<BirthDate>) -> u32 {
    b.filter(|b| b.year <= 9999).map_or(0, |b| {
        u32::from(b.year) * 10_000 + u32::from(b.month) * 100 + u32::from(b.day)
    })
}

fn unpack(v: u32) -> Option<BirthDate> {
    let year = u16::try_from(v / 10_000).ok()?;
    (v != 0).then_some(BirthDate {
        year,
        month: u8::try_from(v / 100 % 100).ok()?,
        day: u8::try_from(v % 100).ok()?,
    })
}

/// The key of an unordered pair of tokens.
fn pair_key(a: u32, b: u32) -> u64 {
    (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
}

/// The keys obtained by deleting one character.
fn deletions(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    (0..chars.len())
        .map(|i| {
            chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| *c)
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `joins` answers as joining and spelling the two keys does, its quick checks only
    /// saving the work.
    #[test]
    fn joined_keys_are_checked_quickly_but_as_spelling_them_would() {
        let words = [
            "abdou", "laye", "abd", "el", "al", "ghani", "mama", "de", "ke", "ou", "u", "sidi",
            "ahmed", "ould", "tch", "t", "ch", "ag", "ha", "hamadou", "n", "diaye", "mo", "ussa",
            "ka", "oumar", "guey", "ie", "s", "h", "j", "dj", "ibn", "ousmane", "kh", "alifa",
        ];
        let keys: Vec<String> = words.iter().map(|w| spell_key(w)).collect();
        let mut joined = 0;
        for a in &keys {
            for b in &keys {
                let truth = spell_key(&format!("{a}{b}"));
                for other in keys.iter().chain([&truth]) {
                    let slow = (a.len() + b.len()).abs_diff(other.len()) <= 2
                        && other.starts_with(a.get(..1).unwrap_or(""))
                        && truth == *other;
                    assert_eq!(joins(a, b, other), slow, "{a} + {b} against {other}");
                    joined += usize::from(slow);
                }
            }
        }
        // Most pairs do join into their spelling: the check is not vacuous.
        assert!(joined > 1000, "{joined}");
    }
}
