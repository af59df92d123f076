//! `pim contacts query QUERY`: address completion for mail clients — mutt/neomutt's
//! `query_command`, aerc's `address-book-cmd` — or JSON.

use std::io::Write;

use clap::{Subcommand, ValueEnum};

use super::{Context, print};
use crate::app::address_query;

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Email addresses of contacts matching QUERY (name, nickname, organisation or
    /// address), for a mail client's address completion
    Query {
        /// Words that start a name, nickname, organisation or address (`ada`, `ada@exa`)
        query: String,
        /// mutt: a status line, then email<TAB>name<TAB>organisation; aerc:
        /// email<TAB>name; json: an array of objects
        #[arg(long, value_enum, default_value_t = QueryFormat::Mutt)]
        format: QueryFormat,
        /// Most addresses to print
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    Mutt,
    Aerc,
    Json,
}

pub fn run(cx: &Context, c: ContactsCommand) -> anyhow::Result<()> {
    match c {
        ContactsCommand::Query {
            query,
            format,
            limit,
        } => {
            let found = address_query::query(&cx.store, &query, limit)?;
            if format == QueryFormat::Json {
                return print::json(&serde_json::to_value(&found)?);
            }
            let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
            let mut out = print::Stdout::lock();
            if format == QueryFormat::Mutt {
                // mutt shows the first line as a status message and skips it.
                let n = found.len();
                writeln!(
                    out,
                    "pim: {n} {} for {query:?}",
                    if n == 1 { "address" } else { "addresses" }
                )?;
            }
            for m in &found {
                match format {
                    QueryFormat::Mutt => writeln!(
                        out,
                        "{}\t{}\t{}",
                        clean(&m.email),
                        clean(&m.name),
                        clean(&m.extra)
                    )?,
                    _ => writeln!(out, "{}\t{}", clean(&m.email), clean(&m.name))?,
                }
            }
            out.flush()?;
            Ok(())
        }
    }
}
