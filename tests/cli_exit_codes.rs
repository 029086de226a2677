//! Each documented exit code of `genesys-export-cli`, from the real binary.
use std::path::Path;
use std::process::{Command, Output};

const CLI: &str = env!("CARGO_BIN_EXE_genesys-export-cli");

fn cli(args: &[&str], secret: Option<&str>, config: &Path) -> Output {
    let mut cmd = Command::new(CLI);
    cmd.args(args)
        .env_remove("GENESYS_CLIENT_SECRET")
        .env("GENESYS_EXPORT_CONFIG_DIR", config)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    if let Some(s) = secret {
        cmd.env("GENESYS_CLIENT_SECRET", s);
    }
    cmd.output().expect("run genesys-export-cli")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
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
