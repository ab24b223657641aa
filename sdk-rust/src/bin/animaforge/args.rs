//! The command line: every subcommand and flag.

use std::path::PathBuf;

use animaforge::{
    AnimationSort, Backend, Category, License, Quality, Resolution, SearchSort, SortOrder,
    Timeframe,
};
use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    the API answered with an error (the line names its code and request id)
  2    usage error (unknown command, bad flag or value)
  3    local problem: configuration, missing API key, file I/O
  4    the server could not be reached, or a call timed out
  5    the job failed, was cancelled, or waiting for it timed out
  130  interrupted (Ctrl-C)
  141  standard output was closed early (`animaforge ... | head -1`); nothing is printed

Configuration: flags > ANIMAFORGE_API_KEY / ANIMAFORGE_BASE_URL > the config file
(`animaforge config path`; ANIMAFORGE_CONFIG_DIR moves it) > http://localhost:8080/v1.";

/// The AnimaForge command-line tool: accounts, generation, the catalogue, search and
/// the marketplace.
#[derive(Debug, Parser)]
#[command(name = "animaforge", version, about, after_long_help = EXIT_CODES, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    /// Flags every command takes.
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// API base URL, `/v1` included (default: environment, config, then
    /// http://localhost:8080/v1).
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// API key (default: ANIMAFORGE_API_KEY, then the stored key).
    #[arg(long, global = true, value_name = "KEY", hide_env_values = true)]
    pub(crate) api_key: Option<String>,
    /// Print the API's data as JSON on stdout, for scripts.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Log each request (method, path, attempt, status, request id) to stderr; secrets
    /// are never logged.
    #[arg(long, short, global = true)]
    pub(crate) verbose: bool,
    /// Total time allowed for each API call, in seconds.
    #[arg(long, global = true, value_name = "SECS", value_parser = at_least_one::<u64>)]
    pub(crate) timeout: Option<u64>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create an account, sign in and out.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Read and change the stored settings.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Generate an animation from a prompt.
    Generate(GenerateArgs),
    /// Follow, wait for and cancel generation jobs.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// The animation catalogue.
    #[command(subcommand)]
    Animations(AnimationsCommand),
    /// Search animations.
    Search(SearchArgs),
    /// Featured and trending animations, purchases.
    #[command(subcommand)]
    Marketplace(MarketplaceCommand),
    /// The scene templates `generate --template` takes, with their parameters.
    Templates,
    /// The server's health (database, storage, renderer).
    Health,
}

/// `auth ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// Create an account (prompts for what is not given).
    Register(RegisterArgs),
    /// Sign in, create an API key for this machine and store it.
    Login(LoginArgs),
    /// Revoke the stored API key on the server and forget it.
    Logout,
    /// Show the account the stored key belongs to.
    Whoami,
}

/// `auth register`.
#[derive(Debug, Args)]
pub(crate) struct RegisterArgs {
    /// Username (3 to 32 letters, digits, `_` or `-`, starting with a letter).
    #[arg(long)]
    pub(crate) username: Option<String>,
    /// Email address.
    #[arg(long)]
    pub(crate) email: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub(crate) password_stdin: bool,
}

/// `auth login`.
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// Email address.
    #[arg(long)]
    pub(crate) email: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub(crate) password_stdin: bool,
    /// Name of the API key to create (default: `animaforge-cli@<host>`).
    #[arg(long)]
    pub(crate) key_name: Option<String>,
}

/// `config ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print one setting (`api_key`, `base_url`, `output`, `email`).
    Get {
        /// The setting.
        key: String,
    },
    /// Change one setting (`api_key`, `base_url`, `output`).
    Set {
        /// The setting.
        key: String,
        /// Its new value.
        value: String,
    },
    /// Remove one setting.
    Unset {
        /// The setting.
        key: String,
    },
    /// Print every setting (the API key masked).
    List,
    /// Print the path of the config file.
    Path,
}

/// `generate ...`.
#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// What to animate.
    pub(crate) prompt: String,
    /// Quality preset.
    #[arg(long, value_parser = one_of::<Quality>(Quality::ALL.iter().map(|v| v.as_str())))]
    pub(crate) quality: Option<Quality>,
    /// Length in seconds (1 to 60).
    #[arg(long, value_name = "SECS")]
    pub(crate) duration: Option<f64>,
    /// Frames per second (1 to 60).
    #[arg(long)]
    pub(crate) fps: Option<u32>,
    /// Resolution preset.
    #[arg(long, value_parser = one_of::<Resolution>(Resolution::ALL.iter().map(|v| v.as_str())))]
    pub(crate) resolution: Option<Resolution>,
    /// Background colour, `#rrggbb`.
    #[arg(long, value_name = "COLOUR")]
    pub(crate) background: Option<String>,
    /// What writes the scene.
    #[arg(long, value_parser = one_of::<Backend>(Backend::ALL.iter().map(|v| v.as_str())))]
    pub(crate) backend: Option<Backend>,
    /// A template id (`animaforge templates` lists them).
    #[arg(long, value_name = "ID")]
    pub(crate) template: Option<String>,
    /// A template parameter, `name=value` (value read as JSON when it parses).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub(crate) params: Vec<String>,
    /// Wait for the job with a progress bar and its log lines.
    #[arg(long)]
    pub(crate) wait: bool,
    /// Wait, then download the MP4 here (and its thumbnail beside it as `.jpg`, or as
    /// `.thumbnail.jpg` when this path ends in `.jpg`).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Wait, then download the thumbnail here.
    #[arg(long, value_name = "FILE")]
    pub(crate) thumbnail: Option<PathBuf>,
    /// Waiting options.
    #[command(flatten)]
    pub(crate) waiting: WaitArgs,
}

/// How to wait for a job.
#[derive(Debug, Args, Clone)]
pub(crate) struct WaitArgs {
    /// Give up waiting after this many seconds (the job keeps running).
    #[arg(long, value_name = "SECS", default_value_t = 600, value_parser = at_least_one::<u64>)]
    pub(crate) wait_timeout: u64,
    /// On Ctrl-C stop waiting but leave the job running (default: cancel it).
    #[arg(long)]
    pub(crate) detach_on_interrupt: bool,
}

/// `jobs ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum JobsCommand {
    /// A job's status, progress and last log lines.
    Status {
        /// `job_...`.
        id: String,
    },
    /// Cancel a job.
    Cancel {
        /// `job_...`.
        id: String,
    },
    /// Wait for a job with a progress bar; optionally download the result.
    Wait {
        /// `job_...`.
        id: String,
        /// Download the MP4 here (and its thumbnail beside it as `.jpg`, or as
        /// `.thumbnail.jpg` when this path ends in `.jpg`).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Download the thumbnail here.
        #[arg(long, value_name = "FILE")]
        thumbnail: Option<PathBuf>,
        /// Waiting options.
        #[command(flatten)]
        waiting: WaitArgs,
    },
}

/// `animations ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum AnimationsCommand {
    /// List the catalogue.
    List(ListArgs),
    /// Everything about one animation.
    Get {
        /// `anim_...`.
        id: String,
    },
    /// Download an animation's video.
    Download {
        /// `anim_...`.
        id: String,
        /// Where to write the MP4.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also download the thumbnail here.
        #[arg(long, value_name = "FILE")]
        thumbnail: Option<PathBuf>,
    },
    /// Upload a video with its metadata (publishes it to the marketplace).
    Upload(UploadArgs),
    /// Delete an animation.
    Delete {
        /// `anim_...`.
        id: String,
    },
    /// The Manim source of a generated animation.
    Source {
        /// `anim_...`.
        id: String,
    },
}

/// `animations list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Page number, from 1.
    #[arg(long, value_parser = at_least_one::<u32>)]
    pub(crate) page: Option<u32>,
    /// Items per page (1 to 100).
    #[arg(long, value_parser = per_page)]
    pub(crate) per_page: Option<u32>,
    /// Sort key.
    #[arg(long, value_parser = one_of::<AnimationSort>(AnimationSort::ALL.iter().map(|v| v.as_str())))]
    pub(crate) sort: Option<AnimationSort>,
    /// Sort order.
    #[arg(long, value_parser = one_of::<SortOrder>(SortOrder::ALL.iter().map(|v| v.as_str())))]
    pub(crate) order: Option<SortOrder>,
    /// Only this category.
    #[arg(long, value_parser = one_of::<Category>(Category::ALL.iter().map(|v| v.as_str())))]
    pub(crate) category: Option<Category>,
    /// Only this licence.
    #[arg(long, value_parser = one_of::<License>(License::ALL.iter().map(|v| v.as_str())))]
    pub(crate) license: Option<License>,
    /// Only free (`true`) or only priced (`false`) animations.
    #[arg(long)]
    pub(crate) free: Option<bool>,
    /// Only animations whose title, description or tags contain these words.
    #[arg(long)]
    pub(crate) search: Option<String>,
    /// Every page, not just one.
    #[arg(long)]
    pub(crate) all: bool,
}

/// `animations upload`.
#[derive(Debug, Args)]
pub(crate) struct UploadArgs {
    /// The video file.
    pub(crate) file: PathBuf,
    /// Title (1 to 200 characters).
    #[arg(long)]
    pub(crate) title: String,
    /// Description.
    #[arg(long)]
    pub(crate) description: Option<String>,
    /// Comma-separated tags.
    #[arg(long, value_delimiter = ',')]
    pub(crate) tags: Vec<String>,
    /// Licence.
    #[arg(long, value_parser = one_of::<License>(License::ALL.iter().map(|v| v.as_str())))]
    pub(crate) license: Option<License>,
    /// Price, for example `4.99` (default free).
    #[arg(long, value_parser = money_parser)]
    pub(crate) price: Option<animaforge::Money>,
    /// Category.
    #[arg(long, value_parser = one_of::<Category>(Category::ALL.iter().map(|v| v.as_str())))]
    pub(crate) category: Option<Category>,
    /// Wait until the server has processed the upload (thumbnail, metadata) and
    /// listed it.
    #[arg(long)]
    pub(crate) wait: bool,
}

/// `search ...`.
#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// What to look for.
    pub(crate) query: String,
    /// Only this category.
    #[arg(long, value_parser = one_of::<Category>(Category::ALL.iter().map(|v| v.as_str())))]
    pub(crate) category: Option<Category>,
    /// Only this licence.
    #[arg(long, value_parser = one_of::<License>(License::ALL.iter().map(|v| v.as_str())))]
    pub(crate) license: Option<License>,
    /// Only free (`true`) or only priced (`false`) animations.
    #[arg(long)]
    pub(crate) free: Option<bool>,
    /// Shortest length in seconds.
    #[arg(long, value_name = "SECS")]
    pub(crate) min_duration: Option<f64>,
    /// Longest length in seconds.
    #[arg(long, value_name = "SECS")]
    pub(crate) max_duration: Option<f64>,
    /// Sort key (default relevance).
    #[arg(long, value_parser = one_of::<SearchSort>(SearchSort::ALL.iter().map(|v| v.as_str())))]
    pub(crate) sort: Option<SearchSort>,
    /// Page number, from 1.
    #[arg(long, value_parser = at_least_one::<u32>)]
    pub(crate) page: Option<u32>,
    /// Results per page (1 to 100).
    #[arg(long, value_parser = per_page)]
    pub(crate) per_page: Option<u32>,
}

/// `marketplace ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum MarketplaceCommand {
    /// Buy an animation.
    Purchase {
        /// `anim_...`.
        id: String,
        /// The payment method, for example `card_visa`.
        #[arg(long, value_name = "METHOD")]
        payment_method: String,
    },
    /// Featured animations.
    Featured,
    /// Trending animations.
    Trending {
        /// `day`, `week`, `month` or `all`.
        #[arg(long, value_parser = one_of::<Timeframe>(Timeframe::ALL.iter().map(|v| v.as_str())))]
        timeframe: Option<Timeframe>,
        /// How many (1 to 50).
        #[arg(long, value_parser = trending_limit)]
        limit: Option<u32>,
    },
    /// Your purchases.
    Purchases {
        /// Page number, from 1.
        #[arg(long, value_parser = at_least_one::<u32>)]
        page: Option<u32>,
        /// Items per page (1 to 100).
        #[arg(long, value_parser = per_page)]
        per_page: Option<u32>,
    },
}

/// Parses a wire enum by its wire name, listing the allowed values on error.
/// One of an API enum's wire values; `--help` lists them.
fn one_of<T>(
    values: impl IntoIterator<Item = &'static str>,
) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: std::str::FromStr<Err = animaforge::UnknownValue> + Clone + Send + Sync + 'static,
{
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(values)
        .try_map(|text| text.parse::<T>().map_err(|e| e.to_string()))
}

fn money_parser(text: &str) -> Result<animaforge::Money, String> {
    animaforge::Money::parse(text).map_err(|e| e.to_string())
}

/// A whole number, 1 or more (pages, seconds).
fn at_least_one<T>(text: &str) -> Result<T, String>
where
    T: std::str::FromStr + TryFrom<u8> + PartialOrd,
{
    let value: T = text
        .parse()
        .map_err(|_| "must be a whole number, 1 or more".to_owned())?;
    match T::try_from(1) {
        Ok(one) if value >= one => Ok(value),
        _ => Err("must be 1 or more".to_owned()),
    }
}

/// Items per page, 1 to 100.
fn per_page(text: &str) -> Result<u32, String> {
    whole_number_in(text, 1, 100)
}

/// Trending animations, 1 to 50.
fn trending_limit(text: &str) -> Result<u32, String> {
    whole_number_in(text, 1, 50)
}

fn whole_number_in(text: &str, min: u32, max: u32) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from {min} to {max}")),
    }
}
