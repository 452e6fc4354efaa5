//! Password hashing with argon2id at the OWASP parameters (m = 19 MiB, t = 2, p = 1).
//!
//! Both functions are slow on purpose: never call them on an async worker. The web handlers use
//! `hash_queued` and `verify_queued`, which run them on (cores − 1) low-priority threads of their own: a
//! storm of logins then waits in line instead of taking the processor from the live meeting room.

use std::sync::OnceLock;

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A password job and where its answer goes.
type Job = Box<dyn FnOnce() + Send>;

/// The password workers: (cores − 1) threads of their own, at the lowest scheduling priority. A storm of
/// logins waits in their queue, and while it lasts the live meeting room and every other request still
/// get the processor first (argon2 is built to be expensive in processor time and memory).
fn workers() -> &'static std::sync::mpsc::SyncSender<Job> {
    static QUEUE: OnceLock<std::sync::mpsc::SyncSender<Job>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(4096);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for n in 0..cores.saturating_sub(1).max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        let job = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "password worker not started");
            }
        }
        tx
    })
}

/// Makes the calling thread the last in line for the processor (nice 19).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its arguments; `who = 0` is the calling thread on Linux.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

/// The password workers are busy beyond their queue, or gone.
#[derive(Debug, thiserror::Error)]
#[error("the password workers cannot take more work now")]
pub struct Busy;

/// Runs `f` on a password worker and waits for it without holding up the async worker. A full queue is
/// answered at once (never by blocking the async worker), and a job whose requester has gone is skipped.
async fn on_worker<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    workers()
        .try_send(Box::new(move || {
            if !tx.is_closed() {
                let _ = tx.send(f());
            }
        }))
        .map_err(|e| {
            tracing::warn!(error = %e, "password work refused: queue full or workers gone");
            Busy
        })?;
    rx.await.map_err(|_| Busy)
}

/// `hash` on a password worker.
pub async fn hash_queued(password: String) -> anyhow::Result<String> {
    on_worker(move || hash(&password)).await?
}

/// `verify` on a password worker; `Busy` when the workers cannot take it now (answer 503, not "wrong").
pub async fn verify_queued(password: String, stored: Option<String>) -> Result<bool, Busy> {
    on_worker(move || verify(&password, stored.as_deref())).await
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

/// Checks `password` against `stored`. Without a stored hash (unknown account, or one that never set a
/// password) it verifies against a dummy hash anyway, so the answer takes as long and reveals nothing.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("dummy password for timing").unwrap_or_default());
    let (candidate, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(candidate) else {
        return false;
    };
    argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_own_password_only() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery", Some(&h)));
        assert!(!verify("wrong horse battery", Some(&h)));
        assert!(!verify("dummy password for timing", None));
    }
}
