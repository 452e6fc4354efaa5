//! The second factor of staff accounts (issue 19): set up before any session when the organisation
//! requires it, a code at every login, a code used once only, recovery codes used once, wrong codes
//! throttled like passwords; an organisation admin resets a colleague's (never another organisation's,
//! never their own); a sensitive action asks for password and code again after ten minutes and then
//! goes on with what was typed; and ending one's other sessions closes their live sockets.

use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::domain::user::Role;
use samenspel::events::EventKind;
use samenspel::web::SESSION_COOKIE;

use crate::common::factor::code_at;
use crate::common::meeting::run_meeting;
use crate::common::world::{Cast, signed_in};
use crate::common::{Client, PASSWORD, Page, Socket, TestApp};

const ANNA: &str = "anna@vt.example";
const PETRA: &str = "petra@vt.example";
const VEILIG_THUIS: &str = "Veilig Thuis Zuid-Holland Zuid";

/// A server that requires a second factor (as a new deployment does), with Anna, a professional of
/// Veilig Thuis, and Petra, its organisation admin.
async fn requiring_server() -> TestApp {
    let app = TestApp::spawn_with(&[("SAMENSPEL_SECOND_FACTOR", "required")]).await;
    app.user(ANNA, "Anna de Boer", Role::Professional, Some(VEILIG_THUIS));
    app.user(PETRA, "Petra de Graaf", Role::OrgAdmin, Some(VEILIG_THUIS));
    app
}

/// Answers the second step shown with `answer`.
async fn answer(client: &Client, answer: &str) -> Page {
    let page = client.get("/inloggen/tweede-stap").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.visible_text());
    client
        .post(
            "/inloggen/tweede-stap",
            &[("csrf_token", &page.csrf()), ("code", answer)],
        )
        .await
}

/// A right password: the server asks for the second step.
async fn password(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    let first = client.login(email, PASSWORD).await;
    assert_eq!(
        first.location.as_deref(),
        Some("/inloggen/tweede-stap"),
        "{}",
        first.visible_text()
    );
    client
}

/// The answer refused the second step with `status` and a message that says `says`: no session.
fn refused_step(client: &Client, page: &Page, status: StatusCode, says: &str) {
    assert_eq!(page.status, status, "{}", page.visible_text());
    assert!(
        page.visible_text().contains(says),
        "{}",
        page.visible_text()
    );
    assert!(client.cookie(SESSION_COOKIE).is_none());
}

/// A code that is not the current one (its last digit changed).
fn wrong(code: &str) -> String {
    let mut digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
    let last = digits.pop().unwrap();
    digits.push((last + 1) % 10);
    digits.iter().map(|d| d.to_string()).collect()
}

fn events_of(app: &TestApp, kind: EventKind) -> i64 {
    use samenspel::schema::events;
    events::table
        .filter(events::kind.eq(kind.name()))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_required_second_factor_is_set_up_before_any_session_and_asked_at_every_login() {
    let app = requiring_server().await;
    let anna = app.client();
    let first = anna.login(ANNA, PASSWORD).await;
    assert_eq!(first.location.as_deref(), Some("/inloggen/tweede-factor"));
    // A right password opens nothing by itself: no session, every page still sends to the login.
    assert!(anna.cookie(SESSION_COOKIE).is_none());
    assert_eq!(app.count("sessions"), 0);
    for path in ["/", "/gezinnen", "/account"] {
        let page = anna.get(path).await;
        assert!(
            page.location
                .as_deref()
                .unwrap_or_default()
                .starts_with("/inloggen"),
            "{path}: {:?}",
            page.location
        );
    }
    // The enrolment page draws the QR code itself and shows the secret to type.
    let enrol = anna.get("/inloggen/tweede-factor").await;
    assert_eq!(enrol.status, StatusCode::OK);
    assert!(enrol.body.contains("<svg role=\"img\""), "an inline SVG");
    let secret = crate::common::factor::secret_on(&enrol);
    assert_eq!(secret.len(), 32, "160 bits in base32");
    // A wrong first code sets nothing up.
    let right = code_at(&secret, anna.current_step());
    let refused = anna
        .post(
            "/inloggen/tweede-factor",
            &[("csrf_token", &enrol.csrf()), ("code", &wrong(&right))],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("sessions"), 0);

    let done = anna.enrol_on(ANNA, &enrol, "/inloggen/tweede-factor").await;
    assert!(done.visible_text().contains("Je herstelcodes"));
    assert_eq!(app.count("sessions"), 1);
    assert_eq!(anna.get("/").await.status, StatusCode::OK);
    assert_eq!(events_of(&app, EventKind::UserSecondFactorEnrolled), 1);

    // Every next login asks for a code before the session.
    let laptop = password(&app, ANNA).await;
    assert_eq!(app.count("sessions"), 1);
    let code = laptop.next_code(ANNA).await;
    let signed = answer(&laptop, &code).await;
    assert_eq!(
        signed.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed.visible_text()
    );
    assert_eq!(signed.location.as_deref(), Some("/"));
    assert_eq!(app.count("sessions"), 2);
    assert_eq!(laptop.get("/account").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_code_and_a_recovery_code_each_work_once() {
    let app = requiring_server().await;
    let phone = app.client();
    phone.login_ok(ANNA).await;
    let recovery = phone.phone(ANNA).unwrap().recovery_codes;

    let laptop = password(&app, ANNA).await;
    let code = laptop.next_code(ANNA).await;
    assert_eq!(answer(&laptop, &code).await.status, StatusCode::SEE_OTHER);

    // The same code again, in another browser: refused, however right it is.
    let stranger = password(&app, ANNA).await;
    let replayed = answer(&stranger, &code).await;
    refused_step(
        &stranger,
        &replayed,
        StatusCode::UNAUTHORIZED,
        "Deze code is al gebruikt",
    );
    assert_eq!(app.count("sessions"), 2);

    // A recovery code, typed in capitals with a space, opens a session once.
    let typed = recovery[0].to_uppercase().replace('-', " ");
    let recovered = answer(&stranger, &typed).await;
    assert_eq!(recovered.status, StatusCode::SEE_OTHER);
    assert!(stranger.cookie(SESSION_COOKIE).is_some());
    let again = password(&app, ANNA).await;
    let used = answer(&again, &recovery[0]).await;
    refused_step(
        &again,
        &used,
        StatusCode::UNAUTHORIZED,
        "Deze code klopt niet",
    );
    assert_eq!(
        answer(&again, &recovery[1]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("sessions"), 4);
}

#[actix_web::test]
async fn wrong_codes_are_throttled_like_passwords() {
    let app = requiring_server().await;
    let phone = app.client();
    phone.login_ok(ANNA).await;
    let secret = phone.phone(ANNA).unwrap().secret;

    let guesser = password(&app, ANNA).await;
    let right = code_at(&secret, guesser.current_step());
    for _ in 0..4 {
        let page = answer(&guesser, &wrong(&right)).await;
        refused_step(
            &guesser,
            &page,
            StatusCode::UNAUTHORIZED,
            "Deze code klopt niet",
        );
    }
    // The fifth wrong answer ends the pending login: back to the password.
    let page = answer(&guesser, &wrong(&right)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location.as_deref(),
        Some("/inloggen?melding=inloggen-verlopen")
    );
    assert_eq!(
        guesser
            .get("/inloggen/tweede-stap")
            .await
            .location
            .as_deref(),
        Some("/inloggen?melding=inloggen-verlopen")
    );
    // Five wrong codes within a quarter of an hour lock the account's second step, even for the
    // right code, as five wrong passwords lock its first.
    let again = password(&app, ANNA).await;
    let code = again.next_code(ANNA).await;
    let locked = answer(&again, &code).await;
    refused_step(
        &again,
        &locked,
        StatusCode::TOO_MANY_REQUESTS,
        "Probeer het",
    );
    assert_eq!(app.count("sessions"), 1);
}

#[actix_web::test]
async fn an_organisation_admin_resets_a_colleagues_second_factor_and_no_one_elses() {
    let app = requiring_server().await;
    app.user(
        "beheer@ggz.example",
        "Beheer GGZ",
        Role::OrgAdmin,
        Some("GGZ volwassenen"),
    );
    let anna = signed_in(&app, ANNA).await;
    let petra = signed_in(&app, PETRA).await;
    let other_admin = signed_in(&app, "beheer@ggz.example").await;
    let (anna_id, petra_id) = (app.id_of(ANNA), app.id_of(PETRA));
    let reset = |id: i64| format!("/beheer/gebruikers/{id}/tweede-factor-herstellen");
    assert_eq!(app.count("second_factors"), 3);

    // The admin of another organisation cannot reach Anna's account; Petra not her own.
    let refused = other_admin.submit("/account", &reset(anna_id), &[]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let own = petra.submit("/account", &reset(petra_id), &[]).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("second_factors"), 3);
    assert_eq!(events_of(&app, EventKind::UserSecondFactorReset), 0);
    assert_eq!(anna.get("/account").await.status, StatusCode::OK);

    // Petra's page asks before she resets Anna's.
    let edit = petra
        .get(&format!("/beheer/gebruikers/{anna_id}/bewerken"))
        .await;
    let question = edit.confirmation_of(&reset(anna_id)).unwrap();
    assert!(question.contains("Anna de Boer"), "{question}");
    let done = petra
        .post(&reset(anna_id), &[("csrf_token", &edit.csrf())])
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some("/beheer/gebruikers?melding=tweede-factor-hersteld")
    );
    assert_eq!(app.count("second_factors"), 2);
    assert_eq!(events_of(&app, EventKind::UserSecondFactorReset), 1);
    // Anna's sessions ended; she hears of it by mail and sets up a new one at her next login.
    assert!(
        anna.get("/account")
            .await
            .location
            .unwrap_or_default()
            .starts_with("/inloggen")
    );
    let mails = app.wait_for_mails(1).await;
    let mail = mails.iter().find(|m| m.to == ANNA).expect("a mail to Anna");
    assert!(mail.subject.contains("tweede factor"), "{}", mail.subject);
    let next = app.client().login(ANNA, PASSWORD).await;
    assert_eq!(next.location.as_deref(), Some("/inloggen/tweede-factor"));
}

#[actix_web::test]
async fn making_an_api_key_asks_for_password_and_code_again_and_keeps_what_was_typed() {
    let app = requiring_server().await;
    let petra = signed_in(&app, PETRA).await;
    // A login is a confirmation; ten minutes later it no longer counts.
    app.clock.advance(chrono::Duration::minutes(11));
    let tokens = app.count("api_tokens");
    let asked = petra
        .submit(
            "/beheer/api-sleutels",
            "/beheer/api-sleutels",
            &[("name", "Koppeling GGZ")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.visible_text().contains("Bevestig dat jij het bent"));
    assert_eq!(
        asked.value("input[name=name]").as_deref(),
        Some("Koppeling GGZ")
    );
    assert_eq!(app.count("api_tokens"), tokens);

    let carried = |password: &str, code: &str| -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> =
            ["csrf_token", "confirm_return", "confirm_method", "name"]
                .iter()
                .map(|f| {
                    (
                        f.to_string(),
                        asked.value(&format!("input[name={f}]")).unwrap(),
                    )
                })
                .collect();
        fields.push(("confirm_password".into(), password.into()));
        fields.push(("confirm_code".into(), code.into()));
        fields
    };
    let post = |fields: Vec<(String, String)>| {
        let http = petra.http.clone();
        let url = petra.url("/account/bevestigen");
        async move { http.post(url).form(&fields).send().await.unwrap() }
    };
    let code = petra.next_code(PETRA).await;
    let wrong_password = post(carried("niet mijn wachtwoord", &code)).await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("api_tokens"), tokens);

    let code = petra.next_code(PETRA).await;
    let fields = carried(PASSWORD, &code);
    let confirmed = post(fields.clone()).await;
    assert_eq!(confirmed.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        confirmed.headers()["location"].to_str().unwrap(),
        "/beheer/api-sleutels"
    );
    // The browser sends the same form on to the key page (307 keeps method and body).
    let made = petra
        .http
        .post(petra.url("/beheer/api-sleutels"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::OK);
    let text = made.text().await.unwrap();
    assert!(text.contains("Koppeling GGZ"), "the key has the name typed");
    assert_eq!(app.count("api_tokens"), tokens + 1);
}

#[actix_web::test]
async fn ending_the_other_sessions_closes_their_live_sockets() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let phone = signed_in(&app, "karin@wijkteam.example").await;
    let laptop = signed_in(&app, "karin@wijkteam.example").await;
    let token = phone.cookie(SESSION_COOKIE).unwrap();
    let last = samenspel::events::last_id(&mut app.conn()).unwrap();
    let mut socket = Socket::open(&app.base_url, meeting, &token, last).await;

    let page = laptop.get("/account/sessies").await;
    assert_eq!(page.status, StatusCode::OK);
    // Karin's three: the meeting's, the phone's and the laptop's.
    let text = page.visible_text();
    assert_eq!(text.matches("laatst gebruikt").count(), 3, "{text}");
    assert_eq!(text.matches("deze sessie").count(), 1, "{text}");
    let question = page.confirmation_of("/account/sessies/beeindigen").unwrap();
    assert!(!question.is_empty());

    let ended = laptop
        .post(
            "/account/sessies/beeindigen",
            &[("csrf_token", &page.csrf())],
        )
        .await;
    assert_eq!(
        ended.location.as_deref(),
        Some("/account/sessies?melding=sessies-beeindigd")
    );
    // The phone's open socket closes as at logout (4401), and its pages send to the login.
    assert_eq!(socket.close_code(Duration::from_secs(5)).await, Some(4401));
    assert!(
        phone
            .get("/account")
            .await
            .location
            .unwrap_or_default()
            .starts_with("/inloggen")
    );
    let after = laptop.get(&ended.location.unwrap()).await.visible_text();
    assert_eq!(after.matches("laatst gebruikt").count(), 1, "{after}");
    assert!(after.contains("Je andere sessies zijn beëindigd."));
}

#[actix_web::test]
async fn the_organisation_and_the_partnership_decide_who_must_set_one_up() {
    // A deployment that leaves it to each organisation.
    let app = TestApp::spawn().await;
    app.user(ANNA, "Anna de Boer", Role::Professional, Some(VEILIG_THUIS));
    app.user(PETRA, "Petra de Graaf", Role::OrgAdmin, Some(VEILIG_THUIS));
    app.user(
        "joost@school.example",
        "Joost Mulder",
        Role::Professional,
        Some("Basisschool De Regenboog"),
    );
    app.coordinator(
        "hanna@veiligheidshuis.example",
        "Hanna Kuiper",
        "Veiligheidshuis Zuid-Holland Zuid",
        crate::common::DEFAULT_PARTNERSHIP,
    );
    let first = app.client().login(ANNA, PASSWORD).await;
    assert_eq!(first.location.as_deref(), Some("/"), "no second step yet");

    // Petra requires it of Veilig Thuis: Anna sets one up at her next login, Joost (a school) not.
    let petra = signed_in(&app, PETRA).await;
    let rule = petra
        .submit(
            "/beheer/tweede-factor",
            "/beheer/tweede-factor",
            &[("verplicht", "ja")],
        )
        .await;
    assert_eq!(
        rule.location.as_deref(),
        Some("/beheer/tweede-factor?melding=regel-opgeslagen")
    );
    assert_eq!(events_of(&app, EventKind::OrganisationSecondFactorRule), 1);
    let next = app.client().login(ANNA, PASSWORD).await;
    assert_eq!(next.location.as_deref(), Some("/inloggen/tweede-factor"));
    let joost = app.client().login("joost@school.example", PASSWORD).await;
    assert_eq!(joost.location.as_deref(), Some("/"));
    // Nonsense is refused with the form again; nothing changes.
    let refused = petra
        .submit(
            "/beheer/tweede-factor",
            "/beheer/tweede-factor",
            &[("verplicht", "misschien")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .visible_text()
            .contains("Kies verplicht of niet verplicht.")
    );

    // The coordinator requires it of the whole partnership: now Joost too.
    let hanna = signed_in(&app, "hanna@veiligheidshuis.example").await;
    let address = format!(
        "/beheer/samenwerkingsverbanden/{}/tweede-factor",
        crate::common::DEFAULT_PARTNERSHIP
    );
    let rule = hanna
        .submit(&address, &address, &[("verplicht", "ja")])
        .await;
    assert_eq!(
        rule.status,
        StatusCode::SEE_OTHER,
        "{}",
        rule.visible_text()
    );
    let joost = app.client().login("joost@school.example", PASSWORD).await;
    assert_eq!(joost.location.as_deref(), Some("/inloggen/tweede-factor"));
    // Petra cannot set the partnership's rule, Hanna not Veilig Thuis's.
    assert_eq!(petra.get(&address).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        hanna.get("/beheer/tweede-factor").await.status,
        StatusCode::FORBIDDEN
    );

    // From the account page: Petra (signed in before the rule, so no factor yet) sets one up there,
    // and cannot remove it while the rule stands.
    let page = petra
        .submit(
            "/account/tweede-factor",
            "/account/tweede-factor/instellen",
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.visible_text());
    let done = petra
        .enrol_on(PETRA, &page, "/account/tweede-factor/bevestigen")
        .await;
    assert!(done.visible_text().contains("Je herstelcodes"));
    let removal = petra
        .submit(
            "/account/tweede-factor",
            "/account/tweede-factor/verwijderen",
            &[],
        )
        .await;
    assert_eq!(removal.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("second_factors"), 1);
    // Without the rules it may go.
    petra
        .submit(
            "/beheer/tweede-factor",
            "/beheer/tweede-factor",
            &[("verplicht", "nee")],
        )
        .await;
    hanna
        .submit(&address, &address, &[("verplicht", "nee")])
        .await;
    let removal = petra
        .submit(
            "/account/tweede-factor",
            "/account/tweede-factor/verwijderen",
            &[],
        )
        .await;
    assert_eq!(
        removal.location.as_deref(),
        Some("/account/tweede-factor?melding=tweede-factor-verwijderd")
    );
    assert_eq!(app.count("second_factors"), 0);
    assert_eq!(events_of(&app, EventKind::UserSecondFactorRemoved), 1);
}

#[actix_web::test]
async fn the_pseudonymised_besluitenlijst_asks_for_the_password_again_and_then_downloads() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, true).await;
    let chair = signed_in(&app, "ingrid@vt.example").await;
    let pdf = format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf?versie=gepseudonimiseerd");
    assert_eq!(
        chair.get(&pdf).await.status,
        StatusCode::OK,
        "just logged in"
    );

    app.clock.advance(chrono::Duration::minutes(11));
    let asked = chair.get(&pdf).await;
    let confirm = asked.location.expect("sent to the confirm page");
    assert!(
        confirm.starts_with("/account/bevestigen?terug="),
        "{confirm}"
    );
    let page = chair.get(&confirm).await;
    assert_eq!(
        page.value("input[name=confirm_return]").as_deref(),
        Some(pdf.as_str())
    );
    // Without a second factor of her own, her password is the confirmation.
    let done = chair
        .post(
            "/account/bevestigen",
            &[
                ("csrf_token", &page.csrf()),
                ("confirm_return", &pdf),
                ("confirm_method", "get"),
                ("confirm_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some(pdf.as_str()));
    let file = chair.get(&pdf).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers["content-type"], "application/pdf");
}
