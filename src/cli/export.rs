//! `pim export contacts|events|tasks|notes|all [--collection C] --format F [-o PATH|-]
//! [--vcard-version 3.0|4.0]`.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};

use super::Context;
use super::export_json::{ItemShape, write_items};
use crate::app::export::{
    Selection, SortedRows, read_unordered_beside, read_unordered_shared, selection, sorted_rows_for,
};
use crate::formats::csv::write_csv;
use crate::formats::ics::{CALENDAR_END, CalendarZones};
use crate::formats::json::{JSON_END, settings_json};
use crate::formats::markdown::write_markdown;
use crate::formats::vcard::VcardVersion;
use crate::formats::vcard::strict::CheckedCards;
use crate::formats::vdir::{safe_name, write_vdir};
use crate::model::{Kind, Record};
use crate::store::Undecodable;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportWhat {
    Contacts,
    Events,
    Tasks,
    Notes,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Ics,
    Vcf,
    Vdir,
    Json,
    Csv,
    Md,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export
    pub what: ExportWhat,
    /// Only the collection(s) of this name
    #[arg(long, value_name = "C")]
    pub collection: Option<String>,
    /// Output format (default: vcf for contacts, ics for events and tasks, md for notes,
    /// json for all)
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Output file (a folder for vdir, and for md when it is one); - or absent: stdout
    #[arg(short = 'o', long = "output", value_name = "PATH",
          value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub output: Option<String>,
    /// vCard version written
    #[arg(long = "vcard-version", value_name = "3.0|4.0", default_value = "4.0")]
    pub vcard_version: String,
}

impl ExportWhat {
    fn kinds(self) -> Vec<Kind> {
        match self {
            ExportWhat::Contacts => vec![Kind::Contact],
            ExportWhat::Events => vec![Kind::Event],
            ExportWhat::Tasks => vec![Kind::Task],
            ExportWhat::Notes => vec![Kind::Note],
            ExportWhat::All => Kind::ALL.to_vec(),
        }
    }
}

pub fn export(cx: &Context, a: ExportArgs) -> anyhow::Result<()> {
    let version = VcardVersion::parse(&a.vcard_version).ok_or_else(|| {
        anyhow::anyhow!(
            "--vcard-version must be 3.0 or 4.0, not {:?}",
            a.vcard_version
        )
    })?;
    let kinds = a.what.kinds();
    let format = a.format.unwrap_or(match a.what {
        ExportWhat::Contacts => ExportFormat::Vcf,
        ExportWhat::Events | ExportWhat::Tasks => ExportFormat::Ics,
        ExportWhat::Notes => ExportFormat::Md,
        ExportWhat::All => ExportFormat::Json,
    });
    match format {
        ExportFormat::Vcf if kinds != [Kind::Contact] => {
            bail!("vCard holds contacts only: use --format ics, json, vdir or csv for the rest")
        }
        ExportFormat::Ics if kinds.contains(&Kind::Contact) => {
            bail!(
                "iCalendar cannot hold contacts: export them with --format vcf (or all with json, vdir or csv)"
            )
        }
        ExportFormat::Md if kinds != [Kind::Note] => {
            bail!("Markdown export is for notes: use --format json, vdir or csv for the rest")
        }
        ExportFormat::Vdir if matches!(a.output.as_deref(), None | Some("-")) => {
            bail!("--format vdir writes a folder: give it with -o DIR")
        }
        _ => {}
    }
    if let Some(out) = a.output.as_deref().filter(|o| *o != "-")
        && let Some(name) = crate::config::home::profile_file_at(&cx.paths.home, Path::new(out))
    {
        bail!("{out} is the profile's {name}: export elsewhere (it would be replaced)");
    }
    match format {
        // Read in table order (then sorted in memory).
        ExportFormat::Ics | ExportFormat::Vcf => cx.store.prefer_sequential_reads()?,
        // Read in listing order, through an index.
        _ => cx.store.prefer_mapped_reads()?,
    }
    // A backup is of one moment: every read of the export sees the same snapshot,
    // whatever another process (a sync, an import) commits meanwhile.
    cx.store
        .in_one_snapshot(|| export_snapshot(cx, &a, &kinds, format, version))
}

fn export_snapshot(
    cx: &Context,
    a: &ExportArgs,
    kinds: &[Kind],
    format: ExportFormat,
    version: VcardVersion,
) -> anyhow::Result<()> {
    let names: HashMap<String, String> = cx.collection_names()?;
    let output = a.output.as_deref().filter(|o| *o != "-");
    if format == ExportFormat::Json {
        return export_json(cx, kinds, a.collection.as_deref(), &names, output);
    }
    if format == ExportFormat::Ics {
        return export_ics(cx, kinds, a.collection.as_deref(), output);
    }
    if format == ExportFormat::Vcf {
        return export_vcf(cx, kinds, a.collection.as_deref(), version, output);
    }
    let mut records: Vec<Record> = Vec::new();
    for &k in kinds {
        match &a.collection {
            None => records.extend(cx.store.list(k, None)?),
            Some(name) => {
                if let Some(c) = cx.store.collection_by_name(k, name)? {
                    records.extend(cx.store.list(k, Some(&c.id))?);
                }
            }
        }
    }
    if let Some(name) = &a.collection {
        check_collection(cx, kinds, name)?;
    }
    let refs: Vec<&Record> = records.iter().collect();
    let named: Vec<(&Record, &str)> = records
        .iter()
        .map(|r| {
            (
                r,
                names.get(&r.collection).map(String::as_str).unwrap_or(""),
            )
        })
        .collect();
    let text = match format {
        ExportFormat::Vcf => unreachable!("handled above"),
        ExportFormat::Ics => unreachable!("handled above"),
        ExportFormat::Json => unreachable!("streamed above"),
        ExportFormat::Csv => write_csv(&named, cx.tz),
        ExportFormat::Md => match output {
            Some(dir) if Path::new(dir).is_dir() || dir.ends_with('/') => {
                return write_md_dir(Path::new(dir), &refs);
            }
            _ => refs.iter().map(|r| write_markdown(r)).collect(),
        },
        ExportFormat::Vdir => {
            let dir = Path::new(output.expect("checked above"));
            let mut groups: Vec<(String, Vec<&Record>)> = Vec::new();
            for (r, name) in &named {
                match groups.iter_mut().find(|(n, _)| n == name) {
                    Some((_, v)) => v.push(r),
                    None => groups.push((name.to_string(), vec![r])),
                }
            }
            let n = write_vdir(dir, &groups, version)
                .with_context(|| format!("cannot write {}", dir.display()))?;
            errln!("exported {n} items to {}", dir.display());
            return Ok(());
        }
    };
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
        Some(path) => {
            write_atomically(Path::new(path), text.as_bytes())
                .with_context(|| format!("cannot write {path}"))?;
            errln!("exported {} items to {path}", records.len());
        }
    }
    Ok(())
}

fn check_collection(cx: &Context, kinds: &[Kind], name: &str) -> anyhow::Result<()> {
    let found = kinds.iter().any(|&k| {
        cx.store
            .collection_by_name(k, name)
            .ok()
            .flatten()
            .is_some()
    });
    if !found {
        bail!("no collection named {name:?} holds {}", kind_words(kinds));
    }
    Ok(())
}

/// pim's JSON: the stored rows read in listing order, each written as it comes
/// (see [`write_items`]), to stdout or atomically to a file.
fn export_json(
    cx: &Context,
    kinds: &[Kind],
    collection: Option<&str>,
    names: &HashMap<String, String>,
    output: Option<&str>,
) -> anyhow::Result<()> {
    if let Some(name) = collection {
        check_collection(cx, kinds, name)?;
    }
    let selection = selection(&cx.store, kinds, collection)?;
    // Each record carries its collection's settings: a restore brings them back.
    let settings: HashMap<String, String> = cx
        .store
        .collections(None)?
        .into_iter()
        .map(|c| (c.id.clone(), settings_json(&c)))
        .collect();
    let write = |out: &mut dyn Write| -> anyhow::Result<usize> {
        out.write_all(b"[")?;
        // Streamed in listing order, nothing kept: unlike ics (time zones first) and
        // vCard (every card checked before any output), JSON can be written as read,
        // so its memory does not grow with the profile.
        let n = write_items(
            &cx.store,
            &selection,
            names,
            ItemShape::Export(&settings),
            cx.tz,
            out,
        )?;
        out.write_all(JSON_END.as_bytes())?;
        Ok(n)
    };
    write_output(output, write)
}

/// Write to stdout, or atomically to the file at `output` (then say how many
/// items went there).
fn write_output(
    output: Option<&str>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<usize>,
) -> anyhow::Result<()> {
    match output {
        None => {
            let mut out = std::io::BufWriter::with_capacity(OUT_BUFFER, std::io::stdout().lock());
            write(&mut out)?;
            out.flush()?;
        }
        Some(path) => {
            let n = write_streaming(Path::new(path), write)
                .with_context(|| format!("cannot write {path}"))?;
            errln!("exported {n} items to {path}");
        }
    }
    Ok(())
}

/// Output is written in pieces of this size (stdout alone would write line by line).
const OUT_BUFFER: usize = 1 << 18;

/// Note the rows that could not be read, in their place in the order; the number
/// of the others.
fn note_unreadable(cx: &Context, selection: &Selection, rows: &SortedRows) -> usize {
    let mut n = 0;
    for row in rows.iter() {
        if row.unreadable() {
            cx.store.note_undecodable(Undecodable {
                id: row.id().to_string(),
                what: selection[row.group()].0.as_str().to_string(),
                reason: row.text().to_string(),
            });
        } else {
            n += 1;
        }
    }
    n
}

/// The rows' text in order, after `head`.
fn write_rows(out: &mut dyn Write, head: &str, rows: &SortedRows) -> std::io::Result<()> {
    out.write_all(head.as_bytes())?;
    for row in rows.iter().filter(|r| !r.unreadable()) {
        out.write_all(row.text().as_bytes())?;
    }
    Ok(())
}

/// iCalendar: each stored body read in place (borrowed, not decoded into a record)
/// and its components written as it is read, in table order, on a thread beside
/// the one reading the store; then put in order. Only the text is kept, as the time
/// zones go first.
fn export_ics(
    cx: &Context,
    kinds: &[Kind],
    collection: Option<&str>,
    output: Option<&str>,
) -> anyhow::Result<()> {
    if let Some(name) = collection {
        check_collection(cx, kinds, name)?;
    }
    let selection = selection(&cx.store, kinds, collection)?;
    // Two writers beside the reader: writing is two thirds of the work.
    let rows = sorted_rows_for(&cx.store, &selection)?;
    let states = vec![
        (rows.with_same_room(), CalendarZones::default()),
        (rows, CalendarZones::default()),
    ];
    let written = read_unordered_shared(
        &cx.store,
        &selection,
        states,
        |(rows, zones), g, row| -> anyhow::Result<()> {
            let place = (g, row.sort_key, row.id);
            let written = rows.try_push(g, &row, "", |t| zones.write_stored(t, place, row.data));
            if let Err(e) = written {
                rows.push_unreadable(g, &row, &e.to_string());
            }
            Ok(())
        },
    )?;
    let (parts, zones): (Vec<SortedRows>, Vec<CalendarZones>) = written.into_iter().unzip();
    let rows = SortedRows::sorted_together(parts);
    let mut zones = zones.into_iter();
    let mut all_zones = zones.next().unwrap_or_default();
    zones.for_each(|z| all_zones.merge(z));
    let zones = all_zones;
    let n = note_unreadable(cx, &selection, &rows);
    let head = zones.head();
    write_output(output, |out| {
        write_rows(out, &head, &rows)?;
        out.write_all(CALENDAR_END.as_bytes())?;
        Ok(n)
    })
}

/// vCard, one record decoded at a time, on a thread beside the one reading the
/// store; the text is kept until every card passed its check (on a third thread,
/// meanwhile), so a card pim wrote wrongly stops the export before any output.
fn export_vcf(
    cx: &Context,
    kinds: &[Kind],
    collection: Option<&str>,
    version: VcardVersion,
    output: Option<&str>,
) -> anyhow::Result<()> {
    if let Some(name) = collection {
        check_collection(cx, kinds, name)?;
    }
    let selection = selection(&cx.store, kinds, collection)?;
    let rows = sorted_rows_for(&cx.store, &selection)?;
    let (mut rows, cards) = read_unordered_beside(
        &cx.store,
        &selection,
        (rows, CheckedCards::new(version)),
        |(rows, cards), g, row| -> anyhow::Result<()> {
            match row.decode() {
                Ok(r) => rows.push(g, &row, "", |t| cards.write_owned(t, r)),
                Err(skipped) => rows.push_unreadable(g, &row, &skipped.reason),
            }
            Ok(())
        },
    )?;
    cards.finish()?;
    rows.sort();
    let n = note_unreadable(cx, &selection, &rows);
    write_output(output, |out| {
        write_rows(out, "", &rows)?;
        Ok(n)
    })
}

/// Where `-o PATH` writes: through a symlink, to its target; and whether to write
/// in place: a FIFO or a device (anything there but a regular file) must not be
/// replaced by a renamed file.
fn output_target(path: &Path) -> (std::path::PathBuf, bool) {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let in_place = std::fs::metadata(&real).is_ok_and(|m| !m.is_file());
    (real, in_place)
}

/// Like [`write_atomically`], for output written piece by piece by `write`.
fn write_streaming(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<usize>,
) -> anyhow::Result<usize> {
    let (path, in_place) = output_target(path);
    let path = path.as_path();
    if in_place {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(path)?);
        let n = write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?;
        return Ok(n);
    }
    let tmp = temp_beside(path);
    let result = (|| {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
        let n = write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?;
        std::fs::rename(&tmp, path)?;
        Ok(n)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A temporary file beside `path`, of this process (and call) alone: two exports
/// to one file at once must not write into, or rename away, each other's.
fn temp_beside(path: &Path) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    path.with_file_name(format!(
        ".{}.{}-{n}.pim-tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ))
}

fn kind_words(kinds: &[Kind]) -> String {
    kinds
        .iter()
        .map(|k| format!("{k}s"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Write to a temporary file beside `path`, then rename: never a half-written file
/// (see [`output_target`] for a symlink, a FIFO or a device there).
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (path, in_place) = output_target(path);
    if in_place {
        return std::fs::write(&path, bytes);
    }
    let tmp = temp_beside(&path);
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, &path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

fn write_md_dir(dir: &Path, notes: &[&Record]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Names given, lower case: UIDs differing in case only must not share a file
    // on a case-insensitive disk (macOS, Windows).
    let mut taken = std::collections::HashSet::new();
    for r in notes {
        let base = safe_name(r.uid().unwrap_or(&r.id));
        let name = std::iter::once(base.clone())
            .chain((2..).map(|n| format!("{base}-{n}")))
            .find(|name| taken.insert(name.to_lowercase()))
            .expect("an endless list of names");
        let path = dir.join(format!("{name}.md"));
        write_atomically(&path, write_markdown(r).as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    errln!("exported {} notes to {}", notes.len(), dir.display());
    Ok(())
}
