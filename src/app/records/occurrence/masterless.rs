//! Occurrences without their series: a record whose main component has a
//! RECURRENCE-ID and that holds more (invited to some occurrences of a series
//! only, as Outlook and Google send it). Each is edited or deleted alone; there
//! is no series to cut from one of them.

use super::{override_of, same_instance};
use crate::model::zonedb::Tz;
use crate::model::{Property, Record, When};

/// Whether `r` is occurrences without their series.
pub(crate) fn is_masterless(r: &Record) -> bool {
    r.body.main.prop("RECURRENCE-ID").is_some() && !r.body.overrides.is_empty()
}

/// Whether the occurrence `rid` of such a record is its main component.
pub(super) fn is_main(r: &Record, rid: &When, local: Tz) -> bool {
    is_masterless(r)
        && r.body
            .main
            .prop("RECURRENCE-ID")
            .is_some_and(|p| same_instance(p, rid, r, local))
}

/// `r` without the occurrence `rid`: its component goes (when it is the main
/// one, the next takes its place, keeping the record's UID).
pub(super) fn delete_one(r: &Record, rid: &When, local: Tz) -> Record {
    let mut out = r.clone();
    if is_main(r, rid, local) {
        let mut next = out.body.overrides.remove(0);
        if next.prop("UID").is_none()
            && let Some(uid) = r.body.main.prop("UID")
        {
            next.props.insert(0, Property::clone(uid));
        }
        out.body.main = next;
    } else if let Some(i) = override_of(r, rid, local) {
        out.body.overrides.remove(i);
    }
    out
}
