//! `pim collections list|add|rename|delete|set`.

use anyhow::anyhow;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::{Context, print};
use crate::app::{birthdays, reminders};
use crate::model::Kind;

#[derive(Debug, Subcommand)]
pub enum CollectionsCommand {
    /// List collections with their record counts
    List {
        /// Only this kind (contacts, events, tasks, notes)
        #[arg(long, value_parser = parse_kind)]
        kind: Option<Kind>,
        /// JSON output
        #[arg(long)]
        json: bool,
    },
    /// Add a collection
    Add(KindName),
    /// Rename a collection
    Rename {
        #[command(flatten)]
        which: KindName,
        /// The new name
        new_name: String,
    },
    /// Delete a collection (it must be empty unless --force)
    Delete {
        #[command(flatten)]
        which: Which,
        /// Delete the records in it too
        #[arg(long)]
        force: bool,
    },
    /// Change a collection's settings
    Set {
        #[command(flatten)]
        which: Which,
        /// Include it in sync (on) or keep it on this device (off)
        #[arg(long, value_parser = ["on", "off"])]
        sync: Option<String>,
        /// Colour for the calendar view (e.g. #3366ff or blue)
        #[arg(long)]
        color: Option<String>,
        /// Alarms new events or tasks of this calendar or list get, or the reminders of
        /// an address book's birthdays and anniversaries, relative to the day's midnight
        /// (-15h: 09:00 the day before; `Birthdays` for every address book). Repeatable,
        /// e.g. -10m; an empty value removes them. Synced to your other devices
        #[arg(
            long = "default-alarm",
            value_name = "WHEN",
            allow_hyphen_values = true
        )]
        default_alarms: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct KindName {
    /// contacts, events, tasks or notes (also addressbook, calendar, tasklist, notebook)
    #[arg(value_parser = parse_kind)]
    pub kind: Kind,
    /// The collection's name
    pub name: String,
}

/// `[KIND] NAME`: the kind may be left out when no other kind has a collection
/// of that name.
#[derive(Debug, Args)]
pub struct Which {
    /// [KIND] NAME — KIND: contacts, events, tasks or notes (also addressbook, calendar,
    /// tasklist, notebook); needed only when two kinds have a collection of that name
    #[arg(num_args = 1..=2, value_name = "[KIND] NAME", required = true)]
    pub words: Vec<String>,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| format!("unknown kind {s:?} (contacts, events, tasks, notes)"))
}

/// Longest default-alarm text shown in the table (the rest fits 80 columns);
/// `--json` has it whole.
const ALARMS_WIDTH: usize = 30;

/// A collection's default alarms for the table: `alarms -15m,-1d`, cut short with `…`.
fn alarms_cell(v: &Value) -> String {
    let text = print::short(v);
    if text.is_empty() {
        return text;
    }
    let cell = format!("alarms {text}");
    if cell.chars().count() <= ALARMS_WIDTH {
        return cell;
    }
    let mut cut: String = cell.chars().take(ALARMS_WIDTH - 1).collect();
    cut.push('…');
    cut
}

pub fn run(cx: &mut Context, cmd: CollectionsCommand) -> anyhow::Result<()> {
    match cmd {
        CollectionsCommand::List { kind, json } => {
            let cols = cx.store.collections(kind)?;
            let mut items = Vec::new();
            for c in &cols {
                let count = crate::store::collection_rows::records_in(&cx.store, &c.id)?;
                let default_alarms = &c.default_alarms;
                items.push(json!({
                    "id": c.id, "kind": c.kind.as_str(), "type": c.kind.collection_word(),
                    "name": c.name, "color": c.color, "sync": c.sync, "records": count,
                    "default_alarms": default_alarms,
                }));
            }
            if json {
                return print::json(&Value::Array(items));
            }
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|v| {
                    vec![
                        print::short(&v["type"]),
                        print::short(&v["name"]),
                        format!("{} records", v["records"]),
                        if v["sync"] == json!(true) {
                            "sync on".into()
                        } else {
                            "sync off".into()
                        },
                        alarms_cell(&v["default_alarms"]),
                    ]
                })
                .collect();
            print::table(&rows)
        }
        CollectionsCommand::Add(k) => {
            let c = cx.store.write(|w| w.put_collection(k.kind, &k.name))?;
            outln!("{}", c.id);
            Ok(())
        }
        CollectionsCommand::Rename { which, new_name } => {
            let mut c = find(cx, &which)?;
            c.name = new_name;
            cx.store.write(|w| w.change_collection(&c))?;
            Ok(())
        }
        CollectionsCommand::Delete { which, force } => {
            let c = find_which(cx, &which)?;
            cx.store.write(|w| w.delete_collection(&c.id, force))?;
            Ok(())
        }
        CollectionsCommand::Set {
            which,
            sync,
            color,
            default_alarms,
        } => {
            let alarms = (!default_alarms.is_empty()).then(|| default_alarms.join(","));
            if let Some(books) = birthday_books(cx, &which)? {
                let text = match alarms {
                    Some(text) if sync.is_none() && color.is_none() => text,
                    _ => {
                        return Err(anyhow!(
                            "{:?} is computed from the address books: it has only --default-alarm",
                            birthdays::COLLECTION
                        ));
                    }
                };
                // One text for every address book: the first refuses it before any is set.
                for book in books {
                    reminders::set_default_alarms(&mut cx.store, &book.id, &text, cx.now, cx.tz)?;
                }
                return Ok(());
            }
            let found = find_which(cx, &which)?;
            // The alarms first: a text that does not read leaves everything unchanged.
            if let Some(text) = alarms {
                reminders::set_default_alarms(&mut cx.store, &found.id, &text, cx.now, cx.tz)?;
            }
            let mut c = cx.store.collection_by_id(&found.id)?.unwrap_or(found);
            if let Some(s) = sync {
                c.sync = s == "on";
            }
            if let Some(col) = color {
                c.color = if col.is_empty() { None } else { Some(col) };
            }
            cx.store.write(|w| w.change_collection(&c))?;
            Ok(())
        }
    }
}

/// `Birthdays` (unless a real collection has that name): the computed birthday
/// calendar, whose reminders are its address books' default alarms.
fn birthday_books(
    cx: &Context,
    w: &Which,
) -> anyhow::Result<Option<Vec<crate::model::Collection>>> {
    let name = match w.words.as_slice() {
        [name] => name,
        [kind, name] if parse_kind(kind) == Ok(Kind::Event) => name,
        _ => return Ok(None),
    };
    if name != birthdays::COLLECTION
        || cx
            .store
            .collections(None)?
            .iter()
            .any(|c| c.name == birthdays::COLLECTION)
    {
        return Ok(None);
    }
    Ok(Some(cx.store.collections(Some(Kind::Contact))?))
}

fn find(cx: &Context, k: &KindName) -> anyhow::Result<crate::model::Collection> {
    cx.store
        .collection_by_name(k.kind, &k.name)?
        .ok_or_else(|| anyhow!("no {} named {:?}", k.kind.collection_word(), k.name))
}

fn find_which(cx: &Context, w: &Which) -> anyhow::Result<crate::model::Collection> {
    if let [kind, name] = w.words.as_slice() {
        let kind = parse_kind(kind).map_err(anyhow::Error::msg)?;
        return find(
            cx,
            &KindName {
                kind,
                name: name.clone(),
            },
        );
    }
    let name = &w.words[0];
    let mut hits: Vec<_> = cx
        .store
        .collections(None)?
        .into_iter()
        .filter(|c| &c.name == name)
        .collect();
    match hits.len() {
        0 => Err(anyhow!(
            "no collection named {name:?} (`pim collections list`)"
        )),
        1 => Ok(hits.remove(0)),
        _ => {
            let kinds: Vec<&str> = hits.iter().map(|c| c.kind.collection_word()).collect();
            Err(anyhow!(
                "{name:?} names a {}: say which, e.g. `pim collections set {} {name:?} …`",
                kinds.join(" and a "),
                hits[0].kind.as_str()
            ))
        }
    }
}
