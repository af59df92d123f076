//! The sync engine over an in-memory mailbox: the properties of DESIGN.md §5 and
//! the conflict policies of §6, with 2–3 simulated devices.

use crate::support::sim::{Device, changes_folder, key};
use futures::executor::block_on;
use pim::model::Kind;
use pim::store::sync_state as st;
use pim::sync::apply::{Policy, Resolution};
use pim::sync::crypto::SyncKey;
use pim::sync::envelope::{Header, MsgKind, seal};
use pim::sync::memory::MemoryServer;
use pim::sync::plan::Mode;
use pim::sync::setup;

fn own_changes(d: &Device, device: &str) -> u64 {
    st::device_changes(&d.store, device, 0, i64::MAX as u64)
        .unwrap()
        .len() as u64
}

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
    // Remote changes are in the local log, so `pim log` shows them.
    assert_eq!(
        own_changes(&a, b.store.device()),
        own_changes(&b, b.store.device())
    );
}

#[test]
fn batching_many_changes_take_few_appends() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    a.store
        .write(|w| {
            let coll = "default-contact";
            for i in 0..3000 {
                let mut r = pim::model::Record::new(Kind::Contact, coll);
                r.set_text("FN", &format!("Person {i}"));
                w.create(&r)?;
            }
            Ok(())
        })
        .unwrap();
    let ra = a.sync();
    assert_eq!(ra.uploaded, 3004, "{ra:?}"); // + 4 default collections
    assert!(ra.appends <= 4, "{ra:?}");
    let rb = b.sync();
    assert_eq!(rb.applied, 3004, "{rb:?}");
    assert_eq!(a.state(), b.state());
}

#[test]
fn idle_sync_is_a_few_commands() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    a.add_contact("x");
    a.sync();
    b.sync();
    a.sync();
    let idle = a.sync();
    assert_eq!(idle.imap_commands, 3, "{idle:?}");
    assert_eq!((idle.uploaded, idle.applied, idle.appends), (0, 0, 0));
    let idle_b = b.sync();
    assert!(idle_b.imap_commands <= 5, "{idle_b:?}");
    // Without CONDSTORE the UIDNEXT/EXISTS comparison still keeps it cheap.
    server.set_condstore(false);
    a.sync();
    assert_eq!(a.sync().imap_commands, 3);
}

#[test]
fn identity_travels_in_headers_and_content_is_opaque() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    a.add_contact("Grace Hopper");
    a.sync();
    let dev = a.store.device().to_string();
    for folder in ["PIM/Changes", "PIM/Devices"] {
        for (_, raw) in server.messages(folder) {
            let text = String::from_utf8(raw.clone()).unwrap();
            assert!(!text.contains("Grace"), "plain text on the server");
            assert!(!text.contains(&dev), "device id on the server");
            let (h, _) = pim::sync::envelope::split_message(&raw);
            let h = pim::sync::envelope::identify(&key(), &h).unwrap();
            assert_eq!(h.device, dev, "sealed, opened with the key");
            assert_eq!(h.tag, key().device_tag_at(0, &dev));
        }
    }
}

#[test]
fn duplicates_and_uidvalidity_reset_never_apply_twice() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let id = a.add_contact("v1");
    a.sync();
    for uid in server.uids(changes_folder()) {
        server.duplicate(changes_folder(), uid);
    }
    let rb = b.sync();
    assert_eq!(rb.applied, 5, "{rb:?}");
    // Counting per change id: each change is logged once.
    assert_eq!(own_changes(&b, a.store.device()), 5);
    server.reset_uidvalidity(changes_folder());
    let again = b.sync();
    assert_eq!(again.applied, 0, "{again:?}");
    a.set_text(&id, "FN", "v2");
    a.sync();
    server.reset_uidvalidity(changes_folder());
    let rb = b.sync();
    assert_eq!(rb.applied, 1, "{rb:?}");
    assert_eq!(b.text(&id, "FN").as_deref(), Some("v2"));
}

#[test]
fn a_crash_at_any_step_neither_loses_nor_repeats_a_change() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    a.opts.snapshot_every = 0; // keep every batch: b must read them all
    for i in 0..40 {
        a.add_contact(&format!("c{i}"));
        a.sync(); // one batch each
    }
    let total = own_changes(&a, a.store.device());
    for k in 0..30 {
        let mut b = Device::new(&server, "b");
        b.opts.snapshot_every = 0;
        b.add_contact(&format!("from b {k}"));
        server.fail_after(k, 1);
        let first = b.try_sync();
        server.fail_next(0);
        let mut applied = first.as_ref().map(|r| r.applied).unwrap_or(0);
        let _ = first;
        // Whatever happened, later rounds finish the job exactly once.
        for _ in 0..2 {
            applied += b.sync().applied;
        }
        assert_eq!(
            own_changes(&b, a.store.device()),
            total,
            "crash at call {k}"
        );
        // Earlier rounds' devices each made 5 changes; nothing is applied twice.
        let available = total + 5 * k as u64;
        assert!(
            applied <= available,
            "crash at call {k}: applied {applied} of {available}"
        );
        assert_eq!(
            st::vector(&b.store).unwrap().get(a.store.device()).copied(),
            Some(total),
            "crash at call {k}"
        );
        let mine: u64 = own_changes(&b, b.store.device());
        assert_eq!(mine, 5, "b's own edit is kept (crash at call {k})");
        let (submitted, _) =
            pim::store::change_log::unsent_summary(&b.store, b.store.device(), 0).unwrap();
        assert_eq!(
            submitted, 0,
            "outbox empties after recovery (crash at call {k})"
        );
    }
    a.sync();
}

#[test]
fn outbox_keeps_edits_until_the_server_confirms() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let id = a.add_contact("queued");
    server.fail_next(100);
    assert!(a.try_sync().is_err());
    server.fail_next(0);
    assert!(
        st::first_unsubmitted(&a.store, a.store.device())
            .unwrap()
            .is_some()
    );
    // The server stores the batch but the acknowledgement is lost: resent later,
    // and the duplicate is harmless.
    let other = a.add_contact("second");
    server.drop_append_ack(1);
    assert!(a.try_sync().is_err());
    assert!(
        st::first_unsubmitted(&a.store, a.store.device())
            .unwrap()
            .is_some()
    );
    a.sync();
    assert_eq!(
        st::first_unsubmitted(&a.store, a.store.device()).unwrap(),
        None
    );
    b.sync();
    assert_eq!(b.text(&id, "FN").as_deref(), Some("queued"));
    assert_eq!(b.text(&other, "FN").as_deref(), Some("second"));
    assert_eq!(own_changes(&b, a.store.device()), 6);
}

#[test]
fn a_batch_deleted_on_the_server_is_reuploaded_by_its_owner() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let x = a.add_contact("one");
    a.sync();
    a.set_text(&x, "NOTE", "two");
    a.sync();
    a.set_text(&x, "TITLE", "three");
    a.sync();
    let before = server.uids(changes_folder());
    assert_eq!(before.len(), 3);
    assert!(server.lose(changes_folder(), before[1]));
    let rb = b.sync();
    assert_eq!(
        b.text(&x, "NOTE"),
        None,
        "the middle change is missing: {rb:?}"
    );
    assert_eq!(
        b.text(&x, "TITLE"),
        None,
        "later ones wait for it (no skipping)"
    );
    let ra = a.sync();
    assert_eq!(ra.uploaded, 1, "{ra:?}");
    b.sync();
    assert_eq!(b.text(&x, "NOTE").as_deref(), Some("two"));
    assert_eq!(b.text(&x, "TITLE").as_deref(), Some("three"));
    assert_eq!(a.state(), b.state());
}

#[test]
fn forged_messages_are_rejected_counted_and_never_applied() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    a.add_contact("real");
    a.sync();
    // A message made with another key, claiming to be a's next batch.
    let evil = SyncKey::from_bytes([9; 32]);
    let h = Header::new(&evil, MsgKind::Batch, a.store.device(), 0, 6, 6);
    server.inject(changes_folder(), seal(&evil, &h, b"{}"));
    let rb = b.sync();
    assert_eq!(rb.rejected, 1, "{rb:?}");
    assert_eq!(b.state(), a.state());
    assert_eq!(b.sync().rejected, 0, "reported once, not fetched again");
}

/// A copy of a real batch's headers (same device tag, sequence range and
/// Message-ID) with a body that does not authenticate.
fn forged_copy(server: &MemoryServer, uid: u32) -> Vec<u8> {
    let raw = server.message(changes_folder(), uid).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut forged = raw[..split].to_vec();
    forged.extend(raw[split..].iter().map(|b| match b {
        b'A'..=b'Y' => b + 1,
        other => *other,
    }));
    forged
}

#[test]
fn a_forged_copy_of_a_batch_does_not_hide_the_real_one() {
    for forged_first in [true, false] {
        let server = MemoryServer::new();
        let mut a = Device::new(&server, "a");
        let mut b = Device::new(&server, "b");
        b.sync();
        a.add_contact("real");
        a.sync();
        let real = *server.uids(changes_folder()).last().unwrap();
        let fake = server.inject(changes_folder(), forged_copy(&server, real));
        if forged_first {
            server.reorder(changes_folder(), &[fake, real]);
        }
        let rb = b.sync();
        assert_eq!(rb.rejected, 1, "forged first: {forged_first}: {rb:?}");
        assert_eq!(b.state(), a.state(), "forged first: {forged_first}");
        assert_eq!(b.sync().rejected, 0, "reported once");
        // Rebuilding B from the server needs the real batch again.
        b.opts.mode = Mode::ReplaceLocal;
        b.opts.snapshot_every = 0;
        b.sync();
        b.opts.mode = Mode::TwoWay;
        assert_eq!(
            b.state(),
            a.state(),
            "after replace-local, forged first: {forged_first}"
        );
    }
}

#[test]
fn a_forged_copy_of_an_own_batch_does_not_stop_gap_repair() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    b.sync();
    a.add_contact("real");
    a.sync();
    let real = *server.uids(changes_folder()).last().unwrap();
    server.inject(changes_folder(), forged_copy(&server, real));
    server.lose(changes_folder(), real);
    let ra = a.sync();
    assert_eq!(
        ra.rejected, 1,
        "the owner checks copies it did not write: {ra:?}"
    );
    assert!(ra.uploaded >= 1, "re-uploaded: {ra:?}");
    b.sync();
    assert_eq!(b.state(), a.state());
}

#[test]
fn gc_deletes_batches_every_device_has_and_a_snapshot_covers_then_new_devices_bootstrap() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    a.opts.snapshot_every = 2;
    b.opts.snapshot_every = 2;
    let id = a.add_contact("first");
    a.sync();
    b.sync();
    for i in 0..4 {
        a.set_text(&id, "NOTE", &format!("n{i}"));
        a.sync();
        b.sync();
    }
    for _ in 0..3 {
        a.sync();
        b.sync();
    }
    let left = server.uids(changes_folder()).len();
    assert!(left <= 1, "{left} batches left after GC");
    assert!(!server.uids("PIM/Snapshots").is_empty());
    // A third device starts from the snapshot and the batches after it.
    let mut c = Device::new(&server, "c");
    let rc = c.sync();
    assert_eq!(c.state(), a.state(), "{rc:?}");
    assert_eq!(c.text(&id, "NOTE").as_deref(), Some("n3"));
}

#[test]
fn a_forgotten_device_stops_blocking_gc() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let mut c = Device::new(&server, "c");
    for d in [&mut a, &mut b, &mut c] {
        d.opts.snapshot_every = 1;
    }
    let id = a.add_contact("x");
    a.sync();
    b.sync();
    c.sync();
    a.set_text(&id, "NOTE", "later");
    for _ in 0..3 {
        a.sync();
        b.sync();
    }
    assert!(
        !server.uids(changes_folder()).is_empty(),
        "c has not applied a's later batch"
    );
    let c_id = c.store.device().to_string();
    block_on(setup::forget(&mut a.store, &mut a.mb, &a.opts, &c_id)).unwrap();
    for _ in 0..3 {
        a.sync();
        b.sync();
    }
    assert!(
        server.uids(changes_folder()).is_empty(),
        "{:?}",
        server.uids(changes_folder())
    );
    let devs = setup::devices(&b.store).unwrap();
    assert!(devs.iter().any(|d| d.device == c_id && d.forgotten));
    // c comes back: the batches it lacks are gone, the snapshot brings it up to
    // date, and its new state makes the others count it again.
    c.sync();
    c.sync();
    assert_eq!(c.state(), a.state());
    assert_eq!(c.text(&id, "NOTE").as_deref(), Some("later"));
    a.sync();
    let devs = setup::devices(&a.store).unwrap();
    assert!(
        devs.iter().any(|d| d.device == c_id && !d.forgotten),
        "{devs:?}"
    );
}

#[test]
fn push_pull_and_replace_modes() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let x = a.add_contact("from a");
    a.sync();
    b.sync();
    let y = b.add_contact("from b");
    b.sync();
    a.opts.mode = Mode::Push;
    let z = a.add_contact("pushed");
    let r = a.sync();
    assert_eq!(r.applied, 0);
    assert!(a.store.get(&y).unwrap().is_none(), "push does not apply");
    b.opts.mode = Mode::Pull;
    let w = b.add_contact("kept back");
    let r = b.sync();
    assert_eq!(r.uploaded, 0);
    assert!(b.store.get(&z).unwrap().is_some(), "pull applies");
    a.opts.mode = Mode::TwoWay;
    a.sync();
    assert!(a.store.get(&w).unwrap().is_none(), "pull did not upload");
    // replace-remote: a's state is the truth; b is told and keeps everything
    // until its user takes it (issue 20: an epoch change is never applied
    // silently), then rebuilds from it (b's queued edit w is kept and uploaded).
    // c's contact reaches b but not a, so a's snapshot lacks it.
    let mut c = Device::new(&server, "c");
    c.sync();
    let v = c.add_contact("from c, unseen by a");
    c.sync();
    b.sync();
    assert!(b.store.get(&v).unwrap().is_some());
    a.store.write(|w2| w2.delete(&x).map(|_| ())).unwrap();
    a.opts.mode = Mode::ReplaceRemote;
    a.sync();
    a.opts.mode = Mode::TwoWay;
    b.opts.mode = Mode::TwoWay;
    let r = b.sync();
    assert_eq!(r.epoch_pending, Some(1), "{r:?}");
    assert!(
        b.store.get(&v).unwrap().is_some(),
        "nothing dropped unasked"
    );
    assert_eq!(b.sync().epoch_pending, Some(1), "it stays until taken");
    b.opts.mode = Mode::ReplaceLocal;
    assert_eq!(b.sync().epoch_pending, None);
    assert!(
        b.store.get(&v).unwrap().is_none(),
        "taken: a's data is the truth"
    );
    b.opts.mode = Mode::TwoWay;
    b.sync();
    a.sync();
    b.sync();
    assert!(b.store.get(&x).unwrap().is_none());
    assert_eq!(a.state(), b.state());
    assert!(a.store.get(&w).unwrap().is_some());
    // replace-local: rebuild b from the server.
    b.opts.mode = Mode::ReplaceLocal;
    b.sync();
    b.opts.mode = Mode::TwoWay;
    b.sync();
    assert_eq!(a.state(), b.state());
}

#[test]
fn collections_with_sync_off_are_neither_uploaded_nor_applied() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let private = a
        .store
        .write(|w| w.put_collection(Kind::Contact, "private"))
        .unwrap();
    let mut off = private.clone();
    off.sync = false;
    a.store.write(|w| w.change_collection(&off)).unwrap();
    let mut r = pim::model::Record::new(Kind::Contact, &private.id);
    r.set_text("FN", "Secret");
    a.store.write(|w| w.create(&r)).unwrap();
    let public = a.add_contact("Public");
    a.sync();
    b.sync();
    assert!(b.store.get(&r.id).unwrap().is_none());
    assert!(b.store.get(&public).unwrap().is_some());
    for (_, raw) in server.messages(changes_folder()) {
        let (_, plain) = pim::sync::envelope::open(&key(), &raw).unwrap();
        assert!(!String::from_utf8_lossy(&plain).contains("Secret"));
    }
    // b opts its contacts out: a's later contact edits are not applied there.
    let mut c = b
        .store
        .collection_by_id("default-contact")
        .unwrap()
        .unwrap();
    c.sync = false;
    b.store.write(|w| w.change_collection(&c)).unwrap();
    a.set_text(&public, "FN", "Changed");
    a.sync();
    b.sync();
    assert_eq!(b.text(&public, "FN").as_deref(), Some("Public"));
}

#[test]
fn dry_run_plans_without_changing_anything() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    a.add_contact("x");
    a.sync();
    b.add_contact("y");
    b.opts.dry_run = true;
    let before = b.state();
    let msgs = server.messages(changes_folder()).len();
    let r = b.sync();
    let plan = r.plan.expect("a plan");
    assert_eq!(plan.fetch.len(), 1);
    assert!(plan.upload.is_some());
    let up = plan.upload.unwrap();
    assert_eq!(
        plan.in_words(),
        format!(
            "would upload {} changes in 1 message, fetch 1 message from 1 device",
            up.to - up.from + 1
        )
    );
    assert_eq!((r.applied, r.uploaded), (0, 0));
    assert_eq!(b.state(), before);
    assert_eq!(server.messages(changes_folder()).len(), msgs);
    assert!(
        st::first_unsubmitted(&b.store, b.store.device())
            .unwrap()
            .is_some()
    );
    // Before any folder exists, a dry run plans the first upload and creates nothing.
    let empty = MemoryServer::new();
    let mut c = Device::new(&empty, "c");
    c.opts.dry_run = true;
    let r = c.sync();
    assert_eq!(r.plan.and_then(|p| p.upload).map(|u| u.from), Some(1));
    assert!(empty.uids(changes_folder()).is_empty());
}

#[test]
fn init_and_join_check_the_key() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    assert!(
        block_on(setup::join(&mut b.store, &mut b.mb, &b.opts)).is_err(),
        "nothing to join yet"
    );
    block_on(setup::init(&mut a.store, &mut a.mb, &a.opts)).unwrap();
    let mut wrong = b.opts.clone();
    wrong.key = SyncKey::from_bytes([1; 32]);
    let err = block_on(setup::join(&mut b.store, &mut b.mb, &wrong)).unwrap_err();
    assert!(err.to_string().contains("sync key"), "{err}");
    assert!(
        block_on(setup::init(&mut b.store, &mut b.mb, &wrong)).is_err(),
        "init over another key"
    );
    block_on(setup::join(&mut b.store, &mut b.mb, &b.opts)).unwrap();
    assert_eq!(setup::devices(&b.store).unwrap().len(), 2);
}

/// Both devices edit the same field concurrently; returns (a, b, id).
fn clash(policy_a: Policy, policy_b: Policy) -> (Device, Device, String) {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a").with_policy(policy_a);
    let mut b = Device::new(&server, "b").with_policy(policy_b);
    let id = a.add_contact("Ada");
    a.sync();
    b.sync();
    a.set_text(&id, "FN", "Ada A");
    std::thread::sleep(std::time::Duration::from_millis(3));
    b.set_text(&id, "FN", "Ada B"); // later HLC: newest
    b.set_text(&id, "NOTE", "b's note"); // another field: merges
    a.sync();
    b.sync();
    (a, b, id)
}

fn settle(a: &mut Device, b: &mut Device) {
    for _ in 0..4 {
        a.sync();
        b.sync();
    }
}

#[test]
fn every_policy_converges() {
    let cases = [
        (Policy::Newest, Policy::Newest, "Ada B"),
        (Policy::Local, Policy::Local, "Ada A"),
        (Policy::Remote, Policy::Remote, "Ada A"),
        (Policy::Local, Policy::Remote, "Ada A"),
        (Policy::Remote, Policy::Local, "Ada B"),
    ];
    for (pa, pb, want) in cases {
        let (mut a, mut b, id) = clash(pa, pb);
        settle(&mut a, &mut b);
        assert_eq!(a.state(), b.state(), "{pa:?}/{pb:?}");
        assert_eq!(a.text(&id, "FN").as_deref(), Some(want), "{pa:?}/{pb:?}");
        assert_eq!(a.text(&id, "NOTE").as_deref(), Some("b's note"));
        // The losing value is kept in history on some device.
        let lost: Vec<_> = [&a, &b]
            .iter()
            .flat_map(|d| st::losers(&d.store, Some(&id)).unwrap())
            .collect();
        let other = if want == "Ada A" { "Ada B" } else { "Ada A" };
        assert!(
            lost.iter()
                .any(|l| serde_json::to_string(&l.value).unwrap().contains(other)),
            "{pa:?}/{pb:?}: {lost:?}"
        );
    }
}

#[test]
fn keep_both_makes_one_duplicate_everywhere() {
    let (mut a, mut b, id) = clash(Policy::KeepBoth, Policy::KeepBoth);
    settle(&mut a, &mut b);
    assert_eq!(a.state(), b.state());
    let names: Vec<String> = a
        .store
        .list(Kind::Contact, None)
        .unwrap()
        .iter()
        .map(|r| r.title())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"Ada A".to_string()) && names.contains(&"Ada B".to_string()));
    assert_eq!(a.text(&id, "FN").as_deref(), Some("Ada B"));
}

#[test]
fn ask_queues_and_resolutions_sync() {
    for (how, want) in [
        (Resolution::Mine, "Ada A"),
        (Resolution::Theirs, "Ada B"),
        (
            Resolution::Value(Some(pim::model::FieldValue::Props(vec![
                pim::model::Property::text("FN", "Ada C"),
            ]))),
            "Ada C",
        ),
    ] {
        let (mut a, mut b, id) = clash(Policy::Ask, Policy::Ask);
        a.sync();
        // a's value lost by HLC: a asks and keeps its value until resolved.
        let open = setup::conflicts(&a.store).unwrap();
        assert_eq!(open.len(), 1, "{open:?}");
        assert_eq!(a.text(&id, "FN").as_deref(), Some("Ada A"));
        assert_eq!(
            a.text(&id, "NOTE").as_deref(),
            Some("b's note"),
            "other fields merge"
        );
        settle(&mut a, &mut b);
        assert_eq!(
            setup::conflicts(&a.store).unwrap().len(),
            1,
            "queued persistently"
        );
        setup::resolve(&mut a.store, open[0].id, &how).unwrap();
        assert!(setup::conflicts(&a.store).unwrap().is_empty());
        settle(&mut a, &mut b);
        assert_eq!(a.state(), b.state(), "{how:?}");
        assert_eq!(b.text(&id, "FN").as_deref(), Some(want), "{how:?}");
    }
}

#[test]
fn delete_versus_edit_and_move_versus_edit() {
    // The edit is newer than the delete: the record comes back with the edit.
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let id = a.add_contact("doomed");
    a.sync();
    b.sync();
    a.store.write(|w| w.delete(&id).map(|_| ())).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(3));
    b.set_text(&id, "NOTE", "edited");
    settle(&mut a, &mut b);
    assert_eq!(a.state(), b.state());
    assert_eq!(a.text(&id, "NOTE").as_deref(), Some("edited"));
    // Move on one device, edit on the other: both apply.
    let work = a
        .store
        .write(|w| w.put_collection(Kind::Contact, "work"))
        .unwrap();
    a.sync();
    b.sync();
    a.store
        .write(|w| w.move_record(&id, &work.id).map(|_| ()))
        .unwrap();
    b.set_text(&id, "FN", "renamed");
    settle(&mut a, &mut b);
    assert_eq!(a.state(), b.state());
    let r = b.store.require(&id).unwrap();
    assert_eq!(
        (r.collection.as_str(), r.title().as_str()),
        (work.id.as_str(), "renamed")
    );
}

#[test]
fn a_passphrase_joins_through_the_published_salt() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let kdf = setup::new_kdf_header();
    a.opts.key = setup::key_from_passphrase("tulip orbit", &kdf).unwrap();
    a.opts.kdf = Some(kdf);
    let id = a.add_contact("by passphrase");
    block_on(setup::init(&mut a.store, &mut a.mb, &a.opts)).unwrap();
    let found = block_on(setup::server_kdf(&mut b.mb, "PIM"))
        .unwrap()
        .expect("salt on server");
    b.opts.key = setup::key_from_passphrase("tulip orbit", &found).unwrap();
    block_on(setup::join(&mut b.store, &mut b.mb, &b.opts)).unwrap();
    assert_eq!(b.text(&id, "FN").as_deref(), Some("by passphrase"));
}
