//! `pim remind`: the reminders due now, `--watch` to ring them as they come,
//! `dismiss` and `snooze`.

use std::io::Write as _;

use crate::model::zonedb::Tz;
use anyhow::anyhow;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::records::resolve_id;
use super::{Context, print};
use crate::app::clock::Clock;
use crate::app::reminders::{self, Reminder};
use crate::config::local_timezone;
use crate::model::time::parse_human_duration;

/// The longest a watcher sleeps at once: after a suspend or a clock or zone change
/// it looks again within this long, from the wall clock.
const SLICE: Duration = Duration::seconds(30);

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RemindArgs {
    #[command(subcommand)]
    pub action: Option<RemindAction>,
    /// JSON output (id, summary, start, trigger, location, occurrence)
    #[arg(long)]
    pub json: bool,
    /// Stay up and print each reminder when it is due (each rings once per profile:
    /// an open pim TUI and a watcher do not both ring it)
    #[arg(long)]
    pub watch: bool,
    /// With --watch: run this shell command for each reminder, with PIM_SUMMARY,
    /// PIM_START, PIM_LOCATION, PIM_ID, PIM_TRIGGER and PIM_OCCURRENCE set, e.g.
    /// 'notify-send "$PIM_SUMMARY" "$PIM_START"'
    #[arg(long, value_name = "CMD", requires = "watch")]
    pub command: Option<String>,
    /// With --watch: exit after ringing this many reminders (for scripts and tests)
    #[arg(long, value_name = "N", requires = "watch")]
    pub max_reminders: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum RemindAction {
    /// Dismiss a record's due reminders (on every device after the next sync)
    Dismiss {
        /// Record id (a unique prefix is enough)
        id: String,
        /// Dismiss the reminder of the occurrence starting then (also in advance)
        #[arg(long, value_name = "WHEN")]
        occurrence: Option<String>,
    },
    /// Snooze a record's due reminders: they ring again after DURATION
    Snooze {
        /// Record id (a unique prefix is enough)
        id: String,
        /// How long, e.g. 10m, 1h
        duration: String,
        /// Snooze the reminder of the occurrence starting then
        #[arg(long, value_name = "WHEN")]
        occurrence: Option<String>,
    },
}

pub fn run(cx: &mut Context, a: RemindArgs) -> anyhow::Result<()> {
    match a.action {
        Some(RemindAction::Dismiss { id, occurrence }) => {
            let id = resolve_id(cx, &id)?;
            let done =
                reminders::dismiss(&mut cx.store, &id, occurrence.as_deref(), cx.now, cx.tz)?;
            for r in &done {
                outln!("dismissed: {}", line(r, cx.tz));
            }
            Ok(())
        }
        Some(RemindAction::Snooze {
            id,
            duration,
            occurrence,
        }) => {
            let id = resolve_id(cx, &id)?;
            let d = parse_human_duration(&duration).map_err(|e| anyhow!("{e}"))?;
            let done =
                reminders::snooze(&mut cx.store, &id, d, occurrence.as_deref(), cx.now, cx.tz)?;
            for r in &done {
                outln!("snoozed until {}", line(r, cx.tz));
            }
            Ok(())
        }
        None if a.watch => watch(cx, a.command.as_deref(), a.json, a.max_reminders),
        None => {
            let due = reminders::due(&cx.store, cx.now, cx.tz)?;
            if a.json {
                return print::json(&Value::Array(due.iter().map(to_json).collect()));
            }
            for r in &due {
                outln!("{}", line(r, cx.tz));
            }
            Ok(())
        }
    }
}

fn start_text(r: &Reminder, tz: Tz) -> String {
    if r.all_day {
        r.start.format("%Y-%m-%d").to_string()
    } else {
        r.start
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

fn utc_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `TRIGGER  START  SUMMARY  (LOCATION)  ID`.
fn line(r: &Reminder, tz: Tz) -> String {
    let mut s = format!(
        "{}  {}  {}",
        r.trigger.with_timezone(&tz).format("%H:%M"),
        start_text(r, tz),
        r.summary
    );
    if let Some(l) = &r.location {
        s.push_str(&format!("  ({l})"));
    }
    s.push_str(&format!("  {}", r.id));
    s
}

fn to_json(r: &Reminder) -> Value {
    json!({
        "id": r.id,
        "kind": r.kind.as_str(),
        "summary": r.summary,
        "start": if r.all_day { r.start.format("%Y-%m-%d").to_string() } else { r.start.to_rfc3339() },
        "all_day": r.all_day,
        "trigger": utc_text(r.trigger),
        "location": r.location,
        "occurrence": r.occurrence,
        "snoozed": r.snoozed,
    })
}

/// Ring each reminder as it comes due, until interrupted (or `max` rang). Every wake
/// recomputes from the wall clock and the zone in force then, so a suspend, a clock
/// step or a zone change (travel) costs at most one [`SLICE`] of delay.
fn watch(
    cx: &mut Context,
    command: Option<&str>,
    json: bool,
    max: Option<usize>,
) -> anyhow::Result<()> {
    let clock = Clock::from_env()?;
    let mut rung = 0usize;
    loop {
        let now = clock.now();
        let tz = local_timezone();
        for r in reminders::claim_due(&cx.store, now, tz)? {
            if json {
                outln!("{}", serde_json::to_string(&to_json(&r))?);
            } else {
                outln!("{}", line(&r, tz));
            }
            std::io::stdout().flush()?;
            if let Some(cmd) = command {
                run_command(cmd, &r, tz);
            }
            rung += 1;
            if max.is_some_and(|m| rung >= m) {
                return Ok(());
            }
        }
        let wait = reminders::watch_sleep(&cx.store, now, tz, SLICE)?;
        clock.sleep(wait);
    }
}

fn run_command(cmd: &str, r: &Reminder, tz: Tz) {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env("PIM_SUMMARY", &r.summary)
        .env("PIM_START", start_text(r, tz))
        .env("PIM_LOCATION", r.location.as_deref().unwrap_or(""))
        .env("PIM_ID", &r.id)
        .env("PIM_TRIGGER", utc_text(r.trigger))
        .env("PIM_OCCURRENCE", r.occurrence.as_deref().unwrap_or(""))
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => errln!("pim: --command {cmd:?} for {:?}: {s}", r.summary),
        Err(e) => errln!("pim: --command {cmd:?}: {e}"),
    }
}
