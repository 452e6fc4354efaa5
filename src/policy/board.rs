//! Requests to the Raad voor de Kinderbescherming: who reads one in the pages and who answers it.

use super::Actor;
use crate::domain::user::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoardAction {
    /// Read the request and its answer.
    Read,
    /// Record the Raad's answer: started, or not started with the reason.
    Answer,
}

impl BoardAction {
    pub const ALL: [BoardAction; 2] = [BoardAction::Read, BoardAction::Answer];
}

/// What the rule needs to know about the request and the actor.
#[derive(Clone, Copy, Debug)]
pub struct BoardFacts {
    /// The Raad's organisation the request is addressed to.
    pub owner_organisation_id: i64,
    /// The actor may see the family's record (directs it, works with it, or was at its item).
    pub sees_family: bool,
}

/// The Raad's professionals read and answer the requests addressed to their organisation; those who
/// may see the family read them; nobody else, and no admin or family account.
pub fn allows_board_request(actor: Actor, facts: BoardFacts, action: BoardAction) -> bool {
    if actor.role != Role::Professional {
        return false;
    }
    let of_the_board = actor.organisation_id == Some(facts.owner_organisation_id);
    match action {
        BoardAction::Read => of_the_board || facts.sees_family,
        BoardAction::Answer => of_the_board,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAAD: i64 = 7;

    fn actor(role: Role, organisation: i64) -> Actor {
        Actor {
            role,
            organisation_id: Some(organisation),
        }
    }

    #[test]
    fn the_raad_answers_its_own_requests_and_those_who_see_the_family_read_them() {
        let facts = |sees_family| BoardFacts {
            owner_organisation_id: RAAD,
            sees_family,
        };
        // (role, organisation, sees the family, action, allowed)
        let cases = [
            (Role::Professional, RAAD, false, BoardAction::Read, true),
            (Role::Professional, RAAD, false, BoardAction::Answer, true),
            (Role::Professional, 3, true, BoardAction::Read, true),
            // Directing the family is not answering for the Raad.
            (Role::Professional, 3, true, BoardAction::Answer, false),
            (Role::Professional, 3, false, BoardAction::Read, false),
            (Role::OrgAdmin, RAAD, false, BoardAction::Read, false),
            (Role::OrgAdmin, RAAD, false, BoardAction::Answer, false),
            (Role::SystemAdmin, RAAD, true, BoardAction::Read, false),
            (Role::Family, 3, true, BoardAction::Read, false),
        ];
        for (role, org, sees, action, allowed) in cases {
            assert_eq!(
                allows_board_request(actor(role, org), facts(sees), action),
                allowed,
                "{role:?} of {org}, sees family {sees}, {action:?}"
            );
        }
    }
}
