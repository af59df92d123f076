//! pim's own vCard 4.0 output, checked with the `vcard4` crate's strict parser
//! before it leaves pim: an independent reading of RFC 6350 catches a card pim
//! writes wrongly, reported naming the card instead of handing another program a
//! file it may misread.
//!
//! The check covers what pim writes itself: the properties its editors set and its
//! 3.0 → 4.0 conversion produces ([`CHECKED`]). Everything else on a card came in
//! with an import and goes out as it came (the round-trip promise). vcard4 cannot
//! judge that part soundly: it rejects what RFC 6350 allows (ALTID alternatives,
//! `TZ;VALUE=text`) and what the sender got wrong (3.0-only LABEL or AGENT, a REV in
//! extended format), and neither is a bug of pim's.

use crate::formats::contentline;
use crate::model::{Component, Record};

use super::{VcardVersion, to_version};

/// Properties pim's editors write (model/edit.rs) and that its conversion shapes.
const CHECKED: &[&str] = &[
    "FN",
    "N",
    "NICKNAME",
    "EMAIL",
    "TEL",
    "ORG",
    "TITLE",
    "NOTE",
    "URL",
    "BDAY",
    "ANNIVERSARY",
    "CATEGORIES",
    "UID",
];

/// At most once on a card (RFC 6350 cardinality `*1`). An imported card may hold
/// more (ALTID alternatives, or the sender's duplicates, which pim keeps): pim
/// writes one, so the first is checked.
const AT_MOST_ONCE: &[&str] = &["N", "BDAY", "ANNIVERSARY", "UID"];

/// A written 4.0 card that the strict reader rejects: a bug in pim's writer.
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
        write_card_checked(&mut out, r, version)?;
    }
    Ok(out)
}

/// One card of [`write_vcf_checked`], appended to `out`.
pub fn write_card_checked(
    out: &mut String,
    r: &Record,
    version: VcardVersion,
) -> Result<(), InvalidCard> {
    let card = to_version(&r.body.main, version);
    if version == VcardVersion::V4 {
        check_v4(r, &card)?;
    }
    contentline::write_component(out, &card);
    Ok(())
}

/// One card as written in 4.0 (`card`, made from `record`), checked. The checked
/// part is written straight from `card` (no copy of its properties).
pub fn check_v4(record: &Record, card: &Component) -> Result<(), InvalidCard> {
    let mut text = String::with_capacity(512);
    let line = |text: &mut String, word: &str| {
        let mut f = contentline::Fold::new(text);
        f.push(word);
        f.push(&card.name);
        f.end();
    };
    line(&mut text, "BEGIN:");
    let mut once = [false; AT_MOST_ONCE.len()];
    for p in &card.props {
        let name = p.name.as_str();
        if name != "VERSION" && !CHECKED.contains(&name) {
            continue;
        }
        if let Some(i) = AT_MOST_ONCE.iter().position(|n| *n == name) {
            if once[i] {
                continue;
            }
            once[i] = true;
        }
        contentline::write_property(&mut text, p);
    }
    line(&mut text, "END:");
    match vcard4::parse(&text) {
        Ok(cards) if cards.len() == 1 => Ok(()),
        Ok(cards) => Err(invalid(record, format!("read as {} cards", cards.len()))),
        Err(e) => Err(invalid(record, e.to_string())),
    }
}

fn invalid(record: &Record, reason: String) -> InvalidCard {
    InvalidCard {
        id: record.id.clone(),
        name: record.text("FN").unwrap_or_default(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Property};

    fn contact(props: &[(&str, &str)]) -> Record {
        let mut r = Record::new(Kind::Contact, "c");
        for (name, value) in props {
            r.body.main.props.push(Property::new(name, *value));
        }
        r
    }

    #[test]
    fn pims_own_contact_passes() {
        let mut r = contact(&[("EMAIL", "ada@example.org"), ("TEL", "+44 20 1234")]);
        r.set_text("FN", "Ada, Countess of Lovelace");
        r.body
            .main
            .props
            .push(Property::new("N", "Lovelace;Ada;;;"));
        r.body.main.props.push(Property::new("BDAY", "1815-12-10"));
        let text = write_vcf_checked(&[&r], VcardVersion::V4).unwrap();
        assert!(text.contains("BDAY:18151210"), "{text}");
    }

    #[test]
    fn a_card_the_strict_reader_rejects_is_an_error_naming_it() {
        let mut r = contact(&[]);
        r.set_text("FN", "Ada Lovelace");
        // What a writer bug would produce: a text birthday written as a date.
        let mut card = to_version(&r.body.main, VcardVersion::V4);
        card.props.push(Property::new("BDAY", "sometime in spring"));
        let err = check_v4(&r, &card).unwrap_err();
        assert_eq!(err.id, r.id);
        let msg = err.to_string();
        assert!(
            msg.contains("\"Ada Lovelace\"") && msg.contains("bug"),
            "{msg}"
        );
    }

    #[test]
    fn what_came_in_with_an_import_is_not_judged() {
        let mut r = contact(&[
            ("N", "Yamada;Taro;;;"),
            ("N", "山田;太郎;;;"),
            ("LABEL", "123 Main Street"),
            ("REV", "1995-10-31T22:27:10Z"),
        ]);
        r.set_text("FN", "Taro Yamada");
        assert!(write_vcf_checked(&[&r], VcardVersion::V4).is_ok());
    }
}
