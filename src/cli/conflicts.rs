//! `pim conflicts list|show|resolve` and `pim history ID`.

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::{Context, print};
use crate::sync::apply::Resolution;
use crate::sync::review::{self, ConflictView, HistoryEntry, key_label};
use crate::sync::setup;

#[derive(Debug, Subcommand)]
pub enum ConflictsCommand {
    /// Conflicts waiting for a decision (conflict policy `ask`), oldest first
    List {
        #[arg(long)]
        json: bool,
    },
    /// One conflict: the base value, mine and theirs (device, time, value)
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Settle a conflict; the outcome is an ordinary change that syncs
    Resolve {
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
    #[arg(long)]
    pub json: bool,
}

fn conflict_json(v: &ConflictView) -> Value {
    let side = |s: &review::Side| {
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

fn one(ctx: &Context, id: i64) -> anyhow::Result<ConflictView> {
    let c = setup::conflict(&ctx.store, id)?
        .filter(|c| c.resolved_at.is_empty())
        .ok_or_else(|| anyhow!("no open conflict {id} (see `pim conflicts list`)"))?;
    Ok(review::view(&ctx.store, &c)?)
}

fn short_time(t: &str) -> String {
    t.get(..16).unwrap_or(t).replace('T', " ")
}

pub fn run(ctx: &mut Context, c: ConflictsCommand) -> anyhow::Result<()> {
    match c {
        ConflictsCommand::List { json } => {
            let list = review::open_conflicts(&ctx.store)?;
            if json {
                return print::json(&Value::Array(list.iter().map(conflict_json).collect()));
            }
            if list.is_empty() {
                println!("no conflicts");
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
            let v = one(ctx, id)?;
            if json {
                return print::json(&conflict_json(&v));
            }
            println!(
                "conflict {} on {} {:?} ({})",
                v.id, v.kind, v.title, v.record_id
            );
            println!("field   {}", key_label(&v.key));
            println!("base    {}", v.base_text);
            println!(
                "mine    {}   [{}, {}]",
                v.mine.text,
                v.mine.device_name,
                short_time(&v.mine.when)
            );
            println!(
                "theirs  {}   [{}, {}]",
                v.theirs.text,
                v.theirs.device_name,
                short_time(&v.theirs.when)
            );
            Ok(())
        }
        ConflictsCommand::Resolve { id, take, value } => {
            let v = one(ctx, id)?;
            let how = match (take.as_deref(), value) {
                (Some("mine"), _) => Resolution::Mine,
                (Some("theirs"), _) => Resolution::Theirs,
                (Some("both"), _) => Resolution::Both,
                (_, Some(text)) => {
                    if v.key.starts_with('@') || v.key.starts_with('#') {
                        bail!(
                            "field {} has no text value: use --take mine|theirs|both",
                            key_label(&v.key)
                        );
                    }
                    review::merged_text(v.mine.value.as_ref(), &v.key, &text)
                }
                _ => bail!("say --take mine|theirs|both or --value TEXT"),
            };
            setup::resolve(&mut ctx.store, id, &how)?;
            println!(
                "resolved conflict {id} ({} of {:?}); `pim sync` sends it to your other devices",
                key_label(&v.key),
                v.title
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
    let id = match super::records::resolve_id(ctx, &a.id) {
        Ok(id) => id,
        // A deleted record still has a history.
        Err(e) => {
            let logged = crate::store::change_log::has_history(&ctx.store, &a.id)?;
            if !logged {
                return Err(e);
            }
            a.id.clone()
        }
    };
    let entries = review::history(&ctx.store, &id)?;
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
            let value = if f.old.is_empty() {
                f.new.clone()
            } else {
                format!("{} → {}", f.old, f.new)
            };
            rows.push(vec![
                short_time(&e.when),
                e.device_name.clone(),
                what.clone(),
                key_label(&f.key),
                value,
            ]);
        }
    }
    print::table(&rows)
}
