//! The parts of a member's copy beyond the plan, decisions and actions (issue 20): the phase plans
//! (safety, care and recovery plans), the safety phases, the safety scores, the measures, and the
//! meetings that discussed the family with the minutes shared with this member. Cut as the portal cuts:
//! the safety and care plans follow the safety plan's category, another member's recovery plan needs
//! their consent, meetings follow their category, minutes the sharing rule (`Cut`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::date;
use super::shared::Cut;
use crate::db::DbConn;
use crate::domain::portal::{self, Category, Thing};
use crate::domain::safety;
use crate::export::subject::{LeftOut, Part};
use crate::schema::{agenda_items, consultation_tables, meetings, shared_minutes};

/// The record's parts for the member, appended to `parts` (what is left out goes to `cut.left_out`).
pub fn record_parts(
    conn: &mut DbConn,
    family_id: i64,
    cut: &mut Cut,
    kept: &dyn Fn(Category) -> bool,
) -> QueryResult<Vec<Part>> {
    let mut parts = vec![phase_plans(
        conn,
        family_id,
        cut,
        kept(Category::SafetyPlan),
    )?];
    parts.push(phases(conn, family_id, cut)?);
    parts.push(scores(conn, family_id)?);
    parts.push(measures(conn, family_id, cut)?);
    if !kept(Category::Meetings) {
        parts.push(meetings_part(conn, family_id, cut)?);
    }
    Ok(parts)
}

fn phase_plans(
    conn: &mut DbConn,
    family_id: i64,
    cut: &mut Cut,
    safety_kept: bool,
) -> QueryResult<Part> {
    let mut lines = Vec::new();
    for plan in safety::current_plans(conn, family_id)? {
        let title = match plan.person_id {
            Some(person) => {
                let name = cut.name_of(person);
                if person != cut.me && !portal::has_consented(conn, person)? {
                    cut.left_out.push(LeftOut {
                        part: "recovery_plan".into(),
                        what: name,
                        reason: cut.i18n.t("data_request.no_consent"),
                    });
                    continue;
                }
                cut.i18n
                    .t_with("phase_plan.recovery_of", &[("name", name.as_str())])
            }
            None if safety_kept => continue,
            None => cut.i18n.t(&plan.kind.label_key()),
        };
        let schema = plan.kind.schema();
        for name in schema.texts {
            let text = plan.content.text(name).trim();
            if !text.is_empty() {
                let field = cut.i18n.t(&format!("{}.{name}", plan.kind.label_key()));
                lines.push(format!("{title} — {field}: {text}"));
            }
        }
        for row in &plan.content.rows {
            let line = safety::row_line(row, schema);
            if !line.is_empty() {
                lines.push(format!("{title} — {line}"));
            }
        }
    }
    Ok(Part {
        key: "phase_plans".into(),
        lines,
    })
}

fn phases(conn: &mut DbConn, family_id: i64, cut: &Cut) -> QueryResult<Part> {
    Ok(Part {
        key: "phases".into(),
        lines: safety::history(conn, family_id)?
            .into_iter()
            .map(|p| {
                let by = p.table_name.clone().unwrap_or(p.decided_by.clone());
                let mut line = format!(
                    "{} — {} ({by})",
                    date(p.started_at),
                    cut.i18n.t(&p.phase.label_key())
                );
                // The rationale is the decision's: only when the member sees that decision.
                let decision_shown = p
                    .decision_id
                    .is_none_or(|d| cut.sharing.shows(cut.me, &Thing::decision(d)));
                if decision_shown && !p.rationale.trim().is_empty() {
                    line.push_str(&format!(": {}", p.rationale.trim()));
                }
                line
            })
            .collect(),
    })
}

fn scores(conn: &mut DbConn, family_id: i64) -> QueryResult<Part> {
    Ok(Part {
        key: "scores".into(),
        lines: safety::scores(conn, family_id)?
            .into_iter()
            .map(|s| {
                let mut line = format!("{} — {}/10 — {}", s.scored_on, s.score, s.given_by);
                if !s.explanation.trim().is_empty() {
                    line.push_str(&format!(": {}", s.explanation.trim()));
                }
                line
            })
            .collect(),
    })
}

fn measures(conn: &mut DbConn, family_id: i64, cut: &Cut) -> QueryResult<Part> {
    Ok(Part {
        key: "measures".into(),
        lines: crate::domain::measure::for_family(conn, family_id)?
            .into_iter()
            .map(|row| {
                let m = &row.measure;
                let mut line = format!(
                    "{} — {} — {}",
                    cut.i18n.t(&m.kind().label_key()),
                    row.person_name,
                    m.starts_on
                );
                if let Some(end) = m.ended_on.or(m.planned_end_on) {
                    line.push_str(&format!(" – {end}"));
                }
                line
            })
            .collect(),
    })
}

/// The meetings that discussed the family, with the minutes shared with this member.
fn meetings_part(conn: &mut DbConn, family_id: i64, cut: &mut Cut) -> QueryResult<Part> {
    let rows: Vec<(i64, NaiveDateTime, String, String, Option<i64>)> = agenda_items::table
        .inner_join(meetings::table.on(meetings::id.eq(agenda_items::meeting_id)))
        .inner_join(consultation_tables::table.on(consultation_tables::id.eq(meetings::table_id)))
        .left_join(shared_minutes::table.on(shared_minutes::agenda_item_id.eq(agenda_items::id)))
        .filter(agenda_items::family_id.eq(family_id))
        .filter(meetings::agenda_published_at.is_not_null())
        .order(meetings::starts_at.asc())
        .select((
            agenda_items::id,
            meetings::starts_at,
            consultation_tables::name,
            agenda_items::minutes,
            shared_minutes::agenda_item_id.nullable(),
        ))
        .load(conn)?;
    let mut lines = Vec::new();
    for (item, at, table, minutes, shared) in rows {
        lines.push(format!("{} — {table}", date(at)));
        let what = format!("{} — {table}", date(at));
        if shared.is_some()
            && !minutes.trim().is_empty()
            && cut.keeps(&Thing::minutes(item), "minutes", what)
        {
            lines.push(format!("{} — {}", date(at), minutes.trim()));
        }
    }
    Ok(Part {
        key: "meetings".into(),
        lines,
    })
}
