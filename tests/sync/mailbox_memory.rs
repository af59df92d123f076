//! The shared Mailbox suite (tests/support/mailbox_suite.rs) on `MemoryMailbox`: the
//! fake the sync tests run on must behave as `ImapMailbox` on Dovecot does
//! (tests/mail_imap.rs runs the same cases there).

mod memory {
    crate::mailbox_suite!(crate::support::mailbox_suite::Memory::new());
}

mod memory_without_condstore {
    crate::mailbox_suite!(crate::support::mailbox_suite::Memory::without_condstore());
}
