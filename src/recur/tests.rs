use super::*;
use crate::formats::ics::read_ics;
use chrono::TimeZone;

fn record(ics: &str) -> Record {
    read_ics(ics).remove(0).expect("test item reads").record
}

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
}

fn starts(r: &Record, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    occurrences(r, from, to, crate::model::zonedb::UTC)
        .unwrap()
        .iter()
        .map(|o| {
            o.start
                .with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .collect()
}

#[test]
fn weekly_in_berlin_keeps_wall_time_across_dst() {
    let r = record(
        "BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Europe/Berlin:20260319T090000\nDTEND;TZID=Europe/Berlin:20260319T100000\nRRULE:FREQ=WEEKLY\nEND:VEVENT\n",
    );
    let v = starts(&r, utc(2026, 3, 18, 0, 0), utc(2026, 4, 3, 0, 0));
    assert_eq!(
        v,
        ["2026-03-19T08:00", "2026-03-26T08:00", "2026-04-02T07:00"]
    );
}

fn dates(r: &Record, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    occurrences(r, from, to, crate::model::zonedb::UTC)
        .unwrap()
        .iter()
        .map(|o| {
            assert!(o.all_day);
            o.start.date_naive().to_string()
        })
        .collect()
}

fn cal(body: &str) -> String {
    format!("BEGIN:VCALENDAR\nVERSION:2.0\n{body}END:VCALENDAR\n")
}

#[test]
fn count_and_until_forms() {
    let r = record(
        "BEGIN:VEVENT\nUID:a\nDTSTART:20260101T100000Z\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n",
    );
    assert_eq!(
        starts(&r, utc(2025, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0)).len(),
        3
    );
    // UTC UNTIL is inclusive.
    let r = record(
        "BEGIN:VEVENT\nUID:a\nDTSTART:20260101T100000Z\nRRULE:FREQ=DAILY;UNTIL=20260103T100000Z\nEND:VEVENT\n",
    );
    assert_eq!(
        starts(&r, utc(2025, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0)).len(),
        3
    );
    // A date UNTIL on a timed event ends at that date's midnight.
    let r = record(
        "BEGIN:VEVENT\nUID:a\nDTSTART:20260101T100000Z\nRRULE:FREQ=DAILY;UNTIL=20260103\nEND:VEVENT\n",
    );
    assert_eq!(
        starts(&r, utc(2025, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0)),
        ["2026-01-01T10:00", "2026-01-02T10:00"]
    );
    // All-day with a date UNTIL includes that day.
    let r = record(
        "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20260101\nRRULE:FREQ=WEEKLY;UNTIL=20260115\nEND:VEVENT\n",
    );
    assert_eq!(
        dates(&r, utc(2025, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0)),
        ["2026-01-01", "2026-01-08", "2026-01-15"]
    );
}

#[test]
fn multiple_rrules_rdates_and_exdates() {
    let r = record(&cal(
        "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20260301\nRRULE:FREQ=MONTHLY;COUNT=3\nRRULE:FREQ=MONTHLY;BYMONTHDAY=15;COUNT=2\nRDATE;VALUE=DATE:20260320,20260321\nEXDATE;VALUE=DATE:20260401,20260321\nEXDATE;VALUE=DATE:20260415\nEND:VEVENT\n",
    ));
    assert_eq!(
        dates(&r, utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0)),
        ["2026-03-01", "2026-03-15", "2026-03-20", "2026-05-01"]
    );
}

#[test]
fn rdate_period_gives_its_own_length_and_zoned_rdates_convert() {
    let r = record(
        "BEGIN:VEVENT\nUID:a\nDTSTART:20260201T100000Z\nDTEND:20260201T110000Z\nRDATE;VALUE=PERIOD:20260210T100000Z/PT3H,20260211T100000Z/20260211T120000Z\nRDATE;TZID=America/New_York:20260220T090000\nEND:VEVENT\n",
    );
    let occ = occurrences(
        &r,
        utc(2026, 1, 1, 0, 0),
        utc(2027, 1, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    let lens: Vec<i64> = occ
        .iter()
        .map(|o| (o.end - o.start).num_minutes())
        .collect();
    assert_eq!(lens, [60, 180, 120, 60]);
    assert_eq!(occ[3].start.with_timezone(&Utc), utc(2026, 2, 20, 14, 0));
}

#[test]
fn exdate_date_excludes_a_timed_day_and_datetime_exdates_per_line() {
    let r = record(
        "BEGIN:VEVENT\nUID:a\nDTSTART:20260105T100000Z\nRRULE:FREQ=DAILY;COUNT=5\nEXDATE;VALUE=DATE:20260106\nEXDATE:20260107T100000Z,20260108T100000Z\nEND:VEVENT\n",
    );
    assert_eq!(
        starts(&r, utc(2026, 1, 1, 0, 0), utc(2026, 2, 1, 0, 0)),
        ["2026-01-05T10:00", "2026-01-09T10:00"]
    );
}

const SERIES: &str = "BEGIN:VEVENT\nUID:s\nDTSTART:20260105T100000Z\nDTEND:20260105T110000Z\nRRULE:FREQ=WEEKLY;COUNT=6\nEND:VEVENT\n";

#[test]
fn overrides_move_into_and_out_of_the_window_and_cancel() {
    let text = cal(&format!(
        "{SERIES}BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20260112T100000Z\nDTSTART:20260301T100000Z\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20260119T100000Z\nDTSTART:20260119T100000Z\nSTATUS:CANCELLED\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20260601T100000Z\nDTSTART:20260110T080000Z\nEND:VEVENT\n"
    ));
    let r = record(&text);
    // January: the moved-out instance is gone, the cancelled one is listed and
    // flagged; an override whose original slot is in June moved into the window.
    let jan = occurrences(
        &r,
        utc(2026, 1, 1, 0, 0),
        utc(2026, 2, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    let v: Vec<String> = jan
        .iter()
        .map(|o| o.start.format("%m-%dT%H").to_string())
        .collect();
    assert_eq!(v, ["01-05T10", "01-10T08", "01-19T10", "01-26T10"]);
    assert_eq!(jan[1].override_index, Some(2));
    let cancelled: Vec<bool> = jan.iter().map(|o| o.cancelled).collect();
    assert_eq!(cancelled, [false, false, true, false]);
    assert_eq!(jan[2].override_index, Some(1));
    // The moved one shows up in March, keeping its length from the master.
    let mar = occurrences(
        &r,
        utc(2026, 3, 1, 0, 0),
        utc(2026, 3, 2, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(mar.len(), 1);
    assert_eq!((mar[0].end - mar[0].start).num_minutes(), 60);
    assert_eq!(
        mar[0].recurrence_id.as_deref(),
        Some("2026-01-12T10:00:00+00:00")
    );
}

#[test]
fn this_and_future_shifts_later_instances() {
    let text = cal(&format!(
        "{SERIES}BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260119T100000Z\nDTSTART:20260119T140000Z\nDTEND:20260119T163000Z\nEND:VEVENT\n"
    ));
    let r = record(&text);
    let occ = occurrences(
        &r,
        utc(2026, 1, 1, 0, 0),
        utc(2026, 3, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    let v: Vec<String> = occ
        .iter()
        .map(|o| o.start.format("%m-%dT%H").to_string())
        .collect();
    assert_eq!(
        v,
        [
            "01-05T10", "01-12T10", "01-19T14", "01-26T14", "02-02T14", "02-09T14"
        ]
    );
    assert!(
        occ[3..]
            .iter()
            .all(|o| (o.end - o.start).num_minutes() == 150)
    );
    assert!(occ[3..].iter().all(|o| o.override_index == Some(0)));
    // A window holding only shifted instances still finds them.
    let late = starts(&r, utc(2026, 2, 9, 13, 0), utc(2026, 2, 9, 15, 0));
    assert_eq!(late, ["2026-02-09T14:00"]);
}

#[test]
fn floating_events_follow_the_viewer_zone() {
    let r = record(
        "BEGIN:VEVENT\nUID:f\nDTSTART:20260310T090000\nRRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT\n",
    );
    let tokyo = occurrences(
        &r,
        utc(2026, 3, 1, 0, 0),
        utc(2026, 4, 1, 0, 0),
        crate::model::zonedb::Tz::known("Asia/Tokyo"),
    )
    .unwrap();
    assert_eq!(tokyo[0].start.with_timezone(&Utc), utc(2026, 3, 10, 0, 0));
    assert_eq!(tokyo[0].start.offset().local_minus_utc(), 9 * 3600);
}

#[test]
fn all_day_events_span_whole_days() {
    let r = record(
        "BEGIN:VEVENT\nUID:d\nDTSTART;VALUE=DATE:20260310\nDTEND;VALUE=DATE:20260312\nRRULE:FREQ=YEARLY\nEND:VEVENT\n",
    );
    let occ = occurrences(
        &r,
        utc(2027, 3, 11, 12, 0),
        utc(2027, 3, 11, 13, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(occ.len(), 1);
    assert!(occ[0].all_day);
    assert_eq!(occ[0].recurrence_id.as_deref(), Some("2027-03-10"));
    assert_eq!((occ[0].end - occ[0].start).num_days(), 2);
}

#[test]
fn vtimezone_only_zone_changes_offset_at_its_dst_rules() {
    let text = cal(
        "BEGIN:VTIMEZONE\nTZID:Office Time\nBEGIN:DAYLIGHT\nDTSTART:19810329T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nEND:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19961027T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\nEND:VTIMEZONE\n\
        BEGIN:VEVENT\nUID:z\nDTSTART;TZID=Office Time:20261024T090000\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n",
    );
    let r = record(&text);
    assert_eq!(r.body.timezones.len(), 1);
    let occ = occurrences(
        &r,
        utc(2026, 10, 1, 0, 0),
        utc(2026, 11, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    let v: Vec<String> = occ.iter().map(|o| o.start.to_rfc3339()).collect();
    assert_eq!(
        v,
        [
            "2026-10-24T09:00:00+02:00",
            "2026-10-25T09:00:00+01:00",
            "2026-10-26T09:00:00+01:00"
        ]
    );
}

#[test]
fn windows_zone_names_and_utc() {
    let r = record(
        "BEGIN:VEVENT\nUID:w\nDTSTART;TZID=Pacific Standard Time:20260305T090000\nRRULE:FREQ=WEEKLY;COUNT=2\nEND:VEVENT\n",
    );
    // US DST starts 2026-03-08: 17:00Z then 16:00Z.
    assert_eq!(
        starts(&r, utc(2026, 3, 1, 0, 0), utc(2026, 4, 1, 0, 0)),
        ["2026-03-05T17:00", "2026-03-12T16:00"]
    );
    let r = record(
        "BEGIN:VEVENT\nUID:u\nDTSTART:20260305T090000Z\nRRULE:FREQ=WEEKLY;COUNT=2\nEND:VEVENT\n",
    );
    assert_eq!(
        starts(&r, utc(2026, 3, 1, 0, 0), utc(2026, 4, 1, 0, 0)),
        ["2026-03-05T09:00", "2026-03-12T09:00"]
    );
}

#[test]
fn tasks_repeat_from_dtstart_or_due() {
    let t = record(
        "BEGIN:VTODO\nUID:t\nDUE;VALUE=DATE:20260105\nRRULE:FREQ=WEEKLY;COUNT=2\nEND:VTODO\n",
    );
    assert_eq!(t.kind, crate::model::Kind::Task);
    assert_eq!(
        dates(&t, utc(2026, 1, 1, 0, 0), utc(2026, 2, 1, 0, 0)),
        ["2026-01-05", "2026-01-12"]
    );
}

#[test]
fn invalid_values_are_errors_not_panics() {
    for bad in [
        "DTSTART:20140230T150000Z\nRRULE:FREQ=DAILY\n",
        "DTSTART:20260101T100000Z\nRRULE:FREQ=SOMETIMES\n",
        "DTSTART:20260101T100000Z\nRDATE;VALUE=PERIOD:20260102T100000Z\n",
        "DTSTART:20260101T100000Z\nRRULE:FREQ=DAILY\nEXDATE:2026-01-02\n",
    ] {
        // Built without the reader, which would already reject these.
        let text = format!("BEGIN:VEVENT\nUID:x\n{bad}END:VEVENT\n");
        let main = crate::formats::contentline::parse(&text).unwrap().remove(0);
        let mut r = Record::new(crate::model::Kind::Event, "c");
        r.body.main = main;
        let e = occurrences(
            &r,
            utc(2026, 1, 1, 0, 0),
            utc(2027, 1, 1, 0, 0),
            crate::model::zonedb::UTC,
        );
        assert!(e.is_err(), "{bad}");
    }
}

#[test]
fn all_day_series_match_exdates_and_overrides_by_day() {
    let r = record(&cal(
        "BEGIN:VEVENT\nUID:d\nDTSTART;VALUE=DATE:20260105\nRRULE:FREQ=DAILY;COUNT=4\nEXDATE:20260106T000000Z\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:d\nRECURRENCE-ID;TZID=W. Europe Standard Time:20260107T000000\nDTSTART;VALUE=DATE:20260110\nEND:VEVENT\n",
    ));
    assert_eq!(
        dates(&r, utc(2026, 1, 1, 0, 0), utc(2026, 2, 1, 0, 0)),
        ["2026-01-05", "2026-01-08", "2026-01-10"]
    );
}

#[test]
fn recurrence_ids_are_rfc3339_with_the_zone_offset() {
    let r = record(
        "BEGIN:VEVENT\nUID:r\nDTSTART;TZID=America/St_Johns:20260105T093007\nRRULE:FREQ=DAILY;COUNT=1\nEND:VEVENT\n",
    );
    let o = occurrences(
        &r,
        utc(2026, 1, 1, 0, 0),
        utc(2026, 2, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(
        o[0].recurrence_id.as_deref(),
        Some("2026-01-05T09:30:07-03:30")
    );
    assert_eq!(
        o[0].recurrence_id.as_deref(),
        Some(o[0].start.to_rfc3339().as_str())
    );
}

/// Issue 14 item 3: FREQ=SECONDLY from 1900 over two centuries stops at the
/// cap (the count bounds memory) and says so.
#[test]
fn a_secondly_rule_over_centuries_is_capped() {
    let r =
        record("BEGIN:VEVENT\nUID:s\nDTSTART:19000101T000000Z\nRRULE:FREQ=SECONDLY\nEND:VEVENT\n");
    let e = expand(
        &r,
        utc(1900, 1, 1, 0, 0),
        utc(2100, 1, 1, 0, 0),
        crate::model::zonedb::UTC,
        1000,
    )
    .unwrap();
    assert_eq!(e.occurrences.len(), 1000);
    assert!(e.truncated);
    assert_eq!(
        e.occurrences[999].start.with_timezone(&Utc),
        utc(1900, 1, 1, 0, 16) + chrono::Duration::seconds(39)
    );
    // The default cap applies to every caller.
    let all = occurrences(
        &r,
        utc(1900, 1, 1, 0, 0),
        utc(2100, 1, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(all.len(), DEFAULT_LIMIT);
    // A window far from DTSTART starts there, not in 1900.
    let late = expand(
        &r,
        utc(2026, 1, 1, 0, 0),
        utc(2026, 1, 2, 0, 0),
        crate::model::zonedb::UTC,
        10,
    )
    .unwrap();
    assert_eq!(
        late.occurrences[0].start.with_timezone(&Utc),
        utc(2026, 1, 1, 0, 0)
    );
    // Under the cap: complete, not truncated.
    let hour = expand(
        &r,
        utc(2026, 1, 1, 0, 0),
        utc(2026, 1, 1, 1, 0),
        crate::model::zonedb::UTC,
        10_000,
    )
    .unwrap();
    assert_eq!((hour.occurrences.len(), hour.truncated), (3600, false));
}

/// A COUNT that must be counted from 1900, and a year with every second as a
/// candidate: the work budget ends them (truncated) instead of running for hours
/// or holding 31 million candidates.
#[test]
fn rules_that_need_unbounded_work_are_cut_short() {
    let counted = record(
        "BEGIN:VEVENT\nUID:c\nDTSTART:19000101T000000Z\nRRULE:FREQ=SECONDLY;COUNT=4000000000\nEND:VEVENT\n",
    );
    let e = expand(
        &counted,
        utc(2090, 1, 1, 0, 0),
        utc(2090, 1, 2, 0, 0),
        crate::model::zonedb::UTC,
        10,
    )
    .unwrap();
    assert!(e.truncated && e.occurrences.is_empty());
    let every_second = (0..60).map(|n| n.to_string()).collect::<Vec<_>>().join(",");
    let hours = (0..24).map(|n| n.to_string()).collect::<Vec<_>>().join(",");
    let yearly = record(&format!(
        "BEGIN:VEVENT\nUID:y\nDTSTART:20260101T000000Z\nRRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28;BYHOUR={hours};BYMINUTE={every_second};BYSECOND={every_second}\nEND:VEVENT\n"
    ));
    let e = expand(
        &yearly,
        utc(2026, 1, 1, 0, 0),
        utc(2026, 1, 1, 0, 1),
        crate::model::zonedb::UTC,
        100,
    )
    .unwrap();
    assert_eq!(e.occurrences.len(), 60);
    assert!(e.truncated);
}

#[test]
fn cancelled_series_and_this_and_future_are_flagged_not_dropped() {
    let text = cal(&format!(
        "{SERIES}BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260126T100000Z\nDTSTART:20260126T100000Z\nSTATUS:CANCELLED\nEND:VEVENT\n"
    ));
    let r = record(&text);
    let all = occurrences(
        &r,
        utc(2026, 1, 1, 0, 0),
        utc(2026, 3, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    let flags: Vec<bool> = all.iter().map(|o| o.cancelled).collect();
    // Six weekly instances from 5 Jan: the override cancels the 26th and later.
    assert_eq!(flags, [false, false, false, true, true, true]);
    let whole = cal(&SERIES.replace("END:VEVENT", "STATUS:CANCELLED\nEND:VEVENT"));
    let all = occurrences(
        &record(&whole),
        utc(2026, 1, 1, 0, 0),
        utc(2026, 3, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(all.len(), 6);
    assert!(all.iter().all(|o| o.cancelled));
}

/// An occurrence whose wall time falls in a DST gap (02:30 on the spring-forward day)
/// happens at 03:30; an override or EXDATE naming it by that resolved time (as `pim edit
/// --occurrence` and other clients write it) replaces it rather than doubling it.
#[test]
fn override_and_exdate_of_an_occurrence_in_a_dst_gap_replace_it() {
    let series = "BEGIN:VEVENT\nUID:g\nSUMMARY:dst\nDTSTART;TZID=Europe/Berlin:20260328T023000\nDTEND;TZID=Europe/Berlin:20260328T033000\nRRULE:FREQ=DAILY;COUNT=3\n";
    let edited = record(&format!(
        "{series}END:VEVENT\nBEGIN:VEVENT\nUID:g\nSUMMARY:gap\nRECURRENCE-ID;TZID=Europe/Berlin:20260329T033000\nDTSTART;TZID=Europe/Berlin:20260329T033000\nDTEND;TZID=Europe/Berlin:20260329T043000\nEND:VEVENT\n"
    ));
    let v = starts(&edited, utc(2026, 3, 27, 0, 0), utc(2026, 4, 1, 0, 0));
    assert_eq!(
        v,
        ["2026-03-28T01:30", "2026-03-29T01:30", "2026-03-30T00:30"]
    );
    let excluded = record(&format!(
        "{series}EXDATE;TZID=Europe/Berlin:20260329T033000\nEND:VEVENT\n"
    ));
    let v = starts(&excluded, utc(2026, 3, 27, 0, 0), utc(2026, 4, 1, 0, 0));
    assert_eq!(v, ["2026-03-28T01:30", "2026-03-30T00:30"]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// `to_utc_exact` says "exact" only when the instant's wall time is the one
    /// asked for: the expansion then skips looking it up again.
    #[test]
    fn an_exact_instant_has_the_asked_wall_time(
        zone in 0usize..5,
        minutes in 0i64..(120 * 366 * 24 * 60),
    ) {
        use super::zone::Zone;
        let zones = [
            Zone::Utc,
            Zone::Iana(crate::model::zonedb::Tz::known("Europe/Berlin")),
            Zone::Iana(crate::model::zonedb::Tz::known("America/New_York")),
            Zone::Local(crate::model::zonedb::Tz::known("Australia/Lord_Howe")),
            Zone::Iana(crate::model::zonedb::Tz::known("Asia/Tokyo")),
        ];
        let base = chrono::NaiveDate::from_ymd_opt(1930, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let w = base + chrono::Duration::minutes(minutes);
        let z = &zones[zone];
        let (t, off, exact) = z.to_utc_exact(w);
        proptest::prop_assert_eq!((t, off), z.to_utc_with_offset(w));
        proptest::prop_assert_eq!(t, z.to_utc(w));
        if exact {
            proptest::prop_assert_eq!(z.wall(t), w);
        }
    }
}

#[test]
fn unnamed_occurrences_come_in_the_order_named_ones_do() {
    // Two overrides moved onto one start: named, the earlier RECURRENCE-ID comes
    // first, whatever the order of the overrides.
    let text = cal(&format!(
        "{SERIES}BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20260119T100000Z\nDTSTART:20260110T080000Z\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20260112T100000Z\nDTSTART:20260110T080000Z\nEND:VEVENT\n"
    ));
    let r = record(&text);
    let (from, to) = (utc(2026, 1, 1, 0, 0), utc(2026, 2, 1, 0, 0));
    let named = expand(&r, from, to, crate::model::zonedb::UTC, 100).unwrap();
    let unnamed = expand_unnamed(&r, from, to, crate::model::zonedb::UTC, 100).unwrap();
    let order = |e: &Expansion| -> Vec<_> {
        e.occurrences
            .iter()
            .map(|o| (o.start, o.override_index))
            .collect()
    };
    assert_eq!(
        order(&named)[1..3],
        [
            (utc(2026, 1, 10, 8, 0).fixed_offset(), Some(1)),
            (utc(2026, 1, 10, 8, 0).fixed_offset(), Some(0)),
        ]
    );
    assert_eq!(order(&unnamed), order(&named));
    // Without two at once, none is named.
    let plain = record(&cal(SERIES));
    let unnamed = expand_unnamed(&plain, from, to, crate::model::zonedb::UTC, 100).unwrap();
    let named = expand(&plain, from, to, crate::model::zonedb::UTC, 100).unwrap();
    assert_eq!(order(&unnamed), order(&named));
    assert!(
        unnamed
            .occurrences
            .iter()
            .all(|o| o.recurrence_id.is_none())
    );
    assert!(named.occurrences.iter().all(|o| o.recurrence_id.is_some()));
}
