//! Import: iCalendar, vCard, vdir folders, pim's JSON and Markdown notes.
//!
//! Every item is checked and written in one transaction, so an invalid item
//! (unless invalid items are to be skipped) leaves the database untouched: the
//! transaction is rolled back. One iCalendar file is streamed (read twice, item by
//! item: see `formats::ics::stream`), so its size does not set the memory an import
//! takes; other inputs are read whole first. An item whose UID is already known
//! updates that record (an ordinary logged change; pim's JSON matches by id first);
//! an identical one writes nothing.

mod read;
mod write;

use std::path::PathBuf;
use std::sync::mpsc;

pub use read::detect;

use crate::formats::ics::stream;
use crate::formats::vcard::decode::StreamedLines;
use crate::formats::vcard::stream_vcf;
use crate::formats::{ItemError, ParsedItem};
use crate::store::{PreparedRow, Store, StoreError};
use read::{Incoming, TextSource, read_input};
use write::ItemWriter;

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
    /// The reading stopped because the writing did; the writing's own error is
    /// the one returned.
    #[error("import interrupted")]
    Interrupted,
}

/// Read `input`, check every item and write them all in one transaction.
/// `progress` hears about the items every [`PROGRESS_STEP`] items.
pub fn import(
    store: &mut Store,
    input: &Input,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    match read::streamed_source(input, options.format)? {
        Some((Format::Ics, source)) => {
            return import_ics(store, &source, &input.name(), options, progress);
        }
        Some((_, source)) => return import_vcf(store, &source, &input.name(), options, progress),
        None => {}
    }
    let set = read_input(input, options.format, options.strict)?;
    if set.items.is_empty() && set.invalid.is_empty() {
        return Err(ImportError::Empty(input.name()));
    }
    if !set.invalid.is_empty() && !options.skip_invalid {
        return Err(ImportError::Invalid {
            invalid: set.invalid,
        });
    }
    let mut writer = ItemWriter::new(store, options.collection.as_deref(), false)?;
    let total = set.items.len();
    store.write(|w| {
        for (n, it) in set.items.into_iter().enumerate() {
            if n % PROGRESS_STEP == 0 {
                progress(Progress { done: n, total });
            }
            writer.write(w, it)?;
        }
        Ok(())
    })?;
    let mut report = writer.report;
    report.skipped = set.invalid;
    report.repaired = set.repaired;
    report.superseded = set.superseded;
    Ok(report)
}

/// One iCalendar file, streamed: a sweep for its encoding, a pass for what spans
/// items (zones, UIDs that come more than once), then a pass that writes each item
/// as it is complete.
fn import_ics(
    store: &mut Store,
    source: &TextSource,
    name: &str,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    let profile = crate::formats::lines::profile(source.open()?).map_err(|e| source.error(e))?;
    let mut lines = source.lines(profile)?;
    let prepared = stream::prepare(lines.by_ref(), options.strict);
    if let Some(e) = lines.error.take() {
        return Err(source.error(e));
    }
    if prepared.is_empty() {
        return Err(ImportError::Empty(name.to_string()));
    }
    let total = prepared.items();
    // One file's items never share a UID: its reader joined those into one record.
    let (mut report, notes) =
        write_streamed(store, name, options, total, true, progress, |sink| {
            let mut lines = source.lines(profile)?;
            let notes = prepared.read(lines.by_ref(), sink)?;
            match lines.error.take() {
                Some(e) => Err(source.error(e)),
                None => Ok(notes),
            }
        })?;
    report.repaired = read::notes(name, notes.repairs).collect();
    report.superseded = read::notes(name, notes.superseded).collect();
    Ok(report)
}

/// One vCard file, streamed: a sweep counts the cards (for progress), then each
/// card is written as it ends.
fn import_vcf(
    store: &mut Store,
    source: &TextSource,
    name: &str,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    let mut lines = StreamedLines::new(source.open()?);
    let total = lines
        .by_ref()
        .filter(|l| l.bytes.len() >= 11 && l.bytes[..11].eq_ignore_ascii_case(b"BEGIN:VCARD"))
        .count();
    if let Some(e) = lines.error.take() {
        return Err(source.error(e));
    }
    let (report, _cards) = write_streamed(store, name, options, total, false, progress, |sink| {
        let mut lines = StreamedLines::new(source.open()?);
        let mut n = 0;
        stream_vcf(lines.by_ref(), |item| {
            n += 1;
            sink(n, item)
        })?;
        match lines.error.take() {
            Some(e) => Err(source.error(e)),
            None if n == 0 => Err(ImportError::Empty(name.to_string())),
            None => Ok(n),
        }
    })?;
    Ok(report)
}

/// What a streamed reader hands over: each item with the number that orders it in
/// its file (an error of the sink stops the reading).
type Sink<'s> = dyn FnMut(usize, Result<ParsedItem, ItemError>) -> Result<(), ImportError> + 's;

/// Items are handed from the reading thread to the writing one in batches of this
/// many (one hand-over per item would cost more than some items take to write).
const ITEM_BATCH: usize = 64;

/// Batches read but not yet written, at most: the reader waits beyond, so memory
/// stays flat whatever the size of the file.
const BATCHES_IN_FLIGHT: usize = 4;

/// One item as the reading thread hands it over, with the number that orders it
/// in its file.
type ReadItem = (usize, Result<Incoming, ItemError>);

/// Write the items `read` hands to its sink, in one transaction. An invalid item
/// stops the writes (the reading goes on, to name every invalid item) and rolls
/// the transaction back, unless invalid items are to be skipped.
///
/// The reading (lines, parsing, each record's stored row) runs on a thread beside
/// the one that writes, handing items over in order, in batches; the batches come
/// back to be dropped where they were made. On two cores a large file imports in
/// about the writing's time. The items, their order and every outcome are as when
/// one thread does both.
fn write_streamed<N: Send>(
    store: &mut Store,
    name: &str,
    options: &ImportOptions,
    total: usize,
    keys_unique: bool,
    progress: &mut dyn FnMut(Progress),
    read: impl FnOnce(&mut Sink<'_>) -> Result<N, ImportError> + Send,
) -> Result<(ImportReport, N), ImportError> {
    let mut writer = ItemWriter::new(store, options.collection.as_deref(), keys_unique)?;
    let mut invalid: Vec<(usize, InvalidItem)> = Vec::new();
    let read_out = store.write_with(|w| {
        let (send, receive) = mpsc::sync_channel::<Vec<ReadItem>>(BATCHES_IN_FLIGHT);
        // Unbounded, but the reader empties it before each batch it sends.
        let (send_back, receive_back) = mpsc::channel::<Vec<ReadItem>>();
        std::thread::scope(|s| {
            let reader = s.spawn(move || read_in_batches(name, send, receive_back, read));
            let mut handled = 0;
            let mut write_one = |order: usize, item: &mut Result<Incoming, ItemError>| {
                if handled % PROGRESS_STEP == 0 {
                    progress(Progress {
                        done: handled,
                        total,
                    });
                }
                handled += 1;
                match item {
                    Ok(it) if invalid.is_empty() || options.skip_invalid => {
                        writer.write_in_place(w, it).map_err(ImportError::from)
                    }
                    // Nothing is written after an invalid item: the rest is only checked.
                    Ok(_) => Ok(()),
                    Err(error) => {
                        let file = name.to_string();
                        let error = error.clone();
                        invalid.push((order, InvalidItem { file, error }));
                        Ok(())
                    }
                }
            };
            let written = receive.iter().try_for_each(|mut batch| {
                for (order, item) in &mut batch {
                    write_one(*order, item)?;
                }
                // Dropped by the reader, unless it is gone.
                let _ = send_back.send(batch);
                Ok::<(), ImportError>(())
            });
            // The reader's next batch is refused: it stops, if it has not already.
            drop(receive);
            let read = reader
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            written?;
            read
        })
        .and_then(|out| {
            // In file order, as reading the whole file lists them.
            invalid.sort_by_key(|(order, _)| *order);
            if !invalid.is_empty() && !options.skip_invalid {
                let invalid = std::mem::take(&mut invalid);
                return Err(ImportError::Invalid {
                    invalid: invalid.into_iter().map(|(_, i)| i).collect(),
                });
            }
            Ok(out)
        })
    })?;
    let mut report = writer.report;
    report.skipped = invalid.into_iter().map(|(_, i)| i).collect();
    Ok((report, read_out))
}

/// The reading side of [`write_streamed`]: `read`'s items, each with its row
/// prepared, sent in batches; the batches written come back on `written` and are
/// dropped here.
fn read_in_batches<N>(
    name: &str,
    send: mpsc::SyncSender<Vec<ReadItem>>,
    written: mpsc::Receiver<Vec<ReadItem>>,
    read: impl FnOnce(&mut Sink<'_>) -> Result<N, ImportError>,
) -> Result<N, ImportError> {
    let mut batch = Vec::with_capacity(ITEM_BATCH);
    // Refused only when the writer stopped on an error of its own, which is the
    // one reported: the reading ends there.
    let hand_over = |batch: Vec<ReadItem>| {
        while let Ok(done) = written.try_recv() {
            drop(done);
        }
        send.send(batch).map_err(|_| ImportError::Interrupted)
    };
    let out = read(&mut |order, item| {
        let item = item.map(|p| Incoming {
            source: name.to_string(),
            index: p.index,
            row: PreparedRow::of(&p.record),
            record: p.record,
            collection: None,
            keep_id: false,
            settings: None,
        });
        batch.push((order, item));
        if batch.len() < ITEM_BATCH {
            return Ok(());
        }
        hand_over(std::mem::replace(
            &mut batch,
            Vec::with_capacity(ITEM_BATCH),
        ))
    })?;
    hand_over(batch)?;
    Ok(out)
}

#[cfg(test)]
mod tests;
