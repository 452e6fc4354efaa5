//! The end of a record's retention period: its personal data goes, its shape stays. Members, plans,
//! minutes, decisions' texts, event payloads, access logs, documents and the family's portal accounts
//! are removed or emptied; kinds, dates, outcomes, phases, urgencies and who (as a professional) did
//! what stay, so the monitor's figures do not change. A `family.erased` event is the tombstone, and the
//! event chain still verifies (the payload design of migration 000011: the chain holds digests).

use diesel::prelude::*;
use serde_json::json;

use super::{DomainError, DomainResult};
use crate::db::DbConn;
use crate::events::EventKind;
use crate::schema::{
    access_log, actions, aftercare, agenda_items, board_requests, correction_requests,
    data_requests, decisions, document_contents, documents, families, family_room_invites,
    family_views, involvement_requests, involvements, measures, persons, phase_plans,
    plan_comments, plan_sections, plan_versions, portal_access, portal_item_concerns,
    portal_item_rules, portal_not_by_default, portal_withheld, recovery_consents,
    referral_additions, referrals, safety_phases, safety_scores, sessions, sign_on_links,
    sign_on_sessions, user_tokens, users,
};

/// What an erased text reads as where the schema requires one (a phase's rationale, who gave a score).
pub const KEPT_EMPTY: &str = "-";

/// How many rows of each kind the erasure removed or emptied (no names: the tombstone's payload).
pub type Removed = Vec<(&'static str, usize)>;

/// Removes the personal data of a closed family whose retention period has ended (`keep_until` before
/// today), once. The caller (`crate::retention`) picks the families; this checks again.
/// The system does it (the event has no actor).
pub fn erase_family(conn: &mut DbConn, family_id: i64) -> DomainResult<Removed> {
    let found =
        crate::domain::family::find(conn, family_id)?.ok_or(DomainError::Missing("family"))?;
    let past = found
        .keep_until
        .is_some_and(|until| until < crate::time::today());
    if !found.is_closed() || !past || found.erased_at.is_some() {
        return Err(DomainError::Rule(
            "only a closed record past its retention period is erased, once",
        ));
    }
    let now = crate::time::now();
    let mut removed = Removed::new();
    removed.extend(remove_portal(conn, family_id)?);
    removed.extend(empty_record(conn, family_id)?);
    removed.extend(empty_notes(conn, family_id)?);
    removed.extend(empty_consultation(conn, family_id, now)?);
    removed.push((
        "access_log",
        diesel::delete(access_log::table.filter(access_log::family_id.eq(family_id)))
            .execute(conn)?,
    ));
    removed.push((
        "events",
        crate::events::erase_family_payloads(conn, family_id)?,
    ));
    diesel::update(families::table.find(family_id))
        .set((
            families::display_name.eq(""),
            families::closed_reason.eq(KEPT_EMPTY),
            families::erased_at.eq(now),
        ))
        .execute(conn)?;
    keep_filled(conn, family_id)?;
    let counts: serde_json::Map<String, serde_json::Value> = removed
        .iter()
        .map(|(what, n)| ((*what).to_string(), json!(n)))
        .collect();
    crate::events::append(
        conn,
        crate::events::Actor::default(),
        crate::events::NewEvent {
            family_id: Some(family_id),
            kind: EventKind::FamilyErased,
            subject_type: "family",
            subject_id: Some(family_id),
            data: json!({"removed": counts}),
            meeting_id: None,
        },
    )?;
    Ok(removed)
}

/// The family's accounts and what they wrote: access, withholdings, views, corrections, requests.
fn remove_portal(conn: &mut DbConn, family_id: i64) -> QueryResult<Removed> {
    let accounts: Vec<i64> = portal_access::table
        .filter(portal_access::family_id.eq(family_id))
        .select(portal_access::user_id)
        .load(conn)?;
    let person_ids = persons::table
        .filter(persons::family_id.eq(family_id))
        .select(persons::id);
    let session_ids = sessions::table
        .filter(sessions::user_id.eq_any(&accounts))
        .select(sessions::id);
    diesel::delete(
        sign_on_sessions::table.filter(sign_on_sessions::session_id.eq_any(session_ids)),
    )
    .execute(conn)?;
    diesel::delete(sessions::table.filter(sessions::user_id.eq_any(&accounts))).execute(conn)?;
    diesel::delete(user_tokens::table.filter(user_tokens::user_id.eq_any(&accounts)))
        .execute(conn)?;
    diesel::delete(sign_on_links::table.filter(sign_on_links::user_id.eq_any(&accounts)))
        .execute(conn)?;
    for id in &accounts {
        diesel::update(users::table.find(id))
            .set((
                users::email.eq(format!("verwijderd-{id}@gezin.invalid")),
                users::name.eq(""),
                users::password_hash.eq(None::<String>),
                users::active.eq(false),
            ))
            .execute(conn)?;
    }
    Ok([
        ("accounts", accounts.len()),
        (
            "family_views",
            diesel::delete(family_views::table.filter(family_views::family_id.eq(family_id)))
                .execute(conn)?,
        ),
        (
            "correction_requests",
            diesel::delete(
                correction_requests::table.filter(correction_requests::family_id.eq(family_id)),
            )
            .execute(conn)?,
        ),
        (
            "data_requests",
            diesel::delete(data_requests::table.filter(data_requests::family_id.eq(family_id)))
                .execute(conn)?,
        ),
        (
            "portal_withheld",
            diesel::delete(portal_withheld::table.filter(portal_withheld::family_id.eq(family_id)))
                .execute(conn)?,
        ),
        (
            "recovery_consents",
            diesel::delete(
                recovery_consents::table.filter(recovery_consents::person_id.eq_any(person_ids)),
            )
            .execute(conn)?,
        ),
        (
            "portal_access",
            diesel::delete(portal_access::table.filter(portal_access::family_id.eq(family_id)))
                .execute(conn)?,
        ),
    ]
    .into_iter()
    .chain(remove_sharing(conn, family_id)?)
    .chain(remove_at_the_table(conn, family_id)?)
    .collect())
}

/// What the family said at and about the table: complaints and objections, and the room's invitations
/// (names, addresses, their views).
fn remove_at_the_table(conn: &mut DbConn, family_id: i64) -> QueryResult<Removed> {
    Ok(vec![
        (
            "complaints",
            diesel::delete(
                crate::schema::complaints::table
                    .filter(crate::schema::complaints::family_id.eq(family_id)),
            )
            .execute(conn)?,
        ),
        (
            "family_room_invites",
            diesel::delete(
                family_room_invites::table.filter(family_room_invites::family_id.eq(family_id)),
            )
            .execute(conn)?,
        ),
    ])
}

/// The record itself: members emptied (the row keeps its role, for the measures that name it), plans'
/// texts, comments, scores' words, measures' notes, documents, aftercare's words.
fn empty_record(conn: &mut DbConn, family_id: i64) -> QueryResult<Removed> {
    let versions = plan_versions::table
        .filter(plan_versions::family_id.eq(family_id))
        .select(plan_versions::id);
    let document_ids = documents::table
        .filter(documents::family_id.eq(family_id))
        .select(documents::id);
    diesel::delete(
        document_contents::table.filter(document_contents::document_id.eq_any(document_ids)),
    )
    .execute(conn)?;
    Ok(vec![
        (
            "members",
            diesel::update(persons::table.filter(persons::family_id.eq(family_id)))
                .set((
                    persons::name.eq(""),
                    persons::date_of_birth.eq(None::<chrono::NaiveDate>),
                    persons::bsn.eq(None::<String>),
                    persons::street.eq(None::<String>),
                    persons::house_number.eq(None::<i32>),
                    persons::postcode.eq(None::<String>),
                    persons::city.eq(None::<String>),
                ))
                .execute(conn)?,
        ),
        (
            "plan_sections",
            diesel::delete(
                plan_sections::table.filter(plan_sections::plan_version_id.eq_any(versions)),
            )
            .execute(conn)?,
        ),
        (
            "plan_comments",
            diesel::delete(plan_comments::table.filter(plan_comments::family_id.eq(family_id)))
                .execute(conn)?,
        ),
        (
            "phase_plans",
            diesel::update(phase_plans::table.filter(phase_plans::family_id.eq(family_id)))
                .set(phase_plans::content.eq("{}"))
                .execute(conn)?,
        ),
    ])
}

/// The words around the record: phases' reasons, scores' givers, measures' notes, documents, the
/// aftercare's words, why someone outside was involved.
fn empty_notes(conn: &mut DbConn, family_id: i64) -> QueryResult<Removed> {
    Ok(vec![
        (
            "safety_phases",
            diesel::update(safety_phases::table.filter(safety_phases::family_id.eq(family_id)))
                .set((
                    safety_phases::rationale.eq(KEPT_EMPTY),
                    safety_phases::criteria.eq(""),
                ))
                .execute(conn)?,
        ),
        (
            "safety_scores",
            diesel::update(safety_scores::table.filter(safety_scores::family_id.eq(family_id)))
                .set((
                    safety_scores::given_by.eq(KEPT_EMPTY),
                    safety_scores::explanation.eq(""),
                ))
                .execute(conn)?,
        ),
        (
            "measures",
            diesel::update(measures::table.filter(measures::family_id.eq(family_id)))
                .set((measures::note.eq(""), measures::end_reason.eq("")))
                .execute(conn)?,
        ),
        (
            "documents",
            diesel::delete(documents::table.filter(documents::family_id.eq(family_id)))
                .execute(conn)?,
        ),
        (
            "aftercare",
            diesel::update(aftercare::table.filter(aftercare::family_id.eq(family_id)))
                .set((aftercare::family_view.eq(""), aftercare::evaluation.eq("")))
                .execute(conn)?,
        ),
        (
            "involvements",
            diesel::update(involvements::table.filter(involvements::family_id.eq(family_id)))
                .set(involvements::outside_reason.eq(None::<String>))
                .execute(conn)?,
        ),
        (
            "involvement_requests",
            diesel::update(
                involvement_requests::table.filter(involvement_requests::family_id.eq(family_id)),
            )
            .filter(involvement_requests::reason.is_not_null())
            .set(involvement_requests::reason.eq(KEPT_EMPTY))
            .execute(conn)?,
        ),
    ])
}

/// The family's side of the tables: referrals' texts, minutes, decisions' texts (once, as the trigger
/// allows), actions' texts and requests to the Raad.
fn empty_consultation(
    conn: &mut DbConn,
    family_id: i64,
    now: chrono::NaiveDateTime,
) -> QueryResult<Removed> {
    let referral_ids = referrals::table
        .filter(referrals::family_id.eq(family_id))
        .select(referrals::id);
    diesel::delete(
        referral_additions::table.filter(referral_additions::referral_id.eq_any(referral_ids)),
    )
    .execute(conn)?;
    Ok(vec![
        (
            "referrals",
            diesel::update(referrals::table.filter(referrals::family_id.eq(family_id)))
                .set((
                    referrals::reason.eq(""),
                    referrals::tried.eq(""),
                    referrals::question.eq(""),
                    referrals::chair_note.eq(None::<String>),
                    referrals::outside_reason.eq(None::<String>),
                ))
                .execute(conn)?,
        ),
        (
            "minutes",
            diesel::update(
                agenda_items::table
                    .filter(agenda_items::family_id.eq(family_id))
                    .filter(agenda_items::erased_at.is_null()),
            )
            .set((
                agenda_items::minutes.eq(""),
                agenda_items::title.eq(""),
                agenda_items::erased_at.eq(now),
            ))
            .execute(conn)?,
        ),
        (
            "decisions",
            diesel::update(
                decisions::table
                    .filter(decisions::family_id.eq(family_id))
                    .filter(decisions::erased_at.is_null()),
            )
            .set((
                decisions::text.eq(""),
                decisions::rationale.eq(""),
                decisions::family_words.eq(""),
                decisions::erased_at.eq(now),
            ))
            .execute(conn)?,
        ),
        (
            "actions",
            diesel::update(actions::table.filter(actions::family_id.eq(family_id)))
                .set((
                    actions::description.eq(""),
                    actions::condition.eq(""),
                    actions::family_informed_how.eq(""),
                ))
                .execute(conn)?,
        ),
        (
            "board_requests",
            diesel::update(board_requests::table.filter(board_requests::family_id.eq(family_id)))
                .set((
                    board_requests::question.eq(""),
                    board_requests::grounds.eq(""),
                    board_requests::tried.eq(""),
                    board_requests::family_view.eq(""),
                    board_requests::no_notice_reason.eq(""),
                    board_requests::answer_reason.eq(""),
                ))
                .execute(conn)?,
        ),
    ])
}

/// Texts the schema requires once they were given (why the family was not informed, an action's
/// result): emptied to `KEPT_EMPTY` where they were filled, left absent where they were not.
fn keep_filled(conn: &mut DbConn, family_id: i64) -> QueryResult<()> {
    diesel::update(
        families::table
            .find(family_id)
            .filter(families::not_informed_reason.is_not_null()),
    )
    .set(families::not_informed_reason.eq(KEPT_EMPTY))
    .execute(conn)?;
    diesel::update(
        referrals::table
            .filter(referrals::family_id.eq(family_id))
            .filter(referrals::not_informed_reason.is_not_null()),
    )
    .set(referrals::not_informed_reason.eq(KEPT_EMPTY))
    .execute(conn)?;
    diesel::update(
        actions::table
            .filter(actions::family_id.eq(family_id))
            .filter(actions::result.is_not_null()),
    )
    .set(actions::result.eq(KEPT_EMPTY))
    .execute(conn)?;
    Ok(())
}

/// The director's choices of finer sharing (they name members and give reasons).
fn remove_sharing(conn: &mut DbConn, family_id: i64) -> QueryResult<Removed> {
    Ok(vec![
        (
            "portal_item_rules",
            diesel::delete(
                portal_item_rules::table.filter(portal_item_rules::family_id.eq(family_id)),
            )
            .execute(conn)?,
        ),
        (
            "portal_item_concerns",
            diesel::delete(
                portal_item_concerns::table.filter(portal_item_concerns::family_id.eq(family_id)),
            )
            .execute(conn)?,
        ),
        (
            "portal_not_by_default",
            diesel::delete(
                portal_not_by_default::table.filter(portal_not_by_default::family_id.eq(family_id)),
            )
            .execute(conn)?,
        ),
    ])
}
