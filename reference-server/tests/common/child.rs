//! The `animaforge-server` binary as a child process, for tests that need a separate
//! process (memory, signals, several instances).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use super::client;

/// The `animaforge-server` binary as a child process.
#[derive(Debug)]
pub struct ChildServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The process.
    pub child: tokio::process::Child,
}

impl ChildServer {
    /// Spawns `animaforge-server serve` with `args` (after the test defaults: cheap
    /// Argon2, `--data-dir data_dir`) on a free port and waits until it is healthy.
    pub async fn spawn(data_dir: &Path, args: &[&str]) -> ChildServer {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
            l.local_addr().expect("addr").port()
        };
        let bind = format!("127.0.0.1:{port}");
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_animaforge-server"));
        cmd.args(["--bind", &bind, "--data-dir"])
            .arg(data_dir)
            .args([
                "--argon2-memory-kib",
                "64",
                "--argon2-iterations",
                "1",
                "--log-format",
                "json",
            ])
            .args(args)
            .arg("serve")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let child = cmd.spawn().expect("spawn animaforge-server");
        let server = ChildServer {
            base: format!("http://{bind}"),
            child,
        };
        let http = client();
        for _ in 0..200 {
            if let Ok(res) = http.get(format!("{}/v1/health", server.base)).send().await
                && res.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the child server did not become healthy");
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    /// `VmHWM` (peak resident set) and `VmRSS` of the process, in KiB.
    pub fn memory_kib(&self) -> (u64, u64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("status");
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    /// Sends SIGTERM and waits for the exit.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.pid().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("exit in time")
            .expect("wait")
    }
}
