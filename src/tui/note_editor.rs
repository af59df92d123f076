//! Editing a note in place: a title line and a multi-line text area.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui_textarea::TextArea;

use super::form::FormOutcome;
use super::forms::FormCtx;
use super::input::LineInput;
use super::theme::Theme;
use crate::app::records::{self, Field, RecordEdit};
use crate::model::{Kind, Record};

pub struct NoteEditor {
    pub base: Option<Record>,
    /// Collection id for a new note.
    pub collection: String,
    pub title: LineInput,
    pub body: TextArea<'static>,
    /// 0: title, 1: body.
    pub focus: usize,
    pub error: Option<String>,
}

impl std::fmt::Debug for NoteEditor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteEditor")
            .field("title", &self.title.value)
            .field("body", &self.body.lines())
            .finish()
    }
}

/// The text of a note (its DESCRIPTION).
pub fn note_body(r: &Record) -> String {
    r.text("DESCRIPTION").unwrap_or_default()
}

impl NoteEditor {
    pub fn new(base: Option<&Record>, collection: &str) -> NoteEditor {
        let title = base.map(Record::title).unwrap_or_default();
        let body = base.map(note_body).unwrap_or_default();
        let lines: Vec<String> = body.split('\n').map(str::to_string).collect();
        let mut ta = TextArea::new(lines);
        ta.set_cursor_line_style(ratatui::style::Style::default());
        NoteEditor {
            base: base.cloned(),
            collection: collection.to_string(),
            title: LineInput::new(&title),
            body: ta,
            focus: if base.is_some() { 1 } else { 0 },
            error: None,
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FormOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return FormOutcome::Cancel,
            KeyCode::Char('s') if ctrl => return FormOutcome::Submit,
            KeyCode::Tab | KeyCode::BackTab => self.focus = 1 - self.focus,
            KeyCode::Enter if self.focus == 0 => self.focus = 1,
            _ if self.focus == 0 => {
                self.title.handle(key);
            }
            _ => {
                self.body.input(*key);
            }
        }
        FormOutcome::Continue
    }

    /// The edit to save and the note it makes (a refusal is shown with
    /// `forms::message`).
    pub fn apply(&self, ctx: &FormCtx) -> Result<(RecordEdit, Record), records::RecordError> {
        let edit = note_edit(
            self.base.as_ref(),
            &self.collection,
            self.title.value.trim(),
            &self.body.lines().join("\n"),
            ctx,
        );
        let r = records::build(
            self.base.as_ref(),
            &edit,
            ctx.collections,
            &ctx.edit_context(),
        )?;
        Ok((edit, r))
    }

    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let rect = super::ui::centered(
            area,
            area.width.saturating_sub(4),
            area.height.saturating_sub(2),
        );
        f.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(
                if self.base.is_some() {
                    " Edit note "
                } else {
                    " New note "
                },
                theme.title(),
            ))
            .title_bottom(Line::from(" ctrl-s save · Tab title/text · Esc cancel ").centered());
        let inner = block.inner(rect);
        f.render_widget(block, rect);
        let [title_row, err_row, body] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(inner);
        let label = Span::styled(
            "Title ",
            if self.focus == 0 {
                theme.key()
            } else {
                theme.label()
            },
        );
        f.render_widget(
            Paragraph::new(label),
            Rect::new(title_row.x, title_row.y, 6, 1),
        );
        self.title.render(
            f,
            Rect::new(
                title_row.x + 6,
                title_row.y,
                title_row.width.saturating_sub(6),
                1,
            ),
            ratatui::style::Style::default(),
            self.focus == 0,
        );
        if let Some(e) = &self.error {
            f.render_widget(
                Paragraph::new(Span::styled(e.as_str(), theme.error())),
                err_row,
            );
        }
        f.render_widget(&self.body, body);
    }
}

/// The edit that gives `base` (or a new note in the collection with id
/// `collection`) this title and text: only what differs from `base` is changed.
pub fn note_edit(
    base: Option<&Record>,
    collection: &str,
    title: &str,
    text: &str,
    ctx: &FormCtx,
) -> RecordEdit {
    match base {
        None => {
            let mut edit = RecordEdit::create(Kind::Note);
            if let Some(c) = ctx.collections.iter().find(|c| c.id == collection) {
                edit.set(Field::Collection, c.name.clone());
            }
            edit.set(Field::Summary, title);
            edit.set(Field::Description, text);
            edit
        }
        Some(b) => {
            let mut edit = RecordEdit::update(Kind::Note, &b.id);
            if b.title() != title {
                edit.change(Field::Summary, b.title(), title);
            }
            if note_body(b) != text {
                edit.change(Field::Description, note_body(b), text);
            }
            edit
        }
    }
}

/// The file `$EDITOR` gets: the title, a blank line, the text.
pub fn to_editor_file(r: &Record) -> String {
    format!("{}\n\n{}", r.title(), note_body(r))
}

/// Read back an `$EDITOR` file: (title, text).
pub fn from_editor_file(s: &str) -> (String, String) {
    let s = s.replace("\r\n", "\n");
    let (title, rest) = s.split_once('\n').unwrap_or((&s, ""));
    let text = rest.strip_prefix('\n').unwrap_or(rest);
    (
        title.trim().to_string(),
        text.trim_end_matches('\n').to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_file_round_trip() {
        let mut r = crate::model::Record::new(Kind::Note, "n");
        r.set_text("SUMMARY", "Shopping");
        r.set_text("DESCRIPTION", "milk\n\neggs");
        let file = to_editor_file(&r);
        assert_eq!(
            from_editor_file(&file),
            ("Shopping".into(), "milk\n\neggs".into())
        );
        assert_eq!(
            from_editor_file("Only title\n"),
            ("Only title".into(), "".into())
        );
    }

    #[test]
    fn an_edit_changes_only_what_differs() {
        let ctx = FormCtx {
            collections: &[],
            tz: crate::model::zonedb::UTC,
            now: chrono::Utc::now(),
        };
        let mut r = crate::model::Record::new(Kind::Note, "n");
        r.set_text("SUMMARY", "Shopping");
        r.set_text("DESCRIPTION", "milk");
        let same = note_edit(Some(&r), "n", "Shopping", "milk", &ctx);
        assert!(same.changes.is_empty());
        let body = note_edit(Some(&r), "n", "Shopping", "milk\neggs", &ctx);
        assert_eq!(body.changes.len(), 1);
        assert_eq!(body.changes[0].field, Field::Description);
        assert_eq!(body.changes[0].seen.as_deref(), Some("milk"));
    }
}
