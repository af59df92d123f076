//! An invitation a mail client hands over (mutt's `pipe-message`, aerc's `:pipe`):
//! a whole RFC 5322 message with a `text/calendar` part, or a bare iCalendar object
//! that names its METHOD.

use mail_parser::{MessageParser, MimeHeaders, PartType};

use super::MAX_CALENDAR_BYTES;

/// What the piped bytes hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PipedInvitation {
    pub message_id: String,
    pub from: String,
    pub sender: String,
    pub subject: String,
    pub date: String,
    pub authentication_results: String,
    /// The calendar part's Content-Type `method=`, when it has one.
    pub content_method: Option<String>,
    /// The decoded calendar text.
    pub ics: String,
    /// Other parts with a file name: (name, MIME type, decoded size).
    pub attachments: Vec<(String, String, u64)>,
}

/// Why the bytes are not an invitation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipedError {
    #[error("neither a mail message nor an iCalendar object")]
    Unreadable,
    #[error("the message has no text/calendar part")]
    NoCalendar,
    #[error("the calendar part is larger than {MAX_CALENDAR_BYTES} bytes")]
    TooLarge,
}

/// Read a piped message or bare `.ics`.
pub fn read_piped(bytes: &[u8]) -> Result<PipedInvitation, PipedError> {
    let text_start = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).to_string();
    let bare = text_start
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("BEGIN:VCALENDAR");
    if bare {
        if bytes.len() as u64 > MAX_CALENDAR_BYTES {
            return Err(PipedError::TooLarge);
        }
        let ics = String::from_utf8_lossy(bytes).into_owned();
        return Ok(PipedInvitation {
            ics,
            ..PipedInvitation::default()
        });
    }
    let msg = MessageParser::default()
        .parse(bytes)
        .filter(|m| m.from().is_some() || m.subject().is_some() || m.message_id().is_some())
        .ok_or(PipedError::Unreadable)?;
    let header = |name: &str| {
        msg.header_raw(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let is_calendar = |p: &mail_parser::MessagePart| {
        p.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("text")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("calendar"))
        })
    };
    // As the INBOX scan: the calendar part with a method= parameter wins.
    let cal = msg
        .parts
        .iter()
        .filter(|p| is_calendar(p))
        .max_by_key(|p| {
            p.content_type()
                .is_some_and(|ct| ct.attribute("method").is_some())
        })
        .ok_or(PipedError::NoCalendar)?;
    let contents = cal.contents();
    if contents.len() as u64 > MAX_CALENDAR_BYTES {
        return Err(PipedError::TooLarge);
    }
    let ics =
        super::part::text_of(cal).unwrap_or_else(|| String::from_utf8_lossy(contents).into_owned());
    let attachments = msg
        .parts
        .iter()
        .filter(|p| !is_calendar(p) && !matches!(p.body, PartType::Multipart(_)))
        .filter_map(|p| {
            let name = p.attachment_name()?.to_string();
            let ty = p
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{sub}", ct.ctype()),
                    None => ct.ctype().to_string(),
                })
                .unwrap_or_default()
                .to_ascii_lowercase();
            Some((name, ty, p.contents().len() as u64))
        })
        .collect();
    Ok(PipedInvitation {
        message_id: msg
            .message_id()
            .map(|m| format!("<{m}>"))
            .unwrap_or_default(),
        from: header("From"),
        sender: header("Sender"),
        subject: header("Subject"),
        date: header("Date"),
        authentication_results: header("Authentication-Results"),
        content_method: cal
            .content_type()
            .and_then(|ct| ct.attribute("method"))
            .map(str::to_string),
        ics,
        attachments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n\
        UID:x@example.test\r\nDTSTART:20270110T100000Z\r\nSUMMARY:Planning\r\n\
        ORGANIZER:mailto:bob@example.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_bare_calendar_and_a_message_are_read() {
        let bare = read_piped(ICS.as_bytes()).unwrap();
        assert_eq!(bare.ics, ICS);
        assert!(bare.from.is_empty());
        let eml = format!(
            "From: Bob <bob@example.test>\r\nTo: ada@example.test\r\nSubject: Invitation: Planning\r\n\
             Message-ID: <m1@example.test>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
             Content-Type: text/plain\r\n\r\nHello\r\n--b\r\n\
             Content-Type: text/calendar; method=REQUEST; charset=UTF-8\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b\r\n\
             Content-Type: application/pdf; name=\"a.pdf\"\r\n\
             Content-Disposition: attachment; filename=\"a.pdf\"\r\n\r\nPDFDATA\r\n--b--\r\n",
            base64_lines(ICS)
        );
        let m = read_piped(eml.as_bytes()).unwrap();
        assert_eq!(m.ics, ICS);
        assert_eq!(m.content_method.as_deref(), Some("REQUEST"));
        assert_eq!(m.message_id, "<m1@example.test>");
        assert!(m.from.contains("bob@example.test"), "{}", m.from);
        assert_eq!(m.subject, "Invitation: Planning");
        assert_eq!(m.attachments[0].0, "a.pdf");
        assert_eq!(
            read_piped(b"From: x@y\r\nSubject: hi\r\n\r\nno calendar"),
            Err(PipedError::NoCalendar)
        );
        assert_eq!(read_piped(b"\x00\x01"), Err(PipedError::Unreadable));
    }

    fn base64_lines(s: &str) -> String {
        use base64::Engine;
        let b = base64::engine::general_purpose::STANDARD.encode(s);
        b.as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\r\n")
    }
}
