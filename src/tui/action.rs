//! What a key asks for. Keys map to actions through the keymap; components act on
//! actions, never on raw keys (text inputs excepted).

/// A user command, independent of the key that triggered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    NextTab,
    PrevTab,
    TabCalendar,
    TabContacts,
    TabTasks,
    TabNotes,
    TabSync,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextPeriod,
    PrevPeriod,
    Today,
    GotoDate,
    CycleView,
    MonthView,
    WeekView,
    AgendaView,
    NextItem,
    PrevItem,
    Add,
    AddSubtask,
    Edit,
    EditExternal,
    Delete,
    ToggleDone,
    CycleFilter,
    Filter,
    Search,
    Undo,
    Refresh,
    AcceptInvite,
    TentativeInvite,
    DeclineInvite,
    SyncNow,
    AddAccount,
    SetupSync,
    ForgetDevice,
    Rekey,
    TakeEpoch,
    Resolve,
    History,
    People,
}

/// Every action with its keymap name and the help text shown by `?`.
pub const ACTIONS: &[(Action, &str, &str)] = &[
    (Action::Quit, "quit", "quit pim"),
    (Action::Help, "help", "show these keys"),
    (Action::NextTab, "next_tab", "next tab"),
    (Action::PrevTab, "prev_tab", "previous tab"),
    (Action::TabCalendar, "tab_calendar", "Calendar tab"),
    (Action::TabContacts, "tab_contacts", "Contacts tab"),
    (Action::TabTasks, "tab_tasks", "Tasks tab"),
    (Action::TabNotes, "tab_notes", "Notes tab"),
    (Action::TabSync, "tab_sync", "Sync tab"),
    (Action::Up, "up", "move up"),
    (Action::Down, "down", "move down"),
    (Action::Left, "left", "move left / previous day"),
    (Action::Right, "right", "move right / next day"),
    (Action::PageUp, "page_up", "page up"),
    (Action::PageDown, "page_down", "page down"),
    (Action::Top, "top", "first item"),
    (Action::Bottom, "bottom", "last item"),
    (Action::NextPeriod, "next_period", "next month / week"),
    (Action::PrevPeriod, "prev_period", "previous month / week"),
    (Action::Today, "today", "jump to today"),
    (Action::GotoDate, "goto_date", "jump to a date"),
    (Action::CycleView, "cycle_view", "month → week → agenda"),
    (Action::MonthView, "month_view", "month grid"),
    (Action::WeekView, "week_view", "week view"),
    (Action::AgendaView, "agenda_view", "agenda list"),
    (Action::NextItem, "next_item", "next event of the day"),
    (Action::PrevItem, "prev_item", "previous event of the day"),
    (Action::Add, "add", "create a new item"),
    (
        Action::AddSubtask,
        "add_subtask",
        "create a subtask of the selected task",
    ),
    (Action::Edit, "edit", "edit the selected item"),
    (
        Action::EditExternal,
        "edit_external",
        "edit the note in $EDITOR",
    ),
    (Action::Delete, "delete", "delete the selected item"),
    (
        Action::ToggleDone,
        "toggle_done",
        "mark the task done / not done",
    ),
    (
        Action::CycleFilter,
        "cycle_filter",
        "show open → overdue → done → all",
    ),
    (Action::Filter, "filter", "filter the list as you type"),
    (Action::Search, "search", "search everything"),
    (Action::Undo, "undo", "undo the last edit"),
    (Action::Refresh, "refresh", "reload from the database"),
    (
        Action::AcceptInvite,
        "accept_invite",
        "accept invitation / take new time",
    ),
    (
        Action::TentativeInvite,
        "tentative_invite",
        "answer the selected invitation tentatively",
    ),
    (
        Action::DeclineInvite,
        "decline_invite",
        "decline invitation / keep your time",
    ),
    (Action::SyncNow, "sync_now", "sync now"),
    (
        Action::AddAccount,
        "add_account",
        "add a mail account (its connection is checked)",
    ),
    (
        Action::SetupSync,
        "setup_sync",
        "start syncing (first device) or join; once syncing, show the key",
    ),
    (
        Action::ForgetDevice,
        "forget_device",
        "forget a device that is gone (then offers to replace the key)",
    ),
    (
        Action::Rekey,
        "rekey",
        "replace the sync key: a lost device reads nothing new",
    ),
    (
        Action::TakeEpoch,
        "take_snapshot",
        "take the new snapshot another device published (it waits until you do)",
    ),
    (
        Action::Resolve,
        "resolve",
        "resolve conflicts, one record at a time",
    ),
    (
        Action::History,
        "history",
        "history of the selected record (restore old values)",
    ),
    (
        Action::People,
        "people",
        "the selected event's people (enter opens their contact)",
    ),
];

impl Action {
    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(a, _, _)| *a)
    }

    pub fn name(self) -> &'static str {
        ACTIONS
            .iter()
            .find(|(a, _, _)| *a == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }

    pub fn describe(self) -> &'static str {
        ACTIONS
            .iter()
            .find(|(a, _, _)| *a == self)
            .map(|(_, _, d)| *d)
            .unwrap_or("")
    }
}
