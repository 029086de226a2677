//! Each documented exit code of `genesys-export-cli`, from the real binary.
use std::path::Path;
use std::process::Output;

use test_support::cli::{cli_command, stderr_text as stderr};

const CLI: &str = env!("CARGO_BIN_EXE_genesys-export-cli");

fn cli(args: &[&str], secret: Option<&str>, config: &Path) -> Output {
    let mut cmd = cli_command(CLI, config, &config.join("data"));
    cmd.args(args);
    if let Some(s) = secret {
        cmd.env("GENESYS_CLIENT_SECRET", s);
    }
    cmd.output().expect("run genesys-export-cli")
}

#[test]
fn exit_2_bad_input_with_a_plain_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let out = out.to_str().unwrap();
    let base = [
        "export",
        "--environment",
        "http://127.0.0.1:9",
        "--client-id",
        "id",
        "--output",
        out,
    ];
    let cases: &[(&[&str], Option<&str>, &str)] = &[
        (
            &["--from", "2026-02-10", "--to", "2026-02-01"],
            Some("s"),
            "must be after --from",
        ),
        (
            &["--from", "last tuesday", "--to", "2026-02-01"],
            Some("s"),
            "is not a date",
        ),
        (
            &[
                "--from",
                "2026-02-01",
                "--to",
                "2026-02-02",
                "--time-zone",
                "Mars/Base",
            ],
            Some("s"),
            "is not a time zone",
        ),
        (
            &[
                "--from",
                "2026-02-01",
                "--to",
                "2026-02-02",
                "--media-type",
                "fax",
            ],
            Some("s"),
            "--media-type \"fax\" is not known",
        ),
        (
            &["--from", "2026-02-01", "--to", "2026-02-02"],
            None,
            "GENESYS_CLIENT_SECRET",
        ),
    ];
    for (extra, secret, expected) in cases {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let o = cli(&args, *secret, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(expected),
            "{args:?}: expected {expected:?} in {}",
            stderr(&o)
        );
    }
    // Not a region, and plain http to a remote host.
    for env in ["mars-east-1", "http://example.com"] {
        let o = cli(
            &[
                "export",
                "--environment",
                env,
                "--client-id",
                "id",
                "--from",
                "2026-02-01",
                "--to",
                "2026-02-02",
            ],
            Some("s"),
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{env}: {}", stderr(&o));
        assert!(stderr(&o).contains(env), "{}", stderr(&o));
    }
    // A usage error (clap) is bad input too, and nothing was written.
    let o = cli(&["export", "--format", "pdf"], Some("s"), dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!Path::new(out).exists());
}

#[test]
fn exit_5_when_the_output_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no such folder").join("x.csv");
    let existing = dir.path().join("already.csv");
    std::fs::write(&existing, "keep me").unwrap();
    for (path, expected) in [
        (missing.to_str().unwrap(), "does not exist"),
        (existing.to_str().unwrap(), "--replace"),
    ] {
        let o = cli(
            &[
                "export",
                "--environment",
                "http://127.0.0.1:9",
                "--client-id",
                "id",
                "--from",
                "2026-02-01",
                "--to",
                "2026-02-02",
                "--output",
                path,
            ],
            Some("s"),
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(5), "{path}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
}

#[test]
fn help_documents_exit_codes_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["--help"][..], &["export", "--help"][..]] {
        let o = cli(args, None, dir.path());
        assert_eq!(o.status.code(), Some(0));
        let text = String::from_utf8_lossy(&o.stdout);
        for needle in [
            "EXIT CODES",
            "130",
            "GENESYS_CLIENT_SECRET",
            "GENESYS_EXPORT_CONFIG_DIR",
            "GENESYS_EXPORT_DATA_DIR",
        ] {
            assert!(text.contains(needle), "{args:?} --help lacks {needle}");
        }
    }
    let o = cli(&["export", "--help"], None, dir.path());
    let text = String::from_utf8_lossy(&o.stdout);
    for flag in [
        "--profile",
        "--environment",
        "--client-id",
        "--from",
        "--to",
        "--time-zone",
        "--queue",
        "--media-type",
        "--direction",
        "--grain",
        "--columns",
        "--format",
        "--strategy",
        "--output",
        "--replace",
        "--resume",
    ] {
        assert!(text.contains(flag), "export --help lacks {flag}");
    }
}

#[test]
fn regions_lists_all_eighteen_without_a_display() {
    let dir = tempfile::tempdir().unwrap();
    let o = cli(&["regions"], None, dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().count(), 1 + 18, "{text}");
    assert!(text.contains("mypurecloud.ie"));
    assert!(text.contains("eu-west-1"));
}

// ----- codes that need the emulator ------------------------------------

mod with_emulator {
    use std::path::Path;
    use std::time::Duration;

    use chrono::{TimeZone, Utc};
    use genesys_sim::{Faults, Sim, SimConfig};

    const SECRET: &str = "exit-codes-secret";

    fn config() -> SimConfig {
        SimConfig {
            client_id: "exit-codes".into(),
            client_secret: SECRET.into(),
            conversations: 2_000,
            seed: 3,
            start: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            days: 5,
            job_delays: Duration::from_millis(50),
            rate_limit: None,
            ..SimConfig::default()
        }
    }

    fn command(sim: &Sim, secret: &str, out: &Path, extra: &[&str]) -> tokio::process::Command {
        let root = out.parent().unwrap();
        let mut cmd = tokio::process::Command::from(super::cli_command(
            super::CLI,
            &root.join("config"),
            &data_dir(out),
        ));
        cmd.args([
            "export",
            "--environment",
            &sim.base_url(),
            "--client-id",
            "exit-codes",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-04",
            "--time-zone",
            "UTC",
            "--format",
            "csv",
            "--output",
            out.to_str().unwrap(),
        ])
        .args(extra)
        .env("GENESYS_CLIENT_SECRET", secret)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        cmd
    }

    async fn run(sim: &Sim, secret: &str, out: &Path, extra: &[&str]) -> (Option<i32>, String) {
        let o = tokio::time::timeout(
            Duration::from_secs(120),
            command(sim, secret, out, extra).output(),
        )
        .await
        .expect("the CLI ends within 2 minutes")
        .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }

    /// History and checkpoints: a `data` folder beside the output.
    fn data_dir(out: &Path) -> std::path::PathBuf {
        out.parent().unwrap().join("data")
    }

    /// Files beside the output, except the CLI's own `config` and `data` folders.
    fn files_in(dir: &Path) -> Vec<String> {
        test_support::files::names_in(dir)
            .into_iter()
            .filter(|n| n != "data" && n != "config")
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn exit_3_wrong_secret_and_missing_permission() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.csv");
        let sim = Sim::start(config()).await.unwrap();
        let (code, err) = run(&sim, "not-the-secret", &out, &[]).await;
        assert_eq!(code, Some(3), "{err}");
        assert!(err.to_lowercase().contains("secret"), "{err}");
        assert!(
            !err.contains("not-the-secret"),
            "the secret is never printed"
        );
        sim.shutdown().await;

        let mut cfg = config();
        cfg.faults.missing_permission = true;
        let sim = Sim::start(cfg).await.unwrap();
        let (code, err) = run(&sim, SECRET, &out, &["--strategy", "sync"]).await;
        assert_eq!(code, Some(3), "{err}");
        assert!(err.contains("analytics:conversationDetail:view"), "{err}");
        assert!(
            files_in(dir.path()).is_empty(),
            "{:?}",
            files_in(dir.path())
        );
        sim.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn exit_4_persistent_503_and_429_past_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.csv");
        let mut cfg = config();
        cfg.faults = Faults {
            p503: 1.0,
            ..Faults::default()
        };
        let sim = Sim::start(cfg).await.unwrap();
        let (code, err) = run(&sim, SECRET, &out, &["--max-retries", "1"]).await;
        assert_eq!(code, Some(4), "{err}");
        assert!(
            err.contains("503") || err.to_lowercase().contains("unavailable"),
            "{err}"
        );
        sim.shutdown().await;

        // Every request gets 429 with Retry-After: 1 s, more than we accept (0 s).
        let mut cfg = config();
        cfg.faults = Faults {
            p429: 1.0,
            ..Faults::default()
        };
        let sim = Sim::start(cfg).await.unwrap();
        let (code, err) = run(
            &sim,
            SECRET,
            &out,
            &["--strategy", "sync", "--max-retry-after", "0"],
        )
        .await;
        assert_eq!(code, Some(4), "{err}");
        assert!(sim.stats().responses_429 > 0);
        assert!(
            files_in(dir.path()).is_empty(),
            "{:?}",
            files_in(dir.path())
        );
        sim.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn exit_130_on_ctrl_c_deletes_the_async_job_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.csv");
        let mut cfg = config();
        // Jobs take 20 s to be ready: the export is mid-way when we interrupt it.
        cfg.job_delays = Duration::from_secs(10);
        let sim = Sim::start(cfg).await.unwrap();
        let child = command(&sim, SECRET, &out, &["--strategy", "async"])
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while sim.stats().jobs_created == 0 {
            assert!(tokio::time::Instant::now() < deadline, "no job was created");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let killed = std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let o = tokio::time::timeout(Duration::from_secs(15), child.wait_with_output())
            .await
            .expect("the CLI stops within 15 s of Ctrl-C")
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(130), "{err}");
        let stats = sim.stats();
        assert!(stats.jobs_created > 0);
        assert_eq!(
            stats.jobs_deleted.len() as u64,
            stats.jobs_created,
            "every open job was deleted: {stats:?}"
        );
        assert!(
            files_in(dir.path()).is_empty(),
            "{:?}",
            files_in(dir.path())
        );
        sim.shutdown().await;
    }
}
