//! Calendar files (.ics) for meetings, with the time in Europe/Amsterdam. No family data goes into a
//! calendar: only the table, the time and the place.

use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};

use crate::domain::meeting::Meeting;
use crate::domain::table::Table;

/// A calendar with one event for the meeting; its UID is stable, so a calendar updates the same event.
pub fn meeting_ics(meeting: &Meeting, table: &Table, link: &str, host: &str) -> String {
    let local = |utc: chrono::NaiveDateTime| CalendarDateTime::WithTimezone {
        date_time: crate::time::local(utc).naive_local(),
        tzid: "Europe/Amsterdam".to_string(),
    };
    let location = match (meeting.place.is_empty(), meeting.online_link.is_empty()) {
        (false, false) => format!("{} / {}", meeting.place, meeting.online_link),
        (false, true) => meeting.place.clone(),
        _ => meeting.online_link.clone(),
    };
    let event = Event::new()
        .uid(&format!("meeting-{}@{host}", meeting.id))
        .summary(&table.name)
        .description(&format!(
            "Overleg van {}. Agenda en stukken: {link}",
            table.name
        ))
        .location(&location)
        .url(link)
        .starts(local(meeting.starts_at))
        .ends(local(meeting.ends_at))
        .done();
    Calendar::new()
        .name(&table.name)
        .push(event)
        .done()
        .to_string()
}
