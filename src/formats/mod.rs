//! Readers and writers: iCalendar, vCard (2.1/3.0/4.0), vdir, JSON, CSV, Markdown.
//! Bytes in, records out and back; no other I/O.

pub mod contentline;
