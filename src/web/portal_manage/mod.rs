//! The director's side of the family portal: inviting members, what is withheld, shared minutes and the
//! answers to correction requests.

pub mod sharing;

use super::access::{authorize, who};
use super::forms::{FieldErrors, NoticeQuery, TEXT_LIMIT, clean};
use super::html;
use super::notify::{notify_family, plain_mail};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use crate::db;
use crate::domain::family::{self, Family, Person};
use crate::domain::meeting::{MeetingAction, state_allows};
use crate::domain::portal::{self, Category, Correction};
use crate::domain::user;
use crate::policy::FamilyAction;
use crate::record;
use crate::time::today;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------------------
// The director's side
#[derive(Template)]
#[template(path = "portal/manage.html")]
struct ManagePage {
    ctx: PageCtx,
    family: Family,
    persons: Vec<Person>,
    accounts: Vec<portal::Account>,
    withheld: Vec<(i64, Category, String)>,
    corrections: Vec<Correction>,
    /// The members' requests for their data (only the director opens them).
    data_requests: Vec<crate::domain::data_request::DataRequest>,
    errors: FieldErrors,
    typed: HashMap<String, String>,
    notice: Option<&'static str>,
    today: NaiveDate,
    /// Whether this deployment has a DigiD broker (then the director may require it).
    digid_available: bool,
}

impl ManagePage {
    fn person_name(&self, id: &i64) -> String {
        self.persons
            .iter()
            .find(|p| p.id == *id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }
    fn has_account(&self, id: &i64) -> bool {
        self.accounts.iter().any(|a| a.access.person_id == *id)
    }
    fn typed(&self, name: &str) -> &str {
        self.typed.get(name).map_or("", String::as_str)
    }
    fn categories(&self) -> &'static [Category] {
        Category::ALL
    }
    fn age(&self, p: &Person) -> Option<u32> {
        p.age_on(self.today)
    }
}

async fn manage_page(
    state: &AppState,
    user: SignedIn,
    ctx: PageCtx,
    family_id: i64,
) -> Result<ManagePage, AppError> {
    let digid_available = state.config.digid.is_some();
    state
        .db(move |conn| {
            let (family, _) = authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
            Ok(ManagePage {
                persons: family::persons(conn, family_id)?,
                accounts: portal::accounts(conn, family_id)?,
                withheld: portal::withheld_in_family(conn, family_id)?,
                corrections: portal::corrections(conn, family_id)?,
                data_requests: crate::domain::data_request::for_family(conn, family_id)?,
                family,
                ctx,
                errors: FieldErrors::default(),
                typed: HashMap::new(),
                notice: None,
                today: today(),
                digid_available,
            })
        })
        .await
}

fn manage_notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "uitgenodigd" => Some("portal.notice_invited"),
        "mail-mislukt" => Some("portal.notice_mail_failed"),
        "opgeslagen" => Some("portal.notice_saved"),
        _ => None,
    }
}

pub async fn show_manage(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let mut page = manage_page(&state, user.0, ctx, path.into_inner()).await?;
    page.notice = manage_notice(query.melding.as_deref());
    html(StatusCode::OK, page)
}

/// Below this age the director writes down why portal access fits this young person.
const JUDGEMENT_AGE: u32 = 16;

pub async fn invite_member(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, fields) = (user.0, path.into_inner(), form.into_inner());
    let invitation = Invitation {
        person_id: fields
            .get("person_id")
            .and_then(|v| v.trim().parse::<i64>().ok()),
        email: fields
            .get("email")
            .map(|e| crate::domain::user::normalize_email(e))
            .unwrap_or_default(),
        judgement: clean(fields.get("judgement")),
    };
    let again = user.clone();
    let typed = fields.clone();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                invite(conn, &user, family_id, &invitation)
            })
        })
        .await?;
    match outcome {
        Ok((account, token)) => Ok(see_other(&format!(
            "/gezinnen/{family_id}/portaal?melding={}",
            send_invitation(&state, &account, &token).await
        ))),
        Err(errors) => {
            let mut page = manage_page(&state, again, ctx, family_id).await?;
            page.errors = errors;
            page.typed = typed;
            html(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
    }
}

/// The director's invitation of a member to the portal, as sent.
struct Invitation {
    person_id: Option<i64>,
    email: String,
    /// Why portal access fits this young person (required below `JUDGEMENT_AGE`).
    judgement: String,
}

/// Checks an invitation and creates the member's account with an invitation token; the errors name
/// their fields.
fn invite(
    conn: &mut db::DbConn,
    user: &SignedIn,
    family_id: i64,
    invitation: &Invitation,
) -> Result<Result<(user::User, String), FieldErrors>, AppError> {
    let Invitation {
        person_id,
        email,
        judgement,
    } = invitation;
    let mut errors = FieldErrors::default();
    let member = match person_id {
        Some(p) => family::find_person(conn, family_id, *p)?,
        None => None,
    };
    let Some(member) = member else {
        errors.add("person_id", "portal.member_required");
        return Ok(Err(errors));
    };
    if portal::has_account(conn, member.id)? {
        errors.add("person_id", "portal.member_has_account");
    }
    if !crate::domain::user::is_valid_email(email) {
        errors.add("email", "invite.email_invalid");
    } else if user::find_by_email(conn, email)?.is_some() {
        errors.add("email", "invite.email_taken");
    }
    // A child, or anyone without a known age under 16: the director's judgement is recorded.
    let young = match member.age_on(today()) {
        Some(age) => age < JUDGEMENT_AGE,
        None => member.role() == crate::domain::family::PersonRole::Child,
    };
    if young && judgement.is_empty() {
        errors.add("judgement", "portal.judgement_required");
    }
    if judgement.chars().count() > TEXT_LIMIT {
        errors.add("judgement", "form.too_long");
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let account = record::invite_to_portal(conn, &who(user), family_id, &member, email, judgement)?;
    let token =
        crate::auth::token::issue(conn, account.id, crate::auth::token::Purpose::Invitation)?;
    Ok(Ok((account, token)))
}

/// Keeps a category from a member (with a reason), or gives it back.
pub async fn set_withheld(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, fields) = (user.0, path.into_inner(), form.into_inner());
    super::access::require(&state, &user, family_id, FamilyAction::EditFamily).await?;
    let person_id = fields
        .get("person_id")
        .and_then(|v| v.trim().parse::<i64>().ok());
    let category = fields
        .get("category")
        .and_then(|c| Category::from_code(c))
        .ok_or_else(|| AppError::Unprocessable("withheld without a category".into()))?;
    let withhold = fields.get("withhold").map(String::as_str) == Some("ja");
    let reason = clean(fields.get("reason"));
    if withhold && (reason.is_empty() || reason.chars().count() > TEXT_LIMIT) {
        let mut page = manage_page(&state, user, ctx, family_id).await?;
        page.errors.add("reason", "portal.reason_required");
        page.typed = fields;
        return html(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                let member = person_id
                    .and_then(|p| family::find_person(conn, family_id, p).transpose())
                    .transpose()?
                    .ok_or(AppError::NotFound)?;
                record::set_withheld(
                    conn,
                    &who(&user),
                    family_id,
                    &member,
                    category,
                    withhold.then_some(reason.as_str()),
                )?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/gezinnen/{family_id}/portaal?melding=opgeslagen#achterhouden"
    )))
}

/// Whether the family's view of the access log names the professionals.
pub async fn set_names(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let show = form.get("show_names").map(String::as_str) == Some("ja");
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                record::show_names_in_portal(conn, &who(&user), family_id, show)?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/gezinnen/{family_id}/portaal?melding=opgeslagen#inzage"
    )))
}

pub async fn answer_correction(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, request_id), fields) = (user.0, path.into_inner(), form.into_inner());
    let answer = clean(fields.get("answer"));
    if answer.is_empty() || answer.chars().count() > TEXT_LIMIT {
        let mut page = manage_page(&state, user, ctx, family_id).await?;
        page.errors.add("answer", "portal.answer_required");
        page.typed = fields;
        return html(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                if !record::answer_correction(conn, &who(&user), family_id, request_id, &answer)? {
                    return Err(AppError::NotFound);
                }
                Ok::<_, AppError>(())
            })
        })
        .await?;
    notify_family(&state, family_id, Category::Plan).await;
    Ok(see_other(&format!(
        "/gezinnen/{family_id}/portaal?melding=opgeslagen#correcties"
    )))
}

/// The director (or co-worker) shares the minutes of the family's item with the family.
pub async fn share_minutes(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id)) = (user.0, path.into_inner());
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                // Only someone who takes part in the meeting and directs the family, and only once the
                // meeting is closed (the minutes are final then).
                let (m, _, _) = super::access::meeting_for(conn, &user, meeting_id)?;
                let item = crate::domain::meeting::find_item(conn, meeting_id, item_id)?
                    .ok_or(AppError::NotFound)?;
                let family_id = item.family_id.ok_or(AppError::NotFound)?;
                authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                if !state_allows(m.state(), MeetingAction::ShareMinutes) {
                    return Ok::<_, AppError>(false);
                }
                record::share_minutes(conn, &who(&user), &item)?;
                Ok(true)
            })
        })
        .await
        .map(|shared| {
            if !shared {
                tracing::info!(
                    meeting_id,
                    item_id,
                    "minutes not shared: the meeting is open"
                );
            }
        })?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}/punten/{item_id}#notulen"
    )))
}

/// Sends the portal invitation; a failure is logged and reported on the page (the account stands, and
/// the director can send it again), never a 500 after the account was made.
async fn send_invitation(state: &AppState, account: &user::User, token: &str) -> &'static str {
    let link = state.link(&format!("/wachtwoord-instellen/{token}"));
    let mail = plain_mail(
        account,
        "mail.portal_invite.subject",
        "mail.portal_invite.body",
        &link,
    );
    match state.send_mail(mail).await {
        Ok(()) => "uitgenodigd",
        Err(e) => {
            tracing::warn!(user_id = account.id, error = ?e, "portal invitation not sent");
            "mail-mislukt"
        }
    }
}

/// What the director does with one family account: send the invitation again (a new link; the old one
/// stops working), turn access off (sessions end at once) or on again.
pub async fn manage_account(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, account_id, what)) = (user.0, path.into_inner());
    if !matches!(what.as_str(), "uitnodigen" | "intrekken" | "herstellen") {
        return Err(AppError::NotFound);
    }
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                let account = portal::accounts(conn, family_id)?
                    .into_iter()
                    .find(|a| a.access.user_id == account_id)
                    .ok_or(AppError::NotFound)?;
                let member = family::find_person(conn, family_id, account.access.person_id)?
                    .ok_or(AppError::NotFound)?;
                let by = who(&user);
                match what.as_str() {
                    "uitnodigen" => {
                        if account.has_password || !account.active {
                            return Ok::<_, AppError>(None);
                        }
                        let token = crate::auth::token::issue(
                            conn,
                            account_id,
                            crate::auth::token::Purpose::Invitation,
                        )?;
                        let to = user::find(conn, account_id)?.ok_or(AppError::NotFound)?;
                        Ok(Some((to, token)))
                    }
                    other => {
                        let active = other == "herstellen";
                        record::set_portal_access(
                            conn, &by, family_id, &member, account_id, active,
                        )?;
                        Ok(None)
                    }
                }
            })
        })
        .await?;
    let notice = match outcome {
        Some((to, token)) => send_invitation(&state, &to, &token).await,
        None => "opgeslagen",
    };
    Ok(see_other(&format!(
        "/gezinnen/{family_id}/portaal?melding={notice}#accounts"
    )))
}
