//! Issue 18, "readable output", "pim inside the mail client" and "consistency":
//! what people read is words and aligned text; mail clients get their formats.

use crate::support::pim::Pim;

fn add(p: &Pim, args: &[&str]) -> String {
    p.ok(args).trim().to_string()
}

#[test]
fn show_prints_every_kind_as_aligned_text_and_json_is_unchanged() {
    let p = Pim::new();
    let c = add(
        &p,
        &[
            "add",
            "contact",
            "--name",
            "Ada Lovelace",
            "--email",
            "ada@example.org",
            "--phone",
            "+44 20 7946 0000",
            "--org",
            "Analytical Engines",
            "--birthday",
            "1815-12-10",
            "--note",
            "first programmer\nsecond line",
        ],
    );
    let out = p.ok(&["show", &c[..8]]);
    for line in [
        "Name          Ada Lovelace",
        "Organisation  Analytical Engines",
        "Email         ada@example.org",
        "Phone         +44 20 7946 0000",
        "Birthday      1815-12-10",
        "Address book  contacts",
        "Note:",
        "  first programmer",
        "  second line",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "{line:?} missing in:\n{out}"
        );
    }
    assert!(
        !out.contains('{') && !out.contains("email_entries"),
        "{out}"
    );

    let e = add(
        &p,
        &[
            "add",
            "event",
            "--summary",
            "Standup",
            "--start",
            "2026-12-02 09:30",
            "--duration",
            "15m",
            "--rrule",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270331",
            "--tz",
            "Europe/London",
        ],
    );
    let out = p.ok(&["show", &e]);
    assert!(
        out.contains("Repeats   every week on Mon, Wed, Fri until 31 Mar 2027"),
        "{out}"
    );
    assert!(
        out.contains("Start     2026-12-02 09:30 (Europe/London)"),
        "{out}"
    );
    assert!(out.contains("Calendar  calendar"), "{out}");
    let json = p.json(&["show", &e, "--json"]);
    // The date UNTIL typed is kept as RFC 5545 asks for a zoned start: in UTC,
    // the whole last day taken in.
    assert_eq!(
        json["rrule"],
        "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270331T225959Z"
    );

    let t = add(
        &p,
        &["add", "task", "--summary", "File taxes", "--priority", "2"],
    );
    let out = p.ok(&["show", &t]);
    assert!(out.contains("Priority   2 (high)"), "{out}");
    assert!(out.contains("Status     needs action"), "{out}");
}

#[test]
fn history_says_fields_and_values_in_words_and_keeps_lines_apart() {
    let p = Pim::new();
    let e = add(
        &p,
        &[
            "add",
            "event",
            "--summary",
            "Review",
            "--start",
            "2026-12-02 10:00",
        ],
    );
    p.ok(&["edit", &e, "--set", "start=2026-12-03 11:00"]);
    p.ok(&["edit", &e, "--set", "description=first\nsecond"]);
    p.ok(&["edit", &e, "--set", "rrule=weekly"]);
    let out = p.ok(&["history", &e[..8]]);
    assert!(out.contains("start"), "{out}");
    assert!(
        out.contains("2 Dec 2026 10:00 UTC → 3 Dec 2026 11:00 UTC"),
        "dates in words:\n{out}"
    );
    assert!(
        !out.contains("DTSTART") && !out.contains("20261202"),
        "{out}"
    );
    assert!(out.contains("every week"), "{out}");
    // Times are said in the reader's zone.
    let berlin = Pim::at(p.home())
        .tz("Europe/Berlin")
        .ok(&["history", &e[..8]]);
    assert!(
        berlin.contains("2 Dec 2026 11:00 CET → 3 Dec 2026 12:00 CET"),
        "in the reader's zone:\n{berlin}"
    );
    let first = out.lines().find(|l| l.ends_with("first")).expect(&out);
    let second = out.lines().find(|l| l.trim() == "second").expect(&out);
    assert!(first.contains("description"), "{out}");
    assert!(
        second.len() > "second".len(),
        "aligned under the value: {out}"
    );
    // JSON keeps the keys and raw values scripts read.
    let json = p.json(&["history", &e, "--json"]);
    assert!(json.to_string().contains("\"DTSTART\""), "{json}");
}

#[test]
fn delete_says_what_it_deleted() {
    let p = Pim::new();
    let t = add(&p, &["add", "task", "--summary", "Water plants"]);
    let out = p.ok(&["delete", &t[..8]]);
    assert_eq!(
        out.trim(),
        format!("deleted task \"Water plants\" ({})", &t[..8])
    );
}

#[test]
fn contacts_query_speaks_mutt_aerc_and_json() {
    let p = Pim::new();
    add(
        &p,
        &[
            "add",
            "contact",
            "--name",
            "Ada Lovelace",
            "--email",
            "ada@example.org",
            "--email",
            "ada@home.example",
            "--org",
            "Analytical Engines",
        ],
    );
    add(
        &p,
        &[
            "add",
            "contact",
            "--name",
            "Charles Babbage",
            "--email",
            "cb@example.org",
        ],
    );
    add(&p, &["add", "contact", "--name", "Nobody Mailless"]);
    let mutt = p.ok(&["contacts", "query", "ada"]);
    let lines: Vec<&str> = mutt.lines().collect();
    assert_eq!(lines.len(), 3, "{mutt}");
    assert!(
        lines[0].contains("2 addresses"),
        "a status line first: {mutt}"
    );
    assert_eq!(
        lines[1],
        "ada@example.org\tAda Lovelace\tAnalytical Engines"
    );
    let aerc = p.ok(&["contacts", "query", "analytical", "--format", "aerc"]);
    assert_eq!(
        aerc,
        "ada@example.org\tAda Lovelace\nada@home.example\tAda Lovelace\n"
    );
    let one = p.ok(&["contacts", "query", "home.example", "--format", "aerc"]);
    assert_eq!(one, "ada@home.example\tAda Lovelace\n");
    let json = p.json(&["contacts", "query", "babb", "--format", "json"]);
    assert_eq!(json[0]["email"], "cb@example.org");
    let none = p.ok(&["contacts", "query", "mailless"]);
    assert_eq!(none.lines().count(), 1, "only the status line: {none}");
}

const REQUEST: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\n\
BEGIN:VEVENT\r\nUID:planning-9@example.test\r\nDTSTAMP:20261201T080000Z\r\nSEQUENCE:0\r\n\
DTSTART:20270110T100000Z\r\nDTEND:20270110T110000Z\r\nSUMMARY:Planning\r\n\
RRULE:FREQ=WEEKLY;COUNT=4\r\n\
ORGANIZER;CN=Bob:mailto:bob@example.test\r\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ada@example.test\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

fn eml() -> String {
    format!(
        "From: Bob <bob@example.test>\r\nTo: ada@example.test\r\nSubject: Invitation: Planning\r\n\
         Message-ID: <piped-1@example.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"xx\"\r\n\r\n--xx\r\n\
         Content-Type: text/plain\r\n\r\nJoin us.\r\n--xx\r\n\
         Content-Type: text/calendar; method=REQUEST; charset=UTF-8\r\n\r\n{REQUEST}--xx--\r\n"
    )
}

#[test]
fn a_piped_invitation_is_listed_and_answered_into_a_ready_to_send_reply() {
    let p = Pim::new();
    let out = p.ok_stdin(&["invites", "import", "-"], eml().as_bytes());
    assert!(
        out.contains("invitation 1") && out.contains("Planning"),
        "{out}"
    );
    // Importing the same message again finds the same invitation.
    let again = p.ok_stdin(&["invites", "import", "-"], eml().as_bytes());
    assert!(again.contains("imported before"), "{again}");
    let list = p.json_list(&["invites", "list", "--json"]);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["method"], "REQUEST");
    assert_eq!(list[0]["collection"], "(imported)");
    let shown = p.ok(&["invites", "show", "1"]);
    assert!(shown.contains("every week, 4 times"), "{shown}");

    // Without an account the reply must go somewhere the mail client can send it.
    p.fails_with(&["invites", "accept", "1"], "--reply-to");
    let reply = p.path("reply.eml");
    let reply_s = reply.display().to_string();
    let said = p.ok(&["invites", "accept", "1", "--reply-to", &reply_s]);
    assert!(said.contains("bob@example.test"), "{said}");
    let msg = std::fs::read_to_string(&reply).unwrap();
    assert!(msg.contains("To: bob@example.test"), "{msg}");
    assert!(msg.contains("From: ada@example.test"), "{msg}");
    assert!(msg.contains("method=REPLY"), "{msg}");
    let unfolded = msg.replace("\r\n ", "");
    assert!(unfolded.contains("PARTSTAT=ACCEPTED"), "{msg}");
    assert!(unfolded.contains("UID:planning-9@example.test"), "{msg}");
    let events = p.json_list(&["list", "events", "--json"]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["summary"], "Planning");

    // A bare .ics with METHOD works too; to stdout the reply is the only output.
    let ics = REQUEST
        .replace("planning-9", "lunch-3")
        .replace("Planning", "Lunch");
    let file = p.path("lunch.ics");
    std::fs::write(&file, ics).unwrap();
    let said = p.ok(&["invites", "import", &file.display().to_string()]);
    assert!(said.contains("no sender"), "{said}");
    let id = said
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(':')
        .to_string();
    let msg = p.ok(&["invites", "decline", &id, "--reply-to", "-"]);
    assert!(
        msg.starts_with("From: ") || msg.contains("\r\nFrom: "),
        "{msg}"
    );
    assert!(
        msg.replace("\r\n ", "").contains("PARTSTAT=DECLINED"),
        "{msg}"
    );
}

#[test]
fn attachments_take_a_unique_id_prefix_like_every_other_command() {
    let p = Pim::new();
    let e = add(
        &p,
        &[
            "add",
            "event",
            "--summary",
            "Talk",
            "--start",
            "2026-12-02 10:00",
        ],
    );
    let out = p.ok(&["attachments", "list", &e[..8]]);
    assert!(out.contains("has no parked attachments"), "{out}");
    p.fails_with(&["attachments", "list", "ffffffff"], "no record");
}
