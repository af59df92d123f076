//! Invitations in the TUI: rows for the Sync tab (with the events each one
//! overlaps, for the preview), the Calendar tab's badge count, and answering
//! from the worker thread (the same code path as `pim invites accept`).

use crate::model::zonedb::Tz;
use ratatui::text::{Line, Span};

use super::invite_dialog::InviteReply;
use super::theme::Theme;
use crate::app::invites::{
    self as app, AnswerRequest, CounterRequest, InvitationStatus, InviteError, Method,
};
use crate::config::accounts::ConfigFile;
use crate::model::Kind;
use crate::store::{Store, StoreError};

/// One invitation as the Sync tab shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct InviteRow {
    pub id: i64,
    pub method: String,
    pub status: InvitationStatus,
    pub summary: String,
    pub start: String,
    pub organizer: String,
    pub attachments: Vec<String>,
    pub error: Option<String>,
    pub note: String,
    /// Waiting for the user's answer (see [`app::needs_answer`]).
    pub waiting: bool,
    /// Our events overlapping the invitation's first occurrence ("HH:MM title").
    pub overlaps: Vec<String>,
    /// A counter-proposal: who proposes, and our event's current start.
    pub proposer: String,
    pub current: String,
    /// The message's From header, and what the receiving server verified
    /// about it (DKIM/SPF/DMARC, "" when it said nothing).
    pub from: String,
    pub mail_checks: String,
    /// The invitation's recurrence in words ("" for a single event).
    pub repeats: String,
}

impl Default for InviteRow {
    fn default() -> Self {
        InviteRow {
            id: 0,
            method: String::new(),
            status: InvitationStatus::New,
            summary: String::new(),
            start: String::new(),
            organizer: String::new(),
            attachments: Vec::new(),
            error: None,
            note: String::new(),
            waiting: false,
            overlaps: Vec::new(),
            proposer: String::new(),
            current: String::new(),
            from: String::new(),
            mail_checks: String::new(),
            repeats: String::new(),
        }
    }
}

impl InviteRow {
    /// Waiting for the user's answer (counted in the Calendar tab's badge).
    pub fn needs_answer(&self) -> bool {
        self.waiting
    }
}

/// Why the Sync tab's invitation work failed.
#[derive(Debug, thiserror::Error)]
pub enum InviteTabError {
    #[error("the database has no profile directory (config.toml is found next to it)")]
    NoProfile,
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Invite(#[from] InviteError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start the network runtime: {0}")]
    Runtime(std::io::Error),
}

fn minutes(t: &chrono::DateTime<chrono::FixedOffset>, tz: Tz, format: &str) -> String {
    t.with_timezone(&tz).format(format).to_string()
}

/// The start of our event a counter-proposal wants to move ("" when unknown).
fn current_start(ev: &crate::model::Record, itip: &app::Itip, tz: Tz) -> String {
    app::our_component(ev, itip)
        .prop("DTSTART")
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
pub fn rows(store: &Store, tz: Tz) -> Result<Vec<InviteRow>, InviteError> {
    let mut out = Vec::new();
    for inv in app::list(store, None)?.into_iter().rev() {
        let mut row = InviteRow {
            id: inv.id,
            status: inv.status,
            error: inv.error.clone(),
            note: inv.note.clone(),
            attachments: inv
                .attachments
                .iter()
                // `~`: estimated from the encoded size (the server has no BINARY).
                .map(|a| {
                    let about = if a.size_exact { "" } else { "~" };
                    format!("{} ({about}{} bytes)", a.name, a.size)
                })
                .collect(),
            summary: inv.subject.clone(),
            from: inv.from.clone(),
            mail_checks: app::authentication(&inv)
                .map(|a| a.short())
                .unwrap_or_default(),
            ..InviteRow::default()
        };
        match app::itip_of(&inv) {
            Err(why) => row.error = Some(why.to_string()),
            Ok(itip) => {
                row.method = itip.method.as_str().to_string();
                row.summary = itip.summary();
                row.organizer = itip.organizer().map(|o| o.email).unwrap_or_default();
                row.repeats = itip
                    .event
                    .prop("RRULE")
                    .map(|p| crate::recur::describe::describe_rrule(&p.value))
                    .unwrap_or_default();
                row.waiting = app::needs_answer(&inv, &itip);
                if let Some(over) = app::overlaps(store, &itip, tz)? {
                    row.start = minutes(&over.first.start, tz, "%Y-%m-%d %H:%M");
                    if row.waiting {
                        row.overlaps = over
                            .events
                            .iter()
                            .map(|o| {
                                format!("{} {}", minutes(&o.when.start, tz, "%H:%M"), o.summary)
                            })
                            .collect();
                    }
                }
                if itip.method == Method::Counter {
                    row.proposer = itip
                        .attendees()
                        .first()
                        .map(|p| p.email.clone())
                        .unwrap_or_default();
                    if let Some(ev) = app::local_event(store, &itip)? {
                        row.current = current_start(&ev, &itip, tz);
                    }
                }
            }
        }
        out.push(row);
    }
    Ok(out)
}

/// config.toml of the profile whose database `store` is.
fn profile_config(store: &Store) -> Result<ConfigFile, InviteTabError> {
    let home = store
        .path()
        .and_then(|p| p.parent().map(|d| d.to_path_buf()))
        .filter(|d| !d.as_os_str().is_empty())
        .ok_or(InviteTabError::NoProfile)?;
    ConfigFile::load(&home.join("config.toml")).map_err(|e| InviteTabError::Config(e.to_string()))
}

/// Answer an invitation or counter-proposal from the worker (network included),
/// as `pim invites accept|…|accept-counter|decline-counter` do; a status line.
pub fn answer(store: &mut Store, reply: &InviteReply) -> Result<String, InviteTabError> {
    let config = profile_config(store)?;
    let id = reply.id();
    let (acct, _) = app::get(store, id)?;
    let (name, acc) = config
        .pick(Some(&acct))
        .map_err(|e| InviteTabError::Config(e.to_string()))?;
    let (name, acc) = (name.to_string(), acc.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(InviteTabError::Runtime)?;
    match reply {
        InviteReply::Answer {
            answer,
            calendar,
            comment,
            reply,
            ..
        } => {
            let cal = store.resolve_collection(Kind::Event, calendar.as_deref())?;
            let req = AnswerRequest {
                id,
                answer: *answer,
                calendar: &cal.id,
                comment: comment.as_deref(),
                reply: *reply,
            };
            let done = rt.block_on(app::answer(store, &name, &acc, &config, &req))?;
            Ok(done.to_string())
        }
        InviteReply::Counter { accept, reply, .. } => {
            let req = CounterRequest {
                id,
                accept: *accept,
                reply: *reply,
            };
            let done = rt.block_on(app::answer_counter(store, &name, &acc, &config, &req))?;
            Ok(done.to_string())
        }
    }
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
            Some(_) => InvitationStatus::Invalid.as_str(),
            None => r.status.as_str(),
        };
        let style = if r.status == InvitationStatus::Suspicious {
            theme.error()
        } else if r.needs_answer() {
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
        if !r.repeats.is_empty() {
            lines.push(Line::from(vec![
                label("Repeats"),
                Span::raw(r.repeats.clone()),
            ]));
        }
        if !r.organizer.is_empty() && r.proposer.is_empty() {
            lines.push(Line::from(vec![
                label("Organizer"),
                Span::raw(r.organizer.clone()),
            ]));
        }
        if !r.note.is_empty() {
            let note = if r.status == InvitationStatus::Suspicious {
                Span::styled(format!("not applied: {}", r.note), theme.error())
            } else {
                Span::raw(r.note.clone())
            };
            lines.push(Line::from(vec![label("Note"), note]));
        }
        if !r.from.is_empty() {
            lines.push(Line::from(vec![label("From"), Span::raw(r.from.clone())]));
        }
        if !r.mail_checks.is_empty() {
            lines.push(Line::from(vec![
                label("Mail checks"),
                Span::raw(r.mail_checks.clone()),
            ]));
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
    use crate::app::invites::Invitation;

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
        store.insert_invitation("mail", &inv).unwrap();
        let rows = rows(&store, crate::model::zonedb::UTC).unwrap();
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
    fn a_suspicious_invitation_shows_why_and_the_mail_checks() {
        let row = InviteRow {
            method: "REQUEST".into(),
            status: InvitationStatus::Suspicious,
            note: "sent by mallory@evil.example, but you organise this event".into(),
            from: "Mallory <mallory@evil.example>".into(),
            mail_checks: "dkim=fail spf=fail (mx.example.org)".into(),
            ..InviteRow::default()
        };
        let text: String = section(&[row], 0, &Theme { color: false })
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(text.contains("suspicious"), "{text}");
        assert!(text.contains("not applied: sent by mallory"), "{text}");
        assert!(text.contains("dkim=fail spf=fail"), "{text}");
    }

    #[test]
    fn a_recurring_invitation_says_its_rule_in_words() {
        let store = Store::open_in_memory().unwrap();
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n\
                   UID:u2\r\nDTSTAMP:20291201T000000Z\r\nDTSTART:20300107T100000Z\r\n\
                   RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20300331T235959Z\r\nSUMMARY:Standup\r\n\
                   ORGANIZER:mailto:o@example.org\r\nATTENDEE:mailto:me@example.org\r\n\
                   END:VEVENT\r\nEND:VCALENDAR\r\n";
        let mut inv = Invitation::found("INBOX", 1, 1);
        inv.message_id = "<r@x>".into();
        inv.ics = ics.into();
        inv.status = InvitationStatus::New;
        store.insert_invitation("mail", &inv).unwrap();
        let rows = rows(&store, crate::model::zonedb::UTC).unwrap();
        let text: String = section(&rows, 0, &Theme { color: false })
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(
            text.contains("every week on Mon, Wed until 31 Mar 2030"),
            "{text}"
        );
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
        w.store.insert_invitation("mail", &inv).unwrap();
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
