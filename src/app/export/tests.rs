//! Sorted rows and the rows handled beside the reading thread.

use super::*;
use crate::model::Record;

/// The order of every listing (`Store::list`: `ORDER BY sort_key, id`), with
/// ties, keys longer than the 16 bytes compared first, multi-byte text and an
/// empty key; kinds in the order selected.
#[test]
fn sorted_rows_are_in_the_order_of_the_listings() {
    let mut store = Store::open_in_memory().unwrap();
    let events = store.default_collection(Kind::Event).unwrap().id;
    let tasks = store.default_collection(Kind::Task).unwrap().id;
    let titles = [
        "b",
        "a",
        "B",
        "é",
        "e",
        "a",
        "",
        "aaaaaaaab",
        "aaaaaaaaa",
        "aaaaaaaa",
        "a",
        "Zz",
        "ab\u{1F600}",
        "ab\u{e9}",
        "aaaaaaaa",
        "aaaaaaaaaaaaaaaab",
        "aaaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaa\u{e9}",
        "aaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaa",
    ];
    let mut keys = std::collections::HashMap::new();
    for (i, t) in titles.iter().enumerate() {
        let (kind, c) = if i % 3 == 0 {
            (Kind::Task, &tasks)
        } else {
            (Kind::Event, &events)
        };
        let mut r = Record::new(kind, c);
        r.set_text("SUMMARY", t);
        keys.insert(r.id.clone(), r.title().to_lowercase());
        store.write(|w| w.create(&r)).unwrap();
    }
    let listed = |k| -> Vec<String> {
        store
            .list(k, None)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    for kinds in [
        vec![Kind::Task, Kind::Event],
        vec![Kind::Event],
        vec![Kind::Task],
    ] {
        let selection = selection(&store, &kinds, None).unwrap();
        let mut rows = SortedRows::default();
        read_unordered(&store, &selection, |g, row| -> Result<(), StoreError> {
            rows.push(g, &row, row.kind, |t| t.push_str(row.data));
            // The text of each row given is kept whole.
            assert!(row.data.starts_with('{'));
            Ok(())
        })
        .unwrap();
        rows.sort();
        let got: Vec<String> = rows.iter().map(|r| r.id().to_string()).collect();
        let want: Vec<String> = kinds.iter().flat_map(|&k| listed(k)).collect();
        assert_eq!(got, want);
        for r in rows.iter() {
            assert_eq!(r.aux(), selection[r.group()].0.as_str());
            assert!(r.text().starts_with('{') && !r.unreadable());
            assert_eq!(r.sort_key(), keys[r.id()]);
        }
    }
}

/// Rows handled beside the reading thread are every row, in table order, with
/// its texts and group; the first error stops the handling and is returned.
#[test]
fn rows_handled_beside_are_the_rows_read() {
    let mut store = Store::open_in_memory().unwrap();
    for i in 0..(2 * BATCH + 9) {
        let kind = if i % 4 == 0 { Kind::Task } else { Kind::Event };
        let c = store.default_collection(kind).unwrap().id;
        let mut r = Record::new(kind, &c);
        r.set_text("SUMMARY", &format!("é {i}"));
        store.write(|w| w.create(&r)).unwrap();
    }
    let selection = selection(&store, &[Kind::Task, Kind::Event], None).unwrap();
    let line = |g: usize, row: &RawRecord<'_>| {
        format!(
            "{g} {} {} {} {} {}",
            row.id, row.kind, row.collection, row.sort_key, row.data
        )
    };
    let mut want = Vec::new();
    read_unordered(&store, &selection, |g, row| -> Result<(), StoreError> {
        want.push(line(g, &row));
        Ok(())
    })
    .unwrap();
    let got = read_unordered_beside(&store, &selection, Vec::new(), |seen, g, row| {
        seen.push(line(g, &row));
        Ok::<(), StoreError>(())
    })
    .unwrap();
    assert_eq!(got.len(), 2 * BATCH + 9);
    assert_eq!(got, want);
    // Shared by three handlers, each gathering sorted rows: appended, they sort
    // as the rows gathered by one.
    let gather = |rows: &mut SortedRows, g: usize, row: RawRecord<'_>| {
        rows.push(g, &row, row.kind, |t| t.push_str(row.data));
        Ok::<(), StoreError>(())
    };
    let mut one = SortedRows::default();
    read_unordered(&store, &selection, |g, row| gather(&mut one, g, row)).unwrap();
    one.sort();
    let states = vec![
        SortedRows::default(),
        SortedRows::default(),
        SortedRows::default(),
    ];
    let mut parts = read_unordered_shared(&store, &selection, states, gather)
        .unwrap()
        .into_iter();
    let mut all = parts.next().unwrap();
    parts.for_each(|p| all.append(p));
    // A row pushed after the parts are taken goes with them.
    let extra = RawRecord {
        id: "zz",
        kind: "event",
        collection: "c",
        data: "{}",
        sort_key: "é 1",
    };
    gather(&mut all, 1, extra).unwrap();
    gather(&mut one, 1, extra).unwrap();
    one.sort();
    all.sort();
    let texts = |rows: &SortedRows| -> Vec<String> {
        rows.iter()
            .map(|r| {
                format!(
                    "{} {} {} {} {}",
                    r.group(),
                    r.sort_key(),
                    r.id(),
                    r.aux(),
                    r.text()
                )
            })
            .collect()
    };
    assert_eq!(texts(&all), texts(&one));
    assert_eq!(all.len(), 2 * BATCH + 10);
    // Gathered in three parts (every third row), each sorted on its own thread,
    // then merged: the same order.
    let mut parts = vec![
        SortedRows::default(),
        SortedRows::default(),
        SortedRows::default(),
    ];
    let mut n = 0;
    read_unordered(&store, &selection, |g, row| {
        n += 1;
        gather(&mut parts[n % 3], g, row)
    })
    .unwrap();
    let mut together = SortedRows::sorted_together(parts);
    gather(&mut together, 1, extra).unwrap();
    together.sort();
    assert_eq!(texts(&together), texts(&one));
    let stopped = read_unordered_beside(&store, &selection, 0, |seen, _, _| {
        *seen += 1;
        match *seen > BATCH + 3 {
            true => Err(StoreError::Corrupt {
                what: "x".into(),
                reason: "stop".into(),
            }),
            false => Ok(()),
        }
    });
    assert!(matches!(stopped, Err(StoreError::Corrupt { reason, .. }) if reason == "stop"));
}
