//! Issue 15's vCard reproductions (tests/corpus/vcf/pim--*.vcf) through the CLI:
//! search by address, domain and phone number in national or international form,
//! and their birthdays in the computed calendar.

use crate::support::corpus::corpus;
use crate::support::pim::Pim;

/// A profile holding every `pim--*.vcf` reproduction, run in `locale`.
fn imported(locale: &str) -> Pim {
    let pim = Pim::new()
        .env("LC_ALL", locale)
        .env("LC_TELEPHONE", "")
        .env("LANG", "");
    let dir = corpus("vcf");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("pim--")
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "{files:?}");
    for f in files {
        pim.ok(&["import", &f.to_string_lossy()]);
    }
    pim
}

fn names(pim: &Pim, query: &str) -> Vec<String> {
    pim.json_list(&["search", query, "--json"])
        .iter()
        .map(|r| r["full_name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn addresses_domains_and_phones_in_any_form_find_the_contact() {
    let pim = imported("de_DE.UTF-8");
    let clara = vec!["Clara Öztürk".to_string()];
    for query in [
        "clara.oeztuerk@sws.example.org",
        "sws.example.org",
        "clara.oeztuerk",
        "+49 30 1234",
        "+49301234",
        "030 1234",
        "030/1234",
        "0049 30 1234",
        "+49 40 987654",
        "040 987654",
        "040 555 12",
        "+49 40 55512",
    ] {
        assert_eq!(names(&pim, query), clara, "{query}");
    }
    assert!(names(&pim, "031 1234").is_empty());
}

#[test]
fn the_country_comes_from_the_config_before_the_locale() {
    // No country in the locale: a national number is only found as written.
    let pim = imported("C.UTF-8");
    assert!(names(&pim, "030 1234").is_empty());
    assert_eq!(names(&pim, "040 555 12").len(), 1);
    std::fs::write(pim.path("config.toml"), "[search]\ncountry = \"DE\"\n").unwrap();
    assert_eq!(names(&pim, "030 1234").len(), 1);
    // The configured country wins over the locale's.
    let pim = imported("fr_FR.UTF-8");
    assert!(names(&pim, "030 1234").is_empty());
    std::fs::write(pim.path("config.toml"), "[search]\ncountry = \"de\"\n").unwrap();
    assert_eq!(names(&pim, "030 1234").len(), 1);
}

#[test]
fn birthdays_without_a_year_show_and_text_birthdays_do_not() {
    let pim = imported("C.UTF-8");
    let text = pim.ok(&[
        "list",
        "events",
        "--from",
        "2027-02-01",
        "--to",
        "2027-02-28",
    ]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines.iter().all(|l| l.contains("2027-02-10")), "{text}");
    assert!(text.contains("Nora Noyear's birthday\n"), "{text}");
    assert!(
        text.contains("Omar Omitted's birthday\n"),
        "no age from 1604: {text}"
    );
    let sept = pim.ok(&[
        "list",
        "events",
        "--from",
        "2027-09-01",
        "--to",
        "2027-09-30",
    ]);
    assert!(sept.contains("Rita Revised's birthday (67)"), "{sept}");
    // `2016-08-01` as text and `sometime in spring` are not dates.
    let year = pim.json_list(&[
        "list",
        "events",
        "--from",
        "2027-01-01",
        "--to",
        "2027-12-31",
        "--json",
    ]);
    assert_eq!(year.len(), 3, "{year:?}");
}
