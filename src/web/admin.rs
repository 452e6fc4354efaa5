//! Account management: organisation admins invite colleagues, change their name and role, and switch
//! their accounts off and on; system admins do so for every organisation and also manage organisations.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::{actor, who};
use super::forms::{FieldErrors, NoticeQuery};
use super::notify::{self, invitation_mail};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use super::{html, notice_key};
use crate::auth::token::{self, Purpose};
use crate::db;
use crate::domain::organisation::{self, Organisation, OrganisationKind};
use crate::domain::user::{self, NewUser, Role, User, UserWithOrganisation};
use crate::policy::{self, Account, Action};
use crate::record;

fn require(user: &SignedIn, action: Action) -> Result<(), AppError> {
    if policy::allows(actor(user), action) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The organisation whose accounts this admin manages by default: their own (None for a system admin).
fn managed_organisation(user: &SignedIn) -> Result<Option<i64>, AppError> {
    if policy::allows(actor(user), Action::ManageAllUsers) {
        return Ok(None);
    }
    match user.organisation_id() {
        Some(id)
            if policy::allows(
                actor(user),
                Action::ManageUsersOf {
                    organisation_id: id,
                },
            ) =>
        {
            Ok(Some(id))
        }
        _ => Err(AppError::Forbidden),
    }
}

/// Whether the account is in the admin's list of accounts (their organisation's; every one for a
/// system admin). An account outside it is answered as if it did not exist.
fn in_view(user: &SignedIn, target: &User) -> bool {
    match target.organisation_id {
        Some(organisation_id) => {
            policy::allows(actor(user), Action::ManageUsersOf { organisation_id })
        }
        None => policy::allows(actor(user), Action::ManageAllUsers),
    }
}

/// The account as the policy sees it, from where the admin stands.
fn account_of(user: &SignedIn, target: &User) -> Account {
    Account {
        role: target.role(),
        organisation_id: target.organisation_id,
        is_self: target.id == user.id(),
    }
}

/// The account `id` with its organisation, when the admin may do `action` with it: Forbidden for
/// someone who manages no accounts, NotFound when it is not in the admin's list (or does not exist),
/// Forbidden when it is but this is not theirs to do.
fn managed_account(
    conn: &mut db::DbConn,
    user: &SignedIn,
    id: i64,
    action: fn(Account) -> Action,
) -> Result<UserWithOrganisation, AppError> {
    managed_organisation(user)?;
    let target = user::find(conn, id)?
        .filter(|t| in_view(user, t))
        .ok_or(AppError::NotFound)?;
    if !policy::allows(actor(user), action(account_of(user, &target))) {
        return Err(AppError::Forbidden);
    }
    Ok(user::with_organisation(conn, target)?)
}

/// An account in the list, with what the admin may do with it.
struct UserRow {
    account: UserWithOrganisation,
    may_edit: bool,
    /// May switch it off (when active) or on (when not).
    may_switch: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    ctx: PageCtx,
    users: Vec<UserRow>,
    /// How many family portal accounts there are (never who), already translated.
    family_accounts: Option<String>,
    show_organisation: bool,
    notice: Option<&'static str>,
}

pub async fn list_users(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let scope = managed_organisation(&user)?;
    // Who has a portal account says who is a client: those accounts are only counted here.
    let (family, others): (Vec<_>, Vec<_>) = state
        .db(move |conn| Ok(user::list(conn, scope)?))
        .await?
        .into_iter()
        .partition(|account| account.user.role() == Role::Family);
    let family_accounts = match family.len() {
        0 => None,
        1 => Some(ctx.t("users.family_accounts_one")),
        n => Some(
            ctx.i18n
                .t_with("users.family_accounts", &[("count", &n.to_string())]),
        ),
    };
    let users = others
        .into_iter()
        .map(|account| {
            let target = account_of(&user, &account.user);
            let switch = if account.user.active {
                Action::DeactivateAccount(target)
            } else {
                Action::ActivateAccount(target)
            };
            UserRow {
                may_edit: policy::allows(actor(&user), Action::EditAccount(target)),
                may_switch: policy::allows(actor(&user), switch),
                account,
            }
        })
        .collect();
    html(
        StatusCode::OK,
        UsersPage {
            ctx,
            users,
            family_accounts,
            show_organisation: scope.is_none(),
            notice: notice_key(query.melding.as_deref()),
        },
    )
}

#[derive(Template)]
#[template(path = "admin/invite.html")]
struct InvitePage {
    ctx: PageCtx,
    form: InviteForm,
    errors: FieldErrors,
    /// Organisations to choose from; empty when the admin can only invite into their own.
    organisations: Vec<Organisation>,
    roles: Vec<Role>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation_id: String,
}

async fn invite_page(
    user: &SignedIn,
    ctx: PageCtx,
    state: &AppState,
    form: InviteForm,
    errors: FieldErrors,
) -> Result<InvitePage, AppError> {
    let organisations = if managed_organisation(user)?.is_none() {
        state.db(|conn| Ok(organisation::list(conn)?)).await?
    } else {
        Vec::new()
    };
    let roles = Role::STAFF
        .into_iter()
        .filter(|r| policy::allows(actor(user), Action::GrantRole(*r)))
        .collect();
    Ok(InvitePage {
        ctx,
        form,
        errors,
        organisations,
        roles,
    })
}

pub async fn show_invite(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = InviteForm {
        role: Role::Professional.code().into(),
        ..InviteForm::default()
    };
    let page = invite_page(&user.0, ctx, &state, form, FieldErrors::default()).await?;
    html(StatusCode::OK, page)
}

/// A checked invitation, ready to store.
struct Invitation {
    name: String,
    email: String,
    role: Role,
    organisation_id: Option<i64>,
}

fn check_invitation(user: &SignedIn, form: &InviteForm) -> Result<Invitation, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = form.name.trim();
    if name.is_empty() {
        errors.add("name", "invite.name_required");
    } else if name.chars().count() > 200 {
        errors.add("name", "invite.name_too_long");
    }
    if form.email.trim().is_empty() {
        errors.add("email", "invite.email_required");
    } else if !user::is_valid_email(&form.email) {
        errors.add("email", "invite.email_invalid");
    }
    let role =
        Role::from_code(&form.role).filter(|r| policy::allows(actor(user), Action::GrantRole(*r)));
    if role.is_none() {
        errors.add("role", "invite.role_required");
    }
    let organisation_id = match managed_organisation(user) {
        Ok(Some(own)) => Some(own),
        _ => form.organisation_id.trim().parse::<i64>().ok(),
    };
    if organisation_id.is_none() && role != Some(Role::SystemAdmin) {
        errors.add("organisation_id", "invite.organisation_required");
    }
    match role {
        Some(role) if errors.is_empty() => Ok(Invitation {
            name: name.to_string(),
            email: user::normalize_email(&form.email),
            role,
            // A system admin belongs to no organisation.
            organisation_id: if role == Role::SystemAdmin {
                None
            } else {
                organisation_id
            },
        }),
        _ => Err(errors),
    }
}

pub async fn invite_user(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let user = user.0;
    managed_organisation(&user)?;
    let invitation = match check_invitation(&user, &form) {
        Ok(i) => i,
        Err(errors) => {
            let page = invite_page(&user, ctx, &state, form, errors).await?;
            return html(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    };
    if let Some(org) = invitation.organisation_id {
        require(
            &user,
            Action::ManageUsersOf {
                organisation_id: org,
            },
        )?;
    }

    let outcome = state
        .db(move |conn| db::write(conn, |conn| create_invited(conn, &invitation)))
        .await?;
    let (invited, organisation_name, token) = match outcome {
        Ok(done) => done,
        Err(problem) => {
            let mut errors = FieldErrors::default();
            errors.add(
                if problem == "invite.email_taken" {
                    "email"
                } else {
                    "organisation_id"
                },
                problem,
            );
            let page = invite_page(&user, ctx, &state, form, errors).await?;
            return html(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    };
    let link = state.link(&format!("/wachtwoord-instellen/{token}"));
    let mail = invitation_mail(
        &invited,
        &user.account.user.name,
        organisation_name.as_deref().unwrap_or("Samenspel"),
        &link,
    );
    state.send_mail(mail).await?;
    tracing::info!(invited = invited.id, by = user.id(), "invitation sent");
    Ok(see_other(
        "/beheer/gebruikers?melding=uitnodiging-verstuurd",
    ))
}

/// The invited user's account (without a password), their organisation's name and an invitation token.
type Invited = (user::User, Option<String>, String);

/// Creates the invited user's account; or says what is wrong when the address is taken or the
/// organisation gone.
fn create_invited(
    conn: &mut db::DbConn,
    invitation: &Invitation,
) -> Result<Result<Invited, &'static str>, AppError> {
    if user::find_by_email(conn, &invitation.email)?.is_some() {
        return Ok(Err("invite.email_taken"));
    }
    let organisation = match invitation.organisation_id {
        Some(id) => match organisation::find(conn, id)? {
            Some(o) => Some(o),
            None => return Ok(Err("invite.organisation_required")),
        },
        None => None,
    };
    let new_user = user::create(
        conn,
        NewUser {
            organisation_id: invitation.organisation_id,
            email: &invitation.email,
            name: &invitation.name,
            role: invitation.role,
            password_hash: None,
        },
    )?;
    let token = token::issue(conn, new_user.id, Purpose::Invitation)?;
    Ok(Ok((new_user, organisation.map(|o| o.name), token)))
}

/// Sends a fresh invitation to an account that has not set a password yet (the old link stops working).
pub async fn reinvite_user(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let target_id = path.into_inner();
    let target = state
        .db(move |conn| {
            let Some(target) = user::find(conn, target_id)? else {
                return Err(AppError::NotFound);
            };
            Ok(user::with_organisation(conn, target)?)
        })
        .await?;
    if !in_view(&user, &target.user) {
        return Err(AppError::NotFound);
    }
    if target.user.password_hash.is_some() || !target.user.active {
        return Err(AppError::Unprocessable("account already active".into()));
    }
    let token = state
        .db(move |conn| {
            db::write(conn, |conn| {
                Ok::<_, AppError>(token::issue(conn, target_id, Purpose::Invitation)?)
            })
        })
        .await?;
    let link = state.link(&format!("/wachtwoord-instellen/{token}"));
    let mail = invitation_mail(
        &target.user,
        &user.account.user.name,
        target.organisation_name.as_deref().unwrap_or("Samenspel"),
        &link,
    );
    state.send_mail(mail).await?;
    Ok(see_other(
        "/beheer/gebruikers?melding=uitnodiging-verstuurd",
    ))
}

#[derive(Template)]
#[template(path = "admin/user_edit.html")]
struct EditUserPage {
    ctx: PageCtx,
    account: UserWithOrganisation,
    form: EditUserForm,
    errors: FieldErrors,
    /// The roles the account may get; only its own when it is the admin's (their role is fixed).
    roles: Vec<Role>,
    is_self: bool,
}

impl EditUserPage {
    /// Whether the role in the form is one to choose (else the list starts with "choose a role").
    fn role_offered(&self) -> bool {
        self.roles.iter().any(|r| r.code() == self.form.role)
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct EditUserForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

fn edit_user_page(
    user: &SignedIn,
    ctx: PageCtx,
    account: UserWithOrganisation,
    form: EditUserForm,
    errors: FieldErrors,
) -> EditUserPage {
    let target = account_of(user, &account.user);
    let roles = Role::STAFF
        .into_iter()
        .filter(|to| {
            policy::allows(
                actor(user),
                Action::SetRole {
                    account: target,
                    to: *to,
                },
            )
        })
        .collect();
    EditUserPage {
        ctx,
        account,
        form,
        errors,
        roles,
        is_self: target.is_self,
    }
}

pub async fn show_edit_user(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let admin = user.clone();
    let account = state
        .db(move |conn| managed_account(conn, &admin, id, Action::EditAccount))
        .await?;
    let form = EditUserForm {
        name: account.user.name.clone(),
        role: account.user.role().code().into(),
    };
    let page = edit_user_page(&user, ctx, account, form, FieldErrors::default());
    html(StatusCode::OK, page)
}

/// A checked change of name and role, ready to store.
struct AccountChange {
    name: String,
    role: Role,
}

fn check_account_change(
    user: &SignedIn,
    target: &User,
    form: &EditUserForm,
) -> Result<AccountChange, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = form.name.trim();
    if name.is_empty() {
        errors.add("name", "user_edit.name_required");
    } else if name.chars().count() > 200 {
        errors.add("name", "user_edit.name_too_long");
    }
    let account = account_of(user, target);
    let role = Role::from_code(form.role.trim())
        .filter(|to| policy::allows(actor(user), Action::SetRole { account, to: *to }));
    match role {
        Some(role) if errors.is_empty() => Ok(AccountChange {
            name: name.to_string(),
            role,
        }),
        Some(_) => Err(errors),
        None => {
            errors.add("role", "user_edit.role_required");
            Err(errors)
        }
    }
}

pub async fn update_user(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<EditUserForm>,
) -> Result<HttpResponse, AppError> {
    let (user, id, form) = (user.0, path.into_inner(), form.into_inner());
    let (admin, typed) = (user.clone(), form.clone());
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let account = managed_account(conn, &admin, id, Action::EditAccount)?;
                // What was typed is looked at only now that the admin may edit this account.
                match check_account_change(&admin, &account.user, &typed) {
                    Ok(change) => {
                        let by = who(&admin);
                        let changed = record::update_account(
                            conn,
                            &by,
                            &account.user,
                            &change.name,
                            change.role,
                        )?;
                        Ok::<_, AppError>(Ok(changed))
                    }
                    Err(errors) => Ok(Err((account, errors))),
                }
            })
        })
        .await?;
    match outcome {
        Ok(changed) => {
            if changed {
                tracing::info!(account = id, by = user.id(), "account changed");
            }
            Ok(see_other("/beheer/gebruikers?melding=account-gewijzigd"))
        }
        Err((account, errors)) => {
            let page = edit_user_page(&user, ctx, account, form, errors);
            html(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
    }
}

/// Switches an account off: it can no longer log in, and its sessions end in the same transaction.
/// The list asks for confirmation first (`data-confirm`, as every action that ends something).
pub async fn deactivate_user(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    switch_account(user.0, &state, path.into_inner(), false).await
}

/// Switches an account on again.
pub async fn activate_user(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    switch_account(user.0, &state, path.into_inner(), true).await
}

async fn switch_account(
    user: SignedIn,
    state: &AppState,
    id: i64,
    active: bool,
) -> Result<HttpResponse, AppError> {
    let by = user.id();
    let action: fn(Account) -> Action = if active {
        Action::ActivateAccount
    } else {
        Action::DeactivateAccount
    };
    let base_url = state.config.base_url.clone();
    let (changed, mails) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let account = managed_account(conn, &user, id, action)?;
                let by = who(&user);
                if active {
                    return Ok((
                        record::activate_account(conn, &by, &account.user)?,
                        Vec::new(),
                    ));
                }
                let changed = record::deactivate_account(conn, &by, &account.user)?;
                // The coordinators hear of the families left without an active director.
                let mails = if changed {
                    notify::directorships_left(conn, &account.user, &base_url)?
                } else {
                    Vec::new()
                };
                Ok::<_, AppError>((changed, mails))
            })
        })
        .await?;
    if changed {
        tracing::info!(account = id, by, active, "account switched");
    }
    for mail in mails {
        if let Err(e) = state.send_mail(mail).await {
            tracing::warn!(account = id, error = ?e, "coordinator notice not sent");
        }
    }
    Ok(see_other(if active {
        "/beheer/gebruikers?melding=account-geactiveerd"
    } else {
        "/beheer/gebruikers?melding=account-gedeactiveerd"
    }))
}

#[derive(Template)]
#[template(path = "admin/organisations.html")]
struct OrganisationsPage {
    ctx: PageCtx,
    organisations: Vec<Organisation>,
    kinds: Vec<OrganisationKind>,
    form: OrganisationForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct OrganisationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    oin: String,
}

async fn organisations_page(
    ctx: PageCtx,
    state: &AppState,
    form: OrganisationForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<OrganisationsPage, AppError> {
    let organisations = state.db(|conn| Ok(organisation::list(conn)?)).await?;
    Ok(OrganisationsPage {
        ctx,
        organisations,
        kinds: OrganisationKind::ALL.to_vec(),
        form,
        errors,
        notice,
    })
}

pub async fn list_organisations(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    require(&user.0, Action::ManageOrganisations)?;
    let page = organisations_page(
        ctx,
        &state,
        OrganisationForm::default(),
        FieldErrors::default(),
        notice_key(query.melding.as_deref()),
    )
    .await?;
    html(StatusCode::OK, page)
}

pub async fn create_organisation(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<OrganisationForm>,
) -> Result<HttpResponse, AppError> {
    require(&user.0, Action::ManageOrganisations)?;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let name = form.name.trim().to_string();
    if name.is_empty() {
        errors.add("name", "organisations.name_required");
    } else if name.chars().count() > 200 {
        errors.add("name", "organisations.name_too_long");
    }
    let kind = OrganisationKind::from_code(&form.kind);
    if kind.is_none() {
        errors.add("kind", "organisations.kind_required");
    }
    let oin = form.oin.trim().to_string();
    let oin_ok = oin.is_empty() || (oin.len() == 20 && oin.chars().all(|c| c.is_ascii_digit()));
    if !oin_ok {
        errors.add("oin", "organisations.oin_invalid");
    }
    if let (true, Some(kind)) = (errors.is_empty(), kind) {
        let created = state
            .db(move |conn| {
                db::write(conn, |conn| {
                    if organisation::find_by_name(conn, &name)?.is_some() {
                        return Ok::<_, AppError>(false);
                    }
                    organisation::create(
                        conn,
                        &name,
                        kind,
                        (!oin.is_empty()).then_some(oin.as_str()),
                    )?;
                    Ok(true)
                })
            })
            .await?;
        if created {
            return Ok(see_other(
                "/beheer/organisaties?melding=organisatie-toegevoegd",
            ));
        }
        errors.add("name", "organisations.name_taken");
    }
    let page = organisations_page(ctx, &state, form, errors, None).await?;
    html(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// Resets a colleague's second factor (a lost phone): it goes with the recovery codes and sessions, an
/// event is written and the colleague gets a mail; at the next login they set up a new one. Never the
/// admin's own, never an account outside their list.
pub async fn reset_second_factor(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let reset = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let account = managed_account(conn, &user, id, Action::ResetSecondFactor)?;
                let done = record::reset_second_factor(conn, &who(&user), &account.user)?;
                Ok::<_, AppError>(done.then_some(account.user))
            })
        })
        .await?;
    let Some(account) = reset else {
        return Ok(see_other("/beheer/gebruikers?melding=geen-tweede-factor"));
    };
    tracing::info!(account = id, "second factor reset");
    let mail = notify::plain_mail(
        &account,
        "mail.second_factor_reset.subject",
        "mail.second_factor_reset.body",
        &state.link("/inloggen"),
    );
    if let Err(e) = state.send_mail(mail).await {
        tracing::warn!(account = id, error = ?e, "second factor reset mail not sent");
    }
    Ok(see_other(
        "/beheer/gebruikers?melding=tweede-factor-hersteld",
    ))
}
