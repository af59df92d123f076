//! Bytes to logical lines: UTF-16 and BOM detection, unfolding, quoted-printable
//! soft line breaks (vCard 2.1), and per-value charset decoding
//! (UTF-8, else Latin-1/windows-1252).

use crate::formats::contentline::MAX_LINE_BYTES;

/// One unfolded logical line, still as bytes, and the physical line it began on.
pub struct RawLine {
    pub number: usize,
    pub bytes: Vec<u8>,
}

/// Turn a file's bytes into UTF-8-or-8-bit bytes: UTF-16 (with BOM, or detected by
/// its NUL bytes) is decoded; a UTF-8 BOM is dropped.
pub fn normalize_encoding(bytes: &[u8]) -> Vec<u8> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return rest.to_vec();
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some((rest, false)),
        [0xFE, 0xFF, rest @ ..] => Some((rest, true)),
        [0, b, ..] if *b != 0 => Some((bytes, true)),
        [a, 0, ..] if *a != 0 => Some((bytes, false)),
        _ => None,
    };
    match utf16 {
        Some((rest, big_endian)) => {
            let units = rest.chunks_exact(2).map(|c| {
                if big_endian {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            });
            char::decode_utf16(units)
                .map(|r| r.unwrap_or('\u{FFFD}'))
                .collect::<String>()
                .into_bytes()
        }
        None => bytes.to_vec(),
    }
}

/// Where the property name and parameters end: the first ':' outside double quotes.
pub fn header_end(line: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, &b) in line.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b':' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn is_quoted_printable(line: &[u8]) -> bool {
    let head = &line[..header_end(line).unwrap_or(line.len())];
    head.to_ascii_uppercase()
        .windows(16)
        .any(|w| w == b"QUOTED-PRINTABLE")
}

/// Whether a physical line is END:VCARD: after a soft break it still ends the card
/// (exporters write `=` at the wrap of a value's last line), not the value.
fn ends_card(phys: &[u8]) -> bool {
    phys.trim_ascii().eq_ignore_ascii_case(b"END:VCARD")
}

/// Split into physical lines (CRLF, LF or CR), unfold continuation lines, and join
/// quoted-printable soft line breaks (`=` at the end of a line).
pub fn logical_lines(bytes: &[u8]) -> Vec<RawLine> {
    let mut out: Vec<RawLine> = Vec::new();
    // Whether the last logical line is quoted-printable and ended with a soft break.
    let mut qp_open = false;
    // The last logical line's header, found once: rescanning the whole line on each
    // continuation was quadratic (found by fuzzing: seconds for a few hundred KB).
    let mut head = HeadScan::default();
    for (i, phys) in physical_lines(bytes).into_iter().enumerate() {
        if qp_open && let Some(last) = out.last_mut() {
            last.bytes.pop(); // the soft-break '='
            if !ends_card(phys) {
                if last.bytes.len() <= MAX_LINE_BYTES {
                    last.bytes.extend_from_slice(phys);
                }
                qp_open = last.bytes.ends_with(b"=");
                continue;
            }
            qp_open = false;
        }
        if let [b' ' | b'\t', rest @ ..] = phys
            && let Some(last) = out.last_mut()
        {
            // Past the limit the line stops growing; `parse_raw_line` refuses it.
            if last.bytes.len() <= MAX_LINE_BYTES {
                last.bytes.extend_from_slice(rest);
            }
            qp_open = head.is_qp(&last.bytes) && last.bytes.ends_with(b"=");
            continue;
        }
        if phys.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        out.push(RawLine {
            number: i + 1,
            bytes: phys.to_vec(),
        });
        head = HeadScan::default();
        qp_open = head.is_qp(phys) && phys.ends_with(b"=");
    }
    out
}

/// [`logical_lines`] of a stream, one at a time (the bytes must not be UTF-16; a
/// UTF-8 BOM is dropped as [`normalize_encoding`] drops it). A read error ends the
/// lines and is kept in `error`.
pub struct StreamedLines<R: std::io::BufRead> {
    r: R,
    /// The last line ended with a CR: an LF right after it belongs to it.
    after_cr: bool,
    number: usize,
    pending: Option<RawLine>,
    qp_open: bool,
    head: HeadScan,
    ended: bool,
    pub error: Option<std::io::Error>,
}

impl<R: std::io::BufRead> StreamedLines<R> {
    pub fn new(r: R) -> Self {
        StreamedLines {
            r,
            after_cr: false,
            number: 0,
            pending: None,
            qp_open: false,
            head: HeadScan::default(),
            ended: false,
            error: None,
        }
    }

    /// The next physical line as [`physical_lines`] splits them (CRLF, LF or CR),
    /// keeping at most [`KEEP_LINE_BYTES`] of it: a longer line is refused anyway,
    /// and a file of one huge line must not be held.
    fn next_physical(&mut self) -> Option<Vec<u8>> {
        let mut line = Vec::new();
        let mut read_any = false;
        loop {
            let chunk = match self.r.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.error = Some(e);
                    return None;
                }
            };
            if chunk.is_empty() {
                if !read_any {
                    return None;
                }
                break;
            }
            if self.after_cr {
                // The LF of a CRLF whose CR ended the last line.
                self.after_cr = false;
                if chunk[0] == b'\n' {
                    self.r.consume(1);
                    continue;
                }
            }
            read_any = true;
            let end = chunk.iter().position(|&b| b == b'\n' || b == b'\r');
            let n = end.unwrap_or(chunk.len());
            let room = KEEP_LINE_BYTES.saturating_sub(line.len());
            line.extend_from_slice(&chunk[..n.min(room)]);
            match end {
                Some(i) => {
                    self.after_cr = chunk[i] == b'\r';
                    self.r.consume(i + 1);
                    break;
                }
                None => self.r.consume(n),
            }
        }
        if self.number == 0 && line.starts_with(&[0xEF, 0xBB, 0xBF]) {
            line.drain(..3);
        }
        self.number += 1;
        Some(line)
    }
}

/// Bytes of one physical line kept at most (see [`StreamedLines`]).
const KEEP_LINE_BYTES: usize = MAX_LINE_BYTES + 8;

impl<R: std::io::BufRead> Iterator for StreamedLines<R> {
    type Item = RawLine;

    fn next(&mut self) -> Option<RawLine> {
        loop {
            if self.ended {
                return self.pending.take();
            }
            let Some(phys) = self.next_physical() else {
                self.ended = true;
                continue;
            };
            if self.qp_open
                && let Some(last) = self.pending.as_mut()
            {
                last.bytes.pop(); // the soft-break '='
                if !ends_card(&phys) {
                    if last.bytes.len() <= MAX_LINE_BYTES {
                        last.bytes.extend_from_slice(&phys);
                    }
                    self.qp_open = last.bytes.ends_with(b"=");
                    continue;
                }
                self.qp_open = false;
            }
            if let [b' ' | b'\t', rest @ ..] = phys.as_slice()
                && let Some(last) = self.pending.as_mut()
            {
                if last.bytes.len() <= MAX_LINE_BYTES {
                    last.bytes.extend_from_slice(rest);
                }
                self.qp_open = self.head.is_qp(&last.bytes) && last.bytes.ends_with(b"=");
                continue;
            }
            if phys.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.head = HeadScan::default();
            self.qp_open = self.head.is_qp(&phys) && phys.ends_with(b"=");
            let line = RawLine {
                number: self.number,
                bytes: phys,
            };
            if let Some(done) = self.pending.replace(line) {
                return Some(done);
            }
        }
    }
}

/// Finds a growing line's header end incrementally (as [`header_end`] does at once).
#[derive(Default)]
struct HeadScan {
    scanned: usize,
    quoted: bool,
    /// Once the header is complete: whether it says QUOTED-PRINTABLE.
    qp: Option<bool>,
}

impl HeadScan {
    /// Whether `line` (the same line, possibly longer than last time) is
    /// quoted-printable; false while its header has not ended (no value yet).
    fn is_qp(&mut self, line: &[u8]) -> bool {
        if let Some(qp) = self.qp {
            return qp;
        }
        for (i, &b) in line.iter().enumerate().skip(self.scanned) {
            match b {
                b'"' => self.quoted = !self.quoted,
                b':' if !self.quoted => {
                    let qp = is_quoted_printable(&line[..=i]);
                    self.qp = Some(qp);
                    return qp;
                }
                _ => {}
            }
        }
        self.scanned = line.len();
        false
    }
}

fn physical_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&bytes[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&bytes[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push(&bytes[start..]);
    }
    lines
}

/// Decode quoted-printable (soft breaks already joined). Malformed escapes stay as-is.
pub fn decode_quoted_printable(s: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'='
            && let (Some(h), Some(l)) = (
                s.get(i + 1).copied().and_then(hex),
                s.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// RFC 5545 §3.1 lets a writer fold a line inside a UTF-8 sequence; unfolding gives
/// it back. For text read before unfolding: the continuation bytes that open a
/// folded line move before its line break (line numbers stay), when that makes
/// invalid UTF-8 valid; other bytes are left alone.
pub fn join_split_characters(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    if std::str::from_utf8(bytes).is_ok() {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut joiner = FoldJoiner::default();
    joiner.feed(bytes, &mut out);
    joiner.finish(&mut out);
    if std::str::from_utf8(&out).is_ok() {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(bytes)
    }
}

/// [`join_split_characters`]'s move, on bytes fed in pieces (a stream): a line break
/// after a byte of a multi-byte character, and the blank after it, are held until
/// the next byte shows whether continuation bytes move before them.
#[derive(Debug, Default)]
pub struct FoldJoiner {
    /// The last byte given out.
    last: Option<u8>,
    /// A held `\r`, `\r\n` or `\n`, maybe with its blank.
    held: Vec<u8>,
}

impl FoldJoiner {
    pub fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<u8>) {
        if self.held.is_empty() && self.last.is_none_or(|l| l < 0x80) && bytes.is_ascii() {
            // No character to join (the usual case): the bytes pass as they are.
            out.extend_from_slice(bytes);
            self.last = bytes.last().copied().or(self.last);
            return;
        }
        while let Some((&b, rest)) = bytes.split_first() {
            if self.held.is_empty() {
                // Nothing is held: everything up to a line break right after a byte of
                // a multi-byte character passes at once.
                let stop = memchr::memchr2_iter(b'\r', b'\n', bytes)
                    .find(|&i| {
                        let before = if i == 0 {
                            self.last
                        } else {
                            Some(bytes[i - 1])
                        };
                        before.is_some_and(|l| l >= 0x80)
                    })
                    .unwrap_or(bytes.len());
                if stop > 0 {
                    out.extend_from_slice(&bytes[..stop]);
                    self.last = Some(bytes[stop - 1]);
                    bytes = &bytes[stop..];
                    continue;
                }
            }
            self.byte(b, out);
            bytes = rest;
        }
    }

    /// Give out what is held (at the end of the bytes).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        for b in std::mem::take(&mut self.held) {
            out.push(b);
            self.last = Some(b);
        }
    }

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) {
        let blank = b == b' ' || b == b'\t';
        match self.held.as_slice() {
            [] if matches!(b, b'\r' | b'\n') && self.last.is_some_and(|l| l >= 0x80) => {
                self.held.push(b)
            }
            [] => {
                out.push(b);
                self.last = Some(b);
            }
            [b'\r'] if b == b'\n' => self.held.push(b),
            [.., b'\n'] if blank => self.held.push(b),
            // A continuation byte after the fold: it moves before the break.
            [.., b' ' | b'\t'] if (0x80..=0xBF).contains(&b) => out.push(b),
            _ => {
                self.finish(out);
                self.byte(b, out);
            }
        }
    }
}

/// Decode text bytes: UTF-8 unless invalid or the charset names an 8-bit Western one,
/// in which case windows-1252 (a superset of Latin-1's printable range).
pub fn decode_text(bytes: &[u8], charset: Option<&str>) -> String {
    let eight_bit = charset.is_some_and(|c| {
        matches!(
            c.to_ascii_lowercase().as_str(),
            "iso-8859-1" | "latin1" | "latin-1" | "iso8859-1" | "windows-1252" | "cp1252"
        )
    });
    if !eight_bit && let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    bytes.iter().map(|&b| windows_1252(b)).collect()
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_lines_are_the_logical_lines() {
        let cases: &[&[u8]] = &[
            b"\xEF\xBB\xBFBEGIN:VCARD\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=\r\nb=\r\n c\r\n  d\r\nEND:VCARD\r\n",
            b"A:1\rB:2\r\n C\r\r\nD:3\r",
            b"A:1\n\n \t\nB:2\n\tx\ny",
            b"\r",
            b"",
            b"NOTE;QUOTED-PRINTABLE:x=\n",
        ];
        for bytes in cases {
            let whole: Vec<(usize, Vec<u8>)> = logical_lines(&normalize_encoding(bytes))
                .into_iter()
                .map(|l| (l.number, l.bytes))
                .collect();
            for buffer in [1, 2, 5, 8192] {
                let r = std::io::BufReader::with_capacity(buffer, *bytes);
                let streamed: Vec<(usize, Vec<u8>)> =
                    StreamedLines::new(r).map(|l| (l.number, l.bytes)).collect();
                assert_eq!(streamed, whole, "{bytes:?} / {buffer}");
            }
        }
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "BEGIN:VCARD\r\nFN:Zoë\r\n";
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(normalize_encoding(&be), text.as_bytes());
        assert_eq!(normalize_encoding(&le), text.as_bytes());
    }

    #[test]
    fn soft_line_breaks_and_folding() {
        let raw = b"NOTE;ENCODING=QUOTED-PRINTABLE:a=3D=\r\nb\r\nFN:x\r\n y\r\n";
        let lines = logical_lines(raw);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].bytes, b"NOTE;ENCODING=QUOTED-PRINTABLE:a=3Db");
        assert_eq!(lines[1].bytes, b"FN:xy");
        assert_eq!(lines[1].number, 3);
        assert_eq!(
            decode_quoted_printable(b"a=3Db=C3=A4=zz"),
            "a=bä=zz".as_bytes()
        );
    }

    #[test]
    fn a_fold_inside_a_utf8_character_is_joined_only_when_that_makes_utf8() {
        let split = b"S:ab\xc3\r\n \xa9cd\xf0\x9f\n\t\x98\x80!\r\n";
        assert_eq!(
            &*join_split_characters(split),
            "S:ab\u{e9}\r\n cd\u{1F600}\n\t!\r\n".as_bytes()
        );
        // windows-1252 text stays as it was (and is read as such).
        let latin = b"S:Z\xfc\r\n \xa9rich\r\n";
        assert_eq!(&*join_split_characters(latin), latin);
    }

    #[test]
    fn the_joiner_fed_in_pieces_joins_as_the_whole() {
        let split = b"S:ab\xc3\r\n \xa9cd\xf0\x9f\n\t\x98\x80!\r\n\xc3\r\n x\r\r\n";
        let mut whole = Vec::new();
        let mut j = FoldJoiner::default();
        j.feed(split, &mut whole);
        j.finish(&mut whole);
        for size in 1..5 {
            let mut out = Vec::new();
            let mut j = FoldJoiner::default();
            for piece in split.chunks(size) {
                j.feed(piece, &mut out);
            }
            j.finish(&mut out);
            assert_eq!(out, whole, "{size}");
        }
        assert!(whole.starts_with("S:ab\u{e9}\r\n cd\u{1F600}\n\t!".as_bytes()));
    }

    /// A card file of one huge line was held whole (twice): 300 MB took 600 MB before
    /// the line was refused as too long. Only the start of a physical line is kept.
    #[test]
    fn a_huge_streamed_line_is_not_held_whole() {
        use std::io::Read as _;
        let text = std::io::repeat(b'A')
            .take(64 << 20)
            .chain(&b"\r\nB:1\rC:2\r\r\nD:3\r"[..]);
        let lines: Vec<RawLine> = StreamedLines::new(std::io::BufReader::new(text)).collect();
        let got: Vec<(usize, usize)> = lines.iter().map(|l| (l.number, l.bytes.len())).collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(
            got[0].1 > MAX_LINE_BYTES && got[0].1 < 2 * MAX_LINE_BYTES,
            "{got:?}"
        );
        let rest: Vec<&[u8]> = lines[1..].iter().map(|l| l.bytes.as_slice()).collect();
        assert_eq!(rest, [&b"B:1"[..], b"C:2", b"D:3"]);
        assert_eq!(lines[3].number, 5);
    }

    #[test]
    fn latin1_fallback() {
        assert_eq!(decode_text(b"Z\xfcrich \x80", None), "Zürich €");
        assert_eq!(decode_text("Zürich".as_bytes(), None), "Zürich");
        assert_eq!(decode_text(b"\xe9", Some("ISO-8859-1")), "é");
    }
}
