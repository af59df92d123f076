//! Drawing the whole screen: tab bar, the current tab, overlays, status line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{App, Overlay, Tab};

/// A `w`×`h` rectangle centred in `area` (clipped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub fn draw(f: &mut Frame, app: &mut App) {
    let area = f.area();
    let [tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(f, app, tabs);
    app.page = body.height.saturating_sub(3).max(1) as usize;
    match app.tab {
        Tab::Calendar => super::view_calendar::draw(f, app, body),
        Tab::Contacts => super::view_contacts::draw(f, app, body),
        Tab::Tasks => super::view_tasks::draw(f, app, body),
        Tab::Notes => super::view_notes::draw(f, app, body),
        Tab::Sync => super::view_sync::draw(f, app, body),
    }
    draw_status(f, app, status);
    let theme = app.theme;
    match &app.overlay {
        None => {}
        Some(Overlay::Help) => draw_help(f, app, body),
        Some(Overlay::Search(sb)) => sb.render(f, body, &theme),
        Some(Overlay::Form(form)) => form.render(f, body, &theme),
        Some(Overlay::Note(ed)) => ed.render(f, body, &theme),
        Some(Overlay::Confirm { message, .. }) => {
            dialog(
                f,
                body,
                &theme,
                " Confirm ",
                vec![
                    Line::from(message.as_str()),
                    Line::from(""),
                    keys_line(&theme, &[("y", "yes"), ("n", "no")]),
                ],
            );
        }
        Some(Overlay::DemoOffer) => {
            dialog(
                f,
                body,
                &theme,
                " Welcome to pim ",
                vec![
                    Line::from("This database is empty."),
                    Line::from("Load a small demo set (calendars, contacts,"),
                    Line::from("tasks with subtasks, notes) to look around?"),
                    Line::from(""),
                    keys_line(&theme, &[("y", "load demo data"), ("n", "start empty")]),
                ],
            );
        }
        Some(Overlay::Goto { input, error }) => {
            let rect = centered(body, 50, 6);
            f.render_widget(Clear, rect);
            let block = Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Go to date ", theme.title()))
                .title_bottom(Line::from(" Enter go · Esc cancel ").centered());
            let inner = block.inner(rect);
            f.render_widget(block, rect);
            input.render(
                f,
                Rect::new(inner.x, inner.y, inner.width, 1),
                ratatui::style::Style::default(),
                true,
            );
            let hint = Span::styled("YYYY-MM-DD, today, tomorrow, +3d", theme.dim());
            f.render_widget(
                Paragraph::new(hint),
                Rect::new(inner.x, inner.y + 1, inner.width, 1),
            );
            if let Some(e) = error {
                f.render_widget(
                    Paragraph::new(Span::styled(e.as_str(), theme.error()))
                        .wrap(Wrap { trim: true }),
                    Rect::new(inner.x, inner.y + 2, inner.width, 2),
                );
            }
        }
    }
}

fn keys_line<'a>(theme: &super::theme::Theme, keys: &[(&'a str, &'a str)]) -> Line<'a> {
    let mut spans = Vec::new();
    for (k, what) in keys {
        spans.push(Span::styled(*k, theme.key()));
        spans.push(Span::raw(format!(" {what}   ")));
    }
    Line::from(spans)
}

fn dialog(f: &mut Frame, area: Rect, theme: &super::theme::Theme, title: &str, lines: Vec<Line>) {
    let w = lines
        .iter()
        .map(|l| l.width() as u16)
        .max()
        .unwrap_or(20)
        .max(title.len() as u16)
        + 4;
    let rect = centered(area, w, lines.len() as u16 + 2);
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title.to_string(), theme.title()));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

fn draw_tabs(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let mut spans = Vec::new();
    for (i, t) in Tab::ALL.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, t.title());
        let style = if *t == app.tab {
            theme.tab_active()
        } else {
            ratatui::style::Style::default()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
    let name = Span::styled("pim ", theme.title());
    let w = 4.min(area.width);
    f.render_widget(
        Paragraph::new(name),
        Rect::new(area.right() - w, area.y, w, 1),
    );
}

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let help = app
        .keymap
        .hint(app.tab.section(), super::action::Action::Help);
    let quit = app
        .keymap
        .hint(app.tab.section(), super::action::Action::Quit);
    let right = format!(
        "{}{help} help  {quit} quit ",
        if app.status.busy > 0 {
            "working…  "
        } else {
            ""
        }
    );
    let rw = (right.chars().count() as u16).min(area.width);
    let left_area = Rect::new(area.x, area.y, area.width - rw, 1);
    let style = if app.status.error {
        theme.error()
    } else {
        theme.ok()
    };
    f.render_widget(
        Paragraph::new(Span::styled(format!(" {}", app.status.text), style)),
        left_area,
    );
    f.render_widget(
        Paragraph::new(Span::styled(right, theme.dim())),
        Rect::new(area.right() - rw, area.y, rw, 1),
    );
}

fn draw_help(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let section = app.tab.section();
    let mut lines: Vec<Line> = Vec::new();
    for (a, keys) in app.keymap.bindings(section) {
        let ks: Vec<String> = keys.iter().map(|k| k.label()).collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{:<16}", ks.join(" ")), theme.key()),
            Span::raw(a.describe()),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "In forms and dialogs",
        theme.label(),
    )));
    for (k, what) in [
        ("Tab ↓ / ⇧Tab ↑", "next / previous field"),
        ("Enter, ctrl-s", "save (notes: ctrl-s)"),
        ("Esc", "cancel, close, clear a filter"),
        ("ctrl-c", "quit from anywhere"),
    ] {
        lines.push(Line::from(vec![
            Span::styled(format!("{k:<16}"), theme.key()),
            Span::raw(what),
        ]));
    }
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = centered(area, 64.min(area.width), height);
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(
            format!(" Keys: {} ", app.tab.title()),
            theme.title(),
        ))
        .title_bottom(
            Line::from(" Esc close · keymap.toml in your profile changes these ").centered(),
        );
    f.render_widget(Paragraph::new(lines).block(block), rect);
}
