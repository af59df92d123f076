//! A record seen as named fields: the unit of change records and three-way merge.
//!
//! Field keys: a property name (`SUMMARY`, `EMAIL` — all instances together),
//! `#VALARM` / `#<NAME>` for the main component's sub-components,
//! `#O:<RECURRENCE-ID>` for an overridden occurrence, `#Z:<TZID>` for a time zone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Body, Component, Property};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Props(Vec<Property>),
    Comps(Vec<Component>),
}

/// Properties whose instances merge as sets (DESIGN.md §6).
pub const SET_VALUED: &[&str] = &[
    "EMAIL",
    "TEL",
    "ADR",
    "URL",
    "IMPP",
    "ATTENDEE",
    "CATEGORIES",
    "EXDATE",
    "RDATE",
    "ATTACH",
    "RELATED-TO",
    "MEMBER",
    "#VALARM",
    // A contact's birthday reminders dismissed or snoozed (app::reminders::birthdays):
    // two devices dismissing at once keep both values, the later one counts.
    "X-PIM-ACKNOWLEDGED",
    "X-PIM-SNOOZED",
];

pub fn is_set_valued(key: &str) -> bool {
    SET_VALUED.contains(&key)
}

impl Body {
    /// The record as a map from field key to value. Properties keep their order
    /// within one key.
    pub fn fields(&self) -> BTreeMap<String, FieldValue> {
        let mut map: BTreeMap<String, FieldValue> = BTreeMap::new();
        for p in &self.main.props {
            let key = p.name.to_ascii_uppercase();
            match map
                .entry(key)
                .or_insert_with(|| FieldValue::Props(Vec::new()))
            {
                FieldValue::Props(v) => v.push(p.clone()),
                FieldValue::Comps(_) => unreachable!("property keys never hold components"),
            }
        }
        for c in &self.main.subs {
            let key = format!("#{}", c.name.to_ascii_uppercase());
            if let FieldValue::Comps(v) = map
                .entry(key)
                .or_insert_with(|| FieldValue::Comps(Vec::new()))
            {
                v.push(c.clone());
            }
        }
        for o in &self.overrides {
            let rid = o
                .prop("RECURRENCE-ID")
                .map(|p| p.value.clone())
                .unwrap_or_default();
            map.insert(format!("#O:{rid}"), FieldValue::Comps(vec![o.clone()]));
        }
        for z in &self.timezones {
            let tzid = z.prop("TZID").map(|p| p.value.clone()).unwrap_or_default();
            map.insert(format!("#Z:{tzid}"), FieldValue::Comps(vec![z.clone()]));
        }
        map
    }

    /// Set (or with `None` remove) one field.
    pub fn set_field(&mut self, key: &str, value: Option<&FieldValue>) {
        if let Some(rid) = key.strip_prefix("#O:") {
            self.overrides
                .retain(|o| o.prop("RECURRENCE-ID").map(|p| p.value.as_str()) != Some(rid));
            if let Some(FieldValue::Comps(v)) = value {
                self.overrides.extend(v.iter().cloned());
            }
        } else if let Some(tzid) = key.strip_prefix("#Z:") {
            self.timezones
                .retain(|z| z.prop("TZID").map(|p| p.value.as_str()) != Some(tzid));
            if let Some(FieldValue::Comps(v)) = value {
                self.timezones.extend(v.iter().cloned());
            }
        } else if let Some(name) = key.strip_prefix('#') {
            let subs = &mut self.main.subs;
            let pos = subs.iter().position(|c| c.name.eq_ignore_ascii_case(name));
            subs.retain(|c| !c.name.eq_ignore_ascii_case(name));
            if let Some(FieldValue::Comps(v)) = value {
                let at = pos.unwrap_or(subs.len()).min(subs.len());
                for (i, c) in v.iter().enumerate() {
                    subs.insert(at + i, c.clone());
                }
            }
        } else {
            let props = &mut self.main.props;
            let pos = props.iter().position(|p| p.name.eq_ignore_ascii_case(key));
            props.retain(|p| !p.name.eq_ignore_ascii_case(key));
            if let Some(FieldValue::Props(v)) = value {
                let at = pos.unwrap_or(props.len()).min(props.len());
                for (i, p) in v.iter().enumerate() {
                    props.insert(at + i, p.clone());
                }
            }
        }
    }
}

/// The fields that differ between two bodies: (key, old, new).
pub fn diff(old: &Body, new: &Body) -> Vec<(String, Option<FieldValue>, Option<FieldValue>)> {
    let a = old.fields();
    let b = new.fields();
    let mut out = Vec::new();
    for (k, va) in &a {
        match b.get(k) {
            Some(vb) if vb == va => {}
            other => out.push((k.clone(), Some(va.clone()), other.cloned())),
        }
    }
    for (k, vb) in &b {
        if !a.contains_key(k) {
            out.push((k.clone(), None, Some(vb.clone())));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Record};

    #[test]
    fn diff_then_apply_reproduces_the_new_body() {
        let mut a = Record::new(Kind::Contact, "c");
        a.set_text("FN", "Ada");
        a.body.main.props.push(Property::new("EMAIL", "a@x"));
        let mut b = a.clone();
        b.set_text("FN", "Ada Lovelace");
        b.body.main.props.push(Property::new("EMAIL", "b@x"));
        b.body.main.subs.push(Component::new("VALARM"));
        let changes = diff(&a.body, &b.body);
        assert_eq!(changes.len(), 3);
        let mut c = a.body.clone();
        for (k, _, new) in &changes {
            c.set_field(k, new.as_ref());
        }
        assert_eq!(c.fields(), b.body.fields());
    }
}
