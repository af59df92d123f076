//! Drawing the Sync tab's setup: the "Add account" form with the check's
//! progress line, and the dialog to start syncing or join (the key shown once).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::sync_setup::{AccountForm, SetupDialog, SetupStep};
use super::theme::Theme;

pub fn draw_account_form(f: &mut Frame, form: &AccountForm, area: Rect, theme: &Theme) {
    form.form.render(f, area, theme);
    if let Some(line) = &form.checking {
        let rect = form.form.frame_rect(area);
        let y = rect.bottom().saturating_sub(3);
        let inner = Rect::new(rect.x + 1, y, rect.width.saturating_sub(2), 2);
        f.render_widget(Clear, inner);
        f.render_widget(
            Paragraph::new(Span::styled(format!("⟳ {line}"), theme.warn()))
                .wrap(Wrap { trim: true }),
            inner,
        );
    }
}

fn key_line(theme: &Theme, keys: &[(&'static str, &'static str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (k, what) in keys {
        spans.push(Span::styled(k.to_string(), theme.key()));
        spans.push(Span::raw(format!(" {what}   ")));
    }
    Line::from(spans)
}

/// A sync key under its heading, with the warning that it is a secret.
fn secret_key(lines: &mut Vec<Line<'static>>, theme: &Theme, heading: &'static str, key: &str) {
    lines.push(Line::from(heading));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(key.to_string(), theme.title())));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "It is a secret: whoever has it can read everything you sync.",
        theme.warn(),
    )));
}

pub fn draw_setup(f: &mut Frame, d: &SetupDialog, area: Rect, theme: &Theme) {
    let mut lines: Vec<Line> = Vec::new();
    let mut keys = " Esc later ";
    match &d.step {
        SetupStep::Choose => {
            lines.push(Line::from(format!(
                "Account {} is ready. Is this the first device to sync?",
                d.account
            )));
            lines.push(Line::from(""));
            lines.push(key_line(theme, &[("f", "start syncing — first device")]));
            lines.push(Line::from(Span::styled(
                "   creates pim's folders on the server and a key for the others",
                theme.dim(),
            )));
            lines.push(key_line(
                theme,
                &[("j", "join — another device syncs already")],
            ));
            lines.push(Line::from(Span::styled(
                "   asks for the key the first device showed",
                theme.dim(),
            )));
        }
        SetupStep::JoinKey(_) => {
            lines.push(Line::from(
                "The sync key (or passphrase) of the first device:",
            ));
            lines.push(Line::from(""));
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "It shows on the first device when sync starts there.",
                theme.dim(),
            )));
            keys = " Enter join · Esc back ";
        }
        SetupStep::Working(line) => {
            lines.push(Line::from(Span::styled(format!("⟳ {line}"), theme.warn())));
            keys = " working… ";
        }
        SetupStep::Forget { devices, chosen } => {
            lines.push(Line::from(
                "Forget which device? (one that is lost or gone)",
            ));
            lines.push(Line::from(""));
            for (i, (id, name)) in devices.iter().enumerate() {
                let short: String = id.chars().take(8).collect();
                let text = format!("{} {name} ({short})", if i == *chosen { "›" } else { " " });
                let style = if i == *chosen {
                    theme.title()
                } else {
                    theme.dim()
                };
                lines.push(Line::from(Span::styled(text, style)));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "It stops holding back cleanup; it keeps the key until you replace it.",
                theme.dim(),
            )));
            keys = " ↑/↓ choose · Enter forget · Esc cancel ";
        }
        SetupStep::ConfirmRekey(forgot) => {
            if let Some(name) = forgot {
                lines.push(Line::from(format!(
                    "{name} is forgotten, but it still holds the sync key."
                )));
            }
            lines.push(Line::from("Replace the sync key?"));
            lines.push(Line::from(""));
            lines.push(Line::from(
                "Everything on the server is sealed again under a new key; a device with",
            ));
            lines.push(Line::from("the old key reads nothing new."));
            lines.push(Line::from(Span::styled(
                "Every device that stays joins again with the new key (shown once).",
                theme.warn(),
            )));
            keys = " y replace the key · Esc not now ";
        }
        SetupStep::ConfirmEpoch(question) => {
            lines.push(Line::from(
                "Another device replaced the server's data (replace-remote or a new key).",
            ));
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(question.clone(), theme.title())));
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "Records this device has and the snapshot lacks are dropped here.",
                theme.warn(),
            )));
            keys = " y replace · Esc not now ";
        }
        SetupStep::NewKey(key) => {
            secret_key(
                &mut lines,
                theme,
                "The sync key was replaced. The new key (shown once):",
                key,
            );
            lines.push(Line::from(
                "On every device that stays: `pim sync join --key NEW` (its unsent edits are kept).",
            ));
            lines.push(Line::from(Span::styled(
                "Copy: c (the terminal's clipboard), or select it with the mouse.",
                theme.dim(),
            )));
            keys = " c copy · Enter/Esc close ";
        }
        SetupStep::ShowKey(key) => {
            secret_key(
                &mut lines,
                theme,
                "Sync is on. Enter this key on your other devices:",
                key,
            );
            lines.push(Line::from(
                "Keep it in a password manager; i on the Sync tab shows it again.",
            ));
            lines.push(Line::from(Span::styled(
                "Copy: c (the terminal's clipboard), or select it with the mouse \
                 (Shift+drag in tmux and most terminals).",
                theme.dim(),
            )));
            lines.push(Line::from(Span::styled(
                "There: Sync tab, a (the same account), then j — or `pim sync join`.",
                theme.dim(),
            )));
            keys = " c copy · Enter done ";
        }
    }
    if let Some(e) = &d.error {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(e.clone(), theme.error())));
    }
    let width = area.width.saturating_sub(4).min(76);
    // Wrapped lines may need more rows than there are lines.
    let rows: u16 = lines
        .iter()
        .map(|l| {
            (l.width() as u16)
                .div_ceil(width.saturating_sub(2).max(1))
                .max(1)
        })
        .sum();
    let rect = super::ui::centered(area, width, rows + 2);
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(
            match d.step {
                SetupStep::Forget { .. } => " Forget a device ",
                SetupStep::ConfirmRekey(_) | SetupStep::NewKey(_) => " Replace the sync key ",
                SetupStep::ConfirmEpoch(_) => " New data from another device ",
                _ => " Start syncing ",
            },
            theme.title(),
        ))
        .title_bottom(Line::from(keys).centered());
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if let SetupStep::JoinKey(input) = &d.step
        && inner.height > 1
    {
        input.render(
            f,
            Rect::new(inner.x, inner.y + 1, inner.width, 1),
            ratatui::style::Style::default(),
            true,
        );
    }
}
