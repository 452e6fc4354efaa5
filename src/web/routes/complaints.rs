//! The route list of complaints and objections (issue 21): the family's side in the portal, who is
//! involved with them, and the handlers' side.

use actix_web::web;

use super::list::{RouteAsk, page_routes};
use crate::policy::Ask::*;
use crate::policy::ComplaintAction as C;
use crate::web::*;

page_routes![
    ROUTES, ASKS, register;
    (
        GET,
        "/portaal/klachten",
        portal_complaints::show_complaints,
        [Portal]
    ),
    (
        POST,
        "/portaal/klachten",
        portal_complaints::file_complaint,
        [Portal]
    ),
    (
        GET,
        "/portaal/betrokkenen",
        portal_involved::show_involved,
        [Portal]
    ),
    (
        GET,
        "/klachten/{id}",
        complaints::show_complaint,
        [Complaint(C::Read)]
    ),
    (
        POST,
        "/klachten/{id}/antwoord",
        complaints::answer_complaint,
        [Complaint(C::Answer)]
    ),
    (
        GET,
        "/beheer/samenwerkingsverbanden/{id}/klachten",
        complaints::show_partnership_complaints,
        [Complaint(C::SetTerm)]
    ),
    (
        POST,
        "/beheer/samenwerkingsverbanden/{id}/klachttermijn",
        complaints::set_term,
        [Complaint(C::SetTerm)]
    ),
    (
        POST,
        "/klachten/{id}/doorsturen",
        complaints::forward_complaint,
        [Complaint(C::Forward)]
    ),
];
