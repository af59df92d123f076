//! `pim list events` in a window over a few hundred events (found and written on
//! several threads, then ordered): the table lists what `--json` lists, in the same
//! order, birthdays in their place; a `--limit` cut leaves the columns as wide as
//! the rows listed.

use crate::support::pim::Pim;

/// 300 events: five on March 1st (01:00–05:00), the rest from March 2nd on, the
/// last one with a long title; a weekly series and an all-day event.
fn calendar() -> String {
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n");
    let mut event = |uid: String, summary: String, start: String, extra: &str| {
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:{summary}\r\n\
             DTSTART:{start}\r\n{extra}END:VEVENT\r\n"
        ));
    };
    for i in 0..300 {
        let (day, hour) = if i < 5 {
            (1, i + 1)
        } else {
            (2 + i % 27, i % 24)
        };
        let summary = if i == 299 {
            format!("E{i:03} {}", "long ".repeat(20))
        } else {
            format!("E{i:03}")
        };
        event(
            format!("ev-{i:03}"),
            summary,
            format!("202603{day:02}T{hour:02}0000Z"),
            "DURATION:PT30M\r\nLOCATION:Room\r\n",
        );
    }
    event(
        "weekly".into(),
        "Weekly".into(),
        "20260302T120000Z".into(),
        "DURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\n",
    );
    event(
        "holiday".into(),
        "Holiday".into(),
        "20260315".into(),
        "DTEND;VALUE=DATE:20260317\r\n",
    );
    ics.push_str("END:VCALENDAR\r\n");
    ics.replace("DTSTART:20260315\r\n", "DTSTART;VALUE=DATE:20260315\r\n")
}

fn setup() -> Pim {
    let pim = Pim::new();
    let file = pim.path("month.ics");
    std::fs::write(&file, calendar()).unwrap();
    pim.ok(&["import", file.to_str().unwrap()]);
    pim.ok(&[
        "add",
        "contact",
        "--name",
        "Ann Early",
        "--birthday",
        "1990-03-01",
    ]);
    pim.ok(&[
        "add",
        "contact",
        "--name",
        "Bo Mid",
        "--birthday",
        "1985-03-16",
    ]);
    pim
}

/// The March listing every test here reads.
const MARCH: [&str; 6] = [
    "list",
    "events",
    "--from",
    "2026-03-01",
    "--to",
    "2026-03-31",
];

#[test]
fn the_table_lists_what_json_lists_in_order() {
    let pim = setup();
    let window = MARCH;
    let text = pim.ok(&window);
    let mut json_args = window.to_vec();
    json_args.push("--json");
    let listed = pim.json_list(&json_args);
    // 300 events, 5 weekly occurrences, the holiday, two birthdays.
    assert_eq!(listed.len(), 300 + 5 + 1 + 2);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), listed.len());
    for (line, o) in lines.iter().zip(&listed) {
        let id = o["id"].as_str().unwrap();
        let id: String = id.chars().take(8).collect();
        let start = o["start"].as_str().unwrap();
        assert!(line.starts_with(&id), "{line} / {o}");
        assert!(line.contains(start), "{line} / {o}");
        assert!(line.contains(o["summary"].as_str().unwrap().trim_end()));
    }
    assert_eq!(listed[0]["summary"], "Ann Early's birthday (36)");
    assert!(lines[0].contains("[birthday] Ann Early"), "{}", lines[0]);
    let holiday = lines.iter().find(|l| l.contains("Holiday")).unwrap();
    let fields: Vec<&str> = holiday.split_whitespace().collect();
    assert_eq!(
        fields[1..],
        ["2026-03-15", "2026-03-16", "Holiday"],
        "{holiday}"
    );
}

#[test]
fn a_limit_cut_lists_and_aligns_only_the_first_occurrences() {
    let pim = setup();
    let window = MARCH;
    let mut limited = window.to_vec();
    limited.extend(["--limit", "5"]);
    let out = pim.run(&limited);
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("first 5 occurrences"), "{err}");
    // The five are all of March 1st: listed alone, they print the same lines (the
    // long title later in the month widens nothing); every birthday stays listed.
    let first_day = pim.ok(&[
        "list",
        "events",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-01",
    ]);
    assert_eq!(first_day.lines().count(), 1 + 5);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[..6], first_day.lines().collect::<Vec<_>>()[..]);
    assert_eq!(lines.len(), 6 + 1);
    assert!(lines[6].contains("[birthday] Bo Mid"), "{}", lines[6]);
    // Padded to the birthday's summary, not to the long title cut off.
    assert!(
        lines[1].ends_with("E000                                  Room"),
        "{}",
        lines[1]
    );
    assert!(!text.contains("long"));
    let mut limited_json = limited.clone();
    limited_json.push("--json");
    let listed = pim.json_list(&limited_json);
    let summaries: Vec<&str> = listed
        .iter()
        .map(|o| o["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        [
            "Ann Early's birthday (36)",
            "E000",
            "E001",
            "E002",
            "E003",
            "E004",
            "Bo Mid's birthday (41)"
        ]
    );
}
