//! `genesys-export-cli`: the same exports as the desktop app, headless, for
//! servers and schedulers. It never opens a window and never touches Tauri:
//! it only uses `genesys_core` (the engine, profiles and keychain shared with
//! the app). `--help` documents the subcommands, exit codes and environment.
use std::process::ExitCode;

use clap::Parser;
/// Text that may come from the server (messages, names), without terminal control characters.
use genesys_core::terminal::sanitize_for_terminal as safe;
use genesys_core::Result;

mod args;
mod dates;
mod exit;
mod export;
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
    match cli.command {
        Command::Regions => {
            regions();
            Ok(())
        }
        Command::Export(args) => {
            let job = export::prepare(&args, cli.config_dir.as_deref())?;
            let config_dir = manage::config_dir(cli.config_dir.as_deref())?;
            let data_dir = manage::data_dir(cli.data_dir.as_deref())?;
            // History and resume checkpoints, shared with the app.
            let (ctx, notices) = tokio::task::block_in_place(|| {
                genesys_core::jobs::Context::open(
                    config_dir,
                    data_dir,
                    std::sync::Arc::new(genesys_core::secrets::KeyringStore::new()),
                )
            });
            for n in notices {
                eprintln!("note: {}", safe(&n));
            }
            let summary = run::run(ctx, job).await?;
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
        Command::Profiles(cmd) => {
            let dir = manage::config_dir(cli.config_dir.as_deref())?;
            tokio::task::block_in_place(|| manage::profiles(&dir, cmd))
        }
        Command::Connections(ConnectionsCommand::Test { name }) => {
            let dir = manage::config_dir(cli.config_dir.as_deref())?;
            manage::test_connection(&dir, &name).await
        }
        Command::Schedule(cmd) => {
            let config_dir = manage::config_dir(cli.config_dir.as_deref())?;
            let data_dir = manage::data_dir(cli.data_dir.as_deref())?;
            tokio::task::block_in_place(|| schedule::command(&config_dir, &data_dir, cmd))
        }
        Command::RunScheduled(args) => {
            let config_dir = manage::config_dir(cli.config_dir.as_deref())?;
            let data_dir = manage::data_dir(cli.data_dir.as_deref())?;
            schedule::run_scheduled(config_dir, data_dir, args).await
        }
        Command::Connections(cmd) => {
            let dir = manage::config_dir(cli.config_dir.as_deref())?;
            // The keychain calls block (D-Bus round trips).
            tokio::task::block_in_place(|| manage::connections(&dir, cmd))
        }
    }
}

/// `regions`: one line per region, aligned, for people and for `grep`.
fn regions() {
    let all = genesys_core::genesys::regions();
    println!("{:<16} {:<16} {:<26} NAME", "KEY", "AWS REGION", "DOMAIN");
    for r in all {
        println!(
            "{:<16} {:<16} {:<26} {}",
            r.key, r.aws_region, r.domain, r.name
        );
    }
}
