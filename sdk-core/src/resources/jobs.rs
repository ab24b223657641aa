//! Generation jobs by id.

use futures::stream::BoxStream;
use http::Method;

use crate::call::Call;
use crate::client::AnimaForge;
use crate::error::Result;
use crate::job::{Job, JobUpdate};
use crate::transport::RequestSpec;

/// Generation jobs. Get it from [`AnimaForge::jobs`].
#[derive(Debug, Clone)]
pub struct Jobs {
    pub(crate) client: AnimaForge,
}

impl Jobs {
    /// A job's state (`GET /animations/jobs/{job_id}`).
    pub fn get(&self, job_id: &str) -> Call<animaforge_api::Job> {
        Call::mapped(
            &self.client,
            RequestSpec::get(&["animations", "jobs", job_id]),
            |d: animaforge_api::Job| d,
        )
    }

    /// Cancels a job (`POST /animations/jobs/{job_id}/cancel`). Cancelling is idempotent,
    /// so the call is retried like a GET.
    pub fn cancel(&self, job_id: &str) -> Call<animaforge_api::Job> {
        let mut spec = RequestSpec::new(Method::POST, &["animations", "jobs", job_id, "cancel"]);
        spec.idempotency_key = Some(super::new_idempotency_key());
        Call::mapped(&self.client, spec, |d: animaforge_api::Job| d)
    }

    /// A handle on an existing job, to wait for it or follow its progress (no request).
    pub fn attach(&self, job_id: &str) -> Job {
        Job::new(&self.client, job_id, animaforge_api::JobStatus::Queued)
    }

    /// The job's updates (`GET /animations/jobs/{job_id}/events`, polling as fallback);
    /// the same as `attach(job_id).progress()`.
    pub fn events(&self, job_id: &str) -> BoxStream<'static, Result<JobUpdate>> {
        self.attach(job_id).progress()
    }
}
