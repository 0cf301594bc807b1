//! Field-by-field merge of an editable record. A change that was written on top of the value
//! in place (its author saw that version) simply follows it. Two writes that did not see each
//! other are concurrent: the later one by version (clock, then node) is in place on every node
//! alike, and when their values differ the other one is kept beside it as a conflict for a
//! person to resolve — never dropped without a word.
//!
//! The order of arrival does not matter for the value in place: every node ends with the same
//! value. It is assumed, as the star of a region's nodes guarantees, that a node receives a
//! write only after the writes its author had seen (the regional node passes changes on in the
//! order it applied them).

use crate::change::Version;

/// A field's value and version, as a node holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub value: serde_json::Value,
    pub version: Version,
}

/// What to do with a received write of one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Merge {
    /// Put the received value in place.
    Take,
    /// Keep the value in place.
    Keep,
    /// The very write in place, received again: nothing to do.
    Same,
}

/// A concurrent write that is not in place, kept for a person to see.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The write in place after the merge.
    pub kept: Field,
    /// The write it won over.
    pub lost: Field,
}

/// Merges a received write (`value` at `version`, written by an author who saw `base`) into
/// the field in place (`current`, none when the field was never written).
pub fn merge_field(
    current: Option<&Field>,
    value: &serde_json::Value,
    version: &Version,
    base: Option<&Version>,
) -> (Merge, Option<Conflict>) {
    let Some(current) = current else {
        return (Merge::Take, None);
    };
    if current.version == *version {
        return (Merge::Same, None);
    }
    let incoming = Field {
        value: value.clone(),
        version: version.clone(),
    };
    // Written on top of the value in place: a plain successor.
    if base == Some(&current.version) {
        return (Merge::Take, None);
    }
    // Concurrent: the later version is in place everywhere; a different value is a conflict.
    let (merge, kept, lost) = if *version > current.version {
        (Merge::Take, incoming, current.clone())
    } else {
        (Merge::Keep, current.clone(), incoming)
    };
    let conflict = (kept.value != lost.value).then_some(Conflict { kept, lost });
    (merge, conflict)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use serde_json::json;

    fn v(ms: u64, origin: &str) -> Version {
        Version {
            hlc: Hlc { ms, counter: 0 },
            origin: origin.into(),
        }
    }

    fn field(value: &str, version: Version) -> Field {
        Field {
            value: json!(value),
            version,
        }
    }

    #[test]
    fn a_write_on_top_of_the_value_in_place_follows_it_even_with_an_older_clock() {
        let current = field("disponible", v(2_000, "regional"));
        let (m, c) = merge_field(
            Some(&current),
            &json!("en_mission"),
            &v(1_000, "post-koro"),
            Some(&v(2_000, "regional")),
        );
        assert_eq!((m, c), (Merge::Take, None));
    }

    #[test]
    fn two_writes_that_did_not_see_each_other_are_a_conflict_whichever_arrives_first() {
        let base = v(1_000, "regional");
        let a = (json!("en_mission"), v(2_000, "post-koro"));
        let b = (json!("en_panne"), v(2_500, "post-ouenkoro"));
        // a in place, b arrives: b is later, takes the place; a is kept as lost.
        let (m, c) = merge_field(
            Some(&field("en_mission", a.1.clone())),
            &b.0,
            &b.1,
            Some(&base),
        );
        assert_eq!(m, Merge::Take);
        let c = c.unwrap();
        assert_eq!(
            (c.kept.value.clone(), c.lost.value.clone()),
            (b.0.clone(), a.0.clone())
        );
        // b in place, a arrives: a stays out, kept as lost; the same value in place.
        let (m, c) = merge_field(
            Some(&field("en_panne", b.1.clone())),
            &a.0,
            &a.1,
            Some(&base),
        );
        assert_eq!(m, Merge::Keep);
        assert_eq!(c.unwrap().lost.value, a.0);
    }

    #[test]
    fn the_same_write_again_or_the_same_value_is_no_conflict() {
        let a = field("x", v(2_000, "post-koro"));
        assert_eq!(
            merge_field(Some(&a), &json!("x"), &v(2_000, "post-koro"), None),
            (Merge::Same, None)
        );
        let (m, c) = merge_field(Some(&a), &json!("x"), &v(2_100, "post-mopti"), None);
        assert_eq!((m, c), (Merge::Take, None));
    }
}
