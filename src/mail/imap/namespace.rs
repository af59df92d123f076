//! Where pim's folders live on a server (RFC 2342 NAMESPACE, or LIST when the
//! server has no NAMESPACE): the personal prefix (`""`, or `INBOX.` on Courier,
//! older Cyrus and some Dovecot setups) and the hierarchy separator. pim names
//! its folders with `/` (`PIM/Changes`); [`Namespace::server_name`] spells them
//! the server's way (`INBOX.PIM.Changes`). Pure: no I/O.

/// Why pim's folders cannot be used under the namespace the server reports now.
#[derive(Debug, thiserror::Error)]
pub enum NamespaceError {
    #[error(
        "the server's personal namespace changed (was {before}; now {now}) and pim's folders \
         are not there: {missing} not found. Check the account or the server before syncing again"
    )]
    Changed {
        before: String,
        now: String,
        missing: String,
    },
    #[error(transparent)]
    Mailbox(#[from] crate::sync::mailbox::MailboxError),
}

/// The personal namespace of one account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Namespace {
    /// Prepended to every folder but INBOX (e.g. `INBOX.`); may be empty.
    pub prefix: String,
    /// The hierarchy separator; `None` when the server has no hierarchy (flat).
    pub separator: Option<char>,
    /// Where this came from: "NAMESPACE" or "LIST".
    pub source: String,
}

impl Default for Namespace {
    fn default() -> Self {
        Namespace {
            prefix: String::new(),
            separator: Some('/'),
            source: "assumed".into(),
        }
    }
}

impl Namespace {
    /// A pim folder name (`/`-separated) as this server spells it. INBOX is the
    /// same everywhere and never prefixed.
    pub fn server_name(&self, folder: &str) -> String {
        if folder.eq_ignore_ascii_case("INBOX") {
            return "INBOX".into();
        }
        // A flat server gets `PIM-Changes`: one level, still recognisable.
        let sep = self.separator.unwrap_or('-');
        let local = if sep == '/' {
            folder.to_string()
        } else {
            folder.replace('/', &sep.to_string())
        };
        if self.prefix.is_empty() || local.starts_with(&self.prefix) {
            local
        } else {
            format!("{}{local}", self.prefix)
        }
    }

    /// For display: `"INBOX." separator "."`.
    pub fn describe(&self) -> String {
        let sep = match self.separator {
            Some(c) => format!("{c:?}"),
            None => "none (flat)".into(),
        };
        format!(
            "prefix {:?}, separator {sep} (from {})",
            self.prefix, self.source
        )
    }

    /// The compact form remembered per account: `prefix<TAB>separator`.
    pub fn remembered(&self) -> String {
        format!(
            "{}\t{}",
            self.prefix,
            self.separator.map(String::from).unwrap_or_default()
        )
    }

    /// Whether `remembered` (from [`Namespace::remembered`]) names the same layout.
    pub fn same_as_remembered(&self, remembered: &str) -> bool {
        self.remembered() == remembered
    }
}

/// The first personal namespace of a `* NAMESPACE` line, e.g.
/// `* NAMESPACE (("INBOX." ".")) NIL NIL` → prefix `INBOX.`, separator `.`.
/// `None` when the line is not a NAMESPACE answer or names no personal namespace.
pub fn parse_namespace_line(line: &str) -> Option<Namespace> {
    let rest = line.trim().strip_prefix("* ")?;
    let (word, rest) = rest.split_once(' ')?;
    if !word.eq_ignore_ascii_case("NAMESPACE") {
        return None;
    }
    let rest = rest.trim_start().strip_prefix("((")?;
    let (prefix, rest) = imap_string(rest.trim_start())?;
    let (separator, _) = nstring(rest.trim_start())?;
    Some(Namespace {
        prefix,
        separator: separator.and_then(|s| s.chars().next()),
        source: "NAMESPACE".into(),
    })
}

/// A quoted string at the start of `s`: (value, rest).
fn imap_string(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' => return Some((out, &body[i + 1..])),
            c => out.push(c),
        }
    }
    None
}

/// A quoted string or NIL.
fn nstring(s: &str) -> Option<(Option<String>, &str)> {
    if s.len() >= 3 && s[..3].eq_ignore_ascii_case("NIL") {
        return Some((None, &s[3..]));
    }
    imap_string(s).map(|(v, rest)| (Some(v), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_lines() {
        let ns = parse_namespace_line("* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL").unwrap();
        assert_eq!(ns.prefix, "INBOX.");
        assert_eq!(ns.separator, Some('.'));
        let ns =
            parse_namespace_line("* NAMESPACE ((\"\" \"/\")) NIL ((\"#shared/\" \"/\"))").unwrap();
        assert_eq!((ns.prefix.as_str(), ns.separator), ("", Some('/')));
        let ns = parse_namespace_line("* namespace ((\"\" NIL)) NIL NIL").unwrap();
        assert_eq!(ns.separator, None);
        let ns = parse_namespace_line(r#"* NAMESPACE (("a\"b" "\\")) NIL NIL"#).unwrap();
        assert_eq!((ns.prefix.as_str(), ns.separator), ("a\"b", Some('\\')));
        assert_eq!(parse_namespace_line("* NAMESPACE NIL NIL NIL"), None);
        assert_eq!(parse_namespace_line("* 1 EXPUNGED"), None);
    }

    #[test]
    fn folders_are_spelled_the_servers_way() {
        let dotted = Namespace {
            prefix: "INBOX.".into(),
            separator: Some('.'),
            source: "NAMESPACE".into(),
        };
        assert_eq!(dotted.server_name("PIM/Changes"), "INBOX.PIM.Changes");
        assert_eq!(dotted.server_name("INBOX"), "INBOX");
        assert_eq!(dotted.server_name("inbox"), "INBOX");
        assert_eq!(dotted.server_name("INBOX.Invites"), "INBOX.Invites");
        let plain = Namespace::default();
        assert_eq!(plain.server_name("PIM/Changes"), "PIM/Changes");
        let flat = Namespace {
            separator: None,
            ..Namespace::default()
        };
        assert_eq!(flat.server_name("PIM/Changes"), "PIM-Changes");
        assert!(dotted.same_as_remembered("INBOX.\t."));
        assert!(!plain.same_as_remembered("INBOX.\t."));
        assert!(dotted.describe().contains("\"INBOX.\""));
    }
}
