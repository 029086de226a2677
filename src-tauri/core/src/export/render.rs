//! Turning typed cells into text (CSV) or Excel values: time zones, durations,
//! formula-injection neutralisation.
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::flatten::Cell;
use super::options::DurationFormat;

/// The wall-clock time in `tz` (DST-correct).
pub fn local(t: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

/// Whole seconds, rounded half up.
pub fn whole_seconds(ms: i64) -> i64 {
    (ms + 500).div_euclid(1000)
}

/// `h:mm:ss` (hours are not capped at 24).
pub fn hms(ms: i64) -> String {
    let secs = whole_seconds(ms);
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.abs();
    format!(
        "{sign}{}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// True when a spreadsheet would treat the text as a formula, or strip a
/// leading control character and then do so: `=`, `+`, `-`, `@`, their
/// full-width forms `＝＋－＠` (which some spreadsheets in East Asian locales
/// read as the ASCII ones), and tab, carriage return, line feed or NUL. The
/// CSV writer prefixes such text with `'` (OWASP's "CSV injection" advice).
pub fn is_formula_like(s: &str) -> bool {
    matches!(
        s.chars().next(),
        Some(
            '=' | '+'
                | '-'
                | '@'
                | '\t'
                | '\r'
                | '\n'
                | '\0'
                | '\u{FF1D}'
                | '\u{FF0B}'
                | '\u{FF0D}'
                | '\u{FF20}'
        )
    )
}

/// One JSON value on exactly one line, for JSON lines: the whitespace
/// between tokens (the server's pretty printing: line feeds, carriage
/// returns, tabs, spaces) is dropped, and U+2028, U+2029 and U+0085 inside
/// strings (valid unescaped JSON, but line breaks to JavaScript's and
/// Python's line readers) are written as `\uXXXX` escapes. Every key, value,
/// key order and number is kept as the server wrote it (the lossless raw
/// export), so the record parses to the same JSON.
pub fn one_line_json(json: &str) -> std::borrow::Cow<'_, str> {
    let breaks = |c: char| matches!(c, '\n' | '\r' | '\t' | '\u{85}' | '\u{2028}' | '\u{2029}');
    if !json.contains(breaks) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if !in_string {
            match c {
                '"' => {
                    in_string = true;
                    out.push(c);
                }
                ' ' | '\n' | '\r' | '\t' => {}
                _ => out.push(c),
            }
        } else if escaped {
            escaped = false;
            out.push(c);
        } else {
            match c {
                '\\' => {
                    escaped = true;
                    out.push(c);
                }
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                c if breaks(c) || (c as u32) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// How times and durations are shown: the user's time zone and duration format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub tz: Tz,
    pub durations: DurationFormat,
}

/// Write a cell as CSV text into `out` (cleared first).
pub fn cell_text(out: &mut String, cell: &Cell, style: Style) {
    let Style { tz, durations } = style;
    out.clear();
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            if is_formula_like(s) {
                out.push('\'');
            }
            out.push_str(s);
        }
        Cell::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Cell::Bool(b) => out.push_str(if *b { "Yes" } else { "No" }),
        Cell::DateTime(t) => {
            let _ = write!(out, "{}", local(*t, tz).format("%Y-%m-%d %H:%M:%S"));
        }
        Cell::Duration(ms) => match durations {
            DurationFormat::Seconds => {
                let _ = write!(out, "{}", whole_seconds(*ms));
            }
            DurationFormat::Hms => out.push_str(&hms(*ms)),
        },
    }
}

/// Excel's serial date (days since 1899-12-30) for a wall-clock time, to the second.
pub fn excel_serial(t: NaiveDateTime) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    (t - epoch).num_seconds() as f64 / 86_400.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(whole_seconds(754_499), 754);
        assert_eq!(whole_seconds(754_500), 755);
        assert_eq!(hms(754_000), "0:12:34");
        assert_eq!(hms(90_061_000), "25:01:01");
    }

    #[test]
    fn formula_like() {
        for s in [
            "=1+1",
            "+15551234",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "\n=1",
            "\0=1",
            "＝1+1",
            "＋1",
            "－1",
            "＠SUM(A1)",
        ] {
            assert!(is_formula_like(s), "{s:?}");
        }
        for s in ["", "a=1", "15551234", "Ünïcode", " =1", "１２", "x\n=1"] {
            assert!(!is_formula_like(s), "{s}");
        }
    }

    #[test]
    fn serial() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 3, 8)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        // 2026-03-08 is serial 46089.
        assert_eq!(excel_serial(t), 46089.5);
    }
    #[test]
    fn json_on_one_line() {
        for (input, output) in [
            (r#"{"a":1,"b":"x y"}"#, r#"{"a":1,"b":"x y"}"#),
            (
                "{\n  \"a\": 1,\r\n\t\"b\": [1, 2]\n}",
                r#"{"a":1,"b":[1,2]}"#,
            ),
            (
                "{\"s\": \"a\u{2028}b\u{2029}c\u{85}d\"}",
                r#"{"s":"a\u2028b\u2029c\u0085d"}"#,
            ),
            // Escaped quotes and backslashes do not end a string.
            (
                "{\"s\": \"q\\\" x\\\\\", \"t\": 2}\n",
                r#"{"s":"q\" x\\","t":2}"#,
            ),
            // Numbers are kept as written.
            (
                "[1.50, 1e3,\n 12345678901234567890]",
                "[1.50,1e3,12345678901234567890]",
            ),
        ] {
            let got = one_line_json(input);
            assert_eq!(got, output, "{input:?}");
            let a: serde_json::Value = serde_json::from_str(input).unwrap();
            let b: serde_json::Value = serde_json::from_str(&got).unwrap();
            assert_eq!(a, b, "{input:?}");
        }
    }
}
