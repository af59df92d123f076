//! Text others wrote — a stranger's invitation, a synced device's name, a
//! server's greeting — printed to a terminal: its control characters are shown,
//! not obeyed. An ESC in a summary could otherwise clear the screen, retitle the
//! window, hide the text after it or write the clipboard (OSC 52). As `ls` does,
//! only on a terminal: what goes to a pipe or a file is data, left as it is.
//!
//! Everything printed goes through here: tables and JSON through
//! `print::Stdout`'s sink ([`Visible::filter`]), lines through `outln!`,
//! `errln!` and `err!` (in place of `println!`, `eprintln!` and `eprint!`). The TUI needs nothing:
//! ratatui leaves control characters out of the cells it draws.

use std::borrow::Cow;
use std::fmt::Arguments;
use std::io::{IsTerminal, Write};

/// `println!`, its control characters shown when stdout is a terminal.
macro_rules! outln {
    () => { $crate::cli::visible::print_line(false, format_args!("\n")) };
    ($($t:tt)*) => { $crate::cli::visible::print_line(false, format_args!("{}\n", format_args!($($t)*))) };
}

/// `eprintln!`, its control characters shown when stderr is a terminal.
macro_rules! errln {
    () => { $crate::cli::visible::print_line(true, format_args!("\n")) };
    ($($t:tt)*) => { $crate::cli::visible::print_line(true, format_args!("{}\n", format_args!($($t)*))) };
}

/// `eprint!`, likewise.
macro_rules! err {
    ($($t:tt)*) => { $crate::cli::visible::print_line(true, format_args!($($t)*)) };
}

/// Print `args` to stdout (stderr when `to_stderr`), shown by [`visible`] when it
/// is a terminal. Errors are those of `print!`: stdout closed early is the
/// caller's to notice on its next buffered write; a line lost then is harmless.
pub fn print_line(to_stderr: bool, args: Arguments<'_>) {
    let text = args.to_string();
    if to_stderr {
        let err = std::io::stderr();
        let shown = shown_on(err.is_terminal(), &text);
        let _ = err.lock().write_all(shown.as_bytes());
    } else {
        let out = std::io::stdout();
        let shown = shown_on(out.is_terminal(), &text);
        let _ = out.lock().write_all(shown.as_bytes());
    }
}

fn shown_on(terminal: bool, text: &str) -> Cow<'_, str> {
    match terminal {
        true => visible(text),
        false => Cow::Borrowed(text),
    }
}

/// `text` with every control character but line feed and tab shown as its
/// picture (`␛` for ESC, `␍` for CR, `␡` for DEL) and C1 controls (U+0080–U+009F,
/// which terminals also obey) as `�`.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(obeyed) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(picture).collect())
}

/// Whether a terminal acts on `c` instead of showing it.
fn obeyed(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

fn picture(c: char) -> char {
    match c {
        '\n' | '\t' => c,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        c if c.is_control() => '\u{fffd}',
        c => c,
    }
}

/// [`visible`] over a byte stream cut into chunks anywhere (a buffered writer's):
/// a C1 control's first byte at a chunk's end is held for the next.
#[derive(Default)]
pub struct Visible {
    held: bool,
}

/// UTF-8's first byte of U+0080–U+00BF, C1 controls among them.
const C1_LEAD: u8 = 0xc2;

impl Visible {
    /// `buf` as shown, appended to `out`.
    pub fn filter(&mut self, buf: &[u8], out: &mut Vec<u8>) {
        let mut bytes = buf.iter().copied().peekable();
        if std::mem::take(&mut self.held) {
            match bytes.peek() {
                Some(b) => Self::after_lead(*b, out),
                None => {
                    self.held = true;
                    return;
                }
            }
            bytes.next();
        }
        while let Some(b) = bytes.next() {
            match b {
                b'\n' | b'\t' => out.push(b),
                0..=0x1f | 0x7f => {
                    out.extend_from_slice(picture(b as char).encode_utf8(&mut [0; 4]).as_bytes())
                }
                C1_LEAD => match bytes.peek() {
                    Some(next) => {
                        Self::after_lead(*next, out);
                        bytes.next();
                    }
                    None => self.held = true,
                },
                b => out.push(b),
            }
        }
    }

    /// The bytes of a character that began with [`C1_LEAD`], `next` its second.
    fn after_lead(next: u8, out: &mut Vec<u8>) {
        match next {
            0x80..=0x9f => out.extend_from_slice("\u{fffd}".as_bytes()),
            _ => out.extend_from_slice(&[C1_LEAD, next]),
        }
    }

    /// What is still held, at the end of the stream.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if std::mem::take(&mut self.held) {
            out.push(C1_LEAD);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "Hi \u{1b}]52;c;cm0gLXJmIH4K\u{7} there \u{1b}[2J\r\u{9b}31m\u{7f}\u{85}";
    const SHOWN: &str = "Hi ␛]52;c;cm0gLXJmIH4K␇ there ␛[2J␍�31m␡�";

    #[test]
    fn controls_are_shown_not_obeyed() {
        assert_eq!(visible(HOSTILE), SHOWN);
        let kept = "Zoë — 東京\n\ttab and line feed kept, ¢ and \u{a0} too";
        assert!(matches!(visible(kept), Cow::Borrowed(_)));
    }

    /// Cut anywhere, the stream shows as the whole text does.
    #[test]
    fn a_stream_cut_anywhere_shows_as_the_whole() {
        let text = format!("{HOSTILE} ¢\u{a0}\u{80}é");
        let bytes = text.as_bytes();
        let want = visible(&text).into_owned();
        for cut in 0..=bytes.len() {
            for second in cut..=bytes.len() {
                let mut v = Visible::default();
                let mut out = Vec::new();
                v.filter(&bytes[..cut], &mut out);
                v.filter(&bytes[cut..second], &mut out);
                v.filter(&bytes[second..], &mut out);
                v.finish(&mut out);
                assert_eq!(String::from_utf8(out).unwrap(), want, "{cut} {second}");
            }
        }
    }
}
