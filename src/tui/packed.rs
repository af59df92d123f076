//! Records in lists kept small: the stored JSON plus the few fields a list row,
//! its sort and its filter need. Lists of 100 000 records fit in a few tens of MB;
//! the full record is decoded only for the rows on screen and the selected one.

use crate::model::zonedb::Tz;
use chrono::NaiveDateTime;

use crate::app::records::occurrence::open_task_occurrence;
use crate::model::time::When;
use crate::model::{Body, Kind, Record};

/// What the task list sorts, filters and nests by.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskMeta {
    /// Local wall time, and whether it is a date (all day).
    pub due: Option<(NaiveDateTime, bool)>,
    /// 1 (high) .. 9 (low), 10 = none.
    pub priority: u8,
    pub done: bool,
    pub uid: String,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Packed {
    pub id: String,
    pub kind: Kind,
    pub collection: String,
    pub title: String,
    /// Lowercased text the list filter matches.
    pub hay: Box<str>,
    /// The dim second column: first email, or a note's first line.
    pub aside: Box<str>,
    pub task: Option<TaskMeta>,
    body_json: Box<str>,
}

impl Packed {
    /// Pack a record decoded from `body_json` (the store's own encoding).
    pub fn from_parts(r: &Record, body_json: String, tz: Tz) -> Packed {
        Packed {
            id: r.id.clone(),
            kind: r.kind,
            collection: r.collection.clone(),
            title: r.title(),
            hay: haystack(r).into_boxed_str(),
            aside: aside(r).into_boxed_str(),
            task: (r.kind == Kind::Task).then(|| task_meta(r, tz)),
            body_json: body_json.into_boxed_str(),
        }
    }

    pub fn pack(r: &Record, tz: Tz) -> Packed {
        let json = crate::model::stored_json::body_to_string(&r.body);
        Packed::from_parts(r, json, tz)
    }

    /// The full record.
    pub fn record(&self) -> Record {
        let body: Body = serde_json::from_str(&self.body_json).unwrap_or_else(|_| {
            // Packed from a record that decoded once, so this does not happen;
            // an empty body is still better than a panic in the draw loop.
            Record::new(self.kind, &self.collection).body
        });
        Record {
            id: self.id.clone(),
            kind: self.kind,
            collection: self.collection.clone(),
            body,
        }
    }
}

fn haystack(r: &Record) -> String {
    let mut s = r.title();
    for name in [
        "EMAIL",
        "TEL",
        "ORG",
        "NICKNAME",
        "DESCRIPTION",
        "CATEGORIES",
    ] {
        for p in r.props_named(name) {
            s.push(' ');
            s.push_str(&p.text_value());
        }
    }
    s.to_lowercase()
}

fn aside(r: &Record) -> String {
    match r.kind {
        Kind::Contact => r
            .prop("EMAIL")
            .map(super::forms::plain_value)
            .unwrap_or_default(),
        Kind::Note => super::note_editor::note_body(r)
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .chars()
            .take(60)
            .collect(),
        _ => String::new(),
    }
}

/// Done; a repeating task when every occurrence is (each one is completed on
/// its own: see [`open_task_occurrence`]).
pub fn is_done(r: &Record) -> bool {
    if r.kind == Kind::Task && r.is_recurring() {
        // Whether an occurrence is done does not depend on the zone.
        return open_task_occurrence(r, crate::model::zonedb::UTC).is_none();
    }
    matches!(
        r.text("STATUS").as_deref(),
        Some("COMPLETED") | Some("CANCELLED")
    ) || r.prop("COMPLETED").is_some()
}

/// Due (local wall time, and whether a date); a repeating task's open occurrence.
pub fn due_of(r: &Record, tz: Tz) -> Option<(NaiveDateTime, bool)> {
    if let Some(o) = open_task_occurrence(r, tz) {
        let due = o.due?;
        let wall = if o.all_day {
            due.naive_local()
        } else {
            due.with_timezone(&tz).naive_local()
        };
        return Some((wall, o.all_day));
    }
    let w = r.prop("DUE").and_then(|p| When::from_property(p).ok())?;
    Some((super::forms::local_naive(&w, r, tz), w.is_date()))
}

/// 1 (high) .. 9 (low); none sorts after 9.
pub fn priority(r: &Record) -> u8 {
    r.text("PRIORITY")
        .and_then(|p| p.trim().parse::<u8>().ok())
        .filter(|p| (1..=9).contains(p))
        .unwrap_or(10)
}

/// The parent UID of a subtask (`RELATED-TO`, RELTYPE absent or PARENT).
pub fn parent_of(r: &Record) -> Option<String> {
    r.props_named("RELATED-TO")
        .find(|p| {
            p.param("RELTYPE")
                .is_none_or(|t| t.eq_ignore_ascii_case("PARENT"))
        })
        .map(|p| p.value.clone())
}

pub fn task_meta(r: &Record, tz: Tz) -> TaskMeta {
    TaskMeta {
        due: due_of(r, tz),
        priority: priority(r),
        done: is_done(r),
        uid: r.uid().unwrap_or(&r.id).to_string(),
        parent: parent_of(r),
    }
}

impl TaskMeta {
    pub fn overdue(&self, now: NaiveDateTime) -> bool {
        if self.done {
            return false;
        }
        match self.due {
            // A task due today is not overdue until the day is over.
            Some((d, true)) => d.date() < now.date(),
            Some((d, false)) => d < now,
            None => false,
        }
    }
}
