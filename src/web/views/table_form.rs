//! The form of a table and of a table kind: both set the criteria, outcome options and access period.

use serde::Deserialize;

use crate::domain::table::AnswerDeadlines;
use crate::web::forms::{FieldErrors, TEXT_LIMIT, text};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct TableForm {
    #[serde(default)]
    pub(crate) kind_id: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) region: String,
    #[serde(default)]
    pub(crate) referral_criteria: String,
    #[serde(default)]
    pub(crate) outcome_options: String,
    #[serde(default)]
    pub(crate) access_days: String,
    /// The outcome that asks the Raad voor de Kinderbescherming to investigate ("" for none).
    #[serde(default)]
    pub(crate) board_outcome: String,
    /// The outcomes that put the family in aftercare, one per line; None when the form has no such
    /// field (then the setting stays as it is).
    #[serde(default)]
    pub(crate) aftercare_outcomes: Option<String>,
    /// Only on a table: "link" or "attachment" (how the besluitenlijst is sent).
    #[serde(default)]
    pub(crate) send_mode: String,
    /// Only on the kinds page: the checklists of the safety phases, one criterion per line.
    #[serde(default)]
    pub(crate) phase_criteria_up_2: String,
    #[serde(default)]
    pub(crate) phase_criteria_up_3: String,
    #[serde(default)]
    pub(crate) phase_criteria_back: String,
    /// Only on the kinds page: how soon referrals are answered (crisis in hours, the others in
    /// working days).
    #[serde(default)]
    pub(crate) answer_hours_crisis: String,
    #[serde(default)]
    pub(crate) answer_days_urgent: String,
    #[serde(default)]
    pub(crate) answer_days_regular: String,
    /// Only for a new kind: the partnership it belongs to.
    #[serde(default)]
    pub(crate) partnership_id: String,
}

impl TableForm {
    /// The settings a table shares with its kind: criteria, outcome options and access period.
    pub(crate) fn settings(&self, errors: &mut FieldErrors) -> (String, String, i32) {
        let criteria = text(
            errors,
            "referral_criteria",
            &self.referral_criteria,
            "",
            TEXT_LIMIT,
        );
        let outcomes = text(
            errors,
            "outcome_options",
            &self.outcome_options,
            "tables.outcomes_required",
            TEXT_LIMIT,
        );
        (criteria, outcomes, access_days(errors, &self.access_days))
    }

    /// The hand-off outcome to the Raad as typed: one line, not longer than an option may be.
    pub(crate) fn board_outcome(&self, errors: &mut FieldErrors) -> String {
        let board = self.board_outcome.trim();
        if board.contains('\n') || board.chars().count() > 200 {
            errors.add("board_outcome", "tables.board_outcome_invalid");
        }
        board.to_string()
    }
}

impl TableForm {
    /// The aftercare outcomes as typed (None: not in the form): short lines, like outcome options.
    pub(crate) fn aftercare_outcomes(&self, errors: &mut FieldErrors) -> Option<String> {
        let typed = self.aftercare_outcomes.as_deref()?;
        let lines = crate::domain::table::lines(typed);
        if lines.iter().any(|l| l.chars().count() > 200) || lines.len() > 20 {
            errors.add("aftercare_outcomes", "tables.aftercare_outcomes_invalid");
        }
        Some(lines.join("\n"))
    }

    /// A kind's answer deadlines: crisis 1 to 72 hours, spoed and regulier 1 to 30 working days.
    pub(crate) fn deadlines(&self, errors: &mut FieldErrors) -> AnswerDeadlines {
        let mut number = |field: &'static str, value: &str, max: i32, key: &'static str| match value
            .trim()
            .parse::<i32>()
        {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                errors.add(field, key);
                1
            }
        };
        AnswerDeadlines {
            crisis_hours: number(
                "answer_hours_crisis",
                &self.answer_hours_crisis,
                72,
                "kinds.crisis_hours_invalid",
            ),
            urgent_days: number(
                "answer_days_urgent",
                &self.answer_days_urgent,
                30,
                "kinds.working_days_invalid",
            ),
            regular_days: number(
                "answer_days_regular",
                &self.answer_days_regular,
                30,
                "kinds.working_days_invalid",
            ),
        }
    }
}

fn access_days(errors: &mut FieldErrors, value: &str) -> i32 {
    match value.trim().parse::<i32>() {
        Ok(n) if (0..=365).contains(&n) => n,
        _ => {
            errors.add("access_days", "tables.access_days_invalid");
            0
        }
    }
}
