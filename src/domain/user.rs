//! Users: professionals of one organisation, organisation admins and system admins.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{organisations, users};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Professional,
    OrgAdmin,
    SystemAdmin,
    /// A member of a family, in the family portal only; made by the family's director, never by an admin.
    Family,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Professional,
        Role::OrgAdmin,
        Role::SystemAdmin,
        Role::Family,
    ];
    /// The roles of staff accounts, which admins grant.
    pub const STAFF: [Role; 3] = [Role::Professional, Role::OrgAdmin, Role::SystemAdmin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Professional => "professional",
            Role::OrgAdmin => "org_admin",
            Role::SystemAdmin => "system_admin",
            Role::Family => "family",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label_key(self) -> String {
        format!("role.{}", self.code())
    }
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub organisation_id: Option<i64>,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub locale: Option<String>,
    pub active: bool,
    pub created_at: chrono::NaiveDateTime,
    pub password_changed_at: Option<chrono::NaiveDateTime>,
}

impl User {
    pub fn role(&self) -> Role {
        // The database only admits the three codes (CHECK constraint); the fallback is the least powerful.
        Role::from_code(&self.role).unwrap_or(Role::Professional)
    }
}

/// A user together with the name of their organisation, as the header and lists show them.
#[derive(Clone, Debug)]
pub struct UserWithOrganisation {
    pub user: User,
    pub organisation_name: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    organisation_id: Option<i64>,
    email: &'a str,
    name: &'a str,
    role: &'a str,
    password_hash: Option<&'a str>,
    active: bool,
    created_at: chrono::NaiveDateTime,
}

pub struct NewUser<'a> {
    pub organisation_id: Option<i64>,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: Option<&'a str>,
}

pub fn create(conn: &mut DbConn, new: NewUser<'_>) -> QueryResult<User> {
    let email = normalize_email(new.email);
    let now = super::now();
    diesel::insert_into(users::table)
        .values(NewUserRow {
            organisation_id: new.organisation_id,
            email: &email,
            name: new.name.trim(),
            role: new.role.code(),
            password_hash: new.password_hash,
            active: true,
            created_at: now,
        })
        .returning(users::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(normalize_email(email)))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn with_organisation(conn: &mut DbConn, user: User) -> QueryResult<UserWithOrganisation> {
    let organisation_name = match user.organisation_id {
        Some(id) => organisations::table
            .find(id)
            .select(organisations::name)
            .first::<String>(conn)
            .optional()?,
        None => None,
    };
    Ok(UserWithOrganisation {
        user,
        organisation_name,
    })
}

/// Everyone, or everyone of one organisation, by name.
pub fn list(
    conn: &mut DbConn,
    organisation_id: Option<i64>,
) -> QueryResult<Vec<UserWithOrganisation>> {
    let mut query = users::table
        .left_join(organisations::table)
        .select((User::as_select(), organisations::name.nullable()))
        .order((users::name.asc(), users::id.asc()))
        .into_boxed();
    if let Some(id) = organisation_id {
        query = query.filter(users::organisation_id.eq(id));
    }
    Ok(query
        .load::<(User, Option<String>)>(conn)?
        .into_iter()
        .map(|(user, organisation_name)| UserWithOrganisation {
            user,
            organisation_name,
        })
        .collect())
}

pub fn set_password_hash(conn: &mut DbConn, user_id: i64, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(hash),
            users::password_changed_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives an account a new name and role.
pub fn update(conn: &mut DbConn, user_id: i64, name: &str, role: Role) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((users::name.eq(name.trim()), users::role.eq(role.code())))
        .execute(conn)?;
    Ok(())
}

/// Switches an account on or off. How many rows changed: 0 when it already was so.
pub fn set_active(conn: &mut DbConn, user_id: i64, active: bool) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id).filter(users::active.ne(active)))
        .set(users::active.eq(active))
        .execute(conn)
}

pub fn set_locale(conn: &mut DbConn, user_id: i64, locale: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::locale.eq(locale))
        .execute(conn)?;
    Ok(())
}

/// Email addresses are compared without case and surrounding space.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A plausible address: one @, something before it, a dot after it, no spaces. Delivery is the real test.
pub fn is_valid_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Why a new password is refused, if it is; the keys are translation keys.
pub fn password_problem(password: &str, repeated: &str) -> Option<&'static str> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        Some("password.too_short")
    } else if chars > PASSWORD_MAX_CHARS {
        Some("password.too_long")
    } else if password != repeated {
        Some("password.mismatch")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_without_case_or_space() {
        assert_eq!(
            normalize_email("  Ahmed.Benali@VeiligThuis.NL "),
            "ahmed.benali@veiligthuis.nl"
        );
    }

    #[test]
    fn implausible_emails_are_refused() {
        assert!(is_valid_email("karin@wijkteam-dordrecht.nl"));
        for bad in [
            "",
            "karin",
            "karin@",
            "@x.nl",
            "karin@nl",
            "ka rin@x.nl",
            "a@b@c.nl",
            "karin@x.",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn passwords_need_length_and_a_matching_repeat() {
        assert_eq!(password_problem("kort", "kort"), Some("password.too_short"));
        assert_eq!(
            password_problem("lang genoeg wachtwoord", "anders"),
            Some("password.mismatch")
        );
        assert_eq!(
            password_problem("lang genoeg wachtwoord", "lang genoeg wachtwoord"),
            None
        );
        let huge = "x".repeat(PASSWORD_MAX_CHARS + 1);
        assert_eq!(password_problem(&huge, &huge), Some("password.too_long"));
    }
}
