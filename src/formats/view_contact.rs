//! The `--json` object of a contact as a typed value: serialized straight to the
//! output by long listings, and the contact branch of [`super::view::record_json`]
//! (one definition of the keys). Field order is the keys' sorted order, as a
//! `serde_json::Value` object writes them.

use serde::Serialize;

use super::view::{categories, date_ish_text};
use crate::model::property::split_unescaped;
use crate::model::{Property, Record};

#[derive(Serialize)]
pub struct ContactJson<'a> {
    addresses: Vec<Address>,
    anniversary: Option<String>,
    birthday: Option<String>,
    categories: Vec<String>,
    collection: &'a str,
    email_entries: Vec<Entry>,
    emails: Vec<String>,
    full_name: Option<String>,
    id: &'a str,
    kind: &'static str,
    name: Name,
    note: Option<String>,
    org: Option<String>,
    phone_entries: Vec<Entry>,
    phones: Vec<String>,
    photo: bool,
    title: Option<String>,
    uid: Option<&'a str>,
    url: Option<String>,
}

#[derive(Serialize)]
struct Name {
    additional: String,
    family: String,
    given: String,
    prefix: String,
    suffix: String,
}

#[derive(Serialize)]
struct Address {
    country: String,
    extended: String,
    locality: String,
    po_box: String,
    postal_code: String,
    region: String,
    street: String,
    types: Vec<String>,
}

/// An e-mail address or phone number with its types.
#[derive(Serialize)]
struct Entry {
    types: Vec<String>,
    value: String,
}

impl<'a> ContactJson<'a> {
    pub fn new(r: &'a Record, collection: &'a str) -> ContactJson<'a> {
        let mut n = r
            .prop("N")
            .map(|p| split_unescaped(&p.value, ';'))
            .unwrap_or_default()
            .into_iter();
        let mut part = || n.next().unwrap_or_default();
        let (family, given, additional, prefix, suffix) = (part(), part(), part(), part(), part());
        let values = |name: &str| r.props_named(name).map(Property::text_value).collect();
        ContactJson {
            addresses: r.props_named("ADR").map(address).collect(),
            anniversary: date_ish_text(r, "ANNIVERSARY"),
            birthday: date_ish_text(r, "BDAY"),
            categories: categories(r),
            collection,
            email_entries: entries(r, "EMAIL"),
            emails: values("EMAIL"),
            full_name: r.text("FN"),
            id: &r.id,
            kind: r.kind.as_str(),
            name: Name {
                additional,
                family,
                given,
                prefix,
                suffix,
            },
            note: r.text("NOTE"),
            org: r
                .prop("ORG")
                .map(|p| split_unescaped(&p.value, ';').join(", ")),
            phone_entries: entries(r, "TEL"),
            phones: values("TEL"),
            photo: r.prop("PHOTO").is_some(),
            title: r.text("TITLE"),
            uid: r.uid(),
            url: r.text("URL"),
        }
    }
}

fn address(p: &Property) -> Address {
    let mut f = split_unescaped(&p.value, ';').into_iter();
    let mut g = || f.next().unwrap_or_default();
    let (po_box, extended, street, locality, region, postal_code, country) =
        (g(), g(), g(), g(), g(), g(), g());
    Address {
        country,
        extended,
        locality,
        po_box,
        postal_code,
        region,
        street,
        types: p
            .param_values("TYPE")
            .iter()
            .map(|t| t.to_ascii_lowercase())
            .collect(),
    }
}

fn entries(r: &Record, name: &str) -> Vec<Entry> {
    r.props_named(name)
        .map(|p| {
            let mut types: Vec<String> = p
                .param_values("TYPE")
                .iter()
                .flat_map(|t| t.split(','))
                .map(|t| t.to_ascii_lowercase())
                .collect();
            // vCard 2.1 bare parameters are types too.
            types.extend(
                p.params
                    .iter()
                    .filter(|x| x.name.is_empty())
                    .flat_map(|x| x.values.iter().map(|v| v.to_ascii_lowercase())),
            );
            Entry {
                types,
                value: p.text_value(),
            }
        })
        .collect()
}
