//! The sealed identity of a format-3 message (`X-Pim-Id`): which device wrote it,
//! the epoch its tag belongs to, the sequence range (batches) or counter (device
//! states, snapshots) and the snapshot part. The provider sees none of it; a
//! device opens it with the key when it lists a folder, so every decision about
//! what to fetch, repair or delete rests on authenticated values.
//!
//! Encoding: canonical and length-prefixed, every byte accounted for, so one
//! identity has exactly one encoding.

/// Longest device id or snapshot id accepted (pim writes 16 or 32 hex digits).
pub const MAX_ID: usize = 128;
/// Most parts a snapshot may have (the decompressed size limit allows far fewer).
pub const MAX_PARTS: u32 = 1 << 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub device: String,
    /// The epoch the clear device tag was derived for.
    pub epoch: u64,
    pub from: u64,
    pub to: u64,
    /// Snapshot parts: `(snapshot id, index from 0, count)`.
    pub part: Option<(String, u32, u32)>,
}

/// Append `bytes` behind their length (4 bytes, big-endian).
pub fn put_field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

pub fn encode(i: &Identity) -> Vec<u8> {
    let mut out = vec![1u8];
    put_field(&mut out, i.device.as_bytes());
    out.extend_from_slice(&i.epoch.to_be_bytes());
    out.extend_from_slice(&i.from.to_be_bytes());
    out.extend_from_slice(&i.to.to_be_bytes());
    match &i.part {
        Some((id, index, count)) => {
            out.push(1);
            put_field(&mut out, id.as_bytes());
            out.extend_from_slice(&index.to_be_bytes());
            out.extend_from_slice(&count.to_be_bytes());
        }
        None => out.push(0),
    }
    out
}

/// Read an identity; `None` unless it is canonical and every number is in
/// range (numbers end up in SQLite, which holds at most `i64::MAX`).
pub fn decode(bytes: &[u8]) -> Option<Identity> {
    let mut r = Reader(bytes);
    if r.byte()? != 1 {
        return None;
    }
    let device = r.token()?;
    let (epoch, from, to) = (r.number()?, r.number()?, r.number()?);
    let part = match r.byte()? {
        0 => None,
        1 => {
            let id = r.token()?;
            let (index, count) = (r.u32()?, r.u32()?);
            (index < count && count <= MAX_PARTS).then_some(())?;
            Some((id, index, count))
        }
        _ => return None,
    };
    let in_range = [epoch, from, to].iter().all(|n| i64::try_from(*n).is_ok());
    (r.0.is_empty() && in_range && from <= to).then_some(Identity {
        device,
        epoch,
        from,
        to,
        part,
    })
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    fn number(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A non-empty id of visible ASCII characters, at most [`MAX_ID`] long.
    fn token(&mut self) -> Option<String> {
        let len = self.u32()? as usize;
        if len == 0 || len > MAX_ID {
            return None;
        }
        let bytes = self.take(len)?;
        bytes
            .iter()
            .all(u8::is_ascii_graphic)
            .then(|| String::from_utf8_lossy(bytes).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Identity {
        Identity {
            device: "0123456789abcdef".into(),
            epoch: 2,
            from: 5,
            to: 9,
            part: Some(("snap".into(), 1, 3)),
        }
    }

    #[test]
    fn identities_round_trip_and_only_canonical_bytes_decode() {
        let i = sample();
        let bytes = encode(&i);
        assert_eq!(decode(&bytes), Some(i.clone()));
        let plain = Identity { part: None, ..i };
        assert_eq!(decode(&encode(&plain)), Some(plain));
        // Trailing bytes, a truncation, or any single flipped length fail.
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(decode(&[]), None);
    }

    #[test]
    fn out_of_range_identities_are_refused() {
        let bad = [
            Identity {
                from: 9,
                to: 5,
                ..sample()
            },
            Identity {
                to: u64::MAX,
                ..sample()
            },
            Identity {
                epoch: i64::MAX as u64 + 1,
                ..sample()
            },
            Identity {
                part: Some(("s".into(), 3, 3)),
                ..sample()
            },
            Identity {
                part: Some(("s".into(), 0, MAX_PARTS + 1)),
                ..sample()
            },
            Identity {
                device: String::new(),
                ..sample()
            },
            Identity {
                device: "a b".into(),
                ..sample()
            },
            Identity {
                device: "d".repeat(MAX_ID + 1),
                ..sample()
            },
        ];
        for i in bad {
            assert_eq!(decode(&encode(&i)), None, "{i:?}");
        }
    }
}
