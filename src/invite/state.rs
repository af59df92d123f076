//! What this device remembers about invitations: the INBOX scan position, the
//! invitations found (with the attachment parts seen in BODYSTRUCTURE) and the
//! outbox of replies waiting for SMTP. Local to the device (invitations are
//! re-found by every device that scans); tables live in the profile database.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::model::change::AttachmentRef;
use crate::store::{Store, StoreError};

type Result<T> = std::result::Result<T, StoreError>;

/// A MIME part of the invitation message that is not the calendar object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    pub part: String,
    pub name: String,
    #[serde(rename = "type")]
    pub content_type: String,
    pub size: u64,
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
    /// new, update, accepted, tentative, declined, applied, outdated, ignored, ...
    pub status: String,
    /// What scanning did or found (e.g. "updated event", "no such event").
    pub note: String,
    pub event_id: Option<String>,
    /// Where the message was parked after answering.
    pub parked: Option<AttachmentRef>,
    /// Parking still to do (answered while the IMAP server was unreachable).
    pub park_pending: bool,
}

/// A reply waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub id: i64,
    pub from: String,
    pub to: Vec<String>,
    pub message: Vec<u8>,
    pub last_error: String,
}

fn ensure(store: &Store) -> Result<()> {
    store.invitation_tables_conn().execute_batch(
        "CREATE TABLE IF NOT EXISTS invite_scan (
             account TEXT NOT NULL, folder TEXT NOT NULL,
             uidvalidity INTEGER NOT NULL, next_uid INTEGER NOT NULL,
             PRIMARY KEY (account, folder));
         CREATE TABLE IF NOT EXISTS invitations (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             account TEXT NOT NULL, message_key TEXT NOT NULL, data TEXT NOT NULL,
             UNIQUE (account, message_key));
         CREATE TABLE IF NOT EXISTS mail_outbox (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             account TEXT NOT NULL, sender TEXT NOT NULL, recipients TEXT NOT NULL,
             message BLOB NOT NULL, last_error TEXT NOT NULL DEFAULT '');",
    )?;
    Ok(())
}

/// (UIDVALIDITY, next UID to look at) of the last scan of `folder`.
pub fn scan_position(store: &Store, account: &str, folder: &str) -> Result<Option<(u32, u32)>> {
    ensure(store)?;
    Ok(store
        .invitation_tables_conn()
        .query_row(
            "SELECT uidvalidity, next_uid FROM invite_scan WHERE account = ?1 AND folder = ?2",
            params![account, folder],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn set_scan_position(
    store: &Store,
    account: &str,
    folder: &str,
    uidvalidity: u32,
    next_uid: u32,
) -> Result<()> {
    ensure(store)?;
    store.invitation_tables_conn().execute(
        "INSERT INTO invite_scan (account, folder, uidvalidity, next_uid) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (account, folder) DO UPDATE SET uidvalidity = ?3, next_uid = ?4",
        params![account, folder, uidvalidity, next_uid],
    )?;
    Ok(())
}

/// The same message found again (e.g. after UIDVALIDITY changed) keeps its row.
fn message_key(inv: &Invitation) -> String {
    if inv.message_id.is_empty() {
        format!(
            "{}/{}/{}/{}",
            inv.folder, inv.uidvalidity, inv.uid, inv.calendar_part
        )
    } else {
        format!("{}#{}", inv.message_id, inv.calendar_part)
    }
}

/// Store a newly found invitation; returns its id, or None if it was known.
pub fn insert(store: &Store, account: &str, inv: &Invitation) -> Result<Option<i64>> {
    ensure(store)?;
    let data = serde_json::to_string(inv).expect("invitation serializes");
    let n = store.invitation_tables_conn().execute(
        "INSERT OR IGNORE INTO invitations (account, message_key, data) VALUES (?1, ?2, ?3)",
        params![account, message_key(inv), data],
    )?;
    Ok((n > 0).then(|| store.invitation_tables_conn().last_insert_rowid()))
}

pub fn save(store: &Store, inv: &Invitation) -> Result<()> {
    ensure(store)?;
    let data = serde_json::to_string(inv).expect("invitation serializes");
    store.invitation_tables_conn().execute(
        "UPDATE invitations SET data = ?2 WHERE id = ?1",
        params![inv.id, data],
    )?;
    Ok(())
}

fn decode(id: i64, data: &str) -> Invitation {
    let mut inv: Invitation = serde_json::from_str(data).unwrap_or_else(|e| Invitation {
        id,
        folder: String::new(),
        uidvalidity: 0,
        uid: 0,
        message_id: String::new(),
        from: String::new(),
        subject: String::new(),
        date: String::new(),
        calendar_part: String::new(),
        content_method: None,
        ics: String::new(),
        attachments: Vec::new(),
        error: Some(format!("stored invitation {id} is unreadable: {e}")),
        status: "invalid".into(),
        note: String::new(),
        event_id: None,
        parked: None,
        park_pending: false,
    });
    inv.id = id;
    inv
}

/// Every invitation of `account` (all accounts when None), oldest first.
pub fn list(store: &Store, account: Option<&str>) -> Result<Vec<Invitation>> {
    ensure(store)?;
    let mut stmt = store
        .invitation_tables_conn()
        .prepare("SELECT id, data FROM invitations WHERE ?1 IS NULL OR account = ?1 ORDER BY id")?;
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

pub fn get(store: &Store, id: i64) -> Result<Option<(String, Invitation)>> {
    ensure(store)?;
    Ok(store
        .invitation_tables_conn()
        .query_row(
            "SELECT account, data FROM invitations WHERE id = ?1",
            params![id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?
        .map(|(a, d)| (a, decode(id, &d))))
}

/// Queue a reply for the next sync.
pub fn enqueue(
    store: &Store,
    account: &str,
    from: &str,
    to: &[String],
    message: &[u8],
    why: &str,
) -> Result<i64> {
    ensure(store)?;
    store.invitation_tables_conn().execute(
        "INSERT INTO mail_outbox (account, sender, recipients, message, last_error)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![account, from, to.join("\n"), message, why],
    )?;
    Ok(store.invitation_tables_conn().last_insert_rowid())
}

pub fn queued(store: &Store, account: &str) -> Result<Vec<Queued>> {
    ensure(store)?;
    let mut stmt = store.invitation_tables_conn().prepare(
        "SELECT id, sender, recipients, message, last_error FROM mail_outbox
         WHERE account = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![account], |r| {
        Ok(Queued {
            id: r.get(0)?,
            from: r.get(1)?,
            to: r.get::<_, String>(2)?.lines().map(str::to_string).collect(),
            message: r.get(3)?,
            last_error: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
}

pub fn dequeue(store: &Store, id: i64) -> Result<()> {
    ensure(store)?;
    store
        .invitation_tables_conn()
        .execute("DELETE FROM mail_outbox WHERE id = ?1", params![id])?;
    Ok(())
}

pub fn note_failure(store: &Store, id: i64, why: &str) -> Result<()> {
    ensure(store)?;
    store.invitation_tables_conn().execute(
        "UPDATE mail_outbox SET last_error = ?2 WHERE id = ?1",
        params![id, why],
    )?;
    Ok(())
}
