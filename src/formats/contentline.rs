//! The content-line syntax shared by iCalendar and vCard: unfolding, `group.NAME;P=v:value`
//! lines, quoted parameter values, BEGIN/END nesting — and writing it back with folding.
//!
//! Lossless by design: values stay raw (escaped) strings; parameters keep their order
//! and all their values. vCard 2.1 quirks (quoted-printable, bare TYPE words) are
//! handled on top, in `vcard`.

use crate::model::borrowed::{ComponentRef, PropertyRef};
use crate::model::{Component, MAX_COMPONENT_DEPTH, Param, Property};

/// The longest logical (unfolded) line any reader accepts: generous for an inline
/// photo or attachment, but bounded.
pub const MAX_LINE_BYTES: usize = 4 << 20;

/// The most properties one component may carry (a meeting with thousands of
/// attendees fits).
pub const MAX_PROPERTIES: usize = 10_000;

/// The reasons the limits above give, shared by every reader.
pub fn too_long_line() -> String {
    format!("line longer than {} MiB", MAX_LINE_BYTES >> 20)
}

pub fn too_many_properties(component: &str) -> String {
    format!("{component} has more than {MAX_PROPERTIES} properties")
}

pub fn too_deep(component: &str) -> String {
    format!("BEGIN:{component} nests components more than {MAX_COMPONENT_DEPTH} levels deep")
}

/// A syntax error with the (1-based, physical) line it was found on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct SyntaxError {
    pub line: usize,
    pub reason: String,
}

/// One unfolded logical line and the physical line it started on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub text: String,
}

/// Unfold (RFC 5545 §3.1): a line starting with space or tab continues the previous.
/// Accepts CRLF, LF and CR line ends; strips a UTF-8 BOM. A line stops growing once it
/// is past [`MAX_LINE_BYTES`] ([`parse_line`] then refuses it).
pub fn unfold(text: &str) -> Vec<Line> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out: Vec<Line> = Vec::new();
    // Old Mac files end lines with a lone CR.
    let sep = if text.contains('\n') { '\n' } else { '\r' };
    for (i, raw) in text.split(sep).enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t'])
            && let Some(last) = out.last_mut()
        {
            if last.text.len() <= MAX_LINE_BYTES {
                last.text.push_str(rest);
            }
            continue;
        }
        if raw.trim().is_empty() {
            continue;
        }
        out.push(Line {
            number: i + 1,
            text: raw.to_string(),
        });
    }
    out
}

/// Parse one logical line into a property.
pub fn parse_line(line: &Line) -> Result<Property, SyntaxError> {
    let err = |reason: &str| SyntaxError {
        line: line.number,
        reason: reason.to_string(),
    };
    if line.text.len() > MAX_LINE_BYTES {
        return Err(err(&too_long_line()));
    }
    let s = line.text.as_str();
    // The name ends at the first ';' or ':'.
    let name_end = s
        .find([';', ':'])
        .ok_or_else(|| err("expected NAME:value (no ':' found)"))?;
    let full_name = &s[..name_end];
    if full_name.is_empty() {
        return Err(err("empty property name"));
    }
    let (group, name) = match full_name.rfind('.') {
        Some(dot) => (Some(full_name[..dot].to_string()), &full_name[dot + 1..]),
        None => (None, full_name),
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(err(&format!("invalid property name {full_name:?}")));
    }
    let mut params = Vec::new();
    let bytes = s.as_bytes();
    let mut i = name_end;
    while bytes[i] == b';' {
        i += 1;
        let pstart = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b';' | b':') {
            i += 1;
        }
        if i >= bytes.len() {
            return Err(err("parameter without ':' value separator"));
        }
        let pname = s[pstart..i].trim().to_ascii_uppercase();
        if pname.contains('"') {
            // Quotes belong around values; a name with one cannot be written back.
            return Err(err("quote in a parameter name"));
        }
        if bytes[i] != b'=' {
            // vCard 2.1 bare parameter (`TEL;HOME;VOICE:`): a TYPE value.
            if !pname.is_empty() {
                params.push(Param {
                    name: String::new(),
                    values: vec![pname],
                });
            }
            continue;
        }
        i += 1; // '='
        let mut values = Vec::new();
        loop {
            if i < bytes.len() && bytes[i] == b'"' {
                let close = s[i + 1..]
                    .find('"')
                    .ok_or_else(|| err("unterminated quoted parameter value"))?;
                values.push(s[i + 1..i + 1 + close].to_string());
                i += close + 2;
            } else {
                let vstart = i;
                while i < bytes.len() && !matches!(bytes[i], b',' | b';' | b':') {
                    i += 1;
                }
                values.push(s[vstart..i].to_string());
            }
            if i < bytes.len() && bytes[i] == b',' {
                i += 1;
                continue;
            }
            break;
        }
        if i >= bytes.len() {
            return Err(err("parameter without ':' value separator"));
        }
        params.push(Param {
            name: pname,
            values,
        });
    }
    if bytes.get(i) != Some(&b':') {
        return Err(err("expected ':' before the value"));
    }
    Ok(Property {
        group,
        name: name.to_ascii_uppercase(),
        params,
        value: s[i + 1..].to_string(),
    })
}

/// Parse a whole stream into its top-level components (VCALENDAR, VCARD...).
/// Lines outside any component are an error, and so is input past the limits
/// (components nested deeper than [`MAX_COMPONENT_DEPTH`] below an optional
/// VCALENDAR, more than [`MAX_PROPERTIES`] in one component).
pub fn parse(text: &str) -> Result<Vec<Component>, SyntaxError> {
    let mut top = Vec::new();
    let mut stack: Vec<(Component, usize)> = Vec::new();
    for line in unfold(text) {
        let p = parse_line(&line)?;
        match p.name.as_str() {
            "BEGIN" => {
                let name = p.value.trim().to_ascii_uppercase();
                if name.is_empty() {
                    return Err(SyntaxError {
                        line: line.number,
                        reason: "BEGIN without a component name".into(),
                    });
                }
                let wrapper =
                    usize::from(stack.first().is_some_and(|(c, _)| c.name == "VCALENDAR"));
                if stack.len() >= MAX_COMPONENT_DEPTH + wrapper {
                    return Err(SyntaxError {
                        line: line.number,
                        reason: too_deep(&name),
                    });
                }
                stack.push((Component::new(&name), line.number));
            }
            "END" => {
                let name = p.value.trim().to_ascii_uppercase();
                let (c, _) = stack.pop().ok_or_else(|| SyntaxError {
                    line: line.number,
                    reason: format!("END:{name} without BEGIN"),
                })?;
                if c.name != name {
                    return Err(SyntaxError {
                        line: line.number,
                        reason: format!("END:{name} closes BEGIN:{}", c.name),
                    });
                }
                match stack.last_mut() {
                    Some((parent, _)) => parent.subs.push(c),
                    None => top.push(c),
                }
            }
            _ => match stack.last_mut() {
                Some((c, _)) if c.props.len() >= MAX_PROPERTIES => {
                    return Err(SyntaxError {
                        line: line.number,
                        reason: too_many_properties(&c.name),
                    });
                }
                Some((c, _)) => c.props.push(p),
                None => {
                    return Err(SyntaxError {
                        line: line.number,
                        reason: format!("{} outside of any BEGIN/END block", p.name),
                    });
                }
            },
        }
    }
    if let Some((c, started)) = stack.pop() {
        return Err(SyntaxError {
            line: started,
            reason: format!("BEGIN:{} is never closed", c.name),
        });
    }
    Ok(top)
}

/// Does a parameter value need quotes?
pub(crate) fn needs_quotes(v: &str) -> bool {
    v.bytes().any(|b| matches!(b, b':' | b';' | b',')) || v.starts_with(' ') || v.ends_with(' ')
}

/// One property as an unfolded line (no line ending).
pub fn format_property(p: &Property) -> String {
    let mut s = String::with_capacity(p.name.len() + p.value.len() + 16);
    if let Some(g) = &p.group {
        s.push_str(g);
        s.push('.');
    }
    s.push_str(&p.name);
    for param in &p.params {
        s.push(';');
        if param.name.is_empty() {
            // A bare (2.1-style) parameter: write it as TYPE=.
            s.push_str("TYPE=");
        } else {
            s.push_str(&param.name);
            s.push('=');
        }
        for (i, v) in param.values.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            if needs_quotes(v) {
                s.push('"');
                s.push_str(&v.replace('"', "'"));
                s.push('"');
            } else {
                s.push_str(v);
            }
        }
    }
    s.push(':');
    s.push_str(&p.value);
    s
}

/// Fold a line at 75 octets without splitting a UTF-8 character; CRLF line ends.
pub fn fold_into(out: &mut String, line: &str) {
    let mut f = Fold::new(out);
    f.push(line);
    f.end();
}

/// Folds one content line while its pieces are appended (one pass, no line copy):
/// a break (`CRLF` + space) goes before the first character that would take the
/// line past 75 octets.
pub struct Fold<'o> {
    out: &'o mut String,
    width: usize,
}

impl<'o> Fold<'o> {
    pub fn new(out: &'o mut String) -> Self {
        Fold { out, width: 0 }
    }

    pub fn push(&mut self, mut s: &str) {
        loop {
            let room = 75 - self.width;
            if s.len() <= room {
                self.out.push_str(s);
                self.width += s.len();
                return;
            }
            let mut end = room;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            self.out.push_str(&s[..end]);
            self.out.push_str("\r\n ");
            self.width = 1;
            s = &s[end..];
        }
    }

    /// `;NAME=` (a bare, 2.1-style parameter is written as `TYPE=`).
    pub fn push_param_name(&mut self, name: &str) {
        if name.is_empty() {
            self.push(";TYPE=");
        } else {
            self.push(";");
            self.push(name);
            self.push("=");
        }
    }

    /// A parameter value, quoted when it must be (a `"` inside cannot be escaped:
    /// it becomes `'`).
    pub fn push_param_value(&mut self, v: &str) {
        if !needs_quotes(v) {
            return self.push(v);
        }
        self.push("\"");
        let mut parts = v.split('"');
        if let Some(first) = parts.next() {
            self.push(first);
        }
        for part in parts {
            self.push("'");
            self.push(part);
        }
        self.push("\"");
    }

    pub fn end(self) {
        self.out.push_str("\r\n");
    }
}

/// Write a component tree, each line folded as it is written.
pub fn write_component(out: &mut String, c: &Component) {
    let mut f = Fold::new(out);
    f.push("BEGIN:");
    f.push(&c.name);
    f.end();
    for p in &c.props {
        write_property(out, p);
    }
    for s in &c.subs {
        write_component(out, s);
    }
    let mut f = Fold::new(out);
    f.push("END:");
    f.push(&c.name);
    f.end();
}

/// One property as [`format_property`] writes it, folded.
pub fn write_property(out: &mut String, p: &Property) {
    let params = p
        .params
        .iter()
        .map(|param| (param.name.as_str(), param.values.iter().map(String::as_str)));
    write_property_parts(out, p.group.as_deref(), &p.name, params, &p.value);
}

/// The one writer of a property line, for owned and borrowed properties alike.
fn write_property_parts<'v, V: Iterator<Item = &'v str>>(
    out: &mut String,
    group: Option<&str>,
    name: &str,
    params: impl Iterator<Item = (&'v str, V)>,
    value: &str,
) {
    let mut f = Fold::new(out);
    if let Some(g) = group {
        f.push(g);
        f.push(".");
    }
    f.push(name);
    for (param, values) in params {
        f.push_param_name(param);
        for (i, v) in values.enumerate() {
            if i > 0 {
                f.push(",");
            }
            f.push_param_value(v);
        }
    }
    f.push(":");
    f.push(value);
    f.end();
}

/// [`write_component`] for a borrowed component, each line folded as it is written.
pub fn write_component_ref(out: &mut String, c: &ComponentRef<'_>) {
    let mut f = Fold::new(out);
    f.push("BEGIN:");
    f.push(&c.name);
    f.end();
    for p in &c.props {
        write_property_ref(out, p);
    }
    for s in &c.subs {
        write_component_ref(out, s);
    }
    let mut f = Fold::new(out);
    f.push("END:");
    f.push(&c.name);
    f.end();
}

/// One property as [`format_property`] writes it, folded.
pub fn write_property_ref(out: &mut String, p: &PropertyRef<'_>) {
    let params = p
        .params
        .iter()
        .map(|param| (&*param.name, param.values.iter().map(|v| &**v)));
    write_property_parts(out, p.group.as_deref(), &p.name, params, &p.value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_groups_quotes_and_folding() {
        let text = "BEGIN:VCARD\r\nitem1.EMAIL;TYPE=INTERNET,pref:a@b\r\nATTENDEE;CN=\"Müller, Anna\";ROLE=REQ\r\n -PARTICIPANT:mailto:a@b\r\nEND:VCARD\r\n";
        let c = parse(text).unwrap();
        assert_eq!(c.len(), 1);
        let e = &c[0].props[0];
        assert_eq!(e.group.as_deref(), Some("item1"));
        assert_eq!(e.param_values("TYPE"), vec!["INTERNET", "pref"]);
        let a = &c[0].props[1];
        assert_eq!(a.param("CN"), Some("Müller, Anna"));
        assert_eq!(a.param("ROLE"), Some("REQ-PARTICIPANT"));
        assert_eq!(a.value, "mailto:a@b");
    }

    #[test]
    fn round_trips_through_the_writer() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:a long summary that certainly goes on and on well past the seventy-five octet limit of a line ÄÖÜ\r\nATTENDEE;CN=\"Doe, J\":mailto:j@x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let parsed = parse(text).unwrap();
        let mut out = String::new();
        write_component(&mut out, &parsed[0]);
        assert!(out.lines().all(|l| l.len() <= 76));
        assert_eq!(parse(&out).unwrap(), parsed);
    }

    #[test]
    fn one_pass_folding_matches_folding_the_whole_line() {
        let mut props = Vec::new();
        for pad in 0..90 {
            let head = "x".repeat(pad);
            props.push(Property::new("SUMMARY", format!("{head}ÄÖ€😀{head}😀é")));
            props.push(
                Property::new("ATTENDEE", format!("mailto:{head}@x"))
                    .with_param("CN", &format!("{head}Doe, \"J\": ü😀"))
                    .with_param("X-E", ""),
            );
        }
        let mut grouped = Property::new("EMAIL", "a@b").with_param("TYPE", "home");
        grouped.group = Some("item1".into());
        grouped.params.push(Param {
            name: String::new(),
            values: vec!["PREF".into(), "x y".into()],
        });
        props.push(grouped);
        for p in &props {
            let mut whole = String::new();
            fold_into(&mut whole, &format_property(p));
            let mut one_pass = String::new();
            write_property(&mut one_pass, p);
            assert_eq!(one_pass, whole);
            let mut borrowed = String::new();
            write_property_ref(&mut borrowed, &p.into());
            assert_eq!(borrowed, whole);
        }
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("BEGIN:VCARD\nFN Ada\nEND:VCARD\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("BEGIN:VCARD\nFN:Ada\n").unwrap_err();
        assert!(e.reason.contains("never closed"));
        let e = parse("BEGIN:VCARD\nEND:VEVENT\n").unwrap_err();
        assert!(e.reason.contains("closes"));
    }

    #[test]
    fn cr_only_line_ends() {
        let c = parse("BEGIN:VCARD\rFN:Ada\r\tLovelace\rEND:VCARD\r").unwrap();
        assert_eq!(c[0].props[0].value, "AdaLovelace");
    }

    fn nested(levels: usize) -> String {
        let mut text = String::from("BEGIN:VCALENDAR\nBEGIN:VEVENT\n");
        text.push_str(&"BEGIN:X\n".repeat(levels));
        text.push_str(&"END:X\n".repeat(levels));
        text + "END:VEVENT\nEND:VCALENDAR\n"
    }

    #[test]
    fn nesting_is_bounded() {
        let deepest = parse(&nested(MAX_COMPONENT_DEPTH - 1)).unwrap();
        assert_eq!(deepest[0].subs[0].depth(), MAX_COMPONENT_DEPTH);
        let e = parse(&nested(MAX_COMPONENT_DEPTH)).unwrap_err();
        assert_eq!(e.line, 2 + MAX_COMPONENT_DEPTH);
        assert!(e.reason.contains("levels deep"), "{e}");
        // Far past the limit: an error, not a stack overflow.
        assert!(parse(&nested(100_000)).is_err());
    }

    #[test]
    fn line_length_and_property_count_are_bounded() {
        let long = format!(
            "BEGIN:VCARD\nNOTE:{}\nEND:VCARD\n",
            "a".repeat(MAX_LINE_BYTES)
        );
        let e = parse(&long).unwrap_err();
        assert_eq!((e.line, e.reason.as_str()), (2, "line longer than 4 MiB"));
        let folded = format!(
            "BEGIN:VCARD\nNOTE:a\n{}END:VCARD\n",
            format!(" {}\n", "b".repeat(1 << 20)).repeat(5)
        );
        assert!(parse(&folded).unwrap_err().reason.contains("longer"));
        let many = format!(
            "BEGIN:VCARD\n{}END:VCARD\n",
            "NOTE:x\n".repeat(MAX_PROPERTIES + 1)
        );
        let e = parse(&many).unwrap_err();
        assert_eq!(e.line, MAX_PROPERTIES + 2);
        assert!(e.reason.contains("more than 10000 properties"));
    }

    #[test]
    fn bare_vcard21_params_are_kept() {
        let l = Line {
            number: 1,
            text: "TEL;HOME;VOICE:123".into(),
        };
        let p = parse_line(&l).unwrap();
        assert_eq!(p.params.len(), 2);
        assert_eq!(p.value, "123");
    }
}
