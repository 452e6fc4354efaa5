//! Organisations (ketenpartners): every professional belongs to exactly one.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::organisations;

/// The kinds of organisation at the tables; stored as their code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrganisationKind {
    LocalTeam,
    VeiligThuis,
    CertifiedInstitution,
    ChildProtectionBoard,
    Police,
    PublicProsecutor,
    Probation,
    MentalHealth,
    YouthHealthCare,
    School,
    Municipality,
    CareProvider,
    SafetyHouse,
    Other,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 14] = [
        Self::LocalTeam,
        Self::VeiligThuis,
        Self::CertifiedInstitution,
        Self::ChildProtectionBoard,
        Self::Police,
        Self::PublicProsecutor,
        Self::Probation,
        Self::MentalHealth,
        Self::YouthHealthCare,
        Self::School,
        Self::Municipality,
        Self::CareProvider,
        Self::SafetyHouse,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::LocalTeam => "local_team",
            Self::VeiligThuis => "veilig_thuis",
            Self::CertifiedInstitution => "certified_institution",
            Self::ChildProtectionBoard => "child_protection_board",
            Self::Police => "police",
            Self::PublicProsecutor => "public_prosecutor",
            Self::Probation => "probation",
            Self::MentalHealth => "mental_health",
            Self::YouthHealthCare => "youth_health_care",
            Self::School => "school",
            Self::Municipality => "municipality",
            Self::CareProvider => "care_provider",
            Self::SafetyHouse => "safety_house",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The translation key of the kind's name.
    pub fn label_key(self) -> String {
        format!("organisation_kind.{}", self.code())
    }
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub oin: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    /// Whether its staff must use a second factor; None follows the deployment's default
    /// (`SAMENSPEL_SECOND_FACTOR`).
    pub second_factor_required: Option<bool>,
}

impl Organisation {
    pub fn kind(&self) -> OrganisationKind {
        OrganisationKind::from_code(&self.kind).unwrap_or(OrganisationKind::Other)
    }
}

#[derive(Insertable)]
#[diesel(table_name = organisations)]
pub struct NewOrganisation<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub oin: Option<&'a str>,
    pub created_at: chrono::NaiveDateTime,
}

pub fn create(
    conn: &mut DbConn,
    name: &str,
    kind: OrganisationKind,
    oin: Option<&str>,
) -> QueryResult<Organisation> {
    diesel::insert_into(organisations::table)
        .values(NewOrganisation {
            name,
            kind: kind.code(),
            oin,
            created_at: super::now(),
        })
        .returning(organisations::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Organisation>> {
    organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<Organisation>> {
    organisations::table
        .filter(organisations::name.eq(name))
        .select(Organisation::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<Organisation>> {
    organisations::table
        .order(organisations::name.asc())
        .select(Organisation::as_select())
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_code() {
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(OrganisationKind::from_code("bakery"), None);
    }
}
