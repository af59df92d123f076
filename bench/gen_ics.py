#!/usr/bin/env python3
"""Deterministic generator of a large iCalendar file for the import/export benchmarks.

Usage: gen_ics.py COUNT [SEED] > file.ics

COUNT events; 10 % recurring (daily/weekly/monthly RRULEs with COUNT, UNTIL or
BYDAY), mixed zones (UTC, floating, all-day, Europe/Berlin, America/New_York,
Asia/Tokyo, Australia/Sydney with their VTIMEZONEs), some with VALARMs, attendees
and categories. Same COUNT and SEED give the same bytes.
"""
import datetime
import random
import sys

ZONES = {
    "Europe/Berlin": ("+0100", "+0200", "CET", "CEST", "3", "10"),
    "America/New_York": ("-0500", "-0400", "EST", "EDT", "3", "11"),
    "Asia/Tokyo": ("+0900", "+0900", "JST", "JST", None, None),
    "Australia/Sydney": ("+1000", "+1100", "AEST", "AEDT", "10", "4"),
}

WORDS = ("meeting review lunch call planning sync dentist gym standup retro demo "
         "interview workshop dinner flight train budget release party coffee").split()


def vtimezone(tzid, std_off, dst_off, std_name, dst_name, dst_month, std_month):
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    if dst_month is None:
        lines += ["BEGIN:STANDARD", "DTSTART:19700101T000000", f"TZOFFSETFROM:{std_off}",
                  f"TZOFFSETTO:{std_off}", f"TZNAME:{std_name}", "END:STANDARD"]
    else:
        lines += ["BEGIN:DAYLIGHT", f"DTSTART:19700329T020000",
                  f"RRULE:FREQ=YEARLY;BYMONTH={dst_month};BYDAY=-1SU",
                  f"TZOFFSETFROM:{std_off}", f"TZOFFSETTO:{dst_off}", f"TZNAME:{dst_name}",
                  "END:DAYLIGHT",
                  "BEGIN:STANDARD", f"DTSTART:19701025T030000",
                  f"RRULE:FREQ=YEARLY;BYMONTH={std_month};BYDAY=-1SU",
                  f"TZOFFSETFROM:{dst_off}", f"TZOFFSETTO:{std_off}", f"TZNAME:{std_name}",
                  "END:STANDARD"]
    lines.append("END:VTIMEZONE")
    return lines


def event(rng, i):
    year = rng.choice((2023, 2024, 2025))
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    hour, minute = rng.randint(7, 20), rng.choice((0, 15, 30, 45))
    length = rng.choice((15, 30, 60, 90, 120))
    end_h, end_m = divmod(hour * 60 + minute + length, 60)
    date = f"{year:04d}{month:02d}{day:02d}"
    kind = rng.random()
    lines = ["BEGIN:VEVENT", f"UID:bench-{i:06d}@pim.example", "DTSTAMP:20240101T000000Z",
             f"SUMMARY:{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} #{i}"]
    if kind < 0.1:
        nxt = datetime.date(year, month, day) + datetime.timedelta(days=1)
        lines += [f"DTSTART;VALUE=DATE:{date}", f"DTEND;VALUE=DATE:{nxt:%Y%m%d}"]
    elif kind < 0.3:
        lines += [f"DTSTART:{date}T{hour:02d}{minute:02d}00Z", f"DTEND:{date}T{end_h:02d}{end_m:02d}00Z"]
    elif kind < 0.4:
        lines += [f"DTSTART:{date}T{hour:02d}{minute:02d}00", f"DTEND:{date}T{end_h:02d}{end_m:02d}00"]
    else:
        tz = rng.choice(sorted(ZONES))
        lines += [f"DTSTART;TZID={tz}:{date}T{hour:02d}{minute:02d}00",
                  f"DTEND;TZID={tz}:{date}T{end_h:02d}{end_m:02d}00"]
    if i % 10 == 0:
        lines.append(rng.choice((
            "RRULE:FREQ=WEEKLY;COUNT=10",
            "RRULE:FREQ=DAILY;COUNT=5",
            "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261231T000000Z",
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=15;COUNT=12",
            "RRULE:FREQ=YEARLY",
        )))
    if rng.random() < 0.3:
        lines.append(f"LOCATION:Room {rng.randint(1, 500)}\\, Building {rng.choice('ABCDEF')}")
    if rng.random() < 0.3:
        lines.append(f"DESCRIPTION:{' '.join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))}")
    if rng.random() < 0.2:
        lines.append(f"CATEGORIES:{rng.choice(WORDS).upper()},{rng.choice(WORDS).upper()}")
    if rng.random() < 0.2:
        for a in range(rng.randint(1, 4)):
            lines.append(f"ATTENDEE;CN=Person {a};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:"
                         f"mailto:p{a}@example.org")
    if rng.random() < 0.2:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder",
                  "TRIGGER:-PT15M", "END:VALARM"]
    lines.append("END:VEVENT")
    return lines


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 42
    rng = random.Random(seed)
    out = sys.stdout
    # Written as generated (the same bytes as joining everything first), so a file
    # of 1 000 000 events does not need its size in memory.
    def emit(lines):
        out.write("".join(line + "\r\n" for line in lines))
    emit(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//pim bench//EN"])
    for tzid, spec in sorted(ZONES.items()):
        emit(vtimezone(tzid, *spec))
    for i in range(count):
        emit(event(rng, i))
    emit(["END:VCALENDAR"])


if __name__ == "__main__":
    main()
