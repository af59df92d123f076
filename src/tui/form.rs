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
    /// A picker: the values ←/→ (or space) step through; nothing is typed.
    pub choices: Vec<String>,
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
            choices: Vec::new(),
        }
    }

    /// A picker over `choices`, showing `value` first.
    pub fn choice(
        label: &'static str,
        hint: &'static str,
        value: &str,
        choices: Vec<String>,
    ) -> Field {
        Field {
            choices,
            ..Field::new(label, hint, value)
        }
    }

    /// Step a picker to the next (`forward`) or previous choice.
    pub fn cycle(&mut self, forward: bool) {
        let n = self.choices.len();
        if n == 0 {
            return;
        }
        let at = self.choices.iter().position(|c| *c == self.input.value);
        let next = match (at, forward) {
            (None, _) => 0,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        };
        self.input = LineInput::new(&self.choices[next]);
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

/// Rows `text` takes wrapped at spaces to `width` columns.
fn wrapped_rows(text: &str, width: usize) -> usize {
    let mut rows = 1;
    let mut used = 0;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if used > 0 && used + 1 + w > width {
            rows += 1 + (w.saturating_sub(1)) / width;
            used = w % width;
        } else {
            used += w + usize::from(used > 0);
        }
    }
    rows
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
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ')
                if !self.fields[self.focus].choices.is_empty() =>
            {
                self.fields[self.focus].cycle(key.code != KeyCode::Left);
            }
            // A picker is not typed into.
            _ if !self.fields[self.focus].choices.is_empty() => {}
            _ => {
                self.fields[self.focus].input.handle(key);
            }
        }
        FormOutcome::Continue
    }

    /// Label column width: the longest label and two spaces (never glued).
    fn label_width(&self) -> u16 {
        self.fields
            .iter()
            .map(|f| f.label.chars().count() as u16)
            .max()
            .unwrap_or(0)
            .max(11)
            + 2
    }

    /// Each field takes two rows (value, hint) while they fit in `area`; else
    /// one row each and the focused field's hint above the error line.
    fn roomy(&self, area: Rect) -> bool {
        self.fields.len() as u16 * 2 + 3 + self.error_rows(area) <= area.height
    }

    fn width(area: Rect) -> u16 {
        area.width.saturating_sub(4).min(76)
    }

    /// Rows the error takes (two at least, at most four): a long reason is
    /// read whole.
    fn error_rows(&self, area: Rect) -> u16 {
        let inner = Self::width(area).saturating_sub(2).max(1) as usize;
        let need = self.error.as_ref().map_or(0, |e| wrapped_rows(e, inner));
        (need as u16).clamp(2, 4)
    }

    /// Where the form is drawn in `area` (frame included).
    pub fn frame_rect(&self, area: Rect) -> Rect {
        let error_rows = self.error_rows(area);
        let height = if self.roomy(area) {
            self.fields.len() as u16 * 2 + 3 + error_rows
        } else {
            self.fields.len() as u16 + 4 + error_rows
        }
        .min(area.height);
        super::ui::centered(area, Self::width(area), height)
    }

    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let roomy = self.roomy(area);
        let rows_per_field = if roomy { 2 } else { 1 };
        let rect = self.frame_rect(area);
        f.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(format!(" {} ", self.title), theme.title()))
            .title_bottom(Line::from(self.keys).centered());
        let inner = block.inner(rect);
        f.render_widget(block, rect);
        let label_w = self.label_width().min(inner.width / 2);
        let hint_of = |field: &Field| match &field.stored {
            Some(v) => Span::styled(format!("stored now: {v}  (Ctrl-T takes it)"), theme.error()),
            None => Span::styled(field.hint, theme.dim()),
        };
        for (i, field) in self.fields.iter().enumerate() {
            let y = inner.y + i as u16 * rows_per_field;
            let last_row = y + rows_per_field - 1;
            if last_row >= inner.bottom() || (roomy && y + 1 >= inner.bottom()) {
                break;
            }
            let focused = i == self.focus;
            let label_style = if focused { theme.key() } else { theme.label() };
            f.render_widget(
                Paragraph::new(Span::styled(field.label, label_style)),
                Rect::new(inner.x, y, label_w.min(inner.width), 1),
            );
            let value_w = inner.width.saturating_sub(label_w);
            let input_area = Rect::new(inner.x + label_w, y, value_w, 1);
            if field.choices.is_empty() {
                field
                    .input
                    .render(f, input_area, ratatui::style::Style::default(), focused);
            } else {
                // A picker: the value between arrows, no text cursor.
                let style = if focused {
                    theme.selected()
                } else {
                    ratatui::style::Style::default()
                };
                f.render_widget(
                    Paragraph::new(Line::from(vec![
                        Span::styled("‹ ", theme.dim()),
                        Span::styled(field.input.value.clone(), style),
                        Span::styled(" ›", theme.dim()),
                    ])),
                    input_area,
                );
            }
            if roomy {
                f.render_widget(
                    Paragraph::new(hint_of(field)),
                    Rect::new(inner.x + label_w, y + 1, value_w, 1),
                );
            }
        }
        if !roomy && let Some(field) = self.fields.get(self.focus) {
            let y = inner.y + self.fields.len() as u16 + 1;
            if y < inner.bottom() {
                f.render_widget(
                    Paragraph::new(hint_of(field)),
                    Rect::new(inner.x + label_w, y, inner.width.saturating_sub(label_w), 1),
                );
            }
        }
        if let Some(err) = &self.error {
            let rows = self.error_rows(area);
            let y = inner.bottom().saturating_sub(rows);
            f.render_widget(
                Paragraph::new(Span::styled(err.as_str(), theme.error())).wrap(Wrap { trim: true }),
                Rect::new(inner.x, y, inner.width, rows),
            );
        }
    }
}
