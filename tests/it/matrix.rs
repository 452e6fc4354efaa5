//! The authorization matrix: every route the app serves (taken from `web::ROUTES` and `web::api::ROUTES`,
//! so a new route without an expectation fails this test) against every kind of actor, with the ids in
//! the address of this family, swapped, of another family, and of partnership B (Centraal Gelderland,
//! where none of the actors works: its family, table, kind, meetings, referrals, outcome, accounts and
//! the partnership itself, as hand-edited ids). A refused request changes nothing. The server requires a
//! second factor, as a new deployment does: every staff actor set one up at its first login.
//!
//! Actors: anonymous; a family member of this family and of the other family; a professional involved
//! with this family, one who is not, one invited for this family's item only; this family's director; the
//! table's chair and its minute-taker; an organisation admin; the partnership's coordinator; a system
//! admin; the API token of an
//! organisation that took part in this family's outcome and of one that did not. The actors and what each
//! must get are in `common::access`, the world they act in is in `common::actors` (partnership B's side
//! in `common::gelderland`).

use reqwest::StatusCode;

use crate::common::access::Expect::{self, Allowed, Answered, Refused};
use crate::common::access::{ACTORS, Actor, Context, carries_ids, expect_in};
use crate::common::actors::{World, digest, world};
use crate::common::world::signed_in;

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

/// B's ids are B's own and real: its people reach them (so a refusal of an A actor is about who asks,
/// not about a wrong id). Checked before the matrix's writes, which leave B unchanged.
async fn partnership_b_reaches_its_own(w: &World) {
    for (email, route) in [
        ("linda@ede.example", "/gezinnen/{id}"),
        ("linda@ede.example", "/aanmeldingen/{id}"),
        ("linda@ede.example", "/acties/{id}"),
        ("linda@ede.example", "/bijeenkomsten/{id}/punten/{item}"),
        ("fleur@vtgm.example", "/overleggen/{id}"),
        ("fleur@vtgm.example", "/bijeenkomsten/{id}"),
        ("noor@jbg.example", "/betrokkenheidsverzoeken/{id}"),
        ("beheer@ede.example", "/beheer/webhooks/{id}"),
        ("beheer@ede.example", "/beheer/organisaties/{id}/inloggen"),
        ("nadia@example.nl", "/portaal/punten/{item}/inbreng"),
    ] {
        let client = signed_in(&w.app, email).await;
        let path = w.address("GET", route, Context::PartnershipB);
        let status = client.get(&path).await.status;
        assert_eq!(status, StatusCode::OK, "{email} {path}");
    }
}

#[actix_web::test]
async fn every_route_answers_every_actor_as_expected() {
    let w = world().await;
    partnership_b_reaches_its_own(&w).await;
    let mut routes: Vec<(&str, &str)> = samenspel::web::ROUTES
        .iter()
        .chain(samenspel::web::api::ROUTES.iter())
        .copied()
        .collect();
    // Reads first, then writes; the writes that end something (a key, a member, a meeting, the session)
    // last, so they do not change what the others are checked against.
    let rank = |p: &str| match p {
        "/uitloggen" | "/snel-weg" => 3,
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
    let mut checked = [0; 3];
    for (method, route) in &routes {
        let mut contexts = vec![Context::Here];
        if family_scoped(route) {
            contexts.push(Context::There);
        }
        if carries_ids(route) {
            contexts.push(Context::PartnershipB);
        }
        for context in contexts {
            let path = w.address(method, route, context);
            // The refused first (each must change nothing), then those let through.
            let mut order: Vec<(Actor, Expect)> = Vec::new();
            for &actor in ACTORS {
                match expect_in(method, route, actor, context) {
                    Some(e) => order.push((actor, e)),
                    None => {
                        unknown.push(format!("{method} {route} ({context:?})"));
                        break;
                    }
                }
            }
            order.sort_by_key(|(_, e)| *e != Refused);
            for (actor, e) in order {
                let found = check(&w, actor, e, method, &path).await;
                checked[context as usize] += 1;
                wrong.extend(
                    found
                        .into_iter()
                        .map(|f| format!("{f} ({route}, {context:?})")),
                );
            }
        }
    }
    let total: usize = checked.iter().sum();
    eprintln!(
        "{total} answers checked: {} with this family's ids, {} with the other family's, {} with \
         partnership B's",
        checked[0], checked[1], checked[2]
    );
    unknown.dedup();
    assert!(
        unknown.is_empty(),
        "routes without an expectation in the matrix:\n{}",
        unknown.join("\n")
    );
    assert!(
        wrong.is_empty(),
        "{} of {total} answers are not as expected:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(checked[0] + checked[1] > 2000, "only {checked:?} checks");
    assert!(checked[2] > 1400, "only {} checks with B's ids", checked[2]);
}

/// Sends `method` to `path` as `actor` and checks the answer against `e`, and that a refused POST
/// changed nothing. What is wrong, if anything.
async fn check(w: &World, actor: Actor, e: Expect, method: &str, path: &str) -> Vec<String> {
    let before = (e == Refused && method == "POST").then(|| digest(&w.app));
    let (status, location) = w.send(actor, method, path, &[]).await;
    let mut wrong = Vec::new();
    if !fits(e, status, &location) {
        wrong.push(format!(
            "{method} {path} as {actor:?}: expected {e:?}, got {status} {location}"
        ));
    }
    if let Some(before) = before
        && before != digest(&w.app)
    {
        wrong.push(format!(
            "{method} {path} as {actor:?} was refused but changed the database"
        ));
    }
    wrong
}
