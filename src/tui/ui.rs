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
        Constraint::Length(status_height(app, area)),
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
        Some(Overlay::Conflict(d)) => {
            super::view_sync_dialogs::draw_conflict(f, d, body, &theme, app.tz)
        }
        Some(Overlay::History(h)) => {
            super::view_sync_dialogs::draw_history(f, h, body, &theme, app.tz)
        }
        Some(Overlay::Search(sb)) => sb.render(f, body, &theme),
        Some(Overlay::Form(form)) => form.render(f, body, &theme),
        Some(Overlay::Answer(d)) => d.form.render(f, body, &theme),
        Some(Overlay::AddAccount(form)) => {
            super::view_sync_setup::draw_account_form(f, form, body, &theme)
        }
        Some(Overlay::SyncSetup(d)) => super::view_sync_setup::draw_setup(f, d, body, &theme),
        Some(Overlay::Note(ed)) => ed.render(f, body, &theme),
        Some(Overlay::Reminders(p)) => super::reminders::draw(f, p, body, &theme, app.tz),
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
        Some(Overlay::Scope(q)) => {
            dialog(
                f,
                body,
                &theme,
                " Recurring event ",
                vec![
                    Line::from(q.message()),
                    Line::from(""),
                    keys_line(
                        &theme,
                        &[
                            ("o", "this occurrence"),
                            ("f", "this and following"),
                            ("a", "all"),
                            ("Esc", "cancel"),
                        ],
                    ),
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
        Some(Overlay::People(d)) => {
            let mut lines: Vec<Line> = d
                .people
                .iter()
                .enumerate()
                .map(|(i, (shown, _))| {
                    let style = if i == d.selected {
                        theme.selected()
                    } else {
                        ratatui::style::Style::default()
                    };
                    Line::from(Span::styled(shown.clone(), style))
                })
                .collect();
            lines.push(Line::from(""));
            lines.push(keys_line(
                &theme,
                &[("enter", "open contact"), ("esc", "close")],
            ));
            dialog(f, body, &theme, &format!(" {} ", d.title), lines);
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
        let invites = app.invites_waiting();
        if *t == Tab::Calendar && invites > 0 {
            // A badge: invitations wait for an answer (Sync tab).
            spans.push(Span::styled(format!("({invites})"), theme.warn()));
        }
        let waiting = app.sync.as_ref().map_or(0, |s| s.conflicts.len());
        if *t == Tab::Sync && waiting > 0 {
            // A badge: conflicts wait for the user.
            spans.push(Span::styled(format!("({waiting}!)"), theme.warn()));
        }
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

/// A message longer than the screen is wide takes up to three lines: the end of
/// an error (what to do, where a kept file is) was cut off.
fn status_height(app: &App, area: Rect) -> u16 {
    let width = usize::from(area.width.max(1));
    let len = app.status.text.chars().count() + 1;
    if len <= width || area.height < 8 {
        return 1;
    }
    len.div_ceil(width).min(3) as u16
}

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let help = app
        .keymap
        .hint(app.tab.section(), super::action::Action::Help);
    let quit = app
        .keymap
        .hint(app.tab.section(), super::action::Action::Quit);
    let working = match (app.reminders_due, app.status.busy > 0) {
        (0, false) => String::new(),
        (0, true) => "working…  ".to_string(),
        (1, busy) => format!("1 reminder  {}", if busy { "working…  " } else { "" }),
        (n, busy) => format!("{n} reminders  {}", if busy { "working…  " } else { "" }),
    };
    // The message comes first: the key hint shrinks, then goes, to make room.
    let message_w = u16::try_from(app.status.text.chars().count())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let right = [
        format!("{working}{help} help  {quit} quit "),
        format!("{working}{help} help "),
        working.clone(),
        String::new(),
    ]
    .into_iter()
    .find(|r| {
        app.status.text.is_empty()
            || usize::from(message_w) + r.chars().count() <= usize::from(area.width)
    })
    .unwrap_or_default();
    let rw = (right.chars().count() as u16).min(area.width);
    let left_area = Rect::new(area.x, area.y, area.width - rw, area.height);
    let style = if app.status.error {
        theme.error()
    } else {
        theme.ok()
    };
    f.render_widget(
        Paragraph::new(Span::styled(format!(" {}", app.status.text), style))
            .wrap(ratatui::widgets::Wrap { trim: false }),
        left_area,
    );
    f.render_widget(
        Paragraph::new(Span::styled(right, theme.dim())),
        Rect::new(area.right() - rw, area.y, rw, 1),
    );
}

/// One help entry as lines: the key column, then the description wrapped to
/// `desc_w` columns (continuations indented under it).
fn help_entry<'a>(
    theme: &super::theme::Theme,
    key: &str,
    what: &str,
    key_w: usize,
    desc_w: usize,
) -> Vec<Line<'a>> {
    let key = if key.chars().count() > key_w - 1 {
        format!("{}… ", key.chars().take(key_w - 2).collect::<String>())
    } else {
        format!("{key:<key_w$}")
    };
    let mut rows: Vec<String> = Vec::new();
    for word in what.split_whitespace() {
        match rows.last_mut() {
            Some(row) if row.chars().count() + 1 + word.chars().count() <= desc_w => {
                row.push(' ');
                row.push_str(word);
            }
            _ => rows.push(word.to_string()),
        }
    }
    if rows.is_empty() {
        rows.push(String::new());
    }
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let k = if i == 0 {
                key.clone()
            } else {
                " ".repeat(key_w)
            };
            Line::from(vec![Span::styled(k, theme.key()), Span::raw(row)])
        })
        .collect()
}

/// Extra help lines of a tab (keys of its dialogs, which no keymap entry names).
fn tab_help(tab: Tab) -> &'static [(&'static str, &'static str)] {
    match tab {
        Tab::Sync => &[
            (
                "f",
                "sync setup: start syncing — first device (shows the key)",
            ),
            ("j", "sync setup: join — enter the key of the first device"),
        ],
        _ => &[],
    }
}

fn draw_help(f: &mut Frame, app: &mut App, area: Rect) {
    let theme = app.theme;
    let section = app.tab.section();
    let mut entries: Vec<(String, String)> = app
        .keymap
        .bindings(section)
        .into_iter()
        .map(|(a, keys)| {
            let ks: Vec<String> = keys.iter().map(|k| k.label()).collect();
            (ks.join(" "), a.describe().to_string())
        })
        .collect();
    for (k, what) in tab_help(app.tab) {
        entries.push((k.to_string(), what.to_string()));
    }
    entries.push((String::new(), String::new()));
    for (k, what) in [
        ("Tab S-Tab", "form: next/prev field"),
        ("←/→", "form: choose (calendar, TLS…)"),
        ("Enter", "form: save"),
        ("ctrl-s", "note editor: save"),
        ("Esc", "close / cancel / clear"),
        ("ctrl-c", "quit from anywhere"),
    ] {
        entries.push((k.to_string(), what.to_string()));
    }
    let key_w = 13usize;
    let rows_avail = area.height.saturating_sub(2) as usize;
    let wrapped = |col_w: u16| -> Vec<Vec<Line<'static>>> {
        let desc_w = (col_w as usize).saturating_sub(key_w + 1).max(8);
        entries
            .iter()
            .map(|(k, d)| help_entry(&theme, k, d, key_w, desc_w))
            .collect()
    };
    // One column when it fits, else two; when two do not fit either, one
    // column that scrolls.
    let one_w = area.width.min(76);
    let one = wrapped(one_w.saturating_sub(2));
    let one_len: usize = one.iter().map(Vec::len).sum();
    let two_w = area.width.min(120);
    let mut columns: Vec<Vec<Line>> = Vec::new();
    let mut width = one_w;
    let mut scrolls = false;
    if one_len <= rows_avail || area.width < 60 {
        columns.push(one.into_iter().flatten().collect());
        scrolls = one_len > rows_avail;
    } else {
        let two = wrapped(two_w.saturating_sub(2) / 2 - 1);
        let mut left = Vec::new();
        let mut right = Vec::new();
        for entry in two {
            if right.is_empty() && left.len() + entry.len() <= rows_avail {
                left.extend(entry);
            } else {
                right.extend(entry);
            }
        }
        if right.len() <= rows_avail {
            width = two_w;
            columns.push(left);
            columns.push(right);
        } else {
            columns.push(one.into_iter().flatten().collect());
            scrolls = true;
        }
    }
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(0);
    let max_scroll = tallest.saturating_sub(rows_avail);
    app.help_scroll = app.help_scroll.min(max_scroll);
    let height = (tallest.min(rows_avail) as u16 + 2).min(area.height);
    let rect = centered(area, width, height);
    f.render_widget(Clear, rect);
    let keys = if scrolls {
        format!(
            " j/k scroll ({}/{}) · Esc close ",
            app.help_scroll + rows_avail.min(tallest),
            tallest
        )
    } else {
        " Esc close · keymap.toml changes these ".to_string()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(
            format!(" Keys: {} ", app.tab.title()),
            theme.title(),
        ))
        .title_bottom(Line::from(keys).centered());
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let col_w = inner.width / columns.len().max(1) as u16;
    for (c, lines) in columns.into_iter().enumerate() {
        let r = Rect::new(
            inner.x + c as u16 * col_w,
            inner.y,
            col_w.saturating_sub(1),
            inner.height,
        );
        let shown: Vec<Line> = lines.into_iter().skip(app.help_scroll).collect();
        f.render_widget(Paragraph::new(shown), r);
    }
}
