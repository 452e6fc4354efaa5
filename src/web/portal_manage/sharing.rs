//! The director's sharing page (`/gezinnen/{id}/portaal/delen`, issue 21): per decision, action, plan
//! section and minutes, who of the family sees it and, if not, why; keeping one thing from a named member
//! or sharing it with them, marking a thing as about one member's health or treatment, and marking a
//! member "deelt niet standaard mee". The rule itself is `policy::sharing::may_see`; what the page shows
//! is what the member's portal, mail and data copy show.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::super::access::{authorize, who};
use super::super::forms::{NoticeQuery, TEXT_LIMIT, clean};
use super::super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, see_other};
use crate::db::{self, DbConn};
use crate::domain::family::{self, Family, Person};
use crate::domain::portal::{
    self, NotByDefault, RuleMode, Sharing, Thing, ThingKind, ThingSummary,
};
use crate::policy::FamilyAction;
use crate::policy::sharing::{Seen, Why};
use crate::record;

/// A refused form: where (the thing's slug, or `standaard-{person}`), the message key, what was typed.
#[derive(Clone, Debug, Default)]
pub struct Refusal {
    pub at: String,
    pub key: &'static str,
    pub typed: String,
}

#[derive(Template)]
#[template(path = "portal/sharing.html")]
struct SharingPage {
    ctx: PageCtx,
    family: Family,
    persons: Vec<Person>,
    sharing: Sharing,
    things: Vec<ThingSummary>,
    refusal: Option<Refusal>,
    notice: Option<&'static str>,
}

/// One member's line under a thing: name, whether they see it, and the director's own choice if any.
pub struct SeenLine {
    pub person_id: i64,
    pub name: String,
    /// None when the member sees it; else why not, in words.
    pub hidden_why: Option<String>,
    pub rule: Option<RuleMode>,
}

impl SeenLine {
    /// The director's own choice, as a text key.
    fn rule_key(&self) -> Option<&'static str> {
        self.rule.map(|r| match r {
            RuleMode::Keep => "sharing.rule_keep",
            RuleMode::Share => "sharing.rule_share",
        })
    }
}

impl SharingPage {
    fn lines(&self, t: &ThingSummary) -> Vec<SeenLine> {
        self.persons
            .iter()
            .map(|p| SeenLine {
                person_id: p.id,
                name: p.name.clone(),
                hidden_why: match self.sharing.seen(p.id, &t.thing) {
                    Seen::Shown => None,
                    Seen::Hidden(why) => Some(self.why(why)),
                },
                rule: self.sharing.rule(p.id, &t.thing).map(|r| r.mode),
            })
            .collect()
    }

    fn why(&self, why: Why) -> String {
        match why {
            Why::Kept(reason) => reason,
            Why::Category(reason) => {
                format!("{} {reason}", self.ctx.t("sharing.why_category"))
            }
            Why::Health(of) => self
                .ctx
                .i18n
                .t_with("sharing.why_health", &[("name", &self.name_of(of))]),
            Why::NotByDefault => self.ctx.t("sharing.why_not_by_default"),
        }
    }

    fn name_of(&self, id: i64) -> String {
        self.persons
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    /// The name of the member whose health or treatment the thing is about, if it is marked so.
    fn concerns_name(&self, t: &ThingSummary) -> Option<String> {
        self.sharing
            .concerns
            .get(&t.thing)
            .map(|p| self.name_of(*p))
    }

    fn concerns_person(&self, t: &ThingSummary, p: &Person) -> bool {
        self.sharing.concerns.get(&t.thing) == Some(&p.id)
    }

    fn marked(&self, p: &Person) -> Option<&NotByDefault> {
        self.sharing
            .not_by_default
            .iter()
            .find(|n| n.person_id == p.id)
    }

    fn text(&self, t: &ThingSummary) -> String {
        match t.thing.kind {
            ThingKind::PlanSection => self.ctx.t(&t.text),
            _ => t.text.clone(),
        }
    }

    /// The refusal's message when it is about `at`.
    fn refused_at(&self, at: &str) -> Option<&Refusal> {
        self.refusal.as_ref().filter(|r| r.at == at)
    }

    fn typed_at(&self, at: &str) -> &str {
        self.refused_at(at).map_or("", |r| r.typed.as_str())
    }
}

fn load_page(
    conn: &mut DbConn,
    user: &SignedIn,
    ctx: PageCtx,
    family_id: i64,
) -> Result<SharingPage, AppError> {
    let (family, _) = authorize(conn, user, family_id, FamilyAction::EditFamily)?;
    Ok(SharingPage {
        persons: family::persons(conn, family_id)?,
        sharing: Sharing::load(conn, family_id)?,
        things: portal::things_of(conn, family_id)?,
        family,
        ctx,
        refusal: None,
        notice: None,
    })
}

pub async fn show_sharing(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let mut page = state
        .db(move |conn| load_page(conn, &user, ctx, family_id))
        .await?;
    page.notice = (query.melding.as_deref() == Some("opgeslagen")).then_some("portal.notice_saved");
    html(StatusCode::OK, page)
}

/// The page again with the refusal, and what was typed kept.
async fn refused(
    state: &AppState,
    user: SignedIn,
    ctx: PageCtx,
    family_id: i64,
    refusal: Refusal,
) -> Result<HttpResponse, AppError> {
    let mut page = state
        .db(move |conn| load_page(conn, &user, ctx, family_id))
        .await?;
    page.refusal = Some(refusal);
    html(StatusCode::UNPROCESSABLE_ENTITY, page)
}

fn saved(family_id: i64, anchor: &str) -> HttpResponse {
    see_other(&format!(
        "/gezinnen/{family_id}/portaal/delen?melding=opgeslagen#{anchor}"
    ))
}

/// The thing a form names; 404 for another family's, or for nonsense.
fn thing_of(
    conn: &mut DbConn,
    family_id: i64,
    fields: &HashMap<String, String>,
) -> Result<Thing, AppError> {
    let kind = fields
        .get("kind")
        .and_then(|k| ThingKind::from_code(k))
        .ok_or_else(|| AppError::Unprocessable("sharing without a kind of thing".into()))?;
    let thing = Thing::new(kind, fields.get("key").map_or("", |k| k.trim()));
    if !portal::belongs_to(conn, family_id, &thing)? {
        return Err(AppError::NotFound);
    }
    Ok(thing)
}

/// The member a form names; 404 when not of this family.
fn member_of(
    conn: &mut DbConn,
    family_id: i64,
    fields: &HashMap<String, String>,
) -> Result<Option<Person>, AppError> {
    let Some(id) = fields
        .get("person_id")
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
    else {
        return Ok(None);
    };
    let id = id
        .parse::<i64>()
        .map_err(|_| AppError::Unprocessable("sharing with a member that is no number".into()))?;
    family::find_person(conn, family_id, id)?
        .map(Some)
        .ok_or(AppError::NotFound)
}

/// Keeps one thing from a member (with a reason), shares it with them, or takes the choice back.
pub async fn set_item(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, fields) = (user.0, path.into_inner(), form.into_inner());
    super::super::access::require(&state, &user, family_id, FamilyAction::EditFamily).await?;
    let mode = match fields.get("mode").map(String::as_str) {
        Some("keep") => Some(RuleMode::Keep),
        Some("share") => Some(RuleMode::Share),
        Some("default") => None,
        _ => return Err(AppError::Unprocessable("sharing without a choice".into())),
    };
    let reason = clean(fields.get("reason"));
    let slug = format!(
        "{}-{}",
        fields.get("kind").map_or("", String::as_str),
        fields.get("key").map_or("", String::as_str)
    );
    let problem = if mode == Some(RuleMode::Keep) && reason.is_empty() {
        Some("portal.reason_required")
    } else if reason.chars().count() > TEXT_LIMIT {
        Some("form.too_long")
    } else {
        None
    };
    let again = user.clone();
    let anchor = slug.clone();
    let typed = reason.clone();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                let thing = thing_of(conn, family_id, &fields)?;
                let member = member_of(conn, family_id, &fields)?
                    .ok_or_else(|| AppError::Unprocessable("sharing without a member".into()))?;
                if let Some(key) = problem {
                    return Ok::<_, AppError>(Some(key));
                }
                let choice = mode.map(|m| (m, reason.as_str()));
                record::set_item_rule(conn, &who(&user), family_id, &thing, &member, choice)?;
                Ok(None)
            })
        })
        .await?;
    match outcome {
        None => Ok(saved(family_id, &anchor)),
        Some(key) => {
            refused(
                &state,
                again,
                ctx,
                family_id,
                Refusal {
                    at: slug,
                    key,
                    typed,
                },
            )
            .await
        }
    }
}

/// Marks one thing as about one member's health or treatment, or takes the mark away.
pub async fn set_concerns(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, fields) = (user.0, path.into_inner(), form.into_inner());
    let anchor = state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                let thing = thing_of(conn, family_id, &fields)?;
                let member = member_of(conn, family_id, &fields)?;
                record::set_item_concerns(conn, &who(&user), family_id, &thing, member.as_ref())?;
                Ok::<_, AppError>(format!("{}-{}", thing.kind.code(), thing.key))
            })
        })
        .await?;
    Ok(saved(family_id, &anchor))
}

/// Marks a member "deelt niet standaard mee" (with a reason), or ends the mark.
pub async fn set_default(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, fields) = (user.0, path.into_inner(), form.into_inner());
    let mark = fields.get("by_default").map(String::as_str) == Some("nee");
    let reason = clean(fields.get("reason"));
    let problem = if mark && reason.is_empty() {
        Some("portal.reason_required")
    } else if reason.chars().count() > TEXT_LIMIT {
        Some("form.too_long")
    } else {
        None
    };
    let again = user.clone();
    let typed = reason.clone();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                let member = member_of(conn, family_id, &fields)?
                    .ok_or_else(|| AppError::Unprocessable("marking without a member".into()))?;
                let at = format!("standaard-{}", member.id);
                if let Some(key) = problem {
                    return Ok::<_, AppError>(Err(Refusal { at, key, typed }));
                }
                let reason = mark.then_some(reason.as_str());
                record::set_not_by_default(conn, &who(&user), family_id, &member, reason)?;
                Ok(Ok(at))
            })
        })
        .await?;
    match outcome {
        Ok(at) => Ok(saved(family_id, &at)),
        Err(refusal) => refused(&state, again, ctx, family_id, refusal).await,
    }
}
