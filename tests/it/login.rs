//! Logging in and out: sessions, throttling and CSRF.

use reqwest::StatusCode;
use samenspel::domain::user::Role;

use crate::common::{PASSWORD, TestApp};

#[actix_web::test]
async fn a_professional_logs_in_and_sees_the_start_page_in_dutch() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();

    let page = client
        .login("Ahmed.Benali@VeiligThuis.example ", PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/"));

    let home = client.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.text("h1").as_deref(), Some("Mijn overzicht"));
    assert!(home.body.contains(r#"<html lang="nl""#));
    let header = home.text("header").unwrap();
    assert!(header.contains("Ahmed Benali"), "{header}");
    assert!(
        header.contains("Veilig Thuis Zuid-Holland Zuid"),
        "{header}"
    );
    assert!(home.visible_text().contains("Uitloggen"));
}

#[actix_web::test]
async fn an_empty_login_form_comes_back_with_the_email_kept_and_a_dutch_message() {
    let app = TestApp::spawn().await;
    let client = app.client();

    let page = client.login("", "").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.visible_text().contains("Vul je e-mailadres in."));
    assert!(page.visible_text().contains("Vul je wachtwoord in."));

    let page = client.login("karin@wijkteam.example", "").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.value("input#email").as_deref(),
        Some("karin@wijkteam.example")
    );
    assert_eq!(
        page.text("#password-error").as_deref(),
        Some("Fout: Vul je wachtwoord in.")
    );
    assert!(!page.visible_text().contains("Vul je e-mailadres in."));
    assert_eq!(
        app.count("login_attempts"),
        0,
        "an incomplete form is no attempt"
    );
}

#[actix_web::test]
async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();

    let wrong_password = client
        .login("ahmed.benali@veiligthuis.example", "niet het wachtwoord")
        .await;
    let unknown_account = client
        .login("niemand@veiligthuis.example", "niet het wachtwoord")
        .await;
    for page in [&wrong_password, &unknown_account] {
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(
            page.visible_text()
                .contains("Het e-mailadres of het wachtwoord klopt niet.")
        );
    }
    assert_eq!(
        wrong_password.value("input#email").as_deref(),
        Some("ahmed.benali@veiligthuis.example")
    );
    assert!(client.cookie("samenspel_session").is_none());
    assert_eq!(app.count("sessions"), 0);
    assert_eq!(client.get("/").await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn after_five_failures_even_the_right_password_is_refused_with_a_time_to_retry() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    for _ in 0..5 {
        let page = client
            .login("ahmed.benali@veiligthuis.example", "fout wachtwoord")
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }

    let page = client
        .login("ahmed.benali@veiligthuis.example", PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    let text = page.visible_text();
    assert!(
        text.contains("Er is te vaak een verkeerd wachtwoord ingevuld."),
        "{text}"
    );
    let retry = text
        .split("Probeer het opnieuw na ")
        .nth(1)
        .expect("a time to retry");
    let (hh, mm) = (&retry[0..2], &retry[3..5]);
    assert!(
        hh.parse::<u32>().unwrap() < 24 && mm.parse::<u32>().unwrap() < 60,
        "{retry}"
    );
    assert!(retry[5..].starts_with(" uur"), "{retry}");
    assert_eq!(app.count("sessions"), 0);

    // The lock is on the account: another browser does not get around it.
    let other_client = app.client();
    let page = other_client
        .login("ahmed.benali@veiligthuis.example", PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}

#[actix_web::test]
async fn a_post_without_a_valid_csrf_token_gets_the_403_page_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    client.get("/inloggen").await;

    for token in [None, Some("verkeerd-token-verkeerd-token-verkeerd-token")] {
        let mut form = vec![
            ("email", "ahmed.benali@veiligthuis.example"),
            ("password", PASSWORD),
        ];
        if let Some(t) = token {
            form.push(("csrf_token", t));
        }
        let page = client.post("/inloggen", &form).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert_eq!(page.text("h1").as_deref(), Some("Geen toegang"));
        assert!(page.visible_text().contains("Er is niets veranderd."));
        assert!(
            page.body.contains("Direct naar de inhoud"),
            "the 403 page has the layout"
        );
    }
    assert_eq!(app.count("sessions"), 0);
    assert_eq!(app.count("login_attempts"), 0);

    // Signed in: logging out without the token does not log out.
    client.login_ok("ahmed.benali@veiligthuis.example").await;
    let page = client.post("/uitloggen", &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(client.get("/").await.status, StatusCode::OK);
    assert_eq!(app.count("sessions"), 1);

    // A token from another visitor's page does not work either.
    let other = app.client();
    let foreign_token = other.get("/inloggen").await.csrf();
    let page = client
        .post("/uitloggen", &[("csrf_token", &foreign_token)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("sessions"), 1);
}

/// A login posted with the right token from a page on evil.example, naming that host in
/// `X-Forwarded-Host` when given.
async fn login_from_another_site(app: &TestApp, forwarded_host: Option<&str>) -> StatusCode {
    let client = app.client();
    let token = client.get("/inloggen").await.csrf();
    let mut request = client
        .http
        .post(client.url("/inloggen"))
        .header("Origin", "https://evil.example");
    if let Some(host) = forwarded_host {
        request = request.header("X-Forwarded-Host", host);
    }
    let res = request
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "ahmed.benali@veiligthuis.example"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    res.status()
}

#[actix_web::test]
async fn a_post_from_another_site_is_refused_even_with_the_token() {
    let app = TestApp::spawn().await;
    app.professional();
    assert_eq!(
        login_from_another_site(&app, None).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.count("sessions"), 0);
}

#[actix_web::test]
async fn a_forwarded_host_names_the_site_only_behind_a_trusted_proxy() {
    let direct = TestApp::spawn_with(&[("SAMENSPEL_TRUST_PROXY", "false")]).await;
    direct.professional();
    assert_eq!(
        login_from_another_site(&direct, Some("evil.example")).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(direct.count("sessions"), 0);
    // Behind a proxy the balancer sets the header; the host it names is this site.
    let proxied = TestApp::spawn_with(&[("SAMENSPEL_TRUST_PROXY", "true")]).await;
    proxied.professional();
    assert_eq!(
        login_from_another_site(&proxied, Some("evil.example")).await,
        StatusCode::SEE_OTHER
    );
}

#[actix_web::test]
async fn logging_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    client.login_ok("ahmed.benali@veiligthuis.example").await;
    let token = client.cookie("samenspel_session").expect("session cookie");

    let page = client.submit("/", "/uitloggen", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location.as_deref(),
        Some("/inloggen?melding=uitgelogd")
    );
    assert!(
        client
            .get("/inloggen?melding=uitgelogd")
            .await
            .visible_text()
            .contains("Je bent uitgelogd.")
    );
    assert_eq!(app.count("sessions"), 0);

    // Someone who copied the cookie before logout gets nothing with it.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/"))
        .header("Cookie", format!("samenspel_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/inloggen?next=%2F");
}

#[actix_web::test]
async fn every_login_starts_a_new_session_and_the_old_one_stops_working() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    client.login_ok("ahmed.benali@veiligthuis.example").await;
    let first = client.cookie("samenspel_session").unwrap();
    let csrf_before = client.get("/").await.csrf();

    let again = client
        .submit(
            "/",
            "/inloggen",
            &[
                ("email", "ahmed.benali@veiligthuis.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let second = client.cookie("samenspel_session").unwrap();
    assert_ne!(first, second);
    assert_ne!(
        client.get("/").await.csrf(),
        csrf_before,
        "the CSRF token belongs to the session"
    );
    assert_eq!(app.count("sessions"), 1, "the old session was ended");

    let stale = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/account"))
        .header("Cookie", format!("samenspel_session={first}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    let token = client.get("/inloggen").await.csrf();
    let res = client
        .http
        .post(client.url("/inloggen"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "ahmed.benali@veiligthuis.example"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let set_cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("samenspel_session="))
        .expect("session cookie set");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let token = set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("samenspel_session=");
    // Only the hash is stored: the cookie's value is nowhere in the database.
    use diesel::prelude::*;
    let stored: Vec<String> = samenspel::schema::sessions::table
        .select(samenspel::schema::sessions::token_hash)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);
    assert_eq!(stored[0], samenspel::auth::token_hash(token));
}

#[actix_web::test]
async fn an_idle_session_expires_and_asks_to_log_in_again() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    client.login_ok("ahmed.benali@veiligthuis.example").await;

    assert_eq!(client.get("/account").await.status, StatusCode::OK);
    // Two hours without a click.
    app.clock.advance(chrono::Duration::hours(2));

    let page = client.get("/account").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/inloggen?next=%2Faccount"));
    assert_eq!(app.count("sessions"), 0);
}

#[actix_web::test]
async fn after_login_the_user_lands_where_they_wanted_to_go_but_never_on_another_site() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    let page = client.get("/account").await;
    assert_eq!(page.location.as_deref(), Some("/inloggen?next=%2Faccount"));
    let form = client.get("/inloggen?next=%2Faccount").await;
    assert_eq!(form.value("input[name=next]").as_deref(), Some("/account"));
    let page = client
        .post(
            "/inloggen",
            &[
                ("csrf_token", &form.csrf()),
                ("email", "ahmed.benali@veiligthuis.example"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/account"));

    // A tab is dropped by Chromium in a Location, so "/\t/evil.example" would be "//evil.example".
    for next in ["//evil.example/", "/\t/evil.example/x"] {
        let other = app.client();
        let page = other
            .submit(
                "/inloggen",
                "/inloggen",
                &[
                    ("email", "ahmed.benali@veiligthuis.example"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(page.location.as_deref(), Some("/"), "{next:?}");
    }
}

#[actix_web::test]
async fn a_return_path_with_a_control_character_or_a_second_slash_leads_home() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    let bad = [
        "/\t/evil.example/x",
        "/\n/evil.example/x",
        "/\r\nSet-Cookie: x=1",
        "/\u{7f}/evil.example",
        "/\\evil.example",
        "///evil.example",
    ];
    // Anonymous, the form carries "/" on; signed in, the login page sends the visitor there at once.
    for signed_in in [false, true] {
        if signed_in {
            client.login_ok("ahmed.benali@veiligthuis.example").await;
        }
        for next in bad {
            let page = client
                .get(&format!("/inloggen?next={}", urlencoding(next)))
                .await;
            let carried = match signed_in {
                false => page.value("input[name=next]"),
                true => page.location.clone(),
            };
            assert_eq!(carried.as_deref(), Some("/"), "{next:?}");
        }
    }
    let page = client.get("/inloggen?next=%2Faccount%3Fx%3D1").await;
    assert_eq!(page.location.as_deref(), Some("/account?x=1"));
}

fn urlencoding(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[actix_web::test]
async fn an_inactive_account_cannot_log_in() {
    let app = TestApp::spawn().await;
    let user = app.user(
        "oud@veiligthuis.example",
        "Oud Account",
        Role::Professional,
        Some("Veilig Thuis"),
    );
    use diesel::prelude::*;
    diesel::update(samenspel::schema::users::table.find(user.id))
        .set(samenspel::schema::users::active.eq(false))
        .execute(&mut *app.conn())
        .unwrap();
    let page = app
        .client()
        .login("oud@veiligthuis.example", PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
}

/// Sends logins at once, each with the same CSRF token, and returns their answers.
async fn login_burst(
    client: &crate::common::Client,
    attempts: impl Iterator<Item = (String, &'static str)>,
) -> Vec<StatusCode> {
    let forms =
        attempts.map(|(email, password)| vec![("email", email), ("password", password.into())]);
    let pages = client.submit_all("/inloggen", "/inloggen", forms).await;
    pages.iter().map(|p| p.status).collect()
}

#[actix_web::test]
async fn a_burst_of_logins_checks_no_more_passwords_than_the_limits_allow() {
    use samenspel::auth::throttle::{ACCOUNT_LIMIT, ADDRESS_LIMIT};
    use std::sync::atomic::Ordering;
    const AHMED: &str = "ahmed.benali@veiligthuis.example";
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();

    // One account: 59 wrong passwords at once, then the right one.
    let wrong = std::iter::repeat_n((AHMED.to_string(), "fout wachtwoord"), 59);
    let answers = login_burst(&client, wrong).await;
    let checked = app.password_checks.load(Ordering::SeqCst);
    let refused = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(
        checked <= ACCOUNT_LIMIT as u64,
        "{checked} passwords checked for one account, {refused} of 59 refused unchecked"
    );
    assert_eq!(refused as u64, 59 - checked);
    assert!(
        answers
            .iter()
            .all(|s| matches!(*s, StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS))
    );
    eprintln!("one account, 59 at once: {checked} passwords checked");
    let page = client.login(AHMED, PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "locked");
    assert_eq!(app.password_checks.load(Ordering::SeqCst), checked);
    assert_eq!(app.count("sessions"), 0);

    // One address, a different account each time: the address's limit holds over all of them.
    let many = (0..60).map(|n| (format!("iemand{n}@example.org"), "fout wachtwoord"));
    let answers = login_burst(&client, many).await;
    let checked = app.password_checks.load(Ordering::SeqCst);
    assert!(
        checked <= ADDRESS_LIMIT as u64,
        "{checked} passwords checked from one address"
    );
    let refused = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(refused >= 60 - ADDRESS_LIMIT as usize, "{refused} refused");
    eprintln!("one address, 60 accounts at once: {checked} passwords checked in all");
}
