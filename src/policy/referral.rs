//! Referrals: who may refer a family to a table, who reads a referral and who answers it.

use super::{Actor, Seat};
use crate::domain::family::Relation;
use crate::domain::user::Role;

/// How the actor stands to one referral, besides their relation to the family.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReferralStanding {
    /// The actor made the referral.
    pub referrer: bool,
    /// Their seat at the table the family is referred to.
    pub seat: Seat,
    /// The family's record is closed.
    pub family_closed: bool,
    /// The actor's organisation takes part in the family's partnership.
    pub takes_part: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferralAction {
    /// Refer the family to a table.
    Refer,
    /// Read the referral (its reason, what was tried, the question).
    Read,
    /// Accept, reject or ask for more information, and schedule it.
    Answer,
    /// Add the information the chair asked for.
    AddInformation,
}

impl ReferralAction {
    pub const ALL: [ReferralAction; 4] = [
        ReferralAction::Refer,
        ReferralAction::Read,
        ReferralAction::Answer,
        ReferralAction::AddInformation,
    ];
}

pub fn allows_referral(
    actor: Actor,
    relation: Relation,
    standing: ReferralStanding,
    action: ReferralAction,
) -> bool {
    // Seats, involvement and direction are professionals' only; admins and families never read one.
    if actor.role != Role::Professional {
        return false;
    }
    match action {
        // The director and co-worker refer; an involved professional only from an organisation of the
        // family's partnership (someone added from outside, with a reason, reads but does not refer).
        ReferralAction::Refer => {
            relation.director || relation.co_worker || (relation.involved && standing.takes_part)
        }
        // The referrer reads their referral while the record is open; those who work with the family
        // and the table's chair and minute-taker read it too.
        ReferralAction::Read => {
            (standing.referrer && !standing.family_closed)
                || relation.director
                || relation.co_worker
                || relation.involved
                || standing.seat.leads()
        }
        ReferralAction::Answer => standing.seat.chair,
        // Only the referrer answers the chair's question, while the record is open.
        ReferralAction::AddInformation => standing.referrer && !standing.family_closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::seats::{CHAIR, COORDINATOR, MEMBER, MINUTES};

    const DIRECTOR: Relation = Relation {
        director: true,
        co_worker: false,
        involved: false,
        invited: false,
        keeper: false,
        steward: false,
    };
    const INVOLVED: Relation = Relation {
        director: false,
        co_worker: false,
        involved: true,
        invited: false,
        keeper: false,
        steward: false,
    };
    const INVITED: Relation = Relation {
        director: false,
        co_worker: false,
        involved: false,
        invited: true,
        keeper: false,
        steward: false,
    };
    const KEEPER: Relation = Relation {
        director: false,
        co_worker: false,
        involved: false,
        invited: false,
        keeper: true,
        steward: false,
    };
    const NONE: Relation = Relation {
        director: false,
        co_worker: false,
        involved: false,
        invited: false,
        keeper: false,
        steward: false,
    };

    fn actor(role: Role) -> Actor {
        Actor {
            role,
            organisation_id: Some(1),
        }
    }

    fn standing(referrer: bool, seat: Seat, family_closed: bool) -> ReferralStanding {
        ReferralStanding {
            referrer,
            seat,
            family_closed,
            takes_part: true,
        }
    }

    #[test]
    fn only_those_who_work_with_the_family_refer_it() {
        use ReferralAction::Refer;

        // (role, relation, takes part, may refer)
        let cases = [
            (Role::Professional, DIRECTOR, true, true),
            (Role::Professional, DIRECTOR, false, true),
            (Role::Professional, INVOLVED, true, true),
            (Role::Professional, INVOLVED, false, false),
            (Role::Professional, INVITED, true, false),
            (Role::Professional, KEEPER, true, false),
            (Role::Professional, NONE, true, false),
            (Role::OrgAdmin, DIRECTOR, true, false),
            (Role::SystemAdmin, DIRECTOR, true, false),
            (Role::Family, DIRECTOR, true, false),
        ];
        for (role, relation, takes_part, want) in cases {
            let standing = ReferralStanding {
                takes_part,
                ..ReferralStanding::default()
            };
            let got = allows_referral(actor(role), relation, standing, Refer);
            assert_eq!(got, want, "{role:?} {relation:?} takes part {takes_part}");
        }
    }

    #[test]
    fn a_referral_is_read_by_its_people_and_answered_by_the_chair() {
        use ReferralAction::{Answer, Read};
        let no_seat = Seat::default();
        // (role, relation, standing, may read, may answer)
        let cases = [
            (
                Role::Professional,
                NONE,
                standing(true, no_seat, false),
                true,
                false,
            ),
            (
                Role::Professional,
                NONE,
                standing(true, no_seat, true),
                false,
                false,
            ),
            (
                Role::Professional,
                DIRECTOR,
                standing(false, no_seat, false),
                true,
                false,
            ),
            (
                Role::Professional,
                INVOLVED,
                standing(false, no_seat, false),
                true,
                false,
            ),
            (
                Role::Professional,
                INVITED,
                standing(false, no_seat, false),
                false,
                false,
            ),
            (
                Role::Professional,
                NONE,
                standing(false, CHAIR, false),
                true,
                true,
            ),
            (
                Role::Professional,
                NONE,
                standing(false, MINUTES, false),
                true,
                false,
            ),
            (
                Role::Professional,
                NONE,
                standing(false, MEMBER, false),
                false,
                false,
            ),
            (
                Role::Professional,
                NONE,
                standing(false, COORDINATOR, false),
                false,
                false,
            ),
            (
                Role::OrgAdmin,
                DIRECTOR,
                standing(true, CHAIR, false),
                false,
                false,
            ),
            (
                Role::SystemAdmin,
                DIRECTOR,
                standing(true, CHAIR, false),
                false,
                false,
            ),
            (
                Role::Family,
                DIRECTOR,
                standing(true, CHAIR, false),
                false,
                false,
            ),
        ];
        for (role, relation, s, read, answer) in cases {
            assert_eq!(
                allows_referral(actor(role), relation, s, Read),
                read,
                "read {role:?} {relation:?} {s:?}"
            );
            assert_eq!(
                allows_referral(actor(role), relation, s, Answer),
                answer,
                "answer {role:?} {relation:?} {s:?}"
            );
        }
    }

    #[test]
    fn only_the_referrer_adds_information_while_the_record_is_open() {
        let no_seat = Seat::default();
        // (role, relation, standing, may add)
        let cases = [
            (
                Role::Professional,
                NONE,
                standing(true, no_seat, false),
                true,
            ),
            (
                Role::Professional,
                NONE,
                standing(true, no_seat, true),
                false,
            ),
            (
                Role::Professional,
                DIRECTOR,
                standing(false, no_seat, false),
                false,
            ),
            (
                Role::Professional,
                NONE,
                standing(false, CHAIR, false),
                false,
            ),
            (
                Role::Professional,
                INVOLVED,
                standing(false, MINUTES, false),
                false,
            ),
            (Role::OrgAdmin, NONE, standing(true, no_seat, false), false),
            (Role::Family, NONE, standing(true, no_seat, false), false),
        ];
        for (role, relation, s, want) in cases {
            let got = allows_referral(actor(role), relation, s, ReferralAction::AddInformation);
            assert_eq!(got, want, "{role:?} {relation:?} {s:?}");
        }
    }
}
