//! Mail from the web side: invitations, the family's news and the director's notices. A mail names no
//! family details; it links to the page that shows them after login. Handlers of every area send
//! through here, so no handler module borrows another's mail.

use askama::Template;

use super::{AppError, AppState};
use crate::domain::portal::{self, Category};
use crate::domain::referral::{self, ReferralStatus};
use crate::domain::user::{self, User};
use crate::mail::{Attachment, Mail};

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
/// director keeps that category from them; news of a decision goes only to members who see the newest
/// decision (`portal::Sharing::shows`). The mail only says there is news and links to the portal.
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
            // News of a decision: only for members who see that decision (the sharing rule).
            let decision = match category {
                Category::Decisions => portal::latest_decision(conn, family_id)?,
                _ => None,
            };
            let sharing = portal::Sharing::load(conn, family_id)?;
            for account in portal::accounts(conn, family_id)? {
                let person = account.access.person_id;
                let sees = match decision {
                    Some(id) => sharing.shows(person, &portal::Thing::decision(id)),
                    None => !portal::is_withheld(conn, person, category)?,
                };
                if !account.active || !account.has_password || !sees {
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

/// The mails to the coordinators when `account`, switched off just now, directed open families of
/// their partnership: how many need a new director, and a link to the start page that lists them. No
/// family is named. Read inside the switching transaction, sent after it.
pub fn directorships_left(
    conn: &mut crate::db::DbConn,
    account: &User,
    base_url: &str,
) -> Result<Vec<Mail>, AppError> {
    let mut counts: std::collections::BTreeMap<i64, usize> = Default::default();
    for p in crate::domain::directorship::partnerships_directed_by(conn, account.id)? {
        *counts.entry(p).or_default() += 1;
    }
    let link = format!("{base_url}/#zonder-regisseur");
    let mut mails = Vec::new();
    for (partnership_id, n) in counts {
        for c in crate::domain::partnership::coordinators(conn, partnership_id)? {
            let Some(to) = user::find(conn, c.user_id)?.filter(|u| u.active && u.id != account.id)
            else {
                continue;
            };
            let i18n = crate::mail::i18n_for(&to);
            let n = n.to_string();
            let args = [("name", account.name.as_str()), ("n", n.as_str())];
            mails.push(crate::mail::with_link(
                &to,
                &i18n,
                i18n.t("mail.directorships_left.subject"),
                &i18n.t_with("mail.directorships_left.body", &args),
                &link,
            ));
        }
    }
    Ok(mails)
}

/// What the people around a referral are told. The mail names no family details.
#[derive(Clone, Copy, Debug)]
pub enum ReferralNotice {
    /// A new referral, to the table's chairs.
    Submitted,
    /// The chair's answer, to the referrer.
    Answered(ReferralStatus),
    /// The referrer added the information asked for, to the chairs.
    InformationAdded,
}

impl ReferralNotice {
    /// (who hears it, subject key, body key).
    fn mail(self) -> (referral::Audience, &'static str, &'static str) {
        use referral::Audience::{Chairs, Referrer};
        match self {
            ReferralNotice::Submitted => (
                Chairs,
                "mail.referral_new.subject",
                "mail.referral_new.body",
            ),
            ReferralNotice::InformationAdded => (
                Chairs,
                "mail.referral_returned.subject",
                "mail.referral_returned.body",
            ),
            ReferralNotice::Answered(status) => match status {
                ReferralStatus::MoreInfo => (
                    Referrer,
                    "mail.referral_more_info.subject",
                    "mail.referral_more_info.body",
                ),
                ReferralStatus::Rejected => (
                    Referrer,
                    "mail.referral_rejected.subject",
                    "mail.referral_rejected.body",
                ),
                ReferralStatus::Scheduled => (
                    Referrer,
                    "mail.referral_scheduled.subject",
                    "mail.referral_scheduled.body",
                ),
                _ => (
                    Referrer,
                    "mail.referral_accepted.subject",
                    "mail.referral_accepted.body",
                ),
            },
        }
    }
}

/// Tells the people around referral `id` of `notice`, except `by` (who caused it). A failure is
/// logged, never returned: what caused the notice has been saved already.
pub async fn notify_referral(state: &AppState, id: i64, notice: ReferralNotice, by: i64) {
    let (audience, subject, body) = notice.mail();
    let recipients = state
        .db(move |conn| {
            let Some(found) = referral::find(conn, id)? else {
                return Ok(Vec::new());
            };
            Ok(referral::audience(conn, &found, audience, Some(by))?)
        })
        .await;
    let recipients = match recipients {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(referral_id = id, error = ?e, "referral notice not sent");
            return;
        }
    };
    let link = state.link(&format!("/aanmeldingen/{id}"));
    for to in recipients {
        if let Err(e) = state.send_mail(plain_mail(&to, subject, body, &link)).await {
            tracing::warn!(user_id = to.id, error = ?e, "referral notice not sent");
        }
    }
}

/// What publishing a meeting's agenda tells: an invitation with the .ics to everyone on its
/// attendance list, and news in the portal of the families on its agenda.
pub struct MeetingNews {
    invitations: Vec<Mail>,
    families: Vec<i64>,
}

/// The news of the just published `found` of table `at`, read inside the publishing transaction.
pub fn meeting_news(
    conn: &mut crate::db::DbConn,
    found: &crate::domain::meeting::Meeting,
    at: &crate::domain::table::Table,
    base_url: &str,
) -> Result<MeetingNews, AppError> {
    use crate::domain::meeting;
    let link = format!("{base_url}/bijeenkomsten/{}", found.id);
    let host = url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let ics = crate::calendar::meeting_ics(found, at, &link, &host);
    let mut invitations = Vec::new();
    for row in meeting::attendance_list(conn, found.id)? {
        if let Some(invitee) = user::find(conn, row.user_id)? {
            invitations.push(meeting_invitation(&invitee, at, found, &link, &ics));
        }
    }
    let mut families: Vec<i64> = meeting::items(conn, found.id)?
        .iter()
        .filter_map(|i| i.family_id)
        .collect();
    families.sort_unstable();
    families.dedup();
    Ok(MeetingNews {
        invitations,
        families,
    })
}

/// Sends the invitations, then tells the families on the agenda that there is news in their portal
/// (no details in the mail).
pub async fn send_meeting_news(state: &AppState, news: MeetingNews) -> Result<(), AppError> {
    for mail in news.invitations {
        state.send_mail(mail).await?;
    }
    for family_id in news.families {
        notify_family(state, family_id, Category::Meetings).await;
    }
    Ok(())
}

fn meeting_invitation(
    to: &user::User,
    at: &crate::domain::table::Table,
    m: &crate::domain::meeting::Meeting,
    link: &str,
    ics: &str,
) -> Mail {
    let i18n = crate::mail::i18n_for(to);
    let when = format!(
        "{} – {}",
        crate::time::date_time(m.starts_at),
        crate::time::clock(m.ends_at)
    );
    let args = [
        ("name", to.name.as_str()),
        ("table", at.name.as_str()),
        ("when", when.as_str()),
        ("link", link),
    ];
    let mut mail = crate::mail::with_link(
        to,
        &i18n,
        i18n.t_with("mail.meeting.subject", &args),
        &i18n.t_with("mail.meeting.body", &args),
        link,
    );
    mail.attachments.push(Attachment {
        filename: "bijeenkomst.ics".into(),
        content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
        content: ics.as_bytes().to_vec(),
    });
    mail
}

/// After a complaint was filed: the acknowledgement to the member (received, and answered by when), and
/// a notice to those who handle it, with a link and no family details. Failures are logged only.
pub async fn notify_complaint_filed(state: &AppState, complaint_id: i64) {
    let found = state
        .db(move |conn| {
            let Some(c) = crate::domain::complaint::find(conn, complaint_id)? else {
                return Ok(None);
            };
            let member = user::find(conn, c.user_id)?;
            let handlers = crate::domain::complaint::handlers(conn, &c)?;
            Ok(Some((c, member, handlers)))
        })
        .await;
    let Ok(Some((complaint, member, handlers))) = found else {
        tracing::warn!(complaint_id, "complaint mails not sent");
        return;
    };
    let mut mails = Vec::new();
    if let Some(to) = member {
        let i18n = crate::mail::i18n_for(&to);
        let due = complaint.due_on.format("%d-%m-%Y").to_string();
        let body = i18n.t_with("mail.complaint_received.body", &[("date", due.as_str())]);
        let link = state.link("/portaal/klachten");
        let subject = i18n.t("mail.complaint_received.subject");
        mails.push(crate::mail::with_link(&to, &i18n, subject, &body, &link));
    }
    let link = state.link(&format!("/klachten/{complaint_id}"));
    for to in &handlers {
        mails.push(plain_mail(
            to,
            "mail.complaint_new.subject",
            "mail.complaint_new.body",
            &link,
        ));
    }
    for mail in mails {
        if let Err(e) = state.send_mail(mail).await {
            tracing::warn!(complaint_id, error = ?e, "complaint mail not sent");
        }
    }
}

/// Tells the member who filed a complaint that it was answered (the answer is in the portal).
pub async fn notify_complaint_answered(state: &AppState, member_user_id: i64) {
    let to = state
        .db(move |conn| Ok(user::find(conn, member_user_id)?))
        .await;
    if let Ok(Some(to)) = to {
        let link = state.link("/portaal/klachten");
        let mail = plain_mail(
            &to,
            "mail.complaint_answered.subject",
            "mail.complaint_answered.body",
            &link,
        );
        if let Err(e) = state.send_mail(mail).await {
            tracing::warn!(user_id = to.id, error = ?e, "complaint answer mail not sent");
        }
    }
}

/// Tells the chairs of the table a complaint was sent on to, with a link and no family details.
pub async fn notify_complaint_forwarded(state: &AppState, complaint_id: i64, table_id: i64) {
    let chairs = state
        .db(move |conn| {
            let mut out = Vec::new();
            for id in crate::domain::complaint::chairs_of(conn, table_id)? {
                out.extend(user::find(conn, id)?.filter(|u| u.active));
            }
            Ok(out)
        })
        .await
        .unwrap_or_default();
    let link = state.link(&format!("/klachten/{complaint_id}"));
    for to in chairs {
        let mail = plain_mail(
            &to,
            "mail.complaint_new.subject",
            "mail.complaint_new.body",
            &link,
        );
        if let Err(e) = state.send_mail(mail).await {
            tracing::warn!(complaint_id, error = ?e, "complaint mail not sent");
        }
    }
}
