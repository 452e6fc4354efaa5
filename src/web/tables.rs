//! Consultation tables: the list, a table's page (members, meetings, referrals), setting a table up and
//! its members.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::{Seat, actor, table_for, who};
use super::forms::{FieldErrors, text};
use super::html;
use super::{AppError, AppState, CurrentUser, PageCtx, see_other};
use crate::db;
use crate::domain::meeting::{self, Meeting};
use crate::domain::referral::{self, ReferralRow};
use crate::domain::table::{self, Member, Table, TableKind, TableRole};
use crate::policy;
use crate::record;
use crate::web::views::choices::professionals;
use crate::web::views::table_form::TableForm;

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
