//! The events section of `pim show` for a contact: what the person attends or
//! organises, upcoming and recent (`app::people`).

use std::io::Write;

use serde_json::{Value, json};

use super::Context;
use crate::app::people::{self, PersonEvent, PersonEvents};
use crate::formats::view::rfc3339;
use crate::model::Record;

pub fn events_of(cx: &Context, contact: &Record) -> anyhow::Result<PersonEvents> {
    Ok(people::events_of(&cx.store, contact, cx.now, cx.tz)?)
}

fn item_json(e: &PersonEvent) -> Value {
    let o = &e.occurrence;
    let (start, end) = if o.all_day {
        (
            o.start.format("%Y-%m-%d").to_string(),
            o.end.format("%Y-%m-%d").to_string(),
        )
    } else {
        (rfc3339(&o.start), rfc3339(&o.end))
    };
    json!({
        "id": e.event.id,
        "summary": e.event.title(),
        "start": start,
        "end": end,
        "all_day": o.all_day,
        "location": e.event.text("LOCATION"),
        "role": e.role.as_str(),
    })
}

/// `{"upcoming": [...], "recent": [...]}` for `pim show --json`.
pub fn events_json(found: &PersonEvents) -> Value {
    json!({
        "upcoming": found.upcoming.iter().map(item_json).collect::<Vec<_>>(),
        "recent": found.recent.iter().map(item_json).collect::<Vec<_>>(),
    })
}

/// The section after a contact's fields in `pim show`.
pub fn print_events(cx: &Context, found: &PersonEvents) -> anyhow::Result<()> {
    let mut out = super::print::Stdout::lock();
    for (title, list) in [
        ("Upcoming events", &found.upcoming),
        ("Recent events", &found.recent),
    ] {
        if list.is_empty() {
            continue;
        }
        writeln!(out, "\n{title}:")?;
        for e in list {
            let o = &e.occurrence;
            let when = if o.all_day {
                o.start.format("%Y-%m-%d").to_string()
            } else {
                o.start
                    .with_timezone(&cx.tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            };
            let id: String = e.event.id.chars().take(8).collect();
            writeln!(
                out,
                "  {when:<16}  {}  ({}, {id})",
                e.event.title().replace('\n', " "),
                e.role.as_str()
            )?;
        }
    }
    out.finish()?;
    Ok(())
}
