//! Issue 13, item 3: the sync folders on the server are lost (deleted by a user,
//! a provider migration, a restore). A device notices and republishes the full
//! state it holds, so a device joining later gets every record, whoever made it,
//! and later edits of those records reach it.

use crate::support::sim::Device;
use pim::sync::memory::MemoryServer;
use pim::sync::progress::{LOST_FOLDERS, summary};

fn names(d: &Device) -> Vec<String> {
    let mut v: Vec<String> = d.state().keys().filter_map(|id| d.text(id, "FN")).collect();
    v.sort();
    v
}

/// X and Y synced, each with a record of its own.
fn two_synced(server: &MemoryServer) -> (Device, Device, String) {
    let mut x = Device::new(server, "x");
    let mut y = Device::new(server, "y");
    x.add_contact("Made On X");
    x.sync();
    y.sync();
    let from_y = y.add_contact("Made On Y");
    y.sync();
    x.sync();
    assert_eq!(names(&x), ["Made On X", "Made On Y"]);
    (x, y, from_y)
}

#[test]
fn a_deleted_folder_tree_is_rebuilt_with_every_record_held() {
    let server = MemoryServer::new();
    let (mut x, mut y, from_y) = two_synced(&server);
    server.delete_tree("PIM");

    let r = x.sync();
    assert!(r.lost_folders.is_some(), "{r:?}");
    assert_eq!(r.republished, 2, "Y's record is republished too: {r:?}");
    assert!(summary(&r).starts_with(LOST_FOLDERS), "{}", summary(&r));
    let quiet = x.sync();
    assert_eq!((quiet.lost_folders, quiet.republished), (None, 0));

    // A device joining now gets everything, Y's record included.
    let mut w = Device::new(&server, "w");
    w.sync();
    assert_eq!(names(&w), ["Made On X", "Made On Y"]);
    // An edit of Y's record made on X after the loss reaches it.
    x.set_text(&from_y, "FN", "Edited On X");
    x.sync();
    w.sync();
    assert_eq!(w.text(&from_y, "FN").as_deref(), Some("Edited On X"));

    // Y comes back, notices as well, and all three converge.
    let r = y.sync();
    assert!(r.lost_folders.is_some(), "{r:?}");
    for _ in 0..2 {
        for d in [&mut x, &mut y, &mut w] {
            d.sync();
        }
    }
    assert_eq!(y.state(), x.state());
    assert_eq!(w.state(), x.state());
}

#[test]
fn a_device_that_joined_the_empty_tree_first_still_gets_everything() {
    let server = MemoryServer::new();
    let (mut x, _y, from_y) = two_synced(&server);
    server.delete_tree("PIM");
    // W finds an empty server (and creates the folders) before X notices.
    let mut w = Device::new(&server, "w");
    w.sync();
    assert!(names(&w).is_empty());
    x.set_text(&from_y, "FN", "Edited On X");
    let r = x.sync();
    assert!(r.republished >= 2, "{r:?}");
    w.sync();
    assert_eq!(names(&w), ["Edited On X", "Made On X"]);
}

#[test]
fn a_new_uidvalidity_or_a_missing_device_record_is_noticed() {
    let server = MemoryServer::new();
    let (mut x, _y, _) = two_synced(&server);
    server.reset_uidvalidity("PIM/Changes");
    let r = x.sync();
    assert!(
        r.lost_folders
            .as_deref()
            .is_some_and(|w| w.contains("UIDVALIDITY")),
        "{r:?}"
    );
    assert_eq!(r.republished, 2);

    let own: Vec<u32> = server.uids("PIM/Devices");
    for uid in own {
        server.lose("PIM/Devices", uid);
    }
    let r = x.sync();
    assert!(
        r.lost_folders
            .as_deref()
            .is_some_and(|w| w.contains("record")),
        "{r:?}"
    );
    assert_eq!(r.republished, 2);
    assert!(!server.uids("PIM/Devices").is_empty(), "X's record is back");
    let quiet = x.sync();
    assert_eq!((quiet.lost_folders, quiet.republished), (None, 0));
}
