//! Why an RRULE cannot be read.

/// Why an RRULE value cannot be read; each names the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "{0:?} is not a rule (use daily, weekly, weekdays, monthly, yearly, every N days/weeks/months/years, or an RRULE such as FREQ=WEEKLY;BYDAY=MO)"
    )]
    NotARule(String),
    #[error("part {0:?} has no '='")]
    NoEquals(String),
    #[error(
        "unknown FREQ {0:?} (expected DAILY, WEEKLY, MONTHLY, YEARLY, HOURLY, MINUTELY or SECONDLY)"
    )]
    UnknownFreq(String),
    #[error("no FREQ")]
    NoFreq,
    /// pim expands only on the Gregorian calendar: wrong dates are worse than none.
    #[error("RSCALE={0} (a non-Gregorian calendar) is not supported")]
    Rscale(String),
    #[error("invalid {part} value {value:?}")]
    BadValue { part: String, value: String },
    #[error("unknown part {0:?}")]
    UnknownPart(String),
    #[error("{0} is given twice")]
    Repeated(String),
    #[error("COUNT and UNTIL cannot both be given")]
    CountAndUntil,
    #[error("{part} cannot be used with FREQ={freq}")]
    NotWithFreq { part: &'static str, freq: String },
}
