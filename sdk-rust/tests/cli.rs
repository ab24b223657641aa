//! The `animaforge` binary against the real server, with a temporary config directory.

mod common;

use std::path::Path;
use std::process::Output;

use animaforge::{Animation, AnimationList, Error, SearchResponse};
use common::{PASSWORD, Server, test_video, unique};
use tokio::io::AsyncWriteExt;

/// Runs the CLI with `args`, the config in `config_dir` and the API at `base_url`.
async fn cli(config_dir: &Path, base_url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    cli_with_key(config_dir, base_url, args, stdin, None).await
}

/// [`cli`] with `ANIMAFORGE_API_KEY` set to `api_key`.
async fn cli_with_key(
    config_dir: &Path,
    base_url: &str,
    args: &[&str],
    stdin: Option<&str>,
    api_key: Option<&str>,
) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_animaforge"));
    command
        .args(args)
        .env("ANIMAFORGE_CONFIG_DIR", config_dir)
        .env("ANIMAFORGE_BASE_URL", base_url)
        .env_remove("ANIMAFORGE_API_KEY");
    if let Some(key) = api_key {
        command.env("ANIMAFORGE_API_KEY", key);
    }
    command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("spawn animaforge");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.expect("write stdin");
    }
    drop(input);
    child.wait_with_output().await.expect("animaforge ran")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
}

/// Registers and logs in through the CLI; returns the account's email.
async fn sign_in(config: &Path, base: &str) -> String {
    let name = unique("cli");
    let email = format!("{name}@example.com");
    let password = format!("{PASSWORD}\n");
    let out = cli(
        config,
        base,
        &[
            "auth",
            "register",
            "--username",
            &name,
            "--email",
            &email,
            "--password-stdin",
        ],
        Some(&password),
    )
    .await;
    assert_ok(&out);
    assert!(stdout(&out).contains(&name));
    let out = cli(
        config,
        base,
        &["auth", "login", "--email", &email, "--password-stdin"],
        Some(&password),
    )
    .await;
    assert_ok(&out);
    email
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_stores_a_private_key_that_logout_revokes() {
    let server = Server::start().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    let base = server.base_url.as_str();

    let email = sign_in(&config, base).await;

    let out = cli(&config, base, &["config", "get", "api_key"], None).await;
    assert_ok(&out);
    let key = stdout(&out).trim().to_owned();
    assert!(key.starts_with("af_live_"), "{key}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = std::fs::metadata(config.join("config.json")).unwrap();
        assert_eq!(file.permissions().mode() & 0o777, 0o600);
        let dir = std::fs::metadata(&config).unwrap();
        assert_eq!(dir.permissions().mode() & 0o777, 0o700);
    }

    // The stored key works, through the CLI and the SDK.
    let out = cli(&config, base, &["--json", "auth", "whoami"], None).await;
    assert_ok(&out);
    let me: animaforge::CurrentUser = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(me.email, email);
    let by_key = server.anonymous().with_api_key(&key);
    assert_eq!(by_key.auth().me().await.unwrap().email, email);

    // Listing settings never shows the whole key.
    let out = cli(&config, base, &["config", "list"], None).await;
    assert_ok(&out);
    assert!(!stdout(&out).contains(&key));
    assert!(stdout(&out).contains("base_url = "));

    // Logging in again replaces (and revokes) the old key.
    let out = cli(
        &config,
        base,
        &["auth", "login", "--email", &email, "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    )
    .await;
    assert_ok(&out);
    let revoked = by_key.auth().me().await.unwrap_err();
    assert!(matches!(revoked, Error::Authentication(_)), "{revoked:?}");
    let new_key = stdout(&cli(&config, base, &["config", "get", "api_key"], None).await)
        .trim()
        .to_owned();
    assert_ne!(new_key, key);
    assert!(new_key.starts_with("af_live_"), "{new_key}");
    assert!(
        !stdout(&out).contains(&new_key) && !stderr(&out).contains(&new_key),
        "login never prints the key"
    );

    let out = cli(&config, base, &["auth", "logout"], None).await;
    assert_ok(&out);
    let gone = server
        .anonymous()
        .with_api_key(&new_key)
        .auth()
        .me()
        .await
        .unwrap_err();
    assert!(matches!(gone, Error::Authentication(_)), "{gone:?}");
    let out = cli(&config, base, &["config", "get", "api_key"], None).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stored_key_is_never_sent_to_another_server() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("cfg");
    let first = Server::start().await;
    let second = Server::start().await;
    sign_in(&config, &first.base_url).await;
    assert_ok(&cli(&config, &first.base_url, &["auth", "whoami"], None).await);

    // Another base URL from the environment or a flag: the stored key stays home, so the
    // command has no key at all (exit 3), rather than a key the other server refuses.
    let out = cli(&config, &second.base_url, &["auth", "whoami"], None).await;
    assert_eq!(out.status.code(), Some(3), "stderr: {}", stderr(&out));
    let out = cli(
        &config,
        &first.base_url,
        &["--base-url", &second.base_url, "auth", "whoami"],
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "stderr: {}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_precedence_flags_then_environment_then_file() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("cfg");
    let out = cli(&config, "", &["config", "get", "base_url"], None).await;
    assert_ok(&out);
    assert_eq!(
        stdout(&out).trim(),
        "http://localhost:8080/v1",
        "the default"
    );

    let out = cli(
        &config,
        "",
        &["config", "set", "base_url", "http://file.example/v1"],
        None,
    )
    .await;
    assert_ok(&out);
    let out = cli(&config, "", &["config", "get", "base_url"], None).await;
    assert_eq!(stdout(&out).trim(), "http://file.example/v1");
    let out = cli(
        &config,
        "http://env.example/v1",
        &["config", "get", "base_url"],
        None,
    )
    .await;
    assert_eq!(stdout(&out).trim(), "http://env.example/v1");
    let out = cli(
        &config,
        "http://env.example/v1",
        &[
            "--base-url",
            "http://flag.example/v1",
            "config",
            "get",
            "base_url",
        ],
        None,
    )
    .await;
    assert_eq!(stdout(&out).trim(), "http://flag.example/v1");

    let out = cli(&config, "", &["config", "set", "colour", "blue"], None).await;
    assert_eq!(out.status.code(), Some(2));
    let out = cli(&config, "", &["config", "set", "base_url", "ftp://x"], None).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_outputs_parse_and_errors_are_one_line_with_an_exit_code() {
    let server = Server::start().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    let base = server.base_url.as_str();

    // Not signed in: a local error, before any request.
    let out = cli(&config, base, &["generate", "a cube"], None).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("auth login"));

    sign_in(&config, base).await;
    let video = test_video();
    let title = unique("Cli upload ");
    let out = cli(
        &config,
        base,
        &[
            "--json",
            "animations",
            "upload",
            video.to_str().unwrap(),
            "--title",
            &title,
            "--tags",
            "cli,test",
            "--price",
            "1.50",
            "--category",
            "math",
            "--wait",
        ],
        None,
    )
    .await;
    assert_ok(&out);
    let uploaded: Animation = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(uploaded.title, title);
    assert_eq!(uploaded.tags, vec!["cli", "test"]);
    assert_eq!(uploaded.price, animaforge::Money::from_cents(150));

    let out = cli(
        &config,
        base,
        &["--json", "animations", "get", &uploaded.id],
        None,
    )
    .await;
    assert_ok(&out);
    let got: Animation = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(got.id, uploaded.id);

    let out = cli(
        &config,
        base,
        &["--json", "animations", "list", "--per-page", "5"],
        None,
    )
    .await;
    assert_ok(&out);
    let list: AnimationList = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(list.animations.iter().any(|a| a.id == uploaded.id));

    let out = cli(&config, base, &["--json", "search", &title], None).await;
    assert_ok(&out);
    let found: SearchResponse = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(found.results.iter().any(|r| r.animation.id == uploaded.id));

    let out = cli(&config, base, &["search", &title], None).await;
    assert_ok(&out);
    assert!(stdout(&out).contains(&uploaded.id), "the human table");

    let target = home.path().join("dl").join("copy.mp4");
    let out = cli(
        &config,
        base,
        &[
            "animations",
            "download",
            &uploaded.id,
            "--out",
            target.to_str().unwrap(),
        ],
        None,
    )
    .await;
    assert_ok(&out);
    assert_eq!(
        std::fs::read(&target).unwrap(),
        std::fs::read(&video).unwrap()
    );

    // API errors: one line on stderr with code and request id, exit 1.
    let out = cli(&config, base, &["animations", "get", "anim_missing"], None).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: NOT_FOUND: "), "{err}");
    assert!(err.contains("[request req_"), "{err}");

    let out = cli(
        &config,
        base,
        &["generate", "a cube", "--duration", "100"],
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: VALIDATION_ERROR: "), "{err}");
    assert!(
        err.contains("config.duration") && err.contains("between 1 and 60"),
        "{err}"
    );

    // Usage errors are one line too and exit 2; an unreachable server exits 4.
    let out = cli(&config, base, &["animations", "frobnicate"], None).await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: unrecognized subcommand 'frobnicate'")
            && err.contains("(usage: animaforge animations ")
            && err.trim_end().ends_with("; see --help)"),
        "{err}"
    );
    let out = cli(&config, base, &["search"], None).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim_end().lines().count(),
        1,
        "{}",
        stderr(&out)
    );
    let out = cli(&config, base, &["--help"], None).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("Usage: animaforge"),
        "{}",
        stdout(&out)
    );
    let out = cli(
        &config,
        base,
        &["generate", "a cube", "--quality", "ultra"],
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("low, medium, high, production"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stderr(&out).trim_end().lines().count(),
        1,
        "{}",
        stderr(&out)
    );
    let out = cli(
        &config,
        base,
        &[
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--timeout",
            "5",
            "health",
        ],
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .starts_with("error: CONNECTION_ERROR: could not connect to http://127.0.0.1:9: ")
            || stderr(&out).starts_with("error: TIMEOUT: timed out after "),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("http://127.0.0.1:9"),
        "{}",
        stderr(&out)
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_waits_with_progress_and_downloads_the_results() {
    let server = Server::start().await;
    if !server.renderer_available().await {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    let base = server.base_url.as_str();
    sign_in(&config, base).await;

    let out_file = home.path().join("result").join("cube.mp4");
    let out = cli(
        &config,
        base,
        &[
            "generate",
            "A blue sphere rotating and morphing into a cube",
            "--quality",
            "low",
            "--duration",
            "1",
            "--out",
            out_file.to_str().unwrap(),
        ],
        None,
    )
    .await;
    assert_ok(&out);
    let text = stdout(&out);
    let job_id = text.lines().next().unwrap().trim().to_owned();
    assert!(job_id.starts_with("job_"), "{text}");
    assert!(
        text.contains("cube.mp4") && text.contains("cube.jpg"),
        "{text}"
    );
    let log = stderr(&out);
    assert!(log.contains("Rendering"), "log lines are shown: {log}");
    assert_eq!(log.matches("[100%]").count(), 1, "one line at 100 %: {log}");
    assert!(log.contains("completed"), "{log}");
    let video = std::fs::read(&out_file).unwrap();
    assert_eq!(&video[4..8], b"ftyp");
    let thumb = std::fs::read(out_file.with_extension("jpg")).unwrap();
    assert!(thumb.starts_with(&[0xFF, 0xD8]));

    let out = cli(&config, base, &["--json", "jobs", "status", &job_id], None).await;
    assert_ok(&out);
    let job: animaforge::api::Job = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(job.status, animaforge::JobStatus::Completed);
    assert_eq!(
        job.animation.unwrap().metadata.file_size,
        video.len() as u64
    );

    // A video named `.jpg`: the thumbnail beside it gets a name of its own.
    let weird = home.path().join("weird").join("x.jpg");
    let out = cli(
        &config,
        base,
        &["jobs", "wait", &job_id, "--out", weird.to_str().unwrap()],
        None,
    )
    .await;
    assert_ok(&out);
    let video = std::fs::read(&weird).unwrap();
    assert_eq!(&video[4..8], b"ftyp", "the video is not overwritten");
    let thumb = std::fs::read(home.path().join("weird").join("x.thumbnail.jpg")).unwrap();
    assert!(thumb.starts_with(&[0xFF, 0xD8]));

    let out = cli(&config, base, &["animations", "source", &job_id], None).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "a job id is not an animation id"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_while_waiting_cancels_the_job_and_exits_130() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let server = Server::start().await;
    if !server.renderer_available().await {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    let base = server.base_url.as_str();
    sign_in(&config, base).await;

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_animaforge"))
        .args([
            "generate",
            "A slow red square",
            "--quality",
            "low",
            "--duration",
            "30",
            "--wait",
        ])
        .env("ANIMAFORGE_CONFIG_DIR", &config)
        .env("ANIMAFORGE_BASE_URL", base)
        .env_remove("ANIMAFORGE_API_KEY")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let job_id = lines.next_line().await.unwrap().expect("a job id");
    assert!(job_id.starts_with("job_"), "{job_id}");
    let mut errors = BufReader::new(child.stderr.take().unwrap()).lines();
    let waiting = errors.next_line().await.unwrap().unwrap_or_default();
    assert!(waiting.contains("waiting for"), "{waiting}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let pid = child.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let mut rest = Vec::new();
    while let Some(line) = errors.next_line().await.unwrap() {
        rest.push(line);
    }
    let status = child.wait().await.unwrap();
    assert_eq!(status.code(), Some(130), "{rest:?}");
    let last = rest.last().cloned().unwrap_or_default();
    assert!(
        last.starts_with("error: interrupted;") && last.contains("cancelled"),
        "{rest:?}"
    );

    let key = stdout(&cli(&config, base, &["config", "get", "api_key"], None).await);
    let job = server
        .anonymous()
        .with_api_key(key.trim())
        .jobs()
        .get(&job_id)
        .await
        .unwrap();
    assert_eq!(job.status, animaforge::JobStatus::Cancelled);
    server.stop().await;
}

/// Runs the CLI with stdout a pipe whose reading end is already closed, as in
/// `animaforge ... | true`.
async fn cli_with_closed_stdout(config_dir: &Path, base_url: &str, args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    tokio::process::Command::new(env!("CARGO_BIN_EXE_animaforge"))
        .args(args)
        .env("ANIMAFORGE_CONFIG_DIR", config_dir)
        .env("ANIMAFORGE_BASE_URL", base_url)
        .env_remove("ANIMAFORGE_API_KEY")
        .stdin(std::process::Stdio::null())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn animaforge")
        .wait_with_output()
        .await
        .expect("animaforge ran")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_ends_the_program_quietly() {
    let server = Server::start().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    let base = server.base_url.as_str();
    for args in [
        &["config", "path"][..],
        &["--json", "health"],
        &["health"],
        &["animations", "list"],
    ] {
        let out = cli_with_closed_stdout(&config, base, args).await;
        assert_eq!(out.status.code(), Some(141), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_file_for_video_and_thumbnail_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    // Nothing listens here: a command that got as far as a request would exit 4.
    let base = "http://127.0.0.1:9/v1";
    let same = home.path().join("same").join("a.mp4");
    let same = same.to_str().unwrap();
    let dotted = format!("{}/same/./a.mp4", home.path().display());
    let parent_hop = format!("{}/same/../same/a.mp4", home.path().display());
    std::fs::create_dir_all(home.path().join("real")).unwrap();
    std::os::unix::fs::symlink(home.path().join("real"), home.path().join("link")).unwrap();
    let real = home.path().join("real").join("b.mp4");
    let linked = home.path().join("link").join("b.mp4");
    for args in [
        &[
            "generate",
            "a cube",
            "--out",
            same,
            "--thumbnail",
            &parent_hop,
        ][..],
        &[
            "animations",
            "download",
            "anim_x",
            "--out",
            real.to_str().unwrap(),
            "--thumbnail",
            linked.to_str().unwrap(),
        ],
        &["generate", "a cube", "--out", same, "--thumbnail", same][..],
        &[
            "jobs",
            "wait",
            "job_x",
            "--out",
            same,
            "--thumbnail",
            &dotted,
        ],
        &[
            "animations",
            "download",
            "anim_x",
            "--out",
            same,
            "--thumbnail",
            same,
        ],
    ] {
        let mut args = args.to_vec();
        args.extend(["--api-key", "af_live_unused"]);
        let out = cli(&config, base, &args, None).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("error: --out and --thumbnail both name "),
            "{err}"
        );
    }
    assert!(!home.path().join("same").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_keeps_a_key_it_could_not_revoke() {
    let server = Server::start().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    let base = server.base_url.clone();
    let stored_key = |out: Output| stdout(&out).trim().to_owned();

    // A key the server already refuses (revoked elsewhere) is forgotten.
    sign_in(&config, &base).await;
    let key = stored_key(cli(&config, &base, &["config", "get", "api_key"], None).await);
    let id = stored_key(cli(&config, &base, &["config", "get", "api_key_id"], None).await);
    let by_key = server.anonymous().with_api_key(&key);
    by_key.api_keys().revoke(&id).await.unwrap();
    let out = cli(&config, &base, &["auth", "logout"], None).await;
    assert_ok(&out);
    assert!(stderr(&out).contains("already invalid"), "{}", stderr(&out));
    let out = cli(&config, &base, &["config", "get", "api_key"], None).await;
    assert_eq!(out.status.code(), Some(3), "forgotten: {}", stdout(&out));

    // An unreachable server: the key stays stored, one error line, exit 4.
    sign_in(&config, &base).await;
    let key = stored_key(cli(&config, &base, &["config", "get", "api_key"], None).await);
    server.stop().await;
    let out = cli(&config, &base, &["auth", "logout"], None).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: CONNECTION_ERROR: ") && err.contains("stays stored"),
        "{err}"
    );
    let out = cli(&config, &base, &["config", "get", "api_key"], None).await;
    assert_ok(&out);
    assert_eq!(stdout(&out).trim(), key);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_says_a_key_from_the_environment_or_a_flag_is_not_revoked() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    let base = "http://127.0.0.1:9/v1";
    let out = cli_with_key(
        &config,
        base,
        &["auth", "logout"],
        None,
        Some("af_live_from_env"),
    )
    .await;
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.starts_with("No API key is stored in ")
            && text.contains("ANIMAFORGE_API_KEY was not revoked"),
        "{text}"
    );
    let out = cli(
        &config,
        base,
        &["--api-key", "af_live_from_flag", "auth", "logout"],
        None,
    )
    .await;
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.starts_with("No API key is stored in ") && text.contains("--api-key was not revoked"),
        "{text}"
    );
    let out = cli(&config, base, &["auth", "logout"], None).await;
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("Not signed in"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_subcommand_is_a_one_line_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    let base = "http://127.0.0.1:9/v1";
    for group in ["animations", "auth", "jobs", "config", "marketplace", ""] {
        let args: Vec<&str> = [group].into_iter().filter(|g| !g.is_empty()).collect();
        let out = cli(&config, base, &args, None).await;
        assert_eq!(out.status.code(), Some(2), "{group}: {}", stderr(&out));
        let err = stderr(&out);
        let name = format!("animaforge {group}").trim_end().to_owned();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("error: '{name}' requires a subcommand"))
                && err.contains("; subcommands: ")
                && err.contains(&format!("(usage: {name} [OPTIONS] <COMMAND>; see --help)")),
            "{err}"
        );
        assert_eq!(stdout(&out), "");
    }
    let out = cli(&config, base, &["animations", "--help"], None).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Usage: animaforge animations"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_out_of_range_are_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    // Nothing listens here: a value that got through would end in exit 3 or 4.
    let base = "http://127.0.0.1:9/v1";
    for (args, flag) in [
        (&["animations", "list", "--page", "0"][..], "--page"),
        (&["--timeout", "0", "health"], "--timeout"),
        (&["animations", "list", "--per-page", "0"], "--per-page"),
        (&["search", "x", "--per-page", "101"], "--per-page"),
        (&["search", "x", "--page", "0"], "--page"),
        (&["marketplace", "purchases", "--page", "0"], "--page"),
        (&["marketplace", "trending", "--limit", "51"], "--limit"),
        (
            &["jobs", "wait", "job_x", "--wait-timeout", "0"],
            "--wait-timeout",
        ),
        (
            &["generate", "a cube", "--wait-timeout", "0"],
            "--wait-timeout",
        ),
    ] {
        let out = cli(&config, base, args, None).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("error: invalid value '") && err.contains(flag),
            "{err}"
        );
    }
}

/// Serves one canned HTTP response to every request on 127.0.0.1; returns the base URL.
async fn canned_server(status: &'static str, body: String) -> String {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/v1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_error_says_the_wait_once() {
    let body = serde_json::json!({
        "success": false,
        "error": {
            "code": "RATE_LIMIT_EXCEEDED",
            "message": "Rate limit exceeded (hourly limit); retry in 917 s",
            "details": { "retry_after": 917 },
        },
        "meta": { "timestamp": "2026-01-01T00:00:00Z", "request_id": "req_limited" },
    });
    let base = canned_server("429 Too Many Requests", body.to_string()).await;
    let home = tempfile::tempdir().unwrap();
    let out = cli(&home.path().join("cfg"), &base, &["health"], None).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "error: RATE_LIMIT_EXCEEDED: Rate limit exceeded (hourly limit); retry in 917 s \
         [request req_limited]\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploading_a_missing_file_says_it_does_not_exist() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    let base = "http://127.0.0.1:9/v1";
    let missing = home.path().join("README.txt");
    let upload = |file: &Path| {
        let file = file.to_str().unwrap().to_owned();
        let config = config.clone();
        async move {
            cli(
                &config,
                base,
                &[
                    "--api-key",
                    "af_live_unused",
                    "animations",
                    "upload",
                    &file,
                    "--title",
                    "x",
                ],
                None,
            )
            .await
        }
    };
    let out = upload(&missing).await;
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        stderr(&out),
        format!("error: {} does not exist\n", missing.display())
    );
    let out = upload(home.path()).await;
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        stderr(&out),
        format!("error: {} is not a file\n", home.path().display())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purchases_table_is_aligned() {
    let server = Server::start().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    let base = server.base_url.as_str();
    let (seller, _) = server.key_client("seller").await;
    let mut metadata = animaforge::UploadMetadata::new("For sale");
    metadata.price = Some(animaforge::Money::from_cents(499));
    let anim = common::upload_ready(&seller, metadata).await;
    sign_in(&config, base).await;
    let out = cli(
        &config,
        base,
        &[
            "marketplace",
            "purchase",
            &anim,
            "--payment-method",
            "card_visa",
        ],
        None,
    )
    .await;
    assert_ok(&out);
    let out = cli(&config, base, &["marketplace", "purchases"], None).await;
    assert_ok(&out);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let column = |line: &str, word: &str| line.find(word).unwrap();
    assert_eq!(
        column(lines[0], "ANIMATION"),
        column(lines[1], &anim),
        "{text}"
    );
    assert_eq!(
        column(lines[0], "STATUS"),
        column(lines[1], "completed"),
        "{text}"
    );
    assert!(lines[1].contains("  4.99  "), "{text}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsetting_a_setting_that_is_not_set_says_so() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("animaforge");
    let base = "http://127.0.0.1:9/v1";
    let out = cli(&config, base, &["config", "unset", "api_key"], None).await;
    assert_ok(&out);
    assert!(
        stderr(&out).starts_with("api_key was not set in "),
        "{}",
        stderr(&out)
    );
    assert_ok(&cli(&config, base, &["config", "set", "output", "json"], None).await);
    let out = cli(&config, base, &["config", "unset", "output"], None).await;
    assert_ok(&out);
    assert!(
        stderr(&out).starts_with("Removed output from "),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_are_listed_and_enum_flags_show_their_values() {
    let server = Server::start().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("cfg");
    let base = server.base_url.as_str();

    let out = cli(&config, base, &["templates"], None).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for id in [
        "title-card",
        "function-plot",
        "shape-morph",
        "pythagorean-proof",
    ] {
        assert!(text.contains(id), "{text}");
    }
    assert!(text.contains("--param function=<choice>"), "{text}");
    let out = cli(&config, base, &["--json", "templates"], None).await;
    let listed: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 4);

    let out = cli(&config, base, &["generate", "--help"], None).await;
    assert!(
        stdout(&out).contains("[possible values: low, medium, high, production]"),
        "{}",
        stdout(&out)
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_commands_speak_json_too() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("cfg");
    let base = "http://127.0.0.1:9/v1";
    let out = cli(&config, "", &["config", "set", "base_url", base], None).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = cli(
        &config,
        "",
        &["config", "set", "api_key", "af_live_abcdefghijklmnop"],
        None,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));

    let json = |out: &Output| -> serde_json::Value {
        serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
    };
    let out = cli(&config, "", &["--json", "config", "get", "api_key"], None).await;
    assert_eq!(
        json(&out),
        serde_json::json!({"api_key": "af_live_abcdefghijklmnop"})
    );
    let out = cli(&config, "", &["--json", "config", "list"], None).await;
    let listed = json(&out);
    assert_eq!(listed["base_url"], base);
    let shown = listed["api_key"].as_str().unwrap();
    assert!(
        shown.starts_with("af_live_abcd") && !shown.contains("mnop"),
        "{shown}"
    );
    let out = cli(&config, "", &["--json", "config", "path"], None).await;
    assert!(
        json(&out)["path"]
            .as_str()
            .unwrap()
            .ends_with("config.json")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unwritable_outputs_fail_before_any_work() {
    let server = Server::start().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("cfg");
    let base = server.base_url.as_str();
    sign_in(&config, base).await;

    // A file where a folder would have to be: refused before the job is submitted.
    let blocker = home.path().join("blocker");
    std::fs::write(&blocker, "not a folder").unwrap();
    let out_path = blocker.join("x.mp4");
    let out = cli(
        &config,
        base,
        &[
            "generate",
            "A red square",
            "--out",
            out_path.to_str().unwrap(),
        ],
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a directory"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty(), "no job id: nothing was submitted");

    // A download the server refuses leaves no folder behind.
    let target = home.path().join("nx").join("a.mp4");
    let out = cli(
        &config,
        base,
        &[
            "animations",
            "download",
            "anim_doesnotexist",
            "--out",
            target.to_str().unwrap(),
        ],
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!home.path().join("nx").exists());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_revokes_a_key_set_by_hand_and_names_keys_it_leaves() {
    let server = Server::start().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("cfg");
    let base = server.base_url.clone();
    let (client, _) = server.key_client("byhand").await;
    let by_hand = client.api_keys().create("by hand").await.unwrap().key;
    let other = client.api_keys().create("other").await.unwrap().key;

    // A key stored with `config set` (no id stored) is found and revoked.
    for (k, v) in [("base_url", base.as_str()), ("api_key", by_hand.as_str())] {
        assert_ok(&cli(&config, &base, &["config", "set", k, v], None).await);
    }
    let out = cli_with_key(&config, &base, &["auth", "logout"], None, Some(&other)).await;
    assert_ok(&out);
    let err = stderr(&out);
    assert!(err.contains("Revoked API key key_"), "{err}");
    assert!(
        err.contains("ANIMAFORGE_API_KEY was not revoked and still works"),
        "{err}"
    );
    let gone = server.anonymous().with_api_key(&by_hand).auth().me().await;
    assert_eq!(gone.unwrap_err().code(), "AUTHENTICATION_ERROR");
    server
        .anonymous()
        .with_api_key(&other)
        .auth()
        .me()
        .await
        .expect("the environment's key still works");

    // A stored key is used only with its own server, and the error says whose it is.
    for (k, v) in [("base_url", base.as_str()), ("api_key", other.as_str())] {
        assert_ok(&cli(&config, &base, &["config", "set", k, v], None).await);
    }
    let without_v1 = base.trim_end_matches("/v1");
    assert_ok(&cli(&config, without_v1, &["auth", "whoami"], None).await);
    let elsewhere = "http://127.0.0.2:9/v1";
    let out = cli(&config, elsewhere, &["auth", "whoami"], None).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("the stored API key belongs to {base}")),
        "{}",
        stderr(&out)
    );
    let out = cli(
        &config,
        elsewhere,
        &["animations", "download", "anim_x", "--out", "x.mp4"],
        None,
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "downloads need a key: {}",
        stderr(&out)
    );

    // An empty --api-key is no key: the stored one is used.
    assert_ok(&cli(&config, &base, &["--api-key", "", "auth", "whoami"], None).await);

    // --json generate without --wait prints the API's whole answer.
    let out = cli(
        &config,
        &base,
        &["--json", "generate", "A red square", "--quality", "low"],
        None,
    )
    .await;
    assert_ok(&out);
    let accepted: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    for field in [
        "job_id",
        "status",
        "estimated_time",
        "status_url",
        "webhook_url",
    ] {
        assert!(accepted.get(field).is_some(), "{field}: {accepted}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_base_url_is_said_once() {
    let home = tempfile::tempdir().unwrap();
    let out = cli(
        &home.path().join("cfg"),
        "127.0.0.1:8080/v1",
        &["health"],
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "error: CONFIGURATION_ERROR: invalid base URL `127.0.0.1:8080/v1`: relative URL \
         without a base\n"
    );
}
