//! Checking a generate request field by field and turning it into a queued job.

use animaforge_api::{Backend, GenerateRequest, Quality};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::generate::{
    self, GenerateError, RenderSettings, compile_prompt, render_template, templates,
};
use crate::http::ApiError;
use crate::jobs::estimate;
use crate::store::jobs::NewJob;
use crate::store::{self, new_id};
use crate::webhooks::target::{self, AllowList};

/// Longest prompt, in characters.
pub const MAX_PROMPT_CHARS: usize = 2000;
/// Longest `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// A request that passed every check.
#[derive(Debug)]
pub struct Checked {
    /// The job to insert.
    pub job: NewJob,
}

fn engine_quality(quality: Quality) -> generate::Quality {
    match quality {
        Quality::Low => generate::Quality::Low,
        Quality::Medium => generate::Quality::Medium,
        Quality::High => generate::Quality::High,
        Quality::Production => generate::Quality::Production,
    }
}

/// The SHA-256 of the request as parsed, so that repeats that differ only in
/// formatting or member order compare equal.
pub fn request_hash(request: &GenerateRequest) -> String {
    let canonical = serde_json::to_vec(request).unwrap_or_default();
    hex::encode(Sha256::digest(&canonical))
}

/// Checks an `Idempotency-Key` header value.
pub fn check_idempotency_key(value: &str) -> Result<(), ApiError> {
    if value.is_empty() || value.len() > MAX_IDEMPOTENCY_KEY || !value.is_ascii() {
        return Err(ApiError::validation(
            "Idempotency-Key",
            "must be 1 to 255 ASCII characters",
        ));
    }
    Ok(())
}

fn check_prompt(prompt: &str) -> Result<(), ApiError> {
    let chars = prompt.chars().count();
    if prompt.trim().is_empty() || chars > MAX_PROMPT_CHARS {
        return Err(ApiError::validation(
            "prompt",
            "must be 1 to 2000 characters and not blank",
        ));
    }
    Ok(())
}

fn settings_of(request: &GenerateRequest) -> Result<RenderSettings, ApiError> {
    let config = request.config.clone().unwrap_or_default();
    if let Some(d) = config.duration
        && !(d.is_finite() && (1.0..=60.0).contains(&d))
    {
        return Err(ApiError::validation(
            "config.duration",
            "must be between 1 and 60",
        ));
    }
    if let Some(fps) = config.fps
        && !(1..=60).contains(&fps)
    {
        return Err(ApiError::validation(
            "config.fps",
            "must be between 1 and 60",
        ));
    }
    if let Some(bg) = &config.background {
        let hex = bg.strip_prefix('#').unwrap_or_default();
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ApiError::validation(
                "config.background",
                "must be a colour written #rrggbb",
            ));
        }
    }
    let quality = config.quality.unwrap_or(Quality::High);
    RenderSettings::new(
        engine_quality(quality),
        config.resolution.map(|r| r.as_str()),
        config.fps,
        config.duration,
        config.background.as_deref(),
    )
    .map_err(|err| match err {
        GenerateError::InvalidSetting { field, message } => {
            let field = if field == "background_color" {
                "background"
            } else {
                field
            };
            ApiError::validation(format!("config.{field}"), message)
        }
        other => ApiError::validation("config", other.to_string()),
    })
}

fn check_template(
    request: &GenerateRequest,
    settings: &RenderSettings,
) -> Result<Option<String>, ApiError> {
    let Some(id) = &request.template else {
        if request.template_params.is_some() {
            return Err(ApiError::validation(
                "template_params",
                "is only allowed with a template",
            ));
        }
        return Ok(None);
    };
    if !templates().iter().any(|t| t.id == id) {
        let ids: Vec<&str> = templates().iter().map(|t| t.id).collect();
        return Err(ApiError::validation(
            "template",
            format!("must be one of {}", ids.join(", ")),
        ));
    }
    let params: serde_json::Map<String, serde_json::Value> = request
        .template_params
        .clone()
        .unwrap_or_default()
        .into_iter()
        .collect();
    match render_template(id, &params, settings) {
        Ok(_) => Ok(Some(
            serde_json::to_string(&params).unwrap_or_else(|_| "{}".into()),
        )),
        Err(GenerateError::InvalidTemplateParameter { parameter, message }) => Err(
            ApiError::validation(format!("template_params.{parameter}"), message),
        ),
        Err(other) => Err(ApiError::validation("template_params", other.to_string())),
    }
}

/// Checks that the callback URL's host resolves to addresses deliveries may reach
/// (public ones, or those the operator allowed).
pub async fn check_callback_target(state: &AppState, url: &str) -> Result<(), ApiError> {
    let parsed = target::check_url(url)
        .map_err(|err| ApiError::validation("callback_url", err.to_string()))?;
    let allow = AllowList::new(&state.config.webhooks.webhook_allow_hosts);
    target::check_resolved(&parsed, &allow)
        .await
        .map_err(|err| ApiError::validation("callback_url", err.to_string()))
}

fn check_callback(request: &GenerateRequest) -> Result<(), ApiError> {
    match (&request.callback_url, &request.callback_secret) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(ApiError::validation(
            "callback_secret",
            "is only allowed with a callback_url",
        )),
        (Some(_), None) => Err(ApiError::validation(
            "callback_secret",
            "is required with a callback_url (16 to 256 characters)",
        )),
        (Some(url), Some(secret)) => {
            let parsed = url::Url::parse(url).ok();
            let valid = url.len() <= 2048
                && parsed.as_ref().is_some_and(|u| {
                    matches!(u.scheme(), "http" | "https")
                        && u.host().is_some()
                        && u.username().is_empty()
                        && u.password().is_none()
                });
            if !valid {
                return Err(ApiError::validation(
                    "callback_url",
                    "must be an absolute http(s) URL without credentials, at most 2048 characters",
                ));
            }
            let chars = secret.chars().count();
            if !(16..=256).contains(&chars) {
                return Err(ApiError::validation(
                    "callback_secret",
                    "must be 16 to 256 characters",
                ));
            }
            Ok(())
        }
    }
}

/// Checks every field of `request` and builds the job for `owner_id`.
pub fn check(
    state: &AppState,
    owner_id: &str,
    request: &GenerateRequest,
    idempotency_key: Option<&str>,
) -> Result<Checked, ApiError> {
    check_prompt(&request.prompt)?;
    let settings = settings_of(request)?;
    let backend = request.backend.unwrap_or(Backend::Local);
    if state.generation.backend(backend).is_none() {
        return Err(ApiError::validation(
            "backend",
            format!(
                "is not configured on this server (available: {})",
                state.generation.available_backends().join(", ")
            ),
        ));
    }
    let template_params = check_template(request, &settings)?;
    check_callback(request)?;

    let three_d = match (&request.template, backend) {
        (None, Backend::Local) => compile_prompt(&request.prompt, &settings)
            .code
            .contains("ThreeDScene"),
        _ => false,
    };
    let model = request.template.is_none() && backend != Backend::Local;
    let estimated = estimate::estimated_time(&settings, three_d, model);
    let settings_json = serde_json::to_string(&settings).map_err(ApiError::internal)?;
    Ok(Checked {
        job: NewJob {
            id: new_id("job"),
            owner_id: owner_id.to_owned(),
            prompt: request.prompt.clone(),
            backend: backend.as_str().to_owned(),
            template: request.template.clone(),
            template_params,
            settings: settings_json,
            callback_url: request.callback_url.clone(),
            callback_secret: request.callback_secret.clone(),
            idempotency_key: idempotency_key.map(str::to_owned),
            request_hash: idempotency_key.map(|_| request_hash(request)),
            estimated_time: i64::try_from(estimated).unwrap_or(i64::MAX),
            max_attempts: i64::from(state.generation.config().job_max_attempts.max(1)),
            created_at: store::now(),
        },
    })
}
