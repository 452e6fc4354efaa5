//! Policy as the one place: every route in the route lists names the question it asks the policy
//! (`policy::Ask`), only the public routes ask nothing, and every action of the policy's action enums
//! is asked by some route, so neither list can drift from the other unnoticed.

use samenspel::policy::Ask;

use crate::common::access::Actor::Anonymous;
use crate::common::access::{Expect, expect};

fn all_routes() -> Vec<(&'static str, &'static str, Option<&'static [Ask]>)> {
    samenspel::web::ASKS
        .iter()
        .chain(samenspel::web::api::ASKS.iter())
        .copied()
        .collect()
}

#[test]
fn every_route_names_the_policy_question_it_asks() {
    let routes = all_routes();
    assert_eq!(
        routes.len(),
        samenspel::web::ROUTES.len() + samenspel::web::api::ROUTES.len()
    );
    let missing: Vec<String> = routes
        .iter()
        .filter(|(_, _, asks)| asks.is_none_or(|a| a.is_empty()))
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes that name no policy question (add one in the route list):\n{}",
        missing.join("\n")
    );
}

/// A route asks nothing exactly when the matrix lets an anonymous visitor through: the route list and
/// the authorization matrix agree on what is public.
#[test]
fn only_the_public_routes_ask_nothing() {
    let mut wrong = Vec::new();
    for (method, path, asks) in all_routes() {
        let Some(asks) = asks else { continue };
        let public = asks == [Ask::Nothing];
        assert!(
            public || !asks.contains(&Ask::Nothing),
            "{method} {path} asks nothing and something"
        );
        let open = matches!(
            expect(method, path, Anonymous, true),
            Some(Expect::Allowed | Expect::Answered)
        );
        if public != open {
            wrong.push(format!(
                "{method} {path}: asks {asks:?}, anonymous visitor {}",
                if open { "let through" } else { "refused" }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_question_of_the_policy_is_asked_by_some_route() {
    let asked: Vec<Ask> = all_routes()
        .into_iter()
        .flat_map(|(_, _, asks)| asks.unwrap_or_default().iter().copied())
        .collect();
    let unasked: Vec<Ask> = Ask::all()
        .into_iter()
        .filter(|a| !asked.contains(a))
        .collect();
    assert!(unasked.is_empty(), "questions no route asks: {unasked:?}");
}
