//! Tasks: due date and priority order, subtasks indented, detail on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

use super::app::App;
use super::lists::{due_of, priority};

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(area);
    let tasks = &app.tasks;
    let title = format!(" Tasks: {} ({}) ", tasks.filter.label(), tasks.rows.len());
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(left);
    f.render_widget(block, left);
    let now = app.now_local();
    if !tasks.loaded {
        f.render_widget(Paragraph::new(Span::styled("loading…", theme.dim())), inner);
    } else if tasks.rows.is_empty() {
        let msg = format!(
            "No {} tasks. Press a to add, f to change the filter.",
            tasks.filter.label()
        );
        f.render_widget(Paragraph::new(Span::styled(msg, theme.dim())), inner);
    } else {
        let h = inner.height as usize;
        let sel = tasks.cursor.selected;
        let first = sel.saturating_sub(h.saturating_sub(1));
        let items: Vec<ListItem> = tasks.rows[first..(first + h).min(tasks.rows.len())]
            .iter()
            .map(|&(i, depth)| {
                let r = &tasks.all[i];
                let meta = r.task.as_ref().expect("tasks carry meta");
                let done = meta.done;
                let check = if done { "[x]" } else { "[ ]" };
                let due = match meta.due {
                    Some((d, true)) => d.format("%Y-%m-%d").to_string(),
                    Some((d, false)) => d.format("%m-%d %H:%M").to_string(),
                    None => String::new(),
                };
                let due_style = if meta.overdue(now) {
                    theme.error()
                } else {
                    theme.dim()
                };
                let p = meta.priority;
                let prio = if p <= 9 { format!("!{p}") } else { "  ".into() };
                let prio_style = if p <= 3 { theme.warn() } else { theme.dim() };
                let title_style = if done {
                    theme.dim()
                } else {
                    ratatui::style::Style::default()
                };
                ListItem::new(Line::from(vec![
                    Span::raw(format!("{}{check} ", "  ".repeat(depth))),
                    Span::styled(format!("{prio} "), prio_style),
                    Span::styled(r.title.clone(), title_style),
                    Span::styled(format!("  {due}"), due_style),
                ]))
            })
            .collect();
        let mut state = ListState::default().with_selected(Some(sel - first));
        f.render_stateful_widget(
            List::new(items).highlight_style(theme.selected()),
            inner,
            &mut state,
        );
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Task ", theme.title()));
    let inner = block.inner(right);
    f.render_widget(block, right);
    let Some(r) = tasks.selected() else {
        return;
    };
    let mut lines = vec![Line::from(Span::styled(r.title(), theme.title()))];
    let mut field = |label: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<10}"), theme.label()),
                Span::raw(v),
            ]));
        }
    };
    field("Status", r.text("STATUS").map(|s| s.to_lowercase()));
    field(
        "Due",
        due_of(r, app.tz).map(|(d, date)| {
            if date {
                d.format("%a %d %b %Y").to_string()
            } else {
                d.format("%a %d %b %Y %H:%M").to_string()
            }
        }),
    );
    field(
        "Repeats",
        r.prop("RRULE")
            .map(|p| crate::recur::describe::describe_rrule(&p.value)),
    );
    let p = priority(r);
    field("Priority", if p <= 9 { Some(p.to_string()) } else { None });
    field("Done", r.text("PERCENT-COMPLETE").map(|p| format!("{p}%")));
    field(
        "List",
        app.collection(&r.collection).map(|c| c.name.clone()),
    );
    if let Some(parent) = super::lists::parent_of(r) {
        field("Part of", tasks.title_of_uid(&parent));
    }
    if let Some(d) = r.text("DESCRIPTION") {
        lines.push(Line::from(""));
        lines.extend(d.lines().map(|l| Line::from(l.to_string())));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
