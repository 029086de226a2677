//! `genesys-export-cli`: the same exports as the desktop app, headless, for
//! servers and schedulers. It never opens a window and never touches Tauri:
//! every subcommand calls the app's operations (`genesys_ops`) with a
//! [`host::TerminalHost`] (the same engine, profiles and keychain as the
//! app). `--help` documents the subcommands, exit codes and environment.
use std::process::ExitCode;

use clap::Parser;
use genesys_core::genesys::RetryPolicy;
/// Text that may come from the server (messages, names), without terminal control characters.
use genesys_core::terminal::sanitize_for_terminal as safe;
use genesys_core::Result;
use genesys_ops::{Ops, OpsConfig};

mod args;
mod dates;
mod exit;
mod export;
mod host;
mod manage;
mod progress;
mod run;
mod schedule;

use args::{Cli, Command, ConnectionsCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("genesys-export-cli: cannot start: {e}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("genesys-export-cli: {}", safe(&e.message));
            ExitCode::from(exit::code_for(e.kind))
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let (config_flag, data_flag) = (cli.config_dir.as_deref(), cli.data_dir.as_deref());
    let ops_with = |retry: Option<RetryPolicy>| -> Result<Ops> {
        let config_dir = manage::config_dir(config_flag)?;
        let data_dir = manage::data_dir(data_flag)?;
        Ok(open_ops(config_dir, data_dir, retry))
    };
    let ops = || ops_with(None);
    match cli.command {
        Command::Regions => {
            regions();
            Ok(())
        }
        Command::Export(args) => {
            let ops = ops_with(Some(export::retry_policy(&args)))?;
            let job = export::prepare(&args, &ops)?;
            let summary = run::run(&ops, job).await?;
            for w in &summary.warnings {
                eprintln!("note: {}", safe(w));
            }
            println!(
                "Exported {} conversations ({} rows) to {} ({} bytes).",
                summary.conversations,
                summary.rows,
                safe(&summary.path),
                summary.bytes
            );
            Ok(())
        }
        Command::Profiles(cmd) => manage::profiles(&ops()?, cmd).await,
        Command::Connections(ConnectionsCommand::Test { name }) => {
            manage::test_connection(&ops()?, &name).await
        }
        Command::Connections(cmd) => manage::connections(&ops()?, cmd).await,
        Command::Schedule(cmd) => schedule::command(&ops()?, cmd).await,
        Command::RunScheduled(args) => schedule::run_scheduled(&ops()?, args).await,
    }
}

/// The operations' state on these folders (shared with the desktop app),
/// with its start-up notices on stderr.
fn open_ops(
    config_dir: std::path::PathBuf,
    data_dir: std::path::PathBuf,
    retry: Option<RetryPolicy>,
) -> Ops {
    let secrets = std::sync::Arc::new(genesys_core::secrets::KeyringStore::new());
    let config = OpsConfig {
        retry,
        ..OpsConfig::new(config_dir, data_dir, secrets)
    };
    let ops = tokio::task::block_in_place(|| Ops::open(config));
    for n in ops.notices() {
        eprintln!("note: {}", safe(&n));
    }
    ops
}

/// `regions`: one line per region, aligned, for people and for `grep`.
fn regions() {
    let all = genesys_ops::list_regions();
    println!("{:<16} {:<16} {:<26} NAME", "KEY", "AWS REGION", "DOMAIN");
    for r in all {
        println!(
            "{:<16} {:<16} {:<26} {}",
            r.key, r.aws_region, r.domain, r.name
        );
    }
}
