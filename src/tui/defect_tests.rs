//! The defects a new user met at 80×24, one test (and snapshot) each: what
//! was wrong is asserted on the screen text, the snapshot shows the whole.

use chrono::NaiveDate;
use crossterm::event::KeyCode;

use super::test_support::World;

fn screen(w: &mut World) -> String {
    w.screen(80, 24)
}

#[test]
fn detail_labels_are_never_glued_to_their_values() {
    let mut w = World::demo();
    w.keys("2fMaria");
    w.key(KeyCode::Enter);
    let s = screen(&mut w);
    insta::assert_snapshot!("labels_contact_details", s);
    assert!(s.contains("Birthday  1990-01-10"), "{s}");
    w.keys("e");
    let s = screen(&mut w);
    insta::assert_snapshot!("labels_contact_form", s);
    assert!(s.contains("Address book  ‹ contacts ›"), "{s}");
}

/// A day fuller than its month cell says how many more in the cell's width.
#[test]
fn more_line_stays_inside_its_cell() {
    let mut w = World::demo();
    let cal = w
        .store
        .default_collection(crate::model::Kind::Event)
        .unwrap()
        .id;
    w.store
        .write(|wr| {
            for h in 0..5 {
                let mut r = crate::model::Record::new(crate::model::Kind::Event, &cal);
                r.set_text("SUMMARY", &format!("Slot {h}"));
                for (name, at) in [("DTSTART", 6 + h), ("DTEND", 7 + h)] {
                    r.body.main.props.push(crate::model::Property::new(
                        name,
                        format!("20261118T{at:02}0000"),
                    ));
                }
                wr.create(&r)?;
            }
            Ok(())
        })
        .unwrap();
    w.ctrl('r');
    let s = screen(&mut w);
    insta::assert_snapshot!("month_more_fits", s);
    // 18 Nov: the demo's event and five slots, two listed; the cell is 7
    // columns (6 and a gap), so "+4 more" (7) becomes "4 more".
    let row = s
        .lines()
        .find(|l| l.contains("4 more"))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(!row.contains("+4 more"), "{row}");
}

/// Month cells list events under the day number: no bare counts beside it.
#[test]
fn month_cells_have_no_unlabelled_counts() {
    let mut w = World::demo();
    let s = screen(&mut w);
    insta::assert_snapshot!("month_counts", s);
    for l in s.lines() {
        assert!(!l.contains("16 1 "), "{l}");
        assert!(!l.contains("28 2 "), "{l}");
    }
    // A cell too short to list events marks the day (the detail pane lists
    // them); wider cells say how many, with a word.
    let s = w.screen(80, 14);
    insta::assert_snapshot!("month_counts_short", s);
    assert!(s.contains("16 •"), "{s}");
    let s = w.screen(140, 14);
    assert!(s.contains("17 2 events"), "{s}");
}

#[test]
fn help_wraps_and_scrolls_instead_of_cutting() {
    let mut w = World::demo();
    w.keys("5?");
    let s = screen(&mut w);
    insta::assert_snapshot!("help_sync_top", s);
    assert!(s.contains("j/k scroll"), "{s}");
    for _ in 0..40 {
        w.keys("j");
    }
    let s = screen(&mut w);
    insta::assert_snapshot!("help_sync_bottom", s);
    assert!(s.contains("quit from anywhere"), "{s}");
    // Every description is there whole, wrapped if need be.
    w.keys("q3?");
    let s = screen(&mut w);
    assert!(s.contains("selected task"), "{s}");
}

#[test]
fn a_status_message_is_not_overwritten_by_the_key_hint() {
    let mut w = World::demo();
    w.app
        .error("cannot save: Start: invalid date/time \"2026-11-31 12:00\" (a day that exists)");
    let s = screen(&mut w);
    insta::assert_snapshot!("status_long_message", s);
    let last = s.lines().last().unwrap();
    assert!(last.contains("(a day that exists)"), "{last}");
    assert!(!last.contains("q quit"), "{last}");
    w.app.info("saved");
    let last = screen(&mut w).lines().last().unwrap().to_string();
    assert!(
        last.contains("saved") && last.contains("? help  q quit"),
        "{last}"
    );
}

#[test]
fn typing_in_go_to_date_replaces_the_suggested_date() {
    let mut w = World::demo();
    w.keys("g");
    let s = screen(&mut w);
    insta::assert_snapshot!("goto_prefilled", s);
    w.keys("2026-12-24");
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none(), "went there");
    assert_eq!(
        w.app.calendar.selected,
        NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()
    );
    // A cursor move keeps the suggestion for editing.
    w.keys("g");
    w.key(KeyCode::Backspace);
    w.keys("5");
    assert!(matches!(
        &w.app.overlay,
        Some(super::app::Overlay::Goto { input, .. }) if input.value == "5"
    ));
}

#[test]
fn the_event_forms_calendar_is_a_picker() {
    let mut w = World::demo();
    w.keys("aLunch");
    for _ in 0..6 {
        w.key(KeyCode::Tab);
    }
    let before = screen(&mut w);
    w.key(KeyCode::Right);
    let s = screen(&mut w);
    insta::assert_snapshot!("event_form_calendar_picker", s);
    assert!(before.contains("‹ calendar ›"), "{before}");
    assert!(s.contains("‹ Personal ›") || s.contains("‹ Work ›"), "{s}");
    // Typing does not change a picker.
    w.keys("xyz");
    assert_eq!(screen(&mut w), s);
}

/// An error longer than the screen is wide was cut at its edge: the end (where the
/// text of a refused note edit is kept, what to do) could not be read. It wraps
/// onto up to three lines; a message of any length draws.
#[test]
fn a_long_status_message_wraps_instead_of_being_cut() {
    let mut w = World::demo();
    let msg = "note not saved: the first line (the title) was empty; your text is kept in \
               /tmp/pim-note-0a1b2c3d-4e5f6a7b.md";
    w.app.error(msg);
    let s = w.screen(80, 24);
    let flat: String = s
        .lines()
        .map(|l| l.trim_matches('"').trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("4e5f6a7b.md"), "{s}");
    w.app.error("x".repeat(65_534));
    w.screen(80, 24);
    w.screen(1, 1);
}
