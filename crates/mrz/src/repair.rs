//! Repair of OCR and typing confusions, kept only when the check digits prove it.
//!
//! Only the fields that a check digit covers can be repaired: dates and check digits (digits
//! only) and the document number and optional data (letters and digits). A letter in a digit
//! field has one reading (O→0 …) and is always applied. In the letters-and-digits fields a
//! confusable character may be either of its pair: one such speculative change at most is tried
//! on top of the forced ones, because one check digit only has ten values — with two free
//! changes, some pair verifies by chance for almost any misread. The repair stands only when
//! exactly one candidate verifies completely; two that verify mean the digits cannot tell, and
//! the zone is refused. A check digit proves the digits, not what was printed: a misread outside
//! the usual confusions can still be "repaired" into another zone that verifies (1 chance in 10
//! per candidate), which is why every repair is shown with the characters it changed.

use crate::{Change, Date, Document, Format, Issue, parse};

/// How a position of the zone may be repaired.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Digits,
    Alnum,
}

/// The covered fields of each format: (line, first column, end column), 0-based, end excluded.
fn covered(format: Format) -> Vec<(usize, usize, usize, Kind)> {
    use Kind::{Alnum, Digits};
    match format {
        Format::Td1 => vec![
            (0, 5, 14, Alnum),
            (0, 14, 15, Alnum),
            (0, 15, 30, Alnum),
            (1, 0, 7, Digits),
            (1, 8, 15, Digits),
            (1, 18, 29, Alnum),
            (1, 29, 30, Digits),
        ],
        Format::Td2 => vec![
            (1, 0, 9, Alnum),
            (1, 9, 10, Alnum),
            (1, 13, 20, Digits),
            (1, 21, 28, Digits),
            (1, 28, 35, Alnum),
            (1, 35, 36, Digits),
        ],
        Format::Td3 => vec![
            (1, 0, 9, Alnum),
            (1, 9, 10, Digits),
            (1, 13, 20, Digits),
            (1, 21, 28, Digits),
            (1, 28, 42, Alnum),
            (1, 42, 44, Digits),
        ],
        Format::MrvA | Format::MrvB => vec![
            (1, 0, 9, Alnum),
            (1, 9, 10, Digits),
            (1, 13, 20, Digits),
            (1, 21, 28, Digits),
        ],
        Format::FraId1994 => vec![(1, 0, 13, Alnum), (1, 27, 34, Digits), (1, 35, 36, Digits)],
        Format::Unknown => vec![],
    }
}

fn as_digit(c: u8) -> Option<u8> {
    match c {
        b'O' | b'D' | b'Q' => Some(b'0'),
        b'I' | b'L' => Some(b'1'),
        b'Z' => Some(b'2'),
        b'S' => Some(b'5'),
        b'G' => Some(b'6'),
        b'B' => Some(b'8'),
        _ => None,
    }
}

fn partner(c: u8) -> Option<u8> {
    match c {
        b'0' => Some(b'O'),
        b'O' => Some(b'0'),
        b'1' => Some(b'I'),
        b'I' => Some(b'1'),
        b'2' => Some(b'Z'),
        b'Z' => Some(b'2'),
        b'5' => Some(b'S'),
        b'S' => Some(b'5'),
        b'6' => Some(b'G'),
        b'G' => Some(b'6'),
        b'8' => Some(b'B'),
        b'B' => Some(b'8'),
        _ => None,
    }
}

pub fn repair(doc: Document, lines: &[&str], today: Date) -> Document {
    let format = doc.format();
    let mut zone: Vec<Vec<u8>> = lines.iter().map(|l| l.as_bytes().to_vec()).collect();
    let mut forced = Vec::new();
    let mut optional = Vec::new();
    for (line, from, to, kind) in covered(format) {
        let Some(row) = zone.get_mut(line) else {
            continue;
        };
        for col in from..to.min(row.len()) {
            let Some(c) = row.get(col).copied() else {
                continue;
            };
            match kind {
                Kind::Digits if !c.is_ascii_digit() && c != b'<' => match as_digit(c) {
                    Some(d) => {
                        forced.push((line, col, c, d));
                        if let Some(slot) = row.get_mut(col) {
                            *slot = d;
                        }
                    }
                    None => return doc,
                },
                Kind::Alnum => {
                    if let Some(p) = partner(c) {
                        optional.push((line, col, c, p));
                    }
                }
                _ => {}
            }
        }
    }
    let mut found: Vec<Candidate> = Vec::new();
    // The forced changes alone first; then each speculative change on top of them.
    try_zone(&mut found, &zone, &forced, today);
    if found.is_empty() {
        for sub in &optional {
            let mut z = zone.clone();
            set(&mut z, sub);
            let mut subs = forced.clone();
            subs.push(*sub);
            try_zone(&mut found, &z, &subs, today);
        }
    }
    let min_changes = found.iter().map(|(_, s)| s.len()).min().unwrap_or(0);
    let best: Vec<_> = found
        .into_iter()
        .filter(|(_, s)| s.len() == min_changes)
        .collect();
    match best.as_slice() {
        // A zone that verifies unchanged needs no repair (and is not one).
        [(_, subs)] if subs.is_empty() => doc,
        [(z, subs)] => {
            let text: Vec<String> = z
                .iter()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect();
            let refs: Vec<&str> = text.iter().map(String::as_str).collect();
            let mut repaired = parse(&refs, today);
            repaired.repaired = subs
                .iter()
                .map(|(line, col, from, to)| Change {
                    line: line + 1,
                    column: col + 1,
                    from: char::from(*from),
                    to: char::from(*to),
                })
                .collect();
            let speculative = subs.len() > forced.len();
            repaired.warnings.push(Issue {
                code: "repaired",
                message: format!(
                    "{} character(s) changed; the check digits verify after the change, which proves the digits, not what was printed",
                    subs.len()
                ),
                tolerated: false,
            });
            if speculative {
                // A swap in a letters-and-digits field rests on one check digit: one chance in
                // ten that another misread verifies too. Proposed, shown, never trusted.
                repaired.errors.push(Issue {
                    code: "repair_unproven",
                    message: "a letter/digit swap in the document number or optional data is only proposed: compare it with the printed page".into(),
                    tolerated: true,
                });
                repaired.valid = false;
            }
            repaired
        }
        [] => doc,
        several => {
            let mut doc = doc;
            doc.errors.push(Issue {
                code: "ambiguous_repair",
                message: format!(
                    "{} different repairs make the check digits verify: none is proposed",
                    several.len()
                ),
                tolerated: false,
            });
            doc.valid = false;
            doc
        }
    }
}

/// One substitution: line, column, from, to.
type Sub = (usize, usize, u8, u8);
/// A zone that verified, with the substitutions that made it.
type Candidate = (Vec<Vec<u8>>, Vec<Sub>);

fn try_zone(found: &mut Vec<Candidate>, z: &[Vec<u8>], subs: &[Sub], today: Date) {
    let text: Vec<String> = z
        .iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    let refs: Vec<&str> = text.iter().map(String::as_str).collect();
    let d = parse(&refs, today);
    // Every check verifies and no rule fails; tolerated deviations (a sex X …) are not the
    // repair's business.
    let verifies = d.reads_as_printed();
    if verifies && !found.iter().any(|(f, _)| f == z) {
        found.push((z.to_vec(), subs.to_vec()));
    }
}

fn set(zone: &mut [Vec<u8>], (line, col, _, to): &(usize, usize, u8, u8)) {
    if let Some(slot) = zone.get_mut(*line).and_then(|l| l.get_mut(*col)) {
        *slot = *to;
    }
}
