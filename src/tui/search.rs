//! `/`: one search box over every kind (the store's full-text index).

use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph};

use super::input::LineInput;
use super::theme::Theme;
use crate::model::{Kind, Record};

#[derive(Debug, Clone, Default)]
pub struct SearchBox {
    pub input: LineInput,
    pub results: Vec<Record>,
    pub selected: usize,
    /// Number of the latest query sent; older answers are dropped.
    pub seq: u64,
}

impl SearchBox {
    pub fn set_results(&mut self, results: Vec<Record>) {
        self.results = results;
        self.selected = self.selected.min(self.results.len().saturating_sub(1));
    }

    pub fn selected(&self) -> Option<&Record> {
        self.results.get(self.selected)
    }

    pub fn move_by(&mut self, code: KeyCode) {
        let last = self.results.len().saturating_sub(1);
        self.selected = match code {
            KeyCode::Up => self.selected.saturating_sub(1),
            KeyCode::Down => (self.selected + 1).min(last),
            KeyCode::PageUp => self.selected.saturating_sub(10),
            KeyCode::PageDown => (self.selected + 10).min(last),
            _ => self.selected,
        };
    }

    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let rect = super::ui::centered(
            area,
            area.width.saturating_sub(6).min(90),
            area.height.saturating_sub(4),
        );
        f.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(" Search everything ", theme.title()))
            .title_bottom(Line::from(" Enter open · ↑↓ choose · Esc close ").centered());
        let inner = block.inner(rect);
        f.render_widget(block, rect);
        let [q, sep, list] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(inner);
        f.render_widget(
            Paragraph::new(Span::styled("/ ", theme.key())),
            Rect::new(q.x, q.y, 2, 1),
        );
        self.input.render(
            f,
            Rect::new(q.x + 2, q.y, q.width.saturating_sub(2), 1),
            ratatui::style::Style::default(),
            true,
        );
        let count = if self.input.value.trim().is_empty() {
            "type to search contacts, events, tasks and notes".to_string()
        } else {
            format!("{} found", self.results.len())
        };
        f.render_widget(Paragraph::new(Span::styled(count, theme.dim())), sep);
        let items: Vec<ListItem> = self
            .results
            .iter()
            .map(|r| {
                let tag = match r.kind {
                    Kind::Contact => "contact",
                    Kind::Event => "event  ",
                    Kind::Task => "task   ",
                    Kind::Note => "note   ",
                };
                let extra = match r.kind {
                    Kind::Contact => r.text("EMAIL").unwrap_or_default(),
                    Kind::Event => r
                        .prop("DTSTART")
                        .map(|p| p.value.chars().take(8).collect::<String>())
                        .map(|d| {
                            format!(
                                "{}-{}-{}",
                                &d[..4.min(d.len())],
                                d.get(4..6).unwrap_or(""),
                                d.get(6..8).unwrap_or("")
                            )
                        })
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                ListItem::new(Line::from(vec![
                    Span::styled(format!("{tag} "), theme.dim()),
                    Span::raw(r.title()),
                    Span::styled(format!("  {extra}"), theme.dim()),
                ]))
            })
            .collect();
        let mut state = ListState::default().with_selected(if self.results.is_empty() {
            None
        } else {
            Some(self.selected)
        });
        f.render_stateful_widget(
            List::new(items).highlight_style(theme.selected()),
            list,
            &mut state,
        );
    }
}
