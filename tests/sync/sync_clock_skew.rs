//! Attack session 14: a device whose clock ran years ahead, then was corrected.

use pim::store::Clock;
use pim::sync::memory::MemoryServer;

use crate::support::sim::Device;

const NOW: i64 = 1_790_000_000_000;
const FIVE_YEARS: i64 = 5 * 365 * 86_400_000;

fn vector_of(seen_by: &Device, device: &str) -> pim::model::sync_state::Vector {
    pim::sync::setup::devices(&seen_by.store)
        .unwrap()
        .into_iter()
        .find(|d| d.device == device)
        .unwrap()
        .vector
}

/// Device b's clock said 2061 while it synced once, then was corrected. Its later
/// states (what it has applied) were ignored by every other device as "older"
/// until 2061: garbage collection waited on b's stale state for years. A state
/// that has applied more is newer, whatever its clock said.
#[test]
fn a_state_published_after_a_clock_correction_is_taken() {
    let server = MemoryServer::new();
    let clock_b = Clock::manual(NOW + FIVE_YEARS);
    let mut a = Device::simulated(&server, 0, Clock::manual(NOW));
    let mut b = Device::simulated(&server, 1, clock_b.clone());
    let b_id = b.store.device().to_string();
    let id = a.add_contact("Ada");
    a.sync();
    b.sync();
    a.sync();
    clock_b.advance(-FIVE_YEARS);
    a.set_text(&id, "FN", "Ada Lovelace");
    a.add_contact("Bob");
    a.sync();
    b.sync();
    a.sync();
    assert_eq!(b.text(&id, "FN").as_deref(), Some("Ada Lovelace"));
    assert_eq!(vector_of(&a, &b_id), vector_of(&b, &b_id));
}

/// The device ahead does not win forever: an edit made after its change was
/// seen is newer than it, on every device (the stamps follow the newest seen).
#[test]
fn an_edit_made_after_seeing_the_fast_devices_change_wins() {
    let server = MemoryServer::new();
    let mut a = Device::simulated(&server, 0, Clock::manual(NOW));
    let mut b = Device::simulated(&server, 1, Clock::manual(NOW + FIVE_YEARS));
    let id = a.add_contact("Ada");
    a.sync();
    b.sync();
    b.set_text(&id, "FN", "From the future");
    b.sync();
    a.sync();
    a.set_text(&id, "FN", "Ada Lovelace");
    a.sync();
    b.sync();
    for d in [&a, &b] {
        assert_eq!(d.text(&id, "FN").as_deref(), Some("Ada Lovelace"));
    }
}
