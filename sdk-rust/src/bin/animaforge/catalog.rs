//! `animations ...`, `search`, `marketplace ...` and `health`.

use std::time::Duration;

use animaforge::{
    Animation, AnimationList, AnimationStatus, ListAnimationsQuery, PurchaseList, PurchasesQuery,
    SearchQuery, SearchResponse, TrendingQuery, UploadMetadata, UploadSource,
};
use futures::TryStreamExt;

use crate::args::{AnimationsCommand, ListArgs, MarketplaceCommand, SearchArgs, UploadArgs};
use crate::failure::Failure;
use crate::generate::{download_url, download_video, refuse_same_file};
use crate::output::{animation_table, bytes, fit, price, print_json};
use crate::progress::ByteProgress;
use crate::{Context, interruptible};

/// How long `animations upload --wait` waits for processing.
const PROCESSING_WAIT: Duration = Duration::from_secs(300);

/// Runs `animations ...`.
pub(crate) async fn animations(
    context: &Context,
    command: AnimationsCommand,
) -> Result<(), Failure> {
    match command {
        AnimationsCommand::List(args) => list(context, args).await,
        AnimationsCommand::Get { id } => {
            let animation = context.client()?.animations().get(&id).await?;
            if context.json() {
                return print_json(&animation);
            }
            print_animation(&animation);
            Ok(())
        }
        AnimationsCommand::Download { id, out, thumbnail } => {
            if let Some(thumbnail) = &thumbnail {
                refuse_same_file(&out, thumbnail)?;
            }
            interruptible("downloading", download(context, id, out, thumbnail)).await
        }
        AnimationsCommand::Upload(args) => interruptible("uploading", upload(context, args)).await,
        AnimationsCommand::Delete { id } => {
            context.authed()?.animations().delete(&id).await?;
            if context.json() {
                return print_json(&serde_json::json!({ "id": id, "deleted": true }));
            }
            outln!("Deleted {id}");
            Ok(())
        }
        AnimationsCommand::Source { id } => {
            let source = context.client()?.animations().source(&id).await?;
            if context.json() {
                return print_json(&source);
            }
            out!("{}", source.source_code);
            if !source.source_code.ends_with('\n') {
                outln!();
            }
            Ok(())
        }
    }
}

async fn download(
    context: &Context,
    id: String,
    out: std::path::PathBuf,
    thumbnail: Option<std::path::PathBuf>,
) -> Result<(), Failure> {
    // Downloads need a signed-in caller; both files must be writable before either
    // is fetched.
    let client = context.authed()?;
    for path in std::iter::once(&out).chain(thumbnail.iter()) {
        crate::generate::check_writable(path)?;
    }
    let path = download_video(&client, &id, &out).await?;
    let thumb = match thumbnail {
        Some(thumb) => {
            let animation = client.animations().get(&id).await?;
            let Some(url) = animation.thumbnail_url else {
                return Err(Failure::local(format!("{id} has no thumbnail")));
            };
            Some(download_url(&client, &url, &thumb, "thumbnail").await?)
        }
        None => None,
    };
    if context.json() {
        return print_json(&serde_json::json!({
            "id": id,
            "video": path,
            "thumbnail": thumb,
        }));
    }
    outln!("{}", path.display());
    if let Some(thumb) = thumb {
        outln!("{}", thumb.display());
    }
    Ok(())
}

async fn list(context: &Context, args: ListArgs) -> Result<(), Failure> {
    let client = context.client()?;
    let query = ListAnimationsQuery {
        page: args.page,
        per_page: args.per_page,
        sort: args.sort,
        order: args.order,
        category: args.category,
        license: args.license,
        free: args.free,
        search: args.search,
    };
    if args.all {
        let items: Vec<_> = client
            .animations()
            .list(query)
            .stream()
            .try_collect()
            .await?;
        if context.json() {
            return print_json(&items);
        }
        animation_table(&items);
        return Ok(());
    }
    let page = client.animations().list(query).await?;
    if context.json() {
        return print_json(&AnimationList {
            animations: page.items,
            pagination: page.pagination,
        });
    }
    animation_table(&page.items);
    let p = page.pagination;
    outln!("page {} of {} ({} in all)", p.page, p.pages.max(1), p.total);
    Ok(())
}

fn print_animation(a: &Animation) {
    outln!("{}  {}", a.id, a.title);
    outln!(
        "by {}  ·  {}  ·  {}  ·  {}  ·  {}",
        a.creator.username,
        a.category,
        a.license,
        price(a.price),
        a.status
    );
    if !a.description.is_empty() {
        outln!("{}", a.description);
    }
    if let Some(m) = &a.metadata {
        outln!(
            "{} s, {}, {} fps, {}, {}",
            m.duration,
            m.resolution,
            m.fps,
            m.format,
            bytes(m.file_size)
        );
    }
    if !a.tags.is_empty() {
        outln!("tags: {}", a.tags.join(", "));
    }
    outln!(
        "views {}  downloads {}  likes {}",
        a.stats.views,
        a.stats.downloads,
        a.stats.likes
    );
    if let Some(url) = &a.video_url {
        outln!("video: {url}");
    }
    if let Some(url) = &a.thumbnail_url {
        outln!("thumbnail: {url}");
    }
}

async fn upload(context: &Context, args: UploadArgs) -> Result<(), Failure> {
    let client = context.authed()?;
    match std::fs::metadata(&args.file) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => {
            return Err(Failure::local(format!(
                "{} is not a file",
                args.file.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::local(format!(
                "{} does not exist",
                args.file.display()
            )));
        }
        Err(e) => {
            return Err(Failure::local(format!(
                "cannot read {}: {e}",
                args.file.display()
            )));
        }
    }
    let metadata = UploadMetadata {
        title: args.title,
        description: args.description,
        tags: (!args.tags.is_empty()).then_some(args.tags),
        license: args.license,
        price: args.price,
        category: args.category,
    };
    let bar = ByteProgress::start("upload");
    let shown = bar.clone();
    let result = client
        .animations()
        .upload(UploadSource::path(&args.file), metadata)
        .on_progress(move |p| shown.update(p))
        .await;
    bar.finish();
    let uploaded = result?;

    if !args.wait {
        if context.json() {
            return print_json(&uploaded);
        }
        outln!("{}", uploaded.id);
        errln!(
            "Uploaded {} ({}): {}",
            uploaded.id,
            uploaded.status,
            uploaded.message
        );
        return Ok(());
    }

    errln!("Uploaded {}; waiting for processing", uploaded.id);
    let deadline = tokio::time::Instant::now() + PROCESSING_WAIT;
    let animation = loop {
        let animation = client.animations().get(&uploaded.id).await?;
        match animation.status {
            AnimationStatus::Ready => break animation,
            AnimationStatus::Failed => {
                return Err(Failure {
                    message: format!(
                        "PROCESSING_FAILED: the server could not process {}",
                        uploaded.id
                    ),
                    exit: crate::failure::EXIT_API,
                });
            }
            _ if tokio::time::Instant::now() >= deadline => {
                return Err(Failure {
                    message: format!("TIMEOUT: {} is still processing", uploaded.id),
                    // A wait that runs out is a job-like outcome, as `generate --wait`'s.
                    exit: crate::failure::EXIT_JOB,
                });
            }
            _ => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    };
    if context.json() {
        return print_json(&animation);
    }
    outln!("{}", animation.id);
    errln!(
        "Published {} \"{}\" ({})",
        animation.id,
        animation.title,
        price(animation.price)
    );
    Ok(())
}

/// Runs `search`.
pub(crate) async fn search(context: &Context, args: SearchArgs) -> Result<(), Failure> {
    let query = SearchQuery {
        q: Some(args.query),
        category: args.category,
        min_duration: args.min_duration,
        max_duration: args.max_duration,
        license: args.license,
        free: args.free,
        sort: args.sort,
        order: None,
        page: args.page,
        per_page: args.per_page,
    };
    let page = context.client()?.search().query(query).await?;
    if context.json() {
        return print_json(&SearchResponse {
            results: page.items,
            facets: page.facets.unwrap_or_default(),
            pagination: page.pagination,
        });
    }
    outln!(
        "{:<38} {:>5}  {:<40} {:<16} {:>8}",
        "ID",
        "SCORE",
        "TITLE",
        "CREATOR",
        "PRICE"
    );
    for r in &page.items {
        let a = &r.animation;
        outln!(
            "{:<38} {:>5.2}  {:<40} {:<16} {:>8}",
            a.id,
            r.score,
            fit(&a.title, 40),
            fit(&a.creator.username, 16),
            price(a.price)
        );
    }
    let p = page.pagination;
    outln!(
        "{} result(s); page {} of {}",
        p.total,
        p.page,
        p.pages.max(1)
    );
    Ok(())
}

/// Runs `marketplace ...`.
pub(crate) async fn marketplace(
    context: &Context,
    command: MarketplaceCommand,
) -> Result<(), Failure> {
    match command {
        MarketplaceCommand::Purchase { id, payment_method } => {
            let purchase = context
                .authed()?
                .marketplace()
                .purchase(&id, &payment_method)
                .await?;
            if context.json() {
                return print_json(&purchase);
            }
            outln!(
                "{}  {} {} {}  {}",
                purchase.id,
                purchase.status,
                purchase.amount,
                purchase.currency,
                purchase.receipt_url
            );
            Ok(())
        }
        MarketplaceCommand::Featured => {
            let items = context.client()?.marketplace().featured().await?;
            if context.json() {
                return print_json(&animaforge::FeaturedList { featured: items });
            }
            animation_table(&items);
            Ok(())
        }
        MarketplaceCommand::Trending { timeframe, limit } => {
            let items = context
                .client()?
                .marketplace()
                .trending(TrendingQuery { timeframe, limit })
                .await?;
            if context.json() {
                return print_json(&animaforge::TrendingList { trending: items });
            }
            animation_table(&items);
            Ok(())
        }
        MarketplaceCommand::Purchases { page, per_page } => {
            let page = context
                .authed()?
                .marketplace()
                .purchases(PurchasesQuery { page, per_page })
                .await?;
            if context.json() {
                return print_json(&PurchaseList {
                    purchases: page.items,
                    pagination: page.pagination,
                });
            }
            // Columns as wide as their widest value.
            let items = &page.items;
            let width = |header: &str, values: Vec<String>| {
                values
                    .iter()
                    .map(|v| v.chars().count())
                    .chain([header.chars().count()])
                    .max()
                    .unwrap_or_default()
            };
            let id = width("PURCHASE", items.iter().map(|p| p.id.clone()).collect());
            let anim = width(
                "ANIMATION",
                items.iter().map(|p| p.animation.id.clone()).collect(),
            );
            let amount = width(
                "AMOUNT",
                items.iter().map(|p| p.amount.to_string()).collect(),
            );
            outln!(
                "{:<id$}  {:<anim$}  {:>amount$}  STATUS",
                "PURCHASE",
                "ANIMATION",
                "AMOUNT"
            );
            for p in items {
                outln!(
                    "{:<id$}  {:<anim$}  {:>amount$}  {}",
                    p.id,
                    p.animation.id,
                    p.amount.to_string(),
                    p.status
                );
            }
            Ok(())
        }
    }
}

/// Runs `health`.
pub(crate) async fn templates(context: &Context) -> Result<(), Failure> {
    let templates = context.client()?.templates().list().await?;
    if context.json() {
        return print_json(&templates);
    }
    for template in &templates {
        outln!(
            "{}  {}: {}",
            template.id,
            template.name,
            template.description
        );
        for p in &template.parameters {
            let mut line = format!(
                "    --param {}=<{}>{}  {}",
                p.name,
                p.kind,
                if p.required { "" } else { " (optional)" },
                p.description.trim_end_matches('.')
            );
            if let Some(choices) = &p.choices {
                line.push_str(&format!("; one of {}", choices.join(", ")));
            }
            if let Some(default) = &p.default {
                line.push_str(&format!("; default {default}"));
            }
            outln!("{line}");
        }
    }
    Ok(())
}

pub(crate) async fn health(context: &Context) -> Result<(), Failure> {
    let health = context.client()?.system().health().await?;
    if context.json() {
        return print_json(&health);
    }
    let detail = |c: &animaforge::ComponentHealth| {
        format!(
            "{}{}",
            c.status,
            c.detail
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        )
    };
    outln!("status    {} (version {})", health.status, health.version);
    outln!("database  {}", detail(&health.database));
    outln!("storage   {}", detail(&health.storage));
    outln!("renderer  {}", detail(&health.renderer));
    Ok(())
}
