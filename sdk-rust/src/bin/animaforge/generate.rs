//! `generate` and `jobs status|cancel|wait`: starting jobs, following them with a
//! progress bar, Ctrl-C, and downloading what they made.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use animaforge::{
    AnimaForge, GenerateConfig, GenerateRequest, GeneratedAnimation, Job, OnTimeout, WaitOptions,
};

use crate::Context;
use crate::args::{GenerateArgs, JobsCommand, WaitArgs};
use crate::failure::{Failure, describe};
use crate::output::{bytes, print_json};
use crate::progress::{ByteProgress, JobProgress};

/// Runs `generate`.
pub(crate) async fn generate(context: &Context, args: GenerateArgs) -> Result<(), Failure> {
    let files = Files::for_output(args.out.clone(), args.thumbnail.clone())?;
    let client = context.authed()?;
    let request = request_from(&args)?;
    let job = client.animations().generate_with(request).await?;

    let wait = args.wait || args.out.is_some() || args.thumbnail.is_some();
    if !wait {
        if context.json() {
            // The API's answer to generate, as `--json` promises.
            return match job.accepted() {
                Some(accepted) => print_json(accepted),
                None => print_json(&serde_json::json!({
                    "job_id": job.id(),
                    "status": job.status(),
                })),
            };
        }
        outln!("{}", job.id());
        errln!(
            "Job {} {}; follow it with `animaforge jobs wait {}`",
            job.id(),
            job.status(),
            job.id()
        );
        return Ok(());
    }
    if !context.json() {
        outln!("{}", job.id());
    }
    wait_and_fetch(context, &client, job, &args.waiting, files).await
}

fn request_from(args: &GenerateArgs) -> Result<GenerateRequest, Failure> {
    let config = GenerateConfig {
        quality: args.quality,
        duration: args.duration,
        fps: args.fps,
        background: args.background.clone(),
        resolution: args.resolution,
    };
    let mut params = BTreeMap::new();
    for param in &args.params {
        let Some((name, value)) = param.split_once('=') else {
            return Err(Failure::usage(format!(
                "--param {param}: expected NAME=VALUE"
            )));
        };
        let value = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
        params.insert(name.trim().to_owned(), value);
    }
    if !params.is_empty() && args.template.is_none() {
        return Err(Failure::usage("--param needs --template"));
    }
    let mut request = GenerateRequest::new(args.prompt.clone());
    request.config = (config != GenerateConfig::default()).then_some(config);
    request.backend = args.backend;
    request.template = args.template.clone();
    request.template_params = (!params.is_empty()).then_some(params);
    Ok(request)
}

/// Runs `jobs ...`.
pub(crate) async fn jobs(context: &Context, command: JobsCommand) -> Result<(), Failure> {
    if let JobsCommand::Wait {
        out: Some(out),
        thumbnail: Some(thumbnail),
        ..
    } = &command
    {
        refuse_same_file(out, thumbnail)?;
    }
    let client = context.authed()?;
    match command {
        JobsCommand::Status { id } => {
            let job = client.jobs().get(&id).await?;
            if context.json() {
                return print_json(&job);
            }
            print_job(&job);
            Ok(())
        }
        JobsCommand::Cancel { id } => {
            let job = client.jobs().cancel(&id).await?;
            if context.json() {
                return print_json(&job);
            }
            outln!("{} {}", job.job_id, job.status);
            Ok(())
        }
        JobsCommand::Wait {
            id,
            out,
            thumbnail,
            waiting,
        } => {
            let job = client.jobs().attach(&id);
            let files = Files::for_output(out, thumbnail)?;
            wait_and_fetch(context, &client, job, &waiting, files).await
        }
    }
}

fn print_job(job: &animaforge::api::Job) {
    let eta = job
        .estimated_remaining
        .map(|s| format!("  ETA {s}s"))
        .unwrap_or_default();
    outln!("{}  {}  {}%{eta}", job.job_id, job.status, job.progress);
    outln!("prompt: {}", job.prompt);
    if !job.logs.is_empty() {
        outln!("last log lines:");
        for line in job.logs.iter().rev().take(10).rev() {
            outln!("  | {line}");
        }
    }
    if let Some(animation) = &job.animation {
        outln!("animation: {} ({})", animation.id, animation.url);
    }
    if let Some(error) = &job.error {
        outln!("error: {}: {}", error.code, error.message);
    }
}

/// Where the results of a job go.
#[derive(Debug, Default)]
struct Files {
    video: Option<PathBuf>,
    thumbnail: Option<PathBuf>,
}

impl Files {
    /// `--out` and `--thumbnail`; with `--out` alone the thumbnail goes beside the video
    /// (see [`thumbnail_beside`]). The same file for both is a usage error.
    fn for_output(out: Option<PathBuf>, thumbnail: Option<PathBuf>) -> Result<Files, Failure> {
        if let (Some(out), Some(thumbnail)) = (&out, &thumbnail) {
            refuse_same_file(out, thumbnail)?;
        }
        let thumbnail = thumbnail.or_else(|| out.as_deref().map(thumbnail_beside));
        // Before any work (a render takes a while): the files must be writable.
        for path in out.iter().chain(thumbnail.iter()) {
            check_writable(path)?;
        }
        Ok(Files {
            video: out,
            thumbnail,
        })
    }
}

/// The thumbnail's path beside `video`: `x.jpg` for `x.mp4`, and `x.thumbnail.jpg` when
/// the video itself is named `x.jpg`.
pub(crate) fn thumbnail_beside(video: &Path) -> PathBuf {
    let thumbnail = video.with_extension("jpg");
    if same_file(&thumbnail, video) {
        video.with_extension("thumbnail.jpg")
    } else {
        thumbnail
    }
}

/// A usage error when `--out` and `--thumbnail` name the same file.
pub(crate) fn refuse_same_file(video: &Path, thumbnail: &Path) -> Result<(), Failure> {
    if same_file(video, thumbnail) {
        return Err(Failure::usage(format!(
            "--out and --thumbnail both name {}; give the thumbnail a path of its own",
            thumbnail.display()
        )));
    }
    Ok(())
}

/// Whether two paths name the same file: equal once made absolute, or the same
/// existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    resolved(a) == resolved(b)
}

/// Where `path` leads, for comparing two paths that need not exist yet: `.` and `..`
/// applied by name, then the longest existing ancestor with its links resolved, then
/// the rest.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut lexical = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let mut existing = lexical.clone();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(&existing) {
            let mut out = real;
            out.extend(rest.iter().rev());
            return out;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => return lexical,
        }
    }
}

async fn wait_and_fetch(
    context: &Context,
    client: &AnimaForge,
    job: Job,
    waiting: &WaitArgs,
    files: Files,
) -> Result<(), Failure> {
    let animation = wait(client, &job, waiting).await?;

    // Ctrl-C is caught from here on (the wait installed the handler): honour it.
    let downloads = async {
        let video = match &files.video {
            Some(path) => Some(download_video(client, &animation.id, path).await?),
            None => None,
        };
        let thumbnail = match &files.thumbnail {
            Some(path) => {
                Some(download_url(client, &animation.thumbnail_url, path, "thumbnail").await?)
            }
            None => None,
        };
        Ok::<_, Failure>((video, thumbnail))
    };
    let (video, thumbnail) = crate::interruptible("downloading", downloads).await?;

    if context.json() {
        let snapshot = client.jobs().get(job.id()).await?;
        return print_json(&snapshot);
    }
    print_result(&animation, video.as_deref(), thumbnail.as_deref());
    Ok(())
}

/// Waits with the progress display; Ctrl-C cancels the job (or leaves it running with
/// `--detach-on-interrupt`) and fails with exit code 130.
async fn wait(
    client: &AnimaForge,
    job: &Job,
    waiting: &WaitArgs,
) -> Result<GeneratedAnimation, Failure> {
    let progress = Arc::new(JobProgress::start(job.id()));
    let shown = progress.clone();
    let options = WaitOptions::default()
        .timeout(Some(Duration::from_secs(waiting.wait_timeout)))
        .on_timeout(OnTimeout::Detach)
        .on_update(move |update| shown.update(update));

    let outcome = tokio::select! {
        result = job.wait_with(options) => Some(result),
        _ = tokio::signal::ctrl_c() => None,
    };
    match outcome {
        Some(Ok(animation)) => {
            progress.finish(&format!("{} completed", job.id()));
            Ok(animation)
        }
        Some(Err(e)) => {
            progress.abandon();
            Err(e.into())
        }
        None => {
            progress.abandon();
            let id = job.id();
            if waiting.detach_on_interrupt {
                return Err(Failure::interrupted(format!(
                    "interrupted; job {id} keeps running (`animaforge jobs wait {id}`)"
                )));
            }
            match client
                .jobs()
                .cancel(id)
                .timeout(Duration::from_secs(10))
                .await
            {
                Ok(snapshot) => Err(Failure::interrupted(format!(
                    "interrupted; job {id} is {}",
                    snapshot.status
                ))),
                Err(e) => Err(Failure::interrupted(format!(
                    "interrupted; cancelling job {id} failed: {}",
                    describe(&e)
                ))),
            }
        }
    }
}

fn print_result(animation: &GeneratedAnimation, video: Option<&Path>, thumbnail: Option<&Path>) {
    let meta = &animation.metadata;
    outln!(
        "animation  {} ({} s, {}, {} fps, {})",
        animation.id,
        meta.duration,
        meta.resolution,
        meta.fps,
        bytes(meta.file_size)
    );
    match video {
        Some(path) => outln!("video      {}", path.display()),
        None => outln!("video      {}", animation.url),
    }
    if let Some(path) = thumbnail {
        outln!("thumbnail  {}", path.display());
    }
}

/// Fails early when `path` cannot be written: it is a directory, or the nearest
/// existing directory above it refuses a new file. Nothing is left behind; the download
/// creates missing directories once the server has answered.
pub(crate) fn check_writable(path: &Path) -> Result<(), Failure> {
    if path.is_dir() {
        return Err(Failure::local(format!("{} is a directory", path.display())));
    }
    let mut dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    while !dir.exists() {
        match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => dir = p.to_path_buf(),
            _ => {
                dir = PathBuf::from(".");
                break;
            }
        }
    }
    if !dir.is_dir() {
        return Err(Failure::local(format!(
            "cannot write {}: {} is not a directory",
            path.display(),
            dir.display()
        )));
    }
    let probe = dir.join(format!(".animaforge-write-check-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(Failure::local(format!(
            "cannot write {}: {}: {e}",
            path.display(),
            dir.display()
        ))),
    }
}

/// Downloads an animation's video to `path` with a byte bar.
pub(crate) async fn download_video(
    client: &AnimaForge,
    id: &str,
    path: &Path,
) -> Result<PathBuf, Failure> {
    check_writable(path)?;
    let bar = ByteProgress::start("video");
    let shown = bar.clone();
    let result = client
        .animations()
        .download(id)
        .on_progress(move |p| shown.update(p))
        .to_path(path)
        .await;
    bar.finish();
    let info = result?;
    errln!("Downloaded {} to {}", bytes(info.bytes), path.display());
    Ok(path.to_path_buf())
}

/// Downloads a file URL the API handed out (a thumbnail) to `path`.
pub(crate) async fn download_url(
    client: &AnimaForge,
    url: &str,
    path: &Path,
    what: &str,
) -> Result<PathBuf, Failure> {
    check_writable(path)?;
    let info = client.files().download(url).to_path(path).await?;
    errln!(
        "Downloaded {what} ({}) to {}",
        bytes(info.bytes),
        path.display()
    );
    Ok(path.to_path_buf())
}
