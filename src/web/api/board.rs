//! `GET /api/v1/verzoeken-onderzoek/{id}`: the Raad voor de Kinderbescherming reads a table's request
//! to investigate, the `dataref` of `nl.samenspel.board_request.submitted`. Only a key of the Raad's
//! organisation the request is addressed to reads it, and only while the family's record is open
//! (404 for anyone else); every reading is a `board_request.read` event in the same transaction, shown
//! in the family's access log. The Samen onder Handbereik specifications have no resource for it, so
//! this one is ours, named as our other resources are.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Value, json};

use super::{ApiError, Partner};
use crate::db::{self, DbConn};
use crate::domain::board_request::{self, BoardRequest};
use crate::domain::family;
use crate::web::{AppError, AppState};

fn rfc3339(at: NaiveDateTime) -> String {
    DateTime::<Utc>::from_naive_utc_and_offset(at, Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The request as its resource: what the table asks, on which grounds, what was tried, the family's
/// view, by when, who the family members are, and the Raad's answer once given.
fn resource(conn: &mut DbConn, base: &str, r: &BoardRequest) -> Result<Value, AppError> {
    let found = family::find(conn, r.family_id)?.ok_or(AppError::NotFound)?;
    let members: Vec<Value> = family::persons(conn, r.family_id)?
        .iter()
        .map(|p| {
            let mut member = json!({
                "naam": p.name,
                "rol": p.role().code(),
                "geboortedatum": p.date_of_birth.map(|d| d.to_string()),
            });
            if let Some(bsn) = &p.bsn {
                member["burgerservicenummer"] = json!(bsn);
            }
            member
        })
        .collect();
    let answer = r.answer().map(|a| {
        json!({
            "onderzoekGestart": a == board_request::BoardAnswer::Started,
            "reden": r.answer_reason,
            "beantwoordOp": r.answered_at.map(rfc3339),
        })
    });
    Ok(json!({
        "url": format!("{base}/verzoeken-onderzoek/{}", r.id),
        "id": r.id.to_string(),
        "zaak": found.case_number,
        "idCasusoverleg": r.agenda_item_id.to_string(),
        "idBesluit": r.decision_id.to_string(),
        "idActie": r.action_id.to_string(),
        "vraag": r.question,
        "gronden": r.grounds,
        "watIsGeprobeerd": r.tried,
        "visieVanHetGezin": r.family_view,
        "uiterlijkOp": r.due_on.to_string(),
        "ingediendOp": rfc3339(r.created_at),
        "gezinIngelicht": r.family_notice,
        "gezinsleden": members,
        "antwoord": answer,
    }))
}

pub async fn verzoek_onderzoek(
    partner: Partner,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (id, org) = (super::path_id(path)?, partner.organisation_id);
    let base = format!("{}/api/v1", state.config.base_url.trim_end_matches('/'));
    let body = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let r = board_request::readable_by(conn, org, id)?.ok_or(AppError::NotFound)?;
                let body = resource(conn, &base, &r)?;
                crate::record::record_board_reading(conn, org, &r)?;
                Ok(body)
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body.to_string()))
}
