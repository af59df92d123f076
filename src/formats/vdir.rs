//! vdir folders as khal, khard, todoman and vdirsyncer keep them: one item per file
//! (`<uid>.ics` / `<uid>.vcf`), one folder per collection, an optional `displayname`
//! file naming the collection.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use crate::formats::ics::{read_ics, write_ics};
use crate::formats::uid::content_uid;
use crate::formats::vcard::strict::{InvalidCard, write_vcf_checked};
use crate::formats::vcard::{VcardVersion, bytes_to_text, read_vcf};
use crate::formats::{ItemError, ParsedItem};
use crate::model::{Kind, Record};

/// The items of one file of a vdir.
#[derive(Debug)]
pub struct VdirFile {
    pub path: PathBuf,
    /// The collection the folder stands for: its `displayname`, else its name.
    /// `None` for item files lying directly in the folder that was read.
    pub collection: Option<String>,
    pub items: Vec<Result<ParsedItem, ItemError>>,
}

fn item_extension(p: &Path) -> Option<&'static str> {
    let ext = p.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "ics" | "ical" | "ifb" => Some("ics"),
        "vcf" | "vcard" => Some("vcf"),
        _ => None,
    }
}

fn sorted_entries(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    v.retain(|p| {
        !p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'))
    });
    v.sort();
    Ok(v)
}

/// Whether `dir` looks like a vdir: item files in it or in its sub-folders.
pub fn is_vdir(dir: &Path) -> bool {
    sorted_entries(dir).is_ok_and(|entries| {
        entries.iter().any(|p| {
            (p.is_file() && item_extension(p).is_some())
                || (p.is_dir()
                    && sorted_entries(p).is_ok_and(|sub| {
                        sub.iter()
                            .any(|q| q.is_file() && item_extension(q).is_some())
                    }))
        })
    })
}

/// Read every `.ics`/`.vcf` file of `dir` and of its direct sub-folders (one
/// collection each). Other files (`displayname`, `color`, `.status`) are not items.
pub fn read_vdir(dir: &Path) -> io::Result<Vec<VdirFile>> {
    let mut files = Vec::new();
    for p in sorted_entries(dir)? {
        if p.is_dir() {
            let name = std::fs::read_to_string(p.join("displayname"))
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| p.file_name().unwrap_or_default().to_string_lossy().into());
            for q in sorted_entries(&p)? {
                if q.is_file()
                    && let Some(ext) = item_extension(&q)
                {
                    files.push(read_file(&q, ext, Some(name.clone()))?);
                }
            }
        } else if let Some(ext) = item_extension(&p) {
            files.push(read_file(&p, ext, None)?);
        }
    }
    Ok(files)
}

fn read_file(path: &Path, ext: &str, collection: Option<String>) -> io::Result<VdirFile> {
    let bytes = std::fs::read(path)?;
    // What a file that gives no items lacks, when it lacks something.
    let (missing, mut items) = match ext {
        "vcf" => ("card", read_vcf(&bytes)),
        _ => {
            let text = bytes_to_text(&bytes);
            // A calendar of free/busy or zones only holds no items, rightly; a
            // file with no calendar at all (empty, or something else under that
            // name) is named, as it is when imported alone.
            let calendar = text.to_ascii_uppercase().contains("BEGIN:VCALENDAR");
            let items = read_ics(&text);
            (if calendar { "" } else { "calendar" }, items)
        }
    };
    if items.is_empty() && !missing.is_empty() {
        items.push(Err(ItemError {
            index: 1,
            line: 1,
            reason: format!("no {missing} in this file"),
        }));
    }
    Ok(VdirFile {
        path: path.to_path_buf(),
        collection,
        items,
    })
}

/// A file or folder name made from a UID or collection name: kept as is when it is
/// plain; otherwise its plain characters plus a hash, so distinct inputs never clash.
pub fn safe_name(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+');
    if !s.is_empty() && s.len() <= 120 && s.chars().all(plain) && !s.starts_with('.') {
        return s.to_string();
    }
    let kept: String = s
        .chars()
        .map(|c| if plain(c) { c } else { '_' })
        .take(80)
        .collect();
    let kept = kept.trim_start_matches('.');
    format!("{kept}-{}", &content_uid(s)[..8])
}

#[derive(Debug, thiserror::Error)]
pub enum VdirWriteError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    InvalidCard(#[from] InvalidCard),
}

/// Write each collection as a folder of `dir` holding one file per record (4.0
/// cards checked, see [`write_vcf_checked`]). Returns the number of files written.
pub fn write_vdir(
    dir: &Path,
    collections: &[(String, Vec<&Record>)],
    version: VcardVersion,
) -> Result<usize, VdirWriteError> {
    let mut written = 0;
    for (name, records) in collections {
        let sub = dir.join(safe_name(name));
        std::fs::create_dir_all(&sub)?;
        if safe_name(name) != *name {
            replace_file(&sub.join("displayname"), name.as_bytes())?;
        }
        // Names given in this folder, lower case: an event, a task and a note may
        // share a UID (and a folder, by collection name), and a case-insensitive
        // disk takes `A.ics` for `a.ics`. Each record gets a file of its own.
        let mut taken: HashSet<String> = HashSet::new();
        for r in records {
            let uid = r.uid().unwrap_or(&r.id);
            let (ext, text) = match r.kind {
                Kind::Contact => ("vcf", write_vcf_checked(&[r], version)?),
                _ => ("ics", write_ics(&[r])),
            };
            let base = safe_name(uid);
            let name = std::iter::once(format!("{base}.{ext}"))
                .chain((1..).map(|n| match n {
                    1 => format!("{base}-{}.{ext}", r.kind),
                    n => format!("{base}-{}-{n}.{ext}", r.kind),
                }))
                .find(|name| taken.insert(name.to_lowercase()))
                .expect("an endless list of names");
            replace_file(&sub.join(name), text.as_bytes())?;
            written += 1;
        }
    }
    Ok(written)
}

/// Write `path` through a temporary file renamed over it: the folder may be one
/// vdirsyncer or khal read, and a write cut short (a kill, a full disk) must leave
/// the old file there, not half of the new one. The temporary file's name starts
/// with a dot (vdir readers pass such files over) and is this process's own.
fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.{}.pim-tmp", std::process::id()));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_distinct() {
        assert_eq!(safe_name("abc-123@host"), "abc-123@host");
        let a = safe_name("a/b");
        let b = safe_name("a:b");
        assert!(a.starts_with("a_b-") && b.starts_with("a_b-") && a != b);
        assert!(!safe_name("../x").contains('/'));
        assert!(!safe_name("..").starts_with('.'));
        assert!(!safe_name("").is_empty());
    }

    #[test]
    fn writes_and_reads_collections() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Record::new(Kind::Contact, "x");
        c.set_text("FN", "Ada");
        let mut e = Record::new(Kind::Event, "y");
        e.set_text("SUMMARY", "Tea");
        e.body
            .main
            .props
            .push(crate::model::Property::new("DTSTART", "20240101T100000Z"));
        let n = write_vdir(
            dir.path(),
            &[("People/Work".into(), vec![&c]), ("cal".into(), vec![&e])],
            VcardVersion::V4,
        )
        .unwrap();
        assert_eq!(n, 2);
        assert!(is_vdir(dir.path()));
        let files = read_vdir(dir.path()).unwrap();
        assert_eq!(files.len(), 2);
        let names: Vec<_> = files
            .iter()
            .map(|f| f.collection.clone().unwrap())
            .collect();
        assert!(names.contains(&"People/Work".to_string()) && names.contains(&"cal".into()));
        for f in &files {
            assert_eq!(f.items.len(), 1);
            assert!(f.items[0].is_ok());
        }
    }
}
