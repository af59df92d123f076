//! `pim demo`: loads the demo set into a chosen --home, refuses a non-empty database.

use std::process::Command;

fn pim(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pim"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

fn count(home: &std::path::Path, kind: &str) -> usize {
    let o = pim(home, &["list", kind, "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice::<serde_json::Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn demo_fills_a_fresh_profile_once() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("fresh");
    let o = pim(&home, &["demo"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("loaded "));
    let contacts = count(&home, "contacts");
    assert!(contacts >= 8);
    assert!(count(&home, "tasks") >= 9);
    assert!(count(&home, "notes") >= 4);
    // Events fall in the current month, so a window around today finds some.
    let o = pim(
        &home,
        &["list", "events", "--from=-7d", "--to=+21d", "--json"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let events: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(events.as_array().unwrap().len() >= 8, "{events}");

    let again = pim(&home, &["demo"]);
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("already holds") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        count(&home, "contacts"),
        contacts,
        "nothing written on refusal"
    );

    let forced = pim(&home, &["demo", "--force"]);
    assert!(forced.status.success());
    assert_eq!(count(&home, "contacts"), contacts * 2);
}
