//! The daily review digest: every director whose families have plans or safety agreements past their
//! review date, and everyone whose aftercare check-in has come, gets one email a day listing them. The mail names the case (pseudonym and case number)
//! and which plan or agreement number is overdue, never its content or anyone's name; the link leads
//! to the family page after login.
//!
//! Sent by the hourly housekeeping from 07:00 (Amsterdam time) and by `samenspel send-digests`. Each
//! (person, day) is claimed in the database first, so several instances send it once.

use chrono::NaiveDate;

use crate::db::{self, DbConn, Pool};
use crate::domain::aftercare::{self, CheckIn};
use crate::domain::safety::{self, Overdue};
use crate::domain::user;
use crate::i18n::I18n;
use crate::mail::{Mail, Mailer};

/// The hour (local time) from which the day's digests go out.
pub const SEND_FROM_HOUR: u32 = 7;

/// What one person's digest lists: reviews past their date, and aftercare check-ins that have come.
#[derive(Clone, Debug, Default)]
pub struct Due {
    pub overdue: Vec<Overdue>,
    pub checkins: Vec<CheckIn>,
}

/// The digest mail for `to` listing what is due.
pub fn digest_mail(to: &user::User, due: &Due, base_url: &str) -> Mail {
    let i18n = crate::mail::i18n_for(to);
    if due.overdue.is_empty() {
        return checkins_mail(to, &i18n, &due.checkins, base_url);
    }
    let mut mail = overdue_mail(to, &i18n, &due.overdue, base_url);
    if !due.checkins.is_empty() {
        let extra = checkins_mail(to, &i18n, &due.checkins, base_url);
        mail.text.push_str(&format!("\n{}", extra.text));
        mail.html.push_str(&extra.html);
    }
    mail
}

/// The check-ins of aftercare whose date has come, by case (pseudonym and number, never a name).
fn checkins_mail(to: &user::User, i18n: &I18n, checkins: &[CheckIn], base_url: &str) -> Mail {
    let intro = i18n.t_with("digest.checkins_intro", &[("name", to.name.as_str())]);
    let mut text = format!("{intro}\n\n");
    let mut html = format!("<p>{}</p><ul>", crate::mail::escape_html(&intro));
    for c in checkins {
        let line = i18n.t_with(
            "digest.checkin_line",
            &[
                ("family", c.pseudonym.as_str()),
                ("due", c.checkin_on.format("%d-%m-%Y").to_string().as_str()),
            ],
        );
        let link = format!("{base_url}/gezinnen/{}/nazorg", c.family_id);
        text.push_str(&format!("- {line}\n  {link}\n"));
        html.push_str(&format!(
            "<li>{} — <a href=\"{}\">{}</a></li>",
            crate::mail::escape_html(&line),
            crate::mail::escape_html(&link),
            crate::mail::escape_html(&i18n.t("digest.open"))
        ));
    }
    html.push_str("</ul>");
    Mail {
        to: to.email.clone(),
        subject: i18n.t("digest.subject_checkins"),
        text,
        html,
        attachments: Vec::new(),
    }
}

/// The reviews past their date.
fn overdue_mail(to: &user::User, i18n: &I18n, overdue: &[Overdue], base_url: &str) -> Mail {
    let lines: Vec<(String, String)> = overdue
        .iter()
        .map(|o| {
            (
                describe(i18n, o, Names::Left),
                format!("{base_url}/gezinnen/{}", o.family_id),
            )
        })
        .collect();
    // Singular and plural as the language has them, never "evaluatie(s)".
    let number = if overdue.len() == 1 { "one" } else { "other" };
    let intro = i18n.t_with(
        &format!("digest.intro.{number}"),
        &[
            ("name", to.name.as_str()),
            ("count", overdue.len().to_string().as_str()),
        ],
    );
    let mut text = format!("{intro}\n\n");
    let mut html = format!("<p>{}</p><ul>", crate::mail::escape_html(&intro));
    for (line, link) in &lines {
        text.push_str(&format!("- {line}\n  {link}\n"));
        html.push_str(&format!(
            "<li>{} — <a href=\"{}\">{}</a></li>",
            crate::mail::escape_html(line),
            crate::mail::escape_html(link),
            crate::mail::escape_html(&i18n.t("digest.open"))
        ));
    }
    text.push_str(&format!("\n{}\n", i18n.t("mail.automatic")));
    html.push_str(&format!(
        "</ul><p>{}</p>",
        crate::mail::escape_html(&i18n.t("mail.automatic"))
    ));
    Mail {
        to: to.email.clone(),
        subject: i18n.t_with(
            &format!("digest.subject.{number}"),
            &[("count", overdue.len().to_string().as_str())],
        ),
        text,
        html,
        attachments: Vec::new(),
    }
}

/// Whether a description may name people: on a page behind login yes, in an email no.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    Shown,
    Left,
}

/// What is overdue, in words: "Veiligheidsplan, afspraak 2 (Sandra)" or "Herstelplan (Sem Bakker)"; without
/// names "Veiligheidsplan, afspraak 2" and "Herstelplan".
pub fn describe_what(i18n: &I18n, o: &Overdue, names: Names) -> String {
    let mut what = i18n.t(&o.kind.label_key());
    if let (Some(person), Names::Shown) = (&o.person_name, names) {
        what = format!("{what} ({person})");
    }
    if let Some((n, who)) = &o.agreement {
        let key = match names {
            Names::Shown => "digest.agreement",
            Names::Left => "digest.agreement_unnamed",
        };
        what = i18n.t_with(
            key,
            &[
                ("plan", what.as_str()),
                ("n", n.to_string().as_str()),
                ("who", who.as_str()),
            ],
        );
    }
    what
}

/// One overdue review in a line: "Gezin J., 2026-0042: Veiligheidsplan, afspraak 2 — evalueren op
/// 20-11-2026" (with `Names::Shown` the agreement's "who" and a recovery plan's member follow).
pub fn describe(i18n: &I18n, o: &Overdue, names: Names) -> String {
    i18n.t_with(
        "digest.line",
        &[
            ("family", o.pseudonym.as_str()),
            ("what", describe_what(i18n, o, names).as_str()),
            ("due", o.due.format("%d-%m-%Y").to_string().as_str()),
        ],
    )
}

/// What one person's digest for `day` holds, if it is due and not yet claimed; claims it.
fn claim(
    conn: &mut DbConn,
    user_id: i64,
    day: NaiveDate,
) -> anyhow::Result<Option<(user::User, Due)>> {
    Ok(db::write(conn, |conn| {
        let due = Due {
            overdue: safety::overdue_for_director(conn, user_id, day)?,
            checkins: aftercare::checkins_for(conn, user_id, Some(day))?,
        };
        if due.overdue.is_empty() && due.checkins.is_empty() {
            return Ok::<_, diesel::result::Error>(None);
        }
        let Some(to) = user::find(conn, user_id)?.filter(|u| u.active) else {
            return Ok(None);
        };
        if !safety::claim_digest(conn, user_id, day)? {
            return Ok(None);
        }
        Ok(Some((to, due)))
    })?)
}

/// Sends the digests of `day` that are due and not sent yet; returns how many were sent. A mail that
/// fails gives its claim back, so the next run tries again.
pub fn send_due(
    pool: &Pool,
    mailer: &Mailer,
    from: &str,
    base_url: &str,
    day: NaiveDate,
) -> anyhow::Result<usize> {
    let mut conn = pool.get()?;
    let mut sent = 0;
    let mut people = safety::directors(&mut conn)?;
    people.extend(aftercare::checkers_due(&mut conn, day)?);
    people.sort_unstable();
    people.dedup();
    for user_id in people {
        let Some((to, due)) = claim(&mut conn, user_id, day)? else {
            continue;
        };
        match mailer.send(from, &digest_mail(&to, &due, base_url)) {
            Ok(()) => sent += 1,
            Err(e) => {
                tracing::warn!(user_id, error = %e, "review digest not sent");
                db::write(&mut conn, |conn| safety::release_digest(conn, user_id, day))?;
            }
        }
    }
    Ok(sent)
}
