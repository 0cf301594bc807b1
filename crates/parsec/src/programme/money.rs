//! Amounts of the programme's budget: euros in cents and francs CFA in whole francs, as
//! integers. The parity is fixed (1 € = 655.957 FCFA, since 1999), so a conversion is exact
//! arithmetic on integers, rounded once to the unit of the currency it gives (half away from
//! zero). Never floats: a financial report must add up to the cent.

/// Francs CFA for 1,000 €, which is 655,957 FCFA exactly.
const FCFA_PER_THOUSAND_EUR: i128 = 655_957;

/// A ratio rounded half away from zero.
fn rounded(num: i128, den: i128) -> i128 {
    let q = num / den;
    let r = num % den;
    if 2 * r.abs() >= den.abs() {
        q + num.signum() * den.signum()
    } else {
        q
    }
}

/// Euro cents in francs CFA (whole francs: the franc has no smaller unit in use).
pub fn fcfa_of(eur_cents: i64) -> i64 {
    // cents × 655957 / 100000 (= € × 655.957).
    let v = rounded(i128::from(eur_cents) * FCFA_PER_THOUSAND_EUR, 100_000);
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Francs CFA in euro cents.
pub fn eur_cents_of(fcfa: i64) -> i64 {
    let v = rounded(i128::from(fcfa) * 100_000, FCFA_PER_THOUSAND_EUR);
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Why an amount was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    NotANumber,
    TooPrecise,
    TooLarge,
}

/// The digits of an amount as people here write it: `1 234 567,89`, `1234567.89`, `1.234.567,89`
/// (spaces of any kind and the thousands mark ignored; the last `,` or `.` followed by one or
/// two digits is the decimal mark).
fn split(typed: &str) -> Result<(bool, String, String), AmountError> {
    let t: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{202f}' | '\u{a0}' | '€'))
        .collect();
    let t = t.trim_end_matches("FCFA").trim_end_matches("EUR");
    if t.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (whole, fraction) = match t.rfind([',', '.']) {
        Some(i) if t.len() - i - 1 <= 2 => (&t[..i], &t[i + 1..]),
        _ => (t, ""),
    };
    let whole: String = whole
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | '\''))
        .collect();
    if (whole.is_empty() && fraction.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Err(AmountError::NotANumber);
    }
    Ok((negative, whole, fraction.to_string()))
}

/// An amount in euros as typed, in cents.
pub fn parse_eur(typed: &str) -> Result<i64, AmountError> {
    let (negative, whole, fraction) = split(typed)?;
    if whole.len() > 13 {
        return Err(AmountError::TooLarge);
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| AmountError::NotANumber)?
    };
    let cents: i64 = match fraction.len() {
        0 => 0,
        1 => {
            fraction
                .parse::<i64>()
                .map_err(|_| AmountError::NotANumber)?
                * 10
        }
        _ => fraction.parse().map_err(|_| AmountError::NotANumber)?,
    };
    let v = whole * 100 + cents;
    Ok(if negative { -v } else { v })
}

/// An amount in francs CFA as typed (whole francs).
pub fn parse_fcfa(typed: &str) -> Result<i64, AmountError> {
    let (negative, whole, fraction) = split(typed)?;
    if fraction.chars().any(|c| c != '0') {
        return Err(AmountError::TooPrecise);
    }
    if whole.len() > 15 {
        return Err(AmountError::TooLarge);
    }
    let v: i64 = whole.parse().map_err(|_| AmountError::NotANumber)?;
    Ok(if negative { -v } else { v })
}

/// Digits grouped by three with `sep`.
fn grouped(n: u64, sep: &str) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(d);
    }
    out
}

/// Euro cents as French writes them: `1 234 567,89 €` (narrow no-break spaces).
pub fn eur_text(cents: i64, french: bool) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    if french {
        format!(
            "{sign}{},{:02}\u{202f}€",
            grouped(c / 100, "\u{202f}"),
            c % 100
        )
    } else {
        format!("{sign}€{}.{:02}", grouped(c / 100, ","), c % 100)
    }
}

/// Francs CFA: `655 957 FCFA`.
pub fn fcfa_text(fcfa: i64, french: bool) -> String {
    let sign = if fcfa < 0 { "-" } else { "" };
    let sep = if french { "\u{202f}" } else { "," };
    format!("{sign}{}\u{a0}FCFA", grouped(fcfa.unsigned_abs(), sep))
}

/// A share of two integer amounts (0.5 for half; None when nothing is planned). The amounts
/// are summed as integers first: only the ratio is a float, for showing.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A spreadsheet's number cell as the file stores it (`1234567.89`, `1.5E-2`, `-3`), in units
/// of 10^-`places` (cents: 2, francs: 0), read from its decimal text exactly, never through a
/// float. A value finer than the unit is refused (`10.5` francs), unless the excess is a
/// float's noise left by a spreadsheet's own arithmetic (`0.30000000000000004`), which is
/// rounded away.
pub fn cell_units(raw: &str, places: u32) -> Result<i64, AmountError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t, "0"),
    };
    let exponent: i64 = exponent.parse().map_err(|_| AmountError::NotANumber)?;
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (whole.is_empty() && fraction.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(AmountError::NotANumber);
    }
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    // 36 significant digits fit an i128 with room for the scaling below.
    if digits.len() > 36 || exponent.abs() > 40 {
        return Err(AmountError::TooLarge);
    }
    let m: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| AmountError::NotANumber)?
    };
    // value = m × 10^(exponent − |fraction|); in units: × 10^places.
    let k = exponent - fraction.len() as i64 + i64::from(places);
    let units = if m == 0 {
        0
    } else if k >= 0 {
        let factor = 10i128.checked_pow(k as u32).ok_or(AmountError::TooLarge)?;
        m.checked_mul(factor).ok_or(AmountError::TooLarge)?
    } else if -k > 38 {
        // Less than a thousandth of the unit from 36 digits: no amount, or noise.
        return Err(AmountError::TooPrecise);
    } else {
        let d = 10i128.pow((-k) as u32);
        let r = m % d;
        // Noise is within a millionth of the unit of a whole one.
        let noise = d / 1_000_000;
        if r != 0 && r > noise && d - r > noise {
            return Err(AmountError::TooPrecise);
        }
        rounded(m, d)
    };
    // Far beyond any programme (a trillion euros in cents): refused, not wrapped.
    if units > 100_000_000_000_000 {
        return Err(AmountError::TooLarge);
    }
    let v = i64::try_from(units).map_err(|_| AmountError::TooLarge)?;
    Ok(if negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parity_is_applied_exactly_and_rounded_once() {
        assert_eq!(
            fcfa_of(100),
            656,
            "1 € = 655.957 FCFA, rounded to the franc"
        );
        assert_eq!(fcfa_of(100_000), 655_957, "1,000 € exactly");
        assert_eq!(fcfa_of(2_900_000_000), 19_022_753_000, "29 M€");
        assert_eq!(fcfa_of(-100), -656);
        assert_eq!(eur_cents_of(655_957), 100_000);
        assert_eq!(eur_cents_of(656), 100, "0.99999 € is 1.00 €");
        assert_eq!(eur_cents_of(1), 0, "one franc is 0.15 cents");
        // Summing converted amounts and converting the sum may differ by the roundings; the
        // records keep both figures as converted once, at entry.
        assert_eq!(fcfa_of(1) + fcfa_of(1), 14);
        assert_eq!(fcfa_of(2), 13);
    }

    #[test]
    fn amounts_are_read_as_people_write_them() {
        assert_eq!(parse_eur("1 234 567,89"), Ok(123_456_789));
        assert_eq!(parse_eur("1234567.89"), Ok(123_456_789));
        assert_eq!(parse_eur("1.234.567,8"), Ok(123_456_780));
        assert_eq!(parse_eur("29 000 000 €"), Ok(2_900_000_000));
        assert_eq!(parse_eur("12,"), Ok(1_200));
        assert_eq!(parse_eur("-5"), Ok(-500));
        assert_eq!(parse_eur(""), Err(AmountError::Empty));
        assert_eq!(parse_eur("douze"), Err(AmountError::NotANumber));
        assert_eq!(parse_eur("1,2,3x"), Err(AmountError::NotANumber));
        assert_eq!(parse_fcfa("150 000 FCFA"), Ok(150_000));
        assert_eq!(parse_fcfa("150.000"), Ok(150_000));
        assert_eq!(parse_fcfa("10,50"), Err(AmountError::TooPrecise));
        assert_eq!(parse_eur("99999999999999"), Err(AmountError::TooLarge));
    }

    #[test]
    fn number_cells_are_read_exactly() {
        assert_eq!(cell_units("1234567.89", 2), Ok(123_456_789));
        assert_eq!(cell_units("0.1", 2), Ok(10));
        assert_eq!(cell_units("-5", 2), Ok(-500));
        assert_eq!(cell_units("2.5E-1", 2), Ok(25));
        assert_eq!(
            cell_units("1.5E-2", 2),
            Err(AmountError::TooPrecise),
            "1.5 cents"
        );
        assert_eq!(cell_units("1.5E3", 2), Ok(150_000));
        assert_eq!(cell_units("19022753000", 0), Ok(19_022_753_000));
        assert_eq!(
            cell_units("0.30000000000000004", 2),
            Ok(30),
            "a float's noise"
        );
        assert_eq!(cell_units("1234.5600000000002", 2), Ok(123_456));
        assert_eq!(cell_units("10.5", 0), Err(AmountError::TooPrecise));
        assert_eq!(cell_units("0.125", 2), Err(AmountError::TooPrecise));
        assert_eq!(cell_units("", 2), Err(AmountError::Empty));
        assert_eq!(cell_units("1,5", 2), Err(AmountError::NotANumber));
        assert_eq!(cell_units("1E400", 2), Err(AmountError::TooLarge));
        assert_eq!(cell_units("1E30", 2), Err(AmountError::TooLarge));
    }

    #[test]
    fn amounts_are_written_in_the_page_language() {
        assert_eq!(
            eur_text(123_456_789, true),
            "1\u{202f}234\u{202f}567,89\u{202f}€"
        );
        assert_eq!(eur_text(123_456_789, false), "€1,234,567.89");
        assert_eq!(eur_text(-5, true), "-0,05\u{202f}€");
        assert_eq!(fcfa_text(655_957, true), "655\u{202f}957\u{a0}FCFA");
    }
}
