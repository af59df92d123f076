//! Resolving a TZID to a zone: IANA names, Windows names (Outlook/Exchange), and
//! VTIMEZONE definitions carried by the item itself.

use crate::model::zonedb::Tz;
use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};

use super::borrowed::ComponentRef;
use super::property::Component;
use super::time::{When, local_to_utc};

/// A zone pim can compute offsets in.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    Iana(Tz),
    /// A VTIMEZONE we could not map to a known zone: its standard offset.
    Fixed(FixedOffset),
}

impl Zone {
    pub fn to_utc(&self, n: NaiveDateTime) -> DateTime<Utc> {
        match self {
            Zone::Iana(tz) => local_to_utc(n, *tz),
            Zone::Fixed(off) => off
                .from_local_datetime(&n)
                .single()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&n)),
        }
    }

    pub fn offset_at(&self, t: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Iana(tz) => tz.offset_from_utc_datetime(&t.naive_utc()).fix(),
            Zone::Fixed(off) => *off,
        }
    }
}

/// Common Windows zone names (CLDR windowsZones, territory 001) → IANA.
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("UTC-11", "Etc/GMT+11"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Pacific Standard Time (Mexico)", "America/Tijuana"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Central Standard Time", "America/Chicago"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Canada Central Standard Time", "America/Regina"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Eastern Standard Time", "America/New_York"),
    ("US Eastern Standard Time", "America/Indianapolis"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Venezuela Standard Time", "America/Caracas"),
    ("SA Western Standard Time", "America/La_Paz"),
    ("Pacific SA Standard Time", "America/Santiago"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Buenos_Aires"),
    ("SA Eastern Standard Time", "America/Cayenne"),
    ("Greenland Standard Time", "America/Godthab"),
    ("UTC-02", "Etc/GMT+2"),
    ("Azores Standard Time", "Atlantic/Azores"),
    ("Cape Verde Standard Time", "Atlantic/Cape_Verde"),
    ("UTC", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("W. Central Africa Standard Time", "Africa/Lagos"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("Middle East Standard Time", "Asia/Beirut"),
    ("Egypt Standard Time", "Africa/Cairo"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("Arabic Standard Time", "Asia/Baghdad"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Arab Standard Time", "Asia/Riyadh"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("E. Africa Standard Time", "Africa/Nairobi"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Afghanistan Standard Time", "Asia/Kabul"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("India Standard Time", "Asia/Calcutta"),
    ("Sri Lanka Standard Time", "Asia/Colombo"),
    ("Nepal Standard Time", "Asia/Katmandu"),
    ("Bangladesh Standard Time", "Asia/Dhaka"),
    ("Myanmar Standard Time", "Asia/Rangoon"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("AUS Central Standard Time", "Australia/Darwin"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("Tasmania Standard Time", "Australia/Hobart"),
    ("West Pacific Standard Time", "Pacific/Port_Moresby"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("Tonga Standard Time", "Pacific/Tongatapu"),
];

/// Find a known zone for a TZID: IANA, Windows, or an IANA name embedded in a
/// vendor prefix (`/mozilla.org/20050126_1/Europe/Berlin`).
pub fn known_zone(tzid: &str) -> Option<Tz> {
    /// The TZIDs this thread looked up last: a profile uses a handful, and an
    /// export or listing looks one up for every time it writes.
    const REMEMBERED: usize = 16;
    thread_local! {
        static SEEN: std::cell::RefCell<Vec<(Box<str>, Option<Tz>)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    SEEN.with(|seen| {
        if let Some((_, zone)) = seen.borrow().iter().find(|(id, _)| **id == *tzid) {
            return *zone;
        }
        let zone = look_up_zone(tzid);
        let mut seen = seen.borrow_mut();
        if seen.len() == REMEMBERED {
            seen.remove(0);
        }
        seen.push((tzid.into(), zone));
        zone
    })
}

/// [`known_zone`], not remembered.
fn look_up_zone(tzid: &str) -> Option<Tz> {
    let t = tzid.trim().trim_matches('"');
    if let Ok(tz) = t.parse::<Tz>() {
        return Some(tz);
    }
    if let Some((_, iana)) = WINDOWS_ZONES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(t))
    {
        return iana.parse().ok();
    }
    // Vendor prefixes: try every suffix made of the last path segments.
    let parts: Vec<&str> = t.split('/').collect();
    for i in 1..parts.len() {
        if let Ok(tz) = parts[i..].join("/").parse::<Tz>() {
            return Some(tz);
        }
    }
    None
}

/// What resolving a TZID needs of an item's VTIMEZONEs, whether decoded
/// ([`Component`]) or read in place ([`ComponentRef`]): one rule for both.
pub trait VTimezone: Sized {
    fn name(&self) -> &str;
    /// The value of the first property of this name (ASCII case ignored).
    fn value_of(&self, name: &str) -> Option<&str>;
    /// Its sub-components (STANDARD, DAYLIGHT).
    fn parts(&self) -> &[Self];
}

impl VTimezone for Component {
    fn name(&self) -> &str {
        &self.name
    }
    fn value_of(&self, name: &str) -> Option<&str> {
        self.prop(name).map(|p| p.value.as_str())
    }
    fn parts(&self) -> &[Self] {
        &self.subs
    }
}

impl VTimezone for ComponentRef<'_> {
    fn name(&self) -> &str {
        &self.name
    }
    fn value_of(&self, name: &str) -> Option<&str> {
        self.prop(name).map(|p| &*p.value)
    }
    fn parts(&self) -> &[Self] {
        &self.subs
    }
}

/// Resolve a TZID against known zones, then the item's VTIMEZONEs.
pub fn resolve(tzid: &str, timezones: &[Component]) -> Option<Zone> {
    resolve_in(tzid, timezones)
}

/// [`resolve`] against VTIMEZONEs decoded or read in place.
pub fn resolve_in<Z: VTimezone>(tzid: &str, timezones: &[Z]) -> Option<Zone> {
    if let Some(tz) = known_zone(tzid) {
        return Some(Zone::Iana(tz));
    }
    let vtz = timezones
        .iter()
        .find(|z| z.value_of("TZID").is_some_and(|v| v == tzid))?;
    // A VTIMEZONE may name its zone in X-LIC-LOCATION.
    if let Some(tz) = vtz.value_of("X-LIC-LOCATION").and_then(known_zone) {
        return Some(Zone::Iana(tz));
    }
    let parts = vtz.parts();
    let std = parts
        .iter()
        .find(|c| c.name() == "STANDARD")
        .or(parts.first())?;
    parse_utc_offset(std.value_of("TZOFFSETTO")?).map(Zone::Fixed)
}

/// `+0100`, `-0530`, `+013000` → offset.
pub fn parse_utc_offset(v: &str) -> Option<FixedOffset> {
    let v = v.trim();
    let (sign, rest) = match v.as_bytes().first()? {
        b'+' => (1, &v[1..]),
        b'-' => (-1, &v[1..]),
        _ => return None,
    };
    if rest.len() < 4 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = rest[0..2].parse().ok()?;
    let m: i32 = rest[2..4].parse().ok()?;
    let s: i32 = rest.get(4..6).and_then(|x| x.parse().ok()).unwrap_or(0);
    FixedOffset::east_opt(sign * (h * 3600 + m * 60 + s))
}

/// The instant of a value; floating and date values are taken in `local`.
pub fn instant(w: &When, timezones: &[Component], local: Tz) -> DateTime<Utc> {
    instant_in(w, timezones, local)
}

/// [`instant`] against VTIMEZONEs decoded or read in place.
pub fn instant_in<Z: VTimezone>(w: &When, timezones: &[Z], local: Tz) -> DateTime<Utc> {
    match w {
        When::Date(d) => local_to_utc(d.and_hms_opt(0, 0, 0).expect("midnight"), local),
        When::Floating(n) => local_to_utc(*n, local),
        When::Utc(t) => *t,
        When::Zoned(n, tzid) => match resolve_in(tzid, timezones) {
            Some(z) => z.to_utc(*n),
            None => local_to_utc(*n, local),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_prefixed_names() {
        assert_eq!(
            known_zone("W. Europe Standard Time"),
            Some(crate::model::zonedb::Tz::known("Europe/Berlin"))
        );
        assert_eq!(
            known_zone("/mozilla.org/20050126_1/Europe/Vienna"),
            Some(crate::model::zonedb::Tz::known("Europe/Vienna"))
        );
        assert_eq!(known_zone("Nowhere/Special"), None);
    }

    #[test]
    fn remembered_zones_are_the_zones_looked_up() {
        // More names than are remembered, each asked for twice in turn.
        let names: Vec<String> = (0..40)
            .map(|i| match i % 4 {
                0 => format!("Etc/GMT+{}", i % 12),
                1 => "W. Europe Standard Time".to_string(),
                2 => format!("Nowhere/{i}"),
                _ => format!("/vendor/{i}/Asia/Tokyo"),
            })
            .collect();
        for _ in 0..2 {
            for n in &names {
                assert_eq!(known_zone(n), look_up_zone(n), "{n}");
            }
        }
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_utc_offset("+0130").unwrap().local_minus_utc(), 5400);
        assert_eq!(parse_utc_offset("-0500").unwrap().local_minus_utc(), -18000);
        assert!(parse_utc_offset("0100").is_none());
    }
}
