//! `pim devices list|forget`: the devices syncing through the account.

use clap::Subcommand;
use serde_json::{Value, json};

use super::sync::{runtime, session_error, sync_error};
use super::{Context, print};
use crate::app::{device_keys, sync_session};
use crate::sync::setup;

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// Devices that sync through the account
    List {
        /// JSON output
        #[arg(long)]
        json: bool,
    },
    /// Stop reminding of a refused key change for a device (after comparing
    /// its key fingerprint on the device itself)
    Dismiss {
        /// Device id or name
        device: String,
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
            let keys = device_keys::device_keys(&ctx.store)?;
            let key_of = |id: &str| keys.get(id).cloned().unwrap_or_default();
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
                            "key": key_of(&d.device).fingerprint,
                            "key_refused": key_of(&d.device).refused.map(|r| json!({
                                "on": r.on,
                                "offered": r.offered,
                            })),
                        })
                    })
                    .collect();
                return print::json(&Value::Array(items));
            }
            let mut rows = vec![vec![
                "ID".to_string(),
                "NAME".into(),
                "LAST SEEN".into(),
                "KEY".into(),
                "".into(),
            ]];
            for d in &list {
                let key = key_of(&d.device);
                let mut notes = Vec::new();
                if d.device == me {
                    notes.push("this device".to_string());
                } else if d.forgotten {
                    notes.push("forgotten".into());
                }
                if let Some(r) = &key.refused {
                    notes.push(device_keys::refusal_note(r));
                }
                rows.push(vec![
                    d.device.clone(),
                    d.name.clone(),
                    d.last_seen.clone(),
                    key.fingerprint.unwrap_or_else(|| "-".into()),
                    notes.join("; "),
                ]);
            }
            print::table(&rows)?;
            match device_keys::own_fingerprint(&ctx.store)? {
                Some(own) => outln!("this device's key: {own}"),
                None => outln!("this device's key: none yet (made on its first sync)"),
            }
            Ok(())
        }
        DevicesCommand::Dismiss { device } => {
            match device_keys::dismiss_refusal(&ctx.store, &device)? {
                Some(id) => outln!("dismissed the refused key change of device {id}"),
                None => anyhow::bail!("no refused key change waits for device {device}"),
            }
            Ok(())
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
            outln!("forgot device {} ({})", gone.name, gone.device);
            outln!("{}", sync_session::FORGET_ADVICE);
            Ok(())
        }
    }
}
