//! `pim sync --collection`: a sync limited to some collections, over the
//! in-memory mailbox. Own changes outside the scope stay in the outbox, received
//! ones wait in `sync_held`, and a later sync delivers both without loss.

use crate::support::sim::Device;
use pim::model::{Kind, Record};
use pim::sync::memory::MemoryServer;
use pim::sync::plan::Mode;

const HOME: &str = "default-contact";

fn add_to(d: &mut Device, collection: &str, name: &str) -> String {
    let mut r = Record::new(Kind::Contact, collection);
    r.set_text("FN", name);
    d.store.write(|w| w.create(&r)).unwrap();
    r.id
}

/// The sequence numbers of a device's own changes to a record.
fn seqs_of(d: &Device, id: &str) -> Vec<u64> {
    let filter = pim::store::LogFilter {
        record_id: Some(id.to_string()),
        ..Default::default()
    };
    d.store
        .log(&filter)
        .unwrap()
        .into_iter()
        .filter(|c| c.device == d.store.device())
        .map(|c| c.seq)
        .collect()
}

fn collection_of(d: &Device, id: &str) -> Option<String> {
    d.store.get(id).unwrap().map(|r| r.collection)
}

/// Two devices that share a `work` address book and one contact in each book.
fn pair(server: &MemoryServer) -> (Device, Device, String, String, String) {
    let mut a = Device::new(server, "a");
    let mut b = Device::new(server, "b");
    let work = a
        .store
        .write(|w| w.put_collection(Kind::Contact, "work"))
        .unwrap()
        .id;
    let w1 = add_to(&mut a, &work, "Grace at work");
    let h1 = add_to(&mut a, HOME, "Ada at home");
    a.sync();
    b.sync();
    (a, b, work, w1, h1)
}

#[test]
fn only_the_chosen_collection_is_uploaded_then_the_rest_follows() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let work = a
        .store
        .write(|w| w.put_collection(Kind::Contact, "work"))
        .unwrap()
        .id;
    let h1 = add_to(&mut a, HOME, "Ada at home");
    let w1 = add_to(&mut a, &work, "Grace at work");
    a.set_text(&h1, "NOTE", "home note");
    let r = a.try_sync_only(&[&work]).unwrap();
    // The collection and its contact; the home contact (created before it, and
    // edited) and the default collections wait.
    assert_eq!(r.uploaded, 2, "{r:?}");
    assert!(r.queued >= 2, "{r:?}");
    b.sync();
    assert_eq!(b.text(&w1, "FN").as_deref(), Some("Grace at work"));
    assert_eq!(collection_of(&b, &w1).as_deref(), Some(work.as_str()));
    assert!(b.store.get(&h1).unwrap().is_none());
    // A plain sync sends what waited, in the order it was made.
    let r = a.sync();
    assert!(r.uploaded >= 2, "{r:?}");
    assert_eq!(r.queued, 0);
    b.sync();
    assert_eq!(b.text(&h1, "NOTE").as_deref(), Some("home note"));
    assert_eq!(a.state(), b.state());
    assert_eq!(a.sync().uploaded, 0);
}

#[test]
fn received_changes_outside_the_scope_wait_and_are_never_lost() {
    let server = MemoryServer::new();
    let (mut a, mut b, work, w1, h1) = pair(&server);
    a.set_text(&w1, "NOTE", "from a (work)");
    a.set_text(&h1, "NOTE", "from a (home)");
    a.sync();
    let r = b.try_sync_only(&[&work]).unwrap();
    assert_eq!(r.held, 1, "{r:?}");
    assert_eq!(b.text(&w1, "NOTE").as_deref(), Some("from a (work)"));
    assert_eq!(b.text(&h1, "NOTE"), None, "home waits");
    // b edits the waiting contact meanwhile; a later change of a's to it waits
    // behind the first (a record's changes keep their order).
    b.set_text(&h1, "TITLE", "from b");
    a.set_text(&h1, "NOTE", "from a again");
    a.sync();
    let r = b.try_sync_only(&[&work]).unwrap();
    assert_eq!(r.held, 2, "{r:?}");
    assert_eq!(b.text(&h1, "NOTE"), None);
    // Syncing the home book applies both, oldest first.
    let r = b.try_sync_only(&[HOME]).unwrap();
    assert_eq!(r.held, 0, "{r:?}");
    assert_eq!(b.text(&h1, "NOTE").as_deref(), Some("from a again"));
    b.sync();
    a.sync();
    assert_eq!(a.text(&h1, "TITLE").as_deref(), Some("from b"));
    assert_eq!(a.state(), b.state());
}

#[test]
fn a_move_into_the_chosen_collection_travels_with_it() {
    let server = MemoryServer::new();
    let (mut a, mut b, work, _w1, h1) = pair(&server);
    a.store
        .write(|w| w.move_record(&h1, &work).map(|_| ()))
        .unwrap();
    a.set_text(&h1, "NOTE", "now at work");
    let r = a.try_sync_only(&[&work]).unwrap();
    assert_eq!((r.uploaded, r.queued), (2, 0), "{r:?}");
    let r = b.try_sync_only(&[&work]).unwrap();
    assert_eq!(r.held, 0, "{r:?}");
    assert_eq!(collection_of(&b, &h1).as_deref(), Some(work.as_str()));
    assert_eq!(b.text(&h1, "NOTE").as_deref(), Some("now at work"));
}

#[test]
fn a_batch_the_server_may_hold_is_never_renumbered() {
    let server = MemoryServer::new();
    let (mut a, mut b, work, w1, h1) = pair(&server);
    // The server stores the home edit but its acknowledgement is lost: that
    // batch carries sequence numbers a scoped sync must not give to others.
    a.set_text(&h1, "NOTE", "home edit");
    server.drop_append_ack(1);
    assert!(a.try_sync().is_err());
    a.set_text(&w1, "NOTE", "work edit");
    a.try_sync_only(&[&work]).unwrap();
    b.sync();
    a.sync();
    b.sync();
    assert_eq!(b.text(&h1, "NOTE").as_deref(), Some("home edit"));
    assert_eq!(b.text(&w1, "NOTE").as_deref(), Some("work edit"));
    assert_eq!(a.state(), b.state());
}

#[test]
fn a_scoped_dry_run_plans_the_scope_and_changes_nothing() {
    let server = MemoryServer::new();
    let (mut a, _b, work, w1, h1) = pair(&server);
    a.set_text(&h1, "NOTE", "home");
    a.set_text(&w1, "NOTE", "work");
    a.opts.dry_run = true;
    let before = seqs_of(&a, &w1);
    let r = a.try_sync_only(&[&work]).unwrap();
    let up = r.plan.and_then(|p| p.upload).expect("an upload is planned");
    assert_eq!(up.to - up.from + 1, 1, "one change in work");
    assert_eq!(r.queued, 1);
    let after = seqs_of(&a, &w1);
    assert_eq!(before, after, "a dry run renumbers nothing");
}

#[test]
fn replace_modes_refuse_a_scope_and_push_pull_honour_it() {
    let server = MemoryServer::new();
    let (mut a, mut b, work, w1, h1) = pair(&server);
    for mode in [Mode::ReplaceRemote, Mode::ReplaceLocal] {
        a.opts.mode = mode;
        let e = a.try_sync_only(&[&work]).unwrap_err().to_string();
        assert!(e.contains("--collection"), "{e}");
    }
    a.opts.mode = Mode::Push;
    a.set_text(&w1, "NOTE", "w");
    a.set_text(&h1, "NOTE", "h");
    let r = a.try_sync_only(&[&work]).unwrap();
    assert_eq!((r.uploaded, r.queued), (1, 1), "{r:?}");
    b.opts.mode = Mode::Pull;
    let r = b.try_sync_only(&[HOME]).unwrap();
    assert_eq!((r.applied, r.held), (0, 1), "{r:?}");
    assert_eq!(b.text(&w1, "NOTE"), None);
    b.opts.mode = Mode::TwoWay;
    a.opts.mode = Mode::TwoWay;
    a.sync();
    b.sync();
    assert_eq!(b.text(&w1, "NOTE").as_deref(), Some("w"));
    assert_eq!(b.text(&h1, "NOTE").as_deref(), Some("h"));
}

#[test]
fn no_snapshot_is_written_while_changes_wait() {
    let server = MemoryServer::new();
    let (mut a, mut b, work, _w1, h1) = pair(&server);
    b.opts.snapshot_every = 1;
    for i in 0..3 {
        a.set_text(&h1, "NOTE", &format!("edit {i}"));
        a.sync();
    }
    b.try_sync_only(&[&work]).unwrap();
    b.try_sync_only(&[&work]).unwrap();
    assert!(server.uids("PIM/Snapshots").is_empty());
    // Once nothing waits, b writes one; a new device bootstrapping from it gets all.
    b.sync();
    assert!(!server.uids("PIM/Snapshots").is_empty());
    let mut c = Device::new(&server, "c");
    c.sync();
    a.sync();
    b.sync();
    c.sync();
    assert_eq!(c.text(&h1, "NOTE").as_deref(), Some("edit 2"));
    assert_eq!(b.state(), c.state());
}

fn set_sync(d: &mut Device, id: &str, on: bool) {
    let mut c = d.store.collection_by_id(id).unwrap().unwrap();
    c.sync = on;
    d.store.write(|w| w.change_collection(&c)).unwrap();
}

#[test]
fn a_collection_turned_off_and_on_again_catches_up_both_ways() {
    let server = MemoryServer::new();
    let (mut a, mut b, work, w1, _h1) = pair(&server);
    set_sync(&mut b, &work, false);
    // While b keeps work to itself, both sides edit it.
    a.set_text(&w1, "NOTE", "a's note");
    let w2 = add_to(&mut a, &work, "Made on a");
    a.sync();
    b.set_text(&w1, "TITLE", "b's title");
    let w3 = add_to(&mut b, &work, "Made on b");
    let r = b.sync();
    assert_eq!(r.uploaded, 0, "{r:?}");
    assert!(r.held >= 2, "a's work changes wait on b: {r:?}");
    a.sync();
    assert!(a.store.get(&w3).unwrap().is_none());
    assert_eq!(a.text(&w1, "TITLE"), None);
    assert_eq!(b.text(&w1, "NOTE"), None);
    // Turned on again: b applies what waited and publishes what it kept back.
    set_sync(&mut b, &work, true);
    let r = b.sync();
    assert_eq!(r.held, 0, "{r:?}");
    assert_eq!(b.text(&w1, "NOTE").as_deref(), Some("a's note"));
    assert_eq!(b.text(&w2, "FN").as_deref(), Some("Made on a"));
    a.sync();
    assert_eq!(a.text(&w1, "TITLE").as_deref(), Some("b's title"));
    assert_eq!(a.text(&w3, "FN").as_deref(), Some("Made on b"));
    b.sync();
    assert_eq!(a.state(), b.state());
    // Published once: nothing more to send.
    assert_eq!(b.sync().uploaded, 0);
    assert_eq!(a.sync().uploaded, 0);
}

#[test]
fn a_snapshot_written_with_a_collection_off_keeps_the_others_records() {
    let server = MemoryServer::new();
    let (mut a, mut b, work, w1, h1) = pair(&server);
    set_sync(&mut b, &work, false);
    let private = add_to(&mut b, &work, "Only on b");
    a.opts.snapshot_every = 1;
    b.opts.snapshot_every = 1;
    for i in 0..3 {
        a.set_text(&h1, "NOTE", &format!("edit {i}"));
        a.sync();
        b.sync();
    }
    assert!(!server.uids("PIM/Snapshots").is_empty());
    // Batches are collected once both applied them and a snapshot covers them; a
    // new device starts from the snapshot alone.
    a.sync();
    b.sync();
    let mut c = Device::new(&server, "c");
    c.sync();
    assert_eq!(c.text(&w1, "FN").as_deref(), Some("Grace at work"));
    assert_eq!(collection_of(&c, &w1).as_deref(), Some(work.as_str()));
    assert_eq!(c.text(&h1, "NOTE").as_deref(), Some("edit 2"));
    assert!(
        c.store.get(&private).unwrap().is_none(),
        "what b keeps to itself stays on b"
    );
}
