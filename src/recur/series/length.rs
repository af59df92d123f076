//! A component's length: in days for all-day values, exact otherwise.

use chrono::Duration;

use super::{SeriesError, Tz, Wall, err, instant};
use crate::model::borrowed::{ComponentLike, PropertyLike};
use crate::model::time::parse_ical_duration;
use crate::model::{Kind, When};

/// Length of a component: DTEND (DUE for tasks) − start — between dates on the
/// wall clock (a day is a day, 23 hours long or 25), otherwise the exact time
/// between the two instants, which every instance then lasts (RFC 5545
/// §3.8.5.3; occurrences end at their start plus this) —, DURATION, or the RFC
/// 5545 default (one day for all-day values, zero otherwise).
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
        let d = match (start, &end) {
            (When::Date(_), _) | (_, When::Date(_)) => wall_of(&end) - wall_of(start),
            // Two wall-clock times an hour apart can be two hours apart, or none,
            // when the clocks change between them.
            _ => instant(&end, tzs, local) - instant(start, tzs, local),
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
