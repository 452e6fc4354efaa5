//! The course of a meeting as pure rules: what the state of a meeting, and of one item on it, allows
//! (whoever asks: who may is the policy's question), and which item the chair steps to.

use super::{AgendaItem, Meeting, MeetingStatus};

/// A change to a meeting or to one of its items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingAction {
    /// Start the meeting.
    Start,
    /// Make an item current, or step to the next or previous one.
    Steer,
    /// Arrange the agenda: schedule a referral, move an item, set its time box, invite a guest for it,
    /// publish the agenda.
    ArrangeAgenda,
    /// Propose a topic for the agenda.
    ProposeTopic,
    /// Mark who is present.
    RecordAttendance,
    /// Write an item's minutes.
    WriteMinutes,
    /// Close an item.
    CloseItem,
    /// Close the meeting.
    Close,
    /// Record a decision or an action on an item.
    Record,
    /// Correct a decision: record one that replaces it.
    Correct,
    /// Share an item's minutes with the family (they are final then).
    ShareMinutes,
}

impl MeetingAction {
    pub const ALL: [MeetingAction; 11] = [
        MeetingAction::Start,
        MeetingAction::Steer,
        MeetingAction::ArrangeAgenda,
        MeetingAction::ProposeTopic,
        MeetingAction::RecordAttendance,
        MeetingAction::WriteMinutes,
        MeetingAction::CloseItem,
        MeetingAction::Close,
        MeetingAction::Record,
        MeetingAction::Correct,
        MeetingAction::ShareMinutes,
    ];
}

/// What a change is judged by: the meeting's status and, for a change to one item, whether that item
/// is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeetingState {
    pub meeting: MeetingStatus,
    pub item_closed: bool,
}

impl Meeting {
    /// The state for a change to the meeting as a whole.
    pub fn state(&self) -> MeetingState {
        MeetingState {
            meeting: self.status(),
            item_closed: false,
        }
    }
    /// The state for a change to `item`.
    pub fn state_of(&self, item: &AgendaItem) -> MeetingState {
        MeetingState {
            meeting: self.status(),
            item_closed: item.is_closed(),
        }
    }
}

/// Whether the state allows the change. A meeting starts from planned; until it is closed its agenda,
/// attendance and minutes may change; decisions and actions are recorded while it runs, on an item
/// still open; once it is closed, decisions are corrected and minutes shared.
pub fn state_allows(state: MeetingState, action: MeetingAction) -> bool {
    use MeetingAction::*;
    let closed = state.meeting == MeetingStatus::Closed;
    match action {
        Start => state.meeting == MeetingStatus::Planned,
        Steer | ArrangeAgenda | ProposeTopic | RecordAttendance | WriteMinutes | Close => !closed,
        CloseItem => !closed && !state.item_closed,
        Record => state.meeting == MeetingStatus::Running && !state.item_closed,
        Correct | ShareMinutes => closed,
    }
}

/// Why decisions and actions cannot be recorded on an item now (a text key), None when they can.
pub fn not_recordable(state: MeetingState) -> Option<&'static str> {
    if state.meeting == MeetingStatus::Closed {
        Some("meeting.closed_decisions")
    } else if !state_allows(state, MeetingAction::Record) {
        Some("decision.not_running")
    } else {
        None
    }
}

/// The item the chair steps to from `current` (in agenda order): the next open one, or with
/// `forward == false` the previous open one. Without a current item, forward starts at the top and
/// back at the bottom. None when no open item lies that way.
pub fn next_open_item(
    items: &[AgendaItem],
    current: Option<i64>,
    forward: bool,
) -> Option<&AgendaItem> {
    let here = current.and_then(|id| items.iter().position(|i| i.id == id));
    if forward {
        let from = here.map_or(0, |h| h + 1);
        items.iter().skip(from).find(|i| !i.is_closed())
    } else {
        let to = here.unwrap_or(items.len());
        items.iter().take(to).rev().find(|i| !i.is_closed())
    }
}

#[cfg(test)]
mod state_tests {
    use super::MeetingAction::*;
    use super::*;

    const Y: bool = true;
    const N: bool = false;

    #[test]
    fn what_each_state_of_a_meeting_and_its_item_allows() {
        // (action, allowed when the meeting is [planned, running, closed] with the item open, the same
        // with the item closed)
        let cases: &[(MeetingAction, [bool; 3], [bool; 3])] = &[
            (Start, [Y, N, N], [Y, N, N]),
            (Steer, [Y, Y, N], [Y, Y, N]),
            (ArrangeAgenda, [Y, Y, N], [Y, Y, N]),
            (ProposeTopic, [Y, Y, N], [Y, Y, N]),
            (RecordAttendance, [Y, Y, N], [Y, Y, N]),
            (WriteMinutes, [Y, Y, N], [Y, Y, N]),
            (Close, [Y, Y, N], [Y, Y, N]),
            (CloseItem, [Y, Y, N], [N, N, N]),
            (Record, [N, Y, N], [N, N, N]),
            (Correct, [N, N, Y], [N, N, Y]),
            (ShareMinutes, [N, N, Y], [N, N, Y]),
        ];
        assert_eq!(
            cases.len(),
            MeetingAction::ALL.len(),
            "every action has a case"
        );
        let statuses = [
            MeetingStatus::Planned,
            MeetingStatus::Running,
            MeetingStatus::Closed,
        ];
        for (action, item_open, item_closed) in cases {
            for (n, meeting) in statuses.into_iter().enumerate() {
                for (closed, expected) in [(false, item_open[n]), (true, item_closed[n])] {
                    let state = MeetingState {
                        meeting,
                        item_closed: closed,
                    };
                    assert_eq!(
                        state_allows(state, *action),
                        expected,
                        "{action:?} in {state:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn why_nothing_can_be_recorded_now() {
        // (meeting, item closed, the reason)
        let cases: &[(MeetingStatus, bool, Option<&str>)] = &[
            (MeetingStatus::Planned, false, Some("decision.not_running")),
            (MeetingStatus::Planned, true, Some("decision.not_running")),
            (MeetingStatus::Running, false, None),
            (MeetingStatus::Running, true, Some("decision.not_running")),
            (
                MeetingStatus::Closed,
                false,
                Some("meeting.closed_decisions"),
            ),
            (
                MeetingStatus::Closed,
                true,
                Some("meeting.closed_decisions"),
            ),
        ];
        for (meeting, item_closed, expected) in cases {
            let state = MeetingState {
                meeting: *meeting,
                item_closed: *item_closed,
            };
            assert_eq!(not_recordable(state), *expected, "{state:?}");
        }
    }
}

#[cfg(test)]
mod stepping_tests {
    use super::*;

    /// An agenda from a picture: one letter per item, upper case open, lower case closed; ids 1, 2, …
    fn agenda(picture: &str) -> Vec<AgendaItem> {
        picture
            .chars()
            .enumerate()
            .map(|(n, c)| AgendaItem {
                id: n as i64 + 1,
                meeting_id: 1,
                position: n as i32,
                kind: "topic".into(),
                family_id: None,
                referral_id: None,
                title: c.to_string(),
                time_box_minutes: 10,
                status: if c.is_uppercase() { "open" } else { "closed" }.into(),
                minutes: String::new(),
                proposed_by_user_id: 1,
                created_at: chrono::NaiveDateTime::default(),
                erased_at: None,
            })
            .collect()
    }

    #[test]
    fn the_chair_steps_to_the_nearest_open_item_that_way() {
        // (agenda, current item id, forward, expected title)
        let cases: &[(&str, Option<i64>, bool, Option<&str>)] = &[
            ("ABC", None, true, Some("A")),
            ("ABC", None, false, Some("C")),
            ("ABC", Some(1), true, Some("B")),
            ("ABC", Some(2), false, Some("A")),
            ("ABC", Some(3), true, None),
            ("ABC", Some(1), false, None),
            // Closed items are passed over, both ways.
            ("AbcD", Some(1), true, Some("D")),
            ("AbcD", Some(4), false, Some("A")),
            ("abC", None, true, Some("C")),
            ("Abc", None, false, Some("A")),
            ("abc", None, true, None),
            ("abc", None, false, None),
            // The current item closed in the meantime: stepping goes on from where it stood.
            ("AbC", Some(2), true, Some("C")),
            ("AbC", Some(2), false, Some("A")),
            // A current item that is no longer on the agenda counts as none.
            ("AB", Some(9), true, Some("A")),
        ];
        for (picture, current, forward, expected) in cases {
            let items = agenda(picture);
            let got = next_open_item(&items, *current, *forward).map(|i| i.title.as_str());
            assert_eq!(
                got, *expected,
                "agenda {picture}, current {current:?}, forward {forward}"
            );
        }
    }
}
