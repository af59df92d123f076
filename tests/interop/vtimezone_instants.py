"""Each VEVENT's DTSTART as a UTC instant, its TZID resolved only through the
VTIMEZONEs in the file (as a consumer without a zone database does), never through
zoneinfo. Prints JSON {UID: "YYYY-MM-DDTHH:MM:SSZ" or "missing VTIMEZONE <tzid>"}.

usage: python3 vtimezone_instants.py FILE.ics
"""

import datetime
import json
import sys

import icalendar

cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
zones = {
    str(vtz["TZID"]): vtz.to_tz(lookup_tzid=False) for vtz in cal.walk("VTIMEZONE")
}
out = {}
for ev in cal.walk("VEVENT"):
    prop = ev["DTSTART"]
    raw = prop.to_ical().decode()
    tzid = prop.params.get("TZID")
    if tzid is None:
        out[str(ev["UID"])] = "no TZID: " + raw
        continue
    if tzid not in zones:
        out[str(ev["UID"])] = "missing VTIMEZONE " + tzid
        continue
    local = datetime.datetime.strptime(raw, "%Y%m%dT%H%M%S")
    instant = local.replace(tzinfo=zones[tzid]).astimezone(datetime.timezone.utc)
    out[str(ev["UID"])] = instant.strftime("%Y-%m-%dT%H:%M:%SZ")
print(json.dumps(out))
