//! The rekey use case behind `pim sync rekey` and the Sync tab: a new generated
//! key replaces this profile's key on the server and here.

use super::failure::SessionError;
use super::profile::{SessionSetup, SetupError, replace_key};
use crate::store::Store;
use crate::sync::crypto::SyncKey;
use crate::sync::engine::SyncReport;
use crate::sync::mailbox::Mailbox;

const META_PENDING: &str = "sync.key.pending";

/// What a rekey did: the round's report and the new key, to show once.
#[derive(Debug)]
pub struct Rekeyed {
    pub report: SyncReport,
    /// The new key as users type it (`pim sync join --key …` on devices that stay).
    pub key: String,
}

/// Replace the sync key through `mb`. The new key is stored only once the
/// server holds the snapshot sealed with it; a failure before that leaves the
/// old key in place (run again).
pub async fn rekey<M: Mailbox>(
    store: &mut Store,
    mb: &mut M,
    setup: &SessionSetup,
) -> Result<Rekeyed, SessionError> {
    // Kept before the server changes: a rekey cut short is finished with the
    // same key by running it again (the server may already use it).
    let new = match store
        .meta(META_PENDING)
        .map_err(SetupError::from)?
        .filter(|k| !k.is_empty())
    {
        Some(k) => SyncKey::parse_human(&k).map_err(SetupError::from)?,
        None => {
            let k = SyncKey::generate();
            store
                .set_meta(META_PENDING, &k.to_human())
                .map_err(SetupError::from)?;
            k
        }
    };
    let report = crate::sync::rekey::rekey(store, mb, &setup.options, new.clone(), None).await?;
    replace_key(store, &new)?;
    store.set_meta(META_PENDING, "").map_err(SetupError::from)?;
    Ok(Rekeyed {
        report,
        key: new.to_human(),
    })
}
