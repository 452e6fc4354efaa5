//! Taking part at a table: who attends a meeting, who reads an item's details, what is done with a
//! table, and who reads and reports an action (actie) agreed at a meeting.

use super::Seat;
use crate::domain::family::Relation;

/// May the user open the meeting: they lead its table, or they are on its attendance list (a standing
/// member, or invited for an item).
pub fn may_attend(seat: Seat, participant: bool) -> bool {
    seat.leads() || participant
}

/// How a participant stands to one agenda item.
#[derive(Clone, Copy, Debug, Default)]
pub struct ItemStanding {
    /// The item is about a family (topics and the action review are not).
    pub family_item: bool,
    /// Invited for this item, and the family's record is still open (closing ends an invitation).
    pub invited_while_open: bool,
    pub relation: Relation,
}

/// May this participant see an item's details? Topics and the action review: every participant. A
/// family's item: the chair and minute-taker, those invited for it, and whoever works with the family.
pub fn sees_item(seat: Seat, item: ItemStanding) -> bool {
    let r = item.relation;
    !item.family_item
        || seat.leads()
        || item.invited_while_open
        || r.director
        || r.co_worker
        || r.involved
        || r.keeper
}

/// What can be done with a table besides running its meetings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableAction {
    /// See the table's page: everyone with a seat, and the partnership's coordinators.
    ViewTable,
    /// Read the table's action list: those at the table, never a coordinator for that alone (managing
    /// tables is no reason to read about families).
    ExportActionList,
    /// Change the table's name, region, kind and send mode: its chair and the coordinators.
    EditTable,
    /// Plan a meeting of the table.
    PlanMeeting,
    /// Send the besluitenlijst of a closed meeting to its participants.
    SendDecisionList,
    /// Make the pseudonymised besluitenlijst (for wider distribution).
    ExportPseudonymised,
}

impl TableAction {
    pub const ALL: [TableAction; 6] = [
        TableAction::ViewTable,
        TableAction::ExportActionList,
        TableAction::EditTable,
        TableAction::PlanMeeting,
        TableAction::SendDecisionList,
        TableAction::ExportPseudonymised,
    ];
}

pub fn allows_table(seat: Seat, action: TableAction) -> bool {
    match action {
        TableAction::ViewTable => seat.any(),
        TableAction::ExportActionList => seat.leads() || seat.member,
        TableAction::EditTable => seat.chair || seat.coordinator,
        TableAction::PlanMeeting
        | TableAction::SendDecisionList
        | TableAction::ExportPseudonymised => seat.chair,
    }
}

/// What can be done with an action agreed at a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionItem {
    /// Read it (what, who, when, the result).
    Read,
    /// Report it done or cancelled.
    Finish,
    /// Give it to someone else (when its owner left, say): the chair of its table and the director of
    /// its family, never the owner themselves for that alone, nor an admin.
    Reassign,
}

impl ActionItem {
    pub const ALL: [ActionItem; 3] = [ActionItem::Read, ActionItem::Finish, ActionItem::Reassign];
}

/// How the user stands to one action.
#[derive(Clone, Copy, Debug, Default)]
pub struct ActionStanding {
    /// The user owns the action.
    pub owner: bool,
    /// Their seat at the table of the meeting that agreed it.
    pub seat: Seat,
    /// Their relation to the action's family (none for an action without a family).
    pub relation: Relation,
}

/// The owner reads and reports; the chair and minute-taker and those who work with the family read;
/// the chair and the family's director give it to someone else.
pub fn allows_action_item(standing: ActionStanding, action: ActionItem) -> bool {
    let r = standing.relation;
    match action {
        ActionItem::Read => {
            standing.owner || standing.seat.leads() || r.director || r.co_worker || r.involved
        }
        ActionItem::Finish => standing.owner,
        ActionItem::Reassign => standing.seat.chair || r.director,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::seats::{CHAIR, COORDINATOR, MEMBER, MINUTES};

    const NO_SEAT: Seat = Seat {
        chair: false,
        minute_taker: false,
        member: false,
        coordinator: false,
    };

    fn rel(director: bool, involved: bool, keeper: bool) -> Relation {
        Relation {
            director,
            involved,
            keeper,
            ..Relation::default()
        }
    }

    #[test]
    fn who_attends_and_what_only_the_chair_does() {
        // (seat, on the attendance list, attends,
        //  [view, action list, edit table, plan, send, pseudonymise])
        let cases = [
            (CHAIR, false, true, [true; 6]),
            (
                MINUTES,
                false,
                true,
                [true, true, false, false, false, false],
            ),
            (MEMBER, true, true, [true, true, false, false, false, false]),
            (
                MEMBER,
                false,
                false,
                [true, true, false, false, false, false],
            ),
            (
                COORDINATOR,
                false,
                false,
                [true, false, true, false, false, false],
            ),
            (NO_SEAT, true, true, [false; 6]),
            (NO_SEAT, false, false, [false; 6]),
        ];
        for (seat, participant, attends, chair) in cases {
            assert_eq!(may_attend(seat, participant), attends, "{seat:?}");
            let got = TableAction::ALL.map(|a| allows_table(seat, a));
            assert_eq!(got, chair, "{seat:?}");
        }
    }

    #[test]
    fn a_familys_item_is_for_its_people_and_those_leading_the_table() {
        let none = Relation::default();
        // (seat, family item, invited while open, relation, sees)
        let cases = [
            (MEMBER, false, false, none, true),
            (MEMBER, true, false, none, false),
            (MEMBER, true, true, none, true),
            (CHAIR, true, false, none, true),
            (MINUTES, true, false, none, true),
            (COORDINATOR, true, false, none, false),
            (NO_SEAT, true, false, rel(true, false, false), true),
            (NO_SEAT, true, false, rel(false, true, false), true),
            (NO_SEAT, true, false, rel(false, false, true), true),
        ];
        for (seat, family_item, invited_while_open, relation, sees) in cases {
            let item = ItemStanding {
                family_item,
                invited_while_open,
                relation,
            };
            assert_eq!(sees_item(seat, item), sees, "{seat:?} {item:?}");
        }
    }

    #[test]
    fn the_owner_reports_an_action_and_its_people_read_it() {
        let none = Relation::default();
        let co_worker = Relation {
            co_worker: true,
            ..Relation::default()
        };
        let steward = Relation {
            steward: true,
            ..Relation::default()
        };
        // (owner, seat, relation, [reads, finishes, reassigns])
        let cases = [
            (true, NO_SEAT, none, [true, true, false]),
            (true, MEMBER, none, [true, true, false]),
            (false, CHAIR, none, [true, false, true]),
            (false, MINUTES, none, [true, false, false]),
            (false, MEMBER, none, [false; 3]),
            (false, COORDINATOR, none, [false; 3]),
            (false, NO_SEAT, rel(true, false, false), [true, false, true]),
            (false, NO_SEAT, co_worker, [true, false, false]),
            (
                false,
                NO_SEAT,
                rel(false, true, false),
                [true, false, false],
            ),
            (false, NO_SEAT, rel(false, false, true), [false; 3]),
            (false, NO_SEAT, steward, [false; 3]),
        ];
        for (owner, seat, relation, expected) in cases {
            let s = ActionStanding {
                owner,
                seat,
                relation,
            };
            let got = ActionItem::ALL.map(|a| allows_action_item(s, a));
            assert_eq!(got, expected, "{s:?}");
        }
    }
}
