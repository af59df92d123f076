//! `pim invites scan|list|show|accept|tentative|decline|accept-counter|decline-counter`:
//! meeting invitations found in the account's INBOX (DESIGN.md §7).

use anyhow::anyhow;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::sync::{account, connect, runtime};
use super::{Context, print};
use crate::config::accounts::{Account, ConfigFile};
use crate::formats::view::when_json;
use crate::invite::apply::{Settings, local_event};
use crate::invite::state::{self, Invitation};
use crate::invite::{Answer, Itip, Person, parse_itip};
use crate::mail::invites::{self as mail_invites, ScanReport};
use crate::mail::{self, ImapMailbox};
use crate::model::time::When;
use crate::model::{Kind, Record};

#[derive(Debug, Subcommand)]
pub enum InvitesCommand {
    /// Look for new invitations in INBOX now (also done by every `pim sync`)
    Scan {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Invitations found so far, with their status
    List {
        #[arg(long)]
        json: bool,
    },
    /// One invitation in full, with the events it overlaps
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Accept: add the event, reply to the organizer, park the message
    Accept(AnswerArgs),
    /// Answer "tentative"
    Tentative(AnswerArgs),
    /// Decline (the event is kept marked declined, or removed: `[invitations] declined`)
    Decline(AnswerArgs),
    /// For an event you organise: take the attendee's proposed time
    AcceptCounter(CounterArgs),
    /// For an event you organise: keep your time, tell the attendee
    DeclineCounter(CounterArgs),
}

#[derive(Debug, Args)]
pub struct AnswerArgs {
    pub id: i64,
    /// Calendar for a new event (default: the default calendar)
    #[arg(long)]
    pub calendar: Option<String>,
    /// A note for the organizer (COMMENT)
    #[arg(long)]
    pub comment: Option<String>,
    /// Update the calendar only; send nothing
    #[arg(long)]
    pub no_reply: bool,
}

#[derive(Debug, Args)]
pub struct CounterArgs {
    pub id: i64,
    #[arg(long)]
    pub no_reply: bool,
}

/// `[invitations]` in config.toml plus the account's own address.
pub(super) fn settings(ctx: &Context, acc: &Account) -> anyhow::Result<(Settings, bool)> {
    let config = ConfigFile::load(&ctx.paths.config_file())?;
    mail::answer::settings(&config, acc).map_err(anyhow::Error::msg)
}

/// Scan INBOX and send queued replies over an open connection; called by
/// `pim sync` and `pim sync --watch` after each round, and by `pim invites scan`.
pub(super) async fn after_sync(
    ctx: &mut Context,
    name: &str,
    acc: &Account,
    mb: &mut ImapMailbox,
) -> anyhow::Result<ScanReport> {
    let (s, _) = settings(ctx, acc)?;
    let report = mail_invites::scan(&mut ctx.store, mb, name, &acc.parking_folder, &s).await;
    // Queued replies go out even when the scan failed.
    flush_outbox(ctx, name, acc).await;
    Ok(report?)
}

/// Send what waits in the outbox; failures are reported, never fatal.
async fn flush_outbox(ctx: &Context, name: &str, acc: &Account) {
    if state::queued(&ctx.store, name)
        .map(|q| q.is_empty())
        .unwrap_or(true)
    {
        return;
    }
    let cfg = match acc
        .password()
        .map_err(|e| e.to_string())
        .and_then(|pw| mail::account::smtp_config(acc, &pw).map_err(|e| e.to_string()))
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pim: replies stay in the outbox: {e}");
            return;
        }
    };
    match mail_invites::send_outbox(&ctx.store, &cfg, name).await {
        Ok(r) if r.waiting > 0 => eprintln!(
            "pim: sent {} queued replies; {} still waiting ({})",
            r.sent,
            r.waiting,
            r.last_error.unwrap_or_default()
        ),
        Ok(r) if r.sent > 0 => eprintln!("pim: sent {} queued replies", r.sent),
        Ok(_) => {}
        Err(e) => eprintln!("pim: replies stay in the outbox: {e}"),
    }
}

pub fn run(ctx: &mut Context, c: InvitesCommand) -> anyhow::Result<()> {
    match c {
        InvitesCommand::Scan { account: a, json } => {
            let (name, acc) = account(ctx, a.as_deref())?;
            let r = runtime()?.block_on(async {
                let mut mb = connect(&name, &acc).await?;
                let r = after_sync(ctx, &name, &acc, &mut mb).await?;
                mb.logout().await;
                anyhow::Ok(r)
            })?;
            if json {
                print::json(&serde_json::to_value(&r)?)
            } else {
                println!(
                    "{} new messages, {} invitations ({} invalid), {} applied to the calendar",
                    r.messages, r.invitations, r.invalid, r.applied
                );
                Ok(())
            }
        }
        InvitesCommand::List { json } => list(ctx, json),
        InvitesCommand::Show { id, json } => show(ctx, id, json),
        InvitesCommand::Accept(a) => answer(ctx, a, Answer::Accept),
        InvitesCommand::Tentative(a) => answer(ctx, a, Answer::Tentative),
        InvitesCommand::Decline(a) => answer(ctx, a, Answer::Decline),
        InvitesCommand::AcceptCounter(a) => counter(ctx, a, true),
        InvitesCommand::DeclineCounter(a) => counter(ctx, a, false),
    }
}

fn person_json(p: &Person) -> Value {
    serde_json::to_value(p).unwrap_or(Value::Null)
}

fn when_of(r: &Record, name: &str, ctx: &Context) -> Value {
    r.prop(name)
        .and_then(|p| When::from_property(p).ok())
        .map(|w| when_json(&w, r, ctx.tz))
        .unwrap_or(Value::Null)
}

/// Our PARTSTAT in the event we hold, if any.
fn our_answer(ev: &Record, itip: &Itip, s: &Settings) -> Option<String> {
    let comp = match &itip.recurrence_id {
        Some(rid) => ev
            .body
            .overrides
            .iter()
            .chain(std::iter::once(&ev.body.main))
            .find(|c| {
                c.prop("RECURRENCE-ID")
                    .is_some_and(|p| p.value == rid.value)
            })?,
        None => &ev.body.main,
    };
    comp.props_named("ATTENDEE")
        .find(|p| s.me.contains(&crate::invite::address_of(&p.value)))
        .and_then(|p| p.param("PARTSTAT").map(str::to_string))
}

pub(super) fn invitation_json(ctx: &Context, inv: &Invitation, s: Option<&Settings>) -> Value {
    let mut v = json!({
        "id": inv.id,
        "kind": "invitation",
        "collection": inv.folder,
        "status": inv.status,
        "note": inv.note,
        "error": inv.error,
        "from": inv.from,
        "subject": inv.subject,
        "message_id": inv.message_id,
        "attachments": inv.attachments,
        "event_id": inv.event_id,
        "parked": inv.parked.as_ref().map(|p| json!({"folder": p.folder, "uid": p.uid, "uidvalidity": p.uidvalidity})),
        "reply_pending": inv.park_pending,
    });
    let Some(itip) = inv
        .error
        .is_none()
        .then(|| parse_itip(&inv.ics, inv.content_method.as_deref()).ok())
        .flatten()
    else {
        for k in ["uid", "method", "summary", "organizer", "start", "sequence"] {
            v[k] = Value::Null;
        }
        return v;
    };
    let ev = &itip.event;
    let local = local_event(&ctx.store, &itip.uid).ok().flatten();
    v["uid"] = json!(itip.uid);
    v["method"] = json!(itip.method.as_str());
    v["summary"] = json!(itip.summary());
    v["location"] = json!(itip.location());
    v["organizer"] = itip
        .organizer()
        .map(|p| person_json(&p))
        .unwrap_or(Value::Null);
    v["attendees"] = Value::Array(itip.attendees().iter().map(person_json).collect());
    v["start"] = when_of(ev, "DTSTART", ctx);
    v["end"] = when_of(ev, "DTEND", ctx);
    v["sequence"] = json!(itip.sequence);
    v["recurrence_id"] = json!(itip.recurrence_id.as_ref().map(|p| p.value.clone()));
    v["rrule"] = json!(ev.prop("RRULE").map(|p| p.value.clone()));
    v["occurrences"] = json!(first_occurrences(ctx, &itip, 5));
    v["updates_event"] = json!(local.as_ref().map(|r| r.id.clone()));
    v["our_answer"] = json!(
        local
            .as_ref()
            .zip(s)
            .and_then(|(r, s)| our_answer(r, &itip, s))
    );
    v
}

/// Starts of the first `n` occurrences (one for a single event).
fn first_occurrences(ctx: &Context, itip: &Itip, n: usize) -> Vec<String> {
    let Some((from, _)) = crate::invite::first_window(itip, ctx.tz) else {
        return Vec::new();
    };
    let to = from + chrono::Duration::days(366 * 5);
    crate::recur::occurrences(&itip.event, from, to, ctx.tz)
        .unwrap_or_default()
        .iter()
        .take(n)
        .map(|o| crate::formats::view::rfc3339(&o.start))
        .collect()
}

fn default_settings(ctx: &Context) -> Option<Settings> {
    let (_, acc) = account(ctx, None).ok()?;
    settings(ctx, &acc).ok().map(|(s, _)| s)
}

fn list(ctx: &Context, json: bool) -> anyhow::Result<()> {
    let s = default_settings(ctx);
    let all = state::list(&ctx.store, None)?;
    let items: Vec<Value> = all
        .iter()
        .map(|i| invitation_json(ctx, i, s.as_ref()))
        .collect();
    if json {
        return print::json(&Value::Array(items));
    }
    if items.is_empty() {
        println!("no invitations (run `pim invites scan` or `pim sync`)");
        return Ok(());
    }
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let mut rows = vec![vec![
        "ID".to_string(),
        "METHOD".into(),
        "STATUS".into(),
        "START".into(),
        "SUMMARY".into(),
        "ORGANIZER".into(),
        "ATTACHMENTS".into(),
        "NOTE".into(),
    ]];
    for v in &items {
        let atts = v["attachments"].as_array().map(Vec::len).unwrap_or(0);
        rows.push(vec![
            text(&v["id"]),
            text(&v["method"]),
            text(&v["status"]),
            text(&v["start"]),
            text(&v["summary"]),
            text(&v["organizer"]["email"]),
            atts.to_string(),
            match &v["error"] {
                Value::String(e) => format!("invalid: {e}"),
                _ => text(&v["note"]),
            },
        ]);
    }
    print::table(&rows)
}

/// Events of ours overlapping the invitation's first occurrence.
fn overlapping(ctx: &Context, itip: &Itip) -> Vec<Value> {
    let ev = &itip.event;
    let Some((from, to)) = crate::invite::first_window(itip, ctx.tz) else {
        return Vec::new();
    };
    let Ok(occs) = crate::recur::occurrences(ev, from, to, ctx.tz) else {
        return Vec::new();
    };
    let Some(first) = occs.first() else {
        return Vec::new();
    };
    let (from, to) = (first.start.timestamp(), first.end.timestamp());
    let mut out = Vec::new();
    for r in ctx.store.events_between(from, to, None).unwrap_or_default() {
        if r.uid() == Some(itip.uid.as_str()) {
            continue;
        }
        let from_t = first.start.with_timezone(&chrono::Utc);
        let to_t = first.end.with_timezone(&chrono::Utc);
        for o in crate::recur::occurrences(&r, from_t, to_t, ctx.tz).unwrap_or_default() {
            out.push(json!({"id": r.id, "summary": r.title(),
                "start": crate::formats::view::rfc3339(&o.start),
                "end": crate::formats::view::rfc3339(&o.end)}));
        }
    }
    out
}

fn load(ctx: &Context, id: i64) -> anyhow::Result<(String, Invitation)> {
    state::get(&ctx.store, id)?
        .ok_or_else(|| anyhow!("no invitation {id} (see `pim invites list`)"))
}

fn show(ctx: &Context, id: i64, json: bool) -> anyhow::Result<()> {
    let (_, inv) = load(ctx, id)?;
    let s = default_settings(ctx);
    let mut v = invitation_json(ctx, &inv, s.as_ref());
    let itip = parse_itip(&inv.ics, inv.content_method.as_deref()).ok();
    v["overlaps"] = Value::Array(
        itip.as_ref()
            .map(|i| overlapping(ctx, i))
            .unwrap_or_default(),
    );
    v["description"] = json!(itip.as_ref().and_then(|i| i.event.text("DESCRIPTION")));
    if json {
        return print::json(&v);
    }
    let line = |k: &str, val: &Value| {
        let t = match val {
            Value::String(s) => s.clone(),
            Value::Null => return,
            other => other.to_string(),
        };
        if !t.is_empty() {
            println!("{k:<12} {t}");
        }
    };
    for k in [
        "id",
        "method",
        "status",
        "note",
        "error",
        "summary",
        "start",
        "end",
        "location",
        "rrule",
        "recurrence_id",
        "sequence",
        "uid",
        "from",
        "subject",
        "our_answer",
        "updates_event",
    ] {
        line(k, &v[k]);
    }
    line("organizer", &v["organizer"]["email"]);
    if let Some(o) = v["occurrences"].as_array().filter(|o| o.len() > 1) {
        let list: Vec<&str> = o.iter().filter_map(|x| x.as_str()).collect();
        println!("{:<12} {} …", "occurrences", list.join(", "));
    }
    for a in v["attendees"].as_array().into_iter().flatten() {
        println!(
            "{:<12} {} ({})",
            "attendee",
            a["email"].as_str().unwrap_or(""),
            a["partstat"].as_str().unwrap_or("NEEDS-ACTION")
        );
    }
    for a in v["attachments"].as_array().into_iter().flatten() {
        println!(
            "{:<12} {} ({}, {} bytes, part {})",
            "attachment",
            a["name"].as_str().unwrap_or(""),
            a["type"].as_str().unwrap_or(""),
            a["size"],
            a["part"].as_str().unwrap_or("")
        );
    }
    for o in v["overlaps"].as_array().into_iter().flatten() {
        println!(
            "{:<12} {} {}",
            "overlaps",
            o["start"].as_str().unwrap_or(""),
            o["summary"].as_str().unwrap_or("")
        );
    }
    Ok(())
}

fn answer(ctx: &mut Context, a: AnswerArgs, ans: Answer) -> anyhow::Result<()> {
    let (acct, _) = load(ctx, a.id)?;
    let (name, acc) = account(ctx, Some(&acct))?;
    let config = ConfigFile::load(&ctx.paths.config_file())?;
    let cal = ctx
        .store
        .resolve_collection(Kind::Event, a.calendar.as_deref())?;
    let req = mail::answer::AnswerRequest {
        id: a.id,
        answer: ans,
        calendar: &cal.id,
        comment: a.comment.as_deref(),
        reply: !a.no_reply,
    };
    let said = runtime()?.block_on(mail::answer::answer(
        &mut ctx.store,
        &name,
        &acc,
        &config,
        req,
    ))?;
    println!("{said}");
    Ok(())
}

fn counter(ctx: &mut Context, a: CounterArgs, accept: bool) -> anyhow::Result<()> {
    let (acct, _) = load(ctx, a.id)?;
    let (name, acc) = account(ctx, Some(&acct))?;
    let config = ConfigFile::load(&ctx.paths.config_file())?;
    let req = mail::answer::CounterRequest {
        id: a.id,
        accept,
        reply: !a.no_reply,
    };
    let said = runtime()?.block_on(mail::answer::answer_counter(
        &mut ctx.store,
        &name,
        &acc,
        &config,
        req,
    ))?;
    println!("{said}");
    Ok(())
}
