//! Authentication: password hashing, server-side sessions, single-use tokens, login throttling, and the
//! second factor with the pending login between password and session.

pub mod challenge;
pub mod oidc;
pub mod password;
pub mod second_factor;
pub mod session;
pub mod throttle;
pub mod token;

use diesel::prelude::*;
use rand::RngCore;

use crate::db::{self, DbConn};
use crate::domain::now;
use crate::schema::{sessions, user_tokens};
use sha2::{Digest, Sha256};

/// A fresh secret of 32 random bytes, URL-safe; what goes into a cookie or a link.
pub fn random_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a secret: its SHA-256, so a leaked table opens no session.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Deletes what no longer serves: expired sessions, tokens past their expiry, login attempts older than
/// a day. Returns how many rows went. Runs hourly on every instance (see `crate::serve`).
pub fn prune_expired(conn: &mut DbConn) -> QueryResult<usize> {
    db::write(conn, |conn| {
        let now = now();
        let mut removed =
            diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)?;
        removed += diesel::delete(user_tokens::table.filter(user_tokens::expires_at.le(now)))
            .execute(conn)?;
        removed += throttle::prune(conn)?;
        removed += crate::domain::api_rate::prune(conn)?;
        removed += challenge::prune(conn)?;
        removed += crate::domain::sign_on::prune_pending(conn)?;
        Ok(removed)
    })
}
