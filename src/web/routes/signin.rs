//! The route list of signing in and out, passwords, the second factor, single sign-on and one's own
//! account and sessions. Part of `ROUTES`.

use actix_web::web;

use super::list::{RouteAsk, page_routes};
use crate::policy::AccountAsk as A;
use crate::policy::Ask::*;
use crate::web::*;

page_routes![
    ROUTES, ASKS, register;
    (GET, "/inloggen", auth::show_login, [Nothing]),
    (GET, "/downloaden", auth::show_download, [Own]),
    (POST, "/inloggen", auth::login, [Nothing]),
    (
        GET,
        "/inloggen/tweede-stap",
        second_step::show_code,
        [Nothing]
    ),
    (
        POST,
        "/inloggen/tweede-stap",
        second_step::answer_code,
        [Nothing]
    ),
    (
        GET,
        "/inloggen/tweede-factor",
        second_step::show_enrol,
        [Nothing]
    ),
    (
        POST,
        "/inloggen/tweede-factor",
        second_step::confirm_enrol,
        [Nothing]
    ),
    (GET, "/inloggen/link", login_link::show_request, [Nothing]),
    (POST, "/inloggen/link", login_link::request_link, [Nothing]),
    (
        GET,
        "/inloggen/link/{token}",
        login_link::show_use,
        [Nothing]
    ),
    (
        POST,
        "/inloggen/link/{token}",
        login_link::use_link,
        [Nothing]
    ),
    (
        GET,
        "/inloggen/organisatie",
        sign_on::show_organisation_login,
        [Nothing]
    ),
    (
        POST,
        "/inloggen/organisatie",
        sign_on::begin_organisation_login,
        [Nothing]
    ),
    (GET, "/inloggen/digid", sign_on::show_digid_login, [Nothing]),
    (POST, "/inloggen/digid", sign_on::begin_digid_login, [Nothing]),
    (GET, "/inloggen/terug", sign_on::callback, [Nothing]),
    (POST, "/uitloggen", auth::logout, [Nothing]),
    (POST, "/snel-weg", auth::quick_exit, [Nothing]),
    (
        GET,
        "/wachtwoord-vergeten",
        auth::show_forgot_password,
        [Nothing]
    ),
    (
        POST,
        "/wachtwoord-vergeten",
        auth::request_password_reset,
        [Nothing]
    ),
    (
        GET,
        "/wachtwoord-instellen/{token}",
        auth::show_set_password,
        [Nothing]
    ),
    (
        POST,
        "/wachtwoord-instellen/{token}",
        auth::set_password,
        [Nothing]
    ),
    (POST, "/taal", account::choose_language, [Nothing]),
    (GET, "/account", account::show_account, [Own]),
    (
        POST,
        "/account/agenda",
        account::create_calendar_feed,
        [Own]
    ),
    (
        POST,
        "/account/agenda/intrekken",
        account::revoke_calendar_feed,
        [Own]
    ),
    (POST, "/account/wachtwoord", account::change_password, [Own]),
    (GET, "/account/tweede-factor", security::show_factor, [Own]),
    (
        POST,
        "/account/tweede-factor/instellen",
        security::begin_factor,
        [Own]
    ),
    (
        POST,
        "/account/tweede-factor/bevestigen",
        security::confirm_factor,
        [Own]
    ),
    (
        POST,
        "/account/tweede-factor/herstelcodes",
        security::renew_codes,
        [Own]
    ),
    (
        POST,
        "/account/tweede-factor/verwijderen",
        security::remove_factor,
        [Own]
    ),
    (GET, "/account/bevestigen", sessions::show_confirm, [Own]),
    (POST, "/account/bevestigen", sessions::confirm, [Own]),
    (GET, "/account/sessies", sessions::show_sessions, [Own]),
    (
        POST,
        "/account/sessies/beeindigen",
        sessions::end_other_sessions,
        [Own]
    ),
    (
        GET,
        "/beheer/tweede-factor",
        factor_rules::show_organisation_rule,
        [Accounts(A::SecondFactorRule)]
    ),
    (
        POST,
        "/beheer/tweede-factor",
        factor_rules::set_organisation_rule,
        [Accounts(A::SecondFactorRule)]
    ),
];
