//! The one place that answers "may this actor do this?". Later areas add their actions here.

use crate::domain::family::Relation;
use crate::domain::user::Role;

mod api_key;
mod ask;
mod board;
mod complaint;
pub mod family_room;
mod meeting;
mod monitor;
mod partnership;
mod referral;
pub mod sharing;
mod table;
mod top3;

pub use api_key::{KeyFacts, may_approve_api_key};
pub use ask::{AccountAsk, Ask, GovernanceAsk};
pub use board::{BoardAction, BoardFacts, allows_board_request};
pub use complaint::{ComplaintAction, ComplaintStanding, allows_complaint};
pub use meeting::{Seat, allows_meeting, may_correct, may_share_minutes, seat_allows};
pub use monitor::{MonitorAction, MonitorStanding, allows_monitor, lists_family};
pub use partnership::{
    GovernanceAction, Standing, allows_governance, may_coordinate, may_direct, may_sit,
};
pub use referral::{ReferralAction, ReferralStanding, allows_referral};
pub use table::{
    ActionItem, ActionStanding, ItemStanding, TableAction, allows_action_item, allows_table,
    may_attend, sees_item,
};
pub use top3::{Top3Action, Top3Facts, allows_top3};

/// Who acts: their role and organisation. Built from the signed-in user.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub role: Role,
    pub organisation_id: Option<i64>,
}

/// An existing account, as the rules for managing it see it. Built from the account and the actor.
#[derive(Clone, Copy, Debug)]
pub struct Account {
    pub role: Role,
    pub organisation_id: Option<i64>,
    /// The account is the actor's own.
    pub is_self: bool,
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
    /// Open an existing account's edit page and change its name.
    EditAccount(Account),
    /// Give an existing account the role `to` (its own role again changes nothing).
    SetRole { account: Account, to: Role },
    /// Switch an account off: it can no longer log in and its sessions end.
    DeactivateAccount(Account),
    /// Switch an account on again.
    ActivateAccount(Account),
    /// Make and revoke the organisation's API keys and webhooks.
    ManageIntegrationsOf { organisation_id: i64 },
    /// Take away an account's second factor (a lost phone), so it sets up a new one at its next login.
    ResetSecondFactor(Account),
    /// Decide whether the organisation's staff must use a second factor.
    SetSecondFactorRuleOf { organisation_id: i64 },
    /// Set the organisation's identity provider (single sign-on).
    ManageSignOnOf { organisation_id: i64 },
}

pub fn allows(actor: Actor, action: Action) -> bool {
    match (actor.role, action) {
        // Family accounts are made by a family's director, with the member they belong to.
        (_, Action::GrantRole(Role::Family)) => false,
        (_, Action::EditAccount(account)) => manages_account(actor, account),
        // Nobody becomes a system admin or a family member through an edit, and nobody changes
        // their own role (no self-promotion; an admin never demotes themselves out of the job).
        (_, Action::SetRole { account, to }) => {
            manages_account(actor, account)
                && matches!(to, Role::Professional | Role::OrgAdmin)
                && (!account.is_self || to == account.role)
        }
        // An admin cannot lock themselves out, nor take away their own second factor without it.
        (
            _,
            Action::DeactivateAccount(account)
            | Action::ActivateAccount(account)
            | Action::ResetSecondFactor(account),
        ) => manages_account(actor, account) && !account.is_self,
        // An organisation's rule is its own admin's; a system admin sets the deployment's default.
        (_, Action::SetSecondFactorRuleOf { organisation_id }) => {
            actor.role == Role::OrgAdmin && actor.organisation_id == Some(organisation_id)
        }
        // An organisation's systems are its own admin's to connect; a system admin has none.
        // The same for the organisation's own login: who logs in as one of its people is its call.
        (
            _,
            Action::ManageIntegrationsOf { organisation_id }
            | Action::ManageSignOnOf { organisation_id },
        ) => actor.role == Role::OrgAdmin && actor.organisation_id == Some(organisation_id),
        (Role::SystemAdmin, _) => true,
        (Role::OrgAdmin, Action::ManageUsersOf { organisation_id }) => {
            actor.organisation_id == Some(organisation_id)
        }
        (Role::OrgAdmin, Action::GrantRole(role)) => role != Role::SystemAdmin,
        (Role::OrgAdmin, Action::ManageAllUsers | Action::ManageOrganisations) => false,
        (Role::Professional | Role::Family, _) => false,
    }
}

/// Admins manage the accounts of professionals and organisation admins: a system admin those of
/// every organisation, an organisation admin those of their own. A system admin's account is nobody's
/// to manage here, and a family account belongs to the family's director (the portal pages).
fn manages_account(actor: Actor, account: Account) -> bool {
    if !matches!(account.role, Role::Professional | Role::OrgAdmin) {
        return false;
    }
    match actor.role {
        Role::SystemAdmin => true,
        Role::OrgAdmin => {
            account.organisation_id.is_some() && account.organisation_id == actor.organisation_id
        }
        Role::Professional | Role::Family => false,
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
    /// Follow the aftercare: move the check-in, record the evaluation, close or refer back.
    Aftercare,
    /// Produce the export a family member asked for (GDPR art. 15), seeing what is left out and why.
    AnswerDataRequest,
}

impl FamilyAction {
    pub const ALL: [FamilyAction; 9] = [
        FamilyAction::View,
        FamilyAction::Comment,
        FamilyAction::EditPlan,
        FamilyAction::EditFamily,
        FamilyAction::ManageInvolvement,
        FamilyAction::AppointDirector,
        FamilyAction::ViewAccessLog,
        FamilyAction::Aftercare,
        FamilyAction::AnswerDataRequest,
    ];
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
        // A coordinator steps in when the director's account was switched off and nobody directs.
        FamilyAction::AppointDirector => {
            relation.director || relation.co_worker || relation.steward
        }
        // The director answers for the record, so the director produces the family's copy of it.
        FamilyAction::AnswerDataRequest => relation.director,
        FamilyAction::EditPlan
        | FamilyAction::Aftercare
        | FamilyAction::EditFamily
        | FamilyAction::ManageInvolvement
        | FamilyAction::ViewAccessLog => relation.director || relation.co_worker,
    }
}

/// Any professional may start a family record; they become its director.
pub fn may_create_family(actor: Actor) -> bool {
    actor.role == Role::Professional
}

/// A request to be involved is read and sent only by the professional who asked.
pub fn may_ask_involvement(actor: Actor, own_request: bool) -> bool {
    actor.role == Role::Professional && own_request
}

/// The family portal is for family accounts, each in their own family's portal only (`has_access`: the
/// account belongs to a member of a family whose record is open).
pub fn may_use_portal(actor: Actor, has_access: bool) -> bool {
    actor.role == Role::Family && has_access
}

/// Seats for the tables of cases in the policy's tests.
#[cfg(test)]
pub(crate) mod seats {
    use super::Seat;

    pub const CHAIR: Seat = Seat {
        chair: true,
        minute_taker: false,
        member: true,
        coordinator: false,
    };
    pub const MINUTES: Seat = Seat {
        chair: false,
        minute_taker: true,
        member: true,
        coordinator: false,
    };
    pub const MEMBER: Seat = Seat {
        chair: false,
        minute_taker: false,
        member: true,
        coordinator: false,
    };
    pub const COORDINATOR: Seat = Seat {
        chair: false,
        minute_taker: false,
        member: false,
        coordinator: true,
    };
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
        // A coordinator of the partnership of a closed family, within its retention period.
        let keeper = Relation {
            keeper: true,
            ..Relation::default()
        };
        // A coordinator of the partnership of an open family whose director's account is off.
        let steward = Relation {
            steward: true,
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
            Aftercare,
            AnswerDataRequest,
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
        expect(
            professional,
            co_worker,
            &[
                View,
                Comment,
                EditPlan,
                AppointDirector,
                ManageInvolvement,
                ViewAccessLog,
                EditFamily,
                Aftercare,
            ],
        );
        expect(professional, involved, &[View, Comment]);
        // Invited to discuss the family at a meeting: reading only, for the purpose "overleg".
        expect(professional, invited, &[View]);
        expect(professional, keeper, &[View]);
        expect(org_admin, keeper, &[View]);
        expect(professional, steward, &[AppointDirector]);
        expect(system, steward, &[]);
        expect(system, keeper, &[]);
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

    #[test]
    fn admins_manage_the_accounts_in_their_reach_but_never_their_own_role_or_access() {
        use Role::{OrgAdmin as O, Professional as P};
        let actor = |role, organisation_id| Actor {
            role,
            organisation_id,
        };
        let account = |role, organisation_id, is_self| Account {
            role,
            organisation_id,
            is_self,
        };
        let system = actor(Role::SystemAdmin, None);
        let org_admin = actor(O, Some(OWN));
        let professional = actor(P, Some(OWN));
        let family = actor(Role::Family, None);
        // An organisation admin whose organisation is missing shares it with nobody.
        let adrift = actor(O, None);

        let colleague = account(P, Some(OWN), false);
        let fellow_admin = account(O, Some(OWN), false);
        let herself = account(O, Some(OWN), true);
        let elsewhere = account(P, Some(OTHER), false);
        let admin_elsewhere = account(O, Some(OTHER), false);
        let system_account = account(Role::SystemAdmin, None, false);
        let system_self = account(Role::SystemAdmin, None, true);
        let family_account = account(Role::Family, None, false);
        let no_organisation = account(P, None, false);

        // (actor, account, may edit it, roles it may be given, may switch it off and on)
        let cases: [(Actor, Account, bool, &[Role], bool); 18] = [
            (org_admin, colleague, true, &[P, O], true),
            (org_admin, fellow_admin, true, &[P, O], true),
            (org_admin, herself, true, &[O], false),
            (org_admin, elsewhere, false, &[], false),
            (org_admin, admin_elsewhere, false, &[], false),
            (org_admin, system_account, false, &[], false),
            (org_admin, family_account, false, &[], false),
            (org_admin, no_organisation, false, &[], false),
            (adrift, no_organisation, false, &[], false),
            (system, colleague, true, &[P, O], true),
            (system, elsewhere, true, &[P, O], true),
            (system, admin_elsewhere, true, &[P, O], true),
            (system, system_account, false, &[], false),
            (system, system_self, false, &[], false),
            (system, family_account, false, &[], false),
            (professional, colleague, false, &[], false),
            (professional, account(P, Some(OWN), true), false, &[], false),
            (family, family_account, false, &[], false),
        ];
        for (actor, account, edit, roles, switch) in cases {
            let case = format!("{actor:?} on {account:?}");
            assert_eq!(
                allows(actor, Action::EditAccount(account)),
                edit,
                "edit: {case}"
            );
            for to in Role::ALL {
                assert_eq!(
                    allows(actor, Action::SetRole { account, to }),
                    roles.contains(&to),
                    "role {to:?}: {case}"
                );
            }
            assert_eq!(
                allows(actor, Action::DeactivateAccount(account)),
                switch,
                "deactivate: {case}"
            );
            assert_eq!(
                allows(actor, Action::ActivateAccount(account)),
                switch,
                "activate: {case}"
            );
            // A second factor is reset by whoever switches the account off and on: never one's own.
            assert_eq!(
                allows(actor, Action::ResetSecondFactor(account)),
                switch,
                "reset second factor: {case}"
            );
        }
    }

    #[test]
    fn an_organisations_second_factor_rule_is_its_own_admins() {
        let rule = Action::SetSecondFactorRuleOf { organisation_id: 1 };
        let of = |role, organisation_id| Actor {
            role,
            organisation_id,
        };
        assert!(allows(of(Role::OrgAdmin, Some(1)), rule));
        assert!(!allows(of(Role::OrgAdmin, Some(2)), rule));
        assert!(!allows(of(Role::Professional, Some(1)), rule));
        assert!(!allows(of(Role::SystemAdmin, None), rule));
        assert!(!allows(of(Role::Family, Some(1)), rule));
    }

    #[test]
    fn keys_portal_requests_and_the_api_by_role() {
        let of = |role, organisation_id| Actor {
            role,
            organisation_id,
        };
        let integrations = Action::ManageIntegrationsOf { organisation_id: 1 };
        let sign_on = Action::ManageSignOnOf { organisation_id: 1 };
        // (actor, keys and webhooks of organisation 1, own involvement request, own portal)
        let cases = [
            (of(Role::OrgAdmin, Some(1)), true, false, false),
            (of(Role::OrgAdmin, Some(2)), false, false, false),
            (of(Role::SystemAdmin, None), false, false, false),
            (of(Role::Professional, Some(1)), false, true, false),
            (of(Role::Family, None), false, false, true),
        ];
        for (actor, keys, request, portal) in cases {
            assert_eq!(allows(actor, integrations), keys, "{actor:?}");
            assert_eq!(allows(actor, sign_on), keys, "{actor:?}");
            assert_eq!(may_ask_involvement(actor, true), request, "{actor:?}");
            assert!(!may_ask_involvement(actor, false), "{actor:?}");
            assert_eq!(may_use_portal(actor, true), portal, "{actor:?}");
            assert!(!may_use_portal(actor, false), "{actor:?}");
        }
    }
}
