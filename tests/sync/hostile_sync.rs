//! Hostile sync messages (issue 14 item 4): anyone with access to the account can
//! append to the sync folders. A forged or malformed message is rejected and
//! counted, never fatal; the header parser and the batch decoder never panic.

use std::collections::BTreeMap;

use crate::support::sim::{Device, changes_folder, key};
use pim::model::{Change, Op};
use pim::sync::batch::{BatchPayload, open_batch, open_device, open_snapshot};
use pim::sync::envelope::{Header, HeaderError, MsgKind, seal, split_message};
use pim::sync::memory::MemoryServer;
use proptest::prelude::*;

/// A message with real-looking pim headers (a real device tag) and any X-Pim-Seq.
fn forged(tag: &str, seq: &str) -> Vec<u8> {
    format!(
        "From: x@evil.example\r\nMessage-ID: <forged-{seq}@evil.example>\r\n\
         X-Pim-Format: 1\r\nX-Pim-Kind: batch\r\nX-Pim-Device: {tag}\r\n\
         X-Pim-Seq: {seq}\r\n\r\nAAAA\r\n"
    )
    .into_bytes()
}

#[test]
fn out_of_range_sequence_headers_are_rejected_and_sync_goes_on() {
    for seq in [
        "18446744073709551615-0",
        "0-18446744073709551615",
        "9223372036854775808-9223372036854775808",
        "5-3",
        "-1-2",
        "1-",
    ] {
        let server = MemoryServer::new();
        let mut a = Device::new(&server, "a");
        let mut b = Device::new(&server, "b");
        a.add_contact("before");
        a.sync();
        let tag = key().device_tag(a.store.device());
        server.inject(changes_folder(), forged(&tag, seq));
        let rb = b
            .try_sync()
            .unwrap_or_else(|e| panic!("{seq}: sync failed: {e}"));
        assert_eq!(rb.rejected, 1, "{seq}: {rb:?}");
        assert_eq!(b.state(), a.state(), "{seq}");
        // Every device keeps syncing: the owner of the tag too, and later edits flow.
        a.try_sync()
            .unwrap_or_else(|e| panic!("{seq}: owner's sync failed: {e}"));
        a.add_contact("after");
        a.sync();
        let rb = b.sync();
        assert_eq!(rb.rejected, 0, "{seq}: reported once");
        assert_eq!(b.state(), a.state(), "{seq}");
        assert_eq!(b.state().len(), 2);
    }
}

fn headers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn header_fields_are_range_checked() {
    let good = [
        ("x-pim-format", "1"),
        ("x-pim-kind", "batch"),
        ("x-pim-device", "0123abcd"),
        ("x-pim-seq", "1-9223372036854775807"),
        ("message-id", "<a@pim.invalid>"),
    ];
    let h = Header::parse(&headers(&good)).unwrap();
    assert_eq!((h.seq_from, h.seq_to), (1, i64::MAX as u64));
    let with = |name: &str, value: &str| {
        let mut h = headers(&good);
        h.insert(name.to_string(), value.to_string());
        Header::parse(&h)
    };
    for (name, value) in [
        ("x-pim-seq", "18446744073709551615-0"),
        ("x-pim-seq", "0-9223372036854775808"),
        ("x-pim-seq", "3-2"),
        ("x-pim-seq", "a-b"),
        ("x-pim-kind", "bomb"),
        ("x-pim-device", ""),
        ("x-pim-device", &"t".repeat(500)),
        ("x-pim-part", "id 3/3"),
        ("x-pim-part", "id 0/0"),
        ("x-pim-part", "id 0/4294967295"),
        ("message-id", ""),
        ("message-id", "<a\u{7}@b>"),
    ] {
        assert!(
            matches!(with(name, value), Err(HeaderError::Malformed(..))),
            "{name}: {value:?}"
        );
    }
    assert_eq!(with("x-pim-format", "4"), Err(HeaderError::NotPim));
    // Format 3 needs its sealed identity.
    assert!(matches!(
        with("x-pim-format", "3"),
        Err(HeaderError::Malformed("x-pim-id", _))
    ));
    assert!(with("x-pim-part", "id 2/3").is_ok());
}

#[test]
fn authentic_batches_with_out_of_range_fields_are_refused() {
    // A holder of the key still cannot make a receiver store what SQLite cannot hold.
    let k = key();
    let device = "dev";
    let h = Header::new(&k, MsgKind::Batch, device, 0, 1, 2);
    let skipped_outside = BatchPayload {
        device: device.into(),
        from: 1,
        to: 2,
        changes: Vec::new(),
        skipped: vec![1, u64::MAX],
    };
    let raw = seal(&k, &h, &serde_json::to_vec(&skipped_outside).unwrap());
    assert!(open_batch(&k, &raw).is_err());
    let dev = serde_json::json!({
        "device": device, "name": "d", "vector": {"x": u64::MAX}, "last_seen": "now"
    });
    let h = Header::new(&k, MsgKind::Device, device, 0, 1, 1);
    let raw = seal(&k, &h, &serde_json::to_vec(&dev).unwrap());
    assert!(open_device(&k, &raw).is_err());
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{1,25}-[0-9]{1,25}",
        "-?[0-9]{0,22}",
        Just("batch".to_string()),
        Just("1".to_string()),
        "[a-z0-9]{0,8} [0-9]{1,12}/[0-9]{1,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn header_parser_never_panics_and_accepts_only_storable_values(
        fields in proptest::collection::btree_map(
            prop_oneof![
                Just("x-pim-format".to_string()),
                Just("x-pim-kind".to_string()),
                Just("x-pim-device".to_string()),
                Just("x-pim-seq".to_string()),
                Just("x-pim-part".to_string()),
                Just("x-pim-kdf".to_string()),
                Just("message-id".to_string()),
                any::<String>(),
            ],
            header_value(),
            0..8,
        ),
        force_pim in any::<bool>(),
    ) {
        let mut fields = fields;
        if force_pim {
            fields.insert("x-pim-format".into(), "1".into());
        }
        if let Ok(h) = Header::parse(&fields) {
            prop_assert!(h.seq_from <= h.seq_to);
            prop_assert!(i64::try_from(h.seq_to).is_ok());
            if let Some((_, i, n)) = h.part {
                prop_assert!(i < n);
            }
        }
    }

    #[test]
    fn message_splitting_and_opening_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = split_message(&raw);
        let _ = open_batch(&key(), &raw);
        let _ = open_device(&key(), &raw);
        let _ = open_snapshot(&key(), &[raw.clone(), raw]);
    }

    #[test]
    fn sealed_arbitrary_payloads_decode_to_errors_or_consistent_batches(
        payload in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..512),
            any::<String>().prop_map(String::into_bytes),
            (any::<u64>(), any::<u64>(), proptest::collection::vec(any::<u64>(), 0..4))
                .prop_map(|(from, to, seqs)| {
                    let changes: Vec<Change> = seqs
                        .iter()
                        .map(|&seq| Change {
                            device: "dev".into(),
                            seq,
                            change_id: format!("dev-{seq}"),
                            hlc: "x".into(),
                            changed_at: String::new(),
                            submitted_at: String::new(),
                            record_id: "r".into(),
                            kind: "note".into(),
                            op: Op::Move { from: "a".into(), to: "b".into() },
                            attachments: Vec::new(),
                        })
                        .collect();
                    serde_json::to_vec(&BatchPayload {
                        device: "dev".into(),
                        from,
                        to,
                        changes,
                        skipped: seqs,
                    })
                    .unwrap()
                }),
        ],
        from in 0u64..5,
        len in 0u64..5,
    ) {
        let k = key();
        let h = Header::new(&k, MsgKind::Batch, "dev", 0, from, from + len);
        let raw = seal(&k, &h, &payload);
        if let Ok(b) = open_batch(&k, &raw) {
            prop_assert_eq!((b.from, b.to), (from, from + len));
            prop_assert!(b.changes.iter().all(|c| (b.from..=b.to).contains(&c.seq)));
            prop_assert!(b.skipped.iter().all(|s| (b.from..=b.to).contains(s)));
        }
    }
}
