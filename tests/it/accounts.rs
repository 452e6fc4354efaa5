//! Invitations, password resets, password changes, language, and account administration.

use reqwest::StatusCode;
use samenspel::domain::user::{Role, User};
use samenspel::events::{Event, EventKind};

use crate::common::world::signed_in;
use crate::common::{PASSWORD, Page, TestApp, link_in};

const NEW_PASSWORD: &str = "koffie met oma op zaterdag";

#[actix_web::test]
async fn an_organisation_admin_invites_a_colleague_who_sets_a_password_and_logs_in() {
    let app = TestApp::spawn().await;
    app.user(
        "petra@veiligthuis.example",
        "Petra de Graaf",
        Role::OrgAdmin,
        Some("Veilig Thuis ZHZ"),
    );
    let admin = app.client();
    admin.login_ok("petra@veiligthuis.example").await;

    let form = admin.get("/beheer/gebruikers/uitnodigen").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text("select#organisation_id").is_none(),
        "an org admin invites into their own organisation"
    );
    let page = admin
        .submit(
            "/beheer/gebruikers/uitnodigen",
            "/beheer/gebruikers/uitnodigen",
            &[
                ("name", "Karin de Vries"),
                ("email", "Karin@VeiligThuis.example"),
                ("role", "professional"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    let list = admin.get(page.location.as_deref().unwrap()).await;
    assert!(list.visible_text().contains("De uitnodiging is verstuurd."));
    assert!(
        list.visible_text()
            .contains("Uitgenodigd, nog geen wachtwoord")
    );

    let mails = app.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, "karin@veiligthuis.example");
    assert_eq!(mail.subject, "Uitnodiging voor Samenspel");
    assert!(
        mail.text
            .contains("Petra de Graaf heeft een account voor je gemaakt"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("Veilig Thuis ZHZ"));
    assert!(mail.html.contains("<a href=\""));
    let link = link_in(mail, &app.base_url);

    let karin = app.client();
    let path = link.trim_start_matches(&app.base_url);
    let page = karin.get(path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.visible_text().contains("Hallo Karin de Vries"));

    let page = karin
        .submit(
            path,
            path,
            &[("password", "te kort"), ("password_repeat", "te kort")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.visible_text().contains("Het wachtwoord is te kort."));

    let page = karin
        .submit(
            path,
            path,
            &[
                ("password", NEW_PASSWORD),
                ("password_repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some("/inloggen?melding=wachtwoord-ingesteld")
    );
    assert_eq!(
        karin
            .login("karin@veiligthuis.example", NEW_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        karin
            .get("/")
            .await
            .text("header")
            .unwrap()
            .contains("Karin de Vries")
    );

    // The link works once.
    let again = app.client().get(path).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(
        again.text("h1").as_deref(),
        Some("Deze link werkt niet meer")
    );
}

#[actix_web::test]
async fn an_invitation_with_mistakes_keeps_what_was_typed_and_says_what_to_fix() {
    let app = TestApp::spawn().await;
    app.user(
        "petra@veiligthuis.example",
        "Petra de Graaf",
        Role::OrgAdmin,
        Some("Veilig Thuis ZHZ"),
    );
    let admin = app.client();
    admin.login_ok("petra@veiligthuis.example").await;

    let page = admin
        .submit(
            "/beheer/gebruikers/uitnodigen",
            "/beheer/gebruikers/uitnodigen",
            &[
                ("name", "Zoë d’Ancona"),
                ("email", "zoe at wijkteam"),
                ("role", "system_admin"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.value("input#name").as_deref(), Some("Zoë d’Ancona"));
    assert_eq!(
        page.value("input#email").as_deref(),
        Some("zoe at wijkteam")
    );
    let text = page.visible_text();
    assert!(text.contains("Dit is geen geldig e-mailadres."), "{text}");
    assert!(
        text.contains("Kies een rol."),
        "an org admin cannot make a system admin: {text}"
    );
    assert_eq!(app.count("users"), 1);
    assert!(app.mails().is_empty());

    // An address that has an account already.
    let page = admin
        .submit(
            "/beheer/gebruikers/uitnodigen",
            "/beheer/gebruikers/uitnodigen",
            &[
                ("name", "Petra twee"),
                ("email", "PETRA@veiligthuis.example"),
                ("role", "professional"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text()
            .contains("Er is al een account met dit e-mailadres.")
    );
    assert_eq!(app.count("users"), 1);
}

#[actix_web::test]
async fn names_with_markup_and_diacritics_are_shown_escaped_and_intact() {
    let app = TestApp::spawn().await;
    app.user(
        "beheer@samenspel.example",
        "Beheer",
        Role::SystemAdmin,
        None,
    );
    let org = app.organisation(
        "Veilig Thuis",
        samenspel::domain::organisation::OrganisationKind::VeiligThuis,
    );
    let admin = app.client();
    admin.login_ok("beheer@samenspel.example").await;
    let name = "<script>alert('x')</script> Zoë Çelik-d’Ancona";
    let page = admin
        .submit(
            "/beheer/gebruikers/uitnodigen",
            "/beheer/gebruikers/uitnodigen",
            &[
                ("name", name),
                ("email", "zoe@vt.example"),
                ("role", "professional"),
                ("organisation_id", &org.to_string()),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    let list = admin.get("/beheer/gebruikers").await;
    assert!(!list.body.contains("<script>alert"), "markup is escaped");
    assert!(list.visible_text().contains(name), "and shown as typed");
}

#[actix_web::test]
async fn a_burst_of_reset_requests_answers_before_its_mail_and_sends_one() {
    const AHMED: &str = "ahmed.benali@veiligthuis.example";
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();
    let ask = |emails: Vec<&'static str>| {
        let forms = emails.into_iter().map(|e| vec![("email", e.to_string())]);
        client.submit_all("/wachtwoord-vergeten", "/wachtwoord-vergeten", forms)
    };
    // While no mail can be delivered, thirty requests for one address and one for an unknown address
    // are all answered: the answer does not wait for the mail.
    let hold = app.hold_mail();
    let mut emails = vec![AHMED; 30];
    emails.push("niemand@veiligthuis.example");
    let answered = tokio::time::timeout(std::time::Duration::from_secs(20), ask(emails)).await;
    // (Reading the mailbox would wait for the hold too: the answers are looked at after it.)
    drop(hold);
    let pages = answered.expect("the answers came while the mail was held back");
    for page in &pages {
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text("main"), pages[0].text("main"), "the same answer");
    }
    assert!(
        pages[0]
            .visible_text()
            .contains("Als er een account bij dit e-mailadres hoort")
    );

    // Then one mail goes out, and asking again right away sends no other.
    let mails = app.wait_for_mails(1).await;
    let again = ask(vec![AHMED]).await;
    assert_eq!(again[0].text("main"), pages[0].text("main"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mails().len(), 1, "one reset mail per address at a time");
    assert_eq!(mails[0].to, AHMED);
    let path = link_in(&mails[0], &app.base_url)
        .trim_start_matches(&app.base_url)
        .to_string();
    assert_eq!(
        client.get(&path).await.status,
        StatusCode::OK,
        "the link works"
    );
}

#[actix_web::test]
async fn a_password_reset_by_email_works_once_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    app.professional();
    let laptop = app.client();
    laptop.login_ok("ahmed.benali@veiligthuis.example").await;

    let phone = app.client();
    let page = phone
        .submit(
            "/wachtwoord-vergeten",
            "/wachtwoord-vergeten",
            &[("email", "ahmed.benali@veiligthuis.example")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let confirmation = page.visible_text();
    assert!(confirmation.contains("Als er een account bij dit e-mailadres hoort"));

    // An unknown address gets the same answer and no mail.
    let unknown = app
        .client()
        .submit(
            "/wachtwoord-vergeten",
            "/wachtwoord-vergeten",
            &[("email", "niemand@veiligthuis.example")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(unknown.text("main"), page.text("main"));

    let mails = app.wait_for_mails(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject, "Nieuw wachtwoord voor Samenspel");
    let path = link_in(&mails[0], &app.base_url)
        .trim_start_matches(&app.base_url)
        .to_string();

    let page = phone
        .submit(
            &path,
            &path,
            &[
                ("password", NEW_PASSWORD),
                ("password_repeat", "iets anders dan dat"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text()
            .contains("De twee wachtwoorden zijn niet hetzelfde.")
    );

    let page = phone
        .submit(
            &path,
            &path,
            &[
                ("password", NEW_PASSWORD),
                ("password_repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some("/inloggen?melding=wachtwoord-ingesteld")
    );

    assert_eq!(
        laptop.get("/").await.status,
        StatusCode::SEE_OTHER,
        "the laptop's session ended"
    );
    assert_eq!(
        phone
            .login("ahmed.benali@veiligthuis.example", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        phone
            .login("ahmed.benali@veiligthuis.example", NEW_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.client().get(&path).await.status, StatusCode::GONE);
}

#[actix_web::test]
async fn changing_the_password_needs_the_current_one_and_logs_out_other_devices() {
    let app = TestApp::spawn().await;
    app.professional();
    let laptop = app.client();
    let phone = app.client();
    laptop.login_ok("ahmed.benali@veiligthuis.example").await;
    phone.login_ok("ahmed.benali@veiligthuis.example").await;

    let page = laptop
        .submit(
            "/account",
            "/account/wachtwoord",
            &[
                ("current_password", "geraden wachtwoord"),
                ("password", NEW_PASSWORD),
                ("password_repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text()
            .contains("Je huidige wachtwoord klopt niet.")
    );
    assert_eq!(phone.get("/").await.status, StatusCode::OK);

    let page = laptop
        .submit(
            "/account",
            "/account/wachtwoord",
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some("/account?melding=wachtwoord-gewijzigd")
    );
    assert_eq!(
        laptop.get("/account").await.status,
        StatusCode::OK,
        "this device stays logged in"
    );
    assert_eq!(
        phone.get("/").await.status,
        StatusCode::SEE_OTHER,
        "the other device is logged out"
    );
}

#[actix_web::test]
async fn english_is_available_from_the_browser_and_as_a_preference() {
    let app = TestApp::spawn().await;
    app.professional();
    let client = app.client();

    let res = client
        .http
        .get(client.url("/inloggen"))
        .header("Accept-Language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(body.contains(r#"<html lang="en""#));
    assert!(body.contains("Log in with your work email address"));

    client.login_ok("ahmed.benali@veiligthuis.example").await;
    assert_eq!(
        client.get("/").await.text("h1").as_deref(),
        Some("Mijn overzicht")
    );
    let page = client
        .submit("/", "/taal", &[("lang", "en"), ("return_to", "/account")])
        .await;
    assert_eq!(page.location.as_deref(), Some("/account"));
    assert_eq!(
        client.get("/").await.text("h1").as_deref(),
        Some("My overview")
    );

    // The choice is kept on the account: another browser shows English after login.
    let other = app.client();
    other.login_ok("ahmed.benali@veiligthuis.example").await;
    assert_eq!(
        other.get("/").await.text("h1").as_deref(),
        Some("My overview")
    );
}

#[actix_web::test]
async fn a_system_admin_adds_organisations_and_sees_every_account_but_not_who_is_a_client() {
    let app = TestApp::spawn().await;
    app.user(
        "beheer@samenspel.example",
        "Beheer",
        Role::SystemAdmin,
        None,
    );
    app.professional();
    app.user("sandra@example.org", "Sandra Jansen", Role::Family, None);
    app.user("mark@example.org", "Mark Jansen", Role::Family, None);
    let admin = app.client();
    admin.login_ok("beheer@samenspel.example").await;

    let page = admin
        .submit(
            "/beheer/organisaties",
            "/beheer/organisaties",
            &[("name", ""), ("kind", ""), ("oin", "123")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.visible_text();
    assert!(text.contains("Vul de naam van de organisatie in."));
    assert!(text.contains("Kies de soort organisatie."));
    assert!(text.contains("Een OIN bestaat uit precies 20 cijfers."));
    assert_eq!(page.value("input#oin").as_deref(), Some("123"));

    let page = admin
        .submit(
            "/beheer/organisaties",
            "/beheer/organisaties",
            &[
                ("name", "Politie Zuid-Holland Zuid"),
                ("kind", "police"),
                ("oin", "00000001003214345000"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let list = admin.get("/beheer/organisaties").await;
    assert!(list.visible_text().contains("Politie Zuid-Holland Zuid"));
    assert!(list.visible_text().contains("00000001003214345000"));

    let users = admin.get("/beheer/gebruikers").await;
    assert!(users.visible_text().contains("Ahmed Benali"));
    assert!(
        users
            .visible_text()
            .contains("Veilig Thuis Zuid-Holland Zuid")
    );
    // A family portal account says who is a client: counted, never named.
    for secret in [
        "Sandra Jansen",
        "sandra@example.org",
        "Mark Jansen",
        "Gezinslid",
    ] {
        assert!(!users.body.contains(secret), "{secret} in the account list");
    }
    assert!(
        users
            .visible_text()
            .contains("2 accounts van gezinsleden voor het gezinsportaal")
    );
}

#[actix_web::test]
async fn admins_manage_only_their_own_organisation_and_professionals_nothing() {
    let app = TestApp::spawn().await;
    app.user(
        "petra@veiligthuis.example",
        "Petra de Graaf",
        Role::OrgAdmin,
        Some("Veilig Thuis ZHZ"),
    );
    app.user(
        "karin@wijkteam.example",
        "Karin de Vries",
        Role::Professional,
        Some("Wijkteam Dordrecht"),
    );
    let outsider = app.user(
        "ruud@politie.example",
        "Ruud Verbeek",
        Role::Professional,
        Some("Politie"),
    );
    // Ruud has not set a password yet, so he could be invited again: but not by Petra.
    use diesel::prelude::*;
    diesel::update(samenspel::schema::users::table.find(outsider.id))
        .set(samenspel::schema::users::password_hash.eq(None::<String>))
        .execute(&mut *app.conn())
        .unwrap();

    let petra = app.client();
    petra.login_ok("petra@veiligthuis.example").await;
    let list = petra.get("/beheer/gebruikers").await;
    assert!(list.visible_text().contains("Petra de Graaf"));
    assert!(
        !list.visible_text().contains("Karin de Vries"),
        "another organisation's accounts stay hidden"
    );
    assert_eq!(
        petra.get("/beheer/organisaties").await.status,
        StatusCode::FORBIDDEN
    );
    let page = petra
        .submit(
            "/beheer/gebruikers",
            &format!("/beheer/gebruikers/{}/opnieuw-uitnodigen", outsider.id),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(app.mails().is_empty());

    let karin = app.client();
    karin.login_ok("karin@wijkteam.example").await;
    let page = karin.get("/beheer/gebruikers").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.text("h1").as_deref(), Some("Geen toegang"));
    let page = karin
        .submit(
            "/",
            "/beheer/gebruikers/uitnodigen",
            &[
                ("name", "Iemand"),
                ("email", "iemand@x.example"),
                ("role", "professional"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("users"), 3);
}

// Managing existing accounts: name and role, deactivating and activating.

const PETRA: &str = "petra@veiligthuis.example";
const KARIN: &str = "karin@veiligthuis.example";

/// Petra (organisation admin) and her colleague Karin (professional) at Veilig Thuis.
fn petra_and_karin(app: &TestApp) -> (User, User) {
    let organisation = Some("Veilig Thuis ZHZ");
    (
        app.user(PETRA, "Petra de Graaf", Role::OrgAdmin, organisation),
        app.user(KARIN, "Karin de Vries", Role::Professional, organisation),
    )
}

/// The account as it is stored now.
fn stored(app: &TestApp, id: i64) -> User {
    samenspel::domain::user::find(&mut app.conn(), id)
        .unwrap()
        .unwrap()
}

/// The events of `kind`, oldest first.
fn events_of(app: &TestApp, kind: EventKind) -> Vec<Event> {
    use diesel::prelude::*;
    use samenspel::schema::events;
    events::table
        .filter(events::kind.eq(kind.name()))
        .order(events::id.asc())
        .select(Event::as_select())
        .load(&mut *app.conn())
        .unwrap()
}

/// Every account event written so far.
fn account_events(app: &TestApp) -> usize {
    [
        EventKind::UserUpdated,
        EventKind::UserDeactivated,
        EventKind::UserActivated,
    ]
    .into_iter()
    .map(|kind| events_of(app, kind).len())
    .sum()
}

/// The options of the role list on an edit page.
fn role_options(page: &Page) -> Vec<String> {
    let selector = scraper::Selector::parse("select#role option").unwrap();
    page.html()
        .select(&selector)
        .filter_map(|o| o.value().attr("value").map(str::to_string))
        .collect()
}

#[actix_web::test]
async fn an_organisation_admin_renames_a_colleague_and_changes_the_role() {
    let app = TestApp::spawn().await;
    let (_, karin) = petra_and_karin(&app);
    let petra = signed_in(&app, PETRA).await;
    let edit = format!("/beheer/gebruikers/{}/bewerken", karin.id);

    let list = petra.get("/beheer/gebruikers").await;
    assert!(
        list.body.contains(&format!("href=\"{edit}\"")),
        "the list links to the edit page"
    );
    let page = petra.get(&edit).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.value("input#name").as_deref(), Some("Karin de Vries"));
    assert_eq!(role_options(&page), ["professional", "org_admin"]);
    assert!(page.visible_text().contains(KARIN));

    // Mistakes: the form comes back with what was typed and says what to fix.
    let page = petra
        .submit(&edit, &edit, &[("name", "  "), ("role", "baas")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.visible_text();
    assert!(text.contains("Vul een naam in."), "{text}");
    assert!(text.contains("Kies een rol."), "{text}");
    let page = petra
        .submit(&edit, &edit, &[("name", "Karin Jansen-de Vries")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.value("input#name").as_deref(),
        Some("Karin Jansen-de Vries")
    );
    assert!(page.visible_text().contains("Kies een rol."));
    assert_eq!(stored(&app, karin.id).name, "Karin de Vries");
    assert_eq!(account_events(&app), 0);

    let page = petra
        .submit(
            &edit,
            &edit,
            &[("name", "Karin Jansen-de Vries"), ("role", "org_admin")],
        )
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some("/beheer/gebruikers?melding=account-gewijzigd"),
        "{}",
        page.visible_text()
    );
    let list = petra.get(page.location.as_deref().unwrap()).await;
    let text = list.visible_text();
    assert!(text.contains("Het account is gewijzigd."), "{text}");
    assert!(text.contains("Karin Jansen-de Vries"), "{text}");
    let account = stored(&app, karin.id);
    assert_eq!(account.name, "Karin Jansen-de Vries");
    assert_eq!(account.role(), Role::OrgAdmin);

    let events = events_of(&app, EventKind::UserUpdated);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].subject_id, Some(karin.id));
    assert_eq!(events[0].field("name"), "Karin Jansen-de Vries");
    assert_eq!(events[0].field("previous_role"), "professional");

    // Karin is an organisation admin now.
    let karin = signed_in(&app, KARIN).await;
    assert_eq!(karin.get("/beheer/gebruikers").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_deactivated_colleague_is_logged_out_at_once_and_cannot_log_in_until_activated_again() {
    let app = TestApp::spawn().await;
    let (_, karin) = petra_and_karin(&app);
    let petra = signed_in(&app, PETRA).await;
    let karin_browser = signed_in(&app, KARIN).await;
    assert_eq!(karin_browser.get("/").await.status, StatusCode::OK);
    let deactivate = format!("/beheer/gebruikers/{}/deactiveren", karin.id);
    let activate = format!("/beheer/gebruikers/{}/activeren", karin.id);

    // The list asks before it deactivates (a plain form; the browser's confirm comes with it).
    let list = petra.get("/beheer/gebruikers").await;
    let confirm = list
        .confirmation_of(&deactivate)
        .expect("a deactivate button for Karin");
    assert!(confirm.contains("Karin de Vries"), "{confirm}");
    assert!(list.confirmation_of(&activate).is_none());

    // Without the form's CSRF token nothing happens.
    let page = petra.post(&deactivate, &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(stored(&app, karin.id).active);

    let page = petra.submit("/beheer/gebruikers", &deactivate, &[]).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/beheer/gebruikers?melding=account-gedeactiveerd")
    );
    let list = petra.get(page.location.as_deref().unwrap()).await;
    assert!(
        list.visible_text()
            .contains("Het account is gedeactiveerd. Deze persoon kan niet meer inloggen.")
    );
    assert!(
        list.text(&format!("#gebruiker-{}", karin.id))
            .unwrap()
            .contains("Gedeactiveerd")
    );
    assert!(list.confirmation_of(&activate).is_some());
    assert!(!stored(&app, karin.id).active);
    assert_eq!(
        samenspel::auth::session::count_for_user(&mut app.conn(), karin.id).unwrap(),
        0,
        "every session ended"
    );

    // Karin's next page goes to the login page, and logging in again fails.
    let page = karin_browser.get("/").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location.as_deref().unwrap().starts_with("/inloggen"),
        "{:?}",
        page.location
    );
    assert_eq!(
        karin_browser.login(KARIN, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Nor does a new password by email help.
    karin_browser
        .submit(
            "/wachtwoord-vergeten",
            "/wachtwoord-vergeten",
            &[("email", KARIN)],
        )
        .await;
    assert!(
        app.mails().is_empty(),
        "no reset link for a deactivated account"
    );
    // Deactivating again changes nothing.
    petra.submit("/beheer/gebruikers", &deactivate, &[]).await;
    assert_eq!(events_of(&app, EventKind::UserDeactivated).len(), 1);

    let page = petra.submit("/beheer/gebruikers", &activate, &[]).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/beheer/gebruikers?melding=account-geactiveerd")
    );
    assert!(stored(&app, karin.id).active);
    karin_browser.login_ok(KARIN).await;
    assert_eq!(karin_browser.get("/").await.status, StatusCode::OK);

    let deactivated = events_of(&app, EventKind::UserDeactivated);
    let activated = events_of(&app, EventKind::UserActivated);
    assert_eq!((deactivated.len(), activated.len()), (1, 1));
    assert_eq!(deactivated[0].subject_id, Some(karin.id));
    assert_eq!(deactivated[0].field("name"), "Karin de Vries");
    assert_eq!(activated[0].subject_id, Some(karin.id));
}

#[actix_web::test]
async fn an_organisation_admin_cannot_touch_accounts_of_another_organisation() {
    let app = TestApp::spawn().await;
    let (_, karin) = petra_and_karin(&app);
    let ruud = app.user(
        "ruud@politie.example",
        "Ruud Verbeek",
        Role::Professional,
        Some("Politie"),
    );
    let system = app.user(
        "beheer@samenspel.example",
        "Beheer",
        Role::SystemAdmin,
        None,
    );
    let petra = signed_in(&app, PETRA).await;
    let ruud_browser = signed_in(&app, "ruud@politie.example").await;

    // A hand-edited id of another organisation's account, or the system admin's: as if it did not exist.
    for id in [ruud.id, system.id] {
        let edit = format!("/beheer/gebruikers/{id}/bewerken");
        assert_eq!(petra.get(&edit).await.status, StatusCode::NOT_FOUND);
        let page = petra
            .submit(
                "/beheer/gebruikers",
                &edit,
                &[("name", "Overgenomen"), ("role", "org_admin")],
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        for action in ["deactiveren", "activeren"] {
            let page = petra
                .submit(
                    "/beheer/gebruikers",
                    &format!("/beheer/gebruikers/{id}/{action}"),
                    &[],
                )
                .await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{action} {id}");
        }
    }
    let after = stored(&app, ruud.id);
    assert_eq!(
        (after.name.as_str(), after.role(), after.active),
        ("Ruud Verbeek", Role::Professional, true)
    );
    assert!(stored(&app, system.id).active);
    assert_eq!(ruud_browser.get("/").await.status, StatusCode::OK);

    // A professional manages no account, not even a colleague's.
    let karin_browser = signed_in(&app, KARIN).await;
    let page = karin_browser
        .submit(
            "/",
            &format!("/beheer/gebruikers/{}/deactiveren", ruud.id),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        karin_browser
            .get(&format!("/beheer/gebruikers/{}/bewerken", karin.id))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(stored(&app, ruud.id).active);
    assert_eq!(account_events(&app), 0);

    // The system admin manages every organisation's accounts.
    let admin = signed_in(&app, "beheer@samenspel.example").await;
    let page = admin
        .submit(
            "/beheer/gebruikers",
            &format!("/beheer/gebruikers/{}/deactiveren", ruud.id),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(!stored(&app, ruud.id).active);
}

#[actix_web::test]
async fn an_organisation_admin_cannot_deactivate_herself_or_change_her_own_role() {
    let app = TestApp::spawn().await;
    let (petra_account, _) = petra_and_karin(&app);
    let petra = signed_in(&app, PETRA).await;
    let own = petra_account.id;

    let list = petra.get("/beheer/gebruikers").await;
    assert!(
        list.confirmation_of(&format!("/beheer/gebruikers/{own}/deactiveren"))
            .is_none()
    );
    let page = petra
        .submit(
            "/beheer/gebruikers",
            &format!("/beheer/gebruikers/{own}/deactiveren"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(stored(&app, own).active);
    assert_eq!(
        petra.get("/beheer/gebruikers").await.status,
        StatusCode::OK,
        "still logged in"
    );

    // Her own edit page shows her role without a choice.
    let edit = format!("/beheer/gebruikers/{own}/bewerken");
    let page = petra.get(&edit).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("select#role").is_none());
    assert!(
        page.visible_text()
            .contains("Je kunt je eigen rol niet wijzigen.")
    );
    let page = petra
        .submit(
            &edit,
            &edit,
            &[("name", "Petra de Graaf"), ("role", "professional")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored(&app, own).role(), Role::OrgAdmin);

    // Her name she may change.
    let page = petra
        .submit(
            &edit,
            &edit,
            &[("name", "Petra van Dam"), ("role", "org_admin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, own).name, "Petra van Dam");
    assert_eq!(events_of(&app, EventKind::UserDeactivated).len(), 0);
}

#[actix_web::test]
async fn nobody_grants_system_admin_or_family_through_the_edit_form() {
    let app = TestApp::spawn().await;
    let (_, karin) = petra_and_karin(&app);
    let other_system = app.user(
        "tweede@samenspel.example",
        "Tweede beheerder",
        Role::SystemAdmin,
        None,
    );
    app.user(
        "beheer@samenspel.example",
        "Beheer",
        Role::SystemAdmin,
        None,
    );
    let edit = format!("/beheer/gebruikers/{}/bewerken", karin.id);
    for email in [PETRA, "beheer@samenspel.example"] {
        let admin = signed_in(&app, email).await;
        let page = admin.get(&edit).await;
        assert_eq!(
            role_options(&page),
            ["professional", "org_admin"],
            "{email}"
        );
        for role in ["system_admin", "family"] {
            let page = admin
                .submit(&edit, &edit, &[("name", "Karin de Vries"), ("role", role)])
                .await;
            assert_eq!(
                page.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{email} {role}"
            );
            assert!(page.visible_text().contains("Kies een rol."));
        }
    }
    assert_eq!(stored(&app, karin.id).role(), Role::Professional);

    // A system admin's account is not managed here, not even by another system admin.
    let admin = signed_in(&app, "beheer@samenspel.example").await;
    let other = format!("/beheer/gebruikers/{}/bewerken", other_system.id);
    assert_eq!(admin.get(&other).await.status, StatusCode::FORBIDDEN);
    let page = admin
        .submit(
            "/beheer/gebruikers",
            &format!("/beheer/gebruikers/{}/deactiveren", other_system.id),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(stored(&app, other_system.id).active);
    assert_eq!(account_events(&app), 0);
}
