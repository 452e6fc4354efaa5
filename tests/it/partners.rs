//! Samen onder Handbereik: the outcome of a closed meeting through the inzage API and the query API,
//! checked against the copied specification's schemas with a JSON Schema validator; readings as
//! `uitkomst-ingezien` events naming the reader, shown to the chair and the director; 404 and no event
//! for an organisation that did not take part.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::domain::user::Role;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::api::{Answer, assert_problem, call, make_token, regex_like_source};
use crate::common::meeting::run_meeting;
use crate::common::world::{Cast, signed_in};

/// A specification file of `specs/samen-onder-handbereik/` as JSON.
pub(crate) fn spec(file: &str) -> Value {
    let path = format!(
        "{}/specs/samen-onder-handbereik/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// What is wrong with `instance` against `#/components/schemas/<schema>` of `doc`, formats included.
pub(crate) fn schema_errors(doc: &Value, schema: &str, instance: &Value) -> Vec<String> {
    let root = json!({
        "$ref": format!("#/components/schemas/{schema}"),
        "components": doc["components"],
    });
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("schema {schema}: {e}"));
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

pub(crate) fn assert_valid(doc: &Value, schema: &str, instance: &Value) {
    let errors = schema_errors(doc, schema, instance);
    assert!(
        errors.is_empty(),
        "not a valid {schema}: {errors:?}\n{instance:#}"
    );
}

/// UitwisselenUitkomstOverleg.yaml with the generic CloudEvent of AsynchroneInteracties.yaml it refers
/// to made local, so the event profiles validate on their own.
pub(crate) fn event_profiles() -> Value {
    let mut doc = spec("UitwisselenUitkomstOverleg.yaml");
    let generic = spec("AsynchroneInteracties.yaml")["components"]["schemas"]["CloudEvent"].clone();
    doc["components"]["schemas"]["GeneriekCloudEvent"] = generic;
    let text = doc.to_string().replace(
        "./AsynchroneInteracties.yaml#/components/schemas/CloudEvent",
        "#/components/schemas/GeneriekCloudEvent",
    );
    serde_json::from_str(&text).unwrap()
}

async fn post_query(app: &TestApp, token: &str, body: &str) -> Answer {
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/uitkomsten-overleg/query"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    Answer {
        status: res.status(),
        headers: res.headers().clone(),
        body: res.text().await.unwrap(),
    }
}

/// An organisation admin of `organisation` and the token they make.
async fn token_of(app: &TestApp, email: &str, organisation: &str) -> String {
    app.user(email, "Beheerder", Role::OrgAdmin, Some(organisation));
    let admin = signed_in(app, email).await;
    make_token(app, &admin, "Koppeling").await
}

fn readings_by(app: &TestApp, organisation: &str) -> i64 {
    use samenspel::schema::{events, organisations};
    let org: i64 = organisations::table
        .filter(organisations::name.eq(organisation))
        .select(organisations::id)
        .first(&mut app.conn())
        .unwrap();
    events::table
        .filter(events::kind.eq("outcome.read"))
        .filter(events::actor_organisation_id.eq(org))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

const BSN: &str = "999990019";

/// The specification has two descriptions of `uitkomst-beschikbaar-gesteld`'s data that cannot both
/// hold: the profile in UitwisselenUitkomstOverleg.yaml (a PROV graph in JSON-LD) and the JSON Schema
/// uitkomst-overleg.json (`datumPublicatie`, `versie`, `url` and nothing else). We send the profile's
/// graph (README, "Two descriptions of one event"). This checks that choice: the schema's facts we
/// have are in the graph (the publication time as `soh:beschikbaarGesteldOp`, the address as
/// `soh:inzageUrl`, the same as `dataref`), and adding the schema's fields beside the graph would not
/// satisfy the schema either, because it forbids every other property.
fn profile_over_data_schema(published: &[&Value]) {
    let mut schema = spec("uitkomst-overleg.json");
    schema["$ref"] = json!("#/$defs/uitkomst-beschikbaar-gesteld");
    let data_schema = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap();
    for e in published {
        let graph = e["data"]["@graph"].as_array().unwrap();
        let outcome = graph
            .iter()
            .find(|n| {
                n["@type"]
                    .as_array()
                    .is_some_and(|t| t.contains(&json!("soh:UitkomstOverleg")))
            })
            .expect("the outcome in the graph");
        assert_eq!(outcome["soh:beschikbaarGesteldOp"], e["time"]);
        assert_eq!(outcome["soh:inzageUrl"], e["dataref"]);
        let schema_form = json!({"datumPublicatie": e["time"], "versie": "1", "url": e["dataref"]});
        assert!(data_schema.is_valid(&schema_form), "{schema_form}");
        assert!(!data_schema.is_valid(&e["data"]));
        let mut both = e["data"].clone();
        for (k, v) in schema_form.as_object().unwrap() {
            both[k] = v.clone();
        }
        assert!(
            !data_schema.is_valid(&both),
            "if the schema ever accepts the graph beside its fields, send both"
        );
    }
}

#[actix_web::test]
async fn a_partner_reads_the_outcome_as_the_specification_says_and_every_reading_is_logged() {
    let app = TestApp::spawn_with(&[("SAMENSPEL_API_RATE_LIMIT", "1000")]).await;
    let c = Cast::new(&app);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;

    // Ahmed records Mila with her BSN and address. A wrong BSN is refused with what he typed kept.
    let form = format!("/gezinnen/{}/gezinsleden/nieuw", c.jansen);
    let post = format!("/gezinnen/{}/gezinsleden", c.jansen);
    let mut fields = vec![
        ("name", "Mila van der Berg"),
        ("date_of_birth", "2017-03-14"),
        ("role", "child"),
        ("bsn", "123456789"),
        ("street", "Lindelaan"),
        ("house_number", "12"),
        ("postcode", "3311xk"),
        ("city", "Dordrecht"),
    ];
    let refused = ahmed.submit(&form, &post, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.visible_text().contains("Dit is geen geldig BSN"));
    assert_eq!(refused.value("#street").as_deref(), Some("Lindelaan"));
    fields[3] = ("bsn", BSN);
    let saved = ahmed.submit(&form, &post, &fields).await;
    assert_eq!(
        saved.status,
        StatusCode::SEE_OTHER,
        "{}",
        saved.visible_text()
    );

    let (meeting, jansen_item, bakker_item) = run_meeting(&app, &c, true).await;
    // GGZ (Esther, invited for Jansen only) takes part; Reclassering does not.
    let ggz = token_of(&app, "beheer@ggz.example", "GGZ volwassenen").await;
    let outsider = token_of(&app, "beheer@rn.example", "Reclassering Nederland").await;
    let vt = token_of(&app, "beheer@vt.example", "Veilig Thuis Zuid-Holland Zuid").await;
    let inzage = spec("UitkomstOverleg.yaml");

    // The lists, each valid against its paged schema, hold Jansen's outcome only.
    let list = call(&app, "/api/v1/casusoverleg", Some(&ggz)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.header("x-pagination-page"), "1");
    let body = list.json();
    assert_valid(&inzage, "GepagineerdCasusoverlegLijst", &body);
    assert_eq!(body["totaalAantal"], 1);
    let overleg = &body["resultaten"][0];
    assert_eq!(overleg["id"], jansen_item.to_string());
    assert!(
        overleg["notulen"]
            .as_str()
            .unwrap()
            .contains("Sandra was aanwezig")
    );

    let one = call(
        &app,
        &format!("/api/v1/casusoverleg/{jansen_item}"),
        Some(&ggz),
    )
    .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert_valid(&inzage, "Casusoverleg", &one.json());
    assert_problem(
        &call(
            &app,
            &format!("/api/v1/casusoverleg/{bakker_item}"),
            Some(&ggz),
        )
        .await,
        StatusCode::NOT_FOUND,
    );

    let besluiten = call(&app, "/api/v1/besluit?pageSize=1", Some(&ggz)).await;
    assert_eq!(besluiten.status, StatusCode::OK, "{}", besluiten.body);
    let body = besluiten.json();
    assert_valid(&inzage, "GepagineerdBesluitLijst", &body);
    assert_eq!(body["totaalAantal"], 1);
    let besluit_id = body["resultaten"][0]["id"].as_str().unwrap().to_string();
    let besluit = call(&app, &format!("/api/v1/besluit/{besluit_id}"), Some(&ggz)).await;
    assert_valid(&inzage, "Besluit", &besluit.json());
    assert_eq!(besluit.json()["idCasusoverleg"], jansen_item.to_string());

    let acties = call(&app, "/api/v1/actie", Some(&ggz)).await;
    let body = acties.json();
    assert_valid(&inzage, "GepagineerdActieLijst", &body);
    assert_eq!(body["totaalAantal"], 1);
    let actie = &body["resultaten"][0];
    assert_eq!(actie["omschrijving"], "GGZ-intake voor Sandra");
    assert_eq!(actie["belegdBij"]["naam"], "GGZ volwassenen");
    let mila = &actie["heeftBetrekkingOp"];
    assert_eq!(mila["burgerservicenummer"], BSN);
    assert_eq!(mila["naam"]["voornamen"], "Mila");
    assert_eq!(mila["naam"]["voorvoegsel"], "van der");
    assert_eq!(mila["naam"]["geslachtsnaam"], "Berg");
    assert_eq!(mila["adres"]["postcode"], "3311 XK");
    let actie_id = actie["id"].as_str().unwrap().to_string();
    let one = call(&app, &format!("/api/v1/actie/{actie_id}"), Some(&ggz)).await;
    assert_valid(&inzage, "Actie", &one.json());
    // The check itself can fail: a short BSN, a bad postcode or a missing field is caught.
    let mut broken = one.json();
    broken["heeftBetrekkingOp"]["burgerservicenummer"] = json!("12345");
    broken["heeftBetrekkingOp"]["adres"]["postcode"] = json!("3311xk");
    broken.as_object_mut().unwrap().remove("belegdBij");
    assert_eq!(schema_errors(&inzage, "Actie", &broken).len(), 3);

    let jansen = samenspel::domain::family::find(&mut app.conn(), c.jansen)
        .unwrap()
        .unwrap();
    let zaken = call(&app, "/api/v1/zaak", Some(&ggz)).await;
    assert_valid(&inzage, "GepagineerdZaakLijst", &zaken.json());
    let zaak = call(
        &app,
        &format!("/api/v1/zaak/{}", jansen.case_number),
        Some(&ggz),
    )
    .await;
    assert_eq!(zaak.status, StatusCode::OK, "{}", zaak.body);
    let body = zaak.json();
    assert_valid(&inzage, "Zaak", &body);
    assert_eq!(body["heeftBesluit"].as_array().unwrap().len(), 1);
    assert_eq!(body["heeftActie"].as_array().unwrap().len(), 1);

    // Veilig Thuis (leading the table, directing Jansen) reads both outcomes; Bakker has no member
    // with a BSN, so its action is not shared, and the count says so.
    let all = call(&app, "/api/v1/casusoverleg?sort=-id", Some(&vt))
        .await
        .json();
    assert_eq!(all["totaalAantal"], 2);
    assert_eq!(all["resultaten"][0]["id"], bakker_item.to_string());
    assert_eq!(
        call(&app, "/api/v1/actie", Some(&vt)).await.json()["totaalAantal"],
        1
    );

    // The query API finds the outcome by BSN, valid against QueryResult.
    let query = post_query(
        &app,
        &ggz,
        &json!({ "burgerservicenummer": BSN }).to_string(),
    )
    .await;
    assert_eq!(query.status, StatusCode::OK, "{}", query.body);
    let found = query.json();
    assert_valid(&event_profiles(), "QueryResult", &found);
    assert_eq!(found["results"].as_array().unwrap().len(), 1);
    assert_eq!(
        found["results"][0]["identifier"],
        format!("uitkomst-overleg-{jansen_item}")
    );
    let inzage_url = found["results"][0]["inzageUrl"].as_str().unwrap();
    assert_eq!(
        inzage_url,
        app.url(&format!("/api/v1/casusoverleg/{jansen_item}"))
    );

    // Every reading is an event naming GGZ; the organisation that did not take part gets 404 and
    // leaves no trace.
    let ggz_readings = readings_by(&app, "GGZ volwassenen");
    assert!(ggz_readings >= 6, "{ggz_readings} readings");
    for path in [
        format!("/api/v1/casusoverleg/{jansen_item}"),
        format!("/api/v1/besluit/{besluit_id}"),
        format!("/api/v1/actie/{actie_id}"),
        format!("/api/v1/zaak/{}", jansen.case_number),
    ] {
        assert_problem(
            &call(&app, &path, Some(&outsider)).await,
            StatusCode::NOT_FOUND,
        );
    }
    let empty = call(&app, "/api/v1/casusoverleg", Some(&outsider))
        .await
        .json();
    assert_eq!(empty["totaalAantal"], 0);
    let none = post_query(
        &app,
        &outsider,
        &json!({ "burgerservicenummer": BSN }).to_string(),
    )
    .await;
    assert_eq!(none.json()["results"], json!([]));
    assert_eq!(readings_by(&app, "Reclassering Nederland"), 0);

    // The chair sees the readings on the meeting page, the director on the family page.
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let page = ingrid.get(&format!("/bijeenkomsten/{meeting}")).await;
    let table = page.text("#partner-readings").expect("the readings table");
    assert!(table.contains("GGZ volwassenen"), "{table}");
    assert!(
        table.contains(&format!("casusoverleg/{jansen_item}")),
        "{table}"
    );
    assert!(!table.contains("Reclassering"));
    let family = ahmed.get(&format!("/gezinnen/{}", c.jansen)).await;
    assert!(
        family
            .text("#partner-readings")
            .expect("the readings on the family page")
            .contains("GGZ volwassenen")
    );
    // And in the family's access log, which the family reads too.
    let log = ahmed
        .get(&format!("/gezinnen/{}/inzagelog", c.jansen))
        .await
        .visible_text();
    assert!(
        log.contains("GGZ volwassenen") && log.contains("via de koppeling"),
        "{log}"
    );

    // The feed: both outcome events in the profile of the specification, read by an independent
    // CloudEvents library; the reading names GGZ.
    let profiles = event_profiles();
    let feed = call(&app, "/api/v1/events?limit=500", Some(&vt))
        .await
        .json();
    let events = feed.as_array().unwrap();
    let published: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "uitwisselen-uitkomst-overleg.uitkomst-beschikbaar-gesteld")
        .collect();
    assert_eq!(published.len(), 2, "one per family item");
    let read: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "uitwisselen-uitkomst-overleg.uitkomst-ingezien")
        .collect();
    assert!(read.len() as i64 >= ggz_readings);
    for e in published.iter().chain(read.iter()) {
        let schema = if e["type"].as_str().unwrap().ends_with("ingezien") {
            "UitkomstIngezienEvent"
        } else {
            "UitkomstBeschikbaarGesteldEvent"
        };
        assert_valid(&profiles, schema, e);
        let parsed: cloudevents::Event = serde_json::from_value((*e).clone())
            .unwrap_or_else(|err| panic!("not a CloudEvent ({err}): {e}"));
        use cloudevents::AttributesReader;
        assert!(regex_like_source()(parsed.source().as_str()));
        assert!(
            parsed
                .subject()
                .is_some_and(|s| s.starts_with("uitkomst-overleg-"))
        );
        if schema == "UitkomstBeschikbaarGesteldEvent" {
            assert!(
                e["dataref"]
                    .as_str()
                    .unwrap()
                    .contains("/api/v1/casusoverleg/")
            );
        } else {
            assert!(
                e.get("dataref").is_none(),
                "a reading does not invite another"
            );
        }
        // No content of the outcome in the event.
        for word in ["GGZ-intake", "Sandra", "Jansen", BSN] {
            assert!(!e.to_string().contains(word), "{word} in {e}");
        }
    }
    profile_over_data_schema(&published);
    let mine = read
        .iter()
        .find(|e| e["subject"] == format!("uitkomst-overleg-{jansen_item}"))
        .expect("a reading of Jansen's outcome");
    let graph = mine["data"]["@graph"].as_array().unwrap();
    let agent = graph
        .iter()
        .find(|n| n["@type"] == json!(["prov:Agent"]))
        .unwrap();
    assert_eq!(agent["rdfs:label"], "GGZ volwassenen");
    let activity = graph
        .iter()
        .find(|n| n["prov:wasAssociatedWith"].is_object())
        .unwrap();
    assert_eq!(activity["prov:wasAssociatedWith"]["@id"], agent["@id"]);
    assert_eq!(
        activity["prov:used"]["@id"],
        format!("urn:uitkomst-overleg-{jansen_item}")
    );
}

#[actix_web::test]
async fn bad_input_to_the_inzage_and_query_api_gets_problem_json() {
    let app = TestApp::spawn_with(&[("SAMENSPEL_API_RATE_LIMIT", "1000")]).await;
    let token = token_of(&app, "beheer@vt.example", "Veilig Thuis").await;
    for path in [
        "/api/v1/casusoverleg?page=0",
        "/api/v1/casusoverleg?page=abc",
        "/api/v1/besluit?pageSize=101",
        "/api/v1/actie?pageSize=-1",
        "/api/v1/zaak?sort=naam",
        "/api/v1/zaak?onbekend=1",
        "/api/v1/actie?page=%FF",
    ] {
        assert_problem(
            &call(&app, path, Some(&token)).await,
            StatusCode::BAD_REQUEST,
        );
    }
    for path in [
        "/api/v1/casusoverleg/abc",
        "/api/v1/casusoverleg/99999999999999999999",
        "/api/v1/besluit/1",
        "/api/v1/actie/%00",
        "/api/v1/zaak/2026-9999",
    ] {
        assert_problem(&call(&app, path, Some(&token)).await, StatusCode::NOT_FOUND);
    }
    for (body, status) in [
        (
            "{\"burgerservicenummer\": 999990019}",
            StatusCode::BAD_REQUEST,
        ),
        (
            "{\"burgerservicenummer\": \"123456789\"}",
            StatusCode::BAD_REQUEST,
        ),
        ("{\"bsn\": \"999990019\"}", StatusCode::BAD_REQUEST),
        (
            "{\"beschikbaarVanaf\": \"gisteren\"}",
            StatusCode::BAD_REQUEST,
        ),
        (
            "{\"beschikbaarVanaf\": \"2026-02-01T00:00:00Z\", \"beschikbaarTot\": \"2026-01-01T00:00:00Z\"}",
            StatusCode::BAD_REQUEST,
        ),
        ("[1, 2, 3]", StatusCode::BAD_REQUEST),
        (
            "{\"burgerservicenummer\": \"<script>\"",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        assert_problem(&post_query(&app, &token, body).await, status);
    }
    let huge = format!("{{\"burgerservicenummer\": \"{}\"}}", "9".repeat(1_000_000));
    assert_problem(
        &post_query(&app, &token, &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    );
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/uitkomsten-overleg/query"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Content-Type: application/json")),
        "{problem}"
    );
    // An empty query is fine: everything this organisation may read (nothing yet).
    let ok = post_query(&app, &token, "{}").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json(), json!({ "results": [] }));
}

/// The API follows the pages' rules: an organisation reads an outcome only as a party to it (one that
/// became involved after the meeting is not), and no party reads it once the family is closed: the
/// single outcome, the list and the query all leave it out.
#[actix_web::test]
async fn only_a_party_reads_an_outcome_and_only_while_the_family_is_open() {
    let app = TestApp::spawn_with(&[("SAMENSPEL_API_RATE_LIMIT", "1000")]).await;
    let c = Cast::new(&app);
    let (_, jansen_item, _) = run_meeting(&app, &c, true).await;
    let party = token_of(&app, "beheer@vt.example", "Veilig Thuis Zuid-Holland Zuid").await;
    // Jeugdzorg becomes involved after the meeting: working with the family now, but no party.
    let kim = app
        .user(
            "kim@jeugdzorg.example",
            "Kim Bos",
            Role::Professional,
            Some("Jeugdzorg Dordrecht"),
        )
        .id;
    let kim = samenspel::record::who(&mut app.conn(), kim).unwrap();
    samenspel::db::write(&mut app.conn(), |conn| {
        samenspel::record::add_involvement(
            conn,
            &c.ahmed,
            c.jansen,
            &kim,
            "Jeugdhulp",
            crate::common::world::today(),
        )
    })
    .unwrap();
    let late = token_of(&app, "beheer@jeugdzorg.example", "Jeugdzorg Dordrecht").await;
    let one = format!("/api/v1/casusoverleg/{jansen_item}");
    assert_eq!(call(&app, &one, Some(&party)).await.status, StatusCode::OK);
    assert_eq!(
        call(&app, &one, Some(&late)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        readings_by(&app, "Jeugdzorg Dordrecht"),
        0,
        "no reading, no event"
    );

    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let family = format!("/gezinnen/{}", c.jansen);
    let closed = ahmed
        .submit(
            &family,
            &format!("{family}/sluiten"),
            &[("reason", "Hulp afgerond.")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let readings_of_jansen = || -> i64 {
        use samenspel::schema::events;
        events::table
            .filter(events::kind.eq("outcome.read"))
            .filter(events::subject_id.eq(jansen_item))
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    let before = readings_of_jansen();
    assert!(before >= 1, "the party's reading before closing is logged");
    assert_eq!(
        call(&app, &one, Some(&party)).await.status,
        StatusCode::NOT_FOUND
    );
    let list = call(&app, "/api/v1/casusoverleg", Some(&party)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        !list.body.contains(&format!("\"{jansen_item}\""))
            && !list
                .body
                .contains(&samenspel::domain::outcome::identifier(jansen_item)),
        "the closed family's outcome is listed: {}",
        list.body
    );
    assert_eq!(readings_of_jansen(), before, "nothing read, nothing logged");
}
