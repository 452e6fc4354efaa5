//! Consultation tables: the list, a table's page (members, meetings, referrals), setting a table up and
//! its members.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::{Seat, actor, coordinated, managed_partnerships, table_for, who};
use super::forms::{FieldErrors, text};
use super::html;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use crate::db;
use crate::domain::meeting::{self, Meeting};
use crate::domain::partnership::{self, Partnership};
use crate::domain::referral::{self, ReferralRow};
use crate::domain::table::{self, Member, Table, TableKind, TableRole};
use crate::policy::{self, GovernanceAction, Standing, TableAction};
use crate::record;
use crate::web::views::choices::{is_partnership_professional, partnership_professionals};
use crate::web::views::table_form::TableForm;

#[derive(Template)]
#[template(path = "tables/index.html")]
struct TablesPage {
    ctx: PageCtx,
    tables: Vec<Table>,
    may_manage: bool,
    /// The partnerships the user coordinates: each has a page of API keys to approve.
    coordinated: Vec<Partnership>,
    /// Meetings not yet closed that the user is invited to at a table where they have no seat, with
    /// the table's name: a guest finds their meeting here.
    invited: Vec<(crate::domain::meeting::Meeting, String)>,
}

pub async fn list_tables(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let (tables, may_manage, coordinated, invited) = state
        .db(move |conn| {
            // The tables the user sits at, and those of the partnerships they coordinate.
            let managed = managed_partnerships(conn, &user)?;
            let mut tables = table::list_for_user(conn, user.id())?;
            for t in table::list_of(conn, &managed)? {
                if !tables.iter().any(|mine| mine.id == t.id) {
                    tables.push(t);
                }
            }
            tables.sort_by(|a, b| a.name.cmp(&b.name));
            let mine = coordinated(conn, &user)?;
            let coordinated = partnership::list(conn)?
                .into_iter()
                .filter(|p| mine.contains(&p.id))
                .collect();
            let mut invited = Vec::new();
            for m in crate::domain::meeting::upcoming_for_user(conn, user.id(), None)? {
                if let Some(at) = table::find(conn, m.table_id)?
                    && !tables.iter().any(|t| t.id == at.id)
                {
                    invited.push((m, at.name));
                }
            }
            Ok((tables, !managed.is_empty(), coordinated, invited))
        })
        .await?;
    html(
        StatusCode::OK,
        TablesPage {
            ctx,
            tables,
            may_manage,
            coordinated,
            invited,
        },
    )
}

/// The table kinds the user may set up a table of: those of the partnerships they coordinate.
fn kinds_to_set_up(conn: &mut db::DbConn, user: &SignedIn) -> Result<Vec<TableKind>, AppError> {
    let managed = managed_partnerships(conn, user)?;
    if managed.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(table::kinds_of(conn, &managed)?)
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
    let user = user.0;
    let kinds = state.db(move |conn| kinds_to_set_up(conn, &user)).await?;
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
    // Refused before the form is read: a refused request learns nothing from validation.
    let check = user.clone();
    state
        .db(move |conn| kinds_to_set_up(conn, &check).map(|_| ()))
        .await?;
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
                let kinds = kinds_to_set_up(conn, &user)?;
                let kind = kinds.iter().find(|k| Some(k.id) == kind_id).cloned();
                if kind.is_none() {
                    errors.add("kind_id", "tables.kind_required");
                }
                if !name.is_empty() && table::name_taken(conn, &name)? {
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
            let partnership_id = found.partnership_id;
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
                if seat.chair || seat.coordinator {
                    // Never the user themselves: nobody gives themselves a seat.
                    partnership_professionals(conn, partnership_id)?
                        .into_iter()
                        .filter(|(id, _)| *id != user.id())
                        .collect()
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
            if !policy::allows_table(seat, TableAction::EditTable) {
                return Err(AppError::Forbidden);
            }
            let kinds = table::kinds_of(conn, &[found.partnership_id])?;
            Ok((found, kinds))
        })
        .await?;
    let form = TableForm {
        kind_id: found.kind_id.to_string(),
        name: found.name.clone(),
        region: found.region.clone(),
        referral_criteria: found.referral_criteria.clone(),
        outcome_options: found.outcome_options.clone(),
        access_days: found.access_days.to_string(),
        board_outcome: found.board_outcome.clone(),
        aftercare_outcomes: Some(found.aftercare_outcomes.clone()),
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
    let board = form.board_outcome(&mut errors);
    let aftercare = form.aftercare_outcomes(&mut errors);
    let send_mode = if form.send_mode == "attachment" {
        "attachment"
    } else {
        "link"
    };
    let (found, kinds, saved) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, seat) = table_for(conn, &user, table_id)?;
                if !policy::allows_table(seat, TableAction::EditTable) {
                    return Err(AppError::Forbidden);
                }
                let kinds = table::kinds_of(conn, &[found.partnership_id])?;
                if !errors.is_empty() {
                    return Ok((found, kinds, Err(errors)));
                }
                table::update(conn, table_id, &name, &region, &criteria, &outcomes, days)?;
                table::set_send_mode(conn, table_id, send_mode)?;
                table::set_board_outcome(conn, table_id, &board)?;
                if let Some(aftercare) = &aftercare {
                    table::set_aftercare_outcomes(conn, table_id, aftercare)?;
                }
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

/// May the user give or take away this seat (`member_user_id`) at the table?
fn may_change_seat(user: &SignedIn, seat: Seat, member_user_id: i64) -> bool {
    policy::allows_governance(
        actor(user),
        Standing {
            coordinator: seat.coordinator,
        },
        GovernanceAction::ChangeSeat {
            own: member_user_id == user.id(),
            chair: seat.chair,
        },
    )
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
    let by = who(&user);
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (at, seat) = table_for(conn, &user, table_id)?;
                // Someone else's seat (no account has id 0) before the form is read.
                if !may_change_seat(&user, seat, 0) {
                    return Err(AppError::Forbidden);
                }
                let (Some(member), Some(role)) = (member, role) else {
                    return Err(AppError::Unprocessable("member form".into()));
                };
                if !may_change_seat(&user, seat, member) {
                    return Err(AppError::Forbidden);
                }
                if !is_partnership_professional(conn, at.partnership_id, member)? {
                    return Err(AppError::Unprocessable(
                        "not a professional of the partnership".into(),
                    ));
                }
                let member = record::who(conn, member)?;
                record::add_table_member(conn, &by, &at, &member, role)?;
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
    let by = who(&user);
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (at, seat) = table_for(conn, &user, table_id)?;
                let holder = table::members(conn, table_id)?
                    .into_iter()
                    .find(|m| m.id == member_id)
                    .map(|m| m.user_id);
                if !may_change_seat(&user, seat, holder.unwrap_or(0)) {
                    return Err(AppError::Forbidden);
                }
                // A seat that is gone already: nothing to do.
                if holder.is_some() {
                    record::remove_table_member(conn, &by, &at, member_id)?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!("/overleggen/{table_id}#leden")))
}
