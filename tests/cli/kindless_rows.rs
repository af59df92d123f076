//! Rows whose kind is not one pim knows (text another program wrote, or bytes): no
//! reader asks for them by kind, so every reader that walks the records names them
//! (a backup by `export all` would otherwise lose them without a word), and the
//! advice in that warning works.

use crate::support::pim::Pim;

fn profile() -> (Pim, String) {
    let pim = Pim::new();
    pim.ok(&["add", "contact", "--name", "Ada Lovelace"]);
    let task = pim.ok(&["add", "task", "--summary", "Pay rent"]);
    pim.ok(&["add", "note", "--title", "Ideas", "--body", "first idea"]);
    (pim, task.trim().to_string())
}

#[allow(clippy::disallowed_types)] // damages the file from outside, as another program would
fn sql(pim: &Pim, statements: &str) {
    let db = rusqlite::Connection::open(pim.path("pim.sqlite3")).unwrap();
    db.execute_batch(statements).unwrap();
}

/// Every reader that walks records: it succeeds, and its stderr.
fn readers(pim: &Pim) -> Vec<(String, String)> {
    let commands: [&[&str]; 9] = [
        &["list", "contacts"],
        &["list", "tasks", "--json"],
        &["list", "notes"],
        &[
            "list",
            "events",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
        ],
        &["search", "rent"],
        &["export", "all", "--format", "json"],
        &["export", "tasks", "--format", "ics"],
        &["export", "contacts", "--format", "vcf"],
        &["agenda", "--days", "3"],
    ];
    commands
        .iter()
        .map(|args| {
            let o = pim.run(args);
            let err = String::from_utf8_lossy(&o.stderr).to_string();
            assert!(o.status.success(), "{args:?}: {err}");
            (args.join(" "), err)
        })
        .collect()
}

#[test]
fn a_row_of_an_unknown_kind_is_named_by_every_reader_and_removed_as_named() {
    let (pim, task) = profile();
    sql(
        &pim,
        &format!("UPDATE records SET kind = 'bogus' WHERE id = '{task}'"),
    );
    for (args, err) in readers(&pim) {
        assert!(
            err.contains(&format!("{task}: its kind \"bogus\" is not one pim knows"))
                && err.contains(&format!("`pim delete {task}`")),
            "{args}: {err}"
        );
    }
    // `show` names it and why.
    let err = pim.fails(&["show", &task]);
    assert!(
        err.contains(&task) && err.contains("its kind \"bogus\" is not one pim knows"),
        "{err}"
    );
    // The advice works: the row is removed, nothing logged for other devices (they
    // never had a record of that kind).
    let out = pim.ok(&["delete", &task]);
    assert!(out.contains("removed") && out.contains("bogus"), "{out}");
    for (args, err) in readers(&pim) {
        assert!(err.is_empty(), "{args}: {err}");
    }
    let log = pim.ok(&["log", "--json"]);
    let logged = format!("\"record_id\":\"{task}\"");
    assert_eq!(log.matches(&logged).count(), 1, "its create alone: {log}");
    assert!(log.contains("Pay rent"), "the create keeps its body: {log}");
    assert_eq!(
        pim.json_list(&["export", "all", "--format", "json"]).len(),
        2
    );
}

#[test]
fn a_kind_spelled_otherwise_is_named_shown_and_healed_by_an_edit() {
    let (pim, task) = profile();
    let contact = pim.json_list(&["list", "contacts", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    sql(
        &pim,
        &format!(
            "UPDATE records SET kind = CAST('task' AS BLOB) WHERE id = '{task}';
             UPDATE records SET kind = 'Contact' WHERE id = '{contact}';"
        ),
    );
    for (args, err) in readers(&pim) {
        assert!(
            err.contains(&format!(
                "{task}: its kind is not text (bytes reading \"task\"; any `pim edit` of it \
                 writes it as text)"
            )) && err.contains(&format!(
                "{contact}: its kind \"Contact\" is not written as pim writes it \
                 (\"contact\"; any `pim edit` of it writes it so)"
            )),
            "{args}: {err}"
        );
    }
    // Read by its id, each is the record it was; an edit writes it whole again.
    assert!(pim.ok(&["show", &task]).contains("Pay rent"));
    assert!(pim.ok(&["show", &contact]).contains("Ada Lovelace"));
    pim.ok(&["edit", &task, "--set", "summary=Pay the rent"]);
    pim.ok(&["edit", &contact, "--set", "full_name=Ada King"]);
    for (args, err) in readers(&pim) {
        assert!(err.is_empty(), "{args}: {err}");
    }
    assert!(pim.ok(&["list", "tasks"]).contains("Pay the rent"));
    assert!(pim.ok(&["list", "contacts"]).contains("Ada King"));
}

/// A row of an unknown kind whose body is not text either: `pim delete` removes it
/// (its logged create, which would take the body, keeps what it had).
#[test]
fn a_row_of_an_unknown_kind_and_a_body_not_text_is_removed_as_named() {
    let (pim, task) = profile();
    sql(
        &pim,
        &format!("UPDATE records SET kind = 'bogus', data = x'00ff' WHERE id = '{task}'"),
    );
    let out = pim.ok(&["delete", &task]);
    assert!(out.contains("removed") && out.contains("bogus"), "{out}");
    for (args, err) in readers(&pim) {
        assert!(err.is_empty(), "{args}: {err}");
    }
}
