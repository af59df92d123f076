//! The reminder popup: reminders this TUI rings (claimed in the store, so an
//! open TUI and `pim remind --watch` on the same profile do not both ring one) show
//! over any tab; `d` dismisses, `s` / `S` snooze 10 minutes / an hour, Enter opens
//! the record, Esc hides the popup (the reminders stay due, counted in the status line).

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::app::{App, Overlay};
use super::theme::Theme;
use super::worker::{Request, Response};
use crate::app::reminders::{self, Reminder};
use crate::model::Record;
use crate::store::Store;

/// A reminder ringing in the popup, with its record (to open it).
#[derive(Debug, Clone, PartialEq)]
pub struct Ringing {
    pub reminder: Reminder,
    pub record: Record,
}

/// What the popup shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Popup {
    pub items: Vec<Ringing>,
    pub selected: usize,
}

/// Dismiss or snooze one reminder.
#[derive(Debug, Clone, PartialEq)]
pub struct Act {
    pub id: String,
    /// The occurrence's start as `pim remind --occurrence` takes it.
    pub occurrence: String,
    pub snooze: Option<Duration>,
    pub now: DateTime<Utc>,
}

// ----- worker side -----

/// The reminders to ring now (claimed for this process) and how many are due.
pub fn check(
    store: &Store,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Response, reminders::RemindError> {
    let mut ringing = Vec::new();
    for r in reminders::claim_due(store, now, tz)? {
        if let Some(record) = store.get(&r.id)? {
            ringing.push(Ringing {
                reminder: r,
                record,
            });
        }
    }
    let due = reminders::due(store, now, tz)?.len();
    Ok(Response::Reminders { ringing, due })
}

/// Dismiss or snooze; the message for the status line.
pub fn act(store: &mut Store, a: &Act, tz: Tz) -> Result<Response, reminders::RemindError> {
    let done = match a.snooze {
        Some(d) => reminders::snooze(store, &a.id, d, Some(&a.occurrence), a.now, tz)?,
        None => reminders::dismiss(store, &a.id, Some(&a.occurrence), a.now, tz)?,
    };
    let what = done.first().map(|r| r.summary.clone()).unwrap_or_default();
    let message = match a.snooze {
        Some(d) => format!("snoozed {what:?} for {} min", d.num_minutes()),
        None => format!("dismissed {what:?}"),
    };
    Ok(Response::Reminded(message))
}

fn occurrence_text(r: &Reminder) -> String {
    if r.all_day {
        r.start.format("%Y-%m-%d").to_string()
    } else {
        r.start.to_rfc3339()
    }
}

// ----- app side -----

impl App {
    /// Look for reminders to ring (the event loop calls this on start and every
    /// half minute; tests call it with their own clock).
    pub fn check_reminders(&mut self) {
        self.request(Request::Reminders { now: self.now });
    }

    /// The worker's answer: count the due ones, ring the new ones.
    pub(super) fn on_reminders(&mut self, ringing: Vec<Ringing>, due: usize) {
        self.reminders_due = due;
        // One set of keys, not a scan per new reminder: thousands can ring at once.
        let mut known: std::collections::HashSet<String> =
            self.ringing.iter().map(|x| x.reminder.key()).collect();
        for r in ringing {
            if known.insert(r.reminder.key()) {
                self.ringing.push(r);
            }
        }
        self.show_ringing();
    }

    /// Open the popup when reminders ring and nothing else is open.
    pub(super) fn show_ringing(&mut self) {
        if self.overlay.is_none() && !self.ringing.is_empty() {
            self.overlay = Some(Overlay::Reminders(Box::new(Popup {
                items: self.ringing.clone(),
                selected: 0,
            })));
        }
    }

    pub(super) fn on_reminders_key(&mut self, mut p: Box<Popup>, key: KeyEvent) -> Option<Overlay> {
        let n = p.items.len();
        let chosen = p.items.get(p.selected).cloned();
        let act = |snooze| {
            chosen.as_ref().map(|r| Act {
                id: r.reminder.id.clone(),
                occurrence: occurrence_text(&r.reminder),
                snooze,
                now: self.now,
            })
        };
        let request = match key.code {
            KeyCode::Esc | KeyCode::Char('q') => {
                self.ringing.clear();
                return None;
            }
            KeyCode::Down | KeyCode::Char('j') => {
                p.selected = (p.selected + 1).min(n.saturating_sub(1));
                return Some(Overlay::Reminders(p));
            }
            KeyCode::Up | KeyCode::Char('k') => {
                p.selected = p.selected.saturating_sub(1);
                return Some(Overlay::Reminders(p));
            }
            KeyCode::Char('d') => act(None),
            KeyCode::Char('s') => act(Some(Duration::minutes(10))),
            KeyCode::Char('S') => act(Some(Duration::hours(1))),
            KeyCode::Enter | KeyCode::Char('o') => {
                let r = chosen?;
                self.forget_ringing(&r);
                self.jump_to(&r.record);
                if r.record.kind == crate::model::Kind::Event {
                    let day = r.reminder.start.with_timezone(&self.tz).date_naive();
                    let day = if r.reminder.all_day {
                        r.reminder.start.date_naive()
                    } else {
                        day
                    };
                    self.calendar.goto(day);
                    if let Some(req) = self.calendar.load_request() {
                        self.request(req);
                    }
                }
                return None;
            }
            _ => return Some(Overlay::Reminders(p)),
        };
        let a = request?;
        if let Some(r) = chosen {
            self.forget_ringing(&r);
        }
        self.request(Request::Remind(a));
        p.items = self.ringing.clone();
        p.selected = p.selected.min(p.items.len().saturating_sub(1));
        if p.items.is_empty() {
            None
        } else {
            Some(Overlay::Reminders(p))
        }
    }

    fn forget_ringing(&mut self, r: &Ringing) {
        self.ringing
            .retain(|x| x.reminder.key() != r.reminder.key());
    }
}

/// The popup: one line per reminder, the keys at the bottom.
pub fn draw(f: &mut Frame, p: &Popup, area: Rect, theme: &Theme, tz: Tz) {
    let h = u16::try_from(p.items.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2)
        .min(area.height);
    let rect = super::ui::centered(area, 64, h);
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Reminder ", theme.title()))
        .title_bottom(
            Line::from(" d dismiss · s snooze 10m · S 1h · Enter open · Esc hide ").centered(),
        );
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    // Only the rows that fit, scrolled so the selected one (what `d` acts on) shows.
    let rows = usize::from(inner.height.max(1));
    let first = p.selected.saturating_sub(rows - 1);
    let lines: Vec<Line> = p
        .items
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, r)| {
            let m = &r.reminder;
            let when = if m.all_day {
                m.start.format("%a %d %b").to_string()
            } else {
                m.start
                    .with_timezone(&tz)
                    .format("%a %d %b %H:%M")
                    .to_string()
            };
            let mut text = format!("{when}  {}", m.summary);
            if let Some(l) = &m.location {
                text.push_str(&format!(" ({l})"));
            }
            let style = if i == p.selected {
                theme.selected()
            } else {
                ratatui::style::Style::default()
            };
            Line::from(Span::styled(text, style))
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests;
