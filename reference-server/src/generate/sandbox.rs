//! The operating-system boundary around untrusted scene code.
//!
//! Renders run under bubblewrap with every namespace unshared (so no network), a
//! cleared environment, the system directories and the Python environment bound
//! read-only, a private `/tmp`, and the job directory (mounted at `/job`) as the
//! only writable place. Inside, `prlimit` caps address space, CPU time, file size
//! and core dumps. Where a pids cgroup can be created, it caps the number of
//! processes too, since `RLIMIT_NPROC` means nothing for root. The whole tree runs
//! in its own process group, which is killed on timeout or cancellation.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde::{Deserialize, Serialize};
use tokio::process::Command;

/// Where the job directory appears inside the sandbox.
pub(crate) const SANDBOX_JOB_DIR: &str = "/job";

/// How renders are isolated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SandboxMode {
    /// bubblewrap with all namespaces unshared (the default, and the only safe
    /// choice for untrusted code).
    #[default]
    Bubblewrap,
    /// No isolation beyond resource limits and a cleared environment. Only for
    /// operators who run trusted scenes on hosts without user namespaces; every
    /// render logs a warning.
    Unsandboxed,
}

/// Whether the sandbox works, for the health endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum SandboxStatus {
    /// bubblewrap started a process successfully.
    Ok,
    /// bubblewrap cannot run here; renders fail.
    Unavailable(String),
    /// The operator chose unsandboxed rendering.
    Disabled,
}

/// Per-render resource limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceLimits {
    /// CPU seconds (soft = hard, so the kernel sends SIGKILL when exceeded).
    pub cpu_secs: u64,
    /// Address-space cap in bytes; `None` derives it from the render settings
    /// (at least 1.5 GiB: importing PyAV alone needs about 800 MB).
    pub address_space_bytes: Option<u64>,
    /// Largest file the render may write, in bytes.
    pub file_size_bytes: u64,
    /// Most processes and threads at once (pids cgroup; `RLIMIT_NPROC` as well).
    pub processes: u64,
}

impl Default for ResourceLimits {
    fn default() -> Self {
        Self {
            cpu_secs: 600,
            address_space_bytes: None,
            file_size_bytes: 1024 * 1024 * 1024,
            processes: 256,
        }
    }
}

/// Paths of the Python environment that must be visible inside the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PythonRoots {
    pub(crate) roots: Vec<PathBuf>,
}

impl PythonRoots {
    /// Asks the interpreter for its prefixes (venv and base installation).
    pub(crate) async fn discover(python: &Path) -> Result<Self, String> {
        let output = Command::new(python)
            .args([
                "-I",
                "-c",
                "import sys, os; print('\\n'.join({sys.prefix, sys.base_prefix, \
                 sys.exec_prefix, sys.base_exec_prefix, \
                 os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}))",
            ])
            .env_clear()
            .stdin(Stdio::null())
            .output()
            .await
            .map_err(|err| format!("cannot run {}: {err}", python.display()))?;
        if !output.status.success() {
            return Err(format!(
                "{} exited with {}",
                python.display(),
                output.status
            ));
        }
        let mut roots: Vec<PathBuf> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute() && p != Path::new("/") && !p.starts_with("/usr"))
            .collect();
        roots.sort();
        roots.dedup();
        // A root nested in another is covered by the outer bind.
        let outer: Vec<PathBuf> = roots
            .iter()
            .filter(|r| !roots.iter().any(|o| o != *r && r.starts_with(o)))
            .cloned()
            .collect();
        Ok(Self { roots: outer })
    }
}

/// A pids cgroup that bounds the number of tasks of one render.
#[derive(Debug)]
pub(crate) struct PidsCgroup {
    dir: PathBuf,
}

impl PidsCgroup {
    /// Creates a cgroup with `pids.max`, under cgroup v1 or v2, if the host lets us.
    pub(crate) fn create(name: &str, max: u64) -> Option<Self> {
        for parent in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup"] {
            let parent = Path::new(parent);
            if !parent.join("cgroup.procs").exists() {
                continue;
            }
            let dir = parent.join(name);
            if std::fs::create_dir(&dir).is_err() {
                continue;
            }
            if std::fs::write(dir.join("pids.max"), max.to_string()).is_ok() {
                return Some(Self { dir });
            }
            let _ = std::fs::remove_dir(&dir);
        }
        None
    }

    pub(crate) fn procs_file(&self) -> PathBuf {
        self.dir.join("cgroup.procs")
    }

    /// Whether the cgroup refused a fork because it was full.
    pub(crate) fn hit_limit(&self) -> bool {
        std::fs::read_to_string(self.dir.join("pids.events"))
            .ok()
            .and_then(|s| {
                s.split_whitespace()
                    .nth(1)
                    .and_then(|n| n.parse::<u64>().ok())
            })
            .is_some_and(|n| n > 0)
    }

    /// Number of tasks still in the cgroup.
    pub(crate) fn tasks(&self) -> u64 {
        std::fs::read_to_string(self.dir.join("pids.current"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Removes the cgroup once its tasks are gone (they die with the sandbox's pid
    /// namespace; this waits briefly for the kernel to reap them).
    pub(crate) async fn remove(self) {
        for _ in 0..50 {
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        tracing::warn!(cgroup = %self.dir.display(), "could not remove render cgroup");
    }
}

/// Everything needed to build the command line of one sandboxed process.
#[derive(Debug, Clone)]
pub(crate) struct SandboxSpec<'a> {
    pub(crate) mode: SandboxMode,
    pub(crate) bwrap: &'a Path,
    pub(crate) prlimit: &'a Path,
    pub(crate) job_dir: &'a Path,
    pub(crate) python_roots: &'a [PathBuf],
    pub(crate) limits: &'a ResourceLimits,
    pub(crate) address_space: u64,
    pub(crate) cgroup_procs: Option<PathBuf>,
}

impl SandboxSpec<'_> {
    /// The job directory as the sandboxed process sees it.
    pub(crate) fn inner_job_dir(&self) -> PathBuf {
        match self.mode {
            SandboxMode::Bubblewrap => PathBuf::from(SANDBOX_JOB_DIR),
            SandboxMode::Unsandboxed => self.job_dir.to_path_buf(),
        }
    }

    /// Builds the command that runs `program args` inside the sandbox, in its own
    /// process group, with stdin from `/dev/null`.
    pub(crate) fn command(&self, program: &Path, args: &[OsString]) -> Command {
        let inner = self.inner_job_dir();
        let mut inner_cmd: Vec<OsString> = vec![
            self.prlimit.into(),
            format!("--as={}", self.address_space).into(),
            format!("--cpu={}", self.limits.cpu_secs).into(),
            format!("--fsize={}", self.limits.file_size_bytes).into(),
            format!("--nproc={}", self.limits.processes).into(),
            "--core=0".into(),
            "--".into(),
            program.into(),
        ];
        inner_cmd.extend(args.iter().cloned());
        let env = sandbox_env(&inner);

        let mut argv: Vec<OsString> = Vec::new();
        if let Some(procs) = &self.cgroup_procs {
            // Join the cgroup before anything else runs, then become the sandbox.
            argv.extend([
                "/bin/sh".into(),
                "-c".into(),
                "echo $$ > \"$0\" && exec \"$@\"".into(),
                procs.into(),
            ]);
        }
        match self.mode {
            SandboxMode::Bubblewrap => {
                argv.push(self.bwrap.into());
                argv.extend(self.bwrap_args());
                for (key, value) in &env {
                    argv.extend(["--setenv".into(), key.into(), value.into()]);
                }
                argv.push("--".into());
                argv.extend(inner_cmd);
            }
            SandboxMode::Unsandboxed => argv.extend(inner_cmd),
        }

        let mut command = Command::new(&argv[0]);
        command
            .args(&argv[1..])
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        if self.mode == SandboxMode::Unsandboxed {
            command.current_dir(self.job_dir);
            for (key, value) in env {
                command.env(key, value);
            }
        } else {
            command.env("PATH", "/usr/bin:/bin");
        }
        command
    }

    fn bwrap_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        let mut push = |items: &[&dyn AsRef<std::ffi::OsStr>]| {
            args.extend(items.iter().map(|s| s.as_ref().to_os_string()));
        };
        push(&[
            &"--unshare-all",
            &"--die-with-parent",
            &"--new-session",
            &"--clearenv",
            &"--hostname",
            &"sandbox",
            &"--uid",
            &"65534",
            &"--gid",
            &"65534",
        ]);
        // A private /tmp first: binds mounted later stay visible even when the
        // Python environment itself lives under /tmp.
        push(&[&"--tmpfs", &"/tmp", &"--proc", &"/proc", &"--dev", &"/dev"]);
        push(&[&"--ro-bind", &"/usr", &"/usr"]);
        for top in ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"] {
            let path = Path::new(top);
            match std::fs::read_link(path) {
                Ok(target) => push(&[&"--symlink", &target, &path]),
                Err(_) if path.is_dir() => push(&[&"--ro-bind", &path, &path]),
                Err(_) => {}
            }
        }
        for etc in [
            "/etc/fonts",
            "/etc/ld.so.cache",
            "/etc/ld.so.conf",
            "/etc/ld.so.conf.d",
            "/etc/alternatives",
            "/etc/localtime",
            "/var/cache/fontconfig",
        ] {
            if Path::new(etc).exists() {
                push(&[&"--ro-bind", &etc, &etc]);
            }
        }
        for root in self.python_roots {
            push(&[&"--ro-bind", root, root]);
        }
        push(&[
            &"--bind",
            &self.job_dir,
            &SANDBOX_JOB_DIR,
            &"--chdir",
            &SANDBOX_JOB_DIR,
        ]);
        args
    }
}

/// The whole environment of a sandboxed process: nothing of the server's.
fn sandbox_env(job_dir: &Path) -> Vec<(String, String)> {
    let job = job_dir.display().to_string();
    vec![
        ("PATH".into(), "/usr/bin:/bin".into()),
        ("HOME".into(), job.clone()),
        ("TMPDIR".into(), "/tmp".into()),
        ("LANG".into(), "C.UTF-8".into()),
        ("COLUMNS".into(), "200".into()),
        ("PYTHONDONTWRITEBYTECODE".into(), "1".into()),
        ("PYTHONNOUSERSITE".into(), "1".into()),
        ("PYTHONUNBUFFERED".into(), "1".into()),
        ("MPLCONFIGDIR".into(), format!("{job}/.config/matplotlib")),
        ("XDG_CACHE_HOME".into(), format!("{job}/.cache")),
        ("XDG_CONFIG_HOME".into(), format!("{job}/.config")),
        ("OMP_NUM_THREADS".into(), "1".into()),
        ("OPENBLAS_NUM_THREADS".into(), "1".into()),
    ]
}

/// Kills a whole process group. The group id is the pid of the group's leader.
pub(crate) fn kill_group(pgid: u32) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    if let Ok(pid) = i32::try_from(pgid) {
        // ESRCH (already gone) is fine.
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
}
