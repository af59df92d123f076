//! `pim import PATH|- [--format F] [--collection NAME] [--skip-invalid] [--strict]`: arguments and
//! printing; reading, checking and writing are `app::import`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::{Context as _, anyhow};
use clap::{Args, ValueEnum};
use serde_json::json;

use super::Context;
use super::print;
use crate::app::import::{
    self as use_case, Format, ImportError, ImportOptions, ImportReport, Input, InvalidItem,
    ItemNote,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    Ics,
    Vcf,
    Vdir,
    Json,
    Md,
}

impl From<ImportFormat> for Format {
    fn from(f: ImportFormat) -> Format {
        match f {
            ImportFormat::Ics => Format::Ics,
            ImportFormat::Vcf => Format::Vcf,
            ImportFormat::Vdir => Format::Vdir,
            ImportFormat::Json => Format::Json,
            ImportFormat::Md => Format::Md,
        }
    }
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
    /// Refuse malformed iCalendar input instead of repairing it (broken folding,
    /// unreadable lines, RDATE:…Z, empty RRULE, COUNT=-1, one UID twice…)
    #[arg(long)]
    pub strict: bool,
    /// Print the summary as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

/// Progress shows on a terminal, and only for imports long enough to wait for.
const PROGRESS_FROM: usize = 1000;

pub fn import(cx: &mut Context, a: ImportArgs) -> anyhow::Result<()> {
    let input = if a.path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
        Input::Bytes {
            name: "<stdin>".into(),
            bytes,
        }
    } else {
        Input::Path(PathBuf::from(&a.path))
    };
    let options = ImportOptions {
        format: a.format.map(Format::from),
        collection: a.collection.clone(),
        skip_invalid: a.skip_invalid,
        strict: a.strict,
    };
    let tty = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut progress = |p: use_case::Progress| {
        if tty && p.total >= PROGRESS_FROM {
            eprint!("\rimporting {}/{}", p.done, p.total);
            let _ = std::io::stderr().flush();
            shown = true;
        }
    };
    let result = use_case::import(&mut cx.store, &input, &options, &mut progress);
    if shown {
        eprint!("\r\x1b[K");
    }
    let source = input.name();
    match result {
        Ok(report) => {
            for i in &report.skipped {
                errln!("pim: skipped {i}");
            }
            for d in &report.duplicates {
                errln!("pim: {d}");
            }
            for r in &report.repaired {
                errln!("pim: repaired {r}");
            }
            for s in &report.superseded {
                errln!("pim: superseded {s}");
            }
            summary(&a, &source, &report, &report.skipped, true)
        }
        Err(ImportError::Invalid { invalid }) => {
            for i in &invalid {
                errln!("pim: {i}");
            }
            summary(&a, &source, &ImportReport::default(), &invalid, false)?;
            Err(anyhow!(
                "import aborted: {} invalid item(s), nothing written (--skip-invalid imports the rest)",
                invalid.len()
            ))
        }
        Err(e @ ImportError::UnknownFormat(_)) => Err(anyhow!("{e}; use --format")),
        Err(e) => Err(e.into()),
    }
}

/// The one-line summary on stderr, and with `--json` the report on stdout.
fn summary(
    a: &ImportArgs,
    source: &str,
    t: &ImportReport,
    invalid: &[InvalidItem],
    written: bool,
) -> anyhow::Result<()> {
    let (skipped, errors) = if written {
        (invalid.len(), 0)
    } else {
        (0, invalid.len())
    };
    // Repairs and superseded versions show when there are any (JSON always has them).
    let mut extra = String::new();
    for (n, what) in [
        (t.repaired.len(), "repaired"),
        (t.superseded.len(), "superseded"),
    ] {
        if n > 0 {
            extra.push_str(&format!(", {n} {what}"));
        }
    }
    errln!(
        "{source}: {} created, {} updated, {} unchanged{extra}, {skipped} skipped, {errors} errors",
        t.created,
        t.updated,
        t.unchanged,
    );
    if a.json {
        let problems: Vec<_> = invalid
            .iter()
            .map(|i| {
                json!({"file": i.file, "index": i.error.index, "line": i.error.line,
                       "reason": i.error.reason})
            })
            .collect();
        let notes = |list: &[ItemNote]| -> Vec<_> {
            list.iter()
                .map(|n| json!({"file": n.file, "index": n.index, "line": n.line, "reason": n.reason}))
                .collect()
        };
        print::json(&json!({
            "created": t.created, "updated": t.updated, "unchanged": t.unchanged,
            "repaired": t.repaired.len(), "superseded": t.superseded.len(),
            "skipped": skipped, "errors": errors, "written": written,
            "invalid_items": problems,
            "repaired_items": notes(&t.repaired),
            "superseded_items": notes(&t.superseded),
        }))?;
    }
    Ok(())
}
