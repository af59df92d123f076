//! Keys → actions, per view. Defaults come from `assets/keymap.toml` (embedded);
//! a user `keymap.toml` replaces the keys of the actions it names.

use std::collections::BTreeMap;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// The sections of the keymap file, most specific first when resolving.
pub const SECTIONS: &[&str] = &["global", "calendar", "contacts", "tasks", "notes", "sync"];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeymapError {
    #[error("{file}: {reason}")]
    Syntax { file: String, reason: String },
    #[error("{file}: [{section}] {action}: {reason}")]
    Entry {
        file: String,
        section: String,
        action: String,
        reason: String,
    },
}

/// A key as written in the keymap: code plus ctrl/alt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// The subset of key codes a keymap can name, orderable for stable help output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(&'static str),
}

const NAMED: &[&str] = &[
    "enter",
    "esc",
    "tab",
    "backtab",
    "space",
    "backspace",
    "up",
    "down",
    "left",
    "right",
    "pageup",
    "pagedown",
    "home",
    "end",
    "delete",
    "insert",
];

impl Key {
    pub fn parse(s: &str) -> Option<Key> {
        let mut rest = s;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            // Terminals send ctrl-A as ctrl-a (`from_event` reads it so): a binding
            // written `ctrl-A` would never ring.
            (Some(c), None) if ctrl => KeyCodeOrd::Char(c.to_ascii_lowercase()),
            (Some(c), None) => KeyCodeOrd::Char(c),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    if !(1..=12).contains(&n) {
                        return None;
                    }
                    KeyCodeOrd::F(n)
                } else {
                    KeyCodeOrd::Named(NAMED.iter().copied().find(|n| *n == lower)?)
                }
            }
        };
        Some(Key { code, ctrl, alt })
    }

    /// The keymap key for a terminal key event (`None` for keys a keymap cannot name).
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::Char(' ') => KeyCodeOrd::Named("space"),
            KeyCode::Char(c) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Named("enter"),
            KeyCode::Esc => KeyCodeOrd::Named("esc"),
            KeyCode::Tab => KeyCodeOrd::Named("tab"),
            KeyCode::BackTab => KeyCodeOrd::Named("backtab"),
            KeyCode::Backspace => KeyCodeOrd::Named("backspace"),
            KeyCode::Up => KeyCodeOrd::Named("up"),
            KeyCode::Down => KeyCodeOrd::Named("down"),
            KeyCode::Left => KeyCodeOrd::Named("left"),
            KeyCode::Right => KeyCodeOrd::Named("right"),
            KeyCode::PageUp => KeyCodeOrd::Named("pageup"),
            KeyCode::PageDown => KeyCodeOrd::Named("pagedown"),
            KeyCode::Home => KeyCodeOrd::Named("home"),
            KeyCode::End => KeyCodeOrd::Named("end"),
            KeyCode::Delete => KeyCodeOrd::Named("delete"),
            KeyCode::Insert => KeyCodeOrd::Named("insert"),
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }

    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.ctrl {
            s.push_str("ctrl-");
        }
        if self.alt {
            s.push_str("alt-");
        }
        match self.code {
            KeyCodeOrd::Char(c) => s.push(c),
            KeyCodeOrd::F(n) => s.push_str(&format!("f{n}")),
            KeyCodeOrd::Named(n) => s.push_str(n),
        }
        s
    }
}

/// Section → action → keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    sections: BTreeMap<String, BTreeMap<Action, Vec<Key>>>,
}

impl Keymap {
    /// The embedded defaults.
    pub fn defaults() -> Keymap {
        let mut k = Keymap {
            sections: BTreeMap::new(),
        };
        k.merge_toml(DEFAULT_KEYMAP, "assets/keymap.toml")
            .expect("the embedded keymap is valid");
        k
    }

    /// Defaults, overridden by `<home>/keymap.toml` when present. A broken user file is
    /// reported and the defaults stay in force.
    pub fn load(home: &Path) -> (Keymap, Option<KeymapError>) {
        let mut k = Keymap::defaults();
        let path = home.join("keymap.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (k, None),
            // A file that is there but does not read (not UTF-8, a directory, not
            // readable) is said: silently the user's keys would just not work.
            Err(e) => {
                let reason = format!("cannot read: {e}");
                let file = path.display().to_string();
                return (k, Some(KeymapError::Syntax { file, reason }));
            }
        };
        let before = k.clone();
        match k.merge_toml(&text, &path.display().to_string()) {
            Ok(()) => (k, None),
            Err(e) => (before, Some(e)),
        }
    }

    /// Apply a keymap file: each named action gets exactly the listed keys.
    pub fn merge_toml(&mut self, text: &str, file: &str) -> Result<(), KeymapError> {
        let doc: toml::Table = toml::from_str(text).map_err(|e| KeymapError::Syntax {
            file: file.to_string(),
            reason: e.to_string().trim().replace('\n', " "),
        })?;
        for (section, table) in &doc {
            let entry_err = |action: &str, reason: String| KeymapError::Entry {
                file: file.to_string(),
                section: section.clone(),
                action: action.to_string(),
                reason,
            };
            if !SECTIONS.contains(&section.as_str()) {
                return Err(entry_err(
                    "",
                    format!("unknown section (use one of {})", SECTIONS.join(", ")),
                ));
            }
            let toml::Value::Table(table) = table else {
                return Err(entry_err("", "expected a table".into()));
            };
            let map = self.sections.entry(section.clone()).or_default();
            let mut given: Vec<(Action, &str)> = Vec::new();
            for (name, keys) in table {
                let action = Action::from_name(name)
                    .ok_or_else(|| entry_err(name, "unknown action".into()))?;
                let list = match keys {
                    toml::Value::String(s) => vec![s.clone()],
                    toml::Value::Array(a) => a
                        .iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| entry_err(name, "keys must be strings".into()))?,
                    _ => return Err(entry_err(name, "expected a key or a list of keys".into())),
                };
                let parsed = list
                    .iter()
                    .map(|s| {
                        Key::parse(s).ok_or_else(|| entry_err(name, format!("unknown key {s:?}")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                // A key the file gives one action is that action's in this
                // section: another the file names with it is a mistake, said; the
                // defaults' action loses it (else one of the two would silently
                // never ring, whichever came first).
                for key in &parsed {
                    if let Some((other, _)) = given.iter().find(|(a, _)| {
                        *a != action && map.get(a).is_some_and(|keys| keys.contains(key))
                    }) {
                        return Err(entry_err(
                            name,
                            format!("{} is also given to {} here", key.label(), other.name()),
                        ));
                    }
                    for keys in map.values_mut() {
                        keys.retain(|k| k != key);
                    }
                }
                map.insert(action, parsed);
                given.push((action, name));
            }
        }
        Ok(())
    }

    /// The action for `key` in `section` (then global).
    pub fn resolve(&self, section: &str, key: &Key) -> Option<Action> {
        for s in [section, "global"] {
            if let Some(map) = self.sections.get(s)
                && let Some((a, _)) = map.iter().find(|(_, keys)| keys.contains(key))
            {
                return Some(*a);
            }
        }
        None
    }

    /// The bindings that are live in `section`: its own, then the global ones it
    /// does not shadow, in action order.
    pub fn bindings(&self, section: &str) -> Vec<(Action, Vec<Key>)> {
        let own = self.sections.get(section).cloned().unwrap_or_default();
        let mut out: Vec<(Action, Vec<Key>)> = own.clone().into_iter().collect();
        if let Some(global) = self.sections.get("global") {
            for (a, keys) in global {
                if own.contains_key(a) {
                    continue;
                }
                let live: Vec<Key> = keys
                    .iter()
                    .filter(|k| self.resolve(section, k) == Some(*a))
                    .copied()
                    .collect();
                if !live.is_empty() {
                    out.push((*a, live));
                }
            }
        }
        let order = |a: &Action| super::action::ACTIONS.iter().position(|(x, _, _)| x == a);
        out.sort_by_key(|(a, _)| order(a));
        out
    }

    /// The first key label for `action` in `section`, for hints.
    pub fn hint(&self, section: &str, action: Action) -> String {
        self.bindings(section)
            .into_iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, k)| k.first().map(Key::label))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn defaults_resolve_vim_keys_and_arrows() {
        let k = Keymap::defaults();
        let key = |c| Key::from_event(&ev(c)).unwrap();
        assert_eq!(
            k.resolve("contacts", &key(KeyCode::Char('j'))),
            Some(Action::Down)
        );
        assert_eq!(
            k.resolve("contacts", &key(KeyCode::Down)),
            Some(Action::Down)
        );
        assert_eq!(
            k.resolve("calendar", &key(KeyCode::Char('n'))),
            Some(Action::NextPeriod)
        );
        assert_eq!(
            k.resolve("tasks", &key(KeyCode::Char(' '))),
            Some(Action::ToggleDone)
        );
        assert_eq!(k.resolve("contacts", &key(KeyCode::Char(' '))), None);
        let ctrl_r = Key::from_event(&KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert_eq!(k.resolve("notes", &ctrl_r.unwrap()), Some(Action::Refresh));
    }

    #[test]
    fn user_file_replaces_named_actions_only() {
        let mut k = Keymap::defaults();
        k.merge_toml("[global]\nquit = [\"ctrl-q\"]\n", "user")
            .unwrap();
        assert_eq!(k.resolve("sync", &Key::parse("q").unwrap()), None);
        assert_eq!(
            k.resolve("sync", &Key::parse("ctrl-q").unwrap()),
            Some(Action::Quit)
        );
        assert_eq!(
            k.resolve("sync", &Key::parse("?").unwrap()),
            Some(Action::Help)
        );
    }

    #[test]
    fn bad_user_files_name_the_problem() {
        let mut k = Keymap::defaults();
        let e = k
            .merge_toml("[global]\nfly = [\"z\"]\n", "keymap.toml")
            .unwrap_err();
        assert_eq!(e.to_string(), "keymap.toml: [global] fly: unknown action");
        let e = k
            .merge_toml("[tasks]\nundo = [\"hyper-z\"]\n", "keymap.toml")
            .unwrap_err();
        assert!(e.to_string().contains("unknown key \"hyper-z\""));
        assert!(k.merge_toml("[global\n", "keymap.toml").is_err());
    }

    /// `ctrl-R` in a keymap never matched: terminals send ctrl-r.
    #[test]
    fn a_ctrl_binding_written_in_capitals_rings() {
        let mut k = Keymap::defaults();
        k.merge_toml("[global]\nrefresh = [\"ctrl-R\"]\n", "user")
            .unwrap();
        let ev = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
        let key = Key::from_event(&ev).unwrap();
        assert_eq!(k.resolve("notes", &key), Some(Action::Refresh));
    }

    /// A keymap.toml that is there but does not read (Latin-1 bytes, a directory)
    /// was ignored without a word: the user's keys silently did nothing.
    #[test]
    fn a_keymap_file_that_does_not_read_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keymap.toml");
        std::fs::write(&path, b"[global]\nquit = [\"\xe9\"]\n").unwrap();
        let (k, err) = Keymap::load(dir.path());
        let err = err.expect("a non-UTF-8 keymap is reported").to_string();
        assert!(
            err.contains("keymap.toml") && err.contains("UTF-8"),
            "{err}"
        );
        assert_eq!(k, Keymap::defaults());
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert!(
            Keymap::load(dir.path()).1.is_some(),
            "a directory is reported"
        );
        std::fs::remove_dir(&path).unwrap();
        assert_eq!(Keymap::load(dir.path()).1, None, "no keymap.toml is fine");
    }

    /// A key the file gives one action while the defaults give it another in the
    /// same section went to whichever action came first: the user's binding could
    /// silently never ring. The file's action takes it; two actions of the file
    /// with one key are refused by name.
    #[test]
    fn a_key_given_twice_in_a_section_is_the_files_or_refused() {
        let mut k = Keymap::defaults();
        let d = Key::parse("d").unwrap();
        let first = k.resolve("global", &d);
        assert!(first.is_some(), "d is bound by default");
        // An action after the default one in the section's order: the lookup met
        // the default first.
        let other = crate::tui::action::ACTIONS
            .iter()
            .map(|(a, _, _)| *a)
            .find(|a| Some(*a) > first)
            .unwrap();
        k.merge_toml(&format!("[global]\n{} = [\"d\"]\n", other.name()), "user")
            .unwrap();
        assert_eq!(k.resolve("global", &d), Some(other));
        let mut k = Keymap::defaults();
        let e = k
            .merge_toml("[global]\nquit = [\"z\"]\nhelp = [\"z\"]\n", "keymap.toml")
            .unwrap_err();
        assert!(e.to_string().contains("also given to"), "{e}");
    }

    #[test]
    fn bindings_hide_shadowed_global_keys() {
        let mut k = Keymap::defaults();
        k.merge_toml("[notes]\nundo = [\"a\"]\n", "user").unwrap();
        let b = k.bindings("notes");
        let add = b.iter().find(|(a, _)| *a == Action::Add);
        assert!(
            add.is_none(),
            "`a` now undoes in notes, so add has no live key there"
        );
    }
}
