//! Hybrid logical clocks (Kulkarni et al., "Logical Physical Clocks", 2014): a timestamp that
//! follows causality like a Lamport clock and stays close to the wall clock. Ties between nodes
//! are broken by the node's id, so any two writes are ordered the same way everywhere.
//!
//! A post's laptop may be minutes or years off (a dead CMOS battery). A remote time too far
//! ahead of ours is not refused — the record is kept — but it does not drag our clock with it:
//! `observe` says it was skewed and moves our clock only up to our own time plus the tolerance.

use serde::{Deserialize, Serialize};

/// A hybrid timestamp: milliseconds since the Unix epoch and a counter for events within the
/// same millisecond. Ordered by time, then counter.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Hlc {
    pub ms: u64,
    pub counter: u32,
}

impl Hlc {
    /// The text form, sortable as text: `0001733396400000-00000`.
    pub fn to_text(self) -> String {
        format!("{:016}-{:05}", self.ms, self.counter)
    }

    /// One integer that orders as the clock does, for the database: the milliseconds shifted
    /// by 16 bits and the counter (a counter beyond 65,535, which no node of ours makes, is
    /// saturated).
    pub fn packed(self) -> i64 {
        let ms = i64::try_from(self.ms.min(i64::MAX as u64 >> 16)).unwrap_or(0);
        (ms << 16) | i64::from(self.counter.min(0xffff))
    }

    /// The clock of a packed integer (a negative one is the start of time).
    pub fn from_packed(p: i64) -> Hlc {
        let p = u64::try_from(p).unwrap_or(0);
        Hlc {
            ms: p >> 16,
            counter: u32::try_from(p & 0xffff).unwrap_or(0),
        }
    }

    pub fn parse(s: &str) -> Option<Hlc> {
        let (ms, counter) = s.split_once('-')?;
        Some(Hlc {
            ms: ms.parse().ok()?,
            counter: counter.parse().ok()?,
        })
    }
}

/// A remote timestamp further ahead of our wall clock than the tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skewed {
    /// How far ahead of our wall clock it was, in milliseconds.
    pub ahead_ms: u64,
}

/// A node's clock. The wall time is given by the caller (pure: no clock is read here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    last: Hlc,
}

impl Clock {
    /// A clock that has already issued `last` (read back from the database at start).
    pub fn resume(last: Hlc) -> Clock {
        Clock { last }
    }

    pub fn last(&self) -> Hlc {
        self.last
    }

    /// The timestamp of a local event at wall time `now_ms`: never lower than one issued
    /// before, even when the wall clock went back.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        self.last = if now_ms > self.last.ms {
            Hlc {
                ms: now_ms,
                counter: 0,
            }
        } else {
            bump(self.last)
        };
        self.last
    }

    /// The timestamp of a local write on top of a value written at `base`: after both our
    /// clock and `base`. When `base` is ahead (it came from a clock far ahead, and ours did not
    /// follow it), the write takes the next instant after it, without our clock following.
    pub fn tick_after(&mut self, now_ms: u64, base: Option<Hlc>) -> Hlc {
        let t = self.tick(now_ms);
        match base {
            Some(b) if b >= t => bump(b),
            _ => t,
        }
    }

    /// Takes in a remote timestamp (a change received), so that what this node writes next
    /// comes after it. A remote time more than `tolerance_ms` ahead of `now_ms` is reported as
    /// skewed, and our clock goes no further than `now_ms + tolerance_ms`.
    pub fn observe(&mut self, remote: Hlc, now_ms: u64, tolerance_ms: u64) -> Result<(), Skewed> {
        let limit = now_ms.saturating_add(tolerance_ms);
        let (taken, skew) = if remote.ms > limit {
            (
                Hlc {
                    ms: limit,
                    counter: 0,
                },
                Err(Skewed {
                    ahead_ms: remote.ms - now_ms,
                }),
            )
        } else {
            (remote, Ok(()))
        };
        let wall = Hlc {
            ms: now_ms,
            counter: 0,
        };
        let top = self.last.max(taken).max(wall);
        // Equal to what we or they issued: one more, so the next local event is after both.
        self.last = if top == self.last || top == taken {
            bump(top)
        } else {
            top
        };
        skew
    }
}

fn bump(h: Hlc) -> Hlc {
    match h.counter.checked_add(1) {
        Some(counter) => Hlc { ms: h.ms, counter },
        // Four billion events in one millisecond: borrow the next millisecond.
        None => Hlc {
            ms: h.ms.saturating_add(1),
            counter: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_clocks_order_as_the_clocks_do() {
        let a = Hlc {
            ms: 1_764_920_400_000,
            counter: 7,
        };
        let b = Hlc {
            ms: 1_764_920_400_000,
            counter: 8,
        };
        let c = Hlc {
            ms: 1_764_920_400_001,
            counter: 0,
        };
        assert!(a.packed() < b.packed() && b.packed() < c.packed());
        for h in [a, b, c, Hlc::default()] {
            assert_eq!(Hlc::from_packed(h.packed()), h);
        }
        assert_eq!(Hlc::from_packed(-5), Hlc::default());
    }

    #[test]
    fn local_events_are_ordered_even_when_the_wall_clock_goes_back() {
        let mut c = Clock::default();
        let a = c.tick(1_000);
        let b = c.tick(1_000);
        let d = c.tick(900);
        let e = c.tick(2_000);
        assert!(a < b && b < d && d < e);
        assert_eq!(
            e,
            Hlc {
                ms: 2_000,
                counter: 0
            }
        );
    }

    #[test]
    fn a_received_time_is_followed_and_a_skewed_one_is_said_and_clamped() {
        let mut c = Clock::default();
        c.tick(1_000);
        assert_eq!(
            c.observe(
                Hlc {
                    ms: 1_500,
                    counter: 3
                },
                1_200,
                60_000
            ),
            Ok(())
        );
        assert!(
            c.tick(1_200)
                > Hlc {
                    ms: 1_500,
                    counter: 3
                }
        );
        // Three days ahead: reported, and our clock stays near our own time.
        let three_days = 3 * 24 * 3600 * 1000;
        let r = c.observe(
            Hlc {
                ms: 2_000 + three_days,
                counter: 0,
            },
            2_000,
            60_000,
        );
        assert_eq!(
            r,
            Err(Skewed {
                ahead_ms: three_days
            })
        );
        assert!(c.last().ms <= 2_000 + 60_000);
    }

    #[test]
    fn the_text_form_sorts_as_the_clock() {
        let a = Hlc { ms: 99, counter: 7 };
        let b = Hlc {
            ms: 100,
            counter: 0,
        };
        assert!(a.to_text() < b.to_text());
        assert_eq!(Hlc::parse(&a.to_text()), Some(a));
        assert_eq!(Hlc::parse("x-1"), None);
    }
}
