//! Work on many records at once: decoding stored bodies and rendering them is most of
//! a long listing's or export's time, and it splits across cores.

use crate::model::{Kind, Record};
use crate::store::{Store, StoredRecord};

/// How many rows a streamed listing or export holds at a time.
pub const CHUNK: usize = 2048;

/// `f` over `items` on up to 4 threads, results in the order of `items`.
pub fn in_parallel<T: Send, R: Send>(items: Vec<T>, f: &(impl Fn(T) -> R + Sync)) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads < 2 || items.len() < 256 {
        return items.into_iter().map(f).collect();
    }
    let per = items.len().div_ceil(threads);
    let mut parts: Vec<Vec<T>> = Vec::new();
    let mut items = items.into_iter();
    loop {
        let part: Vec<T> = items.by_ref().take(per).collect();
        if part.is_empty() {
            break;
        }
        parts.push(part);
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| s.spawn(move || part.into_iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    })
}

/// Every record of `kind` (in `collection` if given) in stored order, decoded on up
/// to 4 threads; undecodable rows are noted in the store and left out.
pub fn decode_all(
    store: &Store,
    kind: Kind,
    collection: Option<&str>,
) -> anyhow::Result<Vec<Record>> {
    let mut rows = Vec::new();
    store.for_each_stored(kind, collection, |row| {
        rows.push(row);
        anyhow::Ok(())
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for decoded in in_parallel(rows, &StoredRecord::decode_or_skip) {
        match decoded {
            Ok(r) => out.push(r),
            Err(bad) => store.note_undecodable(bad),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        for n in [0, 1, 255, 256, 257, 5000] {
            let items: Vec<usize> = (0..n).collect();
            let doubled = super::in_parallel(items, &|i| i * 2);
            assert_eq!(doubled, (0..n).map(|i| i * 2).collect::<Vec<_>>());
        }
    }
}
