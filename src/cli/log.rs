//! `pim log`: change records, newest last.

use clap::Args;
use serde_json::{Value, json};

use super::{Context, print};
use crate::app::history;

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only changes of this record
    #[arg(long, value_name = "ID")]
    pub record: Option<String>,
    /// Only the last N changes
    #[arg(long, short = 'n')]
    pub limit: Option<usize>,
    /// JSON output
    #[arg(long)]
    pub json: bool,
}

pub fn log(cx: &Context, a: LogArgs) -> anyhow::Result<()> {
    // A record id may be a prefix; anything else (a deleted record's id) is taken as is.
    let record_id = a
        .record
        .as_ref()
        .map(|r| super::records::resolve_id(cx, r).unwrap_or_else(|_| r.clone()));
    let changes = history::log(&cx.store, record_id.as_deref(), a.limit)?;
    if a.json {
        let items: Vec<Value> = changes
            .iter()
            .map(|c| {
                json!({
                    "device": c.device,
                    "seq": c.seq,
                    "change_id": c.change_id,
                    "hlc": c.hlc,
                    "changed_at": c.changed_at,
                    "submitted_at": c.submitted_at,
                    "record_id": c.record_id,
                    "kind": c.kind,
                    "op": c.op,
                    "attachments": c.attachments,
                })
            })
            .collect();
        return print::json(&Value::Array(items));
    }
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            let what = match &c.op {
                crate::model::Op::Update { fields } => fields
                    .iter()
                    .map(|f| f.key.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                _ => String::new(),
            };
            vec![
                c.changed_at.clone(),
                c.change_id.clone(),
                c.kind.clone(),
                c.op.name().to_string(),
                c.record_id.chars().take(8).collect(),
                what,
            ]
        })
        .collect();
    print::table(&rows)
}
