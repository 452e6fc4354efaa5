//! Webhook subscriptions of partner organisations and their outbox.
//!
//! A subscription has a cursor into the event log. Filling the outbox takes the organisation's visible
//! events after the cursor (the same cut as the event feed), keeps those of the subscribed types, and
//! writes one delivery per event while moving the cursor, in one transaction: the outbox lives in the
//! database, so a restart loses nothing, and a cursor moved with a compare-and-set lets several
//! instances fill it without doubles. A delivery is claimed with a lease before it is sent, retried
//! with back-off until it is accepted (2xx) or gives up, and every attempt is logged.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::events::Event;
use crate::schema::{events, users, webhook_attempts, webhook_deliveries, webhook_subscriptions};

/// Secrets start with this, so a leaked one is recognisable.
pub const SECRET_PREFIX: &str = "whsec_";
/// Attempts before a delivery gives up (a replay starts again).
pub const MAX_ATTEMPTS: i32 = 10;
/// How long a claimed delivery is left to its sender before another may take it: well over the send
/// time-out, and one delivery is claimed at a time, right before it is sent.
pub const LEASE_SECONDS: i64 = 30;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct Subscription {
    pub id: i64,
    pub organisation_id: i64,
    pub url: String,
    pub types: String,
    pub secret: String,
    pub cursor: i64,
    pub created_by_user_id: i64,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

impl Subscription {
    /// The event types this subscription wants; empty means all.
    pub fn type_list(&self) -> Vec<&str> {
        self.types
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect()
    }

    pub fn wants(&self, cloud_type: &str) -> bool {
        let list = self.type_list();
        list.is_empty() || list.contains(&cloud_type)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: i64,
    pub subscription_id: i64,
    pub event_id: i64,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
pub struct Attempt {
    pub id: i64,
    pub delivery_id: i64,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// Makes a subscription that starts with the next event; returns (id, the secret to show once).
pub fn create(
    conn: &mut DbConn,
    organisation_id: i64,
    url: &str,
    types: &[String],
    by: i64,
) -> QueryResult<(i64, String)> {
    let secret = format!("{SECRET_PREFIX}{}", crate::auth::random_token());
    let cursor = crate::events::last_id(conn)?;
    let id = diesel::insert_into(webhook_subscriptions::table)
        .values((
            webhook_subscriptions::organisation_id.eq(organisation_id),
            webhook_subscriptions::url.eq(url),
            webhook_subscriptions::types.eq(types.join(",")),
            webhook_subscriptions::secret.eq(&secret),
            webhook_subscriptions::cursor.eq(cursor),
            webhook_subscriptions::created_by_user_id.eq(by),
            webhook_subscriptions::created_at.eq(super::now()),
        ))
        .returning(webhook_subscriptions::id)
        .get_result(conn)?;
    Ok((id, secret))
}

/// The organisation's subscriptions, newest first, with who made them.
pub fn list(conn: &mut DbConn, organisation_id: i64) -> QueryResult<Vec<(Subscription, String)>> {
    webhook_subscriptions::table
        .inner_join(users::table.on(users::id.eq(webhook_subscriptions::created_by_user_id)))
        .filter(webhook_subscriptions::organisation_id.eq(organisation_id))
        .order(webhook_subscriptions::id.desc())
        .select((Subscription::as_select(), users::name))
        .load(conn)
}

/// One subscription of this organisation.
pub fn find(conn: &mut DbConn, organisation_id: i64, id: i64) -> QueryResult<Option<Subscription>> {
    webhook_subscriptions::table
        .filter(webhook_subscriptions::id.eq(id))
        .filter(webhook_subscriptions::organisation_id.eq(organisation_id))
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

/// Ends a subscription; its pending deliveries are not sent any more. Returns the rows changed.
pub fn revoke(conn: &mut DbConn, organisation_id: i64, id: i64) -> QueryResult<usize> {
    diesel::update(
        webhook_subscriptions::table
            .filter(webhook_subscriptions::id.eq(id))
            .filter(webhook_subscriptions::organisation_id.eq(organisation_id))
            .filter(webhook_subscriptions::revoked_at.is_null()),
    )
    .set(webhook_subscriptions::revoked_at.eq(super::now()))
    .execute(conn)
}

/// The active subscriptions, for filling the outbox.
pub fn active(conn: &mut DbConn) -> QueryResult<Vec<Subscription>> {
    webhook_subscriptions::table
        .filter(webhook_subscriptions::revoked_at.is_null())
        .order(webhook_subscriptions::id.asc())
        .select(Subscription::as_select())
        .load(conn)
}

/// Moves the cursor from `from` to `to` and queues a delivery per event, if no one else moved it first.
/// Returns the number of deliveries queued, or None when another instance moved the cursor first.
pub fn enqueue(
    conn: &mut DbConn,
    subscription_id: i64,
    from: i64,
    to: i64,
    event_ids: &[i64],
) -> QueryResult<Option<usize>> {
    let moved = diesel::update(
        webhook_subscriptions::table
            .filter(webhook_subscriptions::id.eq(subscription_id))
            .filter(webhook_subscriptions::cursor.eq(from)),
    )
    .set(webhook_subscriptions::cursor.eq(to))
    .execute(conn)?;
    if moved == 0 {
        return Ok(None);
    }
    let now = super::now();
    for event_id in event_ids {
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::subscription_id.eq(subscription_id),
                webhook_deliveries::event_id.eq(event_id),
                webhook_deliveries::status.eq("pending"),
                webhook_deliveries::attempts.eq(0),
                webhook_deliveries::next_attempt_at.eq(now),
                webhook_deliveries::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(Some(event_ids.len()))
}

/// The outbox for `/metrics`: deliveries waiting to be sent (or sent again), and those given up.
pub fn outbox_counts(conn: &mut DbConn) -> QueryResult<(i64, i64)> {
    let count = |conn: &mut DbConn, status: &str| -> QueryResult<i64> {
        webhook_deliveries::table
            .filter(webhook_deliveries::status.eq(status))
            .count()
            .get_result(conn)
    };
    Ok((count(conn, "pending")?, count(conn, "failed")?))
}

/// Deliveries due now of active subscriptions, oldest first.
pub fn due(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Delivery>> {
    let active = webhook_subscriptions::table
        .filter(webhook_subscriptions::revoked_at.is_null())
        .select(webhook_subscriptions::id);
    webhook_deliveries::table
        .filter(webhook_deliveries::status.eq("pending"))
        .filter(webhook_deliveries::next_attempt_at.le(super::now()))
        .filter(webhook_deliveries::subscription_id.eq_any(active))
        .order((
            webhook_deliveries::next_attempt_at.asc(),
            webhook_deliveries::id.asc(),
        ))
        .limit(limit)
        .select(Delivery::as_select())
        .load(conn)
}

/// Claims a due delivery for one sender: pushes its next attempt a lease ahead, only if nobody else
/// changed it since it was read. The lease (the new `next_attempt_at`) when this sender has it.
pub fn claim(conn: &mut DbConn, delivery: &Delivery) -> QueryResult<Option<NaiveDateTime>> {
    let lease = super::now() + Duration::seconds(LEASE_SECONDS);
    let taken = diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(delivery.id))
            .filter(webhook_deliveries::status.eq("pending"))
            .filter(webhook_deliveries::next_attempt_at.eq(delivery.next_attempt_at))
            .filter(webhook_deliveries::attempts.eq(delivery.attempts)),
    )
    .set(webhook_deliveries::next_attempt_at.eq(lease))
    .execute(conn)?;
    Ok((taken == 1).then_some(lease))
}

/// What one attempt gave: the receiver's status code, or the error before there was one.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
    /// Not worth trying again (the organisation may no longer see the event).
    pub final_failure: bool,
}

impl Outcome {
    pub fn accepted(&self) -> bool {
        self.status_code.is_some_and(|c| (200..300).contains(&c))
    }
}

/// The wait before attempt `attempts + 1`: `base` doubled per failed attempt, at most six hours.
pub fn back_off(base_seconds: u64, attempts: i32) -> Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    let seconds = base_seconds.saturating_mul(1u64 << doublings).min(6 * 3600);
    Duration::seconds(seconds as i64)
}

/// Logs an attempt and moves the delivery on: delivered, retried later, or given up. The delivery only
/// moves while this sender still holds its lease (`lease`), so a late sender never overwrites a newer
/// result. The attempt is logged either way: it happened.
pub fn record_attempt(
    conn: &mut DbConn,
    delivery: &Delivery,
    lease: NaiveDateTime,
    outcome: &Outcome,
    base_seconds: u64,
) -> QueryResult<()> {
    let now = super::now();
    diesel::insert_into(webhook_attempts::table)
        .values((
            webhook_attempts::delivery_id.eq(delivery.id),
            webhook_attempts::attempted_at.eq(now),
            webhook_attempts::status_code.eq(outcome.status_code),
            webhook_attempts::error.eq(outcome.error.as_deref()),
            webhook_attempts::duration_ms.eq(outcome.duration_ms),
        ))
        .execute(conn)?;
    let attempts = delivery.attempts + 1;
    let target = webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(delivery.id))
        .filter(webhook_deliveries::status.eq("pending"))
        .filter(webhook_deliveries::next_attempt_at.eq(lease));
    if outcome.accepted() {
        diesel::update(target)
            .set((
                webhook_deliveries::status.eq("delivered"),
                webhook_deliveries::attempts.eq(attempts),
                webhook_deliveries::delivered_at.eq(Some(now)),
            ))
            .execute(conn)?;
    } else if attempts >= MAX_ATTEMPTS || outcome.final_failure {
        diesel::update(target)
            .set((
                webhook_deliveries::status.eq("failed"),
                webhook_deliveries::attempts.eq(attempts),
            ))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set((
                webhook_deliveries::attempts.eq(attempts),
                webhook_deliveries::next_attempt_at.eq(now + back_off(base_seconds, attempts)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Sends a delivery again at once (an admin's "Opnieuw versturen"). The attempt count goes on from the
/// earlier attempts, so the partner's `Samenspel-Attempt` header and the log keep one numbering; a
/// failed resend of a delivery whose attempts were used up fails again without automatic retries (the
/// admin can send it once more). The earlier attempts stay logged.
pub fn replay(conn: &mut DbConn, subscription_id: i64, delivery_id: i64) -> QueryResult<usize> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(delivery_id))
            .filter(webhook_deliveries::subscription_id.eq(subscription_id)),
    )
    .set((
        webhook_deliveries::status.eq("pending"),
        webhook_deliveries::next_attempt_at.eq(super::now()),
        webhook_deliveries::delivered_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// A delivery with its event's kind and its attempts, for the delivery log.
#[derive(Clone, Debug)]
pub struct LogEntry {
    pub delivery: Delivery,
    pub event_kind: String,
    pub attempts: Vec<Attempt>,
}

/// The newest deliveries of a subscription with every attempt.
pub fn log(conn: &mut DbConn, subscription_id: i64, limit: i64) -> QueryResult<Vec<LogEntry>> {
    let rows: Vec<(Delivery, String)> = webhook_deliveries::table
        .inner_join(events::table.on(events::id.eq(webhook_deliveries::event_id)))
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select((Delivery::as_select(), events::kind))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|(d, _)| d.id).collect();
    let mut attempts: Vec<Attempt> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(&ids))
        .order(webhook_attempts::id.asc())
        .select(Attempt::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(delivery, event_kind)| {
            let mine = attempts
                .extract_if(.., |a| a.delivery_id == delivery.id)
                .collect();
            LogEntry {
                delivery,
                event_kind,
                attempts: mine,
            }
        })
        .collect())
}

/// The event of a delivery.
pub fn event_of(conn: &mut DbConn, delivery: &Delivery) -> QueryResult<Event> {
    events::table
        .find(delivery.event_id)
        .select(Event::as_select())
        .first(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_and_stops_at_six_hours() {
        assert_eq!(back_off(30, 1), Duration::seconds(30));
        assert_eq!(back_off(30, 2), Duration::seconds(60));
        assert_eq!(back_off(30, 4), Duration::seconds(240));
        assert_eq!(back_off(30, 30), Duration::seconds(6 * 3600));
    }
}
