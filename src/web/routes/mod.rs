//! The route lists of the pages: every route outside /api with its handler, registered from here and
//! read by the tests (the authorization matrix takes its routes from `ROUTES`). The meeting pages have
//! their own list (`meetings.rs`), signing in and one's account theirs (`signin.rs`), the rest is in
//! `general.rs`.

mod complaints;
mod general;
mod list;
mod meetings;
mod monitor;
mod signin;

use actix_web::web;

pub use list::RouteAsk;

/// Every route outside /api as (method, path), exactly as registered by `routes`: the authorization
/// matrix and the bad-input test take their list from here.
pub static ROUTES: std::sync::LazyLock<Vec<(&str, &str)>> = std::sync::LazyLock::new(|| {
    [
        general::ROUTES,
        signin::ROUTES,
        meetings::ROUTES,
        monitor::ROUTES,
        complaints::ROUTES,
    ]
    .concat()
});

/// What each route asks the policy (`policy::Ask`), as (method, path, asks); None for a route that
/// names none, which the route test refuses.
pub static ASKS: std::sync::LazyLock<Vec<RouteAsk>> = std::sync::LazyLock::new(|| {
    [
        general::ASKS,
        signin::ASKS,
        meetings::ASKS,
        monitor::ASKS,
        complaints::ASKS,
    ]
    .concat()
});

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    let mut grouped = list::Grouped::default();
    general::register(&mut grouped);
    signin::register(&mut grouped);
    meetings::register(&mut grouped);
    monitor::register(&mut grouped);
    complaints::register(&mut grouped);
    grouped.register(cfg);
}
