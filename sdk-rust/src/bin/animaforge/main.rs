//! `animaforge`: the AnimaForge command-line tool. See `animaforge --help`.
//!
//! Results go to stdout (JSON with `--json`), progress, log lines and errors to stderr.
//! An error is one line, `error: CODE: message ... [request req_...]`, and the exit code
//! says what kind of failure it was.

/// `println!` for results: writes a line to stdout; when stdout is a pipe whose reader
/// has gone (`animaforge ... | head -1`), the program ends quietly with exit code 141.
macro_rules! outln {
    () => {
        $crate::output::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for results, as [`outln!`] without the newline.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!($($arg)*))
    };
}

/// `eprintln!` for progress, notes and errors: a stderr that cannot be written to is
/// ignored rather than a panic.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::write_stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` (prompts), as [`errln!`] without the newline.
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::output::write_stderr(format_args!($($arg)*))
    };
}

mod account;
mod args;
mod catalog;
mod failure;
mod generate;
mod output;
mod progress;
mod settings;

use std::process::ExitCode;
use std::time::Duration;

use animaforge::AnimaForge;
use clap::{CommandFactory, FromArgMatches};

use args::{Cli, Command};
use failure::Failure;
use settings::{Resolved, StoredConfig};

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    if cli.global.verbose {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("animaforge_core=debug"))
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_writer(std::io::stderr)
            .try_init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            errln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(failure::EXIT_LOCAL);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            errln!("error: {}", failure.message);
            failure.exit_code()
        }
    }
}

/// Parses the command line. A missing subcommand (`animaforge animations`) is a usage
/// error like any other, not the whole help.
fn parse() -> Result<Cli, clap::Error> {
    let command = Cli::command()
        .arg_required_else_help(false)
        .mut_subcommands(|sub| sub.arg_required_else_help(false));
    let matches = command.try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// Help and version go out as clap writes them; a usage error becomes one line,
/// `error: ... (usage: ...; see --help)`, and exit code 2.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    }
    let text = e.render().to_string();
    let mut parts = Vec::new();
    let mut usage = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u.to_owned());
        } else if !line.starts_with("For more information") {
            // `[subcommands: a, b]` and the like read better without the brackets.
            let line = line
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
                .unwrap_or(line);
            parts.push(line);
        }
    }
    let mut line = String::new();
    for part in parts {
        if !line.is_empty() {
            line.push_str(if line.ends_with(':') { " " } else { "; " });
        }
        line.push_str(part);
    }
    if !line.starts_with("error:") {
        line = format!("error: {line}");
    }
    if let Some(usage) = usage {
        line.push_str(&format!(" (usage: {usage}; see --help)"));
    }
    errln!("{line}");
    ExitCode::from(failure::EXIT_USAGE)
}

/// What every command gets: the resolved settings and the stored config.
#[derive(Debug)]
pub(crate) struct Context {
    /// Flags, environment and the config file, resolved.
    pub(crate) settings: Resolved,
    /// The config file as read.
    pub(crate) stored: StoredConfig,
    /// Per-call timeout from `--timeout`.
    pub(crate) timeout: Option<Duration>,
}

impl Context {
    /// A client for the resolved base URL, with the API key when there is one.
    pub(crate) fn client(&self) -> Result<AnimaForge, Failure> {
        let mut builder = AnimaForge::builder()
            .base_url(&self.settings.base_url)
            .user_agent(concat!("animaforge-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(key) = &self.settings.api_key {
            builder = builder.api_key(key);
        }
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        Ok(builder.build()?)
    }

    /// A client that must authenticate: fails early, with what to do, without a key.
    pub(crate) fn authed(&self) -> Result<AnimaForge, Failure> {
        if self.settings.api_key.is_none() {
            // A stored key for another server is not sent here: say whose it is.
            if let (Some(_), Some(stored_url)) =
                (&self.stored.api_key, self.stored.base_url.as_deref())
            {
                return Err(Failure::local(format!(
                    "not signed in for {}: the stored API key belongs to {stored_url} (use \
                     that base URL, or `animaforge auth login` for this one)",
                    self.settings.base_url
                )));
            }
            return Err(Failure::local(
                "not signed in: run `animaforge auth login`, or set ANIMAFORGE_API_KEY or --api-key",
            ));
        }
        self.client()
    }

    /// Whether to print JSON.
    pub(crate) fn json(&self) -> bool {
        self.settings.json
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let stored = settings::load()?;
    let settings = settings::resolve(
        cli.global.base_url.as_deref(),
        cli.global.api_key.as_deref(),
        cli.global.json,
        &stored,
    );
    let context = Context {
        settings,
        stored,
        timeout: cli.global.timeout.map(Duration::from_secs),
    };
    match cli.command {
        Command::Auth(command) => account::auth(&context, command).await,
        Command::Config(command) => account::config(&context, command),
        Command::Generate(args) => generate::generate(&context, args).await,
        Command::Jobs(command) => generate::jobs(&context, command).await,
        Command::Animations(command) => catalog::animations(&context, command).await,
        Command::Search(args) => catalog::search(&context, args).await,
        Command::Marketplace(command) => catalog::marketplace(&context, command).await,
        Command::Templates => catalog::templates(&context).await,
        Command::Health => catalog::health(&context).await,
    }
}

/// Runs `work`, or fails with exit code 130 on Ctrl-C (dropping `work`, which removes
/// partial downloads and abandons uploads).
pub(crate) async fn interruptible<T>(
    what: &str,
    work: impl std::future::Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => Err(Failure::interrupted(format!("interrupted while {what}"))),
    }
}
