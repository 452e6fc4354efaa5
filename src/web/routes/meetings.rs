//! The route list of the meeting pages (`/bijeenkomsten/...`): the meeting, its agenda, the live room,
//! items, decisions, actions, attendance and exports. Part of `ROUTES`.

use actix_web::web;

use super::list::{RouteAsk, page_routes};
use crate::domain::meeting::MeetingAction as M;
use crate::policy::Ask::*;
use crate::policy::TableAction as T;
use crate::web::*;

page_routes![
    ROUTES, ASKS, register;

    (
        GET,
        "/bijeenkomsten/{id}/besluitenlijst.pdf",
        exports::besluitenlijst,
        [Attend, Table(T::ExportPseudonymised)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/versturen",
        export_send::send_besluitenlijst,
        [Table(T::SendDecisionList)]
    ),
    (
        GET,
        "/bijeenkomsten/{id}/agenda.ics",
        export_send::meeting_ics,
        [Attend]
    ),
    (
        GET,
        "/bijeenkomsten/{id}/{file:actielijst\\.(pdf|xlsx|csv)}",
        exports::meeting_actielijst,
        [Attend]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/notulen-delen",
        portal_manage::share_minutes,
        [Meeting(M::ShareMinutes)]
    ),
    (GET, "/bijeenkomsten/{id}", meetings::show_meeting, [Attend]),
    (
        POST,
        "/bijeenkomsten/{id}/punten",
        meetings::agenda::add_topic,
        [Meeting(M::ProposeTopic)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/aanmeldingen/{referral}",
        meetings::agenda::schedule_referral,
        [Meeting(M::ArrangeAgenda)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/publiceren",
        meetings::agenda::publish_agenda,
        [Meeting(M::ArrangeAgenda)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/starten",
        meetings::run::start_meeting,
        [Meeting(M::Start)]
    ),
    (
        GET,
        "/bijeenkomsten/{id}/sluiten",
        meetings::closing::show_close,
        [Meeting(M::Close)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/sluiten",
        meetings::closing::close_meeting,
        [Meeting(M::Close)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/aanwezigheid",
        meetings::run::set_attendance,
        [Meeting(M::RecordAttendance)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/aanwezigheid/iedereen",
        meetings::run::mark_all_present,
        [Meeting(M::RecordAttendance)]
    ),
    (
        GET,
        "/bijeenkomsten/{id}/punten/{item}",
        meetings::item::show_item,
        [SeeItem]
    ),
    (GET, "/bijeenkomsten/{id}/live", live::connect, [Attend]),
    (
        POST,
        "/bijeenkomsten/{id}/{direction}",
        meetings::run::step,
        [Meeting(M::Steer)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/verplaatsen/{direction}",
        meetings::agenda::move_item,
        [Meeting(M::ArrangeAgenda)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/tijd",
        meetings::agenda::set_time_box,
        [Meeting(M::ArrangeAgenda)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/huidig",
        meetings::run::make_current,
        [Meeting(M::Steer)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/sluiten",
        meetings::run::close_item,
        [Meeting(M::CloseItem)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/heropenen",
        meetings::run::reopen_item,
        [Meeting(M::CloseItem)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/notulen",
        meetings::minutes::save_minutes,
        [Meeting(M::WriteMinutes)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/besluiten",
        meetings::decisions::record_decision,
        [Meeting(M::Record), Meeting(M::Correct)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/acties",
        meetings::decisions::add_action,
        [Meeting(M::Record)]
    ),
    (
        GET,
        "/bijeenkomsten/{id}/punten/{item}/uitnodigen",
        meetings::invite::show_invite,
        [Meeting(M::ArrangeAgenda)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/uitnodigen",
        meetings::invite::invite_for_item,
        [Meeting(M::ArrangeAgenda)]
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/uitnodigen/{user}/intrekken",
        meetings::invite::withdraw_invitation,
        [Meeting(M::ArrangeAgenda)]
    ),
];
