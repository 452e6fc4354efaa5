//! Single sign-on against a real OpenID provider (`oidc-provider`, started by each test, see
//! `common::oidc`): an organisation admin sets the organisation's provider on its page; a professional
//! logs in there and out again (at the provider too); the uninvited, a tampered ID token and a wrong
//! nonce are refused; and families log in through a DigiD broker only with their own BSN, and only
//! through it once the director requires DigiD.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::domain::user::Role;
use samenspel::events::EventKind;
use samenspel::schema::{events, organisation_sign_on, sessions, sign_on_links, sign_on_sessions};
use serde_json::json;

use crate::common::actors::add_member;
use crate::common::oidc::{
    self, CLIENT_ID, CLIENT_SECRET, Provider, account, sign_out_at_provider, through_provider,
};
use crate::common::portal::family_account;
use crate::common::world::{Cast, VEILIG_THUIS, signed_in};
use crate::common::{Client, Page, TestApp};

const ADMIN: &str = "petra@vt.example";

/// The accounts at the organisation's provider.
fn staff_accounts() -> serde_json::Value {
    json!({
        "ahmed": account(json!({"email": "ahmed@vt.example", "email_verified": true}), &["pwd"]),
        "ingrid": account(
            json!({"email": "ingrid@vt.example", "email_verified": true}),
            &["pwd", "mfa"]
        ),
        // Known at the provider, never invited to Samenspel.
        "nieuw": account(json!({"email": "nieuw@vt.example", "email_verified": true}), &["pwd"]),
        // Ahmed's address, but the provider does not vouch for it.
        "onzeker": account(json!({"email": "ahmed@vt.example", "email_verified": false}), &["pwd"]),
        // A real account of Samenspel, of another organisation.
        "karin": account(json!({"email": "karin@wijkteam.example", "email_verified": true}), &["pwd"]),
    })
}

/// The accounts at the DigiD broker: a BSN each.
fn digid_accounts() -> serde_json::Value {
    json!({
        "sandra": account(json!({"bsn": "999990019"}), &["pwd"]),
        "iemand-anders": account(json!({"bsn": "111222333"}), &["pwd"]),
    })
}

/// Samenspel with a DigiD broker at `provider`, plain-http providers allowed (they run on this
/// machine), the provider serving it.
async fn app_with(provider: &mut Provider, accounts: serde_json::Value, tamper: &str) -> TestApp {
    let app = TestApp::spawn_with(&[
        ("SAMENSPEL_OIDC_ALLOW_HTTP", "true"),
        ("SAMENSPEL_DIGID_ISSUER", provider.issuer.as_str()),
        ("SAMENSPEL_DIGID_CLIENT_ID", CLIENT_ID),
        ("SAMENSPEL_DIGID_CLIENT_SECRET", CLIENT_SECRET),
        ("SAMENSPEL_DIGID_SCOPES", "bsn"),
    ])
    .await;
    provider.serve(&app.base_url, accounts, tamper);
    app
}

/// Veilig Thuis's admin sets the provider on the organisation's page; the organisation's id.
async fn set_provider(app: &TestApp, provider: &Provider) -> i64 {
    let organisation = app.organisation(
        VEILIG_THUIS,
        samenspel::domain::organisation::OrganisationKind::VeiligThuis,
    );
    let admin = signed_in(app, ADMIN).await;
    let path = format!("/beheer/organisaties/{organisation}/inloggen");
    let page = admin
        .submit(
            &path,
            &path,
            &[
                ("issuer", provider.issuer.as_str()),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("mfa_acr", ""),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    let shown = admin.get(&path).await;
    assert!(shown.body.contains(&provider.issuer));
    assert!(
        !shown.body.contains(CLIENT_SECRET),
        "the secret is never shown back"
    );
    organisation
}

/// Veilig Thuis's provider, Samenspel with the world, and the provider set by Veilig Thuis's admin
/// (its organisation's id); None when the provider is not installed here (see `common::oidc`).
async fn staff_world(tamper: &str) -> Option<(Provider, TestApp, i64)> {
    let mut provider = oidc::start()?;
    let app = app_with(&mut provider, staff_accounts(), tamper).await;
    Cast::with_jansens_past(&app);
    let organisation = set_provider(&app, &provider).await;
    Some((provider, app, organisation))
}

/// Begins "Inloggen met je organisatie" with an email address; where Samenspel sends the browser.
async fn begin(client: &Client, email: &str) -> String {
    begin_with(client, email, "").await
}

/// Begins "Inloggen met je organisatie" with an address or a chosen organisation.
async fn begin_with(client: &Client, email: &str, organisation: &str) -> String {
    let page = client
        .submit(
            "/inloggen/organisatie",
            "/inloggen/organisatie",
            &[("email", email), ("organisation", organisation)],
        )
        .await;
    away(&page)
}

/// The page that sends the browser on to the provider (a form's answer may not redirect to another
/// site): it refreshes to the address at once, and links to it.
fn away(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::OK, "{}", page.visible_text());
    let link = page.html();
    let selector = scraper::Selector::parse("a#verder").unwrap();
    let href = link
        .select(&selector)
        .next()
        .and_then(|a| a.value().attr("href"))
        .expect("a link onwards")
        .to_string();
    assert!(
        page.body.contains("http-equiv=\"refresh\""),
        "the page goes on by itself"
    );
    href
}

/// Back at Samenspel from the provider: the callback's answer.
async fn back(app: &TestApp, client: &Client, url: &str) -> crate::common::Page {
    let path = url.strip_prefix(&app.base_url).expect("back at Samenspel");
    assert!(path.starts_with("/inloggen/terug?"), "{path}");
    client.get(path).await
}

fn count_events(app: &TestApp, kind: EventKind) -> i64 {
    events::table
        .filter(events::kind.eq(kind.name()))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

fn sessions_of(app: &TestApp, email: &str) -> i64 {
    let id = app.id_of(email);
    sessions::table
        .filter(sessions::user_id.eq(id))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

/// Signed in as a professional: the start page answers, not the login page.
async fn assert_signed_in(client: &Client) {
    let home = client.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{:?}", home.location);
}

#[actix_web::test]
async fn a_professional_logs_in_at_the_organisations_provider_and_out_there_too() {
    let Some((provider, app, organisation)) = staff_world("").await else {
        return;
    };
    assert_eq!(count_events(&app, EventKind::SignOnSet), 1);
    let event_data: String = events::table
        .filter(events::kind.eq(EventKind::SignOnSet.name()))
        .select(events::data)
        .first(&mut app.conn())
        .unwrap();
    assert!(
        !event_data.contains(CLIENT_SECRET),
        "no secret in the event"
    );

    // Ahmed: by his address; the provider does not know him yet, so he logs in there.
    let ahmed = app.client();
    let start = begin(&ahmed, "ahmed@vt.example").await;
    assert!(start.starts_with(&provider.issuer), "{start}");
    for part in [
        "code_challenge_method=S256",
        "nonce=",
        "state=",
        "login_hint=",
    ] {
        assert!(start.contains(part), "{part} in {start}");
    }
    let callback = through_provider(&ahmed, &provider, &start, Some("ahmed")).await;
    let page = back(&app, &ahmed, &callback).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    assert_eq!(page.location.as_deref(), Some("/"));
    assert_signed_in(&ahmed).await;
    assert_eq!(count_events(&app, EventKind::SignOnLinked), 1);
    let linked: i64 = sign_on_links::table
        .filter(sign_on_links::user_id.eq(app.id_of("ahmed@vt.example")))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(linked, 1, "the subject is linked at the first login");

    // The callback works once.
    let again = back(&app, &ahmed, &callback).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);

    // Sign-out ends the session here and sends the browser to the provider's end-session endpoint.
    let token = ahmed.get("/account").await.csrf();
    let out = ahmed.post("/uitloggen", &[("csrf_token", &token)]).await;
    let to = away(&out);
    assert!(
        to.starts_with(&format!("{}/session/end?", provider.issuer)),
        "{to}"
    );
    assert!(to.contains("id_token_hint=") && to.contains("post_logout_redirect_uri="));
    assert_eq!(sessions_of(&app, "ahmed@vt.example"), 0);
    let home = ahmed.get("/").await;
    assert!(home.location.unwrap_or_default().starts_with("/inloggen"));
    let after = sign_out_at_provider(&ahmed, &to).await;
    assert!(
        after.starts_with(&app.url("/inloggen?melding=uitgelogd&state=")),
        "{after}"
    );

    // Logged out at the provider too: the next login asks again. This time by picking the
    // organisation; the linked subject finds the account.
    let page = ahmed
        .submit(
            "/inloggen/organisatie",
            "/inloggen/organisatie",
            &[("email", ""), ("organisation", &organisation.to_string())],
        )
        .await;
    let start = away(&page);
    let callback = through_provider(&ahmed, &provider, &start, Some("ahmed")).await;
    assert_eq!(
        back(&app, &ahmed, &callback).await.status,
        StatusCode::SEE_OTHER
    );
    assert_signed_in(&ahmed).await;

    // Ingrid's provider asserts a second factor (amr mfa); the session keeps the ID token that says so.
    let ingrid = app.client();
    let start = begin(&ingrid, "ingrid@vt.example").await;
    let callback = through_provider(&ingrid, &provider, &start, Some("ingrid")).await;
    assert_eq!(
        back(&app, &ingrid, &callback).await.status,
        StatusCode::SEE_OTHER
    );
    let id_token: String = sign_on_sessions::table
        .inner_join(sessions::table.on(sessions::id.eq(sign_on_sessions::session_id)))
        .filter(sessions::user_id.eq(app.id_of("ingrid@vt.example")))
        .select(sign_on_sessions::id_token)
        .first(&mut app.conn())
        .unwrap();
    let payload = id_token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["amr"], json!(["pwd", "mfa"]), "{claims}");
}

#[actix_web::test]
async fn the_uninvited_the_unverified_and_other_organisations_are_refused() {
    let Some((provider, app, organisation)) = staff_world("").await else {
        return;
    };
    let organisation = organisation.to_string();
    let users = app.count("users");
    for (login, email, chosen) in [
        ("nieuw", "", organisation.as_str()),
        ("onzeker", "ahmed@vt.example", ""),
        ("karin", "", organisation.as_str()),
    ] {
        let client = app.client();
        // Through Veilig Thuis's provider, chosen or found by the address typed.
        let start = begin_with(&client, email, chosen).await;
        let callback = through_provider(&client, &provider, &start, Some(login)).await;
        let page = back(&app, &client, &callback).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{login}");
        assert!(client.cookie("samenspel_session").is_none(), "{login}");
        let home = client.get("/").await;
        assert!(
            home.location.unwrap_or_default().starts_with("/inloggen"),
            "{login}"
        );
    }
    assert_eq!(app.count("users"), users, "nobody got an account");
    assert_eq!(app.count("sign_on_links"), 0);
    assert_eq!(sessions_of(&app, "ahmed@vt.example"), 0);
    assert_eq!(sessions_of(&app, "karin@wijkteam.example"), 0);
    // An address of no organisation with a provider is told to choose or use the password.
    let client = app.client();
    let page = client
        .submit(
            "/inloggen/organisatie",
            "/inloggen/organisatie",
            &[("email", "karin@wijkteam.example"), ("organisation", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.value("#email").as_deref(),
        Some("karin@wijkteam.example")
    );
}

#[actix_web::test]
async fn a_tampered_id_token_is_refused() {
    for tamper in ["signature", "claim"] {
        let Some((provider, app, _)) = staff_world(tamper).await else {
            return;
        };
        let client = app.client();
        let start = begin(&client, "ahmed@vt.example").await;
        let callback = through_provider(&client, &provider, &start, Some("ahmed")).await;
        let page = back(&app, &client, &callback).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{tamper}");
        assert_eq!(sessions_of(&app, "ahmed@vt.example"), 0, "{tamper}");
        assert_eq!(app.count("sign_on_links"), 0, "{tamper}");
    }
}

#[actix_web::test]
async fn a_wrong_nonce_a_foreign_state_and_a_replay_are_refused() {
    let Some((provider, app, _)) = staff_world("").await else {
        return;
    };

    // The browser changes the nonce on its way to the provider: the provider signs that one into the
    // ID token, and Samenspel, which kept its own, refuses it.
    let client = app.client();
    let start = begin(&client, "ahmed@vt.example").await;
    let mut url = url::Url::parse(&start).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "nonce" {
                format!("{v}x")
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let callback = through_provider(&client, &provider, url.as_str(), Some("ahmed")).await;
    assert_eq!(
        back(&app, &client, &callback).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(sessions_of(&app, "ahmed@vt.example"), 0);

    // A login begun in another browser: its answer is worth nothing here (no state cookie).
    let victim = app.client();
    let theirs = begin(&client, "ahmed@vt.example").await;
    let callback = through_provider(&client, &provider, &theirs, None).await;
    assert_eq!(
        back(&app, &victim, &callback).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(sessions_of(&app, "ahmed@vt.example"), 0);
    // Nor in the browser that began it, once it was tried elsewhere? It was not used: it still works.
    assert_eq!(
        back(&app, &client, &callback).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(sessions_of(&app, "ahmed@vt.example"), 1);
}

/// The Jansen family's member Sandra (BSN 999990019 recorded) with a portal account; her person id.
async fn sandra(app: &TestApp, c: &Cast) -> i64 {
    let person = add_member(app, &c.ahmed, c.jansen, "Sandra Jansen", true);
    let ahmed = signed_in(app, "ahmed@vt.example").await;
    family_account(app, &ahmed, c.jansen, person, "sandra@example.nl", "").await;
    person
}

/// The DigiD broker, Samenspel with the world, and Sandra's portal account; None when the provider is
/// not installed here.
async fn family_world() -> Option<(Provider, TestApp, Cast)> {
    let mut provider = oidc::start()?;
    let app = app_with(&mut provider, digid_accounts(), "").await;
    let c = Cast::new(&app);
    sandra(&app, &c).await;
    Some((provider, app, c))
}

async fn begin_digid(client: &Client, email: &str) -> String {
    let page = client
        .submit("/inloggen/digid", "/inloggen/digid", &[("email", email)])
        .await;
    away(&page)
}

#[actix_web::test]
async fn a_family_member_logs_in_with_digid_only_with_their_own_bsn() {
    let Some((provider, app, c)) = family_world().await else {
        return;
    };
    let timeline_before = count_events(&app, EventKind::DigidRefused);

    // Someone else's DigiD with Sandra's address: refused, and the director sees it on the timeline.
    let other = app.client();
    let start = begin_digid(&other, "sandra@example.nl").await;
    assert!(start.contains("scope=openid+bsn"), "{start}");
    let callback = through_provider(&other, &provider, &start, Some("iemand-anders")).await;
    let page = back(&app, &other, &callback).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert_eq!(other.get("/portaal").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        count_events(&app, EventKind::DigidRefused),
        timeline_before + 1
    );
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let family = ahmed.get(&format!("/gezinnen/{}", c.jansen)).await;
    assert!(
        family.visible_text().contains("het BSN klopt niet"),
        "the refusal is on the timeline"
    );

    // Sandra's own DigiD: her portal.
    let client = app.client();
    let start = begin_digid(&client, "sandra@example.nl").await;
    let callback = through_provider(&client, &provider, &start, Some("sandra")).await;
    let page = back(&app, &client, &callback).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    assert_eq!(page.location.as_deref(), Some("/portaal"));
    assert_eq!(client.get("/portaal").await.status, StatusCode::OK);

    // An address without a family account goes to the broker too (the page says nothing), and
    // gets nothing.
    let stranger = app.client();
    let start = begin_digid(&stranger, "niemand@example.nl").await;
    let callback = through_provider(&stranger, &provider, &start, Some("sandra")).await;
    assert_eq!(
        back(&app, &stranger, &callback).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(stranger.get("/portaal").await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn once_the_director_requires_digid_the_email_link_and_password_no_longer_log_in() {
    let Some((provider, app, c)) = family_world().await else {
        return;
    };

    // A link asked for before the change.
    let holder = app.client();
    let mails = app.mails().len();
    let page = holder
        .submit(
            "/inloggen/link",
            "/inloggen/link",
            &[("email", "sandra@example.nl")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let mail = app.wait_for_mails(mails + 1).await.pop().unwrap();
    let link = crate::common::link_in(&mail, &app.base_url);
    let link_path = link.trim_start_matches(&app.base_url).to_string();

    // The director requires DigiD (a form with its CSRF token, and an event on the timeline).
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let manage = format!("/gezinnen/{}/portaal", c.jansen);
    let without_token = ahmed
        .post(&format!("{manage}/digid"), &[("required", "ja")])
        .await;
    assert_eq!(without_token.status, StatusCode::FORBIDDEN);
    assert_eq!(count_events(&app, EventKind::DigidRequired), 0);
    let page = ahmed
        .submit(&manage, &format!("{manage}/digid"), &[("required", "ja")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(count_events(&app, EventKind::DigidRequired), 1);
    assert!(
        ahmed
            .get(&manage)
            .await
            .visible_text()
            .contains("alleen inloggen met DigiD")
    );

    // The link from before: spent, no session.
    let page = holder.submit(&link_path, &link_path, &[]).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/inloggen/digid?melding=digid-verplicht")
    );
    assert_eq!(holder.get("/portaal").await.status, StatusCode::SEE_OTHER);
    // A new link is not sent.
    let mails = app.mails().len();
    let page = holder
        .submit(
            "/inloggen/link",
            "/inloggen/link",
            &[("email", "sandra@example.nl")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mails().len(), mails, "no link for a DigiD-only family");
    // The password no longer works.
    let page = holder
        .login("sandra@example.nl", crate::common::PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    // DigiD does.
    let start = begin_digid(&holder, "sandra@example.nl").await;
    let callback = through_provider(&holder, &provider, &start, Some("sandra")).await;
    assert_eq!(
        back(&app, &holder, &callback).await.location.as_deref(),
        Some("/portaal")
    );
    assert_eq!(holder.get("/portaal").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn an_organisation_admin_cannot_set_another_organisations_provider() {
    let Some(mut provider) = oidc::start() else {
        return;
    };
    let app = app_with(&mut provider, staff_accounts(), "").await;
    let _cast = Cast::with_jansens_past(&app);
    let other = app.organisation(
        "Sociaal wijkteam Dordrecht",
        samenspel::domain::organisation::OrganisationKind::LocalTeam,
    );
    app.user(
        "beheer@wijkteam.example",
        "Wim Beheer",
        Role::OrgAdmin,
        Some("Sociaal wijkteam Dordrecht"),
    );
    let petra = signed_in(&app, ADMIN).await;
    let path = format!("/beheer/organisaties/{other}/inloggen");
    assert_eq!(petra.get(&path).await.status, StatusCode::NOT_FOUND);
    let token = petra.get("/beheer/gebruikers").await.csrf();
    let fields = [
        ("csrf_token", token.as_str()),
        ("issuer", provider.issuer.as_str()),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ];
    assert_eq!(
        petra.post(&path, &fields).await.status,
        StatusCode::NOT_FOUND
    );
    let remove = format!("{path}/verwijderen");
    assert_eq!(
        petra.post(&remove, &fields[..1]).await.status,
        StatusCode::NOT_FOUND
    );
    let set: i64 = organisation_sign_on::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(set, 0);
    assert_eq!(count_events(&app, EventKind::SignOnSet), 0);
    // Their own admin may; a professional of that organisation may not.
    let wim = signed_in(&app, "beheer@wijkteam.example").await;
    let page = wim
        .submit(
            &path,
            &path,
            &[
                ("issuer", provider.issuer.as_str()),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    assert_eq!(karin.get(&path).await.status, StatusCode::FORBIDDEN);
    // Bad input keeps what was typed, never the secret, and names the fields.
    let page = wim
        .submit(
            &path,
            &path,
            &[
                ("issuer", "ftp://login.example"),
                ("client_id", ""),
                ("client_secret", "nieuw-geheim"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.value("#issuer").as_deref(),
        Some("ftp://login.example")
    );
    assert!(!page.body.contains("nieuw-geheim") && !page.body.contains(CLIENT_SECRET));
}

/// When the organisation requires a second factor, the provider's own second factor (`amr` "mfa")
/// satisfies it: Ingrid, who used one at the provider, gets her session at once. Ahmed, who logged in
/// at the provider with a password only, goes to our second step like after a password here (to set
/// up a factor first, as he has none), and has no session until he has done so.
#[actix_web::test]
async fn the_providers_second_factor_satisfies_the_rule_and_without_it_ours_is_asked() {
    let Some((provider, app, organisation)) = staff_world("").await else {
        return;
    };
    {
        use samenspel::schema::organisations;
        diesel::update(organisations::table.find(organisation))
            .set(organisations::second_factor_required.eq(Some(true)))
            .execute(&mut app.conn())
            .unwrap();
    }
    let ingrid = app.client();
    let start = begin(&ingrid, "ingrid@vt.example").await;
    let callback = through_provider(&ingrid, &provider, &start, Some("ingrid")).await;
    let page = back(&app, &ingrid, &callback).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/"),
        "{}",
        page.visible_text()
    );
    assert_signed_in(&ingrid).await;

    let ahmed = app.client();
    let start = begin(&ahmed, "ahmed@vt.example").await;
    let callback = through_provider(&ahmed, &provider, &start, Some("ahmed")).await;
    let page = back(&app, &ahmed, &callback).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/inloggen/tweede-factor"));
    assert_eq!(sessions_of(&app, "ahmed@vt.example"), 0, "no session yet");
    let home = ahmed.get("/").await;
    assert_ne!(
        home.status,
        StatusCode::OK,
        "not signed in before the second step"
    );
}
