//! Decoding one fetched MIME part (its header block and encoded body, as
//! [`crate::sync::Mailbox::fetch_parts`] returns it) into its content.

use mail_parser::{MessageParser, MimeHeaders};

use crate::sync::mailbox::FetchedPart;

/// A fetched part whose MIME cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("part {part}: unreadable MIME")]
pub struct PartError {
    pub part: String,
}

/// A part's content with the transfer encoding undone, and for text parts the
/// text in UTF-8 (its charset decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub bytes: Vec<u8>,
    pub text: Option<String>,
}

impl Decoded {
    /// The text, or the bytes read as UTF-8 (lossy) when the part is not text.
    pub fn into_text(self) -> String {
        self.text
            .unwrap_or_else(|| String::from_utf8_lossy(&self.bytes).into_owned())
    }
}

/// Undo the transfer encoding (and for text, the charset) of a fetched part.
pub fn decode_part(f: &FetchedPart) -> Result<Decoded, PartError> {
    // The header block must end in an empty line for the body to be read as one.
    let mut raw = f.mime_header.clone();
    if !raw.ends_with(b"\n") {
        raw.extend_from_slice(b"\r\n");
    }
    if !raw.ends_with(b"\n\n") && !raw.ends_with(b"\r\n\r\n") {
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(&f.body);
    let unreadable = || PartError {
        part: f.part.clone(),
    };
    let msg = MessageParser::default()
        .parse(&raw)
        .ok_or_else(unreadable)?;
    let part = msg.parts.first().ok_or_else(unreadable)?;
    Ok(Decoded {
        bytes: part.contents().to_vec(),
        text: text_of(part),
    })
}

/// A text part's text in UTF-8: its charset decoded, or UTF-8 when the label lied
/// ([`utf8_said_to_be_latin`]).
pub fn text_of(part: &mail_parser::MessagePart<'_>) -> Option<String> {
    let declared = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .unwrap_or("");
    let text = part.text_contents()?;
    Some(utf8_said_to_be_latin(text, declared).unwrap_or_else(|| text.to_string()))
}

/// Text a sender labelled ISO-8859-1 (or Windows-1252, US-ASCII) but wrote in
/// UTF-8, as some mailers do: read as labelled, "Café" became "CafÃ©". When every
/// character read is one byte of the label's and those bytes are UTF-8 with at
/// least one character past ASCII, the text is that UTF-8 (genuine Latin-1 text
/// is all but never valid UTF-8 so).
fn utf8_said_to_be_latin(text: &str, declared: &str) -> Option<String> {
    let latin = [
        "iso-8859-1",
        "latin1",
        "latin-1",
        "windows-1252",
        "cp1252",
        "us-ascii",
    ];
    if !latin.iter().any(|l| declared.eq_ignore_ascii_case(l)) || text.is_ascii() {
        return None;
    }
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<_>>()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An invitation labelled iso-8859-1 but written in UTF-8 showed "CafÃ© Müller"
    /// mojibake; real Latin-1 stays as it was.
    #[test]
    fn utf8_labelled_latin1_is_read_as_utf8() {
        let part = |charset: &str, body: &[u8]| FetchedPart {
            part: "2".into(),
            mime_header: format!("Content-Type: text/calendar; charset={charset}\r\n\r\n")
                .into_bytes(),
            body: body.to_vec(),
        };
        let utf8 = "SUMMARY:Café Müller\r\n".as_bytes();
        for charset in ["iso-8859-1", "ISO-8859-1", "windows-1252", "us-ascii"] {
            let d = decode_part(&part(charset, utf8)).unwrap();
            assert_eq!(
                d.text.as_deref(),
                Some("SUMMARY:Café Müller\r\n"),
                "{charset}"
            );
        }
        let latin = b"SUMMARY:Caf\xe9 M\xfcller\r\n";
        let d = decode_part(&part("iso-8859-1", latin)).unwrap();
        assert_eq!(d.text.as_deref(), Some("SUMMARY:Café Müller\r\n"));
    }

    #[test]
    fn base64_and_charsets_are_undone() {
        let f = FetchedPart {
            part: "2".into(),
            mime_header: b"Content-Type: text/calendar; charset=iso-8859-1\r\n\
                           Content-Transfer-Encoding: base64\r\n\r\n"
                .to_vec(),
            body: b"TfxsbGVy\r\n".to_vec(),
        };
        let d = decode_part(&f).unwrap();
        assert_eq!(d.text.as_deref(), Some("Müller"));
        let bin = FetchedPart {
            part: "3".into(),
            mime_header: b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64"
                .to_vec(),
            body: b"JVBERi0=".to_vec(),
        };
        assert_eq!(decode_part(&bin).unwrap().bytes, b"%PDF-");
    }
}
