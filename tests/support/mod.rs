//! Helpers shared by integration test binaries (`mod support;`).
#![allow(dead_code)]

pub mod mailserver;
pub mod profile;
pub mod proxy;
pub mod tmux;
