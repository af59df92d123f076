//! pim's own vCard 4.0 output, checked with the `vcard4` crate's strict parser
//! before it leaves pim: an independent reading of RFC 6350 catches a card pim
//! writes wrongly. A card it rejects is a bug in pim's writer, reported naming the
//! card instead of handing another program a file it may misread.

use crate::model::Record;

use super::{VcardVersion, to_version};
use crate::formats::contentline;

/// A written 4.0 card that a strict reader rejects.
#[derive(Debug, thiserror::Error)]
#[error(
    "the vCard 4.0 written for contact {name:?} (id {id}) is not valid: {reason} \
     (a bug in pim: please report it)"
)]
pub struct InvalidCard {
    pub id: String,
    pub name: String,
    pub reason: String,
}

/// [`super::write_vcf`], each 4.0 card checked with the strict parser.
pub fn write_vcf_checked(
    records: &[&Record],
    version: VcardVersion,
) -> Result<String, InvalidCard> {
    let mut out = String::new();
    for r in records {
        let start = out.len();
        contentline::write_component(&mut out, &to_version(&r.body.main, version));
        if version == VcardVersion::V4 {
            check_v4(r, &out[start..])?;
        }
    }
    Ok(out)
}

/// One written 4.0 card, checked with the strict parser.
pub fn check_v4(record: &Record, card: &str) -> Result<(), InvalidCard> {
    let fail = |reason: String| InvalidCard {
        id: record.id.clone(),
        name: record
            .prop("FN")
            .map(|p| p.value.clone())
            .unwrap_or_default(),
        reason,
    };
    match vcard4::parse(card) {
        Ok(cards) if cards.len() == 1 => Ok(()),
        Ok(cards) => Err(fail(format!("read as {} cards", cards.len()))),
        Err(e) => Err(fail(e.to_string())),
    }
}
