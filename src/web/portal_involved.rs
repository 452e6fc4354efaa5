//! "Wie zijn er betrokken?" in the family portal (`/portaal/betrokkenen`): the organisations and roles
//! working with the family now, their director's contact, and the tables that discussed them. Only the
//! member's own family; names of professionals only when the director shows them in the portal.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::access::portal_member;
use super::{AppError, AppState, FamilyUser, PageCtx, html};
use crate::domain::involved::{self, Contact, Discussed, Involved};
use crate::domain::portal::{self, Category};

#[derive(Template)]
#[template(path = "portal/involved.html")]
struct InvolvedPage {
    ctx: PageCtx,
    director: Option<Contact>,
    involved: Vec<Involved>,
    /// None when the director keeps the meetings from this member.
    tables: Option<Vec<Discussed>>,
}

pub async fn show_involved(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let page = state
        .db(move |conn| {
            let access = portal_member(conn, &user)?;
            let family =
                crate::domain::family::find(conn, access.family_id)?.ok_or(AppError::NotFound)?;
            let tables = if portal::is_withheld(conn, access.person_id, Category::Meetings)? {
                None
            } else {
                Some(involved::tables(conn, family.id)?)
            };
            Ok(InvolvedPage {
                director: involved::director(conn, family.id)?,
                involved: involved::now(conn, family.id, family.portal_shows_names)?,
                tables,
                ctx,
            })
        })
        .await?;
    html(StatusCode::OK, page)
}
