//! A first look at a stream ([`Blocks::skimming`]): items are held line by line and
//! told by their name and UID alone, unless anything in them needs a full read.

use std::borrow::Cow;

use super::{Block, Blocks, item_depth};
use crate::formats::contentline::{self, Line, MAX_LINE_BYTES, MAX_PROPERTIES};
use crate::model::{Component, Property};

/// An item's lines held by a skim, and what they showed so far.
pub(super) struct Held {
    /// The item's component name.
    name: String,
    pub(super) lines: Vec<Line>,
    /// The components open inside the item, the item's own first.
    open: Vec<String>,
    uid: Option<String>,
}

impl<I: Iterator<Item = Line>> Blocks<I> {
    /// Blocks for a first look at a lenient stream: an item whose component name
    /// `is_item` accepts comes only with its name and UID (or, when it has no
    /// usable UID or is anything but plain, in full as [`Blocks::new`] gives it);
    /// whether it is broken is told as a full read tells it. Parsing every line of
    /// every item is most of the cost of a scan.
    pub fn skimming(lines: I, is_item: fn(&str) -> bool) -> Self {
        Blocks {
            skim: Some(is_item),
            ..Blocks::new(lines, true)
        }
    }

    /// One line while skimming: held while it belongs to an item being skimmed.
    pub(super) fn skim_line(&mut self, line: Line) {
        let Some(held) = &mut self.held else {
            let at_item = self.too_deep == 0
                && self.stack.len() + 1 == item_depth(&self.stack)
                && self.item_error.is_none();
            match at_item.then(|| begun(&line)).flatten() {
                Some(name) if self.skim.is_some_and(|is_item| is_item(&name)) => {
                    self.held = Some(Held {
                        name: name.clone(),
                        lines: {
                            let mut lines = Vec::with_capacity(16);
                            lines.push(line);
                            lines
                        },
                        open: vec![name],
                        uid: None,
                    });
                }
                _ => self.line(line),
            }
            return;
        };
        // Anything a full read might refuse, repair or nest deeper: read in full.
        let plain = line.text.len() <= MAX_LINE_BYTES
            && held.lines.len() < MAX_PROPERTIES
            && match structural_name(&line.text) {
                Structural::Begin => match begun(&line) {
                    Some(name) if held.open.len() < 2 => {
                        held.open.push(name);
                        true
                    }
                    _ => false,
                },
                Structural::End => match value_of(&line) {
                    Some(v) if held.open.last() == Some(&v.trim().to_ascii_uppercase()) => {
                        held.open.pop();
                        true
                    }
                    _ => false,
                },
                Structural::Uid if held.open.len() == 1 => match value_of(&line) {
                    Some(v) if held.uid.is_none() && !v.trim().is_empty() => {
                        held.uid = Some(v.trim().to_string());
                        true
                    }
                    _ => false,
                },
                Structural::Uid | Structural::Other => true,
            };
        held.lines.push(line);
        if !plain || (held.open.is_empty() && held.uid.is_none()) {
            let held = self.held.take().expect("held above");
            self.replay.extend(held.lines);
        } else if held.open.is_empty() {
            let held = self.held.take().expect("held above");
            let mut comp = Component::new(&held.name);
            comp.props
                .push(Property::new("UID", held.uid.unwrap_or_default()));
            self.ready.push_back(Block {
                comp,
                line: held.lines[0].number,
                prop_lines: Vec::new(),
                error: None,
                repairs: Vec::new(),
            });
        }
    }
}

/// What a line is to a skim, from its name alone (as `parse_line` reads the name:
/// up to the first `;` or `:`, after a group's `.`).
enum Structural {
    Begin,
    End,
    Uid,
    Other,
}

fn structural_name(text: &str) -> Structural {
    let end = memchr::memchr2(b';', b':', text.as_bytes()).unwrap_or(text.len());
    let full = &text.as_bytes()[..end];
    let name = match full.iter().rposition(|&b| b == b'.') {
        Some(dot) => &full[dot + 1..],
        None => full,
    };
    if name.len() > 5 {
        Structural::Other
    } else if name.eq_ignore_ascii_case(b"BEGIN") {
        Structural::Begin
    } else if name.eq_ignore_ascii_case(b"END") {
        Structural::End
    } else if name.eq_ignore_ascii_case(b"UID") {
        Structural::Uid
    } else {
        Structural::Other
    }
}

/// The component a well-formed BEGIN line opens.
fn begun(line: &Line) -> Option<String> {
    if !matches!(structural_name(&line.text), Structural::Begin) {
        return None;
    }
    let name = value_of(line)?.trim().to_ascii_uppercase();
    (!name.is_empty()).then_some(name)
}

/// The value `parse_line` gives a line, when it parses: read in place for the plain
/// `NAME:value` (no group, no parameters).
fn value_of(line: &Line) -> Option<Cow<'_, str>> {
    let text = line.text.as_bytes();
    if text.len() <= MAX_LINE_BYTES
        && let Some(colon) = memchr::memchr2(b';', b':', text)
        && colon > 0
        && text[colon] == b':'
        && text[..colon].iter().all(u8::is_ascii_alphabetic)
    {
        return Some(Cow::Borrowed(&line.text[colon + 1..]));
    }
    let p = contentline::parse_line(line).ok()?;
    Some(Cow::Owned(p.value))
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::contentline::SyntaxError;

    /// What a first look needs from each block: name, UID, line, error; and what
    /// lay outside the items.
    type Look = (
        Vec<(String, Option<String>, usize, Option<SyntaxError>)>,
        Vec<Property>,
        Vec<SyntaxError>,
        Vec<SyntaxError>,
    );

    fn look(mut blocks: Blocks<std::vec::IntoIter<Line>>) -> Look {
        let found = blocks
            .by_ref()
            .map(|b| {
                let uid = b.comp.prop("UID").map(|p| p.value.trim().to_string());
                (b.comp.name, uid, b.line, b.error)
            })
            .collect();
        let scan = blocks.into_scan();
        (
            found,
            scan.calendar_props,
            scan.stream_errors,
            scan.stream_repairs,
        )
    }

    fn skim_agrees(text: &str) {
        let lines = || contentline::unfold(text);
        let full = look(Blocks::new(lines().into_iter(), true));
        let skim = look(Blocks::skimming(lines().into_iter(), |n| {
            matches!(n, "VEVENT" | "VTODO" | "VJOURNAL")
        }));
        assert_eq!(skim, full, "{text}");
    }

    #[test]
    fn a_skim_tells_names_uids_and_broken_items_as_a_full_read() {
        let item = |body: &str| format!("BEGIN:VEVENT\n{body}END:VEVENT\n");
        let bodies = [
            "UID:a\nSUMMARY:x\n".to_string(),
            "UID: spaced \nBEGIN:VALARM\nUID:inner\nEND:VALARM\n".into(),
            "SUMMARY:no uid\n".into(),
            "UID:\nSUMMARY:empty uid\n".into(),
            "UID:a\nUID:b\n".into(),
            "uid;x-p=\"q:r\":lower\n".into(),
            "g.UID:grouped\n".into(),
            "UID:a\nbroken line\n".into(),
            "UID:a\nATTENDEE;CN=\"X\"\n:mailto:x@y\n".into(),
            "UID:a\nBEGIN\n:VALARM\n".into(),
            "UID:a\nBEGIN:VALARM\n".into(),
            "UID:a\nBEGIN:VALARM\nEND:VEVENT\nEND:VALARM\n".into(),
            "UID:a\nEND:VALARM\n".into(),
            "UID:a\nBEGIN:\nEND:\n".into(),
            "UID:a\nBEGIN:X\nBEGIN:Y\nEND:Y\nEND:X\n".into(),
            format!("UID:a\n{}", "BEGIN:X\n".repeat(20)),
            format!("UID:a\nX-LONG:{}\n", "y".repeat(MAX_LINE_BYTES)),
            format!("UID:a\n{}", "ATTENDEE:mailto:a@b\n".repeat(MAX_PROPERTIES)),
            format!(
                "UID:a\n{}",
                "ATTENDEE:mailto:a@b\n".repeat(MAX_PROPERTIES - 3)
            ),
            "UID;VALUE=\"unterminated:a\n".into(),
            "UID:a\nBEGIN:VCALENDAR\n".into(),
        ];
        for body in &bodies {
            let zone = "BEGIN:VTIMEZONE\nTZID:Z\nEND:VTIMEZONE\n";
            let others = item("UID:next\n") + "BEGIN:VTODO\nUID:t\nEND:VTODO\n";
            skim_agrees(&format!(
                "BEGIN:VCALENDAR\nVERSION:2.0\n{zone}{}{others}END:VCALENDAR\n",
                item(body)
            ));
            skim_agrees(&format!("{}{others}", item(body)));
            // Cut short inside the item, and an item left open at the end.
            skim_agrees(&format!("BEGIN:VCALENDAR\nBEGIN:VEVENT\n{body}"));
            skim_agrees(&format!(
                "BEGIN:VCALENDAR\n{}END:VCALENDAR\n{}",
                item(body),
                item(body)
            ));
        }
        skim_agrees(
            "BEGIN:VCALENDAR\nEND:VEVENT\nx\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nEND:VCALENDARD\n",
        );
        for entry in std::fs::read_dir("tests/corpus/ics").unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            skim_agrees(&crate::formats::vcard::bytes_to_text(&bytes));
        }
    }
}
