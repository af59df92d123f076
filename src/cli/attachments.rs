//! `pim attachments list|fetch EVENT_ID`: attachments of answered invitations,
//! left parked on the mail server and downloaded only on request (any device).

use std::path::PathBuf;

use anyhow::{anyhow, bail};
use clap::Subcommand;
use serde_json::{Value, json};

use super::records::resolve_id;
use super::sync::{account, connect, runtime};
use super::{Context, print};
use crate::app::invites::{attachment_refs, fetch_attachment, remember_fetched_size};
use crate::model::change::AttachmentRef;

#[derive(Debug, Subcommand)]
pub enum AttachmentsCommand {
    /// Attachments an event refers to (parked on the mail server)
    List {
        /// The event's id (a unique prefix is enough)
        event_id: String,
        /// JSON output
        #[arg(long)]
        json: bool,
    },
    /// Download attachments of an event (all, or one MIME part)
    Fetch {
        /// The event's id (a unique prefix is enough)
        event_id: String,
        /// MIME part number, as `pim attachments list` shows it
        #[arg(long)]
        part: Option<String>,
        /// Directory to write into (default: the current directory)
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: Option<PathBuf>,
        /// Account to fetch through (default: the sync account)
        #[arg(long)]
        account: Option<String>,
    },
}

/// The event's full id (a unique prefix is enough, as everywhere) and its attachments.
fn refs(ctx: &Context, event_id: &str) -> anyhow::Result<(String, Vec<AttachmentRef>)> {
    let id = resolve_id(ctx, event_id)?;
    let ev = ctx.store.require(&id)?;
    Ok((id, attachment_refs(&ev)))
}

fn ref_json(event_id: &str, a: &AttachmentRef) -> Value {
    json!({
        "id": a.part,
        "kind": "attachment",
        "event": event_id,
        "name": a.filename,
        "type": a.content_type,
        "size": a.size,
        "size_exact": a.size_exact,
        "part": a.part,
        "folder": a.folder,
        "uidvalidity": a.uidvalidity,
        "uid": a.uid,
        "message_id": a.message_id,
    })
}

/// A listed size: exact (the server's BINARY.SIZE, or an earlier fetch) as
/// fetching prints it, else the estimate from the encoded size marked `~`.
fn listed_size(a: &AttachmentRef) -> String {
    if a.size_exact {
        size_words(a.size)
    } else {
        format!("~{}", size_words(a.size))
    }
}

/// A size as people read it, the same way in the listing and after fetching.
fn size_words(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} bytes"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

/// A file name from a mail header that cannot leave the target directory.
fn safe_name(name: &str, part: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim_start_matches('.')
        .to_string();
    if cleaned.is_empty() {
        format!("attachment-{part}")
    } else {
        cleaned
    }
}

pub fn run(ctx: &mut Context, c: AttachmentsCommand) -> anyhow::Result<()> {
    match c {
        AttachmentsCommand::List { event_id, json } => {
            let (event_id, all) = refs(ctx, &event_id)?;
            if json {
                return print::json(&Value::Array(
                    all.iter().map(|a| ref_json(&event_id, a)).collect(),
                ));
            }
            if all.is_empty() {
                outln!("event {event_id} has no parked attachments");
                return Ok(());
            }
            let mut rows = vec![vec![
                "PART".to_string(),
                "NAME".into(),
                "TYPE".into(),
                "SIZE".into(),
                "WHERE".into(),
            ]];
            for a in &all {
                rows.push(vec![
                    a.part.clone(),
                    a.filename.clone(),
                    a.content_type.clone(),
                    listed_size(a),
                    format!("{} UID {}", a.folder, a.uid),
                ]);
            }
            print::table(&rows)
        }
        AttachmentsCommand::Fetch {
            event_id,
            part,
            output,
            account: acct,
        } => {
            let (event_id, all) = refs(ctx, &event_id)?;
            let chosen: Vec<&AttachmentRef> = all
                .iter()
                .filter(|a| part.as_deref().is_none_or(|p| a.part == p))
                .collect();
            if chosen.is_empty() {
                match part {
                    Some(p) => bail!("event {event_id} has no attachment part {p}"),
                    None => bail!("event {event_id} has no parked attachments"),
                }
            }
            let dir = output.unwrap_or_else(|| PathBuf::from("."));
            // As `pim export -o DIR`: a missing directory is made.
            std::fs::create_dir_all(&dir)
                .map_err(|e| anyhow!("cannot create directory {}: {e}", dir.display()))?;
            if !dir.is_dir() {
                bail!("{} is not a directory", dir.display());
            }
            let (name, acc) = account(ctx, acct.as_deref())?;
            let mut fetched = Vec::new();
            let done = runtime()?.block_on(async {
                let mut mb = connect(&name, &acc).await?;
                for a in chosen {
                    let bytes = fetch_attachment(&mut mb, a)
                        .await
                        .map_err(|e| anyhow!("event {event_id}, part {}: {e}", a.part))?;
                    let path = dir.join(safe_name(&a.filename, &a.part));
                    if path.exists() {
                        bail!("{} exists already; not overwritten", path.display());
                    }
                    let tmp = dir.join(format!(".{}.part", safe_name(&a.filename, &a.part)));
                    std::fs::write(&tmp, &bytes)
                        .map_err(|e| anyhow!("cannot write {}: {e}", tmp.display()))?;
                    std::fs::rename(&tmp, &path)
                        .map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
                    outln!("{} ({})", path.display(), size_words(bytes.len() as u64));
                    fetched.push((a.clone(), bytes.len() as u64));
                }
                mb.logout().await;
                anyhow::Ok(())
            });
            // What was written is the size to list from now on (also after a
            // later failure: those files are there).
            for (a, size) in &fetched {
                remember_fetched_size(&mut ctx.store, &event_id, a, *size)?;
            }
            done
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn an_estimated_size_is_marked() {
        let mut a = crate::model::change::AttachmentRef {
            folder: "PIM/Parked".into(),
            uidvalidity: 1,
            uid: 1,
            message_id: String::new(),
            part: "2".into(),
            filename: "a".into(),
            content_type: "text/plain".into(),
            size: 20,
            size_exact: false,
        };
        assert_eq!(super::listed_size(&a), "~20 bytes");
        a.size_exact = true;
        assert_eq!(super::listed_size(&a), "20 bytes");
    }

    #[test]
    fn sizes_read_the_same_listed_and_fetched() {
        assert_eq!(super::size_words(20), "20 bytes");
        assert_eq!(super::size_words(3 * 1024 * 1024), "3.0 MiB");
        assert_eq!(super::size_words(3 * 1024 * 1024 - 1), "3.0 MiB");
    }

    #[test]
    fn file_names_stay_in_the_directory() {
        assert_eq!(safe_name("../../etc/passwd", "2"), "passwd");
        assert_eq!(safe_name("..", "2"), "attachment-2");
        assert_eq!(safe_name("a\\b.pdf", "3"), "b.pdf");
        assert_eq!(safe_name("slides.pdf", "2"), "slides.pdf");
    }
}
