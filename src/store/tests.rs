//! The store's own questions that front-ends ask instead of running SQL.

use super::*;
use crate::model::Record;

#[test]
fn emptiness_and_id_prefixes() {
    let mut store = Store::open_in_memory().unwrap();
    assert!(
        store.is_empty().unwrap(),
        "default collections are not records"
    );
    let coll = store.default_collection(Kind::Contact).unwrap().id;
    let mut a = Record::new(Kind::Contact, &coll);
    a.id = "abcd1234".into();
    let mut b = Record::new(Kind::Contact, &coll);
    b.id = "abcd5678".into();
    store
        .write(|w| {
            w.create(&a)?;
            w.create(&b)
        })
        .unwrap();
    assert!(!store.is_empty().unwrap());
    assert_eq!(store.ids_with_prefix("abcd1", 2).unwrap(), ["abcd1234"]);
    assert_eq!(store.ids_with_prefix("abcd", 2).unwrap().len(), 2);
    assert_eq!(store.ids_with_prefix("abcd", 1).unwrap().len(), 1);
    assert!(store.ids_with_prefix("ffff", 2).unwrap().is_empty());
}

#[test]
fn path_and_page_cache() {
    let memory = Store::open_in_memory().unwrap();
    assert_eq!(memory.path(), None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pim.sqlite3");
    let store = Store::open(&file).unwrap();
    assert_eq!(
        store.path().map(|p| p.file_name().unwrap().to_owned()),
        Some("pim.sqlite3".into())
    );
    store.set_page_cache_mib(8).unwrap();
    let kib: i64 = store
        .conn()
        .query_row("PRAGMA cache_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kib, -8192);
}
