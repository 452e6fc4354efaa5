//! The director requires DigiD for a family, or no longer does: with it, the family's members log in
//! only through the DigiD broker (no email link, no password), for instance when a parent with a
//! restraining order may use the other parent's mail. Only where the deployment has a broker.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};

use crate::db;
use crate::policy::FamilyAction;
use crate::record;
use crate::web::access::{authorize, who};
use crate::web::{AppError, AppState, CurrentUser, see_other};

pub async fn set_requirement(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let required = form.get("required").map(String::as_str) == Some("ja");
    let available = state.config.digid.is_some();
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                // Without a broker, requiring DigiD would lock the family out.
                if required && !available {
                    return Err(AppError::Unprocessable("no DigiD broker".into()));
                }
                record::require_digid(conn, &who(&user), family_id, required)?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/gezinnen/{family_id}/portaal?melding=opgeslagen#digid"
    )))
}
