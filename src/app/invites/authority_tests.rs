//! RFC 5546 authority over the in-memory mailbox: the reproductions
//! (a stranger, mallory@evil.example, rewriting, cancelling or answering for
//! others) are refused as suspicious and change nothing.

use super::tests::{
    ME, PARKING, Recorder, invitation_mail, mail_from, request, request_ics, run, scan_now,
    settings, world,
};
use super::*;
use crate::model::{Kind, Property};

const MALLORY: &str = "Mallory <mallory@evil.example>";

/// Our own event: organised by us (with Bob and Alice invited) or private.
fn our_event(store: &mut Store, uid: &str, organised: bool) -> Record {
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let mut r = Record::new(Kind::Event, &cal);
    r.set_props("UID", vec![Property::new("UID", uid)]);
    for (k, v) in [
        ("SEQUENCE", "0"),
        ("DTSTART", "20301201T100000Z"),
        ("DTEND", "20301201T110000Z"),
        ("SUMMARY", "Board meeting"),
    ] {
        r.body.main.props.push(Property::new(k, v));
    }
    if organised {
        r.body
            .main
            .props
            .push(Property::new("ORGANIZER", format!("mailto:{ME}")));
        for who in ["bob@example.org", "alice@example.org"] {
            r.body.main.props.push(
                Property::new("ATTENDEE", format!("mailto:{who}"))
                    .with_param("PARTSTAT", "ACCEPTED"),
            );
        }
    }
    store.write(|w| w.create(&r)).unwrap();
    r
}

fn event(store: &Store, uid: &str) -> Record {
    store.by_uid(Kind::Event, uid).unwrap().remove(0)
}

fn only_invitation(store: &Store) -> Invitation {
    let all = list(store, Some("mail")).unwrap();
    assert_eq!(all.len(), 1);
    all[0].clone()
}

/// A REQUEST from mallory taking over `uid` (new summary, start, organizer).
fn takeover(uid: &str) -> String {
    request_ics(uid, 5, "")
        .replace("SUMMARY:Planning", "SUMMARY:Pwned")
        .replace("T100000Z", "T030000Z")
        .replace(
            "CN=Olga:mailto:olga@example.org",
            "CN=M:mailto:mallory@evil.example",
        )
}

fn partstat(ev: &Record, who: &str) -> Option<String> {
    ev.props_named("ATTENDEE")
        .find(|p| p.value.ends_with(who))
        .and_then(|p| p.param("PARTSTAT").map(str::to_string))
}

#[test]
fn a_stranger_cannot_rewrite_an_event_we_organise() {
    let (server, mut mb, mut store) = world(Vec::new());
    let before = our_event(&mut store, "board-1", true);
    server.inject(INBOX, mail_from(MALLORY, "<m1@evil>", &takeover("board-1")));
    let r = scan_now(&mut store, &mut mb);
    assert_eq!(r.applied, 0);
    let inv = only_invitation(&store);
    assert_eq!(inv.status, InvitationStatus::Suspicious);
    assert!(inv.note.contains("you organise this event"), "{}", inv.note);
    let after = event(&store, "board-1");
    assert_eq!(after.body, before.body);
    // A suspicious invitation cannot be accepted either.
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let answered = run(answer_with(
        &mut store,
        MailboxLink::Open(&mut mb),
        "mail",
        PARKING,
        &settings(),
        &request(inv.id, Answer::Accept, &cal),
        &mut Recorder::default(),
    ));
    assert!(matches!(answered, Err(InviteError::Suspicious { .. })));
    assert_eq!(event(&store, "board-1").body, before.body);
}

#[test]
fn mail_never_changes_a_private_event_with_the_same_uid() {
    let (server, mut mb, mut store) = world(Vec::new());
    let before = our_event(&mut store, "dentist-1", false);
    server.inject(
        INBOX,
        mail_from(MALLORY, "<m2@evil>", &takeover("dentist-1")),
    );
    // Even "from" the address the message names as organizer.
    let forged_cancel = request_ics("dentist-1", 9, "").replace("METHOD:REQUEST", "METHOD:CANCEL");
    server.inject(INBOX, invitation_mail("<m3@evil>", &forged_cancel));
    scan_now(&mut store, &mut mb);
    for inv in list(&store, Some("mail")).unwrap() {
        assert_eq!(inv.status, InvitationStatus::Suspicious, "{}", inv.note);
        assert!(
            inv.note.contains("not received from an organizer"),
            "{}",
            inv.note
        );
    }
    assert_eq!(event(&store, "dentist-1").body, before.body);
}

/// We accepted Olga's meeting; mallory cancels it, then Olga (writing her
/// address in capitals) really does.
#[test]
fn only_the_organizer_cancels() {
    let (server, mut mb, mut store) = world(vec![invitation_mail(
        "<i1@x>",
        &request_ics("meet-1", 0, ""),
    )]);
    scan_now(&mut store, &mut mb);
    let cal = store.default_collection(Kind::Event).unwrap().id;
    run(answer_with(
        &mut store,
        MailboxLink::Open(&mut mb),
        "mail",
        PARKING,
        &settings(),
        &request(1, Answer::Accept, &cal),
        &mut Recorder::default(),
    ))
    .unwrap();
    let cancel = request_ics("meet-1", 1, "").replace("METHOD:REQUEST", "METHOD:CANCEL");
    server.inject(INBOX, mail_from(MALLORY, "<m4@evil>", &cancel));
    scan_now(&mut store, &mut mb);
    let (_, forged) = get(&store, 2).unwrap();
    assert_eq!(forged.status, InvitationStatus::Suspicious);
    assert!(
        forged
            .note
            .contains("the event's organizer is olga@example.org"),
        "{}",
        forged.note
    );
    assert!(event(&store, "meet-1").prop("STATUS").is_none());

    server.inject(
        INBOX,
        mail_from("\"Olga\" <OLGA@Example.ORG>", "<i1-c@x>", &cancel),
    );
    scan_now(&mut store, &mut mb);
    let (_, real) = get(&store, 3).unwrap();
    assert_eq!(real.status, InvitationStatus::Applied, "{}", real.note);
    assert_eq!(
        event(&store, "meet-1").prop("STATUS").unwrap().value,
        "CANCELLED"
    );
}

fn reply_ics(uid: &str, attendees: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REPLY\r\n\
         BEGIN:VEVENT\r\nUID:{uid}\r\nSEQUENCE:0\r\nDTSTAMP:20261121T000000Z\r\n\
         DTSTART:20301201T100000Z\r\nORGANIZER:mailto:{ME}\r\n{attendees}\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

#[test]
fn a_forged_reply_changes_no_attendee_and_adds_no_one() {
    let (server, mut mb, mut store) = world(Vec::new());
    let before = our_event(&mut store, "board-2", true);
    let forged = reply_ics(
        "board-2",
        "ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.org\r\n\
         ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:mallory@evil.example\r\n",
    );
    server.inject(INBOX, mail_from(MALLORY, "<m5@evil>", &forged));
    scan_now(&mut store, &mut mb);
    let inv = only_invitation(&store);
    assert_eq!(inv.status, InvitationStatus::Suspicious);
    assert!(inv.note.contains("not invited"), "{}", inv.note);
    assert_eq!(event(&store, "board-2").body, before.body);
}

#[test]
fn a_reply_changes_only_its_senders_entry() {
    let (server, mut mb, mut store) = world(Vec::new());
    our_event(&mut store, "board-3", true);
    let reply = reply_ics(
        "board-3",
        "ATTENDEE;PARTSTAT=TENTATIVE:mailto:bob@example.org\r\n\
         ATTENDEE;PARTSTAT=DECLINED:mailto:alice@example.org\r\n",
    );
    server.inject(INBOX, mail_from("Bob <bob@example.org>", "<b1@x>", &reply));
    // A reply that only answers for somebody else.
    let for_alice = reply_ics(
        "board-3",
        "ATTENDEE;PARTSTAT=DECLINED:mailto:alice@example.org\r\n",
    );
    server.inject(
        INBOX,
        mail_from("Bob <bob@example.org>", "<b2@x>", &for_alice),
    );
    scan_now(&mut store, &mut mb);
    let (_, applied) = get(&store, 1).unwrap();
    assert_eq!(
        applied.status,
        InvitationStatus::Applied,
        "{}",
        applied.note
    );
    let (_, refused) = get(&store, 2).unwrap();
    assert_eq!(refused.status, InvitationStatus::Suspicious);
    let ev = event(&store, "board-3");
    assert_eq!(
        partstat(&ev, "bob@example.org").as_deref(),
        Some("TENTATIVE")
    );
    assert_eq!(
        partstat(&ev, "alice@example.org").as_deref(),
        Some("ACCEPTED")
    );
    assert_eq!(ev.props_named("ATTENDEE").count(), 2);
}

#[test]
fn a_counter_comes_only_from_an_attendee_of_our_event() {
    let (server, mut mb, mut store) = world(Vec::new());
    our_event(&mut store, "board-4", true);
    let counter = reply_ics(
        "board-4",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:mallory@evil.example\r\n",
    )
    .replace("METHOD:REPLY", "METHOD:COUNTER");
    server.inject(INBOX, mail_from(MALLORY, "<m6@evil>", &counter));
    let from_bob = counter.replace("mallory@evil.example", "bob@example.org");
    server.inject(INBOX, mail_from("bob@example.org", "<b3@x>", &from_bob));
    scan_now(&mut store, &mut mb);
    let (_, stranger) = get(&store, 1).unwrap();
    assert_eq!(stranger.status, InvitationStatus::Suspicious);
    let (_, bob) = get(&store, 2).unwrap();
    assert_eq!(bob.status, InvitationStatus::New, "{}", bob.note);
    let stranger_answer = run(answer_counter_with(
        &mut store,
        "mail",
        &settings(),
        &CounterRequest {
            id: 1,
            accept: true,
            reply: false,
        },
        &mut Recorder::default(),
    ));
    assert!(matches!(
        stranger_answer,
        Err(InviteError::Suspicious { .. })
    ));
}

#[test]
fn the_servers_authentication_results_are_kept_and_summarised() {
    let mut mail = b"Authentication-Results: mx.example.org; dkim=pass header.d=example.org;\r\n \
        spf=fail smtp.mailfrom=example.org; dmarc=pass (p=reject) header.from=example.org\r\n\
        Authentication-Results: forged.example; dkim=pass\r\n"
        .to_vec();
    mail.extend(invitation_mail("<a1@x>", &request_ics("auth-1", 0, "")));
    let (_server, mut mb, mut store) = world(vec![mail]);
    scan_now(&mut store, &mut mb);
    let inv = only_invitation(&store);
    let auth = authentication(&inv).unwrap();
    assert_eq!(
        auth.short(),
        "dkim=pass spf=fail dmarc=pass (mx.example.org)"
    );
    let (_s, mut mb2, mut store2) =
        world(vec![invitation_mail("<a2@x>", &request_ics("a", 0, ""))]);
    scan_now(&mut store2, &mut mb2);
    assert_eq!(authentication(&only_invitation(&store2)), None);
}

/// Issue 14 item 3: an invitation with FREQ=SECONDLY lists its first starts
/// without expanding five years of seconds (`pim invites list` stays bounded).
#[test]
fn first_starts_of_an_every_second_invitation_are_bounded() {
    let itip = crate::invite::parse_itip(&request_ics("tick", 0, "RRULE:FREQ=SECONDLY\r\n"), None)
        .unwrap();
    let starts = first_starts(&itip, crate::model::zonedb::UTC, 5).unwrap();
    assert_eq!(starts.len(), 5);
    assert_eq!((starts[4] - starts[0]).num_seconds(), 4);
}
