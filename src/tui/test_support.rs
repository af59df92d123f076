//! A fixed world for tests: an in-memory store with the demo data, a fixed clock,
//! and a pump that runs the worker's requests synchronously.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::app::App;
use super::keymap::Keymap;
use super::theme::Theme;
use super::worker;
use crate::store::Store;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

pub struct World {
    pub app: App,
    pub store: Store,
}

impl World {
    /// An empty database.
    pub fn empty() -> World {
        World::with_store(Store::open_in_memory().unwrap())
    }

    /// A given (e.g. file-backed) database.
    pub fn with_store(store: Store) -> World {
        let app = App::new(
            Keymap::defaults(),
            Theme { color: false },
            crate::model::zonedb::UTC,
            now(),
        );
        let mut w = World { app, store };
        w.pump();
        w
    }

    /// The demo data, dated around the fixed today, with repeat rules removed so
    /// screens do not depend on the recurrence engine (tested on its own).
    pub fn demo() -> World {
        let mut store = Store::open_in_memory().unwrap();
        crate::app::demo::load_with(&mut store, today(), |r| {
            r.remove("RRULE");
            r.remove("EXDATE");
        })
        .unwrap();
        let app = App::new(
            Keymap::defaults(),
            Theme { color: false },
            crate::model::zonedb::UTC,
            now(),
        );
        let mut w = World { app, store };
        w.pump();
        w
    }

    /// The demo data as shipped, repeat rules included.
    pub fn demo_recurring() -> World {
        let mut store = Store::open_in_memory().unwrap();
        crate::app::demo::load(&mut store, today(), crate::app::demo::WhenNotEmpty::Refuse)
            .unwrap();
        let app = App::new(
            Keymap::defaults(),
            Theme { color: false },
            crate::model::zonedb::UTC,
            now(),
        );
        let mut w = World { app, store };
        w.pump();
        w
    }

    /// Answer every queued request (and the requests the answers cause).
    pub fn pump(&mut self) {
        while !self.app.outbox.is_empty() {
            let reqs: Vec<_> = self.app.outbox.drain(..).collect();
            for r in reqs {
                let resp = worker::handle(&mut self.store, r, crate::model::zonedb::UTC);
                self.app.on_response(resp);
            }
        }
    }

    pub fn key(&mut self, code: KeyCode) {
        self.app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        self.pump();
    }

    pub fn ctrl(&mut self, c: char) {
        self.app
            .on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
        self.pump();
    }

    /// Press the keys of `s` one by one (each char is a key).
    pub fn keys(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub fn screen(&mut self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| super::ui::draw(f, &mut self.app)).unwrap();
        format!("{}", t.backend())
    }
}
