//! Notes: list with a preview line, full text on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, ListItem, Paragraph, Wrap};

use super::app::App;
use super::note_editor::note_body;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);
    let dim = theme.dim();
    super::view_contacts::list_with_filter(f, &theme, &app.notes, left, "Notes", |r| {
        let preview = &r.aside;
        ListItem::new(Line::from(vec![
            Span::raw(r.title.clone()),
            Span::styled(format!("  {preview}"), dim),
        ]))
    });
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Note ", theme.title()));
    let inner = block.inner(right);
    f.render_widget(block, right);
    let Some(r) = app.notes.selected() else {
        return;
    };
    let mut lines = vec![Line::from(Span::styled(r.title(), theme.title()))];
    if let Some(d) = r.prop("DTSTART") {
        let v = &d.value;
        if v.len() >= 8 {
            lines.push(Line::from(Span::styled(
                format!("{}-{}-{}", &v[..4], &v[4..6], &v[6..8]),
                theme.dim(),
            )));
        }
    }
    lines.push(Line::from(""));
    lines.extend(note_body(r).lines().map(|l| Line::from(l.to_string())));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
