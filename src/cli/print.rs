//! Output helpers: JSON to stdout, aligned tables.

use std::io::Write;

use serde_json::Value;

/// JSON to stdout: indented for a person at a terminal, compact for programs.
pub fn json(v: &Value) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    let pretty = stdout.is_terminal();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    if pretty {
        serde_json::to_writer_pretty(&mut out, v)?;
    } else {
        serde_json::to_writer(&mut out, v)?;
    }
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// Print rows as left-aligned columns (the last column unpadded).
pub fn table(rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let w = cell.chars().count();
            if widths.len() <= i {
                widths.push(w);
            } else {
                widths[i] = widths[i].max(w);
            }
        }
    }
    let mut out = std::io::stdout().lock();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 < row.len() {
                line.push_str(cell);
                line.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            } else {
                line.push_str(cell);
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
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
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    pretty: bool,
    first: bool,
}

impl JsonArray {
    pub fn start() -> anyhow::Result<JsonArray> {
        use std::io::IsTerminal;
        let stdout = std::io::stdout();
        let pretty = stdout.is_terminal();
        let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
        out.write_all(b"[")?;
        Ok(JsonArray {
            out,
            pretty,
            first: true,
        })
    }

    pub fn push<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> anyhow::Result<()> {
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        if self.pretty {
            self.out.write_all(b"\n")?;
            serde_json::to_writer_pretty(&mut self.out, v)?;
        } else {
            serde_json::to_writer(&mut self.out, v)?;
        }
        Ok(())
    }

    pub fn is_pretty(&self) -> bool {
        self.pretty
    }

    /// Push an item already serialized as compact JSON.
    pub fn push_raw(&mut self, json: &[u8]) -> anyhow::Result<()> {
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        if self.pretty {
            self.out.write_all(b"\n")?;
        }
        self.out.write_all(json)?;
        Ok(())
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        self.out.write_all(if self.pretty && !self.first {
            b"\n]\n"
        } else {
            b"]\n"
        })?;
        self.out.flush()?;
        Ok(())
    }
}
