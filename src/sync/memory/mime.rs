//! A stored message's MIME tree and single parts, numbered as an IMAP server
//! numbers them (BODYSTRUCTURE, `BODY[n.MIME]`, `BODY[n]`), read from its bytes
//! with mail-parser. An encapsulated message (message/rfc822) is one leaf part here.

use std::collections::BTreeMap;

use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};

use crate::sync::mailbox::{FetchedPart, MimePart};

fn join(prefix: &str, n: usize) -> String {
    if prefix.is_empty() {
        n.to_string()
    } else {
        format!("{prefix}.{n}")
    }
}

/// (IMAP part number, mail-parser part index) in document order; the multipart
/// root is "", a single-part message's body is "1".
fn numbered(msg: &Message<'_>) -> Vec<(String, usize)> {
    fn walk(msg: &Message<'_>, id: usize, prefix: &str, out: &mut Vec<(String, usize)>) {
        let Some(part) = msg.parts.get(id) else {
            return;
        };
        match &part.body {
            PartType::Multipart(children) => {
                out.push((prefix.to_string(), id));
                for (i, child) in children.iter().enumerate() {
                    walk(msg, *child as usize, &join(prefix, i + 1), out);
                }
            }
            _ if prefix.is_empty() => out.push(("1".to_string(), id)),
            _ => out.push((prefix.to_string(), id)),
        }
    }
    let mut out = Vec::new();
    walk(msg, 0, "", &mut out);
    out
}

fn describe(number: String, p: &MessagePart<'_>) -> MimePart {
    let ct = p.content_type();
    let mime_type = match ct {
        Some(ct) => format!(
            "{}/{}",
            ct.ctype(),
            ct.subtype()
                .unwrap_or(if ct.ctype().eq_ignore_ascii_case("text") {
                    "plain"
                } else {
                    "octet-stream"
                })
        ),
        None => "text/plain".to_string(),
    }
    .to_ascii_lowercase();
    let params: BTreeMap<String, String> = ct
        .and_then(|ct| ct.attributes())
        .into_iter()
        .flatten()
        .map(|a| (a.name.to_ascii_lowercase(), a.value.to_string()))
        .collect();
    let multipart = p.is_multipart();
    MimePart {
        part: number,
        mime_type,
        params,
        disposition: p
            .content_disposition()
            .map(|d| d.ctype().to_ascii_lowercase()),
        filename: p.attachment_name().map(str::to_string),
        size: if multipart {
            0
        } else {
            u64::from(p.offset_end.saturating_sub(p.offset_body))
        },
        encoding: if multipart {
            String::new()
        } else {
            p.content_transfer_encoding()
                .unwrap_or("7bit")
                .to_ascii_lowercase()
        },
    }
}

/// The MIME tree of `raw`. Bytes that are not a message read as one text part
/// (as a server would describe them).
pub(super) fn structure(raw: &[u8]) -> Vec<MimePart> {
    match MessageParser::default().parse(raw) {
        Some(msg) => numbered(&msg)
            .into_iter()
            .map(|(n, id)| describe(n, &msg.parts[id]))
            .collect(),
        None => vec![MimePart {
            part: "1".into(),
            mime_type: "text/plain".into(),
            params: BTreeMap::new(),
            disposition: None,
            filename: None,
            size: raw.len() as u64,
            encoding: "7bit".into(),
        }],
    }
}

/// Part `number` of `raw`: its header block and its still-encoded body.
pub(super) fn part(raw: &[u8], number: &str) -> Option<FetchedPart> {
    let msg = MessageParser::default().parse(raw)?;
    let (_, id) = numbered(&msg)
        .into_iter()
        .find(|(n, _)| !n.is_empty() && n == number)?;
    let p = &msg.parts[id];
    let slice = |from: u32, to: u32| raw.get(from as usize..to as usize).map(<[u8]>::to_vec);
    Some(FetchedPart {
        part: number.to_string(),
        mime_header: slice(p.offset_header, p.offset_body)?,
        body: slice(p.offset_body, p.offset_end)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &str = "From: a@x\r\nMessage-ID: <m@x>\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
        --outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n\
        --inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n\
        --inner\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n\
        Content-Transfer-Encoding: base64\r\n\r\nQkVHSU46VkNBTEVOREFS\r\n\
        --inner--\r\n\
        --outer\r\nContent-Type: application/pdf; name=\"slides.pdf\"\r\n\
        Content-Disposition: attachment; filename=\"slides.pdf\"\r\n\
        Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n\
        --outer--\r\n";

    #[test]
    fn parts_are_numbered_as_imap_numbers_them() {
        let tree = structure(MIXED.as_bytes());
        let shape: Vec<(&str, &str)> = tree
            .iter()
            .map(|p| (p.part.as_str(), p.mime_type.as_str()))
            .collect();
        assert_eq!(
            shape,
            [
                ("", "multipart/mixed"),
                ("1", "multipart/alternative"),
                ("1.1", "text/plain"),
                ("1.2", "text/calendar"),
                ("2", "application/pdf"),
            ]
        );
        let cal = &tree[3];
        assert_eq!(
            cal.params.get("method").map(String::as_str),
            Some("REQUEST")
        );
        assert_eq!(cal.encoding, "base64");
        let pdf = &tree[4];
        assert_eq!(pdf.disposition.as_deref(), Some("attachment"));
        assert_eq!(pdf.filename.as_deref(), Some("slides.pdf"));
        assert!(pdf.size >= 8, "{}", pdf.size);

        let fetched = part(MIXED.as_bytes(), "1.2").unwrap();
        let header = String::from_utf8(fetched.mime_header).unwrap();
        assert!(header.contains("text/calendar"), "{header}");
        assert!(!header.contains("text/plain"), "{header}");
        assert_eq!(fetched.body.trim_ascii(), b"QkVHSU46VkNBTEVOREFS");
        assert!(part(MIXED.as_bytes(), "3").is_none());
        assert!(part(MIXED.as_bytes(), "").is_none());
    }

    /// As Dovecot answers for the same message (tests/mail_imap.rs): RFC 2231
    /// file names decoded, the CRLF before a boundary left out of the part.
    #[test]
    fn parts_read_as_dovecot_reads_them() {
        let ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n";
        let raw = format!(
            "Subject: x\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
             --outer\r\nContent-Type: text/calendar; charset=utf-8; method=REQUEST\r\n\r\n{ics}\
             --outer\r\nContent-Type: application/pdf; name=\"slides.pdf\"\r\n\
             Content-Disposition: attachment; filename*=utf-8''Folien%20f%C3%BCr%20Q4.pdf\r\n\
             Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--outer--\r\n"
        );
        let tree = structure(raw.as_bytes());
        assert_eq!(tree[2].filename.as_deref(), Some("Folien für Q4.pdf"));
        let cal = part(raw.as_bytes(), "1").unwrap();
        assert_eq!(cal.body, ics.strip_suffix("\r\n").unwrap().as_bytes());
    }

    #[test]
    fn a_single_part_message_is_part_1() {
        let raw =
            b"Subject: x\r\nContent-Type: text/calendar; method=CANCEL\r\n\r\nBEGIN:VCALENDAR\r\n";
        let tree = structure(raw);
        assert_eq!(tree.len(), 1);
        assert_eq!(
            (tree[0].part.as_str(), tree[0].mime_type.as_str()),
            ("1", "text/calendar")
        );
        let p = part(raw, "1").unwrap();
        assert_eq!(p.body, b"BEGIN:VCALENDAR\r\n");
    }
}
