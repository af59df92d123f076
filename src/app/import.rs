//! Import: iCalendar, vCard, vdir folders, pim's JSON and Markdown notes.
//!
//! Everything is read and checked first; then one transaction writes it all, so an
//! invalid item (unless invalid items are to be skipped) leaves the database
//! untouched. An item whose UID is already known updates that record (an ordinary
//! logged change; pim's JSON matches by id first); an identical one writes nothing.

mod read;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

pub use read::detect;

use crate::formats::ItemError;
use crate::formats::json::CollectionSettings;
use crate::model::Kind;
use crate::model::fields::diff;
use crate::store::{Store, StoreError, Writer};
use read::{Incoming, read_input};

/// What the input is; `None` in [`ImportOptions::format`] detects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ics,
    Vcf,
    Vdir,
    Json,
    Md,
}

/// Where the data comes from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file, a vdir folder or a folder of `.md` notes.
    Path(PathBuf),
    /// Bytes the front-end read itself (stdin), with the name messages use.
    Bytes { name: String, bytes: Vec<u8> },
}

impl Input {
    /// The input as messages name it.
    pub fn name(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub format: Option<Format>,
    /// Put everything into the collection of this name (created when missing, per kind).
    pub collection: Option<String>,
    /// Import the valid items and report the invalid ones instead of aborting.
    pub skip_invalid: bool,
    /// Refuse malformed-but-common iCalendar input instead of repairing it.
    pub strict: bool,
}

/// Something about one item of a file that the import handled for the user: a
/// repair, or a version superseded by a newer one. Index 0 is the file itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemNote {
    pub file: String,
    pub index: usize,
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for ItemNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            0 => write!(f, "{}: line {}: {}", self.file, self.line, self.reason),
            i => write!(
                f,
                "{}: item {i} (line {}): {}",
                self.file, self.line, self.reason
            ),
        }
    }
}

/// An item that could not be read: which file, which item, why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {error}")]
pub struct InvalidItem {
    pub file: String,
    pub error: ItemError,
}

/// Two items of one import with the same UID: the later one wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateUid {
    pub file: String,
    pub index: usize,
    pub first_index: usize,
    pub uid: String,
}

impl std::fmt::Display for DuplicateUid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: item {} has the UID of item {} ({}); the later one wins",
            self.file, self.index, self.first_index, self.uid
        )
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    /// Known items identical to the stored record: nothing written.
    pub unchanged: usize,
    /// Invalid items left out (only with `skip_invalid`).
    pub skipped: Vec<InvalidItem>,
    pub duplicates: Vec<DuplicateUid>,
    /// Items read after a repair (one note per item, reasons joined).
    pub repaired: Vec<ItemNote>,
    /// Older versions of an item in the same file, left out for the newest.
    pub superseded: Vec<ItemNote>,
}

/// How far the write has come; reported every [`PROGRESS_STEP`] items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

pub const PROGRESS_STEP: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: no contacts, events, tasks or notes found")]
    Empty(String),
    #[error("{0}: no .ics, .vcf or .md files found in this folder")]
    EmptyFolder(String),
    #[error("{0}: a folder can only be read as vdir or md")]
    FolderFormat(String),
    #[error("{0}: the vdir format needs a folder")]
    VdirNeedsFolder(String),
    #[error("{0}: cannot tell the format (not iCalendar, vCard, JSON or Markdown)")]
    UnknownFormat(String),
    /// Nothing was written: these items are invalid and skipping was not asked for.
    #[error("import aborted: {} invalid item(s), nothing written", invalid.len())]
    Invalid { invalid: Vec<InvalidItem> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Read `input`, check every item, then write them all in one transaction.
/// `progress` hears about the write every [`PROGRESS_STEP`] items.
pub fn import(
    store: &mut Store,
    input: &Input,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    let set = read_input(input, options.format, options.strict)?;
    if set.items.is_empty() && set.invalid.is_empty() {
        return Err(ImportError::Empty(input.name()));
    }
    if !set.invalid.is_empty() && !options.skip_invalid {
        return Err(ImportError::Invalid {
            invalid: set.invalid,
        });
    }
    let mut report = write_all(store, options.collection.as_deref(), set.items, progress)?;
    report.skipped = set.invalid;
    report.repaired = set.repaired;
    report.superseded = set.superseded;
    Ok(report)
}

/// Write every item in one transaction; re-imports update by UID (or JSON id).
fn write_all(
    store: &mut Store,
    into: Option<&str>,
    items: Vec<Incoming>,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, StoreError> {
    // Records this import wrote, by (kind, UID); the rest are looked up inside the
    // transaction, so a record another process adds meanwhile is updated, not doubled.
    let mut by_uid: HashMap<(Kind, String), String> = HashMap::new();
    let mut collections = SeenCollections {
        ids: store
            .collections(None)?
            .into_iter()
            .map(|c| ((c.kind, c.name), c.id))
            .collect(),
        restored: HashSet::new(),
    };
    let mut defaults: HashMap<Kind, String> = HashMap::new();
    for k in Kind::ALL {
        defaults.insert(k, store.default_collection(k)?.id);
    }
    let total = items.len();
    let mut seen_here: HashMap<(Kind, String), usize> = HashMap::new();
    store.write(|w| {
        let mut report = ImportReport::default();
        for (n, mut it) in items.into_iter().enumerate() {
            if n % PROGRESS_STEP == 0 {
                progress(Progress { done: n, total });
            }
            let kind = it.record.kind;
            let named = into.map(str::to_string).or(it.collection.take());
            // A backup's collection settings apply only where its records go.
            let settings = it.settings.take().filter(|_| into.is_none());
            let target = match named {
                Some(name) => Some(target_collection(
                    w,
                    &mut collections,
                    (kind, name),
                    settings,
                )?),
                None => None,
            };
            let uid_key = it.record.uid().map(|u| (kind, u.to_string()));
            if let Some(k) = &uid_key
                && let Some(first) = seen_here.insert(k.clone(), it.index)
            {
                report.duplicates.push(DuplicateUid {
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
                    Some(k) => match by_uid.get(k) {
                        Some(id) => w.get(id)?,
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
                        Some(_) => report.updated += 1,
                        None => report.unchanged += 1,
                    }
                }
                None => {
                    if !it.keep_id {
                        it.record.id = crate::model::new_id();
                    }
                    it.record.collection = target.unwrap_or_else(|| defaults[&kind].clone());
                    w.create(&it.record)?;
                    report.created += 1;
                }
            }
            if let Some(k) = uid_key {
                by_uid.insert(k, it.record.id.clone());
            }
            // The import never reads back the changes it logged: keeping them (each
            // with a copy of its record) would hold every record twice until commit.
            w.changes.clear();
        }
        Ok(report)
    })
}

/// The collections an import writes into, by (kind, name).
struct SeenCollections {
    ids: HashMap<(Kind, String), String>,
    /// Those whose saved settings were applied already.
    restored: HashSet<(Kind, String)>,
}

/// The id of the collection `name` of `kind`, created when missing. A backup's
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
            let c = match saved_id {
                Some(id) => w.put_collection_with_id(id, key.0, &key.1)?,
                None => w.put_collection(key.0, &key.1)?,
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

#[cfg(test)]
mod tests;
