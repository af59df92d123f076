//! Edits (create, edit, delete, done, undo) and the worker's responses.

use super::{App, Overlay, Tab};
use crate::app::records::{Field, RecordEdit};
use crate::model::Collection;
use crate::model::{Kind, Record};
use crate::tui::forms;
use crate::tui::note_editor::NoteEditor;
use crate::tui::worker::{Edit, Request, Response};

impl App {
    /// Show `r` in its tab, selected.
    pub fn jump_to(&mut self, r: &Record) {
        self.switch(Tab::of_kind(r.kind));
        let (now, tz) = (self.now_local(), self.tz);
        match r.kind {
            Kind::Event => {
                let day = r
                    .prop("DTSTART")
                    .and_then(|p| crate::model::time::When::from_property(p).ok())
                    .map(|w| forms::local_naive(&w, r, tz).date())
                    .unwrap_or(self.today);
                self.calendar.goto(day);
                self.calendar.focus_record = Some(r.id.clone());
                match self.calendar.load_request() {
                    Some(req) => self.request(req),
                    None => {
                        let (from, to) = self.calendar.loaded.unwrap_or(self.calendar.window());
                        let occs = std::mem::take(&mut self.calendar.occs);
                        self.calendar.set_occs(from, to, occs, None);
                    }
                }
            }
            Kind::Contact => {
                if !self.contacts.select_id(&r.id) {
                    self.contacts.focus_record = Some(r.id.clone());
                }
            }
            Kind::Note => {
                if !self.notes.select_id(&r.id) {
                    self.notes.focus_record = Some(r.id.clone());
                }
            }
            Kind::Task => {
                if !self.tasks.select_id(&r.id, now) {
                    self.tasks.focus_record = Some(r.id.clone());
                }
            }
        }
    }

    // ----- edits -----

    pub fn selected_record_id(&self) -> Option<String> {
        self.selected_record().map(|r| r.id.clone())
    }

    pub(super) fn selected_record(&self) -> Option<&Record> {
        match self.tab {
            Tab::Calendar => self.calendar.selected_occ().map(|o| o.record.as_ref()),
            Tab::Contacts => self.contacts.selected(),
            Tab::Tasks => self.tasks.selected(),
            Tab::Notes => self.notes.selected(),
            Tab::Sync => None,
        }
    }

    pub(super) fn default_collection_id(&self, kind: Kind) -> String {
        let of_kind: Vec<&Collection> =
            self.collections.iter().filter(|c| c.kind == kind).collect();
        of_kind
            .iter()
            .find(|c| c.name == crate::store::default_collection_name(kind))
            .or(of_kind.first())
            .map(|c| c.id.clone())
            .unwrap_or_default()
    }

    pub(super) fn open_create(&mut self, parent: Option<String>) {
        let Some(kind) = self.tab.kind() else {
            return;
        };
        if self.collections.is_empty() {
            self.error("still loading collections, try again");
            return;
        }
        if kind == Kind::Note {
            let coll = self.default_collection_id(Kind::Note);
            self.overlay = Some(Overlay::Note(Box::new(NoteEditor::new(None, &coll))));
            return;
        }
        let mut form = forms::form_for(kind, None, self.calendar.selected, &self.form_ctx());
        if let Some(p) = parent {
            let title = self.tasks.title_of_uid(&p).unwrap_or_default();
            form.title = format!("New subtask of {title}");
            form.parent = Some(p);
        }
        self.overlay = Some(Overlay::Form(Box::new(form)));
    }

    /// Whether the calendar's selection is a computed birthday or anniversary.
    fn birthday_selected(&self) -> bool {
        self.tab == Tab::Calendar
            && self
                .selected_record()
                .is_some_and(|r| r.kind == Kind::Contact)
    }

    pub(super) fn open_edit(&mut self) {
        let Some(r) = self.selected_record().cloned() else {
            self.info("nothing selected");
            return;
        };
        if self.birthday_selected() {
            // Read-only: it opens the contact it comes from.
            self.jump_to(&r);
            return;
        }
        if r.is_recurring() && self.ask_scope(false) {
            return;
        }
        self.open_form(&r);
    }

    /// The form (or note editor) for the whole record `r`.
    pub(super) fn open_form(&mut self, r: &Record) {
        let r = r.clone();
        if r.kind == Kind::Note {
            self.overlay = Some(Overlay::Note(Box::new(NoteEditor::new(
                Some(&r),
                &r.collection,
            ))));
            return;
        }
        let form = forms::form_for(r.kind, Some(&r), self.calendar.selected, &self.form_ctx());
        self.overlay = Some(Overlay::Form(Box::new(form)));
    }

    pub(super) fn ask_delete(&mut self) {
        if self.birthday_selected() {
            self.info("birthdays come from contacts: open the contact (enter) to change it");
            return;
        }
        let Some(r) = self.selected_record() else {
            self.info("nothing selected");
            return;
        };
        if r.is_recurring() && self.ask_scope(true) {
            return;
        }
        let Some(r) = self.selected_record() else {
            return;
        };
        let mut message = format!("Delete {} {:?}?", r.kind, r.title());
        if r.is_recurring() {
            message.push_str(" (all occurrences)");
        }
        let edit = Edit::Delete(r.id.clone());
        self.overlay = Some(Overlay::Confirm { message, edit });
    }

    pub(super) fn toggle_done(&mut self) {
        let Some(r) = self.tasks.selected() else {
            return;
        };
        if r.is_recurring() {
            // A repeating task: its open occurrence (the one listed) is done.
            let Some(o) = crate::app::records::occurrence::open_task_occurrence(r, self.tz) else {
                self.info("every occurrence of this task is done");
                return;
            };
            let mut edit = RecordEdit::update(r.kind, &r.id);
            edit.set(Field::Status, "completed");
            self.save(Edit::Occurrence {
                edit,
                recurrence_id: o.recurrence_id,
                scope: crate::app::records::occurrence::Scope::This,
            });
            return;
        }
        let edit = toggled(r);
        self.save(Edit::Apply(edit));
    }

    /// Queue an edit; the list will select its record (`r`, as the edit makes it)
    /// when reloaded.
    pub fn submit(&mut self, edit: RecordEdit, r: &Record) {
        match r.kind {
            Kind::Contact => self.contacts.focus_record = Some(r.id.clone()),
            Kind::Note => self.notes.focus_record = Some(r.id.clone()),
            Kind::Task => self.tasks.focus_record = Some(r.id.clone()),
            Kind::Event => {
                if let Some(w) = r
                    .prop("DTSTART")
                    .and_then(|p| crate::model::time::When::from_property(p).ok())
                {
                    self.calendar
                        .goto(forms::local_naive(&w, r, self.tz).date());
                }
                self.calendar.focus_record = Some(r.id.clone());
            }
        }
        self.save(Edit::Apply(edit));
    }

    pub fn save(&mut self, edit: Edit) {
        self.request(Request::Save { edit, undo: false });
    }

    pub(super) fn undo_last(&mut self) {
        match self.undo.pop() {
            Some(edit) => self.request(Request::Save { edit, undo: true }),
            None => self.info("nothing to undo"),
        }
    }

    /// The note came back from `$EDITOR`: `Err` says why its text was not taken
    /// (the caller keeps the text for the user then).
    pub fn external_done(&mut self, base: &Record, text: &str) -> Result<(), String> {
        let (title, body) = crate::tui::note_editor::from_editor_file(text);
        if title.is_empty() {
            return Err("note not saved: the first line (the title) was empty".into());
        }
        let ctx = self.form_ctx();
        let edit =
            crate::tui::note_editor::note_edit(Some(base), &base.collection, &title, &body, &ctx);
        if edit.changes.is_empty() {
            self.info("note unchanged");
            return Ok(());
        }
        match crate::app::records::build(Some(base), &edit, ctx.collections, &ctx.edit_context()) {
            Ok(r) => {
                self.submit(edit, &r);
                Ok(())
            }
            Err(e) => Err(format!("note not saved: {}", forms::message(&e))),
        }
    }

    /// The record a form saved was deleted meanwhile: the form comes back as a new
    /// record's, every value kept, for the user to save anew or drop.
    fn reopen_gone(&mut self, edit: &crate::app::records::RecordEdit) {
        let crate::app::records::Target::Existing(id) = &edit.target else {
            return;
        };
        let what = edit.kind.as_str();
        let message = format!(
            "the {what} was deleted meanwhile: saving saves your text as a new {what}, \
             Esc drops it"
        );
        let note = self.sent_note.take();
        if let Some(mut ed) = note.filter(|e| e.base.as_ref().is_some_and(|b| &b.id == id)) {
            ed.base = None;
            ed.error = Some(message.clone());
            self.error(message);
            self.overlay = Some(Overlay::Note(ed));
            self.reload_kind(edit.kind);
            return;
        }
        let sent = self.sent_form.take();
        let Some(mut form) = sent.filter(|f| f.base.as_ref().is_some_and(|b| &b.id == id)) else {
            self.error(format!(
                "the {what} was deleted meanwhile; your changes were not saved"
            ));
            self.reload_kind(edit.kind);
            return;
        };
        form.base = None;
        form.title = format!("New {what}");
        form.error = Some(message.clone());
        self.error(message);
        self.overlay = Some(Overlay::Form(form));
        self.reload_kind(edit.kind);
    }

    // ----- responses -----

    pub fn on_response(&mut self, resp: Response) {
        if matches!(resp, Response::Saved { .. }) {
            self.sent_form = None;
            self.sent_note = None;
            // An edit may change whom an event involves: reload the pane.
            self.person = Default::default();
        }
        self.on_response_inner(resp);
        self.want_person_events();
    }

    fn on_response_inner(&mut self, resp: Response) {
        self.status.busy = self.status.busy.saturating_sub(1);
        let now = self.now_local();
        match resp {
            Response::Collections(c) => self.collections = c,
            Response::Reminders { ringing, due } => self.on_reminders(ringing, due),
            Response::Reminded(message) => {
                self.info(message);
                self.check_reminders();
            }
            Response::PersonEvents { contact_id, events } => self.person.take(contact_id, events),
            Response::ContactFor { address, contact } => match contact {
                Some(c) => self.jump_to(&c),
                None => self.info(format!("no contact has the address {address}")),
            },
            Response::List(Kind::Contact, v) => self.contacts.set(v),
            Response::List(Kind::Note, v) => self.notes.set(v),
            Response::List(Kind::Task, v) => self.tasks.set(v, now),
            Response::List(Kind::Event, _) => {}
            Response::Events {
                from,
                to,
                occs,
                index,
            } => {
                if (from, to) == self.calendar.window() {
                    self.calendar.set_occs(from, to, occs, Some(index));
                }
            }
            Response::Gone { edit } => self.reopen_gone(&edit),
            Response::Stale {
                edit,
                current,
                stale,
            } => {
                // The user's input is not lost: the form comes back with both values.
                let form = forms::reopen_stale(&edit, &current, &stale, &self.form_ctx());
                self.error(form.error.clone().unwrap_or_default());
                self.overlay = Some(Overlay::Form(Box::new(form)));
                self.reload_kind(edit.kind);
            }
            Response::Saved {
                inverse,
                kind,
                undo,
                message,
            } => {
                if !undo {
                    self.undo.push(inverse);
                }
                self.info(message);
                self.reload_kind(kind);
                if self.tab == Tab::Sync {
                    self.request(Request::SyncStatus);
                }
            }
            Response::Search { seq, results } => {
                if let Some(Overlay::Search(sb)) = &mut self.overlay
                    && sb.seq == seq
                {
                    sb.set_results(results);
                }
            }
            Response::Sync(s) => {
                let n = s.conflicts.len();
                self.pane.cursor = self.pane.cursor.min(n.saturating_sub(1));
                self.sync = Some(s);
            }
            Response::Invitations(rows) => {
                self.invite_selected = self.invite_selected.min(rows.len().saturating_sub(1));
                self.invites = rows;
            }
            Response::InviteAnswered(Ok(said)) => {
                self.info(said);
                self.request(Request::Invitations);
                self.reload_all();
            }
            Response::InviteAnswered(Err(e)) => self.error(e),
            Response::Resolved { message, kind } => {
                self.info(message);
                if let Some(k) = kind {
                    self.reload_kind(k);
                }
                self.request(Request::SyncStatus);
                self.sync_change_written();
            }
            Response::History {
                record_id,
                title,
                entries,
            } => {
                self.overlay = Some(Overlay::History(Box::new(
                    crate::tui::sync_pane::HistoryDialog::new(record_id, title, entries),
                )));
            }
            Response::IsEmpty(true) => self.overlay = Some(Overlay::DemoOffer),
            Response::IsEmpty(false) => {}
            Response::DemoLoaded(n) => {
                self.info(format!("loaded {n} demo records: press ? for keys"));
                self.reload_all();
            }
            Response::Error(e) => {
                self.error(e);
                if self.pane.unwritten > 0 {
                    self.sync_change_written();
                }
            }
            Response::Skipped { new, total } => self.error(skipped_message(&new, total)),
            Response::Superseded => {}
        }
    }

    pub(super) fn reload_kind(&mut self, kind: Kind) {
        match kind {
            Kind::Event => {
                if let Some(r) = self.calendar.reload() {
                    self.request(r);
                }
            }
            k => self.refresh_list(k),
        }
    }
}
/// What the status line says of rows the readers skipped (`total` this session,
/// `new` among them): the essentials first, as a narrow terminal cuts the line.
fn skipped_message(new: &[crate::store::Undecodable], total: usize) -> String {
    let Some(latest) = new.last() else {
        return String::new();
    };
    let short: String = latest.id.chars().take(8).collect();
    let what = format!("{} {short}: {}", latest.what, latest.reason);
    match total {
        1 => format!(
            "a {} could not be read and is not shown: `pim list` names it and how to \
             remove it ({what})",
            latest.what
        ),
        n => format!(
            "{n} records could not be read and are not shown: `pim list` names them and \
             how to remove them (the latest: {what})"
        ),
    }
}

/// The edit that marks a task done (or open again); `app::records` sets STATUS,
/// COMPLETED and PERCENT-COMPLETE.
pub fn toggled(r: &Record) -> RecordEdit {
    let mut edit = RecordEdit::update(r.kind, &r.id);
    let seen = r.text("STATUS").unwrap_or_default().to_ascii_lowercase();
    let to = if crate::tui::lists::is_done(r) {
        "needs-action"
    } else {
        "completed"
    };
    edit.change(Field::Status, seen, to);
    edit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_a_task_changes_only_its_status() {
        let mut open = Record::new(Kind::Task, "t");
        open.set_text("SUMMARY", "Pay");
        open.set_text("STATUS", "NEEDS-ACTION");
        let edit = toggled(&open);
        assert_eq!(edit.changes.len(), 1);
        let change = &edit.changes[0];
        assert_eq!(change.field, Field::Status);
        assert_eq!(change.seen.as_deref(), Some("needs-action"));
        assert_eq!(change.value, "completed");
        let mut done = open.clone();
        done.set_text("STATUS", "COMPLETED");
        assert_eq!(toggled(&done).changes[0].value, "needs-action");
    }
}
