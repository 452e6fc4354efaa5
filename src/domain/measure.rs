//! Measures per child: the child protection measures a table weighs and the region wants to prevent
//! (ondertoezichtstelling, machtiging uithuisplaatsing, voogdij), a temporary restraining order
//! (tijdelijk huisverbod) and a voluntary placement, each with who decided it and from when to when.
//! Ending a measure keeps it: the history lists it as ended.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::domain::coded_enum;
use crate::schema::{measures, persons};

coded_enum!(
    /// What kind of measure.
    MeasureKind, "measure_kind", [
        SupervisionOrder => "ots",
        PlacementOrder => "uithuisplaatsing",
        Guardianship => "voogdij",
        RestrainingOrder => "huisverbod",
        VoluntaryPlacement => "vrijwillige_plaatsing",
    ]
);

coded_enum!(
    /// Who decided it.
    DecidingBody, "deciding_body", [
        JuvenileJudge => "kinderrechter",
        Mayor => "burgemeester",
        CertifiedInstitution => "gi",
        Parents => "ouders",
        Other => "anders",
    ]
);

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = measures)]
pub struct Measure {
    pub id: i64,
    pub family_id: i64,
    pub person_id: i64,
    pub kind: String,
    pub decided_by: String,
    pub starts_on: NaiveDate,
    pub planned_end_on: Option<NaiveDate>,
    pub note: String,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: String,
    pub recorded_by_user_id: i64,
    pub created_at: NaiveDateTime,
    pub ended_by_user_id: Option<i64>,
}

impl Measure {
    pub fn kind(&self) -> MeasureKind {
        MeasureKind::from_code(&self.kind).unwrap_or(MeasureKind::SupervisionOrder)
    }

    pub fn body(&self) -> DecidingBody {
        DecidingBody::from_code(&self.decided_by).unwrap_or(DecidingBody::Other)
    }

    /// Runs on `day`: started, not ended, and its planned end (if any) not passed.
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        self.starts_on <= day
            && self.ended_on.is_none()
            && self.planned_end_on.is_none_or(|end| end >= day)
    }

    /// Over on `day`: ended, or past its planned end.
    pub fn over_on(&self, day: NaiveDate) -> bool {
        self.ended_on.is_some() || self.planned_end_on.is_some_and(|end| end < day)
    }
}

/// A measure with the name of the member it concerns.
#[derive(Clone, Debug)]
pub struct MeasureRow {
    pub measure: Measure,
    pub person_name: String,
}

/// The family's measures, the latest start first.
pub fn for_family(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<MeasureRow>> {
    let found: Vec<(Measure, String)> = measures::table
        .inner_join(persons::table.on(persons::id.eq(measures::person_id)))
        .filter(measures::family_id.eq(family_id))
        .order((measures::starts_on.desc(), measures::id.desc()))
        .select((Measure::as_select(), persons::name))
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|(measure, person_name)| MeasureRow {
            measure,
            person_name,
        })
        .collect())
}

pub fn find(conn: &mut DbConn, family_id: i64, id: i64) -> QueryResult<Option<Measure>> {
    measures::table
        .find(id)
        .filter(measures::family_id.eq(family_id))
        .select(Measure::as_select())
        .first(conn)
        .optional()
}

/// A new measure, checked.
pub struct NewMeasure {
    pub family_id: i64,
    pub person_id: i64,
    pub kind: MeasureKind,
    pub decided_by: DecidingBody,
    pub starts_on: NaiveDate,
    pub planned_end_on: Option<NaiveDate>,
    pub note: String,
    pub recorded_by_user_id: i64,
}

pub fn insert(conn: &mut DbConn, new: &NewMeasure) -> QueryResult<i64> {
    diesel::insert_into(measures::table)
        .values((
            measures::family_id.eq(new.family_id),
            measures::person_id.eq(new.person_id),
            measures::kind.eq(new.kind.code()),
            measures::decided_by.eq(new.decided_by.code()),
            measures::starts_on.eq(new.starts_on),
            measures::planned_end_on.eq(new.planned_end_on),
            measures::note.eq(&new.note),
            measures::recorded_by_user_id.eq(new.recorded_by_user_id),
            measures::created_at.eq(super::now()),
        ))
        .returning(measures::id)
        .get_result(conn)
}

/// Ends a running measure on `on` with a reason; false when it had ended already.
pub fn end(
    conn: &mut DbConn,
    id: i64,
    on: NaiveDate,
    reason: &str,
    by_user_id: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        measures::table
            .find(id)
            .filter(measures::ended_on.is_null()),
    )
    .set((
        measures::ended_on.eq(Some(on)),
        measures::end_reason.eq(reason),
        measures::ended_by_user_id.eq(Some(by_user_id)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(start: &str, planned: Option<&str>, ended: Option<&str>) -> Measure {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Measure {
            id: 1,
            family_id: 1,
            person_id: 1,
            kind: "ots".into(),
            decided_by: "kinderrechter".into(),
            starts_on: d(start),
            planned_end_on: planned.map(d),
            note: String::new(),
            ended_on: ended.map(d),
            end_reason: String::new(),
            recorded_by_user_id: 1,
            created_at: chrono::NaiveDateTime::default(),
            ended_by_user_id: None,
        }
    }

    #[test]
    fn a_measure_runs_from_its_start_until_it_ends_or_its_planned_end_passes() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert!(measure("2026-06-01", Some("2027-06-01"), None).runs_on(day));
        assert!(measure("2026-06-01", None, None).runs_on(day));
        assert!(!measure("2026-12-03", None, None).runs_on(day));
        let ended = measure("2026-06-01", None, Some("2026-11-30"));
        assert!(!ended.runs_on(day) && ended.over_on(day));
        let lapsed = measure("2026-11-20", Some("2026-11-30"), None);
        assert!(!lapsed.runs_on(day) && lapsed.over_on(day));
        assert!(!measure("2026-12-03", None, None).over_on(day));
    }
}
