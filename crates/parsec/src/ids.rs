//! The ids the commands carry, one type per kind of record, so that a unit's id cannot be
//! passed where an asset's is expected; and the country codes as the records keep them.
//! Ids are UUIDv7 text made on the node (db::new_id); these types say which table they name,
//! not that the record exists — the services check that.

use std::fmt;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// An id as given (trimmed); none when empty.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                (!s.is_empty() && s.len() <= 64).then(|| $name(s.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

id!(
    /// A unit's id.
    UnitId
);
id!(
    /// An asset's id.
    AssetId
);
id!(
    /// A person crossing's id.
    CrossingId
);
id!(
    /// A vehicle crossing's id.
    VehicleId
);

/// A country as the crossings keep it: ISO 3166 alpha-2 where the code has one (documents
/// print alpha-3, lists write either), else the letters given (two or three capitals).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountryCode(String);

impl CountryCode {
    /// `MLI`, `ml`, `ML` → `ML`; none for what is not two or three letters.
    pub fn parse(s: &str) -> Option<CountryCode> {
        let upper = s.trim().to_uppercase();
        if !(2..=3).contains(&upper.len()) || !upper.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        Some(CountryCode(
            crate::screening::canonical_nationality(&upper).unwrap_or(upper),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_country_codes_read_as_given() {
        assert_eq!(
            UnitId::parse(" u1 ").map(|u| u.to_string()),
            Some("u1".into())
        );
        assert_eq!(AssetId::parse(""), None);
        assert_eq!(
            CountryCode::parse("mli").map(|c| c.to_string()),
            Some("ML".into())
        );
        assert_eq!(
            CountryCode::parse("BF").map(|c| c.to_string()),
            Some("BF".into())
        );
        assert_eq!(CountryCode::parse("M1"), None);
        assert_eq!(CountryCode::parse("MALI"), None);
    }
}
