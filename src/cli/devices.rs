//! `pim devices list|forget`: the devices syncing through the account.

use clap::Subcommand;
use serde_json::{Value, json};

use super::sync::{runtime, session_error, sync_error};
use super::{Context, print};
use crate::app::sync_session;
use crate::sync::setup;

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// Devices that sync through the account
    List {
        /// JSON output
        #[arg(long)]
        json: bool,
    },
    /// Stop waiting for a device that is gone (it no longer holds back cleanup)
    Forget {
        /// Device id or name
        device: String,
        /// Mail account to use (default: the one sync uses)
        #[arg(long)]
        account: Option<String>,
    },
}

pub fn run(ctx: &mut Context, c: DevicesCommand) -> anyhow::Result<()> {
    match c {
        DevicesCommand::List { json } => {
            let me = ctx.store.device().to_string();
            let list = setup::devices(&ctx.store).map_err(sync_error)?;
            if json {
                let items: Vec<Value> = list
                    .iter()
                    .map(|d| {
                        json!({
                            "id": d.device,
                            "kind": "device",
                            "name": d.name,
                            "last_seen": d.last_seen,
                            "vector": d.vector,
                            "forgotten": d.forgotten,
                            "this_device": d.device == me,
                        })
                    })
                    .collect();
                return print::json(&Value::Array(items));
            }
            let mut rows = vec![vec![
                "ID".to_string(),
                "NAME".into(),
                "LAST SEEN".into(),
                "".into(),
            ]];
            for d in &list {
                let note = if d.device == me {
                    "this device"
                } else if d.forgotten {
                    "forgotten"
                } else {
                    ""
                };
                rows.push(vec![
                    d.device.clone(),
                    d.name.clone(),
                    d.last_seen.clone(),
                    note.into(),
                ]);
            }
            print::table(&rows)
        }
        DevicesCommand::Forget { device, account: a } => {
            let config_file = ctx.paths.config_file();
            let gone = runtime()?
                .block_on(sync_session::forget_device(
                    &mut ctx.store,
                    &config_file,
                    a.as_deref(),
                    &device,
                ))
                .map_err(session_error)?;
            println!("forgot device {} ({})", gone.name, gone.device);
            println!("{}", sync_session::FORGET_ADVICE);
            Ok(())
        }
    }
}
