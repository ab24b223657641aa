//! Why a command failed: one line for stderr and the exit code (see `--help`).

use std::process::ExitCode;

use animaforge::Error;

/// The API answered with an error.
pub(crate) const EXIT_API: u8 = 1;
/// Usage error (clap uses 2 too).
pub(crate) const EXIT_USAGE: u8 = 2;
/// Configuration, missing key, file I/O.
pub(crate) const EXIT_LOCAL: u8 = 3;
/// Unreachable server or timeout.
pub(crate) const EXIT_CONNECTION: u8 = 4;
/// The job failed, was cancelled or the wait timed out.
pub(crate) const EXIT_JOB: u8 = 5;
/// Ctrl-C.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;
/// Standard output was a pipe whose reader went away (128 + SIGPIPE, as the shell
/// reports for a tool the signal ended).
pub(crate) const EXIT_BROKEN_PIPE: u8 = 141;

/// A failed command.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The line printed after `error: `.
    pub(crate) message: String,
    /// The process exit code.
    pub(crate) exit: u8,
}

impl Failure {
    /// A usage error.
    pub(crate) fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            exit: EXIT_USAGE,
        }
    }

    /// A local problem (configuration, files).
    pub(crate) fn local(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            exit: EXIT_LOCAL,
        }
    }

    /// Interrupted by the user.
    pub(crate) fn interrupted(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            exit: EXIT_INTERRUPTED,
        }
    }

    /// The exit code.
    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure {
            message: describe(&error),
            exit: exit_for(&error),
        }
    }
}

/// `CODE: message (field: constraint) [request req_...]`, without secrets (errors of the
/// SDK never carry keys or tokens).
pub(crate) fn describe(error: &Error) -> String {
    let mut line = match error.info() {
        Some(info) => format!("{}: {}", info.code, info.message),
        None => match error {
            Error::JobFailed {
                job_id,
                status,
                error: cause,
                last_logs,
            } => {
                let mut text = format!("{}: job {job_id} ended {status}", error.code());
                if let Some(cause) = cause {
                    text.push_str(&format!(": {}: {}", cause.code, cause.message));
                } else if let Some(last) = last_logs.last() {
                    text.push_str(&format!(" (last log: {last})"));
                }
                text
            }
            other => {
                // `CONFIGURATION_ERROR: configuration error: ...` says it twice.
                let text = other.to_string();
                let words = format!("{}: ", other.code().to_lowercase().replace('_', " "));
                format!(
                    "{}: {}",
                    other.code(),
                    text.strip_prefix(&words).unwrap_or(&text)
                )
            }
        },
    };
    if let Some(details) = error.details() {
        let said = |part: &Option<String>| part.as_ref().is_none_or(|p| line.contains(p.as_str()));
        let (field, constraint) = (&details.field, &details.constraint);
        let suffix = match (field, constraint) {
            _ if said(field) && said(constraint) => String::new(),
            (Some(field), Some(constraint)) => format!(" ({field}: {constraint})"),
            (Some(field), None) => format!(" ({field})"),
            (None, Some(constraint)) => format!(" ({constraint})"),
            (None, None) => String::new(),
        };
        line.push_str(&suffix);
        // The wait, unless the message already says it ("retry in 917 s").
        if let Some(retry) = details.retry_after
            && !line.contains(&format!("{retry} s"))
        {
            line.push_str(&format!(" (retry after {retry} s)"));
        }
    }
    if let Some(id) = error.request_id() {
        line.push_str(&format!(" [request {id}]"));
    }
    line
}

fn exit_for(error: &Error) -> u8 {
    match error {
        Error::Connection { .. } | Error::Timeout { .. } => EXIT_CONNECTION,
        Error::JobFailed { .. } | Error::JobTimeout { .. } => EXIT_JOB,
        Error::Configuration { .. } | Error::Io { .. } => EXIT_LOCAL,
        Error::Cancelled => EXIT_INTERRUPTED,
        _ => EXIT_API,
    }
}
