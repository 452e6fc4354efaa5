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

/// One password worker's life: takes jobs until the queue is gone. Whenever the queue runs empty, its
/// argon2 block and the memory that the logins just freed (request buffers, rows, the hash's own small
/// allocations, on every thread) go back to the system: a storm of logins reuses one block per worker
/// while it lasts and leaves the server no larger than before but for what its connections keep.
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
                release_memory();
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
    /// Argon2's working memory (19 MiB at our parameters) for this thread: mapped at its first
    /// password, reused for every next one, and given back whole when a password worker runs out of
    /// work ([`release_memory`]). So a storm of logins holds one block per worker while it lasts, and
    /// an idle server none. Memory allocated and freed per hash was kept by the allocator instead,
    /// about 19 MiB more after each of the first logins.
    static MEMORY: std::cell::RefCell<Option<Scratch>> = const { std::cell::RefCell::new(None) };
}

/// Gives this thread's argon2 memory back to the system.
fn release_memory() {
    MEMORY.with(|memory| memory.borrow_mut().take());
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
        if memory.as_ref().is_none_or(|m| m.len < blocks) {
            // The old mapping (if any) goes before the larger one is made.
            *memory = None;
            *memory = Scratch::map(blocks);
        }
        match memory.as_mut() {
            Some(scratch) => {
                let memory = &mut scratch.blocks()[..blocks];
                hasher.hash_password_into_with_memory(password.as_bytes(), salt, out, memory)
            }
            // The system had no mapping to give: this hash alone on the heap.
            None => hasher.hash_password_into_with_memory(
                password.as_bytes(),
                salt,
                out,
                vec![Block::default(); blocks],
            ),
        }
    })
}

/// Memory for argon2's blocks in a mapping of its own, straight from the system: unmapped on drop, so
/// it is given back whole, whatever the allocator would keep.
struct Scratch {
    start: std::ptr::NonNull<Block>,
    len: usize,
}

/// On Linux the mapping's pages are filled at once: one call into the system instead of a page fault
/// per page (a new block cost 3.5 ms more than a reused one here, against 7 ms page by page).
#[cfg(target_os = "linux")]
const POPULATE: libc::c_int = libc::MAP_POPULATE;
#[cfg(all(unix, not(target_os = "linux")))]
const POPULATE: libc::c_int = 0;

impl Scratch {
    /// None when the system has no mapping to give (or, off Unix, none is asked for).
    #[cfg(unix)]
    fn map(len: usize) -> Option<Scratch> {
        let bytes = len.checked_mul(size_of::<Block>())?;
        // SAFETY: asks for a new private anonymous mapping; it touches no memory of ours.
        let at = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | POPULATE,
                -1,
                0,
            )
        };
        if at == libc::MAP_FAILED {
            return None;
        }
        std::ptr::NonNull::new(at.cast::<Block>()).map(|start| Scratch { start, len })
    }

    #[cfg(not(unix))]
    fn map(_len: usize) -> Option<Scratch> {
        None
    }

    fn blocks(&mut self) -> &mut [Block] {
        // SAFETY: the mapping holds `len` blocks and is page aligned (a block asks 64 bytes); its
        // pages start zeroed, which is a valid block (plain words); `&mut self` makes this view the
        // only one.
        unsafe { std::slice::from_raw_parts_mut(self.start.as_ptr(), self.len) }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping `map` made; no view of it outlives `&mut self`.
        #[cfg(unix)]
        unsafe {
            libc::munmap(self.start.as_ptr().cast(), self.len * size_of::<Block>());
        }
    }
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
    fn a_block_is_kept_between_passwords_and_given_back_whole() {
        // On a thread of its own: the harness runs other tests' hashes on other threads.
        std::thread::spawn(|| {
            assert_eq!(mapped(), None);
            let first = hash("one").unwrap();
            let block = mapped().expect("a block after the first password");
            assert!(verify("one", Some(&first)));
            assert_eq!(
                mapped(),
                Some(block),
                "the same block for the next password"
            );
            release_memory();
            assert_eq!(mapped(), None);
            let second = hash("two").unwrap();
            assert!(verify("two", Some(&second)) && !verify("one", Some(&second)));
        })
        .join()
        .unwrap();
    }

    /// Where this thread's argon2 block is mapped now, if it holds one.
    fn mapped() -> Option<std::ptr::NonNull<Block>> {
        MEMORY.with(|m| m.borrow().as_ref().map(|s| s.start))
    }

    fn held() -> bool {
        mapped().is_some()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_worker_gives_its_block_back_when_its_queue_runs_empty() {
        let (queue, jobs) = std::sync::mpsc::sync_channel::<Job>(4);
        let worker = std::thread::spawn(move || work(&std::sync::Mutex::new(jobs)));
        // Runs `job` on the worker and returns its answer.
        let on_worker = |job: fn() -> (bool, libc::pid_t)| {
            let (answer, answered) = std::sync::mpsc::channel();
            queue
                .send(Box::new(move || {
                    let _ = answer.send(job());
                }))
                .unwrap();
            answered.recv().unwrap()
        };
        let (kept, worker_id) = on_worker(|| {
            hash("one").unwrap();
            // SAFETY: gettid only returns the calling thread's id.
            (held(), unsafe { libc::gettid() })
        });
        assert!(kept, "the worker holds its block while it works");
        // Once its queue ran empty the worker sleeps, waiting for the next job.
        let state = || {
            let stat = std::fs::read_to_string(format!("/proc/self/task/{worker_id}/stat"));
            stat.ok().and_then(|s| {
                s.rsplit(')')
                    .next()?
                    .split_whitespace()
                    .next()
                    .map(str::to_owned)
            })
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while state().as_deref() != Some("S") {
            assert!(
                std::time::Instant::now() < deadline,
                "the worker never waited"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let (kept, _) = on_worker(|| (held(), 0));
        assert!(
            !kept,
            "the worker still holds its block after its queue ran empty"
        );
        drop(queue);
        worker.join().unwrap();
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
