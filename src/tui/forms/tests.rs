use super::*;
use crate::model::Property;
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
            default_alarms: None,
        })
        .collect()
}

fn ctx(c: &[Collection]) -> FormCtx<'_> {
    FormCtx {
        collections: c,
        tz: crate::model::zonedb::Tz::known("Europe/Berlin"),
        now: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
    }
}

fn set(form: &mut Form, key: RecordField, v: &str) {
    let f = form.fields.iter_mut().find(|f| f.key == Some(key)).unwrap();
    f.input = crate::tui::input::LineInput::new(v);
}

fn value(form: &Form, key: RecordField) -> &str {
    form.get(key).unwrap().value()
}

/// The record a submitted form makes, or the message the form shows.
fn record(form: &Form, c: &[Collection]) -> Result<Record, String> {
    apply(form, &ctx(c))
        .map(|(_, r)| r)
        .map_err(|e| message(&e))
}

#[test]
fn bad_dates_are_refused_with_a_message() {
    use RecordField::*;
    let c = colls();
    let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let mut f = form_for(Kind::Event, None, day, &ctx(&c));
    set(&mut f, Summary, "Meet");
    set(&mut f, Start, "2026-13-45");
    assert!(record(&f, &c).unwrap_err().starts_with("Start: "));
    set(&mut f, Start, "2026-11-26 10:00");
    set(&mut f, End, "2026-11-26 09:00");
    assert_eq!(
        record(&f, &c).unwrap_err(),
        "End: the end is before the start"
    );
    set(&mut f, End, "+90m");
    set(&mut f, Rrule, "fortnightly");
    assert!(record(&f, &c).unwrap_err().starts_with("Repeat: "));
    set(&mut f, Rrule, "FREQ=WEEKLY;BYDAY=XX");
    let e = record(&f, &c).unwrap_err();
    assert!(e.starts_with("Repeat: ") && e.contains("BYDAY"), "{e}");
    set(&mut f, Rrule, "weekly");
    let r = record(&f, &c).unwrap();
    assert_eq!(r.prop("DTSTART").unwrap().value, "20261126T100000");
    assert_eq!(
        r.prop("DTSTART").unwrap().param("TZID"),
        Some("Europe/Berlin")
    );
    assert_eq!(r.prop("DTEND").unwrap().value, "20261126T113000");
    assert_eq!(r.prop("RRULE").unwrap().value, "FREQ=WEEKLY");
    assert!(r.prop("CREATED").is_some(), "the same defaults as the CLI");
}

#[test]
fn contact_round_trip_keeps_unchanged_fields() {
    use RecordField::*;
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
    assert_eq!(value(&f, Emails), "j@acme.example (work)");
    assert_eq!(value(&f, Phones), "+49-30-555");
    assert!(
        edit_of(&f).changes.is_empty(),
        "nothing changed, nothing to write"
    );
    assert_eq!(record(&f, &c).unwrap(), base);
    set(&mut f, Phones, "+49 30 555 (work), +49 170 1 (cell)");
    set(
        &mut f,
        Addresses,
        "Industriestr. 40, Berlin, 10115, Germany (work)",
    );
    let edit = edit_of(&f);
    let touched: Vec<RecordField> = edit.changes.iter().map(|c| c.field).collect();
    assert_eq!(touched, [Phones, Addresses], "only the changed fields");
    assert_eq!(edit.changes[0].seen.as_deref(), Some("+49-30-555"));
    let r = record(&f, &c).unwrap();
    assert_eq!(r.props_named("TEL").count(), 2);
    assert_eq!(
        r.prop("ADR").unwrap().value,
        ";;Industriestr. 40;Berlin;;10115;Germany"
    );
    assert_eq!(r.prop("EMAIL"), base.prop("EMAIL"));
    set(&mut f, Emails, "not-an-address");
    assert!(record(&f, &c).unwrap_err().starts_with("Emails:"));
    set(&mut f, Emails, "jonas @acme.example");
    assert!(record(&f, &c).unwrap_err().starts_with("Emails:"));
}

#[test]
fn all_day_events_and_tasks() {
    use RecordField::*;
    let c = colls();
    let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let mut f = form_for(Kind::Event, None, day, &ctx(&c));
    set(&mut f, Summary, "Trip");
    set(&mut f, Start, "2026-11-27");
    set(&mut f, End, "2026-11-29");
    let r = record(&f, &c).unwrap();
    assert_eq!(r.prop("DTEND").unwrap().value, "20261130");
    let f2 = form_for(Kind::Event, Some(&r), day, &ctx(&c));
    assert_eq!(value(&f2, End), "2026-11-29");
    set(&mut f, End, "2026-11-29 10:00");
    assert!(record(&f, &c).is_err());
    let mut t = form_for(Kind::Task, None, day, &ctx(&c));
    set(&mut t, Summary, "Pay");
    set(&mut t, Priority, "12");
    assert!(record(&t, &c).is_err());
    set(&mut t, Priority, "2");
    set(&mut t, Due, "tomorrow");
    let r = record(&t, &c).unwrap();
    assert_eq!(r.prop("DUE").unwrap().value, "20261126");
    assert_eq!(r.text("STATUS").as_deref(), Some("NEEDS-ACTION"));
}

#[test]
fn a_task_form_repeats_from_the_due_date() {
    use RecordField::*;
    let c = colls();
    let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let mut t = form_for(Kind::Task, None, day, &ctx(&c));
    let labels: Vec<&str> = t.fields.iter().map(|f| f.label).collect();
    assert_eq!(labels[..3], ["Title", "Due", "Repeat"]);
    set(&mut t, Summary, "Rent");
    set(&mut t, Rrule, "monthly");
    assert_eq!(
        record(&t, &c).unwrap_err(),
        "Due: a task needs a due date to repeat"
    );
    set(&mut t, Due, "2026-12-01");
    set(&mut t, Rrule, "fortnightly");
    assert!(record(&t, &c).unwrap_err().starts_with("Repeat: "));
    set(&mut t, Rrule, "monthly");
    let r = record(&t, &c).unwrap();
    assert_eq!(r.prop("RRULE").unwrap().value, "FREQ=MONTHLY");
    // Editing shows the rule, and emptying it stops the repeats.
    let mut e = form_for(Kind::Task, Some(&r), day, &ctx(&c));
    assert_eq!(value(&e, Rrule), "FREQ=MONTHLY");
    set(&mut e, Rrule, "");
    assert!(record(&e, &c).unwrap().prop("RRULE").is_none());
}

#[test]
fn fields_are_found_by_key_and_a_missing_one_is_none() {
    let c = colls();
    let f = form_for(Kind::Note, None, NaiveDate::MIN, &ctx(&c));
    assert!(f.get(RecordField::Summary).is_some());
    assert!(f.get(RecordField::Emails).is_none());
    assert!(f.field("No such label").is_none());
    let labels: Vec<&str> = f.fields.iter().map(|f| f.label).collect();
    assert_eq!(labels, ["Title", "Notebook"]);
}
