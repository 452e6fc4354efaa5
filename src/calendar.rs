//! Calendar files (.ics) for meetings, with the time in Europe/Amsterdam. No family data goes into a
//! calendar: only the table, the time and the place.

use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};

/// The time zone every TZID here names, as RFC 5545 §3.2.19 asks: a calendar that uses a TZID carries
/// its VTIMEZONE. Central European time, summer time from the last Sunday of March to the last Sunday
/// of October (the EU rule since 1996).
const AMSTERDAM: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Europe/Amsterdam\r\n\
BEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\n\
TZNAME:CEST\r\n\
DTSTART:19810329T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\n\
BEGIN:STANDARD\r\n\
TZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0100\r\n\
TZNAME:CET\r\n\
DTSTART:19961027T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// The calendar as text, with the VTIMEZONE before its first event when an event names the zone.
fn with_time_zone(calendar: Calendar) -> String {
    let text = calendar.to_string();
    match text.find("BEGIN:VEVENT") {
        Some(at) if text.contains("TZID=Europe/Amsterdam") => {
            format!("{}{AMSTERDAM}{}", &text[..at], &text[at..])
        }
        _ => text,
    }
}

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
            "Bijeenkomst van {}. Agenda en stukken: {link}",
            table.name
        ))
        .location(&location)
        .url(link)
        .starts(local(meeting.starts_at))
        .ends(local(meeting.ends_at))
        .done();
    with_time_zone(Calendar::new().name(&table.name).push(event).done())
}

/// A user's calendar feed: the meetings they take part in, and the due dates of their open actions as
/// all-day events. Like every calendar here it holds no family data: the table, the time, the place, and
/// for an action only that one is due, with the link to it.
pub fn feed_ics(
    name: &str,
    meetings: &[(Meeting, Table)],
    actions: &[(i64, chrono::NaiveDate)],
    base_url: &str,
    host: &str,
    action_summary: &str,
) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for (meeting, table) in meetings {
        let link = format!("{base_url}/bijeenkomsten/{}", meeting.id);
        let single = meeting_ics(meeting, table, &link, host);
        // Re-use the same event as the invitation, so both update one entry in the calendar.
        if let Ok(parsed) = single.parse::<Calendar>() {
            for component in parsed.components {
                if let icalendar::CalendarComponent::Event(event) = component {
                    calendar.push(event);
                }
            }
        }
    }
    for (id, due) in actions {
        let link = format!("{base_url}/acties/{id}");
        calendar.push(
            Event::new()
                .uid(&format!("action-{id}@{host}"))
                .summary(action_summary)
                .description(&link)
                .url(&link)
                .all_day(*due)
                // An all-day event ends the next day (RFC 5545 §3.8.2.2: DTEND is exclusive).
                .ends(*due + chrono::Days::new(1))
                .done(),
        );
    }
    with_time_zone(calendar.done())
}
