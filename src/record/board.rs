//! The hand-off to the Raad voor de Kinderbescherming: a decision's request to investigate (with the
//! Raad's action), the Raad's answer, and the Raad's reading of a request through the partner API.

use serde_json::json;

use super::{Announced, Who, event};
use crate::db::DbConn;
use crate::domain::board_request::{self, BoardAnswer, BoardRequest, Made, RequestDetails};
use crate::domain::decision::{ActionDetails, Decision};
use crate::domain::meeting::{AgendaItem, Meeting};
use crate::domain::organisation::{self, OrganisationKind};
use crate::domain::{DomainError, DomainResult};
use crate::events::{self, Actor, EventKind, NewEvent};
use crate::policy::{self, BoardAction, BoardFacts};

/// Makes the request a decision with the hand-off outcome asks of the Raad: an action owned by the
/// chosen Raad professional's organisation, due on the request's date, and the request itself, with
/// `board_request.submitted`. The owner must work at an organisation of the Raad kind. Returns the
/// request's id.
pub fn submit_board_request(
    conn: &mut DbConn,
    by: &Who,
    (at, item, decision): (&Meeting, &AgendaItem, &Decision),
    details: &RequestDetails,
) -> DomainResult<(i64, Announced)> {
    let family_id = item.family_id.ok_or(DomainError::Missing("family"))?;
    let owner = super::who(conn, details.owner_user_id)?;
    let organisation_id = owner
        .organisation_id
        .ok_or(DomainError::Missing("organisation"))?;
    let of_the_board = organisation::find(conn, organisation_id)?
        .is_some_and(|o| o.kind() == OrganisationKind::ChildProtectionBoard);
    if !of_the_board {
        return Err(DomainError::Rule(
            "a request to investigate goes to the Raad",
        ));
    }
    let action = ActionDetails {
        description: format!("Verzoek tot onderzoek beantwoorden: {}", details.question),
        owner_user_id: owner.user_id,
        owner_organisation_id: organisation_id,
        due_on: details.due_on,
        condition: String::new(),
        family_informed_how: details.no_notice_reason.as_ref().map_or_else(
            || "Bericht in het gezinsportaal".to_string(),
            |_| String::new(),
        ),
    };
    let (created, announced) =
        super::add_action(conn, by, at, item, Some(decision.id), &action, &owner)?;
    let made = Made {
        family_id,
        meeting_id: at.id,
        agenda_item_id: item.id,
        decision_id: decision.id,
        action_id: created.id,
        organisation_id,
        created_by_user_id: by.user_id,
    };
    let id = board_request::insert(conn, made, details)?;
    event(
        conn,
        by,
        family_id,
        EventKind::BoardRequestSubmitted,
        ("board_request", id),
        json!({
            "organisation": owner.organisation_name,
            "due_on": details.due_on.format("%d-%m-%Y").to_string(),
            "family_notice": details.no_notice_reason.is_none(),
        }),
    )?;
    Ok((id, announced))
}

/// The Raad's answer to a request: started, or not started with the reason. Only a professional of the
/// request's organisation answers (`policy::allows_board_request`), and only once (false when it was
/// answered already).
pub fn answer_board_request(
    conn: &mut DbConn,
    by: &Who,
    role: crate::domain::user::Role,
    request: &BoardRequest,
    answer: BoardAnswer,
    reason: &str,
) -> DomainResult<bool> {
    let actor = policy::Actor {
        role,
        organisation_id: by.organisation_id,
    };
    let facts = BoardFacts {
        owner_organisation_id: request.organisation_id,
        sees_family: false,
    };
    if !policy::allows_board_request(actor, facts, BoardAction::Answer) {
        return Err(DomainError::Missing("request of the Raad"));
    }
    if answer == BoardAnswer::NotStarted && reason.trim().is_empty() {
        return Err(DomainError::Rule("not starting needs a reason"));
    }
    if board_request::answer(conn, request.id, answer, reason.trim(), by.user_id)? == 0 {
        return Ok(false);
    }
    event(
        conn,
        by,
        request.family_id,
        EventKind::BoardRequestAnswered,
        ("board_request", request.id),
        json!({ "answer": answer.code(), "reason": reason.trim() }),
    )?;
    Ok(true)
}

/// Records that the Raad's organisation read a request through the API: a `board_request.read` event
/// naming the organisation, in the reading's transaction, with the request's agenda item as subject
/// (so it shows beside the readings of outcomes in the family's access log).
pub fn record_board_reading(
    conn: &mut DbConn,
    organisation_id: i64,
    request: &BoardRequest,
) -> DomainResult<()> {
    let found =
        organisation::find(conn, organisation_id)?.ok_or(DomainError::Missing("organisation"))?;
    events::append(
        conn,
        Actor {
            user_id: None,
            organisation_id: Some(organisation_id),
        },
        NewEvent {
            family_id: Some(request.family_id),
            kind: EventKind::BoardRequestRead,
            subject_type: "agenda_item",
            subject_id: Some(request.agenda_item_id),
            data: json!({
                "organisation": found.name,
                "organisation_id": organisation_id.to_string(),
                "organisation_oin": found.oin.unwrap_or_default(),
                "resource": format!("verzoeken-onderzoek/{}", request.id),
                "board_request": request.id.to_string(),
            }),
            meeting_id: None,
        },
    )?;
    Ok(())
}
