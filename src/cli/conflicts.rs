//! `pim conflicts list|show|resolve` and `pim history ID`.

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::{Context, print};
use crate::app::conflicts::{self, ConflictError, ConflictView, Decision, Side};
use crate::app::history::{
    self, HistoryEntry, HistoryError, field_label, key_label, readable_value, value_lines,
};

#[derive(Debug, Subcommand)]
pub enum ConflictsCommand {
    /// Conflicts waiting for a decision (conflict policy `ask`), oldest first
    List {
        /// JSON output
        #[arg(long)]
        json: bool,
    },
    /// One conflict: the base value, mine and theirs (device, time, value)
    Show {
        /// The conflict's number, as `pim conflicts list` shows it
        id: i64,
        /// JSON output
        #[arg(long)]
        json: bool,
    },
    /// Settle a conflict; the outcome is an ordinary change that syncs
    Resolve {
        /// The conflict's number, as `pim conflicts list` shows it
        id: i64,
        /// Which value to keep (`both`: the union of a multi-valued property, else
        /// keep mine and a duplicate record holding theirs)
        #[arg(long, value_parser = ["mine", "theirs", "both"], required_unless_present = "value")]
        take: Option<String>,
        /// Keep this merged text instead
        #[arg(long, conflicts_with = "take")]
        value: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Record id (a unique prefix is enough)
    pub id: String,
    /// JSON output
    #[arg(long)]
    pub json: bool,
}

fn conflict_json(v: &ConflictView) -> Value {
    let side = |s: &Side| {
        json!({
            "device": s.device,
            "device_name": s.device_name,
            "when": s.when,
            "value": s.text,
        })
    };
    json!({
        "id": v.id,
        "kind": "conflict",
        "record_id": v.record_id,
        "record_kind": v.kind,
        "title": v.title,
        "field": v.key,
        "multi_valued": v.set_valued,
        "base": v.base_text,
        "mine": side(&v.mine),
        "theirs": side(&v.theirs),
        "created_at": v.created_at,
    })
}

fn short_time(t: &str) -> String {
    t.get(..16).unwrap_or(t).replace('T', " ")
}

/// The app's "not open" names the command that lists the open ones.
fn not_open_hint(e: ConflictError) -> anyhow::Error {
    match e {
        ConflictError::NotOpen(id) => {
            anyhow!("no open conflict {id} (see `pim conflicts list`)")
        }
        other => other.into(),
    }
}

pub fn run(ctx: &mut Context, c: ConflictsCommand) -> anyhow::Result<()> {
    match c {
        ConflictsCommand::List { json } => {
            let list = conflicts::list(&ctx.store)?;
            if json {
                return print::json(&Value::Array(list.iter().map(conflict_json).collect()));
            }
            if list.is_empty() {
                outln!("no conflicts");
                return Ok(());
            }
            let mut rows = vec![vec![
                "ID".to_string(),
                "RECORD".into(),
                "FIELD".into(),
                "MINE".into(),
                "THEIRS".into(),
            ]];
            for v in &list {
                rows.push(vec![
                    v.id.to_string(),
                    format!("{} {}", v.kind, v.title),
                    key_label(&v.key),
                    v.mine.text.clone(),
                    format!("{} ({})", v.theirs.text, v.theirs.device_name),
                ]);
            }
            print::table(&rows)
        }
        ConflictsCommand::Show { id, json } => {
            let v = conflicts::show(&ctx.store, id).map_err(not_open_hint)?;
            if json {
                return print::json(&conflict_json(&v));
            }
            outln!(
                "conflict {} on {} {:?} ({})",
                v.id,
                v.kind,
                v.title,
                v.record_id
            );
            outln!("field   {}", key_label(&v.key));
            outln!("base    {}", v.base_text);
            outln!(
                "mine    {}   [{}, {}]",
                v.mine.text,
                v.mine.device_name,
                short_time(&v.mine.when)
            );
            outln!(
                "theirs  {}   [{}, {}]",
                v.theirs.text,
                v.theirs.device_name,
                short_time(&v.theirs.when)
            );
            Ok(())
        }
        ConflictsCommand::Resolve { id, take, value } => {
            let decision = match (take.as_deref(), value) {
                (Some("mine"), _) => Decision::Mine,
                (Some("theirs"), _) => Decision::Theirs,
                (Some("both"), _) => Decision::Both,
                (_, Some(text)) => Decision::Text(text),
                _ => bail!("say --take mine|theirs|both or --value TEXT"),
            };
            let done = conflicts::decide(&mut ctx.store, id, &decision).map_err(not_open_hint)?;
            outln!(
                "resolved conflict {id} ({} of {:?}); `pim sync` sends it to your other devices",
                done.field,
                done.title
            );
            Ok(())
        }
    }
}

fn entry_json(e: &HistoryEntry) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("kind".into(), json!("change"));
        m.insert("id".into(), json!(e.change_id));
    }
    v
}

pub fn history(ctx: &Context, a: HistoryArgs) -> anyhow::Result<()> {
    let h = match super::records::resolve_id(ctx, &a.id) {
        Ok(id) => history::of_record(&ctx.store, &id)?,
        // A deleted record still has a history, under its full id.
        Err(e) => match history::of_record(&ctx.store, &a.id) {
            Err(HistoryError::Unknown(_)) => return Err(e),
            other => other?,
        },
    };
    let entries = h.entries;
    if a.json {
        return print::json(&Value::Array(entries.iter().map(entry_json).collect()));
    }
    let mut rows = vec![vec![
        "WHEN".to_string(),
        "DEVICE".into(),
        "WHAT".into(),
        "FIELD".into(),
        "VALUE".into(),
    ]];
    for e in &entries {
        let what = if e.note.is_empty() {
            e.what.clone()
        } else {
            format!("{} ({})", e.what, e.note)
        };
        if e.fields.is_empty() {
            rows.push(vec![
                short_time(&e.when),
                e.device_name.clone(),
                what.clone(),
                String::new(),
                String::new(),
            ]);
        }
        for f in &e.fields {
            let new = readable_value(&f.key, &f.new, ctx.tz);
            let value = if f.old.is_empty() {
                new
            } else {
                format!("{} → {new}", readable_value(&f.key, &f.old, ctx.tz))
            };
            // A value over several lines (a description) keeps its lines apart,
            // under the first one, instead of running them together.
            for (i, line) in value_lines(&value).into_iter().enumerate() {
                let first = i == 0;
                let cell = |s: String| if first { s } else { String::new() };
                rows.push(vec![
                    cell(short_time(&e.when)),
                    cell(e.device_name.clone()),
                    cell(what.clone()),
                    cell(field_label(&f.key)),
                    line,
                ]);
            }
        }
    }
    print::table(&rows)
}
