//! The second factor of staff accounts: a TOTP secret (RFC 6238, the codes of an authenticator app),
//! confirmed by a first code before it counts, and ten single-use recovery codes kept as hashes.
//!
//! A code is accepted for the current 30-second step or the one before or after (clocks drift), and
//! only for a step later than the last one accepted for that user: the same code twice is refused, on
//! any device. Who must have one is `required_for`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::Rng;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::db::DbConn;
use crate::domain::now;
use crate::domain::user::{Role, User};
use crate::schema::{
    organisations, partnership_organisations, partnerships, recovery_codes, second_factors,
};

/// How many recovery codes a user gets at once.
pub const RECOVERY_CODES: usize = 10;
/// The name an authenticator app shows above the codes.
const ISSUER: &str = "Samenspel";

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = second_factors)]
pub struct SecondFactor {
    pub id: i64,
    pub user_id: i64,
    /// Base32, as an authenticator app takes it by hand.
    pub secret: String,
    pub created_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
    pub last_step: Option<i64>,
}

impl SecondFactor {
    /// The secret as an `otpauth://` address (what the QR code holds) for the account `email`.
    pub fn uri(&self, email: &str) -> String {
        totp(&self.secret, email)
            .and_then(|t| t.to_url().ok())
            .unwrap_or_default()
    }

    /// The secret in groups of four, easier to type.
    pub fn secret_grouped(&self) -> String {
        self.secret
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The step a code answers for, when it is right now (within one step either way).
    fn step_of(&self, code: &str, at: NaiveDateTime) -> Option<i64> {
        let seconds = u64::try_from(at.and_utc().timestamp()).ok()?;
        let step = totp(&self.secret, "")?.check(code, seconds)?;
        i64::try_from(step).ok()
    }
}

fn totp(secret: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .ok()
}

/// A QR code of `text` as an SVG element, black on white, to put into the page as it is.
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// The user's second factor in use, if any.
pub fn active(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<SecondFactor>> {
    second_factors::table
        .filter(second_factors::user_id.eq(user_id))
        .filter(second_factors::confirmed_at.is_not_null())
        .order(second_factors::id.desc())
        .select(SecondFactor::as_select())
        .first(conn)
        .optional()
}

/// The secret being set up, not yet confirmed by a code, if any.
pub fn pending(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<SecondFactor>> {
    second_factors::table
        .filter(second_factors::user_id.eq(user_id))
        .filter(second_factors::confirmed_at.is_null())
        .order(second_factors::id.desc())
        .select(SecondFactor::as_select())
        .first(conn)
        .optional()
}

/// Starts setting up a new secret (160 random bits); one begun earlier is dropped. The factor in use,
/// if any, stays until the new one is confirmed.
pub fn begin(conn: &mut DbConn, user_id: i64) -> QueryResult<SecondFactor> {
    diesel::delete(
        second_factors::table
            .filter(second_factors::user_id.eq(user_id))
            .filter(second_factors::confirmed_at.is_null()),
    )
    .execute(conn)?;
    let mut bytes = [0u8; 20];
    rand::rng().fill(&mut bytes);
    diesel::insert_into(second_factors::table)
        .values((
            second_factors::user_id.eq(user_id),
            second_factors::secret.eq(Secret::new_stack(bytes).to_base32()),
            second_factors::created_at.eq(now()),
        ))
        .execute(conn)?;
    pending(conn, user_id)?.ok_or(diesel::result::Error::NotFound)
}

/// The pending secret, begun if there is none yet.
pub fn pending_or_begin(conn: &mut DbConn, user_id: i64) -> QueryResult<SecondFactor> {
    match pending(conn, user_id)? {
        Some(found) => Ok(found),
        None => begin(conn, user_id),
    }
}

/// Confirms the pending secret with its first code: from now on it is the user's second factor (any
/// earlier one goes) and the code's step counts as used. Returns the new recovery codes (the earlier
/// ones stop working), or None when the code is wrong or there is nothing pending.
pub fn confirm(conn: &mut DbConn, user_id: i64, code: &str) -> QueryResult<Option<Vec<String>>> {
    let Some(pending) = pending(conn, user_id)? else {
        return Ok(None);
    };
    let now = now();
    let Some(step) = pending.step_of(code.trim(), now) else {
        return Ok(None);
    };
    diesel::delete(
        second_factors::table
            .filter(second_factors::user_id.eq(user_id))
            .filter(second_factors::id.ne(pending.id)),
    )
    .execute(conn)?;
    diesel::update(second_factors::table.find(pending.id))
        .set((
            second_factors::confirmed_at.eq(now),
            second_factors::last_step.eq(step),
        ))
        .execute(conn)?;
    Ok(Some(renew_recovery_codes(conn, user_id)?))
}

/// What an answer to "your code" was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A right code, for a step not used before.
    Code,
    /// An unused recovery code, now used up.
    RecoveryCode,
    /// A right code for a step already used: refused.
    Replayed,
    Wrong,
}

impl Verdict {
    pub fn accepted(self) -> bool {
        matches!(self, Verdict::Code | Verdict::RecoveryCode)
    }
}

/// Checks a code (six digits) or a recovery code against the user's second factor, and uses it up.
/// Call inside a write transaction.
pub fn verify(conn: &mut DbConn, user_id: i64, answer: &str) -> QueryResult<Verdict> {
    let digits: String = answer.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
        return verify_code(conn, user_id, &digits);
    }
    let normalised = normalise_recovery(answer);
    if normalised.is_empty() {
        return Ok(Verdict::Wrong);
    }
    let used = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(super::token_hash(&normalised)))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(now()))
    .execute(conn)?;
    Ok(if used == 1 {
        Verdict::RecoveryCode
    } else {
        Verdict::Wrong
    })
}

fn verify_code(conn: &mut DbConn, user_id: i64, code: &str) -> QueryResult<Verdict> {
    let Some(factor) = active(conn, user_id)? else {
        return Ok(Verdict::Wrong);
    };
    let Some(step) = factor.step_of(code, now()) else {
        return Ok(Verdict::Wrong);
    };
    // One statement sets the step only when it is later than the last: two requests with the same code
    // cannot both get through.
    let taken = diesel::update(
        second_factors::table.find(factor.id).filter(
            second_factors::last_step
                .is_null()
                .or(second_factors::last_step.lt(step)),
        ),
    )
    .set(second_factors::last_step.eq(step))
    .execute(conn)?;
    Ok(if taken == 1 {
        Verdict::Code
    } else {
        Verdict::Replayed
    })
}

/// Recovery codes as typed: letters and digits only, lower case.
fn normalise_recovery(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Ten new recovery codes ("k7m2p-9xq4h"); the earlier ones stop working. Shown once: only their
/// hashes are kept.
pub fn renew_recovery_codes(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<String>> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    let mut rng = rand::rng();
    let now = now();
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let raw: String = (0..10)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(super::token_hash(&raw)),
                recovery_codes::created_at.eq(now),
            ))
            .execute(conn)?;
        codes.push(format!("{}-{}", &raw[..5], &raw[5..]));
    }
    Ok(codes)
}

/// How many unused recovery codes the user has left.
pub fn recovery_codes_left(conn: &mut DbConn, user_id: i64) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
}

/// Removes the user's second factor and recovery codes (set up or pending). How many factors went.
pub fn remove(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(second_factors::table.filter(second_factors::user_id.eq(user_id))).execute(conn)
}

/// Whether `user` must use a second factor: never a family account; a system admin when the
/// deployment requires it (`default`); anyone else when their organisation requires it (its own rule,
/// or `default` when it set none) or any partnership it takes part in does.
pub fn required_for(conn: &mut DbConn, user: &User, default: bool) -> QueryResult<bool> {
    let Some(organisation_id) = user.organisation_id else {
        return Ok(user.role() == Role::SystemAdmin && default);
    };
    if user.role() == Role::Family {
        return Ok(false);
    }
    let own: Option<Option<bool>> = organisations::table
        .find(organisation_id)
        .select(organisations::second_factor_required)
        .first(conn)
        .optional()?;
    if own.flatten().unwrap_or(default) {
        return Ok(true);
    }
    let taking_part = partnership_organisations::table
        .filter(partnership_organisations::organisation_id.eq(organisation_id))
        .select(partnership_organisations::partnership_id);
    let by_partnership: i64 = partnerships::table
        .filter(partnerships::id.eq_any(taking_part))
        .filter(partnerships::second_factor_required.eq(true))
        .count()
        .get_result(conn)?;
    Ok(by_partnership > 0)
}

/// Sets an organisation's own rule (None: follow the deployment's default).
pub fn set_organisation_rule(
    conn: &mut DbConn,
    organisation_id: i64,
    required: Option<bool>,
) -> QueryResult<usize> {
    diesel::update(organisations::table.find(organisation_id))
        .set(organisations::second_factor_required.eq(required))
        .execute(conn)
}

/// Sets whether a partnership requires a second factor of its organisations' professionals.
pub fn set_partnership_rule(
    conn: &mut DbConn,
    partnership_id: i64,
    required: bool,
) -> QueryResult<usize> {
    diesel::update(partnerships::table.find(partnership_id))
        .set(partnerships::second_factor_required.eq(required))
        .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(secret: &str, last_step: Option<i64>) -> SecondFactor {
        SecondFactor {
            id: 1,
            user_id: 1,
            secret: secret.into(),
            created_at: now(),
            confirmed_at: Some(now()),
            last_step,
        }
    }

    #[test]
    fn codes_of_the_step_before_and_after_count_and_no_others() {
        // RFC 6238's test secret ("12345678901234567890") in base32.
        let f = factor("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", None);
        let at = chrono::DateTime::from_timestamp(59, 0).unwrap().naive_utc();
        // RFC 6238, appendix B: 94287082 at T=59 (SHA-1, eight digits); six digits: 287082.
        assert_eq!(f.step_of("287082", at), Some(1));
        let a_minute_later = at + chrono::Duration::seconds(30);
        assert_eq!(f.step_of("287082", a_minute_later), Some(1));
        let later = at + chrono::Duration::seconds(90);
        assert_eq!(f.step_of("287082", later), None);
        assert_eq!(f.step_of("000000", at), None);
        assert_eq!(f.step_of("28708", at), None);
    }

    #[test]
    fn recovery_codes_are_read_as_typed() {
        assert_eq!(normalise_recovery(" K7M2P-9xq4h "), "k7m2p9xq4h");
        assert_eq!(normalise_recovery("--"), "");
    }

    #[test]
    fn the_qr_code_is_an_svg() {
        let svg = qr_svg("otpauth://totp/Samenspel:a%40b.example?secret=ABC");
        assert!(svg.contains("<svg"), "{svg}");
        assert!(!svg.contains("<script"));
    }
}
