//! What this device remembers about invitations (DESIGN.md §7): the INBOX scan
//! position, the invitations found (with the attachment parts seen in
//! BODYSTRUCTURE) and the outbox of replies waiting for SMTP. Local to the device
//! (every device that scans finds invitations again); the tables come from
//! migration 6.

use std::fmt;
use std::str::FromStr;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Result, Store};
use crate::model::change::AttachmentRef;

/// Where an invitation stands. Stored as its text (`as_str`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InvitationStatus {
    /// Waiting for the user's answer.
    New,
    /// A newer version of an event we have: applied, to be answered again.
    Update,
    Accepted,
    Tentative,
    Declined,
    /// A cancellation or an attendee's reply, applied to the calendar.
    Applied,
    /// Not newer than the event we have.
    Outdated,
    /// Nothing to do (about an event we do not have or do not organise).
    Ignored,
    /// The message could not be read (see the invitation's `error`).
    Invalid,
    /// A counter-proposal we took.
    CounterAccepted,
    /// A counter-proposal we refused.
    CounterDeclined,
    /// Refused as not authorised by RFC 5546 (e.g. an update not sent by the
    /// event's organizer); never applied, the reason is in `note`.
    Suspicious,
}

/// A status text this pim does not know (a newer pim wrote it, or the row is damaged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown invitation status {0:?}")]
pub struct UnknownStatus(pub String);

impl InvitationStatus {
    pub const ALL: [InvitationStatus; 12] = [
        InvitationStatus::New,
        InvitationStatus::Update,
        InvitationStatus::Accepted,
        InvitationStatus::Tentative,
        InvitationStatus::Declined,
        InvitationStatus::Applied,
        InvitationStatus::Outdated,
        InvitationStatus::Ignored,
        InvitationStatus::Invalid,
        InvitationStatus::CounterAccepted,
        InvitationStatus::CounterDeclined,
        InvitationStatus::Suspicious,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::New => "new",
            InvitationStatus::Update => "update",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Tentative => "tentative",
            InvitationStatus::Declined => "declined",
            InvitationStatus::Applied => "applied",
            InvitationStatus::Outdated => "outdated",
            InvitationStatus::Ignored => "ignored",
            InvitationStatus::Invalid => "invalid",
            InvitationStatus::CounterAccepted => "counter-accepted",
            InvitationStatus::CounterDeclined => "counter-declined",
            InvitationStatus::Suspicious => "suspicious",
        }
    }

    /// Waiting for the user (a request, an update, a counter-proposal).
    pub fn awaits_answer(self) -> bool {
        matches!(self, InvitationStatus::New | InvitationStatus::Update)
    }
}

impl FromStr for InvitationStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> std::result::Result<Self, UnknownStatus> {
        InvitationStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}

impl fmt::Display for InvitationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A MIME part of the invitation message that is not the calendar object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    pub part: String,
    pub name: String,
    #[serde(rename = "type")]
    pub content_type: String,
    /// Decoded bytes: what fetching it gives when `size_exact` (the server said,
    /// or the message was read whole), else estimated from the encoded size.
    pub size: u64,
    #[serde(default)]
    pub size_exact: bool,
}

/// One invitation message as found in the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// Local number (`pim invites show ID`); 0 before it is stored.
    pub id: i64,
    pub folder: String,
    pub uidvalidity: u32,
    pub uid: u32,
    pub message_id: String,
    pub from: String,
    /// The `Sender` header, when the message has one.
    #[serde(default)]
    pub sender: String,
    /// The `Authentication-Results` header the receiving server added, if any.
    #[serde(default)]
    pub authentication_results: String,
    pub subject: String,
    pub date: String,
    /// The `text/calendar` part used, its Content-Type `method=` parameter.
    pub calendar_part: String,
    pub content_method: Option<String>,
    /// Decoded calendar text; empty when the message could not be read.
    pub ics: String,
    pub attachments: Vec<PartInfo>,
    /// Why the invitation cannot be used (malformed, too large, no UID...).
    pub error: Option<String>,
    pub status: InvitationStatus,
    /// What scanning did or found (e.g. "updated event", "no such event").
    pub note: String,
    pub event_id: Option<String>,
    /// Where the message was parked after answering.
    pub parked: Option<AttachmentRef>,
    /// Parking still to do (answered while the IMAP server was unreachable).
    pub park_pending: bool,
}

impl Invitation {
    /// A message at `folder`/`uid` before anything is known about it.
    pub fn found(folder: &str, uidvalidity: u32, uid: u32) -> Invitation {
        Invitation {
            id: 0,
            folder: folder.to_string(),
            uidvalidity,
            uid,
            message_id: String::new(),
            from: String::new(),
            sender: String::new(),
            authentication_results: String::new(),
            subject: String::new(),
            date: String::new(),
            calendar_part: String::new(),
            content_method: None,
            ics: String::new(),
            attachments: Vec::new(),
            error: None,
            status: InvitationStatus::Invalid,
            note: String::new(),
            event_id: None,
            parked: None,
            park_pending: false,
        }
    }

    /// The same message found again (e.g. after UIDVALIDITY changed) keeps its row.
    fn message_key(&self) -> String {
        if self.message_id.is_empty() {
            format!(
                "{}/{}/{}/{}",
                self.folder, self.uidvalidity, self.uid, self.calendar_part
            )
        } else {
            format!("{}#{}", self.message_id, self.calendar_part)
        }
    }
}

/// A reply waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedReply {
    pub id: i64,
    pub from: String,
    pub to: Vec<String>,
    pub message: Vec<u8>,
    pub last_error: String,
}

fn encode(inv: &Invitation) -> String {
    // Plain strings, numbers and enums: serializing cannot fail.
    serde_json::to_string(inv).expect("an invitation serializes")
}

/// A row that cannot be read (damaged, or an unknown status) stays visible as an
/// invalid invitation saying why, instead of hiding every other invitation.
fn decode(id: i64, data: &str) -> Invitation {
    let mut inv = serde_json::from_str::<Invitation>(data).unwrap_or_else(|e| {
        let mut bad = Invitation::found("", 0, 0);
        bad.error = Some(format!("stored invitation {id} is unreadable: {e}"));
        bad
    });
    inv.id = id;
    inv
}

impl Store {
    /// (UIDVALIDITY, next UID to look at) of the last invitation scan of `folder`.
    pub fn invite_scan_position(&self, account: &str, folder: &str) -> Result<Option<(u32, u32)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT uidvalidity, next_uid FROM invite_scan WHERE account = ?1 AND folder = ?2",
                params![account, folder],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub fn set_invite_scan_position(
        &self,
        account: &str,
        folder: &str,
        uidvalidity: u32,
        next_uid: u32,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO invite_scan (account, folder, uidvalidity, next_uid) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (account, folder) DO UPDATE SET uidvalidity = ?3, next_uid = ?4",
            params![account, folder, uidvalidity, next_uid],
        )?;
        Ok(())
    }

    /// Store a newly found invitation; its id, or None when the message was known.
    pub fn insert_invitation(&self, account: &str, inv: &Invitation) -> Result<Option<i64>> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO invitations (account, message_key, data) VALUES (?1, ?2, ?3)",
            params![account, inv.message_key(), encode(inv)],
        )?;
        Ok((n > 0).then(|| self.conn.last_insert_rowid()))
    }

    pub fn save_invitation(&self, inv: &Invitation) -> Result<()> {
        self.conn.execute(
            "UPDATE invitations SET data = ?2 WHERE id = ?1",
            params![inv.id, encode(inv)],
        )?;
        Ok(())
    }

    /// Every invitation of `account` (all accounts when None), oldest first.
    pub fn invitations(&self, account: Option<&str>) -> Result<Vec<Invitation>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, data FROM invitations WHERE ?1 IS NULL OR account = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![account], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, data) = row?;
            out.push(decode(id, &data));
        }
        Ok(out)
    }

    /// One invitation with the name of its account.
    pub fn invitation(&self, id: i64) -> Result<Option<(String, Invitation)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT account, data FROM invitations WHERE id = ?1",
                params![id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
            .map(|(a, d)| (a, decode(id, &d))))
    }

    /// Queue a reply for the next sync; `why` says why it was not sent now.
    pub fn queue_reply(
        &self,
        account: &str,
        from: &str,
        to: &[String],
        message: &[u8],
        why: &str,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO mail_outbox (account, sender, recipients, message, last_error)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![account, from, to.join("\n"), message, why],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn queued_replies(&self, account: &str) -> Result<Vec<QueuedReply>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, sender, recipients, message, last_error FROM mail_outbox
             WHERE account = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![account], |r| {
            Ok(QueuedReply {
                id: r.get(0)?,
                from: r.get(1)?,
                to: r.get::<_, String>(2)?.lines().map(str::to_string).collect(),
                message: r.get(3)?,
                last_error: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    /// A queued reply was sent.
    pub fn remove_queued_reply(&self, id: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM mail_outbox WHERE id = ?1", params![id])?;
        Ok(())
    }

    /// Sending a queued reply failed again; it stays queued.
    pub fn note_reply_failure(&self, id: i64, why: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE mail_outbox SET last_error = ?2 WHERE id = ?1",
            params![id, why],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(mid: &str) -> Invitation {
        let mut inv = Invitation::found("INBOX", 7, 3);
        inv.message_id = mid.into();
        inv.calendar_part = "2".into();
        inv.status = InvitationStatus::New;
        inv
    }

    #[test]
    fn status_text_round_trips_and_unknown_text_is_an_error() {
        for st in InvitationStatus::ALL {
            assert_eq!(st.as_str().parse::<InvitationStatus>(), Ok(st));
            let json = serde_json::to_string(&st).unwrap();
            assert_eq!(json, format!("\"{}\"", st.as_str()));
        }
        assert_eq!(
            "maybe".parse::<InvitationStatus>(),
            Err(UnknownStatus("maybe".into()))
        );
    }

    #[test]
    fn invitations_are_stored_once_per_message() {
        let store = Store::open_in_memory().unwrap();
        let id = store.insert_invitation("mail", &sample("<a@x>")).unwrap();
        assert_eq!(id, Some(1));
        assert_eq!(
            store.insert_invitation("mail", &sample("<a@x>")).unwrap(),
            None
        );
        let (acct, mut inv) = store.invitation(1).unwrap().unwrap();
        assert_eq!((acct.as_str(), inv.id), ("mail", 1));
        inv.status = InvitationStatus::Accepted;
        store.save_invitation(&inv).unwrap();
        let all = store.invitations(Some("mail")).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].status, InvitationStatus::Accepted);
        assert!(store.invitations(Some("other")).unwrap().is_empty());
        assert!(store.invitation(2).unwrap().is_none());
    }

    #[test]
    fn an_unknown_status_in_a_row_shows_as_an_invalid_invitation() {
        let store = Store::open_in_memory().unwrap();
        store.insert_invitation("mail", &sample("<a@x>")).unwrap();
        store
            .conn
            .execute(
                "UPDATE invitations SET data = json_set(data, '$.status', 'maybe')",
                [],
            )
            .unwrap();
        let (_, inv) = store.invitation(1).unwrap().unwrap();
        assert_eq!(inv.status, InvitationStatus::Invalid);
        let why = inv.error.unwrap();
        assert!(why.contains("maybe"), "{why}");
    }

    #[test]
    fn scan_position_and_outbox() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.invite_scan_position("mail", "INBOX").unwrap(), None);
        store
            .set_invite_scan_position("mail", "INBOX", 5, 10)
            .unwrap();
        store
            .set_invite_scan_position("mail", "INBOX", 6, 2)
            .unwrap();
        assert_eq!(
            store.invite_scan_position("mail", "INBOX").unwrap(),
            Some((6, 2))
        );
        let to = vec!["a@x".to_string(), "b@x".to_string()];
        let id = store
            .queue_reply("mail", "me@x", &to, b"msg", "offline")
            .unwrap();
        store.note_reply_failure(id, "still offline").unwrap();
        let q = store.queued_replies("mail").unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!(
            (q[0].to.clone(), q[0].last_error.as_str()),
            (to, "still offline")
        );
        store.remove_queued_reply(id).unwrap();
        assert!(store.queued_replies("mail").unwrap().is_empty());
    }

    /// A schema-5 profile, with or without the tables the old code created on
    /// first use, migrates to the current schema and keeps what it had.
    #[test]
    fn schema_5_profiles_migrate_with_and_without_the_old_tables() {
        for had_tables in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("pim.db");
            drop(Store::open(&path).unwrap());
            {
                let c = rusqlite::Connection::open(&path).unwrap();
                c.execute_batch(
                    "DROP TABLE invite_scan; DROP TABLE invitations; DROP TABLE mail_outbox;
                     PRAGMA user_version = 5;",
                )
                .unwrap();
                if had_tables {
                    // Exactly what the old `CREATE TABLE IF NOT EXISTS` made.
                    c.execute_batch(
                        "CREATE TABLE invite_scan (
                             account TEXT NOT NULL, folder TEXT NOT NULL,
                             uidvalidity INTEGER NOT NULL, next_uid INTEGER NOT NULL,
                             PRIMARY KEY (account, folder));
                         CREATE TABLE invitations (
                             id INTEGER PRIMARY KEY AUTOINCREMENT,
                             account TEXT NOT NULL, message_key TEXT NOT NULL, data TEXT NOT NULL,
                             UNIQUE (account, message_key));
                         CREATE TABLE mail_outbox (
                             id INTEGER PRIMARY KEY AUTOINCREMENT,
                             account TEXT NOT NULL, sender TEXT NOT NULL, recipients TEXT NOT NULL,
                             message BLOB NOT NULL, last_error TEXT NOT NULL DEFAULT '');
                         INSERT INTO invite_scan VALUES ('mail', 'INBOX', 9, 4);",
                    )
                    .unwrap();
                    let data = encode(&sample("<old@x>"));
                    let delegated = data.replace("\"status\":\"new\"", "\"status\":\"delegated\"");
                    assert_ne!(data, delegated);
                    c.execute(
                        "INSERT INTO invitations (account, message_key, data)
                         VALUES ('mail', 'k', ?1), ('mail', 'd', ?2)",
                        [data, delegated],
                    )
                    .unwrap();
                }
            }
            let store = Store::open(&path).unwrap();
            let version: i64 = store
                .conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(version, super::super::schema::MIGRATIONS.len() as i64);
            let kept = store.invitations(None).unwrap();
            let position = store.invite_scan_position("mail", "INBOX").unwrap();
            if had_tables {
                assert_eq!(kept.len(), 2, "the old invitations are kept");
                assert_eq!(kept[0].message_id, "<old@x>");
                assert_eq!(kept[0].status, InvitationStatus::New);
                // A status older pims wrote that is no longer one: read, not invalid.
                assert_eq!(kept[1].status, InvitationStatus::Ignored);
                assert_eq!(kept[1].error, None);
                assert_eq!(position, Some((9, 4)));
            } else {
                assert!(kept.is_empty());
                assert_eq!(position, None);
            }
            store.insert_invitation("mail", &sample("<new@x>")).unwrap();
            store.queue_reply("mail", "me@x", &[], b"m", "").unwrap();
            assert_eq!(store.invitations(None).unwrap().len(), kept.len() + 1);
        }
    }
}
