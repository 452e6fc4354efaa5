//! Working days as Dutch organisations count them: Monday to Friday, without the public holidays most
//! collective agreements give off (Nieuwjaarsdag, Tweede Paasdag, Koningsdag, Bevrijdingsdag in
//! lustrum years, Hemelvaartsdag, Tweede Pinksterdag, Eerste and Tweede Kerstdag). Goede Vrijdag is
//! not a day off in most agreements and counts as a working day; Easter and Whit Sunday fall on a
//! Sunday anyway.
//!
//! A referral's answer deadline is counted with these: "spoed, 1 working day" submitted on Friday
//! afternoon is due on Monday at the same time (Tuesday when Monday is Tweede Paasdag).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

/// Easter Sunday of `year` (Gregorian calendar; the anonymous algorithm of Meeus, Jones and Butcher).
pub fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a real date")
}

/// Whether `day` is a public holiday that is a day off.
pub fn is_holiday(day: NaiveDate) -> bool {
    // Every day off falls in January, late March to mid-June or December (Easter Monday is 23 March
    // at the earliest, Whit Monday 14 June at the latest): the rest of the year needs no Easter.
    if !matches!(day.month(), 1 | 3..=6 | 12) {
        return false;
    }
    let year = day.year();
    let fixed = |month, d| NaiveDate::from_ymd_opt(year, month, d) == Some(day);
    let easter = easter(year);
    // Koningsdag is 27 April, or the 26th when the 27th is a Sunday.
    let kings_day = {
        let day = NaiveDate::from_ymd_opt(year, 4, 27).expect("27 April exists");
        if day.weekday() == Weekday::Sun {
            day - Duration::days(1)
        } else {
            day
        }
    };
    fixed(1, 1)
        || day == easter + Duration::days(1)
        || day == kings_day
        || (year % 5 == 0 && fixed(5, 5))
        || day == easter + Duration::days(39)
        || day == easter + Duration::days(50)
        || fixed(12, 25)
        || fixed(12, 26)
}

pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !is_holiday(day)
}

/// `days` working days after the local moment `from`, at the same time of day: each step goes to the
/// next working day. Submitted on a Saturday, one working day later is Monday.
pub fn add_working_days(from: NaiveDateTime, days: u32) -> NaiveDateTime {
    let mut day = from.date();
    for _ in 0..days {
        day = day.succ_opt().expect("a date before the year 262143");
        while !is_working_day(day) {
            day = day.succ_opt().expect("a date before the year 262143");
        }
    }
    day.and_time(from.time())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_falls_on_the_published_dates() {
        assert_eq!(easter(2024), date(2024, 3, 31));
        assert_eq!(easter(2025), date(2025, 4, 20));
        assert_eq!(easter(2026), date(2026, 4, 5));
        assert_eq!(easter(2027), date(2027, 3, 28));
        assert_eq!(easter(2038), date(2038, 4, 25));
    }

    #[test]
    fn the_days_off_that_move_with_easter_stay_in_the_months_checked() {
        for year in 1900..2300 {
            for after in [1, 39, 50] {
                let day = easter(year) + Duration::days(after);
                assert!((3..=6).contains(&day.month()), "{day}");
                assert!(is_holiday(day), "{day}");
            }
        }
    }

    #[test]
    fn the_dutch_days_off_of_2026_are_not_working_days() {
        let off = [
            date(2026, 1, 1),   // Nieuwjaarsdag
            date(2026, 4, 6),   // Tweede Paasdag
            date(2026, 4, 27),  // Koningsdag
            date(2026, 5, 14),  // Hemelvaartsdag
            date(2026, 5, 25),  // Tweede Pinksterdag
            date(2026, 12, 25), // Eerste Kerstdag
        ];
        for day in off {
            assert!(!is_working_day(day), "{day}");
        }
        // Goede Vrijdag and 5 May outside a lustrum year are working days; 5 May 2025 was off.
        assert!(is_working_day(date(2026, 4, 3)));
        assert!(is_working_day(date(2026, 5, 5)));
        assert!(!is_working_day(date(2025, 5, 5)));
        // Koningsdag moves to Saturday 26 April when the 27th is a Sunday (2025).
        assert!(is_holiday(date(2025, 4, 26)));
        assert!(!is_holiday(date(2025, 4, 27)));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let at = |d: NaiveDate| d.and_hms_opt(15, 30, 0).unwrap();
        // Friday afternoon + 1 = Monday afternoon.
        assert_eq!(
            add_working_days(at(date(2026, 11, 27)), 1),
            at(date(2026, 11, 30))
        );
        // Thursday before Easter + 1 = Friday (Goede Vrijdag works); Friday + 1 = Tuesday.
        assert_eq!(
            add_working_days(at(date(2026, 4, 2)), 1),
            at(date(2026, 4, 3))
        );
        assert_eq!(
            add_working_days(at(date(2026, 4, 3)), 1),
            at(date(2026, 4, 7))
        );
        // A Saturday + 1 = Monday; Wednesday 23 December + 5 = Thursday 31 December.
        assert_eq!(
            add_working_days(at(date(2026, 11, 28)), 1),
            at(date(2026, 11, 30))
        );
        assert_eq!(
            add_working_days(at(date(2026, 12, 23)), 5),
            at(date(2026, 12, 31))
        );
    }
}
