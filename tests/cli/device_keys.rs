//! `pim devices list` shows each device's key fingerprint (this device's too) and
//! a refused key change until `pim devices dismiss` (issue 20).

use pim::model::sync_state::DeviceInfo;
use pim::store::Store;
use pim::store::sync_state as st;
use pim::sync::crypto::SyncKey;
use pim::sync::signing::{DeviceSigner, Signers};

use crate::support::pim::Pim;

fn device(id: &str, name: &str) -> DeviceInfo {
    DeviceInfo {
        device: id.into(),
        tag: String::new(),
        name: name.into(),
        last_seen: "2026-12-01T09:00:00.000Z".into(),
        vector: Default::default(),
        forgotten: false,
    }
}

#[test]
fn devices_list_shows_key_fingerprints_and_a_refused_key_until_dismissed() {
    let pim = Pim::new();
    let before = pim.ok(&["devices", "list"]);
    assert!(before.contains("this device's key: none yet"), "{before}");

    let store = Store::open(&pim.path("pim.sqlite3")).unwrap();
    let own = DeviceSigner::load_or_create(&store, || Ok(1)).unwrap();
    let me = store.device().to_string();
    st::put_device(&store, &device(&me, "laptop")).unwrap();
    st::put_device(&store, &device("phone-id", "phone")).unwrap();
    let phone = DeviceSigner::from_seed([7; 32], 1).public();
    let intruder = DeviceSigner::from_seed([8; 32], 1).public();
    let mut signers = Signers::load(&store, &SyncKey::from_bytes([1; 32]), &own).unwrap();
    signers.bind("phone-id", phone);
    signers.note_refused("phone-id", intruder, "2026-12-02T08:00:00.000Z");
    signers.save(&store).unwrap();
    drop(store);

    let own_fp = own.public().fingerprint();
    // Four groups of four hex digits: easy to read out over the phone.
    assert_eq!(own_fp.len(), 19, "{own_fp}");
    assert!(
        own_fp
            .split(' ')
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_hexdigit())),
        "{own_fp}"
    );
    let text = pim.ok(&["devices", "list"]);
    assert!(
        text.contains(&format!("this device's key: {own_fp}")),
        "{text}"
    );
    let phone_row = text.lines().find(|l| l.contains("phone")).unwrap();
    assert!(phone_row.contains(&phone.fingerprint()), "{text}");
    assert!(
        phone_row.contains("another key tried to write as this device on 2026-12-02"),
        "{text}"
    );
    let laptop_row = text.lines().find(|l| l.contains("laptop")).unwrap();
    assert!(laptop_row.contains(&own_fp), "{text}");
    assert!(!laptop_row.contains("another key"), "{text}");

    let list = pim.json_list(&["devices", "list", "--json"]);
    let by_name = |n: &str| list.iter().find(|d| d["name"] == n).unwrap().clone();
    assert_eq!(by_name("laptop")["key"], own_fp.as_str());
    assert!(by_name("laptop")["key_refused"].is_null());
    assert_eq!(by_name("phone")["key"], phone.fingerprint().as_str());
    assert_eq!(
        by_name("phone")["key_refused"]["on"],
        "2026-12-02T08:00:00.000Z"
    );
    assert_eq!(
        by_name("phone")["key_refused"]["offered"],
        intruder.fingerprint().as_str()
    );

    // Dismissed by name: gone from the list; nothing left to dismiss.
    let said = pim.ok(&["devices", "dismiss", "phone"]);
    assert!(said.contains("phone-id"), "{said}");
    let text = pim.ok(&["devices", "list"]);
    assert!(!text.contains("another key"), "{text}");
    assert!(text.contains(&phone.fingerprint()), "{text}");
    pim.fails_with(&["devices", "dismiss", "phone"], "no refused key change");
}
