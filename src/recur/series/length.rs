//! A component's wall-clock length.

use chrono::Duration;

use super::{SeriesError, Tz, Wall, err, instant};
use crate::model::borrowed::{ComponentLike, PropertyLike};
use crate::model::time::parse_ical_duration;
use crate::model::{Kind, When};

/// Wall-clock length of a component: DTEND (DUE for tasks) − start, DURATION, or the
/// RFC 5545 default (one day for all-day values, zero otherwise).
pub(super) fn component_duration<C: ComponentLike>(
    c: &C,
    start: &When,
    wall_of: &dyn Fn(&When) -> Wall,
    kind: Kind,
    tzs: &[C],
    local: Tz,
) -> Result<Duration, SeriesError> {
    let end_name = if kind == Kind::Task { "DUE" } else { "DTEND" };
    if let Some(p) = c.prop(end_name).filter(|_| c.prop("DTSTART").is_some()) {
        let end = p.when().map_err(|e| err(end_name, e))?;
        let d = if matches!((start, &end), (When::Zoned(_, a), When::Zoned(_, b)) if a != b)
            || matches!((start, &end), (When::Utc(_), _) | (_, When::Utc(_)))
        {
            instant(&end, tzs, local) - instant(start, tzs, local)
        } else {
            wall_of(&end) - wall_of(start)
        };
        return Ok(d.max(Duration::zero()));
    }
    if let Some(p) = c.prop("DURATION") {
        return parse_ical_duration(p.value())
            .map(|d| d.max(Duration::zero()))
            .map_err(|e| err("DURATION", e));
    }
    Ok(if start.is_date() {
        Duration::days(1)
    } else {
        Duration::zero()
    })
}
