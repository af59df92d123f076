//! `[invitations]` of config.toml and the account's address: how answers and
//! cancellations change the calendar, and where answered messages are parked.

use crate::config::accounts::{Account, ConfigFile};
use crate::invite::address_of;
use crate::invite::apply::Settings;

/// A setting in `[invitations]` that pim does not accept: said, never passed over
/// (a misspelt `canceled = "remove"` would otherwise never apply).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("config.toml [invitations] {key} = {value}: use {}", allowed.join(" or "))]
    Value {
        key: &'static str,
        /// As written in the file (a string quoted).
        value: String,
        allowed: &'static [&'static str],
    },
    #[error(
        "config.toml [invitations] {key}: not a setting pim knows ({})",
        KNOWN.join(", ")
    )]
    Unknown { key: String },
    #[error("config.toml [invitations] is not a table (write it as a [invitations] section)")]
    NotATable,
}

/// The settings of `[invitations]`.
const KNOWN: &[&str] = &["declined", "cancelled", "park", "aliases"];

/// The answer settings and whether parking moves the message (else copies it).
#[derive(Debug, Clone, Default)]
pub struct AccountSettings {
    pub answer: Settings,
    pub park_moves: bool,
}

/// Read `[invitations]` (declined = keep|remove, cancelled = mark|remove,
/// park = copy|move, aliases = [...]) for `acc`.
pub fn settings(config: &ConfigFile, acc: &Account) -> Result<AccountSettings, SettingsError> {
    settings_for(config, Some(&acc.email))
}

/// [`settings`] for an address, or with none (no account: only the `aliases`).
pub fn settings_for(
    config: &ConfigFile,
    email: Option<&str>,
) -> Result<AccountSettings, SettingsError> {
    let table = config.table("invitations");
    if table.is_none() && config.has("invitations") {
        return Err(SettingsError::NotATable);
    }
    if let Some(key) = table.and_then(|t| t.keys().find(|k| !KNOWN.contains(&k.as_str()))) {
        return Err(SettingsError::Unknown { key: key.clone() });
    }
    let word = |key: &'static str,
                allowed: &'static [&'static str],
                default: &str|
     -> Result<String, SettingsError> {
        let Some(v) = table.and_then(|t| t.get(key)) else {
            return Ok(default.to_string());
        };
        match v.as_str() {
            Some(w) if allowed.contains(&w) => Ok(w.to_string()),
            _ => Err(SettingsError::Value {
                key,
                value: v.to_string(),
                allowed,
            }),
        }
    };
    let declined = word("declined", &["keep", "remove"], "keep")?;
    let cancelled = word("cancelled", &["mark", "remove"], "mark")?;
    let park = word("park", &["copy", "move"], "copy")?;
    let mut me: Vec<String> = email.map(address_of).into_iter().collect();
    if let Some(v) = table.and_then(|t| t.get("aliases")) {
        let addresses = v.as_array().and_then(|list| {
            list.iter()
                .map(|a| a.as_str().map(address_of))
                .collect::<Option<Vec<_>>>()
        });
        match addresses {
            Some(list) => me.extend(list),
            None => {
                return Err(SettingsError::Value {
                    key: "aliases",
                    value: v.to_string(),
                    allowed: &["a list of addresses, such as [\"me@example.org\"]"],
                });
            }
        }
    }
    Ok(AccountSettings {
        answer: Settings {
            me,
            remove_declined: declined == "remove",
            remove_cancelled: cancelled == "remove",
        },
        park_moves: park == "move",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::accounts::{Account, ConfigFile};

    const ME: &str = "me@example.org";

    /// config.toml in `dir` holding `text`, loaded.
    fn config_of(dir: &std::path::Path, text: &str) -> ConfigFile {
        let path = dir.join("config.toml");
        std::fs::write(&path, text).unwrap();
        ConfigFile::load(&path).unwrap()
    }

    #[test]
    fn settings_are_checked() {
        let acc = Account::new("imap:993", "smtp:465", "me", ME, "true");
        let dir = tempfile::tempdir().unwrap();
        let config = |text: &str| config_of(dir.path(), text);
        let st = settings(&config(""), &acc).unwrap();
        assert_eq!(st.answer.me, vec![ME.to_string()]);
        assert!(!st.park_moves && !st.answer.remove_declined);
        let st = settings(
            &config(
                "[invitations]\npark = \"move\"\ndeclined = \"remove\"\n\
                 aliases = [\"Boss@Example.org\"]\n",
            ),
            &acc,
        )
        .unwrap();
        assert!(st.park_moves && st.answer.remove_declined);
        assert_eq!(st.answer.me[1], "boss@example.org");
        let err = settings(&config("[invitations]\npark = \"shred\"\n"), &acc).unwrap_err();
        assert!(matches!(err, SettingsError::Value { key: "park", .. }));
        assert!(err.to_string().contains("copy or move"), "{err}");
    }

    /// A misspelt setting (`canceled`), a value of another type (`declined = 1`) and
    /// `aliases` written as one string were passed over without a word (or reported
    /// as `""`): the setting never applied. Each is refused by name.
    #[test]
    fn invitation_settings_pim_does_not_know_are_refused_by_name() {
        let acc = Account::new("imap:993", "smtp:465", "me", ME, "true");
        let dir = tempfile::tempdir().unwrap();
        let config = |text: &str| config_of(dir.path(), text);
        for (text, says) in [
            (
                "[invitations]\ncanceled = \"remove\"\n",
                "canceled: not a setting pim knows",
            ),
            (
                "[invitations]\ndeclined = 1\n",
                "declined = 1: use keep or remove",
            ),
            (
                "[invitations]\naliases = \"me@x.org\"\n",
                "aliases = \"me@x.org\": use a list",
            ),
            (
                "[invitations]\naliases = [\"a@x.org\", 2]\n",
                "aliases = [\"a@x.org\", 2]",
            ),
            ("invitations = 5\n", "[invitations] is not a table"),
        ] {
            let err = settings(&config(text), &acc).unwrap_err();
            assert!(err.to_string().contains(says), "{text}: {err}");
        }
    }
}
