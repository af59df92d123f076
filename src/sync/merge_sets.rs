//! Multi-valued fields in the fold (DESIGN.md §6): every value (its JSON) is a
//! register of its own, present or absent as the newest change that touched it
//! said. A change touches the values it adds or removes; a whole-body write (a
//! create) touches every value at once. Stamps of values touched after the last
//! whole-body write are kept (`RecState::elems`), so two folds that each know
//! changes the other lacks join exactly, and a late change older than a removal
//! cannot bring the value back.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::FieldValue;

/// Per value (JSON), the HLC of the newest change that added or removed it.
pub type Touches = BTreeMap<String, String>;

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("values serialize")
}

/// The values of a multi-valued field, as JSON strings.
pub fn items(v: Option<&FieldValue>) -> BTreeSet<String> {
    match v {
        Some(FieldValue::Props(p)) => p.iter().map(json).collect(),
        Some(FieldValue::Comps(c)) => c.iter().map(json).collect(),
        None => BTreeSet::new(),
    }
}

/// A field value from JSON items, in canonical (sorted) order; `None` if empty.
pub fn from_items(items: &BTreeSet<String>, comps: bool) -> Option<FieldValue> {
    if items.is_empty() {
        return None;
    }
    Some(if comps {
        FieldValue::Comps(
            items
                .iter()
                .map(|s| serde_json::from_str(s).expect("own json"))
                .collect(),
        )
    } else {
        FieldValue::Props(
            items
                .iter()
                .map(|s| serde_json::from_str(s).expect("own json"))
                .collect(),
        )
    })
}

fn is_comps(vs: &[Option<&FieldValue>]) -> bool {
    vs.iter()
        .flatten()
        .any(|v| matches!(v, FieldValue::Comps(_)))
}

/// Apply an edit made at `h` (its adds and removes relative to its base) to the
/// current value: each value only if `h` is newer than its last touch.
pub fn apply_edit(
    h: &str,
    base: Option<&FieldValue>,
    new: Option<&FieldValue>,
    current: Option<&FieldValue>,
    touches: &mut Touches,
) -> Option<FieldValue> {
    let (b, n) = (items(base), items(new));
    let mut out = items(current);
    for (value, present) in n
        .difference(&b)
        .map(|v| (v, true))
        .chain(b.difference(&n).map(|v| (v, false)))
    {
        if touches.get(value).is_some_and(|t| t.as_str() >= h) {
            continue;
        }
        touches.insert(value.clone(), h.to_string());
        if present {
            out.insert(value.clone());
        } else {
            out.remove(value);
        }
    }
    from_items(&out, is_comps(&[new, base, current]))
}

/// A whole-body write at `h`: every value takes the body's word, except values
/// touched after `h`, which keep their state. Touches up to `h` are forgotten
/// (the body stamp stands for them).
pub fn apply_body(
    h: &str,
    body: Option<&FieldValue>,
    current: Option<&FieldValue>,
    touches: &mut Touches,
) -> Option<FieldValue> {
    touches.retain(|_, t| t.as_str() > h);
    let now = items(current);
    let mut out: BTreeSet<String> = items(body)
        .into_iter()
        .filter(|v| !touches.contains_key(v))
        .collect();
    out.extend(now.into_iter().filter(|v| touches.contains_key(v)));
    from_items(&out, is_comps(&[body, current]))
}

/// One side of a join: a field's value, its value touches, and its body stamp.
pub struct Side<'a> {
    pub value: Option<&'a FieldValue>,
    pub touches: Option<&'a Touches>,
    pub body: &'a str,
}

impl Side<'_> {
    /// The newest word on `value`: (stamp, present).
    fn word(&self, value: &str, present: &BTreeSet<String>) -> (String, bool) {
        match self.touches.and_then(|t| t.get(value)) {
            Some(t) => (t.clone(), present.contains(value)),
            None => (self.body.to_string(), present.contains(value)),
        }
    }
}

/// Join two folds' values of a field, value by value (the newest word wins);
/// returns the value and the touches newer than `floor` (the joined body stamp).
pub fn join(a: &Side<'_>, b: &Side<'_>, floor: &str) -> (Option<FieldValue>, Touches) {
    let (pa, pb) = (items(a.value), items(b.value));
    let mut all: BTreeSet<String> = pa.union(&pb).cloned().collect();
    for t in [a.touches, b.touches].into_iter().flatten() {
        all.extend(t.keys().cloned());
    }
    let mut out = BTreeSet::new();
    let mut touches = Touches::new();
    for v in all {
        let (sa, on_a) = a.word(&v, &pa);
        let (sb, on_b) = b.word(&v, &pb);
        let (stamp, present) = if sb > sa { (sb, on_b) } else { (sa, on_a) };
        if present {
            out.insert(v.clone());
        }
        if stamp.as_str() > floor {
            touches.insert(v, stamp);
        }
    }
    (from_items(&out, is_comps(&[a.value, b.value])), touches)
}
