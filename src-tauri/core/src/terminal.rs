//! Text from the server, made safe to print on a terminal (issue #14, low).
//!
//! Genesys's error messages, names and descriptions end up in what the CLI
//! prints. A terminal obeys escape sequences in that text: it could retitle
//! the window, move the cursor to overwrite earlier lines, clear the screen,
//! or (on some terminals) write files or answer with keystrokes.
//! [`sanitize_for_terminal`] removes every escape sequence and every control
//! character except line feed and tab.
use std::borrow::Cow;
use std::iter::Peekable;
use std::str::Chars;

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
/// C1 String Terminator.
const ST: char = '\u{9c}';

/// `s` without terminal control: ESC sequences (CSI `ESC [ … final`, OSC
/// `ESC ] … BEL/ST`, DCS/SOS/PM/APC strings, two-character escapes), their
/// C1 forms (`U+009B` CSI, `U+009D` OSC, …), and every other C0 and C1
/// control character and DEL. Line feed and tab are kept; carriage return
/// is removed (it moves the cursor back over the line).
pub fn sanitize_for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            ESC => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            // OSC, DCS, SOS, PM, APC: a string up to BEL or ST.
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// After ESC.
fn skip_escape(chars: &mut Peekable<Chars<'_>>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        // Intermediate bytes, then one final byte (e.g. `ESC ( B`).
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while chars
                .peek()
                .is_some_and(|c| ('\u{20}'..='\u{2f}').contains(c))
            {
                chars.next();
            }
            chars.next();
        }
        // A two-character escape (`ESC c`, `ESC 7`, …).
        Some(c) if !c.is_control() => {
            chars.next();
        }
        _ => {}
    }
}

/// A control sequence's parameters and intermediates, up to and with its final byte.
fn skip_csi(chars: &mut Peekable<Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        if ('\u{20}'..='\u{3f}').contains(&c) {
            chars.next();
        } else {
            if ('\u{40}'..='\u{7e}').contains(&c) {
                chars.next();
            }
            return;
        }
    }
}

/// A control string, up to and with its terminator (BEL, ST or `ESC \`).
fn skip_string(chars: &mut Peekable<Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | ST => return,
            ESC => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_is_removed_and_text_kept() {
        for (input, output) in [
            ("plain text, ünïcode ✓", "plain text, ünïcode ✓"),
            ("two\nlines\tand a tab", "two\nlines\tand a tab"),
            // Colours and cursor movement (CSI).
            ("\u{1b}[31mred\u{1b}[0m", "red"),
            ("\u{1b}[2J\u{1b}[1;1Hcleared", "cleared"),
            ("\u{1b}[?25lhidden cursor", "hidden cursor"),
            // A window title (OSC, ended by BEL or by ESC \).
            ("\u{1b}]0;owned\u{07}after", "after"),
            (
                "\u{1b}]8;;http://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\",
                "link",
            ),
            // DCS / APC strings.
            ("\u{1b}P+q544e\u{1b}\\ok", "ok"),
            ("\u{1b}_payload\u{1b}\\ok", "ok"),
            // Two-character and charset escapes.
            ("\u{1b}cafter reset", "after reset"),
            ("\u{1b}(Bascii", "ascii"),
            // C1 forms: CSI, OSC and a lone C1 control.
            ("\u{9b}31mred", "red"),
            ("\u{9d}0;t\u{9c}x", "x"),
            ("a\u{85}b", "ab"),
            // Other C0 controls, carriage return, DEL.
            (
                "bell\u{07} back\u{08}space\r over\u{7f}",
                "bell backspace over",
            ),
            ("nul\u{0}x", "nulx"),
            // A sequence cut off at the end.
            ("end\u{1b}[", "end"),
            ("end\u{1b}", "end"),
            ("\u{1b}]0;never ended", ""),
        ] {
            assert_eq!(sanitize_for_terminal(input), output, "{input:?}");
        }
    }

    #[test]
    fn clean_text_is_not_copied() {
        assert!(matches!(
            sanitize_for_terminal("no control here\n"),
            Cow::Borrowed(_)
        ));
    }
}
