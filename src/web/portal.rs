//! The family portal (`/portaal`): a family member sees their own family's plan, safety plan, decisions,
//! actions, upcoming meetings and who looked at their file, in plain Dutch; writes what they want to say
//! before a meeting, their own safety score, and asks for corrections. Everything is cut to what the
//! director shares with this member. The director's side (`/gezinnen/{id}/portaal`) invites members,
//! keeps categories from a named member, answers correction requests and chooses whether names show.
//!
//! A family account never reaches a professional page (`CurrentUser` refuses it) and a professional
//! never reaches a portal page (`FamilyUser`); ids in portal URLs are checked against the member's own
//! family, so another family's id is 404.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::access::{actor, who};
use super::forms::{FieldErrors, NoticeQuery, TEXT_LIMIT, clean};
use super::html;
use super::notify::{DirectorNotice, notify_director};
use super::views::top3::{padded, values_of};
use super::{AppError, AppState, FamilyUser, PageCtx, SignedIn, see_other};
use crate::db::{self, DbConn};
use crate::domain::access_log::{self, AccessGroup};
use crate::domain::decision::{self, ActionRow, FamilyView};
use crate::domain::family::{self, Family, Person};
use crate::domain::meeting::MeetingStatus;
use crate::domain::plan::{self, PlanVersion};
use crate::domain::portal::{self, Access, Category, Correction, Sharing, Thing};
use crate::domain::safety::{self, PhaseChange, PhasePlan, PlanKind, PlanRef};
use crate::domain::top3::{self, AnalysisVersion, Giver, Top3};
use crate::record;
use crate::schema::{agenda_items, consultation_tables, decisions, meetings};

/// The member behind a family account; an account without portal access sees nothing.
fn access_of(conn: &mut DbConn, user: &SignedIn) -> Result<Access, AppError> {
    let access = portal::access(conn, user.id())?;
    match access {
        Some(access) if crate::policy::may_use_portal(actor(user), true) => Ok(access),
        _ => Err(AppError::NotFound),
    }
}

/// A decision about the family, as the family reads it.
#[derive(Clone, Debug)]
pub struct FamilyDecision {
    pub id: i64,
    pub on: NaiveDateTime,
    pub table: String,
    pub outcome: String,
    pub text: String,
    pub family_view: FamilyView,
    pub family_words: String,
    pub corrected: bool,
    /// The minutes of the item, when the director shared them.
    pub minutes: Option<String>,
    /// The item's merged top 3 with its explanatory analysis, if it has one.
    pub analysis: Option<AnalysisVersion>,
}

/// An agenda item about the family in a meeting still to come.
#[derive(Clone, Debug)]
pub struct Upcoming {
    pub item_id: i64,
    pub starts_at: NaiveDateTime,
    pub table: String,
    /// What this member wrote for it already.
    pub my_view: Option<String>,
}

/// The decisions about the family that `seer` may see (`Sharing::shows`), with the minutes they may
/// see. A correction is marked only when the member sees the decision that corrects it.
fn decisions_about(
    conn: &mut DbConn,
    family_id: i64,
    (sharing, seer): (&Sharing, i64),
) -> Result<Vec<FamilyDecision>, AppError> {
    type Row = (
        i64,
        i64,
        NaiveDateTime,
        String,
        String,
        String,
        String,
        String,
        Option<i64>,
    );
    let rows: Vec<Row> = decisions::table
        .inner_join(meetings::table.on(meetings::id.eq(decisions::meeting_id)))
        .inner_join(consultation_tables::table.on(consultation_tables::id.eq(meetings::table_id)))
        .filter(decisions::family_id.eq(family_id))
        .order(decisions::id.desc())
        .select((
            decisions::id,
            decisions::agenda_item_id,
            meetings::starts_at,
            consultation_tables::name,
            decisions::outcome,
            decisions::text,
            decisions::family_view,
            decisions::family_words,
            decisions::supersedes_id,
        ))
        .load(conn)?;
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| sharing.shows(seer, &Thing::decision(r.0)))
        .collect();
    let corrected: Vec<i64> = rows.iter().filter_map(|r| r.8).collect();
    let mut out = Vec::new();
    for (id, item_id, on, table, outcome, text, view, words, _) in rows {
        let minutes = if portal::minutes_shared(conn, item_id)?
            && sharing.shows(seer, &Thing::minutes(item_id))
        {
            agenda_items::table
                .find(item_id)
                .select(agenda_items::minutes)
                .first::<String>(conn)
                .optional()?
                .filter(|m| !m.trim().is_empty())
        } else {
            None
        };
        out.push(FamilyDecision {
            id,
            on,
            table,
            outcome,
            text,
            family_view: FamilyView::from_code(&view).unwrap_or(FamilyView::NotHeard),
            family_words: words,
            corrected: corrected.contains(&id),
            minutes,
            analysis: top3::version(conn, item_id, None)?,
        });
    }
    Ok(out)
}

fn upcoming_for(conn: &mut DbConn, access: &Access) -> Result<Vec<Upcoming>, AppError> {
    let rows: Vec<(i64, NaiveDateTime, String)> = agenda_items::table
        .inner_join(meetings::table.on(meetings::id.eq(agenda_items::meeting_id)))
        .inner_join(consultation_tables::table.on(consultation_tables::id.eq(meetings::table_id)))
        .filter(agenda_items::family_id.eq(access.family_id))
        .filter(meetings::status.ne(MeetingStatus::Closed.code()))
        // Like the invitations of professionals: only once the chair has published the agenda.
        .filter(meetings::agenda_published_at.is_not_null())
        // Until it is closed, also when it runs over.
        .filter(
            meetings::ends_at
                .ge(crate::domain::now())
                .or(meetings::status.eq(MeetingStatus::Running.code())),
        )
        .order(meetings::starts_at.asc())
        .select((
            agenda_items::id,
            meetings::starts_at,
            consultation_tables::name,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    for (item_id, starts_at, table) in rows {
        let my_view = portal::views_for_item(conn, item_id)?
            .into_iter()
            .find(|v| v.person_id == access.person_id)
            .map(|v| v.body);
        out.push(Upcoming {
            item_id,
            starts_at,
            table,
            my_view,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------
// The portal page

#[derive(Template)]
#[template(path = "portal/home.html")]
struct PortalPage {
    ctx: PageCtx,
    family: Family,
    me: Person,
    director: Option<String>,
    phase: Option<PhaseChange>,
    plan: Option<PlanVersion>,
    safety_plan: Option<PhasePlan>,
    decisions: Option<Vec<FamilyDecision>>,
    actions: Option<Vec<ActionRow>>,
    upcoming: Option<Vec<Upcoming>>,
    /// Recovery plans this member may read: their own, and those of members who consented.
    recovery: Vec<(Person, PhasePlan)>,
    my_consent: bool,
    corrections: Vec<Correction>,
    /// This member's requests for their data.
    data_requests: Vec<crate::domain::data_request::DataRequest>,
    shows_access_log: bool,
    scores: Vec<safety::Score>,
    /// Measures in plain words, and the documents the family may know exist.
    protection: super::views::protection::ProtectionView,
    notice: Option<&'static str>,
    errors: FieldErrors,
    typed: HashMap<String, String>,
}

impl PortalPage {
    fn typed(&self, name: &str) -> &str {
        self.typed.get(name).map_or("", String::as_str)
    }
    fn agreements(&self) -> Vec<(String, String, String)> {
        self.safety_plan
            .as_ref()
            .map(|p| {
                p.content
                    .rows
                    .iter()
                    .map(|r| {
                        (
                            safety::cell(r, "who").to_string(),
                            safety::cell(r, "what").to_string(),
                            safety::cell(r, "when").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    fn plan_parts(&self) -> Vec<(String, Vec<(String, String)>)> {
        let Some(p) = &self.plan else {
            return Vec::new();
        };
        p.sections
            .iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(d, s)| {
                let parts = plan::PARTS
                    .iter()
                    .filter(|part| !s.part(part).trim().is_empty())
                    .map(|part| {
                        (
                            self.ctx.t(&format!("portal.part.{part}")),
                            s.part(part).to_string(),
                        )
                    })
                    .collect();
                (self.ctx.t(&d.label_key()), parts)
            })
            .collect()
    }
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "opgeslagen" => Some("portal.notice_saved"),
        "verstuurd" => Some("portal.notice_sent"),
        _ => None,
    }
}

async fn portal_page(
    state: &AppState,
    user: SignedIn,
    ctx: PageCtx,
) -> Result<PortalPage, AppError> {
    state
        .db(move |conn| {
            let access = access_of(conn, &user)?;
            let fid = access.family_id;
            let family = family::find(conn, fid)?.ok_or(AppError::NotFound)?;
            let members = family::persons(conn, fid)?;
            let me = members
                .iter()
                .find(|p| p.id == access.person_id)
                .cloned()
                .ok_or(AppError::NotFound)?;
            let director = crate::domain::directorship::history(conn, fid)?
                .into_iter()
                .find(|d| d.directorship.ended_at.is_none())
                .map(|d| format!("{} ({})", d.director_name, d.organisation_name));
            let sharing = Sharing::load(conn, fid)?;
            // Plan sections, decisions and actions one by one, through the sharing rule (which also
            // knows the categories kept from the member as a whole).
            let plan = plan::version(conn, fid, None)?.map(|mut p| {
                p.sections
                    .retain(|(d, _)| sharing.shows(me.id, &Thing::plan_section(*d)));
                p
            });
            let safety_plan = unless_withheld(conn, me.id, Category::SafetyPlan, |conn| {
                Ok(safety::plan_version(
                    conn,
                    PlanRef {
                        family_id: fid,
                        kind: PlanKind::Safety,
                        person_id: None,
                    },
                    None,
                )?)
            })?
            .flatten();
            let decisions = Some(decisions_about(conn, fid, (&sharing, me.id))?);
            let actions = Some(
                decision::actions_for_family(conn, fid)?
                    .into_iter()
                    .filter(|a| sharing.shows(me.id, &Thing::action(a.action.id)))
                    .collect(),
            );
            let upcoming = unless_withheld(conn, me.id, Category::Meetings, |conn| {
                upcoming_for(conn, &access)
            })?;
            let recovery = recovery_plans(conn, fid, &members, me.id)?;
            Ok(PortalPage {
                my_consent: portal::has_consented(conn, me.id)?,
                corrections: portal::corrections(conn, fid)?
                    .into_iter()
                    .filter(|c| c.person_id == me.id)
                    .collect(),
                data_requests: crate::domain::data_request::for_person(conn, me.id)?,
                shows_access_log: !portal::is_withheld(conn, me.id, Category::AccessLog)?,
                scores: safety::scores(conn, fid)?,
                protection: super::views::protection::ProtectionView::for_portal(conn, fid)?,
                phase: safety::current(conn, fid)?,
                ctx,
                family,
                me,
                director,
                plan,
                safety_plan,
                decisions,
                actions,
                upcoming,
                recovery,
                notice: None,
                errors: FieldErrors::default(),
                typed: HashMap::new(),
            })
        })
        .await
}

/// What `load` reads, unless the director keeps this part of the record from the member.
fn unless_withheld<T>(
    conn: &mut DbConn,
    person_id: i64,
    category: Category,
    load: impl FnOnce(&mut DbConn) -> Result<T, AppError>,
) -> Result<Option<T>, AppError> {
    if portal::is_withheld(conn, person_id, category)? {
        Ok(None)
    } else {
        load(conn).map(Some)
    }
}

/// The recovery plans a member may read: their own, and those of members who consented.
fn recovery_plans(
    conn: &mut DbConn,
    family_id: i64,
    members: &[Person],
    me: i64,
) -> Result<Vec<(Person, PhasePlan)>, AppError> {
    let mut recovery = Vec::new();
    for person in members {
        let own = person.id == me;
        if !own && !portal::has_consented(conn, person.id)? {
            continue;
        }
        if let Some(p) = safety::plan_version(
            conn,
            PlanRef {
                family_id,
                kind: PlanKind::Recovery,
                person_id: Some(person.id),
            },
            None,
        )? {
            recovery.push((person.clone(), p));
        }
    }
    Ok(recovery)
}

/// What a member of a family whose record was closed sees instead of the portal: that it closed, when,
/// and until when it is kept. Nothing of the record.
#[derive(Template)]
#[template(path = "portal/closed.html")]
struct ClosedPage {
    ctx: PageCtx,
    closed_at: NaiveDateTime,
    keep_until: Option<chrono::NaiveDate>,
}

pub async fn show_portal(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let user_id = user.0.id();
    let closed = state
        .db(move |conn| Ok(portal::closed_for(conn, user_id)?))
        .await?;
    if let Some((closed_at, keep_until)) = closed {
        // Access has ended (403), and the member is told why.
        let page = ClosedPage {
            ctx,
            closed_at,
            keep_until,
        };
        return html(StatusCode::FORBIDDEN, page);
    }
    let mut page = portal_page(&state, user.0, ctx).await?;
    page.notice = notice(query.melding.as_deref());
    html(StatusCode::OK, page)
}

/// After a refused form on the portal page: the page again with the message and what was typed.
async fn refused(
    state: &AppState,
    user: SignedIn,
    ctx: PageCtx,
    errors: FieldErrors,
    typed: HashMap<String, String>,
) -> Result<HttpResponse, AppError> {
    let mut page = portal_page(state, user, ctx).await?;
    page.errors = errors;
    page.typed = typed;
    html(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// "Hoe veilig is het nu?": the member's own score, today.
pub async fn record_score(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, fields) = (user.0, form.into_inner());
    let mut errors = FieldErrors::default();
    let score = fields
        .get("score")
        .and_then(|s| s.trim().parse::<i32>().ok())
        .filter(|s| (0..=10).contains(s));
    if score.is_none() {
        errors.add("score", "scale.score_required");
    }
    let explanation = clean(fields.get("explanation"));
    if explanation.chars().count() > 2000 {
        errors.add("explanation", "form.too_long");
    }
    let Some(score) = score.filter(|_| errors.is_empty()) else {
        return refused(&state, user, ctx, errors, fields).await;
    };
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let access = access_of(conn, &user)?;
                record::family_score(conn, &who(&user), &access, score, &explanation)?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(see_other("/portaal?melding=opgeslagen#veiligheid"))
}

/// "Ik wil mijn gegevens": the member asks for a copy of their data (GDPR art. 15); the director
/// produces it.
pub async fn request_data(
    user: FamilyUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let access = access_of(conn, &user)?;
                record::request_data(conn, &who(&user), &access)?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(see_other("/portaal?melding=verstuurd#mijn-gegevens"))
}

/// "Iets klopt niet in ons plan": a request the director answers.
pub async fn request_correction(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, fields) = (user.0, form.into_inner());
    let mut errors = FieldErrors::default();
    let about = clean(fields.get("about"));
    let body = clean(fields.get("correction"));
    if body.is_empty() {
        errors.add("correction", "portal.correction_required");
    } else if body.chars().count() > TEXT_LIMIT || about.chars().count() > 200 {
        errors.add("correction", "form.too_long");
    }
    if !errors.is_empty() {
        return refused(&state, user, ctx, errors, fields).await;
    }
    let family_id = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let access = access_of(conn, &user)?;
                record::request_correction(conn, &who(&user), &access, &about, &body)?;
                Ok::<_, AppError>(access.family_id)
            })
        })
        .await?;
    notify_director(&state, family_id, DirectorNotice::Correction, None).await;
    Ok(see_other("/portaal?melding=verstuurd#correctie"))
}

/// The member's consent to show their own recovery plan to the rest of the family.
pub async fn set_consent(
    user: FamilyUser,
    state: web::Data<AppState>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, fields) = (user.0, form.into_inner());
    let consent = fields.get("consent").map(String::as_str) == Some("ja");
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let access = access_of(conn, &user)?;
                record::recovery_consent(conn, &who(&user), &access, consent)?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(see_other("/portaal?melding=opgeslagen#herstel"))
}

#[derive(Template)]
#[template(path = "portal/view.html")]
struct ViewPage {
    ctx: PageCtx,
    upcoming: Upcoming,
    body: String,
    errors: FieldErrors,
}

/// The agenda item of the member's own family in a meeting still to come; 404 for anything else.
fn upcoming_item(conn: &mut DbConn, access: &Access, item_id: i64) -> Result<Upcoming, AppError> {
    if portal::is_withheld(conn, access.person_id, Category::Meetings)? {
        return Err(AppError::NotFound);
    }
    upcoming_for(conn, access)?
        .into_iter()
        .find(|u| u.item_id == item_id)
        .ok_or(AppError::NotFound)
}

pub async fn show_view_form(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, item_id) = (user.0, path.into_inner());
    let upcoming = state
        .db(move |conn| {
            let access = access_of(conn, &user)?;
            upcoming_item(conn, &access, item_id)
        })
        .await?;
    html(
        StatusCode::OK,
        ViewPage {
            ctx,
            body: upcoming.my_view.clone().unwrap_or_default(),
            upcoming,
            errors: FieldErrors::default(),
        },
    )
}

/// "Wat wij willen zeggen": saved on the item; the meeting room shows it at once.
pub async fn save_view(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, item_id) = (user.0, path.into_inner());
    let body = clean(form.get("body"));
    let mut errors = FieldErrors::default();
    if body.is_empty() {
        errors.add("body", "portal.view_required");
    } else if body.chars().count() > TEXT_LIMIT {
        errors.add("body", "form.too_long");
    }
    let valid = errors.is_empty();
    let typed = body.clone();
    let (upcoming, announced) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let access = access_of(conn, &user)?;
                let upcoming = upcoming_item(conn, &access, item_id)?;
                if !valid {
                    return Ok::<_, AppError>((upcoming, None));
                }
                let item = agenda_items::table
                    .find(item_id)
                    .select(crate::domain::meeting::AgendaItem::as_select())
                    .first(conn)?;
                let announced = record::family_view(conn, &who(&user), &access, &item, &body)?;
                Ok((upcoming, Some(announced)))
            })
        })
        .await?;
    if let Some(announced) = announced {
        state.wake(announced);
        return Ok(see_other("/portaal?melding=opgeslagen#overleggen"));
    }
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        ViewPage {
            ctx,
            upcoming,
            body: typed,
            errors,
        },
    )
}

#[derive(Template)]
#[template(path = "portal/top3.html")]
struct FamilyTop3Page {
    ctx: PageCtx,
    upcoming: Upcoming,
    mine_concerns: Vec<String>,
    mine_strengths: Vec<String>,
    /// The merged list of the item, unless the director keeps decisions from this member.
    merged: Option<AnalysisVersion>,
    errors: FieldErrors,
}

impl FamilyTop3Page {
    fn give_action(&self) -> String {
        format!("/portaal/punten/{}/top3", self.upcoming.item_id)
    }
}

/// The member's top 3 page for an item of their family still to come (404 for anything else).
fn family_top3_page(
    conn: &mut DbConn,
    ctx: PageCtx,
    access: &Access,
    item_id: i64,
) -> Result<FamilyTop3Page, AppError> {
    let upcoming = upcoming_item(conn, access, item_id)?;
    let mine = top3::entry_of(conn, item_id, Giver::Person(access.person_id))?.unwrap_or_default();
    let merged = unless_withheld(conn, access.person_id, Category::Decisions, |conn| {
        Ok(top3::version(conn, item_id, None)?)
    })?
    .flatten();
    Ok(FamilyTop3Page {
        ctx,
        upcoming,
        mine_concerns: padded(&mine.concerns),
        mine_strengths: padded(&mine.strengths),
        merged,
        errors: FieldErrors::default(),
    })
}

pub async fn show_family_top3(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, item_id) = (user.0, path.into_inner());
    let page = state
        .db(move |conn| {
            let access = access_of(conn, &user)?;
            family_top3_page(conn, ctx, &access, item_id)
        })
        .await?;
    html(StatusCode::OK, page)
}

/// "Onze top 3": the member's own concerns and strengths for the item; the professionals read them on
/// the item's top 3 page.
pub async fn save_family_top3(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (user, item_id, fields) = (user.0, path.into_inner(), form.into_inner());
    let (concerns, strengths) = (
        values_of(&fields, "concern"),
        values_of(&fields, "strength"),
    );
    let (given, problems) = Top3::read(&concerns, &strengths);
    let page = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let access = access_of(conn, &user)?;
                let mut page = family_top3_page(conn, ctx, &access, item_id)?;
                if problems.is_empty() {
                    let item = (item_id, access.family_id);
                    let giver = Giver::Person(access.person_id);
                    record::give_top3(conn, &who(&user), item, giver, &given)?;
                    return Ok(None);
                }
                page.mine_concerns = padded(&concerns);
                page.mine_strengths = padded(&strengths);
                for (field, key) in problems {
                    page.errors.add(field, key);
                }
                Ok::<_, AppError>(Some(page))
            })
        })
        .await?;
    match page {
        None => Ok(see_other("/portaal?melding=opgeslagen#overleggen")),
        Some(page) => html(StatusCode::UNPROCESSABLE_ENTITY, page),
    }
}

#[derive(Template)]
#[template(path = "portal/access_log.html")]
struct AccessLogPage {
    ctx: PageCtx,
    entries: Vec<AccessGroup>,
    shows_names: bool,
}

/// Who looked at the family's file: organisation, role, date and purpose; names as the director chose.
/// The same reading repeated on one day is one line with a count.
pub async fn show_access_log(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let (entries, shows_names) = state
        .db(move |conn| {
            let access = access_of(conn, &user)?;
            if portal::is_withheld(conn, access.person_id, Category::AccessLog)? {
                return Err(AppError::NotFound);
            }
            let family = family::find(conn, access.family_id)?.ok_or(AppError::NotFound)?;
            let shows_names = family.portal_shows_names;
            let entries = access_log::for_family(conn, access.family_id, 1000)?;
            Ok((
                access_log::grouped_by_day(entries, shows_names),
                shows_names,
            ))
        })
        .await?;
    html(
        StatusCode::OK,
        AccessLogPage {
            ctx,
            entries,
            shows_names,
        },
    )
}
