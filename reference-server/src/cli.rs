//! The subcommands: `serve`, `worker`, `migrate`, `set-tier`, `feature`, `unfeature`.

use std::process::ExitCode;

use clap::Parser;

use crate::config::{Cli, Command, Config};
use crate::store::Store;

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::server::init_logging(cli.config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            tracing::error!(error = %err, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "failed");
            ExitCode::FAILURE
        }
    }
}

/// Runs one subcommand.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => crate::server::serve(cli.config).await,
        Command::Worker => crate::jobs::run_worker_process(cli.config).await,
        Command::Migrate => {
            let store = open_store(&cli.config).await?;
            tracing::info!(engine = store.engine().as_str(), "migrations applied");
            Ok(())
        }
        Command::SetTier { user, tier } => {
            let store = open_store(&cli.config).await?;
            let Some(row) = store.user_by_handle(&user).await? else {
                anyhow::bail!("no account with username or email {user:?}");
            };
            store.set_tier(&row.id, tier.as_str()).await?;
            tracing::info!(user_id = %row.id, tier = tier.as_str(), "tier set");
            Ok(())
        }
        Command::Feature { animation_id } => {
            let store = open_store(&cli.config).await?;
            set_featured(&store, &animation_id, true).await
        }
        Command::Unfeature { animation_id } => {
            let store = open_store(&cli.config).await?;
            set_featured(&store, &animation_id, false).await
        }
    }
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&config.data_dir)?;
    Store::connect(&config.database_url(), 2).await
}

/// Marks an animation featured (listed first on `/marketplace/featured`) or not.
async fn set_featured(store: &Store, animation_id: &str, featured: bool) -> anyhow::Result<()> {
    let changed = crate::store::marketplace::set_featured(store, animation_id, featured).await?;
    match (featured, changed) {
        (true, false) => anyhow::bail!("no animation with id {animation_id:?}"),
        (false, false) => tracing::info!(animation_id, "was not featured"),
        (true, true) => tracing::info!(animation_id, "featured"),
        (false, true) => tracing::info!(animation_id, "unfeatured"),
    }
    Ok(())
}
