//! Demo data from `assets/demo/`: a few collections, contacts, a month of events
//! (recurring ones too), tasks with subtasks and notes. Dates in the files are laid
//! out around the week of [`BASE_MONDAY`] and moved by whole weeks to the current
//! week, so weekdays stay right and the calendar is full wherever a newcomer looks.
//! `pim demo` and the TUI's first-run offer both load through [`load`].

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};

use crate::formats::contentline;
use crate::model::{Body, Component, Kind, Property, Record};
use crate::store::{Store, StoreError};

/// The Monday the demo files are written around.
pub const BASE_MONDAY: (i32, u32, u32) = (2026, 1, 5);

struct DemoFile {
    text: &'static str,
    kind: Kind,
    /// Collection name; `None` means the kind's default collection.
    collection: Option<&'static str>,
    color: Option<&'static str>,
}

const FILES: &[DemoFile] = &[
    DemoFile {
        text: include_str!("../../assets/demo/work.ics"),
        kind: Kind::Event,
        collection: Some("Work"),
        color: Some("#4e79a7"),
    },
    DemoFile {
        text: include_str!("../../assets/demo/personal.ics"),
        kind: Kind::Event,
        collection: Some("Personal"),
        color: Some("#e15759"),
    },
    DemoFile {
        text: include_str!("../../assets/demo/contacts.vcf"),
        kind: Kind::Contact,
        collection: None,
        color: None,
    },
    DemoFile {
        text: include_str!("../../assets/demo/tasks.ics"),
        kind: Kind::Task,
        collection: None,
        color: None,
    },
    DemoFile {
        text: include_str!("../../assets/demo/notes.ics"),
        kind: Kind::Note,
        collection: None,
        color: None,
    },
];

/// Properties holding dates that move with the demo week.
const DATE_PROPS: &[&str] = &[
    "DTSTART",
    "DTEND",
    "DUE",
    "COMPLETED",
    "EXDATE",
    "RDATE",
    "RECURRENCE-ID",
];

/// The number of days from the demo week to the week of `today`.
pub fn shift_days(today: NaiveDate) -> i64 {
    let (y, m, d) = BASE_MONDAY;
    let base = NaiveDate::from_ymd_opt(y, m, d).expect("valid base date");
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    (monday - base).num_days()
}

/// Move one date or date-time value (`YYYYMMDD[THHMMSS[Z]]`) by `days`.
fn shift_value(v: &str, days: i64) -> String {
    let Some(date) = v
        .get(..8)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
    else {
        return v.to_string();
    };
    let moved = date + Duration::days(days);
    format!("{}{}", moved.format("%Y%m%d"), &v[8..])
}

fn shift_component(c: &mut Component, days: i64) {
    for p in &mut c.props {
        if DATE_PROPS.iter().any(|n| p.name.eq_ignore_ascii_case(n)) {
            p.value = p
                .value
                .split(',')
                .map(|v| shift_value(v, days))
                .collect::<Vec<_>>()
                .join(",");
        }
    }
}

/// The records of the demo set, dated around `today`, in their collections (by name;
/// `None` = the default). Fresh ids and UIDs every time, relations rewired.
pub fn records(today: NaiveDate) -> Vec<(Option<&'static str>, Option<&'static str>, Record)> {
    let days = shift_days(today);
    let mut uids: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for f in FILES {
        let comps = contentline::parse(f.text).expect("the demo files are valid");
        let items: Vec<Component> = comps
            .into_iter()
            .flat_map(|c| {
                if c.name == "VCALENDAR" {
                    c.subs
                } else {
                    vec![c]
                }
            })
            .filter(|c| c.name == f.kind.component())
            .collect();
        for mut main in items {
            shift_component(&mut main, days);
            let id = crate::model::new_id();
            if let Some(uid) = main.props.iter_mut().find(|p| p.name == "UID") {
                uids.insert(uid.value.clone(), id.clone());
                uid.value = id.clone();
            }
            let record = Record {
                id,
                kind: f.kind,
                collection: String::new(),
                body: Body {
                    main,
                    overrides: Vec::new(),
                    timezones: Vec::new(),
                },
            };
            out.push((f.collection, f.color, record));
        }
    }
    for (_, _, r) in &mut out {
        for p in &mut r.body.main.props {
            if p.name == "RELATED-TO"
                && let Some(new) = uids.get(&p.value)
            {
                *p = Property {
                    value: new.clone(),
                    ..p.clone()
                };
            }
        }
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Demo data goes into an empty profile unless a copy is asked for.
    #[error("the database already holds {0} records")]
    NotEmpty(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to do when the database already holds records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenNotEmpty {
    Refuse,
    /// Add the demo set anyway (fresh ids: a second copy, never a clash).
    AddCopy,
}

/// Records of every kind in the database.
pub fn records_held(store: &Store) -> Result<u64, StoreError> {
    let mut n = 0;
    for k in Kind::ALL {
        n += store.count(k)?;
    }
    Ok(n)
}

/// Write the demo set into `store` as ordinary logged edits, in one transaction.
/// Returns the number of records added.
pub fn load(
    store: &mut Store,
    today: NaiveDate,
    not_empty: WhenNotEmpty,
) -> Result<usize, DemoError> {
    let held = records_held(store)?;
    if held > 0 && not_empty == WhenNotEmpty::Refuse {
        return Err(DemoError::NotEmpty(held));
    }
    Ok(load_with(store, today, |_| {})?)
}

/// The demo set, each record passed through `adjust` first (tests use it to hold
/// the data still), whatever the database holds already.
pub fn load_with(
    store: &mut Store,
    today: NaiveDate,
    adjust: impl Fn(&mut Record),
) -> Result<usize, StoreError> {
    let mut set = records(today);
    for (_, _, r) in &mut set {
        adjust(r);
    }
    let mut targets: HashMap<(Kind, Option<&str>), String> = HashMap::new();
    for (name, color, r) in &set {
        if targets.contains_key(&(r.kind, *name)) {
            continue;
        }
        let id = match name {
            None => store.default_collection(r.kind)?.id,
            Some(n) => match store.collection_by_name(r.kind, n)? {
                Some(c) => c.id,
                None => {
                    let c = store.write(|w| {
                        let mut c = w.put_collection(r.kind, n)?;
                        c.color = color.map(str::to_string);
                        w.change_collection(&c)?;
                        Ok(c)
                    })?;
                    c.id
                }
            },
        };
        targets.insert((r.kind, *name), id);
    }
    store.write(|w| {
        for (name, _, r) in &set {
            let mut r = r.clone();
            r.collection = targets[&(r.kind, *name)].clone();
            w.create(&r)?;
        }
        Ok(set.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_lands_in_the_current_week_with_subtasks_wired() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(shift_days(today) % 7, 0);
        let mut store = Store::open_in_memory().unwrap();
        let n = load(&mut store, today, WhenNotEmpty::Refuse).unwrap();
        assert!(n > 30, "{n} records");
        let tasks = store.list(Kind::Task, None).unwrap();
        let talk = tasks
            .iter()
            .find(|t| t.title() == "Prepare conference talk")
            .unwrap();
        let subs = tasks
            .iter()
            .filter(|t| t.text("RELATED-TO").as_deref() == Some(talk.id.as_str()))
            .count();
        assert_eq!(subs, 3);
        let planning = store
            .list(Kind::Event, None)
            .unwrap()
            .into_iter()
            .find(|e| e.title() == "Sprint planning")
            .unwrap();
        // The Monday of the week of 2026-11-25.
        assert_eq!(planning.prop("DTSTART").unwrap().value, "20261123T100000");
        let work = store
            .collection_by_name(Kind::Event, "Work")
            .unwrap()
            .unwrap();
        assert_eq!(work.color.as_deref(), Some("#4e79a7"));
        // A second load is refused unless a copy is asked for: new ids, not clashes.
        let again = load(&mut store, today, WhenNotEmpty::Refuse).unwrap_err();
        assert!(
            matches!(again, DemoError::NotEmpty(held) if held == n as u64),
            "{again}"
        );
        load(&mut store, today, WhenNotEmpty::AddCopy).unwrap();
        assert_eq!(store.list(Kind::Task, None).unwrap().len(), tasks.len() * 2);
    }
}
