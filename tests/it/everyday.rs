//! A week of real work without dead ends (issue 18), over HTTP: a mailed file link followed while logged
//! out, the portal's quick exit ending the session, and the family's access log folding repeated
//! readings together. The browser's side of these is in everyday_browser.rs.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::domain::family::PersonRole;
use samenspel::domain::table;

use crate::common::meeting::{close_meeting, run_meeting};
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in};
use crate::common::{Client, PASSWORD, TestApp, link_in};

#[actix_web::test]
async fn a_mailed_pdf_link_followed_while_logged_out_offers_the_file_after_login() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    close_meeting(&ingrid, meeting).await;
    table::set_send_mode(&mut app.conn(), c.table, "link").unwrap();
    let before = app.mails().len();
    let sent = ingrid
        .submit(
            &format!("/bijeenkomsten/{meeting}"),
            &format!("/bijeenkomsten/{meeting}/versturen"),
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let mail = app
        .mails()
        .into_iter()
        .skip(before)
        .find(|m| m.to == "esther@ggz.example")
        .expect("Esther's mail");
    let link = link_in(&mail, &app.base_url);
    let file = link.trim_start_matches(&app.base_url).to_string();
    assert_eq!(file, format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf"));

    // Esther is not logged in: the link asks her to, and remembers the page that offers the file.
    let esther = app.client();
    let asked = esther.get(&file).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let login = asked.location.expect("to the login page");
    assert!(login.starts_with("/inloggen?next="), "{login}");
    let form = esther.get(&login).await;
    let next = form.value("input[name=next]").expect("the return path");
    let offer = format!("/downloaden?bestand=%2Fbijeenkomsten%2F{meeting}%2Fbesluitenlijst.pdf");
    assert_eq!(next, offer);
    let token = form.csrf();
    let done = esther
        .post(
            "/inloggen",
            &[
                ("csrf_token", token.as_str()),
                ("email", "esther@ggz.example"),
                ("password", PASSWORD),
                ("next", next.as_str()),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location.as_deref(), Some(offer.as_str()));

    // The page says the file is ready and links to it; the link gives the PDF.
    let page = esther.get(&offer).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1").as_deref(), Some("Je download staat klaar"));
    let html = page.html();
    let button = html
        .select(&scraper::Selector::parse("a#download").unwrap())
        .next()
        .expect("the download link");
    assert_eq!(button.value().attr("href"), Some(file.as_str()));
    assert!(
        page.text("a#download")
            .unwrap()
            .contains("besluitenlijst.pdf")
    );
    let pdf = esther.get(&file).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");

    // A page, not a file, still returns straight to itself; the offer takes files of this site only.
    let plain = app.client();
    let asked = plain.get(&format!("/bijeenkomsten/{meeting}")).await;
    assert_eq!(
        asked.location.as_deref(),
        Some(format!("/inloggen?next=%2Fbijeenkomsten%2F{meeting}").as_str())
    );
    for bad in [
        "/downloaden?bestand=https%3A%2F%2Fevil.example%2Fx.pdf",
        "/downloaden?bestand=%2F%2Fevil.example%2Fx.pdf",
        "/downloaden?bestand=%2Fgezinnen",
        "/downloaden",
    ] {
        let page = esther.get(bad).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{bad}");
        assert_eq!(page.location.as_deref(), Some("/"), "{bad}");
    }
}

#[actix_web::test]
async fn every_export_route_counts_as_a_download_and_no_page_does() {
    for (method, path) in samenspel::web::ROUTES.iter() {
        let file = ["pdf", "xlsx", "csv", ".ics"]
            .iter()
            .any(|ext| path.contains(ext))
            && !path.starts_with("/agenda/");
        if *method == "GET" && file {
            let example = example_of(path);
            assert!(samenspel::web::is_download(&example), "{path}");
        } else if *method == "GET" {
            assert!(!samenspel::web::is_download(path), "{path}");
        }
    }
}

/// An address `path` matches: a file pattern (`{file:actielijst\\.(pdf|xlsx|csv)}`) becomes its first
/// name (`actielijst.pdf`), a parameter its name.
fn example_of(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find("{file:") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        let pattern = &rest[start + "{file:".len()..end - 1];
        let (name, kinds) = pattern.split_once("\\.(").unwrap_or((pattern, ""));
        let first = kinds.split(['|', ')']).next().unwrap_or_default();
        out.push_str(&format!("{name}.{first}"));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.replace(['{', '}'], "")
}

#[test]
fn the_example_address_of_a_file_pattern_is_its_first_file() {
    assert_eq!(
        example_of("/overleggen/{id}/{file:monitor\\.(xlsx|csv)}"),
        "/overleggen/id/monitor.xlsx"
    );
    assert_eq!(
        example_of("/gezinnen/{id}/plan/pdf"),
        "/gezinnen/id/plan/pdf"
    );
}

/// Jansen with a portal account for Sandra Jansen (the mother), her client logged in to it.
pub(crate) async fn jansens_with_sandra() -> (TestApp, Cast, Client) {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra_id = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 34);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let sandra = family_account(&app, &ahmed, c.jansen, sandra_id, "sandra@example.org", "").await;
    (app, c, sandra)
}

/// The rows of sessions that belong to `email`'s account.
pub(crate) fn sessions_of(app: &TestApp, email: &str) -> i64 {
    use samenspel::schema::{sessions, users};
    sessions::table
        .inner_join(users::table.on(users::id.eq(sessions::user_id)))
        .filter(users::email.eq(email))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn the_quick_exit_ends_the_family_members_session_and_leaves_for_a_neutral_site() {
    let (app, _, sandra) = jansens_with_sandra().await;

    // Portal pages are never kept by the browser, and the quick exit is a form with the token.
    let portal = sandra.get("/portaal").await;
    assert_eq!(portal.status, StatusCode::OK);
    assert_eq!(portal.headers["cache-control"], "no-store");
    let html = portal.html();
    let form = html
        .select(&scraper::Selector::parse("form[data-quick-exit]").unwrap())
        .next()
        .expect("the quick exit");
    assert_eq!(form.value().attr("action"), Some("/snel-weg"));
    assert_eq!(form.value().attr("method"), Some("post"));
    assert!(
        portal
            .headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("form-action 'self' https://www.google.nl;"),
        "the form may follow the redirect to the neutral site"
    );

    // Without the token nothing ends.
    let refused = sandra.post("/snel-weg", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(sessions_of(&app, "sandra@example.org"), 1);

    let gone = sandra.submit("/portaal", "/snel-weg", &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(
        gone.location.as_deref(),
        Some(samenspel::web::QUICK_EXIT_TO)
    );
    assert_eq!(sessions_of(&app, "sandra@example.org"), 0);
    let again = sandra.get("/portaal").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(
        again.location.as_deref().unwrap().starts_with("/inloggen"),
        "{:?}",
        again.location
    );
    // Professionals' sessions are left alone, and an exit without a session still leaves.
    assert_eq!(sessions_of(&app, "ahmed@vt.example"), 1);
    let stranger = app.client();
    let left = stranger.submit("/inloggen", "/snel-weg", &[]).await;
    assert_eq!(
        left.location.as_deref(),
        Some(samenspel::web::QUICK_EXIT_TO)
    );
}

/// The lines of the family's access log about the family record read by someone of the social
/// neighbourhood team, as the family reads them.
async fn wijkteam_readings(client: &Client) -> Vec<String> {
    let page = client.get("/portaal/inzage").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.html();
    html.select(&scraper::Selector::parse("tbody tr").unwrap())
        .map(crate::common::folded_text)
        .filter(|t| t.contains("Sociaal wijkteam Dordrecht") && t.contains("Gezinsdossier"))
        .collect()
}

#[actix_web::test]
async fn the_family_reads_repeated_readings_of_one_day_as_one_line_with_a_count() {
    let (app, c, sandra) = jansens_with_sandra().await;

    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let family = format!("/gezinnen/{}", c.jansen);
    for _ in 0..3 {
        assert_eq!(karin.get(&family).await.status, StatusCode::OK);
    }
    let record = wijkteam_readings(&sandra).await;
    assert_eq!(record.len(), 1, "{record:#?}");
    assert!(record[0].contains("3 keer: Gezinsdossier"), "{}", record[0]);
    assert!(record[0].contains("(laatste keer)"), "{}", record[0]);

    // The next day's reading is a line of its own, on top; one reading has no count. (A day on, both
    // log in again.)
    app.clock.advance(chrono::Duration::days(1));
    karin.login_ok("karin@wijkteam.example").await;
    sandra.login_ok("sandra@example.org").await;
    assert_eq!(karin.get(&family).await.status, StatusCode::OK);
    let record = wijkteam_readings(&sandra).await;
    assert_eq!(record.len(), 2, "{record:#?}");
    assert!(!record[0].contains("keer"), "{}", record[0]);
    assert!(record[1].contains("3 keer: Gezinsdossier"), "{}", record[1]);
}
