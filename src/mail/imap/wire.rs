//! Pure helpers for IMAP command text and answers (no I/O).

use std::collections::BTreeMap;

/// Why a folder name cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FolderNameError {
    #[error("empty folder name")]
    Empty,
    #[error("folder name {folder:?} contains {found:?}: only printable ASCII is supported")]
    NotPrintableAscii { folder: String, found: char },
}

/// A quoted IMAP string for a folder name. Folder names must be printable ASCII
/// (modified UTF-7 is not needed for pim's own folders).
pub fn quote_folder(folder: &str) -> Result<String, FolderNameError> {
    if folder.is_empty() {
        return Err(FolderNameError::Empty);
    }
    if let Some(found) = folder
        .chars()
        .find(|c| !c.is_ascii() || c.is_ascii_control())
    {
        return Err(FolderNameError::NotPrintableAscii {
            folder: folder.to_string(),
            found,
        });
    }
    Ok(format!(
        "\"{}\"",
        folder.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// Header names are RFC 5322 field names: printable ASCII without ':' or space.
pub fn valid_header_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

/// Compact UID set for a command: `1:3,7,9:10`. Input may be unsorted or repeat.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted: Vec<u32> = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// Splits UIDs into groups whose set strings stay short enough for one command
/// line (servers limit line length; 8 KB is safe everywhere).
pub fn uid_chunks(uids: &[u32]) -> Vec<Vec<u32>> {
    let mut sorted: Vec<u32> = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut chunks = Vec::new();
    let mut current: Vec<u32> = Vec::new();
    for uid in sorted {
        current.push(uid);
        if current.len().is_multiple_of(256) && uid_set(&current).len() > 6000 {
            chunks.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Parses a header block (as returned for `BODY[HEADER.FIELDS (...)]`) into
/// lower-case name → unfolded value. The first occurrence of a name wins.
pub fn parse_headers(block: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(block);
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    let mut flush = |cur: &mut Option<(String, String)>| {
        if let Some((name, value)) = cur.take() {
            out.entry(name).or_insert_with(|| value.trim().to_string());
        }
    };
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            flush(&mut current);
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.as_mut() {
                value.push(' ');
                value.push_str(line.trim_start());
            }
            continue;
        }
        flush(&mut current);
        if let Some((name, value)) = line.split_once(':') {
            current = Some((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    flush(&mut current);
    out
}

/// The APPEND command head and the separators between message literals.
/// With LITERAL+ the literals need no continuation from the server.
pub fn literal_marker(len: usize, literal_plus: bool) -> String {
    if literal_plus {
        format!("{{{len}+}}")
    } else {
        format!("{{{len}}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_set(&[3, 1, 2, 7, 9, 10, 10]), "1:3,7,9:10");
        assert_eq!(uid_set(&[5]), "5");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn uid_chunks_keep_every_uid_once() {
        let uids: Vec<u32> = (1..20_000).map(|i| i * 2).collect();
        let chunks = uid_chunks(&uids);
        assert!(chunks.len() > 1);
        let mut all: Vec<u32> = chunks.iter().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, uids);
        assert!(chunks.iter().all(|c| uid_set(c).len() < 8000));
    }

    #[test]
    fn headers_unfold_and_lowercase() {
        let block =
            b"Message-ID: <a@b>\r\nX-Pim-Device:\r\n  dev1\r\n\tcont\r\nmessage-id: <dup>\r\n\r\n";
        let h = parse_headers(block);
        assert_eq!(h["message-id"], "<a@b>");
        assert_eq!(h["x-pim-device"], "dev1 cont");
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn folder_quoting() {
        assert_eq!(quote_folder("PIM/Changes").unwrap(), "\"PIM/Changes\"");
        assert_eq!(quote_folder("a\"b").unwrap(), "\"a\\\"b\"");
        assert!(matches!(
            quote_folder("Küche"),
            Err(FolderNameError::NotPrintableAscii { found: 'ü', .. })
        ));
        assert!(quote_folder("a\r\nb").is_err());
        assert_eq!(quote_folder(""), Err(FolderNameError::Empty));
    }

    #[test]
    fn header_names() {
        assert!(valid_header_name("Message-ID"));
        assert!(!valid_header_name("Bad Name"));
        assert!(!valid_header_name("a:b"));
        assert!(!valid_header_name(""));
    }
}
