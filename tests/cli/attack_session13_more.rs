//! More attacks of session 13 (see attack_session13.rs): each test is a bug found
//! by playing a hostile file, user or process.

use crate::support::pim::Pim;

/// `pim agenda --days 100000000` panicked ("NaiveDate + TimeDelta overflowed",
/// exit 101): the days were added before the agenda was held to the calendar's
/// end. Any count of days lists up to the year 9999.
#[test]
fn an_agenda_of_any_length_ends_with_the_calendar() {
    let pim = Pim::new().env("PIM_NOW", "2026-12-01T08:00:00Z");
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Soon",
        "--start",
        "2026-12-02 10:00",
    ]);
    for days in ["100000000", "4294967295"] {
        let out = pim.ok(&["agenda", "--days", days]);
        assert!(out.contains("Soon"), "{days}: {out}");
        pim.json(&["agenda", "--days", days, "--json"]);
    }
}
