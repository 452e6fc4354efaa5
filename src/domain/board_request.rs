//! Requests to the Raad voor de Kinderbescherming to investigate (verzoek tot onderzoek): a table's
//! decision with the hand-off outcome of its kind makes one, owned by an organisation of the Raad kind
//! through an action with a due date. The request holds the question, the grounds, what was tried and
//! the family's view; the Raad answers it (started, or not started with the reason). The family sees a
//! plain notice in the portal unless the director recorded why not.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::coded_enum;
use super::family::FamilyStatus;
use super::organisation::OrganisationKind;
use crate::db::DbConn;
use crate::schema::{board_requests, families, organisations, partnership_organisations, users};

coded_enum!(
    /// The Raad's answer to a request.
    BoardAnswer, "board_answer", [Started => "started", NotStarted => "not_started"]
);

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = board_requests)]
pub struct BoardRequest {
    pub id: i64,
    pub family_id: i64,
    pub meeting_id: i64,
    pub agenda_item_id: i64,
    pub decision_id: i64,
    pub action_id: i64,
    /// The Raad's organisation that owns the request.
    pub organisation_id: i64,
    pub question: String,
    pub grounds: String,
    pub tried: String,
    pub family_view: String,
    pub due_on: NaiveDate,
    /// The family sees a notice in the portal; when false, `no_notice_reason` says why not.
    pub family_notice: bool,
    pub no_notice_reason: String,
    pub answer: Option<String>,
    pub answer_reason: String,
    pub answered_by_user_id: Option<i64>,
    pub answered_at: Option<NaiveDateTime>,
    pub created_by_user_id: i64,
    pub created_at: NaiveDateTime,
}

impl BoardRequest {
    pub fn answer(&self) -> Option<BoardAnswer> {
        self.answer.as_deref().and_then(BoardAnswer::from_code)
    }
}

/// What a decision form asks of the Raad, as checked.
#[derive(Clone, Debug)]
pub struct RequestDetails {
    pub question: String,
    pub grounds: String,
    pub tried: String,
    pub family_view: String,
    pub due_on: NaiveDate,
    /// The Raad professional whose organisation owns the request (the action's owner).
    pub owner_user_id: i64,
    /// None: the family sees the notice; Some(reason): the director's reason why not.
    pub no_notice_reason: Option<String>,
}

/// Where a request is made: the meeting, item, decision and action, the family and the Raad.
#[derive(Clone, Copy, Debug)]
pub struct Made {
    pub family_id: i64,
    pub meeting_id: i64,
    pub agenda_item_id: i64,
    pub decision_id: i64,
    pub action_id: i64,
    pub organisation_id: i64,
    pub created_by_user_id: i64,
}

pub fn insert(conn: &mut DbConn, made: Made, details: &RequestDetails) -> QueryResult<i64> {
    diesel::insert_into(board_requests::table)
        .values((
            board_requests::family_id.eq(made.family_id),
            board_requests::meeting_id.eq(made.meeting_id),
            board_requests::agenda_item_id.eq(made.agenda_item_id),
            board_requests::decision_id.eq(made.decision_id),
            board_requests::action_id.eq(made.action_id),
            board_requests::organisation_id.eq(made.organisation_id),
            board_requests::question.eq(&details.question),
            board_requests::grounds.eq(&details.grounds),
            board_requests::tried.eq(&details.tried),
            board_requests::family_view.eq(&details.family_view),
            board_requests::due_on.eq(details.due_on),
            board_requests::family_notice.eq(details.no_notice_reason.is_none()),
            board_requests::no_notice_reason
                .eq(details.no_notice_reason.clone().unwrap_or_default()),
            board_requests::created_by_user_id.eq(made.created_by_user_id),
            board_requests::created_at.eq(super::now()),
        ))
        .returning(board_requests::id)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<BoardRequest>> {
    board_requests::table
        .find(id)
        .select(BoardRequest::as_select())
        .first(conn)
        .optional()
}

/// A request `organisation_id` may read through the API: its own, while the family's record is open.
pub fn readable_by(
    conn: &mut DbConn,
    organisation_id: i64,
    id: i64,
) -> QueryResult<Option<BoardRequest>> {
    board_requests::table
        .inner_join(families::table.on(families::id.eq(board_requests::family_id)))
        .filter(board_requests::id.eq(id))
        .filter(board_requests::organisation_id.eq(organisation_id))
        .filter(families::status.ne(FamilyStatus::Closed.code()))
        .select(BoardRequest::as_select())
        .first(conn)
        .optional()
}

/// The request an action answers, if it is one.
pub fn of_action(conn: &mut DbConn, action_id: i64) -> QueryResult<Option<i64>> {
    board_requests::table
        .filter(board_requests::action_id.eq(action_id))
        .select(board_requests::id)
        .first(conn)
        .optional()
}

/// The family's requests, newest first.
pub fn of_family(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<BoardRequest>> {
    board_requests::table
        .filter(board_requests::family_id.eq(family_id))
        .order(board_requests::id.desc())
        .select(BoardRequest::as_select())
        .load(conn)
}

/// Records the Raad's answer; 0 when the request was answered already.
pub fn answer(
    conn: &mut DbConn,
    id: i64,
    answer: BoardAnswer,
    reason: &str,
    by_user_id: i64,
) -> QueryResult<usize> {
    diesel::update(
        board_requests::table
            .filter(board_requests::id.eq(id))
            .filter(board_requests::answer.is_null()),
    )
    .set((
        board_requests::answer.eq(answer.code()),
        board_requests::answer_reason.eq(reason),
        board_requests::answered_by_user_id.eq(by_user_id),
        board_requests::answered_at.eq(super::now()),
    ))
    .execute(conn)
}

/// The active professionals of an organisation of the Raad kind that takes part in the partnership:
/// who may own a request, as (user id, "name — organisation"), by name.
pub fn board_people(conn: &mut DbConn, partnership_id: i64) -> QueryResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, String, String)> = users::table
        .inner_join(
            organisations::table.on(organisations::id.nullable().eq(users::organisation_id)),
        )
        .filter(organisations::kind.eq(OrganisationKind::ChildProtectionBoard.code()))
        .filter(
            organisations::id.eq_any(
                partnership_organisations::table
                    .filter(partnership_organisations::partnership_id.eq(partnership_id))
                    .select(partnership_organisations::organisation_id),
            ),
        )
        .filter(users::active.eq(true))
        .filter(users::role.eq(super::user::Role::Professional.code()))
        .order(users::name.asc())
        .select((users::id, users::name, organisations::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, org)| (id, format!("{name} — {org}")))
        .collect())
}

/// The name of an organisation, for the pages.
pub fn organisation_name(conn: &mut DbConn, id: i64) -> QueryResult<String> {
    organisations::table
        .find(id)
        .select(organisations::name)
        .first(conn)
}
