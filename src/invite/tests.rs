use super::apply::{self, Settings};
use super::reply::build_reply;
use super::*;
use crate::store::Store;
use crate::store::invitations::{Invitation, InvitationStatus};

fn request(seq: u32, stamp: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REQUEST\r\n\
         BEGIN:VEVENT\r\nUID:meet-1@example.org\r\nSEQUENCE:{seq}\r\nDTSTAMP:{stamp}\r\n\
         DTSTART:20270105T100000Z\r\nDTEND:20270105T110000Z\r\nSUMMARY:Planning\r\n\
         DESCRIPTION:secret agenda\r\n\
         ORGANIZER;CN=Olga:mailto:olga@example.org\r\n\
         ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:Me@Example.org\r\n\
         ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.org\r\n{extra}\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn settings() -> Settings {
    Settings {
        me: vec!["me@example.org".into()],
        ..Settings::default()
    }
}

fn blank() -> Invitation {
    serde_json::from_value(serde_json::json!({
        "id": 1, "folder": "INBOX", "uidvalidity": 1, "uid": 1, "message_id": "<m@x>",
        "from": "Olga <olga@example.org>", "subject": "", "date": "", "calendar_part": "2", "content_method": null,
        "ics": "", "attachments": [], "error": null, "status": "invalid", "note": "",
        "event_id": null, "parked": null, "park_pending": false
    }))
    .unwrap()
}

#[test]
fn reads_a_request() {
    let i = parse_itip(&request(2, "20270101T000000Z", ""), None).unwrap();
    assert_eq!(i.method, Method::Request);
    assert_eq!(i.uid, "meet-1@example.org");
    assert_eq!(i.sequence, 2);
    assert_eq!(i.organizer().unwrap().email, "olga@example.org");
    assert_eq!(i.attendees().len(), 2);
}

#[test]
fn rejects_what_is_not_an_invitation() {
    let no_uid = request(0, "20270101T000000Z", "").replace("UID:meet-1@example.org\r\n", "");
    assert!(
        parse_itip(&no_uid, None)
            .unwrap_err()
            .to_string()
            .contains("no UID")
    );
    let no_method = request(0, "20270101T000000Z", "").replace("METHOD:REQUEST\r\n", "");
    assert!(
        parse_itip(&no_method, None)
            .unwrap_err()
            .to_string()
            .contains("no METHOD")
    );
    assert!(parse_itip(&no_method, Some("request")).is_ok());
    assert!(parse_itip("hello", None).is_err());
    let bad_seq = request(0, "20270101T000000Z", "").replace("SEQUENCE:0", "SEQUENCE:x");
    assert!(
        parse_itip(&bad_seq, None)
            .unwrap_err()
            .to_string()
            .contains("SEQUENCE")
    );
}

#[test]
fn reply_carries_only_what_a_reply_carries() {
    let i = parse_itip(&request(3, "20270101T000000Z", ""), None).unwrap();
    let out = build_reply(
        &i,
        Answer::Tentative,
        Some("maybe"),
        &settings(),
        chrono::Utc::now(),
    )
    .unwrap();
    assert!(out.ics.contains("METHOD:REPLY"));
    assert!(out.ics.contains("SEQUENCE:3"));
    assert!(out.ics.contains("PARTSTAT=TENTATIVE"));
    assert!(out.ics.contains("COMMENT:maybe"));
    assert!(!out.ics.contains("DESCRIPTION"));
    assert!(!out.ics.contains("bob@example.org"));
    assert_eq!(out.to, vec!["olga@example.org".to_string()]);
    let text = String::from_utf8_lossy(&out.message);
    assert!(text.contains("method=REPLY"));
}

#[test]
fn accept_then_update_then_cancel() {
    let mut store = Store::open_in_memory().unwrap();
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let s = settings();
    let first = parse_itip(&request(1, "20270101T000000Z", ""), None).unwrap();
    let mut inv = blank();
    apply::on_scan(&mut store, &mut inv, &first, &s).unwrap();
    assert_eq!(inv.status, InvitationStatus::New);
    let id = apply::answer(&mut store, &first, Answer::Accept, &cal, &[], &s)
        .unwrap()
        .unwrap();
    let ev = store.require(&id).unwrap();
    let me = ev
        .props_named("ATTENDEE")
        .find(|p| p.value.contains("Me@"))
        .unwrap();
    assert_eq!(me.param("PARTSTAT"), Some("ACCEPTED"));

    // The same SEQUENCE and an older DTSTAMP changes nothing.
    let old = parse_itip(&request(1, "20261231T000000Z", ""), None).unwrap();
    let mut inv = blank();
    apply::on_scan(&mut store, &mut inv, &old, &s).unwrap();
    assert_eq!(inv.status, InvitationStatus::Outdated);

    let moved = request(2, "20270102T000000Z", "").replace("T100000Z", "T140000Z");
    let update = parse_itip(&moved, None).unwrap();
    let mut inv = blank();
    apply::on_scan(&mut store, &mut inv, &update, &s).unwrap();
    assert_eq!(inv.status, InvitationStatus::Update);
    let ev = store.require(&id).unwrap();
    assert_eq!(ev.prop("DTSTART").unwrap().value, "20270105T140000Z");

    let cancel = request(3, "20270103T000000Z", "").replace("METHOD:REQUEST", "METHOD:CANCEL");
    let cancel = parse_itip(&cancel, None).unwrap();
    let mut inv = blank();
    apply::on_scan(&mut store, &mut inv, &cancel, &s).unwrap();
    assert_eq!(inv.status, InvitationStatus::Applied);
    assert_eq!(
        store.require(&id).unwrap().prop("STATUS").unwrap().value,
        "CANCELLED"
    );
}

#[test]
fn replies_update_attendees_of_events_we_organise() {
    let mut store = Store::open_in_memory().unwrap();
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let s = Settings {
        me: vec!["olga@example.org".into()],
        ..Settings::default()
    };
    let mut r = crate::model::Record::new(Kind::Event, &cal);
    r.body = parse_itip(&request(0, "20270101T000000Z", ""), None)
        .unwrap()
        .event
        .body;
    store.write(|w| w.create(&r)).unwrap();
    let reply = request(0, "20270101T010000Z", "")
        .replace("METHOD:REQUEST", "METHOD:REPLY")
        .replace(
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.org",
            "ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.org",
        );
    let reply = parse_itip(&reply, None).unwrap();
    let mut inv = blank();
    inv.from = "bob@example.org".into();
    apply::on_scan(&mut store, &mut inv, &reply, &s).unwrap();
    assert_eq!(inv.status, InvitationStatus::Applied);
    let ev = store.require(&r.id).unwrap();
    let bob = ev
        .props_named("ATTENDEE")
        .find(|p| p.value.contains("bob"))
        .unwrap();
    assert_eq!(bob.param("PARTSTAT"), Some("DECLINED"));
}

#[test]
fn occurrence_invitations_touch_that_occurrence_only() {
    let mut store = Store::open_in_memory().unwrap();
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let s = settings();
    let series = parse_itip(
        &request(0, "20270101T000000Z", "RRULE:FREQ=WEEKLY;COUNT=5\r\n"),
        None,
    )
    .unwrap();
    let id = apply::answer(&mut store, &series, Answer::Accept, &cal, &[], &s)
        .unwrap()
        .unwrap();
    let one = request(1, "20270102T000000Z", "RECURRENCE-ID:20270112T100000Z\r\n")
        .replace("DTSTART:20270105T100000Z", "DTSTART:20270112T150000Z")
        .replace("DTEND:20270105T110000Z", "DTEND:20270112T160000Z");
    let one = parse_itip(&one, None).unwrap();
    assert!(one.recurrence_id.is_some());
    apply::answer(&mut store, &one, Answer::Decline, &cal, &[], &s).unwrap();
    let ev = store.require(&id).unwrap();
    assert!(ev.prop("RRULE").is_some());
    assert_eq!(ev.body.overrides.len(), 1);
    let main_me = ev
        .props_named("ATTENDEE")
        .find(|p| p.value.contains("Me@"))
        .unwrap();
    assert_eq!(main_me.param("PARTSTAT"), Some("ACCEPTED"));
    let occ = &ev.body.overrides[0];
    let occ_me = occ
        .props_named("ATTENDEE")
        .find(|p| p.value.contains("Me@"))
        .unwrap();
    assert_eq!(occ_me.param("PARTSTAT"), Some("DECLINED"));
}

#[test]
fn attachment_refs_round_trip_through_properties() {
    let refs = vec![crate::model::change::AttachmentRef {
        folder: "PIM/Parked".into(),
        uidvalidity: 7,
        uid: 42,
        message_id: "<a;b@example.org>".into(),
        part: "2".into(),
        filename: "slides, final.pdf".into(),
        content_type: "application/pdf".into(),
        size: 3_000_000,
        size_exact: true,
    }];
    let mut r = crate::model::Record::new(Kind::Event, "c");
    r.body.main.props.extend(apply::attachment_props(&refs));
    let text = crate::formats::ics::write_ics(&[&r]);
    let back = crate::formats::ics::read_ics(&text)
        .remove(0)
        .unwrap()
        .record;
    assert_eq!(apply::attachment_refs(&back), refs);
}

#[test]
fn cancelling_one_occurrence_keeps_the_series() {
    let mut store = Store::open_in_memory().unwrap();
    let cal = store.default_collection(Kind::Event).unwrap().id;
    for remove in [false, true] {
        let s = Settings {
            remove_cancelled: remove,
            ..settings()
        };
        let uid = format!("series-{remove}@example.org");
        let series = request(0, "20270101T000000Z", "RRULE:FREQ=WEEKLY;COUNT=5\r\n")
            .replace("meet-1@example.org", &uid);
        let series = parse_itip(&series, None).unwrap();
        let id = apply::answer(&mut store, &series, Answer::Accept, &cal, &[], &s)
            .unwrap()
            .unwrap();
        let cancel = request(1, "20270102T000000Z", "RECURRENCE-ID:20270112T100000Z\r\n")
            .replace("meet-1@example.org", &uid)
            .replace("METHOD:REQUEST", "METHOD:CANCEL");
        let cancel = parse_itip(&cancel, None).unwrap();
        let mut inv = blank();
        apply::on_scan(&mut store, &mut inv, &cancel, &s).unwrap();
        assert_eq!(inv.status, InvitationStatus::Applied);
        let ev = store.require(&id).unwrap();
        assert!(ev.prop("RRULE").is_some());
        assert!(ev.prop("STATUS").is_none(), "the series is not cancelled");
        if remove {
            assert_eq!(ev.prop("EXDATE").unwrap().value, "20270112T100000Z");
            assert!(ev.body.overrides.is_empty());
        } else {
            assert_eq!(ev.body.overrides.len(), 1);
            assert_eq!(
                ev.body.overrides[0].prop("STATUS").unwrap().value,
                "CANCELLED"
            );
        }
    }
}

#[test]
fn counter_proposals_for_our_events() {
    let mut store = Store::open_in_memory().unwrap();
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let s = Settings {
        me: vec!["olga@example.org".into()],
        ..Settings::default()
    };
    let mut r = crate::model::Record::new(Kind::Event, &cal);
    r.body = parse_itip(&request(0, "20270101T000000Z", ""), None)
        .unwrap()
        .event
        .body;
    store.write(|w| w.create(&r)).unwrap();
    let counter = request(0, "20270101T020000Z", "")
        .replace("METHOD:REQUEST", "METHOD:COUNTER")
        .replace("T100000Z", "T160000Z")
        .replace("T110000Z", "T170000Z");
    let counter = parse_itip(&counter, None).unwrap();
    let mut inv = blank();
    inv.from = "bob@example.org".into();
    apply::on_scan(&mut store, &mut inv, &counter, &s).unwrap();
    assert_eq!(inv.status, InvitationStatus::New);
    let ev = apply::accept_counter(&mut store, &counter)
        .unwrap()
        .unwrap();
    assert_eq!(ev.prop("DTSTART").unwrap().value, "20270105T160000Z");
    assert_eq!(ev.prop("SEQUENCE").unwrap().value, "1");
    let out = super::reply::build_counter_answer(
        &counter,
        Some(&ev.body.main),
        &s,
        "me@example.org",
        chrono::Utc::now(),
    )
    .unwrap();
    assert!(out.ics.contains("METHOD:REQUEST") && out.ics.contains("SEQUENCE:1"));
    let no = super::reply::build_counter_answer(
        &counter,
        None,
        &s,
        "me@example.org",
        chrono::Utc::now(),
    )
    .unwrap();
    assert!(no.ics.contains("METHOD:DECLINECOUNTER"));
    // Someone else's event: nothing to decide.
    let other = Settings::default();
    let mut inv = blank();
    apply::on_scan(&mut store, &mut inv, &counter, &other).unwrap();
    assert_eq!(inv.status, InvitationStatus::Ignored);
}

/// The REPLY (written by the `icalendar` builder) reads back exactly: UID,
/// SEQUENCE, ORGANIZER, our ATTENDEE with its parameters, RECURRENCE-ID with its
/// TZID, the COMMENT text; quoted parameters stay quoted.
#[test]
fn reply_reads_back_exactly() {
    let ics = request(4, "20270101T000000Z", "")
        .replace("UID:meet-1@example.org", "UID:meet\\,1@example.org")
        .replace(
            "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:Me@Example.org",
            "ATTENDEE;CN=\"Müller, Anna\";ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;\r\n \
             MEMBER=\"mailto:team@example.org\",\"mailto:all@example.org\":mailto:Me@Example.org",
        )
        .replace(
            "DTSTART:20270105T100000Z",
            "DTSTART:20270105T100000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20270105T110000",
        );
    let i = parse_itip(&ics, None).unwrap();
    let out = build_reply(
        &i,
        Answer::Decline,
        Some("Sorry; not this week, maybe later"),
        &settings(),
        chrono::Utc::now(),
    )
    .unwrap();
    assert!(out.ics.contains("CN=\"Müller, Anna\""), "{}", out.ics);
    assert_eq!(out.ics.matches("BEGIN:VEVENT").count(), 1);
    let back = parse_itip(&out.ics, None).unwrap();
    assert_eq!(back.method, Method::Reply);
    assert_eq!(back.uid, i.uid);
    assert_eq!(back.sequence, 4);
    assert_eq!(back.recurrence_id, i.recurrence_id);
    assert_eq!(back.organizer(), i.organizer());
    let me = back.attendees();
    assert_eq!(me.len(), 1, "only our own ATTENDEE");
    assert_eq!(me[0].email, "me@example.org");
    assert_eq!(me[0].name.as_deref(), Some("Müller, Anna"));
    assert_eq!(me[0].partstat.as_deref(), Some("DECLINED"));
    assert_eq!(me[0].role.as_deref(), Some("OPT-PARTICIPANT"));
    let attendee = back.event.prop("ATTENDEE").unwrap();
    assert!(attendee.param("RSVP").is_none());
    let member = attendee.params.iter().find(|p| p.name == "MEMBER").unwrap();
    assert_eq!(
        member.values,
        ["mailto:team@example.org", "mailto:all@example.org"]
    );
    assert_eq!(
        back.event.text("COMMENT").as_deref(),
        Some("Sorry; not this week, maybe later")
    );
    assert!(!back.dtstamp.is_empty());
    assert!(out.ics.contains("PRODID:-//pim//EN"), "{}", out.ics);
}

/// An answer learnt through sync: ours (accepted...) or another (delegated).
#[test]
fn answers_from_another_device() {
    let mut store = Store::open_in_memory().unwrap();
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let s = settings();
    let i = parse_itip(&request(1, "20270101T000000Z", ""), None).unwrap();
    let id = apply::answer(&mut store, &i, Answer::Tentative, &cal, &[], &s)
        .unwrap()
        .unwrap();
    let mut inv = blank();
    apply::on_scan(&mut store, &mut inv, &i, &s).unwrap();
    assert_eq!(inv.status, InvitationStatus::Tentative);
    assert_eq!(inv.note, "answered on another device");
    let mut ev = store.get(&id).unwrap().unwrap();
    apply::set_our_partstat(&mut ev.body.main, &s, "DELEGATED");
    store.write(|w| w.update(&ev)).unwrap();
    apply::on_scan(&mut store, &mut inv, &i, &s).unwrap();
    assert_eq!(inv.status, InvitationStatus::Ignored);
    assert_eq!(inv.note, "answered on another device");
}

#[test]
fn sender_addresses_come_from_the_header() {
    use crate::invite::authority::header_addresses;
    assert_eq!(
        header_addresses("\"Doe, Jo\" <Jo@X.org>, Ann <ann@y.org>"),
        vec!["jo@x.org", "ann@y.org"]
    );
    assert_eq!(header_addresses("bob@example.org"), vec!["bob@example.org"]);
    assert!(header_addresses("undisclosed").is_empty());
    // Addresses in quoted display names, comments and group names are text.
    for spoof in [
        "\"Bob <bob@x.org>\" <m@evil.org>",
        "\"Bob \\\" <bob@x.org>\" <m@evil.org>",
        "m@evil.org (Bob <bob@x.org>)",
        "(bob@x.org) m@evil.org",
        "bob@x.org: <m@evil.org>;",
    ] {
        assert_eq!(header_addresses(spoof), vec!["m@evil.org"], "{spoof}");
    }
    // Two addresses in one mailbox: which one a server checked is unknown.
    for malformed in ["Bob <bob@x.org> <m@evil.org>", "m@evil.org bob@x.org"] {
        assert!(header_addresses(malformed).is_empty(), "{malformed}");
    }
    assert_eq!(
        header_addresses("Team: a@x.org, \"B\" <b@y.org>;, c@z.org"),
        vec!["a@x.org", "b@y.org", "c@z.org"]
    );
}

#[test]
fn authentication_results_are_summarised() {
    use crate::invite::authority::AuthSummary;
    let a = AuthSummary::parse("mx.x; dkim=fail; dkim=pass header.d=x; spf=softfail (x)").unwrap();
    assert_eq!(a.short(), "dkim=pass spf=softfail (mx.x)");
    assert_eq!(AuthSummary::parse("mx.x; none"), None);
    assert_eq!(AuthSummary::parse(""), None);
}

#[test]
fn an_occurrence_update_lands_on_that_occurrence() {
    let mut store = Store::open_in_memory().unwrap();
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let s = settings();
    let series = parse_itip(
        &request(0, "20270101T000000Z", "RRULE:FREQ=WEEKLY;COUNT=5\r\n"),
        None,
    )
    .unwrap();
    let id = apply::answer(&mut store, &series, Answer::Accept, &cal, &[], &s)
        .unwrap()
        .unwrap();
    let moved = |seq: u32, rid: &str, start: &str| {
        let text = request(seq, "20270102T000000Z", rid)
            .replace("DTSTART:20270105T100000Z", start)
            .replace("DTEND:20270105T110000Z\r\n", "");
        parse_itip(&text, None).unwrap()
    };
    let starts = |store: &Store| -> Vec<String> {
        let ev = store.require(&id).unwrap();
        let from = chrono::DateTime::parse_from_rfc3339("2027-01-01T00:00:00Z").unwrap();
        let to = chrono::DateTime::parse_from_rfc3339("2027-03-01T00:00:00Z").unwrap();
        crate::recur::occurrences(&ev, from.into(), to.into(), crate::model::zonedb::UTC)
            .unwrap()
            .iter()
            .map(|o| o.start.format("%m-%d %H:%M").to_string())
            .collect()
    };
    // The organizer moves the second Tuesday: no override yet, it is made.
    let one = moved(
        1,
        "RECURRENCE-ID:20270112T100000Z\r\n",
        "DTSTART:20270112T150000Z",
    );
    let mut inv = blank();
    apply::on_scan(&mut store, &mut inv, &one, &s).unwrap();
    assert_eq!(inv.status, InvitationStatus::Update, "{}", inv.note);
    assert_eq!(
        starts(&store),
        [
            "01-05 10:00",
            "01-12 15:00",
            "01-19 10:00",
            "01-26 10:00",
            "02-02 10:00"
        ]
    );
    // Moved again, the id written in another form (Berlin wall time): the same
    // occurrence, still one override.
    let again = moved(
        2,
        "RECURRENCE-ID;TZID=Europe/Berlin:20270112T110000\r\n",
        "DTSTART:20270112T160000Z",
    );
    let mut inv = blank();
    apply::on_scan(&mut store, &mut inv, &again, &s).unwrap();
    assert_eq!(inv.status, InvitationStatus::Update, "{}", inv.note);
    assert_eq!(store.require(&id).unwrap().body.overrides.len(), 1);
    assert_eq!(starts(&store)[1], "01-12 16:00");
    // An id that is no occurrence of the series stays for the user to decide.
    let stray = moved(
        3,
        "RECURRENCE-ID:20270113T100000Z\r\n",
        "DTSTART:20270113T150000Z",
    );
    let mut inv = blank();
    apply::on_scan(&mut store, &mut inv, &stray, &s).unwrap();
    assert_eq!(inv.status, InvitationStatus::New);
}

/// Attack s14: a REQUEST carrying two meetings (two UIDs) was read as the first
/// one alone; accepting it lost the second without a word. An iTIP message is
/// about one UID (RFC 5546 §3.1.1): such a message is named as unusable.
#[test]
fn a_request_with_two_uids_is_refused_by_name() {
    let two = request(0, "20261120T000000Z", "").replace(
        "END:VEVENT\r\nEND:VCALENDAR",
        "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:other@evil.example\r\nDTSTAMP:20261120T000000Z\r\n\
         DTSTART:20270106T100000Z\r\nSUMMARY:Second\r\nORGANIZER:mailto:olga@example.org\r\n\
         END:VEVENT\r\nEND:VCALENDAR",
    );
    let e = parse_itip(&two, None).unwrap_err();
    assert!(
        e.to_string().contains("meet-1@example.org")
            && e.to_string().contains("other@evil.example"),
        "{e}"
    );
    // A PUBLISH may share a whole calendar.
    assert!(parse_itip(&two.replace("METHOD:REQUEST", "METHOD:PUBLISH"), None).is_ok());
}
