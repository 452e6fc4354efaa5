//! The safety scale: scores from 0 to 10, given by professionals or by the family.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::domain::coded_enum;
use crate::schema::safety_scores;

coded_enum!(
    /// Who gave a score: a professional, or the family.
    ScoreSource, "score_source", [Professional => "professional", Family => "family"]
);

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = safety_scores)]
pub struct Score {
    pub id: i64,
    pub family_id: i64,
    pub score: i32,
    pub scored_on: NaiveDate,
    pub source: String,
    pub given_by: String,
    pub explanation: String,
    pub recorded_by_user_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl Score {
    pub fn source(&self) -> ScoreSource {
        ScoreSource::from_code(&self.source).unwrap_or(ScoreSource::Professional)
    }
}

/// Every score of the family, oldest first.
pub fn scores(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<Score>> {
    safety_scores::table
        .filter(safety_scores::family_id.eq(family_id))
        .order((safety_scores::scored_on.asc(), safety_scores::id.asc()))
        .select(Score::as_select())
        .load(conn)
}

pub struct NewScore<'a> {
    pub family_id: i64,
    pub score: i32,
    pub scored_on: NaiveDate,
    pub source: ScoreSource,
    pub given_by: &'a str,
    pub explanation: &'a str,
    pub recorded_by_user_id: Option<i64>,
}

pub fn add_score(conn: &mut DbConn, new: &NewScore<'_>) -> QueryResult<i64> {
    diesel::insert_into(safety_scores::table)
        .values((
            safety_scores::family_id.eq(new.family_id),
            safety_scores::score.eq(new.score),
            safety_scores::scored_on.eq(new.scored_on),
            safety_scores::source.eq(new.source.code()),
            safety_scores::given_by.eq(new.given_by),
            safety_scores::explanation.eq(new.explanation),
            safety_scores::recorded_by_user_id.eq(new.recorded_by_user_id),
            safety_scores::created_at.eq(crate::domain::now()),
        ))
        .returning(safety_scores::id)
        .get_result(conn)
}
