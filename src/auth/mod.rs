//! Authentication: password hashing, server-side sessions, single-use tokens and login throttling.

pub mod password;
pub mod session;
pub mod throttle;
pub mod token;

use rand::RngCore;
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
