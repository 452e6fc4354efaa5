//! The authorization matrix: every route the app serves (taken from `web::ROUTES` and `web::api::ROUTES`,
//! so a new route without an expectation fails this test) against every kind of actor, with the ids in
//! the address of this family and, swapped, of another family. A refused request changes nothing.
//!
//! Actors: anonymous; a family member of this family and of the other family; a professional involved
//! with this family, one who is not, one invited for this family's item only; this family's director; the
//! table's chair and its minute-taker; an organisation admin; the partnership's coordinator; a system
//! admin; the API token of an
//! organisation that took part in this family's outcome and of one that did not. The actors and what each
//! must get are in `common::access`, the world they act in is in `common::actors`.

use reqwest::StatusCode;

use crate::common::access::Expect::{self, Allowed, Answered, Refused};
use crate::common::access::{ACTORS, Actor, expect};
use crate::common::actors::{digest, world};

/// Does this route carry a family's ids (and so get tested swapped)?
fn family_scoped(route: &str) -> bool {
    ["{id}", "{item}", "{referral}"]
        .iter()
        .any(|p| route.contains(p))
        && !route.starts_with("/beheer")
        && !route.starts_with("/overleggen")
        && !route.starts_with("/controle")
        || route.starts_with("/portaal/punten")
}

fn refused(status: StatusCode, location: &str) -> bool {
    matches!(status.as_u16(), 401 | 403 | 404)
        || (status.is_redirection() && location.starts_with("/inloggen"))
}

fn fits(expect: Expect, status: StatusCode, location: &str) -> bool {
    if status.is_server_error() {
        return false;
    }
    match expect {
        Answered => true,
        Refused => refused(status, location),
        Allowed => {
            !refused(status, location)
                && (status.is_success()
                    || status.is_redirection()
                    || matches!(status.as_u16(), 400 | 409 | 410 | 413 | 415 | 422))
        }
    }
}

#[actix_web::test]
async fn every_route_answers_every_actor_as_expected() {
    let w = world().await;
    let mut routes: Vec<(&str, &str)> = samenspel::web::ROUTES
        .iter()
        .chain(samenspel::web::api::ROUTES.iter())
        .copied()
        .collect();
    // Reads first, then writes; the writes that end something (a key, a member, a meeting, the session)
    // last, so they do not change what the others are checked against.
    let rank = |p: &str| match p {
        "/uitloggen" => 3,
        "/bijeenkomsten/{id}/sluiten" => 2,
        p if p.ends_with("/intrekken")
            || p.ends_with("/verwijderen")
            || p.ends_with("/beeindigen")
            || p.ends_with("/sluiten") =>
        {
            1
        }
        _ => 0,
    };
    routes.sort_by_key(|(m, p)| (*m != "GET", rank(p)));

    let mut unknown = Vec::new();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (method, route) in &routes {
        let mut contexts = vec![true];
        if family_scoped(route) {
            contexts.push(false);
        }
        for here in contexts {
            let path = w.address(method, route, here);
            // The refused first (each must change nothing), then those let through.
            let mut order: Vec<(Actor, Expect)> = Vec::new();
            for &actor in ACTORS {
                match expect(method, route, actor, here) {
                    Some(e) => order.push((actor, e)),
                    None => {
                        unknown.push(format!("{method} {route}"));
                        break;
                    }
                }
            }
            order.sort_by_key(|(_, e)| *e != Refused);
            for (actor, e) in order {
                let before = (e == Refused && *method == "POST").then(|| digest(&w.app));
                let (status, location) = w.send(actor, method, &path, &[]).await;
                checked += 1;
                if !fits(e, status, &location) {
                    wrong.push(format!(
                        "{method} {path} ({route}, {}) as {actor:?}: expected {e:?}, got {status} {location}",
                        if here { "this family" } else { "other family" }
                    ));
                }
                if let Some(before) = before
                    && before != digest(&w.app)
                {
                    wrong.push(format!(
                        "{method} {path} as {actor:?} was refused but changed the database"
                    ));
                }
            }
        }
    }
    unknown.dedup();
    assert!(
        unknown.is_empty(),
        "routes without an expectation in the matrix:\n{}",
        unknown.join("\n")
    );
    assert!(
        wrong.is_empty(),
        "{} of {checked} answers are not as expected:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(checked > 2000, "only {checked} checks");
}
