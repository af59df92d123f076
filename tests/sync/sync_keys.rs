//! Issue 20: keys that can be replaced, and nothing unauthenticated decides.
//! Snapshot poisoning, forged counters, the versioned associated data, the
//! authenticated KDF header and `rekey`, against the in-memory mailbox.

use futures::executor::block_on;
use pim::sync::batch::open_batch;
use pim::sync::crypto::SyncKey;
use pim::sync::engine::SyncError;
use pim::sync::envelope::{self, Header, MsgKind, split_message};
use pim::sync::memory::MemoryServer;
use pim::sync::{rekey, setup};

use crate::support::sim::{Device, key};

const SNAPSHOTS: &str = "PIM/Snapshots";

/// A batch sealed by pim before the associated data had a version (format 1):
/// made by `fixtures/make_legacy_batch.py`, an independent implementation of
/// the old seal, with the simulation's key.
const LEGACY_BATCH: &[u8] = include_bytes!("fixtures/legacy_batch_v1.eml");

#[test]
fn messages_sealed_the_old_way_stay_readable_and_cannot_be_relabelled() {
    let b = open_batch(&key(), LEGACY_BATCH).expect("a format-1 batch opens");
    assert_eq!((b.device.as_str(), b.from, b.to), ("fixture-device", 1, 2));
    assert_eq!(b.skipped, vec![1, 2]);
    let text = String::from_utf8(LEGACY_BATCH.to_vec()).unwrap();
    // Claiming the current format changes what is authenticated.
    let relabelled = text.replace("X-Pim-Format: 1", "X-Pim-Format: 2");
    assert!(open_batch(&key(), relabelled.as_bytes()).is_err());
    // Numbers are read only in their canonical form.
    for seq in ["+1-2", "01-2", "1-02"] {
        let forged = text.replace("X-Pim-Seq: 1-2", &format!("X-Pim-Seq: {seq}"));
        assert!(open_batch(&key(), forged.as_bytes()).is_err(), "{seq}");
    }
}

#[test]
fn new_messages_bind_every_header_including_the_kdf() {
    let k = key();
    let mut h = Header::new(&k, MsgKind::Device, "d", 0, 1, 1);
    h.kdf = Some("argon2id v=2 m=262144 t=3 p=1 salt=AAAAAAAAAAAAAAAAAAAAAA".into());
    let raw = envelope::seal(&k, &h, b"{}");
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(text.contains("X-Pim-Format: 3"), "{text}");
    let (opened, _) = envelope::open(&k, &raw).unwrap();
    assert_eq!(opened, h);
    let other_salt = text.replace("salt=AAAA", "salt=BBBB");
    assert!(envelope::open(&k, other_salt.as_bytes()).is_err());
    let no_kdf: String = text
        .lines()
        .filter(|l| !l.starts_with("X-Pim-Kdf"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(envelope::open(&k, no_kdf.as_bytes()).is_err());
}

/// Everything A holds, on the server only as a snapshot (its batches collected).
fn snapshot_only(server: &MemoryServer) -> Device {
    let mut a = Device::new(server, "a");
    a.opts.snapshot_every = 1;
    for name in ["Ada", "Grace", "Edsger"] {
        a.add_contact(name);
        a.sync();
    }
    a.sync();
    a.sync();
    assert!(
        server.uids("PIM/Changes").is_empty(),
        "A's batches are collected once a snapshot covers them"
    );
    assert!(!server.uids(SNAPSHOTS).is_empty());
    a
}

#[test]
fn a_junk_snapshot_part_with_copied_headers_does_not_stop_a_new_device() {
    let server = MemoryServer::new();
    let a = snapshot_only(&server);
    // Someone appends junk under the genuine part's headers.
    let (_, real) = server.messages(SNAPSHOTS).pop().unwrap();
    let (headers, _) = split_message(&real);
    let mut junk = String::new();
    for (k, v) in &headers {
        junk.push_str(&format!("{k}: {v}\r\n"));
    }
    junk.push_str("\r\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n");
    server.inject(SNAPSHOTS, junk.into_bytes());
    let mut c = Device::new(&server, "c");
    let r = c.sync();
    assert_eq!(r.rejected, 1, "only the junk is rejected: {r:?}");
    assert_eq!(c.state(), a.state());
    assert_eq!(c.state().len(), 3);
}

#[test]
fn a_forged_huge_snapshot_counter_is_not_followed() {
    let server = MemoryServer::new();
    let mut a = snapshot_only(&server);
    let tag = key().device_tag(a.store.device());
    let forged = format!(
        "Message-ID: <f@evil.example>\r\nX-Pim-Format: 2\r\nX-Pim-Kind: snapshot\r\n\
         X-Pim-Device: {tag}\r\nX-Pim-Seq: {n}-{n}\r\nX-Pim-Part: x 0/1\r\n\r\nAAAA\r\n",
        n = i64::MAX
    );
    server.inject(SNAPSHOTS, forged.into_bytes());
    // A keeps writing snapshots with counters SQLite stores, and a new device
    // still bootstraps from them.
    a.add_contact("Barbara");
    a.sync();
    a.sync();
    a.sync();
    let mut c = Device::new(&server, "c");
    c.try_sync().expect("sync");
    assert_eq!(c.state(), a.state());
    assert_eq!(c.state().len(), 4);
}

#[test]
fn a_forged_passphrase_salt_cannot_redirect_a_join() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let kdf = setup::new_kdf_header();
    a.opts.key = setup::key_from_passphrase("tulip orbit lantern", &kdf).unwrap();
    a.opts.kdf = Some(kdf.clone());
    let id = a.add_contact("by passphrase");
    block_on(setup::init(&mut a.store, &mut a.mb, &a.opts)).unwrap();
    // A device message with another salt, sealed with some other key...
    let other = SyncKey::generate();
    let mut h = Header::new(&other, MsgKind::Device, "0123456789abcdef", 0, 1, 1);
    h.kdf = Some(setup::new_kdf_header());
    server.inject("PIM/Devices", envelope::seal(&other, &h, b"{}"));
    // ...listed first once A publishes its state again.
    a.add_contact("later");
    a.sync();
    assert_eq!(
        block_on(setup::server_kdf(&mut b.mb, "PIM")).unwrap(),
        h.kdf,
        "the forgery comes first"
    );
    let (k, found, disagree) = block_on(setup::passphrase_key(
        &mut b.mb,
        "PIM",
        "tulip orbit lantern",
    ))
    .unwrap();
    assert_eq!(
        (k.clone(), found.as_str(), disagree),
        (a.opts.key.clone(), kdf.as_str(), true)
    );
    assert!(block_on(setup::passphrase_key(&mut b.mb, "PIM", "wrong")).is_err());
    b.opts.key = k;
    b.opts.kdf = Some(found);
    block_on(setup::join(&mut b.store, &mut b.mb, &b.opts)).unwrap();
    assert_eq!(b.text(&id, "FN").as_deref(), Some("by passphrase"));
}

#[test]
fn rekey_locks_out_the_old_key_and_devices_that_rejoin_keep_their_edits() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let mut c = Device::new(&server, "c");
    a.add_contact("shared");
    a.sync();
    b.sync();
    c.sync();
    a.sync();
    let c_id = c.store.device().to_string();
    block_on(setup::forget(&mut a.store, &mut a.mb, &a.opts, &c_id)).unwrap();
    // B edits before it learns of the rekey: the edit waits in its outbox.
    let from_b = b.add_contact("written on B before rejoining");
    let new = SyncKey::generate();
    block_on(rekey::rekey(
        &mut a.store,
        &mut a.mb,
        &a.opts,
        new.clone(),
        None,
    ))
    .unwrap();
    a.opts.key = new.clone();
    // Every old message is gone; what is left under the old key is the marker.
    let old_readable = server
        .messages("PIM/Devices")
        .iter()
        .chain(server.messages("PIM/Changes").iter())
        .chain(server.messages(SNAPSHOTS).iter())
        .filter(|(_, raw)| envelope::open(&key(), raw).is_ok())
        .count();
    assert_eq!(
        old_readable, 1,
        "only the rekey marker opens with the old key"
    );
    // Devices with the old key are told why, and read nothing.
    for d in [&mut b, &mut c] {
        match d.try_sync() {
            Err(e @ SyncError::KeyReplaced(_)) => {
                assert!(e.to_string().contains("join again with the new key"), "{e}")
            }
            other => panic!("expected KeyReplaced, got {other:?}"),
        }
    }
    // B joins again with the new key; its unsent edit travels.
    b.opts.key = new.clone();
    block_on(setup::join(&mut b.store, &mut b.mb, &b.opts)).unwrap();
    b.sync();
    a.sync();
    assert_eq!(
        a.text(&from_b, "FN").as_deref(),
        Some("written on B before rejoining")
    );
    let after = a.add_contact("after the rekey");
    a.sync();
    b.sync();
    assert_eq!(b.text(&after, "FN").as_deref(), Some("after the rekey"));
    assert_eq!(a.state(), b.state());
    assert!(matches!(c.try_sync(), Err(SyncError::KeyReplaced(_))));
    assert_eq!(c.text(&after, "FN"), None);
}

#[test]
fn a_forged_batch_header_does_not_hide_that_real_batches_are_gone() {
    let server = MemoryServer::new();
    let mut x = Device::new(&server, "x");
    let mut y = Device::new(&server, "y");
    x.sync();
    y.add_contact("Made On Y");
    y.sync();
    x.sync();
    // Y's batch is lost; a forgery claims its place under Y's tag and range.
    let tag = key().device_tag(y.store.device());
    let (uid, _) = server
        .messages("PIM/Changes")
        .into_iter()
        .find(|(_, raw)| open_batch(&key(), raw).is_ok_and(|b| b.device == y.store.device()))
        .expect("Y's batch");
    server.lose("PIM/Changes", uid);
    let forged = format!(
        "Message-ID: <f@evil.example>\r\nX-Pim-Format: 2\r\nX-Pim-Kind: batch\r\n\
         X-Pim-Device: {tag}\r\nX-Pim-Seq: 1-1\r\n\r\nAAAA\r\n"
    );
    server.inject("PIM/Changes", forged.into_bytes());
    let r = x.sync();
    assert!(
        r.lost_folders
            .as_deref()
            .is_some_and(|w| w.contains("lacks")),
        "{r:?}"
    );
    // X republishes, so a new device still gets Y's record.
    let mut w = Device::new(&server, "w");
    w.sync();
    assert_eq!(w.state(), x.state());
    assert_eq!(w.state().len(), 1);
}

#[test]
fn junk_batch_headers_do_not_make_a_device_write_snapshots() {
    let server = MemoryServer::new();
    let mut x = Device::new(&server, "x");
    let mut y = Device::new(&server, "y");
    x.opts.snapshot_every = 3;
    x.sync();
    y.add_contact("Made On Y");
    y.sync();
    x.sync();
    let tag = key().device_tag(y.store.device());
    for i in 0..5 {
        let forged = format!(
            "Message-ID: <f{i}@evil.example>\r\nX-Pim-Format: 2\r\nX-Pim-Kind: batch\r\n\
             X-Pim-Device: {tag}\r\nX-Pim-Seq: 1-1\r\n\r\nAAAA\r\n"
        );
        server.inject("PIM/Changes", forged.into_bytes());
    }
    x.sync();
    x.sync();
    assert!(server.uids(SNAPSHOTS).is_empty(), "no snapshot for junk");
}

#[test]
fn a_rekey_run_again_with_the_same_key_finishes() {
    // `pim sync rekey` keeps the new key before it touches the server, and runs
    // again with it after an interruption: the marker already there is no error.
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let id = a.add_contact("kept");
    a.sync();
    b.sync();
    let new = SyncKey::generate();
    block_on(rekey::rekey(
        &mut a.store,
        &mut a.mb,
        &a.opts,
        new.clone(),
        None,
    ))
    .unwrap();
    block_on(rekey::rekey(
        &mut a.store,
        &mut a.mb,
        &a.opts,
        new.clone(),
        None,
    ))
    .expect("a second run with the same key");
    assert!(
        block_on(rekey::rekey(&mut a.store, &mut a.mb, &a.opts, key(), None)).is_err(),
        "the old key is not a new key"
    );
    a.opts.key = new.clone();
    let mut c = Device::new(&server, "c");
    c.opts.key = new;
    block_on(setup::join(&mut c.store, &mut c.mb, &c.opts)).unwrap();
    assert_eq!(c.text(&id, "FN").as_deref(), Some("kept"));
    assert!(matches!(b.try_sync(), Err(SyncError::KeyReplaced(_))));
}
