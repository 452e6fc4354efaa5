//! Meetings (bijeenkomsten) of a table: planning, the shared agenda, who is invited to what, attendance,
//! and the meeting's course from planned through running to closed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

pub mod minutes;
pub mod place;
mod prepared;
pub mod reads;
mod state;

pub use state::{MeetingAction, MeetingState, next_open_item, not_recordable, state_allows};

use super::coded_enum;
use crate::db::DbConn;
use crate::schema::{
    agenda_items, attendance, item_invitees, meetings, organisations, table_members, users,
};

coded_enum!(MeetingStatus, "meeting_status", [Planned => "planned", Running => "running", Closed => "closed"]);
coded_enum!(ItemKind, "item_kind", [Family => "family", Topic => "topic", ActionReview => "action_review"]);
coded_enum!(
    AttendanceStatus, "attendance", [
        Invited => "invited",
        Present => "present",
        AbsentWithNotice => "absent_notice",
        Absent => "absent",
    ]
);
coded_enum!(AttendanceMode, "attendance_mode", [InPerson => "in_person", Online => "online"]);

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = meetings)]
pub struct Meeting {
    pub id: i64,
    pub table_id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub place: String,
    pub online_link: String,
    pub status: String,
    pub agenda_published_at: Option<NaiveDateTime>,
    pub current_item_id: Option<i64>,
    pub started_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub closing_hash: Option<String>,
    pub created_at: NaiveDateTime,
    pub current_item_started_at: Option<NaiveDateTime>,
}

impl Meeting {
    pub fn status(&self) -> MeetingStatus {
        MeetingStatus::from_code(&self.status).unwrap_or(MeetingStatus::Planned)
    }
    pub fn is_closed(&self) -> bool {
        self.status() == MeetingStatus::Closed
    }
    pub fn is_running(&self) -> bool {
        self.status() == MeetingStatus::Running
    }
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = agenda_items)]
pub struct AgendaItem {
    pub id: i64,
    pub meeting_id: i64,
    pub position: i32,
    pub kind: String,
    pub family_id: Option<i64>,
    pub referral_id: Option<i64>,
    pub title: String,
    pub time_box_minutes: i32,
    pub status: String,
    pub minutes: String,
    pub proposed_by_user_id: i64,
    pub created_at: NaiveDateTime,
    /// When the retention run erased its minutes.
    pub erased_at: Option<NaiveDateTime>,
}

impl AgendaItem {
    pub fn kind(&self) -> ItemKind {
        ItemKind::from_code(&self.kind).unwrap_or(ItemKind::Topic)
    }
    pub fn is_closed(&self) -> bool {
        self.status == "closed"
    }
}

#[derive(Insertable)]
#[diesel(table_name = meetings)]
struct NewMeetingRow<'a> {
    table_id: i64,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    place: &'a str,
    online_link: &'a str,
    status: &'a str,
    created_at: NaiveDateTime,
}

/// A meeting as planned, times in UTC.
#[derive(Clone, Debug)]
pub struct MeetingPlan {
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub place: String,
    pub online_link: String,
}

/// Plans a meeting: the standing members are invited, and the review of open actions of earlier
/// meetings is its first item.
pub fn create(
    conn: &mut DbConn,
    table_id: i64,
    plan: &MeetingPlan,
    by_user: i64,
) -> QueryResult<Meeting> {
    let meeting: Meeting = diesel::insert_into(meetings::table)
        .values(NewMeetingRow {
            table_id,
            starts_at: plan.starts_at,
            ends_at: plan.ends_at,
            place: &plan.place,
            online_link: &plan.online_link,
            status: MeetingStatus::Planned.code(),
            created_at: super::now(),
        })
        .returning(meetings::all_columns)
        .get_result(conn)?;
    add_item(
        conn,
        meeting.id,
        ItemKind::ActionReview,
        None,
        None,
        "",
        10,
        by_user,
    )?;
    let members: Vec<i64> = table_members::table
        .filter(table_members::table_id.eq(table_id))
        .select(table_members::user_id)
        .distinct()
        .load(conn)?;
    for user_id in members {
        invite(conn, meeting.id, user_id)?;
    }
    Ok(meeting)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Meeting>> {
    meetings::table
        .find(id)
        .select(Meeting::as_select())
        .first(conn)
        .optional()
}

pub fn for_table(conn: &mut DbConn, table_id: i64) -> QueryResult<Vec<Meeting>> {
    meetings::table
        .filter(meetings::table_id.eq(table_id))
        .order(meetings::starts_at.desc())
        .select(Meeting::as_select())
        .load(conn)
}

/// Meetings a user takes part in (table member or invited for an item), from `since` on, soonest first.
/// The meetings a user is on the attendance list of that are not closed, earliest first; with `since`,
/// only those ending after it or running. Without it, every meeting until it is closed, however long it
/// runs over or however long ago it was planned (the chair still has to close it).
pub fn upcoming_for_user(
    conn: &mut DbConn,
    user_id: i64,
    since: Option<NaiveDateTime>,
) -> QueryResult<Vec<Meeting>> {
    let invited = attendance::table
        .filter(attendance::user_id.eq(user_id))
        .select(attendance::meeting_id);
    let mut query = meetings::table
        .filter(meetings::id.eq_any(invited))
        .filter(meetings::status.ne(MeetingStatus::Closed.code()))
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(
            meetings::ends_at
                .ge(since)
                .or(meetings::status.eq(MeetingStatus::Running.code())),
        );
    }
    query
        .order(meetings::starts_at.asc())
        .select(Meeting::as_select())
        .load(conn)
}

/// Starts a meeting; with `first`, that item is current from the start (one statement, not two: fifty
/// chairs starting their meetings at once write one after the other on the group-commit connection).
pub fn start(conn: &mut DbConn, id: i64, first: Option<i64>) -> QueryResult<()> {
    let now = super::now();
    let status = MeetingStatus::Running.code();
    if let DbConn::Postgres(pg) = conn {
        prepared::SetStarted {
            id,
            status,
            at: now,
            item: first,
        }
        .execute(pg)?;
        return Ok(());
    }
    let target = meetings::table.find(id);
    let started = (meetings::status.eq(status), meetings::started_at.eq(now));
    match first {
        Some(item) => diesel::update(target)
            .set((
                started,
                meetings::current_item_id.eq(item),
                meetings::current_item_started_at.eq(now),
            ))
            .execute(conn)?,
        None => diesel::update(target).set(started).execute(conn)?,
    };
    Ok(())
}

/// Sets a meeting's status: running (`start`), closed (no item current any more) or back to planned.
pub fn set_status(conn: &mut DbConn, id: i64, status: MeetingStatus) -> QueryResult<()> {
    let target = meetings::table.find(id);
    match status {
        MeetingStatus::Running => return start(conn, id, None),
        MeetingStatus::Closed => diesel::update(target)
            .set((
                meetings::status.eq(status.code()),
                meetings::closed_at.eq(super::now()),
                meetings::current_item_id.eq(None::<i64>),
                meetings::current_item_started_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
        MeetingStatus::Planned => diesel::update(target)
            .set(meetings::status.eq(status.code()))
            .execute(conn)?,
    };
    Ok(())
}

pub fn set_closing_hash(conn: &mut DbConn, id: i64, hash: &str) -> QueryResult<()> {
    diesel::update(meetings::table.find(id))
        .set(meetings::closing_hash.eq(hash))
        .execute(conn)?;
    Ok(())
}

pub fn publish_agenda(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(meetings::table.find(id))
        .set(meetings::agenda_published_at.eq(super::now()))
        .execute(conn)?;
    Ok(())
}

/// Makes an item current (or none); the countdown of its time box starts now.
pub fn set_current_item(conn: &mut DbConn, id: i64, item: Option<i64>) -> QueryResult<()> {
    let started = item.map(|_| super::now());
    if let DbConn::Postgres(pg) = conn {
        prepared::SetCurrentItem { id, item, started }.execute(pg)?;
        return Ok(());
    }
    diesel::update(meetings::table.find(id))
        .set((
            meetings::current_item_id.eq(item),
            meetings::current_item_started_at.eq(started),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = agenda_items)]
struct NewItemRow<'a> {
    meeting_id: i64,
    position: i32,
    kind: &'a str,
    family_id: Option<i64>,
    referral_id: Option<i64>,
    title: &'a str,
    time_box_minutes: i32,
    status: &'a str,
    minutes: &'a str,
    proposed_by_user_id: i64,
    created_at: NaiveDateTime,
}

/// Adds an item at the end of the agenda.
#[allow(clippy::too_many_arguments)]
pub fn add_item(
    conn: &mut DbConn,
    meeting_id: i64,
    kind: ItemKind,
    family_id: Option<i64>,
    referral_id: Option<i64>,
    title: &str,
    time_box_minutes: i32,
    by_user: i64,
) -> QueryResult<AgendaItem> {
    let last: Option<i32> = agenda_items::table
        .filter(agenda_items::meeting_id.eq(meeting_id))
        .select(diesel::dsl::max(agenda_items::position))
        .first(conn)?;
    diesel::insert_into(agenda_items::table)
        .values(NewItemRow {
            meeting_id,
            position: last.map_or(0, |p| p + 1),
            kind: kind.code(),
            family_id,
            referral_id,
            title,
            time_box_minutes,
            status: "open",
            minutes: "",
            proposed_by_user_id: by_user,
            created_at: super::now(),
        })
        .returning(agenda_items::all_columns)
        .get_result(conn)
}

pub fn items(conn: &mut DbConn, meeting_id: i64) -> QueryResult<Vec<AgendaItem>> {
    agenda_items::table
        .filter(agenda_items::meeting_id.eq(meeting_id))
        .order((agenda_items::position.asc(), agenda_items::id.asc()))
        .select(AgendaItem::as_select())
        .load(conn)
}

pub fn find_item(
    conn: &mut DbConn,
    meeting_id: i64,
    item_id: i64,
) -> QueryResult<Option<AgendaItem>> {
    agenda_items::table
        .filter(agenda_items::meeting_id.eq(meeting_id))
        .filter(agenda_items::id.eq(item_id))
        .select(AgendaItem::as_select())
        .first(conn)
        .optional()
}

/// Swaps an item with its neighbour above (`up`) or below. The review of open actions stays first.
pub fn move_item(conn: &mut DbConn, meeting_id: i64, item_id: i64, up: bool) -> QueryResult<bool> {
    let list = items(conn, meeting_id)?;
    let Some(index) = list.iter().position(|i| i.id == item_id) else {
        return Ok(false);
    };
    let other = if up {
        index.checked_sub(1)
    } else {
        Some(index + 1).filter(|i| *i < list.len())
    };
    let Some(other) = other else {
        return Ok(false);
    };
    if list[index].kind() == ItemKind::ActionReview || list[other].kind() == ItemKind::ActionReview
    {
        return Ok(false);
    }
    // Positions are renumbered from the list order, so gaps and duplicates mend themselves.
    let mut order: Vec<i64> = list.iter().map(|i| i.id).collect();
    order.swap(index, other);
    for (position, id) in order.iter().enumerate() {
        diesel::update(agenda_items::table.find(id))
            .set(agenda_items::position.eq(position as i32))
            .execute(conn)?;
    }
    Ok(true)
}

pub fn set_time_box(conn: &mut DbConn, item_id: i64, minutes: i32) -> QueryResult<()> {
    diesel::update(agenda_items::table.find(item_id))
        .set(agenda_items::time_box_minutes.eq(minutes))
        .execute(conn)?;
    Ok(())
}

/// Replaces an item's minutes, but only while they still read `expected` (what the writer's save was
/// checked against): false when someone else's save came first, which then stays.
pub fn set_minutes(
    conn: &mut DbConn,
    item_id: i64,
    expected: &str,
    minutes: &str,
) -> QueryResult<bool> {
    let changed = diesel::update(
        agenda_items::table
            .find(item_id)
            .filter(agenda_items::minutes.eq(expected)),
    )
    .set(agenda_items::minutes.eq(minutes))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn close_item(conn: &mut DbConn, item_id: i64) -> QueryResult<()> {
    diesel::update(agenda_items::table.find(item_id))
        .set(agenda_items::status.eq("closed"))
        .execute(conn)?;
    Ok(())
}

pub fn reopen_item(conn: &mut DbConn, item_id: i64) -> QueryResult<()> {
    diesel::update(agenda_items::table.find(item_id))
        .set(agenda_items::status.eq("open"))
        .execute(conn)?;
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = attendance)]
struct NewAttendance<'a> {
    meeting_id: i64,
    user_id: i64,
    status: &'a str,
}

/// Puts a user on the meeting's attendance list (as invited), once.
pub fn invite(conn: &mut DbConn, meeting_id: i64, user_id: i64) -> QueryResult<()> {
    let exists = diesel::select(diesel::dsl::exists(
        attendance::table
            .filter(attendance::meeting_id.eq(meeting_id))
            .filter(attendance::user_id.eq(user_id)),
    ))
    .get_result::<bool>(conn)?;
    if !exists {
        diesel::insert_into(attendance::table)
            .values(NewAttendance {
                meeting_id,
                user_id,
                status: AttendanceStatus::Invited.code(),
            })
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = item_invitees)]
struct NewInvitee<'a> {
    agenda_item_id: i64,
    user_id: i64,
    outside_reason: Option<&'a str>,
}

/// Invites a user for one item only (and so to the meeting); someone from outside the table's
/// partnership with the written reason (`outside_reason`).
pub fn invite_for_item(
    conn: &mut DbConn,
    meeting_id: i64,
    item_id: i64,
    user_id: i64,
    outside_reason: Option<&str>,
) -> QueryResult<()> {
    let exists = diesel::select(diesel::dsl::exists(
        item_invitees::table
            .filter(item_invitees::agenda_item_id.eq(item_id))
            .filter(item_invitees::user_id.eq(user_id)),
    ))
    .get_result::<bool>(conn)?;
    if !exists {
        diesel::insert_into(item_invitees::table)
            .values(NewInvitee {
                agenda_item_id: item_id,
                user_id,
                outside_reason,
            })
            .execute(conn)?;
    }
    invite(conn, meeting_id, user_id)
}

/// Invites the people invited for item `from` for item `to` of meeting `meeting_id` as well, each with
/// the reason they had (an item moved to a next meeting).
pub fn copy_invitees(conn: &mut DbConn, from: i64, meeting_id: i64, to: i64) -> QueryResult<()> {
    let invited: Vec<(i64, Option<String>)> = item_invitees::table
        .filter(item_invitees::agenda_item_id.eq(from))
        .select((item_invitees::user_id, item_invitees::outside_reason))
        .load(conn)?;
    for (user_id, reason) in invited {
        invite_for_item(conn, meeting_id, to, user_id, reason.as_deref())?;
    }
    Ok(())
}

/// Takes back one invitation for an item. Whoever has no other reason to be at the meeting (no other
/// item, no seat at the table) and is not yet marked present or absent leaves its attendance list too,
/// so the meeting is closed to them as well. False when there was no such invitation.
pub fn withdraw_from_item(
    conn: &mut DbConn,
    meeting_id: i64,
    item_id: i64,
    user_id: i64,
) -> QueryResult<bool> {
    let removed = diesel::delete(
        item_invitees::table
            .filter(item_invitees::agenda_item_id.eq(item_id))
            .filter(item_invitees::user_id.eq(user_id)),
    )
    .execute(conn)?;
    if removed == 0 {
        return Ok(false);
    }
    let other_items = diesel::select(diesel::dsl::exists(
        item_invitees::table
            .inner_join(agenda_items::table)
            .filter(agenda_items::meeting_id.eq(meeting_id))
            .filter(item_invitees::user_id.eq(user_id)),
    ))
    .get_result::<bool>(conn)?;
    let seated = diesel::select(diesel::dsl::exists(
        table_members::table
            .inner_join(meetings::table.on(meetings::table_id.eq(table_members::table_id)))
            .filter(meetings::id.eq(meeting_id))
            .filter(table_members::user_id.eq(user_id)),
    ))
    .get_result::<bool>(conn)?;
    if !other_items && !seated {
        diesel::delete(
            attendance::table
                .filter(attendance::meeting_id.eq(meeting_id))
                .filter(attendance::user_id.eq(user_id))
                .filter(attendance::status.eq(AttendanceStatus::Invited.code())),
        )
        .execute(conn)?;
    }
    Ok(true)
}

/// (item id, user id, name) of everyone invited for single items of a meeting.
pub fn item_invitees(conn: &mut DbConn, meeting_id: i64) -> QueryResult<Vec<(i64, i64, String)>> {
    Ok(invitees_of(conn, &[meeting_id])?
        .into_iter()
        .map(|(_, item, user, name)| (item, user, name))
        .collect())
}

/// Who is invited for which item of `meeting_ids`: (meeting, item, user, the user's name), by name.
pub fn invitees_of(
    conn: &mut DbConn,
    meeting_ids: &[i64],
) -> QueryResult<Vec<(i64, i64, i64, String)>> {
    item_invitees::table
        .inner_join(agenda_items::table)
        .inner_join(users::table.on(users::id.eq(item_invitees::user_id)))
        .filter(agenda_items::meeting_id.eq_any(meeting_ids))
        .order(users::name.asc())
        .select((
            agenda_items::meeting_id,
            item_invitees::agenda_item_id,
            item_invitees::user_id,
            users::name,
        ))
        .load(conn)
}

#[derive(Clone, Debug)]
pub struct AttendanceRow {
    pub user_id: i64,
    pub name: String,
    pub organisation_name: Option<String>,
    pub status: AttendanceStatus,
    pub mode: Option<AttendanceMode>,
}

impl AttendanceRow {
    pub fn has_mode(&self, code: &str) -> bool {
        self.mode.is_some_and(|m| m.code() == code)
    }
}

pub fn attendance_list(conn: &mut DbConn, meeting_id: i64) -> QueryResult<Vec<AttendanceRow>> {
    type Row = (i64, String, Option<String>, String, Option<String>);
    let rows: Vec<Row> = attendance::table
        .inner_join(users::table.on(users::id.eq(attendance::user_id)))
        .left_join(organisations::table.on(organisations::id.nullable().eq(users::organisation_id)))
        .filter(attendance::meeting_id.eq(meeting_id))
        .order((organisations::name.asc(), users::name.asc()))
        .select((
            users::id,
            users::name,
            organisations::name.nullable(),
            attendance::status,
            attendance::mode,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, name, organisation_name, status, mode)| AttendanceRow {
                user_id,
                name,
                organisation_name,
                status: AttendanceStatus::from_code(&status).unwrap_or(AttendanceStatus::Invited),
                mode: mode.as_deref().and_then(AttendanceMode::from_code),
            },
        )
        .collect())
}

/// Marks everyone on the attendance list still "invited" as present; how many.
pub fn mark_invited_present(conn: &mut DbConn, meeting_id: i64) -> QueryResult<usize> {
    diesel::update(
        attendance::table
            .filter(attendance::meeting_id.eq(meeting_id))
            .filter(attendance::status.eq(AttendanceStatus::Invited.code())),
    )
    .set(attendance::status.eq(AttendanceStatus::Present.code()))
    .execute(conn)
}

pub fn set_attendance(
    conn: &mut DbConn,
    meeting_id: i64,
    user_id: i64,
    status: AttendanceStatus,
    mode: Option<AttendanceMode>,
) -> QueryResult<usize> {
    diesel::update(
        attendance::table
            .filter(attendance::meeting_id.eq(meeting_id))
            .filter(attendance::user_id.eq(user_id)),
    )
    .set((
        attendance::status.eq(status.code()),
        attendance::mode.eq(mode.map(|m| m.code())),
    ))
    .execute(conn)
}

pub fn is_participant(conn: &mut DbConn, meeting_id: i64, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        attendance::table
            .filter(attendance::meeting_id.eq(meeting_id))
            .filter(attendance::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// Meetings (with the table's access window in days) where `user_id` was invited to discuss `family_id`:
/// for an item of that family, or as chair or minute-taker of the table. Only published agendas count.
pub fn family_invitations(
    conn: &mut DbConn,
    family_id: i64,
    user_id: i64,
) -> QueryResult<Vec<(NaiveDateTime, NaiveDateTime, i32)>> {
    use crate::schema::consultation_tables;
    let for_item = item_invitees::table
        .filter(item_invitees::user_id.eq(user_id))
        .select(item_invitees::agenda_item_id);
    let leading = table_members::table
        .filter(table_members::user_id.eq(user_id))
        .filter(table_members::role.eq_any(["chair", "minute_taker"]))
        .select(table_members::table_id);
    agenda_items::table
        .inner_join(meetings::table)
        .inner_join(consultation_tables::table.on(consultation_tables::id.eq(meetings::table_id)))
        .filter(agenda_items::family_id.eq(family_id))
        .filter(
            agenda_items::id
                .eq_any(for_item)
                .or(meetings::table_id.eq_any(leading)),
        )
        .filter(meetings::agenda_published_at.is_not_null())
        .select((
            meetings::agenda_published_at.assume_not_null(),
            meetings::ends_at,
            consultation_tables::access_days,
        ))
        .load(conn)
}

/// For each family, its next meeting that is not closed and has not ended: (starts_at, table name).
pub fn next_for_families(
    conn: &mut DbConn,
    family_ids: &[i64],
    now: NaiveDateTime,
) -> QueryResult<std::collections::HashMap<i64, (NaiveDateTime, String)>> {
    use crate::schema::consultation_tables;
    let rows: Vec<(Option<i64>, NaiveDateTime, String)> = agenda_items::table
        .inner_join(meetings::table)
        .inner_join(consultation_tables::table.on(consultation_tables::id.eq(meetings::table_id)))
        .filter(agenda_items::family_id.eq_any(family_ids))
        .filter(meetings::status.ne(MeetingStatus::Closed.code()))
        // A meeting that runs over is still the next one until it is closed.
        .filter(
            meetings::ends_at
                .ge(now)
                .or(meetings::status.eq(MeetingStatus::Running.code())),
        )
        .order(meetings::starts_at.asc())
        .select((
            agenda_items::family_id,
            meetings::starts_at,
            consultation_tables::name,
        ))
        .load(conn)?;
    let mut next = std::collections::HashMap::new();
    for (family, starts, table) in rows {
        if let Some(f) = family {
            next.entry(f).or_insert((starts, table));
        }
    }
    Ok(next)
}
