//! National and international forms of phone numbers, so a search for `030 1234`
//! finds `+49 30 1234` and the other way round, for the user's country.
//!
//! A number in national form starts with the country's trunk prefix (`0` in most of
//! Europe); its international form replaces that prefix with the calling code. In
//! countries without a trunk prefix (Italy, Spain, …) a national number is the
//! international one without the calling code. The North American plan drops its
//! trunk `1` in writing, so a ten-digit number there is the same as `+1` and it.

/// The numbering plan of one country, as far as search needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhonePlan {
    /// ISO 3166 alpha-2 code, upper case.
    pub country: &'static str,
    /// Without `+` or `00`.
    pub calling_code: &'static str,
    /// What a national number starts with (empty: nothing).
    pub trunk: &'static str,
}

/// Countries whose plan is known: (country, calling code, trunk prefix).
const PLANS: &[(&str, &str, &str)] = &[
    ("AT", "43", "0"),
    ("AU", "61", "0"),
    ("BE", "32", "0"),
    ("BR", "55", "0"),
    ("CA", "1", "1"),
    ("CH", "41", "0"),
    ("CN", "86", "0"),
    ("CZ", "420", ""),
    ("DE", "49", "0"),
    ("DK", "45", ""),
    ("ES", "34", ""),
    ("FI", "358", "0"),
    ("FR", "33", "0"),
    ("GB", "44", "0"),
    ("GR", "30", ""),
    ("HU", "36", "06"),
    ("IE", "353", "0"),
    ("IN", "91", "0"),
    ("IT", "39", ""),
    ("JP", "81", "0"),
    ("KR", "82", "0"),
    ("LU", "352", ""),
    ("MX", "52", ""),
    ("NL", "31", "0"),
    ("NO", "47", ""),
    ("NZ", "64", "0"),
    ("PL", "48", ""),
    ("PT", "351", ""),
    ("RU", "7", "8"),
    ("SE", "46", "0"),
    ("TR", "90", "0"),
    ("US", "1", "1"),
    ("ZA", "27", "0"),
];

/// Digits a national number needs before it is read as one in a country without a
/// trunk prefix (shorter digit strings are parts of numbers, searched as typed).
const MIN_NATIONAL_DIGITS: usize = 6;

impl PhonePlan {
    /// The plan of `country` (ISO 3166 alpha-2, any case), when known.
    pub fn of(country: &str) -> Option<PhonePlan> {
        PLANS
            .iter()
            .find(|(c, ..)| c.eq_ignore_ascii_case(country.trim()))
            .map(|&(country, calling_code, trunk)| PhonePlan {
                country,
                calling_code,
                trunk,
            })
    }

    /// The digit strings a typed number may be stored as: itself, and its other
    /// form in this plan (international `49301234` and `0049301234` for national
    /// `0301234`; national `0301234` for `+49 30 1234`).
    pub fn variants(&self, typed: &str) -> Vec<String> {
        let typed = typed.trim();
        let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
        let mut out = vec![digits.clone()];
        let international = typed.starts_with('+') || digits.starts_with("00");
        let nanp = self.calling_code == "1";
        if international {
            let number = digits.strip_prefix("00").unwrap_or(&digits);
            if let Some(rest) = number.strip_prefix(self.calling_code) {
                out.push(number.to_string());
                out.push(format!("00{number}"));
                out.push(format!("{}{rest}", self.trunk));
                if nanp {
                    out.push(rest.to_string());
                }
            }
        } else if let Some(rest) = digits
            .strip_prefix(self.trunk)
            .filter(|_| !self.trunk.is_empty() && !nanp)
        {
            out.push(format!("{}{rest}", self.calling_code));
            out.push(format!("00{}{rest}", self.calling_code));
        } else if (self.trunk.is_empty() && digits.len() >= MIN_NATIONAL_DIGITS)
            || (nanp && digits.len() == 10)
        {
            out.push(format!("{}{digits}", self.calling_code));
            out.push(format!("00{}{digits}", self.calling_code));
        }
        out.sort();
        out.dedup();
        out.retain(|d| !d.is_empty());
        out
    }
}

/// The country of a POSIX locale name (`de_DE.UTF-8` → `DE`), if it names one.
pub fn locale_country(locale: &str) -> Option<&str> {
    let name = locale.split(['.', '@']).next()?;
    let (_, country) = name.split_once('_')?;
    (country.len() == 2 && country.bytes().all(|b| b.is_ascii_alphabetic())).then_some(country)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variants(country: &str, typed: &str) -> Vec<String> {
        PhonePlan::of(country).unwrap().variants(typed)
    }

    #[test]
    fn national_and_international_forms_meet() {
        assert_eq!(
            variants("de", "030 1234"),
            ["0049301234", "0301234", "49301234"]
        );
        assert_eq!(
            variants("DE", "+49 30 1234"),
            ["0049301234", "0301234", "49301234"]
        );
        assert_eq!(
            variants("DE", "0049 30 1234"),
            ["0049301234", "0301234", "49301234"]
        );
        // Another country's number has no national form here.
        assert_eq!(variants("DE", "+33 1 23 45"), ["3312345"]);
        // Part of a number: as typed.
        assert_eq!(variants("DE", "1234"), ["1234"]);
        // No trunk prefix: the national number is the international one's tail.
        assert_eq!(
            variants("IT", "+39 06 1234 5678"),
            ["00390612345678", "0612345678", "390612345678"]
        );
        assert_eq!(
            variants("IT", "06 1234 5678"),
            ["00390612345678", "0612345678", "390612345678"]
        );
        assert_eq!(variants("IT", "1234"), ["1234"]);
        // North America: the trunk 1 is not written.
        assert_eq!(
            variants("US", "(212) 555-1234"),
            ["0012125551234", "12125551234", "2125551234"]
        );
        assert_eq!(
            variants("US", "+1 212 555 1234"),
            ["0012125551234", "12125551234", "2125551234"]
        );
        assert_eq!(
            variants("HU", "06 1 234 5678"),
            ["003612345678", "0612345678", "3612345678"]
        );
    }

    #[test]
    fn countries_from_locale_names() {
        assert_eq!(locale_country("de_DE.UTF-8"), Some("DE"));
        assert_eq!(locale_country("en_GB"), Some("GB"));
        assert_eq!(locale_country("sr_RS@latin"), Some("RS"));
        assert_eq!(locale_country("C.UTF-8"), None);
        assert_eq!(locale_country("POSIX"), None);
        assert!(PhonePlan::of("RS").is_none());
    }
}
