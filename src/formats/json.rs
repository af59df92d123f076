//! pim's own JSON: an array of objects, each the `--json` view of a record (id, kind,
//! collection name, uid, readable fields) plus `content`, the full stored body.
//! Reading uses only `id`, `kind`, `collection` and `content`, so records come back
//! exactly. (`content`, because a note's view already has a text `body`.)
//! A backup (`pim export`) also gives each record `collection_settings`, the id,
//! colour, sync flag and default alarms of its collection, so a restore brings those
//! back too.

use crate::model::zonedb::Tz;
use serde_json::Value;

use crate::formats::view_ref::write_view;
use crate::formats::{ItemError, ParsedItem};
use crate::model::borrowed::BodyRef;
use crate::model::{Body, Collection, Kind, Record};

/// One record read from JSON, with the name of the collection it was exported from.
#[derive(Debug, Clone)]
pub struct JsonItem {
    pub item: ParsedItem,
    pub collection: Option<String>,
    /// That collection's settings, when the file kept them.
    pub collection_settings: Option<CollectionSettings>,
}

/// What a backup keeps of a record's collection besides its name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CollectionSettings {
    pub id: String,
    #[serde(default)]
    pub color: Option<String>,
    pub sync: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_alarms: Option<String>,
}

impl From<&Collection> for CollectionSettings {
    fn from(c: &Collection) -> Self {
        CollectionSettings {
            id: c.id.clone(),
            color: c.color.clone(),
            sync: c.sync,
            default_alarms: c.default_alarms.clone(),
        }
    }
}

/// Records with their collection names as a JSON array, one record per line (fast to
/// write for 100 000 records, and easy to diff).
pub fn write_json(records: &[(&Record, &str)], local: Tz) -> String {
    let mut out = String::with_capacity(records.len() * 1024 + 4);
    out.push('[');
    for (i, (r, collection)) in records.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        write_json_item(&mut out, r, collection, None, local, None);
    }
    out.push_str(JSON_END);
    out
}

/// What closes the array [`write_json`] writes (after the last item).
pub const JSON_END: &str = "\n]\n";

/// One element of [`write_json`]'s array: the view of `r` plus its `content`
/// (and its collection's settings when given). `stored` is the body's JSON as
/// the store keeps it, when at hand (saves serializing the body again; it is the
/// same text).
pub fn write_json_item(
    out: &mut String,
    r: &Record,
    collection: &str,
    settings: Option<&Collection>,
    local: Tz,
    stored: Option<&str>,
) {
    let mut bytes = Vec::with_capacity(1024);
    write_json_item_to(&mut bytes, r, collection, settings, local, stored);
    out.push_str(std::str::from_utf8(&bytes).expect("JSON is UTF-8"));
}

/// [`write_json_item`] appending to bytes.
pub fn write_json_item_to(
    out: &mut Vec<u8>,
    r: &Record,
    collection: &str,
    settings: Option<&Collection>,
    local: Tz,
    stored: Option<&str>,
) {
    let mut head = String::with_capacity(1024);
    let settings = settings.map(settings_json);
    let body = BodyRef::from(&r.body);
    write_json_item_head(
        &mut head,
        &r.id,
        r.kind,
        &body,
        collection,
        settings.as_deref(),
        local,
    );
    out.extend_from_slice(head.as_bytes());
    match stored {
        Some(text) => out.extend_from_slice(text.as_bytes()),
        None => serde_json::to_writer(&mut *out, &r.body).expect("bodies serialize"),
    }
    out.push(b'}');
}

/// A collection's settings as [`write_json_item_head`] writes them.
pub fn settings_json(c: &Collection) -> String {
    serde_json::to_string(&CollectionSettings::from(c)).expect("settings serialize")
}

/// [`write_json_item_to`] up to its `content` (through `"content":`), for the
/// record `id` of `kind` whose stored body, read in place, is `body`; `settings`
/// as [`settings_json`] wrote them. What follows is the stored body, then `}`.
pub fn write_json_item_head(
    out: &mut String,
    id: &str,
    kind: Kind,
    body: &BodyRef<'_>,
    collection: &str,
    settings: Option<&str>,
    local: Tz,
) {
    write_view(out, id, kind, body, collection, local);
    // The view is an object: the settings and the body are its last members.
    let closed = out.pop();
    debug_assert_eq!(closed, Some('}'), "the view is an object");
    if let Some(s) = settings {
        out.push_str(",\"collection_settings\":");
        out.push_str(s);
    }
    out.push_str(",\"content\":");
}

/// Read a JSON array written by [`write_json`]. A file that is not a JSON array is one
/// error; each element that lacks a valid id, kind or body is an error of its own.
pub fn read_json(text: &str) -> Vec<Result<JsonItem, ItemError>> {
    let value: Value = match serde_json::from_str(text.trim_start_matches('\u{feff}')) {
        Ok(v) => v,
        Err(e) => {
            return vec![Err(ItemError {
                index: 1,
                line: e.line().max(1),
                reason: format!("not valid JSON: {e}"),
            })];
        }
    };
    let Value::Array(elements) = value else {
        return vec![Err(ItemError {
            index: 1,
            line: 1,
            reason: "expected a JSON array of records".into(),
        })];
    };
    let lines = element_lines(text);
    elements
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let line = lines.get(i).copied().unwrap_or(1);
            element(v)
                .map_err(|e| ItemError {
                    index: i + 1,
                    line,
                    reason: e.to_string(),
                })
                .map(|(record, collection, collection_settings)| JsonItem {
                    item: ParsedItem {
                        record,
                        index: i + 1,
                        line,
                    },
                    collection,
                    collection_settings,
                })
        })
        .collect()
}

/// Why one element of a JSON export is not a record.
#[derive(Debug, thiserror::Error)]
enum ElementError {
    #[error("expected an object")]
    NotAnObject,
    #[error("unknown kind {0:?}")]
    UnknownKind(String),
    #[error("missing \"content\"")]
    MissingContent,
    #[error("bad \"content\": {0}")]
    BadContent(serde_json::Error),
    #[error("bad \"collection_settings\": {0}")]
    BadSettings(serde_json::Error),
    #[error("a {kind} must hold a {expected} component, not {found}")]
    WrongComponent {
        kind: Kind,
        expected: &'static str,
        found: String,
    },
}

type Element = (Record, Option<String>, Option<CollectionSettings>);

fn element(v: Value) -> Result<Element, ElementError> {
    let Value::Object(mut m) = v else {
        return Err(ElementError::NotAnObject);
    };
    let kind_word = m.get("kind").and_then(Value::as_str).unwrap_or("");
    let kind =
        Kind::parse(kind_word).ok_or_else(|| ElementError::UnknownKind(kind_word.to_string()))?;
    let body = m.remove("content").ok_or(ElementError::MissingContent)?;
    let body: Body = serde_json::from_value(body).map_err(ElementError::BadContent)?;
    if body.main.name != kind.component() {
        return Err(ElementError::WrongComponent {
            kind,
            expected: kind.component(),
            found: body.main.name,
        });
    }
    let id = match m.get("id").and_then(Value::as_str) {
        Some(id) if !id.trim().is_empty() => id.to_string(),
        _ => crate::model::new_id(),
    };
    let collection = m
        .get("collection")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let settings = match m.remove("collection_settings") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value::<CollectionSettings>(v).map_err(ElementError::BadSettings)?,
        ),
    };
    Ok((
        Record {
            id,
            kind,
            collection: String::new(),
            body,
        },
        collection,
        settings,
    ))
}

/// The 1-based line where each element of the top-level array starts.
fn element_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut depth, mut line, mut in_str, mut esc) = (0usize, 1usize, false, false);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                if depth == 1 {
                    lines.push(line);
                }
                in_str = true;
            }
            '[' | '{' => {
                if depth == 1 {
                    lines.push(line);
                }
                depth += 1;
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            // A bare scalar element; counted once, at its first character.
            c if depth == 1 && !c.is_whitespace() && c != ',' && lines.last() != Some(&line) => {
                lines.push(line);
            }
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Property;

    #[test]
    fn round_trips_exactly() {
        let mut r = Record::new(Kind::Event, "c1");
        r.body
            .main
            .props
            .push(Property::text("SUMMARY", "Tea, \"quoted\"\nline"));
        r.body
            .main
            .props
            .push(Property::new("X-ODD", "raw\\,value").with_param("X-P", "a:b"));
        let text = write_json(&[(&r, "Home")], crate::model::zonedb::UTC);
        let back = read_json(&text);
        let item = back[0].as_ref().unwrap();
        assert_eq!(item.collection.as_deref(), Some("Home"));
        assert_eq!(item.item.record.id, r.id);
        assert_eq!(item.item.record.body, r.body);
        assert_eq!(item.item.line, 2);
    }

    #[test]
    fn collection_settings_round_trip() {
        let r = Record::new(Kind::Task, "c1");
        let c = Collection {
            id: "c1".into(),
            kind: Kind::Task,
            name: "Private".into(),
            color: Some("#ff0000".into()),
            sync: false,
            default_alarms: Some("-1d".into()),
        };
        let mut text = String::from("[\n");
        write_json_item(
            &mut text,
            &r,
            "Private",
            Some(&c),
            crate::model::zonedb::UTC,
            None,
        );
        text.push_str(JSON_END);
        let back = read_json(&text).remove(0).unwrap();
        assert_eq!(back.collection_settings, Some(CollectionSettings::from(&c)));
        // Files written without settings (older pims) still read.
        let plain = write_json(&[(&r, "Private")], crate::model::zonedb::UTC);
        assert_eq!(
            read_json(&plain).remove(0).unwrap().collection_settings,
            None
        );
        let bad = text.replace("\"sync\":false", "\"sync\":\"off\"");
        let err = read_json(&bad).remove(0).unwrap_err();
        assert!(err.reason.contains("collection_settings"), "{}", err.reason);
    }

    #[test]
    fn bad_elements_name_their_index() {
        let items = read_json("[\n{\"kind\":\"event\"},\n 3\n]");
        assert_eq!(items.len(), 2);
        let e = items[0].as_ref().unwrap_err();
        assert_eq!((e.index, e.line), (1, 2));
        assert!(e.reason.contains("content"));
        assert_eq!(items[1].as_ref().unwrap_err().line, 3);
        assert!(read_json("{").remove(0).is_err());
    }
}
