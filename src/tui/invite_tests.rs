//! Answering invitations and counter-proposals in the TUI, through the worker and
//! the same library calls as `pim invites`, on a real profile directory whose mail
//! server cannot be reached: the calendar changes at once and the REPLY waits in
//! the outbox (what `pim sync` sends later), so its text can be checked here.

use crossterm::event::KeyCode;

use super::app::Overlay;
use super::test_support::World;
use crate::app::invites::{Invitation, InvitationStatus};
use crate::config::accounts::{Account, ConfigFile};
use crate::model::{Kind, Property, Record};
use crate::store::Store;

const ME: &str = "me@example.org";

/// A profile with one account "mail" on a port nothing listens on.
fn profile() -> (tempfile::TempDir, World) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ConfigFile::default();
    let acc = Account::new("127.0.0.1:9", "127.0.0.1:9", "me", ME, "false");
    config.accounts.insert("mail".into(), acc);
    config.save(&dir.path().join("config.toml")).unwrap();
    let mut store = Store::open(&dir.path().join("pim.db")).unwrap();
    store
        .write(|w| w.put_collection(Kind::Event, "work"))
        .unwrap();
    let mut w = World::with_store(store);
    w.keys("n"); // no demo data
    (dir, w)
}

fn invitation(store: &Store, ics: &str) {
    let inv: Invitation = serde_json::from_value(serde_json::json!({
        "id": 0, "folder": "INBOX", "uidvalidity": 1, "uid": 1, "message_id": "<m@x>",
        "from": "", "subject": "", "date": "", "calendar_part": "2",
        "content_method": null, "ics": ics, "attachments": [],
        "error": null, "status": "new", "note": "", "event_id": null,
        "parked": null, "park_pending": false
    }))
    .unwrap();
    store.insert_invitation("mail", &inv).unwrap();
}

fn request_ics() -> String {
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n\
     UID:req-1\r\nDTSTAMP:20261120T000000Z\r\nDTSTART:20261201T100000Z\r\n\
     DTEND:20261201T110000Z\r\nSUMMARY:Planning\r\n\
     ORGANIZER:mailto:boss@example.org\r\n\
     ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:me@example.org\r\n\
     END:VEVENT\r\nEND:VCALENDAR\r\n"
        .into()
}

/// The rows of the screen from the dialog's title to its key line: the tab
/// behind shows the wall-clock time of the test's own writes.
fn dialog(w: &mut World, title: &str) -> String {
    let screen = w.screen(80, 24);
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines.iter().position(|l| l.contains(title)).expect(title);
    let bottom = top
        + lines[top..]
            .iter()
            .position(|l| l.contains("Esc cancel"))
            .unwrap();
    lines[top..=bottom].join("\n")
}

fn queued_text(w: &World) -> String {
    let q = w.store.queued_replies("mail").unwrap();
    assert_eq!(q.len(), 1, "one reply waits in the outbox");
    String::from_utf8_lossy(&q[0].message).replace("\r\n ", "")
}

#[test]
fn accept_into_a_chosen_calendar_with_a_comment() {
    let (_dir, mut w) = profile();
    invitation(&w.store, &request_ics());
    w.keys("5y");
    assert!(matches!(w.app.overlay, Some(Overlay::Answer(_))));
    insta::assert_snapshot!("invite_answer_dialog", dialog(&mut w, "Accept: Planning"));
    // Pick "work", type the comment, send.
    let calendar = |w: &World| match &w.app.overlay {
        Some(Overlay::Answer(d)) => d.form.field("Calendar").unwrap().value().to_string(),
        _ => panic!("the answer dialog is closed"),
    };
    assert_eq!(calendar(&w), "calendar", "the default calendar first");
    w.key(KeyCode::Right);
    assert_eq!(calendar(&w), "work");
    w.key(KeyCode::Tab);
    w.keys("Running late, sorry");
    insta::assert_snapshot!(
        "invite_answer_dialog_filled",
        dialog(&mut w, "Accept: Planning")
    );
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none());
    let status = w.app.status.text.clone();
    assert!(!w.app.status.error, "{status}");
    assert!(status.contains("accepted invitation 1"), "{status}");
    assert!(status.contains("reply queued"), "{status}");

    let work = w
        .store
        .collection_by_name(Kind::Event, "work")
        .unwrap()
        .unwrap();
    let events = w.store.list(Kind::Event, Some(&work.id)).unwrap();
    assert_eq!(events.len(), 1, "the event is filed in the chosen calendar");
    assert_eq!(events[0].title(), "Planning");
    let reply = queued_text(&w);
    assert!(reply.contains("METHOD:REPLY"), "{reply}");
    assert!(reply.contains("PARTSTAT=ACCEPTED"), "{reply}");
    assert!(reply.contains("COMMENT:Running late\\, sorry"), "{reply}");
    let (_, inv) = w.store.invitation(1).unwrap().unwrap();
    assert_eq!(inv.status, InvitationStatus::Accepted);
}

#[test]
fn decline_without_reply_sends_nothing_and_escape_answers_nothing() {
    let (_dir, mut w) = profile();
    invitation(&w.store, &request_ics());
    w.keys("5n");
    w.key(KeyCode::Esc);
    assert_eq!(
        w.store.invitation(1).unwrap().unwrap().1.status,
        InvitationStatus::New
    );
    w.keys("n");
    w.key(KeyCode::Tab);
    w.key(KeyCode::Tab);
    w.key(KeyCode::Right); // Reply: no
    w.key(KeyCode::Enter);
    assert!(!w.app.status.error, "{}", w.app.status.text);
    assert_eq!(
        w.store.invitation(1).unwrap().unwrap().1.status,
        InvitationStatus::Declined
    );
    assert!(w.store.queued_replies("mail").unwrap().is_empty());
}

/// An event we organise, and an attendee's proposal to move it a day later.
fn counter_world() -> (tempfile::TempDir, World) {
    let (dir, mut w) = profile();
    let cal = w.store.default_collection(Kind::Event).unwrap().id;
    let mut ev = Record::new(Kind::Event, &cal);
    ev.set_text("SUMMARY", "Review");
    ev.set_text("UID", "ours-1");
    let props = &mut ev.body.main.props;
    props.push(Property::new("DTSTART", "20261202T090000Z"));
    props.push(Property::new("DTEND", "20261202T100000Z"));
    props.push(Property::new("ORGANIZER", "mailto:me@example.org"));
    props.push(Property::new("ATTENDEE", "mailto:ann@example.org"));
    w.store.write(|wr| wr.create(&ev)).unwrap();
    invitation(
        &w.store,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\n\
         UID:ours-1\r\nDTSTAMP:20261121T000000Z\r\nDTSTART:20261203T140000Z\r\n\
         DTEND:20261203T150000Z\r\nSUMMARY:Review\r\n\
         ORGANIZER:mailto:me@example.org\r\n\
         ATTENDEE;PARTSTAT=ACCEPTED:mailto:ann@example.org\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    (dir, w)
}

#[test]
fn take_a_counter_proposal() {
    let (_dir, mut w) = counter_world();
    w.keys("5");
    let screen = w.screen(100, 30);
    assert!(
        screen.contains("y take new time · n keep yours · J/K"),
        "{screen}"
    );
    assert!(screen.contains("ann@example.org"), "{screen}");
    assert!(screen.contains("2026-12-02 09:00"), "{screen}");
    w.keys("m");
    assert!(w.app.status.error, "tentative means nothing to a counter");
    w.keys("y");
    insta::assert_snapshot!("invite_counter_dialog", dialog(&mut w, "Take the proposed"));
    w.key(KeyCode::Enter);
    let status = w.app.status.text.clone();
    assert!(!w.app.status.error, "{status}");
    assert!(status.contains("counter-accepted"), "{status}");
    let ev = crate::invite::apply::local_event(&w.store, "ours-1")
        .unwrap()
        .unwrap();
    assert_eq!(ev.prop("DTSTART").unwrap().value, "20261203T140000Z");
    let mail = queued_text(&w);
    assert!(mail.contains("ann@example.org"), "{mail}");
    assert!(mail.contains("DTSTART:20261203T140000Z"), "{mail}");
}

#[test]
fn keep_your_time_against_a_counter_proposal() {
    let (_dir, mut w) = counter_world();
    w.keys("5n");
    w.key(KeyCode::Enter);
    assert!(!w.app.status.error, "{}", w.app.status.text);
    assert_eq!(
        w.store.invitation(1).unwrap().unwrap().1.status,
        InvitationStatus::CounterDeclined
    );
    let ev = crate::invite::apply::local_event(&w.store, "ours-1")
        .unwrap()
        .unwrap();
    assert_eq!(ev.prop("DTSTART").unwrap().value, "20261202T090000Z");
    let mail = queued_text(&w);
    assert!(mail.contains("METHOD:DECLINECOUNTER"), "{mail}");
}
