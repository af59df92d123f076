//! The architecture's boundaries, checked by reading the sources (DESIGN.md §2):
//! only `src/store/` speaks SQL, the lower layers import nothing from the higher
//! ones, and the two front-ends never import each other. Every offence is
//! reported as `file:line`, so one run lists all of them.

use std::fs;
use std::path::{Path, PathBuf};

/// One source file, split into code (string literals and comments blanked out)
/// and the string literals' contents, both by line number.
struct Source {
    path: String,
    code: Vec<(usize, String)>,
    literals: Vec<(usize, String)>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files
        .iter()
        .map(|p| {
            let text = fs::read_to_string(p).unwrap();
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            lex(rel, &text)
        })
        .collect()
}

/// A small Rust lexer: enough to tell code from comments and string literals
/// (plain, byte and raw strings; char literals versus lifetimes).
fn lex(path: String, text: &str) -> Source {
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::new();
    let mut literals = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let newline = |c: char, line: &mut usize, code: &mut String| {
        if c == '\n' {
            *line += 1;
            code.push('\n');
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    newline(chars[i], &mut line, &mut code);
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(&chars, i) {
            // r"..", r#".."#, br#".."#: no escapes inside.
            let start_line = line;
            i += hashes.1;
            let mut lit = String::new();
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes.0).all(|k| chars.get(i + k) == Some(&'#')) {
                    i += 1 + hashes.0;
                    break;
                }
                lit.push(chars[i]);
                newline(chars[i], &mut line, &mut code);
                i += 1;
            }
            literals.push((start_line, lit));
            code.push_str("\"\"");
        } else if c == '"' {
            let start_line = line;
            i += 1;
            let mut lit = String::new();
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    lit.push(chars[i]);
                    i += 1;
                }
                if let Some(&ch) = chars.get(i) {
                    lit.push(ch);
                    newline(ch, &mut line, &mut code);
                }
                i += 1;
            }
            i += 1;
            literals.push((start_line, lit));
            code.push_str("\"\"");
        } else if c == '\'' {
            // 'x' or '\n' is a char literal; 'a (no closing quote) a lifetime.
            if next == Some('\\') {
                // Past the quote, the backslash and the escaped character.
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                code.push_str("' '");
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                code.push_str("' '");
            } else {
                code.push(c);
                i += 1;
            }
        } else {
            if c == '\n' {
                line += 1;
            }
            code.push(c);
            i += 1;
        }
    }
    let code = code
        .split('\n')
        .enumerate()
        .map(|(n, l)| (n + 1, l.to_string()))
        .collect();
    Source {
        path,
        code,
        literals,
    }
}

/// At `i`, the number of `#`s and the length of a raw string's opening (`r#"`).
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let prev_is_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    if prev_is_ident {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some((hashes, j + 1 - i))
}

fn in_dir(path: &str, dir: &str) -> bool {
    path.starts_with(&format!("src/{dir}/")) || path == format!("src/{dir}.rs")
}

fn report(what: &str, offences: Vec<String>) {
    assert!(
        offences.is_empty(),
        "{what} ({} places):\n  {}",
        offences.len(),
        offences.join("\n  ")
    );
}

/// Where SQL can be recognised in a string literal.
const SQL: &[&str] = &[
    "SELECT ",
    "INSERT INTO",
    "INSERT OR",
    "UPDATE ",
    "DELETE FROM",
    "CREATE TABLE",
    "CREATE INDEX",
    "DROP TABLE",
    "ALTER TABLE",
    "PRAGMA ",
];

/// Code that reaches for the connection.
const CONNECTION: &[&str] = &["rusqlite", ".conn()", ".tx()", "invitation_tables_conn"];

/// Whether `literal` holds the SQL `keyword`. IMAP has a `SELECT` command too
/// (`SELECT INBOX`): a SQL SELECT reads FROM somewhere, an UPDATE SETs something.
fn is_sql(literal: &str, keyword: &str) -> bool {
    literal.contains(keyword)
        && match keyword {
            "SELECT " => literal.contains("FROM "),
            "UPDATE " => literal.contains(" SET "),
            _ => true,
        }
}

#[test]
fn only_the_store_speaks_sql() {
    let mut offences = Vec::new();
    for s in sources().iter().filter(|s| !in_dir(&s.path, "store")) {
        for (line, code) in &s.code {
            for word in CONNECTION {
                if code.contains(word) {
                    offences.push(format!("{}:{line}: `{word}`", s.path));
                }
            }
        }
        for (line, lit) in &s.literals {
            let sql = SQL.iter().find(|k| is_sql(lit, k));
            if let Some(k) = sql {
                offences.push(format!("{}:{line}: SQL in a string ({})", s.path, k.trim()));
            }
        }
    }
    report("SQL or a connection outside src/store/", offences);
}

/// For each layer, the layers it must not import (DESIGN.md §2: model → store →
/// formats/recur → sync → mail/invite → app → tui/cli, plus config at the bottom).
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "config",
        &["mail", "store", "sync", "app", "tui", "cli", "invite"],
    ),
    (
        "formats",
        &["mail", "store", "sync", "app", "tui", "cli", "invite"],
    ),
    (
        "model",
        &[
            "store", "formats", "recur", "sync", "mail", "invite", "app", "tui", "cli",
        ],
    ),
    (
        "store",
        &["formats", "sync", "mail", "invite", "app", "tui", "cli"],
    ),
    ("sync", &["mail", "invite", "app", "tui", "cli"]),
    ("cli", &["tui"]),
    ("tui", &["cli"]),
];

/// Every top-level module named after `crate::`, with its line: `crate::store::X`
/// and each branch of `use crate::{store::X, sync};` (over several lines too).
fn crate_modules(code: &[(usize, String)]) -> Vec<(usize, String)> {
    let text = code
        .iter()
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let line_at = |at: usize| text[..at].matches('\n').count() + 1;
    let ident = |s: &str| {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    let mut out = Vec::new();
    for (at, m) in text.match_indices("crate::") {
        // `my_crate::` is another path.
        if text[..at]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let base = at + m.len();
        let Some(group) = text[base..].strip_prefix('{') else {
            out.push((line_at(base), ident(&text[base..])));
            continue;
        };
        let (mut depth, mut item_start) = (0, true);
        for (i, c) in group.char_indices() {
            if item_start && !c.is_whitespace() {
                let name = ident(&group[i..]);
                if !name.is_empty() {
                    out.push((line_at(base + 1 + i), name));
                }
                item_start = false;
            }
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => item_start = true,
                _ => {}
            }
        }
    }
    out
}

#[test]
fn lower_layers_import_nothing_from_higher_ones() {
    let mut offences = Vec::new();
    for s in sources() {
        for (layer, forbidden) in FORBIDDEN {
            if !in_dir(&s.path, layer) {
                continue;
            }
            for (line, module) in crate_modules(&s.code) {
                if forbidden.contains(&module.as_str()) {
                    offences.push(format!("{}:{line}: {layer} uses crate::{module}", s.path));
                }
            }
        }
    }
    report("imports against the layering", offences);
}

#[test]
fn the_lexer_tells_code_from_literals_and_comments() {
    let s = lex(
        "x.rs".into(),
        "let a = \"SELECT 1\"; // rusqlite\nlet b: &'static str = r#\"say \"hi\"\"#; let c = '\"';\n/* crate::tui */ crate::cli::run();",
    );
    assert_eq!(
        s.literals,
        vec![(1, "SELECT 1".to_string()), (2, "say \"hi\"".to_string())]
    );
    assert!(!s.code[0].1.contains("rusqlite") && !s.code[0].1.contains("SELECT"));
    assert!(s.code[1].1.contains("'static"));
    assert_eq!(crate_modules(&s.code), [(3, "cli".to_string())]);
    let grouped = lex(
        "z.rs".into(),
        "use crate::{\n    model::{Kind, Record},\n    store::Store,\n};\nuse my_crate::tui;",
    );
    assert_eq!(
        crate_modules(&grouped.code),
        [(2, "model".to_string()), (3, "store".to_string())]
    );
    assert!(is_sql("SELECT id FROM records WHERE x = 1", "SELECT "));
    assert!(is_sql(
        "SELECT id, data\n             FROM records",
        "SELECT "
    ));
    assert!(!is_sql("SELECT {quoted} (CONDSTORE)", "SELECT "));
    assert!(is_sql("UPDATE collections SET name = ?2", "UPDATE "));
    assert!(!is_sql("UPDATE available", "UPDATE "));
    let tricky = lex("y.rs".into(), "let q = '\\''; let s = \"INSERT INTO t\";");
    assert_eq!(tricky.literals, vec![(1, "INSERT INTO t".to_string())]);
}

/// The scan sees the SQL where it is allowed: were it blind, the checks above
/// would pass for nothing.
#[test]
fn the_scan_finds_the_stores_own_sql() {
    let found = sources()
        .iter()
        .filter(|s| in_dir(&s.path, "store"))
        .flat_map(|s| &s.literals)
        .filter(|(_, lit)| SQL.iter().any(|k| is_sql(lit, k)))
        .count();
    assert!(found > 50, "only {found} SQL strings found in src/store/");
}
