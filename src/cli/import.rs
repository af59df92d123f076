//! `pim import PATH|- [--format F] [--collection NAME] [--skip-invalid]`.
//!
//! Everything is read and checked first; then one transaction writes it all, so a bad
//! item (without `--skip-invalid`) leaves the database untouched. Items whose UID is
//! already known update that record (an ordinary logged change); identical ones
//! write nothing.

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};
use serde_json::json;

use super::Context;
use super::print;
use crate::formats::ics::read_ics;
use crate::formats::json::read_json;
use crate::formats::markdown::read_markdown;
use crate::formats::vcard::{bytes_to_text, read_vcf};
use crate::formats::vdir::{is_vdir, read_vdir};
use crate::formats::{ItemError, ParsedItem};
use crate::model::{Kind, Record};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    Ics,
    Vcf,
    Vdir,
    Json,
    Md,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file, a vdir folder, a folder of .md notes, or - for stdin
    pub path: String,
    /// Input format (default: detected from the content)
    #[arg(long, value_enum)]
    pub format: Option<ImportFormat>,
    /// Put everything into the collection of this name (created when missing, per kind)
    #[arg(long, value_name = "NAME")]
    pub collection: Option<String>,
    /// Import the valid items and list the invalid ones instead of aborting
    #[arg(long)]
    pub skip_invalid: bool,
    /// Print the summary as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

/// One item read, with where it came from and the collection it names (vdir, JSON).
struct Incoming {
    /// File and item index, for messages.
    source: String,
    index: usize,
    record: Record,
    collection: Option<String>,
    /// Whether the record's id is to be kept (pim's JSON restores ids).
    keep_id: bool,
}

struct Invalid {
    source: String,
    error: ItemError,
}

impl Invalid {
    fn line(&self) -> String {
        format!("{}: {}", self.source, self.error)
    }
}

#[derive(Default)]
struct Tally {
    created: usize,
    updated: usize,
    unchanged: usize,
}

pub fn import(cx: &mut Context, a: ImportArgs) -> anyhow::Result<()> {
    let mut items = Vec::new();
    let mut invalid = Vec::new();
    read_input(&a, &mut items, &mut invalid)?;
    if items.is_empty() && invalid.is_empty() {
        bail!(
            "{}: no contacts, events, tasks or notes found",
            source_name(&a.path)
        );
    }
    if !invalid.is_empty() && !a.skip_invalid {
        for i in &invalid {
            eprintln!("pim: {}", i.line());
        }
        report(&a, &Tally::default(), &invalid, false)?;
        bail!(
            "import aborted: {} invalid item(s), nothing written (--skip-invalid imports the rest)",
            invalid.len()
        );
    }
    for i in &invalid {
        eprintln!("pim: skipped {}", i.line());
    }
    let tally = write_all(cx, &a, items)?;
    report(&a, &tally, &invalid, true)
}

fn source_name(path: &str) -> String {
    if path == "-" {
        "<stdin>".into()
    } else {
        path.to_string()
    }
}

fn read_input(
    a: &ImportArgs,
    items: &mut Vec<Incoming>,
    invalid: &mut Vec<Invalid>,
) -> anyhow::Result<()> {
    let path = Path::new(&a.path);
    if a.path != "-" && path.is_dir() {
        let md_dir = a.format == Some(ImportFormat::Md) || (a.format.is_none() && !is_vdir(path));
        if md_dir {
            return read_md_dir(path, items, invalid);
        }
        if !matches!(a.format, None | Some(ImportFormat::Vdir)) {
            bail!("{}: a folder can only be read as vdir or md", a.path);
        }
        for f in read_vdir(path).with_context(|| format!("cannot read {}", a.path))? {
            let source = f.path.display().to_string();
            add_items(items, invalid, &source, f.items, f.collection.as_deref());
        }
        return Ok(());
    }
    if a.format == Some(ImportFormat::Vdir) {
        bail!("{}: --format vdir needs a folder", source_name(&a.path));
    }
    let bytes = if a.path == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("cannot read stdin")?;
        b
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {}", a.path))?
    };
    let source = source_name(&a.path);
    let format = match a.format {
        Some(f) => f,
        None => detect(&bytes, path).ok_or_else(|| {
            anyhow::anyhow!(
                "{source}: cannot tell the format (not iCalendar, vCard, JSON or Markdown); use --format"
            )
        })?,
    };
    match format {
        ImportFormat::Vcf => add_items(items, invalid, &source, read_vcf(&bytes), None),
        ImportFormat::Ics => add_items(
            items,
            invalid,
            &source,
            read_ics(&bytes_to_text(&bytes)),
            None,
        ),
        ImportFormat::Md => {
            let stem = (a.path != "-")
                .then(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .flatten();
            let parsed = read_markdown(&bytes_to_text(&bytes), stem.as_deref());
            add_items(items, invalid, &source, parsed, None);
        }
        ImportFormat::Json => {
            for r in read_json(&bytes_to_text(&bytes)) {
                match r {
                    Ok(j) => items.push(Incoming {
                        source: source.clone(),
                        index: j.item.index,
                        record: j.item.record,
                        collection: j.collection,
                        keep_id: true,
                    }),
                    Err(error) => invalid.push(Invalid {
                        source: source.clone(),
                        error,
                    }),
                }
            }
        }
        ImportFormat::Vdir => unreachable!("handled above"),
    }
    Ok(())
}

fn read_md_dir(
    dir: &Path,
    items: &mut Vec<Incoming>,
    invalid: &mut Vec<Invalid>,
) -> anyhow::Result<()> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown")
                })
        })
        .collect();
    files.sort();
    if files.is_empty() {
        bail!(
            "{}: no .ics, .vcf or .md files found in this folder",
            dir.display()
        );
    }
    for p in files {
        let bytes = std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?;
        let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
        let parsed = read_markdown(&bytes_to_text(&bytes), stem.as_deref());
        add_items(items, invalid, &p.display().to_string(), parsed, None);
    }
    Ok(())
}

fn add_items(
    items: &mut Vec<Incoming>,
    invalid: &mut Vec<Invalid>,
    source: &str,
    parsed: Vec<Result<ParsedItem, ItemError>>,
    collection: Option<&str>,
) {
    for p in parsed {
        match p {
            Ok(p) => items.push(Incoming {
                source: source.to_string(),
                index: p.index,
                record: p.record,
                collection: collection.map(str::to_string),
                keep_id: false,
            }),
            Err(error) => invalid.push(Invalid {
                source: source.to_string(),
                error,
            }),
        }
    }
}

/// The format of a file from its first meaningful bytes, else its extension.
fn detect(bytes: &[u8], path: &Path) -> Option<ImportFormat> {
    let text = bytes_to_text(&bytes[..bytes.len().min(4096)]);
    let head = text.trim_start_matches('\u{feff}').trim_start();
    let upper = head.get(..16).unwrap_or(head).to_ascii_uppercase();
    if upper.starts_with("BEGIN:VCALENDAR") {
        return Some(ImportFormat::Ics);
    }
    if upper.starts_with("BEGIN:VCARD") {
        return Some(ImportFormat::Vcf);
    }
    if head.starts_with('[') || head.starts_with('{') {
        return Some(ImportFormat::Json);
    }
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "ics" | "ical" => Some(ImportFormat::Ics),
        "vcf" | "vcard" => Some(ImportFormat::Vcf),
        "json" => Some(ImportFormat::Json),
        "md" | "markdown" | "txt" => Some(ImportFormat::Md),
        _ => head.starts_with("---").then_some(ImportFormat::Md),
    }
}

/// Write every item in one transaction; re-imports update by UID (or JSON id).
fn write_all(cx: &mut Context, a: &ImportArgs, items: Vec<Incoming>) -> anyhow::Result<Tally> {
    // Existing records by (kind, UID), read before the transaction.
    let mut by_uid: HashMap<(Kind, String), String> = HashMap::new();
    for it in &items {
        if let Some(uid) = it.record.uid() {
            let key = (it.record.kind, uid.to_string());
            if !by_uid.contains_key(&key)
                && let Some(existing) = cx.store.by_uid(key.0, uid)?.into_iter().next()
            {
                by_uid.insert(key, existing.id);
            }
        }
    }
    let mut collections: HashMap<(Kind, String), String> = cx
        .store
        .collections(None)?
        .into_iter()
        .map(|c| ((c.kind, c.name), c.id))
        .collect();
    let mut defaults: HashMap<Kind, String> = HashMap::new();
    for k in Kind::ALL {
        defaults.insert(k, cx.store.default_collection(k)?.id);
    }
    let total = items.len();
    // A large import touches many pages: keep them in memory (64 MiB) instead of
    // spilling to the WAL in the middle of the transaction.
    cx.store.set_page_cache_mib(64)?;
    let mut seen_here: HashMap<(Kind, String), usize> = HashMap::new();
    let progress = std::io::stderr().is_terminal() && total >= 1000;
    let tally = cx.store.write(|w| {
        let mut t = Tally::default();
        for (n, mut it) in items.into_iter().enumerate() {
            if progress && n % 500 == 0 {
                eprint!("\rimporting {n}/{total}");
                let _ = std::io::stderr().flush();
            }
            let kind = it.record.kind;
            let named = a.collection.clone().or(it.collection.take());
            let target = match named {
                Some(name) => match collections.get(&(kind, name.clone())) {
                    Some(id) => Some(id.clone()),
                    None => {
                        let c = w.put_collection(kind, &name)?;
                        collections.insert((kind, name), c.id.clone());
                        Some(c.id)
                    }
                },
                None => None,
            };
            let uid_key = it.record.uid().map(|u| (kind, u.to_string()));
            if let Some(k) = &uid_key
                && let Some(first) = seen_here.insert(k.clone(), it.index)
            {
                eprintln!(
                    "pim: {}: item {} has the UID of item {first} ({}); the later one wins",
                    it.source, it.index, k.1
                );
            }
            let same_id = if it.keep_id {
                w.get(&it.record.id)?
            } else {
                None
            };
            if same_id.as_ref().is_some_and(|old| old.kind != kind) {
                it.keep_id = false;
            }
            let existing = match same_id.filter(|old| old.kind == kind) {
                Some(old) => Some(old),
                None => match uid_key.as_ref().and_then(|k| by_uid.get(k)) {
                    Some(id) => w.get(id)?,
                    None => None,
                },
            };
            match existing {
                Some(old) => {
                    it.record.id = old.id.clone();
                    it.record.collection = target.unwrap_or(old.collection);
                    match w.update(&it.record)? {
                        Some(_) => t.updated += 1,
                        None => t.unchanged += 1,
                    }
                }
                None => {
                    if !it.keep_id {
                        it.record.id = crate::model::new_id();
                    }
                    it.record.collection = target.unwrap_or_else(|| defaults[&kind].clone());
                    w.create(&it.record)?;
                    t.created += 1;
                }
            }
            if let Some(k) = uid_key {
                by_uid.insert(k, it.record.id.clone());
            }
        }
        Ok(t)
    })?;
    if progress {
        eprint!("\r\x1b[K");
    }
    Ok(tally)
}

fn report(a: &ImportArgs, t: &Tally, invalid: &[Invalid], written: bool) -> anyhow::Result<()> {
    let (skipped, errors) = if written {
        (invalid.len(), 0)
    } else {
        (0, invalid.len())
    };
    eprintln!(
        "{}: {} created, {} updated, {} unchanged, {} skipped, {} errors",
        source_name(&a.path),
        t.created,
        t.updated,
        t.unchanged,
        skipped,
        errors
    );
    if a.json {
        let problems: Vec<_> = invalid
            .iter()
            .map(|i| {
                json!({"file": i.source, "index": i.error.index, "line": i.error.line,
                       "reason": i.error.reason})
            })
            .collect();
        print::json(&json!({
            "created": t.created, "updated": t.updated, "unchanged": t.unchanged,
            "skipped": skipped, "errors": errors, "written": written,
            "invalid_items": problems,
        }))?;
    }
    Ok(())
}
