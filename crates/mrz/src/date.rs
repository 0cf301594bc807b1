//! Calendar dates of the zone: `YYMMDD` with the century inferred (no clock here: the caller
//! gives today).

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A real calendar date, or `None`.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn two_digits(raw: &[u8], at: usize) -> Option<u8> {
    match (raw.get(at), raw.get(at + 1)) {
        (Some(a @ b'0'..=b'9'), Some(b @ b'0'..=b'9')) => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

fn unknown(raw: &[u8], at: usize) -> bool {
    raw.get(at..at + 2) == Some(b"<<".as_slice())
}

/// What a birth date field says.
pub enum Reading {
    Full(Date),
    /// Only the year, or the year and month, are known (`<<` for the rest): given as ISO text.
    Partial(String),
}

/// A birth date: the latest century that puts it in the past (on or before today).
pub fn birth(raw: &[u8], today: Date) -> Result<Reading, &'static str> {
    if raw.len() != 6 {
        return Err("six characters expected");
    }
    let yy = two_digits(raw, 0).ok_or("the year is not two digits")?;
    let century_of = |month: u8, day: u8| {
        let base = today.year.saturating_sub(today.year.rem_euclid(100));
        [base, base.saturating_sub(100)]
            .into_iter()
            .map(|c| c.saturating_add(i32::from(yy)))
            .find(|y| (*y, month, day) <= (today.year, today.month, today.day))
    };
    if unknown(raw, 2) && unknown(raw, 4) {
        let year = century_of(1, 1).ok_or("not in the past")?;
        return Ok(Reading::Partial(format!("{year:04}")));
    }
    let mm = two_digits(raw, 2).ok_or("the month is not two digits")?;
    if unknown(raw, 4) {
        if !(1..=12).contains(&mm) {
            return Err("no such month");
        }
        let year = century_of(mm, 1).ok_or("not in the past")?;
        return Ok(Reading::Partial(format!("{year:04}-{mm:02}")));
    }
    let dd = two_digits(raw, 4).ok_or("the day is not two digits")?;
    // Try the latest century first; a 29 February decides the century by itself.
    let base = today.year.saturating_sub(today.year.rem_euclid(100));
    for year in [
        base.saturating_add(i32::from(yy)),
        base.saturating_sub(100).saturating_add(i32::from(yy)),
    ] {
        if let Some(d) = Date::new(year, mm, dd)
            && d <= today
        {
            return Ok(Reading::Full(d));
        }
    }
    if Date::new(2000, mm, dd).is_none() {
        Err("no such date")
    } else {
        Err("not in the past")
    }
}

/// An expiry date: the century that puts it within 50 years of today, either way.
pub fn expiry(raw: &[u8], today: Date) -> Result<Date, &'static str> {
    if raw.len() != 6 {
        return Err("six characters expected");
    }
    let yy = two_digits(raw, 0).ok_or("the year is not two digits")?;
    let mm = two_digits(raw, 2).ok_or("the month is not two digits")?;
    let dd = two_digits(raw, 4).ok_or("the day is not two digits")?;
    let base = today.year.saturating_sub(today.year.rem_euclid(100));
    let year = [base.saturating_sub(100), base, base.saturating_add(100)]
        .into_iter()
        .map(|c| c.saturating_add(i32::from(yy)))
        .find(|y| (today.year.saturating_sub(50)..today.year.saturating_add(50)).contains(y))
        .ok_or("out of range")?;
    Date::new(year, mm, dd).ok_or("no such date")
}
