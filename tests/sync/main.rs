//! The sync engine on the in-memory mailbox, and that mailbox against the shared Mailbox
//! suite. One test binary, one module per area.

#[path = "../support/mod.rs"]
mod support;

mod hostile_sync;
mod mailbox_memory;
mod sync_clock_skew;
mod sync_engine;
mod sync_import;
mod sync_keys;
mod sync_lost_folders;
mod sync_metadata;
mod sync_occurrences;
mod sync_proptest;
mod sync_reminder_settings;
mod sync_scope;
mod sync_sets;
mod sync_signing;
mod sync_task_occurrences;
