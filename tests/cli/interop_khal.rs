//! khal lists the events of a vdir that pim exported, and Python `icalendar` parses
//! every .ics pim exports (corpus files included).

use std::collections::BTreeSet;

use crate::support::corpus::corpus;
use crate::support::peer::peer;
use crate::support::pim::Pim;

#[test]
fn khal_lists_the_exported_events() {
    let pim = Pim::new().tz("Europe/Berlin");
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Weekly sync",
        "--start",
        "2024-03-04 10:00",
        "--duration",
        "1h",
        "--rrule",
        "FREQ=WEEKLY;COUNT=5",
    ]);
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Lunch",
        "--start",
        "2024-03-06 12:00",
        "--duration",
        "1h",
    ]);
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Holiday",
        "--start",
        "2024-03-08",
        "--all-day",
    ]);
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Call NY",
        "--start",
        "2024-03-07 09:00",
        "--tz",
        "America/New_York",
        "--duration",
        "30m",
    ]);
    pim.ok(&[
        "import",
        corpus("ics/khal--event_rrule_recuid.ics").to_str().unwrap(),
    ]);
    let vdir = pim.path("vdir");
    pim.ok(&[
        "export",
        "events",
        "--format",
        "vdir",
        "-o",
        vdir.to_str().unwrap(),
    ]);
    let config = pim.path("khal.conf");
    std::fs::write(
        &config,
        format!(
            "[calendars]\n[[pim]]\npath = {}\ntype = calendar\n[sqlite]\npath = {}\n\
             [locale]\nlocal_timezone = Europe/Berlin\ndefault_timezone = Europe/Berlin\n\
             timeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n\
             datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n",
            vdir.join("calendar").display(),
            pim.path("khal.db").display()
        ),
    )
    .unwrap();
    let out = peer(
        &pim,
        "khal",
        "khal",
        &[
            "-c",
            config.to_str().unwrap(),
            "list",
            "--format",
            "{start} {title}",
            "--day-format",
            "",
            "2014-01-01",
            "2025-01-01",
        ],
    );
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect();
    let titles: BTreeSet<String> = lines
        .iter()
        .map(|l| {
            l.split_once(' ')
                .unwrap()
                .1
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == ':')
                .trim()
                .to_string()
        })
        .collect();
    let ours: BTreeSet<String> = pim
        .json_list(&["list", "events", "--json"])
        .iter()
        .map(|e| e["summary"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles, ours, "khal: {lines:#?}");
    // Single events at the same local start (khal shows Berlin time).
    for expected in [
        "2024-03-06 12:00 Lunch",
        "2024-03-08 Holiday",
        "2024-03-07 15:00 Call NY",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected} not in {lines:#?}"
        );
    }
    // The weekly event: all five occurrences.
    assert_eq!(
        lines.iter().filter(|l| l.ends_with("Weekly sync")).count(),
        5
    );
}

#[test]
fn python_icalendar_parses_every_exported_ics() {
    let dir = corpus("ics");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let pim = Pim::new().tz("Europe/Berlin");
    let out_dir = pim.path("out");
    std::fs::create_dir(&out_dir).unwrap();
    let mut exported = Vec::new();
    for f in &files {
        // Each corpus file in its own calendar, exported on its own.
        let name = f.file_stem().unwrap().to_string_lossy().to_string();
        pim.ok(&[
            "import",
            f.to_str().unwrap(),
            "--collection",
            &name,
            "--skip-invalid",
        ]);
        let out = out_dir.join(format!("{name}.ics"));
        let collections = pim.json_list(&["collections", "list", "--json"]);
        for c in collections.iter().filter(|c| c["name"] == name.as_str()) {
            let what = match c["kind"].as_str().unwrap() {
                "event" => "events",
                "task" => "tasks",
                _ => "notes",
            };
            let target = out.with_extension(format!("{what}.ics"));
            pim.ok(&[
                "export",
                what,
                "--collection",
                &name,
                "--format",
                "ics",
                "-o",
                target.to_str().unwrap(),
            ]);
            exported.push((f.clone(), target));
        }
    }
    assert!(
        exported.len() >= files.len(),
        "every corpus file exported something"
    );
    // Arguments come in pairs (original, export). An export must parse; the only
    // excuse is an original that icalendar rejects too (pim keeps such values as
    // they came, e.g. khal--non_dst_error.ics's `PT-2H`).
    let script = "import sys, icalendar\n\
                  def parse(p):\n\
                  \x20   return icalendar.Calendar.from_ical(open(p, 'rb').read())\n\
                  ok = excused = 0\n\
                  args = sys.argv[1:]\n\
                  for orig, out in zip(args[::2], args[1::2]):\n\
                  \x20   try:\n\
                  \x20       cal = parse(out)\n\
                  \x20   except Exception as e:\n\
                  \x20       try:\n\
                  \x20           parse(orig)\n\
                  \x20       except Exception:\n\
                  \x20           excused += 1\n\
                  \x20           continue\n\
                  \x20       raise SystemExit(f'{out}: {e!r}')\n\
                  \x20   n = len([c for c in cal.walk() if c.name in ('VEVENT', 'VTODO', 'VJOURNAL')])\n\
                  \x20   assert n > 0, out\n\
                  \x20   ok += 1\n\
                  print('ok', ok, 'excused', excused)\n";
    let mut args = vec!["-c".to_string(), script.to_string()];
    for (orig, out) in &exported {
        args.push(orig.display().to_string());
        args.push(out.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = peer(&pim, "python3", "icalendar", &args);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("ok {} excused 1", exported.len() - 1)
    );
}
