//! The floor under an export: the store read exactly as `pim export` reads it (the
//! same connection settings, statements and order as `cli/export.rs`), every row's body fetched and
//! nothing done with it. No export can be faster than this on one reading thread;
//! `bench/export_floor.py` times it beside the export itself and `cat` of its output.
//!
//! cargo run --release --example export_floor -- PROFILE/pim.sqlite3 json|ics|vcf
//!
//! json reads every kind in listing order (the JSON export streams in that order,
//! its memory flat whatever the profile's size); ics reads the events, vcf the
//! contacts, in table order (those exports sort in memory).

use std::path::Path;

use pim::model::Kind;
use pim::store::{RawRecord, Store, StoreError};

fn main() -> Result<(), StoreError> {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, format] = args.as_slice() else {
        eprintln!("usage: export_floor PROFILE/pim.sqlite3 json|ics|vcf");
        std::process::exit(2);
    };
    let store = Store::open(Path::new(db))?;
    match format.as_str() {
        "json" => store.prefer_mapped_reads()?,
        _ => store.prefer_sequential_reads()?,
    }
    let (mut rows, mut bytes) = (0usize, 0usize);
    let mut touch = |row: RawRecord<'_>| -> Result<(), StoreError> {
        rows += 1;
        bytes += row.data.len();
        Ok(())
    };
    match format.as_str() {
        "json" => {
            for kind in Kind::ALL {
                store.for_each_raw_sorted(kind, None, &mut touch)?;
            }
        }
        "ics" => store.for_each_raw_unordered(Some(Kind::Event), None, &mut touch)?,
        "vcf" => store.for_each_raw_unordered(Some(Kind::Contact), None, &mut touch)?,
        other => {
            eprintln!("export_floor: unknown format {other:?} (json, ics or vcf)");
            std::process::exit(2);
        }
    }
    println!("{rows} rows, {bytes} bytes of stored bodies");
    Ok(())
}
