//! Writing imported items, one at a time, inside the import's one transaction.
//! An item whose UID is already known updates that record (pim's JSON matches by
//! id first); an identical one writes nothing.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use super::read::Incoming;
use super::{DuplicateUid, ImportReport};
use crate::formats::json::CollectionSettings;
use crate::model::Kind;
use crate::model::fields::diff;
use crate::store::{Store, StoreError, Writer};

/// The state of one import's writes: where items go and what was done.
pub(super) struct ItemWriter {
    into: Option<String>,
    collections: SeenCollections,
    defaults: HashMap<Kind, String>,
    /// Items of this import by (kind, UID), to name duplicates, and the record each
    /// wrote; `None` for a stream whose reader already joined items by UID (one
    /// iCalendar file), where no key comes twice and a map would only grow.
    seen: Option<Seen>,
    /// Per kind, whether the store held no record of it when the import's first
    /// item of that kind came (read inside the transaction, before writing any).
    /// With keys that never repeat, no item can then match a stored record.
    empty: HashMap<Kind, bool>,
    /// The keys this import wrote into such a kind, as bits of a fixed-size filter: a
    /// key whose bit is set may come again (the file changed between its two
    /// readings, or another key shares the bit) and is looked up. Its memory does
    /// not grow with the file.
    fresh_keys: Vec<u64>,
    pub report: ImportReport,
}

#[derive(Default)]
struct Seen {
    index: HashMap<(Kind, String), usize>,
    /// Records this import wrote; the rest are looked up inside the transaction, so
    /// a record another process adds meanwhile is updated, not doubled.
    record: HashMap<(Kind, String), String>,
}

impl ItemWriter {
    /// Read what the writes need (collections, defaults) before the transaction.
    pub fn new(store: &Store, into: Option<&str>, keys_unique: bool) -> Result<Self, StoreError> {
        // Named collections are looked up inside the transaction (another process
        // may make, rename or delete one meanwhile), see [`target_collection`].
        let collections = SeenCollections {
            ids: HashMap::new(),
            restored: HashSet::new(),
        };
        let mut defaults: HashMap<Kind, String> = HashMap::new();
        for k in Kind::ALL {
            defaults.insert(k, store.default_collection(k)?.id);
        }
        Ok(ItemWriter {
            into: into.map(str::to_string),
            collections,
            defaults,
            seen: (!keys_unique).then(Seen::default),
            empty: HashMap::new(),
            fresh_keys: Vec::new(),
            report: ImportReport::default(),
        })
    }

    /// Write one item: create it, or update the record with its UID (or JSON id).
    pub fn write(&mut self, w: &mut Writer<'_>, mut it: Incoming) -> Result<(), StoreError> {
        self.write_in_place(w, &mut it)
    }

    /// [`Self::write`], leaving what is left of the item to the caller (to drop it
    /// where it was made).
    pub fn write_in_place(
        &mut self,
        w: &mut Writer<'_>,
        it: &mut Incoming,
    ) -> Result<(), StoreError> {
        let kind = it.record.kind;
        let named = self.into.clone().or(it.collection.take());
        // A backup's collection settings apply only where its records go.
        let settings = it.settings.take().filter(|_| self.into.is_none());
        let target = match named {
            Some(name) => Some(target_collection(
                w,
                &mut self.collections,
                (kind, name),
                settings,
            )?),
            None => None,
        };
        let uid_key = it.record.uid().map(|u| (kind, u.to_string()));
        if let (Some(k), Some(seen)) = (&uid_key, &mut self.seen)
            && let Some(first) = seen.index.insert(k.clone(), it.index)
        {
            self.report.duplicates.push(DuplicateUid {
                file: it.source.clone(),
                index: it.index,
                first_index: first,
                uid: k.1.clone(),
            });
        }
        let same_id = if it.keep_id {
            w.get(&it.record.id)?
        } else {
            None
        };
        // An id taken by a record of another kind is not this record.
        if same_id.as_ref().is_some_and(|old| old.kind != kind) {
            it.keep_id = false;
        }
        let existing = match same_id.filter(|old| old.kind == kind) {
            Some(old) => Some(old),
            None => match &uid_key {
                Some(k) => match self.seen.as_ref().and_then(|s| s.record.get(k)) {
                    Some(id) => w.get(id)?,
                    // Keys that do not repeat, into a kind that was empty: nothing to
                    // look up unless this import wrote the key (its hash) already.
                    None if self.seen.is_none()
                        && kind_was_empty(&mut self.empty, w, kind)?
                        && first_time(&mut self.fresh_keys, k) =>
                    {
                        None
                    }
                    None => w.by_uid(k.0, &k.1)?.into_iter().next(),
                },
                None => None,
            },
        };
        match existing {
            Some(old) => {
                // Only the fields that differ, onto the record as stored now.
                let mut merged = old.clone();
                for (key, _, new) in diff(&old.body, &it.record.body) {
                    merged.body.set_field(&key, new.as_ref());
                }
                merged.collection = target.unwrap_or(old.collection);
                it.record = merged;
                match w.update(&it.record)? {
                    Some(_) => self.report.updated += 1,
                    None => self.report.unchanged += 1,
                }
            }
            None => {
                it.record.collection = target.unwrap_or_else(|| self.defaults[&kind].clone());
                if it.keep_id {
                    w.create(&it.record)?;
                } else {
                    it.record.id = ordered_id();
                    match &it.row {
                        Some(row) => w.create_fresh_prepared(&it.record, row)?,
                        None => w.create_fresh(&it.record)?,
                    }
                }
                self.report.created += 1;
            }
        }
        if let (Some(k), Some(seen)) = (uid_key, &mut self.seen) {
            seen.record.insert(k, it.record.id.clone());
        }
        // The import never reads back the changes it logged: keeping them (each
        // with a copy of its record) would hold every record twice until commit.
        w.changes.clear();
        Ok(())
    }
}

/// A new record id for an imported record: a UUID (v8) that begins with a counter
/// of this process (from a random start), so that one import's records sit together
/// in the indexes on ids (`records.id`, `changes.record_id`) instead of anywhere in
/// them, as random (v4) ids do: at 100 000 events that was a sixth of the import's
/// CPU time. Not the time (v7): listings show 8 characters of an id, and every record
/// of an import then showed the same 8, an id no command could tell apart.
fn ordered_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: std::sync::OnceLock<AtomicU32> = std::sync::OnceLock::new();
    let n = NEXT
        .get_or_init(|| AtomicU32::new(rand::random()))
        .fetch_add(1, Ordering::Relaxed);
    let mut bytes: [u8; 16] = rand::random();
    bytes[..4].copy_from_slice(&n.to_be_bytes());
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// Bits in [`ItemWriter::fresh_keys`]: 1 MiB. At a million keys one in nine is
/// looked up needlessly; at a hundred thousand, one in eighty.
const FRESH_KEY_BITS: u64 = 1 << 23;

/// Set the filter's bit for `key`; whether it was clear (the key is new for sure).
fn first_time(filter: &mut Vec<u64>, key: &(Kind, String)) -> bool {
    if filter.is_empty() {
        filter.resize((FRESH_KEY_BITS / 64) as usize, 0);
    }
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    let bit = h.finish() % FRESH_KEY_BITS;
    let (word, mask) = ((bit / 64) as usize, 1u64 << (bit % 64));
    let clear = filter[word] & mask == 0;
    filter[word] |= mask;
    clear
}

/// Whether the store held no record of `kind` before this import wrote one
/// (`known`: the answers so far, see [`ItemWriter::empty`]).
fn kind_was_empty(
    known: &mut HashMap<Kind, bool>,
    w: &Writer<'_>,
    kind: Kind,
) -> Result<bool, StoreError> {
    if let Some(&empty) = known.get(&kind) {
        return Ok(empty);
    }
    let empty = !w.has_records_of(kind)?;
    known.insert(kind, empty);
    Ok(empty)
}

/// The collections an import writes into, by (kind, name).
struct SeenCollections {
    ids: HashMap<(Kind, String), String>,
    /// Those whose saved settings were applied already.
    restored: HashSet<(Kind, String)>,
}

/// The id of the collection `name` of `kind`, created when missing (looked up in
/// the transaction: several imports into a new collection at once make it once). A backup's
/// settings for it (pim's JSON) are applied once per import: its id when the
/// collection is new and that id is free, its colour, sync flag and default alarms
/// in any case (a restore brings back what was saved, e.g. sync kept off).
fn target_collection(
    w: &mut Writer<'_>,
    seen: &mut SeenCollections,
    key: (Kind, String),
    settings: Option<CollectionSettings>,
) -> Result<String, StoreError> {
    let settings = settings.filter(|_| !seen.restored.contains(&key));
    let id = match seen.ids.get(&key) {
        Some(id) => id.clone(),
        None => {
            let saved_id = match &settings {
                Some(s) if !s.id.is_empty() && !collection_id_taken(w, &s.id)? => {
                    Some(s.id.as_str())
                }
                _ => None,
            };
            let c = match (w.collection_named(key.0, &key.1)?, saved_id) {
                (Some(c), _) => c,
                (None, Some(id)) => w.put_collection_with_id(id, key.0, &key.1)?,
                (None, None) => w.put_collection(key.0, &key.1)?,
            };
            seen.ids.insert(key.clone(), c.id.clone());
            c.id
        }
    };
    if let Some(s) = settings {
        let mut c = w.collection(&id)?;
        c.color = s.color;
        c.sync = s.sync;
        // A backup from before default alarms synced has none: keep what is here.
        if s.default_alarms.is_some() {
            c.default_alarms = s.default_alarms;
        }
        w.change_collection(&c)?;
        seen.restored.insert(key);
    }
    Ok(id)
}

fn collection_id_taken(w: &Writer<'_>, id: &str) -> Result<bool, StoreError> {
    match w.collection(id) {
        Ok(_) => Ok(true),
        Err(StoreError::NoCollection { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}
