//! The one place that answers "may this actor do this?". Later areas add their actions here.

use crate::domain::family::Relation;
use crate::domain::user::Role;

mod meeting;

pub use meeting::{Seat, allows_meeting, may_correct, may_share_minutes, seat_allows};

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
        // Family accounts are made by a family's director, with the member they belong to.
        (_, Action::GrantRole(Role::Family)) => false,
        (Role::SystemAdmin, _) => true,
        (Role::OrgAdmin, Action::ManageUsersOf { organisation_id }) => {
            actor.organisation_id == Some(organisation_id)
        }
        (Role::OrgAdmin, Action::GrantRole(role)) => role != Role::SystemAdmin,
        (Role::OrgAdmin, Action::ManageAllUsers | Action::ManageOrganisations) => false,
        (Role::Professional | Role::Family, _) => false,
    }
}

/// What can be done with a family's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FamilyAction {
    /// See the family page: members, people involved, plan, timeline.
    View,
    /// Comment on the plan.
    Comment,
    /// Change the plan (a new version).
    EditPlan,
    /// Change the family's details and members, close or reopen it.
    EditFamily,
    /// Add or end involvement of professionals.
    ManageInvolvement,
    /// Appoint a (new) director and co-worker.
    AppointDirector,
    /// Read who looked at the family's data.
    ViewAccessLog,
}

/// Need to know: a family exists for a user only while they direct it or are involved in it. System
/// admins manage accounts and never see family content.
pub fn allows_family(actor: Actor, relation: Relation, action: FamilyAction) -> bool {
    // Family accounts read their own record through the portal (`web::portal`), never these pages.
    if matches!(actor.role, Role::SystemAdmin | Role::Family) {
        return false;
    }
    match action {
        FamilyAction::View => relation.any(),
        FamilyAction::Comment => relation.director || relation.co_worker || relation.involved,
        FamilyAction::EditPlan
        | FamilyAction::EditFamily
        | FamilyAction::ManageInvolvement
        | FamilyAction::AppointDirector
        | FamilyAction::ViewAccessLog => relation.director || relation.co_worker,
    }
}

/// Organisation and system admins set up tables and their kinds; chairs run them.
pub fn may_manage_tables(actor: Actor) -> bool {
    matches!(actor.role, Role::SystemAdmin | Role::OrgAdmin)
}

/// Any professional may start a family record; they become its director.
pub fn may_create_family(actor: Actor) -> bool {
    actor.role == Role::Professional
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn need_to_know_for_family_records() {
        use FamilyAction::*;
        let professional = Actor {
            role: Role::Professional,
            organisation_id: Some(1),
        };
        let org_admin = Actor {
            role: Role::OrgAdmin,
            organisation_id: Some(1),
        };
        let system = Actor {
            role: Role::SystemAdmin,
            organisation_id: None,
        };
        let director = Relation {
            director: true,
            involved: true,
            ..Relation::default()
        };
        let co_worker = Relation {
            co_worker: true,
            involved: true,
            ..Relation::default()
        };
        let involved = Relation {
            involved: true,
            ..Relation::default()
        };
        let invited = Relation {
            invited: true,
            ..Relation::default()
        };
        // Formerly involved, a colleague of the same organisation, someone of another organisation:
        // none has a relation to the family now.
        let none = Relation::default();
        let actions = [
            View,
            Comment,
            EditPlan,
            AppointDirector,
            ManageInvolvement,
            ViewAccessLog,
            EditFamily,
        ];
        let expect = |actor, relation, allowed: &[FamilyAction]| {
            for action in actions {
                assert_eq!(
                    allows_family(actor, relation, action),
                    allowed.contains(&action),
                    "{actor:?} {relation:?} {action:?}"
                );
            }
        };
        expect(professional, director, &actions);
        expect(professional, co_worker, &actions);
        expect(professional, involved, &[View, Comment]);
        // Invited to discuss the family at a meeting: reading only, for the purpose "overleg".
        expect(professional, invited, &[View]);
        expect(professional, none, &[]);
        expect(org_admin, none, &[]);
        expect(system, none, &[]);
        expect(system, director, &[]);
        assert!(may_create_family(professional));
        assert!(!may_create_family(system));
        assert!(!may_create_family(org_admin));
    }

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
