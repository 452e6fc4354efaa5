//! Diesel table definitions, written by hand to fit both SQLite and PostgreSQL, by area; the joins
//! and the list of tables that may appear in one query are here, over all areas.

mod accounts;
mod closing;
mod complaint;
mod consultation;
mod family_room;
mod log;
mod record;

pub use accounts::*;
pub use closing::*;
pub use complaint::*;
pub use consultation::*;
pub use family_room::*;
pub use log::*;
pub use record::*;

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(second_factors -> users (user_id));
diesel::joinable!(login_challenges -> users (user_id));
diesel::joinable!(organisation_sign_on -> organisations (organisation_id));
diesel::joinable!(persons -> families (family_id));
diesel::joinable!(involvements -> families (family_id));
diesel::joinable!(involvements -> users (user_id));
diesel::joinable!(involvements -> organisations (organisation_id));
diesel::joinable!(plan_sections -> plan_versions (plan_version_id));
diesel::joinable!(plan_versions -> families (family_id));
diesel::joinable!(access_log -> families (family_id));
diesel::joinable!(consultation_tables -> table_kinds (kind_id));
diesel::joinable!(table_members -> consultation_tables (table_id));
diesel::joinable!(meetings -> consultation_tables (table_id));
diesel::joinable!(agenda_items -> meetings (meeting_id));
diesel::joinable!(item_invitees -> agenda_items (agenda_item_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(user_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    partnerships,
    partnership_organisations,
    partnership_coordinators,
    users,
    sessions,
    second_factors,
    recovery_codes,
    login_challenges,
    user_tokens,
    login_attempts,
    login_counters,
    families,
    persons,
    involvements,
    involvement_requests,
    directorships,
    plan_versions,
    plan_sections,
    plan_comments,
    events,
    event_chain_head,
    access_log,
    table_kinds,
    consultation_tables,
    table_members,
    meetings,
    referrals,
    referral_additions,
    agenda_items,
    item_invitees,
    attendance,
    decisions,
    actions,
    safety_phases,
    phase_plans,
    safety_scores,
    review_digests,
    export_sends,
    calendar_feeds,
    portal_access,
    portal_withheld,
    shared_minutes,
    recovery_consents,
    family_views,
    correction_requests,
    api_tokens,
    outcomes,
    outcome_parties,
    webhook_subscriptions,
    webhook_deliveries,
    webhook_attempts,
    documents,
    document_contents,
    measures,
    board_requests,
    top3_entries,
    top3_analyses,
    organisation_sign_on,
    sign_on_links,
    sign_on_pending,
    sign_on_sessions,
    aftercare,
    data_requests,
    retention_runs,
    complaints,
    complaint_terms,
    family_room_invites,
    portal_item_rules,
    portal_item_concerns,
    portal_not_by_default,
    monitor_facts,
    monitor_mark,
);
