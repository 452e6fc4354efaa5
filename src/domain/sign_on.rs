//! Single sign-on in the database: an organisation's identity provider, the subject a provider knows an
//! account by, logins on their way through a provider, the sessions that began at one, and what a
//! family's DigiD login is checked against. The protocol itself is `auth::oidc`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{
    families, organisation_sign_on, organisations, persons, portal_access, sessions, sign_on_links,
    sign_on_pending, sign_on_sessions,
};

/// An organisation's identity provider, as its admin set it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = organisation_sign_on)]
pub struct OrganisationSignOn {
    pub organisation_id: i64,
    pub issuer: String,
    pub client_id: String,
    /// Kept as typed: it is sent to the provider at every login. Never shown again.
    pub client_secret: String,
    /// An `acr` value that counts as a second factor.
    pub mfa_acr: Option<String>,
    pub updated_by: i64,
    pub updated_at: NaiveDateTime,
}

/// What an admin sets.
pub struct Settings<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub mfa_acr: Option<&'a str>,
}

pub fn of_organisation(
    conn: &mut DbConn,
    organisation_id: i64,
) -> QueryResult<Option<OrganisationSignOn>> {
    organisation_sign_on::table
        .find(organisation_id)
        .select(OrganisationSignOn::as_select())
        .first(conn)
        .optional()
}

/// The organisations whose people can log in at their own provider, by name: the login page's list.
pub fn organisations_with_sign_on(conn: &mut DbConn) -> QueryResult<Vec<(i64, String)>> {
    organisation_sign_on::table
        .inner_join(organisations::table)
        .order(organisations::name.asc())
        .select((organisations::id, organisations::name))
        .load(conn)
}

/// Sets (or replaces) an organisation's provider.
pub fn set(
    conn: &mut DbConn,
    organisation_id: i64,
    settings: &Settings<'_>,
    by: i64,
) -> QueryResult<()> {
    let row = (
        organisation_sign_on::issuer.eq(settings.issuer),
        organisation_sign_on::client_id.eq(settings.client_id),
        organisation_sign_on::client_secret.eq(settings.client_secret),
        organisation_sign_on::mfa_acr.eq(settings.mfa_acr),
        organisation_sign_on::updated_by.eq(by),
        organisation_sign_on::updated_at.eq(super::now()),
    );
    let changed = diesel::update(organisation_sign_on::table.find(organisation_id))
        .set(row)
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(organisation_sign_on::table)
            .values((
                organisation_sign_on::organisation_id.eq(organisation_id),
                row,
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes an organisation's provider; its people log in with their password again. True when there
/// was one.
pub fn remove(conn: &mut DbConn, organisation_id: i64) -> QueryResult<bool> {
    Ok(diesel::delete(organisation_sign_on::table.find(organisation_id)).execute(conn)? == 1)
}

// ---------------------------------------------------------------------------------------------------
// Subjects

/// The account a provider's subject is linked to.
pub fn linked_user(conn: &mut DbConn, issuer: &str, subject: &str) -> QueryResult<Option<i64>> {
    sign_on_links::table
        .filter(sign_on_links::issuer.eq(issuer))
        .filter(sign_on_links::subject.eq(subject))
        .select(sign_on_links::user_id)
        .first(conn)
        .optional()
}

/// The subject an account is linked to at this provider, if any.
pub fn subject_of(conn: &mut DbConn, user_id: i64, issuer: &str) -> QueryResult<Option<String>> {
    sign_on_links::table
        .filter(sign_on_links::user_id.eq(user_id))
        .filter(sign_on_links::issuer.eq(issuer))
        .select(sign_on_links::subject)
        .first(conn)
        .optional()
}

pub fn link(conn: &mut DbConn, user_id: i64, issuer: &str, subject: &str) -> QueryResult<()> {
    diesel::insert_into(sign_on_links::table)
        .values((
            sign_on_links::user_id.eq(user_id),
            sign_on_links::issuer.eq(issuer),
            sign_on_links::subject.eq(subject),
            sign_on_links::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Logins on their way

/// How long a login may take at the provider.
pub const PENDING_MINUTES: i64 = 10;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sign_on_pending)]
pub struct Pending {
    pub state_hash: String,
    /// None: the families' DigiD broker.
    pub organisation_id: Option<i64>,
    pub user_id: Option<i64>,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// What a login keeps while the browser is at the provider.
pub struct NewPending<'a> {
    pub state_hash: &'a str,
    pub organisation_id: Option<i64>,
    pub user_id: Option<i64>,
    pub nonce: &'a str,
    pub pkce_verifier: &'a str,
    pub next: &'a str,
}

pub fn keep_pending(conn: &mut DbConn, new: &NewPending<'_>) -> QueryResult<()> {
    let now = super::now();
    diesel::insert_into(sign_on_pending::table)
        .values((
            sign_on_pending::state_hash.eq(new.state_hash),
            sign_on_pending::organisation_id.eq(new.organisation_id),
            sign_on_pending::user_id.eq(new.user_id),
            sign_on_pending::nonce.eq(new.nonce),
            sign_on_pending::pkce_verifier.eq(new.pkce_verifier),
            sign_on_pending::next.eq(new.next),
            sign_on_pending::created_at.eq(now),
            sign_on_pending::expires_at.eq(now + chrono::Duration::minutes(PENDING_MINUTES)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes the login of this state hash: it is gone afterwards, so a state works once. None when unknown
/// or expired.
pub fn take_pending(conn: &mut DbConn, state_hash: &str) -> QueryResult<Option<Pending>> {
    let found = sign_on_pending::table
        .find(state_hash)
        .select(Pending::as_select())
        .first(conn)
        .optional()?;
    let Some(pending) = found else {
        return Ok(None);
    };
    let taken = diesel::delete(sign_on_pending::table.find(state_hash)).execute(conn)?;
    Ok((taken == 1 && pending.expires_at > super::now()).then_some(pending))
}

/// Removes logins that were never finished; part of the hourly housekeeping.
pub fn prune_pending(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::delete(sign_on_pending::table.filter(sign_on_pending::expires_at.le(super::now())))
        .execute(conn)
}

// ---------------------------------------------------------------------------------------------------
// Sessions that began at a provider

/// The id of the session whose token hashes to `token_hash`.
pub fn session_id(conn: &mut DbConn, token_hash: &str) -> QueryResult<i64> {
    sessions::table
        .filter(sessions::token_hash.eq(token_hash))
        .select(sessions::id)
        .first(conn)
}

/// Keeps the ID token of a session that began at a provider (None: the DigiD broker).
pub fn keep_session(
    conn: &mut DbConn,
    session_id: i64,
    organisation_id: Option<i64>,
    id_token: &str,
) -> QueryResult<()> {
    diesel::insert_into(sign_on_sessions::table)
        .values((
            sign_on_sessions::session_id.eq(session_id),
            sign_on_sessions::organisation_id.eq(organisation_id),
            sign_on_sessions::id_token.eq(id_token),
        ))
        .execute(conn)?;
    Ok(())
}

/// The provider (organisation, or None for the DigiD broker) and ID token of a session that began at
/// a provider.
pub fn session(conn: &mut DbConn, session_id: i64) -> QueryResult<Option<(Option<i64>, String)>> {
    sign_on_sessions::table
        .find(session_id)
        .select((
            sign_on_sessions::organisation_id,
            sign_on_sessions::id_token,
        ))
        .first(conn)
        .optional()
}

// ---------------------------------------------------------------------------------------------------
// Families and DigiD

/// Whether the family of this family account requires DigiD. False for every other account.
pub fn digid_required_for(conn: &mut DbConn, user_id: i64) -> QueryResult<bool> {
    Ok(portal_access::table
        .inner_join(families::table.on(families::id.eq(portal_access::family_id)))
        .filter(portal_access::user_id.eq(user_id))
        .select(families::digid_required)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

/// The member behind a family account, as a DigiD login is checked against it.
#[derive(Clone, Debug, Queryable)]
pub struct Member {
    pub family_id: i64,
    pub person_id: i64,
    pub name: String,
    /// None when no BSN is recorded.
    pub bsn: Option<String>,
}

pub fn member_of(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<Member>> {
    portal_access::table
        .inner_join(persons::table.on(persons::id.eq(portal_access::person_id)))
        .filter(portal_access::user_id.eq(user_id))
        .select((
            portal_access::family_id,
            persons::id,
            persons::name,
            persons::bsn,
        ))
        .first(conn)
        .optional()
}

pub fn set_digid_required(conn: &mut DbConn, family_id: i64, required: bool) -> QueryResult<bool> {
    let changed = diesel::update(
        families::table
            .find(family_id)
            .filter(families::digid_required.ne(required)),
    )
    .set((
        families::digid_required.eq(required),
        families::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
