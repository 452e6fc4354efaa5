//! The family plan (gezinsplan): exactly one current plan per family, versioned. Every save is a new
//! version; a save based on an older version than the current one is refused as a conflict.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::coded_enum;
use super::versioned::{self, Part, Saved};
use crate::db::DbConn;
use crate::schema::{organisations, plan_comments, plan_sections, plan_versions, users};

coded_enum!(
    /// The life domains of the plan.
    LifeDomain, "domain", [
        Safety => "safety",
        Housing => "housing",
        SchoolWork => "school_work",
        Income => "income",
        WellbeingHealth => "wellbeing_health",
        SocialNetwork => "social_network",
    ]
);

/// The parts of a life domain, in the order they are shown.
pub const PARTS: [&str; 5] = ["strengths", "concerns", "wishes", "goals", "agreements"];

/// What the plan says about one life domain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Section {
    pub strengths: String,
    pub concerns: String,
    pub wishes: String,
    pub goals: String,
    pub agreements: String,
}

impl Section {
    pub fn part(&self, name: &str) -> &str {
        match name {
            "strengths" => &self.strengths,
            "concerns" => &self.concerns,
            "wishes" => &self.wishes,
            "goals" => &self.goals,
            "agreements" => &self.agreements,
            _ => "",
        }
    }

    pub fn set_part(&mut self, name: &str, value: String) {
        match name {
            "strengths" => self.strengths = value,
            "concerns" => self.concerns = value,
            "wishes" => self.wishes = value,
            "goals" => self.goals = value,
            "agreements" => self.agreements = value,
            _ => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        PARTS.iter().all(|p| self.part(p).trim().is_empty())
    }
}

/// One version of the plan, with a section per life domain (in `LifeDomain::ALL` order).
#[derive(Clone, Debug)]
pub struct PlanVersion {
    pub version: i32,
    pub author_name: String,
    pub created_at: NaiveDateTime,
    pub sections: Vec<(LifeDomain, Section)>,
}

impl PlanVersion {
    pub fn section(&self, domain: LifeDomain) -> Section {
        self.sections
            .iter()
            .find(|(d, _)| *d == domain)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    }
}

#[derive(Queryable)]
struct SectionRow {
    domain: String,
    strengths: String,
    concerns: String,
    wishes: String,
    goals: String,
    agreements: String,
}

pub fn current_version_number(conn: &mut DbConn, family_id: i64) -> QueryResult<i32> {
    Ok(plan_versions::table
        .filter(plan_versions::family_id.eq(family_id))
        .select(diesel::dsl::max(plan_versions::version))
        .first::<Option<i32>>(conn)?
        .unwrap_or(0))
}

/// A version of the plan; `None` for the number means the current one. None when there is no such version.
pub fn version(
    conn: &mut DbConn,
    family_id: i64,
    number: Option<i32>,
) -> QueryResult<Option<PlanVersion>> {
    let number = match number {
        Some(n) => n,
        None => current_version_number(conn, family_id)?,
    };
    let found: Option<(i64, i32, NaiveDateTime, String)> = plan_versions::table
        .inner_join(users::table.on(users::id.eq(plan_versions::author_user_id)))
        .filter(plan_versions::family_id.eq(family_id))
        .filter(plan_versions::version.eq(number))
        .select((
            plan_versions::id,
            plan_versions::version,
            plan_versions::created_at,
            users::name,
        ))
        .first(conn)
        .optional()?;
    let Some((id, version, created_at, author_name)) = found else {
        return Ok(None);
    };
    let rows: Vec<SectionRow> = plan_sections::table
        .filter(plan_sections::plan_version_id.eq(id))
        .select((
            plan_sections::domain,
            plan_sections::strengths,
            plan_sections::concerns,
            plan_sections::wishes,
            plan_sections::goals,
            plan_sections::agreements,
        ))
        .load(conn)?;
    let sections = LifeDomain::ALL
        .iter()
        .map(|domain| {
            let section = rows
                .iter()
                .find(|r| r.domain == domain.code())
                .map(|r| Section {
                    strengths: r.strengths.clone(),
                    concerns: r.concerns.clone(),
                    wishes: r.wishes.clone(),
                    goals: r.goals.clone(),
                    agreements: r.agreements.clone(),
                })
                .unwrap_or_default();
            (*domain, section)
        })
        .collect();
    Ok(Some(PlanVersion {
        version,
        author_name,
        created_at,
        sections,
    }))
}

/// A summary of each version, newest first: (version, author, when).
pub fn versions(
    conn: &mut DbConn,
    family_id: i64,
) -> QueryResult<Vec<(i32, String, NaiveDateTime)>> {
    plan_versions::table
        .inner_join(users::table.on(users::id.eq(plan_versions::author_user_id)))
        .filter(plan_versions::family_id.eq(family_id))
        .order(plan_versions::version.desc())
        .select((
            plan_versions::version,
            users::name,
            plan_versions::created_at,
        ))
        .load(conn)
}

#[derive(Insertable)]
#[diesel(table_name = plan_versions)]
struct NewVersionRow {
    family_id: i64,
    version: i32,
    author_user_id: i64,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = plan_sections)]
struct NewSectionRow<'a> {
    plan_version_id: i64,
    domain: &'a str,
    strengths: &'a str,
    concerns: &'a str,
    wishes: &'a str,
    goals: &'a str,
    agreements: &'a str,
}

/// The versions of a family's plan, as a versioned document (see `versioned`).
#[derive(Clone, Copy, Debug)]
pub struct FamilyPlan {
    pub family_id: i64,
}

impl versioned::Store for FamilyPlan {
    type Version = PlanVersion;
    fn current_number(&self, conn: &mut DbConn) -> QueryResult<i32> {
        current_version_number(conn, self.family_id)
    }
    fn version(&self, conn: &mut DbConn, number: Option<i32>) -> QueryResult<Option<PlanVersion>> {
        version(conn, self.family_id, number)
    }
}

impl versioned::Version for PlanVersion {
    fn head(&self) -> versioned::Head<'_> {
        versioned::Head::new(self.version, &self.author_name, self.created_at)
    }
    /// Every part of every life domain, named by its domain and its part.
    fn parts(&self) -> Vec<Part> {
        LifeDomain::ALL
            .iter()
            .flat_map(|domain| {
                let section = self.section(*domain);
                PARTS.map(|part| Part {
                    labels: vec![domain.label_key(), format!("plan.part.{part}")],
                    text: section.part(part).to_string(),
                })
            })
            .collect()
    }
}

/// Saves a new version on top of `base_version`; a save based on an older version is a conflict and
/// writes nothing (see `versioned::save`).
pub fn save(
    conn: &mut DbConn,
    family_id: i64,
    base_version: i32,
    author_user_id: i64,
    sections: &[(LifeDomain, Section)],
) -> QueryResult<Saved> {
    let store = FamilyPlan { family_id };
    versioned::save(conn, &store, base_version, |conn, number| {
        let version_id: i64 = diesel::insert_into(plan_versions::table)
            .values(NewVersionRow {
                family_id,
                version: number,
                author_user_id,
                created_at: super::now(),
            })
            .returning(plan_versions::id)
            .get_result(conn)?;
        let rows: Vec<NewSectionRow> = sections
            .iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(domain, s)| NewSectionRow {
                plan_version_id: version_id,
                domain: domain.code(),
                strengths: &s.strengths,
                concerns: &s.concerns,
                wishes: &s.wishes,
                goals: &s.goals,
                agreements: &s.agreements,
            })
            .collect();
        for row in rows {
            diesel::insert_into(plan_sections::table)
                .values(row)
                .execute(conn)?;
        }
        Ok(())
    })
}

#[derive(Clone, Debug)]
pub struct Comment {
    pub plan_version: i32,
    pub author_name: String,
    pub organisation_name: Option<String>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = plan_comments)]
struct NewCommentRow<'a> {
    family_id: i64,
    plan_version: i32,
    author_user_id: i64,
    author_organisation_id: Option<i64>,
    body: &'a str,
    created_at: NaiveDateTime,
}

pub fn add_comment(
    conn: &mut DbConn,
    family_id: i64,
    plan_version: i32,
    author_user_id: i64,
    author_organisation_id: Option<i64>,
    body: &str,
) -> QueryResult<i64> {
    diesel::insert_into(plan_comments::table)
        .values(NewCommentRow {
            family_id,
            plan_version,
            author_user_id,
            author_organisation_id,
            body,
            created_at: super::now(),
        })
        .returning(plan_comments::id)
        .get_result(conn)
}

pub fn comments(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<Comment>> {
    let rows: Vec<(i32, String, Option<String>, String, NaiveDateTime)> = plan_comments::table
        .inner_join(users::table.on(users::id.eq(plan_comments::author_user_id)))
        .left_join(
            organisations::table.on(organisations::id
                .nullable()
                .eq(plan_comments::author_organisation_id)),
        )
        .filter(plan_comments::family_id.eq(family_id))
        .order(plan_comments::id.asc())
        .select((
            plan_comments::plan_version,
            users::name,
            organisations::name.nullable(),
            plan_comments::body,
            plan_comments::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(plan_version, author_name, organisation_name, body, created_at)| Comment {
                plan_version,
                author_name,
                organisation_name,
                body,
                created_at,
            },
        )
        .collect())
}
