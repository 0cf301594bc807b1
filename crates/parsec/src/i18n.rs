//! The message catalogue: every user-visible string, in French (the default) and English.
//!
//! The files `i18n/fr.ftl` and `i18n/en.ftl` use the simple subset of Fluent that we need
//! (`key = value`, `{ $name }` placeholders, `#` comments), so they stay readable by Fluent
//! tooling. They are compiled into the binary.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// A whole number as people of this language write it: `387 728` (a narrow no-break
    /// space in French), `387,728` in English.
    pub fn number(self, n: i64) -> String {
        let sep = match self {
            Lang::Fr => "\u{202f}",
            Lang::En => ",",
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(d);
        }
        if n < 0 {
            out.insert(0, '-');
        }
        out
    }

    /// Whether `n` things take the singular: in French 0 and 1 do ("0 mort, 1 mort, 2 morts"),
    /// in English only 1 ("0 deaths, 1 death"). A message with a count has its singular under
    /// the same key with `-one`.
    pub fn singular(self, n: i64) -> bool {
        match self {
            Lang::Fr => n == 0 || n == 1,
            Lang::En => n == 1,
        }
    }
}

/// The catalogue's keys for a day's weekday and month, to write the day in words
/// (`date-long`: "samedi 5 décembre 2026", "Saturday 5 December 2026").
pub fn date_keys(d: time::Date) -> (&'static str, &'static str) {
    use time::{Month, Weekday};
    let weekday = match d.weekday() {
        Weekday::Monday => "date-monday",
        Weekday::Tuesday => "date-tuesday",
        Weekday::Wednesday => "date-wednesday",
        Weekday::Thursday => "date-thursday",
        Weekday::Friday => "date-friday",
        Weekday::Saturday => "date-saturday",
        Weekday::Sunday => "date-sunday",
    };
    let month = match d.month() {
        Month::January => "date-january",
        Month::February => "date-february",
        Month::March => "date-march",
        Month::April => "date-april",
        Month::May => "date-may",
        Month::June => "date-june",
        Month::July => "date-july",
        Month::August => "date-august",
        Month::September => "date-september",
        Month::October => "date-october",
        Month::November => "date-november",
        Month::December => "date-december",
    };
    (weekday, month)
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(Lang::Fr.number(387_728), "387\u{202f}728");
        assert_eq!(Lang::En.number(1_234_567), "1,234,567");
        assert_eq!(Lang::En.number(-1000), "-1,000");
        assert_eq!(Lang::Fr.number(999), "999");
        assert_eq!(Lang::Fr.number(0), "0");
    }

    #[test]
    fn counts_take_the_singular_as_each_language_does() {
        for (n, fr, en) in [(0, true, false), (1, true, true), (2, false, false)] {
            assert_eq!(Lang::Fr.singular(n), fr, "{n}");
            assert_eq!(Lang::En.singular(n), en, "{n}");
        }
    }

    #[test]
    fn a_day_is_written_in_words() {
        let c = super::Catalog::load();
        let day = time::macros::date!(2026 - 12 - 05);
        assert_eq!(c.date_in_words(Lang::Fr, day), "samedi 5 décembre 2026");
        assert_eq!(c.date_in_words(Lang::En, day), "Saturday 5 December 2026");
        let day = time::macros::date!(2027 - 01 - 01);
        assert_eq!(c.date_in_words(Lang::Fr, day), "vendredi 1er janvier 2027");
        assert_eq!(c.date_in_words(Lang::En, day), "Friday 1 January 2027");
    }
}

pub const FR_SOURCE: &str = include_str!("../i18n/fr.ftl");
pub const EN_SOURCE: &str = include_str!("../i18n/en.ftl");

#[derive(Debug)]
pub struct Catalog {
    fr: HashMap<String, String>,
    en: HashMap<String, String>,
}

impl Catalog {
    pub fn load() -> Catalog {
        Catalog {
            fr: parse(FR_SOURCE),
            en: parse(EN_SOURCE),
        }
    }

    /// The message for `key`; French when English lacks it. A key in neither is a defect:
    /// debug builds (every test) stop on it; a release build logs it and shows a neutral
    /// mark, never the key.
    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        if let Some(text) = self.lookup(lang, key) {
            return text;
        }
        if cfg!(debug_assertions) {
            panic!("message key {key:?} is in no catalogue (i18n/fr.ftl, i18n/en.ftl)");
        }
        tracing::error!(key, "message key missing from the catalogue");
        "…"
    }

    /// The message for `key` if the catalogue has it (French when English lacks it): for the
    /// few labels that may legitimately be absent.
    pub fn lookup(&self, lang: Lang, key: &str) -> Option<&str> {
        let primary = match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        };
        primary
            .get(key)
            .or_else(|| self.fr.get(key))
            .map(String::as_str)
    }

    /// The message with its `{ $name }` placeholders filled.
    pub fn format(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.get(lang, key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{ ${name} }}"), value);
        }
        s
    }

    /// The day in words: "samedi 5 décembre 2026", "Saturday 5 December 2026".
    pub fn date_in_words(&self, lang: Lang, d: time::Date) -> String {
        let (weekday, month) = date_keys(d);
        // French writes the first of the month "1er".
        let day = if d.day() == 1 {
            self.get(lang, "date-first-day").to_string()
        } else {
            d.day().to_string()
        };
        self.format(
            lang,
            "date-long",
            &[
                ("weekday", self.get(lang, weekday)),
                ("day", &day),
                ("month", self.get(lang, month)),
                ("year", &d.year().to_string()),
            ],
        )
    }

    /// `n` things in words, singular or plural as the language counts (see `Lang::singular`):
    /// the message `key` ("{ $count } morts") or `key-one` ("{ $count } mort").
    pub fn count(&self, lang: Lang, key: &str, n: i64) -> String {
        let number = lang.number(n);
        let args = [("count", number.as_str())];
        if lang.singular(n) {
            self.format(lang, &format!("{key}-one"), &args)
        } else {
            self.format(lang, key, &args)
        }
    }

    pub fn keys(&self, lang: Lang) -> Vec<&str> {
        let map = match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        };
        let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }
}

/// Parses `key = value` lines; a line that starts with whitespace continues the previous value.
pub fn parse(source: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut last: Option<String> = None;
    for line in source.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if line.starts_with(' ') {
            if let Some(key) = &last
                && let Some(v) = map.get_mut(key)
            {
                let v: &mut String = v;
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let key = k.trim().to_string();
            map.insert(key.clone(), v.trim().to_string());
            last = Some(key);
        }
    }
    map
}
