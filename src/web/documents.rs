//! Documents brought to a family's record or to one of its agenda items: the list with the form to add
//! one, the upload (multipart; the type read from the content, the size limited by
//! `SAMENSPEL_DOCUMENT_MAX_MB`) and the download, which only those who may see the family get and which
//! is written to the family's access log in the transaction that reads the bytes.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use askama::Template;

use super::access::{actor, authorize, log_access, read_family, require, who};
use super::forms::{FieldErrors, TEXT_LIMIT, text};
use super::upload::{self, Upload};
use super::views::protection::ProtectionView;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, see_other};
use crate::db;
use crate::domain::document::{self, NewDocument};
use crate::domain::family::Family;
use crate::policy::{self, FamilyAction};
use crate::record;

/// What was typed in the form, kept when it is shown again.
#[derive(Clone, Debug, Default)]
struct DocumentForm {
    description: String,
    item: String,
    withhold: bool,
    withheld_reason: String,
}

#[derive(Template)]
#[template(path = "protection/documents.html")]
struct DocumentsPage {
    ctx: PageCtx,
    family: Family,
    protection: ProtectionView,
    may_add: bool,
    /// Agenda items of meetings not closed yet: (item, table, meeting start).
    items: Vec<(i64, String, chrono::NaiveDateTime)>,
    form: DocumentForm,
    errors: FieldErrors,
    max_mb: usize,
    added: bool,
}

#[derive(serde::Deserialize)]
pub struct DocumentsQuery {
    melding: Option<String>,
    punt: Option<i64>,
}

async fn documents_page(
    user: SignedIn,
    ctx: PageCtx,
    state: &AppState,
    family_id: i64,
) -> Result<DocumentsPage, AppError> {
    let actor = actor(&user);
    let (family, relation, (protection, items)) = read_family(
        state,
        user,
        family_id,
        FamilyAction::View,
        "access.what.documents",
        move |conn| {
            Ok((
                ProtectionView::for_family(conn, family_id)?,
                document::items_of_family(conn, family_id)?,
            ))
        },
    )
    .await?;
    Ok(DocumentsPage {
        ctx,
        may_add: policy::allows_family(actor, relation, FamilyAction::Comment)
            && !family.is_closed(),
        family,
        protection,
        items,
        form: DocumentForm::default(),
        errors: FieldErrors::default(),
        max_mb: state.config.document_max_bytes / 1_000_000,
        added: false,
    })
}

pub async fn show_documents(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<DocumentsQuery>,
) -> Result<HttpResponse, AppError> {
    let mut page = documents_page(user.0, ctx, &state, path.into_inner()).await?;
    page.added = query.melding.as_deref() == Some("toegevoegd");
    page.form.item = query.punt.map(|p| p.to_string()).unwrap_or_default();
    html(StatusCode::OK, page)
}

/// A checked upload, ready for the record.
struct Checked {
    name: String,
    content_type: &'static str,
    bytes: Vec<u8>,
    item: Option<i64>,
}

pub async fn add_document(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    // Who may add is settled before the body is read: a refused request learns nothing from it.
    require(&state, &user, family_id, FamilyAction::Comment).await?;
    let max = state.config.document_max_bytes;
    let sent = upload::read(multipart, "file", max).await?;
    let mut page = documents_page(user.clone(), ctx, &state, family_id).await?;
    let (form, checked) = check(&sent, &page);
    match checked {
        Ok(checked) if page.may_add => {
            let new_item = checked.item;
            state
                .db(move |conn| {
                    db::write(conn, |conn| {
                        let new = NewDocument {
                            family_id,
                            agenda_item_id: checked.item,
                            name: &checked.name,
                            content_type: checked.content_type,
                            description: &form.description,
                            withheld_reason: form.withhold.then_some(form.withheld_reason.as_str()),
                            uploaded_by_user_id: user.id(),
                            uploaded_by_organisation_id: user.organisation_id(),
                            content: &checked.bytes,
                        };
                        Ok(record::attach_document(conn, &who(&user), &new)?)
                    })
                })
                .await?;
            let back = match new_item {
                Some(item) => {
                    format!("/gezinnen/{family_id}/documenten?melding=toegevoegd&punt={item}")
                }
                None => format!("/gezinnen/{family_id}/documenten?melding=toegevoegd"),
            };
            Ok(see_other(&back))
        }
        Ok(_) => Err(AppError::Forbidden),
        Err(errors) => {
            page.form = form_of(&sent);
            page.errors = errors;
            html(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
    }
}

fn form_of(sent: &Upload) -> DocumentForm {
    DocumentForm {
        description: sent.field("description").trim().to_string(),
        item: sent.field("item").trim().to_string(),
        withhold: sent.field("withhold") == "ja",
        withheld_reason: sent.field("withheld_reason").trim().to_string(),
    }
}

/// Checks an upload: a file of a type we take (read from its content) within the size limit, an agenda
/// item of the family (if one was chosen), a reason when it is kept from the family.
fn check(sent: &Upload, page: &DocumentsPage) -> (DocumentForm, Result<Checked, FieldErrors>) {
    let mut errors = FieldErrors::default();
    let mut form = form_of(sent);
    form.description = text(
        &mut errors,
        "description",
        &form.description,
        "",
        TEXT_LIMIT,
    );
    if form.withhold {
        form.withheld_reason = text(
            &mut errors,
            "withheld_reason",
            &form.withheld_reason,
            "document.withheld_reason_required",
            TEXT_LIMIT,
        );
    }
    let item = match form.item.as_str() {
        "" => None,
        raw => {
            let found = raw
                .parse::<i64>()
                .ok()
                .filter(|i| page.items.iter().any(|(id, _, _)| id == i));
            if found.is_none() {
                errors.add("item", "document.item_unknown");
            }
            found
        }
    };
    let file = match &sent.file {
        None => {
            errors.add("file", "document.file_required");
            None
        }
        Some(f) if f.too_large => {
            errors.add("file", "document.too_large");
            None
        }
        Some(f) => match document::recognise(&f.bytes) {
            None => {
                errors.add("file", "document.type_refused");
                None
            }
            Some((media, extension)) => Some((f, media, extension)),
        },
    };
    let result = match file {
        Some((f, content_type, extension)) if errors.is_empty() => Ok(Checked {
            name: if f.name.is_empty() {
                format!("document.{extension}")
            } else {
                f.name.clone()
            },
            content_type,
            bytes: f.bytes.clone(),
            item,
        }),
        _ => Err(errors),
    };
    (form, result)
}

/// The document's bytes, for those who may see the family; the download is written to the family's
/// access log in the same transaction as the read.
pub async fn download_document(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, document_id)) = (user.0, path.into_inner());
    let (found, bytes) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (_, relation) = authorize(conn, &user, family_id, FamilyAction::View)?;
                let found =
                    document::find(conn, family_id, document_id)?.ok_or(AppError::NotFound)?;
                let bytes = document::content(conn, document_id)?;
                log_access(conn, &user, family_id, relation, "access.what.document")?;
                Ok((found, bytes))
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, found.content_type.as_str()))
        .insert_header((CONTENT_DISPOSITION, attachment(&found.name)))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(bytes))
}

/// `attachment` with the name as given (RFC 6266 `filename*`) and a plain ASCII fallback.
fn attachment(name: &str) -> String {
    let plain: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' | ' ' => c,
            _ => '_',
        })
        .collect();
    let encoded =
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    format!("attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}")
}
