//! Field-by-field merge of an editable record: the write with the later version is in place, on
//! every node alike whatever the order in which they arrive (the later of two is a maximum:
//! order does not change it). A write on top of the value in place (its author saw that version)
//! is its successor, and `Clock::tick_after` gives a successor a later version even when the
//! value it follows came from a clock far ahead. Two writes that did not see each other are
//! concurrent: when their values differ, the one not in place is kept beside it as a conflict
//! for a person to resolve — never dropped without a word.
//!
//! It is assumed, as the star of a region's nodes guarantees, that a node receives a write only
//! after the writes its author had seen, and never twice (the cursors see to that).

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
    let successor = base == Some(&current.version);
    let (merge, kept, lost) = if *version > current.version {
        (Merge::Take, incoming, current.clone())
    } else {
        (Merge::Keep, current.clone(), incoming)
    };
    // The value in place was seen and written over by the author: nothing was lost. Otherwise
    // a different value that is not in place is a conflict (also a successor that came with an
    // older version than its base, which a writer using `tick_after` never makes).
    let written_over = successor && merge == Merge::Take;
    let conflict = (!written_over && kept.value != lost.value).then_some(Conflict { kept, lost });
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
    fn a_write_on_top_of_a_value_from_a_clock_far_ahead_still_follows_it() {
        // The value in place came from a post three days ahead; the regional node's clock did
        // not follow it, but its write on top takes the next instant after it.
        let three_days = 3 * 24 * 3600 * 1000;
        let base = v(1_000 + three_days, "post-ouenkoro");
        let mut clock = crate::hlc::Clock::default();
        let hlc = clock.tick_after(2_000, Some(base.hlc));
        assert!(hlc > base.hlc && clock.last().ms == 2_000);
        let mine = Version {
            hlc,
            origin: "regional".into(),
        };
        let current = field("en_mission", base.clone());
        let (m, c) = merge_field(Some(&current), &json!("disponible"), &mine, Some(&base));
        assert_eq!((m, c), (Merge::Take, None));
        // A successor that came with an older version (a writer without `tick_after`) is
        // not lost either: it is kept as a conflict.
        let older = v(2_000, "regional");
        let (m, c) = merge_field(Some(&current), &json!("disponible"), &older, Some(&base));
        assert_eq!(m, Merge::Keep);
        assert_eq!(c.unwrap().lost.value, json!("disponible"));
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
