"""Occurrences of every event of .ics files per Python recurring-ical-events.

Usage: python3 occurrences.py [--todo] FROM TO FILE...   (FROM/TO as YYYY-MM-DD)
Prints one JSON object: {file: [[uid, start], ...] or {"error": why}} where start is
"D:YYYY-MM-DD" for all-day occurrences and "U:YYYY-MM-DDTHH:MM:SSZ" otherwise
(floating times taken as UTC, the zone the Rust side is given too).
With --todo: the occurrences of tasks (VTODO) instead, as [uid, due, status] (due:
DUE, else DTSTART; status: STATUS or "").
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
    args = sys.argv[1:]
    todo = args[:1] == ["--todo"]
    if todo:
        args = args[1:]
    start = datetime.date.fromisoformat(args[0])
    end = datetime.date.fromisoformat(args[1])
    out = {}
    for path in args[2:]:
        with open(path, "rb") as f:
            data = f.read()
        try:
            cal = x_wr_timezone.to_standard(icalendar.Calendar.from_ical(data))
            found = []
            if todo:
                of = recurring_ical_events.of(cal, components=["VTODO"])
                for t in of.between(start, end):
                    when = t.get("DUE") or t.get("DTSTART")
                    found.append([str(t.get("UID")), key(when.dt), str(t.get("STATUS", ""))])
            else:
                for ev in recurring_ical_events.of(cal).between(start, end):
                    found.append([str(ev.get("UID")), key(ev["DTSTART"].dt)])
            out[path] = sorted(found)
        except Exception as e:  # a file the reference rejects: reported, not fatal
            out[path] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout)


main()
