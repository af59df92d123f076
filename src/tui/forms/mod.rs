//! Records ↔ forms: which fields each kind shows, and turning edited fields back
//! into a record. Unchanged fields keep the record's original properties.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::form::{Field, Form};
use crate::model::time::{UserWhen, When, parse_user_when};
use crate::model::{Collection, Kind, Property, Record, tz};

/// What forms need to know about the world.
#[derive(Debug, Clone)]
pub struct FormCtx<'a> {
    pub collections: &'a [Collection],
    pub tz: Tz,
    pub now: DateTime<Utc>,
}

impl FormCtx<'_> {
    fn collection_name(&self, id: &str) -> String {
        self.collections
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    fn default_name(&self, kind: Kind) -> String {
        let of_kind: Vec<&Collection> =
            self.collections.iter().filter(|c| c.kind == kind).collect();
        of_kind
            .iter()
            .find(|c| c.name == crate::store::default_collection_name(kind))
            .or(of_kind.first())
            .map(|c| c.name.clone())
            .unwrap_or_else(|| crate::store::default_collection_name(kind).to_string())
    }

    fn resolve(&self, kind: Kind, name: &str, label: &str) -> Result<String, String> {
        let of_kind: Vec<&Collection> =
            self.collections.iter().filter(|c| c.kind == kind).collect();
        of_kind
            .iter()
            .find(|c| c.name == name)
            .or_else(|| of_kind.iter().find(|c| c.name.eq_ignore_ascii_case(name)))
            .map(|c| c.id.clone())
            .ok_or_else(|| {
                let names: Vec<&str> = of_kind.iter().map(|c| c.name.as_str()).collect();
                format!(
                    "{label}: no {} named {name:?} (have: {})",
                    kind.collection_word(),
                    names.join(", ")
                )
            })
    }

    /// A stored date/time shown as the user types it, in the local zone.
    fn show_when(&self, w: &When, r: &Record) -> String {
        match w {
            When::Date(d) => d.format("%Y-%m-%d").to_string(),
            When::Floating(n) => n.format("%Y-%m-%d %H:%M").to_string(),
            _ => tz::instant(w, &r.body.timezones, self.tz)
                .with_timezone(&self.tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        }
    }

    /// What the user typed → a stored value (dates stay dates; local times carry the zone).
    fn when_from(&self, label: &str, text: &str) -> Result<When, String> {
        let w = parse_user_when(text, self.now, self.tz).map_err(|e| format!("{label}: {e}"))?;
        Ok(match w {
            UserWhen::Date(d) => When::Date(d),
            UserWhen::Local(n) => When::Zoned(n, self.tz.name().to_string()),
            UserWhen::Instant(t) => When::Zoned(
                t.with_timezone(&self.tz).naive_local(),
                self.tz.name().to_string(),
            ),
        })
    }
}

fn when_of(r: &Record, name: &str) -> Option<When> {
    r.prop(name).and_then(|p| When::from_property(p).ok())
}

/// The form for creating (`base = None`) or editing a record of `kind`.
/// `day` seeds the start of a new event.
pub fn form_for(kind: Kind, base: Option<&Record>, day: NaiveDate, ctx: &FormCtx) -> Form {
    let t = |name: &str| base.and_then(|r| r.text(name)).unwrap_or_default();
    let coll = base
        .map(|r| ctx.collection_name(&r.collection))
        .unwrap_or_else(|| ctx.default_name(kind));
    let fields = match kind {
        Kind::Contact => vec![
            Field::new("Name", "full name (required)", &t("FN")),
            Field::new("Organization", "", &t("ORG").replace(';', ", ")),
            Field::new(
                "Emails",
                "a@b.org (work), c@d.net (home)",
                &base.map(|r| list_show(r, "EMAIL")).unwrap_or_default(),
            ),
            Field::new(
                "Phones",
                "+49 30 1234 (cell), ...",
                &base.map(|r| list_show(r, "TEL")).unwrap_or_default(),
            ),
            Field::new(
                "Addresses",
                "street, city, postcode, country (home); ...",
                &base.map(addr_show).unwrap_or_default(),
            ),
            Field::new(
                "Birthday",
                "YYYY-MM-DD",
                &base
                    .and_then(|r| when_of(r, "BDAY"))
                    .map(|w| ctx_date(&w))
                    .unwrap_or_default(),
            ),
            Field::new("Address book", "", &coll),
            Field::new("Note", "", &t("NOTE")),
        ],
        Kind::Event => {
            let start = base
                .and_then(|r| when_of(r, "DTSTART").map(|w| ctx.show_when(&w, r)))
                .unwrap_or_else(|| format!("{} 09:00", day.format("%Y-%m-%d")));
            let end = base
                .and_then(|r| event_end_show(r, ctx))
                .unwrap_or_default();
            vec![
                Field::new("Title", "(required)", &t("SUMMARY")),
                Field::new(
                    "Start",
                    "YYYY-MM-DD [HH:MM]; a date alone = all day",
                    &start,
                ),
                Field::new("End", "empty = 1 hour (all day: same day); or +90m", &end),
                Field::new("Location", "", &t("LOCATION")),
                Field::new(
                    "Repeat",
                    "daily, weekly, monthly, yearly or FREQ=...",
                    &base
                        .and_then(|r| r.prop("RRULE"))
                        .map(|p| p.value.clone())
                        .unwrap_or_default(),
                ),
                Field::new("Calendar", "", &coll),
                Field::new("Description", "", &t("DESCRIPTION")),
            ]
        }
        Kind::Task => vec![
            Field::new("Title", "(required)", &t("SUMMARY")),
            Field::new(
                "Due",
                "YYYY-MM-DD [HH:MM], today, +3d (empty: none)",
                &base
                    .and_then(|r| when_of(r, "DUE").map(|w| ctx.show_when(&w, r)))
                    .unwrap_or_default(),
            ),
            Field::new(
                "Priority",
                "1 (high) .. 9 (low), empty: none",
                &t("PRIORITY").replace('0', ""),
            ),
            Field::new("List", "", &coll),
            Field::new("Description", "", &t("DESCRIPTION")),
        ],
        Kind::Note => vec![
            Field::new("Title", "(required)", &t("SUMMARY")),
            Field::new("Notebook", "", &coll),
        ],
    };
    let what = kind.as_str();
    Form {
        title: match base {
            Some(r) => format!("Edit {what}: {}", r.title()),
            None => format!("New {what}"),
        },
        kind,
        base: base.cloned(),
        parent: None,
        fields,
        focus: 0,
        error: None,
        keys: super::form::SAVE_KEYS,
    }
}

fn ctx_date(w: &When) -> String {
    match w {
        When::Date(d) => d.format("%Y-%m-%d").to_string(),
        When::Floating(n) | When::Zoned(n, _) => n.format("%Y-%m-%d").to_string(),
        When::Utc(t) => t.format("%Y-%m-%d").to_string(),
    }
}

fn event_end_show(r: &Record, ctx: &FormCtx) -> Option<String> {
    let start = when_of(r, "DTSTART")?;
    let end = match when_of(r, "DTEND") {
        Some(e) => e,
        None => start.plus(crate::model::duration::duration_of(r, &start)?),
    };
    Some(match end {
        // DTEND of a date is exclusive; people say the last day.
        When::Date(d) => (d - Duration::days(1))
            .max(ctx_start_date(&start))
            .format("%Y-%m-%d")
            .to_string(),
        w => ctx.show_when(&w, r),
    })
}

fn ctx_start_date(w: &When) -> NaiveDate {
    match w {
        When::Date(d) => *d,
        When::Floating(n) | When::Zoned(n, _) => n.date(),
        When::Utc(t) => t.date_naive(),
    }
}

/// The type of a property as users say it (first TYPE value, lowercased).
fn parse_date_only(label: &str, text: &str, ctx: &FormCtx) -> Result<NaiveDate, String> {
    match parse_user_when(text, ctx.now, ctx.tz).map_err(|e| format!("{label}: {e}"))? {
        UserWhen::Date(d) => Ok(d),
        _ => Err(format!("{label}: expected a date (YYYY-MM-DD)")),
    }
}

fn rrule_from(text: &str) -> Result<String, String> {
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    let simple = match upper.as_str() {
        "DAILY" => Some("FREQ=DAILY"),
        "WEEKLY" => Some("FREQ=WEEKLY"),
        "MONTHLY" => Some("FREQ=MONTHLY"),
        "YEARLY" | "ANNUALLY" => Some("FREQ=YEARLY"),
        "WEEKDAYS" => Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        _ => None,
    };
    if let Some(s) = simple {
        return Ok(s.to_string());
    }
    let ok_freq = [
        "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY",
    ];
    let freq = upper
        .split(';')
        .find_map(|p| p.strip_prefix("FREQ="))
        .filter(|f| ok_freq.contains(f));
    if freq.is_none() || upper.split(';').any(|p| !p.contains('=')) {
        return Err(format!(
            "Repeat: {t:?} is not a rule (use daily, weekly, weekdays, monthly, yearly or e.g. FREQ=WEEKLY;BYDAY=MO)"
        ));
    }
    Ok(upper)
}

/// Validate the form and build the record to save. On error nothing changes.
pub fn apply(form: &Form, ctx: &FormCtx) -> Result<Record, String> {
    let kind = form.kind;
    let coll_label = form
        .fields
        .iter()
        .find(|f| matches!(f.label, "Address book" | "Calendar" | "List" | "Notebook"))
        .map(|f| f.label)
        .unwrap_or("Collection");
    let coll_text = form.field(coll_label).value().to_string();
    let collection = ctx.resolve(kind, &coll_text, coll_label)?;
    let mut r = match &form.base {
        Some(b) => b.clone(),
        None => Record::new(kind, &collection),
    };
    r.collection = collection;
    let is_new = form.base.is_none();
    let changed = |label: &str| is_new || form.field(label).changed();
    let set_opt = |r: &mut Record, name: &str, v: &str| {
        if v.is_empty() {
            r.remove(name);
        } else {
            r.set_text(name, v);
        }
    };
    match kind {
        Kind::Contact => {
            let name = form.field("Name").value();
            if name.is_empty() {
                return Err("Name: a contact needs a name".into());
            }
            if changed("Name") {
                r.set_text("FN", name);
                if is_new {
                    let mut words: Vec<&str> = name.split_whitespace().collect();
                    let last = if words.len() > 1 {
                        words.pop().unwrap_or("")
                    } else {
                        ""
                    };
                    let n = format!(
                        "{};{};;;",
                        crate::model::property::escape_text(last),
                        crate::model::property::escape_text(&words.join(" "))
                    );
                    r.set_props("N", vec![Property::new("N", n)]);
                }
            }
            if changed("Organization") {
                set_opt(&mut r, "ORG", form.field("Organization").value());
            }
            if changed("Emails") {
                let v = typed_props("EMAIL", form.field("Emails").value(), ',', |e| {
                    if e.contains('@') && !e.contains(' ') {
                        Ok(())
                    } else {
                        Err(format!("Emails: {e:?} is not an email address"))
                    }
                })?;
                r.set_props("EMAIL", v);
            }
            if changed("Phones") {
                let v = typed_props("TEL", form.field("Phones").value(), ',', |t| {
                    if t.chars().any(|c| c.is_ascii_digit())
                        && t.chars()
                            .all(|c| c.is_ascii_digit() || " +-()./x".contains(c))
                    {
                        Ok(())
                    } else {
                        Err(format!("Phones: {t:?} is not a phone number"))
                    }
                })?;
                r.set_props("TEL", v);
            }
            if changed("Addresses") {
                let mut v = Vec::new();
                for item in form
                    .field("Addresses")
                    .value()
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    let (line, ty) = split_type(item);
                    let mut p = Property::new("ADR", adr_value(&line));
                    if let Some(t) = ty {
                        p.set_param("TYPE", &t);
                    }
                    v.push(p);
                }
                r.set_props("ADR", v);
            }
            if changed("Birthday") {
                let b = form.field("Birthday").value();
                if b.is_empty() {
                    r.remove("BDAY");
                } else {
                    let d = parse_date_only("Birthday", b, ctx)?;
                    r.set_props(
                        "BDAY",
                        vec![Property::new("BDAY", d.format("%Y%m%d").to_string())],
                    );
                }
            }
            if changed("Note") {
                set_opt(&mut r, "NOTE", form.field("Note").value());
            }
        }
        Kind::Event => {
            let title = form.field("Title").value();
            if title.is_empty() {
                return Err("Title: an event needs a title".into());
            }
            if changed("Title") {
                r.set_text("SUMMARY", title);
            }
            let start_text = form.field("Start").value();
            let start = if changed("Start") || changed("End") {
                ctx.when_from("Start", start_text)?
            } else {
                when_of(&r, "DTSTART").ok_or("Start: the event has no start")?
            };
            if changed("Start") || changed("End") {
                let end = event_end(&start, form.field("End").value(), ctx)?;
                let s_inst = tz::instant(&start, &r.body.timezones, ctx.tz);
                let e_inst = tz::instant(&end, &r.body.timezones, ctx.tz);
                if e_inst <= s_inst && !(start.is_date() && e_inst == s_inst) {
                    return Err("End: must be after the start".into());
                }
                r.set_props("DTSTART", vec![start.to_property("DTSTART")]);
                r.remove("DURATION");
                r.set_props("DTEND", vec![end.to_property("DTEND")]);
            }
            if changed("Location") {
                set_opt(&mut r, "LOCATION", form.field("Location").value());
            }
            if changed("Repeat") {
                let rep = form.field("Repeat").value();
                if rep.is_empty() {
                    r.remove("RRULE");
                } else {
                    r.set_props("RRULE", vec![Property::new("RRULE", rrule_from(rep)?)]);
                }
            }
            if changed("Description") {
                set_opt(&mut r, "DESCRIPTION", form.field("Description").value());
            }
            if is_new {
                stamp(&mut r, ctx.now);
            }
        }
        Kind::Task => {
            let title = form.field("Title").value();
            if title.is_empty() {
                return Err("Title: a task needs a title".into());
            }
            if changed("Title") {
                r.set_text("SUMMARY", title);
            }
            if changed("Due") {
                let due = form.field("Due").value();
                if due.is_empty() {
                    r.remove("DUE");
                } else {
                    let w = ctx.when_from("Due", due)?;
                    r.set_props("DUE", vec![w.to_property("DUE")]);
                }
            }
            if changed("Priority") {
                let p = form.field("Priority").value();
                if p.is_empty() {
                    r.remove("PRIORITY");
                } else {
                    match p.parse::<u8>() {
                        Ok(n @ 1..=9) => {
                            r.set_props("PRIORITY", vec![Property::new("PRIORITY", n.to_string())])
                        }
                        _ => return Err(format!("Priority: {p:?} is not 1..9")),
                    }
                }
            }
            if changed("Description") {
                set_opt(&mut r, "DESCRIPTION", form.field("Description").value());
            }
            if is_new {
                if r.prop("STATUS").is_none() {
                    r.body
                        .main
                        .props
                        .push(Property::new("STATUS", "NEEDS-ACTION"));
                }
                if let Some(parent) = &form.parent {
                    r.body.main.props.push(
                        Property::new("RELATED-TO", parent.clone()).with_param("RELTYPE", "PARENT"),
                    );
                }
                stamp(&mut r, ctx.now);
            }
        }
        Kind::Note => {
            let title = form.field("Title").value();
            if title.is_empty() {
                return Err("Title: a note needs a title".into());
            }
            if changed("Title") {
                r.set_text("SUMMARY", title);
            }
            if is_new {
                stamp(&mut r, ctx.now);
            }
        }
    }
    Ok(r)
}

fn stamp(r: &mut Record, now: DateTime<Utc>) {
    if r.prop("DTSTAMP").is_none() {
        r.body.main.props.push(Property::new(
            "DTSTAMP",
            now.format("%Y%m%dT%H%M%SZ").to_string(),
        ));
    }
}

fn event_end(start: &When, text: &str, ctx: &FormCtx) -> Result<When, String> {
    if text.is_empty() {
        return Ok(match start {
            When::Date(_) => start.plus(Duration::days(1)),
            _ => start.plus(Duration::hours(1)),
        });
    }
    if let Some(rel) = text.strip_prefix('+') {
        let d = crate::model::time::parse_human_duration(rel).map_err(|e| format!("End: {e}"))?;
        return Ok(start.plus(d));
    }
    let end = ctx.when_from("End", text)?;
    match (start, end) {
        (When::Date(_), When::Date(d)) => Ok(When::Date(d + Duration::days(1))),
        (When::Date(_), _) => Err("End: the start is a date (all day), so give a date too".into()),
        (_, When::Date(_)) => {
            Err("End: the start has a time, so give a time too (YYYY-MM-DD HH:MM)".into())
        }
        (_, e) => Ok(e),
    }
}

/// The local wall time of a stored value (for sorting and display).
pub fn local_naive(w: &When, r: &Record, zone: Tz) -> NaiveDateTime {
    match w {
        When::Date(d) => d.and_hms_opt(0, 0, 0).expect("midnight"),
        When::Floating(n) => *n,
        _ => tz::instant(w, &r.body.timezones, zone)
            .with_timezone(&zone)
            .naive_local(),
    }
}

mod values;
pub use values::{addr_line, plain_value, type_of};
use values::{addr_show, adr_value, list_show, split_type, typed_props};

#[cfg(test)]
mod tests;
