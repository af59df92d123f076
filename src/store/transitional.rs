//! TRANSITIONAL, until the invitations branch lands: `src/invite/state.rs` still
//! runs its own SQL on the invitation tables. That branch moves the statements
//! into named functions in `store/invitations.rs`; delete this file then (the
//! layering test in tests/layering.rs flags every remaining caller).

use rusqlite::Connection;

use super::Store;

impl Store {
    /// The connection, for `src/invite/state.rs` only (see the module comment).
    #[doc(hidden)]
    pub fn invitation_tables_conn(&self) -> &Connection {
        self.conn()
    }
}
