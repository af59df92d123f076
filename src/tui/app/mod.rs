//! The application state. Keys become actions, actions change state and queue
//! requests for the worker; responses come back and change state. Nothing here
//! touches the terminal or the database, so tests drive it directly.

use crate::model::zonedb::Tz;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::model::{Collection, Kind, Record};
use crate::tui::action::Action;
use crate::tui::calendar::CalendarView;
use crate::tui::form::Form;
use crate::tui::forms::FormCtx;
use crate::tui::input::LineInput;
use crate::tui::keymap::{Key, Keymap};
use crate::tui::lists::{FilteredList, TaskList};
use crate::tui::note_editor::NoteEditor;
use crate::tui::search::SearchBox;
use crate::tui::theme::Theme;
use crate::tui::worker::{Edit, Request, SyncStatus};

mod edits;
pub mod occurrences;
mod overlays;
mod paste;
pub mod people;
#[cfg(test)]
mod stale_tests;

pub use edits::toggled;

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
    Form(Box<Form>),
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
    Conflict(Box<crate::tui::sync_pane::ConflictDialog>),
    History(Box<crate::tui::sync_pane::HistoryDialog>),
    /// Answering an invitation: calendar, comment, reply.
    Answer(Box<crate::tui::invite_dialog::AnswerDialog>),
    /// Reminders ringing now.
    Reminders(Box<crate::tui::reminders::Popup>),
    /// Editing or deleting an occurrence of a recurring event: this occurrence,
    /// this and following, or all?
    Scope(Box<occurrences::ScopeQuestion>),
    /// The Sync tab's "Add account" form.
    AddAccount(Box<crate::tui::sync_setup::AccountForm>),
    /// Start syncing (first device) or join.
    SyncSetup(Box<crate::tui::sync_setup::SetupDialog>),
    /// An event's organizer and attendees; enter opens the selected one's contact.
    People(people::PeopleDialog),
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
    /// Invitations (Sync tab; the waiting ones make the Calendar tab's badge).
    pub invites: Vec<crate::tui::invites::InviteRow>,
    pub invite_selected: usize,
    /// Live sync state: connectivity, progress, log, conflict cursor.
    pub pane: crate::tui::sync_pane::SyncPane,
    pub overlay: Option<Overlay>,
    /// The occurrence the open form edits (its recurrence id and scope), if it
    /// edits one occurrence rather than a whole record.
    pub form_occurrence: Option<(String, crate::app::records::occurrence::Scope)>,
    /// The last form saved over an existing record, until the answer: if the record
    /// was deleted meanwhile the form comes back rather than the input being lost.
    pub sent_form: Option<Box<crate::tui::form::Form>>,
    /// The same for the note editor.
    pub sent_note: Option<Box<crate::tui::note_editor::NoteEditor>>,
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
    /// Reminders this TUI rang and the user has not handled or hidden yet.
    pub ringing: Vec<crate::tui::reminders::Ringing>,
    /// Reminders due now (the status line's count).
    pub reminders_due: usize,
    /// Lines the help overlay is scrolled down (when it does not fit).
    pub help_scroll: usize,
    /// Sync setup work (account check, init, join), drained by the event loop.
    pub setup_jobs: Vec<crate::tui::setup_jobs::SetupJob>,
    /// Text for the terminal's clipboard (OSC 52), written by the event loop.
    pub clipboard: Option<String>,
    /// The selected contact's events (its detail pane).
    pub person: people::PersonPane,
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
            invites: Vec::new(),
            invite_selected: 0,
            pane: Default::default(),
            overlay: None,
            form_occurrence: None,
            sent_form: None,
            sent_note: None,
            status: Status::default(),
            undo: Vec::new(),
            outbox: Vec::new(),
            external_edit: None,
            quit: false,
            page: 10,
            ringing: Vec::new(),
            reminders_due: 0,
            help_scroll: 0,
            setup_jobs: Vec::new(),
            clipboard: None,
            person: Default::default(),
        };
        app.request(Request::IsEmpty);
        app.request(Request::Collections);
        app.request(Request::Invitations);
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

    pub(super) fn form_ctx(&self) -> FormCtx<'_> {
        FormCtx {
            collections: &self.collections,
            tz: self.tz,
            now: self.now,
        }
    }

    // ----- keys -----

    pub fn on_key(&mut self, key: KeyEvent) {
        self.on_key_inner(key);
        self.want_person_events();
    }

    fn on_key_inner(&mut self, key: KeyEvent) {
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
            // Reminders that rang while another dialog was open show once it closes.
            self.show_ringing();
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
    pub(super) fn on_filter_key(&mut self, key: &KeyEvent) -> bool {
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
            Action::Help => {
                self.help_scroll = 0;
                self.overlay = Some(Overlay::Help);
            }
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
            Action::AddAccount if self.tab == Tab::Sync => self.open_add_account(),
            Action::SetupSync if self.tab == Tab::Sync => self.open_sync_setup(),
            Action::ForgetDevice if self.tab == Tab::Sync => self.open_forget_device(),
            Action::Rekey if self.tab == Tab::Sync => self.open_rekey(None),
            Action::TakeEpoch if self.tab == Tab::Sync => self.open_take_epoch(),
            Action::AcceptInvite if self.tab == Tab::Sync => {
                self.answer_invite(crate::invite::Answer::Accept)
            }
            Action::TentativeInvite if self.tab == Tab::Sync => {
                self.answer_invite(crate::invite::Answer::Tentative)
            }
            Action::DeclineInvite if self.tab == Tab::Sync => {
                self.answer_invite(crate::invite::Answer::Decline)
            }
            Action::Search => self.overlay = Some(Overlay::Search(SearchBox::default())),
            Action::Undo => self.undo_last(),
            Action::Refresh => self.reload_all(),
            Action::History => self.open_history(),
            Action::People if self.tab == Tab::Calendar => self.open_people(),
            Action::GotoDate if self.tab == Tab::Calendar => {
                self.overlay = Some(Overlay::Goto {
                    input: LineInput::prefilled(
                        &self.calendar.selected.format("%Y-%m-%d").to_string(),
                    ),
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

    pub(super) fn navigate(&mut self, a: Action) {
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
                // J / K pick an invitation; the other keys belong to the sync pane.
                let n = self.invites.len();
                match a {
                    Action::NextItem => {
                        self.invite_selected = (self.invite_selected + 1).min(n.saturating_sub(1))
                    }
                    Action::PrevItem => {
                        self.invite_selected = self.invite_selected.saturating_sub(1)
                    }
                    _ => {
                        self.on_sync_action(a);
                    }
                }
            }
        }
    }

    /// Invitations still waiting for an answer (the Calendar tab's badge).
    pub fn invites_waiting(&self) -> usize {
        self.invites.iter().filter(|r| r.needs_answer()).count()
    }

    /// Open the answer dialog for the selected invitation; on a counter-proposal
    /// accept takes the proposed time and decline keeps ours.
    fn answer_invite(&mut self, answer: crate::invite::Answer) {
        use crate::invite::Answer;
        use crate::tui::invite_dialog::AnswerDialog;
        let dialog = match self.invites.get(self.invite_selected) {
            None => return self.error("no invitation selected"),
            Some(r) if !r.needs_answer() => {
                return self.error(format!("invitation {} has nothing to answer", r.id));
            }
            Some(r) if r.method == "COUNTER" => match answer {
                Answer::Tentative => {
                    return self.error(format!(
                        "invitation {} is a counter-proposal: take its time or keep yours",
                        r.id
                    ));
                }
                a => AnswerDialog::counter(r, a == Answer::Accept),
            },
            Some(r) => AnswerDialog::answer(r, answer, &self.collections),
        };
        self.overlay = Some(Overlay::Answer(Box::new(dialog)));
    }

    pub fn switch(&mut self, t: Tab) {
        self.tab = t;
        match t.kind() {
            Some(k) if k != Kind::Event => self.ensure_list(k),
            _ => {}
        }
        if t == Tab::Sync {
            self.request(Request::SyncStatus);
            self.request(Request::Invitations);
        }
    }

    /// (loaded, requested) flags of a list tab.
    pub(super) fn list_flags(&mut self, k: Kind) -> Option<(bool, &mut bool)> {
        match k {
            Kind::Contact => Some((self.contacts.loaded, &mut self.contacts.requested)),
            Kind::Note => Some((self.notes.loaded, &mut self.notes.requested)),
            Kind::Task => Some((self.tasks.loaded, &mut self.tasks.requested)),
            Kind::Event => None,
        }
    }

    /// Load a list the first time it is needed.
    pub(super) fn ensure_list(&mut self, k: Kind) {
        if let Some((loaded, requested)) = self.list_flags(k)
            && !loaded
            && !*requested
        {
            *requested = true;
            self.request(Request::List(k));
        }
    }

    /// Reload a list if it is held (a list never shown stays unloaded).
    pub(super) fn refresh_list(&mut self, k: Kind) {
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

    pub(super) fn reload_all(&mut self) {
        self.request(Request::Invitations);
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
}
