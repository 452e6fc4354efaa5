//! The route list of the pages: every route outside /api with its handler, registered from here and
//! read by the tests (the authorization matrix takes its routes from `ROUTES`).

use actix_web::web;

use super::*;

macro_rules! page_routes {
    ($(($method:ident, $path:literal, $handler:path)),+ $(,)?) => {
        /// Every route outside /api as (method, path), exactly as registered by `routes`: the
        /// authorization matrix and the bad-input test take their list from here.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),+];

        pub(super) fn routes(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, page_routes!(@method $method).to($handler));)+
        }
    };
    (@method GET) => { web::get() };
    (@method POST) => { web::post() };
}

page_routes![
    (GET, "/healthz", health::alive),
    (GET, "/readyz", health::ready),
    (GET, "/static/{path:.*}", assets::serve),
    (GET, "/", home::show_home),
    (GET, "/inloggen", auth::show_login),
    (POST, "/inloggen", auth::login),
    (GET, "/inloggen/link", login_link::show_request),
    (POST, "/inloggen/link", login_link::request_link),
    (GET, "/inloggen/link/{token}", login_link::show_use),
    (POST, "/inloggen/link/{token}", login_link::use_link),
    (POST, "/uitloggen", auth::logout),
    (GET, "/wachtwoord-vergeten", auth::show_forgot_password),
    (POST, "/wachtwoord-vergeten", auth::request_password_reset),
    (
        GET,
        "/wachtwoord-instellen/{token}",
        auth::show_set_password
    ),
    (POST, "/wachtwoord-instellen/{token}", auth::set_password),
    (POST, "/taal", account::choose_language),
    (GET, "/account", account::show_account),
    (POST, "/account/agenda", account::create_calendar_feed),
    (
        POST,
        "/account/agenda/intrekken",
        account::revoke_calendar_feed
    ),
    (POST, "/account/wachtwoord", account::change_password),
    (GET, "/beheer/api-sleutels", api_tokens::show_tokens),
    (POST, "/beheer/api-sleutels", api_tokens::create_token),
    (
        POST,
        "/beheer/api-sleutels/{id}/intrekken",
        api_tokens::revoke_token
    ),
    (GET, "/beheer/webhooks", webhooks::show_webhooks),
    (POST, "/beheer/webhooks", webhooks::create_webhook),
    (GET, "/beheer/webhooks/{id}", webhooks::show_webhook),
    (
        POST,
        "/beheer/webhooks/{id}/intrekken",
        webhooks::revoke_webhook
    ),
    (
        POST,
        "/beheer/webhooks/{id}/afleveringen/{delivery}/opnieuw",
        webhooks::replay_delivery
    ),
    (GET, "/beheer/gebruikers", admin::list_users),
    (GET, "/beheer/gebruikers/uitnodigen", admin::show_invite),
    (POST, "/beheer/gebruikers/uitnodigen", admin::invite_user),
    (
        POST,
        "/beheer/gebruikers/{id}/opnieuw-uitnodigen",
        admin::reinvite_user
    ),
    (
        GET,
        "/beheer/gebruikers/{id}/bewerken",
        admin::show_edit_user
    ),
    (POST, "/beheer/gebruikers/{id}/bewerken", admin::update_user),
    (
        POST,
        "/beheer/gebruikers/{id}/deactiveren",
        admin::deactivate_user
    ),
    (
        POST,
        "/beheer/gebruikers/{id}/activeren",
        admin::activate_user
    ),
    (GET, "/gezinnen", families::list_families),
    (POST, "/gezinnen", families::create_family),
    (GET, "/gezinnen/nieuw", families::show_new_family),
    (GET, "/gezinnen/{id}", families::show_family),
    (GET, "/gezinnen/{id}/bewerken", families::show_edit_family),
    (POST, "/gezinnen/{id}/bewerken", families::update_family),
    (POST, "/gezinnen/{id}/sluiten", families::close_family),
    (POST, "/gezinnen/{id}/heropenen", families::reopen_family),
    (
        GET,
        "/gezinnen/{id}/gezinsleden/nieuw",
        members::show_new_person
    ),
    (POST, "/gezinnen/{id}/gezinsleden", members::add_person),
    (
        GET,
        "/gezinnen/{id}/gezinsleden/{person}/bewerken",
        members::show_edit_person
    ),
    (
        POST,
        "/gezinnen/{id}/gezinsleden/{person}/bewerken",
        members::update_person
    ),
    (
        GET,
        "/gezinnen/{id}/betrokkenen/nieuw",
        involvements::show_new_involvement
    ),
    (
        POST,
        "/gezinnen/{id}/betrokkenen",
        involvements::add_involvement
    ),
    (
        POST,
        "/gezinnen/{id}/betrokkenen/{involvement}/beeindigen",
        involvements::end_involvement
    ),
    (
        GET,
        "/gezinnen/{id}/regie",
        involvements::show_director_form
    ),
    (POST, "/gezinnen/{id}/regie", involvements::appoint_director),
    (
        POST,
        "/gezinnen/{id}/betrokkenheidsverzoeken/{verzoek}",
        involvement_requests::answer_request
    ),
    (
        GET,
        "/betrokkenheidsverzoeken/{id}",
        involvement_requests::show_request
    ),
    (
        POST,
        "/betrokkenheidsverzoeken/{id}",
        involvement_requests::send_request
    ),
    (POST, "/gezinnen/{id}/opmerkingen", families::add_comment),
    (GET, "/gezinnen/{id}/inzagelog", families::show_access_log),
    (GET, "/gezinnen/{id}/plan/bewerken", plan::show_edit_plan),
    (POST, "/gezinnen/{id}/plan", plan::save_plan),
    (GET, "/gezinnen/{id}/plan/versies", plan::list_plan_versions),
    (
        GET,
        "/gezinnen/{id}/plan/versies/{version}",
        plan::show_plan_version
    ),
    (GET, "/gezinnen/{id}/fase", phase::show_phase),
    (POST, "/gezinnen/{id}/fase", phase::change_phase),
    (GET, "/gezinnen/{id}/veiligheidsschaal", phase::show_scale),
    (
        POST,
        "/gezinnen/{id}/veiligheidsschaal",
        phase::record_score
    ),
    (GET, "/gezinnen/{id}/plannen/{plan}", safety::show_plan),
    (POST, "/gezinnen/{id}/plannen/{plan}", safety::save_plan),
    (
        GET,
        "/gezinnen/{id}/plannen/{plan}/bewerken",
        safety::show_edit_plan
    ),
    (
        GET,
        "/gezinnen/{id}/plannen/{plan}/versies/{version}",
        safety::show_plan_version
    ),
    (GET, "/gezinnen/{id}/plan/pdf", exports::family_plan_pdf),
    (
        GET,
        "/gezinnen/{id}/plannen/{plan}/pdf",
        exports::phase_plan_pdf
    ),
    (
        GET,
        "/bijeenkomsten/{id}/besluitenlijst.pdf",
        exports::besluitenlijst
    ),
    (
        POST,
        "/bijeenkomsten/{id}/versturen",
        export_send::send_besluitenlijst
    ),
    (
        GET,
        "/bijeenkomsten/{id}/agenda.ics",
        export_send::meeting_ics
    ),
    (
        GET,
        "/bijeenkomsten/{id}/{file:actielijst\\.(pdf|xlsx|csv)}",
        exports::meeting_actielijst
    ),
    (
        GET,
        "/overleggen/{id}/{file:actielijst\\.(pdf|xlsx|csv)}",
        exports::table_actielijst
    ),
    (GET, "/agenda/{file}", export_send::calendar_feed),
    (GET, "/controle/{meeting}/{hash}", exports::check_reference),
    (GET, "/portaal", portal::show_portal),
    (GET, "/portaal/inzage", portal::show_access_log),
    (POST, "/portaal/veiligheidsschaal", portal::record_score),
    (POST, "/portaal/correctie", portal::request_correction),
    (
        POST,
        "/portaal/herstelplan/toestemming",
        portal::set_consent
    ),
    (
        GET,
        "/portaal/punten/{item}/inbreng",
        portal::show_view_form
    ),
    (POST, "/portaal/punten/{item}/inbreng", portal::save_view),
    (GET, "/gezinnen/{id}/portaal", portal_manage::show_manage),
    (
        POST,
        "/gezinnen/{id}/portaal/uitnodigen",
        portal_manage::invite_member
    ),
    (
        POST,
        "/gezinnen/{id}/portaal/toegang/{account}/{what}",
        portal_manage::manage_account
    ),
    (
        POST,
        "/gezinnen/{id}/portaal/achterhouden",
        portal_manage::set_withheld
    ),
    (
        POST,
        "/gezinnen/{id}/portaal/namen",
        portal_manage::set_names
    ),
    (
        POST,
        "/gezinnen/{id}/portaal/correcties/{request}",
        portal_manage::answer_correction
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/notulen-delen",
        portal_manage::share_minutes
    ),
    (GET, "/overleggen", tables::list_tables),
    (POST, "/overleggen", tables::create_table),
    (GET, "/overleggen/nieuw", tables::show_new_table),
    (GET, "/overleggen/{id}", tables::show_table),
    (GET, "/overleggen/{id}/bewerken", tables::show_edit_table),
    (POST, "/overleggen/{id}/bewerken", tables::update_table),
    (POST, "/overleggen/{id}/leden", tables::add_member),
    (
        POST,
        "/overleggen/{id}/leden/{member}/verwijderen",
        tables::remove_member
    ),
    (
        GET,
        "/overleggen/{id}/bijeenkomsten/nieuw",
        meetings::planning::show_new_meeting
    ),
    (
        POST,
        "/overleggen/{id}/bijeenkomsten",
        meetings::planning::create_meeting
    ),
    (GET, "/beheer/overlegsoorten", table_kinds::list_kinds),
    (POST, "/beheer/overlegsoorten/{id}", table_kinds::save_kind),
    (GET, "/gezinnen/{id}/aanmelden", referrals::choose_table),
    (
        GET,
        "/gezinnen/{id}/aanmelden/{table}",
        referrals::show_referral_form
    ),
    (
        POST,
        "/gezinnen/{id}/aanmelden/{table}",
        referrals::create_referral
    ),
    (GET, "/aanmeldingen/{id}", referrals::show_referral),
    (
        POST,
        "/aanmeldingen/{id}/antwoord",
        referrals::answer_referral
    ),
    (GET, "/bijeenkomsten/{id}", meetings::show_meeting),
    (
        POST,
        "/bijeenkomsten/{id}/punten",
        meetings::agenda::add_topic
    ),
    (
        POST,
        "/bijeenkomsten/{id}/aanmeldingen/{referral}",
        meetings::agenda::schedule_referral
    ),
    (
        POST,
        "/bijeenkomsten/{id}/publiceren",
        meetings::agenda::publish_agenda
    ),
    (
        POST,
        "/bijeenkomsten/{id}/starten",
        meetings::run::start_meeting
    ),
    (
        POST,
        "/bijeenkomsten/{id}/sluiten",
        meetings::run::close_meeting
    ),
    (
        POST,
        "/bijeenkomsten/{id}/aanwezigheid",
        meetings::run::set_attendance
    ),
    (
        GET,
        "/bijeenkomsten/{id}/punten/{item}",
        meetings::item::show_item
    ),
    (GET, "/bijeenkomsten/{id}/live", live::connect),
    (POST, "/bijeenkomsten/{id}/{direction}", meetings::run::step),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/verplaatsen/{direction}",
        meetings::agenda::move_item
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/tijd",
        meetings::agenda::set_time_box
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/huidig",
        meetings::run::make_current
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/sluiten",
        meetings::run::close_item
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/notulen",
        meetings::item::save_minutes
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/besluiten",
        meetings::decisions::record_decision
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/acties",
        meetings::decisions::add_action
    ),
    (
        GET,
        "/bijeenkomsten/{id}/punten/{item}/uitnodigen",
        meetings::invite::show_invite
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/uitnodigen",
        meetings::invite::invite_for_item
    ),
    (GET, "/acties/{id}", actions::show_action),
    (POST, "/acties/{id}/afronden", actions::finish_action),
    (GET, "/beheer/organisaties", admin::list_organisations),
    (POST, "/beheer/organisaties", admin::create_organisation),
    (
        GET,
        "/beheer/samenwerkingsverbanden",
        partnerships::list_partnerships
    ),
    (
        POST,
        "/beheer/samenwerkingsverbanden",
        partnerships::create_partnership
    ),
    (
        GET,
        "/beheer/samenwerkingsverbanden/{id}",
        partnerships::show_partnership
    ),
    (
        POST,
        "/beheer/samenwerkingsverbanden/{id}/organisaties",
        partnerships::add_organisation
    ),
    (
        POST,
        "/beheer/samenwerkingsverbanden/{id}/coordinatoren",
        partnerships::appoint_coordinator
    ),
    (
        POST,
        "/beheer/samenwerkingsverbanden/{id}/coordinatoren/{user}/verwijderen",
        partnerships::remove_coordinator
    ),
    (
        POST,
        "/beheer/samenwerkingsverbanden/{id}/afspraken",
        partnerships::change_settings
    ),
    (
        GET,
        "/beheer/samenwerkingsverbanden/{id}/api-sleutels",
        partnership_keys::show_keys
    ),
    (
        POST,
        "/beheer/samenwerkingsverbanden/{id}/api-sleutels/{key}/goedkeuren",
        partnership_keys::approve_key
    ),
];
