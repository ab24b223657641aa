//! `animaforge-server`: see `animaforge-server --help`.

fn main() -> std::process::ExitCode {
    animaforge_server::cli::main()
}
