//! Comparing cards by meaning rather than by bytes: what import → export must keep.
//!
//! Each property becomes one canonical string; a version change may add properties
//! (FN, N, the other form of a group card) but must keep every canonical string of the
//! original.

use base64::Engine;

use super::{VcardVersion, to_version};
use crate::model::Component;

/// The canonical strings of a card's properties (sorted; VERSION left out).
pub fn canonical(card: &Component) -> Vec<String> {
    canonical_as(card, VcardVersion::V4)
}

/// As [`canonical`], for a card that went through `version`: 3.0 has no preference
/// levels (`TYPE=pref` only), so every PREF compares as 1.
pub fn canonical_as(card: &Component, version: VcardVersion) -> Vec<String> {
    // Converting to 4.0 first puts binaries, PREF and GEO in one form.
    let c = to_version(card, VcardVersion::V4);
    let mut out: Vec<String> = c
        .props
        .iter()
        .filter(|p| p.name != "VERSION")
        .map(|p| {
            let mut params: Vec<String> = p
                .params
                .iter()
                .map(|x| {
                    let mut values: Vec<String> = x
                        .values
                        .iter()
                        .flat_map(|v| v.split(','))
                        .map(|v| {
                            if x.name == "TYPE" {
                                v.to_ascii_lowercase()
                            } else {
                                v.to_string()
                            }
                        })
                        .collect();
                    values.sort();
                    format!("{}={}", x.name, values.join(","))
                })
                .map(|s| {
                    if version == VcardVersion::V3 && s.starts_with("PREF=") {
                        "PREF=1".to_string()
                    } else {
                        s
                    }
                })
                .filter(|s| s != "VALUE=uri")
                .collect();
            params.sort();
            params.dedup();
            let group = p.group.as_deref().unwrap_or("").to_ascii_lowercase();
            format!(
                "{group}.{};{}:{}",
                p.name,
                params.join(";"),
                value_key(&p.value)
            )
        })
        .collect();
    for s in &card.subs {
        out.push(format!("#{}", canonical_as(s, version).join("|")));
    }
    out.sort();
    out
}

/// Data URIs compare by their decoded bytes.
fn value_key(v: &str) -> String {
    if let Some(rest) = v.strip_prefix("data:")
        && let Some((meta, data)) = rest.split_once(',')
        && let Some(mime) = meta.strip_suffix(";base64")
        && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data)
    {
        return format!("data:{};{}", mime.to_ascii_lowercase(), hex(&bytes));
    }
    v.to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The canonical strings of `original` that `result` lacks (as multisets);
/// `version` is the version the result was written in.
pub fn missing(original: &Component, result: &Component, version: VcardVersion) -> Vec<String> {
    let mut have = canonical_as(result, version);
    let mut lost = Vec::new();
    for s in canonical_as(original, version) {
        match have.iter().position(|h| *h == s) {
            Some(i) => {
                have.swap_remove(i);
            }
            None => lost.push(s),
        }
    }
    lost
}
