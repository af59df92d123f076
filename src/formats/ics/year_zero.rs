//! A stored VTIMEZONE's dates of the year 0, which readers refuse (python icalendar,
//! so khal: the whole calendar), taken out of what an export writes; the stored
//! zone itself is kept as it came. Nothing of the year 0 changes an offset in the
//! years a calendar holds, so the offsets the zone gives from the year 1 on stay.

use crate::model::Component;

/// The first second of the year 1.
const FIRST: &str = "00010101T000000";

fn year_0(date: &str) -> bool {
    date.starts_with("0000")
}

/// `zone` without dates of the year 0: an observance that recurs past the year 0
/// starts a year later, on its own day (its rule's anchor); one whose every onset
/// lies in the year 0 starts at the first second of the year 1, and of several such
/// only the one that began last is kept (it is the one in force then); extra onsets
/// (RDATE) in the year 0 are left out.
pub(super) fn without_year_0(zone: &mut Component) {
    // (index, latest onset) of the observances that only begin in the year 0.
    let mut initial: Vec<(usize, String)> = Vec::new();
    for (i, observance) in zone.subs.iter_mut().enumerate() {
        let mut latest = String::new();
        let mut later_rdate = false;
        observance.props.retain_mut(|p| {
            if !p.name.eq_ignore_ascii_case("RDATE") {
                return true;
            }
            let dates: Vec<&str> = p.value.split(',').collect();
            for d in dates.iter().filter(|d| year_0(d)) {
                latest = latest.clone().max(d.to_string());
            }
            let kept: Vec<&str> = dates.into_iter().filter(|d| !year_0(d)).collect();
            later_rdate |= !kept.is_empty();
            p.value = kept.join(",");
            !p.value.is_empty()
        });
        let Some(start) = observance
            .props
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case("DTSTART") && year_0(&p.value))
        else {
            continue;
        };
        let rule = observance
            .props
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case("RRULE"));
        let until = rule.and_then(|r| {
            let value = observance.props[r].value.to_ascii_uppercase();
            let (_, rest) = value.split_once("UNTIL=")?;
            Some(rest.split(';').next().unwrap_or("").to_string())
        });
        let recurs_on = rule.is_some() && !until.as_deref().is_some_and(year_0);
        if recurs_on || later_rdate {
            // Its rule's anchor kept (month, day, time): the year 0's onset is lost.
            let value = &mut observance.props[start].value;
            value.replace_range(..4, "0001");
            continue;
        }
        latest = latest
            .max(observance.props[start].value.clone())
            .max(until.unwrap_or_default());
        observance.props[start].value = FIRST.into();
        if let Some(r) = rule {
            observance.props.remove(r);
        }
        initial.push((i, latest));
    }
    // Of the observances now starting at the same first second, the one in force.
    if let Some((keep, _)) = initial.iter().max_by(|a, b| a.1.cmp(&b.1)).cloned() {
        let drop: Vec<usize> = initial
            .iter()
            .map(|(i, _)| *i)
            .filter(|i| *i != keep)
            .collect();
        let mut i = 0;
        zone.subs.retain(|_| {
            i += 1;
            !drop.contains(&(i - 1))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Property;

    fn observance(name: &str, props: &[(&str, &str)]) -> Component {
        Component {
            name: name.into(),
            props: props.iter().map(|&(n, v)| Property::new(n, v)).collect(),
            subs: Vec::new(),
        }
    }

    fn props(c: &Component) -> Vec<(String, String)> {
        c.props
            .iter()
            .map(|p| (p.name.clone(), p.value.clone()))
            .collect()
    }

    fn pair(n: &str, v: &str) -> (String, String) {
        (n.to_string(), v.to_string())
    }

    #[test]
    fn an_onset_of_the_year_0_alone_begins_the_year_1() {
        let mut zone = Component {
            name: "VTIMEZONE".into(),
            props: vec![Property::new("TZID", "America/New_York")],
            subs: vec![
                observance("STANDARD", &[("DTSTART", "00001231T190358")]),
                observance("DAYLIGHT", &[("DTSTART", "19180331T020000")]),
            ],
        };
        without_year_0(&mut zone);
        assert_eq!(props(&zone.subs[0]), [pair("DTSTART", FIRST)]);
        assert_eq!(props(&zone.subs[1]), [pair("DTSTART", "19180331T020000")]);
    }

    /// A rule counted from a day of the year 0 keeps its day: `FREQ=YEARLY` alone
    /// repeats DTSTART's month and day, which the first second would change.
    #[test]
    fn a_rule_from_the_year_0_keeps_its_day() {
        let mut zone = Component {
            name: "VTIMEZONE".into(),
            props: Vec::new(),
            subs: vec![observance(
                "DAYLIGHT",
                &[("DTSTART", "00000401T020000"), ("RRULE", "FREQ=YEARLY")],
            )],
        };
        without_year_0(&mut zone);
        assert_eq!(
            props(&zone.subs[0]),
            [
                pair("DTSTART", "00010401T020000"),
                pair("RRULE", "FREQ=YEARLY")
            ]
        );
    }

    /// Two observances whose onsets all lie in the year 0 would both begin at the
    /// first second (which one is in force, readers could not tell): the one that
    /// began last in the year 0 is kept, as it was in force when the year 1 began.
    #[test]
    fn of_observances_ending_in_the_year_0_the_last_begun_is_kept() {
        let mut zone = Component {
            name: "VTIMEZONE".into(),
            props: Vec::new(),
            subs: vec![
                observance(
                    "DAYLIGHT",
                    &[
                        ("DTSTART", "00000401T020000"),
                        ("RRULE", "FREQ=YEARLY;UNTIL=00001001T000000Z"),
                    ],
                ),
                observance(
                    "STANDARD",
                    &[
                        ("DTSTART", "00001231T190358"),
                        ("RDATE", "00001231T190358,20001101T020000"),
                    ],
                ),
                observance("STANDARD", &[("DTSTART", "00001101T020000")]),
            ],
        };
        without_year_0(&mut zone);
        // The second recurs past the year 0 (an RDATE of 2000): it keeps its day.
        assert_eq!(zone.subs.len(), 2, "{:?}", zone.subs);
        assert_eq!(
            props(&zone.subs[0]),
            [
                pair("DTSTART", "00011231T190358"),
                pair("RDATE", "20001101T020000")
            ]
        );
        assert_eq!(props(&zone.subs[1]), [pair("DTSTART", FIRST)]);
    }
}
