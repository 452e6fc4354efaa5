//! The `samenspel` command: see `samenspel --help`.

fn main() -> std::process::ExitCode {
    samenspel::cli::run()
}
