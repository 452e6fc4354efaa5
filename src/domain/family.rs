//! Families (gezinnen) and their members: one record per family, with a case number per year.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::coded_enum;
use crate::db::DbConn;
use crate::schema::{directorships, families, involvements, persons, users};

coded_enum!(
    /// How fast the family needs attention: regulier, spoed, crisis.
    Urgency, "urgency", [Regular => "regular", Urgent => "urgent", Crisis => "crisis"]
);
coded_enum!(
    /// open, nazorg (aftercare), gesloten.
    FamilyStatus, "family_status", [Open => "open", Aftercare => "aftercare", Closed => "closed"]
);
coded_enum!(
    /// The basis for processing the family's data.
    LegalBasis, "legal_basis", [
        LegalTask => "legal_task",
        Consent => "consent",
        ReportingCode => "reporting_code",
        CourtOrder => "court_order",
        VitalInterest => "vital_interest",
    ]
);
coded_enum!(
    /// The member's place in the family.
    PersonRole, "person_role", [Parent => "parent", Child => "child", Carer => "carer", Other => "other"]
);

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = families)]
pub struct Family {
    pub id: i64,
    pub case_year: i32,
    pub case_seq: i32,
    pub case_number: String,
    pub display_name: String,
    pub municipality: String,
    pub urgency: String,
    pub status: String,
    pub closed_reason: Option<String>,
    pub legal_basis: String,
    pub family_informed: bool,
    pub not_informed_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Whether the family's view of the access log names the professionals.
    pub portal_shows_names: bool,
    /// The partnership whose tables and people work with the family.
    pub partnership_id: i64,
    /// When the family was last closed: the retention period runs from here.
    pub closed_at: Option<NaiveDateTime>,
    /// Its members log in only through DigiD (the director's choice): no email link, no password.
    pub digid_required: bool,
    /// Until when a closed record is kept: its closing plus the partnership's retention years.
    pub keep_until: Option<NaiveDate>,
    /// When the retention run removed its personal data (the row stays as an anonymous tombstone).
    pub erased_at: Option<NaiveDateTime>,
}

impl Family {
    pub fn urgency(&self) -> Urgency {
        Urgency::from_code(&self.urgency).unwrap_or(Urgency::Regular)
    }
    pub fn status(&self) -> FamilyStatus {
        FamilyStatus::from_code(&self.status).unwrap_or(FamilyStatus::Open)
    }
    pub fn legal_basis(&self) -> LegalBasis {
        LegalBasis::from_code(&self.legal_basis).unwrap_or(LegalBasis::LegalTask)
    }
    pub fn is_closed(&self) -> bool {
        self.status() == FamilyStatus::Closed
    }
    /// "Gezin J., 2026-0042": how the family is named to someone who may not see it.
    pub fn pseudonym(&self) -> String {
        pseudonym_of(&self.display_name, &self.case_number)
    }
}

/// "Gezin J., 2026-0042" from "Gezin Jansen" and its case number: the initial of the last word only.
pub fn pseudonym_of(display_name: &str, case_number: &str) -> String {
    match display_name
        .split_whitespace()
        .last()
        .and_then(|w| w.chars().next())
    {
        Some(c) => format!("Gezin {}., {case_number}", c.to_uppercase()),
        None => format!("Gezin {case_number}"),
    }
}

/// The details a family is created or edited with, already checked.
#[derive(Clone, Debug)]
pub struct FamilyDetails {
    pub display_name: String,
    pub municipality: String,
    pub urgency: Urgency,
    pub legal_basis: LegalBasis,
    pub family_informed: bool,
    pub not_informed_reason: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = families)]
struct NewFamilyRow<'a> {
    partnership_id: i64,
    case_year: i32,
    case_seq: i32,
    case_number: &'a str,
    display_name: &'a str,
    municipality: &'a str,
    urgency: &'a str,
    status: &'a str,
    legal_basis: &'a str,
    family_informed: bool,
    not_informed_reason: Option<&'a str>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// "2026-0042"
pub fn format_case_number(year: i32, seq: i32) -> String {
    format!("{year}-{seq:04}")
}

/// Creates the family with the next case number of this year. Run inside a write transaction: the
/// number is read and used in one go (and UNIQUE (case_year, case_seq) backs that up).
pub fn create(
    conn: &mut DbConn,
    partnership_id: i64,
    details: &FamilyDetails,
) -> QueryResult<Family> {
    let now = super::now();
    let year = crate::time::local(now).year();
    let last: Option<i32> = families::table
        .filter(families::case_year.eq(year))
        .select(diesel::dsl::max(families::case_seq))
        .first(conn)?;
    let seq = last.unwrap_or(0) + 1;
    let case_number = format_case_number(year, seq);
    diesel::insert_into(families::table)
        .values(NewFamilyRow {
            partnership_id,
            case_year: year,
            case_seq: seq,
            case_number: &case_number,
            display_name: &details.display_name,
            municipality: &details.municipality,
            urgency: details.urgency.code(),
            status: FamilyStatus::Open.code(),
            legal_basis: details.legal_basis.code(),
            family_informed: details.family_informed,
            not_informed_reason: details.not_informed_reason.as_deref(),
            created_at: now,
            updated_at: now,
        })
        .returning(families::all_columns)
        .get_result(conn)
}

pub fn update_details(
    conn: &mut DbConn,
    family_id: i64,
    details: &FamilyDetails,
) -> QueryResult<()> {
    diesel::update(families::table.find(family_id))
        .set((
            families::display_name.eq(&details.display_name),
            families::municipality.eq(&details.municipality),
            families::urgency.eq(details.urgency.code()),
            families::legal_basis.eq(details.legal_basis.code()),
            families::family_informed.eq(details.family_informed),
            families::not_informed_reason.eq(details.not_informed_reason.as_deref()),
            families::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether the family's view of the access log names the professionals; false when it did already.
pub fn set_portal_shows_names(conn: &mut DbConn, family_id: i64, show: bool) -> QueryResult<bool> {
    let changed = diesel::update(
        families::table
            .find(family_id)
            .filter(families::portal_shows_names.ne(show)),
    )
    .set((
        families::portal_shows_names.eq(show),
        families::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn set_status(
    conn: &mut DbConn,
    family_id: i64,
    status: FamilyStatus,
    closed_reason: Option<&str>,
) -> QueryResult<()> {
    let now = super::now();
    let closed_at = (status == FamilyStatus::Closed).then_some(now);
    diesel::update(families::table.find(family_id))
        .set((
            families::status.eq(status.code()),
            families::closed_reason.eq(closed_reason),
            families::closed_at.eq(closed_at),
            families::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The day until which a record closed on `closed_on` is kept: `years` later (the day before, when
/// that date does not exist, as for 29 February).
pub fn keep_until(closed_on: NaiveDate, years: i32) -> NaiveDate {
    closed_on
        .checked_add_months(chrono::Months::new(12 * years.max(0).unsigned_abs()))
        .unwrap_or(NaiveDate::MAX)
}

pub fn set_keep_until(
    conn: &mut DbConn,
    family_id: i64,
    until: Option<NaiveDate>,
) -> QueryResult<()> {
    diesel::update(families::table.find(family_id))
        .set(families::keep_until.eq(until))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Family>> {
    families::table
        .find(id)
        .select(Family::as_select())
        .first(conn)
        .optional()
}

/// The case numbers of these families, by id, in one statement (the partner feed names the case of
/// each of its events).
pub fn case_numbers(
    conn: &mut DbConn,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, String>> {
    Ok(families::table
        .filter(families::id.eq_any(ids))
        .select((families::id, families::case_number))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// How a user stands to a family now; decides what they may see and do (see `policy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relation {
    pub director: bool,
    pub co_worker: bool,
    pub involved: bool,
    /// Invited to discuss the family at a meeting, within the table's access window: from the
    /// publication of the agenda until the set number of days after the meeting.
    pub invited: bool,
    /// Coordinates the family's partnership, and the family is closed and within its retention period:
    /// may read the record (and every read is logged), nothing more.
    pub keeper: bool,
    /// Coordinates the partnership of the open family, and its director's account is switched off:
    /// may appoint a new director, nothing more (not even read the record).
    pub steward: bool,
}

impl Relation {
    pub fn any(self) -> bool {
        self.director || self.co_worker || self.involved || self.invited || self.keeper
    }
}

/// How a user stands to the family now. A closed family keeps only its last director and the
/// partnership's coordinators, for the partnership's retention period; after it, nobody.
pub fn relation(conn: &mut DbConn, family_id: i64, user_id: i64) -> QueryResult<Relation> {
    match find(conn, family_id)? {
        Some(found) => relation_to(conn, &found, user_id),
        None => Ok(Relation::default()),
    }
}

/// `relation` for a family already loaded.
pub fn relation_to(conn: &mut DbConn, found: &Family, user_id: i64) -> QueryResult<Relation> {
    let open = relation_while_open(conn, found.id, user_id)?;
    if !found.is_closed() {
        let steward = !open.director
            && director_inactive(conn, found.id)?
            && super::partnership::coordinated_by(conn, user_id)?.contains(&found.partnership_id);
        return Ok(Relation { steward, ..open });
    }
    let Some(region) = super::partnership::find(conn, found.partnership_id)? else {
        return Ok(Relation::default());
    };
    let closed_at = found.closed_at.unwrap_or(found.updated_at);
    if super::now() > closed_at + chrono::Duration::days(region.closed_readable_days.into()) {
        return Ok(Relation::default());
    }
    Ok(Relation {
        director: open.director,
        keeper: super::partnership::coordinated_by(conn, user_id)?.contains(&region.id),
        ..Relation::default()
    })
}

/// Is the family's active director's account switched off?
fn director_inactive(conn: &mut DbConn, family_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        directorships::table
            .inner_join(users::table.on(users::id.eq(directorships::director_user_id)))
            .filter(directorships::family_id.eq(family_id))
            .filter(directorships::ended_at.is_null())
            .filter(users::active.eq(false)),
    ))
    .get_result(conn)
}

fn relation_while_open(conn: &mut DbConn, family_id: i64, user_id: i64) -> QueryResult<Relation> {
    let active = directorships::table
        .filter(directorships::family_id.eq(family_id))
        .filter(directorships::ended_at.is_null())
        .select((
            directorships::director_user_id,
            directorships::co_worker_user_id,
        ))
        .first::<(i64, Option<i64>)>(conn)
        .optional()?;
    let involved = diesel::select(diesel::dsl::exists(
        involvements::table
            .filter(involvements::family_id.eq(family_id))
            .filter(involvements::user_id.eq(user_id))
            .filter(involvements::ended_on.is_null()),
    ))
    .get_result::<bool>(conn)?;
    let now = super::now();
    let invited = super::meeting::family_invitations(conn, family_id, user_id)?
        .into_iter()
        .any(|(published, ends, days)| {
            published <= now && now <= ends + chrono::Duration::days(days.into())
        });
    Ok(Relation {
        director: active.is_some_and(|(d, _)| d == user_id),
        co_worker: active.is_some_and(|(_, c)| c == Some(user_id)),
        involved,
        invited,
        keeper: false,
        steward: false,
    })
}

/// The families a user may see now (director, co-worker or involved), optionally filtered by a search
/// on case number, name, municipality or member name. Most urgent first, then by case number.
pub fn list_for_user(
    conn: &mut DbConn,
    user_id: i64,
    search: Option<&str>,
) -> QueryResult<Vec<Family>> {
    // The user's families by number first, then those rows by their key: one list of ids, where two
    // subqueries joined by OR made PostgreSQL read every family (a third of a second at 1,000,000).
    let ids = own_family_ids(conn, user_id)?;
    let mut query = families::table
        .filter(families::id.eq_any(ids.clone()))
        .select(Family::as_select())
        .into_boxed();
    if let Some(term) = search.map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", escape_like(&term.to_lowercase()));
        // Only the members of the user's own families are searched, through the family index: the
        // search stays as fast with 1,000,000 families as with 100.
        let members = persons::table
            .filter(persons::family_id.eq_any(ids))
            .filter(lower(persons::name).like(pattern.clone()).escape('\\'))
            .select(persons::family_id);
        query = query.filter(
            lower(families::case_number)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(families::display_name)
                    .like(pattern.clone())
                    .escape('\\'))
                .or(lower(families::municipality).like(pattern).escape('\\'))
                .or(families::id.eq_any(members)),
        );
    }
    let mut found = query.load(conn)?;
    found.sort_by(|a, b| {
        let rank = |f: &Family| (f.is_closed(), std::cmp::Reverse(f.urgency() as u8));
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.case_number.cmp(&a.case_number))
    });
    Ok(found)
}

/// The ids of the families the user directs, co-works on or is involved with now, each once, in order.
fn own_family_ids(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<i64>> {
    let mut ids: Vec<i64> = directorships::table
        .filter(directorships::ended_at.is_null())
        .filter(
            directorships::director_user_id
                .eq(user_id)
                .or(directorships::co_worker_user_id.eq(user_id)),
        )
        .select(directorships::family_id)
        .load(conn)?;
    ids.extend(
        involvements::table
            .filter(involvements::user_id.eq(user_id))
            .filter(involvements::ended_on.is_null())
            .select(involvements::family_id)
            .load::<i64>(conn)?,
    );
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Escapes LIKE wildcards so a search for "50%" finds "50%", not everything.
fn escape_like(term: &str) -> String {
    term.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = persons)]
pub struct Person {
    pub id: i64,
    pub family_id: i64,
    pub name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub role: String,
    pub parental_authority: bool,
    pub created_at: NaiveDateTime,
    pub bsn: Option<String>,
    pub street: Option<String>,
    pub house_number: Option<i32>,
    pub postcode: Option<String>,
    pub city: Option<String>,
}

impl Person {
    /// Who this member is for partner organisations (Samen onder Handbereik's Betrokkene): only when
    /// the BSN and the whole address are recorded.
    pub fn identity(&self) -> Option<Identity> {
        Some(Identity {
            bsn: self.bsn.clone()?,
            street: self.street.clone()?,
            house_number: self.house_number?,
            postcode: self.postcode.clone()?,
            city: self.city.clone()?,
        })
    }

    pub fn role(&self) -> PersonRole {
        PersonRole::from_code(&self.role).unwrap_or(PersonRole::Other)
    }

    /// Age in whole years on `today`.
    pub fn age_on(&self, today: NaiveDate) -> Option<u32> {
        let born = self.date_of_birth?;
        today.years_since(born)
    }
}

#[derive(Clone, Debug)]
pub struct PersonDetails {
    pub name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub role: PersonRole,
    pub parental_authority: bool,
    /// BSN and address, recorded only when partners must be able to identify the member.
    pub identity: Option<Identity>,
}

/// A member's BSN and address: what partner organisations need to know who an action concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub bsn: String,
    pub street: String,
    pub house_number: i32,
    /// As "1234 AB".
    pub postcode: String,
    pub city: String,
}

/// Is this a BSN: nine digits, not starting with 0, passing the eleven test (9·d1 + … + 2·d8 − d9 is a
/// multiple of 11).
pub fn valid_bsn(text: &str) -> bool {
    let digits: Vec<i64> = text
        .bytes()
        .map(|b| i64::from(b) - i64::from(b'0'))
        .collect();
    if digits.len() != 9 || digits.iter().any(|d| !(0..=9).contains(d)) || digits[0] == 0 {
        return false;
    }
    let sum: i64 = digits[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(d, w)| d * w)
        .sum::<i64>()
        - digits[8];
    sum % 11 == 0
}

/// A Dutch postcode written as "1234 AB", from "1234ab", "1234 ab" or "1234AB"; None when it is not one.
pub fn normalise_postcode(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (digits, letters) = (compact.get(..4)?, compact.get(4..)?);
    let ok = digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
        && letters.len() == 2
        && letters.bytes().all(|b| b.is_ascii_alphabetic());
    ok.then(|| format!("{digits} {}", letters.to_ascii_uppercase()))
}

#[derive(Insertable)]
#[diesel(table_name = persons)]
struct NewPersonRow<'a> {
    family_id: i64,
    name: &'a str,
    date_of_birth: Option<NaiveDate>,
    role: &'a str,
    parental_authority: bool,
    created_at: NaiveDateTime,
    bsn: Option<&'a str>,
    street: Option<&'a str>,
    house_number: Option<i32>,
    postcode: Option<&'a str>,
    city: Option<&'a str>,
}

pub fn add_person(
    conn: &mut DbConn,
    family_id: i64,
    details: &PersonDetails,
) -> QueryResult<Person> {
    diesel::insert_into(persons::table)
        .values(NewPersonRow {
            family_id,
            name: &details.name,
            date_of_birth: details.date_of_birth,
            role: details.role.code(),
            parental_authority: details.parental_authority,
            created_at: super::now(),
            bsn: details.identity.as_ref().map(|i| i.bsn.as_str()),
            street: details.identity.as_ref().map(|i| i.street.as_str()),
            house_number: details.identity.as_ref().map(|i| i.house_number),
            postcode: details.identity.as_ref().map(|i| i.postcode.as_str()),
            city: details.identity.as_ref().map(|i| i.city.as_str()),
        })
        .returning(persons::all_columns)
        .get_result(conn)
}

pub fn update_person(
    conn: &mut DbConn,
    person_id: i64,
    details: &PersonDetails,
) -> QueryResult<()> {
    diesel::update(persons::table.find(person_id))
        .set((
            persons::name.eq(&details.name),
            persons::date_of_birth.eq(details.date_of_birth),
            persons::role.eq(details.role.code()),
            persons::parental_authority.eq(details.parental_authority),
            persons::bsn.eq(details.identity.as_ref().map(|i| i.bsn.as_str())),
            persons::street.eq(details.identity.as_ref().map(|i| i.street.as_str())),
            persons::house_number.eq(details.identity.as_ref().map(|i| i.house_number)),
            persons::postcode.eq(details.identity.as_ref().map(|i| i.postcode.as_str())),
            persons::city.eq(details.identity.as_ref().map(|i| i.city.as_str())),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn persons(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<Person>> {
    persons::table
        .filter(persons::family_id.eq(family_id))
        .order((persons::date_of_birth.asc(), persons::id.asc()))
        .select(Person::as_select())
        .load(conn)
}

pub fn find_person(
    conn: &mut DbConn,
    family_id: i64,
    person_id: i64,
) -> QueryResult<Option<Person>> {
    persons::table
        .filter(persons::family_id.eq(family_id))
        .filter(persons::id.eq(person_id))
        .select(Person::as_select())
        .first(conn)
        .optional()
}

#[cfg(test)]
mod identity_tests {
    use super::*;

    #[test]
    fn bsn_eleven_test() {
        assert!(valid_bsn("111222333"));
        assert!(valid_bsn("123456782"));
        assert!(!valid_bsn("123456789"));
        assert!(!valid_bsn("012345672"));
        assert!(!valid_bsn("12345678"));
        assert!(!valid_bsn("12345678a"));
    }

    #[test]
    fn postcodes() {
        assert_eq!(normalise_postcode("3511ab").as_deref(), Some("3511 AB"));
        assert_eq!(normalise_postcode(" 3511 AB ").as_deref(), Some("3511 AB"));
        assert_eq!(normalise_postcode("0511 AB"), None);
        assert_eq!(normalise_postcode("3511 A"), None);
        assert_eq!(normalise_postcode("3511 ABC"), None);
        assert_eq!(normalise_postcode("35é1 AB"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_have_four_digits() {
        assert_eq!(format_case_number(2026, 42), "2026-0042");
        assert_eq!(format_case_number(2027, 12345), "2027-12345");
    }

    #[test]
    fn codes_round_trip() {
        for u in Urgency::ALL {
            assert_eq!(Urgency::from_code(u.code()), Some(*u));
        }
        for r in PersonRole::ALL {
            assert_eq!(PersonRole::from_code(r.code()), Some(*r));
        }
        assert_eq!(LegalBasis::from_code("whim"), None);
    }

    #[test]
    fn a_pseudonym_keeps_only_an_initial_and_the_case_number() {
        assert_eq!(
            pseudonym_of("Gezin Jansen", "2026-0042"),
            "Gezin J., 2026-0042"
        );
        assert_eq!(
            pseudonym_of("gezin el amrani", "2026-0057"),
            "Gezin A., 2026-0057"
        );
        assert_eq!(pseudonym_of("", "2026-0001"), "Gezin 2026-0001");
    }

    #[test]
    fn wildcards_in_a_search_are_taken_literally() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
