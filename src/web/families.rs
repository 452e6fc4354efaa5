//! The family record: list and search, create, the family page, details, closing and reopening, and the
//! access log. Members are in members.rs, involvement and directorship in involvements.rs.
//!
//! Every route answers 404 to someone who may not see the family (need to know: do not reveal that it
//! exists). Every page that shows family data writes one access-log row, in the same transaction as
//! the read. Every change appends an event in the transaction of the change.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::access::{actor, authorize, read_family, who};
use super::forms::{FieldErrors, TEXT_LIMIT, text_field};
use super::html;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use crate::db;
use crate::domain::access_log::{self, AccessEntry, OutsideAccess};
use crate::domain::directorship::{self, DirectorshipView};
use crate::domain::family::{self, Family, FamilyDetails, LegalBasis, Person, PersonRole, Urgency};
use crate::domain::involvement::{self, InvolvementView};
use crate::domain::partnership::{self, Partnership};
use crate::domain::plan::{self, Comment, LifeDomain, PlanVersion};
use crate::events::{self, EventKind, TimelineEntry};
use crate::policy::{self, FamilyAction};
use crate::record;
use crate::time::today;
use crate::web::views::choices::directing_professionals;

// ---------------------------------------------------------------------------------------------------
// List and search

#[derive(Template)]
#[template(path = "families/index.html")]
struct FamiliesPage {
    ctx: PageCtx,
    families: Vec<Family>,
    next_meetings: std::collections::HashMap<i64, (chrono::NaiveDateTime, String)>,
    query: String,
    may_create: bool,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn list_families(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let search = query.into_inner().q.unwrap_or_default();
    let term = search.clone();
    let user_id = user.id();
    let (families, next_meetings) = state
        .db(move |conn| {
            let families = family::list_for_user(conn, user_id, Some(&term))?;
            let ids: Vec<i64> = families.iter().map(|f| f.id).collect();
            let next = crate::domain::meeting::next_for_families(conn, &ids, crate::domain::now())?;
            Ok((families, next))
        })
        .await?;
    html(
        StatusCode::OK,
        FamiliesPage {
            ctx,
            families,
            next_meetings,
            query: search,
            may_create: policy::may_create_family(actor(&user)),
        },
    )
}

// ---------------------------------------------------------------------------------------------------
// Create and edit details

#[derive(Clone, Debug, Default, Deserialize)]
pub struct FamilyForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    family_informed: String,
    #[serde(default)]
    not_informed_reason: String,
    /// For creation: the creator's role in the family (e.g. "casusregisseur").
    #[serde(default)]
    role: String,
    /// For creation: the partnership the family belongs to.
    #[serde(default)]
    partnership_id: String,
    /// For creation by someone whose organisation may not direct: who directs.
    #[serde(default)]
    director_user_id: String,
}

impl FamilyForm {
    fn from_family(f: &Family) -> FamilyForm {
        FamilyForm {
            display_name: f.display_name.clone(),
            municipality: f.municipality.clone(),
            urgency: f.urgency.clone(),
            legal_basis: f.legal_basis.clone(),
            family_informed: if f.family_informed { "yes" } else { "no" }.into(),
            not_informed_reason: f.not_informed_reason.clone().unwrap_or_default(),
            role: String::new(),
            partnership_id: f.partnership_id.to_string(),
            director_user_id: String::new(),
        }
    }

    fn check(&self, errors: &mut FieldErrors) -> Option<FamilyDetails> {
        let display_name = text_field(errors, "display_name", &self.display_name, true, 200);
        let municipality = text_field(errors, "municipality", &self.municipality, true, 100);
        let urgency = Urgency::from_code(&self.urgency);
        if urgency.is_none() {
            errors.add("urgency", "family_form.urgency_required");
        }
        let legal_basis = LegalBasis::from_code(&self.legal_basis);
        if legal_basis.is_none() {
            errors.add("legal_basis", "family_form.legal_basis_required");
        }
        let informed = match self.family_informed.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.add("family_informed", "family_form.family_informed_required");
                None
            }
        };
        let reason = self.not_informed_reason.trim().to_string();
        if informed == Some(false) && reason.is_empty() {
            errors.add(
                "not_informed_reason",
                "family_form.not_informed_reason_required",
            );
        } else if reason.chars().count() > TEXT_LIMIT {
            errors.add("not_informed_reason", "form.too_long");
        }
        Some(FamilyDetails {
            display_name,
            municipality,
            urgency: urgency?,
            legal_basis: legal_basis?,
            family_informed: informed?,
            not_informed_reason: (informed == Some(false)).then_some(reason),
        })
        .filter(|_| errors.is_empty())
    }
}

#[derive(Template)]
#[template(path = "families/form.html")]
struct FamilyFormPage {
    ctx: PageCtx,
    /// None when creating.
    family: Option<Family>,
    form: FamilyForm,
    errors: FieldErrors,
    /// For creation: the partnerships the user's organisation takes part in.
    partnerships: Vec<Partnership>,
    /// For creation by someone whose organisation may not direct: who can be named to direct.
    directors: Vec<(i64, String)>,
}

/// The partnerships a new family of this user can belong to: those their organisation takes part in.
/// And, when the user's organisation may not direct in one of them, who can be named to direct:
/// professionals of the organisations there that may.
async fn partnerships_of(
    state: &AppState,
    user: &SignedIn,
) -> Result<(Vec<Partnership>, Vec<(i64, String)>), AppError> {
    let Some(org) = user.organisation_id() else {
        return Err(AppError::Forbidden);
    };
    state
        .db(move |conn| {
            let partnerships = partnership::of_organisation(conn, org)?;
            let mut directors = Vec::new();
            for p in &partnerships {
                if !record::may_direct(conn, p.id, org)? {
                    directors.extend(directing_professionals(conn, p.id)?);
                }
            }
            Ok((partnerships, directors))
        })
        .await
}

pub async fn show_new_family(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if !policy::may_create_family(actor(&user.0)) {
        return Err(AppError::Forbidden);
    }
    let (partnerships, directors) = partnerships_of(&state, &user.0).await?;
    let form = FamilyForm {
        urgency: Urgency::Regular.code().into(),
        role: ctx.t("family_form.default_role"),
        partnership_id: partnerships
            .first()
            .map(|p| p.id.to_string())
            .unwrap_or_default(),
        ..FamilyForm::default()
    };
    html(
        StatusCode::OK,
        FamilyFormPage {
            ctx,
            family: None,
            form,
            errors: FieldErrors::default(),
            partnerships,
            directors,
        },
    )
}

pub async fn create_family(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<FamilyForm>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    if !policy::may_create_family(actor(&user)) {
        return Err(AppError::Forbidden);
    }
    // Only a professional of an organisation can direct a family.
    let (partnerships, directors) = partnerships_of(&state, &user).await?;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let role = text_field(&mut errors, "role", &form.role, true, 100);
    // The chosen partnership; the only one when the organisation takes part in one.
    let partnership_id = match (form.partnership_id.trim(), partnerships.as_slice()) {
        ("", [only]) => Some(only.id),
        (typed, _) => typed
            .parse::<i64>()
            .ok()
            .filter(|id| partnerships.iter().any(|p| p.id == *id)),
    };
    if partnership_id.is_none() {
        errors.add("partnership_id", "family_form.partnership_required");
    }
    let named = form.director_user_id.trim().parse::<i64>().ok();
    let (Some(details), Some(partnership_id)) = (form.check(&mut errors), partnership_id) else {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            FamilyFormPage {
                ctx,
                family: None,
                form,
                errors,
                partnerships,
                directors,
            },
        );
    };
    let creator = who(&user);
    let created = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let Some(director) = director_for(conn, &creator, partnership_id, named)? else {
                    errors.add("director_user_id", "family_form.director_required");
                    return Ok::<_, AppError>(Err(errors));
                };
                let made = record::start_family_directed_by(
                    conn,
                    &creator,
                    &director,
                    partnership_id,
                    &details,
                    &role,
                    today(),
                )?;
                Ok(Ok(made.id))
            })
        })
        .await?;
    match created {
        Ok(family_id) => Ok(see_other(&format!("/gezinnen/{family_id}"))),
        Err(errors) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            FamilyFormPage {
                ctx,
                family: None,
                form,
                errors,
                partnerships,
                directors,
            },
        ),
    }
}

/// Who directs a new family: its creator when their organisation may; otherwise the one they named, if
/// that one may (None when not).
fn director_for(
    conn: &mut db::DbConn,
    creator: &crate::record::Who,
    partnership_id: i64,
    named: Option<i64>,
) -> Result<Option<crate::record::Who>, AppError> {
    let may = match creator.organisation_id {
        Some(org) => record::may_direct(conn, partnership_id, org)?,
        None => false,
    };
    if may {
        return Ok(Some(creator.clone()));
    }
    let allowed = directing_professionals(conn, partnership_id)?;
    match named.filter(|n| allowed.iter().any(|(id, _)| id == n)) {
        Some(id) => Ok(Some(record::who(conn, id)?)),
        None => Ok(None),
    }
}

pub async fn show_edit_family(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let (family, _, ()) = read_family(
        &state,
        user,
        family_id,
        FamilyAction::EditFamily,
        "access.what.details",
        |_| Ok(()),
    )
    .await?;
    let form = FamilyForm::from_family(&family);
    html(
        StatusCode::OK,
        FamilyFormPage {
            ctx,
            family: Some(family),
            form,
            errors: FieldErrors::default(),
            partnerships: Vec::new(),
            directors: Vec::new(),
        },
    )
}

pub async fn update_family(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<FamilyForm>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, form) = (user.0, path.into_inner(), form.into_inner());
    let mut errors = FieldErrors::default();
    let details = form.check(&mut errors);
    let checked = details.clone();
    let family = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (family, _) = authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                if let Some(details) = checked {
                    record::update_details(conn, &who(&user), family_id, &details)?;
                }
                Ok::<_, AppError>(family)
            })
        })
        .await?;
    if details.is_none() {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            FamilyFormPage {
                ctx,
                family: Some(family),
                form,
                errors,
                partnerships: Vec::new(),
                directors: Vec::new(),
            },
        );
    }
    Ok(see_other(&format!("/gezinnen/{family_id}")))
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    reason: String,
}

pub async fn close_family(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<CloseForm>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let reason = form.into_inner().reason.trim().to_string();
    let valid = !reason.is_empty() && reason.chars().count() <= TEXT_LIMIT;
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (family, _) = authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                if valid && !family.is_closed() {
                    record::close(conn, &who(&user), family_id, &reason)?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await?;
    let target = if valid {
        format!("/gezinnen/{family_id}")
    } else {
        format!("/gezinnen/{family_id}?fout=reden-sluiten#sluiten")
    };
    Ok(see_other(&target))
}

pub async fn reopen_family(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (family, _) = authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                if family.is_closed() {
                    record::reopen(conn, &who(&user), family_id)?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(see_other(&format!("/gezinnen/{family_id}")))
}

// ---------------------------------------------------------------------------------------------------
// The family page

#[derive(Template)]
#[template(path = "families/show.html")]
struct FamilyPage {
    ctx: PageCtx,
    family: Family,
    may_edit: bool,
    persons: Vec<Person>,
    involvements: Vec<InvolvementView>,
    directorships: Vec<DirectorshipView>,
    plan: Option<PlanVersion>,
    comments: Vec<Comment>,
    timeline: Vec<TimelineEntry>,
    /// Partners' readings of the family's outcomes, newest first (shown to the director and co-worker).
    readings: Vec<crate::domain::outcome::Reading>,
    /// Requests to be added as involved, and refused second registrations (for the director and
    /// co-worker).
    requests: Vec<crate::domain::involvement_request::RequestRow>,
    referrals: Vec<crate::domain::referral::ReferralRow>,
    actions: Vec<crate::domain::decision::ActionRow>,
    may_refer: bool,
    safety: super::views::safety::SafetyView,
    /// Documents brought to the family, and measures per child.
    protection: super::views::protection::ProtectionView,
    /// The safety scale as SVG (empty without scores).
    chart: String,
    /// A message about the last action, from the query ("fout=..."), already a text key.
    problem: Option<&'static str>,
    comment_error: Option<&'static str>,
    comment: String,
    today: NaiveDate,
}

impl FamilyPage {
    fn age(&self, person: &Person) -> Option<u32> {
        person.age_on(self.today)
    }
    /// The current director's own involvement cannot end while they direct (see `end_involvement`).
    fn is_director(&self, view: &InvolvementView) -> bool {
        self.directorships.first().is_some_and(|d| {
            d.directorship.ended_at.is_none()
                && d.directorship.director_user_id == view.involvement.user_id
        })
    }

    fn current_involvements(&self) -> Vec<&InvolvementView> {
        self.involvements
            .iter()
            .filter(|i| i.involvement.ended_on.is_none())
            .collect()
    }
    fn former_involvements(&self) -> Vec<&InvolvementView> {
        self.involvements
            .iter()
            .filter(|i| i.involvement.ended_on.is_some())
            .collect()
    }
    fn describe(&self, entry: &TimelineEntry) -> String {
        describe_event(&self.ctx, entry)
    }
    fn family_id(&self) -> i64 {
        self.family.id
    }
    fn plan_is_empty(&self) -> bool {
        self.plan
            .as_ref()
            .is_none_or(|p| p.sections.iter().all(|(_, s)| s.is_empty()))
    }
}

/// The timeline in plain words: "Karin de Vries (Veilig Thuis) is toegevoegd als betrokkene".
pub fn describe_event(ctx: &PageCtx, entry: &TimelineEntry) -> String {
    let e = &entry.event;
    let what = e.event_kind();
    let key = what.map_or_else(|| format!("event.{}", e.kind), |k| k.text_key());
    let mut args: Vec<(String, String)> = e.fields();
    if what.is_some_and(|k| k.area() == "person")
        && let Some(role) = PersonRole::from_code(&e.field("role"))
    {
        args.retain(|(k, _)| k != "role");
        args.push(("role".into(), ctx.t(&role.label_key())));
    }
    if e.is(EventKind::BoardRequestAnswered)
        && let Some(answer) =
            crate::domain::board_request::BoardAnswer::from_code(&e.field("answer"))
    {
        args.retain(|(k, _)| k != "answer");
        args.push(("answer".into(), ctx.t(&answer.label_key())));
    }
    let borrowed: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut text = ctx.i18n.t_with(&key, &borrowed);
    if e.is(EventKind::DirectorAppointed) && !e.field("co_worker").is_empty() {
        text.push(' ');
        text.push_str(&ctx.i18n.t_with("event.director.co_worker", &borrowed));
    }
    text
}

#[derive(Deserialize)]
pub struct ShowQuery {
    fout: Option<String>,
}

pub async fn show_family(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    let page = family_page(user.0, ctx, &state, path.into_inner()).await?;
    let problem = match query.fout.as_deref() {
        Some("reden-sluiten") => Some("family.close_reason_required"),
        Some("regisseur-blijft") => Some("family.director_stays"),
        _ => None,
    };
    html(StatusCode::OK, FamilyPage { problem, ..page })
}

async fn family_page(
    user: SignedIn,
    ctx: PageCtx,
    state: &AppState,
    family_id: i64,
) -> Result<FamilyPage, AppError> {
    let may_edit_actor = actor(&user);
    let (
        family,
        relation,
        (
            (persons, involvements, directorships, plan, comments, timeline),
            (referrals, actions, safety, readings, requests, protection),
        ),
    ) = read_family(
        state,
        user,
        family_id,
        FamilyAction::View,
        "access.what.family",
        move |conn| {
            Ok((
                (
                    family::persons(conn, family_id)?,
                    involvement::list(conn, family_id)?,
                    directorship::history(conn, family_id)?,
                    plan::version(conn, family_id, None)?,
                    plan::comments(conn, family_id)?,
                    events::for_family(conn, family_id, 100)?,
                ),
                (
                    crate::domain::referral::for_family(conn, family_id)?,
                    crate::domain::decision::actions_for_family(conn, family_id)?,
                    super::views::safety::SafetyView::load(conn, family_id)?,
                    crate::domain::outcome::readings_of_family(conn, family_id)?,
                    crate::domain::involvement_request::for_family(conn, family_id)?,
                    super::views::protection::ProtectionView::for_family(conn, family_id)?,
                ),
            ))
        },
    )
    .await?;
    let may_manage =
        policy::allows_family(may_edit_actor, relation, FamilyAction::ManageInvolvement);
    Ok(FamilyPage {
        requests: if may_manage { requests } else { Vec::new() },
        may_edit: policy::allows_family(may_edit_actor, relation, FamilyAction::EditFamily),
        may_refer: relation.director || relation.co_worker || relation.involved,
        referrals,
        actions,
        chart: super::views::safety::chart_html(&ctx, &safety.scores, "schaal"),
        safety,
        protection,
        ctx,
        family,
        persons,
        involvements,
        directorships,
        plan,
        comments,
        timeline,
        readings,
        problem: None,
        comment_error: None,
        comment: String::new(),
        today: today(),
    })
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
}

pub async fn add_comment(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let body = form.into_inner().body.trim().to_string();
    let problem = if body.is_empty() {
        Some("family.comment_required")
    } else if body.chars().count() > TEXT_LIMIT {
        Some("form.too_long")
    } else {
        None
    };
    let writer = user.clone();
    let text = body.clone();
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &writer, family_id, FamilyAction::Comment)?;
                if problem.is_none() {
                    record::comment_on_plan(conn, &who(&writer), family_id, &text)?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await?;
    if problem.is_none() {
        return Ok(see_other(&format!("/gezinnen/{family_id}#opmerkingen")));
    }
    let page = family_page(user, ctx, &state, family_id).await?;
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        FamilyPage {
            comment_error: problem,
            comment: body,
            ..page
        },
    )
}

// ---------------------------------------------------------------------------------------------------
// Access log

#[derive(Template)]
#[template(path = "families/access_log.html")]
struct AccessLogPage {
    ctx: PageCtx,
    family: Family,
    entries: Vec<AccessEntry>,
    /// Access given with a reason to people from outside the family's partnership.
    outside: Vec<OutsideAccess>,
}

impl AccessLogPage {
    /// The reader came in from outside the family's partnership (their reason is listed above).
    fn came_from_outside(&self, entry: &AccessEntry) -> bool {
        entry.user_id.is_some_and(|id| {
            self.outside
                .iter()
                .any(|o| o.user_id == id && o.via != "referral")
        })
    }
}

pub async fn show_access_log(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let (family, _, (entries, outside)) = read_family(
        &state,
        user,
        family_id,
        FamilyAction::ViewAccessLog,
        "access.what.access_log",
        move |conn| {
            Ok((
                access_log::for_family(conn, family_id, 500)?,
                access_log::outside_access(conn, family_id)?,
            ))
        },
    )
    .await?;
    html(
        StatusCode::OK,
        AccessLogPage {
            ctx,
            family,
            entries,
            outside,
        },
    )
}

/// Life domains in order, for templates.
pub fn life_domains() -> &'static [LifeDomain] {
    LifeDomain::ALL
}
