//! What housekeeping watches for besides sessions and digests: referrals whose answer is late. Each
//! late referral is told once per turn with the chair (the claim is a column, so two instances never
//! both mail it), to the table's chairs and the partnership's coordinators, with an event on the
//! family's timeline. A mail that fails gives its claim back for the next round.

use crate::db::{self, Pool};
use crate::domain::referral::{self, Audience};
use crate::domain::table;
use crate::mail::Mailer;

/// Tells of the referrals past their answer deadline; returns how many were told.
pub fn tell_late_referrals(
    pool: &Pool,
    mailer: &Mailer,
    from: &str,
    base_url: &str,
) -> anyhow::Result<usize> {
    let mut conn = pool.get()?;
    let mut told = 0;
    for found in referral::late_untold(&mut conn)? {
        let recipients = db::write(&mut conn, |conn| {
            if !referral::claim_late_notice(conn, found.id)? {
                return Ok::<_, anyhow::Error>(None);
            }
            let Some(at) = table::find(conn, found.table_id)? else {
                return Ok(None);
            };
            crate::record::referral_late(conn, &found, &at)?;
            Ok(Some(referral::audience(
                conn,
                &found,
                Audience::ChairsAndCoordinators,
                None,
            )?))
        })?;
        let Some(recipients) = recipients else {
            continue;
        };
        let link = format!("{base_url}/aanmeldingen/{}", found.id);
        let mut sent = 0;
        for to in &recipients {
            let i18n = crate::mail::i18n_for(to);
            let mail = crate::mail::with_link(
                to,
                &i18n,
                i18n.t("mail.referral_late.subject"),
                &i18n.t("mail.referral_late.body"),
                &link,
            );
            match mailer.send(from, &mail) {
                Ok(()) => sent += 1,
                Err(e) => {
                    tracing::warn!(referral_id = found.id, user_id = to.id, error = %e, "late referral not told")
                }
            }
        }
        // Nobody could be told: the next round tries again (its event is written once more then).
        if sent == 0 && !recipients.is_empty() {
            db::write(&mut conn, |conn| {
                referral::release_late_notice(conn, found.id)
            })?;
        } else {
            told += 1;
        }
    }
    Ok(told)
}
