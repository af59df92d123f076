//! Fuzzing (issue 14 item 7): every parser reachable from outside gets arbitrary bytes
//! and mutated real files (tests/corpus) — flipped bytes, duplicated and dropped
//! lines, nested BEGIN/END, huge numbers. Any panic or abort is a finding.
//!
//! The stable toolchain has no libFuzzer, so this is proptest. A normal test run does a
//! short round (`PIM_FUZZ_CASES`, default 64 per target); `scripts/fuzz.sh MINUTES`
//! repeats rounds with fresh seeds for as long as asked.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};

use pim::formats::ics::{read_ics, write_ics};
use pim::formats::vcard::{VcardVersion, read_vcf, write_vcf};
use pim::invite::parse_itip;
use pim::invite::part::decode_part;
use pim::model::time::{parse_human_duration, parse_ical_duration, parse_user_when};
use pim::model::{Kind, Record};
use pim::recur::rule::{Rule, user_rule};
use pim::store::{LogFilter, Store};
use pim::sync::batch::{open_batch, open_device, open_snapshot, pack_batches};
use pim::sync::crypto::SyncKey;
use pim::sync::envelope::{Header, open, split_message};
use pim::sync::mailbox::FetchedPart;

use crate::support::corpus::corpus;

fn config() -> Config {
    let cases = std::env::var("PIM_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    // scripts/fuzz.sh passes a fresh seed per round and prints it, so that a crash
    // can be replayed with the same PIM_FUZZ_SEED.
    let rng_seed = std::env::var("PIM_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(RngSeed::Random, RngSeed::Fixed);
    Config {
        cases,
        rng_seed,
        // A failure is shrunk and reported here; no persistence files in the tree.
        failure_persistence: None,
        ..Config::default()
    }
}

/// Run `check` on `inputs`; a panic fails the test with the (shrunk) input.
fn fuzz<S: Strategy>(inputs: S, check: impl Fn(S::Value))
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(config());
    if let Err(e) = runner.run(&inputs, |v| {
        check(v);
        Ok(())
    }) {
        panic!("fuzzing found a crash: {e}");
    }
}

fn files(dir: &str) -> &'static [Vec<u8>] {
    static CACHE: OnceLock<BTreeMap<String, Vec<Vec<u8>>>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        let mut all = BTreeMap::new();
        for d in ["ics", "vcf", "eml"] {
            let mut v = Vec::new();
            collect(&corpus(d), &mut v);
            all.insert(d.to_string(), v);
        }
        all
    });
    &all[dir]
}

fn collect(dir: &std::path::Path, out: &mut Vec<Vec<u8>>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(std::fs::read(&p).unwrap());
        }
    }
}

/// One structural change to a file.
#[derive(Debug, Clone)]
enum Mutation {
    FlipByte(usize, u8),
    DropLine(usize),
    DuplicateLine(usize, u8),
    /// Wrap line `at` in `depth` BEGIN:X / END:X pairs.
    Nest(usize, u16),
    /// Replace the first run of digits at or after `at` with a huge number.
    HugeNumber(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

const HUGE: &[&str] = &[
    "99999999999999999999",
    "18446744073709551615",
    "9223372036854775807",
    "-9223372036854775808",
    "999999999",
    "0",
];

const SNIPPETS: &[&str] = &[
    "BEGIN:VEVENT\r\n",
    "END:VEVENT\r\n",
    "BEGIN:VCALENDAR\r\n",
    "END:VCALENDAR\r\n",
    "BEGIN:VCARD\r\n",
    "END:VCARD\r\n",
    "RRULE:FREQ=SECONDLY;INTERVAL=0;COUNT=99999999999\r\n",
    "DURATION:P999999999W\r\n",
    "DTSTART;TZID=Nowhere/Invalid:99991231T235959\r\n",
    "DTSTART:00000101\r\n",
    "RECURRENCE-ID;RANGE=THISANDFUTURE:19000101T000000Z\r\n",
    "ATTENDEE;PARTSTAT=\"\r\n",
    " folded continuation\r\n",
    "Content-Transfer-Encoding: base64\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n",
    "Content-Type: text/calendar; charset=utf-16; method=REQUEST\r\n",
    "=\r\n",
    "\u{0}",
    "\u{feff}",
    ";;;;;;;;",
    "\\",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::FlipByte(a, b)),
        any::<usize>().prop_map(Mutation::DropLine),
        (any::<usize>(), 1u8..8).prop_map(|(a, n)| Mutation::DuplicateLine(a, n)),
        (
            any::<usize>(),
            prop_oneof![8 => 1u16..12, 8 => 60u16..200, 1 => Just(60_000u16)]
        )
            .prop_map(|(a, d)| Mutation::Nest(a, d)),
        (any::<usize>(), 0..HUGE.len()).prop_map(|(a, h)| Mutation::HugeNumber(a, h)),
        (
            any::<usize>(),
            prop_oneof![
                (0..SNIPPETS.len()).prop_map(|i| SNIPPETS[i].as_bytes().to_vec()),
                proptest::collection::vec(any::<u8>(), 0..32),
            ]
        )
            .prop_map(|(a, b)| Mutation::Insert(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn line_spans(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in b.iter().enumerate() {
        if *c == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < b.len() {
        out.push((start, b.len()));
    }
    out
}

fn apply(mut b: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let lines = line_spans(&b);
    let line = |at: usize| lines.get(at % lines.len().max(1)).copied();
    match m {
        Mutation::FlipByte(at, v) if !b.is_empty() => {
            let i = at % b.len();
            b[i] ^= v | 1;
        }
        Mutation::DropLine(at) => {
            if let Some((s, e)) = line(*at) {
                b.drain(s..e);
            }
        }
        Mutation::DuplicateLine(at, n) => {
            if let Some((s, e)) = line(*at) {
                let l = b[s..e].to_vec();
                for _ in 0..*n {
                    b.splice(e..e, l.iter().copied());
                }
            }
        }
        Mutation::Nest(at, depth) => {
            if let Some((s, e)) = line(*at) {
                let d = *depth as usize;
                b.splice(e..e, b"END:X\r\n".repeat(d));
                b.splice(s..s, b"BEGIN:X\r\n".repeat(d));
            }
        }
        Mutation::HugeNumber(at, h) if !b.is_empty() => {
            let from = at % b.len();
            if let Some(s) = (from..b.len()).find(|i| b[*i].is_ascii_digit()) {
                let e = (s..b.len())
                    .find(|i| !b[*i].is_ascii_digit())
                    .unwrap_or(b.len());
                b.splice(s..e, HUGE[*h].bytes());
            }
        }
        Mutation::Insert(at, bytes) => {
            let i = if b.is_empty() { 0 } else { at % (b.len() + 1) };
            b.splice(i..i, bytes.iter().copied());
        }
        Mutation::Truncate(at) if !b.is_empty() => b.truncate(at % b.len()),
        _ => {}
    }
    b
}

/// A corpus file of `dir` with 1–6 mutations, or (one case in eight) arbitrary bytes.
fn mutated(dir: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let n = files(dir).len();
    prop_oneof![
        7 => (0..n, proptest::collection::vec(mutation(), 1..6)).prop_map(move |(f, ms)| {
            ms.iter().fold(files(dir)[f].clone(), apply)
        }),
        1 => proptest::collection::vec(any::<u8>(), 0..512),
    ]
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Read, write back and read again: what one parse accepted must survive a round.
fn check_ics(b: Vec<u8>) {
    let items: Vec<Record> = read_ics(&text(&b))
        .into_iter()
        .flatten()
        .map(|i| i.record)
        .collect();
    let refs: Vec<&Record> = items.iter().collect();
    for i in read_ics(&write_ics(&refs)) {
        // Occurrence expansion stays out: its time bounds are a separate item.
        let _ = i.map(|i| i.record.body.main.props.len());
    }
}

#[test]
fn fuzz_ics() {
    fuzz(mutated("ics"), check_ics);
}

#[test]
fn fuzz_vcard() {
    fuzz(mutated("vcf"), |b| {
        let items: Vec<Record> = read_vcf(&b)
            .into_iter()
            .flatten()
            .map(|i| i.record)
            .collect();
        let refs: Vec<&Record> = items.iter().collect();
        for v in [VcardVersion::V3, VcardVersion::V4] {
            let _ = read_vcf(write_vcf(&refs, v).as_bytes());
        }
    });
}

/// A message split the way IMAP hands pim a part: header block and body.
fn part(b: &[u8]) -> FetchedPart {
    let end = b
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| b.windows(2).position(|w| w == b"\n\n").map(|i| i + 2))
        .unwrap_or(b.len());
    FetchedPart {
        part: "1".into(),
        mime_header: b[..end].to_vec(),
        body: b[end..].to_vec(),
    }
}

#[test]
fn fuzz_invitations() {
    fuzz(
        (mutated("eml"), proptest::option::of("[A-Za-z]{0,12}")),
        |(b, method)| {
            let _ = parse_itip(&text(&b), method.as_deref());
            if let Ok(d) = decode_part(&part(&b)) {
                let _ = parse_itip(&d.into_text(), method.as_deref());
            }
        },
    );
}

fn key() -> SyncKey {
    SyncKey::from_bytes([7; 32])
}

/// Real sync messages: a batch of a few changes of one device.
fn sync_messages() -> &'static [Vec<u8>] {
    static MSGS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    MSGS.get_or_init(|| {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Contact).unwrap().id;
        for name in ["Ann", "Bob"] {
            let mut r = Record::new(Kind::Contact, &coll);
            r.set_text("FN", name);
            store.write(|w| w.create(&r)).unwrap();
        }
        let changes = store.log(&LogFilter::default()).unwrap();
        pack_batches(&key(), None, store.device(), 0, &changes, &[])
            .into_iter()
            .map(|(_, raw)| raw)
            .collect()
    })
}

fn headers() -> impl Strategy<Value = BTreeMap<String, String>> {
    let name = prop_oneof![
        Just("x-pim-format".to_string()),
        Just("x-pim-kind".to_string()),
        Just("x-pim-device".to_string()),
        Just("x-pim-seq".to_string()),
        Just("x-pim-part".to_string()),
        Just("message-id".to_string()),
        "[a-z-]{1,12}",
    ];
    let value = prop_oneof![
        Just("1".to_string()),
        Just("batch".to_string()),
        Just("18446744073709551615-0".to_string()),
        Just("0-18446744073709551615".to_string()),
        Just("3/2".to_string()),
        "[0-9/-]{0,30}",
        ".{0,40}",
    ];
    proptest::collection::btree_map(name, value, 0..8)
}

#[test]
fn fuzz_sync_messages() {
    let n = sync_messages().len();
    let raw = prop_oneof![
        4 => (0..n, proptest::collection::vec(mutation(), 1..6))
            .prop_map(|(i, ms)| ms.iter().fold(sync_messages()[i].clone(), apply)),
        1 => proptest::collection::vec(any::<u8>(), 0..512),
    ];
    fuzz((raw, headers()), |(raw, h)| {
        let _ = Header::parse(&h);
        let (listed, _) = split_message(&raw);
        let _ = Header::parse(&listed);
        let _ = open(&key(), &raw);
        let _ = open_batch(&key(), &raw);
        let _ = open_device(&key(), &raw);
        let _ = open_snapshot(&key(), std::slice::from_ref(&raw));
    });
}

/// Crashes the fuzzer found, kept as regression tests.
#[test]
fn fuzz_findings_stay_fixed() {
    // Rule::parse split BYDAY at a byte that was inside a multi-byte character.
    for rule in [
        "FREQ=MONTHLY;BYDAY=-1M\u{80}O",
        "FREQ=WEEKLY;BYDAY=é",
        "FREQ=WEEKLY;BYDAY=1€",
    ] {
        assert!(Rule::parse(rule).is_err(), "{rule}");
    }
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260101T000000Z\r\n\
               RRULE:FREQ=MONTHLY;BYDAY=-1M\u{80}O\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    check_ics(ics.as_bytes().to_vec());

    // vCard unfolding rescanned the whole logical line for each continuation line:
    // quadratic, minutes for a folded line of a few hundred KB.
    let folded = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a={}\r\nEND:VCARD\r\n",
        "\r\n b=".repeat(200_000)
    );
    let started = std::time::Instant::now();
    let _ = read_vcf(folded.as_bytes());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn fuzz_command_line_strings() {
    let now = Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap();
    let word = prop_oneof![
        "[-+0-9a-zA-Z:;=,. ]{0,40}",
        "[-+]?[0-9]{1,25}[a-z]{0,2}",
        "P[0-9]{0,20}[WDTHMS]{0,4}[0-9]{0,20}[HMS]?",
        "FREQ=(SECONDLY|DAILY|YEARLY);(COUNT|INTERVAL|BYSETPOS|BYMONTHDAY)=-?[0-9]{1,22}",
        "(every|each) [0-9]{0,12} ?(day|week|month|year)s?( until [0-9-]{0,12})?",
        "(today|tomorrow|next monday|[0-9]{4}-[0-9]{2}-[0-9]{2})( [0-9]{1,2}:[0-9]{2})?",
        ".{0,40}",
    ];
    fuzz(word, |s| {
        let _ = parse_user_when(&s, now, pim::model::zonedb::Tz::known("Europe/Berlin"));
        let _ = parse_human_duration(&s);
        let _ = parse_ical_duration(&s);
        let _ = Rule::parse(&s);
        if let Ok(r) = user_rule(&s) {
            let _ = Rule::parse(&r);
        }
    });
}
