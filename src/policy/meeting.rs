//! Who may change a meeting, and when: a user's seat at the table, their relation to the family, and
//! what the meeting's state allows (its rules are in `domain::meeting`).

use crate::domain::family::Relation;
use crate::domain::meeting::{self, MeetingAction, MeetingState};

/// What a user may do at a table: their places at it, and whether they coordinate its partnership.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seat {
    pub chair: bool,
    pub minute_taker: bool,
    pub member: bool,
    /// Coordinates the table's partnership: sees and sets up the table, without a place at it.
    pub coordinator: bool,
}

impl Seat {
    pub fn leads(self) -> bool {
        self.chair || self.minute_taker
    }
    pub fn any(self) -> bool {
        self.chair || self.minute_taker || self.member || self.coordinator
    }
}

/// Who may make a change to a meeting, by their seat at its table: the chair runs the meeting (starts,
/// steers, arranges the agenda, closes items and the meeting, corrects decisions); the chair and the
/// minute-taker keep the record (attendance, minutes, decisions and actions); members may also propose
/// topics. Sharing minutes is not a matter of the seat: the family's director or co-worker shares them.
pub fn seat_allows(seat: Seat, action: MeetingAction) -> bool {
    use MeetingAction::*;
    match action {
        Start | Steer | ArrangeAgenda | CloseItem | Close | Correct => seat.chair,
        RecordAttendance | WriteMinutes | Record => seat.leads(),
        ProposeTopic => seat.member || seat.leads(),
        ShareMinutes => true,
    }
}

/// May this seat make the change now: the seat allows it and so does the state of the meeting (and of
/// the item it is about).
pub fn allows_meeting(seat: Seat, state: MeetingState, action: MeetingAction) -> bool {
    seat_allows(seat, action) && meeting::state_allows(state, action)
}

/// Who may correct a decision, and when: the chair, once the meeting is closed, and only a decision that
/// was not replaced yet.
pub fn may_correct(seat: Seat, state: MeetingState, replaced: bool) -> bool {
    allows_meeting(seat, state, MeetingAction::Correct) && !replaced
}

/// Who may share an item's minutes with the family: its director or co-worker, once the meeting is
/// closed.
pub fn may_share_minutes(relation: Relation, state: MeetingState) -> bool {
    (relation.director || relation.co_worker)
        && meeting::state_allows(state, MeetingAction::ShareMinutes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::meeting::MeetingStatus;

    const Y: bool = true;
    const N: bool = false;

    fn seats() -> [(&'static str, Seat); 5] {
        let none = Seat::default();
        [
            (
                "chair",
                Seat {
                    chair: true,
                    ..none
                },
            ),
            (
                "minute-taker",
                Seat {
                    minute_taker: true,
                    ..none
                },
            ),
            (
                "member",
                Seat {
                    member: true,
                    ..none
                },
            ),
            (
                "coordinator",
                Seat {
                    coordinator: true,
                    ..none
                },
            ),
            ("guest", none),
        ]
    }

    fn state(meeting: MeetingStatus, item_closed: bool) -> MeetingState {
        MeetingState {
            meeting,
            item_closed,
        }
    }

    #[test]
    fn who_may_change_a_meeting_by_seat() {
        use MeetingAction::*;
        // (action, allowed for [chair, minute-taker, member, coordinator, guest])
        let cases: &[(MeetingAction, [bool; 5])] = &[
            (Start, [Y, N, N, N, N]),
            (Steer, [Y, N, N, N, N]),
            (ArrangeAgenda, [Y, N, N, N, N]),
            (CloseItem, [Y, N, N, N, N]),
            (Close, [Y, N, N, N, N]),
            (Correct, [Y, N, N, N, N]),
            (RecordAttendance, [Y, Y, N, N, N]),
            (WriteMinutes, [Y, Y, N, N, N]),
            (Record, [Y, Y, N, N, N]),
            (ProposeTopic, [Y, Y, Y, N, N]),
            (ShareMinutes, [Y, Y, Y, Y, Y]),
        ];
        assert_eq!(
            cases.len(),
            MeetingAction::ALL.len(),
            "every action has a case"
        );
        for (action, allowed) in cases {
            for ((name, seat), expected) in seats().into_iter().zip(allowed) {
                assert_eq!(seat_allows(seat, *action), *expected, "{name} {action:?}");
            }
        }
    }

    #[test]
    fn who_may_change_a_meeting_by_seat_and_state() {
        use MeetingAction::*;
        use MeetingStatus::*;
        let [chair, minute_taker, member, _, guest] = seats().map(|(_, s)| s);
        // (seat, meeting, item closed, action, allowed)
        let cases: &[(Seat, MeetingStatus, bool, MeetingAction, bool)] = &[
            (chair, Planned, N, Start, Y),
            (chair, Running, N, Start, N),
            (minute_taker, Planned, N, Start, N),
            (chair, Running, N, CloseItem, Y),
            (chair, Running, Y, CloseItem, N),
            (chair, Closed, N, CloseItem, N),
            (minute_taker, Running, N, CloseItem, N),
            (chair, Running, N, Close, Y),
            (chair, Closed, N, Close, N),
            (member, Running, N, Close, N),
            (minute_taker, Running, N, Record, Y),
            (minute_taker, Running, Y, Record, N),
            (minute_taker, Planned, N, Record, N),
            (chair, Closed, N, Record, N),
            (member, Running, N, Record, N),
            (member, Planned, N, ProposeTopic, Y),
            (member, Closed, N, ProposeTopic, N),
            (guest, Running, N, ProposeTopic, N),
            (minute_taker, Running, N, WriteMinutes, Y),
            (minute_taker, Closed, N, WriteMinutes, N),
            (chair, Closed, Y, Correct, Y),
            (chair, Running, N, Correct, N),
            (minute_taker, Closed, N, Correct, N),
        ];
        for (seat, meeting, item_closed, action, expected) in cases {
            let state = state(*meeting, *item_closed);
            assert_eq!(
                allows_meeting(*seat, state, *action),
                *expected,
                "{seat:?} {state:?} {action:?}"
            );
        }
    }

    #[test]
    fn who_may_correct_a_decision() {
        use MeetingStatus::*;
        let [chair, minute_taker, member, coordinator, guest] = seats().map(|(_, s)| s);
        // (seat, meeting, decision replaced already, allowed)
        let cases: &[(Seat, MeetingStatus, bool, bool)] = &[
            (chair, Closed, N, Y),
            (chair, Closed, Y, N),
            (chair, Running, N, N),
            (chair, Planned, N, N),
            (minute_taker, Closed, N, N),
            (member, Closed, N, N),
            (coordinator, Closed, N, N),
            (guest, Closed, N, N),
        ];
        for (seat, meeting, replaced, expected) in cases {
            assert_eq!(
                may_correct(*seat, state(*meeting, false), *replaced),
                *expected,
                "{seat:?} {meeting:?} replaced {replaced}"
            );
        }
    }

    #[test]
    fn who_may_share_the_minutes_with_the_family() {
        use MeetingStatus::*;
        let with = |set: fn(&mut Relation)| {
            let mut relation = Relation::default();
            set(&mut relation);
            relation
        };
        let director = with(|r| r.director = true);
        let co_worker = with(|r| r.co_worker = true);
        let involved = with(|r| r.involved = true);
        let invited = with(|r| r.invited = true);
        // (relation, meeting, allowed)
        let cases: &[(Relation, MeetingStatus, bool)] = &[
            (director, Closed, Y),
            (co_worker, Closed, Y),
            (director, Running, N),
            (co_worker, Planned, N),
            (involved, Closed, N),
            (invited, Closed, N),
            (Relation::default(), Closed, N),
        ];
        for (relation, meeting, expected) in cases {
            assert_eq!(
                may_share_minutes(*relation, state(*meeting, false)),
                *expected,
                "{relation:?} {meeting:?}"
            );
        }
    }
}
