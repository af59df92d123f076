//! Invitation use cases over the in-memory mailbox (no mail server): scan,
//! answer online and offline, parking, the outbox, counter-proposals, overlaps.

use super::*;
use crate::model::{Kind, Property};
use crate::sync::memory::{MemoryMailbox, MemoryServer};

pub(super) const ME: &str = "me@example.org";
pub(super) const PARKING: &str = "PIM/Invitations";

pub(super) fn request_ics(uid: &str, seq: u32, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REQUEST\r\n\
         BEGIN:VEVENT\r\nUID:{uid}\r\nSEQUENCE:{seq}\r\nDTSTAMP:20261120T000000Z\r\n\
         DTSTART:20301201T100000Z\r\nDTEND:20301201T110000Z\r\nSUMMARY:Planning\r\n\
         ORGANIZER;CN=Olga:mailto:olga@example.org\r\n\
         ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{ME}\r\n{extra}\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// An invitation as mail clients send it: text, the calendar (base64), a PDF.
pub(super) fn invitation_mail(mid: &str, ics: &str) -> Vec<u8> {
    mail_from("Olga <olga@example.org>", mid, ics)
}

/// [`invitation_mail`] from someone else.
pub(super) fn mail_from(from: &str, mid: &str, ics: &str) -> Vec<u8> {
    use base64::Engine;
    let cal = base64::engine::general_purpose::STANDARD.encode(ics);
    format!(
        "From: {from}\r\nTo: {ME}\r\nSubject: Invitation: Planning\r\n\
         Message-ID: {mid}\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n\
         --b2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYou are invited.\r\n\
         --b2\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{cal}\r\n--b2--\r\n\
         --b1\r\nContent-Type: application/pdf; name=\"agenda.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"agenda.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--b1--\r\n"
    )
    .into_bytes()
}

fn plain_mail() -> Vec<u8> {
    b"From: a@example.org\r\nSubject: hello\r\nMessage-ID: <plain@x>\r\n\r\nhi\r\n".to_vec()
}

pub(super) fn settings() -> AccountSettings {
    AccountSettings {
        answer: Settings {
            me: vec![ME.into()],
            ..Settings::default()
        },
        park_moves: false,
    }
}

/// Records what would go out by SMTP; fails every send when `down` is set.
#[derive(Default)]
pub(super) struct Recorder {
    pub(super) sent: Vec<(String, Vec<String>, String)>,
    pub(super) down: Option<SendFailure>,
}

impl ReplySender for Recorder {
    async fn send(
        &mut self,
        from: &str,
        to: &[String],
        message: &[u8],
    ) -> std::result::Result<(), SendFailure> {
        if let Some(f) = &self.down {
            return Err(f.clone());
        }
        let text = String::from_utf8_lossy(message).into_owned();
        self.sent.push((from.to_string(), to.to_vec(), text));
        Ok(())
    }
}

fn offline() -> SendFailure {
    SendFailure {
        reason: "connection refused".into(),
        transient: true,
    }
}

pub(super) fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A server whose INBOX holds `messages`, and a fresh store.
pub(super) fn world(messages: Vec<Vec<u8>>) -> (MemoryServer, MemoryMailbox, Store) {
    let server = MemoryServer::new();
    let mut mb = server.connect();
    run(mb.ensure_folder(INBOX)).unwrap();
    for m in messages {
        server.inject(INBOX, m);
    }
    (server, mb, Store::open_in_memory().unwrap())
}

pub(super) fn scan_now(store: &mut Store, mb: &mut MemoryMailbox) -> ScanReport {
    run(scan(store, mb, "mail", PARKING, &settings().answer)).unwrap()
}

pub(super) fn request(id: i64, answer: Answer, calendar: &str) -> AnswerRequest<'_> {
    AnswerRequest {
        id,
        answer,
        calendar,
        comment: Some("see you"),
        reply: true,
    }
}

#[test]
fn scan_finds_invitations_once_and_marks_bad_ones_invalid() {
    let bad_rule = request_ics("bad-1", 0, "RRULE:FREQ=SOMETIMES\r\n");
    let no_uid = request_ics("x", 0, "").replace("UID:x\r\n", "");
    let (_server, mut mb, mut store) = world(vec![
        invitation_mail("<i1@x>", &request_ics("meet-1", 0, "")),
        plain_mail(),
        invitation_mail("<i2@x>", &no_uid),
        invitation_mail("<i3@x>", &bad_rule),
    ]);
    let r = scan_now(&mut store, &mut mb);
    assert_eq!(
        (r.messages, r.invitations, r.invalid, r.applied),
        (4, 3, 2, 0)
    );
    let all = list(&store, Some("mail")).unwrap();
    let good = &all[0];
    assert_eq!(good.status, InvitationStatus::New);
    assert_eq!(good.message_id, "<i1@x>");
    assert_eq!(good.calendar_part, "1.2");
    assert_eq!(good.content_method.as_deref(), Some("REQUEST"));
    assert_eq!(good.attachments.len(), 1);
    assert_eq!(
        (
            good.attachments[0].part.as_str(),
            good.attachments[0].name.as_str()
        ),
        ("2", "agenda.pdf")
    );
    assert!(
        good.ics.contains("UID:meet-1"),
        "the calendar text is decoded"
    );
    assert!(all[1].error.as_deref().unwrap().contains("no UID"));
    assert!(
        all[2].error.as_deref().unwrap().contains("SOMETIMES"),
        "an RRULE pim cannot expand makes the invitation invalid"
    );
    assert!(matches!(itip_of(&all[2]), Err(Unusable::Found(_))));
    assert!(matches!(
        crate::invite::parse_itip(&all[2].ics, None).map_err(Unusable::from),
        Err(Unusable::Itip(ItipError::Unreadable { .. }))
    ));
    // Nothing new: nothing looked at again.
    assert_eq!(scan_now(&mut store, &mut mb), ScanReport::default());
}

#[test]
fn scan_applies_an_update_of_an_event_we_have() {
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
    let moved = request_ics("meet-1", 1, "").replace("T100000Z", "T140000Z");
    server.inject(INBOX, invitation_mail("<i1-v2@x>", &moved));
    let r = scan_now(&mut store, &mut mb);
    assert_eq!((r.invitations, r.applied), (1, 1));
    let (_, update) = get(&store, 2).unwrap();
    assert_eq!(update.status, InvitationStatus::Update);
    let ev = store.by_uid(Kind::Event, "meet-1").unwrap().remove(0);
    assert_eq!(ev.prop("DTSTART").unwrap().value, "20301201T140000Z");
}

#[test]
fn answering_online_parks_writes_the_event_and_sends_the_reply() {
    let (server, mut mb, mut store) = world(vec![invitation_mail(
        "<i1@x>",
        &request_ics("meet-1", 2, ""),
    )]);
    scan_now(&mut store, &mut mb);
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let mut smtp = Recorder::default();
    let done = run(answer_with(
        &mut store,
        MailboxLink::Open(&mut mb),
        "mail",
        PARKING,
        &settings(),
        &request(1, Answer::Accept, &cal),
        &mut smtp,
    ))
    .unwrap();
    assert_eq!(done.status, InvitationStatus::Accepted);
    assert_eq!(
        done.parking,
        Parking::Parked {
            folder: PARKING.into()
        }
    );
    assert_eq!(
        done.reply,
        Some(ReplyOutcome::Sent {
            to: vec!["olga@example.org".into()]
        })
    );
    assert!(
        server.is_seen(INBOX, 1),
        "the answered message is marked read"
    );
    assert_eq!(server.uids(INBOX), vec![1], "copied, not moved");
    assert_eq!(server.uids(PARKING).len(), 1);
    let (from, to, text) = &smtp.sent[0];
    assert_eq!(
        (from.as_str(), to.clone()),
        (ME, vec!["olga@example.org".to_string()])
    );
    assert!(text.contains("METHOD:REPLY"), "{text}");
    assert!(text.contains("SEQUENCE:2"), "{text}");
    assert!(text.contains("PARTSTAT=ACCEPTED"), "{text}");

    let ev = store.get(done.event.as_deref().unwrap()).unwrap().unwrap();
    let refs = attachment_refs(&ev);
    assert_eq!(refs.len(), 1);
    assert_eq!(
        (refs[0].folder.as_str(), refs[0].part.as_str()),
        (PARKING, "2")
    );
    let pdf = run(fetch_attachment(&mut mb, &refs[0])).unwrap();
    assert_eq!(pdf, b"%PDF-1.4");
    // The parked copy deleted behind our back: a clear error.
    server.lose(PARKING, refs[0].uid);
    match run(fetch_attachment(&mut mb, &refs[0])) {
        Err(InviteError::Gone(why)) => assert!(why.contains("moved or deleted"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn parking_can_move_the_message() {
    let (server, mut mb, mut store) = world(vec![invitation_mail(
        "<i1@x>",
        &request_ics("meet-1", 0, ""),
    )]);
    scan_now(&mut store, &mut mb);
    let st = AccountSettings {
        park_moves: true,
        ..settings()
    };
    let cal = store.default_collection(Kind::Event).unwrap().id;
    run(answer_with(
        &mut store,
        MailboxLink::Open(&mut mb),
        "mail",
        PARKING,
        &st,
        &request(1, Answer::Decline, &cal),
        &mut Recorder::default(),
    ))
    .unwrap();
    assert!(server.uids(INBOX).is_empty());
    assert_eq!(server.uids(PARKING).len(), 1);
}

#[test]
fn answering_offline_queues_then_the_next_sync_parks_and_sends() {
    let (server, mut mb, mut store) = world(vec![invitation_mail(
        "<i1@x>",
        &request_ics("meet-1", 0, ""),
    )]);
    scan_now(&mut store, &mut mb);
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let mut smtp = Recorder {
        down: Some(offline()),
        ..Recorder::default()
    };
    let done = run(answer_with(
        &mut store,
        MailboxLink::<MemoryMailbox>::Offline("connection refused".into()),
        "mail",
        PARKING,
        &settings(),
        &request(1, Answer::Tentative, &cal),
        &mut smtp,
    ))
    .unwrap();
    assert!(matches!(done.parking, Parking::Waiting { .. }));
    assert_eq!(
        done.reply,
        Some(ReplyOutcome::Queued {
            why: "connection refused".into()
        })
    );
    assert_eq!(store.queued_replies("mail").unwrap().len(), 1);
    let ev_id = done.event.unwrap();
    let refs = attachment_refs(&store.get(&ev_id).unwrap().unwrap());
    assert_eq!(refs[0].folder, INBOX, "points at INBOX until parked");

    // Still down: the outbox waits and says why.
    let r = run(send_outbox(&store, "mail", &mut smtp)).unwrap();
    assert_eq!((r.sent, r.waiting), (0, 1));
    // Back online: the sync parks the message and sends the reply.
    smtp.down = None;
    let (scanned, sent) = run(after_sync_with(
        &mut store,
        &mut mb,
        "mail",
        PARKING,
        &settings(),
        &mut smtp,
    ))
    .unwrap();
    assert_eq!((scanned.parked, sent.sent, sent.waiting), (1, 1, 0));
    assert!(store.queued_replies("mail").unwrap().is_empty());
    assert!(smtp.sent[0].2.contains("PARTSTAT=TENTATIVE"));
    let refs = attachment_refs(&store.get(&ev_id).unwrap().unwrap());
    assert_eq!(refs[0].folder, PARKING);
    assert!(run(fetch_attachment(&mut mb, &refs[0])).is_ok());
    let (_, inv) = get(&store, 1).unwrap();
    assert!(!inv.park_pending);
    assert_eq!(inv.parked.as_ref().unwrap().folder, PARKING);

    // Answering again does not park a second copy.
    let again = run(answer_with(
        &mut store,
        MailboxLink::Open(&mut mb),
        "mail",
        PARKING,
        &settings(),
        &request(1, Answer::Accept, &cal),
        &mut smtp,
    ))
    .unwrap();
    assert_eq!(again.parking, Parking::AlreadyParked);
    assert_eq!(server.uids(PARKING).len(), 1);
}

#[test]
fn an_invitation_without_attachments_parked_later_stays_parked() {
    let plain_invite = format!(
        "From: olga@example.org\r\nMessage-ID: <i9@x>\r\nSubject: Planning\r\n\
         Content-Type: text/calendar; method=REQUEST\r\n\r\n{}",
        request_ics("meet-9", 0, "")
    );
    let (server, mut mb, mut store) = world(vec![plain_invite.into_bytes()]);
    scan_now(&mut store, &mut mb);
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let mut smtp = Recorder::default();
    run(answer_with(
        &mut store,
        MailboxLink::<MemoryMailbox>::Offline("offline".into()),
        "mail",
        PARKING,
        &settings(),
        &request(1, Answer::Accept, &cal),
        &mut smtp,
    ))
    .unwrap();
    assert_eq!(scan_now(&mut store, &mut mb).parked, 1);
    let (_, inv) = get(&store, 1).unwrap();
    assert!(inv.parked.is_some(), "remembered as parked");
    let again = run(answer_with(
        &mut store,
        MailboxLink::Open(&mut mb),
        "mail",
        PARKING,
        &settings(),
        &request(1, Answer::Decline, &cal),
        &mut smtp,
    ))
    .unwrap();
    assert_eq!(again.parking, Parking::AlreadyParked);
    assert_eq!(server.uids(PARKING).len(), 1);
}

#[test]
fn a_lost_connection_stops_the_scan_and_keeps_the_position() {
    let (server, mut mb, mut store) = world(vec![invitation_mail(
        "<i1@x>",
        &request_ics("meet-1", 0, ""),
    )]);
    // STATUS and the header list succeed, the BODYSTRUCTUREs and the check fail.
    server.fail_after(2, 3);
    assert!(matches!(
        run(scan(
            &mut store,
            &mut mb,
            "mail",
            PARKING,
            &settings().answer
        )),
        Err(InviteError::Mailbox(_))
    ));
    assert_eq!(store.invite_scan_position("mail", INBOX).unwrap(), None);
    assert_eq!(scan_now(&mut store, &mut mb).invitations, 1);
}

#[test]
fn answering_a_counter_proposal_moves_our_event_and_tells_the_attendee() {
    let (server, mut mb, mut store) = world(Vec::new());
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let mut ours = Record::new(Kind::Event, &cal);
    ours.set_props("UID", vec![Property::new("UID", "ours-1")]);
    for (k, v) in [
        ("SEQUENCE", "0"),
        ("DTSTART", "20301201T100000Z"),
        ("DTEND", "20301201T110000Z"),
        ("SUMMARY", "Review"),
        ("ORGANIZER", "mailto:me@example.org"),
        ("ATTENDEE", "mailto:gina@example.org"),
    ] {
        ours.body.main.props.push(Property::new(k, v));
    }
    store.write(|w| w.create(&ours)).unwrap();
    let counter = request_ics("ours-1", 0, "")
        .replace("METHOD:REQUEST", "METHOD:COUNTER")
        .replace("T100000Z", "T150000Z")
        .replace("T110000Z", "T160000Z")
        .replace(
            "ORGANIZER;CN=Olga:mailto:olga@example.org",
            "ORGANIZER:mailto:me@example.org",
        )
        .replace(
            &format!("ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{ME}"),
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:gina@example.org",
        );
    server.inject(INBOX, mail_from("gina@example.org", "<c1@x>", &counter));
    scan_now(&mut store, &mut mb);
    let (_, inv) = get(&store, 1).unwrap();
    assert_eq!(inv.status, InvitationStatus::New, "{}", inv.note);
    // Not an invitation to accept.
    assert!(matches!(
        run(answer_with(
            &mut store,
            MailboxLink::Open(&mut mb),
            "mail",
            PARKING,
            &settings(),
            &request(1, Answer::Accept, &cal),
            &mut Recorder::default(),
        )),
        Err(InviteError::NothingToAnswer { .. })
    ));
    let mut smtp = Recorder::default();
    let req = CounterRequest {
        id: 1,
        accept: true,
        reply: true,
    };
    let done = run(answer_counter_with(
        &mut store,
        "mail",
        &settings(),
        &req,
        &mut smtp,
    ))
    .unwrap();
    assert_eq!(done.status, InvitationStatus::CounterAccepted);
    let ev = store.by_uid(Kind::Event, "ours-1").unwrap().remove(0);
    assert_eq!(ev.prop("DTSTART").unwrap().value, "20301201T150000Z");
    assert_eq!(ev.prop("SEQUENCE").unwrap().value, "1");
    let (_, to, text) = &smtp.sent[0];
    assert_eq!(to, &vec!["gina@example.org".to_string()]);
    assert!(text.contains("METHOD:REQUEST"), "{text}");
}

#[test]
fn overlaps_list_our_other_events_in_the_first_occurrence() {
    let mut store = Store::open_in_memory().unwrap();
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let event = |uid: &str, title: &str, start: &str, end: &str| {
        let mut r = Record::new(Kind::Event, &cal);
        r.set_text("SUMMARY", title);
        r.set_props("UID", vec![Property::new("UID", uid)]);
        for (k, v) in [("DTSTART", start), ("DTEND", end)] {
            r.body.main.props.push(Property::new(k, v));
        }
        r
    };
    let dentist = event("d", "Dentist", "20301201T103000Z", "20301201T113000Z");
    let later = event("l", "Lunch", "20301201T120000Z", "20301201T130000Z");
    let itself = event("meet-1", "Planning", "20301201T100000Z", "20301201T110000Z");
    // Listed in the calendar, but a cancelled event keeps nobody busy.
    let mut called_off = event("c", "Called off", "20301201T100000Z", "20301201T110000Z");
    called_off.set_text("STATUS", "CANCELLED");
    store
        .write(|w| {
            for r in [&dentist, &later, &itself, &called_off] {
                w.create(r)?;
            }
            Ok(())
        })
        .unwrap();
    let itip = crate::invite::parse_itip(&request_ics("meet-1", 0, ""), None).unwrap();
    let found = overlaps(&store, &itip, crate::model::zonedb::UTC)
        .unwrap()
        .unwrap();
    assert_eq!(found.first.start.to_rfc3339(), "2030-12-01T10:00:00+00:00");
    let titles: Vec<&str> = found.events.iter().map(|o| o.summary.as_str()).collect();
    assert_eq!(titles, ["Dentist"]);
    assert_eq!(found.events[0].event_id, dentist.id);
    let no_start = request_ics("u", 0, "").replace("DTSTART:20301201T100000Z\r\n", "");
    let publish = no_start.replace("METHOD:REQUEST", "METHOD:CANCEL");
    let itip = crate::invite::parse_itip(&publish, None).unwrap();
    assert_eq!(
        overlaps(&store, &itip, crate::model::zonedb::UTC).unwrap(),
        None
    );
}

#[test]
fn needs_answer_is_for_open_requests_and_counters_only() {
    let itip = crate::invite::parse_itip(&request_ics("meet-1", 0, ""), None).unwrap();
    let mut inv = Invitation::found(INBOX, 1, 1);
    inv.status = InvitationStatus::New;
    assert!(needs_answer(&inv, &itip));
    inv.status = InvitationStatus::Accepted;
    assert!(!needs_answer(&inv, &itip));
    inv.status = InvitationStatus::Update;
    inv.error = Some("broken".into());
    assert!(!needs_answer(&inv, &itip));
}
