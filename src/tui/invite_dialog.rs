//! The answer dialog of the Sync tab's invitations. It offers what the CLI offers:
//! `pim invites accept|tentative|decline ID --calendar C --comment TEXT [--no-reply]`
//! and `pim invites accept-counter|decline-counter ID [--no-reply]`, on the record
//! form's fields; choices (calendar, reply) cycle with ←/→ or space.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::form::{Field, Form, FormOutcome};
use super::input::LineInput;
use super::invites::InviteRow;
use crate::invite::Answer;
use crate::model::{Collection, Kind};

/// What the worker is asked to do: the CLI's arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum InviteReply {
    /// accept / tentative / decline; `calendar` by name (`None`: the default one).
    Answer {
        id: i64,
        answer: Answer,
        calendar: Option<String>,
        comment: Option<String>,
        reply: bool,
    },
    /// A counter-proposal for an event we organise: take its time or keep ours.
    Counter { id: i64, accept: bool, reply: bool },
}

impl InviteReply {
    pub fn id(&self) -> i64 {
        match self {
            InviteReply::Answer { id, .. } | InviteReply::Counter { id, .. } => *id,
        }
    }
}

const CALENDAR: &str = "Calendar";
const COMMENT: &str = "Comment";
const REPLY: &str = "Reply";
const KEYS: &str = " Enter send · Tab next field · ←/→ choose · Esc cancel ";

#[derive(Debug, Clone, PartialEq)]
pub struct AnswerDialog {
    pub form: Form,
    id: i64,
    /// `None` for a counter-proposal.
    answer: Option<Answer>,
    /// For a counter-proposal: take the proposed time.
    accept: bool,
    /// Names of the calendars to choose from, and the chosen one.
    calendars: Vec<String>,
    calendar: usize,
    reply: bool,
}

fn reply_field(hint: &'static str) -> Field {
    Field::new(REPLY, hint, "yes")
}

fn form(title: String, fields: Vec<Field>) -> Form {
    Form {
        title,
        kind: Kind::Event,
        base: None,
        parent: None,
        fields,
        focus: 0,
        error: None,
        keys: KEYS,
    }
}

impl AnswerDialog {
    /// Accept / tentative / decline `row`. A new event goes to the chosen calendar
    /// of `collections` (the default calendar first chosen).
    pub fn answer(row: &InviteRow, answer: Answer, collections: &[Collection]) -> AnswerDialog {
        let default_id = crate::store::default_collection_id(Kind::Event);
        let events: Vec<&Collection> = collections
            .iter()
            .filter(|c| c.kind == Kind::Event)
            .collect();
        let calendar = events.iter().position(|c| c.id == default_id).unwrap_or(0);
        let calendars: Vec<String> = events.iter().map(|c| c.name.clone()).collect();
        let shown = calendars
            .get(calendar)
            .cloned()
            .unwrap_or_else(|| crate::store::default_collection_name(Kind::Event).into());
        let mut fields = vec![Field::new(
            CALENDAR,
            "←/→ choose; for a new event (an update stays put)",
            &shown,
        )];
        // Only a REQUEST is answered by mail; a PUBLISH is just filed.
        if row.method == "REQUEST" {
            fields.push(Field::new(COMMENT, "optional, for the organizer", ""));
            fields.push(reply_field(
                "yes: mail the organizer · no: change the calendar only",
            ));
        }
        let verb = match answer {
            Answer::Accept => "Accept",
            Answer::Tentative => "Tentative",
            Answer::Decline => "Decline",
        };
        AnswerDialog {
            form: form(format!("{verb}: {}", row.summary), fields),
            id: row.id,
            answer: Some(answer),
            accept: false,
            calendars,
            calendar,
            reply: row.method == "REQUEST",
        }
    }

    /// Take (`accept`) or refuse the time an attendee proposed in `row`.
    pub fn counter(row: &InviteRow, accept: bool) -> AnswerDialog {
        let title = if accept {
            format!("Take the proposed time {}: {}", row.start, row.summary)
        } else {
            format!("Keep your time: {}", row.summary)
        };
        AnswerDialog {
            form: form(
                title,
                vec![reply_field("yes: mail the attendee · no: tell nobody")],
            ),
            id: row.id,
            answer: None,
            accept,
            calendars: Vec::new(),
            calendar: 0,
            reply: true,
        }
    }

    fn focused(&self) -> &'static str {
        self.form.fields[self.form.focus].label
    }

    fn set(&mut self, label: &str, value: &str) {
        if let Some(f) = self.form.fields.iter_mut().find(|f| f.label == label) {
            f.input = LineInput::new(value);
        }
    }

    /// Move the focused choice one step (`forward` or back).
    fn cycle(&mut self, forward: bool) {
        match self.focused() {
            CALENDAR if !self.calendars.is_empty() => {
                let n = self.calendars.len();
                self.calendar = if forward {
                    (self.calendar + 1) % n
                } else {
                    (self.calendar + n - 1) % n
                };
                let name = self.calendars[self.calendar].clone();
                self.set(CALENDAR, &name);
            }
            REPLY => {
                self.reply = !self.reply;
                self.set(REPLY, if self.reply { "yes" } else { "no" });
            }
            _ => {}
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FormOutcome {
        let choice = matches!(self.focused(), CALENDAR | REPLY);
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Left if choice => self.cycle(false),
            KeyCode::Right | KeyCode::Char(' ') if choice => self.cycle(true),
            // A choice is not typed into.
            KeyCode::Char(_) | KeyCode::Backspace | KeyCode::Delete if choice && !ctrl => {}
            _ => return self.form.handle(key),
        }
        FormOutcome::Continue
    }

    /// The request the dialog makes when sent.
    pub fn reply(&self) -> InviteReply {
        match self.answer {
            Some(answer) => InviteReply::Answer {
                id: self.id,
                answer,
                calendar: self.calendars.get(self.calendar).cloned(),
                comment: self
                    .form
                    .fields
                    .iter()
                    .find(|f| f.label == COMMENT)
                    .map(|f| f.value().to_string())
                    .filter(|c| !c.is_empty()),
                reply: self.reply,
            },
            None => InviteReply::Counter {
                id: self.id,
                accept: self.accept,
                reply: self.reply,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(method: &str) -> InviteRow {
        InviteRow {
            id: 4,
            method: method.into(),
            status: crate::app::invites::InvitationStatus::New,
            summary: "Planning".into(),
            start: "2030-01-05 10:00".into(),
            ..InviteRow::default()
        }
    }

    fn cal(id: &str, name: &str) -> Collection {
        Collection {
            id: id.into(),
            kind: Kind::Event,
            name: name.into(),
            color: None,
            sync: true,
            default_alarms: None,
        }
    }

    fn press(d: &mut AnswerDialog, code: KeyCode) -> FormOutcome {
        d.handle(&KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn calendar_cycles_comment_is_typed_reply_toggles() {
        let cals = [
            cal("work", "work"),
            cal(
                &crate::store::default_collection_id(Kind::Event),
                "calendar",
            ),
            Collection {
                kind: Kind::Task,
                ..cal("tasks", "todo")
            },
        ];
        let mut d = AnswerDialog::answer(&row("REQUEST"), Answer::Accept, &cals);
        assert_eq!(
            d.form.field(CALENDAR).unwrap().value(),
            "calendar",
            "default first"
        );
        press(&mut d, KeyCode::Char('x'));
        assert_eq!(
            d.form.field(CALENDAR).unwrap().value(),
            "calendar",
            "not typed into"
        );
        press(&mut d, KeyCode::Right);
        assert_eq!(
            d.form.field(CALENDAR).unwrap().value(),
            "work",
            "wraps around"
        );
        press(&mut d, KeyCode::Tab);
        for c in "see you".chars() {
            press(&mut d, KeyCode::Char(c));
        }
        press(&mut d, KeyCode::Tab);
        press(&mut d, KeyCode::Char(' '));
        assert_eq!(d.form.field(REPLY).unwrap().value(), "no");
        assert_eq!(press(&mut d, KeyCode::Enter), FormOutcome::Submit);
        assert_eq!(
            d.reply(),
            InviteReply::Answer {
                id: 4,
                answer: Answer::Accept,
                calendar: Some("work".into()),
                comment: Some("see you".into()),
                reply: false,
            }
        );
    }

    #[test]
    fn publish_has_no_reply_and_counter_only_a_reply() {
        let d = AnswerDialog::answer(&row("PUBLISH"), Answer::Accept, &[]);
        let labels: Vec<&str> = d.form.fields.iter().map(|f| f.label).collect();
        assert_eq!(labels, vec![CALENDAR]);
        match d.reply() {
            InviteReply::Answer {
                calendar, reply, ..
            } => assert_eq!((calendar, reply), (None, false)),
            other => panic!("{other:?}"),
        }
        let mut d = AnswerDialog::counter(&row("COUNTER"), true);
        assert_eq!(
            d.reply(),
            InviteReply::Counter {
                id: 4,
                accept: true,
                reply: true
            }
        );
        press(&mut d, KeyCode::Left);
        assert_eq!(press(&mut d, KeyCode::Esc), FormOutcome::Cancel);
        assert_eq!(
            d.reply(),
            InviteReply::Counter {
                id: 4,
                accept: true,
                reply: false
            }
        );
    }
}
