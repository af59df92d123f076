//! "This occurrence / this and following / all": the question before editing or
//! deleting an occurrence of a recurring event (the one selected in the calendar)
//! or of a repeating task (the open one its row shows), and what each answer
//! opens. The rule itself is `app::records::occurrence`; this only asks and routes.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Overlay};
use crate::app::records::occurrence::{self, Scope};
use crate::model::{Kind, Record};
use crate::tui::forms;
use crate::tui::worker::Edit;

/// The open question: which occurrences of `record` to edit or delete.
#[derive(Debug, Clone)]
pub struct ScopeQuestion {
    pub record: Arc<Record>,
    pub recurrence_id: String,
    /// When the occurrence starts now, as the user sees it.
    pub when: String,
    pub delete: bool,
}

impl ScopeQuestion {
    /// The dialog's first line.
    pub fn message(&self) -> String {
        let verb = if self.delete { "Delete" } else { "Edit" };
        format!(
            "{verb} {:?} ({}): which occurrences?",
            self.record.title(),
            self.when
        )
    }
}

impl App {
    /// The selected calendar occurrence, when it belongs to a recurring event; in
    /// the task list, a repeating task's open occurrence.
    fn selected_occurrence(&self) -> Option<(Arc<Record>, String, String)> {
        if self.tab == super::Tab::Tasks {
            let r = self.tasks.selected()?;
            let o = occurrence::open_task_occurrence(r, self.tz)?;
            let when = match o.due {
                Some(d) if o.all_day => d.format("%a %Y-%m-%d").to_string(),
                Some(d) => d
                    .with_timezone(&self.tz)
                    .format("%a %Y-%m-%d %H:%M")
                    .to_string(),
                None => o.recurrence_id.clone(),
            };
            return Some((Arc::new(r.clone()), o.recurrence_id, when));
        }
        if self.tab != super::Tab::Calendar {
            return None;
        }
        let o = self.calendar.selected_occ()?;
        let rid = o.recurrence_id.clone()?;
        let when = if o.all_day {
            o.start.format("%a %Y-%m-%d").to_string()
        } else {
            o.start.format("%a %Y-%m-%d %H:%M").to_string()
        };
        Some((o.record.clone(), rid, when))
    }

    /// Before an edit or a delete in the calendar: ask when the selection is one
    /// occurrence of a recurring event. Returns whether it asked.
    pub(super) fn ask_scope(&mut self, delete: bool) -> bool {
        let Some((record, recurrence_id, when)) = self.selected_occurrence() else {
            return false;
        };
        if !matches!(record.kind, Kind::Event | Kind::Task) {
            return false;
        }
        self.overlay = Some(Overlay::Scope(Box::new(ScopeQuestion {
            record,
            recurrence_id,
            when,
            delete,
        })));
        true
    }

    pub(super) fn on_scope_key(&mut self, q: Box<ScopeQuestion>, key: KeyEvent) -> Option<Overlay> {
        let scope = match key.code {
            KeyCode::Char('o') | KeyCode::Char('O') => Some(Scope::This),
            KeyCode::Char('f') | KeyCode::Char('F') => Some(Scope::ThisAndFollowing),
            KeyCode::Char('a') | KeyCode::Char('A') => None,
            KeyCode::Esc | KeyCode::Char('q') => {
                self.info(if q.delete {
                    "nothing deleted"
                } else {
                    "not edited"
                });
                return None;
            }
            _ => return Some(Overlay::Scope(q)),
        };
        match (scope, q.delete) {
            (None, false) => {
                self.open_form(&q.record);
                self.overlay.take()
            }
            (None, true) => Some(Overlay::Confirm {
                message: format!(
                    "Delete {} {:?}? (all occurrences)",
                    q.record.kind,
                    q.record.title()
                ),
                edit: Edit::Delete(q.record.id.clone()),
            }),
            (Some(scope), true) => {
                let which = match scope {
                    Scope::This => "this occurrence",
                    Scope::ThisAndFollowing => "this and every later occurrence",
                };
                Some(Overlay::Confirm {
                    message: format!("Delete {which} of {:?} ({})?", q.record.title(), q.when),
                    edit: Edit::DeleteOccurrence {
                        id: q.record.id.clone(),
                        recurrence_id: q.recurrence_id.clone(),
                        scope,
                    },
                })
            }
            (Some(scope), false) => match self.occurrence_base(&q, scope) {
                Ok(base) => {
                    let mut form = forms::form_for(
                        q.record.kind,
                        Some(&base),
                        self.calendar.selected,
                        &self.form_ctx(),
                    );
                    if scope == Scope::This {
                        // The rule and the calendar belong to the whole series.
                        form.fields.retain(|f| {
                            !matches!(
                                f.key,
                                Some(crate::app::records::Field::Rrule)
                                    | Some(crate::app::records::Field::Collection)
                            )
                        });
                    }
                    form.title = match scope {
                        Scope::This => format!("Edit {:?} on {}", base.title(), q.when),
                        Scope::ThisAndFollowing => {
                            format!("Edit {:?} from {} on", base.title(), q.when)
                        }
                    };
                    self.form_occurrence = Some((q.recurrence_id.clone(), scope));
                    Some(Overlay::Form(Box::new(form)))
                }
                Err(e) => {
                    self.error(e);
                    None
                }
            },
        }
    }

    /// What the form shows: the occurrence as it is (one occurrence), or the
    /// series as it would continue from it (this and following).
    fn occurrence_base(&self, q: &ScopeQuestion, scope: Scope) -> Result<Record, String> {
        let cx = self.form_ctx().edit_context();
        let inst = occurrence::instance(&q.record, &q.recurrence_id, self.tz)
            .map_err(|e| forms::message(&e))?;
        Ok(match scope {
            Scope::This => occurrence::occurrence_record(&q.record, &inst.rid, self.tz),
            Scope::ThisAndFollowing => {
                occurrence::split(&q.record, &inst, &q.record.id, &cx)
                    .map_err(|e| forms::message(&e))?
                    .1
            }
        })
    }

    /// A submitted occurrence form: saved through the occurrence rule; the
    /// calendar goes to where the occurrence now is.
    pub(super) fn submit_occurrence(
        &mut self,
        edit: crate::app::records::RecordEdit,
        r: &Record,
        recurrence_id: String,
        scope: Scope,
    ) {
        if r.kind == Kind::Task {
            self.tasks.focus_record = Some(r.id.clone());
        } else if let Some(w) = r
            .prop("DTSTART")
            .and_then(|p| crate::model::time::When::from_property(p).ok())
        {
            self.calendar
                .goto(forms::local_naive(&w, r, self.tz).date());
        }
        if r.kind != Kind::Task {
            self.calendar.focus_record = Some(r.id.clone());
        }
        self.save(Edit::Occurrence {
            edit,
            recurrence_id,
            scope,
        });
    }
}
