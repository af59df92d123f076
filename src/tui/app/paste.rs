//! Pasted text (bracketed paste): typed into the open text field, never read as
//! keys. Without it a paste's line break was Enter — the form saved — and the rest
//! of the text ran as commands (`d`, `y`: a record deleted).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Overlay, Tab};

/// More than this many characters of one paste are left out (and said): each is
/// typed into the field, and a field is no place for a book.
pub const MAX_PASTE: usize = 100_000;

impl App {
    /// Whether keys now go into a text field (a form, the note editor, a search or
    /// go-to box, a filter), where a paste may be typed.
    fn typing(&self) -> bool {
        match &self.overlay {
            Some(
                Overlay::Form(_)
                | Overlay::Note(_)
                | Overlay::Search(_)
                | Overlay::Goto { .. }
                | Overlay::AddAccount(_)
                | Overlay::SyncSetup(_),
            ) => true,
            Some(_) => false,
            None => match self.tab {
                Tab::Contacts => self.contacts.filtering,
                Tab::Notes => self.notes.filtering,
                _ => false,
            },
        }
    }

    /// A paste: its characters typed into the open text field; line breaks stay
    /// line breaks only in the note editor (elsewhere they and tabs are spaces,
    /// other control characters are left out). With no text field open it is ignored.
    pub fn on_paste(&mut self, text: &str) {
        if !self.typing() {
            self.info("paste ignored: no text field is open");
            return;
        }
        let multi_line = matches!(self.overlay, Some(Overlay::Note(_)));
        // Terminals (tmux) send a pasted line break as CR: CR LF, CR and LF are one.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut typed = 0;
        for c in text.chars() {
            let code = match c {
                '\n' if multi_line => KeyCode::Enter,
                '\n' | '\t' => KeyCode::Char(' '),
                c if c.is_control() => continue,
                c => KeyCode::Char(c),
            };
            // A key may close the field (a form that saved): the rest is not typed.
            if typed == MAX_PASTE || !self.typing() {
                self.error(format!(
                    "paste cut after {typed} characters (of {})",
                    text.chars().count()
                ));
                return;
            }
            self.on_key(KeyEvent::new(code, KeyModifiers::NONE));
            typed += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::app::Overlay;
    use crate::tui::test_support::World;

    /// Pasting "Pasted\nkdy" into a new task's title saved the form at the line
    /// break, then `k`, `d`, `y` deleted the task above. The paste is the title.
    #[test]
    fn a_pasted_line_break_neither_saves_the_form_nor_runs_commands() {
        let mut w = World::demo();
        w.keys("3");
        let before = w.store.list(crate::model::Kind::Task, None).unwrap().len();
        w.keys("a");
        w.app.on_paste("Pasted\rkdy\r\n\u{1b}[31m");
        w.pump();
        let Some(Overlay::Form(form)) = &w.app.overlay else {
            panic!("the form stays open: {:?}", w.app.status.text);
        };
        assert_eq!(form.fields[0].value(), "Pasted kdy [31m");
        assert_eq!(
            w.store.list(crate::model::Kind::Task, None).unwrap().len(),
            before
        );
        // Outside a text field a paste does nothing at all.
        w.app.overlay = None;
        w.app.on_paste("dy");
        w.pump();
        assert_eq!(
            w.store.list(crate::model::Kind::Task, None).unwrap().len(),
            before
        );
        assert!(w.app.overlay.is_none());
    }

    /// In the note editor a pasted text keeps its lines.
    #[test]
    fn a_paste_into_a_note_keeps_its_lines() {
        let mut w = World::demo();
        w.keys("4a");
        w.app.on_paste("Title\nline one\nline two");
        w.app.on_key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('s'),
            crossterm::event::KeyModifiers::CONTROL,
        ));
        w.pump();
        let notes = w.store.list(crate::model::Kind::Note, None).unwrap();
        let n = notes.iter().find(|n| n.title() == "Title").expect("saved");
        assert_eq!(n.text("DESCRIPTION").as_deref(), Some("line one\nline two"));
    }
}
