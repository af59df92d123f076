//! pim: contacts, calendars, tasks and notes in one local SQLite database,
//! synced between a user's devices through their own mail account.
//!
//! Layers, lowest first (a lower layer never imports a higher one):
//! `model` → `store` → `formats`/`recur` → `sync` → `mail`/`invite` → `app` → `tui`/`cli`.

pub mod app;
pub mod cli;
pub mod config;
pub mod formats;
pub mod invite;
pub mod mail;
pub mod model;
pub mod recur;
pub mod store;
pub mod sync;
pub mod tui;
