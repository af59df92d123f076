//! Collections under sync: placeholders for collections known only from their
//! records, the fold of collection changes, and the rule that tells apart two
//! same-named collections made on two devices.

use crate::model::{Collection, Kind, Op};
use crate::store::collection_rows as rows;
use crate::store::sync_state as st;
use crate::store::{Db, Result, Writer};

/// Make sure collection `id` has a row before a record lands in it: from its own
/// changes if we know them, else a placeholder that its changes will fix.
pub(crate) fn ensure_collection(w: &mut Writer<'_>, id: &str, kind: Kind) -> Result<()> {
    if w.collection(id).is_ok() {
        return Ok(());
    }
    let known = collection_fold(w, id)?.map(|(c, _)| c);
    let c = known.unwrap_or_else(|| Collection {
        id: id.to_string(),
        kind,
        name: format!("synced {}", id.chars().take(8).collect::<String>()),
        color: None,
        sync: true,
        default_alarms: None,
    });
    save_collection_merged(w, &c)
}

/// The latest definition of a collection and whether it is deleted. The sync
/// flag in it is the writing device's own choice: a collection learned from
/// changes syncs here until this device says otherwise.
fn collection_fold(db: &impl Db, id: &str) -> Result<Option<(Collection, bool)>> {
    let mut last = None;
    for c in st::record_changes(db, id)? {
        match c.op {
            // Another device creating a collection that exists (the default ones have
            // one id everywhere, made by each device on first run) leaves the settings
            // made since in place: only an edit (with a base) or a revival changes them.
            Op::CollectionPut { base: None, .. } if matches!(last, Some((_, false))) => {}
            Op::CollectionPut { new, .. } => last = Some((new, false)),
            Op::CollectionDelete { base } => last = Some((base, true)),
            _ => {}
        }
    }
    Ok(last.map(|(mut c, deleted)| {
        c.sync = true;
        (c, deleted)
    }))
}

pub(crate) fn settle_collection(w: &mut Writer<'_>, id: &str) -> Result<()> {
    let Some((mut c, deleted)) = collection_fold(w, id)? else {
        return Ok(());
    };
    if deleted && rows::records_in(w, id)? == 0 {
        return rows::drop_collection_row(w, id);
    }
    // A collection holding records stays; the sync flag is this device's own choice.
    if let Ok(local) = w.collection(id) {
        c.sync = local.sync;
    }
    save_collection_merged(w, &c)
}

/// Save a collection; two different collections with the same kind and name (made
/// on two devices) are told apart by suffixing the one with the larger id, a rule
/// every device applies the same way.
pub(crate) fn save_collection_merged(w: &mut Writer<'_>, c: &Collection) -> Result<()> {
    let clash = rows::same_name_collection(w, c.kind, &c.name, &c.id)?;
    let suffixed =
        |id: &str, name: &str| format!("{name} ({})", id.chars().take(6).collect::<String>());
    let mut c = c.clone();
    if let Some(other) = clash {
        if c.id > other {
            c.name = suffixed(&c.id, &c.name);
        } else {
            rows::rename_collection_row(w, &other, &suffixed(&other, &c.name))?;
        }
    }
    w.save_collection(&c)
}
