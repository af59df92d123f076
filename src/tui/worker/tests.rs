use super::*;

#[test]
fn superseded_requests_are_answered_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    drop(Store::open(&db).unwrap());
    let (req_tx, req_rx) = std::sync::mpsc::channel();
    let (tx, rx) = std::sync::mpsc::channel();
    // Queue before the thread starts so all land in one batch.
    for seq in 1..=3 {
        req_tx
            .send(Request::Search {
                query: "x".into(),
                seq,
            })
            .unwrap();
    }
    req_tx.send(Request::IsEmpty).unwrap();
    drop(req_tx);
    spawn(db, crate::model::zonedb::UTC, req_rx, tx, |r| r)
        .join()
        .unwrap();
    let got: Vec<Response> = rx.iter().collect();
    assert_eq!(got.len(), 4, "every request gets one answer");
    assert_eq!(got[0], Response::Superseded);
    assert_eq!(got[1], Response::Superseded);
    assert!(matches!(got[2], Response::Search { seq: 3, .. }));
    assert_eq!(got[3], Response::IsEmpty(true));
}

/// Issue 14 item 3: a FREQ=SECONDLY event from 1900 in the month view gives
/// a bounded number of entries (the view stays responsive).
#[test]
fn a_month_with_an_every_second_event_is_bounded() {
    let mut store = Store::open_in_memory().unwrap();
    let cal = store
        .default_collection(crate::model::Kind::Event)
        .unwrap()
        .id;
    let mut r = crate::model::Record::new(crate::model::Kind::Event, &cal);
    for (k, v) in [
        ("UID", "tick"),
        ("DTSTART", "19000101T000000Z"),
        ("SUMMARY", "Tick"),
        ("RRULE", "FREQ=SECONDLY"),
    ] {
        r.body.main.props.push(crate::model::Property::new(k, v));
    }
    store.write(|w| w.create(&r)).unwrap();
    let day = |m| NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
    let month = events(&store, day(3), day(4), crate::model::zonedb::UTC).unwrap();
    assert_eq!(month.len(), MAX_SHOWN_PER_EVENT);
}

/// The calendar's windows at its two ends reach into the years 0 and 10000 (a
/// month grid starts on a Monday, runs six weeks): they load, with the events of
/// the first and last days pim can save.
#[test]
fn windows_at_the_ends_of_the_calendar_load() {
    let mut store = Store::open_in_memory().unwrap();
    let cal = store
        .default_collection(crate::model::Kind::Event)
        .unwrap()
        .id;
    for (uid, start) in [("first", "00010101T090000Z"), ("last", "99991231T090000Z")] {
        let mut r = crate::model::Record::new(crate::model::Kind::Event, &cal);
        for (k, v) in [("UID", uid), ("DTSTART", start), ("SUMMARY", uid)] {
            r.body.main.props.push(crate::model::Property::new(k, v));
        }
        store.write(|w| w.create(&r)).unwrap();
    }
    let tz: Tz = "Europe/Berlin".parse().unwrap();
    for (day, want) in [((1, 1, 1), "first"), ((9999, 12, 31), "last")] {
        let mut view = crate::tui::calendar::CalendarView::new(
            NaiveDate::from_ymd_opt(day.0, day.1, day.2).unwrap(),
        );
        let (from, to) = view.window();
        assert!(view.load_request().is_some());
        let shown = events(&store, from, to, tz).unwrap();
        assert_eq!(shown.len(), 1, "{from}..{to}");
        assert_eq!(shown[0].record.text("SUMMARY").as_deref(), Some(want));
    }
}

fn fails_on_invitations(store: &mut Store, req: Request, tz: Tz) -> Response {
    match req {
        Request::Invitations => panic!("bad invitation row"),
        Request::Collections => Response::Error("no collections today".into()),
        other => handle(store, other, tz),
    }
}

#[test]
fn a_failing_or_panicking_request_is_answered_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    drop(Store::open(&db).unwrap());
    let (req_tx, req_rx) = std::sync::mpsc::channel();
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = spawn_with(
        db,
        crate::model::zonedb::UTC,
        req_rx,
        tx,
        |r| r,
        fails_on_invitations,
    );
    assert_eq!(worker.thread().name(), Some(THREAD_NAME));
    let ask = |req| {
        req_tx.send(req).unwrap();
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("an answer")
    };
    assert_eq!(
        ask(Request::Invitations),
        Response::Error("internal error in Invitations: bad invitation row".into())
    );
    assert_eq!(
        ask(Request::Collections),
        Response::Error("no collections today".into())
    );
    // The worker lives on.
    assert_eq!(ask(Request::IsEmpty), Response::IsEmpty(true));
    drop(req_tx);
    worker.join().expect("the worker ends normally");
}

#[test]
fn a_worker_panic_shows_in_the_status_line_and_q_or_ctrl_c_still_quit() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    for quit in [
        KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
    ] {
        let mut w = crate::tui::test_support::World::demo();
        let failed = guarded(
            fails_on_invitations,
            &mut w.store,
            Request::Invitations,
            crate::model::zonedb::UTC,
        );
        w.app.on_response(failed);
        let screen = w.screen(100, 20);
        assert!(
            screen.contains("internal error in Invitations: bad invitation row"),
            "{screen}"
        );
        w.app.on_key(quit);
        assert!(w.app.quit, "{quit:?} quits");
    }
}

/// Each skipped row is told once a session (every refresh reads it again), with
/// how many were told in all.
#[test]
fn skipped_rows_are_told_once_each() {
    use crate::store::Undecodable;
    let store = Store::open_in_memory().unwrap();
    let row = |id: &str| Undecodable {
        id: id.into(),
        what: "contact".into(),
        reason: "key must be a string".into(),
    };
    let mut told = std::collections::HashSet::new();
    let mut tell = |ids: &[&str]| {
        for id in ids {
            store.note_undecodable(row(id));
        }
        match super::newly_skipped(&store, &mut told) {
            Some(Response::Skipped { new, total }) => {
                Some((new.iter().map(|u| u.id.clone()).collect::<Vec<_>>(), total))
            }
            Some(_) => panic!("not a Skipped"),
            None => None,
        }
    };
    assert_eq!(tell(&["a"]), Some((vec!["a".to_string()], 1)));
    assert_eq!(tell(&["a"]), None);
    assert_eq!(tell(&[]), None);
    assert_eq!(tell(&["a", "b"]), Some((vec!["b".to_string()], 2)));
}
