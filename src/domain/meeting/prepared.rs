//! The meeting's most frequent updates, kept prepared on PostgreSQL.
//!
//! Diesel prepares an UPDATE again for every run (PostgreSQL parses and plans it, one more round trip
//! each time). Moving to the next item and starting a meeting are what fifty chairs do in the same
//! moment, one after the other on the group-commit connection, so there these are statements of
//! their own that diesel keeps prepared per connection: only bound and run.

use chrono::NaiveDateTime;
use diesel::PgConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

/// `UPDATE meetings SET current_item_id = …, current_item_started_at = … WHERE id = …`.
pub(super) struct SetCurrentItem {
    pub id: i64,
    pub item: Option<i64>,
    pub started: Option<NaiveDateTime>,
}

/// `UPDATE meetings SET status = …, started_at = … WHERE id = …`: the meeting starts; with `item`, that
/// item is current from the start too (the chair's first step), in the same statement.
pub(super) struct SetStarted<'a> {
    pub id: i64,
    pub status: &'a str,
    pub at: NaiveDateTime,
    pub item: Option<i64>,
}

impl QueryId for SetCurrentItem {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryId for SetStarted<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl RunQueryDsl<PgConnection> for SetCurrentItem {}
impl RunQueryDsl<PgConnection> for SetStarted<'_> {}

impl QueryFragment<Pg> for SetCurrentItem {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("UPDATE meetings SET current_item_id = ");
        out.push_bind_param::<Nullable<BigInt>, _>(&self.item)?;
        out.push_sql(", current_item_started_at = ");
        out.push_bind_param::<Nullable<Timestamp>, _>(&self.started)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<BigInt, _>(&self.id)
    }
}

impl QueryFragment<Pg> for SetStarted<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("UPDATE meetings SET status = ");
        out.push_bind_param::<Text, _>(&self.status)?;
        out.push_sql(", started_at = ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        if let Some(item) = &self.item {
            out.push_sql(", current_item_id = ");
            out.push_bind_param::<BigInt, _>(item)?;
            out.push_sql(", current_item_started_at = ");
            out.push_bind_param::<Timestamp, _>(&self.at)?;
        }
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<BigInt, _>(&self.id)
    }
}
