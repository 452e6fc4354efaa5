//! The `samenspel` command: see `samenspel --help`.

fn main() -> std::process::ExitCode {
    few_allocator_arenas();
    samenspel::cli::run()
}

/// glibc gives threads that allocate at the same moment arenas of their own, up to eight per core,
/// and each arena keeps what it once held. A storm of logins runs on dozens of blocking threads at
/// once and left each of some fifteen arenas a few hundred KiB larger; with two arenas, the memory
/// freed by one request is what the next one reuses. Set before any thread starts.
fn few_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; no allocation has another thread yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
