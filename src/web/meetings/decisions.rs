//! Decisions and actions on an item, with their checks: the outcome, the family's view (hoor en
//! wederhoor), a safety agreement, a phase step, and who does what by when.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

use super::TEXT_LIMIT;
use super::item::{ActionForm, DecisionForm, ItemData, load_item, not_recordable, refused};
use crate::db::DbConn;
use crate::domain::board_request::RequestDetails;
use crate::domain::decision::{ActionDetails, Decision, DecisionDetails, FamilyView};
use crate::domain::meeting::{MeetingAction, state_allows};
use crate::domain::safety::{self, Criterion, Phase};
use crate::policy;
use crate::record;
use crate::web::access::who;
use crate::web::forms::FieldErrors;
use crate::web::views::safety::ticked;
use crate::web::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};

pub(super) fn parse_id(value: &str) -> Option<i64> {
    value.trim().parse::<i64>().ok()
}

pub(super) fn check_decision(
    form: &DecisionForm,
    outcomes: &[String],
    errors: &mut FieldErrors,
) -> Option<DecisionDetails> {
    let outcome = form.outcome.trim().to_string();
    if !outcomes.contains(&outcome) {
        errors.add("outcome", "decision.outcome_required");
    }
    let text = form.text.replace("\r\n", "\n").trim().to_string();
    if text.is_empty() {
        errors.add("text", "decision.text_required");
    } else if text.chars().count() > TEXT_LIMIT {
        errors.add("text", "form.too_long");
    }
    let rationale = form.rationale.replace("\r\n", "\n").trim().to_string();
    if rationale.is_empty() {
        errors.add("rationale", "decision.rationale_required");
    } else if rationale.chars().count() > TEXT_LIMIT {
        errors.add("rationale", "form.too_long");
    }
    let view = FamilyView::from_code(&form.family_view);
    if view.is_none() {
        errors.add("family_view", "decision.family_view_required");
    }
    let words = form.family_words.replace("\r\n", "\n").trim().to_string();
    if matches!(view, Some(FamilyView::Agrees | FamilyView::Disagrees)) && words.is_empty() {
        errors.add("family_words", "decision.family_words_required");
    }
    if !errors.is_empty() {
        return None;
    }
    Some(DecisionDetails {
        outcome,
        text,
        rationale,
        family_view: view?,
        family_words: words,
        refer_to_table_id: parse_id(&form.refer_to_table_id),
        new_director_user_id: parse_id(&form.new_director_user_id),
    })
}

/// The safety agreement a decision adds to the family's safety plan ("agreement_who", "_what", "_when",
/// "_check", "_review_on"), if any of it is filled in. Problems go into `errors`.
pub(super) fn check_agreement(
    form: &DecisionForm,
    errors: &mut FieldErrors,
) -> Option<std::collections::BTreeMap<String, String>> {
    let field = |name: &str| {
        form.rest
            .get(&format!("agreement_{name}"))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut row: std::collections::BTreeMap<String, String> =
        ["who", "what", "when", "check", "review_on"]
            .iter()
            .map(|n| (n.to_string(), field(n)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
    if row.is_empty() {
        return None;
    }
    if !row.contains_key("who") {
        errors.add("agreement_who", "phase_plan.safety.row_who_required");
    }
    if !row.contains_key("what") {
        errors.add("agreement_what", "phase_plan.safety.row_what_required");
    }
    if row.values().any(|v| v.chars().count() > 1000) {
        errors.add("agreement_what", "form.too_long");
    }
    if let Some(date) = row.get("review_on").cloned() {
        match crate::time::parse_date(&date) {
            Some(d) => {
                row.insert("review_on".into(), d.to_string());
            }
            None => errors.add("agreement_review_on", "form.date_invalid"),
        }
    }
    Some(row)
}

/// The request to the Raad a decision with the table's hand-off outcome makes ("board_owner_user_id",
/// "_due_on", "_question", "_grounds", "_tried", "_family_view", "_no_notice", "_no_notice_reason"):
/// everything but the reason is needed, and the reason when the family is not to see a notice. The
/// owner is one of the Raad's professionals offered. Problems go into `errors`.
pub(super) fn check_board_request(
    form: &DecisionForm,
    data: &ItemData,
    errors: &mut FieldErrors,
) -> Option<RequestDetails> {
    let field = |name: &str| {
        form.rest
            .get(&format!("board_{name}"))
            .map(|v| v.replace("\r\n", "\n").trim().to_string())
            .unwrap_or_default()
    };
    let text = |name: &'static str, errors: &mut FieldErrors| {
        let value = field(name);
        let id = match name {
            "question" => "board_question",
            "grounds" => "board_grounds",
            "tried" => "board_tried",
            "family_view" => "board_family_view",
            _ => "board_no_notice_reason",
        };
        if value.is_empty() {
            errors.add(id, "board.field_required");
        } else if value.chars().count() > TEXT_LIMIT {
            errors.add(id, "form.too_long");
        }
        value
    };
    let question = text("question", errors);
    let grounds = text("grounds", errors);
    let tried = text("tried", errors);
    let family_view = text("family_view", errors);
    let no_notice_reason = (field("no_notice") == "ja").then(|| text("no_notice_reason", errors));
    let owner = parse_id(&field("owner_user_id"))
        .filter(|id| data.board_people.iter().any(|(p, _)| p == id));
    if owner.is_none() {
        errors.add("board_owner_user_id", "board.owner_required");
    }
    let due = crate::time::parse_date(&field("due_on"));
    match due {
        None => errors.add("board_due_on", "action.due_invalid"),
        Some(d) if d < crate::time::today() => errors.add("board_due_on", "action.due_past"),
        Some(_) => {}
    }
    let (Some(owner_user_id), Some(due_on), true) = (owner, due, errors.is_empty()) else {
        return None;
    };
    Some(RequestDetails {
        question,
        grounds,
        tried,
        family_view,
        due_on,
        owner_user_id,
        no_notice_reason,
    })
}

/// Adds an agreement decided at the meeting to the family's safety plan, as a new version.
pub(super) fn add_agreement(
    conn: &mut DbConn,
    by: &record::Who,
    family_id: i64,
    row: std::collections::BTreeMap<String, String>,
) -> Result<(), AppError> {
    let plan = safety::PlanRef {
        family_id,
        kind: safety::PlanKind::Safety,
        person_id: None,
    };
    let current = safety::plan_version(conn, plan, None)?;
    let base = current.as_ref().map_or(0, |p| p.version);
    let review_on = current.as_ref().and_then(|p| p.review_on);
    let mut content = current.map(|p| p.content).unwrap_or_default();
    if content.rows.len() >= crate::web::views::safety::MAX_ROWS {
        return Err(AppError::Unprocessable(
            "the safety plan has as many agreements as its form can hold".into(),
        ));
    }
    content.rows.push(row);
    // Inside the write transaction nobody saves in between, so this cannot conflict.
    record::save_phase_plan(conn, by, plan, base, review_on, &content)?;
    Ok(())
}

/// The phase step a decision form asks for, checked against the steps open to the family and the
/// checklist of the table's kind. Problems go into `errors` under "phase_to".
pub(super) fn check_phase_change(
    form: &DecisionForm,
    data: &ItemData,
    errors: &mut FieldErrors,
) -> Result<Option<(Phase, Vec<Criterion>)>, AppError> {
    let value = form.phase_to.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let to = value
        .parse::<i32>()
        .ok()
        .and_then(Phase::from_number)
        .ok_or_else(|| AppError::Unprocessable("unknown phase".into()))?;
    let Some(choice) = data.phase_choices.iter().find(|c| c.to == to) else {
        errors.add("phase_to", "phase.not_possible");
        return Ok(None);
    };
    let checklist = ticked(choice, &form.rest, &format!("phase_check_{}_", to.number()));
    if let Some(problem) = safety::check_transition(choice.step, &checklist, &form.rationale) {
        // A missing rationale is already reported on the rationale field.
        if problem != "phase.rationale_required" {
            errors.add("phase_to", problem);
        }
        return Ok(None);
    }
    Ok(Some((to, checklist)))
}

pub async fn record_decision(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id), form) = (user.0, path.into_inner(), form.into_inner());
    let again = user.clone();
    let typed = form.clone();
    let outcome = state
        .write(move |conn| decide(conn, &user, (meeting_id, item_id), &form))
        .await?;
    match outcome {
        Ok((family, announced)) => {
            state.wake(announced);
            // The family hears that a decision about them was taken (no details in the mail).
            if let Some(family_id) = family {
                crate::web::notify::notify_family(
                    &state,
                    family_id,
                    crate::domain::portal::Category::Decisions,
                )
                .await;
            }
            Ok(see_other(&format!(
                "/bijeenkomsten/{meeting_id}/punten/{item_id}?melding=besluit-opgeslagen#besluiten"
            )))
        }
        Err(refusal) => {
            refused(
                &state,
                again,
                ctx,
                (meeting_id, item_id),
                "decision",
                refusal,
                |p| p.decision_form = typed,
            )
            .await
        }
    }
}

/// Why a form on the item page was not taken: the problem, and the fields it is about.
type Refusal = (&'static str, FieldErrors);

/// Records a decision on an item, with the phase step and safety agreement it may carry; refuses with
/// the reason when the item takes no decision now or the form has errors. Returns the item's family.
fn decide(
    conn: &mut DbConn,
    user: &SignedIn,
    (meeting_id, item_id): (i64, i64),
    form: &DecisionForm,
) -> Result<Result<(Option<i64>, record::Announced), Refusal>, AppError> {
    let data = load_item(conn, user, meeting_id, item_id)?;
    if !policy::seat_allows(data.seat, MeetingAction::Record) {
        return Err(AppError::Forbidden);
    }
    let supersedes = match parse_id(&form.supersedes) {
        Some(id) => Some(
            data.decisions
                .iter()
                .find(|d| d.decision.id == id)
                .map(|d| (d.decision.clone(), d.superseded_by))
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    if let Some(problem) = decision_refusal(&data, supersedes.as_ref()) {
        return Ok(Err((problem, FieldErrors::default())));
    }
    let mut errors = FieldErrors::default();
    let checked = check_decision(form, &data.table.outcomes(), &mut errors);
    let phase_change = check_phase_change(form, &data, &mut errors)?;
    let agreement = check_agreement(form, &mut errors);
    let Some(details) = checked.filter(|_| errors.is_empty()) else {
        return Ok(Err(("form.errors_title", errors)));
    };
    let hands_off = data.table.hands_off(&details.outcome)
        && supersedes.is_none()
        && data.view.item.family_id.is_some();
    let board = if hands_off {
        match check_board_request(form, &data, &mut errors) {
            Some(board) => Some(board),
            None => return Ok(Err(("form.errors_title", errors))),
        }
    } else {
        None
    };
    let changes_safety = phase_change.is_some() || agreement.is_some();
    check_decision_choices(&data, &details, supersedes.is_some(), changes_safety)?;
    let by = who(user);
    let (created, announced) = record::record_decision(
        conn,
        &by,
        &data.meeting,
        &data.table,
        &data.view.item,
        &details,
        supersedes.as_ref().map(|(d, _)| d),
    )?;
    if let (Some(row), Some(family_id)) = (agreement, data.view.item.family_id) {
        add_agreement(conn, &by, family_id, row)?;
    }
    let announced = match board {
        Some(board) => {
            let at = (&data.meeting, &data.view.item, &created);
            let (_, more) = record::submit_board_request(conn, &by, at, &board)?;
            announced.and(more)
        }
        None => announced,
    };
    if let (Some((to, checklist)), Some(family_id)) = (phase_change, data.view.item.family_id) {
        record::change_phase(
            conn,
            &by,
            family_id,
            to,
            &checklist,
            &details.rationale,
            Some((&data.meeting, &data.table, created.id)),
        )?;
    }
    Ok(Ok((data.view.item.family_id, announced)))
}

/// Whether a decision may be recorded now, or the text that says why not. After closing, only the
/// chair corrects, and only by superseding a decision that was not replaced yet.
fn decision_refusal(
    data: &ItemData,
    supersedes: Option<&(Decision, Option<i64>)>,
) -> Option<&'static str> {
    match supersedes {
        None => not_recordable(data),
        Some((_, replaced))
            if policy::may_correct(data.seat, data.meeting.state(), replaced.is_some()) =>
        {
            None
        }
        // Closed, but not for this user or this decision.
        Some(_) if state_allows(data.meeting.state(), MeetingAction::Correct) => {
            Some("meeting.closed_decisions")
        }
        Some(_) => Some("decision.correct_after_closing"),
    }
}

/// The choices a decision makes must be ones the page offered: a phase step or safety agreement only
/// in a new decision about a family, a table and a director from the lists, and neither without a
/// family. A form that breaks this was not sent by the page, so it is refused outright.
fn check_decision_choices(
    data: &ItemData,
    details: &DecisionDetails,
    supersedes: bool,
    changes_safety: bool,
) -> Result<(), AppError> {
    if changes_safety && (supersedes || data.view.item.family_id.is_none()) {
        return Err(AppError::Unprocessable(
            "only a new decision about a family changes its phase or safety plan".into(),
        ));
    }
    if details
        .refer_to_table_id
        .is_some_and(|t| !data.tables.iter().any(|x| x.id == t))
        || details
            .new_director_user_id
            .is_some_and(|u| !data.involved.iter().any(|(id, _)| *id == u))
        || (data.view.item.family_id.is_none()
            && (details.refer_to_table_id.is_some() || details.new_director_user_id.is_some()))
    {
        return Err(AppError::Unprocessable("decision choices".into()));
    }
    Ok(())
}

pub async fn add_action(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id), form) = (user.0, path.into_inner(), form.into_inner());
    let again = user.clone();
    let typed = form.clone();
    let today = crate::time::today();
    let outcome = state
        .write(move |conn| add_action_to_item(conn, &user, (meeting_id, item_id), &form, today))
        .await?;
    match outcome {
        Ok(announced) => {
            state.wake(announced);
            Ok(see_other(&format!(
                "/bijeenkomsten/{meeting_id}/punten/{item_id}?melding=actie-toegevoegd#acties"
            )))
        }
        Err(refusal) => {
            refused(
                &state,
                again,
                ctx,
                (meeting_id, item_id),
                "action",
                refusal,
                |p| p.action_form = typed,
            )
            .await
        }
    }
}

/// Adds an action to an item; refuses with the reason when the item takes no actions now or the form
/// has errors.
fn add_action_to_item(
    conn: &mut DbConn,
    user: &SignedIn,
    (meeting_id, item_id): (i64, i64),
    form: &ActionForm,
    today: NaiveDate,
) -> Result<Result<record::Announced, Refusal>, AppError> {
    let data = load_item(conn, user, meeting_id, item_id)?;
    if !policy::seat_allows(data.seat, MeetingAction::Record) {
        return Err(AppError::Forbidden);
    }
    if let Some(problem) = not_recordable(&data) {
        return Ok(Err((problem, FieldErrors::default())));
    }
    let checked = match check_action(form, &data, today) {
        Ok(checked) => checked,
        Err(errors) => return Ok(Err(("form.errors_title", errors))),
    };
    let owner = record::who(conn, checked.owner)?;
    let details = ActionDetails {
        description: checked.description,
        owner_user_id: owner.user_id,
        owner_organisation_id: owner.organisation_id.ok_or(AppError::NotFound)?,
        due_on: checked.due,
        condition: checked.condition,
        family_informed_how: checked.informed,
    };
    let (_, announced) = record::add_action(
        conn,
        &who(user),
        &data.meeting,
        &data.view.item,
        checked.decision_id,
        &details,
        &owner,
    )?;
    Ok(Ok(announced))
}

/// An action form as checked: the owner is one of the people offered, the decision one on this item.
struct CheckedAction {
    description: String,
    owner: i64,
    due: NaiveDate,
    condition: String,
    informed: String,
    decision_id: Option<i64>,
}

/// Checks an action form; the errors name their fields.
fn check_action(
    form: &ActionForm,
    data: &ItemData,
    today: NaiveDate,
) -> Result<CheckedAction, FieldErrors> {
    let mut errors = FieldErrors::default();
    let description = form.description.replace("\r\n", "\n").trim().to_string();
    if description.is_empty() {
        errors.add("description", "action.description_required");
    } else if description.chars().count() > TEXT_LIMIT {
        errors.add("description", "form.too_long");
    }
    let owner = parse_id(&form.owner_user_id).filter(|id| data.people.iter().any(|(p, _)| p == id));
    if owner.is_none() {
        errors.add("owner_user_id", "action.owner_required");
    }
    let due = NaiveDate::parse_from_str(form.due_on.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(form.due_on.trim(), "%d-%m-%Y"))
        .ok();
    match due {
        None => errors.add("due_on", "action.due_invalid"),
        Some(d) if d < today => errors.add("due_on", "action.due_past"),
        Some(_) => {}
    }
    let condition = form.condition.trim().to_string();
    let informed = form.family_informed_how.trim().to_string();
    if condition.chars().count() > TEXT_LIMIT {
        errors.add("condition", "form.too_long");
    }
    if informed.chars().count() > TEXT_LIMIT {
        errors.add("family_informed_how", "form.too_long");
    }
    let decision_id = parse_id(&form.decision_id)
        .filter(|id| data.decisions.iter().any(|d| d.decision.id == *id));
    let (Some(owner), Some(due), true) = (owner, due, errors.is_empty()) else {
        return Err(errors);
    };
    Ok(CheckedAction {
        description,
        owner,
        due,
        condition,
        informed,
        decision_id,
    })
}
