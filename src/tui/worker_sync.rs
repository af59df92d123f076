//! The worker's sync-related answers: conflicts, history, restore, devices.

use super::worker::{DeviceLine, Response};
use crate::model::{FieldValue, Kind};
use crate::store::Store;
use crate::store::sync_state as st;
use crate::sync::apply::Resolution;
use crate::sync::review::{self, key_label};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub fn resolve(store: &mut Store, id: i64, how: &Resolution) -> Result<Response> {
    let c = crate::sync::setup::resolve(store, id, how)?;
    let title = store
        .get(&c.record_id)?
        .map(|r| r.title())
        .unwrap_or_default();
    let took = match how {
        Resolution::Mine => "mine",
        Resolution::Theirs => "theirs",
        Resolution::Both => "both",
        Resolution::Value(_) => "the edited value",
    };
    Ok(Response::Resolved {
        message: format!("{} of {title:?}: kept {took}", key_label(&c.key)),
        kind: Kind::parse(&c.kind),
    })
}

pub fn history(store: &Store, id: &str) -> Result<Response> {
    let title = store.get(id)?.map(|r| r.title()).unwrap_or_default();
    Ok(Response::History {
        record_id: id.to_string(),
        title,
        entries: review::history(store, id)?,
    })
}

pub fn restore(
    store: &mut Store,
    id: &str,
    key: &str,
    value: Option<&FieldValue>,
) -> Result<Response> {
    review::restore(store, id, key, value)?;
    let r = store.require(id)?;
    Ok(Response::Resolved {
        message: format!(
            "restored {} of {:?} to {}",
            key_label(key),
            r.title(),
            review::text_of(value)
        ),
        kind: Some(r.kind),
    })
}

pub fn devices(store: &Store) -> crate::store::Result<Vec<DeviceLine>> {
    let me = store.device();
    let mine = st::max_seq(store, me)?;
    let mut out: Vec<DeviceLine> = st::devices(store)?
        .into_iter()
        .map(|d| DeviceLine {
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
        })
        .collect();
    out.sort_by(|a, b| b.this_device.cmp(&a.this_device).then(a.name.cmp(&b.name)));
    Ok(out)
}
