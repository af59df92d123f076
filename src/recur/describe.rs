//! A recurrence rule in words, for people: "every week on Mon, Wed, Fri until
//! 31 Mar 2027" instead of `FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270331`. Used by
//! `pim show`, the TUI's details pane and invitation previews. A rule that cannot
//! be parsed is shown as written.

use chrono::{NaiveDate, Weekday};

use super::rule::{Freq, Rule, Until};

/// The rule `value` (an RRULE value, without `RRULE:`) in words.
pub fn describe_rrule(value: &str) -> String {
    match Rule::parse(value) {
        Ok(rule) => describe(&rule),
        Err(_) => value.trim().to_string(),
    }
}

/// A parsed rule in words.
pub fn describe(rule: &Rule) -> String {
    let mut out = every(rule);
    if !rule.bymonth.is_empty() && rule.freq != Freq::Yearly || has_yearly_months(rule) {
        out.push_str(" in ");
        out.push_str(&join(
            rule.bymonth.iter().map(|m| month_name(*m).to_string()),
        ));
    }
    if let Some(days) = on_days(rule) {
        out.push_str(" on ");
        out.push_str(&days);
    }
    if !rule.byhour.is_empty() || !rule.byminute.is_empty() {
        out.push_str(&at_times(rule));
    }
    if !rule.bysetpos.is_empty() && !setpos_folded(rule) {
        out.push_str(&format!(
            " (only the {} of each {})",
            join(rule.bysetpos.iter().map(|n| ordinal(*n))),
            period_noun(rule.freq)
        ));
    }
    if let Some(count) = rule.count {
        out.push_str(&match count {
            1 => ", once".to_string(),
            2 => ", twice".to_string(),
            n => format!(", {n} times"),
        });
    }
    if let Some(until) = &rule.until {
        out.push_str(" until ");
        out.push_str(&until_text(until));
    }
    out
}

fn every(rule: &Rule) -> String {
    let unit = period_noun(rule.freq);
    match rule.interval {
        1 if is_weekdays(rule) => "every weekday".to_string(),
        1 => format!("every {unit}"),
        2 => format!("every other {unit}"),
        n => format!("every {n} {unit}s"),
    }
}

/// Monday to Friday, every week: said as "every weekday" without a day list.
fn is_weekdays(rule: &Rule) -> bool {
    use Weekday::*;
    matches!(rule.freq, Freq::Weekly | Freq::Daily)
        && rule.byday.len() == 5
        && [Mon, Tue, Wed, Thu, Fri]
            .iter()
            .all(|d| rule.byday.contains(&(0, *d)))
        && rule.bymonthday.is_empty()
}

fn has_yearly_months(rule: &Rule) -> bool {
    // "every year on 10 Dec" says the month with the day; only say "in" when the
    // days are not plain month days.
    rule.freq == Freq::Yearly && !rule.bymonth.is_empty() && !yearly_dates(rule)
}

fn yearly_dates(rule: &Rule) -> bool {
    rule.freq == Freq::Yearly
        && !rule.bymonth.is_empty()
        && !rule.bymonthday.is_empty()
        && rule.byday.is_empty()
        && rule.bymonthday.iter().all(|d| *d > 0)
}

fn on_days(rule: &Rule) -> Option<String> {
    if yearly_dates(rule) {
        let mut dates = Vec::new();
        for m in &rule.bymonth {
            for d in &rule.bymonthday {
                dates.push(format!("{d} {}", month_name(*m)));
            }
        }
        return Some(join(dates.into_iter()));
    }
    let mut parts = Vec::new();
    if !rule.byday.is_empty() && !is_weekdays(rule) {
        if setpos_folded(rule) {
            let which = ordinal(rule.bysetpos[0]);
            let days = join(rule.byday.iter().map(|(_, d)| day_name(*d).to_string()));
            parts.push(format!("the {which} of {days}"));
        } else {
            parts.push(join(rule.byday.iter().map(|(n, d)| match n {
                0 => day_name(*d).to_string(),
                n => format!("the {} {}", ordinal(*n), day_name(*d)),
            })));
        }
    }
    if !rule.bymonthday.is_empty() {
        parts.push(format!(
            "the {}",
            join(rule.bymonthday.iter().map(|n| ordinal(*n)))
        ));
    }
    if !rule.byyearday.is_empty() {
        parts.push(format!(
            "day {} of the year",
            join(rule.byyearday.iter().map(|n| n.to_string()))
        ));
    }
    if !rule.byweekno.is_empty() {
        parts.push(format!(
            "week {}",
            join(rule.byweekno.iter().map(|n| n.to_string()))
        ));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// One BYSETPOS over plain weekdays ("the last of Mon, Tue … Fri": the last
/// working day) reads better folded into the day list.
fn setpos_folded(rule: &Rule) -> bool {
    rule.bysetpos.len() == 1
        && !rule.byday.is_empty()
        && rule.byday.iter().all(|(n, _)| *n == 0)
        && rule.bymonthday.is_empty()
        && matches!(rule.freq, Freq::Monthly | Freq::Yearly)
}

fn at_times(rule: &Rule) -> String {
    let hours = &rule.byhour;
    let minutes = if rule.byminute.is_empty() {
        vec![0]
    } else {
        rule.byminute.clone()
    };
    if hours.is_empty() {
        return format!(" at minute {}", join(minutes.iter().map(|m| m.to_string())));
    }
    let mut times = Vec::new();
    for h in hours {
        for m in &minutes {
            times.push(format!("{h:02}:{m:02}"));
        }
    }
    format!(" at {}", join(times.into_iter()))
}

fn until_text(until: &Until) -> String {
    match until {
        Until::Date(d) => date_text(*d),
        Until::Local(t) if t.time() == chrono::NaiveTime::MIN => date_text(t.date()),
        Until::Local(t) => format!("{} {}", date_text(t.date()), t.format("%H:%M")),
        // End-of-day UTC stamps (…T235959Z) are how producers write "until that date".
        Until::Utc(t) if t.format("%H%M").to_string() == "2359" => date_text(t.date()),
        Until::Utc(t) if t.time() == chrono::NaiveTime::MIN => date_text(t.date()),
        Until::Utc(t) => format!("{} {} UTC", date_text(t.date()), t.format("%H:%M")),
    }
}

fn date_text(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn period_noun(freq: Freq) -> &'static str {
    match freq {
        Freq::Secondly => "second",
        Freq::Minutely => "minute",
        Freq::Hourly => "hour",
        Freq::Daily => "day",
        Freq::Weekly => "week",
        Freq::Monthly => "month",
        Freq::Yearly => "year",
    }
}

fn day_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

fn month_name(m: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    NAMES
        .get(m.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

/// 1 → "1st", 2 → "2nd", -1 → "last", -2 → "second to last".
fn ordinal(n: i32) -> String {
    match n {
        -1 => "last".to_string(),
        n if n < 0 => format!("{} to last", ordinal(-n)),
        n => {
            let suffix = match (n % 10, n % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{n}{suffix}")
        }
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::describe_rrule as d;

    #[test]
    fn weekly_days_until_a_date() {
        assert_eq!(
            d("FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270331"),
            "every week on Mon, Wed, Fri until 31 Mar 2027"
        );
        assert_eq!(
            d("FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270331T235959Z"),
            "every week on Mon, Wed, Fri until 31 Mar 2027"
        );
    }

    #[test]
    fn plain_frequencies_and_intervals() {
        assert_eq!(d("FREQ=DAILY"), "every day");
        assert_eq!(d("FREQ=WEEKLY;INTERVAL=2"), "every other week");
        assert_eq!(d("FREQ=MONTHLY;INTERVAL=3"), "every 3 months");
        assert_eq!(d("FREQ=YEARLY"), "every year");
        assert_eq!(d("FREQ=DAILY;COUNT=10"), "every day, 10 times");
        assert_eq!(d("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"), "every weekday");
    }

    #[test]
    fn month_days_positions_and_dates() {
        assert_eq!(d("FREQ=MONTHLY;BYMONTHDAY=15"), "every month on the 15th");
        assert_eq!(d("FREQ=MONTHLY;BYMONTHDAY=-1"), "every month on the last");
        assert_eq!(d("FREQ=MONTHLY;BYDAY=2TU"), "every month on the 2nd Tue");
        assert_eq!(d("FREQ=MONTHLY;BYDAY=-1FR"), "every month on the last Fri");
        assert_eq!(
            d("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
            "every month on the last of Mon, Tue, Wed, Thu, Fri"
        );
        assert_eq!(
            d("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=10"),
            "every year on 10 Dec"
        );
        assert_eq!(
            d("FREQ=YEARLY;BYMONTH=11;BYDAY=4TH"),
            "every year in Nov on the 4th Thu"
        );
        assert_eq!(d("FREQ=DAILY;BYHOUR=9,17"), "every day at 09:00, 17:00");
    }

    #[test]
    fn unparsable_rule_is_shown_as_written() {
        assert_eq!(d("FREQ=FORTNIGHTLY"), "FREQ=FORTNIGHTLY");
    }
}
