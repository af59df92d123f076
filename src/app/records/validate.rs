//! One validator per kind of value. Each takes what the user typed (trimmed) and
//! returns the value to store, or why it cannot be stored.

use crate::model::zonedb::Tz;
use chrono::NaiveDate;

/// Why a typed value was refused (the caller names the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Reason(pub String);

fn reason(s: impl Into<String>) -> Reason {
    Reason(s.into())
}

/// `local@domain`: one `@`, something on both sides, no spaces.
pub fn email(v: &str) -> Result<String, Reason> {
    let v = v.strip_prefix("mailto:").unwrap_or(v);
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.chars().any(|c| c.is_whitespace() || c == ',' || c == ';')
        }
        None => false,
    };
    if ok {
        Ok(v.to_string())
    } else {
        Err(reason(format!("{v:?} is not an email address")))
    }
}

/// Digits with the usual separators: `+49 (30) 1234-56`, `030/1234 x12`.
pub fn phone(v: &str) -> Result<String, Reason> {
    let v = v.strip_prefix("tel:").unwrap_or(v);
    let digits = v.chars().filter(char::is_ascii_digit).count();
    if digits >= 2
        && v.chars()
            .all(|c| c.is_ascii_digit() || " +-()./x".contains(c))
    {
        Ok(v.to_string())
    } else {
        Err(reason(format!(
            "{v:?} is not a phone number (digits, spaces and + - ( ) . / x)"
        )))
    }
}

/// A URL with a scheme; a bare host name (`example.org/x`) gets `https://`.
pub fn url(v: &str) -> Result<String, Reason> {
    if v.chars().any(char::is_whitespace) {
        return Err(reason(format!("{v:?} is not a URL (it has spaces)")));
    }
    let scheme = v.split_once(':').map(|(s, _)| s).filter(|s| {
        !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    match scheme {
        Some(_) if v.len() > v.find(':').unwrap_or(0) + 1 => Ok(v.to_string()),
        None if v.contains('.') && !v.starts_with('.') => Ok(format!("https://{v}")),
        _ => Err(reason(format!(
            "{v:?} is not a URL (e.g. https://example.org)"
        ))),
    }
}

/// A calendar date, `YYYY-MM-DD`.
pub fn date(v: &str) -> Result<NaiveDate, Reason> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| reason(format!("{v:?} is not a date (YYYY-MM-DD)")))
}

/// A repeat rule: a shortcut or an RRULE (see `recur::rule::user_rule`).
pub fn rrule(v: &str) -> Result<String, Reason> {
    crate::recur::rule::user_rule(v).map_err(|e| reason(format!("invalid RRULE {v:?}: {e}")))
}

/// A task priority: 1 (highest) to 9 (lowest).
pub fn priority(v: &str) -> Result<u8, Reason> {
    v.parse()
        .ok()
        .filter(|p| (1..=9).contains(p))
        .ok_or_else(|| reason(format!("{v:?}: expected 1 (highest) to 9 (lowest)")))
}

/// A percentage, 0 to 100.
pub fn percent(v: &str) -> Result<u8, Reason> {
    v.parse()
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| reason(format!("{v:?}: expected 0 to 100")))
}

pub fn boolean(v: &str) -> Result<bool, Reason> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Ok(true),
        "false" | "no" | "0" | "off" | "" => Ok(false),
        _ => Err(reason(format!("{v:?}: expected true or false"))),
    }
}

/// An IANA time zone name.
pub fn zone(v: &str) -> Result<Tz, Reason> {
    v.parse().map_err(|_| {
        reason(format!(
            "unknown time zone {v:?} (use an IANA name such as Europe/Berlin)"
        ))
    })
}

/// An event status (`tentative`, `confirmed`, `cancelled`).
pub fn event_status(v: &str) -> Result<String, Reason> {
    let s = v.to_ascii_uppercase();
    if ["TENTATIVE", "CONFIRMED", "CANCELLED"].contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(reason("expected tentative, confirmed or cancelled"))
    }
}

/// A task status; `done` and `open` are accepted as everyday words.
pub fn task_status(v: &str) -> Result<String, Reason> {
    let s = v.to_ascii_uppercase().replace('_', "-");
    let s = match s.as_str() {
        "DONE" => "COMPLETED".to_string(),
        "OPEN" => "NEEDS-ACTION".to_string(),
        _ => s,
    };
    if ["NEEDS-ACTION", "IN-PROCESS", "COMPLETED", "CANCELLED"].contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(reason(
            "expected needs-action, in-process, completed or cancelled",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("ada@example.org").unwrap(), "ada@example.org");
        assert_eq!(email("mailto:a@b").unwrap(), "a@b");
        for bad in [
            "nope",
            "a b@c.org",
            "@c.org",
            "a@",
            "a@b@c",
            "a@.org",
            "a,b@c",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        for ok in [
            "+49 30 1234",
            "(030) 1234-56",
            "030/1234 x12",
            "tel:+4930555",
        ] {
            assert!(phone(ok).is_ok(), "{ok}");
        }
        for bad in ["call me", "12ab", "5", "+49 30 1234 (!)"] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert_eq!(url("https://x.org/a").unwrap(), "https://x.org/a");
        assert_eq!(url("example.org/x").unwrap(), "https://example.org/x");
        assert_eq!(url("mailto:a@b").unwrap(), "mailto:a@b");
        for bad in ["not a url", "nothing", "http:", ".org"] {
            assert!(url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_numbers_and_words() {
        assert!(date("2026-02-28").is_ok());
        assert!(date("2026-02-30").is_err());
        assert!(date("28.02.2026").is_err());
        assert_eq!(priority("1"), Ok(1));
        assert!(priority("0").is_err() && priority("10").is_err());
        assert_eq!(percent("100"), Ok(100));
        assert!(percent("101").is_err());
        assert_eq!(boolean("yes"), Ok(true));
        assert!(boolean("maybe").is_err());
        assert!(zone("Europe/Berlin").is_ok() && zone("Mars/Olympus").is_err());
        assert_eq!(event_status("confirmed").unwrap(), "CONFIRMED");
        assert!(event_status("maybe").is_err());
        assert_eq!(task_status("done").unwrap(), "COMPLETED");
        assert_eq!(task_status("in_process").unwrap(), "IN-PROCESS");
        assert!(task_status("later").is_err());
        assert_eq!(
            rrule("weekdays").unwrap(),
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
        );
        let e = rrule("FREQ=WEEKLY;BYDAY=XX").unwrap_err().to_string();
        assert!(e.contains("RRULE") && e.contains("BYDAY"), "{e}");
    }
}
