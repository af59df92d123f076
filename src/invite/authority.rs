//! Who may change what (RFC 5546 §3.2, RFC 6047 §3): an update or cancellation
//! counts only when it comes from the event's organizer, a reply only for its
//! sender's own ATTENDEE entry. Mail cannot prove who sent it; these checks stop
//! a stranger from rewriting events, and [`AuthSummary`] shows what the receiving
//! server verified.

use serde::Serialize;

use super::address_of;
use super::apply::Settings;
use crate::model::Record;

/// The mailbox addresses of an address header (`From`, `Sender`), lower case.
/// `"Doe, Jo" <jo@x.org>, ann@y.org` → `jo@x.org`, `ann@y.org`. Quoted display
/// names and comments are passed over (RFC 5322 §3.2.4, §3.2.2): an address in
/// them is text anyone may write, `"Bob <bob@x.org>" <mallory@evil.org>` is
/// Mallory's mail.
pub fn header_addresses(header: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Per mailbox: its `<…>` addresses and the words outside quotes and comments.
    let mut angles: Vec<String> = Vec::new();
    let mut bare = String::new();
    let mut flush = |angles: &mut Vec<String>, bare: &mut String| {
        let words: Vec<&str> = bare.split_whitespace().collect();
        // One address per mailbox; a malformed one (two `<…>`, or two words and
        // no `<…>`) gives none: which of them a server checked cannot be told.
        match (angles.as_slice(), words.as_slice()) {
            ([a], _) => out.push(address_of(a)),
            ([], [a]) => out.push(address_of(a)),
            _ => {}
        }
        angles.clear();
        bare.clear();
    };
    let mut chars = header.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => skip_quoted(&mut chars),
            '(' => skip_comment(&mut chars),
            '<' => angles.push(chars.by_ref().take_while(|&c| c != '>').collect()),
            ',' | ';' => flush(&mut angles, &mut bare),
            // A group's name (`Friends: a@x.org, b@y.org;`) is not an address.
            ':' if angles.is_empty() => bare.clear(),
            c => bare.push(c),
        }
    }
    flush(&mut angles, &mut bare);
    out.retain(|a| a.contains('@'));
    out.dedup();
    out
}

/// Past a quoted string's closing quote (a backslash quotes the next character).
fn skip_quoted(chars: &mut std::str::Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return,
            _ => {}
        }
    }
}

/// Past a comment's closing parenthesis (comments nest; a backslash quotes).
fn skip_comment(chars: &mut std::str::Chars<'_>) {
    let mut depth = 1;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
}

/// Whether `sender` speaks for `party`: the same address, or both are ours
/// (any configured alias speaks for the user).
pub fn speaks_for(sender: &str, party: &str, s: &Settings) -> bool {
    let (sender, party) = (address_of(sender), address_of(party));
    sender == party || (s.me.contains(&sender) && s.me.contains(&party))
}

/// Why a message may not change an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the message names no sender (From/Sender)")]
    NoSender,
    #[error(
        "sent by {sender}, but the event was not received from an organizer: mail cannot change it"
    )]
    PrivateEvent { sender: String },
    #[error("sent by {sender}, but you organise this event")]
    NotYourOrganizer { sender: String },
    #[error("sent by {sender}, but the event's organizer is {organizer}")]
    NotTheOrganizer { sender: String, organizer: String },
    #[error("a reply from {sender} answers for {others} and not for its sender")]
    ReplyForOthers { sender: String, others: String },
    #[error("a reply from {sender}, who is not invited to this event (not added)")]
    NotInvited { sender: String },
    #[error("a counter-proposal from {sender}, who is not invited to this event")]
    CounterFromStranger { sender: String },
}

fn first(senders: &[String]) -> String {
    senders.first().cloned().unwrap_or_default()
}

/// May a message from `senders` update or cancel our event `ev`? Only when one
/// of them speaks for the ORGANIZER we stored; an event without one (made here,
/// imported, synced) is never changed by mail.
pub fn may_update(ev: &Record, senders: &[String], s: &Settings) -> Result<(), Refusal> {
    if senders.is_empty() {
        return Err(Refusal::NoSender);
    }
    let Some(organizer) = ev.prop("ORGANIZER").map(|p| address_of(&p.value)) else {
        return Err(Refusal::PrivateEvent {
            sender: first(senders),
        });
    };
    if senders.iter().any(|x| speaks_for(x, &organizer, s)) {
        return Ok(());
    }
    if s.me.contains(&organizer) {
        return Err(Refusal::NotYourOrganizer {
            sender: first(senders),
        });
    }
    Err(Refusal::NotTheOrganizer {
        sender: first(senders),
        organizer,
    })
}

/// The sender's own address among `addresses`, if any.
pub fn sender_among<'a>(
    senders: &[String],
    addresses: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    addresses
        .into_iter()
        .map(address_of)
        .find(|a| senders.contains(a))
}

/// What the receiving server verified (RFC 8601 `Authentication-Results`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuthSummary {
    /// The server that checked (the header's authserv-id).
    pub server: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spf: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dmarc: Option<String>,
}

impl AuthSummary {
    /// Read an `Authentication-Results` header; None when it is empty or
    /// reports none of DKIM, SPF, DMARC.
    pub fn parse(header: &str) -> Option<AuthSummary> {
        let mut parts = header.split(';');
        let server = parts.next()?.split_whitespace().next()?.to_string();
        let mut a = AuthSummary {
            server,
            ..AuthSummary::default()
        };
        for part in parts {
            let Some((method, rest)) = part.trim().split_once('=') else {
                continue;
            };
            let result = rest
                .split(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let slot = match method.trim().to_ascii_lowercase().as_str() {
                "dkim" => &mut a.dkim,
                "spf" => &mut a.spf,
                "dmarc" => &mut a.dmarc,
                _ => continue,
            };
            // Several DKIM signatures: one pass is enough.
            if slot.as_deref() != Some("pass") {
                *slot = Some(result);
            }
        }
        (a.dkim.is_some() || a.spf.is_some() || a.dmarc.is_some()).then_some(a)
    }

    /// `dkim=pass spf=fail dmarc=none (mx.example.org)`.
    pub fn short(&self) -> String {
        let mut out: Vec<String> = [
            ("dkim", &self.dkim),
            ("spf", &self.spf),
            ("dmarc", &self.dmarc),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
        .collect();
        out.push(format!("({})", self.server));
        out.join(" ")
    }
}
