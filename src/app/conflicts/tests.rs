use super::*;
use crate::model::{Kind, Record};
use crate::sync::apply::Policy;
use crate::sync::crypto::SyncKey;
use crate::sync::engine::{SyncOptions, sync_once};
use crate::sync::memory::MemoryServer;

/// Two devices syncing through one in-memory server; `here` asks on conflicts.
pub(crate) struct Devices {
    pub here: Store,
    pub there: Store,
    server: MemoryServer,
    options: SyncOptions,
    rt: tokio::runtime::Runtime,
}

impl Devices {
    pub fn new() -> Devices {
        let mut options = SyncOptions::new(SyncKey::generate());
        options.policy = Policy::Ask;
        Devices {
            here: Store::open_in_memory().unwrap(),
            there: Store::open_in_memory().unwrap(),
            server: MemoryServer::new(),
            options,
            rt: tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
        }
    }

    pub fn sync_here(&mut self) {
        let mut mb = self.server.connect();
        self.rt
            .block_on(sync_once(&mut self.here, &mut mb, &self.options))
            .unwrap();
    }

    pub fn sync_there(&mut self) {
        let mut mb = self.server.connect();
        self.rt
            .block_on(sync_once(&mut self.there, &mut mb, &self.options))
            .unwrap();
    }

    /// A contact both devices know.
    pub fn shared_contact(&mut self, name: &str) -> String {
        let mut r = Record::new(Kind::Contact, "");
        r.collection = self.here.default_collection(Kind::Contact).unwrap().id;
        r.set_text("FN", name);
        self.here.write(|w| w.create(&r)).unwrap();
        self.sync_here();
        self.sync_there();
        r.id
    }

    /// Both devices edit the contact's name; `there` is newer, so `here` asks.
    pub fn conflicting_names(&mut self, id: &str, mine: &str, theirs: &str) {
        rename(&mut self.here, id, mine);
        // Clocks tick in milliseconds: theirs must be the newer edit.
        std::thread::sleep(std::time::Duration::from_millis(5));
        rename(&mut self.there, id, theirs);
        self.sync_there();
        self.sync_here();
    }
}

pub(crate) fn rename(store: &mut Store, id: &str, name: &str) {
    let mut r = store.require(id).unwrap();
    r.set_text("FN", name);
    store.write(|w| w.update(&r)).unwrap();
}

fn only_conflict(store: &Store) -> ConflictView {
    let all = list(store).unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    all.into_iter().next().unwrap()
}

#[test]
fn list_show_and_take_theirs() {
    let mut d = Devices::new();
    let id = d.shared_contact("Quentin");
    d.conflicting_names(&id, "Quentin Mine", "Quentin Theirs");
    let c = only_conflict(&d.here);
    assert_eq!((c.key.as_str(), c.record_id.as_str()), ("FN", id.as_str()));
    assert_eq!(show(&d.here, c.id).unwrap(), c);
    assert_eq!(c.mine.text, "Quentin Mine");
    assert_eq!(c.theirs.text, "Quentin Theirs");

    let done = decide(&mut d.here, c.id, &Decision::Theirs).unwrap();
    assert_eq!(done.kept, "theirs");
    assert_eq!(done.field, "FN");
    assert_eq!(done.kind, Some(Kind::Contact));
    assert_eq!(done.title, "Quentin Theirs");
    assert_eq!(d.here.require(&id).unwrap().title(), "Quentin Theirs");
    assert!(list(&d.here).unwrap().is_empty());
    // Settled once: a second decision names the conflict as not open.
    let again = decide(&mut d.here, c.id, &Decision::Mine).unwrap_err();
    assert!(
        matches!(again, ConflictError::NotOpen(n) if n == c.id),
        "{again}"
    );
}

#[test]
fn a_typed_value_is_kept_and_both_makes_a_copy_for_a_single_value() {
    let mut d = Devices::new();
    let id = d.shared_contact("Ada");
    d.conflicting_names(&id, "Ada L.", "Ada Lovelace");
    let c = only_conflict(&d.here);
    let done = decide(&mut d.here, c.id, &Decision::Text("Ada King".into())).unwrap();
    assert_eq!(done.kept, "the edited value");
    assert_eq!(d.here.require(&id).unwrap().title(), "Ada King");

    let other = d.shared_contact("Bob");
    d.conflicting_names(&other, "Bob Mine", "Bob Theirs");
    let c = only_conflict(&d.here);
    decide(&mut d.here, c.id, &Decision::Both).unwrap();
    let names: Vec<String> = d
        .here
        .list(Kind::Contact, None)
        .unwrap()
        .iter()
        .map(|r| r.title())
        .collect();
    assert!(names.contains(&"Bob Mine".to_string()), "{names:?}");
    assert!(names.contains(&"Bob Theirs".to_string()), "{names:?}");
}

#[test]
fn record_level_conflicts_take_no_text_and_no_both() {
    let mut d = Devices::new();
    let id = d.shared_contact("Gone");
    d.here.write(|w| w.delete(&id)).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    rename(&mut d.there, &id, "Still here");
    d.sync_there();
    d.sync_here();
    let c = only_conflict(&d.here);
    assert_eq!(c.key, "@exists");
    let err = decide(&mut d.here, c.id, &Decision::Both).unwrap_err();
    assert!(matches!(err, ConflictError::NoBoth(_)), "{err}");
    // The TUI hands in a resolution it built: checked the same way.
    let err = resolve(&mut d.here, c.id, &Resolution::Both).unwrap_err();
    assert!(matches!(err, ConflictError::NoBoth(_)), "{err}");
    let err = decide(&mut d.here, c.id, &Decision::Text("x".into())).unwrap_err();
    assert!(matches!(err, ConflictError::NoTextValue(_)), "{err}");
    assert_eq!(list(&d.here).unwrap().len(), 1, "still open after refusals");
    decide(&mut d.here, c.id, &Decision::Theirs).unwrap();
    assert_eq!(d.here.require(&id).unwrap().title(), "Still here");
}

#[test]
fn an_unknown_conflict_is_not_open() {
    let store = Store::open_in_memory().unwrap();
    assert!(matches!(show(&store, 42), Err(ConflictError::NotOpen(42))));
}

#[test]
fn a_field_edited_after_the_conflict_was_queued_is_not_overwritten() {
    let mut d = Devices::new();
    let id = d.shared_contact("Quentin");
    d.conflicting_names(&id, "Quentin Mine", "Quentin Theirs");
    let c = only_conflict(&d.here);
    rename(&mut d.here, &id, "Quentin Newer");
    let e = decide(&mut d.here, c.id, &Decision::Theirs).unwrap_err();
    assert!(
        matches!(&e, ConflictError::Moved { now, .. } if now == "Quentin Newer"),
        "{e}"
    );
    assert_eq!(d.here.require(&id).unwrap().title(), "Quentin Newer");
    assert_eq!(only_conflict(&d.here).id, c.id, "still open");
}
