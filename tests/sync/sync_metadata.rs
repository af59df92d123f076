//! Issue 20 item 5 (metadata the provider sees) and item 3's planning rule:
//! format 3 keeps sequence ranges, snapshot parts and counters in a sealed
//! identity, device tags change with the epoch, and only authenticated
//! identities steer what a device fetches, repairs or deletes. Old format-2
//! messages stay readable. In-memory mailbox.

use std::collections::BTreeSet;

use pim::sync::crypto::SyncKey;
use pim::sync::envelope::{Header, MsgKind, identify, seal, split_message};
use pim::sync::memory::MemoryServer;
use pim::sync::plan::{MAX_UNOPENED_PER_ROUND, Mode};
use pim::sync::setup;

use crate::support::sim::{Device, changes_folder, key};

const FOLDERS: [&str; 3] = ["PIM/Changes", "PIM/Devices", "PIM/Snapshots"];

/// The clear `X-Pim-Device` tags of every message in `folder`.
fn tags(server: &MemoryServer, folder: &str) -> BTreeSet<String> {
    server
        .messages(folder)
        .iter()
        .map(|(_, raw)| split_message(raw).0["x-pim-device"].clone())
        .collect()
}

#[test]
fn clear_headers_carry_no_ranges_parts_counters_or_device_ids() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    a.opts.snapshot_every = 1;
    a.add_contact("Grace Hopper");
    a.sync();
    a.add_contact("Ada Lovelace");
    a.sync();
    a.sync();
    a.add_contact("Edsger Dijkstra");
    a.sync();
    for folder in FOLDERS {
        assert!(!server.uids(folder).is_empty(), "{folder}");
    }
    let dev = a.store.device().to_string();
    let mut seen = 0;
    for folder in FOLDERS {
        for (_, raw) in server.messages(folder) {
            let text = String::from_utf8(raw.clone()).unwrap();
            let head = &text[..text.find("\r\n\r\n").unwrap()];
            for hidden in ["X-Pim-Seq", "X-Pim-Part", "Grace", &dev] {
                assert!(!head.contains(hidden), "{hidden} in clear: {head}");
            }
            assert!(head.contains("X-Pim-Format: 3"), "{head}");
            let (h, _) = split_message(&raw);
            assert_ne!(
                h["x-pim-device"],
                key().device_tag(&dev),
                "not the fixed tag"
            );
            // The key opens the identity: device and range are there.
            let id = identify(&key(), &h).unwrap();
            assert_eq!(id.device, dev);
            seen += 1;
        }
    }
    assert!(
        seen >= 3,
        "a batch, a device state and a snapshot part: {seen}"
    );
}

#[test]
fn device_tags_change_with_the_epoch_and_devices_still_converge() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    a.add_contact("before");
    a.sync();
    b.sync();
    let before = tags(&server, "PIM/Devices");
    // A replaces the server's data: a new epoch.
    a.opts.mode = Mode::ReplaceRemote;
    a.sync();
    a.opts.mode = Mode::TwoWay;
    a.add_contact("after");
    a.sync();
    let a_now: BTreeSet<String> = tags(&server, changes_folder())
        .union(&tags(&server, "PIM/Snapshots"))
        .cloned()
        .collect();
    assert_eq!(a_now.len(), 1, "one tag per device and epoch: {a_now:?}");
    assert!(
        a_now.is_disjoint(&before),
        "the provider cannot link A across epochs"
    );
    // B takes the new epoch when asked, then follows A under its new tag.
    let r = b.sync();
    assert!(r.epoch_pending.is_some(), "{r:?}");
    b.opts.mode = Mode::ReplaceLocal;
    b.sync();
    b.opts.mode = Mode::TwoWay;
    assert_eq!(b.state(), a.state());
    a.add_contact("later still");
    a.sync();
    let r = b.sync();
    assert!(r.applied >= 1 && r.rejected == 0, "{r:?}");
    assert_eq!(b.state(), a.state());
    assert_eq!(b.state().len(), 3);
}

/// Messages the format-2 code wrote (`f1x7ure0dev1ce02`, one contact "Ada
/// Lovelace", then a second round that wrote a snapshot), with the
/// simulation's key.
const FORMAT_2: [(&str, &[u8]); 3] = [
    ("PIM/Changes", include_bytes!("fixtures/format2_batch.eml")),
    ("PIM/Devices", include_bytes!("fixtures/format2_device.eml")),
    (
        "PIM/Snapshots",
        include_bytes!("fixtures/format2_snapshot.eml"),
    ),
];

fn format_2_server() -> MemoryServer {
    let server = MemoryServer::new();
    for (folder, raw) in FORMAT_2 {
        server.inject(folder, raw.to_vec());
    }
    server
}

#[test]
fn format_2_messages_stay_readable_by_a_new_device() {
    for (_, raw) in FORMAT_2 {
        let text = String::from_utf8_lossy(raw);
        assert!(text.contains("X-Pim-Format: 2") && text.contains("X-Pim-Seq"));
    }
    // Bootstrapping from the format-2 snapshot.
    let server = format_2_server();
    let mut c = Device::new(&server, "c");
    let r = c.sync();
    assert_eq!(r.rejected, 0, "{r:?}");
    let state = c.state();
    assert_eq!(state.len(), 1);
    assert!(format!("{state:?}").contains("Ada Lovelace"), "{state:?}");
    let devices = setup::devices(&c.store).unwrap();
    assert!(
        devices
            .iter()
            .any(|d| d.device == "f1x7ure0dev1ce02" && d.name == "old"),
        "{devices:?}"
    );
    let again = c.sync();
    assert_eq!((again.rejected, again.applied), (0, 0), "{again:?}");
    // From the format-2 batch alone.
    let server = MemoryServer::new();
    server.inject(FORMAT_2[0].0, FORMAT_2[0].1.to_vec());
    server.inject(FORMAT_2[1].0, FORMAT_2[1].1.to_vec());
    let mut d = Device::new(&server, "d");
    let r = d.sync();
    assert!(r.applied >= 1 && r.rejected == 0, "{r:?}");
    assert_eq!(d.state(), c.state());
    // Once opened, the batch is not fetched again.
    let idle = d.sync();
    assert_eq!(idle.bytes_down, 0, "{idle:?}");
}

/// A message with format-3 headers that look right (a real tag, a base64
/// identity of plausible size) and a large body: opened by nobody.
fn junk_v3(tag: &str, n: usize) -> Vec<u8> {
    let id = "QUFB".repeat(40);
    let body = "QkJC".repeat(4000);
    format!(
        "Message-ID: <junk-{n}@evil.example>\r\nX-Pim-Format: 3\r\nX-Pim-Kind: batch\r\n\
         X-Pim-Device: {tag}\r\nX-Pim-Id: {id}\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

#[test]
fn junk_with_valid_looking_headers_is_rejected_from_the_listing_without_a_fetch() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    a.add_contact("real");
    a.sync();
    let tag = tags(&server, changes_folder()).pop_first().unwrap();
    let junk = 2000;
    for n in 0..junk {
        server.inject(changes_folder(), junk_v3(&tag, n));
    }
    let r = b.sync();
    assert_eq!(r.rejected, junk as u64, "{r:?}");
    assert!(
        r.bytes_down < 3_000_000,
        "junk bodies (32 MB) are never fetched, only listed: {r:?}"
    );
    assert_eq!(b.state(), a.state());
    let again = b.sync();
    assert_eq!((again.rejected, again.bytes_down), (0, 0), "{again:?}");
    // A is not disturbed either (the junk carries its tag).
    let ra = a.sync();
    assert_eq!(ra.uploaded, 0, "{ra:?}");
}

/// A format-2 batch that claims `tag`'s range `seq` and does not open.
fn junk_v2(tag: &str, seq: &str, n: usize) -> Vec<u8> {
    format!(
        "Message-ID: <old-{n}@evil.example>\r\nX-Pim-Format: 2\r\nX-Pim-Kind: batch\r\n\
         X-Pim-Device: {tag}\r\nX-Pim-Seq: {seq}\r\n\r\nAAAA\r\n"
    )
    .into_bytes()
}

#[test]
fn unauthenticated_old_format_messages_are_fetched_a_bounded_number_per_round_and_once() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    b.sync();
    let legacy_tag = key().device_tag(a.store.device());
    let junk = MAX_UNOPENED_PER_ROUND * 2 + 10;
    for n in 0..junk {
        server.inject(changes_folder(), junk_v2(&legacy_tag, "1-1000", n));
    }
    // A's real changes arrive in the first round all the same.
    a.add_contact("real");
    a.sync();
    let r = b.sync();
    assert_eq!(b.state(), a.state(), "{r:?}");
    assert_eq!(r.rejected, MAX_UNOPENED_PER_ROUND as u64, "{r:?}");
    let mut rounds = 1;
    let mut rejected = r.rejected;
    while rejected < junk as u64 {
        rejected += b.sync().rejected;
        rounds += 1;
        assert!(rounds <= 3, "bounded and not repeated");
    }
    let idle = b.sync();
    assert_eq!((idle.rejected, idle.bytes_down), (0, 0), "{idle:?}");
}

#[test]
fn a_forged_claim_to_own_changes_does_not_stop_gap_repair() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    b.sync();
    a.add_contact("real");
    a.sync();
    // A's batch is lost; junk claims A's range under A's old fixed tag, and
    // junk with A's current tag and a copied identity claims it too.
    let real = server
        .messages(changes_folder())
        .into_iter()
        .find(|(_, raw)| {
            identify(&key(), &split_message(raw).0).unwrap().device == a.store.device()
        })
        .unwrap()
        .0;
    let copy = server.message(changes_folder(), real).unwrap();
    assert!(server.lose(changes_folder(), real));
    server.inject(
        changes_folder(),
        junk_v2(&key().device_tag(a.store.device()), "1-5", 0),
    );
    let (head, _) = split_message(&copy);
    let mut replay = String::new();
    for (k, v) in &head {
        replay.push_str(&format!("{k}: {v}\r\n"));
    }
    replay.push_str("\r\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n");
    server.inject(changes_folder(), replay.into_bytes());
    let ra = a.sync();
    assert!(ra.uploaded >= 1, "B still needs them: {ra:?}");
    let rb = b.sync();
    assert_eq!(b.state(), a.state(), "{rb:?}");
    assert_eq!(b.state().len(), 1);
}

#[test]
fn another_keys_identity_or_a_moved_one_is_refused() {
    let k = key();
    let h = Header::new(&k, MsgKind::Batch, "dev", 0, 1, 2);
    let raw = seal(&k, &h, b"{}");
    let (headers, _) = split_message(&raw);
    assert!(identify(&SyncKey::from_bytes([1; 32]), &headers).is_err());
    // The identity under another device's tag.
    let mut moved = headers.clone();
    moved.insert("x-pim-device".into(), k.device_tag_at(0, "other"));
    assert!(identify(&k, &moved).is_err());
    assert_eq!(identify(&k, &headers).unwrap(), h);
}

#[test]
fn a_listing_remembered_by_a_format_2_build_is_converted_once_without_refetching() {
    use pim::store::sync_state as st;
    let server = format_2_server();
    let mut a = Device::new(&server, "a");
    a.add_contact("mine");
    a.sync();
    a.sync();
    // Rewrite what A remembers as a format-2 build kept it: clear tags, not devices.
    for folder in FOLDERS {
        for mut m in st::messages(&a.store, folder).unwrap() {
            assert!(!m.device.is_empty(), "{m:?}");
            m.device = key().device_tag(&m.device);
            st::put_message(&a.store, &m).unwrap();
        }
    }
    a.store.set_meta("sync.known", "").unwrap();
    let r = a.sync();
    assert_eq!(r.lost_folders, None, "{r:?}");
    assert_eq!((r.rejected, r.uploaded, r.bytes_down), (0, 0, 0), "{r:?}");
    let devices: BTreeSet<String> = FOLDERS
        .iter()
        .flat_map(|f| st::messages(&a.store, f).unwrap())
        .map(|m| m.device)
        .collect();
    let expected: BTreeSet<String> = ["f1x7ure0dev1ce02", a.store.device()]
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(devices, expected);
}

#[test]
fn a_replayed_old_device_state_does_not_turn_back_what_others_know() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    a.add_contact("one");
    a.sync();
    let (_, old_state) = server.messages("PIM/Devices").pop().unwrap();
    a.add_contact("two");
    a.sync();
    b.sync();
    let seen = |b: &Device| {
        setup::devices(&b.store)
            .unwrap()
            .into_iter()
            .find(|d| d.device == a.store.device())
            .unwrap()
    };
    let before = seen(&b);
    // The provider appends the copy it kept; it opens (it is genuine) and is old.
    server.inject("PIM/Devices", old_state);
    let r = b.sync();
    assert_eq!(r.rejected, 0, "{r:?}");
    assert_eq!(seen(&b), before);
    a.sync();
    assert_eq!(b.state(), a.state());
}

#[test]
fn a_replayed_identity_over_junk_does_not_hide_that_a_batch_is_gone() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    a.add_contact("only on the server once");
    a.sync();
    b.sync();
    // The provider swaps A's batch for junk under the same (sealed) identity.
    let real = server
        .messages(changes_folder())
        .into_iter()
        .find(|(_, raw)| {
            identify(&key(), &split_message(raw).0).unwrap().device == a.store.device()
        })
        .unwrap();
    assert!(server.lose(changes_folder(), real.0));
    let (head, _) = split_message(&real.1);
    let mut replay = String::new();
    for (k, v) in &head {
        replay.push_str(&format!("{k}: {v}\r\n"));
    }
    replay.push_str("\r\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n");
    server.inject(changes_folder(), replay.into_bytes());
    // B applied it from a body that opened; the replay's body never did.
    let r = b.sync();
    assert!(r.lost_folders.is_some(), "{r:?}");
    assert!(r.republished >= 1, "{r:?}");
    // A device joining later still gets everything.
    let mut c = Device::new(&server, "c");
    c.sync();
    assert_eq!(c.state(), b.state());
    assert_eq!(c.state().len(), 1);
}
