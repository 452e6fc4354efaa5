//! Minutes written by two people at once (issue 18, "Minutes are never lost"): a save based on an older
//! text never overwrites someone else's, the answer shows both texts, and the writer can put their
//! text under the stored one.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::schema::agenda_items;

use crate::common::meeting::run_meeting;
use crate::common::world::{Cast, signed_in};
use crate::common::{Client, Page, TestApp};

const STARTED: &str = "Sandra was aanwezig en vertelde over de afgelopen weken.";

fn stored(app: &TestApp, item: i64) -> String {
    agenda_items::table
        .find(item)
        .select(agenda_items::minutes)
        .first(&mut *app.conn())
        .unwrap()
}

/// One writer with the item page open: the CSRF token and the revision of the minutes in its form.
struct Writer {
    client: Client,
    path: String,
    csrf: String,
    base: String,
}

impl Writer {
    async fn open(client: Client, path: &str) -> Writer {
        let page = client.get(path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text("#minutes").as_deref(), Some(STARTED));
        Writer {
            csrf: page.csrf(),
            base: page.value("input[name=base]").expect("a base"),
            client,
            path: path.to_string(),
        }
    }

    /// The form's fields: the text, the revision it was based on (if any), and a choice (if any).
    fn fields<'a>(
        &'a self,
        minutes: &'a str,
        base: Option<&'a str>,
        resolve: Option<&'a str>,
    ) -> Vec<(&'a str, &'a str)> {
        let mut fields = vec![("csrf_token", self.csrf.as_str()), ("minutes", minutes)];
        fields.extend(base.map(|b| ("base", b)));
        fields.extend(resolve.map(|r| ("resolve", r)));
        fields
    }

    /// Posts the form, as the button does.
    async fn save(&self, minutes: &str, base: Option<&str>, resolve: Option<&str>) -> Page {
        let fields = self.fields(minutes, base, resolve);
        let path = format!("{}/notulen", self.path);
        self.client.post(&path, &fields).await
    }

    /// Posts the form as the page's script does, asking for JSON.
    async fn autosave(&self, minutes: &str, base: &str) -> (StatusCode, serde_json::Value) {
        let answer = self
            .client
            .http
            .post(self.client.url(&format!("{}/notulen", self.path)))
            .header("Accept", "application/json")
            .form(&self.fields(minutes, Some(base), None))
            .send()
            .await
            .unwrap();
        (answer.status(), answer.json().await.unwrap())
    }
}

/// A running meeting where Ingrid (chair and minute-taker) and Ruud (given a minute-taker's seat) both
/// open the page of Jansen's item to write its minutes; the item.
async fn two_writers() -> (TestApp, Writer, Writer, i64) {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    c.give_ruud_a_minute_takers_seat(&app);
    let path = format!("/bijeenkomsten/{meeting}/punten/{jansen_item}");
    let ingrid = Writer::open(signed_in(&app, "ingrid@vt.example").await, &path).await;
    let ruud = Writer::open(signed_in(&app, "ruud@politie.example").await, &path).await;
    (app, ingrid, ruud, jansen_item)
}

#[actix_web::test]
async fn a_second_save_on_an_old_text_overwrites_nothing_and_shows_both_texts() {
    let (app, ingrid, ruud, item) = two_writers().await;
    // Both started typing on the same text.
    assert_eq!(ingrid.base, ruud.base);
    let hers = format!("{STARTED} Afspraak: oma Jansen belt elke avond.");
    let his = format!("{STARTED} Opa komt op zondag.");

    // Ingrid's save lands first.
    let page = ingrid.save(&hers, Some(&ingrid.base), None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    // Ruud's, based on the text before hers, is not written: 409 with both texts, his in the field.
    let page = ruud.save(&his, Some(&ruud.base), None).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(stored(&app, item), hers);
    let text = page.visible_text();
    assert!(
        text.contains("Je notulen zijn nog niet opgeslagen: iemand anders heeft ze ook aangepast."),
        "{text}"
    );
    assert!(text.contains("Ingrid Smit heeft om"), "{text}");
    assert_eq!(
        page.text("[data-minutes-stored]").as_deref(),
        Some(hers.as_str())
    );
    assert_eq!(
        page.text("[data-minutes-mine]").as_deref(),
        Some(his.as_str())
    );
    assert_eq!(page.text("#minutes").as_deref(), Some(his.as_str()));
    // The field keeps saying it was based on the old text, so saving it again is refused again.
    assert_eq!(page.value("input[name=base]"), Some(ruud.base.clone()));
    assert!(page.body.contains(r#"data-dirty="1""#));

    // The page's script asks for JSON and gets the same: 409, both texts, nothing written.
    let (status, answer) = ruud.autosave(&his, &ruud.base).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(answer["saved"], false);
    let notice = answer["conflict"].as_str().unwrap();
    assert!(notice.contains("oma Jansen belt elke avond"), "{notice}");
    assert!(notice.contains("Opa komt op zondag"), "{notice}");
    assert!(notice.contains("Mijn tekst onder de opgeslagen tekst zetten"));
    assert!(notice.contains("Opgeslagen tekst overnemen"));
    assert_eq!(stored(&app, item), hers);

    // "Opgeslagen tekst overnemen" writes nothing; "Mijn tekst onder de opgeslagen tekst zetten" keeps
    // both, his without the start they share.
    let page = ruud.save(&his, Some(&ruud.base), Some("take")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, item), hers);
    let page = ruud.save(&his, Some(&ruud.base), Some("append")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, item), format!("{hers}\n\nOpa komt op zondag."));

    // The page now says who saved last.
    let page = ingrid.client.get(&ingrid.path).await;
    let by = page.text(&format!("#minutes-by-{item}")).unwrap();
    assert!(by.starts_with("Laatst opgeslagen door Ruud"), "{by}");
}

#[actix_web::test]
async fn saves_that_lose_nothing_go_through_as_before() {
    let (app, ingrid, _ruud, item) = two_writers().await;
    // The script's save: 200 with the new revision.
    let first = format!("{STARTED} Eerste zin.");
    let (status, answer) = ingrid.autosave(&first, &ingrid.base).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["saved"], true);
    assert_ne!(answer["base"].as_str().unwrap(), ingrid.base);
    let said = answer["status"].as_str().unwrap();
    assert!(said.starts_with("Je notulen zijn opgeslagen om"), "{said}");
    // A save on the old revision that keeps the stored text whole at its start (typed on while the
    // first save was on its way) loses nothing: it goes through.
    let second = format!("{first} Tweede zin.");
    let page = ingrid.save(&second, Some(&ingrid.base), None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, item), second);
    // On the current revision the writer may also remove text.
    let now = ingrid.client.get(&ingrid.path).await;
    let now = now.value("input[name=base]").unwrap();
    let page = ingrid.save("Korter.", Some(&now), None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, item), "Korter.");
    // A form without a revision counts as written on no text: it cannot replace minutes it never showed.
    let page = ingrid.save("Iets anders.", None, None).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(stored(&app, item), "Korter.");
}
