//! Reading what is to be imported: files, vdir folders, folders of Markdown notes or
//! bytes the front-end already read (stdin). Nothing is written here; every item is
//! either parsed or listed as invalid with the file and item it came from.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::{Format, ImportError, Input, InvalidItem, ItemNote};
use crate::formats::ics::{Note, read_ics_with};
use crate::formats::json::{CollectionSettings, read_json};
use crate::formats::lines::{TextProfile, Unfolded, is_utf16};
use crate::formats::markdown::read_markdown;
use crate::formats::vcard::decode::normalize_encoding;
use crate::formats::vcard::{bytes_to_text, read_vcf};
use crate::formats::vdir::{is_vdir, read_vdir};
use crate::formats::{ItemError, ParsedItem};
use crate::model::Record;
use crate::store::PreparedRow;

/// One item read, with where it came from and the collection it names (vdir, JSON).
pub(super) struct Incoming {
    /// The file, for messages.
    pub source: String,
    /// 1-based index of the item in its file.
    pub index: usize,
    pub record: Record,
    pub collection: Option<String>,
    /// Whether the record's id is to be kept (pim's own JSON restores ids).
    pub keep_id: bool,
    /// The collection's settings a backup kept (pim's own JSON).
    pub settings: Option<CollectionSettings>,
    /// The record's row, worked out ahead by the reading thread (streamed files).
    pub row: Option<PreparedRow>,
}

/// Everything read from one input: the good items and the invalid ones.
#[derive(Default)]
pub(super) struct ReadSet {
    pub items: Vec<Incoming>,
    pub invalid: Vec<InvalidItem>,
    pub repaired: Vec<ItemNote>,
    pub superseded: Vec<ItemNote>,
}

/// A collection name a file gives (a vdir folder's `displayname`, a backup's
/// record) as the store takes it: control characters (a line break) made spaces;
/// none when blank (a record whose collection was unknown when exported), so the
/// kind's default collection. A backup made before such names were refused still
/// restores.
fn file_collection_name(name: &str) -> Option<String> {
    let name = name.replace(char::is_control, " ");
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

impl ReadSet {
    fn add(
        &mut self,
        source: &str,
        parsed: Vec<Result<ParsedItem, ItemError>>,
        collection: Option<&str>,
    ) {
        for p in parsed {
            match p {
                Ok(p) => self.items.push(Incoming {
                    source: source.to_string(),
                    index: p.index,
                    record: p.record,
                    collection: collection.and_then(file_collection_name),
                    keep_id: false,
                    settings: None,
                    row: None,
                }),
                Err(error) => self.invalid.push(InvalidItem {
                    file: source.to_string(),
                    error,
                }),
            }
        }
    }
}

pub(super) fn notes(source: &str, notes: Vec<Note>) -> impl Iterator<Item = ItemNote> + '_ {
    notes.into_iter().map(move |n| ItemNote {
        file: source.to_string(),
        index: n.index,
        line: n.line,
        reason: n.reason,
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    std::fs::read(path).map_err(|source| ImportError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Bytes to be read more than once, from the start each time: a file (never held
/// whole) or bytes in memory.
pub(super) enum TextSource<'a> {
    File(PathBuf),
    Bytes(Cow<'a, [u8]>),
}

/// How much of a file one read takes in.
const READ_BUFFER: usize = 256 * 1024;

impl TextSource<'_> {
    pub fn open(&self) -> Result<Box<dyn BufRead + '_>, ImportError> {
        Ok(match self {
            TextSource::File(path) => {
                let f = File::open(path).map_err(|e| self.error(e))?;
                Box::new(BufReader::with_capacity(READ_BUFFER, f))
            }
            TextSource::Bytes(bytes) => Box::new(&bytes[..]),
        })
    }

    pub fn lines(
        &self,
        profile: TextProfile,
    ) -> Result<Unfolded<Box<dyn BufRead + '_>>, ImportError> {
        Ok(Unfolded::new(self.open()?, profile))
    }

    pub fn error(&self, source: std::io::Error) -> ImportError {
        let path = match self {
            TextSource::File(p) => p.display().to_string(),
            TextSource::Bytes(_) => "input".to_string(),
        };
        ImportError::Read { path, source }
    }
}

/// The input as a stream to read, when it is one file (or bytes) of iCalendar or
/// vCard; `None` for anything else. UTF-16 is decoded whole first.
pub(super) fn streamed_source(
    input: &Input,
    format: Option<Format>,
) -> Result<Option<(Format, TextSource<'_>)>, ImportError> {
    if !matches!(format, None | Some(Format::Ics | Format::Vcf)) {
        return Ok(None);
    }
    let (source, head) = match input {
        Input::Path(path) if path.is_dir() => return Ok(None),
        Input::Path(path) => {
            let mut head = Vec::with_capacity(4096);
            File::open(path)
                .and_then(|f| f.take(4096).read_to_end(&mut head))
                .map_err(|source| ImportError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
            (TextSource::File(path.clone()), head)
        }
        Input::Bytes { bytes, .. } => {
            let head = bytes[..bytes.len().min(4096)].to_vec();
            (TextSource::Bytes(Cow::Borrowed(bytes.as_slice())), head)
        }
    };
    let path = match input {
        Input::Path(p) => Some(p.as_path()),
        Input::Bytes { .. } => None,
    };
    let format = match format.or_else(|| detect(&head, path)) {
        Some(f @ (Format::Ics | Format::Vcf)) => f,
        _ => return Ok(None),
    };
    if is_utf16(&head) {
        let mut all = Vec::new();
        source
            .open()?
            .read_to_end(&mut all)
            .map_err(|e| source.error(e))?;
        let decoded = TextSource::Bytes(Cow::Owned(normalize_encoding(&all)));
        return Ok(Some((format, decoded)));
    }
    Ok(Some((format, source)))
}

/// Read and parse `input`; `format` `None` detects it from the content.
pub(super) fn read_input(
    input: &Input,
    format: Option<Format>,
    strict: bool,
) -> Result<ReadSet, ImportError> {
    let mut set = ReadSet::default();
    let name = input.name();
    if let Input::Path(path) = input
        && path.is_dir()
    {
        let md_dir = format == Some(Format::Md) || (format.is_none() && !is_vdir(path));
        if md_dir {
            read_md_dir(path, &mut set)?;
            return Ok(set);
        }
        if !matches!(format, None | Some(Format::Vdir)) {
            return Err(ImportError::FolderFormat(name));
        }
        let files = read_vdir(path).map_err(|source| ImportError::Read {
            path: name.clone(),
            source,
        })?;
        for f in files {
            set.add(
                &f.path.display().to_string(),
                f.items,
                f.collection.as_deref(),
            );
        }
        return Ok(set);
    }
    if format == Some(Format::Vdir) {
        return Err(ImportError::VdirNeedsFolder(name));
    }
    // The format is told from the first 4 KiB: an input of no known format is
    // refused before it is read whole (`/dev/zero` would never end).
    if let (None, Input::Path(p)) = (format, input) {
        let mut head = Vec::with_capacity(4096);
        File::open(p)
            .and_then(|f| f.take(4096).read_to_end(&mut head))
            .map_err(|source| ImportError::Read {
                path: p.display().to_string(),
                source,
            })?;
        if detect(&head, Some(p)).is_none() {
            return Err(ImportError::UnknownFormat(name));
        }
    }
    let (bytes, path) = match input {
        Input::Path(p) => (Cow::Owned(read_file(p)?), Some(p.as_path())),
        Input::Bytes { bytes, .. } => (Cow::Borrowed(bytes.as_slice()), None),
    };
    let format = match format {
        Some(f) => f,
        None => detect(&bytes, path).ok_or_else(|| ImportError::UnknownFormat(name.clone()))?,
    };
    match format {
        Format::Vcf => set.add(&name, read_vcf(&bytes), None),
        Format::Ics => {
            // Only the text is needed from here: the file's bytes go before parsing.
            let text = bytes_to_text(&bytes);
            drop(bytes);
            let read = read_ics_with(&text, strict);
            drop(text);
            set.repaired.extend(notes(&name, read.repairs));
            set.superseded.extend(notes(&name, read.superseded));
            set.add(&name, read.items, None);
        }
        Format::Md => {
            // A note without a title is named after its file.
            let stem = path
                .and_then(Path::file_stem)
                .map(|s| s.to_string_lossy().into_owned());
            let parsed = read_markdown(&bytes_to_text(&bytes), stem.as_deref());
            set.add(&name, parsed, None);
        }
        Format::Json => {
            for r in read_json(&bytes_to_text(&bytes)) {
                match r {
                    Ok(j) => set.items.push(Incoming {
                        source: name.clone(),
                        index: j.item.index,
                        record: j.item.record,
                        collection: j.collection.as_deref().and_then(file_collection_name),
                        keep_id: true,
                        settings: j.collection_settings,
                        row: None,
                    }),
                    Err(error) => set.invalid.push(InvalidItem {
                        file: name.clone(),
                        error,
                    }),
                }
            }
        }
        Format::Vdir => unreachable!("a vdir is a folder, handled above"),
    }
    Ok(set)
}

fn read_md_dir(dir: &Path, set: &mut ReadSet) -> Result<(), ImportError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ImportError::Read {
        path: dir.display().to_string(),
        source,
    })?;
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown")
                })
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ImportError::EmptyFolder(dir.display().to_string()));
    }
    for p in files {
        let bytes = read_file(&p)?;
        let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
        let parsed = read_markdown(&bytes_to_text(&bytes), stem.as_deref());
        set.add(&p.display().to_string(), parsed, None);
    }
    Ok(())
}

/// The format of a file from its first meaningful bytes, else its extension.
pub fn detect(bytes: &[u8], path: Option<&Path>) -> Option<Format> {
    let text = bytes_to_text(&bytes[..bytes.len().min(4096)]);
    let head = text.trim_start_matches('\u{feff}').trim_start();
    let upper = head.get(..16).unwrap_or(head).to_ascii_uppercase();
    if upper.starts_with("BEGIN:VCALENDAR") {
        return Some(Format::Ics);
    }
    if upper.starts_with("BEGIN:VCARD") {
        return Some(Format::Vcf);
    }
    if head.starts_with('[') || head.starts_with('{') {
        return Some(Format::Json);
    }
    let ext = path
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("ics" | "ical") => Some(Format::Ics),
        Some("vcf" | "vcard") => Some(Format::Vcf),
        Some("json") => Some(Format::Json),
        Some("md" | "markdown" | "txt") => Some(Format::Md),
        _ => head.starts_with("---").then_some(Format::Md),
    }
}
