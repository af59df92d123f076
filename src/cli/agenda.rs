//! `pim agenda`: what is coming, grouped by day; `--next` for a status bar.

use std::io::Write;

use clap::Args;

use super::Context;
use super::print;
use crate::app::agenda::{self, AgendaItem, AgendaRequest, ItemKind};

#[derive(Debug, Args)]
pub struct AgendaArgs {
    /// How many days, today included
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub days: u32,
    /// JSON output: days with their items (times in your zone)
    #[arg(long)]
    pub json: bool,
    /// Only the next timed event that has not ended (one in progress counts), on one
    /// line; nothing when there is none. All-day events, birthdays and tasks are left out
    #[arg(long)]
    pub next: bool,
    /// The line --next prints: {start}, {end} (strftime after a colon, e.g.
    /// {start:%H:%M}), {summary}, {location}, {collection}, {id}; {{ and }} for braces
    #[arg(
        long,
        value_name = "TEMPLATE",
        requires = "next",
        default_value = "{start:%H:%M} {summary}"
    )]
    pub format: String,
    /// Leave out the birthdays and anniversaries of contacts
    #[arg(long)]
    pub no_birthdays: bool,
}

/// The file `--next` keeps the upcoming events in between calls.
const NEXT_CACHE: &str = "agenda-next.json";

pub fn run(cx: &Context, a: AgendaArgs) -> anyhow::Result<()> {
    cx.store.prefer_mapped_reads()?;
    if a.next {
        let cache = cx.paths.home.join(NEXT_CACHE);
        let found = agenda::next(&cx.store, cx.now, cx.tz, Some(&cache))?;
        if a.json {
            return print::json(&serde_json::to_value(&found)?);
        }
        if let Some(e) = found {
            let line = agenda::format_next(&e, &a.format)?;
            let mut out = print::Stdout::lock();
            writeln!(out, "{line}")?;
            out.finish()?;
        }
        return Ok(());
    }
    let days = agenda::agenda(
        &cx.store,
        AgendaRequest {
            now: cx.now,
            tz: cx.tz,
            days: a.days,
            birthdays: !a.no_birthdays,
        },
    )?;
    if a.json {
        return print::json(&serde_json::to_value(&days)?);
    }
    let mut out = print::Stdout::lock();
    for day in &days {
        writeln!(out, "{}", day.date.format("%a %Y-%m-%d"))?;
        for item in &day.items {
            writeln!(out, "  {:<12} {}", when(item), what(item))?;
        }
    }
    out.finish()?;
    Ok(())
}

fn when(item: &AgendaItem) -> String {
    match (item.kind, item.start, item.end) {
        (ItemKind::Birthday, ..) => "birthday".into(),
        (ItemKind::Anniversary, ..) => "anniversary".into(),
        (ItemKind::Reminder, ..) => "reminder".into(),
        (ItemKind::Task, Some(due), _) => format!("due {}", due.format("%H:%M")),
        (ItemKind::Task, None, _) => "due".into(),
        (_, Some(s), Some(e)) => format!("{}–{}", s.format("%H:%M"), e.format("%H:%M")),
        _ => "all day".into(),
    }
}

fn what(item: &AgendaItem) -> String {
    let mut s = String::new();
    if item.cancelled {
        s.push_str("[cancelled] ");
    }
    if item.kind == ItemKind::Task {
        s.push_str("[ ] ");
    }
    s.push_str(&item.summary.replace('\n', " "));
    if item.kind == ItemKind::Reminder
        && let Some(start) = item.start
    {
        let at = if item.all_day {
            "%a %Y-%m-%d"
        } else {
            "%a %Y-%m-%d %H:%M"
        };
        s.push_str(&format!(" (starts {})", start.format(at)));
    }
    if let Some(place) = &item.location {
        s.push_str(&format!(" @ {}", place.replace('\n', " ")));
    }
    s
}
