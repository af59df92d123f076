//! State of the list tabs (contacts, tasks, notes): packed records, filter, selection.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};

use super::action::Action;
use super::input::LineInput;
use super::packed::Packed;
pub use super::packed::{due_of, is_done, parent_of, priority};
use crate::model::Record;

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
    pub all: Vec<Packed>,
    pub loaded: bool,
    /// A load is on its way.
    pub requested: bool,
    pub filter: LineInput,
    pub filtering: bool,
    /// Indices into `all` that pass the filter.
    pub visible: Vec<usize>,
    pub cursor: Cursor,
    /// A record to select once it is in the list (after create / search jump).
    pub focus_record: Option<String>,
    /// The selected record, decoded (kept in step with the cursor by `sync`).
    current: Option<Record>,
}

impl FilteredList {
    pub fn set(&mut self, records: Vec<Packed>) {
        let keep = self.selected_packed().map(|r| r.id.clone());
        self.all = records;
        self.loaded = true;
        self.requested = false;
        // The selected record may have changed under the same id.
        self.current = None;
        self.refilter();
        if let Some(id) = self.focus_record.take() {
            self.select_id(&id);
        } else if let Some(pos) =
            keep.and_then(|id| self.visible.iter().position(|&i| self.all[i].id == id))
        {
            // Keep the selection where it was, without touching the filter.
            self.cursor.selected = pos;
        }
        self.sync();
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
            .all
            .iter()
            .enumerate()
            .filter(|(_, p)| words.iter().all(|w| p.hay.contains(w.as_str())))
            .map(|(i, _)| i)
            .collect();
        self.cursor.clamp(self.visible.len());
        self.sync();
    }

    pub fn selected_packed(&self) -> Option<&Packed> {
        self.visible
            .get(self.cursor.selected)
            .map(|&i| &self.all[i])
    }

    /// Decode the selected record if the selection moved.
    pub fn sync(&mut self) {
        let want = self.selected_packed();
        if want.map(|p| &p.id) != self.current.as_ref().map(|r| &r.id) {
            self.current = want.map(Packed::record);
        }
    }

    pub fn selected(&self) -> Option<&Record> {
        self.current.as_ref()
    }

    pub fn move_cursor(&mut self, a: Action, page: usize) {
        let n = self.visible.len();
        self.cursor.on_action(a, n, page);
        self.sync();
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
        self.sync();
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

#[derive(Debug, Clone)]
pub struct TaskList {
    pub all: Vec<Packed>,
    pub loaded: bool,
    pub requested: bool,
    pub filter: TaskFilter,
    /// (index into `all`, depth) in display order.
    pub rows: Vec<(usize, usize)>,
    pub cursor: Cursor,
    pub focus_record: Option<String>,
    current: Option<Record>,
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
            current: None,
        }
    }
}

impl TaskList {
    pub fn set(&mut self, records: Vec<Packed>, now: NaiveDateTime) {
        let keep = self.selected_packed().map(|r| r.id.clone());
        self.all = records;
        self.loaded = true;
        self.requested = false;
        self.current = None;
        self.rebuild(now);
        if let Some(id) = self.focus_record.take() {
            self.select_id(&id, now);
        } else if let Some(pos) =
            keep.and_then(|id| self.rows.iter().position(|&(i, _)| self.all[i].id == id))
        {
            self.cursor.selected = pos;
        }
        self.sync();
    }

    fn passes(&self, p: &Packed, now: NaiveDateTime) -> bool {
        let Some(t) = &p.task else {
            return false;
        };
        match self.filter {
            TaskFilter::Open => !t.done,
            TaskFilter::Overdue => t.overdue(now),
            TaskFilter::Done => t.done,
            TaskFilter::All => true,
        }
    }

    /// Sort by due date then priority; subtasks follow their parent, indented. A
    /// subtask whose parent is filtered out or missing stands at the top level.
    pub fn rebuild(&mut self, now: NaiveDateTime) {
        let shown: Vec<usize> = (0..self.all.len())
            .filter(|&i| self.passes(&self.all[i], now))
            .collect();
        let meta = |i: usize| self.all[i].task.as_ref().expect("tasks carry meta");
        // `all` arrives in display order (`sort_tasks`, run by the worker).
        let sorted = &shown;
        let shown_uids: HashSet<&str> = shown.iter().map(|&i| meta(i).uid.as_str()).collect();
        // Parent UID → children in display order (built once: no quadratic scans).
        let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
        for &i in sorted {
            if let Some(p) = meta(i).parent.as_deref().filter(|p| shown_uids.contains(p)) {
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
                if let Some(kids) = children.get(meta(i).uid.as_str()) {
                    for &c in kids.iter().rev() {
                        stack.push((c, depth + 1));
                    }
                }
            }
        };
        for &i in sorted {
            let top = meta(i)
                .parent
                .as_deref()
                .is_none_or(|p| !shown_uids.contains(p));
            if top {
                place(i, &mut rows);
            }
        }
        // Tasks caught in a parent cycle have no top: show them flat.
        for &i in sorted {
            place(i, &mut rows);
        }
        self.rows = rows;
        self.cursor.clamp(self.rows.len());
        self.sync();
    }

    pub fn selected_packed(&self) -> Option<&Packed> {
        self.rows
            .get(self.cursor.selected)
            .map(|&(i, _)| &self.all[i])
    }

    pub fn sync(&mut self) {
        let want = self.selected_packed();
        if want.map(|p| &p.id) != self.current.as_ref().map(|r| &r.id) {
            self.current = want.map(Packed::record);
        }
    }

    pub fn selected(&self) -> Option<&Record> {
        self.current.as_ref()
    }

    pub fn move_cursor(&mut self, a: Action, page: usize) {
        let n = self.rows.len();
        self.cursor.on_action(a, n, page);
        self.sync();
    }

    pub fn select_id(&mut self, id: &str, now: NaiveDateTime) -> bool {
        let Some(idx) = self.all.iter().position(|r| r.id == id) else {
            return false;
        };
        if !self.rows.iter().any(|(i, _)| *i == idx) {
            self.filter = TaskFilter::All;
            self.rebuild(now);
        }
        if let Some(pos) = self.rows.iter().position(|(i, _)| *i == idx) {
            self.cursor.selected = pos;
        }
        self.sync();
        true
    }

    /// The title of the task with this UID (for "Part of" and subtask forms).
    pub fn title_of_uid(&self, uid: &str) -> Option<String> {
        self.all
            .iter()
            .find(|p| p.task.as_ref().is_some_and(|t| t.uid == uid))
            .map(|p| p.title.clone())
    }
}

/// Due date, then priority, then title: the order of the task list. Run off the
/// UI thread when a list loads; filters only drop rows from it.
pub fn sort_tasks(all: &mut [Packed]) {
    all.sort_by_cached_key(|p| {
        let due = p.task.as_ref().and_then(|t| t.due.map(|(d, _)| d));
        let prio = p.task.as_ref().map_or(10, |t| t.priority);
        (due.is_none(), due, prio, p.title.to_lowercase())
    });
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
        let mut packed: Vec<Packed> = [none, a, child, done, parent, b]
            .iter()
            .map(|r| Packed::pack(r, crate::model::zonedb::UTC))
            .collect();
        sort_tasks(&mut packed);
        l.set(packed, now);
        let titles: Vec<(String, usize)> = l
            .rows
            .iter()
            .map(|&(i, d)| (l.all[i].title.clone(), d))
            .collect();
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
        l.rebuild(now);
        assert!(l.rows.is_empty(), "the only past task is done");
        l.filter = TaskFilter::Done;
        l.rebuild(now);
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
        let list: Vec<Packed> = [
            mk("Ada", "ada@x.org"),
            mk("Bob", "bob@acme.example"),
            mk("Cy", "cy@acme.example"),
        ]
        .iter()
        .map(|r| Packed::pack(r, crate::model::zonedb::UTC))
        .collect();
        c.set(list.clone());
        c.filter = LineInput::new("acme");
        c.refilter();
        assert_eq!(c.visible, vec![1, 2]);
        c.cursor.selected = 1;
        c.sync();
        c.set(list);
        assert_eq!(c.selected().unwrap().title(), "Cy");
        assert!(c.select_id(&c.all[0].id.clone()));
        assert_eq!(c.filter.value, "", "a hidden target clears the filter");
    }
}
