//! The chair invites the family to their own item: a member (with a portal account they join in the
//! portal; without one, by a one-time link), someone of the family's network, a cliëntondersteuner or
//! an ervaringsdeskundige, for the conversation only or also the decision. The invitation goes by mail,
//! in plain Dutch with an English version, with the time and, for an online meeting, the link.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::decisions::parse_id;
use crate::db::{self, DbConn};
use crate::domain::family::{self, Person};
use crate::domain::family_invite::{self, GuestKind, Invite, NewInvite, Part};
use crate::domain::meeting::{self, AgendaItem, Meeting};
use crate::i18n::{I18n, Locale};
use crate::mail::{Mail, escape_html};
use crate::policy::family_room::{Inviting, may_invite_family};
use crate::record;
use crate::web::access::{meeting_for, who};
use crate::web::forms::{FieldErrors, NoticeQuery, clean};
use crate::web::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, see_other};

#[derive(Template)]
#[template(path = "meetings/family_invite.html")]
struct FamilyInvitePage {
    ctx: PageCtx,
    meeting: Meeting,
    item: AgendaItem,
    members: Vec<Person>,
    invited: Vec<Invite>,
    form: HashMap<String, String>,
    errors: FieldErrors,
    notice: Option<&'static str>,
    /// Whether this user sends invitations (the chair) or asks the chair to (the director).
    sends: bool,
}

impl FamilyInvitePage {
    fn value(&self, name: &str) -> String {
        self.form.get(name).cloned().unwrap_or_default()
    }
    fn kinds(&self) -> &'static [GuestKind] {
        GuestKind::ALL
    }
    fn parts(&self) -> &'static [Part] {
        Part::ALL
    }
}

/// The meeting and the family item the chair invites for, with the family's members, who of the
/// family is invited (or asked for) already, and whether this user sends or asks.
type Invitation = (Meeting, AgendaItem, Vec<Person>, Vec<Invite>, Inviting);

fn invitation(
    conn: &mut DbConn,
    user: &SignedIn,
    meeting_id: i64,
    item_id: i64,
) -> Result<Invitation, AppError> {
    let (found, _, seat) = meeting_for(conn, user, meeting_id)?;
    let item = meeting::find_item(conn, found.id, item_id)?.ok_or(AppError::NotFound)?;
    let directs = match item.family_id {
        Some(f) => family::relation(conn, f, user.id())?.director,
        None => false,
    };
    let inviting = Inviting::of(seat.chair, directs);
    if inviting == Inviting::No {
        return Err(AppError::Forbidden);
    }
    if !may_invite_family(true, found.status(), item.family_id, None) {
        // A closed meeting, or an item about no family: nothing to invite for.
        return Err(AppError::Unprocessable(
            "no family item of an open meeting".into(),
        ));
    }
    let family_id = item.family_id.ok_or(AppError::NotFound)?;
    let members = family::persons(conn, family_id)?;
    let invited = family_invite::for_item(conn, item.id)?;
    Ok((found, item, members, invited, inviting))
}

fn page(ctx: PageCtx, invitation: Invitation, form: HashMap<String, String>) -> FamilyInvitePage {
    let (meeting, item, members, invited, inviting) = invitation;
    FamilyInvitePage {
        sends: inviting == Inviting::Sends,
        ctx,
        meeting,
        item,
        members,
        invited,
        form,
        errors: FieldErrors::default(),
        notice: None,
    }
}

/// `GET /bijeenkomsten/{id}/punten/{item}/gezin-uitnodigen`.
pub async fn show_family_invite(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id)) = (user.0, path.into_inner());
    let found = state
        .db(move |conn| invitation(conn, &user, meeting_id, item_id))
        .await?;
    let mut page = page(ctx, found, HashMap::new());
    page.notice = match query.melding.as_deref() {
        Some("uitgenodigd") => Some("family_room.invite_sent"),
        Some("gevraagd") => Some("family_room.invite_asked"),
        _ => None,
    };
    html(StatusCode::OK, page)
}

/// Who is invited, as the form says it: checked against the family's members.
struct Invitee {
    kind: GuestKind,
    part: Part,
    name: String,
    email: String,
    person_id: Option<i64>,
    user_id: Option<i64>,
}

fn check(
    conn: &mut DbConn,
    form: &HashMap<String, String>,
    members: &[Person],
) -> Result<Result<Invitee, FieldErrors>, AppError> {
    let mut errors = FieldErrors::default();
    let field = |name: &str| clean(form.get(name));
    let kind = GuestKind::from_code(&field("kind"));
    let part = Part::from_code(&field("part"));
    if kind.is_none() {
        errors.add("kind", "family_room.kind_required");
    }
    if part.is_none() {
        errors.add("part", "family_room.part_required");
    }
    let (mut name, mut email) = (field("name"), field("email"));
    let (mut person_id, mut user_id) = (None, None);
    if kind == Some(GuestKind::Member) {
        match parse_id(&field("person_id")).and_then(|id| members.iter().find(|p| p.id == id)) {
            None => errors.add("person_id", "family_room.member_required"),
            Some(p) => {
                name = p.name.clone();
                person_id = Some(p.id);
                let account = crate::domain::portal::accounts(conn, p.family_id)?
                    .into_iter()
                    .find(|a| a.access.person_id == p.id && a.active);
                if let Some(a) = account {
                    user_id = Some(a.access.user_id);
                    email = a.email;
                }
            }
        }
    } else if name.is_empty() {
        errors.add("name", "family_room.name_required");
    }
    if user_id.is_none() && !crate::domain::user::is_valid_email(&email) {
        errors.add("email", "family_room.email_required");
    }
    if name.chars().count() > 200 || email.chars().count() > 200 {
        errors.add("name", "form.too_long");
    }
    Ok(match (kind, part) {
        (Some(kind), Some(part)) if errors.is_empty() => Ok(Invitee {
            kind,
            part,
            name,
            email,
            person_id,
            user_id,
        }),
        _ => Err(errors),
    })
}

/// What a post of the form did: a mail to send (or none, for a director's request), or the form again.
type Sent = Result<(Option<Mail>, record::Announced), (Invitation, FieldErrors)>;

/// The invitation's mail, with a one-time link made now for someone without a portal account.
fn sent_invitation(
    conn: &mut DbConn,
    by: &record::Who,
    found: &Invitation,
    pending: i64,
    base_url: &str,
) -> Result<Sent, AppError> {
    let Some(waiting) = found.3.iter().find(|i| i.id == pending && i.waits()) else {
        return Err(AppError::NotFound);
    };
    let token = waiting.user_id.is_none().then(crate::auth::random_token);
    let hash = token.as_deref().map(crate::auth::token_hash);
    let Some((invite, announced)) = record::approve_family_invite(conn, by, pending, hash)? else {
        return Err(AppError::NotFound);
    };
    let mail = invitation_mail(&found.0, &invite, &link_of(base_url, &invite, token));
    Ok(Ok((Some(mail), announced)))
}

fn link_of(base_url: &str, invite: &Invite, token: Option<String>) -> String {
    match token {
        Some(token) => format!("{base_url}/gast/{}/{token}", invite.agenda_item_id),
        None => format!(
            "{base_url}/portaal/punten/{}/overleg",
            invite.agenda_item_id
        ),
    }
}

/// A new invitation as the form says: sent by the chair, or asked for by the director.
fn new_invitation(
    conn: &mut DbConn,
    user: &SignedIn,
    found: Invitation,
    form: &HashMap<String, String>,
    base_url: &str,
) -> Result<Sent, AppError> {
    let invitee = match check(conn, form, &found.2)? {
        Ok(invitee) => invitee,
        Err(errors) => return Ok(Err((found, errors))),
    };
    let (meeting, item, sends) = (&found.0, &found.1, found.4 == Inviting::Sends);
    let token = (sends && invitee.user_id.is_none()).then(crate::auth::random_token);
    let new = NewInvite {
        meeting_id: meeting.id,
        agenda_item_id: item.id,
        family_id: item.family_id.ok_or(AppError::NotFound)?,
        kind: invitee.kind,
        name: &invitee.name,
        email: &invitee.email,
        person_id: invitee.person_id,
        user_id: invitee.user_id,
        part: invitee.part,
        token_hash: token.as_deref().map(crate::auth::token_hash),
        valid_on: crate::time::local(meeting.starts_at).date_naive(),
        invited_by_user_id: user.id(),
        approved_by_user_id: sends.then(|| user.id()),
    };
    let (invite, announced) = record::invite_family(conn, &who(user), &new)?;
    let mail = sends.then(|| invitation_mail(meeting, &invite, &link_of(base_url, &invite, token)));
    Ok(Ok((mail, announced)))
}

/// `POST /bijeenkomsten/{id}/punten/{item}/gezin-uitnodigen`: the chair invites (and mails), or sends
/// what the director asked for (`approve`); the director asks the chair.
pub async fn invite_family(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id), form) = (user.0, path.into_inner(), form.into_inner());
    let sent = form.clone();
    let base_url = state.config.base_url.clone();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let found = invitation(conn, &user, meeting_id, item_id)?;
                match sent.get("approve").and_then(|v| parse_id(v)) {
                    Some(pending) if found.4 == Inviting::Sends => {
                        sent_invitation(conn, &who(&user), &found, pending, &base_url)
                    }
                    Some(_) => Err(AppError::Forbidden),
                    None => new_invitation(conn, &user, found, &sent, &base_url),
                }
            })
        })
        .await?;
    match outcome {
        Ok((mail, announced)) => {
            state.wake(announced);
            let notice = match mail {
                Some(mail) => {
                    state.send_mail(mail).await?;
                    "uitgenodigd"
                }
                None => "gevraagd",
            };
            Ok(see_other(&format!(
                "/bijeenkomsten/{meeting_id}/punten/{item_id}/gezin-uitnodigen?melding={notice}"
            )))
        }
        Err((found, errors)) => {
            let mut page = page(ctx, found, form);
            page.errors = errors;
            html(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
    }
}

/// The invitation in one language: who, when, which part, the online link and the way in.
fn invitation_text(i18n: &I18n, meeting: &Meeting, invite: &Invite, link: &str) -> String {
    let starts = crate::time::local(meeting.starts_at);
    let mut text = i18n.t_with(
        "family_room.mail_body",
        &[
            ("name", &invite.name),
            ("date", &starts.format("%d-%m-%Y").to_string()),
            ("time", &starts.format("%H:%M").to_string()),
        ],
    );
    text.push_str("\n\n");
    text.push_str(&i18n.t(&format!("family_room.mail_part_{}", invite.part)));
    if !meeting.online_link.is_empty() {
        text.push_str("\n\n");
        text.push_str(&i18n.t_with("family_room.mail_online", &[("link", &meeting.online_link)]));
    }
    text.push_str("\n\n");
    text.push_str(&i18n.t(if invite.user_id.is_some() {
        "family_room.mail_portal"
    } else {
        "family_room.mail_link"
    }));
    text.push_str(&format!("\n{link}"));
    text
}

/// The mail: Dutch first, then the same in English.
fn invitation_mail(meeting: &Meeting, invite: &Invite, link: &str) -> Mail {
    let (nl, en) = (I18n::new(Locale::Nl), I18n::new(Locale::En));
    let footer = nl.t("mail.automatic");
    let text = format!(
        "{}\n\n— English —\n\n{}\n\n{footer}",
        invitation_text(&nl, meeting, invite, link),
        invitation_text(&en, meeting, invite, link)
    );
    let html = text
        .split("\n\n")
        .map(|p| {
            let escaped = escape_html(p).replace('\n', "<br>");
            if p.ends_with(link) {
                escaped.replace(
                    &escape_html(link),
                    &format!("<a href=\"{0}\">{0}</a>", escape_html(link)),
                )
            } else {
                escaped
            }
        })
        .map(|p| format!("<p>{p}</p>"))
        .collect();
    Mail {
        to: invite.email.clone(),
        subject: format!(
            "{} / {}",
            nl.t("family_room.mail_subject"),
            en.t("family_room.mail_subject")
        ),
        text,
        html,
        attachments: Vec::new(),
    }
}
