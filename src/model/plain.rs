//! Text as users type it when they search: without accents, and with the letters
//! that have no accent to drop (ß, æ, ø, ł …) in their plain Latin spelling, so
//! `muller` finds Müller and `strasse` finds Straße.

use std::borrow::Cow;

use icu_normalizer::DecomposingNormalizerBorrowed;

/// Letters that are letters of their own, not a letter and a mark (so neither NFD nor
/// SQLite's `remove_diacritics` touches them), with the spelling used without them.
const FOLDED_LETTERS: &[(char, &str)] = &[
    ('ß', "ss"),
    ('ẞ', "SS"),
    ('æ', "ae"),
    ('Æ', "AE"),
    ('œ', "oe"),
    ('Œ', "OE"),
    ('ø', "o"),
    ('Ø', "O"),
    ('ł', "l"),
    ('Ł', "L"),
    ('đ', "d"),
    ('Đ', "D"),
    ('ð', "d"),
    ('Ð', "D"),
    ('þ', "th"),
    ('Þ', "TH"),
    ('ı', "i"),
];

fn folded(c: char) -> Option<&'static str> {
    FOLDED_LETTERS
        .iter()
        .find(|(l, _)| *l == c)
        .map(|(_, plain)| *plain)
}

/// `text` with every letter of [`FOLDED_LETTERS`] in its plain spelling (accents and
/// case kept); `None` when it has none, the common case (no copy).
pub fn fold_letters(text: &str) -> Option<String> {
    // Every folded letter is outside ASCII; most text is inside it.
    if text.is_ascii() || !text.chars().any(|c| folded(c).is_some()) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match folded(c) {
            Some(plain) => out.push_str(plain),
            None => out.push(c),
        }
    }
    Some(out)
}

/// Combining marks (the accents NFD splits off).
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Lower case, accents dropped, letters folded: the form two spellings of a name
/// meet in (`Müller`, `MULLER`, `muller`; `Straße`, `strasse`).
pub fn plain(text: &str) -> String {
    let lower = text.to_lowercase();
    let folded: Cow<str> = match fold_letters(&lower) {
        Some(f) => Cow::Owned(f),
        None => Cow::Borrowed(&lower),
    };
    if folded.is_ascii() {
        return folded.into_owned();
    }
    DecomposingNormalizerBorrowed::new_nfd()
        .normalize(&folded)
        .chars()
        .filter(|c| !is_mark(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_folded_letter_is_ascii() {
        // fold_letters and the search index skip ASCII text on this ground.
        for (letter, _) in FOLDED_LETTERS {
            assert!(!letter.is_ascii(), "{letter}");
        }
    }

    #[test]
    fn spellings_meet() {
        for (a, b) in [
            ("Müller", "muller"),
            ("MÜLLER", "muller"),
            ("Straße", "strasse"),
            ("STRASSE", "strasse"),
            ("Søren", "soren"),
            ("Łódź", "lodz"),
            ("Ægir Þórsson", "aegir thorsson"),
            ("Öztürk", "ozturk"),
            ("François", "francois"),
            ("Zoë", "zoe"),
            ("plain ascii", "plain ascii"),
        ] {
            assert_eq!(plain(a), b, "{a}");
        }
        // Other scripts: lower-cased, and both sides of a comparison fold alike.
        assert_eq!(plain("Ελένη"), "ελενη");
        assert_eq!(plain("Юрий"), plain("юрий"));
    }

    #[test]
    fn only_text_with_a_folded_letter_is_copied() {
        assert_eq!(fold_letters("Müller"), None);
        assert_eq!(fold_letters("Weiß").as_deref(), Some("Weiss"));
    }
}
