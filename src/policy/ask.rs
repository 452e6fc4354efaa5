//! What each route asks the policy before it answers. The route lists (`web::routes` and `web::api`)
//! name one `Ask` for every route; the tests check that none is missing, that only the public routes ask
//! nothing, and that every action of the policy is asked by some route.

use super::{
    ActionItem, BoardAction, ComplaintAction, FamilyAction, MonitorAction, ReferralAction,
    TableAction, Top3Action,
};
use crate::domain::meeting::MeetingAction;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// Nothing: the route is public (health, static files, signing in, checking a PDF's reference), or
    /// the secret in its address is the key (a sign-in or password link, a calendar feed).
    Nothing,
    /// Only that someone is signed in: their own account, language, start page or session.
    Own,
    /// `allows`: accounts, organisations, and an organisation's keys and webhooks.
    Accounts(AccountAsk),
    /// `allows_governance`: partnerships, their tables and seats.
    Governance(GovernanceAsk),
    /// `may_approve_api_key`.
    ApproveApiKey,
    /// `may_create_family`.
    CreateFamily,
    /// `allows_family`.
    Family(FamilyAction),
    /// `may_ask_involvement`: the one who asked reads and sends their own request.
    OwnInvolvementRequest,
    /// `allows_referral`.
    Referral(ReferralAction),
    /// `may_attend`: open a meeting, its documents and its live room.
    Attend,
    /// `sees_item`.
    SeeItem,
    /// `allows_meeting`: a change to a meeting, by seat and state.
    Meeting(MeetingAction),
    /// `allows_table`: a table's page, action list and settings, and what its chair does.
    Table(TableAction),
    /// `allows_action_item`.
    ActionItem(ActionItem),
    /// `allows_board_request`: a request to the Raad, read or answered.
    BoardRequest(BoardAction),
    /// `allows_top3`: the top 3 of an agenda item, read, given or merged.
    Top3(Top3Action),
    /// `allows_monitor`: a monitor of a partnership, a table or an organisation, and its notes.
    Monitor(MonitorAction),
    /// `may_use_portal`: a family member, in their own family's portal.
    Portal,
    /// The partner API: a key approved by a coordinator (`web::api`), reading an outcome only as a
    /// party to it while the family's record is open. That rule is a query (`domain::outcome`), because
    /// it filters every list the API returns; the partner tests hold it to the pages' rule.
    PartnerApi,
    /// The operator's secret (`SAMENSPEL_METRICS_TOKEN`) as a bearer token: `/metrics`, for the
    /// people running the service, not for any account.
    OperatorToken,
    /// `allows_complaint`: a family's complaint or objection, read or answered by the chair of its table
    /// and the partnership's coordinators; the partnership's term for answering.
    Complaint(ComplaintAction),
}

/// The account questions, as `Action` asks them (without the account or role in question).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountAsk {
    ManageUsers,
    EditAccount,
    DeactivateAccount,
    ActivateAccount,
    ManageOrganisations,
    ManageIntegrations,
    ResetSecondFactor,
    SecondFactorRule,
    ManageSignOn,
}

impl AccountAsk {
    pub const ALL: [AccountAsk; 9] = [
        AccountAsk::ManageUsers,
        AccountAsk::EditAccount,
        AccountAsk::DeactivateAccount,
        AccountAsk::ActivateAccount,
        AccountAsk::ManageOrganisations,
        AccountAsk::ManageIntegrations,
        AccountAsk::ResetSecondFactor,
        AccountAsk::SecondFactorRule,
        AccountAsk::ManageSignOn,
    ];
}

/// The governance questions, as `GovernanceAction` asks them (without whose seat it is).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GovernanceAsk {
    ManagePartnerships,
    ManageTables,
    ChangeSeat,
    RequireSecondFactor,
}

impl GovernanceAsk {
    pub const ALL: [GovernanceAsk; 4] = [
        GovernanceAsk::ManagePartnerships,
        GovernanceAsk::ManageTables,
        GovernanceAsk::ChangeSeat,
        GovernanceAsk::RequireSecondFactor,
    ];
}

impl Ask {
    /// Every question a route can ask: each action of each of the policy's action enums once.
    pub fn all() -> Vec<Ask> {
        let mut all = vec![
            Ask::Nothing,
            Ask::Own,
            Ask::ApproveApiKey,
            Ask::CreateFamily,
            Ask::OwnInvolvementRequest,
            Ask::Attend,
            Ask::SeeItem,
            Ask::Portal,
            Ask::PartnerApi,
            Ask::OperatorToken,
        ];
        all.extend(AccountAsk::ALL.map(Ask::Accounts));
        all.extend(GovernanceAsk::ALL.map(Ask::Governance));
        all.extend(FamilyAction::ALL.map(Ask::Family));
        all.extend(ReferralAction::ALL.map(Ask::Referral));
        all.extend(MeetingAction::ALL.map(Ask::Meeting));
        all.extend(TableAction::ALL.map(Ask::Table));
        all.extend(ActionItem::ALL.map(Ask::ActionItem));
        all.extend(BoardAction::ALL.map(Ask::BoardRequest));
        all.extend(Top3Action::ALL.map(Ask::Top3));
        all.extend(MonitorAction::ALL.map(Ask::Monitor));
        all.extend(ComplaintAction::ALL.map(Ask::Complaint));
        all
    }
}
