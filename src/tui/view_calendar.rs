//! Drawing the calendar: month grid, week list, agenda, and the detail pane.

use chrono::{Datelike, Duration, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::app::App;
use super::calendar::{CalMode, grid_start, week_start};
use super::worker::Occ;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let detail_w = if area.width >= 100 { 36 } else { 26 };
    let [main, detail] =
        Layout::horizontal([Constraint::Min(40), Constraint::Length(detail_w)]).areas(area);
    match app.calendar.mode {
        CalMode::Month => month(f, app, main),
        CalMode::Week => week(f, app, main),
        CalMode::Agenda => agenda(f, app, main),
    }
    details(f, app, detail);
}

fn occ_style(app: &App, o: &Occ) -> Style {
    let style = app.theme.collection(app.collection(&o.record.collection));
    if o.cancelled {
        // Listed like Thunderbird does: still there, visibly off.
        style.add_modifier(Modifier::CROSSED_OUT)
    } else {
        style
    }
}

/// The title as listed; cancelled occurrences carry a tag too (not every
/// terminal draws strike-through). `short` is for the narrow month cells.
fn occ_title(o: &Occ, short: bool) -> String {
    match (o.cancelled, short) {
        (false, _) => o.title(),
        (true, true) => format!("✗ {}", o.title()),
        (true, false) => format!("cancelled: {}", o.title()),
    }
}

fn time_label(o: &Occ, d: NaiveDate) -> String {
    if o.all_day || o.start.date() < d {
        "all-day".into()
    } else {
        o.start.format("%H:%M").to_string()
    }
}

fn truncate(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        return s.to_string();
    }
    let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// The first of `candidates` that fits in `w` columns (else the last, cut).
fn fitted(candidates: &[String], w: usize) -> String {
    candidates
        .iter()
        .find(|c| c.chars().count() <= w)
        .cloned()
        .unwrap_or_else(|| truncate(candidates.last().map_or("", |c| c), w))
}

fn title_block<'a>(app: &App, title: String) -> Block<'a> {
    let loading = app.calendar.loaded.is_none();
    Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), app.theme.title()))
        .title_bottom(Line::from(if loading { " loading… " } else { "" }))
}

fn month(f: &mut Frame, app: &App, area: Rect) {
    let cal = &app.calendar;
    let block = title_block(app, cal.selected.format("%B %Y").to_string());
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height < 3 || inner.width < 14 {
        return;
    }
    let col_w = inner.width / 7;
    let header_style = app.theme.label();
    for (i, name) in WEEKDAYS.iter().enumerate() {
        let r = Rect::new(inner.x + i as u16 * col_w, inner.y, col_w, 1);
        f.render_widget(Paragraph::new(Span::styled(*name, header_style)), r);
    }
    let rows_h = inner.height - 1;
    let row_h = (rows_h / 6).max(1);
    let start = grid_start(cal.selected);
    for week in 0..6u16 {
        for wd in 0..7u16 {
            let d = start + Duration::days((week * 7 + wd) as i64);
            let rect = Rect::new(
                inner.x + wd * col_w,
                inner.y + 1 + week * row_h,
                col_w,
                row_h,
            );
            if rect.bottom() > inner.bottom() {
                continue;
            }
            cell(f, app, d, rect);
        }
    }
}

fn cell(f: &mut Frame, app: &App, d: NaiveDate, rect: Rect) {
    let cal = &app.calendar;
    let theme = &app.theme;
    let w = rect.width.saturating_sub(1) as usize;
    let mut num_style = if d.month() == cal.selected.month() {
        Style::default()
    } else {
        theme.dim()
    };
    if d == app.today {
        num_style = num_style.patch(theme.today());
    }
    if d == cal.selected {
        num_style = num_style.patch(theme.selected());
    }
    let n = cal.day_len(d);
    let room = rect.height.saturating_sub(1) as usize;
    // The events are listed below the day (with "+N more" when they do not all
    // fit); only a cell too short to list any says how many, with a word.
    let count = if n > 0 && room == 0 {
        fitted(&[format!(" {n} events"), " •".into()], w.saturating_sub(2))
    } else {
        String::new()
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{:>2}", d.day()), num_style),
        Span::styled(count, theme.dim()),
    ])];
    // The selected event stays visible even when the day is fuller than the cell.
    let first = if d == cal.selected && room > 1 {
        (cal.item + 2).saturating_sub(room)
    } else {
        0
    };
    for i in first..n {
        let Some(o) = cal.day_item(d, i) else {
            break;
        };
        if lines.len() > room {
            break;
        }
        if lines.len() == room && n > i + 1 {
            let k = n - i;
            let more = fitted(
                &[format!("+{k} more"), format!("{k} more"), format!("+{k}")],
                w,
            );
            lines.push(Line::from(Span::styled(more, theme.dim())));
            break;
        }
        let mut style = occ_style(app, o);
        if d == cal.selected && i == cal.item {
            style = style.patch(theme.selected());
        }
        lines.push(Line::from(Span::styled(
            truncate(&occ_title(o, true), w),
            style,
        )));
    }
    f.render_widget(Paragraph::new(lines), rect);
}

fn event_line<'a>(app: &App, o: &Occ, d: NaiveDate, selected: bool, width: usize) -> Line<'a> {
    let mut style = occ_style(app, o);
    if selected {
        style = style.patch(app.theme.selected());
    }
    let time = time_label(o, d);
    let loc = o
        .record
        .text("LOCATION")
        .map(|l| format!("  @{l}"))
        .unwrap_or_default();
    let text = truncate(
        &format!("{}{loc}", occ_title(o, false)),
        width.saturating_sub(10),
    );
    Line::from(vec![
        Span::styled(format!("  {time:<7} "), app.theme.dim()),
        Span::styled(text, style),
    ])
}

fn day_header<'a>(app: &App, d: NaiveDate) -> Line<'a> {
    let mut style = app.theme.label();
    if d == app.today {
        style = style.patch(app.theme.today());
    }
    let mut text = d.format("%a %d %b").to_string();
    if d == app.today {
        text.push_str("  today");
    }
    Line::from(Span::styled(text, style))
}

fn week(f: &mut Frame, app: &App, area: Rect) {
    let cal = &app.calendar;
    let start = week_start(cal.selected);
    let end = start + Duration::days(6);
    let title = format!(
        "Week {} · {} – {}",
        cal.selected.iso_week().week(),
        start.format("%d %b"),
        end.format("%d %b %Y")
    );
    let block = title_block(app, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    // Lay out (day, item) rows first; build styled lines only for the rows in view
    // (a busy week can hold thousands of occurrences).
    let mut rows: Vec<(NaiveDate, Option<usize>)> = Vec::new();
    let mut selected_line = 0;
    for i in 0..7 {
        let d = start + Duration::days(i);
        if d == cal.selected {
            selected_line = rows.len();
        }
        rows.push((d, None));
        for j in 0..cal.day_len(d) {
            if d == cal.selected && j == cal.item {
                selected_line = rows.len();
            }
            rows.push((d, Some(j)));
        }
    }
    let h = inner.height as usize;
    let first = (selected_line + 2).saturating_sub(h);
    let lines: Vec<Line> = rows
        .iter()
        .skip(first)
        .take(h)
        .map(
            |&(d, item)| match item.and_then(|j| cal.day_item(d, j).map(|o| (j, o))) {
                Some((j, o)) => {
                    let sel = d == cal.selected && j == cal.item;
                    event_line(app, o, d, sel, inner.width as usize)
                }
                None => {
                    let mut h = day_header(app, d);
                    if d == cal.selected {
                        h = h.patch_style(app.theme.selected());
                    }
                    h
                }
            },
        )
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn agenda(f: &mut Frame, app: &App, area: Rect) {
    let cal = &app.calendar;
    let (from, to) = cal.window();
    let title = format!(
        "Agenda · {} – {}",
        from.format("%d %b"),
        (to - Duration::days(1)).format("%d %b %Y")
    );
    let block = title_block(app, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    // Rows: a day header, then its events; only the rows in view become items.
    let mut rows: Vec<(NaiveDate, Option<usize>)> = Vec::new();
    let mut selected = 0;
    let mut last_day = None;
    for (d, i) in cal.agenda_rows() {
        if last_day != Some(d) {
            rows.push((d, None));
            last_day = Some(d);
        }
        if d == cal.selected && i == cal.item {
            selected = rows.len();
        }
        rows.push((d, Some(i)));
    }
    if rows.is_empty() {
        let msg = if cal.loaded.is_some() {
            "No events in these weeks. Press a to add one."
        } else {
            ""
        };
        f.render_widget(Paragraph::new(Span::styled(msg, app.theme.dim())), inner);
        return;
    }
    let h = inner.height as usize;
    let first = (selected + 1).saturating_sub(h);
    let lines: Vec<Line> = rows
        .iter()
        .skip(first)
        .take(h)
        .map(
            |&(d, item)| match item.and_then(|i| cal.day_item(d, i).map(|o| (i, o))) {
                Some((i, o)) => {
                    let sel = d == cal.selected && i == cal.item;
                    event_line(app, o, d, sel, inner.width as usize)
                }
                None => day_header(app, d),
            },
        )
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn details(f: &mut Frame, app: &App, area: Rect) {
    let cal = &app.calendar;
    let theme = &app.theme;
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", cal.selected.format("%a %d %b")),
        theme.title(),
    ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines: Vec<Line> = Vec::new();
    let n = cal.day_len(cal.selected);
    if n == 0 {
        lines.push(Line::from(Span::styled("No events.", theme.dim())));
    }
    // At most a third of the pane lists the day; the rest shows the selected event.
    let room = (inner.height as usize / 3).max(3);
    let first = (cal.item + 1).saturating_sub(room);
    for i in first..n.min(first + room) {
        let Some(o) = cal.day_item(cal.selected, i) else {
            break;
        };
        let mut style = occ_style(app, o);
        if i == cal.item {
            style = style.patch(theme.selected());
        }
        let t = time_label(o, cal.selected);
        lines.push(Line::from(vec![
            Span::styled(format!("{t:<6} "), theme.dim()),
            Span::styled(occ_title(o, false), style),
        ]));
    }
    if n > first + room {
        lines.push(Line::from(Span::styled(
            format!("… {} more", n - first - room),
            theme.dim(),
        )));
    }
    if let Some(o) = cal.selected_occ() {
        let r = &o.record;
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(o.title(), theme.title())));
        let when = if o.all_day {
            let last = o.end.date() - Duration::days(1);
            if last > o.start.date() {
                format!(
                    "{} – {}",
                    o.start.format("%a %d %b"),
                    last.format("%a %d %b")
                )
            } else {
                format!("{} (all day)", o.start.format("%a %d %b"))
            }
        } else if o.end.date() != o.start.date() {
            format!(
                "{} – {}",
                o.start.format("%d %b %H:%M"),
                o.end.format("%d %b %H:%M")
            )
        } else {
            format!(
                "{} {}–{}",
                o.start.format("%a %d %b"),
                o.start.format("%H:%M"),
                o.end.format("%H:%M")
            )
        };
        lines.push(Line::from(when));
        let mut field = |label: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                lines.push(Line::from(vec![
                    Span::styled(format!("{label}: "), theme.label()),
                    Span::raw(v),
                ]));
            }
        };
        field(
            "Where",
            o.component().prop("LOCATION").map(|p| p.text_value()),
        );
        field(
            "Calendar",
            app.collection(&r.collection).map(|c| c.name.clone()),
        );
        field(
            "Repeats",
            r.prop("RRULE")
                .map(|p| crate::recur::describe::describe_rrule(&p.value)),
        );
        let attendees: Vec<String> = r
            .props_named("ATTENDEE")
            .map(|p| {
                p.param("CN")
                    .map(str::to_string)
                    .unwrap_or_else(|| p.value.trim_start_matches("mailto:").to_string())
            })
            .collect();
        field(
            "With",
            if attendees.is_empty() {
                None
            } else {
                Some(attendees.join(", "))
            },
        );
        if let Some(d) = r.text("DESCRIPTION") {
            lines.push(Line::from(""));
            lines.extend(d.lines().map(|l| Line::from(l.to_string())));
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Modifier;

    use crate::store::Store;
    use crate::tui::test_support::{World, today};

    /// The demo data with "Sprint planning" cancelled (STATUS:CANCELLED).
    fn cancelled_planning() -> World {
        let mut store = Store::open_in_memory().unwrap();
        crate::app::demo::load_with(&mut store, today(), |r| {
            r.remove("RRULE");
            r.remove("EXDATE");
            if r.title() == "Sprint planning" {
                r.set_text("STATUS", "CANCELLED");
            }
        })
        .unwrap();
        World::with_store(store)
    }

    #[test]
    fn the_details_say_a_repeat_rule_in_words() {
        use crate::model::{Kind, Property, Record};
        let mut store = Store::open_in_memory().unwrap();
        let cal = store.default_collection(Kind::Event).unwrap().id;
        let mut r = Record::new(Kind::Event, &cal);
        r.set_text("SUMMARY", "Standup");
        let start = format!("{}T093000Z", today().format("%Y%m%d"));
        r.body.main.props.push(Property::new("DTSTART", start));
        r.body
            .main
            .props
            .push(Property::new("RRULE", "FREQ=WEEKLY;INTERVAL=2;COUNT=6"));
        store.write(|w| w.create(&r)).unwrap();
        let mut w = World::with_store(store);
        let screen = w.screen(140, 40);
        assert!(screen.contains("every other week, 6 times"), "{screen}");
        assert!(!screen.contains("FREQ="), "{screen}");
    }

    #[test]
    fn cancelled_events_stay_listed_and_are_marked() {
        let mut w = cancelled_planning();
        let occ = w
            .app
            .calendar
            .occs
            .iter()
            .find(|o| o.record.title() == "Sprint planning")
            .expect("a cancelled event is still listed");
        assert!(occ.cancelled);
        let screen = w.screen(140, 40);
        assert!(screen.contains("✗ Sprint pla"), "{screen}");
        assert!(!screen.contains("✗ Team"), "{screen}");
        // Struck through where the terminal can: only the cancelled title.
        let mut t = Terminal::new(TestBackend::new(140, 40)).unwrap();
        t.draw(|f| crate::tui::ui::draw(f, &mut w.app)).unwrap();
        let buf = t.backend().buffer();
        let struck: String = buf
            .content()
            .iter()
            .filter(|c| c.modifier.contains(Modifier::CROSSED_OUT))
            .map(|c| c.symbol())
            .collect();
        assert_eq!(struck, "✗ Sprint pla…");
    }
}
