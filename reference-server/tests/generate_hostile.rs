//! Hostile scene sources: each is rejected by the validator with a message naming
//! the construct, and, rendered with the validator bypassed, stopped by the sandbox
//! with the host unaffected.

#![allow(clippy::print_stderr)] // prints what each attack saw for whoever reads the test output

mod generate_support;

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use animaforge_server::generate::{
    GenerateError, Quality, RenderError, RenderSettings, SceneSource, validate_source,
};
use generate_support::{drain, python, renderer, survivors};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn scene(name: &str, body: &str) -> String {
    let mut code =
        format!("from manim import *\n\n\nclass {name}(Scene):\n    def construct(self):\n");
    for line in body.lines() {
        code.push_str("        ");
        code.push_str(line);
        code.push('\n');
    }
    code
}

async fn rejection(code: &str) -> (String, Option<u32>, String) {
    match validate_source(&python(), code).await {
        Err(GenerateError::Rejected(r)) => (r.construct.clone(), r.line, r.to_string()),
        other => panic!("expected a rejection, got {other:?} for\n{code}"),
    }
}

#[tokio::test]
async fn the_validator_names_each_hostile_construct() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "read /etc/shadow",
            "text = open('/etc/shadow').read()",
            "call to 'open'",
        ),
        (
            "write outside",
            "open('/tmp/x', 'w').write('x')",
            "call to 'open'",
        ),
        ("os.system", "import os\nos.system('id')", "import os"),
        (
            "os through manim",
            "utils.file_ops.os.system('id')",
            "name 'utils'",
        ),
        (
            "shutil through manim",
            "utils.file_ops.shutil.rmtree('/')",
            "name 'utils'",
        ),
        (
            "os through an alias",
            "m = Mobject()\nm.x = 1\nm.environ",
            "'.environ'",
        ),
        ("bare utils", "m = utils", "name 'utils'"),
        (
            "sockets",
            "import socket\nsocket.create_connection(('127.0.0.1', 80))",
            "import socket",
        ),
        (
            "__import__",
            "__import__('os').system('id')",
            "'__import__'",
        ),
        (
            "fork bomb",
            "while True:\n    utils.commands.os.fork()",
            "name 'utils'",
        ),
        ("getattr", "getattr(utils, 'file_ops')", "call to 'getattr'"),
        (
            "dunder walk",
            "x = ().__class__.__bases__[0].__subclasses__()",
            "'.__",
        ),
        (
            "format walk",
            "x = '{0.__class__}'.format(1)",
            "string containing '__'",
        ),
        ("eval", "eval('1')", "call to 'eval'"),
        ("exec", "exec('1')", "call to 'exec'"),
        ("subprocess", "import subprocess", "import subprocess"),
        ("from os", "from os import system", "from os import"),
        ("globals", "g = globals()", "call to 'globals'"),
    ];
    for (what, body, construct) in cases {
        let code = scene("Hostile", body);
        let (name, line, message) = rejection(&code).await;
        assert!(
            name.contains(construct) || message.contains(construct),
            "{what}: got {name} / {message}"
        );
        assert!(
            line.is_some_and(|l| l >= 5),
            "{what}: line {line:?} in {message}"
        );
    }

    // Structural rules.
    let (name, ..) = rejection("from manim import *\nx = 1\n").await;
    assert_eq!(name, "Scene subclass");
    let two = "from manim import *\nclass A(Scene):\n    pass\nclass B(Scene):\n    pass\n";
    let (_, _, message) = rejection(two).await;
    assert!(message.contains("exactly one Scene subclass"), "{message}");
    let big = format!("{}# {}\n", scene("Big", "pass"), "x".repeat(70_000));
    let (name, ..) = rejection(&big).await;
    assert_eq!(name, "size");
    let deep = scene(
        "Deep",
        &format!("x = {}1{}", "(".repeat(5000), ")".repeat(5000)),
    );
    assert!(validate_source(&python(), &deep).await.is_err());
    let (name, line, _) =
        rejection("from manim import *\nclass A(Scene):\n    def construct(self)\n").await;
    assert_eq!((name.as_str(), line), ("syntax", Some(3)));

    // Ordinary scenes pass and report their class.
    let ok = scene("Fine", "import_ok = 1\nself.play(Create(Circle()))");
    let ok = format!("import math\nimport numpy as np\nimport random\n{ok}");
    assert_eq!(validate_source(&python(), &ok).await.unwrap(), "Fine");
}

fn source(name: &str, code: String) -> SceneSource {
    SceneSource {
        code,
        scene_name: name.into(),
        notes: Vec::new(),
        fallback: false,
    }
}

fn low(duration: f64) -> RenderSettings {
    RenderSettings::new(Quality::Low, None, None, Some(duration), None).unwrap()
}

async fn render_bypassing_validation(
    job_dir: &Path,
    scene: &SceneSource,
    timeout: Duration,
) -> Result<animaforge_server::generate::RenderOutput, RenderError> {
    let (tx, rx) = mpsc::channel(64);
    let collector = tokio::spawn(drain(rx));
    let result = renderer(timeout)
        .render(job_dir, scene, &low(1.0), tx, CancellationToken::new())
        .await;
    collector.await.unwrap();
    result
}

#[tokio::test]
async fn the_sandbox_stops_file_process_and_network_access() {
    // A secret outside the job directory, outside /tmp too.
    let outside = tempfile::Builder::new()
        .prefix("planted-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let planted = outside.path().join("secret.txt");
    let secret = format!("top-secret-{}", std::process::id());
    std::fs::write(&planted, &secret).unwrap();
    // The test runner's environment (CARGO_*, NEXTEST_*, ...) stands in for the
    // server's secrets: none of it may reach the scene.
    assert!(std::env::vars().any(|(k, _)| k.starts_with("CARGO")));

    // A listener on the host's loopback that must never see a connection.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let reached = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (reached, stop) = (reached.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                if let Ok((mut stream, _)) = listener.accept() {
                    let mut buf = [0u8; 16];
                    let _ = stream.read(&mut buf);
                    reached.store(true, Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };

    let planted_s = planted.display().to_string();
    let planted_dir = outside.path().display().to_string();
    let body = format!(
        r#"import json, socket
results = {{}}
def attempt(name, fn):
    try:
        results[name] = "succeeded: " + str(fn())[:300]
    except BaseException as err:
        results[name] = "blocked: " + type(err).__name__
attempt("read_shadow", lambda: open("/etc/shadow").read())
attempt("read_planted", lambda: open("{planted_s}").read())
attempt("overwrite_planted", lambda: open("{planted_s}", "w").write("overwritten"))
attempt("write_planted_dir", lambda: open("{planted_dir}/written.txt", "w").write("x"))
attempt("write_usr", lambda: open("/usr/pwned", "w").write("x"))
attempt("os_system", lambda: utils.file_ops.os.system("touch {planted_dir}/by_shell; cat {planted_s} > leaked_by_shell.txt"))
attempt("shutil_copy", lambda: utils.file_ops.shutil.copy("{planted_s}", "copied.txt"))
attempt("dunder_import", lambda: __import__("os").listdir("{planted_dir}"))
def connect():
    s = socket.create_connection(("127.0.0.1", {port}), timeout=2)
    s.sendall(b"hello")
    return "connected"
attempt("socket", connect)
attempt("environ", lambda: dict(utils.file_ops.os.environ))
with open("attacks.json", "w") as f:
    json.dump(results, f)
self.play(Create(Circle()), run_time=0.5)"#
    );
    let job = tempfile::tempdir().unwrap();
    let scene = source("HostileScene", scene("HostileScene", &body));
    let output = render_bypassing_validation(job.path(), &scene, Duration::from_secs(120))
        .await
        .expect("the scene itself completes; its attacks fail inside the sandbox");
    stop.store(true, Ordering::SeqCst);
    watcher.join().unwrap();

    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(job.path().join("attacks.json")).unwrap())
            .unwrap();
    eprintln!("{results:#}");
    for attack in [
        "read_shadow",
        "read_planted",
        "overwrite_planted",
        "write_planted_dir",
        "write_usr",
        "shutil_copy",
        "dunder_import",
        "socket",
    ] {
        let outcome = results[attack].as_str().unwrap();
        assert!(outcome.starts_with("blocked"), "{attack}: {outcome}");
    }
    // The shell runs, but only inside the sandbox, where nothing of the host is;
    // the environment is the sandbox's own.
    let environ = results["environ"].as_str().unwrap();
    assert!(environ.starts_with("succeeded"), "{environ}");
    assert!(
        !environ.contains("CARGO") && !environ.contains("RUST"),
        "{environ}"
    );
    assert!(
        !reached.load(Ordering::SeqCst),
        "a connection reached the host's loopback"
    );

    // The host is unaffected and nothing leaked into the job directory.
    assert_eq!(std::fs::read_to_string(&planted).unwrap(), secret);
    let mut names: Vec<String> = std::fs::read_dir(outside.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["secret.txt"]);
    assert!(!Path::new("/usr/pwned").exists());
    for entry in walk(job.path()) {
        if let Ok(text) = std::fs::read(&entry) {
            assert!(
                !String::from_utf8_lossy(&text).contains(&secret),
                "secret leaked into {}",
                entry.display()
            );
        }
    }
    assert!(output.video.exists());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            out.extend(walk(&path));
        } else if meta.is_file() {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn a_fork_bomb_is_contained() {
    let name = format!("ForkBomb{}", std::process::id());
    let code = scene(&name, "while True:\n    utils.commands.os.fork()");
    let job = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let result =
        render_bypassing_validation(job.path(), &source(&name, code), Duration::from_secs(20))
            .await;
    match &result {
        Err(RenderError::ResourceLimit(message)) => {
            assert!(message.contains("process"), "{message}")
        }
        other => panic!("expected the process limit, got {other:?}"),
    }
    // Stopped by the process limit, well before the wall-clock limit.
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let left = survivors(&name, Duration::from_secs(10)).await;
    assert!(left.is_empty(), "fork bomb survivors: {}", left.len());
}

#[tokio::test]
async fn a_huge_allocation_hits_the_memory_limit() {
    let code = scene("Hungry", "blob = bytearray(16 * 1024 ** 3)\nself.wait(1)");
    let job = tempfile::tempdir().unwrap();
    let result =
        render_bypassing_validation(job.path(), &source("Hungry", code), Duration::from_secs(60))
            .await;
    match result {
        Err(RenderError::ResourceLimit(message)) => {
            assert!(message.contains("memory"), "{message}")
        }
        other => panic!("expected a memory limit, got {other:?}"),
    }
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_by_the_clock() {
    let name = format!("Spinner{}", std::process::id());
    let code = scene(&name, "while True:\n    pass");
    assert!(
        validate_source(&python(), &code).await.is_ok(),
        "loops are legal Python"
    );
    let job = tempfile::tempdir().unwrap();
    let result =
        render_bypassing_validation(job.path(), &source(&name, code), Duration::from_secs(5)).await;
    assert!(matches!(result, Err(RenderError::Timeout(5))), "{result:?}");
    let left = survivors(&name, Duration::from_secs(10)).await;
    assert!(
        left.is_empty(),
        "processes left after the timeout: {left:?}"
    );
}
