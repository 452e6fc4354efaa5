//! The dispatcher's hand-over of a batch of events to the rooms: the batch's meetings read once, each
//! event rendered once per audience, and the messages of one meeting's consecutive events queued to
//! each connection together.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{Audience, Hub, Message, changes_access};
use crate::db::DbConn;
use crate::domain::meeting::reads::Reads;
use crate::events::{Event, EventKind};

/// The most consecutive events of one meeting whose messages are queued together.
const MOST_QUEUED_TOGETHER: usize = 8;

/// For each event of a batch: whether a later event of the same batch draws its meeting again, so that
/// it need not. Its message still goes out (every event moves the client's resume point on), without
/// the status and agenda, which the later message brings as they are by then. Only events the room
/// draws the meeting for count; a later one that changes who may see what is dispatched after the
/// audiences are worked out again, and draws the meeting for each new audience itself. One pass from
/// the end of the batch.
fn redrawn_later(batch: &[Event]) -> Vec<bool> {
    let mut drawn_after = std::collections::HashSet::new();
    let mut flags: Vec<bool> = batch
        .iter()
        .rev()
        .map(|e| match e.meeting_id {
            Some(meeting) if e.event_kind().is_some_and(EventKind::redraws_meeting) => {
                !drawn_after.insert(meeting)
            }
            _ => false,
        })
        .collect();
    flags.reverse();
    flags
}

impl Hub {
    /// The meetings of `batch` that have a room here: what the dispatcher reads once for the batch.
    fn rooms_of(&self, batch: &[Event]) -> Vec<i64> {
        let Ok(rooms) = self.rooms.lock() else {
            return Vec::new();
        };
        let mut ids: Vec<i64> = batch
            .iter()
            .filter_map(|e| e.meeting_id)
            .filter(|m| rooms.contains_key(m))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Hands a batch of events to their meetings' rooms, in order. The meetings are read once for the
    /// batch; the messages of consecutive events of one meeting (starting it and taking up its first
    /// item are two events of one write) are queued together, so each connection takes them in one go.
    pub(super) fn dispatch_batch(&self, conn: &mut DbConn, batch: &[Event]) {
        let mut reads = match Reads::of(conn, &self.rooms_of(batch)) {
            Ok(reads) => reads,
            Err(e) => {
                tracing::warn!(error = %e, "live dispatcher could not read the batch's meetings");
                Reads::default()
            }
        };
        let mut queued: Vec<(u64, Arc<Message>)> = Vec::new();
        let (mut meeting, mut events) = (None, 0);
        for (event, later) in batch.iter().zip(redrawn_later(batch)) {
            // A long run of one meeting's events (a catch-up) goes out a few at a time, not at its end.
            if event.meeting_id != meeting || events == MOST_QUEUED_TOGETHER {
                self.deliver(meeting, std::mem::take(&mut queued));
                (meeting, events) = (event.meeting_id, 0);
            }
            queued.extend(self.plan(conn, &mut reads, event, later));
            events += 1;
        }
        self.deliver(meeting, queued);
    }

    /// One event for its meeting's room: rendered once per audience, a message per connection. An
    /// event that changes who may see what first works out the audiences again (the agenda's in its
    /// own room, the others' in every room).
    fn plan(
        &self,
        conn: &mut DbConn,
        reads: &mut Reads,
        event: &Event,
        redrawn_later: bool,
    ) -> Vec<(u64, Arc<Message>)> {
        match event.event_kind() {
            Some(kind) if kind.area() == "agenda" => {
                if let Some(meeting_id) = event.meeting_id {
                    self.refresh(conn, Some(meeting_id));
                }
            }
            Some(kind) if changes_access(kind) => self.refresh(conn, None),
            _ => {}
        }
        let Some(meeting_id) = event.meeting_id else {
            return Vec::new();
        };
        let lag = crate::domain::now() - event.occurred_at;
        self.metrics
            .dispatched(lag.num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6);
        let targets: Vec<(u64, Audience)> = match self.rooms.lock() {
            Ok(rooms) => match rooms.get(&meeting_id) {
                Some(room) => room
                    .iter()
                    .filter(|c| !c.closing.is_closed())
                    .map(|c| (c.id, c.audience.clone()))
                    .collect(),
                None => return Vec::new(),
            },
            Err(_) => return Vec::new(),
        };
        let mut rendered: HashMap<Audience, Option<Arc<Message>>> = HashMap::new();
        let mut plan = Vec::with_capacity(targets.len());
        for (id, audience) in &targets {
            let message = rendered
                .entry(audience.clone())
                .or_insert_with(|| {
                    self.render(conn, reads, event, audience, redrawn_later)
                        .map(|json| {
                            Arc::new(Message {
                                event_id: event.id,
                                json: json.into(),
                            })
                        })
                })
                .clone();
            plan.extend(message.map(|m| (*id, m)));
        }
        plan
    }

    /// Queues the planned messages of one meeting's room, in order, to each connection still in it.
    fn deliver(&self, meeting: Option<i64>, planned: Vec<(u64, Arc<Message>)>) {
        let Some(meeting_id) = meeting.filter(|_| !planned.is_empty()) else {
            return;
        };
        let mut per_connection: HashMap<u64, Vec<Arc<Message>>> = HashMap::new();
        for (id, message) in planned {
            per_connection.entry(id).or_default().push(message);
        }
        let Ok(rooms) = self.rooms.lock() else { return };
        let Some(room) = rooms.get(&meeting_id) else {
            return;
        };
        for c in room {
            let Some(messages) = per_connection.remove(&c.id) else {
                continue;
            };
            if messages.into_iter().any(|m| c.tx.try_send(m).is_err()) {
                // Full (or gone): the connection replays from the event log instead.
                c.lagged.store(true, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: i64, kind: EventKind, meeting: Option<i64>) -> Event {
        Event {
            id,
            occurred_at: chrono::NaiveDateTime::default(),
            actor_user_id: None,
            actor_organisation_id: None,
            family_id: None,
            kind: kind.name().to_string(),
            subject_type: "meeting".into(),
            subject_id: meeting,
            data: "{}".into(),
            prev_hash: String::new(),
            hash: String::new(),
            meeting_id: meeting,
            data_digest: None,
            erased_at: None,
        }
    }

    #[test]
    fn only_an_event_whose_meeting_is_drawn_again_later_in_the_batch_leaves_the_drawing_out() {
        let batch = [
            event(1, EventKind::MeetingStarted, Some(7)),
            event(2, EventKind::MeetingStarted, Some(8)),
            event(3, EventKind::MeetingItemCurrent, Some(7)),
            // Attendance draws the attendance list, not the meeting: it does not stand in for 2.
            event(4, EventKind::MeetingAttendance, Some(8)),
            event(5, EventKind::MeetingItemCurrent, Some(7)),
            event(6, EventKind::MeetingStarted, None),
        ];
        assert_eq!(
            redrawn_later(&batch),
            [true, false, true, false, false, false]
        );
    }
}
