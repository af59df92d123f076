use super::*;
use crate::app::conflicts::tests::{Devices, rename};
use crate::app::conflicts::{self, Decision};
use crate::model::Record;

fn contact(store: &mut Store, name: &str) -> String {
    let mut r = Record::new(Kind::Contact, "");
    r.collection = store.default_collection(Kind::Contact).unwrap().id;
    r.set_text("FN", name);
    store.write(|w| w.create(&r)).unwrap();
    r.id
}

#[test]
fn edits_are_listed_and_an_old_value_comes_back_as_a_new_change() {
    let mut store = Store::open_in_memory().unwrap();
    let id = contact(&mut store, "Ada");
    rename(&mut store, &id, "Ada Lovelace");
    let h = of_record(&store, &id).unwrap();
    assert_eq!(h.title.as_deref(), Some("Ada Lovelace"));
    let what: Vec<&str> = h.entries.iter().map(|e| e.what.as_str()).collect();
    assert_eq!(what, ["create", "update"]);

    let first = h.entries[0].fields.iter().find(|f| f.key == "FN").unwrap();
    let done = restore(&mut store, &id, "FN", first.new_value.as_ref()).unwrap();
    assert_eq!(
        (
            done.title.as_str(),
            done.field.as_str(),
            done.value.as_str()
        ),
        ("Ada", "FN", "Ada")
    );
    assert_eq!(done.kind, Kind::Contact);
    assert_eq!(of_record(&store, &id).unwrap().entries.len(), 3);
}

#[test]
fn a_deleted_record_keeps_its_history_and_an_unknown_id_has_none() {
    let mut store = Store::open_in_memory().unwrap();
    let id = contact(&mut store, "Gone");
    store.write(|w| w.delete(&id)).unwrap();
    let h = of_record(&store, &id).unwrap();
    assert_eq!(h.title, None);
    assert_eq!(h.entries.last().unwrap().what, "delete");
    let err = of_record(&store, "no-such-id").unwrap_err();
    assert!(matches!(err, HistoryError::Unknown(_)), "{err}");
}

#[test]
fn record_level_lines_cannot_be_restored() {
    let mut store = Store::open_in_memory().unwrap();
    let id = contact(&mut store, "Ada");
    let err = restore(&mut store, &id, "@collection", None).unwrap_err();
    assert!(matches!(err, HistoryError::NotRestorable(_)), "{err}");
    assert_eq!(
        log(&store, Some(&id), None).unwrap().len(),
        1,
        "nothing written"
    );
}

#[test]
fn a_value_that_lost_a_conflict_is_in_history() {
    let mut d = Devices::new();
    let id = d.shared_contact("Quentin");
    d.conflicting_names(&id, "Quentin Mine", "Quentin Theirs");
    let c = conflicts::list(&d.here).unwrap().remove(0);
    conflicts::decide(&mut d.here, c.id, &Decision::Theirs).unwrap();
    let h = of_record(&d.here, &id).unwrap();
    let lost = h.entries.iter().find(|e| e.what == "lost").unwrap();
    assert_eq!(lost.fields[0].new, "Quentin Mine");
    restore(&mut d.here, &id, "FN", lost.fields[0].new_value.as_ref()).unwrap();
    assert_eq!(d.here.require(&id).unwrap().title(), "Quentin Mine");
}

#[test]
fn the_log_keeps_the_newest_changes() {
    let mut store = Store::open_in_memory().unwrap();
    let a = contact(&mut store, "A");
    let b = contact(&mut store, "B");
    rename(&mut store, &a, "A2");
    let all = log(&store, None, None).unwrap();
    let last_two = log(&store, None, Some(2)).unwrap();
    assert_eq!(last_two, all[all.len() - 2..]);
    let of_b = log(&store, Some(&b), None).unwrap();
    assert_eq!(of_b.len(), 1);
    assert_eq!(of_b[0].record_id, b);
    assert_eq!(log(&store, None, Some(100)).unwrap().len(), all.len());
}

#[test]
fn the_last_n_changes_are_the_newest_oldest_first() {
    let mut store = Store::open_in_memory().unwrap();
    let a = contact(&mut store, "Ada");
    let b = contact(&mut store, "Bea");
    rename(&mut store, &a, "Ada Lovelace");
    let ids = |n| -> Vec<(String, &'static str)> {
        log(&store, None, n)
            .unwrap()
            .iter()
            .map(|c| (c.record_id.clone(), c.op.name()))
            .collect()
    };
    let all = ids(None);
    assert!(all.len() >= 3, "{all:?}");
    assert_eq!(ids(Some(2)), all[all.len() - 2..]);
    assert_eq!(ids(Some(1)), [(a.clone(), "update")]);
    assert_eq!(ids(Some(all.len() + 5)), all);
    assert_eq!(ids(Some(0)), []);
    let one = log(&store, Some(&b), Some(5)).unwrap();
    assert_eq!(one.len(), 1);
}
