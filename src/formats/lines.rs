//! Unfolded content lines read from a stream, one at a time, giving exactly what
//! [`crate::formats::contentline::unfold`] gives for the whole text decoded by
//! [`crate::formats::vcard::bytes_to_text`] — so an import need not hold the file.
//!
//! Two things about the text depend on all of it: whether it is UTF-8 (else it is
//! read as windows-1252) and whether it has any `\n` (else lines end with a lone CR,
//! as old Mac files do). [`profile`] finds both in one cheap sweep over the bytes;
//! [`Unfolded`] then reads the lines in a second one.

use std::io::{self, BufRead};

use crate::formats::contentline::{Line, MAX_LINE_BYTES};
use crate::formats::vcard::decode::{FoldJoiner, decode_text};

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// What the whole text is like; see the module comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextProfile {
    pub utf8: bool,
    /// The byte lines end with: `\n`, or `\r` in a text without any `\n`.
    pub line_end: u8,
}

/// Whether the bytes are UTF-16 (by BOM or NUL bytes): such text is decoded whole
/// ([`crate::formats::vcard::decode::normalize_encoding`]), not streamed.
pub fn is_utf16(head: &[u8]) -> bool {
    matches!(
        head,
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] | [0, 1..=255, ..] | [1..=255, 0, ..]
    )
}

/// One sweep over `r`: see [`TextProfile`] (a UTF-8 BOM changes neither answer).
pub fn profile(mut r: impl BufRead) -> io::Result<TextProfile> {
    let mut utf8 = true;
    let mut newline = false;
    // UTF-8 is checked on the bytes with folds inside a character joined, as
    // `bytes_to_text` decodes them. `data`: the start of a character cut by the end
    // of the last buffer, then this buffer's joined bytes.
    let mut joiner = FoldJoiner::default();
    let mut data: Vec<u8> = Vec::new();
    let check = |data: &mut Vec<u8>, utf8: &mut bool| match std::str::from_utf8(data) {
        Ok(_) => data.clear(),
        Err(e) if e.error_len().is_none() => {
            data.drain(..e.valid_up_to());
        }
        Err(_) => *utf8 = false,
    };
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        newline = newline || buf.contains(&b'\n');
        if utf8 {
            joiner.feed(buf, &mut data);
            check(&mut data, &mut utf8);
        }
        let n = buf.len();
        r.consume(n);
    }
    if utf8 {
        joiner.finish(&mut data);
        check(&mut data, &mut utf8);
    }
    Ok(TextProfile {
        utf8: utf8 && data.is_empty(),
        line_end: if newline { b'\n' } else { b'\r' },
    })
}

/// `r` with folds inside a UTF-8 character joined (when `joiner` is set), so that
/// its lines are those of the text `bytes_to_text` decodes.
struct Joined<R> {
    r: R,
    joiner: Option<FoldJoiner>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<R: BufRead> io::Read for Joined<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Joined<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let Some(joiner) = &mut self.joiner else {
            return self.r.fill_buf();
        };
        while self.pos == self.out.len() && !self.done {
            self.out.clear();
            self.pos = 0;
            let chunk = self.r.fill_buf()?;
            if chunk.is_empty() {
                joiner.finish(&mut self.out);
                self.done = true;
            } else {
                let n = chunk.len();
                joiner.feed(chunk, &mut self.out);
                self.r.consume(n);
            }
        }
        Ok(&self.out[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        if self.joiner.is_some() {
            self.pos += n;
        } else {
            self.r.consume(n);
        }
    }
}

/// The unfolded lines of `r` (read from its start, BOM included), as
/// [`crate::formats::contentline::unfold`] makes them. A read error ends the lines
/// and is kept in [`Unfolded::error`].
pub struct Unfolded<R: BufRead> {
    r: Joined<R>,
    profile: TextProfile,
    number: usize,
    pending: Option<Line>,
    buf: Vec<u8>,
    ended: bool,
    pub error: Option<io::Error>,
}

impl<R: BufRead> Unfolded<R> {
    pub fn new(r: R, profile: TextProfile) -> Self {
        Unfolded {
            r: Joined {
                r,
                joiner: profile.utf8.then(FoldJoiner::default),
                out: Vec::new(),
                pos: 0,
                done: false,
            },
            profile,
            number: 0,
            pending: None,
            buf: Vec::new(),
            ended: false,
            error: None,
        }
    }

    /// The next physical line, decoded; `None` at the end (or on a read error).
    fn physical(&mut self) -> Option<String> {
        self.buf.clear();
        match read_line_bounded(&mut self.r, self.profile.line_end, &mut self.buf) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => {
                self.error = Some(e);
                return None;
            }
        }
        self.number += 1;
        if self.number == 1 && self.buf.starts_with(UTF8_BOM) {
            self.buf.drain(..UTF8_BOM.len());
        }
        if self.buf.last() == Some(&self.profile.line_end) {
            self.buf.pop();
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        let text = if self.profile.utf8 {
            // Checked by `profile`; lossy only if the file changed since.
            match std::str::from_utf8(&self.buf) {
                Ok(text) => text.to_owned(),
                Err(_) => String::from_utf8_lossy(&self.buf).into_owned(),
            }
        } else {
            decode_text(&self.buf, Some("windows-1252"))
        };
        if self.number == 1
            && let Some(rest) = text.strip_prefix('\u{feff}')
        {
            return Some(rest.to_string());
        }
        Some(text)
    }
}

/// Bytes of one physical line kept at most: a longer line is refused whatever its
/// length (past [`MAX_LINE_BYTES`]), and a file of one huge line must not be held.
const KEEP_LINE_BYTES: usize = MAX_LINE_BYTES + 8;

/// `read_until` keeping only the first [`KEEP_LINE_BYTES`] of the line (the rest
/// is read and dropped). The bytes read, as `read_until` counts them.
fn read_line_bounded(r: &mut impl BufRead, end: u8, buf: &mut Vec<u8>) -> io::Result<usize> {
    let mut read = 0;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(read);
        }
        let (n, ended) = match memchr::memchr(end, chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = KEEP_LINE_BYTES.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..n.min(room)]);
        r.consume(n);
        read += n;
        if ended {
            return Ok(read);
        }
    }
}

impl<R: BufRead> Iterator for Unfolded<R> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        loop {
            if self.ended {
                return self.pending.take();
            }
            let Some(text) = self.physical() else {
                self.ended = true;
                continue;
            };
            if let Some(rest) = text.strip_prefix([' ', '\t'])
                && let Some(last) = self.pending.as_mut()
            {
                if last.text.len() <= MAX_LINE_BYTES {
                    last.text.push_str(rest);
                }
                continue;
            }
            if text.trim().is_empty() {
                continue;
            }
            let line = Line {
                number: self.number,
                text,
            };
            if let Some(done) = self.pending.replace(line) {
                return Some(done);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::contentline::unfold;
    use crate::formats::vcard::bytes_to_text;

    fn streamed(bytes: &[u8], buffer: usize) -> Vec<Line> {
        let p = profile(io::BufReader::with_capacity(buffer, bytes)).unwrap();
        Unfolded::new(io::BufReader::with_capacity(buffer, bytes), p).collect()
    }

    #[test]
    fn the_same_lines_as_unfolding_the_whole_text() {
        let cases: &[&[u8]] = &[
            b"BEGIN:VCALENDAR\r\nX:a\r\n  b\r\n\tc\r\n\r\n   \r\nY:\xc3\xa9t\xc3\xa9\r\nEND:VCALENDAR\r\n",
            b"\xEF\xBB\xBFBEGIN:VEVENT\nSUMMARY:x\n continued\nEND:VEVENT",
            b"\xEF\xBB\xBF\xEF\xBB\xBFA:1\nB:2\r\n",
            b"A:1\rB:2\r C\rD:3",
            b"A:1\rB:2\nC:\r3\r\n",
            b"A:caf\xe9 \x80\n B\n",
            b" leading continuation\nA:1\n",
            b"A:1\n\xc2\xa0\nB:\xa0\n",
            b"",
            b"\n\n\n",
            b"S:ab\xc3\r\n \xa9cd\xf0\x9f\r\n \x98\x80end\r\nT:\xc3\n\t\xa9\n",
            b"S:ab\xc3\r\n \xa9 but caf\xe9\r\n",
            b"S:\xc3\r \xa9\rT:1",
        ];
        for bytes in cases {
            let whole = unfold(&bytes_to_text(bytes));
            for buffer in [1, 2, 3, 7, 64 * 1024] {
                assert_eq!(streamed(bytes, buffer), whole, "{bytes:?} / {buffer}");
            }
        }
    }

    #[test]
    fn a_character_cut_by_the_buffer_is_still_utf8() {
        let text = "X:ééé€€€𝄞𝄞\n".repeat(5);
        for buffer in 1..9 {
            let p = profile(io::BufReader::with_capacity(buffer, text.as_bytes())).unwrap();
            assert!(p.utf8, "{buffer}");
        }
        let p = profile(&b"X:\xc3"[..]).unwrap();
        assert!(!p.utf8, "a truncated character at the end is not UTF-8");
    }

    /// A file of one huge line was held whole (three times over, decoded and
    /// unfolded): 300 MB took 900 MB. A line past the limit is refused whatever its
    /// length, so only the start of it is kept.
    #[test]
    fn a_huge_line_is_not_held_whole() {
        use std::io::Read as _;
        let huge = 64 << 20;
        let text = io::repeat(b'A').take(huge).chain(&b"\nB:1\n"[..]);
        let p = TextProfile {
            utf8: true,
            line_end: b'\n',
        };
        let lines: Vec<Line> = Unfolded::new(io::BufReader::new(text), p).collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].text.len() > MAX_LINE_BYTES);
        assert!(
            lines[0].text.len() < 2 * MAX_LINE_BYTES,
            "{}",
            lines[0].text.len()
        );
        assert_eq!((lines[1].number, lines[1].text.as_str()), (2, "B:1"));
    }

    #[test]
    fn utf16_is_recognised() {
        assert!(is_utf16(&[0xFF, 0xFE, b'B', 0]));
        assert!(is_utf16(&[0, b'B', 0, b'E']));
        assert!(is_utf16(&[b'B', 0, b'E', 0]));
        assert!(!is_utf16(b"BEGIN"));
        assert!(!is_utf16(UTF8_BOM));
    }
}
