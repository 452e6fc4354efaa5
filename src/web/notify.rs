//! Mail from the web side: invitations, the family's news and the director's notices. A mail names no
//! family details; it links to the page that shows them after login. Handlers of every area send
//! through here, so no handler module borrows another's mail.

use askama::Template;

use super::{AppError, AppState};
use crate::domain::portal::{self, Category};
use crate::domain::user::{self, User};
use crate::mail::Mail;

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct InvitationText<'a> {
    i18n: crate::i18n::I18n,
    name: &'a str,
    inviter: &'a str,
    organisation: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct InvitationHtml<'a> {
    i18n: crate::i18n::I18n,
    name: &'a str,
    inviter: &'a str,
    organisation: &'a str,
    link: &'a str,
}

/// The invitation to set a password and start.
pub fn invitation_mail(user: &User, inviter: &str, organisation: &str, link: &str) -> Mail {
    let i18n = crate::mail::i18n_for(user);
    let text = InvitationText {
        i18n,
        name: &user.name,
        inviter,
        organisation,
        link,
    };
    let html = InvitationHtml {
        i18n,
        name: &user.name,
        inviter,
        organisation,
        link,
    };
    Mail {
        to: user.email.clone(),
        subject: i18n.t("mail.invitation.subject"),
        text: text.render().unwrap_or_default(),
        html: html.render().unwrap_or_default(),
        attachments: Vec::new(),
    }
}

/// A short mail with one link and no details: the family's mails, and the director's notices.
pub fn plain_mail(to: &user::User, subject_key: &str, body_key: &str, link: &str) -> Mail {
    let i18n = crate::mail::i18n_for(to);
    crate::mail::with_link(to, &i18n, i18n.t(subject_key), &i18n.t(body_key), link)
}

/// Tells the family's members that there is something new for them (a decision, a meeting), unless the
/// director keeps that category from them. The mail only says there is news and links to the portal.
/// A failure is logged, never returned: what caused the news has been saved already.
pub async fn notify_family(state: &AppState, family_id: i64, category: Category) {
    if let Err(e) = send_family_news(state, family_id, category).await {
        tracing::warn!(family_id, error = ?e, "portal notifications not sent");
    }
}

async fn send_family_news(
    state: &AppState,
    family_id: i64,
    category: Category,
) -> Result<(), AppError> {
    let recipients = state
        .db(move |conn| {
            let mut to = Vec::new();
            for account in portal::accounts(conn, family_id)? {
                if !account.active
                    || !account.has_password
                    || portal::is_withheld(conn, account.access.person_id, category)?
                {
                    continue;
                }
                if let Some(u) = user::find(conn, account.access.user_id)? {
                    to.push(u);
                }
            }
            Ok(to)
        })
        .await?;
    let link = format!("{}/portaal", state.config.base_url);
    for to in recipients {
        if let Err(e) = state
            .send_mail(plain_mail(
                &to,
                "mail.portal_news.subject",
                "mail.portal_news.body",
                &link,
            ))
            .await
        {
            // The decision stands; a missing notification is logged, not shown as a failure.
            tracing::warn!(user_id = to.id, error = ?e, "portal notification not sent");
        }
    }
    Ok(())
}

/// What the director is told about their family. The mail names no family details.
#[derive(Clone, Copy, Debug)]
pub enum DirectorNotice {
    /// A family member asked for a correction.
    Correction,
    /// The family was referred to a table (`outside`: of another partnership than the family's).
    Referral { id: i64, outside: bool },
}

impl DirectorNotice {
    /// (subject key, body key, path of the page to read it on).
    fn mail(self, family_id: i64) -> (&'static str, &'static str, String) {
        match self {
            DirectorNotice::Correction => (
                "mail.correction.subject",
                "mail.correction.body",
                format!("/gezinnen/{family_id}/portaal"),
            ),
            DirectorNotice::Referral { id, outside } => (
                "mail.referral.subject",
                if outside {
                    "mail.referral.body_outside"
                } else {
                    "mail.referral.body"
                },
                format!("/aanmeldingen/{id}"),
            ),
        }
    }
}

/// Tells the family's director of `notice`, unless the director is the one who caused it (`by`). A
/// failure is logged, never returned: what caused the notice has been saved already.
pub async fn notify_director(
    state: &AppState,
    family_id: i64,
    notice: DirectorNotice,
    by: Option<i64>,
) {
    let director = state
        .db(move |conn| {
            let Some(d) = crate::domain::directorship::history(conn, family_id)?
                .into_iter()
                .find(|d| d.directorship.ended_at.is_none())
            else {
                return Ok(None);
            };
            Ok(user::find(conn, d.directorship.director_user_id)?)
        })
        .await;
    let to = match director {
        Ok(Some(to)) if Some(to.id) != by => to,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(family_id, error = ?e, "director notice not sent");
            return;
        }
    };
    let (subject, body, path) = notice.mail(family_id);
    let link = format!("{}{path}", state.config.base_url);
    if let Err(e) = state.send_mail(plain_mail(&to, subject, body, &link)).await {
        tracing::warn!(user_id = to.id, error = ?e, "director notice not sent");
    }
}
