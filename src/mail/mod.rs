//! The only code that speaks to mail servers: IMAP ([`imap::ImapMailbox`], the
//! sync engine's [`crate::sync::Mailbox`] over a real account) and SMTP
//! ([`smtp`]). Transport security and traffic counting live in [`net`].

pub mod account;
pub mod imap;
pub mod net;
pub mod oauth;
pub mod smtp;

pub use imap::{ImapConfig, ImapMailbox};
pub use net::{Security, Traffic};
pub use smtp::{SmtpConfig, SmtpError};
