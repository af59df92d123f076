//! Policies `local` and `remote` under simultaneous syncs (issue 13, item 2): in
//! each round some devices edit one record's fields, then some devices sync "at the
//! same moment" (all of them download before any uploads). A policy decision must
//! never make an older value newer than an edit it has not seen: after fault-free
//! rounds every device holds the same record, each field holds the last edit of one
//! of the devices, and every overruled value is still in history.

use std::collections::BTreeMap;

use super::{START, cases, config_for, seed, witnesses};
use crate::support::sim::Device;
use pim::store::Clock;
use pim::sync::apply::Policy;
use pim::sync::plan::Mode;
use proptest::prelude::*;

const FIELDS: [&str; 2] = ["FN", "NOTE"];

#[derive(Debug, Clone)]
pub struct Round {
    /// Per device: which field it edits this round, if any.
    edits: Vec<Option<usize>>,
    /// Per device: whether it takes part in this round's simultaneous sync.
    syncs: Vec<bool>,
}

fn round(n: usize) -> impl Strategy<Value = Round> {
    (
        prop::collection::vec(
            prop_oneof![1 => Just(None), 3 => (0..2usize).prop_map(Some)],
            n,
        ),
        prop::collection::vec(prop_oneof![1 => Just(false), 3 => Just(true)], n),
    )
        .prop_map(|(edits, syncs)| Round { edits, syncs })
}

fn policy() -> impl Strategy<Value = Policy> {
    prop_oneof![Just(Policy::Local), Just(Policy::Remote)]
}

type Scenario = (Vec<Policy>, Vec<i64>, Vec<Round>);

fn scenario() -> impl Strategy<Value = Scenario> {
    (2..=3usize).prop_flat_map(|n| {
        (
            prop::collection::vec(policy(), n),
            prop::collection::vec(
                prop_oneof![3 => Just(0i64), 2 => -5..5i64, 1 => Just(-2_000i64)],
                n,
            ),
            prop::collection::vec(round(n), 1..6),
        )
    })
}

/// One sync "at the same moment" on several devices: each downloads (and decides)
/// before any of them uploads.
fn simultaneous(devs: &mut [Device], who: &[bool]) {
    for mode in [Mode::Pull, Mode::Push] {
        for (d, _) in devs.iter_mut().zip(who).filter(|(_, on)| **on) {
            let mut opts = d.opts.clone();
            opts.mode = mode;
            futures::executor::block_on(pim::sync::engine::sync_once(
                &mut d.store,
                &mut d.mb,
                &opts,
            ))
            .expect("sync");
        }
    }
}

pub fn run_rounds(policies: Vec<Policy>, skews: Vec<i64>, rounds: Vec<Round>) {
    let server = pim::sync::memory::MemoryServer::new();
    let n = policies.len();
    let clocks: Vec<Clock> = (0..n).map(|i| Clock::manual(START + skews[i])).collect();
    let tick = |ms: i64| clocks.iter().for_each(|c| c.advance(ms));
    let mut devs: Vec<Device> = (0..n)
        .map(|i| Device::simulated(&server, i, clocks[i].clone()).with_policy(policies[i]))
        .collect();
    let id = devs[0].add_contact_as("rec", "start");
    for d in devs.iter_mut() {
        d.sync();
    }
    // Field → device → its last edit.
    let mut last: BTreeMap<&str, BTreeMap<usize, String>> = BTreeMap::new();
    let mut edits = Vec::new();
    for (r, round) in rounds.iter().enumerate() {
        for (i, field) in round.edits.iter().enumerate() {
            tick(1);
            if let Some(f) = field {
                let v = format!("d{i}r{r}f{f}x");
                devs[i].set_text(&id, FIELDS[*f], &v);
                last.entry(FIELDS[*f]).or_default().insert(i, v.clone());
                edits.push(v);
            }
        }
        tick(1);
        simultaneous(&mut devs, &round.syncs);
    }
    let mut settled = false;
    for _ in 0..10 {
        tick(1);
        let mut busy = false;
        for d in devs.iter_mut() {
            let r = d.sync();
            busy |= r.uploaded > 0 || r.applied > 0;
        }
        let first = devs[0].state();
        if !busy && devs.iter().all(|d| d.state() == first) {
            settled = true;
            break;
        }
    }
    let states: Vec<_> = devs.iter().map(|d| d.state()).collect();
    for (i, s) in states.iter().enumerate() {
        assert_eq!(s, &states[0], "device {i} differs from device 0");
    }
    assert!(settled, "devices equal but still exchanging changes");
    for (field, by_device) in &last {
        let now = devs[0].text(&id, field).unwrap_or_default();
        assert!(
            by_device.values().any(|v| v == &now),
            "{field} settled on {now}, not the last edit of a device: {by_device:?}"
        );
    }
    let seen: String = devs.iter().map(witnesses).collect();
    for v in edits {
        assert!(seen.contains(&v), "edit {v} was lost silently");
    }
}

proptest! {
    #![proptest_config(config_for(cases(), seed().wrapping_mul(7919)))]
    #[test]
    fn policy_decisions_never_settle_on_an_old_value(
        (policies, skews, rounds) in scenario()
    ) {
        run_rounds(policies, skews, rounds);
    }
}

/// The reproduction of issue 13: two devices with policy `remote`, four rounds of
/// edits of one field, each followed by a simultaneous sync.
#[test]
fn regression_remote_policy_four_simultaneous_rounds() {
    for skew in [0, 1, -1, 3] {
        let rounds = (0..4)
            .map(|_| Round {
                edits: vec![Some(0), Some(0)],
                syncs: vec![true, true],
            })
            .collect();
        run_rounds(vec![Policy::Remote, Policy::Remote], vec![0, skew], rounds);
    }
}

#[test]
fn regression_local_policy_four_simultaneous_rounds() {
    for skew in [0, 1, -1, 3] {
        let rounds = (0..4)
            .map(|_| Round {
                edits: vec![Some(0), Some(0)],
                syncs: vec![true, true],
            })
            .collect();
        run_rounds(vec![Policy::Local, Policy::Local], vec![0, skew], rounds);
    }
}

/// Found by the property test: a decision that lost to a newer edit must not be
/// defended again.
#[test]
fn regression_remote_policy_lagging_clock() {
    let rounds = vec![
        Round {
            edits: vec![Some(0), Some(0)],
            syncs: vec![false, true],
        },
        Round {
            edits: vec![None, Some(0)],
            syncs: vec![false, false],
        },
        Round {
            edits: vec![None, None],
            syncs: vec![true, false],
        },
    ];
    run_rounds(vec![Policy::Remote, Policy::Remote], vec![0, -2], rounds);
}

/// Found by the property test: a `local` decision made moot by a later change of
/// the same download must leave the value it wanted in history.
#[test]
fn regression_moot_local_decision_keeps_its_value_in_history() {
    let rounds = vec![Round {
        edits: vec![Some(0), Some(0), Some(0)],
        syncs: vec![false, true, true],
    }];
    run_rounds(
        vec![Policy::Local, Policy::Remote, Policy::Remote],
        vec![0, 0, 0],
        rounds,
    );
}
