//! `pim list tasks|contacts|notes` draw their rows on several threads, a batch at a
//! time: the table must list what `--json` lists (read whole, on one thread), in the
//! same order, however the rows fall into batches, with ties, repeating tasks and
//! damaged rows.

use crate::support::pim::Pim;

/// Enough tasks for several batches; dues, priorities and states repeat (ties are
/// broken by stored order), some have no due, one repeats.
fn calendar(n: usize) -> String {
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pim tests//EN\r\n");
    for i in 0..n {
        ics.push_str(&format!(
            "BEGIN:VTODO\r\nUID:t{i}\r\nSUMMARY:Task {i:04}\r\n"
        ));
        if i % 7 != 0 {
            ics.push_str(&format!("DUE;VALUE=DATE:2026040{}\r\n", i % 3 + 1));
        }
        ics.push_str(&format!("PRIORITY:{}\r\n", i % 4));
        if i % 5 == 0 {
            ics.push_str("STATUS:COMPLETED\r\n");
        }
        if i == 900 {
            ics.push_str("DTSTART;VALUE=DATE:20260301\r\nRRULE:FREQ=WEEKLY\r\n");
        }
        ics.push_str("END:VTODO\r\n");
    }
    ics.push_str("END:VCALENDAR\r\n");
    ics
}

#[allow(clippy::disallowed_types)] // damages the file from outside, as another program would
fn sql(pim: &Pim, statements: &str) {
    let db = rusqlite::Connection::open(pim.path("pim.sqlite3")).unwrap();
    db.execute_batch(statements).unwrap();
}

/// The summaries of the table's rows, in order.
fn table_summaries(pim: &Pim) -> Vec<String> {
    pim.ok(&["list", "tasks"])
        .lines()
        .map(|line| {
            let at = line.find("Task ").unwrap_or_else(|| panic!("{line:?}"));
            line[at..].to_string()
        })
        .collect()
}

fn json_summaries(pim: &Pim) -> Vec<String> {
    pim.json_list(&["list", "tasks", "--json"])
        .iter()
        .map(|t| t["summary"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_tasks_table_lists_what_json_lists_in_the_same_order() {
    let pim = Pim::new();
    std::fs::write(pim.path("tasks.ics"), calendar(1300)).unwrap();
    pim.ok(&["import", &pim.path("tasks.ics").to_string_lossy()]);
    let before = table_summaries(&pim);
    assert_eq!(before.len(), 1300);
    assert_eq!(before, json_summaries(&pim));
    // Ties keep stored order: the completed ones without a due, priority 0, last.
    assert_eq!(before[before.len() - 1], "Task 1260");

    // A damaged copy in a later batch (its body is sound), a copy that is not text,
    // and a record whose body does not read either.
    sql(
        &pim,
        "UPDATE records SET listed = '{not json' WHERE data LIKE '%Task 0700%';
         UPDATE records SET listed = x'ff00' WHERE data LIKE '%Task 1100%';
         UPDATE records SET listed = NULL, data = '{broken' WHERE data LIKE '%Task 0042%';",
    );
    let out = pim.run(&["list", "tasks"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    // Only the record whose body does not read is named.
    assert_eq!(err.matches("skipped undecodable task").count(), 1, "{err}");
    let after = table_summaries(&pim);
    let expected: Vec<String> = before.into_iter().filter(|s| s != "Task 0042").collect();
    assert_eq!(after, expected);
    assert_eq!(after, json_summaries(&pim));
}

#[test]
fn the_contacts_table_lists_what_json_lists_in_the_same_order() {
    let pim = Pim::new();
    let mut vcf = String::new();
    for i in 0..1300 {
        // Names that sort apart from their file order, some spelled alike.
        let n = (i * 7919) % 1300;
        vcf.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c{i}\r\nFN:Person {:04}\r\nEMAIL:p{i}@example.org\r\nEND:VCARD\r\n",
            n / 2
        ));
    }
    std::fs::write(pim.path("people.vcf"), vcf).unwrap();
    pim.ok(&["import", &pim.path("people.vcf").to_string_lossy()]);
    sql(
        &pim,
        "UPDATE records SET listed = '{not json' WHERE data LIKE '%p700@%';
         UPDATE records SET listed = NULL, data = '{broken' WHERE data LIKE '%p42@%';",
    );
    let out = pim.run(&["list", "contacts"]);
    assert!(out.status.success());
    let table: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let at = line.find(" p").unwrap_or_else(|| panic!("{line:?}"));
            line[at + 1..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let json: Vec<String> = pim
        .json_list(&["list", "contacts", "--json"])
        .iter()
        .map(|c| {
            c["emails"][0]
                .as_str()
                .unwrap_or_else(|| panic!("{c}"))
                .to_string()
        })
        .collect();
    assert_eq!(table.len(), 1299);
    assert_eq!(table, json);
}
