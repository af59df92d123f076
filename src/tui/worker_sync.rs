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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sync_state::DeviceInfo;
    use crate::sync::crypto::SyncKey;
    use crate::sync::signing::{DeviceSigner, Signers};

    /// The Sync tab gets each device's fingerprint and a refused key change from
    /// the one place `pim devices list` gets them.
    #[test]
    fn device_lines_carry_key_fingerprints_and_refusals() {
        let store = Store::open_in_memory().unwrap();
        let own = DeviceSigner::load_or_create(&store, || Ok(1)).unwrap();
        for (id, name) in [
            (store.device().to_string(), "laptop"),
            ("p".into(), "phone"),
        ] {
            let d = DeviceInfo {
                device: id,
                tag: String::new(),
                name: name.into(),
                last_seen: String::new(),
                vector: Default::default(),
                forgotten: false,
            };
            st::put_device(&store, &d).unwrap();
        }
        let phone = DeviceSigner::from_seed([5; 32], 1).public();
        let other = DeviceSigner::from_seed([6; 32], 1).public();
        let mut signers = Signers::load(&store, &SyncKey::from_bytes([1; 32]), &own).unwrap();
        signers.bind("p", phone);
        signers.note_refused("p", other, "2026-12-03T10:00:00.000Z");
        signers.save(&store).unwrap();
        let lines = devices(&store).unwrap();
        assert_eq!(lines[0].key, Some(own.public().fingerprint()));
        assert_eq!(lines[0].refused, None);
        assert_eq!(lines[1].key, Some(phone.fingerprint()));
        assert_eq!(
            lines[1].refused.as_deref(),
            Some("another key tried to write as this device on 2026-12-03")
        );
    }
}
