//! Per-device signatures (issue 20): a key holder can write as itself, never as
//! another device that already signed; a device keeps the first key it signed
//! with; a skip claim never hides a change its device sent.

use pim::model::Change;
use pim::store::sync_state as st;
use pim::sync::batch::{DevicePayload, SnapshotPayload, pack_batches, seal_device, seal_snapshot};
use pim::sync::engine::device_signer;
use pim::sync::signing::DeviceSigner;

use crate::support::sim::{Device, changes_folder, key};

const DEVICES: &str = "PIM/Devices";
const SNAPSHOTS: &str = "PIM/Snapshots";

/// `from`'s own changes `lo..=hi`, renumbered as `victim`'s from `first` on.
fn as_device(from: &Device, lo: u64, hi: u64, victim: &str, first: u64) -> Vec<Change> {
    let (changes, _) = from.store.own_changes_decodable(lo, hi).unwrap();
    changes
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            c.device = victim.to_string();
            c.seq = first + i as u64;
            c.change_id = format!("{victim}-{}", c.seq);
            c
        })
        .collect()
}

/// A, B synced; M holds the key and syncs too (so it is a device of its own).
fn three() -> (pim::sync::memory::MemoryServer, Device, Device, Device) {
    let server = pim::sync::memory::MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let mut m = Device::new(&server, "m");
    a.add_contact("from A");
    a.sync();
    b.sync();
    m.sync();
    a.sync();
    (server, a, b, m)
}

#[test]
fn a_key_holder_cannot_write_as_another_device() {
    let (server, mut a, mut b, mut m) = three();
    let victim = a.store.device().to_string();
    let next = st::max_seq(&a.store, &victim).unwrap() + 1;
    m.add_contact("forged as A");
    let forged = as_device(&m, 1, 1, &victim, next);
    let m_signer = device_signer(&m.store).unwrap();
    // Signed with M's own key, and unsigned: both claim A's next number.
    for signer in [Some(&m_signer), None] {
        for (_, raw) in pack_batches(&key(), signer, &victim, 0, &forged, &[]) {
            server.inject(changes_folder(), raw);
        }
    }
    let r = b.sync();
    assert_eq!(r.rejected, 2, "{r:?}");
    assert!(!format!("{:?}", b.state()).contains("forged"));
    assert_eq!(r.refused_keys.len(), 1, "{r:?}");
    assert_eq!(r.refused_keys[0].device, victim);
    assert_eq!(r.refused_keys[0].offered, m_signer.public().fingerprint());
    // A's real change with that number still arrives.
    let real = a.add_contact("really from A");
    a.sync();
    b.sync();
    assert_eq!(b.text(&real, "FN").as_deref(), Some("really from A"));
    assert_eq!(b.state(), a.state());
    assert!(!format!("{:?}", b.state()).contains("forged"));
}

#[test]
fn a_second_key_for_a_device_is_refused_and_shown() {
    let (server, mut a, mut b, m) = three();
    let victim = a.store.device().to_string();
    let m_signer = device_signer(&m.store).unwrap();
    // M announces itself as A: a device record for A signed with M's key.
    let forged = DevicePayload {
        device: victim.clone(),
        name: "renamed by M".into(),
        vector: Default::default(),
        last_seen: "2999-01-01T00:00:00.000Z".into(),
        snapshot: None,
        signs_from: Some(1),
    };
    let (_, raw) = seal_device(&key(), Some(&m_signer), &forged, 0, 1, None);
    server.inject(DEVICES, raw);
    let r = b.sync();
    assert_eq!(r.rejected, 1, "{r:?}");
    assert_eq!(r.refused_keys.len(), 1, "{r:?}");
    let a_key = device_signer(&a.store).unwrap().public().fingerprint();
    assert_eq!(r.refused_keys[0].bound, a_key);
    let named: Vec<String> = st::devices(&b.store)
        .unwrap()
        .into_iter()
        .filter(|d| d.device == victim)
        .map(|d| d.name)
        .collect();
    assert_eq!(named, ["a"]);
    // A device joining later binds A's real key first (it was announced first).
    let mut c = Device::new(&server, "c");
    let r = c.sync();
    assert_eq!(r.refused_keys.len(), 1, "{r:?}");
    a.add_contact("later");
    a.sync();
    c.sync();
    assert_eq!(c.state(), a.state());
}

#[test]
fn a_snapshot_counts_only_when_its_maker_signed_it() {
    let (server, a, _b, m) = three();
    let victim = a.store.device().to_string();
    let m_signer = device_signer(&m.store).unwrap();
    // M vouches (as itself) for a snapshot it made in A's name, of a newer epoch
    // and empty: a device that took it would start from nothing.
    let s = SnapshotPayload {
        made_by: victim.clone(),
        made_at: "2999-01-01T00:00:00Z".into(),
        vector: [(victim.clone(), 1_000)].into_iter().collect(),
        collections: Vec::new(),
        records: Vec::new(),
        epoch: 7,
    };
    let counter = i64::MAX as u64 - 1;
    for (_, raw) in seal_snapshot(&key(), Some(&m_signer), &s, counter) {
        server.inject(SNAPSHOTS, raw);
    }
    let info = pim::sync::batch::SnapshotInfo {
        counter,
        epoch: 7,
        vector: s.vector.clone(),
        made_by: String::new(),
        made_at: String::new(),
    };
    let record = DevicePayload {
        device: m.store.device().to_string(),
        name: "m".into(),
        vector: Default::default(),
        last_seen: "2999-01-01T00:00:00.000Z".into(),
        snapshot: Some(info),
        signs_from: Some(1),
    };
    let (_, raw) = seal_device(&key(), Some(&m_signer), &record, 0, 2, None);
    server.inject(DEVICES, raw);
    let mut c = Device::new(&server, "c");
    let r = c.sync();
    assert!(r.rejected >= 1, "{r:?}");
    assert!(r.refused_keys.iter().any(|k| k.device == victim), "{r:?}");
    assert_eq!(c.state(), a.state());
    assert_eq!(c.state().len(), 1);
}

/// A device of an older build: its batches are unsigned and it never announced
/// a key, so anyone with the key can write in its name. Still, a claim that it
/// skipped a number never hides the change it sent with that number.
#[test]
fn a_skip_claim_never_hides_a_change_its_device_sent() {
    let server = pim::sync::memory::MemoryServer::new();
    let mut old = Device::new(&server, "old");
    let mut b = Device::new(&server, "b");
    b.sync();
    let ids: Vec<String> = (1..=4)
        .map(|i| old.add_contact(&format!("old {i}")))
        .collect();
    let me = old.store.device().to_string();
    let last = st::max_seq(&old.store, &me).unwrap();
    let (changes, _) = old.store.own_changes_decodable(1, last).unwrap();
    // The last four changes add the four contacts.
    let split = changes.len() - 2;
    let claim = |i: usize| {
        pack_batches(&key(), None, &me, 0, &[], &[changes[i].seq])
            .remove(0)
            .1
    };
    let real = |lo: usize, hi: usize| pack_batches(&key(), None, &me, 0, &changes[lo..hi], &[]);
    // In one round: a claim that "old 2" was skipped, then the real batch.
    server.inject(changes_folder(), claim(split - 1));
    for (_, raw) in real(0, split) {
        server.inject(changes_folder(), raw);
    }
    // Across rounds: a claim for "old 4" waits for "old 3", which comes later.
    server.inject(changes_folder(), claim(changes.len() - 1));
    b.sync();
    assert_eq!(b.text(&ids[1], "FN").as_deref(), Some("old 2"));
    for (_, raw) in real(split, changes.len()) {
        server.inject(changes_folder(), raw);
    }
    b.sync();
    assert_eq!(b.text(&ids[3], "FN").as_deref(), Some("old 4"));
    assert_eq!(b.state().len(), 4);
}

#[test]
fn a_signed_device_refuses_its_own_unsigned_numbers() {
    // Once A signs, an unsigned claim for A's numbers (a skip here) is refused,
    // so it cannot make B jump past A's next change.
    let (server, mut a, mut b, _m) = three();
    let victim = a.store.device().to_string();
    let next = st::max_seq(&a.store, &victim).unwrap() + 1;
    let signer: Option<&DeviceSigner> = None;
    for (_, raw) in pack_batches(&key(), signer, &victim, 0, &[], &[next]) {
        server.inject(changes_folder(), raw);
    }
    let r = b.sync();
    assert_eq!(r.rejected, 1, "{r:?}");
    let real = a.add_contact("A's next");
    a.sync();
    b.sync();
    assert_eq!(b.text(&real, "FN").as_deref(), Some("A's next"));
}

/// A refused key change outlives its round: the device list and `pim sync`
/// keep naming it until the user dismisses it; the fingerprint B shows for A
/// is the one A shows for itself (what people compare out of band).
#[test]
fn a_refused_key_change_is_remembered_until_dismissed() {
    use pim::app::device_keys::{device_keys, dismiss_refusal, own_fingerprint, refusals_reminder};
    let (server, a, mut b, m) = three();
    let victim = a.store.device().to_string();
    let a_own = own_fingerprint(&a.store).unwrap().unwrap();
    assert_eq!(
        device_keys(&b.store).unwrap()[&victim]
            .fingerprint
            .as_deref(),
        Some(a_own.as_str())
    );
    assert!(refusals_reminder(&b.store, &[]).unwrap().is_none());
    let m_signer = device_signer(&m.store).unwrap();
    let forged = DevicePayload {
        device: victim.clone(),
        name: "renamed by M".into(),
        vector: Default::default(),
        last_seen: "2999-01-01T00:00:00.000Z".into(),
        snapshot: None,
        signs_from: Some(1),
    };
    let (_, raw) = seal_device(&key(), Some(&m_signer), &forged, 0, 1, None);
    server.inject(DEVICES, raw);
    let r = b.sync();
    assert_eq!(r.refused_keys.len(), 1, "{r:?}");
    // The next round no longer meets the message, yet the refusal stays.
    let r = b.sync();
    assert!(r.refused_keys.is_empty(), "{r:?}");
    let keys = device_keys(&b.store).unwrap();
    let refused = keys[&victim].refused.clone().expect("remembered");
    assert_eq!(refused.offered, m_signer.public().fingerprint());
    assert_eq!(keys[&victim].fingerprint.as_deref(), Some(a_own.as_str()));
    let line = refusals_reminder(&b.store, &[]).unwrap().expect("reminds");
    assert!(line.contains(&m_signer.public().fingerprint()), "{line}");
    // Not twice when the round itself names the device.
    assert!(refusals_reminder(&b.store, &[&victim]).unwrap().is_none());
    assert_eq!(
        dismiss_refusal(&b.store, &victim).unwrap(),
        Some(victim.clone())
    );
    assert!(refusals_reminder(&b.store, &[]).unwrap().is_none());
    assert!(device_keys(&b.store).unwrap()[&victim].refused.is_none());
    assert_eq!(dismiss_refusal(&b.store, &victim).unwrap(), None);
}

/// After `rekey` the bindings start over, and so do the remembered refusals:
/// the first round under the new key saves the fresh bindings.
#[test]
fn a_rekey_clears_remembered_refusals() {
    use pim::app::device_keys::{device_keys, refusals_reminder};
    use pim::sync::crypto::SyncKey;
    let (server, a, mut b, m) = three();
    let victim = a.store.device().to_string();
    let m_signer = device_signer(&m.store).unwrap();
    let forged = DevicePayload {
        device: victim.clone(),
        name: "renamed by M".into(),
        vector: Default::default(),
        last_seen: "2999-01-01T00:00:00.000Z".into(),
        snapshot: None,
        signs_from: Some(1),
    };
    let (_, raw) = seal_device(&key(), Some(&m_signer), &forged, 0, 1, None);
    server.inject(DEVICES, raw);
    b.sync();
    assert!(refusals_reminder(&b.store, &[]).unwrap().is_some());
    let new = SyncKey::generate();
    futures::executor::block_on(pim::sync::rekey::rekey(
        &mut b.store,
        &mut b.mb,
        &b.opts,
        new.clone(),
        None,
    ))
    .unwrap();
    b.opts.key = new;
    b.sync();
    assert!(refusals_reminder(&b.store, &[]).unwrap().is_none());
    let keys = device_keys(&b.store).unwrap();
    assert!(!keys.contains_key(&victim), "{keys:?}");
    assert!(keys[b.store.device()].fingerprint.is_some());
}
