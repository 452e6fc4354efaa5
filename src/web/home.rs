//! The start page after login: "Mijn overzicht".

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use chrono::Timelike;

use super::auth::html;
use super::{AppError, CurrentUser, PageCtx};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    greeting_key: &'static str,
    first_name: String,
}

pub async fn show_home(user: CurrentUser, ctx: PageCtx) -> Result<HttpResponse, AppError> {
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
    html(
        StatusCode::OK,
        HomePage {
            ctx,
            greeting_key,
            first_name,
        },
    )
}
