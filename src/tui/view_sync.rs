//! The Sync tab: sections laid out top to bottom — status (account, connectivity,
//! last sync, waiting changes, progress), then side by side the conflict queue and
//! the devices, then the log. A new section (e.g. invitations) is one more entry
//! in [`middle_sections`] with its own draw function.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Wrap};

use super::app::App;
use super::sync_thread::Connectivity;
use super::theme::Theme;
use super::worker::SyncStatus;
use crate::sync::review::key_label;

/// A UTC RFC 3339 time as local "YYYY-MM-DD HH:MM".
pub fn local_time(t: &str, tz: Tz) -> String {
    match DateTime::parse_from_rfc3339(t) {
        Ok(d) => d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => t.get(..16).unwrap_or(t).replace('T', " "),
    }
}

fn clock(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M:%S").to_string()
}

/// The connectivity state in words, with its style.
pub fn state_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let (word, style, more) = match &app.pane.state {
        // The reason names CLI commands; here the tab's own keys do it.
        Connectivity::NotConfigured(_) if app.pane.accounts.is_empty() => (
            "not configured",
            t.dim(),
            "press a to add a mail account".into(),
        ),
        Connectivity::NotConfigured(_) => (
            "not configured",
            t.dim(),
            "press i to start syncing (first device) or to join".into(),
        ),
        Connectivity::Idle => ("ready", t.ok(), "press s to sync".into()),
        Connectivity::Connecting => ("connecting", t.warn(), "logging in…".into()),
        Connectivity::Syncing => (
            "syncing",
            t.warn(),
            app.pane.progress.map(|p| p.line()).unwrap_or_default(),
        ),
        Connectivity::Watching(how) => ("watching", t.ok(), how.clone()),
        Connectivity::Offline { retry_at, reason } => (
            "offline",
            t.warn(),
            format!("next retry {} — {reason}", clock(*retry_at, app.tz)),
        ),
        Connectivity::Error(why) => ("error", t.error(), format!("{why} (s tries again)")),
    };
    let mut spans = vec![
        label("State", t),
        Span::styled(word.to_string(), style),
        Span::styled(
            if more.is_empty() {
                String::new()
            } else {
                format!(" — {more}")
            },
            t.dim(),
        ),
    ];
    if let Some(w) = app.sync.as_ref().and_then(|s| s.waiting_epoch.as_ref()) {
        // Nothing was changed here: the user decides (issue 20).
        spans.push(Span::styled(
            format!("; new data from {} waits: T takes it", w.made_by_name),
            t.warn(),
        ));
    }
    Line::from(spans)
}

/// The label column of the status block.
const LABEL_W: usize = 14;

fn label(t: &str, theme: &Theme) -> Span<'static> {
    Span::styled(format!("{t:<LABEL_W$}"), theme.label())
}

/// `line` wrapped at spaces to `width` columns, continuations under the value
/// column: a long state or reason is read whole, not cut at the frame.
fn wrap_status(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if line.width() <= width || width <= LABEL_W + 10 {
        return vec![line];
    }
    let mut out = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut row_w = 0;
    for span in line.spans {
        let style = span.style;
        for piece in span.content.split_inclusive(' ') {
            let w = piece.trim_end().chars().count();
            if row_w + w > width && row_w > LABEL_W {
                out.push(Line::from(std::mem::take(&mut row)));
                row.push(Span::raw(" ".repeat(LABEL_W)));
                row_w = LABEL_W;
            }
            row.push(Span::styled(piece.to_string(), style));
            row_w += piece.chars().count();
        }
    }
    if !row.is_empty() {
        out.push(Line::from(row));
    }
    out
}

fn status_lines(app: &App, s: Option<&SyncStatus>, width: usize) -> Vec<Line<'static>> {
    unwrapped_status_lines(app, s)
        .into_iter()
        .flat_map(|l| wrap_status(l, width))
        .collect()
}

fn unwrapped_status_lines(app: &App, s: Option<&SyncStatus>) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    for (i, a) in app.pane.accounts.iter().enumerate() {
        let head = if i == 0 { "Accounts" } else { "" };
        let role = if a.syncs { " (sync)" } else { "" };
        lines.push(Line::from(vec![
            label(head, t),
            Span::styled(a.name.clone(), t.title()),
            Span::styled(role, t.ok()),
            Span::raw(format!(" — {}", a.what)),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::from(vec![
            label("Accounts", t),
            Span::styled("none yet: a adds one (or `pim account add`)", t.dim()),
        ]));
    }
    lines.push(state_line(app));
    let Some(s) = s else {
        lines.push(Line::from(Span::styled("loading…", t.dim())));
        return lines;
    };
    let last = match &s.last_sync {
        Some(when) => format!(
            "{} — {}",
            local_time(when, app.tz),
            s.last_summary.as_deref().unwrap_or("done")
        ),
        None => "never".into(),
    };
    lines.push(Line::from(vec![label("Last sync", t), Span::raw(last)]));
    if let Some(lost) = s
        .last_summary
        .as_deref()
        .filter(|l| l.starts_with(crate::sync::progress::LOST_FOLDERS))
    {
        // Worth its own line: the server lost data, this device put it back.
        let what = lost.split(", ").next().unwrap_or(lost);
        lines.push(Line::from(vec![
            label("Server", t),
            Span::styled(what.to_string(), t.warn()),
        ]));
    }
    let newest = s
        .recent
        .first()
        .map(|(when, kind, what)| format!(" (newest: {what} {kind}, {})", local_time(when, app.tz)))
        .unwrap_or_default();
    lines.push(Line::from(vec![
        label("To upload", t),
        Span::styled(
            format!("{} changes", s.pending),
            if s.pending > 0 { t.warn() } else { t.ok() },
        ),
        Span::styled(newest, t.dim()),
    ]));
    if s.held > 0 {
        lines.push(Line::from(vec![
            label("Waiting here", t),
            Span::styled(
                format!(
                    "{} received changes not applied yet (sync off or --collection)",
                    s.held
                ),
                t.warn(),
            ),
        ]));
    }
    lines
}

fn draw_status(f: &mut Frame, app: &App, area: Rect, lines: Vec<Line<'static>>) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Sync ", app.theme.title()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let n = lines.len() as u16;
    f.render_widget(Paragraph::new(lines), inner);
    if let Some(p) = app.pane.progress
        && inner.height > n
    {
        let bar = Rect::new(inner.x, inner.y + n, inner.width, 1);
        let gauge = Gauge::default()
            .gauge_style(app.theme.selected())
            .ratio(p.ratio().unwrap_or(0.0))
            .label(p.line());
        f.render_widget(gauge, bar);
    }
}

fn draw_conflicts(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let list = app
        .sync
        .as_ref()
        .map(|s| s.conflicts.as_slice())
        .unwrap_or(&[]);
    let title = format!(" Conflicts ({}) ", list.len());
    let keys = " Enter resolve · H history ";
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, t.title()));
    if area.width as usize >= keys.chars().count() + 4 {
        block = block.title_bottom(Line::from(keys).centered());
    }
    let mut lines = Vec::new();
    if list.is_empty() {
        lines.push(Line::from(Span::styled("none waiting", t.dim())));
    }
    let rows = block.inner(area).height as usize;
    let skip = app.pane.cursor.saturating_sub(rows.saturating_sub(1));
    for (i, c) in list.iter().enumerate().skip(skip) {
        let style = if i == app.pane.cursor {
            t.selected()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} {}", c.kind, c.title), style),
            Span::styled(
                format!("  {}: mine / {}", key_label(&c.key), c.theirs.device_name),
                t.dim(),
            ),
        ]));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_devices(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let legend = " applied: of this device's ";
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Devices ", t.title()));
    if area.width as usize >= legend.chars().count() + 4 {
        block = block.title_bottom(Line::from(legend).centered());
    }
    let width = block.inner(area).width as usize;
    let mut lines = Vec::new();
    let devices = app
        .sync
        .as_ref()
        .map(|s| s.devices.as_slice())
        .unwrap_or(&[]);
    if devices.is_empty() {
        lines.push(Line::from(Span::styled("no other device yet", t.dim())));
    }
    for d in devices {
        // Two devices may carry one name (older pims named every profile after
        // the host): then the start of the id tells them apart.
        let shared = devices.iter().filter(|o| o.name == d.name).count() > 1;
        let name = if d.name.is_empty() {
            d.device.clone()
        } else if shared {
            format!("{} ({})", d.name, d.device.get(..8).unwrap_or(&d.device))
        } else {
            d.name.clone()
        };
        let (how_far, style) = if d.this_device {
            ("this device".to_string(), t.ok())
        } else if d.forgotten {
            ("forgotten".to_string(), t.dim())
        } else if d.applied_mine >= d.mine {
            ("up to date".to_string(), t.ok())
        } else {
            (format!("applied {}/{}", d.applied_mine, d.mine), t.warn())
        };
        let seen = match DateTime::parse_from_rfc3339(&d.last_seen) {
            _ if d.this_device => String::new(),
            Ok(at) => format!("  seen {}", at.with_timezone(&app.tz).format("%b %d %H:%M")),
            Err(_) => String::new(),
        };
        // Narrow: the state matters more than when the device was seen.
        let full = name.chars().count() + seen.chars().count() + 2 + how_far.chars().count();
        let seen = if full > width { String::new() } else { seen };
        lines.push(Line::from(vec![
            Span::raw(name),
            Span::styled(seen, t.dim()),
            Span::raw("  "),
            Span::styled(how_far, style),
        ]));
        // The fingerprint to compare with the device itself, and a refused key
        // change until the user dismisses it.
        if let Some(key) = &d.key {
            lines.push(Line::from(Span::styled(format!("key {key}"), t.dim())));
        }
        if let Some(note) = &d.refused {
            lines.push(Line::from(Span::styled(format!("! {note}"), t.warn())));
        }
    }
    f.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

fn draw_log(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Log ", t.title()))
        .title_bottom(Line::from(" s sync now · PgUp/PgDn scroll ").centered());
    let rows = block.inner(area).height as usize;
    let log = &app.pane.log;
    let end = log.len().saturating_sub(app.pane.log_scroll);
    let start = end.saturating_sub(rows);
    let mut lines: Vec<Line> = log
        .iter()
        .skip(start)
        .take(end - start)
        .map(|(at, line)| {
            Line::from(vec![
                Span::styled(format!("{} ", clock(*at, app.tz)), t.dim()),
                Span::raw(line.clone()),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::from(Span::styled("nothing yet", t.dim())));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}

type Section = fn(&mut Frame, &App, Rect);

/// The keys of the Invitations section, for the selected row: a counter-proposal
/// is taken or refused, an invitation accepted, answered tentatively or declined.
fn invitation_keys(app: &App) -> String {
    use super::action::Action;
    let key = |a| app.keymap.hint("sync", a);
    let select = format!("{}/{}", key(Action::NextItem), key(Action::PrevItem));
    let counter = app
        .invites
        .get(app.invite_selected)
        .is_some_and(|r| r.method == "COUNTER");
    if counter {
        format!(
            " {} take new time · {} keep yours · {select} ",
            key(Action::AcceptInvite),
            key(Action::DeclineInvite)
        )
    } else {
        format!(
            " {} accept · {} tentative · {} decline · {select} ",
            key(Action::AcceptInvite),
            key(Action::TentativeInvite),
            key(Action::DeclineInvite)
        )
    }
}

fn draw_invitations(f: &mut Frame, app: &App, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(
            super::invites::title(&app.invites),
            app.theme.title(),
        ))
        .title_bottom(Line::from(invitation_keys(app)).centered());
    let lines = super::invites::section(&app.invites, app.invite_selected, &app.theme);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// The sections side by side in the middle band, with their width shares
/// (invitations only once there are some).
fn middle_sections(app: &App) -> Vec<(Section, u16)> {
    if app.invites.is_empty() {
        vec![(draw_conflicts, 55), (draw_devices, 45)]
    } else {
        vec![
            (draw_invitations, 45),
            (draw_conflicts, 30),
            (draw_devices, 25),
        ]
    }
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let lines = status_lines(
        app,
        app.sync.as_ref(),
        area.width.saturating_sub(2) as usize,
    );
    let status_rows = lines.len() as u16 + 2 + u16::from(app.pane.progress.is_some());
    let [status, middle, log] = Layout::vertical([
        Constraint::Length(status_rows),
        Constraint::Min(4),
        Constraint::Length(6),
    ])
    .areas(area);
    draw_status(f, app, status, lines);
    let sections = middle_sections(app);
    let areas = Layout::horizontal(
        sections
            .iter()
            .map(|(_, share)| Constraint::Percentage(*share)),
    )
    .split(middle);
    for ((draw_section, _), rect) in sections.iter().zip(areas.iter()) {
        draw_section(f, app, *rect);
    }
    draw_log(f, app, log);
}
