//! A one-line text input with a cursor (forms, search, filters, "go to date").

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub value: String,
    /// Cursor position in chars.
    pub cursor: usize,
    /// A suggested value, shown selected: the first typed character replaces it
    /// (Backspace clears it), a cursor move keeps it for editing.
    pub replace_on_type: bool,
}

impl LineInput {
    pub fn new(value: &str) -> Self {
        LineInput {
            value: value.to_string(),
            cursor: value.chars().count(),
            replace_on_type: false,
        }
    }

    /// `value` as a suggestion that typing replaces.
    pub fn prefilled(value: &str) -> Self {
        LineInput {
            replace_on_type: true,
            ..LineInput::new(value)
        }
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.value
            .char_indices()
            .nth(char_idx)
            .map(|(b, _)| b)
            .unwrap_or(self.value.len())
    }

    /// Apply an editing key; returns whether the key was used.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if std::mem::take(&mut self.replace_on_type) {
            match key.code {
                KeyCode::Char(_) if !ctrl => self.clear(),
                KeyCode::Backspace | KeyCode::Delete => {
                    self.clear();
                    return true;
                }
                _ => {}
            }
        }
        let len = self.value.chars().count();
        match key.code {
            KeyCode::Char('u') if ctrl => {
                let b = self.byte_at(self.cursor);
                self.value.replace_range(..b, "");
                self.cursor = 0;
            }
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = len,
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.value.chars().collect();
                let mut i = self.cursor;
                while i > 0 && chars[i - 1] == ' ' {
                    i -= 1;
                }
                while i > 0 && chars[i - 1] != ' ' {
                    i -= 1;
                }
                let (a, b) = (self.byte_at(i), self.byte_at(self.cursor));
                self.value.replace_range(a..b, "");
                self.cursor = i;
            }
            KeyCode::Char(c) if !ctrl => {
                let b = self.byte_at(self.cursor);
                self.value.insert(b, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let b = self.byte_at(self.cursor - 1);
                self.value.remove(b);
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < len => {
                let b = self.byte_at(self.cursor);
                self.value.remove(b);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    fn clear(&mut self) {
        self.value.clear();
        self.cursor = 0;
    }

    /// Draw the value; with `focused`, place the terminal cursor and scroll so the
    /// cursor stays visible.
    pub fn render(&self, f: &mut Frame, area: Rect, style: Style, focused: bool) {
        let width = area.width.max(1) as usize;
        let skip = (self.cursor + 1).saturating_sub(width);
        let shown: String = self.value.chars().skip(skip).take(width).collect();
        let style = if self.replace_on_type {
            style.add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            style
        };
        f.render_widget(Paragraph::new(Line::from(Span::styled(shown, style))), area);
        if focused {
            let x = area.x + (self.cursor - skip) as u16;
            f.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn edits_in_the_middle_with_unicode() {
        let mut i = LineInput::new("Tomás");
        i.handle(&k(KeyCode::Left));
        i.handle(&k(KeyCode::Backspace));
        i.handle(&k(KeyCode::Char('a')));
        assert_eq!(i.value, "Tomas");
        i.handle(&KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(i.value, "s");
        assert!(!i.handle(&k(KeyCode::Enter)));
    }

    #[test]
    fn typing_replaces_a_prefilled_value_and_a_move_keeps_it() {
        let mut i = LineInput::prefilled("2026-11-25");
        i.handle(&k(KeyCode::Char('t')));
        assert_eq!((i.value.as_str(), i.cursor), ("t", 1));
        let mut i = LineInput::prefilled("2026-11-25");
        i.handle(&k(KeyCode::Left));
        i.handle(&k(KeyCode::Char('6')));
        assert_eq!(i.value, "2026-11-265");
        let mut i = LineInput::prefilled("2026-11-25");
        i.handle(&k(KeyCode::Backspace));
        assert_eq!(i.value, "");
    }
}
