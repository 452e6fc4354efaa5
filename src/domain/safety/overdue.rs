//! Reviews that are overdue: plans and agreements past their review date, and the daily digest that
//! tells each director about theirs.

use chrono::NaiveDate;
use diesel::prelude::*;

use std::collections::HashMap;

use super::{PhasePlan, PlanKind, cell, current_plans_of, row_review_on};
use crate::db::DbConn;
use crate::schema::{directorships, families, persons, review_digests};

/// Something in a plan whose review date has passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overdue {
    pub family_id: i64,
    pub case_number: String,
    pub pseudonym: String,
    pub kind: PlanKind,
    /// The member of a recovery plan.
    pub person_name: Option<String>,
    /// The agreement (1-based, with who) when it is one row of the plan; None for the whole plan.
    pub agreement: Option<(usize, String)>,
    pub due: NaiveDate,
}

/// What is overdue in `plans` on `today`: whole plans past their review date, and agreements past
/// theirs. `family` is (id, case number, pseudonym); `persons` names the members of recovery plans.
pub fn overdue_in(
    family: (i64, &str, &str),
    plans: &[PhasePlan],
    persons: &[(i64, String)],
    today: NaiveDate,
) -> Vec<Overdue> {
    let mut overdue = Vec::new();
    for plan in plans {
        let base = Overdue {
            family_id: family.0,
            case_number: family.1.to_string(),
            pseudonym: family.2.to_string(),
            kind: plan.kind,
            person_name: plan
                .person_id
                .and_then(|id| persons.iter().find(|(p, _)| *p == id))
                .map(|(_, name)| name.clone()),
            agreement: None,
            due: today,
        };
        if let Some(due) = plan.review_on.filter(|d| *d < today) {
            overdue.push(Overdue {
                due,
                ..base.clone()
            });
        }
        for (index, row) in plan.overdue_rows(today) {
            overdue.push(Overdue {
                agreement: Some((index + 1, cell(row, "who").to_string())),
                due: row_review_on(row).unwrap_or(today),
                ..base.clone()
            });
        }
    }
    overdue.sort_by(|a, b| a.due.cmp(&b.due).then(a.case_number.cmp(&b.case_number)));
    overdue
}

/// The overdue reviews of the plans of the open families `user_id` directs, oldest date first.
pub fn overdue_for_director(
    conn: &mut DbConn,
    user_id: i64,
    today: NaiveDate,
) -> QueryResult<Vec<Overdue>> {
    let families: Vec<(i64, String, String)> = directorships::table
        .inner_join(families::table.on(families::id.eq(directorships::family_id)))
        .filter(directorships::director_user_id.eq(user_id))
        .filter(directorships::ended_at.is_null())
        .filter(families::status.ne("closed"))
        .order(families::case_number.asc())
        .select((families::id, families::case_number, families::display_name))
        .load(conn)?;
    // The plans and members of all those families at once: two statements, not two per family.
    let ids: Vec<i64> = families.iter().map(|f| f.0).collect();
    let mut plans = current_plans_of(conn, &ids)?;
    let mut persons_of: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (family_id, person) in persons::table
        .filter(persons::family_id.eq_any(&ids))
        .select((persons::family_id, (persons::id, persons::name)))
        .load::<(i64, (i64, String))>(conn)?
    {
        persons_of.entry(family_id).or_default().push(person);
    }
    let mut overdue = Vec::new();
    for (family_id, case_number, display_name) in families {
        let Some(plans) = plans.remove(&family_id) else {
            continue;
        };
        let pseudonym = crate::domain::family::pseudonym_of(&display_name, &case_number);
        overdue.extend(overdue_in(
            (family_id, &case_number, &pseudonym),
            &plans,
            persons_of.get(&family_id).map_or(&[][..], Vec::as_slice),
            today,
        ));
    }
    overdue.sort_by(|a, b| a.due.cmp(&b.due).then(a.case_number.cmp(&b.case_number)));
    Ok(overdue)
}

/// Everyone who directs an open family now.
pub fn directors(conn: &mut DbConn) -> QueryResult<Vec<i64>> {
    directorships::table
        .inner_join(families::table.on(families::id.eq(directorships::family_id)))
        .filter(directorships::ended_at.is_null())
        .filter(families::status.ne("closed"))
        .select(directorships::director_user_id)
        .distinct()
        .load(conn)
}

/// Claims the digest of `day` for `user_id`; false when it was already sent (by any instance).
pub fn claim_digest(conn: &mut DbConn, user_id: i64, day: NaiveDate) -> QueryResult<bool> {
    let already: i64 = review_digests::table
        .filter(review_digests::user_id.eq(user_id))
        .filter(review_digests::day.eq(day))
        .count()
        .get_result(conn)?;
    if already > 0 {
        return Ok(false);
    }
    // Another instance may claim it between the count and the insert: the primary key refuses the second,
    // in a savepoint, so the surrounding transaction goes on and this instance moves to the next person.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(review_digests::table)
            .values((
                review_digests::user_id.eq(user_id),
                review_digests::day.eq(day),
                review_digests::sent_at.eq(crate::domain::now()),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Gives a claim back when the mail could not be sent, so the next run tries again.
pub fn release_digest(conn: &mut DbConn, user_id: i64, day: NaiveDate) -> QueryResult<()> {
    diesel::delete(
        review_digests::table
            .filter(review_digests::user_id.eq(user_id))
            .filter(review_digests::day.eq(day)),
    )
    .execute(conn)?;
    Ok(())
}
