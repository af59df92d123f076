//! Change records: one per committed edit (DESIGN.md §4).

use serde::{Deserialize, Serialize};

use super::{Body, Collection, FieldValue};

/// One committed edit, as logged locally and carried by sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The device that made the edit.
    pub device: String,
    /// Gapless per-device sequence number, from 1.
    pub seq: u64,
    /// `device-seq`: unique everywhere.
    pub change_id: String,
    /// Hybrid logical clock stamp; orders edits across devices (newest-wins).
    pub hlc: String,
    /// Wall clock of the edit (RFC 3339).
    pub changed_at: String,
    /// When it was uploaded (RFC 3339); empty until then.
    #[serde(default)]
    pub submitted_at: String,
    pub record_id: String,
    /// `contact`, `event`, `task`, `note` or `collection`.
    pub kind: String,
    pub op: Op,
    /// Parked attachments this edit refers to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRef>,
}

/// What an edit did, with the base values it replaced (for three-way merge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Op {
    Create {
        collection: String,
        body: Body,
    },
    Update {
        fields: Vec<FieldChange>,
    },
    Delete {
        collection: String,
        base: Body,
    },
    Move {
        from: String,
        to: String,
    },
    /// Collection created or changed (name, colour, sync flag).
    CollectionPut {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        base: Option<Collection>,
        new: Collection,
    },
    CollectionDelete {
        base: Collection,
    },
}

impl Op {
    pub fn name(&self) -> &'static str {
        match self {
            Op::Create { .. } => "create",
            Op::Update { .. } => "update",
            Op::Delete { .. } => "delete",
            Op::Move { .. } => "move",
            Op::CollectionPut { .. } => "collection_put",
            Op::CollectionDelete { .. } => "collection_delete",
        }
    }
}

/// One field changed by an update: the value before (`base`) and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub key: String,
    pub base: Option<FieldValue>,
    pub new: Option<FieldValue>,
}

/// Where a parked attachment lives on the mail server (DESIGN.md §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    pub folder: String,
    pub uidvalidity: u32,
    pub uid: u32,
    /// Message-ID of the parked message: finds it again if UIDs changed.
    pub message_id: String,
    /// MIME part number, e.g. `2` or `1.2`.
    pub part: String,
    pub filename: String,
    pub content_type: String,
    /// Decoded bytes; an estimate unless `size_exact` (see `PartInfo::size`).
    pub size: u64,
    #[serde(default)]
    pub size_exact: bool,
}
