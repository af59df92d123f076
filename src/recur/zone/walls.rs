//! The wall times of a window's ends, found once per zone: a listing expands many
//! series in few zones, each from the same window.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::Zone;

/// Zones asked at most (then those kept are let go).
const ROOM: usize = 64;

/// The walls of window ends in the zones asked so far.
#[derive(Default)]
pub struct WindowWalls {
    known: Vec<Known>,
}

/// A zone, a window's ends, and their walls in it.
type Known = (
    Zone,
    DateTime<Utc>,
    DateTime<Utc>,
    NaiveDateTime,
    NaiveDateTime,
);

impl WindowWalls {
    /// `(zone.wall(from), zone.wall(to))`, found once for each IANA zone and window.
    pub fn of(
        &mut self,
        zone: &Zone,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> (NaiveDateTime, NaiveDateTime) {
        if !matches!(zone, Zone::Local(_) | Zone::Iana(_)) {
            return (zone.wall(from), zone.wall(to));
        }
        let found = self
            .known
            .iter()
            .find(|k| same_clock(&k.0, zone) && k.1 == from && k.2 == to);
        if let Some(k) = found {
            return (k.3, k.4);
        }
        let walls = (zone.wall(from), zone.wall(to));
        if self.known.len() >= ROOM {
            self.known.clear();
        }
        self.known.push((zone.clone(), from, to, walls.0, walls.1));
        walls
    }
}

/// Whether two zones are one IANA zone's clock (floating values read in it too).
fn same_clock(a: &Zone, b: &Zone) -> bool {
    match (a, b) {
        (Zone::Local(a) | Zone::Iana(a), Zone::Local(b) | Zone::Iana(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn walls_kept_are_the_walls_found_again() {
        let mut walls = WindowWalls::default();
        let from = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
        for _ in 0..2 {
            for name in ["Europe/Berlin", "Asia/Tokyo", "America/New_York"] {
                let tz = name.parse().unwrap();
                for zone in [Zone::Iana(tz), Zone::Local(tz), Zone::Utc] {
                    for (a, b) in [(from, to), (to, from)] {
                        assert_eq!(walls.of(&zone, a, b), (zone.wall(a), zone.wall(b)));
                    }
                }
            }
        }
        assert_eq!(walls.known.len(), 6);
    }
}
