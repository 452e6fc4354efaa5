//! Partnerships (samenwerkingsverbanden): a region's organisations agree which tables exist, who may
//! direct a family and how long a closed record stays readable. Each has its own table kinds and
//! tables, its families, and coordinators (functioneel beheer) who run its tables. An organisation
//! may take part in several partnerships.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::organisation::{Organisation, OrganisationKind};
use super::table;
use crate::db::DbConn;
use crate::schema::{
    organisations, partnership_coordinators, partnership_organisations, partnerships, users,
};

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = partnerships)]
pub struct Partnership {
    pub id: i64,
    pub name: String,
    /// The organisation kinds whose professionals may direct a family, one code per line.
    pub director_kinds: String,
    /// Days a closed family's record stays readable to its last director and the coordinators (after
    /// that nobody reads it; its data is still kept until `retention_years` have passed).
    pub closed_readable_days: i32,
    pub created_at: NaiveDateTime,
    /// Every professional of its organisations must use a second factor.
    pub second_factor_required: bool,
    /// Years from closing that a family's personal data is kept; then `samenspel retention` removes it.
    pub retention_years: i32,
}

impl Partnership {
    pub fn director_kinds(&self) -> Vec<OrganisationKind> {
        parse_kinds(&self.director_kinds)
    }
}

/// The kinds in a stored list, unknown codes left out.
pub fn parse_kinds(text: &str) -> Vec<OrganisationKind> {
    table::lines(text)
        .iter()
        .filter_map(|c| OrganisationKind::from_code(c))
        .collect()
}

/// Where the seeds put the "vast gezicht": the local team, Veilig Thuis and the certified institution.
pub const DEFAULT_DIRECTOR_KINDS: [OrganisationKind; 3] = [
    OrganisationKind::LocalTeam,
    OrganisationKind::VeiligThuis,
    OrganisationKind::CertifiedInstitution,
];

pub const DEFAULT_CLOSED_READABLE_DAYS: i32 = 365;

/// The Jeugdwet's term (art. 7.3.8: twenty years from the last change), as the default: a setting per
/// partnership, not legal advice.
pub const DEFAULT_RETENTION_YEARS: i32 = 20;

pub fn kinds_text(kinds: &[OrganisationKind]) -> String {
    kinds
        .iter()
        .map(|k| k.code())
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Insertable)]
#[diesel(table_name = partnerships)]
struct NewPartnership<'a> {
    name: &'a str,
    director_kinds: &'a str,
    closed_readable_days: i32,
    created_at: NaiveDateTime,
}

/// A new partnership with the default settings and its own copy of the default table kinds.
pub fn create(conn: &mut DbConn, name: &str) -> QueryResult<Partnership> {
    let created: Partnership = diesel::insert_into(partnerships::table)
        .values(NewPartnership {
            name,
            director_kinds: &kinds_text(&DEFAULT_DIRECTOR_KINDS),
            closed_readable_days: DEFAULT_CLOSED_READABLE_DAYS,
            created_at: super::now(),
        })
        .returning(partnerships::all_columns)
        .get_result(conn)?;
    table::create_default_kinds(conn, created.id)?;
    Ok(created)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Partnership>> {
    partnerships::table
        .find(id)
        .select(Partnership::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<Partnership>> {
    partnerships::table
        .filter(partnerships::name.eq(name))
        .select(Partnership::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<Partnership>> {
    partnerships::table
        .order(partnerships::name.asc())
        .select(Partnership::as_select())
        .load(conn)
}

pub fn rename(conn: &mut DbConn, id: i64, name: &str) -> QueryResult<()> {
    diesel::update(partnerships::table.find(id))
        .set(partnerships::name.eq(name))
        .execute(conn)?;
    Ok(())
}

/// The two periods of a closed record: readable for days, kept for years.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordPeriods {
    pub closed_readable_days: i32,
    pub retention_years: i32,
}

pub fn update_settings(
    conn: &mut DbConn,
    id: i64,
    name: &str,
    director_kinds: &[OrganisationKind],
    periods: RecordPeriods,
) -> QueryResult<()> {
    diesel::update(partnerships::table.find(id))
        .set((
            partnerships::name.eq(name),
            partnerships::director_kinds.eq(kinds_text(director_kinds)),
            partnerships::closed_readable_days.eq(periods.closed_readable_days),
            partnerships::retention_years.eq(periods.retention_years),
        ))
        .execute(conn)?;
    Ok(())
}

/// The partnerships an organisation takes part in.
pub fn of_organisation(conn: &mut DbConn, organisation_id: i64) -> QueryResult<Vec<Partnership>> {
    let ids = partnership_organisations::table
        .filter(partnership_organisations::organisation_id.eq(organisation_id))
        .select(partnership_organisations::partnership_id);
    partnerships::table
        .filter(partnerships::id.eq_any(ids))
        .order(partnerships::name.asc())
        .select(Partnership::as_select())
        .load(conn)
}

/// Does the organisation take part in the partnership?
pub fn takes_part(
    conn: &mut DbConn,
    partnership_id: i64,
    organisation_id: i64,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        partnership_organisations::table
            .filter(partnership_organisations::partnership_id.eq(partnership_id))
            .filter(partnership_organisations::organisation_id.eq(organisation_id)),
    ))
    .get_result(conn)
}

pub fn organisations(conn: &mut DbConn, partnership_id: i64) -> QueryResult<Vec<Organisation>> {
    partnership_organisations::table
        .inner_join(
            organisations::table
                .on(organisations::id.eq(partnership_organisations::organisation_id)),
        )
        .filter(partnership_organisations::partnership_id.eq(partnership_id))
        .order(organisations::name.asc())
        .select(Organisation::as_select())
        .load(conn)
}

/// Adds the organisation; true when it was not in the partnership yet.
pub fn add_organisation(
    conn: &mut DbConn,
    partnership_id: i64,
    organisation_id: i64,
) -> QueryResult<bool> {
    if takes_part(conn, partnership_id, organisation_id)? {
        return Ok(false);
    }
    diesel::insert_into(partnership_organisations::table)
        .values((
            partnership_organisations::partnership_id.eq(partnership_id),
            partnership_organisations::organisation_id.eq(organisation_id),
        ))
        .execute(conn)?;
    Ok(true)
}

/// A coordinator as the partnership page lists them.
#[derive(Clone, Debug)]
pub struct Coordinator {
    pub user_id: i64,
    pub name: String,
    pub organisation_name: Option<String>,
}

pub fn coordinators(conn: &mut DbConn, partnership_id: i64) -> QueryResult<Vec<Coordinator>> {
    let rows: Vec<(i64, String, Option<String>)> = partnership_coordinators::table
        .inner_join(users::table.on(users::id.eq(partnership_coordinators::user_id)))
        .left_join(organisations::table.on(organisations::id.nullable().eq(users::organisation_id)))
        .filter(partnership_coordinators::partnership_id.eq(partnership_id))
        .order(users::name.asc())
        .select((users::id, users::name, organisations::name.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user_id, name, organisation_name)| Coordinator {
            user_id,
            name,
            organisation_name,
        })
        .collect())
}

/// Makes the user a coordinator; true when they were not one yet.
pub fn add_coordinator(conn: &mut DbConn, partnership_id: i64, user_id: i64) -> QueryResult<bool> {
    if coordinated_by(conn, user_id)?.contains(&partnership_id) {
        return Ok(false);
    }
    diesel::insert_into(partnership_coordinators::table)
        .values((
            partnership_coordinators::partnership_id.eq(partnership_id),
            partnership_coordinators::user_id.eq(user_id),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Ends the user's coordination; true when they were one.
pub fn remove_coordinator(
    conn: &mut DbConn,
    partnership_id: i64,
    user_id: i64,
) -> QueryResult<bool> {
    Ok(diesel::delete(
        partnership_coordinators::table
            .filter(partnership_coordinators::partnership_id.eq(partnership_id))
            .filter(partnership_coordinators::user_id.eq(user_id)),
    )
    .execute(conn)?
        > 0)
}

/// The partnerships a user coordinates.
pub fn coordinated_by(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<i64>> {
    partnership_coordinators::table
        .filter(partnership_coordinators::user_id.eq(user_id))
        .select(partnership_coordinators::partnership_id)
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn director_kinds_round_trip_and_skip_unknown_codes() {
        let text = kinds_text(&DEFAULT_DIRECTOR_KINDS);
        assert_eq!(parse_kinds(&text), DEFAULT_DIRECTOR_KINDS.to_vec());
        assert_eq!(
            parse_kinds("police\n\nbakery\n school "),
            vec![OrganisationKind::Police, OrganisationKind::School]
        );
    }
}
