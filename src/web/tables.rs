//! Consultation tables: the list, a table's page (members, meetings, referrals), setting tables and their
//! kinds up, planning meetings, and referrals from a family to a table with the chair's answer.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, NaiveTime, TimeZone};
use serde::Deserialize;

use super::access::{Seat, actor, authorize, log_access, seat, table_for, who};
use super::auth::html;
use super::forms::FieldErrors;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use crate::db::{self, DbConn};
use crate::domain::family::{self, Family, Urgency};
use crate::domain::meeting::{self, Meeting, MeetingPlan};
use crate::domain::referral::{self, Referral, ReferralDetails, ReferralRow, ReferralStatus};
use crate::domain::table::{self, Member, Table, TableKind, TableRole};
use crate::domain::user;
use crate::policy::{self, FamilyAction};
use crate::record;

const TEXT_LIMIT: usize = 4000;

fn text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required_key: &str,
    max: usize,
) -> String {
    let value = value.replace("\r\n", "\n").trim().to_string();
    if value.is_empty() && !required_key.is_empty() {
        errors.add(field, required_key);
    } else if value.chars().count() > max {
        errors.add(field, "form.too_long");
    }
    value
}

// ---------------------------------------------------------------------------------------------------
// Tables

#[derive(Template)]
#[template(path = "tables/index.html")]
struct TablesPage {
    ctx: PageCtx,
    tables: Vec<Table>,
    may_manage: bool,
}

pub async fn list_tables(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let may_manage = policy::may_manage_tables(actor(&user));
    let user_id = user.id();
    let tables = state
        .db(move |conn| {
            Ok(if may_manage {
                table::list(conn)?
            } else {
                table::list_for_user(conn, user_id)?
            })
        })
        .await?;
    html(
        StatusCode::OK,
        TablesPage {
            ctx,
            tables,
            may_manage,
        },
    )
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct TableForm {
    #[serde(default)]
    kind_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    referral_criteria: String,
    #[serde(default)]
    outcome_options: String,
    #[serde(default)]
    access_days: String,
    /// Only on a table: "link" or "attachment" (how the besluitenlijst is sent).
    #[serde(default)]
    send_mode: String,
    /// Only on the kinds page: the checklists of the safety phases, one criterion per line.
    #[serde(default)]
    phase_criteria_up_2: String,
    #[serde(default)]
    phase_criteria_up_3: String,
    #[serde(default)]
    phase_criteria_back: String,
}

#[derive(Template)]
#[template(path = "tables/form.html")]
struct TableFormPage {
    ctx: PageCtx,
    /// None when creating.
    table: Option<Table>,
    kinds: Vec<TableKind>,
    form: TableForm,
    errors: FieldErrors,
}

pub async fn show_new_table(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if !policy::may_manage_tables(actor(&user.0)) {
        return Err(AppError::Forbidden);
    }
    let kinds = state.db(|conn| Ok(table::kinds(conn)?)).await?;
    html(
        StatusCode::OK,
        TableFormPage {
            ctx,
            table: None,
            kinds,
            form: TableForm::default(),
            errors: FieldErrors::default(),
        },
    )
}

pub async fn create_table(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<TableForm>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    if !policy::may_manage_tables(actor(&user)) {
        return Err(AppError::Forbidden);
    }
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let name = text(&mut errors, "name", &form.name, "tables.name_required", 200);
    let region = text(
        &mut errors,
        "region",
        &form.region,
        "tables.region_required",
        200,
    );
    let kind_id = form.kind_id.trim().parse::<i64>().ok();
    let by = who(&user);
    let (kinds, created) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let kinds = table::kinds(conn)?;
                let kind = kinds.iter().find(|k| Some(k.id) == kind_id).cloned();
                if kind.is_none() {
                    errors.add("kind_id", "tables.kind_required");
                }
                if !name.is_empty()
                    && table::list(conn)?
                        .iter()
                        .any(|t| t.name.eq_ignore_ascii_case(&name))
                {
                    errors.add("name", "tables.name_taken");
                }
                let (Some(kind), true) = (kind, errors.is_empty()) else {
                    return Ok::<_, AppError>((kinds, Err(errors)));
                };
                let created = record::create_table(conn, &by, &kind, &name, &region)?;
                Ok((kinds, Ok(created.id)))
            })
        })
        .await?;
    match created {
        Ok(id) => Ok(see_other(&format!("/overleggen/{id}"))),
        Err(errors) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            TableFormPage {
                ctx,
                table: None,
                kinds,
                form,
                errors,
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "tables/show.html")]
struct TablePage {
    ctx: PageCtx,
    table: Table,
    kind: Option<TableKind>,
    seat: Seat,
    members: Vec<Member>,
    meetings: Vec<Meeting>,
    referrals: Vec<ReferralRow>,
    /// Accounts that can be added as members: (user id, "name — organisation").
    candidates: Vec<(i64, String)>,
}

impl TablePage {
    fn members_with(&self, role: &TableRole) -> Vec<&Member> {
        self.members.iter().filter(|m| m.role == *role).collect()
    }
}

/// Active professionals, for selects: (user id, "name — organisation").
pub fn professionals(conn: &mut DbConn) -> Result<Vec<(i64, String)>, AppError> {
    Ok(user::list(conn, None)?
        .into_iter()
        .filter(|u| u.user.active && u.user.organisation_id.is_some())
        .map(|u| {
            (
                u.user.id,
                format!(
                    "{} — {}",
                    u.user.name,
                    u.organisation_name.unwrap_or_default()
                ),
            )
        })
        .collect())
}

pub async fn show_table(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, table_id) = (user.0, path.into_inner());
    let page = state
        .db(move |conn| {
            let (found, seat) = table_for(conn, &user, table_id)?;
            // Referrals carry family details: only the chair and the minute-taker read them here.
            let referrals = if seat.leads() {
                referral::for_table(conn, table_id)?
            } else {
                Vec::new()
            };
            Ok((
                table::find_kind(conn, found.kind_id)?,
                found,
                seat,
                table::members(conn, table_id)?,
                meeting::for_table(conn, table_id)?,
                referrals,
                if seat.chair || seat.admin {
                    professionals(conn)?
                } else {
                    Vec::new()
                },
            ))
        })
        .await?;
    let (kind, table, seat, members, meetings, referrals, candidates) = page;
    html(
        StatusCode::OK,
        TablePage {
            ctx,
            table,
            kind,
            seat,
            members,
            meetings,
            referrals,
            candidates,
        },
    )
}

pub async fn show_edit_table(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, table_id) = (user.0, path.into_inner());
    let (found, kinds) = state
        .db(move |conn| {
            let (found, seat) = table_for(conn, &user, table_id)?;
            if !(seat.chair || seat.admin) {
                return Err(AppError::Forbidden);
            }
            Ok((found, table::kinds(conn)?))
        })
        .await?;
    let form = TableForm {
        kind_id: found.kind_id.to_string(),
        name: found.name.clone(),
        region: found.region.clone(),
        referral_criteria: found.referral_criteria.clone(),
        outcome_options: found.outcome_options.clone(),
        access_days: found.access_days.to_string(),
        send_mode: found.send_mode.clone(),
        ..TableForm::default()
    };
    html(
        StatusCode::OK,
        TableFormPage {
            ctx,
            table: Some(found),
            kinds,
            form,
            errors: FieldErrors::default(),
        },
    )
}

impl TableForm {
    /// The settings a table shares with its kind: criteria, outcome options and access period.
    fn settings(&self, errors: &mut FieldErrors) -> (String, String, i32) {
        let criteria = text(
            errors,
            "referral_criteria",
            &self.referral_criteria,
            "",
            TEXT_LIMIT,
        );
        let outcomes = text(
            errors,
            "outcome_options",
            &self.outcome_options,
            "tables.outcomes_required",
            TEXT_LIMIT,
        );
        (criteria, outcomes, access_days(errors, &self.access_days))
    }
}

fn access_days(errors: &mut FieldErrors, value: &str) -> i32 {
    match value.trim().parse::<i32>() {
        Ok(n) if (0..=365).contains(&n) => n,
        _ => {
            errors.add("access_days", "tables.access_days_invalid");
            0
        }
    }
}

pub async fn update_table(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<TableForm>,
) -> Result<HttpResponse, AppError> {
    let (user, table_id, form) = (user.0, path.into_inner(), form.into_inner());
    let mut errors = FieldErrors::default();
    let name = text(&mut errors, "name", &form.name, "tables.name_required", 200);
    let region = text(
        &mut errors,
        "region",
        &form.region,
        "tables.region_required",
        200,
    );
    let (criteria, outcomes, days) = form.settings(&mut errors);
    let send_mode = if form.send_mode == "attachment" {
        "attachment"
    } else {
        "link"
    };
    let (found, kinds, saved) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, seat) = table_for(conn, &user, table_id)?;
                if !(seat.chair || seat.admin) {
                    return Err(AppError::Forbidden);
                }
                let kinds = table::kinds(conn)?;
                if !errors.is_empty() {
                    return Ok((found, kinds, Err(errors)));
                }
                table::update(conn, table_id, &name, &region, &criteria, &outcomes, days)?;
                table::set_send_mode(conn, table_id, send_mode)?;
                Ok((found, kinds, Ok(())))
            })
        })
        .await?;
    match saved {
        Ok(()) => Ok(see_other(&format!("/overleggen/{table_id}"))),
        Err(errors) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            TableFormPage {
                ctx,
                table: Some(found),
                kinds,
                form,
                errors,
            },
        ),
    }
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    role: String,
}

pub async fn add_member(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, AppError> {
    let (user, table_id, form) = (user.0, path.into_inner(), form.into_inner());
    let member = form.user_id.trim().parse::<i64>().ok();
    let role = TableRole::from_code(&form.role);
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (_, seat) = table_for(conn, &user, table_id)?;
                if !(seat.chair || seat.admin) {
                    return Err(AppError::Forbidden);
                }
                let (Some(member), Some(role)) = (member, role) else {
                    return Err(AppError::Unprocessable("member form".into()));
                };
                if !professionals(conn)?.iter().any(|(id, _)| *id == member) {
                    return Err(AppError::Unprocessable("not a professional".into()));
                }
                table::add_member(conn, table_id, member, role)?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!("/overleggen/{table_id}#leden")))
}

pub async fn remove_member(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (table_id, member_id)) = (user.0, path.into_inner());
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (_, seat) = table_for(conn, &user, table_id)?;
                if !(seat.chair || seat.admin) {
                    return Err(AppError::Forbidden);
                }
                table::remove_member(conn, table_id, member_id)?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!("/overleggen/{table_id}#leden")))
}

// ---------------------------------------------------------------------------------------------------
// Kinds of table

#[derive(Template)]
#[template(path = "tables/kinds.html")]
struct KindsPage {
    ctx: PageCtx,
    kinds: Vec<TableKind>,
    /// The kind being edited (or a new one: id 0) and its form, with errors.
    editing: Option<(i64, TableForm, FieldErrors)>,
}

impl KindsPage {
    /// The checklists of a kind as shown in its form: its own, or the defaults it uses.
    fn checklists(&self, kind: Option<&TableKind>) -> [(&'static str, &'static str, String); 3] {
        use crate::domain::safety::{Phase, Step, criteria};
        [
            (
                "phase_criteria_up_2",
                "kinds.phase_criteria_up_2",
                criteria(kind, Step::Forward, Phase::StableSafety).join("\n"),
            ),
            (
                "phase_criteria_up_3",
                "kinds.phase_criteria_up_3",
                criteria(kind, Step::Forward, Phase::Recovery).join("\n"),
            ),
            (
                "phase_criteria_back",
                "kinds.phase_criteria_back",
                criteria(kind, Step::Back, Phase::DirectSafety).join("\n"),
            ),
        ]
    }
}

/// A checklist as stored: empty when it is the same as the defaults (so later better defaults reach it).
fn own_checklist(typed: &str, default: &str) -> String {
    let typed = table::lines(typed);
    if typed.is_empty() || typed == table::lines(default) {
        String::new()
    } else {
        typed.join("\n")
    }
}

pub async fn list_kinds(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if !policy::may_manage_tables(actor(&user.0)) {
        return Err(AppError::Forbidden);
    }
    let kinds = state.db(|conn| Ok(table::kinds(conn)?)).await?;
    html(
        StatusCode::OK,
        KindsPage {
            ctx,
            kinds,
            editing: None,
        },
    )
}

/// Saves a kind: `id` 0 makes a new (custom) kind.
pub async fn save_kind(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<TableForm>,
) -> Result<HttpResponse, AppError> {
    if !policy::may_manage_tables(actor(&user.0)) {
        return Err(AppError::Forbidden);
    }
    let (kind_id, form) = (path.into_inner(), form.into_inner());
    let mut errors = FieldErrors::default();
    let name = text(&mut errors, "name", &form.name, "tables.name_required", 200);
    let (criteria, outcomes, days) = form.settings(&mut errors);
    let checklists = (
        form.phase_criteria_up_2.clone(),
        form.phase_criteria_up_3.clone(),
        form.phase_criteria_back.clone(),
    );
    if [&checklists.0, &checklists.1, &checklists.2]
        .iter()
        .any(|c| c.chars().count() > 4000)
    {
        errors.add("phase_criteria_up_2", "form.too_long");
    }
    let valid = errors.is_empty();
    let kinds = state
        .db(move |conn| {
            db::write(conn, |conn| {
                if valid {
                    let saved_id = if kind_id == 0 {
                        let code =
                            format!("custom_{}", crate::auth::random_token()[..8].to_lowercase());
                        table::create_kind(
                            conn,
                            table::NewKind {
                                code: &code,
                                name: &name,
                                referral_criteria: &criteria,
                                outcome_options: &outcomes,
                                access_days: days,
                                created_at: crate::domain::now(),
                            },
                        )?
                        .id
                    } else {
                        table::find_kind(conn, kind_id)?.ok_or(AppError::NotFound)?;
                        table::update_kind(conn, kind_id, &name, &criteria, &outcomes, days)?;
                        kind_id
                    };
                    {
                        use crate::domain::safety::{
                            DEFAULT_BACK, DEFAULT_TO_RECOVERY, DEFAULT_TO_STABLE,
                        };
                        table::set_phase_criteria(
                            conn,
                            saved_id,
                            [
                                own_checklist(&checklists.0, DEFAULT_TO_STABLE),
                                own_checklist(&checklists.1, DEFAULT_TO_RECOVERY),
                                own_checklist(&checklists.2, DEFAULT_BACK),
                            ],
                        )?;
                    }
                }
                Ok::<_, AppError>(table::kinds(conn)?)
            })
        })
        .await?;
    if valid {
        return Ok(see_other("/beheer/overlegsoorten"));
    }
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        KindsPage {
            ctx,
            kinds,
            editing: Some((kind_id, form, errors)),
        },
    )
}

// ---------------------------------------------------------------------------------------------------
// Planning a meeting

#[derive(Clone, Debug, Default, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    online_link: String,
}

#[derive(Template)]
#[template(path = "tables/meeting_form.html")]
struct MeetingFormPage {
    ctx: PageCtx,
    table: Table,
    form: MeetingForm,
    errors: FieldErrors,
}

pub async fn show_new_meeting(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, table_id) = (user.0, path.into_inner());
    let found = state
        .db(move |conn| {
            let (found, seat) = table_for(conn, &user, table_id)?;
            if !seat.chair {
                return Err(AppError::Forbidden);
            }
            Ok(found)
        })
        .await?;
    let form = MeetingForm {
        starts: "09:00".into(),
        ends: "10:30".into(),
        ..MeetingForm::default()
    };
    html(
        StatusCode::OK,
        MeetingFormPage {
            ctx,
            table: found,
            form,
            errors: FieldErrors::default(),
        },
    )
}

/// A local date and time in Amsterdam, as UTC.
fn amsterdam_to_utc(date: NaiveDate, time: NaiveTime) -> Option<chrono::NaiveDateTime> {
    chrono_tz::Europe::Amsterdam
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.naive_utc())
}

fn check_meeting(form: &MeetingForm, errors: &mut FieldErrors) -> Option<MeetingPlan> {
    let date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(form.date.trim(), "%d-%m-%Y"))
        .ok();
    let today = crate::time::today();
    match date {
        None => errors.add("date", "meeting_form.date_invalid"),
        Some(d) if d < today => errors.add("date", "meeting_form.date_past"),
        Some(_) => {}
    }
    let time = |v: &str| NaiveTime::parse_from_str(v.trim(), "%H:%M").ok();
    let (starts, ends) = (time(&form.starts), time(&form.ends));
    if starts.is_none() {
        errors.add("starts", "meeting_form.time_invalid");
    }
    if ends.is_none() {
        errors.add("ends", "meeting_form.time_invalid");
    }
    if let (Some(s), Some(e)) = (starts, ends)
        && e <= s
    {
        errors.add("ends", "meeting_form.end_before_start");
    }
    let place = text(errors, "place", &form.place, "", 300);
    let online_link = text(errors, "online_link", &form.online_link, "", 500);
    if place.is_empty() && online_link.is_empty() {
        errors.add("place", "meeting_form.place_required");
    }
    let link_ok = online_link.is_empty()
        || online_link.starts_with("https://")
        || online_link.starts_with("http://");
    if !link_ok {
        errors.add("online_link", "meeting_form.link_invalid");
    }
    if !errors.is_empty() {
        return None;
    }
    let (date, starts, ends) = (date?, starts?, ends?);
    Some(MeetingPlan {
        starts_at: amsterdam_to_utc(date, starts)?,
        ends_at: amsterdam_to_utc(date, ends)?,
        place,
        online_link,
    })
}

pub async fn create_meeting(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<MeetingForm>,
) -> Result<HttpResponse, AppError> {
    let (user, table_id, form) = (user.0, path.into_inner(), form.into_inner());
    let mut errors = FieldErrors::default();
    let plan = check_meeting(&form, &mut errors);
    let (found, created) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, seat) = table_for(conn, &user, table_id)?;
                if !seat.chair {
                    return Err(AppError::Forbidden);
                }
                let Some(plan) = plan else {
                    return Ok((found, None));
                };
                let created = record::plan_meeting(conn, &who(&user), &found, &plan)?;
                Ok((found, Some(created.id)))
            })
        })
        .await?;
    match created {
        Some(id) => Ok(see_other(&format!("/bijeenkomsten/{id}"))),
        None => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            MeetingFormPage {
                ctx,
                table: found,
                form,
                errors,
            },
        ),
    }
}

// ---------------------------------------------------------------------------------------------------
// Referrals

#[derive(Template)]
#[template(path = "referrals/choose_table.html")]
struct ChooseTablePage {
    ctx: PageCtx,
    family: Family,
    tables: Vec<Table>,
}

/// A referral is made by someone who works with the family (director, co-worker or involved).
fn may_refer(conn: &mut DbConn, user: &SignedIn, family_id: i64) -> Result<Family, AppError> {
    let (found, relation) = authorize(conn, user, family_id, FamilyAction::View)?;
    if !(relation.director || relation.co_worker || relation.involved) {
        return Err(AppError::Forbidden);
    }
    Ok(found)
}

pub async fn choose_table(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let (found, tables) = state
        .db(move |conn| Ok((may_refer(conn, &user, family_id)?, table::list(conn)?)))
        .await?;
    html(
        StatusCode::OK,
        ChooseTablePage {
            ctx,
            family: found,
            tables,
        },
    )
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReferralForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    tried: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    family_informed: String,
    #[serde(default)]
    not_informed_reason: String,
}

#[derive(Template)]
#[template(path = "referrals/form.html")]
struct ReferralFormPage {
    ctx: PageCtx,
    family: Family,
    table: Table,
    form: ReferralForm,
    errors: FieldErrors,
}

pub async fn show_referral_form(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, table_id)) = (user.0, path.into_inner());
    let (found, to) = state
        .db(move |conn| {
            let found = may_refer(conn, &user, family_id)?;
            Ok((
                found,
                table::find(conn, table_id)?.ok_or(AppError::NotFound)?,
            ))
        })
        .await?;
    let form = ReferralForm {
        urgency: found.urgency.clone(),
        family_informed: if found.family_informed { "yes" } else { "no" }.into(),
        not_informed_reason: found.not_informed_reason.clone().unwrap_or_default(),
        ..ReferralForm::default()
    };
    html(
        StatusCode::OK,
        ReferralFormPage {
            ctx,
            family: found,
            table: to,
            form,
            errors: FieldErrors::default(),
        },
    )
}

fn check_referral(form: &ReferralForm, errors: &mut FieldErrors) -> Option<ReferralDetails> {
    let reason = text(
        errors,
        "reason",
        &form.reason,
        "referral_form.reason_required",
        TEXT_LIMIT,
    );
    let tried = text(
        errors,
        "tried",
        &form.tried,
        "referral_form.tried_required",
        TEXT_LIMIT,
    );
    let question = text(
        errors,
        "question",
        &form.question,
        "referral_form.question_required",
        TEXT_LIMIT,
    );
    let urgency = Urgency::from_code(&form.urgency);
    if urgency.is_none() {
        errors.add("urgency", "family_form.urgency_required");
    }
    let informed = match form.family_informed.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add("family_informed", "family_form.family_informed_required");
            None
        }
    };
    let not_informed_reason = text(
        errors,
        "not_informed_reason",
        &form.not_informed_reason,
        "",
        TEXT_LIMIT,
    );
    if informed == Some(false) && not_informed_reason.is_empty() {
        errors.add(
            "not_informed_reason",
            "family_form.not_informed_reason_required",
        );
    }
    if !errors.is_empty() {
        return None;
    }
    Some(ReferralDetails {
        reason,
        tried,
        question,
        urgency: urgency?,
        family_informed: informed?,
        not_informed_reason: (informed == Some(false)).then_some(not_informed_reason),
    })
}

pub async fn create_referral(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<ReferralForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, table_id), form) = (user.0, path.into_inner(), form.into_inner());
    let mut errors = FieldErrors::default();
    let details = check_referral(&form, &mut errors);
    let (found, to, created) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let found = may_refer(conn, &user, family_id)?;
                let to = table::find(conn, table_id)?.ok_or(AppError::NotFound)?;
                let created = match details {
                    Some(d) => Some(record::refer(conn, &who(&user), family_id, &to, &d)?.id),
                    None => None,
                };
                Ok::<_, AppError>((found, to, created))
            })
        })
        .await?;
    match created {
        Some(id) => Ok(see_other(&format!("/aanmeldingen/{id}"))),
        None => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            ReferralFormPage {
                ctx,
                family: found,
                table: to,
                form,
                errors,
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "referrals/show.html")]
struct ReferralPage {
    ctx: PageCtx,
    referral: Referral,
    family: Family,
    table: Table,
    referrer: String,
    seat: Seat,
    /// Planned meetings the chair can schedule it on.
    meetings: Vec<Meeting>,
    problem: Option<&'static str>,
}

/// The referral, for the referrer and those who work with the family, and for the table's chair and
/// minute-taker (who read it for the purpose "overleg").
fn referral_for(
    conn: &mut DbConn,
    user: &SignedIn,
    id: i64,
) -> Result<(Referral, Family, Table, Seat), AppError> {
    let found = referral::find(conn, id)?.ok_or(AppError::NotFound)?;
    let to = table::find(conn, found.table_id)?.ok_or(AppError::NotFound)?;
    let seat = seat(conn, user, to.id)?;
    let fam = family::find(conn, found.family_id)?.ok_or(AppError::NotFound)?;
    let relation = family::relation(conn, fam.id, user.id())?;
    let sees = found.referred_by_user_id == user.id()
        || relation.director
        || relation.co_worker
        || relation.involved
        || seat.leads();
    if !sees || user.role() == user::Role::SystemAdmin {
        return Err(AppError::NotFound);
    }
    Ok((found, fam, to, seat))
}

/// Logs that the referral (family data) was shown: as regie or betrokkenheid when the reader works with
/// the family, otherwise as "overleg" (the chair or minute-taker).
fn log_referral_read(conn: &mut DbConn, user: &SignedIn, family_id: i64) -> Result<(), AppError> {
    let relation = family::relation(conn, family_id, user.id())?;
    let reader = family::Relation {
        invited: true,
        ..relation
    };
    log_access(conn, user, family_id, reader, "access.what.referral")
}

pub async fn show_referral(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let page = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, fam, to, seat) = referral_for(conn, &user, id)?;
                log_referral_read(conn, &user, fam.id)?;
                let referrer = user::find(conn, found.referred_by_user_id)?
                    .map(|u| u.name)
                    .unwrap_or_default();
                let meetings = meeting::for_table(conn, to.id)?
                    .into_iter()
                    .filter(|m| !m.is_closed())
                    .collect::<Vec<_>>();
                Ok::<_, AppError>((found, fam, to, referrer, seat, meetings))
            })
        })
        .await?;
    let (referral, family, table, referrer, seat, meetings) = page;
    html(
        StatusCode::OK,
        ReferralPage {
            ctx,
            referral,
            family,
            table,
            referrer,
            seat,
            meetings,
            problem: None,
        },
    )
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    meeting_id: String,
    #[serde(default)]
    note: String,
}

pub async fn answer_referral(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let (user, id, form) = (user.0, path.into_inner(), form.into_inner());
    let note = form.note.trim().to_string();
    let meeting_id = form.meeting_id.trim().parse::<i64>().ok();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, fam, to, seat) = referral_for(conn, &user, id)?;
                if !seat.chair {
                    return Err(AppError::Forbidden);
                }
                let referrer = user::find(conn, found.referred_by_user_id)?
                    .map(|u| u.name)
                    .unwrap_or_default();
                let meetings: Vec<Meeting> = meeting::for_table(conn, to.id)?
                    .into_iter()
                    .filter(|m| !m.is_closed())
                    .collect();
                let status = match form.answer.as_str() {
                    "accept" => Some(ReferralStatus::Accepted),
                    "more_info" => Some(ReferralStatus::MoreInfo),
                    "reject" => Some(ReferralStatus::Rejected),
                    _ => None,
                };
                let problem = match status {
                    None => Some("referral.answer_required"),
                    Some(_) if !found.is_open() => Some("referral.already_answered"),
                    Some(ReferralStatus::MoreInfo | ReferralStatus::Rejected)
                        if note.is_empty() =>
                    {
                        Some("referral.note_required")
                    }
                    Some(_) if note.chars().count() > TEXT_LIMIT => Some("form.too_long"),
                    _ => None,
                };
                let schedule_on = meeting_id.and_then(|mid| meetings.iter().find(|m| m.id == mid));
                if let (None, Some(status)) = (problem, status) {
                    let schedule_on = if status == ReferralStatus::Accepted {
                        schedule_on
                    } else {
                        None
                    };
                    record::answer_referral(
                        conn,
                        &who(&user),
                        &found,
                        &to,
                        status,
                        (!note.is_empty()).then_some(note.as_str()),
                        schedule_on,
                    )?;
                    return Ok(Ok(()));
                }
                log_referral_read(conn, &user, fam.id)?;
                Ok::<_, AppError>(Err((found, fam, to, referrer, seat, meetings, problem)))
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!("/aanmeldingen/{id}"))),
        Err((referral, family, table, referrer, seat, meetings, problem)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            ReferralPage {
                ctx,
                referral,
                family,
                table,
                referrer,
                seat,
                meetings,
                problem,
            },
        ),
    }
}
