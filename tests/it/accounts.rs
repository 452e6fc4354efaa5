//! Invitations, password resets, password changes, language, and account administration.

use reqwest::StatusCode;
use samenspel::domain::user::Role;

use crate::common::{PASSWORD, TestApp, link_in};

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

    let mails = app.mails();
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
async fn a_system_admin_adds_organisations_and_sees_every_account() {
    let app = TestApp::spawn().await;
    app.user(
        "beheer@samenspel.example",
        "Beheer",
        Role::SystemAdmin,
        None,
    );
    app.professional();
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
