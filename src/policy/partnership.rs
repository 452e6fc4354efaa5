//! Who administers what in a region: the system admin sets up partnerships and organisations, a
//! partnership's coordinators run its tables and table kinds, a table's chair keeps its membership, and
//! nobody gives themselves a seat. Organisation admins manage accounts only (see `allows`).

use super::Actor;
use crate::domain::organisation::OrganisationKind;
use crate::domain::user::Role;

/// How an actor stands in one partnership.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    /// Coordinates the partnership (functioneel beheer).
    pub coordinator: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GovernanceAction {
    /// Create partnerships, let organisations take part, appoint coordinators, change the settings.
    ManagePartnerships,
    /// Create and change the partnership's tables and its table kinds.
    ManageTables,
    /// Give someone a seat at a table or take one away. `own`: the seat is the actor's own; `chair`:
    /// the actor chairs that table.
    ChangeSeat { own: bool, chair: bool },
    /// Require a second factor of the professionals of every organisation taking part.
    RequireSecondFactor,
}

pub fn allows_governance(actor: Actor, standing: Standing, action: GovernanceAction) -> bool {
    use GovernanceAction::*;
    match (actor.role, action) {
        (Role::SystemAdmin, ManagePartnerships) => true,
        (_, ManagePartnerships) => false,
        (Role::Family | Role::SystemAdmin, _) => false,
        (Role::Professional | Role::OrgAdmin, ManageTables | RequireSecondFactor) => {
            standing.coordinator
        }
        // Nobody seats themselves: a seat opens the families on the table's agendas. An account admin
        // never sits at a table (`may_sit`), so only coordinating counts for them.
        (Role::Professional, ChangeSeat { own, chair }) => !own && (standing.coordinator || chair),
        (Role::OrgAdmin, ChangeSeat { own, .. }) => !own && standing.coordinator,
    }
}

/// Who can take a seat at a table: a professional (never an account admin) of an organisation that
/// takes part in the table's partnership.
pub fn may_sit(candidate_role: Role, active: bool, takes_part: bool) -> bool {
    candidate_role == Role::Professional && active && takes_part
}

/// Who may direct a family: a professional of an organisation of a kind the partnership agreed on
/// (by default the local team, Veilig Thuis and the certified institution).
pub fn may_direct(kind: OrganisationKind, agreed: &[OrganisationKind]) -> bool {
    agreed.contains(&kind)
}

/// Who can coordinate a partnership: an active professional or organisation admin of an organisation
/// that takes part in it.
pub fn may_coordinate(candidate_role: Role, active: bool, takes_part: bool) -> bool {
    matches!(candidate_role, Role::Professional | Role::OrgAdmin) && active && takes_part
}

#[cfg(test)]
mod tests {
    use super::*;
    use GovernanceAction::*;

    fn actor(role: Role) -> Actor {
        Actor {
            role,
            organisation_id: (role != Role::SystemAdmin).then_some(1),
        }
    }

    /// Someone else's seat, as coordinator; as chair of the table; the actor's own, both ways.
    const OTHERS: GovernanceAction = ChangeSeat {
        own: false,
        chair: false,
    };
    const CHAIRING: GovernanceAction = ChangeSeat {
        own: false,
        chair: true,
    };
    const OWN: GovernanceAction = ChangeSeat {
        own: true,
        chair: false,
    };
    const OWN_CHAIRING: GovernanceAction = ChangeSeat {
        own: true,
        chair: true,
    };

    #[test]
    fn who_administers_what() {
        let coordinator = Standing { coordinator: true };
        let outside = Standing::default();
        let actions = [
            ManagePartnerships,
            ManageTables,
            RequireSecondFactor,
            OTHERS,
            CHAIRING,
            OWN,
            OWN_CHAIRING,
        ];
        // (role, standing, the actions allowed)
        let cases: [(Role, Standing, &[GovernanceAction]); 8] = [
            (Role::SystemAdmin, outside, &[ManagePartnerships]),
            (Role::SystemAdmin, coordinator, &[ManagePartnerships]),
            // The org admin of the attack: no table, no seat, not even her own.
            (Role::OrgAdmin, outside, &[]),
            (
                Role::OrgAdmin,
                coordinator,
                &[ManageTables, RequireSecondFactor, OTHERS, CHAIRING],
            ),
            (Role::Professional, outside, &[CHAIRING]),
            (
                Role::Professional,
                coordinator,
                &[ManageTables, RequireSecondFactor, OTHERS, CHAIRING],
            ),
            (Role::Family, outside, &[]),
            (Role::Family, coordinator, &[]),
        ];
        for (role, standing, allowed) in cases {
            for action in actions {
                assert_eq!(
                    allows_governance(actor(role), standing, action),
                    allowed.contains(&action),
                    "{role:?} {standing:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn only_the_agreed_kinds_of_organisation_direct() {
        let agreed = crate::domain::partnership::DEFAULT_DIRECTOR_KINDS;
        for kind in OrganisationKind::ALL {
            let expected = matches!(
                kind,
                OrganisationKind::LocalTeam
                    | OrganisationKind::VeiligThuis
                    | OrganisationKind::CertifiedInstitution
            );
            assert_eq!(may_direct(kind, &agreed), expected, "{kind:?}");
        }
        assert!(may_direct(
            OrganisationKind::Municipality,
            &[OrganisationKind::Municipality]
        ));
        assert!(!may_direct(OrganisationKind::Police, &[]));
    }

    #[test]
    fn only_professionals_of_the_partnership_sit_at_its_tables() {
        for role in Role::ALL {
            for active in [true, false] {
                for takes_part in [true, false] {
                    assert_eq!(
                        may_sit(role, active, takes_part),
                        role == Role::Professional && active && takes_part,
                        "{role:?} {active} {takes_part}"
                    );
                    assert_eq!(
                        may_coordinate(role, active, takes_part),
                        matches!(role, Role::Professional | Role::OrgAdmin) && active && takes_part,
                        "{role:?} {active} {takes_part}"
                    );
                }
            }
        }
    }
}
