//! The calendar's occurrences in local wall time, and which show on each day.

use std::sync::Arc;

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

use crate::model::{Kind, Record};
use crate::store::Store;

/// Occurrences of one event a calendar view shows at most: a FREQ=SECONDLY
/// series has millions in a month, and the view stays responsive.
pub(super) const MAX_SHOWN_PER_EVENT: usize = 5_000;

/// One occurrence of an event, in local wall time.
#[derive(Debug, Clone, PartialEq)]
pub struct Occ {
    pub record: Arc<Record>,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub all_day: bool,
    /// STATUS:CANCELLED (its override's or the event's): drawn struck through.
    pub cancelled: bool,
    /// For an occurrence of a recurring event: its recurrence id (what an edit of
    /// this occurrence alone names it by).
    pub recurrence_id: Option<String>,
    /// The override that supplies it, if any (its own title, ...).
    pub override_index: Option<usize>,
}

impl Occ {
    /// The component that describes it: its override, else the event itself.
    pub fn component(&self) -> &crate::model::Component {
        self.override_index
            .and_then(|i| self.record.body.overrides.get(i))
            .unwrap_or(&self.record.body.main)
    }

    /// Its title: an overridden occurrence's own, else the event's.
    pub fn title(&self) -> String {
        self.component()
            .prop("SUMMARY")
            .map(|p| p.text_value())
            .unwrap_or_else(|| self.record.title())
    }

    /// Whether this occurrence shows on local day `d`.
    pub fn on(&self, d: NaiveDate) -> bool {
        let day_start = d.and_hms_opt(0, 0, 0).expect("midnight");
        let day_end = day_start + Duration::days(1);
        if self.end <= self.start {
            return self.start >= day_start && self.start < day_end;
        }
        self.start < day_end && self.end > day_start
    }
}

/// Which occurrences show on each day of a window (built by the worker: a busy
/// window holds tens of thousands of occurrences).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DayIndex {
    pub from: Option<NaiveDate>,
    days: Vec<Vec<u32>>,
}

impl DayIndex {
    pub fn build(occs: &[Occ], from: NaiveDate, to: NaiveDate) -> DayIndex {
        let n = (to - from).num_days().max(0) as usize;
        let mut days = vec![Vec::new(); n];
        for (i, o) in occs.iter().enumerate() {
            let mut d = o.start.date().max(from);
            while d < to && o.on(d) {
                days[(d - from).num_days() as usize].push(i as u32);
                d += Duration::days(1);
            }
        }
        DayIndex {
            from: Some(from),
            days,
        }
    }

    /// Indices into the occurrences showing on `d` (empty outside the window).
    pub fn get(&self, d: NaiveDate) -> &[u32] {
        let Some(from) = self.from else {
            return &[];
        };
        let i = (d - from).num_days();
        if i < 0 {
            return &[];
        }
        self.days.get(i as usize).map(Vec::as_slice).unwrap_or(&[])
    }
}

fn local_midnight(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    crate::model::time::local_to_utc(d.and_hms_opt(0, 0, 0).expect("midnight"), tz)
}

pub(super) fn events(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    tz: Tz,
) -> crate::store::Result<Vec<Occ>> {
    let (a, b) = (local_midnight(from, tz), local_midnight(to, tz));
    let mut out = Vec::new();
    for r in store.events_between(a.timestamp(), b.timestamp(), None)? {
        let r = Arc::new(r);
        // A broken event must not hide the others: skip it (the CLI reports it).
        let Ok(list) = crate::recur::expand(&*r, a, b, tz, MAX_SHOWN_PER_EVENT) else {
            continue;
        };
        for o in list.occurrences {
            let (start, end) = if o.all_day {
                (o.start.naive_local(), o.end.naive_local())
            } else {
                (
                    o.start.with_timezone(&tz).naive_local(),
                    o.end.with_timezone(&tz).naive_local(),
                )
            };
            out.push(Occ {
                record: r.clone(),
                start,
                end,
                all_day: o.all_day,
                cancelled: o.cancelled,
                recurrence_id: o.recurrence_id.filter(|_| r.is_recurring()),
                override_index: o.override_index,
            });
        }
    }
    // The computed birthday calendar: all-day entries standing for their contact
    // (a Contact-kind record with the contact's id and the day's title), so opening
    // one shows the contact and nothing can edit or delete it from the calendar.
    for b in crate::app::birthdays::between(store, from, to)? {
        let mut shown = Record::new(Kind::Contact, "");
        shown.id = b.contact_id.clone();
        shown.set_text("FN", &b.summary());
        let start = b.date.and_hms_opt(0, 0, 0).expect("midnight");
        out.push(Occ {
            record: Arc::new(shown),
            start,
            end: start + Duration::days(1),
            all_day: true,
            cancelled: false,
            recurrence_id: None,
            override_index: None,
        });
    }
    // Per day: all-day events first, then by start time.
    out.sort_by_cached_key(|o| (o.start.date(), !o.all_day, o.start, o.title()));
    Ok(out)
}
