//! The command line and the TUI driven through the real `pim` binary, and interop with
//! peer tools (khal, khard, python icalendar). One test binary: each module was its own
//! file before, and linking the library into each cost more than its tests' run.

#[path = "../support/mod.rs"]
mod support;

mod agenda;
mod as_users_mean;
mod attack2_session14;
mod attack_regressions;
mod attack_session13;
mod attack_session13_more;
mod attack_session14;
mod attack_session6;
mod birthday_reminders;
mod cli;
mod cli_account;
mod cli_demo;
mod cli_import_export;
mod device_keys;
mod docs_current;
mod export_ics_transcribed;
mod export_order;
mod hostile_input;
mod import_lenient;
mod import_progress;
mod interop_khal;
mod interop_khard;
mod issue17_leftovers;
mod kindless_rows;
mod listed_copies;
mod listed_tables;
mod listing_marks;
mod occurrence_edits;
mod occurrence_moves;
mod output_paths;
mod readable;
mod readme_tour;
mod records_front_ends;
mod recur_bounds;
mod recur_interop;
mod remind;
mod remind_watch;
mod session14;
mod tui_remind_tmux;
mod tui_tmux;
mod vcard_reproductions;
mod window_listing;
