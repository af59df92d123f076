//! The transport-agnostic sync engine (DESIGN.md §5, §6): plans, apply, merge,
//! conflicts, GC, snapshots and the encrypted envelope, over a [`Mailbox`].

pub mod mailbox;

pub use mailbox::{FolderState, Mailbox, MailboxError, MessageMeta};
pub mod apply;
pub mod batch;
pub mod catch_up;
mod collections;
pub mod crypto;
pub mod decision;
pub mod engine;
pub mod envelope;
pub mod identity;
pub mod memory;
pub mod merge;
pub mod merge_sets;
pub mod passphrase;
pub mod plan;
pub mod progress;
pub mod rekey;
mod resolve;
pub mod review;
pub mod scope;
pub mod setup;
pub mod signing;
pub mod snapshot;
