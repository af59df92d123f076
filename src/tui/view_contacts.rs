//! Contacts: list with filter, detail pane with every email, phone and address.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

use super::app::App;
use super::forms::{addr_line, plain_value, type_of};
use super::lists::FilteredList;
use super::packed::Packed;
use super::theme::Theme;

/// The list half shared by contacts and notes: filter line + list.
pub fn list_with_filter(
    f: &mut Frame,
    theme: &Theme,
    list: &FilteredList,
    area: Rect,
    title: &str,
    item: impl Fn(&Packed) -> ListItem<'static>,
) {
    let count = if list.filter.value.is_empty() {
        format!(" {title} ({}) ", list.all.len())
    } else {
        format!(" {title} ({} of {}) ", list.visible.len(), list.all.len())
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(count, theme.title()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let show_filter = list.filtering || !list.filter.value.is_empty();
    let [filter_row, rows] = Layout::vertical([
        Constraint::Length(if show_filter { 1 } else { 0 }),
        Constraint::Min(1),
    ])
    .areas(inner);
    if show_filter {
        f.render_widget(
            Paragraph::new(Span::styled("filter: ", theme.key())),
            Rect::new(filter_row.x, filter_row.y, 8, 1),
        );
        list.filter.render(
            f,
            Rect::new(
                filter_row.x + 8,
                filter_row.y,
                filter_row.width.saturating_sub(8),
                1,
            ),
            ratatui::style::Style::default(),
            list.filtering,
        );
    }
    if !list.loaded {
        f.render_widget(Paragraph::new(Span::styled("loading…", theme.dim())), rows);
        return;
    }
    if list.visible.is_empty() {
        let msg = if list.all.is_empty() {
            "Nothing here yet. Press a to add."
        } else {
            "Nothing matches the filter."
        };
        f.render_widget(Paragraph::new(Span::styled(msg, theme.dim())), rows);
        return;
    }
    // Build only the rows around the selection: lists can hold 100 000 records.
    let h = rows.height as usize;
    let sel = list.cursor.selected;
    let first = sel.saturating_sub(h.saturating_sub(1));
    let items: Vec<ListItem> = list.visible[first..(first + h).min(list.visible.len())]
        .iter()
        .map(|&i| item(&list.all[i]))
        .collect();
    let mut state = ListState::default().with_selected(Some(sel - first));
    f.render_stateful_widget(
        List::new(items).highlight_style(theme.selected()),
        rows,
        &mut state,
    );
}

/// Detail labels ("Birthday" the longest) and two spaces: never glued to the value.
const LABEL_W: usize = 10;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);
    let dim = theme.dim();
    list_with_filter(f, &theme, &app.contacts, left, "Contacts", |r| {
        let email = &r.aside;
        ListItem::new(Line::from(vec![
            Span::raw(r.title.clone()),
            Span::styled(format!("  {email}"), dim),
        ]))
    });
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Details ", theme.title()));
    let inner = block.inner(right);
    f.render_widget(block, right);
    let Some(r) = app.contacts.selected() else {
        return;
    };
    let mut lines = vec![Line::from(Span::styled(r.title(), theme.title()))];
    let org: Vec<String> = [r.text("TITLE"), r.text("ORG").map(|o| o.replace(';', ", "))]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    if !org.is_empty() {
        lines.push(Line::from(org.join(", ")));
    }
    lines.push(Line::from(""));
    let typed = |label: &str, p: &crate::model::Property, v: String| {
        let t = type_of(p).map(|t| format!(" ({t})")).unwrap_or_default();
        Line::from(vec![
            Span::styled(format!("{label:<LABEL_W$}"), theme.label()),
            Span::raw(v),
            Span::styled(t, theme.dim()),
        ])
    };
    for p in r.props_named("EMAIL") {
        lines.push(typed("Email", p, plain_value(p)));
    }
    for p in r.props_named("TEL") {
        lines.push(typed("Phone", p, plain_value(p)));
    }
    for p in r.props_named("ADR") {
        lines.push(typed("Address", p, addr_line(p)));
    }
    for p in r.props_named("URL") {
        lines.push(typed("Web", p, p.value.clone()));
    }
    if let Some(b) = r.prop("BDAY") {
        let v = &b.value;
        let shown = if v.len() == 8 && v.bytes().all(|c| c.is_ascii_digit()) {
            format!("{}-{}-{}", &v[..4], &v[4..6], &v[6..])
        } else {
            v.clone()
        };
        lines.push(typed("Birthday", b, shown));
    }
    if let Some(c) = app.collection(&r.collection) {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<LABEL_W$}", "Book"), theme.label()),
            Span::raw(c.name.clone()),
        ]));
    }
    if let Some(events) = app.person.of(&r.id) {
        for (heading, list) in [("Upcoming", &events.upcoming), ("Recent", &events.recent)] {
            if list.is_empty() {
                continue;
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(heading, theme.label())));
            for e in list {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {}  ", e.when), theme.dim()),
                    Span::raw(e.title.clone()),
                    Span::styled(format!(" ({})", e.role), theme.dim()),
                ]));
            }
        }
    }
    if let Some(n) = r.text("NOTE") {
        lines.push(Line::from(""));
        lines.extend(n.lines().map(|l| Line::from(l.to_string())));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
