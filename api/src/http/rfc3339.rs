//! Times in answers, written the way chrono's own `Serialize` writes them — RFC 3339 in UTC
//! with `Z`, and a fraction of 3, 6 or 9 digits only when there is one (`SecondsFormat::AutoSi`)
//! — but straight into a small buffer instead of through `fmt`, one character at a time. Under
//! a `GET /v1/me` load, chrono's way took 4 % of the server's instructions for the answer's two
//! times. A time this cannot write (a year outside 0–9999, a leap second) goes to chrono's.
//!
//! `#[serde(serialize_with = "rfc3339::serialize")]` on a `DateTime<Utc>` field,
//! `rfc3339::option::serialize` on an `Option<DateTime<Utc>>`; the schema is unchanged.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// `YYYY-MM-DDTHH:MM:SS.fffffffffZ`: the longest text written here.
const LONGEST: usize = 30;

/// The text of `at`, or `None` where chrono's own writer is needed.
fn write(at: &DateTime<Utc>, buf: &mut [u8; LONGEST]) -> Option<usize> {
    let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    fn digits(buf: &mut [u8], mut n: u32) {
        for slot in buf.iter_mut().rev() {
            // n % 10 < 10: the cast keeps every value.
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
    digits(&mut buf[0..4], year);
    buf[4] = b'-';
    digits(&mut buf[5..7], at.month());
    buf[7] = b'-';
    digits(&mut buf[8..10], at.day());
    buf[10] = b'T';
    digits(&mut buf[11..13], at.hour());
    buf[13] = b':';
    digits(&mut buf[14..16], at.minute());
    buf[16] = b':';
    digits(&mut buf[17..19], at.second());
    let (fraction, places) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    let mut len = 19;
    if places > 0 {
        buf[19] = b'.';
        digits(&mut buf[20..20 + places], fraction);
        len = 20 + places;
    }
    buf[len] = b'Z';
    Some(len + 1)
}

/// A time serialized as described in the module.
struct Rfc3339<'a>(&'a DateTime<Utc>);

impl Serialize for Rfc3339<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; LONGEST];
        match write(self.0, &mut buf).and_then(|len| std::str::from_utf8(&buf[..len]).ok()) {
            Some(text) => serializer.serialize_str(text),
            None => self.0.serialize(serializer),
        }
    }
}

/// For `#[serde(serialize_with)]` on a `DateTime<Utc>`.
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    Rfc3339(at).serialize(serializer)
}

/// For `#[serde(serialize_with)]` on an `Option<DateTime<Utc>>`.
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(
        at: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        at.as_ref().map(Rfc3339).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn ours(at: &DateTime<Utc>) -> String {
        serde_json::to_string(&Rfc3339(at)).unwrap()
    }

    #[test]
    fn writes_exactly_what_chrono_writes() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let mut times = Vec::new();
        for nanos in [
            0,
            1,
            999_999_999,
            5_000_000,
            120_000,
            552_127_742,
            100_000_000,
            7_000,
            30,
        ] {
            for (h, m, s) in [(0, 0, 0), (1, 1, 18), (23, 59, 59), (9, 5, 7)] {
                let naive = day.and_hms_nano_opt(h, m, s, nanos).unwrap();
                times.push(Utc.from_utc_datetime(&naive));
            }
        }
        for (y, mo, d) in [(1, 1, 1), (999, 3, 4), (9999, 12, 31), (2028, 2, 29)] {
            let naive = NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_nano_opt(12, 34, 56, 789_000)
                .unwrap();
            times.push(Utc.from_utc_datetime(&naive));
        }
        for at in &times {
            assert_eq!(ours(at), serde_json::to_string(at).unwrap());
            let mut buf = [0u8; LONGEST];
            assert!(write(at, &mut buf).is_some(), "{at:?} written here");
        }
    }

    #[test]
    fn leaves_leap_seconds_and_far_years_to_chrono() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap();
        let far = NaiveDate::from_ymd_opt(12345, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let before = NaiveDate::from_ymd_opt(-1, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        for naive in [leap, far, before] {
            let at = Utc.from_utc_datetime(&naive);
            let mut buf = [0u8; LONGEST];
            assert_eq!(write(&at, &mut buf), None, "{at:?}");
            assert_eq!(ours(&at), serde_json::to_string(&at).unwrap());
        }
    }
}
