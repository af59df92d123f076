//! A tolerant scan of an iCalendar stream into its item components.
//!
//! Unlike `contentline::parse`, one bad line only spoils the item it sits in: the
//! scanner notes the error against that item, skips to the item's END and goes on.

use crate::formats::contentline::{self, Line, MAX_PROPERTIES, SyntaxError};
use crate::model::{Component, MAX_COMPONENT_DEPTH, Property};

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

/// Join a line cut inside its parameter list whose continuation lacks the leading
/// space (Exchange 2001: `ATTENDEE;CN="X"` / `:` / `  MAILTO:x@y`).
fn join_broken_fold(lines: &mut [Line], i: usize) -> Option<Property> {
    let next = lines.get(i + 1)?;
    let rest = next.text.strip_prefix([':', ';'])?;
    let sep = &next.text[..1];
    let joined = Line {
        number: lines[i].number,
        text: format!("{}{sep}{}", lines[i].text, rest.trim_start()),
    };
    let p = contentline::parse_line(&joined).ok()?;
    lines[i + 1].text.clear();
    Some(p)
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
    let mut out = Scan::default();
    // stack[0] is VCALENDAR when wrapped; items sit right below it.
    let mut stack: Vec<Open> = Vec::new();
    let mut item_error: Option<SyntaxError> = None;
    // BEGINs past MAX_COMPONENT_DEPTH inside the open item: only counted, never built,
    // so no depth of nesting costs memory or stack (the item is refused anyway).
    let mut too_deep: usize = 0;
    let item_depth = |stack: &Vec<Open>| {
        if stack.first().is_some_and(|o| o.comp.name == "VCALENDAR") {
            2
        } else {
            1
        }
    };
    let mut lines = contentline::unfold(text);
    for i in 0..lines.len() {
        if lines[i].text.is_empty() {
            continue; // joined into the line before
        }
        let line = lines[i].clone();
        let in_item = stack.len() >= item_depth(&stack);
        let p = match contentline::parse_line(&line) {
            Ok(p) => p,
            Err(e) if lenient && e.reason != contentline::too_long_line() => {
                if let Some(p) = join_broken_fold(&mut lines, i) {
                    let note = SyntaxError {
                        line: line.number,
                        reason: format!(
                            "{} continued on the next line without the leading space (joined)",
                            p.name
                        ),
                    };
                    if in_item && let Some(o) = stack.last_mut() {
                        o.repairs.push(note);
                        o.comp.props.push(p);
                        o.prop_lines.push(line.number);
                    } else if let Some(o) = stack.last_mut()
                        && o.comp.name == "VCALENDAR"
                    {
                        out.stream_repairs.push(note);
                        out.calendar_props.push(p);
                    } else {
                        out.stream_repairs.push(note);
                    }
                    continue;
                }
                match stack.last_mut() {
                    Some(o) if in_item && o.comp.props.len() < MAX_PROPERTIES => {
                        o.repairs.push(SyntaxError {
                            line: line.number,
                            reason: format!("{}; kept as {UNPARSED}", e.reason),
                        });
                        o.comp.props.push(unparsed(&line));
                        o.prop_lines.push(line.number);
                    }
                    _ if in_item => {
                        item_error.get_or_insert(e);
                    }
                    _ => out.stream_repairs.push(SyntaxError {
                        line: e.line,
                        reason: format!("{} (ignored)", e.reason),
                    }),
                }
                continue;
            }
            Err(e) => {
                if in_item {
                    item_error.get_or_insert(e);
                } else {
                    out.stream_errors.push(e);
                }
                continue;
            }
        };
        match p.name.as_str() {
            "BEGIN" if too_deep > 0 => too_deep += 1,
            // An END naming an open component ends the overflow (a hostile file
            // cannot hide the following items inside the broken one).
            "END" if too_deep > 0 && !is_open(&stack, &p.value) => too_deep -= 1,
            _ if too_deep > 0 && p.name != "END" => {}
            "BEGIN" => {
                let name = p.value.trim().to_ascii_uppercase();
                if name.is_empty() {
                    let e = SyntaxError {
                        line: line.number,
                        reason: "BEGIN without a component name".into(),
                    };
                    if in_item {
                        item_error.get_or_insert(e);
                    } else {
                        out.stream_errors.push(e);
                    }
                    continue;
                }
                // The level the new component would have inside its item (the item is 1).
                if in_item && stack.len() + 2 - item_depth(&stack) > MAX_COMPONENT_DEPTH {
                    item_error.get_or_insert(SyntaxError {
                        line: line.number,
                        reason: contentline::too_deep(&name),
                    });
                    too_deep = 1;
                    continue;
                }
                stack.push(Open {
                    comp: Component::new(&name),
                    line: line.number,
                    prop_lines: Vec::new(),
                    repairs: Vec::new(),
                });
            }
            "END" => {
                too_deep = 0;
                let name = p.value.trim().to_ascii_uppercase();
                let Some(pos) = stack.iter().rposition(|o| o.comp.name == name) else {
                    let e = SyntaxError {
                        line: line.number,
                        reason: format!("END:{name} without a matching BEGIN"),
                    };
                    if in_item {
                        item_error.get_or_insert(e);
                    } else if lenient {
                        // `END:VCALENDARD` and the like: the calendar still ends at EOF.
                        out.stream_repairs.push(SyntaxError {
                            line: e.line,
                            reason: format!("{} (ignored)", e.reason),
                        });
                    } else {
                        out.stream_errors.push(e);
                    }
                    continue;
                };
                // Close everything above the match; components left open are an error.
                while stack.len() > pos + 1 {
                    let inner = stack.pop().expect("non-empty");
                    let e = SyntaxError {
                        line: inner.line,
                        reason: format!(
                            "BEGIN:{} is not closed before END:{name} (line {})",
                            inner.comp.name, line.number
                        ),
                    };
                    let depth = item_depth(&stack);
                    if stack.len() + 1 > depth {
                        item_error.get_or_insert(e);
                        attach(&mut stack, inner);
                    } else if stack.len() + 1 == depth {
                        finish_item(&mut out, inner, Some(e));
                        item_error = None;
                    } else {
                        out.stream_errors.push(e);
                    }
                }
                let done = stack.pop().expect("matched above");
                let depth_after = stack.len() + 1;
                let depth = if stack.is_empty() && done.comp.name == "VCALENDAR" {
                    0
                } else {
                    item_depth(&stack)
                };
                if depth_after == depth {
                    finish_item(&mut out, done, item_error.take());
                } else if depth_after > depth && depth != 0 {
                    attach(&mut stack, done);
                }
                // A closed VCALENDAR: nothing more to do.
            }
            _ => match stack.last_mut() {
                Some(o) if in_item && o.comp.props.len() >= MAX_PROPERTIES => {
                    item_error.get_or_insert(SyntaxError {
                        line: line.number,
                        reason: contentline::too_many_properties(&o.comp.name),
                    });
                }
                Some(o) if in_item => {
                    o.comp.props.push(p);
                    o.prop_lines.push(line.number);
                }
                Some(o) if o.comp.name == "VCALENDAR" => out.calendar_props.push(p),
                Some(o) => o.comp.props.push(p),
                None if lenient => out.stream_repairs.push(SyntaxError {
                    line: line.number,
                    reason: format!("{} outside of any BEGIN/END block (ignored)", p.name),
                }),
                None => out.stream_errors.push(SyntaxError {
                    line: line.number,
                    reason: format!("{} outside of any BEGIN/END block", p.name),
                }),
            },
        }
    }
    // Unclosed at the end of the stream: the open item (if any) is broken.
    while let Some(open) = stack.pop() {
        if stack.is_empty() && open.comp.name == "VCALENDAR" {
            // A missing END:VCALENDAR loses nothing: the items are complete.
            break;
        }
        let e = SyntaxError {
            line: open.line,
            reason: format!("BEGIN:{} is never closed", open.comp.name),
        };
        let depth = item_depth(&stack);
        if stack.len() + 1 > depth {
            attach(&mut stack, open);
            item_error.get_or_insert(e);
        } else if stack.len() + 1 == depth {
            let err = item_error.take().unwrap_or(e);
            finish_item(&mut out, open, Some(err));
        } else {
            out.stream_errors.push(e);
        }
    }
    out
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

fn finish_item(out: &mut Scan, open: Open, error: Option<SyntaxError>) {
    out.blocks.push(Block {
        comp: open.comp,
        line: open.line,
        prop_lines: open.prop_lines,
        error,
        repairs: open.repairs,
    });
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
