//! Invitations in the TUI: rows for the Sync tab (with the events each one
//! overlaps, for the preview), the Calendar tab's badge count, and answering
//! from the worker thread (the same code path as `pim invites accept`).

use chrono::Utc;
use chrono_tz::Tz;
use ratatui::text::{Line, Span};

use super::invite_dialog::InviteReply;
use super::theme::Theme;
use crate::config::accounts::ConfigFile;
use crate::invite::state;
use crate::invite::{Itip, parse_itip};
use crate::mail::answer;
use crate::model::Kind;
use crate::store::Store;

/// One invitation as the Sync tab shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InviteRow {
    pub id: i64,
    pub method: String,
    pub status: String,
    pub summary: String,
    pub start: String,
    pub organizer: String,
    pub attachments: Vec<String>,
    pub error: Option<String>,
    pub note: String,
    /// Our events overlapping the invitation's first occurrence ("HH:MM title").
    pub overlaps: Vec<String>,
    /// A counter-proposal: who proposes, and our event's current start.
    pub proposer: String,
    pub current: String,
}

impl InviteRow {
    /// Waiting for the user's answer (counted in the Calendar tab's badge).
    pub fn needs_answer(&self) -> bool {
        self.error.is_none()
            && (self.status == "new" || self.status == "update")
            && matches!(self.method.as_str(), "REQUEST" | "COUNTER" | "PUBLISH")
    }
}

fn overlaps(store: &Store, itip: &Itip, tz: Tz) -> (String, Vec<String>) {
    let Some((from, to)) = crate::invite::first_window(itip, tz) else {
        return (String::new(), Vec::new());
    };
    let occs = crate::recur::occurrences(&itip.event, from, to, tz).unwrap_or_default();
    let Some(first) = occs.first() else {
        return (String::new(), Vec::new());
    };
    let start = first
        .start
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let (from, to) = (
        first.start.with_timezone(&Utc),
        first.end.with_timezone(&Utc),
    );
    let mut out = Vec::new();
    for r in store
        .events_between(from.timestamp(), to.timestamp(), None)
        .unwrap_or_default()
    {
        if r.uid() == Some(itip.uid.as_str()) {
            continue;
        }
        for o in crate::recur::occurrences(&r, from, to, tz).unwrap_or_default() {
            out.push(format!(
                "{} {}",
                o.start.with_timezone(&tz).format("%H:%M"),
                r.title()
            ));
        }
    }
    (start, out)
}

/// The start of our event a counter-proposal wants to move ("" when unknown).
fn current_start(store: &Store, itip: &Itip, tz: Tz) -> String {
    let Ok(Some(ev)) = crate::invite::apply::local_event(store, &itip.uid) else {
        return String::new();
    };
    let comp = itip
        .recurrence_id
        .as_ref()
        .and_then(|rid| {
            ev.body.overrides.iter().find(|c| {
                c.prop("RECURRENCE-ID")
                    .is_some_and(|p| p.value == rid.value)
            })
        })
        .unwrap_or(&ev.body.main);
    comp.prop("DTSTART")
        .and_then(|p| crate::model::time::When::from_property(p).ok())
        .map(|w| {
            crate::model::tz::instant(&w, &ev.body.timezones, tz)
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Every stored invitation, newest first.
pub fn rows(store: &Store, tz: Tz) -> crate::store::Result<Vec<InviteRow>> {
    let mut out = Vec::new();
    for inv in state::list(store, None)?.into_iter().rev() {
        let mut row = InviteRow {
            id: inv.id,
            status: inv.status.clone(),
            error: inv.error.clone(),
            note: inv.note.clone(),
            attachments: inv
                .attachments
                .iter()
                .map(|a| format!("{} ({} bytes)", a.name, a.size))
                .collect(),
            summary: inv.subject.clone(),
            ..InviteRow::default()
        };
        if inv.error.is_none()
            && let Ok(itip) = parse_itip(&inv.ics, inv.content_method.as_deref())
        {
            row.method = itip.method.as_str().to_string();
            row.summary = itip.summary();
            row.organizer = itip.organizer().map(|o| o.email).unwrap_or_default();
            let (start, over) = overlaps(store, &itip, tz);
            row.start = start;
            if itip.method == crate::invite::Method::Counter {
                row.proposer = itip
                    .attendees()
                    .first()
                    .map(|p| p.email.clone())
                    .unwrap_or_default();
                row.current = current_start(store, &itip, tz);
            }
            if row.needs_answer() {
                row.overlaps = over;
            }
        }
        out.push(row);
    }
    Ok(out)
}

/// config.toml of the profile whose database `store` is.
fn profile_config(store: &Store) -> Result<ConfigFile, String> {
    let home = store
        .path()
        .and_then(|p| p.parent().map(|d| d.to_path_buf()))
        .filter(|d| !d.as_os_str().is_empty())
        .ok_or("the database has no profile directory")?;
    ConfigFile::load(&home.join("config.toml")).map_err(|e| e.to_string())
}

/// After a sync round of the TUI's sync thread: scan INBOX for invitations and
/// send queued replies (as `pim sync` does). A log line when something happened.
pub async fn after_round(
    store: &mut Store,
    mb: &mut crate::mail::ImapMailbox,
    name: &str,
    acc: &crate::config::accounts::Account,
) -> Result<Option<String>, String> {
    let config = profile_config(store)?;
    let (s, _) = crate::mail::answer::settings(&config, acc)?;
    let scan = crate::mail::invites::scan(store, mb, name, &acc.parking_folder, &s).await;
    let mut said = Vec::new();
    if !state::queued(store, name)
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        let cfg = acc.password().map_err(|e| e.to_string()).and_then(|pw| {
            crate::mail::account::smtp_config(acc, &pw).map_err(|e| e.to_string())
        })?;
        let r = crate::mail::invites::send_outbox(store, &cfg, name)
            .await
            .map_err(|e| e.to_string())?;
        if r.sent > 0 || r.waiting > 0 {
            said.push(format!("replies sent {}, waiting {}", r.sent, r.waiting));
        }
    }
    let scan = scan.map_err(|e| e.to_string())?;
    if scan.invitations > 0 {
        said.insert(0, format!("{} new invitations", scan.invitations));
    }
    Ok((!said.is_empty()).then(|| said.join("; ")))
}

/// Answer an invitation or counter-proposal from the worker (network included),
/// as `pim invites accept|…|accept-counter|decline-counter` do; a status line.
pub fn answer(store: &mut Store, reply: &InviteReply) -> Result<String, String> {
    let config = profile_config(store)?;
    let id = reply.id();
    let (acct, _) = state::get(store, id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no invitation {id}"))?;
    let (name, acc) = config.pick(Some(&acct)).map_err(|e| e.to_string())?;
    let (name, acc) = (name.to_string(), acc.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let said = match reply {
        InviteReply::Answer {
            answer,
            calendar,
            comment,
            reply,
            ..
        } => {
            let cal = store
                .resolve_collection(Kind::Event, calendar.as_deref())
                .map_err(|e| e.to_string())?;
            let req = answer::AnswerRequest {
                id,
                answer: *answer,
                calendar: &cal.id,
                comment: comment.as_deref(),
                reply: *reply,
            };
            rt.block_on(answer::answer(store, &name, &acc, &config, req))
        }
        InviteReply::Counter { accept, reply, .. } => {
            let req = answer::CounterRequest {
                id,
                accept: *accept,
                reply: *reply,
            };
            rt.block_on(answer::answer_counter(store, &name, &acc, &config, req))
        }
    };
    said.map_err(|e| e.to_string())
}

/// The title of the Invitations section.
pub fn title(rows: &[InviteRow]) -> String {
    let waiting = rows.iter().filter(|r| r.needs_answer()).count();
    format!(" Invitations ({waiting} to answer) ")
}

/// The Invitations section of the Sync tab: the list, then a preview of the
/// selected one against the calendar.
pub fn section(rows: &[InviteRow], selected: usize, theme: &Theme) -> Vec<Line<'static>> {
    if rows.is_empty() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let marker = if i == selected { "▶ " } else { "  " };
        let status = match &r.error {
            Some(_) => "invalid".to_string(),
            None => r.status.clone(),
        };
        let style = if r.needs_answer() {
            theme.warn()
        } else if r.error.is_some() {
            theme.dim()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::from(vec![
            Span::raw(marker.to_string()),
            Span::styled(format!("{:<9} {:<10} ", r.method, status), style),
            Span::raw(format!("{:<17} {}", r.start, r.summary)),
        ]));
    }
    if let Some(r) = rows.get(selected) {
        lines.push(Line::from(""));
        let label = |t: &str| Span::styled(format!("{t:<14}"), theme.label());
        if let Some(e) = &r.error {
            lines.push(Line::from(vec![label("Problem"), Span::raw(e.clone())]));
        }
        if !r.proposer.is_empty() {
            lines.push(Line::from(vec![
                label("Proposed by"),
                Span::raw(r.proposer.clone()),
            ]));
            lines.push(Line::from(vec![
                label("New time"),
                Span::styled(r.start.clone(), theme.warn()),
            ]));
        }
        if !r.current.is_empty() {
            lines.push(Line::from(vec![
                label("Your time"),
                Span::raw(r.current.clone()),
            ]));
        }
        if !r.organizer.is_empty() && r.proposer.is_empty() {
            lines.push(Line::from(vec![
                label("Organizer"),
                Span::raw(r.organizer.clone()),
            ]));
        }
        if !r.note.is_empty() {
            lines.push(Line::from(vec![label("Note"), Span::raw(r.note.clone())]));
        }
        for a in &r.attachments {
            lines.push(Line::from(vec![label("Attachment"), Span::raw(a.clone())]));
        }
        if r.needs_answer() {
            if r.overlaps.is_empty() {
                lines.push(Line::from(vec![
                    label("Overlaps"),
                    Span::styled("nothing in your calendar", theme.ok()),
                ]));
            }
            for o in &r.overlaps {
                lines.push(Line::from(vec![
                    label("Overlaps"),
                    Span::styled(o.clone(), theme.warn()),
                ]));
            }
        }
    }
    lines.push(Line::from(""));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invite::state::Invitation;

    #[test]
    fn rows_show_the_invitation_and_what_it_overlaps() {
        let mut store = Store::open_in_memory().unwrap();
        let cal = store.default_collection(Kind::Event).unwrap().id;
        let mut busy = crate::model::Record::new(Kind::Event, &cal);
        busy.set_text("SUMMARY", "Dentist");
        busy.body
            .main
            .props
            .push(crate::model::Property::new("DTSTART", "20300105T103000Z"));
        busy.body
            .main
            .props
            .push(crate::model::Property::new("DTEND", "20300105T113000Z"));
        store.write(|w| w.create(&busy)).unwrap();
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n\
                   UID:u1\r\nDTSTAMP:20291201T000000Z\r\nDTSTART:20300105T100000Z\r\n\
                   DTEND:20300105T110000Z\r\nSUMMARY:Planning\r\n\
                   ORGANIZER:mailto:o@example.org\r\nATTENDEE:mailto:me@example.org\r\n\
                   END:VEVENT\r\nEND:VCALENDAR\r\n";
        let inv: Invitation = serde_json::from_value(serde_json::json!({
            "id": 0, "folder": "INBOX", "uidvalidity": 1, "uid": 1, "message_id": "<m@x>",
            "from": "", "subject": "Invitation", "date": "", "calendar_part": "2",
            "content_method": null, "ics": ics,
            "attachments": [{"part": "3", "name": "slides.pdf", "type": "application/pdf", "size": 10}],
            "error": null, "status": "new", "note": "new event",
            "event_id": null, "parked": null, "park_pending": false
        }))
        .unwrap();
        state::insert(&store, "mail", &inv).unwrap();
        let rows = rows(&store, chrono_tz::UTC).unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert!(r.needs_answer());
        assert_eq!(r.summary, "Planning");
        assert_eq!(r.start, "2030-01-05 10:00");
        assert_eq!(r.overlaps, vec!["10:30 Dentist".to_string()]);
        let text: String = section(&rows, 0, &Theme { color: false })
            .iter()
            .map(|l| l.to_string() + "\n")
            .collect();
        assert!(text.contains("Planning"), "{text}");
        assert!(text.contains("slides.pdf"), "{text}");
        assert!(text.contains("10:30 Dentist"), "{text}");
    }

    #[test]
    fn badge_list_and_answer_keys() {
        use super::super::app::Tab;
        use super::super::test_support::World;
        let mut w = World::empty();
        w.keys("n"); // no demo data
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n\
                   UID:u2\r\nDTSTAMP:20291201T000000Z\r\nDTSTART:20300105T100000Z\r\n\
                   SUMMARY:Board meeting\r\nORGANIZER:mailto:o@example.org\r\n\
                   END:VEVENT\r\nEND:VCALENDAR\r\n";
        let inv: Invitation = serde_json::from_value(serde_json::json!({
            "id": 0, "folder": "INBOX", "uidvalidity": 1, "uid": 1, "message_id": "<k@x>",
            "from": "", "subject": "", "date": "", "calendar_part": "2",
            "content_method": null, "ics": ics, "attachments": [],
            "error": null, "status": "new", "note": "", "event_id": null,
            "parked": null, "park_pending": false
        }))
        .unwrap();
        state::insert(&w.store, "mail", &inv).unwrap();
        w.keys("5");
        assert_eq!(w.app.tab, Tab::Sync);
        let screen = w.screen(100, 30);
        assert!(screen.contains("Calendar (1)"), "{screen}");
        assert!(screen.contains("Board meeting"), "{screen}");
        // No profile directory behind an in-memory database: a clear error, no panic.
        w.keys("y");
        assert!(matches!(
            w.app.overlay,
            Some(super::super::app::Overlay::Answer(_))
        ));
        w.key(crossterm::event::KeyCode::Enter);
        assert!(w.app.status.error, "{}", w.app.status.text);
        assert!(
            w.app.status.text.contains("profile"),
            "{}",
            w.app.status.text
        );
    }
}
