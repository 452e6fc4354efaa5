//! Phased work on safety ("Gefaseerd werken aan veiligheid"): the phase of a family and its
//! transitions with their checklists, the plan of each phase (veiligheidsplan, hulpverleningsplan,
//! herstelplan per member; each versioned), the safety scale, and the reviews that are overdue.
//!
//! One file per job; everything is used as `domain::safety::…`.

mod overdue;
mod phases;
mod plans;
mod scale;

pub use overdue::{
    Overdue, claim_digest, directors, overdue_for_director, overdue_in, release_digest,
};
pub use phases::{
    Criterion, DEFAULT_BACK, DEFAULT_TO_RECOVERY, DEFAULT_TO_STABLE, NewPhase, Phase, PhaseChange,
    Step, check_transition, criteria, current, history, insert_phase, step, targets,
};
pub use plans::{
    FieldType, InterventionStatus, PhasePlan, PlanContent, PlanKind, PlanRef, RowField, Schema,
    cell, current_plans, current_plans_of, plan_version, plan_versions, row_line, row_overdue,
    row_review_on, save_plan,
};
pub use scale::{NewScore, Score, ScoreSource, add_score, scores};
