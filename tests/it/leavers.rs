//! Colleagues who leave (issue 18): the open actions of a switched-off account are listed for the chair
//! of their table and the director of their family, who hand them over to an active professional; the
//! families a switched-off director directed are flagged to the partnership's coordinators (by mail and
//! on their start page), who appoint a new director without reading the record.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::db;
use samenspel::domain::user::Role;
use samenspel::record;
use samenspel::schema::actions;

use crate::common::actors::add_member;
use crate::common::meeting::run_meeting;
use crate::common::portal::family_account;
use crate::common::world::{Cast, VEILIG_THUIS, signed_in};
use crate::common::{Client, DEFAULT_PARTNERSHIP, TestApp};

/// The action's owner, the owner's organisation and its status.
fn action_of(app: &TestApp, id: i64) -> (i64, i64, String) {
    actions::table
        .find(id)
        .select((
            actions::owner_user_id,
            actions::owner_organisation_id,
            actions::status,
        ))
        .first(&mut app.conn())
        .unwrap()
}

/// The id of the action `owner` was given at the meeting.
pub(crate) fn action_owned_by(app: &TestApp, owner: i64) -> i64 {
    actions::table
        .filter(actions::owner_user_id.eq(owner))
        .select(actions::id)
        .first(&mut app.conn())
        .unwrap()
}

/// Switches the account off as the system admin (of `Cast::with_jansens_past`) does.
pub(crate) fn switch_off(app: &TestApp, user_id: i64) {
    let mut conn = app.conn();
    let account = samenspel::domain::user::find(&mut conn, user_id)
        .unwrap()
        .unwrap();
    let by = record::who(&mut conn, app.id_of("beheer@samenspel.example")).unwrap();
    db::write(&mut conn, |conn| {
        record::deactivate_account(conn, &by, &account)
    })
    .unwrap();
}

/// Sends the handover form of action `id` with `new_owner`, as from the action's page.
async fn hand_over(client: &Client, id: i64, new_owner: &str) -> crate::common::Page {
    client
        .submit(
            &format!("/acties/{id}"),
            &format!("/acties/{id}/overdragen"),
            &[("new_owner", new_owner)],
        )
        .await
}

#[actix_web::test]
async fn the_chair_and_the_director_hand_over_the_actions_of_colleagues_who_left() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    run_meeting(&app, &c, true).await;
    // Esther's action is Jansen's (Ahmed directs), Ruud's is Bakker's (Karin directs).
    let jansen_action = action_owned_by(&app, c.esther.user_id);
    let bakker_action = action_owned_by(&app, c.ruud.user_id);
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let joost = signed_in(&app, "joost@school.example").await;
    // Esther's own organisation admin.
    app.user(
        "beheer@ggz.example",
        "Beheer GGZ",
        Role::OrgAdmin,
        Some("GGZ volwassenen"),
    );
    let ggz_admin = signed_in(&app, "beheer@ggz.example").await;
    let sandra_person = add_member(&app, &c.ahmed, c.jansen, "Sandra Jansen", false);
    let sandra = family_account(
        &app,
        &ahmed,
        c.jansen,
        sandra_person,
        "sandra@example.nl",
        "",
    )
    .await;
    let title = "Acties van collega's die niet meer actief zijn";

    // While everyone is active, nobody's start page lists anything.
    assert!(!ingrid.get("/").await.visible_text().contains(title));

    switch_off(&app, c.esther.user_id);
    // The chair sees Esther's action at her table, the director the one of his family; Karin (Jansen's
    // co-worker, Bakker's director) and Ruud (a member of the table) do not.
    let home = ingrid.get("/").await;
    let text = home.visible_text();
    assert!(text.contains(title), "{text}");
    assert!(text.contains("GGZ-intake voor Sandra"), "{text}");
    assert!(text.contains("Esther Kok (GGZ volwassenen)"), "{text}");
    assert!(
        home.body
            .contains(&format!("/acties/{jansen_action}#overdragen"))
    );
    let text = ahmed.get("/").await.visible_text();
    assert!(text.contains(title) && text.contains("GGZ-intake voor Sandra"));
    for other in [&karin, &ruud] {
        assert!(!other.get("/").await.visible_text().contains(title));
    }

    // The action's page says the owner left and offers the handover to the chair and the director.
    let page = ingrid.get(&format!("/acties/{jansen_action}")).await;
    assert!(page.visible_text().contains("niet meer actief"));
    let offered = page.body.clone();
    assert!(offered.contains("action=\"/acties/"), "a handover form");
    assert!(offered.contains("Karin de Vries"));
    assert!(!offered.contains(&format!("value=\"{}\"", c.esther.user_id)));
    // Karin reads the action (involved) but is offered no handover.
    let page = karin.get(&format!("/acties/{jansen_action}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/overdragen"));

    // Refused: the old owner of an action (Ruud, still active) for that alone, a co-worker, an
    // unrelated professional, an organisation admin and the family. Nothing changes.
    let karin_id = c.karin.user_id.to_string();
    for (who, client, id, status) in [
        ("owner", &ruud, bakker_action, StatusCode::FORBIDDEN),
        ("co-worker", &karin, jansen_action, StatusCode::FORBIDDEN),
        ("unrelated", &joost, jansen_action, StatusCode::NOT_FOUND),
        (
            "org admin",
            &ggz_admin,
            jansen_action,
            StatusCode::NOT_FOUND,
        ),
        (
            "director elsewhere",
            &ahmed,
            bakker_action,
            StatusCode::NOT_FOUND,
        ),
    ] {
        let page = hand_over(client, id, &karin_id).await;
        assert_eq!(page.status, status, "{who}");
    }
    let page = sandra
        .submit(
            "/portaal",
            &format!("/acties/{jansen_action}/overdragen"),
            &[("new_owner", &karin_id)],
        )
        .await;
    assert!(
        matches!(page.status.as_u16(), 403 | 404) || page.status.is_redirection(),
        "family: {}",
        page.status
    );
    // Without the page's CSRF token, not even the chair.
    let page = ingrid
        .post(
            &format!("/acties/{jansen_action}/overdragen"),
            &[("new_owner", &karin_id)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(action_of(&app, jansen_action).0, c.esther.user_id);

    // Only an active professional of the partnership other than the owner: not an admin, a family
    // account, a colleague who left, someone of another partnership, the owner or nonsense.
    let petra_id = app.id_of("petra@vt.example").to_string();
    let sandra_id = app.id_of("sandra@example.nl").to_string();
    let linda_id = app.id_of("linda@ede.example").to_string();
    let esther_id = c.esther.user_id.to_string();
    for (what, new_owner, says) in [
        ("nobody", "", "Kies wie de actie overneemt."),
        ("nonsense", "iemand", "Kies wie de actie overneemt."),
        (
            "the owner",
            esther_id.as_str(),
            "Kies wie de actie overneemt.",
        ),
        ("an admin", petra_id.as_str(), "kan de actie niet overnemen"),
        (
            "a family",
            sandra_id.as_str(),
            "kan de actie niet overnemen",
        ),
        (
            "elsewhere",
            linda_id.as_str(),
            "kan de actie niet overnemen",
        ),
        ("unknown", "999999", "kan de actie niet overnemen"),
    ] {
        let page = hand_over(&ingrid, jansen_action, new_owner).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        assert!(page.visible_text().contains(says), "{what}");
    }
    assert_eq!(action_of(&app, jansen_action).0, c.esther.user_id);

    // The director hands Jansen's action to Karin: recorded on the action and the family's timeline,
    // and Karin is mailed a link without the family's details.
    let mails_before = app.mails().len();
    let page = hand_over(&ahmed, jansen_action, &karin_id).await;
    assert_eq!(
        page.location.as_deref(),
        Some(format!("/acties/{jansen_action}?melding=actie-overgedragen").as_str())
    );
    let (owner, organisation, _) = action_of(&app, jansen_action);
    assert_eq!(
        (owner, Some(organisation)),
        (c.karin.user_id, c.karin.organisation_id)
    );
    let line = "Actie overgedragen van Esther Kok (GGZ volwassenen) aan Karin de Vries \
                (Sociaal wijkteam Dordrecht).";
    let page = ahmed.get(page.location.as_deref().unwrap()).await;
    assert!(page.visible_text().contains("De actie is overgedragen."));
    assert!(
        page.visible_text().contains(line),
        "{}",
        page.visible_text()
    );
    let family = ahmed.get(&format!("/gezinnen/{}", c.jansen)).await;
    assert!(family.visible_text().contains(line));
    let mails = app.wait_for_mails(mails_before + 1).await;
    let mail = &mails[mails_before];
    assert_eq!(mail.to, "karin@wijkteam.example");
    assert_eq!(mail.subject, "Er is een actie aan je overgedragen");
    assert!(mail.text.contains(&format!("/acties/{jansen_action}")));
    for detail in ["Jansen", "Sandra", "GGZ-intake"] {
        assert!(
            !mail.text.contains(detail) && !mail.html.contains(detail),
            "{detail}"
        );
    }
    // Karin has it among her actions; the lists of the chair and the director are empty again.
    let text = karin.get("/").await.visible_text();
    assert!(text.contains("Mijn acties") && text.contains("GGZ-intake voor Sandra"));
    assert!(!ingrid.get("/").await.visible_text().contains(title));
    assert!(!ahmed.get("/").await.visible_text().contains(title));

    // The chair hands Ruud's action over once he left too: not to Esther, who left, but to Ahmed.
    switch_off(&app, c.ruud.user_id);
    let page = hand_over(&ingrid, bakker_action, &esther_id).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = hand_over(&ingrid, bakker_action, &c.ahmed.user_id.to_string()).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(action_of(&app, bakker_action).0, c.ahmed.user_id);

    // A finished action stays with whoever finished it: no form, and a handover is refused.
    let page = karin
        .submit(
            &format!("/acties/{jansen_action}"),
            &format!("/acties/{jansen_action}/afronden"),
            &[("outcome", "done"), ("result", "Intake gepland")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = ingrid.get(&format!("/acties/{jansen_action}")).await;
    assert!(!page.body.contains("/overdragen\""));
    let page = ingrid
        .post(
            &format!("/acties/{jansen_action}/overdragen"),
            &[
                ("csrf_token", &page.csrf()),
                ("new_owner", &c.ahmed.user_id.to_string()),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.visible_text().contains("Deze actie is al afgerond."));
    assert_eq!(
        action_of(&app, jansen_action),
        (
            c.karin.user_id,
            c.karin.organisation_id.unwrap(),
            "done".into()
        )
    );
}

#[actix_web::test]
async fn coordinators_are_told_of_the_families_a_director_who_left_directed_and_appoint_another() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let hanna = app.coordinator(
        "hanna@veiligheidshuis.example",
        "Hanna Visser",
        "Zorg- en Veiligheidshuis",
        DEFAULT_PARTNERSHIP,
    );
    app.user(
        "petra@vt.example",
        "Petra de Graaf",
        Role::OrgAdmin,
        Some(VEILIG_THUIS),
    );
    let petra = signed_in(&app, "petra@vt.example").await;
    let coordinator = signed_in(&app, "hanna@veiligheidshuis.example").await;
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let regie = format!("/gezinnen/{}/regie", c.jansen);
    let title = "Gezinnen zonder actieve regisseur";

    // While Ahmed directs Jansen, the coordinator has nothing to do with the family.
    assert!(!coordinator.get("/").await.visible_text().contains(title));
    assert_eq!(coordinator.get(&regie).await.status, StatusCode::NOT_FOUND);

    // Ahmed's organisation admin switches him off: the coordinator is mailed, without the family.
    let before = app.mails().len();
    let deactivate = format!("/beheer/gebruikers/{}/deactiveren", c.ahmed.user_id);
    let page = petra.submit("/beheer/gebruikers", &deactivate, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let mails = app.wait_for_mails(before + 1).await;
    let mail = &mails[before];
    assert_eq!(mail.to, "hanna@veiligheidshuis.example");
    assert_eq!(mail.subject, title);
    assert!(mail.text.contains("Ahmed Benali"), "{}", mail.text);
    assert!(mail.text.contains("regisseur van 1 gezin"), "{}", mail.text);
    assert!(mail.text.contains("/#zonder-regisseur"));
    let case_number: String = samenspel::domain::family::find(&mut app.conn(), c.jansen)
        .unwrap()
        .unwrap()
        .case_number;
    for detail in ["Jansen", case_number.as_str()] {
        assert!(
            !mail.text.contains(detail) && !mail.html.contains(detail),
            "{detail}"
        );
    }

    // Her start page flags the family by its pseudonym, with a link to appoint a new director.
    let home = coordinator.get("/").await;
    let text = home.visible_text();
    assert!(text.contains(title), "{text}");
    assert!(text.contains(&format!("Gezin J., {case_number}")), "{text}");
    assert!(text.contains("regisseur was Ahmed Benali"), "{text}");
    assert!(!text.contains("Gezin Jansen"), "{text}");
    assert!(home.body.contains(&format!("href=\"{regie}\"")));
    // Nobody else's start page, and nobody else's family, is flagged.
    assert!(!ruud.get("/").await.visible_text().contains(title));
    assert!(!text.contains("Gezin B.,"), "Karin still directs Bakker");

    // She appoints; she still does not read the record, and the one who left is not offered.
    assert_eq!(
        coordinator
            .get(&format!("/gezinnen/{}", c.jansen))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let form = coordinator.get(&regie).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.visible_text()
            .contains(&format!("Gezin J., {case_number}"))
    );
    assert!(form.body.contains("Karin de Vries"));
    assert!(!form.body.contains("Ahmed Benali"));
    let ahmed_id = c.ahmed.user_id.to_string();
    let page = coordinator
        .submit(&regie, &regie, &[("director_user_id", &ahmed_id)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Someone who is no coordinator of the family's partnership may not.
    let page = ruud
        .submit(
            "/",
            &regie,
            &[("director_user_id", &c.karin.user_id.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let karin_id = c.karin.user_id.to_string();
    let page = coordinator
        .submit(&regie, &regie, &[("director_user_id", &karin_id)])
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some("/?melding=regisseur-benoemd")
    );
    let text = coordinator
        .get("/?melding=regisseur-benoemd")
        .await
        .visible_text();
    assert!(text.contains("De nieuwe regisseur is benoemd."), "{text}");
    assert!(!text.contains(title));
    // With a director again, the family is none of her business.
    assert_eq!(coordinator.get(&regie).await.status, StatusCode::NOT_FOUND);
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    assert!(
        karin
            .get(&format!("/gezinnen/{}", c.jansen))
            .await
            .visible_text()
            .contains("Karin de Vries")
    );

    // Switching off someone who directs nothing mails no coordinator.
    let before = app.mails().len();
    let deactivate = format!("/beheer/gebruikers/{}/deactiveren", c.ingrid.user_id);
    let page = petra.submit("/beheer/gebruikers", &deactivate, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mails().len(), before);
    assert!(
        samenspel::domain::partnership::coordinated_by(&mut app.conn(), hanna)
            .unwrap()
            .contains(&DEFAULT_PARTNERSHIP)
    );
}
