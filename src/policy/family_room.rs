//! The family at the table: who may invite them, when a one-time link still opens the room, what the
//! room shows of the item and when it is the family's turn.

use chrono::NaiveDate;

use crate::domain::family_invite::Part;
use crate::domain::meeting::MeetingStatus;

/// The chair invites the family (and their network) for the family's own item, while the meeting has
/// not closed. The item must be about a family, and the invited member must be of that family.
pub fn may_invite_family(
    chair: bool,
    status: MeetingStatus,
    item_family: Option<i64>,
    member_family: Option<i64>,
) -> bool {
    chair
        && status != MeetingStatus::Closed
        && item_family.is_some()
        && member_family.is_none_or(|f| Some(f) == item_family)
}

/// How someone takes part in inviting the family for an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inviting {
    /// The chair: invites, and sends what the director asked for.
    Sends,
    /// The family's director: asks the chair to invite.
    Asks,
    /// Anyone else.
    No,
}

impl Inviting {
    pub fn of(chair: bool, directs_family: bool) -> Inviting {
        match (chair, directs_family) {
            (true, _) => Inviting::Sends,
            (false, true) => Inviting::Asks,
            (false, false) => Inviting::No,
        }
    }
}

/// A one-time link opens the room for its own item only, and only on the meeting's day.
pub fn link_opens(valid_on: NaiveDate, today: NaiveDate, link_item: i64, asked_item: i64) -> bool {
    valid_on == today && link_item == asked_item
}

/// Whether the room shows the decisions as they are recorded: only to those invited for the decision
/// too ("alleen het gesprek" leaves before it).
pub fn sees_decisions(part: Part) -> bool {
    part == Part::Decision
}

/// Where the meeting stands for the family's item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turn {
    /// The meeting has not started.
    NotStarted,
    /// The meeting runs, another item is being discussed: "Je bent zo aan de beurt".
    Soon,
    /// Their item is being discussed: "Nu aan de beurt".
    Now,
    /// Their item (or the meeting) is done.
    Done,
}

impl Turn {
    pub fn of(status: MeetingStatus, current: Option<i64>, item: i64, item_closed: bool) -> Turn {
        match status {
            MeetingStatus::Planned => Turn::NotStarted,
            MeetingStatus::Closed => Turn::Done,
            MeetingStatus::Running if current == Some(item) => Turn::Now,
            MeetingStatus::Running if item_closed => Turn::Done,
            MeetingStatus::Running => Turn::Soon,
        }
    }

    /// The text key of what the room says.
    pub fn text_key(self) -> &'static str {
        match self {
            Turn::NotStarted => "family_room.turn_not_started",
            Turn::Soon => "family_room.turn_soon",
            Turn::Now => "family_room.turn_now",
            Turn::Done => "family_room.turn_done",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_chair_invites_and_only_for_the_members_own_family_item() {
        use MeetingStatus::*;
        let cases = [
            (true, Planned, Some(1), Some(1), true),
            (true, Running, Some(1), None, true),
            (true, Running, Some(1), Some(2), false),
            (true, Closed, Some(1), Some(1), false),
            (true, Planned, None, None, false),
            (false, Planned, Some(1), Some(1), false),
        ];
        for (chair, status, item, member, want) in cases {
            assert_eq!(
                may_invite_family(chair, status, item, member),
                want,
                "{chair} {status:?} {item:?} {member:?}"
            );
        }
    }

    #[test]
    fn the_chair_sends_the_director_asks_and_nobody_else_invites() {
        assert_eq!(Inviting::of(true, false), Inviting::Sends);
        assert_eq!(Inviting::of(true, true), Inviting::Sends);
        assert_eq!(Inviting::of(false, true), Inviting::Asks);
        assert_eq!(Inviting::of(false, false), Inviting::No);
    }

    #[test]
    fn a_link_opens_its_own_item_on_the_meetings_day_only() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert!(link_opens(day, day, 7, 7));
        assert!(!link_opens(day, day.succ_opt().unwrap(), 7, 7));
        assert!(!link_opens(day, day.pred_opt().unwrap(), 7, 7));
        assert!(!link_opens(day, day, 7, 8));
    }

    #[test]
    fn only_those_invited_for_the_decision_see_it_recorded() {
        assert!(sees_decisions(Part::Decision));
        assert!(!sees_decisions(Part::Conversation));
    }

    #[test]
    fn the_turn_follows_the_chair() {
        use MeetingStatus::*;
        assert_eq!(Turn::of(Planned, None, 5, false), Turn::NotStarted);
        assert_eq!(Turn::of(Running, Some(4), 5, false), Turn::Soon);
        assert_eq!(Turn::of(Running, None, 5, false), Turn::Soon);
        assert_eq!(Turn::of(Running, Some(5), 5, false), Turn::Now);
        assert_eq!(Turn::of(Running, Some(6), 5, true), Turn::Done);
        assert_eq!(Turn::of(Closed, Some(5), 5, false), Turn::Done);
    }
}
