//! The sync engine over an in-memory mailbox: every DESIGN.md §5 property.

mod common {
    pub mod sim;
}

use common::sim::{Device, changes_folder};
use pim::sync::memory::MemoryServer;

#[test]
fn two_devices_exchange_edits() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "laptop");
    let mut b = Device::new(&server, "desktop");
    let id = a.add_contact("Ada Lovelace");
    let ra = a.sync();
    assert!(ra.uploaded >= 1, "{ra:?}");
    let rb = b.sync();
    assert!(rb.applied >= 1, "{rb:?}");
    assert_eq!(b.text(&id, "FN").as_deref(), Some("Ada Lovelace"));
    b.set_text(&id, "NOTE", "math");
    b.sync();
    a.sync();
    assert_eq!(a.text(&id, "NOTE").as_deref(), Some("math"));
    assert_eq!(a.state(), b.state());
    assert!(!server.uids(changes_folder()).is_empty());
}
