//! The CLI against hostile or mistaken input (issue #14): server text is
//! printed without terminal control characters, and a date range or an
//! output name that cannot be right is refused before anything is sent.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

use test_support::cli::cli_command;

const CLI: &str = env!("CARGO_BIN_EXE_genesys-export-cli");

fn cli(args: &[&str], dir: &Path) -> Output {
    cli_command(CLI, &dir.join("config"), &dir.join("data"))
        .args(args)
        .env("GENESYS_CLIENT_SECRET", "s")
        .output()
        .expect("run genesys-export-cli")
}

/// A server answering every request with `status` and the JSON `body`; its base URL.
fn server(status: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut request_body = vec![0; length];
            let _ = reader.read_exact(&mut request_body);
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn server_text_is_printed_without_terminal_control_characters() {
    // The login answers with a description full of escape sequences: a
    // window title, colours, clear-screen, a C1 control sequence and a bell.
    let url = server(
        "400 Bad Request",
        r#"{"error":"invalid_client","error_description":"\u001b]0;owned\u0007\u001b[31mBad client\u001b[0m\u009b2J\r\u0007 end"}"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let o = cli(
        &[
            "export",
            "--environment",
            &url,
            "--client-id",
            "id",
            "--from",
            "2026-02-01",
            "--to",
            "2026-02-02",
            "--output",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("Bad client"), "{stderr}");
    let bad: Vec<char> = stderr
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(
        bad.is_empty(),
        "control characters printed: {bad:?} in {stderr:?}"
    );
    assert!(!stderr.contains("]0;owned"), "{stderr:?}");
}

/// #14.5: the output's extension must name the format; refused before anything is sent.
#[test]
fn an_output_whose_extension_is_not_the_formats_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (format, name, expected) in [
        ("csv", "x.xlsx", ".csv"),
        ("xlsx", "report.txt", ".xlsx"),
        ("jsonl", "report", ".jsonl"),
    ] {
        let out = dir.path().join(name);
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
                "--format",
                format,
                "--output",
                out.to_str().unwrap(),
            ],
            dir.path(),
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(!out.exists());
    }
}

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

/// #14.6: the same bounds as the app, before anything is sent.
#[test]
fn date_ranges_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    for (from, to, expected) in [
        (
            "2015-01-01".to_string(),
            "2015-01-31".to_string(),
            "five years",
        ),
        (day(-2), day(40), "tomorrow"),
        (day(-2), "2062-01-01".to_string(), "tomorrow"),
    ] {
        let o = cli(
            &[
                "export",
                "--environment",
                "http://127.0.0.1:9",
                "--client-id",
                "id",
                "--time-zone",
                "UTC",
                "--from",
                &from,
                "--to",
                &to,
                "--output",
                out.to_str().unwrap(),
            ],
            dir.path(),
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{from}..{to}: {stderr}");
        assert!(stderr.contains(expected), "{from}..{to}: {stderr}");
    }
}
