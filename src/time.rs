//! Time as people here read it: stored in UTC, shown in Europe/Amsterdam.

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Europe::Amsterdam;

/// The current moment in UTC, at the precision both databases keep (microseconds).
pub fn now() -> NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}

pub fn local(utc: NaiveDateTime) -> chrono::DateTime<chrono_tz::Tz> {
    Amsterdam.from_utc_datetime(&utc)
}

/// "23-11-2026 14:05"
pub fn date_time(utc: NaiveDateTime) -> String {
    local(utc).format("%d-%m-%Y %H:%M").to_string()
}

/// Today's date in Amsterdam.
pub fn today() -> chrono::NaiveDate {
    local(now()).date_naive()
}

/// A date as typed: 2026-11-23 (what a date input sends) or 23-11-2026.
pub fn parse_date(value: &str) -> Option<chrono::NaiveDate> {
    let value = value.trim();
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(value, "%d-%m-%Y"))
        .ok()
}

/// "14:05"
pub fn clock(utc: NaiveDateTime) -> String {
    local(utc).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amsterdam_follows_summer_and_winter_time() {
        let winter =
            NaiveDateTime::parse_from_str("2026-11-23 08:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let summer =
            NaiveDateTime::parse_from_str("2026-06-23 08:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(date_time(winter), "23-11-2026 09:00");
        assert_eq!(clock(summer), "10:00");
    }
}
