//! The family's side of the world: members of Jansen, and their accounts for the family portal.

use samenspel::db;
use samenspel::domain::family::{PersonDetails, PersonRole};
use samenspel::record;

use super::meeting::assert_taken;
use super::world::{Cast, today};
use super::{Client, PASSWORD, TestApp, link_in};

/// Registers a member of Jansen, as the director Ahmed.
pub fn member(app: &TestApp, c: &Cast, name: &str, role: PersonRole, age: i32) -> i64 {
    db::write(&mut app.conn(), |conn| {
        record::save_person(
            conn,
            &c.ahmed,
            c.jansen,
            None,
            &PersonDetails {
                name: name.into(),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(
                    chrono::Datelike::year(&today()) - age,
                    1,
                    1,
                ),
                role,
                parental_authority: role == PersonRole::Parent,
                identity: None,
            },
        )
    })
    .unwrap()
}

/// The director invites the member; the member sets a password from the mail and logs in.
pub async fn family_account(
    app: &TestApp,
    ahmed: &Client,
    family: i64,
    person: i64,
    email: &str,
    judgement: &str,
) -> Client {
    let before = app.mails().len();
    let path = format!("/gezinnen/{family}/portaal");
    let page = ahmed
        .submit(
            &path,
            &format!("{path}/uitnodigen"),
            &[
                ("person_id", &person.to_string()),
                ("email", email),
                ("judgement", judgement),
            ],
        )
        .await;
    assert_taken(&page);
    let mail = app
        .mails()
        .into_iter()
        .skip(before)
        .find(|m| m.to == email)
        .expect("the invitation");
    assert!(
        !mail.text.contains("Jansen"),
        "no family name in the invitation"
    );
    let link = link_in(&mail, &app.base_url);
    let path = link.trim_start_matches(&app.base_url).to_string();
    let client = app.client();
    let page = client
        .submit(
            &path,
            &path,
            &[("password", PASSWORD), ("password_repeat", PASSWORD)],
        )
        .await;
    assert_taken(&page);
    client.login_ok(email).await;
    client
}
