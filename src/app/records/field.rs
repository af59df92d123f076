//! The fields a user can edit, as a typed key: the CLI names them by their JSON key
//! (`--set full_name=...`), the TUI shows them under a label; both address the same
//! `Field`.

use crate::model::Kind;

/// One editable field. The order of the variants is the order in which an edit
/// applies its changes (the collection first, the time zone before the times, the
/// start before the end), whatever order they were given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Collection,
    // Contacts
    FullName,
    StructuredName,
    Nickname,
    Org,
    JobTitle,
    Emails,
    Phones,
    Addresses,
    Birthday,
    Anniversary,
    // Events, tasks and notes (a note's title and body are its summary and description)
    Summary,
    AllDay,
    Tz,
    Start,
    End,
    Duration,
    Due,
    Location,
    Rrule,
    Status,
    Priority,
    Completed,
    PercentComplete,
    Parent,
    Description,
    // Several kinds
    Url,
    Note,
    Categories,
    Alarms,
}

impl Field {
    /// The fields of `kind`, in the order forms and help texts list them.
    pub fn of(kind: Kind) -> &'static [Field] {
        use Field::*;
        match kind {
            Kind::Contact => &[
                FullName,
                StructuredName,
                Emails,
                Phones,
                Addresses,
                Org,
                JobTitle,
                Birthday,
                Anniversary,
                Url,
                Note,
                Categories,
                Nickname,
                Collection,
            ],
            Kind::Event => &[
                Summary,
                Start,
                End,
                Duration,
                AllDay,
                Tz,
                Location,
                Alarms,
                Description,
                Rrule,
                Status,
                Categories,
                Url,
                Collection,
            ],
            Kind::Task => &[
                Summary,
                Description,
                Due,
                Alarms,
                Start,
                Rrule,
                Priority,
                Status,
                Completed,
                PercentComplete,
                Parent,
                Categories,
                Collection,
            ],
            Kind::Note => &[Summary, Description, Categories, Collection],
        }
    }

    /// The field's name on the command line and in JSON output.
    pub fn name(self, kind: Kind) -> &'static str {
        use Field::*;
        match self {
            Collection => "collection",
            FullName => "full_name",
            StructuredName => "name",
            Nickname => "nickname",
            Org => "org",
            JobTitle => "title",
            Emails => "emails",
            Phones => "phones",
            Addresses => "addresses",
            Birthday => "birthday",
            Anniversary => "anniversary",
            Summary if kind == Kind::Note => "title",
            Summary => "summary",
            AllDay => "all_day",
            Tz => "tz",
            Start => "start",
            End => "end",
            Duration => "duration",
            Due => "due",
            Location => "location",
            Rrule => "rrule",
            Status => "status",
            Priority => "priority",
            Completed => "completed",
            PercentComplete => "percent_complete",
            Parent => "parent",
            Description if kind == Kind::Note => "body",
            Description => "description",
            Url => "url",
            Note => "note",
            Categories => "categories",
            Alarms => "alarms",
        }
    }

    /// The field's label in a form.
    pub fn label(self, kind: Kind) -> &'static str {
        use Field::*;
        match self {
            Collection => match kind {
                Kind::Contact => "Address book",
                Kind::Event => "Calendar",
                Kind::Task => "List",
                Kind::Note => "Notebook",
            },
            FullName => "Name",
            StructuredName => "Name parts",
            Nickname => "Nickname",
            Org => "Organization",
            JobTitle => "Job title",
            Emails => "Emails",
            Phones => "Phones",
            Addresses => "Addresses",
            Birthday => "Birthday",
            Anniversary => "Anniversary",
            Summary => "Title",
            AllDay => "All day",
            Tz => "Time zone",
            Start => "Start",
            End => "End",
            Duration => "Duration",
            Due => "Due",
            Location => "Location",
            Rrule => "Repeat",
            Status => "Status",
            Priority => "Priority",
            Completed => "Completed",
            PercentComplete => "Progress",
            Parent => "Parent",
            Description if kind == Kind::Note => "Text",
            Description => "Description",
            Url => "URL",
            Note => "Note",
            Categories => "Categories",
            Alarms => "Alarms",
        }
    }

    /// The field of `kind` called `name` on the command line.
    pub fn named(kind: Kind, name: &str) -> Option<Field> {
        Field::of(kind)
            .iter()
            .copied()
            .find(|f| f.name(kind) == name)
    }

    /// The names of `kind`'s fields, for error messages and help.
    pub fn names(kind: Kind) -> String {
        Field::of(kind)
            .iter()
            .map(|f| f.name(kind))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
