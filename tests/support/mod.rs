//! Helpers shared by integration test binaries (`mod support;`).
#![allow(dead_code)]

pub mod corpus;
pub mod imapserver;
pub mod mailbox_suite;
pub mod mailserver;
pub mod peer;
pub mod pim;
pub mod profile;
pub mod proxy;
pub mod sim;
pub mod tmux;
