//! Keys while a modal layer (dialog, form, search, …) is open.

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Overlay};
use crate::tui::form::FormOutcome;
use crate::tui::forms;
use crate::tui::worker::Request;

impl App {
    pub(super) fn on_overlay_key(&mut self, key: KeyEvent) {
        let Some(overlay) = self.overlay.take() else {
            return;
        };
        self.overlay = match overlay {
            Overlay::Help => {
                // Scrolling is clamped when drawn (only the draw knows the height).
                match key.code {
                    KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter => {
                        return;
                    }
                    KeyCode::Char('j') | KeyCode::Down => self.help_scroll += 1,
                    KeyCode::Char('k') | KeyCode::Up => {
                        self.help_scroll = self.help_scroll.saturating_sub(1)
                    }
                    KeyCode::PageDown | KeyCode::Char(' ') => self.help_scroll += 10,
                    KeyCode::PageUp => self.help_scroll = self.help_scroll.saturating_sub(10),
                    _ => {}
                }
                Some(Overlay::Help)
            }
            Overlay::Confirm { message, edit } => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    self.save(edit);
                    None
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                    self.info("nothing deleted");
                    None
                }
                _ => Some(Overlay::Confirm { message, edit }),
            },
            Overlay::Conflict(d) => self.on_conflict_key(d, key),
            Overlay::Reminders(p) => self.on_reminders_key(p, key),
            Overlay::AddAccount(f) => self.on_account_form_key(f, key),
            Overlay::SyncSetup(d) => self.on_setup_dialog_key(d, key),
            Overlay::People(d) => self.on_people_key(d, key),
            Overlay::History(h) => self.on_history_key(h, key),
            Overlay::DemoOffer => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                    self.request(Request::LoadDemo { today: self.today });
                    self.info("loading demo data…");
                    None
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                    self.info("empty database: press a to add, ? for keys");
                    None
                }
                _ => Some(Overlay::DemoOffer),
            },
            Overlay::Goto { mut input, error } => match key.code {
                KeyCode::Esc => None,
                KeyCode::Enter => {
                    match crate::model::time::parse_user_when(&input.value, self.now, self.tz) {
                        Ok(w) => {
                            let d = match w {
                                crate::model::time::UserWhen::Date(d) => d,
                                crate::model::time::UserWhen::Local(n) => n.date(),
                                crate::model::time::UserWhen::Instant(t) => {
                                    t.with_timezone(&self.tz).date_naive()
                                }
                            };
                            self.calendar.goto(d);
                            if let Some(r) = self.calendar.load_request() {
                                self.request(r);
                            }
                            None
                        }
                        Err(e) => Some(Overlay::Goto {
                            input,
                            error: Some(e.to_string()),
                        }),
                    }
                }
                _ => {
                    input.handle(&key);
                    Some(Overlay::Goto { input, error })
                }
            },
            Overlay::Search(mut sb) => match key.code {
                KeyCode::Esc => None,
                KeyCode::Enter => {
                    if let Some(r) = sb.selected().cloned() {
                        self.jump_to(&r);
                        None
                    } else {
                        Some(Overlay::Search(sb))
                    }
                }
                KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
                    sb.move_by(key.code);
                    Some(Overlay::Search(sb))
                }
                _ => {
                    if sb.input.handle(&key) {
                        sb.seq += 1;
                        let q = sb.input.value.clone();
                        if q.trim().is_empty() {
                            sb.results.clear();
                        } else {
                            self.request(Request::Search {
                                query: q,
                                seq: sb.seq,
                            });
                        }
                    }
                    Some(Overlay::Search(sb))
                }
            },
            Overlay::Scope(q) => self.on_scope_key(q, key),
            Overlay::Form(mut form) => match form.handle(&key) {
                FormOutcome::Cancel => {
                    self.form_occurrence = None;
                    None
                }
                FormOutcome::Continue => Some(Overlay::Form(form)),
                FormOutcome::Submit => match forms::apply(&form, &self.form_ctx()) {
                    Ok((edit, r)) => {
                        match self.form_occurrence.take() {
                            Some((rid, scope)) => self.submit_occurrence(edit, &r, rid, scope),
                            None => {
                                if form.base.is_some() {
                                    self.sent_form = Some(form.clone());
                                }
                                self.submit(edit, &r)
                            }
                        }
                        None
                    }
                    Err(e) => {
                        form.error = Some(forms::message(&e));
                        Some(Overlay::Form(form))
                    }
                },
            },
            Overlay::Answer(mut d) => match d.handle(&key) {
                FormOutcome::Cancel => {
                    self.info("not answered");
                    None
                }
                FormOutcome::Continue => Some(Overlay::Answer(d)),
                FormOutcome::Submit => {
                    let reply = d.reply();
                    self.info(format!("answering invitation {}…", reply.id()));
                    self.request(Request::AnswerInvite(reply));
                    None
                }
            },
            Overlay::Note(mut ed) => match ed.handle(&key) {
                FormOutcome::Cancel => None,
                FormOutcome::Continue => Some(Overlay::Note(ed)),
                FormOutcome::Submit => match ed.apply(&self.form_ctx()) {
                    Ok((edit, r)) => {
                        self.submit(edit, &r);
                        if ed.base.is_some() {
                            self.sent_note = Some(ed);
                        }
                        None
                    }
                    Err(e) => {
                        ed.error = Some(forms::message(&e));
                        Some(Overlay::Note(ed))
                    }
                },
            },
        };
    }
}
