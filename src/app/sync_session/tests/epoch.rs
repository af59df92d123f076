//! A newer epoch waits for the user and is taken by [`take_waiting_epoch`], the
//! one use case behind `pim sync --mode replace-local` and the Sync tab's `T`.

use super::doubles::MemoryConnector;
use super::{add_contact, runtime};
use crate::app::sync_session::{confirm_question, take_waiting_epoch, waiting_epoch};
use crate::model::Kind;
use crate::store::Store;
use crate::sync::crypto::SyncKey;
use crate::sync::engine::{SyncOptions, sync_once};
use crate::sync::memory::MemoryServer;
use crate::sync::plan::Mode;

fn round(store: &mut Store, server: &MemoryServer, o: &SyncOptions) {
    let mut mb = server.connect();
    runtime().block_on(sync_once(store, &mut mb, o)).unwrap();
}

fn names(store: &Store) -> Vec<String> {
    let mut v: Vec<String> = store
        .list(Kind::Contact, None)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.text("FN"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_replaced_server_waits_for_the_user_then_one_round_takes_it() {
    let server = MemoryServer::new();
    let key = SyncKey::generate();
    let mut a_opts = SyncOptions::new(key.clone());
    a_opts.device_name = "desktop".into();
    let mut b_opts = SyncOptions::new(key);
    b_opts.device_name = "laptop".into();
    let (mut a, mut b) = (
        Store::open_in_memory().unwrap(),
        Store::open_in_memory().unwrap(),
    );
    add_contact(&mut a, "Ada");
    round(&mut a, &server, &a_opts);
    round(&mut b, &server, &b_opts);
    // c's contact reaches b, not a: a's snapshot will lack it.
    let c_opts = SyncOptions::new(a_opts.key.clone());
    let mut c = Store::open_in_memory().unwrap();
    round(&mut c, &server, &c_opts);
    add_contact(&mut c, "From c");
    round(&mut c, &server, &c_opts);
    round(&mut b, &server, &b_opts);
    assert_eq!(waiting_epoch(&b).unwrap(), None, "nothing waits yet");

    // a's data becomes the truth; b is told and keeps everything meanwhile.
    let mut replace = a_opts.clone();
    replace.mode = Mode::ReplaceRemote;
    round(&mut a, &server, &replace);
    round(&mut b, &server, &b_opts);
    let w = waiting_epoch(&b).unwrap().expect("the new epoch waits");
    assert_eq!(w.made_by, a.device());
    assert_eq!(w.made_by_name, "desktop");
    assert!(!w.made_at.is_empty());
    assert_eq!(
        confirm_question(&w, Some("2026-11-25 09:52")),
        "Replace this device's synced data with the new snapshot from desktop (made \
         2026-11-25 09:52)? Local unsent edits are kept"
    );
    assert_eq!(names(&b), ["Ada", "From c"], "nothing dropped unasked");

    // An edit made here before taking it is kept and sent.
    add_contact(&mut b, "Unsent on b");
    let r = runtime()
        .block_on(take_waiting_epoch(
            &mut b,
            MemoryConnector::new(&server),
            &b_opts,
            &mut |_| {},
        ))
        .unwrap();
    assert_eq!(r.sync.epoch_pending, None);
    assert_eq!(waiting_epoch(&b).unwrap(), None);
    assert_eq!(names(&b), ["Ada", "Unsent on b"]);
    round(&mut a, &server, &a_opts);
    assert_eq!(names(&a), ["Ada", "Unsent on b"]);
}
