//! Attack session 14: hostile invitation mail against the app layer (over the
//! in-memory mailbox).

use super::tests::{
    ME, PARKING, Recorder, invitation_mail, mail_from, request, request_ics, run, scan_now,
    settings, world,
};
use super::*;
use crate::model::Kind;

const MALLORY: &str = "Mallory <mallory@evil.example>";

fn event(store: &Store, uid: &str) -> Record {
    store.by_uid(Kind::Event, uid).unwrap().remove(0)
}

fn accept(
    store: &mut Store,
    mb: &mut crate::sync::memory::MemoryMailbox,
    id: i64,
) -> Result<Answered> {
    let cal = store.default_collection(Kind::Event).unwrap().id;
    run(answer_with(
        store,
        MailboxLink::Open(mb),
        "mail",
        PARKING,
        &settings(),
        &request(id, Answer::Accept, &cal),
        &mut Recorder::default(),
    ))
}

/// Olga's invitation and mallory's for the same UID both wait (neither event
/// exists at scan time); the user accepts Olga's, then mallory's: the second
/// must not rewrite Olga's meeting.
#[test]
fn a_strangers_request_answered_after_the_organizers_rewrites_nothing() {
    let (server, mut mb, mut store) = world(vec![invitation_mail(
        "<o1@x>",
        &request_ics("meet-s14", 0, ""),
    )]);
    let takeover = request_ics("meet-s14", 7, "")
        .replace("SUMMARY:Planning", "SUMMARY:Pwned")
        .replace(
            "CN=Olga:mailto:olga@example.org",
            "CN=M:mailto:mallory@evil.example",
        );
    server.inject(INBOX, mail_from(MALLORY, "<m1@evil>", &takeover));
    scan_now(&mut store, &mut mb);
    accept(&mut store, &mut mb, 1).unwrap();
    let before = event(&store, "meet-s14");
    let second = accept(&mut store, &mut mb, 2);
    assert!(
        matches!(second, Err(InviteError::Suspicious { .. })),
        "{second:?}"
    );
    let after = event(&store, "meet-s14");
    assert_eq!(after.body, before.body);
    assert_eq!(after.text("SUMMARY").as_deref(), Some("Planning"));
    let _ = ME;
}

/// Our weekly meeting with Bob invited.
fn our_series(store: &mut Store, uid: &str) -> Record {
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let mut r = Record::new(Kind::Event, &cal);
    r.set_props("UID", vec![crate::model::Property::new("UID", uid)]);
    for (k, v) in [
        ("SEQUENCE", "0".into()),
        ("DTSTAMP", "20261101T000000Z".into()),
        ("DTSTART", "20301202T100000Z".into()),
        ("DTEND", "20301202T110000Z".into()),
        ("RRULE", "FREQ=WEEKLY;COUNT=4".into()),
        ("SUMMARY", "Weekly".into()),
        ("ORGANIZER", format!("mailto:{ME}")),
    ] {
        r.body.main.props.push(crate::model::Property::new(k, v));
    }
    r.body.main.props.push(
        crate::model::Property::new("ATTENDEE", "mailto:bob@example.org")
            .with_param("PARTSTAT", "ACCEPTED"),
    );
    store.write(|w| w.create(&r)).unwrap();
    r
}

fn occurrence_reply(uid: &str, rid: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REPLY\r\n\
         BEGIN:VEVENT\r\nUID:{uid}\r\nRECURRENCE-ID:{rid}\r\nSEQUENCE:0\r\n\
         DTSTAMP:20261121T000000Z\r\nORGANIZER:mailto:{ME}\r\n\
         ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.org\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// Bob declines one occurrence of our weekly meeting ("this event only", as
/// Outlook and Google send it): that occurrence shows his answer, the series
/// keeps his acceptance; it is no forgery.
#[test]
fn a_reply_for_one_occurrence_lands_on_that_occurrence() {
    let (server, mut mb, mut store) = world(Vec::new());
    our_series(&mut store, "weekly-s14");
    server.inject(
        INBOX,
        mail_from(
            "Bob <bob@example.org>",
            "<b1@x>",
            &occurrence_reply("weekly-s14", "20301209T100000Z"),
        ),
    );
    scan_now(&mut store, &mut mb);
    let (_, inv) = get(&store, 1).unwrap();
    assert_eq!(inv.status, InvitationStatus::Applied, "{}", inv.note);
    let ev = event(&store, "weekly-s14");
    let bob = |c: &crate::model::Component| {
        c.props_named("ATTENDEE")
            .next()
            .and_then(|p| p.param("PARTSTAT").map(str::to_string))
    };
    assert_eq!(bob(&ev.body.main).as_deref(), Some("ACCEPTED"));
    assert_eq!(ev.body.overrides.len(), 1);
    let occ = &ev.body.overrides[0];
    assert_eq!(bob(occ).as_deref(), Some("DECLINED"));
    // The occurrence keeps the series' time and summary.
    assert_eq!(occ.prop("DTSTART").unwrap().value, "20301209T100000Z");
    assert_eq!(occ.prop("SUMMARY").unwrap().value, "Weekly");
}

/// A reply naming an occurrence the series does not make adds nothing.
#[test]
fn a_reply_for_an_occurrence_that_does_not_exist_adds_nothing() {
    let (server, mut mb, mut store) = world(Vec::new());
    let before = our_series(&mut store, "weekly-s14b");
    server.inject(
        INBOX,
        mail_from(
            "Bob <bob@example.org>",
            "<b2@x>",
            &occurrence_reply("weekly-s14b", "20301210T100000Z"),
        ),
    );
    scan_now(&mut store, &mut mb);
    let (_, inv) = get(&store, 1).unwrap();
    assert_ne!(inv.status, InvitationStatus::Applied, "{}", inv.note);
    assert_eq!(event(&store, "weekly-s14b").body, before.body);
}

/// The organizer cancels an occurrence the series does not make (a typo, or
/// after the COUNT end): no phantom occurrence appears.
#[test]
fn a_cancel_for_an_occurrence_that_does_not_exist_adds_nothing() {
    let (server, mut mb, mut store) = world(vec![invitation_mail(
        "<o1@x>",
        &request_ics("olga-weekly", 0, "RRULE:FREQ=WEEKLY;COUNT=2\r\n"),
    )]);
    scan_now(&mut store, &mut mb);
    accept(&mut store, &mut mb, 1).unwrap();
    let before = event(&store, "olga-weekly");
    let cancel = request_ics("olga-weekly", 1, "RECURRENCE-ID:20301222T100000Z\r\n")
        .replace("METHOD:REQUEST", "METHOD:CANCEL")
        .replace("RRULE:FREQ=WEEKLY;COUNT=2\r\n", "")
        .replace("DTSTART:20301201T100000Z", "DTSTART:20301222T100000Z")
        .replace("DTEND:20301201T110000Z", "DTEND:20301222T110000Z");
    server.inject(INBOX, invitation_mail("<o2@x>", &cancel));
    scan_now(&mut store, &mut mb);
    let (_, inv) = get(&store, 2).unwrap();
    assert_ne!(inv.status, InvitationStatus::Applied, "{}", inv.note);
    assert_eq!(event(&store, "olga-weekly").body, before.body);
}

/// A CANCEL for one occurrence carries only what RFC 5546 asks (no DTSTART,
/// no SUMMARY): the cancelled occurrence keeps the series' time and title.
#[test]
fn a_minimal_cancel_of_one_occurrence_keeps_its_time_and_title() {
    let (server, mut mb, mut store) = world(vec![invitation_mail(
        "<o1@x>",
        &request_ics("olga-weekly2", 0, "RRULE:FREQ=WEEKLY;COUNT=3\r\n"),
    )]);
    scan_now(&mut store, &mut mb);
    accept(&mut store, &mut mb, 1).unwrap();
    let cancel = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:CANCEL\r\n\
        BEGIN:VEVENT\r\nUID:olga-weekly2\r\nRECURRENCE-ID:20301208T100000Z\r\nSEQUENCE:1\r\n\
        DTSTAMP:20261122T000000Z\r\nORGANIZER:mailto:olga@example.org\r\n\
        ATTENDEE:mailto:me@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    server.inject(INBOX, invitation_mail("<o2@x>", cancel));
    scan_now(&mut store, &mut mb);
    let (_, inv) = get(&store, 2).unwrap();
    assert_eq!(inv.status, InvitationStatus::Applied, "{}", inv.note);
    let ev = event(&store, "olga-weekly2");
    assert_eq!(ev.body.overrides.len(), 1);
    let occ = &ev.body.overrides[0];
    assert_eq!(occ.prop("STATUS").unwrap().value, "CANCELLED");
    assert_eq!(
        occ.prop("DTSTART").map(|p| p.value.as_str()),
        Some("20301208T100000Z")
    );
    assert_eq!(
        occ.prop("SUMMARY").map(|p| p.value.as_str()),
        Some("Planning")
    );
}

/// `Sender` is a header no server checks (DMARC aligns `From` only): mallory,
/// sending from her own domain (dmarc=pass) with `Sender: olga@...`, must not
/// update Olga's meeting — nor answer for Bob.
#[test]
fn a_sender_header_naming_the_organizer_gives_no_authority() {
    let (server, mut mb, mut store) = world(vec![invitation_mail(
        "<o1@x>",
        &request_ics("meet-sender", 0, ""),
    )]);
    scan_now(&mut store, &mut mb);
    accept(&mut store, &mut mb, 1).unwrap();
    let before = event(&store, "meet-sender");
    let update = request_ics("meet-sender", 3, "").replace("SUMMARY:Planning", "SUMMARY:Moved");
    server.inject(
        INBOX,
        mail_from(
            "Mallory <mallory@evil.example>\r\nSender: Olga <olga@example.org>",
            "<m1@evil>",
            &update,
        ),
    );
    scan_now(&mut store, &mut mb);
    let (_, inv) = get(&store, 2).unwrap();
    assert_eq!(inv.status, InvitationStatus::Suspicious, "{}", inv.note);
    assert_eq!(event(&store, "meet-sender").body, before.body);
}

/// The organizer moves one occurrence of a series we accepted and sends the
/// whole series again (master and the moved occurrence, as Google and Outlook
/// do): the moved occurrence must land, not only the master.
#[test]
fn an_update_with_a_moved_occurrence_moves_it_here() {
    let (server, mut mb, mut store) = world(vec![invitation_mail(
        "<o1@x>",
        &request_ics("olga-series", 0, "RRULE:FREQ=WEEKLY;COUNT=3\r\n"),
    )]);
    scan_now(&mut store, &mut mb);
    accept(&mut store, &mut mb, 1).unwrap();
    let update = request_ics("olga-series", 1, "RRULE:FREQ=WEEKLY;COUNT=3\r\n").replace(
        "END:VEVENT\r\nEND:VCALENDAR",
        "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:olga-series\r\nRECURRENCE-ID:20301208T100000Z\r\n\
         SEQUENCE:1\r\nDTSTAMP:20261120T000000Z\r\nDTSTART:20301208T150000Z\r\n\
         DTEND:20301208T160000Z\r\nSUMMARY:Planning (late)\r\n\
         ORGANIZER;CN=Olga:mailto:olga@example.org\r\n\
         ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:me@example.org\r\n\
         END:VEVENT\r\nEND:VCALENDAR",
    );
    server.inject(INBOX, invitation_mail("<o2@x>", &update));
    scan_now(&mut store, &mut mb);
    let (_, inv) = get(&store, 2).unwrap();
    assert_eq!(inv.status, InvitationStatus::Update, "{}", inv.note);
    let ev = event(&store, "olga-series");
    assert_eq!(ev.body.overrides.len(), 1, "{:?}", ev.body);
    assert_eq!(
        ev.body.overrides[0].prop("DTSTART").unwrap().value,
        "20301208T150000Z"
    );
    // Answering the update keeps it too.
    accept(&mut store, &mut mb, 2).unwrap();
    let ev = event(&store, "olga-series");
    assert_eq!(ev.body.overrides.len(), 1, "{:?}", ev.body);
    assert_eq!(
        ev.body.overrides[0].prop("SUMMARY").unwrap().value,
        "Planning (late)"
    );
}

/// Accepting a counter-proposal on our meeting whose SEQUENCE is the largest
/// number iCalendar readers take (an imported event): the bump overflowed (a
/// panic in a debug build, SEQUENCE 0 in a release one, so every attendee saw
/// the new time as outdated).
#[test]
fn accepting_a_counter_at_the_largest_sequence_does_not_overflow() {
    let (server, mut mb, mut store) = world(Vec::new());
    let mut r = our_series(&mut store, "max-seq");
    r.set_props(
        "SEQUENCE",
        vec![crate::model::Property::new(
            "SEQUENCE",
            u32::MAX.to_string(),
        )],
    );
    store.write(|w| w.update(&r)).unwrap();
    let counter = occurrence_reply("max-seq", "X")
        .replace("RECURRENCE-ID:X\r\n", "DTSTART:20301202T140000Z\r\n")
        .replace("METHOD:REPLY", "METHOD:COUNTER");
    server.inject(INBOX, mail_from("bob@example.org", "<c1@x>", &counter));
    scan_now(&mut store, &mut mb);
    let done = run(answer_counter_with(
        &mut store,
        "mail",
        &settings(),
        &CounterRequest {
            id: 1,
            accept: true,
            reply: false,
        },
        &mut Recorder::default(),
    ))
    .unwrap();
    assert_eq!(done.status, InvitationStatus::CounterAccepted);
    let ev = event(&store, "max-seq");
    assert_eq!(ev.prop("DTSTART").unwrap().value, "20301202T140000Z");
    assert_eq!(ev.prop("SEQUENCE").unwrap().value, u32::MAX.to_string());
}
