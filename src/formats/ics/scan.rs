//! A tolerant scan of an iCalendar stream into its item components.
//!
//! Unlike `contentline::parse`, one bad line only spoils the item it sits in: the
//! scanner notes the error against that item, skips to the item's END and goes on.

use crate::formats::contentline::{self, Line, MAX_PROPERTIES, SyntaxError};
use crate::model::{Component, MAX_COMPONENT_DEPTH, Property};

mod skim;
use skim::Held;

/// One child of a VCALENDAR (or a bare top-level component) with where it began.
#[derive(Debug)]
pub struct Block {
    pub comp: Component,
    pub line: usize,
    /// The physical line of each of `comp.props`, in order.
    pub prop_lines: Vec<usize>,
    /// The first problem found inside this block; the block is not usable then.
    pub error: Option<SyntaxError>,
    /// What a lenient scan repaired inside this block (line and reason).
    pub repairs: Vec<SyntaxError>,
}

/// What a stream holds.
#[derive(Debug, Default)]
pub struct Scan {
    /// Properties of the VCALENDAR objects (METHOD, X-WR-CALNAME, ...).
    pub calendar_props: Vec<Property>,
    pub blocks: Vec<Block>,
    /// Problems outside any item (calendar-level lines, stray END, unclosed VCALENDAR).
    pub stream_errors: Vec<SyntaxError>,
    /// Calendar-level lines a lenient scan ignored (stray properties, `END:VCALENDARD`).
    pub stream_repairs: Vec<SyntaxError>,
}

/// The property that keeps, TEXT-escaped, a line inside an item that is not a
/// content line (`X-APPLE-RADIUS=49.9`, a bare `X`): exported as it was kept.
pub const UNPARSED: &str = "X-PIM-UNPARSED";

struct Open {
    comp: Component,
    line: usize,
    prop_lines: Vec<usize>,
    repairs: Vec<SyntaxError>,
}

/// Scan refusing what is not RFC 5545 syntax (`--strict`).
pub fn scan(text: &str) -> Scan {
    scan_with(text, false)
}

/// The raw text of an unreadable line as a property that keeps it.
fn unparsed(line: &Line) -> Property {
    let escaped = line
        .text
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,");
    Property::new(UNPARSED, escaped)
}

/// Scan; `lenient` repairs what common producers get wrong instead of refusing it,
/// noting each repair (limits on size and depth still refuse).
pub fn scan_with(text: &str, lenient: bool) -> Scan {
    let mut blocks = Blocks::new(contentline::unfold(text).into_iter(), lenient);
    let found: Vec<Block> = blocks.by_ref().collect();
    let mut out = blocks.into_scan();
    out.blocks = found;
    out
}

/// The blocks of a stream of unfolded lines, one at a time (an import need not hold
/// the file); what lies outside the items is kept in the [`Scan`] of
/// [`Blocks::into_scan`] (its `blocks` left empty).
pub struct Blocks<I: Iterator<Item = Line>> {
    lines: std::iter::Peekable<I>,
    lenient: bool,
    out: Scan,
    ready: std::collections::VecDeque<Block>,
    // stack[0] is VCALENDAR when wrapped; items sit right below it.
    stack: Vec<Open>,
    item_error: Option<SyntaxError>,
    // BEGINs past MAX_COMPONENT_DEPTH inside the open item: only counted, never built,
    // so no depth of nesting costs memory or stack (the item is refused anyway).
    too_deep: usize,
    ended: bool,
    /// Skimming ([`Blocks::skimming`]): which components are items to skim.
    skim: Option<fn(&str) -> bool>,
    /// The lines of the item being skimmed.
    held: Option<Held>,
    /// Lines to read (again) before the stream's next ones: a skim given up.
    replay: std::collections::VecDeque<Line>,
}

impl<I: Iterator<Item = Line>> Iterator for Blocks<I> {
    type Item = Block;

    fn next(&mut self) -> Option<Block> {
        loop {
            if let Some(b) = self.ready.pop_front() {
                return Some(b);
            }
            if self.ended {
                return None;
            }
            if let Some(line) = self.replay.pop_front() {
                self.line(line);
                continue;
            }
            match self.lines.next() {
                Some(line) if self.skim.is_some() => self.skim_line(line),
                Some(line) => self.line(line),
                None => match self.held.take() {
                    // Unclosed: read in full, which names what is wrong.
                    Some(held) => self.replay.extend(held.lines),
                    None => {
                        self.end();
                        self.ended = true;
                    }
                },
            }
        }
    }
}

fn item_depth(stack: &[Open]) -> usize {
    if stack.first().is_some_and(|o| o.comp.name == "VCALENDAR") {
        2
    } else {
        1
    }
}

impl<I: Iterator<Item = Line>> Blocks<I> {
    pub fn new(lines: I, lenient: bool) -> Self {
        Blocks {
            lines: lines.peekable(),
            lenient,
            out: Scan::default(),
            ready: Default::default(),
            stack: Vec::new(),
            item_error: None,
            too_deep: 0,
            ended: false,
            skim: None,
            held: None,
            replay: Default::default(),
        }
    }

    /// What lay outside the items (call after the last block).
    pub fn into_scan(self) -> Scan {
        self.out
    }

    fn finish_item(&mut self, open: Open, error: Option<SyntaxError>) {
        self.ready.push_back(Block {
            comp: open.comp,
            line: open.line,
            prop_lines: open.prop_lines,
            error,
            repairs: open.repairs,
        });
    }

    /// Join a line cut inside its parameter list whose continuation lacks the leading
    /// space (Exchange 2001: `ATTENDEE;CN="X"` / `:` / `  MAILTO:x@y`).
    fn join_broken_fold(&mut self, line: &Line) -> Option<Property> {
        let next = match self.replay.front() {
            Some(next) => next,
            None => self.lines.peek()?,
        };
        let rest = next.text.strip_prefix([':', ';'])?;
        let sep = &next.text[..1];
        let joined = Line {
            number: line.number,
            text: format!("{}{sep}{}", line.text, rest.trim_start()),
        };
        let mut p = contentline::parse_line(&joined).ok()?;
        super::write::rejoin_bare(&mut p);
        if self.replay.pop_front().is_none() {
            self.lines.next();
        }
        Some(p)
    }

    fn line(&mut self, line: Line) {
        let lenient = self.lenient;
        let in_item = self.stack.len() >= item_depth(&self.stack);
        let p = match contentline::parse_line(&line) {
            Ok(p) => p,
            Err(e) if lenient && e.reason != contentline::too_long_line() => {
                if let Some(p) = self.join_broken_fold(&line) {
                    let note = SyntaxError {
                        line: line.number,
                        reason: format!(
                            "{} continued on the next line without the leading space (joined)",
                            p.name
                        ),
                    };
                    if in_item && let Some(o) = self.stack.last_mut() {
                        o.repairs.push(note);
                        o.comp.props.push(p);
                        o.prop_lines.push(line.number);
                    } else if let Some(o) = self.stack.last_mut()
                        && o.comp.name == "VCALENDAR"
                    {
                        self.out.stream_repairs.push(note);
                        self.out.calendar_props.push(p);
                    } else {
                        self.out.stream_repairs.push(note);
                    }
                    return;
                }
                match self.stack.last_mut() {
                    Some(o) if in_item && o.comp.props.len() < MAX_PROPERTIES => {
                        o.repairs.push(SyntaxError {
                            line: line.number,
                            reason: format!("{}; kept as {UNPARSED}", e.reason),
                        });
                        o.comp.props.push(unparsed(&line));
                        o.prop_lines.push(line.number);
                    }
                    _ if in_item => {
                        self.item_error.get_or_insert(e);
                    }
                    _ => self.out.stream_repairs.push(SyntaxError {
                        line: e.line,
                        reason: format!("{} (ignored)", e.reason),
                    }),
                }
                return;
            }
            Err(e) => {
                if in_item {
                    self.item_error.get_or_insert(e);
                } else {
                    self.out.stream_errors.push(e);
                }
                return;
            }
        };
        // Read as it will be written (so that a record reads back as it was).
        let mut p = p;
        super::write::rejoin_bare(&mut p);
        let stack = &mut self.stack;
        match p.name.as_str() {
            "BEGIN" if self.too_deep > 0 => self.too_deep += 1,
            // An END naming an open component ends the overflow (a hostile file
            // cannot hide the following items inside the broken one).
            "END" if self.too_deep > 0 && !is_open(stack, &p.value) => self.too_deep -= 1,
            _ if self.too_deep > 0 && p.name != "END" => {}
            "BEGIN" => {
                let name = p.value.trim().to_ascii_uppercase();
                if name.is_empty() {
                    let e = SyntaxError {
                        line: line.number,
                        reason: "BEGIN without a component name".into(),
                    };
                    if in_item {
                        self.item_error.get_or_insert(e);
                    } else {
                        self.out.stream_errors.push(e);
                    }
                    return;
                }
                // The level the new component would have inside its item (the item is 1).
                if in_item && stack.len() + 2 - item_depth(stack) > MAX_COMPONENT_DEPTH {
                    self.item_error.get_or_insert(SyntaxError {
                        line: line.number,
                        reason: contentline::too_deep(&name),
                    });
                    self.too_deep = 1;
                    return;
                }
                stack.push(Open {
                    comp: Component::new(&name),
                    line: line.number,
                    prop_lines: Vec::new(),
                    repairs: Vec::new(),
                });
            }
            "END" => {
                self.too_deep = 0;
                let name = p.value.trim().to_ascii_uppercase();
                let Some(pos) = stack.iter().rposition(|o| o.comp.name == name) else {
                    let e = SyntaxError {
                        line: line.number,
                        reason: format!("END:{name} without a matching BEGIN"),
                    };
                    if in_item {
                        self.item_error.get_or_insert(e);
                    } else if lenient {
                        // `END:VCALENDARD` and the like: the calendar still ends at EOF.
                        self.out.stream_repairs.push(SyntaxError {
                            line: e.line,
                            reason: format!("{} (ignored)", e.reason),
                        });
                    } else {
                        self.out.stream_errors.push(e);
                    }
                    return;
                };
                // Close everything above the match; components left open are an error.
                while self.stack.len() > pos + 1 {
                    let inner = self.stack.pop().expect("non-empty");
                    let e = SyntaxError {
                        line: inner.line,
                        reason: format!(
                            "BEGIN:{} is not closed before END:{name} (line {})",
                            inner.comp.name, line.number
                        ),
                    };
                    let depth = item_depth(&self.stack);
                    if self.stack.len() + 1 > depth {
                        self.item_error.get_or_insert(e);
                        attach(&mut self.stack, inner);
                    } else if self.stack.len() + 1 == depth {
                        self.finish_item(inner, Some(e));
                        self.item_error = None;
                    } else {
                        self.out.stream_errors.push(e);
                    }
                }
                let done = self.stack.pop().expect("matched above");
                let depth_after = self.stack.len() + 1;
                let depth = if self.stack.is_empty() && done.comp.name == "VCALENDAR" {
                    0
                } else {
                    item_depth(&self.stack)
                };
                if depth_after == depth {
                    let error = self.item_error.take();
                    self.finish_item(done, error);
                } else if depth_after > depth && depth != 0 {
                    attach(&mut self.stack, done);
                }
                // A closed VCALENDAR: nothing more to do.
            }
            _ => match stack.last_mut() {
                Some(o) if in_item && o.comp.props.len() >= MAX_PROPERTIES => {
                    self.item_error.get_or_insert(SyntaxError {
                        line: line.number,
                        reason: contentline::too_many_properties(&o.comp.name),
                    });
                }
                Some(o) if in_item => {
                    o.comp.props.push(p);
                    o.prop_lines.push(line.number);
                }
                Some(o) if o.comp.name == "VCALENDAR" => self.out.calendar_props.push(p),
                Some(o) => o.comp.props.push(p),
                None if lenient => self.out.stream_repairs.push(SyntaxError {
                    line: line.number,
                    reason: format!("{} outside of any BEGIN/END block (ignored)", p.name),
                }),
                None => self.out.stream_errors.push(SyntaxError {
                    line: line.number,
                    reason: format!("{} outside of any BEGIN/END block", p.name),
                }),
            },
        }
    }

    /// Unclosed at the end of the stream: the open item (if any) is broken.
    fn end(&mut self) {
        while let Some(open) = self.stack.pop() {
            if self.stack.is_empty() && open.comp.name == "VCALENDAR" {
                // A missing END:VCALENDAR loses nothing: the items are complete.
                break;
            }
            let e = SyntaxError {
                line: open.line,
                reason: format!("BEGIN:{} is never closed", open.comp.name),
            };
            let depth = item_depth(&self.stack);
            if self.stack.len() + 1 > depth {
                attach(&mut self.stack, open);
                self.item_error.get_or_insert(e);
            } else if self.stack.len() + 1 == depth {
                let err = self.item_error.take().unwrap_or(e);
                self.finish_item(open, Some(err));
            } else {
                self.out.stream_errors.push(e);
            }
        }
    }
}

fn is_open(stack: &[Open], name: &str) -> bool {
    let name = name.trim();
    stack.iter().any(|o| o.comp.name.eq_ignore_ascii_case(name))
}

fn attach(stack: &mut [Open], c: Open) {
    if let Some(parent) = stack.last_mut() {
        parent.comp.subs.push(c.comp);
        parent.repairs.extend(c.repairs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_line_spoils_only_its_item() {
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nbroken line\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\nBEGIN:VALARM\nACTION:DISPLAY\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n";
        let s = scan(text);
        assert_eq!(s.blocks.len(), 2);
        assert_eq!(s.blocks[0].error.as_ref().unwrap().line, 5);
        assert!(s.blocks[1].error.is_none());
        assert_eq!(s.blocks[1].comp.subs[0].name, "VALARM");
        assert_eq!(s.calendar_props[0].name, "VERSION");
        assert!(s.stream_errors.is_empty());
    }

    #[test]
    fn truncated_stream_keeps_complete_items() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\n";
        let s = scan(text);
        assert_eq!(s.blocks.len(), 2);
        assert!(s.blocks[0].error.is_none());
        assert_eq!(s.blocks[1].error.as_ref().unwrap().line, 5);
    }

    #[test]
    fn missing_end_of_subcomponent_is_named() {
        let text =
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nBEGIN:VALARM\nEND:VEVENT\nEND:VCALENDAR\n";
        let s = scan(text);
        assert_eq!(s.blocks.len(), 1);
        let e = s.blocks[0].error.as_ref().unwrap();
        assert_eq!(e.line, 4);
        assert!(e.reason.contains("VALARM"));
    }

    fn nested(levels: usize) -> String {
        format!(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:deep\n{}{}END:VEVENT\nBEGIN:VEVENT\nUID:next\nEND:VEVENT\nEND:VCALENDAR\n",
            "BEGIN:X\n".repeat(levels),
            "END:X\n".repeat(levels)
        )
    }

    #[test]
    fn nesting_past_the_limit_spoils_only_its_item() {
        let s = scan(&nested(MAX_COMPONENT_DEPTH - 1));
        assert!(s.blocks[0].error.is_none());
        assert_eq!(s.blocks[0].comp.depth(), MAX_COMPONENT_DEPTH);
        for levels in [MAX_COMPONENT_DEPTH, 64, 100_000] {
            let s = scan(&nested(levels));
            assert_eq!(s.blocks.len(), 2, "{levels}");
            let e = s.blocks[0].error.as_ref().unwrap();
            assert_eq!(e.line, 3 + MAX_COMPONENT_DEPTH);
            assert!(e.reason.contains("more than 8 levels deep"), "{e}");
            assert!(s.blocks[0].comp.depth() <= MAX_COMPONENT_DEPTH);
            assert!(s.blocks[1].error.is_none(), "the next item is intact");
            assert!(s.stream_errors.is_empty());
        }
        // The item's END ends the overflow: the next item is not swallowed.
        let s = scan(&format!(
            "BEGIN:VEVENT\nUID:a\n{}END:VEVENT\nBEGIN:VEVENT\nUID:b\nEND:VEVENT\n",
            "BEGIN:Y\n".repeat(100)
        ));
        assert_eq!(s.blocks.len(), 2);
        assert!(s.blocks[0].error.is_some());
        assert!(s.blocks[1].error.is_none());
        // Unclosed deep nesting at the end of the stream.
        let s = scan(&format!("BEGIN:VEVENT\n{}", "BEGIN:X\n".repeat(100_000)));
        assert!(s.blocks[0].error.is_some());
    }

    #[test]
    fn too_many_properties_spoil_the_item() {
        let text = format!(
            "BEGIN:VEVENT\nUID:a\n{}END:VEVENT\n",
            "ATTENDEE:mailto:a@b\n".repeat(MAX_PROPERTIES)
        );
        let e = scan(&text).blocks[0].error.clone().unwrap();
        assert_eq!(e.line, MAX_PROPERTIES + 2);
        assert!(e.reason.contains("VEVENT has more than"));
    }

    #[test]
    fn bare_components_are_items() {
        let s = scan("BEGIN:VEVENT\nUID:x\nEND:VEVENT\nBEGIN:VTODO\nUID:y\nEND:VTODO\n");
        assert_eq!(s.blocks.len(), 2);
        assert!(s.blocks.iter().all(|b| b.error.is_none()));
    }
}
