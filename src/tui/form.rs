//! A form: labelled one-line fields, one focused; validation happens on save and
//! its message stays in the form (nothing is written until it passes).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::input::LineInput;
use super::theme::Theme;
use crate::app::records::Field as RecordField;
use crate::model::{Kind, Record};

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Which record field this is (`None` in forms that are not record forms).
    pub key: Option<RecordField>,
    pub label: &'static str,
    pub hint: &'static str,
    pub input: LineInput,
    /// The value shown when the form opened: an unchanged field keeps the record's
    /// original properties byte for byte.
    pub initial: String,
    /// A save found this field changed meanwhile: the value stored now (the input
    /// holds the user's), until they take it (Ctrl-T) or save theirs.
    pub stored: Option<String>,
}

impl Field {
    pub fn new(label: &'static str, hint: &'static str, value: &str) -> Field {
        Field {
            key: None,
            label,
            hint,
            input: LineInput::new(value),
            initial: value.to_string(),
            stored: None,
        }
    }

    /// A record form's field: `key` of a record of `kind`, labelled as the key says.
    pub fn keyed(key: RecordField, kind: Kind, hint: &'static str, value: &str) -> Field {
        Field {
            key: Some(key),
            ..Field::new(key.label(kind), hint, value)
        }
    }

    pub fn value(&self) -> &str {
        self.input.value.trim()
    }

    pub fn changed(&self) -> bool {
        self.input.value.trim() != self.initial.trim()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub title: String,
    pub kind: Kind,
    /// The record being edited; `None` when creating.
    pub base: Option<Record>,
    /// For a new subtask: the parent's UID.
    pub parent: Option<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    /// The key line at the bottom of the frame.
    pub keys: &'static str,
}

/// The key line of a record form.
pub const SAVE_KEYS: &str = " Enter save · Tab next field · Esc cancel ";

/// What a key did to a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    Continue,
    Submit,
    Cancel,
}

impl Form {
    /// The field of a record form holding `key`, if the form shows it.
    pub fn get(&self, key: RecordField) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == Some(key))
    }

    /// The field labelled `label` (forms that are not record forms).
    pub fn field(&self, label: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.label == label)
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FormOutcome {
        let n = self.fields.len();
        match key.code {
            KeyCode::Esc => return FormOutcome::Cancel,
            KeyCode::Enter => return FormOutcome::Submit,
            KeyCode::Char('s') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return FormOutcome::Submit;
            }
            KeyCode::Char('t') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                let field = &mut self.fields[self.focus];
                if let Some(stored) = field.stored.take() {
                    field.input = LineInput::new(&stored);
                }
            }
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % n,
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + n - 1) % n,
            _ => {
                self.fields[self.focus].input.handle(key);
            }
        }
        FormOutcome::Continue
    }

    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let width = area.width.saturating_sub(4).min(76);
        let height = (self.fields.len() as u16 * 2 + 5).min(area.height);
        let rect = super::ui::centered(area, width, height);
        f.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(format!(" {} ", self.title), theme.title()))
            .title_bottom(Line::from(self.keys).centered());
        let inner = block.inner(rect);
        f.render_widget(block, rect);
        let label_w = 13u16;
        for (i, field) in self.fields.iter().enumerate() {
            let y = inner.y + i as u16 * 2;
            if y + 1 >= inner.bottom() {
                break;
            }
            let focused = i == self.focus;
            let label_style = if focused { theme.key() } else { theme.label() };
            f.render_widget(
                Paragraph::new(Span::styled(field.label, label_style)),
                Rect::new(inner.x, y, label_w.min(inner.width), 1),
            );
            let input_area =
                Rect::new(inner.x + label_w, y, inner.width.saturating_sub(label_w), 1);
            field
                .input
                .render(f, input_area, ratatui::style::Style::default(), focused);
            let hint = match &field.stored {
                Some(v) => {
                    Span::styled(format!("stored now: {v}  (Ctrl-T takes it)"), theme.error())
                }
                None => Span::styled(field.hint, theme.dim()),
            };
            f.render_widget(
                Paragraph::new(hint),
                Rect::new(
                    inner.x + label_w,
                    y + 1,
                    inner.width.saturating_sub(label_w),
                    1,
                ),
            );
        }
        if let Some(err) = &self.error {
            let y = inner.bottom().saturating_sub(2);
            f.render_widget(
                Paragraph::new(Span::styled(err.as_str(), theme.error())).wrap(Wrap { trim: true }),
                Rect::new(inner.x, y, inner.width, 2),
            );
        }
    }
}
