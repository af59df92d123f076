//! What orders a window's occurrences: events' names kept in one string, keys
//! packed into one integer, and the merge of the threads' ordered parts.

/// Bits of a packed key ([`packed_keys`]) for the occurrence, and for its event's rank.
pub(super) const OCC_BITS: u32 = 18;
const RANK_BITS: u32 = 16;
pub(super) const OCC_MASK: u128 = (1 << OCC_BITS) - 1;

/// Each occurrence's (start seconds, nanoseconds, event rank, index) as one integer
/// that sorts as the tuple does, when ranks and indexes are few enough to fit (most
/// windows): one comparison instead of four.
pub(super) fn packed_keys(occs: &[(usize, i64, u32)], rank: &[usize]) -> Option<Vec<u128>> {
    let fits = occs.len() < 1 << OCC_BITS
        && rank.len() < 1 << RANK_BITS
        // A leap second's nanoseconds take 31 bits.
        && occs.iter().all(|&(_, _, nanos)| nanos < 1 << 30);
    if !fits {
        return None;
    }
    let keys = occs.iter().enumerate().map(|(i, &(e, secs, nanos))| {
        // Flipping the sign bit orders seconds as unsigned.
        let secs = u128::from((secs as u64) ^ (1 << 63));
        (secs << 64)
            | (u128::from(nanos) << (OCC_BITS + RANK_BITS))
            | ((rank[e] as u128) << OCC_BITS)
            | i as u128
    });
    Some(keys.collect())
}

/// Events' titles and ids, one after the other in one string (no allocation per
/// event).
#[derive(Default)]
pub(super) struct Names {
    text: String,
    /// Per event: where its title and its id end in `text`.
    ends: Vec<(usize, usize)>,
}

impl Names {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub(super) fn push(&mut self, title: &str, id: &str) {
        self.text.push_str(title);
        let title_end = self.text.len();
        self.text.push_str(id);
        self.ends.push((title_end, self.text.len()));
    }

    /// Event `e`'s title and id.
    pub(super) fn get(&self, e: usize) -> (&str, &str) {
        let start = e.checked_sub(1).map_or(0, |p| self.ends[p].1);
        let (title, id) = self.ends[e];
        (&self.text[start..title], &self.text[title..id])
    }

    /// `other`'s events after these.
    pub(super) fn append(&mut self, other: &Names) {
        let at = self.text.len();
        self.text.push_str(&other.text);
        self.ends
            .extend(other.ends.iter().map(|&(title, id)| (title + at, id + at)));
    }
}

/// The items of the ordered `lists` in one order (`less` orders two of them),
/// handed to `f` in turn.
pub(super) fn merge<'l>(
    lists: impl Iterator<Item = &'l [usize]>,
    less: impl Fn(usize, usize) -> bool,
    mut f: impl FnMut(usize),
) {
    let mut heads: Vec<&[usize]> = lists.filter(|l| !l.is_empty()).collect();
    while !heads.is_empty() {
        let mut best = 0;
        for h in 1..heads.len() {
            if less(heads[h][0], heads[best][0]) {
                best = h;
            }
        }
        f(heads[best][0]);
        heads[best] = &heads[best][1..];
        if heads[best].is_empty() {
            heads.remove(best);
        }
    }
}
