//! Reading `Timestamp` columns without a format parser on SQLite.
//!
//! SQLite stores a timestamp as text, and diesel reads it back by trying up to eighteen chrono
//! format strings in turn, each one parsed again on every call. Every authenticated request
//! reads eight of them (the session lookup: the account, the session, its device), and under a
//! `GET /v1/me` load that parsing took 5 % of the server's CPU. The text this service writes
//! is diesel's own `YYYY-MM-DD HH:MM:SS` with a fraction of up to nine digits when there is one
//! (SQL's `CURRENT_TIMESTAMP`, used by one migration, writes the same without the fraction):
//! [`Ts`] reads that shape directly and hands anything else to diesel's parser, so it reads
//! every value diesel reads. PostgreSQL sends timestamps as binary and is read as before.
//!
//! A model field opts in with `#[diesel(deserialize_as = Ts)]` (`MaybeTs` when nullable); a
//! query's own tuple can name `Ts` and `Option<Ts>` directly.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::{Nullable, Timestamp};
use diesel::sqlite::Sqlite;

use super::MultiBackend;

/// A timestamp column read as [`NaiveDateTime`] (see the module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct Ts(pub NaiveDateTime);

/// A nullable timestamp column read as `Option<NaiveDateTime>` (see the module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct MaybeTs(pub Option<NaiveDateTime>);

impl From<Ts> for NaiveDateTime {
    fn from(t: Ts) -> Self {
        t.0
    }
}

impl From<MaybeTs> for Option<NaiveDateTime> {
    fn from(t: MaybeTs) -> Self {
        t.0
    }
}

/// `YYYY-MM-DD HH:MM:SS` with an optional `.` and 1–9 digits of fraction, nothing else.
fn parse_stored(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(5, 7)?, num(8, 10)?)?;
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let n = num(20, b.len())?;
            n * 10u32.pow(u32::try_from(9 - digits.len()).ok()?)
        }
        _ => return None,
    };
    // Leap seconds (SS = 60) are chrono's business: leave them to diesel's parser.
    let (h, m, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if s > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_nano_opt(h, m, s, nanos)?;
    Some(NaiveDateTime::new(date, time))
}

impl FromSql<Timestamp, Sqlite> for Ts {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        if let Some(at) = parse_stored(value.read_text()) {
            return Ok(Ts(at));
        }
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(Ts)
    }
}

impl FromSql<Timestamp, Pg> for Ts {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(Ts)
    }
}

impl FromSql<Timestamp, MultiBackend> for Ts {
    fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Timestamp>()
    }
}

impl<DB> FromSql<Nullable<Timestamp>, DB> for MaybeTs
where
    DB: Backend,
    Ts: FromSql<Timestamp, DB>,
{
    fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
        Ts::from_sql(value).map(|t| MaybeTs(Some(t.0)))
    }

    fn from_nullable_sql(value: Option<DB::RawValue<'_>>) -> deserialize::Result<Self> {
        match value {
            Some(value) => Self::from_sql(value),
            None => Ok(MaybeTs(None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%F %T%.f").unwrap()
    }

    #[test]
    fn reads_what_diesel_writes_as_diesel_reads_it() {
        for text in [
            "2026-12-08 01:01:18.552127742",
            "2026-12-08 01:01:18.5",
            "2026-12-08 01:01:18.050",
            "2026-12-08 01:01:18",
            "1999-02-28 23:59:59.999999999",
            "2028-02-29 00:00:00.000000001",
        ] {
            assert_eq!(parse_stored(text), Some(at(text)), "{text}");
        }
        // What diesel writes for a value it is given, read back.
        let written = at("2027-01-07 01:01:18.861515844")
            .format("%F %T%.f")
            .to_string();
        assert_eq!(parse_stored(&written), Some(at(&written)));
    }

    #[test]
    fn reads_every_stored_shape_as_diesel_does() {
        use diesel::dsl::sql;
        use diesel::{Connection, RunQueryDsl, SqliteConnection};

        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        for stored in [
            "'2026-12-08 01:01:18.552127742'",
            "'2026-12-08 01:01:18'",
            "'2026-12-08T01:01:18.5Z'",
            "'2026-12-08 01:01'",
            "'2026-12-08 01:01:18+00:00'",
            "2461017.5",
            "datetime('2026-12-08 01:01:18', '+1 day')",
        ] {
            let diesels: NaiveDateTime = diesel::select(sql::<Timestamp>(stored))
                .get_result(&mut conn)
                .unwrap();
            let ours: Ts = diesel::select(sql::<Timestamp>(stored))
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(ours.0, diesels, "{stored}");
            let maybe: MaybeTs = diesel::select(sql::<Nullable<Timestamp>>(stored))
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(maybe, MaybeTs(Some(diesels)), "{stored}");
        }
        let none: MaybeTs = diesel::select(sql::<Nullable<Timestamp>>("NULL"))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(none, MaybeTs(None));
        let garbled = diesel::select(sql::<Timestamp>("'yesterday'")).get_result::<Ts>(&mut conn);
        assert!(garbled.is_err(), "refused as diesel refuses it");
    }

    #[test]
    fn leaves_every_other_shape_to_diesels_parser() {
        for text in [
            "2026-12-08T01:01:18",
            "2026-12-08 01:01",
            "2026-12-08 01:01:18Z",
            "2026-12-08 01:01:18+00:00",
            "2026-12-08 01:01:18.",
            "2026-12-08 01:01:18.1234567890",
            "2026-12-08 01:01:60",
            "2026-02-30 01:01:18",
            "2026-12-08 24:00:00",
            "+2026-1-08 01:01:18",
            "2461017.5",
            "",
        ] {
            assert_eq!(parse_stored(text), None, "{text}");
        }
    }
}
