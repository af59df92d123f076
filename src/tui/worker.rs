//! Database work off the render loop. A thread owns its own `Store` connection and
//! answers requests with responses (gitui's async jobs, reduced to one queue):
//! the UI never waits for SQLite.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};

use crate::model::zonedb::Tz;
use chrono::{DateTime, NaiveDate, Utc};

use crate::model::{Collection, Kind, Record};
use crate::store::Store;

mod occurrences;
#[cfg(test)]
use occurrences::MAX_SHOWN_PER_EVENT;
use occurrences::events;
pub use occurrences::{DayIndex, Occ};

/// One edit, in a form that can also express its own inverse (for undo).
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A form's changes (only the fields the user changed), through `app::records`.
    Apply(crate::app::records::RecordEdit),
    Delete(String),
    /// A form's changes to one occurrence of a recurring event (or to it and the
    /// later ones), through `app::records::occurrence`.
    Occurrence {
        edit: crate::app::records::RecordEdit,
        recurrence_id: String,
        scope: crate::app::records::occurrence::Scope,
    },
    /// Delete one occurrence (or it and the later ones).
    DeleteOccurrence {
        id: String,
        recurrence_id: String,
        scope: crate::app::records::occurrence::Scope,
    },
    /// Undo an earlier edit: only the fields it changed, refused if they moved since.
    Undo(Box<crate::app::records::Undo>),
}

impl Edit {
    pub fn kind_hint(&self) -> Option<Kind> {
        use crate::app::records::Undo;
        match self {
            Edit::Apply(e) => Some(e.kind),
            Edit::Undo(u) => match u.as_ref() {
                Undo::Uncreate(r)
                | Undo::Restore(r)
                | Undo::Revert { after: r, .. }
                | Undo::Split { created: r, .. } => Some(r.kind),
            },
            Edit::Occurrence { edit, .. } => Some(edit.kind),
            Edit::DeleteOccurrence { .. } => Some(Kind::Event),
            Edit::Delete(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Collections,
    List(Kind),
    /// Occurrences overlapping the local days [from, to).
    Events {
        from: NaiveDate,
        to: NaiveDate,
    },
    /// Write one edit; `undo` marks edits that undo an earlier one.
    Save {
        edit: Edit,
        undo: bool,
    },
    Search {
        query: String,
        seq: u64,
    },
    SyncStatus,
    /// Invitations found in the mail account (for the Sync tab and the badge).
    Invitations,
    /// Answer one invitation or counter-proposal (parks it, writes the event,
    /// replies or queues).
    AnswerInvite(super::invite_dialog::InviteReply),
    /// Whether the database holds no records yet (first run).
    IsEmpty,
    LoadDemo {
        today: NaiveDate,
    },
    /// Settle a queued conflict (an ordinary change that syncs).
    Resolve {
        id: i64,
        how: crate::sync::apply::Resolution,
    },
    /// A record's history.
    History(String),
    /// The upcoming and recent events of a contact (its detail pane), seen at `now`.
    PersonEvents {
        contact_id: String,
        now: DateTime<Utc>,
    },
    /// The contact with this e-mail address (an attendee's), to show it.
    ContactFor(String),
    /// Set a field back to an older value (an ordinary change).
    Restore {
        record_id: String,
        key: String,
        value: Option<crate::model::FieldValue>,
    },
    /// Reminders to ring at `now` (claimed for this process) and the due count.
    Reminders {
        now: DateTime<Utc>,
    },
    /// Dismiss or snooze one reminder.
    Remind(super::reminders::Act),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncStatus {
    pub device: String,
    pub pending: usize,
    /// Received changes waiting here (collections with sync off).
    pub held: usize,
    /// Newest pending changes: (when, kind, what).
    pub recent: Vec<(String, String, String)>,
    pub last_sync: Option<String>,
    pub records: u64,
    /// What the last round did ("3 applied, 1 conflicts").
    pub last_summary: Option<String>,
    pub conflicts: Vec<crate::sync::review::ConflictView>,
    pub devices: Vec<DeviceLine>,
    /// A newer epoch another device published, waiting for the user (`T`).
    pub waiting_epoch: Option<crate::app::sync_session::WaitingEpoch>,
}

/// A device as the Sync tab lists it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeviceLine {
    pub name: String,
    pub device: String,
    pub last_seen: String,
    pub this_device: bool,
    /// Of this device's changes, how many it has applied (and how many exist).
    pub applied_mine: u64,
    pub mine: u64,
    pub forgotten: bool,
    /// Its signing key's fingerprint, once known.
    pub key: Option<String>,
    /// A refused key change for it, until dismissed ("another key tried …").
    pub refused: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    Collections(Vec<Collection>),
    List(Kind, Vec<super::packed::Packed>),
    Events {
        from: NaiveDate,
        to: NaiveDate,
        occs: Vec<Occ>,
        index: DayIndex,
    },
    /// An edit was written; `inverse` undoes it.
    /// A save refused because fields the user changed moved meanwhile: their edit,
    /// the record as stored now and both values of each such field.
    Stale {
        edit: crate::app::records::RecordEdit,
        current: Record,
        stale: Vec<crate::app::records::StaleField>,
    },
    /// A save refused because the record was deleted meanwhile (elsewhere).
    Gone {
        edit: crate::app::records::RecordEdit,
    },
    Saved {
        inverse: Edit,
        kind: Kind,
        undo: bool,
        message: String,
    },
    Search {
        seq: u64,
        results: Vec<Record>,
    },
    Sync(SyncStatus),
    Invitations(Vec<super::invites::InviteRow>),
    /// What answering did, or why it failed.
    InviteAnswered(Result<String, String>),
    /// A conflict was settled or a value restored: `kind` changed.
    Resolved {
        message: String,
        kind: Option<Kind>,
    },
    History {
        record_id: String,
        title: String,
        entries: Vec<crate::sync::review::HistoryEntry>,
    },
    PersonEvents {
        contact_id: String,
        events: super::app::people::PersonLines,
    },
    /// The contact found for an address (none: no contact has it).
    ContactFor {
        address: String,
        contact: Option<Record>,
    },
    IsEmpty(bool),
    DemoLoaded(usize),
    /// Reminders this TUI rings now, and how many are due.
    Reminders {
        ringing: Vec<super::reminders::Ringing>,
        due: usize,
    },
    /// A reminder was dismissed or snoozed.
    Reminded(String),
    Error(String),
    /// Rows the readers had to skip (a body that does not read, a kind pim does
    /// not know), each told once a session: every refresh reads them again.
    Skipped {
        new: Vec<crate::store::Undecodable>,
        /// How many this session told of, these included.
        total: usize,
    },
    /// The request was dropped because a newer one of the same sort followed it.
    Superseded,
}

/// Answer one request against `store`. Pure apart from the database: tests call it
/// directly, the worker thread calls it in a loop.
pub fn handle(store: &mut Store, req: Request, tz: Tz) -> Response {
    match answer(store, req, tz) {
        Ok(r) => r,
        Err(e) => Response::Error(e.to_string()),
    }
}

fn answer(store: &mut Store, req: Request, tz: Tz) -> Result<Response, Box<dyn std::error::Error>> {
    Ok(match req {
        Request::Collections => Response::Collections(store.collections(None)?),
        Request::List(kind) => Response::List(kind, packed_list(store, kind, tz)?),
        Request::Events { from, to } => {
            let occs = events(store, from, to, tz)?;
            let index = DayIndex::build(&occs, from, to);
            Response::Events {
                from,
                to,
                occs,
                index,
            }
        }
        Request::Save {
            edit: Edit::Apply(e),
            undo,
        } => apply(store, &e, undo, tz)?,
        Request::Save {
            edit: edit @ (Edit::Occurrence { .. } | Edit::DeleteOccurrence { .. }),
            undo,
        } => occurrence(store, edit, undo, tz)?,
        Request::Save { edit, undo } => save(store, edit, undo)?,
        Request::Search { query, seq } => Response::Search {
            seq,
            results: store.search(&query, 200)?,
        },
        Request::SyncStatus => Response::Sync(sync_status(store)?),
        Request::Invitations => Response::Invitations(super::invites::rows(store, tz)?),
        Request::AnswerInvite(reply) => Response::InviteAnswered(
            super::invites::answer(store, &reply).map_err(|e| e.to_string()),
        ),
        Request::IsEmpty => Response::IsEmpty(store.is_empty()?),
        Request::LoadDemo { today } => Response::DemoLoaded(crate::app::demo::load(
            store,
            today,
            crate::app::demo::WhenNotEmpty::Refuse,
        )?),
        Request::PersonEvents { contact_id, now } => Response::PersonEvents {
            events: super::app::people::lines(store, &contact_id, now, tz)?,
            contact_id,
        },
        Request::ContactFor(address) => Response::ContactFor {
            contact: crate::app::people::contact_for(store, &address)?,
            address,
        },
        Request::Resolve { id, how } => super::worker_sync::resolve(store, id, &how)?,
        Request::History(id) => super::worker_sync::history(store, &id)?,
        Request::Restore {
            record_id,
            key,
            value,
        } => super::worker_sync::restore(store, &record_id, &key, value.as_ref())?,
        Request::Reminders { now } => super::reminders::check(store, now, tz)?,
        Request::Remind(a) => super::reminders::act(store, &a, tz)?,
    })
}

/// Every record of `kind`, packed one at a time straight from the rows, so a large
/// list never exists in decoded form (the same order as `Store::list`).
fn packed_list(
    store: &Store,
    kind: Kind,
    tz: Tz,
) -> Result<Vec<super::packed::Packed>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    store.for_each(kind, None, |r, data| {
        out.push(super::packed::Packed::from_parts(&r, data.to_string(), tz));
        Ok::<(), crate::store::StoreError>(())
    })?;
    if kind == Kind::Task {
        super::lists::sort_tasks(&mut out);
    }
    out.shrink_to_fit();
    Ok(out)
}

/// Save a form's changes; the inverse (for undo) puts back only what this save changed.
/// A stale save (a changed field moved meanwhile) comes back with both values, so
/// the form can reopen with the user's input and let them choose.
fn apply(
    store: &mut Store,
    e: &crate::app::records::RecordEdit,
    undo: bool,
    tz: Tz,
) -> Result<Response, String> {
    use crate::app::records::{self, RecordError};
    let cx = records::EditContext {
        now: store.clock().now(),
        tz,
    };
    let saved = match records::save(store, e, &cx) {
        Ok(saved) => saved,
        Err(RecordError::Conflict { stale, current, .. }) => {
            return Ok(Response::Stale {
                edit: e.clone(),
                current: *current,
                stale,
            });
        }
        Err(RecordError::Store(crate::store::StoreError::NoRecord(_)))
            if matches!(e.target, records::Target::Existing(_)) =>
        {
            return Ok(Response::Gone { edit: e.clone() });
        }
        Err(err) => return Err(super::forms::message(&err)),
    };
    let title = saved.after.title();
    let verb = if saved.before.is_none() {
        "created"
    } else {
        "saved"
    };
    Ok(Response::Saved {
        inverse: Edit::Undo(Box::new(saved.undo())),
        kind: e.kind,
        undo,
        message: format!("{verb} {} {title:?}", e.kind),
    })
}

/// An edit or delete of one occurrence (or it and the later ones); its undo puts
/// the series back (and removes the series a split started).
fn occurrence(store: &mut Store, edit: Edit, undo: bool, tz: Tz) -> Result<Response, String> {
    use crate::app::records::{EditContext, occurrence};
    let cx = EditContext {
        now: store.clock().now(),
        tz,
    };
    let (saved, verb) = match &edit {
        Edit::Occurrence {
            edit,
            recurrence_id,
            scope,
        } => (
            occurrence::save_occurrence(store, edit, recurrence_id, *scope, &cx),
            "saved",
        ),
        Edit::DeleteOccurrence {
            id,
            recurrence_id,
            scope,
        } => (
            occurrence::delete_occurrence(store, id, recurrence_id, *scope, &cx),
            "deleted",
        ),
        _ => return Err("not an occurrence edit".into()),
    };
    let saved = saved.map_err(|e| super::forms::message(&e))?;
    let which = match &edit {
        Edit::Occurrence { scope, .. } | Edit::DeleteOccurrence { scope, .. } => match scope {
            occurrence::Scope::This => "one occurrence of",
            occurrence::Scope::ThisAndFollowing => "from this occurrence on,",
        },
        _ => "",
    };
    Ok(Response::Saved {
        inverse: Edit::Undo(Box::new(saved.undo())),
        kind: saved.before.kind,
        undo,
        message: format!(
            "{verb} {which} {} {:?}",
            saved.before.kind,
            saved.before.title()
        ),
    })
}

/// A delete, or an undo (which has no undo of its own).
fn save(
    store: &mut Store,
    edit: Edit,
    undo: bool,
) -> Result<Response, crate::app::records::RecordError> {
    use crate::app::records::{self, Undo};
    let (inverse, record, verb) = match edit {
        // `answer` sends these to `apply` and `occurrence`.
        Edit::Apply(e) | Edit::Occurrence { edit: e, .. } => {
            return Err(crate::store::StoreError::NoRecord(e.id().to_string()).into());
        }
        Edit::DeleteOccurrence { id, .. } => {
            return Err(crate::store::StoreError::NoRecord(id).into());
        }
        Edit::Delete(id) => {
            let old = records::delete(store, &id)?;
            (
                Edit::Undo(Box::new(Undo::Restore(old.clone()))),
                old,
                "deleted",
            )
        }
        Edit::Undo(u) => {
            let r = records::undo(store, &u)?;
            (Edit::Undo(u), r, "undone")
        }
    };
    let message = if undo {
        format!("undone: {} {:?}", record.kind, record.title())
    } else {
        format!("{verb} {} {:?}", record.kind, record.title())
    };
    Ok(Response::Saved {
        inverse,
        kind: record.kind,
        undo,
        message,
    })
}

fn sync_status(store: &Store) -> crate::store::Result<SyncStatus> {
    let (pending, unsent) = crate::store::change_log::unsent_summary(store, store.device(), 20)?;
    let recent = unsent
        .into_iter()
        .map(|u| (u.changed_at, u.kind, u.op))
        .collect();
    let mut records = 0;
    for k in Kind::ALL {
        records += store.count(k)?;
    }
    Ok(SyncStatus {
        device: store.device().to_string(),
        pending: pending as usize,
        held: crate::store::sync_scope::held_count(store)? as usize,
        recent,
        last_sync: store.meta("last_sync")?,
        records,
        last_summary: store.meta("last_sync.summary")?,
        conflicts: crate::sync::review::open_conflicts(store)?,
        devices: super::worker_sync::devices(store)?,
        waiting_epoch: crate::app::sync_session::waiting_epoch(store).unwrap_or(None),
    })
}

/// Requests that a newer one of the same sort makes pointless.
fn supersedes(newer: &Request, older: &Request) -> bool {
    matches!(
        (newer, older),
        (Request::Search { .. }, Request::Search { .. })
            | (Request::Events { .. }, Request::Events { .. })
            | (Request::SyncStatus, Request::SyncStatus)
            | (Request::Invitations, Request::Invitations)
            | (Request::Collections, Request::Collections)
    ) || matches!((newer, older), (Request::List(a), Request::List(b)) if a == b)
}

/// Start the worker thread on its own connection to `db`. Responses are wrapped by
/// `wrap` into the caller's event type and sent to `out`.
pub fn spawn<E: Send + 'static>(
    db: PathBuf,
    tz: Tz,
    requests: Receiver<Request>,
    out: Sender<E>,
    wrap: fn(Response) -> E,
) -> std::thread::JoinHandle<()> {
    spawn_with(db, tz, requests, out, wrap, handle)
}

/// The worker thread's name: the TUI's panic hook leaves the terminal alone for
/// its panics, which become an error response instead (see [`spawn_with`]).
pub const THREAD_NAME: &str = "pim-worker";

/// [`spawn`] with the request handler given (tests make it fail).
fn spawn_with<E: Send + 'static>(
    db: PathBuf,
    tz: Tz,
    requests: Receiver<Request>,
    out: Sender<E>,
    wrap: fn(Response) -> E,
    handler: fn(&mut Store, Request, Tz) -> Response,
) -> std::thread::JoinHandle<()> {
    let thread = std::thread::Builder::new().name(THREAD_NAME.into());
    let run = move || {
        let mut store = match Store::open(&db) {
            Ok(s) => s,
            Err(e) => {
                let _ = out.send(wrap(Response::Error(e.to_string())));
                return;
            }
        };
        // The store's 64 MiB page cache suits bulk imports; a connection that lives
        // as long as the app keeps 8 MiB (reads stay fast, RSS stays small).
        if let Err(e) = store.set_page_cache_mib(8) {
            let _ = out.send(wrap(Response::Error(e.to_string())));
        }
        // Search finds phone numbers in national and international form (the
        // profile's config.toml sits beside its database).
        let (plan, problem) = crate::config::phone_plan(&db.with_file_name("config.toml"));
        if let Some(problem) = problem {
            let _ = out.send(wrap(Response::Error(problem)));
        }
        store.set_phone_plan(plan);
        let mut told = std::collections::HashSet::new();
        while let Ok(first) = requests.recv() {
            let mut batch = vec![first];
            while let Ok(more) = requests.try_recv() {
                batch.push(more);
            }
            for (i, req) in batch.iter().enumerate() {
                let stale = batch[i + 1..].iter().any(|n| supersedes(n, req));
                let resp = if stale {
                    Response::Superseded
                } else {
                    guarded(handler, &mut store, req.clone(), tz)
                };
                let skipped = newly_skipped(&store, &mut told);
                if out.send(wrap(resp)).is_err() {
                    return;
                }
                if let Some(skipped) = skipped
                    && out.send(wrap(skipped)).is_err()
                {
                    return;
                }
            }
        }
    };
    thread.spawn(run).expect("spawn the database worker")
}

/// The rows readers skipped that this session has not told of yet.
fn newly_skipped(
    store: &Store,
    told: &mut std::collections::HashSet<crate::store::Undecodable>,
) -> Option<Response> {
    let new: Vec<_> = store
        .take_undecodable()
        .into_iter()
        .filter(|skipped| told.insert(skipped.clone()))
        .collect();
    let total = told.len();
    (!new.is_empty()).then_some(Response::Skipped { new, total })
}

/// Answer `req`; a panic becomes an error response, so the UI shows it in the
/// status line and keeps working instead of waiting for an answer that never comes.
/// (An open transaction rolls back as the panic unwinds through it.)
fn guarded(
    handler: fn(&mut Store, Request, Tz) -> Response,
    store: &mut Store,
    req: Request,
    tz: Tz,
) -> Response {
    let what = format!("{req:?}");
    let what = what.split(['(', ' ', '{']).next().unwrap_or("request");
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(store, req, tz)))
        .unwrap_or_else(|panic| {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown reason".into());
            Response::Error(format!("internal error in {what}: {reason}"))
        })
}

#[cfg(test)]
mod tests;
