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

use super::{VcardVersion, to_version, to_version_owned};

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

/// Cards written one by one as [`write_card_checked`] writes them, their 4.0 check
/// run on a thread of its own meanwhile (a machine's second core): the check costs
/// as much as the rest of writing a card. [`CheckedCards::finish`] waits for every
/// check and names the first card refused, in the order written, as
/// [`write_card_checked`] would have: a caller that keeps the cards until then
/// writes nothing when one is wrong.
pub struct CheckedCards {
    version: VcardVersion,
    batch: Batch,
    checker: Option<Checker>,
}

struct Checker {
    send: std::sync::mpsc::SyncSender<Batch>,
    done: std::thread::JoinHandle<Option<InvalidCard>>,
}

/// Cards' checked parts, one after the other, with who each is of.
#[derive(Default)]
struct Batch {
    text: String,
    cards: Vec<(usize, String, String)>,
}

/// Cards handed to the checker at a time.
const BATCH: usize = 256;

impl CheckedCards {
    pub fn new(version: VcardVersion) -> CheckedCards {
        let checker = (version == VcardVersion::V4).then(|| {
            let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(8);
            let done = std::thread::spawn(move || {
                for batch in receive {
                    let mut start = 0;
                    for (end, id, name) in batch.cards {
                        if let Err(reason) = check_card(&batch.text[start..end]) {
                            return Some(InvalidCard { id, name, reason });
                        }
                        start = end;
                    }
                }
                None
            });
            Checker { send, done }
        });
        CheckedCards {
            version,
            batch: Batch::default(),
            checker,
        }
    }

    /// Append the card of `r` to `out`; its check is under way.
    pub fn write(&mut self, out: &mut String, r: &Record) {
        let card = to_version(&r.body.main, self.version);
        self.write_card(out, r, card);
    }

    /// [`CheckedCards::write`] of a record no longer needed (its card is moved,
    /// not copied).
    pub fn write_owned(&mut self, out: &mut String, r: Record) {
        let name = match self.checker {
            Some(_) => r.text("FN"),
            None => None,
        };
        let card = to_version_owned(r.body.main, self.version);
        self.write_named(out, r.id, name, card);
    }

    fn write_card(&mut self, out: &mut String, r: &Record, card: Component) {
        let name = match self.checker {
            Some(_) => r.text("FN"),
            None => None,
        };
        self.write_named(out, r.id.clone(), name, card);
    }

    /// `card` (of the record `id`, whose FN is `name`) to `out`, and to the checker.
    fn write_named(&mut self, out: &mut String, id: String, name: Option<String>, card: Component) {
        if self.checker.is_some() {
            checked_part(&mut self.batch.text, &card);
            let end = self.batch.text.len();
            self.batch.cards.push((end, id, name.unwrap_or_default()));
            if self.batch.cards.len() == BATCH {
                self.hand_over();
            }
        }
        contentline::write_component(out, &card);
    }

    fn hand_over(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        if let Some(c) = &self.checker {
            // Refused only when the checker has stopped at a refused card, which
            // `finish` names.
            let _ = c.send.send(batch);
        }
    }

    /// Wait for every check: the first card refused, if any.
    pub fn finish(mut self) -> Result<(), InvalidCard> {
        self.hand_over();
        let Some(Checker { send, done }) = self.checker.take() else {
            return Ok(());
        };
        drop(send);
        match done.join() {
            Ok(None) => Ok(()),
            Ok(Some(invalid)) => Err(invalid),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

/// One card as written in 4.0 (`card`, made from `record`), checked.
pub fn check_v4(record: &Record, card: &Component) -> Result<(), InvalidCard> {
    let mut text = String::with_capacity(512);
    checked_part(&mut text, card);
    check_card(&text).map_err(|reason| invalid(record, reason))
}

/// The part of a card written in 4.0 (`card`) that [`check_card`] judges, appended
/// to `text`: written straight from `card` (no copy of its properties).
pub fn checked_part(text: &mut String, card: &Component) {
    let line = |text: &mut String, word: &str| {
        let mut f = contentline::Fold::new(text);
        f.push(word);
        f.push(&card.name);
        f.end();
    };
    line(text, "BEGIN:");
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
        contentline::write_property(text, p);
    }
    line(text, "END:");
}

/// Whether the strict reader reads `text` ([`checked_part`] of one card) as one
/// card; why not.
pub fn check_card(text: &str) -> Result<(), String> {
    match vcard4::parse(text) {
        Ok(cards) if cards.len() == 1 => Ok(()),
        Ok(cards) => Err(format!("read as {} cards", cards.len())),
        Err(e) => Err(e.to_string()),
    }
}

/// The error for `record`, whose card the strict reader refused for `reason`.
pub fn invalid(record: &Record, reason: String) -> InvalidCard {
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

    /// Checked on the other thread: the same cards, and the first refused card in
    /// the order written is named, as when each is checked as it is written.
    #[test]
    fn cards_checked_meanwhile_are_the_cards_checked_one_by_one() {
        let mut cards = Vec::new();
        for i in 0..(2 * BATCH + 3) {
            let mut r = contact(&[("EMAIL", "ada@example.org"), ("N", "Lovelace;Ada;;;")]);
            r.set_text("FN", &format!("Ada {i}"));
            if i % 7 == 0 {
                r.body.main.props.push(Property::new("BDAY", "1815-12-10"));
            }
            cards.push(r);
        }
        let refs: Vec<&Record> = cards.iter().collect();
        for version in [VcardVersion::V4, VcardVersion::V3] {
            let mut checked = CheckedCards::new(version);
            let mut out = String::new();
            for r in &refs {
                checked.write(&mut out, r);
            }
            checked.finish().unwrap();
            assert_eq!(out, write_vcf_checked(&refs, version).unwrap());
        }
        // Two refused cards: the first written is named.
        for bad in [BATCH + 5, BATCH + 9] {
            cards[bad]
                .body
                .main
                .props
                .push(Property::new("URL", "not a uri at all"));
        }
        let refs: Vec<&Record> = cards.iter().collect();
        let one_by_one = write_vcf_checked(&refs, VcardVersion::V4).unwrap_err();
        assert_eq!(one_by_one.id, cards[BATCH + 5].id);
        let mut checked = CheckedCards::new(VcardVersion::V4);
        let mut out = String::new();
        for r in &refs {
            checked.write(&mut out, r);
        }
        let err = checked.finish().unwrap_err();
        assert_eq!(err.to_string(), one_by_one.to_string());
        // 3.0 is not checked.
        let mut checked = CheckedCards::new(VcardVersion::V3);
        for r in &refs {
            checked.write(&mut out, r);
        }
        assert!(checked.finish().is_ok());
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
