//! A streamed import writes its records in bulk (no row look-ups, lazy creates):
//! every record still reaches another device, and an edit after it syncs too.

use crate::support::sim::Device;
use pim::app::import::{ImportOptions, Input, import};
use pim::model::Kind;
use pim::sync::memory::MemoryServer;

fn calendar(events: usize) -> String {
    let mut text = String::from("BEGIN:VCALENDAR\nVERSION:2.0\n");
    for i in 0..events {
        text.push_str(&format!(
            "BEGIN:VEVENT\nUID:imported-{i}\nDTSTAMP:20260101T000000Z\n\
             DTSTART:20260301T{:02}0000Z\nSUMMARY:Imported {i}\nEND:VEVENT\n",
            i % 24
        ));
    }
    text + "END:VCALENDAR\n"
}

#[test]
fn an_imported_file_reaches_another_device() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "laptop");
    let mut b = Device::new(&server, "desktop");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cal.ics");
    std::fs::write(&path, calendar(300)).unwrap();
    let report = import(
        &mut a.store,
        &Input::Path(path),
        &ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(report.created, 300);
    a.sync();
    b.sync();
    assert_eq!(b.store.count(Kind::Event).unwrap(), 300);
    assert_eq!(a.state(), b.state());
    // An edit of an imported record (its lazy create gets its body first) syncs too.
    let id = a.store.by_uid(Kind::Event, "imported-7").unwrap()[0]
        .id
        .clone();
    a.set_text(&id, "SUMMARY", "moved");
    a.sync();
    b.sync();
    assert_eq!(b.text(&id, "SUMMARY").as_deref(), Some("moved"));
    assert_eq!(a.state(), b.state());
}
