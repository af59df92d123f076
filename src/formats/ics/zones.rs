//! VTIMEZONEs for export: every TZID a written component uses gets one (RFC 5545
//! §3.2.19). A record's own VTIMEZONE (imported with it) is written as it came; a
//! zone pim knows (IANA or Windows name, or an X-WR-TIMEZONE calendar's zone given
//! to floating times on import) gets one generated from the zone database covering
//! the years the calendar uses.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use crate::model::borrowed::{BodyRef, ComponentRef};
use crate::model::{Component, tz};
use crate::recur::zone::vtimezone_from_database;

/// An open-ended series is covered up to this year at least (the horizon Outlook
/// and libical also write zones for).
const OPEN_SERIES_UNTIL: i32 = 2037;

/// The years each TZID without its own VTIMEZONE is used in, over all records.
#[derive(Default)]
pub struct ZoneYears {
    years: BTreeMap<String, (i32, i32)>,
}

impl ZoneYears {
    /// Note the TZIDs of `body` that `have` no VTIMEZONE yet.
    pub fn note(&mut self, body: &BodyRef<'_>, has_zone: impl Fn(&str) -> bool) {
        let open_series = body
            .main
            .props_named("RRULE")
            .any(|p| !p.value.contains("UNTIL=") && !p.value.contains("COUNT="));
        let until_years: Vec<i32> = body
            .main
            .props_named("RRULE")
            .filter_map(|p| {
                let v = p.value.split(';').find_map(|x| x.strip_prefix("UNTIL="))?;
                v.get(..4)?.parse().ok()
            })
            .collect();
        let mut used: BTreeMap<&str, (i32, i32)> = BTreeMap::new();
        for c in std::iter::once(&body.main).chain(&body.overrides) {
            collect(c, &mut used);
        }
        let until = until_years.iter().copied().max();
        for (tzid, years) in used {
            if !has_zone(tzid) {
                self.add(tzid, years, until, open_series);
            }
        }
    }

    /// Note that `tzid`, a zone of no VTIMEZONE of the record's own, is used in
    /// `years` by a record whose RRULEs run until `until` or, if `open_series`,
    /// without end.
    pub fn add(
        &mut self,
        tzid: &str,
        (lo, mut hi): (i32, i32),
        until: Option<i32>,
        open_series: bool,
    ) {
        if tz::known_zone(tzid).is_none() {
            return;
        }
        hi = until.map_or(hi, |u| hi.max(u));
        if open_series {
            hi = hi.max(OPEN_SERIES_UNTIL);
        }
        match self.years.get_mut(tzid) {
            Some(e) => *e = (e.0.min(lo), e.1.max(hi)),
            None => {
                self.years.insert(tzid.to_string(), (lo, hi));
            }
        }
    }

    /// Take the years `other` noted as well.
    pub fn merge(&mut self, other: ZoneYears) {
        for (tzid, (lo, hi)) in other.years {
            let e = self.years.entry(tzid).or_insert((lo, hi));
            *e = (e.0.min(lo), e.1.max(hi));
        }
    }

    /// The generated VTIMEZONEs, one per TZID.
    pub fn generate(self) -> impl Iterator<Item = Component> {
        self.years.into_iter().filter_map(|(tzid, (lo, hi))| {
            let zone = tz::known_zone(&tzid)?;
            // A year either side: a time near New Year may fall in the other one in UTC.
            let years: RangeInclusive<i32> = lo - 1..=hi + 1;
            Some(vtimezone_from_database(&tzid, zone, years))
        })
    }
}

/// Every TZID in `c` (and its sub-components) with the years of its values.
fn collect<'c>(c: &'c ComponentRef<'_>, out: &mut BTreeMap<&'c str, (i32, i32)>) {
    for p in &c.props {
        for tzid in p.param_values("TZID") {
            for v in p.value.split([',', '/']) {
                let Some(year) = v.get(..4).and_then(|y| y.parse::<i32>().ok()) else {
                    continue;
                };
                let e = out.entry(tzid).or_insert((year, year));
                *e = (e.0.min(year), e.1.max(year));
            }
        }
    }
    for s in &c.subs {
        collect(s, out);
    }
}
