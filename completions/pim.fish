# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_pim_global_optspecs
    string join \n home= h/help V/version
end

function __fish_pim_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_pim_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_pim_using_subcommand
    set -l cmd (__fish_pim_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c pim -n "__fish_pim_needs_command" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_needs_command" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_needs_command" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_needs_command" -f -a "add" -d 'Add a contact, event, task or note; prints the new id'
complete -c pim -n "__fish_pim_needs_command" -f -a "list" -d 'List records of one kind'
complete -c pim -n "__fish_pim_needs_command" -f -a "show" -d 'Show one record'
complete -c pim -n "__fish_pim_needs_command" -f -a "edit" -d 'Change fields of a record'
complete -c pim -n "__fish_pim_needs_command" -f -a "delete" -d 'Delete a record'
complete -c pim -n "__fish_pim_needs_command" -f -a "search" -d 'Full-text search over every kind'
complete -c pim -n "__fish_pim_needs_command" -f -a "contacts" -d 'Contacts for mail clients: address completion (mutt, neomutt, aerc)'
complete -c pim -n "__fish_pim_needs_command" -f -a "agenda" -d 'What is coming, by day: events, tasks due, birthdays; --next for a status bar'
complete -c pim -n "__fish_pim_needs_command" -f -a "log" -d 'List change records, newest last'
complete -c pim -n "__fish_pim_needs_command" -f -a "collections" -d 'Manage address books, calendars, task lists and notebooks'
complete -c pim -n "__fish_pim_needs_command" -f -a "sync" -d 'Sync with your other devices through the mail account'
complete -c pim -n "__fish_pim_needs_command" -f -a "devices" -d 'Devices that sync through the account'
complete -c pim -n "__fish_pim_needs_command" -f -a "conflicts" -d 'Sync conflicts waiting for a decision (conflict policy `ask`)'
complete -c pim -n "__fish_pim_needs_command" -f -a "history" -d 'A record\'s changes: device, time, what changed (values that lost a conflict too)'
complete -c pim -n "__fish_pim_needs_command" -f -a "account" -d 'Manage mail accounts (IMAP + SMTP) used for sync and invitations'
complete -c pim -n "__fish_pim_needs_command" -f -a "invites" -d 'Meeting invitations from the mail account: list, answer, apply updates'
complete -c pim -n "__fish_pim_needs_command" -f -a "attachments" -d 'Attachments of answered invitations, parked on the mail server'
complete -c pim -n "__fish_pim_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c pim -n "__fish_pim_needs_command" -f -a "import" -d 'Import iCalendar, vCard, vdir, JSON or Markdown (re-import updates by UID)'
complete -c pim -n "__fish_pim_needs_command" -f -a "export" -d 'Export to iCalendar, vCard, vdir, JSON, CSV or Markdown'
complete -c pim -n "__fish_pim_needs_command" -f -a "demo" -d 'Load demo data (collections, contacts, a month of events, tasks, notes)'
complete -c pim -n "__fish_pim_needs_command" -f -a "remind" -d 'Reminders due now; --watch rings them as they come; dismiss, snooze'
complete -c pim -n "__fish_pim_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand add; and not __fish_seen_subcommand_from contact event task note help" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand add; and not __fish_seen_subcommand_from contact event task note help" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand add; and not __fish_seen_subcommand_from contact event task note help" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand add; and not __fish_seen_subcommand_from contact event task note help" -f -a "contact" -d 'Add a contact'
complete -c pim -n "__fish_pim_using_subcommand add; and not __fish_seen_subcommand_from contact event task note help" -f -a "event" -d 'Add an event'
complete -c pim -n "__fish_pim_using_subcommand add; and not __fish_seen_subcommand_from contact event task note help" -f -a "task" -d 'Add a task'
complete -c pim -n "__fish_pim_using_subcommand add; and not __fish_seen_subcommand_from contact event task note help" -f -a "note" -d 'Add a note'
complete -c pim -n "__fish_pim_using_subcommand add; and not __fish_seen_subcommand_from contact event task note help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from contact" -l name -d 'Full name' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from contact" -l email -d 'Email address (repeatable)' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from contact" -l phone -d 'Phone number (repeatable)' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from contact" -l org -d 'Organisation' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from contact" -l birthday -d 'Birthday (YYYY-MM-DD)' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from contact" -l note -d 'A note about the contact' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from contact" -l collection -d 'Collection (name or id; default: the kind\'s default collection)' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from contact" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from contact" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from contact" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l summary -d 'Title' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l start -d 'Start: 2026-12-01, \'2026-12-01 10:00\', RFC 3339, today, tomorrow, +3d, +2h' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l end -d 'End; for an all-day event its last day; +90m: that long after the start' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l duration -d 'Length, e.g. 1h30m, 45m, 2d' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l tz -d 'Time zone of the start and end (IANA name, default: yours)' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l location -d 'Where it takes place' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l description -d 'Longer text' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l rrule -d 'Repeat: daily, weekly, weekdays, monthly, yearly, \'every 2 weeks\', or an RRULE such as FREQ=WEEKLY;BYDAY=MO' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l alarm -d 'Reminder (repeatable): -15m before the start, +5m after, end-10m before the end, or a WHEN such as \'2026-12-01 09:00\'' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l collection -d 'Collection (name or id; default: the kind\'s default collection)' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -l all-day -d 'An all-day event'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from event" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from task" -l summary -d 'Title' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from task" -l due -d 'Due: a date, a date and time, today, tomorrow, +3d' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from task" -l priority -d '1 (highest) to 9 (lowest)' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from task" -l description -d 'Longer text' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from task" -l parent -d 'Id of the parent task' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from task" -l rrule -d 'Repeat (from the due date): daily, weekly, weekdays, monthly, yearly, \'every 2 weeks\', or an RRULE; complete one occurrence with `pim edit ID --occurrence WHEN --set status=done`' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from task" -l alarm -d 'Reminder (repeatable): -15m before the due time, start-1h before the start, or a WHEN such as \'2026-12-01 09:00\'' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from task" -l collection -d 'Collection (name or id; default: the kind\'s default collection)' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from task" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from task" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from task" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from note" -l title -d 'Title' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from note" -l body -d 'Markdown text, or - to read it from stdin' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from note" -l collection -d 'Collection (name or id; default: the kind\'s default collection)' -r
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from note" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from note" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from note" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from help" -f -a "contact" -d 'Add a contact'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from help" -f -a "event" -d 'Add an event'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from help" -f -a "task" -d 'Add a task'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from help" -f -a "note" -d 'Add a note'
complete -c pim -n "__fish_pim_using_subcommand add; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand list" -l from -d 'Window start (events: one entry per occurrence inside the window)' -r
complete -c pim -n "__fish_pim_using_subcommand list" -l to -d 'Window end: a date includes that day (`--to 2026-12-31` lists the 31st); a date and time is exclusive' -r
complete -c pim -n "__fish_pim_using_subcommand list" -l collection -d 'Only this collection (name or id)' -r
complete -c pim -n "__fish_pim_using_subcommand list" -l limit -d 'Occurrences listed at most in a window (more are left out with a notice)' -r
complete -c pim -n "__fish_pim_using_subcommand list" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand list" -l json -d 'JSON output; an all-day `end` is exclusive there, as in iCalendar (text shows the last day)'
complete -c pim -n "__fish_pim_using_subcommand list" -l no-birthdays -d 'Events in a window: leave out contacts\' birthdays and anniversaries (listed by default as the read-only calendar "Birthdays"; `--collection Birthdays` lists only them)'
complete -c pim -n "__fish_pim_using_subcommand list" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand list" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand show" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand show" -l json -d 'JSON output (the fields `--set` names)'
complete -c pim -n "__fish_pim_using_subcommand show" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand show" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand edit" -l set -d 'FIELD=VALUE, FIELD being the JSON key (repeatable; empty VALUE clears)' -r
complete -c pim -n "__fish_pim_using_subcommand edit" -l occurrence -d 'Only the occurrence at WHEN (its date, date and time, or RFC 3339; a moved occurrence also answers to its original time, a task\'s to its due date); without it, the whole series' -r
complete -c pim -n "__fish_pim_using_subcommand edit" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand edit" -l this-and-following -d 'That occurrence and every later one (the series ends before it; a new series starts there)'
complete -c pim -n "__fish_pim_using_subcommand edit" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand edit" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand delete" -l occurrence -d 'Only the occurrence at WHEN (its date, date and time, or RFC 3339; a moved occurrence also answers to its original time, a task\'s to its due date); without it, the whole series' -r
complete -c pim -n "__fish_pim_using_subcommand delete" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand delete" -l this-and-following -d 'That occurrence and every later one (the series ends before it; a new series starts there)'
complete -c pim -n "__fish_pim_using_subcommand delete" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand delete" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand search" -l limit -d 'Most results to show' -r
complete -c pim -n "__fish_pim_using_subcommand search" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand search" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand search" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand search" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand contacts; and not __fish_seen_subcommand_from query help" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand contacts; and not __fish_seen_subcommand_from query help" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand contacts; and not __fish_seen_subcommand_from query help" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand contacts; and not __fish_seen_subcommand_from query help" -f -a "query" -d 'Email addresses of contacts matching QUERY (name, nickname, organisation or address), for a mail client\'s address completion'
complete -c pim -n "__fish_pim_using_subcommand contacts; and not __fish_seen_subcommand_from query help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand contacts; and __fish_seen_subcommand_from query" -l format -d 'mutt: a status line, then email<TAB>name<TAB>organisation; aerc: email<TAB>name; json: an array of objects' -r -f -a "mutt\t''
aerc\t''
json\t''"
complete -c pim -n "__fish_pim_using_subcommand contacts; and __fish_seen_subcommand_from query" -l limit -d 'Most addresses to print' -r
complete -c pim -n "__fish_pim_using_subcommand contacts; and __fish_seen_subcommand_from query" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand contacts; and __fish_seen_subcommand_from query" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand contacts; and __fish_seen_subcommand_from query" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand contacts; and __fish_seen_subcommand_from help" -f -a "query" -d 'Email addresses of contacts matching QUERY (name, nickname, organisation or address), for a mail client\'s address completion'
complete -c pim -n "__fish_pim_using_subcommand contacts; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand agenda" -l days -d 'How many days, today included' -r
complete -c pim -n "__fish_pim_using_subcommand agenda" -l format -d 'The line --next prints: {start}, {end} (strftime after a colon, e.g. {start:%H:%M}), {summary}, {location}, {collection}, {id}; {{ and }} for braces' -r
complete -c pim -n "__fish_pim_using_subcommand agenda" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand agenda" -l json -d 'JSON output: days with their items (times in your zone)'
complete -c pim -n "__fish_pim_using_subcommand agenda" -l next -d 'Only the next timed event that has not ended (one in progress counts), on one line; nothing when there is none. All-day events, birthdays and tasks are left out'
complete -c pim -n "__fish_pim_using_subcommand agenda" -l no-birthdays -d 'Leave out the birthdays and anniversaries of contacts'
complete -c pim -n "__fish_pim_using_subcommand agenda" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand agenda" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand log" -l record -d 'Only changes of this record' -r
complete -c pim -n "__fish_pim_using_subcommand log" -s n -l limit -d 'Only the last N changes' -r
complete -c pim -n "__fish_pim_using_subcommand log" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand log" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand log" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand log" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand collections; and not __fish_seen_subcommand_from list add rename delete set help" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand collections; and not __fish_seen_subcommand_from list add rename delete set help" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand collections; and not __fish_seen_subcommand_from list add rename delete set help" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand collections; and not __fish_seen_subcommand_from list add rename delete set help" -f -a "list" -d 'List collections with their record counts'
complete -c pim -n "__fish_pim_using_subcommand collections; and not __fish_seen_subcommand_from list add rename delete set help" -f -a "add" -d 'Add a collection'
complete -c pim -n "__fish_pim_using_subcommand collections; and not __fish_seen_subcommand_from list add rename delete set help" -f -a "rename" -d 'Rename a collection'
complete -c pim -n "__fish_pim_using_subcommand collections; and not __fish_seen_subcommand_from list add rename delete set help" -f -a "delete" -d 'Delete a collection (it must be empty unless --force)'
complete -c pim -n "__fish_pim_using_subcommand collections; and not __fish_seen_subcommand_from list add rename delete set help" -f -a "set" -d 'Change a collection\'s settings'
complete -c pim -n "__fish_pim_using_subcommand collections; and not __fish_seen_subcommand_from list add rename delete set help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from list" -l kind -d 'Only this kind (contacts, events, tasks, notes)' -r
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from list" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from list" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from add" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from rename" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from rename" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from delete" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from delete" -l force -d 'Delete the records in it too'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from set" -l sync -d 'Include it in sync (on) or keep it on this device (off)' -r -f -a "on\t''
off\t''"
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from set" -l color -d 'Colour for the calendar view (e.g. #3366ff or blue)' -r
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from set" -l default-alarm -d 'Alarms new events or tasks of this calendar or list get, or the reminders of an address book\'s birthdays and anniversaries, relative to the day\'s midnight (-15h: 09:00 the day before; `Birthdays` for every address book). Repeatable, e.g. -10m; an empty value removes them. Synced to your other devices' -r
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from set" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from help" -f -a "list" -d 'List collections with their record counts'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a collection'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from help" -f -a "rename" -d 'Rename a collection'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a collection (it must be empty unless --force)'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change a collection\'s settings'
complete -c pim -n "__fish_pim_using_subcommand collections; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -l account -d 'Account to sync through (default: the one chosen at init/join)' -r
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -l mode -d 'two-way; push or pull (one direction only); replace-remote (this device\'s data becomes the truth everywhere) or replace-local (rebuild from the server)' -r -f -a "two-way\t''
push\t''
pull\t''
replace-remote\t''
replace-local\t''"
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -l collection -d 'Only this collection (name or id; repeat for more): other changes wait, own ones in the outbox, received ones until a sync that includes them' -r
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -l dry-run -d 'Print what would happen; change nothing'
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -l json -d 'One JSON object per round'
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -l watch -d 'Keep running: sync on every change here or on the server (IMAP IDLE)'
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -f -a "init" -d 'First device: create the sync folders and a key (printed on the last line)'
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -f -a "join" -d 'Another device: enter the key (or passphrase) printed by `pim sync init`'
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -f -a "rekey" -d 'Replace the sync key (after losing a device): the server\'s data is sealed again under a new key, printed once; devices that stay run `pim sync join --key NEW`, devices with the old key read nothing new'
complete -c pim -n "__fish_pim_using_subcommand sync; and not __fish_seen_subcommand_from init join rekey help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from init" -l account -d 'Mail account to sync through (default: the only one configured)' -r
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from init" -l device-name -d 'This device\'s name in `pim devices list` (default: the host name and the start of the device id, e.g. laptop-3f9a)' -r
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from init" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from init" -l passphrase -d 'Use a passphrase (read from stdin) instead of a generated key'
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from join" -l account -d 'Mail account to sync through (default: the only one configured)' -r
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from join" -l key -d 'The sync key, or `-` to read it from stdin. A key given here is visible to other users of this computer (`ps`): prefer --key-file, `-` or the prompt. Without --key and --key-file pim asks (or reads a line from stdin when that is not a terminal)' -r
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from join" -l key-file -d 'Read the sync key (or passphrase) from the first line of this file' -r -F
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from join" -l device-name -d 'This device\'s name in `pim devices list` (default: the host name and the start of the device id, e.g. laptop-3f9a)' -r
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from join" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from join" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from join" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from rekey" -l account -d 'Account whose sync folders are resealed (default: the one sync uses)' -r
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from rekey" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from rekey" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from rekey" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "init" -d 'First device: create the sync folders and a key (printed on the last line)'
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "join" -d 'Another device: enter the key (or passphrase) printed by `pim sync init`'
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "rekey" -d 'Replace the sync key (after losing a device): the server\'s data is sealed again under a new key, printed once; devices that stay run `pim sync join --key NEW`, devices with the old key read nothing new'
complete -c pim -n "__fish_pim_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand devices; and not __fish_seen_subcommand_from list dismiss forget help" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand devices; and not __fish_seen_subcommand_from list dismiss forget help" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand devices; and not __fish_seen_subcommand_from list dismiss forget help" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand devices; and not __fish_seen_subcommand_from list dismiss forget help" -f -a "list" -d 'Devices that sync through the account'
complete -c pim -n "__fish_pim_using_subcommand devices; and not __fish_seen_subcommand_from list dismiss forget help" -f -a "dismiss" -d 'Stop reminding of a refused key change for a device (after comparing its key fingerprint on the device itself)'
complete -c pim -n "__fish_pim_using_subcommand devices; and not __fish_seen_subcommand_from list dismiss forget help" -f -a "forget" -d 'Stop waiting for a device that is gone (it no longer holds back cleanup)'
complete -c pim -n "__fish_pim_using_subcommand devices; and not __fish_seen_subcommand_from list dismiss forget help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from list" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from list" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from dismiss" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from dismiss" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from dismiss" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from forget" -l account -d 'Mail account to use (default: the one sync uses)' -r
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from forget" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from forget" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from forget" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from help" -f -a "list" -d 'Devices that sync through the account'
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from help" -f -a "dismiss" -d 'Stop reminding of a refused key change for a device (after comparing its key fingerprint on the device itself)'
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from help" -f -a "forget" -d 'Stop waiting for a device that is gone (it no longer holds back cleanup)'
complete -c pim -n "__fish_pim_using_subcommand devices; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and not __fish_seen_subcommand_from list show resolve help" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand conflicts; and not __fish_seen_subcommand_from list show resolve help" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and not __fish_seen_subcommand_from list show resolve help" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and not __fish_seen_subcommand_from list show resolve help" -f -a "list" -d 'Conflicts waiting for a decision (conflict policy `ask`), oldest first'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and not __fish_seen_subcommand_from list show resolve help" -f -a "show" -d 'One conflict: the base value, mine and theirs (device, time, value)'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and not __fish_seen_subcommand_from list show resolve help" -f -a "resolve" -d 'Settle a conflict; the outcome is an ordinary change that syncs'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and not __fish_seen_subcommand_from list show resolve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from list" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from list" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from show" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from show" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from resolve" -l take -d 'Which value to keep (`both`: the union of a multi-valued property, else keep mine and a duplicate record holding theirs)' -r -f -a "mine\t''
theirs\t''
both\t''"
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from resolve" -l value -d 'Keep this merged text instead' -r
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from resolve" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from resolve" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from resolve" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from help" -f -a "list" -d 'Conflicts waiting for a decision (conflict policy `ask`), oldest first'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from help" -f -a "show" -d 'One conflict: the base value, mine and theirs (device, time, value)'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from help" -f -a "resolve" -d 'Settle a conflict; the outcome is an ordinary change that syncs'
complete -c pim -n "__fish_pim_using_subcommand conflicts; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand history" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand history" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand history" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand history" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand account; and not __fish_seen_subcommand_from add list set remove check help" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand account; and not __fish_seen_subcommand_from add list set remove check help" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand account; and not __fish_seen_subcommand_from add list set remove check help" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand account; and not __fish_seen_subcommand_from add list set remove check help" -f -a "add" -d 'Add a mail account (the password or OAuth2 token comes from a command, never stored)'
complete -c pim -n "__fish_pim_using_subcommand account; and not __fish_seen_subcommand_from add list set remove check help" -f -a "list" -d 'List accounts'
complete -c pim -n "__fish_pim_using_subcommand account; and not __fish_seen_subcommand_from add list set remove check help" -f -a "set" -d 'Change settings of an account'
complete -c pim -n "__fish_pim_using_subcommand account; and not __fish_seen_subcommand_from add list set remove check help" -f -a "remove" -d 'Remove an account from this profile (mail on the server is untouched)'
complete -c pim -n "__fish_pim_using_subcommand account; and not __fish_seen_subcommand_from add list set remove check help" -f -a "check" -d 'Log in to the account\'s IMAP and SMTP servers and report'
complete -c pim -n "__fish_pim_using_subcommand account; and not __fish_seen_subcommand_from add list set remove check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l imap -d 'IMAP server, HOST:PORT (993 for implicit TLS, 143 for STARTTLS)' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l smtp -d 'SMTP server, HOST:PORT (465 implicit TLS, 587 STARTTLS)' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l user -d 'Login name' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l email -d 'The account\'s mail address' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l password-command -d 'Shell command printing the password on its first line (e.g. "pass show mail"); required with --auth password' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l auth -d 'How to log in: password, or an OAuth2 access token (xoauth2 for Gmail and Microsoft 365, oauthbearer)' -r -f -a "password\t''
xoauth2\t''
oauthbearer\t''"
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l token-command -d 'Shell command printing a fresh OAuth2 access token (e.g. "oama access ADDRESS")' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l tls -d 'implicit (TLS from the start) or starttls' -r -f -a "implicit\t''
starttls\t''"
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l ca-file -d 'Trust this CA certificate (PEM) instead of the system\'s' -r -F
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l folder-root -d 'Root of pim\'s folders on the server' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l conflict-policy -d 'How to settle edits of the same property on two devices' -r -f -a "newest\t''
local\t''
remote\t''
keep-both\t''
ask\t''"
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l parking-folder -d 'Folder where answered invitations are parked' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l insecure -d 'No TLS at all: only allowed to a loopback address'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -l watch -d 'Keep syncing in the background (IDLE) in the app'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from list" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from list" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l imap -d 'IMAP server, HOST:PORT' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l smtp -d 'SMTP server, HOST:PORT' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l user -d 'Login name' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l email -d 'The account\'s mail address' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l password-command -d 'Shell command printing the password on its first line' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l auth -d 'password, xoauth2 or oauthbearer (the last two need a --token-command)' -r -f -a "password\t''
xoauth2\t''
oauthbearer\t''"
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l token-command -d 'Shell command printing a fresh OAuth2 access token' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l tls -d 'implicit (TLS from the start) or starttls' -r -f -a "implicit\t''
starttls\t''"
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l ca-file -d 'Trust this CA certificate (PEM) instead of the system\'s' -r -F
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l insecure -d 'true: no TLS at all (only to a loopback address); false: TLS again' -r -f -a "true\t''
false\t''"
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l folder-root -d 'The folder pim\'s sync folders live under (default PIM)' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l conflict-policy -d 'Who wins a sync conflict: newest, local, remote, keep-both, or ask' -r -f -a "newest\t''
local\t''
remote\t''
keep-both\t''
ask\t''"
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l watch -d 'true: the app keeps IMAP IDLE open and shows other devices\' changes live' -r -f -a "true\t''
false\t''"
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l parking-folder -d 'Where answered invitations are parked (default PIM/Parked)' -r
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -l no-ca-file -d 'Go back to the system\'s root certificates'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from remove" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from check" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a mail account (the password or OAuth2 token comes from a command, never stored)'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "list" -d 'List accounts'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change settings of an account'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove an account from this profile (mail on the server is untouched)'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "check" -d 'Log in to the account\'s IMAP and SMTP servers and report'
complete -c pim -n "__fish_pim_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -f -a "scan" -d 'Look for new invitations in INBOX now (also done by every `pim sync`)'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -f -a "list" -d 'Invitations found so far, with their status'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -f -a "show" -d 'One invitation in full, with the events it overlaps'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -f -a "import" -d 'Read an invitation a mail client pipes in (an .eml, or a bare .ics with METHOD) and list it with the others; updates and cancellations apply at once'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -f -a "accept" -d 'Accept: add the event, reply to the organizer, park the message'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -f -a "tentative" -d 'Answer "tentative"'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -f -a "decline" -d 'Decline (the event is kept marked declined, or removed: `[invitations] declined`)'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -f -a "accept-counter" -d 'For an event you organise: take the attendee\'s proposed time'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -f -a "decline-counter" -d 'For an event you organise: keep your time, tell the attendee'
complete -c pim -n "__fish_pim_using_subcommand invites; and not __fish_seen_subcommand_from scan list show import accept tentative decline accept-counter decline-counter help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from scan" -l account -d 'Mail account to use (default: the one sync uses)' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from scan" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from scan" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from scan" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from scan" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from list" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from list" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from show" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from show" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from import" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from import" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept" -l calendar -d 'Calendar for a new event (default: the default calendar)' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept" -l comment -d 'A note for the organizer (COMMENT)' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept" -l reply-to -d 'Write the REPLY as a ready-to-send message to FILE (- for stdout) for your mail client, instead of sending it; needs no account, parks nothing' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept" -l me -d 'Your address among the attendees, when no account or alias names it' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept" -l no-reply -d 'Update the calendar only; send nothing'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from tentative" -l calendar -d 'Calendar for a new event (default: the default calendar)' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from tentative" -l comment -d 'A note for the organizer (COMMENT)' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from tentative" -l reply-to -d 'Write the REPLY as a ready-to-send message to FILE (- for stdout) for your mail client, instead of sending it; needs no account, parks nothing' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from tentative" -l me -d 'Your address among the attendees, when no account or alias names it' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from tentative" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from tentative" -l no-reply -d 'Update the calendar only; send nothing'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from tentative" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from tentative" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline" -l calendar -d 'Calendar for a new event (default: the default calendar)' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline" -l comment -d 'A note for the organizer (COMMENT)' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline" -l reply-to -d 'Write the REPLY as a ready-to-send message to FILE (- for stdout) for your mail client, instead of sending it; needs no account, parks nothing' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline" -l me -d 'Your address among the attendees, when no account or alias names it' -r
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline" -l no-reply -d 'Update the calendar only; send nothing'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept-counter" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept-counter" -l no-reply -d 'Update the calendar only; send nothing'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept-counter" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from accept-counter" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline-counter" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline-counter" -l no-reply -d 'Update the calendar only; send nothing'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline-counter" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from decline-counter" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from help" -f -a "scan" -d 'Look for new invitations in INBOX now (also done by every `pim sync`)'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from help" -f -a "list" -d 'Invitations found so far, with their status'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from help" -f -a "show" -d 'One invitation in full, with the events it overlaps'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from help" -f -a "import" -d 'Read an invitation a mail client pipes in (an .eml, or a bare .ics with METHOD) and list it with the others; updates and cancellations apply at once'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from help" -f -a "accept" -d 'Accept: add the event, reply to the organizer, park the message'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from help" -f -a "tentative" -d 'Answer "tentative"'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from help" -f -a "decline" -d 'Decline (the event is kept marked declined, or removed: `[invitations] declined`)'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from help" -f -a "accept-counter" -d 'For an event you organise: take the attendee\'s proposed time'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from help" -f -a "decline-counter" -d 'For an event you organise: keep your time, tell the attendee'
complete -c pim -n "__fish_pim_using_subcommand invites; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand attachments; and not __fish_seen_subcommand_from list fetch help" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand attachments; and not __fish_seen_subcommand_from list fetch help" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand attachments; and not __fish_seen_subcommand_from list fetch help" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand attachments; and not __fish_seen_subcommand_from list fetch help" -f -a "list" -d 'Attachments an event refers to (parked on the mail server)'
complete -c pim -n "__fish_pim_using_subcommand attachments; and not __fish_seen_subcommand_from list fetch help" -f -a "fetch" -d 'Download attachments of an event (all, or one MIME part)'
complete -c pim -n "__fish_pim_using_subcommand attachments; and not __fish_seen_subcommand_from list fetch help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from list" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from list" -l json -d 'JSON output'
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from fetch" -l part -d 'MIME part number, as `pim attachments list` shows it' -r
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from fetch" -s o -l output -d 'Directory to write into (default: the current directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from fetch" -l account -d 'Account to fetch through (default: the sync account)' -r
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from fetch" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from fetch" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from fetch" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from help" -f -a "list" -d 'Attachments an event refers to (parked on the mail server)'
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from help" -f -a "fetch" -d 'Download attachments of an event (all, or one MIME part)'
complete -c pim -n "__fish_pim_using_subcommand attachments; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand completions" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand completions" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand completions" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand import" -l format -d 'Input format (default: detected from the content)' -r -f -a "ics\t''
vcf\t''
vdir\t''
json\t''
md\t''"
complete -c pim -n "__fish_pim_using_subcommand import" -l collection -d 'Put everything into the collection of this name (created when missing, per kind)' -r
complete -c pim -n "__fish_pim_using_subcommand import" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand import" -l skip-invalid -d 'Import the valid items and list the invalid ones instead of aborting'
complete -c pim -n "__fish_pim_using_subcommand import" -l strict -d 'Refuse malformed iCalendar input instead of repairing it (broken folding, unreadable lines, RDATE:…Z, empty RRULE, COUNT=-1, one UID twice…)'
complete -c pim -n "__fish_pim_using_subcommand import" -l json -d 'Print the summary as JSON on stdout'
complete -c pim -n "__fish_pim_using_subcommand import" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand import" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand export" -l collection -d 'Only the collection(s) of this name' -r
complete -c pim -n "__fish_pim_using_subcommand export" -l format -d 'Output format (default: vcf for contacts, ics for events and tasks, md for notes, json for all)' -r -f -a "ics\t''
vcf\t''
vdir\t''
json\t''
csv\t''
md\t''"
complete -c pim -n "__fish_pim_using_subcommand export" -s o -l output -d 'Output file (a folder for vdir, and for md when it is one); - or absent: stdout' -r
complete -c pim -n "__fish_pim_using_subcommand export" -l vcard-version -d 'vCard version written' -r
complete -c pim -n "__fish_pim_using_subcommand export" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand export" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand export" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand demo" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand demo" -l force -d 'Load even if the database already holds records (adds a second copy)'
complete -c pim -n "__fish_pim_using_subcommand demo" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand demo" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand remind; and not __fish_seen_subcommand_from dismiss snooze help" -l command -d 'With --watch: run this shell command for each reminder, with PIM_SUMMARY, PIM_START, PIM_LOCATION, PIM_ID, PIM_TRIGGER and PIM_OCCURRENCE set, e.g. \'notify-send "$PIM_SUMMARY" "$PIM_START"\'' -r
complete -c pim -n "__fish_pim_using_subcommand remind; and not __fish_seen_subcommand_from dismiss snooze help" -l max-reminders -d 'With --watch: exit after ringing this many reminders (for scripts and tests)' -r
complete -c pim -n "__fish_pim_using_subcommand remind; and not __fish_seen_subcommand_from dismiss snooze help" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand remind; and not __fish_seen_subcommand_from dismiss snooze help" -l json -d 'JSON output (id, summary, start, trigger, location, occurrence)'
complete -c pim -n "__fish_pim_using_subcommand remind; and not __fish_seen_subcommand_from dismiss snooze help" -l watch -d 'Stay up and print each reminder when it is due (each rings once per profile: an open pim TUI and a watcher do not both ring it)'
complete -c pim -n "__fish_pim_using_subcommand remind; and not __fish_seen_subcommand_from dismiss snooze help" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand remind; and not __fish_seen_subcommand_from dismiss snooze help" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand remind; and not __fish_seen_subcommand_from dismiss snooze help" -f -a "dismiss" -d 'Dismiss a record\'s due reminders (on every device after the next sync)'
complete -c pim -n "__fish_pim_using_subcommand remind; and not __fish_seen_subcommand_from dismiss snooze help" -f -a "snooze" -d 'Snooze a record\'s due reminders: they ring again after DURATION'
complete -c pim -n "__fish_pim_using_subcommand remind; and not __fish_seen_subcommand_from dismiss snooze help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand remind; and __fish_seen_subcommand_from dismiss" -l occurrence -d 'Dismiss the reminder of the occurrence starting then (also in advance)' -r
complete -c pim -n "__fish_pim_using_subcommand remind; and __fish_seen_subcommand_from dismiss" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand remind; and __fish_seen_subcommand_from dismiss" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand remind; and __fish_seen_subcommand_from dismiss" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand remind; and __fish_seen_subcommand_from snooze" -l occurrence -d 'Snooze the reminder of the occurrence starting then' -r
complete -c pim -n "__fish_pim_using_subcommand remind; and __fish_seen_subcommand_from snooze" -l home -d 'Profile directory holding the database and config (default: the platform data directory)' -r -F
complete -c pim -n "__fish_pim_using_subcommand remind; and __fish_seen_subcommand_from snooze" -s h -l help -d 'Print help'
complete -c pim -n "__fish_pim_using_subcommand remind; and __fish_seen_subcommand_from snooze" -s V -l version -d 'Print version'
complete -c pim -n "__fish_pim_using_subcommand remind; and __fish_seen_subcommand_from help" -f -a "dismiss" -d 'Dismiss a record\'s due reminders (on every device after the next sync)'
complete -c pim -n "__fish_pim_using_subcommand remind; and __fish_seen_subcommand_from help" -f -a "snooze" -d 'Snooze a record\'s due reminders: they ring again after DURATION'
complete -c pim -n "__fish_pim_using_subcommand remind; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "add" -d 'Add a contact, event, task or note; prints the new id'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "list" -d 'List records of one kind'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "show" -d 'Show one record'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "edit" -d 'Change fields of a record'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "delete" -d 'Delete a record'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "search" -d 'Full-text search over every kind'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "contacts" -d 'Contacts for mail clients: address completion (mutt, neomutt, aerc)'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "agenda" -d 'What is coming, by day: events, tasks due, birthdays; --next for a status bar'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "log" -d 'List change records, newest last'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "collections" -d 'Manage address books, calendars, task lists and notebooks'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "sync" -d 'Sync with your other devices through the mail account'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "devices" -d 'Devices that sync through the account'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "conflicts" -d 'Sync conflicts waiting for a decision (conflict policy `ask`)'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "history" -d 'A record\'s changes: device, time, what changed (values that lost a conflict too)'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "account" -d 'Manage mail accounts (IMAP + SMTP) used for sync and invitations'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "invites" -d 'Meeting invitations from the mail account: list, answer, apply updates'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "attachments" -d 'Attachments of answered invitations, parked on the mail server'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "completions" -d 'Print shell completions'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "import" -d 'Import iCalendar, vCard, vdir, JSON or Markdown (re-import updates by UID)'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "export" -d 'Export to iCalendar, vCard, vdir, JSON, CSV or Markdown'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "demo" -d 'Load demo data (collections, contacts, a month of events, tasks, notes)'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "remind" -d 'Reminders due now; --watch rings them as they come; dismiss, snooze'
complete -c pim -n "__fish_pim_using_subcommand help; and not __fish_seen_subcommand_from add list show edit delete search contacts agenda log collections sync devices conflicts history account invites attachments completions import export demo remind help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from add" -f -a "contact" -d 'Add a contact'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from add" -f -a "event" -d 'Add an event'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from add" -f -a "task" -d 'Add a task'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from add" -f -a "note" -d 'Add a note'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from contacts" -f -a "query" -d 'Email addresses of contacts matching QUERY (name, nickname, organisation or address), for a mail client\'s address completion'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from collections" -f -a "list" -d 'List collections with their record counts'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from collections" -f -a "add" -d 'Add a collection'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from collections" -f -a "rename" -d 'Rename a collection'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from collections" -f -a "delete" -d 'Delete a collection (it must be empty unless --force)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from collections" -f -a "set" -d 'Change a collection\'s settings'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "init" -d 'First device: create the sync folders and a key (printed on the last line)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "join" -d 'Another device: enter the key (or passphrase) printed by `pim sync init`'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "rekey" -d 'Replace the sync key (after losing a device): the server\'s data is sealed again under a new key, printed once; devices that stay run `pim sync join --key NEW`, devices with the old key read nothing new'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from devices" -f -a "list" -d 'Devices that sync through the account'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from devices" -f -a "dismiss" -d 'Stop reminding of a refused key change for a device (after comparing its key fingerprint on the device itself)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from devices" -f -a "forget" -d 'Stop waiting for a device that is gone (it no longer holds back cleanup)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from conflicts" -f -a "list" -d 'Conflicts waiting for a decision (conflict policy `ask`), oldest first'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from conflicts" -f -a "show" -d 'One conflict: the base value, mine and theirs (device, time, value)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from conflicts" -f -a "resolve" -d 'Settle a conflict; the outcome is an ordinary change that syncs'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "add" -d 'Add a mail account (the password or OAuth2 token comes from a command, never stored)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "list" -d 'List accounts'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "set" -d 'Change settings of an account'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "remove" -d 'Remove an account from this profile (mail on the server is untouched)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "check" -d 'Log in to the account\'s IMAP and SMTP servers and report'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from invites" -f -a "scan" -d 'Look for new invitations in INBOX now (also done by every `pim sync`)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from invites" -f -a "list" -d 'Invitations found so far, with their status'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from invites" -f -a "show" -d 'One invitation in full, with the events it overlaps'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from invites" -f -a "import" -d 'Read an invitation a mail client pipes in (an .eml, or a bare .ics with METHOD) and list it with the others; updates and cancellations apply at once'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from invites" -f -a "accept" -d 'Accept: add the event, reply to the organizer, park the message'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from invites" -f -a "tentative" -d 'Answer "tentative"'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from invites" -f -a "decline" -d 'Decline (the event is kept marked declined, or removed: `[invitations] declined`)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from invites" -f -a "accept-counter" -d 'For an event you organise: take the attendee\'s proposed time'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from invites" -f -a "decline-counter" -d 'For an event you organise: keep your time, tell the attendee'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from attachments" -f -a "list" -d 'Attachments an event refers to (parked on the mail server)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from attachments" -f -a "fetch" -d 'Download attachments of an event (all, or one MIME part)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from remind" -f -a "dismiss" -d 'Dismiss a record\'s due reminders (on every device after the next sync)'
complete -c pim -n "__fish_pim_using_subcommand help; and __fish_seen_subcommand_from remind" -f -a "snooze" -d 'Snooze a record\'s due reminders: they ring again after DURATION'
