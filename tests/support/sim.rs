//! Simulated devices sharing an in-memory mail server (for the sync tests).

#![allow(dead_code)]

use std::collections::BTreeMap;

use futures::executor::block_on;
use pim::model::fields::is_set_valued;
use pim::model::{FieldValue, Kind, Record};
use pim::store::{Clock, Store};
use pim::sync::apply::Policy;
use pim::sync::crypto::SyncKey;
use pim::sync::engine::{SyncOptions, SyncReport, SyncResult, sync_once};
use pim::sync::memory::{MemoryMailbox, MemoryServer};

pub struct Device {
    pub store: Store,
    pub mb: MemoryMailbox,
    pub opts: SyncOptions,
}

pub fn key() -> SyncKey {
    SyncKey::from_bytes([42; 32])
}

impl Device {
    pub fn new(server: &MemoryServer, name: &str) -> Device {
        let mut opts = SyncOptions::new(key());
        opts.device_name = name.to_string();
        Device {
            store: Store::open_in_memory().unwrap(),
            mb: server.connect(),
            opts,
        }
    }

    /// A device whose id and clock are fixed (`index` names it), so a simulation
    /// runs the same way every time.
    pub fn simulated(server: &MemoryServer, index: usize, clock: Clock) -> Device {
        let mut opts = SyncOptions::new(key());
        opts.device_name = format!("d{index}");
        let id = format!("{:016x}", 0xd0000 + index);
        Device {
            store: Store::open_in_memory_as(&id, clock).unwrap(),
            mb: server.connect(),
            opts,
        }
    }

    pub fn with_policy(mut self, p: Policy) -> Device {
        self.opts.policy = p;
        self
    }

    pub fn sync(&mut self) -> SyncReport {
        self.try_sync().expect("sync")
    }

    pub fn try_sync(&mut self) -> SyncResult<SyncReport> {
        block_on(sync_once(&mut self.store, &mut self.mb, &self.opts))
    }

    /// A sync limited to some collections (`pim sync --collection`).
    pub fn try_sync_only(&mut self, collections: &[&str]) -> SyncResult<SyncReport> {
        let mut opts = self.opts.clone();
        opts.scope = Some(pim::sync::scope::Scope::new(
            collections.iter().map(|c| c.to_string()),
        ));
        block_on(sync_once(&mut self.store, &mut self.mb, &opts))
    }

    /// Create a contact with a full name; returns its id.
    pub fn add_contact(&mut self, name: &str) -> String {
        let coll = self.store.default_collection(Kind::Contact).unwrap().id;
        let mut r = Record::new(Kind::Contact, &coll);
        r.set_text("FN", name);
        let id = r.id.clone();
        self.store.write(|w| w.create(&r)).unwrap();
        id
    }

    /// Create a contact with a chosen id.
    pub fn add_contact_as(&mut self, id: &str, name: &str) -> String {
        let coll = self.store.default_collection(Kind::Contact).unwrap().id;
        let mut r = Record::new(Kind::Contact, &coll);
        r.id = id.to_string();
        r.set_text("UID", id);
        r.set_text("FN", name);
        self.store.write(|w| w.create(&r)).unwrap();
        id.to_string()
    }

    pub fn set_text(&mut self, id: &str, key: &str, value: &str) {
        let mut r = self.store.require(id).unwrap();
        r.set_text(key, value);
        self.store.write(|w| w.update(&r)).unwrap();
    }

    pub fn text(&self, id: &str, key: &str) -> Option<String> {
        self.store.get(id).unwrap().and_then(|r| r.text(key))
    }

    /// Every record, as comparable canonical field maps (set-valued fields sorted).
    pub fn state(&self) -> BTreeMap<String, (String, BTreeMap<String, String>)> {
        let mut out = BTreeMap::new();
        for kind in Kind::ALL {
            for r in self.store.list(kind, None).unwrap() {
                let mut fields = BTreeMap::new();
                for (k, v) in r.body.fields() {
                    let mut items: Vec<String> = match &v {
                        FieldValue::Props(p) => p
                            .iter()
                            .map(|p| serde_json::to_string(p).unwrap())
                            .collect(),
                        FieldValue::Comps(c) => c
                            .iter()
                            .map(|c| serde_json::to_string(c).unwrap())
                            .collect(),
                    };
                    if is_set_valued(&k) {
                        items.sort();
                    }
                    fields.insert(k, items.join("|"));
                }
                out.insert(r.id.clone(), (r.collection.clone(), fields));
            }
        }
        out
    }

    pub fn collections(&self) -> Vec<(String, String)> {
        self.store
            .collections(None)
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    }
}

pub fn changes_folder() -> &'static str {
    "PIM/Changes"
}
