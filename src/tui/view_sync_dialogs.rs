//! Drawing the conflict dialog (base / mine / theirs side by side) and a record's
//! history.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::sync_pane::{ConflictDialog, HistoryDialog};
use super::theme::Theme;
use super::view_sync::local_time;
use crate::app::history::{field_label, key_label, readable_value};

/// `s` cut or padded to exactly `w` columns.
fn cell(s: &str, w: usize) -> String {
    let mut out: String = s.chars().take(w.saturating_sub(1)).collect();
    if s.chars().count() >= w && w > 1 {
        out.pop();
        out.push('…');
    }
    format!("{out:<w$}")
}

fn frame(f: &mut Frame, area: Rect, theme: &Theme, title: String, keys: &str) -> Rect {
    let rect = Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()))
        .title_bottom(Line::from(keys.to_string()).centered());
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    inner
}

pub fn draw_conflict(
    f: &mut Frame,
    d: &ConflictDialog,
    area: Rect,
    theme: &Theme,
    tz: crate::model::zonedb::Tz,
) {
    let rows = d.rows();
    let Some(first) = rows.first() else {
        return;
    };
    let title = format!(
        " Conflict · {} {:?} · {} record(s) left ",
        first.kind,
        first.title,
        d.records_left()
    );
    let keys = " m mine · t theirs · b both · K keep both records · e edit · a all · s skip · Esc ";
    let inner = frame(f, area, theme, title, keys);
    let w = inner.width as usize;
    let field_w = 12.min(w / 5);
    let col = (w.saturating_sub(field_w + 2)) / 3;
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "  {}{}{}{}",
            cell("FIELD", field_w),
            cell("BASE", col),
            cell("MINE", col),
            cell("THEIRS", col)
        ),
        theme.label(),
    ))];
    for (i, c) in rows.iter().enumerate() {
        let selected = i == d.row;
        let style = if selected {
            theme.selected()
        } else {
            Style::default()
        };
        let marker = if selected { "> " } else { "  " };
        lines.push(Line::from(Span::styled(
            format!(
                "{marker}{}{}{}{}",
                cell(&key_label(&c.key), field_w),
                cell(&c.base_text, col),
                cell(&c.mine.text, col),
                cell(&c.theirs.text, col)
            ),
            style,
        )));
        let who = |name: &str, when: &str| {
            if when.is_empty() {
                name.to_string()
            } else {
                format!("{name}, {}", local_time(when, tz))
            }
        };
        lines.push(Line::from(Span::styled(
            format!(
                "  {}{}{}{}",
                cell("", field_w),
                cell("", col),
                cell(&who(&c.mine.device_name, &c.mine.when), col),
                cell(&who(&c.theirs.device_name, &c.theirs.when), col)
            ),
            theme.dim(),
        )));
    }
    lines.push(Line::from(""));
    if let Some(c) = d.selected() {
        let both = if c.set_valued {
            "b keeps both values (multi-valued)"
        } else {
            "K keeps both records (theirs as a copy)"
        };
        lines.push(Line::from(Span::styled(both, theme.dim())));
    }
    lines.push(Line::from(vec![
        Span::styled("same choice for all remaining: ", theme.label()),
        Span::styled(
            if d.same_for_all { "on" } else { "off" },
            if d.same_for_all {
                theme.warn()
            } else {
                theme.dim()
            },
        ),
        Span::styled("  (a toggles)", theme.dim()),
    ]));
    if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(e.clone(), theme.error())));
    }
    let used = lines.len() as u16;
    f.render_widget(Paragraph::new(lines), inner);
    if let Some(input) = &d.editing
        && inner.height > used + 1
    {
        let y = inner.y + used + 1;
        f.render_widget(
            Paragraph::new(Span::styled(
                "merged value (Enter keeps it):",
                theme.label(),
            )),
            Rect::new(inner.x, y - 1, inner.width, 1),
        );
        input.render(
            f,
            Rect::new(inner.x, y, inner.width, 1),
            Style::default(),
            true,
        );
    }
}

pub fn draw_history(
    f: &mut Frame,
    h: &HistoryDialog,
    area: Rect,
    theme: &Theme,
    tz: crate::model::zonedb::Tz,
) {
    let title = format!(" History · {:?} ", h.title);
    let inner = frame(
        f,
        area,
        theme,
        title,
        " r restore the selected value · j/k move · Esc ",
    );
    let w = inner.width as usize;
    let (when_w, dev_w, what_w, field_w) = (17, 12, 8, 12);
    let value_w = w.saturating_sub(when_w + dev_w + what_w + field_w + 2);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "  {}{}{}{}{}",
            cell("WHEN", when_w),
            cell("DEVICE", dev_w),
            cell("WHAT", what_w),
            cell("FIELD", field_w),
            cell("VALUE", value_w)
        ),
        theme.label(),
    ))];
    let rows = inner.height.saturating_sub(1) as usize;
    let skip = h.cursor.saturating_sub(rows.saturating_sub(1));
    for (i, &(e, fi)) in h.rows.iter().enumerate().skip(skip).take(rows) {
        let entry = &h.entries[e];
        // Fields and values in words; a value's lines stay apart on one row.
        let words = |key: &str, v: &str| readable_value(key, v, tz).replace('\n', " ⏎ ");
        let (field, value) = match entry.fields.get(fi) {
            Some(fd) if fd.old.is_empty() => (field_label(&fd.key), words(&fd.key, &fd.new)),
            Some(fd) => (
                field_label(&fd.key),
                format!("{} → {}", words(&fd.key, &fd.old), words(&fd.key, &fd.new)),
            ),
            None => (String::new(), String::new()),
        };
        let selected = i == h.cursor;
        let style = if selected {
            theme.selected()
        } else if entry.what == "lost" {
            theme.warn()
        } else {
            Style::default()
        };
        let marker = if selected { "> " } else { "  " };
        lines.push(Line::from(Span::styled(
            format!(
                "{marker}{}{}{}{}{}",
                cell(&local_time(&entry.when, tz), when_w),
                cell(&entry.device_name, dev_w),
                cell(&entry.what, what_w),
                cell(&field, field_w),
                cell(&value, value_w)
            ),
            style,
        )));
    }
    if h.rows.is_empty() {
        lines.push(Line::from(Span::styled("no changes logged", theme.dim())));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
