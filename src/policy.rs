//! The one place that answers "may this actor do this?". Later areas add their actions here.

use crate::domain::user::Role;

/// Who acts: their role and organisation. Built from the signed-in user.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub role: Role,
    pub organisation_id: Option<i64>,
}

#[derive(Clone, Copy, Debug)]
pub enum Action {
    /// See the accounts of an organisation, invite colleagues into it, send an invitation again.
    ManageUsersOf { organisation_id: i64 },
    /// Give a new account this role.
    GrantRole(Role),
    /// See every organisation's accounts at once.
    ManageAllUsers,
    /// Create organisations.
    ManageOrganisations,
}

pub fn allows(actor: Actor, action: Action) -> bool {
    match (actor.role, action) {
        (Role::SystemAdmin, _) => true,
        (Role::OrgAdmin, Action::ManageUsersOf { organisation_id }) => {
            actor.organisation_id == Some(organisation_id)
        }
        (Role::OrgAdmin, Action::GrantRole(role)) => role != Role::SystemAdmin,
        (Role::OrgAdmin, Action::ManageAllUsers | Action::ManageOrganisations) => false,
        (Role::Professional, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: i64 = 1;
    const OTHER: i64 = 2;

    #[test]
    fn account_management_by_role() {
        let system = Actor {
            role: Role::SystemAdmin,
            organisation_id: None,
        };
        let org_admin = Actor {
            role: Role::OrgAdmin,
            organisation_id: Some(OWN),
        };
        let professional = Actor {
            role: Role::Professional,
            organisation_id: Some(OWN),
        };
        let cases = [
            (
                system,
                Action::ManageUsersOf {
                    organisation_id: OTHER,
                },
                true,
            ),
            (system, Action::GrantRole(Role::SystemAdmin), true),
            (system, Action::ManageOrganisations, true),
            (system, Action::ManageAllUsers, true),
            (
                org_admin,
                Action::ManageUsersOf {
                    organisation_id: OWN,
                },
                true,
            ),
            (
                org_admin,
                Action::ManageUsersOf {
                    organisation_id: OTHER,
                },
                false,
            ),
            (org_admin, Action::GrantRole(Role::OrgAdmin), true),
            (org_admin, Action::GrantRole(Role::Professional), true),
            (org_admin, Action::GrantRole(Role::SystemAdmin), false),
            (org_admin, Action::ManageOrganisations, false),
            (org_admin, Action::ManageAllUsers, false),
            (
                professional,
                Action::ManageUsersOf {
                    organisation_id: OWN,
                },
                false,
            ),
            (professional, Action::GrantRole(Role::Professional), false),
            (professional, Action::ManageOrganisations, false),
        ];
        for (actor, action, expected) in cases {
            assert_eq!(allows(actor, action), expected, "{actor:?} {action:?}");
        }
    }
}
