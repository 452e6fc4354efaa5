//! A family's members: adding one and changing their details (with the checks of BSN, address and date
//! of birth).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::access::{authorize, read_family, who};
use super::forms::FieldErrors;
use super::html;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use crate::db;
use crate::domain::family::{self, Family, Person, PersonDetails, PersonRole};
use crate::policy::FamilyAction;
use crate::record::{self, Registered};
use crate::time::parse_date;
use crate::time::today;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    date_of_birth: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    parental_authority: Option<String>,
    #[serde(default)]
    bsn: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    house_number: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    city: String,
}

impl PersonForm {
    fn from_person(p: &Person) -> PersonForm {
        PersonForm {
            name: p.name.clone(),
            date_of_birth: p
                .date_of_birth
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            role: p.role.clone(),
            parental_authority: p.parental_authority.then(|| "yes".to_string()),
            bsn: p.bsn.clone().unwrap_or_default(),
            street: p.street.clone().unwrap_or_default(),
            house_number: p.house_number.map(|n| n.to_string()).unwrap_or_default(),
            postcode: p.postcode.clone().unwrap_or_default(),
            city: p.city.clone().unwrap_or_default(),
        }
    }

    /// BSN and address: all empty (not recorded) or all given and valid.
    fn check_identity(&self, errors: &mut FieldErrors) -> Option<family::Identity> {
        let bsn: String = self
            .bsn
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.')
            .collect();
        let (street, city) = (self.street.trim(), self.city.trim());
        let (number, postcode) = (self.house_number.trim(), self.postcode.trim());
        if [bsn.as_str(), street, number, postcode, city]
            .iter()
            .all(|f| f.is_empty())
        {
            return None;
        }
        if !family::valid_bsn(&bsn) {
            errors.add("bsn", "person_form.bsn_invalid");
        }
        for (field, value, limit) in [("street", street, 24), ("city", city, 80)] {
            if value.is_empty() {
                errors.add(field, "person_form.address_incomplete");
            } else if value.chars().count() > limit {
                errors.add(field, "form.too_long");
            }
        }
        let house_number = number
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=99_999).contains(n));
        if house_number.is_none() {
            errors.add("house_number", "person_form.house_number_invalid");
        }
        let postcode = family::normalise_postcode(postcode);
        if postcode.is_none() {
            errors.add("postcode", "person_form.postcode_invalid");
        }
        Some(family::Identity {
            bsn,
            street: street.to_string(),
            house_number: house_number?,
            postcode: postcode?,
            city: city.to_string(),
        })
    }

    fn check(&self, errors: &mut FieldErrors) -> Option<PersonDetails> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.add("name", "person_form.name_required");
        } else if name.chars().count() > 200 {
            errors.add("name", "form.too_long");
        }
        let date_of_birth = if self.date_of_birth.trim().is_empty() {
            None
        } else {
            match parse_date(&self.date_of_birth) {
                Some(d) if d > today() => {
                    errors.add("date_of_birth", "person_form.date_of_birth_future");
                    None
                }
                Some(d) if d < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default() => {
                    errors.add("date_of_birth", "person_form.date_of_birth_invalid");
                    None
                }
                Some(d) => Some(d),
                None => {
                    errors.add("date_of_birth", "person_form.date_of_birth_invalid");
                    None
                }
            }
        };
        let role = PersonRole::from_code(&self.role);
        if role.is_none() {
            errors.add("role", "person_form.role_required");
        }
        let identity = self.check_identity(errors);
        Some(PersonDetails {
            name,
            date_of_birth,
            role: role?,
            parental_authority: self.parental_authority.is_some(),
            identity,
        })
        .filter(|_| errors.is_empty())
    }
}

#[derive(Template)]
#[template(path = "families/person_form.html")]
struct PersonFormPage {
    ctx: PageCtx,
    family: Family,
    /// None when adding.
    person_id: Option<i64>,
    form: PersonForm,
    errors: FieldErrors,
    roles: &'static [PersonRole],
    /// The member is in another open record of the partnership already: the refused lookup, to ask
    /// that record's director from.
    known: Option<i64>,
}

pub async fn show_new_person(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let family = state
        .db(move |conn| Ok(authorize(conn, &user, family_id, FamilyAction::EditFamily)?.0))
        .await?;
    let form = PersonForm {
        role: PersonRole::Child.code().into(),
        ..PersonForm::default()
    };
    html(
        StatusCode::OK,
        PersonFormPage {
            ctx,
            family,
            person_id: None,
            form,
            errors: FieldErrors::default(),
            roles: PersonRole::ALL,
            known: None,
        },
    )
}

pub async fn add_person(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<PersonForm>,
) -> Result<HttpResponse, AppError> {
    save_person(
        user.0,
        ctx,
        &state,
        path.into_inner(),
        None,
        form.into_inner(),
    )
    .await
}

pub async fn show_edit_person(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, person_id)) = (user.0, path.into_inner());
    let (family, _, person) = read_family(
        &state,
        user,
        family_id,
        FamilyAction::EditFamily,
        "access.what.member",
        move |conn| family::find_person(conn, family_id, person_id)?.ok_or(AppError::NotFound),
    )
    .await?;
    let form = PersonForm::from_person(&person);
    html(
        StatusCode::OK,
        PersonFormPage {
            ctx,
            family,
            person_id: Some(person_id),
            form,
            errors: FieldErrors::default(),
            roles: PersonRole::ALL,
            known: None,
        },
    )
}

pub async fn update_person(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<PersonForm>,
) -> Result<HttpResponse, AppError> {
    let (family_id, person_id) = path.into_inner();
    save_person(
        user.0,
        ctx,
        &state,
        family_id,
        Some(person_id),
        form.into_inner(),
    )
    .await
}

async fn save_person(
    user: SignedIn,
    ctx: PageCtx,
    state: &AppState,
    family_id: i64,
    person_id: Option<i64>,
    form: PersonForm,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    let details = form.check(&mut errors);
    let (family, errors, known) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (family, _) = authorize(conn, &user, family_id, FamilyAction::EditFamily)?;
                if let Some(pid) = person_id {
                    family::find_person(conn, family_id, pid)?.ok_or(AppError::NotFound)?;
                }
                let Some(details) = details else {
                    return Ok((family, errors, None));
                };
                let known =
                    match record::register_person(conn, &who(&user), &family, person_id, &details)?
                    {
                        Registered::Saved(_) => None,
                        Registered::Known { request } => {
                            errors.add("name", "person_form.already_known");
                            Some(request)
                        }
                        Registered::Throttled => {
                            errors.add("name", "person_form.too_many_lookups");
                            None
                        }
                    };
                Ok::<_, AppError>((family, errors, known))
            })
        })
        .await?;
    if !errors.is_empty() {
        let status = if known.is_some() {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return html(
            status,
            PersonFormPage {
                ctx,
                family,
                person_id,
                form,
                errors,
                roles: PersonRole::ALL,
                known,
            },
        );
    }
    Ok(see_other(&format!("/gezinnen/{family_id}#gezinsleden")))
}
