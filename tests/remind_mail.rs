//! Issue 17: a reminder dismissed on one device stops on the other after a sync
//! through a real Dovecot (the dismissal is an ordinary change of the record).

mod support;

use support::mailserver::MailServer;
use support::pim::Pim;

/// The same profile with the clock at `now`.
fn at(pim: &Pim, now: &str) -> Pim {
    Pim::at(pim.home()).env("PIM_NOW", now)
}

fn due(pim: &Pim, now: &str) -> Vec<String> {
    at(pim, now)
        .json_list(&["remind", "--json"])
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["summary"].as_str().unwrap(),
                r["trigger"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_dismissal_syncs_to_the_second_device_and_the_next_occurrence_still_rings() {
    let server = MailServer::shared();
    let laptop = Pim::mail_profile(server, "dave", "newest");
    let desktop = Pim::mail_profile(server, "dave", "newest");
    let id = laptop
        .ok(&[
            "add",
            "event",
            "--summary",
            "Weekly",
            "--start",
            "2026-12-03 10:00",
            "--rrule",
            "weekly",
            "--alarm",
            "-15m",
        ])
        .trim()
        .to_string();
    let out = laptop.ok(&["sync", "init", "--device-name", "laptop"]);
    let key = out.trim_end().lines().last().unwrap().to_string();
    desktop.ok(&["sync", "join", "--key", &key, "--device-name", "desktop"]);

    let now = "2026-12-03T09:50:00Z";
    assert_eq!(due(&desktop, now), ["Weekly 2026-12-03T09:45:00Z"]);
    at(&laptop, now).ok(&["remind", "dismiss", &id]);
    assert!(due(&laptop, now).is_empty());
    assert_eq!(due(&desktop, now), ["Weekly 2026-12-03T09:45:00Z"]);

    laptop.ok(&["sync"]);
    desktop.ok(&["sync"]);
    assert!(due(&desktop, now).is_empty());
    // The next Thursday rings on both.
    let next = "2026-12-10T09:46:00Z";
    assert_eq!(due(&desktop, next), ["Weekly 2026-12-10T09:45:00Z"]);
    assert_eq!(due(&laptop, next), ["Weekly 2026-12-10T09:45:00Z"]);

    // A snooze on the desktop travels the other way.
    at(&desktop, next).ok(&["remind", "snooze", &id, "10m"]);
    desktop.ok(&["sync"]);
    laptop.ok(&["sync"]);
    assert!(due(&laptop, "2026-12-10T09:50:00Z").is_empty());
    assert_eq!(
        due(&laptop, "2026-12-10T09:57:00Z"),
        ["Weekly 2026-12-10T09:56:00Z"]
    );
}

/// A birthday reminder's setting (the address book's default alarms) and its
/// dismissal (a change of the contact) both travel.
#[test]
fn a_birthday_dismissal_syncs_and_next_years_still_rings() {
    let server = MailServer::shared();
    let laptop = Pim::mail_profile(server, "carol", "newest");
    let desktop = Pim::mail_profile(server, "carol", "newest");
    let id = laptop
        .ok(&[
            "add",
            "contact",
            "--name",
            "Ada",
            "--birthday",
            "1985-12-08",
        ])
        .trim()
        .to_string();
    laptop.ok(&["collections", "set", "Birthdays", "--default-alarm", "-15h"]);
    let out = laptop.ok(&["sync", "init", "--device-name", "laptop"]);
    let key = out.trim_end().lines().last().unwrap().to_string();
    desktop.ok(&["sync", "join", "--key", &key, "--device-name", "desktop"]);

    let now = "2026-12-07T09:05:00Z";
    assert_eq!(
        due(&desktop, now),
        ["Ada's birthday (41) 2026-12-07T09:00:00Z"]
    );
    at(&laptop, now).ok(&["remind", "dismiss", &id]);
    laptop.ok(&["sync"]);
    desktop.ok(&["sync"]);
    assert!(due(&desktop, now).is_empty());
    assert_eq!(
        due(&desktop, "2027-12-07T09:05:00Z"),
        ["Ada's birthday (42) 2027-12-07T09:00:00Z"]
    );
}
