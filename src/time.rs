//! Time as people here read it: stored in UTC, shown in Europe/Amsterdam.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{NaiveDateTime, SubsecRound, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;

/// The current moment in UTC, at the precision both databases keep (microseconds), on the clock of the
/// application this thread works for (see [`Clock`]); the wall clock on a thread that has none.
pub fn now() -> NaiveDateTime {
    CURRENT
        .with(|current| current.borrow().as_ref().map(Clock::now))
        .unwrap_or_else(wall)
}

fn wall() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

thread_local! {
    static CURRENT: RefCell<Option<Clock>> = const { RefCell::new(None) };
}

/// An application's clock: the wall clock in production, moved forward in tests so that deadlines,
/// expiry, digests and retention can be seen without waiting. A moved clock keeps ticking.
///
/// Domain, record and background code read the time through [`now`] and [`today`]; the application
/// puts its clock on every thread that works for it: its HTTP workers ([`Clock::install`], when a
/// worker starts), its blocking work (`AppState::db`, [`Clock::run`]) and its background tasks. Two
/// applications in one process (the tests run many) each keep their own time.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// How far this clock runs ahead of the wall clock, in microseconds.
    ahead: Arc<AtomicI64>,
}

impl Clock {
    /// The wall clock (until someone moves it).
    pub fn wall() -> Clock {
        Clock::default()
    }

    /// The clock installed on this thread, or a wall clock.
    pub fn current() -> Clock {
        CURRENT
            .with(|current| current.borrow().clone())
            .unwrap_or_default()
    }

    pub fn now(&self) -> NaiveDateTime {
        let ahead = chrono::Duration::microseconds(self.ahead.load(Ordering::SeqCst));
        wall() + ahead
    }

    /// Moves the clock forward (or back, with a negative duration) for everyone reading it.
    pub fn advance(&self, by: chrono::Duration) {
        let micros = by
            .num_microseconds()
            .expect("a moved clock stays within 292,000 years");
        self.ahead.fetch_add(micros, Ordering::SeqCst);
    }

    /// Moves the clock so that it reads `at` now (and keeps ticking from there).
    pub fn set(&self, at: NaiveDateTime) {
        let micros = (at - wall())
            .num_microseconds()
            .expect("a time within 292,000 years");
        self.ahead.store(micros, Ordering::SeqCst);
    }

    /// Puts this clock on the current thread for the rest of the thread's life (an HTTP worker of
    /// one application, its background task).
    pub fn install(&self) {
        CURRENT.with(|current| *current.borrow_mut() = Some(self.clone()));
    }

    /// Runs `f` with this clock on the current thread, then puts back what was there (also when `f`
    /// panics).
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        struct Restore(Option<Clock>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                CURRENT.with(|current| *current.borrow_mut() = previous);
            }
        }
        let _restore = Restore(CURRENT.with(|current| current.replace(Some(self.clone()))));
        f()
    }
}

pub fn local(utc: NaiveDateTime) -> chrono::DateTime<chrono_tz::Tz> {
    Amsterdam.from_utc_datetime(&utc)
}

/// The UTC moment of a local Amsterdam time; in the hour skipped in spring, the moment just after it.
pub fn utc_of_local(local: NaiveDateTime) -> NaiveDateTime {
    match Amsterdam.from_local_datetime(&local).earliest() {
        Some(at) => at.naive_utc(),
        None => utc_of_local(local + chrono::Duration::hours(1)),
    }
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
    fn a_moved_clock_is_read_only_where_it_is_installed() {
        let clock = Clock::wall();
        clock.advance(chrono::Duration::days(30));
        let later = clock.run(now);
        let here = now();
        assert!(later - here > chrono::Duration::days(29));
        assert!(later - here < chrono::Duration::days(31));
        // After run(), this thread reads the wall clock again, also after a panic inside.
        let caught = std::panic::catch_unwind(|| clock.run(|| panic!("inside")));
        assert!(caught.is_err());
        assert!(now() - here < chrono::Duration::days(1));
    }

    #[test]
    fn setting_a_clock_moves_every_copy_and_it_keeps_ticking() {
        let clock = Clock::wall();
        let copy = clock.clone();
        let at = NaiveDateTime::parse_from_str("2027-03-01 06:59:00", "%Y-%m-%d %H:%M:%S").unwrap();
        clock.set(at);
        let read = copy.now();
        assert!(
            read >= at && read - at < chrono::Duration::seconds(5),
            "{read}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(copy.now() > read);
        std::thread::spawn(move || {
            copy.install();
            assert_eq!(
                today(),
                chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()
            );
        })
        .join()
        .unwrap();
    }

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
