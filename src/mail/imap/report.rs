//! What `pim account check` tells about a server: where pim's folders go, the
//! capabilities pim relies on, and what will not work (or work slower) there.

use super::{ImapMailbox, USED_CAPABILITIES};

/// Lines to print and warnings, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapabilityReport {
    pub lines: Vec<String>,
    pub warnings: Vec<String>,
}

/// Describe `mb`'s server as seen in this session.
pub fn capability_report(mb: &ImapMailbox) -> CapabilityReport {
    let has = |c: &str| mb.has_capability(c);
    let (offered, missing): (Vec<&str>, Vec<&str>) =
        USED_CAPABILITIES.iter().copied().partition(|c| has(c));
    let poll = mb.config().poll_interval.as_secs();
    build(
        &mb.namespace().describe(),
        &mb.server_folder("PIM/Changes"),
        &offered,
        &missing,
        poll,
    )
}

fn build(
    namespace: &str,
    example: &str,
    offered: &[&str],
    missing: &[&str],
    poll_secs: u64,
) -> CapabilityReport {
    let lacks = |c: &str| missing.contains(&c);
    let mut r = CapabilityReport::default();
    r.lines.push(format!("namespace: {namespace}"));
    r.lines.push(format!("pim's folders: {example} …"));
    r.lines
        .push(format!("capabilities used: {}", offered.join(" ")));
    if !missing.is_empty() {
        r.lines.push(format!("not offered: {}", missing.join(" ")));
    }
    r.lines.push(if lacks("IDLE") {
        format!("IDLE: no (sync --watch polls every {poll_secs} s)")
    } else {
        "IDLE: yes (sync --watch is woken by the server)".into()
    });
    if lacks("IDLE") {
        r.warnings.push(format!(
            "no IDLE: changes from other devices show up within {poll_secs} s, not at once"
        ));
    }
    if lacks("MOVE") && lacks("UIDPLUS") {
        r.warnings.push(
            "neither MOVE nor UIDPLUS: park = \"move\" copies invitations and leaves them in INBOX"
                .into(),
        );
    }
    if lacks("UIDPLUS") {
        r.warnings.push(
            "no UIDPLUS: pim deletes its old sync messages only when no other message in its \
             folders is marked deleted"
                .into(),
        );
    }
    if lacks("CONDSTORE") {
        r.warnings.push(
            "no CONDSTORE: each sync lists pim's folders by UID (slower, still correct)".into(),
        );
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trimmed_server_gets_warnings() {
        let r = build(
            "prefix \"\", separator '/' (from LIST)",
            "PIM/Changes",
            &[],
            USED_CAPABILITIES,
            30,
        );
        assert!(
            r.lines
                .iter()
                .any(|l| l == "IDLE: no (sync --watch polls every 30 s)")
        );
        assert_eq!(r.warnings.len(), 4);
        assert!(r.warnings[1].contains("leaves them in INBOX"));
        let full = build("x", "PIM/Changes", USED_CAPABILITIES, &[], 30);
        assert!(full.warnings.is_empty());
        assert!(full.lines.iter().any(|l| l.starts_with("IDLE: yes")));
        assert!(!full.lines.iter().any(|l| l.starts_with("not offered")));
    }
}
