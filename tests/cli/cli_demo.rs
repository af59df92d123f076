//! `pim demo`: loads the demo set into a chosen --home, refuses a non-empty database.

use crate::support::pim::Pim;

fn count(pim: &Pim, kind: &str) -> usize {
    pim.json_list(&["list", kind, "--json"]).len()
}

#[test]
fn demo_fills_a_fresh_profile_once() {
    let dir = tempfile::tempdir().unwrap();
    let pim = Pim::at(&dir.path().join("fresh"));
    let o = pim.run(&["demo"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("loaded "));
    let contacts = count(&pim, "contacts");
    assert!(contacts >= 8);
    assert!(count(&pim, "tasks") >= 9);
    assert!(count(&pim, "notes") >= 4);
    // Events fall in the current month, so a window around today finds some.
    let events = pim.json_list(&["list", "events", "--from=-7d", "--to=+21d", "--json"]);
    assert!(events.len() >= 8, "{events:?}");

    let again = pim.run(&["demo"]);
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("already holds") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        count(&pim, "contacts"),
        contacts,
        "nothing written on refusal"
    );

    let forced = pim.run(&["demo", "--force"]);
    assert!(forced.status.success());
    assert_eq!(count(&pim, "contacts"), contacts * 2);
}
