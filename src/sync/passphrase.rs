//! How hard a passphrase is to guess. In passphrase mode the mail provider holds
//! the salt and every ciphertext and can guess offline, so a passphrase must be
//! strong by an estimate of its entropy, not by its length: `aaaaaaaaaaaaaaaa`
//! and `Password1234` are long and weak.
//!
//! The estimate is deliberately pessimistic and small (no word list beyond the
//! commonest passwords): the text is cut into runs of letters, digits and other
//! characters; a letter run counts as a dictionary word at most (17 bits, a
//! 100 000-word list), a digit run as random digits unless it is a sequence, a
//! repetition or a year; a run seen before counts almost nothing.

/// The least estimated entropy accepted for a new passphrase (bits): four
/// unrelated words, or about a dozen random mixed characters.
pub const MIN_BITS: f64 = 60.0;

/// Passwords that top every leaked list: a run equal to one counts as a guess
/// among a few hundred.
const COMMON: &[&str] = &[
    "password", "passwort", "qwerty", "qwertz", "azerty", "letmein", "welcome", "admin",
    "iloveyou", "dragon", "monkey", "football", "baseball", "master", "shadow", "sunshine",
    "princess", "trustno", "secret", "login", "abc", "abcdef", "pim", "sync", "hello",
];

/// Estimated bits of entropy of `p`.
pub fn estimate_bits(p: &str) -> f64 {
    let mut seen: Vec<String> = Vec::new();
    let mut bits = 0.0;
    for run in runs(p) {
        let folded = run.to_lowercase();
        let b = if seen.contains(&folded) {
            1.0
        } else {
            run_bits(&run)
        };
        seen.push(folded);
        bits += b;
    }
    bits
}

/// `Ok` when `p` is strong enough for a new passphrase, else why not.
pub fn check(p: &str) -> Result<(), String> {
    let bits = estimate_bits(p);
    if bits >= MIN_BITS {
        return Ok(());
    }
    Err(format!(
        "this passphrase is too easy to guess (about {bits:.0} bits of entropy, {MIN_BITS:.0} \
         needed): the mail provider can try guesses offline. Use more unrelated words, or \
         let pim generate a key (omit --passphrase), which is stronger still"
    ))
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Class {
    Letter,
    Digit,
    Other,
}

fn class(c: char) -> Class {
    if c.is_alphabetic() {
        Class::Letter
    } else if c.is_ascii_digit() {
        Class::Digit
    } else {
        Class::Other
    }
}

fn runs(p: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut last: Option<Class> = None;
    for c in p.chars() {
        let k = class(c);
        // Other characters stand alone: each separator is its own choice.
        if last == Some(k) && k != Class::Other {
            out.last_mut().expect("a run is open").push(c);
        } else {
            out.push(c.to_string());
        }
        last = Some(k);
    }
    out
}

fn run_bits(run: &str) -> f64 {
    let chars: Vec<char> = run.chars().collect();
    let n = chars.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    if chars.iter().all(|c| *c == chars[0]) {
        // `aaaa`, `1111`: the character and the length.
        return per_char(chars[0]) + n.log2();
    }
    if is_sequence(&chars) {
        return per_char(chars[0]) + 1.0 + n.log2();
    }
    match class(chars[0]) {
        Class::Letter => {
            let lower = run.to_lowercase();
            if COMMON
                .iter()
                .any(|w| lower.starts_with(w) && lower.len() <= w.len() + 1)
            {
                return 8.0;
            }
            let random = 4.7 * n;
            let word = 17.0;
            // Capitals beyond the first are a choice a word does not have.
            let inner_caps = chars.iter().skip(1).filter(|c| c.is_uppercase()).count();
            let case = if chars[0].is_uppercase() { 1.0 } else { 0.0 } + 2.0 * inner_caps as f64;
            random.min(word) + case
        }
        Class::Digit => {
            let is_year = chars.len() == 4 && (run.starts_with("19") || run.starts_with("20"));
            if is_year { 7.0 } else { 3.32 * n }
        }
        // A space is the obvious separator; other characters are a choice each.
        Class::Other if run == " " => 1.0,
        Class::Other => 5.0 * n,
    }
}

fn per_char(c: char) -> f64 {
    match class(c) {
        Class::Letter => 4.7,
        Class::Digit => 3.32,
        Class::Other => 5.0,
    }
}

/// `abcd`, `4321`: each character one step from the last, in one direction.
fn is_sequence(chars: &[char]) -> bool {
    if chars.len() < 3 {
        return false;
    }
    let step = chars[1] as i64 - chars[0] as i64;
    step.abs() == 1 && chars.windows(2).all(|w| w[1] as i64 - w[0] as i64 == step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_alone_is_not_strength() {
        for weak in [
            "short",
            "aaaaaaaaaaaaaaaaaaaa",
            "Password1234",
            "passwordpasswordpassword",
            "abcdefghijklmnopqrstuvwxyz",
            "tulip orbit",
            "123456789012",
            "Summer2026!",
        ] {
            assert!(check(weak).is_err(), "{weak}: {}", estimate_bits(weak));
        }
        for strong in [
            "correct horse battery staple",
            "x8Kq2pLm9ZrT#v",
            "vivid otter quarry mantle",
        ] {
            assert!(check(strong).is_ok(), "{strong}: {}", estimate_bits(strong));
        }
    }
}
