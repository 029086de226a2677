//! The command line, as clap sees it. `--help` is generated from the doc
//! comments here, so they are written for the IT staff who read it.
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use genesys_core::export::{Format, Grain};
use genesys_core::genesys::Strategy;

/// Export Genesys Cloud conversation details to CSV, Excel or JSON lines,
/// headless (no window, no display needed): the same engine, connections and
/// profiles as the Genesys Export desktop app.
#[derive(Debug, Parser)]
#[command(
    name = "genesys-export-cli",
    version,
    after_help = "Run `genesys-export-cli help export` for the export flags; see --help for exit codes.",
    after_long_help = help_tail()
)]
pub struct Cli {
    /// Folder with saved connections and profiles (default: the desktop app's).
    #[arg(
        long,
        global = true,
        env = "GENESYS_EXPORT_CONFIG_DIR",
        value_name = "DIR"
    )]
    pub config_dir: Option<PathBuf>,

    /// Folder with the export history and resume checkpoints (default: the desktop app's).
    #[arg(
        long,
        global = true,
        env = "GENESYS_EXPORT_DATA_DIR",
        value_name = "DIR"
    )]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The end of `--help`: exit codes, environment variables, examples.
pub fn help_tail() -> String {
    format!("{}\n\n{ENV_HELP}\n\n{EXAMPLES}", crate::exit::HELP)
}

const ENV_HELP: &str = "\
ENVIRONMENT:
    GENESYS_CLIENT_SECRET      the OAuth client secret for ad-hoc exports (--environment/--client-id),
                               or, with --connection NAME, for that saved connection on a server without
                               a keychain. It is never used for a profile whose connection is not named.
                               The secret is never accepted as a flag (flags show up in `ps` and in shell history).
    GENESYS_EXPORT_CONFIG_DIR  the folder with saved connections and profiles (same as --config-dir);
                               default: the desktop app's, e.g. ~/.config/com.genesysexport.desktop
    GENESYS_EXPORT_DATA_DIR    the folder with the export history and resume checkpoints (same as --data-dir);
                               default: the desktop app's, e.g. ~/.local/share/com.genesysexport.desktop";

const EXAMPLES: &str = "\
EXAMPLES:
    # A saved profile for one day (format, columns, filters and folder come from the profile):
    genesys-export-cli export --profile \"Sales voice\" --from 2026-03-01 --to 2026-03-01

    # Ad hoc, e.g. a nightly job on a server (the secret comes from the environment):
    GENESYS_CLIENT_SECRET=... genesys-export-cli export --environment mypurecloud.ie \\
        --client-id 0123abcd-... --from 2026-03-01 --to 2026-03-31 --time-zone Europe/Dublin \\
        --queue Sales --queue Support --media-type voice --format csv --output march.csv

    # Continue an export that was interrupted (crash, power loss, kill): the same command plus --resume.
    # It carries on from its last checkpoint; with nothing to resume it says so and starts afresh:
    genesys-export-cli export --profile \"Sales voice\" --from 2026-03-01 --to 2026-03-31 --output march.xlsx --resume

    # Every Monday at 07:00 into a (OneDrive-synced) folder, also while the app is closed
    # (a systemd user timer, a Task Scheduler task or a launchd agent runs `run-scheduled`):
    genesys-export-cli schedule add --profile \"Sales voice\" --every week:mon --at 07:00 --folder ~/OneDrive/Reports

    # Save a connection; its secret is read from stdin and kept in the OS keychain:
    genesys-export-cli connections add --name Prod --environment eu-west-1 --client-id 0123abcd-... < secret.txt";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Export conversations to a file (from a saved profile, or ad hoc with flags).
    Export(Box<ExportArgs>),
    /// Saved query profiles: list, import from a file, export to a file (never with secrets).
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// Saved connections (region + client id; the secret lives in the OS keychain).
    #[command(subcommand)]
    Connections(ConnectionsCommand),
    /// List the Genesys Cloud regions (key, AWS region, domain, name).
    Regions,
    /// Scheduled exports: add, list, remove. Each is registered with this computer's
    /// scheduler (systemd user timer, Task Scheduler, launchd) and runs while the app is closed.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Run a saved schedule now: what the system scheduler runs. Writes the profile's file
    /// into the schedule's folder and records the run (history and `schedule list`).
    RunScheduled(RunScheduledArgs),
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Schedule a saved profile, e.g. `schedule add --profile "Sales voice" --every week:mon --at 07:00 --folder ~/OneDrive/Reports`.
    Add {
        /// The profile's name.
        #[arg(long, value_name = "NAME")]
        profile: String,
        /// day, weekdays, week:mon … week:sun, or month:1 … month:31
        /// (month:31 = the last day of every month; a shorter month runs on its last day).
        #[arg(long, value_name = "WHEN")]
        every: String,
        /// Time of day, 24-hour HH:MM, in --time-zone.
        #[arg(long, value_name = "HH:MM")]
        at: String,
        /// The folder the file is written to (any local folder, also a OneDrive, SharePoint or Dropbox one).
        #[arg(long, value_name = "DIR")]
        folder: PathBuf,
        /// IANA time zone of --at (default: this computer's). Windows and macOS schedulers
        /// only know this computer's clock.
        #[arg(long, value_name = "ZONE")]
        time_zone: Option<String>,
    },
    /// List the schedules with their next run and last run.
    List,
    /// Remove a schedule and its entry in the system scheduler.
    Remove {
        /// The schedule's id (or its first characters, as `schedule list` shows).
        id: String,
    },
}

/// `run-scheduled`.
#[derive(Debug, Args)]
#[command(after_long_help = help_tail())]
pub struct RunScheduledArgs {
    /// The schedule's id.
    #[arg(long, value_name = "ID")]
    pub schedule: String,
    /// Do nothing (exit 0) unless a scheduled time has passed since the last run
    /// (used by launchd entries, which cannot say "the last day of February").
    #[arg(long)]
    pub if_due: bool,
    /// No progress output, only errors and the final summary line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// List the saved query profiles.
    List,
    /// Add the profiles from a file shared by a colleague.
    Import {
        /// A profiles file written by `profiles export` or the app.
        file: PathBuf,
    },
    /// Write one profile to a file to share it (no secrets are written).
    Export {
        /// The profile's name.
        name: String,
        /// Where to write it.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConnectionsCommand {
    /// List the saved connections.
    List,
    /// Save a connection; the client secret is read from stdin and stored in the OS keychain.
    Add {
        /// A name for the connection, e.g. "Production".
        #[arg(long)]
        name: String,
        /// Region domain (mypurecloud.ie), key (eu-west-1) or base URL (https://...).
        #[arg(long)]
        environment: String,
        /// The OAuth client id (client credentials grant).
        #[arg(long)]
        client_id: String,
    },
    /// Change a saved connection. A new region/address or client id needs the
    /// client secret again (--new-secret): a saved secret is never sent to another address.
    Edit {
        /// The connection's name.
        name: String,
        /// A new name.
        #[arg(long, value_name = "NAME")]
        rename: Option<String>,
        /// A new region domain, key or base URL.
        #[arg(long)]
        environment: Option<String>,
        /// A new OAuth client id.
        #[arg(long)]
        client_id: Option<String>,
        /// Read a new client secret from stdin (first line) and replace the saved one.
        #[arg(long)]
        new_secret: bool,
    },
    /// Log in with a saved connection and check it may read conversation details.
    Test {
        /// The connection's name.
        name: String,
    },
    /// Delete a saved connection and its keychain entry.
    Remove {
        /// The connection's name.
        name: String,
    },
}

/// Row grain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GrainArg {
    Conversation,
    Participant,
    Session,
    Segment,
}

impl From<GrainArg> for Grain {
    fn from(g: GrainArg) -> Self {
        match g {
            GrainArg::Conversation => Grain::Conversation,
            GrainArg::Participant => Grain::Participant,
            GrainArg::Session => Grain::Session,
            GrainArg::Segment => Grain::Segment,
        }
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Csv,
    Xlsx,
    Jsonl,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Csv => Format::Csv,
            FormatArg::Xlsx => Format::Xlsx,
            FormatArg::Jsonl => Format::Jsonl,
        }
    }
}

/// Fetch strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    Auto,
    Sync,
    Async,
}

impl From<StrategyArg> for Strategy {
    fn from(s: StrategyArg) -> Self {
        match s {
            StrategyArg::Auto => Strategy::Auto,
            StrategyArg::Sync => Strategy::Sync,
            StrategyArg::Async => Strategy::Async,
        }
    }
}

/// `export`: a saved profile (`--profile`) or an ad-hoc query. With a
/// profile, the other flags override what the profile says.
#[derive(Debug, Args)]
#[command(after_long_help = help_tail())]
pub struct ExportArgs {
    /// A saved query profile (name). Its connection's secret comes from the keychain.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Use GENESYS_CLIENT_SECRET as the secret of this saved connection (the profile's; for
    /// servers without a keychain). Without it, a profile's secret always comes from the keychain.
    #[arg(long, value_name = "NAME", requires = "profile")]
    pub connection: Option<String>,

    /// Region domain (mypurecloud.ie), key (eu-west-1) or base URL (http://127.0.0.1:PORT for the emulator).
    #[arg(long, value_name = "REGION", conflicts_with = "profile")]
    pub environment: Option<String>,

    /// OAuth client id; the secret comes from GENESYS_CLIENT_SECRET.
    #[arg(long, value_name = "ID", conflicts_with = "profile")]
    pub client_id: Option<String>,

    /// Start: a date (whole local day) or a date-time (2026-03-01T08:00, or with an offset).
    #[arg(long, value_name = "WHEN")]
    pub from: Option<String>,

    /// End: a date is inclusive (the whole day); a date-time is exclusive.
    #[arg(long, value_name = "WHEN")]
    pub to: Option<String>,

    /// IANA time zone for dates and the times in the file (default: the profile's, else this computer's).
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,

    /// Only these queues (name or id); repeat the flag for several.
    #[arg(long, value_name = "QUEUE")]
    pub queue: Vec<String>,

    /// Only these media types (voice, chat, email, message, callback); repeat or comma-separate.
    #[arg(long, value_name = "TYPE", value_delimiter = ',')]
    pub media_type: Vec<String>,

    /// Only conversations that began this way (inbound, outbound; the Direction column); repeat or comma-separate.
    #[arg(long, value_name = "DIR", value_delimiter = ',')]
    pub direction: Vec<String>,

    /// One row per conversation (default), participant, session or segment.
    #[arg(long, value_enum)]
    pub grain: Option<GrainArg>,

    /// Columns in order, comma-separated column ids (default: the grain's default columns).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub columns: Vec<String>,

    /// File format (default: from --output's extension, else the profile's, else xlsx).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// Sync details query, async details jobs, or let the engine choose (default): auto pages the
    /// sync query for ranges under 3 days and for small pulls (up to about 20,000 conversations,
    /// estimated with one small query per 7 days), and uses async jobs for bigger ones.
    #[arg(long, value_enum)]
    pub strategy: Option<StrategyArg>,

    /// The file to write (default: the profile's folder and file name, else a name in the current folder).
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub replace: bool,

    /// Continue the newest interrupted export (crash, power loss, kill -9) of the same query
    /// (profile or ad-hoc flags, same dates) into the same --output, from its last checkpoint:
    /// rows already written are kept, only the rest is fetched. With nothing to resume, says so
    /// on stderr and runs the export from the beginning. Ctrl-C and errors leave nothing to resume.
    #[arg(long)]
    pub resume: bool,

    /// Retries per request on 429, 502/503/504, timeouts and resets before giving up (exit code 4).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub max_retries: usize,

    /// The longest wait Genesys may ask for on a 429 (Retry-After) before giving up (exit code 4).
    #[arg(long, value_name = "SECONDS", default_value_t = 180)]
    pub max_retry_after: u64,

    /// No progress output, only errors and the final summary line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}
