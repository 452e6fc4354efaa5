//! Partnership B of the matrix world: Centraal Gelderland, where none of the matrix's actors works. Linda
//! (Lokaal team Ede) directs El Amrani there; Fleur chairs and minutes Gelderland's own MDA++ table,
//! where Linda has a seat; Daan is involved with the family, Noor asks to be. Everything the actors'
//! side has, B has too: a closed meeting with El Amrani's item, decision, action and outcome, a
//! published next meeting with its item, a referral waiting for an agenda, Nadia's portal account and
//! correction request, a key of Lokaal team Ede waiting for approval and its webhook with a delivery.
//! Built as the A side is: people, table and family in the record, the rest through the pages.

use chrono::Duration;
use diesel::prelude::*;
use samenspel::db;
use samenspel::domain::DomainResult;
use samenspel::domain::organisation::OrganisationKind;
use samenspel::domain::table::{self, TableRole};
use samenspel::domain::user::Role;
use samenspel::record::{self, Who};

use super::actors::{
    Ids, Known, Setting, SettingOf, a_document_and_a_measure, add_member, ask_for_corrections,
    ids_of, subscribe,
};
use super::api::make_waiting_token;
use super::meeting::{accept, add_action, close_meeting, decide, on_meeting, plan_meeting, refer};
use super::portal::family_account;
use super::world::{Cast, GELDERLAND, signed_in, today};
use super::{Client, TestApp};

const WEBHOOK: &str = "http://127.0.0.1:9/gelderland";
const KEY: &str = "Gelderland wacht";

/// The people of B besides Linda, each in an organisation that takes part in Gelderland only.
struct People {
    linda: Who,
    fleur: Who,
    daan: Who,
    noor: Who,
}

/// What the record holds of B before the pages add to it.
struct Record {
    table: i64,
    person: i64,
    involvement: i64,
}

/// Builds partnership B: its family's ids and the rest of its ids (table, meetings, kind, seat, ...).
pub async fn partnership_b(app: &TestApp, c: &Cast) -> (Ids, Setting) {
    let gelderland = app.partnership(GELDERLAND);
    let people = people(app, gelderland);
    let rec = the_record(app, c, &people);
    a_document_and_a_measure(app, &people.linda, c.el_amrani, rec.person);
    let admin = signed_in(app, "beheer@ede.example").await;
    // The webhook first, so B's changes give it something to deliver.
    subscribe(&admin, WEBHOOK).await;
    make_waiting_token(&admin, KEY).await;

    let linda = signed_in(app, "linda@ede.example").await;
    let fleur = signed_in(app, "fleur@vtgm.example").await;
    let item = closed_meeting(app, c, &rec, [&linda, &fleur], people.linda.user_id).await;
    let (next, referral, waiting) = next_meeting(c, &rec, [&linda, &fleur]).await;
    let nadia = family_account(app, &linda, c.el_amrani, rec.person, "nadia@example.nl", "").await;
    ask_for_corrections(&[&nadia]).await;

    let mut conn = app.conn();
    let account = samenspel::domain::user::find_by_email(&mut conn, "nadia@example.nl")
        .unwrap()
        .unwrap()
        .id;
    let known = Known {
        family: c.el_amrani,
        person: rec.person,
        involvement: rec.involvement,
        item: item.1,
        referral,
        waiting,
        account,
    };
    let ids = ids_of(&mut conn, next, known);
    let setting = SettingOf {
        partnership: gelderland,
        table: rec.table,
        meeting: item.0,
        next_meeting: next,
        member: people.linda.user_id,
        user: "noor@jbg.example",
        token: KEY,
        waiting_key: KEY,
        webhook: WEBHOOK,
    }
    .read(&mut conn);
    (ids, setting)
}

/// Fleur (Veilig Thuis Gelderland-Midden), Daan (Politie Oost-Nederland), Noor (Jeugdbescherming
/// Gelderland) and Lokaal team Ede's organisation admin; with Linda, who is in the `Cast`.
fn people(app: &TestApp, gelderland: i64) -> People {
    let who = |email: &str, name: &str, organisation: &str, kind: OrganisationKind| {
        app.organisation_in(organisation, kind, gelderland);
        let id = app
            .user(email, name, Role::Professional, Some(organisation))
            .id;
        record::who(&mut app.conn(), id).unwrap()
    };
    let fleur = who(
        "fleur@vtgm.example",
        "Fleur Jacobs",
        "Veilig Thuis Gelderland-Midden",
        OrganisationKind::VeiligThuis,
    );
    let daan = who(
        "daan@politie-on.example",
        "Daan Visser",
        "Politie Oost-Nederland",
        OrganisationKind::Police,
    );
    let noor = who(
        "noor@jbg.example",
        "Noor de Boer",
        "Jeugdbescherming Gelderland",
        OrganisationKind::CertifiedInstitution,
    );
    app.user(
        "beheer@ede.example",
        "Beheer Ede",
        Role::OrgAdmin,
        Some("Lokaal team Ede"),
    );
    let linda = samenspel::domain::user::find_by_email(&mut app.conn(), "linda@ede.example")
        .unwrap()
        .unwrap()
        .id;
    let linda = record::who(&mut app.conn(), linda).unwrap();
    People {
        linda,
        fleur,
        daan,
        noor,
    }
}

/// B's table (of Gelderland's own MDA++ kind) with Fleur as chair and minute-taker and Linda at it;
/// Nadia, a member of El Amrani; Daan involved; Noor's request to be involved, waiting for Linda.
fn the_record(app: &TestApp, c: &Cast, p: &People) -> Record {
    let gelderland = app.partnership(GELDERLAND);
    let table = db::write(&mut app.conn(), |conn| -> DomainResult<i64> {
        let kind = table::kinds_of(conn, &[gelderland])?
            .into_iter()
            .find(|k| k.code == "mda")
            .unwrap();
        let name = "MDA++ Gelderland-Midden";
        let table = record::create_table(conn, &p.fleur, &kind, name, "Gelderland-Midden")?;
        for (member, role) in [
            (&p.fleur, TableRole::Chair),
            (&p.fleur, TableRole::MinuteTaker),
            (&p.linda, TableRole::Member),
        ] {
            table::add_member(conn, table.id, member.user_id, role)?;
        }
        Ok(table.id)
    })
    .unwrap();
    let person = add_member(app, &p.linda, c.el_amrani, "Nadia El Amrani", true);
    let involvement = db::write(&mut app.conn(), |conn| {
        let involvement =
            record::add_involvement(conn, &p.linda, c.el_amrani, &p.daan, "Wijkagent", today())?;
        let refused = record::refuse_duplicate(conn, &p.noor, c.el_amrani)?;
        let request = samenspel::domain::involvement_request::find(conn, refused)?.unwrap();
        record::request_involvement(conn, &p.noor, &request, "Jeugdbescherming begeleidt Nadia.")?;
        Ok::<_, samenspel::domain::DomainError>(involvement.id)
    })
    .unwrap();
    Record {
        table,
        person,
        involvement,
    }
}

/// Linda refers El Amrani to B's table, Fleur puts it on a meeting, decides, gives Linda an action and
/// closes it. Returns (meeting, El Amrani's item).
async fn closed_meeting(
    app: &TestApp,
    c: &Cast,
    rec: &Record,
    [linda, fleur]: [&Client; 2],
    linda_id: i64,
) -> (i64, i64) {
    let meeting = plan_meeting(fleur, rec.table, today() + Duration::days(1)).await;
    let question = "Hoe houden we Nadia veilig?";
    let referral = refer(linda, c.el_amrani, rec.table, question).await;
    accept(fleur, referral, Some(meeting)).await;
    let item: i64 = {
        use samenspel::schema::agenda_items;
        agenda_items::table
            .filter(agenda_items::meeting_id.eq(meeting))
            .filter(agenda_items::family_id.eq(c.el_amrani))
            .select(agenda_items::id)
            .first(&mut app.conn())
            .unwrap()
    };
    for step in ["publiceren", "starten"] {
        super::meeting::assert_taken(&on_meeting(fleur, meeting, step).await);
    }
    let page = decide(fleur, meeting, item, "Fase 1: directe veiligheid", "").await;
    super::meeting::assert_taken(&page);
    let due = today() + Duration::days(14);
    let what = "Veiligheidsplan met Nadia bespreken";
    let page = add_action(fleur, meeting, item, linda_id, what, due).await;
    super::meeting::assert_taken(&page);
    close_meeting(fleur, meeting).await;
    (meeting, item)
}

/// B's next meeting, published, with El Amrani on it; and another referral, accepted without a date.
/// Returns (meeting, the referral on it, the one waiting).
async fn next_meeting(c: &Cast, rec: &Record, [linda, fleur]: [&Client; 2]) -> (i64, i64, i64) {
    let next = plan_meeting(fleur, rec.table, today() + Duration::days(7)).await;
    let referral = refer(linda, c.el_amrani, rec.table, "Hoe gaat het verder?").await;
    accept(fleur, referral, Some(next)).await;
    super::meeting::assert_taken(&on_meeting(fleur, next, "publiceren").await);
    let waiting = refer(linda, c.el_amrani, rec.table, "Kan dit op de agenda?").await;
    accept(fleur, waiting, None).await;
    (next, referral, waiting)
}
