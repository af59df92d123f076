//! The Sync tab's state and behaviour: live connectivity and progress from the
//! sync thread, a scrolling log, the conflict queue, and the conflict and history
//! dialogs. Kept apart from `app.rs`; `App` holds a [`SyncPane`].

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};

use super::action::Action;
use super::app::{App, Overlay, Tab};
use super::input::LineInput;
use super::sync_thread::{Connectivity, SyncCmd, SyncEvent};
use super::worker::Request;
use crate::app::conflicts;
use crate::sync::apply::Resolution;
use crate::sync::progress::Progress;
use crate::sync::review::{ConflictView, HistoryEntry, merged_text};

const LOG_LINES: usize = 200;

/// Live sync state (the database-backed part is `App::sync`).
#[derive(Debug, Clone, Default)]
pub struct SyncPane {
    pub state: Connectivity,
    /// The profile's mail accounts; the one sync goes through is marked.
    pub accounts: Vec<AccountLine>,
    pub progress: Option<Progress>,
    /// (time, line), oldest first.
    pub log: VecDeque<(DateTime<Utc>, String)>,
    /// Lines scrolled up from the newest.
    pub log_scroll: usize,
    /// Selected conflict in the queue.
    pub cursor: usize,
    /// Commands for the sync thread, drained by the event loop.
    pub commands: Vec<SyncCmd>,
    /// A resolution or restore was made since the last sync request.
    pub dirty: bool,
    /// Resolutions and restores sent to the worker and not yet written.
    pub unwritten: usize,
}

impl SyncPane {
    pub fn configured(&self) -> bool {
        !matches!(self.state, Connectivity::NotConfigured(_))
    }

    pub fn busy(&self) -> bool {
        matches!(self.state, Connectivity::Connecting | Connectivity::Syncing)
    }

    pub fn log_line(&mut self, at: DateTime<Utc>, line: String) {
        self.log.push_back((at, line));
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
    }
}

/// A mail account as the Sync tab lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLine {
    pub name: String,
    /// "ada at mail.example.org:993, policy ask, watch".
    pub what: String,
    pub syncs: bool,
}

impl AccountLine {
    pub fn new(name: &str, a: &crate::config::accounts::Account, syncs: bool) -> AccountLine {
        let watch = if a.watch { ", watch" } else { "" };
        AccountLine {
            name: name.to_string(),
            what: format!(
                "{} at {}, policy {}{watch}",
                a.user, a.imap, a.conflict_policy
            ),
            syncs,
        }
    }
}

/// What the user chose for one conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Mine,
    Theirs,
    Both,
}

/// One conflict at a time: the record and, side by side, base / mine / theirs for
/// each of its conflicting fields.
#[derive(Debug, Clone)]
pub struct ConflictDialog {
    /// Open conflicts, oldest first, not yet decided in this dialog.
    pub queue: Vec<ConflictView>,
    /// Record shown now (index into `queue` of its first field).
    pub record: String,
    /// Selected field row among the record's conflicts.
    pub row: usize,
    /// The next choice applies to every remaining conflict.
    pub same_for_all: bool,
    /// Editing a merged value for the selected field.
    pub editing: Option<LineInput>,
    /// Records skipped for later in this dialog.
    pub skipped: Vec<String>,
    pub error: Option<String>,
}

impl ConflictDialog {
    pub fn new(queue: Vec<ConflictView>, start: Option<&str>) -> Option<ConflictDialog> {
        let record = start
            .filter(|id| queue.iter().any(|c| c.record_id == *id))
            .map(str::to_string)
            .or_else(|| queue.first().map(|c| c.record_id.clone()))?;
        Some(ConflictDialog {
            queue,
            record,
            row: 0,
            same_for_all: false,
            editing: None,
            skipped: Vec::new(),
            error: None,
        })
    }

    /// The fields in conflict on the current record.
    pub fn rows(&self) -> Vec<&ConflictView> {
        self.queue
            .iter()
            .filter(|c| c.record_id == self.record)
            .collect()
    }

    pub fn selected(&self) -> Option<&ConflictView> {
        self.rows().get(self.row).copied()
    }

    /// Records still waiting (the current one included).
    pub fn records_left(&self) -> usize {
        let ids: std::collections::BTreeSet<&str> =
            self.queue.iter().map(|c| c.record_id.as_str()).collect();
        ids.len()
    }

    /// Drop decided conflicts and move on when the record has none left; false
    /// when nothing (not skipped) is left.
    fn forget(&mut self, ids: &[i64]) -> bool {
        self.queue.retain(|c| !ids.contains(&c.id));
        let n = self.rows().len();
        if n > 0 {
            self.row = self.row.min(n - 1);
            return true;
        }
        self.next_record()
    }

    fn next_record(&mut self) -> bool {
        self.row = 0;
        let next = self
            .queue
            .iter()
            .find(|c| c.record_id != self.record && !self.skipped.contains(&c.record_id))
            .map(|c| c.record_id.clone());
        match next {
            Some(r) => {
                self.record = r;
                true
            }
            None => false,
        }
    }
}

/// A record's history; `r` restores the selected field's value.
#[derive(Debug, Clone)]
pub struct HistoryDialog {
    pub record_id: String,
    pub title: String,
    pub entries: Vec<HistoryEntry>,
    /// (entry, field) per row, newest first.
    pub rows: Vec<(usize, usize)>,
    pub cursor: usize,
}

impl HistoryDialog {
    pub fn new(record_id: String, title: String, entries: Vec<HistoryEntry>) -> HistoryDialog {
        let mut rows = Vec::new();
        for (i, e) in entries.iter().enumerate().rev() {
            if e.fields.is_empty() {
                rows.push((i, usize::MAX));
            }
            for j in 0..e.fields.len() {
                rows.push((i, j));
            }
        }
        HistoryDialog {
            record_id,
            title,
            entries,
            rows,
            cursor: 0,
        }
    }
}

fn resolution(choice: Choice) -> Resolution {
    match choice {
        Choice::Mine => Resolution::Mine,
        Choice::Theirs => Resolution::Theirs,
        Choice::Both => Resolution::Both,
    }
}

impl App {
    /// Queue a resolution or restore; the sync that carries it waits until written.
    fn write_sync_change(&mut self, r: Request) {
        self.pane.dirty = true;
        self.pane.unwritten += 1;
        self.request(r);
    }

    /// A resolution or restore was written (or failed): once all are, and no
    /// conflict dialog is open, sync so other devices get them.
    pub fn sync_change_written(&mut self) {
        self.pane.unwritten = self.pane.unwritten.saturating_sub(1);
        let dialog_open = matches!(self.overlay, Some(Overlay::Conflict(_)));
        if self.pane.unwritten == 0 && self.pane.dirty && !dialog_open && self.pane.configured() {
            self.sync_now();
        }
    }

    /// Actions of the Sync tab (after the global ones had their chance).
    pub fn on_sync_action(&mut self, a: Action) -> bool {
        match a {
            Action::SyncNow => self.sync_now(),
            Action::Resolve => self.open_conflicts(None),
            Action::Up | Action::Down | Action::Top | Action::Bottom => {
                let n = self.sync.as_ref().map_or(0, |s| s.conflicts.len());
                let c = &mut self.pane.cursor;
                *c = match a {
                    Action::Up => c.saturating_sub(1),
                    Action::Down => (*c + 1).min(n.saturating_sub(1)),
                    Action::Top => 0,
                    _ => n.saturating_sub(1),
                };
            }
            Action::PageUp => {
                let max = self.pane.log.len().saturating_sub(1);
                self.pane.log_scroll = (self.pane.log_scroll + 5).min(max);
            }
            Action::PageDown => self.pane.log_scroll = self.pane.log_scroll.saturating_sub(5),
            _ => return false,
        }
        true
    }

    pub fn sync_now(&mut self) {
        match &self.pane.state {
            // The reason names CLI commands; the tab's own keys do it here.
            Connectivity::NotConfigured(_) if self.pane.accounts.is_empty() => {
                self.error("sync is not set up: press a on the Sync tab to add a mail account")
            }
            Connectivity::NotConfigured(_) => {
                self.error("sync is not set up: press i on the Sync tab to start or join")
            }
            _ if self.pane.busy() => self.info("a sync is running"),
            _ => {
                self.pane.commands.push(SyncCmd::Now);
                self.pane.dirty = false;
                self.info("syncing…");
            }
        }
    }

    /// The history of the selected record (any tab) or conflict (Sync tab).
    pub fn open_history(&mut self) {
        let id = if self.tab == Tab::Sync {
            self.sync
                .as_ref()
                .and_then(|s| s.conflicts.get(self.pane.cursor))
                .map(|c| c.record_id.clone())
        } else {
            self.selected_record_id()
        };
        match id {
            Some(id) => self.request(Request::History(id)),
            None => self.info("select a record first"),
        }
    }

    fn open_conflicts(&mut self, start: Option<String>) {
        let Some(s) = &self.sync else {
            return;
        };
        let start = start.or_else(|| {
            s.conflicts
                .get(self.pane.cursor)
                .map(|c| c.record_id.clone())
        });
        match ConflictDialog::new(s.conflicts.clone(), start.as_deref()) {
            Some(d) => self.overlay = Some(Overlay::Conflict(Box::new(d))),
            None => self.info("no conflicts wait"),
        }
    }

    /// Keys of the conflict dialog; returns it unless it closes.
    pub fn on_conflict_key(
        &mut self,
        mut d: Box<ConflictDialog>,
        key: KeyEvent,
    ) -> Option<Overlay> {
        d.error = None;
        if let Some(mut input) = d.editing.take() {
            match key.code {
                KeyCode::Esc => {}
                KeyCode::Enter => {
                    let Some(c) = d.selected().cloned() else {
                        return Some(Overlay::Conflict(d));
                    };
                    let how = merged_text(c.mine.value.as_ref(), &c.key, &input.value);
                    self.write_sync_change(Request::Resolve { id: c.id, how });
                    if !d.forget(&[c.id]) {
                        return self.conflicts_done();
                    }
                }
                _ => {
                    input.handle(&key);
                    d.editing = Some(input);
                }
            }
            return Some(Overlay::Conflict(d));
        }
        let choice = match key.code {
            KeyCode::Char('m') => Some(Choice::Mine),
            KeyCode::Char('t') => Some(Choice::Theirs),
            KeyCode::Char('b') => match d.selected() {
                Some(c) if c.set_valued => Some(Choice::Both),
                Some(_) => {
                    d.error = Some("not multi-valued: K keeps both records".into());
                    None
                }
                None => None,
            },
            KeyCode::Char('K') => match d.selected() {
                Some(c) if !c.set_valued && conflicts::can_keep_both(&c.key) => Some(Choice::Both),
                Some(_) => {
                    d.error = Some("b takes both values of a multi-valued field".into());
                    None
                }
                None => None,
            },
            _ => None,
        };
        if let Some(choice) = choice {
            let targets: Vec<ConflictView> = if d.same_for_all {
                d.queue
                    .iter()
                    .filter(|c| !d.skipped.contains(&c.record_id))
                    .filter(|c| choice != Choice::Both || conflicts::can_keep_both(&c.key))
                    .cloned()
                    .collect()
            } else {
                d.selected().cloned().into_iter().collect()
            };
            for c in &targets {
                self.write_sync_change(Request::Resolve {
                    id: c.id,
                    how: resolution(choice),
                });
            }
            let ids: Vec<i64> = targets.iter().map(|c| c.id).collect();
            if !d.forget(&ids) {
                return self.conflicts_done();
            }
            return Some(Overlay::Conflict(d));
        }
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return self.conflicts_done(),
            KeyCode::Char('j') | KeyCode::Down => {
                d.row = (d.row + 1).min(d.rows().len().saturating_sub(1));
            }
            KeyCode::Char('k') | KeyCode::Up => d.row = d.row.saturating_sub(1),
            KeyCode::Char('a') => d.same_for_all = !d.same_for_all,
            KeyCode::Char('e') => match d.selected() {
                Some(c) if conflicts::has_text(&c.key) => {
                    d.editing = Some(LineInput::new(&c.mine.text));
                }
                Some(_) => d.error = Some("this field has no text to edit".into()),
                None => {}
            },
            KeyCode::Char('s') | KeyCode::Char('n') => {
                let here = d.record.clone();
                d.skipped.push(here);
                if !d.next_record() {
                    return self.conflicts_done();
                }
            }
            KeyCode::Char('h') => {
                let id = d.record.clone();
                self.request(Request::History(id));
                return self.conflicts_done();
            }
            _ => {}
        }
        Some(Overlay::Conflict(d))
    }

    /// The dialog closes: what was decided syncs once written.
    fn conflicts_done(&mut self) -> Option<Overlay> {
        self.request(Request::SyncStatus);
        if self.pane.dirty && self.pane.unwritten == 0 && self.pane.configured() {
            self.sync_now();
        }
        None
    }

    pub fn on_history_key(&mut self, mut h: Box<HistoryDialog>, key: KeyEvent) -> Option<Overlay> {
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return None,
            KeyCode::Char('j') | KeyCode::Down => {
                h.cursor = (h.cursor + 1).min(h.rows.len().saturating_sub(1));
            }
            KeyCode::Char('k') | KeyCode::Up => h.cursor = h.cursor.saturating_sub(1),
            KeyCode::Char('r') => {
                if let Some(&(e, f)) = h.rows.get(h.cursor)
                    && let Some(field) = h.entries[e].fields.get(f)
                    && crate::app::history::restorable(&field.key)
                {
                    self.write_sync_change(Request::Restore {
                        record_id: h.record_id.clone(),
                        key: field.key.clone(),
                        value: field.new_value.clone(),
                    });
                    return None;
                }
                self.error("nothing to restore on this line");
            }
            _ => {}
        }
        Some(Overlay::History(h))
    }

    /// Events from the sync thread.
    pub fn on_sync_event(&mut self, ev: SyncEvent) {
        match ev {
            SyncEvent::State(s) => {
                if !matches!(s, Connectivity::Syncing) {
                    self.pane.progress = None;
                }
                self.pane.state = s;
            }
            SyncEvent::Progress(p) => self.pane.progress = Some(p),
            SyncEvent::Log { at, line } => self.pane.log_line(at, line),
            SyncEvent::Done(r) => {
                self.pane.progress = None;
                let summary = crate::sync::progress::summary(&r);
                if r.applied + r.conflicts > 0 {
                    // Other devices' changes: refresh what is shown, keeping the selection.
                    self.refresh_after_sync();
                }
                if r.conflicts > 0 {
                    self.info(format!("synced: {summary} — see the Sync tab"));
                } else {
                    self.info(format!("synced: {summary}"));
                }
                self.request(Request::SyncStatus);
            }
        }
    }
}
