//! Tests of the wire format.

use super::*;

#[test]
fn round_trip_and_clear_headers_carry_no_identity() {
    let key = SyncKey::from_bytes([3; 32]);
    let h = Header::new(&key, MsgKind::Batch, "dev1", 4, 5, 9);
    let raw = seal(&key, &h, b"{\"secret\":\"Ada Lovelace\"}");
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(!text.contains("Ada"));
    assert!(!text.contains("dev1"));
    assert!(!text.contains("X-Pim-Seq") && !text.contains("X-Pim-Part"));
    assert!(text.contains("X-Pim-Format: 3"));
    let (hdrs, _) = split_message(&raw);
    let listed = Header::parse(&hdrs).unwrap();
    assert_eq!((listed.seq_from, listed.seq_to), (0, 0), "nothing in clear");
    assert!(listed.device.is_empty());
    assert_eq!(
        identify(&key, &hdrs).unwrap(),
        h,
        "the sealed identity opens"
    );
    let (h2, plain) = open(&key, &raw).unwrap();
    assert_eq!(h2, h);
    assert_eq!(plain, b"{\"secret\":\"Ada Lovelace\"}");
}

#[test]
fn tags_rotate_with_the_epoch() {
    let key = SyncKey::from_bytes([3; 32]);
    let a = Header::new(&key, MsgKind::Batch, "dev1", 0, 1, 1);
    let b = Header::new(&key, MsgKind::Batch, "dev1", 1, 1, 1);
    assert_ne!(a.tag, b.tag);
    assert_ne!(a.tag, key.device_tag("dev1"));
}

#[test]
fn sizes_are_padded_to_buckets() {
    assert_eq!(bucket(1), 1024);
    assert_eq!(bucket(1025), 1088);
    assert_eq!(bucket(100_000), 102_400);
    for n in [1usize, 1000, 1025, 5000, 65_537, 300_001] {
        let b = bucket(n);
        assert!(b >= n && (n <= 1024 || (b - n) * 16 <= n), "{n} -> {b}");
    }
    let key = SyncKey::from_bytes([3; 32]);
    let h = Header::new(&key, MsgKind::Batch, "t", 0, 1, 2);
    let small = seal(&key, &h, b"a");
    let noise: String = (0..20)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect();
    let larger = seal(&key, &h, noise.as_bytes());
    assert_eq!(small.len(), larger.len(), "both in the smallest bucket");
    assert_eq!(open(&key, &larger).unwrap().1, noise.as_bytes());
}

/// `raw` with the value of header `name` replaced.
fn with_header(raw: &[u8], name: &str, value: &str) -> Vec<u8> {
    let text = String::from_utf8(raw.to_vec()).unwrap();
    text.lines()
        .map(|l| match l.split_once(": ") {
            Some((n, _)) if n == name => format!("{n}: {value}\r\n"),
            _ => format!("{}\n", l),
        })
        .collect::<String>()
        .into_bytes()
}

#[test]
fn forged_or_relabelled_messages_are_rejected() {
    let key = SyncKey::from_bytes([3; 32]);
    let h = Header::new(&key, MsgKind::Batch, "t", 0, 1, 2);
    let raw = seal(&key, &h, b"payload");
    // Another key: neither the identity nor the body opens.
    let other = SyncKey::from_bytes([4; 32]);
    assert!(matches!(
        open(&other, &raw),
        Err(EnvelopeError::Unauthentic(_))
    ));
    let (hdrs, _) = split_message(&raw);
    assert_eq!(identify(&other, &hdrs), Err(HeaderError::Unauthentic));
    // The identity block of another message of the same device.
    let h2 = Header::new(&key, MsgKind::Batch, "t", 0, 7, 8);
    let raw2 = seal(&key, &h2, b"payload");
    let (hdrs2, _) = split_message(&raw2);
    let moved = with_header(&raw, "X-Pim-Id", &hdrs2["x-pim-id"]);
    assert!(open(&key, &moved).is_err());
    // Another kind or tag in clear.
    let relabelled = with_header(&raw, "X-Pim-Kind", "snapshot");
    assert!(open(&key, &relabelled).is_err());
    let retagged = with_header(&raw, "X-Pim-Device", &key.device_tag_at(1, "t"));
    assert!(open(&key, &retagged).is_err());
    // Relabelled as format 2 (with the range in clear).
    let old = with_header(&raw, "X-Pim-Format", "2");
    let old = String::from_utf8(old)
        .unwrap()
        .replace("X-Pim-Device", "X-Pim-Seq: 1-2\r\nX-Pim-Device");
    assert!(open(&key, old.as_bytes()).is_err());
    // Not ours at all.
    assert!(matches!(
        open(&key, b"Subject: hi\r\n\r\nhello"),
        Err(EnvelopeError::Foreign(_))
    ));
}

#[test]
fn format_2_messages_are_still_written_for_tests_and_read() {
    let key = SyncKey::from_bytes([3; 32]);
    let h = Header::format_2(&key, MsgKind::Batch, "t", 1, 2);
    let raw = seal(&key, &h, b"payload");
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(text.contains("X-Pim-Format: 2") && text.contains("X-Pim-Seq: 1-2"));
    let (opened, plain) = open(&key, &raw).unwrap();
    assert_eq!((opened, plain.as_slice()), (h.clone(), &b"payload"[..]));
    assert!(h.is_from(&key, "t") && !h.is_from(&key, "u"));
    let moved = with_header(&raw, "X-Pim-Seq", "7-8");
    assert!(matches!(
        open(&key, &moved),
        Err(EnvelopeError::Unauthentic(_))
    ));
}

#[test]
fn signed_messages_name_their_signer_and_unsigned_ones_still_open() {
    let key = SyncKey::from_bytes([3; 32]);
    let signer = DeviceSigner::from_seed([4; 32], 1);
    let h = Header::new(&key, MsgKind::Batch, "dev1", 0, 1, 2);
    let signed = seal_signed(&key, Some(&signer), &h, b"payload");
    let (_, plain, by) = open_signed(&key, &signed).unwrap();
    assert_eq!(
        (plain.as_slice(), by),
        (&b"payload"[..], Some(signer.public()))
    );
    let unsigned = seal(&key, &h, b"payload");
    let (_, plain, by) = open_signed(&key, &unsigned).unwrap();
    assert_eq!((plain.as_slice(), by), (&b"payload"[..], None));
    // Same bucket: the envelope adds a fixed 97 bytes.
    let sealed_len = |raw: &[u8]| {
        let b64: Vec<u8> = split_message(raw)
            .1
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        B64.decode(b64).unwrap().len()
    };
    assert_eq!(
        sealed_len(&signed),
        sealed_len(&unsigned) + signing::OVERHEAD
    );
}
