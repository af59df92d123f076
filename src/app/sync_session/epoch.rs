//! Taking a newer epoch another device published (its replace-remote or rekey):
//! it waits until the user confirms, with `pim sync --mode replace-local` or the
//! Sync tab's confirmation. Both run [`take_waiting_epoch`], one round that
//! rebuilds this device's synced data from the server's snapshot; edits made
//! here and not yet sent are kept and sent after it.

use super::{RoundReport, Session, SessionError, SessionEvent, Timing, Trigger};
use crate::app::sync_session::Connector;
use crate::store::Store;
use crate::sync::engine::SyncOptions;
use crate::sync::plan::Mode;

pub use crate::sync::engine::WaitingEpoch;

/// The newer epoch waiting for the user, if any (read from what earlier rounds
/// stored: no connection needed).
pub fn waiting_epoch(store: &Store) -> Result<Option<WaitingEpoch>, SessionError> {
    Ok(crate::sync::engine::waiting_epoch(store)?)
}

/// The question to ask before taking it, in the Sync tab (`when` is the date as
/// the front-end shows times).
pub fn confirm_question(w: &WaitingEpoch, when: Option<&str>) -> String {
    let made = match when {
        Some(d) if !d.is_empty() => format!(" (made {d})"),
        _ => String::new(),
    };
    format!(
        "Replace this device's synced data with the new snapshot from {}{made}? \
         Local unsent edits are kept",
        w.made_by_name
    )
}

/// One replace-local round through `connector`: this device's synced data is
/// rebuilt from the server's newest snapshot (a waiting epoch is taken), its
/// unsent edits kept and sent. `options` are the profile's; the mode is set here.
pub async fn take_waiting_epoch<C: Connector>(
    store: &mut Store,
    connector: C,
    options: &SyncOptions,
    events: &mut dyn FnMut(SessionEvent),
) -> Result<RoundReport, SessionError> {
    let mut o = options.clone();
    o.mode = Mode::ReplaceLocal;
    let mut session = Session::new(connector, o, Timing::default());
    let round = session.round(store, Trigger::Asked, events).await;
    session.close().await;
    round
}
