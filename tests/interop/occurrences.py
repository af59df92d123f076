"""Occurrences of every event of .ics files per Python recurring-ical-events.

Usage: python3 occurrences.py FROM TO FILE...   (FROM/TO as YYYY-MM-DD)
Prints one JSON object: {file: [[uid, start], ...] or {"error": why}} where start is
"D:YYYY-MM-DD" for all-day occurrences and "U:YYYY-MM-DDTHH:MM:SSZ" otherwise
(floating times taken as UTC, the zone the Rust side is given too).
"""
import datetime
import json
import sys

import icalendar
import recurring_ical_events
import x_wr_timezone


def key(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        value = value.astimezone(datetime.timezone.utc)
        return "U:" + value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return "D:" + value.isoformat()


def main():
    start = datetime.date.fromisoformat(sys.argv[1])
    end = datetime.date.fromisoformat(sys.argv[2])
    out = {}
    for path in sys.argv[3:]:
        with open(path, "rb") as f:
            data = f.read()
        try:
            cal = x_wr_timezone.to_standard(icalendar.Calendar.from_ical(data))
            found = []
            for ev in recurring_ical_events.of(cal).between(start, end):
                found.append([str(ev.get("UID")), key(ev["DTSTART"].dt)])
            out[path] = sorted(found)
        except Exception as e:  # a file the reference rejects: reported, not fatal
            out[path] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout)


main()
