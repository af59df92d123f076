//! Notes as Markdown files with optional front matter:
//!
//! ```text
//! ---
//! title: Shopping
//! uid: 1b4e...
//! categories: [home, errands]
//! created: 2024-05-01T10:00:00Z
//! ---
//! body text
//! ```
//!
//! Without front matter the title is the first `# heading` (else the file name) and
//! the UID is derived from the file name (else the content), so importing the same
//! files again updates the notes.

use chrono::{DateTime, NaiveDate, Utc};

use crate::formats::uid::content_uid;
use crate::formats::{ItemError, ParsedItem};
use crate::model::property::{escape_text, split_unescaped};
use crate::model::time::When;
use crate::model::{Kind, Property, Record};

/// Read one or more notes: a text holding several front-matter documents one after
/// another (as [`write_markdown`] writes them to one stream) gives one note each.
/// `name` is the file stem, used for the title and UID when the text lacks them.
pub fn read_markdown(text: &str, name: Option<&str>) -> Vec<Result<ParsedItem, ItemError>> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let docs = split_documents(&text);
    let several = docs.len() > 1;
    docs.into_iter()
        .enumerate()
        .map(|(i, (line, doc))| {
            let name = if several { None } else { name };
            note(doc, name)
                .map_err(|e| ItemError {
                    index: i + 1,
                    line,
                    reason: e.to_string(),
                })
                .map(|record| ParsedItem {
                    record,
                    index: i + 1,
                    line,
                })
        })
        .collect()
}

/// Front matter between two `---` lines at the very start of a document.
fn front_matter(doc: &str) -> Option<(&str, &str)> {
    let rest = doc.strip_prefix("---\n")?;
    let end = rest.find("\n---\n").map(|i| (i, i + 5)).or_else(|| {
        rest.strip_suffix("\n---")
            .map(|fm| (fm.len(), rest.len()))
            .or_else(|| rest.starts_with("---\n").then_some((0, 4)))
    })?;
    let fm = &rest[..end.0];
    // Only `key: value` lines and `- item` list lines: a real front matter.
    fm.lines()
        .all(|l| l.trim().is_empty() || l.contains(':') || l.trim_start().starts_with("- "))
        .then(|| (fm, &rest[end.1..]))
}

/// Split a stream into documents at each `---` line that opens a front matter
/// naming a title or uid (so a `---` rule inside a body does not split it).
fn split_documents(text: &str) -> Vec<(usize, &str)> {
    let mut starts = vec![0usize];
    if let Some((_, body)) = front_matter(text) {
        let offset = text.len() - body.len();
        for (i, _) in text[offset..].match_indices("---\n") {
            let at = offset + i;
            let opens = (at == 0 || text.as_bytes()[at - 1] == b'\n')
                && front_matter(&text[at..]).is_some_and(|(fm, _)| {
                    fm.lines().any(|l| {
                        let k = l
                            .split(':')
                            .next()
                            .unwrap_or("")
                            .trim()
                            .to_ascii_lowercase();
                        k == "title" || k == "uid"
                    })
                });
            if opens && at > *starts.last().expect("non-empty") {
                starts.push(at);
            }
        }
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let e = starts.get(i + 1).copied().unwrap_or(text.len());
            (text[..s].matches('\n').count() + 1, &text[s..e])
        })
        .collect()
}

/// Why a front-matter document is not a note.
#[derive(Debug, thiserror::Error)]
enum NoteError {
    #[error("created: cannot read {0:?} (a date or time of the years 1-9999)")]
    BadCreated(String),
}

fn note(doc: &str, name: Option<&str>) -> Result<Record, NoteError> {
    let (fm, body) = front_matter(doc).unwrap_or(("", doc));
    let mut r = Record::new(Kind::Note, "");
    r.remove("UID");
    let mut title = None;
    let mut uid = None;
    let mut categories: Vec<String> = Vec::new();
    let mut created = None;
    let mut last_key = String::new();
    for l in fm.lines() {
        if let Some(item) = l.trim_start().strip_prefix("- ") {
            if last_key == "categories" || last_key == "tags" {
                categories.push(unquote(item.trim()));
            }
            continue;
        }
        let Some((k, v)) = l.split_once(':') else {
            continue;
        };
        let k = k.trim().to_ascii_lowercase();
        let raw = v.trim();
        let v = unquote(raw);
        match k.as_str() {
            "title" => title = Some(v.clone()),
            "uid" | "id" => uid = Some(v.clone()).filter(|s| !s.is_empty()),
            "categories" | "tags" => categories.extend(list(raw)),
            "created" | "date" => {
                created = Some(parse_time(&v).ok_or_else(|| NoteError::BadCreated(v.clone()))?)
            }
            _ => {}
        }
        last_key = k;
    }
    let body = body.strip_suffix('\n').unwrap_or(body);
    let title = title
        .or_else(|| {
            body.lines()
                .find_map(|l| l.strip_prefix("# ").map(|t| t.trim().to_string()))
        })
        .or_else(|| name.map(str::to_string))
        .unwrap_or_default();
    let uid = uid.unwrap_or_else(|| match name {
        Some(n) => content_uid(&format!("md:{n}")),
        None => content_uid(doc),
    });
    r.body.main.props.push(Property::new("UID", uid));
    r.body.main.props.push(Property::text("SUMMARY", &title));
    if !body.is_empty() {
        r.body.main.props.push(Property::text("DESCRIPTION", body));
    }
    if !categories.is_empty() {
        let v: Vec<String> = categories.iter().map(|c| escape_text(c)).collect();
        r.body
            .main
            .props
            .push(Property::new("CATEGORIES", v.join(",")));
    }
    if let Some(c) = created {
        r.body.main.props.push(c.to_property("CREATED"));
    }
    Ok(r)
}

/// A YAML scalar: double-quoted (with `\\`, `\"`, `\n` escapes), single-quoted or plain.
fn unquote(v: &str) -> String {
    if let Some(inner) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match (c, c == '\\') {
                (_, true) => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(o) => out.push(o),
                    None => out.push('\\'),
                },
                (c, false) => out.push(c),
            }
        }
        return out;
    }
    v.strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or(v)
        .to_string()
}

/// `[a, "b, c"]` or `a, b`: split on commas outside double quotes.
fn list(v: &str) -> Vec<String> {
    let inner = v
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(v);
    let mut items = Vec::new();
    let (mut cur, mut quoted, mut escaped) = (String::new(), false, false);
    for c in inner.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                items.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    items.push(cur);
    items
        .iter()
        .map(|s| unquote(s.trim()))
        .filter(|s| !s.is_empty())
        .collect()
}

fn parse_time(v: &str) -> Option<When> {
    let w = if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        When::Utc(t.with_timezone(&Utc))
    } else if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S") {
        When::Utc(t.and_utc())
    } else {
        When::Date(NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?)
    };
    // Year 0, +99999 or a leap second would be stored as a CREATED nothing reads.
    w.is_writable().then_some(w)
}

/// A note as Markdown with front matter (title, uid, categories, created).
pub fn write_markdown(r: &Record) -> String {
    let mut out = String::from("---\n");
    out.push_str(&format!(
        "title: {}\n",
        yaml_scalar(&r.text("SUMMARY").unwrap_or_default())
    ));
    if let Some(uid) = r.uid() {
        out.push_str(&format!("uid: {}\n", yaml_scalar(uid)));
    }
    let cats: Vec<String> = r
        .props_named("CATEGORIES")
        .flat_map(|p| split_unescaped(&p.value, ','))
        .filter(|c| !c.is_empty())
        .map(|c| yaml_scalar(&c))
        .collect();
    if !cats.is_empty() {
        out.push_str(&format!("categories: [{}]\n", cats.join(", ")));
    }
    if let Some(w) = r.prop("CREATED").and_then(|p| When::from_property(p).ok()) {
        let s = match w {
            When::Utc(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            When::Date(d) => d.format("%Y-%m-%d").to_string(),
            When::Floating(n) | When::Zoned(n, _) => n.format("%Y-%m-%d %H:%M:%S").to_string(),
        };
        out.push_str(&format!("created: {s}\n"));
    }
    out.push_str("---\n");
    if let Some(body) = r.text("DESCRIPTION") {
        out.push_str(&body);
        out.push('\n');
    }
    out
}

/// Quote a scalar when plain YAML would misread it.
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.contains([':', '#', ',', '[', ']', '{', '}', '"', '\'', '\n'])
        && !s.starts_with([' ', '-', '?', '!', '&', '*', '|', '>', '%', '@', '`'])
        && !s.ends_with(' ');
    if plain {
        s.to_string()
    } else {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_fallbacks() {
        let items = read_markdown(
            "---\ntitle: Shopping\ncategories: [home, \"errands\"]\ncreated: 2024-05-01T10:00:00Z\n---\nmilk\n",
            Some("shop"),
        );
        let r = &items[0].as_ref().unwrap().record;
        assert_eq!(r.text("SUMMARY").unwrap(), "Shopping");
        assert_eq!(r.text("DESCRIPTION").unwrap(), "milk");
        assert_eq!(r.prop("CATEGORIES").unwrap().value, "home,errands");
        assert_eq!(r.prop("CREATED").unwrap().value, "20240501T100000Z");
        let again = read_markdown("# Heading\ntext", Some("file"));
        let r2 = &again[0].as_ref().unwrap().record;
        assert_eq!(r2.text("SUMMARY").unwrap(), "Heading");
        assert_eq!(
            r2.uid(),
            read_markdown("changed", Some("file"))[0]
                .as_ref()
                .unwrap()
                .record
                .uid()
        );
    }

    #[test]
    fn writes_and_reads_back_several() {
        let mut a = Record::new(Kind::Note, "c");
        a.set_text("SUMMARY", "A: colon");
        a.set_text("DESCRIPTION", "body\n---\nnot a new note");
        let mut b = Record::new(Kind::Note, "c");
        b.set_text("SUMMARY", "B");
        b.body.main.props.push(Property::new("CATEGORIES", "x,y"));
        let text = format!("{}{}", write_markdown(&a), write_markdown(&b));
        let items = read_markdown(&text, None);
        assert_eq!(items.len(), 2, "{text}");
        let ra = &items[0].as_ref().unwrap().record;
        assert_eq!(ra.text("SUMMARY").unwrap(), "A: colon");
        assert_eq!(ra.text("DESCRIPTION").unwrap(), "body\n---\nnot a new note");
        assert_eq!(ra.uid(), a.uid());
        assert_eq!(
            items[1]
                .as_ref()
                .unwrap()
                .record
                .prop("CATEGORIES")
                .unwrap()
                .value,
            "x,y"
        );
    }

    #[test]
    fn bad_dates_are_item_errors() {
        let e = read_markdown("---\ntitle: x\ncreated: someday\n---\n", None);
        assert!(e[0].as_ref().unwrap_err().reason.contains("created"));
    }
}
