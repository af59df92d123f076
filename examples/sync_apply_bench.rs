//! The sync engine's own cost, without a mail server: device A (a database made
//! by `examples/generate`) syncs through an in-memory mailbox, then a fresh device
//! B downloads and applies everything, then B syncs again with nothing to do.
//!
//! cargo run --release --example generate -- --home /tmp/a --scale 0.1
//! cargo run --release --example sync_apply_bench -- /tmp/a/pim.sqlite3
//!
//! Copies A's database first, so it can be run again on the same input.

use std::time::Instant;

use futures::executor::block_on;
use pim::store::Store;
use pim::sync::crypto::SyncKey;
use pim::sync::engine::{SyncOptions, sync_once};
use pim::sync::memory::MemoryServer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let src = std::env::args()
        .nth(1)
        .ok_or("usage: sync_apply_bench PATH/pim.sqlite3")?;
    let dir = tempfile::tempdir()?;
    let a_path = dir.path().join("a.sqlite3");
    std::fs::copy(&src, &a_path)?;
    let server = MemoryServer::new();
    let opts = SyncOptions::new(SyncKey::from_bytes([7; 32]));
    let mut a = Store::open(&a_path)?;
    let mut mb_a = server.connect();
    let t = Instant::now();
    let ra = block_on(sync_once(&mut a, &mut mb_a, &opts))?;
    println!(
        "A uploads {} changes: {:.0} ms, {} appends, {} B up",
        ra.uploaded,
        t.elapsed().as_secs_f64() * 1000.0,
        ra.appends,
        ra.bytes_up
    );
    let mut b = Store::open(&dir.path().join("b.sqlite3"))?;
    let mut mb_b = server.connect();
    let t = Instant::now();
    let rb = block_on(sync_once(&mut b, &mut mb_b, &opts))?;
    println!(
        "B applies {} changes: {:.0} ms, {} B down",
        rb.applied,
        t.elapsed().as_secs_f64() * 1000.0,
        rb.bytes_down
    );
    let t = Instant::now();
    let rb = block_on(sync_once(&mut b, &mut mb_b, &opts))?;
    println!(
        "B idle: {:.1} ms, {} commands",
        t.elapsed().as_secs_f64() * 1000.0,
        rb.imap_commands
    );
    Ok(())
}
