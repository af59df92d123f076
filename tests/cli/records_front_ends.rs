//! The CLI (`pim add`, `pim edit`) and the TUI's forms are two front-ends of one
//! use case (`app::records`): the same inputs give the same stored record, the same
//! values are refused, and a form saves only the fields the user changed.

use std::path::Path;
use std::process::Command;

use chrono::{NaiveDate, Utc};
use pim::app::records::Field;
use pim::model::{Kind, Record};
use pim::store::Store;
use pim::tui::form::Form;
use pim::tui::forms::{self, FormCtx};
use pim::tui::input::LineInput;
use pim::tui::worker::{Edit, Request, Response, handle};

/// What is typed into a form: (field, text).
type FormInputs = Vec<(Field, &'static str)>;

fn pim(home: &Path, args: &[&str]) -> Result<String, String> {
    let o = Command::new(env!("CARGO_BIN_EXE_pim"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).to_string())
    }
}

fn open(home: &Path) -> Store {
    let paths = pim::config::Paths::resolve(Some(home)).unwrap();
    Store::open(&paths.database()).unwrap()
}

/// The TUI's path: a form filled in, submitted, saved by the worker.
fn tui(
    home: &Path,
    kind: Kind,
    base: Option<&Record>,
    inputs: &[(Field, &str)],
) -> Result<String, String> {
    let mut store = open(home);
    let collections = store.collections(None).unwrap();
    let ctx = FormCtx {
        collections: &collections,
        tz: pim::model::zonedb::UTC,
        now: Utc::now(),
    };
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let mut form: Form = forms::form_for(kind, base, day, &ctx);
    for (key, value) in inputs {
        let field = form
            .fields
            .iter_mut()
            .find(|f| f.key == Some(*key))
            .unwrap_or_else(|| panic!("the {kind} form shows {key:?}"));
        field.input = LineInput::new(value);
    }
    let (edit, r) = forms::apply(&form, &ctx).map_err(|e| forms::message(&e))?;
    let save = Request::Save {
        edit: Edit::Apply(edit),
        undo: false,
    };
    match handle(&mut store, save, pim::model::zonedb::UTC) {
        Response::Saved { .. } => Ok(r.id),
        Response::Error(e) => Err(e),
        // The form comes back with both values of each field that moved meanwhile.
        Response::Stale { stale, .. } => Err(stale
            .iter()
            .map(|s| {
                format!(
                    "{} changed meanwhile: {} / {}",
                    s.field.label(kind),
                    s.mine,
                    s.now
                )
            })
            .collect::<Vec<_>>()
            .join("; ")),
        other => panic!("unexpected {other:?}"),
    }
}

/// A record without what differs by nature between two creations (id, times).
fn comparable(home: &Path, id: &str) -> Vec<String> {
    let r = open(home).require(id).unwrap();
    let mut props: Vec<String> = r
        .body
        .main
        .props
        .iter()
        .filter(|p| !["UID", "DTSTAMP", "CREATED"].contains(&p.name.as_str()))
        .map(|p| format!("{p:?}"))
        .collect();
    props.sort();
    props.push(r.collection);
    props
}

#[test]
fn the_same_inputs_give_the_same_record() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let cases: Vec<(Kind, Vec<&str>, FormInputs)> = vec![
        (
            Kind::Contact,
            vec![
                "contact",
                "--name",
                "Ada King Lovelace",
                "--email",
                "ada@example.org (work)",
                "--phone",
                "+44 20 1234",
                "--org",
                "Analytical Engines",
                "--birthday",
                "1815-12-10",
                "--note",
                "first programmer",
            ],
            vec![
                (Field::FullName, "Ada King Lovelace"),
                (Field::Emails, "ada@example.org (work)"),
                (Field::Phones, "+44 20 1234"),
                (Field::Org, "Analytical Engines"),
                (Field::Birthday, "1815-12-10"),
                (Field::Note, "first programmer"),
            ],
        ),
        (
            Kind::Event,
            vec![
                "event",
                "--summary",
                "Review",
                "--start",
                "2026-12-01 10:00",
                "--end",
                "2026-12-01 11:30",
                "--location",
                "Room 4",
                "--rrule",
                "weekdays",
                "--description",
                "quarterly",
            ],
            vec![
                (Field::Summary, "Review"),
                (Field::Start, "2026-12-01 10:00"),
                (Field::End, "2026-12-01 11:30"),
                (Field::Location, "Room 4"),
                (Field::Rrule, "weekdays"),
                (Field::Description, "quarterly"),
            ],
        ),
        (
            Kind::Event,
            vec![
                "event",
                "--summary",
                "Trip",
                "--start",
                "2026-12-04",
                "--end",
                "2026-12-06",
                "--rrule",
                "daily",
            ],
            vec![
                (Field::Summary, "Trip"),
                (Field::Start, "2026-12-04"),
                (Field::End, "2026-12-06"),
                (Field::Rrule, "daily"),
            ],
        ),
        (
            Kind::Task,
            vec![
                "task",
                "--summary",
                "File taxes",
                "--due",
                "2026-12-15",
                "--priority",
                "2",
            ],
            vec![
                (Field::Summary, "File taxes"),
                (Field::Due, "2026-12-15"),
                (Field::Priority, "2"),
            ],
        ),
    ];
    for (kind, cli_args, inputs) in cases {
        let mut args = vec!["add"];
        args.extend(cli_args);
        let by_cli = pim(home, &args).unwrap();
        let by_tui = tui(home, kind, None, &inputs).unwrap();
        let cli = comparable(home, &by_cli);
        assert!(cli.len() > inputs.len(), "{kind}: {cli:?}");
        assert_eq!(cli, comparable(home, &by_tui), "{kind}: {args:?}");
    }
}

#[test]
fn the_same_values_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let cases: Vec<(Kind, Vec<&str>, FormInputs, &str)> = vec![
        // The TUI refused a space in an address, the CLI took it.
        (
            Kind::Contact,
            vec!["contact", "--name", "Ada", "--email", "ada @example.org"],
            vec![
                (Field::FullName, "Ada"),
                (Field::Emails, "ada @example.org"),
            ],
            "email",
        ),
        // The CLI took any text with a digit as a phone number.
        (
            Kind::Contact,
            vec!["contact", "--name", "Ada", "--phone", "call 5 times"],
            vec![(Field::FullName, "Ada"), (Field::Phones, "call 5 times")],
            "phone",
        ),
        // The TUI's string check took an unknown weekday.
        (
            Kind::Event,
            vec![
                "event",
                "--summary",
                "x",
                "--start",
                "2026-12-01 10:00",
                "--rrule",
                "FREQ=WEEKLY;BYDAY=XX",
            ],
            vec![
                (Field::Summary, "x"),
                (Field::Start, "2026-12-01 10:00"),
                (Field::Rrule, "FREQ=WEEKLY;BYDAY=XX"),
            ],
            "BYDAY",
        ),
        (
            Kind::Event,
            vec![
                "event",
                "--summary",
                "x",
                "--start",
                "2026-12-01 10:00",
                "--rrule",
                "fortnightly",
            ],
            vec![
                (Field::Summary, "x"),
                (Field::Start, "2026-12-01 10:00"),
                (Field::Rrule, "fortnightly"),
            ],
            "fortnightly",
        ),
        (
            Kind::Task,
            vec!["task", "--summary", "x", "--priority", "12"],
            vec![(Field::Summary, "x"), (Field::Priority, "12")],
            "12",
        ),
    ];
    for (kind, cli_args, inputs, needle) in cases {
        let mut args = vec!["add"];
        args.extend(cli_args);
        let cli = pim(home, &args).unwrap_err();
        let form = tui(home, kind, None, &inputs).unwrap_err();
        for e in [&cli, &form] {
            assert!(
                e.contains(needle),
                "{args:?}: {e:?} should mention {needle:?}"
            );
        }
    }
}

#[test]
fn a_form_saves_only_what_the_user_changed() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let id = pim(
        home,
        &["add", "contact", "--name", "Jonas Becker", "--org", "Acme"],
    )
    .unwrap();
    // The form opens, then the CLI changes the organisation.
    let seen = open(home).require(&id).unwrap();
    pim(home, &["edit", &id, "--set", "org=Globex"]).unwrap();
    tui(
        home,
        Kind::Contact,
        Some(&seen),
        &[(Field::FullName, "Jonas Becker-Wolf")],
    )
    .unwrap();
    let now = open(home).require(&id).unwrap();
    assert_eq!(now.text("FN").as_deref(), Some("Jonas Becker-Wolf"));
    assert_eq!(
        now.text("ORG").as_deref(),
        Some("Globex"),
        "the CLI's edit survives"
    );
    // Changing the organisation from the stale form is a conflict, not an overwrite.
    let e = tui(home, Kind::Contact, Some(&seen), &[(Field::Org, "Initech")]).unwrap_err();
    assert_eq!(e, "Organization changed meanwhile: Initech / Globex");
    assert_eq!(open(home).require(&id).unwrap(), now);
    // The CLI, asked outright, sets it.
    pim(home, &["edit", &id, "--set", "org=Initech"]).unwrap();
    assert_eq!(
        open(home).require(&id).unwrap().text("ORG").as_deref(),
        Some("Initech")
    );
}
