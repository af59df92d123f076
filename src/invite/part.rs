//! Decoding one fetched MIME part (its header block and encoded body, as
//! [`crate::sync::Mailbox::fetch_parts`] returns it) into its content.

use mail_parser::MessageParser;

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
        text: part.text_contents().map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
