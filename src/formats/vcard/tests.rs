use super::*;

fn one(text: &str) -> Record {
    let mut items = read_vcf(text.as_bytes());
    assert_eq!(items.len(), 1, "{items:?}");
    items.remove(0).expect("card reads").record
}

#[test]
fn reads_21_quoted_printable_and_bare_params() {
    let r = one(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;J\r\nTEL;WORK;VOICE:123\r\n\
         NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Stra=C3=9Fe=0D=0A=\r\nzwei\r\n\
         LABEL;WORK;PREF;ENCODING=QUOTED-PRINTABLE:a=3Db\r\nEND:VCARD\r\n",
    );
    let tel = r.prop("TEL").unwrap();
    assert_eq!(tel.param_values("TYPE"), vec!["WORK", "VOICE"]);
    let note = r.prop("NOTE").unwrap();
    assert_eq!(note.value, "Straße\\nzwei");
    assert!(note.params.is_empty());
    assert_eq!(r.prop("LABEL").unwrap().value, "a=b");
    // No UID in the file: a deterministic one.
    let uid = r.uid().unwrap().to_string();
    assert!(uid.starts_with("urn:uuid:"));
    let again = one(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;J\r\nTEL;WORK;VOICE:123\r\n\
         NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Stra=C3=9Fe=0D=0A=\r\nzwei\r\n\
         LABEL;WORK;PREF;ENCODING=QUOTED-PRINTABLE:a=3Db\r\nEND:VCARD\r\n",
    );
    assert_eq!(again.uid(), Some(uid.as_str()));
}

#[test]
fn latin1_values_are_decoded() {
    let r = one_bytes(b"BEGIN:VCARD\nVERSION:3.0\nFN:Z\xfcrich\nEND:VCARD\n");
    assert_eq!(r.text("FN").unwrap(), "Zürich");
}

fn one_bytes(b: &[u8]) -> Record {
    read_vcf(b).remove(0).unwrap().record
}

#[test]
fn photo_converts_between_versions_keeping_bytes() {
    let r = one(
        "BEGIN:VCARD\nVERSION:3.0\nUID:p\nFN:P\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\n SkZJRg==\n\
         EMAIL;TYPE=INTERNET,pref:a@b\nGEO:1.5;2.5\nEND:VCARD\n",
    );
    let v4 = write_vcf(&[&r], VcardVersion::V4);
    assert!(v4.contains("VERSION:4.0"), "{v4}");
    assert!(
        v4.contains("PHOTO:data:image/jpeg;base64,/9j/4AAQSkZJRg=="),
        "{v4}"
    );
    assert!(v4.contains("EMAIL;TYPE=INTERNET;PREF=1:a@b"), "{v4}");
    assert!(v4.contains("GEO:geo:1.5,2.5"), "{v4}");
    let back = one(&v4);
    let v3 = write_vcf(&[&back], VcardVersion::V3);
    assert!(
        v3.contains("PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRg=="),
        "{v3}"
    );
    assert!(v3.contains("EMAIL;TYPE=INTERNET,pref:a@b"), "{v3}");
    assert!(v3.contains("GEO:1.5;2.5"), "{v3}");
    assert!(semantic::missing(&r.body.main, &one(&v3).body.main, VcardVersion::V3).is_empty());
    assert!(semantic::missing(&r.body.main, &back.body.main, VcardVersion::V4).is_empty());
}

#[test]
fn apple_groups_and_group_cards() {
    let r = one(
        "BEGIN:VCARD\nVERSION:3.0\nUID:g\nFN:Team\nN:Team;;;;\nX-ADDRESSBOOKSERVER-KIND:group\n\
         X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:a\nitem1.URL;type=pref:http\\://x\n\
         item1.X-ABLabel:_$!<HomePage>!$_\nEND:VCARD\n",
    );
    let v4 = write_vcf(&[&r], VcardVersion::V4);
    assert!(v4.contains("\r\nKIND:group\r\n"), "{v4}");
    assert!(v4.contains("\r\nMEMBER:urn:uuid:a\r\n"), "{v4}");
    assert!(v4.contains("item1.X-ABLABEL:_$!<HomePage>!$_"), "{v4}");
    assert!(v4.contains("item1.URL;PREF=1:http://x"), "{v4}");
}

#[test]
fn broken_cards_are_errors_and_others_still_read() {
    let items = read_vcf(
        b"BEGIN:VCARD\nVERSION:3.0\nFN:ok\nEND:VCARD\nBEGIN:VCARD\nFN no colon\nEND:VCARD\n\
          BEGIN:VCARD\nFN:unclosed\n",
    );
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok());
    let e = items[1].as_ref().unwrap_err();
    assert_eq!((e.index, e.line), (2, 6));
    let e = items[2].as_ref().unwrap_err();
    assert!(e.reason.contains("never closed"), "{e}");
    assert!(read_vcf(b"\xff\xfe\x00").iter().all(|i| i.is_err()));
    assert!(read_vcf(b"").is_empty());
}

#[test]
fn missing_fn_is_added_on_write() {
    let r = one("BEGIN:VCARD\nVERSION:2.1\nN:Doe;Jane;;Dr.;\nEND:VCARD\n");
    let v3 = write_vcf(&[&r], VcardVersion::V3);
    assert!(v3.contains("FN:Dr. Jane Doe"), "{v3}");
}

#[test]
fn limits_refuse_one_card_and_keep_the_next() {
    let next = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Next\r\nEND:VCARD\r\n";
    let deep = |levels: usize| {
        format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Deep\r\n{}{}END:VCARD\r\n{next}",
            "BEGIN:X\r\n".repeat(levels),
            "END:X\r\n".repeat(levels)
        )
    };
    let ok = read_vcf(deep(MAX_COMPONENT_DEPTH - 1).as_bytes());
    assert_eq!(
        ok[0].as_ref().unwrap().record.body.depth(),
        MAX_COMPONENT_DEPTH
    );
    for levels in [MAX_COMPONENT_DEPTH, 64, 100_000] {
        let items = read_vcf(deep(levels).as_bytes());
        assert_eq!(items.len(), 2, "{levels}");
        let e = items[0].as_ref().unwrap_err();
        assert_eq!(e.line, 3 + MAX_COMPONENT_DEPTH);
        assert!(e.reason.contains("levels deep"), "{e:?}");
        assert!(items[1].is_ok());
    }
    // vCard 2.1 AGENT cards nest too.
    let agents = format!(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:A\r\n{}{}END:VCARD\r\n{next}",
        "AGENT:\r\nBEGIN:VCARD\r\n".repeat(100_000),
        "END:VCARD\r\n".repeat(100_000)
    );
    let items = read_vcf(agents.as_bytes());
    assert!(
        items[0]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("levels deep")
    );
    assert!(items.iter().any(|i| i.is_ok()));

    let long = format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nNOTE:{}\r\nEND:VCARD\r\n{next}",
        "n".repeat(contentline::MAX_LINE_BYTES + 1)
    );
    let items = read_vcf(long.as_bytes());
    assert!(
        items[0]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("longer than 4 MiB")
    );
    assert!(items[1].is_ok());

    let many = format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\n{}END:VCARD\r\n{next}",
        "EMAIL:a@b\r\n".repeat(MAX_PROPERTIES)
    );
    let items = read_vcf(many.as_bytes());
    let e = items[0].as_ref().unwrap_err();
    assert_eq!(e.line, MAX_PROPERTIES + 2);
    assert!(items[1].is_ok());
}

fn card_v4(props: &str) -> String {
    let text = format!("BEGIN:VCARD\nVERSION:3.0\nUID:b\nFN:B\n{props}END:VCARD\n");
    let r = one(&text);
    write_vcf(&[&r], VcardVersion::V4)
}

#[test]
fn text_birthdays_stay_verbatim_and_dates_without_year_take_the_4_0_form() {
    let v4 = card_v4("BDAY;VALUE=text:2016-08-01\n");
    assert!(v4.contains("BDAY;VALUE=text:2016-08-01\r\n"), "{v4}");
    let v4 = card_v4("BDAY:sometime in spring\n");
    assert!(
        v4.contains("BDAY;VALUE=text:sometime in spring\r\n"),
        "{v4}"
    );
    let v4 = card_v4("BDAY:--02-10\n");
    assert!(v4.contains("BDAY:--0210\r\n"), "{v4}");
    let v4 = card_v4("BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-10\n");
    assert!(v4.contains("BDAY:--0210\r\n"), "{v4}");
    let v4 = card_v4("BDAY:1960-09-10\nREV:2016-08-01T12:30:00Z\n");
    assert!(v4.contains("BDAY:19600910\r\n"), "{v4}");
    assert!(v4.contains("REV:20160801T123000Z\r\n"), "{v4}");
}

#[test]
fn a_3_0_text_birthday_passes_the_strict_4_0_check() {
    let text = "BEGIN:VCARD\nVERSION:3.0\nUID:b\nFN:B\nBDAY:sometime in spring\nEND:VCARD\n";
    let r = one(text);
    let out = super::strict::write_vcf_checked(&[&r], VcardVersion::V4).unwrap();
    assert!(out.contains("BDAY;VALUE=text:sometime in spring"), "{out}");
}
