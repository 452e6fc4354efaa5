//! Who may read and answer a family's complaint or objection, and set a partnership's term for answering.
//! A complaint reaches exactly two kinds of people: the chair of the table it is routed to (the table
//! of the decision objected to, or the one that last discussed the family) and the coordinators of the
//! family's partnership. Not the family's director or those involved for that alone (a complaint may be
//! about them), never an admin, never anyone of another partnership. In the portal the member who filed
//! it reads it (`may_use_portal`, and only their own: a query).

use super::Actor;
use crate::domain::user::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComplaintAction {
    /// Read the complaint with the family's name and the member's words.
    Read,
    /// Write the answer the family reads in the portal (once).
    Answer,
    /// Set how many weeks the partnership gives itself to answer.
    SetTerm,
    /// Send it on to the chair of another table of the partnership, while it is open.
    Forward,
}

impl ComplaintAction {
    pub const ALL: [ComplaintAction; 4] = [
        ComplaintAction::Read,
        ComplaintAction::Answer,
        ComplaintAction::SetTerm,
        ComplaintAction::Forward,
    ];
}

/// How an actor stands to one complaint (or, for `SetTerm`, to the partnership).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ComplaintStanding {
    /// Chairs the table the complaint is routed to.
    pub chair: bool,
    /// Coordinates the family's partnership.
    pub coordinator: bool,
}

pub fn allows_complaint(
    actor: Actor,
    standing: ComplaintStanding,
    action: ComplaintAction,
) -> bool {
    match actor.role {
        Role::Family | Role::SystemAdmin => false,
        // An account admin can coordinate a partnership, and so handles its complaints and term; they
        // never sit at a table.
        Role::OrgAdmin => standing.coordinator,
        Role::Professional => match action {
            ComplaintAction::Read | ComplaintAction::Answer | ComplaintAction::Forward => {
                standing.chair || standing.coordinator
            }
            ComplaintAction::SetTerm => standing.coordinator,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComplaintAction::*;

    #[test]
    fn a_complaint_is_for_its_tables_chair_and_the_partnerships_coordinators() {
        let of = |role| Actor {
            role,
            organisation_id: (role != Role::SystemAdmin && role != Role::Family).then_some(1),
        };
        let chair = ComplaintStanding {
            chair: true,
            coordinator: false,
        };
        let coordinator = ComplaintStanding {
            chair: false,
            coordinator: true,
        };
        let none = ComplaintStanding::default();
        // (role, standing, what it may do)
        let cases: [(Role, ComplaintStanding, &[ComplaintAction]); 9] = [
            (Role::Professional, chair, &[Read, Answer, Forward]),
            (
                Role::Professional,
                coordinator,
                &[Read, Answer, SetTerm, Forward],
            ),
            // The director, someone involved, a member of the table, anyone of another partnership.
            (Role::Professional, none, &[]),
            (
                Role::OrgAdmin,
                coordinator,
                &[Read, Answer, SetTerm, Forward],
            ),
            (Role::OrgAdmin, chair, &[]),
            (Role::OrgAdmin, none, &[]),
            (Role::SystemAdmin, coordinator, &[]),
            (Role::Family, chair, &[]),
            (Role::Family, none, &[]),
        ];
        for (role, standing, allowed) in cases {
            for action in ComplaintAction::ALL {
                assert_eq!(
                    allows_complaint(of(role), standing, action),
                    allowed.contains(&action),
                    "{role:?} {standing:?} {action:?}"
                );
            }
        }
    }
}
