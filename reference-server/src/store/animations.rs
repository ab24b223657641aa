//! The catalogue: animations, their versions and counters.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Param, Store, StoreResult, Tx, bind_params, on_pool, on_tx};

/// An animation row joined with its creator.
#[derive(Debug, Clone, FromRow)]
pub struct AnimationRow {
    /// `anim_...`.
    pub id: String,
    /// Owner.
    pub owner_id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Tags as a JSON array.
    pub tags: String,
    /// Category wire name.
    pub category: String,
    /// Licence wire name.
    pub license: String,
    /// Price in cents.
    pub price_cents: i64,
    /// `processing`, `ready` or `failed`.
    pub status: String,
    /// Object name of the video.
    pub video_object: Option<String>,
    /// Object name of the thumbnail.
    pub thumbnail_object: Option<String>,
    /// Seconds.
    pub duration: Option<f64>,
    /// Frames per second.
    pub fps: Option<f64>,
    /// Pixels.
    pub width: Option<i64>,
    /// Pixels.
    pub height: Option<i64>,
    /// Bytes.
    pub file_size: Option<i64>,
    /// Container, `mp4`.
    pub format: Option<String>,
    /// Manim source, for generated animations.
    pub source_code: Option<String>,
    /// Manim Community version the source was rendered with.
    pub manim_version: Option<String>,
    /// Generating job.
    pub job_id: Option<String>,
    /// Page views.
    pub views: i64,
    /// Downloads.
    pub downloads: i64,
    /// Likes.
    pub likes: i64,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Creator's handle.
    pub creator_username: String,
    /// Creator's display name.
    pub creator_display_name: Option<String>,
    /// Creator's avatar.
    pub creator_avatar_url: Option<String>,
    /// Creator's biography.
    pub creator_bio: Option<String>,
}

/// Columns of [`AnimationRow`], for `FROM animations a JOIN users u ON u.id = a.owner_id`.
pub const ANIMATION_COLUMNS: &str = "a.id, a.owner_id, a.title, a.description, a.tags, a.category, \
    a.license, a.price_cents, a.status, a.video_object, a.thumbnail_object, a.duration, a.fps, \
    a.width, a.height, a.file_size, a.format, a.source_code, a.manim_version, a.job_id, a.views, \
    a.downloads, a.likes, a.created_at, a.updated_at, u.username AS creator_username, \
    u.display_name AS creator_display_name, u.avatar_url AS creator_avatar_url, \
    u.bio AS creator_bio";

/// A version row.
#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    /// From 1.
    pub version: i64,
    /// What changed.
    pub changelog: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Measured facts of a video file.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaFacts {
    /// Seconds.
    pub duration: f64,
    /// Frames per second.
    pub fps: f64,
    /// Pixels.
    pub width: i64,
    /// Pixels.
    pub height: i64,
    /// Bytes.
    pub file_size: i64,
    /// Container, `mp4`.
    pub format: String,
}

/// A new animation. Uploads start `processing` without media facts; generated
/// animations can be inserted `ready` with facts, source and job id at once.
#[derive(Debug, Clone)]
pub struct NewAnimation {
    /// `anim_...`.
    pub id: String,
    /// Owner.
    pub owner_id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Category wire name.
    pub category: String,
    /// Licence wire name.
    pub license: String,
    /// Price in cents.
    pub price_cents: i64,
    /// Status wire name.
    pub status: String,
    /// Object name of the video.
    pub video_object: Option<String>,
    /// Object name of the thumbnail.
    pub thumbnail_object: Option<String>,
    /// Facts, when known.
    pub media: Option<MediaFacts>,
    /// Manim source.
    pub source_code: Option<String>,
    /// Manim version.
    pub manim_version: Option<String>,
    /// Generating job.
    pub job_id: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// Inserts an animation and its version 1 ("Initial release") in `tx`.
pub async fn insert(tx: &mut Tx, a: &NewAnimation) -> StoreResult<()> {
    let tags = serde_json::to_string(&a.tags).unwrap_or_else(|_| "[]".into());
    let m = a.media.as_ref();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO animations (id, owner_id, title, title_lower, description, tags, category,
                license, price_cents, status, video_object, thumbnail_object, duration, fps, width,
                height, file_size, format, source_code, manim_version, job_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                $18, $19, $20, $21, $22, $22)",
        )
        .bind(&a.id)
        .bind(&a.owner_id)
        .bind(&a.title)
        .bind(a.title.to_lowercase())
        .bind(&a.description)
        .bind(&tags)
        .bind(&a.category)
        .bind(&a.license)
        .bind(a.price_cents)
        .bind(&a.status)
        .bind(&a.video_object)
        .bind(&a.thumbnail_object)
        .bind(m.map(|m| m.duration))
        .bind(m.map(|m| m.fps))
        .bind(m.map(|m| m.width))
        .bind(m.map(|m| m.height))
        .bind(m.map(|m| m.file_size))
        .bind(m.map(|m| m.format.clone()))
        .bind(&a.source_code)
        .bind(&a.manim_version)
        .bind(&a.job_id)
        .bind(a.created_at)
        .execute(&mut *conn)
        .await.map(|r| r.rows_affected())?;
        sqlx::query(
            "INSERT INTO animation_versions (animation_id, version, changelog, created_at)
             VALUES ($1, 1, 'Initial release', $2)",
        )
        .bind(&a.id)
        .bind(a.created_at)
        .execute(&mut *conn)
        .await.map(|r| r.rows_affected())?;
    });
    Ok(())
}

impl Store {
    /// Inserts an animation in its own transaction.
    pub async fn insert_animation(&self, a: &NewAnimation) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        insert(&mut tx, a).await?;
        tx.commit().await
    }

    /// One animation in any status.
    pub async fn animation(&self, id: &str) -> StoreResult<Option<AnimationRow>> {
        let sql = format!(
            "SELECT {ANIMATION_COLUMNS} FROM animations a JOIN users u ON u.id = a.owner_id
             WHERE a.id = $1"
        );
        on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)
    }

    /// The versions of an animation, newest first.
    pub async fn animation_versions(&self, id: &str) -> StoreResult<Vec<VersionRow>> {
        on_pool!(self, pool => sqlx::query_as(
            "SELECT version, changelog, created_at FROM animation_versions
             WHERE animation_id = $1 ORDER BY version DESC",
        )
        .bind(id)
        .fetch_all(pool)
        .await)
    }

    /// Marks an upload processed: facts and thumbnail recorded, status `ready`.
    /// Returns whether the animation still exists (it may be deleted while processing).
    pub async fn mark_animation_ready(
        &self,
        id: &str,
        facts: &MediaFacts,
        thumbnail_object: Option<&str>,
    ) -> StoreResult<bool> {
        let updated = on_pool!(self, pool => sqlx::query(
            "UPDATE animations SET status = 'ready', duration = $1, fps = $2, width = $3,
                height = $4, file_size = $5, format = $6, thumbnail_object = $7
             WHERE id = $8",
        )
        .bind(facts.duration)
        .bind(facts.fps)
        .bind(facts.width)
        .bind(facts.height)
        .bind(facts.file_size)
        .bind(&facts.format)
        .bind(thumbnail_object)
        .bind(id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
        Ok(updated == 1)
    }

    /// Marks an upload as failed to process.
    pub async fn mark_animation_failed(&self, id: &str) -> StoreResult<()> {
        on_pool!(self, pool => sqlx::query("UPDATE animations SET status = 'failed' WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Deletes an animation (versions and likes cascade); returns whether it existed.
    pub async fn delete_animation(&self, id: &str) -> StoreResult<bool> {
        let done = on_pool!(self, pool => sqlx::query("DELETE FROM animations WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Adds one to the view counter.
    pub async fn count_animation_view(&self, id: &str) -> StoreResult<()> {
        on_pool!(self, pool => sqlx::query("UPDATE animations SET views = views + 1 WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Adds one to the download counter.
    pub async fn count_animation_download(&self, id: &str) -> StoreResult<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE animations SET downloads = downloads + 1 WHERE id = $1",
        )
        .bind(id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

/// The fields an update may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AnimationChanges {
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Price in cents.
    pub price_cents: Option<i64>,
    /// Licence wire name.
    pub license: Option<String>,
    /// Category wire name.
    pub category: Option<String>,
    /// When present, a new version with this changelog.
    pub changelog: Option<String>,
}

impl Store {
    /// Applies `changes` to an animation and, with a changelog, adds a version; all in
    /// one transaction.
    pub async fn update_animation(
        &self,
        id: &str,
        changes: &AnimationChanges,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut sets = vec!["updated_at = $1".to_owned()];
        let mut params = vec![];
        let mut add = |column: &str, p: Param| {
            params.push(p);
            sets.push(format!("{column} = ${}", params.len() + 1));
        };
        if let Some(t) = &changes.title {
            add("title", Param::Text(t.clone()));
            add("title_lower", Param::Text(t.to_lowercase()));
        }
        if let Some(d) = &changes.description {
            add("description", Param::Text(d.clone()));
        }
        if let Some(t) = &changes.tags {
            add(
                "tags",
                Param::Text(serde_json::to_string(t).unwrap_or_else(|_| "[]".into())),
            );
        }
        if let Some(p) = changes.price_cents {
            add("price_cents", Param::Int(p));
        }
        if let Some(l) = &changes.license {
            add("license", Param::Text(l.clone()));
        }
        if let Some(c) = &changes.category {
            add("category", Param::Text(c.clone()));
        }
        let sql = format!(
            "UPDATE animations SET {} WHERE id = ${}",
            sets.join(", "),
            params.len() + 2
        );
        params.push(Param::Text(id.to_owned()));

        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => {
            let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(at);
            bind_params!(query, &params).execute(&mut *conn).await.map(|r| r.rows_affected())?;
            if let Some(changelog) = &changes.changelog {
                sqlx::query(
                    "INSERT INTO animation_versions (animation_id, version, changelog, created_at)
                     SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3
                     FROM animation_versions WHERE animation_id = $1",
                )
                .bind(id)
                .bind(changelog)
                .bind(at)
                .execute(&mut *conn)
                .await.map(|r| r.rows_affected())?;
            }
        });
        tx.commit().await
    }
}
