//! State of the list tabs (contacts, tasks, notes): records, filter, selection.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use super::action::Action;
use super::forms::local_naive;
use super::input::LineInput;
use crate::model::Record;
use crate::model::time::When;

/// A selectable list over some rows.
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    pub selected: usize,
}

impl Cursor {
    /// Apply a movement action over `len` rows (`page` rows per page).
    pub fn on_action(&mut self, a: Action, len: usize, page: usize) -> bool {
        let last = len.saturating_sub(1);
        match a {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            _ => return false,
        }
        true
    }

    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }
}

/// Contacts or notes: a text filter narrows the list as the user types.
#[derive(Debug, Clone, Default)]
pub struct FilteredList {
    pub all: Vec<Record>,
    pub loaded: bool,
    /// A load is on its way.
    pub requested: bool,
    pub filter: LineInput,
    pub filtering: bool,
    /// Indices into `all` that pass the filter.
    pub visible: Vec<usize>,
    /// Lowercased filter text of each record (built once per load).
    hay: Vec<String>,
    pub cursor: Cursor,
    /// A record to select once it is in the list (after create / search jump).
    pub focus_record: Option<String>,
}

/// The text a record is filtered on: title plus emails, phones, organisation, body.
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

impl FilteredList {
    pub fn set(&mut self, records: Vec<Record>) {
        let keep = self.selected().map(|r| r.id.clone());
        self.hay = records.iter().map(haystack).collect();
        self.all = records;
        self.loaded = true;
        self.requested = false;
        self.refilter();
        if let Some(id) = self.focus_record.take() {
            self.select_id(&id);
        } else if let Some(pos) =
            keep.and_then(|id| self.visible.iter().position(|&i| self.all[i].id == id))
        {
            // Keep the selection where it was, without touching the filter.
            self.cursor.selected = pos;
        }
    }

    pub fn refilter(&mut self) {
        let words: Vec<String> = self
            .filter
            .value
            .to_lowercase()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        self.visible = self
            .hay
            .iter()
            .enumerate()
            .filter(|(_, h)| words.iter().all(|w| h.contains(w.as_str())))
            .map(|(i, _)| i)
            .collect();
        self.cursor.clamp(self.visible.len());
    }

    pub fn selected(&self) -> Option<&Record> {
        self.visible
            .get(self.cursor.selected)
            .map(|&i| &self.all[i])
    }

    /// Select the record with `id`, clearing the filter if it hides it. False if absent.
    pub fn select_id(&mut self, id: &str) -> bool {
        let Some(idx) = self.all.iter().position(|r| r.id == id) else {
            return false;
        };
        if !self.visible.contains(&idx) {
            self.filter = LineInput::default();
            self.refilter();
        }
        if let Some(pos) = self.visible.iter().position(|&i| i == idx) {
            self.cursor.selected = pos;
        }
        true
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskFilter {
    Open,
    Overdue,
    Done,
    All,
}

impl TaskFilter {
    pub fn label(self) -> &'static str {
        match self {
            TaskFilter::Open => "open",
            TaskFilter::Overdue => "overdue",
            TaskFilter::Done => "done",
            TaskFilter::All => "all",
        }
    }

    pub fn next(self) -> TaskFilter {
        match self {
            TaskFilter::Open => TaskFilter::Overdue,
            TaskFilter::Overdue => TaskFilter::Done,
            TaskFilter::Done => TaskFilter::All,
            TaskFilter::All => TaskFilter::Open,
        }
    }
}

pub fn is_done(r: &Record) -> bool {
    matches!(
        r.text("STATUS").as_deref(),
        Some("COMPLETED") | Some("CANCELLED")
    ) || r.prop("COMPLETED").is_some()
}

pub fn due_of(r: &Record, tz: Tz) -> Option<(NaiveDateTime, bool)> {
    let w = r.prop("DUE").and_then(|p| When::from_property(p).ok())?;
    Some((local_naive(&w, r, tz), w.is_date()))
}

pub fn is_overdue(r: &Record, now: NaiveDateTime, tz: Tz) -> bool {
    if is_done(r) {
        return false;
    }
    match due_of(r, tz) {
        // A task due today is not overdue until the day is over.
        Some((d, true)) => d.date() < now.date(),
        Some((d, false)) => d < now,
        None => false,
    }
}

/// 1 (high) .. 9 (low); none sorts after 9.
pub fn priority(r: &Record) -> u8 {
    r.text("PRIORITY")
        .and_then(|p| p.trim().parse::<u8>().ok())
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

#[derive(Debug, Clone)]
pub struct TaskList {
    pub all: Vec<Record>,
    pub loaded: bool,
    pub requested: bool,
    pub filter: TaskFilter,
    /// (index into `all`, depth) in display order.
    pub rows: Vec<(usize, usize)>,
    pub cursor: Cursor,
    pub focus_record: Option<String>,
}

impl Default for TaskList {
    fn default() -> Self {
        TaskList {
            all: Vec::new(),
            loaded: false,
            requested: false,
            filter: TaskFilter::Open,
            rows: Vec::new(),
            cursor: Cursor::default(),
            focus_record: None,
        }
    }
}

impl TaskList {
    pub fn set(&mut self, records: Vec<Record>, now: NaiveDateTime, tz: Tz) {
        let keep = self.selected().map(|r| r.id.clone());
        self.all = records;
        self.loaded = true;
        self.requested = false;
        self.rebuild(now, tz);
        if let Some(id) = self.focus_record.take() {
            self.select_id(&id, now, tz);
        } else if let Some(pos) =
            keep.and_then(|id| self.rows.iter().position(|&(i, _)| self.all[i].id == id))
        {
            self.cursor.selected = pos;
        }
    }

    fn passes(&self, r: &Record, now: NaiveDateTime, tz: Tz) -> bool {
        match self.filter {
            TaskFilter::Open => !is_done(r),
            TaskFilter::Overdue => is_overdue(r, now, tz),
            TaskFilter::Done => is_done(r),
            TaskFilter::All => true,
        }
    }

    /// Sort by due date then priority; subtasks follow their parent, indented. A
    /// subtask whose parent is filtered out or missing stands at the top level.
    pub fn rebuild(&mut self, now: NaiveDateTime, tz: Tz) {
        let shown: Vec<usize> = (0..self.all.len())
            .filter(|&i| self.passes(&self.all[i], now, tz))
            .collect();
        let mut sorted = shown.clone();
        sorted.sort_by_cached_key(|&i| {
            let r = &self.all[i];
            let due = due_of(r, tz).map(|(d, _)| d);
            (due.is_none(), due, priority(r), r.title().to_lowercase())
        });
        let uid_of = |i: usize| self.all[i].uid().unwrap_or(&self.all[i].id).to_string();
        let shown_uids: HashSet<String> = shown.iter().map(|&i| uid_of(i)).collect();
        // Parent UID → children in display order (built once: no quadratic scans).
        let mut children: HashMap<String, Vec<usize>> = HashMap::new();
        for &i in &sorted {
            if let Some(p) = parent_of(&self.all[i]).filter(|p| shown_uids.contains(p)) {
                children.entry(p).or_default().push(i);
            }
        }
        let mut rows = Vec::with_capacity(sorted.len());
        let mut placed = HashSet::new();
        // Depth-first with an explicit stack; `placed` breaks parent cycles.
        let mut place = |top: usize, rows: &mut Vec<(usize, usize)>| {
            let mut stack = vec![(top, 0usize)];
            while let Some((i, depth)) = stack.pop() {
                if !placed.insert(i) {
                    continue;
                }
                rows.push((i, depth));
                if let Some(kids) = children.get(&uid_of(i)) {
                    for &c in kids.iter().rev() {
                        stack.push((c, depth + 1));
                    }
                }
            }
        };
        for &i in &sorted {
            let top = parent_of(&self.all[i]).is_none_or(|p| !shown_uids.contains(&p));
            if top {
                place(i, &mut rows);
            }
        }
        // Tasks caught in a parent cycle have no top: show them flat.
        for &i in &sorted {
            place(i, &mut rows);
        }
        self.rows = rows;
        self.cursor.clamp(self.rows.len());
    }

    pub fn selected(&self) -> Option<&Record> {
        self.rows
            .get(self.cursor.selected)
            .map(|&(i, _)| &self.all[i])
    }

    pub fn select_id(&mut self, id: &str, now: NaiveDateTime, tz: Tz) -> bool {
        let Some(idx) = self.all.iter().position(|r| r.id == id) else {
            return false;
        };
        if !self.rows.iter().any(|(i, _)| *i == idx) {
            self.filter = TaskFilter::All;
            self.rebuild(now, tz);
        }
        if let Some(pos) = self.rows.iter().position(|(i, _)| *i == idx) {
            self.cursor.selected = pos;
        }
        true
    }
}

/// Today at the start of the day, as wall time.
pub fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).expect("midnight")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Property};

    fn task(title: &str, due: Option<&str>, prio: Option<&str>) -> Record {
        let mut r = Record::new(Kind::Task, "t");
        r.set_text("SUMMARY", title);
        if let Some(d) = due {
            r.body
                .main
                .props
                .push(Property::new("DUE", d).with_param("VALUE", "DATE"));
        }
        if let Some(p) = prio {
            r.body.main.props.push(Property::new("PRIORITY", p));
        }
        r
    }

    #[test]
    fn tasks_sort_by_due_then_priority_with_subtasks_under_parents() {
        let parent = task("Talk", Some("20261130"), Some("1"));
        let mut child = task("Slides", Some("20261126"), None);
        child.body.main.props.push(
            Property::new("RELATED-TO", parent.uid().unwrap()).with_param("RELTYPE", "PARENT"),
        );
        let a = task("A", Some("20261127"), Some("5"));
        let b = task("B", Some("20261127"), Some("2"));
        let none = task("Someday", None, None);
        let mut done = task("Done", Some("20261101"), None);
        done.body
            .main
            .props
            .push(Property::new("STATUS", "COMPLETED"));
        let now = midnight(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
        let mut l = TaskList::default();
        l.set(vec![none, a, child, done, parent, b], now, chrono_tz::UTC);
        let titles: Vec<(String, usize)> =
            l.rows.iter().map(|&(i, d)| (l.all[i].title(), d)).collect();
        let expect = [
            ("B", 0),
            ("A", 0),
            ("Talk", 0),
            ("Slides", 1),
            ("Someday", 0),
        ];
        let expect: Vec<(String, usize)> =
            expect.iter().map(|(t, d)| (t.to_string(), *d)).collect();
        assert_eq!(titles, expect);
        l.filter = TaskFilter::Overdue;
        l.rebuild(now, chrono_tz::UTC);
        assert!(l.rows.is_empty(), "the only past task is done");
        l.filter = TaskFilter::Done;
        l.rebuild(now, chrono_tz::UTC);
        assert_eq!(l.rows.len(), 1);
    }

    #[test]
    fn filter_narrows_and_selection_survives_reload() {
        let mut c = FilteredList::default();
        let mk = |n: &str, e: &str| {
            let mut r = Record::new(Kind::Contact, "c");
            r.set_text("FN", n);
            r.body.main.props.push(Property::new("EMAIL", e));
            r
        };
        let list = vec![
            mk("Ada", "ada@x.org"),
            mk("Bob", "bob@acme.example"),
            mk("Cy", "cy@acme.example"),
        ];
        c.set(list.clone());
        c.filter = LineInput::new("acme");
        c.refilter();
        assert_eq!(c.visible, vec![1, 2]);
        c.cursor.selected = 1;
        c.set(list);
        assert_eq!(c.selected().unwrap().title(), "Cy");
        assert!(c.select_id(&c.all[0].id.clone()));
        assert_eq!(c.filter.value, "", "a hidden target clears the filter");
    }
}
