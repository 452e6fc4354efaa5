//! Error pages, security headers, static files and unreadable requests.

use reqwest::StatusCode;

use crate::common::TestApp;

#[actix_web::test]
async fn an_unknown_page_gets_the_404_page_in_the_layout() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    let page = client.get("/bestaat-niet").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.text("h1").as_deref(), Some("Pagina niet gevonden"));
    assert!(page.text("a.utrecht-skip-link").is_some());

    client.login_ok("ahmed.benali@veiligthuis.example").await;
    let page = client.get("/bestaat-niet").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.text("header").unwrap().contains("Ahmed Benali"),
        "signed-in header on the error page"
    );
}

#[actix_web::test]
async fn an_address_with_a_word_for_a_number_gets_the_404_page() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    client.login_ok("ahmed.benali@veiligthuis.example").await;
    for path in [
        "/bijeenkomsten/abc",
        "/gezinnen/abc",
        "/gezinnen/99999999999999999999999",
    ] {
        let page = client.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            page.text("h1").as_deref(),
            Some("Pagina niet gevonden"),
            "{path}"
        );
        assert!(!page.body.contains("can not parse"), "{path}");
    }
}

#[actix_web::test]
async fn a_forbidden_page_gets_the_403_page() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    client.login_ok("ahmed.benali@veiligthuis.example").await;
    let page = client.get("/beheer/organisaties").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.text("h1").as_deref(), Some("Geen toegang"));
    assert!(
        page.visible_text()
            .contains("Je hebt geen toestemming voor deze actie.")
    );
}

#[actix_web::test]
async fn pages_send_security_headers_and_are_not_cached() {
    let app = TestApp::spawn().await;
    let page = app.client().get("/inloggen").await;
    let h = &page.headers;
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    assert!(
        h.get("strict-transport-security").is_none(),
        "no HSTS without TLS"
    );
    assert_eq!(h["x-request-id"].len(), 12);
    // No inline script anywhere on the page, so the CSP never has to allow it.
    assert!(!page.body.contains("<script>"));
    assert!(!page.body.contains("onclick=") && !page.body.contains("onload="));
}

#[actix_web::test]
async fn behind_tls_responses_send_hsts_and_cookies_are_secure() {
    let app = TestApp::spawn_with(&[("SAMENSPEL_SECURE_COOKIES", "true")]).await;
    let res = app
        .client()
        .http
        .get(app.url("/inloggen"))
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[actix_web::test]
async fn the_nl_design_system_styles_are_served_from_the_app_itself() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let page = client.get("/inloggen").await;
    for href in [
        "/static/vendor/voorbeeld-design-tokens/theme.css",
        "/static/vendor/utrecht/component-library.css",
        "/static/app.css",
    ] {
        assert!(page.body.contains(href), "{href} linked");
        let css = client.get(href).await;
        assert_eq!(css.status, StatusCode::OK, "{href}");
        assert!(
            css.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/css")
        );
    }
    let tokens = client
        .get("/static/vendor/voorbeeld-design-tokens/theme.css")
        .await;
    assert!(tokens.body.contains(".voorbeeld-theme"));
    // The theme's fonts come from the app too: every file the font CSS names is there, as a web font.
    assert!(page.body.contains("/static/vendor/noto/fonts.css"));
    let fonts = client.get("/static/vendor/noto/fonts.css").await;
    for family in ["'Noto Sans'", "'Noto Sans Mono'", "'Noto Serif'"] {
        assert!(fonts.body.contains(family), "{family} declared");
    }
    let files: Vec<&str> = fonts
        .body
        .split("url(")
        .skip(1)
        .map(|rest| rest.split(')').next().unwrap())
        .collect();
    assert!(files.len() >= 10, "{files:?}");
    for file in files {
        let font = client.get(&format!("/static/vendor/noto/{file}")).await;
        assert_eq!(font.status, StatusCode::OK, "{file}");
        assert_eq!(font.headers["content-type"], "font/woff2", "{file}");
    }
    assert!(
        page.body
            .contains(r#"class="utrecht-document voorbeeld-theme""#)
    );
    assert_eq!(
        client.get("/static/vendor/utrecht/LICENSE.md").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn unreadable_or_oversized_forms_get_a_clear_page_never_a_500() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    let token = client.get("/inloggen").await.csrf();

    // Invalid UTF-8 in a field.
    let mut body = format!("csrf_token={token}&email=").into_bytes();
    body.extend_from_slice(&[0xff, 0xfe, 0x00]);
    body.extend_from_slice(b"&password=x");
    let res = client
        .http
        .post(client.url("/inloggen"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Verzoek niet te verwerken")
    );

    // A NUL character, percent-encoded: PostgreSQL cannot store it, so it is refused up front.
    let page = client
        .post(
            "/inloggen",
            &[
                ("csrf_token", token.as_str()),
                ("email", "ahmed\0@veiligthuis.example"),
                ("password", "x"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("login_attempts"),
        0,
        "nothing was tried or written"
    );

    // A body over the limit.
    let huge = format!(
        "csrf_token={token}&email={}&password=x",
        "a".repeat(3 * 1024 * 1024)
    );
    let res = client
        .http
        .post(client.url("/inloggen"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.unwrap().contains("Te veel tekst"));

    // JSON where a form is expected: there is no token to read, so it is refused as a forgery.
    let res = client
        .http
        .post(client.url("/inloggen"))
        .header("Content-Type", "application/json")
        .body(r#"{"email":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A right token but a form the handler cannot read (language that does not exist).
    let page = client
        .post("/taal", &[("csrf_token", &token), ("lang", "klingon")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text("h1").as_deref(),
        Some("Verzoek niet te verwerken")
    );
    assert_eq!(app.count("sessions"), 0);
}
