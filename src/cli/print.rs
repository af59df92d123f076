//! Output helpers: JSON to stdout, aligned tables.
//!
//! Everything a command prints goes through one buffered writer over the locked
//! stdout ([`Stdout`]), flushed once at the end: stdout is line-buffered, so a table
//! written line by line would make one `write` call per row.

use std::io::{BufWriter, IsTerminal, StdoutLock, Write};

use serde_json::Value;

use super::visible::Visible;

/// The size of the output buffer (a listing of 5 000 rows makes ~8 writes).
const BUFFER: usize = 1 << 16;

/// Standard output for one command: buffered, flushed by [`Stdout::finish`].
pub struct Stdout {
    out: BufWriter<Shown>,
    pretty: bool,
}

/// The sink, through [`Visible`] when stdout is a terminal.
struct Shown {
    sink: Sink,
    visible: Option<Visible>,
    scratch: Vec<u8>,
}

impl Write for Shown {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(visible) = &mut self.visible else {
            return self.sink.write(buf);
        };
        self.scratch.clear();
        visible.filter(buf, &mut self.scratch);
        self.sink.write_all(&self.scratch)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(visible) = &mut self.visible {
            self.scratch.clear();
            visible.finish(&mut self.scratch);
            self.sink.write_all(&self.scratch)?;
        }
        self.sink.flush()
    }
}

impl Stdout {
    pub fn lock() -> Stdout {
        let stdout = std::io::stdout();
        let terminal = stdout.is_terminal();
        Stdout {
            pretty: terminal,
            out: BufWriter::with_capacity(
                BUFFER,
                Shown {
                    sink: Sink::new(stdout.lock()),
                    // Text others wrote shown, not obeyed, on a terminal.
                    visible: terminal.then(Visible::default),
                    scratch: Vec::new(),
                },
            ),
        }
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Text written as to stdout (buffered: [`Stdout::finish`] at the end).
impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Where the buffer's chunks go: stdout's file descriptor itself (a copy of it,
/// the lock held so nothing else prints meanwhile), past std's line-buffered
/// writer, which looks for the last line end in every chunk it is given: a whole
/// scan of each 64 KiB of a one-line JSON listing (4 % of a month's `--json`).
enum Sink {
    #[cfg(unix)]
    Descriptor {
        file: std::fs::File,
        _held: StdoutLock<'static>,
    },
    Std(StdoutLock<'static>),
}

impl Sink {
    fn new(mut lock: StdoutLock<'static>) -> Sink {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            // What std still holds of an earlier `print!` goes first.
            if lock.flush().is_ok()
                && let Ok(fd) = lock.as_fd().try_clone_to_owned()
            {
                return Sink::Descriptor {
                    file: std::fs::File::from(fd),
                    _held: lock,
                };
            }
        }
        Sink::Std(lock)
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            #[cfg(unix)]
            Sink::Descriptor { file, .. } => file.write(buf),
            Sink::Std(lock) => lock.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            #[cfg(unix)]
            Sink::Descriptor { file, .. } => file.flush(),
            Sink::Std(lock) => lock.flush(),
        }
    }
}

/// Whether `e` is a write to a closed pipe (`pim list | head`): not worth an error.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        let kind = if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            Some(io.kind())
        } else {
            cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
        };
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// JSON to stdout: indented for a person at a terminal, compact for programs.
pub fn json(v: &Value) -> anyhow::Result<()> {
    let mut out = Stdout::lock();
    if out.pretty {
        serde_json::to_writer_pretty(&mut out.out, v)?;
    } else {
        serde_json::to_writer(&mut out.out, v)?;
    }
    writeln!(out.out)?;
    out.finish()?;
    Ok(())
}

/// Print rows as left-aligned columns (the last column unpadded).
pub fn table(rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut out = Stdout::lock();
    write_table(&mut out.out, rows)?;
    out.finish()?;
    Ok(())
}

/// [`table`] into any writer.
pub fn write_table(out: &mut impl Write, rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let w = width(cell);
            if widths.len() <= i {
                widths.push(w);
            } else {
                widths[i] = widths[i].max(w);
            }
        }
    }
    let mut line = String::new();
    for row in rows {
        line.clear();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] - width(cell) + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.write_all(line.trim_end().as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Rows of text cells held in one string (a long listing makes no allocation per
/// cell), printed as [`write_table`] prints them, in any order.
#[derive(Debug, Default)]
pub struct Table {
    text: String,
    /// Where each cell ends in `text`.
    cells: Vec<usize>,
    /// Where each row ends in `cells`.
    rows: Vec<usize>,
    widths: Vec<usize>,
    /// Some cell has a character that is not ASCII (else a cell's width is its length).
    wide: bool,
}

impl Table {
    /// How many rows it holds.
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// A whole row.
    pub fn push_row<S: AsRef<str>>(&mut self, row: impl IntoIterator<Item = S>) {
        for cell in row {
            self.cell(cell.as_ref());
        }
        self.end_row();
    }

    /// The next cell of the current row.
    pub fn cell(&mut self, s: &str) {
        self.text.push_str(s);
        self.end_cell();
    }

    /// The next cell of the current row, line breaks made spaces; `chars` of them
    /// at most.
    pub fn one_line_cell(&mut self, s: &str, chars: usize) {
        // Most cells: on one line already, and short enough, or cut after ASCII
        // characters (then only those are looked at).
        if s.len() <= chars {
            if !has_newline(s.as_bytes()) {
                self.cell(s);
                return;
            }
        } else {
            let head = &s.as_bytes()[..chars];
            if head.is_ascii() && !has_newline(head) {
                self.text.push_str(&s[..chars]);
                self.end_cell_of(chars);
                return;
            }
        }
        for (n, c) in s.chars().enumerate() {
            if n == chars {
                break;
            }
            self.text.push(if c == '\n' { ' ' } else { c });
        }
        self.end_cell();
    }

    /// Text appended to the cell in progress (ended by [`Table::end_cell`]).
    pub fn text(&mut self) -> &mut String {
        &mut self.text
    }

    pub fn end_cell(&mut self) {
        let start = self.cells.last().copied().unwrap_or(0);
        let cell = &self.text[start..];
        let w = width(cell);
        self.wide |= w != cell.len();
        self.end_cell_of(w);
    }

    /// [`Table::end_cell`] of a cell written in ASCII (a time, a date): its width is
    /// its length.
    pub fn end_ascii_cell(&mut self) {
        let start = self.cells.last().copied().unwrap_or(0);
        debug_assert!(self.text[start..].is_ascii());
        self.end_cell_of(self.text.len() - start);
    }

    /// [`Table::end_cell`] of a cell `w` characters wide.
    fn end_cell_of(&mut self, w: usize) {
        let column = self.cells.len() - self.rows.last().copied().unwrap_or(0);
        match self.widths.get_mut(column) {
            Some(max) => *max = (*max).max(w),
            None => self.widths.push(w),
        }
        self.cells.push(self.text.len());
    }

    pub fn end_row(&mut self) {
        self.rows.push(self.cells.len());
    }

    /// Room for `rows` more rows of about `cells` cells each and `text` more bytes.
    pub fn reserve(&mut self, rows: usize, cells: usize, text: usize) {
        self.rows.reserve(rows);
        self.cells.reserve(rows * cells);
        self.text.reserve(text);
    }

    /// A copy of row `i` of `other` as the next row.
    pub fn copy_row(&mut self, other: &Table, i: usize) {
        for cell in other.row(i) {
            self.cell(cell);
        }
        self.end_row();
    }

    /// The cells of row `i`.
    pub fn row(&self, i: usize) -> impl Iterator<Item = &str> + '_ {
        let first = if i == 0 { 0 } else { self.rows[i - 1] };
        (first..self.rows[i]).map(move |c| {
            let start = if c == 0 { 0 } else { self.cells[c - 1] };
            &self.text[start..self.cells[c]]
        })
    }

    /// The rows in the order of `order` (indexes), as [`write_table`] writes them.
    #[cfg(test)]
    pub fn write_in(&self, out: &mut impl Write, order: &[usize]) -> std::io::Result<()> {
        write_rows(out, &self.widths, order.iter().map(|&i| (self, i)))
    }
}

/// `rows` (a table and a row of it) as [`write_table`] writes them, each column
/// `widths` wide.
fn write_rows<'t>(
    out: &mut impl Write,
    widths: &[usize],
    rows: impl Iterator<Item = (&'t Table, usize)>,
) -> std::io::Result<()> {
    const SPACES: &str = "                                                                ";
    // Lines are gathered in one buffer and written a chunk at a time.
    const CHUNK: usize = 1 << 16;
    let mut buf = String::with_capacity(CHUNK + 4096);
    for (t, i) in rows {
        let line_start = buf.len();
        let first = if i == 0 { 0 } else { t.rows[i - 1] };
        let start_of = |c: usize| if c == 0 { 0 } else { t.cells[c - 1] };
        // Empty cells at the end, and the padding before them, would be trimmed:
        // the line ends with the last cell that has text.
        let mut end = t.rows[i];
        while end > first && start_of(end - 1) == t.cells[end - 1] {
            end -= 1;
        }
        for c in first..end {
            let cell = &t.text[start_of(c)..t.cells[c]];
            buf.push_str(cell);
            if c + 1 < end {
                let w = if t.wide { width(cell) } else { cell.len() };
                let mut pad = widths[c - first] - w + 2;
                while pad > 0 {
                    let n = pad.min(SPACES.len());
                    buf.push_str(&SPACES[..n]);
                    pad -= n;
                }
            }
        }
        let kept = buf[line_start..].trim_end().len();
        buf.truncate(line_start + kept);
        buf.push('\n');
        if buf.len() >= CHUNK {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())
}

/// Tables drawn apart (on several threads) printed as one: each column as wide as
/// its widest cell in any of them. Nothing is copied from one into another.
#[derive(Debug, Default)]
pub struct Parts {
    pub tables: Vec<Table>,
}

impl Parts {
    /// The rows in the order of `order` (a table of [`Parts::tables`], a row of
    /// it), as [`write_table`] writes them.
    pub fn write_in(&self, out: &mut impl Write, order: &[(u32, u32)]) -> std::io::Result<()> {
        let mut widths: Vec<usize> = Vec::new();
        for t in &self.tables {
            for (column, &w) in t.widths.iter().enumerate() {
                match widths.get_mut(column) {
                    Some(max) => *max = (*max).max(w),
                    None => widths.push(w),
                }
            }
        }
        let rows = order
            .iter()
            .map(|&(t, i)| (&self.tables[t as usize], i as usize));
        write_rows(out, &widths, rows)
    }

    /// Print the rows in the order of `order` (see [`Parts::write_in`]).
    pub fn print(&self, order: &[(u32, u32)]) -> anyhow::Result<()> {
        let mut out = Stdout::lock();
        self.write_in(&mut out.out, order)?;
        out.finish()?;
        Ok(())
    }
}

/// Whether `bytes` hold a line break (a short cell is looked at byte by byte:
/// cheaper than setting up a vector search).
fn has_newline(bytes: &[u8]) -> bool {
    match bytes.len() {
        0..32 => bytes.contains(&b'\n'),
        _ => memchr::memchr(b'\n', bytes).is_some(),
    }
}

/// A cell's width in characters.
fn width(cell: &str) -> usize {
    if cell.is_ascii() {
        cell.len()
    } else {
        cell.chars().count()
    }
}

/// A short one-line form of a value for tables.
pub fn short(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.replace('\n', " "),
        Value::Array(a) => a.iter().map(short).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Writes a JSON array item by item, so long listings never sit in memory twice.
pub struct JsonArray {
    out: Stdout,
    first: bool,
}

impl JsonArray {
    pub fn start() -> anyhow::Result<JsonArray> {
        let mut out = Stdout::lock();
        out.out.write_all(b"[")?;
        Ok(JsonArray { out, first: true })
    }

    pub fn push<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> anyhow::Result<()> {
        let out = &mut self.out.out;
        if !self.first {
            out.write_all(b",")?;
        }
        self.first = false;
        if self.out.pretty {
            out.write_all(b"\n")?;
            serde_json::to_writer_pretty(out, v)?;
        } else {
            serde_json::to_writer(out, v)?;
        }
        Ok(())
    }

    pub fn is_pretty(&self) -> bool {
        self.out.pretty
    }

    /// Push an item already serialized as compact JSON.
    pub fn push_raw(&mut self, json: &[u8]) -> anyhow::Result<()> {
        let out = &mut self.out.out;
        if !self.first {
            out.write_all(b",")?;
        }
        self.first = false;
        if self.out.pretty {
            out.write_all(b"\n")?;
        }
        out.write_all(json)?;
        Ok(())
    }

    /// Items `write` writes straight to the output, compact, each after a `,` but
    /// the first (as `export_json::write_items` writes them); it returns how many.
    /// They open the array: nothing was pushed before, and it is not pretty.
    pub fn push_items(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> anyhow::Result<usize>,
    ) -> anyhow::Result<()> {
        assert!(
            self.first && !self.out.pretty,
            "items written whole open a compact array"
        );
        let written = write(&mut self.out.out)?;
        self.first = written == 0;
        Ok(())
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        self.out.out.write_all(if self.out.pretty && !self.first {
            b"\n]\n"
        } else {
            b"]\n"
        })?;
        self.out.finish()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_prints_as_write_table_prints_its_rows() {
        let rows: Vec<Vec<String>> = [
            vec!["id", "é wide", "", "last "],
            vec!["a-much-longer-id", "x", "tail", ""],
            vec!["short", &"w".repeat(150), "z", "end"],
            vec!["two", "cells"],
        ]
        .into_iter()
        .map(|r| r.into_iter().map(String::from).collect())
        .collect();
        let mut t = Table::default();
        for r in &rows {
            t.push_row(r);
        }
        let mut want = Vec::new();
        write_table(&mut want, &rows).unwrap();
        let mut got = Vec::new();
        t.write_in(&mut got, &[0, 1, 2, 3]).unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            String::from_utf8(want).unwrap()
        );
        let mut reversed = Vec::new();
        t.write_in(&mut reversed, &[3, 1]).unwrap();
        let lines: Vec<&str> = std::str::from_utf8(&reversed).unwrap().lines().collect();
        assert_eq!(
            lines[0],
            format!("{:<18}cells", "two"),
            "widths of every row"
        );
        assert!(lines[1].starts_with("a-much-longer-id  x"));
    }

    #[test]
    fn parts_and_copied_rows_print_as_pushed_rows() {
        let rows: Vec<Vec<&str>> = vec![
            vec!["a", "wide cell é", "x"],
            vec!["bb", "", "yy"],
            vec!["the widest", "c", ""],
            vec!["d", "e"],
        ];
        let mut whole = Table::default();
        let (mut first, mut second) = (Table::default(), Table::default());
        for (i, r) in rows.iter().enumerate() {
            whole.push_row(r);
            if i < 2 { &mut first } else { &mut second }.push_row(r);
        }
        let print = |t: &Table, order: &[usize]| {
            let mut out = Vec::new();
            t.write_in(&mut out, order).unwrap();
            String::from_utf8(out).unwrap()
        };
        let parts = Parts {
            tables: vec![first, second],
        };
        let mut out = Vec::new();
        parts
            .write_in(&mut out, &[(1, 1), (0, 0), (1, 0), (0, 1)])
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            print(&whole, &[3, 0, 2, 1])
        );
        let mut copied = Table::default();
        for i in [2, 0] {
            copied.copy_row(&whole, i);
        }
        let mut only = Table::default();
        only.push_row(&rows[2]);
        only.push_row(&rows[0]);
        assert_eq!(print(&copied, &[0, 1]), print(&only, &[0, 1]));
    }

    #[test]
    fn one_line_cells_stop_at_their_length() {
        let mut t = Table::default();
        t.one_line_cell("ab\ncdé", 4);
        t.one_line_cell("x\ny", usize::MAX);
        t.end_row();
        assert_eq!(t.row(0).collect::<Vec<_>>(), ["ab c", "x y"]);
    }
}
