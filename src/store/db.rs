//! The handle every store function reads or writes through: a [`Store`] or a
//! [`Writer`]'s open transaction. The connection inside never leaves `store/`,
//! so SQL cannot be written anywhere else (DESIGN.md §2).

use rusqlite::Connection;

use super::{Store, Writer};

/// Something store functions can run SQL on: the store itself (its own implicit
/// transaction per statement) or a [`Writer`] (inside its transaction). Code
/// above the store passes these along; it cannot reach the connection.
///
/// Neither the store's nor a handle's connection is reachable from outside:
///
/// ```compile_fail
/// let store = pim::store::Store::open_in_memory().unwrap();
/// let _ = store.conn();
/// ```
///
/// ```compile_fail
/// use pim::store::Db;
/// let store = pim::store::Store::open_in_memory().unwrap();
/// let _ = store.handle().conn();
/// ```
///
/// ```
/// use pim::store::{Db, sync_state};
/// let store = pim::store::Store::open_in_memory().unwrap();
/// let _handle = store.handle(); // opaque: only store functions can use it
/// assert!(sync_state::vector(&store).unwrap().is_empty());
/// ```
pub trait Db {
    /// The opaque connection handle (usable only inside `store/`).
    fn handle(&self) -> Handle<'_>;
}

/// A borrowed connection whose SQL side is private to the store.
pub struct Handle<'a>(&'a Connection);

impl<'a> Handle<'a> {
    pub(super) fn conn(self) -> &'a Connection {
        self.0
    }
}

/// The connection behind any [`Db`], for store functions.
pub(super) fn conn(db: &(impl Db + ?Sized)) -> &Connection {
    db.handle().conn()
}

impl Db for Store {
    fn handle(&self) -> Handle<'_> {
        Handle(self.conn())
    }
}

impl Db for Writer<'_> {
    fn handle(&self) -> Handle<'_> {
        Handle(self.tx())
    }
}
