//! The one path of a versioned document's edit page after a save (the family plan, the plans of the
//! phases): saved, refused as a conflict with what the others changed, or the form had errors. The
//! page shows a conflict with the partial templates/versioned/_conflict.html.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use crate::db::DbConn;
use crate::domain::versioned::{self, Conflict, Saved, Store};
use crate::web::{AppError, see_other};

/// What became of a save.
pub enum Outcome {
    Saved,
    /// Someone else saved in the meantime: nothing was written.
    Conflict(Conflict),
    /// The form had errors: nothing was tried.
    Invalid,
}

/// The outcome of a save on top of `base_version`, inside its write transaction.
pub fn outcome<S: Store>(
    conn: &mut DbConn,
    store: &S,
    base_version: i32,
    saved: Saved,
) -> Result<Outcome, AppError> {
    Ok(
        match versioned::conflict(conn, store, base_version, saved)? {
            Some(conflict) => Outcome::Conflict(conflict),
            None => Outcome::Saved,
        },
    )
}

/// The answer to a save: on to `done` when saved; otherwise the edit page again with everything as
/// typed (`page`), 409 with the conflict or 422 for form errors.
pub fn respond(
    outcome: Outcome,
    done: &str,
    page: impl FnOnce(StatusCode, Option<Conflict>) -> Result<HttpResponse, AppError>,
) -> Result<HttpResponse, AppError> {
    match outcome {
        Outcome::Saved => Ok(see_other(done)),
        Outcome::Conflict(conflict) => page(StatusCode::CONFLICT, Some(conflict)),
        Outcome::Invalid => page(StatusCode::UNPROCESSABLE_ENTITY, None),
    }
}

/// The version the edit form saves on top of: after a conflict the one saved in the meantime, so that
/// saving again is a deliberate choice to put the typed text over theirs.
pub fn base_after(conflict: Option<&Conflict>, typed_base: i32) -> i32 {
    conflict.map_or(typed_base, |c| c.version)
}
