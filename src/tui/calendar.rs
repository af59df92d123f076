//! Calendar tab state: month grid, week and agenda over one loaded window of
//! occurrences (the six weeks around the selected month).

use chrono::{Datelike, Duration, Months, NaiveDate};

use crate::model::time::YEARS;

use super::action::Action;
use super::worker::{DayIndex, Occ, Request};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalMode {
    Month,
    Week,
    Agenda,
}

#[derive(Debug, Clone)]
pub struct CalendarView {
    pub mode: CalMode,
    pub selected: NaiveDate,
    /// Index of the selected occurrence within the selected day.
    pub item: usize,
    pub occs: Vec<Occ>,
    /// Day → indices into `occs` showing on it (built once per load: drawing a
    /// month asks for 42 days many times a second).
    index: DayIndex,
    pub loaded: Option<(NaiveDate, NaiveDate)>,
    pub requested: Option<(NaiveDate, NaiveDate)>,
    /// After a search jump: the record to select once its day is loaded.
    pub focus_record: Option<String>,
}

/// Monday on or before `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// The first day of the six-week grid showing `d`'s month.
pub fn grid_start(d: NaiveDate) -> NaiveDate {
    week_start(d.with_day(1).expect("day 1 exists"))
}

impl CalendarView {
    pub fn new(today: NaiveDate) -> Self {
        CalendarView {
            mode: CalMode::Month,
            selected: today,
            item: 0,
            occs: Vec::new(),
            index: DayIndex::default(),
            loaded: None,
            requested: None,
            focus_record: None,
        }
    }

    pub fn window(&self) -> (NaiveDate, NaiveDate) {
        let s = grid_start(self.selected);
        (s, s + Duration::days(42))
    }

    /// The request that loads the current window, unless it is loaded or on its way.
    pub fn load_request(&mut self) -> Option<Request> {
        let w = self.window();
        let covered =
            |r: Option<(NaiveDate, NaiveDate)>| r.is_some_and(|(a, b)| a <= w.0 && w.1 <= b);
        if covered(self.loaded) || self.requested == Some(w) {
            return None;
        }
        self.requested = Some(w);
        Some(Request::Events { from: w.0, to: w.1 })
    }

    /// Force a reload of the window (after an edit).
    pub fn reload(&mut self) -> Option<Request> {
        self.loaded = None;
        self.requested = None;
        self.load_request()
    }

    /// Take a loaded window; `index` as built by the worker (or `None` to build it).
    pub fn set_occs(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
        occs: Vec<Occ>,
        index: Option<DayIndex>,
    ) {
        if self.requested == Some((from, to)) {
            self.requested = None;
        }
        let index = index.unwrap_or_else(|| DayIndex::build(&occs, from, to));
        let old = (
            std::mem::replace(&mut self.occs, occs),
            std::mem::replace(&mut self.index, index),
        );
        // Freeing a busy window (tens of thousands of occurrences and the records
        // they hold) takes milliseconds: do it off the UI thread.
        if old.0.len() > 2000 {
            std::thread::spawn(move || drop(old));
        }
        self.loaded = Some((from, to));
        if let Some(id) = self.focus_record.take() {
            if let Some(i) = self
                .day(self.selected)
                .iter()
                .position(|o| o.record.id == id)
            {
                self.item = i;
            } else {
                self.focus_record = Some(id);
            }
        }
        self.clamp_item();
    }

    pub fn day(&self, d: NaiveDate) -> Vec<&Occ> {
        self.index
            .get(d)
            .iter()
            .map(|&i| &self.occs[i as usize])
            .collect()
    }

    /// How many occurrences show on `d` (no allocation).
    pub fn day_len(&self, d: NaiveDate) -> usize {
        self.index.get(d).len()
    }

    /// The `n`th occurrence of day `d`.
    pub fn day_item(&self, d: NaiveDate, n: usize) -> Option<&Occ> {
        self.index.get(d).get(n).map(|&i| &self.occs[i as usize])
    }

    pub fn selected_occ(&self) -> Option<&Occ> {
        self.day_item(self.selected, self.item)
    }

    fn clamp_item(&mut self) {
        let n = self.day_len(self.selected);
        self.item = self.item.min(n.saturating_sub(1));
    }

    /// Select `d`, kept within the calendar pim can save (the years 1–9999): a
    /// move past either end stops there.
    fn select(&mut self, d: NaiveDate) {
        let d = d.clamp(first_day(), last_day());
        if d != self.selected {
            self.selected = d;
            self.item = 0;
        }
        self.clamp_item();
    }

    /// Agenda rows in the window: (day, index within the day).
    pub fn agenda_rows(&self) -> Vec<(NaiveDate, usize)> {
        let (a, b) = self.window();
        let mut rows = Vec::new();
        let mut d = a;
        while d < b {
            let n = self.day_len(d);
            rows.extend((0..n).map(|i| (d, i)));
            d += Duration::days(1);
        }
        rows
    }

    fn move_agenda(&mut self, step: i64) {
        let rows = self.agenda_rows();
        if rows.is_empty() {
            return;
        }
        let cur = rows.iter().position(|r| *r == (self.selected, self.item));
        let next = match cur {
            Some(i) => (i as i64 + step).clamp(0, rows.len() as i64 - 1) as usize,
            None => rows
                .iter()
                .position(|(d, _)| *d >= self.selected)
                .unwrap_or(rows.len() - 1),
        };
        let (day, item) = rows[next];
        self.select(day);
        if self.selected == day {
            self.item = item;
        }
    }

    /// The selected day moved by `n` days (kept within the calendar by `select`).
    fn days_away(&self, n: i64) -> NaiveDate {
        self.selected
            .checked_add_signed(Duration::days(n))
            .unwrap_or(if n < 0 { first_day() } else { last_day() })
    }

    fn add_months(&self, n: i32) -> NaiveDate {
        if n >= 0 {
            self.selected.checked_add_months(Months::new(n as u32))
        } else {
            self.selected.checked_sub_months(Months::new((-n) as u32))
        }
        .unwrap_or(self.selected)
    }

    /// Apply a navigation action; returns whether it was one.
    pub fn on_action(&mut self, a: Action, today: NaiveDate) -> bool {
        match (a, self.mode) {
            (Action::Left, _) => self.select(self.days_away(-1)),
            (Action::Right, _) => self.select(self.days_away(1)),
            (Action::Up, CalMode::Month) => self.select(self.days_away(-7)),
            (Action::Down, CalMode::Month) => self.select(self.days_away(7)),
            (Action::Up | Action::PrevItem, CalMode::Agenda) => self.move_agenda(-1),
            (Action::Down | Action::NextItem, CalMode::Agenda) => self.move_agenda(1),
            (Action::Up | Action::PrevItem, _) => self.item = self.item.saturating_sub(1),
            (Action::Down | Action::NextItem, _) => {
                self.item += 1;
                self.clamp_item();
            }
            (Action::NextPeriod | Action::PageDown, CalMode::Week) => {
                self.select(self.days_away(7))
            }
            (Action::PrevPeriod | Action::PageUp, CalMode::Week) => self.select(self.days_away(-7)),
            (Action::NextPeriod | Action::PageDown, _) => self.select(self.add_months(1)),
            (Action::PrevPeriod | Action::PageUp, _) => self.select(self.add_months(-1)),
            (Action::Today, _) => self.select(today),
            (Action::Top, _) => self.select(self.selected.with_day(1).unwrap_or(self.selected)),
            (Action::CycleView, _) => {
                self.mode = match self.mode {
                    CalMode::Month => CalMode::Week,
                    CalMode::Week => CalMode::Agenda,
                    CalMode::Agenda => CalMode::Month,
                }
            }
            (Action::MonthView, _) => self.mode = CalMode::Month,
            (Action::WeekView, _) => self.mode = CalMode::Week,
            (Action::AgendaView, _) => self.mode = CalMode::Agenda,
            _ => return false,
        }
        true
    }

    /// Jump to a date (the `g` dialog, search results), within the calendar.
    pub fn goto(&mut self, d: NaiveDate) {
        self.select(d);
    }
}

/// The first day pim can save.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(*YEARS.start(), 1, 1).expect("a valid date")
}

/// The last day pim can save.
fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(*YEARS.end(), 12, 31).expect("a valid date")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_moves_clamp_to_month_end_and_reload() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let mut c = CalendarView::new(d(2026, 1, 31));
        assert!(c.load_request().is_some());
        assert!(c.load_request().is_none(), "already on its way");
        c.on_action(Action::NextPeriod, d(2026, 1, 31));
        assert_eq!(c.selected, d(2026, 2, 28));
        assert_eq!(c.window().0, d(2026, 1, 26));
        assert!(c.load_request().is_some());
        c.on_action(Action::WeekView, d(2026, 1, 31));
        c.on_action(Action::NextPeriod, d(2026, 1, 31));
        assert_eq!(c.selected, d(2026, 3, 7));
        c.on_action(Action::Today, d(2026, 1, 31));
        assert_eq!(c.selected, d(2026, 1, 31));
    }

    /// Every move stops at the calendar's ends (the years 1–9999, which pim can
    /// save): the selection never leaves them, however far one goes.
    #[test]
    fn moves_stop_at_the_ends_of_the_calendar() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let today = d(2026, 1, 31);
        for mode in [Action::MonthView, Action::WeekView, Action::AgendaView] {
            let mut c = CalendarView::new(d(9999, 12, 20));
            c.on_action(mode, today);
            for a in [
                Action::Right,
                Action::Down,
                Action::NextPeriod,
                Action::PageDown,
            ] {
                for _ in 0..40 {
                    c.on_action(a, today);
                }
                assert_eq!(c.selected, d(9999, 12, 31), "{mode:?} {a:?}");
            }
            c.goto(d(1, 1, 10));
            for a in [Action::Left, Action::Up, Action::PrevPeriod, Action::PageUp] {
                for _ in 0..40 {
                    c.on_action(a, today);
                }
                assert_eq!(c.selected, d(1, 1, 1), "{mode:?} {a:?}");
            }
        }
        let mut c = CalendarView::new(today);
        c.goto(d(12000, 5, 1));
        assert_eq!(c.selected, d(9999, 12, 31));
    }
}
