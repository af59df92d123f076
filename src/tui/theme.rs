//! Colours and emphasis. With `NO_COLOR` set, only bold/reverse/underline are used.

use ratatui::style::{Color, Modifier, Style};

use crate::model::Collection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

/// Stable palette for collections without their own colour.
const PALETTE: &[Color] = &[
    Color::Cyan,
    Color::Green,
    Color::Yellow,
    Color::Magenta,
    Color::Blue,
    Color::LightRed,
    Color::LightGreen,
    Color::LightCyan,
];

impl Theme {
    /// Colour unless `NO_COLOR` is set (to anything non-empty, per no-color.org).
    pub fn from_env() -> Theme {
        let no = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }

    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn today(&self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn label(&self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::BOLD)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn tab_active(&self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    /// The colour of a collection: its own `#rrggbb` if set, else a stable palette
    /// entry picked from its id.
    pub fn collection(&self, c: Option<&Collection>) -> Style {
        if !self.color {
            return Style::default();
        }
        let Some(c) = c else {
            return Style::default();
        };
        if let Some(rgb) = c.color.as_deref().and_then(parse_hex) {
            return Style::default().fg(rgb);
        }
        let h =
            c.id.bytes()
                .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
        Style::default().fg(PALETTE[h as usize % PALETTE.len()])
    }
}

/// `#rrggbb` (or `rrggbb`) to a colour.
pub fn parse_hex(s: &str) -> Option<Color> {
    let h = s.trim().trim_start_matches('#');
    if h.len() != 6 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let v = u32::from_str_radix(h, 16).ok()?;
    Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_colours() {
        let mut c = Collection {
            id: "abc".into(),
            kind: crate::model::Kind::Event,
            name: "Work".into(),
            color: Some("#4e79a7".into()),
            sync: true,
            default_alarms: None,
        };
        let t = Theme { color: true };
        assert_eq!(
            t.collection(Some(&c)).fg,
            Some(Color::Rgb(0x4e, 0x79, 0xa7))
        );
        c.color = None;
        assert_eq!(t.collection(Some(&c)), t.collection(Some(&c.clone())));
        assert_eq!(
            Theme { color: false }.collection(Some(&c)),
            Style::default()
        );
        assert_eq!(parse_hex("#12345"), None);
    }
}
