//! Steps through the meeting pages, as the professionals take them in a browser: plan a meeting, refer
//! a family, decide, add an action, close; and `run_meeting`, a whole meeting in the `Cast`'s world.

use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;

use super::world::{Cast, signed_in, today};
use super::{Client, Page, TestApp};

pub fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Posts a button of the meeting page (`action` is the last part of its address), as a browser would.
pub async fn on_meeting(client: &Client, meeting: i64, action: &str) -> Page {
    let page = format!("/bijeenkomsten/{meeting}");
    client.submit(&page, &format!("{page}/{action}"), &[]).await
}

/// The chair closes the meeting through its closing page, taking what it proposes for the families
/// without a decision (as a chair who only clicks "Bijeenkomst afsluiten" would).
pub async fn close_meeting(chair: &Client, meeting: i64) {
    let path = format!("/bijeenkomsten/{meeting}/sluiten");
    let form = chair.get(&path).await;
    let fields = proposed_choices(&form);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let page = chair.submit(&path, &path, &fields).await;
    assert_taken(&page);
}

/// The values a form on `page` would send as shown: checked radios, the selected (or first) option of
/// each select, and the text of each textarea.
pub fn proposed_choices(page: &Page) -> Vec<(String, String)> {
    let html = page.html();
    let sel = |css: &str| scraper::Selector::parse(css).unwrap();
    let mut fields = Vec::new();
    for radio in html.select(&sel("form input[type=radio][checked]")) {
        let (name, value) = (radio.value().attr("name"), radio.value().attr("value"));
        fields.push((
            name.unwrap_or_default().into(),
            value.unwrap_or_default().into(),
        ));
    }
    for select in html.select(&sel("form select")) {
        let chosen = select
            .select(&sel("option[selected]"))
            .next()
            .or_else(|| select.select(&sel("option")).next());
        let value = chosen
            .and_then(|o| o.value().attr("value"))
            .unwrap_or_default();
        fields.push((
            select.value().attr("name").unwrap_or_default().into(),
            value.into(),
        ));
    }
    for area in html.select(&sel("form textarea")) {
        let text: String = area.text().collect();
        fields.push((area.value().attr("name").unwrap_or_default().into(), text));
    }
    fields
}

pub fn id_from(location: &Option<String>, prefix: &str) -> i64 {
    let location = location.as_deref().unwrap_or_else(|| panic!("no redirect"));
    location
        .trim_start_matches(prefix)
        .split(['?', '#', '/'])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("no id in {location}"))
}

pub async fn plan_meeting(chair: &Client, table: i64, day: NaiveDate) -> i64 {
    let page = chair
        .submit(
            &format!("/overleggen/{table}/bijeenkomsten/nieuw"),
            &format!("/overleggen/{table}/bijeenkomsten"),
            &[
                ("date", &ymd(day)),
                ("starts", "09:30"),
                ("ends", "11:00"),
                ("place", "Veilig Thuis, Dordrecht"),
                ("online_link", ""),
            ],
        )
        .await;
    assert_taken(&page);
    id_from(&page.location, "/bijeenkomsten/")
}

pub async fn refer(client: &Client, family: i64, table: i64, question: &str) -> i64 {
    let form = format!("/gezinnen/{family}/aanmelden/{table}");
    let page = client
        .submit(
            &form,
            &form,
            &[
                (
                    "reason",
                    "Drie meldingen van huiselijk geweld in zes maanden.",
                ),
                (
                    "tried",
                    "Hulp via het wijkteam en een tijdelijk huisverbod.",
                ),
                ("question", question),
                ("urgency", "urgent"),
                ("family_informed", "yes"),
            ],
        )
        .await;
    assert_taken(&page);
    id_from(&page.location, "/aanmeldingen/")
}

/// The chair accepts a referral onto `meeting`, or (None) without a date yet.
pub async fn accept(chair: &Client, referral: i64, meeting: Option<i64>) {
    let meeting = meeting.map(|m| m.to_string()).unwrap_or_default();
    let page = chair
        .submit(
            &format!("/aanmeldingen/{referral}"),
            &format!("/aanmeldingen/{referral}/antwoord"),
            &[("answer", "accept"), ("meeting_id", &meeting), ("note", "")],
        )
        .await;
    assert_taken(&page);
}

/// The agenda item ids of a meeting in order, read from the overview page.
pub fn item_ids(page: &Page) -> Vec<i64> {
    let html = page.html();
    let sel = scraper::Selector::parse("ol.ss-agenda > li").unwrap();
    html.select(&sel)
        .filter_map(|li| li.value().id()?.strip_prefix("punt-")?.parse().ok())
        .collect()
}

pub async fn decide(
    chair: &Client,
    meeting: i64,
    item: i64,
    outcome: &str,
    supersedes: &str,
) -> Page {
    let path = format!("/bijeenkomsten/{meeting}/punten/{item}");
    chair
        .submit(
            &path,
            &format!("{path}/besluiten"),
            &[
                ("outcome", outcome),
                (
                    "text",
                    "Fase 1 gaat door; na acht weken zonder incidenten naar fase 2.",
                ),
                (
                    "rationale",
                    "De veiligheidsafspraken worden nageleefd maar zijn nog kort.",
                ),
                ("family_view", "agrees"),
                (
                    "family_words",
                    "Eens, maar het omgangscontact graag in het buurthuis.",
                ),
                ("supersedes", supersedes),
            ],
        )
        .await
}

pub async fn add_action(
    chair: &Client,
    meeting: i64,
    item: i64,
    owner: i64,
    what: &str,
    due: NaiveDate,
) -> Page {
    let path = format!("/bijeenkomsten/{meeting}/punten/{item}");
    chair
        .submit(
            &path,
            &format!("{path}/acties"),
            &[
                ("description", what),
                ("owner_user_id", &owner.to_string()),
                ("due_on", &ymd(due)),
                ("condition", ""),
                ("family_informed_how", "Ahmed belt Sandra"),
            ],
        )
        .await
}

/// Asserts that a form was taken (the app redirects), showing the page otherwise.
pub fn assert_taken(page: &Page) {
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
}

/// Runs a meeting up to its close: two referred families on the agenda, Esther invited for Jansen,
/// agenda published, decisions and actions on both items. Returns (meeting, jansen item, bakker item).
pub async fn run_meeting(app: &TestApp, c: &Cast, close: bool) -> (i64, i64, i64) {
    let ingrid = signed_in(app, "ingrid@vt.example").await;
    let ahmed = signed_in(app, "ahmed@vt.example").await;
    let karin = signed_in(app, "karin@wijkteam.example").await;
    let meeting = plan_meeting(&ingrid, c.table, today() + Duration::days(1)).await;
    let (jansen_item, bakker_item) =
        put_both_families_on_the_agenda(c, [&ingrid, &ahmed, &karin], meeting).await;

    let page = ingrid
        .submit(
            &format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"),
            &format!("/bijeenkomsten/{meeting}/punten/{jansen_item}/uitnodigen"),
            &[("user_id", &c.esther.user_id.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    let page = on_meeting(&ingrid, meeting, "publiceren").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = on_meeting(&ingrid, meeting, "starten").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    for (item, owner, what) in [
        (jansen_item, &c.esther, "GGZ-intake voor Sandra"),
        (bakker_item, &c.ruud, "Zicht op de situatie houden"),
    ] {
        let page = decide(&ingrid, meeting, item, "Fase 1: directe veiligheid", "").await;
        assert_taken(&page);
        let due = today() + Duration::days(14);
        let page = add_action(&ingrid, meeting, item, owner.user_id, what, due).await;
        assert_taken(&page);
    }
    let page = ingrid
        .submit(
            &format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"),
            &format!("/bijeenkomsten/{meeting}/punten/{jansen_item}/notulen"),
            &[(
                "minutes",
                "Sandra was aanwezig en vertelde over de afgelopen weken.",
            )],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    if close {
        close_meeting(&ingrid, meeting).await;
    }
    (meeting, jansen_item, bakker_item)
}

/// Ahmed refers Jansen and Karin refers Bakker; the chair accepts Jansen onto the meeting at once, and
/// Bakker first without a date. Returns the agenda items (Jansen, Bakker).
pub async fn put_both_families_on_the_agenda(
    c: &Cast,
    [ingrid, ahmed, karin]: [&Client; 3],
    meeting: i64,
) -> (i64, i64) {
    let jansen_ref = refer(
        ahmed,
        c.jansen,
        c.table,
        "Hoe krijgen we het geweld blijvend gestopt?",
    )
    .await;
    let bakker_ref = refer(
        karin,
        c.bakker,
        c.table,
        "Kan de monitoring worden afgebouwd?",
    )
    .await;
    assert!(
        ahmed
            .get(&format!("/aanmeldingen/{jansen_ref}"))
            .await
            .visible_text()
            .contains("Ingediend")
    );

    accept(ingrid, jansen_ref, Some(meeting)).await;
    accept(ingrid, bakker_ref, None).await;
    assert!(
        karin
            .get(&format!("/aanmeldingen/{bakker_ref}"))
            .await
            .visible_text()
            .contains("Geaccepteerd"),
        "the referrer sees the status"
    );
    let page = on_meeting(ingrid, meeting, &format!("aanmeldingen/{bakker_ref}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    let overview = ingrid.get(&format!("/bijeenkomsten/{meeting}")).await;
    let items = item_ids(&overview);
    assert_eq!(items.len(), 3, "review of open actions, Jansen, Bakker");
    assert!(
        overview
            .text("ol.ss-agenda > li")
            .unwrap()
            .contains("Openstaande acties van eerdere bijeenkomsten"),
        "the review comes first"
    );
    (items[1], items[2])
}
