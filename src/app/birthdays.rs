//! Birthdays and anniversaries of contacts as a read-only calendar, computed from
//! their `BDAY` and `ANNIVERSARY` each time it is shown (never copied into events,
//! as khal's `birthdays` collection type does from vCards).
//!
//! Rules: the age (or the number of years) is shown when the year is known; a date
//! without a year (`--MMDD`, 3.0 `--MM-DD`, Apple's `X-APPLE-OMIT-YEAR`) recurs
//! without one; 29 February falls on 28 February in other years (as khal's
//! `BYMONTHDAY=-1` rule does: the day stays in February); a text value
//! (`VALUE=text`) has no date and shows nowhere.
//!
//! Their reminders (an address book's default alarms) are rung, dismissed and
//! snoozed by `app::reminders::birthdays`, from [`occurrences`].

use chrono::{Datelike, NaiveDate};

use crate::model::{Kind, Property, Record};
use crate::store::{Store, StoreError};

/// The name the computed calendar is shown under.
pub const COLLECTION: &str = "Birthdays";

/// The file in the profile where front-ends keep the dated contacts between calls.
pub const CACHE_FILE: &str = "birthdays.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Occasion {
    Birthday,
    Anniversary,
}

impl Occasion {
    pub fn as_str(self) -> &'static str {
        match self {
            Occasion::Birthday => "birthday",
            Occasion::Anniversary => "anniversary",
        }
    }

    fn property(self) -> &'static str {
        match self {
            Occasion::Birthday => "BDAY",
            Occasion::Anniversary => "ANNIVERSARY",
        }
    }
}

/// A day of the year, with the year when it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnnualDate {
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
}

impl AnnualDate {
    /// Read a vCard date property: `19850412`, `1985-04-12`, a date-time, `--0412`,
    /// `--04-12`, Apple's omitted year. `None` for text and partial dates (`--04`).
    pub fn of(p: &Property) -> Option<AnnualDate> {
        if p.param("VALUE")
            .is_some_and(|v| v.eq_ignore_ascii_case("text"))
        {
            return None;
        }
        let value = p.value.trim();
        let date = value.split('T').next().unwrap_or("");
        if let Some(no_year) = date.strip_prefix("--") {
            let digits: String = no_year.chars().filter(|c| *c != '-').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let (month, day) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
            // Is it a day at all (a leap year allows 29 February)?
            NaiveDate::from_ymd_opt(2000, month, day)?;
            return Some(AnnualDate {
                year: None,
                month,
                day,
            });
        }
        let digits: String = date.chars().filter(|c| *c != '-').collect();
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let d = NaiveDate::parse_from_str(&digits, "%Y%m%d").ok()?;
        let omitted = p
            .param("X-APPLE-OMIT-YEAR")
            .and_then(|y| y.parse::<i32>().ok())
            == Some(d.year());
        Some(AnnualDate {
            year: (!omitted).then_some(d.year()),
            month: d.month(),
            day: d.day(),
        })
    }

    /// The day it falls on in `year` (29 February: 28 February when `year` has none).
    pub fn in_year(&self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day).or_else(|| {
            (self.month == 2 && self.day == 29)
                .then(|| NaiveDate::from_ymd_opt(year, 2, 28))
                .flatten()
        })
    }
}

/// One birthday or anniversary on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Birthday {
    pub contact_id: String,
    pub name: String,
    pub occasion: Occasion,
    pub date: NaiveDate,
    /// The age on a birthday, the years married on an anniversary (year known).
    pub years: Option<i32>,
}

impl Birthday {
    /// `Ada Lovelace's birthday (36)`, `Anniversary of Ada Lovelace (10 years)`.
    pub fn summary(&self) -> String {
        match (self.occasion, self.years) {
            (Occasion::Birthday, Some(y)) => format!("{}'s birthday ({y})", self.name),
            (Occasion::Birthday, None) => format!("{}'s birthday", self.name),
            (Occasion::Anniversary, Some(1)) => {
                format!("Anniversary of {} (1 year)", self.name)
            }
            (Occasion::Anniversary, Some(y)) => {
                format!("Anniversary of {} ({y} years)", self.name)
            }
            (Occasion::Anniversary, None) => format!("Anniversary of {}", self.name),
        }
    }
}

/// The birthdays and anniversaries of `contacts` on the days `[from, to)`, by day,
/// then name. A day before the year of birth (or the wedding) is not listed.
pub fn occurrences(contacts: &[Record], from: NaiveDate, to: NaiveDate) -> Vec<Birthday> {
    let mut out = Vec::new();
    if to <= from {
        return out;
    }
    for r in contacts.iter().filter(|r| r.kind == Kind::Contact) {
        for occasion in [Occasion::Birthday, Occasion::Anniversary] {
            let Some(annual) = r.prop(occasion.property()).and_then(AnnualDate::of) else {
                continue;
            };
            for year in from.year()..=to.year() {
                let Some(date) = annual.in_year(year) else {
                    continue;
                };
                if date < from || date >= to {
                    continue;
                }
                let years = annual.year.map(|born| year - born);
                if years.is_some_and(|y| y < 0) {
                    continue;
                }
                out.push(Birthday {
                    contact_id: r.id.clone(),
                    name: r.title(),
                    occasion,
                    date,
                    years: years.filter(|y| *y > 0),
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (a.date, &a.name, a.occasion, &a.contact_id).cmp(&(
            b.date,
            &b.name,
            b.occasion,
            &b.contact_id,
        ))
    });
    out
}

/// The birthday calendar on the days `[from, to)`, read from the store.
pub fn between(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Vec<Birthday>, StoreError> {
    between_kept(store, from, to, None)
}

/// The dated contacts as kept between calls, with the database stamp they belong to.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    stamp: String,
    contacts: Vec<(String, Vec<Property>)>,
}

/// [`between`], keeping the dated contacts in the file `cache` while the database
/// is unchanged (finding them scans every contact: ~40 ms at 25 000).
pub fn between_kept(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    cache: Option<&std::path::Path>,
) -> Result<Vec<Birthday>, StoreError> {
    // Taken before reading: a write meanwhile makes the next call read again.
    let stamp = cache.and_then(|_| store.data_stamp());
    if let (Some(path), Some(stamp)) = (cache, &stamp)
        && let Ok(text) = std::fs::read(path)
        && let Ok(kept) = serde_json::from_slice::<Kept>(&text)
        && kept.stamp == *stamp
    {
        let contacts: Vec<Record> = kept
            .contacts
            .into_iter()
            .map(|(id, props)| {
                let mut r = Record::new(Kind::Contact, "");
                r.id = id;
                r.body.main.props = props;
                r
            })
            .collect();
        return Ok(occurrences(&contacts, from, to));
    }
    let contacts = store.contact_dates()?;
    if let (Some(path), Some(stamp)) = (cache, stamp) {
        let kept = Kept {
            stamp,
            contacts: contacts
                .iter()
                .map(|r| {
                    let props = ["FN", "BDAY", "ANNIVERSARY"]
                        .iter()
                        .filter_map(|n| r.prop(n).cloned())
                        .collect();
                    (r.id.clone(), props)
                })
                .collect(),
        };
        // A file that cannot be written only costs speed.
        if let Ok(text) = serde_json::to_vec(&kept) {
            let _ = crate::config::home::replace_private(path, &text);
        }
    }
    Ok(occurrences(&contacts, from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn contact(name: &str, props: &[Property]) -> Record {
        let mut r = Record::new(Kind::Contact, "c");
        r.set_text("FN", name);
        r.body.main.props.extend(props.iter().cloned());
        r
    }

    #[test]
    fn dates_in_every_form_vcards_write_them() {
        let p = |v: &str| Property::new("BDAY", v);
        let known = Some(AnnualDate {
            year: Some(1985),
            month: 4,
            day: 12,
        });
        let no_year = Some(AnnualDate {
            year: None,
            month: 4,
            day: 12,
        });
        assert_eq!(AnnualDate::of(&p("19850412")), known);
        assert_eq!(AnnualDate::of(&p("1985-04-12")), known);
        assert_eq!(AnnualDate::of(&p("19850412T103000Z")), known);
        assert_eq!(AnnualDate::of(&p("--0412")), no_year);
        assert_eq!(AnnualDate::of(&p("--04-12")), no_year);
        assert_eq!(
            AnnualDate::of(&p("1604-04-12").with_param("X-APPLE-OMIT-YEAR", "1604")),
            no_year
        );
        assert_eq!(AnnualDate::of(&p("--04")), None);
        assert_eq!(AnnualDate::of(&p("---12")), None);
        assert_eq!(AnnualDate::of(&p("--0231")), None);
        assert_eq!(
            AnnualDate::of(&p("2016-08-01").with_param("VALUE", "text")),
            None
        );
        assert_eq!(AnnualDate::of(&p("sometime in spring")), None);
    }

    #[test]
    fn ages_years_and_days_without_a_year() {
        let people = [
            contact("Ada", &[Property::new("BDAY", "19850412")]),
            contact("Bea", &[Property::new("BDAY", "--0412")]),
            contact(
                "Cem",
                &[
                    Property::new("ANNIVERSARY", "20160412"),
                    Property::new("BDAY", "20300412"),
                ],
            ),
        ];
        let found = occurrences(&people, d(2026, 4, 1), d(2026, 5, 1));
        let summaries: Vec<String> = found.iter().map(Birthday::summary).collect();
        assert_eq!(
            summaries,
            [
                "Ada's birthday (41)",
                "Bea's birthday",
                "Anniversary of Cem (10 years)"
            ]
        );
        assert!(found.iter().all(|b| b.date == d(2026, 4, 12)));
        // Born this very day: listed, without an age of 0.
        let born = occurrences(&people[..1], d(1985, 4, 12), d(1985, 4, 13));
        assert_eq!(born[0].summary(), "Ada's birthday");
        assert!(occurrences(&people[..1], d(1984, 1, 1), d(1985, 1, 1)).is_empty());
    }

    #[test]
    fn the_29th_of_february_is_the_28th_in_other_years() {
        let leap = [contact("Lea", &[Property::new("BDAY", "20000229")])];
        let days = |y| {
            occurrences(&leap, d(y, 1, 1), d(y + 1, 1, 1))
                .iter()
                .map(|b| (b.date, b.years))
                .collect::<Vec<_>>()
        };
        assert_eq!(days(2026), [(d(2026, 2, 28), Some(26))]);
        assert_eq!(days(2028), [(d(2028, 2, 29), Some(28))]);
        let no_year = [contact("Leo", &[Property::new("BDAY", "--0229")])];
        let found = occurrences(&no_year, d(2027, 2, 1), d(2027, 3, 31));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].date, d(2027, 2, 28));
    }

    #[test]
    fn the_kept_contacts_are_used_until_the_database_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let coll = store.default_collection(Kind::Contact).unwrap().id;
        let mut ada = contact("Ada", &[Property::new("BDAY", "19851208")]);
        ada.collection = coll.clone();
        store.write(|w| w.create(&ada)).unwrap();
        let kept = dir.path().join(CACHE_FILE);
        let window = (d(2026, 12, 1), d(2027, 1, 1));
        let names = |store: &Store| -> Vec<String> {
            between_kept(store, window.0, window.1, Some(&kept))
                .unwrap()
                .iter()
                .map(Birthday::summary)
                .collect()
        };
        assert_eq!(names(&store), ["Ada's birthday (41)"]);
        // Unchanged database: the file answers.
        let text = std::fs::read_to_string(&kept).unwrap();
        std::fs::write(&kept, text.replace("Ada", "Kept")).unwrap();
        assert_eq!(names(&store), ["Kept's birthday (41)"]);
        // A write is seen at once.
        let mut bea = contact("Bea", &[Property::new("BDAY", "--1224")]);
        bea.collection = coll;
        store.write(|w| w.create(&bea)).unwrap();
        assert_eq!(names(&store), ["Ada's birthday (41)", "Bea's birthday"]);
    }

    #[test]
    fn a_window_across_new_year_finds_both_years() {
        let people = [
            contact("Dec", &[Property::new("BDAY", "19901231")]),
            contact("Jan", &[Property::new("BDAY", "19900101")]),
        ];
        let found = occurrences(&people, d(2026, 12, 30), d(2027, 1, 2));
        let got: Vec<(NaiveDate, Option<i32>)> = found.iter().map(|b| (b.date, b.years)).collect();
        assert_eq!(
            got,
            [(d(2026, 12, 31), Some(36)), (d(2027, 1, 1), Some(37))]
        );
    }
}
