//! TUI benchmark (not a test): time to the first frame, per-frame cost of moving a
//! month and switching tabs, and peak RSS, over a large database.
//!
//!     cargo run --release --example tui_bench -- --generate 100000 /tmp/pim-bench.sqlite3
//!     cargo run --release --example tui_bench -- /tmp/pim-bench.sqlite3
//!
//! Frames are drawn on ratatui's TestBackend at 120×40; the database work runs on
//! the same worker code the app uses (here answered in between frames, and timed
//! separately, since in the app it runs on its own thread).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, TimeZone, Utc};
use pim::model::{Kind, Property, Record};
use pim::store::Store;
use pim::tui::action::Action;
use pim::tui::app::App;
use pim::tui::keymap::Keymap;
use pim::tui::theme::Theme;
use pim::tui::{ui, worker};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn generate(path: &PathBuf, n: usize) {
    let _ = std::fs::remove_file(path);
    let mut store = Store::open(path).unwrap();
    let base = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let colls: Vec<_> = Kind::ALL
        .iter()
        .map(|k| store.default_collection(*k).unwrap().id)
        .collect();
    let mut made = 0;
    while made < n {
        let chunk = (n - made).min(5000);
        store
            .write(|w| {
                for i in made..made + chunk {
                    let (kind, coll) = match i % 10 {
                        0..=3 => (Kind::Event, &colls[1]),
                        4..=6 => (Kind::Contact, &colls[0]),
                        7..=8 => (Kind::Task, &colls[2]),
                        _ => (Kind::Note, &colls[3]),
                    };
                    let mut r = Record::new(kind, coll);
                    let when = base + Days::minutes((i as i64 * 7919) % (2 * 365 * 24 * 60));
                    match kind {
                        Kind::Event => {
                            r.set_text("SUMMARY", &format!("Event {i} planning session"));
                            let s = when.format("%Y%m%dT%H%M00Z").to_string();
                            let e = (when + Days::hours(1)).format("%Y%m%dT%H%M00Z").to_string();
                            r.body.main.props.push(Property::new("DTSTART", s));
                            r.body.main.props.push(Property::new("DTEND", e));
                            r.set_text("LOCATION", &format!("Room {}", i % 40));
                            if i % 100 == 0 {
                                r.body.main.props.push(Property::new("RRULE", "FREQ=WEEKLY;COUNT=20"));
                            }
                        }
                        Kind::Contact => {
                            r.set_text("FN", &format!("Person {i:06} Example"));
                            r.body.main.props.push(Property::new("EMAIL", format!("p{i}@example.org")).with_param("TYPE", "work"));
                            r.body.main.props.push(Property::new("TEL", format!("+49 30 {i:07}")).with_param("TYPE", "cell"));
                            r.body.main.props.push(Property::new("ADR", format!(";;Street {i};Berlin;;10{:03};Germany", i % 1000)));
                        }
                        Kind::Task => {
                            r.set_text("SUMMARY", &format!("Task {i} follow up"));
                            r.body.main.props.push(Property::new("DUE", when.format("%Y%m%d").to_string()).with_param("VALUE", "DATE"));
                            r.body.main.props.push(Property::new("PRIORITY", ((i % 9) + 1).to_string()));
                            r.body.main.props.push(Property::new("STATUS", if i % 3 == 0 { "COMPLETED" } else { "NEEDS-ACTION" }));
                        }
                        Kind::Note => {
                            r.set_text("SUMMARY", &format!("Note {i}"));
                            r.set_text("DESCRIPTION", &format!("Minutes of meeting {i}.\nDecisions and follow-ups, a few lines of text."));
                        }
                    }
                    w.create(&r)?;
                }
                Ok(())
            })
            .unwrap();
        made += chunk;
    }
}

fn peak_rss_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut gen_n = None;
    if args.first().map(String::as_str) == Some("--generate") {
        gen_n = Some(args[1].parse::<usize>().expect("--generate N"));
        args.drain(..2);
    }
    let path = PathBuf::from(args.first().expect("database path"));
    if let Some(n) = gen_n {
        let t = Instant::now();
        generate(&path, n);
        println!(
            "generated {n} records in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let tz = pim::model::zonedb::UTC;
    let now = Utc.with_ymd_and_hms(2026, 3, 11, 9, 0, 0).unwrap();

    // What `pim` does before its first frame: open (validate) the store, load the
    // keymap, build the app state, draw. The worker answers afterwards.
    let t0 = Instant::now();
    drop(Store::open(&path).unwrap());
    let mut app = App::new(Keymap::defaults(), Theme { color: true }, tz, now);
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    term.draw(|f| ui::draw(f, &mut app)).unwrap();
    let first_frame = t0.elapsed();

    let mut store = Store::open(&path).unwrap();
    // As the worker thread does (worker::spawn).
    store.set_page_cache_mib(8).unwrap();
    // (worker time, time the UI thread spends applying the answers)
    let mut pump = |app: &mut App| {
        let (mut work, mut apply) = (Duration::ZERO, Duration::ZERO);
        while !app.outbox.is_empty() {
            let reqs: Vec<_> = app.outbox.drain(..).collect();
            for r in reqs {
                let t = Instant::now();
                let resp = worker::handle(&mut store, r, tz);
                work += t.elapsed();
                let t = Instant::now();
                app.on_response(resp);
                apply += t.elapsed();
            }
        }
        (work, apply)
    };
    let (initial_load, _) = pump(&mut app);
    let t = Instant::now();
    term.draw(|f| ui::draw(f, &mut app)).unwrap();
    let populated = t0.elapsed();
    let first_full_draw = t.elapsed();

    let mut frame = |app: &mut App| {
        let t = Instant::now();
        term.draw(|f| ui::draw(f, app)).unwrap();
        t.elapsed()
    };
    // A frame = handling the key + drawing; then the worker's answer is applied
    // (UI thread) and drawn as another frame.
    let mut month_frames = Vec::new();
    let mut month_loads = Vec::new();
    let mut month_apply = Vec::new();
    for i in 0..24 {
        let t = Instant::now();
        let a = if i < 12 {
            Action::NextPeriod
        } else {
            Action::PrevPeriod
        };
        app.on_action(a);
        let handled = t.elapsed();
        month_frames.push(handled + frame(&mut app));
        let (work, apply) = pump(&mut app);
        month_loads.push(work);
        month_apply.push(apply);
        month_frames.push(frame(&mut app));
    }
    let mut tab_frames = Vec::new();
    let mut tab_apply = Vec::new();
    let mut first_loads = Vec::new();
    let tabs = [
        Action::TabContacts,
        Action::TabTasks,
        Action::TabNotes,
        Action::TabSync,
        Action::TabCalendar,
    ];
    for round in 0..4 {
        for a in tabs {
            let t = Instant::now();
            app.on_action(a);
            let handled = t.elapsed();
            tab_frames.push(handled + frame(&mut app));
            let (work, apply) = pump(&mut app);
            if round == 0 {
                first_loads.push((a, work, apply));
            }
            tab_apply.push(apply);
            tab_frames.push(frame(&mut app));
        }
    }
    let max = |v: &[Duration]| v.iter().max().copied().unwrap_or_default();
    let avg = |v: &[Duration]| v.iter().sum::<Duration>() / v.len().max(1) as u32;
    let p95 = |v: &[Duration]| {
        let mut s = v.to_vec();
        s.sort();
        s.get((s.len() * 95).div_ceil(100).saturating_sub(1))
            .copied()
            .unwrap_or_default()
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let records: u64 = Kind::ALL.iter().map(|k| store.count(*k).unwrap()).sum();
    println!("records                         {records}");
    println!("first frame after start         {:.1} ms", ms(first_frame));
    println!("initial data load (worker)      {:.1} ms", ms(initial_load));
    println!(
        "first populated frame           {:.1} ms (draw alone {:.2} ms)",
        ms(populated),
        ms(first_full_draw)
    );
    println!(
        "month move, per frame           avg {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} frames)",
        ms(avg(&month_frames)),
        ms(p95(&month_frames)),
        ms(max(&month_frames)),
        month_frames.len()
    );
    println!(
        "month move, worker load         avg {:.1} ms, max {:.1} ms (worker thread)",
        ms(avg(&month_loads)),
        ms(max(&month_loads))
    );
    println!(
        "month move, apply answer        avg {:.2} ms, p95 {:.2} ms, max {:.2} ms (UI thread)",
        ms(avg(&month_apply)),
        ms(p95(&month_apply)),
        ms(max(&month_apply))
    );
    println!(
        "tab switch, per frame           avg {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} frames)",
        ms(avg(&tab_frames)),
        ms(p95(&tab_frames)),
        ms(max(&tab_frames)),
        tab_frames.len()
    );
    for (a, work, apply) in first_loads {
        println!(
            "first {:<13} load          {:.1} ms worker, {:.2} ms UI thread",
            a.name(),
            ms(work),
            ms(apply)
        );
    }
    println!("peak RSS                        {:.1} MB", peak_rss_mb());
}
