//! vCard 2.1, 3.0 and 4.0 (RFC 2426, RFC 6350 and the vCard 2.1 spec) on top of the
//! shared content-line lexer.
//!
//! Reading keeps every property and parameter. What changes on the way in is only the
//! transport: UTF-16 and 8-bit charsets become UTF-8, quoted-printable values are
//! decoded (and their `ENCODING`/`CHARSET` parameters dropped), base64 loses its
//! folding whitespace, and 2.1 bare parameters (`TEL;HOME;VOICE`) become `TYPE=`.
//! Writing converts what differs between 3.0 and 4.0 ([`convert`]).

mod convert;
pub(crate) mod decode;
pub mod semantic;
pub mod strict;

use crate::formats::contentline::{self, Line, MAX_LINE_BYTES, MAX_PROPERTIES, SyntaxError};
use crate::formats::uid::content_uid;
use crate::formats::{ItemError, ParsedItem};
use crate::model::{Body, Component, Kind, MAX_COMPONENT_DEPTH, Param, Property, Record, new_id};

pub use convert::{to_version, to_version_owned};
pub use decode::RawLine;

/// The vCard version written by [`write_vcf`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VcardVersion {
    V3,
    #[default]
    V4,
}

impl VcardVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            VcardVersion::V3 => "3.0",
            VcardVersion::V4 => "4.0",
        }
    }

    pub fn parse(s: &str) -> Option<VcardVersion> {
        match s.trim() {
            "3" | "3.0" => Some(VcardVersion::V3),
            "4" | "4.0" => Some(VcardVersion::V4),
            _ => None,
        }
    }
}

/// Read every card of a file. Each card is one item: a record, or an error naming
/// its index, line and reason. Never panics.
pub fn read_vcf(bytes: &[u8]) -> Vec<Result<ParsedItem, ItemError>> {
    let text = decode::normalize_encoding(bytes);
    let mut reader = CardReader::default();
    for line in decode::logical_lines(&text) {
        reader.line(line);
    }
    reader.finish()
}

/// [`read_vcf`] one card at a time: each card goes to `sink` as soon as it ends (the
/// lines come from [`decode::StreamedLines`]); an error of `sink` stops the reading.
pub fn stream_vcf<E>(
    lines: impl Iterator<Item = RawLine>,
    mut sink: impl FnMut(Result<ParsedItem, ItemError>) -> Result<(), E>,
) -> Result<(), E> {
    let mut reader = CardReader::default();
    for line in lines {
        reader.line(line);
        for item in reader.items.drain(..) {
            sink(item)?;
        }
    }
    for item in reader.finish() {
        sink(item)?;
    }
    Ok(())
}

/// Text of a file in any encoding found in the wild: UTF-16 (BOM or not), UTF-8
/// (BOM or not; a fold inside a character joined), else windows-1252.
pub fn bytes_to_text(bytes: &[u8]) -> String {
    let bytes = decode::normalize_encoding(bytes);
    decode::decode_text(&decode::join_split_characters(&bytes), None)
}

/// Write cards in one version (VERSION first, then the properties in their order).
pub fn write_vcf(records: &[&Record], version: VcardVersion) -> String {
    let mut out = String::new();
    for r in records {
        contentline::write_component(&mut out, &to_version(&r.body.main, version));
    }
    out
}

/// A card being read.
struct OpenCard {
    index: usize,
    line: usize,
    /// Nested components (2.1 AGENT cards) being read, innermost last.
    stack: Vec<Component>,
    /// BEGINs past MAX_COMPONENT_DEPTH: only counted, never built (the card is refused).
    too_deep: usize,
    error: Option<ItemError>,
}

#[derive(Default)]
struct CardReader {
    items: Vec<Result<ParsedItem, ItemError>>,
    card: Option<OpenCard>,
    count: usize,
    /// Inside a run of lines outside any card (reported once per run).
    stray: bool,
}

impl CardReader {
    fn line(&mut self, raw: RawLine) {
        let number = raw.number;
        let prop = parse_raw_line(&raw);
        let (is_begin, is_end) = match &prop {
            Ok(p) => (p.name == "BEGIN", p.name == "END"),
            Err(_) => (false, false),
        };
        let what = prop
            .as_ref()
            .map(|p| p.value.trim().to_ascii_uppercase())
            .unwrap_or_default();
        if is_begin && what == "VCARD" {
            let nested_agent = self.card.as_ref().is_some_and(|c| {
                c.stack
                    .last()
                    .and_then(|top| top.props.last())
                    .is_some_and(|p| p.name == "AGENT" && p.value.trim().is_empty())
            });
            if nested_agent {
                if let Some(c) = self.card.as_mut() {
                    if c.too_deep > 0 || c.stack.len() >= MAX_COMPONENT_DEPTH {
                        c.error.get_or_insert(ItemError {
                            index: c.index,
                            line: number,
                            reason: contentline::too_deep("VCARD"),
                        });
                        c.too_deep += 1;
                    } else {
                        c.stack.push(Component::new("VCARD"));
                    }
                }
                return;
            }
            if let Some(c) = self.card.take() {
                let reason = format!("BEGIN:VCARD on line {number} before END:VCARD");
                self.fail(c, number, reason);
            }
            self.count += 1;
            self.stray = false;
            self.card = Some(OpenCard {
                index: self.count,
                line: number,
                stack: vec![Component::new("VCARD")],
                too_deep: 0,
                error: None,
            });
            return;
        }
        let Some(card) = self.card.as_mut() else {
            if !self.stray {
                self.stray = true;
                self.count += 1;
                let reason = match &prop {
                    Ok(_) if is_begin => format!("BEGIN:{what} is not a vCard"),
                    Ok(p) => format!("{} outside of BEGIN:VCARD/END:VCARD", p.name),
                    Err(e) => e.to_string(),
                };
                self.items.push(Err(ItemError {
                    index: self.count,
                    line: number,
                    reason,
                }));
            }
            return;
        };
        let prop = match prop {
            Ok(p) => p,
            Err(e) => {
                if card.error.is_none() {
                    card.error = Some(ItemError {
                        index: card.index,
                        line: number,
                        reason: e.to_string(),
                    });
                }
                return;
            }
        };
        let limit = if is_begin && (card.too_deep > 0 || card.stack.len() >= MAX_COMPONENT_DEPTH) {
            Some(contentline::too_deep(&what))
        } else if !is_begin
            && !is_end
            && card
                .stack
                .last()
                .is_some_and(|c| c.props.len() >= MAX_PROPERTIES)
        {
            Some(contentline::too_many_properties("VCARD"))
        } else {
            None
        };
        let refused = limit.is_some();
        if let Some(reason) = limit {
            card.error.get_or_insert(ItemError {
                index: card.index,
                line: number,
                reason,
            });
        }
        if card.too_deep > 0 || (is_begin && refused) {
            match (is_begin, is_end) {
                (true, _) => card.too_deep += 1,
                (_, true) => card.too_deep -= 1,
                _ => {}
            }
        } else if refused {
            // One property too many: dropped, the card is refused.
        } else if is_begin {
            card.stack.push(Component::new(&what));
        } else if is_end {
            let Some(top) = card.stack.pop() else { return };
            if top.name != what && card.error.is_none() {
                card.error = Some(ItemError {
                    index: card.index,
                    line: number,
                    reason: format!("END:{what} closes BEGIN:{}", top.name),
                });
            }
            match card.stack.last_mut() {
                Some(parent) => parent.subs.push(top),
                None => {
                    let card = self.card.take().expect("card is open");
                    self.close(card, top);
                }
            }
        } else if let Some(top) = card.stack.last_mut() {
            top.props.push(prop);
        }
    }

    fn fail(&mut self, card: OpenCard, _line: usize, reason: String) {
        let err = card.error.unwrap_or(ItemError {
            index: card.index,
            line: card.line,
            reason,
        });
        self.items.push(Err(err));
    }

    fn close(&mut self, card: OpenCard, mut main: Component) {
        if let Some(e) = card.error {
            self.items.push(Err(e));
            return;
        }
        if main.prop("UID").is_none_or(|p| p.value.trim().is_empty()) {
            main.props.retain(|p| p.name != "UID");
            let mut text = String::new();
            contentline::write_component(&mut text, &main);
            let at = main
                .props
                .iter()
                .position(|p| p.name == "VERSION")
                .map_or(0, |i| i + 1);
            main.props.insert(
                at,
                Property::new("UID", format!("urn:uuid:{}", content_uid(&text))),
            );
        }
        self.items.push(Ok(ParsedItem {
            record: Record {
                id: new_id(),
                kind: Kind::Contact,
                collection: String::new(),
                body: Body {
                    main,
                    overrides: Vec::new(),
                    timezones: Vec::new(),
                },
            },
            index: card.index,
            line: card.line,
        }));
    }

    fn finish(mut self) -> Vec<Result<ParsedItem, ItemError>> {
        if let Some(c) = self.card.take() {
            let reason = format!("BEGIN:VCARD on line {} is never closed", c.line);
            let line = c.line;
            self.fail(c, line, reason);
        }
        self.items
    }
}

/// One logical line to a property, decoding its value to UTF-8 text.
fn parse_raw_line(raw: &RawLine) -> Result<Property, SyntaxError> {
    if raw.bytes.len() > MAX_LINE_BYTES {
        return Err(SyntaxError {
            line: raw.number,
            reason: contentline::too_long_line(),
        });
    }
    let Some(h) = decode::header_end(&raw.bytes) else {
        let start = decode::decode_text(&raw.bytes[..raw.bytes.len().min(40)], None);
        return Err(SyntaxError {
            line: raw.number,
            reason: format!("expected NAME:value, found {start:?}"),
        });
    };
    let header = decode::decode_text(&raw.bytes[..h], None);
    let mut prop = contentline::parse_line(&Line {
        number: raw.number,
        text: format!("{header}:"),
    })?;
    normalize_bare_params(&mut prop.params);
    let value = &raw.bytes[h + 1..];
    let charset = prop.param("CHARSET").map(str::to_string);
    let encoding = prop.param("ENCODING").map(str::to_ascii_uppercase);
    prop.remove_param("CHARSET");
    match encoding.as_deref() {
        Some("QUOTED-PRINTABLE") => {
            let bytes = decode::decode_quoted_printable(value);
            let text = decode::decode_text(&bytes, charset.as_deref());
            prop.value = text.replace("\r\n", "\n").replace(['\r', '\n'], "\\n");
            prop.remove_param("ENCODING");
        }
        Some("B" | "BASE64") => {
            let text = decode::decode_text(value, None);
            prop.value = text.split_ascii_whitespace().collect();
            prop.set_param("ENCODING", "b");
        }
        _ => prop.value = decode::decode_text(value, charset.as_deref()),
    }
    Ok(prop)
}

/// vCard 2.1 writes parameters without names (`TEL;WORK;VOICE`, `PHOTO;JPEG;BASE64`):
/// give each its name, gathering type words into one TYPE parameter.
fn normalize_bare_params(params: &mut Vec<Param>) {
    if params.iter().all(|p| !p.name.is_empty()) {
        return;
    }
    let mut types: Vec<String> = Vec::new();
    let mut named: Vec<Param> = Vec::new();
    for p in params.drain(..) {
        if !p.name.is_empty() {
            named.push(p);
            continue;
        }
        for v in p.values {
            let (name, v) = match v.to_ascii_uppercase().as_str() {
                "QUOTED-PRINTABLE" | "BASE64" | "8BIT" | "7BIT" => ("ENCODING", v),
                "INLINE" | "URL" | "CONTENT-ID" | "CID" => ("VALUE", v),
                _ => ("TYPE", v),
            };
            if name == "TYPE" {
                types.push(v);
            } else {
                named.push(Param {
                    name: name.into(),
                    values: vec![v],
                });
            }
        }
    }
    if !types.is_empty() {
        match named.iter_mut().find(|p| p.name == "TYPE") {
            Some(t) => t.values.extend(types),
            None => named.insert(
                0,
                Param {
                    name: "TYPE".into(),
                    values: types,
                },
            ),
        }
    }
    *params = named;
}

#[cfg(test)]
mod tests;
