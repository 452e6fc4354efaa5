//! The top 3 of an agenda item ("Top 3"-methodiek): who reads the participants' lists and the merged
//! analysis, who gives their own top 3, and who merges them.

use super::Actor;
use crate::domain::meeting::MeetingStatus;
use crate::domain::user::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Top3Action {
    /// Read every participant's top 3, the merged list and its versions.
    Read,
    /// Give (or change) one's own top 3.
    Give,
    /// Merge them into one prioritised list with the explanatory analysis (a new version).
    Merge,
}

impl Top3Action {
    pub const ALL: [Top3Action; 3] = [Top3Action::Read, Top3Action::Give, Top3Action::Merge];
}

/// What the rule needs to know about the actor and the item.
#[derive(Clone, Copy, Debug)]
pub struct Top3Facts {
    /// Sees the item in full (`sees_item`): invited for it, leads the table, or works with the family.
    pub sees_item: bool,
    /// Takes part in the item: invited for it while the family's record is open, or directs or works
    /// with the family.
    pub participant: bool,
    /// Directs the family.
    pub director: bool,
    /// Chairs the table.
    pub chair: bool,
    pub meeting: MeetingStatus,
}

/// Those who see the item read its top 3; its participants give theirs until the meeting is closed; the
/// family's director merges them until then, and the chair while the meeting runs. Never an admin or a
/// family account (the family gives theirs in the portal).
pub fn allows_top3(actor: Actor, facts: Top3Facts, action: Top3Action) -> bool {
    if actor.role != Role::Professional || !facts.sees_item {
        return false;
    }
    let open = facts.meeting != MeetingStatus::Closed;
    match action {
        Top3Action::Read => true,
        Top3Action::Give => open && facts.participant,
        Top3Action::Merge => {
            open && (facts.director || (facts.chair && facts.meeting == MeetingStatus::Running))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MeetingStatus::*;
    use Top3Action::*;

    const Y: bool = true;
    const N: bool = false;

    fn actor(role: Role) -> Actor {
        Actor {
            role,
            organisation_id: Some(1),
        }
    }

    #[test]
    fn who_reads_gives_and_merges_a_top_3() {
        // (who, sees the item, participant, director, chair)
        let people = [
            ("director", Y, Y, Y, N),
            ("invited", Y, Y, N, N),
            ("chair", Y, N, N, Y),
            ("minute-taker", Y, N, N, N),
            ("uninvited member", N, N, N, N),
        ];
        // (meeting, action, allowed for [director, invited, chair, minute-taker, uninvited member])
        let cases: &[(MeetingStatus, Top3Action, [bool; 5])] = &[
            (Planned, Read, [Y, Y, Y, Y, N]),
            (Planned, Give, [Y, Y, N, N, N]),
            (Planned, Merge, [Y, N, N, N, N]),
            (Running, Read, [Y, Y, Y, Y, N]),
            (Running, Give, [Y, Y, N, N, N]),
            (Running, Merge, [Y, N, Y, N, N]),
            (Closed, Read, [Y, Y, Y, Y, N]),
            (Closed, Give, [N, N, N, N, N]),
            (Closed, Merge, [N, N, N, N, N]),
        ];
        for (meeting, action, allowed) in cases {
            for ((name, sees, participant, director, chair), expected) in
                people.into_iter().zip(allowed)
            {
                let facts = Top3Facts {
                    sees_item: sees,
                    participant,
                    director,
                    chair,
                    meeting: *meeting,
                };
                assert_eq!(
                    allows_top3(actor(Role::Professional), facts, *action),
                    *expected,
                    "{name} {action:?} in a {meeting:?} meeting"
                );
            }
        }
    }

    #[test]
    fn no_admin_or_family_account_uses_the_professionals_top_3() {
        let facts = Top3Facts {
            sees_item: true,
            participant: true,
            director: true,
            chair: true,
            meeting: Running,
        };
        for role in [Role::OrgAdmin, Role::SystemAdmin, Role::Family] {
            for action in Top3Action::ALL {
                assert!(
                    !allows_top3(actor(role), facts, action),
                    "{role:?} {action:?}"
                );
            }
        }
    }
}
