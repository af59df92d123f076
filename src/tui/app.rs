//! The application state. Keys become actions, actions change state and queue
//! requests for the worker; responses come back and change state. Nothing here
//! touches the terminal or the database, so tests drive it directly.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::calendar::CalendarView;
use super::form::{Form, FormOutcome};
use super::forms::{self, FormCtx};
use super::input::LineInput;
use super::keymap::{Key, Keymap};
use super::lists::{FilteredList, TaskList};
use super::note_editor::NoteEditor;
use super::search::SearchBox;
use super::theme::Theme;
use super::worker::{Edit, Request, Response, SyncStatus};
use crate::model::{Collection, Kind, Record};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Calendar,
    Contacts,
    Tasks,
    Notes,
    Sync,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Calendar,
        Tab::Contacts,
        Tab::Tasks,
        Tab::Notes,
        Tab::Sync,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Calendar => "Calendar",
            Tab::Contacts => "Contacts",
            Tab::Tasks => "Tasks",
            Tab::Notes => "Notes",
            Tab::Sync => "Sync",
        }
    }

    /// The keymap section of this tab.
    pub fn section(self) -> &'static str {
        match self {
            Tab::Calendar => "calendar",
            Tab::Contacts => "contacts",
            Tab::Tasks => "tasks",
            Tab::Notes => "notes",
            Tab::Sync => "sync",
        }
    }

    pub fn kind(self) -> Option<Kind> {
        match self {
            Tab::Calendar => Some(Kind::Event),
            Tab::Contacts => Some(Kind::Contact),
            Tab::Tasks => Some(Kind::Task),
            Tab::Notes => Some(Kind::Note),
            Tab::Sync => None,
        }
    }

    pub fn of_kind(k: Kind) -> Tab {
        match k {
            Kind::Event => Tab::Calendar,
            Kind::Contact => Tab::Contacts,
            Kind::Task => Tab::Tasks,
            Kind::Note => Tab::Notes,
        }
    }
}

/// A modal layer over the tabs; it gets every key while open.
#[derive(Debug)]
pub enum Overlay {
    Help,
    Search(SearchBox),
    Form(Form),
    Note(Box<NoteEditor>),
    Confirm {
        message: String,
        edit: Edit,
    },
    Goto {
        input: LineInput,
        error: Option<String>,
    },
    DemoOffer,
    Conflict(Box<super::sync_pane::ConflictDialog>),
    History(Box<super::sync_pane::HistoryDialog>),
}

/// The status line: the last message, and whether work is in flight.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub text: String,
    pub error: bool,
    pub busy: usize,
}

pub struct App {
    pub tab: Tab,
    pub keymap: Keymap,
    pub theme: Theme,
    pub tz: Tz,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub collections: Vec<Collection>,
    pub calendar: CalendarView,
    pub contacts: FilteredList,
    pub tasks: TaskList,
    pub notes: FilteredList,
    pub sync: Option<SyncStatus>,
    /// Live sync state: connectivity, progress, log, conflict cursor.
    pub pane: super::sync_pane::SyncPane,
    pub overlay: Option<Overlay>,
    pub status: Status,
    /// Inverses of the edits made in this session, newest last.
    pub undo: Vec<Edit>,
    /// Requests for the worker, drained by the event loop.
    pub outbox: Vec<Request>,
    /// A note to edit in `$EDITOR`, picked up by the event loop.
    pub external_edit: Option<Record>,
    pub quit: bool,
    /// Rows of the list area at the last draw (for page moves).
    pub page: usize,
}

impl App {
    pub fn new(keymap: Keymap, theme: Theme, tz: Tz, now: DateTime<Utc>) -> App {
        let today = now.with_timezone(&tz).date_naive();
        let mut app = App {
            tab: Tab::Calendar,
            keymap,
            theme,
            tz,
            now,
            today,
            collections: Vec::new(),
            calendar: CalendarView::new(today),
            contacts: FilteredList::default(),
            tasks: TaskList::default(),
            notes: FilteredList::default(),
            sync: None,
            pane: Default::default(),
            overlay: None,
            status: Status::default(),
            undo: Vec::new(),
            outbox: Vec::new(),
            external_edit: None,
            quit: false,
            page: 10,
        };
        app.request(Request::IsEmpty);
        app.request(Request::Collections);
        if let Some(r) = app.calendar.load_request() {
            app.request(r);
        }
        // Lists load when their tab is first shown: a large address book costs
        // nothing until it is looked at. The sync status is small (counts and the
        // conflict queue) and feeds the tab bar's conflict badge.
        app.request(Request::SyncStatus);
        app
    }

    pub fn request(&mut self, r: Request) {
        self.status.busy += 1;
        self.outbox.push(r);
    }

    pub fn now_local(&self) -> NaiveDateTime {
        self.now.with_timezone(&self.tz).naive_local()
    }

    /// Move the clock (the event loop does this once a minute; tests never).
    pub fn set_now(&mut self, now: DateTime<Utc>) {
        self.now = now;
        self.today = now.with_timezone(&self.tz).date_naive();
    }

    pub fn info(&mut self, msg: impl Into<String>) {
        self.status.text = msg.into();
        self.status.error = false;
    }

    pub fn error(&mut self, msg: impl Into<String>) {
        self.status.text = msg.into();
        self.status.error = true;
    }

    pub fn collection(&self, id: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.id == id)
    }

    fn form_ctx(&self) -> FormCtx<'_> {
        FormCtx {
            collections: &self.collections,
            tz: self.tz,
            now: self.now,
        }
    }

    // ----- keys -----

    pub fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        // ctrl-c always leaves, whatever is open.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        if self.overlay.is_some() {
            self.on_overlay_key(key);
            return;
        }
        if self.on_filter_key(&key) {
            return;
        }
        let Some(k) = Key::from_event(&key) else {
            return;
        };
        if let Some(a) = self.keymap.resolve(self.tab.section(), &k) {
            self.on_action(a);
        }
    }

    /// Keys typed into an active contacts/notes filter.
    fn on_filter_key(&mut self, key: &KeyEvent) -> bool {
        let list = match self.tab {
            Tab::Contacts => &mut self.contacts,
            Tab::Notes => &mut self.notes,
            _ => return false,
        };
        if !list.filtering {
            return false;
        }
        match key.code {
            KeyCode::Esc => {
                list.filtering = false;
                list.filter = LineInput::default();
                list.refilter();
            }
            KeyCode::Enter => list.filtering = false,
            KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
                let a = match key.code {
                    KeyCode::Up => Action::Up,
                    KeyCode::Down => Action::Down,
                    KeyCode::PageUp => Action::PageUp,
                    _ => Action::PageDown,
                };
                list.move_cursor(a, self.page);
            }
            _ => {
                if list.filter.handle(key) {
                    list.refilter();
                }
            }
        }
        true
    }

    pub fn on_action(&mut self, a: Action) {
        match a {
            Action::Quit => self.quit = true,
            Action::Help => self.overlay = Some(Overlay::Help),
            Action::NextTab | Action::PrevTab => {
                let i = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                let n = Tab::ALL.len();
                let j = if a == Action::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.switch(Tab::ALL[j]);
            }
            Action::TabCalendar => self.switch(Tab::Calendar),
            Action::TabContacts => self.switch(Tab::Contacts),
            Action::TabTasks => self.switch(Tab::Tasks),
            Action::TabNotes => self.switch(Tab::Notes),
            Action::TabSync => self.switch(Tab::Sync),
            Action::Search => self.overlay = Some(Overlay::Search(SearchBox::default())),
            Action::Undo => self.undo_last(),
            Action::Refresh => self.reload_all(),
            Action::History => self.open_history(),
            Action::GotoDate if self.tab == Tab::Calendar => {
                self.overlay = Some(Overlay::Goto {
                    input: LineInput::new(&self.calendar.selected.format("%Y-%m-%d").to_string()),
                    error: None,
                })
            }
            Action::Add => self.open_create(None),
            Action::AddSubtask if self.tab == Tab::Tasks => {
                if let Some(p) = self.tasks.selected() {
                    let uid = p.uid().unwrap_or(&p.id).to_string();
                    self.open_create(Some(uid));
                }
            }
            Action::Edit => self.open_edit(),
            Action::EditExternal if self.tab == Tab::Notes => {
                self.external_edit = self.notes.selected().cloned();
            }
            Action::Delete => self.ask_delete(),
            Action::ToggleDone if self.tab == Tab::Tasks => self.toggle_done(),
            Action::CycleFilter if self.tab == Tab::Tasks => {
                self.tasks.filter = self.tasks.filter.next();
                let now = self.now_local();
                self.tasks.rebuild(now);
                self.info(format!("showing {} tasks", self.tasks.filter.label()));
            }
            Action::Filter => match self.tab {
                Tab::Contacts => self.contacts.filtering = true,
                Tab::Notes => self.notes.filtering = true,
                _ => {}
            },
            other => self.navigate(other),
        }
    }

    fn navigate(&mut self, a: Action) {
        let page = self.page;
        match self.tab {
            Tab::Calendar => {
                let today = self.today;
                self.calendar.on_action(a, today);
                if let Some(r) = self.calendar.load_request() {
                    self.request(r);
                }
            }
            Tab::Contacts => self.contacts.move_cursor(a, page),
            Tab::Notes => self.notes.move_cursor(a, page),
            Tab::Tasks => self.tasks.move_cursor(a, page),
            Tab::Sync => {
                self.on_sync_action(a);
            }
        }
    }

    pub fn switch(&mut self, t: Tab) {
        self.tab = t;
        match t.kind() {
            Some(k) if k != Kind::Event => self.ensure_list(k),
            _ => {}
        }
        if t == Tab::Sync {
            self.request(Request::SyncStatus);
        }
    }

    /// (loaded, requested) flags of a list tab.
    fn list_flags(&mut self, k: Kind) -> Option<(bool, &mut bool)> {
        match k {
            Kind::Contact => Some((self.contacts.loaded, &mut self.contacts.requested)),
            Kind::Note => Some((self.notes.loaded, &mut self.notes.requested)),
            Kind::Task => Some((self.tasks.loaded, &mut self.tasks.requested)),
            Kind::Event => None,
        }
    }

    /// Load a list the first time it is needed.
    fn ensure_list(&mut self, k: Kind) {
        if let Some((loaded, requested)) = self.list_flags(k)
            && !loaded
            && !*requested
        {
            *requested = true;
            self.request(Request::List(k));
        }
    }

    /// Reload a list if it is held (a list never shown stays unloaded).
    fn refresh_list(&mut self, k: Kind) {
        if let Some((loaded, requested)) = self.list_flags(k)
            && (loaded || *requested)
        {
            *requested = true;
            self.request(Request::List(k));
        }
    }

    /// Other devices' changes arrived: reload what is held, keeping selections.
    pub fn refresh_after_sync(&mut self) {
        self.reload_all();
    }

    fn reload_all(&mut self) {
        self.request(Request::Collections);
        if let Some(r) = self.calendar.reload() {
            self.request(r);
        }
        for k in [Kind::Contact, Kind::Task, Kind::Note] {
            self.refresh_list(k);
        }
        let tab = self.tab;
        self.switch(tab);
    }

    // ----- overlays -----

    fn on_overlay_key(&mut self, key: KeyEvent) {
        let Some(overlay) = self.overlay.take() else {
            return;
        };
        self.overlay = match overlay {
            Overlay::Help => match key.code {
                KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter => None,
                _ => Some(Overlay::Help),
            },
            Overlay::Confirm { message, edit } => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    self.save(edit);
                    None
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                    self.info("nothing deleted");
                    None
                }
                _ => Some(Overlay::Confirm { message, edit }),
            },
            Overlay::Conflict(d) => self.on_conflict_key(d, key),
            Overlay::History(h) => self.on_history_key(h, key),
            Overlay::DemoOffer => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                    self.request(Request::LoadDemo { today: self.today });
                    self.info("loading demo data…");
                    None
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                    self.info("empty database: press a to add, ? for keys");
                    None
                }
                _ => Some(Overlay::DemoOffer),
            },
            Overlay::Goto { mut input, error } => match key.code {
                KeyCode::Esc => None,
                KeyCode::Enter => {
                    match crate::model::time::parse_user_when(&input.value, self.now, self.tz) {
                        Ok(w) => {
                            let d = match w {
                                crate::model::time::UserWhen::Date(d) => d,
                                crate::model::time::UserWhen::Local(n) => n.date(),
                                crate::model::time::UserWhen::Instant(t) => {
                                    t.with_timezone(&self.tz).date_naive()
                                }
                            };
                            self.calendar.goto(d);
                            if let Some(r) = self.calendar.load_request() {
                                self.request(r);
                            }
                            None
                        }
                        Err(e) => Some(Overlay::Goto {
                            input,
                            error: Some(e.to_string()),
                        }),
                    }
                }
                _ => {
                    input.handle(&key);
                    Some(Overlay::Goto { input, error })
                }
            },
            Overlay::Search(mut sb) => match key.code {
                KeyCode::Esc => None,
                KeyCode::Enter => {
                    if let Some(r) = sb.selected().cloned() {
                        self.jump_to(&r);
                        None
                    } else {
                        Some(Overlay::Search(sb))
                    }
                }
                KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
                    sb.move_by(key.code);
                    Some(Overlay::Search(sb))
                }
                _ => {
                    if sb.input.handle(&key) {
                        sb.seq += 1;
                        let q = sb.input.value.clone();
                        if q.trim().is_empty() {
                            sb.results.clear();
                        } else {
                            self.request(Request::Search {
                                query: q,
                                seq: sb.seq,
                            });
                        }
                    }
                    Some(Overlay::Search(sb))
                }
            },
            Overlay::Form(mut form) => match form.handle(&key) {
                FormOutcome::Cancel => None,
                FormOutcome::Continue => Some(Overlay::Form(form)),
                FormOutcome::Submit => match forms::apply(&form, &self.form_ctx()) {
                    Ok(r) => {
                        self.submit(form.base.is_none(), r);
                        None
                    }
                    Err(e) => {
                        form.error = Some(e);
                        Some(Overlay::Form(form))
                    }
                },
            },
            Overlay::Note(mut ed) => match ed.handle(&key) {
                FormOutcome::Cancel => None,
                FormOutcome::Continue => Some(Overlay::Note(ed)),
                FormOutcome::Submit => match ed.to_record(self.now) {
                    Ok(r) => {
                        self.submit(ed.base.is_none(), r);
                        None
                    }
                    Err(e) => {
                        ed.error = Some(e);
                        Some(Overlay::Note(ed))
                    }
                },
            },
        };
    }

    /// Show `r` in its tab, selected.
    pub fn jump_to(&mut self, r: &Record) {
        self.switch(Tab::of_kind(r.kind));
        let (now, tz) = (self.now_local(), self.tz);
        match r.kind {
            Kind::Event => {
                let day = r
                    .prop("DTSTART")
                    .and_then(|p| crate::model::time::When::from_property(p).ok())
                    .map(|w| forms::local_naive(&w, r, tz).date())
                    .unwrap_or(self.today);
                self.calendar.goto(day);
                self.calendar.focus_record = Some(r.id.clone());
                match self.calendar.load_request() {
                    Some(req) => self.request(req),
                    None => {
                        let (from, to) = self.calendar.loaded.unwrap_or(self.calendar.window());
                        let occs = std::mem::take(&mut self.calendar.occs);
                        self.calendar.set_occs(from, to, occs, None);
                    }
                }
            }
            Kind::Contact => {
                if !self.contacts.select_id(&r.id) {
                    self.contacts.focus_record = Some(r.id.clone());
                }
            }
            Kind::Note => {
                if !self.notes.select_id(&r.id) {
                    self.notes.focus_record = Some(r.id.clone());
                }
            }
            Kind::Task => {
                if !self.tasks.select_id(&r.id, now) {
                    self.tasks.focus_record = Some(r.id.clone());
                }
            }
        }
    }

    // ----- edits -----

    pub fn selected_record_id(&self) -> Option<String> {
        self.selected_record().map(|r| r.id.clone())
    }

    fn selected_record(&self) -> Option<&Record> {
        match self.tab {
            Tab::Calendar => self.calendar.selected_occ().map(|o| o.record.as_ref()),
            Tab::Contacts => self.contacts.selected(),
            Tab::Tasks => self.tasks.selected(),
            Tab::Notes => self.notes.selected(),
            Tab::Sync => None,
        }
    }

    fn default_collection_id(&self, kind: Kind) -> String {
        let of_kind: Vec<&Collection> =
            self.collections.iter().filter(|c| c.kind == kind).collect();
        of_kind
            .iter()
            .find(|c| c.name == crate::store::default_collection_name(kind))
            .or(of_kind.first())
            .map(|c| c.id.clone())
            .unwrap_or_default()
    }

    fn open_create(&mut self, parent: Option<String>) {
        let Some(kind) = self.tab.kind() else {
            return;
        };
        if self.collections.is_empty() {
            self.error("still loading collections, try again");
            return;
        }
        if kind == Kind::Note {
            let coll = self.default_collection_id(Kind::Note);
            self.overlay = Some(Overlay::Note(Box::new(NoteEditor::new(None, &coll))));
            return;
        }
        let mut form = forms::form_for(kind, None, self.calendar.selected, &self.form_ctx());
        if let Some(p) = parent {
            let title = self.tasks.title_of_uid(&p).unwrap_or_default();
            form.title = format!("New subtask of {title}");
            form.parent = Some(p);
        }
        self.overlay = Some(Overlay::Form(form));
    }

    fn open_edit(&mut self) {
        let Some(r) = self.selected_record().cloned() else {
            self.info("nothing selected");
            return;
        };
        if r.kind == Kind::Note {
            self.overlay = Some(Overlay::Note(Box::new(NoteEditor::new(
                Some(&r),
                &r.collection,
            ))));
            return;
        }
        let form = forms::form_for(r.kind, Some(&r), self.calendar.selected, &self.form_ctx());
        self.overlay = Some(Overlay::Form(form));
    }

    fn ask_delete(&mut self) {
        let Some(r) = self.selected_record() else {
            self.info("nothing selected");
            return;
        };
        let mut message = format!("Delete {} {:?}?", r.kind, r.title());
        if r.is_recurring() {
            message.push_str(" (all occurrences)");
        }
        let edit = Edit::Delete(r.id.clone());
        self.overlay = Some(Overlay::Confirm { message, edit });
    }

    fn toggle_done(&mut self) {
        let Some(r) = self.tasks.selected() else {
            return;
        };
        let r = toggled(r, self.now);
        self.save(Edit::Update(r));
    }

    /// Queue a new or changed record; the list will select it when reloaded.
    pub fn submit(&mut self, is_new: bool, r: Record) {
        match r.kind {
            Kind::Contact => self.contacts.focus_record = Some(r.id.clone()),
            Kind::Note => self.notes.focus_record = Some(r.id.clone()),
            Kind::Task => self.tasks.focus_record = Some(r.id.clone()),
            Kind::Event => {
                if let Some(w) = r
                    .prop("DTSTART")
                    .and_then(|p| crate::model::time::When::from_property(p).ok())
                {
                    self.calendar
                        .goto(forms::local_naive(&w, &r, self.tz).date());
                }
                self.calendar.focus_record = Some(r.id.clone());
            }
        }
        self.save(if is_new {
            Edit::Create(r)
        } else {
            Edit::Update(r)
        });
    }

    pub fn save(&mut self, edit: Edit) {
        self.request(Request::Save { edit, undo: false });
    }

    fn undo_last(&mut self) {
        match self.undo.pop() {
            Some(edit) => self.request(Request::Save { edit, undo: true }),
            None => self.info("nothing to undo"),
        }
    }

    /// The note came back from `$EDITOR`.
    pub fn external_done(&mut self, base: &Record, text: &str) {
        let (title, body) = super::note_editor::from_editor_file(text);
        if title.is_empty() {
            self.error("note not saved: the first line (the title) was empty");
            return;
        }
        let r =
            super::note_editor::note_with(Some(base), &base.collection, &title, &body, self.now);
        if &r == base {
            self.info("note unchanged");
        } else {
            self.submit(false, r);
        }
    }

    // ----- responses -----

    pub fn on_response(&mut self, resp: Response) {
        self.status.busy = self.status.busy.saturating_sub(1);
        let now = self.now_local();
        match resp {
            Response::Collections(c) => self.collections = c,
            Response::List(Kind::Contact, v) => self.contacts.set(v),
            Response::List(Kind::Note, v) => self.notes.set(v),
            Response::List(Kind::Task, v) => self.tasks.set(v, now),
            Response::List(Kind::Event, _) => {}
            Response::Events {
                from,
                to,
                occs,
                index,
            } => {
                if (from, to) == self.calendar.window() {
                    self.calendar.set_occs(from, to, occs, Some(index));
                }
            }
            Response::Saved {
                inverse,
                kind,
                undo,
                message,
            } => {
                if !undo {
                    self.undo.push(inverse);
                }
                self.info(message);
                self.reload_kind(kind);
                if self.tab == Tab::Sync {
                    self.request(Request::SyncStatus);
                }
            }
            Response::Search { seq, results } => {
                if let Some(Overlay::Search(sb)) = &mut self.overlay
                    && sb.seq == seq
                {
                    sb.set_results(results);
                }
            }
            Response::Sync(s) => {
                let n = s.conflicts.len();
                self.pane.cursor = self.pane.cursor.min(n.saturating_sub(1));
                self.sync = Some(s);
            }
            Response::Resolved { message, kind } => {
                self.info(message);
                if let Some(k) = kind {
                    self.reload_kind(k);
                }
                self.request(Request::SyncStatus);
                self.sync_change_written();
            }
            Response::History {
                record_id,
                title,
                entries,
            } => {
                self.overlay = Some(Overlay::History(Box::new(
                    super::sync_pane::HistoryDialog::new(record_id, title, entries),
                )));
            }
            Response::IsEmpty(true) => self.overlay = Some(Overlay::DemoOffer),
            Response::IsEmpty(false) => {}
            Response::DemoLoaded(n) => {
                self.info(format!("loaded {n} demo records: press ? for keys"));
                self.reload_all();
            }
            Response::Error(e) => {
                self.error(e);
                if self.pane.unwritten > 0 {
                    self.sync_change_written();
                }
            }
            Response::Superseded => {}
        }
    }

    fn reload_kind(&mut self, kind: Kind) {
        match kind {
            Kind::Event => {
                if let Some(r) = self.calendar.reload() {
                    self.request(r);
                }
            }
            k => self.refresh_list(k),
        }
    }
}

/// The task marked done (or open again): STATUS, COMPLETED, PERCENT-COMPLETE.
pub fn toggled(r: &Record, now: DateTime<Utc>) -> Record {
    use crate::model::Property;
    let mut r = r.clone();
    if super::lists::is_done(&r) {
        r.set_props("STATUS", vec![Property::new("STATUS", "NEEDS-ACTION")]);
        r.remove("COMPLETED");
        r.remove("PERCENT-COMPLETE");
    } else {
        r.set_props("STATUS", vec![Property::new("STATUS", "COMPLETED")]);
        let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
        r.set_props("COMPLETED", vec![Property::new("COMPLETED", stamp)]);
        r.set_props(
            "PERCENT-COMPLETE",
            vec![Property::new("PERCENT-COMPLETE", "100")],
        );
    }
    r
}
