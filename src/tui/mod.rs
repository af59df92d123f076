//! The full-screen terminal UI (`pim` with no subcommand).
//!
//! Layout follows gitui and ratatui's component template: keys resolve to
//! [`action::Action`]s through a TOML [`keymap`]; [`app::App`] holds all state and
//! never touches the terminal or the database; a [`worker`] thread owns its own
//! store connection and answers requests with responses; the loop here only moves
//! messages and draws.

pub mod action;
pub mod app;
pub mod calendar;
pub mod form;
pub mod forms;
pub mod input;
pub mod invite_dialog;
pub mod invites;
pub mod keymap;
pub mod lists;
pub mod note_editor;
pub mod packed;
pub mod reminders;
pub mod search;
pub mod setup_jobs;
pub mod sync_pane;
pub mod sync_setup;
pub mod sync_thread;
pub mod theme;
pub mod ui;
pub mod view_calendar;
pub mod view_contacts;
pub mod view_notes;
pub mod view_sync;
pub mod view_sync_dialogs;
pub mod view_sync_setup;
pub mod view_tasks;
pub mod worker;
pub mod worker_sync;

#[cfg(test)]
mod defect_tests;
#[cfg(test)]
mod epoch_tests;
#[cfg(test)]
mod invite_tests;
#[cfg(test)]
mod key_tests;
#[cfg(test)]
mod occurrence_tests;
#[cfg(test)]
mod people_tests;
#[cfg(test)]
mod setup_tests;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
pub(crate) mod test_support;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event as TermEvent};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::DefaultTerminal;

use app::App;
use worker::Response;

use crate::app::clock::Clock;
use crate::config::accounts::Account;
use crate::store::StoreError;

/// Why the TUI stopped or could not start.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot set up the terminal")]
    Terminal(#[source] std::io::Error),
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
    #[error("the database worker stopped")]
    WorkerStopped,
}

/// Why a note could not be edited in the external editor.
#[derive(Debug, thiserror::Error)]
enum EditorError {
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot run {editor}: {source}")]
    Run {
        editor: String,
        source: std::io::Error,
    },
    #[error("{editor} exited with {status}; note not changed")]
    Failed {
        editor: String,
        status: std::process::ExitStatus,
    },
    #[error("cannot read the note back: {0}")]
    Read(std::io::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What wakes the event loop.
pub enum LoopEvent {
    Key(crossterm::event::KeyEvent),
    /// Pasted text (bracketed paste), typed into the open field, never run as keys.
    Paste(String),
    Resize,
    Worker(Box<Response>),
    Sync(Box<sync_thread::SyncEvent>),
    Setup(Box<setup_jobs::SetupEvent>),
}

/// Read terminal events on a thread so the loop can also wait for the worker.
/// While `paused` (an external editor owns the terminal) it reads nothing.
fn spawn_input(tx: mpsc::Sender<LoopEvent>, paused: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        loop {
            if paused.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            match event::poll(Duration::from_millis(50)) {
                Ok(true) if !paused.load(Ordering::SeqCst) => {}
                Ok(_) => continue,
                Err(_) => return,
            }
            let ev = match event::read() {
                Ok(TermEvent::Key(k)) => LoopEvent::Key(k),
                Ok(TermEvent::Paste(text)) => LoopEvent::Paste(text),
                Ok(TermEvent::Resize(_, _)) => LoopEvent::Resize,
                Ok(_) => continue,
                Err(_) => return,
            };
            if tx.send(ev).is_err() {
                return;
            }
        }
    });
}

/// Run the TUI on the database at `db_path`; `home` holds the user's keymap.toml.
/// `sync` is how to sync this profile, or why it cannot yet; `accounts` are the
/// profile's mail accounts for the Sync tab (the one `sync` uses is marked).
pub fn run(
    db_path: &Path,
    home: &Path,
    sync: Result<crate::app::sync_session::SessionSetup, crate::app::sync_session::SetupError>,
    accounts: &BTreeMap<String, Account>,
) -> Result<(), TuiError> {
    // Open once here so a bad path fails before the screen switches.
    drop(crate::store::Store::open(db_path)?);
    let tz = crate::config::local_timezone();
    // `PIM_NOW` was checked when the profile opened; the TUI runs on the same clock.
    let clock = Clock::from_env().unwrap_or_else(|_| Clock::wall());
    let (keymap, keymap_err) = keymap::Keymap::load(home);
    let mut app = App::new(keymap, theme::Theme::from_env(), tz, clock.start());
    if let Some(e) = keymap_err {
        app.error(format!("{e} (using the default keys)"));
    }
    let (tx, rx) = mpsc::channel();
    let (req_tx, req_rx) = mpsc::channel();
    worker::spawn(db_path.to_path_buf(), tz, req_rx, tx.clone(), |r| {
        LoopEvent::Worker(Box::new(r))
    });
    let syncing = sync.as_ref().ok().map(|s| s.account_name.clone());
    app.pane.accounts = accounts
        .iter()
        .map(|(name, a)| sync_pane::AccountLine::new(name, a, syncing.as_deref() == Some(name)))
        .collect();
    let (sync_tx, sync_rx) = mpsc::channel();
    let config_file = crate::config::Paths {
        home: home.to_path_buf(),
    }
    .config_file();
    sync_thread::spawn(
        sync,
        db_path.to_path_buf(),
        config_file.clone(),
        sync_rx,
        tx.clone(),
        |e| LoopEvent::Sync(Box::new(e)),
    );
    let tx_jobs = tx.clone();
    let paused = Arc::new(AtomicBool::new(false));
    spawn_input(tx, paused.clone());
    // ratatui::init installs a panic hook that restores the terminal first.
    let mut terminal = ratatui::try_init().map_err(TuiError::Terminal)?;
    // A paste comes as one event: its line breaks must not be Enter (a form saved,
    // the rest of the text run as commands).
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    keep_terminal_on_worker_panics();
    let jobs = JobStarter {
        db: db_path.to_path_buf(),
        config_file,
        out: tx_jobs,
    };
    let result = event_loop(
        &mut terminal,
        &mut app,
        &rx,
        &req_tx,
        &sync_tx,
        &jobs,
        &paused,
        &clock,
    );
    let _ = sync_tx.send(sync_thread::SyncCmd::Quit);
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    result
}

/// The worker turns its panics into an error in the status line: ratatui's hook
/// (restore the terminal, print the panic) must not run for them, or the screen
/// would be left in cooked mode where `q` no longer reaches the app.
fn keep_terminal_on_worker_panics() {
    let restore_and_print = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() != Some(worker::THREAD_NAME) {
            // ratatui's restore does not know of bracketed paste: left on, the
            // shell after a crash would get every paste wrapped in escapes.
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
            restore_and_print(info);
        }
    }));
}

/// Where setup jobs run and report.
struct JobStarter {
    db: PathBuf,
    config_file: PathBuf,
    out: mpsc::Sender<LoopEvent>,
}

/// Put `text` on the terminal's clipboard (OSC 52; terminals that do not
/// allow it ignore the sequence).
fn copy_to_clipboard(text: &str) {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = std::io::stdout();
    let _ = write!(out, "\x1b]52;c;{encoded}\x07");
    let _ = out.flush();
}

#[allow(clippy::too_many_arguments)]
fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    rx: &mpsc::Receiver<LoopEvent>,
    req_tx: &mpsc::Sender<worker::Request>,
    sync_tx: &mpsc::Sender<sync_thread::SyncCmd>,
    jobs: &JobStarter,
    paused: &AtomicBool,
    clock: &Clock,
) -> Result<(), TuiError> {
    let mut last_clock = Instant::now();
    app.check_reminders();
    loop {
        for job in app.setup_jobs.drain(..) {
            setup_jobs::spawn(
                job,
                jobs.db.clone(),
                jobs.config_file.clone(),
                jobs.out.clone(),
                |e| LoopEvent::Setup(Box::new(e)),
            );
        }
        if let Some(text) = app.clipboard.take() {
            copy_to_clipboard(&text);
        }
        for r in app.outbox.drain(..) {
            req_tx.send(r).map_err(|_| TuiError::WorkerStopped)?;
        }
        for c in app.pane.commands.drain(..) {
            // A stopped sync thread already said why (its last state).
            let _ = sync_tx.send(c);
        }
        if let Some(note) = app.external_edit.take() {
            // The temp file goes only once its text is taken: a refused text is the
            // user's typing, kept where the status line says.
            let (path, outcome) = edit_externally(terminal, &note, paused);
            let refused = match outcome {
                Ok(t) => app.external_done(&note, &t).err(),
                Err(e) => Some(format!("editor: {e}")),
            };
            match (refused, path) {
                (None, Some(p)) => {
                    let _ = std::fs::remove_file(p);
                }
                (Some(why), Some(p)) => {
                    app.error(format!("{why}; your text is kept in {}", p.display()))
                }
                (Some(why), None) => app.error(why),
                (None, None) => {}
            }
            continue;
        }
        terminal.draw(|f| ui::draw(f, app))?;
        if app.quit {
            return Ok(());
        }
        let wait = clock.look_every().unwrap_or(Duration::from_secs(30));
        let first = match rx.recv_timeout(wait) {
            Ok(ev) => Some(ev),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        };
        // Handle everything already waiting before drawing again.
        for ev in first
            .into_iter()
            .chain(std::iter::from_fn(|| rx.try_recv().ok()))
        {
            match ev {
                LoopEvent::Key(k) => app.on_key(k),
                LoopEvent::Paste(text) => app.on_paste(&text),
                LoopEvent::Resize => terminal.autoresize()?,
                LoopEvent::Worker(r) => app.on_response(*r),
                LoopEvent::Sync(e) => app.on_sync_event(*e),
                LoopEvent::Setup(e) => app.on_setup_event(*e),
            }
            if app.quit || app.external_edit.is_some() {
                break;
            }
        }
        if last_clock.elapsed() > Duration::from_secs(30) || clock.stepped() {
            app.set_now(clock.now());
            app.check_reminders();
            last_clock = Instant::now();
        }
    }
}

/// Suspend the TUI, let `$VISUAL`/`$EDITOR` edit the note in a temp file, resume.
/// The temp file (once made) comes back with the text: the caller removes it.
fn edit_externally(
    terminal: &mut DefaultTerminal,
    note: &crate::model::Record,
    paused: &AtomicBool,
) -> (Option<PathBuf>, Result<String, EditorError>) {
    // A fresh name each time: a text kept from a refused edit stays where it is.
    let fresh = uuid::Uuid::new_v4().simple().to_string();
    let short: String = note
        .id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    let path = std::env::temp_dir().join(format!("pim-note-{short}-{}.md", &fresh[..8]));
    let made = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|source| EditorError::Create {
            path: path.clone(),
            source,
        })
        .and_then(|mut f| Ok(f.write_all(note_editor::to_editor_file(note).as_bytes())?));
    if let Err(e) = made {
        // A file we could not write holds nothing of the user's.
        if !matches!(e, EditorError::Create { .. }) {
            let _ = std::fs::remove_file(&path);
        }
        return (None, Err(e));
    }
    let outcome = run_editor(terminal, &path, paused);
    (Some(path), outcome)
}

fn run_editor(
    terminal: &mut DefaultTerminal,
    path: &Path,
    paused: &AtomicBool,
) -> Result<String, EditorError> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".to_string());
    paused.store(true, Ordering::SeqCst);
    crossterm::terminal::disable_raw_mode()?;
    crossterm::execute!(
        std::io::stdout(),
        crossterm::event::DisableBracketedPaste,
        LeaveAlternateScreen
    )?;
    // Through the shell, so EDITOR="code --wait" works.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("pim")
        .arg(path)
        .status();
    crossterm::execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste
    )?;
    crossterm::terminal::enable_raw_mode()?;
    terminal.clear()?;
    paused.store(false, Ordering::SeqCst);
    let status = status.map_err(|source| EditorError::Run {
        editor: editor.clone(),
        source,
    })?;
    if !status.success() {
        return Err(EditorError::Failed { editor, status });
    }
    std::fs::read_to_string(path).map_err(EditorError::Read)
}
