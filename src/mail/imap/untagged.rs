//! A read-side filter between the socket and async-imap: untagged lines its
//! parser cannot read are taken out of the stream instead of failing the whole
//! command (GNU Mailutils answers an expunge with the invalid `* 1 EXPUNGED`;
//! async-imap would stop at it for good). The tagged line still decides.
//!
//! Lines are kept aside (bounded) so the mailbox can report them, and so answers
//! imap-proto does not know at all (`* NAMESPACE …`) can be read by pim itself.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_imap::imap_proto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Skipped lines kept for the caller; older ones are dropped first.
const KEPT_LINES: usize = 32;
/// A line longer than this is passed on unexamined (it is not a short status
/// line a server got wrong, and holding it back would only cost memory).
const MAX_EXAMINED_LINE: usize = 64 * 1024;

/// The line-level state machine (no I/O): bytes in, bytes for async-imap out.
#[derive(Debug, Default)]
pub struct LineFilter {
    /// The start of the current line, not yet passed on.
    line: Vec<u8>,
    /// Bytes of a literal (`{N}`) still to pass through untouched.
    literal_left: usize,
    /// The current line continues a response after a literal: never a new response.
    continuation: bool,
    /// The current line was too long and is being passed through.
    passing: bool,
    out: VecDeque<u8>,
    skipped: VecDeque<String>,
}

impl LineFilter {
    /// Feed bytes read from the server.
    pub fn push(&mut self, mut input: &[u8]) {
        while !input.is_empty() {
            if self.literal_left > 0 {
                let n = self.literal_left.min(input.len());
                self.out.extend(&input[..n]);
                self.literal_left -= n;
                input = &input[n..];
                continue;
            }
            let (chunk, rest, complete) = match input.iter().position(|b| *b == b'\n') {
                Some(i) => (&input[..=i], &input[i + 1..], true),
                None => (input, &[][..], false),
            };
            input = rest;
            if self.passing {
                self.out.extend(chunk);
            } else {
                self.line.extend_from_slice(chunk);
                if self.line.len() > MAX_EXAMINED_LINE {
                    self.out.extend(self.line.drain(..));
                    self.passing = true;
                }
            }
            if complete {
                self.end_of_line();
            }
        }
    }

    fn end_of_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        let literal = literal_len(&line);
        let whole_response = !self.continuation && !self.passing && literal.is_none();
        if whole_response && line.starts_with(b"* ") && !parses(&line) {
            let text = String::from_utf8_lossy(&line).trim_end().to_string();
            if self.skipped.len() == KEPT_LINES {
                self.skipped.pop_front();
            }
            self.skipped.push_back(text);
        } else {
            self.out.extend(&line);
        }
        self.passing = false;
        self.literal_left = literal.unwrap_or(0);
        self.continuation = literal.is_some();
    }

    /// Pass a partial last line on (the server closed the connection).
    pub fn finish(&mut self) {
        self.out.extend(self.line.drain(..));
    }

    /// Move filtered bytes into `buf`; how many were moved.
    pub fn read_into(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.out.len());
        for (slot, byte) in buf.iter_mut().zip(self.out.drain(..n)) {
            *slot = byte;
        }
        n
    }

    pub fn has_output(&self) -> bool {
        !self.out.is_empty()
    }

    /// The untagged lines taken out since the last call, oldest first.
    pub fn take_skipped(&mut self) -> Vec<String> {
        self.skipped.drain(..).collect()
    }
}

/// Whether imap-proto reads this complete line (a literal-free response).
fn parses(line: &[u8]) -> bool {
    match imap_proto::Response::parse(line) {
        Ok(_) => true,
        // A complete line the parser still wants more of is not ours to judge.
        Err(e) => e.is_incomplete(),
    }
}

/// `N` when the line ends with a literal announcement `{N}` or `{N+}`.
fn literal_len(line: &[u8]) -> Option<usize> {
    let text = line.strip_suffix(b"\r\n").or(line.strip_suffix(b"\n"))?;
    let open = text.iter().rposition(|b| *b == b'{')?;
    let inner = text[open + 1..].strip_suffix(b"}")?;
    let digits = inner.strip_suffix(b"+").unwrap_or(inner);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The stream async-imap reads: `inner` with [`LineFilter`] applied.
#[derive(Debug)]
pub struct Filtered<S> {
    inner: S,
    filter: LineFilter,
}

impl<S> Filtered<S> {
    pub fn new(inner: S) -> Self {
        Filtered {
            inner,
            filter: LineFilter::default(),
        }
    }

    /// The untagged lines taken out of the stream since the last call.
    pub fn take_skipped(&mut self) -> Vec<String> {
        self.filter.take_skipped()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Filtered<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let mut scratch = [0u8; 8192];
        while !this.filter.has_output() {
            let mut raw = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.inner).poll_read(cx, &mut raw) {
                Poll::Ready(Ok(())) if raw.filled().is_empty() => {
                    this.filter.finish();
                    break; // end of stream: hand out what is left, then EOF
                }
                Poll::Ready(Ok(())) => this.filter.push(raw.filled()),
                other => return other,
            }
        }
        let n = this.filter.read_into(buf.initialize_unfilled());
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Filtered<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&[u8]]) -> (String, Vec<String>) {
        let mut f = LineFilter::default();
        let mut out = Vec::new();
        for c in chunks {
            f.push(c);
            let mut buf = [0u8; 7]; // small reads on purpose
            loop {
                let n = f.read_into(&mut buf);
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
        }
        (String::from_utf8(out).unwrap(), f.take_skipped())
    }

    #[test]
    fn malformed_untagged_lines_are_skipped_and_kept() {
        let (out, skipped) = run(&[b"* 1 EXPUNGED\r\n* 1 EXPUNGE\r\nA3 OK done\r\n"]);
        assert_eq!(out, "* 1 EXPUNGE\r\nA3 OK done\r\n");
        assert_eq!(skipped, ["* 1 EXPUNGED"]);
    }

    #[test]
    fn namespace_answers_are_kept_for_pim() {
        let (out, skipped) = run(&[b"* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL\r\nA1 OK\r\n"]);
        assert_eq!(out, "A1 OK\r\n");
        assert_eq!(skipped, ["* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL"]);
    }

    #[test]
    fn literals_pass_untouched_even_when_they_look_like_lines() {
        let body = "* 9 EXPUNGED\r\nnot a response\r\n";
        let msg = format!(
            "* 1 FETCH (UID 5 BODY[] {{{}}}\r\n{body})\r\nA2 OK\r\n",
            body.len()
        );
        // Split inside the literal and inside a line.
        let (a, b) = msg.as_bytes().split_at(30);
        let (out, skipped) = run(&[a, b]);
        assert_eq!(out, msg);
        assert!(skipped.is_empty());
    }

    #[test]
    fn partial_lines_wait_and_valid_lines_pass() {
        let (out, skipped) = run(&[b"* OK [UIDVALIDITY 3] x\r\n* 2 EXI", b"STS\r\n+ idling\r\n"]);
        assert_eq!(out, "* OK [UIDVALIDITY 3] x\r\n* 2 EXISTS\r\n+ idling\r\n");
        assert!(skipped.is_empty());
        assert_eq!(literal_len(b"x {12+}\r\n"), Some(12));
        assert_eq!(literal_len(b"x {}\r\n"), None);
        assert_eq!(literal_len(b"x {1a}\r\n"), None);
    }
}
