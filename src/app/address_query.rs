//! Address completion for mail clients (`pim contacts query`): the contacts whose
//! name, nickname, organisation or email address matches what was typed, one entry
//! per email address. The full-text index finds candidates; each is then checked
//! against those fields only, so a word in a contact's note does not offer it.

use crate::model::plain::plain;
use crate::model::property::split_unescaped;
use crate::model::{Kind, Record};
use crate::store::{Store, StoreError};

/// Candidates read from the index at most; more than a completion menu can show.
const CANDIDATES: usize = 2000;

/// One address a mail client can insert.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AddressMatch {
    pub email: String,
    pub name: String,
    /// The organisation (else the nickname): mutt's third column.
    pub extra: String,
    pub record_id: String,
}

/// The addresses of contacts matching `query`: every word of it must start a word of
/// the name, a nickname, the organisation or an email address (case-insensitive).
pub fn query(store: &Store, query: &str, limit: usize) -> Result<Vec<AddressMatch>, StoreError> {
    // Compared in plain form: `muller` completes Müller, `strasse` Straße.
    let words: Vec<String> = query.split_whitespace().map(plain).collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let whole = query.trim().to_lowercase();
    let mut out = Vec::new();
    // Candidates come in title order; most pass the field check, so the first ones
    // usually fill the answer and the rest are never read.
    store.search_kind_each(Kind::Contact, query, CANDIDATES, |r| {
        !add_matches(&r, &whole, &words, limit, &mut out)
    })?;
    Ok(out)
}

/// Add the addresses of `r` if it matches; whether `limit` is reached.
fn add_matches(
    r: &Record,
    whole: &str,
    words: &[String],
    limit: usize,
    out: &mut Vec<AddressMatch>,
) -> bool {
    if !matches(r, words) {
        return false;
    }
    let name = r.text("FN").unwrap_or_default();
    let org = r
        .prop("ORG")
        .map(|p| split_unescaped(&p.value, ';').join(", "))
        .filter(|o| !o.trim().is_empty());
    let extra = org.or_else(|| r.text("NICKNAME")).unwrap_or_default();
    // Typing part of one address offers that address, not the contact's others.
    let all: Vec<String> = r.props_named("EMAIL").map(|p| p.text_value()).collect();
    let typed: Vec<&String> = all
        .iter()
        .filter(|e| e.to_lowercase().contains(whole))
        .collect();
    let chosen: Vec<&String> = if typed.is_empty() {
        all.iter().collect()
    } else {
        typed
    };
    for email in chosen {
        out.push(AddressMatch {
            email: email.clone(),
            name: name.clone(),
            extra: extra.clone(),
            record_id: r.id.clone(),
        });
        if out.len() >= limit {
            return true;
        }
    }
    false
}

/// Whether every query word starts a word of the fields completion looks at.
fn matches(r: &Record, words: &[String]) -> bool {
    let mut haystack = String::new();
    for name in ["FN", "N", "NICKNAME", "ORG", "EMAIL"] {
        for p in r.props_named(name) {
            haystack.push(' ');
            haystack.push_str(&plain(&p.text_value()));
        }
    }
    let tokens: Vec<&str> = haystack
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    words.iter().all(|w| {
        // A word with punctuation (`ada@exa`, `ada.love`) matches the text as typed.
        if w.chars().any(|c| !c.is_alphanumeric()) {
            return haystack.contains(w.as_str());
        }
        tokens.iter().any(|t| t.starts_with(w.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Property;

    fn contact(store: &mut Store, fields: &[(&str, &str)]) {
        let coll = store.default_collection(Kind::Contact).unwrap().id;
        let mut r = Record::new(Kind::Contact, &coll);
        for (name, value) in fields {
            r.body.main.props.push(Property::new(name, *value));
        }
        store.write(|w| w.create(&r)).unwrap();
    }

    fn emails(store: &Store, q: &str) -> Vec<String> {
        query(store, q, 50)
            .unwrap()
            .into_iter()
            .map(|m| m.email)
            .collect()
    }

    #[test]
    fn names_nicknames_organisations_and_addresses_match() {
        let mut store = Store::open_in_memory().unwrap();
        contact(
            &mut store,
            &[
                ("FN", "Ada Lovelace"),
                ("NICKNAME", "Countess"),
                ("ORG", "Analytical Engines"),
                ("EMAIL", "ada@example.org"),
                ("EMAIL", "ada@home.example"),
            ],
        );
        contact(
            &mut store,
            &[
                ("FN", "Charles Babbage"),
                ("EMAIL", "cb@example.org"),
                ("NOTE", "knows Ada"),
            ],
        );
        contact(&mut store, &[("FN", "Ada Without Mail")]);
        assert_eq!(
            emails(&store, "ada"),
            ["ada@example.org", "ada@home.example"]
        );
        assert_eq!(emails(&store, "count").len(), 2, "nickname");
        assert_eq!(emails(&store, "analyt").len(), 2, "organisation");
        assert_eq!(emails(&store, "home.example"), ["ada@home.example"]);
        assert_eq!(emails(&store, "cb@"), ["cb@example.org"]);
        assert_eq!(emails(&store, "babb char"), ["cb@example.org"]);
        assert!(emails(&store, "knows").is_empty(), "a note is not a name");
        let first = &query(&store, "ada", 1).unwrap()[0];
        assert_eq!(
            (first.name.as_str(), first.extra.as_str()),
            ("Ada Lovelace", "Analytical Engines")
        );
    }

    #[test]
    fn names_are_completed_whatever_their_accents_and_letters() {
        let mut store = Store::open_in_memory().unwrap();
        contact(
            &mut store,
            &[("FN", "Jürgen Müller"), ("EMAIL", "jm@example.de")],
        );
        contact(
            &mut store,
            &[("FN", "Grete Weiß"), ("EMAIL", "gw@example.de")],
        );
        contact(
            &mut store,
            &[("FN", "Søren Ødegård"), ("EMAIL", "so@example.dk")],
        );
        for (q, email) in [
            ("muller", "jm@example.de"),
            ("MÜLLER", "jm@example.de"),
            ("jurgen mul", "jm@example.de"),
            ("weiss", "gw@example.de"),
            ("Weiß", "gw@example.de"),
            ("soren ode", "so@example.dk"),
            ("Søren", "so@example.dk"),
        ] {
            assert_eq!(emails(&store, q), [email], "{q}");
        }
        assert!(emails(&store, "mullerx").is_empty());
    }
}
