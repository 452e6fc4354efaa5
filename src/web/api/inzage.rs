//! The inzage API of Samen onder Handbereik's UitkomstOverleg specification (`/api/v1/casusoverleg`,
//! `/besluit`, `/actie`, `/zaak`, paged as the specification says) and the query API of
//! UitwisselenUitkomstOverleg (`POST /api/v1/uitkomsten-overleg/query`).
//!
//! A casusoverleg is a family's item of a closed meeting (its outcome); besluiten and acties are the
//! decisions and actions taken at it; a zaak is the family, by case number. An organisation reads
//! only outcomes it took part in or of families it works with (404 otherwise), and every reading is an
//! `outcome.read` event naming the organisation, written in the same transaction as the reading.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, Partner};
use crate::db::{self, DbConn};
use crate::domain::decision::{Action, Decision};
use crate::domain::family::{self, Family, Person};
use crate::domain::meeting;
use crate::domain::outcome::{self, Outcome, Paging};
use crate::schema::organisations;
use crate::time::local;
use crate::web::{AppError, AppState};

// ---------------------------------------------------------------------------------------------------
// Paging

/// `page`, `pageSize` and `sort` (NL API Design Rules), also accepted by their Dutch names.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    #[serde(alias = "pagina")]
    page: Option<String>,
    #[serde(rename = "pageSize", alias = "paginaGrootte")]
    page_size: Option<String>,
    #[serde(alias = "sorteer")]
    sort: Option<String>,
}

#[derive(Clone, Copy, Debug)]
struct Page {
    number: i64,
    size: i64,
    descending: bool,
}

impl Page {
    fn parse(query: &PageQuery) -> Result<Page, ApiError> {
        let number = match query.page.as_deref() {
            None | Some("") => 1,
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| ApiError::bad_request("page moet een getal vanaf 1 zijn."))?,
        };
        let size = match query.page_size.as_deref() {
            None | Some("") => 20,
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request("pageSize moet een getal van 1 tot 100 zijn.")
                })?,
        };
        let descending = match query.sort.as_deref() {
            None | Some("") | Some("id") => false,
            Some("-id") => true,
            Some(_) => {
                return Err(ApiError::bad_request(
                    "Sorteren kan alleen op id (oplopend) of -id (aflopend).",
                ));
            }
        };
        Ok(Page {
            number,
            size,
            descending,
        })
    }

    fn paging(self) -> Paging {
        Paging {
            offset: (self.number - 1) * self.size,
            limit: self.size,
            descending: self.descending,
        }
    }

    /// The paged answer with its `volgende`/`vorige` links and the `X-Pagination-*` headers.
    fn respond(self, base: &str, resource: &str, total: i64, results: Vec<Value>) -> HttpResponse {
        let sort = if self.descending { "-id" } else { "id" };
        let link = |n: i64| {
            format!(
                "{base}/{resource}?page={n}&pageSize={}&sort={sort}",
                self.size
            )
        };
        let mut body = json!({
            "pagina": self.number,
            "paginaGrootte": self.size,
            "totaalAantal": total,
            "sorteer": sort,
            "resultaten": results,
        });
        if self.number * self.size < total {
            body["volgende"] = json!(link(self.number + 1));
        }
        if self.number > 1 {
            body["vorige"] = json!(link(self.number - 1));
        }
        HttpResponse::Ok()
            .insert_header(("X-Pagination-Page", self.number.to_string()))
            .insert_header(("X-Pagination-Limit", self.size.to_string()))
            .content_type("application/json")
            .body(body.to_string())
    }
}

// ---------------------------------------------------------------------------------------------------
// Resources as the specification's schemas

/// Builds the resources of one request, with caches for what several resources share.
struct Builder<'a> {
    base: &'a str,
    members: HashMap<i64, Vec<Person>>,
    organisations: HashMap<i64, (String, Option<String>)>,
}

impl<'a> Builder<'a> {
    fn new(base: &'a str) -> Builder<'a> {
        Builder {
            base,
            members: HashMap::new(),
            organisations: HashMap::new(),
        }
    }

    fn zaak(&self, family: &Family, parts: Option<(&[Value], &[Value])>) -> Value {
        let mut zaak = json!({
            "url": format!("{}/zaak/{}", self.base, family.case_number),
            "id": family.case_number,
            "startDatum": local(family.created_at).date_naive().to_string(),
        });
        if let Some((acties, besluiten)) = parts {
            zaak["heeftActie"] = json!(acties);
            zaak["heeftBesluit"] = json!(besluiten);
        }
        zaak
    }

    fn besluit(&self, d: &Decision) -> Value {
        json!({
            "url": format!("{}/besluit/{}", self.base, d.id),
            "id": d.id.to_string(),
            "omschrijving": d.text,
            "idCasusoverleg": d.agenda_item_id.to_string(),
            "uitkomst": d.outcome,
            "motivering": d.rationale,
            "datum": local(d.created_at).date_naive().to_string(),
        })
    }

    /// None when the family has no member partners can identify (the action is then not shared).
    fn actie(&mut self, conn: &mut DbConn, a: &Action) -> QueryResult<Option<Value>> {
        let Some(family_id) = a.family_id else {
            return Ok(None);
        };
        let members = match self.members.entry(family_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(family::persons(conn, family_id)?)
            }
        };
        let Some(person) = outcome::concerned_member(members) else {
            return Ok(None);
        };
        let Some(betrokkene) = betrokkene(person) else {
            return Ok(None);
        };
        let (name, oin) = match self.organisations.get(&a.owner_organisation_id) {
            Some(found) => found.clone(),
            None => {
                let found: (String, Option<String>) = organisations::table
                    .find(a.owner_organisation_id)
                    .select((organisations::name, organisations::oin))
                    .first(conn)?;
                self.organisations
                    .insert(a.owner_organisation_id, found.clone());
                found
            }
        };
        let mut organisatie = json!({
            "url": format!("urn:samenspel:organisatie:{}", a.owner_organisation_id),
            "naam": name,
        });
        if let Some(oin) = oin.filter(|o| !o.is_empty()) {
            organisatie["oin"] = json!(oin);
        }
        Ok(Some(json!({
            "url": format!("{}/actie/{}", self.base, a.id),
            "id": a.id.to_string(),
            "omschrijving": a.description,
            "conditie": a.condition,
            "informering": a.family_informed_how,
            "idCasusoverleg": a.agenda_item_id.to_string(),
            "heeftBetrekkingOp": betrokkene,
            "belegdBij": organisatie,
            "uiterlijk": a.due_on.to_string(),
            "status": a.status,
        })))
    }

    fn casusoverleg(&self, conn: &mut DbConn, o: &Outcome) -> Result<Value, AppError> {
        let found = meeting::find(conn, o.meeting_id)?.ok_or(AppError::NotFound)?;
        let item =
            meeting::find_item(conn, o.meeting_id, o.agenda_item_id)?.ok_or(AppError::NotFound)?;
        let family = family::find(conn, o.family_id)?.ok_or(AppError::NotFound)?;
        let url = format!("{}/casusoverleg/{}", self.base, o.agenda_item_id);
        let (start, end) = (
            found.started_at.unwrap_or(found.starts_at),
            found.closed_at.unwrap_or(found.ends_at),
        );
        let time = |at: NaiveDateTime, part: &str| {
            let clock = local(at).format("%H:%M").to_string();
            json!({ "id": clock, "url": format!("{url}#{part}") })
        };
        Ok(json!({
            "url": url,
            "id": o.agenda_item_id.to_string(),
            "datum": local(start).date_naive().to_string(),
            "startTijd": time(start, "starttijd"),
            "eindTijd": time(end, "eindtijd"),
            "notulen": item.minutes,
            "betreft": self.zaak(&family, None),
            "identifier": outcome::identifier(o.agenda_item_id),
            "beschikbaarGesteldOp": rfc3339(o.published_at),
        }))
    }
}

/// A member as the specification's Betrokkene: BSN, name (split into given names, prefix and surname)
/// and address.
fn betrokkene(person: &Person) -> Option<Value> {
    let identity = person.identity()?;
    let (given, prefix, surname) = split_name(&person.name)?;
    let urn = format!("urn:samenspel:betrokkene:{}", person.id);
    let mut naam = json!({
        "id": format!("naam-{}", person.id),
        "url": format!("{urn}:naam"),
        "voornamen": given,
        "geslachtsnaam": surname,
    });
    if let Some(prefix) = prefix {
        naam["voorvoegsel"] = json!(prefix);
    }
    Some(json!({
        "url": urn,
        "burgerservicenummer": identity.bsn,
        "naam": naam,
        "adres": {
            "id": format!("adres-{}", person.id),
            "url": format!("{urn}:adres"),
            "straatnaam": identity.street,
            "huisnummer": identity.house_number,
            "postcode": identity.postcode,
            "plaats": identity.city,
        },
    }))
}

/// Dutch surname prefixes (a part of the BRP's table 36).
const PREFIXES: &[&str] = &[
    "van", "de", "der", "den", "het", "ter", "ten", "te", "'t", "in", "op", "onder", "uit", "aan",
    "bij", "voor", "la", "le", "du", "von",
];

/// "Kees van der Berg" → ("Kees", Some("van der"), "Berg"): given names up to the first prefix (or the
/// last word), the prefixes, the rest. A one-word name has no given names and gives None.
pub fn split_name(full: &str) -> Option<(String, Option<String>, String)> {
    let words: Vec<&str> = full.split_whitespace().collect();
    if words.len() < 2 {
        return None;
    }
    let is_prefix = |w: &str| PREFIXES.contains(&w.to_lowercase().as_str());
    let start = (1..words.len() - 1)
        .find(|&i| is_prefix(words[i]))
        .unwrap_or(words.len() - 1);
    let mut end = start;
    while end < words.len() - 1 && is_prefix(words[end]) {
        end += 1;
    }
    let prefix = words[start..end].join(" ");
    Some((
        words[..start].join(" "),
        (!prefix.is_empty() && prefix.chars().count() <= 10).then_some(prefix),
        words[end..].join(" "),
    ))
}

fn rfc3339(at: NaiveDateTime) -> String {
    DateTime::<Utc>::from_naive_utc_and_offset(at, Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn api_base(state: &AppState) -> String {
    format!("{}/api/v1", state.config.base_url.trim_end_matches('/'))
}

fn parse_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>().map_err(|_| ApiError::not_found())
}

/// Runs a reading in one writing transaction (what is read and the readings it records commit
/// together), with a builder for the resources.
async fn reading<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn, &mut Builder<'_>) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let base = api_base(state);
    Ok(state
        .db(move |conn| db::write(conn, |conn| f(conn, &mut Builder::new(&base))))
        .await?)
}

/// A paged list of `resource`: `load` gives one page of resources and the total, as a reading.
async fn list<F>(
    state: &AppState,
    query: &PageQuery,
    resource: &str,
    load: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConn, &mut Builder<'_>, Paging) -> Result<(Vec<Value>, i64), AppError>
        + Send
        + 'static,
{
    let page = Page::parse(query)?;
    let (rows, total) = reading(state, move |conn, b| load(conn, b, page.paging())).await?;
    Ok(page.respond(&api_base(state), resource, total, rows))
}

/// One resource, as a reading.
async fn one<F>(state: &AppState, load: F) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConn, &mut Builder<'_>) -> Result<Value, AppError> + Send + 'static,
{
    let body = reading(state, load).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body.to_string()))
}

// ---------------------------------------------------------------------------------------------------
// Handlers

pub async fn casusoverleg_list(
    partner: Partner,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let org = partner.organisation_id;
    list(&state, &query, "casusoverleg", move |conn, b, paging| {
        let (found, total) = outcome::page(conn, org, paging)?;
        let mut rows = Vec::with_capacity(found.len());
        for o in &found {
            rows.push(b.casusoverleg(conn, o)?);
            let resource = format!("casusoverleg/{}", o.agenda_item_id);
            crate::record::record_reading(conn, org, o, &resource)?;
        }
        Ok((rows, total))
    })
    .await
}

pub async fn casusoverleg_one(
    partner: Partner,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (id, org) = (parse_id(&path)?, partner.organisation_id);
    one(&state, move |conn, b| {
        let o = outcome::find(conn, org, id)?.ok_or(AppError::NotFound)?;
        let body = b.casusoverleg(conn, &o)?;
        crate::record::record_reading(conn, org, &o, &format!("casusoverleg/{id}"))?;
        Ok(body)
    })
    .await
}

pub async fn besluit_list(
    partner: Partner,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let org = partner.organisation_id;
    list(&state, &query, "besluit", move |conn, b, paging| {
        let (found, total) = outcome::page_decisions(conn, org, paging)?;
        let mut rows = Vec::with_capacity(found.len());
        for d in &found {
            rows.push(b.besluit(d));
            record_item_reading(conn, org, d.agenda_item_id, &format!("besluit/{}", d.id))?;
        }
        Ok((rows, total))
    })
    .await
}

pub async fn besluit_one(
    partner: Partner,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (id, org) = (parse_id(&path)?, partner.organisation_id);
    one(&state, move |conn, b| {
        let d = outcome::find_decision(conn, org, id)?.ok_or(AppError::NotFound)?;
        record_item_reading(conn, org, d.agenda_item_id, &format!("besluit/{id}"))?;
        Ok(b.besluit(&d))
    })
    .await
}

pub async fn actie_list(
    partner: Partner,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let org = partner.organisation_id;
    list(&state, &query, "actie", move |conn, b, paging| {
        let (found, total) = outcome::page_actions(conn, org, paging)?;
        let mut rows = Vec::with_capacity(found.len());
        for a in &found {
            if let Some(row) = b.actie(conn, a)? {
                rows.push(row);
                record_item_reading(conn, org, a.agenda_item_id, &format!("actie/{}", a.id))?;
            }
        }
        Ok((rows, total))
    })
    .await
}

pub async fn actie_one(
    partner: Partner,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (id, org) = (parse_id(&path)?, partner.organisation_id);
    one(&state, move |conn, b| {
        let a = outcome::find_action(conn, org, id)?.ok_or(AppError::NotFound)?;
        let body = b.actie(conn, &a)?.ok_or(AppError::NotFound)?;
        record_item_reading(conn, org, a.agenda_item_id, &format!("actie/{id}"))?;
        Ok(body)
    })
    .await
}

/// A zaak with the decisions and actions of the outcomes this organisation may read, each outcome
/// recorded as read.
fn zaak_with_parts(
    conn: &mut DbConn,
    builder: &mut Builder<'_>,
    org: i64,
    family: &Family,
) -> Result<Value, AppError> {
    let readable = outcome::of_family(conn, org, family.id)?;
    let items: Vec<i64> = readable.iter().map(|o| o.agenda_item_id).collect();
    let (decided, acted) = outcome::decisions_and_actions(conn, &items)?;
    let besluiten: Vec<Value> = decided.iter().map(|d| builder.besluit(d)).collect();
    let mut acties = Vec::with_capacity(acted.len());
    for a in &acted {
        acties.extend(builder.actie(conn, a)?);
    }
    let resource = format!("zaak/{}", family.case_number);
    for o in &readable {
        crate::record::record_reading(conn, org, o, &resource)?;
    }
    Ok(builder.zaak(family, Some((&acties, &besluiten))))
}

pub async fn zaak_list(
    partner: Partner,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let org = partner.organisation_id;
    list(&state, &query, "zaak", move |conn, b, paging| {
        let (found, total) = outcome::page_families(conn, org, paging)?;
        let mut rows = Vec::with_capacity(found.len());
        for f in &found {
            rows.push(zaak_with_parts(conn, b, org, f)?);
        }
        Ok((rows, total))
    })
    .await
}

pub async fn zaak_one(
    partner: Partner,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (case_number, org) = (path.into_inner(), partner.organisation_id);
    one(&state, move |conn, b| {
        let f = outcome::find_family(conn, org, &case_number)?.ok_or(AppError::NotFound)?;
        zaak_with_parts(conn, b, org, &f)
    })
    .await
}

/// Records the reading of the outcome an item belongs to.
fn record_item_reading(
    conn: &mut DbConn,
    org: i64,
    agenda_item_id: i64,
    resource: &str,
) -> Result<(), AppError> {
    let o = outcome::find(conn, org, agenda_item_id)?.ok_or(AppError::NotFound)?;
    crate::record::record_reading(conn, org, &o, resource)?;
    Ok(())
}

fn json_response(body: &Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.to_string())
}

// ---------------------------------------------------------------------------------------------------
// Query API

/// The specification's QueryRequest. Unknown fields are refused, so a misspelt criterion cannot
/// silently widen the search.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryRequest {
    burgerservicenummer: Option<String>,
    #[serde(rename = "beschikbaarVanaf")]
    available_from: Option<String>,
    #[serde(rename = "beschikbaarTot")]
    available_until: Option<String>,
}

fn parse_moment(text: Option<&str>, name: &str) -> Result<Option<NaiveDateTime>, ApiError> {
    text.map(|t| {
        DateTime::parse_from_rfc3339(t)
            .map(|d| d.naive_utc())
            .map_err(|_| {
                ApiError::bad_request(format!(
                    "{name} moet een datum en tijd zijn volgens RFC 3339, zoals 2026-01-15T10:30:00Z."
                ))
            })
    })
    .transpose()
}

/// `POST /api/v1/uitkomsten-overleg/query`: references to the outcomes this organisation may read that
/// match the criteria, newest first (at most 500). References only; reading one is a reading.
pub async fn query_outcomes(
    partner: Partner,
    state: web::Data<AppState>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let request: QueryRequest = super::plain::from_json(body.into_inner())?;
    let bsn = request.burgerservicenummer;
    if let Some(bsn) = &bsn
        && !family::valid_bsn(bsn)
    {
        return Err(ApiError::bad_request(
            "burgerservicenummer moet een geldig BSN zijn (negen cijfers, elfproef).",
        ));
    }
    let from = parse_moment(request.available_from.as_deref(), "beschikbaarVanaf")?;
    let until = parse_moment(request.available_until.as_deref(), "beschikbaarTot")?;
    if let (Some(f), Some(u)) = (from, until)
        && f > u
    {
        return Err(ApiError::bad_request(
            "beschikbaarVanaf ligt na beschikbaarTot.",
        ));
    }
    let base = api_base(&state);
    let org = partner.organisation_id;
    let found = state
        .db(move |conn| {
            Ok(outcome::search(
                conn,
                org,
                bsn.as_deref(),
                from,
                until,
                500,
            )?)
        })
        .await?;
    let results: Vec<Value> = found
        .iter()
        .map(|o| {
            json!({
                "identifier": outcome::identifier(o.agenda_item_id),
                "beschikbaarGesteldOp": rfc3339(o.published_at),
                "inzageUrl": format!("{base}/casusoverleg/{}", o.agenda_item_id),
            })
        })
        .collect();
    Ok(json_response(&json!({ "results": results })))
}

#[cfg(test)]
mod tests {
    use super::split_name;

    #[test]
    fn names_split_into_given_prefix_surname() {
        assert_eq!(
            split_name("Kees van der Berg"),
            Some(("Kees".into(), Some("van der".into()), "Berg".into()))
        );
        assert_eq!(
            split_name("Mila Jansen"),
            Some(("Mila".into(), None, "Jansen".into()))
        );
        assert_eq!(
            split_name("Anna Maria de Vries"),
            Some(("Anna Maria".into(), Some("de".into()), "Vries".into()))
        );
        assert_eq!(split_name("Zoë"), None);
    }
}
