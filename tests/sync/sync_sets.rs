//! Multi-valued fields (categories, emails, attendees …) under sync: each value is
//! added or removed by the newest change that touched it, whatever order changes
//! and snapshots arrive in.

use crate::support::sim::Device;
use pim::model::Property;
use pim::sync::memory::MemoryServer;

fn categories(d: &Device, id: &str) -> Vec<String> {
    let r = d.store.get(id).unwrap().unwrap();
    let mut v: Vec<String> = r
        .body
        .main
        .props
        .iter()
        .filter(|p| p.name == "CATEGORIES")
        .map(|p| p.value.clone())
        .collect();
    v.sort();
    v
}

fn set_category(d: &mut Device, id: &str, value: &str, present: bool) {
    let mut r = d.store.get(id).unwrap().unwrap();
    let props = &mut r.body.main.props;
    props.retain(|p| !(p.name == "CATEGORIES" && p.value == value));
    if present {
        props.push(Property::new("CATEGORIES", value));
    }
    d.store.write(|w| w.update(&r)).unwrap();
}

#[test]
fn a_late_add_older_than_a_removal_stays_removed_after_a_snapshot() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "a");
    let mut b = Device::new(&server, "b");
    let mut d = Device::new(&server, "d");
    a.opts.snapshot_every = 1;
    let id = a.add_contact("Shared");
    a.sync();
    b.sync();
    d.sync();
    // d adds x first but syncs late; b adds x later; a sees b's and removes x.
    set_category(&mut d, &id, "x", true);
    std::thread::sleep(std::time::Duration::from_millis(5));
    set_category(&mut b, &id, "x", true);
    b.sync();
    a.sync();
    set_category(&mut a, &id, "x", false);
    a.sync();
    a.sync();
    assert!(
        !server.uids("PIM/Snapshots").is_empty(),
        "a wrote a snapshot"
    );
    d.sync();
    // The removal is the newest touch of x: gone everywhere, also on a device
    // that starts from a's snapshot and gets d's older add afterwards.
    let mut c = Device::new(&server, "c");
    c.sync();
    for dev in [&mut a, &mut b, &mut d, &mut c] {
        dev.sync();
    }
    a.sync();
    assert_eq!(categories(&a, &id), Vec::<String>::new());
    assert_eq!(categories(&d, &id), Vec::<String>::new());
    assert_eq!(categories(&c, &id), Vec::<String>::new());
    assert_eq!(a.state(), c.state());
    assert_eq!(a.state(), b.state());
    assert_eq!(a.state(), d.state());
}
