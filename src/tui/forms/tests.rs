use super::*;
use chrono::TimeZone;

fn colls() -> Vec<Collection> {
    Kind::ALL
        .iter()
        .map(|k| Collection {
            id: format!("{k}-id"),
            kind: *k,
            name: crate::store::default_collection_name(*k).into(),
            color: None,
            sync: true,
        })
        .collect()
}

fn ctx(c: &[Collection]) -> FormCtx<'_> {
    FormCtx {
        collections: c,
        tz: chrono_tz::Europe::Berlin,
        now: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
    }
}

fn set(form: &mut Form, label: &str, v: &str) {
    let f = form.fields.iter_mut().find(|f| f.label == label).unwrap();
    f.input = crate::tui::input::LineInput::new(v);
}

#[test]
fn bad_dates_are_refused_with_a_message() {
    let c = colls();
    let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let mut f = form_for(Kind::Event, None, day, &ctx(&c));
    set(&mut f, "Title", "Meet");
    set(&mut f, "Start", "2026-13-45");
    assert!(
        apply(&f, &ctx(&c))
            .unwrap_err()
            .starts_with("Start: invalid date/time")
    );
    set(&mut f, "Start", "2026-11-26 10:00");
    set(&mut f, "End", "2026-11-26 09:00");
    assert_eq!(
        apply(&f, &ctx(&c)).unwrap_err(),
        "End: must be after the start"
    );
    set(&mut f, "End", "+90m");
    set(&mut f, "Repeat", "fortnightly");
    assert!(apply(&f, &ctx(&c)).unwrap_err().starts_with("Repeat:"));
    set(&mut f, "Repeat", "weekly");
    let r = apply(&f, &ctx(&c)).unwrap();
    assert_eq!(r.prop("DTSTART").unwrap().value, "20261126T100000");
    assert_eq!(
        r.prop("DTSTART").unwrap().param("TZID"),
        Some("Europe/Berlin")
    );
    assert_eq!(r.prop("DTEND").unwrap().value, "20261126T113000");
    assert_eq!(r.prop("RRULE").unwrap().value, "FREQ=WEEKLY");
}

#[test]
fn contact_round_trip_keeps_unchanged_fields() {
    let c = colls();
    let mut base = Record::new(Kind::Contact, "contact-id");
    base.set_text("FN", "Jonas Becker");
    base.body
        .main
        .props
        .push(Property::new("EMAIL", "j@acme.example").with_param("TYPE", "WORK,pref"));
    base.body
        .main
        .props
        .push(Property::new("TEL", "tel:+49-30-555").with_param("VALUE", "uri"));
    let mut f = form_for(Kind::Contact, Some(&base), NaiveDate::MIN, &ctx(&c));
    assert_eq!(f.field("Emails").value(), "j@acme.example (work)");
    assert_eq!(f.field("Phones").value(), "+49-30-555");
    assert_eq!(
        apply(&f, &ctx(&c)).unwrap(),
        base,
        "nothing changed, nothing rewritten"
    );
    set(&mut f, "Phones", "+49 30 555 (work), +49 170 1 (cell)");
    set(
        &mut f,
        "Addresses",
        "Industriestr. 40, Berlin, 10115, Germany (work)",
    );
    let r = apply(&f, &ctx(&c)).unwrap();
    assert_eq!(r.props_named("TEL").count(), 2);
    assert_eq!(
        r.prop("ADR").unwrap().value,
        ";;Industriestr. 40;Berlin;;10115;Germany"
    );
    assert_eq!(r.prop("EMAIL"), base.prop("EMAIL"));
    set(&mut f, "Emails", "not-an-address");
    assert!(apply(&f, &ctx(&c)).unwrap_err().starts_with("Emails:"));
}

#[test]
fn all_day_events_and_tasks() {
    let c = colls();
    let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let mut f = form_for(Kind::Event, None, day, &ctx(&c));
    set(&mut f, "Title", "Trip");
    set(&mut f, "Start", "2026-11-27");
    set(&mut f, "End", "2026-11-29");
    let r = apply(&f, &ctx(&c)).unwrap();
    assert_eq!(r.prop("DTEND").unwrap().value, "20261130");
    let f2 = form_for(Kind::Event, Some(&r), day, &ctx(&c));
    assert_eq!(f2.field("End").value(), "2026-11-29");
    set(&mut f, "End", "2026-11-29 10:00");
    assert!(apply(&f, &ctx(&c)).is_err());
    let mut t = form_for(Kind::Task, None, day, &ctx(&c));
    set(&mut t, "Title", "Pay");
    set(&mut t, "Priority", "12");
    assert!(apply(&t, &ctx(&c)).is_err());
    set(&mut t, "Priority", "2");
    set(&mut t, "Due", "tomorrow");
    let r = apply(&t, &ctx(&c)).unwrap();
    assert_eq!(r.prop("DUE").unwrap().value, "20261126");
    assert_eq!(r.text("STATUS").as_deref(), Some("NEEDS-ACTION"));
}
