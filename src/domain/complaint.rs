//! Complaints and objections of a family (klacht / bezwaar): filed by a member in the portal, routed to
//! one table's chair and the partnership's coordinators, with a deadline from the partnership's term,
//! answered once. "Klopt er iets niet?" (corrections, `domain::portal`) is another thing and stays apart.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::coded_enum;
use crate::db::DbConn;
use crate::schema::{
    agenda_items, complaint_terms, complaints, consultation_tables, decisions, families, meetings,
    persons, table_members,
};

coded_enum!(
    /// A complaint about how the family was treated, or an objection to one decision.
    ComplaintKind, "complaint.kind", [
        Complaint => "complaint",
        Objection => "objection",
    ]
);

/// Weeks to answer when a partnership set no term of its own.
pub const DEFAULT_WEEKS: i32 = 6;

/// The longest term a coordinator can set, in weeks.
pub const MAX_WEEKS: i32 = 52;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = complaints)]
pub struct Complaint {
    pub id: i64,
    pub family_id: i64,
    pub person_id: i64,
    pub user_id: i64,
    pub partnership_id: i64,
    pub kind: String,
    pub decision_id: Option<i64>,
    pub table_id: Option<i64>,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub due_on: NaiveDate,
    pub answer: Option<String>,
    pub answered_by_user_id: Option<i64>,
    pub answered_at: Option<NaiveDateTime>,
}

impl Complaint {
    pub fn kind(&self) -> ComplaintKind {
        ComplaintKind::from_code(&self.kind).unwrap_or(ComplaintKind::Complaint)
    }

    pub fn is_open(&self) -> bool {
        self.answered_at.is_none()
    }

    /// Open past its deadline on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due_on < today
    }
}

/// A complaint as a list shows it: with the family, the member, the table and the decision's outcome.
#[derive(Clone, Debug)]
pub struct Listed {
    pub complaint: Complaint,
    pub family_name: String,
    pub case_number: String,
    pub member_name: String,
    pub table_name: Option<String>,
    /// The outcome of the decision objected to.
    pub decision_outcome: Option<String>,
}

/// The partnership's term in weeks (its own, or `DEFAULT_WEEKS`).
pub fn weeks(conn: &mut DbConn, partnership_id: i64) -> QueryResult<i32> {
    Ok(complaint_terms::table
        .find(partnership_id)
        .select(complaint_terms::weeks)
        .first(conn)
        .optional()?
        .unwrap_or(DEFAULT_WEEKS))
}

/// Sets the partnership's term; false when it was that already.
pub fn set_weeks(conn: &mut DbConn, partnership_id: i64, weeks_now: i32) -> QueryResult<bool> {
    if weeks(conn, partnership_id)? == weeks_now {
        return Ok(false);
    }
    diesel::delete(complaint_terms::table.find(partnership_id)).execute(conn)?;
    diesel::insert_into(complaint_terms::table)
        .values((
            complaint_terms::partnership_id.eq(partnership_id),
            complaint_terms::weeks.eq(weeks_now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// The table of a decision about this family (None when the decision is not the family's).
pub fn table_of_decision(
    conn: &mut DbConn,
    family_id: i64,
    decision_id: i64,
) -> QueryResult<Option<i64>> {
    decisions::table
        .inner_join(meetings::table.on(meetings::id.eq(decisions::meeting_id)))
        .filter(decisions::id.eq(decision_id))
        .filter(decisions::family_id.eq(family_id))
        .select(meetings::table_id)
        .first(conn)
        .optional()
}

/// The table that discussed the family last (or has it on a coming agenda), if any.
pub fn last_table(conn: &mut DbConn, family_id: i64) -> QueryResult<Option<i64>> {
    agenda_items::table
        .inner_join(meetings::table.on(meetings::id.eq(agenda_items::meeting_id)))
        .filter(agenda_items::family_id.eq(family_id))
        .order(meetings::starts_at.desc())
        .select(meetings::table_id)
        .first(conn)
        .optional()
}

/// What a new complaint is made of.
pub struct NewComplaint<'a> {
    pub family_id: i64,
    pub person_id: i64,
    pub user_id: i64,
    pub partnership_id: i64,
    pub kind: ComplaintKind,
    pub decision_id: Option<i64>,
    pub table_id: Option<i64>,
    pub body: &'a str,
    pub due_on: NaiveDate,
}

pub fn insert(conn: &mut DbConn, new: &NewComplaint) -> QueryResult<Complaint> {
    let id = diesel::insert_into(complaints::table)
        .values((
            complaints::family_id.eq(new.family_id),
            complaints::person_id.eq(new.person_id),
            complaints::user_id.eq(new.user_id),
            complaints::partnership_id.eq(new.partnership_id),
            complaints::kind.eq(new.kind.code()),
            complaints::decision_id.eq(new.decision_id),
            complaints::table_id.eq(new.table_id),
            complaints::body.eq(new.body),
            complaints::created_at.eq(super::now()),
            complaints::due_on.eq(new.due_on),
        ))
        .returning(complaints::id)
        .get_result::<i64>(conn)?;
    find(conn, id)?.ok_or(diesel::result::Error::NotFound)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Complaint>> {
    complaints::table
        .find(id)
        .select(Complaint::as_select())
        .first(conn)
        .optional()
}

/// Answers an open complaint; 0 when it was answered already.
pub fn answer(conn: &mut DbConn, id: i64, text: &str, by: i64) -> QueryResult<usize> {
    diesel::update(
        complaints::table
            .filter(complaints::id.eq(id))
            .filter(complaints::answered_at.is_null()),
    )
    .set((
        complaints::answer.eq(Some(text)),
        complaints::answered_by_user_id.eq(Some(by)),
        complaints::answered_at.eq(Some(super::now())),
    ))
    .execute(conn)
}

/// Routes an open complaint to another table (its chair handles it from now on); 0 when answered.
pub fn forward(conn: &mut DbConn, id: i64, table_id: i64) -> QueryResult<usize> {
    diesel::update(
        complaints::table
            .filter(complaints::id.eq(id))
            .filter(complaints::answered_at.is_null()),
    )
    .set(complaints::table_id.eq(Some(table_id)))
    .execute(conn)
}

/// Adds the names a list shows.
fn listed(conn: &mut DbConn, rows: Vec<Complaint>) -> QueryResult<Vec<Listed>> {
    let mut out = Vec::new();
    for complaint in rows {
        let (family_name, case_number): (String, String) = families::table
            .find(complaint.family_id)
            .select((families::display_name, families::case_number))
            .first(conn)?;
        let member_name: String = persons::table
            .find(complaint.person_id)
            .select(persons::name)
            .first(conn)?;
        let table_name = match complaint.table_id {
            Some(t) => consultation_tables::table
                .find(t)
                .select(consultation_tables::name)
                .first(conn)
                .optional()?,
            None => None,
        };
        let decision_outcome = match complaint.decision_id {
            Some(d) => decisions::table
                .find(d)
                .select(decisions::outcome)
                .first(conn)
                .optional()?,
            None => None,
        };
        out.push(Listed {
            complaint,
            family_name,
            case_number,
            member_name,
            table_name,
            decision_outcome,
        });
    }
    Ok(out)
}

/// One complaint with its names.
pub fn listed_one(conn: &mut DbConn, complaint: Complaint) -> QueryResult<Listed> {
    Ok(listed(conn, vec![complaint])?.remove(0))
}

/// The member's own complaints, newest first.
pub fn of_member(conn: &mut DbConn, person_id: i64) -> QueryResult<Vec<Listed>> {
    let rows = complaints::table
        .filter(complaints::person_id.eq(person_id))
        .order(complaints::id.desc())
        .select(Complaint::as_select())
        .load(conn)?;
    listed(conn, rows)
}

/// The open complaints a user handles: of the tables they chair and the partnerships they coordinate
/// (`coordinated`), earliest deadline first.
pub fn open_for(conn: &mut DbConn, user_id: i64, coordinated: &[i64]) -> QueryResult<Vec<Listed>> {
    let chaired = table_members::table
        .filter(table_members::user_id.eq(user_id))
        .filter(table_members::role.eq(super::table::TableRole::Chair.code()))
        .select(table_members::table_id.nullable());
    let rows = complaints::table
        .filter(complaints::answered_at.is_null())
        .filter(
            complaints::table_id
                .eq_any(chaired)
                .or(complaints::partnership_id.eq_any(coordinated)),
        )
        .order((complaints::due_on.asc(), complaints::id.asc()))
        .select(Complaint::as_select())
        .load(conn)?;
    listed(conn, rows)
}

/// All complaints of a partnership, open ones first, for its coordinators' page.
pub fn of_partnership(conn: &mut DbConn, partnership_id: i64) -> QueryResult<Vec<Listed>> {
    let rows = complaints::table
        .filter(complaints::partnership_id.eq(partnership_id))
        .order((
            complaints::answered_at.is_not_null(),
            complaints::due_on.asc(),
        ))
        .select(Complaint::as_select())
        .load(conn)?;
    listed(conn, rows)
}

/// Who handles a complaint: the active chairs of its table and the active coordinators of its
/// partnership, each once.
pub fn handlers(conn: &mut DbConn, of: &Complaint) -> QueryResult<Vec<super::user::User>> {
    let mut ids: Vec<i64> = match of.table_id {
        Some(t) => chairs_of(conn, t)?,
        None => Vec::new(),
    };
    ids.extend(
        super::partnership::coordinators(conn, of.partnership_id)?
            .into_iter()
            .map(|c| c.user_id),
    );
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        if let Some(u) = super::user::find(conn, id)?.filter(|u| u.active) {
            out.push(u);
        }
    }
    Ok(out)
}

/// The chairs of a table, by account id.
pub fn chairs_of(conn: &mut DbConn, table_id: i64) -> QueryResult<Vec<i64>> {
    table_members::table
        .filter(table_members::table_id.eq(table_id))
        .filter(table_members::role.eq(super::table::TableRole::Chair.code()))
        .select(table_members::user_id)
        .load(conn)
}

/// Whether the user chairs the complaint's table.
pub fn chairs_table_of(conn: &mut DbConn, of: &Complaint, user_id: i64) -> QueryResult<bool> {
    let Some(t) = of.table_id else {
        return Ok(false);
    };
    Ok(super::table::roles(conn, t, user_id)?.contains(&super::table::TableRole::Chair))
}

/// The decisions about the family a member can object to: (id, outcome, table, when), newest first.
pub fn decisions_of(
    conn: &mut DbConn,
    family_id: i64,
) -> QueryResult<Vec<(i64, String, String, NaiveDateTime)>> {
    decisions::table
        .inner_join(meetings::table.on(meetings::id.eq(decisions::meeting_id)))
        .inner_join(consultation_tables::table.on(consultation_tables::id.eq(meetings::table_id)))
        .filter(decisions::family_id.eq(family_id))
        .order(decisions::id.desc())
        .select((
            decisions::id,
            decisions::outcome,
            consultation_tables::name,
            meetings::starts_at,
        ))
        .load(conn)
}
