//! Use cases, one implementation each. The only layer the front-ends (`cli`, `tui`) call
//! for anything that decides or changes data: they parse input, call a function here, and
//! render what comes back.
//!
//! What may call what: `app` may use every lower layer (`model`, `store`, `formats`,
//! `recur`, `sync`, `mail`, `invite`); nothing below `app` imports it; `cli` and `tui`
//! never import each other.

pub mod accounts;
pub mod address_query;
pub mod agenda;
pub mod birthdays;
pub mod clock;
pub mod conflicts;
pub mod demo;
pub mod device_keys;
pub mod export;
pub mod history;
pub mod import;
pub mod invites;
pub mod people;
pub mod records;
pub mod reminders;
pub mod sync_session;
