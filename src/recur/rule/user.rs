//! Rules as users type them: a few friendly shortcuts, or an RRULE checked more
//! strictly than on import (a typo should be refused, not silently ignored).
//!
//! The shortcuts, case-insensitive:
//! - `daily`, `weekly`, `monthly`, `yearly` (or `annually`)
//! - `weekdays` (Monday to Friday)
//! - `every N days|weeks|months|years` (also `every day`, `every 2 weeks`, ...)

use super::{Freq, Rule, RuleError};

/// The shortcuts, for help texts.
pub const SHORTCUTS: &str =
    "daily, weekly, weekdays, monthly, yearly, every N days/weeks/months/years";

/// The parts RFC 5545 defines; anything else (bar `X-` extensions) is a typo.
const KNOWN_PARTS: &[&str] = &[
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
];

/// What the user typed → the RRULE value to store (upper case, without `RRULE:`).
pub fn user_rule(text: &str) -> Result<String, RuleError> {
    let text = text.trim();
    let text = match text.get(..6) {
        Some(p) if p.eq_ignore_ascii_case("RRULE:") => text[6..].trim(),
        _ => text,
    };
    if let Some(rule) = shortcut(text) {
        return Ok(rule);
    }
    if !text.contains('=') {
        return Err(RuleError::NotARule(text.to_string()));
    }
    let value = text.to_ascii_uppercase();
    let mut seen: Vec<&str> = Vec::new();
    for part in value.split(';').filter(|p| !p.trim().is_empty()) {
        let (key, _) = part
            .split_once('=')
            .ok_or_else(|| RuleError::NoEquals(part.to_string()))?;
        let key = key.trim();
        if !KNOWN_PARTS.contains(&key) && !key.starts_with("X-") {
            return Err(RuleError::UnknownPart(key.to_string()));
        }
        if seen.contains(&key) {
            return Err(RuleError::Repeated(key.to_string()));
        }
        seen.push(key);
    }
    let rule = Rule::parse(&value)?;
    check(&rule)?;
    Ok(value)
}

fn shortcut(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let freq = |unit: &str| {
        Some(match unit.trim_end_matches('s') {
            "day" => "DAILY",
            "week" => "WEEKLY",
            "month" => "MONTHLY",
            "year" => "YEARLY",
            _ => return None,
        })
    };
    match words.as_slice() {
        ["daily"] => Some("FREQ=DAILY".into()),
        ["weekly"] => Some("FREQ=WEEKLY".into()),
        ["monthly"] => Some("FREQ=MONTHLY".into()),
        ["yearly" | "annually"] => Some("FREQ=YEARLY".into()),
        ["weekdays"] => Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".into()),
        ["every", unit] if !unit.ends_with('s') => freq(unit).map(|f| format!("FREQ={f}")),
        ["every", n, unit] => {
            let n: u32 = n.parse().ok().filter(|n| *n > 0)?;
            let f = freq(unit)?;
            Some(if n == 1 {
                format!("FREQ={f}")
            } else {
                format!("FREQ={f};INTERVAL={n}")
            })
        }
        _ => None,
    }
}

/// The combinations RFC 5545 §3.3.10 forbids.
fn check(r: &Rule) -> Result<(), RuleError> {
    let freq = || format!("{:?}", r.freq).to_ascii_uppercase();
    if r.count.is_some() && r.until.is_some() {
        return Err(RuleError::CountAndUntil);
    }
    if r.count == Some(0) {
        return Err(RuleError::BadValue {
            part: "COUNT".into(),
            value: "0".into(),
        });
    }
    if !r.byweekno.is_empty() && r.freq != Freq::Yearly {
        return Err(RuleError::NotWithFreq {
            part: "BYWEEKNO",
            freq: freq(),
        });
    }
    if !r.byyearday.is_empty() && matches!(r.freq, Freq::Daily | Freq::Weekly | Freq::Monthly) {
        return Err(RuleError::NotWithFreq {
            part: "BYYEARDAY",
            freq: freq(),
        });
    }
    if !r.bymonthday.is_empty() && r.freq == Freq::Weekly {
        return Err(RuleError::NotWithFreq {
            part: "BYMONTHDAY",
            freq: freq(),
        });
    }
    let numbered_day = r.byday.iter().any(|(n, _)| *n != 0);
    if numbered_day
        && (!matches!(r.freq, Freq::Monthly | Freq::Yearly)
            || (r.freq == Freq::Yearly && !r.byweekno.is_empty()))
    {
        return Err(RuleError::NotWithFreq {
            part: "BYDAY with a number (e.g. 1MO)",
            freq: freq(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_expand_to_rules() {
        for (typed, rule) in [
            ("daily", "FREQ=DAILY"),
            ("Weekly", "FREQ=WEEKLY"),
            ("weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
            ("monthly", "FREQ=MONTHLY"),
            ("annually", "FREQ=YEARLY"),
            ("every day", "FREQ=DAILY"),
            ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
            ("every 1 month", "FREQ=MONTHLY"),
            ("every 3 years", "FREQ=YEARLY;INTERVAL=3"),
            ("RRULE:freq=weekly;byday=mo", "FREQ=WEEKLY;BYDAY=MO"),
            ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
        ] {
            assert_eq!(user_rule(typed).as_deref(), Ok(rule), "{typed}");
        }
    }

    #[test]
    fn nonsense_is_refused_naming_the_part() {
        let err = |t: &str| user_rule(t).unwrap_err().to_string();
        assert!(err("fortnightly").contains("is not a rule"));
        assert!(err("every 0 days").contains("is not a rule"));
        assert!(err("every weeks").contains("is not a rule"));
        assert!(err("FREQ=WEEKLY;BYDAY=XX").contains("BYDAY"));
        assert!(err("FREQ=SOMETIMES").contains("FREQ"));
        assert!(err("FREQ=DAILY;BYDAYS=MO").contains("BYDAYS"));
        assert!(err("FREQ=DAILY;FREQ=WEEKLY").contains("FREQ is given twice"));
        assert!(err("FREQ=DAILY;COUNT=3;UNTIL=20270101").contains("COUNT and UNTIL"));
        assert!(err("FREQ=DAILY;COUNT=0").contains("COUNT"));
        assert!(err("FREQ=MONTHLY;BYWEEKNO=3").contains("BYWEEKNO"));
        assert!(err("FREQ=WEEKLY;BYMONTHDAY=3").contains("BYMONTHDAY"));
        assert!(err("FREQ=WEEKLY;BYDAY=1MO").contains("BYDAY"));
        assert!(err("INTERVAL=2").contains("no FREQ"));
        assert!(err("FREQ=DAILY;INTERVAL=0").contains("INTERVAL"));
        assert!(user_rule("FREQ=DAILY;X-NAME=1").is_ok(), "extensions pass");
    }
}
