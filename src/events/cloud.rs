//! Events as CloudEvents 1.0 in the NL GOV profile, and the two events of Samen onder Handbereik's
//! "Uitwisselen Uitkomst Overleg" in their own profile. The feed and the webhooks render with this.

use diesel::prelude::*;
use serde_json::{Value, json};

use super::{Event, EventKind};
use crate::db::DbConn;
use crate::schema::families;

/// An outcome's identifier for partners, as in the specification's examples.
pub fn outcome_identifier(agenda_item_id: i64) -> String {
    format!("uitkomst-overleg-{agenda_item_id}")
}

/// An event as a CloudEvent in the NL GOV profile: thin data (what happened to which resource), no
/// names or content; the partner reads details at the source.
pub fn cloud_event(e: &Event, oin: &str, base_url: &str, case_number: Option<&str>) -> Value {
    let time =
        chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(e.occurred_at, chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    if e.is(EventKind::OutcomePublished) || e.is(EventKind::OutcomeRead) {
        return outcome_event(e, oin, base_url, &time);
    }
    let dataref = if EventKind::BOARD_REQUEST.iter().any(|k| e.is(*k)) {
        // The request itself is what the Raad reads.
        Some(board_request_url(
            base_url,
            e.subject_id.unwrap_or_default(),
        ))
    } else if EventKind::parse(&e.kind).is_some_and(EventKind::is_reading) {
        // A reading points nowhere: a receiver that follows every dataref would read again.
        None
    } else {
        Some(format!("{base_url}/api/v1/events/{}", e.id))
    };
    let subject = match (case_number, e.meeting_id) {
        (Some(case), _) => format!("zaak/{case}"),
        (None, Some(m)) => format!("casusoverleg/{m}"),
        (None, None) => format!("{}/{}", e.subject_type, e.subject_id.unwrap_or_default()),
    };
    let mut event = json!({
        "specversion": "1.0",
        "id": e.id.to_string(),
        "source": format!("urn:nld:oin:{oin}:systeem:samenspel"),
        "type": cloud_type(&e.kind),
        "time": time,
        "subject": subject,
        "datacontenttype": "application/json",
        "data": {
            "kind": e.kind,
            "subjectType": e.subject_type,
            "subjectId": e.subject_id.map(|i| i.to_string()),
        },
    });
    if let Some(dataref) = dataref {
        event["dataref"] = json!(dataref);
    }
    event
}

/// The address where the Raad reads a request to investigate.
pub fn board_request_url(base_url: &str, id: i64) -> String {
    format!(
        "{}/api/v1/verzoeken-onderzoek/{id}",
        base_url.trim_end_matches('/')
    )
}

/// An event as its CloudEvent, with the family's case number looked up.
pub fn render_event(conn: &mut DbConn, e: &Event, oin: &str, base_url: &str) -> QueryResult<Value> {
    let case: Option<String> = match e.family_id {
        Some(f) => families::table
            .find(f)
            .select(families::case_number)
            .first(conn)
            .optional()?,
        None => None,
    };
    Ok(cloud_event(e, oin, base_url, case.as_deref()))
}

/// The CloudEvents `type` of an event stored under `name`.
pub fn cloud_type(name: &str) -> String {
    match EventKind::parse(name) {
        Some(kind) => kind.cloud_type(),
        None => format!("nl.samenspel.{name}"),
    }
}

/// The two events of Samen onder Handbereik's "Uitwisselen Uitkomst Overleg" in their own profile:
/// the specification's types, the outcome's identifier as subject, the inzage address as `dataref`, and
/// as data a PROV JSON-LD graph (who made the outcome available, or which organisation read it) without
/// any content of the outcome.
fn outcome_event(e: &Event, oin: &str, base_url: &str, time: &str) -> Value {
    let item = e.subject_id.unwrap_or_default();
    let identifier = outcome_identifier(item);
    let entity = format!("urn:{identifier}");
    let source = format!("urn:nld:oin:{oin}:systeem:samenspel");
    let context = json!({
        "prov": "http://www.w3.org/ns/prov#",
        "soh": "https://samen-onder-handbereik.github.io/specificaties/schema/",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    });
    let inzage = format!(
        "{}/api/v1/casusoverleg/{item}",
        base_url.trim_end_matches('/')
    );
    let (kind, graph) = if e.is(EventKind::OutcomePublished) {
        let activity = format!("urn:samenspel:activiteit:beschikbaarstellen:{}", e.id);
        let agent = format!("urn:nld:oin:{oin}");
        (
            EventKind::OutcomePublished.cloud_type(),
            json!([
                {
                    "@id": entity,
                    "@type": ["prov:Entity", "soh:UitkomstOverleg"],
                    "soh:beschikbaarGesteldOp": time,
                    "soh:inzageUrl": inzage,
                    "prov:wasGeneratedBy": { "@id": activity },
                },
                {
                    "@id": activity,
                    "@type": ["prov:Activity"],
                    "prov:endedAtTime": time,
                    "prov:wasAssociatedWith": { "@id": agent },
                },
                { "@id": agent, "@type": ["prov:Agent"], "rdfs:label": "Samenspel" },
            ]),
        )
    } else {
        let activity = format!("urn:samenspel:activiteit:inzage:{}", e.id);
        let reader_oin = e.field("organisation_oin");
        let agent = if reader_oin.is_empty() {
            format!("urn:samenspel:organisatie:{}", e.field("organisation_id"))
        } else {
            format!("urn:nld:oin:{reader_oin}")
        };
        (
            EventKind::OutcomeRead.cloud_type(),
            json!([
                {
                    "@id": activity,
                    "@type": ["prov:Activity", "soh:InzienUitkomstOverleg"],
                    "prov:endedAtTime": time,
                    "prov:used": { "@id": entity },
                    "prov:wasAssociatedWith": { "@id": agent },
                },
                { "@id": agent, "@type": ["prov:Agent"], "rdfs:label": e.field("organisation") },
            ]),
        )
    };
    let mut event = json!({
        "specversion": "1.0",
        "id": e.id.to_string(),
        "source": source,
        "type": kind,
        "time": time,
        "subject": identifier,
        "datacontenttype": "application/ld+json",
        "data": { "@context": context, "@graph": graph },
    });
    // Only the outcome made available points at the inzage address: a reading that pointed there
    // would invite a receiver that follows every dataref to read again, and so on.
    if e.is(EventKind::OutcomePublished) {
        event["dataref"] = json!(inzage);
    }
    event
}
