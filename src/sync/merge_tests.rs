//! Tests of the pure merge (fold, set merge, clash detection, joins).
use super::*;
use crate::model::{FieldChange, Property};

fn props(vals: &[&str], name: &str) -> Option<FieldValue> {
    if vals.is_empty() {
        return None;
    }
    Some(FieldValue::Props(
        vals.iter().map(|v| Property::new(name, *v)).collect(),
    ))
}

fn change(dev: &str, hlc: &str, op: Op) -> Change {
    Change {
        device: dev.into(),
        seq: 1,
        change_id: format!("{dev}-{hlc}"),
        hlc: hlc.into(),
        changed_at: String::new(),
        submitted_at: String::new(),
        record_id: "r".into(),
        kind: "contact".into(),
        op,
        attachments: Vec::new(),
    }
}

fn update(
    dev: &str,
    hlc: &str,
    key: &str,
    base: Option<FieldValue>,
    new: Option<FieldValue>,
) -> Change {
    change(
        dev,
        hlc,
        Op::Update {
            fields: vec![FieldChange {
                key: key.into(),
                base,
                new,
            }],
        },
    )
}

fn created() -> (Record, Change) {
    let mut r = Record::new(Kind::Contact, "c");
    r.id = "r".into();
    r.set_text("FN", "Ada");
    let c = change(
        "a",
        "01",
        Op::Create {
            collection: "c".into(),
            body: r.body.clone(),
        },
    );
    (r, c)
}

#[test]
fn set_merge_keeps_adds_and_removes_of_both_sides() {
    let base = props(&["a", "b"], "EMAIL");
    let remote = props(&["a", "c"], "EMAIL"); // removed b, added c
    let local = props(&["a", "b", "d"], "EMAIL"); // added d
    let m = merge_set(base.as_ref(), remote.as_ref(), local.as_ref());
    let got: BTreeSet<String> = match m {
        Some(FieldValue::Props(p)) => p.into_iter().map(|p| p.value).collect(),
        _ => panic!(),
    };
    assert_eq!(got, ["a", "c", "d"].iter().map(|s| s.to_string()).collect());
    // Without local divergence the result is the remote set.
    assert_eq!(
        merge_set(base.as_ref(), remote.as_ref(), base.as_ref()),
        remote
    );
    // Merges commute: two adds give the same set in either order.
    let x = props(&["x"], "EMAIL");
    let y = props(&["y"], "EMAIL");
    let xy = merge_set(None, y.as_ref(), x.as_ref());
    let yx = merge_set(None, x.as_ref(), y.as_ref());
    assert_eq!(xy, yx);
}

#[test]
fn fold_is_independent_of_arrival_order() {
    let (rec, create) = created();
    let fn_ = |v: &str| props(&[v], "FN");
    let ada = fn_("Ada");
    let changes = vec![
        create,
        update("a", "02", "FN", ada.clone(), fn_("A1")),
        update("b", "03", "FN", ada.clone(), fn_("B1")),
        update("b", "04", "CATEGORIES", None, props(&["x"], "CATEGORIES")),
        update("a", "05", "CATEGORIES", None, props(&["y"], "CATEGORIES")),
        change(
            "c",
            "06",
            Op::Move {
                from: "c".into(),
                to: "d".into(),
            },
        ),
        change(
            "a",
            "07",
            Op::Delete {
                collection: "c".into(),
                base: rec.body.clone(),
            },
        ),
        update("b", "08", "NOTE", None, props(&["n"], "NOTE")),
    ];
    let expected = fold(RecState::empty("r", "contact"), &changes);
    assert!(
        expected.live(),
        "the edit at 08 revives the record deleted at 07"
    );
    assert_eq!(expected.collection.as_deref(), Some("d"));
    let f = expected.body.fields();
    assert_eq!(f.get("FN"), fn_("B1").as_ref());
    match f.get("CATEGORIES") {
        Some(FieldValue::Props(p)) => assert_eq!(p.len(), 2),
        other => panic!("{other:?}"),
    }
    // Feed the same changes one at a time in every rotation and reversed.
    for rot in 0..changes.len() {
        let mut cs = changes.clone();
        cs.rotate_left(rot);
        let mut st = RecState::empty("r", "contact");
        let mut seen = Vec::new();
        for c in cs.iter().rev() {
            seen.push(c.clone());
            st = fold(RecState::empty("r", "contact"), &seen);
        }
        assert_eq!(st, expected);
    }
}

#[test]
fn clash_detection_is_three_way() {
    let (_, create) = created();
    let before = fold(
        RecState::empty("r", "contact"),
        &[
            create.clone(),
            update(
                "a",
                "02",
                "FN",
                props(&["Ada"], "FN"),
                props(&["Mine"], "FN"),
            ),
        ],
    );
    let remote = update(
        "b",
        "03",
        "FN",
        props(&["Ada"], "FN"),
        props(&["Theirs"], "FN"),
    );
    let mut after = before.clone();
    after.apply(&remote);
    let cl = clashes(&before, &after, &remote);
    assert_eq!(cl.len(), 1);
    assert!(cl[0].remote_won);
    assert_eq!(cl[0].local, props(&["Mine"], "FN"));
    // A change made on top of our value is not a clash.
    let on_top = update(
        "b",
        "04",
        "FN",
        props(&["Theirs"], "FN"),
        props(&["Next"], "FN"),
    );
    let mut after2 = after.clone();
    after2.apply(&on_top);
    assert!(clashes(&after, &after2, &on_top).is_empty());
    // Different fields merge without a clash.
    let other = update("b", "05", "NOTE", None, props(&["n"], "NOTE"));
    let mut after3 = after2.clone();
    after3.apply(&other);
    assert!(clashes(&after2, &after3, &other).is_empty());
}

#[test]
fn joining_two_snapshots_keeps_the_newer_write_of_each_register() {
    let (_, create) = created();
    let fn_ = |v: &str| props(&[v], "FN");
    let a = fold(
        RecState::empty("r", "contact"),
        &[
            create.clone(),
            update("a", "05", "FN", fn_("Ada"), fn_("A5")),
        ],
    );
    let b = fold(
        RecState::empty("r", "contact"),
        &[
            create.clone(),
            update("b", "03", "FN", fn_("Ada"), fn_("B3")),
            update("b", "04", "NOTE", None, props(&["n"], "NOTE")),
            change(
                "b",
                "06",
                Op::Delete {
                    collection: "c".into(),
                    base: create_body(&create),
                },
            ),
        ],
    );
    for (mut x, y) in [(a.clone(), b.clone()), (b.clone(), a.clone())] {
        x.join(&y);
        let f = x.body.fields();
        assert_eq!(f.get("FN"), fn_("A5").as_ref());
        assert_eq!(f.get("NOTE"), props(&["n"], "NOTE").as_ref());
        assert!(!x.exists, "the delete at 06 is the newest existence write");
    }
}

#[test]
fn changes_a_base_covers_are_not_folded_again() {
    let (_, create) = created();
    let cat = |v: &[&str]| props(v, "CATEGORIES");
    let mut add = update("a", "02", "CATEGORIES", None, cat(&["x"]));
    add.seq = 2;
    let mut remove = update("b", "03", "CATEGORIES", cat(&["x"]), None);
    remove.seq = 1;
    let mut base = fold(
        RecState::empty("r", "contact"),
        &[create, add.clone(), remove],
    );
    assert_eq!(base.body.fields().get("CATEGORIES"), None);
    base.covered = [("a".to_string(), 2), ("b".to_string(), 1)].into();
    // The device holding this base still has its own add in its log.
    let again = fold(base.clone(), &[add]);
    assert_eq!(again.body.fields().get("CATEGORIES"), None);
}

fn create_body(c: &Change) -> Body {
    match &c.op {
        Op::Create { body, .. } => body.clone(),
        _ => unreachable!(),
    }
}

#[test]
fn a_join_takes_the_side_that_has_folded_everything() {
    let (_, create) = created();
    let cat = |v: &[&str]| props(v, "CATEGORIES");
    let mut add = update("a", "02", "CATEGORIES", None, cat(&["x"]));
    add.seq = 2;
    let mut add2 = update("b", "03", "CATEGORIES", cat(&["x"]), cat(&["x", "y"]));
    add2.seq = 1;
    let mut old = fold(
        RecState::empty("r", "contact"),
        &[create.clone(), add.clone()],
    );
    old.covered = [("a".to_string(), 2)].into();
    let mut new = fold(RecState::empty("r", "contact"), &[create, add, add2]);
    new.covered = [("a".to_string(), 2), ("b".to_string(), 1)].into();
    let mut j = new.clone();
    j.join(&old);
    assert_eq!(j, new);
    let mut j = old.clone();
    j.join(&new);
    assert_eq!(j, new);
}

mod joins {
    use proptest::prelude::*;

    use super::*;

    const VALUES: [&str; 3] = ["x", "y", "z"];

    /// A create (whole body with the values in `mask`) or a touch of one value.
    #[derive(Debug, Clone)]
    enum Step {
        Create { mask: u8 },
        Touch { value: usize, add: bool },
    }

    fn to_change(i: usize, step: &Step) -> Change {
        let hlc = format!("{:03}", i + 1);
        match step {
            Step::Create { mask } => {
                let mut r = Record::new(Kind::Contact, "c");
                r.id = "r".into();
                for (bit, v) in VALUES.iter().enumerate() {
                    if mask & (1 << bit) != 0 {
                        r.body.main.props.push(Property::new("CATEGORIES", *v));
                    }
                }
                let op = Op::Create {
                    collection: "c".into(),
                    body: r.body,
                };
                change("a", &hlc, op)
            }
            Step::Touch { value, add } => {
                let one = props(&[VALUES[*value]], "CATEGORIES");
                let (base, new) = if *add { (None, one) } else { (one, None) };
                update("b", &hlc, "CATEGORIES", base, new)
            }
        }
    }

    fn categories(s: &RecState) -> BTreeSet<String> {
        s.body
            .main
            .props
            .iter()
            .filter(|p| p.name == "CATEGORIES")
            .map(|p| p.value.clone())
            .collect()
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            1 => (0u8..8).prop_map(|mask| Step::Create { mask }),
            4 => (0usize..3, any::<bool>()).prop_map(|(value, add)| Step::Touch { value, add }),
        ]
    }

    proptest! {
        /// Two folds that each know some of the changes join to the fold of all
        /// of them: a multi-valued field value by value, whatever each side missed.
        #[test]
        fn joining_two_partial_folds_equals_folding_everything(
            steps in prop::collection::vec((step(), 0u8..3), 1..14)
        ) {
            let all: Vec<Change> = steps.iter().enumerate().map(|(i, (s, _))| to_change(i, s)).collect();
            // 0: only side a knows it, 1: only b, 2: both.
            let side = |want: u8| -> Vec<Change> {
                steps
                    .iter()
                    .zip(&all)
                    .filter(|((_, who), _)| *who == want || *who == 2)
                    .map(|(_, c)| c.clone())
                    .collect()
            };
            let whole = fold(RecState::empty("r", "contact"), &all);
            let mut a = fold(RecState::empty("r", "contact"), &side(0));
            let b = fold(RecState::empty("r", "contact"), &side(1));
            a.join(&b);
            prop_assert_eq!(categories(&a), categories(&whole));
            // And joining is symmetric.
            let mut b2 = fold(RecState::empty("r", "contact"), &side(1));
            b2.join(&fold(RecState::empty("r", "contact"), &side(0)));
            prop_assert_eq!(categories(&b2), categories(&whole));
        }
    }
}
