//! The Sync tab. For now local status: this device, changes waiting to upload and
//! the last sync. The sync-pane work adds accounts, connectivity, devices, the log
//! and conflicts as further sections of [`sections`].

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::theme::Theme;
use super::worker::SyncStatus;

/// The sections of the Sync tab, top to bottom, as lines.
pub fn sections(s: &SyncStatus, theme: &Theme) -> Vec<Line<'static>> {
    let label = |t: &str| Span::styled(format!("{t:<22}"), theme.label());
    let mut lines = vec![
        Line::from(Span::styled("This device", theme.title())),
        Line::from(vec![label("Device id"), Span::raw(s.device.clone())]),
        Line::from(vec![label("Records"), Span::raw(s.records.to_string())]),
        Line::from(vec![
            label("Last sync"),
            Span::raw(s.last_sync.clone().unwrap_or_else(|| "never".into())),
        ]),
        Line::from(vec![
            label("Changes not uploaded"),
            Span::styled(
                s.pending.to_string(),
                if s.pending > 0 {
                    theme.warn()
                } else {
                    theme.ok()
                },
            ),
        ]),
        Line::from(""),
    ];
    if !s.recent.is_empty() {
        lines.push(Line::from(Span::styled(
            "Waiting to upload (newest first)",
            theme.title(),
        )));
        for (when, kind, what) in &s.recent {
            let when = when.get(..19).unwrap_or(when).replace('T', " ");
            lines.push(Line::from(vec![
                Span::styled(format!("{when}  "), theme.dim()),
                Span::raw(format!("{what} {kind}")),
            ]));
        }
        if s.pending > s.recent.len() {
            lines.push(Line::from(Span::styled(
                format!("… and {} more", s.pending - s.recent.len()),
                theme.dim(),
            )));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::from(Span::styled(
        "No mail account is set up: `pim account add` and `pim sync init` start syncing.",
        theme.dim(),
    )));
    lines
}

pub fn draw(f: &mut Frame, app: &super::app::App, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Sync ", app.theme.title()));
    let lines = match &app.sync {
        Some(s) => {
            let mut l = super::invites::section(&app.invites, app.invite_selected, &app.theme);
            l.extend(sections(s, &app.theme));
            l
        }
        None => vec![Line::from(Span::styled("loading…", app.theme.dim()))],
    };
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
