//! The pure planning step (DESIGN.md §2: `sync/` decides): given what this device
//! knows and what the server's folders hold, decide what to list, fetch, upload,
//! re-upload and delete. No I/O; the executor in [`super::engine`] carries it out.

use std::collections::BTreeSet;

use serde::Serialize;

use super::mailbox::FolderState;
use crate::model::sync_state::{DeviceInfo, KnownMessage, RememberedFolder, Vector};

/// Which direction(s) a sync runs in (DESIGN.md §5.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    #[default]
    TwoWay,
    Push,
    Pull,
    /// Publish this device's state as the truth.
    ReplaceRemote,
    /// Rebuild this device from the server.
    ReplaceLocal,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "two-way" => Mode::TwoWay,
            "push" => Mode::Push,
            "pull" => Mode::Pull,
            "replace-remote" => Mode::ReplaceRemote,
            "replace-local" => Mode::ReplaceLocal,
            _ => return None,
        })
    }

    pub fn downloads(self) -> bool {
        matches!(self, Mode::TwoWay | Mode::Pull | Mode::ReplaceLocal)
    }

    pub fn uploads(self) -> bool {
        matches!(self, Mode::TwoWay | Mode::Push | Mode::ReplaceRemote)
    }
}

/// What to do about one folder after comparing its state with what we remember.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FolderCheck {
    /// Same UIDVALIDITY, UIDNEXT, message count (and HIGHESTMODSEQ when offered).
    Unchanged,
    /// Only new messages: list UIDs from here.
    NewFrom(u32),
    /// Deletions or a UIDVALIDITY reset: list everything, forget old locations.
    Full,
}

pub fn check_folder(remembered: Option<&RememberedFolder>, now: &FolderState) -> FolderCheck {
    let Some(r) = remembered else {
        return FolderCheck::Full;
    };
    if r.uidvalidity != now.uidvalidity {
        return FolderCheck::Full;
    }
    let modseq_same = match (r.highestmodseq, now.highestmodseq) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    if r.uidnext == now.uidnext && r.exists == now.exists && modseq_same {
        return FolderCheck::Unchanged;
    }
    // Messages only added: the count grew by at most the number of new UIDs.
    let added = now.uidnext.saturating_sub(r.uidnext);
    if now.uidnext >= r.uidnext && now.exists == r.exists + added {
        FolderCheck::NewFrom(r.uidnext)
    } else {
        FolderCheck::Full
    }
}

/// Everything the planner needs to know; gathered by the engine.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub device: String,
    /// Applied here (own entry: the last own change).
    pub vector: Vector,
    /// Other devices' published states.
    pub devices: Vec<DeviceInfo>,
    /// Batches known to be on the server now, with their authenticated identity
    /// (`device` empty: not authenticated yet, an older format's message).
    pub batches: Vec<KnownMessage>,
    /// UIDs whose messages failed authentication before (never fetched again).
    pub rejected: BTreeSet<u32>,
    /// First own change not yet confirmed by the server.
    pub first_unsubmitted: Option<u64>,
    /// Vector of the newest snapshot on the server.
    pub snapshot_vector: Option<Vector>,
    pub mode: Mode,
    /// Upload own changes only up to here (`--collection` put those first).
    pub upload_to: Option<u64>,
}

/// A contiguous own range to upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Range {
    pub from: u64,
    pub to: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Batch UIDs to download.
    pub fetch: Vec<u32>,
    /// New own changes to upload.
    pub upload: Option<Range>,
    /// Own changes uploaded before whose batch is gone while some device still
    /// needs them (gap repair).
    pub reupload: Vec<Range>,
    /// Own batches every active device has applied and a snapshot covers.
    pub delete: Vec<u32>,
    /// How many devices the batches in `fetch` come from.
    pub fetch_devices: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.fetch.is_empty()
            && self.upload.is_none()
            && self.reupload.is_empty()
            && self.delete.is_empty()
    }
}

/// Messages not authenticated yet (older formats, or junk) fetched per round at
/// most: a folder stuffed with them costs each of them one fetch, a few per round,
/// and what fails to open is remembered and never fetched again.
pub const MAX_UNOPENED_PER_ROUND: usize = 128;

/// Changes one uploaded message holds at most (`batch::pack_batches` splits
/// further when a chunk seals too large).
pub const CHANGES_PER_MESSAGE: u64 = 4000;

impl Plan {
    /// The plan in words: "would upload 12 changes in 1 message, fetch 2 messages
    /// from 1 device".
    pub fn in_words(&self) -> String {
        let n = |count: u64, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        let changes = |r: &Range| r.to.saturating_sub(r.from) + 1;
        let mut parts = Vec::new();
        if let Some(r) = &self.upload {
            let count = changes(r);
            let messages = count.div_ceil(CHANGES_PER_MESSAGE);
            let at_least = if messages > 1 { "at least " } else { "" };
            parts.push(format!(
                "upload {} in {at_least}{}",
                n(count, "change", "changes"),
                n(messages, "message", "messages")
            ));
        }
        if !self.reupload.is_empty() {
            let count: u64 = self.reupload.iter().map(changes).sum();
            parts.push(format!(
                "upload again {} another device still needs",
                n(count, "change", "changes")
            ));
        }
        if !self.fetch.is_empty() {
            parts.push(format!(
                "fetch {} from {}",
                n(self.fetch.len() as u64, "message", "messages"),
                n(self.fetch_devices as u64, "device", "devices")
            ));
        }
        if !self.delete.is_empty() {
            parts.push(format!(
                "delete {} every device has applied",
                n(self.delete.len() as u64, "old message", "old messages")
            ));
        }
        if parts.is_empty() {
            "nothing to do: this device and the server are up to date".to_string()
        } else {
            format!("would {}", parts.join(", "))
        }
    }
}

fn covered(v: Option<&Vector>, device: &str, seq: u64) -> bool {
    v.and_then(|v| v.get(device)).is_some_and(|&s| s >= seq)
}

/// Devices whose published vectors hold back deletion and need re-uploads.
fn active<'a>(i: &'a Inputs) -> impl Iterator<Item = &'a DeviceInfo> + 'a {
    i.devices
        .iter()
        .filter(move |d| !d.forgotten && d.device != i.device)
}

pub fn plan(i: &Inputs) -> Plan {
    let mut p = Plan::default();
    let own_last = i.vector.get(&i.device).copied().unwrap_or(0);
    let mut from: BTreeSet<&str> = BTreeSet::new();
    if i.mode.downloads() {
        let mut unopened = 0;
        for b in &i.batches {
            if b.device == i.device || i.rejected.contains(&b.uid) {
                continue;
            }
            // Not authenticated: fetched to learn what it is, a bounded number per round.
            let needed = if b.device.is_empty() {
                unopened += 1;
                unopened <= MAX_UNOPENED_PER_ROUND
            } else {
                b.seq_to > i.vector.get(&b.device).copied().unwrap_or(0)
            };
            if needed {
                p.fetch.push(b.uid);
                from.insert(b.device.as_str());
            }
        }
    }
    p.fetch_devices = from.len();
    if !i.mode.uploads() {
        return p;
    }
    let submitted_to = i.first_unsubmitted.map(|f| f - 1).unwrap_or(own_last);
    let upload_to = i.upload_to.unwrap_or(own_last).min(own_last);
    if submitted_to < upload_to {
        p.upload = Some(Range {
            from: submitted_to + 1,
            to: upload_to,
        });
    }
    // Gap repair: which own changes may still be needed by someone?
    let mine: Vec<&KnownMessage> = i.batches.iter().filter(|b| b.device == i.device).collect();
    let on_server = |seq: u64| mine.iter().any(|b| (b.seq_from..=b.seq_to).contains(&seq));
    let mut needed_from = i
        .snapshot_vector
        .as_ref()
        .map(|v| v.get(&i.device).copied().unwrap_or(0) + 1)
        .unwrap_or(1);
    let others: Vec<&DeviceInfo> = active(i).collect();
    if !others.is_empty() {
        let min_seen = others
            .iter()
            .map(|d| d.vector.get(&i.device).copied().unwrap_or(0))
            .min()
            .unwrap_or(0);
        // Without a snapshot a new device needs everything; with one, only what
        // the snapshot lacks — but known devices may lag behind the snapshot.
        needed_from = needed_from.min(min_seen + 1);
    }
    let mut run: Option<Range> = None;
    for seq in needed_from..=submitted_to {
        if on_server(seq) {
            if let Some(r) = run.take() {
                p.reupload.push(r);
            }
        } else {
            match run.as_mut() {
                Some(r) => r.to = seq,
                None => run = Some(Range { from: seq, to: seq }),
            }
        }
    }
    p.reupload.extend(run);
    // Garbage collection: own batches, and those of forgotten devices (nobody else
    // would ever remove them).
    if i.mode == Mode::TwoWay && i.snapshot_vector.is_some() {
        let forgotten: BTreeSet<&str> = i
            .devices
            .iter()
            .filter(|d| d.forgotten)
            .map(|d| d.device.as_str())
            .collect();
        for b in &i.batches {
            let owner = b.device.as_str();
            if owner != i.device && !forgotten.contains(owner) {
                continue;
            }
            let all_have = active(i).all(|d| covered(Some(&d.vector), owner, b.seq_to));
            if all_have && covered(i.snapshot_vector.as_ref(), owner, b.seq_to) {
                p.delete.push(b.uid);
            }
        }
    }
    p
}

/// Whether this device should write a new snapshot: enough batches on the server
/// that the newest snapshot does not cover yet and that this device has applied.
pub fn wants_snapshot(i: &Inputs, every: usize) -> bool {
    if every == 0 || i.mode != Mode::TwoWay {
        return false;
    }
    let uncovered = i
        .batches
        .iter()
        .filter(|b| {
            let dev = &b.device;
            !dev.is_empty()
                && covered(Some(&i.vector), dev, b.seq_to)
                && !covered(i.snapshot_vector.as_ref(), dev, b.seq_to)
        })
        .count();
    uncovered >= every
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(uid: u32, device: &str, from: u64, to: u64) -> KnownMessage {
        KnownMessage {
            folder: "PIM/Changes".into(),
            uid,
            kind: "batch".into(),
            device: device.into(),
            seq_from: from,
            seq_to: to,
            message_id: format!("<{uid}>"),
            size: 100,
        }
    }

    fn vector(e: &[(&str, u64)]) -> Vector {
        e.iter().map(|(d, s)| (d.to_string(), *s)).collect()
    }

    fn device(d: &str, v: Vector) -> DeviceInfo {
        DeviceInfo {
            device: d.into(),
            tag: format!("t{d}"),
            name: d.into(),
            last_seen: String::new(),
            vector: v,
            forgotten: false,
        }
    }

    #[test]
    fn a_plan_in_words_counts_changes_messages_and_devices() {
        assert_eq!(
            Plan::default().in_words(),
            "nothing to do: this device and the server are up to date"
        );
        let p = Plan {
            fetch: vec![3, 4],
            upload: Some(Range { from: 5, to: 16 }),
            fetch_devices: 1,
            ..Plan::default()
        };
        assert_eq!(
            p.in_words(),
            "would upload 12 changes in 1 message, fetch 2 messages from 1 device"
        );
        let mut i = base();
        i.batches = vec![batch(1, "b", 6, 7), batch(2, "c", 1, 2)];
        assert_eq!(plan(&i).fetch_devices, 2, "{:?}", plan(&i));
    }

    fn base() -> Inputs {
        Inputs {
            device: "a".into(),
            vector: vector(&[("a", 10), ("b", 5)]),
            mode: Mode::TwoWay,
            ..Inputs::default()
        }
    }

    #[test]
    fn folder_checks() {
        let r = RememberedFolder {
            uidvalidity: 7,
            uidnext: 10,
            highestmodseq: Some(50),
            exists: 4,
        };
        let s = |v, n, m, e| FolderState {
            uidvalidity: v,
            uidnext: n,
            highestmodseq: m,
            exists: e,
        };
        assert_eq!(
            check_folder(Some(&r), &s(7, 10, Some(50), 4)),
            FolderCheck::Unchanged
        );
        assert_eq!(
            check_folder(Some(&r), &s(7, 12, Some(52), 6)),
            FolderCheck::NewFrom(10)
        );
        assert_eq!(
            check_folder(Some(&r), &s(7, 12, Some(53), 5)),
            FolderCheck::Full
        );
        assert_eq!(
            check_folder(Some(&r), &s(8, 10, Some(50), 4)),
            FolderCheck::Full
        );
        // Only flags changed: nothing new to list but cheap to confirm.
        assert_eq!(
            check_folder(Some(&r), &s(7, 10, Some(51), 4)),
            FolderCheck::NewFrom(10)
        );
        assert_eq!(check_folder(None, &s(7, 10, None, 4)), FolderCheck::Full);
    }

    #[test]
    fn fetches_only_batches_not_yet_applied_and_never_own_or_rejected() {
        let mut i = base();
        i.batches = vec![
            batch(1, "b", 1, 5),
            batch(2, "b", 6, 9),
            batch(3, "a", 1, 10),
            batch(4, "", 1, 3),
            batch(5, "b", 10, 12),
        ];
        i.rejected.insert(5);
        let p = plan(&i);
        assert_eq!(p.fetch, vec![2, 4]);
        i.mode = Mode::Push;
        assert!(plan(&i).fetch.is_empty());
    }

    #[test]
    fn unauthenticated_batches_are_fetched_a_bounded_number_per_round() {
        let mut i = base();
        let junk = MAX_UNOPENED_PER_ROUND as u32 * 3;
        i.batches = (1..=junk).map(|uid| batch(uid, "", 0, 0)).collect();
        i.batches.push(batch(junk + 1, "b", 6, 6));
        let p = plan(&i);
        assert_eq!(
            p.fetch.len(),
            MAX_UNOPENED_PER_ROUND + 1,
            "{:?}",
            p.fetch.len()
        );
        assert!(
            p.fetch.contains(&(junk + 1)),
            "authenticated ones are never crowded out"
        );
        // Unauthenticated batches never count as this device's, nor for gap repair
        // or garbage collection.
        i.first_unsubmitted = None;
        i.devices = vec![device("b", vector(&[("a", 10)]))];
        i.snapshot_vector = Some(vector(&[("a", 10)]));
        i.batches = vec![batch(1, "", 0, 0)];
        let p = plan(&i);
        assert_eq!(p.reupload, vec![], "covered by the snapshot");
        assert!(p.delete.is_empty());
        i.snapshot_vector = None;
        assert_eq!(plan(&i).reupload, vec![Range { from: 1, to: 10 }]);
    }

    #[test]
    fn uploads_the_outbox_and_repairs_gaps_others_need() {
        let mut i = base();
        i.first_unsubmitted = Some(9);
        i.devices = vec![device("b", vector(&[("a", 2)]))];
        // Own batches 1-2 and 6-8 are on the server; 3-5 were deleted by hand.
        i.batches = vec![batch(1, "a", 1, 2), batch(2, "a", 6, 8)];
        let p = plan(&i);
        assert_eq!(p.upload, Some(Range { from: 9, to: 10 }));
        assert_eq!(p.reupload, vec![Range { from: 3, to: 5 }]);
        // Once b has everything and a snapshot covers 1-8, nothing is needed and
        // both own batches go.
        i.devices = vec![device("b", vector(&[("a", 8)]))];
        i.snapshot_vector = Some(vector(&[("a", 8)]));
        let p = plan(&i);
        assert!(p.reupload.is_empty());
        assert_eq!(p.delete, vec![1, 2]);
    }

    #[test]
    fn gc_waits_for_every_active_device_and_a_snapshot() {
        let mut i = base();
        i.batches = vec![batch(1, "a", 1, 10)];
        i.devices = vec![
            device("b", vector(&[("a", 10)])),
            device("c", vector(&[("a", 4)])),
        ];
        i.snapshot_vector = Some(vector(&[("a", 10)]));
        assert!(plan(&i).delete.is_empty(), "c has not applied it");
        i.devices[1].forgotten = true;
        assert_eq!(plan(&i).delete, vec![1]);
        i.snapshot_vector = Some(vector(&[("a", 9)]));
        assert!(plan(&i).delete.is_empty(), "no snapshot covers it");
    }

    #[test]
    fn snapshot_wanted_after_enough_covered_batches() {
        let mut i = base();
        i.batches = vec![
            batch(1, "b", 1, 2),
            batch(2, "b", 3, 5),
            batch(3, "b", 6, 7),
        ];
        assert!(wants_snapshot(&i, 2));
        assert!(!wants_snapshot(&i, 3), "6-7 is not applied here yet");
        i.snapshot_vector = Some(vector(&[("b", 5)]));
        assert!(!wants_snapshot(&i, 1));
    }
}
