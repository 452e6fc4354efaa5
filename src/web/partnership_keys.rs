//! A partnership's API keys, for its coordinators: the keys of the organisations taking part, those
//! waiting for approval with a "Goedkeuren" button, and the approved ones with who approved them and
//! when. A key reads nothing until a coordinator approves it (`policy::may_approve_api_key`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::access::{actor, coordinated_partnership, who};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, see_other};
use crate::db::{self, DbConn};
use crate::domain::DomainError;
use crate::domain::api_token::{self, TokenView};
use crate::domain::partnership::{self, Partnership};
use crate::policy::{self, KeyFacts};
use crate::record;

#[derive(Template)]
#[template(path = "partnerships/api_keys.html")]
struct KeysPage {
    ctx: PageCtx,
    partnership: Partnership,
    /// Live keys no coordinator approved yet, with whether this coordinator may approve each.
    waiting: Vec<(TokenView, bool)>,
    /// Live approved keys.
    approved: Vec<TokenView>,
    /// Why the last approval did not go through (a text key).
    problem: Option<&'static str>,
}

fn keys_page(
    conn: &mut DbConn,
    ctx: PageCtx,
    user: &SignedIn,
    id: i64,
    problem: Option<&'static str>,
) -> Result<KeysPage, AppError> {
    let of = coordinated_partnership(conn, user, id)?;
    let live: Vec<TokenView> = api_token::of_partnership(conn, id)?
        .into_iter()
        .filter(|t| !t.ended())
        .collect();
    let (waiting, approved): (Vec<TokenView>, Vec<TokenView>) =
        live.into_iter().partition(|t| t.waiting());
    let waiting = waiting
        .into_iter()
        .map(|t| {
            let facts = KeyFacts {
                organisation_id: t.organisation_id,
                made_by_actor: t.created_by_user_id == user.id(),
                coordinates_its_partnership: true,
            };
            let may = policy::may_approve_api_key(actor(user), facts);
            (t, may)
        })
        .collect();
    Ok(KeysPage {
        ctx,
        partnership: of,
        waiting,
        approved,
        problem,
    })
}

pub async fn show_keys(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let page = state
        .db(move |conn| keys_page(conn, ctx, &user, id, None))
        .await?;
    html(StatusCode::OK, page)
}

/// Approves a waiting key of an organisation taking part in the partnership. A key already approved
/// stays as it was; a revoked or expired one is refused with the page and its reason.
pub async fn approve_key(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (id, key_id)) = (user.0, path.into_inner());
    let (by, role) = (who(&user), user.role());
    let refused = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let of = coordinated_partnership(conn, &user, id)?;
                let key = api_token::find(conn, key_id)?.ok_or(AppError::NotFound)?;
                if !partnership::takes_part(conn, id, key.organisation_id)? {
                    return Err(AppError::NotFound);
                }
                match record::approve_api_key(conn, &by, role, &of, &key) {
                    Ok(approved) => {
                        if approved {
                            tracing::info!(token = key.id, by = by.user_id, "API token approved");
                        }
                        Ok(None)
                    }
                    Err(DomainError::Rule(_)) => Ok(Some(keys_page(
                        conn,
                        ctx,
                        &user,
                        id,
                        Some("partnership_keys.ended"),
                    )?)),
                    Err(DomainError::Missing(_)) => Err(AppError::Forbidden),
                    Err(e) => Err(e.into()),
                }
            })
        })
        .await?;
    match refused {
        None => Ok(see_other(&format!(
            "/beheer/samenwerkingsverbanden/{id}/api-sleutels"
        ))),
        Some(page) => html(StatusCode::UNPROCESSABLE_ENTITY, page),
    }
}
