//! The worker's sync-related answers: conflicts, history, restore (all `app` use
//! cases, turned into responses here) and devices.

use super::worker::{DeviceLine, Response};
use crate::app::conflicts::{self, Resolution};
use crate::app::history;
use crate::model::FieldValue;
use crate::store::Store;
use crate::store::sync_state as st;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub fn resolve(store: &mut Store, id: i64, how: &Resolution) -> Result<Response> {
    let done = conflicts::resolve(store, id, how)?;
    Ok(Response::Resolved {
        message: format!("{} of {:?}: kept {}", done.field, done.title, done.kept),
        kind: done.kind,
    })
}

pub fn history(store: &Store, id: &str) -> Result<Response> {
    let h = history::of_record(store, id)?;
    Ok(Response::History {
        record_id: h.record_id,
        title: h.title.unwrap_or_default(),
        entries: h.entries,
    })
}

pub fn restore(
    store: &mut Store,
    id: &str,
    key: &str,
    value: Option<&FieldValue>,
) -> Result<Response> {
    let done = history::restore(store, id, key, value)?;
    Ok(Response::Resolved {
        message: format!(
            "restored {} of {:?} to {}",
            done.field, done.title, done.value
        ),
        kind: Some(done.kind),
    })
}

pub fn devices(store: &Store) -> crate::store::Result<Vec<DeviceLine>> {
    let me = store.device();
    let mine = st::max_seq(store, me)?;
    let mut keys = crate::app::device_keys::device_keys(store)?;
    let mut out: Vec<DeviceLine> = st::devices(store)?
        .into_iter()
        .map(|d| {
            let key = keys.remove(&d.device).unwrap_or_default();
            DeviceLine {
                this_device: d.device == me,
                applied_mine: if d.device == me {
                    mine
                } else {
                    d.vector.get(me).copied().unwrap_or(0)
                },
                mine,
                name: d.name,
                device: d.device,
                last_seen: d.last_seen,
                forgotten: d.forgotten,
                key: key.fingerprint,
                refused: key
                    .refused
                    .as_ref()
                    .map(crate::app::device_keys::refusal_note),
            }
        })
        .collect();
    out.sort_by(|a, b| b.this_device.cmp(&a.this_device).then(a.name.cmp(&b.name)));
    Ok(out)
}
