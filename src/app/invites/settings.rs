//! `[invitations]` of config.toml and the account's address: how answers and
//! cancellations change the calendar, and where answered messages are parked.

use crate::config::accounts::{Account, ConfigFile};
use crate::invite::address_of;
use crate::invite::apply::Settings;

/// A value in `[invitations]` that pim does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("config.toml [invitations] {key} = {value:?}: use {}", allowed.join(" or "))]
pub struct SettingsError {
    pub key: &'static str,
    pub value: String,
    pub allowed: &'static [&'static str],
}

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
    let word = |key: &'static str,
                allowed: &'static [&'static str],
                default: &str|
     -> Result<String, SettingsError> {
        let v = table
            .and_then(|t| t.get(key))
            .map(|v| v.as_str().unwrap_or("").to_string())
            .unwrap_or_else(|| default.to_string());
        if allowed.contains(&v.as_str()) {
            Ok(v)
        } else {
            Err(SettingsError {
                key,
                value: v,
                allowed,
            })
        }
    };
    let declined = word("declined", &["keep", "remove"], "keep")?;
    let cancelled = word("cancelled", &["mark", "remove"], "mark")?;
    let park = word("park", &["copy", "move"], "copy")?;
    let mut me: Vec<String> = email.map(address_of).into_iter().collect();
    if let Some(aliases) = table
        .and_then(|t| t.get("aliases"))
        .and_then(|v| v.as_array())
    {
        me.extend(aliases.iter().filter_map(|a| a.as_str()).map(address_of));
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
