//! Deterministic, seeded benchmark data: by default 100 000 records — 60 000 events
//! (10 % recurring, mixed zones), 25 000 contacts, 10 000 tasks, 5 000 notes.
//!
//! cargo run --release --example generate -- --home DIR [--seed 42] [--scale 1.0] [--batch 100000]
//!
//! Records are written through the store's ordinary `Writer` (one change record each),
//! committed every `--batch` records.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use pim::model::time::When;
use pim::model::{Kind, Property, Record};
use pim::store::Store;

/// SplitMix64: tiny, fast, and the same sequence on every platform and version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const GIVEN: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Margaret",
    "Ken",
    "Dennis",
    "Frances",
    "John",
    "Radia",
    "Leslie",
    "Tony",
    "Niklaus",
    "Hedy",
    "Katherine",
    "Claude",
    "Sophie",
    "Linus",
];
const FAMILY: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson",
    "Ritchie", "Allen", "McCarthy", "Perlman", "Lamport", "Hoare", "Wirth", "Lamarr", "Johnson",
    "Shannon", "Wilson", "Torvalds", "Müller", "García", "Nakamura", "Okafor",
];
const WORDS: &[&str] = &[
    "budget",
    "review",
    "planning",
    "design",
    "release",
    "customer",
    "roadmap",
    "sync",
    "lunch",
    "workshop",
    "interview",
    "dentist",
    "football",
    "concert",
    "retro",
    "migration",
    "audit",
    "garden",
    "piano",
    "train",
    "flight",
    "conference",
    "report",
    "invoice",
    "kernel",
    "database",
];
const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "UTC",
    "Europe/London",
];
/// Rules and how often series end: most real series run for a few months.
const RULES: &[&str] = &[
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=WEEKLY;BYDAY=TU,TH",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
    "FREQ=WEEKLY;BYDAY=FR",
    "FREQ=MONTHLY;BYMONTHDAY=15",
    "FREQ=MONTHLY;BYDAY=1MO",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=YEARLY",
    "FREQ=DAILY;COUNT=10",
    "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
];

fn words(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| rng.pick(WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

fn event(rng: &mut Rng, coll: &str, i: usize) -> Record {
    let mut r = Record::new(Kind::Event, coll);
    // A heavy user's twelve years, 2016–2027: one-off events spread over all of it,
    // recurring series starting anywhere in it (most have ended by 2026).
    let base = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
    let recurring = i.is_multiple_of(10);
    let day = rng.below(12 * 365) as i64;
    let date = base + Duration::days(day);
    r.set_text("SUMMARY", &format!("{} {}", words(rng, 2), i));
    if rng.below(10) == 0 {
        r.body
            .main
            .props
            .push(When::Date(date).to_property("DTSTART"));
        r.body
            .main
            .props
            .push(When::Date(date + Duration::days(1)).to_property("DTEND"));
    } else {
        let start = date
            .and_hms_opt(
                7 + rng.below(12) as u32,
                [0, 15, 30, 45][rng.below(4) as usize],
                0,
            )
            .unwrap();
        let zone = rng.pick(ZONES);
        let w = if zone == "UTC" {
            When::Utc(Utc.from_utc_datetime(&start))
        } else {
            When::Zoned(start, zone.to_string())
        };
        let len = Duration::minutes(30 * (1 + rng.below(6) as i64));
        r.body.main.props.push(w.to_property("DTSTART"));
        r.body.main.props.push(w.plus(len).to_property("DTEND"));
    }
    if recurring {
        let rule = rng.pick(RULES);
        // Four in five series that are not bounded already end after 1–6 months.
        let open_ended =
            rule.contains("COUNT") || rule.starts_with("FREQ=YEARLY") || rng.below(5) == 0;
        let until = if open_ended {
            String::new()
        } else {
            let end = date + Duration::days(30 * (1 + rng.below(6) as i64));
            format!(";UNTIL={}", end.format("%Y%m%dT235959Z"))
        };
        r.body
            .main
            .props
            .push(Property::new("RRULE", format!("{rule}{until}")));
    }
    if rng.below(3) == 0 {
        r.set_text("LOCATION", &format!("Room {}", rng.below(40)));
    }
    if rng.below(4) == 0 {
        r.set_text("DESCRIPTION", &words(rng, 12));
    }
    r
}

fn contact(rng: &mut Rng, coll: &str, i: usize) -> Record {
    let mut r = Record::new(Kind::Contact, coll);
    let (g, f) = (rng.pick(GIVEN), rng.pick(FAMILY));
    r.set_text("FN", &format!("{g} {f}"));
    r.body
        .main
        .props
        .push(Property::new("N", format!("{f};{g};;;")));
    let email = format!("{}.{}{}@example.org", g.to_lowercase(), f.to_lowercase(), i);
    r.body
        .main
        .props
        .push(Property::new("EMAIL", email).with_param("TYPE", "work"));
    r.body.main.props.push(
        Property::new("TEL", format!("+49 30 {:07}", rng.below(10_000_000)))
            .with_param("TYPE", "cell"),
    );
    if rng.below(2) == 0 {
        r.body.main.props.push(
            Property::new(
                "ADR",
                format!(
                    ";;{} Street {};Berlin;;{:05};Germany",
                    rng.pick(FAMILY),
                    rng.below(200),
                    rng.below(99999)
                ),
            )
            .with_param("TYPE", "home"),
        );
    }
    if rng.below(3) == 0 {
        r.set_text("ORG", &format!("{} GmbH", rng.pick(FAMILY)));
    }
    r
}

fn task(rng: &mut Rng, coll: &str, i: usize, parent: Option<&str>) -> Record {
    let mut r = Record::new(Kind::Task, coll);
    r.set_text("SUMMARY", &format!("{} {}", words(rng, 3), i));
    let due = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(rng.below(365) as i64);
    r.body.main.props.push(When::Date(due).to_property("DUE"));
    r.body
        .main
        .props
        .push(Property::new("PRIORITY", (1 + rng.below(9)).to_string()));
    if rng.below(4) == 0 {
        r.body.main.props.push(Property::new("STATUS", "COMPLETED"));
    }
    if let Some(p) = parent {
        r.body
            .main
            .props
            .push(Property::new("RELATED-TO", p).with_param("RELTYPE", "PARENT"));
    }
    r
}

fn note(rng: &mut Rng, coll: &str, i: usize) -> Record {
    let mut r = Record::new(Kind::Note, coll);
    r.set_text("SUMMARY", &format!("{} notes {}", words(rng, 2), i));
    r.set_text(
        "DESCRIPTION",
        &format!(
            "# {}\n\n{}\n\n- {}\n- {}\n",
            words(rng, 3),
            words(rng, 40),
            words(rng, 4),
            words(rng, 4)
        ),
    );
    r
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut home: Option<PathBuf> = None;
    let mut seed = 42u64;
    let mut scale = 1.0f64;
    let mut batch = 100_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--home" => home = Some(PathBuf::from(val()?)),
            "--seed" => seed = val()?.parse()?,
            "--scale" => scale = val()?.parse()?,
            "--batch" => batch = val()?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let home = home.ok_or("--home DIR is required")?;
    std::fs::create_dir_all(&home)?;
    let mut store = Store::open(&home.join("pim.sqlite3"))?;
    let mut rng = Rng(seed);
    let n = |x: f64| (x * scale).round() as usize;
    let cal = store.default_collection(Kind::Event)?.id;
    let book = store.default_collection(Kind::Contact)?.id;
    let list = store.default_collection(Kind::Task)?.id;
    let notebook = store.default_collection(Kind::Note)?.id;

    let mut records: Vec<Record> = Vec::new();
    // Ids must be deterministic too: derive them from the seed and position.
    let id_at = |pos: usize| format!("{:08x}-0000-4000-8000-{:012x}", seed as u32, pos);
    let push = |records: &mut Vec<Record>, mut r: Record| {
        let id = id_at(records.len());
        r.id = id.clone();
        r.set_props("UID", vec![Property::new("UID", id)]);
        records.push(r);
    };
    for i in 0..n(60_000.0) {
        push(&mut records, event(&mut rng, &cal, i));
    }
    for i in 0..n(25_000.0) {
        push(&mut records, contact(&mut rng, &book, i));
    }
    let mut last_parent: Option<String> = None;
    for i in 0..n(10_000.0) {
        let parent = if !i.is_multiple_of(5) {
            last_parent.clone()
        } else {
            None
        };
        let t = task(&mut rng, &list, i, parent.as_deref());
        if i.is_multiple_of(5) {
            last_parent = Some(id_at(records.len()));
        }
        push(&mut records, t);
    }
    for i in 0..n(5_000.0) {
        push(&mut records, note(&mut rng, &notebook, i));
    }
    let started = Instant::now();
    for chunk in records.chunks(batch.max(1)) {
        store.write(|w| {
            for r in chunk {
                w.create(r)?;
            }
            Ok(())
        })?;
    }
    eprintln!(
        "created {} records in {:.2} s",
        records.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
