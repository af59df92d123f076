//! The exact decoded size of MIME parts (RFC 3516 `BINARY.SIZE[part]`), so the
//! size listed for a parked attachment is the size a fetch writes. imap-proto
//! cannot read `BINARY.SIZE` items: the line filter ([`super::untagged`]) takes
//! the FETCH answer aside and it is read here.

use std::collections::BTreeMap;

use tokio::time::timeout;

use super::ImapMailbox;
use super::parts::part_path;
use crate::sync::mailbox::{MailboxError, MbResult};

impl ImapMailbox {
    /// `BINARY.SIZE` of each part of message `uid`, where the server offers
    /// BINARY; `Ok(None)` without it, when it refuses (e.g. `[UNKNOWN-CTE]`), or
    /// when it drops the connection instead (Dovecot 2.3 does on a part it cannot
    /// decode; the next command logs in again).
    pub(super) async fn imap_decoded_sizes(
        &mut self,
        folder: &str,
        uid: u32,
        parts: &[&str],
    ) -> MbResult<Option<Vec<Option<u64>>>> {
        if parts.is_empty() || !self.has_capability("BINARY") {
            return Ok(None);
        }
        for p in parts {
            part_path(p)?;
        }
        self.select_for_parts(folder).await?;
        let items: Vec<String> = parts.iter().map(|p| format!("BINARY.SIZE[{p}]")).collect();
        let command = format!("UID FETCH {uid} (UID {})", items.join(" "));
        let mut s = self.take().await?;
        self.commands += 1;
        let res = timeout(self.cfg.timeout, async {
            s.run_command_and_check_ok(&command).await?;
            Ok(s.get_mut().take_skipped())
        })
        .await;
        let lines = match self.give_back(s, "UID FETCH BINARY.SIZE", res) {
            Ok(lines) => lines,
            Err(MailboxError::Refused { .. } | MailboxError::Disconnected(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut sizes = BTreeMap::new();
        for line in &lines {
            match binary_sizes(line) {
                Some((Some(u), found)) if u == uid => sizes.extend(found),
                // Not an answer about this message: said once, as any skipped line.
                _ => self.say_once(format!("skipped a server line pim cannot read: {line}")),
            }
        }
        Ok(Some(parts.iter().map(|p| sizes.get(*p).copied()).collect()))
    }
}

/// The UID and `BINARY.SIZE[part] n` items of one untagged FETCH line, e.g.
/// `* 3 FETCH (UID 7 BINARY.SIZE[2] 20)` → (Some(7), {"2": 20}). `None` when the
/// line is not a FETCH answer.
pub fn binary_sizes(line: &str) -> Option<(Option<u32>, BTreeMap<String, u64>)> {
    let rest = line.trim().strip_prefix("* ")?;
    let (_, rest) = rest.split_once(' ')?;
    let items = rest
        .strip_prefix("FETCH (")
        .or_else(|| rest.strip_prefix("fetch ("))?
        .strip_suffix(')')?;
    let tokens = tokens(items)?;
    let mut uid = None;
    let mut sizes = BTreeMap::new();
    for pair in tokens.chunks(2) {
        let [name, value] = pair else { return None };
        let upper = name.to_ascii_uppercase();
        if upper == "UID" {
            uid = Some(value.parse().ok()?);
        } else if let Some(part) = upper
            .strip_prefix("BINARY.SIZE[")
            .and_then(|p| p.strip_suffix(']'))
        {
            sizes.insert(part.to_string(), value.parse().ok()?);
        }
    }
    Some((uid, sizes))
}

/// Items split at spaces, a parenthesised list (`FLAGS (\Seen)`) or a quoted
/// string kept as one token. `None` when unbalanced.
fn tokens(s: &str) -> Option<Vec<&str>> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            i += 1;
            continue;
        }
        let start = i;
        let mut depth = 0usize;
        let mut quoted = false;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if quoted => i += 1,
                b'"' => quoted = !quoted,
                b'(' | b'[' if !quoted => depth += 1,
                b')' | b']' if !quoted => depth = depth.checked_sub(1)?,
                b' ' if !quoted && depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        if depth != 0 || quoted {
            return None;
        }
        out.push(&s[start..i.min(s.len())]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_size_items_are_read_in_any_order() {
        let (uid, sizes) =
            binary_sizes("* 3 FETCH (UID 7 BINARY.SIZE[2] 20 BINARY.SIZE[1.2] 0)\r\n").unwrap();
        assert_eq!(uid, Some(7));
        assert_eq!(sizes.get("2"), Some(&20));
        assert_eq!(sizes.get("1.2"), Some(&0));
        let (uid, sizes) =
            binary_sizes("* 3 FETCH (BINARY.SIZE[3] 1024 FLAGS (\\Seen \\Answered) UID 9)")
                .unwrap();
        assert_eq!((uid, sizes.get("3")), (Some(9), Some(&1024)));
        assert!(binary_sizes("* NAMESPACE ((\"\" \"/\")) NIL NIL").is_none());
        assert!(binary_sizes("* 3 FETCH (UID 7 BINARY.SIZE[2] many)").is_none());
        assert!(binary_sizes("* 3 FETCH (UID 7 FLAGS (\\Seen)").is_none());
    }

    /// async-imap's parser cannot read the answer, so the line filter must take
    /// it aside (else the command would fail for good).
    #[test]
    fn imap_proto_cannot_read_binary_size_so_the_filter_keeps_it() {
        let line = b"* 3 FETCH (UID 7 BINARY.SIZE[2] 20)\r\n";
        let mut f = super::super::untagged::LineFilter::default();
        f.push(line);
        f.push(b"a1 OK done\r\n");
        let mut out = vec![0u8; 200];
        let n = f.read_into(&mut out);
        assert_eq!(&out[..n], b"a1 OK done\r\n");
        assert_eq!(
            f.take_skipped(),
            ["* 3 FETCH (UID 7 BINARY.SIZE[2] 20)".to_string()]
        );
    }
}
