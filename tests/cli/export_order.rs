//! Exports read the store in table order and sort in memory (issue 19): what they
//! write is still in the listings' order, and a TZID's VTIMEZONE is still the one of
//! the first record in that order, whatever order the records were stored in.

use crate::support::pim::Pim;

fn calendar(offset: &str, events: &[(&str, &str)]) -> String {
    let mut text = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
         BEGIN:VTIMEZONE\r\nTZID:Custom/Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
         TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    );
    for (uid, summary) in events {
        text.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:{summary}\r\n\
             DTSTART;TZID=Custom/Zone:20260301T100000\r\nEND:VEVENT\r\n"
        ));
    }
    text.push_str("END:VCALENDAR\r\n");
    text
}

#[test]
fn exports_keep_the_listing_order_and_its_first_time_zone() {
    let pim = Pim::new();
    // Stored first: the later ones in the listings' order, with another definition
    // of the same TZID.
    let first = pim.home().join("first.ics");
    std::fs::write(&first, calendar("+0100", &[("z", "Zulu"), ("m", "mike")])).unwrap();
    let second = pim.home().join("second.ics");
    std::fs::write(
        &second,
        calendar("+0300", &[("a2", "Alpha"), ("a1", "alpha")]),
    )
    .unwrap();
    pim.ok(&["import", first.to_str().unwrap()]);
    pim.ok(&["import", second.to_str().unwrap()]);

    let ics = pim.ok(&["export", "events"]);
    let summaries: Vec<&str> = ics
        .lines()
        .filter_map(|l| l.strip_prefix("SUMMARY:"))
        .map(str::trim_end)
        .collect();
    // `alpha` and `Alpha` share a sort key: their ids decide, as in `pim list`.
    let json = pim.json_list(&["export", "events", "--format", "json"]);
    let ids: Vec<&str> = json.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(summaries.len(), 4);
    assert_eq!(&summaries[2..], ["mike", "Zulu"]);
    assert!(
        summaries[..2]
            .iter()
            .all(|s| s.eq_ignore_ascii_case("alpha"))
    );
    let json_summaries: Vec<&str> = json
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(json_summaries, summaries);
    assert!(ids[0] < ids[1], "ties in id order: {ids:?}");

    // One VTIMEZONE for the TZID: the one the first record in that order came with.
    assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 1);
    assert!(ics.contains("TZOFFSETTO:+0300"), "{ics}");
    assert!(!ics.contains("TZOFFSETTO:+0100"), "{ics}");
}

#[test]
fn vcards_come_in_name_order_whatever_the_order_stored() {
    let pim = Pim::new();
    let file = pim.home().join("people.vcf");
    let card = |name: &str| {
        format!("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:{name}\r\nFN:{name}\r\nEND:VCARD\r\n")
    };
    std::fs::write(&file, [card("Zed"), card("amy"), card("Bob")].concat()).unwrap();
    pim.ok(&["import", file.to_str().unwrap()]);
    let vcf = pim.ok(&["export", "contacts"]);
    let names: Vec<&str> = vcf
        .lines()
        .filter_map(|l| l.strip_prefix("FN:"))
        .map(str::trim_end)
        .collect();
    assert_eq!(names, ["amy", "Bob", "Zed"]);
}
