//! The log of sending the besluitenlijst: one row per recipient per sending, with its outcome.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{export_sends, users};

pub struct NewSend<'a> {
    pub meeting_id: i64,
    pub user_id: i64,
    pub email: &'a str,
    pub mode: &'a str,
    /// None when the mail went out.
    pub error: Option<&'a str>,
    pub sent_by_user_id: i64,
    pub sent_at: NaiveDateTime,
}

pub fn record(conn: &mut DbConn, send: NewSend<'_>) -> QueryResult<()> {
    diesel::insert_into(export_sends::table)
        .values((
            export_sends::meeting_id.eq(send.meeting_id),
            export_sends::user_id.eq(send.user_id),
            export_sends::email.eq(send.email),
            export_sends::mode.eq(send.mode),
            export_sends::status.eq(if send.error.is_none() {
                "sent"
            } else {
                "failed"
            }),
            export_sends::error.eq(send.error),
            export_sends::sent_by_user_id.eq(send.sent_by_user_id),
            export_sends::sent_at.eq(send.sent_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A sending as the chair sees it.
#[derive(Clone, Debug)]
pub struct SendRow {
    pub name: String,
    pub email: String,
    pub mode: String,
    pub sent: bool,
    pub error: Option<String>,
    pub sent_at: NaiveDateTime,
}

/// Every sending of a meeting's besluitenlijst, newest first.
pub fn for_meeting(conn: &mut DbConn, meeting_id: i64) -> QueryResult<Vec<SendRow>> {
    let rows: Vec<(
        String,
        String,
        String,
        String,
        Option<String>,
        NaiveDateTime,
    )> = export_sends::table
        .inner_join(users::table.on(users::id.eq(export_sends::user_id)))
        .filter(export_sends::meeting_id.eq(meeting_id))
        .order(export_sends::id.desc())
        .select((
            users::name,
            export_sends::email,
            export_sends::mode,
            export_sends::status,
            export_sends::error,
            export_sends::sent_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(name, email, mode, status, error, sent_at)| SendRow {
            name,
            email,
            mode,
            sent: status == "sent",
            error,
            sent_at,
        })
        .collect())
}
