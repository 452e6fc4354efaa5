//! Password hashing with argon2id at the OWASP parameters (m = 19 MiB, t = 2, p = 1).
//!
//! Both functions are slow on purpose: never call them on an async worker. The web handlers use
//! `hash_queued` and `verify_queued`, which run them on (cores − 1) low-priority threads of their own: a
//! storm of logins then waits in line instead of taking the processor from the live meeting room.

use std::sync::OnceLock;

use argon2::password_hash::{
    self, Output, ParamsString, PasswordHash, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};

const ALGORITHM: Algorithm = Algorithm::Argon2id;
const VERSION: Version = Version::V0x13;

fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid")
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
                    work(&rx);
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "password worker not started");
            }
        }
        tx
    })
}

/// One password worker's life: takes jobs until the queue is gone. Whenever the queue runs empty, the
/// memory that the logins just freed (request buffers, rows, the hash's own small allocations, on every
/// thread) goes back to the system, so a storm of logins does not leave the server larger than one
/// argon2 block per worker.
fn work(rx: &std::sync::Mutex<std::sync::mpsc::Receiver<Job>>) {
    use std::sync::mpsc::TryRecvError;
    loop {
        let next = match rx.lock() {
            Ok(queue) => queue.try_recv(),
            Err(_) => return,
        };
        let job = match next {
            Ok(job) => job,
            Err(TryRecvError::Empty) => {
                release_free_memory();
                match rx.lock().map(|queue| queue.recv()) {
                    Ok(Ok(job)) => job,
                    _ => return,
                }
            }
            Err(TryRecvError::Disconnected) => return,
        };
        job();
    }
}

/// Hands the allocator's free memory back to the system (glibc keeps freed memory in each thread's
/// arena otherwise). A few milliseconds at most, after a hash that takes tens of them.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; 0 keeps no extra padding.
    unsafe {
        libc::malloc_trim(0);
    }
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
    let mut raw_salt = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut raw_salt)
        .map_err(|e| anyhow::anyhow!("password salt: {e}"))?;
    let params = params();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    derive(ALGORITHM, VERSION, &params, password, salt_bytes, &mut out)
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))?;
    let phc = || -> password_hash::Result<String> {
        Ok(PasswordHash {
            algorithm: ALGORITHM.ident(),
            version: Some(VERSION.into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out)?),
        }
        .to_string())
    };
    phc().map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
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
    matches(password, &parsed).unwrap_or(false) && real
}

/// Whether `password` gives the hash in `phc`, with the algorithm, version and parameters written
/// there (older hashes keep theirs); the comparison takes constant time (`Output`'s equality).
fn matches(password: &str, phc: &PasswordHash) -> password_hash::Result<bool> {
    let algorithm = Algorithm::try_from(phc.algorithm)?;
    let version = match phc.version {
        Some(v) => Version::try_from(v)?,
        None => Version::default(),
    };
    let params = Params::try_from(phc)?;
    let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
        return Ok(false);
    };
    let mut raw_salt = [0u8; 64];
    let salt = salt.decode_b64(&mut raw_salt)?;
    let mut out = vec![0u8; expected.len()];
    derive(algorithm, version, &params, password, salt, &mut out)?;
    Ok(Output::new(&out)? == expected)
}

thread_local! {
    /// Argon2's working memory (19 MiB at our parameters) for this thread: taken at its first
    /// password and reused for every next one. The password workers are a fixed few threads, so the
    /// server holds at most one block per worker however many logins come; memory allocated and freed
    /// per hash was kept by the allocator instead, about 19 MiB more after each of the first logins.
    static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Argon2 into `out`, in this thread's reused working memory.
fn derive(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &str,
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let hasher = Argon2::new(algorithm, version, params.clone());
    let blocks = params.block_count();
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let missing = blocks.saturating_sub(memory.len());
        if missing > 0 {
            memory.reserve_exact(missing);
            memory.resize(blocks, Block::default());
        }
        hasher.hash_password_into_with_memory(password.as_bytes(), salt, out, &mut memory[..blocks])
    })
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

    #[test]
    fn hashes_agree_with_the_argon2_crates_own_hashing_both_ways() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let theirs = Argon2::new(ALGORITHM, VERSION, params())
            .hash_password(b"stored before", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify("stored before", Some(&theirs)));
        assert!(!verify("stored after", Some(&theirs)));
        let ours = hash("stored after").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"stored after", &parsed)
                .is_ok()
        );
        // A hash with other (older, cheaper) parameters keeps verifying with its own.
        let cheap = Params::new(8 * 1024, 1, 1, None).unwrap();
        let older = Argon2::new(ALGORITHM, VERSION, cheap)
            .hash_password(b"older", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify("older", Some(&older)));
        assert!(!verify("Older", Some(&older)));
    }
}
