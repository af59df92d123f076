//! A form saved after the record changed elsewhere (issue 13): untouched fields are
//! never written, and a changed field that moved meanwhile reopens the form with
//! both values instead of losing the user's input or overwriting the other change.

use crossterm::event::KeyCode;

use super::Overlay;
use crate::app::records::{self, EditContext, Field, RecordEdit};
use crate::model::{Kind, Record};
use crate::store::Store;
use crate::tui::test_support::{World, now};

/// What `pim edit ID --set field=value` does (a blind write by another process).
fn cli_set(store: &mut Store, id: &str, field: Field, value: &str) -> Record {
    let mut edit = RecordEdit::update(Kind::Contact, id);
    edit.set(field, value);
    let cx = EditContext {
        now: now(),
        tz: crate::model::zonedb::UTC,
    };
    records::save(store, &edit, &cx).unwrap().after
}

/// The demo world on the Contacts tab, the selected contact's form open.
fn editing() -> (World, String) {
    let mut w = World::demo();
    w.keys("2");
    let id = w.app.contacts.selected().unwrap().id.clone();
    w.keys("e");
    assert!(matches!(w.app.overlay, Some(Overlay::Form(_))));
    (w, id)
}

fn stored(w: &World, id: &str, prop: &str) -> Option<String> {
    w.store
        .require(id)
        .unwrap()
        .text(prop)
        .map(|t| t.to_string())
}

#[test]
fn saving_the_name_keeps_an_org_set_meanwhile() {
    let (mut w, id) = editing();
    let name = stored(&w, &id, "FN").unwrap();
    cli_set(&mut w.store, &id, Field::Org, "OrgFromCLI");
    w.keys(" Jr");
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none(), "{}", w.app.status.text);
    assert_eq!(stored(&w, &id, "FN"), Some(format!("{name} Jr")));
    assert_eq!(stored(&w, &id, "ORG").as_deref(), Some("OrgFromCLI"));
}

/// Move the form's focus to the org and type a new one.
fn type_org(w: &mut World, org: &str) {
    w.key(KeyCode::Tab);
    w.ctrl('u');
    w.keys(org);
}

#[test]
fn a_stale_field_reopens_the_form_with_both_values_and_keep_mine_wins() {
    let (mut w, id) = editing();
    cli_set(&mut w.store, &id, Field::Org, "OrgFromCLI");
    type_org(&mut w, "My Org");
    w.key(KeyCode::Enter);
    assert_eq!(
        stored(&w, &id, "ORG").as_deref(),
        Some("OrgFromCLI"),
        "nothing overwritten"
    );
    let Some(Overlay::Form(form)) = &w.app.overlay else {
        panic!("the form is gone: {}", w.app.status.text);
    };
    let org = form.get(Field::Org).unwrap();
    assert_eq!(org.value(), "My Org", "the user's input is kept");
    assert_eq!(org.stored.as_deref(), Some("OrgFromCLI"));
    assert_eq!(form.fields[form.focus].key, Some(Field::Org));
    insta::assert_snapshot!("contact_form_stale", w.screen(80, 24));
    // Enter again: keep mine, now based on the value the form showed.
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none(), "{}", w.app.status.text);
    assert_eq!(stored(&w, &id, "ORG").as_deref(), Some("My Org"));
}

#[test]
fn taking_the_stored_value_drops_only_that_change() {
    let (mut w, id) = editing();
    let name = stored(&w, &id, "FN").unwrap();
    cli_set(&mut w.store, &id, Field::Org, "OrgFromCLI");
    w.keys(" Jr");
    type_org(&mut w, "My Org");
    w.key(KeyCode::Enter);
    assert!(matches!(w.app.overlay, Some(Overlay::Form(_))));
    w.ctrl('t');
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none(), "{}", w.app.status.text);
    assert_eq!(stored(&w, &id, "ORG").as_deref(), Some("OrgFromCLI"));
    assert_eq!(stored(&w, &id, "FN"), Some(format!("{name} Jr")));
}

#[test]
fn undo_does_not_overwrite_a_newer_change() {
    let (mut w, id) = editing();
    let name = stored(&w, &id, "FN").unwrap();
    w.keys(" Jr");
    w.key(KeyCode::Enter);
    // Another process renames the contact again, and sets the org.
    cli_set(&mut w.store, &id, Field::FullName, "Renamed Elsewhere");
    w.keys("u");
    assert!(
        w.app.status.text.starts_with("cannot undo"),
        "{}",
        w.app.status.text
    );
    assert_eq!(stored(&w, &id, "FN").as_deref(), Some("Renamed Elsewhere"));
    // An undo whose fields did not move puts back only those fields.
    let (mut w, id) = editing();
    w.keys(" Jr");
    w.key(KeyCode::Enter);
    cli_set(&mut w.store, &id, Field::Org, "OrgFromCLI");
    w.keys("u");
    assert_eq!(stored(&w, &id, "FN"), Some(name));
    assert_eq!(stored(&w, &id, "ORG").as_deref(), Some("OrgFromCLI"));
}

/// A record deleted elsewhere (`pim delete`, another TUI) while its form was open:
/// saving said "no record with id ..." and closed the form, the typed values gone.
/// The form comes back as a new record's with every value, to save or drop.
#[test]
fn a_form_whose_record_was_deleted_meanwhile_comes_back_to_save_anew() {
    let (mut w, id) = editing();
    let name = stored(&w, &id, "FN").unwrap();
    records::delete(&mut w.store, &id).unwrap();
    w.keys(" Jr");
    w.key(KeyCode::Enter);
    let Some(Overlay::Form(form)) = &w.app.overlay else {
        panic!("the form is gone: {}", w.app.status.text);
    };
    assert!(form.base.is_none());
    assert!(
        w.app.status.text.contains("deleted"),
        "{}",
        w.app.status.text
    );
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none(), "{}", w.app.status.text);
    let all = w.store.list(Kind::Contact, None).unwrap();
    assert!(
        all.iter()
            .any(|c| c.text("FN").as_deref() == Some(&format!("{name} Jr"))),
        "the edit was saved as a new contact"
    );
}

/// The same for a note in the note editor: its text comes back to save anew.
#[test]
fn a_note_deleted_while_edited_comes_back_to_save_anew() {
    let mut w = World::demo();
    w.keys("4");
    let id = w.app.notes.selected().unwrap().id.clone();
    w.key(KeyCode::Enter);
    assert!(matches!(w.app.overlay, Some(Overlay::Note(_))));
    records::delete(&mut w.store, &id).unwrap();
    w.keys(" precious words");
    w.ctrl('s');
    let Some(Overlay::Note(ed)) = &w.app.overlay else {
        panic!("the note editor is gone: {}", w.app.status.text);
    };
    assert!(ed.base.is_none());
    w.ctrl('s');
    assert!(w.app.overlay.is_none(), "{}", w.app.status.text);
    let notes = w.store.list(Kind::Note, None).unwrap();
    assert!(
        notes.iter().any(|n| n
            .text("DESCRIPTION")
            .is_some_and(|d| d.contains("precious words"))),
        "the text was saved as a new note: {}",
        w.app.status.text
    );
}
