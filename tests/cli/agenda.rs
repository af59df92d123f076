//! Issue 17, "People and their days" and "An agenda": birthdays as a computed
//! calendar, a contact's events in `pim show`, `pim agenda` and `--next`.

use chrono::{Datelike, Duration, NaiveDate, Utc};

use crate::support::pim::Pim;

fn ics_time(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Import one calendar file written for the test.
fn import(pim: &Pim, name: &str, text: &str) {
    let path = pim.path(name);
    std::fs::write(&path, text).unwrap();
    pim.ok(&["import", &path.to_string_lossy()]);
}

fn vevent(uid: &str, summary: &str, start: chrono::DateTime<Utc>, extra: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:{summary}\r\n\
         DTSTART:{}\r\nDURATION:PT1H\r\n{extra}END:VEVENT\r\n",
        ics_time(start)
    )
}

fn calendar(events: &[String]) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{}END:VCALENDAR\r\n",
        events.concat()
    )
}

#[test]
fn birthdays_are_a_read_only_calendar_with_ages_and_leap_days() {
    let pim = Pim::new();
    let ada = pim.ok(&[
        "add",
        "contact",
        "--name",
        "Ada Lovelace",
        "--birthday",
        "2000-02-29",
    ]);
    let ada = ada.trim();
    let vcf = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bea Nobirthyear\r\nBDAY:--0301\r\n\
               ANNIVERSARY:20170228\r\nEND:VCARD\r\n";
    let path = pim.path("bea.vcf");
    std::fs::write(&path, vcf).unwrap();
    pim.ok(&["import", &path.to_string_lossy()]);
    let window = [
        "list",
        "events",
        "--from",
        "2027-02-01",
        "--to",
        "2027-03-31",
    ];
    let text = pim.ok(&window);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].contains("2027-02-28"), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("2027-02-28")
                && l.contains("[birthday] Ada Lovelace's birthday (27)")),
        "29 February on the 28th in a common year: {text}"
    );
    assert!(
        lines.iter().any(|l| l.contains("2027-02-28")
            && l.contains("[anniversary] Anniversary of Bea Nobirthyear (10 years)")),
        "{text}"
    );
    assert!(
        lines[2].contains("2027-03-01") && lines[2].ends_with("Bea Nobirthyear's birthday"),
        "no year, no age: {text}"
    );
    // In a leap year, the day itself.
    let leap = pim.ok(&[
        "list",
        "events",
        "--from",
        "2028-02-01",
        "--to",
        "2028-02-29",
    ]);
    assert!(
        leap.contains("2028-02-29") && leap.contains("(28)"),
        "{leap}"
    );

    let mut json_args = window.to_vec();
    json_args.push("--json");
    let items = pim.json_list(&json_args);
    let ada_day = items
        .iter()
        .find(|i| i["contact"] == ada)
        .expect("Ada's birthday in JSON");
    assert_eq!(ada_day["kind"], "birthday");
    assert_eq!(ada_day["collection"], "Birthdays");
    assert_eq!(ada_day["read_only"], true);
    assert_eq!(ada_day["years"], 27);
    assert_eq!(ada_day["start"], "2027-02-28");
    assert_eq!(ada_day["end"], "2027-03-01");

    // Opting out, and the computed calendar alone.
    assert_eq!(
        pim.ok(&[window.as_slice(), &["--no-birthdays"]].concat()),
        ""
    );
    let only =
        pim.json_list(&[window.as_slice(), &["--collection", "Birthdays", "--json"]].concat());
    assert_eq!(only.len(), 3);
    let calendar =
        pim.json_list(&[window.as_slice(), &["--collection", "calendar", "--json"]].concat());
    assert!(calendar.is_empty(), "{calendar:?}");
    // Nothing was copied into events.
    assert!(pim.json_list(&["list", "events", "--json"]).is_empty());
}

#[test]
fn the_agenda_groups_events_tasks_and_birthdays_by_day() {
    let pim = Pim::new();
    let now = Utc::now();
    let in_two_days = now.date_naive() + Duration::days(2);
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Design review",
        "--start",
        &in_two_days.format("%Y-%m-%d 10:00").to_string(),
        "--duration",
        "1h",
        "--location",
        "Room 4",
    ]);
    pim.ok(&[
        "add",
        "task",
        "--summary",
        "Send slides",
        "--due",
        &in_two_days.format("%Y-%m-%d 17:00").to_string(),
    ]);
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Far away",
        "--start",
        &(now.date_naive() + Duration::days(20)).to_string(),
        "--all-day",
    ]);
    let born = NaiveDate::from_ymd_opt(1990, in_two_days.month(), in_two_days.day())
        .unwrap_or(NaiveDate::from_ymd_opt(1990, 3, 1).unwrap());
    pim.ok(&[
        "add",
        "contact",
        "--name",
        "Cem",
        "--birthday",
        &born.to_string(),
    ]);
    let age = in_two_days.year() - 1990;

    let days = pim.json(&["agenda", "--json"]);
    let days = days.as_array().unwrap();
    let day = days
        .iter()
        .find(|d| d["date"] == in_two_days.to_string())
        .unwrap_or_else(|| panic!("{days:?}"));
    let items = day["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    if born.month() == in_two_days.month() && born.day() == in_two_days.day() {
        assert_eq!(kinds, ["birthday", "event", "task"], "{items:?}");
        assert_eq!(items[0]["years"], age);
    }
    let review = items.iter().find(|i| i["kind"] == "event").unwrap();
    assert_eq!(review["summary"], "Design review");
    assert_eq!(review["location"], "Room 4");
    assert!(review["start"].as_str().unwrap().contains("T10:00:00"));
    assert!(
        days.iter()
            .all(|d| d["date"] != (now.date_naive() + Duration::days(20)).to_string()),
        "7 days by default"
    );
    let wide = pim.json(&["agenda", "--days", "30", "--json"]);
    assert!(wide.to_string().contains("Far away"));

    let text = pim.ok(&["agenda"]);
    let heading = in_two_days.format("%a %Y-%m-%d").to_string();
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != heading)
        .take_while(|l| *l == heading || l.starts_with("  "))
        .collect();
    assert!(
        block
            .iter()
            .any(|l| l.contains("10:00–11:00") && l.ends_with("Design review @ Room 4")),
        "{text}"
    );
    assert!(
        block
            .iter()
            .any(|l| l.contains("due 17:00") && l.ends_with("[ ] Send slides")),
        "{text}"
    );
    let without = pim.ok(&["agenda", "--no-birthdays"]);
    assert!(!without.contains("Cem"), "{without}");
}

#[test]
fn next_prints_one_line_for_a_status_bar_and_sees_every_change() {
    let pim = Pim::new();
    assert_eq!(
        pim.ok(&["agenda", "--next"]),
        "",
        "nothing coming: nothing printed"
    );
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "All day",
        "--start",
        "today",
        "--all-day",
    ]);
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Standup",
        "--start",
        "+2h",
        "--duration",
        "15m",
    ]);
    let line = pim.ok(&["agenda", "--next"]);
    assert!(line.ends_with(" Standup\n"), "{line:?}");
    assert_eq!(line.lines().count(), 1);
    assert!(line.as_bytes()[2] == b':', "{line:?}");
    // The second call answers from the kept file; a change is still seen at once.
    assert_eq!(pim.ok(&["agenda", "--next"]), line);
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Coffee",
        "--start",
        "+1h",
        "--duration",
        "15m",
    ]);
    let templ = "{{{start:%H:%M}–{end:%H:%M}}} {summary} @{location}.";
    let custom = pim.ok(&["agenda", "--next", "--format", templ]);
    assert!(
        custom.starts_with('{') && custom.ends_with("} Coffee @.\n"),
        "{custom:?}"
    );
    let v = pim.json(&["agenda", "--next", "--json"]);
    assert_eq!(v["summary"], "Coffee");
    pim.fails_with(&["agenda", "--next", "--format", "{when}"], "unknown field");
    pim.fails_with(&["agenda", "--format", "{summary}"], "--next");
}

#[test]
fn a_contact_shows_the_events_they_attend_or_organise() {
    let pim = Pim::new();
    let now = Utc::now();
    let ada = pim.ok(&[
        "add",
        "contact",
        "--name",
        "Ada Lovelace",
        "--email",
        "ada@example.org",
    ]);
    let ada = ada.trim();
    import(
        &pim,
        "meetings.ics",
        &calendar(&[
            vevent(
                "u1",
                "Planning",
                now + Duration::days(3),
                "ORGANIZER;CN=Ada:mailto:Ada@Example.org\r\n",
            ),
            vevent(
                "u2",
                "Retro",
                now - Duration::days(4),
                "ORGANIZER:mailto:bob@example.org\r\nATTENDEE;CN=Ada:mailto:ada@example.org\r\n",
            ),
            vevent(
                "u3",
                "Not hers",
                now + Duration::days(1),
                "ATTENDEE:mailto:ada@example.net\r\n",
            ),
        ]),
    );
    let text = pim.ok(&["show", ada]);
    let after = |heading: &str| -> Vec<String> {
        text.lines()
            .skip_while(|l| *l != heading)
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .map(str::to_string)
            .collect()
    };
    let upcoming = after("Upcoming events:");
    assert_eq!(upcoming.len(), 1, "{text}");
    assert!(upcoming[0].contains("Planning  (organizer,"), "{text}");
    let recent = after("Recent events:");
    assert_eq!(recent.len(), 1, "{text}");
    assert!(recent[0].contains("Retro  (attendee,"), "{text}");
    assert!(!text.contains("Not hers"));

    let v = pim.json(&["show", ada, "--json"]);
    assert_eq!(v["events"]["upcoming"][0]["summary"], "Planning");
    assert_eq!(v["events"]["upcoming"][0]["role"], "organizer");
    assert_eq!(v["events"]["recent"][0]["summary"], "Retro");
    // An event's record has no events section.
    let event_id = pim.json_list(&["search", "Planning", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        pim.json(&["show", &event_id, "--json"])
            .get("events")
            .is_none()
    );
}

/// Reminders due now and not dismissed lead today's agenda; a dismissed one goes.
#[test]
fn the_agenda_lists_pending_reminders_first_until_dismissed() {
    let pim = Pim::new();
    let id = pim.ok(&[
        "add",
        "event",
        "--summary",
        "Dentist",
        "--start",
        "2026-12-10 10:00",
        "--location",
        "Main St 1",
        "--alarm",
        "-30m",
    ]);
    let at = |now: &str| Pim::at(pim.home()).tz(pim.time_zone()).env("PIM_NOW", now);
    let before = at("2026-12-10T09:00:00Z").ok(&["agenda", "--days", "1"]);
    assert!(!before.contains("reminder"), "{before}");
    let ringing = at("2026-12-10T09:40:00Z").ok(&["agenda", "--days", "1"]);
    let lines: Vec<&str> = ringing.lines().collect();
    assert!(lines[0].starts_with("Thu 2026-12-10"), "{ringing}");
    assert!(
        lines[1].contains("reminder") && lines[1].contains("Dentist (starts Thu 2026-12-10 10:00)"),
        "{ringing}"
    );
    assert!(
        lines[2].contains("10:00") && lines[2].contains("Dentist @ Main St 1"),
        "{ringing}"
    );
    let json = at("2026-12-10T09:40:00Z").json(&["agenda", "--days", "1", "--json"]);
    assert_eq!(json[0]["items"][0]["kind"], "reminder");
    assert_eq!(json[0]["items"][0]["id"], id.trim());
    at("2026-12-10T09:40:00Z").ok(&["remind", "dismiss", id.trim()]);
    let after = at("2026-12-10T09:41:00Z").ok(&["agenda", "--days", "1"]);
    assert!(!after.contains("reminder"), "{after}");
    assert!(after.contains("Dentist @ Main St 1"), "{after}");
}
