//! `pim invites scan|list|show|accept|tentative|decline|accept-counter|decline-counter`:
//! meeting invitations found in the account's INBOX (DESIGN.md §7).

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::sync::{account, connect, runtime};
use super::{Context, print};
use crate::app::invites::{
    self as app, AccountSettings, Answer, AnswerRequest, CounterRequest, Invitation, OutboxReport,
    Person, ScanReport, Settings,
};
use crate::config::accounts::{Account, ConfigFile};
use crate::formats::view::{rfc3339, when_json};
use crate::mail::ImapMailbox;
use crate::model::time::When;
use crate::model::{Kind, Record};

#[derive(Debug, Subcommand)]
pub enum InvitesCommand {
    /// Look for new invitations in INBOX now (also done by every `pim sync`)
    Scan {
        /// Mail account to use (default: the one sync uses)
        #[arg(long)]
        account: Option<String>,
        /// JSON output
        #[arg(long)]
        json: bool,
    },
    /// Invitations found so far, with their status
    List {
        /// JSON output
        #[arg(long)]
        json: bool,
    },
    /// One invitation in full, with the events it overlaps
    Show {
        /// The invitation's number, as `pim invites list` shows it
        id: i64,
        /// JSON output
        #[arg(long)]
        json: bool,
    },
    /// Read an invitation a mail client pipes in (an .eml, or a bare .ics with
    /// METHOD) and list it with the others; updates and cancellations apply at once
    Import {
        /// The message or calendar file, or - for stdin
        #[arg(value_name = "FILE|-")]
        file: String,
        /// JSON output
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
    /// The invitation's number, as `pim invites list` shows it
    pub id: i64,
    /// Calendar for a new event (default: the default calendar)
    #[arg(long)]
    pub calendar: Option<String>,
    /// A note for the organizer (COMMENT)
    #[arg(long)]
    pub comment: Option<String>,
    /// Update the calendar only; send nothing
    #[arg(long, conflicts_with = "reply_to")]
    pub no_reply: bool,
    /// Write the REPLY as a ready-to-send message to FILE (- for stdout) for your
    /// mail client, instead of sending it; needs no account, parks nothing
    #[arg(long, value_name = "FILE|-")]
    pub reply_to: Option<String>,
    /// Your address among the attendees, when no account or alias names it
    #[arg(long, value_name = "ADDRESS")]
    pub me: Option<String>,
}

#[derive(Debug, Args)]
pub struct CounterArgs {
    /// The invitation's number, as `pim invites list` shows it
    pub id: i64,
    /// Update the calendar only; send nothing
    #[arg(long)]
    pub no_reply: bool,
}

/// `[invitations]` in config.toml plus the account's own address.
fn settings(ctx: &Context, acc: &Account) -> anyhow::Result<AccountSettings> {
    let config = ConfigFile::load(&ctx.paths.config_file())?;
    Ok(app::settings(&config, acc)?)
}

/// Scan INBOX and send queued replies over an open connection; called by
/// `pim sync` and `pim sync --watch` after each round, and by `pim invites scan`.
pub(super) async fn after_sync(
    ctx: &mut Context,
    name: &str,
    acc: &Account,
    mb: &mut ImapMailbox,
) -> anyhow::Result<ScanReport> {
    let config = ConfigFile::load(&ctx.paths.config_file())?;
    let (scanned, sent) = app::after_sync(&mut ctx.store, mb, name, acc, &config).await?;
    report_outbox(&sent);
    Ok(scanned)
}

fn report_outbox(r: &OutboxReport) {
    if r.waiting > 0 {
        errln!(
            "pim: sent {} queued replies; {} still waiting ({})",
            r.sent,
            r.waiting,
            r.last_error.as_deref().unwrap_or_default()
        );
    } else if r.sent > 0 {
        errln!("pim: sent {} queued replies", r.sent);
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
                outln!(
                    "{} new messages, {} invitations ({} invalid), {} applied to the calendar",
                    r.messages,
                    r.invitations,
                    r.invalid,
                    r.applied
                );
                Ok(())
            }
        }
        InvitesCommand::List { json } => list(ctx, json),
        InvitesCommand::Import { file, json } => import(ctx, &file, json),
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

fn invitation_json(ctx: &Context, inv: &Invitation, s: Option<&Settings>) -> anyhow::Result<Value> {
    let mut v = json!({
        "id": inv.id,
        "kind": "invitation",
        "collection": inv.folder,
        "status": inv.status,
        "note": inv.note,
        "error": inv.error,
        "from": inv.from,
        "sender": (!inv.sender.is_empty()).then_some(&inv.sender),
        "suspicious": inv.status == app::InvitationStatus::Suspicious,
        "authentication": app::authentication(inv),
        "mail_checks": app::authentication(inv).map(|a| a.short()),
        "subject": inv.subject,
        "message_id": inv.message_id,
        "attachments": inv.attachments,
        "event_id": inv.event_id,
        "parked": inv.parked.as_ref().map(|p| json!({"folder": p.folder, "uid": p.uid, "uidvalidity": p.uidvalidity})),
        "reply_pending": inv.park_pending,
    });
    let itip = match app::itip_of(inv) {
        Ok(itip) => itip,
        Err(why) => {
            for k in ["uid", "method", "summary", "organizer", "start", "sequence"] {
                v[k] = Value::Null;
            }
            // An invitation stored before its problem was found shows it too.
            v["error"] = json!(why.to_string());
            return Ok(v);
        }
    };
    let ev = &itip.event;
    let local = app::local_event(&ctx.store, &itip)?;
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
    let starts: Vec<String> = app::first_starts(&itip, ctx.tz, 5)?
        .iter()
        .map(rfc3339)
        .collect();
    v["occurrences"] = json!(starts);
    v["updates_event"] = json!(local.as_ref().map(|r| r.id.clone()));
    v["our_answer"] = json!(
        local
            .as_ref()
            .zip(s)
            .and_then(|(r, s)| app::our_answer(r, &itip, s))
    );
    Ok(v)
}

fn default_settings(ctx: &Context) -> Option<Settings> {
    let (_, acc) = account(ctx, None).ok()?;
    settings(ctx, &acc).ok().map(|s| s.answer)
}

fn list(ctx: &Context, json: bool) -> anyhow::Result<()> {
    let s = default_settings(ctx);
    let all = app::list(&ctx.store, None)?;
    let items = all
        .iter()
        .map(|i| invitation_json(ctx, i, s.as_ref()))
        .collect::<anyhow::Result<Vec<Value>>>()?;
    if json {
        return print::json(&Value::Array(items));
    }
    if items.is_empty() {
        outln!("no invitations (run `pim invites scan` or `pim sync`)");
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
        "MAIL CHECKS".into(),
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
            text(&v["mail_checks"]),
            match &v["error"] {
                Value::String(e) => format!("invalid: {e}"),
                _ => text(&v["note"]),
            },
        ]);
    }
    print::table(&rows)
}

fn show(ctx: &Context, id: i64, json: bool) -> anyhow::Result<()> {
    let (_, inv) = app::get(&ctx.store, id)?;
    let s = default_settings(ctx);
    let mut v = invitation_json(ctx, &inv, s.as_ref())?;
    let itip = app::itip_of(&inv).ok();
    let overlaps = match &itip {
        Some(i) => app::overlaps(&ctx.store, i, ctx.tz)?,
        None => None,
    };
    v["overlaps"] = Value::Array(
        overlaps
            .iter()
            .flat_map(|o| &o.events)
            .map(|o| {
                json!({"id": o.event_id, "summary": o.summary,
                    "start": rfc3339(&o.when.start), "end": rfc3339(&o.when.end)})
            })
            .collect(),
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
            outln!("{k:<12} {t}");
        }
    };
    // The rule in words, as everywhere people read it (JSON keeps the RRULE).
    if let Some(rule) = v["rrule"]
        .as_str()
        .map(crate::recur::describe::describe_rrule)
    {
        v["repeats"] = json!(rule);
    }
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
        "repeats",
        "recurrence_id",
        "sequence",
        "uid",
        "from",
        "sender",
        "mail_checks",
        "subject",
        "our_answer",
        "updates_event",
    ] {
        line(k, &v[k]);
    }
    line("organizer", &v["organizer"]["email"]);
    if let Some(o) = v["occurrences"].as_array().filter(|o| o.len() > 1) {
        let list: Vec<&str> = o.iter().filter_map(|x| x.as_str()).collect();
        outln!("{:<12} {} …", "occurrences", list.join(", "));
    }
    for a in v["attendees"].as_array().into_iter().flatten() {
        outln!(
            "{:<12} {} ({})",
            "attendee",
            a["email"].as_str().unwrap_or(""),
            a["partstat"].as_str().unwrap_or("NEEDS-ACTION")
        );
    }
    for a in v["attachments"].as_array().into_iter().flatten() {
        outln!(
            "{:<12} {} ({}, {} bytes, part {})",
            "attachment",
            a["name"].as_str().unwrap_or(""),
            a["type"].as_str().unwrap_or(""),
            a["size"],
            a["part"].as_str().unwrap_or("")
        );
    }
    for o in v["overlaps"].as_array().into_iter().flatten() {
        outln!(
            "{:<12} {} {}",
            "overlaps",
            o["start"].as_str().unwrap_or(""),
            o["summary"].as_str().unwrap_or("")
        );
    }
    Ok(())
}

/// The default account, if one is set up (imported invitations need none).
fn optional_account(ctx: &Context, name: &str) -> anyhow::Result<Option<(String, Account)>> {
    if name.is_empty() {
        return Ok(account(ctx, None).ok());
    }
    account(ctx, Some(name)).map(Some)
}

fn import(ctx: &mut Context, file: &str, json: bool) -> anyhow::Result<()> {
    use std::io::Read;
    let bytes = if file == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .map_err(|e| anyhow::anyhow!("cannot read stdin: {e}"))?;
        b
    } else {
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {file}: {e}"))?
    };
    let config = ConfigFile::load(&ctx.paths.config_file())?;
    let acc = optional_account(ctx, "")?;
    let st = app::settings_for(&config, acc.as_ref().map(|(_, a)| a.email.as_str()))?;
    let name = acc.map(|(n, _)| n).unwrap_or_default();
    let done = app::import(&mut ctx.store, &bytes, &name, &st.answer)?;
    let (_, inv) = app::get(&ctx.store, done.id)?;
    let v = invitation_json(ctx, &inv, Some(&st.answer))?;
    if json {
        return print::json(&v);
    }
    let known = if done.known { " (imported before)" } else { "" };
    let summary = v["summary"].as_str().unwrap_or("");
    match &done.error {
        Some(e) => outln!("invitation {}{known}: invalid: {e}", done.id),
        None => outln!(
            "invitation {}{known}: {} {summary:?} from {}: {}{}",
            done.id,
            v["method"].as_str().unwrap_or(""),
            v["organizer"]["email"].as_str().unwrap_or("?"),
            done.status,
            if inv.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", inv.note)
            }
        ),
    }
    Ok(())
}

/// Answer without the mailbox: for an imported invitation, or with `--reply-to`.
/// The REPLY goes to the file (or stdout), else through the account's SMTP.
fn answer_here(ctx: &mut Context, a: AnswerArgs, ans: Answer, acct: &str) -> anyhow::Result<()> {
    let config = ConfigFile::load(&ctx.paths.config_file())?;
    let acc = optional_account(ctx, acct)?;
    if a.reply_to.is_none() && !a.no_reply && acc.is_none() {
        anyhow::bail!(
            "invitation {}: no account to send the reply through: give --reply-to FILE \
             (or - for stdout) and send it with your mail client, or --no-reply",
            a.id
        );
    }
    let mut st = app::settings_for(&config, acc.as_ref().map(|(_, a)| a.email.as_str()))?.answer;
    if let Some(me) = &a.me {
        st.me.insert(0, crate::invite::address_of(me));
    }
    if st.me.is_empty() {
        match app::lone_attendee(&ctx.store, a.id)? {
            Some(one) => st.me.push(one),
            None => anyhow::bail!(
                "invitation {}: which attendee are you? give --me ADDRESS",
                a.id
            ),
        }
    }
    let cal = ctx
        .store
        .resolve_collection(Kind::Event, a.calendar.as_deref())?;
    let (done, reply) = app::answer_to_message(
        &mut ctx.store,
        a.id,
        ans,
        &cal.id,
        a.comment.as_deref(),
        &st,
        chrono::Utc::now(),
    )?;
    if a.no_reply {
        outln!("{done}");
        return Ok(());
    }
    let out = reply.map_err(|e| anyhow::anyhow!("invitation {}: no reply: {e}", a.id))?;
    match a.reply_to.as_deref() {
        Some("-") => {
            use std::io::Write;
            errln!("{done}; reply to {} on stdout", out.to.join(", "));
            std::io::stdout().write_all(&out.message)?;
        }
        Some(path) => {
            std::fs::write(path, &out.message)
                .map_err(|e| anyhow::anyhow!("cannot write {path}: {e}"))?;
            outln!("{done}; reply to {} written to {path}", out.to.join(", "));
        }
        None => {
            let (name, acc) = acc.expect("checked above");
            let mut smtp = app::SmtpSender::for_account(&acc);
            let sent = runtime()?.block_on(app::deliver(&ctx.store, &name, &mut smtp, &out))?;
            outln!("{done}; {sent}");
        }
    }
    Ok(())
}

fn answer(ctx: &mut Context, a: AnswerArgs, ans: Answer) -> anyhow::Result<()> {
    let (acct, inv) = app::get(&ctx.store, a.id)?;
    if a.reply_to.is_some() || inv.folder == app::IMPORTED {
        return answer_here(ctx, a, ans, &acct);
    }
    let (name, acc) = account(ctx, Some(&acct))?;
    let config = ConfigFile::load(&ctx.paths.config_file())?;
    let cal = ctx
        .store
        .resolve_collection(Kind::Event, a.calendar.as_deref())?;
    let req = AnswerRequest {
        id: a.id,
        answer: ans,
        calendar: &cal.id,
        comment: a.comment.as_deref(),
        reply: !a.no_reply,
    };
    let done = runtime()?.block_on(app::answer(&mut ctx.store, &name, &acc, &config, &req))?;
    outln!("{done}");
    Ok(())
}

fn counter(ctx: &mut Context, a: CounterArgs, accept: bool) -> anyhow::Result<()> {
    let (acct, _) = app::get(&ctx.store, a.id)?;
    let (name, acc) = account(ctx, Some(&acct))?;
    let config = ConfigFile::load(&ctx.paths.config_file())?;
    let req = CounterRequest {
        id: a.id,
        accept,
        reply: !a.no_reply,
    };
    let done = runtime()?.block_on(app::answer_counter(
        &mut ctx.store,
        &name,
        &acc,
        &config,
        &req,
    ))?;
    outln!("{done}");
    Ok(())
}
