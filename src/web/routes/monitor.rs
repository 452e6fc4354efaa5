//! The route list of the monitor: a partnership's, a table's and an organisation's, each with the list
//! behind a figure and its export, and the story behind the numbers. Part of `ROUTES`.

use actix_web::web;

use super::list::{RouteAsk, page_routes};
use crate::policy::Ask::*;
use crate::policy::MonitorAction as M;
use crate::web::*;

page_routes![
    ROUTES, ASKS, register;
    (GET, "/monitor", monitor::index, [Own]),
    (
        GET,
        "/beheer/samenwerkingsverbanden/{id}/monitor",
        monitor::show_partnership_monitor,
        [Monitor(M::ViewPartnership)]
    ),
    (
        GET,
        "/beheer/samenwerkingsverbanden/{id}/monitor/lijst",
        monitor::partnership_monitor_list,
        [Monitor(M::ViewPartnership)]
    ),
    (
        GET,
        "/beheer/samenwerkingsverbanden/{id}/{file:monitor\\.(xlsx|csv)}",
        monitor::partnership_monitor_file,
        [Monitor(M::ViewPartnership)]
    ),
    (
        POST,
        "/beheer/samenwerkingsverbanden/{id}/monitor/verhaal",
        monitor::write_monitor_note,
        [Monitor(M::WriteNote)]
    ),
    (
        GET,
        "/overleggen/{id}/monitor",
        monitor::show_table_monitor,
        [Monitor(M::ViewTable)]
    ),
    (
        GET,
        "/overleggen/{id}/monitor/lijst",
        monitor::table_monitor_list,
        [Monitor(M::ViewTable)]
    ),
    (
        GET,
        "/overleggen/{id}/{file:monitor\\.(xlsx|csv)}",
        monitor::table_monitor_file,
        [Monitor(M::ViewTable)]
    ),
    (
        GET,
        "/beheer/organisaties/{id}/monitor",
        monitor::show_organisation_monitor,
        [Monitor(M::ViewOrganisation)]
    ),
    (
        GET,
        "/beheer/organisaties/{id}/monitor/lijst",
        monitor::organisation_monitor_list,
        [Monitor(M::ViewOrganisation)]
    ),
    (
        GET,
        "/beheer/organisaties/{id}/{file:monitor\\.(xlsx|csv)}",
        monitor::organisation_monitor_file,
        [Monitor(M::ViewOrganisation)]
    ),
];
