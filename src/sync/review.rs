//! What the user reads when reviewing sync: a queued conflict with both sides
//! (who, when, what) and a record's history including values that lost a conflict.
//! Shared by `pim conflicts` / `pim history` and the TUI's Sync tab. Read-only,
//! except [`restore`], which writes an ordinary (syncing) change.

use serde::Serialize;

use super::apply::{self, Resolution};
use crate::model::fields::is_set_valued;
use crate::model::{FieldValue, Op};
use crate::store::sync_state::{self as st, Conflict};
use crate::store::{Result, Store};

/// One side of a conflict: which device, when, and the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    pub device: String,
    pub device_name: String,
    pub when: String,
    pub value: Option<FieldValue>,
    pub text: String,
}

/// A queued conflict as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictView {
    pub id: i64,
    pub record_id: String,
    pub kind: String,
    pub title: String,
    pub key: String,
    /// Multi-valued: "take both" makes the union.
    pub set_valued: bool,
    pub base: Option<FieldValue>,
    pub base_text: String,
    pub mine: Side,
    pub theirs: Side,
    pub created_at: String,
}

/// A value as one line of text: property values joined by ", ".
pub fn text_of(v: Option<&FieldValue>) -> String {
    match v {
        None => "(none)".into(),
        Some(FieldValue::Props(ps)) if ps.is_empty() => "(empty)".into(),
        Some(FieldValue::Props(ps)) => ps
            .iter()
            .map(|p| p.text_value())
            .collect::<Vec<_>>()
            .join(", "),
        Some(FieldValue::Comps(cs)) => {
            let names: Vec<String> = cs
                .iter()
                .map(|c| {
                    let summary = c
                        .prop("SUMMARY")
                        .or_else(|| c.prop("TRIGGER"))
                        .map(|p| format!(" {}", p.text_value()))
                        .unwrap_or_default();
                    format!("{}{summary}", c.name)
                })
                .collect();
            names.join(", ")
        }
    }
}

/// A conflict key in words (`@exists` is a delete against an edit).
pub fn key_label(key: &str) -> String {
    match key {
        "@exists" => "record exists".into(),
        "@collection" => "collection".into(),
        k => k.trim_start_matches('#').to_string(),
    }
}

/// Device names, read once per listing (a long conflict queue asks many times).
struct Names {
    me: String,
    my_name: String,
    known: std::collections::BTreeMap<String, String>,
}

impl Names {
    fn load(store: &Store) -> Result<Names> {
        Ok(Names {
            me: store.device().to_string(),
            my_name: store
                .meta("sync.device_name")?
                .unwrap_or_else(|| "this device".into()),
            known: st::devices(store)?
                .into_iter()
                .filter(|d| !d.name.is_empty())
                .map(|d| (d.device, d.name))
                .collect(),
        })
    }

    fn of(&self, device: &str) -> String {
        if device == self.me {
            return self.my_name.clone();
        }
        self.known
            .get(device)
            .cloned()
            .unwrap_or_else(|| device.chars().take(8).collect())
    }
}

/// The device and wall time of a logged change, by its id.
fn change_origin(store: &Store, change_id: &str) -> Result<Option<(String, String)>> {
    crate::store::change_log::change_origin(store, change_id)
}

/// When this device last changed `key` of the record (the "mine" side).
fn my_last_edit(store: &Store, record_id: &str, key: &str) -> Result<Option<String>> {
    let me = store.device();
    let changes = st::record_changes(store, record_id)?;
    Ok(changes
        .iter()
        .rev()
        .filter(|c| c.device == me)
        .find(|c| touches_key(&c.op, key))
        .map(|c| c.changed_at.clone()))
}

fn touches_key(op: &Op, key: &str) -> bool {
    match op {
        Op::Update { fields } => fields.iter().any(|f| f.key == key),
        Op::Create { .. } | Op::Delete { .. } => key == "@exists",
        Op::Move { .. } => key == "@collection",
        _ => false,
    }
}

pub fn view(store: &Store, c: &Conflict) -> Result<ConflictView> {
    view_named(store, &Names::load(store)?, c)
}

fn view_named(store: &Store, names: &Names, c: &Conflict) -> Result<ConflictView> {
    let title = store
        .get(&c.record_id)?
        .map(|r| r.title())
        .unwrap_or_else(|| "(deleted)".into());
    let me = store.device().to_string();
    let mine = Side {
        device_name: names.of(&me),
        device: me.clone(),
        when: my_last_edit(store, &c.record_id, &c.key)?.unwrap_or_default(),
        text: text_of(c.local.as_ref()),
        value: c.local.clone(),
    };
    let (their_device, their_when) = match change_origin(store, &c.remote_change)? {
        Some(o) => o,
        None => (
            c.remote_change
                .rsplit_once('-')
                .map(|(d, _)| d.to_string())
                .unwrap_or_default(),
            String::new(),
        ),
    };
    let theirs = Side {
        device_name: names.of(&their_device),
        device: their_device,
        when: their_when,
        text: text_of(c.remote.as_ref()),
        value: c.remote.clone(),
    };
    Ok(ConflictView {
        id: c.id,
        record_id: c.record_id.clone(),
        kind: c.kind.clone(),
        title,
        key: c.key.clone(),
        set_valued: is_set_valued(&c.key),
        base_text: text_of(c.base.as_ref()),
        base: c.base.clone(),
        mine,
        theirs,
        created_at: c.created_at.clone(),
    })
}

/// Every open conflict, oldest first, ready to show.
pub fn open_conflicts(store: &Store) -> Result<Vec<ConflictView>> {
    let names = Names::load(store)?;
    st::open_conflicts(store, None)?
        .iter()
        .map(|c| view_named(store, &names, c))
        .collect()
}

/// A merged value for `key` typed as text, keeping the parameters of `like`
/// (mine). Multi-valued fields take comma-separated values, one property each.
pub fn merged_text(like: Option<&FieldValue>, key: &str, text: &str) -> Resolution {
    let mine: &[crate::model::Property] = match like {
        Some(FieldValue::Props(ps)) => ps,
        _ => &[],
    };
    let make = |value: &str, template: Option<&crate::model::Property>| {
        let mut p = template
            .cloned()
            .unwrap_or_else(|| crate::model::Property::text(key, ""));
        p.value = crate::model::property::escape_text(value);
        p
    };
    let props: Vec<crate::model::Property> = if is_set_valued(key) {
        text.split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| {
                make(
                    v,
                    mine.iter().find(|p| p.text_value() == v).or(mine.first()),
                )
            })
            .collect()
    } else {
        vec![make(text, mine.first())]
    };
    Resolution::Value(Some(FieldValue::Props(props)))
}

/// One field changed by one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    pub key: String,
    pub old: String,
    pub new: String,
    #[serde(skip)]
    pub new_value: Option<FieldValue>,
}

/// One entry of a record's history: a change, or a value that lost a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub change_id: String,
    pub device: String,
    pub device_name: String,
    pub when: String,
    /// `create`, `update`, `delete`, `move`, or `lost` (a conflict loser).
    pub what: String,
    pub fields: Vec<FieldDiff>,
    /// For `lost`: which change won and under which policy.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A record's changes, oldest first, with conflict losers placed by time.
pub fn history(store: &Store, record_id: &str) -> Result<Vec<HistoryEntry>> {
    let names = Names::load(store)?;
    let mut out = Vec::new();
    for c in st::record_changes(store, record_id)? {
        let fields = match &c.op {
            Op::Update { fields } => fields
                .iter()
                .map(|f| FieldDiff {
                    key: f.key.clone(),
                    old: text_of(f.base.as_ref()),
                    new: text_of(f.new.as_ref()),
                    new_value: f.new.clone(),
                })
                .collect(),
            Op::Create { body, .. } => body
                .fields()
                .into_iter()
                .filter(|(k, _)| !matches!(k.as_str(), "UID" | "DTSTAMP" | "REV" | "VERSION"))
                .map(|(k, v)| FieldDiff {
                    old: String::new(),
                    new: text_of(Some(&v)),
                    new_value: Some(v),
                    key: k,
                })
                .collect(),
            Op::Move { from, to } => vec![FieldDiff {
                key: "@collection".into(),
                old: from.clone(),
                new: to.clone(),
                new_value: None,
            }],
            _ => Vec::new(),
        };
        out.push(HistoryEntry {
            device_name: names.of(&c.device),
            device: c.device.clone(),
            when: c.changed_at.clone(),
            what: c.op.name().to_string(),
            change_id: c.change_id,
            fields,
            note: String::new(),
        });
    }
    for l in st::losers(store, Some(record_id))? {
        let device = if l.lost_change == "local" {
            store.device().to_string()
        } else {
            change_origin(store, &l.lost_change)?
                .map(|(d, _)| d)
                .unwrap_or_default()
        };
        out.push(HistoryEntry {
            device_name: names.of(&device),
            device,
            when: l.at.clone(),
            what: "lost".into(),
            change_id: l.lost_change.clone(),
            fields: vec![FieldDiff {
                key: l.key.clone(),
                old: String::new(),
                new: text_of(l.value.as_ref()),
                new_value: l.value.clone(),
            }],
            note: format!("lost to {} (policy {})", l.won_change, l.policy),
        });
    }
    out.sort_by(|a, b| a.when.cmp(&b.when));
    Ok(out)
}

/// Set `key` of the record back to `value`: an ordinary change that syncs.
pub fn restore(
    store: &mut Store,
    record_id: &str,
    key: &str,
    value: Option<&FieldValue>,
) -> Result<()> {
    let kind = store.require(record_id)?.kind;
    store.write(|w| apply::publish(w, record_id, kind.as_str(), key, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Property, Record};

    fn contact(store: &mut Store, name: &str) -> Record {
        let mut r = Record::new(Kind::Contact, "");
        let coll = store
            .write(|w| w.put_collection_with_id("c1", Kind::Contact, "Contacts"))
            .unwrap();
        r.collection = coll.id;
        r.set_text("FN", name);
        store.write(|w| w.create(&r)).unwrap();
        r
    }

    #[test]
    fn history_lists_edits_and_restore_is_a_new_change() {
        let mut store = Store::open_in_memory().unwrap();
        let mut r = contact(&mut store, "Ada");
        r.set_text("FN", "Ada Lovelace");
        store.write(|w| w.update(&r)).unwrap();
        let h = history(&store, &r.id).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].what, "create");
        let fnd = h[1].fields.iter().find(|f| f.key == "FN").unwrap();
        assert_eq!(
            (fnd.old.as_str(), fnd.new.as_str()),
            ("Ada", "Ada Lovelace")
        );

        let old = h[0].fields.iter().find(|f| f.key == "FN").unwrap();
        restore(&mut store, &r.id, "FN", old.new_value.as_ref()).unwrap();
        assert_eq!(store.require(&r.id).unwrap().title(), "Ada");
        assert_eq!(history(&store, &r.id).unwrap().len(), 3);
    }

    #[test]
    fn values_render_as_one_line() {
        let v = FieldValue::Props(vec![
            Property::text("EMAIL", "a@x.org"),
            Property::text("EMAIL", "b@x.org"),
        ]);
        assert_eq!(text_of(Some(&v)), "a@x.org, b@x.org");
        assert_eq!(text_of(None), "(none)");
        assert_eq!(key_label("@exists"), "record exists");
        let Resolution::Value(Some(FieldValue::Props(ps))) =
            merged_text(Some(&v), "EMAIL", "b@x.org, c@x.org")
        else {
            panic!("a value");
        };
        let got: Vec<String> = ps.iter().map(|p| p.text_value()).collect();
        assert_eq!(got, ["b@x.org", "c@x.org"]);
        let Resolution::Value(Some(FieldValue::Props(ps))) = merged_text(None, "FN", "A, B") else {
            panic!("a value");
        };
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].text_value(), "A, B");
    }
}
