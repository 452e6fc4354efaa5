//! The form of a table and of a table kind: both set the criteria, outcome options and access period.

use serde::Deserialize;

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
