//! Decisions (besluiten) and actions (acties) taken at a meeting. A decision is never changed: a
//! correction is a new decision that supersedes it. Open actions come back on the next agenda.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::coded_enum;
use crate::db::DbConn;
use crate::schema::{
    actions, decisions, directorships, families, meetings, organisations, table_members, users,
};

coded_enum!(FamilyView, "family_view", [Agrees => "agrees", Disagrees => "disagrees", NotHeard => "not_heard"]);
coded_enum!(ActionStatus, "action_status", [Open => "open", Done => "done", Cancelled => "cancelled"]);

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = decisions)]
pub struct Decision {
    pub id: i64,
    pub meeting_id: i64,
    pub agenda_item_id: i64,
    pub family_id: Option<i64>,
    pub outcome: String,
    pub text: String,
    pub rationale: String,
    pub family_view: String,
    pub family_words: String,
    pub supersedes_id: Option<i64>,
    pub refer_to_table_id: Option<i64>,
    pub new_director_user_id: Option<i64>,
    pub created_by_user_id: i64,
    pub created_at: NaiveDateTime,
    /// When the retention run erased its texts.
    pub erased_at: Option<NaiveDateTime>,
}

impl Decision {
    pub fn family_view(&self) -> FamilyView {
        FamilyView::from_code(&self.family_view).unwrap_or(FamilyView::NotHeard)
    }
}

/// A decision as recorded, checked.
#[derive(Clone, Debug)]
pub struct DecisionDetails {
    pub outcome: String,
    pub text: String,
    pub rationale: String,
    pub family_view: FamilyView,
    pub family_words: String,
    pub refer_to_table_id: Option<i64>,
    pub new_director_user_id: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = decisions)]
struct NewDecisionRow<'a> {
    meeting_id: i64,
    agenda_item_id: i64,
    family_id: Option<i64>,
    outcome: &'a str,
    text: &'a str,
    rationale: &'a str,
    family_view: &'a str,
    family_words: &'a str,
    supersedes_id: Option<i64>,
    refer_to_table_id: Option<i64>,
    new_director_user_id: Option<i64>,
    created_by_user_id: i64,
    created_at: NaiveDateTime,
}

pub fn create(
    conn: &mut DbConn,
    meeting_id: i64,
    item_id: i64,
    family_id: Option<i64>,
    d: &DecisionDetails,
    supersedes: Option<i64>,
    by_user: i64,
) -> QueryResult<Decision> {
    diesel::insert_into(decisions::table)
        .values(NewDecisionRow {
            meeting_id,
            agenda_item_id: item_id,
            family_id,
            outcome: &d.outcome,
            text: &d.text,
            rationale: &d.rationale,
            family_view: d.family_view.code(),
            family_words: &d.family_words,
            supersedes_id: supersedes,
            refer_to_table_id: d.refer_to_table_id,
            new_director_user_id: d.new_director_user_id,
            created_by_user_id: by_user,
            created_at: super::now(),
        })
        .returning(decisions::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Decision>> {
    decisions::table
        .find(id)
        .select(Decision::as_select())
        .first(conn)
        .optional()
}

pub fn for_meeting(conn: &mut DbConn, meeting_id: i64) -> QueryResult<Vec<Decision>> {
    decisions::table
        .filter(decisions::meeting_id.eq(meeting_id))
        .order(decisions::id.asc())
        .select(Decision::as_select())
        .load(conn)
}

/// The decision that supersedes `id`, if any.
pub fn superseded_by(conn: &mut DbConn, id: i64) -> QueryResult<Option<Decision>> {
    decisions::table
        .filter(decisions::supersedes_id.eq(id))
        .select(Decision::as_select())
        .first(conn)
        .optional()
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = actions)]
pub struct Action {
    pub id: i64,
    pub meeting_id: i64,
    pub agenda_item_id: i64,
    pub decision_id: Option<i64>,
    pub family_id: Option<i64>,
    pub description: String,
    pub owner_user_id: i64,
    pub owner_organisation_id: i64,
    pub due_on: NaiveDate,
    pub condition: String,
    pub family_informed_how: String,
    pub status: String,
    pub result: Option<String>,
    pub created_by_user_id: i64,
    pub created_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
}

impl Action {
    pub fn status(&self) -> ActionStatus {
        ActionStatus::from_code(&self.status).unwrap_or(ActionStatus::Open)
    }
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status() == ActionStatus::Open && self.due_on < today
    }
}

#[derive(Clone, Debug)]
pub struct ActionDetails {
    pub description: String,
    pub owner_user_id: i64,
    pub owner_organisation_id: i64,
    pub due_on: NaiveDate,
    pub condition: String,
    pub family_informed_how: String,
}

#[derive(Insertable)]
#[diesel(table_name = actions)]
struct NewActionRow<'a> {
    meeting_id: i64,
    agenda_item_id: i64,
    decision_id: Option<i64>,
    family_id: Option<i64>,
    description: &'a str,
    owner_user_id: i64,
    owner_organisation_id: i64,
    due_on: NaiveDate,
    condition: &'a str,
    family_informed_how: &'a str,
    status: &'a str,
    created_by_user_id: i64,
    created_at: NaiveDateTime,
}

pub fn create_action(
    conn: &mut DbConn,
    meeting_id: i64,
    item_id: i64,
    decision_id: Option<i64>,
    family_id: Option<i64>,
    d: &ActionDetails,
    by_user: i64,
) -> QueryResult<Action> {
    diesel::insert_into(actions::table)
        .values(NewActionRow {
            meeting_id,
            agenda_item_id: item_id,
            decision_id,
            family_id,
            description: &d.description,
            owner_user_id: d.owner_user_id,
            owner_organisation_id: d.owner_organisation_id,
            due_on: d.due_on,
            condition: &d.condition,
            family_informed_how: &d.family_informed_how,
            status: ActionStatus::Open.code(),
            created_by_user_id: by_user,
            created_at: super::now(),
        })
        .returning(actions::all_columns)
        .get_result(conn)
}

pub fn find_action(conn: &mut DbConn, id: i64) -> QueryResult<Option<Action>> {
    actions::table
        .find(id)
        .select(Action::as_select())
        .first(conn)
        .optional()
}

/// The action `id` while it is open: what a change to an open action updates.
fn open_action(
    id: i64,
) -> diesel::dsl::Filter<
    diesel::dsl::Find<actions::table, i64>,
    diesel::dsl::Eq<actions::status, &'static str>,
> {
    actions::table
        .find(id)
        .filter(actions::status.eq(ActionStatus::Open.code()))
}

/// Marks an open action done (with its result) or cancelled (with the reason).
pub fn finish_action(
    conn: &mut DbConn,
    id: i64,
    status: ActionStatus,
    result: &str,
) -> QueryResult<usize> {
    diesel::update(open_action(id))
        .set((
            actions::status.eq(status.code()),
            actions::result.eq(result),
            actions::completed_at.eq(super::now()),
        ))
        .execute(conn)
}

/// Gives an open action to a new owner (of `organisation_id`); 0 when it was not open any more.
pub fn reassign_action(
    conn: &mut DbConn,
    id: i64,
    owner_user_id: i64,
    owner_organisation_id: i64,
) -> QueryResult<usize> {
    diesel::update(open_action(id))
        .set((
            actions::owner_user_id.eq(owner_user_id),
            actions::owner_organisation_id.eq(owner_organisation_id),
        ))
        .execute(conn)
}

/// An action with the names to show.
#[derive(Clone, Debug)]
pub struct ActionRow {
    pub action: Action,
    pub owner_name: String,
    pub organisation_name: String,
    pub family: Option<(String, String)>,
}

impl ActionRow {
    /// "Gezin J., 2026-0042" for someone who may not see the family.
    pub fn family_pseudonym(&self) -> Option<String> {
        self.family
            .as_ref()
            .map(|(name, case)| super::family::pseudonym_of(name, case))
    }
}

enum ActionFilter {
    OpenForOwner(i64),
    /// Done or cancelled actions of an owner.
    FinishedForOwner(i64),
    OpenForTable(i64),
    /// Open actions whose owner's account is switched off, at the tables the user chairs or in the
    /// families the user directs.
    LeftBehind(i64),
    Meeting(i64),
    /// One action of a meeting: (meeting, action).
    OfMeeting(i64, i64),
    Family(i64),
    /// Open actions of the table's meetings before the given one.
    OpenBefore {
        table_id: i64,
        meeting_id: i64,
        starts_at: NaiveDateTime,
    },
}

fn action_rows(conn: &mut DbConn, filter: ActionFilter) -> QueryResult<Vec<ActionRow>> {
    let mut query = actions::table
        .inner_join(users::table.on(users::id.eq(actions::owner_user_id)))
        .inner_join(organisations::table.on(organisations::id.eq(actions::owner_organisation_id)))
        .left_join(families::table.on(families::id.nullable().eq(actions::family_id)))
        .inner_join(meetings::table.on(meetings::id.eq(actions::meeting_id)))
        .select((
            Action::as_select(),
            users::name,
            organisations::name,
            families::display_name.nullable(),
            families::case_number.nullable(),
        ))
        .order((actions::due_on.asc(), actions::id.asc()))
        .into_boxed();
    query = match filter {
        ActionFilter::OpenForOwner(user) => query
            .filter(actions::owner_user_id.eq(user))
            .filter(actions::status.eq(ActionStatus::Open.code())),
        ActionFilter::FinishedForOwner(user) => query
            .filter(actions::owner_user_id.eq(user))
            .filter(actions::status.ne(ActionStatus::Open.code())),
        ActionFilter::Meeting(id) => query.filter(actions::meeting_id.eq(id)),
        ActionFilter::OfMeeting(meeting, id) => query
            .filter(actions::meeting_id.eq(meeting))
            .filter(actions::id.eq(id)),
        ActionFilter::OpenForTable(table_id) => query
            .filter(meetings::table_id.eq(table_id))
            .filter(actions::status.eq(ActionStatus::Open.code())),
        ActionFilter::Family(id) => query.filter(actions::family_id.eq(id)),
        ActionFilter::LeftBehind(user) => {
            let chaired = table_members::table
                .filter(table_members::user_id.eq(user))
                .filter(table_members::role.eq(super::table::TableRole::Chair.code()))
                .select(table_members::table_id);
            let directed = directorships::table
                .filter(directorships::director_user_id.eq(user))
                .filter(directorships::ended_at.is_null())
                .select(directorships::family_id.nullable());
            query
                .filter(users::active.eq(false))
                .filter(actions::status.eq(ActionStatus::Open.code()))
                .filter(
                    meetings::table_id
                        .eq_any(chaired)
                        .or(actions::family_id.eq_any(directed)),
                )
        }
        ActionFilter::OpenBefore {
            table_id,
            meeting_id,
            starts_at,
        } => query
            .filter(meetings::table_id.eq(table_id))
            .filter(meetings::id.ne(meeting_id))
            .filter(meetings::starts_at.lt(starts_at))
            .filter(actions::status.eq(ActionStatus::Open.code())),
    };
    Ok(query
        .load::<(Action, String, String, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .map(
            |(action, owner_name, organisation_name, family_name, case_number)| ActionRow {
                action,
                owner_name,
                organisation_name,
                family: family_name.zip(case_number),
            },
        )
        .collect())
}

/// "Mijn acties": open actions of a user, earliest due date (so overdue) first.
pub fn open_for_owner(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<ActionRow>> {
    action_rows(conn, ActionFilter::OpenForOwner(user_id))
}

/// A user's finished (done or cancelled) actions, the latest due date first, at most `limit`.
pub fn finished_for_owner(
    conn: &mut DbConn,
    user_id: i64,
    limit: usize,
) -> QueryResult<Vec<ActionRow>> {
    let mut rows = action_rows(conn, ActionFilter::FinishedForOwner(user_id))?;
    rows.reverse();
    rows.truncate(limit);
    Ok(rows)
}

/// The open actions of every meeting of a table: its actielijst.
pub fn open_for_table(conn: &mut DbConn, table_id: i64) -> QueryResult<Vec<ActionRow>> {
    action_rows(conn, ActionFilter::OpenForTable(table_id))
}

/// "Acties van collega's die niet meer actief zijn": open actions of switched-off accounts that the
/// user, as chair of their table or director of their family, should give to someone else.
pub fn left_behind_for(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<ActionRow>> {
    action_rows(conn, ActionFilter::LeftBehind(user_id))
}

pub fn actions_for_meeting(conn: &mut DbConn, meeting_id: i64) -> QueryResult<Vec<ActionRow>> {
    action_rows(conn, ActionFilter::Meeting(meeting_id))
}

/// One action of the meeting, if it is one of the meeting's.
pub fn action_of_meeting(
    conn: &mut DbConn,
    meeting_id: i64,
    action_id: i64,
) -> QueryResult<Option<ActionRow>> {
    Ok(
        action_rows(conn, ActionFilter::OfMeeting(meeting_id, action_id))?
            .into_iter()
            .next(),
    )
}

pub fn actions_for_family(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<ActionRow>> {
    action_rows(conn, ActionFilter::Family(family_id))
}

/// The open actions of earlier meetings of the table: the first item of every meeting.
pub fn open_before(
    conn: &mut DbConn,
    table_id: i64,
    meeting_id: i64,
    starts_at: NaiveDateTime,
) -> QueryResult<Vec<ActionRow>> {
    action_rows(
        conn,
        ActionFilter::OpenBefore {
            table_id,
            meeting_id,
            starts_at,
        },
    )
}
