//! Columns derived from a record for fast queries: time span, sort key, search text.

use chrono::{DateTime, Duration, Utc};

use crate::model::duration::{duration_of, without_end};
use crate::model::time::{When, parse_ical_duration};
use crate::model::tz;

use super::count_bound::count_end;
use crate::model::phone::PhonePlan;
use crate::model::plain::fold_letters;
use crate::model::{Kind, Property, Record};

/// Slack added around stored spans: floating and all-day values are indexed as if
/// in UTC, and the user's zone may be up to 14 hours away.
pub const SLACK_SECS: i64 = 15 * 3600;

pub struct IndexColumns {
    pub start_ts: Option<i64>,
    /// `None` for a recurring event without an end (or with only COUNT).
    pub end_ts: Option<i64>,
    pub recurring: bool,
    pub sort_key: String,
    pub text: String,
}

pub fn index(r: &Record) -> IndexColumns {
    let (start_ts, end_ts) = match r.kind {
        Kind::Event => event_span(r),
        Kind::Task => {
            let due = r
                .prop("DUE")
                .and_then(|p| When::from_property(p).ok())
                .map(|w| at(&w, r).timestamp());
            (due, due)
        }
        _ => (None, None),
    };
    IndexColumns {
        start_ts,
        end_ts,
        recurring: r.is_recurring(),
        sort_key: r.title().to_lowercase(),
        text: search_text(r),
    }
}

/// The `listed` column: what a listing row of `r` reads (see [`crate::model::listed`]),
/// as stored JSON; `None` when its row needs the whole body.
pub fn listed(r: &Record) -> Option<String> {
    let body = crate::model::listed::listed_body(r)?;
    Some(serde_json::to_string(&body).expect("a body serializes"))
}

fn at(w: &When, r: &Record) -> DateTime<Utc> {
    tz::instant(w, &r.body.timezones, crate::model::zonedb::UTC)
}

fn event_span(r: &Record) -> (Option<i64>, Option<i64>) {
    let Some(start) = r.prop("DTSTART").and_then(|p| When::from_property(p).ok()) else {
        return (None, None);
    };
    let s = at(&start, r);
    // A negative DURATION is read as none (as listings show it), not as an end
    // before the start that would hide the event from its own day.
    let dur = duration_of(r, &start)
        .unwrap_or(Duration::zero())
        .max(Duration::zero());
    let mut lo = s;
    let mut hi = Some(s + dur);
    if r.is_recurring() {
        // DTSTART is an occurrence even when UNTIL lies before it.
        hi = recurrence_end(r).map(|u| u.max(s) + dur);
        // RDATEs can lie before DTSTART; a PERIOD (`start/end`, `start/PT5H`) has
        // its own length, read as the series reads it (recur::series).
        for p in r.props_named("RDATE") {
            let param = |n: &str| match n.eq_ignore_ascii_case("VALUE") {
                true => None,
                false => p.param(n),
            };
            for v in p.value.split(',') {
                let (first, period_end) = match v.split_once('/') {
                    Some((a, b)) => (a, Some(b)),
                    None => (v, None),
                };
                let Ok(w) = When::from_value(first, param) else {
                    continue;
                };
                let t = at(&w, r);
                let end = match period_end {
                    None => t + dur,
                    Some(b) if b.starts_with(['P', '+', '-']) => {
                        t + parse_ical_duration(b).unwrap_or(dur)
                    }
                    Some(b) => When::from_value(b, param).map_or(t + dur, |e| at(&e, r)),
                };
                lo = lo.min(t);
                if let Some(h) = hi {
                    hi = Some(h.max(end).max(t + dur));
                }
            }
        }
    }
    for o in &r.body.overrides {
        let shifts_later = o
            .prop("RECURRENCE-ID")
            .is_some_and(|p| p.param("RANGE").is_some());
        if shifts_later && r.is_recurring() {
            // RANGE=THISANDFUTURE moves every later instance too: no bound.
            hi = None;
        }
        if let Some(w) = o.prop("DTSTART").and_then(|p| When::from_property(p).ok()) {
            let t = at(&w, r);
            lo = lo.min(t);
            // A moved occurrence may last longer than the series' (days, even).
            let end = match o.prop("DTEND").and_then(|p| When::from_property(p).ok()) {
                Some(e) => at(&e, r),
                None => {
                    t + dur.max(without_end(
                        o.prop("DURATION").map(|p| p.value.as_str()),
                        &w,
                    ))
                }
            };
            if let Some(h) = hi {
                hi = Some(h.max(t + Duration::days(1)).max(end));
            }
        }
    }
    (
        Some(lo.timestamp() - SLACK_SECS),
        hi.map(|h| h.timestamp() + SLACK_SECS),
    )
}

/// The last possible occurrence start of a recurring event, when UNTIL or COUNT
/// bounds every rule.
fn recurrence_end(r: &Record) -> Option<DateTime<Utc>> {
    let mut latest: Option<DateTime<Utc>> = None;
    for rule in r.props_named("RRULE") {
        let t = match rule
            .value
            .split(';')
            .find_map(|part| part.strip_prefix("UNTIL="))
        {
            Some(until) => {
                let w = When::from_property(&Property::new("UNTIL", until)).ok()?;
                at(&w, r) + Duration::days(1)
            }
            None => {
                let start = When::from_property(r.prop("DTSTART")?).ok()?;
                count_end(&rule.value, at(&start, r), wall_date(&start))?
            }
        };
        latest = Some(latest.map_or(t, |l| l.max(t)));
    }
    if r.prop("RRULE").is_none() {
        // RDATE only: bounded by its latest date, handled by the caller.
        return r
            .props_named("RDATE")
            .flat_map(|p| {
                p.value
                    .split(',')
                    .filter_map(|v| {
                        When::from_property(&Property {
                            value: v.to_string(),
                            ..p.clone()
                        })
                        .ok()
                    })
                    .map(|w| at(&w, r))
                    .collect::<Vec<_>>()
            })
            .max()
            .max(
                r.prop("DTSTART")
                    .and_then(|p| When::from_property(p).ok())
                    .map(|w| at(&w, r)),
            );
    }
    latest
}

fn wall_date(w: &When) -> chrono::NaiveDate {
    match w {
        When::Date(d) => *d,
        When::Floating(n) | When::Zoned(n, _) => n.date(),
        When::Utc(t) => t.date_naive(),
    }
}

/// The text full-text search sees: every textual value, never binary data.
fn search_text(r: &Record) -> String {
    let mut out = String::new();
    for p in &r.body.main.props {
        let skip = matches!(
            p.name.as_str(),
            "PHOTO"
                | "LOGO"
                | "SOUND"
                | "KEY"
                | "ATTACH"
                | "UID"
                | "DTSTAMP"
                | "VERSION"
                | "PRODID"
                | "REV"
                | "CREATED"
                | "LAST-MODIFIED"
                | "SEQUENCE"
                | "RRULE"
                | "EXDATE"
                | "RDATE"
        ) || p.name.starts_with("DT")
            || p.value.len() > 4096;
        if !skip {
            let text = p.text_value().replace(';', " ");
            push_folded_words(&mut out, &text);
            out.push_str(&text);
            out.push(' ');
            if p.name == "TEL" {
                // One token of all its digits: `+49 30 1234` and `+49301234` meet.
                out.push_str(&digits_of(&p.value));
                out.push(' ');
            } else {
                push_joined_numbers(&mut out, &p.value);
            }
        }
    }
    out
}

/// The words of `text` that hold a letter the tokenizer's `remove_diacritics` leaves
/// alone (ß, æ, ø, ł …), also in their plain spelling (the original stays indexed
/// beside them, so both spellings find the record; the query is folded alike).
fn push_folded_words(out: &mut String, text: &str) {
    if text.is_ascii() {
        return; // no letter to fold (they are all outside ASCII)
    }
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if let Some(plain) = fold_letters(word) {
            out.push_str(&plain);
            out.push(' ');
        }
    }
}

/// A number written in groups in free text (`call +49 30 1234`) also as one token
/// of its digits, so a phone number is found in any formatting in every kind.
fn push_joined_numbers(out: &mut String, text: &str) {
    let is_part = |c: char| c.is_ascii_digit() || " +-()./".contains(c);
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let run = &rest[start..];
        let len = run.find(|c: char| !is_part(c)).unwrap_or(run.len());
        let groups = run[..len]
            .split(|c: char| !c.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .count();
        if groups > 1 {
            out.push_str(&digits_of(&run[..len]));
            out.push(' ');
        }
        rest = &run[len..];
    }
}

fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// What a user typed as an FTS5 query over [`search_text`]: every word must match,
/// the last piece of each as a prefix.
///
/// The index's tokenizer splits at punctuation, so a word with `@ . - _ +` inside
/// (`clara.oeztuerk@sws.example.org`, `sws.example.org`, `clara.oeztuerk`) becomes a
/// phrase of its pieces. A query that is a phone number in any formatting is the
/// digits token every TEL (and every grouped number in text) is indexed with; with
/// the user's `plan`, its other form too (national `030 1234` and international
/// `+49 30 1234` find each other, see [`PhonePlan::variants`]).
pub fn fts_query(q: &str, plan: Option<&PhonePlan>) -> String {
    let folded = fold_letters(q);
    let q = folded.as_deref().unwrap_or(q);
    let words: Vec<String> = q
        .split_whitespace()
        .filter_map(|w| {
            let pieces: Vec<&str> = w
                .split(|c: char| !c.is_alphanumeric())
                .filter(|p| !p.is_empty())
                .collect();
            (!pieces.is_empty()).then(|| format!("\"{}\"*", pieces.join(" ")))
        })
        .collect();
    if words.is_empty() {
        return String::new();
    }
    let all_words = words.join(" ");
    let digits = digits_of(q);
    let phone_like = digits.len() >= 3
        && q.chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || "+-()./".contains(c));
    if phone_like {
        // Every number in groups is also indexed joined: one token, one lookup each.
        match plan {
            Some(plan) => plan
                .variants(q)
                .iter()
                .map(|d| format!("\"{d}\"*"))
                .collect::<Vec<_>>()
                .join(" OR "),
            None => format!("\"{digits}\"*"),
        }
    } else {
        all_words
    }
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use crate::model::phone::PhonePlan;
    use crate::model::{Kind, Property, Record};

    fn found(store: &Store, query: &str) -> usize {
        store.search(query, 50).unwrap().len()
    }

    fn with_clara() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Contact).unwrap().id;
        let mut clara = Record::new(Kind::Contact, &coll);
        clara.set_text("FN", "Clara Öztürk");
        for (name, value) in [
            ("EMAIL", "clara.oeztuerk@sws.example.org"),
            ("TEL", "+49 30 1234"),
            ("TEL", "+4940987654"),
        ] {
            clara.body.main.props.push(Property::new(name, value));
        }
        store.write(|w| w.create(&clara)).unwrap();
        store
    }

    #[test]
    fn addresses_domains_local_parts_phones_and_prefixes_are_found() {
        let store = with_clara();
        for query in [
            "clara.oeztuerk@sws.example.org",
            "sws.example.org",
            "clara.oeztuerk",
            "oeztuerk@sws",
            "+49 30 1234",
            "+49301234",
            "+49 (30) 1234",
            "+49 40 987",
            "+49 40 987654",
            "1234",
            "Özt",
            "cla sws",
        ] {
            assert_eq!(found(&store, query), 1, "{query}");
        }
        for query in ["clara.oeztuerk@other.example", "+49 30 9999", "zzz"] {
            assert_eq!(found(&store, query), 0, "{query}");
        }
    }

    #[test]
    fn national_and_international_forms_find_each_other_in_the_users_country() {
        let store = with_clara();
        let mut national = Record::new(
            Kind::Contact,
            &store.default_collection(Kind::Contact).unwrap().id,
        );
        national.set_text("FN", "Hamburg office");
        national
            .body
            .main
            .props
            .push(Property::new("TEL", "040 555 12"));
        let mut store = store;
        store.write(|w| w.create(&national)).unwrap();
        // Without a country, only the form as typed.
        assert_eq!(found(&store, "030 1234"), 0);
        store.set_phone_plan(PhonePlan::of("DE"));
        for query in [
            "030 1234",
            "0301234",
            "030-12",
            "+49 30 1234",
            "0049 30 1234",
        ] {
            assert_eq!(found(&store, query), 1, "{query}");
        }
        for query in [
            "+49 40 555 12",
            "+4940555",
            "004940 55512",
            "040 555 12",
            "040 987654",
        ] {
            assert_eq!(found(&store, query), 1, "{query}");
        }
        for query in ["+33 30 1234", "031 1234"] {
            assert_eq!(found(&store, query), 0, "{query}");
        }
        // The national form of a number abroad is not this country's.
        store.set_phone_plan(PhonePlan::of("FR"));
        assert_eq!(found(&store, "030 1234"), 0);
    }

    #[test]
    fn a_number_in_groups_in_any_text_is_found_however_it_is_typed() {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Event).unwrap().id;
        let mut e = Record::new(Kind::Event, &coll);
        e.set_text("SUMMARY", "Call the office on 030 / 555-12 34");
        store.write(|w| w.create(&e)).unwrap();
        for query in ["0305551234", "030 555 1234", "030-555-12", "555"] {
            assert_eq!(found(&store, query), 1, "{query}");
        }
    }

    #[test]
    fn the_migration_rebuilds_an_index_written_by_an_older_pim() {
        let store = with_clara();
        // What an older pim left: no digits token for the phone.
        store
            .conn
            .execute_batch(
                "INSERT INTO records_fts (records_fts) VALUES ('delete-all');
                 INSERT INTO records_fts (rowid, text)
                     SELECT rowid, 'Clara Öztürk +49 30 1234' FROM records;
                 PRAGMA user_version = 6;",
            )
            .unwrap();
        assert_eq!(found(&store, "+49301234"), 0);
        super::super::migrate::migrate(&store.conn).unwrap();
        assert_eq!(found(&store, "+49301234"), 1);
        assert_eq!(found(&store, "sws.example.org"), 1);
    }

    #[test]
    fn letters_without_a_diacritic_are_found_in_their_plain_spelling() {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Contact).unwrap().id;
        for (name, street) in [
            ("Søren Kierkegaard", "Nørregade 1"),
            ("Grete Weiß", "Hauptstraße 5"),
            ("Łucja Łódź", "ul. Długa 2"),
            ("Ægir Þórsson", "Œuvre 3"),
        ] {
            let mut r = Record::new(Kind::Contact, &coll);
            r.set_text("FN", name);
            r.set_text("NOTE", street);
            store.write(|w| w.create(&r)).unwrap();
        }
        for query in [
            "soren",
            "Søren",
            "norregade",
            "weiss",
            "Weiß",
            "hauptstrasse",
            "hauptstr",
            "Hauptstraße",
            "HAUPTSTRASSE",
            "lucja",
            "lodz",
            "dluga",
            "aegir",
            "thorsson",
            "oeuvre",
            "Œuvre",
            "ægir",
        ] {
            assert_eq!(found(&store, query), 1, "{query}");
        }
        // Folding adds spellings; it does not make unrelated words meet.
        assert_eq!(found(&store, "sorensen"), 0);
        assert_eq!(found(&store, "weis"), 1, "a prefix of weiss");
        assert_eq!(found(&store, "hauptstrase"), 0);
    }

    #[test]
    fn an_unreadable_row_does_not_stop_the_reindexing_migration() {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Contact).unwrap().id;
        let mut r = Record::new(Kind::Contact, &coll);
        r.set_text("FN", "Grete Weiß");
        store.write(|w| w.create(&r)).unwrap();
        // Rows a hostile or damaged file could hold: not JSON, and not text at all.
        store
            .conn
            .execute_batch(&format!(
                "INSERT INTO records (id, kind, collection, data) VALUES ('bad1', 'contact', '{coll}', '{{not json');
                 INSERT INTO records (id, kind, collection, data) VALUES ('bad2', 'contact', '{coll}', x'00ff');
                 PRAGMA user_version = 8;"
            ))
            .unwrap();
        super::super::migrate::migrate(&store.conn).unwrap();
        assert_eq!(found(&store, "weiss"), 1);
    }

    #[test]
    fn a_profile_from_before_the_folded_spellings_is_reindexed_once() {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Contact).unwrap().id;
        let mut r = Record::new(Kind::Contact, &coll);
        r.set_text("FN", "Grete Weiß");
        store.write(|w| w.create(&r)).unwrap();
        // What pim at version 8 left: no folded spelling.
        store
            .conn
            .execute_batch(
                "INSERT INTO records_fts (records_fts) VALUES ('delete-all');
                 INSERT INTO records_fts (rowid, text) SELECT rowid, 'Grete Weiß' FROM records;
                 PRAGMA user_version = 8;",
            )
            .unwrap();
        assert_eq!(found(&store, "weiss"), 0);
        super::super::migrate::migrate(&store.conn).unwrap();
        assert_eq!(found(&store, "weiss"), 1);
        assert_eq!(found(&store, "Weiß"), 1);
        let rows: i64 = store
            .conn
            .query_row("SELECT count(*) FROM records_fts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1, "indexed once");
    }
}
