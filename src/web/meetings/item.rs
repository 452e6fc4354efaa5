//! One agenda item: its page (minutes, decisions, actions, the family's view) for those who may see it.
//! How the minutes are saved is in `minutes`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::db::{self, DbConn};
use crate::domain::decision::{self, ActionRow, Decision};
use crate::domain::family::{self, Family};
use crate::domain::meeting::{self, ItemKind, Meeting, MeetingAction, minutes};
use crate::domain::referral::{self, Referral};
use crate::domain::table::{self, Table};
use crate::policy;
use crate::web::access::log_access;
use crate::web::access::{Seat, meeting_for};
use crate::web::forms::FieldErrors;
use crate::web::html;
use crate::web::views::choices::{directing_candidates, partnership_professionals};
use crate::web::views::meeting::{
    ActionPartial, DecisionPartial, ItemView, ViewsPartial, item_views, partial,
};
use crate::web::views::minutes::{MinutesConflict, MinutesSave};
use crate::web::views::protection::ProtectionView;
use crate::web::views::safety::{PhaseChoice, SafetyView, phase_choices};
use crate::web::views::top3::Top3Summary;
use crate::web::{AppError, AppState, CurrentUser, PageCtx, SignedIn};

// ---------------------------------------------------------------------------------------------------
// One agenda item

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub(super) outcome: String,
    #[serde(default)]
    pub(super) text: String,
    #[serde(default)]
    pub(super) rationale: String,
    #[serde(default)]
    pub(super) family_view: String,
    #[serde(default)]
    pub(super) family_words: String,
    #[serde(default)]
    pub(super) refer_to_table_id: String,
    #[serde(default)]
    pub(super) new_director_user_id: String,
    #[serde(default)]
    pub(super) supersedes: String,
    /// The phase this decision moves the family to ("" for none), with the ticked criteria sent as
    /// "phase_check_<phase>_<n>" (kept in `rest`).
    #[serde(default)]
    pub(super) phase_to: String,
    #[serde(flatten)]
    pub(super) rest: std::collections::HashMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) owner_user_id: String,
    #[serde(default)]
    pub(super) due_on: String,
    #[serde(default)]
    pub(super) condition: String,
    #[serde(default)]
    pub(super) family_informed_how: String,
    #[serde(default)]
    pub(super) decision_id: String,
}

/// A decision with what it replaced and what replaced it.
#[derive(Clone, Debug)]
pub struct DecisionView {
    pub decision: Decision,
    pub superseded_by: Option<i64>,
}

#[derive(Template)]
#[template(path = "meetings/item.html")]
pub(super) struct ItemPage {
    pub(super) ctx: PageCtx,
    pub(super) meeting: Meeting,
    pub(super) table: Table,
    pub(super) seat: Seat,
    pub(super) view: ItemView,
    pub(super) family: Option<Family>,
    pub(super) referral: Option<Referral>,
    pub(super) decisions: Vec<DecisionView>,
    pub(super) actions: Vec<ActionRow>,
    /// For the review item: open actions of earlier meetings; (row, may see the description).
    pub(super) open_actions: Vec<(ActionRow, bool)>,
    /// Choices for the forms.
    pub(super) people: Vec<(i64, String)>,
    pub(super) tables: Vec<Table>,
    pub(super) involved: Vec<(i64, String)>,
    /// The Raad's professionals who may own a request to investigate (when the table hands off).
    pub(super) board_people: Vec<(i64, String)>,
    pub(super) minutes: String,
    /// The revision of the stored minutes the text in the field was based on.
    pub(super) minutes_base: String,
    /// "Laatst opgeslagen door … om …", when the minutes were saved.
    pub(super) minutes_by: Option<String>,
    /// A save that met someone else's text: both texts, shown in the minutes form.
    pub(super) minutes_conflict: Option<MinutesConflict>,
    pub(super) decision_form: DecisionForm,
    pub(super) action_form: ActionForm,
    /// Which form the errors belong to: "minutes", "decision" or "action".
    pub(super) errors_for: &'static str,
    pub(super) errors: FieldErrors,
    pub(super) problem: Option<&'static str>,
    /// After a save: the section ("besluiten", "acties") and the text that confirms it there.
    pub(super) saved: Option<(&'static str, &'static str)>,
    pub(super) today: NaiveDate,
    pub(super) last_event: i64,
    /// For a family item: its safety phase, plans and scores, and the phase steps a decision can take.
    pub(super) safety: Option<SafetyView>,
    pub(super) phase_choices: Vec<PhaseChoice>,
    /// "Wat wij willen zeggen": what the family wrote for this item.
    pub(super) family_views: Vec<crate::domain::portal::View>,
    /// Whether this user may share the minutes with the family now (directs it, the meeting is closed),
    /// and whether they are shared.
    pub(super) may_share_minutes: bool,
    pub(super) minutes_shared: bool,
    /// For a family item: the documents brought to it and the family's measures.
    pub(super) protection: Option<ProtectionView>,
    /// For a family item: its merged top 3 and how many gave theirs.
    pub(super) top3: Option<Top3Summary>,
    /// Whether this user invites the family to the item (the chair) or asks the chair to (its director).
    pub(super) invites_family: bool,
}

impl ItemPage {
    fn family_views_html(&self) -> String {
        partial(ViewsPartial {
            ctx: &self.ctx,
            views: &self.family_views,
        })
    }
    fn phase_ticked(&self, to: &crate::domain::safety::Phase, i: &usize) -> bool {
        self.decision_form
            .rest
            .contains_key(&format!("phase_check_{}_{i}", to.number()))
    }
    fn family_id(&self) -> i64 {
        self.view.item.family_id.unwrap_or_default()
    }
    fn agreement_id(&self, name: &str) -> String {
        format!("agreement_{name}")
    }
    /// What was typed in the agreement part of the decision form.
    fn typed_agreement(&self, name: &str) -> &str {
        self.decision_form
            .rest
            .get(&format!("agreement_{name}"))
            .map_or("", String::as_str)
    }
    /// What was typed in the part of the decision form that asks the Raad ("board_<name>").
    fn typed_board(&self, name: &str) -> &str {
        self.decision_form
            .rest
            .get(&format!("board_{name}"))
            .map_or("", String::as_str)
    }
    fn decision_html(&self, dv: &DecisionView) -> String {
        partial(DecisionPartial {
            ctx: &self.ctx,
            decision: &dv.decision,
            superseded_by: dv.superseded_by,
        })
    }
    fn action_html(&self, row: &ActionRow) -> String {
        partial(ActionPartial {
            ctx: &self.ctx,
            row,
        })
    }
    fn is_current(&self) -> bool {
        self.meeting.current_item_id == Some(self.view.item.id)
    }
    fn may_record(&self) -> bool {
        let state = self.meeting.state_of(&self.view.item);
        policy::allows_meeting(self.seat, state, MeetingAction::Record)
    }
    fn may_write_minutes(&self) -> bool {
        policy::allows_meeting(self.seat, self.meeting.state(), MeetingAction::WriteMinutes)
    }
    fn may_correct(&self, dv: &DecisionView) -> bool {
        policy::may_correct(self.seat, self.meeting.state(), dv.superseded_by.is_some())
    }
    fn minutes_conflict_html(&self) -> String {
        self.minutes_conflict
            .as_ref()
            .map(|c| c.html(&self.ctx, self.view.item.id))
            .unwrap_or_default()
    }
    /// Whether the field shows text that is not what is stored (a refused or conflicting save).
    fn minutes_unsaved(&self) -> bool {
        self.minutes != self.view.item.minutes
    }
    fn me(&self) -> i64 {
        self.ctx.user.as_ref().map_or(0, SignedIn::id)
    }
    fn errors_of(&self, form: &str) -> FieldErrors {
        if self.errors_for == form {
            self.errors.clone()
        } else {
            FieldErrors::default()
        }
    }
}

pub(super) struct ItemData {
    pub(super) meeting: Meeting,
    pub(super) table: Table,
    pub(super) seat: Seat,
    pub(super) view: ItemView,
    pub(super) family: Option<Family>,
    pub(super) referral: Option<Referral>,
    pub(super) decisions: Vec<DecisionView>,
    pub(super) actions: Vec<ActionRow>,
    pub(super) open_actions: Vec<(ActionRow, bool)>,
    pub(super) people: Vec<(i64, String)>,
    pub(super) tables: Vec<Table>,
    pub(super) involved: Vec<(i64, String)>,
    pub(super) board_people: Vec<(i64, String)>,
    pub(super) last_event: i64,
    pub(super) safety: Option<SafetyView>,
    pub(super) phase_choices: Vec<PhaseChoice>,
    pub(super) family_views: Vec<crate::domain::portal::View>,
    pub(super) may_share_minutes: bool,
    pub(super) minutes_shared: bool,
    pub(super) minutes_saved: Option<MinutesSave>,
    pub(super) protection: Option<ProtectionView>,
    pub(super) top3: Option<Top3Summary>,
    pub(super) invites_family: bool,
}

/// Loads an item the user may see (404 otherwise) and logs the look at its family.
pub(super) fn load_item(
    conn: &mut DbConn,
    user: &SignedIn,
    meeting_id: i64,
    item_id: i64,
) -> Result<ItemData, AppError> {
    let (found, at, seat) = meeting_for(conn, user, meeting_id)?;
    let view = item_views(conn, user.id(), seat, meeting_id)?
        .into_iter()
        .find(|v| v.item.id == item_id)
        .ok_or(AppError::NotFound)?;
    if !view.visible {
        return Err(AppError::NotFound);
    }
    let family_id = view.item.family_id;
    let family = match family_id {
        Some(fid) => look_at_family(conn, user, fid)?,
        None => None,
    };
    let referral = match view.item.referral_id {
        Some(rid) => referral::find(conn, rid)?,
        None => None,
    };
    let decisions = item_decisions(conn, meeting_id, item_id)?;
    let actions = decision::actions_for_meeting(conn, meeting_id)?
        .into_iter()
        .filter(|a| a.action.agenda_item_id == item_id)
        .collect();
    let open_actions = if view.item.kind() == ItemKind::ActionReview {
        open_actions_to_review(conn, user, &found, &at, seat)?
    } else {
        Vec::new()
    };
    let involved = family_id.map_or(Ok(Vec::new()), |fid| directing_candidates(conn, fid))?;
    let safety = match family_id {
        Some(fid) => Some(SafetyView::load(conn, fid)?),
        None => None,
    };
    let phase_choices = match &safety {
        Some(s) if seat.leads() => {
            let kind = table::find_kind(conn, at.kind_id)?;
            phase_choices(s.phase.as_ref().map(|p| p.phase), kind.as_ref())
        }
        _ => Vec::new(),
    };
    let (people, board_people) = pickers(conn, seat, &at, family_id.is_some())?;
    let (family_views, may_share_minutes, minutes_shared, protection, top3) = match family_id {
        Some(fid) => family_side(conn, user, fid, (&found, item_id))?,
        None => (Vec::new(), false, false, None, None),
    };
    Ok(ItemData {
        invites_family: invites_family(conn, user, seat.chair, family_id)?,
        protection,
        top3,
        safety,
        phase_choices,
        family_views,
        may_share_minutes,
        minutes_shared,
        last_event: crate::events::last_for_meeting(conn, meeting_id)?,
        minutes_saved: MinutesSave::last(conn, meeting_id, item_id)?,
        people,
        board_people,
        tables: table::list_of(conn, &[at.partnership_id])?
            .into_iter()
            .filter(|t| t.id != at.id)
            .collect(),
        meeting: found,
        table: at,
        seat,
        view,
        family,
        referral,
        decisions,
        actions,
        open_actions,
        involved,
    })
}

/// The people the forms offer to those who lead the meeting: the partnership's professionals (action
/// owners), and for a family item at a table that hands off to the Raad, the Raad's professionals.
type Pickers = (Vec<(i64, String)>, Vec<(i64, String)>);

fn pickers(conn: &mut DbConn, seat: Seat, at: &Table, family: bool) -> Result<Pickers, AppError> {
    if !seat.leads() {
        return Ok((Vec::new(), Vec::new()));
    }
    let board = if family && !at.board_outcome.is_empty() {
        crate::domain::board_request::board_people(conn, at.partnership_id)?
    } else {
        Vec::new()
    };
    Ok((partnership_professionals(conn, at.partnership_id)?, board))
}

/// The item's family, with the look written to its access log (as one invited for the item).
fn look_at_family(
    conn: &mut DbConn,
    user: &SignedIn,
    family_id: i64,
) -> Result<Option<Family>, AppError> {
    let relation = family::relation(conn, family_id, user.id())?;
    log_access(
        conn,
        user,
        family_id,
        family::Relation {
            invited: true,
            ..relation
        },
        "access.what.agenda_item",
    )?;
    Ok(family::find(conn, family_id)?)
}

/// The decisions on an item, each with the decision that replaced it, if any.
fn item_decisions(
    conn: &mut DbConn,
    meeting_id: i64,
    item_id: i64,
) -> Result<Vec<DecisionView>, AppError> {
    let mut decisions = Vec::new();
    for d in decision::for_meeting(conn, meeting_id)?
        .into_iter()
        .filter(|d| d.agenda_item_id == item_id)
    {
        let superseded_by = decision::superseded_by(conn, d.id)?.map(|n| n.id);
        decisions.push(DecisionView {
            decision: d,
            superseded_by,
        });
    }
    Ok(decisions)
}

/// The table's actions still open from before this meeting, each with whether the user may see its
/// details (those who lead, its owner, and those with a relation to its family).
fn open_actions_to_review(
    conn: &mut DbConn,
    user: &SignedIn,
    found: &Meeting,
    at: &Table,
    seat: Seat,
) -> Result<Vec<(ActionRow, bool)>, AppError> {
    let mut open_actions = Vec::new();
    for row in decision::open_before(conn, at.id, found.id, found.starts_at)? {
        let sees = match row.action.family_id {
            None => true,
            Some(fid) => {
                seat.leads()
                    || row.action.owner_user_id == user.id()
                    || family::relation(conn, fid, user.id())?.any()
            }
        };
        open_actions.push((row, sees));
    }
    Ok(open_actions)
}

/// The family's side of the item: their views on it, whether the user may share the minutes with them
/// now (the director and co-workers, once the meeting is closed), and whether they are shared.
/// What the family wrote for the item, whether the user may share and has shared the minutes, the
/// item's documents with the family's measures, and its top 3.
type FamilySide = (
    Vec<crate::domain::portal::View>,
    bool,
    bool,
    Option<ProtectionView>,
    Option<Top3Summary>,
);

/// Whether the user invites the family to its item (the chair) or asks the chair to (its director).
fn invites_family(
    conn: &mut DbConn,
    user: &SignedIn,
    chair: bool,
    family_id: Option<i64>,
) -> Result<bool, AppError> {
    let Some(f) = family_id else {
        return Ok(false);
    };
    let directs = family::relation(conn, f, user.id())?.director;
    Ok(crate::policy::family_room::Inviting::of(chair, directs)
        != crate::policy::family_room::Inviting::No)
}

fn family_side(
    conn: &mut DbConn,
    user: &SignedIn,
    family_id: i64,
    (found, item_id): (&Meeting, i64),
) -> Result<FamilySide, AppError> {
    let relation = family::relation(conn, family_id, user.id())?;
    Ok((
        crate::domain::family_invite::all_views(conn, item_id)?,
        policy::may_share_minutes(relation, found.state()),
        crate::domain::portal::minutes_shared(conn, item_id)?,
        Some(ProtectionView::for_item(conn, family_id, item_id)?),
        Some(Top3Summary::for_item(conn, item_id)?),
    ))
}

pub(super) fn item_page(ctx: PageCtx, data: ItemData) -> ItemPage {
    let minutes_by = data.minutes_saved.map(|s| s.saved_by(&ctx.i18n));
    ItemPage {
        ctx,
        minutes: data.view.item.minutes.clone(),
        minutes_base: minutes::revision(&data.view.item.minutes),
        minutes_by,
        minutes_conflict: None,
        meeting: data.meeting,
        table: data.table,
        seat: data.seat,
        view: data.view,
        family: data.family,
        referral: data.referral,
        decisions: data.decisions,
        actions: data.actions,
        open_actions: data.open_actions,
        people: data.people,
        tables: data.tables,
        involved: data.involved,
        board_people: data.board_people,
        decision_form: DecisionForm::default(),
        action_form: ActionForm::default(),
        errors_for: "",
        errors: FieldErrors::default(),
        problem: None,
        saved: None,
        today: crate::time::today(),
        last_event: data.last_event,
        safety: data.safety,
        phase_choices: data.phase_choices,
        family_views: data.family_views,
        may_share_minutes: data.may_share_minutes,
        minutes_shared: data.minutes_shared,
        protection: data.protection,
        top3: data.top3,
        invites_family: data.invites_family,
    }
}

pub async fn show_item(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    query: web::Query<crate::web::forms::NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id)) = (user.0, path.into_inner());
    let data = state
        .db(move |conn| {
            db::write(conn, |conn| {
                crate::events::hold_chain(conn)?;
                load_item(conn, &user, meeting_id, item_id)
            })
        })
        .await?;
    let mut page = item_page(ctx, data);
    // The save is confirmed where it happened, and focus goes there (screen readers announce it).
    page.saved = match query.melding.as_deref() {
        Some("besluit-opgeslagen") => Some(("besluiten", "decision.saved")),
        Some("actie-toegevoegd") => Some(("acties", "action.added")),
        _ => None,
    };
    html(StatusCode::OK, page)
}

/// After a refused change: the item page again, with the message, the errors next to the fields of
/// `form`, and everything typed kept. A refusal without field errors is a conflict with the meeting's
/// state (closed, not running); with field errors it is bad input.
pub(super) async fn refused(
    state: &AppState,
    user: SignedIn,
    ctx: PageCtx,
    ids: (i64, i64),
    form: &'static str,
    (problem, errors): (&'static str, FieldErrors),
    fill: impl FnOnce(&mut ItemPage),
) -> Result<HttpResponse, AppError> {
    let data = state
        .db(move |conn| {
            db::write(conn, |conn| {
                crate::events::hold_chain(conn)?;
                load_item(conn, &user, ids.0, ids.1)
            })
        })
        .await?;
    let mut page = item_page(ctx, data);
    let status = if errors.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.errors_for = form;
    page.errors = errors;
    page.problem = Some(problem);
    fill(&mut page);
    html(status, page)
}

/// Why decisions and actions cannot be recorded on this item now, if they cannot.
pub(super) fn not_recordable(data: &ItemData) -> Option<&'static str> {
    meeting::not_recordable(data.meeting.state_of(&data.view.item))
}
