//! Issue 15: cancelled items are listed and marked (one rule for overrides, single
//! events and series), and text output shows an all-day event's inclusive last day
//! while JSON keeps iCalendar's exclusive `end`.

use crate::support::corpus::corpus;
use crate::support::pim::Pim;

fn imported(file: &str) -> Pim {
    let pim = Pim::new().tz("UTC");
    let path = corpus(&format!("ics/{file}"));
    pim.ok(&["import", &path.to_string_lossy()]);
    pim
}

/// The text row of the listing that mentions `needle` (exactly one).
fn row<'a>(text: &'a str, needle: &str) -> &'a str {
    let rows: Vec<&str> = text.lines().filter(|l| l.contains(needle)).collect();
    assert_eq!(rows.len(), 1, "{needle}: {text}");
    rows[0]
}

#[test]
fn cancelled_overrides_single_events_and_series_are_all_listed_and_marked() {
    let pim = imported("pim--cancelled.ics");
    let window = [
        "list",
        "events",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
    ];
    let text = pim.ok(&window);
    assert!(row(&text, "Cancelled talk").contains("[cancelled] Cancelled talk"));
    let course: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Cancelled course"))
        .collect();
    assert_eq!(course.len(), 2, "{text}");
    assert!(course.iter().all(|l| l.contains("[cancelled]")), "{text}");
    // The series keeps all three weeks; only the 16th is marked.
    let reviews: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Weekly review"))
        .collect();
    assert_eq!(reviews.len(), 3, "{text}");
    for l in &reviews {
        assert_eq!(
            l.contains("[cancelled]"),
            l.contains("2026-03-16"),
            "{text}"
        );
    }

    let mut json_args = window.to_vec();
    json_args.push("--json");
    let items = pim.json_list(&json_args);
    let status_of = |summary: &str, day: &str| -> Vec<String> {
        items
            .iter()
            .filter(|v| v["summary"] == summary && v["start"].as_str().unwrap().starts_with(day))
            .map(|v| v["status"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(status_of("Weekly review", "2026-03-16"), ["CANCELLED"]);
    assert_eq!(status_of("Weekly review", "2026-03-09"), [""]);
    assert_eq!(status_of("Cancelled talk", "2026-03-02"), ["CANCELLED"]);
}

#[test]
fn all_day_text_shows_the_last_day_and_json_keeps_the_exclusive_end() {
    let pim = imported("pim--all-day-holiday.ics");
    let text = pim.ok(&[
        "list",
        "events",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
    ]);
    let eve = row(&text, "Christmas Eve");
    assert!(eve.contains("2026-12-24"), "{text}");
    assert!(!eve.contains("2026-12-25"), "{text}");
    let trip = row(&text, "Trip");
    assert!(
        trip.contains("2026-12-28") && trip.contains("2026-12-30"),
        "{text}"
    );
    assert!(!trip.contains("2026-12-31"), "{text}");

    let items = pim.json_list(&["list", "events", "--json"]);
    let eve = items
        .iter()
        .find(|v| v["summary"] == "Christmas Eve")
        .unwrap();
    assert_eq!(eve["end"], "2026-12-25", "{eve}");
    let id = eve["id"].as_str().unwrap().to_string();
    let shown = pim.ok(&["show", &id]);
    assert!(row(&shown, "End ").contains("2026-12-24"), "{shown}");
    assert_eq!(pim.json(&["show", &id, "--json"])["end"], "2026-12-25");
}

#[test]
fn a_parameter_without_equals_is_exported_quoted_not_as_type() {
    let pim = imported("pim--parameter-without-equals.ics");
    let ics = pim.ok(&["export", "events"]);
    assert!(!ics.contains("TYPE="), "{ics}");
    assert!(
        ics.contains("ORGANIZER;CN=\"Society; 2014\":mailto:a@b.c"),
        "{ics}"
    );
}
