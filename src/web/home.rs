//! The start page after login: "Mijn overzicht".

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use chrono::Timelike;

use actix_web::web;

use super::auth::html;
use super::{AppError, AppState, CurrentUser, PageCtx};
use crate::domain::family::{self, Family};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    greeting_key: &'static str,
    first_name: String,
    families: Vec<Family>,
    may_create: bool,
}

pub async fn show_home(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let hour = crate::time::local(crate::domain::now()).hour();
    let greeting_key = match hour {
        5..=11 => "home.good_morning",
        12..=17 => "home.good_afternoon",
        _ => "home.good_evening",
    };
    let first_name = user
        .0
        .account
        .user
        .name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let user_id = user.0.id();
    // Open and aftercare families only: closed ones are found through the search.
    let families = state
        .db(move |conn| Ok(family::list_for_user(conn, user_id, None)?))
        .await?
        .into_iter()
        .filter(|f| !f.is_closed())
        .collect();
    let may_create = crate::policy::may_create_family(super::families::actor(&user.0));
    html(
        StatusCode::OK,
        HomePage {
            ctx,
            greeting_key,
            first_name,
            families,
            may_create,
        },
    )
}
